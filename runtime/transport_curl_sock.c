/* The curl transport's socket table (transport_curl_sock.h): curl's CURL_POLL_* requests turned
 * into libevent events with as few event_add / event_del (epoll_ctl) as possible. The canonical
 * hiperfifo wiring (STYLE.md §8) frees and rebuilds one event at every interest change and at
 * every CURL_POLL_REMOVE, which on a keep-alive backend connection is an EPOLL_CTL_ADD and an
 * EPOLL_CTL_DEL per request: curl says REMOVE when a transfer ends and the connection goes back
 * to its cache, then IN again when the next transfer reuses it. */
#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/xalloc.h"
#include "transport_curl_sock.h"

typedef struct csock {
    rt_csock_table *t;
    struct event *rd, *wr; /* EV_PERSIST */
    int want;              /* CURL_POLL_IN / OUT bits curl asked for; 0 after REMOVE */
    bool rd_on, wr_on;     /* event added */
    bool conn;             /* a connection socket: closed through rt_csock_closing */
} csock;

struct rt_csock_table {
    struct event_base *base;
    void (*ready)(void *ud, curl_socket_t fd, int flags);
    void *ud;
    csock **v; /* by fd */
    size_t n;
};

rt_csock_table *rt_csock_new(struct event_base *base,
                             void (*ready)(void *ud, curl_socket_t fd, int flags), void *ud)
{
    rt_csock_table *t = xcalloc(1, sizeof *t);
    t->base = base;
    t->ready = ready;
    t->ud = ud;
    return t;
}

static csock *get(const rt_csock_table *t, curl_socket_t s)
{
    return s >= 0 && (size_t)s < t->n ? t->v[s] : NULL;
}

static void ev_on(struct event *ev, bool *on)
{
    if (*on)
        return;
    if (event_add(ev, NULL) == 0)
        *on = true;
}

static void ev_off(struct event *ev, bool *on)
{
    if (!*on)
        return;
    event_del(ev);
    *on = false;
}

/* Frees s's events (deleting them) and its slot. */
static void forget(rt_csock_table *t, curl_socket_t s)
{
    csock *w = get(t, s);
    if (!w)
        return;
    if (w->rd)
        event_free(w->rd);
    if (w->wr)
        event_free(w->wr);
    free(w);
    t->v[s] = NULL;
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    csock *w = arg;
    rt_csock_table *t = w->t;
    if (!(w->want & CURL_POLL_IN)) {
        /* parked or write-only: curl does not want it now; a level-triggered read event would
         * spin until curl asks again (it then sees the data or the EOF itself) */
        ev_off(w->rd, &w->rd_on);
        return;
    }
    t->ready(t->ud, fd, CURL_CSELECT_IN); /* may free w */
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    csock *w = arg;
    rt_csock_table *t = w->t;
    if (!(w->want & CURL_POLL_OUT)) {
        ev_off(w->wr, &w->wr_on);
        return;
    }
    t->ready(t->ud, fd, CURL_CSELECT_OUT); /* may free w */
}

/* The slot of s, created (with its events, not added) when missing. NULL when out of memory. */
static csock *slot(rt_csock_table *t, curl_socket_t s)
{
    if (s < 0)
        return NULL;
    csock *w = get(t, s);
    if (w)
        return w;
    if ((size_t)s >= t->n) {
        size_t nn = t->n ? t->n : 64;
        while (nn <= (size_t)s)
            nn *= 2;
        csock **nv = realloc(t->v, nn * sizeof *nv);
        if (!nv)
            return NULL;
        for (size_t i = t->n; i < nn; i++)
            nv[i] = NULL;
        t->v = nv;
        t->n = nn;
    }
    w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->t = t;
    w->rd = event_new(t->base, s, EV_READ | EV_PERSIST, on_read, w);
    w->wr = event_new(t->base, s, EV_WRITE | EV_PERSIST, on_write, w);
    t->v[s] = w;
    if (!w->rd || !w->wr) {
        forget(t, s);
        return NULL;
    }
    return w;
}

int rt_csock_watch(rt_csock_table *t, curl_socket_t s, int what)
{
    if (what == CURL_POLL_REMOVE) { /* curl may close s right after this */
        csock *w = get(t, s);
        if (!w)
            return 0;
        w->want = 0;
        if (!w->conn) {
            forget(t, s); /* closed without a word (resolver socketpair): drop it now */
            return 0;
        }
        ev_off(w->wr, &w->wr_on); /* park: the read event stays for the next transfer */
        return 0;
    }
    csock *w = slot(t, s);
    if (!w)
        return -1;
    w->want = what & (CURL_POLL_IN | CURL_POLL_OUT);
    if (w->want & CURL_POLL_IN)
        ev_on(w->rd, &w->rd_on);
    else if (!w->conn)
        ev_off(w->rd, &w->rd_on); /* a connection's stays until it fires unwanted */
    if (w->want & CURL_POLL_OUT)
        ev_on(w->wr, &w->wr_on);
    else
        ev_off(w->wr, &w->wr_on);
    bool ok = (!(w->want & CURL_POLL_IN) || w->rd_on) && (!(w->want & CURL_POLL_OUT) || w->wr_on);
    return ok ? 0 : -1;
}

void rt_csock_opened(rt_csock_table *t, curl_socket_t s)
{
    forget(t, s); /* a stale slot of an fd closed without rt_csock_closing */
    csock *w = slot(t, s);
    if (w)
        w->conn = true;
}

void rt_csock_closing(rt_csock_table *t, curl_socket_t s)
{
    forget(t, s);
}

void rt_csock_free(rt_csock_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        forget(t, (curl_socket_t)i);
    free(t->v);
    free(t);
}
