/* rt_evclock: the libevent clock of `apimlite serve` (runtime/clock_event.c). */
#include <event2/event.h>
#include <string.h>

#include "runtime/clock_event.h"
#include "tap.h"

static struct event_base *base;
static rt_evclock *ec;
static rt_clock *clk;
static char order[64];
static size_t norder;
static bool in_after;

typedef struct mark {
    char c;
    rt_timer *victim; /* cancelled when this one fires */
    int64_t fired_at;
} mark;

static void on_mark(void *ud)
{
    mark *m = ud;
    CHECK(!in_after, "timer %c ran from inside rt_clock_after", m->c);
    if (norder < sizeof order - 1)
        order[norder++] = m->c;
    order[norder] = 0;
    m->fired_at = rt_clock_now(clk);
    if (m->victim)
        rt_clock_cancel(clk, m->victim);
}

static rt_timer *after(int64_t ms, mark *m)
{
    in_after = true;
    rt_timer *t = rt_clock_after(clk, ms, on_mark, m);
    in_after = false;
    return t;
}

static void stop(void *ud)
{
    (void)ud;
    event_base_loopbreak(base);
}

/* Runs the loop until the timers so far are done (a stop timer at ms). */
static void run_for(int64_t ms)
{
    rt_clock_after(clk, ms, stop, NULL);
    event_base_dispatch(base);
}

static void reset(void)
{
    norder = 0;
    order[0] = 0;
}

static void test_order(void)
{
    reset();
    mark a = { 'a', 0, 0 }, b = { 'b', 0, 0 }, c = { 'c', 0, 0 }, z = { 'z', 0, 0 };
    int64_t t0 = rt_clock_now(clk);
    after(60, &c);
    after(20, &a);
    after(40, &b);
    after(0, &z);
    CHECK(rt_evclock_pending(ec) == 4, "pending %zu", rt_evclock_pending(ec));
    run_for(100);
    CHECK(!strcmp(order, "zabc"), "order %s", order);
    CHECK(a.fired_at - t0 >= 15 && a.fired_at - t0 < 1000, "a after %lld ms",
          (long long)(a.fired_at - t0));
    CHECK(c.fired_at >= b.fired_at && b.fired_at >= a.fired_at, "times not monotonic");
    CHECK(rt_evclock_pending(ec) == 0, "pending %zu", rt_evclock_pending(ec));
}

static void test_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    int64_t wall = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
    int64_t now = rt_clock_now(clk);
    CHECK(now > wall - 5000 && now < wall + 5000, "now %lld vs wall %lld", (long long)now,
          (long long)wall);
}

static void test_cancel(void)
{
    reset();
    mark a = { 'a', 0, 0 }, b = { 'b', 0, 0 }, z = { 'z', 0, 0 };
    rt_timer *ta = after(10, &a);
    after(30, &b);
    rt_timer *tz = after(0, &z);
    rt_clock_cancel(clk, ta);
    rt_clock_cancel(clk, tz);
    rt_clock_cancel(clk, NULL);
    CHECK(rt_evclock_pending(ec) == 1, "pending %zu", rt_evclock_pending(ec));
    run_for(60);
    CHECK(!strcmp(order, "b"), "order %s", order);
}

/* A timer cancels others due at the same moment (already activated by libevent) and a later
 * one; 0 ms timers cancel each other inside one batch. */
static void test_cancel_inside(void)
{
    reset();
    mark a = { 'a', 0, 0 }, b = { 'b', 0, 0 }, c = { 'c', 0, 0 };
    mark x = { 'x', 0, 0 }, y = { 'y', 0, 0 };
    rt_timer *ta = after(20, &a);
    rt_timer *tb = after(20, &b);
    a.victim = tb; /* whichever of a and b runs first cancels the other */
    b.victim = ta;
    rt_timer *tc = after(40, &c);
    mark d = { 'd', tc, 0 };
    after(30, &d);
    after(0, &x);
    x.victim = after(0, &y);
    run_for(80);
    /* x runs first (FIFO) and cancels y; then a or b; d cancels c */
    CHECK(!strcmp(order, "xad") || !strcmp(order, "xbd"), "order %s", order);
    CHECK(rt_evclock_pending(ec) == 0, "pending %zu", rt_evclock_pending(ec));
}

/* 0 ms timers added from a 0 ms timer run on a later turn, after I/O-ready events of the
 * current one: a chain of them does not starve the loop. */
static int chain_left;
static void chain(void *ud)
{
    (void)ud;
    if (--chain_left > 0)
        rt_clock_after(clk, 0, chain, NULL);
}
static int io_turns;
static void on_io(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    io_turns++;
}

static void test_zero_no_starvation(void)
{
    chain_left = 1000;
    io_turns = 0;
    rt_clock_after(clk, 0, chain, NULL);
    struct event *ev = event_new(base, -1, EV_PERSIST, on_io, NULL);
    struct timeval tv = { 0, 1000 };
    event_add(ev, &tv);
    run_for(3000);
    event_free(ev);
    CHECK(chain_left == 0, "chain left %d", chain_left);
    CHECK(io_turns > 0, "a chain of 0 ms timers starved the loop");
}

/* A 0 ms timer queued by an I/O callback runs in the same loop turn (no extra epoll_wait);
 * one queued by a 0 ms timer waits for the next turn (the no-starvation rule above). */
static mark same_a = { 'a', 0, 0 }, same_b = { 'b', 0, 0 };
static void queue_from_timer(void *ud)
{
    (void)ud;
    rt_clock_after(clk, 0, on_mark, &same_b);
}
static void on_io_queue(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    rt_clock_after(clk, 0, on_mark, &same_a);
    rt_clock_after(clk, 0, queue_from_timer, NULL);
}

static void test_zero_same_turn(void)
{
    reset();
    struct event *ev = event_new(base, -1, 0, on_io_queue, NULL);
    event_active(ev, EV_READ, 1);
    event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    CHECK(strcmp(order, "a") == 0, "after one turn: '%s', want 'a'", order);
    event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    CHECK(strcmp(order, "ab") == 0, "after two turns: '%s', want 'ab'", order);
    event_free(ev);
}

static void test_free_pending(void)
{
    reset();
    mark a = { 'a', 0, 0 }, z = { 'z', 0, 0 };
    rt_evclock *e2 = rt_evclock_new(base);
    rt_clock *c2 = rt_evclock_clock(e2);
    rt_clock_after(c2, 10, on_mark, &a);
    rt_clock_after(c2, 0, on_mark, &z);
    CHECK(rt_evclock_pending(e2) == 2, "pending %zu", rt_evclock_pending(e2));
    rt_evclock_free(e2);
    run_for(30);
    CHECK(norder == 0, "a timer of a freed clock ran: %s", order);
}

int main(void)
{
    base = event_base_new();
    ec = rt_evclock_new(base);
    clk = rt_evclock_clock(ec);
    tap_run("clock: timers fire in order", test_order);
    tap_run("clock: now is the wall clock", test_now);
    tap_run("clock: cancel", test_cancel);
    tap_run("clock: cancel from inside a timer", test_cancel_inside);
    tap_run("clock: 0 ms chains do not starve I/O", test_zero_no_starvation);
    tap_run("clock: 0 ms timers from I/O run in the same turn", test_zero_same_turn);
    tap_run("clock: free cancels pending timers", test_free_pending);
    rt_evclock_free(ec);
    event_base_free(base);
    return tap_done();
}
