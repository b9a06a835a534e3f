/* The loopback backends of the curl tests: an evhttp server (the well-behaved backend) and a
 * raw TCP server that closes, stalls or sends garbage, both on 127.0.0.1:0. */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "backend.h"

static struct event_base *base;
enum raw_mode raw_mode;
int npeers;

/* ---- the evhttp backend ---- */

static struct evhttp *http;
static unsigned short peer_ports[256];

static void note_peer(struct evhttp_request *req)
{
    char *addr;
    ev_uint16_t port;
    evhttp_connection_get_peer(evhttp_request_get_connection(req), &addr, &port);
    for (int i = 0; i < npeers; i++) {
        if (peer_ports[i] == port)
            return;
    }
    if (npeers < 256)
        peer_ports[npeers++] = port;
}

static const char *in_header(struct evhttp_request *req, const char *name)
{
    const char *v = evhttp_find_header(evhttp_request_get_input_headers(req), name);
    return v ? v : "none";
}

static const char *method_name(enum evhttp_cmd_type t)
{
    switch (t) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    case EVHTTP_REQ_OPTIONS:
        return "OPTIONS";
    default:
        return "?";
    }
}

/* /echo: "METHOD|<body length>|<body when short>", request headers reflected as X-Got-* */
static void serve_echo(struct evhttp_request *req, struct evbuffer *out)
{
    struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(in);
    evbuffer_add_printf(out, "%s|%zu|", method_name(evhttp_request_get_command(req)), n);
    if (n < 1000)
        evbuffer_add_buffer(out, in);
    evhttp_add_header(oh, "X-Got-Foo", in_header(req, "X-Foo"));
    evhttp_add_header(oh, "X-Got-Accept", in_header(req, "Accept"));
    evhttp_add_header(oh, "X-Got-Expect", in_header(req, "Expect"));
    evhttp_add_header(oh, "X-Got-Content-Type", in_header(req, "Content-Type"));
    evhttp_add_header(oh, "X-Got-Content-Length", in_header(req, "Content-Length"));
    evhttp_add_header(oh, "X-Got-Empty", in_header(req, "X-Empty"));
    evhttp_add_header(oh, "X-Got-Host", in_header(req, "Host"));
    evhttp_send_reply(req, 200, "OK", out);
}

static void fill(struct evbuffer *out, size_t n)
{
    char block[4096];
    for (size_t i = 0; i < sizeof block; i++)
        block[i] = (char)('a' + i % 26);
    while (n) {
        size_t k = n < sizeof block ? n : sizeof block;
        evbuffer_add(out, block, k);
        n -= k;
    }
}

/* streaming: 4 SSE events, 60 ms apart */
typedef struct streamer {
    struct evhttp_request *req;
    struct event *tick;
    int sent;
    bool gone;
} streamer;
static streamer the_stream;

static void stream_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    streamer *s = arg;
    if (!s->req)
        return;
    if (s->gone || s->sent == 4) { /* libevent frees a request only once it was answered */
        evhttp_send_reply_end(s->req);
        s->req = NULL;
        return;
    }
    struct evbuffer *b = evbuffer_new();
    evbuffer_add_printf(b, "data: {\"n\":%d}\n\n", s->sent++);
    evhttp_send_reply_chunk(s->req, b);
    evbuffer_free(b);
    struct timeval tv = { 0, 60000 };
    evtimer_add(s->tick, &tv);
}

static void stream_closed(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    streamer *s = arg;
    if (s->req) { /* finish the reply from the loop, not from inside the close callback */
        static const struct timeval now = { 0, 0 };
        s->gone = true;
        evtimer_add(s->tick, &now);
    }
}

static void serve_stream(struct evhttp_request *req)
{
    streamer *s = &the_stream;
    s->req = req;
    s->sent = 0;
    s->gone = false;
    evhttp_connection_set_closecb(evhttp_request_get_connection(req), stream_closed, s);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/event-stream");
    evhttp_send_reply_start(req, 200, "OK");
    struct timeval tv = { 0, 30000 };
    evtimer_add(s->tick, &tv);
}

static void on_http(struct evhttp_request *req, void *arg)
{
    (void)arg;
    note_peer(req);
    const char *uri = evhttp_request_get_uri(req);
    struct evbuffer *out = evbuffer_new();
    struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
    if (!strncmp(uri, "/echo", 5)) {
        serve_echo(req, out);
    } else if (!strcmp(uri, "/multi")) {
        evhttp_add_header(oh, "Set-Cookie", "a=1");
        evhttp_add_header(oh, "Set-Cookie", "b=2; Path=/");
        evhttp_add_header(oh, "X-Multi", "one");
        evhttp_add_header(oh, "X-Multi", "two");
        evhttp_send_reply(req, 201, "Created Here", out);
    } else if (!strncmp(uri, "/big/", 5)) { /* /big/<bytes> with Content-Length */
        fill(out, strtoul(uri + 5, NULL, 10));
        evhttp_send_reply(req, 200, "OK", out);
    } else if (!strncmp(uri, "/chunked/", 9)) { /* the same, chunked (no Content-Length) */
        fill(out, strtoul(uri + 9, NULL, 10));
        evhttp_send_reply_start(req, 200, "OK");
        evhttp_send_reply_chunk(req, out);
        evhttp_send_reply_end(req);
    } else if (!strncmp(uri, "/headers/", 9)) { /* /headers/<n>: n headers of ~100 bytes */
        for (long i = 0, n = strtol(uri + 9, NULL, 10); i < n; i++) {
            char name[32];
            snprintf(name, sizeof name, "X-H%ld", i);
            evhttp_add_header(oh, name,
                              "0123456789012345678901234567890123456789012345678901"
                              "234567890123456789012345678901234567890");
        }
        evhttp_send_reply(req, 200, "OK", out);
    } else if (!strcmp(uri, "/stream")) {
        serve_stream(req);
    } else if (!strncmp(uri, "/status/", 8)) {
        evbuffer_add_printf(out, "status");
        evhttp_send_reply(req, atoi(uri + 8), "Whatever", out);
    } else {
        evbuffer_add_printf(out, "%s", uri); /* /path/...: the path */
        evhttp_send_reply(req, 200, "OK", out);
    }
    evbuffer_free(out);
}

int bound_port(evutil_socket_t fd)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    getsockname(fd, (struct sockaddr *)&sin, &len);
    return ntohs(sin.sin_port);
}

/* ---- the raw backend: close, stall or garbage ---- */

static struct evconnlistener *raw_listener;
static struct bufferevent *raw_conns[128];
static int nraw;

static void raw_event(struct bufferevent *bev, short what, void *arg)
{
    (void)arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        for (int i = 0; i < nraw; i++) {
            if (raw_conns[i] == bev)
                raw_conns[i] = NULL;
        }
        bufferevent_free(bev);
    }
}

static void raw_written(struct bufferevent *bev, void *arg)
{
    raw_event(bev, BEV_EVENT_EOF, arg);
}

static void raw_read(struct bufferevent *bev, void *arg)
{
    struct evbuffer *in = bufferevent_get_input(bev);
    evbuffer_drain(in, evbuffer_get_length(in));
    if (raw_mode == RAW_CLOSE) {
        raw_event(bev, BEV_EVENT_EOF, arg);
    } else if (raw_mode == RAW_GARBAGE) {
        bufferevent_setcb(bev, NULL, raw_written, raw_event, NULL);
        bufferevent_write(bev, "\x01\x02 garbage\r\n\r\n", 15);
    }
}

static void raw_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
                       void *arg)
{
    (void)l;
    (void)sa;
    (void)len;
    (void)arg;
    struct bufferevent *bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(bev, raw_read, NULL, raw_event, NULL);
    bufferevent_enable(bev, EV_READ);
    if (nraw < 128)
        raw_conns[nraw++] = bev;
}

void raw_close_all(void)
{
    for (int i = 0; i < nraw; i++) {
        if (raw_conns[i])
            bufferevent_free(raw_conns[i]);
    }
    nraw = 0;
}

int backend_start(struct event_base *b, int *http_port, int *raw_port)
{
    base = b;
    the_stream.tick = evtimer_new(base, stream_tick, &the_stream);
    http = evhttp_new(base);
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                         EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
                                         EVHTTP_REQ_OPTIONS);
    evhttp_set_gencb(http, on_http, NULL);
    struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
    if (!bs)
        return -1;
    *http_port = bound_port(evhttp_bound_socket_get_fd(bs));
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
    raw_listener =
        evconnlistener_new_bind(base, raw_accept, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
                                -1, (struct sockaddr *)&sin, sizeof sin);
    if (!raw_listener)
        return -1;
    *raw_port = bound_port(evconnlistener_get_fd(raw_listener));
    return 0;
}

void backend_stop(void)
{
    raw_close_all();
    if (raw_listener)
        evconnlistener_free(raw_listener);
    if (http)
        evhttp_free(http);
    if (the_stream.tick)
        event_free(the_stream.tick);
}
