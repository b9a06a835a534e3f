#ifndef RUNTIME_COUNTERS_REDIS_H
#define RUNTIME_COUNTERS_REDIS_H

/*
 * The Redis counter store (config `counters: redis://host:port/db`): the rt_counter_store vtable
 * of counters.h over hiredis async on one libevent loop, so several gateway processes share
 * exact limits. Each operation family is one Lua script (EVALSHA, EVAL on NOSCRIPT), so a
 * check-and-take is atomic across processes, with the same semantics and results as the memory
 * store (same windows, buckets, resets and Retry-After; counts exact up to 2^53).
 *
 * Keys: <prefix><ns>:<key> with ns r (rate), t (TPM), q (quota), tq (token quota), c
 * (concurrency); hashes for windows, a string for concurrency. Every key gets a TTL derived from
 * the operation's now_ms (window end + 1 s); concurrency keys live CONC_TTL (1 h) after their
 * last acquire/release, so slots held by a crashed process come back.
 *
 * One store per event loop (STYLE §8: each worker owns one Redis context); not thread-safe.
 * Operations answer RT_COUNTER_PENDING and call back on the loop, or RT_COUNTER_DONE when served
 * by the fallback store.
 *
 * Outage: a failed connect, a lost connection, a command without an answer after timeout_ms, or
 * an error reply makes the operation answer from the fallback store (normally the process's
 * memory store), and while Redis is down every operation is served there at once (DONE). One log
 * line "redis unreachable (...): serving on local counters" per outage; reconnects with
 * exponential backoff (backoff_min_ms .. backoff_max_ms); once a PING is answered, one log line
 * "redis reachable again: using shared counters" and Redis is used again. Counts taken locally
 * during the outage are NOT merged into Redis (nor Redis counts into the fallback): after an
 * outage each side resumes from what it had. A RELEASE of a slot acquired on the other side
 * may be lost or ignored (counts never go below 0; the 1 h TTL bounds a leak).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/counters.h"

struct event_base;

typedef struct rt_counter_redis_opts {
    int64_t timeout_ms;     /* per command (and connect + PING); 0 = 500 */
    int64_t backoff_min_ms; /* first reconnect delay; 0 = 100 */
    int64_t backoff_max_ms; /* reconnect delay cap; 0 = 5000 */
    const char *prefix;     /* key prefix; NULL = "apimlite:" */
    /* Where the outage lines go; NULL = stderr ("apimlite: <msg>\n"). */
    void (*log)(void *ud, const char *msg);
    void *log_ud;
} rt_counter_redis_opts;

/* A Redis store on base for url: "redis://[[user]:password@]host[:port][/db]" (host name or
 * IPv4/IPv6 literal, default port 6379, db 0) or "unix:///path/to/redis.sock[?db=N]".
 * fallback (required, not owned, must outlive the store) answers while Redis is unreachable.
 * opts may be NULL. Starts connecting at once; operations issued before the first connection is
 * up are queued on it. Returns NULL with a message in err for a malformed URL (rediss:// is not
 * supported by hiredis 0.14). */
rt_counter_store *rt_counter_redis_new(struct event_base *base, const char *url,
                                       rt_counter_store *fallback,
                                       const rt_counter_redis_opts *opts, char *err, size_t errlen);

/* Whether Redis answers (connected and PING answered) right now. s must be a Redis store. */
bool rt_counter_redis_is_up(rt_counter_store *s);

#endif
