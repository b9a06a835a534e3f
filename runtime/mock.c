/* The mock Azure OpenAI backend's server: evhttp callback, limits, fault injection, delayed and
 * streamed replies on evtimers, client disconnects. Bodies come from mock_answer.c. */
#include "runtime/mock.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "runtime/base/xalloc.h"
#include "runtime/mock_impl.h"

typedef struct mock_call mock_call;

struct rt_mock {
    struct event_base *base;
    struct evhttp *http;
    const rt_mock_opts *o;
    char addr[96];    /* bound "HOST:PORT" */
    mock_window reqs; /* --rpm */
    mock_window toks; /* --tpm */
    uint64_t rng;     /* --fail-rate draws */
    uint64_t seq;     /* requests seen */
    mock_call *calls; /* answers waiting on a timer */
};

/* One answer waiting for --latency or streaming on --stream-delay. */
struct mock_call {
    rt_mock *m;
    struct evhttp_request *req;      /* NULL once libevent freed it with its connection */
    struct evhttp_connection *evcon; /* whose close callback points at us, or NULL */
    struct event *timer;
    mock_answer a;
    size_t tick;  /* stream: ticks sent */
    bool started; /* stream: evhttp_send_reply_start done */
    bool gone;    /* the client went away: only clean up */
    mock_call *prev, *next;
};

void rt_mock_opts_init(rt_mock_opts *o)
{
    memset(o, 0, sizeof *o);
    o->listen = "127.0.0.1:8081";
    o->fail_status = 500;
    o->max_body = (size_t)4 << 20;
    o->max_headers = (size_t)64 << 10;
}

const char *rt_mock_address(const rt_mock *m)
{
    return m->addr;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t next_random(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void add_header(struct evhttp_request *req, const char *name, const char *value)
{
    evhttp_add_header(evhttp_request_get_output_headers(req), name, value);
}

static void add_header_i64(struct evhttp_request *req, const char *name, int64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%lld", (long long)v);
    add_header(req, name, s);
}

/* ---- calls: life cycle ---- */

static void on_timer(evutil_socket_t fd, short what, void *arg);

static mock_call *call_new(rt_mock *m, struct evhttp_request *req)
{
    mock_call *c = xcalloc(1, sizeof *c);
    c->m = m;
    c->req = req;
    mock_answer_init(&c->a);
    return c;
}

static void call_free(mock_call *c)
{
    if (c->timer) {
        if (c->prev)
            c->prev->next = c->next;
        else
            c->m->calls = c->next;
        if (c->next)
            c->next->prev = c->prev;
        event_free(c->timer);
    }
    mock_answer_release(&c->a);
    free(c);
}

static void unwatch(mock_call *c)
{
    if (c->evcon)
        evhttp_connection_set_closecb(c->evcon, NULL, NULL);
    c->evcon = NULL;
}

/* The client's connection closed while we hold its request. libevent either detached the
 * request (then it is ours and a reply frees it) or frees it with the connection right after
 * this returns. Clean up from a 0 ms timer, not inside libevent's teardown. */
static void on_close(struct evhttp_connection *evcon, void *arg)
{
    mock_call *c = arg;
    (void)evcon;
    c->evcon = NULL;
    c->gone = true;
    bool detached = c->req && evhttp_request_get_connection(c->req) == NULL;
    if (!detached)
        c->req = NULL;
    if (c->m->o->verbose)
        fprintf(stderr, "mock: client closed the connection (%s, request %s)\n",
                c->started ? "mid-stream" : "before the answer",
                detached ? "detached" : "freed by libevent");
    struct timeval zero = { 0, 0 };
    evtimer_add(c->timer, &zero);
}

static void arm(mock_call *c, long ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    evtimer_add(c->timer, &tv);
}

/* Replies to a request whose client is gone (frees a detached request) or that is dropped at
 * shutdown, and frees the call. */
static void call_drop(mock_call *c)
{
    unwatch(c);
    if (c->req) {
        if (c->started)
            evhttp_send_reply_end(c->req);
        else
            evhttp_send_reply(c->req, 503, "Service Unavailable", NULL);
        c->req = NULL;
    }
    call_free(c);
}

/* ---- replies ---- */

static void reply_full(mock_call *c)
{
    struct evhttp_request *req = c->req;
    add_header(req, "Content-Type", "application/json");
    evbuffer_add(evhttp_request_get_output_buffer(req), c->a.body.ptr ? c->a.body.ptr : "",
                 c->a.body.len);
    unwatch(c);
    evhttp_send_reply(req, c->a.status, c->a.reason, NULL);
    c->req = NULL;
}

static void stream_tick(mock_call *c)
{
    const mock_answer *a = &c->a;
    do {
        size_t from = c->tick ? a->marks[c->tick - 1] : 0;
        struct evbuffer *out = evbuffer_new();
        evbuffer_add(out, a->body.ptr + from, a->marks[c->tick] - from);
        evhttp_send_reply_chunk(c->req, out);
        evbuffer_free(out);
        c->tick++;
    } while (c->m->o->stream_delay_ms <= 0 && c->tick < a->nmarks);
    if (c->tick < a->nmarks) {
        arm(c, c->m->o->stream_delay_ms);
        return;
    }
    unwatch(c);
    evhttp_send_reply_end(c->req);
    c->req = NULL;
    call_free(c);
}

static void stream_start(mock_call *c)
{
    add_header(c->req, "Content-Type", "text/event-stream; charset=utf-8");
    add_header(c->req, "Cache-Control", "no-cache");
    evhttp_send_reply_start(c->req, 200, "OK");
    c->started = true;
    if (c->a.nmarks == 0) {
        call_drop(c);
        return;
    }
    stream_tick(c);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    mock_call *c = arg;
    (void)fd;
    (void)what;
    if (c->gone)
        call_drop(c);
    else if (c->started)
        stream_tick(c);
    else if (c->a.stream)
        stream_start(c);
    else {
        reply_full(c);
        call_free(c);
    }
}

/* ---- request handling ---- */

static const char *fail_code(int status, const char **message)
{
    switch (status) {
    case 500:
        *message = "The server had an error while processing your request. Sorry about that!";
        return "InternalServerError";
    case 502:
        *message = "Bad gateway.";
        return "BadGateway";
    case 503:
        *message = "The service is temporarily unable to process your request. Please try again "
                   "later.";
        return "ServiceUnavailable";
    case 504:
        *message = "The server did not answer in time.";
        return "GatewayTimeout";
    case 429:
        *message = "Too many requests (mock --fail-rate). Please retry after 1 second.";
        return "429";
    default:
        *message = "Mock failure (--fail-rate).";
        return "MockFailure";
    }
}

static void too_many(mock_call *c, const mock_request *q, bool tokens, int64_t retry_ms)
{
    int64_t secs = (retry_ms + 999) / 1000;
    char msg[512];
    snprintf(msg, sizeof msg,
             "Requests to the %s Operation under Azure OpenAI API version %s have exceeded %s "
             "rate limit of your current OpenAI S0 pricing tier. Please retry after %lld "
             "second%s. Please go here: https://aka.ms/oai/quotaincrease if you would like to "
             "further increase the default rate limit.",
             mock_api_op(q->route->api), q->api_version, tokens ? "token" : "call", (long long)secs,
             secs == 1 ? "" : "s");
    mock_answer_error(&c->a, 429, "429", NULL, msg);
    add_header_i64(c->req, "Retry-After", secs);
    add_header_i64(c->req, "retry-after-ms", retry_ms);
}

static void ratelimit_headers(rt_mock *m, struct evhttp_request *req)
{
    const rt_mock_opts *o = m->o;
    if (o->rpm > 0) {
        add_header_i64(req, "x-ratelimit-limit-requests", o->rpm);
        add_header_i64(req, "x-ratelimit-remaining-requests",
                       m->reqs.sum < o->rpm ? o->rpm - m->reqs.sum : 0);
    }
    if (o->tpm > 0) {
        add_header_i64(req, "x-ratelimit-limit-tokens", o->tpm);
        add_header_i64(req, "x-ratelimit-remaining-tokens",
                       m->toks.sum < o->tpm ? o->tpm - m->toks.sum : 0);
    }
}

/* Limits, then fault injection, then the answer. The request passed its checks. */
static void answer(rt_mock *m, mock_call *c, const mock_request *q)
{
    const rt_mock_opts *o = m->o;
    mock_answer_count(o->tokens, q, &c->a);
    int64_t now = now_ms();
    mock_window_advance(&m->reqs, now);
    mock_window_advance(&m->toks, now);
    int64_t cost = c->a.prompt_tokens + c->a.completion_tokens;
    if (o->rpm > 0 && m->reqs.sum + 1 > o->rpm)
        too_many(c, q, false, mock_window_retry_ms(&m->reqs, now, 1, o->rpm));
    else if (o->tpm > 0 && m->toks.sum + cost > o->tpm)
        too_many(c, q, true, mock_window_retry_ms(&m->toks, now, cost, o->tpm));
    else {
        mock_window_add(&m->reqs, now, 1);
        mock_window_add(&m->toks, now, cost);
        double u = (double)(next_random(&m->rng) >> 11) * 0x1.0p-53;
        if (u < o->fail_rate) {
            const char *message;
            const char *code = fail_code(o->fail_status, &message);
            mock_answer_error(&c->a, o->fail_status, code, NULL, message);
            if (o->fail_status == 429 || o->fail_status == 503) {
                add_header(c->req, "Retry-After", "1");
                add_header(c->req, "retry-after-ms", "1000");
            }
        } else {
            mock_answer_build(o->tokens, q, &c->a);
        }
    }
    ratelimit_headers(m, c->req);
}

static void request_ids(rt_mock *m, struct evhttp_request *req)
{
    uint64_t x = m->o->seed ^ (m->seq * 0x2545f4914f6cdd1dULL);
    uint64_t a = next_random(&x), b = next_random(&x);
    char id[40];
    snprintf(id, sizeof id, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             (unsigned)((b >> 48) & 0x3fff) | 0x8000, (unsigned long long)(b & 0xffffffffffffULL));
    add_header(req, "x-request-id", id);
    add_header(req, "apim-request-id", id);
    add_header(req, "x-ms-region", "mock");
    const char *client_id =
        evhttp_find_header(evhttp_request_get_input_headers(req), "x-ms-client-request-id");
    if (client_id)
        add_header(req, "x-ms-client-request-id", client_id);
}

static void api_version(struct evhttp_request *req, char *out, size_t cap)
{
    snprintf(out, cap, "2024-10-21");
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
    struct evkeyvalq params;
    if (!query || evhttp_parse_query_str(query, &params) < 0)
        return;
    const char *v = evhttp_find_header(&params, "api-version");
    if (v && strlen(v) < cap)
        snprintf(out, cap, "%s", v);
    evhttp_clear_headers(&params);
}

/* The Azure instance metadata service's token endpoint, for running policies that use
 * authentication-managed-identity offline (APIMLITE_IDENTITY_ENDPOINT=http://MOCK/metadata/
 * identity/oauth2/token): like IMDS it wants GET, "Metadata: true" and a resource. */
static void identity_token(struct evhttp_request *req, mock_answer *a)
{
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
    struct evkeyvalq params;
    bool parsed = query && evhttp_parse_query_str(query, &params) == 0;
    const char *resource = parsed ? evhttp_find_header(&params, "resource") : NULL;
    const char *md = evhttp_find_header(evhttp_request_get_input_headers(req), "Metadata");
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
        mock_answer_error(a, 405, "405", NULL, "Method not allowed");
    } else if (!md || strcmp(md, "true") != 0) {
        a->status = 400;
        buf_puts(&a->body, "{\"error\":\"invalid_request\",\"error_description\":\"Required "
                           "metadata header not specified\"}");
    } else if (!resource || !*resource) {
        a->status = 400;
        buf_puts(&a->body, "{\"error\":\"invalid_resource\",\"error_description\":\"The "
                           "resource parameter is required\"}");
    } else {
        json_t *j = json_pack("{s:s+, s:s, s:s, s:s, s:s}", "access_token",
                              "mock-mi-token:", resource, "expires_in", "3599", "expires_on", "",
                              "resource", resource, "token_type", "Bearer");
        char on[32];
        snprintf(on, sizeof on, "%lld", (long long)time(NULL) + 3599);
        if (j)
            json_object_set_new(j, "expires_on", json_string(on));
        char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (text)
            buf_puts(&a->body, text);
        else
            mock_answer_error(a, 500, "500", NULL, "out of memory");
        free(text);
        json_decref(j);
    }
    if (parsed)
        evhttp_clear_headers(&params);
}

static void handle(rt_mock *m, mock_call *c)
{
    struct evhttp_request *req = c->req;
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    mock_route route;
    if (!path || mock_route_parse(path, &route) < 0) {
        mock_answer_error(&c->a, 404, "404", NULL, "Resource not found");
        return;
    }
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (route.api == MOCK_API_HEALTH) {
        if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD)
            mock_answer_error(&c->a, 405, "405", NULL, "Method not allowed");
        else
            buf_puts(&c->a.body, "{\"status\":\"ok\"}");
        return;
    }
    if (route.api == MOCK_API_IDENTITY) {
        identity_token(req, &c->a);
        return;
    }
    if (cmd != EVHTTP_REQ_POST) {
        mock_answer_error(&c->a, 405, "405", NULL, "Method not allowed");
        return;
    }
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    const char *data = len ? (const char *)evbuffer_pullup(in, -1) : "";
    json_error_t jerr;
    json_t *body = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    char version[32];
    api_version(req, version, sizeof version);
    mock_request q = { .route = &route,
                       .body = body,
                       .api_version = version,
                       .id = m->seq,
                       .created = (int64_t)time(NULL) };
    if (!body) {
        char msg[320];
        snprintf(msg, sizeof msg, "We could not parse the JSON body of your request: %s",
                 jerr.text);
        mock_answer_error(&c->a, 400, "invalid_request_error", "invalid_request_error", msg);
        return;
    }
    if (mock_request_check(&q, &c->a) == 0)
        answer(m, c, &q);
    json_decref(body);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    rt_mock *m = arg;
    m->seq++;
    mock_call *c = call_new(m, req);
    request_ids(m, req);
    handle(m, c);
    if (m->o->verbose)
        fprintf(stderr, "mock: %s -> %d%s (%lld+%lld tokens)\n", evhttp_request_get_uri(req),
                c->a.status, c->a.stream ? " stream" : "", (long long)c->a.prompt_tokens,
                (long long)c->a.completion_tokens);
    if (m->o->latency_ms <= 0 && !c->a.stream) {
        reply_full(c);
        call_free(c);
        return;
    }
    c->timer = evtimer_new(m->base, on_timer, c);
    c->next = m->calls;
    if (m->calls)
        m->calls->prev = c;
    m->calls = c;
    c->evcon = evhttp_request_get_connection(req);
    if (c->evcon)
        evhttp_connection_set_closecb(c->evcon, on_close, c);
    arm(c, m->o->latency_ms > 0 ? m->o->latency_ms : 0);
}

/* ---- server ---- */

/* Splits "HOST:PORT", "[V6]:PORT", ":PORT" (all interfaces) or "PORT". */
static int split_listen(const char *s, char *host, size_t hcap, int *port)
{
    const char *colon = strrchr(s, ':');
    const char *p = colon ? colon + 1 : s;
    char *end;
    long v = strtol(p, &end, 10);
    if (!*p || *end || v < 0 || v > 65535)
        return -1;
    *port = (int)v;
    if (!colon) {
        snprintf(host, hcap, "127.0.0.1");
        return 0;
    }
    size_t n = (size_t)(colon - s);
    if (n == 0) {
        snprintf(host, hcap, "0.0.0.0");
        return 0;
    }
    if (s[0] == '[') {
        if (n < 3 || s[n - 1] != ']')
            return -1;
        s++;
        n -= 2;
    }
    if (n >= hcap)
        return -1;
    memcpy(host, s, n);
    host[n] = '\0';
    return 0;
}

static int bound_port(struct evhttp_bound_socket *h)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(evhttp_bound_socket_get_fd(h), (struct sockaddr *)&ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

rt_mock *rt_mock_new(struct event_base *base, const rt_mock_opts *o, char *err, size_t errlen)
{
    char host[64];
    int port;
    if (!o->listen || split_listen(o->listen, host, sizeof host, &port) < 0) {
        snprintf(err, errlen, "invalid listen address '%s' (expected HOST:PORT)",
                 o->listen ? o->listen : "");
        return NULL;
    }
    if (o->fail_rate < 0 || o->fail_rate > 1 || o->fail_status < 100 || o->fail_status > 599 ||
        o->tpm < 0 || o->rpm < 0 || o->latency_ms < 0 || o->stream_delay_ms < 0) {
        snprintf(err, errlen, "invalid option value");
        return NULL;
    }
    rt_mock *m = xcalloc(1, sizeof *m);
    m->base = base;
    m->o = o;
    m->rng = o->seed;
    m->http = evhttp_new(base);
    if (!m->http) {
        snprintf(err, errlen, "cannot create the HTTP server");
        free(m);
        return NULL;
    }
    evhttp_set_max_body_size(m->http, (ev_ssize_t)o->max_body);
    evhttp_set_max_headers_size(m->http, (ev_ssize_t)o->max_headers);
    evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
                                            EVHTTP_REQ_OPTIONS);
    evhttp_set_gencb(m->http, on_request, m);
    struct evhttp_bound_socket *h = evhttp_bind_socket_with_handle(m->http, host, (uint16_t)port);
    int got = h ? bound_port(h) : -1;
    if (got < 0) {
        snprintf(err, errlen, "cannot listen on %s:%d", host, port);
        rt_mock_free(m);
        return NULL;
    }
    snprintf(m->addr, sizeof m->addr, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, got);
    return m;
}

void rt_mock_free(rt_mock *m)
{
    if (!m)
        return;
    while (m->calls)
        call_drop(m->calls);
    if (m->http)
        evhttp_free(m->http);
    free(m);
}
