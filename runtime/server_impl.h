#ifndef RUNTIME_SERVER_IMPL_H
#define RUNTIME_SERVER_IMPL_H

/* Private to server*.c. */

#include <event2/event.h>
#include <event2/http.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "clock_event.h"
#include "counters.h"
#include "observe.h"
#include "req.h"
#include "reqlog.h"
#include "server.h"
#include "transport_curl.h"
#include "world.h"

typedef struct srv_req srv_req;
typedef struct srv_gen srv_gen;
typedef struct srv_conn srv_conn;
typedef struct ssl_ctx_st SSL_CTX;

/* A worker's world over one loaded configuration (server_reload.c): the worker's template
 * world (s->w: clock, transport, stores) with the generation's gateway bound. Requests hold
 * the world they started on; a world replaced by a reload is freed (and its generation
 * released) when its last request ends. */
typedef struct srv_world {
    rt_world w;
    srv_gen *gen;
    size_t nreq;            /* requests running on it */
    struct srv_world *next; /* s->retired */
} srv_world;

typedef struct srv srv;
struct srv {
    const rt_server_opts *o;
    const rt_config *cfg; /* the current configuration (the startup one during setup) */
    srv_world *cur;       /* the world new requests start on */
    srv_world *retired;   /* replaced worlds with requests still running */
    unsigned seq;         /* generation of cur */
    SSL_CTX *tls;         /* tls: (shared by the workers, owned by worker 0) */
    char *state_path;     /* worker 0: state: at startup (a reload does not change it) */
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
    /* the gateway's hooks (rt_gw_bind, the same for every generation), wrapped by the
     * server's */
    int (*gw_prepare)(rt_req *r, rt_http_req *hr);
    void (*gw_result)(rt_req *r, str backend_id, rt_tx_result res, const rt_http_resp *resp);
    struct event *sigterm, *sigint, *sighup, *tick, *deadline;
    struct event *accept_pause; /* accept() failed (EMFILE...): re-enables the listener */
    time_t accept_logged;       /* when such a failure was last logged */
    srv_req *inflight;          /* doubly linked */
    size_t ninflight;
    bool draining;
    int64_t last_save_ms;
    char addr[80], maddr[80];
    /* client connections (server_conn.c): all of them, and by socket */
    srv_conn *conns;
    srv_conn **conn_fd;
    size_t nconn_fd;
    struct event *conn_sweep;
    struct evbuffer *chunk; /* server_relay.c: a relayed piece on its way to evhttp */
};

struct srv_req {
    srv *s;
    srv_world *sw; /* the world (configuration generation) it runs on */
    struct evhttp_request *ev;
    rt_req *r;
    srv_req *prev, *next;
    bool replied;
    char ip[64];
    str host;              /* the client's Host (not forwarded to backends) */
    int64_t call_start;    /* current backend call */
    int64_t start_us;      /* srv_now_us() when the request arrived (latency histograms) */
    int64_t call_start_us; /* srv_now_us() at the start of the current backend call */
    int64_t backend_ms;    /* sum of backend call times */
    str backend_url, backend_id;
    int free_tries;
    bool streaming;   /* stream: the reply was started by the relay (chunked) */
    bool client_gone; /* stream: the client's connection closed during the reply */
    bool finished;    /* on_finish ran: on_free_later releases it */
    int relay_status; /* stream: the status sent to the client */
    srv_conn *conn;   /* its connection's watch (server_conn.c); NULL once it is gone */
};

/* server_workers.c: `workers: N`. Wraps the gateway's hooks of w (after rt_gw_bind) with one
 * process-wide mutex; binds http to HOST:PORT with SO_REUSEPORT (NULL with a message); runs
 * s's loop on a new thread (0 or -1) / joins it. */
void srv_lock_gw_hooks(rt_world *w);
struct evhttp_bound_socket *srv_bind_reuseport(struct evhttp *http, struct event_base *base,
                                               const char *host, int port, char *err,
                                               size_t errlen);
/* Guards s->bound (after it is bound): a failing accept() (out of descriptors or memory)
 * pauses accepting for 100 ms instead of spinning the loop; logged at most every 10 s. */
int srv_guard_accept(srv *s);
void srv_unguard_accept(srv *s); /* at teardown, before s->accept_pause is freed */
int srv_start_thread(srv *s);
void srv_join_thread(srv *s);
/* The lock of the wrapped hooks: hold it to read breaker / pool state (rt_gw.bk) from another
 * thread, e.g. when /metrics renders it (with workers: 1 there is no other thread). */
void srv_gw_lock(void);
void srv_gw_unlock(void);

/* server.c: binds gw to w (a copy of s->w) with the server's hooks around the gateway's. */
void srv_bind_world(srv *s, rt_world *w, rt_gw *gw);

/* server_reload.c: configuration generations and SIGHUP. srv_gen_start publishes the startup
 * gateway (taking it over) and remembers its restart-only settings; srv_sync brings s->cur to
 * the published generation (cheap when current: one atomic load); srv_world_take / _drop count
 * a request on s->cur / on the world it started on; srv_reload (worker 0, SIGHUP) loads the
 * configuration file again and publishes it, or prints its errors and keeps the old one;
 * srv_worlds_free releases a worker's worlds at teardown; srv_gen_end drops the published
 * generation (after every worker's teardown). */
int srv_gen_start(rt_gw *gw, char *err, size_t errlen);
void srv_sync(srv *s);
srv_world *srv_world_take(srv *s);
void srv_world_drop(srv *s, srv_world *sw);
void srv_reload(srv *s);
void srv_worlds_free(srv *s);
void srv_gen_end(void);
rt_gw *srv_gen_gw(const srv_gen *g);

/* server_refuse.c: hop-by-hop header names; text without CR, LF or NUL; a 500 instead of a
 * response whose headers (from policies) hold CR/LF (true when it happened: r's failure is set
 * for the log); APIM's JSON error reply; the method's name (NULL: unsupported); the size of the
 * request line and headers; a refused request (431 / 400): logged, answered, q freed. */
bool srv_hop_by_hop(str name);
bool srv_clean_text(str s);
bool srv_refuse_bad_headers(srv_req *q, const rt_hdr *lines, size_t n);
void srv_reply_error(struct evhttp_request *ev, int status, const char *msg);
const char *srv_method_name(enum evhttp_cmd_type c);
size_t srv_header_bytes(struct evhttp_request *ev);
void srv_refuse(srv_req *q, int status, const char *reason, const char *msg);

/* server.c: the server request of r (NULL for requests that are not the server's). */
srv_req *srv_req_of(rt_req *r);

/* server_relay.c: the relay of streamed replies (s->w.relay); srv_relay_stop when the stream
 * ends (the client's going no longer matters). */
extern const rt_relay srv_relay;
void srv_relay_stop(srv_req *q);

/* server_tls.c: the SSL_CTX of c's tls: (TLS 1.2+, forward-secret AEAD ciphers for 1.2); NULL
 * with a message at the YAML value (file:line:col: error: ...). srv_tls_bev is a server-side TLS
 * bufferevent for a new connection (every worker, one shared ctx). */
SSL_CTX *srv_tls_new(const rt_config *c, char *err, size_t errlen);
void srv_tls_free(SSL_CTX *ctx);
struct bufferevent *srv_tls_bev(struct event_base *base, SSL_CTX *ctx);

/* server_conn.c: every client connection of s is watched from its first byte: a request must
 * arrive whole within client_timeout of its first byte (else the socket is shut down, logged
 * 408), and replies libevent sends by itself (400, 413, 501) are logged and counted.
 * srv_conns_serve installs it on s->http (before binding; TLS too); srv_conn_begin / _end
 * bracket a request's life in the gateway (on_request / free); a streamed reply's client
 * going away sets q->client_gone; srv_conns_free after evhttp_free. */
int srv_conns_serve(srv *s);
void srv_conn_begin(srv_req *q);
void srv_conn_end(srv_req *q);
void srv_conns_free(srv *s);
/* server_refuse.c: the request log line (or stderr line) and the client-errors counter of a
 * client error answered or cut without a request (ip: the client's address). */
void srv_log_client_error(srv *s, const char *ip, int status, const char *reason, const char *msg);

/* server_obs.c: metrics families, per-call and per-request samples, /metrics. */
void srv_metrics_declare(rt_metrics *m);
void srv_metrics_call(srv *s, str backend_id, rt_tx_result res, int status, int64_t us);
void srv_metrics_request(srv *s, rt_req *r, int64_t total_us);
/* CLOCK_MONOTONIC in microseconds (latency measurements only; never the rt_clock) */
static inline int64_t srv_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
int srv_metrics_listen(srv *s, char *err, size_t errlen);
/* "HOST:PORT" of a bound socket into out. */
void srv_bound_addr(struct evhttp_bound_socket *h, char *out, size_t cap);
/* Splits "HOST:PORT" / "[V6]:PORT" / ":PORT". Returns 0 or -1. */
int srv_split_addr(const char *s, char *host, size_t hcap, int *port);

#endif
