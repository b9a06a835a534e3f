#ifndef RUNTIME_BACKENDS_VIEW_H
#define RUNTIME_BACKENDS_VIEW_H

/* A read-only view of the breaker registry (backends.h) through neutral types, for files that
 * see the configuration (config.h and backends.h define structs of the same names, so no file
 * includes both): `apimlite serve`'s /metrics reports each backend's breaker state with it. */

#include <stdbool.h>
#include <stdint.h>

struct rt_backends;

typedef struct rt_bk_view {
    const char *id;        /* backend id (owned by the registry; valid during the call) */
    bool open;             /* tripped at now_ms */
    int64_t open_until_ms; /* when open: the instant it closes (ms since the epoch) */
    uint64_t trips;        /* times it tripped since the registry was made */
} rt_bk_view;

/* Calls fn(ud, v) for every backend with a circuit breaker, in configuration order, with its
 * state at now_ms. Holds the registry's lock during the walk: fn must not call back into bk.
 * bk may be NULL (no calls). */
void rt_bk_view_each(struct rt_backends *bk, int64_t now_ms,
                     void (*fn)(void *ud, const rt_bk_view *v), void *ud);

#endif
