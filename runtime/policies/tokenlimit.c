/* azure-openai-token-limit and llm-token-limit (spec/policies.md §6; their table entries are
 * in ai.c). Inbound: the counter key's TPM window and token quota are checked (with the prompt
 * estimate when estimate-prompt-tokens is true); the tokens are charged once the response is
 * known (before outbound; at the end of the request when outbound does not run): usage from
 * the response (`usage.total_tokens`, else prompt + completion; Responses input/output), for
 * streamed responses the final usage chunk or the counted deltas plus the prompt estimate. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "limits.h"

int rt_token_limit_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    rt_token_limit_conf *c = out;
    pol_cc_attr(el, "counter-key", &c->counter_key);
    pol_cc_attr(el, "tokens-per-minute", &c->tpm);
    pol_cc_attr(el, "token-quota", &c->quota);
    pol_cc_attr(el, "token-quota-period", &c->period);
    c->estimate = pol_node_attr(el, "estimate-prompt-tokens")
                      ? pol_cc_bool(el, "estimate-prompt-tokens", false)
                      : pol_cc_bool(el, "estimate-prompt-token", false);
    c->retry_after_header = pol_cc_lit(el, "retry-after-header-name", "Retry-After");
    c->retry_after_var = pol_cc_lit(el, "retry-after-variable-name", "");
    c->remaining_header = pol_cc_lit(el, "remaining-tokens-header-name", "");
    c->remaining_var = pol_cc_lit(el, "remaining-tokens-variable-name", "");
    c->remaining_quota_header = pol_cc_lit(el, "remaining-quota-tokens-header-name", "");
    c->remaining_quota_var = pol_cc_lit(el, "remaining-quota-tokens-variable-name", "");
    c->consumed_header = pol_cc_lit(el, "tokens-consumed-header-name", "");
    c->consumed_var = pol_cc_lit(el, "tokens-consumed-variable-name", "");
    return 0;
}

/* One execution (request arena). */
typedef struct tl_run {
    const rt_token_limit_conf *c;
    const rt_step *step;
    str key;
    int64_t tpm, quota;
    rt_token_period period;
    bool stream;         /* the request asked for a streamed response */
    int64_t prompt;      /* prompt estimate (0 when not estimated) */
    rt_tok_encoding enc; /* for counting streamed completions */
    bool charged;
    int64_t consumed;                       /* tokens charged */
    int64_t tpm_remaining, quota_remaining; /* -1: no such limit */
    int64_t tpm_checked, quota_checked;     /* remaining when the check admitted the request */
} tl_run;

static atomic_flag approx_noted = ATOMIC_FLAG_INIT;

/* Once per process: counts made without the tokenizer's rank files are approximations. */
static void note_approximation(rt_req *r)
{
    rt_trace(r, "no tokenizer rank file loaded: prompt tokens approximated");
    if (!atomic_flag_test_and_set(&approx_noted))
        fprintf(stderr, "apimlite: note: no tokenizer rank files configured (tokenizer: in the "
                        "configuration); token counts are approximated\n");
}

/* The request body as JSON (NULL when it is not JSON); parsed once per request, borrowed. */
static const json_t *request_json(rt_req *r)
{
    const expr_body *b = r->ctx->request.body;
    return b ? rt_req_json(r, b->bytes) : NULL;
}

/* The Azure deployment name of ".../deployments/{name}/...", else an empty slice. */
static str deployment_of(str path)
{
    static const char seg[] = "/deployments/";
    for (size_t i = 0; i + sizeof seg - 1 <= path.len; i++) {
        if (strncasecmp(path.ptr + i, seg, sizeof seg - 1))
            continue;
        size_t s = i + sizeof seg - 1, e = s;
        while (e < path.len && path.ptr[e] != '/')
            e++;
        return (str){ path.ptr + s, e - s };
    }
    return (str){ "", 0 };
}

static void estimate_prompt(rt_req *r, tl_run *run, const json_t *body)
{
    str path = r->ctx->request.url ? r->ctx->request.url->path : STR_LIT("");
    str dep = deployment_of(path);
    char *model = dep.len ? arena_strndup(&r->arena, dep.ptr, dep.len) : NULL;
    const char *bm = json_string_value(json_object_get(body, "model"));
    run->enc = rt_tokens_encoding_for_model(model ? model
                                            : bm  ? bm
                                                  : "",
                                            model ? dep.len
                                            : bm  ? strlen(bm)
                                                  : 0);
    if (run->enc == RT_TOK_AUTO && model && bm)
        run->enc = rt_tokens_encoding_for_model(bm, strlen(bm));
    rt_tokens_count cnt;
    rt_tokens_api api = rt_tokens_api_from_path(path.ptr ? path.ptr : "", path.len);
    if (!body || rt_tokens_prompt(r->w->tokens ? r->w->tokens : rt_tokens_default(), api, body,
                                  model, &cnt) < 0) {
        run->prompt = 0;
        rt_trace(r, "prompt tokens: the request body is not an OpenAI request (0 estimated)");
        return;
    }
    run->prompt = cnt.tokens;
    if (cnt.estimated)
        note_approximation(r);
    rt_trace(r, "prompt tokens estimated: %lld (%s%s)", (long long)cnt.tokens,
             rt_tokenizer_encoding_name(cnt.encoding), cnt.estimated ? ", approximated" : "");
}

/* The tokens the response used (0 when it tells nothing and nothing was estimated). */
static int64_t response_tokens(rt_req *r, tl_run *run)
{
    if (!r->backend_status)
        return 0; /* nothing reached the model */
    const rt_response *resp = &r->ctx->response;
    str bytes = resp->body ? resp->body->bytes : STR_LIT("");
    xv_list *ct = resp->headers ? rt_hdr_get(resp->headers, STR_LIT("Content-Type")) : NULL;
    bool sse = ct && ct->n && ct->items[0].kind == XV_STR && ct->items[0].u.s.len >= 17 &&
               !strncasecmp(ct->items[0].u.s.ptr, "text/event-stream", 17);
    rt_tokens_usage u;
    if (run->stream || sse) {
        if (rt_req_sse_usage(r, r->w->tokens ? r->w->tokens : rt_tokens_default(), run->enc, bytes,
                             &u) < 0)
            return run->prompt;
        if (u.estimated)
            note_approximation(r);
        if (u.reported && u.total >= 0)
            return u.total;
        /* streamed: the prompt is always estimated, the completion counted from the deltas */
        return run->prompt + (u.completion > 0 ? u.completion : 0);
    }
    rt_body_peek pk = rt_req_peek(r, bytes);
    if (pk.has_usage) {
        u = pk.usage;
        if (u.total >= 0)
            return u.total;
        return (u.prompt > 0 ? u.prompt : 0) + (u.completion > 0 ? u.completion : 0);
    }
    return run->prompt;
}

static void set_remaining_vars(rt_req *r, const tl_run *run)
{
    const rt_token_limit_conf *c = run->c;
    if (run->tpm_remaining >= 0)
        rt_lim_set_var(r, c->remaining_var, run->tpm_remaining);
    if (run->quota_remaining >= 0)
        rt_lim_set_var(r, c->remaining_quota_var, run->quota_remaining);
}

/* v tokens left less take (-1: no such limit). */
static int64_t left_after(int64_t v, int64_t take)
{
    return v < 0 ? -1 : v > take ? v - take : 0;
}

/* Charges the response's tokens (once). */
static void tl_charge(rt_req *r, tl_run *run)
{
    if (run->charged)
        return;
    run->charged = true;
    lim_state *st = rt_lim_state(r);
    if (st && st->rejected)
        return;
    const rt_step *saved = r->step;
    r->step = run->step;
    run->consumed = response_tokens(r, run);
    /* the same counter key in several token-limit policies is charged once */
    bool first = rt_lim_first_use(r, 't', run->key);
    rt_counter_op op = { .kind = RT_COUNTER_TOKEN_ADD,
                         .key = run->key,
                         .now_ms = rt_clock_now(r->w->clock),
                         .token = { .tpm = run->tpm,
                                    .quota = run->quota,
                                    .period = run->period,
                                    .take = first ? run->consumed : 0 } };
    rt_counter_result res;
    int rc = rt_lim_exec_late(r, &op, &res);
    if (rc == 0) {
        run->tpm_remaining = res.token.tpm_remaining;
        run->quota_remaining = res.token.quota_remaining;
    } else if (rc > 0) {
        /* a networked store (Redis) answers later: what the check saw, less these tokens */
        run->tpm_remaining = left_after(run->tpm_checked, op.token.take);
        run->quota_remaining = left_after(run->quota_checked, op.token.take);
    }
    rt_lim_set_var(r, run->c->consumed_var, run->consumed);
    set_remaining_vars(r, run);
    rt_trace(r, "%lld token(s) consumed%s; remaining: %lld per minute, %lld in the quota",
             (long long)run->consumed, first ? "" : " (already charged for this key)",
             (long long)run->tpm_remaining, (long long)run->quota_remaining);
    r->step = saved;
}

static void tl_at_response(rt_req *r, void *ud)
{
    tl_charge(r, ud);
}

static void tl_end(rt_req *r, void *ud)
{
    tl_run *run = ud;
    lim_state *st = rt_lim_state(r);
    if (st && st->rejected)
        return;
    tl_charge(r, run);
    const rt_token_limit_conf *c = run->c;
    rt_lim_set_resp_header(r, c->consumed_header, run->consumed);
    if (run->tpm_remaining >= 0)
        rt_lim_set_resp_header(r, c->remaining_header, run->tpm_remaining);
    if (run->quota_remaining >= 0)
        rt_lim_set_resp_header(r, c->remaining_quota_header, run->quota_remaining);
}

static pol_status tl_checked(rt_req *r, const rt_counter_result *res, void *ud)
{
    tl_run *run = ud;
    const rt_token_limit_conf *c = run->c;
    run->tpm_remaining = run->tpm_checked = res->token.tpm_remaining;
    run->quota_remaining = run->quota_checked = res->token.quota_remaining;
    if (!res->admitted) {
        char msg[160];
        int64_t secs;
        int status;
        if (res->refusal == RT_COUNTER_BY_QUOTA) {
            secs = res->token.quota_renew_s;
            status = 403;
            snprintf(msg, sizeof msg,
                     "Token quota is exceeded. Try again in %lld minutes and %lld seconds.",
                     (long long)(secs / 60), (long long)(secs % 60));
        } else {
            secs = res->token.retry_after_s;
            status = 429;
            snprintf(msg, sizeof msg, "Token limit is exceeded. Try again in %lld seconds.",
                     (long long)secs);
        }
        set_remaining_vars(r, run);
        pol_status st =
            rt_lim_reject(r, status, status == 429 ? "TokenLimitExceeded" : "TokenQuotaExceeded",
                          msg, c->retry_after_header, c->retry_after_var, secs);
        if (run->tpm_remaining >= 0)
            rt_lim_set_resp_header(r, c->remaining_header, run->tpm_remaining);
        if (run->quota_remaining >= 0)
            rt_lim_set_resp_header(r, c->remaining_quota_header, run->quota_remaining);
        return st;
    }
    /* admitted: what the backend section sees until the response is known */
    if (run->prompt > 0) {
        if (run->tpm_remaining >= 0)
            run->tpm_remaining =
                run->tpm_remaining > run->prompt ? run->tpm_remaining - run->prompt : 0;
        if (run->quota_remaining >= 0)
            run->quota_remaining =
                run->quota_remaining > run->prompt ? run->quota_remaining - run->prompt : 0;
    }
    set_remaining_vars(r, run);
    if (rt_lim_set_var(r, c->consumed_var, run->prompt) < 0 ||
        rt_req_at_response(r, tl_at_response, run) < 0 || rt_req_at_end(r, tl_end, run) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    rt_trace(r, "admitted: %lld token(s) left this minute, %lld in the quota",
             (long long)res->token.tpm_remaining, (long long)res->token.quota_remaining);
    return POL_NEXT;
}

pol_status rt_token_limit_exec(rt_req *r, const void *conf)
{
    const rt_token_limit_conf *c = conf;
    str key, period = STR_NULL;
    int64_t tpm = 0, quota = 0;
    if (rt_val_str(r, &c->counter_key, &key) < 0 || rt_val_int(r, &c->tpm, 0, &tpm) < 0 ||
        rt_val_int(r, &c->quota, 0, &quota) < 0 || rt_val_str(r, &c->period, &period) < 0)
        return POL_FAIL;
    if (tpm < 0 || quota < 0)
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                       "tokens-per-minute and token-quota must not be negative");
    tl_run *run = arena_calloc(&r->arena, 1, sizeof *run);
    if (!run)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    run->c = c;
    run->step = r->step;
    run->key = key.ptr ? key : STR_LIT("");
    run->tpm = tpm;
    run->quota = quota;
    run->tpm_remaining = run->quota_remaining = -1;
    if (c->quota.present) {
        int p = period.ptr ? rt_token_period_parse(str_trim(period)) : -1;
        if (p < 0)
            return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                           "token-quota-period must be Hourly, Daily, Weekly, Monthly or Yearly, "
                           "got '%.*s'",
                           STR_FMT(period));
        run->period = (rt_token_period)p;
    }
    const expr_body *rb = r->ctx->request.body;
    run->stream = rb && rt_req_peek(r, rb->bytes).stream;
    run->enc = RT_TOK_AUTO;
    if (c->estimate || run->stream) /* streamed prompts are always estimated [doc] */
        estimate_prompt(r, run, request_json(r));
    int64_t need = c->estimate ? run->prompt : 0;
    rt_counter_op op = { .kind = RT_COUNTER_TOKEN,
                         .key = run->key,
                         .now_ms = rt_clock_now(r->w->clock),
                         .token = { .tpm = tpm,
                                    .quota = quota,
                                    .period = run->period,
                                    .need = need,
                                    .quota_need = need } };
    return rt_lim_exec(r, &op, tl_checked, run);
}
