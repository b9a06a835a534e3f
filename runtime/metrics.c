/* The metrics registry and its Prometheus text renderer (see metrics.h). Families live in an
 * array in creation order; each family's series are an array in creation order plus an open
 * addressing index over a hash of their (sorted) label set. */
#include "metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

typedef struct series {
    char *key; /* name\0value\0... of the sorted labels (keylen bytes) */
    size_t keylen;
    rt_label *labels; /* sorted by name, pointing into key */
    size_t nlabels;
    double value; /* counter/gauge value, or histogram/summary sum */
    double count;
    double *buckets; /* histogram: per bound (not cumulative) */
    uint64_t hash;
} series;

typedef struct family {
    char *name, *help;
    rt_metric_kind kind;
    double *bounds;
    size_t nbounds;
    series *s;
    size_t n, cap;
    size_t *index; /* 0 = empty, else series index + 1 */
    size_t icap;   /* power of two */
    /* update's last two series (index + 1; 0: none) and the order of the labels of the call
     * that found them: its label i was the series' labels[perm[i]]. A call with the same labels
     * in the same order finds the series without building a key (most updates repeat one of
     * the previous two: a pool alternates between two backends). */
    struct {
        size_t idx, n;
        uint8_t perm[64];
    } last[2];
    unsigned last_next; /* the slot replaced next */
} family;

#define FAMILY_MEMO 16

struct rt_metrics {
    pthread_mutex_t mu;
    struct {
        const char *name; /* a name pointer find_family was called with */
        size_t index;     /* its family */
    } memo[FAMILY_MEMO];
    family *f;
    size_t nf, capf;
    size_t max_series, max_per_family, nseries;
    size_t dropped;
};

static const double default_bounds[] = { .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10 };

rt_metrics *rt_metrics_new(size_t max_series)
{
    rt_metrics *m = xcalloc(1, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    m->max_series = max_series ? max_series : RT_METRICS_DEFAULT_SERIES;
    m->max_per_family = m->max_series / 4 ? m->max_series / 4 : 1;
    return m;
}

void rt_metrics_free(rt_metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nf; i++) {
        family *f = &m->f[i];
        for (size_t k = 0; k < f->n; k++) {
            free(f->s[k].key);
            free(f->s[k].labels);
            free(f->s[k].buckets);
        }
        free(f->s);
        free(f->index);
        free(f->name);
        free(f->help);
        free(f->bounds);
    }
    free(m->f);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool valid_name(const char *s, bool label)
{
    if (!s || !*s || !(is_alpha(*s) || (!label && *s == ':')))
        return false;
    if (label && s[0] == '_' && s[1] == '_')
        return false;
    for (const char *p = s + 1; *p; p++) {
        if (!is_alpha(*p) && !is_digit(*p) && (label || *p != ':'))
            return false;
    }
    return true;
}

/* 1 for the bytes of a label name: [A-Za-z0-9_] */
static const unsigned char label_char[256] = {
    ['0' ... '9'] = 1,
    ['A' ... 'Z'] = 1,
    ['_'] = 1,
    ['a' ... 'z'] = 1,
};

static bool valid_label(str name)
{
    /* valid_name(name, true) on the bytes, without a NUL-terminated copy */
    if (!name.len || name.len > 200 || !is_alpha(name.ptr[0]))
        return false;
    if (name.len > 1 && name.ptr[0] == '_' && name.ptr[1] == '_')
        return false;
    for (size_t i = 1; i < name.len; i++) {
        if (!label_char[(unsigned char)name.ptr[i]])
            return false;
    }
    return true;
}

static family *find_family(rt_metrics *m, const char *name)
{
    /* callers pass the same literal every time: the family last found for this pointer is
     * tried first (and still compared: a pointer may be reused for another name) */
    size_t h = ((uintptr_t)name >> 3) % FAMILY_MEMO;
    if (m->memo[h].name == name && m->memo[h].index < m->nf &&
        !strcmp(m->f[m->memo[h].index].name, name))
        return &m->f[m->memo[h].index];
    for (size_t i = 0; i < m->nf; i++) {
        if (!strcmp(m->f[i].name, name)) {
            m->memo[h].name = name;
            m->memo[h].index = i;
            return &m->f[i];
        }
    }
    return NULL;
}

static int set_bounds(family *f, const double *bounds, size_t n)
{
    if (!bounds || !n) {
        bounds = default_bounds;
        n = sizeof default_bounds / sizeof *default_bounds;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(bounds[i]) || (i && bounds[i] <= bounds[i - 1]))
            return -1;
    }
    f->bounds = xmalloc(n * sizeof *f->bounds);
    memcpy(f->bounds, bounds, n * sizeof *f->bounds);
    f->nbounds = n;
    return 0;
}

/* The family name of kind (created when absent). NULL on a bad name or a kind conflict. */
static family *get_family(rt_metrics *m, const char *name, rt_metric_kind kind, bool any_obs)
{
    family *f = find_family(m, name);
    if (f) {
        if (f->kind == kind)
            return f;
        if (any_obs && (f->kind == RT_METRIC_HISTOGRAM || f->kind == RT_METRIC_SUMMARY))
            return f;
        return NULL;
    }
    if (!valid_name(name, false) || strlen(name) > 200)
        return NULL;
    if (m->nf == m->capf) {
        m->capf = m->capf ? m->capf * 2 : 16;
        m->f = xrealloc(m->f, m->capf * sizeof *m->f);
    }
    f = &m->f[m->nf];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    if (kind == RT_METRIC_HISTOGRAM && set_bounds(f, NULL, 0) < 0)
        return NULL;
    f->name = xstrdup(name);
    m->nf++;
    return f;
}

int rt_metrics_declare(rt_metrics *m, const char *name, rt_metric_kind kind, const char *help,
                       const double *bounds, size_t nbounds)
{
    pthread_mutex_lock(&m->mu);
    int rc = -1;
    family *f = find_family(m, name);
    if (f && f->kind != kind)
        goto out;
    if (!f) {
        if (kind == RT_METRIC_HISTOGRAM && bounds && nbounds) {
            family probe = { 0 };
            if (set_bounds(&probe, bounds, nbounds) < 0)
                goto out;
            free(probe.bounds);
        }
        f = get_family(m, name, kind, false);
        if (!f)
            goto out;
        if (kind == RT_METRIC_HISTOGRAM && bounds && nbounds) {
            free(f->bounds);
            set_bounds(f, bounds, nbounds);
        }
    }
    if (help) {
        free(f->help);
        f->help = xstrdup(help);
    }
    rc = 0;
out:
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static int cmp_label(const void *a, const void *b)
{
    const rt_label *x = a, *y = b;
    return str_cmp(x->name, y->name);
}

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a, 8 bytes at a time */
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 1099511628211ULL;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h ^ (h >> 32); /* the index uses the low bits */
}

/* A label set as a lookup key: the labels sorted by name, "name\0value\0" each. Built before
 * the registry's lock is taken, on the stack when it fits (no allocation per sample). */
typedef struct mkey {
    rt_label tmp[64]; /* sorted; values never NULL */
    uint8_t perm[64]; /* the caller's label i is tmp[perm[i]] */
    size_t n;
    char *key; /* stack or heap */
    size_t len;
    uint64_t hash;
    char stack[512];
} mkey;

static void mkey_release(mkey *k)
{
    if (k->key && k->key != k->stack)
        free(k->key);
    k->key = NULL;
}

/* -1 on bad labels (invalid or repeated names, more than 64) */
static int make_key(const rt_label *labels, size_t n, mkey *k)
{
    k->key = NULL;
    if (n > 64)
        return -1;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!valid_label(labels[i].name))
            return -1;
        k->tmp[i] = labels[i];
        if (!k->tmp[i].value.ptr)
            k->tmp[i].value = STR_LIT("");
        total += k->tmp[i].name.len + k->tmp[i].value.len + 2;
    }
    k->n = n;
    /* insertion sort: label sets are small; orig[j] is the caller's index of tmp[j] */
    uint8_t orig[64];
    for (size_t i = 0; i < n; i++)
        orig[i] = (uint8_t)i;
    for (size_t i = 1; i < n; i++) {
        rt_label x = k->tmp[i];
        uint8_t xi = orig[i];
        size_t j = i;
        for (; j > 0 && cmp_label(&k->tmp[j - 1], &x) > 0; j--) {
            k->tmp[j] = k->tmp[j - 1];
            orig[j] = orig[j - 1];
        }
        k->tmp[j] = x;
        orig[j] = xi;
    }
    for (size_t j = 0; j < n; j++)
        k->perm[orig[j]] = (uint8_t)j;
    for (size_t i = 1; i < n; i++) {
        if (str_eq(k->tmp[i].name, k->tmp[i - 1].name))
            return -1;
    }
    char *p = total + 1 <= sizeof k->stack ? k->stack : xmalloc(total + 1);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(p + off, k->tmp[i].name.ptr, k->tmp[i].name.len);
        off += k->tmp[i].name.len;
        p[off++] = 0;
        memcpy(p + off, k->tmp[i].value.ptr, k->tmp[i].value.len);
        off += k->tmp[i].value.len;
        p[off++] = 0;
    }
    k->key = p;
    k->len = off;
    k->hash = fnv(p, off);
    return 0;
}

static void reindex(family *f)
{
    size_t cap = f->icap ? f->icap * 2 : 16;
    while (cap < f->n * 2)
        cap *= 2;
    free(f->index);
    f->index = xcalloc(cap, sizeof *f->index);
    f->icap = cap;
    for (size_t i = 0; i < f->n; i++) {
        size_t j = f->s[i].hash & (cap - 1);
        while (f->index[j])
            j = (j + 1) & (cap - 1);
        f->index[j] = i + 1;
    }
}

static series *lookup(family *f, const char *key, size_t len, uint64_t h)
{
    if (!f->icap)
        return NULL;
    for (size_t j = h & (f->icap - 1); f->index[j]; j = (j + 1) & (f->icap - 1)) {
        series *s = &f->s[f->index[j] - 1];
        if (s->hash == h && s->keylen == len && !memcmp(s->key, key, len))
            return s;
    }
    return NULL;
}

/* The series of key k in f, created when absent (NULL: cap reached). */
static series *get_series(rt_metrics *m, family *f, const mkey *k, bool create)
{
    series *s = lookup(f, k->key, k->len, k->hash);
    if (s || !create)
        return s;
    if (m->nseries >= m->max_series || f->n >= m->max_per_family) {
        m->dropped++;
        return NULL;
    }
    /* the series keeps its own copy of the key; its sorted labels point into it */
    char *key = xmalloc(k->len ? k->len : 1);
    memcpy(key, k->key, k->len);
    rt_label *sorted = xmalloc((k->n ? k->n : 1) * sizeof *sorted);
    size_t off = 0;
    for (size_t i = 0; i < k->n; i++) {
        sorted[i].name = str_make(key + off, k->tmp[i].name.len);
        off += k->tmp[i].name.len + 1;
        sorted[i].value = str_make(key + off, k->tmp[i].value.len);
        off += k->tmp[i].value.len + 1;
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->s = xrealloc(f->s, f->cap * sizeof *f->s);
    }
    s = &f->s[f->n++];
    *s = (series){
        .key = key, .keylen = k->len, .labels = sorted, .nlabels = k->n, .hash = k->hash
    };
    if (f->kind == RT_METRIC_HISTOGRAM)
        s->buckets = xcalloc(f->nbounds ? f->nbounds : 1, sizeof *s->buckets);
    m->nseries++;
    if (f->n * 2 > f->icap)
        reindex(f);
    else {
        size_t j = k->hash & (f->icap - 1);
        while (f->index[j])
            j = (j + 1) & (f->icap - 1);
        f->index[j] = f->n;
    }
    return s;
}

enum op { OP_ADD, OP_SET, OP_OBSERVE };

/* One of f's last series when labels are the same as in that update, in the same order. */
static series *last_series(family *f, const rt_label *labels, size_t n)
{
    for (int k = 0; k < 2; k++) {
        if (!f->last[k].idx || f->last[k].n != n)
            continue;
        series *s = &f->s[f->last[k].idx - 1];
        if (s->nlabels != n)
            continue;
        size_t i = 0;
        for (; i < n; i++) {
            const rt_label *o = &s->labels[f->last[k].perm[i]];
            str value = labels[i].value.ptr ? labels[i].value : STR_LIT("");
            if (!str_eq(labels[i].name, o->name) || !str_eq(value, o->value))
                break;
        }
        if (i == n)
            return s;
    }
    return NULL;
}

static void remember(family *f, series *s, const mkey *k)
{
    unsigned slot = f->last_next++ & 1;
    f->last[slot].idx = (size_t)(s - f->s) + 1;
    f->last[slot].n = k->n;
    memcpy(f->last[slot].perm, k->perm, k->n);
}

static int update(rt_metrics *m, const char *name, rt_metric_kind kind, enum op op,
                  const rt_label *labels, size_t n, double v)
{
    if (!name || isnan(v) || (kind == RT_METRIC_COUNTER && v < 0))
        return -1;
    mkey k;
    k.key = NULL;
    int rc = -1;
    pthread_mutex_lock(&m->mu);
    family *f = get_family(m, name, kind, op == OP_OBSERVE); /* also with bad labels */
    series *s = f ? last_series(f, labels, n) : NULL;
    if (f && !s) {
        /* the key is built outside the lock */
        pthread_mutex_unlock(&m->mu);
        bool good = make_key(labels, n, &k) == 0;
        pthread_mutex_lock(&m->mu);
        f = get_family(m, name, kind, op == OP_OBSERVE);
        s = f && good ? get_series(m, f, &k, true) : NULL;
        if (s)
            remember(f, s, &k);
    }
    if (s) {
        rc = 0;
        if (op == OP_SET) {
            s->value = v;
        } else if (op == OP_ADD) {
            s->value += v;
        } else {
            s->value += v;
            s->count += 1;
            for (size_t i = 0; f->kind == RT_METRIC_HISTOGRAM && i < f->nbounds; i++) {
                if (v <= f->bounds[i]) {
                    s->buckets[i] += 1;
                    break;
                }
            }
        }
    }
    pthread_mutex_unlock(&m->mu);
    mkey_release(&k);
    return rc;
}

int rt_metrics_counter_add(rt_metrics *m, const char *name, const rt_label *labels, size_t n,
                           double v)
{
    return update(m, name, RT_METRIC_COUNTER, OP_ADD, labels, n, v);
}

int rt_metrics_gauge_set(rt_metrics *m, const char *name, const rt_label *labels, size_t n,
                         double v)
{
    return update(m, name, RT_METRIC_GAUGE, OP_SET, labels, n, v);
}

int rt_metrics_gauge_add(rt_metrics *m, const char *name, const rt_label *labels, size_t n,
                         double v)
{
    return update(m, name, RT_METRIC_GAUGE, OP_ADD, labels, n, v);
}

int rt_metrics_observe(rt_metrics *m, const char *name, const rt_label *labels, size_t n, double v)
{
    return update(m, name, RT_METRIC_SUMMARY, OP_OBSERVE, labels, n, v);
}

int rt_metrics_get(rt_metrics *m, const char *name, const rt_label *labels, size_t n, double *value,
                   double *count)
{
    mkey k;
    if (make_key(labels, n, &k) < 0)
        return -1;
    pthread_mutex_lock(&m->mu);
    int rc = -1;
    family *f = find_family(m, name);
    series *s = f ? get_series(m, f, &k, false) : NULL;
    if (s) {
        *value = s->value;
        if (count)
            *count = f->kind == RT_METRIC_HISTOGRAM || f->kind == RT_METRIC_SUMMARY ? s->count : 1;
        rc = 0;
    }
    pthread_mutex_unlock(&m->mu);
    mkey_release(&k);
    return rc;
}

size_t rt_metrics_dropped(rt_metrics *m)
{
    pthread_mutex_lock(&m->mu);
    size_t d = m->dropped;
    pthread_mutex_unlock(&m->mu);
    return d;
}

/* ---- rendering ---- */

static void fmt_number(char *out, size_t cap, double v)
{
    if (isnan(v))
        snprintf(out, cap, "NaN");
    else if (isinf(v))
        snprintf(out, cap, "%s", v > 0 ? "+Inf" : "-Inf");
    else {
        snprintf(out, cap, "%.15g", v);
        if (strtod(out, NULL) != v)
            snprintf(out, cap, "%.17g", v);
    }
}

static void put_number(buf *b, double v)
{
    char tmp[40];
    fmt_number(tmp, sizeof tmp, v);
    buf_puts(b, tmp);
}

static void put_escaped(buf *b, str s, bool help)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c == '\\')
            buf_puts(b, "\\\\");
        else if (c == '\n')
            buf_puts(b, "\\n");
        else if (c == '"' && !help)
            buf_puts(b, "\\\"");
        else
            buf_putc(b, c);
    }
}

/* name{labels[,le="x"]} value */
static void put_sample(buf *b, const char *name, const char *suffix, const series *s,
                       const char *le, double v)
{
    buf_puts(b, name);
    buf_puts(b, suffix);
    if (s->nlabels || le) {
        buf_putc(b, '{');
        for (size_t i = 0; i < s->nlabels; i++) {
            if (i)
                buf_putc(b, ',');
            buf_append(b, s->labels[i].name.ptr, s->labels[i].name.len);
            buf_puts(b, "=\"");
            put_escaped(b, s->labels[i].value, false);
            buf_putc(b, '"');
        }
        if (le)
            buf_printf(b, "%sle=\"%s\"", s->nlabels ? "," : "", le);
        buf_putc(b, '}');
    }
    buf_putc(b, ' ');
    put_number(b, v);
    buf_putc(b, '\n');
}

static void render_family(buf *b, const family *f)
{
    static const char *const types[] = { "counter", "gauge", "histogram", "summary" };
    if (f->help) {
        buf_printf(b, "# HELP %s ", f->name);
        put_escaped(b, str_from(f->help), true);
        buf_putc(b, '\n');
    }
    buf_printf(b, "# TYPE %s %s\n", f->name, types[f->kind]);
    for (size_t i = 0; i < f->n; i++) {
        const series *s = &f->s[i];
        if (f->kind == RT_METRIC_COUNTER || f->kind == RT_METRIC_GAUGE) {
            put_sample(b, f->name, "", s, NULL, s->value);
            continue;
        }
        if (f->kind == RT_METRIC_HISTOGRAM) {
            double cum = 0;
            for (size_t k = 0; k < f->nbounds; k++) {
                char le[40];
                fmt_number(le, sizeof le, f->bounds[k]);
                cum += s->buckets[k];
                put_sample(b, f->name, "_bucket", s, le, cum);
            }
            put_sample(b, f->name, "_bucket", s, "+Inf", s->count);
        }
        put_sample(b, f->name, "_sum", s, NULL, s->value);
        put_sample(b, f->name, "_count", s, NULL, s->count);
    }
}

int rt_metrics_render(rt_metrics *m, buf *out)
{
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->nf; i++)
        render_family(out, &m->f[i]);
    buf_puts(out, "# HELP apimlite_metrics_dropped_total Samples dropped by the series caps.\n"
                  "# TYPE apimlite_metrics_dropped_total counter\n");
    int rc = buf_printf(out, "apimlite_metrics_dropped_total %zu\n", m->dropped);
    pthread_mutex_unlock(&m->mu);
    return rc < 0 ? -1 : 0;
}

size_t rt_metrics_sanitize(const char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    bool pending = false; /* a separator to write before the next letter or digit */
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        char c = in[i];
        bool up = c >= 'A' && c <= 'Z';
        if (!is_alpha(c) && !is_digit(c)) {
            pending = o > 0;
            continue;
        }
        if (c == '_') {
            pending = o > 0;
            continue;
        }
        /* camelCase: a capital after a lower-case letter or digit starts a word */
        if (up && i > 0 && o > 0 && ((in[i - 1] >= 'a' && in[i - 1] <= 'z') || is_digit(in[i - 1])))
            pending = true;
        if (pending && o > 0)
            out[o++] = '_';
        pending = false;
        if (o == 0 && is_digit(c))
            out[o++] = '_';
        out[o++] = up ? (char)(c + 32) : c;
    }
    if (!o && cap >= 2)
        out[o++] = '_';
    out[o] = 0;
    return o;
}
