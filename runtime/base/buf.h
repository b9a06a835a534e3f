#ifndef RUNTIME_BASE_BUF_H
#define RUNTIME_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "str.h"

/* A growable byte buffer on the heap with a size cap (curl's dynbuf). Always NUL-terminated
 * after the first append. */
typedef struct buf {
    char *ptr;
    size_t len;
    size_t alloc;
    size_t cap; /* appends that would exceed it fail; 0 = unlimited */
} buf;

void buf_init(buf *b, size_t cap);
void buf_release(buf *b);
/* Each returns 0, or -1 when the cap would be exceeded (the buffer is unchanged). */
int buf_append_grow(buf *b, const void *p, size_t n); /* buf_append past the allocation */
static inline int buf_append(buf *b, const void *p, size_t n)
{
    /* the common case inline: it fits the allocation and the cap */
    if (b->len + n < b->alloc && (!b->cap || b->len + n <= b->cap)) {
        if (n)
            memcpy(b->ptr + b->len, p, n);
        b->len += n;
        b->ptr[b->len] = '\0';
        return 0;
    }
    return buf_append_grow(b, p, n);
}
int buf_puts(buf *b, const char *s);
static inline int buf_putc(buf *b, char c)
{
    return buf_append(b, &c, 1);
}
/* Empties the buffer and keeps its allocation (for reuse). */
static inline void buf_reset(buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static inline str buf_str(const buf *b)
{
    return (str){ b->ptr ? b->ptr : "", b->len };
}
/* Gives up ownership of the bytes (caller frees); the buffer is empty afterwards. */
char *buf_detach(buf *b, size_t *len);

#endif
