/* Conversions: casts / as / is (xv_convert), JSON in and out, enumeration, eval output. */
#include <math.h>
#include <stdio.h>
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

/* ---- JSON ---- */

/* Newtonsoft's ISO 8601 form: 2026-01-01T00:00:00Z, fraction without trailing zeros. */
static json_t *datetime_json(xv v)
{
    int64_t ticks = v.u.dt.ticks;
    int64_t days = ticks / 864000000000LL, rem = ticks % 864000000000LL;
    /* days since 0001-01-01 -> civil date (Howard Hinnant's algorithm, epoch shifted) */
    int64_t z = days - 719162 + 719468; /* to days since 0000-03-01 from 1970 base */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    int64_t secs = rem / 10000000, frac = rem % 10000000;
    char buf[64], fr[16] = "";
    if (frac) {
        snprintf(fr, sizeof fr, ".%07lld", (long long)frac);
        size_t n = strlen(fr);
        while (n > 1 && fr[n - 1] == '0')
            fr[--n] = '\0';
    }
    const char *zone = v.sub == XV_SUB_DTO          ? "+00:00"
                       : v.u.dt.kind == XV_DT_UTC   ? "Z"
                       : v.u.dt.kind == XV_DT_LOCAL ? "+00:00"
                                                    : "";
    snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld%s%s", (long long)y,
             (long long)m, (long long)d, (long long)(secs / 3600), (long long)(secs / 60 % 60),
             (long long)(secs % 60), fr, zone);
    return json_string(buf);
}

static json_t *string_json(str s)
{
    return json_stringn_nocheck(s.ptr ? s.ptr : "", s.len);
}

json_t *xv_to_json(expr_env *env, xv v)
{
    str s;
    json_t *j = NULL;
    switch ((xv_kind)v.kind) {
    case XV_NULL:
        return json_null();
    case XV_BOOL:
        return json_boolean(v.u.b);
    case XV_INT:
        return json_integer(v.u.i);
    case XV_DOUBLE:
        return json_real(v.u.d);
    case XV_STR:
        return string_json(v.u.s);
    case XV_JSON:
        return json_incref(v.u.j);
    case XV_DATETIME:
        return datetime_json(v);
    case XV_ENUM:
        return json_integer(v.u.en.v);
    case XV_LAMBDA:
        return json_null();
    case XV_BYTES: {
        static const char b64[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t n = v.u.s.len, k = 0;
        char *o = arena_alloc(env->a, (n + 2) / 3 * 4 + 1);
        const unsigned char *p = (const unsigned char *)v.u.s.ptr;
        if (!o)
            break;
        for (size_t i = 0; i < n; i += 3) {
            uint32_t x = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                         (i + 2 < n ? p[i + 2] : 0);
            o[k++] = b64[x >> 18];
            o[k++] = b64[(x >> 12) & 63];
            o[k++] = i + 1 < n ? b64[(x >> 6) & 63] : '=';
            o[k++] = i + 2 < n ? b64[x & 63] : '=';
        }
        return json_stringn(o, k);
    }
    case XV_LIST:
        j = json_array();
        for (size_t i = 0; j && i < v.u.list->n; i++) {
            json_t *item = xv_to_json(env, v.u.list->items[i]);
            if (!item || json_array_append_new(j, item) < 0) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    case XV_DICT:
        j = json_object();
        for (size_t i = 0; j && i < v.u.dict->n; i++) {
            json_t *item = xv_to_json(env, v.u.dict->vals[i]);
            str k = v.u.dict->keys[i];
            if (!item || json_object_setn_new_nocheck(j, k.ptr, k.len, item) < 0) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    case XV_OBJ:
        if (v.u.obj.cls == &expr_class_anon) {
            const expr_anon *an = v.u.obj.ptr;
            j = json_object();
            for (uint32_t i = 0; j && i < an->n; i++) {
                json_t *item = xv_to_json(env, an->vals[i]);
                if (!item ||
                    json_object_setn_new_nocheck(j, an->names[i].ptr, an->names[i].len, item) < 0) {
                    json_decref(j);
                    return NULL;
                }
            }
            return j;
        }
        break;
    default:
        break;
    }
    if (xv_to_string(env, v, &s) < 0)
        return NULL;
    return string_json(s);
}

int xv_from_jvalue(expr_env *env, json_t *j, xv *out)
{
    if (!j) {
        *out = xv_null();
        return 0;
    }
    switch (json_typeof(j)) {
    case JSON_STRING:
        return xv_str_copy(env, json_string_value(j), json_string_length(j), out);
    case JSON_INTEGER:
        *out = xv_long(json_integer_value(j));
        return 0;
    case JSON_REAL:
        *out = xv_double(json_real_value(j));
        return 0;
    case JSON_TRUE:
    case JSON_FALSE:
        *out = xv_bool(json_is_true(j));
        return 0;
    case JSON_NULL:
        *out = xv_null();
        return 0;
    default:
        return xv_json(env, json_incref(j), out);
    }
}

json_t *expr_eval_json(expr_env *env, xv v)
{
    str s;
    json_t *j;
    switch ((xv_kind)v.kind) {
    case XV_CHAR:
        if (xv_to_string(env, v, &s) < 0)
            return NULL;
        return string_json(s);
    case XV_DOUBLE:
        if (!isfinite(v.u.d)) {
            if (xv_to_string(env, v, &s) < 0)
                return NULL;
            return string_json(s);
        }
        return json_real(v.u.d);
    case XV_LIST:
        j = json_array();
        for (size_t i = 0; j && i < v.u.list->n; i++) {
            json_t *item = expr_eval_json(env, v.u.list->items[i]);
            if (!item || json_array_append_new(j, item) < 0) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    case XV_DICT:
        j = json_object();
        for (size_t i = 0; j && i < v.u.dict->n; i++) {
            json_t *item = expr_eval_json(env, v.u.dict->vals[i]);
            str k = v.u.dict->keys[i];
            if (!item || json_object_setn_new_nocheck(j, k.ptr, k.len, item) < 0) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    case XV_NULL:
    case XV_BOOL:
    case XV_INT:
    case XV_STR:
    case XV_JSON:
        return xv_to_json(env, v);
    default:
        if (xv_to_string(env, v, &s) < 0)
            return NULL;
        return string_json(s);
    }
}

/* ---- is / as / casts ---- */

static bool class_is(const xv_class *c, const xv_class *target)
{
    for (; c; c = c->base)
        if (c == target)
            return true;
    return false;
}

/* Whether v is an instance of t (the `is` test: no conversions). */
static bool is_instance(xv v, const xv_type *t)
{
    const xv_class *c = t->cls;
    if (xv_is_null(v))
        return false;
    if (c == &expr_class_object && t->rank == 0)
        return true;
    if (t->rank > 0) {
        if (c == &expr_class_byte && t->rank == 1)
            return v.kind == XV_BYTES;
        return v.kind == XV_LIST && v.u.list->flavor == XV_LIST_ARRAY;
    }
    if (v.kind == XV_JSON) {
        if (c == &expr_class_jtoken)
            return true;
        return class_is(xv_class_of(v), c);
    }
    if (v.kind == XV_OBJ && v.u.obj.cls == &expr_class_exception)
        return expr_exception_is(((const expr_exc *)v.u.obj.ptr)->type, c);
    if (v.kind == XV_LIST && c == &expr_class_list)
        return v.u.list->flavor != XV_LIST_ARRAY;
    return class_is(xv_class_of(v), c);
}

static bool is_value_class(const xv_class *c)
{
    return c == &expr_class_int || c == &expr_class_long || c == &expr_class_double ||
           c == &expr_class_float || c == &expr_class_decimal || c == &expr_class_bool ||
           c == &expr_class_char || c == &expr_class_byte || c == &expr_class_datetime ||
           c == &expr_class_timespan || c == &expr_class_guid;
}

static int cast_fail(expr_env *env, xv v, const xv_type *t)
{
    return expr_throw(env, "InvalidCastException",
                      "Unable to cast object of type '%s' to type '%s%s'.", xv_type_name(v),
                      t->cls->name, t->rank ? "[]" : "");
}

/* Numeric conversions: (int)1.9 == 1, (double)3 == 3.0, (char)65, (long)int ... */
static int numeric_cast(expr_env *env, xv v, const xv_class *c, xv *out)
{
    if (v.kind == XV_ENUM)
        v = xv_long(v.u.en.v);
    if (v.kind == XV_CHAR)
        v = xv_int(v.u.ch);
    if (v.kind != XV_INT && v.kind != XV_DOUBLE)
        return 1;
    double d = v.kind == XV_DOUBLE ? v.u.d : (double)v.u.i;
    int64_t i = v.u.i;
    if (v.kind == XV_DOUBLE) {
        if (isnan(d) || d >= 9.2233720368547758e18 || d < -9.2233720368547758e18)
            i = INT64_MIN;
        else
            i = (int64_t)d;
    }
    if (c == &expr_class_int) {
        *out = xv_int((int32_t)(uint32_t)(uint64_t)i);
    } else if (c == &expr_class_long) {
        *out = xv_long(i);
    } else if (c == &expr_class_byte) {
        *out = xv_int((uint8_t)i);
        out->sub = XV_SUB_BYTE;
    } else if (c == &expr_class_char) {
        *out = xv_char((uint16_t)i);
    } else if (c == &expr_class_double || c == &expr_class_float || c == &expr_class_decimal) {
        if (c == &expr_class_decimal && v.kind == XV_DOUBLE && !isfinite(d))
            return expr_throw(env, "OverflowException",
                              "Value was either too large or too small for a Decimal.");
        *out = xv_double(c == &expr_class_float ? (double)(float)d : d);
        out->sub = c == &expr_class_float     ? XV_SUB_FLOAT
                   : c == &expr_class_decimal ? XV_SUB_DECIMAL
                                              : XV_SUB_NONE;
    } else {
        return 1;
    }
    return 0;
}

int expr_user_convert(expr_env *env, const xv_class *cls, xv v, const xv_type *t, xv *out)
{
    for (const xv_class *c = cls; c; c = c->base)
        if (c->convert)
            return c->convert(env, v, t, out);
    return 0;
}

int xv_convert(expr_env *env, xv v, const xv_type *t, int mode, xv *out)
{
    if (!t || !t->cls || (t->cls == &expr_class_object && t->rank == 0)) {
        *out = mode == 2 ? xv_bool(!xv_is_null(v)) : v;
        return 0;
    }
    if (mode == 2) {
        *out = xv_bool(is_instance(v, t));
        return 0;
    }
    if (mode == 1) {
        *out = is_instance(v, t) ? v : xv_null();
        return 0;
    }
    const xv_class *c = t->cls;
    if (v.kind == XV_JSON)
        return expr_json_convert(env, v.u.j, t, 1, out);
    if (xv_is_null(v)) {
        if (is_value_class(c) && !t->nullable && t->rank == 0)
            return expr_throw(env, "NullReferenceException",
                              "Object reference not set to an instance of an object.");
        *out = v;
        return 0;
    }
    if (v.kind == XV_OBJ && !is_instance(v, t)) { /* explicit operators of the class */
        int rc = expr_user_convert(env, v.u.obj.cls, v, t, out);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    if (t->rank == 0 && is_value_class(c) && c != &expr_class_bool && c != &expr_class_datetime &&
        c != &expr_class_timespan && c != &expr_class_guid) {
        int rc = numeric_cast(env, v, c, out);
        if (rc <= 0)
            return rc;
        return cast_fail(env, v, t);
    }
    if (t->rank == 0 && (c->flags & XV_CLASS_ENUM) && v.kind == XV_INT) {
        *out = (xv){ .kind = XV_ENUM };
        out->u.en.type = c;
        out->u.en.v = v.u.i;
        return 0;
    }
    if (is_instance(v, t)) {
        *out = v;
        return 0;
    }
    return cast_fail(env, v, t);
}

/* ---- enumeration ---- */

static int enumerate_string(expr_env *env, str s, xv_list *l)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    for (size_t i = 0; i < s.len;) {
        uint32_t cp = p[i];
        size_t n = cp < 0x80 ? 1 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
        if (n > 1) {
            cp &= n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07;
            for (size_t k = 1; k < n && i + k < s.len; k++)
                cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        i += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            if (xv_list_push(env, l, xv_char((uint16_t)(0xD800 + (cp >> 10)))) < 0 ||
                xv_list_push(env, l, xv_char((uint16_t)(0xDC00 + (cp & 0x3FF)))) < 0)
                return -1;
        } else if (xv_list_push(env, l, xv_char((uint16_t)cp)) < 0) {
            return -1;
        }
    }
    return 0;
}

int xv_enumerate(expr_env *env, xv v, xv_list **out)
{
    if (xv_is_null(v))
        return expr_throw(env, "NullReferenceException",
                          "Object reference not set to an instance of an object.");
    for (const xv_class *c = xv_class_of(v); c; c = c->base) {
        if (c->enumerate) {
            xv r;
            if (c->enumerate(env, v, &r) < 0)
                return -1;
            if (r.kind == XV_LIST) {
                *out = r.u.list;
                return 0;
            }
            break;
        }
    }
    xv_list *l;
    switch ((xv_kind)v.kind) {
    case XV_LIST:
        *out = v.u.list;
        return 0;
    case XV_DICT:
        return expr_dict_enumerate(env, v.u.dict, out);
    case XV_JSON:
        return expr_json_enumerate(env, v.u.j, out);
    case XV_STR:
        l = xv_list_new(env, XV_LIST_SEQ, &expr_class_char);
        if (!l || enumerate_string(env, v.u.s, l) < 0)
            return -1;
        *out = l;
        return 0;
    case XV_BYTES:
        l = xv_list_new(env, XV_LIST_SEQ, &expr_class_byte);
        if (!l)
            return -1;
        for (size_t i = 0; i < v.u.s.len; i++) {
            xv b = xv_int((uint8_t)v.u.s.ptr[i]);
            b.sub = XV_SUB_BYTE;
            if (xv_list_push(env, l, b) < 0)
                return -1;
        }
        *out = l;
        return 0;
    default:
        break;
    }
    (void)oom;
    return expr_throw(env, "InvalidCastException", "'%s' is not enumerable", xv_type_name(v));
}
