/* Dates for the Liquid Date filter: parsing (DateTimeOffset.TryParse with the invariant
 * culture for the common forms, Json.NET's ISO 8601 and "/Date(ms)/" detection) and .NET
 * standard/custom date formatting (invariant culture). The gateway's local time is UTC. */
#include <stdio.h>
#include <string.h>

#include "base/civil.h"
#include "liquid_impl.h"

#define TICKS_PER_SEC 10000000LL
#define TICKS_PER_DAY 864000000000LL
#define UNIX_EPOCH    621355968000000000LL /* ticks of 1970-01-01 */
#define MAX_TICKS     3155378975999999999LL

static const char *const month_names[] = { "January",   "February", "March",    "April",
                                           "May",       "June",     "July",     "August",
                                           "September", "October",  "November", "December" };
static const char *const day_names[] = { "Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday" };

static int days_in_month(int y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

void lq_date_from_unix_ms(int64_t ms, lq_date *out)
{
    *out = (lq_date){ .ticks = UNIX_EPOCH + ms * 10000, .has_offset = true, .kind = 1 };
}

/* ---- parsing ---- */

typedef struct scan {
    const char *s;
    size_t n, i;
} scan;

static bool digits(scan *c, int min, int max, int *out)
{
    int v = 0, k = 0;
    while (c->i < c->n && k < max && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
        v = v * 10 + (c->s[c->i++] - '0');
        k++;
    }
    *out = v;
    return k >= min;
}

static bool lit(scan *c, char ch)
{
    if (c->i < c->n && c->s[c->i] == ch) {
        c->i++;
        return true;
    }
    return false;
}

static void skip_ws(scan *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
        c->i++;
}

/* [Z | +hh:mm | +hhmm | +hh]; *has is false when there is no zone. */
static bool zone(scan *c, bool *has, bool *z, int *off)
{
    *has = *z = false;
    *off = 0;
    if (c->i < c->n && (c->s[c->i] == 'Z' || c->s[c->i] == 'z')) {
        c->i++;
        *has = *z = true;
        return true;
    }
    if (c->i >= c->n || (c->s[c->i] != '+' && c->s[c->i] != '-'))
        return true;
    int sign = c->s[c->i++] == '-' ? -1 : 1, hh, mm = 0;
    if (!digits(c, 2, 2, &hh))
        return false;
    if (lit(c, ':') ? !digits(c, 2, 2, &mm) : (digits(c, 0, 2, &mm), false))
        return false;
    if (hh > 14 || mm > 59)
        return false;
    *has = true;
    *off = sign * (hh * 60 + mm);
    return true;
}

/* HH:mm[:ss[.fffffff]] */
static bool time_of_day(scan *c, int64_t *t)
{
    int hh, mi, ss = 0;
    if (!digits(c, 1, 2, &hh) || !lit(c, ':') || !digits(c, 2, 2, &mi))
        return false;
    int64_t frac = 0;
    if (lit(c, ':')) {
        if (!digits(c, 2, 2, &ss))
            return false;
        if (lit(c, '.')) {
            int k = 0;
            while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
                if (k++ < 7)
                    frac = frac * 10 + (c->s[c->i] - '0');
                c->i++;
            }
            if (k == 0)
                return false;
            for (; k < 7; k++)
                frac *= 10;
        }
    }
    if (hh > 23 || mi > 59 || ss > 59)
        return false;
    *t = ((int64_t)hh * 3600 + mi * 60 + ss) * TICKS_PER_SEC + frac;
    return true;
}

static bool make(int y, int m, int d, int64_t tod, lq_date *out)
{
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    out->ticks = UNIX_EPOCH + civil_days_from(y, m, d) * TICKS_PER_DAY + tod;
    return true;
}

static int month_from_name(const char *p, size_t n)
{
    for (int m = 0; m < 12; m++)
        if (n >= 3 && strncmp(p, month_names[m], 3) == 0)
            return m + 1;
    return 0;
}

/* Applies the zone: a DateTimeOffset keeps the wall clock and the offset; a DateTime
 * (Json.NET) becomes UTC (kind Utc for 'Z', Local for an offset). */
static bool finish(lq_date *d, bool strict, bool has, bool z, int off)
{
    if (strict) {
        d->has_offset = false;
        d->kind = has ? (z ? 1 : 2) : 0;
        d->ticks -= (int64_t)off * 60 * TICKS_PER_SEC;
        d->offset_min = 0;
    } else {
        d->has_offset = true;
        d->kind = 0;
        d->offset_min = off;
    }
    return d->ticks >= 0 && d->ticks <= MAX_TICKS;
}

/* ISO: yyyy-MM-dd[(T| )HH:mm[:ss[.f]]][zone] (strict: T and the time are required). */
static bool parse_iso(scan *c, bool strict, lq_date *out)
{
    int y, m, d;
    if (!digits(c, 4, 4, &y) || !lit(c, '-') || !digits(c, 2, 2, &m) || !lit(c, '-') ||
        !digits(c, 2, 2, &d))
        return false;
    int64_t tod = 0;
    bool has = false, z = false;
    int off = 0;
    if (c->i < c->n && (c->s[c->i] == 'T' || (!strict && c->s[c->i] == ' '))) {
        c->i++;
        if (!time_of_day(c, &tod))
            return false;
        if (!strict)
            skip_ws(c);
        if (!zone(c, &has, &z, &off))
            return false;
    } else if (strict) {
        return false;
    }
    if (!strict)
        skip_ws(c);
    return c->i == c->n && make(y, m, d, tod, out) && finish(out, strict, has, z, off);
}

/* M/d/yyyy[ h:mm[:ss][ AM|PM]][ zone] */
static bool parse_us(scan *c, lq_date *out)
{
    int y, m, d;
    if (!digits(c, 1, 2, &m) || !lit(c, '/') || !digits(c, 1, 2, &d) || !lit(c, '/') ||
        !digits(c, 4, 4, &y))
        return false;
    int64_t tod = 0;
    bool has = false, z = false;
    int off = 0;
    skip_ws(c);
    if (c->i < c->n) {
        if (!time_of_day(c, &tod))
            return false;
        skip_ws(c);
        if (c->i + 1 < c->n && (c->s[c->i + 1] == 'M' || c->s[c->i + 1] == 'm')) {
            char ap = c->s[c->i];
            int64_t h12 = tod / (3600 * TICKS_PER_SEC);
            if ((ap != 'A' && ap != 'a' && ap != 'P' && ap != 'p') || h12 < 1 || h12 > 12)
                return false;
            if (h12 == 12)
                tod -= 12 * 3600 * TICKS_PER_SEC;
            if (ap == 'P' || ap == 'p')
                tod += 12 * 3600 * TICKS_PER_SEC;
            c->i += 2;
            skip_ws(c);
        }
        if (!zone(c, &has, &z, &off))
            return false;
        skip_ws(c);
    }
    return c->i == c->n && make(y, m, d, tod, out) && finish(out, false, has, z, off);
}

/* RFC 1123: [ddd, ]dd MMM yyyy[ HH:mm[:ss]][ GMT|zone] */
static bool parse_rfc(scan *c, lq_date *out)
{
    if (c->i + 4 <= c->n && c->s[c->i + 3] == ',')
        c->i += 4;
    skip_ws(c);
    int y, d, m;
    if (!digits(c, 1, 2, &d))
        return false;
    skip_ws(c);
    if (c->i + 3 > c->n || !(m = month_from_name(c->s + c->i, c->n - c->i)))
        return false;
    c->i += 3;
    skip_ws(c);
    if (!digits(c, 4, 4, &y))
        return false;
    skip_ws(c);
    int64_t tod = 0;
    bool has = false, z = false;
    int off = 0;
    if (c->i < c->n && !time_of_day(c, &tod))
        return false;
    skip_ws(c);
    if (c->i + 3 <= c->n &&
        (memcmp(c->s + c->i, "GMT", 3) == 0 || memcmp(c->s + c->i, "UTC", 3) == 0)) {
        c->i += 3;
        has = true;
    } else if (!zone(c, &has, &z, &off)) {
        return false;
    }
    skip_ws(c);
    return c->i == c->n && make(y, m, d, tod, out) && finish(out, false, has, z, off);
}

bool lq_date_parse(const char *s, size_t n, bool strict, lq_date *out)
{
    *out = (lq_date){ 0 };
    if (!s || n == 0 || n > 64)
        return false;
    scan c = { s, n, 0 };
    if (n > 8 && memcmp(s, "/Date(", 6) == 0 && memcmp(s + n - 2, ")/", 2) == 0) {
        c.i = 6;
        bool neg = lit(&c, '-');
        int64_t ms = 0;
        int k = 0;
        while (c.i < n && s[c.i] >= '0' && s[c.i] <= '9' && k < 15) {
            ms = ms * 10 + (s[c.i++] - '0');
            k++;
        }
        if (k == 0)
            return false;
        bool has, z;
        int off;
        if (!zone(&c, &has, &z, &off) || c.i != n - 2)
            return false;
        lq_date_from_unix_ms(neg ? -ms : ms, out);
        out->has_offset = !strict;
        return out->ticks >= 0 && out->ticks <= MAX_TICKS;
    }
    if (parse_iso(&c, strict, out))
        return true;
    if (strict)
        return false;
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    c = (scan){ s, n, 0 };
    if (parse_iso(&c, false, out))
        return true;
    c.i = 0;
    if (parse_us(&c, out))
        return true;
    c.i = 0;
    return parse_rfc(&c, out);
}

/* ---- formatting ---- */

typedef struct parts {
    int y, mo, d, h, mi, s, dow;
    int64_t frac; /* ticks within the second */
} parts;

static void split_ticks(int64_t ticks, parts *p)
{
    int64_t days = ticks / TICKS_PER_DAY, rem = ticks % TICKS_PER_DAY;
    int64_t year;
    civil_from_days(days - UNIX_EPOCH / TICKS_PER_DAY, &year, &p->mo, &p->d);
    p->y = (int)year;
    p->dow = (int)((days + 1) % 7); /* 0001-01-01 was a Monday */
    int64_t secs = rem / TICKS_PER_SEC;
    p->frac = rem % TICKS_PER_SEC;
    p->h = (int)(secs / 3600);
    p->mi = (int)(secs / 60 % 60);
    p->s = (int)(secs % 60);
}

static int put_offset(buf *b, int off, int width)
{
    char sign = off < 0 ? '-' : '+';
    int a = off < 0 ? -off : off;
    if (width == 1)
        return buf_printf(b, "%c%d", sign, a / 60);
    if (width == 2)
        return buf_printf(b, "%c%02d", sign, a / 60);
    return buf_printf(b, "%c%02d:%02d", sign, a / 60, a % 60);
}

static int custom(const lq_date *dt, const char *f, size_t n, buf *b);

static const char *standard(char c)
{
    switch (c) {
    case 'd':
        return "MM/dd/yyyy";
    case 'D':
        return "dddd, dd MMMM yyyy";
    case 'f':
        return "dddd, dd MMMM yyyy HH:mm";
    case 'F':
        return "dddd, dd MMMM yyyy HH:mm:ss";
    case 'g':
        return "MM/dd/yyyy HH:mm";
    case 'G':
        return "MM/dd/yyyy HH:mm:ss";
    case 'M':
    case 'm':
        return "MMMM dd";
    case 'O':
    case 'o':
        return "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK";
    case 'R':
    case 'r':
        return "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'";
    case 's':
        return "yyyy'-'MM'-'dd'T'HH':'mm':'ss";
    case 't':
        return "HH:mm";
    case 'T':
        return "HH:mm:ss";
    case 'u':
        return "yyyy'-'MM'-'dd HH':'mm':'ss'Z'";
    case 'U':
        return "dddd, dd MMMM yyyy HH:mm:ss";
    case 'Y':
    case 'y':
        return "yyyy MMMM";
    default:
        return NULL;
    }
}

int lq_date_format(const lq_date *d, const char *f, size_t n, buf *b)
{
    const char *std = n == 1 ? standard(f[0]) : NULL;
    if (!std)
        return custom(d, f, n, b);
    lq_date u = *d;
    if (strchr("RruU", f[0]) && (d->has_offset || f[0] == 'U')) { /* these print UTC */
        u.ticks -= (int64_t)d->offset_min * 60 * TICKS_PER_SEC;
        u.offset_min = 0;
        u.kind = 1;
    }
    return custom(&u, std, strlen(std), b);
}

static size_t run_of(const char *f, size_t n, size_t i)
{
    size_t k = i;
    while (k < n && f[k] == f[i])
        k++;
    return k - i;
}

static int put_num(buf *b, int64_t v, size_t width)
{
    return buf_printf(b, "%0*lld", (int)(width > 9 ? 9 : width), (long long)v);
}

static int put_frac(buf *b, int64_t frac, size_t k, bool trim)
{
    char t[24];
    snprintf(t, sizeof t, "%07lld", (long long)(frac % TICKS_PER_SEC));
    size_t len = k > 7 ? 7 : k;
    if (trim) {
        while (len > 0 && t[len - 1] == '0')
            len--;
        if (len == 0 && b->len > 0 && b->ptr[b->len - 1] == '.')
            b->ptr[--b->len] = '\0'; /* "ss.FFF" with no fraction drops the '.' too */
    }
    return buf_append(b, t, len);
}

static int custom(const lq_date *dt, const char *f, size_t n, buf *b)
{
    parts p;
    split_ticks(dt->ticks, &p);
    int r = 0;
    for (size_t i = 0; i < n && r == 0;) {
        char c = f[i];
        size_t k = run_of(f, n, i);
        switch (c) {
        case 'd':
            if (k <= 2)
                r = put_num(b, p.d, k);
            else
                r = k == 3 ? buf_append(b, day_names[p.dow], 3) : buf_puts(b, day_names[p.dow]);
            break;
        case 'M':
            if (k <= 2)
                r = put_num(b, p.mo, k);
            else
                r = k == 3 ? buf_append(b, month_names[p.mo - 1], 3)
                           : buf_puts(b, month_names[p.mo - 1]);
            break;
        case 'y':
            r = k <= 2 ? put_num(b, p.y % 100, k) : put_num(b, p.y, k);
            break;
        case 'h':
            r = put_num(b, p.h % 12 ? p.h % 12 : 12, k > 2 ? 2 : k);
            break;
        case 'H':
            r = put_num(b, p.h, k > 2 ? 2 : k);
            break;
        case 'm':
            r = put_num(b, p.mi, k > 2 ? 2 : k);
            break;
        case 's':
            r = put_num(b, p.s, k > 2 ? 2 : k);
            break;
        case 'f':
        case 'F':
            r = put_frac(b, p.frac, k, c == 'F');
            break;
        case 't':
            r = k == 1 ? buf_putc(b, p.h < 12 ? 'A' : 'P') : buf_puts(b, p.h < 12 ? "AM" : "PM");
            break;
        case 'g':
            r = buf_puts(b, "A.D.");
            break;
        case 'z':
            r = put_offset(b, dt->has_offset ? dt->offset_min : 0, k > 3 ? 3 : (int)k);
            break;
        case 'K':
            k = 1;
            if (dt->has_offset || dt->kind == 2)
                r = put_offset(b, dt->has_offset ? dt->offset_min : 0, 3);
            else if (dt->kind == 1)
                r = buf_putc(b, 'Z');
            break;
        case '\'':
        case '"': {
            size_t e = i + 1;
            while (e < n && f[e] != c)
                e++;
            r = buf_append(b, f + i + 1, e - i - 1);
            k = (e < n ? e + 1 : n) - i;
            break;
        }
        case '%':
            k = 1;
            if (i + 1 < n && f[i + 1] != '%') { /* "%d": the single custom specifier d */
                size_t kk = run_of(f, n, i + 1);
                r = custom(dt, f + i + 1, 1, b);
                k = 1 + (kk > 0 ? 1 : 0);
            }
            break;
        case '\\':
            k = i + 1 < n ? 2 : 1;
            if (i + 1 < n)
                r = buf_putc(b, f[i + 1]);
            break;
        default:
            k = 1;
            r = buf_putc(b, c);
        }
        i += k;
    }
    return r;
}
