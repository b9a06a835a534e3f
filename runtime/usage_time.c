/* Timestamps and durations for `apimlite usage`: ISO-8601 parsing without the C library's
 * time zone machinery (TimeGenerated is UTC or carries its own offset), and UTC formatting. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/civil.h"
#include "usage.h"

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SEC)
#define MAX_DUR_US (INT64_C(1000000000000000000)) /* ~31,700 years: keeps now - d in range */

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads exactly n digits at s[*i]; advances *i. */
static bool take_digits(const char *s, size_t len, size_t *i, int n, int *out)
{
    int v = 0;
    for (int k = 0; k < n; k++) {
        if (*i >= len || !is_digit(s[*i]))
            return false;
        v = v * 10 + (s[*i] - '0');
        (*i)++;
    }
    *out = v;
    return true;
}

static bool take_char(const char *s, size_t len, size_t *i, char c)
{
    if (*i < len && s[*i] == c) {
        (*i)++;
        return true;
    }
    return false;
}

/* offset -> ('Z' | 'z' | ('+' | '-') HH [[':'] MM])? ; returns the offset in seconds east. */
static bool parse_offset(const char *s, size_t len, size_t *i, int64_t *off_s)
{
    *off_s = 0;
    if (*i >= len)
        return true;
    if (s[*i] == 'Z' || s[*i] == 'z') {
        (*i)++;
        return true;
    }
    if (s[*i] != '+' && s[*i] != '-')
        return false;
    int sign = s[*i] == '-' ? -1 : 1;
    (*i)++;
    int oh = 0;
    int om = 0;
    if (!take_digits(s, len, i, 2, &oh))
        return false;
    if (*i < len) {
        take_char(s, len, i, ':');
        if (!take_digits(s, len, i, 2, &om))
            return false;
    }
    if (oh > 23 || om > 59)
        return false;
    *off_s = sign * (int64_t)(oh * 3600 + om * 60);
    return true;
}

/* time -> YYYY '-' MM '-' DD [('T' | 't' | ' ') HH ':' MM [':' SS [('.' | ',') digits]] offset] */
int rt_usage_parse_time(const char *s, size_t len, int64_t *out_us)
{
    size_t i = 0;
    int y = 0;
    int mo = 0;
    int d = 0;
    if (!take_digits(s, len, &i, 4, &y) || !take_char(s, len, &i, '-') ||
        !take_digits(s, len, &i, 2, &mo) || !take_char(s, len, &i, '-') ||
        !take_digits(s, len, &i, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return -1;
    int h = 0;
    int mi = 0;
    int sec = 0;
    int64_t frac_us = 0;
    int64_t off_s = 0;
    if (i < len) {
        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
            return -1;
        i++;
        if (!take_digits(s, len, &i, 2, &h) || !take_char(s, len, &i, ':') ||
            !take_digits(s, len, &i, 2, &mi))
            return -1;
        if (take_char(s, len, &i, ':')) {
            if (!take_digits(s, len, &i, 2, &sec))
                return -1;
            if (i < len && (s[i] == '.' || s[i] == ',')) {
                i++;
                int ndig = 0;
                int64_t scale = 100000;
                while (i < len && is_digit(s[i])) {
                    if (ndig < 6) {
                        frac_us += (s[i] - '0') * scale;
                        scale /= 10;
                    }
                    ndig++;
                    i++;
                }
                if (ndig == 0)
                    return -1;
            }
        }
        if (h > 23 || mi > 59 || sec > 59)
            return -1;
        if (!parse_offset(s, len, &i, &off_s))
            return -1;
    }
    if (i != len)
        return -1;
    int64_t secs = civil_days_from(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off_s;
    *out_us = secs * US_PER_SEC + frac_us;
    return 0;
}

/* Scales n by unit; -1 when it leaves the duration range. */
static int add_scaled(int64_t *acc, int64_t n, int64_t unit_us)
{
    if (n > MAX_DUR_US / unit_us)
        return -1;
    int64_t v = n * unit_us;
    if (*acc > MAX_DUR_US - v)
        return -1;
    *acc += v;
    return 0;
}

/* Reads a decimal number of at most 15 digits at s[*i]. */
static bool take_number(const char *s, size_t *i, int64_t *out)
{
    int64_t v = 0;
    size_t start = *i;
    while (is_digit(s[*i])) {
        if (*i - start >= 15)
            return false;
        v = v * 10 + (s[*i] - '0');
        (*i)++;
    }
    *out = v;
    return *i > start;
}

/* iso_duration -> 'P' [n 'W'] [n 'D'] ['T' [n 'H'] [n 'M'] [n 'S']] */
static int parse_iso_duration(const char *s, int64_t *out_us)
{
    static const struct {
        char unit;
        bool in_time;
        int64_t us;
    } parts[] = {
        { 'W', false, 7 * US_PER_DAY },   { 'D', false, US_PER_DAY },
        { 'H', true, 3600 * US_PER_SEC }, { 'M', true, 60 * US_PER_SEC },
        { 'S', true, US_PER_SEC },
    };
    size_t i = 1;
    size_t next = 0;
    bool in_time = false;
    bool any = false;
    int64_t acc = 0;
    while (s[i]) {
        if (s[i] == 'T' && !in_time) {
            in_time = true;
            i++;
            continue;
        }
        int64_t n = 0;
        if (!take_number(s, &i, &n))
            return -1;
        while (next < sizeof parts / sizeof parts[0] &&
               (parts[next].unit != s[i] || parts[next].in_time != in_time))
            next++;
        if (next == sizeof parts / sizeof parts[0] || add_scaled(&acc, n, parts[next].us) < 0)
            return -1;
        next++;
        i++;
        any = true;
    }
    if (!any)
        return -1;
    *out_us = acc;
    return 0;
}

/* duration -> (digits ('ms' | 's' | 'm' | 'h' | 'd' | 'w'))+ | iso_duration */
int rt_usage_parse_duration(const char *s, int64_t *out_us)
{
    if (s[0] == 'P')
        return parse_iso_duration(s, out_us);
    size_t i = 0;
    int64_t acc = 0;
    if (!s[0])
        return -1;
    while (s[i]) {
        int64_t n = 0;
        if (!take_number(s, &i, &n))
            return -1;
        int64_t unit = 0;
        if (s[i] == 'm' && s[i + 1] == 's') {
            unit = 1000;
            i++;
        } else if (s[i] == 's') {
            unit = US_PER_SEC;
        } else if (s[i] == 'm') {
            unit = 60 * US_PER_SEC;
        } else if (s[i] == 'h') {
            unit = 3600 * US_PER_SEC;
        } else if (s[i] == 'd') {
            unit = US_PER_DAY;
        } else if (s[i] == 'w') {
            unit = 7 * US_PER_DAY;
        } else {
            return -1;
        }
        i++;
        if (add_scaled(&acc, n, unit) < 0)
            return -1;
    }
    *out_us = acc;
    return 0;
}

int rt_usage_parse_when(const char *s, int64_t now_us, int64_t *out_us)
{
    if (rt_usage_parse_time(s, strlen(s), out_us) == 0)
        return 0;
    int64_t d = 0;
    if (rt_usage_parse_duration(s, &d) < 0)
        return -1;
    *out_us = now_us - d;
    return 0;
}

/* Splits us into whole days since the epoch and the microseconds within the day (floor). */
static void split_day(int64_t us, int64_t *days, int64_t *in_day)
{
    *days = us / US_PER_DAY;
    *in_day = us % US_PER_DAY;
    if (*in_day < 0) {
        *in_day += US_PER_DAY;
        (*days)--;
    }
}

void rt_usage_format_time(int64_t us, char *out, size_t outlen)
{
    int64_t days = 0;
    int64_t in_day = 0;
    split_day(us, &days, &in_day);
    int64_t y = 0;
    int m = 0;
    int d = 0;
    civil_from_days(days, &y, &m, &d);
    int64_t secs = in_day / US_PER_SEC;
    int64_t frac = in_day % US_PER_SEC;
    /* ISO-8601 expanded years (-0712, +12026) for what a long relative duration can reach */
    const char *sign = y < 0 ? "-" : y > 9999 ? "+" : "";
    int n = snprintf(out, outlen, "%s%04lld-%02d-%02dT%02d:%02d:%02d", sign,
                     (long long)(y < 0 ? -y : y), m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
                     (int)(secs % 60));
    if (n < 0 || (size_t)n >= outlen)
        return;
    if (frac)
        snprintf(out + n, outlen - (size_t)n, ".%06lldZ", (long long)frac);
    else
        snprintf(out + n, outlen - (size_t)n, "Z");
}

void rt_usage_format_day(int64_t us, char *out, size_t outlen)
{
    int64_t days = 0;
    int64_t in_day = 0;
    split_day(us, &days, &in_day);
    int64_t y = 0;
    int m = 0;
    int d = 0;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, outlen, "%04lld-%02d-%02d", (long long)y, m, d);
}

void rt_usage_format_hour(int64_t us, char *out, size_t outlen)
{
    int64_t days = 0;
    int64_t in_day = 0;
    split_day(us, &days, &in_day);
    int64_t y = 0;
    int m = 0;
    int d = 0;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, outlen, "%04lld-%02d-%02dT%02d:00Z", (long long)y, m, d,
             (int)(in_day / (3600 * US_PER_SEC)));
}
