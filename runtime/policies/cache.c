/* Response and value caching: cache-lookup, cache-store, cache-lookup-value,
 * cache-store-value, cache-remove-value (and the toolkit's cache-value). */
#include "families.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "observe_pol.h"

const char *const rt_pv_caching_type[] = { "internal", "external", "prefer-external", NULL };

static const char *const downstream_caching_types[] = { "none", "private", "public", NULL };

/* <cache-lookup vary-by-developer="bool" vary-by-developer-groups="bool" caching-type=...
 *   downstream-caching-type="none|private|public" must-revalidate="bool"
 *   allow-private-response-caching="bool">
 *   <vary-by-header>h</vary-by-header>* <vary-by-query-parameter>q</vary-by-query-parameter>*
 * </cache-lookup> */
static const pol_attr cache_lookup_attrs[] = {
    { "vary-by-developer", POL_T_BOOL, POL_REQUIRED | POL_EXPR, "false", NULL },
    { "vary-by-developer-groups", POL_T_BOOL, POL_REQUIRED | POL_EXPR, "false", NULL },
    { "caching-type", POL_T_ENUM, 0, "prefer-external", rt_pv_caching_type },
    { "downstream-caching-type", POL_T_ENUM, POL_EXPR, "none", downstream_caching_types },
    { "must-revalidate", POL_T_BOOL, POL_EXPR, "true", NULL },
    { "allow-private-response-caching", POL_T_BOOL, POL_EXPR, "false", NULL },
    { 0 },
};
static const pol_child cache_lookup_children[] = {
    { .name = "vary-by-header", .content = POL_C_TEXT, .text_flags = POL_REQUIRED },
    { .name = "vary-by-query-parameter", .content = POL_C_TEXT, .text_flags = POL_REQUIRED },
    { 0 },
};

/* <cache-store duration="s" cache-response="bool"/> */
static const pol_attr cache_store_attrs[] = {
    { "duration", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "cache-response", POL_T_BOOL, POL_EXPR, NULL, NULL },
    { 0 },
};

/* <cache-lookup-value key="k" variable-name="v" default-value="d" caching-type=.../> */
static const pol_attr cache_lookup_value_attrs[] = {
    { "key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "variable-name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "default-value", POL_T_STR, POL_EXPR, NULL, NULL },
    { "caching-type", POL_T_ENUM, 0, "prefer-external", rt_pv_caching_type },
    { 0 },
};

/* <cache-store-value key="k" value="v" duration="s" caching-type=.../> */
static const pol_attr cache_store_value_attrs[] = {
    { "key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "value", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "duration", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "caching-type", POL_T_ENUM, 0, "prefer-external", rt_pv_caching_type },
    { 0 },
};

/* <cache-remove-value key="k" caching-type=.../> */
static const pol_attr cache_remove_value_attrs[] = {
    { "key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "caching-type", POL_T_ENUM, 0, "prefer-external", rt_pv_caching_type },
    { 0 },
};

/* Policy toolkit only, not APIM: <cache-value key variable-name expires-after caching-type>
 * <value>policies computing the value</value></cache-value>. */
static const pol_attr cache_value_attrs[] = {
    { "key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "variable-name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "expires-after", POL_T_UINT, POL_EXPR, NULL, NULL },
    { "caching-type", POL_T_ENUM, 0, "prefer-external", rt_pv_caching_type },
    { 0 },
};
static const pol_child cache_value_children[] = {
    { .name = "value", .min = 1, .max = 1, .content = POL_C_POLICIES },
    { 0 },
};

/* ---- execution ----
 * One in-memory store per world (rt_observe_of(r->w)->cache) whatever the caching-type:
 * internal, external and prefer-external all use it. Value keys and response keys live in
 * separate spaces ("v:" and "r:" prefixes). */

struct rt_req_obs *rt_pol_req_obs(rt_req *r)
{
    if (!r->obs)
        r->obs = arena_calloc(&r->arena, 1, sizeof *r->obs);
    return r->obs;
}

static rt_cache *store_of(rt_req *r)
{
    return rt_observe_of(r->w)->cache;
}

static int64_t now_of(rt_req *r)
{
    return rt_clock_now(r->w->clock);
}

static pol_status oom(rt_req *r)
{
    return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
}

/* The key expression as "v:" + key (arena); -1 after recording a failure. */
static int value_key(rt_req *r, const pol_val *v, str *out)
{
    str k;
    if (rt_val_str(r, v, &k) < 0)
        return -1;
    if (!k.ptr || !k.len) {
        rt_fail(r, NULL, "ExpressionValueEvaluationFailure", "the cache key is empty");
        return -1;
    }
    char *s = arena_sprintf(&r->arena, "v:%.*s", STR_FMT(k));
    if (!s) {
        oom(r);
        return -1;
    }
    *out = str_make(s, k.len + 2);
    return 0;
}

/* The duration attribute in ms (seconds, >= 0). */
static int duration_ms(rt_req *r, const pol_val *v, int64_t *out)
{
    int64_t secs;
    if (rt_val_int(r, v, 0, &secs) < 0)
        return -1;
    if (secs < 0 || secs > INT64_MAX / 2000) {
        rt_fail(r, NULL, "ExpressionValueEvaluationFailure", "invalid cache duration %lld",
                (long long)secs);
        return -1;
    }
    *out = secs * 1000;
    return 0;
}

/* cache-lookup-value / cache-store-value / cache-remove-value / cache-value */
typedef struct value_conf {
    pol_val key, value, def, duration;
    str var;
} value_conf;

static int value_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    value_conf *c = out;
    pol_cc_attr(el, "key", &c->key);
    pol_cc_attr(el, "value", &c->value);
    pol_cc_attr(el, "default-value", &c->def);
    pol_cc_attr(el, "duration", &c->duration);
    c->var = pol_cc_lit(el, "variable-name", "");
    return 0;
}

static pol_status set_var(rt_req *r, str name, xv v)
{
    if (xv_dict_set_in(&r->arena, r->ctx->variables, name, v) < 0)
        return oom(r);
    return POL_NEXT;
}

/* Miss without default-value: the variable is not set (documented behaviour). */
static pol_status lookup_value_exec(rt_req *r, const void *conf)
{
    const value_conf *c = conf;
    str key, bytes;
    if (value_key(r, &c->key, &key) < 0)
        return POL_FAIL;
    int hit = rt_cache_get(store_of(r), key, now_of(r), &r->arena, &bytes);
    if (hit < 0)
        return oom(r);
    xv v;
    if (hit) {
        if (rt_pol_xv_thaw(r, bytes, &v) < 0)
            return rt_fail(r, NULL, "CacheError", "the cached value of '%.*s' cannot be read",
                           STR_FMT(key));
        rt_trace(r, "hit: %.*s -> variable %.*s (%s)", STR_FMT(key), STR_FMT(c->var),
                 xv_type_name(v));
        return set_var(r, c->var, v);
    }
    if (!c->def.present) {
        rt_trace(r, "miss: %.*s, variable %.*s not set", STR_FMT(key), STR_FMT(c->var));
        return POL_NEXT;
    }
    if (rt_val_xv(r, &c->def, &v) < 0)
        return POL_FAIL;
    rt_trace(r, "miss: %.*s, variable %.*s = default-value", STR_FMT(key), STR_FMT(c->var));
    return set_var(r, c->var, v);
}

static pol_status store_value_exec(rt_req *r, const void *conf)
{
    const value_conf *c = conf;
    str key;
    xv v;
    int64_t ms;
    if (value_key(r, &c->key, &key) < 0 || rt_val_xv(r, &c->value, &v) < 0 ||
        duration_ms(r, &c->duration, &ms) < 0)
        return POL_FAIL;
    buf b;
    buf_init(&b, (size_t)64 << 20);
    const char *why;
    if (rt_pol_xv_freeze(r, v, &b, &why) < 0) {
        buf_release(&b);
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                       "cache-store-value: %s cannot be cached", why);
    }
    int64_t now = now_of(r);
    int rc = rt_cache_put(store_of(r), key, buf_str(&b), now, now + ms);
    buf_release(&b);
    rt_trace(r, "%.*s stored for %llds (%s)%s", STR_FMT(key), (long long)(ms / 1000),
             xv_type_name(v), rc < 0 ? ": too large, not stored" : "");
    return POL_NEXT;
}

static pol_status remove_value_exec(rt_req *r, const void *conf)
{
    const value_conf *c = conf;
    str key;
    if (value_key(r, &c->key, &key) < 0)
        return POL_FAIL;
    bool had = rt_cache_remove(store_of(r), key, now_of(r));
    rt_trace(r, "%.*s %s", STR_FMT(key), had ? "removed" : "was not cached");
    return POL_NEXT;
}

/* ---- cache-lookup / cache-store (responses) ---- */

typedef struct lookup_conf {
    pol_val vary_dev, vary_groups, downstream, must_revalidate, allow_private;
    str *headers, *params; /* vary-by-header / vary-by-query-parameter (';'-split later) */
    size_t nheaders, nparams;
} lookup_conf;

static int lookup_parse(pol_cc *cc, const pol_node *el, void *out)
{
    lookup_conf *c = out;
    pol_cc_attr(el, "vary-by-developer", &c->vary_dev);
    pol_cc_attr(el, "vary-by-developer-groups", &c->vary_groups);
    pol_cc_attr(el, "downstream-caching-type", &c->downstream);
    pol_cc_attr(el, "must-revalidate", &c->must_revalidate);
    pol_cc_attr(el, "allow-private-response-caching", &c->allow_private);
    const pol_node **h, **q;
    c->nheaders = pol_cc_children(cc, el, "vary-by-header", &h);
    c->nparams = pol_cc_children(cc, el, "vary-by-query-parameter", &q);
    c->headers = arena_calloc(cc->a, c->nheaders + 1, sizeof *c->headers);
    c->params = arena_calloc(cc->a, c->nparams + 1, sizeof *c->params);
    if (!c->headers || !c->params)
        return pol_cc_error(cc, el, "out of memory");
    for (size_t i = 0; i < c->nheaders; i++) {
        pol_val v;
        pol_cc_text(h[i], &v);
        c->headers[i] = str_trim(v.lit);
    }
    for (size_t i = 0; i < c->nparams; i++) {
        pol_val v;
        pol_cc_text(q[i], &v);
        c->params[i] = str_trim(v.lit);
    }
    return 0;
}

/* Appends "|name=v1,v2" for each name of the ';'/','-separated list from dict d. */
static void key_part(buf *k, char tag, str names, const xv_dict *d)
{
    while (names.len) {
        size_t n = 0;
        while (n < names.len && names.ptr[n] != ';' && names.ptr[n] != ',')
            n++;
        str name = str_trim(str_make(names.ptr, n));
        names = n < names.len ? str_make(names.ptr + n + 1, names.len - n - 1) : STR_LIT("");
        if (!name.len)
            continue;
        buf_printf(k, "|%c:%.*s=", tag, STR_FMT(name));
        xv_list *l = d ? rt_hdr_get(d, name) : NULL;
        for (size_t i = 0; l && i < l->n; i++)
            buf_printf(k, "%s%.*s", i ? "," : "", STR_FMT(l->items[i].u.s));
    }
}

static const char *const downstream_names[] = { "none", "private", "public", NULL };

static pol_status lookup_exec(rt_req *r, const void *conf)
{
    const lookup_conf *c = conf;
    const rt_request *q = &r->ctx->request;
    bool dev, groups, must, allow;
    str down;
    if (rt_val_bool(r, &c->vary_dev, false, &dev) < 0 ||
        rt_val_bool(r, &c->vary_groups, false, &groups) < 0 ||
        rt_val_bool(r, &c->must_revalidate, true, &must) < 0 ||
        rt_val_bool(r, &c->allow_private, false, &allow) < 0 ||
        rt_val_str(r, &c->downstream, &down) < 0)
        return POL_FAIL;
    int dt = -1;
    for (int i = 0; downstream_names[i]; i++) {
        if (down.ptr && str_ieq(str_trim(down), str_from(downstream_names[i])))
            dt = i;
    }
    if (dt < 0)
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                       "unknown downstream-caching-type '%.*s'", STR_FMT(down));
    if (!str_ieq(q->method, STR_LIT("GET"))) {
        rt_trace(r, "%.*s requests are not cached", STR_FMT(q->method));
        return POL_NEXT;
    }
    if (!allow && rt_hdr_get(q->headers, STR_LIT("Authorization"))) {
        rt_trace(r, "request with Authorization: not cached (allow-private-response-caching)");
        return POL_NEXT;
    }
    struct rt_req_obs *o = rt_pol_req_obs(r);
    buf k;
    buf_init(&k, (size_t)1 << 20);
    buf_printf(&k, "r:%.*s|%.*s|%.*s", STR_FMT(r->ctx->api.id), STR_FMT(r->ctx->operation.id),
               STR_FMT(q->original_url->path));
    for (size_t i = 0; i < c->nparams; i++)
        key_part(&k, 'q', c->params[i], q->original_url->query);
    for (size_t i = 0; i < c->nheaders; i++)
        key_part(&k, 'h', c->headers[i], q->headers);
    if (dev || groups)
        buf_printf(&k, "|u:%.*s", STR_FMT(r->ctx->user ? r->ctx->user->id : STR_LIT("")));
    if (groups && r->ctx->user && r->ctx->user->groups) {
        const xv_list *g = r->ctx->user->groups;
        for (size_t i = 0; i < g->n; i++) {
            if (g->items[i].kind == XV_OBJ)
                buf_printf(&k, "|g:%.*s", STR_FMT(((const rt_named *)g->items[i].u.obj.ptr)->id));
        }
    }
    char *key = o ? arena_strndup(&r->arena, k.ptr ? k.ptr : "", k.len) : NULL;
    size_t klen = k.len;
    buf_release(&k);
    if (!key)
        return oom(r);
    o->cache_key = str_make(key, klen);
    o->downstream = dt;
    o->must_revalidate = must;
    str blob;
    int hit = rt_cache_get(store_of(r), o->cache_key, now_of(r), &r->arena, &blob);
    if (hit < 0)
        return oom(r);
    if (!hit) {
        rt_trace(r, "miss: %s", key);
        return POL_NEXT;
    }
    if (rt_pol_cached_response(r, blob) < 0)
        return POL_FAIL;
    rt_trace(r, "hit: %s: cached response returned", key);
    return POL_RESPOND;
}

typedef struct store_conf {
    pol_val duration, cache_response;
} store_conf;

static int store_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    store_conf *c = out;
    pol_cc_attr(el, "duration", &c->duration);
    pol_cc_attr(el, "cache-response", &c->cache_response);
    return 0;
}

/* Adds Cache-Control for downstream caches (downstream-caching-type private/public). */
static int downstream_header(rt_req *r, int64_t max_age_ms)
{
    const struct rt_req_obs *o = r->obs;
    if (!o || o->downstream <= 0)
        return 0;
    char v[96];
    snprintf(v, sizeof v, "%s, max-age=%lld%s", downstream_names[o->downstream],
             (long long)(max_age_ms > 0 ? max_age_ms / 1000 : 0),
             o->must_revalidate ? ", must-revalidate" : "");
    xv_dict *h = r->ctx->response.headers;
    if (!h || rt_hdr_clear(r, h, STR_LIT("Cache-Control")) < 0 ||
        rt_hdr_add(r, h, STR_LIT("Cache-Control"), str_from(v)) < 0)
        return -1;
    return 0;
}

/* Caches the response under the lookup's key: 200 responses only, unless cache-response is
 * true (then any status). Without a cacheable cache-lookup before it, nothing is stored. */
static pol_status store_exec(rt_req *r, const void *conf)
{
    const store_conf *c = conf;
    int64_t ms;
    bool any;
    if (duration_ms(r, &c->duration, &ms) < 0 ||
        rt_val_bool(r, &c->cache_response, false, &any) < 0)
        return POL_FAIL;
    const struct rt_req_obs *o = r->obs;
    if (!o || !o->cache_key.ptr) {
        rt_trace(r, "no cacheable cache-lookup for this request: not stored");
        return POL_NEXT;
    }
    if (!any && r->ctx->response.status != 200) {
        rt_trace(r, "status %d: not stored", r->ctx->response.status);
        return POL_NEXT;
    }
    if (downstream_header(r, ms) < 0)
        return oom(r);
    int64_t now = now_of(r);
    buf b;
    buf_init(&b, (size_t)64 << 20);
    int rc = rt_pol_response_freeze(r, now + ms, &b);
    if (rc == 0)
        rc = rt_cache_put(store_of(r), o->cache_key, buf_str(&b), now, now + ms);
    buf_release(&b);
    rt_trace(r, "%.*s stored for %llds%s", STR_FMT(o->cache_key), (long long)(ms / 1000),
             rc < 0 ? ": too large, not stored" : "");
    return POL_NEXT;
}

/* ---- responses as bytes: u32 status, reason, u32 header count, (name, value)*, body,
 * content type, i64 expiry (each str as u32 length + bytes) ---- */

static void put_str(buf *b, str s)
{
    uint32_t n = (uint32_t)s.len;
    buf_append(b, &n, sizeof n);
    buf_append(b, s.ptr, s.len);
}

int rt_pol_response_freeze(rt_req *r, int64_t expires_ms, buf *b)
{
    const rt_response *resp = &r->ctx->response;
    rt_hdr *lines = NULL;
    size_t n = 0;
    if (resp->headers && rt_hdr_lines(r, resp->headers, &lines, &n) < 0)
        return -1;
    uint32_t status = (uint32_t)resp->status, nh = (uint32_t)n;
    buf_append(b, &status, sizeof status);
    put_str(b, resp->reason);
    buf_append(b, &nh, sizeof nh);
    for (size_t i = 0; i < n; i++) {
        put_str(b, lines[i].name);
        put_str(b, lines[i].value);
    }
    put_str(b, rt_body_bytes(resp->body));
    put_str(b, resp->body ? resp->body->content_type : STR_LIT(""));
    return buf_append(b, &expires_ms, sizeof expires_ms);
}

static int get_str(rt_req *r, const char **p, const char *end, str *out)
{
    uint32_t n;
    if ((size_t)(end - *p) < sizeof n)
        return -1;
    memcpy(&n, *p, sizeof n);
    *p += sizeof n;
    if ((size_t)(end - *p) < n)
        return -1;
    char *s = arena_strndup(&r->arena, *p, n);
    if (!s)
        return -1;
    *out = str_make(s, n);
    *p += n;
    return 0;
}

int rt_pol_cached_response(rt_req *r, str blob)
{
    const char *p = blob.ptr, *end = blob.ptr + blob.len;
    uint32_t status, nh;
    str reason, body, ct;
    int64_t expires;
    if (blob.len < 8)
        goto bad;
    memcpy(&status, p, sizeof status);
    p += sizeof status;
    if (get_str(r, &p, end, &reason) < 0 || (size_t)(end - p) < sizeof nh)
        goto bad;
    memcpy(&nh, p, sizeof nh);
    p += sizeof nh;
    rt_hdr *lines = arena_calloc(&r->arena, nh + 1, sizeof *lines);
    if (!lines)
        goto bad;
    for (uint32_t i = 0; i < nh; i++) {
        if (get_str(r, &p, end, &lines[i].name) < 0 || get_str(r, &p, end, &lines[i].value) < 0)
            goto bad;
    }
    if (get_str(r, &p, end, &body) < 0 || get_str(r, &p, end, &ct) < 0 ||
        (size_t)(end - p) != sizeof expires)
        goto bad;
    memcpy(&expires, p, sizeof expires);
    rt_response *resp = &r->ctx->response;
    xv_dict *h = rt_hdr_dict(r, lines, nh);
    expr_body *eb = rt_body_new(r, body, ct);
    if (!h || !eb)
        goto bad;
    resp->status = (int)status;
    resp->reason = reason;
    resp->headers = h;
    resp->body = eb;
    if (downstream_header(r, expires - now_of(r)) < 0)
        goto bad;
    return 0;
bad:
    rt_fail(r, NULL, "CacheError", "the cached response cannot be read");
    return -1;
}

const pol_spec rt_policies_cache[] = {
    { .name = "cache-lookup",
      .sections = POL_SEC_INBOUND,
      .attrs = cache_lookup_attrs,
      .content = POL_C_CHILDREN,
      .children = cache_lookup_children,
      .flags = POL_ONCE | POL_UNORDERED,
      .conf_size = sizeof(lookup_conf),
      .parse = lookup_parse,
      .exec = lookup_exec },
    { .name = "cache-store",
      .sections = POL_SEC_OUTBOUND,
      .attrs = cache_store_attrs,
      .content = POL_C_EMPTY,
      .flags = POL_ONCE,
      .conf_size = sizeof(store_conf),
      .parse = store_parse,
      .exec = store_exec },
    { .name = "cache-lookup-value",
      .sections = POL_SEC_ANY,
      .attrs = cache_lookup_value_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(value_conf),
      .parse = value_parse,
      .exec = lookup_value_exec },
    { .name = "cache-store-value",
      .sections = POL_SEC_ANY,
      .attrs = cache_store_value_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(value_conf),
      .parse = value_parse,
      .exec = store_value_exec },
    { .name = "cache-remove-value",
      .sections = POL_SEC_ANY,
      .attrs = cache_remove_value_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(value_conf),
      .parse = value_parse,
      .exec = remove_value_exec },
    { .name = "cache-value",
      .sections = POL_SEC_ANY,
      .attrs = cache_value_attrs,
      .content = POL_C_CHILDREN,
      .children = cache_value_children,
      .flags = POL_UNSUPPORTED_SPEC | POL_DEPRECATED_SPEC },
    { 0 },
};
