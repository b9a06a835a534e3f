/* The in-memory cache (see cachestore.h): a chained hash table of byte entries plus a flat
 * list of vectors for the semantic cache; both share the byte budget. */
#include "cachestore.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

typedef struct entry {
    struct entry *next;
    char *key;
    size_t keylen;
    char *val;
    size_t vallen;
    int64_t expires;
    uint64_t seq; /* insertion order, for eviction */
    uint64_t hash;
} entry;

typedef struct ventry {
    char *part;
    size_t partlen;
    float *vec;
    size_t dim;
    double norm;
    char *val;
    size_t vallen;
    int64_t expires;
    uint64_t seq;
} ventry;

struct rt_cache {
    pthread_mutex_t mu;
    entry **tab;
    size_t cap, n; /* cap: power of two */
    ventry *v;
    size_t nv, capv;
    size_t bytes, max_bytes;
    uint64_t seq;
};

rt_cache *rt_cache_new(size_t max_bytes)
{
    rt_cache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    c->cap = 64;
    c->tab = xcalloc(c->cap, sizeof *c->tab);
    c->max_bytes = max_bytes ? max_bytes : RT_CACHE_DEFAULT_BYTES;
    return c;
}

static size_t entry_size(const entry *e)
{
    return e->keylen + e->vallen + sizeof *e;
}

static size_t ventry_size(const ventry *v)
{
    return v->partlen + v->vallen + v->dim * sizeof(float) + sizeof *v;
}

static void entry_free(entry *e)
{
    free(e->key);
    free(e->val);
    free(e);
}

static void ventry_release(ventry *v)
{
    free(v->part);
    free(v->vec);
    free(v->val);
}

void rt_cache_free(rt_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++) {
        for (entry *e = c->tab[i], *next; e; e = next) {
            next = e->next;
            entry_free(e);
        }
    }
    for (size_t i = 0; i < c->nv; i++)
        ventry_release(&c->v[i]);
    free(c->v);
    free(c->tab);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static uint64_t hash_of(str s)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < s.len; i++) {
        h ^= (unsigned char)s.ptr[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static entry **slot_of(rt_cache *c, str key, uint64_t h)
{
    entry **p = &c->tab[h & (c->cap - 1)];
    while (*p &&
           !((*p)->hash == h && (*p)->keylen == key.len && !memcmp((*p)->key, key.ptr, key.len)))
        p = &(*p)->next;
    return p;
}

static void unlink_entry(rt_cache *c, entry **p)
{
    entry *e = *p;
    *p = e->next;
    c->bytes -= entry_size(e);
    c->n--;
    entry_free(e);
}

static void remove_vec(rt_cache *c, size_t i)
{
    c->bytes -= ventry_size(&c->v[i]);
    ventry_release(&c->v[i]);
    c->v[i] = c->v[--c->nv];
}

/* Drops expired entries; then, while over budget, the oldest entry or vector. */
static void make_room(rt_cache *c, size_t need, int64_t now)
{
    if (c->bytes + need <= c->max_bytes)
        return;
    for (size_t i = 0; i < c->cap; i++) {
        for (entry **p = &c->tab[i]; *p;) {
            if ((*p)->expires <= now)
                unlink_entry(c, p);
            else
                p = &(*p)->next;
        }
    }
    for (size_t i = 0; i < c->nv;) {
        if (c->v[i].expires <= now)
            remove_vec(c, i);
        else
            i++;
    }
    while (c->bytes + need > c->max_bytes && (c->n || c->nv)) {
        entry **oldest = NULL;
        for (size_t i = 0; i < c->cap; i++) {
            for (entry **p = &c->tab[i]; *p; p = &(*p)->next) {
                if (!oldest || (*p)->seq < (*oldest)->seq)
                    oldest = p;
            }
        }
        size_t ov = c->nv;
        for (size_t i = 0; i < c->nv; i++) {
            if (ov == c->nv || c->v[i].seq < c->v[ov].seq)
                ov = i;
        }
        if (ov < c->nv && (!oldest || c->v[ov].seq < (*oldest)->seq))
            remove_vec(c, ov);
        else
            unlink_entry(c, oldest);
    }
}

static void grow(rt_cache *c)
{
    size_t nc = c->cap * 2;
    entry **nt = xcalloc(nc, sizeof *nt);
    for (size_t i = 0; i < c->cap; i++) {
        for (entry *e = c->tab[i], *next; e; e = next) {
            next = e->next;
            e->next = nt[e->hash & (nc - 1)];
            nt[e->hash & (nc - 1)] = e;
        }
    }
    free(c->tab);
    c->tab = nt;
    c->cap = nc;
}

int rt_cache_put(rt_cache *c, str key, str val, int64_t now_ms, int64_t expires_ms)
{
    size_t size = key.len + val.len + sizeof(entry);
    if (size > c->max_bytes)
        return -1;
    pthread_mutex_lock(&c->mu);
    uint64_t h = hash_of(key);
    entry **p = slot_of(c, key, h);
    if (*p)
        unlink_entry(c, p);
    make_room(c, size, now_ms);
    if (c->n + 1 > c->cap)
        grow(c);
    entry *e = xcalloc(1, sizeof *e);
    e->key = xmalloc(key.len + 1);
    memcpy(e->key, key.ptr, key.len);
    e->keylen = key.len;
    e->val = xmalloc(val.len + 1);
    if (val.len)
        memcpy(e->val, val.ptr, val.len);
    e->vallen = val.len;
    e->expires = expires_ms;
    e->seq = ++c->seq;
    e->hash = h;
    p = &c->tab[h & (c->cap - 1)];
    e->next = *p;
    *p = e;
    c->n++;
    c->bytes += entry_size(e);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

int rt_cache_get(rt_cache *c, str key, int64_t now_ms, arena *a, str *out)
{
    pthread_mutex_lock(&c->mu);
    int rc = 0;
    entry **p = slot_of(c, key, hash_of(key));
    if (*p && (*p)->expires <= now_ms) {
        unlink_entry(c, p);
    } else if (*p) {
        char *copy = arena_alloc(a, (*p)->vallen + 1);
        if (!copy) {
            rc = -1;
        } else {
            memcpy(copy, (*p)->val, (*p)->vallen);
            copy[(*p)->vallen] = 0;
            *out = str_make(copy, (*p)->vallen);
            rc = 1;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

bool rt_cache_remove(rt_cache *c, str key, int64_t now_ms)
{
    pthread_mutex_lock(&c->mu);
    entry **p = slot_of(c, key, hash_of(key));
    bool live = *p && (*p)->expires > now_ms;
    if (*p)
        unlink_entry(c, p);
    pthread_mutex_unlock(&c->mu);
    return live;
}

size_t rt_cache_count(rt_cache *c, int64_t now_ms)
{
    pthread_mutex_lock(&c->mu);
    size_t n = 0;
    for (size_t i = 0; i < c->cap; i++) {
        for (entry *e = c->tab[i]; e; e = e->next)
            n += e->expires > now_ms;
    }
    for (size_t i = 0; i < c->nv; i++)
        n += c->v[i].expires > now_ms;
    pthread_mutex_unlock(&c->mu);
    return n;
}

/* ---- vectors ---- */

static double norm_of(const float *v, size_t dim)
{
    double s = 0;
    for (size_t i = 0; i < dim; i++)
        s += (double)v[i] * (double)v[i];
    return sqrt(s);
}

int rt_cache_vec_put(rt_cache *c, str partition, const float *vec, size_t dim, str val,
                     int64_t now_ms, int64_t expires_ms)
{
    size_t size = partition.len + val.len + dim * sizeof(float) + sizeof(ventry);
    if (size > c->max_bytes || !dim)
        return -1;
    pthread_mutex_lock(&c->mu);
    make_room(c, size, now_ms);
    if (c->nv == c->capv) {
        c->capv = c->capv ? c->capv * 2 : 16;
        c->v = xrealloc(c->v, c->capv * sizeof *c->v);
    }
    ventry *v = &c->v[c->nv++];
    v->part = xmalloc(partition.len + 1);
    if (partition.len)
        memcpy(v->part, partition.ptr, partition.len);
    v->partlen = partition.len;
    v->vec = xmalloc(dim * sizeof *v->vec);
    memcpy(v->vec, vec, dim * sizeof *v->vec);
    v->dim = dim;
    v->norm = norm_of(vec, dim);
    v->val = xmalloc(val.len + 1);
    if (val.len)
        memcpy(v->val, val.ptr, val.len);
    v->vallen = val.len;
    v->expires = expires_ms;
    v->seq = ++c->seq;
    c->bytes += ventry_size(v);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

int rt_cache_vec_find(rt_cache *c, str partition, const float *vec, size_t dim, double max_distance,
                      int64_t now_ms, arena *a, str *out, double *distance)
{
    double qn = norm_of(vec, dim);
    pthread_mutex_lock(&c->mu);
    const ventry *best = NULL;
    double bd = 0;
    for (size_t i = 0; i < c->nv; i++) {
        const ventry *v = &c->v[i];
        if (v->expires <= now_ms || v->dim != dim || v->partlen != partition.len ||
            (partition.len && memcmp(v->part, partition.ptr, partition.len)))
            continue;
        double dot = 0;
        for (size_t k = 0; k < dim; k++)
            dot += (double)v->vec[k] * (double)vec[k];
        double d = v->norm > 0 && qn > 0 ? 1.0 - dot / (v->norm * qn) : 1.0;
        if (!best || d < bd) {
            best = v;
            bd = d;
        }
    }
    int rc = 0;
    *distance = best ? bd : -1;
    if (best && bd <= max_distance) {
        char *copy = arena_alloc(a, best->vallen + 1);
        if (!copy) {
            rc = -1;
        } else {
            memcpy(copy, best->val, best->vallen);
            copy[best->vallen] = 0;
            *out = str_make(copy, best->vallen);
            rc = 1;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}
