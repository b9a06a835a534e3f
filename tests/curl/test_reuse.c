/* The curl transport reuses a finished call's easy handle for the next call, setting only the
 * per-call options and putting them back afterwards (transport_curl.c: easy_recycle). These
 * tests run calls in sequences where an option of one call must not leak into the next: HEAD
 * then GET, POST then GET, a proxy then none, a timeout then none, a capped buffered body then
 * an uncapped stream. They use one call at a time, so the same handle is reused. TAP output. */
#include <curl/curl.h>
#include <event2/event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "backend.h"
#include "runtime/transport_curl.h"
#include "tap.h"

static struct event_base *base;
static rt_transport *tp;
static struct event *guard;
static int http_port, raw_port;
static bool busy;

typedef struct result {
    bool called;
    rt_tx_result res;
    int status;
    char body[512];
    char got_ctype[64];
    size_t streamed;
    arena a;
} result;

static void on_guard(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    event_base_loopbreak(base);
}

static void on_done(void *ud, rt_tx_result res, const rt_http_resp *resp, const char *message)
{
    result *r = ud;
    r->called = true;
    r->res = res;
    if (res == RT_TX_OK) {
        r->status = resp->status;
        snprintf(r->body, sizeof r->body, "%.*s", STR_FMT(resp->body));
        snprintf(r->got_ctype, sizeof r->got_ctype, "none");
        for (size_t i = 0; i < resp->nheaders; i++) {
            if (str_ieq(resp->headers[i].name, STR_LIT("X-Got-Content-Type")))
                snprintf(r->got_ctype, sizeof r->got_ctype, "%.*s",
                         STR_FMT(resp->headers[i].value));
        }
    } else {
        snprintf(r->body, sizeof r->body, "%s", message);
    }
    busy = false;
    event_base_loopbreak(base);
}

static void on_chunk(void *ud, const char *p, size_t n)
{
    (void)p;
    ((result *)ud)->streamed += n;
}

/* Sends req and runs the loop until it is done (3 s at most), or for wait_ms when > 0. */
static rt_tx_call *call(result *r, const rt_http_req *req, int64_t wait_ms)
{
    memset(r, 0, sizeof *r);
    arena_init(&r->a, ARENA_REQUEST_CAP);
    busy = true;
    rt_tx_call *c = tp->send(tp, &r->a, req, on_done, r);
    CHECK(c, "send failed");
    struct timeval tv = { 3, 0 };
    if (wait_ms > 0)
        tv = (struct timeval){ 0, (suseconds_t)wait_ms * 1000 };
    evtimer_add(guard, &tv);
    if (c)
        event_base_dispatch(base);
    evtimer_del(guard);
    return busy ? c : NULL;
}

static str url(int port, const char *path)
{
    static char u[4][256];
    static int k;
    char *p = u[k++ % 4];
    snprintf(p, 256, "http://127.0.0.1:%d%s", port, path);
    return str_from(p);
}

static rt_http_req get(const char *path)
{
    return (rt_http_req){ .method = STR_LIT("GET"), .url = url(http_port, path) };
}

static void test_head_post_then_get(void)
{
    result r;
    rt_http_req req = get("/echo");
    req.method = STR_LIT("HEAD");
    call(&r, &req, 0);
    CHECK(r.res == RT_TX_OK && r.status == 200, "HEAD: %d %d %s", r.res, r.status, r.body);
    arena_release(&r.a);
    req = get("/echo");
    call(&r, &req, 0);
    CHECK(r.res == RT_TX_OK && !strcmp(r.body, "GET|0|"), "GET after HEAD: '%s'", r.body);
    arena_release(&r.a);

    req = get("/echo");
    req.method = STR_LIT("POST");
    req.body = STR_LIT("abc");
    call(&r, &req, 0);
    CHECK(!strcmp(r.body, "POST|3|abc"), "POST: '%s'", r.body);
    arena_release(&r.a);
    req = get("/echo");
    call(&r, &req, 0);
    CHECK(!strcmp(r.body, "GET|0|"), "GET after POST: '%s'", r.body);
    CHECK(!strcmp(r.got_ctype, "none"), "GET after POST has Content-Type '%s'", r.got_ctype);
    arena_release(&r.a);

    req = get("/echo");
    req.method = STR_LIT("DELETE");
    call(&r, &req, 0);
    arena_release(&r.a);
    req = get("/echo");
    call(&r, &req, 0);
    CHECK(!strcmp(r.body, "GET|0|"), "GET after DELETE: '%s'", r.body);
    arena_release(&r.a);
}

static void test_proxy_then_direct(void)
{
    result r;
    /* the evhttp backend is the proxy: it answers the absolute-form target with its URI */
    char proxy[64];
    snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", http_port);
    rt_http_req req = { .method = STR_LIT("GET"),
                        .url = STR_LIT("http://backend.invalid:1/far/x"),
                        .proxy_url = str_from(proxy),
                        .proxy_username = STR_LIT("pu"),
                        .proxy_password = STR_LIT("pw") };
    call(&r, &req, 0);
    CHECK(r.res == RT_TX_OK && !strcmp(r.body, "http://backend.invalid:1/far/x"),
          "proxied: %d '%s'", r.res, r.body);
    arena_release(&r.a);
    raw_mode = RAW_CLOSE; /* direct: closed without an answer; through the proxy: its URI */
    req = (rt_http_req){ .method = STR_LIT("GET"), .url = url(raw_port, "/x") };
    call(&r, &req, 0);
    CHECK(r.res == RT_TX_CONNECT, "direct after proxied must not use the proxy: %d '%s'", r.res,
          r.body);
    arena_release(&r.a);
    req = get("/plain");
    call(&r, &req, 0);
    CHECK(r.res == RT_TX_OK && !strcmp(r.body, "/plain"), "direct: %d '%s'", r.res, r.body);
    arena_release(&r.a);
}

static void test_timeout_then_none(void)
{
    result r;
    rt_http_req req = get("/echo");
    req.timeout_ms = 150;
    call(&r, &req, 0);
    CHECK(r.res == RT_TX_OK, "with timeout: %d '%s'", r.res, r.body);
    arena_release(&r.a);
    raw_mode = RAW_SILENT;
    req = (rt_http_req){ .method = STR_LIT("GET"), .url = url(raw_port, "/slow") };
    rt_tx_call *c = call(&r, &req, 400);
    CHECK(c && !r.called, "a call without timeout ended within 400 ms: %d '%s'", r.res, r.body);
    if (c)
        tp->cancel(tp, c);
    raw_close_all();
    arena_release(&r.a);
}

static void test_capped_then_stream(void)
{
    result r;
    rt_http_req req = get("/big/3000");
    call(&r, &req, 0);
    CHECK(r.res == RT_TX_ERROR && strstr(r.body, "too large"), "buffered over the cap: %d '%s'",
          r.res, r.body);
    arena_release(&r.a);
    static const rt_tx_stream st = { .on_chunk = on_chunk };
    req = get("/big/3000");
    req.stream = &st;
    call(&r, &req, 0);
    CHECK(r.res == RT_TX_OK && r.streamed == 3000, "streamed: %d %zu '%s'", r.res, r.streamed,
          r.body);
    arena_release(&r.a);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    base = event_base_new();
    guard = evtimer_new(base, on_guard, NULL);
    if (backend_start(base, &http_port, &raw_port) < 0) {
        printf("Bail out! cannot bind the test servers\n");
        return 1;
    }
    rt_curl_opts opts = { .max_body = 2000 };
    rt_curl *ct = rt_curl_new(base, &opts);
    tp = rt_curl_transport(ct);
    tap_run("HEAD, POST, DELETE then GET on a reused handle", test_head_post_then_get);
    tap_run("a proxied call then direct ones", test_proxy_then_direct);
    tap_run("a call with a timeout then one without", test_timeout_then_none);
    tap_run("a capped buffered call then an uncapped stream", test_capped_then_stream);
    rt_curl_free(ct);
    backend_stop();
    event_free(guard);
    event_base_free(base);
    curl_global_cleanup();
    return tap_done();
}
