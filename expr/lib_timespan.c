/* System.TimeSpan, System.Guid and System.Random.
 * Random is in lib_random.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib1.h"

xv lib1_timespan(int64_t ticks)
{
    xv v = { .kind = XV_TIMESPAN };
    v.u.i = ticks;
    return v;
}

#define TPS LIB1_TICKS_PER_SEC
#define TPM (60 * TPS)
#define TPH (3600 * TPS)
#define TPD LIB1_TICKS_PER_DAY

/* ---- formatting ---- */

int expr_timespan_to_string(expr_env *env, int64_t ticks, str fmt, str *out)
{
    bool neg = ticks < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)ticks : (uint64_t)ticks;
    uint64_t days = u / TPD, h = u / TPH % 24, m = u / TPM % 60, s = u / TPS % 60, f = u % TPS;
    lib1_sb b;
    lib1_sb_init(&b, env, 32);
    if (fmt.len == 0 ||
        (fmt.len == 1 && (fmt.ptr[0] == 'c' || fmt.ptr[0] == 't' || fmt.ptr[0] == 'T'))) {
        lib1_sb_printf(&b, "%s", neg ? "-" : "");
        if (days)
            lib1_sb_printf(&b, "%llu.", (unsigned long long)days);
        lib1_sb_printf(&b, "%02llu:%02llu:%02llu", (unsigned long long)h, (unsigned long long)m,
                       (unsigned long long)s);
        if (f)
            lib1_sb_printf(&b, ".%07llu", (unsigned long long)f);
        return lib1_sb_done(&b, out);
    }
    if (fmt.len == 1 && (fmt.ptr[0] == 'g' || fmt.ptr[0] == 'G')) {
        lib1_sb_printf(&b, "%s", neg ? "-" : "");
        if (days || fmt.ptr[0] == 'G')
            lib1_sb_printf(&b, "%llu:", (unsigned long long)days);
        lib1_sb_printf(&b,
                       fmt.ptr[0] == 'G' || days ? "%02llu:%02llu:%02llu" : "%llu:%02llu:%02llu",
                       (unsigned long long)h, (unsigned long long)m, (unsigned long long)s);
        if (fmt.ptr[0] == 'G') {
            lib1_sb_printf(&b, ".%07llu", (unsigned long long)f);
        } else if (f) {
            char d[8];
            snprintf(d, sizeof d, "%07llu", (unsigned long long)f);
            int k = 7;
            while (k > 0 && d[k - 1] == '0')
                k--;
            lib1_sb_putc(&b, '.');
            lib1_sb_add(&b, d, (size_t)k);
        }
        return lib1_sb_done(&b, out);
    }
    if (fmt.len == 1)
        return expr_throw(env, "FormatException", "Input string was not in a correct format.");
    /* custom: d h m s f F with \ escapes and quotes; ':' and '.' must be escaped in .NET */
    for (size_t i = 0; i < fmt.len;) {
        char ch = fmt.ptr[i];
        size_t n = 1;
        while (i + n < fmt.len && fmt.ptr[i + n] == ch)
            n++;
        switch (ch) {
        case 'd':
            lib1_sb_printf(&b, "%0*llu", (int)n, (unsigned long long)days);
            break;
        case 'h':
            lib1_sb_printf(&b, "%0*llu", n > 1 ? 2 : 1, (unsigned long long)h);
            break;
        case 'm':
            lib1_sb_printf(&b, "%0*llu", n > 1 ? 2 : 1, (unsigned long long)m);
            break;
        case 's':
            lib1_sb_printf(&b, "%0*llu", n > 1 ? 2 : 1, (unsigned long long)s);
            break;
        case 'f':
        case 'F': {
            char d[8];
            snprintf(d, sizeof d, "%07llu", (unsigned long long)f);
            size_t k = n > 7 ? 7 : n;
            if (ch == 'F')
                while (k > 0 && d[k - 1] == '0')
                    k--;
            lib1_sb_add(&b, d, k);
            break;
        }
        case '\\':
            if (i + 1 >= fmt.len)
                return expr_throw(env, "FormatException",
                                  "Input string was not in a correct format.");
            lib1_sb_putc(&b, fmt.ptr[i + 1]);
            n = 2;
            break;
        case '\'':
        case '"': {
            size_t j = i + 1;
            while (j < fmt.len && fmt.ptr[j] != ch)
                lib1_sb_putc(&b, fmt.ptr[j++]);
            if (j >= fmt.len)
                return expr_throw(env, "FormatException",
                                  "Input string was not in a correct format.");
            n = j + 1 - i;
            break;
        }
        case '%':
            n = 1;
            break;
        default:
            return expr_throw(env, "FormatException", "Input string was not in a correct format.");
        }
        i += n;
    }
    return lib1_sb_done(&b, out);
}

/* ---- TimeSpan ---- */

static int ts_overflow(expr_env *env)
{
    return expr_throw(env, "OverflowException",
                      "TimeSpan overflowed because the duration is too long.");
}

static int from_units(xv_call *c, double scale, const char *who, xv *out)
{
    double v;
    if (lib1_num(c, 0, who, &v) < 0)
        return -1;
    if (isnan(v))
        return expr_throw(c->env, "ArgumentException",
                          "TimeSpan does not accept floating point Not-a-Number values.");
    double t = v * scale;
    if (t >= 9223372036854775807.0 || t < -9223372036854775808.0)
        return ts_overflow(c->env);
    *out = lib1_timespan((int64_t)t);
    return 0;
}

static int ts_from_days(xv_call *c, xv *out)
{
    return from_units(c, (double)TPD, "TimeSpan.FromDays", out);
}
static int ts_from_hours(xv_call *c, xv *out)
{
    return from_units(c, (double)TPH, "TimeSpan.FromHours", out);
}
static int ts_from_minutes(xv_call *c, xv *out)
{
    return from_units(c, (double)TPM, "TimeSpan.FromMinutes", out);
}
static int ts_from_seconds(xv_call *c, xv *out)
{
    return from_units(c, (double)TPS, "TimeSpan.FromSeconds", out);
}
static int ts_from_ms(xv_call *c, xv *out)
{
    return from_units(c, (double)LIB1_TICKS_PER_MS, "TimeSpan.FromMilliseconds", out);
}

static int ts_from_ticks(xv_call *c, xv *out)
{
    int64_t t;
    if (lib1_int(c, 0, "TimeSpan.FromTicks", &t) < 0)
        return -1;
    *out = lib1_timespan(t);
    return 0;
}

static int ts_ctor(xv_call *c, xv *out)
{
    int64_t p[5] = { 0 };
    for (size_t i = 0; i < c->nargs; i++)
        if (lib1_int(c, i, "TimeSpan..ctor", &p[i]) < 0)
            return -1;
    if (c->nargs == 1) {
        *out = lib1_timespan(p[0]);
        return 0;
    }
    if (c->nargs == 2)
        return lib1_arg_error(c, 2, "TimeSpan..ctor", "int");
    int64_t d = 0, h, m, s, ms = 0;
    if (c->nargs == 3) {
        h = p[0], m = p[1], s = p[2];
    } else {
        d = p[0], h = p[1], m = p[2], s = p[3];
        if (c->nargs == 5)
            ms = p[4];
    }
    /* all inputs are int32, so this cannot overflow int64 before the range check */
    double total =
        ((double)d * 86400 + (double)h * 3600 + (double)m * 60 + (double)s) * 1000 + (double)ms;
    if (fabs(total) > 922337203685477.0)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "TimeSpan overflowed because the duration is too long.");
    *out = lib1_timespan((((d * 86400 + h * 3600 + m * 60 + s) * 1000) + ms) * LIB1_TICKS_PER_MS);
    return 0;
}

/* "[-][d.]hh:mm[:ss[.fffffff]]" or "[-]d" */
static int ts_parse_str(str s, int64_t *out)
{
    s = str_trim(s);
    size_t i = 0;
    bool neg = false;
    if (i < s.len && s.ptr[i] == '-') {
        neg = true;
        i++;
    }
    int64_t nums[5] = { 0 };
    char seps[6] = { 0 };
    int n = 0;
    int fdigits = 0;
    while (i < s.len && n < 5) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return 1;
        int64_t v = 0;
        int dig = 0;
        while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9') {
            if (v > 100000000)
                return 2;
            v = v * 10 + (s.ptr[i++] - '0');
            dig++;
        }
        nums[n] = v;
        fdigits = dig;
        n++;
        if (i < s.len) {
            if (s.ptr[i] != ':' && s.ptr[i] != '.')
                return 1;
            seps[n] = s.ptr[i++];
            if (i >= s.len)
                return 1;
        }
    }
    if (i != s.len || n == 0)
        return 1;
    int64_t d = 0, h = 0, m = 0, sec = 0, f = 0;
    int k = 0;
    if (n == 1) {
        d = nums[0];
    } else {
        if (seps[1] == '.') {
            d = nums[k++];
        }
        if (n - k < 2)
            return 1;
        h = nums[k++];
        if (seps[k] != ':')
            return 1;
        m = nums[k++];
        if (k < n) {
            if (seps[k] != ':')
                return 1;
            sec = nums[k++];
        }
        if (k < n) {
            if (seps[k] != '.' || fdigits > 7)
                return 1;
            f = nums[k++];
            for (int z = fdigits; z < 7; z++)
                f *= 10;
        }
        if (k != n || h > 23 || m > 59 || sec > 59)
            return 2;
    }
    if (d > 10675199)
        return 2;
    int64_t t = d * TPD + h * TPH + m * TPM + sec * TPS + f;
    *out = neg ? -t : t;
    return 0;
}

static int ts_parse_common(xv_call *c, bool try, xv *out)
{
    str s;
    bool isnull;
    if (lib1_str(c, 0, try ? "TimeSpan.TryParse" : "TimeSpan.Parse", &s, &isnull) < 0)
        return -1;
    int64_t t = 0;
    int r = isnull ? 1 : ts_parse_str(s, &t);
    if (try) {
        lib1_set_out(c, c->nargs - 1, lib1_timespan(r ? 0 : t));
        *out = xv_bool(r == 0);
        return 0;
    }
    if (isnull)
        return lib1_null_arg(c->env, "TimeSpan.Parse", "input");
    if (r == 2)
        return ts_overflow(c->env);
    if (r)
        return expr_throw(c->env, "FormatException",
                          "String '%.*s' was not recognized as a valid TimeSpan.",
                          (int)(s.len > 64 ? 64 : s.len), s.ptr);
    *out = lib1_timespan(t);
    return 0;
}

static int ts_parse(xv_call *c, xv *out)
{
    return ts_parse_common(c, false, out);
}
static int ts_try_parse(xv_call *c, xv *out)
{
    return ts_parse_common(c, true, out);
}

#define TSC(fn, v)                                                                                 \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = lib1_timespan(v);                                                                   \
        return 0;                                                                                  \
    }
TSC(ts_zero, 0)
TSC(ts_max, INT64_MAX)
TSC(ts_min, INT64_MIN)

#define TSI(fn, expr)                                                                              \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        int64_t t = self.u.i;                                                                      \
        *out = expr;                                                                               \
        return 0;                                                                                  \
    }
TSI(ts_days, xv_int(t / TPD))
TSI(ts_hours, xv_int(t / TPH % 24))
TSI(ts_minutes, xv_int(t / TPM % 60))
TSI(ts_seconds, xv_int(t / TPS % 60))
TSI(ts_milliseconds, xv_int(t / LIB1_TICKS_PER_MS % 1000))
TSI(ts_ticks, xv_long(t))
TSI(ts_total_days, xv_double((double)t / (double)TPD))
TSI(ts_total_hours, xv_double((double)t / (double)TPH))
TSI(ts_total_minutes, xv_double((double)t / (double)TPM))
TSI(ts_total_seconds, xv_double((double)t / (double)TPS))
TSI(ts_total_ms, xv_double((double)t / (double)LIB1_TICKS_PER_MS))

static int ts_add_sub(xv_call *c, int op, xv *out)
{
    if (c->args[0].kind != XV_TIMESPAN)
        return lib1_arg_error(c, 0, op == '+' ? "TimeSpan.Add" : "TimeSpan.Subtract", "TimeSpan");
    return expr_datetime_arith(c->env, op, c->self, c->args[0], out) < 0 ? -1 : 0;
}

static int ts_add(xv_call *c, xv *out)
{
    return ts_add_sub(c, '+', out);
}
static int ts_subtract(xv_call *c, xv *out)
{
    return ts_add_sub(c, '-', out);
}

static int ts_negate(xv_call *c, xv *out)
{
    if (c->self.u.i == INT64_MIN)
        return expr_throw(c->env, "OverflowException",
                          "Negating the minimum value of a twos complement number is invalid.");
    *out = lib1_timespan(-c->self.u.i);
    return 0;
}

static int ts_duration(xv_call *c, xv *out)
{
    if (c->self.u.i == INT64_MIN)
        return ts_overflow(c->env);
    *out = lib1_timespan(c->self.u.i < 0 ? -c->self.u.i : c->self.u.i);
    return 0;
}

/* TimeSpan * factor, TimeSpan / divisor as .NET: Math.Round (to even) of the scaled ticks. */
int lib1_timespan_scale(expr_env *env, int64_t ticks, double f, bool divide, xv *out)
{
    if (isnan(f))
        return expr_throw(env, "ArgumentException",
                          "TimeSpan does not accept floating point Not-a-Number values.");
    double t = lib1_round_even(divide ? (double)ticks / f : (double)ticks * f);
    if (isnan(t) || t >= 9223372036854775807.0 || t < -9223372036854775808.0)
        return ts_overflow(env);
    *out = lib1_timespan((int64_t)t);
    return 0;
}

static int ts_multiply(xv_call *c, xv *out)
{
    double f;
    if (lib1_num(c, 0, "TimeSpan.Multiply", &f) < 0)
        return -1;
    return lib1_timespan_scale(c->env, c->self.u.i, f, false, out);
}

static int ts_divide(xv_call *c, xv *out)
{
    if (c->args[0].kind == XV_TIMESPAN) {
        *out = xv_double((double)c->self.u.i / (double)c->args[0].u.i);
        return 0;
    }
    double f;
    if (lib1_num(c, 0, "TimeSpan.Divide", &f) < 0)
        return -1;
    return lib1_timespan_scale(c->env, c->self.u.i, f, true, out);
}

static int ts_to_string(xv_call *c, xv *out)
{
    str fmt = STR_NULL, r;
    if (c->nargs > 0 && c->args[0].kind == XV_STR)
        fmt = c->args[0].u.s;
    if (expr_timespan_to_string(c->env, c->self.u.i, fmt, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int ts_compare_to(xv_call *c, xv *out)
{
    if (c->args[0].kind == XV_NULL) {
        *out = xv_int(1);
        return 0;
    }
    if (c->args[0].kind != XV_TIMESPAN)
        return expr_throw(c->env, "ArgumentException", "Object must be of type TimeSpan.");
    *out = xv_int(c->self.u.i < c->args[0].u.i ? -1 : c->self.u.i > c->args[0].u.i);
    return 0;
}

static int ts_equals(xv_call *c, xv *out)
{
    *out = xv_bool(c->args[0].kind == XV_TIMESPAN && c->args[0].u.i == c->self.u.i);
    return 0;
}

static int ts_hash(xv_call *c, xv *out)
{
    int64_t t = c->self.u.i;
    *out = xv_int((int32_t)((uint32_t)t ^ (uint32_t)((uint64_t)t >> 32)));
    return 0;
}

#define TS &expr_class_timespan
#define D  &expr_class_double
#define I  &expr_class_int
static const xv_member ts_members[] = {
    { "Days", ts_days, I, 0, NULL },
    { "Hours", ts_hours, I, 0, NULL },
    { "Milliseconds", ts_milliseconds, I, 0, NULL },
    { "Minutes", ts_minutes, I, 0, NULL },
    { "Seconds", ts_seconds, I, 0, NULL },
    { "Ticks", ts_ticks, &expr_class_long, 0, NULL },
    { "TotalDays", ts_total_days, D, 0, NULL },
    { "TotalHours", ts_total_hours, D, 0, NULL },
    { "TotalMilliseconds", ts_total_ms, D, 0, NULL },
    { "TotalMinutes", ts_total_minutes, D, 0, NULL },
    { "TotalSeconds", ts_total_seconds, D, 0, NULL },
};
static const xv_method ts_methods[] = {
    { "Add", 1, 1, ts_add, TS, 0, NULL },
    { "CompareTo", 1, 1, ts_compare_to, I, 0, NULL },
    { "Divide", 1, 1, ts_divide, NULL, 0, NULL },
    { "Duration", 0, 0, ts_duration, TS, 0, NULL },
    { "Equals", 1, 1, ts_equals, &expr_class_bool, 0, NULL },
    { "GetHashCode", 0, 0, ts_hash, I, 0, NULL },
    { "Multiply", 1, 1, ts_multiply, TS, 0, NULL },
    { "Negate", 0, 0, ts_negate, TS, 0, NULL },
    { "Subtract", 1, 1, ts_subtract, TS, 0, NULL },
    { "ToString", 0, 2, ts_to_string, &expr_class_string, 0, NULL },
};
static const xv_member ts_statics[] = {
    { "MaxValue", ts_max, TS, 0, NULL },
    { "MinValue", ts_min, TS, 0, NULL },
    { "Zero", ts_zero, TS, 0, NULL },
};
static const xv_method ts_smethods[] = {
    { "FromDays", 1, 1, ts_from_days, TS, 0, NULL },
    { "FromHours", 1, 1, ts_from_hours, TS, 0, NULL },
    { "FromMilliseconds", 1, 1, ts_from_ms, TS, 0, NULL },
    { "FromMinutes", 1, 1, ts_from_minutes, TS, 0, NULL },
    { "FromSeconds", 1, 1, ts_from_seconds, TS, 0, NULL },
    { "FromTicks", 1, 1, ts_from_ticks, TS, 0, NULL },
    { "Parse", 1, 2, ts_parse, TS, 0, NULL },
    { "TryParse", 2, 3, ts_try_parse, &expr_class_bool, XV_M_OUT_LAST, NULL },
};
static const char *const ts_aliases[] = { "System.TimeSpan", NULL };
const xv_class expr_class_timespan = {
    .name = "TimeSpan",
    .aliases = ts_aliases,
    .base = &expr_class_object,
    .members = ts_members,
    .nmembers = sizeof ts_members / sizeof ts_members[0],
    .methods = ts_methods,
    .nmethods = sizeof ts_methods / sizeof ts_methods[0],
    .smembers = ts_statics,
    .nsmembers = sizeof ts_statics / sizeof ts_statics[0],
    .smethods = ts_smethods,
    .nsmethods = sizeof ts_smethods / sizeof ts_smethods[0],
    .ctor = ts_ctor,
    .ctor_min = 1,
    .ctor_max = 5,
};

/* ---- Guid: 16 bytes in .NET order (int32 a, int16 b, int16 c little-endian, then 8 bytes) ---- */

static void guid_hex(const uint8_t g[16], char out[33])
{
    static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", g[order[i]]);
}

int expr_guid_to_string(expr_env *env, const uint8_t g[16], str fmt, str *out)
{
    char h[33];
    guid_hex(g, h);
    char f = fmt.len == 0 ? 'D' : fmt.len == 1 ? fmt.ptr[0] : '?';
    xv r;
    int rc;
    switch (f) {
    case 'N':
    case 'n':
        rc = xv_str_copy(env, h, 32, &r);
        break;
    case 'D':
    case 'd':
        rc = xv_str_printf(env, &r, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
        break;
    case 'B':
    case 'b':
        rc =
            xv_str_printf(env, &r, "{%.8s-%.4s-%.4s-%.4s-%.12s}", h, h + 8, h + 12, h + 16, h + 20);
        break;
    case 'P':
    case 'p':
        rc =
            xv_str_printf(env, &r, "(%.8s-%.4s-%.4s-%.4s-%.12s)", h, h + 8, h + 12, h + 16, h + 20);
        break;
    case 'X':
    case 'x':
        rc = xv_str_printf(
            env, &r,
            "{0x%.8s,0x%.4s,0x%.4s,{0x%.2s,0x%.2s,0x%.2s,0x%.2s,0x%.2s,0x%.2s,0x%.2s,0x%.2s}}", h,
            h + 8, h + 12, h + 16, h + 18, h + 20, h + 22, h + 24, h + 26, h + 28, h + 30);
        break;
    default:
        return expr_throw(env, "FormatException",
                          "Format string can be only \"D\", \"d\", \"N\", \"n\", \"P\", \"p\", "
                          "\"B\", \"b\", \"X\" or \"x\".");
    }
    if (rc < 0)
        return -1;
    *out = r.u.s;
    return 0;
}

static int hexv(int ch)
{
    return ch >= '0' && ch <= '9'                 ? ch - '0'
           : (ch | 32) >= 'a' && (ch | 32) <= 'f' ? (ch | 32) - 'a' + 10
                                                  : -1;
}

/* Parses N, D, B and P forms. 0 ok, 1 bad. */
static int guid_parse_str(str s, const str *fmt, uint8_t g[16])
{
    s = str_trim(s);
    char f;
    if (s.len == 32)
        f = 'N';
    else if (s.len == 36)
        f = 'D';
    else if (s.len == 38 && s.ptr[0] == '{' && s.ptr[37] == '}')
        f = 'B';
    else if (s.len == 38 && s.ptr[0] == '(' && s.ptr[37] == ')')
        f = 'P';
    else
        return 1;
    if (fmt && (fmt->len != 1 || (fmt->ptr[0] | 32) != (f | 32)))
        return 1;
    str body = f == 'B' || f == 'P' ? str_make(s.ptr + 1, 36) : s;
    char hx[32];
    size_t n = 0;
    for (size_t i = 0; i < body.len; i++) {
        if (f != 'N' && (i == 8 || i == 13 || i == 18 || i == 23)) {
            if (body.ptr[i] != '-')
                return 1;
            continue;
        }
        if (hexv((unsigned char)body.ptr[i]) < 0 || n >= 32)
            return 1;
        hx[n++] = body.ptr[i];
    }
    if (n != 32)
        return 1;
    static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
    for (int i = 0; i < 16; i++)
        g[order[i]] =
            (uint8_t)(hexv((unsigned char)hx[2 * i]) * 16 + hexv((unsigned char)hx[2 * i + 1]));
    return 0;
}

int lib1_guid_parse(str s, uint8_t g[16])
{
    return guid_parse_str(s, NULL, g);
}

static xv guid_val(const uint8_t g[16])
{
    xv v = { .kind = XV_GUID };
    memcpy(v.u.guid, g, 16);
    return v;
}

static int guid_bad(expr_env *env, str s)
{
    return expr_throw(env, "FormatException", "Unrecognized Guid format: '%.*s'.",
                      (int)(s.len > 64 ? 64 : s.len), s.ptr);
}

static int guid_parse_common(xv_call *c, bool try, bool exact, xv *out)
{
    str s;
    bool isnull;
    uint8_t g[16] = { 0 };
    if (lib1_str(c, 0, "Guid.Parse", &s, &isnull) < 0)
        return -1;
    str f;
    if (exact && lib1_str(c, 1, "Guid.ParseExact", &f, NULL) < 0)
        return -1;
    int r = isnull ? 1 : guid_parse_str(s, exact ? &f : NULL, g);
    if (try) {
        if (r)
            memset(g, 0, 16);
        lib1_set_out(c, c->nargs - 1, guid_val(g));
        *out = xv_bool(r == 0);
        return 0;
    }
    if (isnull)
        return lib1_null_arg(c->env, "Guid.Parse", "input");
    if (r)
        return guid_bad(c->env, s);
    *out = guid_val(g);
    return 0;
}

static int guid_parse(xv_call *c, xv *out)
{
    return guid_parse_common(c, false, false, out);
}
static int guid_try_parse(xv_call *c, xv *out)
{
    return guid_parse_common(c, true, false, out);
}
static int guid_parse_exact(xv_call *c, xv *out)
{
    return guid_parse_common(c, false, true, out);
}

static int guid_ctor(xv_call *c, xv *out)
{
    if (c->args[0].kind == XV_STR)
        return guid_parse(c, out);
    str b;
    if (lib1_bytes(c, 0, "Guid..ctor", &b) < 0)
        return -1;
    if (b.len != 16)
        return expr_throw(c->env, "ArgumentException",
                          "Byte array for Guid must be exactly 16 bytes long. (Parameter 'b')");
    *out = guid_val((const uint8_t *)b.ptr);
    return 0;
}

static int guid_new(xv_call *c, xv *out)
{
    uint8_t g[16];
    c->env->host->new_guid(c->env, g);
    *out = guid_val(g);
    return 0;
}

static int guid_empty(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    static const uint8_t z[16];
    *out = guid_val(z);
    return 0;
}

static int guid_to_string(xv_call *c, xv *out)
{
    str fmt = STR_NULL, r;
    if (c->nargs > 0 && c->args[0].kind == XV_STR)
        fmt = c->args[0].u.s;
    if (expr_guid_to_string(c->env, c->self.u.guid, fmt, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int guid_to_byte_array(xv_call *c, xv *out)
{
    if (xv_str_copy(c->env, (const char *)c->self.u.guid, 16, out) < 0)
        return -1;
    out->kind = XV_BYTES;
    return 0;
}

static int guid_equals(xv_call *c, xv *out)
{
    *out =
        xv_bool(c->args[0].kind == XV_GUID && memcmp(c->args[0].u.guid, c->self.u.guid, 16) == 0);
    return 0;
}

static int guid_compare_to(xv_call *c, xv *out)
{
    if (c->args[0].kind != XV_GUID)
        return c->args[0].kind == XV_NULL
                   ? (*out = xv_int(1), 0)
                   : expr_throw(c->env, "ArgumentException", "Object must be of type GUID.");
    char a[33], b[33];
    guid_hex(c->self.u.guid, a);
    guid_hex(c->args[0].u.guid, b);
    int r = strcmp(a, b);
    *out = xv_int(r < 0 ? -1 : r > 0);
    return 0;
}

static int guid_hash(xv_call *c, xv *out)
{
    uint32_t w[4];
    memcpy(w, c->self.u.guid, 16); /* .NET: XOR of the four little-endian int32s */
    *out = xv_int((int32_t)(w[0] ^ w[1] ^ w[2] ^ w[3]));
    return 0;
}

#define G &expr_class_guid
static const xv_method guid_methods[] = {
    { "CompareTo", 1, 1, guid_compare_to, I, 0, NULL },
    { "Equals", 1, 1, guid_equals, &expr_class_bool, 0, NULL },
    { "GetHashCode", 0, 0, guid_hash, I, 0, NULL },
    { "ToByteArray", 0, 0, guid_to_byte_array, &expr_class_bytes, 0, NULL },
    { "ToString", 0, 2, guid_to_string, &expr_class_string, 0, NULL },
};
static const xv_member guid_statics[] = {
    { "Empty", guid_empty, G, 0, NULL },
};
static const xv_method guid_smethods[] = {
    { "NewGuid", 0, 0, guid_new, G, 0, NULL },
    { "Parse", 1, 2, guid_parse, G, 0, NULL },
    { "ParseExact", 2, 2, guid_parse_exact, G, 0, NULL },
    { "TryParse", 2, 2, guid_try_parse, &expr_class_bool, XV_M_OUT_LAST, NULL },
};
static const char *const guid_aliases[] = { "System.Guid", NULL };
const xv_class expr_class_guid = {
    .name = "Guid",
    .aliases = guid_aliases,
    .base = &expr_class_object,
    .methods = guid_methods,
    .nmethods = sizeof guid_methods / sizeof guid_methods[0],
    .smembers = guid_statics,
    .nsmembers = 1,
    .smethods = guid_smethods,
    .nsmethods = sizeof guid_smethods / sizeof guid_smethods[0],
    .ctor = guid_ctor,
    .ctor_min = 1,
    .ctor_max = 1,
};
