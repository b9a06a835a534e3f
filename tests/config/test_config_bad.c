/* YAML loading: every kind of bad value is an error at file:line:col of the value; unknown keys
 * are warnings at the key; secrets never appear in messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cfg_test_util.h"

typedef struct bad_case {
    const char *yaml;
    diag_sev sev;
    unsigned line, col;
    const char *msg;
} bad_case;

#define E DIAG_ERROR
#define W DIAG_WARNING

static const bad_case cases[] = {
    /* service settings */
    { "listen: 8080\n", E, 1, 9, "'listen' must be host:port" },
    { "listen: 127.0.0.1:70000\n", E, 1, 9, "port must be between 1 and 65535" },
    { "workers: two\n", E, 1, 10, "'workers' must be an integer" },
    { "workers: 0\n", E, 1, 10, "'workers' must be between 1 and 256" },
    { "counters: mongo\n", E, 1, 11, "'counters' must be 'memory' or a redis://" },
    { "logs: { path: x.jsonl, payloadBytes: -1 }\n", E, 1, 38, "between 0 and" },
    { "logs: { pth: x }\n", W, 1, 9, "logs: unknown key 'pth'" },
    { "metrics: { listen: nope }\n", E, 1, 20, "must be host:port" },
    { "loggers: { eh: { path: x } }\n", W, 1, 18, "unknown key 'path'" },
    { "loggers: { eh: { path: x } }\n", E, 1, 16, "'file' is required" },
    { "tokenizer: { o200k: [a] }\n", E, 1, 21, "must be a file path" },
    { "polcy: x.xml\n", W, 1, 1, "unknown configuration key 'polcy'" },
    { "policy: a.xml\npolicy: b.xml\n", E, 2, 1, "duplicate key 'policy'" },
    /* named values */
    { "namedValues: { 'a b': x }\n", E, 1, 16, "names may contain only" },
    { "namedValues: { a: { value: x, secrt: true } }\n", W, 1, 31, "unknown key 'secrt'" },
    { "namedValues: { a: { value: x, secret: yes } }\n", E, 1, 39,
      "'secret' must be true or false" },
    { "namedValues: { a: x, A: y }\n", E, 1, 22, "differs only in case" },
    /* backends */
    { "backends: { b: { url: ftp://x } }\n", E, 1, 23, "'url' must be an absolute http" },
    { "backends: { b: { url: \"{{nope}}\" } }\n", E, 1, 23, "named value 'nope' is not defined" },
    { "backends: { b: { ulr: https://x } }\n", W, 1, 18, "backend 'b': unknown key 'ulr'" },
    { "backends: { b: { url: https://x, type: Multi } }\n", E, 1, 40,
      "'type' must be Single or Pool" },
    { "backends: { b: { url: https://x, protocol: ftp } }\n", E, 1, 44,
      "'protocol' must be http or soap" },
    { "backends: { b: { url: https://x, tls: { validateCertificateChain: 1 } } }\n", E, 1, 67,
      "must be true or false" },
    { "backends: { b: { url: https://x, credentials: { header: { k: { a: b } } } } }\n", E, 1, 62,
      "must be a list of strings" },
    { "backends: { b: { url: https://x, credentials: { authorization: { parameter: p } } } }\n", E,
      1, 64, "'scheme' is required" },
    { "backends: { b: { url: https://x, proxy: { username: u } } }\n", E, 1, 41,
      "'url' is required" },
    { "backends:\n  b:\n    url: https://x\n    circuitBreaker:\n      rules:\n        - name: r\n"
      "          failureCondition: { count: 1, percentage: 5, interval: PT1M, statusCodeRanges: "
      "[{min: 429, max: 429}] }\n          tripDuration: PT1M\n",
      E, 7, 29, "exactly one of 'count' and 'percentage'" },
    { "backends:\n  b:\n    url: https://x\n    circuitBreaker:\n      rules:\n        - name: r\n"
      "          failureCondition: { count: 1, interval: 1 minute, statusCodeRanges: "
      "[{min: 429, max: 429}] }\n          tripDuration: PT1M\n",
      E, 7, 51, "expected an ISO-8601 duration" },
    { "backends:\n  b:\n    url: https://x\n    circuitBreaker:\n      rules:\n        - name: r\n"
      "          failureCondition: { count: 1, interval: PT1M, statusCodeRanges: "
      "[{min: 100, max: 429}] }\n          tripDuration: PT1M\n",
      E, 7, 82, "'min' must be between 200 and 599" },
    { "backends:\n  b:\n    url: https://x\n    circuitBreaker:\n      rules:\n        - name: r\n"
      "          failureCondition: { count: 1, interval: PT1M, statusCodeRanges: "
      "[{min: 500, max: 429}] }\n          tripDuration: PT1M\n",
      E, 7, 92, "'max' (429) is below 'min' (500)" },
    { "backends:\n  b:\n    url: https://x\n    circuitBreaker:\n      rules:\n        - name: r\n"
      "          failureCondition: { count: 1, interval: PT1M, statusCodeRanges: "
      "[{min: 429, max: 429}] }\n          tripDuration: P1M\n",
      E, 8, 25, "months are not allowed" },
    { "backends:\n  b:\n    url: https://x\n    circuitBreaker:\n      rules:\n        - name: r\n"
      "          failureCondition: { count: 0, interval: PT1M, statusCodeRanges: "
      "[{min: 429, max: 429}] }\n          tripDuration: PT1M\n",
      E, 7, 38, "'count' must be between 1" },
    { "backends:\n  b:\n    url: https://x\n    circuitBreaker:\n      rules:\n        - name: r\n"
      "          failureCondition: { count: 1, interval: PT1M }\n          tripDuration: PT1M\n",
      E, 7, 29, "needs 'statusCodeRanges' or 'errorReasons'" },
    { "backends:\n  b:\n    url: https://x\n    circuitBreaker:\n      rules:\n        - name: r\n"
      "          failureCondition: { count: 1, interval: PT1M, errorReasons: [x] }\n",
      E, 6, 11, "'tripDuration' is required" },
    { "backends:\n  p: { type: Pool, pool: { services: [ { id: nope } ] } }\n", E, 2, 46,
      "pool member 'nope' is not a backend" },
    { "backends:\n  a: { url: https://a }\n  p: { type: Pool, pool: { services: [ a ] } }\n"
      "  q: { type: Pool, pool: { services: [ { id: /backends/p } ] } }\n",
      E, 4, 46, "is a pool (pools cannot be nested)" },
    { "backends:\n  a: { url: https://a }\n  p: { type: Pool, pool: { services: [ a, a ] } }\n", E,
      3, 43, "listed twice" },
    { "backends:\n  a: { url: https://a }\n  p: { type: Pool, pool: { services: [ { id: a, "
      "weight: 101 } ] } }\n",
      E, 3, 57, "'weight' must be between 0 and 100" },
    { "backends:\n  a: { url: https://a }\n  p: { type: Pool, pool: { services: [ a,a,a,a,a,a,a,"
      "a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a ] } }\n",
      E, 3, 38, "at most 30 backends (31 given)" },
    { "backends:\n  p: { type: Pool }\n", E, 2, 6, "type Pool needs 'pool" },
    { "backends:\n  p: { url: https://x, pool: { services: [ a ] } }\n", E, 2, 30,
      "'pool' needs 'type: Pool'" },
    /* APIs and operations */
    { "apis: { a: { serviceUrl: https://x } }\n", E, 1, 9, "'path' is required" },
    { "apis: { a: { path: \"a b\" } }\n", E, 1, 20, "invalid URL suffix" },
    { "apis: { a: { path: x }, b: { path: /x/ } }\n", E, 1, 36, "API 'a' has the same path" },
    { "apis: { a: { path: x, serviceUrl: x.com } }\n", E, 1, 35,
      "'serviceUrl' must be an absolute" },
    { "apis: { a: { path: x, subscriptionRequired: maybe } }\n", E, 1, 45,
      "must be true or false" },
    { "apis: { a: { path: x, protocols: [gopher] } }\n", E, 1, 34, "protocol 'gopher'" },
    { "apis: { a: { path: x, subscriptionKeyParameterNames: { header: \"a b\" } } }\n", E, 1, 64,
      "not a valid header name" },
    { "apis: { a: { path: x, subscriptionKeyParameterNames: { hedaer: k } } }\n", W, 1, 56,
      "unknown key 'hedaer'" },
    { "apis: { a: { path: x, operations: { o: { urlTemplate: /x } } } }\n", E, 1, 40,
      "'method' is required" },
    { "apis: { a: { path: x, operations: { o: { method: GET, urlTemplate: x } } } }\n", E, 1, 68,
      "must start with '/'" },
    { "apis: { a: { path: x, operations: { o: { method: GET, urlTemplate: \"/{a\" } } } }\n", E, 1,
      68, "malformed parameter" },
    { "apis: { a: { path: x, operations: { o: { method: GET, urlTemplate: \"/{a}{b}\" } } } }\n", E,
      1, 68, "separated by literal text" },
    { "apis: { a: { path: x, operations: { o: { method: GET, urlTemplate: \"/{a}/{a}\" } } } }\n",
      E, 1, 68, "parameter 'a' appears twice" },
    { "apis: { a: { path: x, operations: { o: { method: GET, urlTemplate: \"/*/x\" } } } }\n", E, 1,
      68, "only allowed as the last segment" },
    { "apis: { a: { path: x, operations: { o: { method: GET, urlTemplate: \"/x?v\" } } } }\n", E, 1,
      68, "needs =value or ={parameter}" },
    { "apis: { a: { path: x, operations: { o: { method: \"G T\", urlTemplate: /x } } } }\n", E, 1,
      50, "'method' must be an HTTP method" },
    { "apis: { a: { path: x, operations: { o: { method: GET, urlTemplate: /x, polcy: p } } } }\n",
      W, 1, 72, "unknown key 'polcy'" },
    /* products */
    { "products: { p: { apis: [nope] } }\n", E, 1, 25, "API 'nope' is not defined" },
    { "apis: { a: { path: x } }\nproducts: { p: { apis: [a], state: live } }\n", E, 2, 36,
      "'state' must be published or notPublished" },
    { "apis: { a: { path: x } }\nproducts: { p: { apis: [a], subscriptionRequired: false }, "
      "q: { apis: [a], subscriptionRequired: false } }\n",
      E, 2, 72, "already in the open product 'p'" },
    { "products: { p: { subscriptionRequired: false, approvalRequired: true } }\n", E, 1, 65,
      "'approvalRequired' needs 'subscriptionRequired: true'" },
    /* subscriptions */
    { "subscriptions: { s: { primaryKey: k } }\n", E, 1, 21, "'scope' is required" },
    { "subscriptions: { s: { scope: /apis/nope, primaryKey: k } }\n", E, 1, 30,
      "API 'nope' is not defined" },
    { "subscriptions: { s: { scope: /products/nope, primaryKey: k } }\n", E, 1, 30,
      "product 'nope' is not defined" },
    { "subscriptions: { s: { scope: /groups/x, primaryKey: k } }\n", E, 1, 30,
      "must be /products/<id>, /apis/<id>, /apis or /" },
    { "subscriptions: { s: { scope: /, primaryKey: k, state: paused } }\n", E, 1, 55,
      "'state' must be one of active" },
    { "subscriptions: { s: { scope: / } }\n", E, 1, 21, "needs 'primaryKey' or 'secondaryKey'" },
    { "subscriptions: { s: { scope: /, primaryKey: \"\" } }\n", E, 1, 45, "must not be empty" },
    { "subscriptions: { s: { scope: /, primaryKey: topsecret }, t: { scope: /apis, secondaryKey: "
      "topsecret } }\n",
      E, 1, 91, "secondaryKey is the same as the primaryKey of subscription 's'" },
    { "subscriptions: { s: { scope: /, primaryKey: k, ownerId: /users/bob } }\n", E, 1, 57,
      "user 'bob' is not defined" },
    { "subscriptions: { s: { scope: /, primaryKey: k, primarykey: j } }\n", W, 1, 48,
      "unknown key 'primarykey'" },
    /* YAML itself */
    { "apis: [\n", E, 2, 1, "YAML:" },
    { "- a\n- b\n", E, 1, 1, "the configuration must be a mapping" },
};

static void test_bad_values(void **state)
{
    (void)state;
    size_t failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_case *bc = &cases[i];
        rt_config c;
        diag_list d;
        diag_list_init(&d);
        int rc = cfg_load(&c, &d, bc->yaml);
        if (cfg_find_diag(&d, bc->sev, bc->line, bc->col, bc->msg) < 0) {
            print_error("^^^ case %zu: %s\n", i, bc->yaml);
            failed++;
        }
        if (bc->sev == DIAG_ERROR && rc != -1) {
            print_error("case %zu: load returned %d\n", i, rc);
            failed++;
        }
        rt_config_release(&c);
        diag_list_release(&d);
    }
    assert_int_equal(failed, 0);
}

/* Secret values never appear in messages: named values, keys, credentials. */
static void test_secrets_not_printed(void **state)
{
    (void)state;
    rt_config c;
    diag_list d;
    diag_list_init(&d);
    cfg_load(&c, &d,
             "namedValues: { k: { value: hunter2, secret: true } }\n"
             "backends: { b: { url: \"hunter2{{k}}\", credentials: { header: { x: [1, {a: b}] } "
             "} } }\n"
             "subscriptions: { s: { scope: /, primaryKey: hunter2 }, t: { scope: /, "
             "primaryKey: hunter2 } }\n");
    assert_true(d.errors >= 3);
    assert_true(cfg_no_diag_contains(&d, "hunter2"));
    rt_config_release(&c);
    diag_list_release(&d);
}

/* Loading through a path: unreadable file is -2. */
static void test_unreadable(void **state)
{
    (void)state;
    rt_config c;
    diag_list d;
    diag_list_init(&d);
    assert_int_equal(rt_config_load(&c, "/nonexistent/dir/gw.yaml", &d), -2);
    assert_non_null(strstr(d.items[0].msg, "cannot read"));
    rt_config_release(&c);
    diag_list_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_secrets_not_printed),
        cmocka_unit_test(test_unreadable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
