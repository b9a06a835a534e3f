/* JSON text the Newtonsoft way: the writer (2-space indented or compact), the reader
 * (jansson plus Newtonsoft's leniencies: comments, single quotes, unquoted names, trailing
 * commas) with JsonReaderException messages, and the JsonConvert static class. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../runtime/base/buf.h"
#include "lib_json.h"

#define JT_MAX_DEPTH 2100 /* above jansson's parse limit (2048) */

enum jt_type jt_type_of(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return JT_OBJECT;
    case JSON_ARRAY:
        return JT_ARRAY;
    case JSON_STRING:
        return JT_STRING;
    case JSON_INTEGER:
        return JT_INTEGER;
    case JSON_REAL:
        return JT_FLOAT;
    case JSON_TRUE:
    case JSON_FALSE:
        return JT_BOOLEAN;
    case JSON_NULL:
        return JT_NULL;
    }
    return JT_NONE;
}

static int fatal_oom(expr_env *env)
{
    expr_throw(env, "OutOfMemoryException", "the request arena is full");
    env->err.fatal = true;
    return -1;
}

/* Newtonsoft writes doubles with "R" and makes sure a decimal point or exponent shows. */
int jt_double_text(expr_env *env, double d, str *out)
{
    if (isnan(d) || isinf(d)) {
        *out = isnan(d) ? STR_LIT("NaN") : d > 0 ? STR_LIT("Infinity") : STR_LIT("-Infinity");
        return 0;
    }
    str s;
    if (expr_double_to_string(env, d, &s) < 0)
        return -1;
    if (memchr(s.ptr, '.', s.len) || memchr(s.ptr, 'E', s.len) || memchr(s.ptr, 'e', s.len)) {
        *out = s;
        return 0;
    }
    char *p = arena_sprintf(env->a, "%.*s.0", STR_FMT(s));
    if (!p)
        return fatal_oom(env);
    *out = str_from(p);
    return 0;
}

static int put_string(buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7];
        size_t skip = 0;
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\t')
            esc = "\\t";
        else if (c == '\b')
            esc = "\\b";
        else if (c == '\f')
            esc = "\\f";
        else if (c < 0x20) {
            snprintf(u, sizeof u, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
            esc = u;
        } else if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0x85) {
            esc = "\\u0085";
            skip = 1;
        } else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
            esc = (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
            skip = 2;
        }
        if (!esc) {
            run++;
            continue;
        }
        rc = buf_append(b, s + i - run, run);
        run = 0;
        if (rc == 0)
            rc = buf_puts(b, esc);
        i += skip;
    }
    if (rc == 0)
        rc = buf_append(b, s + n - run, run);
    return rc == 0 ? buf_putc(b, '"') : rc;
}

static int put_indent(buf *b, int depth)
{
    int rc = buf_putc(b, '\n');
    for (int i = 0; i < depth && rc == 0; i++)
        rc = buf_append(b, "  ", 2);
    return rc;
}

/* -1 with the buffer cap reached or too deep (the caller reports). */
static int write_json(expr_env *env, buf *b, json_t *j, bool ind, int depth)
{
    if (depth > JT_MAX_DEPTH)
        return -1;
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        if (json_object_size(j) == 0)
            return buf_append(b, "{}", 2);
        int rc = buf_putc(b, '{');
        bool first = true;
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            if (rc == 0 && !first)
                rc = buf_putc(b, ',');
            first = false;
            if (rc == 0 && ind)
                rc = put_indent(b, depth + 1);
            if (rc == 0)
                rc = put_string(b, k, strlen(k));
            if (rc == 0)
                rc = ind ? buf_append(b, ": ", 2) : buf_putc(b, ':');
            if (rc == 0)
                rc = write_json(env, b, v, ind, depth + 1);
            if (rc < 0)
                return -1;
        }
        if (ind && put_indent(b, depth) < 0)
            return -1;
        return buf_putc(b, '}');
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        if (n == 0)
            return buf_append(b, "[]", 2);
        int rc = buf_putc(b, '[');
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (i > 0)
                rc = buf_putc(b, ',');
            if (rc == 0 && ind)
                rc = put_indent(b, depth + 1);
            if (rc == 0)
                rc = write_json(env, b, json_array_get(j, i), ind, depth + 1);
        }
        if (rc == 0 && ind)
            rc = put_indent(b, depth);
        return rc == 0 ? buf_putc(b, ']') : -1;
    }
    case JSON_STRING:
        return put_string(b, json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return buf_printf(b, "%lld", (long long)json_integer_value(j));
    case JSON_REAL: {
        str s;
        double d = json_real_value(j);
        if (jt_double_text(env, d, &s) < 0)
            return -2;
        if (isnan(d) || isinf(d))
            return put_string(b, s.ptr, s.len);
        return buf_append(b, s.ptr, s.len);
    }
    case JSON_TRUE:
        return buf_append(b, "true", 4);
    case JSON_FALSE:
        return buf_append(b, "false", 5);
    case JSON_NULL:
        return buf_append(b, "null", 4);
    }
    return 0;
}

int expr_json_to_string(expr_env *env, json_t *j, bool indented, str *out)
{
    buf b;
    buf_init(&b, env->a->cap ? env->a->cap : ARENA_REQUEST_CAP);
    int rc = write_json(env, &b, j, indented, 0);
    if (rc == -2) {
        buf_release(&b);
        return -1;
    }
    if (rc < 0) {
        buf_release(&b);
        expr_throw(env, "JsonWriterException", "JSON text too large or too deeply nested");
        return -1;
    }
    char *p = arena_strndup(env->a, b.ptr ? b.ptr : "", b.len);
    size_t n = b.len;
    buf_release(&b);
    if (!p)
        return fatal_oom(env);
    *out = str_make(p, n);
    return 0;
}

/* ---- reader ---- */

/* Rewrites Newtonsoft-only syntax into strict JSON: comments dropped, 'single' quoted strings
 * and bare property names double-quoted, trailing commas removed. Returns NULL when there
 * is nothing to rewrite or the text cannot be fixed that way. */
static char *lenient_rewrite(expr_env *env, str t, size_t *outn)
{
    buf b;
    buf_init(&b, 2 * t.len + 16);
    bool changed = false;
    size_t i = 0;
    while (i < t.len) {
        char c = t.ptr[i];
        if (c == '"' || c == '\'') {
            if (c == '\'')
                changed = true;
            buf_putc(&b, '"');
            for (i++; i < t.len && t.ptr[i] != c; i++) {
                if (t.ptr[i] == '\\' && i + 1 < t.len) {
                    if (t.ptr[i + 1] == '\'') {
                        buf_putc(&b, '\'');
                    } else {
                        buf_append(&b, t.ptr + i, 2);
                    }
                    i++;
                } else if (t.ptr[i] == '"') {
                    buf_append(&b, "\\\"", 2);
                } else {
                    buf_putc(&b, t.ptr[i]);
                }
            }
            buf_putc(&b, '"');
            i++;
        } else if (c == '/' && i + 1 < t.len && (t.ptr[i + 1] == '/' || t.ptr[i + 1] == '*')) {
            changed = true;
            if (t.ptr[i + 1] == '/') {
                while (i < t.len && t.ptr[i] != '\n')
                    i++;
            } else {
                i += 2;
                while (i + 1 < t.len && !(t.ptr[i] == '*' && t.ptr[i + 1] == '/'))
                    i++;
                i += 2;
            }
            buf_putc(&b, ' ');
        } else if (c == ',') {
            size_t k = i + 1;
            while (k < t.len && strchr(" \t\r\n", t.ptr[k]))
                k++;
            if (k < t.len && (t.ptr[k] == '}' || t.ptr[k] == ']'))
                changed = true;
            else
                buf_putc(&b, ',');
            i++;
        } else if ((c == '_' || c == '$' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
            size_t k = i;
            while (k < t.len &&
                   (t.ptr[k] == '_' || t.ptr[k] == '$' || t.ptr[k] == '-' ||
                    (t.ptr[k] >= '0' && t.ptr[k] <= '9') || (t.ptr[k] >= 'A' && t.ptr[k] <= 'Z') ||
                    (t.ptr[k] >= 'a' && t.ptr[k] <= 'z')))
                k++;
            size_t m = k;
            while (m < t.len && strchr(" \t\r\n", t.ptr[m]))
                m++;
            if (m < t.len && t.ptr[m] == ':') {
                changed = true;
                buf_putc(&b, '"');
                buf_append(&b, t.ptr + i, k - i);
                buf_putc(&b, '"');
            } else {
                buf_append(&b, t.ptr + i, k - i);
            }
            i = k;
        } else {
            buf_putc(&b, c);
            i++;
        }
    }
    char *p = NULL;
    if (changed && b.ptr) {
        p = arena_strndup(env->a, b.ptr, b.len);
        *outn = b.len;
    }
    buf_release(&b);
    return p;
}

static int parse_error(expr_env *env, str text, const json_error_t *e)
{
    size_t pos = (size_t)(e->position > 0 ? e->position : 0);
    int line = e->line > 0 ? e->line : 1;
    int col = e->column > 0 ? e->column : 1;
    size_t k = 0;
    while (k < text.len && strchr(" \t\r\n", text.ptr[k]))
        k++;
    if (k == text.len)
        return expr_throw(env, "JsonReaderException",
                          "Error reading JToken from JsonReader. Path '', line 0, position 0.");
    if (strstr(e->text, "too big") || strstr(e->text, "overflow"))
        return expr_throw(env, "JsonReaderException",
                          "JSON number is too large or small (%s). Path '', line %d, position %d.",
                          e->text, line, col);
    if (strstr(e->text, "end of file expected"))
        return expr_throw(env, "JsonReaderException",
                          "Additional text encountered after finished reading JSON content: "
                          "%c. Path '', line %d, position %d.",
                          pos > 0 && pos <= text.len ? text.ptr[pos - 1] : '?', line, col - 1);
    if (strstr(e->text, "end of file"))
        return expr_throw(env, "JsonReaderException",
                          "Unexpected end of content while loading JToken. Path '', line %d, "
                          "position %d.",
                          line, col);
    char ch = pos > 0 && pos <= text.len ? text.ptr[pos - 1] : text.ptr[0];
    return expr_throw(env, "JsonReaderException",
                      "Unexpected character encountered while parsing value: %c. Path '', "
                      "line %d, position %d.",
                      ch, line, col);
}

int expr_json_parse(expr_env *env, str text, json_t **out)
{
    size_t limit = env->a->cap ? env->a->cap : ARENA_REQUEST_CAP;
    if (text.len > limit)
        return expr_throw(env, "JsonReaderException", "JSON text too large (%zu bytes)", text.len);
    json_error_t e1;
    size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
    json_t *j = json_loadb(text.ptr ? text.ptr : "", text.len, flags, &e1);
    if (!j) {
        size_t n = 0;
        char *fixed = lenient_rewrite(env, text, &n);
        json_error_t e2;
        if (fixed)
            j = json_loadb(fixed, n, flags, &e2);
        if (!j)
            return parse_error(env, text, &e1);
    }
    if (arena_defer(env->a, (void (*)(void *))json_decref, j) < 0) {
        json_decref(j);
        return fatal_oom(env);
    }
    *out = j;
    return 0;
}

/* ---- enums ---- */

#define ENUM_CONST(cls, fn, val)                                                                   \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = (xv){ .kind = XV_ENUM };                                                            \
        out->u.en.type = &cls;                                                                     \
        out->u.en.v = (val);                                                                       \
        return 0;                                                                                  \
    }

ENUM_CONST(expr_class_jtokentype, tt_array, JT_ARRAY)
ENUM_CONST(expr_class_jtokentype, tt_boolean, JT_BOOLEAN)
ENUM_CONST(expr_class_jtokentype, tt_bytes, JT_BYTES)
ENUM_CONST(expr_class_jtokentype, tt_comment, JT_COMMENT)
ENUM_CONST(expr_class_jtokentype, tt_constructor, JT_CONSTRUCTOR)
ENUM_CONST(expr_class_jtokentype, tt_date, JT_DATE)
ENUM_CONST(expr_class_jtokentype, tt_float, JT_FLOAT)
ENUM_CONST(expr_class_jtokentype, tt_guid, JT_GUID)
ENUM_CONST(expr_class_jtokentype, tt_integer, JT_INTEGER)
ENUM_CONST(expr_class_jtokentype, tt_none, JT_NONE)
ENUM_CONST(expr_class_jtokentype, tt_null, JT_NULL)
ENUM_CONST(expr_class_jtokentype, tt_object, JT_OBJECT)
ENUM_CONST(expr_class_jtokentype, tt_property, JT_PROPERTY)
ENUM_CONST(expr_class_jtokentype, tt_raw, JT_RAW)
ENUM_CONST(expr_class_jtokentype, tt_string, JT_STRING)
ENUM_CONST(expr_class_jtokentype, tt_timespan, JT_TIMESPAN)
ENUM_CONST(expr_class_jtokentype, tt_undefined, JT_UNDEFINED)
ENUM_CONST(expr_class_jtokentype, tt_uri, JT_URI)
ENUM_CONST(expr_class_formatting, fmt_indented, 1)
ENUM_CONST(expr_class_formatting, fmt_none, 0)

static const xv_member tt_consts[] = {
    { "Array", tt_array, &expr_class_jtokentype, JT_ARRAY, NULL },
    { "Boolean", tt_boolean, &expr_class_jtokentype, JT_BOOLEAN, NULL },
    { "Bytes", tt_bytes, &expr_class_jtokentype, JT_BYTES, NULL },
    { "Comment", tt_comment, &expr_class_jtokentype, JT_COMMENT, NULL },
    { "Constructor", tt_constructor, &expr_class_jtokentype, JT_CONSTRUCTOR, NULL },
    { "Date", tt_date, &expr_class_jtokentype, JT_DATE, NULL },
    { "Float", tt_float, &expr_class_jtokentype, JT_FLOAT, NULL },
    { "Guid", tt_guid, &expr_class_jtokentype, JT_GUID, NULL },
    { "Integer", tt_integer, &expr_class_jtokentype, JT_INTEGER, NULL },
    { "None", tt_none, &expr_class_jtokentype, JT_NONE, NULL },
    { "Null", tt_null, &expr_class_jtokentype, JT_NULL, NULL },
    { "Object", tt_object, &expr_class_jtokentype, JT_OBJECT, NULL },
    { "Property", tt_property, &expr_class_jtokentype, JT_PROPERTY, NULL },
    { "Raw", tt_raw, &expr_class_jtokentype, JT_RAW, NULL },
    { "String", tt_string, &expr_class_jtokentype, JT_STRING, NULL },
    { "TimeSpan", tt_timespan, &expr_class_jtokentype, JT_TIMESPAN, NULL },
    { "Undefined", tt_undefined, &expr_class_jtokentype, JT_UNDEFINED, NULL },
    { "Uri", tt_uri, &expr_class_jtokentype, JT_URI, NULL },
};
static const char *const tt_aliases[] = { "Newtonsoft.Json.Linq.JTokenType", NULL };
const xv_class expr_class_jtokentype = {
    .name = "JTokenType",
    .aliases = tt_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = tt_consts,
    .nsmembers = sizeof tt_consts / sizeof tt_consts[0],
};

static const xv_member fmt_consts[] = {
    { "Indented", fmt_indented, &expr_class_formatting, 1, NULL },
    { "None", fmt_none, &expr_class_formatting, 0, NULL },
};
static const char *const fmt_aliases[] = { "Newtonsoft.Json.Formatting", NULL };
const xv_class expr_class_formatting = {
    .name = "Formatting",
    .aliases = fmt_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = fmt_consts,
    .nsmembers = sizeof fmt_consts / sizeof fmt_consts[0],
};

/* ---- JsonConvert ---- */

static bool arg_indented(const xv_call *c, size_t i)
{
    return i < c->nargs && c->args[i].kind == XV_ENUM &&
           c->args[i].u.en.type == &expr_class_formatting && c->args[i].u.en.v == 1;
}

static int jc_serialize(xv_call *c, xv *out)
{
    json_t *j = xv_to_json(c->env, c->args[0]);
    if (!j)
        return -1;
    str s;
    int rc = expr_json_to_string(c->env, j, arg_indented(c, 1), &s);
    json_decref(j);
    if (rc < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

static int jc_deserialize(xv_call *c, xv *out)
{
    xv a = c->args[0];
    if (a.kind == XV_NULL)
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'value')");
    if (a.kind != XV_STR)
        return expr_throw(c->env, "ArgumentException",
                          "JsonConvert.DeserializeObject: argument 1: expected string, got %s",
                          xv_type_name(a));
    json_t *j;
    if (expr_json_parse(c->env, a.u.s, &j) < 0)
        return -1;
    if (c->ntargs > 0 && c->targs[0])
        return expr_json_convert(c->env, j, c->targs[0], 0, out);
    json_incref(j);
    if (json_is_object(j) || json_is_array(j))
        return xv_json(c->env, j, out);
    int rc = xv_from_jvalue(c->env, j, out);
    json_decref(j);
    return rc;
}

static const xv_method jc_smethods[] = {
    { "DeserializeObject", 1, 2, jc_deserialize, NULL, XV_M_GENERIC | XV_M_RET_TARG, NULL },
    { "SerializeObject", 1, 3, jc_serialize, &expr_class_string, 0, NULL },
};

static const char *const jc_aliases[] = { "Newtonsoft.Json.JsonConvert", NULL };
const xv_class expr_class_jsonconvert = {
    .name = "JsonConvert",
    .aliases = jc_aliases,
    .flags = XV_CLASS_STATIC,
    .smethods = jc_smethods,
    .nsmethods = sizeof jc_smethods / sizeof jc_smethods[0],
};
