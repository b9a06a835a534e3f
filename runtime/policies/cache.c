/* Response and value caching: cache-lookup, cache-store, cache-lookup-value,
 * cache-store-value, cache-remove-value (and the toolkit's cache-value). */
#include "families.h"

#include <stddef.h>

const char *const rt_pv_caching_type[] = { "internal", "external", "prefer-external", NULL };

static const char *const downstream_caching_types[] = { "none", "private", "public", NULL };

/* <cache-lookup vary-by-developer="bool" vary-by-developer-groups="bool" caching-type=...
 *   downstream-caching-type="none|private|public" must-revalidate="bool"
 *   allow-private-response-caching="bool">
 *   <vary-by-header>h</vary-by-header>* <vary-by-query-parameter>q</vary-by-query-parameter>*
 * </cache-lookup> */
static const pol_attr cache_lookup_attrs[] = {
    { "vary-by-developer", POL_T_BOOL, POL_REQUIRED | POL_EXPR, "false", NULL },
    { "vary-by-developer-groups", POL_T_BOOL, POL_REQUIRED | POL_EXPR, "false", NULL },
    { "caching-type", POL_T_ENUM, 0, "prefer-external", rt_pv_caching_type },
    { "downstream-caching-type", POL_T_ENUM, POL_EXPR, "none", downstream_caching_types },
    { "must-revalidate", POL_T_BOOL, POL_EXPR, "true", NULL },
    { "allow-private-response-caching", POL_T_BOOL, POL_EXPR, "false", NULL },
    { 0 },
};
static const pol_child cache_lookup_children[] = {
    { .name = "vary-by-header", .content = POL_C_TEXT, .text_flags = POL_REQUIRED },
    { .name = "vary-by-query-parameter", .content = POL_C_TEXT, .text_flags = POL_REQUIRED },
    { 0 },
};

/* <cache-store duration="s" cache-response="bool"/> */
static const pol_attr cache_store_attrs[] = {
    { "duration", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "cache-response", POL_T_BOOL, POL_EXPR, NULL, NULL },
    { 0 },
};

/* <cache-lookup-value key="k" variable-name="v" default-value="d" caching-type=.../> */
static const pol_attr cache_lookup_value_attrs[] = {
    { "key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "variable-name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "default-value", POL_T_STR, POL_EXPR, NULL, NULL },
    { "caching-type", POL_T_ENUM, 0, "prefer-external", rt_pv_caching_type },
    { 0 },
};

/* <cache-store-value key="k" value="v" duration="s" caching-type=.../> */
static const pol_attr cache_store_value_attrs[] = {
    { "key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "value", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "duration", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "caching-type", POL_T_ENUM, 0, "prefer-external", rt_pv_caching_type },
    { 0 },
};

/* <cache-remove-value key="k" caching-type=.../> */
static const pol_attr cache_remove_value_attrs[] = {
    { "key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "caching-type", POL_T_ENUM, 0, "prefer-external", rt_pv_caching_type },
    { 0 },
};

/* Policy toolkit only, not APIM: <cache-value key variable-name expires-after caching-type>
 * <value>policies computing the value</value></cache-value>. */
static const pol_attr cache_value_attrs[] = {
    { "key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "variable-name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "expires-after", POL_T_UINT, POL_EXPR, NULL, NULL },
    { "caching-type", POL_T_ENUM, 0, "prefer-external", rt_pv_caching_type },
    { 0 },
};
static const pol_child cache_value_children[] = {
    { .name = "value", .min = 1, .max = 1, .content = POL_C_POLICIES },
    { 0 },
};

const pol_spec rt_policies_cache[] = {
    { .name = "cache-lookup",
      .sections = POL_SEC_INBOUND,
      .attrs = cache_lookup_attrs,
      .content = POL_C_CHILDREN,
      .children = cache_lookup_children,
      .flags = POL_ONCE | POL_UNORDERED },
    { .name = "cache-store",
      .sections = POL_SEC_OUTBOUND,
      .attrs = cache_store_attrs,
      .content = POL_C_EMPTY,
      .flags = POL_ONCE },
    { .name = "cache-lookup-value",
      .sections = POL_SEC_ANY,
      .attrs = cache_lookup_value_attrs,
      .content = POL_C_EMPTY },
    { .name = "cache-store-value",
      .sections = POL_SEC_ANY,
      .attrs = cache_store_value_attrs,
      .content = POL_C_EMPTY },
    { .name = "cache-remove-value",
      .sections = POL_SEC_ANY,
      .attrs = cache_remove_value_attrs,
      .content = POL_C_EMPTY },
    { .name = "cache-value",
      .sections = POL_SEC_ANY,
      .attrs = cache_value_attrs,
      .content = POL_C_CHILDREN,
      .children = cache_value_children,
      .flags = POL_UNSUPPORTED_SPEC | POL_DEPRECATED_SPEC },
    { 0 },
};
