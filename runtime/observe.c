/* The observe bundle of a world: cache, loggers, metrics, and the test record of emissions. */
#include "observe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "req.h"
#include "world.h"

rt_observe *rt_observe_new(bool test)
{
    rt_observe *o = xcalloc(1, sizeof *o);
    o->cache = rt_cache_new(0);
    o->loggers = rt_loggers_new(test);
    o->metrics = rt_metrics_new(0);
    o->emitted = test ? json_array() : NULL;
    return o;
}

void rt_observe_free(rt_observe *o)
{
    if (!o)
        return;
    rt_cache_free(o->cache);
    rt_loggers_free(o->loggers);
    rt_metrics_free(o->metrics);
    json_decref(o->emitted);
    free(o);
}

int rt_observe_configure(rt_observe *o, const struct rt_config *c, char *err, size_t errlen)
{
    bool test = o->emitted != NULL;
    rt_loggers *l = rt_loggers_new(false);
    if (rt_loggers_configure(l, c, test, err, errlen) < 0) {
        rt_loggers_free(l);
        return -1;
    }
    rt_loggers_free(o->loggers);
    o->loggers = l;
    return 0;
}

/* Sets made for worlds without one: freed at exit. */
static rt_observe **orphans;
static size_t norphans;

static void free_orphans(void)
{
    for (size_t i = 0; i < norphans; i++)
        rt_observe_free(orphans[i]);
    free(orphans);
    orphans = NULL;
    norphans = 0;
}

rt_observe *rt_observe_of(const rt_world *w)
{
    if (w->obs)
        return w->obs;
    if (!norphans)
        atexit(free_orphans);
    orphans = xrealloc(orphans, (norphans + 1) * sizeof *orphans);
    rt_observe *o = orphans[norphans++] = rt_observe_new(true);
    /* a config-based test: its `loggers:` become memory sinks, other ids fail */
    char err[256];
    if (w->gateway && rt_observe_configure(o, rt_gw_config(w->gateway), err, sizeof err) < 0)
        fprintf(stderr, "apimlite: %s\n", err);
    /* the worlds that reach here (test runs) are never const objects */
    ((rt_world *)w)->obs = o;
    return o;
}

void rt_observe_mark(rt_observe *o)
{
    if (o->emitted)
        json_array_clear(o->emitted);
    rt_loggers_mark(o->loggers);
}

static json_t *jstr(str s)
{
    json_t *j = json_stringn(s.ptr ? s.ptr : "", s.len);
    return j ? j : json_string("?");
}

/* Label names already sanitized by this thread (dimension names repeat on every request):
 * input bytes -> rt_metrics_sanitize's output, direct-mapped by length and first byte. */
#define NAME_CACHE     32
#define NAME_CACHE_LEN 60

typedef struct name_memo {
    size_t inlen, outlen; /* inlen 0: empty slot */
    char in[NAME_CACHE_LEN], out[NAME_CACHE_LEN];
} name_memo;

static _Thread_local name_memo name_cache[NAME_CACHE];

/* rt_metrics_sanitize(in, n, out, cap) for cap == NAME_CACHE_LEN, remembered per thread */
static size_t sanitize_cached(const char *in, size_t n, char *out)
{
    if (!n || n > NAME_CACHE_LEN)
        return rt_metrics_sanitize(in, n, out, NAME_CACHE_LEN);
    name_memo *m = &name_cache[(n * 31 + (unsigned char)in[0]) % NAME_CACHE];
    if (m->inlen != n || memcmp(m->in, in, n)) {
        m->outlen = rt_metrics_sanitize(in, n, m->out, NAME_CACHE_LEN);
        memcpy(m->in, in, n);
        m->inlen = n;
    }
    memcpy(out, m->out, m->outlen + 1);
    return m->outlen;
}

int rt_observe_emit(rt_observe *o, const char *prom, rt_metric_kind kind, str metric, str ns,
                    const rt_label *dims, size_t n, double v)
{
    if (o->emitted) {
        json_t *d = json_object(), *e = json_object();
        for (size_t i = 0; i < n; i++) {
            char *k = strndup(dims[i].name.ptr ? dims[i].name.ptr : "", dims[i].name.len);
            if (k)
                json_object_set_new(d, k, jstr(dims[i].value));
            free(k);
        }
        json_object_set_new(e, "name", jstr(metric));
        json_object_set_new(e, "metric", json_string(prom));
        json_object_set_new(e, "namespace", jstr(ns));
        json_object_set_new(e, "labels", d);
        json_object_set_new(e, "value", json_real(v));
        json_array_append_new(o->emitted, e);
    }
    if (n > 32)
        return -1;
    rt_label labels[33];
    char names[33][NAME_CACHE_LEN + 4];
    labels[0] = (rt_label){ STR_LIT("namespace"), ns };
    for (size_t i = 0; i < n; i++) {
        size_t len = sanitize_cached(dims[i].name.ptr, dims[i].name.len, names[i + 1]);
        /* a label name taken twice gets _2, _3... */
        for (int suffix = 2;; suffix++) {
            bool taken = false;
            for (size_t k = 0; k <= i && !taken; k++)
                taken = str_eq(labels[k].name, str_make(names[i + 1], len));
            if (!taken || suffix > 33)
                break;
            snprintf(names[i + 1] + len - (suffix > 2 ? (suffix > 10 ? 3 : 2) : 0), 4, "_%d",
                     suffix);
            len = strlen(names[i + 1]);
        }
        labels[i + 1] = (rt_label){ str_make(names[i + 1], len), dims[i].value };
    }
    if (kind == RT_METRIC_COUNTER)
        return rt_metrics_counter_add(o->metrics, prom, labels, n + 1, v);
    return rt_metrics_observe(o->metrics, prom, labels, n + 1, v);
}
