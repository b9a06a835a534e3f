/* The records around the request in a CTX.json context: api, operation, product,
 * subscription, user, lastError, workspace, deployment; the scripted random results and the
 * request id. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "ctx_impl.h"

/* groups: ["id", ...] or [{id, name}, ...] -> IGroup[]; identities: [{id, provider}] */
static int named_list(rt_jp *p, const json_t *o, const char *where, const char *key,
                      const char *second, const xv_class *cls, xv_list **out)
{
    xv_list *l = xv_list_new_in(p->a, XV_LIST_ARRAY, cls);
    if (!l)
        return rt_jp_oom(p);
    *out = l;
    const json_t *arr = o ? json_object_get(o, key) : NULL;
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return rt_jp_fail(p, "'%s.%s' must be an array", where, key);
    size_t i;
    const json_t *item;
    json_array_foreach(arr, i, item)
    {
        rt_named *g = arena_alloc(p->a, sizeof *g);
        if (!g)
            return rt_jp_oom(p);
        if (json_is_string(item)) {
            if (rt_jp_dup_str(p, json_string_value(item), json_string_length(item), &g->id) < 0)
                return -1;
            g->name = g->id;
        } else if (!json_is_object(item) ||
                   rt_jp_str(p, item, where, "id", STR_LIT(""), &g->id) < 0 ||
                   rt_jp_str(p, item, where, second, g->id, &g->name) < 0) {
            return rt_jp_fail(p, "'%s.%s' items must be strings or objects with 'id'", where, key);
        }
        if (xv_list_push_in(p->a, l, xv_obj(cls, g)) < 0)
            return rt_jp_oom(p);
    }
    return 0;
}

int rt_ctx_build_api(rt_jp *p, const json_t *ctx, rt_ctx_api *api)
{
    const json_t *o, *names;
    if (rt_jp_obj(p, ctx, "api", &o) < 0 ||
        rt_jp_str(p, o, "api", "id", STR_LIT(""), &api->id) < 0 ||
        rt_jp_str(p, o, "api", "name", api->id, &api->name) < 0 ||
        rt_jp_str(p, o, "api", "path", STR_LIT(""), &api->path) < 0 ||
        rt_jp_str(p, o, "api", "revision", STR_LIT("1"), &api->revision) < 0 ||
        rt_jp_str(p, o, "api", "version", STR_NULL, &api->version) < 0 ||
        rt_jp_bool(p, o, "api", "isCurrentRevision", true, &api->current) < 0 ||
        rt_jp_obj(p, o, "subscriptionKeyParameterNames", &names) < 0 ||
        rt_jp_str(p, names, "api.subscriptionKeyParameterNames", "header",
                  STR_LIT("Ocp-Apim-Subscription-Key"), &api->key_header) < 0 ||
        rt_jp_str(p, names, "api.subscriptionKeyParameterNames", "query",
                  STR_LIT("subscription-key"), &api->key_query) < 0)
        return -1;
    str url;
    if (rt_jp_str(p, o, "api", "serviceUrl", STR_NULL, &url) < 0 ||
        (url.ptr && rt_jp_parse_url(p, "api.serviceUrl", url.ptr, &api->service_url) < 0))
        return -1;
    if (!(api->protocols = rt_jp_str_list(p)))
        return -1;
    const json_t *protos = o ? json_object_get(o, "protocols") : NULL;
    if (protos && json_is_array(protos)) {
        size_t i;
        const json_t *item;
        json_array_foreach(protos, i, item)
        {
            str s = STR_NULL;
            if (!json_is_string(item) ||
                rt_jp_dup_str(p, json_string_value(item), json_string_length(item), &s) < 0 ||
                xv_list_push_in(p->a, api->protocols, xv_str(s)) < 0)
                return rt_jp_fail(p, "'api.protocols' must be an array of strings");
        }
    } else if (xv_list_push_in(p->a, api->protocols, xv_str(STR_LIT("https"))) < 0) {
        return rt_jp_oom(p);
    }
    return 0;
}

int rt_ctx_build_product(rt_jp *p, const json_t *ctx, rt_ctx *c)
{
    const json_t *o;
    if (rt_jp_obj(p, ctx, "product", &o) < 0)
        return -1;
    if (!o)
        return 0;
    rt_ctx_product *pr = arena_alloc(p->a, sizeof *pr);
    if (!pr)
        return rt_jp_oom(p);
    const json_t *lim = json_object_get(o, "subscriptionLimit");
    if (rt_jp_str(p, o, "product", "id", STR_LIT(""), &pr->id) < 0 ||
        rt_jp_str(p, o, "product", "name", pr->id, &pr->name) < 0 ||
        rt_jp_str(p, o, "product", "state", STR_LIT("Published"), &pr->state) < 0 ||
        rt_jp_bool(p, o, "product", "approvalRequired", false, &pr->approval_required) < 0 ||
        rt_jp_bool(p, o, "product", "subscriptionRequired", true, &pr->subscription_required) < 0 ||
        named_list(p, o, "product", "groups", "name", &expr_class_group, &pr->groups) < 0)
        return -1;
    if (lim && !json_is_null(lim)) {
        if (!json_is_integer(lim))
            return rt_jp_fail(p, "'product.subscriptionLimit' must be an integer");
        pr->has_limit = true;
        pr->subscription_limit = json_integer_value(lim);
    }
    pr->apis = xv_list_new_in(p->a, XV_LIST_ARRAY, &expr_class_api);
    if (!pr->apis || xv_list_push_in(p->a, pr->apis, xv_obj(&expr_class_api, &c->api)) < 0)
        return rt_jp_oom(p);
    c->product = pr;
    return 0;
}

int rt_ctx_build_subscription(rt_jp *p, const json_t *ctx, rt_ctx *c)
{
    const json_t *o;
    if (rt_jp_obj(p, ctx, "subscription", &o) < 0)
        return -1;
    if (!o)
        return 0;
    rt_ctx_subscription *s = arena_alloc(p->a, sizeof *s);
    if (!s)
        return rt_jp_oom(p);
    const char *w = "subscription";
    if (rt_jp_str(p, o, w, "id", STR_LIT(""), &s->id) < 0 ||
        rt_jp_str(p, o, w, "name", s->id, &s->name) < 0 ||
        rt_jp_str(p, o, w, "primaryKey", STR_NULL, &s->primary_key) < 0 ||
        rt_jp_str(p, o, w, "secondaryKey", STR_NULL, &s->secondary_key) < 0 ||
        rt_jp_str(p, o, w, "key", s->primary_key, &s->key) < 0 ||
        rt_jp_time(p, o, w, "createdDate", p->timestamp, &s->created) < 0 ||
        rt_jp_time(p, o, w, "startDate", s->created, &s->start) < 0 ||
        rt_jp_time(p, o, w, "endDate", 0, &s->end) < 0)
        return -1;
    c->subscription = s;
    return 0;
}

int rt_ctx_build_user(rt_jp *p, const json_t *ctx, rt_ctx *c)
{
    const json_t *o;
    if (rt_jp_obj(p, ctx, "user", &o) < 0)
        return -1;
    if (!o)
        return 0;
    rt_ctx_user *u = arena_alloc(p->a, sizeof *u);
    if (!u)
        return rt_jp_oom(p);
    if (rt_jp_str(p, o, "user", "id", STR_LIT(""), &u->id) < 0 ||
        rt_jp_str(p, o, "user", "email", STR_NULL, &u->email) < 0 ||
        rt_jp_str(p, o, "user", "firstName", STR_NULL, &u->first_name) < 0 ||
        rt_jp_str(p, o, "user", "lastName", STR_NULL, &u->last_name) < 0 ||
        rt_jp_str(p, o, "user", "note", STR_NULL, &u->note) < 0 ||
        rt_jp_time(p, o, "user", "registrationDate", p->timestamp, &u->registered) < 0 ||
        named_list(p, o, "user", "groups", "name", &expr_class_group, &u->groups) < 0 ||
        named_list(p, o, "user", "identities", "provider", &expr_class_identity, &u->identities) <
            0)
        return -1;
    c->user = u;
    return 0;
}

int rt_ctx_build_misc(rt_jp *p, const json_t *ctx, rt_ctx *c)
{
    const json_t *o;
    if (rt_jp_obj(p, ctx, "operation", &o) < 0 ||
        rt_jp_str(p, o, "operation", "id", STR_LIT(""), &c->operation.id) < 0 ||
        rt_jp_str(p, o, "operation", "name", c->operation.id, &c->operation.name) < 0 ||
        rt_jp_str(p, o, "operation", "method", c->request.method, &c->operation.method) < 0 ||
        rt_jp_str(p, o, "operation", "urlTemplate", STR_LIT("/*"), &c->operation.url_template) < 0)
        return -1;
    if (rt_jp_obj(p, ctx, "lastError", &o) < 0)
        return -1;
    if (o) {
        rt_lasterror *e = arena_alloc(p->a, sizeof *e);
        const char *w = "lastError";
        if (!e)
            return rt_jp_oom(p);
        if (rt_jp_str(p, o, w, "source", STR_NULL, &e->source) < 0 ||
            rt_jp_str(p, o, w, "reason", STR_NULL, &e->reason) < 0 ||
            rt_jp_str(p, o, w, "message", STR_NULL, &e->message) < 0 ||
            rt_jp_str(p, o, w, "scope", STR_NULL, &e->scope) < 0 ||
            rt_jp_str(p, o, w, "section", STR_NULL, &e->section) < 0 ||
            rt_jp_str(p, o, w, "path", STR_NULL, &e->path) < 0 ||
            rt_jp_str(p, o, w, "policyId", STR_NULL, &e->policy_id) < 0)
            return -1;
        c->last_error = e;
    }
    if (rt_jp_obj(p, ctx, "workspace", &o) < 0)
        return -1;
    if (o) {
        rt_named *w = arena_alloc(p->a, sizeof *w);
        if (!w)
            return rt_jp_oom(p);
        if (rt_jp_str(p, o, "workspace", "id", STR_LIT(""), &w->id) < 0 ||
            rt_jp_str(p, o, "workspace", "name", w->id, &w->name) < 0)
            return -1;
        c->workspace = w;
    }
    rt_deployment *d = &c->deployment;
    d->region = STR_LIT("local");
    d->service_name = STR_LIT("apimlite");
    d->service_id = STR_LIT("apimlite");
    d->gateway_id = STR_LIT("apimlite");
    d->certificates = xv_dict_new_in(p->a, false);
    if (!d->certificates)
        return rt_jp_oom(p);
    d->certificates->readonly = true;
    return rt_jp_bool(p, ctx, "", "tracing", false, &c->tracing);
}

int rt_ctx_build_random(rt_jp *p, const json_t *ctx, rt_ctx *c)
{
    const json_t *r = ctx ? json_object_get(ctx, "random") : NULL;
    c->prng = 0x5eed0fa91117e5ULL;
    if (!r || json_is_null(r))
        return 0;
    if (!json_is_array(r))
        return rt_jp_fail(p, "'random' must be an array of integers");
    int64_t *vals = arena_calloc(p->a, json_array_size(r) + 1, sizeof *vals);
    if (!vals)
        return rt_jp_oom(p);
    size_t i;
    const json_t *item;
    json_array_foreach(r, i, item)
    {
        if (!json_is_integer(item))
            return rt_jp_fail(p, "'random' must be an array of integers");
        vals[i] = json_integer_value(item);
    }
    c->random = vals;
    c->nrandom = json_array_size(r);
    return 0;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (or 32 hex digits) -> .NET byte order. */
static int parse_guid(const char *s, uint8_t out[16])
{
    uint8_t raw[16];
    size_t k = 0;
    for (; *s && k < 32; s++) {
        if (*s == '-' && (k == 8 || k == 12 || k == 16 || k == 20))
            continue;
        int h = hexval(*s);
        if (h < 0)
            return -1;
        if (k % 2 == 0)
            raw[k / 2] = (uint8_t)(h << 4);
        else
            raw[k / 2] |= (uint8_t)h;
        k++;
    }
    if (k != 32 || *s)
        return -1;
    static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
    for (int i = 0; i < 16; i++)
        out[i] = raw[order[i]];
    return 0;
}

int rt_ctx_build_request_id(rt_jp *p, const json_t *ctx, rt_ctx *c)
{
    const json_t *id = ctx ? json_object_get(ctx, "requestId") : NULL;
    if (id && !json_is_null(id)) {
        if (!json_is_string(id) || parse_guid(json_string_value(id), c->request_id) < 0)
            return rt_jp_fail(p, "'requestId' must be a GUID string");
        return 0;
    }
    if (!ctx) {
        /* SHA-256("{}") as below, precomputed: the empty contexts of builders that set the
         * request id themselves (world.c's serve path) skip the hash */
        static const uint8_t empty[16] = { 0x44, 0x13, 0x6f, 0xa3, 0x55, 0xb3, 0x67, 0x4a,
                                           0x91, 0x46, 0xad, 0x16, 0xf7, 0xe8, 0x64, 0x9e };
        memcpy(c->request_id, empty, 16);
        return 0;
    }
    /* Deterministic: derived from the context itself, formatted as a version-4 GUID. */
    char *text = json_dumps(ctx, JSON_COMPACT | JSON_SORT_KEYS);
    const char *t = text ? text : "{}";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int ok = EVP_Digest(t, strlen(t), md, &mdlen, EVP_sha256(), NULL);
    free(text);
    if (!ok)
        return rt_jp_fail(p, "cannot derive the request id");
    memcpy(c->request_id, md, 16);
    c->request_id[7] = (uint8_t)((c->request_id[7] & 0x0f) | 0x40);
    c->request_id[8] = (uint8_t)((c->request_id[8] & 0x3f) | 0x80);
    return 0;
}
