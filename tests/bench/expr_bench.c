/* Benchmark helper (not a test): policy expression evaluations per second, in process.
 * Each expression of a fixed set (typical of AI-gateway policies) is compiled once, then
 * evaluated against a context built from CTX.json the way `apimlite eval` builds it; values
 * live in a request arena released every BATCH evaluations (as the gateway releases its
 * request arena per request). Reports evaluations/s per expression and for the whole mix.
 * usage: bench_expr [SECONDS_PER_EXPRESSION (0.5)] */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/ctx.h"
#include "runtime/exprlibs.h"

#define BATCH 1000

static const char *const exprs[] = {
    "@(context.Request.Headers.GetValueOrDefault(\"api-key\", \"\"))",
    "@(context.Response.StatusCode == 429 || context.Response.StatusCode >= 500)",
    "@(context.Subscription.Id)",
    "@(context.Request.IpAddress)",
    "@(\"Bearer \" + (string)context.Variables[\"managed-id-access-token\"])",
    "@(context.Request.Url.Path.Split('/').Last())",
    "@(context.Request.Body.As<JObject>(preserveContent: true)[\"model\"]?.ToString() ?? \"none\")",
    ("@{ var n = 0; foreach (var h in context.Request.Headers) { n += h.Value.Length; } "
     "return n; }"),
    "@(DateTime.UtcNow.AddMinutes(5).ToString(\"o\"))",
    "@(string.Join(\",\", new[] {\"a\", \"b\", context.Request.Method}).ToUpper())",
};

static const char ctx_text[] =
    "{\"request\": {\"method\": \"POST\", \"ip\": \"10.1.2.3\","
    " \"url\": \"https://gw.example.com/openai/deployments/gpt-4o/chat/completions"
    "?api-version=2024-10-21\","
    " \"headers\": {\"api-key\": \"team-a-key\", \"Content-Type\": \"application/json\","
    " \"User-Agent\": \"openai-node/4.0\"},"
    " \"body\": \"{\\\"model\\\":\\\"gpt-4o\\\",\\\"messages\\\":[{\\\"role\\\":\\\"user\\\","
    "\\\"content\\\":\\\"Hello there, how are you today?\\\"}],\\\"max_tokens\\\":64}\"},"
    " \"response\": {\"status\": 429},"
    " \"variables\": {\"managed-id-access-token\": \"eyJ0eXAiOiJKV1QiLCJhbGciOi\"},"
    " \"subscription\": {\"id\": \"team-a-dev\", \"name\": \"team-a-dev\", \"key\": \"k\"}}";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Evaluates e for about secs seconds; returns evaluations per second, or -1 on an error. */
static double run_one(const expr *e, const json_t *ctxj, double secs)
{
    long n = 0;
    double t0 = now_s(), t = t0;
    while (t - t0 < secs) {
        arena a;
        arena_init(&a, 0);
        char err[256];
        rt_ctx *c = rt_ctx_from_json(&a, ctxj, err, sizeof err);
        if (!c) {
            fprintf(stderr, "bench_expr: bad context: %s\n", err);
            arena_release(&a);
            return -1;
        }
        /* one request arena per BATCH evaluations: a fresh env each time, as a request does */
        for (int i = 0; i < BATCH; i++) {
            expr_env env;
            memset(&env, 0, sizeof env);
            rt_ctx_env(c, &env, &a);
            xv v;
            if (expr_eval(&env, e, &v) < 0) {
                fprintf(stderr, "bench_expr: %s: %s\n", env.err.type ? env.err.type : "error",
                        env.err.message ? env.err.message : "");
                arena_release(&a);
                return -1;
            }
        }
        arena_release(&a);
        n += BATCH;
        t = now_s();
    }
    return (double)n / (t - t0);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 0.5;
    if (secs <= 0)
        secs = 0.5;
    if (rt_expr_libs_init() < 0)
        return 1;
    json_error_t jerr;
    json_t *ctxj = json_loads(ctx_text, 0, &jerr);
    if (!ctxj) {
        fprintf(stderr, "bench_expr: context: %s\n", jerr.text);
        return 1;
    }
    arena cfg;
    arena_init(&cfg, 0);
    size_t n = sizeof exprs / sizeof exprs[0];
    double inv_sum = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        diag_list d;
        diag_list_init(&d);
        const expr *e = expr_compile(&cfg, exprs[i], strlen(exprs[i]), NULL, &d);
        if (!e || diag_has_errors(&d)) {
            diag_print(&d, stderr);
            diag_list_release(&d);
            rc = 1;
            continue;
        }
        diag_list_release(&d);
        double r = run_one(e, ctxj, secs);
        if (r < 0) {
            rc = 1;
            continue;
        }
        inv_sum += 1.0 / r;
        printf("%12.0f evals/s  %s\n", r, exprs[i]);
    }
    if (inv_sum > 0)
        printf("expr: mix of %zu expressions: %.0f evaluations/s (one thread; harmonic mean)\n", n,
               (double)n / inv_sum);
    arena_release(&cfg);
    json_decref(ctxj);
    return rc;
}
