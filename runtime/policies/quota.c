/* quota, quota-by-key (fixed windows of calls and bandwidth) and limit-concurrency; their
 * table entries are in limits.c. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../testfile.h"
#include "counterkey.h"
#include "limits.h"

/* ---- parse ---- */

static void quota_common(const pol_node *el, rt_quota_conf *c)
{
    c->calls = pol_cc_int(el, "calls", 0);
    c->kb = pol_cc_int(el, "bandwidth", 0);
    c->period = pol_cc_int(el, "renewal-period", 0);
}

int rt_quota_parse(pol_cc *cc, const pol_node *el, void *out)
{
    rt_quota_conf *c = out;
    quota_common(el, c);
    return rt_ckey_parse_scopes(cc, el, true, true, &c->apis, &c->napis);
}

int rt_quota_by_key_parse(pol_cc *cc, const pol_node *el, void *out)
{
    rt_quota_conf *c = out;
    c->by_key = true;
    quota_common(el, c);
    pol_cc_attr(el, "counter-key", &c->key);
    pol_cc_attr(el, "increment-condition", &c->inc_cond);
    pol_cc_attr(el, "increment-count", &c->inc_count);
    str start = pol_cc_lit(el, "first-period-start", "0001-01-01T00:00:00Z");
    char text[64];
    snprintf(text, sizeof text, "%.*s", STR_FMT(start));
    if (start.len >= sizeof text || rt_parse_iso_ms(text, &c->start_ms) < 0)
        return pol_cc_error(cc, el, "first-period-start: expected yyyy-MM-ddTHH:mm:ssZ, got '%.*s'",
                            STR_FMT(start));
    return 0;
}

/* ---- exec ---- */

#define Q_MAX 8

typedef struct q_limit {
    str key;
    int64_t calls, kb, period, start_ms;
} q_limit;

typedef struct q_run {
    const rt_quota_conf *c;
    const rt_step *step;
    q_limit lim[Q_MAX];
    size_t n, i;
    int64_t count; /* increment-count */
} q_run;

/* Request and response body bytes (the bandwidth a request uses [?]: bodies only). */
static int64_t q_bytes(rt_req *r)
{
    return (int64_t)rt_body_bytes(r->ctx->request.body).len +
           (int64_t)rt_body_bytes(r->ctx->response.body).len;
}

static void q_end(rt_req *r, void *ud)
{
    q_run *run = ud;
    lim_state *st = rt_lim_state(r);
    if (st && st->rejected)
        return;
    const rt_step *saved_step = r->step;
    rt_lasterror saved_err = r->err;
    bool saved_failed = r->failed;
    r->step = run->step;
    bool count = true;
    if (run->c->by_key && run->c->inc_cond.present &&
        rt_val_bool(r, &run->c->inc_cond, true, &count) < 0) {
        rt_trace(r, "increment-condition failed (%.*s): not counted", STR_FMT(r->err.message));
        count = false;
    }
    int64_t bytes = q_bytes(r);
    for (size_t i = 0; i < run->n && count; i++) {
        const q_limit *l = &run->lim[i];
        if (!rt_lim_first_use(r, 'q', l->key)) {
            rt_trace(r, "quota key already counted by this request");
            continue;
        }
        rt_counter_op op = { .kind = RT_COUNTER_QUOTA_ADD,
                             .key = l->key,
                             .now_ms = rt_clock_now(r->w->clock),
                             .quota = { .calls = l->calls,
                                        .kb = l->kb,
                                        .start_ms = l->start_ms,
                                        .period_ms = l->period * 1000,
                                        .calls_take = run->count,
                                        .bytes_take = bytes } };
        rt_counter_result res;
        rt_lim_exec_late(r, &op, &res);
    }
    rt_trace(r, count ? "counted: %lld call(s), %lld byte(s)" : "increment-condition false",
             (long long)run->count, (long long)bytes);
    r->step = saved_step;
    r->err = saved_err;
    r->failed = saved_failed;
}

static pol_status q_next(rt_req *r, q_run *run);

static pol_status q_checked(rt_req *r, const rt_counter_result *res, void *ud)
{
    q_run *run = ud;
    if (res->admitted) {
        run->i++;
        return q_next(r, run);
    }
    const char *what = res->refusal == RT_COUNTER_BY_BANDWIDTH ? "bandwidth" : "call volume";
    int64_t secs = res->quota.renew_s;
    char msg[160], hms[48];
    if (secs > 0)
        snprintf(msg, sizeof msg, "Out of %s quota. Quota will be replenished in %s.", what,
                 rt_counter_hms(secs, hms, sizeof hms));
    else /* renewal-period 0: the window never ends [impl] */
        snprintf(msg, sizeof msg, "Out of %s quota.", what);
    return rt_lim_reject(r, 403, "QuotaExceeded", msg, STR_LIT("Retry-After"), STR_LIT(""), secs);
}

static pol_status q_next(rt_req *r, q_run *run)
{
    if (run->i < run->n) {
        const q_limit *l = &run->lim[run->i];
        rt_counter_op op = { .kind = RT_COUNTER_QUOTA,
                             .key = l->key,
                             .now_ms = rt_clock_now(r->w->clock),
                             .quota = { .calls = l->calls,
                                        .kb = l->kb,
                                        .start_ms = l->start_ms,
                                        .period_ms = l->period * 1000 } };
        return rt_lim_exec(r, &op, q_checked, run);
    }
    if (rt_req_at_end(r, q_end, run) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    rt_trace(r, "admitted");
    return POL_NEXT;
}

static void q_add(q_run *run, str key, int64_t calls, int64_t kb, int64_t period, int64_t start)
{
    if (run->n >= Q_MAX || (!calls && !kb))
        return;
    run->lim[run->n++] =
        (q_limit){ .key = key, .calls = calls, .kb = kb, .period = period, .start_ms = start };
}

/* The subscription's quota windows start when the subscription starts [doc: aligned to the
 * subscription]; without a start date, at 0001-01-01. */
static int64_t q_sub_start(const rt_ctx_subscription *s)
{
    int64_t t = s->start ? s->start : s->created;
    return t ? rt_ticks_to_ms(t) : rt_ticks_to_ms(0);
}

typedef struct q_sub {
    q_run *run;
    int64_t start_ms;
} q_sub;

static void q_sub_add(void *ud, const rt_ckey *k)
{
    q_sub *qs = ud;
    q_add(qs->run, k->key, k->calls, k->kb, k->period, qs->start_ms);
}

pol_status rt_quota_exec(rt_req *r, const void *conf)
{
    const rt_quota_conf *c = conf;
    q_run *run = arena_calloc(&r->arena, 1, sizeof *run);
    if (!run)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    *run = (q_run){ .c = c, .step = r->step, .count = 1 };
    if (c->by_key) {
        str key;
        if (rt_val_str(r, &c->key, &key) < 0 || rt_val_int(r, &c->inc_count, 1, &run->count) < 0)
            return POL_FAIL;
        if (run->count < 0)
            return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                           "increment-count must not be negative");
        q_add(run, key.ptr ? key : STR_LIT(""), c->calls, c->kb, c->period, c->start_ms);
    } else {
        if (!r->ctx->subscription || !r->ctx->subscription->id.len) {
            rt_trace(r, "no subscription: skipped");
            return POL_NEXT;
        }
        q_sub qs = { run, q_sub_start(r->ctx->subscription) };
        rt_ckey own = { .calls = c->calls, .kb = c->kb, .period = c->period };
        if (rt_ckey_subscription(r, "quota", own, c->apis, c->napis, q_sub_add, &qs) < 0)
            return POL_FAIL;
    }
    return q_next(r, run);
}

/* ---- limit-concurrency ---- */

int rt_concurrency_parse(pol_cc *cc, const pol_node *el, void *out)
{
    rt_concurrency_conf *c = out;
    pol_cc_attr(el, "key", &c->key);
    c->max = pol_cc_int(el, "max-count", 0);
    return pol_compile_block(cc, el->kids, el->nkids, &c->body);
}

typedef struct lc_run {
    const rt_concurrency_conf *c;
    str key;
    bool held;
} lc_run;

static void lc_release(rt_req *r, lc_run *run)
{
    if (!run->held)
        return;
    run->held = false;
    rt_counter_op op = { .kind = RT_COUNTER_RELEASE,
                         .key = run->key,
                         .now_ms = rt_clock_now(r->w->clock) };
    rt_counter_result res;
    rt_lim_exec_late(r, &op, &res);
}

static void lc_end(rt_req *r, void *ud)
{
    lc_release(r, ud);
}

static pol_status lc_done(rt_req *r, void *state, bool failed)
{
    lc_release(r, state);
    rt_trace(r, "limit-concurrency: slot released");
    return failed ? POL_FAIL : POL_NEXT;
}

/* [impl] APIM documents the status (429) but not the body or the reason. */
static pol_status lc_refuse(rt_req *r)
{
    return rt_lim_reject(r, 429, "ConcurrencyLimitExceeded",
                         "Too many concurrent requests. Try again later.", STR_LIT(""), STR_LIT(""),
                         0);
}

static pol_status lc_acquired(rt_req *r, const rt_counter_result *res, void *ud)
{
    lc_run *run = ud;
    if (!res->admitted)
        return lc_refuse(r);
    run->held = true;
    if (rt_req_at_end(r, lc_end, run) < 0) {
        lc_release(r, run);
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    }
    rt_trace(r, "slot taken (%lld of %lld held)", (long long)res->conc.held,
             (long long)run->c->max);
    return rt_pipeline_enter(r, &run->c->body, lc_done, run) < 0 ? POL_FAIL : POL_NEXT;
}

pol_status rt_concurrency_exec(rt_req *r, const void *conf)
{
    const rt_concurrency_conf *c = conf;
    str key;
    if (rt_val_str(r, &c->key, &key) < 0)
        return POL_FAIL;
    if (c->max <= 0)
        return lc_refuse(r);
    lc_run *run = arena_calloc(&r->arena, 1, sizeof *run);
    char *k =
        key.ptr ? arena_strndup(&r->arena, key.ptr, key.len) : arena_strndup(&r->arena, "", 0);
    if (!run || !k)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    run->c = c;
    run->key = (str){ k, key.ptr ? key.len : 0 };
    rt_counter_op op = { .kind = RT_COUNTER_ACQUIRE,
                         .key = run->key,
                         .now_ms = rt_clock_now(r->w->clock),
                         .conc = { .max = c->max } };
    return rt_lim_exec(r, &op, lc_acquired, run);
}
