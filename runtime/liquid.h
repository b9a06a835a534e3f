#ifndef RUNTIME_LIQUID_H
#define RUNTIME_LIQUID_H

/* Liquid templates for <set-body template="liquid"> (spec/policies.md §4): the DotLiquid
 * dialect APIM runs in "C# mode". Compile once at load (config arena), render per request.
 *
 * Language: {{ expr | Filter: arg, arg }} output; tags if/elsif/else/endif, unless, case/when/
 * else, for (limit:, offset:, reversed, ranges (a..b), forloop.index/index0/rindex/rindex0/
 * first/last/length, else), break, continue, assign, capture, comment, raw, cycle, increment,
 * decrement; whitespace control {{- -}} {%- -%}. Conditions: == != <> < > <= >= contains,
 * and/or (right-associative, no precedence, as Liquid), nil/null, true, false, empty, blank.
 * Paths: a.b, a[0], a[-1], a["k"], a[var], size/first/last on arrays (size on strings and
 * objects without such a key).
 *
 * Filters: the list of the set-body doc (Abs Append AtLeast AtMost Capitalize Compact
 * Currency Date Default DividedBy Downcase Escape First H Join Last Lstrip Map Minus Modulo
 * NewlineToBr Plus Prepend Remove RemoveFirst Replace ReplaceFirst Round Rstrip Size Slice
 * Sort Split Strip StripHtml StripNewlines Times Truncate TruncateWords Uniq Upcase UrlDecode
 * UrlEncode) plus Ceil, Floor, Reverse, Concat. Names are PascalCase as APIM requires; the
 * snake_case and all-lowercase spellings are accepted too. An unknown filter is a load-time
 * warning and passes its input through at run time (DotLiquid's non-strict mode). Where
 * DotLiquid versions differ we follow the Liquid documentation APIM links to: Replace is
 * literal (not a regex), Capitalize upper-cases the first character and lower-cases the
 * rest, Plus/Minus/Times/DividedBy/Modulo convert numeric strings to numbers.
 *
 * Values are JSON (jansson). Output rules: nil -> "", strings raw, true/false lowercase,
 * integers as such, reals like .NET's double.ToString() ("1.5", "1E+20"), arrays as the
 * concatenation of their items (DotLiquid joins IEnumerables with ""), objects as compact
 * JSON text (DotLiquid would print .NET type names; this is our choice), dates (strings
 * recognized under parse_date, see below) as "MM/dd/yyyy HH:mm:ss".
 * Date: the input is a date string (ISO 8601, RFC 1123, MM/dd/yyyy[ HH:mm[:ss]]), a number
 * (Unix seconds) or "now"/"today"; the format is a .NET standard or custom date format
 * ("yyyy-MM-ddTHH:mm:ssZ", "o", "R", ...). Offsets are kept (the gateway's local time is
 * UTC). An unparsable input is returned unchanged.
 *
 * Errors: data errors inside a tag or output (division by zero, bad Date input types...) are
 * written inline as "Liquid error: <message>" and rendering goes on, as DotLiquid's default
 * error mode does. Exhausting the step budget, the memory budget or the output cap, or a
 * resolver failure, aborts the render (rt_liquid_render returns -1). */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"

typedef struct rt_liquid rt_liquid; /* compiled template; immutable; lives in a config arena */

#define RT_LIQUID_STEP_BUDGET 100000 /* default steps per render (tags, iterations, items) */
#define RT_LIQUID_MEM_BUDGET  ((size_t)64 << 20) /* bytes of strings/arrays made per render */
#define RT_LIQUID_MAX_DEPTH   64                 /* nesting of blocks and of brackets in paths */

/* One step of a context.* path as written in the template: .Name, ["key"], [var] or [0].
 * `context.Request.Headers["x"]` reaches the resolver as {Request}{Headers}{x (is_key)}. */
typedef struct rt_liquid_seg {
    str name;      /* member or key (for an integer subscript: its decimal text) */
    int64_t index; /* the integer subscript when is_index */
    bool is_index; /* written [n] or [var] where var is an integer */
    bool is_key;   /* written ["k"] or [var] (a dictionary lookup) rather than .Name */
} rt_liquid_seg;

/* What the resolver found for a prefix of the path. Set exactly one of json / text. */
typedef struct rt_liquid_ref {
    json_t *json; /* a NEW reference the engine takes over (any JSON value; JSON null = nil) */
    str text;     /* or a string, copied by the engine (used when json is NULL) */
    size_t used;  /* how many segments (1..n) the answer covers; the engine walks the rest
                     inside json (object keys, array indexes, size/first/last) */
} rt_liquid_ref;

/* Resolves context.<segs[0..n)> (n >= 1) from the request. Return 1 and fill *out when found,
 * 0 when the path names nothing (rendered as nil), -1 to abort the render (errbuf holds the
 * reason, NUL-terminated, at most errlen bytes). Examples a host answers:
 *   Request.Headers["x"] -> text of the header's values joined by ","   (used 3)
 *   Request.Headers      -> an object of header name -> string          (used 2)
 *   Request.Url.Path, Request.Method, Request.IpAddress, Request.MatchedParameters["id"],
 *   Response.StatusCode (JSON integer), Variables["v"] (any JSON; a JObject variable as an
 *   object so vars['k'] works), Subscription.Name, Product.Name, Api.Name, User.Email ...
 * Names are as the template wrote them (case-sensitive, as DotLiquid's C# mode). */
typedef int (*rt_liquid_resolve_fn)(void *ud, const rt_liquid_seg *segs, size_t n,
                                    rt_liquid_ref *out, char *errbuf, size_t errlen);

/* The variables of one render. */
typedef struct rt_liquid_data {
    json_t *body;                 /* borrowed; NULL = no/empty body (nil); see rt_liquid_body */
    rt_liquid_resolve_fn resolve; /* NULL: every context.* path is nil */
    void *ud;                     /* passed to resolve */
    size_t budget;                /* steps; 0 = RT_LIQUID_STEP_BUDGET */
    int64_t now_ms;               /* the runtime clock, for Date on "now"/"today" */
    bool parse_date;              /* set-body parse-date (APIM's default is true): strings of
                                     body/context that look like dates (ISO 8601,
                                     "/Date(ms)/") behave as DateTime values */
} rt_liquid_data;

/* Compiles src[0..len) into a. Syntax errors (all of them, not only the first) are appended
 * to d at positions mapped from offsets in src through m (m NULL: offsets as "<liquid>"
 * positions); unknown filters are warnings. Returns NULL when there was an error (NULL also
 * at the arena cap, with a diagnostic). */
rt_liquid *rt_liquid_compile(arena *a, const char *src, size_t len, const diag_mapper *m,
                             diag_list *d);

/* Renders t with data, appending to out (whose cap is the output cap). Returns 0, or -1
 * with a message in err[0..errlen) ("Liquid: step budget exhausted", "Liquid: output
 * exceeds N bytes", the resolver's message...); out then holds a partial result. Never
 * crashes on any data; all temporary JSON is released before it returns. */
int rt_liquid_render(const rt_liquid *t, const rt_liquid_data *data, buf *out, char *err,
                     size_t errlen);

/* Binds a message body for rt_liquid_data.body the way set-body does: a Content-Type of
 * application/json, text/json or any +json type parses text as JSON; application/xml,
 * text/xml or +xml converts the XML document to JSON (Json.NET's SerializeXmlNode
 * convention: {"root": {"child": "text", "@attr": "v", "#text": "..."}}, repeated elements
 * become arrays; DOCTYPE refused); any other type binds the raw text as a string. A body
 * that does not parse, or an empty one, binds nil. Returns a new reference (NULL = nil). */
json_t *rt_liquid_body(str content_type, str text);

#endif
