/* Control flow: choose, retry, wait, include-fragment, and the policies that stop the pipeline
 * with a response: return-response, mock-response (limit-concurrency is in limits.c). */
#include "families.h"

#include <stddef.h>

/* <choose><when condition="bool">policies</when>+<otherwise>policies</otherwise>?</choose> */
static const pol_attr when_attrs[] = {
    { "condition", POL_T_BOOL, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};

static const pol_child choose_children[] = {
    { .name = "when", .min = 1, .max = 0, .attrs = when_attrs, .content = POL_C_POLICIES },
    { .name = "otherwise", .min = 0, .max = 1, .content = POL_C_POLICIES },
    { 0 },
};

/* <retry condition="bool" count="n" interval="s" max-interval="s" delta="s"
 *   first-fast-retry="bool">policies</retry> */
static const pol_attr retry_attrs[] = {
    { "condition", POL_T_BOOL, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "count", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "interval", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "max-interval", POL_T_UINT, POL_EXPR, NULL, NULL },
    { "delta", POL_T_UINT, POL_EXPR, NULL, NULL },
    { "first-fast-retry", POL_T_BOOL, POL_EXPR, "false", NULL },
    { 0 },
};

/* <wait for="all|any">send-request | cache-lookup-value | choose ...</wait> */
static const char *const wait_for_values[] = { "all", "any", NULL };
static const pol_attr wait_attrs[] = {
    { "for", POL_T_ENUM, POL_EXPR, "all", wait_for_values },
    { 0 },
};

/* <include-fragment fragment-id="id"/> */
static const pol_attr include_fragment_attrs[] = {
    { "fragment-id", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { 0 },
};

/* <return-response response-variable-name="v"><set-status/>?<set-header/>*<set-body/>?
 * </return-response>: each child is validated as that policy. */
static const pol_attr return_response_attrs[] = {
    { "response-variable-name", POL_T_STR, 0, NULL, NULL },
    { 0 },
};

static const pol_child return_response_children[] = {
    { .name = "set-status", .min = 0, .max = 1, .policy = "set-status" },
    { .name = "set-header", .min = 0, .max = 0, .policy = "set-header" },
    { .name = "set-body", .min = 0, .max = 1, .policy = "set-body" },
    { 0 },
};

/* <mock-response status-code="200" content-type="application/json" index="n"/> */
static const pol_attr mock_response_attrs[] = {
    { "status-code", POL_T_UINT, 0, "200", NULL },
    { "content-type", POL_T_STR, 0, NULL, NULL },
    { "index", POL_T_UINT, 0, NULL, NULL }, /* toolkit: which example */
    { 0 },
};

const pol_spec rt_policies_flow[] = {
    { .name = "choose",
      .sections = POL_SEC_ANY,
      .content = POL_C_CHILDREN,
      .children = choose_children },
    { .name = "retry", .sections = POL_SEC_ANY, .attrs = retry_attrs, .content = POL_C_POLICIES },
    { .name = "wait",
      .sections = POL_SEC_INBOUND | POL_SEC_BACKEND | POL_SEC_OUTBOUND,
      .attrs = wait_attrs,
      .content = POL_C_POLICIES },
    { .name = "include-fragment",
      .sections = POL_SEC_ANY,
      .attrs = include_fragment_attrs,
      .content = POL_C_EMPTY },
    { .name = "return-response",
      .sections = POL_SEC_ANY,
      .attrs = return_response_attrs,
      .content = POL_C_CHILDREN,
      .children = return_response_children },
    { .name = "mock-response",
      .sections = POL_SEC_INBOUND | POL_SEC_OUTBOUND | POL_SEC_ON_ERROR,
      .attrs = mock_response_attrs,
      .content = POL_C_EMPTY },
    { 0 },
};
