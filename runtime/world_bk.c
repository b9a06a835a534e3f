/* The world's view of the breaker / pool registry (backends.h) through neutral types: the
 * configuration's structs share names with backends.h, so this file sees only the latter. */
#include <stdio.h>
#include <stdlib.h>

#include "runtime/backends.h"
#include "runtime/backends_view.h"
#include "world_impl.h"

rt_backends *gw_bk_new(void)
{
    return rt_backends_new();
}

void gw_bk_free(rt_backends *bk)
{
    if (bk)
        rt_backends_free(bk);
}

int gw_bk_add_breaker(rt_backends *bk, str id, const gw_rule *rules, size_t n, const char **err)
{
    rt_breaker_rule *br = calloc(n ? n : 1, sizeof *br);
    rt_status_range **ranges = calloc(n ? n : 1, sizeof *ranges);
    int rc = -1;
    if (!br || !ranges) {
        *err = "out of memory";
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const gw_rule *g = &rules[i];
        ranges[i] = calloc(g->nranges ? g->nranges : 1, sizeof *ranges[i]);
        if (!ranges[i]) {
            *err = "out of memory";
            goto out;
        }
        for (size_t k = 0; k < g->nranges; k++)
            ranges[i][k] = (rt_status_range){ g->ranges[k].min, g->ranges[k].max };
        br[i] = (rt_breaker_rule){ .name = g->name,
                                   .count = g->count,
                                   .percentage = g->percentage,
                                   .interval_ms = g->interval_ms,
                                   .ranges = ranges[i],
                                   .nranges = g->nranges,
                                   .reasons = g->reasons,
                                   .nreasons = g->nreasons,
                                   .trip_ms = g->trip_ms,
                                   .accept_retry_after = g->accept_retry_after };
    }
    rc = rt_backends_add_breaker(bk, id, br, n, err);
out:
    for (size_t i = 0; ranges && i < n; i++)
        free(ranges[i]);
    free(ranges);
    free(br);
    return rc;
}

int gw_bk_add_pool(rt_backends *bk, str id, const gw_member *m, size_t n, const char **err)
{
    rt_pool_member *pm = calloc(n ? n : 1, sizeof *pm);
    if (!pm) {
        *err = "out of memory";
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        pm[i] = (rt_pool_member){ m[i].id, m[i].priority, m[i].weight };
    int rc = rt_backends_add_pool(bk, id, pm, n, err);
    free(pm);
    return rc;
}

bool gw_bk_is_open(rt_backends *bk, str id, int64_t now_ms)
{
    return rt_backends_is_open(bk, id, now_ms);
}

int64_t gw_bk_open_until(rt_backends *bk, str id, int64_t now_ms)
{
    rt_breaker_state st = rt_backends_state(bk, id, now_ms);
    return st.open ? st.open_until_ms : 0;
}

int gw_bk_pick(rt_backends *bk, str id, int64_t now_ms, const char **member)
{
    rt_pool_choice c;
    if (rt_backends_pick(bk, id, now_ms, &c) != RT_POOL_PICKED)
        return -1;
    *member = c.member_id;
    return 0;
}

bool gw_bk_record(rt_backends *bk, str id, int status, str reason, str retry_after, int64_t now_ms)
{
    int64_t ra = retry_after.ptr ? rt_retry_after_ms(retry_after, now_ms) : -1;
    return rt_backends_record(bk, id, status, reason, ra, now_ms) == RT_BREAKER_TRIPPED;
}

char *gw_bk_pool_message(arena *a, str pool_id)
{
    char msg[512];
    rt_pool_unavailable_message(pool_id, msg, sizeof msg);
    return arena_strdup(a, msg);
}

typedef struct carry_note {
    void (*note)(void *ud, const char *msg);
    void *ud;
} carry_note;

static void carry_one(void *ud, const char *id, rt_carry_what what)
{
    carry_note *c = ud;
    char msg[512];
    if (what == RT_CARRY_BREAKER_RESET)
        snprintf(msg, sizeof msg,
                 "backend '%s': circuit breaker rules changed: its state starts fresh", id);
    else if (what == RT_CARRY_POOL_RESET)
        snprintf(msg, sizeof msg, "backend pool '%s': members changed: its round-robin starts over",
                 id);
    else
        return;
    if (c->note)
        c->note(c->ud, msg);
}

void gw_bk_carry(rt_backends *bk, rt_backends *old, void (*note)(void *ud, const char *msg),
                 void *ud)
{
    if (!bk || !old)
        return;
    carry_note c = { note, ud };
    rt_backends_carry(bk, old, carry_one, &c);
}

typedef struct view_walk {
    void (*fn)(void *ud, const rt_bk_view *v);
    void *ud;
} view_walk;

static void view_one(void *ud, const char *id, const rt_breaker_state *st)
{
    view_walk *w = ud;
    rt_bk_view v = { id, st->open, st->open ? st->open_until_ms : 0, st->trips };
    w->fn(w->ud, &v);
}

void rt_bk_view_each(rt_backends *bk, int64_t now_ms, void (*fn)(void *ud, const rt_bk_view *v),
                     void *ud)
{
    if (!bk)
        return;
    view_walk w = { fn, ud };
    rt_backends_each(bk, now_ms, view_one, &w);
}
