/* Control flow: choose, retry, wait, include-fragment, and the policies that stop the pipeline
 * with a response: return-response, mock-response (limit-concurrency is in limits.c). */
#include "families.h"

#include <stddef.h>
#include <string.h>

#include "../errors.h"
#include "common.h"

/* <choose><when condition="bool">policies</when>+<otherwise>policies</otherwise>?</choose> */
static const pol_attr when_attrs[] = {
    { "condition", POL_T_BOOL, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};

static const pol_child choose_children[] = {
    { .name = "when", .min = 1, .max = 0, .attrs = when_attrs, .content = POL_C_POLICIES },
    { .name = "otherwise", .min = 0, .max = 1, .content = POL_C_POLICIES },
    { 0 },
};

/* <retry condition="bool" count="n" interval="s" max-interval="s" delta="s"
 *   first-fast-retry="bool">policies</retry> */
static const pol_attr retry_attrs[] = {
    { "condition", POL_T_BOOL, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "count", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "interval", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "max-interval", POL_T_UINT, POL_EXPR, NULL, NULL },
    { "delta", POL_T_UINT, POL_EXPR, NULL, NULL },
    { "first-fast-retry", POL_T_BOOL, POL_EXPR, "false", NULL },
    { 0 },
};

/* <wait for="all|any">send-request | cache-lookup-value | choose ...</wait> */
static const char *const wait_for_values[] = { "all", "any", NULL };
static const pol_attr wait_attrs[] = {
    { "for", POL_T_ENUM, POL_EXPR, "all", wait_for_values },
    { 0 },
};

/* <include-fragment fragment-id="id"/> */
static const pol_attr include_fragment_attrs[] = {
    { "fragment-id", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { 0 },
};

/* <return-response response-variable-name="v"><set-status/>?<set-header/>*<set-body/>?
 * </return-response>: each child is validated as that policy. */
static const pol_attr return_response_attrs[] = {
    { "response-variable-name", POL_T_STR, 0, NULL, NULL },
    { 0 },
};

static const pol_child return_response_children[] = {
    { .name = "set-status", .min = 0, .max = 1, .policy = "set-status" },
    { .name = "set-header", .min = 0, .max = 0, .policy = "set-header" },
    { .name = "set-body", .min = 0, .max = 1, .policy = "set-body" },
    { 0 },
};

/* <mock-response status-code="200" content-type="application/json" index="n"/> */
static const pol_attr mock_response_attrs[] = {
    { "status-code", POL_T_UINT, 0, "200", NULL },
    { "content-type", POL_T_STR, 0, NULL, NULL },
    { "index", POL_T_UINT, 0, NULL, NULL }, /* toolkit: which example */
    { 0 },
};

/* ---- choose ---- */

typedef struct choose_conf {
    size_t n;
    pol_val *conds;
    rt_block *blocks;
    rt_block otherwise;
    bool has_otherwise;
} choose_conf;

static int choose_parse(pol_cc *cc, const pol_node *el, void *out)
{
    choose_conf *c = out;
    const pol_node **whens;
    c->n = pol_cc_children(cc, el, "when", &whens);
    c->conds = arena_calloc(cc->a, c->n ? c->n : 1, sizeof *c->conds);
    c->blocks = arena_calloc(cc->a, c->n ? c->n : 1, sizeof *c->blocks);
    if (!c->conds || !c->blocks)
        return pol_cc_error(cc, el, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < c->n; i++) {
        pol_cc_attr(whens[i], "condition", &c->conds[i]);
        if (pol_compile_block(cc, whens[i]->kids, whens[i]->nkids, &c->blocks[i]) < 0)
            rc = -1;
    }
    const pol_node **other;
    if (pol_cc_children(cc, el, "otherwise", &other)) {
        c->has_otherwise = true;
        if (pol_compile_block(cc, other[0]->kids, other[0]->nkids, &c->otherwise) < 0)
            rc = -1;
    }
    return rc;
}

/* First true <when> wins; later conditions are not evaluated. */
static pol_status choose_exec(rt_req *r, const void *conf)
{
    const choose_conf *c = conf;
    for (size_t i = 0; i < c->n; i++) {
        bool b;
        if (rt_val_bool(r, &c->conds[i], false, &b) < 0)
            return POL_FAIL;
        if (b) {
            rt_trace(r, "when[%zu] is true", i + 1);
            return rt_pipeline_enter(r, &c->blocks[i], NULL, NULL) < 0 ? POL_FAIL : POL_NEXT;
        }
    }
    if (c->has_otherwise) {
        rt_trace(r, "otherwise");
        return rt_pipeline_enter(r, &c->otherwise, NULL, NULL) < 0 ? POL_FAIL : POL_NEXT;
    }
    rt_trace(r, "no condition is true");
    return POL_NEXT;
}

/* ---- retry ---- */

typedef struct retry_conf {
    pol_val condition, count, interval, max_interval, delta, first_fast;
    rt_block body;
} retry_conf;

static int retry_parse(pol_cc *cc, const pol_node *el, void *out)
{
    retry_conf *c = out;
    pol_cc_attr(el, "condition", &c->condition);
    pol_cc_attr(el, "count", &c->count);
    pol_cc_attr(el, "interval", &c->interval);
    pol_cc_attr(el, "max-interval", &c->max_interval);
    pol_cc_attr(el, "delta", &c->delta);
    pol_cc_attr(el, "first-fast-retry", &c->first_fast);
    return pol_compile_block(cc, el->kids, el->nkids, &c->body);
}

typedef struct retry_state {
    const retry_conf *c;
    const rt_step *step;
    int64_t count, interval, max_interval, delta; /* seconds */
    bool first_fast;
    int64_t n; /* retries done */
    rt_wake wake;
} retry_state;

/* Wait before retry number n (spec/policies.md §3), in ms. */
static int64_t retry_wait(rt_req *r, const retry_state *s, int64_t n)
{
    if (s->first_fast && n == 1)
        return 0;
    if (!s->c->delta.present)
        return s->interval * 1000;
    if (!s->c->max_interval.present)
        return (s->interval + (n - 1) * s->delta) * 1000;
    /* exponential: min(max, interval + (2^(n-1) - 1) * rnd), rnd in [0.8, 1.2] * delta; the
     * random source gives per-mille factors 800..1200 (tests script them with `random`) */
    int64_t f = r->env.host->random(&r->env, 800, 1201);
    double rnd = (double)s->delta * 1000.0 * (double)f / 1000.0;
    double mult = n - 1 >= 62 ? 4.6e18 : (double)((1LL << (n - 1)) - 1);
    double w = (double)s->interval * 1000.0 + mult * rnd;
    double mx = (double)s->max_interval * 1000.0;
    return (int64_t)(w < mx ? w : mx);
}

static pol_status retry_done(rt_req *r, void *state, bool failed);

static void retry_timer(void *ud)
{
    retry_state *s = ud;
    rt_req *r = s->wake.r;
    rt_req_unhold(r);
    if (r->finished)
        return;
    rt_wake_enter(&s->wake);
    pol_status st = rt_pipeline_enter(r, &s->c->body, retry_done, s) < 0 ? POL_FAIL : POL_NEXT;
    rt_wake_resume(&s->wake, st);
}

static pol_status retry_again(rt_req *r, retry_state *s)
{
    s->n++;
    int64_t wait = retry_wait(r, s, s->n);
    rt_trace(r, "retry %lld of %lld after %lld ms", (long long)s->n, (long long)s->count,
             (long long)wait);
    r->failed = false;
    if (wait <= 0)
        return rt_pipeline_enter(r, &s->c->body, retry_done, s) < 0 ? POL_FAIL : POL_NEXT;
    /* the timer enters the body again and resumes the cursor there */
    rt_wake_init(&s->wake, r);
    rt_req_hold(r);
    if (!rt_clock_after(r->w->clock, wait, retry_timer, s)) {
        rt_req_unhold(r);
        return rt_fail(r, NULL, "OutOfMemory", "cannot arm the retry timer");
    }
    return POL_SUSPEND;
}

static pol_status retry_done(rt_req *r, void *state, bool failed)
{
    retry_state *s = state;
    const rt_step *failing = r->step;
    rt_lasterror err = r->err;
    r->step = s->step;
    bool cond;
    if (rt_val_bool(r, &s->c->condition, false, &cond) < 0)
        return POL_FAIL;
    if (!cond || s->n >= s->count) {
        rt_trace(r, "condition %s after %lld retr%s%s", cond ? "true" : "false", (long long)s->n,
                 s->n == 1 ? "y" : "ies", failed ? ": the failure propagates" : "");
        if (failed) {
            r->step = failing;
            r->err = err;
            return POL_FAIL;
        }
        return POL_NEXT;
    }
    return retry_again(r, s);
}

static pol_status retry_exec(rt_req *r, const void *conf)
{
    const retry_conf *c = conf;
    retry_state *s = arena_alloc(&r->arena, sizeof *s);
    if (!s)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    s->c = c;
    s->step = r->step;
    if (rt_val_int(r, &c->count, 0, &s->count) < 0 ||
        rt_val_int(r, &c->interval, 0, &s->interval) < 0 ||
        rt_val_int(r, &c->max_interval, 0, &s->max_interval) < 0 ||
        rt_val_int(r, &c->delta, 0, &s->delta) < 0 ||
        rt_val_bool(r, &c->first_fast, false, &s->first_fast) < 0)
        return POL_FAIL;
    if (s->count < 0 || s->interval < 0 || s->delta < 0 || s->max_interval < 0)
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                       "count, interval, delta and max-interval must not be negative");
    return rt_pipeline_enter(r, &c->body, retry_done, s) < 0 ? POL_FAIL : POL_NEXT;
}

/* ---- wait ---- */

typedef struct wait_conf {
    pol_val any;
    rt_block *blocks; /* one block per child */
    size_t n;
} wait_conf;

static int wait_parse(pol_cc *cc, const pol_node *el, void *out)
{
    wait_conf *c = out;
    pol_cc_attr(el, "for", &c->any);
    rt_block all;
    if (pol_compile_block(cc, el->kids, el->nkids, &all) < 0)
        return -1;
    c->n = all.n;
    c->blocks = arena_calloc(cc->a, all.n ? all.n : 1, sizeof *c->blocks);
    if (!c->blocks)
        return pol_cc_error(cc, el, "out of memory");
    for (size_t i = 0; i < all.n; i++)
        c->blocks[i] = (rt_block){ &all.steps[i], 1 };
    return 0;
}

typedef struct wait_state {
    rt_wake wake;
    rt_cursor **branches;
    size_t n, started, ended;
    bool any, complete, suspended;
    pol_status result;
    rt_lasterror err;
} wait_state;

static void wait_branch_done(rt_req *r, rt_cursor *c, pol_status st)
{
    wait_state *w = c->branch_ud;
    w->ended++;
    if (w->complete)
        return;
    if (st == POL_FAIL) {
        w->result = POL_FAIL;
        w->err = r->err;
    } else if (st == POL_RESPOND && w->result != POL_FAIL) {
        w->result = POL_RESPOND;
    }
    if (!(w->any || st != POL_NEXT || w->ended == w->n))
        return;
    w->complete = true;
    for (size_t i = 0; i < w->started; i++) {
        if (w->branches[i] && w->branches[i] != c)
            rt_pipeline_abort(r, w->branches[i]);
    }
    if (w->suspended) {
        if (w->result == POL_FAIL) {
            r->err = w->err;
            r->failed = true;
        }
        rt_wake_resume(&w->wake, w->result);
    }
}

static pol_status wait_exec(rt_req *r, const void *conf)
{
    const wait_conf *c = conf;
    str mode;
    if (rt_val_str(r, &c->any, &mode) < 0)
        return POL_FAIL;
    wait_state *w = arena_alloc(&r->arena, sizeof *w);
    if (!w || !(w->branches = arena_calloc(&r->arena, c->n ? c->n : 1, sizeof *w->branches)))
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    w->n = c->n;
    w->any = mode.ptr && str_ieq(str_trim(mode), STR_LIT("any"));
    w->result = POL_NEXT;
    rt_wake_init(&w->wake, r);
    if (!c->n)
        return POL_NEXT;
    for (size_t i = 0; i < c->n && !w->complete; i++) {
        w->started = i + 1;
        w->branches[i] = rt_pipeline_branch(r, &c->blocks[i], wait_branch_done, w);
        rt_wake_enter(&w->wake);
        if (!w->branches[i])
            return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    }
    if (w->complete) {
        if (w->result == POL_FAIL) {
            r->err = w->err;
            r->failed = true;
        }
        rt_trace(r, "all branches ended at once");
        return w->result;
    }
    w->suspended = true;
    rt_trace(r, "waiting for %s of %zu", w->any ? "any" : "all", c->n);
    return POL_SUSPEND;
}

/* ---- return-response, mock-response ---- */

typedef struct return_response_conf {
    str var;
    const void *status;
    const void **headers;
    size_t nheaders;
    const void *body;
} return_response_conf;

static int return_response_parse(pol_cc *cc, const pol_node *el, void *out)
{
    return_response_conf *c = out;
    c->var = pol_cc_lit(el, "response-variable-name", NULL);
    c->headers = el->nkids ? arena_calloc(cc->a, el->nkids, sizeof *c->headers) : NULL;
    for (size_t i = 0; i < el->nkids; i++) {
        const pol_node *k = el->kids[i];
        const void *conf = rt_pol_child_conf(cc, k);
        if (!conf)
            return -1;
        if (str_eq_cstr(k->name, "set-status"))
            c->status = conf;
        else if (str_eq_cstr(k->name, "set-header"))
            c->headers[c->nheaders++] = conf;
        else if (str_eq_cstr(k->name, "set-body"))
            c->body = conf;
    }
    return 0;
}

static pol_status return_response_exec(rt_req *r, const void *conf)
{
    const return_response_conf *c = conf;
    rt_response resp = { .status = 200, .reason = STR_LIT("OK") };
    resp.headers = xv_dict_new_in(&r->arena, true);
    if (!resp.headers)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    resp.headers->readonly = true;
    if (c->var.ptr) {
        const xv *v = xv_dict_get(r->ctx->variables, c->var);
        if (!v || v->kind != XV_OBJ || v->u.obj.cls != &expr_class_response)
            return rt_fail(r, NULL, "VariableNotFound",
                           "variable '%.*s' does not hold a response (IResponse)", STR_FMT(c->var));
        const rt_response *src = v->u.obj.ptr;
        resp.status = src->status;
        resp.reason = src->reason;
        for (size_t i = 0; src->headers && i < src->headers->n; i++) {
            const xv_list *l = src->headers->vals[i].u.list;
            for (size_t k = 0; l && k < l->n; k++)
                rt_hdr_add(r, resp.headers, src->headers->keys[i], l->items[k].u.s);
        }
        resp.body = src->body;
    }
    if (c->status && rt_pol_set_status_to(r, c->status, &resp) != POL_NEXT)
        return POL_FAIL;
    for (size_t i = 0; i < c->nheaders; i++) {
        if (rt_pol_set_header_to(r, c->headers[i], resp.headers) != POL_NEXT)
            return POL_FAIL;
    }
    if (c->body) {
        /* Liquid in return-response sees an empty body: the message bodies are discarded */
        if (rt_pol_set_body_to(r, c->body, &resp.body, resp.headers) != POL_NEXT)
            return POL_FAIL;
    }
    r->ctx->response = resp;
    rt_trace(r, "%d %.*s", resp.status, STR_FMT(resp.reason));
    return POL_RESPOND;
}

typedef struct mock_response_conf {
    int64_t status;
    str content_type;
} mock_response_conf;

static int mock_response_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    mock_response_conf *c = out;
    c->status = pol_cc_int(el, "status-code", 200);
    c->content_type = pol_cc_lit(el, "content-type", NULL);
    if (c->status < 100 || c->status > 999)
        return pol_cc_error(cc, el, "status-code %lld is not an HTTP status", (long long)c->status);
    return 0;
}

/* No operation examples offline: the mocked response has an empty body. */
static pol_status mock_response_exec(rt_req *r, const void *conf)
{
    const mock_response_conf *c = conf;
    rt_response resp = { .status = (int)c->status };
    resp.reason = str_from(rt_reason_phrase(resp.status));
    resp.headers = xv_dict_new_in(&r->arena, true);
    if (!resp.headers)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    resp.headers->readonly = true;
    if (c->content_type.ptr &&
        rt_hdr_add(r, resp.headers, STR_LIT("Content-Type"), c->content_type) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    r->ctx->response = resp;
    rt_trace(r, "%d (empty body)", resp.status);
    return POL_RESPOND;
}

/* Only reached for a fragment left unresolved by a run without a configuration (a resolved
 * include-fragment is spliced in place at compile time, compile.c). */
static pol_status include_fragment_exec(rt_req *r, const void *conf)
{
    (void)conf;
    const pol_attrv *id = pol_node_attr(r->step->node, "fragment-id");
    return rt_fail(r, NULL, "FragmentNotFound",
                   "fragment '%.*s' is not defined (no --config given)",
                   id ? (int)id->value.text.len : 0, id ? id->value.text.ptr : "");
}

const pol_spec rt_policies_flow[] = {
    { .name = "choose",
      .sections = POL_SEC_ANY,
      .content = POL_C_CHILDREN,
      .children = choose_children,
      .conf_size = sizeof(choose_conf),
      .parse = choose_parse,
      .exec = choose_exec },
    { .name = "retry",
      .sections = POL_SEC_ANY,
      .attrs = retry_attrs,
      .content = POL_C_POLICIES,
      .conf_size = sizeof(retry_conf),
      .parse = retry_parse,
      .exec = retry_exec },
    { .name = "wait",
      .sections = POL_SEC_INBOUND | POL_SEC_BACKEND | POL_SEC_OUTBOUND,
      .attrs = wait_attrs,
      .content = POL_C_POLICIES,
      .conf_size = sizeof(wait_conf),
      .parse = wait_parse,
      .exec = wait_exec },
    { .name = "include-fragment",
      .sections = POL_SEC_ANY,
      .attrs = include_fragment_attrs,
      .content = POL_C_EMPTY,
      .exec = include_fragment_exec },
    { .name = "return-response",
      .sections = POL_SEC_ANY,
      .attrs = return_response_attrs,
      .content = POL_C_CHILDREN,
      .children = return_response_children,
      .conf_size = sizeof(return_response_conf),
      .parse = return_response_parse,
      .exec = return_response_exec },
    { .name = "mock-response",
      .sections = POL_SEC_INBOUND | POL_SEC_OUTBOUND | POL_SEC_ON_ERROR,
      .attrs = mock_response_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(mock_response_conf),
      .parse = mock_response_parse,
      .exec = mock_response_exec },
    { 0 },
};
