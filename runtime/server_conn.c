/* `apimlite serve`: the client connections of a worker (server_impl.h, srv_conn).
 *
 * libevent 2.1's evhttp tells the server nothing about a connection until a whole request has
 * arrived, so two things are watched here, from the bufferevent evhttp asks us for (bevcb):
 * - a deadline for reading each request: its request line, headers and body must arrive
 *   within client_timeout of its first byte. libevent's own read timeout restarts with every
 *   byte, so a client trickling one byte a second (slowloris) would hold the connection and
 *   its memory forever; the sweep (every 250 ms) cuts it: shutdown(2) of the socket, which
 *   evhttp sees as the client going, a 408 request log line and the client-errors counter.
 * - replies libevent sends by itself, before the server sees a request: 400 for a malformed
 *   request line or headers, 413 for a header block over its cap (twice --max-headers) or a
 *   body over --max-body, 501 for a method outside the allowed set. The output buffer's
 *   callback sees the status line while no request is in the gateway: logged and counted.
 *
 * Lifetime: until a first request hands over its evhttp_connection, we hold a reference on
 * the bufferevent (evhttp frees it without telling anyone when the client goes before a whole
 * request): the sweep notices (evhttp cleared its callbacks), drops the reference and the
 * watch. From the first request on, the connection's close callback ends the watch (and
 * tells a streamed reply in progress that its client is gone). */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/xalloc.h"
#include "server_impl.h"

#define SWEEP_MS 250

struct srv_conn {
    srv *s;
    struct bufferevent *bev;
    struct evhttp_connection *evcon; /* from the first request on */
    struct evbuffer_cb_entry *in_cb, *out_cb;
    srv_conn *prev, *next; /* s->conns */
    srv_req *q;            /* the request in the gateway, if any */
    int fd;                /* known from the first byte received */
    int64_t reading_since; /* first byte of the request being read (ms); 0: none */
    bool held;             /* our reference on bev */
    bool cut;              /* the deadline passed: the socket was shut down */
    bool refused;          /* libevent answered an error itself */
};

static int64_t now_ms(srv *s)
{
    struct timeval tv;
    event_base_gettimeofday_cached(s->base, &tv);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int64_t deadline_ms(const srv *s)
{
    return (int64_t)(s->o->client_timeout_s > 0 ? s->o->client_timeout_s : 120) * 1000;
}

static void index_fd(srv *s, srv_conn *c, int fd)
{
    if (fd < 0)
        return;
    if ((size_t)fd >= s->nconn_fd) {
        size_t n = s->nconn_fd ? s->nconn_fd : 256;
        while (n <= (size_t)fd)
            n *= 2;
        s->conn_fd = xrealloc(s->conn_fd, n * sizeof *s->conn_fd);
        memset(s->conn_fd + s->nconn_fd, 0, (n - s->nconn_fd) * sizeof *s->conn_fd);
        s->nconn_fd = n;
    }
    s->conn_fd[fd] = c;
    c->fd = fd;
}

static void conn_free(srv_conn *c)
{
    srv *s = c->s;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->fd >= 0 && (size_t)c->fd < s->nconn_fd && s->conn_fd[c->fd] == c)
        s->conn_fd[c->fd] = NULL;
    if (c->q)
        c->q->conn = NULL;
    if (c->in_cb)
        evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->in_cb);
    if (c->out_cb)
        evbuffer_remove_cb_entry(bufferevent_get_output(c->bev), c->out_cb);
    if (c->held) {
        bufferevent_disable(c->bev, EV_READ | EV_WRITE);
        bufferevent_decref(c->bev); /* evhttp's free happened: this one closes the socket */
    }
    free(c);
}

/* The peer's address for a log line (no request, so no evhttp peer yet). */
static void peer_ip(int fd, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    snprintf(out, cap, "0.0.0.0");
    if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
        return;
    if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, (socklen_t)cap);
    else if (ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, (socklen_t)cap);
}

static void on_input(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
    (void)b;
    srv_conn *c = arg;
    if (info->n_added == 0)
        return;
    if (c->fd < 0)
        index_fd(c->s, c, bufferevent_getfd(c->bev));
    if (!c->q && !c->reading_since)
        c->reading_since = now_ms(c->s);
}

/* A status line written while no request is in the gateway: libevent's own error reply. */
static void on_output(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
    srv_conn *c = arg;
    if (c->q || c->refused || info->n_added < 12 || info->orig_size != 0)
        return;
    char line[13] = { 0 };
    if (evbuffer_copyout(b, line, 12) != 12 || strncmp(line, "HTTP/1.", 7) != 0)
        return;
    int status = atoi(line + 9);
    if (status < 400)
        return; /* 100 Continue */
    c->refused = true;
    const char *reason = status == 413   ? "PayloadTooLarge"
                         : status == 431 ? "RequestHeaderFieldsTooLarge"
                         : status == 501 ? "MethodNotImplemented"
                                         : "BadRequest";
    const char *msg = status == 413   ? "Request body over the size limit"
                      : status == 431 ? "Request header fields too large"
                      : status == 501 ? "Method not implemented"
                                      : "Malformed request line or headers (or over twice the "
                                        "header size limit)";
    char ip[64];
    peer_ip(c->fd >= 0 ? c->fd : bufferevent_getfd(c->bev), ip, sizeof ip);
    srv_log_client_error(c->s, ip, status, reason, msg);
}

static struct bufferevent *conn_bev(struct event_base *base, void *arg)
{
    srv *s = arg;
    struct bufferevent *bev = s->tls ? srv_tls_bev(base, s->tls)
                                     : bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        /* evhttp would fall back to its own on NULL: out of memory is fatal, as in xmalloc */
        fputs("apimlite serve: out of memory creating a connection\n", stderr);
        abort();
    }
    srv_conn *c = xcalloc(1, sizeof *c);
    c->s = s;
    c->bev = bev;
    c->fd = -1;
    bufferevent_incref(bev);
    c->held = true;
    c->in_cb = evbuffer_add_cb(bufferevent_get_input(bev), on_input, c);
    c->out_cb = evbuffer_add_cb(bufferevent_get_output(bev), on_output, c);
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    return bev;
}

static void on_close(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    srv_conn *c = arg;
    if (c->q && c->q->streaming)
        c->q->client_gone = true;
    conn_free(c);
}

static void on_complete(struct evhttp_request *ev, void *arg)
{
    (void)ev;
    srv_conn *c = arg;
    if (c->q)
        c->q->conn = NULL;
    c->q = NULL;
    /* a pipelined next request may already be (partly) in the buffer */
    c->reading_since = evbuffer_get_length(bufferevent_get_input(c->bev)) ? now_ms(c->s) : 0;
}

void srv_conn_begin(srv_req *q)
{
    srv *s = q->s;
    struct evhttp_connection *evcon = evhttp_request_get_connection(q->ev);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    int fd = bev ? bufferevent_getfd(bev) : -1;
    srv_conn *c = fd >= 0 && (size_t)fd < s->nconn_fd ? s->conn_fd[fd] : NULL;
    if (!c || c->bev != bev)
        return;
    if (!c->evcon) {
        /* the connection is ours to watch through its close callback from now on */
        c->evcon = evcon;
        evhttp_connection_set_closecb(evcon, on_close, c);
        if (c->held) {
            c->held = false;
            bufferevent_decref(bev);
        }
    }
    c->q = q;
    c->reading_since = 0;
    q->conn = c;
    evhttp_request_set_on_complete_cb(q->ev, on_complete, c);
}

void srv_conn_end(srv_req *q)
{
    if (q->conn && q->conn->q == q)
        q->conn->q = NULL;
    q->conn = NULL;
}

static void cut(srv_conn *c)
{
    c->cut = true;
    char ip[64];
    peer_ip(c->fd, ip, sizeof ip);
    char msg[128];
    snprintf(msg, sizeof msg, "The client did not send a complete request within %lld s",
             (long long)(deadline_ms(c->s) / 1000));
    srv_log_client_error(c->s, ip, 408, "RequestTimeout", msg);
    shutdown(c->fd, SHUT_RDWR); /* evhttp reads EOF and frees the connection */
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    srv *s = arg;
    int64_t now = now_ms(s), limit = deadline_ms(s);
    srv_conn *next;
    for (srv_conn *c = s->conns; c; c = next) {
        next = c->next;
        if (c->held) {
            bufferevent_event_cb eventcb = NULL;
            bufferevent_getcb(c->bev, NULL, NULL, &eventcb, NULL);
            if (!eventcb) { /* evhttp let go of it: the client went before a whole request */
                conn_free(c);
                continue;
            }
        }
        if (!c->q && !c->cut && c->reading_since && c->fd >= 0 && now - c->reading_since > limit)
            cut(c);
    }
}

int srv_conns_serve(srv *s)
{
    evhttp_set_bevcb(s->http, conn_bev, s);
    s->conn_sweep = event_new(s->base, -1, EV_PERSIST, on_sweep, s);
    struct timeval iv = { 0, SWEEP_MS * 1000 };
    return s->conn_sweep && evtimer_add(s->conn_sweep, &iv) == 0 ? 0 : -1;
}

void srv_conns_free(srv *s)
{
    if (s->conn_sweep)
        event_free(s->conn_sweep);
    s->conn_sweep = NULL;
    /* after evhttp_free: connections with a request were ended by their close callback */
    while (s->conns)
        conn_free(s->conns);
    free(s->conn_fd);
    s->conn_fd = NULL;
    s->nconn_fd = 0;
}
