#ifndef RUNTIME_CLOCK_H
#define RUNTIME_CLOCK_H

/* The runtime's clock (DESIGN.md §1): now, and "call me in N ms". The pipeline and the
 * transports reach time only through this vtable: `serve` plugs in libevent timers,
 * `apimlite test` / `run` the virtual clock below, which jumps to the next timer instead of
 * sleeping. Times are milliseconds since the Unix epoch (int64_t). Timer callbacks always run
 * from the clock's loop, never from inside rt_clock_after(): a 0 ms timer is the way to
 * continue "later" without recursion. */

#include <stdbool.h>
#include <stdint.h>

typedef struct rt_timer rt_timer; /* opaque; owned by the clock */
typedef struct rt_clock rt_clock;

typedef void (*rt_timer_fn)(void *ud);

struct rt_clock {
    /* Current time, ms since the epoch. */
    int64_t (*now)(rt_clock *c);
    /* Calls fn(ud) once, ms (>= 0) milliseconds from now. Returns the timer (valid until it
     * fired or was cancelled), or NULL when out of memory. */
    rt_timer *(*after)(rt_clock *c, int64_t ms, rt_timer_fn fn, void *ud);
    /* Cancels a timer that has not fired yet (fn is not called). t may be NULL. */
    void (*cancel)(rt_clock *c, rt_timer *t);
};

static inline int64_t rt_clock_now(rt_clock *c)
{
    return c->now(c);
}
static inline rt_timer *rt_clock_after(rt_clock *c, int64_t ms, rt_timer_fn fn, void *ud)
{
    return c->after(c, ms, fn, ud);
}
static inline void rt_clock_cancel(rt_clock *c, rt_timer *t)
{
    c->cancel(c, t);
}

/* ---- the virtual clock (clock_virtual.c) ---- */

typedef struct rt_vclock rt_vclock;

/* A virtual clock starting at start_ms. Timers fire in (due time, creation order); time
 * jumps to each timer's due time. rt_vclock_free cancels what is left. */
rt_vclock *rt_vclock_new(int64_t start_ms);
void rt_vclock_free(rt_vclock *vc);
/* The vtable to hand to the runtime. */
rt_clock *rt_vclock_clock(rt_vclock *vc);
/* Runs the earliest timer (moving time to its due time). Returns false when none is left. */
bool rt_vclock_step(rt_vclock *vc);
/* Runs timers until *flag becomes true or none is left; returns *flag. A step cap (1e6 timers)
 * protects against a timer loop. */
bool rt_vclock_run_until(rt_vclock *vc, const bool *flag);
/* Runs every timer due within ms from now, then sets the time to now + ms (the test files'
 * `advance`). */
void rt_vclock_advance(rt_vclock *vc, int64_t ms);
/* Number of timers not yet fired. */
size_t rt_vclock_pending(const rt_vclock *vc);

#endif
