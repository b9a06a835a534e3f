/* Unit tests of runtime/usage*.c: timestamps, durations, --by parsing, and line-level rules
 * (column types, derived totals, saturation, window bounds) that the golden files do not pin
 * down one by one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "runtime/usage.h"

#define US 1000000LL

static int64_t t(const char *s)
{
    int64_t us = 0;
    assert_int_equal(rt_usage_parse_time(s, strlen(s), &us), 0);
    return us;
}

static void assert_bad_time(const char *s)
{
    int64_t us = 0;
    if (rt_usage_parse_time(s, strlen(s), &us) == 0)
        fail_msg("'%s' parsed as %lld", s, (long long)us);
}

static void test_parse_time(void **state)
{
    (void)state;
    assert_int_equal(t("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(t("1970-01-01"), 0);
    assert_int_equal(t("2026-01-01T00:00:00Z"), 1767225600LL * US);
    assert_int_equal(t("2026-01-01t00:00:00z"), 1767225600LL * US);
    assert_int_equal(t("2026-01-01 00:00"), 1767225600LL * US);
    assert_int_equal(t("2026-01-01T02:00:00+02:00"), 1767225600LL * US);
    assert_int_equal(t("2026-01-01T02:00:00+0200"), 1767225600LL * US);
    assert_int_equal(t("2025-12-31T19:00:00-05"), 1767225600LL * US);
    assert_int_equal(t("2026-01-01T00:00:00.1234567Z"), 1767225600LL * US + 123456);
    assert_int_equal(t("2026-01-01T00:00:00,5Z"), 1767225600LL * US + 500000);
    assert_int_equal(t("2024-02-29T12:00:00Z"), 1709208000LL * US);
    assert_int_equal(t("1969-12-31T23:59:59Z"), -1 * US);
    assert_int_equal(t("2000-03-01"), 951868800LL * US);

    const char *bad[] = { "",
                          "2026",
                          "2026-1-01",
                          "2026-01-01T",
                          "2026-01-01T24:00:00Z",
                          "2026-01-01T10:60Z",
                          "2026-01-01T10:00:61Z",
                          "2026-02-29",
                          "2100-02-29",
                          "2026-04-31",
                          "2026-00-10",
                          "2026-01-01T10:00:00.Z",
                          "2026-01-01T10:00:00+2",
                          "2026-01-01T10:00:00+24:00",
                          "2026-01-01T10:00:00Zjunk",
                          "2026-01-01X10:00",
                          "yesterday" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_bad_time(bad[i]);
    /* not NUL-terminated: only len bytes count */
    int64_t us = 0;
    assert_int_equal(rt_usage_parse_time("2026-01-01Tgarbage", 10, &us), 0);
    assert_int_equal(us, 1767225600LL * US);
}

static void test_parse_duration(void **state)
{
    (void)state;
    int64_t d = 0;
    assert_int_equal(rt_usage_parse_duration("30m", &d), 0);
    assert_int_equal(d, 1800 * US);
    assert_int_equal(rt_usage_parse_duration("24h", &d), 0);
    assert_int_equal(d, 86400 * US);
    assert_int_equal(rt_usage_parse_duration("7d", &d), 0);
    assert_int_equal(d, 7 * 86400 * US);
    assert_int_equal(rt_usage_parse_duration("2w", &d), 0);
    assert_int_equal(d, 14 * 86400 * US);
    assert_int_equal(rt_usage_parse_duration("1d12h30m15s500ms", &d), 0);
    assert_int_equal(d, (86400 + 12 * 3600 + 1800 + 15) * US + 500000);
    assert_int_equal(rt_usage_parse_duration("PT1H30M", &d), 0);
    assert_int_equal(d, 5400 * US);
    assert_int_equal(rt_usage_parse_duration("P1W2DT3S", &d), 0);
    assert_int_equal(d, (9 * 86400 + 3) * US);
    const char *bad[] = { "",
                          "h",
                          "10",
                          "10x",
                          "-5m",
                          "1.5h",
                          "P",
                          "PT",
                          "P1H",
                          "PT1D",
                          "P1DT1H1D",
                          "999999999999999999999d",
                          "9999999999w",
                          "1h ",
                          " 1h" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (rt_usage_parse_duration(bad[i], &d) == 0)
            fail_msg("'%s' parsed as %lld", bad[i], (long long)d);
    }
    assert_int_equal(rt_usage_parse_when("2026-01-01", 5, &d), 0);
    assert_int_equal(d, 1767225600LL * US);
    assert_int_equal(rt_usage_parse_when("1h", 7200 * US, &d), 0);
    assert_int_equal(d, 3600 * US);
    assert_int_equal(rt_usage_parse_when("soon", 0, &d), -1);
}

static void test_format(void **state)
{
    (void)state;
    char b[40];
    rt_usage_format_time(1767225600LL * US, b, sizeof b);
    assert_string_equal(b, "2026-01-01T00:00:00Z");
    rt_usage_format_time(1767225600LL * US + 5, b, sizeof b);
    assert_string_equal(b, "2026-01-01T00:00:00.000005Z");
    rt_usage_format_time(-1, b, sizeof b);
    assert_string_equal(b, "1969-12-31T23:59:59.999999Z");
    rt_usage_format_day(t("2026-03-01T00:30:00+01:00"), b, sizeof b);
    assert_string_equal(b, "2026-02-28");
    rt_usage_format_hour(t("2026-03-01T00:30:00+01:00"), b, sizeof b);
    assert_string_equal(b, "2026-02-28T23:00Z");
    rt_usage_format_time(t("0000-01-01"), b, sizeof b);
    assert_string_equal(b, "0000-01-01T00:00:00Z");
    rt_usage_format_time(t("0000-01-01") - 365LL * 86400 * US, b, sizeof b);
    assert_string_equal(b, "-0001-01-01T00:00:00Z");
    rt_usage_format_time(t("9999-12-31T23:59:59Z") + US, b, sizeof b);
    assert_string_equal(b, "+10000-01-01T00:00:00Z");
}

static void test_parse_by(void **state)
{
    (void)state;
    rt_usage_key by[RT_USAGE_NKEYS];
    size_t n = 0;
    char err[200];
    assert_int_equal(rt_usage_parse_by("subscription,model,ip", by, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(by[0], RT_USAGE_SUBSCRIPTION);
    assert_int_equal(by[2], RT_USAGE_IP);
    assert_int_equal(
        rt_usage_parse_by(" HOUR , ResponseCode,callerIPaddress", by, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(by[0], RT_USAGE_HOUR);
    assert_int_equal(by[1], RT_USAGE_STATUS);
    assert_int_equal(by[2], RT_USAGE_IP);
    assert_int_equal(rt_usage_parse_by("subscription,model,ip,api,product,operation,backend,"
                                       "status,day,hour",
                                       by, &n, err, sizeof err),
                     0);
    assert_int_equal(n, RT_USAGE_NKEYS);
    assert_int_equal(rt_usage_parse_by("", by, &n, err, sizeof err), -1);
    assert_int_equal(rt_usage_parse_by("model,,ip", by, &n, err, sizeof err), -1);
    assert_int_equal(rt_usage_parse_by("model,ip,model", by, &n, err, sizeof err), -1);
    assert_string_equal(err, "--by: 'model' given twice");
    assert_int_equal(rt_usage_parse_by("RequestId", by, &n, err, sizeof err), -1);
}

/* Adds line to u and checks the outcome. */
static void add(rt_usage *u, const char *line, rt_usage_line want)
{
    char why[200];
    int col = 0;
    rt_usage_line got = rt_usage_add_line(u, line, strlen(line), why, sizeof why, &col);
    if (got != want)
        fail_msg("%s: got %d, want %d (%s)", line, (int)got, (int)want, why);
}

static void test_lines(void **state)
{
    (void)state;
    rt_usage u;
    rt_usage_key by[] = { RT_USAGE_STATUS, RT_USAGE_MODEL };
    rt_usage_init(&u, by, 2);
    add(&u, "", RT_USAGE_LINE_BLANK);
    add(&u, " \t\r", RT_USAGE_LINE_BLANK);
    add(&u,
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"ResponseCode\":200,\"Model\":\"m\","
        "\"PromptTokens\":7,\"CompletionTokens\":3}\r",
        RT_USAGE_LINE_COUNTED);
    add(&u,
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"ResponseCode\":\"200\",\"Model\":\"m\","
        "\"TotalTokens\":4.0,\"Streamed\":\"TRUE\",\"TotalTime\":1.5}",
        RT_USAGE_LINE_COUNTED);
    add(&u, "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"ResponseCode\":404,\"Model\":\"\"}",
        RT_USAGE_LINE_COUNTED);
    add(&u,
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"ResponseCode\":9007199254740992,"
        "\"TotalTokens\":9007199254740992}",
        RT_USAGE_LINE_MALFORMED);
    const char *bad[] = {
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"ResponseCode\":1000}",
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"TotalTokens\":1.5}",
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"TotalTokens\":true}",
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"TotalTokens\":\"12a\"}",
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"TotalTime\":-1}",
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"TotalTime\":\"fast\"}",
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"Streamed\":2}",
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"Model\":5}",
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"ApiId\":[]}",
        "{\"TimeGenerated\":20260101}",
        "{\"TimeGenerated\":null}",
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\"} {}",
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"Model\":\"a\\u0000b\"}",
        "\"text\"",
        "42",
        "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        add(&u, bad[i], RT_USAGE_LINE_MALFORMED);
    assert_int_equal(u.malformed, 1 + sizeof bad / sizeof bad[0]);
    rt_usage_sort(&u);
    assert_int_equal(u.ngroups, 2);
    const rt_usage_group *g = u.groups[0];
    assert_string_equal(g->keys[0], "200");
    assert_string_equal(g->keys[1], "m");
    assert_int_equal(g->sums.requests, 2);
    assert_int_equal(g->sums.prompt_tokens, 7);
    assert_int_equal(g->sums.total_tokens, 14); /* 7 + 3 derived, then 4 */
    assert_int_equal(g->sums.streamed, 1);
    assert_int_equal(g->sums.timed, 1);
    assert_int_equal(g->sums.errors, 0);
    g = u.groups[1];
    assert_string_equal(g->keys[0], "404");
    assert_null(g->keys[1]);
    assert_int_equal(g->sums.errors, 1);
    /* lines added after sorting still find their group */
    add(&u, "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"ResponseCode\":404}",
        RT_USAGE_LINE_COUNTED);
    assert_int_equal(u.ngroups, 2);
    assert_int_equal(u.total.requests, 4);
    rt_usage_release(&u);
}

static void test_window_and_saturation(void **state)
{
    (void)state;
    rt_usage u;
    rt_usage_key by[] = { RT_USAGE_DAY };
    rt_usage_init(&u, by, 1);
    u.has_since = u.has_until = true;
    u.since_us = t("2026-01-01T10:00:00Z");
    u.until_us = t("2026-01-01T11:00:00Z");
    add(&u, "{\"TimeGenerated\":\"2026-01-01T09:59:59.999999Z\"}", RT_USAGE_LINE_OUTSIDE);
    add(&u, "{\"TimeGenerated\":\"2026-01-01T10:00:00Z\",\"TotalTokens\":9007199254740992}",
        RT_USAGE_LINE_COUNTED);
    add(&u, "{\"TimeGenerated\":\"2026-01-01T12:59:59+02:00\",\"TotalTokens\":9007199254740992}",
        RT_USAGE_LINE_COUNTED);
    add(&u, "{\"TimeGenerated\":\"2026-01-01T11:00:00Z\"}", RT_USAGE_LINE_OUTSIDE);
    assert_int_equal(u.outside, 2);
    assert_int_equal(u.total.total_tokens, 2 * 9007199254740992ULL);
    for (int i = 0; i < 2100; i++)
        add(&u,
            "{\"TimeGenerated\":\"2026-01-01T10:30:00Z\",\"TotalTokens\":9007199254740992,"
            "\"PromptTokens\":9007199254740992}",
            RT_USAGE_LINE_COUNTED);
    assert_int_equal(u.total.total_tokens, UINT64_MAX);
    assert_int_equal(u.total.prompt_tokens, UINT64_MAX);
    assert_int_equal(u.total.requests, 2102);
    rt_usage_release(&u);
}

/* Many groups: the hash table grows and every group keeps its own sums. */
static void test_many_groups(void **state)
{
    (void)state;
    rt_usage u;
    rt_usage_key by[] = { RT_USAGE_SUBSCRIPTION, RT_USAGE_IP };
    rt_usage_init(&u, by, 2);
    char line[200];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 5000; i++) {
            snprintf(line, sizeof line,
                     "{\"TimeGenerated\":\"2026-01-01T00:00:00Z\",\"SubscriptionId\":\"s%d\","
                     "\"CallerIpAddress\":\"10.0.%d.%d\",\"TotalTokens\":%d}",
                     i % 100, i / 100, i % 100, i);
            add(&u, line, RT_USAGE_LINE_COUNTED);
        }
    }
    assert_int_equal(u.ngroups, 5000);
    rt_usage_sort(&u);
    assert_int_equal(u.groups[0]->sums.total_tokens, 3 * 4999);
    assert_int_equal(u.groups[0]->sums.requests, 3);
    assert_string_equal(u.groups[0]->keys[0], "s99");
    assert_string_equal(u.groups[0]->keys[1], "10.0.49.99");
    for (size_t i = 1; i < u.ngroups; i++)
        assert_true(u.groups[i - 1]->sums.total_tokens >= u.groups[i]->sums.total_tokens);
    rt_usage_release(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_time),  cmocka_unit_test(test_parse_duration),
        cmocka_unit_test(test_format),      cmocka_unit_test(test_parse_by),
        cmocka_unit_test(test_lines),       cmocka_unit_test(test_window_and_saturation),
        cmocka_unit_test(test_many_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
