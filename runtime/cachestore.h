#ifndef RUNTIME_CACHESTORE_H
#define RUNTIME_CACHESTORE_H

/* The in-memory cache behind cache-lookup / cache-store / cache-*-value and the semantic cache
 * (spec/policies.md §7, §8). caching-type internal, external and prefer-external all use it
 * (apimlite has no external cache yet). Values are opaque byte strings copied in and out (the
 * policies serialize what they store), so nothing points into a request arena. Entries expire
 * on the request clock: an entry stored at t with duration d is readable while now < t + d.
 * Bounded: at most max_bytes of keys + values; storing beyond it drops expired entries, then
 * the oldest ones. Thread-safe (one mutex). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/str.h"

typedef struct rt_cache rt_cache;

#define RT_CACHE_DEFAULT_BYTES ((size_t)256 << 20)

/* A new empty cache (max_bytes 0 = RT_CACHE_DEFAULT_BYTES). Never NULL (aborts on OOM). */
rt_cache *rt_cache_new(size_t max_bytes);
void rt_cache_free(rt_cache *c);

/* Stores a copy of val under key until expires_ms (replacing an older entry); now_ms is the
 * current time (expired entries make room first). Returns 0, or -1 when the entry alone is
 * larger than the cache. */
int rt_cache_put(rt_cache *c, str key, str val, int64_t now_ms, int64_t expires_ms);
/* Copies the value of key into a (*out). Returns 1 on a hit, 0 on a miss (absent or expired
 * at now_ms), -1 at the arena cap. */
int rt_cache_get(rt_cache *c, str key, int64_t now_ms, arena *a, str *out);
/* Removes key. Returns whether it was present (and not expired). */
bool rt_cache_remove(rt_cache *c, str key, int64_t now_ms);
/* Live entries (tests). */
size_t rt_cache_count(rt_cache *c, int64_t now_ms);

/* ---- vectors (semantic cache) ----
 * Each entry: a partition (the vary-by values), an embedding, a value, an expiry. */

/* Stores a copy of vec[0..dim) with val in partition until expires_ms. 0, or -1 (too big). */
int rt_cache_vec_put(rt_cache *c, str partition, const float *vec, size_t dim, str val,
                     int64_t now_ms, int64_t expires_ms);
/* The live entry of partition nearest to vec by cosine distance (1 - cosine similarity) with
 * the same dimension. Returns 1 and copies its value into a (*out, *distance) when one exists
 * with distance <= max_distance; 0 otherwise (*distance: the nearest distance, or -1 when the
 * partition has no entry); -1 at the arena cap. */
int rt_cache_vec_find(rt_cache *c, str partition, const float *vec, size_t dim, double max_distance,
                      int64_t now_ms, arena *a, str *out, double *distance);

#endif
