/* The virtual clock: timers fire in (due, creation) order, time jumps, cancel, advance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "runtime/clock.h"

typedef struct rec {
    rt_clock *c;
    int order[8];
    int64_t at[8];
    int n;
} rec;

typedef struct tag {
    rec *r;
    int id;
} tag;

static void fire(void *ud)
{
    tag *t = ud;
    t->r->order[t->r->n] = t->id;
    t->r->at[t->r->n++] = rt_clock_now(t->r->c);
}

static void test_order(void **state)
{
    (void)state;
    rt_vclock *vc = rt_vclock_new(1000);
    rec r = { .c = rt_vclock_clock(vc) };
    tag a = { &r, 1 }, b = { &r, 2 }, c = { &r, 3 }, d = { &r, 4 };
    rt_clock_after(r.c, 50, fire, &a);
    rt_clock_after(r.c, 10, fire, &b);
    rt_timer *gone = rt_clock_after(r.c, 20, fire, &c);
    rt_clock_after(r.c, 10, fire, &d);
    rt_clock_cancel(r.c, gone);
    assert_int_equal(rt_vclock_pending(vc), 3);
    while (rt_vclock_step(vc))
        ;
    assert_int_equal(r.n, 3);
    assert_int_equal(r.order[0], 2);
    assert_int_equal(r.order[1], 4);
    assert_int_equal(r.order[2], 1);
    assert_int_equal(r.at[0], 1010);
    assert_int_equal(r.at[2], 1050);
    rt_vclock_free(vc);
}

static void test_advance(void **state)
{
    (void)state;
    rt_vclock *vc = rt_vclock_new(0);
    rec r = { .c = rt_vclock_clock(vc) };
    tag a = { &r, 1 }, b = { &r, 2 };
    rt_clock_after(r.c, 30, fire, &a);
    rt_clock_after(r.c, 90, fire, &b);
    rt_vclock_advance(vc, 60);
    assert_int_equal(r.n, 1);
    assert_int_equal(rt_clock_now(r.c), 60);
    bool flag = false;
    assert_false(rt_vclock_run_until(vc, &flag));
    assert_int_equal(r.n, 2);
    assert_int_equal(rt_clock_now(r.c), 90);
    rt_vclock_free(vc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_advance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
