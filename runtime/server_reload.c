/* Configuration generations of `apimlite serve` and SIGHUP reload (server.h).
 *
 * A generation is one loaded gateway (rt_gw) with a reference count: one reference for being
 * the published generation, one for each worker world (srv_world) made over it. Worker 0
 * loads the file again on SIGHUP (rt_gw_load, as at startup) and publishes the new generation
 * under pub_mu; every worker notices the new sequence number (one atomic load per request,
 * and on its 50 ms watch timer) and makes a world over it for new requests. The old world
 * stays with the requests that started on it (streams included) and is freed with the last
 * of them, releasing its generation; the last release frees the gateway, on whichever thread.
 *
 * The stores outlive generations: counters (memory and Redis), the metrics registry, caches,
 * log-to-eventhub sinks and the request log are the server's, so counters keyed by the same
 * names keep their values. Circuit breaker and pool state is the gateway's: a reload carries
 * it over (rt_gw_carry_state) for every backend the new configuration defines with the same
 * breaker rules / pool members, so a tripped backend stays skipped until its trip ends and a
 * pool's round-robin goes on; a breaker or pool whose definition changed starts fresh (the
 * reload says so on stderr), and backends that were removed are dropped with the old
 * generation. Results that requests still running on the old generation record after the
 * reload are not carried over. Settings that only take effect at startup
 * (listen, workers, tls, counters, state, logs.path, metrics.listen, loggers, tokenizer) keep
 * their startup values; a reload that changes one says that a restart is needed. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "server_impl.h"

struct srv_gen {
    rt_gw *gw;
    atomic_int refs;
    unsigned seq;
};

static pthread_mutex_t pub_mu = PTHREAD_MUTEX_INITIALIZER;
static srv_gen *published;  /* holds one reference */
static atomic_uint pub_seq; /* published->seq */

/* ---- restart-only settings ---- */

enum {
    K_LISTEN,
    K_WORKERS,
    K_TLS,
    K_COUNTERS,
    K_STATE,
    K_LOGS,
    K_METRICS,
    K_LOGGERS,
    K_TOKENIZER,
    K_COUNT
};
static const char *const key_names[K_COUNT] = { "listen",         "workers", "tls",
                                                "counters",       "state",   "logs.path",
                                                "metrics.listen", "loggers", "tokenizer" };
static char *boot[K_COUNT]; /* the startup values, as text */

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* Setting k of c as text (for comparison only; may contain paths, never secrets). */
static char *setting_text(const rt_config *c, int k)
{
    char b[8192];
    size_t n = 0;
    b[0] = '\0';
    switch (k) {
    case K_LISTEN:
        snprintf(b, sizeof b, "%d %.*s:%d", c->listen.set, STR_FMT(c->listen.host), c->listen.port);
        break;
    case K_WORKERS:
        snprintf(b, sizeof b, "%d", c->workers);
        break;
    case K_TLS:
        snprintf(b, sizeof b, "%d %s %s", c->tls.set, nz(c->tls.cert), nz(c->tls.key));
        break;
    case K_COUNTERS:
        snprintf(b, sizeof b, "%d %.*s", (int)c->counters, STR_FMT(c->redis_url));
        break;
    case K_STATE:
        snprintf(b, sizeof b, "%s", nz(c->state_path));
        break;
    case K_LOGS:
        snprintf(b, sizeof b, "%s", nz(c->log_path));
        break;
    case K_METRICS:
        snprintf(b, sizeof b, "%d %.*s:%d", c->metrics.set, STR_FMT(c->metrics.host),
                 c->metrics.port);
        break;
    case K_LOGGERS:
        for (size_t i = 0; i < c->nloggers && n < sizeof b; i++) {
            int w = snprintf(b + n, sizeof b - n, "%.*s=%s;", STR_FMT(c->loggers[i].id),
                             nz(c->loggers[i].file));
            n += w > 0 ? (size_t)w : 0;
        }
        break;
    case K_TOKENIZER:
        snprintf(b, sizeof b, "%s %s", nz(c->tokenizer_o200k), nz(c->tokenizer_cl100k));
        break;
    }
    return xstrdup(b);
}

/* ---- generations ---- */

rt_gw *srv_gen_gw(const srv_gen *g)
{
    return g->gw;
}

/* The published generation with one more reference (NULL when shutting down). */
static srv_gen *gen_ref_published(void)
{
    pthread_mutex_lock(&pub_mu);
    srv_gen *g = published;
    if (g)
        atomic_fetch_add(&g->refs, 1);
    pthread_mutex_unlock(&pub_mu);
    return g;
}

static void gen_unref(srv_gen *g)
{
    if (g && atomic_fetch_sub(&g->refs, 1) == 1) {
        rt_gw_free(g->gw);
        free(g);
    }
}

/* Makes g the published generation (taking over the caller's reference). */
static void publish(srv_gen *g)
{
    pthread_mutex_lock(&pub_mu);
    srv_gen *old = published;
    g->seq = old ? old->seq + 1 : 1;
    published = g;
    atomic_store_explicit(&pub_seq, g->seq, memory_order_release);
    pthread_mutex_unlock(&pub_mu);
    gen_unref(old);
}

int srv_gen_start(rt_gw *gw, char *err, size_t errlen)
{
    if (rt_gw_reset(gw, err, errlen) < 0)
        return -1;
    const rt_config *c = rt_gw_config(gw);
    for (int k = 0; k < K_COUNT; k++)
        boot[k] = setting_text(c, k);
    srv_gen *g = xcalloc(1, sizeof *g);
    g->gw = gw;
    atomic_init(&g->refs, 1);
    publish(g);
    return 0;
}

void srv_gen_end(void)
{
    pthread_mutex_lock(&pub_mu);
    srv_gen *g = published;
    published = NULL;
    pthread_mutex_unlock(&pub_mu);
    gen_unref(g);
    for (int k = 0; k < K_COUNT; k++) {
        free(boot[k]);
        boot[k] = NULL;
    }
}

/* ---- worker worlds ---- */

static void world_free(srv_world *sw)
{
    gen_unref(sw->gen);
    free(sw);
}

void srv_sync(srv *s)
{
    unsigned seq = atomic_load_explicit(&pub_seq, memory_order_acquire);
    if (s->cur && seq == s->seq)
        return;
    srv_gen *g = gen_ref_published();
    if (!g)
        return; /* shutting down */
    srv_world *sw = xcalloc(1, sizeof *sw);
    sw->w = s->w;
    sw->gen = g;
    srv_bind_world(s, &sw->w, g->gw);
    srv_world *old = s->cur;
    s->cur = sw;
    s->seq = g->seq;
    s->cfg = rt_gw_config(g->gw);
    if (!old)
        return;
    if (old->nreq == 0) {
        world_free(old);
    } else {
        old->next = s->retired;
        s->retired = old;
    }
}

srv_world *srv_world_take(srv *s)
{
    srv_sync(s);
    s->cur->nreq++;
    return s->cur;
}

void srv_world_drop(srv *s, srv_world *sw)
{
    if (!sw || --sw->nreq > 0 || sw == s->cur)
        return;
    for (srv_world **p = &s->retired; *p; p = &(*p)->next) {
        if (*p == sw) {
            *p = sw->next;
            world_free(sw);
            return;
        }
    }
}

void srv_worlds_free(srv *s)
{
    while (s->retired) {
        srv_world *sw = s->retired;
        s->retired = sw->next;
        world_free(sw);
    }
    if (s->cur)
        world_free(s->cur);
    s->cur = NULL;
}

/* ---- SIGHUP ---- */

static void carry_note(void *ud, const char *msg)
{
    (void)ud;
    fprintf(stderr, "apimlite serve: SIGHUP: %s\n", msg);
}

/* gw takes over the breaker and pool state of the published generation. */
static void carry_state(rt_gw *gw)
{
    srv_gen *old = gen_ref_published();
    if (!old)
        return;
    rt_gw_carry_state(gw, old->gw, carry_note, NULL);
    gen_unref(old);
}

void srv_reload(srv *s)
{
    if (s->draining)
        return;
    fprintf(stderr, "apimlite serve: SIGHUP: reloading %s\n", s->o->config);
    diag_list d;
    diag_list_init(&d);
    int io = 0;
    rt_gw *gw = rt_gw_load(s->o->config, NULL, &d, &io);
    diag_print(&d, stderr);
    diag_list_release(&d);
    char err[512];
    if (gw && rt_gw_reset(gw, err, sizeof err) < 0) {
        fprintf(stderr, "apimlite serve: %s\n", err);
        rt_gw_free(gw);
        gw = NULL;
    }
    if (!gw) {
        fprintf(stderr, "apimlite serve: SIGHUP: configuration not reloaded (errors above); "
                        "the previous one goes on serving\n");
        return;
    }
    const rt_config *c = rt_gw_config(gw);
    for (int k = 0; k < K_COUNT; k++) {
        char *now = setting_text(c, k);
        if (boot[k] && strcmp(now, boot[k]) != 0)
            fprintf(stderr,
                    "apimlite serve: SIGHUP: '%s' changed: it takes effect at the next restart "
                    "(the startup value stays in use)\n",
                    key_names[k]);
        free(now);
    }
    carry_state(gw);
    srv_gen *g = xcalloc(1, sizeof *g);
    g->gw = gw;
    atomic_init(&g->refs, 1);
    publish(g);
    fprintf(stderr, "apimlite serve: SIGHUP: configuration reloaded (generation %u)\n", g->seq);
    srv_sync(s);
}
