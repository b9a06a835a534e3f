#include "str.h"

#include <ctype.h>

bool str_ieq(str a, str b)
{
    if (a.len != b.len)
        return false;
    if (a.ptr == b.ptr)
        return true;
    for (size_t i = 0; i < a.len; i++) {
        unsigned char x = (unsigned char)a.ptr[i], y = (unsigned char)b.ptr[i];
        if (x == y)
            continue;
        /* ASCII letters only (as tolower in the C locale) */
        x |= 0x20;
        if (x != (y | 0x20) || x < 'a' || x > 'z')
            return false;
    }
    return true;
}

bool str_starts_with(str s, str prefix)
{
    return s.len >= prefix.len && (prefix.len == 0 || memcmp(s.ptr, prefix.ptr, prefix.len) == 0);
}

bool str_ends_with(str s, str suffix)
{
    return s.len >= suffix.len &&
           (suffix.len == 0 || memcmp(s.ptr + s.len - suffix.len, suffix.ptr, suffix.len) == 0);
}

long str_find(str s, str needle)
{
    if (needle.len == 0)
        return 0;
    if (needle.len > s.len)
        return -1;
    for (size_t i = 0; i + needle.len <= s.len; i++) {
        if (s.ptr[i] == needle.ptr[0] && memcmp(s.ptr + i, needle.ptr, needle.len) == 0)
            return (long)i;
    }
    return -1;
}

str str_trim(str s)
{
    while (s.len && isspace((unsigned char)s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && isspace((unsigned char)s.ptr[s.len - 1]))
        s.len--;
    return s;
}

int str_cmp(str a, str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c)
        return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}
