/* Throttling: rate-limit, rate-limit-by-key, quota, quota-by-key, limit-concurrency. */
#include "families.h"

#include <stddef.h>

/* rate-limit's nested limits: <api name|id calls renewal-period><operation .../>*</api> */
static const pol_attr rate_limit_scope_attrs[] = {
    { "name", POL_T_STR, 0, NULL, NULL },
    { "id", POL_T_STR, 0, NULL, NULL },
    { "calls", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { "renewal-period", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { 0 },
};
static const pol_child rate_limit_operation[] = {
    { .name = "operation", .attrs = rate_limit_scope_attrs, .content = POL_C_EMPTY },
    { 0 },
};
static const pol_child rate_limit_children[] = {
    { .name = "api",
      .attrs = rate_limit_scope_attrs,
      .content = POL_C_CHILDREN,
      .children = rate_limit_operation },
    { 0 },
};

/* <rate-limit calls="n" renewal-period="s" retry-after-header-name=... ><api/>*</rate-limit> */
static const pol_attr rate_limit_attrs[] = {
    { "calls", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { "renewal-period", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { "retry-after-header-name", POL_T_STR, 0, "Retry-After", NULL },
    { "retry-after-variable-name", POL_T_STR, 0, NULL, NULL },
    { "remaining-calls-header-name", POL_T_STR, 0, NULL, NULL },
    { "remaining-calls-variable-name", POL_T_STR, 0, NULL, NULL },
    { "total-calls-header-name", POL_T_STR, 0, NULL, NULL },
    { 0 },
};

/* <rate-limit-by-key calls="n" renewal-period="s" counter-key="k" increment-condition="bool"
 *   increment-count="n" .../> */
static const pol_attr rate_limit_by_key_attrs[] = {
    { "calls", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "renewal-period", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "counter-key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "increment-condition", POL_T_BOOL, POL_EXPR, NULL, NULL },
    { "increment-count", POL_T_UINT, POL_EXPR, "1", NULL },
    { "retry-after-header-name", POL_T_STR, 0, "Retry-After", NULL },
    { "retry-after-variable-name", POL_T_STR, 0, NULL, NULL },
    { "remaining-calls-header-name", POL_T_STR, 0, NULL, NULL },
    { "remaining-calls-variable-name", POL_T_STR, 0, NULL, NULL },
    { "total-calls-header-name", POL_T_STR, 0, NULL, NULL },
    /* seen only in the policy toolkit, not in the docs */
    { "increment-after-response", POL_T_BOOL, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "flexible-retry-window", POL_T_BOOL, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { 0 },
};

/* quota's nested limits: <api name|id calls bandwidth renewal-period><operation/>*</api> */
static const pol_attr quota_scope_attrs[] = {
    { "name", POL_T_STR, 0, NULL, NULL },
    { "id", POL_T_STR, 0, NULL, NULL },
    { "calls", POL_T_UINT, 0, NULL, NULL },
    { "bandwidth", POL_T_UINT, 0, NULL, NULL },
    { "renewal-period", POL_T_UINT, 0, NULL, NULL },
    { 0 },
};
static const pol_child quota_operation[] = {
    { .name = "operation", .attrs = quota_scope_attrs, .content = POL_C_EMPTY },
    { 0 },
};
static const pol_child quota_children[] = {
    { .name = "api",
      .attrs = quota_scope_attrs,
      .content = POL_C_CHILDREN,
      .children = quota_operation },
    { 0 },
};

/* <quota calls="n" bandwidth="KB" renewal-period="s"><api/>*</quota> */
static const pol_attr quota_attrs[] = {
    { "calls", POL_T_UINT, 0, NULL, NULL },
    { "bandwidth", POL_T_UINT, 0, NULL, NULL },
    { "renewal-period", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { 0 },
};
static const pol_rule quota_rules[] = {
    { POL_R_AT_LEAST_ONE, "calls|bandwidth" },
    { 0 },
};

/* <quota-by-key calls="n" bandwidth="KB" renewal-period="s" counter-key="k"
 *   increment-condition="bool" increment-count="n" first-period-start="date"/> */
static const pol_attr quota_by_key_attrs[] = {
    { "calls", POL_T_UINT, 0, NULL, NULL },
    { "bandwidth", POL_T_UINT, 0, NULL, NULL },
    { "renewal-period", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { "counter-key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "increment-condition", POL_T_BOOL, POL_EXPR, NULL, NULL },
    { "increment-count", POL_T_UINT, POL_EXPR, "1", NULL },
    { "first-period-start", POL_T_DATETIME, 0, "0001-01-01T00:00:00Z", NULL },
    { 0 },
};

/* <limit-concurrency key="k" max-count="n">policies</limit-concurrency> */
static const pol_attr limit_concurrency_attrs[] = {
    { "key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "max-count", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { 0 },
};

const pol_spec rt_policies_limits[] = {
    { .name = "rate-limit",
      .sections = POL_SEC_INBOUND,
      .attrs = rate_limit_attrs,
      .content = POL_C_CHILDREN,
      .children = rate_limit_children,
      .flags = POL_ONCE },
    { .name = "rate-limit-by-key",
      .sections = POL_SEC_INBOUND,
      .attrs = rate_limit_by_key_attrs,
      .content = POL_C_EMPTY },
    { .name = "quota",
      .sections = POL_SEC_INBOUND,
      .attrs = quota_attrs,
      .content = POL_C_CHILDREN,
      .children = quota_children,
      .rules = quota_rules,
      .flags = POL_ONCE },
    { .name = "quota-by-key",
      .sections = POL_SEC_INBOUND,
      .attrs = quota_by_key_attrs,
      .content = POL_C_EMPTY,
      .rules = quota_rules },
    { .name = "limit-concurrency",
      .sections = POL_SEC_ANY,
      .attrs = limit_concurrency_attrs,
      .content = POL_C_POLICIES },
    { 0 },
};
