#ifndef EXPR_EXPR_H
#define EXPR_EXPR_H

/* The APIM policy expression language (spec/expressions.md): C#-like @(...) expressions and
 * @{...} statement blocks, compiled once at load and evaluated per request.
 * This is the only header other modules include (value.h comes with it: hosts build values).
 * expr/ depends on runtime/base, jansson, PCRE2 and OpenSSL only; it never sees libxml2,
 * libevent or curl. The `context` object reaches it through expr_host, which runtime/
 * implements (eval's JSON context, the pipeline's request). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../runtime/base/arena.h"
#include "../runtime/base/diag.h"
#include "../runtime/base/str.h"
#include "value.h"

typedef struct expr expr; /* compiled expression; immutable; lives in a config arena */

#define EXPR_MAX_DEPTH   200    /* parser nesting limit */
#define EXPR_STEP_BUDGET 100000 /* default evaluation budget (AST nodes visited) */

/* True when text (after trimming white space) is exactly one expression: it starts with
 * "@(" or "@{" and the matching closer is the last character. */
bool expr_is_expression(str text);

/* Parses and resolves src[0..len), which is the whole "@(...)" or "@{...}" text. The result
 * lives in a. Unknown identifiers, types, members, methods and wrong argument counts are
 * load-time errors. On error returns NULL and appends diagnostics to d; positions are mapped
 * from byte offsets in src through m (m may be NULL: positions relative to src, file "<expr>"). */
expr *expr_compile(arena *a, const char *src, size_t len, const diag_mapper *m, diag_list *d);

/* Adds a group of classes implemented outside expr/ (runtime's System.Xml over libxml2, the
 * Authorization object of get-authorization-context). Call at startup, before any
 * expr_compile, from one thread. Returns 0, or -1 when the table of extra groups is full. */
int expr_register_lib(const xv_lib *lib);

/* Parses an XML message body for IMessageBody.As<XDocument|XElement|XNode>() (want is the
 * requested class: XDocument gives the document, the others its root element). runtime/
 * sets it at startup (rt_expr_libs_init) since expr/ never sees libxml2; while it is NULL
 * those calls throw NotSupportedException. Returns 0 with *out, or -1 after expr_throw()
 * (XmlException for malformed XML or a DOCTYPE). Defined in context.c. */
extern int (*expr_xml_parse_hook)(expr_env *env, str text, const xv_class *want, xv *out);

/* The static type of the result when known at compile time (NULL = dynamic/object). */
const xv_class *expr_result_class(const expr *e);

/* The source text the expression was compiled from. */
str expr_source(const expr *e);

/* Services the host provides. All function pointers must be set. */
typedef struct expr_host {
    /* Reads member `member` (an EXPR_M_* id, see value.h) of host object self (XV_OBJ whose
     * class has the XV_CLASS_HOST flag; self.u.obj.ptr is the host's own pointer).
     * Returns 0 and sets *out, or -1 after expr_throw(). */
    int (*get)(expr_env *env, xv self, int member, xv *out);
    /* Current UTC time in .NET ticks (100 ns since 0001-01-01). */
    int64_t (*now)(expr_env *env);
    /* Next value of `new Random().Next(lo, hi)`: lo <= r < hi (hi > lo). Tests script it. */
    int64_t (*random)(expr_env *env, int64_t lo, int64_t hi);
    /* A new random GUID (version 4), 16 bytes in .NET byte order. */
    void (*new_guid)(expr_env *env, uint8_t out[16]);
    /* context.Trace(message) */
    void (*trace)(expr_env *env, str message);
} expr_host;

/* Run-time failure: an exception the expression raised (catchable by try/catch inside the
 * expression) or a budget/arena failure (not catchable). */
typedef struct expr_error {
    const char *type;    /* .NET exception type name, e.g. "NullReferenceException" */
    const char *message; /* human text, in the env's arena */
    size_t off;          /* source offset of the failing node */
    bool fatal;          /* step budget or arena cap: not catchable */
} expr_error;

/* One evaluation environment per request (or per `apimlite eval`). Caller-owned; set the
 * fields, then call expr_eval any number of times. */
struct expr_env {
    arena *a; /* every value made during evaluation lives here */
    const expr_host *host;
    void *host_ud;  /* for the host's own use */
    xv context;     /* the `context` root object (XV_OBJ of expr_class_context) */
    size_t budget;  /* steps left; set to EXPR_STEP_BUDGET before a policy runs */
    expr_error err; /* valid after expr_eval returned -1 */
};

/* Evaluates e. Returns 0 and sets *out, or -1 with env->err set (Reason
 * ExpressionValueEvaluationFailure at the policy level). Never crashes on any input. */
int expr_eval(expr_env *env, const expr *e, xv *out);

/* The JSON `apimlite eval` prints for v (DESIGN.md §4b): strings, numbers (int as integer,
 * double as real), booleans, null; JObject/JArray/JValue as JSON; chars as one-character
 * strings; lists/arrays as JSON arrays and dictionaries as objects (our extension: their
 * .NET ToString() is useless); anything else as the JSON string of its invariant ToString().
 * Returns a new reference, or NULL with env->err set. */
json_t *expr_eval_json(expr_env *env, xv v);

/* Raises an exception of .NET type `type` (e.g. "ArgumentException") with a formatted
 * message in env->err; always returns -1 so callers can `return expr_throw(...)`. */
int expr_throw(expr_env *env, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
