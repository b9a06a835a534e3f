/* Backend entities behind set-backend-service backend-id (world.h): single backends, pools,
 * circuit breakers and credentials. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "identity.h"
#include "pipeline.h"
#include "world_gw.h"

/* r->gw: the shared per-request state, plus a managed identity token fetched for this request
 * (mi_wait) and not used yet. */
typedef struct gw_req_ext {
    rt_gw_req base; /* first: r->gw points here */
    const rt_backend *mi_for;
    str mi_token; /* "Bearer ..." for mi_for (request arena) */
} gw_req_ext;

/* ---- registry state ---- */

static int add_backend_state(struct rt_backends *bk, arena *tmp, const rt_backend *b,
                             const char **why)
{
    if (b->nrules) {
        gw_rule *rules = arena_calloc(tmp, b->nrules, sizeof *rules);
        if (!rules)
            return *why = "out of memory", -1;
        for (size_t i = 0; i < b->nrules; i++) {
            const rt_breaker_rule *cr = &b->rules[i];
            gw_range *ranges = arena_calloc(tmp, cr->nranges + 1, sizeof *ranges);
            const char **reasons = arena_calloc(tmp, cr->nerror_reasons + 1, sizeof *reasons);
            if (!ranges || !reasons)
                return *why = "out of memory", -1;
            for (size_t k = 0; k < cr->nranges; k++)
                ranges[k] = (gw_range){ cr->ranges[k].min, cr->ranges[k].max };
            for (size_t k = 0; k < cr->nerror_reasons; k++)
                reasons[k] = arena_strndup(tmp, cr->error_reasons[k].ptr, cr->error_reasons[k].len);
            rules[i] = (gw_rule){ .name = arena_strndup(tmp, cr->name.ptr, cr->name.len),
                                  .count = cr->count,
                                  .percentage = cr->percentage,
                                  .interval_ms = cr->interval_ms,
                                  .ranges = ranges,
                                  .nranges = cr->nranges,
                                  .reasons = reasons,
                                  .nreasons = cr->nerror_reasons,
                                  .trip_ms = cr->trip_ms,
                                  .accept_retry_after = cr->accept_retry_after };
        }
        if (gw_bk_add_breaker(bk, b->id, rules, b->nrules, why) < 0)
            return -1;
    }
    if (b->pool) {
        gw_member *m = arena_calloc(tmp, b->nmembers + 1, sizeof *m);
        if (!m)
            return *why = "out of memory", -1;
        for (size_t i = 0; i < b->nmembers; i++) {
            const rt_pool_member *pm = &b->members[i];
            m[i] =
                (gw_member){ arena_strndup(tmp, pm->id.ptr, pm->id.len), pm->priority, pm->weight };
        }
        if (gw_bk_add_pool(bk, b->id, m, b->nmembers, why) < 0)
            return -1;
    }
    return 0;
}

int rt_gw_reset(rt_gw *g, char *err, size_t errlen)
{
    gw_bk_free(g->bk);
    g->bk = gw_bk_new();
    arena tmp;
    arena_init(&tmp, 0);
    int rc = 0;
    for (size_t i = 0; i < g->cfg.nbackends && rc == 0; i++) {
        const char *why = NULL;
        const rt_backend *b = &g->cfg.backends[i];
        if (add_backend_state(g->bk, &tmp, b, &why) < 0) {
            snprintf(err, errlen, "backend '%.*s': %s", STR_FMT(b->id), why ? why : "invalid");
            rc = -1;
        }
    }
    arena_release(&tmp);
    return rc;
}

void rt_gw_carry_state(rt_gw *g, rt_gw *old, void (*note)(void *ud, const char *msg), void *ud)
{
    if (g && old && g != old)
        gw_bk_carry(g->bk, old->bk, note, ud);
}

/* ---- set-backend-service backend-id ---- */

static rt_gw *gw_of(rt_req *r)
{
    return r->w->gateway;
}

static int64_t now_of(rt_req *r)
{
    return rt_clock_now(r->w->clock);
}

/* Makes t the backend to call: base URL and r->backend_id. */
static int aim(rt_req *r, const rt_backend *t)
{
    if (!t->url.len)
        return rt_fail(r, NULL, "BackendNotFound", "backend '%.*s' has no url", STR_FMT(t->id)), -1;
    if (rt_req_set_base(r, t->url) < 0)
        return -1;
    r->backend_id = t->id;
    r->gw->target = t;
    return 0;
}

/* Picks a member of pool p; NULL when every member is tripped. */
static const rt_backend *pick(rt_req *r, const rt_backend *p)
{
    rt_gw *g = gw_of(r);
    const char *member;
    if (gw_bk_pick(g->bk, p->id, now_of(r), &member) < 0)
        return NULL;
    const rt_backend *t = rt_config_backend(&g->cfg, str_from(member));
    if (t)
        rt_trace(r, "pool %.*s -> %.*s", STR_FMT(p->id), STR_FMT(t->id));
    return t;
}

int rt_gw_set_backend(rt_req *r, str id)
{
    rt_gw *g = gw_of(r);
    const rt_backend *b = rt_config_backend(&g->cfg, id);
    if (!b)
        return rt_fail(r, NULL, "BackendNotFound",
                       "backend '%.*s' is not defined in the configuration", STR_FMT(id)),
               -1;
    if (!r->gw) {
        gw_req_ext *x = arena_calloc(&r->arena, 1, sizeof *x);
        if (!x)
            return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached"), -1;
        r->gw = &x->base;
    }
    r->gw->requested = b;
    r->gw->target = NULL;
    r->gw->fresh = false;
    if (!b->pool)
        return aim(r, b);
    const rt_backend *t = pick(r, b);
    if (!t) {
        /* every member is tripped: forward-request refuses (or a later pick succeeds) */
        r->backend_id = b->id;
        return 0;
    }
    r->gw->fresh = true;
    return aim(r, t);
}

/* ---- forward-request ---- */

static int refuse(rt_req *r, const char *msg)
{
    if (rt_req_error_response(r, 503, msg) == 0)
        r->ctx->response.reason = str_from(msg);
    rt_fail(r, NULL, "BackendUnavailable", "%s", msg);
    return -1;
}

static void url_encode(buf *b, str s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (isalnum(c) || strchr("-._~", c)) {
            buf_putc(b, (char)c);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[c >> 4]);
            buf_putc(b, hex[c & 15]);
        }
    }
}

void rt_gw_append_cred_query(buf *u, const rt_backend_credentials *c)
{
    bool has_q = u->len && memchr(u->ptr, '?', u->len) != NULL;
    for (size_t i = 0; i < c->nquery; i++) {
        for (size_t k = 0; k < c->query[i].nvalues; k++) {
            buf_putc(u, has_q ? '&' : '?');
            has_q = true;
            url_encode(u, c->query[i].name);
            buf_putc(u, '=');
            url_encode(u, c->query[i].values[k]);
        }
    }
}

static bool cred_names(const rt_backend_credentials *c, str name)
{
    for (size_t i = 0; i < c->nheaders; i++) {
        if (str_ieq(c->headers[i].name, name))
            return true;
    }
    return (c->has_authorization || c->has_managed_identity) &&
           str_ieq(name, STR_LIT("Authorization"));
}

/* credentials.managedIdentity, waiting for a token the provider has to fetch (cold cache,
 * refresh): forward-request suspends (rt_gw_prepare_call returns 1 holding the request); when
 * the token arrives it is kept for this request and forward-request runs again (the pool
 * member picked stays the target), or the request fails with the provider's error. */
typedef struct mi_wait {
    rt_wake wake;
    rt_idp *idp;
    rt_idp_wait *wait; /* NULL once answered or cancelled */
    gw_req_ext *x;
    const rt_backend *t;
} mi_wait;

static int mi_failure(rt_req *r, const rt_backend *t, str error)
{
    const rt_backend_credentials *c = &t->cred;
    return rt_fail(r, NULL, "ManagedIdentityTokenFailure",
                   "Failed to acquire a managed identity token for backend '%.*s' "
                   "(resource '%.*s'): %.*s",
                   STR_FMT(t->id), STR_FMT(c->mi_resource), STR_FMT(error)),
           -1;
}

static void mi_cancel(rt_req *r, void *ud)
{
    mi_wait *s = ud;
    if (!s->wait)
        return;
    rt_idp_cancel(s->idp, s->wait);
    s->wait = NULL;
    rt_req_unhold(r);
}

static void mi_arena_gone(void *ud)
{
    mi_wait *s = ud;
    if (s->wait) /* released while waiting (shutdown): forget the waiter */
        rt_idp_cancel(s->idp, s->wait);
    s->wait = NULL;
}

static void mi_done(void *ud, const char *token, const char *error)
{
    mi_wait *s = ud;
    rt_req *r = s->wake.r;
    s->wait = NULL;
    rt_req_unhold(r);
    if (r->finished)
        return;
    rt_wake_enter(&s->wake);
    if (r->cur->cancel == mi_cancel && r->cur->cancel_ud == s)
        r->cur->cancel = NULL;
    pol_status st = POL_FAIL;
    char *v = token ? arena_sprintf(&r->arena, "Bearer %s", token) : NULL;
    if (token && !v)
        rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    else if (!token)
        mi_failure(r, s->t, str_from(error ? error : "no token"));
    else {
        s->x->mi_for = s->t;
        s->x->mi_token = str_from(v);
        rt_trace(r, "token for backend %.*s fetched", STR_FMT(s->t->id));
        /* forward-request again, as the pipeline runs a step */
        r->env.budget = EXPR_STEP_BUDGET;
        st = s->wake.step->spec->exec(r, s->wake.step->conf);
        if (st == POL_SUSPEND)
            return;
    }
    rt_wake_resume(&s->wake, st);
}

/* credentials.managedIdentity: the bearer token. Returns 0 with *out, 1 when the token is being
 * fetched (see mi_wait), -1 after rt_fail. */
static int mi_token(rt_req *r, const rt_backend *t, str *out)
{
    const rt_backend_credentials *c = &t->cred;
    gw_req_ext *x = (gw_req_ext *)r->gw;
    if (x->mi_for == t && x->mi_token.len) {
        *out = x->mi_token; /* fetched for this call: used once */
        x->mi_for = NULL;
        x->mi_token = STR_NULL;
        return 0;
    }
    str token = STR_NULL, error = STR_LIT("no managed identity is available");
    rt_identity *id = r->w->idp;
    rt_idp *idp = rt_idp_of(id);
    if (!idp) { /* `apimlite test`: the identity map answers at once */
        if (!id ||
            id->get_token(id, &r->arena, c->mi_resource, c->mi_client_id, &token, &error) < 0)
            return mi_failure(r, t, error);
    } else {
        mi_wait *s = arena_calloc(&r->arena, 1, sizeof *s);
        if (!s || arena_defer(&r->arena, mi_arena_gone, s) < 0)
            return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached"), -1;
        *s = (mi_wait){ .idp = idp, .x = x, .t = t };
        int rc = rt_idp_get(idp, &r->arena, c->mi_resource, c->mi_client_id, &token, &error,
                            mi_done, s, &s->wait);
        if (rc < 0)
            return mi_failure(r, t, error);
        if (rc == 0) {
            rt_trace(r, "fetching a managed identity token for backend %.*s", STR_FMT(t->id));
            rt_wake_init(&s->wake, r);
            rt_req_hold(r);
            r->cur->cancel = mi_cancel;
            r->cur->cancel_ud = s;
            return 1;
        }
    }
    char *v = arena_sprintf(&r->arena, "Bearer %.*s", STR_FMT(token));
    if (!v)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached"), -1;
    *out = str_from(v);
    return 0;
}

/* The backend's credentials on the call: headers replace same-named ones, query parameters
 * are appended, Authorization from authorization / managedIdentity. Returns 0, 1 (a managed
 * identity token is being fetched: see mi_wait), or -1 after rt_fail. */
static int add_credentials(rt_req *r, const rt_backend *t, rt_http_req *hr)
{
    const rt_backend_credentials *c = &t->cred;
    size_t extra = 2;
    for (size_t i = 0; i < c->nheaders; i++)
        extra += c->headers[i].nvalues;
    if (extra == 2 && !c->nquery && !c->has_authorization && !c->has_managed_identity)
        return 0;
    str bearer = STR_NULL;
    if (c->has_managed_identity) {
        int rc = mi_token(r, t, &bearer);
        if (rc != 0)
            return rc;
    }
    rt_hdr *h = arena_calloc(&r->arena, hr->nheaders + extra, sizeof *h);
    if (!h)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached"), -1;
    size_t n = 0;
    for (size_t i = 0; i < hr->nheaders; i++) {
        if (!cred_names(c, hr->headers[i].name))
            h[n++] = hr->headers[i];
    }
    for (size_t i = 0; i < c->nheaders; i++) {
        for (size_t k = 0; k < c->headers[i].nvalues; k++)
            h[n++] = (rt_hdr){ c->headers[i].name, c->headers[i].values[k] };
    }
    if (c->has_authorization) {
        char *v = arena_sprintf(&r->arena, "%.*s %.*s", STR_FMT(c->auth_scheme),
                                STR_FMT(c->auth_parameter));
        if (!v)
            return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached"), -1;
        h[n++] = (rt_hdr){ STR_LIT("Authorization"), str_from(v) };
    }
    if (bearer.ptr && !c->has_authorization)
        h[n++] = (rt_hdr){ STR_LIT("Authorization"), bearer };
    hr->headers = h;
    hr->nheaders = n;
    if (c->nquery) {
        buf u;
        buf_init(&u, 0);
        buf_append(&u, hr->url.ptr, hr->url.len);
        rt_gw_append_cred_query(&u, c);
        char *url = arena_strndup(&r->arena, u.ptr ? u.ptr : "", u.len);
        buf_release(&u);
        if (!url)
            return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached"), -1;
        hr->url = str_from(url);
    }
    return 0;
}

int rt_gw_prepare_call(rt_req *r, rt_http_req *hr)
{
    rt_gw_req *st = r->gw;
    if (!st || !st->requested || !r->backend_id.len)
        return 0; /* base-url or serviceUrl: nothing to add */
    rt_gw *g = gw_of(r);
    const rt_backend *b = st->requested, *t = b;
    if (b->pool) {
        t = st->fresh ? st->target : NULL;
        if (t && gw_bk_is_open(g->bk, t->id, now_of(r)))
            t = NULL;
        if (!t) {
            t = pick(r, b);
            if (!t) {
                char *msg = gw_bk_pool_message(&r->arena, b->id);
                return refuse(r, msg ? msg : "Backend pool is temporarily unavailable");
            }
            if (aim(r, t) < 0)
                return -1;
            hr->url = rt_req_url_text(r, r->ctx->request.url);
        }
    } else if (gw_bk_is_open(g->bk, b->id, now_of(r))) {
        char *msg =
            arena_sprintf(&r->arena, "Backend %.*s is temporarily unavailable", STR_FMT(b->id));
        return refuse(r, msg ? msg : "Backend is temporarily unavailable");
    }
    st->fresh = false;
    hr->backend_id = t->id;
    /* the backend entity's tls: and proxy: (a pool member's own) */
    hr->tls_skip_chain = !t->tls_validate_chain;
    hr->tls_skip_name = !t->tls_validate_name;
    hr->proxy_url = t->proxy_url;
    hr->proxy_username = t->proxy_username;
    hr->proxy_password = t->proxy_password;
    int rc = add_credentials(r, t, hr);
    if (rc > 0 && b->pool) {
        st->target = t; /* forward-request runs again with the token: same member */
        st->fresh = true;
    }
    return rc;
}

void rt_gw_call_result(rt_req *r, str backend_id, rt_tx_result res, const rt_http_resp *resp)
{
    rt_gw *g = gw_of(r);
    if (!backend_id.len || !g || !g->bk)
        return;
    int64_t now = now_of(r);
    bool tripped;
    if (res == RT_TX_OK) {
        str ra = STR_NULL;
        for (size_t i = 0; i < resp->nheaders; i++) {
            if (str_ieq(resp->headers[i].name, STR_LIT("Retry-After")))
                ra = resp->headers[i].value;
        }
        tripped = gw_bk_record(g->bk, backend_id, resp->status, STR_LIT(""), ra, now);
    } else {
        str reason =
            res == RT_TX_TIMEOUT ? STR_LIT("Timeout") : STR_LIT("BackendConnectionFailure");
        tripped = gw_bk_record(g->bk, backend_id, 0, reason, STR_NULL, now);
    }
    if (tripped)
        rt_trace(r, "circuit breaker of backend %.*s tripped until +%lldms", STR_FMT(backend_id),
                 (long long)(gw_bk_open_until(g->bk, backend_id, now) - r->start_ms));
}
