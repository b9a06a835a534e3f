#ifndef RUNTIME_POLICIES_LIMITS_H
#define RUNTIME_POLICIES_LIMITS_H

/* Shared by the throttling family files: limits.c (rate-limit, rate-limit-by-key, quota,
 * quota-by-key, limit-concurrency) and tokenlimit.c (azure-openai-token-limit and
 * llm-token-limit, whose table entries live in ai.c). Only these files include it.
 *
 * Counting model (spec/policies.md §6, [impl] where APIM is silent):
 *  - A limit is checked when its policy runs (inbound); the request is counted once, at the
 *    end of the request (rt_req_at_end), when increment-condition (evaluated then, so it can
 *    read context.Response) is true. Token usage is charged when the backend response is known
 *    (before outbound) or, failing that, at the end.
 *  - A request refused by any limit policy is not counted by the others (lim_state.rejected).
 *  - The same counter key hit by several quota (or token-limit) policies in one request is
 *    counted once.
 *  - Counters come from r->w->counters (rt_counter_store, fresh per test in `apimlite test`). */

#include "../counters.h"
#include "../tokens.h"
#include "common.h"

/* Per-request state of the throttling policies (r->limits). */
typedef struct lim_state {
    bool rejected; /* a limit policy refused this request */
    /* counter keys already counted in this request, per family ('q' quota, 't' tokens) */
    struct lim_seen *seen;
} lim_state;

/* The request's state (created on first use in the request arena), or NULL at the arena cap. */
lim_state *rt_lim_state(rt_req *r);
/* True the first time (family, key) is seen in this request (then remembered). */
bool rt_lim_first_use(rt_req *r, char family, str key);

/* Runs a counter operation for the executing policy. When the store answers at once, apply(r,
 * res, ud) is called now and its result returned; when it answers later, the policy suspends
 * and apply runs on completion (its result resumes the pipeline). Store errors fail the policy
 * (Reason CounterStoreFailure). */
typedef pol_status (*rt_lim_apply)(rt_req *r, const rt_counter_result *res, void *ud);
pol_status rt_lim_exec(rt_req *r, const rt_counter_op *op, rt_lim_apply apply, void *ud);
/* Fire-and-forget operation (increments and releases at the end): a later answer is ignored.
 * Returns 0 with *out filled when the store answered at once, 1 when pending, -1 on error
 * (traced). */
int rt_lim_exec_late(rt_req *r, const rt_counter_op *op, rt_counter_result *out);

/* Sets context.Response to the APIM envelope (status, message), adds `hdr: secs` when hdr is
 * non-empty, sets variable var (int) when non-empty, marks the request rejected and returns
 * the failure (Reason reason). */
pol_status rt_lim_reject(rt_req *r, int status, const char *reason, const char *message, str hdr,
                         str var, int64_t secs);
/* Sets context variable name (when non-empty) to the integer v. 0 or -1 (arena cap). */
int rt_lim_set_var(rt_req *r, str name, int64_t v);
/* Replaces header name (when non-empty) of the client response with the integer v. */
void rt_lim_set_resp_header(rt_req *r, str name, int64_t v);
/* The counter store, or NULL after recording a failure. */
rt_counter_store *rt_lim_store(rt_req *r);

/* A nested <api>/<operation> limit of rate-limit or quota. */
typedef struct rt_lim_scope {
    bool is_api, by_id; /* by_id: match the id (id wins over name), else the name */
    str match;
    int64_t calls, kb, period; /* 0 = none; quota: period -1 = the parent's; rate-limit: kb 0 */
    struct rt_lim_scope *ops;  /* <operation> children of an <api> */
    size_t nops;
} rt_lim_scope;

/* Parses <api> (is_api) or <operation> el with its <operation> children into out. quota reads
 * bandwidth and an optional renewal-period; rate-limit requires a positive renewal-period.
 * 0, or -1 plus diagnostics. */
int rt_lim_scope_parse(pol_cc *cc, const pol_node *el, bool is_api, bool quota, rt_lim_scope *out);
/* True when the request's API (is_api) or operation matches s by id or name. */
bool rt_lim_scope_matches(const rt_lim_scope *s, const rt_ctx *ctx);
/* The counter key "policy|scope|owner|subscription" of the current step's subscription-scoped
 * limit (scope: product / api / operation). NULL at the arena cap; needs a subscription. */
char *rt_lim_sub_key(rt_req *r, const char *policy);

/* ---- quota, quota-by-key, limit-concurrency (quota.c), wired into limits.c's table ---- */

typedef struct rt_quota_conf {
    bool by_key;
    int64_t calls, kb, period; /* period in seconds, 0 = never renews */
    int64_t start_ms;          /* quota-by-key first-period-start */
    pol_val key, inc_cond, inc_count;
    rt_lim_scope *apis;
    size_t napis;
} rt_quota_conf;

int rt_quota_parse(pol_cc *cc, const pol_node *el, void *out);
int rt_quota_by_key_parse(pol_cc *cc, const pol_node *el, void *out);
pol_status rt_quota_exec(rt_req *r, const void *conf);

typedef struct rt_concurrency_conf {
    pol_val key;
    int64_t max;
    rt_block body;
} rt_concurrency_conf;

int rt_concurrency_parse(pol_cc *cc, const pol_node *el, void *out);
pol_status rt_concurrency_exec(rt_req *r, const void *conf);

/* ---- token limits (tokenlimit.c), wired into ai.c's table ---- */

typedef struct rt_token_limit_conf {
    pol_val counter_key, tpm, quota, period;
    bool estimate;
    str retry_after_header, retry_after_var;
    str remaining_header, remaining_var;
    str remaining_quota_header, remaining_quota_var;
    str consumed_header, consumed_var;
} rt_token_limit_conf;

int rt_token_limit_parse(pol_cc *cc, const pol_node *el, void *out);
pol_status rt_token_limit_exec(rt_req *r, const void *conf);

#endif
