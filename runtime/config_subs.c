/* subscriptions: scope (/, /apis, /apis/<id>, /products/<id>, or a full ARM id), keys, state,
 * owner. Keys are secrets: no message quotes them. */
#include <string.h>

#include "config_impl.h"

static const struct {
    const char *name;
    rt_sub_state state;
} sub_states[] = {
    { "active", RT_SUB_ACTIVE },       { "suspended", RT_SUB_SUSPENDED },
    { "cancelled", RT_SUB_CANCELLED }, { "expired", RT_SUB_EXPIRED },
    { "submitted", RT_SUB_SUBMITTED }, { "rejected", RT_SUB_REJECTED },
};

static int read_scope(cfg_reader *r, rt_subscription *s, const yaml_node_t *n, const char *what)
{
    if (cfg_str_nonempty(r, n, what, &s->scope) < 0)
        return -1;
    str sc = s->scope;
    /* a full ARM id: .../providers/Microsoft.ApiManagement/service/<name>[/apis/x] */
    long svc = str_find(sc, STR_LIT("/service/"));
    if (sc.ptr[0] != '/' || (svc >= 0 && str_starts_with(sc, STR_LIT("/subscriptions/")))) {
        if (svc < 0)
            goto bad;
        sc = (str){ sc.ptr + svc + 9, sc.len - (size_t)svc - 9 };
        const char *sl = memchr(sc.ptr, '/', sc.len);
        sc = sl ? (str){ sl, sc.len - (size_t)(sl - sc.ptr) } : STR_LIT("/");
    }
    while (sc.len > 1 && sc.ptr[sc.len - 1] == '/')
        sc.len--;
    if (str_eq_cstr(sc, "/")) {
        s->scope_kind = RT_SUB_SERVICE;
    } else if (str_eq_cstr(sc, "/apis")) {
        s->scope_kind = RT_SUB_ALL_APIS;
    } else if (str_starts_with(sc, STR_LIT("/apis/"))) {
        str id = { sc.ptr + 6, sc.len - 6 };
        s->scope_kind = RT_SUB_API;
        if (!(s->api = rt_config_api(r->c, id))) {
            cfg_error(r, n, "%s: API '%.*s' is not defined", what, STR_FMT(id));
            return -1;
        }
    } else if (str_starts_with(sc, STR_LIT("/products/"))) {
        str id = { sc.ptr + 10, sc.len - 10 };
        s->scope_kind = RT_SUB_PRODUCT;
        if (!(s->product = rt_config_product(r->c, id))) {
            cfg_error(r, n, "%s: product '%.*s' is not defined", what, STR_FMT(id));
            return -1;
        }
    } else {
        goto bad;
    }
    return 0;
bad:
    cfg_error(r, n, "%s must be /products/<id>, /apis/<id>, /apis or /", what);
    return -1;
}

/* Keys must identify one subscription: a key shared with another subscription is an error. */
static void check_key_unique(cfg_reader *r, const rt_subscription *s, str key, const char *name,
                             const yaml_node_t *n)
{
    rt_config *c = r->c;
    for (size_t i = 0; i < c->nsubs; i++) {
        const rt_subscription *o = &c->subs[i];
        const char *which = str_eq(o->primary_key, key)     ? "primaryKey"
                            : str_eq(o->secondary_key, key) ? "secondaryKey"
                                                            : NULL;
        if (which)
            cfg_error(r, n,
                      "subscription '%.*s': %s is the same as the %s of subscription "
                      "'%.*s' (keys must be unique)",
                      STR_FMT(s->id), name, which, STR_FMT(o->id));
    }
}

static int read_key(cfg_reader *r, rt_subscription *s, const yaml_node_t *v, const char *key,
                    str *out)
{
    yaml_node_t *n = cfg_get(r, v, key);
    *out = STR_LIT("");
    if (!n)
        return 0;
    const char *what = arena_sprintf(&r->c->a, "subscription '%.*s': '%s'", STR_FMT(s->id), key);
    if (!what || cfg_subst(r, n, what, out, NULL) < 0)
        return -1;
    if (!out->len) {
        cfg_error(r, n, "%s must not be empty", what);
        return -1;
    }
    check_key_unique(r, s, *out, key, n);
    return 0;
}

static void read_owner(cfg_reader *r, rt_subscription *s, const yaml_node_t *n, const char *what)
{
    if (cfg_str_nonempty(r, n, what, &s->owner_id) < 0)
        return;
    str id = s->owner_id;
    long u = str_find(id, STR_LIT("/users/"));
    if (u >= 0)
        id = (str){ id.ptr + u + 7, id.len - (size_t)u - 7 };
    if (!(s->owner = rt_config_user(r->c, id)))
        cfg_error(r, n, "%s: user '%.*s' is not defined (under users:)", what, STR_FMT(id));
}

static void read_subscription(cfg_reader *r, yaml_node_t *k, yaml_node_t *v)
{
    static const char *const keys[] = { "scope",        "primaryKey",  "secondaryKey",
                                        "state",        "displayName", "ownerId",
                                        "allowTracing", "createdDate", "startDate",
                                        "endDate",      NULL };
    rt_config *c = r->c;
    rt_subscription *s = &c->subs[c->nsubs];
    memset(s, 0, sizeof *s);
    s->id = cfg_scalar(r, k);
    s->where = cfg_where(k);
    const char *what = arena_sprintf(&c->a, "subscription '%.*s'", STR_FMT(s->id));
    if (!what || !cfg_expect_map(r, v, what ? what : "subscription"))
        return;
    cfg_check_keys(r, v, keys, what);
    size_t errs = r->d->errors;
    yaml_node_t *n;
    if (!(n = cfg_get(r, v, "scope")))
        cfg_error(r, v, "%s: 'scope' is required (/products/<id>, /apis/<id>, /apis or /)", what);
    else
        read_scope(r, s, n, arena_sprintf(&c->a, "%s: 'scope'", what));
    read_key(r, s, v, "primaryKey", &s->primary_key);
    read_key(r, s, v, "secondaryKey", &s->secondary_key);
    if (!cfg_get(r, v, "primaryKey") && !cfg_get(r, v, "secondaryKey"))
        cfg_error(r, v, "%s needs 'primaryKey' or 'secondaryKey'", what);
    s->state = RT_SUB_ACTIVE;
    if ((n = cfg_get(r, v, "state"))) {
        bool ok = false;
        for (size_t i = 0; i < sizeof sub_states / sizeof sub_states[0] && !ok; i++) {
            if (cfg_key_is(n, sub_states[i].name)) {
                s->state = sub_states[i].state;
                ok = true;
            }
        }
        if (!ok)
            cfg_error(r, n,
                      "%s: 'state' must be one of active, suspended, cancelled, expired, "
                      "submitted, rejected",
                      what);
    }
    s->owner_id = STR_LIT("");
    if ((n = cfg_get(r, v, "ownerId")))
        read_owner(r, s, n, arena_sprintf(&c->a, "%s: 'ownerId'", what));
    s->display_name = s->id;
    if ((n = cfg_get(r, v, "displayName")))
        cfg_str(r, n, "'displayName'", &s->display_name);
    if ((n = cfg_get(r, v, "allowTracing")))
        cfg_bool(r, n, "'allowTracing'", &s->allow_tracing);
    s->created_date = s->start_date = s->end_date = STR_LIT("");
    if ((n = cfg_get(r, v, "createdDate")))
        cfg_str(r, n, "'createdDate'", &s->created_date);
    if ((n = cfg_get(r, v, "startDate")))
        cfg_str(r, n, "'startDate'", &s->start_date);
    if ((n = cfg_get(r, v, "endDate")))
        cfg_str(r, n, "'endDate'", &s->end_date);
    if (r->d->errors == errs)
        c->nsubs++;
}

void cfg_read_subscriptions(cfg_reader *r, const yaml_node_t *m)
{
    if (!cfg_expect_map(r, m, "subscriptions"))
        return;
    rt_config *c = r->c;
    cfg_check_keys(r, m, NULL, "subscriptions");
    c->subs = arena_calloc(&c->a, cfg_npairs(m) + 1, sizeof *c->subs);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         c->subs && p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(r, p->key), *v = cfg_node(r, p->value);
        if (cfg_is_scalar(k) && !rt_config_subscription(c, cfg_scalar(r, k)))
            read_subscription(r, k, v);
    }
}
