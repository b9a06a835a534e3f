#ifndef RUNTIME_COUNTERS_H
#define RUNTIME_COUNTERS_H

/*
 * Counters for the throttling policies (spec/policies.md §3 limit-concurrency, §6 rate-limit,
 * rate-limit-by-key, quota, quota-by-key, azure-openai-token-limit / llm-token-limit).
 *
 * One interface, several stores (DESIGN.md §1): a store is a vtable (rt_counter_store) with one
 * operation entry point, rt_counter_exec(), taking a tagged operation (rt_counter_op) and
 * producing a tagged result (rt_counter_result). The in-memory store (rt_counter_mem_new)
 * answers at once (RT_COUNTER_DONE); a networked store (Redis, later) answers
 * RT_COUNTER_PENDING and calls the callback exactly once later, on the caller's event loop.
 * Callers must handle both (STYLE §8):
 *
 *     rt_counter_op op = { .kind = RT_COUNTER_RATE, .key = key, .now_ms = now,
 *                          .rate = { .limit = calls, .period_ms = period_s * 1000, .take = 1 } };
 *     rt_counter_result res;
 *     switch (rt_counter_exec(store, &op, &res, on_counter_done, r)) {
 *     case RT_COUNTER_DONE:    return apply(r, &res);     (callback NOT called)
 *     case RT_COUNTER_PENDING: return POL_SUSPEND;        (on_counter_done(r, &res) later)
 *     case RT_COUNTER_ERROR:   return fail(r, res.error); (callback NOT called)
 *     }
 *
 * Pure data structures: time is always passed in (now_ms, milliseconds since the Unix epoch,
 * virtual in tests). Nothing here reads a clock; the only I/O is the state file (save/load).
 *
 * Key namespaces: each operation family has its own key space (a rate-limit counter "k" and a
 * quota counter "k" are different counters). Within a family one counter per key value is
 * shared by every policy and scope that uses that key (spec §6).
 *
 * Windows (all [impl], documented here because APIM does not say):
 *  - Rate limit (RT_COUNTER_RATE / _RATE_ADD) and token TPM: sliding window over sub-buckets.
 *    A bucket is 1 s wide (aligned to whole Unix seconds) for periods up to 1024 s, else
 *    ceil(period / 1024) whole seconds wide. A hit made at time t lands in the bucket starting at
 *    b = t rounded down to the bucket width, and counts while now < b + period: an event lives
 *    between period - width and period. Retry-After = ceil((expiry of the oldest bucket that must
 *    leave for the request to fit - now) / 1000 ms), at least 1. Example: 10 calls/60 s all made
 *    at 00:00:00.000 → the 11th at 00:00:00 gets Retry-After 60, and at 00:01:00.000 it is
 * admitted.
 *  - Quota (RT_COUNTER_QUOTA / _QUOTA_ADD): fixed windows [start + k·period, start + (k+1)·period)
 *    for any integer k (start may lie in the future); period 0 = one window forever.
 *  - Token quota: fixed UTC calendar windows: hour, day, ISO week (starts Monday 00:00 UTC),
 *    calendar month, calendar year (Gregorian, leap years included).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/str.h"

typedef struct rt_counter_store rt_counter_store;

typedef enum rt_counter_status {
    RT_COUNTER_ERROR = -1,  /* invalid arguments or store failure; result.error says why */
    RT_COUNTER_DONE = 0,    /* result filled in now; the callback is not called */
    RT_COUNTER_PENDING = 1, /* the callback will be called once with the result */
} rt_counter_status;

typedef enum rt_counter_kind {
    /* Sliding-window rate limit: check, and when admitted add `take` (0 = check only).
     * Admitted iff used < limit (spec §6: "if used ≥ calls → reject"), whatever `take` is. */
    RT_COUNTER_RATE,
    /* Adds `take` unconditionally (increment decided after the response). limit is ignored. */
    RT_COUNTER_RATE_ADD,
    /* Fixed-window quota: check calls and bandwidth; when admitted add `calls_take` and
     * `bytes_take`. Admitted iff (calls == 0 || calls_used < calls) &&
     * (kb == 0 || bytes_used < kb * 1024). */
    RT_COUNTER_QUOTA,
    /* Adds calls_take / bytes_take unconditionally (bandwidth after the response). */
    RT_COUNTER_QUOTA_ADD,
    /* Token limit check: TPM (rolling minute) then token quota (calendar window); nothing is
     * added (usage is known only after the response: RT_COUNTER_TOKEN_ADD). */
    RT_COUNTER_TOKEN,
    /* Adds `take` tokens to the TPM window and, when period != NONE, to the quota window. */
    RT_COUNTER_TOKEN_ADD,
    /* limit-concurrency: take one slot if fewer than `max` are held. */
    RT_COUNTER_ACQUIRE,
    /* Gives back one slot taken by a successful ACQUIRE (never below 0). */
    RT_COUNTER_RELEASE,
} rt_counter_kind;

/* token-quota-period. ORDER RT_TOKEN_PERIOD (rt_token_period_names in counters.c) */
typedef enum rt_token_period {
    RT_TOKEN_PERIOD_NONE = 0, /* no token quota */
    RT_TOKEN_PERIOD_HOURLY,
    RT_TOKEN_PERIOD_DAILY,
    RT_TOKEN_PERIOD_WEEKLY, /* ISO week: Monday 00:00 UTC to next Monday */
    RT_TOKEN_PERIOD_MONTHLY,
    RT_TOKEN_PERIOD_YEARLY,
} rt_token_period;

/* Which limit refused a request. */
typedef enum rt_counter_refusal {
    RT_COUNTER_OK = 0,
    RT_COUNTER_BY_CALLS,     /* rate calls, quota calls ("Out of call volume quota") */
    RT_COUNTER_BY_BANDWIDTH, /* quota bandwidth ("Out of bandwidth quota") */
    RT_COUNTER_BY_TPM,       /* token TPM: 429 "Token limit is exceeded" */
    RT_COUNTER_BY_QUOTA,     /* token quota: 403 "Token quota is exceeded" */
    RT_COUNTER_BY_MAX,       /* concurrency: max-count slots held */
} rt_counter_refusal;

/* One operation. Unused members of the union are ignored. Counts are int64_t and must be ≥ 0. */
typedef struct rt_counter_op {
    rt_counter_kind kind;
    str key;        /* the counter key; the store copies it, the caller keeps ownership */
    int64_t now_ms; /* current time, ms since the Unix epoch */
    union {
        struct {
            int64_t limit;     /* calls per window (RATE); must be > 0 */
            int64_t period_ms; /* window length, > 0 (renewal-period × 1000) */
            int64_t take;      /* added when admitted (RATE) or always (RATE_ADD) */
        } rate;
        struct {
            int64_t calls;      /* call limit; 0 = no call limit */
            int64_t kb;         /* bandwidth limit in KB (1024 bytes); 0 = none */
            int64_t start_ms;   /* first-period-start (quota: subscription start) */
            int64_t period_ms;  /* renewal-period × 1000; 0 = never renews */
            int64_t calls_take; /* calls added (when admitted for QUOTA) */
            int64_t bytes_take; /* bytes added (when admitted for QUOTA) */
        } quota;
        struct {
            int64_t tpm;   /* tokens-per-minute; 0 = no TPM limit */
            int64_t quota; /* token-quota; ignored when period is NONE */
            rt_token_period period;
            int64_t need;       /* TOKEN: admitted by TPM iff left > 0 && left ≥ need */
            int64_t quota_need; /* TOKEN: admitted by quota iff left > 0 && left ≥ quota_need */
            int64_t take;       /* TOKEN_ADD: tokens consumed */
        } token;
        struct {
            int64_t max; /* max-count (ACQUIRE); must be > 0 */
        } conc;
    };
} rt_counter_op;

/* The answer to one operation. `kind` echoes the operation; only its union member is set. */
typedef struct rt_counter_result {
    rt_counter_kind kind;
    bool admitted;              /* always true for the *_ADD kinds and RELEASE */
    rt_counter_refusal refusal; /* why not admitted (RT_COUNTER_OK when admitted) */
    const char *error;          /* static message when RT_COUNTER_ERROR was returned */
    union {
        struct {
            int64_t used;          /* count in the window before this operation's take */
            int64_t remaining;     /* max(0, limit − used − taken) (RATE); 0 for RATE_ADD */
            int64_t retry_after_s; /* when refused: whole seconds until a slot frees, ≥ 1 */
        } rate;
        struct {
            int64_t calls_used;      /* in the current window, after this operation */
            int64_t bytes_used;      /* idem, bytes */
            int64_t calls_remaining; /* max(0, calls − calls_used); -1 when no call limit */
            int64_t kb_remaining;    /* max(0, kb − ceil(bytes_used/1024)); -1 when none */
            int64_t window_start_ms; /* current window [start, end) (rt_quota_window) */
            int64_t window_end_ms;   /* INT64_MAX when the period is 0 */
            int64_t renew_s;         /* ceil((end − now)/1000) ≥ 1, or -1 when never */
        } quota;
        struct {
            int64_t tpm_used;        /* tokens in the rolling minute (after TOKEN_ADD) */
            int64_t tpm_remaining;   /* max(0, tpm − tpm_used); -1 when no TPM limit */
            int64_t retry_after_s;   /* refused by TPM: seconds until left ≥ max(need, 1), ≥ 1;
                                      * 60 when need > tpm (can never fit) */
            int64_t quota_used;      /* tokens in the current quota window */
            int64_t quota_remaining; /* max(0, quota − quota_used); -1 when no quota */
            int64_t quota_renew_s;   /* seconds until the quota window renews, ≥ 1 (0: none) */
            int64_t quota_window_end_ms; /* end of the current quota window (0: none) */
        } token;
        struct {
            int64_t held; /* slots held after the operation */
        } conc;
    };
} rt_counter_result;

/* Completion of a PENDING operation: ud is the caller's pointer, res lives only during the call. */
typedef void (*rt_counter_cb)(void *ud, const rt_counter_result *res);

/* The store vtable. Implementations embed it as their first member. */
typedef struct rt_counter_store_vt {
    const char *name; /* "memory", "redis" */
    rt_counter_status (*exec)(rt_counter_store *s, const rt_counter_op *op, rt_counter_result *out,
                              rt_counter_cb cb, void *ud);
    /* Optional (NULL = nothing to persist): see rt_counter_save / rt_counter_load. */
    int (*save)(rt_counter_store *s, const char *path, int64_t now_ms, char *err, size_t errlen);
    int (*load)(rt_counter_store *s, const char *path, int64_t now_ms, char *err, size_t errlen);
    void (*free)(rt_counter_store *s);
} rt_counter_store_vt;

struct rt_counter_store {
    const rt_counter_store_vt *vt;
};

/* Runs op on s. Validates op first (key non-NULL or empty allowed, counts ≥ 0, limit/period/max
 * > 0 where required, known kind): invalid → RT_COUNTER_ERROR with out->error set, without
 * calling the store. Otherwise see rt_counter_status: out is filled on DONE and ERROR; on
 * PENDING out is untouched and cb(ud, res) comes later (cb must then be non-NULL). */
rt_counter_status rt_counter_exec(rt_counter_store *s, const rt_counter_op *op,
                                  rt_counter_result *out, rt_counter_cb cb, void *ud);

/* Persists the quota-type counters (quota, quota-by-key, token quota) whose window is still
 * current at now_ms to the JSON file at path, atomically (path.tmp + fsync + rename). Returns 0,
 * or -1 with a message in err. A store without persistence returns 0 and writes nothing. A path
 * whose rt_counter_load failed (damaged file) is never overwritten: 0 without writing when
 * there is nothing to save, else -1 with a message. */
int rt_counter_save(rt_counter_store *s, const char *path, int64_t now_ms, char *err,
                    size_t errlen);
/* Loads a file written by rt_counter_save, merging into s (a loaded counter replaces one with the
 * same key); windows that ended before now_ms are dropped. A missing or empty file is not an
 * error (returns 0: nothing loaded). An unreadable or malformed file returns -1 with a message
 * in err ("PATH[:LINE:COL]: error: ...", saying how to proceed) and leaves s and the file
 * unchanged. */
int rt_counter_load(rt_counter_store *s, const char *path, int64_t now_ms, char *err,
                    size_t errlen);
/* Frees the store and everything it owns. NULL is a no-op. No operation may be pending. */
void rt_counter_store_free(rt_counter_store *s);

/* ---- the in-memory store (counters_mem.c) ---- */

/* Thread safety: every call on one memory store is serialized by one internal mutex, so
 * workers may share it. Memory is bounded: counters whose windows have all expired (and
 * concurrency keys at 0) are dropped as they are met (least recently used first), and when
 * more than max_keys counters exist the least recently used one is evicted (it loses its
 * count). max_keys = 0 means the default, 1,000,000. */
rt_counter_store *rt_counter_mem_new(size_t max_keys);
/* Drops every expired counter now (the store also does this incrementally). Returns the number
 * of counters left. s must be a memory store. */
size_t rt_counter_mem_sweep(rt_counter_store *s, int64_t now_ms);

/* ---- helpers ---- */

/* Window [start, end) of the token-quota period containing now_ms (UTC). period NONE gives
 * [INT64_MIN, INT64_MAX). */
void rt_token_period_window(rt_token_period period, int64_t now_ms, int64_t *start_ms,
                            int64_t *end_ms);
/* "Hourly".."Yearly" (case-insensitive) → period; anything else → -1. */
int rt_token_period_parse(str name);
/* "Hourly".."Yearly", "" for NONE. */
const char *rt_token_period_name(rt_token_period period);
/* The quota window [start, end) containing now_ms: start + k·period (k any integer, so a start
 * in the future works too); period 0 gives [INT64_MIN, INT64_MAX) (never renews). */
void rt_quota_window(int64_t start_ms, int64_t period_ms, int64_t now_ms, int64_t *win_start,
                     int64_t *win_end);
/* Whole seconds from now to then, rounded up, at least 1 (for Retry-After). */
int64_t rt_counter_secs_until(int64_t then_ms, int64_t now_ms);
/* Formats seconds as APIM's quota replenish time "hh:mm:ss" (hours may exceed 24) into buf.
 * Returns buf. */
char *rt_counter_hms(int64_t secs, char *buf, size_t len);

#endif
