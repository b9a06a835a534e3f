/* json-to-xml: JSON text -> XML text (shapes in xmljson.h), and the media-type tests shared by
 * both conversion policies. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/civil.h"
#include "xml.h"
#include "xmljson.h"

#define XSI_URI "http://www.w3.org/2001/XMLSchema-instance"

typedef struct nsdecl {
    str prefix; /* "" = default namespace */
    str uri;
} nsdecl;

typedef struct j2x {
    expr_env *env;
    const rt_j2x_opts *o;
    char sep;
    buf b;
    nsdecl *ns; /* in-scope declarations, innermost last */
    size_t nns, cap;
    char *err;
    size_t errlen;
    bool failed;
    char num[64]; /* a scalar's text */
} j2x;

static int fail(j2x *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(j2x *j, const char *fmt, ...)
{
    if (!j->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(j->err, j->errlen, fmt, ap);
        va_end(ap);
    }
    j->failed = true;
    return -1;
}

static int put(j2x *j, const char *p, size_t n)
{
    if (buf_append(&j->b, p, n) < 0)
        return fail(j, "the converted body exceeds %zu bytes", (size_t)ARENA_REQUEST_CAP);
    return 0;
}

static int puts_(j2x *j, const char *s)
{
    return put(j, s, strlen(s));
}

/* ---- UTF-8 and XML names ---- */

/* Decodes one code point of valid UTF-8 (jansson validates strings) at s[*i]. */
static unsigned next_cp(str s, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s.ptr + *i;
    size_t left = s.len - *i;
    unsigned c = p[0];
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (n > left)
        n = 1;
    if (n == 2)
        c = ((c & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    else if (n == 3)
        c = ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    else if (n == 4)
        c = ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
    *i += n;
    return c;
}

static bool is_name_start(unsigned c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           (c >= 0xC0 && c != 0xD7 && c != 0xF7 && !(c >= 0x2000 && c < 0x2070) &&
            !(c >= 0xD800 && c < 0xF900) && c < 0xFFFE);
}

static bool is_name_char(unsigned c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == 0xB7 ||
           (c >= 0x300 && c <= 0x36F) || c == 0x203F || c == 0x2040;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* XmlConvert.EncodeLocalName: characters that cannot be in a local name (':' included) as
 * _xHHHH_, and an underscore that would read as such an escape as _x005F_. */
static int put_name(j2x *j, str s)
{
    if (!s.len)
        return fail(j, "the JSON property name '' cannot be an XML name");
    size_t i = 0;
    bool first = true;
    while (i < s.len) {
        size_t at = i;
        unsigned c = next_cp(s, &i);
        bool ok = first ? is_name_start(c) : is_name_char(c);
        if (c == '_' && at + 6 < s.len && s.ptr[at + 1] == 'x' && is_hex(s.ptr[at + 2]) &&
            is_hex(s.ptr[at + 3]) && is_hex(s.ptr[at + 4]) && is_hex(s.ptr[at + 5]) &&
            s.ptr[at + 6] == '_')
            ok = false;
        first = false;
        if (ok) {
            if (put(j, s.ptr + at, i - at) < 0)
                return -1;
            continue;
        }
        char esc[16];
        int n = c > 0xFFFF ? snprintf(esc, sizeof esc, "_x%08X_", c)
                           : snprintf(esc, sizeof esc, "_x%04X_", c);
        if (put(j, esc, (size_t)n) < 0)
            return -1;
    }
    return 0;
}

/* Escaped text as .NET's XmlWriter writes it (attr: attribute value rules). */
static int put_text(j2x *j, str s, bool attr)
{
    size_t i = 0, run = 0;
    while (i < s.len) {
        size_t at = i;
        unsigned c = next_cp(s, &i);
        const char *rep = rt_xml_escape_char(c, attr);
        /* tab and newline stay as they are in text */
        if (!rep && (c < 0x20 || c == 0xFFFE || c == 0xFFFF) && c != '\t' && c != '\n')
            return fail(j, "'\\u%04X', hexadecimal value 0x%02X, is an invalid character", c, c);
        if (rep) {
            if (put(j, s.ptr + run, at - run) < 0 || puts_(j, rep) < 0)
                return -1;
            run = i;
        }
    }
    return put(j, s.ptr + run, s.len - run);
}

/* ---- parse-date: Json.NET's ISO-8601 date-time detection ---- */

static bool digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int k = 0; k < n; k++) {
        if (p[k] < '0' || p[k] > '9')
            return false;
        v = v * 10 + (p[k] - '0');
    }
    *out = v;
    return true;
}

/* yyyy-MM-ddTHH:mm:ss[.f+][Z|±HH[:mm]|±HHmm] -> "MM/dd/yyyy HH:mm:ss" (UTC for zoned
 * values: the gateway's local time is UTC). False when s is no such date. */
static bool format_date(str s, char out[64])
{
    const char *p = s.ptr;
    size_t n = s.len;
    int y, mo, d, h, mi, se;
    if (n < 19 || !digits(p, 4, &y) || p[4] != '-' || !digits(p + 5, 2, &mo) || p[7] != '-' ||
        !digits(p + 8, 2, &d) || p[10] != 'T' || !digits(p + 11, 2, &h) || p[13] != ':' ||
        !digits(p + 14, 2, &mi) || p[16] != ':' || !digits(p + 17, 2, &se))
        return false;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
        h > 23 || mi > 59 || se > 59)
        return false;
    size_t i = 19;
    if (i < n && p[i] == '.') {
        size_t f = ++i;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
        if (i == f)
            return false;
    }
    int64_t off_min = 0;
    if (i < n && p[i] == 'Z') {
        i++;
    } else if (i < n && (p[i] == '+' || p[i] == '-')) {
        int sign = p[i] == '-' ? -1 : 1, oh, om = 0;
        if (i + 3 > n || !digits(p + i + 1, 2, &oh))
            return false;
        i += 3;
        if (i < n && p[i] == ':') {
            if (i + 3 > n || !digits(p + i + 1, 2, &om))
                return false;
            i += 3;
        } else if (i + 2 <= n && digits(p + i, 2, &om)) {
            i += 2;
        }
        if (oh > 14 || om > 59)
            return false;
        off_min = sign * (oh * 60 + om);
    }
    if (i != n)
        return false;
    int64_t mins = civil_days_from(y, mo, d) * 1440 + h * 60 + mi - off_min;
    int64_t days = mins >= 0 ? mins / 1440 : -((-mins + 1439) / 1440);
    int64_t rem = mins - days * 1440;
    int64_t year;
    civil_from_days(days, &year, &mo, &d);
    y = (int)year;
    if (y < 1 || y > 9999)
        return false;
    snprintf(out, 64, "%02d/%02d/%04d %02d:%02d:%02d", mo, d, y, (int)(rem / 60), (int)(rem % 60),
             se);
    return true;
}

/* ---- values and elements ---- */

/* The text of a scalar (ToString() of the JValue). */
static int scalar_text(j2x *j, const json_t *v, str *out)
{
    char *num = j->num;
    switch (json_typeof(v)) {
    case JSON_STRING:
        *out = str_make(json_string_value(v), json_string_length(v));
        if (j->o->parse_date && format_date(*out, num))
            *out = str_from(num);
        return 0;
    case JSON_INTEGER:
        snprintf(num, sizeof j->num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = str_from(num);
        return 0;
    case JSON_REAL:
        if (xv_to_string(j->env, xv_double(json_real_value(v)), out) < 0)
            return fail(j, "out of memory");
        return 0;
    case JSON_TRUE:
        *out = STR_LIT("True");
        return 0;
    case JSON_FALSE:
        *out = STR_LIT("False");
        return 0;
    default:
        *out = STR_LIT("");
        return 0;
    }
}

static const str *ns_lookup(const j2x *j, str prefix)
{
    for (size_t i = j->nns; i-- > 0;)
        if (str_eq(j->ns[i].prefix, prefix))
            return &j->ns[i].uri;
    return NULL;
}

static int ns_push(j2x *j, str prefix, str uri)
{
    if (j->nns == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 16;
        nsdecl *n = arena_alloc(j->env->a, cap * sizeof *n);
        if (!n)
            return fail(j, "out of memory");
        if (j->nns)
            memcpy(n, j->ns, j->nns * sizeof *n);
        j->ns = n;
        j->cap = cap;
    }
    j->ns[j->nns++] = (nsdecl){ prefix, uri };
    return 0;
}

/* A property name as an element or attribute name: "p<sep>local" with p in scope (or the
 * built-in xml prefix) becomes p:local, anything else one encoded local name. */
static int put_qname(j2x *j, str key)
{
    for (size_t i = 1; i + 1 < key.len; i++) {
        if (key.ptr[i] != j->sep)
            continue;
        str prefix = str_make(key.ptr, i);
        if (ns_lookup(j, prefix) || str_eq_cstr(prefix, "xml")) {
            if (put_name(j, prefix) < 0 || puts_(j, ":") < 0)
                return -1;
            return put_name(j, str_make(key.ptr + i + 1, key.len - i - 1));
        }
        break;
    }
    return put_name(j, key);
}

/* 1 when key declares a namespace (namespace-prefix), with *prefix the declared prefix. */
static int ns_decl_of(const j2x *j, str key, str *prefix)
{
    str np = j->o->ns_prefix;
    if (!np.len || key.len < np.len || memcmp(key.ptr, np.ptr, np.len) != 0)
        return 0;
    if (key.len == np.len) {
        *prefix = STR_LIT("");
        return 1;
    }
    if (key.ptr[np.len] != j->sep || key.len == np.len + 1)
        return 0;
    *prefix = str_make(key.ptr + np.len + 1, key.len - np.len - 1);
    return 1;
}

static bool is_attr_block(const j2x *j, str key, const json_t *v)
{
    return j->o->attr_block.len && json_is_object(v) && str_eq(key, j->o->attr_block);
}

static int newline(j2x *j, int level)
{
    if (!j->b.len)
        return 0;
    if (puts_(j, "\n") < 0)
        return -1;
    for (int i = 0; i < level; i++)
        if (puts_(j, "  ") < 0)
            return -1;
    return 0;
}

static int write_value(j2x *j, str name, const json_t *v, int level);

/* The namespace declarations and attributes of object o, written after "<name". */
static int write_attrs(j2x *j, const json_t *o)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        str key = str_make(k, strlen(k)), prefix;
        if (ns_decl_of(j, key, &prefix)) {
            if (!json_is_string(v))
                return fail(j, "the namespace declaration '%s' must be a string", k);
            if (puts_(j, prefix.len ? " xmlns:" : " xmlns") < 0 ||
                (prefix.len && put_name(j, prefix) < 0) || puts_(j, "=\"") < 0 ||
                put_text(j, str_make(json_string_value(v), json_string_length(v)), true) < 0 ||
                puts_(j, "\"") < 0)
                return -1;
        }
    }
    json_object_foreach((json_t *)o, k, v)
    {
        if (!is_attr_block(j, str_make(k, strlen(k)), v))
            continue;
        const char *ak;
        const json_t *av;
        json_object_foreach((json_t *)v, ak, av)
        {
            if (json_is_object(av) || json_is_array(av))
                return fail(j, "the attribute '%s' must be a simple value", ak);
            if (json_is_null(av))
                continue;
            str text;
            if (puts_(j, " ") < 0 || put_qname(j, str_make(ak, strlen(ak))) < 0 ||
                puts_(j, "=\"") < 0 || scalar_text(j, av, &text) < 0 ||
                put_text(j, text, true) < 0 || puts_(j, "\"") < 0)
                return -1;
        }
    }
    return 0;
}

/* <name ...> for object o: declarations scoped to the element, then its children. */
static int write_object(j2x *j, str name, const json_t *o, int level)
{
    size_t mark = j->nns;
    const char *k;
    const json_t *v;
    size_t kids = 0;
    json_object_foreach((json_t *)o, k, v)
    {
        str key = str_make(k, strlen(k)), prefix;
        if (ns_decl_of(j, key, &prefix)) {
            str uri = json_is_string(v) ? str_make(json_string_value(v), json_string_length(v))
                                        : STR_LIT("");
            if (ns_push(j, prefix, uri) < 0)
                return -1;
        } else if (!is_attr_block(j, key, v)) {
            kids++;
        }
    }
    if (newline(j, level) < 0 || puts_(j, "<") < 0 || put_qname(j, name) < 0 ||
        write_attrs(j, o) < 0)
        return -1;
    if (!kids) {
        j->nns = mark;
        return puts_(j, " />");
    }
    if (puts_(j, ">") < 0)
        return -1;
    json_object_foreach((json_t *)o, k, v)
    {
        str key = str_make(k, strlen(k)), prefix;
        if (ns_decl_of(j, key, &prefix) || is_attr_block(j, key, v))
            continue;
        if (write_value(j, key, v, level + 1) < 0)
            return -1;
    }
    int rc =
        newline(j, level) < 0 || puts_(j, "</") < 0 || put_qname(j, name) < 0 || puts_(j, ">") < 0
            ? -1
            : 0;
    j->nns = mark;
    return rc;
}

/* Property name: value as elements (one per array item). */
static int write_value(j2x *j, str name, const json_t *v, int level)
{
    if (level > RT_XJ_MAX_DEPTH)
        return fail(j, "the JSON nesting is deeper than %d levels", RT_XJ_MAX_DEPTH);
    if (json_is_array(v)) {
        if (!json_array_size(v))
            return newline(j, level) < 0 || puts_(j, "<") < 0 || put_qname(j, name) < 0 ||
                           puts_(j, " />") < 0
                       ? -1
                       : 0;
        size_t i;
        const json_t *item;
        json_array_foreach((json_t *)v, i, item)
        {
            if (!json_is_array(item)) {
                if (write_value(j, name, item, level) < 0)
                    return -1;
                continue;
            }
            /* an array in an array: one element holding the inner items */
            if (newline(j, level) < 0 || puts_(j, "<") < 0 || put_qname(j, name) < 0 ||
                puts_(j, ">") < 0 || write_value(j, name, item, level + 1) < 0 ||
                newline(j, level) < 0 || puts_(j, "</") < 0 || put_qname(j, name) < 0 ||
                puts_(j, ">") < 0)
                return -1;
        }
        return 0;
    }
    if (json_is_object(v))
        return write_object(j, name, v, level);
    if (newline(j, level) < 0 || puts_(j, "<") < 0 || put_qname(j, name) < 0)
        return -1;
    if (json_is_null(v)) {
        if (puts_(j, " xsi:nil=\"true\"") < 0)
            return -1;
        const str *cur = ns_lookup(j, STR_LIT("xsi"));
        if (!cur || !str_eq_cstr(*cur, XSI_URI))
            if (puts_(j, " xmlns:xsi=\"" XSI_URI "\"") < 0)
                return -1;
        return puts_(j, " />");
    }
    str text;
    if (scalar_text(j, v, &text) < 0 || puts_(j, ">") < 0 || put_text(j, text, false) < 0 ||
        puts_(j, "</") < 0 || put_qname(j, name) < 0 || puts_(j, ">") < 0)
        return -1;
    return 0;
}

static int write_root(j2x *j, const json_t *root)
{
    if (json_is_object(root) && json_object_size(root) == 1) {
        void *it = json_object_iter((json_t *)root);
        const char *k = json_object_iter_key(it);
        const json_t *v = json_object_iter_value(it);
        str key = str_make(k, strlen(k)), prefix;
        if (!json_is_array(v) && !ns_decl_of(j, key, &prefix) && !is_attr_block(j, key, v))
            return write_value(j, key, v, 0);
    }
    str doc = STR_LIT("Document");
    if (!json_is_array(root))
        return write_value(j, doc, root, 0);
    if (!json_array_size(root))
        return puts_(j, "<Document />");
    return puts_(j, "<Document>") < 0 || write_value(j, STR_LIT("Array"), root, 1) < 0 ||
                   puts_(j, "\n</Document>") < 0
               ? -1
               : 0;
}

int rt_json_to_xml(expr_env *env, str json, const rt_j2x_opts *o, str *out, char *err,
                   size_t errlen)
{
    json_error_t je;
    json_t *root = json_loadb(json.ptr ? json.ptr : "", json.len, JSON_DECODE_ANY, &je);
    if (!root) {
        snprintf(err, errlen, "the body is not valid JSON: %s (line %d, column %d)", je.text,
                 je.line, je.column);
        return -1;
    }
    j2x j = { .env = env,
              .o = o,
              .sep = o->ns_sep.len ? o->ns_sep.ptr[0] : '_',
              .err = err,
              .errlen = errlen };
    buf_init(&j.b, ARENA_REQUEST_CAP);
    int rc = write_root(&j, root);
    json_decref(root);
    if (rc == 0) {
        char *text = arena_strndup(env->a, j.b.ptr ? j.b.ptr : "", j.b.len);
        if (!text)
            rc = fail(&j, "out of memory");
        else
            *out = str_make(text, j.b.len);
    }
    buf_release(&j.b);
    return rc;
}

/* ---- media types ---- */

bool rt_media_type_is(str ct, const char *sub)
{
    str t = ct;
    for (size_t i = 0; i < t.len; i++)
        if (t.ptr[i] == ';')
            t.len = i;
    t = str_trim(t);
    size_t sl = strlen(sub);
    if (memchr(t.ptr ? t.ptr : "", '*', t.len))
        return false;
    if (t.len == 12 + sl && !strncasecmp(t.ptr, "application/", 12) &&
        !strncasecmp(t.ptr + 12, sub, sl))
        return true;
    if (t.len == 5 + sl && !strncasecmp(t.ptr, "text/", 5) && !strncasecmp(t.ptr + 5, sub, sl))
        return true;
    return t.len > sl + 1 && t.ptr[t.len - sl - 1] == '+' &&
           !strncasecmp(t.ptr + t.len - sl, sub, sl) && memchr(t.ptr, '/', t.len);
}

/* The q parameter of one media range ("1" when absent). */
static bool range_accepts(str range)
{
    for (size_t i = 0; i < range.len; i++) {
        if (range.ptr[i] != ';')
            continue;
        str p = str_trim(str_make(range.ptr + i + 1, range.len - i - 1));
        if (p.len >= 2 && (p.ptr[0] == 'q' || p.ptr[0] == 'Q') && p.ptr[1] == '=') {
            bool nonzero = false;
            for (size_t k = 2; k < p.len && p.ptr[k] != ';'; k++)
                if (p.ptr[k] >= '1' && p.ptr[k] <= '9')
                    nonzero = true;
            return nonzero;
        }
    }
    return true;
}

bool rt_accept_wants(const str *values, size_t n, const char *sub)
{
    for (size_t v = 0; v < n; v++) {
        str s = values[v];
        size_t i = 0;
        while (i <= s.len) {
            size_t e = i;
            while (e < s.len && s.ptr[e] != ',')
                e++;
            str range = str_make(s.ptr + i, e - i);
            if (rt_media_type_is(range, sub) && range_accepts(range))
                return true;
            i = e + 1;
        }
    }
    return false;
}
