#ifndef RUNTIME_BASE_ARENA_H
#define RUNTIME_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "str.h"

/* A region allocator: many allocations, one release (nginx pools, h2o mem pools).
 * Two lifetimes use it: the config arena of a loaded policy set and the request arena.
 * With -DARENA_DEBUG every allocation is its own malloc() so ASan sees overruns. */
typedef struct arena_chunk arena_chunk;
typedef struct arena_cleanup arena_cleanup;

typedef struct arena {
    arena_chunk *chunks;     /* newest first */
    arena_cleanup *cleanups; /* run LIFO at release */
    size_t used;             /* bytes handed out, for the cap */
    size_t cap;              /* 0 = unlimited */
} arena;

#define ARENA_REQUEST_CAP ((size_t)8 << 20)

/* Fills a caller-owned arena. cap = 0 means no limit. */
void arena_init(arena *a, size_t cap);
/* Runs the deferred cleanups (LIFO) and frees every chunk; the arena can be reused. */
void arena_release(arena *a);
/* Zeroed memory aligned for any type. NULL only when the cap is reached. */
void *arena_alloc(arena *a, size_t n);
/* Like arena_alloc, for nmemb*size with overflow check. */
void *arena_calloc(arena *a, size_t nmemb, size_t size);
/* Copies p[0..n) and adds a NUL. NULL when the cap is reached. */
char *arena_strndup(arena *a, const char *p, size_t n);
char *arena_strdup(arena *a, const char *s);
/* A NUL-terminated copy of s as a str (ptr NUL-terminated). */
str arena_str(arena *a, str s);
/* printf into the arena; NULL when the cap is reached. */
char *arena_sprintf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vsprintf(arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Grows the allocation p (old size old_n) to n bytes, copying; the old block is not freed. */
void *arena_realloc(arena *a, void *p, size_t old_n, size_t n);
/* Registers fn(arg) to run at arena_release(). Returns 0, or -1 at the cap. */
int arena_defer(arena *a, void (*fn)(void *), void *arg);

#endif
