/* DateTime formatting (standard o s u r d D t T g G f F m y and custom patterns, en-US names,
 * the process time zone is UTC) and parsing (ISO 8601, RFC 1123, US dates, exact patterns). */
#include <stdio.h>
#include <string.h>

#include "lib1.h"

static const char *const month_names[12] = { "January",   "February", "March",    "April",
                                             "May",       "June",     "July",     "August",
                                             "September", "October",  "November", "December" };
static const char *const day_names[7] = { "Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday" };

bool lib1_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int lib1_days_in_month(int64_t y, int m)
{
    static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && lib1_is_leap(y) ? 29 : dm[m - 1];
}

int64_t lib1_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t yy = y - 1;
    int64_t days = yy * 365 + yy / 4 - yy / 100 + yy / 400;
    for (unsigned k = 1; k < m; k++)
        days += lib1_days_in_month(y, (int)k);
    return days + d - 1;
}

void lib1_civil(int64_t ticks, lib1_tm *tm)
{
    int64_t n = ticks / LIB1_TICKS_PER_DAY;
    int64_t rem = ticks % LIB1_TICKS_PER_DAY;
    tm->dow = (int)((n + 1) % 7); /* 0001-01-01 was a Monday */
    int64_t y400 = n / 146097;
    n -= y400 * 146097;
    int64_t y100 = n / 36524;
    if (y100 == 4)
        y100 = 3;
    n -= y100 * 36524;
    int64_t y4 = n / 1461;
    n -= y4 * 1461;
    int64_t y1 = n / 365;
    if (y1 == 4)
        y1 = 3;
    n -= y1 * 365;
    tm->year = (int)(y400 * 400 + y100 * 100 + y4 * 4 + y1 + 1);
    tm->yday = (int)n + 1;
    int m = 1;
    while (n >= lib1_days_in_month(tm->year, m)) {
        n -= lib1_days_in_month(tm->year, m);
        m++;
    }
    tm->month = m;
    tm->day = (int)n + 1;
    tm->hour = (int)(rem / (3600 * LIB1_TICKS_PER_SEC));
    tm->minute = (int)(rem / (60 * LIB1_TICKS_PER_SEC) % 60);
    tm->second = (int)(rem / LIB1_TICKS_PER_SEC % 60);
    tm->frac = (int)(rem % LIB1_TICKS_PER_SEC);
}

/* ---- formatting ---- */

static const char *std_pattern(char f, bool dto)
{
    switch (f) {
    case 'd':
        return "M/d/yyyy";
    case 'D':
        return "dddd, MMMM d, yyyy";
    case 'f':
        return "dddd, MMMM d, yyyy h:mm tt";
    case 'F':
        return "dddd, MMMM d, yyyy h:mm:ss tt";
    case 'g':
        return "M/d/yyyy h:mm tt";
    case 'G':
        return dto ? "M/d/yyyy h:mm:ss tt zzz" : "M/d/yyyy h:mm:ss tt";
    case 'm':
    case 'M':
        return "MMMM d";
    case 'o':
    case 'O':
        return dto ? "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz"
                   : "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK";
    case 'r':
    case 'R':
        return "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'";
    case 's':
        return "yyyy'-'MM'-'dd'T'HH':'mm':'ss";
    case 't':
        return "h:mm tt";
    case 'T':
        return "h:mm:ss tt";
    case 'u':
        return "yyyy'-'MM'-'dd HH':'mm':'ss'Z'";
    case 'U':
        return "dddd, MMMM d, yyyy h:mm:ss tt";
    case 'y':
    case 'Y':
        return "MMMM yyyy";
    default:
        return NULL;
    }
}

static size_t run_len(str f, size_t i)
{
    size_t n = 1;
    while (i + n < f.len && f.ptr[i + n] == f.ptr[i])
        n++;
    return n;
}

static int bad_format(expr_env *env)
{
    return expr_throw(env, "FormatException", "Input string was not in a correct format.");
}

int lib1_dt_format(expr_env *env, int64_t ticks, int kind, bool dto, str fmt, str *out)
{
    if (fmt.len == 0)
        fmt = STR_LIT("G");
    if (fmt.len == 1) {
        const char *p = std_pattern(fmt.ptr[0], dto);
        if (!p)
            return bad_format(env);
        fmt = str_from(p);
    } else if (fmt.len == 2 && fmt.ptr[0] == '%') {
        fmt = str_make(fmt.ptr + 1, 1);
    }
    lib1_tm tm;
    lib1_civil(ticks, &tm);
    lib1_sb b;
    lib1_sb_init(&b, env, fmt.len + 16);
    for (size_t i = 0; i < fmt.len;) {
        char ch = fmt.ptr[i];
        size_t n = run_len(fmt, i);
        switch (ch) {
        case 'd':
            if (n <= 2)
                lib1_sb_printf(&b, "%0*d", (int)n, tm.day);
            else if (n == 3)
                lib1_sb_add(&b, day_names[tm.dow], 3);
            else
                lib1_sb_str(&b, str_from(day_names[tm.dow]));
            break;
        case 'M':
            if (n <= 2)
                lib1_sb_printf(&b, "%0*d", (int)n, tm.month);
            else if (n == 3)
                lib1_sb_add(&b, month_names[tm.month - 1], 3);
            else
                lib1_sb_str(&b, str_from(month_names[tm.month - 1]));
            break;
        case 'y':
            if (n <= 2)
                lib1_sb_printf(&b, "%0*d", (int)n, tm.year % 100);
            else
                lib1_sb_printf(&b, "%0*d", (int)n, tm.year);
            break;
        case 'h':
            lib1_sb_printf(&b, "%0*d", n >= 2 ? 2 : 1, tm.hour % 12 == 0 ? 12 : tm.hour % 12);
            break;
        case 'H':
            lib1_sb_printf(&b, "%0*d", n >= 2 ? 2 : 1, tm.hour);
            break;
        case 'm':
            lib1_sb_printf(&b, "%0*d", n >= 2 ? 2 : 1, tm.minute);
            break;
        case 's':
            lib1_sb_printf(&b, "%0*d", n >= 2 ? 2 : 1, tm.second);
            break;
        case 'f':
        case 'F': {
            if (n > 7)
                return bad_format(env);
            char digits[8];
            snprintf(digits, sizeof digits, "%07d", tm.frac);
            size_t k = n;
            if (ch == 'F') {
                while (k > 0 && digits[k - 1] == '0')
                    k--;
                if (k == 0 && b.len > 0 && b.p[b.len - 1] == '.')
                    b.len--;
            }
            lib1_sb_add(&b, digits, k);
            break;
        }
        case 't':
            lib1_sb_add(&b, tm.hour < 12 ? "AM" : "PM", n >= 2 ? 2 : 1);
            break;
        case 'g':
            lib1_sb_str(&b, STR_LIT("A.D."));
            break;
        case 'K':
            if (dto || kind == XV_DT_LOCAL)
                lib1_sb_str(&b, STR_LIT("+00:00"));
            else if (kind == XV_DT_UTC)
                lib1_sb_putc(&b, 'Z');
            n = 1;
            break;
        case 'z':
            lib1_sb_str(&b, n == 1 ? STR_LIT("+0") : n == 2 ? STR_LIT("+00") : STR_LIT("+00:00"));
            break;
        case '\'':
        case '"': {
            size_t j = i + 1;
            while (j < fmt.len && fmt.ptr[j] != ch) {
                if (fmt.ptr[j] == '\\' && j + 1 < fmt.len)
                    j++;
                lib1_sb_putc(&b, fmt.ptr[j]);
                j++;
            }
            if (j >= fmt.len)
                return expr_throw(env, "FormatException",
                                  "Cannot find a matching quote character for the character '%c'.",
                                  ch);
            n = j + 1 - i;
            break;
        }
        case '\\':
            if (i + 1 >= fmt.len)
                return bad_format(env);
            lib1_sb_putc(&b, fmt.ptr[i + 1]);
            n = 2;
            break;
        case '%':
            n = 1;
            break;
        default:
            lib1_sb_add(&b, fmt.ptr + i, n);
            break;
        }
        i += n;
    }
    return lib1_sb_done(&b, out);
}

/* ---- parsing ---- */

typedef struct pcur {
    str s;
    size_t i;
} pcur;

static void skip_ws(pcur *p)
{
    while (p->i < p->s.len && (p->s.ptr[p->i] == ' ' || p->s.ptr[p->i] == '\t'))
        p->i++;
}

/* Reads min..max digits. */
static bool digits(pcur *p, size_t min, size_t max, int *out)
{
    size_t n = 0;
    int v = 0;
    while (n < max && p->i < p->s.len && p->s.ptr[p->i] >= '0' && p->s.ptr[p->i] <= '9') {
        v = v * 10 + (p->s.ptr[p->i++] - '0');
        n++;
    }
    *out = v;
    return n >= min;
}

static bool lit(pcur *p, char ch)
{
    if (p->i < p->s.len && p->s.ptr[p->i] == ch) {
        p->i++;
        return true;
    }
    return false;
}

static bool name_match(pcur *p, const char *const *names, int count, bool abbrev, int *out)
{
    for (int k = 0; k < count; k++) {
        size_t n = abbrev ? 3 : strlen(names[k]);
        if (p->s.len - p->i >= n && str_ieq(str_make(p->s.ptr + p->i, n), str_make(names[k], n))) {
            p->i += n;
            *out = k;
            return true;
        }
    }
    return false;
}

typedef struct pres {
    int y, mo, d, h, mi, s, frac;
    int tz;         /* 0 none, 1 given */
    int offset_min; /* offset from UTC in minutes */
    int pm;         /* -1 none, 0 AM, 1 PM */
} pres;

static bool parse_frac(pcur *p, pres *r)
{
    int n = 0, v = 0;
    while (p->i < p->s.len && p->s.ptr[p->i] >= '0' && p->s.ptr[p->i] <= '9') {
        if (n < 7) {
            v = v * 10 + (p->s.ptr[p->i] - '0');
            n++;
        }
        p->i++;
    }
    if (n == 0)
        return false;
    while (n++ < 7)
        v *= 10;
    r->frac = v;
    return true;
}

static bool parse_tz(pcur *p, pres *r)
{
    skip_ws(p);
    if (lit(p, 'Z') || lit(p, 'z')) {
        r->tz = 1;
        return true;
    }
    if (p->s.len - p->i >= 3 && (str_eq(str_make(p->s.ptr + p->i, 3), STR_LIT("GMT")) ||
                                 str_eq(str_make(p->s.ptr + p->i, 3), STR_LIT("UTC")))) {
        p->i += 3;
        r->tz = 1;
        if (p->i >= p->s.len)
            return true;
    }
    if (p->i < p->s.len && (p->s.ptr[p->i] == '+' || p->s.ptr[p->i] == '-')) {
        int sign = p->s.ptr[p->i++] == '-' ? -1 : 1, hh, mm = 0;
        if (!digits(p, 1, 2, &hh))
            return false;
        if (lit(p, ':')) {
            if (!digits(p, 2, 2, &mm))
                return false;
        } else {
            digits(p, 0, 2, &mm);
        }
        if (hh > 14 || mm > 59)
            return false;
        r->tz = 1;
        r->offset_min = sign * (hh * 60 + mm);
    }
    return true;
}

static bool parse_time(pcur *p, pres *r)
{
    if (!digits(p, 1, 2, &r->h) || !lit(p, ':') || !digits(p, 2, 2, &r->mi))
        return false;
    if (lit(p, ':')) {
        if (!digits(p, 2, 2, &r->s))
            return false;
        if ((lit(p, '.') || lit(p, ',')) && !parse_frac(p, r))
            return false;
    }
    skip_ws(p);
    if (p->s.len - p->i >= 2) {
        str t = str_make(p->s.ptr + p->i, 2);
        if (str_ieq(t, STR_LIT("AM")) || str_ieq(t, STR_LIT("PM"))) {
            r->pm = (t.ptr[0] | 32) == 'p';
            p->i += 2;
        }
    }
    return parse_tz(p, r);
}

/* Free-form parse: ISO 8601, RFC 1123, M/d/yyyy, yyyy/MM/dd, "MMMM d, yyyy". */
static bool parse_any(str s, pres *r)
{
    pcur p = { str_trim(s), 0 };
    int a, dummy;
    if (name_match(&p, day_names, 7, false, &dummy) || name_match(&p, day_names, 7, true, &dummy)) {
        lit(&p, ',');
        skip_ws(&p);
    }
    if (name_match(&p, month_names, 12, false, &r->mo) ||
        name_match(&p, month_names, 12, true, &r->mo)) {
        r->mo++;
        skip_ws(&p);
        if (!digits(&p, 1, 2, &r->d))
            return false;
        lit(&p, ',');
        skip_ws(&p);
        if (!digits(&p, 4, 4, &r->y))
            return false;
    } else {
        size_t st = p.i;
        if (!digits(&p, 1, 4, &a))
            return false;
        size_t nd = p.i - st;
        if (nd == 4 && (lit(&p, '-') || lit(&p, '/') || lit(&p, '.'))) {
            r->y = a;
            if (!digits(&p, 1, 2, &r->mo))
                return false;
            if (!(lit(&p, '-') || lit(&p, '/') || lit(&p, '.')) || !digits(&p, 1, 2, &r->d))
                return false;
        } else if (nd <= 2 && lit(&p, '/')) {
            r->mo = a;
            if (!digits(&p, 1, 2, &r->d) || !lit(&p, '/') || !digits(&p, 4, 4, &r->y))
                return false;
        } else if (nd <= 2 && (lit(&p, ' ') || lit(&p, '-'))) { /* dd MMM yyyy (RFC 1123) */
            r->d = a;
            if (!name_match(&p, month_names, 12, true, &r->mo))
                return false;
            r->mo++;
            if (!(lit(&p, ' ') || lit(&p, '-')) || !digits(&p, 4, 4, &r->y))
                return false;
        } else {
            return false;
        }
    }
    if (p.i < p.s.len && (p.s.ptr[p.i] == 'T' || p.s.ptr[p.i] == ' ')) {
        p.i++;
        skip_ws(&p);
        if (p.i < p.s.len && !parse_time(&p, r))
            return false;
    } else if (!parse_tz(&p, r)) {
        return false;
    }
    skip_ws(&p);
    return p.i == p.s.len;
}

/* Parse against an exact custom/standard pattern. */
static bool parse_exact(str s, str fmt, pres *r)
{
    if (fmt.len == 1) {
        const char *pat = std_pattern(fmt.ptr[0], false);
        if (!pat)
            return false;
        if (fmt.ptr[0] == 'o' || fmt.ptr[0] == 'O')
            pat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK";
        fmt = str_from(pat);
        if (str_starts_with(fmt, STR_LIT("dddd,")))
            return parse_any(s, r);
    }
    pcur p = { s, 0 };
    for (size_t i = 0; i < fmt.len;) {
        char ch = fmt.ptr[i];
        size_t n = run_len(fmt, i);
        int v, dummy;
        switch (ch) {
        case 'y':
            if (!digits(&p, n <= 2 ? n : (n == 4 ? 4 : n), n <= 2 ? 2 : n, &v))
                return false;
            r->y = n <= 2 ? 2000 + v - (v >= 50 ? 100 : 0) : v;
            break;
        case 'M':
            if (n <= 2) {
                if (!digits(&p, n, 2, &r->mo))
                    return false;
            } else if (!name_match(&p, month_names, 12, n == 3, &r->mo)) {
                return false;
            } else {
                r->mo++;
            }
            break;
        case 'd':
            if (n <= 2) {
                if (!digits(&p, n, 2, &r->d))
                    return false;
            } else if (!name_match(&p, day_names, 7, n == 3, &dummy)) {
                return false;
            }
            break;
        case 'H':
        case 'h':
            if (!digits(&p, n >= 2 ? 2 : 1, 2, &r->h))
                return false;
            break;
        case 'm':
            if (!digits(&p, n >= 2 ? 2 : 1, 2, &r->mi))
                return false;
            break;
        case 's':
            if (!digits(&p, n >= 2 ? 2 : 1, 2, &r->s))
                return false;
            break;
        case 'f':
        case 'F': {
            size_t st = p.i;
            if (!digits(&p, ch == 'f' ? n : 0, n, &v))
                return false;
            size_t got = p.i - st;
            for (size_t k = got; k < 7; k++)
                v *= 10;
            r->frac = v;
            if (ch == 'F' && got == 0 && p.i > 0 && i > 0 && fmt.ptr[i - 1] == '.' &&
                p.s.ptr[p.i - 1] == '.')
                p.i--;
            break;
        }
        case 't': {
            if (p.s.len - p.i < n)
                return false;
            char a = (char)(p.s.ptr[p.i] | 32);
            if (a != 'a' && a != 'p')
                return false;
            r->pm = a == 'p';
            p.i += n >= 2 ? 2 : 1;
            break;
        }
        case 'K':
        case 'z':
            if (!parse_tz(&p, r))
                return false;
            break;
        case '\'':
        case '"': {
            size_t j = i + 1;
            while (j < fmt.len && fmt.ptr[j] != ch) {
                if (!lit(&p, fmt.ptr[j]))
                    return false;
                j++;
            }
            n = j + 1 - i;
            break;
        }
        case '\\':
            if (i + 1 >= fmt.len || !lit(&p, fmt.ptr[i + 1]))
                return false;
            n = 2;
            break;
        case ' ':
            skip_ws(&p);
            n = 1;
            break;
        default:
            for (size_t k = 0; k < n; k++)
                if (!lit(&p, ch))
                    return false;
            break;
        }
        i += n;
    }
    return p.i == p.s.len;
}

/* styles: DateTimeStyles flags (AdjustToUniversal 16, AssumeLocal 32, AssumeUniversal 64,
 * RoundtripKind 128). */
int lib1_dt_parse(str s, const str *fmt, int64_t styles, bool dto, int64_t *ticks, int *kind)
{
    pres r = { .y = 1, .mo = 1, .d = 1, .pm = -1 };
    bool ok = fmt ? parse_exact(s, *fmt, &r) : parse_any(s, &r);
    if (!ok || r.y < 1 || r.y > 9999 || r.mo < 1 || r.mo > 12 || r.d < 1 ||
        r.d > lib1_days_in_month(r.y, r.mo) || r.mi > 59 || r.s > 59)
        return 1;
    if (r.pm >= 0) {
        if (r.h < 1 || r.h > 12)
            return 1;
        r.h = r.h % 12 + (r.pm ? 12 : 0);
    } else if (r.h > 23) {
        return 1;
    }
    int64_t t = lib1_days_from_civil(r.y, (unsigned)r.mo, (unsigned)r.d) * LIB1_TICKS_PER_DAY +
                ((int64_t)r.h * 3600 + r.mi * 60 + r.s) * LIB1_TICKS_PER_SEC + r.frac;
    int k = XV_DT_UNSPECIFIED;
    if (r.tz) {
        t -= (int64_t)r.offset_min * 60 * LIB1_TICKS_PER_SEC;
        k = (styles & 128) && r.offset_min == 0 && !dto ? XV_DT_UTC : XV_DT_LOCAL;
    } else if (styles & 64) {
        k = XV_DT_LOCAL;
    }
    if (styles & 16 && k != XV_DT_UNSPECIFIED)
        k = XV_DT_UTC;
    if (t < 0 || t > LIB1_MAX_TICKS)
        return 1;
    *ticks = t;
    *kind = k;
    return 0;
}

/* ---- DateTime static helpers (listed in lib_datetime.c) ---- */

int lib1_dt_days_in_month(xv_call *c, xv *out)
{
    int64_t y, m;
    if (lib1_int(c, 0, "DateTime.DaysInMonth", &y) < 0 ||
        lib1_int(c, 1, "DateTime.DaysInMonth", &m) < 0)
        return -1;
    if (y < 1 || y > 9999 || m < 1 || m > 12)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Month must be between one and twelve. (Parameter 'month')");
    *out = xv_int(lib1_days_in_month(y, (int)m));
    return 0;
}

int lib1_dt_is_leap_year(xv_call *c, xv *out)
{
    int64_t y;
    if (lib1_int(c, 0, "DateTime.IsLeapYear", &y) < 0)
        return -1;
    if (y < 1 || y > 9999)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Year must be between 1 and 9999. (Parameter 'year')");
    *out = xv_bool(lib1_is_leap(y));
    return 0;
}

static int dt_arg(xv_call *c, size_t i, const char *who, xv *out)
{
    xv v = c->args[i];
    if (v.kind != XV_DATETIME)
        return lib1_arg_error(c, i, who, "DateTime");
    *out = v;
    return 0;
}

int lib1_dt_specify_kind(xv_call *c, xv *out)
{
    xv v = xv_null();
    int64_t k;
    if (dt_arg(c, 0, "DateTime.SpecifyKind", &v) < 0 ||
        lib1_enum(c, 1, "DateTime.SpecifyKind", &lib1_class_datetimekind, &k) < 0)
        return -1;
    *out = lib1_datetime(v.u.dt.ticks, (int)k);
    return 0;
}

int lib1_dt_compare(xv_call *c, xv *out)
{
    xv a = xv_null(), b = xv_null();
    if (dt_arg(c, 0, "DateTime.Compare", &a) < 0 || dt_arg(c, 1, "DateTime.Compare", &b) < 0)
        return -1;
    *out = xv_int(a.u.dt.ticks < b.u.dt.ticks ? -1 : a.u.dt.ticks > b.u.dt.ticks);
    return 0;
}

int lib1_dt_equals_static(xv_call *c, xv *out)
{
    xv a = xv_null(), b = xv_null();
    if (dt_arg(c, 0, "DateTime.Equals", &a) < 0 || dt_arg(c, 1, "DateTime.Equals", &b) < 0)
        return -1;
    *out = xv_bool(a.u.dt.ticks == b.u.dt.ticks);
    return 0;
}

int lib1_dt_from_file_time(xv_call *c, xv *out)
{
    int64_t ft;
    if (lib1_int(c, 0, "DateTime.FromFileTimeUtc", &ft) < 0)
        return -1;
    const int64_t off = 504911232000000000LL; /* 1601-01-01 */
    if (ft < 0 || ft > LIB1_MAX_TICKS - off)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Not a valid Win32 FileTime. (Parameter 'fileTime')");
    *out = lib1_datetime(ft + off, XV_DT_UTC);
    return 0;
}

/* ---- enums ---- */

LIB1_ENUM_GET(k_unspecified, lib1_class_datetimekind, 0)
LIB1_ENUM_GET(k_utc, lib1_class_datetimekind, 1)
LIB1_ENUM_GET(k_local, lib1_class_datetimekind, 2)
static const xv_member kind_consts[] = {
    { "Local", k_local, &lib1_class_datetimekind, 2, NULL },
    { "Unspecified", k_unspecified, &lib1_class_datetimekind, 0, NULL },
    { "Utc", k_utc, &lib1_class_datetimekind, 1, NULL },
};
static const char *const kind_aliases[] = { "System.DateTimeKind", NULL };
const xv_class lib1_class_datetimekind = {
    .name = "DateTimeKind",
    .aliases = kind_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = kind_consts,
    .nsmembers = 3,
};

LIB1_ENUM_GET(w_sun, lib1_class_dayofweek, 0)
LIB1_ENUM_GET(w_mon, lib1_class_dayofweek, 1)
LIB1_ENUM_GET(w_tue, lib1_class_dayofweek, 2)
LIB1_ENUM_GET(w_wed, lib1_class_dayofweek, 3)
LIB1_ENUM_GET(w_thu, lib1_class_dayofweek, 4)
LIB1_ENUM_GET(w_fri, lib1_class_dayofweek, 5)
LIB1_ENUM_GET(w_sat, lib1_class_dayofweek, 6)
#define DOW &lib1_class_dayofweek
static const xv_member dow_consts[] = {
    { "Friday", w_fri, DOW, 5, NULL },    { "Monday", w_mon, DOW, 1, NULL },
    { "Saturday", w_sat, DOW, 6, NULL },  { "Sunday", w_sun, DOW, 0, NULL },
    { "Thursday", w_thu, DOW, 4, NULL },  { "Tuesday", w_tue, DOW, 2, NULL },
    { "Wednesday", w_wed, DOW, 3, NULL },
};
static const char *const dow_aliases[] = { "System.DayOfWeek", NULL };
const xv_class lib1_class_dayofweek = {
    .name = "DayOfWeek",
    .aliases = dow_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = dow_consts,
    .nsmembers = 7,
};

LIB1_ENUM_GET(st_none, lib1_class_datetimestyles, 0)
LIB1_ENUM_GET(st_allow_ws, lib1_class_datetimestyles, 7)
LIB1_ENUM_GET(st_adjust_utc, lib1_class_datetimestyles, 16)
LIB1_ENUM_GET(st_assume_local, lib1_class_datetimestyles, 32)
LIB1_ENUM_GET(st_assume_utc, lib1_class_datetimestyles, 64)
LIB1_ENUM_GET(st_roundtrip, lib1_class_datetimestyles, 128)
#define DTS &lib1_class_datetimestyles
static const xv_member dts_consts[] = {
    { "AdjustToUniversal", st_adjust_utc, DTS, 16, NULL },
    { "AllowWhiteSpaces", st_allow_ws, DTS, 7, NULL },
    { "AssumeLocal", st_assume_local, DTS, 32, NULL },
    { "AssumeUniversal", st_assume_utc, DTS, 64, NULL },
    { "None", st_none, DTS, 0, NULL },
    { "RoundtripKind", st_roundtrip, DTS, 128, NULL },
};
static const char *const dts_aliases[] = { "System.Globalization.DateTimeStyles", NULL };
const xv_class lib1_class_datetimestyles = {
    .name = "DateTimeStyles",
    .aliases = dts_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = dts_consts,
    .nsmembers = 6,
};

static const xv_class *const classes[] = {
    &expr_class_datetime,       &expr_class_datetimeoffset, &expr_class_timespan,
    &expr_class_guid,           &lib1_class_datetimekind,   &lib1_class_dayofweek,
    &lib1_class_datetimestyles, &lib1_class_random,         NULL,
};
const xv_lib expr_lib_datetime = { "datetime", classes };
