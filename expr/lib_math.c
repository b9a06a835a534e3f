/* System.Math and MidpointRounding. Min/Max/Abs/Clamp keep the operand type the way C#
 * overload resolution would pick it (int, long, double, float, decimal). */
#include <math.h>

#include "lib1.h"

static const xv_class class_midpoint;

/* A numeric argument, unwrapped (char counts as int). */
static int num_arg(xv_call *c, size_t i, const char *who, xv *out)
{
    *out = xv_null();
    xv v = lib1_unjson(c->env, c->args[i]);
    if (v.kind == XV_CHAR)
        v = xv_int(v.u.ch);
    if (v.kind != XV_INT && v.kind != XV_DOUBLE)
        return lib1_arg_error(c, i, who, "number");
    *out = v;
    return 0;
}

static double dval(xv v)
{
    return v.kind == XV_INT ? (double)v.u.i : v.u.d;
}

/* The common type of two numeric operands: an XV_INT/XV_DOUBLE template. */
static xv common(xv a, xv b)
{
    if (a.kind == XV_INT && b.kind == XV_INT) {
        xv r = xv_int(0);
        if (a.sub == XV_SUB_INT64 || b.sub == XV_SUB_INT64)
            r.sub = XV_SUB_INT64;
        else if (a.sub == XV_SUB_BYTE && b.sub == XV_SUB_BYTE)
            r.sub = XV_SUB_BYTE;
        return r;
    }
    xv r = xv_double(0);
    uint8_t sa = a.kind == XV_DOUBLE ? a.sub : XV_SUB_NONE,
            sb = b.kind == XV_DOUBLE ? b.sub : XV_SUB_NONE;
    if (sa == XV_SUB_DECIMAL || sb == XV_SUB_DECIMAL)
        r.sub =
            (sa == XV_SUB_DECIMAL || a.kind == XV_INT) && (sb == XV_SUB_DECIMAL || b.kind == XV_INT)
                ? XV_SUB_DECIMAL
                : XV_SUB_NONE;
    else if ((sa == XV_SUB_FLOAT || a.kind == XV_INT) && (sb == XV_SUB_FLOAT || b.kind == XV_INT))
        r.sub = XV_SUB_FLOAT;
    return r;
}

static xv as_type(xv t, xv v)
{
    if (t.kind == XV_INT) {
        t.u.i = v.u.i;
        return t;
    }
    t.u.d = dval(v);
    return t;
}

static int min_max(xv_call *c, bool max, xv *out)
{
    const char *who = max ? "Math.Max" : "Math.Min";
    xv a, b;
    if (num_arg(c, 0, who, &a) < 0 || num_arg(c, 1, who, &b) < 0)
        return -1;
    xv t = common(a, b);
    if (t.kind == XV_INT) {
        *out = as_type(t, (a.u.i > b.u.i) == max ? a : b);
        return 0;
    }
    double x = dval(a), y = dval(b);
    if (isnan(x) || isnan(y))
        t.u.d = (double)NAN;
    else
        t.u.d = max ? (x > y || (x == y && !signbit(x)) ? x : y)
                    : (x < y || (x == y && signbit(x)) ? x : y);
    *out = t;
    return 0;
}

static int m_max(xv_call *c, xv *out)
{
    return min_max(c, true, out);
}
static int m_min(xv_call *c, xv *out)
{
    return min_max(c, false, out);
}

static int m_abs(xv_call *c, xv *out)
{
    xv a;
    if (num_arg(c, 0, "Math.Abs", &a) < 0)
        return -1;
    if (a.kind == XV_INT) {
        if ((a.sub == XV_SUB_INT64 && a.u.i == INT64_MIN) ||
            (a.sub != XV_SUB_INT64 && a.u.i == INT32_MIN))
            return expr_throw(c->env, "OverflowException",
                              "Negating the minimum value of a twos complement number is invalid.");
        a.u.i = a.u.i < 0 ? -a.u.i : a.u.i;
    } else {
        a.u.d = fabs(a.u.d);
    }
    *out = a;
    return 0;
}

static int m_clamp(xv_call *c, xv *out)
{
    xv v, lo, hi;
    if (num_arg(c, 0, "Math.Clamp", &v) < 0 || num_arg(c, 1, "Math.Clamp", &lo) < 0 ||
        num_arg(c, 2, "Math.Clamp", &hi) < 0)
        return -1;
    xv t = common(common(v, lo), hi);
    if (dval(lo) > dval(hi))
        return expr_throw(c->env, "ArgumentException", "'%g' cannot be greater than %g.", dval(lo),
                          dval(hi));
    if (t.kind == XV_INT) {
        int64_t r = v.u.i < lo.u.i ? lo.u.i : v.u.i > hi.u.i ? hi.u.i : v.u.i;
        t.u.i = r;
    } else {
        double r = dval(v);
        t.u.d = r < dval(lo) ? dval(lo) : r > dval(hi) ? dval(hi) : r;
    }
    *out = t;
    return 0;
}

/* Rounds x to an integer with a MidpointRounding mode. */
static double round_mode(double x, int64_t mode)
{
    switch (mode) {
    case 1:
        return round(x); /* AwayFromZero */
    case 2:
        return trunc(x); /* ToZero */
    case 3:
        return floor(x); /* ToNegativeInfinity */
    case 4:
        return ceil(x); /* ToPositiveInfinity */
    default:
        return lib1_round_even(x);
    }
}

static int m_round(xv_call *c, xv *out)
{
    xv v;
    int64_t digits = 0, mode = 0;
    if (num_arg(c, 0, "Math.Round", &v) < 0)
        return -1;
    for (size_t i = 1; i < c->nargs; i++) {
        if (lib1_is_enum(c->args[i], &class_midpoint))
            mode = c->args[i].u.en.v;
        else if (lib1_int(c, i, "Math.Round", &digits) < 0)
            return -1;
    }
    bool dec = v.kind == XV_DOUBLE && v.sub == XV_SUB_DECIMAL;
    if (digits < 0 || digits > (dec ? 28 : 15))
        return expr_throw(
            c->env, "ArgumentOutOfRangeException",
            "Rounding digits must be between 0 and %d, inclusive. (Parameter 'digits')",
            dec ? 28 : 15);
    if (mode < 0 || mode > 4)
        return expr_throw(c->env, "ArgumentException",
                          "The value '%lld' is not valid for this usage of the type "
                          "MidpointRounding. (Parameter 'mode')",
                          (long long)mode);
    double x = dval(v);
    if (digits == 0) {
        x = round_mode(x, mode);
    } else if (fabs(x) < 1e16) {
        double p = pow(10.0, (double)digits);
        x = round_mode(x * p, mode) / p;
    }
    *out = xv_double(x);
    if (dec)
        out->sub = XV_SUB_DECIMAL;
    return 0;
}

#define UNARY_KEEP(fn, who, op)                                                                    \
    static int fn(xv_call *c, xv *out)                                                             \
    {                                                                                              \
        xv v;                                                                                      \
        if (num_arg(c, 0, who, &v) < 0)                                                            \
            return -1;                                                                             \
        bool dec = v.kind == XV_DOUBLE && v.sub == XV_SUB_DECIMAL;                                 \
        *out = xv_double(op(dval(v)));                                                             \
        if (dec)                                                                                   \
            out->sub = XV_SUB_DECIMAL;                                                             \
        return 0;                                                                                  \
    }
UNARY_KEEP(m_ceiling, "Math.Ceiling", ceil)
UNARY_KEEP(m_floor, "Math.Floor", floor)
UNARY_KEEP(m_truncate, "Math.Truncate", trunc)

#define UNARY_D(fn, who, op)                                                                       \
    static int fn(xv_call *c, xv *out)                                                             \
    {                                                                                              \
        double x;                                                                                  \
        if (lib1_num(c, 0, who, &x) < 0)                                                           \
            return -1;                                                                             \
        *out = xv_double(op(x));                                                                   \
        return 0;                                                                                  \
    }
UNARY_D(m_sqrt, "Math.Sqrt", sqrt)
UNARY_D(m_log10, "Math.Log10", log10)
UNARY_D(m_log2, "Math.Log2", log2)
UNARY_D(m_exp, "Math.Exp", exp)
UNARY_D(m_cbrt, "Math.Cbrt", cbrt)
UNARY_D(m_sin, "Math.Sin", sin)
UNARY_D(m_cos, "Math.Cos", cos)
UNARY_D(m_tan, "Math.Tan", tan)
UNARY_D(m_asin, "Math.Asin", asin)
UNARY_D(m_acos, "Math.Acos", acos)
UNARY_D(m_atan, "Math.Atan", atan)

static int m_log(xv_call *c, xv *out)
{
    double x, b;
    if (lib1_num(c, 0, "Math.Log", &x) < 0)
        return -1;
    if (c->nargs == 1) {
        *out = xv_double(log(x));
        return 0;
    }
    if (lib1_num(c, 1, "Math.Log", &b) < 0)
        return -1;
    *out = xv_double(b == 1 || b < 0 || isnan(b) ? (double)NAN : log(x) / log(b));
    return 0;
}

static int m_pow(xv_call *c, xv *out)
{
    double x, y;
    if (lib1_num(c, 0, "Math.Pow", &x) < 0 || lib1_num(c, 1, "Math.Pow", &y) < 0)
        return -1;
    *out = xv_double(pow(x, y));
    return 0;
}

static int m_atan2(xv_call *c, xv *out)
{
    double y, x;
    if (lib1_num(c, 0, "Math.Atan2", &y) < 0 || lib1_num(c, 1, "Math.Atan2", &x) < 0)
        return -1;
    *out = xv_double(atan2(y, x));
    return 0;
}

static int m_sign(xv_call *c, xv *out)
{
    xv v;
    if (num_arg(c, 0, "Math.Sign", &v) < 0)
        return -1;
    double x = dval(v);
    if (isnan(x))
        return expr_throw(c->env, "ArithmeticException",
                          "Function does not accept floating point Not-a-Number values.");
    *out = xv_int(x > 0 ? 1 : x < 0 ? -1 : 0);
    return 0;
}

static int m_pi(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_double(3.14159265358979323846);
    return 0;
}

static int m_e(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_double(2.7182818284590452354);
    return 0;
}

static int m_tau(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_double(6.28318530717958647692);
    return 0;
}

#define D &expr_class_double
static const xv_method math_smethods[] = {
    /* sorted */
    { "Abs", 1, 1, m_abs, NULL, 0, NULL },
    { "Acos", 1, 1, m_acos, D, 0, NULL },
    { "Asin", 1, 1, m_asin, D, 0, NULL },
    { "Atan", 1, 1, m_atan, D, 0, NULL },
    { "Atan2", 2, 2, m_atan2, D, 0, NULL },
    { "Cbrt", 1, 1, m_cbrt, D, 0, NULL },
    { "Ceiling", 1, 1, m_ceiling, NULL, 0, NULL },
    { "Clamp", 3, 3, m_clamp, NULL, 0, NULL },
    { "Cos", 1, 1, m_cos, D, 0, NULL },
    { "Exp", 1, 1, m_exp, D, 0, NULL },
    { "Floor", 1, 1, m_floor, NULL, 0, NULL },
    { "Log", 1, 2, m_log, D, 0, NULL },
    { "Log10", 1, 1, m_log10, D, 0, NULL },
    { "Log2", 1, 1, m_log2, D, 0, NULL },
    { "Max", 2, 2, m_max, NULL, 0, NULL },
    { "Min", 2, 2, m_min, NULL, 0, NULL },
    { "Pow", 2, 2, m_pow, D, 0, NULL },
    { "Round", 1, 3, m_round, NULL, 0, NULL },
    { "Sign", 1, 1, m_sign, &expr_class_int, 0, NULL },
    { "Sin", 1, 1, m_sin, D, 0, NULL },
    { "Sqrt", 1, 1, m_sqrt, D, 0, NULL },
    { "Tan", 1, 1, m_tan, D, 0, NULL },
    { "Truncate", 1, 1, m_truncate, NULL, 0, NULL },
};
static const xv_member math_statics[] = {
    { "E", m_e, D, 0, NULL },
    { "PI", m_pi, D, 0, NULL },
    { "Tau", m_tau, D, 0, NULL },
};
static const char *const math_aliases[] = { "System.Math", NULL };
static const xv_class class_math = {
    .name = "Math",
    .aliases = math_aliases,
    .flags = XV_CLASS_STATIC,
    .smembers = math_statics,
    .nsmembers = sizeof math_statics / sizeof math_statics[0],
    .smethods = math_smethods,
    .nsmethods = sizeof math_smethods / sizeof math_smethods[0],
};

#define EGET(fn, v)                                                                                \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = lib1_enum_val(&class_midpoint, v);                                                  \
        return 0;                                                                                  \
    }
EGET(mr_even, 0)
EGET(mr_away, 1)
EGET(mr_zero, 2)
EGET(mr_neg, 3)
EGET(mr_pos, 4)
static const xv_member mr_consts[] = {
    { "AwayFromZero", mr_away, &class_midpoint, 1, NULL },
    { "ToEven", mr_even, &class_midpoint, 0, NULL },
    { "ToNegativeInfinity", mr_neg, &class_midpoint, 3, NULL },
    { "ToPositiveInfinity", mr_pos, &class_midpoint, 4, NULL },
    { "ToZero", mr_zero, &class_midpoint, 2, NULL },
};
static const char *const mr_aliases[] = { "System.MidpointRounding", NULL };
static const xv_class class_midpoint = {
    .name = "MidpointRounding",
    .aliases = mr_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = mr_consts,
    .nsmembers = sizeof mr_consts / sizeof mr_consts[0],
};

static const xv_class *const classes[] = {
    &class_math,
    &class_midpoint,
    NULL,
};
const xv_lib expr_lib_math = { "math", classes };
