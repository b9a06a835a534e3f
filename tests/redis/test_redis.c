/* The Redis counter store against a real redis-server (started here on a unix socket in a
 * temporary directory; exit 77 = skipped when redis-server is not installed):
 *  1. every operation kind gives the same results as the memory store over a long random
 *     sequence (virtual time, window changes, refusals, Retry-After);
 *  2. two stores (two connections: two gateway processes) share one rate limit, one quota and
 *     one token limit exactly;
 *  3. Redis killed → the fallback answers, one log line; restarted → Redis is used again, one log
 *     line;
 *  4. Redis stopped (SIGSTOP) → the per-command timeout answers from the fallback; late replies
 *     are ignored; SIGCONT → back.
 * One event_base; every wait is bounded. */
#include <errno.h>
#include <event2/event.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/counters.h"
#include "runtime/counters_redis.h"

static int failures;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);                  \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)
#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #c);                \
            finish(1);                                                                             \
        }                                                                                          \
    } while (0)

static struct event_base *evb;
static char tmpdir[256], sockpath[300];
static pid_t redis_pid;
static const char *redis_bin;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void redis_stop(void)
{
    if (redis_pid > 0) {
        kill(redis_pid, SIGCONT);
        kill(redis_pid, SIGKILL);
        waitpid(redis_pid, NULL, 0);
        redis_pid = 0;
    }
}

static void finish(int code)
{
    redis_stop();
    if (tmpdir[0]) {
        unlink(sockpath);
        char p[400];
        snprintf(p, sizeof p, "%s/redis.log", tmpdir);
        unlink(p);
        rmdir(tmpdir);
    }
    exit(code);
}

static bool sock_ready(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(sockpath) >= sizeof sa.sun_path) {
        close(fd);
        return false;
    }
    memcpy(sa.sun_path, sockpath, strlen(sockpath) + 1);
    bool ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

static void redis_start(void)
{
    unlink(sockpath);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        char logf[400];
        snprintf(logf, sizeof logf, "%s/redis.log", tmpdir);
        execlp(redis_bin, redis_bin, "--port", "0", "--unixsocket", sockpath, "--save", "",
               "--appendonly", "no", "--dir", tmpdir, "--logfile", logf, (char *)NULL);
        _exit(127);
    }
    redis_pid = pid;
    int64_t deadline = mono_ms() + 10000;
    while (!sock_ready()) {
        int st;
        REQUIRE(waitpid(pid, &st, WNOHANG) == 0); /* it died */
        REQUIRE(mono_ms() < deadline);
        usleep(10000);
    }
}

/* ---- running operations ---- */

typedef struct waiter {
    bool done;
    rt_counter_result res;
} waiter;

static void on_done(void *ud, const rt_counter_result *res)
{
    waiter *w = ud;
    CHECK(!w->done); /* exactly once */
    w->done = true;
    w->res = *res;
}

/* Runs the loop until every waiter is done (bounded). */
static void wait_all(waiter *w, size_t n, int64_t limit_ms)
{
    int64_t deadline = mono_ms() + limit_ms;
    for (;;) {
        size_t left = 0;
        for (size_t i = 0; i < n; i++)
            left += !w[i].done;
        if (!left)
            return;
        REQUIRE(mono_ms() < deadline);
        event_base_loop(evb, EVLOOP_ONCE | EVLOOP_NONBLOCK);
        usleep(200);
    }
}

static void spin(int64_t ms)
{
    int64_t end = mono_ms() + ms;
    while (mono_ms() < end) {
        event_base_loop(evb, EVLOOP_ONCE | EVLOOP_NONBLOCK);
        usleep(1000);
    }
}

static bool wait_up(rt_counter_store *s, int64_t limit_ms)
{
    int64_t deadline = mono_ms() + limit_ms;
    while (!rt_counter_redis_is_up(s)) {
        if (mono_ms() >= deadline)
            return false;
        event_base_loop(evb, EVLOOP_ONCE | EVLOOP_NONBLOCK);
        usleep(1000);
    }
    return true;
}

/* Runs op on s; returns the status and the result (waiting for a PENDING one). */
static rt_counter_status run(rt_counter_store *s, const rt_counter_op *op, rt_counter_result *res)
{
    waiter w = { 0 };
    rt_counter_status st = rt_counter_exec(s, op, res, on_done, &w);
    if (st == RT_COUNTER_PENDING) {
        wait_all(&w, 1, 5000);
        *res = w.res;
    }
    return st;
}

/* ---- logs ---- */

static int log_down, log_up, log_other;

static void on_log(void *ud, const char *msg)
{
    (void)ud;
    fprintf(stderr, "log: %s\n", msg);
    if (strstr(msg, "redis unreachable") && strstr(msg, "serving on local counters"))
        log_down++;
    else if (strstr(msg, "redis reachable again"))
        log_up++;
    else
        log_other++;
}

static rt_counter_store *redis_new(rt_counter_store *fallback, const char *prefix, int64_t tmo)
{
    char url[400], err[200];
    snprintf(url, sizeof url, "unix://%s", sockpath);
    rt_counter_redis_opts o = { .timeout_ms = tmo,
                                .backoff_min_ms = 20,
                                .backoff_max_ms = 200,
                                .prefix = prefix,
                                .log = on_log };
    rt_counter_store *s = rt_counter_redis_new(evb, url, fallback, &o, err, sizeof err);
    if (!s)
        fprintf(stderr, "redis_new: %s\n", err);
    REQUIRE(s);
    return s;
}

/* ---- 1. same results as the memory store ---- */

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(uint64_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % n;
}

static bool same_result(const rt_counter_result *a, const rt_counter_result *b)
{
    if (a->kind != b->kind || a->admitted != b->admitted || a->refusal != b->refusal)
        return false;
    switch (a->kind) {
    case RT_COUNTER_RATE:
    case RT_COUNTER_RATE_ADD:
        return a->rate.used == b->rate.used && a->rate.remaining == b->rate.remaining &&
               a->rate.retry_after_s == b->rate.retry_after_s;
    case RT_COUNTER_QUOTA:
    case RT_COUNTER_QUOTA_ADD:
        return memcmp(&a->quota, &b->quota, sizeof a->quota) == 0;
    case RT_COUNTER_TOKEN:
    case RT_COUNTER_TOKEN_ADD:
        return memcmp(&a->token, &b->token, sizeof a->token) == 0;
    case RT_COUNTER_ACQUIRE:
    case RT_COUNTER_RELEASE:
        return a->conc.held == b->conc.held;
    }
    return false;
}

static void print_result(const char *who, const rt_counter_result *r)
{
    fprintf(stderr,
            "  %s: kind %d admitted %d refusal %d | rate %" PRId64 " %" PRId64 " %" PRId64
            " | q %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " | t %" PRId64
            " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n",
            who, r->kind, r->admitted, r->refusal, r->rate.used, r->rate.remaining,
            r->rate.retry_after_s, r->quota.calls_used, r->quota.bytes_used,
            r->quota.calls_remaining, r->quota.kb_remaining, r->quota.renew_s, r->token.tpm_used,
            r->token.tpm_remaining, r->token.retry_after_s, r->token.quota_used,
            r->token.quota_remaining, r->token.quota_renew_s);
}

static const char *const keys[] = { "a", "b", "c", "", "k\x01:x y" };
/* A fixed rate period per key (the bucket width is set by the period that creates the window). */
static const int64_t rate_period[] = { 1000, 10000, 60000, 2000000, 5000 };

static void random_op(rt_counter_op *op, int64_t now)
{
    memset(op, 0, sizeof *op);
    size_t ki = rnd(5);
    op->key = str_from(keys[ki]);
    op->now_ms = now;
    switch (rnd(8)) {
    case 0:
    case 1:
        op->kind = rnd(4) ? RT_COUNTER_RATE : RT_COUNTER_RATE_ADD;
        op->rate.limit = 1 + (int64_t)rnd(6);
        op->rate.period_ms = rate_period[ki];
        op->rate.take = (int64_t)rnd(3);
        break;
    case 2:
    case 3:
        op->kind = rnd(4) ? RT_COUNTER_QUOTA : RT_COUNTER_QUOTA_ADD;
        op->quota.calls = (int64_t)rnd(8);
        op->quota.kb = op->quota.calls == 0 ? 1 + (int64_t)rnd(4) : (int64_t)rnd(3);
        op->quota.start_ms = ki == 0 ? 0 : 1700000000000 + (int64_t)ki * 7777;
        op->quota.period_ms = ki == 3 ? 0 : (int64_t)(ki + 1) * 30000;
        op->quota.calls_take = (int64_t)rnd(2);
        op->quota.bytes_take = (int64_t)rnd(1500);
        break;
    case 4:
    case 5:
        op->kind = rnd(3) ? RT_COUNTER_TOKEN : RT_COUNTER_TOKEN_ADD;
        op->token.tpm = ki == 1 ? 0 : 500 + (int64_t)rnd(3) * 250;
        op->token.period = ki == 2 ? RT_TOKEN_PERIOD_NONE : (rt_token_period)(1 + ki % 5);
        op->token.quota = op->token.period ? 2000 + (int64_t)rnd(2) * 1000 : 0;
        op->token.need = (int64_t)rnd(400);
        op->token.quota_need = (int64_t)rnd(300);
        op->token.take = (int64_t)rnd(300);
        break;
    default:
        op->kind = rnd(2) ? RT_COUNTER_ACQUIRE : RT_COUNTER_RELEASE;
        op->conc.max = 1 + (int64_t)rnd(3);
        break;
    }
}

static void test_same_as_memory(void)
{
    rt_counter_store *mem = rt_counter_mem_new(0);
    rt_counter_store *fb = rt_counter_mem_new(0);
    rt_counter_store *red = redis_new(fb, "eq:", 2000);
    REQUIRE(wait_up(red, 5000));
    /* virtual time: starts just before an hour boundary, moves by up to 3 s, sometimes jumps */
    time_t t0 = time(NULL);
    int64_t now = ((int64_t)t0 / 3600 + 1) * 3600000 - 20000 + 123;
    int mismatches = 0, pending = 0, refused = 0;
    for (int i = 0; i < 3000; i++) {
        rt_counter_op op;
        random_op(&op, now);
        rt_counter_result a, b;
        CHECK(run(mem, &op, &a) == RT_COUNTER_DONE);
        rt_counter_status st = run(red, &op, &b);
        pending += st == RT_COUNTER_PENDING;
        refused += !a.admitted;
        if (!same_result(&a, &b)) {
            if (mismatches++ < 5) {
                fprintf(stderr, "op %d (kind %d key '%.*s' now %" PRId64 ") differs:\n", i, op.kind,
                        (int)op.key.len, op.key.ptr, now);
                print_result("memory", &a);
                print_result("redis ", &b);
            }
        }
        now += (int64_t)rnd(3000);
        if (rnd(200) == 0)
            now += 3600000 + (int64_t)rnd(100000);
    }
    fprintf(stderr, "same-as-memory: 3000 ops, %d refused, %d pending, %d mismatches\n", refused,
            pending, mismatches);
    CHECK(mismatches == 0);
    CHECK(pending == 3000); /* all answered by Redis, none by the fallback */
    CHECK(refused > 300);   /* the sequence does exercise refusals */
    CHECK(log_down == 0 && log_up == 0 && log_other == 0);
    rt_counter_store_free(red);
    rt_counter_store_free(fb);
    rt_counter_store_free(mem);
}

/* ---- 2. two processes share one limit ---- */

static void test_shared(void)
{
    rt_counter_store *fa = rt_counter_mem_new(0), *fb = rt_counter_mem_new(0);
    rt_counter_store *a = redis_new(fa, "sh:", 2000), *b = redis_new(fb, "sh:", 2000);
    REQUIRE(wait_up(a, 5000) && wait_up(b, 5000));
    int64_t now = (int64_t)time(NULL) * 1000;
    enum { N = 25, TOTAL = 200 };
    waiter w[TOTAL];
    memset(w, 0, sizeof w);
    /* all in flight at once, interleaved over the two connections */
    for (int i = 0; i < TOTAL; i++) {
        rt_counter_op op = { .kind = RT_COUNTER_RATE,
                             .key = str_from("shared"),
                             .now_ms = now + i % 7,
                             .rate = { .limit = N, .period_ms = 60000, .take = 1 } };
        rt_counter_result res;
        CHECK(rt_counter_exec(i % 2 ? b : a, &op, &res, on_done, &w[i]) == RT_COUNTER_PENDING);
    }
    wait_all(w, TOTAL, 10000);
    int admitted = 0, retry_ok = 0;
    for (int i = 0; i < TOTAL; i++) {
        admitted += w[i].res.admitted;
        retry_ok += !w[i].res.admitted && w[i].res.rate.retry_after_s == 60;
    }
    fprintf(stderr, "shared rate: %d admitted of %d (limit %d)\n", admitted, TOTAL, N);
    CHECK(admitted == N);
    CHECK(retry_ok == TOTAL - N);

    /* quota: 10 calls across both */
    memset(w, 0, sizeof w);
    for (int i = 0; i < 40; i++) {
        rt_counter_op op = { .kind = RT_COUNTER_QUOTA,
                             .key = str_from("shared"),
                             .now_ms = now,
                             .quota = { .calls = 10, .period_ms = 3600000, .calls_take = 1 } };
        rt_counter_result res;
        CHECK(rt_counter_exec(i % 2 ? b : a, &op, &res, on_done, &w[i]) == RT_COUNTER_PENDING);
    }
    wait_all(w, 40, 10000);
    admitted = 0;
    for (int i = 0; i < 40; i++)
        admitted += w[i].res.admitted;
    CHECK(admitted == 10);

    /* token limit: usage added by one process is seen by the other */
    rt_counter_op add = {
        .kind = RT_COUNTER_TOKEN_ADD,
        .key = str_from("tok"),
        .now_ms = now,
        .token = { .tpm = 1000, .period = RT_TOKEN_PERIOD_DAILY, .quota = 5000, .take = 900 }
    };
    rt_counter_result r;
    CHECK(run(a, &add, &r) == RT_COUNTER_PENDING);
    CHECK(r.token.tpm_used == 900 && r.token.quota_used == 900);
    rt_counter_op chk = add;
    chk.kind = RT_COUNTER_TOKEN;
    chk.token.need = 200;
    CHECK(run(b, &chk, &r) == RT_COUNTER_PENDING);
    CHECK(!r.admitted && r.refusal == RT_COUNTER_BY_TPM && r.token.tpm_remaining == 100);
    CHECK(r.token.retry_after_s == 60);
    chk.token.need = 100;
    CHECK(run(b, &chk, &r) == RT_COUNTER_PENDING);
    CHECK(r.admitted);

    /* concurrency: 3 slots across both */
    memset(w, 0, sizeof w);
    for (int i = 0; i < 8; i++) {
        rt_counter_op op = {
            .kind = RT_COUNTER_ACQUIRE, .key = str_from("conc"), .now_ms = now, .conc = { .max = 3 }
        };
        rt_counter_result res;
        CHECK(rt_counter_exec(i % 2 ? b : a, &op, &res, on_done, &w[i]) == RT_COUNTER_PENDING);
    }
    wait_all(w, 8, 10000);
    admitted = 0;
    for (int i = 0; i < 8; i++)
        admitted += w[i].res.admitted;
    CHECK(admitted == 3);
    CHECK(log_down == 0 && log_other == 0);
    rt_counter_store_free(a);
    rt_counter_store_free(b);
    rt_counter_store_free(fa);
    rt_counter_store_free(fb);
}

/* ---- 3. outage: killed, restarted ---- */

static void test_outage(void)
{
    log_down = log_up = log_other = 0;
    rt_counter_store *fb = rt_counter_mem_new(0);
    rt_counter_store *s = redis_new(fb, "out:", 1000);
    REQUIRE(wait_up(s, 5000));
    int64_t now = (int64_t)time(NULL) * 1000;
    rt_counter_op op = { .kind = RT_COUNTER_RATE,
                         .key = str_from("o"),
                         .now_ms = now,
                         .rate = { .limit = 3, .period_ms = 600000, .take = 1 } };
    rt_counter_result r;
    for (int i = 0; i < 3; i++)
        CHECK(run(s, &op, &r) == RT_COUNTER_PENDING && r.admitted);
    CHECK(run(s, &op, &r) == RT_COUNTER_PENDING && !r.admitted); /* Redis says 3 used */

    redis_stop();
    /* the next operations are served by the fallback, whose counter is fresh: admitted */
    int fallback_answers = 0;
    for (int i = 0; i < 3; i++) {
        CHECK(run(s, &op, &r) != RT_COUNTER_ERROR);
        fallback_answers += r.admitted && r.rate.used == i;
    }
    CHECK(fallback_answers == 3);
    CHECK(run(s, &op, &r) == RT_COUNTER_DONE && !r.admitted); /* fallback full now */
    spin(600); /* several reconnect attempts fail meanwhile */
    CHECK(run(s, &op, &r) == RT_COUNTER_DONE);
    CHECK(!rt_counter_redis_is_up(s));
    CHECK(log_down == 1);
    CHECK(log_up == 0);

    redis_start(); /* empty again: no persistence */
    CHECK(wait_up(s, 5000));
    CHECK(log_up == 1);
    CHECK(log_down == 1);
    CHECK(run(s, &op, &r) == RT_COUNTER_PENDING); /* Redis again: its counter restarted */
    CHECK(r.admitted && r.rate.used == 0);
    CHECK(log_other == 0);
    rt_counter_store_free(s);
    rt_counter_store_free(fb);
}

/* ---- 4. stalled server: timeouts ---- */

static void test_timeout(void)
{
    log_down = log_up = log_other = 0;
    rt_counter_store *fb = rt_counter_mem_new(0);
    rt_counter_store *s = redis_new(fb, "tmo:", 300);
    REQUIRE(wait_up(s, 5000));
    int64_t now = (int64_t)time(NULL) * 1000;
    rt_counter_op op = { .kind = RT_COUNTER_QUOTA,
                         .key = str_from("t"),
                         .now_ms = now,
                         .quota = { .calls = 100, .period_ms = 3600000, .calls_take = 1 } };
    rt_counter_result r;
    for (int i = 0; i < 5; i++)
        CHECK(run(s, &op, &r) == RT_COUNTER_PENDING && r.quota.calls_used == i + 1);
    kill(redis_pid, SIGSTOP);
    enum { K = 4 };
    waiter w[K];
    memset(w, 0, sizeof w);
    int64_t t0 = mono_ms();
    for (int i = 0; i < K; i++)
        CHECK(rt_counter_exec(s, &op, &r, on_done, &w[i]) == RT_COUNTER_PENDING);
    wait_all(w, K, 3000);
    int64_t took = mono_ms() - t0;
    CHECK(took >= 290 && took < 3000);
    for (int i = 0; i < K; i++) /* fallback: its own count, 1..K */
        CHECK(w[i].res.admitted && w[i].res.quota.calls_used == i + 1);
    CHECK(log_down == 1);
    CHECK(run(s, &op, &r) == RT_COUNTER_DONE && r.quota.calls_used == K + 1);
    spin(400);
    CHECK(log_down == 1 && log_up == 0);
    kill(redis_pid, SIGCONT); /* the K queued scripts now run on the server (late replies) */
    CHECK(wait_up(s, 5000));
    CHECK(log_up == 1 && log_down == 1);
    CHECK(run(s, &op, &r) == RT_COUNTER_PENDING);
    fprintf(stderr, "after SIGCONT: redis quota calls_used %" PRId64 "\n", r.quota.calls_used);
    CHECK(r.quota.calls_used >= 6 && r.quota.calls_used <= 6 + K);
    CHECK(log_other == 0);
    rt_counter_store_free(s);
    rt_counter_store_free(fb);
}

/* ---- 5. URLs ---- */

static void test_urls(void)
{
    rt_counter_store *fb = rt_counter_mem_new(0);
    char err[200];
    const char *bad[] = { "http://x",    "redis://",    "redis://h:0",     "redis://h:70000",
                          "redis://h/x", "rediss://h",  "unix://relative", "unix:///p?x=1",
                          "redis://u@h", "redis://[::1" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = 0;
        CHECK(rt_counter_redis_new(evb, bad[i], fb, NULL, err, sizeof err) == NULL);
        CHECK(err[0] != 0);
    }
    /* nothing listens on port 1: the first operations fall back, with one log line */
    log_down = log_up = log_other = 0;
    rt_counter_redis_opts o = { .timeout_ms = 500, .log = on_log };
    rt_counter_store *s =
        rt_counter_redis_new(evb, "redis://:pw@127.0.0.1:1/3", fb, &o, err, sizeof err);
    REQUIRE(s);
    rt_counter_op op = {
        .kind = RT_COUNTER_ACQUIRE, .key = str_from("u"), .now_ms = 1, .conc = { .max = 1 }
    };
    rt_counter_result r;
    CHECK(run(s, &op, &r) != RT_COUNTER_ERROR && r.admitted && r.conc.held == 1);
    spin(100);
    CHECK(run(s, &op, &r) == RT_COUNTER_DONE && !r.admitted);
    CHECK(log_down == 1);
    rt_counter_store_free(s);
    rt_counter_store_free(fb);
}

int main(void)
{
    redis_bin = getenv("REDIS_SERVER");
    if (!redis_bin || !*redis_bin)
        redis_bin = "redis-server";
    if (!strchr(redis_bin, '/')) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", redis_bin);
        if (system(cmd) != 0) {
            fprintf(stderr, "redis-server not found: skipped\n");
            return 77;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/apimredis.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(sockpath, sizeof sockpath, "%s/redis.sock", tmpdir);
    evb = event_base_new();
    REQUIRE(evb);
    redis_start();
    test_same_as_memory();
    test_shared();
    test_outage();
    test_timeout();
    test_urls();
    event_base_free(evb);
    fprintf(stderr, "%s\n", failures ? "FAILED" : "ok");
    finish(failures ? 1 : 0);
}
