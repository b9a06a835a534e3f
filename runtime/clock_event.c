/* The libevent clock: rt_clock timers on a worker's event_base. A positive timer is a
 * one-shot evtimer of its own; 0 ms timers wait in a FIFO drained by one shared event, a batch
 * per loop turn (what was queued when it fired), so they run in creation order and a timer
 * that keeps re-arming itself cannot starve I/O. The event is made active at once when the
 * first timer is queued outside a batch (an I/O callback resuming a request: the batch runs in
 * this same loop turn, without another epoll_wait), and armed as a 0 s timer (the next turn)
 * when queued by a timer of the running batch. Every timer sits on exactly one list so
 * the clock can free what is left, and is freed before its callback runs, so a callback may add
 * timers or cancel any other one, including one due at the same moment. */
#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/time.h>

#include "base/xalloc.h"
#include "clock_event.h"

typedef struct timer_list {
    rt_timer *head, *tail;
} timer_list;

struct rt_timer {
    struct event *ev; /* positive delay only */
    rt_evclock *ec;
    timer_list *list; /* the list it is on */
    rt_timer_fn fn;
    void *ud;
    rt_timer *prev, *next;
};

struct rt_evclock {
    rt_clock vt; /* first: the vtable pointer is the clock pointer */
    struct event_base *base;
    struct event *zev; /* drains `zero` */
    timer_list timed;  /* positive delays, each with its event */
    timer_list zero;   /* 0 ms timers, creation order */
    timer_list batch;  /* the 0 ms timers being run now */
    bool in_batch;     /* on_zero is running */
    size_t n;
};

static void list_push(timer_list *l, rt_timer *t)
{
    t->list = l;
    t->next = NULL;
    t->prev = l->tail;
    if (l->tail)
        l->tail->next = t;
    else
        l->head = t;
    l->tail = t;
}

static void list_unlink(rt_timer *t)
{
    timer_list *l = t->list;
    if (t->prev)
        t->prev->next = t->next;
    else
        l->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        l->tail = t->prev;
    t->list = NULL;
}

static void destroy_timer(rt_evclock *ec, rt_timer *t)
{
    list_unlink(t);
    ec->n--;
    if (t->ev)
        event_free(t->ev); /* deletes it, also from the active queue: its callback won't run */
    free(t);
}

/* Frees t, then calls its callback. */
static void fire(rt_evclock *ec, rt_timer *t)
{
    rt_timer_fn fn = t->fn;
    void *ud = t->ud;
    destroy_timer(ec, t);
    fn(ud);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rt_timer *t = arg;
    fire(t->ec, t);
}

static void on_zero(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rt_evclock *ec = arg;
    /* this turn's batch: timers added meanwhile wait for the next turn */
    ec->batch = ec->zero;
    ec->zero = (timer_list){ 0 };
    for (rt_timer *t = ec->batch.head; t; t = t->next)
        t->list = &ec->batch;
    ec->in_batch = true;
    while (ec->batch.head)
        fire(ec, ec->batch.head);
    ec->in_batch = false;
}

static int64_t ev_now(rt_clock *c)
{
    rt_evclock *ec = (rt_evclock *)c;
    struct timeval tv;
    if (event_base_gettimeofday_cached(ec->base, &tv) < 0)
        gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static rt_timer *ev_after(rt_clock *c, int64_t ms, rt_timer_fn fn, void *ud)
{
    rt_evclock *ec = (rt_evclock *)c;
    rt_timer *t = xcalloc(1, sizeof *t);
    t->ec = ec;
    t->fn = fn;
    t->ud = ud;
    if (ms <= 0) {
        static const struct timeval zero = { 0, 0 };
        if (!evtimer_pending(ec->zev, NULL)) { /* neither active nor armed */
            if (!ec->in_batch)
                event_active(ec->zev, EV_TIMEOUT, 1);
            else if (evtimer_add(ec->zev, &zero) < 0) {
                free(t);
                return NULL;
            }
        }
        list_push(&ec->zero, t);
    } else {
        struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
        t->ev = evtimer_new(ec->base, on_timer, t);
        if (!t->ev || evtimer_add(t->ev, &tv) < 0) {
            if (t->ev)
                event_free(t->ev);
            free(t);
            return NULL;
        }
        list_push(&ec->timed, t);
    }
    ec->n++;
    return t;
}

static void ev_cancel(rt_clock *c, rt_timer *t)
{
    if (t)
        destroy_timer((rt_evclock *)c, t);
}

rt_evclock *rt_evclock_new(struct event_base *base)
{
    rt_evclock *ec = xcalloc(1, sizeof *ec);
    ec->vt.now = ev_now;
    ec->vt.after = ev_after;
    ec->vt.cancel = ev_cancel;
    ec->base = base;
    ec->zev = evtimer_new(base, on_zero, ec);
    if (!ec->zev) {
        free(ec);
        return NULL;
    }
    return ec;
}

void rt_evclock_free(rt_evclock *ec)
{
    if (!ec)
        return;
    timer_list *lists[] = { &ec->timed, &ec->zero, &ec->batch };
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        while (lists[i]->head)
            destroy_timer(ec, lists[i]->head);
    }
    event_free(ec->zev);
    free(ec);
}

rt_clock *rt_evclock_clock(rt_evclock *ec)
{
    return &ec->vt;
}

size_t rt_evclock_pending(const rt_evclock *ec)
{
    return ec->n;
}
