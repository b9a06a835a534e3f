#ifndef RUNTIME_CLOCK_EVENT_H
#define RUNTIME_CLOCK_EVENT_H

/* The real clock of `apimlite serve` (clock_event.c): rt_clock over one libevent event_base,
 * one per worker thread (STYLE.md §8). Not thread-safe: use it from its base's thread only. */

#include <stddef.h>

#include "clock.h"

struct event_base;

typedef struct rt_evclock rt_evclock;

/* A clock whose timers are evtimers on base (base must outlive the clock). now() is the wall
 * clock in ms since the epoch (the loop's cached time while a callback runs). Timers are
 * one-shot; each is freed when it fires (before its callback runs) or when cancelled, so a
 * callback may cancel any other timer, including one due at the same moment, or add new ones.
 * 0 ms timers run in creation order on the loop's next turn (one added by a 0 ms timer waits
 * for the turn after, so I/O is never starved); timers with the same positive delay may run in
 * any order (libevent's timer heap). Returns NULL only if libevent cannot create an event;
 * aborts on out of memory. */
rt_evclock *rt_evclock_new(struct event_base *base);
/* Cancels the timers left (their callbacks never run) and frees the clock. Call it before
 * event_base_free, never from inside one of its timers. NULL is ignored. */
void rt_evclock_free(rt_evclock *ec);
/* The vtable to hand to the runtime; valid as long as the clock. */
rt_clock *rt_evclock_clock(rt_evclock *ec);
/* Number of timers that have neither fired nor been cancelled. */
size_t rt_evclock_pending(const rt_evclock *ec);

#endif
