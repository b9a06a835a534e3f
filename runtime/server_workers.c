/* `workers: N` support for the server: SO_REUSEPORT listeners (one per worker's evhttp) and
 * the lock that serializes the gateway's breaker/pool hooks across workers (world*.c state is
 * not thread-safe). */
#include <errno.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "server_impl.h"

static pthread_mutex_t gw_mu = PTHREAD_MUTEX_INITIALIZER;
static int (*gw_set_backend)(rt_req *r, str id);
static int (*gw_prepare_call)(rt_req *r, rt_http_req *hr);
static void (*gw_call_result)(rt_req *r, str backend_id, rt_tx_result res,
                              const rt_http_resp *resp);

static int locked_set_backend(rt_req *r, str id)
{
    pthread_mutex_lock(&gw_mu);
    int rc = gw_set_backend(r, id);
    pthread_mutex_unlock(&gw_mu);
    return rc;
}

static int locked_prepare_call(rt_req *r, rt_http_req *hr)
{
    pthread_mutex_lock(&gw_mu);
    int rc = gw_prepare_call(r, hr);
    pthread_mutex_unlock(&gw_mu);
    return rc;
}

static void locked_call_result(rt_req *r, str backend_id, rt_tx_result res,
                               const rt_http_resp *resp)
{
    pthread_mutex_lock(&gw_mu);
    gw_call_result(r, backend_id, res, resp);
    pthread_mutex_unlock(&gw_mu);
}

void srv_lock_gw_hooks(rt_world *w)
{
    /* the gateway's hooks are the same functions for every world and every configuration
     * generation (rt_gw_bind): they are recorded by the first call, from the main thread before
     * the workers start; later calls (worker threads, after a reload) only read them */
    if (w->set_backend && w->set_backend != locked_set_backend) {
        if (!gw_set_backend)
            gw_set_backend = w->set_backend;
        w->set_backend = locked_set_backend;
    }
    if (w->prepare_call && w->prepare_call != locked_prepare_call) {
        if (!gw_prepare_call)
            gw_prepare_call = w->prepare_call;
        w->prepare_call = locked_prepare_call;
    }
    if (w->call_result && w->call_result != locked_call_result) {
        if (!gw_call_result)
            gw_call_result = w->call_result;
        w->call_result = locked_call_result;
    }
}

static void accept_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    srv *s = arg;
    if (s->bound && !s->draining)
        evconnlistener_enable(evhttp_bound_socket_get_listener(s->bound));
}

/* libevent's default for a failing accept() (EMFILE, ENFILE, ENOBUFS...) is a warning, and
 * the still readable listening socket wakes the loop again at once: full CPU and a flood of
 * warnings for as long as the descriptors are out. */
static srv *guarded[256]; /* by worker: the error callback gets the evhttp, not the srv */
static pthread_mutex_t guarded_mu = PTHREAD_MUTEX_INITIALIZER;

static void accept_error(struct evconnlistener *l, void *arg)
{
    srv *s = NULL;
    pthread_mutex_lock(&guarded_mu);
    for (size_t i = 0; i < sizeof guarded / sizeof *guarded && !s; i++)
        if (guarded[i] && guarded[i]->http == arg)
            s = guarded[i];
    pthread_mutex_unlock(&guarded_mu);
    if (!s || !s->accept_pause)
        return;
    int e = EVUTIL_SOCKET_ERROR();
    time_t now = time(NULL);
    if (now - s->accept_logged >= 10) {
        s->accept_logged = now;
        fprintf(stderr, "apimlite serve: accepting a connection failed: %s (paused 100 ms)\n",
                evutil_socket_error_to_string(e));
    }
    evconnlistener_disable(l);
    struct timeval tv = { 0, 100000 };
    event_add(s->accept_pause, &tv);
}

int srv_guard_accept(srv *s)
{
    if (!s->accept_pause)
        s->accept_pause = evtimer_new(s->base, accept_resume, s);
    if (!s->accept_pause || s->worker < 0 || s->worker >= 256)
        return -1;
    pthread_mutex_lock(&guarded_mu);
    guarded[s->worker] = s;
    pthread_mutex_unlock(&guarded_mu);
    evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(s->bound), accept_error);
    return 0;
}

void srv_unguard_accept(srv *s)
{
    pthread_mutex_lock(&guarded_mu);
    if (s->worker >= 0 && s->worker < 256 && guarded[s->worker] == s)
        guarded[s->worker] = NULL;
    pthread_mutex_unlock(&guarded_mu);
}

struct evhttp_bound_socket *srv_bind_reuseport(struct evhttp *http, struct event_base *base,
                                               const char *host, int port, char *err, size_t errlen)
{
    struct evutil_addrinfo hints = { .ai_family = AF_UNSPEC,
                                     .ai_socktype = SOCK_STREAM,
                                     .ai_protocol = IPPROTO_TCP,
                                     .ai_flags = EVUTIL_AI_PASSIVE };
    struct evutil_addrinfo *ai = NULL;
    char ports[16];
    snprintf(ports, sizeof ports, "%d", port);
    int rc = evutil_getaddrinfo(host[0] ? host : "0.0.0.0", ports, &hints, &ai);
    if (rc != 0 || !ai) {
        snprintf(err, errlen, "cannot resolve '%s': %s", host, evutil_gai_strerror(rc));
        return NULL;
    }
    struct evconnlistener *l = evconnlistener_new_bind(
        base, NULL, NULL,
        LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
        -1, ai->ai_addr, (int)ai->ai_addrlen);
    int e = errno;
    evutil_freeaddrinfo(ai);
    if (!l) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port, strerror(e));
        return NULL;
    }
    struct evhttp_bound_socket *b = evhttp_bind_listener(http, l);
    if (!b) {
        evconnlistener_free(l);
        snprintf(err, errlen, "cannot listen on %s:%d", host, port);
    }
    return b;
}

static void *worker_main(void *arg)
{
    srv *s = arg;
    if (event_base_dispatch(s->base) < 0)
        s->failed = true;
    return NULL;
}

int srv_start_thread(srv *s)
{
    return pthread_create(&s->thread, NULL, worker_main, s) == 0 ? 0 : -1;
}

void srv_join_thread(srv *s)
{
    pthread_join(s->thread, NULL);
}

void srv_gw_lock(void)
{
    pthread_mutex_lock(&gw_mu);
}

void srv_gw_unlock(void)
{
    pthread_mutex_unlock(&gw_mu);
}
