/* OpenID configuration documents for validate-jwt / validate-azure-ad-token: fetched through
 * the transport (metadata, then its jwks_uri), cached per URL in the world (oidc.h). */
#include <stdlib.h>
#include <string.h>

#include "../base/xalloc.h"
#include "jwt_int.h"

#define OIDC_TTL_MS     (60LL * 60 * 1000) /* configuration and JWKS kept 1 hour */
#define OIDC_RETRY_MS   (5LL * 60 * 1000)  /* unknown kid / failure: refetch at most every 5 min */
#define OIDC_TIMEOUT_MS 30000LL
#define OIDC_MAX_URLS   256 /* cache entries; beyond, the oldest is dropped */

typedef struct oidc_entry {
    char *url;
    rt_oidc_doc *doc; /* NULL until a fetch succeeded */
    int64_t last_try_ms;
    bool tried;
} oidc_entry;

struct rt_oidc_cache {
    oidc_entry *e;
    size_t n, cap;
};

static void doc_unref(rt_oidc_doc *d)
{
    if (!d || --d->refs > 0)
        return;
    free(d->url);
    free(d->issuer);
    rt_jwtv_keyset_free(d->keys);
    free(d);
}

static void doc_unref_cb(void *p)
{
    doc_unref(p);
}

rt_oidc_cache *rt_oidc_cache_new(void)
{
    return xcalloc(1, sizeof(rt_oidc_cache));
}

void rt_oidc_cache_free(rt_oidc_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].url);
        doc_unref(c->e[i].doc);
    }
    free(c->e);
    free(c);
}

static oidc_entry *entry_of(rt_oidc_cache *c, str url)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->n; i++) {
        if (strlen(c->e[i].url) == url.len && !memcmp(c->e[i].url, url.ptr, url.len))
            return &c->e[i];
    }
    if (c->n == OIDC_MAX_URLS) {
        free(c->e[0].url);
        doc_unref(c->e[0].doc);
        memmove(c->e, c->e + 1, (c->n - 1) * sizeof *c->e);
        c->n--;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->e = xrealloc(c->e, c->cap * sizeof *c->e);
    }
    oidc_entry *e = &c->e[c->n++];
    *e = (oidc_entry){ .url = xstrndup(url.ptr, url.len) };
    return e;
}

/* ---- a resolution ---- */

typedef struct oidc_job {
    rt_req *r;
    const rt_wake *w;
    const str *urls;
    size_t n, i;
    bool refetch, suspended;
    rt_oidc_doc **docs;
    rt_oidc_done done;
    void *ud;
    rt_tx_call *call;
    int phase;  /* 0: the configuration document, 1: its JWKS */
    str issuer; /* of the document being fetched (request arena) */
} oidc_job;

static int hold(rt_req *r, rt_oidc_doc *d)
{
    if (!d)
        return 0;
    if (arena_defer(&r->arena, doc_unref_cb, d) < 0)
        return -1;
    d->refs++;
    return 0;
}

static void on_fetch(void *ud, rt_tx_result res, const rt_http_resp *resp, const char *msg);

static void cancel_job(rt_req *r, void *ud)
{
    oidc_job *j = ud;
    if (j->call) {
        r->w->transport->cancel(r->w->transport, j->call);
        j->call = NULL;
        rt_req_unhold(r);
    }
}

static int send_get(oidc_job *j, str url)
{
    rt_req *r = j->r;
    rt_http_req hr = { .method = STR_LIT("GET"),
                       .url = url,
                       .timeout_ms = OIDC_TIMEOUT_MS,
                       .origin = r->step ? r->step->spec->name : "validate-jwt" };
    rt_req_hold(r);
    j->call = r->w->transport->send(r->w->transport, &r->arena, &hr, on_fetch, j);
    if (!j->call) {
        rt_req_unhold(r);
        return -1;
    }
    r->cur->cancel = cancel_job;
    r->cur->cancel_ud = j;
    rt_trace(r, "GET %.*s", STR_FMT(url));
    return 0;
}

/* The fetch of urls[i] failed: keep what the cache had (stale), remember the attempt. */
static void fetch_failed(oidc_job *j, const char *why)
{
    rt_req *r = j->r;
    oidc_entry *e = entry_of(r->w->oidc, j->urls[j->i]);
    rt_trace(r, "openid-config %.*s: %s", STR_FMT(j->urls[j->i]), why);
    if (e) {
        e->tried = true;
        e->last_try_ms = rt_clock_now(r->w->clock);
        if (e->doc && hold(r, e->doc) == 0) {
            j->docs[j->i] = e->doc;
            rt_trace(r, "using the configuration fetched before");
        }
    }
}

static void fetch_ok(oidc_job *j, rt_jwtv_keyset *ks)
{
    rt_req *r = j->r;
    rt_oidc_doc *d = xcalloc(1, sizeof *d);
    d->refs = 1;
    d->url = xstrndup(j->urls[j->i].ptr, j->urls[j->i].len);
    d->issuer = xstrndup(j->issuer.ptr ? j->issuer.ptr : "", j->issuer.len);
    d->keys = ks;
    d->fetched_ms = rt_clock_now(r->w->clock);
    oidc_entry *e = entry_of(r->w->oidc, j->urls[j->i]);
    if (e) {
        doc_unref(e->doc);
        e->doc = d;
        e->tried = true;
        e->last_try_ms = d->fetched_ms;
        d->refs++;
    }
    if (hold(r, d) == 0)
        j->docs[j->i] = d;
    doc_unref(d); /* the creation reference */
    rt_trace(r, "openid-config %.*s: issuer '%s', %zu key(s)", STR_FMT(j->urls[j->i]),
             j->docs[j->i] ? j->docs[j->i]->issuer : "", rt_jwtv_keyset_count(ks));
}

/* Whether urls[i] is served from the cache (docs[i] set, possibly NULL after a recent
 * failure) rather than fetched. */
static bool from_cache(oidc_job *j)
{
    rt_req *r = j->r;
    oidc_entry *e = entry_of(r->w->oidc, j->urls[j->i]);
    if (!e || !e->tried)
        return false;
    int64_t now = rt_clock_now(r->w->clock);
    bool retry_ok = now - e->last_try_ms >= OIDC_RETRY_MS;
    bool fresh = e->doc && now - e->doc->fetched_ms < OIDC_TTL_MS;
    if ((fresh && !(j->refetch && retry_ok)) || (!retry_ok && !fresh && !e->doc)) {
        j->docs[j->i] = hold(r, e->doc) == 0 ? e->doc : NULL;
        if (!e->doc)
            rt_trace(r, "openid-config %.*s: failed less than 5 minutes ago, not fetched",
                     STR_FMT(j->urls[j->i]));
        return true;
    }
    if (!retry_ok && e->doc) { /* stale, but tried too recently */
        j->docs[j->i] = hold(r, e->doc) == 0 ? e->doc : NULL;
        return true;
    }
    return false;
}

/* Moves to the next URL needing a fetch. Returns POL_SUSPEND (a fetch is under way) or
 * POL_NEXT (all resolved). */
static pol_status advance(oidc_job *j)
{
    for (; j->i < j->n; j->i++) {
        j->docs[j->i] = NULL;
        if (from_cache(j))
            continue;
        j->phase = 0;
        if (send_get(j, j->urls[j->i]) == 0) {
            j->suspended = true;
            return POL_SUSPEND;
        }
        fetch_failed(j, "the call could not be started");
    }
    return POL_NEXT;
}

static void on_fetch(void *ud, rt_tx_result res, const rt_http_resp *resp, const char *msg)
{
    oidc_job *j = ud;
    rt_req *r = j->r;
    j->call = NULL;
    rt_req_unhold(r);
    if (r->finished)
        return;
    rt_wake_enter(j->w);
    char err[RT_JWTV_ERR_MAX] = "";
    if (res != RT_TX_OK) {
        fetch_failed(j, msg ? msg : "the call failed");
    } else if (resp->status != 200) {
        fetch_failed(j, arena_sprintf(&r->arena, "status %d", resp->status));
    } else if (j->phase == 0) {
        rt_jwtv_openid doc;
        if (rt_jwtv_openid_parse(&r->arena, resp->body, &doc, err) < 0) {
            fetch_failed(j, err);
        } else {
            j->issuer = doc.issuer;
            j->phase = 1;
            if (send_get(j, doc.jwks_uri) == 0)
                return;
            fetch_failed(j, "the JWKS call could not be started");
        }
    } else {
        rt_jwtv_keyset *ks = rt_jwtv_keyset_new();
        if (rt_jwtv_keyset_add_jwks(ks, resp->body, err) < 0) {
            rt_jwtv_keyset_free(ks);
            fetch_failed(j, arena_sprintf(&r->arena, "JWKS: %s", err));
        } else {
            fetch_ok(j, ks);
        }
    }
    j->i++;
    if (advance(j) == POL_NEXT)
        j->done(r, j->ud);
}

pol_status rt_oidc_resolve(rt_req *r, const str *urls, size_t n, bool refetch, rt_oidc_doc **docs,
                           const rt_wake *w, rt_oidc_done done, void *ud)
{
    oidc_job *j = arena_alloc(&r->arena, sizeof *j);
    if (!j)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    *j = (oidc_job){ .r = r,
                     .w = w,
                     .urls = urls,
                     .n = n,
                     .refetch = refetch,
                     .docs = docs,
                     .done = done,
                     .ud = ud };
    return advance(j);
}

bool rt_oidc_can_refetch(rt_req *r, const str *urls, size_t n)
{
    if (!r->w->oidc)
        return true;
    int64_t now = rt_clock_now(r->w->clock);
    for (size_t i = 0; i < n; i++) {
        oidc_entry *e = entry_of(r->w->oidc, urls[i]);
        if (e && (!e->tried || now - e->last_try_ms >= OIDC_RETRY_MS))
            return true;
    }
    return false;
}
