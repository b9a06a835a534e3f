/* rt_backends_carry: breaker and pool state carried over a configuration reload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/backends.h"

#define T0  ((int64_t)1767225600000)
#define SEC ((int64_t)1000)
#define MIN (60 * SEC)

static const rt_status_range r429[] = { { 429, 429 } };

/* A registry with a breaker on "a" and "b" (count 2 in a minute, trips for trip_ms) and a pool
 * "pool" over a and b with weights wa:1, same priority. */
static rt_backends *registry(int64_t trip_ms, int wa)
{
    rt_breaker_rule rule = { .name = "throttled",
                             .count = 2,
                             .interval_ms = MIN,
                             .ranges = r429,
                             .nranges = 1,
                             .trip_ms = trip_ms };
    rt_backends *bk = rt_backends_new();
    assert_int_equal(rt_backends_add_breaker(bk, STR_LIT("a"), &rule, 1, NULL), 0);
    assert_int_equal(rt_backends_add_breaker(bk, STR_LIT("b"), &rule, 1, NULL), 0);
    rt_pool_member m[] = { { "a", 1, wa }, { "b", 1, 1 } };
    assert_int_equal(rt_backends_add_pool(bk, STR_LIT("pool"), m, 2, NULL), 0);
    return bk;
}

static const char *pick(rt_backends *bk, int64_t now)
{
    rt_pool_choice c;
    if (rt_backends_pick(bk, STR_LIT("pool"), now, &c) != RT_POOL_PICKED)
        return "none";
    return c.member_id;
}

typedef struct notes {
    char text[512];
} notes;

static void note(void *ud, const char *id, rt_carry_what what)
{
    static const char *const names[] = { "kept", "reset", "pool-kept", "pool-reset" };
    notes *n = ud;
    size_t len = strlen(n->text);
    snprintf(n->text + len, sizeof n->text - len, "%s:%s;", id, names[what]);
}

static void test_carry_same_rules(void **state)
{
    (void)state;
    rt_backends *old = registry(30 * SEC, 1);
    /* a trips at T0 + 1 s (until + 31 s); b has one failure in its window */
    rt_backends_record(old, STR_LIT("a"), 429, STR_NULL, -1, T0);
    assert_int_equal(rt_backends_record(old, STR_LIT("a"), 429, STR_NULL, -1, T0 + SEC),
                     RT_BREAKER_TRIPPED);
    rt_backends_record(old, STR_LIT("b"), 429, STR_NULL, -1, T0 + SEC);
    rt_backends *bk = registry(30 * SEC, 1);
    notes n = { "" };
    rt_backends_carry(bk, old, note, &n);
    rt_backends_free(old);
    assert_string_equal(n.text, "a:kept;b:kept;pool:pool-kept;");
    rt_breaker_state st = rt_backends_state(bk, STR_LIT("a"), T0 + 2 * SEC);
    assert_true(st.open);
    assert_int_equal(st.open_until_ms, T0 + 31 * SEC);
    assert_int_equal(st.trips, 1);
    assert_string_equal(st.rule, "throttled");
    assert_string_equal(pick(bk, T0 + 2 * SEC), "b");
    /* b's earlier failure still counts: one more trips it */
    assert_int_equal(rt_backends_record(bk, STR_LIT("b"), 429, STR_NULL, -1, T0 + 3 * SEC),
                     RT_BREAKER_TRIPPED);
    assert_string_equal(pick(bk, T0 + 4 * SEC), "none");
    assert_false(rt_backends_is_open(bk, STR_LIT("a"), T0 + 31 * SEC));
    rt_backends_free(bk);
}

static void test_carry_changed_rules(void **state)
{
    (void)state;
    rt_backends *old = registry(30 * SEC, 1);
    rt_backends_record(old, STR_LIT("a"), 429, STR_NULL, -1, T0);
    rt_backends_record(old, STR_LIT("a"), 429, STR_NULL, -1, T0);
    assert_true(rt_backends_is_open(old, STR_LIT("a"), T0 + SEC));
    rt_backends *bk = registry(60 * SEC, 2); /* tripDuration and a weight changed */
    notes n = { "" };
    rt_backends_carry(bk, old, note, &n);
    rt_backends_free(old);
    assert_string_equal(n.text, "a:reset;b:reset;pool:pool-reset;");
    rt_breaker_state st = rt_backends_state(bk, STR_LIT("a"), T0 + SEC);
    assert_false(st.open);
    assert_int_equal(st.trips, 0);
    assert_null(st.rule);
    rt_backends_free(bk);
}

static void test_carry_pool_round_robin(void **state)
{
    (void)state;
    rt_backends *old = registry(30 * SEC, 1);
    assert_string_equal(pick(old, T0), "a");
    assert_string_equal(pick(old, T0), "b");
    assert_string_equal(pick(old, T0), "a");
    rt_backends *bk = registry(30 * SEC, 1);
    rt_backends_carry(bk, old, NULL, NULL);
    rt_backends_free(old);
    assert_string_equal(pick(bk, T0), "b"); /* goes on where the old one stopped */
    assert_string_equal(pick(bk, T0), "a");
    rt_backends_free(bk);
}

static void test_carry_added_and_removed(void **state)
{
    (void)state;
    rt_backends *old = registry(30 * SEC, 1);
    rt_backends_record(old, STR_LIT("b"), 429, STR_NULL, -1, T0);
    rt_backends_record(old, STR_LIT("b"), 429, STR_NULL, -1, T0);
    rt_breaker_rule rule = {
        .count = 1, .interval_ms = MIN, .ranges = r429, .nranges = 1, .trip_ms = SEC
    };
    rt_backends *bk = rt_backends_new(); /* b removed, c added, no pool */
    assert_int_equal(rt_backends_add_breaker(bk, STR_LIT("c"), &rule, 1, NULL), 0);
    notes n = { "" };
    rt_backends_carry(bk, old, note, &n);
    rt_backends_carry(bk, NULL, note, &n);
    rt_backends_carry(bk, bk, note, &n);
    rt_backends_free(old);
    assert_string_equal(n.text, "");
    assert_false(rt_backends_is_open(bk, STR_LIT("b"), T0 + SEC));
    assert_false(rt_backends_is_open(bk, STR_LIT("c"), T0 + SEC));
    assert_false(rt_backends_is_pool(bk, STR_LIT("pool")));
    rt_backends_free(bk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_carry_same_rules),
        cmocka_unit_test(test_carry_changed_rules),
        cmocka_unit_test(test_carry_pool_round_robin),
        cmocka_unit_test(test_carry_added_and_removed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
