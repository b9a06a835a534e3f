/* The curl transport (runtime/transport_curl.c) on one event_base shared with in-process
 * loopback servers: an evhttp server (the well-behaved backend) and a raw TCP server that
 * closes, stalls or sends garbage. A 5 s guard timer stops any hang. Output is TAP. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "backend.h"
#include "runtime/base/buf.h"
#include "runtime/transport_curl.h"
#include "tap.h"

static struct event_base *base;
static rt_curl *ct;
static rt_transport *tp;
static struct event *guard;
static bool guard_fired;
static int http_port, raw_port;

/* ---- the loop ---- */

static int pending; /* completions awaited by the current run */

static void on_guard(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    guard_fired = true;
    event_base_loopbreak(base);
}

/* Runs the loop until `pending` drops to 0 (or ms elapse when wait_ms > 0), 5 s at most. */
static bool run(int64_t wait_ms)
{
    struct timeval tv = { 5, 0 };
    if (wait_ms > 0)
        tv = (struct timeval){ (time_t)(wait_ms / 1000), (suseconds_t)(wait_ms % 1000) * 1000 };
    guard_fired = false;
    evtimer_add(guard, &tv);
    if (wait_ms > 0 || pending > 0)
        event_base_dispatch(base);
    evtimer_del(guard);
    return wait_ms > 0 || !guard_fired;
}

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* ---- calls ---- */

typedef struct result {
    bool called;
    int ncalls;
    rt_tx_result res;
    int status;
    char reason[64];
    char ctype[64]; /* streaming: Content-Type seen by on_headers */
    char *body;     /* heap copy */
    size_t body_len;
    char message[512];
    arena a;
    rt_http_resp resp; /* copied (points into a) */
    bool sending;      /* send() has not returned yet */
    int64_t done_at;
    rt_tx_call *call;
    /* streaming */
    int nheaders_cb, nchunks;
    int64_t first_chunk_at;
    buf chunks;
    int cancel_after_chunks; /* > 0: cancel from inside on_chunk */
} result;

static void result_init(result *r)
{
    memset(r, 0, sizeof *r);
    arena_init(&r->a, ARENA_REQUEST_CAP);
    buf_init(&r->chunks, 0);
}

static void result_release(result *r)
{
    free(r->body);
    buf_release(&r->chunks);
    arena_release(&r->a);
}

static void on_done(void *ud, rt_tx_result res, const rt_http_resp *resp, const char *message)
{
    result *r = ud;
    CHECK(!r->sending, "done called from inside send()");
    r->ncalls++;
    r->called = true;
    r->res = res;
    r->done_at = now_ms();
    r->call = NULL;
    if (res == RT_TX_OK) {
        CHECK(resp && !message, "OK without a response");
        r->resp = *resp;
        r->status = resp->status;
        snprintf(r->reason, sizeof r->reason, "%.*s", STR_FMT(resp->reason));
        r->body = malloc(resp->body.len + 1);
        memcpy(r->body, resp->body.ptr, resp->body.len);
        r->body[resp->body.len] = 0;
        r->body_len = resp->body.len;
    } else {
        CHECK(!resp && message, "error without a message");
        snprintf(r->message, sizeof r->message, "%s", message ? message : "");
    }
    if (--pending <= 0)
        event_base_loopbreak(base);
}

static rt_tx_call *send_req(result *r, const rt_http_req *req)
{
    r->sending = true;
    r->call = tp->send(tp, &r->a, req, on_done, r);
    r->sending = false;
    if (r->call)
        pending++;
    return r->call;
}

static char url_buf[16][256];
static int url_next;
static str url(int port, const char *path)
{
    char *u = url_buf[url_next++ % 16];
    snprintf(u, 256, "http://127.0.0.1:%d%s", port, path);
    return str_from(u);
}

static rt_http_req get(int port, const char *path)
{
    return (rt_http_req){ .method = STR_LIT("GET"), .url = url(port, path), .timeout_ms = 3000 };
}

static const char *header(const rt_http_resp *resp, const char *name, int nth)
{
    static char v[4][256];
    static int k;
    for (size_t i = 0; i < resp->nheaders; i++) {
        if (str_ieq(resp->headers[i].name, str_from(name)) && nth-- == 0) {
            char *out = v[k++ % 4];
            snprintf(out, 256, "%.*s", STR_FMT(resp->headers[i].value));
            return out;
        }
    }
    return NULL;
}

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *got_ = (got);                                                                  \
        CHECK(got_ && !strcmp(got_, (want)), "got '%s', want '%s'", got_ ? got_ : "(null)",        \
              (want));                                                                             \
    } while (0)

/* ---- tests ---- */

static void test_get(void)
{
    result r;
    result_init(&r);
    rt_hdr h[] = { { STR_LIT("X-Foo"), STR_LIT("bar baz") }, { STR_LIT("X-Empty"), STR_LIT("") } };
    rt_http_req req = get(http_port, "/echo?q=1");
    req.headers = h;
    req.nheaders = 2;
    CHECK(send_req(&r, &req), "send failed");
    CHECK(run(0), "timed out");
    CHECK(r.called && r.res == RT_TX_OK, "res %d: %s", r.res, r.message);
    CHECK(r.status == 200, "status %d", r.status);
    CHECK_STR(r.reason, "OK");
    CHECK_STR(r.body, "GET|0|");
    CHECK_STR(header(&r.resp, "x-got-foo", 0), "bar baz");
    CHECK_STR(header(&r.resp, "X-Got-Accept", 0), "none");
    CHECK_STR(header(&r.resp, "X-Got-Empty", 0), "");
    CHECK_STR(header(&r.resp, "X-Got-Content-Type", 0), "none");
    CHECK(header(&r.resp, "Content-Length", 0) != NULL, "no Content-Length in the response");
    CHECK(rt_curl_inflight(ct) == 0, "inflight %zu", rt_curl_inflight(ct));
    result_release(&r);
}

static void test_post(void)
{
    result r;
    result_init(&r);
    rt_hdr h[] = { { STR_LIT("Accept"), STR_LIT("application/json") },
                   { STR_LIT("Content-Type"), STR_LIT("application/json") },
                   { STR_LIT("Content-Length"), STR_LIT("999") },
                   { STR_LIT("Connection"), STR_LIT("close") } };
    char body[] = "{\"a\":1}\0tail"; /* an embedded NUL: the explicit size is what counts */
    rt_http_req req = get(http_port, "/echo");
    req.method = STR_LIT("POST");
    req.headers = h;
    req.nheaders = 4;
    req.body = str_make(body, sizeof body - 1);
    send_req(&r, &req);
    body[0] = 'X'; /* the transport copied the body */
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_OK && r.status == 200, "res %d status %d: %s", r.res, r.status, r.message);
    CHECK(r.body_len == 8 + 12 && !memcmp(r.body, "POST|12|{\"a\":1}\0tail", r.body_len),
          "body '%s' (%zu)", r.body, r.body_len);
    CHECK_STR(header(&r.resp, "X-Got-Accept", 0), "application/json");
    CHECK_STR(header(&r.resp, "X-Got-Content-Type", 0), "application/json");
    CHECK_STR(header(&r.resp, "X-Got-Content-Length", 0), "12");
    CHECK_STR(header(&r.resp, "X-Got-Expect", 0), "none");
    result_release(&r);

    /* a 2 MB body: curl would add Expect: 100-continue; and no form Content-Type */
    result_init(&r);
    size_t n = 2u << 20;
    char *big = malloc(n);
    memset(big, 'x', n);
    req = get(http_port, "/echo");
    req.method = STR_LIT("PUT");
    req.body = str_make(big, n);
    send_req(&r, &req);
    free(big);
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_OK, "res %d: %s", r.res, r.message);
    CHECK_STR(r.body, "PUT|2097152|");
    CHECK_STR(header(&r.resp, "X-Got-Expect", 0), "none");
    CHECK_STR(header(&r.resp, "X-Got-Content-Type", 0), "none");
    result_release(&r);
}

static void test_methods(void)
{
    static const char *const methods[] = { "DELETE", "PATCH", "OPTIONS", "PUT", "HEAD" };
    static const char *const want[] = { "DELETE|0|", "PATCH|3|abc", "OPTIONS|0|", "PUT|0|", "" };
    for (int i = 0; i < 5; i++) {
        result r;
        result_init(&r);
        rt_http_req req = get(http_port, "/echo");
        req.method = str_from(methods[i]);
        if (i == 1)
            req.body = STR_LIT("abc");
        send_req(&r, &req);
        CHECK(run(0), "%s timed out", methods[i]);
        CHECK(r.res == RT_TX_OK && r.status == 200, "%s: res %d status %d: %s", methods[i], r.res,
              r.status, r.message);
        CHECK(r.body && !strcmp(r.body, want[i]), "%s: body '%s'", methods[i], r.body);
        result_release(&r);
    }
}

static void test_status_and_multi_headers(void)
{
    result r;
    result_init(&r);
    rt_http_req req = get(http_port, "/multi");
    send_req(&r, &req);
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_OK && r.status == 201, "res %d status %d", r.res, r.status);
    CHECK_STR(r.reason, "Created Here");
    CHECK_STR(header(&r.resp, "Set-Cookie", 0), "a=1");
    CHECK_STR(header(&r.resp, "Set-Cookie", 1), "b=2; Path=/");
    CHECK_STR(header(&r.resp, "X-Multi", 0), "one");
    CHECK_STR(header(&r.resp, "X-Multi", 1), "two");
    result_release(&r);

    result_init(&r);
    req = get(http_port, "/status/503");
    send_req(&r, &req);
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_OK && r.status == 503, "res %d status %d", r.res, r.status);
    CHECK_STR(r.body, "status");
    result_release(&r);
}

static void test_large_body(void)
{
    const char *paths[] = { "/big/5000000", "/chunked/5000000" };
    for (int k = 0; k < 2; k++) {
        result r;
        result_init(&r);
        rt_http_req req = get(http_port, paths[k]);
        send_req(&r, &req);
        CHECK(run(0), "timed out");
        CHECK(r.res == RT_TX_OK && r.body_len == 5000000, "%s: res %d len %zu: %s", paths[k], r.res,
              r.body_len, r.message);
        bool same = r.body != NULL;
        for (size_t i = 0; same && i < r.body_len; i++)
            same = r.body[i] == (char)('a' + (i % 4096) % 26);
        CHECK(same, "%s: body content differs", paths[k]);
        result_release(&r);
    }
}

static void test_over_cap(void)
{
    rt_curl_opts o = { .max_body = 1u << 20 };
    rt_curl *small = rt_curl_new(base, &o);
    rt_transport *save = tp;
    tp = rt_curl_transport(small);
    const char *paths[] = { "/big/3000000", "/chunked/3000000", "/big/1048576" };
    for (int k = 0; k < 3; k++) {
        result r;
        result_init(&r);
        rt_http_req req = get(http_port, paths[k]);
        send_req(&r, &req);
        CHECK(run(0), "timed out");
        if (k < 2)
            CHECK(r.res == RT_TX_ERROR && strstr(r.message, "response too large"), "%s: res %d: %s",
                  paths[k], r.res, r.message);
        else
            CHECK(r.res == RT_TX_OK && r.body_len == 1048576, "exactly the cap: res %d: %s", r.res,
                  r.message);
        result_release(&r);
    }
    tp = save;
    rt_curl_free(small);
}

/* response headers are charged to the request arena: its cap makes a clean error */
static void test_headers_over_arena_cap(void)
{
    result r;
    result_init(&r);
    arena_release(&r.a);
    arena_init(&r.a, 32 << 10);
    rt_http_req req = get(http_port, "/headers/50");
    send_req(&r, &req);
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_OK && r.resp.nheaders >= 50, "50 headers: res %d: %s", r.res, r.message);
    result_release(&r);
    result_init(&r);
    arena_release(&r.a);
    arena_init(&r.a, 32 << 10);
    req = get(http_port, "/headers/2000");
    send_req(&r, &req);
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_ERROR && strstr(r.message, "memory limit"), "res %d: %s", r.res,
          r.message);
    result_release(&r);
}

static void test_closed_without_answer(void)
{
    raw_mode = RAW_CLOSE;
    result r;
    result_init(&r);
    rt_http_req req = get(raw_port, "/x");
    send_req(&r, &req);
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_CONNECT, "res %d: %s", r.res, r.message);
    result_release(&r);
}

static void test_garbage(void)
{
    raw_mode = RAW_GARBAGE;
    result r;
    result_init(&r);
    rt_http_req req = get(raw_port, "/x");
    send_req(&r, &req);
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_ERROR && r.message[0], "res %d: %s", r.res, r.message);
    result_release(&r);
}

static void test_refused(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
    bind(fd, (struct sockaddr *)&sin, sizeof sin);
    int port = bound_port(fd);
    close(fd); /* bound, never listened, closed: nobody listens there */
    result r;
    result_init(&r);
    rt_http_req req = get(port, "/x");
    send_req(&r, &req);
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_CONNECT && r.message[0], "res %d: %s", r.res, r.message);
    result_release(&r);
}

static void test_timeout(void)
{
    raw_mode = RAW_SILENT;
    result r;
    result_init(&r);
    rt_http_req req = get(raw_port, "/x");
    req.timeout_ms = 200;
    int64_t t0 = now_ms();
    send_req(&r, &req);
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_TIMEOUT, "res %d: %s", r.res, r.message);
    CHECK(r.done_at - t0 >= 180 && r.done_at - t0 < 2000, "after %lld ms",
          (long long)(r.done_at - t0));
    result_release(&r);
    raw_close_all();
}

static void cancel_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    result *r = arg;
    tp->cancel(tp, r->call);
    r->call = NULL;
}

static void test_cancel(void)
{
    raw_mode = RAW_SILENT;
    result r, r2;
    result_init(&r);
    result_init(&r2);
    rt_http_req req = get(raw_port, "/x");
    send_req(&r, &req);
    send_req(&r2, &req);
    struct timeval tv = { 0, 50000 };
    event_base_once(base, -1, EV_TIMEOUT, cancel_cb, &r, &tv);
    CHECK(run(300), "loop");
    CHECK(!r.called, "done called after cancel");
    CHECK(rt_curl_inflight(ct) == 1, "inflight %zu", rt_curl_inflight(ct));
    /* releasing the request arena cancels the call still in flight */
    arena_release(&r2.a);
    CHECK(rt_curl_inflight(ct) == 0, "inflight %zu after arena release", rt_curl_inflight(ct));
    CHECK(run(200), "loop");
    CHECK(!r2.called, "done called after the arena was released");
    pending = 0;
    /* cancel right after send, before curl did anything */
    result r3;
    result_init(&r3);
    req = get(http_port, "/echo");
    send_req(&r3, &req);
    tp->cancel(tp, r3.call);
    CHECK(run(100), "loop");
    CHECK(!r3.called, "done called after an immediate cancel");
    pending = 0;
    result_release(&r);
    result_release(&r2);
    result_release(&r3);
    raw_close_all();
}

static void test_concurrent(void)
{
    enum { N = 50 };
    result *r = calloc(N, sizeof *r);
    char path[N][32];
    for (int i = 0; i < N; i++) {
        result_init(&r[i]);
        snprintf(path[i], sizeof path[i], "/path/%d", i);
        rt_http_req req = get(http_port, path[i]);
        CHECK(send_req(&r[i], &req), "send %d", i);
    }
    CHECK(rt_curl_inflight(ct) == N, "inflight %zu", rt_curl_inflight(ct));
    CHECK(run(0), "timed out with %d left", pending);
    for (int i = 0; i < N; i++) {
        CHECK(r[i].ncalls == 1 && r[i].res == RT_TX_OK && r[i].body && !strcmp(r[i].body, path[i]),
              "call %d: res %d body %s", i, r[i].res, r[i].body);
        result_release(&r[i]);
    }
    free(r);
}

/* sequential requests on keep-alive: one connection */
static result seq[3];
static int seq_i;
static void on_seq_done(void *ud, rt_tx_result res, const rt_http_resp *resp, const char *msg)
{
    if (seq_i + 1 < 3) { /* the next one first, so pending never drops to 0 in between */
        rt_http_req req = get(http_port, "/path/seq");
        result *next = &seq[++seq_i];
        next->sending = true;
        CHECK(tp->send(tp, &next->a, &req, on_seq_done, next), "send");
        next->sending = false;
        pending++;
    }
    on_done(ud, res, resp, msg);
}

static void test_reuse(void)
{
    npeers = 0;
    seq_i = 0;
    for (int i = 0; i < 3; i++)
        result_init(&seq[i]);
    rt_http_req req = get(http_port, "/path/seq");
    seq[0].sending = true;
    CHECK(tp->send(tp, &seq[0].a, &req, on_seq_done, &seq[0]), "send");
    seq[0].sending = false;
    pending = 1;
    CHECK(run(0), "timed out");
    for (int i = 0; i < 3; i++) {
        CHECK(seq[i].res == RT_TX_OK && seq[i].body && !strcmp(seq[i].body, "/path/seq"),
              "call %d: %d", i, seq[i].res);
        result_release(&seq[i]);
    }
    CHECK(npeers == 1, "%d connections for 3 sequential requests", npeers);
}

/* ---- streaming ---- */

static void on_s_headers(void *ud, const rt_http_resp *resp)
{
    result *r = ud;
    r->nheaders_cb++;
    r->status = resp->status;
    const char *ct_h = header(resp, "Content-Type", 0);
    snprintf(r->ctype, sizeof r->ctype, "%s", ct_h ? ct_h : "");
}

static void on_s_chunk(void *ud, const char *p, size_t n)
{
    result *r = ud;
    CHECK(r->nheaders_cb == 1, "chunk before headers");
    if (!r->nchunks++)
        r->first_chunk_at = now_ms();
    buf_append(&r->chunks, p, n);
    if (r->cancel_after_chunks && r->nchunks == r->cancel_after_chunks) {
        tp->cancel(tp, r->call);
        r->call = NULL;
        if (--pending <= 0)
            event_base_loopbreak(base);
    }
}

static const rt_tx_stream stream_cbs = { .on_headers = on_s_headers, .on_chunk = on_s_chunk };

static void test_stream(void)
{
    result r;
    result_init(&r);
    rt_http_req req = get(http_port, "/stream");
    req.stream = &stream_cbs;
    req.timeout_ms = 100; /* only until the headers: the stream itself lasts ~270 ms */
    send_req(&r, &req);
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_OK, "res %d: %s", r.res, r.message);
    CHECK(r.nheaders_cb == 1 && r.status == 200, "headers cb %d status %d", r.nheaders_cb,
          r.status);
    CHECK_STR(r.ctype, "text/event-stream");
    CHECK(r.nchunks >= 2, "%d chunks: not relayed as they came", r.nchunks);
    CHECK(r.done_at - r.first_chunk_at >= 120, "first chunk only %lld ms before the end",
          (long long)(r.done_at - r.first_chunk_at));
    const char *want = "data: {\"n\":0}\n\ndata: {\"n\":1}\n\ndata: {\"n\":2}\n\n"
                       "data: {\"n\":3}\n\n";
    CHECK(r.chunks.len == strlen(want) && !memcmp(r.chunks.ptr, want, r.chunks.len),
          "stream '%.*s'", (int)r.chunks.len, r.chunks.ptr);
    CHECK(r.body_len == 0, "done's body has %zu bytes", r.body_len);
    result_release(&r);
}

static void test_stream_cancel_inside(void)
{
    result r;
    result_init(&r);
    rt_http_req req = get(http_port, "/stream");
    req.stream = &stream_cbs;
    r.cancel_after_chunks = 1;
    send_req(&r, &req);
    CHECK(run(0), "timed out");
    CHECK(r.nchunks == 1, "%d chunks", r.nchunks);
    CHECK(run(200), "loop");
    CHECK(!r.called, "done called after a cancel from on_chunk");
    CHECK(r.nchunks == 1, "%d chunks after cancel", r.nchunks);
    CHECK(rt_curl_inflight(ct) == 0, "inflight %zu", rt_curl_inflight(ct));
    result_release(&r);
}

static void test_stream_header_timeout(void)
{
    raw_mode = RAW_SILENT;
    result r;
    result_init(&r);
    rt_http_req req = get(raw_port, "/x");
    req.stream = &stream_cbs;
    req.timeout_ms = 200;
    int64_t t0 = now_ms();
    send_req(&r, &req);
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_TIMEOUT && r.nheaders_cb == 0, "res %d: %s", r.res, r.message);
    CHECK(r.done_at - t0 >= 180, "after %lld ms", (long long)(r.done_at - t0));
    result_release(&r);
    raw_close_all();
}

/* send from inside a streaming callback: started on the next turn */
static result nested;
static void on_s_chunk_send(void *ud, const char *p, size_t n)
{
    result *r = ud;
    on_s_chunk(ud, p, n);
    if (r->nchunks == 1) {
        rt_http_req req = get(http_port, "/path/nested");
        send_req(&nested, &req);
    }
}
static const rt_tx_stream stream_send_cbs = { .on_headers = on_s_headers,
                                              .on_chunk = on_s_chunk_send };

static void test_stream_send_inside(void)
{
    result r;
    result_init(&r);
    result_init(&nested);
    rt_http_req req = get(http_port, "/stream");
    req.stream = &stream_send_cbs;
    send_req(&r, &req);
    CHECK(run(0), "timed out");
    CHECK(r.res == RT_TX_OK && r.nchunks >= 2, "res %d chunks %d", r.res, r.nchunks);
    CHECK(nested.res == RT_TX_OK && nested.body && !strcmp(nested.body, "/path/nested"),
          "nested res %d: %s", nested.res, nested.message);
    CHECK(nested.done_at <= r.done_at, "the nested call waited for the stream");
    result_release(&r);
    result_release(&nested);
}

static void test_bad_requests(void)
{
    rt_hdr h[] = { { STR_LIT("X-Evil"), STR_LIT("a\r\nInjected: 1") } };
    rt_hdr bad_name[] = { { STR_LIT("Bad Name"), STR_LIT("x") } };
    rt_http_req reqs[4];
    reqs[0] = get(http_port, "/echo");
    reqs[0].headers = h;
    reqs[0].nheaders = 1;
    reqs[1] = get(http_port, "/echo");
    reqs[1].headers = bad_name;
    reqs[1].nheaders = 1;
    reqs[2] = get(http_port, "/echo");
    reqs[2].method = STR_LIT("GE T");
    reqs[3] = (rt_http_req){ .method = STR_LIT("GET"), .url = STR_LIT("file:///etc/passwd") };
    for (int i = 0; i < 4; i++) {
        result r;
        result_init(&r);
        send_req(&r, &reqs[i]);
        CHECK(run(0), "timed out");
        CHECK(r.called && r.res == RT_TX_ERROR && r.message[0], "request %d: res %d: %s", i, r.res,
              r.message);
        result_release(&r);
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* as `serve` does: a peer may close while we write */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    base = event_base_new();
    guard = evtimer_new(base, on_guard, NULL);
    if (backend_start(base, &http_port, &raw_port) < 0) {
        printf("Bail out! cannot bind the test servers\n");
        return 1;
    }
    ct = rt_curl_new(base, NULL);
    tp = rt_curl_transport(ct);

    tap_run("GET round trip with headers", test_get);
    tap_run("POST / PUT with bodies and headers", test_post);
    tap_run("other methods and HEAD", test_methods);
    tap_run("status, reason, multi-valued headers", test_status_and_multi_headers);
    tap_run("large bodies (5 MB)", test_large_body);
    tap_run("response over the cap is an error", test_over_cap);
    tap_run("response headers over the request arena cap", test_headers_over_arena_cap);
    tap_run("backend closes without answering: RT_TX_CONNECT", test_closed_without_answer);
    tap_run("backend sends garbage: RT_TX_ERROR", test_garbage);
    tap_run("connection refused: RT_TX_CONNECT", test_refused);
    tap_run("timeout_ms 200 on a silent backend: RT_TX_TIMEOUT", test_timeout);
    tap_run("cancel in flight, arena release in flight", test_cancel);
    tap_run("50 concurrent requests", test_concurrent);
    tap_run("sequential keep-alive requests reuse one connection", test_reuse);
    tap_run("streaming: chunks arrive before the response ends", test_stream);
    tap_run("streaming: cancel from inside on_chunk", test_stream_cancel_inside);
    tap_run("streaming: header timeout", test_stream_header_timeout);
    tap_run("streaming: send from inside on_chunk", test_stream_send_inside);
    tap_run("invalid requests fail asynchronously", test_bad_requests);

    /* a call in flight when the transport goes away: no callback, no leak */
    result r;
    result_init(&r);
    raw_mode = RAW_SILENT;
    rt_http_req req = get(raw_port, "/x");
    send_req(&r, &req);
    run(100);
    rt_curl_free(ct);
    run(100);
    CHECK(!r.called, "done called after rt_curl_free");
    result_release(&r);
    backend_stop();
    event_free(guard);
    event_base_free(base);
    curl_global_cleanup();
    return tap_done();
}
