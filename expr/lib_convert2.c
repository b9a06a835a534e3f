/* The static Convert class: ToInt32/ToInt64/ToDouble/... with .NET conversion rules
 * (banker's rounding of doubles, FormatException/OverflowException/InvalidCastException),
 * base64 and hex. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib1.h"

/* ---- Convert ---- */

static int invalid_cast(expr_env *env, xv v, const char *to)
{
    return expr_throw(env, "InvalidCastException", "Invalid cast from '%s' to '%s'.",
                      xv_type_name(v), to);
}

/* Convert.ToInt32/ToInt64/ToByte/ToDouble/ToDecimal/ToSingle of any value. */
static int convert_num(xv_call *c, int t, xv *out)
{
    xv v = lib1_unjson(c->env, c->args[0]);
    const lib1_numtype *nt = &lib1_numtypes[t];
    if (c->nargs == 2 && nt->kind == XV_INT && v.kind == XV_STR && c->args[1].kind == XV_INT) {
        int64_t base = c->args[1].u.i;
        if (base != 2 && base != 8 && base != 10 && base != 16)
            return expr_throw(c->env, "ArgumentException", "Invalid Base. (Parameter 'fromBase')");
        str s = v.u.s;
        if (base == 16 && s.len > 2 && s.ptr[0] == '0' && (s.ptr[1] | 32) == 'x')
            s = str_make(s.ptr + 2, s.len - 2);
        if (base == 10)
            goto parse10;
        uint64_t u = 0;
        if (!s.len)
            return expr_throw(c->env, "FormatException", "Could not find any recognizable digits.");
        for (size_t i = 0; i < s.len; i++) {
            int ch = (unsigned char)s.ptr[i], d;
            d = ch >= '0' && ch <= '9'                 ? ch - '0'
                : (ch | 32) >= 'a' && (ch | 32) <= 'f' ? (ch | 32) - 'a' + 10
                                                       : 99;
            if (d >= base)
                return expr_throw(c->env, "FormatException",
                                  "Could not find any recognizable digits.");
            if (u > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
                return lib1_num_overflow(c->env, t);
            u = u * (uint64_t)base + (uint64_t)d;
        }
        int64_t r;
        if (t == NT_INT) {
            if (u > 0xFFFFFFFFu)
                return lib1_num_overflow(c->env, t);
            r = (int32_t)(uint32_t)u;
        } else if (t == NT_BYTE) {
            if (u > 0xFF)
                return lib1_num_overflow(c->env, t);
            r = (int64_t)u;
        } else {
            r = (int64_t)u;
        }
        *out = lib1_num_make(t, r, 0);
        return 0;
    }
parse10:
    switch (v.kind) {
    case XV_NULL:
        *out = lib1_num_make(t, 0, 0);
        return 0;
    case XV_BOOL:
        *out = lib1_num_make(t, v.u.b, v.u.b);
        return 0;
    case XV_CHAR:
        if (nt->kind == XV_DOUBLE)
            return invalid_cast(c->env, v, nt->name);
        if (v.u.ch > nt->hi)
            return lib1_num_overflow(c->env, t);
        *out = lib1_num_make(t, v.u.ch, 0);
        return 0;
    case XV_INT:
        if (nt->kind == XV_INT && (v.u.i < nt->lo || v.u.i > nt->hi))
            return lib1_num_overflow(c->env, t);
        *out = lib1_num_make(t, v.u.i, (double)v.u.i);
        return 0;
    case XV_DOUBLE:
        if (nt->kind == XV_INT) {
            double r = lib1_round_even(v.u.d);
            if (isnan(r) || r < (double)nt->lo || r > (double)nt->hi || r >= 9223372036854775808.0)
                return lib1_num_overflow(c->env, t);
            *out = lib1_num_make(t, (int64_t)r, 0);
            return 0;
        }
        if (t == NT_DECIMAL &&
            (!isfinite(v.u.d) || fabs(v.u.d) > 7.9228162514264337593543950335e28))
            return expr_throw(c->env, "OverflowException",
                              "Value was either too large or too small for a Decimal.");
        *out = lib1_num_make(t, 0, v.u.d);
        return 0;
    case XV_STR: {
        int r = lib1_parse_num(t, v.u.s, nt->kind == XV_INT ? 7 : 167 | 64, out);
        if (r == 2)
            return lib1_num_overflow(c->env, t);
        if (r)
            return expr_throw(c->env, "FormatException",
                              "The input string '%.*s' was not in a correct format.",
                              (int)(v.u.s.len > 64 ? 64 : v.u.s.len), v.u.s.ptr);
        return 0;
    }
    default:
        return invalid_cast(c->env, v, nt->name);
    }
}

#define CONVERT_NUM(fn, T)                                                                         \
    static int fn(xv_call *c, xv *out)                                                             \
    {                                                                                              \
        return convert_num(c, T, out);                                                             \
    }
CONVERT_NUM(cv_to_int32, NT_INT)
CONVERT_NUM(cv_to_int64, NT_LONG)
CONVERT_NUM(cv_to_byte, NT_BYTE)
CONVERT_NUM(cv_to_double, NT_DOUBLE)
CONVERT_NUM(cv_to_single, NT_FLOAT)
CONVERT_NUM(cv_to_decimal, NT_DECIMAL)

static int cv_to_int16(xv_call *c, xv *out)
{
    if (convert_num(c, NT_INT, out) < 0)
        return -1;
    if (out->u.i < -32768 || out->u.i > 32767)
        return expr_throw(c->env, "OverflowException",
                          "Value was either too large or too small for an Int16.");
    return 0;
}

static int cv_to_boolean(xv_call *c, xv *out)
{
    xv v = lib1_unjson(c->env, c->args[0]);
    bool b;
    switch (v.kind) {
    case XV_NULL:
        *out = xv_bool(false);
        return 0;
    case XV_BOOL:
        *out = v;
        return 0;
    case XV_INT:
        *out = xv_bool(v.u.i != 0);
        return 0;
    case XV_DOUBLE:
        *out = xv_bool(v.u.d != 0);
        return 0;
    case XV_STR:
        if (lib1_parse_bool(v.u.s, &b))
            return expr_throw(c->env, "FormatException",
                              "String '%.*s' was not recognized as a valid Boolean.",
                              (int)(v.u.s.len > 64 ? 64 : v.u.s.len), v.u.s.ptr);
        *out = xv_bool(b);
        return 0;
    default:
        return invalid_cast(c->env, v, "Boolean");
    }
}

static int cv_to_string(xv_call *c, xv *out)
{
    xv v = lib1_unjson(c->env, c->args[0]);
    str r;
    if (c->nargs == 2 && v.kind == XV_INT && c->args[1].kind == XV_INT) {
        int64_t base = c->args[1].u.i;
        if (base != 2 && base != 8 && base != 10 && base != 16)
            return expr_throw(c->env, "ArgumentException", "Invalid Base. (Parameter 'toBase')");
        if (base == 10)
            return xv_str_printf(c->env, out, "%lld", (long long)v.u.i);
        uint64_t u = (uint64_t)v.u.i;
        if (v.sub == XV_SUB_INT32)
            u &= 0xFFFFFFFFu;
        else if (v.sub == XV_SUB_BYTE)
            u &= 0xFF;
        char tmp[72];
        int n = 0;
        do {
            tmp[n++] = "0123456789abcdef"[u % (uint64_t)base];
            u /= (uint64_t)base;
        } while (u);
        for (int i = 0; i < n / 2; i++) {
            char t = tmp[i];
            tmp[i] = tmp[n - 1 - i];
            tmp[n - 1 - i] = t;
        }
        return xv_str_copy(c->env, tmp, (size_t)n, out);
    }
    if (c->nargs == 2 && c->args[1].kind == XV_STR)
        return expr_format_value(c->env, v, c->args[1].u.s, &r) < 0 ? -1 : (*out = xv_str(r), 0);
    if (v.kind == XV_NULL) {
        *out = xv_str(STR_LIT(""));
        return 0;
    }
    if (xv_to_string(c->env, v, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int cv_to_char(xv_call *c, xv *out)
{
    xv v = lib1_unjson(c->env, c->args[0]);
    if (v.kind == XV_CHAR) {
        *out = v;
        return 0;
    }
    if (v.kind == XV_INT) {
        if (v.u.i < 0 || v.u.i > 0xFFFF)
            return expr_throw(c->env, "OverflowException",
                              "Value was either too large or too small for a character.");
        *out = xv_char((uint16_t)v.u.i);
        return 0;
    }
    if (v.kind == XV_STR) {
        if (lib1_u16_len(v.u.s) != 1)
            return expr_throw(c->env, "FormatException",
                              "String must be exactly one character long.");
        *out = xv_char(lib1_u16_at(v.u.s, 0));
        return 0;
    }
    if (v.kind == XV_NULL) {
        *out = xv_char(0);
        return 0;
    }
    return invalid_cast(c->env, v, "Char");
}

/* Base64 / hex */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int bytes_range(xv_call *c, const char *who, str *b)
{
    if (lib1_bytes(c, 0, who, b) < 0)
        return -1;
    if (c->nargs >= 3 && c->args[1].kind == XV_INT) {
        int64_t off, n;
        if (lib1_int(c, 1, who, &off) < 0 || lib1_int(c, 2, who, &n) < 0)
            return -1;
        if (off < 0 || n < 0 || off + n > (int64_t)b->len)
            return expr_throw(
                c->env, "ArgumentOutOfRangeException",
                "Offset and length must refer to a position in the array. (Parameter 'offset')");
        *b = str_make(b->ptr + off, (size_t)n);
    }
    return 0;
}

static int cv_to_base64(xv_call *c, xv *out)
{
    str b;
    if (bytes_range(c, "Convert.ToBase64String", &b) < 0)
        return -1;
    bool lines =
        c->nargs > 1 && c->args[c->nargs - 1].kind == XV_ENUM && c->args[c->nargs - 1].u.en.v == 1;
    lib1_sb sb;
    lib1_sb_init(&sb, c->env, (b.len + 2) / 3 * 4 + 4);
    const unsigned char *p = (const unsigned char *)b.ptr;
    size_t col = 0;
    for (size_t i = 0; i < b.len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < b.len)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < b.len)
            v |= p[i + 2];
        if (lines && col == 76) {
            lib1_sb_add(&sb, "\r\n", 2);
            col = 0;
        }
        char q[4] = { b64[v >> 18], b64[(v >> 12) & 63], i + 1 < b.len ? b64[(v >> 6) & 63] : '=',
                      i + 2 < b.len ? b64[v & 63] : '=' };
        lib1_sb_add(&sb, q, 4);
        col += 4;
    }
    str r;
    if (lib1_sb_done(&sb, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int b64_val(int ch)
{
    const char *p = ch ? strchr(b64, ch) : NULL;
    return p ? (int)(p - b64) : -1;
}

static int cv_from_base64(xv_call *c, xv *out)
{
    str s;
    if (lib1_str(c, 0, "Convert.FromBase64String", &s, NULL) < 0)
        return -1;
    char *clean = arena_alloc(c->env->a, s.len + 1);
    if (!clean)
        return lib1_oom(c->env);
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        char ch = s.ptr[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
            continue;
        clean[n++] = ch;
    }
    size_t pad = 0;
    while (pad < n && pad < 3 && clean[n - 1 - pad] == '=')
        pad++;
    bool ok = n % 4 == 0 && pad <= 2;
    for (size_t i = 0; ok && i < n - pad; i++)
        ok = b64_val((unsigned char)clean[i]) >= 0;
    if (!ok)
        return expr_throw(
            c->env, "FormatException",
            "The input is not a valid Base-64 string as it contains a non-base 64 character, more "
            "than two padding characters, or an illegal character among the padding characters.");
    char *o = arena_alloc(c->env->a, n / 4 * 3 + 1);
    if (!o)
        return lib1_oom(c->env);
    size_t k = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        for (int j = 0; j < 4; j++)
            v = (v << 6) |
                (uint32_t)(clean[i + j] == '=' ? 0 : b64_val((unsigned char)clean[i + j]));
        o[k++] = (char)(v >> 16);
        if (clean[i + 2] != '=')
            o[k++] = (char)(v >> 8);
        if (clean[i + 3] != '=')
            o[k++] = (char)v;
    }
    *out = xv_bytes(str_make(o, k));
    return 0;
}

static int to_hex(xv_call *c, xv *out, bool lower)
{
    str b;
    if (bytes_range(c, "Convert.ToHexString", &b) < 0)
        return -1;
    char *o = arena_alloc(c->env->a, b.len * 2 + 1);
    if (!o)
        return lib1_oom(c->env);
    const char *dig = lower ? "0123456789abcdef" : "0123456789ABCDEF";
    for (size_t i = 0; i < b.len; i++) {
        o[2 * i] = dig[(unsigned char)b.ptr[i] >> 4];
        o[2 * i + 1] = dig[(unsigned char)b.ptr[i] & 15];
    }
    *out = xv_str(str_make(o, b.len * 2));
    return 0;
}

static int cv_to_hex(xv_call *c, xv *out)
{
    return to_hex(c, out, false);
}

static int cv_to_hex_lower(xv_call *c, xv *out)
{
    return to_hex(c, out, true);
}

static int hexval(int ch)
{
    return ch >= '0' && ch <= '9'                 ? ch - '0'
           : (ch | 32) >= 'a' && (ch | 32) <= 'f' ? (ch | 32) - 'a' + 10
                                                  : -1;
}

static int cv_from_hex(xv_call *c, xv *out)
{
    str s;
    if (lib1_str(c, 0, "Convert.FromHexString", &s, NULL) < 0)
        return -1;
    if (s.len % 2)
        return expr_throw(
            c->env, "FormatException",
            "The input is not a valid hex string as its length is not a multiple of 2.");
    char *o = arena_alloc(c->env->a, s.len / 2 + 1);
    if (!o)
        return lib1_oom(c->env);
    for (size_t i = 0; i < s.len; i += 2) {
        int h = hexval((unsigned char)s.ptr[i]), l = hexval((unsigned char)s.ptr[i + 1]);
        if (h < 0 || l < 0)
            return expr_throw(
                c->env, "FormatException",
                "The input is not a valid hex string as it contains a non-hex character.");
        o[i / 2] = (char)(h * 16 + l);
    }
    *out = xv_bytes(str_make(o, s.len / 2));
    return 0;
}

static int cv_to_datetime(xv_call *c, xv *out)
{
    xv v = lib1_unjson(c->env, c->args[0]);
    if (v.kind == XV_DATETIME) {
        *out = v;
        return 0;
    }
    if (v.kind == XV_NULL) {
        *out = lib1_datetime(0, XV_DT_UNSPECIFIED);
        return 0;
    }
    if (v.kind != XV_STR)
        return invalid_cast(c->env, v, "DateTime");
    const xv_method *m = NULL;
    for (size_t i = 0; i < expr_class_datetime.nsmethods; i++)
        if (strcmp(expr_class_datetime.smethods[i].name, "Parse") == 0)
            m = &expr_class_datetime.smethods[i];
    xv_call pc = *c;
    pc.args = &v;
    pc.nargs = 1;
    return m ? m->fn(&pc, out) : invalid_cast(c->env, v, "DateTime");
}

#define CV(name, fn, mn, mx, ret)                                                                  \
    {                                                                                              \
        name, mn, mx, fn, ret, 0, NULL                                                             \
    }
static const xv_method convert_smethods[] = {
    /* sorted */
    CV("FromBase64String", cv_from_base64, 1, 1, &expr_class_bytes),
    CV("FromHexString", cv_from_hex, 1, 1, &expr_class_bytes),
    CV("ToBase64String", cv_to_base64, 1, 4, &expr_class_string),
    CV("ToBoolean", cv_to_boolean, 1, 2, &expr_class_bool),
    CV("ToByte", cv_to_byte, 1, 2, &expr_class_byte),
    CV("ToChar", cv_to_char, 1, 2, &expr_class_char),
    CV("ToDateTime", cv_to_datetime, 1, 2, &expr_class_datetime),
    CV("ToDecimal", cv_to_decimal, 1, 2, &expr_class_decimal),
    CV("ToDouble", cv_to_double, 1, 2, &expr_class_double),
    CV("ToHexString", cv_to_hex, 1, 3, &expr_class_string),
    CV("ToHexStringLower", cv_to_hex_lower, 1, 3, &expr_class_string),
    CV("ToInt16", cv_to_int16, 1, 2, &expr_class_int),
    CV("ToInt32", cv_to_int32, 1, 2, &expr_class_int),
    CV("ToInt64", cv_to_int64, 1, 2, &expr_class_long),
    CV("ToSingle", cv_to_single, 1, 2, &expr_class_float),
    CV("ToString", cv_to_string, 1, 2, &expr_class_string),
};
static const char *const convert_aliases[] = { "System.Convert", NULL };
const xv_class lib1_class_convert = {
    .name = "Convert",
    .aliases = convert_aliases,
    .flags = XV_CLASS_STATIC,
    .smethods = convert_smethods,
    .nsmethods = sizeof convert_smethods / sizeof convert_smethods[0],
};
