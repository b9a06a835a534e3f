/* llm-content-safety (inbound): the request's text checked by Azure AI Content Safety on the
 * backend-id backend (docs: llm-content-safety-policy.md; the backend's url is the resource
 * endpoint https://<name>.cognitiveservices.azure.com and its credentials authenticate, e.g.
 * managedIdentity with resource https://cognitiveservices.azure.com). The table is in ai.c.
 *
 *  - text: "a concatenation of all text content in the request" (docs): every message's text
 *    (system messages included), a completions prompt or a Responses API input, joined by
 *    newlines. A body without text (not JSON, no prompt) is not checked.
 *  - shield-prompt="true": POST /contentsafety/text:shieldPrompt {"userPrompt": text,
 *    "documents": []}; userPromptAnalysis.attackDetected blocks.
 *  - <categories> and/or <blocklists>: POST /contentsafety/text:analyze {"text", "categories"
 *    (the configured names), "outputType", "blocklistNames", "haltOnBlocklistHit": false}; a
 *    configured category whose severity >= its threshold blocks ("requests with content
 *    severities less than the threshold aren't blocked"), any blocklistsMatch blocks.
 *  - blocked: 403 (docs) with APIM's error envelope {"statusCode": 403, "message": "Request
 *    failed content safety check."} ([impl] message), LastError Reason ContentSafetyViolation
 *    with the detail; on-error runs.
 *  - text over the service's 10,000-character limit: 403 (docs: "If the request exceeds the
 *    character limit of Azure AI Content Safety, a 403 error is returned") before any call.
 *  - the service failing (transport error, non-2xx, unreadable answer) or no such backend:
 *    a failure, Reason ContentSafetyError, default answer 500 (docs, 2025-02 version: "or an
 *    internal error occurs, a 500 error is returned").
 *  - enforce-on-completions="true" is not executed: apimlite cannot check the completion from
 *    an inbound policy (it needs an asynchronous response hook in the pipeline); the request
 *    fails with Reason NotImplemented (500) rather than silently skipping the check. */
#include "families.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "llmcall.h"
#include "semcache.h"

#define SAFETY_API           "?api-version=2024-09-01"
#define SAFETY_TIMEOUT_MS    30000
#define SAFETY_MAX_CHARS     10000
#define SAFETY_BLOCK_MESSAGE "Request failed content safety check."

static const char *const cat_names[] = { "Hate", "SelfHarm", "Sexual", "Violence", NULL };

int rt_safety_parse(pol_cc *cc, const pol_node *el, void *out)
{
    rt_safety_conf *c = out;
    pol_cc_attr(el, "backend-id", &c->backend);
    pol_cc_attr(el, "shield-prompt", &c->shield);
    pol_cc_attr(el, "enforce-on-completions", &c->enforce_completions);
    const pol_node **cats, **lists;
    if (pol_cc_children(cc, el, "categories", &cats)) {
        pol_cc_attr(cats[0], "output-type", &c->output_type);
        const pol_node **k;
        c->ncats = pol_cc_children(cc, cats[0], "category", &k);
        c->cats = arena_calloc(cc->a, c->ncats + 1, sizeof *c->cats);
        if (!c->cats)
            return pol_cc_error(cc, el, "out of memory");
        for (size_t i = 0; i < c->ncats; i++) {
            pol_cc_attr(k[i], "name", &c->cats[i].name);
            pol_cc_attr(k[i], "threshold", &c->cats[i].threshold);
        }
    }
    if (pol_cc_children(cc, el, "blocklists", &lists)) {
        const pol_node **ids;
        c->nblocklists = pol_cc_children(cc, lists[0], "id", &ids);
        c->blocklists = arena_calloc(cc->a, c->nblocklists + 1, sizeof *c->blocklists);
        if (!c->blocklists)
            return pol_cc_error(cc, el, "out of memory");
        for (size_t i = 0; i < c->nblocklists; i++)
            pol_cc_text(ids[i], &c->blocklists[i]);
    }
    return 0;
}

/* One request's check. */
typedef struct check {
    str backend, text;
    bool shield;
    const char *output_type;
    const char **names; /* canonical category names */
    int64_t *thresholds;
    size_t ncats;
    str *lists;
    size_t nlists;
    bool analyzed; /* the analyze call is the one answering */
} check;

static pol_status oom(rt_req *r)
{
    return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
}

/* 403 with the detail (from arena_sprintf: NULL at the cap) as LastError.Message. */
static pol_status blocked(rt_req *r, const char *detail)
{
    if (!detail || rt_req_error_response(r, 403, SAFETY_BLOCK_MESSAGE) < 0)
        return oom(r);
    return rt_fail(r, NULL, "ContentSafetyViolation", "%s", detail);
}

static size_t utf8_chars(str s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++)
        n += ((unsigned char)s.ptr[i] & 0xC0) != 0x80;
    return n;
}

/* json as compact text in the request arena (consumes j). */
static str dump(rt_req *r, json_t *j)
{
    char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    str s = t ? arena_str(&r->arena, str_from(t)) : STR_NULL;
    free(t);
    return s;
}

static pol_status answered(rt_req *r, void *ud, rt_tx_result res, const rt_http_resp *resp,
                           const char *msg);

static pol_status start(rt_req *r, check *k, bool analyze)
{
    json_t *j;
    if (analyze) {
        j = json_pack("{s:s%, s:s}", "text", k->text.ptr, k->text.len, "outputType",
                      k->output_type);
        json_t *cats = json_array(), *lists = json_array();
        for (size_t i = 0; i < k->ncats; i++)
            json_array_append_new(cats, json_string(k->names[i]));
        for (size_t i = 0; i < k->nlists; i++)
            json_array_append_new(lists, json_stringn(k->lists[i].ptr, k->lists[i].len));
        if (j && k->ncats)
            json_object_set(j, "categories", cats);
        if (j && k->nlists) {
            json_object_set(j, "blocklistNames", lists);
            json_object_set_new(j, "haltOnBlocklistHit", json_false());
        }
        json_decref(cats);
        json_decref(lists);
    } else {
        j = json_pack("{s:s%, s:[]}", "userPrompt", k->text.ptr, k->text.len, "documents");
    }
    str body = dump(r, j);
    if (!body.ptr)
        return oom(r);
    k->analyzed = analyze;
    rt_llm_req q = { .backend_id = k->backend,
                     .path = analyze ? STR_LIT("/contentsafety/text:analyze" SAFETY_API)
                                     : STR_LIT("/contentsafety/text:shieldPrompt" SAFETY_API),
                     .body = body,
                     .timeout_ms = SAFETY_TIMEOUT_MS,
                     .origin = "llm-content-safety" };
    str why;
    if (rt_llm_call(r, &q, answered, k, &why) < 0)
        return rt_fail(r, NULL, "ContentSafetyError", "content safety backend '%.*s': %.*s",
                       STR_FMT(k->backend), STR_FMT(why));
    return POL_SUSPEND;
}

/* The analyze answer: categoriesAnalysis and blocklistsMatch. */
static pol_status judge(rt_req *r, check *k, const json_t *j)
{
    const json_t *matches = json_object_get(j, "blocklistsMatch");
    if (json_array_size(matches)) {
        const json_t *m = json_array_get(matches, 0);
        const char *list = json_string_value(json_object_get(m, "blocklistName"));
        return blocked(r, arena_sprintf(&r->arena, "blocklist '%s' matched (%zu match(es))",
                                        list ? list : "?", json_array_size(matches)));
    }
    const json_t *cats = json_object_get(j, "categoriesAnalysis");
    if (k->ncats && !json_is_array(cats))
        return rt_fail(r, NULL, "ContentSafetyError",
                       "the content safety answer has no categoriesAnalysis");
    size_t i;
    const json_t *a;
    json_array_foreach(cats, i, a)
    {
        const char *name = json_string_value(json_object_get(a, "category"));
        const json_t *sev = json_object_get(a, "severity");
        for (size_t c = 0; name && json_is_integer(sev) && c < k->ncats; c++) {
            if (!strcmp(name, k->names[c]) && json_integer_value(sev) >= k->thresholds[c])
                return blocked(r, arena_sprintf(&r->arena,
                                                "category %s: severity %lld >= threshold %lld",
                                                name, (long long)json_integer_value(sev),
                                                (long long)k->thresholds[c]));
        }
    }
    rt_trace(r, "text:analyze: no category over its threshold, no blocklist match");
    return POL_NEXT;
}

static pol_status answered(rt_req *r, void *ud, rt_tx_result res, const rt_http_resp *resp,
                           const char *msg)
{
    check *k = ud;
    const char *op = k->analyzed ? "text:analyze" : "text:shieldPrompt";
    if (res != RT_TX_OK)
        return rt_fail(r, NULL, "ContentSafetyError", "content safety %s failed: %s", op,
                       msg ? msg : "");
    if (resp->status < 200 || resp->status > 299)
        return rt_fail(r, NULL, "ContentSafetyError", "content safety %s answered %d", op,
                       resp->status);
    json_t *j = json_loadb(resp->body.ptr ? resp->body.ptr : "", resp->body.len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return rt_fail(r, NULL, "ContentSafetyError", "content safety %s: unreadable answer", op);
    }
    pol_status st;
    if (k->analyzed) {
        st = judge(r, k, j);
    } else {
        const json_t *u = json_object_get(j, "userPromptAnalysis");
        if (json_is_true(json_object_get(u, "attackDetected")))
            st = blocked(r, arena_sprintf(&r->arena, "%s: user prompt attack detected", op));
        else if (k->ncats || k->nlists)
            st = start(r, k, true);
        else
            st = POL_NEXT;
        if (st == POL_NEXT)
            rt_trace(r, "text:shieldPrompt: no attack detected");
    }
    json_decref(j);
    return st;
}

/* Evaluates the categories and blocklists into k. -1 after recording a failure. */
static int eval_lists(rt_req *r, const rt_safety_conf *c, check *k)
{
    str ot = STR_LIT("FourSeverityLevels");
    if (c->output_type.present && rt_val_str(r, &c->output_type, &ot) < 0)
        return -1;
    ot = str_trim(ot);
    k->output_type =
        str_ieq(ot, STR_LIT("EightSeverityLevels")) ? "EightSeverityLevels" : "FourSeverityLevels";
    if (!str_ieq(ot, STR_LIT("EightSeverityLevels")) && !str_ieq(ot, STR_LIT("FourSeverityLevels")))
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure", "unknown output-type '%.*s'",
                       STR_FMT(ot)),
               -1;
    k->names = arena_calloc(&r->arena, c->ncats + 1, sizeof *k->names);
    k->thresholds = arena_calloc(&r->arena, c->ncats + 1, sizeof *k->thresholds);
    k->lists = arena_calloc(&r->arena, c->nblocklists + 1, sizeof *k->lists);
    if (!k->names || !k->thresholds || !k->lists)
        return oom(r), -1;
    for (size_t i = 0; i < c->ncats; i++) {
        str name;
        int64_t t;
        if (rt_val_str(r, &c->cats[i].name, &name) < 0 ||
            rt_val_int(r, &c->cats[i].threshold, 0, &t) < 0)
            return -1;
        const char *canon = NULL;
        for (int n = 0; cat_names[n]; n++) {
            if (name.ptr && str_ieq(str_trim(name), str_from(cat_names[n])))
                canon = cat_names[n];
        }
        if (!canon || t < 0 || t > 7)
            return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                           "category '%.*s' threshold %lld: expected Hate, SelfHarm, Sexual or "
                           "Violence with a threshold between 0 and 7",
                           STR_FMT(name), (long long)t),
                   -1;
        k->names[k->ncats] = canon;
        k->thresholds[k->ncats++] = t;
    }
    for (size_t i = 0; i < c->nblocklists; i++) {
        str id;
        if (rt_val_str(r, &c->blocklists[i], &id) < 0)
            return -1;
        id = str_trim(id.ptr ? id : STR_LIT(""));
        if (id.len)
            k->lists[k->nlists++] = id;
    }
    return 0;
}

pol_status rt_safety_exec(rt_req *r, const void *conf)
{
    const rt_safety_conf *c = conf;
    check *k = arena_calloc(&r->arena, 1, sizeof *k);
    bool enforce;
    if (!k)
        return oom(r);
    if (rt_val_str(r, &c->backend, &k->backend) < 0 ||
        rt_val_bool(r, &c->shield, false, &k->shield) < 0 ||
        rt_val_bool(r, &c->enforce_completions, false, &enforce) < 0 || eval_lists(r, c, k) < 0)
        return POL_FAIL;
    k->backend = str_trim(k->backend.ptr ? k->backend : STR_LIT(""));
    if (enforce)
        return rt_fail(r, NULL, "NotImplemented",
                       "enforce-on-completions=\"true\" is not supported by apimlite "
                       "(completions cannot be checked)");
    rt_llm_prompt p;
    int rc = rt_llm_prompt_read(r, rt_body_bytes(r->ctx->request.body), false, &p);
    if (rc < 0)
        return oom(r);
    if (rc == 0 || !p.n) {
        rt_trace(r, "no text content in the request body: not checked");
        return POL_NEXT;
    }
    k->text = rt_llm_prompt_join(r, &p, "\n");
    if (!k->text.ptr)
        return oom(r);
    size_t chars = utf8_chars(k->text);
    if (chars > SAFETY_MAX_CHARS)
        return blocked(r, arena_sprintf(&r->arena,
                                        "the text has %zu characters, over the content safety "
                                        "limit of %d",
                                        chars, SAFETY_MAX_CHARS));
    if (!k->shield && !k->ncats && !k->nlists) {
        rt_trace(r, "no shield-prompt, categories or blocklists: nothing to check");
        return POL_NEXT;
    }
    return start(r, k, !k->shield);
}
