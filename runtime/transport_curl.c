/* The libcurl transport: one CURLM per worker event_base, wired as in curl's hiperfifo.c
 * (STYLE.md §8), with one difference measured for issue 5: the sockets keep their events
 * across transfers (transport_curl_sock.c: no epoll_ctl per request on a keep-alive backend
 * connection). curl tells us which sockets to watch (on_curl_socket) and when to wake it
 * (on_curl_timer); libevent calls run_action, which lets curl work, then reaps the calls
 * cancelled from inside curl callbacks and drains the finished ones. No curl_multi_* call is
 * ever made from inside a curl callback: a cancel or send from a streaming callback is
 * deferred to after curl_multi_socket_action returns (cancel) or to a 0 ms event (send).
 *
 * A call lives on the heap, not in the request arena: curl holds it (CURLOPT_PRIVATE) until it
 * is removed from the multi handle, which may be after the arena is gone when a callback
 * released it. The arena gets a small `anchor` whose cleanup cancels a call still in flight.
 * A finished call is kept with its easy handle for a next one (up to CURL_IDLE_CALLS), so the
 * options that point at the call or never change are set once (easy_init) and only the
 * per-call ones are set and put back (setup, easy_recycle). */
#include <curl/curl.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "transport_curl.h"
#include "transport_curl_req.h"
#include "transport_curl_sock.h"

#define CURL_IDLE_CALLS 32

typedef enum call_state {
    CALL_NEW,     /* being set up by send */
    CALL_RUNNING, /* in the multi handle */
    CALL_START,   /* waiting for its kick event to be added (sent from inside curl) */
    CALL_FAIL,    /* failed before starting; its kick event reports it */
    CALL_ZOMBIE,  /* cancelled from inside curl; removed after socket_action returns */
} call_state;

typedef struct call_anchor {
    rt_tx_call *call; /* NULL once the call is over */
} call_anchor;

struct rt_tx_call {
    rt_curl *ct;
    CURL *easy;
    struct curl_slist *hdrs; /* one block (rt_curl_build_headers) */
    arena *a;                /* NULL for a zombie */
    call_anchor *anchor;     /* in a */
    rt_http_resp *resp;      /* in a */
    rt_tx_done done;
    void *ud;
    const rt_tx_stream *stream;
    call_state state;
    bool added;            /* in the multi handle (CALL_RUNNING, or a zombie) */
    struct event *kick;    /* CALL_START / CALL_FAIL: 0 ms event */
    struct event *hdr_tmo; /* streaming: response header timeout */
    int64_t timeout_ms;
    size_t hcap;       /* allocated resp->headers */
    bool headers_done; /* the final response's header block ended */
    bool too_large, no_mem;
    bool proxied;          /* the easy handle has the call's proxy options (easy_recycle) */
    buf body;              /* buffered mode */
    rt_tx_result fail_res; /* CALL_FAIL */
    char errbuf[CURL_ERROR_SIZE];
    rt_tx_call *prev, *next; /* the transport's calls */
};

struct rt_curl {
    rt_transport vt; /* first */
    struct event_base *base;
    CURLM *multi;
    struct event *timer; /* curl's timeout */
    rt_curl_opts opts;
    char *ca_file;
    int in_curl; /* > 0 while curl_multi_socket_action runs (its callbacks may run ours) */
    rt_tx_call *calls;
    size_t ncalls;
    size_t nzombies;       /* calls marked CALL_ZOMBIE since the last reap (an upper bound) */
    rt_csock_table *socks; /* the sockets curl watches (transport_curl_sock.h) */
    /* finished calls kept with their easy handle for the next ones: curl_easy_init and
     * cleanup cost more than the transfer itself on a reused connection, and an easy handle
     * that stays with its call keeps the options that never change (easy_init) */
    rt_tx_call *idle[CURL_IDLE_CALLS];
    size_t nidle;
};

static void run_action(rt_curl *ct, curl_socket_t fd, int flags);

/* ---- the call list and teardown ---- */

static void link_call(rt_curl *ct, rt_tx_call *c)
{
    c->next = ct->calls;
    if (ct->calls)
        ct->calls->prev = c;
    ct->calls = c;
    ct->ncalls++;
}

static void unlink_call(rt_curl *ct, rt_tx_call *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        ct->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    ct->ncalls--;
}

/* Detaches c from its arena: nothing of c touches the arena afterwards. */
static void detach(rt_tx_call *c)
{
    if (c->anchor)
        c->anchor->call = NULL;
    c->anchor = NULL;
    c->a = NULL;
    c->resp = NULL;
}

/* Puts the per-call options of e (setup) back to their defaults; the ones easy_init set
 * stay. */
static void easy_recycle(rt_tx_call *c)
{
    CURL *e = c->easy;
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, (char *)NULL); /* frees a copied body */
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, (char *)NULL);
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L); /* method GET, no NOBODY, no upload */
    if (c->proxied) {
        curl_easy_setopt(e, CURLOPT_PROXY, "");
        curl_easy_setopt(e, CURLOPT_PROXYUSERNAME, (char *)NULL);
        curl_easy_setopt(e, CURLOPT_PROXYPASSWORD, (char *)NULL);
        curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 0L);
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 0L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 0L);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)0);
}

/* Frees everything of c (or keeps it, with its easy handle, for the next call). Outside curl
 * callbacks only (it removes the easy handle). */
static void destroy_call(rt_tx_call *c)
{
    rt_curl *ct = c->ct;
    unlink_call(ct, c);
    detach(c);
    if (c->easy && c->added)
        curl_multi_remove_handle(ct->multi, c->easy);
    c->added = false;
    buf_release(&c->body);
    if (c->easy && ct->nidle < CURL_IDLE_CALLS) {
        easy_recycle(c);
        free(c->hdrs); /* after curl forgot it (one block) */
        c->hdrs = NULL;
        if (c->kick)
            event_del(c->kick);
        if (c->hdr_tmo)
            event_del(c->hdr_tmo);
        ct->idle[ct->nidle++] = c;
        return;
    }
    if (c->easy)
        curl_easy_cleanup(c->easy);
    free(c->hdrs);
    if (c->kick)
        event_free(c->kick);
    if (c->hdr_tmo)
        event_free(c->hdr_tmo);
    free(c);
}

static void curl_cancel(rt_transport *t, rt_tx_call *c)
{
    (void)t;
    if (!c)
        return;
    if (c->ct->in_curl && c->added) {
        c->state = CALL_ZOMBIE; /* its curl callbacks now abort; run_action reaps it */
        c->ct->nzombies++;
        detach(c);
        return;
    }
    destroy_call(c);
}

/* The arena of a call in flight is being released: cancel the call. */
static void anchor_cleanup(void *p)
{
    call_anchor *an = p;
    if (an->call)
        curl_cancel(&an->call->ct->vt, an->call);
}

/* ---- completion ---- */

static rt_tx_result map_result(rt_tx_call *c, CURLcode rc, const char **what)
{
    *what = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return RT_TX_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2_STREAM:
        return RT_TX_CONNECT;
    case CURLE_FILESIZE_EXCEEDED:
        *what = "response too large";
        return RT_TX_ERROR;
    case CURLE_WRITE_ERROR:
        if (c->too_large)
            *what = "response too large";
        else if (c->no_mem)
            *what = "response headers exceed the request memory limit";
        return RT_TX_ERROR;
    default:
        return RT_TX_ERROR;
    }
}

/* Ends c: frees it, then calls done (c's memory is gone by then: done may release the arena,
 * start calls, cancel others). */
static void complete(rt_tx_call *c, rt_tx_result res, const char *what)
{
    rt_tx_done done = c->done;
    void *ud = c->ud;
    rt_http_resp *resp = c->resp;
    char msg[CURL_ERROR_SIZE + 96];
    msg[0] = 0;
    if (res == RT_TX_OK && !resp->reason.ptr)
        resp->reason = STR_LIT("");
    if (res == RT_TX_OK && c->stream) {
        resp->body = STR_LIT(""); /* everything went to on_chunk */
    } else if (res == RT_TX_OK) {
        size_t len;
        char *body = buf_detach(&c->body, &len);
        if (body && arena_defer(c->a, free, body) < 0) {
            free(body);
            res = RT_TX_ERROR;
            what = "the response exceeds the request memory limit";
        } else {
            resp->body = body ? str_make(body, len) : STR_LIT("");
        }
    }
    if (res != RT_TX_OK) {
        if (res == RT_TX_ERROR && !strcmp(what, "response too large"))
            snprintf(msg, sizeof msg, "response too large (over %zu bytes)", c->ct->opts.max_body);
        else
            snprintf(msg, sizeof msg, "%s", what);
        size_t n = strlen(msg); /* curl's messages may end with a newline */
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
            msg[--n] = 0;
    }
    destroy_call(c);
    done(ud, res, res == RT_TX_OK ? resp : NULL, res == RT_TX_OK ? NULL : msg);
}

static void finish(rt_tx_call *c, CURLcode rc)
{
    const char *what = NULL;
    rt_tx_result res = RT_TX_OK;
    if (rc != CURLE_OK)
        res = map_result(c, rc, &what);
    else if (!c->headers_done) {
        long code = 0;
        curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &code);
        if (code < 100) {
            res = RT_TX_ERROR;
            what = "the backend sent no HTTP response";
        } else {
            c->resp->status = (int)code;
        }
    }
    complete(c, res, what);
}

/* Takes the finished transfers. The done callbacks may add and remove handles. */
static void drain(rt_curl *ct)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(ct->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        CURLcode rc = m->data.result;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
        rt_tx_call *c = (rt_tx_call *)(void *)priv;
        if (!c)
            continue;
        if (c->state == CALL_ZOMBIE)
            destroy_call(c);
        else
            finish(c, rc);
    }
}

static void reap(rt_curl *ct)
{
    if (!ct->nzombies)
        return; /* the common case: no walk over every call after every socket event */
    ct->nzombies = 0;
    for (rt_tx_call *c = ct->calls, *next; c; c = next) {
        next = c->next;
        if (c->state == CALL_ZOMBIE)
            destroy_call(c);
    }
}

/* ---- libevent <-> curl (STYLE.md §8) ---- */

static void run_action(rt_curl *ct, curl_socket_t fd, int flags)
{
    int running;
    ct->in_curl++;
    curl_multi_socket_action(ct->multi, fd, flags, &running);
    ct->in_curl--;
    if (ct->in_curl)
        return;
    reap(ct);
    drain(ct);
}

static void on_socket_ready(void *ud, curl_socket_t fd, int flags)
{
    run_action(ud, fd, flags);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    run_action(arg, CURL_SOCKET_TIMEOUT, 0);
}

static int on_curl_socket(CURL *e, curl_socket_t s, int what, void *ud, void *sockp)
{
    (void)e;
    (void)sockp;
    rt_curl *ct = ud;
    return rt_csock_watch(ct->socks, s, what);
}

/* -1 means stop; 0 is a real (immediate) timeout. Re-arm only: never call curl here. A 0 from
 * outside curl (curl_multi_add_handle in send: a new transfer) runs curl in this loop turn
 * instead of the next one; from inside curl it waits for the next turn, so that a transfer
 * asking again and again cannot starve the sockets. */
static int on_curl_timer(CURLM *m, long ms, void *ud)
{
    (void)m;
    rt_curl *ct = ud;
    if (ms < 0)
        return evtimer_del(ct->timer);
    if (ms == 0 && !ct->in_curl) {
        evtimer_del(ct->timer);
        event_active(ct->timer, EV_TIMEOUT, 0);
        return 0;
    }
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    return evtimer_add(ct->timer, &tv);
}

/* A connection socket curl just made (CURLOPT_SOCKOPTFUNCTION). */
static int on_sockopt(void *ud, curl_socket_t s, curlsocktype purpose)
{
    rt_curl *ct = ud;
    if (purpose == CURLSOCKTYPE_IPCXN)
        rt_csock_opened(ct->socks, s);
    return CURL_SOCKOPT_OK;
}

/* curl closes a connection socket (CURLOPT_CLOSESOCKETFUNCTION). */
static int on_closesocket(void *ud, curl_socket_t s)
{
    rt_curl *ct = ud;
    rt_csock_closing(ct->socks, s);
    return close(s);
}

/* ---- curl's data callbacks (inside curl_multi_socket_action) ---- */

static int add_resp_header(rt_tx_call *c, str name, str value)
{
    rt_http_resp *r = c->resp;
    if (r->nheaders == c->hcap) {
        size_t nc = c->hcap ? c->hcap * 2 : 16;
        rt_hdr *nh = arena_realloc(c->a, r->headers, c->hcap * sizeof *nh, nc * sizeof *nh);
        if (!nh)
            return -1;
        r->headers = nh;
        c->hcap = nc;
    }
    str n = arena_str(c->a, name), v = arena_str(c->a, value);
    if (!n.ptr || !v.ptr)
        return -1;
    r->headers[r->nheaders++] = (rt_hdr){ n, v };
    return 0;
}

/* A continuation line (obsolete folding) extends the previous header's value. */
static int fold_header(rt_tx_call *c, str more)
{
    rt_http_resp *r = c->resp;
    if (!r->nheaders)
        return 0;
    rt_hdr *h = &r->headers[r->nheaders - 1];
    char *v = arena_sprintf(c->a, "%.*s %.*s", STR_FMT(h->value), STR_FMT(more));
    if (!v)
        return -1;
    h->value = str_from(v);
    return 0;
}

/* "HTTP/1.1 200 OK", "HTTP/2 404" */
static int status_line(rt_tx_call *c, str line)
{
    rt_http_resp *r = c->resp;
    size_t i = 5;
    while (i < line.len && line.ptr[i] != ' ')
        i++;
    while (i < line.len && line.ptr[i] == ' ')
        i++;
    int code = 0, digits = 0;
    for (; i < line.len && line.ptr[i] >= '0' && line.ptr[i] <= '9' && digits < 3; i++, digits++)
        code = code * 10 + (line.ptr[i] - '0');
    r->status = digits == 3 ? code : 0;
    r->reason = arena_str(c->a, str_trim(str_make(line.ptr + i, line.len - i)));
    r->nheaders = 0; /* a new header block (after a 1xx) */
    c->headers_done = false;
    return r->reason.ptr ? 0 : -1;
}

static int header_line(rt_tx_call *c, str line)
{
    if (line.len >= 5 && !memcmp(line.ptr, "HTTP/", 5))
        return status_line(c, line);
    if (c->headers_done)
        return 0; /* trailers */
    if (!line.len) {
        if (c->resp->status < 200)
            return 0; /* end of an interim (1xx) block */
        c->headers_done = true;
        if (c->stream && c->stream->on_headers)
            c->stream->on_headers(c->ud, c->resp);
        /* the timeout ends with the headers, unless it covers the whole response */
        if (c->hdr_tmo && !(c->stream && c->stream->whole_timeout))
            evtimer_del(c->hdr_tmo);
        return 0;
    }
    if (line.ptr[0] == ' ' || line.ptr[0] == '\t')
        return fold_header(c, str_trim(line));
    const char *colon = memchr(line.ptr, ':', line.len);
    if (!colon)
        return 0; /* not a header: ignore it */
    str name = str_trim(str_make(line.ptr, (size_t)(colon - line.ptr)));
    str value = str_trim(str_make(colon + 1, line.len - (size_t)(colon - line.ptr) - 1));
    return add_resp_header(c, name, value);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    rt_tx_call *c = ud;
    size_t len = size * n;
    if (c->state == CALL_ZOMBIE)
        return 0;
    str line = str_make(p, len);
    while (line.len && (line.ptr[line.len - 1] == '\n' || line.ptr[line.len - 1] == '\r'))
        line.len--;
    if (header_line(c, line) < 0) {
        c->no_mem = true;
        return 0;
    }
    return c->state == CALL_ZOMBIE ? 0 : len; /* on_headers may have cancelled */
}

static size_t on_write(char *p, size_t size, size_t n, void *ud)
{
    rt_tx_call *c = ud;
    size_t len = size * n;
    if (c->state == CALL_ZOMBIE)
        return 0;
    if (c->stream) {
        if (c->stream->on_chunk && len)
            c->stream->on_chunk(c->ud, p, len);
        return c->state == CALL_ZOMBIE ? 0 : len;
    }
    if (buf_append(&c->body, p, len) < 0) {
        c->too_large = true;
        return 0;
    }
    return len;
}

/* ---- starting calls ---- */

static char *cstr(str s, char *tmp, size_t n)
{
    if (s.len >= n)
        return NULL;
    memcpy(tmp, s.ptr ? s.ptr : "", s.len);
    tmp[s.len] = 0;
    return tmp;
}

/* A new easy handle for c with the options that are the same for every call (they stay when
 * the handle is recycled with its call: easy_recycle). */
static CURL *easy_init(rt_tx_call *c)
{
    rt_curl *ct = c->ct;
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)c);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, on_sockopt);
    curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, ct);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_closesocket);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, ct);
    curl_easy_setopt(e, CURLOPT_PROXY, ""); /* no proxy, not even from the environment */
    if (ct->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, ct->ca_file);
    if (!ct->opts.no_tcp_keepalive) {
        curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 60L);
        curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 30L);
    }
    return e;
}

/* Sets the per-call options of the easy handle (easy_recycle puts them back). Returns NULL, or
 * what went wrong. */
static const char *setup(rt_tx_call *c, const rt_http_req *req)
{
    rt_curl *ct = c->ct;
    CURL *e = c->easy;
    char ubuf[2048];
    char *tmp = req->url.len < sizeof ubuf ? ubuf : xmalloc(req->url.len + 1);
    bool ok = cstr(req->url, tmp, req->url.len + 1) && !memchr(tmp, 0, req->url.len) &&
              curl_easy_setopt(e, CURLOPT_URL, tmp) == CURLE_OK; /* curl copies it */
    if (tmp != ubuf)
        free(tmp);
    if (!ok)
        return "invalid URL";
    if (!rt_curl_is_token(req->method))
        return "invalid method";
    char method[64];
    if (!cstr(req->method, method, sizeof method))
        return "invalid method";
    bool head = !strcmp(method, "HEAD");
    bool with_body = req->body.len || !strcmp(method, "POST") || !strcmp(method, "PUT") ||
                     !strcmp(method, "PATCH");
    if (head)
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    else if (with_body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body.len);
        if (curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req->body.ptr ? req->body.ptr : "") !=
            CURLE_OK)
            return "out of memory";
    }
    /* POST (always with a body), HEAD and a GET without one are curl's own methods */
    if (!head && strcmp(method, "POST") && (strcmp(method, "GET") || with_body))
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    const char *err = rt_curl_build_headers(&c->hdrs, req, with_body && !head);
    if (err)
        return err;
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->hdrs);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, req->tls_skip_chain ? 0L : 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, req->tls_skip_name ? 0L : 2L);
    char pbuf[1024];
    if (req->proxy_url.len && !cstr(req->proxy_url, pbuf, sizeof pbuf))
        return "proxy URL too long";
    if (req->proxy_url.len) { /* else "" from easy_init */
        c->proxied = true;
        curl_easy_setopt(e, CURLOPT_PROXY, pbuf);
        curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
        if (req->proxy_username.len && cstr(req->proxy_username, pbuf, sizeof pbuf))
            curl_easy_setopt(e, CURLOPT_PROXYUSERNAME, pbuf);
        if (req->proxy_password.len && cstr(req->proxy_password, pbuf, sizeof pbuf))
            curl_easy_setopt(e, CURLOPT_PROXYPASSWORD, pbuf);
    }
    int64_t t = req->timeout_ms, ct_ms = ct->opts.connect_timeout_ms;
    if (t > 0 && !c->stream)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)t);
    if (ct_ms > 0 || t > 0)
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(ct_ms > 0 ? ct_ms : t));
    if (!c->stream)
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)ct->opts.max_body);
    return NULL;
}

static void on_header_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rt_tx_call *c = arg;
    char msg[96];
    snprintf(msg, sizeof msg, "no %s within %lld ms",
             c->headers_done ? "complete response" : "response headers", (long long)c->timeout_ms);
    complete(c, RT_TX_TIMEOUT, msg);
}

/* Adds c to the multi handle; on failure completes it (never from inside send). */
static int start(rt_tx_call *c)
{
    if (c->stream && c->timeout_ms > 0) {
        struct timeval tv = { (time_t)(c->timeout_ms / 1000),
                              (suseconds_t)(c->timeout_ms % 1000) * 1000 };
        if (!c->hdr_tmo)
            c->hdr_tmo = evtimer_new(c->ct->base, on_header_timeout, c);
        if (!c->hdr_tmo || evtimer_add(c->hdr_tmo, &tv) < 0)
            return -1;
    }
    if (curl_multi_add_handle(c->ct->multi, c->easy) != CURLM_OK)
        return -1;
    c->state = CALL_RUNNING;
    c->added = true;
    return 0;
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rt_tx_call *c = arg;
    if (c->state == CALL_FAIL) {
        complete(c, c->fail_res, c->errbuf);
        return;
    }
    if (start(c) < 0)
        complete(c, RT_TX_ERROR, "the call could not be started");
}

/* Arms c's 0 ms kick event; state says what it does. */
static int kick(rt_tx_call *c, call_state state)
{
    static const struct timeval zero = { 0, 0 };
    c->state = state;
    if (!c->kick)
        c->kick = evtimer_new(c->ct->base, on_kick, c);
    return c->kick && evtimer_add(c->kick, &zero) == 0 ? 0 : -1;
}

static rt_tx_call *curl_send(rt_transport *t, arena *a, const rt_http_req *req, rt_tx_done done,
                             void *ud)
{
    rt_curl *ct = (rt_curl *)t;
    call_anchor *an = arena_alloc(a, sizeof *an);
    rt_http_resp *resp = arena_alloc(a, sizeof *resp);
    if (!an || !resp || arena_defer(a, anchor_cleanup, an) < 0)
        return NULL;
    rt_tx_call *c;
    if (ct->nidle) { /* a finished call with its easy handle and events */
        c = ct->idle[--ct->nidle];
        CURL *e = c->easy;
        struct event *kev = c->kick, *tmo = c->hdr_tmo;
        memset(c, 0, sizeof *c);
        c->easy = e;
        c->kick = kev;
        c->hdr_tmo = tmo;
    } else {
        c = xcalloc(1, sizeof *c);
    }
    c->ct = ct;
    c->a = a;
    c->anchor = an;
    an->call = c;
    c->resp = resp;
    c->done = done;
    c->ud = ud;
    c->stream = req->stream;
    c->timeout_ms = req->timeout_ms;
    buf_init(&c->body, ct->opts.max_body);
    link_call(ct, c);
    const char *err = NULL;
    if (!c->easy)
        c->easy = easy_init(c);
    if (!c->easy)
        err = "curl_easy_init failed";
    else
        err = setup(c, req);
    int rc;
    if (err) {
        snprintf(c->errbuf, sizeof c->errbuf, "%s", err);
        c->fail_res = RT_TX_ERROR;
        rc = kick(c, CALL_FAIL);
    } else if (ct->in_curl) {
        rc = kick(c, CALL_START); /* no curl_multi_* from inside curl's callbacks */
    } else if (start(c) < 0) {
        snprintf(c->errbuf, sizeof c->errbuf, "the call could not be started");
        c->fail_res = RT_TX_ERROR;
        rc = kick(c, CALL_FAIL);
    } else {
        rc = 0;
    }
    if (rc < 0) { /* not even the 0 ms event: give up without a callback */
        destroy_call(c);
        return NULL;
    }
    return c;
}

/* ---- the transport ---- */

rt_curl *rt_curl_new(struct event_base *base, const rt_curl_opts *opts)
{
    rt_curl *ct = xcalloc(1, sizeof *ct);
    ct->vt.send = curl_send;
    ct->vt.cancel = curl_cancel;
    ct->base = base;
    if (opts)
        ct->opts = *opts;
    if (!ct->opts.max_body)
        ct->opts.max_body = RT_CURL_MAX_BODY;
    if (!ct->opts.max_connects)
        ct->opts.max_connects = 64;
    ct->ca_file = ct->opts.ca_file ? xstrdup(ct->opts.ca_file) : NULL;
    ct->opts.ca_file = ct->ca_file;
    ct->multi = curl_multi_init();
    ct->timer = evtimer_new(base, on_timeout, ct);
    ct->socks = rt_csock_new(base, on_socket_ready, ct);
    if (!ct->multi || !ct->timer || !ct->socks) {
        rt_curl_free(ct);
        return NULL;
    }
    curl_multi_setopt(ct->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_multi_setopt(ct->multi, CURLMOPT_SOCKETDATA, ct);
    curl_multi_setopt(ct->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(ct->multi, CURLMOPT_TIMERDATA, ct);
    curl_multi_setopt(ct->multi, CURLMOPT_MAXCONNECTS, ct->opts.max_connects);
    return ct;
}

void rt_curl_free(rt_curl *ct)
{
    if (!ct)
        return;
    while (ct->calls)
        destroy_call(ct->calls);
    while (ct->nidle) {
        rt_tx_call *c = ct->idle[--ct->nidle];
        curl_easy_cleanup(c->easy);
        if (c->kick)
            event_free(c->kick);
        if (c->hdr_tmo)
            event_free(c->hdr_tmo);
        free(c);
    }
    if (ct->multi)
        curl_multi_cleanup(ct->multi); /* calls on_curl_socket: before event_base_free */
    rt_csock_free(ct->socks);          /* after curl closed its connections */
    if (ct->timer)
        event_free(ct->timer);
    free(ct->ca_file);
    free(ct);
}

rt_transport *rt_curl_transport(rt_curl *ct)
{
    return &ct->vt;
}

size_t rt_curl_inflight(const rt_curl *ct)
{
    return ct->ncalls;
}
