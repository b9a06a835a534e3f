#ifndef RUNTIME_COUNTERS_IMPL_H
#define RUNTIME_COUNTERS_IMPL_H

/* Internals shared by counters*.c and backends.c (not for other modules). */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/counters.h"

/* A sliding window over sparse sub-buckets (see counters.h "Windows"). Each bucket holds two
 * counts: a (events: calls, tokens, failures) and b (breakers: all results). Buckets are kept
 * in ascending start order; only non-empty ones are stored. */
typedef struct rt_swin_bucket {
    int64_t start_ms;
    int64_t a;
    int64_t b;
} rt_swin_bucket;

typedef struct rt_swin {
    int64_t width_ms; /* bucket width: 1000, or more for periods over 1024 s */
    rt_swin_bucket *v;
    uint32_t n;
    uint32_t cap;
} rt_swin;

/* Empty window with the bucket width for period_ms. */
void rt_swin_init(rt_swin *w, int64_t period_ms);
void rt_swin_release(rt_swin *w);
/* Drops the buckets that no longer count for period_ms at now_ms. */
void rt_swin_prune(rt_swin *w, int64_t period_ms, int64_t now_ms);
/* Adds (a, b) at now_ms. */
void rt_swin_add(rt_swin *w, int64_t a, int64_t b, int64_t now_ms);
/* Sums of a and b over the buckets live for period_ms at now_ms (*b may be NULL). */
int64_t rt_swin_sum(const rt_swin *w, int64_t period_ms, int64_t now_ms, int64_t *b);
/* Milliseconds from now_ms until at least `excess` of a has left the window; -1 when the live
 * buckets hold less than that (it can never happen by waiting). */
int64_t rt_swin_wait_ms(const rt_swin *w, int64_t period_ms, int64_t now_ms, int64_t excess);
/* Whether no bucket is live for period_ms at now_ms. */
bool rt_swin_is_empty(const rt_swin *w, int64_t period_ms, int64_t now_ms);
void rt_swin_clear(rt_swin *w);

/* a + b for counts ≥ 0, saturating at INT64_MAX (increments come from expressions). */
static inline int64_t rt_sat_add(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* Floor division for possibly negative times. */
int64_t rt_floor_div(int64_t a, int64_t b);

/* ---- the memory store (counters_mem.c; persistence in counters_state.c) ---- */

/* Key spaces. */
enum rt_mem_ns { RT_NS_RATE, RT_NS_QUOTA, RT_NS_TPM, RT_NS_TQUOTA, RT_NS_CONC };

typedef struct rt_mem_entry rt_mem_entry;
struct rt_mem_entry {
    rt_mem_entry *hnext;               /* hash chain */
    rt_mem_entry *lru_prev, *lru_next; /* prev = more recently used */
    uint64_t hash;
    int ns; /* enum rt_mem_ns */
    union {
        struct {
            rt_swin win;
            int64_t max_period_ms; /* longest period seen: buckets older than it are dropped */
        } sw;                      /* RATE, TPM */
        struct {
            int64_t win_start, win_end; /* [start, end); INT64_MIN/MAX for period 0 */
            int64_t calls, bytes;
        } q; /* QUOTA */
        struct {
            int period; /* rt_token_period */
            int64_t win_start, win_end;
            int64_t tokens;
        } tq; /* TQUOTA */
        struct {
            int64_t held;
        } conc; /* CONC */
    };
    size_t klen;
    char key[]; /* klen bytes + NUL */
};

typedef struct rt_mem_store {
    rt_counter_store base;
    pthread_mutex_t mu;
    rt_mem_entry **tab; /* power-of-two bucket array */
    size_t tabsize;
    size_t count;
    size_t max_keys;
    rt_mem_entry *lru_head, *lru_tail; /* head = most recently used */
    char *damaged; /* a state file that failed to load: never overwritten (rt_mem_save) */
    /* quota-type changes so far, and as of the last save to saved_path: rt_mem_save skips
     * the write when nothing changed since */
    uint64_t changes, saved_changes;
    char *saved_path;
} rt_mem_store;

/* The entry (ns, key) or NULL. Marks it most recently used. Caller holds mu. */
rt_mem_entry *rt_mem_find(rt_mem_store *m, int ns, str key);
/* The entry (ns, key), created zeroed (and swin-initialized for period_ms when RATE/TPM) when
 * absent; may evict the least recently used entry when over max_keys. Caller holds mu. */
rt_mem_entry *rt_mem_get(rt_mem_store *m, int ns, str key, int64_t period_ms);
/* Unlinks and frees e. Caller holds mu. */
void rt_mem_remove(rt_mem_store *m, rt_mem_entry *e);
/* Whether e holds nothing that still counts at now_ms. */
bool rt_mem_is_expired(const rt_mem_entry *e, int64_t now_ms);
/* vtable entries implemented in counters_state.c. */
int rt_mem_save(rt_counter_store *s, const char *path, int64_t now_ms, char *err, size_t errlen);
int rt_mem_load(rt_counter_store *s, const char *path, int64_t now_ms, char *err, size_t errlen);

#endif
