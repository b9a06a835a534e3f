/* `apimlite serve`: the relay of streamed responses (rt_relay): the backend's status and
 * headers start the client's chunked reply, each piece received is sent on as a chunk at once,
 * and the reply learns when its client goes. */
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include "server_impl.h"

static void on_client_close(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    srv_req *q = arg;
    q->client_gone = true;
}

/* A streamed reply learns that its client went from the connection's watch (server_conn.c);
 * without one (not expected), from the connection's close callback. */
static void watch_client(srv_req *q, struct evhttp_connection *conn)
{
    if (!q->conn)
        evhttp_connection_set_closecb(conn, on_client_close, q);
}

void srv_relay_stop(srv_req *q)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(q->ev);
    if (conn && !q->conn)
        evhttp_connection_set_closecb(conn, NULL, NULL);
}

/* The backend's headers arrived: the client's chunked reply starts with the backend's status
 * and headers (hop-by-hop ones dropped). Outbound changes do not apply to a relayed reply. */
static int relay_start(rt_req *r, const rt_http_resp *resp)
{
    srv_req *q = srv_req_of(r);
    if (!q || q->replied || q->client_gone)
        return -1;
    struct evhttp_connection *conn = evhttp_request_get_connection(q->ev);
    if (!conn)
        return -1;
    struct evkeyvalq *out = evhttp_request_get_output_headers(q->ev);
    for (size_t i = 0; i < resp->nheaders; i++) {
        const rt_hdr *h = &resp->headers[i];
        if (!h->name.len || srv_hop_by_hop(h->name) || !srv_clean_text(h->name) ||
            !srv_clean_text(h->value))
            continue;
        char *k = arena_strndup(&r->arena, h->name.ptr, h->name.len);
        char *v = arena_strndup(&r->arena, h->value.ptr, h->value.len);
        if (k && v)
            evhttp_add_header(out, k, v);
    }
    if (q->s->draining)
        evhttp_add_header(out, "Connection", "close");
    char *reason = resp->reason.len && srv_clean_text(resp->reason)
                       ? arena_strndup(&r->arena, resp->reason.ptr, resp->reason.len)
                       : NULL;
    watch_client(q, conn);
    evhttp_send_reply_start(q->ev, resp->status, reason);
    q->relay_status = resp->status;
    q->streaming = true;
    q->replied = true;
    return 0;
}

static int relay_chunk(rt_req *r, const char *p, size_t n)
{
    srv_req *q = srv_req_of(r);
    if (!q || !q->streaming || q->client_gone || !evhttp_request_get_connection(q->ev))
        return -1;
    srv *s = q->s;
    if (!s->chunk && !(s->chunk = evbuffer_new()))
        return 0; /* this piece is lost; the stream goes on */
    if (evbuffer_add(s->chunk, p, n) < 0)
        return 0;
    evhttp_send_reply_chunk(q->ev, s->chunk); /* moves the bytes: s->chunk is empty again */
    evbuffer_drain(s->chunk, evbuffer_get_length(s->chunk));
    return 0;
}

const rt_relay srv_relay = { relay_start, relay_chunk };
