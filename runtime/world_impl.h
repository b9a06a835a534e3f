#ifndef RUNTIME_WORLD_IMPL_H
#define RUNTIME_WORLD_IMPL_H

/* Private to runtime/world*.c. config.h and backends.h both define rt_breaker_rule,
 * rt_status_range and rt_pool_member (with different layouts), so no file includes both:
 * world_bk.c wraps the backends.h registry behind the neutral types below, and the files that
 * see the configuration (world.c, world_backends.c) translate into them. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/str.h"

struct rt_backends;

typedef struct gw_range {
    int min, max;
} gw_range;

typedef struct gw_rule {
    const char *name;
    int64_t count;
    int percentage;
    int64_t interval_ms;
    const gw_range *ranges;
    size_t nranges;
    const char *const *reasons;
    size_t nreasons;
    int64_t trip_ms;
    bool accept_retry_after;
} gw_rule;

typedef struct gw_member {
    const char *id;
    int priority, weight;
} gw_member;

/* ---- world_bk.c: the breaker / pool registry (backends.h) ---- */

struct rt_backends *gw_bk_new(void);
void gw_bk_free(struct rt_backends *bk);
/* 0, or -1 with *err (static) */
int gw_bk_add_breaker(struct rt_backends *bk, str id, const gw_rule *rules, size_t n,
                      const char **err);
int gw_bk_add_pool(struct rt_backends *bk, str id, const gw_member *m, size_t n, const char **err);
bool gw_bk_is_open(struct rt_backends *bk, str id, int64_t now_ms);
/* The instant backend id's breaker closes (0 when closed). */
int64_t gw_bk_open_until(struct rt_backends *bk, str id, int64_t now_ms);
/* Picks a member of pool id: 0 and *member (owned by the registry), or -1 when every member
 * is tripped (or no such pool). */
int gw_bk_pick(struct rt_backends *bk, str id, int64_t now_ms, const char **member);
/* Records one result on backend id's breaker: status (0 for a transport failure with reason),
 * retry_after (the response's Retry-After value, STR_NULL when absent). Returns true when this
 * result tripped the breaker. */
bool gw_bk_record(struct rt_backends *bk, str id, int status, str reason, str retry_after,
                  int64_t now_ms);
/* "Backend pool <id> is temporarily unavailable" in a. */
char *gw_bk_pool_message(arena *a, str pool_id);
/* A reload: bk takes over old's breaker and pool state where the definitions are the same
 * (rt_backends_carry); note(ud, msg) for each one that starts fresh because it changed. */
void gw_bk_carry(struct rt_backends *bk, struct rt_backends *old,
                 void (*note)(void *ud, const char *msg), void *ud);

#endif
