/* Circuit breakers, Retry-After parsing and pool selection. */
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

static const rt_status_range r5xx[] = { { 500, 599 } };
static const rt_status_range r429[] = { { 429, 429 } };
static const char *const conn_reasons[] = { "BackendConnectionFailure", "Timeout" };

static rt_breaker *count_breaker(int64_t count)
{
    rt_breaker_rule rule = { .name = "five-hundreds",
                             .count = count,
                             .interval_ms = MIN,
                             .ranges = r5xx,
                             .nranges = 1,
                             .trip_ms = 30 * SEC };
    rt_breaker *b = rt_breaker_new(&rule, 1, NULL);
    assert_non_null(b);
    return b;
}

static rt_breaker_change rec(rt_breaker *b, int status, int64_t now)
{
    return rt_breaker_record(b, status, STR_NULL, -1, now);
}

static void test_breaker_count(void **state)
{
    (void)state;
    rt_breaker *b = count_breaker(2);
    assert_int_equal(rec(b, 500, T0), RT_BREAKER_UNCHANGED);
    assert_int_equal(rec(b, 200, T0 + SEC), RT_BREAKER_UNCHANGED);
    assert_int_equal(rec(b, 404, T0 + SEC), RT_BREAKER_UNCHANGED);
    assert_false(rt_breaker_is_open(b, T0 + SEC));
    assert_int_equal(rec(b, 503, T0 + 10 * SEC), RT_BREAKER_TRIPPED);
    assert_true(rt_breaker_is_open(b, T0 + 10 * SEC));
    rt_breaker_state st = rt_breaker_get_state(b, T0 + 20 * SEC);
    assert_true(st.open);
    assert_int_equal(st.open_until_ms, T0 + 40 * SEC);
    assert_int_equal(st.trips, 1);
    assert_string_equal(st.rule, "five-hundreds");
    /* results of in-flight calls while open are ignored */
    assert_int_equal(rec(b, 500, T0 + 20 * SEC), RT_BREAKER_UNCHANGED);
    assert_int_equal(rec(b, 500, T0 + 21 * SEC), RT_BREAKER_UNCHANGED);
    assert_true(rt_breaker_is_open(b, T0 + 40 * SEC - 1));
    /* closes after tripDuration; the failures that tripped it do not count again */
    assert_false(rt_breaker_is_open(b, T0 + 40 * SEC));
    st = rt_breaker_get_state(b, T0 + 40 * SEC);
    assert_false(st.open);
    assert_int_equal(st.trips, 1);
    assert_int_equal(rec(b, 500, T0 + 41 * SEC), RT_BREAKER_UNCHANGED);
    assert_int_equal(rec(b, 500, T0 + 42 * SEC), RT_BREAKER_TRIPPED);
    assert_int_equal(rt_breaker_get_state(b, T0 + 42 * SEC).trips, 2);
    rt_breaker_free(b);
}

static void test_breaker_rolling_interval(void **state)
{
    (void)state;
    rt_breaker *b = count_breaker(2);
    assert_int_equal(rec(b, 500, T0), RT_BREAKER_UNCHANGED);
    /* the first failure left the 1-minute interval */
    assert_int_equal(rec(b, 500, T0 + MIN), RT_BREAKER_UNCHANGED);
    assert_int_equal(rec(b, 500, T0 + MIN + 59 * SEC), RT_BREAKER_TRIPPED);
    rt_breaker_free(b);
}

static void test_breaker_percentage(void **state)
{
    (void)state;
    rt_breaker_rule rule = {
        .percentage = 50, .interval_ms = MIN, .ranges = r5xx, .nranges = 1, .trip_ms = 10 * SEC
    };
    rt_breaker *b = rt_breaker_new(&rule, 1, NULL);
    assert_non_null(b);
    for (int i = 0; i < 3; i++)
        assert_int_equal(rec(b, 200, T0), RT_BREAKER_UNCHANGED);
    assert_int_equal(rec(b, 500, T0), RT_BREAKER_UNCHANGED); /* 1/4 */
    assert_int_equal(rec(b, 502, T0), RT_BREAKER_UNCHANGED); /* 2/5 */
    assert_int_equal(rec(b, 200, T0), RT_BREAKER_UNCHANGED); /* successes never trip */
    assert_int_equal(rec(b, 500, T0), RT_BREAKER_UNCHANGED); /* 3/7 */
    assert_int_equal(rec(b, 500, T0), RT_BREAKER_TRIPPED);   /* 4/8 = 50 % */
    assert_true(rt_breaker_is_open(b, T0 + 10 * SEC - 1));
    assert_false(rt_breaker_is_open(b, T0 + 10 * SEC));
    assert_null(rt_breaker_get_state(b, T0).rule); /* unnamed rule */
    rt_breaker_free(b);
    /* percentage with a minimum count */
    rule.count = 3;
    b = rt_breaker_new(&rule, 1, NULL);
    assert_int_equal(rec(b, 500, T0), RT_BREAKER_UNCHANGED); /* 100 % but 1 < 3 */
    assert_int_equal(rec(b, 500, T0), RT_BREAKER_UNCHANGED);
    assert_int_equal(rec(b, 500, T0), RT_BREAKER_TRIPPED);
    rt_breaker_free(b);
}

static void test_breaker_status_range_and_reasons(void **state)
{
    (void)state;
    rt_breaker_rule rule = { .name = "throttled",
                             .count = 1,
                             .interval_ms = MIN,
                             .ranges = r429,
                             .nranges = 1,
                             .reasons = conn_reasons,
                             .nreasons = 2,
                             .trip_ms = MIN };
    rt_breaker *b = rt_breaker_new(&rule, 1, NULL);
    assert_int_equal(rec(b, 500, T0), RT_BREAKER_UNCHANGED);
    assert_int_equal(rec(b, 430, T0), RT_BREAKER_UNCHANGED);
    assert_int_equal(rt_breaker_record(b, 0, STR_LIT("ClientConnectionFailure"), -1, T0),
                     RT_BREAKER_UNCHANGED);
    /* a status never matches a reason, and a reason needs status 0 */
    assert_int_equal(rt_breaker_record(b, 0, STR_NULL, -1, T0), RT_BREAKER_UNCHANGED);
    assert_int_equal(rec(b, 429, T0), RT_BREAKER_TRIPPED);
    assert_false(rt_breaker_is_open(b, T0 + MIN));
    assert_int_equal(rt_breaker_record(b, 0, STR_LIT("timeout"), -1, T0 + MIN),
                     RT_BREAKER_TRIPPED); /* case-insensitive */
    assert_false(rt_breaker_is_open(b, T0 + 2 * MIN));
    assert_int_equal(rt_breaker_record(b, 0, STR_LIT("BackendConnectionFailure"), -1, T0 + 2 * MIN),
                     RT_BREAKER_TRIPPED);
    rt_breaker_free(b);
    /* without ranges and reasons nothing is a failure */
    rt_breaker_rule none = { .count = 1, .interval_ms = MIN, .trip_ms = MIN };
    b = rt_breaker_new(&none, 1, NULL);
    assert_int_equal(rec(b, 500, T0), RT_BREAKER_UNCHANGED);
    assert_int_equal(rt_breaker_record(b, 0, STR_LIT("Timeout"), -1, T0), RT_BREAKER_UNCHANGED);
    rt_breaker_free(b);
    /* no rules: never trips */
    b = rt_breaker_new(NULL, 0, NULL);
    assert_non_null(b);
    assert_int_equal(rec(b, 500, T0), RT_BREAKER_UNCHANGED);
    rt_breaker_free(b);
}

static void test_breaker_retry_after(void **state)
{
    (void)state;
    rt_breaker_rule rule = { .count = 1,
                             .interval_ms = MIN,
                             .ranges = r429,
                             .nranges = 1,
                             .trip_ms = MIN,
                             .accept_retry_after = true };
    rt_breaker *b = rt_breaker_new(&rule, 1, NULL);
    int64_t ra = rt_retry_after_ms(STR_LIT("10"), T0);
    assert_int_equal(ra, 10 * SEC);
    assert_int_equal(rt_breaker_record(b, 429, STR_NULL, ra, T0), RT_BREAKER_TRIPPED);
    assert_true(rt_breaker_is_open(b, T0 + 10 * SEC - 1));
    assert_false(rt_breaker_is_open(b, T0 + 10 * SEC));
    /* an HTTP date: trips until that instant (2026-01-01T00:02:30Z) */
    int64_t now = T0 + MIN;
    ra = rt_retry_after_ms(STR_LIT("Thu, 01 Jan 2026 00:02:30 GMT"), now);
    assert_int_equal(ra, 90 * SEC);
    assert_int_equal(rt_breaker_record(b, 429, STR_NULL, ra, now), RT_BREAKER_TRIPPED);
    assert_true(rt_breaker_is_open(b, T0 + 150 * SEC - 1));
    assert_false(rt_breaker_is_open(b, T0 + 150 * SEC));
    /* no Retry-After: tripDuration */
    now = T0 + 200 * SEC;
    assert_int_equal(rt_breaker_record(b, 429, STR_NULL, -1, now), RT_BREAKER_TRIPPED);
    assert_int_equal(rt_breaker_get_state(b, now).open_until_ms, now + MIN);
    rt_breaker_free(b);
    /* acceptRetryAfter off: the header is ignored */
    rule.accept_retry_after = false;
    b = rt_breaker_new(&rule, 1, NULL);
    assert_int_equal(rt_breaker_record(b, 429, STR_NULL, 5 * SEC, T0), RT_BREAKER_TRIPPED);
    assert_int_equal(rt_breaker_get_state(b, T0).open_until_ms, T0 + MIN);
    rt_breaker_free(b);
}

static void test_retry_after_parse(void **state)
{
    (void)state;
    int64_t t = T0; /* Thu, 01 Jan 2026 00:00:00 GMT */
    assert_int_equal(rt_retry_after_ms(STR_LIT(" 7 "), t), 7 * SEC);
    assert_int_equal(rt_retry_after_ms(STR_LIT("0"), t), 0);
    assert_int_equal(rt_retry_after_ms(STR_LIT("Thu, 01 Jan 2026 00:00:05 GMT"), t), 5 * SEC);
    assert_int_equal(rt_retry_after_ms(STR_LIT("Thursday, 01-Jan-26 00:00:05 GMT"), t), 5 * SEC);
    assert_int_equal(rt_retry_after_ms(STR_LIT("Thu Jan  1 00:00:05 2026"), t), 5 * SEC);
    assert_int_equal(rt_retry_after_ms(STR_LIT("Sun, 06 Nov 1994 08:49:37 GMT"), t), 0); /* past */
    assert_int_equal(rt_retry_after_ms(STR_LIT("Thu, 29 Feb 2024 00:00:00 GMT"), 0),
                     (int64_t)1709164800000);
    const char *const bad[] = { "",
                                "abc",
                                "-1",
                                "1.5",
                                "10s",
                                "Thu, 01 Foo 2026 00:00:05 GMT",
                                "Thu, 01 Jan 2026 25:00:05 GMT",
                                "Thu, 01 Jan 2026 00:00:05",
                                "99999999999999999999" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(rt_retry_after_ms(str_from(bad[i]), t), -1);
}

static void test_breaker_invalid_rules(void **state)
{
    (void)state;
    const char *err = NULL;
    const rt_breaker_rule bad[] = {
        { .count = 1, .interval_ms = 0, .trip_ms = MIN },
        { .count = 1, .interval_ms = MIN, .trip_ms = -1 },
        { .count = 0, .percentage = 0, .interval_ms = MIN, .trip_ms = MIN },
        { .percentage = 101, .interval_ms = MIN, .trip_ms = MIN },
        { .count = -2, .interval_ms = MIN, .trip_ms = MIN },
        { .count = 1, .interval_ms = MIN, .trip_ms = MIN, .nranges = 1 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err = NULL;
        assert_null(rt_breaker_new(&bad[i], 1, &err));
        assert_non_null(err);
    }
}

/* ---- pools ---- */

static char *picks(rt_pool *p, const bool *avail, int n, char *buf)
{
    for (int i = 0; i < n; i++) {
        int k = rt_pool_pick(p, avail);
        buf[i] = k < 0 ? '-' : rt_pool_member_at(p, (size_t)k)->id[0];
    }
    buf[n] = 0;
    return buf;
}

static void test_pool_smooth_wrr(void **state)
{
    (void)state;
    char buf[64];
    const bool all[] = { true, true, true, true };
    rt_pool_member m31[] = { { "a", 1, 3 }, { "b", 1, 1 } };
    rt_pool *p = rt_pool_new(m31, 2);
    assert_string_equal(picks(p, all, 8, buf), "aabaaaba");
    rt_pool_free(p);
    /* nginx's documented example: weights 5, 1, 1 give a a b a c a a */
    rt_pool_member m511[] = { { "a", 0, 5 }, { "b", 0, 1 }, { "c", 0, 1 } };
    p = rt_pool_new(m511, 3);
    assert_string_equal(picks(p, all, 14, buf), "aabacaaaabacaa");
    rt_pool_free(p);
    /* equal weights: plain round-robin */
    rt_pool_member eq[] = { { "a", 1, 1 }, { "b", 1, 1 }, { "c", 1, 1 } };
    p = rt_pool_new(eq, 3);
    assert_string_equal(picks(p, all, 6, buf), "abcabc");
    /* a member becomes unavailable: the others share */
    const bool no_b[] = { true, false, true };
    assert_string_equal(picks(p, no_b, 4, buf), "acac");
    rt_pool_free(p);
}

static void test_pool_weight_zero(void **state)
{
    (void)state;
    char buf[64];
    rt_pool_member m[] = { { "a", 1, 0 }, { "b", 1, 2 }, { "z", 1, 0 } };
    rt_pool *p = rt_pool_new(m, 3);
    const bool all[] = { true, true, true };
    assert_string_equal(picks(p, all, 4, buf), "bbbb");
    const bool no_b[] = { true, false, true };
    assert_string_equal(picks(p, no_b, 4, buf), "azaz");
    const bool none[] = { false, false, false };
    assert_string_equal(picks(p, none, 2, buf), "--");
    rt_pool_free(p);
}

static void test_pool_invalid(void **state)
{
    (void)state;
    rt_pool_member m[31];
    for (int i = 0; i < 31; i++)
        m[i] = (rt_pool_member){ "x", 1, 1 };
    assert_null(rt_pool_new(m, 0));
    assert_null(rt_pool_new(m, 31));
    rt_pool *p = rt_pool_new(m, 30);
    assert_non_null(p);
    assert_int_equal(rt_pool_size(p), 30);
    assert_null(rt_pool_member_at(p, 30));
    rt_pool_free(p);
    m[0].weight = -1;
    assert_null(rt_pool_new(m, 2));
    m[0] = (rt_pool_member){ NULL, 1, 1 };
    assert_null(rt_pool_new(m, 2));
    m[0] = (rt_pool_member){ "", 1, 1 };
    assert_null(rt_pool_new(m, 2));
}

/* ---- registry ---- */

static const char *pick_id(rt_backends *bk, const char *pool, int64_t now)
{
    rt_pool_choice c;
    rt_pool_pick_status st = rt_backends_pick(bk, str_from(pool), now, &c);
    if (st != RT_POOL_PICKED) {
        assert_int_equal(c.index, -1);
        assert_null(c.member_id);
        return st == RT_POOL_UNAVAILABLE ? "unavailable" : "not-found";
    }
    return c.member_id;
}

static void trip(rt_backends *bk, const char *id, int64_t now)
{
    assert_int_equal(rt_backends_record(bk, str_from(id), 429, STR_NULL, -1, now),
                     RT_BREAKER_TRIPPED);
}

static void count_open(void *ud, const char *id, const rt_breaker_state *st)
{
    (void)id;
    if (st->open)
        ++*(int *)ud;
}

static void test_registry_priorities(void **state)
{
    (void)state;
    rt_backends *bk = rt_backends_new();
    rt_breaker_rule rule = {
        .count = 1, .interval_ms = MIN, .ranges = r429, .nranges = 1, .trip_ms = MIN
    };
    const char *ids[] = { "east-1", "east-2", "west", "backup" };
    for (int i = 0; i < 4; i++)
        assert_int_equal(rt_backends_add_breaker(bk, str_from(ids[i]), &rule, 1, NULL), 0);
    const char *err = NULL;
    assert_int_equal(rt_backends_add_breaker(bk, STR_LIT("west"), &rule, 1, &err), -1);
    assert_non_null(err);
    rt_pool_member m[] = { { "east-1", 1, 1 },
                           { "east-2", 1, 1 },
                           { "west", 2, 1 },
                           { "backup", 3, 1 },
                           { "no-breaker", 3, 1 } };
    assert_int_equal(rt_backends_add_pool(bk, STR_LIT("pool"), m, 5, NULL), 0);
    assert_int_equal(rt_backends_add_pool(bk, STR_LIT("pool"), m, 5, &err), -1);
    assert_int_equal(rt_backends_add_pool(bk, STR_LIT("empty"), m, 0, &err), -1);
    assert_true(rt_backends_is_pool(bk, STR_LIT("pool")));
    assert_false(rt_backends_is_pool(bk, STR_LIT("west")));

    /* the best group only, round-robin inside it */
    assert_string_equal(pick_id(bk, "pool", T0), "east-1");
    assert_string_equal(pick_id(bk, "pool", T0), "east-2");
    assert_string_equal(pick_id(bk, "pool", T0), "east-1");
    /* one of two tripped: no failover yet */
    trip(bk, "east-1", T0);
    assert_true(rt_backends_is_open(bk, STR_LIT("east-1"), T0));
    for (int i = 0; i < 3; i++)
        assert_string_equal(pick_id(bk, "pool", T0 + SEC), "east-2");
    /* the whole group tripped: failover to priority 2 */
    trip(bk, "east-2", T0 + 10 * SEC);
    assert_string_equal(pick_id(bk, "pool", T0 + 10 * SEC), "west");
    trip(bk, "west", T0 + 20 * SEC);
    assert_string_equal(pick_id(bk, "pool", T0 + 20 * SEC), "backup");
    assert_string_equal(pick_id(bk, "pool", T0 + 20 * SEC), "no-breaker");
    int open = 0;
    rt_backends_each(bk, T0 + 20 * SEC, count_open, &open);
    assert_int_equal(open, 3);
    /* east-1 closes after its minute: traffic returns to priority 1 */
    assert_string_equal(pick_id(bk, "pool", T0 + MIN), "east-1");
    assert_string_equal(pick_id(bk, "pool", T0 + MIN), "east-1");
    rt_breaker_state st = rt_backends_state(bk, STR_LIT("west"), T0 + MIN);
    assert_true(st.open);
    assert_int_equal(st.open_until_ms, T0 + 80 * SEC);
    st = rt_backends_state(bk, STR_LIT("unknown"), T0);
    assert_false(st.open);
    assert_int_equal(st.trips, 0);
    /* unknown ids */
    assert_string_equal(pick_id(bk, "nope", T0), "not-found");
    assert_false(rt_backends_is_open(bk, STR_LIT("nope"), T0));
    assert_int_equal(rt_backends_record(bk, STR_LIT("nope"), 429, STR_NULL, -1, T0),
                     RT_BREAKER_UNCHANGED);
    rt_backends_free(bk);
}

static void test_registry_all_tripped(void **state)
{
    (void)state;
    rt_backends *bk = rt_backends_new();
    rt_breaker_rule rule = { .name = "throttled",
                             .count = 1,
                             .interval_ms = MIN,
                             .ranges = r429,
                             .nranges = 1,
                             .trip_ms = MIN,
                             .accept_retry_after = true };
    rt_backends_add_breaker(bk, STR_LIT("p1"), &rule, 1, NULL);
    rt_backends_add_breaker(bk, STR_LIT("p2"), &rule, 1, NULL);
    rt_pool_member m[] = { { "p1", 1, 3 }, { "p2", 2, 1 } };
    rt_backends_add_pool(bk, STR_LIT("aoai-pool"), m, 2, NULL);
    assert_int_equal(rt_backends_record(bk, STR_LIT("p1"), 429, STR_NULL, 10 * SEC, T0),
                     RT_BREAKER_TRIPPED);
    assert_int_equal(rt_backends_record(bk, STR_LIT("p2"), 429, STR_NULL, 20 * SEC, T0),
                     RT_BREAKER_TRIPPED);
    assert_string_equal(pick_id(bk, "aoai-pool", T0 + 5 * SEC), "unavailable");
    char msg[128];
    assert_string_equal(rt_pool_unavailable_message(STR_LIT("aoai-pool"), msg, sizeof msg),
                        "Backend pool aoai-pool is temporarily unavailable");
    assert_int_equal(RT_POOL_UNAVAILABLE_STATUS, 503);
    /* Retry-After 10 s on p1: back at T0+10s; p2 still out */
    assert_string_equal(pick_id(bk, "aoai-pool", T0 + 10 * SEC), "p1");
    rt_backends_free(bk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_breaker_count),
        cmocka_unit_test(test_breaker_rolling_interval),
        cmocka_unit_test(test_breaker_percentage),
        cmocka_unit_test(test_breaker_status_range_and_reasons),
        cmocka_unit_test(test_breaker_retry_after),
        cmocka_unit_test(test_retry_after_parse),
        cmocka_unit_test(test_breaker_invalid_rules),
        cmocka_unit_test(test_pool_smooth_wrr),
        cmocka_unit_test(test_pool_weight_zero),
        cmocka_unit_test(test_pool_invalid),
        cmocka_unit_test(test_registry_priorities),
        cmocka_unit_test(test_registry_all_tripped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
