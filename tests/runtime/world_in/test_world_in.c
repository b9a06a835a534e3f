/* serve's direct request builder (rt_gw_new_request_in) gives the same context as the JSON one
 * (rt_gw_new_request): the same requests are built both ways and every context.* member the
 * route and the request fill is evaluated and compared, with the program, the refusal and the
 * backend URL. argv[1]: tests/runtime/world_in/gateway.yaml. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/clock.h"
#include "runtime/reqlog.h"
#include "runtime/world.h"

static const char *config_path;

typedef struct hdr_case {
    const char *name, *value;
} hdr_case;

typedef struct req_case {
    const char *label, *method, *host, *target, *ip;
    hdr_case headers[8];
    const char *body;
} req_case;

/* Evaluated against both contexts; the results must match (as JSON text, or both fail). */
static const char *const exprs[] = {
    "context.Request.Method",
    "context.Request.IpAddress",
    "context.Request.Url.ToString()",
    "context.Request.OriginalUrl.ToString()",
    "context.Request.Url.Host",
    "context.Request.Url.Port",
    "context.Request.Url.Path",
    "context.Request.Url.Scheme",
    "context.Request.Url.QueryString",
    "context.Request.Url.Query.Count",
    "context.Request.Url.Query.GetValueOrDefault(\"api-version\", \"none\")",
    "context.Request.Headers.Count",
    "context.Request.Headers.GetValueOrDefault(\"X-Multi\", \"none\")",
    "context.Request.Headers.GetValueOrDefault(\"x-multi\", \"none\")",
    "context.Request.Headers.GetValueOrDefault(\"X-Bin\", \"none\")",
    "context.Request.Headers.GetValueOrDefault(\"Content-Type\", \"none\")",
    "context.Request.Headers.ContainsKey(\"api-key\")",
    "context.Request.MatchedParameters.Count",
    "context.Request.MatchedParameters.GetValueOrDefault(\"deployment-id\", \"none\")",
    "context.Request.Body == null ? \"none\" : context.Request.Body.As<string>(true)",
    "context.Api.Id",
    "context.Api.Name",
    "context.Api.Path",
    "context.Api.Revision",
    "context.Api.Version",
    "context.Api.IsCurrentRevision",
    "context.Api.ServiceUrl == null ? \"none\" : context.Api.ServiceUrl.ToString()",
    "string.Join(\",\", context.Api.Protocols)",
    "context.Api.SubscriptionKeyParameterNames.Header",
    "context.Api.SubscriptionKeyParameterNames.Query",
    "context.Operation.Id",
    "context.Operation.Name",
    "context.Operation.Method",
    "context.Operation.UrlTemplate",
    "context.Product == null",
    "context.Product?.Id",
    "context.Product?.Name",
    "context.Product?.State.ToString()",
    "context.Product?.ApprovalRequired",
    "context.Product?.SubscriptionRequired",
    "context.Product?.SubscriptionLimit",
    ("context.Product == null ? \"\" : string.Join(\",\", context.Product.Groups.Select(g => "
     "g.Id + \"/\" + g.Name))"),
    "context.Product == null ? 0 : context.Product.Apis.Count()",
    "context.Subscription == null",
    "context.Subscription?.Id",
    "context.Subscription?.Name",
    "context.Subscription?.Key",
    "context.Subscription?.PrimaryKey",
    "context.Subscription?.SecondaryKey",
    "context.Subscription?.CreatedDate.ToString(\"o\")",
    "context.Subscription?.StartDate?.ToString(\"o\")",
    "context.Subscription?.EndDate?.ToString(\"o\")",
    "context.User == null",
    "context.User?.Id",
    "context.User?.Email",
    "context.User?.FirstName",
    "context.User?.LastName",
    "context.User?.Note",
    "context.User?.RegistrationDate.ToString(\"o\")",
    "context.User == null ? \"\" : string.Join(\",\", context.User.Groups.Select(g => g.Id))",
    "context.User == null ? -1 : context.User.Identities.Count()",
    "context.Deployment.Region",
    "context.Deployment.ServiceName",
    "context.Deployment.GatewayId",
    "context.Deployment.Certificates.Count",
    "context.LastError == null",
    "context.Workspace == null",
    "context.Timestamp.ToString(\"o\")",
    "context.Request.Headers.GetValueOrDefault(\"api-key\", \"none\")",
    "context.Response.StatusReason",
    "context.Response.Headers.Count",
    "context.Response.Body == null",
    "context.Variables.Count",
    "context.Response.StatusCode",
    "context.Tracing",
};

#define NEXPRS (sizeof exprs / sizeof exprs[0])

/* The request object the server used to build for rt_gw_new_request. */
static json_t *request_json(const req_case *c)
{
    json_t *headers = json_object();
    for (const hdr_case *h = c->headers; h->name; h++) {
        json_t *v = json_string(h->value);
        if (!v)
            continue; /* not UTF-8: dropped */
        json_t *list = json_object_get(headers, h->name);
        if (!list) {
            list = json_array();
            json_object_set_new(headers, h->name, list);
        }
        json_array_append_new(list, v);
    }
    char url[512];
    snprintf(url, sizeof url, "http://%s%s", c->host, c->target);
    return json_pack("{s:s, s:s, s:s, s:o}", "method", c->method, "url", url, "ip", c->ip,
                     "headers", headers);
}

/* The value of each expression against r's context, as JSON text or "error: ..." */
static char **eval_all(rt_req *r)
{
    char **out = calloc(NEXPRS, sizeof *out);
    for (size_t i = 0; i < NEXPRS; i++) {
        char src[1024];
        snprintf(src, sizeof src, "@(%s)", exprs[i]);
        diag_list d;
        diag_list_init(&d);
        const expr *e = expr_compile(&r->arena, src, strlen(src), NULL, &d);
        int bad = !e || diag_has_errors(&d);
        diag_list_release(&d);
        if (bad) {
            out[i] = strdup("error: does not compile");
            continue;
        }
        r->env.budget = EXPR_STEP_BUDGET;
        memset(&r->env.err, 0, sizeof r->env.err);
        xv v;
        json_t *j = expr_eval(&r->env, e, &v) == 0 ? expr_eval_json(&r->env, v) : NULL;
        char *text = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        json_decref(j);
        if (text) {
            out[i] = text;
        } else {
            char msg[512];
            snprintf(msg, sizeof msg, "error: %s", r->env.err.message ? r->env.err.message : "?");
            out[i] = strdup(msg);
        }
    }
    return out;
}

static void compare(rt_gw *g, const rt_world *w, const req_case *c)
{
    char err1[256] = "", err2[256] = "";
    json_t *j = request_json(c);
    rt_req *a = rt_gw_new_request(g, w, j, err1, sizeof err1);
    json_decref(j);
    if (a && c->body)
        a->ctx->request.body = rt_body_new(a, str_from(c->body), STR_NULL);
    rt_hdr hdrs[8];
    size_t n = 0;
    for (const hdr_case *h = c->headers; h->name; h++)
        hdrs[n++] = (rt_hdr){ str_from(h->name), str_from(h->value) };
    rt_gw_in in = { .method = str_from(c->method),
                    .scheme = STR_LIT("http"),
                    .host = str_from(c->host),
                    .target = str_from(c->target),
                    .ip = str_from(c->ip),
                    .headers = hdrs,
                    .nheaders = n,
                    .body = c->body ? str_from(c->body) : STR_NULL };
    rt_req *b = rt_gw_new_request_in(g, w, &in, err2, sizeof err2);
    if (!a || !b)
        fail_msg("%s: json: %s, direct: %s", c->label, a ? "ok" : err1, b ? "ok" : err2);
    assert_ptr_equal(a->prog, b->prog);
    assert_int_equal(a->failed, b->failed);
    assert_int_equal(a->ctx->response.status, b->ctx->response.status);
    str ba = rt_body_bytes(a->ctx->response.body), bb = rt_body_bytes(b->ctx->response.body);
    assert_true(str_eq(ba, bb));
    assert_true(str_eq(a->err.reason, b->err.reason));
    assert_true(
        str_eq(rt_req_url_text(a, a->ctx->request.url), rt_req_url_text(b, b->ctx->request.url)));
    assert_true(str_eq(a->api_path, b->api_path));
    assert_true(str_eq(a->path_rest, b->path_rest));
    char **va = eval_all(a), **vb = eval_all(b);
    int errors = 0;
    for (size_t i = 0; i < NEXPRS; i++) {
        if (strcmp(va[i], vb[i]))
            fail_msg("%s: %s: json %s, direct %s", c->label, exprs[i], va[i], vb[i]);
        errors += !strncmp(va[i], "error:", 6);
        if (getenv("WORLD_IN_VERBOSE"))
            printf("%s: %s = %s\n", c->label, exprs[i], va[i]);
        free(va[i]);
        free(vb[i]);
    }
    free(va);
    free(vb);
    /* the comparison means something only when the members evaluate */
    assert_true(errors == 0);
    rt_req_free(a);
    rt_req_free(b);
}

static const req_case cases[] = {
    { "chat with a product key",
      "POST",
      "gw.example.com:8080",
      "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21&x=a%20b&x=2",
      "10.1.2.3",
      { { "Host", "gw.example.com:8080" },
        { "api-key", "key-2" },
        { "X-Multi", "one" },
        { "X-Multi", "two" },
        { "x-multi", "three" }, /* interleaved spellings: the direct builder keeps the received
                                   order, the JSON one grouped by spelling first */
        { "X-Bin", "caf\xe9" },
        { "Content-Type", "application/json" } },
      "{\"messages\":[]}" },
    { "key in the query, all-APIs subscription",
      "get",
      "localhost",
      "/openai/models?api-key=key-all",
      "::1",
      { { "Accept", "*/*" } },
      NULL },
    { "operation not found",
      "DELETE",
      "h",
      "/openai/nothing",
      "1.1.1.1",
      { { "api-key", "key-1" } },
      NULL },
    { "missing key", "GET", "h", "/openai/models", "1.1.1.1", { { "X-A", "b" } }, NULL },
    { "a key that is not UTF-8 before a good one",
      "GET",
      "h",
      "/openai/models",
      "1.1.1.1",
      { { "api-key", "\xff" }, { "X-\xc3", "v" }, { "API-KEY", "key-1" }, { "x-a", "b" } },
      NULL },
    { "invalid key", "GET", "h", "/openai/models", "1.1.1.1", { { "api-key", "nope" } }, NULL },
    { "no API", "GET", "h", "/elsewhere/x?y", "1.1.1.1", { { 0 } }, NULL },
    { "open API", "PUT", "H.Example.COM", "/open/a/b/?q=1#frag", "1.1.1.1", { { 0 } }, "x" },
};

static void test_same_context(void **state)
{
    (void)state;
    diag_list d;
    diag_list_init(&d);
    int io = 0;
    rt_gw *g = rt_gw_load(config_path, NULL, &d, &io);
    diag_print(&d, stderr);
    diag_list_release(&d);
    assert_non_null(g);
    rt_vclock *vc = rt_vclock_new(1767225600000);
    rt_world w = { .clock = rt_vclock_clock(vc) };
    rt_gw_bind(g, &w);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        compare(g, &w, &cases[i]);
    rt_gw_free(g);
    rt_vclock_free(vc);
}

/* The empty context: rt_ctx_from_json(NULL) sets the defaults directly, {} goes through the
 * JSON readers; both must give the same values. */
static void test_default_context(void **state)
{
    (void)state;
    rt_vclock *vc = rt_vclock_new(1767225600000);
    rt_world w = { .clock = rt_vclock_clock(vc) };
    char err[256] = "";
    json_t *empty = json_object();
    rt_req *a = rt_req_new(&w, NULL, NULL, err, sizeof err);
    rt_req *b = rt_req_new(&w, NULL, empty, err, sizeof err);
    json_decref(empty);
    assert_non_null(a);
    assert_non_null(b);
    assert_memory_equal(a->ctx->request_id, b->ctx->request_id, 16);
    assert_int_equal(a->ctx->prng, b->ctx->prng);
    char **va = eval_all(a), **vb = eval_all(b);
    for (size_t i = 0; i < NEXPRS; i++) {
        if (strcmp(va[i], vb[i]))
            fail_msg("%s: NULL %s, {} %s", exprs[i], va[i], vb[i]);
        free(va[i]);
        free(vb[i]);
    }
    free(va);
    free(vb);
    rt_req_free(a);
    rt_req_free(b);
    rt_vclock_free(vc);
}

/* The request log line (formatted by hand): valid JSON, escaped strings, secrets redacted in
 * Url and BackendUrl, the model and the usage read from the bodies. */
static void test_reqlog_line(void **state)
{
    (void)state;
    diag_list d;
    diag_list_init(&d);
    int io = 0;
    rt_gw *g = rt_gw_load(config_path, NULL, &d, &io);
    diag_list_release(&d);
    assert_non_null(g);
    rt_vclock *vc = rt_vclock_new(1767225600123);
    rt_world w = { .clock = rt_vclock_clock(vc) };
    rt_gw_bind(g, &w);
    rt_hdr h[] = { { STR_LIT("X-Quote"), STR_LIT("a\"b") } };
    rt_gw_in in = { .method = STR_LIT("get"),
                    .scheme = STR_LIT("http"),
                    .host = STR_LIT("gw"),
                    .target = STR_LIT("/openai/models?x=1&api-key=key-all&sig=s"),
                    .ip = STR_LIT("10.0.0.1"),
                    .headers = h,
                    .nheaders = 1,
                    .body = STR_LIT("{\"model\":\"m\\\"1\\u00e9\",\"messages\":[]}") };
    char err[256];
    rt_req *r = rt_gw_new_request_in(g, &w, &in, err, sizeof err);
    assert_non_null(r);
    r->ctx->response.body = rt_body_new(
        r, STR_LIT("{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\n"), STR_NULL);
    r->end_ms = r->start_ms + 7;
    rt_reqlog_info info = { .backend_ms = 5,
                            .ip = "10.0.0.1",
                            .backend_url = STR_LIT("http://b/openai/models?x=1&api-key=key-all"),
                            .backend_id = STR_LIT("b\n1") };
    json_t *line = rt_reqlog_line(r, &info);
    char *text = json_dumps(line, JSON_COMPACT);
    if (getenv("WORLD_IN_VERBOSE"))
        printf("%s\n", text);
    assert_string_equal(json_string_value(json_object_get(line, "Url")),
                        "http://gw/openai/models?x=1&api-key=***&sig=***");
    assert_string_equal(json_string_value(json_object_get(line, "BackendUrl")),
                        "http://b/openai/models?x=1&api-key=***");
    assert_string_equal(json_string_value(json_object_get(line, "BackendId")), "b\n1");
    assert_string_equal(json_string_value(json_object_get(line, "Model")), "m\"1\xc3\xa9");
    assert_string_equal(json_string_value(json_object_get(line, "Method")), "GET");
    assert_string_equal(json_string_value(json_object_get(line, "TimeGenerated")),
                        "2026-01-01T00:00:00.123Z");
    assert_int_equal(json_integer_value(json_object_get(line, "PromptTokens")), 3);
    assert_int_equal(json_integer_value(json_object_get(line, "TotalTokens")), 7);
    assert_int_equal(json_integer_value(json_object_get(line, "TotalTime")), 7);
    assert_true(json_is_null(json_object_get(line, "BackendResponseCode")));
    assert_string_equal(json_string_value(json_object_get(line, "SubscriptionId")), "all");
    assert_null(strstr(text, "key-all"));
    free(text);
    json_decref(line);
    rt_req_free(r);
    rt_gw_free(g);
    rt_vclock_free(vc);
}

int main(int argc, char **argv)
{
    config_path = argc > 1 ? argv[1] : "tests/runtime/world_in/gateway.yaml";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_context),
        cmocka_unit_test(test_default_context),
        cmocka_unit_test(test_reqlog_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
