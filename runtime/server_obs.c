/* `apimlite serve`: request and backend metrics, the /metrics endpoint, addresses. */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "backends_view.h"
#include "server_impl.h"
#include "world_gw.h" /* rt_gw.bk: the breaker registry of the configuration serving */

/* seconds, Prometheus style, from microsecond measurements (issue 4: sub-millisecond
 * gateway latencies were all in the first bucket) */
static const double latency_bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                         0.5,    1,     2.5,    5,     10,   30,    60,   120 };
#define NBOUNDS (sizeof latency_bounds / sizeof latency_bounds[0])

void srv_metrics_declare(rt_metrics *m)
{
    rt_metrics_declare(m, "apimlite_requests_total", RT_METRIC_COUNTER,
                       "Requests answered, by API, operation and response status", NULL, 0);
    rt_metrics_declare(m, "apimlite_request_duration_seconds", RT_METRIC_HISTOGRAM,
                       "Total time of a request in the gateway", latency_bounds, NBOUNDS);
    rt_metrics_declare(m, "apimlite_backend_duration_seconds", RT_METRIC_HISTOGRAM,
                       "Time of one backend call", latency_bounds, NBOUNDS);
    rt_metrics_declare(m, "apimlite_client_errors_total", RT_METRIC_COUNTER,
                       "Client errors answered or cut before a request reached the gateway's "
                       "pipeline (malformed or oversize requests, slow clients), by status and "
                       "reason",
                       NULL, 0);
    rt_metrics_declare(m, "apimlite_backend_attempts_total", RT_METRIC_COUNTER,
                       "Backend calls, by backend and result (HTTP status or transport failure)",
                       NULL, 0);
    /* the token metrics of azure-openai-emit-token-metric / llm-emit-token-metric (metrics.h),
     * declared for their help text; their labels are the policies' dimensions */
    static const char *const tokens[][2] = {
        { "apim_openai_total_tokens", "azure-openai-emit-token-metric: Total Tokens" },
        { "apim_openai_prompt_tokens", "azure-openai-emit-token-metric: Prompt Tokens" },
        { "apim_openai_completion_tokens", "azure-openai-emit-token-metric: Completion Tokens" },
        { "apim_llm_total_tokens", "llm-emit-token-metric: Total Tokens" },
        { "apim_llm_prompt_tokens", "llm-emit-token-metric: Prompt Tokens" },
        { "apim_llm_completion_tokens", "llm-emit-token-metric: Completion Tokens" },
    };
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++)
        rt_metrics_declare(m, tokens[i][0], RT_METRIC_COUNTER, tokens[i][1], NULL, 0);
}

static str or_none(str s)
{
    return s.len ? s : STR_LIT("");
}

void srv_metrics_call(srv *s, str backend_id, rt_tx_result res, int status, int64_t us)
{
    char result[16];
    static const char *const names[] = { "ok", "connect", "timeout", "error" };
    if (res == RT_TX_OK)
        snprintf(result, sizeof result, "%d", status);
    else
        snprintf(result, sizeof result, "%s", names[res]);
    rt_label l[2] = { { STR_LIT("backend"), or_none(backend_id) },
                      { STR_LIT("result"), str_from(result) } };
    rt_metrics *m = s->obs->metrics;
    rt_metrics_counter_add(m, "apimlite_backend_attempts_total", l, 2, 1);
    rt_metrics_observe(m, "apimlite_backend_duration_seconds", l, 1, (double)us / 1e6);
}

void srv_metrics_request(srv *s, rt_req *r, int64_t total_us)
{
    char status[16];
    snprintf(status, sizeof status, "%d", r->ctx->response.status);
    rt_label l[3] = { { STR_LIT("api"), or_none(r->ctx->api.id) },
                      { STR_LIT("operation"), or_none(r->ctx->operation.id) },
                      { STR_LIT("status"), str_from(status) } };
    rt_metrics *m = s->obs->metrics;
    rt_metrics_counter_add(m, "apimlite_requests_total", l, 3, 1);
    rt_metrics_observe(m, "apimlite_request_duration_seconds", l, 1,
                       (double)(total_us > 0 ? total_us : 0) / 1e6);
}

/* ---- breaker state, evaluated when /metrics is scraped ---- */

typedef struct bk_render {
    buf *out;
    int pass; /* 0: open gauge, 1: seconds left, 2: trips counter */
    int64_t now_ms;
} bk_render;

static void put_label_value(buf *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\')
            buf_puts(b, "\\\\");
        else if (*v == '"')
            buf_puts(b, "\\\"");
        else if (*v == '\n')
            buf_puts(b, "\\n");
        else
            buf_putc(b, *v);
    }
}

static void bk_line(void *ud, const rt_bk_view *v)
{
    bk_render *br = ud;
    static const char *const names[] = { "apimlite_backend_circuit_open",
                                         "apimlite_backend_circuit_open_seconds",
                                         "apimlite_backend_circuit_trips_total" };
    buf_printf(br->out, "%s{backend=\"", names[br->pass]);
    put_label_value(br->out, v->id);
    buf_puts(br->out, "\"} ");
    if (br->pass == 0)
        buf_puts(br->out, v->open ? "1\n" : "0\n");
    else if (br->pass == 1 && v->open && v->open_until_ms > br->now_ms)
        buf_printf(br->out, "%.3f\n", (double)(v->open_until_ms - br->now_ms) / 1000.0);
    else if (br->pass == 1)
        buf_puts(br->out, "0\n");
    else
        buf_printf(br->out, "%llu\n", (unsigned long long)v->trips);
}

/* The circuit breakers of the configuration serving now (after a reload: the new one's). */
static void render_breakers(srv *s, buf *out)
{
    static const char *const head[] = {
        "# HELP apimlite_backend_circuit_open Whether the backend's circuit breaker is open "
        "(tripped: requests skip it) at scrape time\n"
        "# TYPE apimlite_backend_circuit_open gauge\n",
        "# HELP apimlite_backend_circuit_open_seconds Seconds until an open breaker closes "
        "(0 when closed)\n"
        "# TYPE apimlite_backend_circuit_open_seconds gauge\n",
        "# HELP apimlite_backend_circuit_trips_total Times the backend's circuit breaker tripped "
        "since the gateway started (kept across reloads that keep its rules)\n"
        "# TYPE apimlite_backend_circuit_trips_total counter\n",
    };
    const rt_gw *g = s->cur ? s->cur->w.gateway : NULL;
    if (!g || !g->bk)
        return;
    bk_render br = { out, 0, rt_clock_now(s->w.clock) };
    for (br.pass = 0; br.pass < 3; br.pass++) {
        buf_puts(out, head[br.pass]);
        rt_bk_view_each(g->bk, br.now_ms, bk_line, &br);
    }
}

static void on_metrics(struct evhttp_request *ev, void *arg)
{
    srv *s = arg;
    const char *uri = evhttp_request_get_uri(ev);
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        evhttp_send_error(ev, 500, NULL);
        return;
    }
    if (!uri || strncmp(uri, "/metrics", 8) || (uri[8] && uri[8] != '?')) {
        evbuffer_add_printf(b, "not found: the metrics are at /metrics\n");
        evhttp_send_reply(ev, 404, NULL, b);
        evbuffer_free(b);
        return;
    }
    buf out;
    buf_init(&out, 0);
    srv_sync(s); /* the current configuration generation */
    render_breakers(s, &out);
    rt_metrics_render(s->obs->metrics, &out);
    evbuffer_add(b, out.ptr, out.len);
    buf_release(&out);
    evhttp_add_header(evhttp_request_get_output_headers(ev), "Content-Type",
                      "text/plain; version=0.0.4; charset=utf-8");
    evhttp_send_reply(ev, 200, NULL, b);
    evbuffer_free(b);
}

int srv_metrics_listen(srv *s, char *err, size_t errlen)
{
    const rt_cfg_addr *a = &s->cfg->metrics;
    char host[64];
    int port = a->port;
    if (s->o->metrics_listen) {
        if (srv_split_addr(s->o->metrics_listen, host, sizeof host, &port) < 0) {
            snprintf(err, errlen, "invalid metrics address '%s'", s->o->metrics_listen);
            return -1;
        }
    } else if (!a->set) {
        return 0;
    } else {
        snprintf(host, sizeof host, "%.*s", STR_FMT(a->host));
    }
    s->mhttp = evhttp_new(s->base);
    if (!s->mhttp) {
        snprintf(err, errlen, "cannot create the metrics server");
        return -1;
    }
    evhttp_set_allowed_methods(s->mhttp, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
    evhttp_set_timeout(s->mhttp, 30);
    evhttp_set_gencb(s->mhttp, on_metrics, s);
    struct evhttp_bound_socket *h =
        evhttp_bind_socket_with_handle(s->mhttp, host[0] ? host : "0.0.0.0", (ev_uint16_t)port);
    if (!h) {
        snprintf(err, errlen, "cannot listen on %s:%d for metrics", host, port);
        return -1;
    }
    srv_bound_addr(h, s->maddr, sizeof s->maddr);
    return 0;
}

void srv_bound_addr(struct evhttp_bound_socket *h, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (getsockname(evhttp_bound_socket_get_fd(h), (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
            port = ntohs(s6->sin6_port);
            snprintf(out, cap, "[%s]:%d", ip, port);
            return;
        }
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
        port = ntohs(s4->sin_port);
    }
    snprintf(out, cap, "%s:%d", ip, port);
}

int srv_split_addr(const char *s, char *host, size_t hcap, int *port)
{
    const char *colon = strrchr(s, ':');
    const char *h = s;
    size_t hl = colon ? (size_t)(colon - s) : 0;
    if (!colon)
        return -1;
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl >= hcap)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || p < 0 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}
