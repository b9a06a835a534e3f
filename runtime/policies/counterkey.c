/* Counter keys of the subscription-scoped limits (counterkey.h). */
#include "counterkey.h"

int rt_ckey_parse_scopes(pol_cc *cc, const pol_node *el, bool apis, bool quota, rt_lim_scope **out,
                         size_t *n)
{
    const pol_node **kids;
    *out = NULL;
    *n = pol_cc_children(cc, el, apis ? "api" : "operation", &kids);
    if (*n && !(*out = arena_calloc(cc->a, *n, sizeof **out)))
        return pol_cc_error(cc, el, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < *n; i++) {
        if (rt_lim_scope_parse(cc, kids[i], apis, quota, &(*out)[i]) < 0)
            rc = -1;
    }
    return rc;
}

static int64_t scope_period(const rt_lim_scope *s, int64_t parent)
{
    return s->period >= 0 ? s->period : parent;
}

int rt_ckey_subscription(rt_req *r, const char *policy, rt_ckey own, const rt_lim_scope *apis,
                         size_t napis, void (*add)(void *ud, const rt_ckey *k), void *ud)
{
    const rt_ctx *ctx = r->ctx;
    char *base = rt_lim_sub_key(r, policy);
    if (!base)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached"), -1;
    own.key = str_from(base);
    add(ud, &own);
    for (size_t i = 0; i < napis; i++) {
        const rt_lim_scope *a = &apis[i];
        if (!rt_lim_scope_matches(a, ctx))
            continue;
        char *k = arena_sprintf(&r->arena, "%s|api:%.*s", base, STR_FMT(ctx->api.id));
        if (!k)
            return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached"), -1;
        rt_ckey ka = { str_from(k), a->calls, a->kb, scope_period(a, own.period) };
        add(ud, &ka);
        for (size_t j = 0; j < a->nops; j++) {
            const rt_lim_scope *o = &a->ops[j];
            if (!rt_lim_scope_matches(o, ctx))
                continue;
            char *ko = arena_sprintf(&r->arena, "%s|op:%.*s", k, STR_FMT(ctx->operation.id));
            if (!ko)
                return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached"), -1;
            rt_ckey kop = { str_from(ko), o->calls, o->kb, scope_period(o, ka.period) };
            add(ud, &kop);
        }
    }
    return 0;
}
