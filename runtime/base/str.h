#ifndef RUNTIME_BASE_STR_H
#define RUNTIME_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* A borrowed byte slice (nginx's ngx_str_t). Not NUL-terminated unless said so. */
typedef struct str {
    const char *ptr;
    size_t len;
} str;

#define STR_LIT(s) ((str){ (s), sizeof(s) - 1 })
#define STR_NULL   ((str){ NULL, 0 })
#define STR_FMT(s) (int)(s).len, (s).ptr /* printf("%.*s", STR_FMT(s)) */

static inline str str_from(const char *s)
{
    return (str){ s, s ? strlen(s) : 0 };
}

static inline str str_make(const char *p, size_t n)
{
    return (str){ p, n };
}

static inline bool str_eq(str a, str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static inline bool str_eq_cstr(str a, const char *b)
{
    return str_eq(a, str_from(b));
}

/* ASCII case-insensitive comparison (HTTP header names). */
bool str_ieq(str a, str b);
bool str_starts_with(str s, str prefix);
bool str_ends_with(str s, str suffix);
/* Byte offset of the first occurrence of needle in s, or -1. */
long str_find(str s, str needle);
/* Slice without leading and trailing ASCII white space. */
str str_trim(str s);
/* The length of the longest prefix of s made of bytes a JSON string holds as they are,
 * without escaping or a UTF-8 check: printable ASCII 0x20..0x7E but '"' and '\\' (8 bytes at
 * a time). */
size_t str_json_plain_len(str s);
/* Ordinal comparison: <0, 0, >0 like memcmp with length as tie breaker. */
int str_cmp(str a, str b);

#endif
