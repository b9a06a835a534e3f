/* serve's requests without a JSON round trip (world.h: rt_gw_new_request_in): the request as
 * the server received it is routed and its context is filled directly from the route's
 * configuration records, with the same values rt_gw_new_request's JSON gives rt_ctx_from_json
 * (tests/runtime/world_in: both builders compared on the same requests). */
#include <ctype.h>
#include <string.h>

#include "route.h"
#include "world.h"

/* The first value of header name (case-insensitive), for routing (subscription keys); in is
 * own_input's copy (UTF-8 lines only). */
static bool in_header(void *ud, str name, str *value)
{
    const rt_gw_in *in = ud;
    for (size_t i = 0; i < in->nheaders; i++) {
        if (str_ieq(in->headers[i].name, name)) {
            *value = in->headers[i].value;
            return true;
        }
    }
    return false;
}

/* A config string as the JSON builder gives it: always a string ("" for an unset one). */
static str nz(str s)
{
    return s.ptr ? s : STR_LIT("");
}

/* A config string the JSON builder only sets when non-empty (set_if), else def. */
static str or_def(str s, str def)
{
    return s.ptr && s.len ? s : def;
}

/* An ISO-8601 config date (empty: def) as ticks, with rt_jp_time's message when malformed. */
static int cfg_time(rt_jp *p, const char *where, const char *key, str text, int64_t def,
                    int64_t *out)
{
    *out = def;
    if (!text.ptr || !text.len)
        return 0;
    char tmp[64];
    if (text.len >= sizeof tmp || memchr(text.ptr, '\0', text.len))
        goto bad;
    memcpy(tmp, text.ptr, text.len);
    tmp[text.len] = '\0';
    if (rt_jp_iso_ticks(tmp, out) == 0)
        return 0;
bad:
    return rt_jp_fail(p, "'%s.%s' must be an ISO-8601 date-time such as 2026-01-01T00:00:00Z",
                      where, key);
}

/* ["a", "b"] as IGroup[] (cls: IGroup or IUserIdentity; id = name = the string) */
static int named_list(rt_jp *p, const str *v, size_t n, const xv_class *cls, xv_list **out)
{
    xv_list *l = xv_list_new_in(p->a, XV_LIST_ARRAY, cls);
    if (!l)
        return rt_jp_oom(p);
    for (size_t i = 0; i < n; i++) {
        rt_named *g = arena_alloc(p->a, sizeof *g);
        if (!g)
            return rt_jp_oom(p);
        g->id = g->name = nz(v[i]);
        if (xv_list_push_in(p->a, l, xv_obj(cls, g)) < 0)
            return rt_jp_oom(p);
    }
    *out = l;
    return 0;
}

/* context.Api from the configuration; prog's serviceUrl when it was parsed once (world.c). */
static int fill_api(rt_jp *p, const rt_api *api, const rt_program *prog, rt_ctx_api *c)
{
    c->id = nz(api->id);
    c->name = nz(api->display_name);
    c->path = nz(api->path);
    c->revision = or_def(api->api_revision, STR_LIT("1"));
    c->version = or_def(api->api_version, STR_NULL);
    c->current = api->is_current;
    c->key_header = nz(api->key_header);
    c->key_query = nz(api->key_query);
    c->service_url = NULL;
    if (api->service_url.len && prog && prog->service_url) {
        c->service_url = prog->service_url;
    } else if (api->service_url.len) {
        char *url = arena_strndup(p->a, api->service_url.ptr, api->service_url.len);
        if (!url)
            return rt_jp_oom(p);
        if (rt_jp_parse_url(p, "api.serviceUrl", url, &c->service_url) < 0)
            return -1;
    }
    if (!api->nprotocols)
        return 0; /* the default's ["https"] */
    if (!(c->protocols = rt_jp_str_list(p)))
        return -1;
    for (size_t i = 0; i < api->nprotocols; i++) {
        if (xv_list_push_in(p->a, c->protocols, xv_str(nz(api->protocols[i]))) < 0)
            return rt_jp_oom(p);
    }
    return 0;
}

static int fill_product(rt_jp *p, const rt_product *pr, rt_ctx *c)
{
    rt_ctx_product *o = arena_calloc(p->a, 1, sizeof *o);
    if (!o)
        return rt_jp_oom(p);
    o->id = nz(pr->id);
    o->name = nz(pr->display_name);
    o->state = pr->published ? STR_LIT("Published") : STR_LIT("NotPublished");
    o->approval_required = pr->approval_required;
    o->subscription_required = pr->subscription_required;
    if (pr->subscriptions_limit > 0) {
        o->has_limit = true;
        o->subscription_limit = pr->subscriptions_limit;
    }
    if (named_list(p, pr->groups, pr->ngroups, &expr_class_group, &o->groups) < 0)
        return -1;
    o->apis = xv_list_new_in(p->a, XV_LIST_ARRAY, &expr_class_api);
    if (!o->apis || xv_list_push_in(p->a, o->apis, xv_obj(&expr_class_api, &c->api)) < 0)
        return rt_jp_oom(p);
    c->product = o;
    return 0;
}

static int fill_subscription(rt_jp *p, const rt_route *rt, rt_ctx *c)
{
    const rt_subscription *s = rt->subscription;
    rt_ctx_subscription *o = arena_calloc(p->a, 1, sizeof *o);
    if (!o)
        return rt_jp_oom(p);
    const char *w = "subscription";
    o->id = nz(s->id);
    o->name = nz(s->display_name);
    o->key = nz(rt->key);
    o->primary_key = or_def(s->primary_key, STR_NULL);
    o->secondary_key = or_def(s->secondary_key, STR_NULL);
    if (cfg_time(p, w, "createdDate", s->created_date, p->timestamp, &o->created) < 0 ||
        cfg_time(p, w, "startDate", s->start_date, o->created, &o->start) < 0 ||
        cfg_time(p, w, "endDate", s->end_date, 0, &o->end) < 0)
        return -1;
    c->subscription = o;
    const rt_user *u = s->owner;
    if (!u)
        return 0;
    rt_ctx_user *cu = arena_calloc(p->a, 1, sizeof *cu);
    if (!cu)
        return rt_jp_oom(p);
    cu->id = nz(u->id);
    cu->email = or_def(u->email, STR_NULL);
    cu->first_name = or_def(u->first_name, STR_NULL);
    cu->last_name = or_def(u->last_name, STR_NULL);
    cu->note = or_def(u->note, STR_NULL);
    if (cfg_time(p, "user", "registrationDate", u->registration_date, p->timestamp,
                 &cu->registered) < 0 ||
        named_list(p, u->groups, u->ngroups, &expr_class_group, &cu->groups) < 0 ||
        named_list(p, NULL, 0, &expr_class_identity, &cu->identities) < 0)
        return -1;
    c->user = cu;
    return 0;
}

/* context.Request from what the server received; the URL is scheme://host + target. */
static int fill_request(rt_jp *p, const rt_gw_in *in, rt_request *q)
{
    char *m = arena_strndup(p->a, in->method.ptr, in->method.len);
    size_t n = in->scheme.len + 3 + in->host.len + in->target.len;
    char *url = arena_alloc(p->a, n + 1);
    if (!m || !url)
        return rt_jp_oom(p);
    for (size_t i = 0; i < in->method.len; i++)
        m[i] = (char)toupper((unsigned char)m[i]);
    q->method = str_make(m, in->method.len);
    q->ip = nz(in->ip);
    char *u = url;
    memcpy(u, in->scheme.ptr, in->scheme.len);
    u += in->scheme.len;
    memcpy(u, "://", 3);
    u += 3;
    memcpy(u, in->host.ptr, in->host.len);
    u += in->host.len;
    memcpy(u, in->target.ptr, in->target.len);
    url[n] = '\0';
    if (rt_jp_parse_url(p, "request.url", url, &q->url) < 0)
        return -1;
    q->original_url = q->url;
    /* headers: already in the arena, the ones that are not UTF-8 dropped (own_input) */
    if (!(q->headers = rt_hdr_dict_borrow(p->a, in->headers, in->nheaders)))
        return rt_jp_oom(p);
    return 0;
}

static int fill_route(rt_jp *p, const rt_route *rt, const rt_program *prog, rt_ctx *c)
{
    if (rt->api && fill_api(p, rt->api, prog, &c->api) < 0)
        return -1;
    if (rt->op) {
        c->operation.id = nz(rt->op->id);
        c->operation.name = nz(rt->op->display_name);
        c->operation.method = nz(rt->op->method);
        c->operation.url_template = nz(rt->op->url_template);
    } else {
        c->operation.method = c->request.method;
    }
    if (rt->product && fill_product(p, rt->product, c) < 0)
        return -1;
    if (rt->subscription && fill_subscription(p, rt, c) < 0)
        return -1;
    xv_dict *mp = xv_dict_new_in(p->a, true);
    if (!mp)
        return rt_jp_oom(p);
    for (size_t i = 0; i < rt->nparams; i++) {
        if (xv_dict_set_in(p->a, mp, rt->params[i].name, xv_str(nz(rt->params[i].value))) < 0)
            return rt_jp_oom(p);
    }
    mp->readonly = true;
    c->request.matched = mp;
    return 0;
}

/* Copies what the request keeps of in into the arena (the server's buffers go away first), in
 * one block, NUL-terminated. Header lines whose name or value is not UTF-8 are dropped: the
 * context does not show them (as the JSON builder) and routing never matches them. */
static int own_input(arena *a, const rt_gw_in *in, rt_gw_in *out)
{
    *out = *in;
    size_t total = in->target.len + in->ip.len + 2;
    for (size_t i = 0; i < in->nheaders; i++)
        total += in->headers[i].name.len + in->headers[i].value.len + 2;
    rt_hdr *h = arena_alloc(a, (in->nheaders ? in->nheaders : 1) * sizeof *h);
    char *p = arena_alloc(a, total); /* zeroed: the NULs are there */
    if (!h || !p)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < in->nheaders; i++) {
        const rt_hdr *e = &in->headers[i];
        if (!rt_utf8_valid(e->value) || !rt_utf8_valid(e->name))
            continue;
        h[n].name = str_make(p, e->name.len);
        if (e->name.len)
            memcpy(p, e->name.ptr, e->name.len);
        p += e->name.len + 1;
        h[n].value = str_make(p, e->value.len);
        if (e->value.len)
            memcpy(p, e->value.ptr, e->value.len);
        p += e->value.len + 1;
        n++;
    }
    out->headers = h;
    out->nheaders = n;
    out->target = str_make(p, in->target.len);
    if (in->target.len)
        memcpy(p, in->target.ptr, in->target.len);
    p += in->target.len + 1;
    out->ip = str_make(p, in->ip.len);
    if (in->ip.len)
        memcpy(p, in->ip.ptr, in->ip.len);
    return 0;
}

rt_req *rt_gw_new_request_in(rt_gw *g, const rt_world *w, const rt_gw_in *input, char *err,
                             size_t errlen)
{
    rt_req *r = rt_req_alloc(w, NULL);
    arena *a = &r->arena;
    rt_gw_in in;
    if (own_input(a, input, &in) < 0) {
        snprintf(err, errlen, "out of memory building the request");
        goto fail;
    }
    size_t pl = strcspn(in.target.ptr, "?#");
    str path = pl ? str_make(in.target.ptr, pl) : STR_LIT("/");
    str query = STR_LIT("");
    if (in.target.ptr[pl] == '?') {
        const char *qs = in.target.ptr + pl + 1;
        query = str_make(qs, strcspn(qs, "#"));
    }
    rt_route_req rq = {
        .method = in.method, .path = path, .query = query, .header = in_header, .ud = &in
    };
    rt_route rt;
    if (rt_route_resolve(a, rt_gw_config(g), &rq, &rt) == -2) {
        snprintf(err, errlen, "out of memory routing the request");
        goto fail;
    }
    r->prog = rt_gw_program(g, &rt);
    /* the defaults of an empty context, then what the route and the request say */
    rt_ctx *c = rt_ctx_from_json(a, NULL, err, errlen);
    rt_jp p = { a, err, errlen, RT_CTX_DEFAULT_TICKS };
    if (!c || fill_request(&p, &in, &c->request) < 0 || fill_route(&p, &rt, r->prog, c) < 0)
        goto fail;
    if (in.body.len) {
        c->request.body = rt_body_new(r, in.body, STR_NULL);
        if (!c->request.body) {
            snprintf(err, errlen, "out of memory building the request");
            goto fail;
        }
    }
    if (rt_req_attach(r, c, err, errlen) < 0)
        goto fail;
    if (rt.err.status) {
        r->section = POL_S_INBOUND;
        r->step = NULL;
        rt_fail(r, rt.err.source, rt.err.reason, "%s", rt.err.message);
        if (rt_req_error_response(r, rt.err.status, rt.err.message) < 0) {
            snprintf(err, errlen, "out of memory building the response");
            goto fail;
        }
    }
    return r;
fail:
    rt_req_free(r);
    return NULL;
}
