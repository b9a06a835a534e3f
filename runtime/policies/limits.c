/* Throttling: rate-limit, rate-limit-by-key, quota, quota-by-key, limit-concurrency (the
 * quota and concurrency executors are in quota.c), and the helpers every throttling policy
 * shares (limits.h). */
#include "families.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "counterkey.h"
#include "limits.h"

/* rate-limit's nested limits: <api name|id calls renewal-period><operation .../>*</api> */
static const pol_attr rate_limit_scope_attrs[] = {
    { "name", POL_T_STR, 0, NULL, NULL },
    { "id", POL_T_STR, 0, NULL, NULL },
    { "calls", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { "renewal-period", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { 0 },
};
static const pol_child rate_limit_operation[] = {
    { .name = "operation", .attrs = rate_limit_scope_attrs, .content = POL_C_EMPTY },
    { 0 },
};
static const pol_child rate_limit_children[] = {
    { .name = "api",
      .attrs = rate_limit_scope_attrs,
      .content = POL_C_CHILDREN,
      .children = rate_limit_operation },
    { 0 },
};

/* <rate-limit calls="n" renewal-period="s" retry-after-header-name=... ><api/>*</rate-limit> */
static const pol_attr rate_limit_attrs[] = {
    { "calls", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { "renewal-period", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { "retry-after-header-name", POL_T_STR, 0, "Retry-After", NULL },
    { "retry-after-variable-name", POL_T_STR, 0, NULL, NULL },
    { "remaining-calls-header-name", POL_T_STR, 0, NULL, NULL },
    { "remaining-calls-variable-name", POL_T_STR, 0, NULL, NULL },
    { "total-calls-header-name", POL_T_STR, 0, NULL, NULL },
    { 0 },
};

/* <rate-limit-by-key calls="n" renewal-period="s" counter-key="k" increment-condition="bool"
 *   increment-count="n" .../> */
static const pol_attr rate_limit_by_key_attrs[] = {
    { "calls", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "renewal-period", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "counter-key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "increment-condition", POL_T_BOOL, POL_EXPR, NULL, NULL },
    { "increment-count", POL_T_UINT, POL_EXPR, "1", NULL },
    { "retry-after-header-name", POL_T_STR, 0, "Retry-After", NULL },
    { "retry-after-variable-name", POL_T_STR, 0, NULL, NULL },
    { "remaining-calls-header-name", POL_T_STR, 0, NULL, NULL },
    { "remaining-calls-variable-name", POL_T_STR, 0, NULL, NULL },
    { "total-calls-header-name", POL_T_STR, 0, NULL, NULL },
    /* seen only in the policy toolkit, not in the docs */
    { "increment-after-response", POL_T_BOOL, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "flexible-retry-window", POL_T_BOOL, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { 0 },
};

/* quota's nested limits: <api name|id calls bandwidth renewal-period><operation/>*</api> */
static const pol_attr quota_scope_attrs[] = {
    { "name", POL_T_STR, 0, NULL, NULL },
    { "id", POL_T_STR, 0, NULL, NULL },
    { "calls", POL_T_UINT, 0, NULL, NULL },
    { "bandwidth", POL_T_UINT, 0, NULL, NULL },
    { "renewal-period", POL_T_UINT, 0, NULL, NULL },
    { 0 },
};
static const pol_child quota_operation[] = {
    { .name = "operation", .attrs = quota_scope_attrs, .content = POL_C_EMPTY },
    { 0 },
};
static const pol_child quota_children[] = {
    { .name = "api",
      .attrs = quota_scope_attrs,
      .content = POL_C_CHILDREN,
      .children = quota_operation },
    { 0 },
};

/* <quota calls="n" bandwidth="KB" renewal-period="s"><api/>*</quota> */
static const pol_attr quota_attrs[] = {
    { "calls", POL_T_UINT, 0, NULL, NULL },
    { "bandwidth", POL_T_UINT, 0, NULL, NULL },
    { "renewal-period", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { 0 },
};
static const pol_rule quota_rules[] = {
    { POL_R_AT_LEAST_ONE, "calls|bandwidth" },
    { 0 },
};

/* <quota-by-key calls="n" bandwidth="KB" renewal-period="s" counter-key="k"
 *   increment-condition="bool" increment-count="n" first-period-start="date"/> */
static const pol_attr quota_by_key_attrs[] = {
    { "calls", POL_T_UINT, 0, NULL, NULL },
    { "bandwidth", POL_T_UINT, 0, NULL, NULL },
    { "renewal-period", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { "counter-key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "increment-condition", POL_T_BOOL, POL_EXPR, NULL, NULL },
    { "increment-count", POL_T_UINT, POL_EXPR, "1", NULL },
    { "first-period-start", POL_T_DATETIME, 0, "0001-01-01T00:00:00Z", NULL },
    { 0 },
};

/* <limit-concurrency key="k" max-count="n">policies</limit-concurrency> */
static const pol_attr limit_concurrency_attrs[] = {
    { "key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "max-count", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { 0 },
};

/* ---- shared helpers (limits.h) ---- */

typedef struct lim_seen {
    char family;
    str key;
    struct lim_seen *next;
} lim_seen;

lim_state *rt_lim_state(rt_req *r)
{
    if (!r->limits)
        r->limits = arena_calloc(&r->arena, 1, sizeof(lim_state));
    return r->limits;
}

bool rt_lim_first_use(rt_req *r, char family, str key)
{
    lim_state *st = rt_lim_state(r);
    if (!st)
        return true;
    for (lim_seen *s = st->seen; s; s = s->next) {
        if (s->family == family && str_eq(s->key, key))
            return false;
    }
    lim_seen *s = arena_alloc(&r->arena, sizeof *s);
    char *k = arena_strndup(&r->arena, key.ptr ? key.ptr : "", key.len);
    if (s && k) {
        *s = (lim_seen){ .family = family, .key = { k, key.len }, .next = st->seen };
        st->seen = s;
    }
    return true;
}

rt_counter_store *rt_lim_store(rt_req *r)
{
    if (!r->w->counters)
        rt_fail(r, NULL, "CounterStoreUnavailable", "no counter store is configured");
    return r->w->counters;
}

typedef struct lim_pending {
    rt_wake wake;
    rt_lim_apply apply;
    void *ud;
} lim_pending;

static void lim_done(void *ud, const rt_counter_result *res)
{
    lim_pending *p = ud;
    rt_req *r = p->wake.r;
    rt_req_unhold(r);
    if (r->finished)
        return;
    rt_wake_enter(&p->wake);
    pol_status st = p->apply(r, res, p->ud);
    if (st != POL_SUSPEND) /* a chained operation suspended again: it resumes itself */
        rt_wake_resume(&p->wake, st);
}

pol_status rt_lim_exec(rt_req *r, const rt_counter_op *op, rt_lim_apply apply, void *ud)
{
    rt_counter_store *s = rt_lim_store(r);
    if (!s)
        return POL_FAIL;
    lim_pending *p = arena_alloc(&r->arena, sizeof *p);
    if (!p)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    rt_wake_init(&p->wake, r);
    p->apply = apply;
    p->ud = ud;
    rt_counter_result res;
    memset(&res, 0, sizeof res);
    rt_req_hold(r);
    switch (rt_counter_exec(s, op, &res, lim_done, p)) {
    case RT_COUNTER_DONE:
        rt_req_unhold(r);
        return apply(r, &res, ud);
    case RT_COUNTER_PENDING:
        return POL_SUSPEND;
    case RT_COUNTER_ERROR:
    default:
        rt_req_unhold(r);
        return rt_fail(r, NULL, "CounterStoreFailure", "counter store: %s",
                       res.error ? res.error : "error");
    }
}

static void lim_ignore(void *ud, const rt_counter_result *res)
{
    (void)ud;
    (void)res;
}

int rt_lim_exec_late(rt_req *r, const rt_counter_op *op, rt_counter_result *out)
{
    memset(out, 0, sizeof *out);
    if (!r->w->counters)
        return -1;
    switch (rt_counter_exec(r->w->counters, op, out, lim_ignore, NULL)) {
    case RT_COUNTER_DONE:
        return 0;
    case RT_COUNTER_PENDING:
        return 1;
    case RT_COUNTER_ERROR:
    default:
        rt_trace(r, "counter store: %s", out->error ? out->error : "error");
        return -1;
    }
}

int rt_lim_set_var(rt_req *r, str name, int64_t v)
{
    if (!name.len)
        return 0;
    return xv_dict_set_in(&r->arena, r->ctx->variables, name, xv_int(v));
}

void rt_lim_set_resp_header(rt_req *r, str name, int64_t v)
{
    if (!name.len || !r->ctx->response.headers)
        return;
    char num[24]; /* decimal, without printf: set on every request by the token limits */
    size_t n = sizeof num;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        num[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        num[--n] = '-';
    if (rt_hdr_clear(r, r->ctx->response.headers, name) == 0)
        rt_hdr_add(r, r->ctx->response.headers, name, str_make(num + n, sizeof num - n));
}

pol_status rt_lim_reject(rt_req *r, int status, const char *reason, const char *message, str hdr,
                         str var, int64_t secs)
{
    lim_state *st = rt_lim_state(r);
    if (st)
        st->rejected = true;
    if (rt_req_error_response(r, status, message) < 0 || rt_lim_set_var(r, var, secs) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    if (secs > 0)
        rt_lim_set_resp_header(r, hdr, secs);
    rt_trace(r, "refused: %d %s", status, message);
    return rt_fail(r, NULL, reason, "%s", message);
}

/* ---- rate-limit and rate-limit-by-key ---- */

/* A nested <api>/<operation> limit of rate-limit (and quota: quota.c has its own). */
typedef struct rl_conf {
    bool by_key;
    /* rate-limit-by-key: values; rate-limit: calls/period literals */
    pol_val calls_v, period_v, key, inc_cond, inc_count;
    int64_t calls, period;
    rt_lim_scope *apis;
    size_t napis;
    str retry_hdr, retry_var, remaining_hdr, remaining_var, total_hdr;
} rl_conf;

static void rl_names(const pol_node *el, rl_conf *c)
{
    c->retry_hdr = pol_cc_lit(el, "retry-after-header-name", "Retry-After");
    c->retry_var = pol_cc_lit(el, "retry-after-variable-name", "");
    c->remaining_hdr = pol_cc_lit(el, "remaining-calls-header-name", "");
    c->remaining_var = pol_cc_lit(el, "remaining-calls-variable-name", "");
    c->total_hdr = pol_cc_lit(el, "total-calls-header-name", "");
}

int rt_lim_scope_parse(pol_cc *cc, const pol_node *el, bool is_api, bool quota, rt_lim_scope *out)
{
    out->is_api = is_api;
    str id = pol_cc_lit(el, "id", ""), name = pol_cc_lit(el, "name", "");
    out->by_id = id.len > 0;
    out->match = id.len ? id : name;
    if (!out->match.len)
        return pol_cc_error(cc, el, "<%s> needs a name or an id", is_api ? "api" : "operation");
    out->calls = pol_cc_int(el, "calls", 0);
    if (quota) {
        out->kb = pol_cc_int(el, "bandwidth", 0);
        out->period =
            pol_node_attr(el, "renewal-period") ? pol_cc_int(el, "renewal-period", 0) : -1;
    } else {
        out->period = pol_cc_int(el, "renewal-period", 0);
        if (out->period <= 0)
            return pol_cc_error(cc, el, "renewal-period must be a positive number of seconds");
    }
    if (!is_api)
        return 0;
    return rt_ckey_parse_scopes(cc, el, false, quota, &out->ops, &out->nops);
}

char *rt_lim_sub_key(rt_req *r, const char *policy)
{
    /* one counter per subscription and policy scope (product / API / operation) */
    const rt_ctx *ctx = r->ctx;
    const char *scope = r->step && r->step->scope ? r->step->scope : "";
    str owner = STR_LIT("");
    if (!strcmp(scope, "product") && ctx->product)
        owner = ctx->product->id;
    else if (!strcmp(scope, "api"))
        owner = ctx->api.id;
    else if (!strcmp(scope, "operation"))
        owner = ctx->operation.id;
    return arena_sprintf(&r->arena, "%s|%s|%.*s|%.*s", policy, scope, STR_FMT(owner),
                         STR_FMT(ctx->subscription->id));
}

bool rt_lim_scope_matches(const rt_lim_scope *s, const rt_ctx *ctx)
{
    str id = s->is_api ? ctx->api.id : ctx->operation.id;
    str name = s->is_api ? ctx->api.name : ctx->operation.name;
    return s->by_id ? str_eq(id, s->match) : str_eq(name, s->match);
}

static int rate_limit_parse(pol_cc *cc, const pol_node *el, void *out)
{
    rl_conf *c = out;
    rl_names(el, c);
    c->calls = pol_cc_int(el, "calls", 0);
    c->period = pol_cc_int(el, "renewal-period", 0);
    if (c->period <= 0)
        return pol_cc_error(cc, el, "renewal-period must be a positive number of seconds");
    return rt_ckey_parse_scopes(cc, el, true, false, &c->apis, &c->napis);
}

static int rate_limit_by_key_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    rl_conf *c = out;
    c->by_key = true;
    rl_names(el, c);
    pol_cc_attr(el, "calls", &c->calls_v);
    pol_cc_attr(el, "renewal-period", &c->period_v);
    pol_cc_attr(el, "counter-key", &c->key);
    pol_cc_attr(el, "increment-condition", &c->inc_cond);
    pol_cc_attr(el, "increment-count", &c->inc_count);
    return 0;
}

#define RL_MAX 8 /* the policy's limit + nested <api> and <operation> limits */

typedef struct rl_limit {
    str key;
    int64_t calls, period; /* period in seconds */
    int64_t used;          /* at admission */
} rl_limit;

/* One execution of a rate-limit policy (request arena). */
typedef struct rl_run {
    const rl_conf *c;
    const rt_step *step;
    pol_section section;
    rl_limit lim[RL_MAX];
    size_t n, i;
    int64_t count; /* increment-count */
} rl_run;

static int64_t rl_remaining(const rl_run *run, int64_t add)
{
    int64_t rem = -1;
    for (size_t i = 0; i < run->n; i++) {
        int64_t x = run->lim[i].calls - run->lim[i].used - add;
        if (x < 0)
            x = 0;
        if (rem < 0 || x < rem)
            rem = x;
    }
    return rem < 0 ? 0 : rem;
}

/* End of request: evaluate increment-condition, count, report the remaining calls. */
static void rl_end(rt_req *r, void *ud)
{
    rl_run *run = ud;
    lim_state *st = rt_lim_state(r);
    if (st && st->rejected)
        return;
    const rt_step *saved_step = r->step;
    pol_section saved_section = r->section;
    rt_lasterror saved_err = r->err;
    bool saved_failed = r->failed;
    r->step = run->step;
    bool count = true;
    if (run->c->by_key && run->c->inc_cond.present) {
        if (rt_val_bool(r, &run->c->inc_cond, true, &count) < 0) {
            rt_trace(r, "increment-condition failed (%.*s): not counted", STR_FMT(r->err.message));
            count = false;
        }
    }
    int64_t add = count ? run->count : 0;
    for (size_t i = 0; i < run->n && add > 0; i++) {
        rt_counter_op op = { .kind = RT_COUNTER_RATE_ADD,
                             .key = run->lim[i].key,
                             .now_ms = rt_clock_now(r->w->clock),
                             .rate = { .limit = run->lim[i].calls > 0 ? run->lim[i].calls : 1,
                                       .period_ms = run->lim[i].period * 1000,
                                       .take = add } };
        rt_counter_result res;
        rt_lim_exec_late(r, &op, &res);
    }
    rt_trace(r, "%s: %lld call(s) counted", count ? "increment" : "increment-condition false",
             (long long)add);
    rt_lim_set_resp_header(r, run->c->remaining_hdr, rl_remaining(run, add));
    rt_lim_set_resp_header(r, run->c->total_hdr, run->lim[0].calls);
    r->step = saved_step;
    r->section = saved_section;
    r->err = saved_err;
    r->failed = saved_failed;
}

static pol_status rl_next(rt_req *r, rl_run *run);

static pol_status rl_checked(rt_req *r, const rt_counter_result *res, void *ud)
{
    rl_run *run = ud;
    rl_limit *l = &run->lim[run->i];
    l->used = res->rate.used;
    if (!res->admitted) {
        const rl_conf *c = run->c;
        int64_t secs = res->rate.retry_after_s;
        rt_lim_set_var(r, c->remaining_var, 0);
        char msg[96];
        snprintf(msg, sizeof msg, "Rate limit is exceeded. Try again in %lld seconds.",
                 (long long)secs);
        pol_status st =
            rt_lim_reject(r, 429, "RateLimitExceeded", msg, c->retry_hdr, c->retry_var, secs);
        rt_lim_set_resp_header(r, c->remaining_hdr, 0);
        rt_lim_set_resp_header(r, c->total_hdr, run->lim[0].calls);
        return st;
    }
    run->i++;
    return rl_next(r, run);
}

/* Checks the limits one after the other (each may answer later). */
static pol_status rl_next(rt_req *r, rl_run *run)
{
    if (run->i < run->n) {
        rl_limit *l = &run->lim[run->i];
        if (l->calls <= 0) { /* calls="0": nothing is ever admitted */
            rt_counter_result res = { .admitted = false,
                                      .rate = { .used = 0, .retry_after_s = l->period } };
            return rl_checked(r, &res, run);
        }
        rt_counter_op op = { .kind = RT_COUNTER_RATE,
                             .key = l->key,
                             .now_ms = rt_clock_now(r->w->clock),
                             .rate = { .limit = l->calls, .period_ms = l->period * 1000 } };
        return rt_lim_exec(r, &op, rl_checked, run);
    }
    int64_t rem = rl_remaining(run, run->count);
    if (rt_lim_set_var(r, run->c->remaining_var, rem) < 0 || rt_req_at_end(r, rl_end, run) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    rt_trace(r, "admitted: %lld of %lld call(s) used, %lld remaining", (long long)run->lim[0].used,
             (long long)run->lim[0].calls, (long long)rem);
    return POL_NEXT;
}

static void rl_add(void *ud, const rt_ckey *k)
{
    rl_run *run = ud;
    if (run->n < RL_MAX)
        run->lim[run->n++] = (rl_limit){ .key = k->key, .calls = k->calls, .period = k->period };
}

static pol_status rate_limit_exec(rt_req *r, const void *conf)
{
    const rl_conf *c = conf;
    rt_ctx *ctx = r->ctx;
    if (!ctx->subscription || !ctx->subscription->id.len) {
        rt_trace(r, "no subscription: skipped");
        return POL_NEXT;
    }
    rl_run *run = arena_calloc(&r->arena, 1, sizeof *run);
    if (!run)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    *run = (rl_run){ .c = c, .step = r->step, .section = r->section, .count = 1 };
    rt_ckey own = { .calls = c->calls, .period = c->period };
    if (rt_ckey_subscription(r, "rate-limit", own, c->apis, c->napis, rl_add, run) < 0)
        return POL_FAIL;
    return rl_next(r, run);
}

static pol_status rate_limit_by_key_exec(rt_req *r, const void *conf)
{
    const rl_conf *c = conf;
    str key;
    int64_t calls, period, count;
    if (rt_val_str(r, &c->key, &key) < 0 || rt_val_int(r, &c->calls_v, 0, &calls) < 0 ||
        rt_val_int(r, &c->period_v, 0, &period) < 0 || rt_val_int(r, &c->inc_count, 1, &count) < 0)
        return POL_FAIL;
    if (period <= 0)
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                       "renewal-period must be a positive number of seconds, got %lld",
                       (long long)period);
    if (calls < 0 || count < 0)
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                       "calls and increment-count must not be negative");
    rl_run *run = arena_calloc(&r->arena, 1, sizeof *run);
    if (!run)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    *run = (rl_run){ .c = c, .step = r->step, .section = r->section, .count = count };
    if (!key.ptr)
        key = STR_LIT("");
    rl_add(run, &(rt_ckey){ .key = key, .calls = calls, .period = period });
    return rl_next(r, run);
}

/* ---- quota, quota-by-key, limit-concurrency: quota.c ---- */

const pol_spec rt_policies_limits[] = {
    { .name = "rate-limit",
      .sections = POL_SEC_INBOUND,
      .attrs = rate_limit_attrs,
      .content = POL_C_CHILDREN,
      .children = rate_limit_children,
      .flags = POL_ONCE,
      .conf_size = sizeof(rl_conf),
      .parse = rate_limit_parse,
      .exec = rate_limit_exec },
    { .name = "rate-limit-by-key",
      .sections = POL_SEC_INBOUND,
      .attrs = rate_limit_by_key_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(rl_conf),
      .parse = rate_limit_by_key_parse,
      .exec = rate_limit_by_key_exec },
    { .name = "quota",
      .sections = POL_SEC_INBOUND,
      .attrs = quota_attrs,
      .content = POL_C_CHILDREN,
      .children = quota_children,
      .rules = quota_rules,
      .flags = POL_ONCE,
      .conf_size = sizeof(rt_quota_conf),
      .parse = rt_quota_parse,
      .exec = rt_quota_exec },
    { .name = "quota-by-key",
      .sections = POL_SEC_INBOUND,
      .attrs = quota_by_key_attrs,
      .content = POL_C_EMPTY,
      .rules = quota_rules,
      .conf_size = sizeof(rt_quota_conf),
      .parse = rt_quota_by_key_parse,
      .exec = rt_quota_exec },
    { .name = "limit-concurrency",
      .sections = POL_SEC_ANY,
      .attrs = limit_concurrency_attrs,
      .content = POL_C_POLICIES,
      .conf_size = sizeof(rt_concurrency_conf),
      .parse = rt_concurrency_parse,
      .exec = rt_concurrency_exec },
    { 0 },
};
