/* Typed literal values of attributes (pol_attr_type) and name suggestions. */
#include <ctype.h>
#include <stdlib.h>
#include <strings.h>

#include "impl.h"

static bool all_digits(const char *p, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
    }
    return true;
}

static bool is_double(str t)
{
    size_t i = 0, n = t.len;
    const char *p = t.ptr;
    if (i < n && (p[i] == '-' || p[i] == '+'))
        i++;
    size_t d = 0;
    while (i < n && isdigit((unsigned char)p[i]))
        i++, d++;
    if (i < n && p[i] == '.') {
        i++;
        while (i < n && isdigit((unsigned char)p[i]))
            i++, d++;
    }
    if (!d)
        return false;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '-' || p[i] == '+'))
            i++;
        if (i >= n || !isdigit((unsigned char)p[i]))
            return false;
        while (i < n && isdigit((unsigned char)p[i]))
            i++;
    }
    return i == n;
}

/* yyyy-MM-ddTHH:mm:ss[.fff][Z|(+|-)hh:mm], or a date alone */
static bool is_datetime(str t)
{
    const char *p = t.ptr;
    size_t n = t.len;
    if (n < 10 || !all_digits(p, 4) || p[4] != '-' || !all_digits(p + 5, 2) || p[7] != '-' ||
        !all_digits(p + 8, 2))
        return false;
    if (n == 10)
        return true;
    if ((p[10] != 'T' && p[10] != ' ') || n < 16 || !all_digits(p + 11, 2) || p[13] != ':' ||
        !all_digits(p + 14, 2))
        return false;
    size_t i = 16;
    if (i < n && p[i] == ':') {
        if (i + 3 > n || !all_digits(p + i + 1, 2))
            return false;
        i += 3;
        if (i < n && p[i] == '.') {
            i++;
            size_t f = i;
            while (i < n && isdigit((unsigned char)p[i]))
                i++;
            if (i == f)
                return false;
        }
    }
    if (i == n)
        return true;
    if (p[i] == 'Z' && i + 1 == n)
        return true;
    if ((p[i] == '+' || p[i] == '-') && i + 6 == n && all_digits(p + i + 1, 2) && p[i + 3] == ':' &&
        all_digits(p + i + 4, 2))
        return true;
    return false;
}

static bool is_url(str t)
{
    size_t skip;
    if (t.len > 7 && !strncasecmp(t.ptr, "http://", 7))
        skip = 7;
    else if (t.len > 8 && !strncasecmp(t.ptr, "https://", 8))
        skip = 8;
    else
        return false;
    if (t.ptr[skip] == '/' || t.ptr[skip] == '?' || t.ptr[skip] == '#')
        return false;
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.ptr[i];
        if (c <= ' ' || c == 0x7f)
            return false;
    }
    return true;
}

const char *pol_attr_check_literal(const pol_attr *at, str text)
{
    str t = str_trim(text);
    switch (at->type) {
    case POL_T_STR:
        return NULL;
    case POL_T_INT: {
        const char *p = t.ptr;
        size_t n = t.len;
        if (n && (p[0] == '-' || p[0] == '+'))
            p++, n--;
        return all_digits(p, n) && n <= 18 ? NULL : "an integer";
    }
    case POL_T_UINT:
        return all_digits(t.ptr, t.len) && t.len <= 18 ? NULL : "a non-negative integer";
    case POL_T_DOUBLE:
        return is_double(t) ? NULL : "a number";
    case POL_T_BOOL:
        return str_ieq(t, STR_LIT("true")) || str_ieq(t, STR_LIT("false")) ? NULL : "true or false";
    case POL_T_ENUM:
        for (const char *const *v = at->values; v && *v; v++) {
            if (str_ieq(t, str_from(*v)))
                return NULL;
        }
        return "one of"; /* the caller lists the values */
    case POL_T_DATETIME:
        return is_datetime(t) ? NULL : "an ISO-8601 date and time (e.g. 2024-01-01T00:00:00Z)";
    case POL_T_URL:
        return is_url(t) ? NULL : "an absolute http(s) URL";
    }
    return NULL;
}

size_t pol_edit_distance(str a, str b, size_t cap)
{
    if (a.len > 64 || b.len > 64)
        return cap + 1;
    size_t diff = a.len > b.len ? a.len - b.len : b.len - a.len;
    if (diff > cap)
        return cap + 1;
    size_t prev[65], cur[65];
    for (size_t j = 0; j <= b.len; j++)
        prev[j] = j;
    for (size_t i = 1; i <= a.len; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= b.len; j++) {
            size_t cost =
                tolower((unsigned char)a.ptr[i - 1]) == tolower((unsigned char)b.ptr[j - 1]) ? 0
                                                                                             : 1;
            size_t m = prev[j] + 1;
            if (cur[j - 1] + 1 < m)
                m = cur[j - 1] + 1;
            if (prev[j - 1] + cost < m)
                m = prev[j - 1] + cost;
            cur[j] = m;
        }
        memcpy(prev, cur, (b.len + 1) * sizeof *prev);
    }
    return prev[b.len] > cap ? cap + 1 : prev[b.len];
}
