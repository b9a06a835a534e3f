#ifndef RUNTIME_SERVER_IMPL_H
#define RUNTIME_SERVER_IMPL_H

/* Private to server*.c. */

#include <event2/event.h>
#include <event2/http.h>
#include <pthread.h>
#include <stdbool.h>

#include "clock_event.h"
#include "counters.h"
#include "observe.h"
#include "req.h"
#include "reqlog.h"
#include "server.h"
#include "transport_curl.h"
#include "world.h"

typedef struct srv_req srv_req;

typedef struct srv srv;
struct srv {
    const rt_server_opts *o;
    rt_gw *gw;
    const rt_config *cfg;
    /* workers: N: one srv per worker; worker 0 runs on the main thread and owns the shared
     * parts (local store, obs, log, metrics, signals, state saving); the others borrow them */
    int worker, nworkers;
    struct srv *peer0; /* worker 0 */
    pthread_t thread;
    bool failed;
    struct event *watch;        /* workers > 0: watches the shutdown flag */
    rt_counter_store *counters; /* what requests use: the Redis store or local */
    rt_counter_store *local;    /* the memory store (Redis's fallback; state: file) */
    struct rt_idp *idp;         /* managed identity (identity.h) */
    rt_observe *obs;
    struct rt_oidc_cache *oidc;
    rt_reqlog *log;
    struct event_base *base;
    struct evhttp *http, *mhttp;
    struct evhttp_bound_socket *bound;
    rt_curl *curl;
    rt_evclock *clock;
    rt_world w;
    /* the gateway's hooks (rt_gw_bind), wrapped by the server's */
    int (*gw_prepare)(rt_req *r, rt_http_req *hr);
    void (*gw_result)(rt_req *r, str backend_id, rt_tx_result res, const rt_http_resp *resp);
    struct event *sigterm, *sigint, *tick, *deadline;
    srv_req *inflight; /* doubly linked */
    size_t ninflight;
    bool draining;
    int64_t last_save_ms;
    char addr[80], maddr[80];
};

struct srv_req {
    srv *s;
    struct evhttp_request *ev;
    rt_req *r;
    srv_req *prev, *next;
    bool replied;
    char ip[64];
    str host;           /* the client's Host (not forwarded to backends) */
    int64_t call_start; /* current backend call */
    int64_t backend_ms; /* sum of backend call times */
    str backend_url, backend_id;
    int free_tries;
    bool streaming;   /* stream: the reply was started by the relay (chunked) */
    bool client_gone; /* stream: the client's connection closed during the reply */
};

/* server_workers.c: `workers: N`. Wraps the gateway's hooks of w (after rt_gw_bind) with one
 * process-wide mutex; binds http to HOST:PORT with SO_REUSEPORT (NULL with a message); runs
 * s's loop on a new thread (0 or -1) / joins it. */
void srv_lock_gw_hooks(rt_world *w);
struct evhttp_bound_socket *srv_bind_reuseport(struct evhttp *http, struct event_base *base,
                                               const char *host, int port, char *err,
                                               size_t errlen);
int srv_start_thread(srv *s);
void srv_join_thread(srv *s);

/* server_obs.c: metrics families, per-call and per-request samples, /metrics. */
void srv_metrics_declare(rt_metrics *m);
void srv_metrics_call(srv *s, str backend_id, rt_tx_result res, int status, int64_t ms);
void srv_metrics_request(srv *s, rt_req *r, int64_t backend_ms);
int srv_metrics_listen(srv *s, char *err, size_t errlen);
/* "HOST:PORT" of a bound socket into out. */
void srv_bound_addr(struct evhttp_bound_socket *h, char *out, size_t cap);
/* Splits "HOST:PORT" / "[V6]:PORT" / ":PORT". Returns 0 or -1. */
int srv_split_addr(const char *s, char *host, size_t hcap, int *port);

#endif
