/* backends: (service/backends): url, protocol, credentials, tls, proxy, circuitBreaker rules,
 * type Single|Pool and pool.services. Pools are resolved after every backend is read. */
#include <string.h>

#include "config_impl.h"

typedef struct bctx {
    cfg_reader *r;
    rt_backend *b;
    const char *what; /* "backend 'x'" */
} bctx;

static const char *fmt_what(bctx *x, const char *sub)
{
    const char *s = arena_sprintf(&x->r->c->a, "%s: %s", x->what, sub);
    return s ? s : sub;
}

/* credentials.header / credentials.query: { name: [values] } (a single string is accepted). */
static int read_params(bctx *x, const yaml_node_t *m, const char *kind, rt_cred_param **out,
                       size_t *nout)
{
    cfg_reader *r = x->r;
    const char *what = fmt_what(x, kind);
    if (!cfg_expect_map(r, m, what))
        return -1;
    cfg_check_keys(r, m, NULL, what);
    *out = arena_calloc(&r->c->a, cfg_npairs(m) + 1, sizeof **out);
    if (!*out)
        return -1;
    int rc = 0;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(r, p->key), *v = cfg_node(r, p->value);
        if (!cfg_is_scalar(k))
            continue;
        rt_cred_param *cp = &(*out)[*nout];
        cp->name = cfg_scalar(r, k);
        if (!cp->name.len) {
            cfg_error(r, k, "%s: names must not be empty", what);
            rc = -1;
            continue;
        }
        const char *vw = arena_sprintf(&r->c->a, "%s '%.*s'", what, STR_FMT(cp->name));
        vw = vw ? vw : what;
        if (cfg_is_scalar(v) && !cfg_is_null(v)) {
            cp->values = arena_alloc(&r->c->a, sizeof *cp->values);
            if (!cp->values || cfg_subst(r, v, vw, &cp->values[0], NULL) < 0) {
                rc = -1;
                continue;
            }
            cp->nvalues = 1;
        } else if (v && v->type == YAML_SEQUENCE_NODE) {
            size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
            cp->values = arena_calloc(&r->c->a, cnt + 1, sizeof *cp->values);
            if (!cp->values)
                return -1;
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top; it++) {
                if (cfg_subst(r, cfg_node(r, *it), vw, &cp->values[cp->nvalues], NULL) == 0)
                    cp->nvalues++;
                else
                    rc = -1;
            }
        } else {
            cfg_error(r, v, "%s must be a list of strings", vw);
            rc = -1;
            continue;
        }
        (*nout)++;
    }
    return rc;
}

static void read_credentials(bctx *x, const yaml_node_t *m)
{
    static const char *const keys[] = {
        "header", "query", "authorization", "managedIdentity", "certificateIds", "certificate", NULL
    };
    cfg_reader *r = x->r;
    rt_backend_credentials *cr = &x->b->cred;
    const char *what = fmt_what(x, "credentials");
    if (!cfg_expect_map(r, m, what))
        return;
    cfg_check_keys(r, m, keys, what);
    yaml_node_t *n;
    if ((n = cfg_get(r, m, "header")))
        read_params(x, n, "credentials.header", &cr->headers, &cr->nheaders);
    if ((n = cfg_get(r, m, "query")))
        read_params(x, n, "credentials.query", &cr->query, &cr->nquery);
    if ((n = cfg_get(r, m, "authorization"))) {
        static const char *const akeys[] = { "scheme", "parameter", NULL };
        const char *aw = fmt_what(x, "credentials.authorization");
        if (cfg_expect_map(r, n, aw)) {
            cfg_check_keys(r, n, akeys, aw);
            yaml_node_t *s = cfg_get(r, n, "scheme"), *pa = cfg_get(r, n, "parameter");
            if (!s)
                cfg_error(r, n, "%s: 'scheme' is required", aw);
            else if (cfg_subst(r, s, fmt_what(x, "credentials.authorization.scheme"),
                               &cr->auth_scheme, NULL) == 0)
                cr->has_authorization = true;
            cr->auth_parameter = STR_LIT("");
            if (pa && cfg_subst(r, pa, fmt_what(x, "credentials.authorization.parameter"),
                                &cr->auth_parameter, NULL) < 0)
                cr->has_authorization = false;
        }
    }
    if ((n = cfg_get(r, m, "managedIdentity"))) {
        static const char *const mkeys[] = { "resource", "clientId", NULL };
        const char *mw = fmt_what(x, "credentials.managedIdentity");
        if (cfg_expect_map(r, n, mw)) {
            cfg_check_keys(r, n, mkeys, mw);
            yaml_node_t *res = cfg_get(r, n, "resource"), *cid = cfg_get(r, n, "clientId");
            cr->mi_client_id = STR_LIT("");
            if (!res)
                cfg_error(r, n, "%s: 'resource' is required", mw);
            else if (cfg_subst(r, res, fmt_what(x, "credentials.managedIdentity.resource"),
                               &cr->mi_resource, NULL) == 0 &&
                     (!cid || cfg_subst(r, cid, fmt_what(x, "credentials.managedIdentity.clientId"),
                                        &cr->mi_client_id, NULL) == 0))
                cr->has_managed_identity = true;
        }
    }
    if ((n = cfg_get(r, m, "certificateIds")))
        cfg_str_list(r, n, fmt_what(x, "credentials.certificateIds"), false, &cr->certificate_ids,
                     &cr->ncertificate_ids);
    if ((n = cfg_get(r, m, "certificate")))
        cfg_str_list(r, n, fmt_what(x, "credentials.certificate"), false, &cr->certificates,
                     &cr->ncertificates);
}

static void read_tls(bctx *x, const yaml_node_t *m)
{
    static const char *const keys[] = { "validateCertificateChain", "validateCertificateName",
                                        NULL };
    cfg_reader *r = x->r;
    const char *what = fmt_what(x, "tls");
    if (!cfg_expect_map(r, m, what))
        return;
    cfg_check_keys(r, m, keys, what);
    yaml_node_t *n;
    if ((n = cfg_get(r, m, "validateCertificateChain")))
        cfg_bool(r, n, fmt_what(x, "tls.validateCertificateChain"), &x->b->tls_validate_chain);
    if ((n = cfg_get(r, m, "validateCertificateName")))
        cfg_bool(r, n, fmt_what(x, "tls.validateCertificateName"), &x->b->tls_validate_name);
}

static void read_proxy(bctx *x, const yaml_node_t *m)
{
    static const char *const keys[] = { "url", "username", "password", NULL };
    cfg_reader *r = x->r;
    const char *what = fmt_what(x, "proxy");
    if (!cfg_expect_map(r, m, what))
        return;
    cfg_check_keys(r, m, keys, what);
    yaml_node_t *u = cfg_get(r, m, "url"), *n;
    if (!u) {
        cfg_error(r, m, "%s: 'url' is required", what);
    } else if (cfg_subst(r, u, fmt_what(x, "proxy.url"), &x->b->proxy_url, NULL) == 0 &&
               !cfg_is_http_url(x->b->proxy_url)) {
        cfg_error(r, u, "%s: 'url' must be an absolute http:// or https:// URL", what);
    }
    if ((n = cfg_get(r, m, "username")))
        cfg_subst(r, n, fmt_what(x, "proxy.username"), &x->b->proxy_username, NULL);
    if ((n = cfg_get(r, m, "password")))
        cfg_subst(r, n, fmt_what(x, "proxy.password"), &x->b->proxy_password, NULL);
}

static int read_ranges(bctx *x, const yaml_node_t *s, const char *what, rt_breaker_rule *rule)
{
    cfg_reader *r = x->r;
    if (!s || s->type != YAML_SEQUENCE_NODE) {
        cfg_error(r, s, "%s must be a list of {min, max}", what);
        return -1;
    }
    size_t cnt = (size_t)(s->data.sequence.items.top - s->data.sequence.items.start);
    rule->ranges = arena_calloc(&r->c->a, cnt + 1, sizeof *rule->ranges);
    if (!rule->ranges)
        return -1;
    int rc = 0;
    for (yaml_node_item_t *it = s->data.sequence.items.start; it < s->data.sequence.items.top;
         it++) {
        static const char *const keys[] = { "min", "max", NULL };
        yaml_node_t *e = cfg_node(r, *it);
        if (!cfg_expect_map(r, e, what)) {
            rc = -1;
            continue;
        }
        cfg_check_keys(r, e, keys, what);
        yaml_node_t *mn = cfg_get(r, e, "min"), *mx = cfg_get(r, e, "max");
        int64_t lo = 0, hi = 0;
        if (!mn || !mx) {
            cfg_error(r, e, "%s: each range needs 'min' and 'max'", what);
            rc = -1;
            continue;
        }
        if (cfg_int(r, mn, "status code range 'min'", 200, 599, &lo) < 0 ||
            cfg_int(r, mx, "status code range 'max'", 200, 599, &hi) < 0) {
            rc = -1;
            continue;
        }
        if (lo > hi) {
            cfg_error(r, mx, "status code range: 'max' (%lld) is below 'min' (%lld)", (long long)hi,
                      (long long)lo);
            rc = -1;
            continue;
        }
        rule->ranges[rule->nranges++] = (rt_status_range){ (int)lo, (int)hi };
    }
    return rc;
}

static void read_failure_condition(bctx *x, const yaml_node_t *m, rt_breaker_rule *rule,
                                   const char *what)
{
    static const char *const keys[] = { "count",        "percentage",
                                        "interval",     "statusCodeRanges",
                                        "errorReasons", NULL };
    cfg_reader *r = x->r;
    if (!cfg_expect_map(r, m, what))
        return;
    cfg_check_keys(r, m, keys, what);
    yaml_node_t *cnt = cfg_get(r, m, "count"), *pct = cfg_get(r, m, "percentage"),
                *iv = cfg_get(r, m, "interval"), *n;
    int64_t v;
    if ((cnt != NULL) == (pct != NULL))
        cfg_error(r, m, "%s needs exactly one of 'count' and 'percentage'", what);
    else if (cnt && cfg_int(r, cnt, "failureCondition 'count'", 1, 1000000, &v) == 0)
        rule->count = (int)v;
    else if (pct && cfg_int(r, pct, "failureCondition 'percentage'", 1, 100, &v) == 0)
        rule->percentage = (int)v;
    if (!iv)
        cfg_error(r, m, "%s: 'interval' is required", what);
    else
        cfg_duration(r, iv, "failureCondition 'interval'", &rule->interval_ms);
    n = cfg_get(r, m, "statusCodeRanges");
    if (n)
        read_ranges(x, n, "failureCondition 'statusCodeRanges'", rule);
    if ((n = cfg_get(r, m, "errorReasons")) &&
        cfg_str_list(r, n, "failureCondition 'errorReasons'", false, &rule->error_reasons,
                     &rule->nerror_reasons) == 0) {
        for (size_t i = 0; i < rule->nerror_reasons; i++) {
            if (rule->error_reasons[i].len > 200)
                cfg_error(r, n,
                          "failureCondition 'errorReasons': item %zu is longer than 200 "
                          "characters",
                          i + 1);
        }
    }
    if (!cfg_get(r, m, "statusCodeRanges") && !cfg_get(r, m, "errorReasons"))
        cfg_error(r, m, "%s needs 'statusCodeRanges' or 'errorReasons'", what);
}

static void read_breaker(bctx *x, const yaml_node_t *m)
{
    static const char *const keys[] = { "rules", NULL };
    static const char *const rkeys[] = { "name", "failureCondition", "tripDuration",
                                         "acceptRetryAfter", NULL };
    cfg_reader *r = x->r;
    const char *what = fmt_what(x, "circuitBreaker");
    if (!cfg_expect_map(r, m, what))
        return;
    cfg_check_keys(r, m, keys, what);
    yaml_node_t *rules = cfg_get(r, m, "rules");
    if (!rules || rules->type != YAML_SEQUENCE_NODE) {
        cfg_error(r, rules ? rules : m, "%s: 'rules' must be a list of rules", what);
        return;
    }
    size_t cnt = (size_t)(rules->data.sequence.items.top - rules->data.sequence.items.start);
    x->b->rules = arena_calloc(&r->c->a, cnt + 1, sizeof *x->b->rules);
    if (!x->b->rules)
        return;
    for (yaml_node_item_t *it = rules->data.sequence.items.start;
         it < rules->data.sequence.items.top; it++) {
        yaml_node_t *e = cfg_node(r, *it), *n;
        rt_breaker_rule *rule = &x->b->rules[x->b->nrules];
        const char *rw = fmt_what(x, "circuit breaker rule");
        if (!cfg_expect_map(r, e, rw))
            continue;
        cfg_check_keys(r, e, rkeys, rw);
        size_t errs = r->d->errors;
        rule->name = STR_LIT("");
        if ((n = cfg_get(r, e, "name")))
            cfg_str(r, n, fmt_what(x, "circuit breaker rule 'name'"), &rule->name);
        if ((n = cfg_get(r, e, "failureCondition")))
            read_failure_condition(x, n, rule, fmt_what(x, "failureCondition"));
        else
            cfg_error(r, e, "%s: 'failureCondition' is required", rw);
        if ((n = cfg_get(r, e, "tripDuration")))
            cfg_duration(r, n, "'tripDuration'", &rule->trip_ms);
        else
            cfg_error(r, e, "%s: 'tripDuration' is required", rw);
        if ((n = cfg_get(r, e, "acceptRetryAfter")))
            cfg_bool(r, n, "'acceptRetryAfter'", &rule->accept_retry_after);
        if (r->d->errors == errs)
            x->b->nrules++;
    }
}

static void read_pool(bctx *x, const yaml_node_t *m)
{
    static const char *const keys[] = { "services", NULL };
    static const char *const skeys[] = { "id", "priority", "weight", NULL };
    cfg_reader *r = x->r;
    const char *what = fmt_what(x, "pool");
    if (!cfg_expect_map(r, m, what))
        return;
    cfg_check_keys(r, m, keys, what);
    yaml_node_t *s = cfg_get(r, m, "services");
    if (!s || s->type != YAML_SEQUENCE_NODE ||
        s->data.sequence.items.top == s->data.sequence.items.start) {
        cfg_error(r, s ? s : m,
                  "%s: 'services' must be a non-empty list of {id, priority, "
                  "weight}",
                  what);
        return;
    }
    size_t cnt = (size_t)(s->data.sequence.items.top - s->data.sequence.items.start);
    if (cnt > RT_POOL_MAX) {
        cfg_error(r, s, "%s: a pool holds at most %d backends (%zu given)", what, RT_POOL_MAX, cnt);
        return;
    }
    x->b->members = arena_calloc(&r->c->a, cnt, sizeof *x->b->members);
    if (!x->b->members)
        return;
    for (yaml_node_item_t *it = s->data.sequence.items.start; it < s->data.sequence.items.top;
         it++) {
        yaml_node_t *e = cfg_node(r, *it), *n;
        const char *sw = fmt_what(x, "pool member");
        rt_pool_member *pm = &x->b->members[x->b->nmembers];
        pm->priority = 1;
        pm->weight = 1;
        int64_t v;
        pm->where = cfg_where(e);
        if (cfg_is_scalar(e)) { /* shorthand: just the id */
            if (cfg_str_nonempty(r, e, sw, &pm->id) < 0)
                continue;
        } else {
            if (!cfg_expect_map(r, e, sw))
                continue;
            cfg_check_keys(r, e, skeys, sw);
            if (!(n = cfg_get(r, e, "id"))) {
                cfg_error(r, e, "%s: 'id' is required", sw);
                continue;
            }
            if (cfg_str_nonempty(r, n, fmt_what(x, "pool member 'id'"), &pm->id) < 0)
                continue;
            pm->where = cfg_where(n);
            if ((n = cfg_get(r, e, "priority")) && !cfg_is_null(n)) {
                if (cfg_int(r, n, "pool member 'priority'", 0, 100, &v) < 0)
                    continue;
                pm->priority = (int)v;
            }
            if ((n = cfg_get(r, e, "weight")) && !cfg_is_null(n)) {
                if (cfg_int(r, n, "pool member 'weight'", 0, 100, &v) < 0)
                    continue;
                pm->weight = (int)v;
            }
        }
        if (str_starts_with(pm->id, STR_LIT("/backends/")))
            pm->id = (str){ pm->id.ptr + 10, pm->id.len - 10 };
        /* pm->backend: resolved after every backend is read */
        x->b->nmembers++;
    }
}

static void read_backend(cfg_reader *r, yaml_node_t *k, yaml_node_t *v)
{
    static const char *const keys[] = { "url",         "protocol", "description", "title",
                                        "credentials", "tls",      "proxy",       "circuitBreaker",
                                        "type",        "pool",     "resourceId",  NULL };
    rt_config *c = r->c;
    rt_backend *b = &c->backends[c->nbackends];
    memset(b, 0, sizeof *b);
    b->id = cfg_scalar(r, k);
    b->where = cfg_where(k);
    b->index = c->nbackends;
    b->url = b->description = b->title = b->proxy_url = b->proxy_username = b->proxy_password =
        STR_LIT("");
    b->protocol = STR_LIT("http");
    b->tls_validate_chain = b->tls_validate_name = true;
    bctx x = { r, b, arena_sprintf(&c->a, "backend '%.*s'", STR_FMT(b->id)) };
    if (!x.what)
        return;
    if (cfg_is_null(v)) {
        c->nbackends++; /* "id:" alone: a backend known by id (check) */
        return;
    }
    if (!v || v->type != YAML_MAPPING_NODE) {
        cfg_error(r, v, "backend '%.*s' must be a mapping", STR_FMT(b->id));
        return;
    }
    cfg_check_keys(r, v, keys, x.what);
    yaml_node_t *n, *url = cfg_get(r, v, "url");
    if ((n = cfg_get(r, v, "type"))) {
        if (cfg_key_is(n, "Pool"))
            b->pool = true;
        else if (!cfg_key_is(n, "Single"))
            cfg_error(r, n, "%s: 'type' must be Single or Pool", x.what);
    }
    if ((n = cfg_get(r, v, "protocol"))) {
        if (cfg_key_is(n, "http") || cfg_key_is(n, "soap"))
            b->protocol = cfg_scalar(r, n);
        else
            cfg_error(r, n, "%s: 'protocol' must be http or soap", x.what);
    }
    if (url && !b->pool && cfg_subst(r, url, fmt_what(&x, "'url'"), &b->url, NULL) == 0 &&
        !cfg_is_http_url(b->url))
        cfg_error(r, url, "%s: 'url' must be an absolute http:// or https:// URL", x.what);
    if (url && b->pool)
        cfg_warn(r, url, "%s: 'url' is ignored for a Pool", x.what);
    if ((n = cfg_get(r, v, "description")))
        cfg_str(r, n, fmt_what(&x, "'description'"), &b->description);
    if ((n = cfg_get(r, v, "title")))
        cfg_str(r, n, fmt_what(&x, "'title'"), &b->title);
    if ((n = cfg_get(r, v, "credentials")))
        read_credentials(&x, n);
    if ((n = cfg_get(r, v, "tls")))
        read_tls(&x, n);
    if ((n = cfg_get(r, v, "proxy")))
        read_proxy(&x, n);
    if ((n = cfg_get(r, v, "circuitBreaker")))
        read_breaker(&x, n);
    n = cfg_get(r, v, "pool");
    if (b->pool && !n)
        cfg_error(r, v, "%s: type Pool needs 'pool: { services: [...] }'", x.what);
    else if (n && !b->pool)
        cfg_error(r, n, "%s: 'pool' needs 'type: Pool'", x.what);
    else if (n)
        read_pool(&x, n);
    c->nbackends++;
}

/* Resolves pool members: each must name a Single backend of this configuration, once. */
static void resolve_pools(cfg_reader *r)
{
    rt_config *c = r->c;
    for (size_t i = 0; i < c->nbackends; i++) {
        rt_backend *b = &c->backends[i];
        size_t kept = 0;
        for (size_t k = 0; k < b->nmembers; k++) {
            rt_pool_member *pm = &b->members[k];
            rt_cfg_where at = pm->where;
            const rt_backend *t = rt_config_backend(c, pm->id);
            if (!t) {
                cfg_error_at(r, at, "backend '%.*s': pool member '%.*s' is not a backend",
                             STR_FMT(b->id), STR_FMT(pm->id));
                continue;
            }
            if (t->pool) {
                cfg_error_at(r, at,
                             "backend '%.*s': pool member '%.*s' is a pool (pools cannot "
                             "be nested)",
                             STR_FMT(b->id), STR_FMT(pm->id));
                continue;
            }
            bool dup = false;
            for (size_t j = 0; j < kept && !dup; j++)
                dup = b->members[j].backend == t;
            if (dup) {
                cfg_error_at(r, at, "backend '%.*s': pool member '%.*s' is listed twice",
                             STR_FMT(b->id), STR_FMT(pm->id));
                continue;
            }
            pm->backend = t;
            b->members[kept++] = *pm;
        }
        b->nmembers = kept;
    }
}

void cfg_read_backends(cfg_reader *r, const yaml_node_t *m)
{
    if (!cfg_expect_map(r, m, "backends"))
        return;
    rt_config *c = r->c;
    cfg_check_keys(r, m, NULL, "backends");
    c->backends = arena_calloc(&c->a, cfg_npairs(m), sizeof *c->backends);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         c->backends && p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(r, p->key), *v = cfg_node(r, p->value);
        if (!cfg_is_scalar(k) || rt_config_backend(c, cfg_scalar(r, k)))
            continue; /* reported by cfg_check_keys */
        if (!k->data.scalar.length) {
            cfg_error(r, k, "backend ids must not be empty");
            continue;
        }
        read_backend(r, k, v);
    }
    resolve_pools(r);
}
