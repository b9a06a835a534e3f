/* Rate limit, quota, token limit and concurrency counters of the memory store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/base/civil.h"
#include "runtime/counters.h"
#include "runtime/counters_impl.h"

/* 2026-01-01T00:00:00Z, a Thursday */
#define T0   ((int64_t)1767225600000)
#define SEC  ((int64_t)1000)
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)
#define DAY  (24 * HOUR)

static int64_t utc(int y, int m, int d, int hh, int mm, int ss)
{
    return ((civil_days_from(y, m, d) * 24 + hh) * 60 + mm) * 60000 + (int64_t)ss * 1000;
}

static rt_counter_result run(rt_counter_store *s, rt_counter_op op)
{
    rt_counter_result res;
    assert_int_equal(rt_counter_exec(s, &op, &res, NULL, NULL), RT_COUNTER_DONE);
    assert_int_equal(res.kind, op.kind);
    return res;
}

static rt_counter_result rate(rt_counter_store *s, const char *key, int64_t limit, int64_t period,
                              int64_t take, int64_t now)
{
    return run(s, (rt_counter_op){ .kind = RT_COUNTER_RATE,
                                   .key = str_from(key),
                                   .now_ms = now,
                                   .rate = { limit, period, take } });
}

static void rate_add(rt_counter_store *s, const char *key, int64_t period, int64_t n, int64_t now)
{
    rt_counter_result r = run(s, (rt_counter_op){ .kind = RT_COUNTER_RATE_ADD,
                                                  .key = str_from(key),
                                                  .now_ms = now,
                                                  .rate = { 0, period, n } });
    assert_true(r.admitted);
}

/* ---- rate limit ---- */

static void test_rate_window_exact(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    for (int i = 0; i < 10; i++) {
        rt_counter_result r = rate(s, "sub", 10, MIN, 1, T0);
        assert_true(r.admitted);
        assert_int_equal(r.rate.used, i);
        assert_int_equal(r.rate.remaining, 9 - i);
    }
    rt_counter_result r = rate(s, "sub", 10, MIN, 1, T0);
    assert_false(r.admitted);
    assert_int_equal(r.refusal, RT_COUNTER_BY_CALLS);
    assert_int_equal(r.rate.used, 10);
    assert_int_equal(r.rate.retry_after_s, 60);
    r = rate(s, "sub", 10, MIN, 1, T0 + 59 * SEC + 1);
    assert_false(r.admitted);
    assert_int_equal(r.rate.retry_after_s, 1);
    r = rate(s, "sub", 10, MIN, 1, T0 + MIN - 1);
    assert_false(r.admitted);
    assert_int_equal(r.rate.retry_after_s, 1);
    /* the refused calls did not count: at exactly one minute the window is empty */
    r = rate(s, "sub", 10, MIN, 1, T0 + MIN);
    assert_true(r.admitted);
    assert_int_equal(r.rate.used, 0);
    assert_int_equal(r.rate.remaining, 9);
    rt_counter_store_free(s);
}

static void test_rate_sub_second_buckets(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    /* a hit at .500 lands in the bucket of its whole second and expires with it */
    assert_true(rate(s, "k", 1, MIN, 1, T0 + 500).admitted);
    rt_counter_result r = rate(s, "k", 1, MIN, 1, T0 + 500);
    assert_false(r.admitted);
    assert_int_equal(r.rate.retry_after_s, 60); /* ceil(59.5) */
    r = rate(s, "k", 1, MIN, 1, T0 + MIN - 1);
    assert_false(r.admitted);
    assert_int_equal(r.rate.retry_after_s, 1);
    assert_true(rate(s, "k", 1, MIN, 1, T0 + MIN).admitted);
    rt_counter_store_free(s);
}

static void test_rate_sliding(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    assert_true(rate(s, "k", 2, 10 * SEC, 1, T0).admitted);
    assert_true(rate(s, "k", 2, 10 * SEC, 1, T0 + 3 * SEC).admitted);
    rt_counter_result r = rate(s, "k", 2, 10 * SEC, 1, T0 + 5 * SEC);
    assert_false(r.admitted);
    assert_int_equal(r.rate.retry_after_s, 5); /* the first hit leaves at T0+10s */
    r = rate(s, "k", 2, 10 * SEC, 1, T0 + 10 * SEC);
    assert_true(r.admitted);
    assert_int_equal(r.rate.used, 1);
    assert_int_equal(r.rate.remaining, 0);
    r = rate(s, "k", 2, 10 * SEC, 1, T0 + 10 * SEC);
    assert_false(r.admitted);
    assert_int_equal(r.rate.retry_after_s, 3); /* the T0+3s hit leaves at T0+13s */
    rt_counter_store_free(s);
}

static void test_rate_increment_after_response(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    /* check only (take 0): nothing is counted */
    for (int i = 0; i < 5; i++) {
        rt_counter_result r = rate(s, "ip", 3, MIN, 0, T0);
        assert_true(r.admitted);
        assert_int_equal(r.rate.used, 0);
        assert_int_equal(r.rate.remaining, 3);
    }
    /* increments decided after the response, increment-count 2 then 1 */
    rate_add(s, "ip", MIN, 2, T0 + 1 * SEC);
    rt_counter_result r = rate(s, "ip", 3, MIN, 0, T0 + 2 * SEC);
    assert_true(r.admitted);
    assert_int_equal(r.rate.used, 2);
    assert_int_equal(r.rate.remaining, 1);
    rate_add(s, "ip", MIN, 3, T0 + 4 * SEC); /* overshoot: used 5 */
    r = rate(s, "ip", 3, MIN, 0, T0 + 5 * SEC);
    assert_false(r.admitted);
    assert_int_equal(r.rate.used, 5);
    /* 3 must leave (used 5 → 2 < 3): the 2 from T0+1s leave at 61 s, the next at 64 s */
    assert_int_equal(r.rate.retry_after_s, 59);
    r = rate(s, "ip", 3, MIN, 0, T0 + 61 * SEC);
    assert_false(r.admitted);
    assert_int_equal(r.rate.retry_after_s, 3);
    assert_true(rate(s, "ip", 3, MIN, 0, T0 + 64 * SEC).admitted);
    /* check+take with an increment larger than what is left: admitted (used < calls) */
    r = rate(s, "ip2", 3, MIN, 5, T0);
    assert_true(r.admitted);
    assert_int_equal(r.rate.remaining, 0);
    assert_false(rate(s, "ip2", 3, MIN, 1, T0).admitted);
    /* huge increments saturate instead of overflowing */
    rate_add(s, "big", MIN, INT64_MAX, T0);
    rate_add(s, "big", MIN, INT64_MAX, T0 + SEC);
    r = rate(s, "big", INT64_MAX, MIN, 1, T0 + 2 * SEC);
    assert_false(r.admitted);
    assert_int_equal(r.rate.used, INT64_MAX);
    assert_int_equal(r.rate.retry_after_s, 58);
    r = rate(s, "big2", INT64_MAX, MIN, INT64_MAX, T0);
    assert_true(r.admitted);
    assert_int_equal(r.rate.remaining, 0);
    rt_counter_store_free(s);
}

static void test_rate_long_period(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    /* 3600 s > 1024 s: buckets are ceil(3600000/1024) = 3516 ms → 4 s wide, T0 is aligned */
    assert_true(rate(s, "h", 1, HOUR, 1, T0 + 3 * SEC).admitted);
    rt_counter_result r = rate(s, "h", 1, HOUR, 1, T0 + 3 * SEC);
    assert_false(r.admitted);
    assert_int_equal(r.rate.retry_after_s, 3597);
    assert_false(rate(s, "h", 1, HOUR, 1, T0 + HOUR - 1).admitted);
    assert_true(rate(s, "h", 1, HOUR, 1, T0 + HOUR).admitted);
    rt_counter_store_free(s);
}

static void test_rate_keys_and_namespaces(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    assert_true(rate(s, "a", 1, MIN, 1, T0).admitted);
    assert_false(rate(s, "a", 1, MIN, 1, T0).admitted);
    assert_true(rate(s, "b", 1, MIN, 1, T0).admitted);
    assert_true(rate(s, "", 1, MIN, 1, T0).admitted);
    /* a quota counter with the same key is a different counter */
    rt_counter_result q =
        run(s, (rt_counter_op){ .kind = RT_COUNTER_QUOTA,
                                .key = str_from("a"),
                                .now_ms = T0,
                                .quota = { .calls = 1, .period_ms = HOUR, .calls_take = 1 } });
    assert_true(q.admitted);
    /* a key with a NUL byte inside is its own key */
    assert_true(rate(s, "a", 5, MIN, 0, T0).admitted);
    rt_counter_result r = run(s, (rt_counter_op){ .kind = RT_COUNTER_RATE,
                                                  .key = str_make("a\0b", 3),
                                                  .now_ms = T0,
                                                  .rate = { 1, MIN, 1 } });
    assert_true(r.admitted);
    rt_counter_store_free(s);
}

static void test_invalid_ops(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    const rt_counter_op bad[] = {
        { .kind = RT_COUNTER_RATE, .key = STR_LIT("k"), .rate = { 0, MIN, 1 } },
        { .kind = RT_COUNTER_RATE, .key = STR_LIT("k"), .rate = { 5, 0, 1 } },
        { .kind = RT_COUNTER_RATE, .key = STR_LIT("k"), .rate = { 5, MIN, -1 } },
        { .kind = RT_COUNTER_RATE_ADD, .key = STR_LIT("k"), .rate = { 0, -5, 1 } },
        { .kind = RT_COUNTER_QUOTA, .key = STR_LIT("k"), .quota = { .calls = 0, .kb = 0 } },
        { .kind = RT_COUNTER_QUOTA, .key = STR_LIT("k"), .quota = { .calls = 1, .period_ms = -1 } },
        { .kind = RT_COUNTER_TOKEN, .key = STR_LIT("k"), .token = { .tpm = 0 } },
        { .kind = RT_COUNTER_TOKEN,
          .key = STR_LIT("k"),
          .token = { .period = RT_TOKEN_PERIOD_DAILY, .quota = 0 } },
        { .kind = RT_COUNTER_TOKEN, .key = STR_LIT("k"), .token = { .tpm = 5, .need = -1 } },
        { .kind = RT_COUNTER_TOKEN,
          .key = STR_LIT("k"),
          .token = { .tpm = 5, .period = (rt_token_period)42 } },
        { .kind = RT_COUNTER_ACQUIRE, .key = STR_LIT("k"), .conc = { 0 } },
        { .kind = (rt_counter_kind)99, .key = STR_LIT("k") },
        { .kind = RT_COUNTER_RELEASE, .key = { NULL, 3 } },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rt_counter_result res;
        res.error = NULL;
        assert_int_equal(rt_counter_exec(s, &bad[i], &res, NULL, NULL), RT_COUNTER_ERROR);
        assert_non_null(res.error);
        assert_false(res.admitted);
    }
    assert_int_equal(rt_counter_mem_sweep(s, T0), 0);
    rt_counter_store_free(s);
}

/* ---- quota ---- */

static rt_counter_result quota(rt_counter_store *s, const char *key, int64_t calls, int64_t kb,
                               int64_t start, int64_t period, int64_t take, int64_t now)
{
    return run(s, (rt_counter_op){ .kind = RT_COUNTER_QUOTA,
                                   .key = str_from(key),
                                   .now_ms = now,
                                   .quota = { calls, kb, start, period, take, 0 } });
}

static void test_quota_windows(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    int64_t start = T0 - 30 * MIN; /* windows [T0-30m, T0+30m), [T0+30m, T0+90m), ... */
    for (int i = 0; i < 3; i++) {
        rt_counter_result r = quota(s, "sub", 3, 0, start, HOUR, 1, T0 + i * SEC);
        assert_true(r.admitted);
        assert_int_equal(r.quota.calls_used, i + 1);
        assert_int_equal(r.quota.calls_remaining, 2 - i);
        assert_int_equal(r.quota.kb_remaining, -1);
        assert_int_equal(r.quota.window_start_ms, start);
        assert_int_equal(r.quota.window_end_ms, T0 + 30 * MIN);
    }
    rt_counter_result r = quota(s, "sub", 3, 0, start, HOUR, 1, T0);
    assert_false(r.admitted);
    assert_int_equal(r.refusal, RT_COUNTER_BY_CALLS);
    assert_int_equal(r.quota.calls_used, 3);
    assert_int_equal(r.quota.renew_s, 1800);
    char hms[32];
    assert_string_equal(rt_counter_hms(r.quota.renew_s, hms, sizeof hms), "00:30:00");
    r = quota(s, "sub", 3, 0, start, HOUR, 1, T0 + 30 * MIN - 1);
    assert_false(r.admitted);
    assert_int_equal(r.quota.renew_s, 1);
    r = quota(s, "sub", 3, 0, start, HOUR, 1, T0 + 30 * MIN);
    assert_true(r.admitted);
    assert_int_equal(r.quota.calls_used, 1);
    assert_int_equal(r.quota.window_start_ms, T0 + 30 * MIN);
    assert_int_equal(r.quota.renew_s, 3600);
    /* a window skipped entirely: [T0+150m, T0+210m) */
    r = quota(s, "sub", 3, 0, start, HOUR, 0, T0 + 3 * HOUR);
    assert_true(r.admitted);
    assert_int_equal(r.quota.calls_used, 0);
    assert_int_equal(r.quota.window_start_ms, T0 + 150 * MIN);
    rt_counter_store_free(s);
}

static void test_quota_never_resets(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    assert_true(quota(s, "k", 2, 0, T0, 0, 1, T0).admitted);
    assert_true(quota(s, "k", 2, 0, T0, 0, 1, T0 + DAY).admitted);
    rt_counter_result r = quota(s, "k", 2, 0, T0, 0, 1, T0 + 3650 * DAY);
    assert_false(r.admitted);
    assert_int_equal(r.quota.renew_s, -1);
    assert_int_equal(r.quota.window_end_ms, INT64_MAX);
    /* the sweep keeps a counter that never expires */
    assert_int_equal(rt_counter_mem_sweep(s, T0 + 36500 * DAY), 1);
    rt_counter_store_free(s);
}

static void test_quota_window_alignment(void **state)
{
    (void)state;
    int64_t ws, we;
    /* default first-period-start 0001-01-01T00:00:00Z with a day: UTC days */
    int64_t year1 = utc(1, 1, 1, 0, 0, 0);
    rt_quota_window(year1, DAY, T0 + 5 * HOUR, &ws, &we);
    assert_int_equal(ws, T0);
    assert_int_equal(we, T0 + DAY);
    /* weekly from year 1 (a Monday): Monday-aligned weeks */
    rt_quota_window(year1, 7 * DAY, T0, &ws, &we);
    assert_int_equal(ws, utc(2025, 12, 29, 0, 0, 0));
    /* a start in the future: windows extend backwards */
    rt_quota_window(T0 + 10 * MIN, HOUR, T0, &ws, &we);
    assert_int_equal(ws, T0 - 50 * MIN);
    assert_int_equal(we, T0 + 10 * MIN);
    /* the boundary belongs to the next window */
    rt_quota_window(T0, HOUR, T0 + HOUR, &ws, &we);
    assert_int_equal(ws, T0 + HOUR);
    rt_quota_window(T0, 0, T0 + HOUR, &ws, &we);
    assert_int_equal(ws, INT64_MIN);
    assert_int_equal(we, INT64_MAX);
}

static void test_quota_bandwidth(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    rt_counter_result r = quota(s, "b", 100, 2, T0, HOUR, 1, T0);
    assert_true(r.admitted);
    assert_int_equal(r.quota.kb_remaining, 2);
    r = run(s, (rt_counter_op){ .kind = RT_COUNTER_QUOTA_ADD,
                                .key = STR_LIT("b"),
                                .now_ms = T0,
                                .quota = { 100, 2, T0, HOUR, 0, 1000 } });
    assert_true(r.admitted);
    assert_int_equal(r.quota.bytes_used, 1000);
    assert_int_equal(r.quota.kb_remaining, 1); /* 1000 bytes = 1 KB started */
    run(s, (rt_counter_op){ .kind = RT_COUNTER_QUOTA_ADD,
                            .key = STR_LIT("b"),
                            .now_ms = T0,
                            .quota = { 100, 2, T0, HOUR, 0, 1048 } });
    r = quota(s, "b", 100, 2, T0, HOUR, 1, T0 + MIN);
    assert_false(r.admitted);
    assert_int_equal(r.refusal, RT_COUNTER_BY_BANDWIDTH);
    assert_int_equal(r.quota.kb_remaining, 0);
    assert_int_equal(r.quota.calls_used, 1);
    assert_int_equal(r.quota.renew_s, 3540);
    /* both exhausted: calls are reported */
    rt_counter_store *s2 = rt_counter_mem_new(0);
    run(s2, (rt_counter_op){ .kind = RT_COUNTER_QUOTA_ADD,
                             .key = STR_LIT("b"),
                             .now_ms = T0,
                             .quota = { 1, 1, T0, HOUR, 1, 4096 } });
    r = quota(s2, "b", 1, 1, T0, HOUR, 1, T0);
    assert_int_equal(r.refusal, RT_COUNTER_BY_CALLS);
    rt_counter_store_free(s2);
    rt_counter_store_free(s);
}

static void test_hms(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(rt_counter_hms(0, b, sizeof b), "00:00:00");
    assert_string_equal(rt_counter_hms(59, b, sizeof b), "00:00:59");
    assert_string_equal(rt_counter_hms(90061, b, sizeof b), "25:01:01");
    assert_int_equal(rt_counter_secs_until(T0 + 1, T0), 1);
    assert_int_equal(rt_counter_secs_until(T0 + 1000, T0), 1);
    assert_int_equal(rt_counter_secs_until(T0 + 1001, T0), 2);
    assert_int_equal(rt_counter_secs_until(T0 - 5, T0), 1);
}

/* ---- token limits ---- */

static rt_counter_result token(rt_counter_store *s, const char *key, int64_t tpm, int64_t q,
                               rt_token_period p, int64_t need, int64_t now)
{
    return run(
        s,
        (rt_counter_op){
            .kind = RT_COUNTER_TOKEN,
            .key = str_from(key),
            .now_ms = now,
            .token = { .tpm = tpm, .quota = q, .period = p, .need = need, .quota_need = need } });
}

static rt_counter_result consume(rt_counter_store *s, const char *key, int64_t tpm, int64_t q,
                                 rt_token_period p, int64_t n, int64_t now)
{
    return run(s, (rt_counter_op){ .kind = RT_COUNTER_TOKEN_ADD,
                                   .key = str_from(key),
                                   .now_ms = now,
                                   .token = { .tpm = tpm, .quota = q, .period = p, .take = n } });
}

static void test_token_tpm(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    rt_counter_result r = token(s, "t", 1000, 0, RT_TOKEN_PERIOD_NONE, 0, T0);
    assert_true(r.admitted);
    assert_int_equal(r.token.tpm_remaining, 1000);
    assert_int_equal(r.token.quota_remaining, -1);
    r = consume(s, "t", 1000, 0, RT_TOKEN_PERIOD_NONE, 600, T0);
    assert_int_equal(r.token.tpm_used, 600);
    assert_int_equal(r.token.tpm_remaining, 400);
    r = token(s, "t", 1000, 0, RT_TOKEN_PERIOD_NONE, 500, T0 + SEC);
    assert_false(r.admitted);
    assert_int_equal(r.refusal, RT_COUNTER_BY_TPM);
    assert_int_equal(r.token.retry_after_s, 59);
    assert_true(token(s, "t", 1000, 0, RT_TOKEN_PERIOD_NONE, 400, T0 + SEC).admitted);
    consume(s, "t", 1000, 0, RT_TOKEN_PERIOD_NONE, 400, T0 + 30 * SEC);
    r = token(s, "t", 1000, 0, RT_TOKEN_PERIOD_NONE, 0, T0 + 40 * SEC);
    assert_false(r.admitted); /* budget left is 0 */
    assert_int_equal(r.token.tpm_remaining, 0);
    assert_int_equal(r.token.retry_after_s, 20);
    /* an estimate larger than the whole budget can never fit */
    r = token(s, "t", 1000, 0, RT_TOKEN_PERIOD_NONE, 1001, T0 + 40 * SEC);
    assert_false(r.admitted);
    assert_int_equal(r.token.retry_after_s, 60);
    /* an estimate needing both buckets to leave: 900 needs the 400 of T0+30s to go too */
    r = token(s, "t", 1000, 0, RT_TOKEN_PERIOD_NONE, 900, T0 + 40 * SEC);
    assert_int_equal(r.token.retry_after_s, 50);
    r = token(s, "t", 1000, 0, RT_TOKEN_PERIOD_NONE, 0, T0 + MIN);
    assert_true(r.admitted);
    assert_int_equal(r.token.tpm_used, 400);
    /* overshoot (usage known after the response) blocks until it leaves */
    consume(s, "t", 1000, 0, RT_TOKEN_PERIOD_NONE, 5000, T0 + MIN);
    r = token(s, "t", 1000, 0, RT_TOKEN_PERIOD_NONE, 0, T0 + 91 * SEC);
    assert_false(r.admitted);
    assert_int_equal(r.token.retry_after_s, 29);
    rt_counter_store_free(s);
}

static void test_token_quota(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    rt_counter_result r = consume(s, "q", 0, 1000, RT_TOKEN_PERIOD_DAILY, 700, T0 + HOUR);
    assert_int_equal(r.token.quota_used, 700);
    assert_int_equal(r.token.quota_remaining, 300);
    assert_int_equal(r.token.tpm_remaining, -1);
    r = token(s, "q", 0, 1000, RT_TOKEN_PERIOD_DAILY, 300, T0 + 2 * HOUR);
    assert_true(r.admitted);
    r = token(s, "q", 0, 1000, RT_TOKEN_PERIOD_DAILY, 301, T0 + 2 * HOUR);
    assert_false(r.admitted);
    assert_int_equal(r.refusal, RT_COUNTER_BY_QUOTA);
    consume(s, "q", 0, 1000, RT_TOKEN_PERIOD_DAILY, 300, T0 + 2 * HOUR);
    r = token(s, "q", 0, 1000, RT_TOKEN_PERIOD_DAILY, 0, T0 + 3 * HOUR);
    assert_false(r.admitted);
    assert_int_equal(r.refusal, RT_COUNTER_BY_QUOTA);
    assert_int_equal(r.token.quota_renew_s, 21 * 3600);
    assert_int_equal(r.token.quota_window_end_ms, T0 + DAY);
    r = token(s, "q", 0, 1000, RT_TOKEN_PERIOD_DAILY, 0, T0 + DAY);
    assert_true(r.admitted);
    assert_int_equal(r.token.quota_used, 0);
    /* TPM and quota together: TPM is checked first and wins */
    consume(s, "both", 100, 100, RT_TOKEN_PERIOD_HOURLY, 100, T0);
    r = token(s, "both", 100, 100, RT_TOKEN_PERIOD_HOURLY, 0, T0 + SEC);
    assert_int_equal(r.refusal, RT_COUNTER_BY_TPM);
    assert_int_equal(r.token.quota_remaining, 0);
    r = token(s, "both", 100, 100, RT_TOKEN_PERIOD_HOURLY, 0, T0 + MIN);
    assert_int_equal(r.refusal, RT_COUNTER_BY_QUOTA);
    assert_int_equal(r.token.quota_renew_s, 59 * 60);
    assert_true(token(s, "both", 100, 100, RT_TOKEN_PERIOD_HOURLY, 0, T0 + HOUR).admitted);
    /* a different period for the same key starts its own window */
    r = token(s, "both", 0, 100, RT_TOKEN_PERIOD_DAILY, 0, T0 + 30 * MIN);
    assert_true(r.admitted);
    assert_int_equal(r.token.quota_used, 0);
    rt_counter_store_free(s);
}

static void check_window(rt_token_period p, int64_t now, int64_t ws, int64_t we)
{
    int64_t s, e;
    rt_token_period_window(p, now, &s, &e);
    assert_int_equal(s, ws);
    assert_int_equal(e, we);
}

static void test_token_periods(void **state)
{
    (void)state;
    check_window(RT_TOKEN_PERIOD_HOURLY, utc(2026, 1, 1, 10, 15, 3), utc(2026, 1, 1, 10, 0, 0),
                 utc(2026, 1, 1, 11, 0, 0));
    check_window(RT_TOKEN_PERIOD_HOURLY, utc(2026, 1, 1, 10, 0, 0), utc(2026, 1, 1, 10, 0, 0),
                 utc(2026, 1, 1, 11, 0, 0));
    check_window(RT_TOKEN_PERIOD_DAILY, utc(2025, 12, 31, 23, 59, 59) + 999,
                 utc(2025, 12, 31, 0, 0, 0), utc(2026, 1, 1, 0, 0, 0));
    /* weeks start on Monday: 2026-01-01 is a Thursday */
    check_window(RT_TOKEN_PERIOD_WEEKLY, T0, utc(2025, 12, 29, 0, 0, 0), utc(2026, 1, 5, 0, 0, 0));
    check_window(RT_TOKEN_PERIOD_WEEKLY, utc(2026, 1, 5, 0, 0, 0), utc(2026, 1, 5, 0, 0, 0),
                 utc(2026, 1, 12, 0, 0, 0));
    check_window(RT_TOKEN_PERIOD_WEEKLY, utc(2026, 1, 4, 23, 59, 59), utc(2025, 12, 29, 0, 0, 0),
                 utc(2026, 1, 5, 0, 0, 0));
    check_window(RT_TOKEN_PERIOD_WEEKLY, utc(1969, 12, 31, 12, 0, 0), utc(1969, 12, 29, 0, 0, 0),
                 utc(1970, 1, 5, 0, 0, 0));
    /* months: 31 days in January, 29 in February 2024 (leap), 28 in February 2026 */
    int64_t s, e;
    rt_token_period_window(RT_TOKEN_PERIOD_MONTHLY, utc(2026, 1, 31, 23, 59, 59) + 999, &s, &e);
    assert_int_equal(s, T0);
    assert_int_equal(e - s, 31 * DAY);
    rt_token_period_window(RT_TOKEN_PERIOD_MONTHLY, utc(2026, 2, 1, 0, 0, 0), &s, &e);
    assert_int_equal(s, T0 + 31 * DAY);
    assert_int_equal(e - s, 28 * DAY);
    rt_token_period_window(RT_TOKEN_PERIOD_MONTHLY, utc(2024, 2, 29, 12, 0, 0), &s, &e);
    assert_int_equal(s, utc(2024, 2, 1, 0, 0, 0));
    assert_int_equal(e, utc(2024, 3, 1, 0, 0, 0));
    assert_int_equal(e - s, 29 * DAY);
    check_window(RT_TOKEN_PERIOD_MONTHLY, utc(2025, 12, 15, 0, 0, 0), utc(2025, 12, 1, 0, 0, 0),
                 T0);
    /* years: 2024 has 366 days, 2025 has 365 */
    rt_token_period_window(RT_TOKEN_PERIOD_YEARLY, utc(2024, 12, 31, 23, 0, 0), &s, &e);
    assert_int_equal(s, utc(2024, 1, 1, 0, 0, 0));
    assert_int_equal(e - s, 366 * DAY);
    rt_token_period_window(RT_TOKEN_PERIOD_YEARLY, T0 - 1, &s, &e);
    assert_int_equal(e, T0);
    assert_int_equal(e - s, 365 * DAY);
    rt_token_period_window(RT_TOKEN_PERIOD_NONE, T0, &s, &e);
    assert_int_equal(s, INT64_MIN);
    assert_int_equal(e, INT64_MAX);
    /* names */
    assert_int_equal(rt_token_period_parse(STR_LIT("monthly")), RT_TOKEN_PERIOD_MONTHLY);
    assert_int_equal(rt_token_period_parse(STR_LIT("Weekly")), RT_TOKEN_PERIOD_WEEKLY);
    assert_int_equal(rt_token_period_parse(STR_LIT("Minutely")), -1);
    assert_int_equal(rt_token_period_parse(STR_LIT("")), -1);
    assert_string_equal(rt_token_period_name(RT_TOKEN_PERIOD_YEARLY), "Yearly");
    /* token quota through the store across a month boundary */
    rt_counter_store *st = rt_counter_mem_new(0);
    consume(st, "m", 0, 10, RT_TOKEN_PERIOD_MONTHLY, 10, utc(2024, 2, 29, 23, 0, 0));
    rt_counter_result r =
        token(st, "m", 0, 10, RT_TOKEN_PERIOD_MONTHLY, 0, utc(2024, 2, 29, 23, 59, 59));
    assert_false(r.admitted);
    assert_int_equal(r.token.quota_renew_s, 1);
    assert_true(
        token(st, "m", 0, 10, RT_TOKEN_PERIOD_MONTHLY, 0, utc(2024, 3, 1, 0, 0, 0)).admitted);
    rt_counter_store_free(st);
}

/* ---- concurrency ---- */

static rt_counter_result conc(rt_counter_store *s, rt_counter_kind k, const char *key, int64_t max)
{
    return run(s,
               (rt_counter_op){ .kind = k, .key = str_from(key), .now_ms = T0, .conc = { max } });
}

static void test_concurrency(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    assert_true(conc(s, RT_COUNTER_ACQUIRE, "c", 2).admitted);
    rt_counter_result r = conc(s, RT_COUNTER_ACQUIRE, "c", 2);
    assert_true(r.admitted);
    assert_int_equal(r.conc.held, 2);
    r = conc(s, RT_COUNTER_ACQUIRE, "c", 2);
    assert_false(r.admitted);
    assert_int_equal(r.refusal, RT_COUNTER_BY_MAX);
    assert_int_equal(r.conc.held, 2);
    assert_true(conc(s, RT_COUNTER_ACQUIRE, "other", 1).admitted);
    r = conc(s, RT_COUNTER_RELEASE, "c", 0);
    assert_int_equal(r.conc.held, 1);
    assert_true(conc(s, RT_COUNTER_ACQUIRE, "c", 2).admitted);
    conc(s, RT_COUNTER_RELEASE, "c", 0);
    conc(s, RT_COUNTER_RELEASE, "c", 0);
    conc(s, RT_COUNTER_RELEASE, "other", 0);
    assert_int_equal(rt_counter_mem_sweep(s, T0), 0); /* keys at 0 are gone */
    r = conc(s, RT_COUNTER_RELEASE, "c", 0);          /* extra release: harmless */
    assert_true(r.admitted);
    assert_int_equal(r.conc.held, 0);
    assert_true(conc(s, RT_COUNTER_ACQUIRE, "c", 1).admitted);
    assert_false(conc(s, RT_COUNTER_ACQUIRE, "c", 1).admitted);
    rt_counter_store_free(s);
}

/* ---- bounded memory ---- */

static void test_expiry_and_cap(void **state)
{
    (void)state;
    rt_counter_store *s = rt_counter_mem_new(0);
    for (int i = 0; i < 100; i++) {
        char key[16];
        snprintf(key, sizeof key, "ip%d", i);
        rate(s, key, 5, MIN, 1, T0 + i * 10);
    }
    quota(s, "q", 5, 0, T0, HOUR, 1, T0);
    assert_int_equal(rt_counter_mem_sweep(s, T0 + 30 * SEC), 101);
    assert_int_equal(rt_counter_mem_sweep(s, T0 + MIN), 1); /* rate windows over */
    assert_int_equal(rt_counter_mem_sweep(s, T0 + HOUR), 0);
    /* incremental: idle expired entries at the LRU tail go as operations happen */
    for (int i = 0; i < 10; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        rate(s, key, 5, MIN, 1, T0);
    }
    for (int i = 0; i < 4; i++)
        rate(s, "fresh", 5, MIN, 0, T0 + 2 * MIN); /* check only: creates nothing */
    /* 4 operations dropped 2 expired entries each; the 2 left are live at T0 */
    assert_int_equal(rt_counter_mem_sweep(s, T0), 2);
    rt_counter_store_free(s);

    /* the key cap evicts the least recently used counter */
    s = rt_counter_mem_new(2);
    rate(s, "a", 1, MIN, 1, T0);
    rate(s, "b", 1, MIN, 1, T0);
    assert_false(rate(s, "a", 1, MIN, 1, T0).admitted); /* touches a: b is now the LRU */
    rate(s, "c", 1, MIN, 1, T0);                        /* evicts b */
    assert_false(rate(s, "a", 1, MIN, 1, T0).admitted);
    assert_false(rate(s, "c", 1, MIN, 1, T0).admitted);
    assert_true(rate(s, "b", 1, MIN, 1, T0).admitted); /* lost its count */
    assert_int_equal(rt_counter_mem_sweep(s, T0), 2);
    rt_counter_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_window_exact),
        cmocka_unit_test(test_rate_sub_second_buckets),
        cmocka_unit_test(test_rate_sliding),
        cmocka_unit_test(test_rate_increment_after_response),
        cmocka_unit_test(test_rate_long_period),
        cmocka_unit_test(test_rate_keys_and_namespaces),
        cmocka_unit_test(test_invalid_ops),
        cmocka_unit_test(test_quota_windows),
        cmocka_unit_test(test_quota_never_resets),
        cmocka_unit_test(test_quota_window_alignment),
        cmocka_unit_test(test_quota_bandwidth),
        cmocka_unit_test(test_hms),
        cmocka_unit_test(test_token_tpm),
        cmocka_unit_test(test_token_quota),
        cmocka_unit_test(test_token_periods),
        cmocka_unit_test(test_concurrency),
        cmocka_unit_test(test_expiry_and_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
