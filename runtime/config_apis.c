/* apis: (with operations), products:, users: and subscriptions: (scopes and owners resolved
 * against the entities read before them). */
#include <ctype.h>
#include <string.h>

#include "config_impl.h"

static const char *what_of(cfg_reader *r, const char *kind, str id, const char *sub)
{
    const char *s = sub ? arena_sprintf(&r->c->a, "%s '%.*s': %s", kind, STR_FMT(id), sub)
                        : arena_sprintf(&r->c->a, "%s '%.*s'", kind, STR_FMT(id));
    return s ? s : kind;
}

static void opt_str(cfg_reader *r, const yaml_node_t *m, const char *key, const char *what,
                    str *out, str dflt)
{
    yaml_node_t *n = cfg_get(r, m, key);
    *out = dflt;
    if (n && cfg_str(r, n, what, out) < 0)
        *out = dflt;
}

static void opt_bool(cfg_reader *r, const yaml_node_t *m, const char *key, const char *what,
                     bool *out, bool dflt)
{
    yaml_node_t *n = cfg_get(r, m, key);
    *out = dflt;
    if (n)
        cfg_bool(r, n, what, out);
}

static bool is_token(str s)
{
    if (!s.len)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.ptr[i];
        if (!isalnum(ch) && !strchr("!#$%&'*+-.^_`|~", ch))
            return false;
    }
    return true;
}

/* ---- APIs and operations ---- */

static void read_operation(cfg_reader *r, rt_api *api, yaml_node_t *k, yaml_node_t *v)
{
    static const char *const keys[] = { "method",      "urlTemplate", "policy",
                                        "displayName", "description", NULL };
    rt_operation *op = &api->ops[api->nops];
    memset(op, 0, sizeof *op);
    op->id = cfg_scalar(r, k);
    op->where = cfg_where(k);
    const char *what = arena_sprintf(&r->c->a, "operation '%.*s' of API '%.*s'", STR_FMT(op->id),
                                     STR_FMT(api->id));
    if (!what || !cfg_expect_map(r, v, what))
        return;
    cfg_check_keys(r, v, keys, what);
    yaml_node_t *m = cfg_get(r, v, "method"), *t = cfg_get(r, v, "urlTemplate"), *n;
    size_t errs = r->d->errors;
    if (!m) {
        cfg_error(r, v, "%s: 'method' is required", what);
    } else if (cfg_str_nonempty(r, m, what_of(r, "operation", op->id, "'method'"), &op->method) ==
               0) {
        if (!str_eq_cstr(op->method, "*") && !is_token(op->method)) {
            cfg_error(r, m, "%s: 'method' must be an HTTP method or '*'", what);
        } else {
            char *up = (char *)op->method.ptr; /* our own arena copy */
            for (size_t i = 0; i < op->method.len; i++)
                up[i] = (char)toupper((unsigned char)up[i]);
        }
    }
    if (!t)
        cfg_error(r, v, "%s: 'urlTemplate' is required", what);
    else if (cfg_str_nonempty(r, t, what_of(r, "operation", op->id, "'urlTemplate'"),
                              &op->url_template) == 0)
        cfg_parse_template(r, t, op);
    opt_str(r, v, "displayName", "'displayName'", &op->display_name, op->id);
    opt_str(r, v, "description", "'description'", &op->description, STR_LIT(""));
    if ((n = cfg_get(r, v, "policy")))
        cfg_path(r, n, "'policy'", &op->policy);
    if (r->d->errors == errs)
        api->nops++;
}

static void read_api_keys(cfg_reader *r, rt_api *api, const yaml_node_t *m, const char *what)
{
    static const char *const keys[] = { "header", "query", NULL };
    if (!cfg_expect_map(r, m, what))
        return;
    cfg_check_keys(r, m, keys, what);
    yaml_node_t *h = cfg_get(r, m, "header"), *q = cfg_get(r, m, "query");
    if (h &&
        cfg_str_nonempty(r, h, "subscriptionKeyParameterNames 'header'", &api->key_header) == 0 &&
        !is_token(api->key_header))
        cfg_error(r, h, "subscriptionKeyParameterNames 'header' is not a valid header name");
    if (q)
        cfg_str_nonempty(r, q, "subscriptionKeyParameterNames 'query'", &api->key_query);
}

static int read_api_path(cfg_reader *r, rt_api *api, const yaml_node_t *n, const char *what)
{
    str p;
    if (cfg_str(r, n, what, &p) < 0)
        return -1;
    while (p.len && p.ptr[0] == '/')
        p = (str){ p.ptr + 1, p.len - 1 };
    while (p.len && p.ptr[p.len - 1] == '/')
        p.len--;
    for (size_t i = 0; i < p.len; i++) {
        unsigned char ch = (unsigned char)p.ptr[i];
        if (ch <= ' ' || ch == '?' || ch == '#' || ch == '{' || ch == '}' || ch == 0x7f ||
            (ch == '/' && p.ptr[i + 1] == '/')) {
            cfg_error(r, n, "%s: invalid URL suffix (no white space, '?', '#', '{', '}' or '//')",
                      what);
            return -1;
        }
    }
    api->path = arena_str(&r->c->a, p);
    for (size_t i = 0; i < r->c->napis; i++) {
        if (str_ieq(r->c->apis[i].path, api->path)) {
            cfg_error(r, n, "%s: API '%.*s' has the same path", what, STR_FMT(r->c->apis[i].id));
            return -1;
        }
    }
    return 0;
}

static void read_api(cfg_reader *r, yaml_node_t *k, yaml_node_t *v)
{
    static const char *const keys[] = {
        "path",       "serviceUrl",  "subscriptionRequired", "subscriptionKeyParameterNames",
        "policy",     "displayName", "description",          "protocols",
        "operations", "apiVersion",  "apiRevision",          "isCurrent",
        NULL
    };
    rt_config *c = r->c;
    rt_api *api = &c->apis[c->napis];
    memset(api, 0, sizeof *api);
    api->id = cfg_scalar(r, k);
    api->where = cfg_where(k);
    api->index = c->napis;
    const char *what = what_of(r, "API", api->id, NULL);
    if (!v || v->type != YAML_MAPPING_NODE) {
        cfg_error(r, k, "each API must be a mapping under its id");
        return;
    }
    cfg_check_keys(r, v, keys, what);
    yaml_node_t *n;
    if (!(n = cfg_get(r, v, "path"))) {
        cfg_error(r, k, "%s: 'path' is required (\"\" for the root)", what);
        return;
    }
    if (read_api_path(r, api, n, what_of(r, "API", api->id, "'path'")) < 0)
        return;
    api->service_url = STR_LIT("");
    if ((n = cfg_get(r, v, "serviceUrl")) &&
        cfg_subst(r, n, what_of(r, "API", api->id, "'serviceUrl'"), &api->service_url, NULL) == 0 &&
        api->service_url.len && !cfg_is_http_url(api->service_url))
        cfg_error(r, n, "%s: 'serviceUrl' must be an absolute http:// or https:// URL", what);
    opt_bool(r, v, "subscriptionRequired", "'subscriptionRequired'", &api->subscription_required,
             true);
    api->key_header = STR_LIT("Ocp-Apim-Subscription-Key");
    api->key_query = STR_LIT("subscription-key");
    if ((n = cfg_get(r, v, "subscriptionKeyParameterNames")))
        read_api_keys(r, api, n, what_of(r, "API", api->id, "subscriptionKeyParameterNames"));
    opt_str(r, v, "displayName", "'displayName'", &api->display_name, api->id);
    opt_str(r, v, "description", "'description'", &api->description, STR_LIT(""));
    opt_str(r, v, "apiVersion", "'apiVersion'", &api->api_version, STR_LIT(""));
    opt_str(r, v, "apiRevision", "'apiRevision'", &api->api_revision, STR_LIT("1"));
    opt_bool(r, v, "isCurrent", "'isCurrent'", &api->is_current, true);
    if ((n = cfg_get(r, v, "protocols")) &&
        cfg_str_list(r, n, "'protocols'", true, &api->protocols, &api->nprotocols) == 0) {
        for (size_t i = 0; i < api->nprotocols; i++) {
            str p = api->protocols[i];
            if (!str_eq_cstr(p, "http") && !str_eq_cstr(p, "https") && !str_eq_cstr(p, "ws") &&
                !str_eq_cstr(p, "wss"))
                cfg_error(r, n, "%s: protocol '%.*s' is not one of http, https, ws, wss", what,
                          STR_FMT(p));
        }
    }
    if (!n) {
        static str https = STR_LIT("https");
        api->protocols = &https;
        api->nprotocols = 1;
    }
    if ((n = cfg_get(r, v, "policy")))
        cfg_path(r, n, "'policy'", &api->policy);
    c->napis++;
    yaml_node_t *ops = cfg_get(r, v, "operations");
    if (!ops || !cfg_expect_map(r, ops, "operations"))
        return;
    cfg_check_keys(r, ops, NULL, what_of(r, "API", api->id, "operations"));
    api->ops = arena_calloc(&c->a, cfg_npairs(ops) + 1, sizeof *api->ops);
    for (yaml_node_pair_t *q = ops->data.mapping.pairs.start;
         api->ops && q < ops->data.mapping.pairs.top; q++) {
        yaml_node_t *ok = cfg_node(r, q->key), *ov = cfg_node(r, q->value);
        bool dup = false;
        for (size_t i = 0; cfg_is_scalar(ok) && i < api->nops && !dup; i++)
            dup = str_eq(api->ops[i].id,
                         (str){ (const char *)ok->data.scalar.value, ok->data.scalar.length });
        if (cfg_is_scalar(ok) && !dup)
            read_operation(r, api, ok, ov);
    }
}

void cfg_read_apis(cfg_reader *r, const yaml_node_t *m)
{
    if (!cfg_expect_map(r, m, "apis"))
        return;
    rt_config *c = r->c;
    cfg_check_keys(r, m, NULL, "apis");
    c->apis = arena_calloc(&c->a, cfg_npairs(m) + 1, sizeof *c->apis);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         c->apis && p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(r, p->key), *v = cfg_node(r, p->value);
        if (cfg_is_scalar(k) && !rt_config_api(c, cfg_scalar(r, k)))
            read_api(r, k, v);
    }
}

/* ---- products ---- */

static void read_product_apis(cfg_reader *r, rt_product *pr, const yaml_node_t *n)
{
    str *ids;
    size_t nids;
    if (cfg_str_list(r, n, "product 'apis'", false, &ids, &nids) < 0)
        return;
    pr->apis = arena_calloc(&r->c->a, nids + 1, sizeof *pr->apis);
    if (!pr->apis)
        return;
    yaml_node_item_t *it = n->data.sequence.items.start;
    for (size_t i = 0; i < nids; i++, it++) {
        str id = ids[i];
        yaml_node_t *at = cfg_node(r, *it);
        if (str_starts_with(id, STR_LIT("/apis/")))
            id = (str){ id.ptr + 6, id.len - 6 };
        const rt_api *api = rt_config_api(r->c, id);
        if (!api) {
            cfg_error(r, at, "product '%.*s': API '%.*s' is not defined", STR_FMT(pr->id),
                      STR_FMT(id));
            continue;
        }
        if (rt_product_has_api(pr, api)) {
            cfg_error(r, at, "product '%.*s': API '%.*s' is listed twice", STR_FMT(pr->id),
                      STR_FMT(id));
            continue;
        }
        pr->apis[pr->napis++] = api;
        if (pr->subscription_required)
            continue;
        for (size_t k = 0; k < r->c->nproducts; k++) { /* products read before this one */
            const rt_product *o = &r->c->products[k];
            if (!o->subscription_required && rt_product_has_api(o, api))
                cfg_error(r, at,
                          "product '%.*s': API '%.*s' is already in the open product "
                          "'%.*s' (an API can be in at most one open product)",
                          STR_FMT(pr->id), STR_FMT(id), STR_FMT(o->id));
        }
    }
}

static void read_product(cfg_reader *r, yaml_node_t *k, yaml_node_t *v)
{
    static const char *const keys[] = {
        "apis",        "subscriptionRequired", "approvalRequired", "state", "policy", "displayName",
        "description", "subscriptionsLimit",   "groups",           "terms", NULL
    };
    rt_config *c = r->c;
    rt_product *pr = &c->products[c->nproducts];
    memset(pr, 0, sizeof *pr);
    pr->id = cfg_scalar(r, k);
    pr->where = cfg_where(k);
    pr->index = c->nproducts;
    const char *what = what_of(r, "product", pr->id, NULL);
    if (!v || v->type != YAML_MAPPING_NODE) {
        cfg_error(r, k, "each product must be a mapping under its id");
        return;
    }
    cfg_check_keys(r, v, keys, what);
    yaml_node_t *n;
    opt_bool(r, v, "subscriptionRequired", "'subscriptionRequired'", &pr->subscription_required,
             true);
    opt_bool(r, v, "approvalRequired", "'approvalRequired'", &pr->approval_required, false);
    if (pr->approval_required && !pr->subscription_required)
        cfg_error(r, cfg_get(r, v, "approvalRequired"),
                  "%s: 'approvalRequired' needs 'subscriptionRequired: true'", what);
    pr->published = true;
    if ((n = cfg_get(r, v, "state"))) {
        if (cfg_key_is(n, "notPublished"))
            pr->published = false;
        else if (!cfg_key_is(n, "published"))
            cfg_error(r, n, "%s: 'state' must be published or notPublished", what);
    }
    int64_t lim;
    if ((n = cfg_get(r, v, "subscriptionsLimit")) && !cfg_is_null(n) &&
        cfg_int(r, n, "'subscriptionsLimit'", 0, 1000000000, &lim) == 0)
        pr->subscriptions_limit = (int)lim;
    opt_str(r, v, "displayName", "'displayName'", &pr->display_name, pr->id);
    opt_str(r, v, "description", "'description'", &pr->description, STR_LIT(""));
    if ((n = cfg_get(r, v, "groups")))
        cfg_str_list(r, n, "'groups'", false, &pr->groups, &pr->ngroups);
    if ((n = cfg_get(r, v, "apis")))
        read_product_apis(r, pr, n);
    if ((n = cfg_get(r, v, "policy")))
        cfg_path(r, n, "'policy'", &pr->policy);
    c->nproducts++;
}

void cfg_read_products(cfg_reader *r, const yaml_node_t *m)
{
    if (!cfg_expect_map(r, m, "products"))
        return;
    rt_config *c = r->c;
    cfg_check_keys(r, m, NULL, "products");
    c->products = arena_calloc(&c->a, cfg_npairs(m) + 1, sizeof *c->products);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         c->products && p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(r, p->key), *v = cfg_node(r, p->value);
        if (cfg_is_scalar(k) && !rt_config_product(c, cfg_scalar(r, k)))
            read_product(r, k, v);
    }
}

/* ---- users ---- */

void cfg_read_users(cfg_reader *r, const yaml_node_t *m)
{
    static const char *const keys[] = { "email", "firstName",        "lastName",
                                        "note",  "registrationDate", "groups",
                                        NULL };
    if (!cfg_expect_map(r, m, "users"))
        return;
    rt_config *c = r->c;
    cfg_check_keys(r, m, NULL, "users");
    c->users = arena_calloc(&c->a, cfg_npairs(m) + 1, sizeof *c->users);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         c->users && p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(r, p->key), *v = cfg_node(r, p->value), *n;
        if (!cfg_is_scalar(k) || rt_config_user(c, cfg_scalar(r, k)))
            continue;
        rt_user *u = &c->users[c->nusers];
        memset(u, 0, sizeof *u);
        u->id = cfg_scalar(r, k);
        u->where = cfg_where(k);
        const char *what = what_of(r, "user", u->id, NULL);
        if (cfg_is_null(v)) {
            v = NULL; /* "id:" alone */
        } else if (!cfg_expect_map(r, v, what)) {
            continue;
        }
        cfg_check_keys(r, v, keys, what);
        opt_str(r, v, "email", "'email'", &u->email, STR_LIT(""));
        opt_str(r, v, "firstName", "'firstName'", &u->first_name, STR_LIT(""));
        opt_str(r, v, "lastName", "'lastName'", &u->last_name, STR_LIT(""));
        opt_str(r, v, "note", "'note'", &u->note, STR_LIT(""));
        opt_str(r, v, "registrationDate", "'registrationDate'", &u->registration_date, STR_LIT(""));
        if ((n = cfg_get(r, v, "groups")))
            cfg_str_list(r, n, "'groups'", false, &u->groups, &u->ngroups);
        c->nusers++;
    }
}
