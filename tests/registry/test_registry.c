/* The policy vocabulary: table consistency, lookup, and spot checks against spec/policies.md
 * and the Microsoft docs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/policies/registry.h"

/* Every policy element of spec/policies.md and corpus/COVERAGE.md (and the other APIM policies
 * of the docs' reference index). */
static const char *const all_policies[] = {
    "authentication-basic",
    "authentication-certificate",
    "authentication-managed-identity",
    "azure-openai-emit-token-metric",
    "azure-openai-semantic-cache-lookup",
    "azure-openai-semantic-cache-store",
    "azure-openai-token-limit",
    "cache-lookup",
    "cache-lookup-value",
    "cache-remove-value",
    "cache-store",
    "cache-store-value",
    "cache-value",
    "check-header",
    "choose",
    "cors",
    "cross-domain",
    "emit-metric",
    "find-and-replace",
    "forward-request",
    "get-authorization-context",
    "include-fragment",
    "invoke-dapr-binding",
    "invoke-darp-binding",
    "ip-filter",
    "json-to-xml",
    "jsonp",
    "limit-concurrency",
    "llm-content-safety",
    "llm-emit-token-metric",
    "llm-semantic-cache-lookup",
    "llm-semantic-cache-store",
    "llm-token-limit",
    "log-to-eventhub",
    "mock-response",
    "proxy",
    "publish-to-dapr",
    "publish-to-darp",
    "quota",
    "quota-by-key",
    "rate-limit",
    "rate-limit-by-key",
    "redirect-content-urls",
    "retry",
    "return-response",
    "rewrite-uri",
    "send-one-way-request",
    "send-request",
    "send-service-bus-message",
    "set-backend-service",
    "set-body",
    "set-header",
    "set-method",
    "set-query-parameter",
    "set-status",
    "set-variable",
    "trace",
    "validate-azure-ad-token",
    "validate-client-certificate",
    "validate-content",
    "validate-graphql-request",
    "validate-headers",
    "validate-jwt",
    "validate-odata-request",
    "validate-parameters",
    "validate-status-code",
    "wait",
    "xml-to-json",
    "xsl-transform",
};
#define NPOLICIES (sizeof all_policies / sizeof all_policies[0])

/* The lookup helpers fail the test (never return NULL) when the entry is missing. */
static const pol_spec *find(const char *name)
{
    const pol_spec *s = rt_policy_find(name, strlen(name));
    if (!s) {
        fail_msg("policy '%s' is not registered", name);
        abort();
    }
    return s;
}

static const pol_attr *attr(const pol_spec *s, const char *name)
{
    for (const pol_attr *a = s->attrs; a && a->name; a++) {
        if (strcmp(a->name, name) == 0)
            return a;
    }
    fail_msg("policy '%s' has no attribute '%s'", s->name, name);
    abort();
}

static const pol_child *child(const pol_child *children, const char *name)
{
    for (const pol_child *c = children; c && c->name; c++) {
        if (strcmp(c->name, name) == 0)
            return c;
    }
    fail_msg("no child element '%s'", name);
    abort();
}

static int has_rule(const pol_spec *s, pol_rule_kind kind, const char *names)
{
    for (const pol_rule *r = s->rules; r && r->names; r++) {
        if (r->kind == kind && strcmp(r->names, names) == 0)
            return 1;
    }
    return 0;
}

static void test_check_passes(void **state)
{
    (void)state;
    assert_int_equal(rt_policy_registry_check(), 0);
}

static void test_all_found(void **state)
{
    (void)state;
    for (size_t i = 0; i < NPOLICIES; i++) {
        const pol_spec *s = find(all_policies[i]);
        assert_string_equal(s->name, all_policies[i]);
        /* a policy that keeps parsed configuration has room for it */
        if (s->parse && s->exec)
            assert_true(s->conf_size > 0 || s->content == POL_C_POLICIES);
    }
}

static void count_cb(const pol_spec *s, void *ud)
{
    size_t *n = ud;
    assert_non_null(s->name);
    (*n)++;
}

static void order_cb(const pol_spec *s, void *ud)
{
    const char **prev = ud;
    if (*prev)
        assert_true(strcmp(*prev, s->name) < 0);
    *prev = s->name;
}

static void test_each(void **state)
{
    (void)state;
    size_t n = 0;
    rt_policy_each(count_cb, &n);
    assert_int_equal(n, NPOLICIES); /* the embedded list is complete */
    const char *prev = NULL;
    rt_policy_each(order_cb, &prev);
}

static void test_find_edges(void **state)
{
    (void)state;
    assert_null(rt_policy_find("", 0));
    assert_null(rt_policy_find("base", 4)); /* the splice point is not a policy */
    assert_null(rt_policy_find("set-head", 8));
    assert_null(rt_policy_find("set-headers", 11));
    assert_null(rt_policy_find("Set-Header", 10)); /* XML names are case-sensitive */
    assert_null(rt_policy_find("zzz", 3));
    assert_null(rt_policy_find("a", 1));
    assert_null(rt_policy_find(NULL, 0));
    /* len bounds the name: no terminator needed */
    const char buf[] = "set-header-and-more";
    const pol_spec *s = rt_policy_find(buf, 10);
    assert_non_null(s);
    assert_string_equal(s->name, "set-header");
    assert_null(rt_policy_find(buf, 9));
}

static void test_sections(void **state)
{
    (void)state;
    assert_int_equal(find("forward-request")->sections, POL_SEC_BACKEND);
    assert_int_equal(find("rate-limit")->sections, POL_SEC_INBOUND);
    assert_int_equal(find("rate-limit-by-key")->sections, POL_SEC_INBOUND);
    assert_int_equal(find("set-header")->sections, POL_SEC_ANY);
    assert_int_equal(find("choose")->sections, POL_SEC_ANY);
    assert_int_equal(find("cache-store")->sections, POL_SEC_OUTBOUND);
    /* docs: inbound, backend; a deployed corpus document uses it in outbound */
    assert_int_equal(find("set-backend-service")->sections,
                     POL_SEC_INBOUND | POL_SEC_BACKEND | POL_SEC_OUTBOUND);
    assert_int_equal(find("mock-response")->sections,
                     POL_SEC_INBOUND | POL_SEC_OUTBOUND | POL_SEC_ON_ERROR);
    assert_int_equal(find("set-body")->sections, POL_SEC_ANY);
    assert_int_equal(find("set-query-parameter")->sections, POL_SEC_INBOUND | POL_SEC_BACKEND);
    assert_int_equal(find("azure-openai-semantic-cache-store")->sections, POL_SEC_OUTBOUND);
    assert_int_equal(find("validate-jwt")->sections, POL_SEC_INBOUND);
}

static void test_attributes(void **state)
{
    (void)state;
    const pol_spec *sv = find("set-variable");
    assert_true(attr(sv, "name")->flags & POL_REQUIRED);
    assert_false(attr(sv, "name")->flags & POL_EXPR);
    assert_true(attr(sv, "value")->flags & POL_REQUIRED);
    assert_true(attr(sv, "value")->flags & POL_EXPR);
    for (const pol_attr *a = sv->attrs; a->name; a++)
        assert_string_not_equal(a->name, "id"); /* generic, never listed */

    const pol_attr *ea = attr(find("set-header"), "exists-action");
    assert_int_equal(ea->type, POL_T_ENUM);
    assert_string_equal(ea->def, "override");
    const char *want[] = { "override", "skip", "append", "delete" };
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(ea->values[i], want[i]);
    assert_null(ea->values[4]);

    const pol_spec *fr = find("forward-request");
    assert_string_equal(attr(fr, "timeout")->def, "300");
    assert_string_equal(attr(fr, "buffer-response")->def, "true");
    assert_true(has_rule(fr, POL_R_AT_MOST_ONE, "timeout|timeout-ms"));

    const pol_spec *rl = find("rate-limit");
    assert_true(rl->flags & POL_ONCE);
    assert_false(attr(rl, "calls")->flags & POL_EXPR);
    assert_true(attr(find("rate-limit-by-key"), "calls")->flags & POL_EXPR);

    assert_true(has_rule(find("validate-jwt"), POL_R_EXACTLY_ONE,
                         "header-name|query-parameter-name|token-value"));
    assert_true(has_rule(find("quota"), POL_R_AT_LEAST_ONE, "calls|bandwidth"));
    const pol_spec *tl = find("llm-token-limit");
    assert_true(has_rule(tl, POL_R_AT_LEAST_ONE, "tokens-per-minute|token-quota"));
    assert_true(has_rule(tl, POL_R_ALL_OR_NONE, "token-quota|token-quota-period"));
    assert_true(attr(tl, "estimate-prompt-token")->flags & POL_DEPRECATED);
    assert_true(has_rule(find("log-to-eventhub"), POL_R_AT_MOST_ONE, "partition-id|partition-key"));

    const pol_spec *sbs = find("set-backend-service");
    assert_true(has_rule(sbs, POL_R_EXACTLY_ONE, "base-url|backend-id"));
    assert_true(attr(sbs, "sf-resolve-condition")->flags & POL_UNSUPPORTED);
    assert_true(attr(sbs, "dapr-app-id")->flags & POL_UNSUPPORTED);
    assert_false(attr(sbs, "backend-id")->flags & POL_UNSUPPORTED);
}

static void test_children(void **state)
{
    (void)state;
    const pol_spec *ch = find("choose");
    assert_int_equal(ch->content, POL_C_CHILDREN);
    const pol_child *when = child(ch->children, "when");
    assert_int_equal(when->min, 1);
    assert_int_equal(when->max, 0);
    assert_int_equal(when->content, POL_C_POLICIES);
    assert_true(when->attrs[0].flags & POL_REQUIRED);
    assert_string_equal(when->attrs[0].name, "condition");
    const pol_child *other = child(ch->children, "otherwise");
    assert_int_equal(other->min, 0);
    assert_int_equal(other->max, 1);
    assert_int_equal(other->content, POL_C_POLICIES);

    const pol_child *val = child(find("set-header")->children, "value");
    assert_int_equal(val->content, POL_C_TEXT);
    assert_true(val->text_flags & POL_EXPR);

    const pol_spec *sr = find("send-request");
    assert_int_equal(child(sr->children, "set-url")->content, POL_C_TEXT);
    assert_string_equal(child(sr->children, "set-header")->policy, "set-header");
    assert_string_equal(child(sr->children, "authentication-managed-identity")->policy,
                        "authentication-managed-identity");
    assert_string_equal(child(find("return-response")->children, "set-status")->policy,
                        "set-status");

    const pol_child *claims = child(find("validate-jwt")->children, "required-claims");
    const pol_child *claim = child(claims->children, "claim");
    assert_non_null(child(claim->children, "value"));

    assert_int_equal(find("set-body")->content, POL_C_OPAQUE);
    assert_int_equal(find("xsl-transform")->content, POL_C_OPAQUE);
    assert_int_equal(find("cross-domain")->content, POL_C_OPAQUE);
    assert_int_equal(find("mock-response")->content, POL_C_EMPTY);
    assert_int_equal(find("retry")->content, POL_C_POLICIES);
    assert_int_equal(find("wait")->content, POL_C_POLICIES);
    assert_int_equal(find("log-to-eventhub")->content, POL_C_TEXT);
    assert_true(find("trace")->text_flags & POL_TEXT_ALT);
}

static void test_flags(void **state)
{
    (void)state;
    const char *unsupported[] = { "publish-to-dapr",          "invoke-dapr-binding",
                                  "send-service-bus-message", "cross-domain",
                                  "validate-odata-request",   "validate-graphql-request" };
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
        assert_true(find(unsupported[i])->flags & POL_UNSUPPORTED_SPEC);
    assert_true(find("invoke-darp-binding")->flags & POL_DEPRECATED_SPEC);
    assert_false(find("invoke-dapr-binding")->flags & POL_DEPRECATED_SPEC);
    assert_false(find("set-header")->flags);
    assert_true(find("cache-lookup")->flags & POL_ONCE);
    assert_true(find("cache-lookup")->flags & POL_UNORDERED);
    assert_false(find("choose")->flags & POL_UNORDERED);
    const pol_attr *period = attr(find("azure-openai-token-limit"), "token-quota-period");
    assert_true(period->flags & POL_OPEN_ENUM);
    assert_false(attr(find("set-header"), "exists-action")->flags & POL_OPEN_ENUM);
}

/* ---- the checker itself rejects broken tables ---- */

static const char *const no_values[] = { NULL };
static const char *const ab_values[] = { "a", "b", NULL };
static const pol_attr good_attrs[] = {
    { "x", POL_T_STR, 0, NULL, NULL },
    { "y", POL_T_ENUM, 0, "a", ab_values },
    { 0 },
};
static const pol_attr dup_attrs[] = {
    { "x", POL_T_STR, 0, NULL, NULL },
    { "x", POL_T_INT, 0, NULL, NULL },
    { 0 },
};
static const pol_attr empty_enum_attrs[] = {
    { "e", POL_T_ENUM, 0, NULL, no_values },
    { 0 },
};
static const pol_attr null_enum_attrs[] = {
    { "e", POL_T_ENUM, 0, NULL, NULL },
    { 0 },
};
static const pol_attr bad_default_attrs[] = {
    { "e", POL_T_ENUM, 0, "c", ab_values },
    { "n", POL_T_UINT, 0, "-1", NULL },
    { 0 },
};
static const pol_attr id_attrs[] = {
    { "id", POL_T_STR, 0, NULL, NULL },
    { 0 },
};
static const pol_rule bad_rules[] = {
    { POL_R_AT_MOST_ONE, "x|z" },
    { 0 },
};
static const pol_rule single_rules[] = {
    { POL_R_AT_MOST_ONE, "x" },
    { 0 },
};
static const pol_child unnamed_children[] = {
    { .name = "", .content = POL_C_EMPTY },
    { 0 },
};
static const pol_child dup_children[] = {
    { .name = "c", .content = POL_C_EMPTY },
    { .name = "c", .content = POL_C_TEXT },
    { 0 },
};
static const pol_child minmax_children[] = {
    { .name = "c", .min = 2, .max = 1, .content = POL_C_EMPTY },
    { 0 },
};
static const pol_child unknown_policy_children[] = {
    { .name = "no-such-policy", .policy = "no-such-policy" },
    { 0 },
};
static const pol_child good_children[] = {
    { .name = "when", .min = 1, .content = POL_C_POLICIES },
    { .name = "set-header", .policy = "set-header" },
    { 0 },
};

static void test_checker_accepts(void **state)
{
    (void)state;
    const pol_spec t[] = {
        { .name = "p-one", .sections = POL_SEC_INBOUND, .attrs = good_attrs },
        { .name = "p-two",
          .sections = POL_SEC_ANY,
          .content = POL_C_CHILDREN,
          .children = good_children,
          .flags = POL_UNORDERED },
        { 0 },
    };
    assert_int_equal(rt_policy_table_check(t), 0);
}

static void expect_rejected(const pol_spec *t, const char *what)
{
    if (rt_policy_table_check(t) != -1)
        fail_msg("checker accepted: %s", what);
}

static void test_checker_rejects(void **state)
{
    (void)state;
    const pol_spec dup[] = { { .name = "p", .sections = POL_SEC_ANY },
                             { .name = "q", .sections = POL_SEC_ANY },
                             { .name = "p", .sections = POL_SEC_INBOUND },
                             { 0 } };
    expect_rejected(dup, "duplicate policy");
    const pol_spec empty[] = { { .name = "", .sections = POL_SEC_ANY }, { 0 } };
    expect_rejected(empty, "empty name");
    const pol_spec nosec[] = { { .name = "p", .sections = 0 }, { 0 } };
    expect_rejected(nosec, "no sections");
    const pol_spec badsec[] = { { .name = "p", .sections = 0x10 }, { 0 } };
    expect_rejected(badsec, "unknown section bit");
    const pol_spec da[] = { { .name = "p", .sections = 1, .attrs = dup_attrs }, { 0 } };
    expect_rejected(da, "duplicate attribute");
    const pol_spec ee[] = { { .name = "p", .sections = 1, .attrs = empty_enum_attrs }, { 0 } };
    expect_rejected(ee, "enum without values");
    const pol_spec ne[] = { { .name = "p", .sections = 1, .attrs = null_enum_attrs }, { 0 } };
    expect_rejected(ne, "enum with NULL values");
    const pol_spec bd[] = { { .name = "p", .sections = 1, .attrs = bad_default_attrs }, { 0 } };
    expect_rejected(bd, "defaults outside the type");
    const pol_spec id[] = { { .name = "p", .sections = 1, .attrs = id_attrs }, { 0 } };
    expect_rejected(id, "generic id listed");
    const pol_spec br[] = { { .name = "p", .sections = 1, .attrs = good_attrs, .rules = bad_rules },
                            { 0 } };
    expect_rejected(br, "rule naming an unknown attribute");
    const pol_spec sr[] = {
        { .name = "p", .sections = 1, .attrs = good_attrs, .rules = single_rules }, { 0 }
    };
    expect_rejected(sr, "rule with one attribute");
    const pol_spec uc[] = {
        { .name = "p", .sections = 1, .content = POL_C_CHILDREN, .children = unnamed_children },
        { 0 }
    };
    expect_rejected(uc, "child without a name");
    const pol_spec dc[] = {
        { .name = "p", .sections = 1, .content = POL_C_CHILDREN, .children = dup_children }, { 0 }
    };
    expect_rejected(dc, "duplicate child");
    const pol_spec mm[] = {
        { .name = "p", .sections = 1, .content = POL_C_CHILDREN, .children = minmax_children },
        { 0 }
    };
    expect_rejected(mm, "min > max");
    const pol_spec up[] = { { .name = "p",
                              .sections = 1,
                              .content = POL_C_CHILDREN,
                              .children = unknown_policy_children },
                            { 0 } };
    expect_rejected(up, "child naming an unknown policy");
    const pol_spec nc[] = { { .name = "p", .sections = 1, .content = POL_C_CHILDREN }, { 0 } };
    expect_rejected(nc, "child content without children");
    const pol_spec cc[] = {
        { .name = "p", .sections = 1, .content = POL_C_EMPTY, .children = good_children }, { 0 }
    };
    expect_rejected(cc, "children on an empty element");
    const pol_spec tf[] = {
        { .name = "p", .sections = 1, .content = POL_C_EMPTY, .text_flags = POL_EXPR }, { 0 }
    };
    expect_rejected(tf, "text flags without text");
    const pol_spec uo[] = { { .name = "p", .sections = 1, .flags = POL_UNORDERED }, { 0 } };
    expect_rejected(uo, "unordered without children");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_passes),
        cmocka_unit_test(test_all_found),
        cmocka_unit_test(test_each),
        cmocka_unit_test(test_find_edges),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_children),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_checker_accepts),
        cmocka_unit_test(test_checker_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
