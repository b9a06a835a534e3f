/* Unit tests of the metrics registry and its Prometheus renderer, the logger sinks and the
 * cache store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/cachestore.h"
#include "runtime/loggers.h"
#include "runtime/metrics.h"

#define L(n, v)                                                                                    \
    {                                                                                              \
        STR_LIT(n), STR_LIT(v)                                                                     \
    }

static char *render(rt_metrics *m)
{
    buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(rt_metrics_render(m, &b), 0);
    char *s = strndup(b.ptr ? b.ptr : "", b.len);
    buf_release(&b);
    return s;
}

static void test_counter_render(void **state)
{
    (void)state;
    rt_metrics *m = rt_metrics_new(0);
    assert_int_equal(rt_metrics_declare(m, "apim_openai_total_tokens", RT_METRIC_COUNTER,
                                        "Tokens \\ used\nby calls", NULL, 0),
                     0);
    rt_label a[] = { L("subscription_id", "team-a"), L("namespace", "openai") };
    rt_label a2[] = { L("namespace", "openai"), L("subscription_id", "team-a") };
    rt_label b[] = { L("namespace", "openai"), L("subscription_id", "te\"am\\b\n") };
    assert_int_equal(rt_metrics_counter_add(m, "apim_openai_total_tokens", a, 2, 15), 0);
    assert_int_equal(rt_metrics_counter_add(m, "apim_openai_total_tokens", a2, 2, 5), 0);
    assert_int_equal(rt_metrics_counter_add(m, "apim_openai_total_tokens", b, 2, 0.5), 0);
    assert_int_equal(rt_metrics_gauge_set(m, "apim_up", NULL, 0, 1), 0);
    double v, c;
    assert_int_equal(rt_metrics_get(m, "apim_openai_total_tokens", a2, 2, &v, &c), 0);
    assert_true(v == 20 && c == 1);
    char *s = render(m);
    assert_string_equal(
        s, "# HELP apim_openai_total_tokens Tokens \\\\ used\\nby calls\n"
           "# TYPE apim_openai_total_tokens counter\n"
           "apim_openai_total_tokens{namespace=\"openai\",subscription_id=\"team-a\"} 20\n"
           "apim_openai_total_tokens{namespace=\"openai\",subscription_id=\"te\\\"am\\\\b\\n\"} "
           "0.5\n"
           "# TYPE apim_up gauge\n"
           "apim_up 1\n"
           "# HELP apimlite_metrics_dropped_total Samples dropped by the series caps.\n"
           "# TYPE apimlite_metrics_dropped_total counter\n"
           "apimlite_metrics_dropped_total 0\n");
    free(s);
    rt_metrics_free(m);
}

static void test_histogram_summary(void **state)
{
    (void)state;
    rt_metrics *m = rt_metrics_new(0);
    double bounds[] = { 0.1, 1 };
    assert_int_equal(rt_metrics_declare(m, "lat", RT_METRIC_HISTOGRAM, NULL, bounds, 2), 0);
    rt_label l[] = { L("api", "x") };
    rt_metrics_observe(m, "lat", l, 1, 0.05);
    rt_metrics_observe(m, "lat", l, 1, 0.5);
    rt_metrics_observe(m, "lat", l, 1, 7);
    rt_metrics_observe(m, "apim_custom_hits", NULL, 0, 2);
    rt_metrics_observe(m, "apim_custom_hits", NULL, 0, 1);
    char *s = render(m);
    assert_non_null(strstr(s, "# TYPE lat histogram\n"
                              "lat_bucket{api=\"x\",le=\"0.1\"} 1\n"
                              "lat_bucket{api=\"x\",le=\"1\"} 2\n"
                              "lat_bucket{api=\"x\",le=\"+Inf\"} 3\n"
                              "lat_sum{api=\"x\"} 7.55\n"
                              "lat_count{api=\"x\"} 3\n"));
    assert_non_null(strstr(s, "# TYPE apim_custom_hits summary\n"
                              "apim_custom_hits_sum 3\n"
                              "apim_custom_hits_count 2\n"));
    free(s);
    double bad[] = { 1, 0.5 };
    assert_int_equal(rt_metrics_declare(m, "h2", RT_METRIC_HISTOGRAM, NULL, bad, 2), -1);
    rt_metrics_free(m);
}

static void test_rejections_and_caps(void **state)
{
    (void)state;
    rt_metrics *m = rt_metrics_new(8); /* 2 series per family */
    rt_label dup[] = { L("a", "1"), L("a", "2") };
    rt_label badl[] = { L("__x", "1") };
    rt_label bad2[] = { L("a-b", "1") };
    assert_int_equal(rt_metrics_counter_add(m, "c", dup, 2, 1), -1);
    assert_int_equal(rt_metrics_counter_add(m, "c", badl, 1, 1), -1);
    assert_int_equal(rt_metrics_counter_add(m, "c", bad2, 1, 1), -1);
    assert_int_equal(rt_metrics_counter_add(m, "1c", NULL, 0, 1), -1);
    assert_int_equal(rt_metrics_counter_add(m, "c", NULL, 0, -1), -1);
    assert_int_equal(rt_metrics_counter_add(m, "c", NULL, 0, 1), 0);
    assert_int_equal(rt_metrics_gauge_set(m, "c", NULL, 0, 1), -1); /* kind conflict */
    rt_label s1[] = { L("k", "1") }, s2[] = { L("k", "2") };
    assert_int_equal(rt_metrics_counter_add(m, "c", s1, 1, 1), 0);
    assert_int_equal(rt_metrics_counter_add(m, "c", s2, 1, 1), -1); /* third series of c */
    assert_int_equal(rt_metrics_counter_add(m, "c", s1, 1, 1), 0);  /* existing: fine */
    assert_int_equal(rt_metrics_dropped(m), 1);
    char *s = render(m);
    assert_non_null(strstr(s, "apimlite_metrics_dropped_total 1\n"));
    assert_non_null(strstr(s, "c{k=\"1\"} 2\n"));
    free(s);
    rt_metrics_free(m);
}

static void test_many_series(void **state)
{
    (void)state;
    rt_metrics *m = rt_metrics_new(0);
    char v[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(v, sizeof v, "sub-%d", i);
        rt_label l[] = { { STR_LIT("subscription_id"), str_from(v) } };
        assert_int_equal(rt_metrics_counter_add(m, "t", l, 1, i), 0);
        assert_int_equal(rt_metrics_counter_add(m, "t", l, 1, 1), 0);
    }
    rt_label l[] = { L("subscription_id", "sub-1234") };
    double val;
    assert_int_equal(rt_metrics_get(m, "t", l, 1, &val, NULL), 0);
    assert_true(val == 1235);
    rt_metrics_free(m);
}

/* Repeated updates (the registry remembers each family's last series): the same labels in
 * another order, another value, a NULL value (""), bad labels after a good update. */
static void test_repeated_updates(void **state)
{
    (void)state;
    rt_metrics *m = rt_metrics_new(0);
    rt_label ab[] = { L("a", "1"), L("b", "2") }, ba[] = { L("b", "2"), L("a", "1") };
    rt_label ab3[] = { L("a", "1"), L("b", "3") }, bb[] = { L("b", "2"), L("b", "2") };
    rt_label anull[] = { { STR_LIT("a"), STR_NULL }, L("b", "2") },
             aempty[] = { L("a", ""), L("b", "2") };
    rt_label bad[] = { L("a", "1"), L("2b", "2") };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rt_metrics_counter_add(m, "r", ab, 2, 1), 0);
        assert_int_equal(rt_metrics_counter_add(m, "r", ba, 2, 10), 0);
        assert_int_equal(rt_metrics_counter_add(m, "r", ba, 2, 100), 0);
        assert_int_equal(rt_metrics_counter_add(m, "r", ab3, 2, 1000), 0);
        assert_int_equal(rt_metrics_counter_add(m, "r", anull, 2, 7), 0);
        assert_int_equal(rt_metrics_counter_add(m, "r", aempty, 2, 7), 0);
        assert_int_equal(rt_metrics_counter_add(m, "r", bb, 2, 1), -1);
        assert_int_equal(rt_metrics_counter_add(m, "r", bad, 2, 1), -1);
        assert_int_equal(rt_metrics_counter_add(m, "r", ab, 1, 5), 0); /* {a="1"} only */
    }
    double v;
    assert_int_equal(rt_metrics_get(m, "r", ab, 2, &v, NULL), 0);
    assert_true(v == 333);
    assert_int_equal(rt_metrics_get(m, "r", ab3, 2, &v, NULL), 0);
    assert_true(v == 3000);
    assert_int_equal(rt_metrics_get(m, "r", aempty, 2, &v, NULL), 0);
    assert_true(v == 42);
    assert_int_equal(rt_metrics_get(m, "r", ab, 1, &v, NULL), 0);
    assert_true(v == 15);
    char *s = render(m);
    assert_non_null(strstr(s, "r{a=\"1\",b=\"2\"} 333"));
    assert_non_null(strstr(s, "r{a=\"\",b=\"2\"} 42"));
    free(s);
    rt_metrics_free(m);
}

static void test_sanitize(void **state)
{
    (void)state;
    char out[64];
    static const char *const cases[][2] = {
        { "Total Tokens", "total_tokens" },
        { "Subscription ID", "subscription_id" },
        { "productName", "product_name" },
        { "SubscriptionId", "subscription_id" },
        { "deployment-id", "deployment_id" },
        { "  ", "_" },
        { "9lives", "_9lives" },
        { "API ID", "api_id" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rt_metrics_sanitize(cases[i][0], strlen(cases[i][0]), out, sizeof out);
        assert_string_equal(out, cases[i][1]);
    }
}

static void test_loggers(void **state)
{
    (void)state;
    char path[] = "/tmp/apimlite-loggers-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    rt_loggers *l = rt_loggers_new(false);
    char err[256];
    assert_int_equal(rt_loggers_add_file(l, STR_LIT("hub"), path, err, sizeof err), 0);
    assert_int_equal(rt_loggers_add_memory(l, STR_LIT("mem")), 0);
    assert_int_equal(rt_loggers_add_memory(l, STR_LIT("mem")), -1);
    assert_false(rt_loggers_has(l, STR_LIT("nope")));
    rt_log_msg m = { .logger_id = STR_LIT("nope"), .message = STR_LIT("x"), .time_ms = 0 };
    assert_int_equal(rt_loggers_send(l, &m), -1);
    m.logger_id = STR_LIT("hub");
    m.partition_key = STR_LIT("k1");
    m.message = STR_LIT("{\"a\":1}");
    m.time_ms = 1767225600123LL;
    assert_int_equal(rt_loggers_send(l, &m), 0);
    /* 250 KB of 3-byte characters: cut at 200 KB on a character boundary */
    size_t big = 250 * 1024;
    char *text = malloc(big);
    for (size_t i = 0; i < big; i += 3)
        memcpy(text + i, "\xe2\x82\xac", big - i >= 3 ? 3 : big - i);
    rt_loggers_mark(l);
    m.logger_id = STR_LIT("mem");
    m.partition_key = STR_NULL;
    m.message = str_make(text, big - big % 3);
    assert_int_equal(rt_loggers_send(l, &m), 0);
    json_t *recent = rt_loggers_recent(l);
    assert_int_equal(json_array_size(recent), 1);
    const json_t *msg = json_object_get(json_array_get(recent, 0), "message");
    assert_true(json_string_length(msg) <= RT_LOG_MAX_MESSAGE);
    assert_true(json_string_length(msg) > RT_LOG_MAX_MESSAGE - 3);
    assert_int_equal(json_string_length(msg) % 3, 0);
    json_decref(recent);
    free(text);
    rt_loggers_free(l);
    FILE *f = fopen(path, "r");
    char line[256] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    unlink(path);
    assert_string_equal(line, "{\"time\":\"2026-01-01T00:00:00.123Z\",\"loggerId\":\"hub\","
                              "\"partitionKey\":\"k1\",\"message\":\"{\\\"a\\\":1}\"}\n");
}

static void test_cache_store(void **state)
{
    (void)state;
    rt_cache *c = rt_cache_new(4096);
    arena a;
    arena_init(&a, 0);
    str out;
    assert_int_equal(rt_cache_put(c, STR_LIT("k"), STR_LIT("v1"), 0, 1000), 0);
    assert_int_equal(rt_cache_get(c, STR_LIT("k"), 999, &a, &out), 1);
    assert_true(str_eq(out, STR_LIT("v1")));
    assert_int_equal(rt_cache_get(c, STR_LIT("k"), 1000, &a, &out), 0);
    assert_int_equal(rt_cache_put(c, STR_LIT("k"), STR_LIT("v2"), 0, 1000), 0);
    assert_true(rt_cache_remove(c, STR_LIT("k"), 0));
    assert_false(rt_cache_remove(c, STR_LIT("k"), 0));
    /* the byte budget evicts the oldest entries */
    char key[16], val[200];
    memset(val, 'x', sizeof val);
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(rt_cache_put(c, str_from(key), str_make(val, sizeof val), 0, 10000), 0);
    }
    assert_true(rt_cache_count(c, 0) < 20);
    assert_int_equal(rt_cache_get(c, STR_LIT("k99"), 0, &a, &out), 1);
    assert_int_equal(rt_cache_get(c, STR_LIT("k0"), 0, &a, &out), 0);
    char huge[5000] = { 0 };
    assert_int_equal(rt_cache_put(c, STR_LIT("h"), str_make(huge, sizeof huge), 0, 10), -1);
    /* vectors: cosine distance within a partition */
    float v1[] = { 1, 0, 0 }, v2[] = { 0, 1, 0 }, q[] = { 0.9f, 0.1f, 0 };
    assert_int_equal(rt_cache_vec_put(c, STR_LIT("p"), v1, 3, STR_LIT("one"), 0, 100), 0);
    assert_int_equal(rt_cache_vec_put(c, STR_LIT("p"), v2, 3, STR_LIT("two"), 0, 100), 0);
    double d;
    assert_int_equal(rt_cache_vec_find(c, STR_LIT("p"), q, 3, 0.05, 0, &a, &out, &d), 1);
    assert_true(str_eq(out, STR_LIT("one")) && d < 0.01);
    assert_int_equal(rt_cache_vec_find(c, STR_LIT("p"), q, 3, 0.001, 0, &a, &out, &d), 0);
    assert_int_equal(rt_cache_vec_find(c, STR_LIT("other"), q, 3, 1, 0, &a, &out, &d), 0);
    assert_true(d == -1);
    assert_int_equal(rt_cache_vec_find(c, STR_LIT("p"), q, 3, 0.05, 100, &a, &out, &d), 0);
    arena_release(&a);
    rt_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_render),
        cmocka_unit_test(test_histogram_summary),
        cmocka_unit_test(test_rejections_and_caps),
        cmocka_unit_test(test_many_series),
        cmocka_unit_test(test_repeated_updates),
        cmocka_unit_test(test_sanitize),
        cmocka_unit_test(test_loggers),
        cmocka_unit_test(test_cache_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
