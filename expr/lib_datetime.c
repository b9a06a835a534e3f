/* System.DateTime, DateTimeOffset, DateTimeKind, DayOfWeek, DateTimeStyles and date
 * arithmetic. The clock is env->host->now (UTC); the process time zone is UTC, so Now equals
 * UtcNow (kind Local) and DateTimeOffset values always have offset +00:00.
 * TimeSpan, Guid and Random are in lib_timespan.c; formatting/parsing in lib_datefmt.c. */
#include <math.h>
#include <string.h>

#include "lib1.h"

#define DTO_CLS (&expr_class_datetimeoffset)

xv lib1_datetime(int64_t ticks, int kind)
{
    xv v = { .kind = XV_DATETIME };
    v.u.dt.ticks = ticks;
    v.u.dt.kind = kind;
    return v;
}

static xv dto_make(int64_t ticks)
{
    xv v = lib1_datetime(ticks, XV_DT_UTC);
    v.sub = XV_SUB_DTO;
    return v;
}

static bool is_dto(xv v)
{
    return v.kind == XV_DATETIME && v.sub == XV_SUB_DTO;
}

/* A value like self (DateTime keeps its kind, DateTimeOffset stays one). */
static xv like(xv self, int64_t ticks)
{
    xv v = self;
    v.u.dt.ticks = ticks;
    return v;
}

static int range_error(expr_env *env)
{
    return expr_throw(env, "ArgumentOutOfRangeException",
                      "The added or subtracted value results in an un-representable DateTime. "
                      "(Parameter 'value')");
}

static int add_ticks(expr_env *env, xv self, int64_t delta, xv *out)
{
    int64_t t = self.u.dt.ticks;
    if ((delta > 0 && t > LIB1_MAX_TICKS - delta) || (delta < 0 && t < -delta))
        return range_error(env);
    *out = like(self, t + delta);
    return 0;
}

int expr_datetime_to_string(expr_env *env, xv v, str fmt, str *out)
{
    return lib1_dt_format(env, v.u.dt.ticks, v.u.dt.kind, is_dto(v), fmt, out);
}

int expr_datetime_arith(expr_env *env, int op, xv a, xv b, xv *out)
{
    if (a.kind == XV_DATETIME && b.kind == XV_TIMESPAN && (op == '+' || op == '-')) {
        int64_t d = b.u.i;
        if (op == '-') {
            if (d == INT64_MIN)
                return range_error(env);
            d = -d;
        }
        return add_ticks(env, a, d, out) < 0 ? -1 : 1;
    }
    if (a.kind == XV_DATETIME && b.kind == XV_DATETIME && op == '-') {
        *out = lib1_timespan(a.u.dt.ticks - b.u.dt.ticks);
        return 1;
    }
    if (a.kind == XV_TIMESPAN && b.kind == XV_TIMESPAN && (op == '+' || op == '-')) {
        int64_t r;
        bool ovf = op == '+' ? __builtin_add_overflow(a.u.i, b.u.i, &r)
                             : __builtin_sub_overflow(a.u.i, b.u.i, &r);
        if (ovf)
            return expr_throw(env, "OverflowException",
                              "TimeSpan overflowed because the duration is too long.");
        *out = lib1_timespan(r);
        return 1;
    }
    if (a.kind == XV_TIMESPAN && b.kind == XV_TIMESPAN && op == '/') {
        *out = xv_double((double)a.u.i / (double)b.u.i);
        return 1;
    }
    if (op == '*' || op == '/') { /* TimeSpan * double, double * TimeSpan, TimeSpan / double */
        xv ts = op == '*' && b.kind == XV_TIMESPAN ? b : a,
           f = op == '*' && b.kind == XV_TIMESPAN ? a : b;
        if (ts.kind != XV_TIMESPAN ||
            (f.kind != XV_INT && f.kind != XV_DOUBLE && f.kind != XV_CHAR))
            return 0;
        double x = f.kind == XV_DOUBLE ? f.u.d : f.kind == XV_CHAR ? (double)f.u.ch : (double)f.u.i;
        return lib1_timespan_scale(env, ts.u.i, x, op == '/', out) < 0 ? -1 : 1;
    }
    return 0;
}

/* ---- construction ---- */

static int ymd_ticks(xv_call *c, const char *who, int64_t *parts, size_t n, int64_t *ticks)
{
    int64_t y = parts[0], m = parts[1], d = parts[2];
    int64_t h = n > 3 ? parts[3] : 0, mi = n > 4 ? parts[4] : 0, s = n > 5 ? parts[5] : 0,
            ms = n > 6 ? parts[6] : 0;
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > lib1_days_in_month(y, (int)m) ||
        h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0 || ms > 999)
        return expr_throw(
            c->env, "ArgumentOutOfRangeException",
            "Year, Month, and Day parameters describe an un-representable DateTime. (%s)", who);
    *ticks = lib1_days_from_civil(y, (unsigned)m, (unsigned)d) * LIB1_TICKS_PER_DAY +
             (h * 3600 + mi * 60 + s) * LIB1_TICKS_PER_SEC + ms * LIB1_TICKS_PER_MS;
    return 0;
}

static int dt_ctor(xv_call *c, xv *out)
{
    const char *who = "DateTime..ctor";
    int64_t parts[8];
    size_t n = 0;
    int kind = XV_DT_UNSPECIFIED;
    for (size_t i = 0; i < c->nargs; i++) {
        if (lib1_is_enum(c->args[i], &lib1_class_datetimekind) && i == c->nargs - 1) {
            kind = (int)c->args[i].u.en.v;
            break;
        }
        if (lib1_int(c, i, who, &parts[n++]) < 0)
            return -1;
    }
    int64_t t;
    if (n == 1) {
        t = parts[0];
        if (t < 0 || t > LIB1_MAX_TICKS)
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Ticks must be between DateTime.MinValue.Ticks and "
                              "DateTime.MaxValue.Ticks. (Parameter 'ticks')");
    } else if (n == 3 || n == 6 || n == 7) {
        if (ymd_ticks(c, who, parts, n, &t) < 0)
            return -1;
    } else {
        return lib1_arg_error(c, n, who, "int");
    }
    *out = lib1_datetime(t, kind);
    return 0;
}

static int64_t now_ticks(expr_env *env)
{
    return env->host->now(env);
}

static int dt_utc_now(expr_env *env, xv self, xv *out)
{
    (void)self;
    *out = lib1_datetime(now_ticks(env), XV_DT_UTC);
    return 0;
}

static int dt_now(expr_env *env, xv self, xv *out)
{
    (void)self;
    *out = lib1_datetime(now_ticks(env), XV_DT_LOCAL);
    return 0;
}

static int dt_today(expr_env *env, xv self, xv *out)
{
    (void)self;
    int64_t t = now_ticks(env);
    *out = lib1_datetime(t - t % LIB1_TICKS_PER_DAY, XV_DT_LOCAL);
    return 0;
}

static int dt_min(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = lib1_datetime(0, XV_DT_UNSPECIFIED);
    return 0;
}

static int dt_max(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = lib1_datetime(LIB1_MAX_TICKS, XV_DT_UNSPECIFIED);
    return 0;
}

static int dt_unix_epoch(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = lib1_datetime(LIB1_UNIX_EPOCH, XV_DT_UTC);
    return 0;
}

/* ---- parsing ---- */

static int64_t styles_arg(xv_call *c, size_t from, size_t to)
{
    for (size_t i = from; i < to && i < c->nargs; i++)
        if (lib1_is_enum(c->args[i], &lib1_class_datetimestyles))
            return c->args[i].u.en.v;
    return 0;
}

static int parse_fail(expr_env *env, str s)
{
    return expr_throw(env, "FormatException",
                      "String '%.*s' was not recognized as a valid DateTime.",
                      (int)(s.len > 64 ? 64 : s.len), s.ptr);
}

static xv dt_result(bool dto, int64_t t, int kind)
{
    return dto ? dto_make(t) : lib1_datetime(t, kind);
}

/* Parse(s[, provider[, styles]]) / TryParse(s[, provider, styles], out) */
static int parse_common(xv_call *c, bool dto, bool try, xv *out)
{
    const char *who = dto ? "DateTimeOffset.Parse" : "DateTime.Parse";
    str s;
    bool isnull;
    if (lib1_str(c, 0, who, &s, &isnull) < 0)
        return -1;
    size_t nin = try ? c->nargs - 1 : c->nargs;
    int64_t t = 0;
    int kind = 0;
    int r = isnull ? 1 : lib1_dt_parse(s, NULL, styles_arg(c, 1, nin), dto, &t, &kind);
    if (try) {
        lib1_set_out(c, c->nargs - 1, r ? dt_result(dto, 0, 0) : dt_result(dto, t, kind));
        *out = xv_bool(r == 0);
        return 0;
    }
    if (isnull)
        return lib1_null_arg(c->env, who, "s");
    if (r)
        return parse_fail(c->env, s);
    *out = dt_result(dto, t, kind);
    return 0;
}

/* ParseExact(s, format|formats, provider[, styles]) / TryParseExact(..., styles, out) */
static int parse_exact_common(xv_call *c, bool dto, bool try, xv *out)
{
    const char *who = dto ? "DateTimeOffset.ParseExact" : "DateTime.ParseExact";
    str s;
    bool isnull;
    if (lib1_str(c, 0, who, &s, &isnull) < 0)
        return -1;
    size_t nin = try ? c->nargs - 1 : c->nargs;
    int64_t styles = styles_arg(c, 2, nin), t = 0;
    int kind = 0, r = 1;
    xv f = c->args[1];
    if (!isnull) {
        if (f.kind == XV_STR) {
            r = lib1_dt_parse(s, &f.u.s, styles, dto, &t, &kind);
        } else if (f.kind == XV_LIST) {
            for (size_t k = 0; k < f.u.list->n && r; k++)
                if (f.u.list->items[k].kind == XV_STR)
                    r = lib1_dt_parse(s, &f.u.list->items[k].u.s, styles, dto, &t, &kind);
        } else {
            return lib1_arg_error(c, 1, who, "string");
        }
    }
    if (try) {
        lib1_set_out(c, c->nargs - 1, r ? dt_result(dto, 0, 0) : dt_result(dto, t, kind));
        *out = xv_bool(r == 0);
        return 0;
    }
    if (isnull)
        return lib1_null_arg(c->env, who, "s");
    if (r)
        return parse_fail(c->env, s);
    *out = dt_result(dto, t, kind);
    return 0;
}

static int dt_parse(xv_call *c, xv *out)
{
    return parse_common(c, false, false, out);
}
static int dt_try_parse(xv_call *c, xv *out)
{
    return parse_common(c, false, true, out);
}
static int dt_parse_exact(xv_call *c, xv *out)
{
    return parse_exact_common(c, false, false, out);
}
static int dt_try_parse_exact(xv_call *c, xv *out)
{
    return parse_exact_common(c, false, true, out);
}
static int dto_parse(xv_call *c, xv *out)
{
    return parse_common(c, true, false, out);
}
static int dto_try_parse(xv_call *c, xv *out)
{
    return parse_common(c, true, true, out);
}
static int dto_parse_exact(xv_call *c, xv *out)
{
    return parse_exact_common(c, true, false, out);
}

/* ---- instance members (DateTime and DateTimeOffset) ---- */

#define TMGET(fn, field)                                                                           \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        lib1_tm tm;                                                                                \
        lib1_civil(self.u.dt.ticks, &tm);                                                          \
        *out = xv_int(field);                                                                      \
        return 0;                                                                                  \
    }
TMGET(dt_year, tm.year)
TMGET(dt_month, tm.month)
TMGET(dt_day, tm.day)
TMGET(dt_hour, tm.hour)
TMGET(dt_minute, tm.minute)
TMGET(dt_second, tm.second)
TMGET(dt_millisecond, tm.frac / 10000)
TMGET(dt_day_of_year, tm.yday)

static int dt_day_of_week(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = lib1_enum_val(&lib1_class_dayofweek, (self.u.dt.ticks / LIB1_TICKS_PER_DAY + 1) % 7);
    return 0;
}

static int dt_date(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = like(self, self.u.dt.ticks - self.u.dt.ticks % LIB1_TICKS_PER_DAY);
    return 0;
}

static int dt_time_of_day(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = lib1_timespan(self.u.dt.ticks % LIB1_TICKS_PER_DAY);
    return 0;
}

static int dt_ticks(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_long(self.u.dt.ticks);
    return 0;
}

static int dt_kind(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = lib1_enum_val(&lib1_class_datetimekind, self.u.dt.kind);
    return 0;
}

/* DateTimeOffset views */
static int dto_datetime(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = lib1_datetime(self.u.dt.ticks, XV_DT_UNSPECIFIED);
    return 0;
}

static int dto_utc_datetime(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = lib1_datetime(self.u.dt.ticks, XV_DT_UTC);
    return 0;
}

static int dto_local_datetime(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = lib1_datetime(self.u.dt.ticks, XV_DT_LOCAL);
    return 0;
}

static int dto_offset(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = lib1_timespan(0);
    return 0;
}

/* ---- instance methods ---- */

static int add_units(xv_call *c, int64_t scale, double limit, const char *who, xv *out)
{
    double v;
    if (lib1_num(c, 0, who, &v) < 0)
        return -1;
    if (isnan(v) || fabs(v) > limit)
        return range_error(c->env);
    double ip = trunc(v);
    int64_t ticks = (int64_t)ip * scale + (int64_t)((v - ip) * (double)scale);
    return add_ticks(c->env, c->self, ticks, out);
}

static int dt_add_days(xv_call *c, xv *out)
{
    return add_units(c, LIB1_TICKS_PER_DAY, 10000.0 * 366, "DateTime.AddDays", out);
}
static int dt_add_hours(xv_call *c, xv *out)
{
    return add_units(c, 3600 * LIB1_TICKS_PER_SEC, 10000.0 * 366 * 24, "DateTime.AddHours", out);
}
static int dt_add_minutes(xv_call *c, xv *out)
{
    return add_units(c, 60 * LIB1_TICKS_PER_SEC, 10000.0 * 366 * 1440, "DateTime.AddMinutes", out);
}
static int dt_add_seconds(xv_call *c, xv *out)
{
    return add_units(c, LIB1_TICKS_PER_SEC, 10000.0 * 366 * 86400, "DateTime.AddSeconds", out);
}
static int dt_add_ms(xv_call *c, xv *out)
{
    return add_units(c, LIB1_TICKS_PER_MS, 10000.0 * 366 * 86400000, "DateTime.AddMilliseconds",
                     out);
}

static int dt_add_ticks(xv_call *c, xv *out)
{
    int64_t t;
    if (lib1_int(c, 0, "DateTime.AddTicks", &t) < 0)
        return -1;
    return add_ticks(c->env, c->self, t, out);
}

static int dt_add(xv_call *c, xv *out)
{
    if (c->args[0].kind != XV_TIMESPAN)
        return lib1_arg_error(c, 0, "DateTime.Add", "TimeSpan");
    return add_ticks(c->env, c->self, c->args[0].u.i, out);
}

static int dt_add_months(xv_call *c, xv *out)
{
    int64_t months;
    if (lib1_int(c, 0, "DateTime.AddMonths", &months) < 0)
        return -1;
    if (months < -120000 || months > 120000)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Months value must be between +/-120000. (Parameter 'months')");
    lib1_tm tm;
    lib1_civil(c->self.u.dt.ticks, &tm);
    int64_t idx = (int64_t)tm.year * 12 + (tm.month - 1) + months;
    int64_t y = idx / 12, m = idx % 12 + 1;
    if (y < 1 || y > 9999)
        return range_error(c->env);
    int d = tm.day;
    if (d > lib1_days_in_month(y, (int)m))
        d = lib1_days_in_month(y, (int)m);
    int64_t t = lib1_days_from_civil(y, (unsigned)m, (unsigned)d) * LIB1_TICKS_PER_DAY +
                c->self.u.dt.ticks % LIB1_TICKS_PER_DAY;
    *out = like(c->self, t);
    return 0;
}

static int dt_add_years(xv_call *c, xv *out)
{
    int64_t y;
    if (lib1_int(c, 0, "DateTime.AddYears", &y) < 0)
        return -1;
    if (y < -10000 || y > 10000)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Years value must be between +/-10000. (Parameter 'years')");
    xv args[1] = { xv_int(y * 12) };
    xv_call cc = *c;
    cc.args = args;
    cc.nargs = 1;
    return dt_add_months(&cc, out);
}

static int dt_subtract(xv_call *c, xv *out)
{
    int r = expr_datetime_arith(c->env, '-', c->self, c->args[0], out);
    if (r == 0)
        return lib1_arg_error(c, 0, "DateTime.Subtract", "DateTime or TimeSpan");
    return r < 0 ? -1 : 0;
}

static int dt_to_string(xv_call *c, xv *out)
{
    str fmt = STR_NULL, r;
    if (c->nargs > 0 && c->args[0].kind == XV_STR)
        fmt = c->args[0].u.s;
    else if (c->nargs > 0 && c->args[0].kind != XV_OBJ && c->args[0].kind != XV_NULL)
        return lib1_arg_error(c, 0, "DateTime.ToString", "string");
    if (expr_datetime_to_string(c->env, c->self, fmt, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

#define DT_FMT(fn, f)                                                                              \
    static int fn(xv_call *c, xv *out)                                                             \
    {                                                                                              \
        str r;                                                                                     \
        if (expr_datetime_to_string(c->env, c->self, STR_LIT(f), &r) < 0)                          \
            return -1;                                                                             \
        *out = xv_str(r);                                                                          \
        return 0;                                                                                  \
    }
DT_FMT(dt_short_date, "d")
DT_FMT(dt_long_date, "D")
DT_FMT(dt_short_time, "t")
DT_FMT(dt_long_time, "T")

static int dt_to_utc(xv_call *c, xv *out)
{
    *out = is_dto(c->self) ? c->self : lib1_datetime(c->self.u.dt.ticks, XV_DT_UTC);
    return 0;
}

static int dt_to_local(xv_call *c, xv *out)
{
    *out = is_dto(c->self) ? c->self : lib1_datetime(c->self.u.dt.ticks, XV_DT_LOCAL);
    return 0;
}

static int dt_to_file_time(xv_call *c, xv *out)
{
    const int64_t off = 504911232000000000LL;
    if (c->self.u.dt.ticks < off)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Not a valid Win32 FileTime. (Parameter 'fileTime')");
    *out = xv_long(c->self.u.dt.ticks - off);
    return 0;
}

static int dt_compare_to(xv_call *c, xv *out)
{
    xv o = c->args[0];
    if (o.kind == XV_NULL) {
        *out = xv_int(1);
        return 0;
    }
    if (o.kind != XV_DATETIME)
        return expr_throw(c->env, "ArgumentException", "Object must be of type DateTime.");
    *out = xv_int(c->self.u.dt.ticks < o.u.dt.ticks ? -1 : c->self.u.dt.ticks > o.u.dt.ticks);
    return 0;
}

static int dt_equals(xv_call *c, xv *out)
{
    xv o = c->args[0];
    *out = xv_bool(o.kind == XV_DATETIME && is_dto(o) == is_dto(c->self) &&
                   o.u.dt.ticks == c->self.u.dt.ticks);
    return 0;
}

static int dt_hash(xv_call *c, xv *out)
{
    int64_t t = c->self.u.dt.ticks;
    *out = xv_int((int32_t)((uint32_t)t ^ (uint32_t)((uint64_t)t >> 32)));
    return 0;
}

static int dt_false(xv_call *c, xv *out)
{
    (void)c;
    *out = xv_bool(false);
    return 0;
}

/* DateTimeOffset-only */
static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int dto_unix_seconds(xv_call *c, xv *out)
{
    *out = xv_long(floor_div(c->self.u.dt.ticks - LIB1_UNIX_EPOCH, LIB1_TICKS_PER_SEC));
    return 0;
}

static int dto_unix_ms(xv_call *c, xv *out)
{
    *out = xv_long(floor_div(c->self.u.dt.ticks - LIB1_UNIX_EPOCH, LIB1_TICKS_PER_MS));
    return 0;
}

static int dto_to_offset(xv_call *c, xv *out)
{
    if (c->args[0].kind != XV_TIMESPAN)
        return lib1_arg_error(c, 0, "DateTimeOffset.ToOffset", "TimeSpan");
    *out = c->self; /* offsets other than zero are not represented */
    return 0;
}

static int from_unix(xv_call *c, int64_t scale, int64_t lo, int64_t hi, const char *who, xv *out)
{
    int64_t v;
    if (lib1_int(c, 0, who, &v) < 0)
        return -1;
    if (v < lo || v > hi)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Valid values are between %lld and %lld, inclusive. (%s)", (long long)lo,
                          (long long)hi, who);
    *out = dto_make(LIB1_UNIX_EPOCH + v * scale);
    return 0;
}

static int dto_from_unix_seconds(xv_call *c, xv *out)
{
    return from_unix(c, LIB1_TICKS_PER_SEC, -62135596800LL, 253402300799LL,
                     "DateTimeOffset.FromUnixTimeSeconds", out);
}

static int dto_from_unix_ms(xv_call *c, xv *out)
{
    return from_unix(c, LIB1_TICKS_PER_MS, -62135596800000LL, 253402300799999LL,
                     "DateTimeOffset.FromUnixTimeMilliseconds", out);
}

static int dto_utc_now(expr_env *env, xv self, xv *out)
{
    (void)self;
    *out = dto_make(now_ticks(env));
    return 0;
}

static int dto_min(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = dto_make(0);
    return 0;
}

static int dto_max(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = dto_make(LIB1_MAX_TICKS);
    return 0;
}

static int dto_unix_epoch(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = dto_make(LIB1_UNIX_EPOCH);
    return 0;
}

/* new DateTimeOffset(DateTime) | (ticks, offset) | (y, m, d, h, mi, s[, ms], offset) */
static int dto_ctor(xv_call *c, xv *out)
{
    const char *who = "DateTimeOffset..ctor";
    if (c->nargs == 1) {
        if (c->args[0].kind != XV_DATETIME)
            return lib1_arg_error(c, 0, who, "DateTime");
        *out = dto_make(c->args[0].u.dt.ticks);
        return 0;
    }
    xv off = c->args[c->nargs - 1];
    if (off.kind != XV_TIMESPAN)
        return lib1_arg_error(c, c->nargs - 1, who, "TimeSpan");
    int64_t parts[8], t;
    size_t n = c->nargs - 1;
    for (size_t i = 0; i < n; i++)
        if (lib1_int(c, i, who, &parts[i]) < 0)
            return -1;
    if (n == 1)
        t = parts[0];
    else if ((n == 6 || n == 7) && ymd_ticks(c, who, parts, n, &t) == 0)
        ;
    else
        return n == 6 || n == 7 ? -1 : lib1_arg_error(c, n, who, "int");
    t -= off.u.i;
    if (t < 0 || t > LIB1_MAX_TICKS)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "The UTC time represented when the offset is applied must be between "
                          "year 0 and 10,000. (Parameter 'offset')");
    *out = dto_make(t);
    return 0;
}

/* ---- tables ---- */

#define DT &expr_class_datetime
#define TS &expr_class_timespan
#define I  &expr_class_int
#define S  &expr_class_string
#define L  &expr_class_long
#define B  &expr_class_bool
static const xv_member dt_members[] = {
    { "Date", dt_date, DT, 0, NULL },
    { "Day", dt_day, I, 0, NULL },
    { "DayOfWeek", dt_day_of_week, &lib1_class_dayofweek, 0, NULL },
    { "DayOfYear", dt_day_of_year, I, 0, NULL },
    { "Hour", dt_hour, I, 0, NULL },
    { "Kind", dt_kind, &lib1_class_datetimekind, 0, NULL },
    { "Millisecond", dt_millisecond, I, 0, NULL },
    { "Minute", dt_minute, I, 0, NULL },
    { "Month", dt_month, I, 0, NULL },
    { "Second", dt_second, I, 0, NULL },
    { "Ticks", dt_ticks, L, 0, NULL },
    { "TimeOfDay", dt_time_of_day, TS, 0, NULL },
    { "Year", dt_year, I, 0, NULL },
};
static const xv_method dt_methods[] = {
    { "Add", 1, 1, dt_add, DT, 0, NULL },
    { "AddDays", 1, 1, dt_add_days, DT, 0, NULL },
    { "AddHours", 1, 1, dt_add_hours, DT, 0, NULL },
    { "AddMilliseconds", 1, 1, dt_add_ms, DT, 0, NULL },
    { "AddMinutes", 1, 1, dt_add_minutes, DT, 0, NULL },
    { "AddMonths", 1, 1, dt_add_months, DT, 0, NULL },
    { "AddSeconds", 1, 1, dt_add_seconds, DT, 0, NULL },
    { "AddTicks", 1, 1, dt_add_ticks, DT, 0, NULL },
    { "AddYears", 1, 1, dt_add_years, DT, 0, NULL },
    { "CompareTo", 1, 1, dt_compare_to, I, 0, NULL },
    { "Equals", 1, 1, dt_equals, B, 0, NULL },
    { "GetHashCode", 0, 0, dt_hash, I, 0, NULL },
    { "IsDaylightSavingTime", 0, 0, dt_false, B, 0, NULL },
    { "Subtract", 1, 1, dt_subtract, NULL, 0, NULL },
    { "ToFileTime", 0, 0, dt_to_file_time, L, 0, NULL },
    { "ToFileTimeUtc", 0, 0, dt_to_file_time, L, 0, NULL },
    { "ToLocalTime", 0, 0, dt_to_local, DT, 0, NULL },
    { "ToLongDateString", 0, 0, dt_long_date, S, 0, NULL },
    { "ToLongTimeString", 0, 0, dt_long_time, S, 0, NULL },
    { "ToShortDateString", 0, 0, dt_short_date, S, 0, NULL },
    { "ToShortTimeString", 0, 0, dt_short_time, S, 0, NULL },
    { "ToString", 0, 2, dt_to_string, S, 0, NULL },
    { "ToUniversalTime", 0, 0, dt_to_utc, DT, 0, NULL },
};
static const xv_member dt_statics[] = {
    { "MaxValue", dt_max, DT, 0, NULL },
    { "MinValue", dt_min, DT, 0, NULL },
    { "Now", dt_now, DT, 0, NULL },
    { "Today", dt_today, DT, 0, NULL },
    { "UnixEpoch", dt_unix_epoch, DT, 0, NULL },
    { "UtcNow", dt_utc_now, DT, 0, NULL },
};
static const xv_method dt_smethods[] = {
    { "Compare", 2, 2, lib1_dt_compare, I, 0, NULL },
    { "DaysInMonth", 2, 2, lib1_dt_days_in_month, I, 0, NULL },
    { "Equals", 2, 2, lib1_dt_equals_static, B, 0, NULL },
    { "FromFileTimeUtc", 1, 1, lib1_dt_from_file_time, DT, 0, NULL },
    { "IsLeapYear", 1, 1, lib1_dt_is_leap_year, B, 0, NULL },
    { "Parse", 1, 3, dt_parse, DT, 0, NULL },
    { "ParseExact", 3, 4, dt_parse_exact, DT, 0, NULL },
    { "SpecifyKind", 2, 2, lib1_dt_specify_kind, DT, 0, NULL },
    { "TryParse", 2, 4, dt_try_parse, B, XV_M_OUT_LAST, NULL },
    { "TryParseExact", 5, 5, dt_try_parse_exact, B, XV_M_OUT_LAST, NULL },
};
static const char *const dt_aliases[] = { "System.DateTime", NULL };
const xv_class expr_class_datetime = {
    .name = "DateTime",
    .aliases = dt_aliases,
    .base = &expr_class_object,
    .members = dt_members,
    .nmembers = sizeof dt_members / sizeof dt_members[0],
    .methods = dt_methods,
    .nmethods = sizeof dt_methods / sizeof dt_methods[0],
    .smembers = dt_statics,
    .nsmembers = sizeof dt_statics / sizeof dt_statics[0],
    .smethods = dt_smethods,
    .nsmethods = sizeof dt_smethods / sizeof dt_smethods[0],
    .ctor = dt_ctor,
    .ctor_min = 1,
    .ctor_max = 8,
};

#define DTO DTO_CLS
static const xv_member dto_members[] = {
    { "Date", dt_date, DT, 0, NULL },
    { "DateTime", dto_datetime, DT, 0, NULL },
    { "Day", dt_day, I, 0, NULL },
    { "DayOfWeek", dt_day_of_week, &lib1_class_dayofweek, 0, NULL },
    { "DayOfYear", dt_day_of_year, I, 0, NULL },
    { "Hour", dt_hour, I, 0, NULL },
    { "LocalDateTime", dto_local_datetime, DT, 0, NULL },
    { "Millisecond", dt_millisecond, I, 0, NULL },
    { "Minute", dt_minute, I, 0, NULL },
    { "Month", dt_month, I, 0, NULL },
    { "Offset", dto_offset, TS, 0, NULL },
    { "Second", dt_second, I, 0, NULL },
    { "Ticks", dt_ticks, L, 0, NULL },
    { "TimeOfDay", dt_time_of_day, TS, 0, NULL },
    { "UtcDateTime", dto_utc_datetime, DT, 0, NULL },
    { "UtcTicks", dt_ticks, L, 0, NULL },
    { "Year", dt_year, I, 0, NULL },
};
static const xv_method dto_methods[] = {
    { "Add", 1, 1, dt_add, DTO, 0, NULL },
    { "AddDays", 1, 1, dt_add_days, DTO, 0, NULL },
    { "AddHours", 1, 1, dt_add_hours, DTO, 0, NULL },
    { "AddMilliseconds", 1, 1, dt_add_ms, DTO, 0, NULL },
    { "AddMinutes", 1, 1, dt_add_minutes, DTO, 0, NULL },
    { "AddMonths", 1, 1, dt_add_months, DTO, 0, NULL },
    { "AddSeconds", 1, 1, dt_add_seconds, DTO, 0, NULL },
    { "AddTicks", 1, 1, dt_add_ticks, DTO, 0, NULL },
    { "AddYears", 1, 1, dt_add_years, DTO, 0, NULL },
    { "CompareTo", 1, 1, dt_compare_to, I, 0, NULL },
    { "Equals", 1, 1, dt_equals, B, 0, NULL },
    { "GetHashCode", 0, 0, dt_hash, I, 0, NULL },
    { "Subtract", 1, 1, dt_subtract, NULL, 0, NULL },
    { "ToLocalTime", 0, 0, dt_to_local, DTO, 0, NULL },
    { "ToOffset", 1, 1, dto_to_offset, DTO, 0, NULL },
    { "ToString", 0, 2, dt_to_string, S, 0, NULL },
    { "ToUniversalTime", 0, 0, dt_to_utc, DTO, 0, NULL },
    { "ToUnixTimeMilliseconds", 0, 0, dto_unix_ms, L, 0, NULL },
    { "ToUnixTimeSeconds", 0, 0, dto_unix_seconds, L, 0, NULL },
};
static const xv_member dto_statics[] = {
    { "MaxValue", dto_max, DTO, 0, NULL },   { "MinValue", dto_min, DTO, 0, NULL },
    { "Now", dto_utc_now, DTO, 0, NULL },    { "UnixEpoch", dto_unix_epoch, DTO, 0, NULL },
    { "UtcNow", dto_utc_now, DTO, 0, NULL },
};
static const xv_method dto_smethods[] = {
    { "FromUnixTimeMilliseconds", 1, 1, dto_from_unix_ms, DTO, 0, NULL },
    { "FromUnixTimeSeconds", 1, 1, dto_from_unix_seconds, DTO, 0, NULL },
    { "Parse", 1, 3, dto_parse, DTO, 0, NULL },
    { "ParseExact", 3, 4, dto_parse_exact, DTO, 0, NULL },
    { "TryParse", 2, 4, dto_try_parse, B, XV_M_OUT_LAST, NULL },
};
static const char *const dto_aliases[] = { "System.DateTimeOffset", NULL };
const xv_class expr_class_datetimeoffset = {
    .name = "DateTimeOffset",
    .aliases = dto_aliases,
    .base = &expr_class_object,
    .members = dto_members,
    .nmembers = sizeof dto_members / sizeof dto_members[0],
    .methods = dto_methods,
    .nmethods = sizeof dto_methods / sizeof dto_methods[0],
    .smembers = dto_statics,
    .nsmembers = sizeof dto_statics / sizeof dto_statics[0],
    .smethods = dto_smethods,
    .nsmethods = sizeof dto_smethods / sizeof dto_smethods[0],
    .ctor = dto_ctor,
    .ctor_min = 1,
    .ctor_max = 8,
};
