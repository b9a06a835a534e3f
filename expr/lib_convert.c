/* Numeric types (Int32, Int64, Byte, Double, Single, Decimal), Boolean, NumberStyles and the
 * static Convert class. Encodings, byte[], BitConverter and web utilities are in
 * lib_encoding.c; Uri in lib_uri.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib1.h"

/* ---- numeric type descriptors ---- */

const lib1_numtype lib1_numtypes[] = {
    [NT_INT] = { "Int32", &expr_class_int, XV_INT, XV_SUB_INT32, INT32_MIN, INT32_MAX },
    [NT_LONG] = { "Int64", &expr_class_long, XV_INT, XV_SUB_INT64, INT64_MIN, INT64_MAX },
    [NT_BYTE] = { "Byte", &expr_class_byte, XV_INT, XV_SUB_BYTE, 0, 255 },
    [NT_DOUBLE] = { "Double", &expr_class_double, XV_DOUBLE, XV_SUB_NONE, 0, 0 },
    [NT_FLOAT] = { "Single", &expr_class_float, XV_DOUBLE, XV_SUB_FLOAT, 0, 0 },
    [NT_DECIMAL] = { "Decimal", &expr_class_decimal, XV_DOUBLE, XV_SUB_DECIMAL, 0, 0 },
};

xv lib1_num_make(int t, int64_t i, double d)
{
    xv v = { .kind = lib1_numtypes[t].kind, .sub = lib1_numtypes[t].sub };
    if (v.kind == XV_INT)
        v.u.i = i;
    else if (t == NT_FLOAT)
        v.u.d = (double)(float)d;
    else
        v.u.d = d;
    return v;
}

int lib1_num_overflow(expr_env *env, int t)
{
    if (t == NT_BYTE)
        return expr_throw(env, "OverflowException",
                          "Value was either too large or too small for an unsigned byte.");
    return expr_throw(env, "OverflowException",
                      "Value was either too large or too small for %s %s.",
                      t == NT_INT || t == NT_LONG ? "an" : "a", lib1_numtypes[t].name);
}

static const int64_t NS_HEX = 512, NS_THOUSANDS = 64;

/* Parses s as type t. 0 ok, 1 format error, 2 overflow. */
int lib1_parse_num(int t, str s, int64_t styles, xv *out)
{
    if (lib1_numtypes[t].kind == XV_INT) {
        int64_t v;
        int r = lib1_parse_int(s, lib1_numtypes[t].lo, lib1_numtypes[t].hi,
                               (styles & NS_THOUSANDS) != 0, (styles & NS_HEX) != 0, &v);
        if (r == 1 && !(styles & NS_HEX)) {
            /* "1.0" parses with AllowDecimalPoint when the fraction is zero */
            double d;
            if ((styles & 32) && lib1_parse_double(s, &d) == 0 && d == floor(d)) {
                if (d < (double)lib1_numtypes[t].lo || d > (double)lib1_numtypes[t].hi)
                    return 2;
                v = (int64_t)d;
                r = 0;
            }
        }
        if (r)
            return r;
        *out = lib1_num_make(t, v, 0);
        return 0;
    }
    double d;
    if (lib1_parse_double(s, &d))
        return 1;
    if (t == NT_FLOAT && isfinite(d) && fabs(d) > 3.4028234663852886e38)
        d = d > 0 ? (double)INFINITY : -(double)INFINITY;
    if (t == NT_DECIMAL && (!isfinite(d) || fabs(d) > 7.9228162514264337593543950335e28))
        return 2;
    *out = lib1_num_make(t, 0, d);
    return 0;
}

static int parse_common(xv_call *c, int t, bool try, xv *out)
{
    char who[40];
    snprintf(who, sizeof who, "%s.%s", lib1_numtypes[t].name, try ? "TryParse" : "Parse");
    str s;
    bool isnull;
    if (lib1_str(c, 0, who, &s, &isnull) < 0)
        return -1;
    int64_t styles = 0;
    size_t nin = try ? c->nargs - 1 : c->nargs;
    for (size_t i = 1; i < nin; i++)
        if (lib1_is_enum(c->args[i], &lib1_class_numberstyles))
            styles = c->args[i].u.en.v;
    xv v = lib1_num_make(t, 0, 0);
    int r = isnull ? 3 : lib1_parse_num(t, s, styles, &v);
    if (try) {
        lib1_set_out(c, c->nargs - 1, r ? lib1_num_make(t, 0, 0) : v);
        *out = xv_bool(r == 0);
        return 0;
    }
    if (r == 3)
        return lib1_null_arg(c->env, who, "s");
    if (r == 2)
        return lib1_num_overflow(c->env, t);
    if (r == 1)
        return expr_throw(c->env, "FormatException",
                          "The input string '%.*s' was not in a correct format.",
                          (int)(s.len > 64 ? 64 : s.len), s.ptr);
    *out = v;
    return 0;
}

/* Instance methods shared by all numbers. */
static int num_to_string(xv_call *c, xv *out)
{
    str fmt = STR_NULL, r;
    if (c->nargs > 0 && c->args[0].kind == XV_STR)
        fmt = c->args[0].u.s;
    else if (c->nargs > 0 && c->args[0].kind != XV_OBJ && c->args[0].kind != XV_NULL)
        return lib1_arg_error(c, 0, "ToString", "string");
    if (fmt.len == 0 && c->self.kind == XV_DOUBLE && c->self.sub == XV_SUB_NONE) {
        if (xv_to_string(c->env, c->self, &r) < 0)
            return -1;
    } else if (lib1_format_number(c->env, c->self, fmt, &r) < 0) {
        return -1;
    }
    *out = xv_str(r);
    return 0;
}

static int num_compare_to(xv_call *c, xv *out)
{
    xv o = lib1_unjson(c->env, c->args[0]);
    if (o.kind == XV_NULL) {
        *out = xv_int(1);
        return 0;
    }
    int r = xv_compare(c->self, o);
    if (r == -2)
        return expr_throw(c->env, "ArgumentException", "Object must be of type %s.",
                          xv_type_name(c->self));
    *out = xv_int(r);
    return 0;
}

static int num_equals(xv_call *c, xv *out)
{
    xv o = lib1_unjson(c->env, c->args[0]);
    bool same_kind = o.kind == c->self.kind && o.sub == c->self.sub;
    *out = xv_bool(same_kind && xv_equals(c->self, o));
    return 0;
}

static int num_hash(xv_call *c, xv *out)
{
    if (c->self.kind == XV_INT) {
        int64_t v = c->self.u.i;
        *out = xv_int(c->self.sub == XV_SUB_INT64
                          ? (int32_t)((uint32_t)v ^ (uint32_t)((uint64_t)v >> 32))
                          : (int32_t)v);
        return 0;
    }
    uint64_t bits;
    double d = c->self.u.d;
    memcpy(&bits, &d, sizeof bits);
    *out = xv_int((int32_t)((uint32_t)bits ^ (uint32_t)(bits >> 32)));
    return 0;
}

static const xv_method num_methods[] = {
    { "CompareTo", 1, 1, num_compare_to, &expr_class_int, 0, NULL },
    { "Equals", 1, 1, num_equals, &expr_class_bool, 0, NULL },
    { "GetHashCode", 0, 0, num_hash, &expr_class_int, 0, NULL },
    { "ToString", 0, 2, num_to_string, &expr_class_string, 0, NULL },
};

/* Per-type statics generated from one template. */
#define NUM_STATICS(pfx, T, CLS, MAXI, MINI, MAXD, MIND)                                           \
    static int pfx##_parse(xv_call *c, xv *out)                                                    \
    {                                                                                              \
        return parse_common(c, T, false, out);                                                     \
    }                                                                                              \
    static int pfx##_try_parse(xv_call *c, xv *out)                                                \
    {                                                                                              \
        return parse_common(c, T, true, out);                                                      \
    }                                                                                              \
    static int pfx##_max(expr_env *env, xv self, xv *out)                                          \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = lib1_num_make(T, MAXI, MAXD);                                                       \
        return 0;                                                                                  \
    }                                                                                              \
    static int pfx##_min(expr_env *env, xv self, xv *out)                                          \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = lib1_num_make(T, MINI, MIND);                                                       \
        return 0;                                                                                  \
    }                                                                                              \
    __attribute__((unused)) static const xv_method pfx##_smethods[] = {                            \
        { "Parse", 1, 3, pfx##_parse, CLS, 0, NULL },                                              \
        { "TryParse", 2, 4, pfx##_try_parse, &expr_class_bool, XV_M_OUT_LAST, NULL },              \
    };

NUM_STATICS(int32, NT_INT, &expr_class_int, INT32_MAX, INT32_MIN, 0, 0)
NUM_STATICS(int64, NT_LONG, &expr_class_long, INT64_MAX, INT64_MIN, 0, 0)
NUM_STATICS(byte, NT_BYTE, &expr_class_byte, 255, 0, 0, 0)
NUM_STATICS(dbl, NT_DOUBLE, &expr_class_double, 0, 0, 1.7976931348623157e308,
            -1.7976931348623157e308)
NUM_STATICS(flt, NT_FLOAT, &expr_class_float, 0, 0, 3.4028234663852886e38, -3.4028234663852886e38)
NUM_STATICS(dec, NT_DECIMAL, &expr_class_decimal, 0, 0, 7.9228162514264337593543950335e28,
            -7.9228162514264337593543950335e28)

#define MINMAX(pfx, CLS)                                                                           \
    static const xv_member pfx##_smembers[] = {                                                    \
        { "MaxValue", pfx##_max, CLS, 0, NULL },                                                   \
        { "MinValue", pfx##_min, CLS, 0, NULL },                                                   \
    };
MINMAX(int32, &expr_class_int)
MINMAX(int64, &expr_class_long)
MINMAX(byte, &expr_class_byte)

static int dbl_nan(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_double((double)NAN);
    return 0;
}
static int dbl_pinf(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_double((double)INFINITY);
    return 0;
}
static int dbl_ninf(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_double(-(double)INFINITY);
    return 0;
}
static int dbl_eps(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_double(4.94065645841246544e-324);
    return 0;
}
static const xv_member dbl_smembers[] = {
    { "Epsilon", dbl_eps, &expr_class_double, 0, NULL },
    { "MaxValue", dbl_max, &expr_class_double, 0, NULL },
    { "MinValue", dbl_min, &expr_class_double, 0, NULL },
    { "NaN", dbl_nan, &expr_class_double, 0, NULL },
    { "NegativeInfinity", dbl_ninf, &expr_class_double, 0, NULL },
    { "PositiveInfinity", dbl_pinf, &expr_class_double, 0, NULL },
};
MINMAX(flt, &expr_class_float)

static int dec_zero(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = lib1_num_make(NT_DECIMAL, 0, 0);
    return 0;
}
static int dec_one(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = lib1_num_make(NT_DECIMAL, 0, 1);
    return 0;
}
static const xv_member dec_smembers[] = {
    { "MaxValue", dec_max, &expr_class_decimal, 0, NULL },
    { "MinValue", dec_min, &expr_class_decimal, 0, NULL },
    { "One", dec_one, &expr_class_decimal, 0, NULL },
    { "Zero", dec_zero, &expr_class_decimal, 0, NULL },
};

/* Double.IsNaN & co. */
#define DBL_PRED(fn, expr)                                                                         \
    static int fn(xv_call *c, xv *out)                                                             \
    {                                                                                              \
        double d;                                                                                  \
        if (lib1_num(c, 0, "Double." #fn, &d) < 0)                                                 \
            return -1;                                                                             \
        *out = xv_bool(expr);                                                                      \
        return 0;                                                                                  \
    }
DBL_PRED(IsNaN, isnan(d))
DBL_PRED(IsInfinity, isinf(d))
DBL_PRED(IsPositiveInfinity, isinf(d) && d > 0)
DBL_PRED(IsNegativeInfinity, isinf(d) && d < 0)
DBL_PRED(IsFinite, isfinite(d))

static const xv_method dbl_smethods_all[] = {
    { "IsFinite", 1, 1, IsFinite, &expr_class_bool, 0, NULL },
    { "IsInfinity", 1, 1, IsInfinity, &expr_class_bool, 0, NULL },
    { "IsNaN", 1, 1, IsNaN, &expr_class_bool, 0, NULL },
    { "IsNegativeInfinity", 1, 1, IsNegativeInfinity, &expr_class_bool, 0, NULL },
    { "IsPositiveInfinity", 1, 1, IsPositiveInfinity, &expr_class_bool, 0, NULL },
    { "Parse", 1, 3, dbl_parse, &expr_class_double, 0, NULL },
    { "TryParse", 2, 4, dbl_try_parse, &expr_class_bool, XV_M_OUT_LAST, NULL },
};

#define NUM_CLASS(var, nm, pfx, smeth, ...)                                                        \
    static const char *const pfx##_aliases[] = { __VA_ARGS__, NULL };                              \
    const xv_class var = {                                                                         \
        .name = nm,                                                                                \
        .aliases = pfx##_aliases,                                                                  \
        .base = &expr_class_object,                                                                \
        .methods = num_methods,                                                                    \
        .nmethods = sizeof num_methods / sizeof num_methods[0],                                    \
        .smembers = pfx##_smembers,                                                                \
        .nsmembers = sizeof pfx##_smembers / sizeof pfx##_smembers[0],                             \
        .smethods = smeth,                                                                         \
        .nsmethods = sizeof smeth / sizeof smeth[0],                                               \
    };

NUM_CLASS(expr_class_int, "Int32", int32, int32_smethods, "int", "System.Int32")
NUM_CLASS(expr_class_long, "Int64", int64, int64_smethods, "long", "System.Int64")
NUM_CLASS(expr_class_byte, "Byte", byte, byte_smethods, "byte", "System.Byte")
NUM_CLASS(expr_class_double, "Double", dbl, dbl_smethods_all, "double", "System.Double")
NUM_CLASS(expr_class_float, "Single", flt, flt_smethods, "float", "System.Single")
NUM_CLASS(expr_class_decimal, "Decimal", dec, dec_smethods, "decimal", "System.Decimal")

/* ---- Boolean ---- */

/* "true"/"false" with white space (and NULs) trimmed, case-insensitive. */
int lib1_parse_bool(str s, bool *out)
{
    s = str_trim(s);
    if (str_ieq(s, STR_LIT("true")))
        *out = true;
    else if (str_ieq(s, STR_LIT("false")))
        *out = false;
    else
        return 1;
    return 0;
}

static int bool_parse_common(xv_call *c, bool try, xv *out)
{
    str s;
    bool isnull, b = false;
    if (lib1_str(c, 0, try ? "Boolean.TryParse" : "Boolean.Parse", &s, &isnull) < 0)
        return -1;
    int r = isnull ? 1 : lib1_parse_bool(s, &b);
    if (try) {
        lib1_set_out(c, 1, xv_bool(b));
        *out = xv_bool(r == 0);
        return 0;
    }
    if (isnull)
        return lib1_null_arg(c->env, "Boolean.Parse", "value");
    if (r)
        return expr_throw(c->env, "FormatException",
                          "String '%.*s' was not recognized as a valid Boolean.",
                          (int)(s.len > 64 ? 64 : s.len), s.ptr);
    *out = xv_bool(b);
    return 0;
}

static int bool_parse(xv_call *c, xv *out)
{
    return bool_parse_common(c, false, out);
}

static int bool_try_parse(xv_call *c, xv *out)
{
    return bool_parse_common(c, true, out);
}

static int bool_to_string(xv_call *c, xv *out)
{
    *out = xv_str(c->self.u.b ? STR_LIT("True") : STR_LIT("False"));
    return 0;
}

static int bool_compare_to(xv_call *c, xv *out)
{
    bool o;
    if (lib1_bool(c, 0, "Boolean.CompareTo", &o) < 0)
        return -1;
    *out = xv_int((int)c->self.u.b - (int)o);
    return 0;
}

static int bool_equals(xv_call *c, xv *out)
{
    xv o = lib1_unjson(c->env, c->args[0]);
    *out = xv_bool(o.kind == XV_BOOL && o.u.b == c->self.u.b);
    return 0;
}

static int bool_hash(xv_call *c, xv *out)
{
    *out = xv_int(c->self.u.b);
    return 0;
}

static int bool_true_string(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_str(STR_LIT("True"));
    return 0;
}

static int bool_false_string(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_str(STR_LIT("False"));
    return 0;
}

static const xv_method bool_methods[] = {
    { "CompareTo", 1, 1, bool_compare_to, &expr_class_int, 0, NULL },
    { "Equals", 1, 1, bool_equals, &expr_class_bool, 0, NULL },
    { "GetHashCode", 0, 0, bool_hash, &expr_class_int, 0, NULL },
    { "ToString", 0, 1, bool_to_string, &expr_class_string, 0, NULL },
};
static const xv_method bool_smethods[] = {
    { "Parse", 1, 1, bool_parse, &expr_class_bool, 0, NULL },
    { "TryParse", 2, 2, bool_try_parse, &expr_class_bool, XV_M_OUT_LAST, NULL },
};
static const xv_member bool_smembers[] = {
    { "FalseString", bool_false_string, &expr_class_string, 0, NULL },
    { "TrueString", bool_true_string, &expr_class_string, 0, NULL },
};
static const char *const bool_aliases[] = { "bool", "System.Boolean", NULL };
const xv_class expr_class_bool = {
    .name = "Boolean",
    .aliases = bool_aliases,
    .base = &expr_class_object,
    .methods = bool_methods,
    .nmethods = sizeof bool_methods / sizeof bool_methods[0],
    .smembers = bool_smembers,
    .nsmembers = sizeof bool_smembers / sizeof bool_smembers[0],
    .smethods = bool_smethods,
    .nsmethods = sizeof bool_smethods / sizeof bool_smethods[0],
};

/* ---- NumberStyles ---- */

#define NS_CONST(fn, val)                                                                          \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = lib1_enum_val(&lib1_class_numberstyles, val);                                       \
        return 0;                                                                                  \
    }
NS_CONST(ns_allow_currency, 256)
NS_CONST(ns_allow_decimal, 32)
NS_CONST(ns_allow_exponent, 128)
NS_CONST(ns_allow_hex, 512)
NS_CONST(ns_allow_leading_sign, 4)
NS_CONST(ns_allow_leading_white, 1)
NS_CONST(ns_allow_parentheses, 16)
NS_CONST(ns_allow_thousands, 64)
NS_CONST(ns_allow_trailing_sign, 8)
NS_CONST(ns_allow_trailing_white, 2)
NS_CONST(ns_any, 511)
NS_CONST(ns_currency, 383)
NS_CONST(ns_float, 167)
NS_CONST(ns_hex_number, 515)
NS_CONST(ns_integer, 7)
NS_CONST(ns_none, 0)
NS_CONST(ns_number, 111)
#define NST &lib1_class_numberstyles
static const xv_member ns_consts[] = {
    { "AllowCurrencySymbol", ns_allow_currency, NST, 256, NULL },
    { "AllowDecimalPoint", ns_allow_decimal, NST, 32, NULL },
    { "AllowExponent", ns_allow_exponent, NST, 128, NULL },
    { "AllowHexSpecifier", ns_allow_hex, NST, 512, NULL },
    { "AllowLeadingSign", ns_allow_leading_sign, NST, 4, NULL },
    { "AllowLeadingWhite", ns_allow_leading_white, NST, 1, NULL },
    { "AllowParentheses", ns_allow_parentheses, NST, 16, NULL },
    { "AllowThousands", ns_allow_thousands, NST, 64, NULL },
    { "AllowTrailingSign", ns_allow_trailing_sign, NST, 8, NULL },
    { "AllowTrailingWhite", ns_allow_trailing_white, NST, 2, NULL },
    { "Any", ns_any, NST, 511, NULL },
    { "Currency", ns_currency, NST, 383, NULL },
    { "Float", ns_float, NST, 167, NULL },
    { "HexNumber", ns_hex_number, NST, 515, NULL },
    { "Integer", ns_integer, NST, 7, NULL },
    { "None", ns_none, NST, 0, NULL },
    { "Number", ns_number, NST, 111, NULL },
};
static const char *const ns_aliases[] = { "System.Globalization.NumberStyles", NULL };
const xv_class lib1_class_numberstyles = {
    .name = "NumberStyles",
    .aliases = ns_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = ns_consts,
    .nsmembers = sizeof ns_consts / sizeof ns_consts[0],
};

static const xv_class *const classes[] = {
    &expr_class_int,           &expr_class_long,
    &expr_class_double,        &expr_class_decimal,
    &expr_class_float,         &expr_class_bool,
    &expr_class_byte,          &expr_class_bytes,
    &lib1_class_numberstyles,  &lib1_class_convert,
    &lib1_class_encoding,      &lib1_class_utf8encoding,
    &lib1_class_bitconverter,  &lib1_class_webutility,
    &lib1_class_httputility,   &lib1_class_uri,
    &lib1_class_urikind,       &lib1_class_uripartial,
    &lib1_class_base64options, NULL,
};
const xv_lib expr_lib_convert = { "convert", classes };
