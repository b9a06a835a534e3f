#include "arena.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define ALIGN       16
#define CHUNK_BYTES 8192

struct arena_chunk {
    arena_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t off;  /* next free byte */
    max_align_t data[];
};

struct arena_cleanup {
    arena_cleanup *next;
    void (*fn)(void *);
    void *arg;
};

/* Standard chunks released by an arena are kept per thread for the next request instead of
 * going back to malloc (a request takes one or two of them). At most CACHE_MAX per thread;
 * a thread's are freed when it exits. */
#define CACHE_MAX 32

#ifndef ARENA_DEBUG
typedef struct chunk_cache {
    arena_chunk *head;
    size_t n;
    bool registered; /* the exit destructor knows this thread's cache */
} chunk_cache;

static _Thread_local chunk_cache cache;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
    chunk_cache *cc = p;
    while (cc->head) {
        arena_chunk *c = cc->head;
        cc->head = c->next;
        free(c);
    }
    cc->n = 0;
}

static void cache_key_create(void)
{
    (void)pthread_key_create(&cache_key, cache_free);
}

#endif

/* Keeps c for reuse, or frees it. */
static void chunk_put(arena_chunk *c)
{
#ifndef ARENA_DEBUG
    if (c->size == CHUNK_BYTES && cache.n < CACHE_MAX) {
        if (!cache.registered) {
            pthread_once(&cache_once, cache_key_create);
            if (pthread_setspecific(cache_key, &cache) != 0) {
                free(c);
                return;
            }
            cache.registered = true;
        }
        c->next = cache.head;
        cache.head = c;
        cache.n++;
        return;
    }
#endif
    free(c);
}

void arena_init(arena *a, size_t cap)
{
    a->chunks = NULL;
    a->cleanups = NULL;
    a->used = 0;
    a->cap = cap;
}

void arena_release(arena *a)
{
    while (a->cleanups) {
        arena_cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->arg);
    }
    while (a->chunks) {
        arena_chunk *c = a->chunks;
        a->chunks = c->next;
        chunk_put(c);
    }
    a->used = 0;
}

static void *chunk_new(arena *a, size_t n)
{
    arena_chunk *c;
#ifndef ARENA_DEBUG
    if (n == CHUNK_BYTES && cache.head) {
        c = cache.head;
        cache.head = c->next;
        cache.n--;
    } else
#endif
    {
        c = xmalloc(sizeof *c + n);
    }
    c->size = n;
    c->off = 0;
    c->next = a->chunks;
    a->chunks = c;
    return c;
}

/* n bytes (not zeroed), n already aligned; NULL at the cap. */
static void *alloc_slow(arena *a, size_t n);

static inline void *alloc_raw(arena *a, size_t n)
{
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (n == 0)
        n = ALIGN;
    if (a->cap && a->used + n > a->cap)
        return NULL;
    a->used += n;
#ifndef ARENA_DEBUG
    arena_chunk *c = a->chunks;
    if (c && c->size - c->off >= n) { /* the common case: room in the current chunk */
        void *p = (char *)c->data + c->off;
        c->off += n;
        return p;
    }
#endif
    return alloc_slow(a, n);
}

static void *alloc_slow(arena *a, size_t n)
{
#ifdef ARENA_DEBUG
    arena_chunk *c = chunk_new(a, n);
    c->off = n;
    return c->data;
#else
    arena_chunk *c = a->chunks;
    if (n > CHUNK_BYTES / 4) {
        /* big blocks get their own chunk, behind the current one */
        arena_chunk *big = xmalloc(sizeof *big + n);
        big->size = n;
        big->off = n;
        if (c) {
            big->next = c->next;
            c->next = big;
        } else {
            big->next = NULL;
            a->chunks = big;
        }
        return big->data;
    }
    c = chunk_new(a, CHUNK_BYTES);
    void *p = (char *)c->data + c->off;
    c->off += n;
    return p;
#endif
}

void *arena_alloc(arena *a, size_t n)
{
    void *p = alloc_raw(a, n);
    if (p)
        memset(p, 0, n); /* the aligned tail past n is never read */
    return p;
}

void *arena_calloc(arena *a, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    return arena_alloc(a, nmemb * size);
}

char *arena_strndup(arena *a, const char *p, size_t n)
{
    char *s = alloc_raw(a, n + 1); /* every byte is written below */
    if (!s)
        return NULL;
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

str arena_str(arena *a, str s)
{
    char *p = arena_strndup(a, s.ptr ? s.ptr : "", s.len);
    return p ? (str){ p, s.len } : STR_NULL;
}

char *arena_vsprintf(arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *s = arena_alloc(a, (size_t)n + 1);
    if (!s)
        return NULL;
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *arena_sprintf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return s;
}

void *arena_realloc(arena *a, void *p, size_t old_n, size_t n)
{
    size_t keep = p && old_n ? (old_n < n ? old_n : n) : 0;
    char *q = alloc_raw(a, n);
    if (q) {
        if (keep)
            memcpy(q, p, keep);
        memset(q + keep, 0, n - keep);
    }
    return q;
}

int arena_defer(arena *a, void (*fn)(void *), void *arg)
{
    arena_cleanup *c = arena_alloc(a, sizeof *c);
    if (!c)
        return -1;
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
    return 0;
}
