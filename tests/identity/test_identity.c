/* The managed identity token provider (runtime/identity.c) over the scripted transport and the
 * virtual clock: request shapes of IMDS, App Service and workload identity, caching and refresh,
 * coalescing, errors. Nothing here reaches the network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "runtime/identity.h"
#include "runtime/req.h"

static int tap_n, tap_failed, tap_case_failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("#   %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);                    \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            tap_case_failed = 1;                                                                   \
        }                                                                                          \
    } while (0)

static void tap_run(const char *name, void (*fn)(void))
{
    tap_case_failed = 0;
    fn();
    tap_n++;
    if (tap_case_failed)
        tap_failed++;
    printf("%s %d - %s\n", tap_case_failed ? "not ok" : "ok", tap_n, name);
    fflush(stdout);
}

#define T0 1700000000000LL /* virtual start time, ms */

/* One test's world: a virtual clock, a scripted transport, an arena, a provider. */
typedef struct fixture {
    rt_vclock *vc;
    rt_script *s;
    arena a;
    rt_idp *p;
} fixture;

static void fx_init(fixture *fx, const rt_idp_opts *o)
{
    fx->vc = rt_vclock_new(T0);
    fx->s = rt_script_new(rt_vclock_clock(fx->vc));
    arena_init(&fx->a, 0);
    fx->p = rt_idp_new(rt_script_transport(fx->s), rt_vclock_clock(fx->vc), o);
}

static void fx_free(fixture *fx)
{
    rt_idp_free(fx->p);
    rt_script_free(fx->s);
    rt_vclock_free(fx->vc);
    arena_release(&fx->a);
}

/* Scripts answers (JSON text) for a URL prefix. */
static void script(fixture *fx, const char *key, const char *answers)
{
    json_error_t je;
    json_t *j = json_loads(answers, 0, &je);
    char err[256];
    if (!j || rt_script_add(fx->s, key, j, err, sizeof err) < 0) {
        printf("# bad script %s\n", answers);
        tap_case_failed = 1;
    }
    json_decref(j);
}

/* A completion record. */
typedef struct got {
    int calls;
    char token[256], error[1024];
} got;

static void on_done(void *ud, const char *token, const char *error)
{
    got *g = ud;
    g->calls++;
    snprintf(g->token, sizeof g->token, "%s", token ? token : "");
    snprintf(g->error, sizeof g->error, "%s", error ? error : "");
    if ((token == NULL) == (error == NULL))
        snprintf(g->error, sizeof g->error, "BAD: token and error both %s", token ? "set" : "NULL");
}

static void run(fixture *fx)
{
    while (rt_vclock_step(fx->vc)) {
    }
}

/* Starts a get that must go to the network (returns 0). */
static void get_async(fixture *fx, const char *resource, const char *client_id, got *g)
{
    str token = STR_NULL, error = STR_NULL;
    int rc = rt_idp_get(fx->p, &fx->a, str_from(resource), str_from(client_id), &token, &error,
                        on_done, g, NULL);
    CHECK(rc == 0, "rc %d error %.*s", rc, STR_FMT(error));
}

static const json_t *call_n(fixture *fx, size_t i)
{
    return json_array_get(rt_script_calls(fx->s), i);
}

static const char *call_str(fixture *fx, size_t i, const char *k)
{
    const char *v = json_string_value(json_object_get(call_n(fx, i), k));
    return v ? v : "(none)";
}

static const char *call_hdr(fixture *fx, size_t i, const char *name)
{
    const char *v =
        json_string_value(json_object_get(json_object_get(call_n(fx, i), "headers"), name));
    return v ? v : "(none)";
}

#define OK_ANSWER(tok, extra)                                                                      \
    "{\"status\": 200, \"body\": {\"access_token\": \"" tok "\", \"token_type\": \"Bearer\"" extra \
    "}}"

/* ---- request shapes ---- */

static void test_imds_shape(void)
{
    fixture fx;
    fx_init(&fx, &(rt_idp_opts){ .source = RT_IDP_IMDS });
    CHECK(rt_idp_source_of(fx.p) == RT_IDP_IMDS, "source");
    /* the scripted transport answers in-process: nothing reaches 169.254.169.254 */
    script(&fx, "http://169.254.169.254/",
           "[" OK_ANSWER("tok-imds", ", \"expires_in\": \"3599\"") "]");
    got g = { 0 };
    get_async(&fx, "https://management.azure.com/", "11111111-aaaa", &g);
    CHECK(g.calls == 0, "called from inside get");
    run(&fx);
    CHECK(g.calls == 1 && !strcmp(g.token, "tok-imds"), "calls %d token %s error %s", g.calls,
          g.token, g.error);
    CHECK(json_array_size(rt_script_calls(fx.s)) == 1, "one call");
    CHECK(!strcmp(call_str(&fx, 0, "method"), "GET"), "%s", call_str(&fx, 0, "method"));
    CHECK(!strcmp(call_str(&fx, 0, "url"),
                  "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
                  "&resource=https%3A%2F%2Fmanagement.azure.com%2F&client_id=11111111-aaaa"),
          "%s", call_str(&fx, 0, "url"));
    CHECK(!strcmp(call_hdr(&fx, 0, "metadata"), "true"), "%s", call_hdr(&fx, 0, "metadata"));
    CHECK(!json_object_get(json_object_get(call_n(&fx, 0), "headers"), "x-identity-header"),
          "no app service header");
    /* system-assigned: no client_id parameter; override endpoint */
    rt_idp *p2 =
        rt_idp_new(rt_script_transport(fx.s), rt_vclock_clock(fx.vc),
                   &(rt_idp_opts){ .source = RT_IDP_IMDS, .endpoint = "http://127.0.0.1:9/t?x=1" });
    script(&fx, "http://127.0.0.1:9/", "[" OK_ANSWER("tok2", ", \"expires_in\": 60") "]");
    str token, error;
    got g2 = { 0 };
    CHECK(rt_idp_get(p2, &fx.a, STR_LIT(" https://vault.azure.net "), STR_LIT(""), &token, &error,
                     on_done, &g2, NULL) == 0,
          "pending");
    run(&fx);
    CHECK(!strcmp(g2.token, "tok2"), "%s %s", g2.token, g2.error);
    CHECK(!strcmp(call_str(&fx, 1, "url"),
                  "http://127.0.0.1:9/"
                  "t?x=1&api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net"),
          "%s", call_str(&fx, 1, "url"));
    rt_idp_free(p2);
    fx_free(&fx);
}

static void test_appservice_shape(void)
{
    fixture fx;
    fx_init(&fx, &(rt_idp_opts){ .source = RT_IDP_APPSERVICE,
                                 .identity_endpoint = "http://127.0.0.1:41234/msi/token",
                                 .identity_header = "hdr-secret-1" });
    CHECK(rt_idp_source_of(fx.p) == RT_IDP_APPSERVICE, "source");
    script(&fx, "http://127.0.0.1:41234/msi/token",
           "[" OK_ANSWER("tok-app",
                         ", \"expires_on\": \"1700003600\", \"resource\": \"api://x\"") "]");
    got g = { 0 };
    get_async(&fx, "api://backend-app", "user-mi-2", &g);
    run(&fx);
    CHECK(g.calls == 1 && !strcmp(g.token, "tok-app"), "%s %s", g.token, g.error);
    CHECK(!strcmp(call_str(&fx, 0, "method"), "GET"), "method");
    CHECK(!strcmp(call_str(&fx, 0, "url"),
                  "http://127.0.0.1:41234/msi/token?resource=api%3A%2F%2Fbackend-app"
                  "&api-version=2019-08-01&client_id=user-mi-2"),
          "%s", call_str(&fx, 0, "url"));
    CHECK(!strcmp(call_hdr(&fx, 0, "x-identity-header"), "hdr-secret-1"), "%s",
          call_hdr(&fx, 0, "x-identity-header"));
    CHECK(!json_object_get(json_object_get(call_n(&fx, 0), "headers"), "metadata"), "no Metadata");
    fx_free(&fx);
    /* missing header: a clear synchronous error */
    fx_init(&fx, &(rt_idp_opts){ .source = RT_IDP_APPSERVICE,
                                 .identity_endpoint = "http://127.0.0.1:1/",
                                 .identity_header = "" });
    str token, error;
    got g2 = { 0 };
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("r"), STR_LIT(""), &token, &error, on_done, &g2, NULL) ==
              -1,
          "no header");
    CHECK(error.ptr && strstr(error.ptr, "IDENTITY_HEADER"), "%.*s", STR_FMT(error));
    fx_free(&fx);
}

static char tmpdir[256];

static char *write_token_file(const char *content)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/azure-identity-token", tmpdir);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fputs(content, f);
    fclose(f);
    return path;
}

static void test_workload_shape(void)
{
    const char *path = write_token_file("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2ln\n");
    CHECK(path, "token file");
    fixture fx;
    fx_init(&fx, &(rt_idp_opts){ .federated_token_file = path,
                                 .client_id = "app-cid",
                                 .tenant_id = "tenant-42",
                                 .identity_endpoint = "",
                                 .authority_host = "http://127.0.0.1:9/login/" });
    CHECK(rt_idp_source_of(fx.p) == RT_IDP_WORKLOAD, "auto -> workload: %s",
          rt_idp_source_name(rt_idp_source_of(fx.p)));
    script(
        &fx, "http://127.0.0.1:9/login/",
        "[" OK_ANSWER("tok-wi", ", \"expires_in\": 3599, \"ext_expires_in\": 3599") "," OK_ANSWER(
            "tok-wi2", ", \"expires_in\": 3599") "]");
    got g = { 0 };
    get_async(&fx, "https://cognitiveservices.azure.com", "", &g);
    run(&fx);
    CHECK(!strcmp(g.token, "tok-wi"), "%s %s", g.token, g.error);
    CHECK(!strcmp(call_str(&fx, 0, "method"), "POST"), "method");
    CHECK(!strcmp(call_str(&fx, 0, "url"), "http://127.0.0.1:9/login/tenant-42/oauth2/v2.0/token"),
          "%s", call_str(&fx, 0, "url"));
    CHECK(!strcmp(call_hdr(&fx, 0, "content-type"), "application/x-www-form-urlencoded"), "%s",
          call_hdr(&fx, 0, "content-type"));
    CHECK(!strcmp(call_str(&fx, 0, "body"),
                  "client_id=app-cid&scope=https%3A%2F%2Fcognitiveservices.azure.com%2F.default"
                  "&grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth"
                  "%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJSUzI1NiJ9."
                  "eyJzdWIiOiJzeXN0ZW0ifQ.c2ln"),
          "%s", call_str(&fx, 0, "body"));
    /* the file is read again at each fetch (rotation); a trailing '/' resource keeps one '/';
     * an explicit client id wins over AZURE_CLIENT_ID */
    write_token_file("rotated.jwt");
    got g2 = { 0 };
    get_async(&fx, "https://management.azure.com/", "other-cid", &g2);
    run(&fx);
    CHECK(!strcmp(g2.token, "tok-wi2"), "%s %s", g2.token, g2.error);
    CHECK(!strcmp(call_str(&fx, 1, "body"),
                  "client_id=other-cid&scope=https%3A%2F%2Fmanagement.azure.com%2F.default"
                  "&grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth"
                  "%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=rotated.jwt"),
          "%s", call_str(&fx, 1, "body"));
    /* unreadable token file: synchronous error, no call */
    unlink(path);
    str token, error;
    got g3 = { 0 };
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("https://x"), STR_LIT(""), &token, &error, on_done, &g3,
                     NULL) == -1,
          "no file");
    CHECK(error.ptr && strstr(error.ptr, "AZURE_FEDERATED_TOKEN_FILE"), "%.*s", STR_FMT(error));
    CHECK(json_array_size(rt_script_calls(fx.s)) == 2 && g3.calls == 0, "no call");
    fx_free(&fx);
}

/* ---- cache ---- */

static void test_cache_refresh(void)
{
    fixture fx;
    fx_init(&fx, &(rt_idp_opts){ .source = RT_IDP_IMDS, .endpoint = "http://127.0.0.1:9/imds" });
    script(&fx, "http://127.0.0.1:9/imds",
           "[" OK_ANSWER("tok-1", ", \"expires_in\": \"3600\"") "," OK_ANSWER(
               "tok-2", ", \"expires_on\": 1700010000") "]");
    got g = { 0 };
    get_async(&fx, "https://r", "", &g);
    run(&fx);
    CHECK(!strcmp(g.token, "tok-1"), "%s", g.token);
    str token = STR_NULL, error = STR_NULL;
    got g2 = { 0 };
    /* fresh: answered at once, no callback, no fetch */
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("https://r"), STR_LIT(""), &token, &error, on_done, &g2,
                     NULL) == 1,
          "cached");
    CHECK(str_eq(token, STR_LIT("tok-1")), "%.*s", STR_FMT(token));
    rt_vclock_advance(fx.vc, 54 * 60 * 1000); /* 54 min: still before expiry - 5 min */
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("https://r"), STR_LIT(""), &token, &error, on_done, &g2,
                     NULL) == 1,
          "still cached");
    CHECK(rt_idp_fetches(fx.p) == 1, "fetches %llu", (unsigned long long)rt_idp_fetches(fx.p));
    /* the synchronous interface sees the cached token too */
    rt_identity *id = rt_idp_identity(fx.p);
    CHECK(rt_idp_of(id) == fx.p, "rt_idp_of");
    CHECK(id->get_token(id, &fx.a, STR_LIT("https://r"), STR_LIT(""), &token, &error) == 0 &&
              str_eq(token, STR_LIT("tok-1")),
          "sync");
    rt_vclock_advance(fx.vc, 61 * 1000); /* 55 min 1 s: due for a refresh, still good */
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("https://r"), STR_LIT(""), &token, &error, on_done, &g2,
                     NULL) == 1 &&
              str_eq(token, STR_LIT("tok-1")),
          "served from the cache while the refresh runs in the background");
    CHECK(rt_idp_fetches(fx.p) == 2, "one background fetch, started at once");
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("https://r"), STR_LIT(""), &token, &error, on_done, &g2,
                     NULL) == 1 &&
              rt_idp_fetches(fx.p) == 2,
          "no second fetch while one runs");
    run(&fx);
    CHECK(g2.calls == 0, "nobody waited: %d", g2.calls);
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("https://r"), STR_LIT(""), &token, &error, on_done, &g2,
                     NULL) == 1 &&
              str_eq(token, STR_LIT("tok-2")),
          "refreshed: %.*s", STR_FMT(token));
    /* expires_on 1700010000 s: refreshed from 1700009700 s, used until 1700009940 s */
    int64_t now = rt_clock_now(rt_vclock_clock(fx.vc));
    rt_vclock_advance(fx.vc, 1700009700000LL - now - 1000);
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("https://r"), STR_LIT(""), &token, &error, on_done, &g2,
                     NULL) == 1 &&
              str_eq(token, STR_LIT("tok-2")) && rt_idp_fetches(fx.p) == 2,
          "cached until expires_on - 5 min");
    rt_vclock_advance(fx.vc, 1000);
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("https://r"), STR_LIT(""), &token, &error, on_done, &g2,
                     NULL) == 1 &&
              str_eq(token, STR_LIT("tok-2")) && rt_idp_fetches(fx.p) == 3,
          "due: background fetch");
    run(&fx); /* no answer left: the background refresh fails */
    rt_vclock_advance(fx.vc, 5000);
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("https://r"), STR_LIT(""), &token, &error, on_done, &g2,
                     NULL) == 1 &&
              str_eq(token, STR_LIT("tok-2")) && rt_idp_fetches(fx.p) == 3,
          "a failed refresh: the token is still served, no retry within 10 s");
    rt_vclock_advance(fx.vc, 6000);
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("https://r"), STR_LIT(""), &token, &error, on_done, &g2,
                     NULL) == 1 &&
              rt_idp_fetches(fx.p) == 4,
          "retried after 10 s");
    run(&fx);
    now = rt_clock_now(rt_vclock_clock(fx.vc));
    rt_vclock_advance(fx.vc, 1700009940000LL - now);
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("https://r"), STR_LIT(""), &token, &error, on_done, &g2,
                     NULL) == 0,
          "a minute before expiry: requests wait for a fetch");
    run(&fx); /* no answer left: a clear error */
    CHECK(g2.calls == 1 && strstr(g2.error, "cannot reach"), "%d %s", g2.calls, g2.error);
    /* the other key (client id) is a separate entry */
    script(&fx, "http://127.0.0.1:9/imds", "[" OK_ANSWER("tok-c", ", \"expires_in\": 3600") "]");
    got g3 = { 0 };
    get_async(&fx, "https://r", "cid", &g3);
    run(&fx);
    CHECK(!strcmp(g3.token, "tok-c"), "%s %s", g3.token, g3.error);
    fx_free(&fx);
}

static void test_coalescing(void)
{
    fixture fx;
    fx_init(&fx, &(rt_idp_opts){ .source = RT_IDP_IMDS, .endpoint = "http://127.0.0.1:9/imds" });
    script(&fx, "http://127.0.0.1:9/imds",
           "[{\"delay\": \"200ms\", \"status\": 200, \"body\": {\"access_token\": \"shared\", "
           "\"expires_in\": 3600}}," OK_ANSWER("other", ", \"expires_in\": 3600") "]");
    got g[4] = { 0 };
    rt_idp_wait *w1 = NULL;
    get_async(&fx, "https://r", "", &g[0]);
    str token, error;
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("https://r"), STR_LIT(""), &token, &error, on_done, &g[1],
                     &w1) == 0 &&
              w1,
          "second waits");
    get_async(&fx, "https://r", "", &g[2]);
    get_async(&fx, "https://r", "uami", &g[3]); /* another key: its own fetch */
    CHECK(rt_idp_fetches(fx.p) == 2, "fetches %llu", (unsigned long long)rt_idp_fetches(fx.p));
    rt_idp_cancel(fx.p, w1);
    run(&fx);
    CHECK(g[0].calls == 1 && !strcmp(g[0].token, "shared"), "%s", g[0].token);
    CHECK(g[1].calls == 0, "cancelled waiter called");
    CHECK(g[2].calls == 1 && !strcmp(g[2].token, "shared"), "%s", g[2].token);
    CHECK(g[3].calls == 1 && !strcmp(g[3].token, "other"), "%s", g[3].token);
    CHECK(json_array_size(rt_script_calls(fx.s)) == 2, "calls");
    /* the synchronous interface on a miss starts one fetch, then reports it */
    script(&fx, "http://127.0.0.1:9/imds", "[" OK_ANSWER("later", ", \"expires_in\": 3600") "]");
    rt_identity *id = rt_idp_identity(fx.p);
    CHECK(id->get_token(id, &fx.a, STR_LIT("https://s"), STR_LIT(""), &token, &error) == -1 &&
              strstr(error.ptr, "being fetched"),
          "sync miss");
    CHECK(id->get_token(id, &fx.a, STR_LIT("https://s"), STR_LIT(""), &token, &error) == -1,
          "again");
    CHECK(rt_idp_fetches(fx.p) == 3, "one fetch for both");
    run(&fx);
    CHECK(id->get_token(id, &fx.a, STR_LIT("https://s"), STR_LIT(""), &token, &error) == 0 &&
              str_eq(token, STR_LIT("later")),
          "sync hit");
    /* freeing with a fetch in flight: waiters are dropped, nothing leaks */
    script(&fx, "http://127.0.0.1:9/imds", "[" OK_ANSWER("never", ", \"expires_in\": 3600") "]");
    got g5 = { 0 };
    get_async(&fx, "https://t", "", &g5);
    rt_idp_free(fx.p);
    fx.p = NULL;
    run(&fx);
    CHECK(g5.calls == 0, "called after free");
    fx_free(&fx);
}

/* ---- errors ---- */

static void expect_error(const char *answer, const char *needle1, const char *needle2)
{
    fixture fx;
    fx_init(&fx, &(rt_idp_opts){ .source = RT_IDP_IMDS,
                                 .endpoint = "http://127.0.0.1:9/imds",
                                 .timeout_ms = 5000 });
    char ans[1024];
    snprintf(ans, sizeof ans, "[%s, %s]", answer, OK_ANSWER("after", ", \"expires_in\": 3600"));
    script(&fx, "http://127.0.0.1:9/imds", ans);
    got g = { 0 };
    get_async(&fx, "https://r", "", &g);
    run(&fx);
    CHECK(g.calls == 1 && !g.token[0] && strstr(g.error, needle1) &&
              (!needle2 || strstr(g.error, needle2)),
          "answer %s -> token '%s' error '%s'", answer, g.token, g.error);
    /* failures are not cached: the next get fetches again */
    got g2 = { 0 };
    get_async(&fx, "https://r", "", &g2);
    run(&fx);
    CHECK(!strcmp(g2.token, "after"), "retry: %s %s", g2.token, g2.error);
    fx_free(&fx);
}

static void test_errors(void)
{
    expect_error(
        "{\"status\": 400, \"body\": {\"error\": \"invalid_resource\", \"error_description\": "
        "\"AADSTS500011: resource not found\"}}",
        "answered HTTP 400: invalid_resource: AADSTS500011", NULL);
    expect_error("{\"status\": 500, \"body\": \"upstream exploded\"}", "HTTP 500",
                 "upstream exploded");
    expect_error("{\"status\": 404, \"body\": {\"statusCode\": 404, \"message\": \"No identity\"}}",
                 "HTTP 404: No identity", NULL);
    expect_error("{\"status\": 200, \"body\": \"{not json\"}", "malformed token response",
                 "not JSON");
    expect_error("{\"status\": 200, \"body\": [1, 2]}", "malformed", "not a JSON object");
    expect_error("{\"status\": 200, \"body\": {\"token_type\": \"Bearer\", \"expires_in\": 3600}}",
                 "malformed", "no access_token");
    expect_error("{\"status\": 200, \"body\": {\"access_token\": \"a\\r\\nX-Evil: 1\", "
                 "\"expires_in\": 3600}}",
                 "malformed", "not a token");
    expect_error("{\"status\": 200, \"body\": {\"access_token\": \"abc\"}}", "malformed",
                 "neither expires_on nor expires_in");
    expect_error(
        "{\"status\": 200, \"body\": {\"access_token\": \"abc\", \"expires_in\": \"soon\"}}",
        "malformed", "expires");
    expect_error("{\"error\": \"connect\"}", "cannot reach the imds token endpoint", "127.0.0.1:9");
    expect_error("{\"error\": \"timeout\"}", "did not answer within 5000 ms", NULL);
    /* empty resource */
    fixture fx;
    fx_init(&fx, &(rt_idp_opts){ .source = RT_IDP_IMDS, .endpoint = "http://127.0.0.1:9/imds" });
    str token, error;
    got g = { 0 };
    CHECK(rt_idp_get(fx.p, &fx.a, STR_LIT("  "), STR_LIT(""), &token, &error, on_done, &g, NULL) ==
                  -1 &&
              strstr(error.ptr, "empty"),
          "empty resource");
    fx_free(&fx);
}

/* ---- detection from the environment ---- */

static void clear_env(void)
{
    const char *names[] = {
        "IDENTITY_ENDPOINT",         "IDENTITY_HEADER", "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_CLIENT_ID",           "AZURE_TENANT_ID", "AZURE_AUTHORITY_HOST",
        "APIMLITE_IDENTITY_ENDPOINT"
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        unsetenv(names[i]);
}

static void test_env_detection(void)
{
    clear_env();
    fixture fx;
    fx_init(&fx, NULL);
    CHECK(rt_idp_source_of(fx.p) == RT_IDP_IMDS, "none -> imds");
    fx_free(&fx);
    setenv("AZURE_FEDERATED_TOKEN_FILE", "/nonexistent", 1);
    setenv("AZURE_CLIENT_ID", "c", 1);
    setenv("AZURE_TENANT_ID", "t", 1);
    fx_init(&fx, NULL);
    CHECK(rt_idp_source_of(fx.p) == RT_IDP_WORKLOAD, "workload");
    fx_free(&fx);
    setenv("IDENTITY_ENDPOINT", "http://127.0.0.1:7/msi", 1);
    setenv("IDENTITY_HEADER", "h", 1);
    fx_init(&fx, NULL);
    CHECK(rt_idp_source_of(fx.p) == RT_IDP_APPSERVICE, "app service wins");
    fx_free(&fx);
    clear_env();
    setenv("APIMLITE_IDENTITY_ENDPOINT", "http://127.0.0.1:8/fake-imds", 1);
    fx_init(&fx, NULL);
    script(&fx, "http://127.0.0.1:8/", "[" OK_ANSWER("env-tok", ", \"expires_in\": 3600") "]");
    got g = { 0 };
    get_async(&fx, "https://r", "", &g);
    run(&fx);
    CHECK(!strcmp(g.token, "env-tok"), "%s %s", g.token, g.error);
    CHECK(!strncmp(call_str(&fx, 0, "url"), "http://127.0.0.1:8/fake-imds?api-version=2018-02-01",
                   50),
          "%s", call_str(&fx, 0, "url"));
    fx_free(&fx);
    clear_env();
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/apimlite-identity-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        printf("Bail out! mkdtemp\n");
        return 1;
    }
    clear_env();
    tap_run("IMDS request shape", test_imds_shape);
    tap_run("App Service request shape", test_appservice_shape);
    tap_run("workload identity request shape", test_workload_shape);
    tap_run("cache and refresh before expiry", test_cache_refresh);
    tap_run("coalescing, cancel, synchronous interface", test_coalescing);
    tap_run("errors", test_errors);
    tap_run("detection from the environment", test_env_detection);
    char path[300];
    snprintf(path, sizeof path, "%s/azure-identity-token", tmpdir);
    unlink(path);
    rmdir(tmpdir);
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}
