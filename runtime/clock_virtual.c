/* The virtual clock: a list of timers ordered by (due, sequence); time jumps instead of
 * sleeping, so offline tests of rate limits and retries are exact and instant. */
#include <stdlib.h>

#include "base/xalloc.h"
#include "clock.h"

struct rt_timer {
    int64_t due;
    uint64_t seq;
    rt_timer_fn fn;
    void *ud;
    rt_timer *next;
};

struct rt_vclock {
    rt_clock vt; /* first: the vtable pointer is the clock pointer */
    int64_t now;
    uint64_t seq;
    rt_timer *head; /* sorted */
    size_t n;
};

static int64_t v_now(rt_clock *c)
{
    return ((rt_vclock *)c)->now;
}

static rt_timer *v_after(rt_clock *c, int64_t ms, rt_timer_fn fn, void *ud)
{
    rt_vclock *vc = (rt_vclock *)c;
    rt_timer *t = xcalloc(1, sizeof *t);
    t->due = vc->now + (ms > 0 ? ms : 0);
    t->seq = vc->seq++;
    t->fn = fn;
    t->ud = ud;
    rt_timer **pp = &vc->head;
    while (*pp && ((*pp)->due < t->due || ((*pp)->due == t->due && (*pp)->seq < t->seq)))
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
    vc->n++;
    return t;
}

static void v_cancel(rt_clock *c, rt_timer *t)
{
    rt_vclock *vc = (rt_vclock *)c;
    if (!t)
        return;
    for (rt_timer **pp = &vc->head; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            vc->n--;
            free(t);
            return;
        }
    }
}

rt_vclock *rt_vclock_new(int64_t start_ms)
{
    rt_vclock *vc = xcalloc(1, sizeof *vc);
    vc->vt.now = v_now;
    vc->vt.after = v_after;
    vc->vt.cancel = v_cancel;
    vc->now = start_ms;
    return vc;
}

void rt_vclock_free(rt_vclock *vc)
{
    if (!vc)
        return;
    while (vc->head) {
        rt_timer *t = vc->head;
        vc->head = t->next;
        free(t);
    }
    free(vc);
}

rt_clock *rt_vclock_clock(rt_vclock *vc)
{
    return &vc->vt;
}

bool rt_vclock_step(rt_vclock *vc)
{
    rt_timer *t = vc->head;
    if (!t)
        return false;
    vc->head = t->next;
    vc->n--;
    if (t->due > vc->now)
        vc->now = t->due;
    rt_timer_fn fn = t->fn;
    void *ud = t->ud;
    free(t); /* before the call: fn may add timers */
    fn(ud);
    return true;
}

bool rt_vclock_run_until(rt_vclock *vc, const bool *flag)
{
    for (long i = 0; !*flag && i < 1000000; i++) {
        if (!rt_vclock_step(vc))
            break;
    }
    return *flag;
}

void rt_vclock_advance(rt_vclock *vc, int64_t ms)
{
    int64_t end = vc->now + (ms > 0 ? ms : 0);
    for (long i = 0; vc->head && vc->head->due <= end && i < 1000000; i++)
        rt_vclock_step(vc);
    if (vc->now < end)
        vc->now = end;
}

size_t rt_vclock_pending(const rt_vclock *vc)
{
    return vc->n;
}
