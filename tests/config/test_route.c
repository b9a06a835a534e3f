/* Routing: API and operation matching, MatchedParameters, subscription keys and product
 * context, scope documents, backend URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cfg_test_util.h"
#include "runtime/route.h"

static const char route_yaml[] =
    "policy: global.xml\n"
    "apis:\n"
    "  aoai:\n"
    "    path: openai\n"
    "    subscriptionKeyParameterNames: { header: api-key, query: api-key }\n"
    "    policy: aoai.xml\n"
    "    operations:\n"
    "      chat: { method: POST, urlTemplate: \"/deployments/{deployment-id}/chat/completions"
    "?api-version={api-version}\", policy: chat.xml }\n"
    "      models: { method: GET, urlTemplate: /deployments/models/list }\n"
    "      dep: { method: GET, urlTemplate: \"/deployments/{id}/list\" }\n"
    "      file: { method: GET, urlTemplate: \"/files/{name}.json\" }\n"
    "      file-any: { method: GET, urlTemplate: \"/files/{name}\" }\n"
    "      comp: { method: GET, urlTemplate: \"/blob?comp=list\" }\n"
    "      rest: { method: \"*\", urlTemplate: \"/files/*\" }\n"
    "      root: { method: GET, urlTemplate: / }\n"
    "  aoai-v2:\n"
    "    path: openai/v2\n"
    "  open-api:\n"
    "    path: public\n"
    "    subscriptionRequired: false\n"
    "  in-open-product:\n"
    "    path: free\n"
    "  other:\n"
    "    path: other\n"
    "products:\n"
    "  team-a: { apis: [aoai, other], policy: team-a.xml }\n"
    "  freebie: { apis: [in-open-product], subscriptionRequired: false, "
    "policy: free.xml }\n"
    "  closed: { apis: [open-api], policy: closed.xml }\n"
    "subscriptions:\n"
    "  team-a-dev: { scope: /products/team-a, primaryKey: ka1, secondaryKey: ka2 }\n"
    "  api-only: { scope: /apis/aoai, primaryKey: kapi }\n"
    "  all-apis: { scope: /apis, primaryKey: kall }\n"
    "  service: { scope: /, primaryKey: ksvc }\n"
    "  suspended: { scope: /apis/aoai, primaryKey: ksusp, state: suspended }\n"
    "  other-only: { scope: /apis/other, primaryKey: kother }\n"
    "  closed-sub: { scope: /products/closed, primaryKey: kclosed }\n";

typedef struct hdrs {
    const char *name, *value;
} hdrs;

static bool get_header(void *ud, str name, str *value)
{
    const hdrs *h = ud;
    for (; h && h->name; h++) {
        if (str_ieq(str_from(h->name), name)) {
            *value = str_from(h->value);
            return true;
        }
    }
    return false;
}

typedef struct fix {
    rt_config c;
    arena a;
} fix;

static int setup(void **state)
{
    static fix f;
    diag_list d;
    diag_list_init(&d);
    int rc = cfg_load(&f.c, &d, route_yaml);
    if (rc != 0)
        cfg_dump(&d);
    diag_list_release(&d);
    arena_init(&f.a, 0);
    *state = &f;
    return rc;
}

static int teardown(void **state)
{
    fix *f = *state;
    rt_config_release(&f->c);
    arena_release(&f->a);
    return 0;
}

static int resolve(fix *f, const char *method, const char *path, const char *query, const hdrs *h,
                   rt_route *out)
{
    rt_route_req req = { str_from(method), str_from(path), str_from(query), get_header, (void *)h };
    return rt_route_resolve(&f->a, &f->c, &req, out);
}

static const char *param(const rt_route *r, const char *name)
{
    for (size_t i = 0; i < r->nparams; i++) {
        if (str_eq_cstr(r->params[i].name, name))
            return r->params[i].value.ptr;
    }
    return NULL;
}

static const hdrs key_a1[] = { { "api-key", "ka1" }, { NULL, NULL } };

static void test_api_prefix(void **state)
{
    fix *f = *state;
    rt_route r;
    assert_int_equal(resolve(f, "GET", "/openai/v2/anything", "", key_a1, &r), -1);
    /* aoai-v2 wins (longest prefix); it is in no product and has no subscription: invalid key */
    assert_string_equal(r.api->id.ptr, "aoai-v2");
    assert_int_equal(r.err.status, 401);
    static const hdrs svc[] = { { "Ocp-Apim-Subscription-Key", "ksvc" }, { NULL, NULL } };
    assert_int_equal(resolve(f, "GET", "/openai/v2/anything", "", svc, &r), 0);
    assert_string_equal(r.api->id.ptr, "aoai-v2");
    assert_string_equal(r.suffix.ptr, "/anything");
    assert_null(r.op);
    assert_int_equal(r.nparams, 0);
    /* segment boundary: /openaix is not under openai */
    assert_int_equal(resolve(f, "GET", "/openaix/deployments/models/list", "", key_a1, &r), -1);
    assert_null(r.api);
    assert_int_equal(r.err.status, 404);
    assert_string_equal(r.err.source, "configuration");
    assert_string_equal(r.err.reason, "OperationNotFound");
    assert_string_equal(r.err.message, "Resource not found");
    /* /openai/v2x is under openai, not openai/v2 */
    assert_int_equal(resolve(f, "GET", "/OpenAI/deployments/models/list", "", key_a1, &r), 0);
    assert_string_equal(r.api->id.ptr, "aoai");
    assert_int_equal(resolve(f, "GET", "/nothing", "", NULL, &r), -1);
    assert_int_equal(r.err.status, 404);
}

static void test_operations(void **state)
{
    fix *f = *state;
    rt_route r;
    assert_int_equal(resolve(f, "POST", "/openai/deployments/gpt-4o/chat/completions",
                             "api-version=2024-10-21&x=1", key_a1, &r),
                     0);
    assert_string_equal(r.op->id.ptr, "chat");
    assert_int_equal(r.nparams, 2);
    assert_string_equal(param(&r, "deployment-id"), "gpt-4o");
    assert_string_equal(param(&r, "api-version"), "2024-10-21");
    assert_null(param(&r, "x"));
    assert_string_equal(r.suffix.ptr, "/deployments/gpt-4o/chat/completions");
    /* template query parameters are required */
    assert_int_equal(
        resolve(f, "POST", "/openai/deployments/gpt-4o/chat/completions", "x=1", key_a1, &r), -1);
    assert_int_equal(r.err.status, 404);
    assert_string_equal(r.api->id.ptr, "aoai"); /* the API still matched */
    assert_null(r.op);
    /* wrong method */
    assert_int_equal(resolve(f, "GET", "/openai/deployments/gpt-4o/chat/completions",
                             "api-version=1", key_a1, &r),
                     -1);
    assert_int_equal(r.err.status, 404);
    /* literal beats parameter; case-insensitive literals; method case-insensitive */
    assert_int_equal(resolve(f, "get", "/openai/deployments/MODELS/list", "", key_a1, &r), 0);
    assert_string_equal(r.op->id.ptr, "models");
    assert_int_equal(resolve(f, "GET", "/openai/deployments/other/list", "", key_a1, &r), 0);
    assert_string_equal(r.op->id.ptr, "dep");
    assert_string_equal(param(&r, "id"), "other");
    /* URL decoding of parameters (%2F stays inside the segment) */
    assert_int_equal(resolve(f, "POST", "/openai/deployments/my%20dep%2Fx/chat/completions",
                             "api-version=a%2Bb+c", key_a1, &r),
                     0);
    assert_string_equal(param(&r, "deployment-id"), "my dep/x");
    assert_string_equal(param(&r, "api-version"), "a+b c");
    /* mixed segment beats whole parameter, which beats the wildcard */
    assert_int_equal(resolve(f, "GET", "/openai/files/report.json", "", key_a1, &r), 0);
    assert_string_equal(r.op->id.ptr, "file");
    assert_string_equal(param(&r, "name"), "report");
    assert_int_equal(resolve(f, "GET", "/openai/files/report.txt", "", key_a1, &r), 0);
    assert_string_equal(r.op->id.ptr, "file-any");
    assert_int_equal(resolve(f, "DELETE", "/openai/files/report.txt", "", key_a1, &r), 0);
    assert_string_equal(r.op->id.ptr, "rest");
    assert_int_equal(resolve(f, "GET", "/openai/files/a/b/c", "", key_a1, &r), 0);
    assert_string_equal(r.op->id.ptr, "rest");
    assert_int_equal(resolve(f, "PUT", "/openai/files", "", key_a1, &r), 0);
    assert_string_equal(r.op->id.ptr, "rest");
    /* ".json" alone: {name} needs at least one character */
    assert_int_equal(resolve(f, "GET", "/openai/files/.json", "", key_a1, &r), 0);
    assert_string_equal(r.op->id.ptr, "file-any");
    /* literal query values */
    assert_int_equal(resolve(f, "GET", "/openai/blob", "comp=list", key_a1, &r), 0);
    assert_string_equal(r.op->id.ptr, "comp");
    assert_int_equal(resolve(f, "GET", "/openai/blob", "comp=get", key_a1, &r), -1);
    /* the API root, with and without the trailing slash; a trailing slash elsewhere */
    assert_int_equal(resolve(f, "GET", "/openai", "", key_a1, &r), 0);
    assert_string_equal(r.op->id.ptr, "root");
    assert_string_equal(r.suffix.ptr, "");
    assert_int_equal(resolve(f, "GET", "/openai/", "", key_a1, &r), 0);
    assert_string_equal(r.op->id.ptr, "root");
    assert_int_equal(resolve(f, "GET", "/openai/deployments/models/list/", "", key_a1, &r), 0);
    assert_string_equal(r.op->id.ptr, "models");
    /* too many segments */
    assert_int_equal(resolve(f, "GET", "/openai/deployments/x/list/more", "", key_a1, &r), -1);
}

static void test_keys(void **state)
{
    fix *f = *state;
    rt_route r;
    const char *models = "/openai/deployments/models/list";
    /* header (per-API name) */
    assert_int_equal(resolve(f, "GET", models, "", key_a1, &r), 0);
    assert_string_equal(r.subscription->id.ptr, "team-a-dev");
    assert_string_equal(r.product->id.ptr, "team-a");
    assert_int_equal(r.key_source, RT_KEY_HEADER);
    assert_string_equal(r.key.ptr, "ka1");
    /* the default header name is not this API's */
    static const hdrs dflt[] = { { "Ocp-Apim-Subscription-Key", "ka1" }, { NULL, NULL } };
    assert_int_equal(resolve(f, "GET", models, "", dflt, &r), -1);
    assert_int_equal(r.err.status, 401);
    assert_string_equal(r.err.reason, "SubscriptionKeyNotFound");
    assert_string_equal(r.err.source, "authorization");
    assert_string_equal(r.err.message, RT_MSG_KEY_MISSING);
    /* query parameter, secondary key */
    assert_int_equal(resolve(f, "GET", models, "a=1&api-key=ka2", NULL, &r), 0);
    assert_int_equal(r.key_source, RT_KEY_QUERY);
    assert_string_equal(r.subscription->id.ptr, "team-a-dev");
    /* header first: a bad header is not rescued by a good query key */
    static const hdrs bad[] = { { "api-key", "nope" }, { NULL, NULL } };
    assert_int_equal(resolve(f, "GET", models, "api-key=ka1", bad, &r), -1);
    assert_string_equal(r.err.reason, "SubscriptionKeyInvalid");
    assert_string_equal(r.err.message, RT_MSG_KEY_INVALID);
    assert_int_equal(r.key_source, RT_KEY_HEADER);
    /* API scope, all APIs, service: no product context */
    static const hdrs kapi[] = { { "api-key", "kapi" }, { NULL, NULL } };
    assert_int_equal(resolve(f, "GET", models, "", kapi, &r), 0);
    assert_string_equal(r.subscription->id.ptr, "api-only");
    assert_null(r.product);
    assert_int_equal(resolve(f, "GET", models, "api-key=kall", NULL, &r), 0);
    assert_string_equal(r.subscription->id.ptr, "all-apis");
    assert_null(r.product);
    assert_int_equal(resolve(f, "GET", models, "api-key=ksvc", NULL, &r), 0);
    assert_string_equal(r.subscription->id.ptr, "service");
    /* suspended subscription; a subscription for another API; prefix of a key; empty key */
    assert_int_equal(resolve(f, "GET", models, "api-key=ksusp", NULL, &r), -1);
    assert_string_equal(r.err.reason, "SubscriptionKeyInvalid");
    assert_int_equal(resolve(f, "GET", models, "api-key=kother", NULL, &r), -1);
    assert_string_equal(r.err.reason, "SubscriptionKeyInvalid");
    assert_int_equal(resolve(f, "GET", models, "api-key=ka", NULL, &r), -1);
    assert_int_equal(resolve(f, "GET", models, "api-key=ka11", NULL, &r), -1);
    assert_int_equal(resolve(f, "GET", models, "api-key=", NULL, &r), -1);
    assert_string_equal(r.err.reason, "SubscriptionKeyInvalid");
    /* query keys are URL-decoded; names case-insensitive */
    assert_int_equal(resolve(f, "GET", models, "API-KEY=k%61pi", NULL, &r), 0);
    assert_string_equal(r.subscription->id.ptr, "api-only");
}

static void test_open_and_optional(void **state)
{
    fix *f = *state;
    rt_route r;
    /* subscriptionRequired false: no key, API context */
    assert_int_equal(resolve(f, "GET", "/public/x", "", NULL, &r), 0);
    assert_string_equal(r.api->id.ptr, "open-api");
    assert_null(r.subscription);
    assert_null(r.product);
    /* a valid key still sets the subscription (and the product of a product key) */
    assert_int_equal(resolve(f, "GET", "/public/x", "subscription-key=kclosed", NULL, &r), 0);
    assert_string_equal(r.subscription->id.ptr, "closed-sub");
    assert_string_equal(r.product->id.ptr, "closed");
    /* an invalid key is refused even where no key is needed */
    assert_int_equal(resolve(f, "GET", "/public/x", "subscription-key=zzz", NULL, &r), -1);
    assert_int_equal(r.err.status, 401);
    /* open product: no key, product context */
    assert_int_equal(resolve(f, "GET", "/free/x", "", NULL, &r), 0);
    assert_string_equal(r.product->id.ptr, "freebie");
    assert_null(r.subscription);
    /* key required, none given */
    assert_int_equal(resolve(f, "GET", "/other/x", "", NULL, &r), -1);
    assert_string_equal(r.err.reason, "SubscriptionKeyNotFound");
}

static void test_scopes(void **state)
{
    fix *f = *state;
    rt_route r;
    const rt_cfg_file *docs[RT_SCOPE_COUNT];
    assert_int_equal(
        resolve(f, "POST", "/openai/deployments/d/chat/completions", "api-version=1", key_a1, &r),
        0);
    assert_int_equal(rt_route_scopes(&f->c, &r, docs), 4);
    assert_string_equal(docs[RT_SCOPE_GLOBAL]->path, "t/global.xml");
    assert_string_equal(docs[RT_SCOPE_PRODUCT]->path, "t/team-a.xml");
    assert_string_equal(docs[RT_SCOPE_API]->path, "t/aoai.xml");
    assert_string_equal(docs[RT_SCOPE_OPERATION]->path, "t/chat.xml");
    /* API-scoped key: no product document; operation without a document */
    static const hdrs kapi[] = { { "api-key", "kapi" }, { NULL, NULL } };
    assert_int_equal(resolve(f, "GET", "/openai/deployments/models/list", "", kapi, &r), 0);
    assert_int_equal(rt_route_scopes(&f->c, &r, docs), 2);
    assert_null(docs[RT_SCOPE_PRODUCT]);
    assert_null(docs[RT_SCOPE_OPERATION]);
    /* refused: operation not found keeps the API's scope */
    assert_int_equal(resolve(f, "PATCH", "/openai/deployments/x/list", "", kapi, &r), -1);
    assert_int_equal(rt_route_scopes(&f->c, &r, docs), 2);
    assert_non_null(docs[RT_SCOPE_API]);
    assert_int_equal(resolve(f, "GET", "/zzz", "", NULL, &r), -1);
    assert_int_equal(rt_route_scopes(&f->c, &r, docs), 1);
    assert_string_equal(rt_scope_name(RT_SCOPE_OPERATION), "operation");
}

static void test_backend_url(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    assert_string_equal(rt_route_backend_url(&a, STR_LIT("https://h/openai"),
                                             STR_LIT("/deployments/x/chat/completions"),
                                             STR_LIT("api-version=1&api-key=k")),
                        "https://h/openai/deployments/x/chat/completions?api-version=1&api-key=k");
    assert_string_equal(
        rt_route_backend_url(&a, STR_LIT("https://h/openai/"), STR_LIT("/x"), STR_LIT("")),
        "https://h/openai/x");
    assert_string_equal(rt_route_backend_url(&a, STR_LIT("https://h"), STR_LIT(""), STR_LIT("a=1")),
                        "https://h?a=1");
    assert_string_equal(
        rt_route_backend_url(&a, STR_LIT("https://h/api?code=s"), STR_LIT("/x"), STR_LIT("a=1")),
        "https://h/api/x?code=s&a=1");
    assert_string_equal(
        rt_route_backend_url(&a, STR_LIT("https://h/api?code=s"), STR_LIT(""), STR_LIT("")),
        "https://h/api?code=s");
    arena_release(&a);
}

static void test_helpers(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    assert_true(rt_key_equal(STR_LIT("abc"), STR_LIT("abc")));
    assert_false(rt_key_equal(STR_LIT("abd"), STR_LIT("abc")));
    assert_false(rt_key_equal(STR_LIT("ab"), STR_LIT("abc")));
    assert_false(rt_key_equal(STR_LIT("abcd"), STR_LIT("abc")));
    assert_false(rt_key_equal(STR_LIT(""), STR_LIT("a")));
    assert_string_equal(rt_url_decode(&a, STR_LIT("a%20b%zz%4"), false).ptr, "a b%zz%4");
    assert_string_equal(rt_url_decode(&a, STR_LIT("a+b"), false).ptr, "a+b");
    assert_string_equal(rt_url_decode(&a, STR_LIT("a+b"), true).ptr, "a b");
    str v;
    assert_true(rt_route_query_get(&a, STR_LIT("x&y=&z=1&z=2"), STR_LIT("z"), false, &v));
    assert_string_equal(v.ptr, "1");
    assert_true(rt_route_query_get(&a, STR_LIT("x&y=&z=1"), STR_LIT("x"), false, &v));
    assert_string_equal(v.ptr, "");
    assert_false(rt_route_query_get(&a, STR_LIT("x&y=&z=1"), STR_LIT("Z"), false, &v));
    assert_true(rt_route_query_get(&a, STR_LIT("x&y=&z=1"), STR_LIT("Z"), true, &v));
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_prefix), cmocka_unit_test(test_operations),
        cmocka_unit_test(test_keys),       cmocka_unit_test(test_open_and_optional),
        cmocka_unit_test(test_scopes),     cmocka_unit_test(test_backend_url),
        cmocka_unit_test(test_helpers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
