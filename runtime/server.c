/* `apimlite serve`: the evhttp front end over the gateway world (server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../policy/policy.h"
#include "base/xalloc.h"
#include "counters_redis.h"
#include "identity.h"
#include "pipeline.h"
#include "policies/oidc.h"
#include "server_impl.h"

#define SRV_STATE_EVERY_MS 5000 /* written only when a quota counter changed */
#define SRV_MAX_WORKERS    256
#define SRV_MAX_HEADERS    (64 << 10)
#define SRV_MAX_BODY       (16 << 20)

/* workers: set by worker 0's signal handler (1: drain, 2: stop now), watched by the others */
static _Atomic int srv_stop;

/* ---- request bookkeeping ---- */

static void link_req(srv *s, srv_req *q)
{
    q->next = s->inflight;
    if (s->inflight)
        s->inflight->prev = q;
    s->inflight = q;
    s->ninflight++;
}

static void unlink_req(srv *s, srv_req *q)
{
    if (q->prev)
        q->prev->next = q->next;
    else
        s->inflight = q->next;
    if (q->next)
        q->next->prev = q->prev;
    s->ninflight--;
}

static void maybe_stop(srv *s)
{
    if (s->draining && s->ninflight == 0) {
        struct timeval tv = { 0, 100000 }; /* let the last replies reach the sockets */
        event_base_loopexit(s->base, &tv);
    }
}

static void free_req(srv_req *q)
{
    srv *s = q->s;
    unlink_req(s, q);
    srv_conn_end(q);
    rt_req_free(q->r);
    srv_world_drop(s, q->sw); /* may free a configuration replaced by a reload */
    free(q);
    maybe_stop(s);
}

static void on_free_later(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    srv_req *q = arg;
    /* an operation still pending (a timer, a call) keeps the request until it completes; after
     * 30 s it is released anyway (the arena cancels calls still in flight) */
    if (q->r->pending > 0 && q->free_tries++ < 600) {
        struct timeval tv = { 0, 50000 };
        event_base_once(q->s->base, -1, EV_TIMEOUT, on_free_later, q, &tv);
        return;
    }
    free_req(q);
}

/* ---- the reply ---- */

static void reply(srv_req *q)
{
    rt_req *r = q->r;
    const rt_response *resp = &r->ctx->response;
    struct evkeyvalq *out = evhttp_request_get_output_headers(q->ev);
    rt_hdr *lines = NULL;
    size_t n = 0;
    if (rt_hdr_lines(r, resp->headers, &lines, &n) < 0)
        n = 0;
    if (srv_refuse_bad_headers(q, lines, n)) {
        q->replied = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (srv_hop_by_hop(lines[i].name))
            continue;
        char *k = arena_strndup(&r->arena, lines[i].name.ptr, lines[i].name.len);
        char *v = arena_strndup(&r->arena, lines[i].value.ptr, lines[i].value.len);
        if (k && v)
            evhttp_add_header(out, k, v);
    }
    if (q->s->draining)
        evhttp_add_header(out, "Connection", "close");
    struct evbuffer *body = evbuffer_new();
    str b = rt_body_bytes(resp->body);
    if (body && b.len)
        evbuffer_add(body, b.ptr, b.len);
    int status = resp->status >= 100 && resp->status <= 999 ? resp->status : 500;
    char *reason = resp->reason.len && srv_clean_text(resp->reason)
                       ? arena_strndup(&r->arena, resp->reason.ptr, resp->reason.len)
                       : NULL;
    evhttp_send_reply(q->ev, status, reason, body);
    if (body)
        evbuffer_free(body);
    q->replied = true;
}

static void on_finish(rt_req *r, void *ud)
{
    srv_req *q = ud;
    srv *s = q->s;
    q->finished = true;
    if (q->streaming) {
        /* the relayed reply ends here, also after a backend that died mid-stream */
        if (r->failed)
            fprintf(stderr, "apimlite serve: streamed response ended early: %.*s: %.*s\n",
                    STR_FMT(r->err.reason), STR_FMT(r->err.message));
        srv_relay_stop(q);
        evhttp_send_reply_end(q->ev);
    } else {
        reply(q);
    }
    if (s->log) {
        rt_reqlog_info info = { .backend_ms = q->backend_ms,
                                .streamed = q->streaming,
                                .stream_body = q->streaming ? r->relayed_body : STR_NULL,
                                .status = q->streaming ? q->relay_status : 0,
                                .ip = q->ip,
                                .payload_bytes =
                                    (size_t)rt_gw_config(r->w->gateway)->log_payload_bytes,
                                .backend_url = q->backend_url,
                                .backend_id = q->backend_id };
        rt_reqlog_append(s->log, r, &info);
    }
    srv_metrics_request(s, r, srv_now_us() - q->start_us);
    struct timeval tv = { 0, 0 };
    event_base_once(s->base, -1, EV_TIMEOUT, on_free_later, q, &tv);
}

/* ---- world hooks: Host, backend timing, metrics ---- */

srv_req *srv_req_of(rt_req *r)
{
    return r->on_finish == on_finish ? r->on_finish_ud : NULL;
}

static int srv_prepare_call(rt_req *r, rt_http_req *hr)
{
    srv_req *q = srv_req_of(r);
    if (!q)
        return 0;
    if (q->s->gw_prepare && q->s->gw_prepare(r, hr) < 0)
        return -1;
    /* the client's Host is the gateway's: the backend gets its own (from the URL) */
    rt_hdr *h = arena_alloc(&r->arena, (hr->nheaders ? hr->nheaders : 1) * sizeof *h);
    if (!h)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < hr->nheaders; i++) {
        if (str_ieq(hr->headers[i].name, STR_LIT("Host")) && str_eq(hr->headers[i].value, q->host))
            continue;
        h[n++] = hr->headers[i];
    }
    hr->headers = h;
    hr->nheaders = n;
    q->call_start = rt_clock_now(r->w->clock);
    q->call_start_us = srv_now_us();
    q->backend_url = rt_req_url_text(r, r->ctx->request.url); /* no credentials in it */
    q->backend_id = hr->backend_id;
    return 0;
}

static void srv_call_result(rt_req *r, str backend_id, rt_tx_result res, const rt_http_resp *resp)
{
    srv_req *q = srv_req_of(r);
    if (!q)
        return;
    if (q->s->gw_result)
        q->s->gw_result(r, backend_id, res, resp);
    int64_t ms = rt_clock_now(r->w->clock) - q->call_start;
    q->backend_ms += ms > 0 ? ms : 0;
    srv_metrics_call(q->s, backend_id, res, res == RT_TX_OK && resp ? resp->status : 0,
                     srv_now_us() - q->call_start_us);
}

void srv_bind_world(srv *s, rt_world *w, rt_gw *gw)
{
    rt_gw_bind(gw, w);
    if (s->nworkers > 1)
        srv_lock_gw_hooks(w); /* breaker / pool state is shared by the workers */
    s->gw_prepare = w->prepare_call;
    s->gw_result = w->call_result;
    w->prepare_call = srv_prepare_call;
    w->call_result = srv_call_result;
}

/* ---- one request ---- */

static bool valid_host(const char *h)
{
    if (!*h || strlen(h) > 255)
        return false;
    for (const char *p = h; *p; p++) {
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_", *p))
            return false;
    }
    return true;
}

/* The request as rt_gw_new_request_in wants it: names and values point into ev (the call
 * copies them); hdrs has room for nhdrs lines. 0, or -1 with *why on a bad request target. */
static int request_in(srv_req *q, rt_gw_in *in, rt_hdr *hdrs, size_t nhdrs, const char **why)
{
    struct evhttp_request *ev = q->ev;
    const char *method = srv_method_name(evhttp_request_get_command(ev));
    const char *uri = evhttp_request_get_uri(ev);
    struct evkeyvalq *kvs = evhttp_request_get_input_headers(ev);
    const char *host = evhttp_find_header(kvs, "Host");
    /* absolute-form (RFC 9112 §3.2.2: a server MUST accept it): routed by its path (the
     * Host header still names the host) */
    if (uri && (!strncasecmp(uri, "http://", 7) || !strncasecmp(uri, "https://", 8))) {
        const char *auth = strstr(uri, "//") + 2;
        size_t alen = strcspn(auth, "/?#");
        uri = auth[alen] == '/' ? auth + alen : NULL;
    }
    if (!method || !uri || uri[0] != '/') {
        *why = "Bad request target";
        return -1;
    }
    /* several Content-Length lines: libevent read the body by the first; a front proxy that
     * reads by another would see a different request (request smuggling): refused */
    int ncl = 0;
    for (struct evkeyval *kv = kvs->tqh_first; kv; kv = kv->next.tqe_next)
        ncl += !strcasecmp(kv->key, "Content-Length");
    if (ncl > 1) {
        *why = "Several Content-Length headers";
        return -1;
    }
    if (!host || !valid_host(host))
        host = q->s->addr;
    size_t n = 0;
    for (struct evkeyval *kv = kvs->tqh_first; kv && n < nhdrs; kv = kv->next.tqe_next)
        hdrs[n++] = (rt_hdr){ str_from(kv->key), str_from(kv->value) };
    *in = (rt_gw_in){ .method = str_from(method),
                      .scheme = STR_LIT("http"),
                      .host = str_from(host),
                      .target = str_from(uri),
                      .ip = str_from(q->ip),
                      .headers = hdrs,
                      .nheaders = n };
    return 0;
}

static size_t header_count(struct evhttp_request *ev)
{
    size_t n = 0;
    struct evkeyvalq *kvs = evhttp_request_get_input_headers(ev);
    for (struct evkeyval *kv = kvs->tqh_first; kv; kv = kv->next.tqe_next)
        n++;
    return n;
}

/* RAND_bytes output, drawn 4 KiB at a time per worker thread (one call per 170 requests) */
static _Thread_local uint8_t rand_pool[4096];
static _Thread_local size_t rand_left;

static int pool_bytes(void *out, size_t n)
{
    if (rand_left < n) {
        if (RAND_bytes(rand_pool, sizeof rand_pool) != 1)
            return -1;
        rand_left = sizeof rand_pool;
    }
    memcpy(out, rand_pool + sizeof rand_pool - rand_left, n);
    memset(rand_pool + sizeof rand_pool - rand_left, 0, n); /* used once */
    rand_left -= n;
    return 0;
}

static void random_ids(rt_req *r)
{
    uint8_t id[16];
    uint64_t seed;
    if (pool_bytes(id, sizeof id) < 0 || pool_bytes(&seed, sizeof seed) < 0)
        return;
    id[7] = (uint8_t)((id[7] & 0x0f) | 0x40);
    id[8] = (uint8_t)((id[8] & 0x3f) | 0x80);
    memcpy(r->ctx->request_id, id, 16);
    r->ctx->prng = seed;
}

static void on_request(struct evhttp_request *ev, void *arg)
{
    srv *s = arg;
    srv_req *q = xcalloc(1, sizeof *q);
    q->s = s;
    q->ev = ev;
    q->start_us = srv_now_us();
    struct evhttp_connection *conn = evhttp_request_get_connection(ev);
    char *peer = NULL;
    ev_uint16_t port = 0;
    if (conn)
        evhttp_connection_get_peer(conn, &peer, &port);
    snprintf(q->ip, sizeof q->ip, "%s", peer ? peer : "0.0.0.0");
    srv_conn_begin(q);
    if (srv_header_bytes(ev) > (s->o->max_headers ? s->o->max_headers : SRV_MAX_HEADERS)) {
        srv_refuse(q, 431, "RequestHeaderFieldsTooLarge", "Request header fields too large");
        return;
    }
    const char *why = NULL;
    rt_hdr stack[64];
    size_t nh = header_count(ev);
    rt_hdr *hdrs = nh <= 64 ? stack : xmalloc(nh * sizeof *hdrs);
    rt_gw_in in;
    char err[256];
    srv_world *sw = srv_world_take(s);
    rt_req *r = request_in(q, &in, hdrs, nh, &why) == 0
                    ? rt_gw_new_request_in(srv_gen_gw(sw->gen), &sw->w, &in, err, sizeof err)
                    : NULL;
    if (hdrs != stack)
        free(hdrs);
    if (!r) {
        srv_world_drop(s, sw);
        srv_refuse(q, 400, "BadRequest", why ? why : err);
        return;
    }
    q->sw = sw;
    q->r = r;
    const char *host = evhttp_find_header(evhttp_request_get_input_headers(ev), "Host");
    char *hc = host ? arena_strdup(&r->arena, host) : NULL;
    q->host = hc ? str_from(hc) : STR_NULL;
    random_ids(r);
    struct evbuffer *body = evhttp_request_get_input_buffer(ev);
    size_t blen = body ? evbuffer_get_length(body) : 0;
    if (blen) {
        const char *p = (const char *)evbuffer_pullup(body, -1);
        r->ctx->request.body = p ? rt_body_new(r, str_make(p, blen), STR_NULL) : NULL;
    }
    link_req(s, q);
    r->on_finish = on_finish;
    r->on_finish_ud = q;
    if (r->failed)
        rt_pipeline_start_failed(r);
    else
        rt_pipeline_start(r);
}

/* ---- shutdown, periodic work ---- */

static void save_state(srv *s)
{
    if (!s->state_path)
        return;
    char err[256];
    if (rt_counter_save(s->local, s->state_path, rt_clock_now(s->w.clock), err, sizeof err) < 0)
        fprintf(stderr, "apimlite serve: %s\n", err);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    srv *s = arg;
    if (s->log)
        rt_reqlog_flush(s->log);
    int64_t now = rt_clock_now(s->w.clock);
    if (now - s->last_save_ms >= SRV_STATE_EVERY_MS) {
        s->last_save_ms = now;
        save_state(s);
    }
}

/* Requests still in flight at the deadline: a 503 (a streamed reply is ended), then released
 * (the arena cancels their backend calls). */
static void abort_inflight(srv *s, bool all)
{
    srv_req *next;
    for (srv_req *q = s->inflight; q; q = next) {
        next = q->next;
        if (q->finished && !all)
            continue; /* on_free_later (still scheduled) releases it */
        if (q->streaming && !q->client_gone)
            evhttp_send_reply_end(q->ev);
        else if (!q->replied && !q->streaming)
            srv_reply_error(q->ev, 503, "The gateway is shutting down");
        q->r->on_finish = NULL;
        unlink_req(s, q);
        rt_req_free(q->r);
        srv_world_drop(s, q->sw);
        free(q);
    }
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    srv *s = arg;
    fprintf(stderr, "apimlite serve: %zu request(s) still in flight at the shutdown deadline\n",
            s->ninflight);
    abort_inflight(s, false);
    struct timeval flush = { 0, 200000 }; /* let the 503s reach their clients */
    event_base_loopexit(s->base, &flush);
}

static void start_drain(srv *s)
{
    s->draining = true;
    if (s->bound) {
        evhttp_del_accept_socket(s->http, s->bound); /* stop accepting */
        s->bound = NULL;
    }
    int64_t ms = s->o->drain_ms > 0 ? s->o->drain_ms : 10000;
    struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
    s->deadline = evtimer_new(s->base, on_deadline, s);
    if (s->deadline)
        evtimer_add(s->deadline, &tv);
    maybe_stop(s);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    srv *s = arg;
    if (s->draining) {
        srv_stop = 2;
        event_base_loopbreak(s->base); /* second signal: stop now */
        return;
    }
    fprintf(stderr, "apimlite serve: %s: shutting down (%zu in flight)\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT", s->ninflight);
    srv_stop = 1;
    start_drain(s);
}

static void on_sighup(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    srv_reload(arg);
}

/* workers > 0: follow worker 0's shutdown and reloads */
static void on_watch(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    srv *s = arg;
    if (!s->draining)
        srv_sync(s); /* an idle worker lets go of a replaced configuration too */
    int stop = srv_stop;
    if (stop == 2)
        event_base_loopbreak(s->base);
    else if (stop == 1 && !s->draining)
        start_drain(s);
}

/* ---- setup ---- */

static int guard_accept(srv *s, char *err, size_t errlen)
{
    if (srv_guard_accept(s) == 0)
        return 0;
    snprintf(err, errlen, "cannot set up the event loop");
    return -1;
}

static int bind_listen(srv *s, char *err, size_t errlen)
{
    char host[64];
    int port = 0;
    char spec[80];
    if (s->o->listen)
        snprintf(spec, sizeof spec, "%s", s->o->listen);
    else if (s->cfg->listen.set)
        snprintf(spec, sizeof spec, "%.*s:%d", STR_FMT(s->cfg->listen.host), s->cfg->listen.port);
    else
        snprintf(spec, sizeof spec, "127.0.0.1:8080");
    if (srv_split_addr(spec, host, sizeof host, &port) < 0) {
        snprintf(err, errlen, "invalid listen address '%s'", spec);
        return -1;
    }
    s->http = evhttp_new(s->base);
    if (!s->http) {
        snprintf(err, errlen, "cannot create the HTTP server");
        return -1;
    }
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_max_body_size(s->http, (ev_ssize_t)(s->o->max_body ? s->o->max_body : SRV_MAX_BODY));
    /* twice the limit: on_request answers 431 itself up to there, libevent (413) beyond */
    evhttp_set_max_headers_size(
        s->http, (ev_ssize_t)(2 * (s->o->max_headers ? s->o->max_headers : SRV_MAX_HEADERS)));
    if (srv_conns_serve(s) < 0) {
        snprintf(err, errlen, "cannot set up the event loop");
        return -1;
    }
    evhttp_set_timeout(s->http, s->o->client_timeout_s > 0 ? s->o->client_timeout_s : 120);
    evhttp_set_gencb(s->http, on_request, s);
    if (s->nworkers > 1) {
        /* every worker binds the same port with SO_REUSEPORT (port 0: the one worker 0 got) */
        if (s->worker > 0) {
            const char *colon = strrchr(s->peer0->addr, ':');
            port = colon ? atoi(colon + 1) : port;
        }
        s->bound = srv_bind_reuseport(s->http, s->base, host, port, err, errlen);
        if (!s->bound)
            return -1;
        srv_bound_addr(s->bound, s->addr, sizeof s->addr);
        return guard_accept(s, err, errlen);
    }
    s->bound =
        evhttp_bind_socket_with_handle(s->http, host[0] ? host : "0.0.0.0", (ev_uint16_t)port);
    if (!s->bound) {
        snprintf(err, errlen, "cannot listen on %s: %s", spec, strerror(errno));
        return -1;
    }
    srv_bound_addr(s->bound, s->addr, sizeof s->addr);
    return guard_accept(s, err, errlen);
}

static void redis_log(void *ud, const char *msg)
{
    (void)ud;
    fprintf(stderr, "apimlite serve: %s\n", msg);
}

/* The memory store (persisted to state:), and the Redis store over it when configured. */
static int setup_counters(srv *s, char *err, size_t errlen)
{
    const rt_config *c = s->cfg;
    if (s->worker > 0) {
        s->local = s->counters = s->peer0->local; /* mutex-protected, shared */
    } else {
        s->local = rt_counter_mem_new(0);
        s->counters = s->local;
    }
    if (s->worker == 0 && c->state_path) {
        s->state_path = xstrdup(c->state_path);
        if (rt_counter_load(s->local, s->state_path, rt_clock_now(s->w.clock), err, errlen) < 0)
            return -1;
    }
    if (c->counters != RT_COUNTERS_REDIS)
        return 0;
    char *url = xmalloc(c->redis_url.len + 1);
    memcpy(url, c->redis_url.ptr, c->redis_url.len);
    url[c->redis_url.len] = '\0';
    rt_counter_redis_opts ro = { .log = redis_log };
    char why[256] = "";
    s->counters = rt_counter_redis_new(s->base, url, s->local, &ro, why, sizeof why);
    free(url);
    if (!s->counters) {
        s->counters = s->local;
        snprintf(err, errlen, "counters: %s", why);
        return -1;
    }
    return 0;
}

static int setup(srv *s, char *err, size_t errlen)
{
    const rt_config *c = s->cfg;
    if (setup_counters(s, err, errlen) < 0)
        return -1;
    s->idp = rt_idp_new(s->w.transport, s->w.clock, NULL);
    s->oidc = rt_oidc_cache_new();
    if (s->worker > 0) {
        /* the shared stores are worker 0's (each one thread-safe) */
        s->obs = s->peer0->obs;
        s->log = s->peer0->log;
    } else {
        s->obs = rt_observe_new(false);
        if (rt_observe_configure(s->obs, c, err, errlen) < 0)
            return -1;
        srv_metrics_declare(s->obs->metrics);
        if (c->log_path && !(s->log = rt_reqlog_open(c->log_path, err, errlen)))
            return -1;
    }
    s->w.counters = s->counters;
    s->w.obs = s->obs;
    s->w.oidc = s->oidc;
    s->w.idp = rt_idp_identity(s->idp);
    srv_sync(s); /* the world over the published configuration */
    s->cfg = c;  /* the startup settings, until setup is over */
    if (bind_listen(s, err, errlen) < 0)
        return -1;
    if (s->worker > 0) {
        s->watch = event_new(s->base, -1, EV_PERSIST, on_watch, s);
        struct timeval iv = { 0, 50000 };
        if (!s->watch || evtimer_add(s->watch, &iv) < 0) {
            snprintf(err, errlen, "cannot set up the event loop");
            return -1;
        }
        s->cfg = s->cur->w.gateway ? rt_gw_config(s->cur->w.gateway) : c;
        return 0;
    }
    if (srv_metrics_listen(s, err, errlen) < 0)
        return -1;
    s->sigterm = evsignal_new(s->base, SIGTERM, on_signal, s);
    s->sigint = evsignal_new(s->base, SIGINT, on_signal, s);
    s->sighup = evsignal_new(s->base, SIGHUP, on_sighup, s);
    s->tick = event_new(s->base, -1, EV_PERSIST, on_tick, s);
    struct timeval sec = { 1, 0 };
    if (!s->sigterm || !s->sigint || !s->sighup || !s->tick || evsignal_add(s->sigterm, NULL) < 0 ||
        evsignal_add(s->sigint, NULL) < 0 || evsignal_add(s->sighup, NULL) < 0 ||
        evtimer_add(s->tick, &sec) < 0) {
        snprintf(err, errlen, "cannot set up the event loop");
        return -1;
    }
    s->last_save_ms = rt_clock_now(s->w.clock);
    s->cfg = rt_gw_config(s->cur->w.gateway);
    return 0;
}

static void teardown(srv *s)
{
    abort_inflight(s, true);
    srv_worlds_free(s);
    if (s->local && s->worker == 0)
        save_state(s);
    if (s->worker == 0)
        rt_reqlog_close(s->log);
    if (s->watch)
        event_free(s->watch);
    if (s->sigterm)
        event_free(s->sigterm);
    if (s->sigint)
        event_free(s->sigint);
    if (s->sighup)
        event_free(s->sighup);
    if (s->tick)
        event_free(s->tick);
    if (s->deadline)
        event_free(s->deadline);
    if (s->accept_pause) {
        srv_unguard_accept(s);
        event_free(s->accept_pause);
    }
    if (s->http)
        evhttp_free(s->http);
    srv_conns_free(s);
    if (s->chunk)
        evbuffer_free(s->chunk);
    if (s->mhttp)
        evhttp_free(s->mhttp);
    rt_idp_free(s->idp); /* cancels its fetches: before the transport */
    rt_curl_free(s->curl);
    rt_evclock_free(s->clock);
    rt_oidc_cache_free(s->oidc);
    if (s->counters != s->local)
        rt_counter_store_free(s->counters); /* Redis, before its fallback and the base */
    if (s->worker == 0) {                   /* the shared parts: every other worker is gone */
        rt_counter_store_free(s->local);
        if (s->obs)
            rt_observe_free(s->obs);
        free(s->state_path);
    }
    /* events of freed requests (on_free_later) are gone with the base */
    event_base_free(s->base);
}

/* Creates worker s's loop, transport and clock, then sets it up. */
static int start_worker(srv *s, char *err, size_t errlen)
{
    /* epoll's changelist: the interest changes of one loop turn (evhttp turns reading off
     * while a request is in the gateway and on again, with writing, for its reply) are
     * applied once, merged, at the next epoll_wait. The changelist is unsafe only for
     * dup()ed descriptors, which the server does not use. */
    struct event_config *ec = event_config_new();
    if (ec && event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) == 0)
        s->base = event_base_new_with_config(ec);
    if (ec)
        event_config_free(ec);
    if (!s->base)
        s->base = event_base_new();
    s->curl = s->base ? rt_curl_new(s->base, NULL) : NULL;
    s->clock = s->base ? rt_evclock_new(s->base) : NULL;
    if (!s->base || !s->curl || !s->clock) {
        snprintf(err, errlen, "cannot create the event loop or the transport");
        return -1;
    }
    s->w.clock = rt_evclock_clock(s->clock);
    s->w.transport = rt_curl_transport(s->curl);
    s->w.relay = &srv_relay; /* stream: streamed responses are relayed */
    return setup(s, err, errlen);
}

int rt_server_run(const rt_server_opts *o, FILE *out)
{
    diag_list d;
    diag_list_init(&d);
    int io = 0;
    rt_gw *gw = rt_gw_load(o->config, NULL, &d, &io);
    diag_print(&d, stderr);
    diag_list_release(&d);
    if (!gw)
        return io ? 2 : 1;
    const rt_config *cfg = rt_gw_config(gw);
    char err[512] = "";
    if (srv_gen_start(gw, err, sizeof err) < 0) {
        fprintf(stderr, "apimlite serve: %s\n", err);
        rt_gw_free(gw);
        return 1;
    }
    SSL_CTX *tls = NULL; /* one context for every worker */
    if (cfg->tls.set && !(tls = srv_tls_new(cfg, err, sizeof err))) {
        fprintf(stderr, "%s\n", err);
        srv_gen_end();
        return 1;
    }
    int n =
        cfg->workers > 1 ? (cfg->workers < SRV_MAX_WORKERS ? cfg->workers : SRV_MAX_WORKERS) : 1;
    srv *ws = xcalloc((size_t)n, sizeof *ws);
    int rc = 0, started = 0;
    srv_stop = 0;
    for (int i = 0; i < n; i++) {
        ws[i] =
            (srv){ .o = o, .cfg = cfg, .worker = i, .nworkers = n, .peer0 = &ws[0], .tls = tls };
        if (start_worker(&ws[i], err, sizeof err) < 0) {
            fprintf(stderr, "apimlite serve: %s\n", err);
            rc = 2;
            break;
        }
    }
    for (int i = 1; !rc && i < n; i++) {
        if (srv_start_thread(&ws[i]) < 0) {
            fprintf(stderr, "apimlite serve: cannot start worker thread %d\n", i);
            srv_stop = 2; /* the started ones stop at once */
            rc = 2;
            break;
        }
        started = i;
    }
    if (!rc) {
        fprintf(out, "listening on %s\n", ws[0].addr);
        if (ws[0].mhttp)
            fprintf(out, "metrics on %s\n", ws[0].maddr);
        fflush(out);
        if (event_base_dispatch(ws[0].base) < 0)
            rc = 2;
    }
    if (srv_stop == 0)
        srv_stop = 2; /* worker 0 stopped without a signal: the others follow */
    for (int i = 1; i <= started; i++) {
        srv_join_thread(&ws[i]);
        if (ws[i].failed)
            rc = 2;
    }
    for (int i = n - 1; i >= 0; i--) {
        if (ws[i].base)
            teardown(&ws[i]);
    }
    free(ws);
    srv_tls_free(tls);
    srv_gen_end(); /* frees the gateway: every world is gone */
    pol_shutdown();
    return rc;
}
