#ifndef RUNTIME_POLICIES_COUNTERKEY_H
#define RUNTIME_POLICIES_COUNTERKEY_H

/* Counter keys of the subscription-scoped limits, shared by rate-limit (limits.c) and quota
 * (quota.c): the nested <api> / <operation> limits they parse, and the keys a request counts
 * against. A subscription-scoped policy counts under
 *     "policy|scope|owner|subscription"                (rt_lim_sub_key: the policy's own limit)
 * and, for each of its <api> limits matching the request's API, under "...|api:<api id>", and
 * for each matching <operation> of that <api>, under "...|api:<api id>|op:<operation id>". */

#include "limits.h"

/* One limit a request counts against. */
typedef struct rt_ckey {
    str key;        /* counter key (request arena) */
    int64_t calls;  /* calls allowed in the period (0 = none given) */
    int64_t kb;     /* quota bandwidth in KB (0 = none given; rate-limit: 0) */
    int64_t period; /* renewal period in seconds */
} rt_ckey;

/* Parses the <api> (apis) or <operation> children of el into *out[0..*n) (config arena), each
 * with rt_lim_scope_parse(cc, child, apis, quota, ...). 0, or -1 plus diagnostics (every child
 * is parsed, so all errors are reported). */
int rt_ckey_parse_scopes(pol_cc *cc, const pol_node *el, bool apis, bool quota, rt_lim_scope **out,
                         size_t *n);

/* Calls add(ud, k) for each limit of the current step's subscription-scoped policy (named
 * policy, e.g. "quota") that the request counts against, in order: own (its key is filled in
 * here), then each <api> of apis[0..napis) matching the request, each followed by its matching
 * <operation>s. A scope's period < 0 (quota without renewal-period) is its parent's. Needs
 * r->ctx->subscription. Returns 0, or -1 after rt_fail at the arena cap. */
int rt_ckey_subscription(rt_req *r, const char *policy, rt_ckey own, const rt_lim_scope *apis,
                         size_t napis, void (*add)(void *ud, const rt_ckey *k), void *ud);

#endif
