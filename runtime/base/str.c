#include "str.h"

#include <ctype.h>
#include <stdint.h>

/* a[0..n) and b[0..n) equal but for the case of ASCII letters (as tolower in the C locale) */
static bool ieq_bytes(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x == y)
            continue;
        x |= 0x20;
        if (x != (y | 0x20) || x < 'a' || x > 'z')
            return false;
    }
    return true;
}

bool str_ieq(str a, str b)
{
    if (a.len != b.len)
        return false;
    if (a.ptr == b.ptr)
        return true;
    size_t i = 0;
    for (; i + 8 <= a.len; i += 8) { /* words spelled the same way compare 8 bytes at a time */
        uint64_t x, y;
        memcpy(&x, a.ptr + i, 8);
        memcpy(&y, b.ptr + i, 8);
        if (x != y && !ieq_bytes(a.ptr + i, b.ptr + i, 8))
            return false;
    }
    return ieq_bytes(a.ptr + i, b.ptr + i, a.len - i);
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

size_t str_json_plain_len(str s)
{
    static const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    const char *p = s.ptr, *end = s.ptr + s.len;
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w); /* the first byte in memory is the lowest */
#endif
        /* flags (high bit) for bytes < 0x20, == '"', == '\\', == 0x7F, >= 0x80; the lowest
         * flagged byte is exact (false positives of the zero-byte tests only come above a
         * true one) */
        uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\'), d = w ^ (ones * 0x7F);
        uint64_t m = ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b) |
                     ((d - ones) & ~d) | w;
        m &= high;
        if (m)
            return (size_t)(p - s.ptr) + ((size_t)__builtin_ctzll(m) >> 3);
        p += 8;
    }
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\')
            break;
        p++;
    }
    return (size_t)(p - s.ptr);
}
