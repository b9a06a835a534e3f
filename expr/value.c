/* Core value functions: strings, JSON adoption, lists, dictionaries, run-time classes,
 * ToString, equality and ordering. Conversions are in value_conv.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"

static int oom(expr_env *env)
{
    env->err.type = "OutOfMemoryException";
    env->err.message = "request arena cap reached";
    env->err.off = SIZE_MAX;
    env->err.fatal = true;
    return -1;
}

int xv_str_copy(expr_env *env, const char *p, size_t n, xv *out)
{
    char *s = arena_strndup(env->a, p ? p : "", p ? n : 0);
    if (!s)
        return oom(env);
    *out = xv_str((str){ s, p ? n : 0 });
    return 0;
}

int xv_str_printf(expr_env *env, xv *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vsprintf(env->a, fmt, ap);
    va_end(ap);
    if (!s)
        return oom(env);
    *out = xv_str(str_from(s));
    return 0;
}

static void json_decref_cb(void *p)
{
    json_decref(p);
}

int xv_json(expr_env *env, json_t *j, xv *out)
{
    if (!j)
        return oom(env);
    if (arena_defer(env->a, json_decref_cb, j) < 0) {
        json_decref(j);
        return oom(env);
    }
    *out = (xv){ .kind = XV_JSON };
    out->u.j = j;
    return 0;
}

/* ---- lists and dictionaries ---- */

xv_list *xv_list_new_in(arena *a, uint8_t flavor, const xv_class *elem)
{
    xv_list *l = arena_alloc(a, sizeof *l);
    if (l) {
        l->flavor = flavor;
        l->elem = elem;
    }
    return l;
}

int xv_list_push_in(arena *a, xv_list *l, xv v)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        xv *ni = arena_realloc(a, l->items, l->cap * sizeof *ni, nc * sizeof *ni);
        if (!ni)
            return -1;
        l->items = ni;
        l->cap = nc;
    }
    l->items[l->n++] = v;
    return 0;
}

xv_dict *xv_dict_new_in(arena *a, bool ci)
{
    xv_dict *d = arena_alloc(a, sizeof *d);
    if (d)
        d->ci = ci;
    return d;
}

static long dict_find(const xv_dict *d, str key)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->keys[i].len == key.len &&
            (d->ci ? str_ieq(d->keys[i], key) : str_eq(d->keys[i], key)))
            return (long)i;
    return -1;
}

int xv_dict_set_in(arena *a, xv_dict *d, str key, xv v)
{
    long i = dict_find(d, key);
    if (i >= 0) {
        d->vals[i] = v;
        return 0;
    }
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 8;
        str *nk = arena_realloc(a, d->keys, d->cap * sizeof *nk, nc * sizeof *nk);
        xv *nv = nk ? arena_realloc(a, d->vals, d->cap * sizeof *nv, nc * sizeof *nv) : NULL;
        if (!nv)
            return -1;
        d->keys = nk;
        d->vals = nv;
        d->cap = nc;
    }
    str k = arena_str(a, key);
    if (!k.ptr)
        return -1;
    d->keys[d->n] = k;
    d->vals[d->n++] = v;
    return 0;
}

xv_list *xv_list_new(expr_env *env, uint8_t flavor, const xv_class *elem)
{
    xv_list *l = xv_list_new_in(env->a, flavor, elem);
    if (!l)
        oom(env);
    return l;
}

int xv_list_push(expr_env *env, xv_list *l, xv v)
{
    return xv_list_push_in(env->a, l, v) < 0 ? oom(env) : 0;
}

xv_dict *xv_dict_new(expr_env *env, bool ci)
{
    xv_dict *d = xv_dict_new_in(env->a, ci);
    if (!d)
        oom(env);
    return d;
}

int xv_dict_set(expr_env *env, xv_dict *d, str key, xv v)
{
    return xv_dict_set_in(env->a, d, key, v) < 0 ? oom(env) : 0;
}

xv *xv_dict_get(const xv_dict *d, str key)
{
    long i = dict_find(d, key);
    return i >= 0 ? &d->vals[i] : NULL;
}

bool xv_dict_remove(xv_dict *d, str key)
{
    long i = dict_find(d, key);
    if (i < 0)
        return false;
    memmove(&d->keys[i], &d->keys[i + 1], (d->n - (size_t)i - 1) * sizeof *d->keys);
    memmove(&d->vals[i], &d->vals[i + 1], (d->n - (size_t)i - 1) * sizeof *d->vals);
    d->n--;
    return true;
}

/* ---- classes and names ---- */

const xv_class *xv_class_of(xv v)
{
    switch ((xv_kind)v.kind) {
    case XV_NULL:
        return &expr_class_object;
    case XV_BOOL:
        return &expr_class_bool;
    case XV_INT:
        return v.sub == XV_SUB_INT64  ? &expr_class_long
               : v.sub == XV_SUB_BYTE ? &expr_class_byte
                                      : &expr_class_int;
    case XV_DOUBLE:
        return v.sub == XV_SUB_FLOAT     ? &expr_class_float
               : v.sub == XV_SUB_DECIMAL ? &expr_class_decimal
                                         : &expr_class_double;
    case XV_CHAR:
        return &expr_class_char;
    case XV_STR:
        return &expr_class_string;
    case XV_BYTES:
        return &expr_class_bytes;
    case XV_DATETIME:
        return v.sub == XV_SUB_DTO ? &expr_class_datetimeoffset : &expr_class_datetime;
    case XV_TIMESPAN:
        return &expr_class_timespan;
    case XV_GUID:
        return &expr_class_guid;
    case XV_JSON:
        return json_is_object(v.u.j)  ? &expr_class_jobject
               : json_is_array(v.u.j) ? &expr_class_jarray
                                      : &expr_class_jvalue;
    case XV_LIST:
        return &expr_class_list;
    case XV_DICT:
        return &expr_class_dict;
    case XV_OBJ:
        return v.u.obj.cls;
    case XV_LAMBDA:
        return &expr_class_lambda;
    case XV_ENUM:
        return v.u.en.type;
    }
    return &expr_class_object;
}

const char *xv_type_name(xv v)
{
    switch ((xv_kind)v.kind) {
    case XV_NULL:
        return "null";
    case XV_BOOL:
        return "bool";
    case XV_INT:
        return v.sub == XV_SUB_INT64 ? "long" : v.sub == XV_SUB_BYTE ? "byte" : "int";
    case XV_DOUBLE:
        return v.sub == XV_SUB_FLOAT ? "float" : v.sub == XV_SUB_DECIMAL ? "decimal" : "double";
    case XV_CHAR:
        return "char";
    case XV_STR:
        return "string";
    case XV_BYTES:
        return "byte[]";
    case XV_LIST:
        return v.u.list->flavor == XV_LIST_ARRAY ? "array" : "List";
    case XV_LAMBDA:
        return "lambda";
    case XV_OBJ:
        if (v.u.obj.cls == &expr_class_exception)
            return ((const expr_exc *)v.u.obj.ptr)->type;
        return v.u.obj.cls->name;
    default:
        return xv_class_of(v)->name;
    }
}

/* ---- ToString ---- */

/* .NET Core 3+ double.ToString(): the shortest round-trip digits, scientific notation when
 * the exponent is >= 15 (7 for float) beyond the digits or the value is below 1e-5. */
static void format_double(double d, bool flt, char *out, size_t cap)
{
    if (isnan(d)) {
        snprintf(out, cap, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(out, cap, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (d == 0) {
        snprintf(out, cap, signbit(d) ? "-0" : "0");
        return;
    }
    char e[48];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, d);
        double back = strtod(e, NULL);
        if (flt ? (float)back == (float)d : back == d)
            break;
    }
    char digits[24];
    size_t nd = 0;
    const char *p = e;
    bool neg = *p == '-';
    if (neg)
        p++;
    for (; *p && *p != 'e'; p++)
        if (*p != '.' && nd < sizeof digits - 1)
            digits[nd++] = *p;
    int exp10 = *p == 'e' ? atoi(p + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    int scale = exp10 + 1;
    int limit = (int)nd > (flt ? 7 : 15) ? (int)nd : (flt ? 7 : 15);
    size_t k = 0;
    char buf[64];
    if (neg)
        buf[k++] = '-';
    if (scale > limit || scale < -3) {
        buf[k++] = digits[0];
        if (nd > 1) {
            buf[k++] = '.';
            for (size_t i = 1; i < nd; i++)
                buf[k++] = digits[i];
        }
        snprintf(buf + k, sizeof buf - k, "E%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
    } else if (scale <= 0) {
        buf[k++] = '0';
        buf[k++] = '.';
        for (int i = 0; i < -scale; i++)
            buf[k++] = '0';
        for (size_t i = 0; i < nd; i++)
            buf[k++] = digits[i];
        buf[k] = '\0';
    } else {
        for (int i = 0; i < scale || i < (int)nd; i++) {
            if (i == scale)
                buf[k++] = '.';
            buf[k++] = i < (int)nd ? digits[i] : '0';
        }
        buf[k] = '\0';
    }
    snprintf(out, cap, "%s", buf);
}

int expr_double_to_string(expr_env *env, double d, str *out)
{
    char buf[64];
    format_double(d, false, buf, sizeof buf);
    char *s = arena_strdup(env->a, buf);
    if (!s)
        return oom(env);
    *out = str_from(s);
    return 0;
}

static int utf16_unit_to_string(expr_env *env, uint16_t ch, str *out)
{
    char *s = arena_alloc(env->a, 4);
    if (!s)
        return oom(env);
    size_t n;
    if (ch < 0x80) {
        s[0] = (char)ch;
        n = 1;
    } else if (ch < 0x800) {
        s[0] = (char)(0xC0 | (ch >> 6));
        s[1] = (char)(0x80 | (ch & 0x3F));
        n = 2;
    } else {
        s[0] = (char)(0xE0 | (ch >> 12));
        s[1] = (char)(0x80 | ((ch >> 6) & 0x3F));
        s[2] = (char)(0x80 | (ch & 0x3F));
        n = 3;
    }
    *out = (str){ s, n };
    return 0;
}

static int anon_to_string(expr_env *env, const expr_anon *an, str *out)
{
    char *acc = arena_strdup(env->a, "{");
    for (uint32_t i = 0; acc && i < an->n; i++) {
        str v = STR_LIT("");
        if (!xv_is_null(an->vals[i]) && xv_to_string(env, an->vals[i], &v) < 0)
            return -1;
        acc = arena_sprintf(env->a, "%s%s %.*s = %.*s", acc, i ? "," : "", STR_FMT(an->names[i]),
                            STR_FMT(v));
    }
    acc = acc ? arena_sprintf(env->a, "%s }", acc) : NULL;
    if (!acc)
        return oom(env);
    *out = str_from(acc);
    return 0;
}

static int json_value_to_string(expr_env *env, json_t *j, str *out)
{
    char buf[64];
    switch (json_typeof(j)) {
    case JSON_STRING:
        *out = (str){ json_string_value(j), json_string_length(j) };
        return 0;
    case JSON_INTEGER:
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(j));
        break;
    case JSON_REAL:
        format_double(json_real_value(j), false, buf, sizeof buf);
        break;
    case JSON_TRUE:
        *out = STR_LIT("True");
        return 0;
    case JSON_FALSE:
        *out = STR_LIT("False");
        return 0;
    case JSON_NULL:
        *out = STR_LIT("");
        return 0;
    default:
        return expr_json_to_string(env, j, true, out);
    }
    char *s = arena_strdup(env->a, buf);
    if (!s)
        return oom(env);
    *out = str_from(s);
    return 0;
}

static int obj_to_string(expr_env *env, xv v, str *out)
{
    const xv_class *c = v.u.obj.cls;
    if (c == &expr_class_anon)
        return anon_to_string(env, v.u.obj.ptr, out);
    if (c == &expr_class_exception) {
        const expr_exc *e = v.u.obj.ptr;
        const char *s = arena_sprintf(env->a, "System.%s: %s", e->type, e->message);
        if (!s)
            return oom(env);
        *out = str_from(s);
        return 0;
    }
    if (c == &expr_class_type) {
        *out = str_from((const char *)v.u.obj.ptr);
        return 0;
    }
    const xv_method *m = expr_find_own_method(c, STR_LIT("ToString"), 0);
    if (m) {
        xv_call call = { .env = env, .self = v };
        xv r;
        if (m->fn(&call, &r) < 0)
            return -1;
        if (r.kind == XV_STR) {
            *out = r.u.s;
            return 0;
        }
    }
    *out = str_from(c->name);
    return 0;
}

int xv_to_string(expr_env *env, xv v, str *out)
{
    char buf[64];
    switch ((xv_kind)v.kind) {
    case XV_NULL:
        *out = STR_LIT("");
        return 0;
    case XV_BOOL:
        *out = v.u.b ? STR_LIT("True") : STR_LIT("False");
        return 0;
    case XV_INT:
        snprintf(buf, sizeof buf, "%lld", (long long)v.u.i);
        break;
    case XV_DOUBLE:
        format_double(v.u.d, v.sub == XV_SUB_FLOAT, buf, sizeof buf);
        break;
    case XV_CHAR:
        return utf16_unit_to_string(env, v.u.ch, out);
    case XV_STR:
        *out = v.u.s;
        return 0;
    case XV_BYTES:
        *out = STR_LIT("System.Byte[]");
        return 0;
    case XV_DATETIME:
        return expr_datetime_to_string(env, v, STR_NULL, out);
    case XV_TIMESPAN:
        return expr_timespan_to_string(env, v.u.i, STR_NULL, out);
    case XV_GUID:
        return expr_guid_to_string(env, v.u.guid, STR_NULL, out);
    case XV_JSON:
        return json_value_to_string(env, v.u.j, out);
    case XV_LIST:
        *out = v.u.list->flavor == XV_LIST_ARRAY ? STR_LIT("System.Object[]")
                                                 : STR_LIT("System.Collections.Generic.List`1");
        return 0;
    case XV_DICT:
        *out = STR_LIT("System.Collections.Generic.Dictionary`2");
        return 0;
    case XV_OBJ:
        return obj_to_string(env, v, out);
    case XV_LAMBDA:
        *out = STR_LIT("System.Func`2");
        return 0;
    case XV_ENUM: {
        const char *name = expr_enum_name(v.u.en.type, v.u.en.v);
        if (name) {
            *out = str_from(name);
            return 0;
        }
        snprintf(buf, sizeof buf, "%lld", (long long)v.u.en.v);
        break;
    }
    default:
        *out = STR_LIT("");
        return 0;
    }
    char *s = arena_strdup(env->a, buf);
    if (!s)
        return oom(env);
    *out = str_from(s);
    return 0;
}

/* ---- equality and ordering ---- */

/* JValue primitives as plain values for comparisons (no allocation: strings borrow). */
static xv prim(xv v)
{
    if (v.kind != XV_JSON)
        return v;
    json_t *j = v.u.j;
    switch (json_typeof(j)) {
    case JSON_STRING:
        return xv_str((str){ json_string_value(j), json_string_length(j) });
    case JSON_INTEGER:
        return xv_long(json_integer_value(j));
    case JSON_REAL:
        return xv_double(json_real_value(j));
    case JSON_TRUE:
        return xv_bool(true);
    case JSON_FALSE:
        return xv_bool(false);
    default:
        return v;
    }
}

static bool is_numeric(xv v)
{
    return v.kind == XV_INT || v.kind == XV_DOUBLE || v.kind == XV_CHAR;
}

static double num(xv v)
{
    return v.kind == XV_DOUBLE ? v.u.d : v.kind == XV_CHAR ? (double)v.u.ch : (double)v.u.i;
}

bool xv_equals(xv a, xv b)
{
    if (a.kind == XV_JSON && b.kind == XV_JSON)
        return a.u.j == b.u.j || (json_typeof(a.u.j) != JSON_OBJECT &&
                                  json_typeof(a.u.j) != JSON_ARRAY && json_equal(a.u.j, b.u.j));
    if (a.kind == XV_JSON || b.kind == XV_JSON) {
        if (xv_is_null(a) || xv_is_null(b))
            return false;
        a = prim(a);
        b = prim(b);
        if (a.kind == XV_JSON || b.kind == XV_JSON)
            return false;
    }
    if (xv_is_null(a) || xv_is_null(b))
        return xv_is_null(a) && xv_is_null(b);
    if (is_numeric(a) && is_numeric(b)) {
        if (a.kind != XV_DOUBLE && b.kind != XV_DOUBLE)
            return (a.kind == XV_CHAR ? a.u.ch : a.u.i) == (b.kind == XV_CHAR ? b.u.ch : b.u.i);
        return num(a) == num(b);
    }
    if (a.kind != b.kind)
        return false;
    switch ((xv_kind)a.kind) {
    case XV_BOOL:
        return a.u.b == b.u.b;
    case XV_STR:
        return str_eq(a.u.s, b.u.s);
    case XV_BYTES:
        return a.u.s.ptr == b.u.s.ptr && a.u.s.len == b.u.s.len;
    case XV_DATETIME:
        return a.u.dt.ticks == b.u.dt.ticks;
    case XV_TIMESPAN:
        return a.u.i == b.u.i;
    case XV_GUID:
        return memcmp(a.u.guid, b.u.guid, 16) == 0;
    case XV_LIST:
        return a.u.list == b.u.list;
    case XV_DICT:
        return a.u.dict == b.u.dict;
    case XV_OBJ:
        return a.u.obj.cls == b.u.obj.cls && a.u.obj.ptr == b.u.obj.ptr;
    case XV_LAMBDA:
        return a.u.fn.fn == b.u.fn.fn && a.u.fn.frame == b.u.fn.frame;
    case XV_ENUM:
        return a.u.en.type == b.u.en.type && a.u.en.v == b.u.en.v;
    default:
        return false;
    }
}

static int sign(double d)
{
    return d < 0 ? -1 : d > 0 ? 1 : 0;
}

int xv_compare(xv a, xv b)
{
    a = prim(a);
    b = prim(b);
    if (xv_is_null(a) || xv_is_null(b))
        return xv_is_null(a) && xv_is_null(b) ? 0 : xv_is_null(a) ? -1 : 1;
    if (is_numeric(a) && is_numeric(b)) {
        if (a.kind != XV_DOUBLE && b.kind != XV_DOUBLE) {
            int64_t x = a.kind == XV_CHAR ? a.u.ch : a.u.i;
            int64_t y = b.kind == XV_CHAR ? b.u.ch : b.u.i;
            return x < y ? -1 : x > y;
        }
        return sign(num(a) - num(b));
    }
    if (a.kind != b.kind)
        return -2;
    switch ((xv_kind)a.kind) {
    case XV_BOOL:
        return (int)a.u.b - (int)b.u.b;
    case XV_STR: {
        int c = str_cmp(a.u.s, b.u.s);
        return c < 0 ? -1 : c > 0;
    }
    case XV_DATETIME:
        return a.u.dt.ticks < b.u.dt.ticks ? -1 : a.u.dt.ticks > b.u.dt.ticks;
    case XV_TIMESPAN:
        return a.u.i < b.u.i ? -1 : a.u.i > b.u.i;
    case XV_GUID: {
        int c = memcmp(a.u.guid, b.u.guid, 16);
        return c < 0 ? -1 : c > 0;
    }
    case XV_ENUM:
        return a.u.en.v < b.u.en.v ? -1 : a.u.en.v > b.u.en.v;
    default:
        return -2;
    }
}
