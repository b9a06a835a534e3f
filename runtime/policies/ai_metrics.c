/* azure-openai-emit-token-metric and llm-emit-token-metric (table entries in ai.c). */
#include <string.h>
#include <strings.h>

#include "../tokens.h"
#include "observe_pol.h"

static int parse(pol_cc *cc, const pol_node *el, rt_token_metric_conf *c, bool llm)
{
    c->ns = pol_cc_lit(el, "namespace", "API Management");
    c->llm = llm;
    return rt_pol_dims_parse(cc, el, &c->dims);
}

int rt_pol_token_metric_parse_aoai(pol_cc *cc, const pol_node *el, void *conf)
{
    return parse(cc, el, conf, false);
}

int rt_pol_token_metric_parse_llm(pol_cc *cc, const pol_node *el, void *conf)
{
    return parse(cc, el, conf, true);
}

typedef struct tm_state {
    const rt_token_metric_conf *c;
    rt_label *dims;
    int64_t prompt_estimate; /* -1: none (not a stream) */
    rt_tok_encoding enc;
} tm_state;

static const rt_tokens_set *tokens_of(const rt_req *r)
{
    return r->w->tokens ? r->w->tokens : rt_tokens_default();
}

static bool is_event_stream(const rt_response *resp)
{
    str ct = resp->body ? resp->body->content_type : STR_NULL;
    xv_list *l = rt_hdr_get(resp->headers, STR_LIT("Content-Type"));
    if (l && l->n)
        ct = l->items[0].u.s;
    return ct.len >= 17 && !strncasecmp(ct.ptr, "text/event-stream", 17);
}

/* prom: the Prometheus name, apim_openai_* or apim_llm_* (a literal: the metrics registry
 * finds a family it saw before by its pointer first) */
static void emit(rt_req *r, const tm_state *s, const char *what, const char *prom, int64_t v)
{
    if (v < 0)
        return;
    int rc = rt_observe_emit(rt_observe_of(r->w), prom, RT_METRIC_COUNTER, str_from(what), s->c->ns,
                             s->dims, s->c->dims.n, (double)v);
    if (rt_tracing(r))
        rt_trace(r, "%s += %lld%s", prom, (long long)v, rc < 0 ? " (dropped by the registry)" : "");
}

static void at_end(rt_req *r, void *ud)
{
    tm_state *s = ud;
    const rt_response *resp = &r->ctx->response;
    /* the usage is read from the bytes even when an outbound expression consumed the body */
    str body = resp->body ? resp->body->bytes : STR_NULL;
    if (!body.len)
        return;
    rt_tokens_usage u;
    if (is_event_stream(resp)) {
        if (rt_req_sse_usage(r, tokens_of(r), s->enc, body, &u) < 0)
            return;
        if (!u.reported) {
            u.prompt = s->prompt_estimate;
            u.total = u.completion + (u.prompt > 0 ? u.prompt : 0);
        }
    } else {
        rt_body_peek pk = rt_req_peek(r, body);
        if (!pk.has_usage)
            return;
        u = pk.usage;
    }
    const rt_step *step = r->step;
    r->step = NULL;
    rt_pol_dims_defaults(r, s->dims, s->c->dims.n);
    bool llm = s->c->llm;
    emit(r, s, "Total Tokens", llm ? "apim_llm_total_tokens" : "apim_openai_total_tokens", u.total);
    emit(r, s, "Prompt Tokens", llm ? "apim_llm_prompt_tokens" : "apim_openai_prompt_tokens",
         u.prompt);
    emit(r, s, "Completion Tokens",
         llm ? "apim_llm_completion_tokens" : "apim_openai_completion_tokens", u.completion);
    r->step = step;
}

/* The prompt estimate of a streamed request (the stream's usage may be missing). */
static void estimate_prompt(rt_req *r, tm_state *s)
{
    const expr_body *b = r->ctx->request.body;
    if (!b || !b->bytes.len)
        return;
    rt_body_peek pk = rt_req_peek(r, b->bytes);
    if (!pk.json)
        return;
    if (pk.model.ptr)
        s->enc = rt_tokens_encoding_for_model(pk.model.ptr, pk.model.len);
    if (pk.stream) {
        const json_t *j = rt_req_json(r, b->bytes);
        const char *model = json_string_value(json_object_get(j, "model"));
        str path = r->ctx->request.original_url->path;
        rt_tokens_count cnt;
        if (j && rt_tokens_prompt(tokens_of(r), rt_tokens_api_from_path(path.ptr, path.len), j,
                                  model, &cnt) == 0)
            s->prompt_estimate = cnt.tokens;
    }
}

pol_status rt_pol_token_metric_exec(rt_req *r, const void *conf)
{
    const rt_token_metric_conf *c = conf;
    tm_state *s = arena_calloc(&r->arena, 1, sizeof *s);
    rt_label *dims = arena_calloc(&r->arena, c->dims.n + 1, sizeof *dims);
    if (!s || !dims)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    s->c = c;
    s->dims = dims;
    s->prompt_estimate = -1;
    s->enc = RT_TOK_AUTO;
    if (rt_pol_dims_eval(r, &c->dims, false, dims) < 0)
        return POL_FAIL;
    estimate_prompt(r, s);
    if (rt_req_at_end(r, at_end, s) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    rt_trace(r, "token metrics will be emitted when the usage is known");
    return POL_NEXT;
}
