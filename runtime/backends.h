#ifndef RUNTIME_BACKENDS_H
#define RUNTIME_BACKENDS_H

/*
 * Circuit breakers and load-balanced pools (spec/gateway.md §4). Pure data structures: time is
 * passed in as now_ms (ms since the Unix epoch, virtual in tests); nothing reads a clock.
 *
 * Two levels:
 *  - primitives rt_breaker and rt_pool (not locked; one owner at a time);
 *  - the registry rt_backends, which owns one breaker per backend id and the state of every
 *    pool, behind one mutex, so gateway workers can share it. The pipeline uses the registry:
 *
 *      set-backend-service backend-id=X:
 *        if (rt_backends_is_pool(bk, X)) {
 *            if (rt_backends_pick(bk, X, now, &c) == RT_POOL_UNAVAILABLE)
 *                → 503, reason rt_pool_unavailable_message(X)   (error → on-error)
 *            member = c.member_id;                               (re-picked on every call)
 *        } else if (rt_backends_is_open(bk, X, now)) → 503 Service Unavailable (error → on-error)
 *      after each backend call to member/X:
 *        rt_backends_record(bk, X, status or 0, error reason or "", retry_after_ms, now)
 *
 * The config helper maps its config structs to rt_breaker_rule / rt_pool_member; nothing here
 * includes config.h. All strings passed in are copied.
 *
 * Breaker semantics ([doc] + [impl] choices):
 *  - A result is a failure for a rule when its status lies in one of the rule's statusCodeRanges
 *    (inclusive), or when it is a gateway-side failure (status 0) whose reason matches one of
 *    errorReasons (ASCII case-insensitive). Every other result is a success. A rule without
 *    ranges and reasons never sees failures.
 *  - Results are counted in a rolling `interval` (1 s sub-buckets, like the rate limiter; an
 *    interval over 1024 s uses wider buckets). A rule trips when
 *      count rule:      failures ≥ count;
 *      percentage rule: failures·100 ≥ percentage·results and failures ≥ max(count, 1).
 *    A tripping rule's window is cleared, so the failures that tripped it are not counted again.
 *  - Trip length: tripDuration, or, with acceptRetryAfter and a failing response that carried
 *    Retry-After (retry_after_ms ≥ 0), that Retry-After instead (0 = trips for no time).
 *  - After the trip the breaker closes by itself (no half-open state, as documented). Results
 *    recorded while open (requests already in flight) are ignored.
 *  - Several rules may be given (APIM documents one); any rule trips the breaker.
 *
 * Pool selection ([impl] spec/gateway.md §4): on every pick, members whose breaker is open are
 * skipped; the lowest priority number among available members wins; inside that group smooth
 * weighted round-robin (nginx's ngx_http_upstream_get_peer: each available member's current
 * weight += weight, the largest current weight wins — first in member order on ties — and
 * loses the group's total weight). State is per pool and persists across picks, so weights
 * 3:1 give A A B A, A A B A, ... A member with weight 0 receives traffic only when no member of
 * its group with weight > 0 is available (then the weight-0 members share it equally). When
 * no member is available the pick fails: 503 "Backend pool <id> is temporarily unavailable".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/str.h"

/* statusCodeRanges entry, inclusive. */
typedef struct rt_status_range {
    int min;
    int max;
} rt_status_range;

/* One circuitBreaker.rules[] entry (ARM names in comments). */
typedef struct rt_breaker_rule {
    const char *name;              /* name (may be NULL) */
    int64_t count;                 /* failureCondition.count; 0 = unset */
    int percentage;                /* failureCondition.percentage 1..100; 0 = unset */
    int64_t interval_ms;           /* failureCondition.interval (ISO-8601 → ms), > 0 */
    const rt_status_range *ranges; /* failureCondition.statusCodeRanges */
    size_t nranges;
    const char *const *reasons; /* failureCondition.errorReasons */
    size_t nreasons;
    int64_t trip_ms;         /* tripDuration → ms, ≥ 0 */
    bool accept_retry_after; /* acceptRetryAfter */
} rt_breaker_rule;

/* A breaker's state at some instant, for metrics and traces. */
typedef struct rt_breaker_state {
    bool open;             /* tripped at now_ms */
    int64_t open_until_ms; /* when open: the instant it closes */
    uint64_t trips;        /* how many times it tripped since creation */
    const char *rule;      /* name of the rule that tripped last (NULL if none or unnamed);
                            * owned by the breaker */
} rt_breaker_state;

typedef enum rt_breaker_change {
    RT_BREAKER_UNCHANGED = 0,
    RT_BREAKER_TRIPPED, /* this result opened the breaker */
} rt_breaker_change;

typedef struct rt_breaker rt_breaker;

/* One pool.services[] entry. */
typedef struct rt_pool_member {
    const char *id; /* backend id (the "/backends/<name>" suffix) */
    int priority;   /* lower number = higher priority; the caller supplies the default */
    int weight;     /* ≥ 0; the caller supplies the default (1) */
} rt_pool_member;

typedef struct rt_pool rt_pool;

typedef enum rt_pool_pick_status {
    RT_POOL_PICKED = 0,
    RT_POOL_UNAVAILABLE, /* every member tripped: answer 503 rt_pool_unavailable_message */
    RT_POOL_NOT_FOUND,   /* no pool of that id in the registry */
} rt_pool_pick_status;

typedef struct rt_pool_choice {
    int index;             /* member index in the pool's definition order, -1 when none */
    const char *member_id; /* the member's backend id (owned by the registry/pool) */
    int priority;          /* the member's priority */
} rt_pool_choice;

typedef struct rt_backends rt_backends;

/* ---- breakers ---- */

/* A breaker with copies of rules[0..n) (n may be 0: never trips). Returns NULL (and creates
 * nothing) when a rule is invalid: interval_ms ≤ 0, trip_ms < 0, count < 0, percentage outside
 * 0..100, or both count and percentage 0; *err (if err) then gets a static message. */
rt_breaker *rt_breaker_new(const rt_breaker_rule *rules, size_t n, const char **err);
void rt_breaker_free(rt_breaker *b);
/* Records one backend result: status is the HTTP status of the response, or 0 for a gateway-
 * side failure whose reason (LastError.Reason: "BackendConnectionFailure", "Timeout", ...) is
 * given; retry_after_ms is the failing response's Retry-After in ms (see rt_retry_after_ms) or
 * -1 when absent. Returns RT_BREAKER_TRIPPED when this result opened the breaker. */
rt_breaker_change rt_breaker_record(rt_breaker *b, int status, str reason, int64_t retry_after_ms,
                                    int64_t now_ms);
/* Whether the breaker is open at now_ms (it closes by itself at open_until). */
bool rt_breaker_is_open(const rt_breaker *b, int64_t now_ms);
rt_breaker_state rt_breaker_get_state(const rt_breaker *b, int64_t now_ms);

/* Parses a Retry-After value: delta-seconds ("10") or an HTTP date (IMF-fixdate
 * "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 or asctime forms). Returns milliseconds from now_ms
 * (0 for a date in the past), or -1 when the value is not valid. */
int64_t rt_retry_after_ms(str value, int64_t now_ms);

/* ---- pools ---- */

/* A pool over copies of members[0..n). Returns NULL when n is 0, n > 30 (APIM's limit is 30;
 * RT_POOL_MAX_MEMBERS), a member has no id, or a weight is negative. */
#define RT_POOL_MAX_MEMBERS 30
rt_pool *rt_pool_new(const rt_pool_member *members, size_t n);
void rt_pool_free(rt_pool *p);
/* Picks a member among those with available[i] true (available has one entry per member, in
 * definition order). Returns the member index, or -1 when none is available. Advances the
 * smooth-WRR state of the chosen group only. */
int rt_pool_pick(rt_pool *p, const bool *available);
size_t rt_pool_size(const rt_pool *p);
const rt_pool_member *rt_pool_member_at(const rt_pool *p, size_t i); /* id owned by the pool */

/* "Backend pool <id> is temporarily unavailable" into buf (truncated to len). Returns buf. */
char *rt_pool_unavailable_message(str pool_id, char *buf, size_t len);
#define RT_POOL_UNAVAILABLE_STATUS 503

/* ---- the registry ---- */

/* An empty registry (thread-safe: one mutex around every call). */
rt_backends *rt_backends_new(void);
void rt_backends_free(rt_backends *bk);
/* Gives backend id a breaker with rules[0..n). Returns 0, or -1 (with *err) when the id already
 * has one or a rule is invalid. */
int rt_backends_add_breaker(rt_backends *bk, str id, const rt_breaker_rule *rules, size_t n,
                            const char **err);
/* Declares pool id with members[0..n). Returns 0, or -1 (with *err) for a duplicate pool id or
 * invalid members (see rt_pool_new). Members need not have breakers (then never tripped). */
int rt_backends_add_pool(rt_backends *bk, str id, const rt_pool_member *members, size_t n,
                         const char **err);
bool rt_backends_is_pool(rt_backends *bk, str id);
/* Whether backend id's breaker is open at now_ms (false when it has none). */
bool rt_backends_is_open(rt_backends *bk, str id, int64_t now_ms);
/* rt_breaker_record on backend id's breaker; RT_BREAKER_UNCHANGED when it has none. */
rt_breaker_change rt_backends_record(rt_backends *bk, str id, int status, str reason,
                                     int64_t retry_after_ms, int64_t now_ms);
/* Picks a member of pool id at now_ms (members with an open breaker are skipped). On
 * RT_POOL_PICKED fills *out; otherwise out->index = -1 and out->member_id = NULL. */
rt_pool_pick_status rt_backends_pick(rt_backends *bk, str id, int64_t now_ms, rt_pool_choice *out);
/* State of backend id's breaker (closed and zero when it has none). */
rt_breaker_state rt_backends_state(rt_backends *bk, str id, int64_t now_ms);
/* Calls fn(ud, id, state) for every backend with a breaker, in insertion order (metrics).
 * fn must not call back into bk. */
void rt_backends_each(rt_backends *bk, int64_t now_ms,
                      void (*fn)(void *ud, const char *id, const rt_breaker_state *st), void *ud);

/* What rt_backends_carry did with one breaker or pool the old registry also had. */
typedef enum rt_carry_what {
    RT_CARRY_BREAKER_KEPT = 0, /* same rules: state carried over (open until the same instant,
                                * failure windows, trip count) */
    RT_CARRY_BREAKER_RESET,    /* rules changed: the breaker starts closed, with no history */
    RT_CARRY_POOL_KEPT,        /* same members, priorities and weights: round-robin state kept */
    RT_CARRY_POOL_RESET,       /* members changed: round-robin starts over */
} rt_carry_what;
typedef void (*rt_backends_carry_fn)(void *ud, const char *id, rt_carry_what what);

/* Configuration reload: bk (the new configuration's registry, freshly built) takes over the
 * state of old for every breaker and pool whose id both have and whose definition is the same;
 * the others start fresh, and what old had alone is dropped with old (the caller frees it).
 * Calls fn(ud, id, what) (fn may be NULL) for each id both registries have, under both locks
 * (fn must not call into bk or old). Results that in-flight requests record on old after this
 * call are not carried over. old may be NULL (nothing to do). */
void rt_backends_carry(rt_backends *bk, rt_backends *old, rt_backends_carry_fn fn, void *ud);

#endif
