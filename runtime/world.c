/* The gateway world of config-based runs: loading a configuration with its policy documents,
 * one compiled program per (product, API, operation) chain, routing each request (route.h)
 * into a context, and the test identity provider. Backends are in world_backends.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../policy/policy.h"
#include "base/xalloc.h"
#include "pipeline.h"
#include "policies/registry.h"
#include "route.h"
#include "tokens.h"
#include "world_gw.h"

/* ---- loading ---- */

static bool gw_named_value(void *ud, str name, str *value)
{
    rt_gw *g = ud;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)g->nvo, k, v)
    {
        if (json_is_string(v) && str_ieq(str_from(k), name)) {
            *value = str_make(json_string_value(v), json_string_length(v));
            return true;
        }
    }
    const rt_named_value *nv = rt_config_named_value(&g->cfg, name);
    if (nv)
        *value = nv->value;
    return nv != NULL;
}

static pol_doc *gw_fragment(void *ud, str id)
{
    rt_gw *g = ud;
    const rt_fragment_ref *f = rt_config_fragment(&g->cfg, id);
    return f && f->file.doc && f->file.doc->kind == POL_DOC_FRAGMENT ? f->file.doc : NULL;
}

static bool gw_backend(void *ud, str id)
{
    rt_gw *g = ud;
    return rt_config_backend(&g->cfg, id) != NULL;
}

/* Parses (and validates, for <policies>) the document of f. Returns -1 on errors. */
static int load_doc(rt_gw *g, rt_cfg_file *f, const pol_env *env, bool fragment, diag_list *d,
                    int *io)
{
    if (!f->path)
        return 0;
    size_t len = 0;
    char *data = rt_read_file(&g->a, f->path, &len);
    if (!data) {
        diag_pos pos;
        rt_config_pos(&g->cfg, f->where, &pos);
        diag_add(d, DIAG_ERROR, f->where.line ? &pos : NULL, "cannot read '%s': %s", f->path,
                 strerror(errno));
        *io = -2;
        return -1;
    }
    f->doc = pol_doc_parse(&g->a, f->path, data, len, env, d);
    if (!f->doc)
        return -1;
    if ((f->doc->kind == POL_DOC_FRAGMENT) != fragment) {
        diag_pos pos;
        rt_config_pos(&g->cfg, f->where, &pos);
        diag_add(d, DIAG_ERROR, &pos, "'%s' is %s", f->path,
                 fragment ? "not a <fragment>" : "a <fragment>, not a <policies> document");
        f->doc = NULL;
        return -1;
    }
    return 0;
}

static pol_env *gw_env(rt_gw *g)
{
    pol_env *env = arena_alloc(&g->a, sizeof *env);
    if (env)
        *env = (pol_env){ .find = rt_policy_find,
                          .each = rt_policy_each,
                          .named_value = gw_named_value,
                          .fragment = gw_fragment,
                          .backend = gw_backend,
                          .ud = g,
                          .strict = true };
    return env;
}

static int load_docs(rt_gw *g, diag_list *d, int *io)
{
    pol_env *env = gw_env(g);
    if (!env)
        return -1;
    rt_config *c = &g->cfg;
    int bad = 0;
    for (size_t i = 0; i < c->nfrags; i++)
        bad |= load_doc(g, &c->frags[i].file, env, true, d, io);
    for (size_t i = 0; i < c->nfrags; i++) {
        if (c->frags[i].file.doc && pol_validate(&g->a, c->frags[i].file.doc, env, d) < 0)
            bad = -1;
    }
    rt_cfg_file *files[1];
    files[0] = &c->policy;
    bad |= load_doc(g, files[0], env, false, d, io);
    for (size_t i = 0; i < c->nproducts; i++)
        bad |= load_doc(g, &c->products[i].policy, env, false, d, io);
    for (size_t i = 0; i < c->napis; i++) {
        bad |= load_doc(g, &c->apis[i].policy, env, false, d, io);
        for (size_t k = 0; k < c->apis[i].nops; k++)
            bad |= load_doc(g, &c->apis[i].ops[k].policy, env, false, d, io);
    }
    if (bad || diag_has_errors(d))
        return -1;
    if (c->policy.doc)
        bad |= pol_validate(&g->a, c->policy.doc, env, d);
    for (size_t i = 0; i < c->nproducts; i++) {
        if (c->products[i].policy.doc)
            bad |= pol_validate(&g->a, c->products[i].policy.doc, env, d);
    }
    for (size_t i = 0; i < c->napis; i++) {
        if (c->apis[i].policy.doc)
            bad |= pol_validate(&g->a, c->apis[i].policy.doc, env, d);
        for (size_t k = 0; k < c->apis[i].nops; k++) {
            if (c->apis[i].ops[k].policy.doc)
                bad |= pol_validate(&g->a, c->apis[i].ops[k].policy.doc, env, d);
        }
    }
    return bad || diag_has_errors(d) ? -1 : 0;
}

rt_program *rt_gw_load_policy(rt_gw *g, const char *path, diag_list *d, int *io)
{
    pol_env *env = gw_env(g);
    rt_cfg_file *f = arena_alloc(&g->a, sizeof *f);
    if (!env || !f)
        return NULL;
    f->path = path;
    if (load_doc(g, f, env, false, d, io) < 0 || pol_validate(&g->a, f->doc, env, d) < 0 ||
        diag_has_errors(d))
        return NULL;
    rt_scope_doc levels[] = { { g->cfg.policy.doc, "global" }, { f->doc, "api" } };
    return rt_compile_chain(&g->a, levels, 2, d);
}

static rt_program *compile(rt_gw *g, const rt_product *p, const rt_api *api, const rt_operation *op,
                           diag_list *d)
{
    rt_scope_doc levels[RT_SCOPE_COUNT] = {
        { g->cfg.policy.doc, "global" },
        { p ? p->policy.doc : NULL, "product" },
        { api ? api->policy.doc : NULL, "api" },
        { op ? op->policy.doc : NULL, "operation" },
    };
    return rt_compile_chain(&g->a, levels, RT_SCOPE_COUNT, d);
}

static size_t prog_slot(const rt_gw *g, const rt_api *api, const rt_operation *op,
                        const rt_product *p)
{
    size_t oi = op ? (size_t)(op - api->ops) + 1 : 0;
    size_t pi = p ? p->index + 1 : 0;
    return oi * (g->cfg.nproducts + 1) + pi;
}

static int compile_all(rt_gw *g, diag_list *d)
{
    rt_config *c = &g->cfg;
    g->global_prog = compile(g, NULL, NULL, NULL, d);
    if (!g->global_prog)
        return -1;
    g->programs = arena_calloc(&g->a, c->napis ? c->napis : 1, sizeof *g->programs);
    if (!g->programs)
        return -1;
    for (size_t i = 0; i < c->napis; i++) {
        const rt_api *api = &c->apis[i];
        size_t n = (api->nops + 1) * (c->nproducts + 1);
        rt_program **slots = arena_calloc(&g->a, n, sizeof *slots);
        if (!slots)
            return -1;
        g->programs[i] = slots;
        struct rt_url *su =
            api->service_url.len ? rt_url_parse_shared(&g->a, api->service_url) : NULL;
        for (size_t k = 0; k <= api->nops; k++) {
            const rt_operation *op = k ? &api->ops[k - 1] : NULL;
            for (size_t pi = 0; pi <= c->nproducts; pi++) {
                const rt_product *p = pi ? &c->products[pi - 1] : NULL;
                if (p && !rt_product_has_api(p, api))
                    continue;
                rt_program *prog = compile(g, p, api, op, d);
                if (!prog)
                    return -1; /* the first failing chain says it all */
                prog->service_url = su;
                slots[prog_slot(g, api, op, p)] = prog;
            }
        }
    }
    return 0;
}

rt_gw *rt_gw_load(const char *path, const json_t *nv_overrides, diag_list *d, int *io)
{
    rt_gw *g = xcalloc(1, sizeof *g);
    arena_init(&g->a, 0);
    *io = 0;
    int rc = rt_config_load(&g->cfg, path, d);
    g->cfg_loaded = true;
    if (rc == -2)
        *io = -2;
    g->nvo = json_is_object(nv_overrides) ? nv_overrides : NULL;
    if (rc == 0)
        rt_tokens_default_paths(g->cfg.tokenizer_o200k, g->cfg.tokenizer_cl100k);
    if (rc < 0 || diag_has_errors(d) || load_docs(g, d, io) < 0 || compile_all(g, d) < 0) {
        rt_gw_free(g);
        return NULL;
    }
    g->nvo = NULL;
    return g;
}

void rt_gw_free(rt_gw *g)
{
    if (!g)
        return;
    gw_bk_free(g->bk);
    if (g->cfg_loaded)
        rt_config_release(&g->cfg);
    arena_release(&g->a);
    free(g);
}

const rt_config *rt_gw_config(const rt_gw *g)
{
    return &g->cfg;
}

void rt_gw_bind(rt_gw *g, rt_world *w)
{
    w->gateway = g;
    w->set_backend = rt_gw_set_backend;
    w->prepare_call = rt_gw_prepare_call;
    w->call_result = rt_gw_call_result;
}

/* ---- one request ---- */

static bool json_header(void *ud, str name, str *value)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)ud, k, v)
    {
        if (!str_ieq(str_from(k), name))
            continue;
        if (json_is_array(v))
            v = json_array_get(v, 0);
        if (json_is_string(v)) {
            *value = str_make(json_string_value(v), json_string_length(v));
            return true;
        }
        return false; /* numbers etc.: rt_ctx keeps them; keys are strings */
    }
    return false;
}

/* Splits an absolute URL into its raw path (at least "/") and query (without '?'). */
static void split_url(const char *url, str *path, str *query)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t host = strcspn(p, "/?#");
    p += host;
    size_t pl = strcspn(p, "?#");
    *path = pl ? str_make(p, pl) : STR_LIT("/");
    p += pl;
    if (*p == '?') {
        p++;
        *query = str_make(p, strcspn(p, "#"));
    } else {
        *query = STR_LIT("");
    }
}

static json_t *jstr(str s)
{
    return json_stringn(s.ptr ? s.ptr : "", s.len);
}

static json_t *jstr_list(const str *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, jstr(v[i]));
    return a;
}

static void set_if(json_t *o, const char *key, str s)
{
    if (s.ptr && s.len)
        json_object_set_new(o, key, jstr(s));
}

/* context.* records of a route, as rt_ctx_from_json keys. */
static void route_ctx(json_t *ctx, const rt_route *rt)
{
    const rt_api *api = rt->api;
    if (api) {
        json_t *a = json_object();
        json_object_set_new(a, "id", jstr(api->id));
        json_object_set_new(a, "name", jstr(api->display_name));
        json_object_set_new(a, "path", jstr(api->path));
        set_if(a, "serviceUrl", api->service_url);
        set_if(a, "revision", api->api_revision);
        set_if(a, "version", api->api_version);
        json_object_set_new(a, "isCurrentRevision", json_boolean(api->is_current));
        json_object_set_new(a, "subscriptionKeyParameterNames",
                            json_pack("{s:o, s:o}", "header", jstr(api->key_header), "query",
                                      jstr(api->key_query)));
        if (api->nprotocols)
            json_object_set_new(a, "protocols", jstr_list(api->protocols, api->nprotocols));
        json_object_set_new(ctx, "api", a);
    }
    if (rt->op) {
        json_object_set_new(ctx, "operation",
                            json_pack("{s:o, s:o, s:o, s:o}", "id", jstr(rt->op->id), "name",
                                      jstr(rt->op->display_name), "method", jstr(rt->op->method),
                                      "urlTemplate", jstr(rt->op->url_template)));
    }
    if (rt->product) {
        const rt_product *p = rt->product;
        json_t *o =
            json_pack("{s:o, s:o, s:s, s:b, s:b, s:o}", "id", jstr(p->id), "name",
                      jstr(p->display_name), "state", p->published ? "Published" : "NotPublished",
                      "approvalRequired", p->approval_required, "subscriptionRequired",
                      p->subscription_required, "groups", jstr_list(p->groups, p->ngroups));
        if (p->subscriptions_limit > 0)
            json_object_set_new(o, "subscriptionLimit", json_integer(p->subscriptions_limit));
        json_object_set_new(ctx, "product", o);
    }
    if (rt->subscription) {
        const rt_subscription *s = rt->subscription;
        json_t *o = json_pack("{s:o, s:o, s:o}", "id", jstr(s->id), "name", jstr(s->display_name),
                              "key", jstr(rt->key));
        set_if(o, "primaryKey", s->primary_key);
        set_if(o, "secondaryKey", s->secondary_key);
        set_if(o, "createdDate", s->created_date);
        set_if(o, "startDate", s->start_date);
        set_if(o, "endDate", s->end_date);
        json_object_set_new(ctx, "subscription", o);
        const rt_user *u = s->owner;
        if (u) {
            json_t *uo = json_pack("{s:o, s:o}", "id", jstr(u->id), "groups",
                                   jstr_list(u->groups, u->ngroups));
            set_if(uo, "email", u->email);
            set_if(uo, "firstName", u->first_name);
            set_if(uo, "lastName", u->last_name);
            set_if(uo, "note", u->note);
            set_if(uo, "registrationDate", u->registration_date);
            json_object_set_new(ctx, "user", uo);
        }
    }
    json_t *mp = json_object();
    for (size_t i = 0; i < rt->nparams; i++) {
        char *name = strndup(rt->params[i].name.ptr, rt->params[i].name.len);
        json_object_set_new(mp, name, jstr(rt->params[i].value));
        free(name);
    }
    json_object_set_new(ctx, "matchedParameters", mp);
}

const rt_program *rt_gw_program(const rt_gw *g, const rt_route *rt)
{
    if (!rt->api)
        return g->global_prog;
    /* a refusal runs the scopes that matched (rt_route_scopes): no product after a 401 */
    const rt_product *p = rt->err.status ? NULL : rt->product;
    return g->programs[rt->api->index][prog_slot(g, rt->api, rt->op, p)];
}

static void on_finish(rt_req *r, void *ud)
{
    (void)r;
    *(bool *)ud = true;
}

/* The request object with an absolute URL (relative ones go under default_api). */
static json_t *absolute_request(const json_t *request, const rt_api *default_api)
{
    json_t *q = request ? json_deep_copy(request) : json_object();
    const char *url = json_string_value(json_object_get(q, "url"));
    if (!url)
        url = "/";
    if (url[0] == '/') {
        str ap = default_api ? default_api->path : STR_LIT("");
        size_t n = strlen(url) + ap.len + 32;
        char *abs = xmalloc(n);
        snprintf(abs, n, "https://apimlite.local%s%.*s%s", ap.len ? "/" : "", STR_FMT(ap), url);
        json_object_set_new(q, "url", json_string(abs));
        free(abs);
    }
    return q;
}

/* Routes and creates the request; *refused set for a 404/401. */
static rt_req *make_request(rt_gw *g, const rt_world *w, const json_t *q, const int64_t *rnd,
                            size_t nrnd, bool serve, char *err, size_t errlen)
{
    arena tmp;
    arena_init(&tmp, 0);
    const json_t *headers = json_object_get(q, "headers");
    const char *method = json_string_value(json_object_get(q, "method"));
    str path, query;
    split_url(json_string_value(json_object_get(q, "url")), &path, &query);
    rt_route_req in = { .method = str_from(method ? method : "GET"),
                        .path = path,
                        .query = query,
                        .header = json_is_object(headers) ? json_header : NULL,
                        .ud = (void *)headers };
    rt_route rt;
    rt_req *r = NULL;
    if (rt_route_resolve(&tmp, &g->cfg, &in, &rt) == -2) {
        snprintf(err, errlen, "out of memory routing the request");
        goto out;
    }
    json_t *ctx = json_object();
    json_object_set_new(ctx, "request", json_deep_copy(q));
    route_ctx(ctx, &rt);
    json_t *ra = json_array();
    for (size_t i = 0; i < nrnd; i++)
        json_array_append_new(ra, json_integer(rnd[i]));
    json_object_set_new(ctx, "random", ra);
    if (serve) /* the server sets a random id: no id derived from a hash of the context */
        json_object_set_new(ctx, "requestId", json_string("00000000-0000-4000-8000-000000000000"));
    r = rt_req_new(w, rt_gw_program(g, &rt), ctx, err, errlen);
    json_decref(ctx);
    if (r && rt.err.status) {
        r->section = POL_S_INBOUND;
        r->step = NULL;
        rt_fail(r, rt.err.source, rt.err.reason, "%s", rt.err.message);
        if (rt_req_error_response(r, rt.err.status, rt.err.message) < 0) {
            snprintf(err, errlen, "out of memory building the response");
            rt_req_free(r);
            r = NULL;
        }
    }
out:
    arena_release(&tmp);
    return r;
}

int rt_gw_run_request(rt_gw *g, const rt_world *w, rt_vclock *vc, const json_t *request,
                      const rt_api *default_api, const int64_t *rnd, size_t nrnd, size_t *used,
                      rt_tf_run *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    *used = 0;
    if (request && !json_is_object(request)) {
        snprintf(err, errlen, "'request' must be a mapping");
        return -1;
    }
    const json_t *url = request ? json_object_get(request, "url") : NULL;
    if (url && !json_is_string(url)) {
        snprintf(err, errlen, "'request.url' must be a string");
        return -1;
    }
    json_t *q = absolute_request(request, default_api);
    rt_req *r = make_request(g, w, q, rnd, nrnd, false, err, errlen);
    json_decref(q);
    if (!r)
        return -1;
    rt_ctx_set_trace(r->ctx, w->trace);
    bool done = false;
    r->on_finish = on_finish;
    r->on_finish_ud = &done;
    if (w->trace)
        fprintf(w->trace, "  %.*s %.*s (api %.*s, operation %.*s)\n",
                STR_FMT(r->ctx->request.method),
                STR_FMT(rt_req_url_text(r, r->ctx->request.original_url)), STR_FMT(r->ctx->api.id),
                STR_FMT(r->ctx->operation.id));
    if (r->failed)
        rt_pipeline_start_failed(r);
    else
        rt_pipeline_start(r);
    rt_vclock_run_until(vc, &done);
    out->finished = done;
    out->elapsed_ms = (done ? r->end_ms : rt_clock_now(w->clock)) - r->start_ms;
    for (long i = 0; r->pending > 0 && i < 100000; i++) {
        if (!rt_vclock_step(vc))
            break;
    }
    *used = r->ctx->irandom;
    out->r = r;
    return 0;
}

rt_req *rt_gw_new_request(rt_gw *g, const rt_world *w, const json_t *request, char *err,
                          size_t errlen)
{
    return make_request(g, w, request, NULL, 0, true, err, errlen);
}

/* ---- the test identity provider ---- */

typedef struct json_identity {
    rt_identity vt; /* first */
    const json_t *map;
} json_identity;

static int json_get_token(rt_identity *id, arena *a, str resource, str client_id, str *token,
                          str *error)
{
    const json_identity *ji = (const json_identity *)id;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)ji->map, k, v)
    {
        if (!str_eq(str_from(k), resource))
            continue;
        if (json_is_object(v)) {
            const char *cid = json_string_value(json_object_get(v, "clientId"));
            if (cid && !str_eq(str_from(cid), client_id))
                continue;
            const char *e = json_string_value(json_object_get(v, "error"));
            if (e) {
                *error = arena_str(a, str_from(e));
                return -1;
            }
            v = json_object_get(v, "token");
        }
        if (!json_is_string(v))
            continue;
        *token = arena_str(a, str_make(json_string_value(v), json_string_length(v)));
        return token->ptr ? 0 : -1;
    }
    char *m = arena_sprintf(a, "no token for resource '%.*s'%s%.*s in the test's identity map",
                            STR_FMT(resource), client_id.len ? " and client id " : "",
                            STR_FMT(client_id));
    *error = str_from(m ? m : "no token");
    return -1;
}

rt_identity *rt_identity_json_new(const json_t *map)
{
    json_identity *ji = xcalloc(1, sizeof *ji);
    ji->vt.get_token = json_get_token;
    ji->map = map;
    return &ji->vt;
}
