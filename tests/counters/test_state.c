/* Persistence of quota-type counters: save, load into a new store, expired windows dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>

#include "runtime/counters.h"

#define T0   ((int64_t)1767225600000)
#define SEC  ((int64_t)1000)
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)
#define DAY  (24 * HOUR)

static char dir[256];
static char path[300];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/apimlite-counters-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/state.json", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[600];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(dir);
    return 0;
}

static rt_counter_result run(rt_counter_store *s, rt_counter_op op)
{
    rt_counter_result res;
    assert_int_equal(rt_counter_exec(s, &op, &res, NULL, NULL), RT_COUNTER_DONE);
    return res;
}

static rt_counter_result quota(rt_counter_store *s, str key, int64_t calls, int64_t period,
                               int64_t take, int64_t now)
{
    return run(
        s,
        (rt_counter_op){
            .kind = RT_COUNTER_QUOTA,
            .key = key,
            .now_ms = now,
            .quota = { .calls = calls, .start_ms = T0, .period_ms = period, .calls_take = take } });
}

static rt_counter_result tokens(rt_counter_store *s, const char *key, rt_token_period p,
                                rt_counter_kind kind, int64_t take, int64_t now)
{
    return run(s, (rt_counter_op){ .kind = kind,
                                   .key = str_from(key),
                                   .now_ms = now,
                                   .token = { .quota = 1000, .period = p, .take = take } });
}

static void fill(rt_counter_store *s)
{
    for (int i = 0; i < 3; i++)
        quota(s, STR_LIT("hourly"), 10, HOUR, 1, T0 + i * SEC);
    quota(s, STR_LIT("forever"), 10, 0, 7, T0);
    quota(s, str_make("bin\xff\xfe", 5), 10, HOUR, 2, T0); /* not UTF-8 */
    run(s, (rt_counter_op){
               .kind = RT_COUNTER_QUOTA_ADD,
               .key = STR_LIT("hourly"),
               .now_ms = T0,
               .quota = { .calls = 10, .start_ms = T0, .period_ms = HOUR, .bytes_take = 5000 } });
    tokens(s, "team-a", RT_TOKEN_PERIOD_DAILY, RT_COUNTER_TOKEN_ADD, 400, T0 + MIN);
    tokens(s, "team-b", RT_TOKEN_PERIOD_HOURLY, RT_COUNTER_TOKEN_ADD, 900, T0 + MIN);
    /* not persisted: sliding windows and concurrency */
    run(s, (rt_counter_op){ .kind = RT_COUNTER_RATE,
                            .key = STR_LIT("hourly"),
                            .now_ms = T0,
                            .rate = { 1, MIN, 1 } });
    run(s, (rt_counter_op){
               .kind = RT_COUNTER_ACQUIRE, .key = STR_LIT("c"), .now_ms = T0, .conc = { 1 } });
}

/* A save when no quota-type counter changed since the last one writes nothing; the next
 * change is saved again (the gateway saves every few seconds). */
static void test_unchanged_not_rewritten(void **state)
{
    (void)state;
    char err[256];
    rt_counter_store *s = rt_counter_mem_new(0);
    fill(s);
    assert_int_equal(rt_counter_save(s, path, T0 + MIN, err, sizeof err), 0);
    assert_int_equal(access(path, F_OK), 0);
    unlink(path);
    /* a rate limit is not persisted: still nothing to write */
    run(s, (rt_counter_op){ .kind = RT_COUNTER_RATE,
                            .key = STR_LIT("other"),
                            .now_ms = T0 + MIN,
                            .rate = { 5, MIN, 1 } });
    assert_int_equal(rt_counter_save(s, path, T0 + 2 * MIN, err, sizeof err), 0);
    assert_int_not_equal(access(path, F_OK), 0);
    quota(s, STR_LIT("hourly"), 10, HOUR, 1, T0 + 2 * MIN);
    assert_int_equal(rt_counter_save(s, path, T0 + 2 * MIN, err, sizeof err), 0);
    assert_int_equal(access(path, F_OK), 0);
    unlink(path);
    tokens(s, "team-a", RT_TOKEN_PERIOD_DAILY, RT_COUNTER_TOKEN_ADD, 1, T0 + 2 * MIN);
    assert_int_equal(rt_counter_save(s, path, T0 + 2 * MIN, err, sizeof err), 0);
    assert_int_equal(access(path, F_OK), 0);
    rt_counter_store_free(s);
}

static void test_round_trip(void **state)
{
    (void)state;
    char err[512] = "";
    rt_counter_store *s = rt_counter_mem_new(0);
    fill(s);
    assert_int_equal(rt_counter_save(s, path, T0 + 2 * MIN, err, sizeof err), 0);
    rt_counter_store_free(s);

    rt_counter_store *n = rt_counter_mem_new(0);
    assert_int_equal(rt_counter_load(n, path, T0 + 5 * MIN, err, sizeof err), 0);
    rt_counter_result r = quota(n, STR_LIT("hourly"), 10, HOUR, 0, T0 + 5 * MIN);
    assert_int_equal(r.quota.calls_used, 3);
    assert_int_equal(r.quota.bytes_used, 5000);
    assert_int_equal(quota(n, STR_LIT("forever"), 10, 0, 0, T0 + 5 * MIN).quota.calls_used, 7);
    r = quota(n, str_make("bin\xff\xfe", 5), 10, HOUR, 0, T0 + 5 * MIN);
    assert_int_equal(r.quota.calls_used, 2);
    r = tokens(n, "team-a", RT_TOKEN_PERIOD_DAILY, RT_COUNTER_TOKEN, 0, T0 + 5 * MIN);
    assert_int_equal(r.token.quota_used, 400);
    assert_int_equal(r.token.quota_remaining, 600);
    r = tokens(n, "team-b", RT_TOKEN_PERIOD_HOURLY, RT_COUNTER_TOKEN, 0, T0 + 5 * MIN);
    assert_int_equal(r.token.quota_used, 900);
    /* rate windows and concurrency slots are not persisted */
    r = run(n, (rt_counter_op){ .kind = RT_COUNTER_RATE,
                                .key = STR_LIT("hourly"),
                                .now_ms = T0 + 5 * MIN,
                                .rate = { 1, HOUR, 0 } });
    assert_int_equal(r.rate.used, 0);
    assert_true(run(n, (rt_counter_op){ .kind = RT_COUNTER_ACQUIRE,
                                        .key = STR_LIT("c"),
                                        .now_ms = T0,
                                        .conc = { 1 } })
                    .admitted);
    /* the window boundaries survived: the hourly quota renews at T0+1h */
    r = quota(n, STR_LIT("hourly"), 10, HOUR, 0, T0 + HOUR);
    assert_int_equal(r.quota.calls_used, 0);
    rt_counter_store_free(n);

    /* no temporary file is left behind */
    DIR *d = opendir(dir);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            files++;
    closedir(d);
    assert_int_equal(files, 1);
}

static void test_expired_dropped(void **state)
{
    (void)state;
    char err[512] = "";
    rt_counter_store *s = rt_counter_mem_new(0);
    fill(s);
    /* saving after the hourly windows ended drops them from the file */
    assert_int_equal(rt_counter_save(s, path, T0 + 2 * HOUR, err, sizeof err), 0);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    assert_non_null(root);
    assert_int_equal(json_integer_value(json_object_get(root, "version")), 1);
    json_t *q = json_object_get(root, "quota");
    assert_int_equal(json_array_size(q), 1); /* only "forever" */
    assert_string_equal(json_string_value(json_object_get(json_array_get(q, 0), "key")), "forever");
    assert_true(json_is_null(json_object_get(json_array_get(q, 0), "windowEnd")));
    json_t *tq = json_object_get(root, "tokenQuota");
    assert_int_equal(json_array_size(tq), 1); /* only the daily team-a */
    assert_string_equal(json_string_value(json_object_get(json_array_get(tq, 0), "period")),
                        "Daily");
    json_decref(root);
    /* saving while current, loading after the end: dropped at load */
    assert_int_equal(rt_counter_save(s, path, T0 + 2 * MIN, err, sizeof err), 0);
    rt_counter_store_free(s);
    rt_counter_store *n = rt_counter_mem_new(0);
    assert_int_equal(rt_counter_load(n, path, T0 + DAY, err, sizeof err), 0);
    assert_int_equal(rt_counter_mem_sweep(n, T0 + DAY), 1); /* "forever" */
    rt_counter_result r = tokens(n, "team-a", RT_TOKEN_PERIOD_DAILY, RT_COUNTER_TOKEN, 0, T0 + DAY);
    assert_int_equal(r.token.quota_used, 0);
    rt_counter_store_free(n);
}

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_bad_files(void **state)
{
    (void)state;
    char err[512] = "";
    rt_counter_store *s = rt_counter_mem_new(0);
    /* a missing file is a fresh start */
    assert_int_equal(rt_counter_load(s, path, T0, err, sizeof err), 0);
    static const char *const bad[] = {
        "{",
        "[]",
        "{\"version\": 2}",
        "{\"version\": 1, \"quota\": {}}",
        "{\"version\": 1, \"quota\": [{\"windowStart\": 1, \"windowEnd\": 2, \"calls\": 1, "
        "\"bytes\": 0}]}",
        "{\"version\": 1, \"quota\": [{\"key\": \"k\", \"windowStart\": 1, \"windowEnd\": 2, "
        "\"calls\": -1, \"bytes\": 0}]}",
        "{\"version\": 1, \"quota\": [{\"keyHex\": \"zz\", \"windowStart\": 1, \"windowEnd\": 2, "
        "\"calls\": 1, \"bytes\": 0}]}",
        "{\"version\": 1, \"tokenQuota\": [{\"key\": \"k\", \"period\": \"Minutely\", "
        "\"windowStart\": 1, \"windowEnd\": 2, \"tokens\": 1}]}",
        "{\"version\": 1, \"tokenQuota\": [{\"key\": \"k\", \"period\": \"Daily\", "
        "\"windowEnd\": 2, \"tokens\": 1}]}",
        "{\"version\": 1, \"quota\": [{\"key\": \"k\", \"windowStart\": 5, \"windowEnd\": 2, "
        "\"calls\": 1, \"bytes\": 0}]}",
    };
    /* a good entry before a bad one: nothing is merged */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(bad[i]);
        err[0] = 0;
        assert_int_equal(rt_counter_load(s, path, T0, err, sizeof err), -1);
        assert_true(strlen(err) > 0);
    }
    /* a truncated file: where and what, and how to proceed */
    write_file("{\"version\": 1, \"quota\": [{\"key\": \"k\", \"windowSt");
    assert_int_equal(rt_counter_load(s, path, T0, err, sizeof err), -1);
    assert_non_null(strstr(err, ":1:"));
    assert_non_null(strstr(err, "error: the counter state file is damaged"));
    assert_non_null(strstr(err, "move it away"));
    /* the damaged file is not overwritten: silently when there is nothing to save */
    assert_int_equal(rt_counter_save(s, path, T0, err, sizeof err), 0);
    FILE *f = fopen(path, "r");
    char back[128] = "";
    assert_non_null(f);
    assert_non_null(fgets(back, sizeof back, f));
    fclose(f);
    assert_string_equal(back, "{\"version\": 1, \"quota\": [{\"key\": \"k\", \"windowSt");
    rt_counter_store *s2 = rt_counter_mem_new(0);
    assert_int_equal(rt_counter_load(s2, path, T0, err, sizeof err), -1);
    quota(s2, STR_LIT("taken"), 10, 0, 1, T0);
    assert_int_equal(rt_counter_save(s2, path, T0, err, sizeof err), -1);
    assert_non_null(strstr(err, "not saving"));
    rt_counter_store_free(s2);
    /* an empty file is an empty state */
    write_file("");
    assert_int_equal(rt_counter_load(s, path, T0, err, sizeof err), 0);
    assert_int_equal(rt_counter_mem_sweep(s, T0), 0);
    /* a directory is not a state file */
    assert_int_equal(rt_counter_load(s, dir, T0, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a regular file"));
    write_file("{\"version\": 1, \"quota\": [{\"key\": \"good\", \"windowStart\": null, "
               "\"windowEnd\": null, \"calls\": 4, \"bytes\": 0}, {\"key\": 5}]}");
    assert_int_equal(rt_counter_load(s, path, T0, err, sizeof err), -1);
    assert_int_equal(rt_counter_mem_sweep(s, T0), 0);
    /* the same good entry alone loads */
    write_file("{\"version\": 1, \"quota\": [{\"key\": \"good\", \"windowStart\": null, "
               "\"windowEnd\": null, \"calls\": 4, \"bytes\": 0}]}");
    assert_int_equal(rt_counter_load(s, path, T0, err, sizeof err), 0);
    assert_int_equal(quota(s, STR_LIT("good"), 10, 0, 0, T0).quota.calls_used, 4);
    /* saving into a directory that does not exist fails cleanly */
    char bad_path[400];
    snprintf(bad_path, sizeof bad_path, "%s/missing/state.json", dir);
    assert_int_equal(rt_counter_save(s, bad_path, T0, err, sizeof err), -1);
    assert_non_null(strstr(err, "missing"));
    rt_counter_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unchanged_not_rewritten, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
