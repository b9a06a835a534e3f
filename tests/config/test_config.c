/* YAML loading: a configuration using every section, defaults, durations, named values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cfg_test_util.h"

static const char full_yaml[] =
    "listen: 127.0.0.1:8080\n"
    "workers: 4\n"
    "policy: policies/global.xml\n"
    "namedValues:\n"
    "  aoai-eastus-1: https://eastus.example.com/openai\n"
    "  aoai-key: { value: s3cr3t-key, secret: true }\n"
    "  host: example.org\n"
    "policyFragments:\n"
    "  backend-routing: fragments/backend-routing.xml\n"
    "backends:\n"
    "  aoai-eastus-1:\n"
    "    url: \"{{aoai-eastus-1}}\"\n"
    "    description: East US\n"
    "    credentials:\n"
    "      header: { api-key: [\"{{aoai-key}}\"], x-two: [a, b] }\n"
    "      query: { code: \"q-{{host}}\" }\n"
    "      authorization: { scheme: Bearer, parameter: \"{{aoai-key}}\" }\n"
    "      managedIdentity: { resource: https://cognitiveservices.azure.com, clientId: abc }\n"
    "      certificateIds: [/certificates/one]\n"
    "    tls: { validateCertificateChain: false, validateCertificateName: true }\n"
    "    proxy: { url: \"http://proxy.{{host}}:3128\", username: u, password: p }\n"
    "    circuitBreaker:\n"
    "      rules:\n"
    "        - name: throttled\n"
    "          failureCondition: { count: 1, interval: PT1M, statusCodeRanges: [{ min: 429, "
    "max: 429 }, { min: 500, max: 599 }], errorReasons: [timeout] }\n"
    "          tripDuration: PT1M30S\n"
    "          acceptRetryAfter: true\n"
    "  aoai-westus:\n"
    "    url: https://westus.example.com/openai\n"
    "    protocol: http\n"
    "    circuitBreaker: { rules: [ { name: pct, failureCondition: { percentage: 50, interval: "
    "PT10S, statusCodeRanges: [{min: 500, max: 503}] }, tripDuration: P1DT2H } ] }\n"
    "  aoai-pool:\n"
    "    type: Pool\n"
    "    pool: { services: [ { id: aoai-eastus-1, priority: 1, weight: 3 }, { id: "
    "/backends/aoai-westus, priority: 2 } ] }\n"
    "apis:\n"
    "  azure-openai:\n"
    "    path: /openai/\n"
    "    serviceUrl: https://eastus.example.com/openai\n"
    "    subscriptionKeyParameterNames: { header: api-key, query: api-key }\n"
    "    policy: policies/azure-openai.xml\n"
    "    displayName: Azure OpenAI\n"
    "    protocols: [https]\n"
    "    operations:\n"
    "      chat: { method: post, urlTemplate: \"/deployments/{deployment-id}/chat/completions"
    "?api-version={api-version}\", policy: policies/chat.xml, displayName: Chat }\n"
    "      any: { method: \"*\", urlTemplate: \"/*\" }\n"
    "  echo:\n"
    "    path: echo\n"
    "    subscriptionRequired: false\n"
    "products:\n"
    "  team-a: { apis: [azure-openai], subscriptionRequired: true, policy: policies/team-a.xml, "
    "state: published, approvalRequired: true }\n"
    "  open: { apis: [/apis/echo], subscriptionRequired: false, state: notPublished }\n"
    "users:\n"
    "  alice: { email: alice@example.com, firstName: Alice, lastName: Liddell, groups: [devs] "
    "}\n"
    "subscriptions:\n"
    "  team-a-dev: { scope: /products/team-a, primaryKey: k1, secondaryKey: k2, state: active, "
    "ownerId: /users/alice, displayName: Team A dev }\n"
    "  all: { scope: /apis, primaryKey: k3 }\n"
    "  master: { scope: /, primaryKey: k4, state: suspended }\n"
    "  arm: { scope: "
    "/subscriptions/x/resourceGroups/y/providers/Microsoft.ApiManagement/service/svc/apis/echo,"
    " primaryKey: k5 }\n"
    "counters: redis://127.0.0.1:6379/0\n"
    "state: state/counters.json\n"
    "logs: { path: logs/requests.jsonl, payloadBytes: 4096 }\n"
    "metrics: { listen: \"[::1]:9464\" }\n"
    "loggers: { my-eventhub: { file: logs/eventhub.jsonl } }\n"
    "tokenizer: { o200k: data/o200k_base.tiktoken }\n";

static void test_full(void **state)
{
    (void)state;
    rt_config c;
    diag_list d;
    diag_list_init(&d);
    int rc = cfg_load(&c, &d, full_yaml);
    if (rc != 0 || d.n)
        cfg_dump(&d);
    assert_int_equal(rc, 0);
    assert_int_equal(d.n, 0);

    assert_true(c.listen.set);
    assert_true(str_eq_cstr(c.listen.host, "127.0.0.1"));
    assert_int_equal(c.listen.port, 8080);
    assert_int_equal(c.workers, 4);
    assert_string_equal(c.policy.path, "t/policies/global.xml");
    assert_int_equal(c.policy.where.line, 3);
    assert_int_equal(c.policy.where.col, 9);
    assert_int_equal(c.nnvs, 3);
    assert_true(rt_config_named_value(&c, STR_LIT("AOAI-KEY"))->secret);
    assert_string_equal(rt_config_fragment(&c, STR_LIT("backend-routing"))->file.path,
                        "t/fragments/backend-routing.xml");

    /* backends */
    assert_int_equal(c.nbackends, 3);
    const rt_backend *b = rt_config_backend(&c, STR_LIT("aoai-eastus-1"));
    assert_non_null(b);
    assert_string_equal(b->url.ptr, "https://eastus.example.com/openai");
    assert_string_equal(b->description.ptr, "East US");
    assert_int_equal(b->cred.nheaders, 2);
    assert_true(str_eq_cstr(b->cred.headers[0].name, "api-key"));
    assert_int_equal(b->cred.headers[0].nvalues, 1);
    assert_string_equal(b->cred.headers[0].values[0].ptr, "s3cr3t-key");
    assert_int_equal(b->cred.headers[1].nvalues, 2);
    assert_string_equal(b->cred.headers[1].values[1].ptr, "b");
    assert_int_equal(b->cred.nquery, 1);
    assert_string_equal(b->cred.query[0].values[0].ptr, "q-example.org");
    assert_true(b->cred.has_authorization);
    assert_string_equal(b->cred.auth_scheme.ptr, "Bearer");
    assert_string_equal(b->cred.auth_parameter.ptr, "s3cr3t-key");
    assert_true(b->cred.has_managed_identity);
    assert_string_equal(b->cred.mi_client_id.ptr, "abc");
    assert_int_equal(b->cred.ncertificate_ids, 1);
    assert_false(b->tls_validate_chain);
    assert_true(b->tls_validate_name);
    assert_string_equal(b->proxy_url.ptr, "http://proxy.example.org:3128");
    assert_string_equal(b->proxy_password.ptr, "p");
    assert_int_equal(b->nrules, 1);
    assert_string_equal(b->rules[0].name.ptr, "throttled");
    assert_int_equal(b->rules[0].count, 1);
    assert_int_equal(b->rules[0].percentage, 0);
    assert_int_equal(b->rules[0].interval_ms, 60000);
    assert_int_equal(b->rules[0].trip_ms, 90000);
    assert_true(b->rules[0].accept_retry_after);
    assert_int_equal(b->rules[0].nranges, 2);
    assert_int_equal(b->rules[0].ranges[1].min, 500);
    assert_int_equal(b->rules[0].ranges[1].max, 599);
    assert_int_equal(b->rules[0].nerror_reasons, 1);
    const rt_backend *w = rt_config_backend(&c, STR_LIT("aoai-westus"));
    assert_int_equal(w->rules[0].percentage, 50);
    assert_int_equal(w->rules[0].interval_ms, 10000);
    assert_int_equal(w->rules[0].trip_ms, (24 + 2) * 3600000LL);
    assert_false(w->rules[0].accept_retry_after);
    assert_true(w->tls_validate_chain);
    const rt_backend *pool = rt_config_backend(&c, STR_LIT("aoai-pool"));
    assert_true(pool->pool);
    assert_int_equal(pool->nmembers, 2);
    assert_ptr_equal(pool->members[0].backend, b);
    assert_int_equal(pool->members[0].weight, 3);
    assert_ptr_equal(pool->members[1].backend, w);
    assert_true(str_eq_cstr(pool->members[1].id, "aoai-westus"));
    assert_int_equal(pool->members[1].priority, 2);
    assert_int_equal(pool->members[1].weight, 1);
    assert_int_equal(pool->index, 2);

    /* APIs */
    const rt_api *api = rt_config_api(&c, STR_LIT("azure-openai"));
    assert_non_null(api);
    assert_string_equal(api->path.ptr, "openai");
    assert_true(api->subscription_required);
    assert_string_equal(api->key_header.ptr, "api-key");
    assert_string_equal(api->key_query.ptr, "api-key");
    assert_string_equal(api->display_name.ptr, "Azure OpenAI");
    assert_int_equal(api->nops, 2);
    const rt_operation *op = &api->ops[0];
    assert_string_equal(op->method.ptr, "POST");
    assert_string_equal(op->display_name.ptr, "Chat");
    assert_int_equal(op->nsegs, 4);
    assert_int_equal(op->segs[1].nparts, 1);
    assert_int_equal(op->segs[1].parts[0].kind, RT_TPL_PARAM);
    assert_string_equal(op->segs[1].parts[0].text.ptr, "deployment-id");
    assert_int_equal(op->nquery, 1);
    assert_string_equal(op->query[0].name.ptr, "api-version");
    assert_string_equal(op->query[0].param.ptr, "api-version");
    assert_string_equal(op->policy.path, "t/policies/chat.xml");
    assert_true(api->ops[1].segs[0].wildcard);
    const rt_api *echo = rt_config_api(&c, STR_LIT("echo"));
    assert_false(echo->subscription_required);
    assert_string_equal(echo->key_header.ptr, "Ocp-Apim-Subscription-Key");
    assert_string_equal(echo->key_query.ptr, "subscription-key");
    assert_int_equal(echo->nops, 0);
    assert_string_equal(echo->display_name.ptr, "echo");

    /* products, users, subscriptions */
    const rt_product *ta = rt_config_product(&c, STR_LIT("team-a"));
    assert_true(ta->subscription_required && ta->published && ta->approval_required);
    assert_true(rt_product_has_api(ta, api));
    assert_false(rt_product_has_api(ta, echo));
    const rt_product *open = rt_config_product(&c, STR_LIT("open"));
    assert_false(open->subscription_required);
    assert_false(open->published);
    assert_true(rt_product_has_api(open, echo));
    assert_int_equal(c.nusers, 1);
    assert_int_equal(c.nsubs, 4);
    const rt_subscription *s = rt_config_subscription(&c, STR_LIT("team-a-dev"));
    assert_int_equal(s->scope_kind, RT_SUB_PRODUCT);
    assert_ptr_equal(s->product, ta);
    assert_string_equal(s->primary_key.ptr, "k1");
    assert_string_equal(s->secondary_key.ptr, "k2");
    assert_ptr_equal(s->owner, rt_config_user(&c, STR_LIT("alice")));
    assert_string_equal(s->owner->first_name.ptr, "Alice");
    assert_string_equal(s->display_name.ptr, "Team A dev");
    assert_int_equal(rt_config_subscription(&c, STR_LIT("all"))->scope_kind, RT_SUB_ALL_APIS);
    assert_int_equal(rt_config_subscription(&c, STR_LIT("all"))->state, RT_SUB_ACTIVE);
    assert_int_equal(rt_config_subscription(&c, STR_LIT("master"))->scope_kind, RT_SUB_SERVICE);
    assert_int_equal(rt_config_subscription(&c, STR_LIT("master"))->state, RT_SUB_SUSPENDED);
    const rt_subscription *arm = rt_config_subscription(&c, STR_LIT("arm"));
    assert_int_equal(arm->scope_kind, RT_SUB_API);
    assert_ptr_equal(arm->api, echo);

    /* service settings */
    assert_int_equal(c.counters, RT_COUNTERS_REDIS);
    assert_string_equal(c.redis_url.ptr, "redis://127.0.0.1:6379/0");
    assert_string_equal(c.state_path, "t/state/counters.json");
    assert_string_equal(c.log_path, "t/logs/requests.jsonl");
    assert_int_equal(c.log_payload_bytes, 4096);
    assert_true(str_eq_cstr(c.metrics.host, "::1"));
    assert_int_equal(c.metrics.port, 9464);
    assert_string_equal(rt_config_logger(&c, STR_LIT("my-eventhub"))->file,
                        "t/logs/eventhub.jsonl");
    assert_string_equal(c.tokenizer_o200k, "t/data/o200k_base.tiktoken");
    assert_null(c.tokenizer_cl100k);
    rt_config_release(&c);
    diag_list_release(&d);
}

static void test_defaults_and_empty(void **state)
{
    (void)state;
    rt_config c;
    diag_list d;
    diag_list_init(&d);
    assert_int_equal(cfg_load(&c, &d, ""), 0);
    assert_int_equal(c.workers, 1);
    assert_int_equal(c.counters, RT_COUNTERS_MEMORY);
    assert_false(c.listen.set);
    assert_null(c.policy.path);
    rt_config_release(&c);
    assert_int_equal(cfg_load(&c, &d,
                              "apis: { a: { path: \"\" } }\n"
                              "backends: { b: }\n"
                              "subscriptions: { s: { scope: /apis/a, secondaryKey: x } }\n"),
                     0);
    assert_int_equal(d.n, 0);
    assert_string_equal(c.apis[0].path.ptr, "");
    assert_string_equal(c.apis[0].protocols[0].ptr, "https");
    assert_int_equal(c.nbackends, 1);
    assert_string_equal(c.subs[0].primary_key.ptr, "");
    rt_config_release(&c);
    diag_list_release(&d);
}

static void test_durations(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int64_t ms;
    } ok[] = {
        { "PT1M", 60000 },      { "PT10S", 10000 },     { "PT0.5S", 500 },     { "P1D", 86400000 },
        { "P1DT2H", 93600000 }, { "PT1H30M", 5400000 }, { "P2W", 1209600000 }, { "pt1m", 60000 },
        { "PT1.25S", 1250 },    { "PT0S", 0 },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t ms = -1;
        const char *why = NULL;
        assert_int_equal(rt_duration_parse(str_from(ok[i].in), &ms, &why), 0);
        assert_int_equal(ms, ok[i].ms);
    }
    static const char *const bad[] = {
        "",     "P",     "PT",    "1M",     "PT1",
        "P1Y",  "P1M",   "PTM",   "PT1S1M", "P1H",
        "PT1D", "PT-1S", "PT1.S", "P1DT",   "PT99999999999999999999S"
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = -1;
        const char *why = NULL;
        assert_int_equal(rt_duration_parse(str_from(bad[i]), &ms, &why), -1);
        assert_non_null(why);
    }
}

static void test_env_named_value(void **state)
{
    (void)state;
    setenv("APIMLITE_CFG_TEST_KEY", "from-env", 1);
    rt_config c;
    diag_list d;
    diag_list_init(&d);
    assert_int_equal(cfg_load(&c, &d,
                              "namedValues: { k: { env: APIMLITE_CFG_TEST_KEY, secret: true } }\n"
                              "backends: { b: { url: \"https://x/{{K}}\" } }\n"),
                     0);
    assert_string_equal(c.backends[0].url.ptr, "https://x/from-env");
    rt_config_release(&c);
    diag_list_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_defaults_and_empty),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_env_named_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
