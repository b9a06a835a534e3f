/* Access control and cross-domain: ip-filter, check-header, cors, cross-domain, jsonp. */
#include "families.h"

#include <stddef.h>

/* <ip-filter action="allow|forbid"><address>ip</address>*<address-range from to/>*</ip-filter>
 * (the docs want at least one address or range; parse checks that) */
static const char *const ip_filter_actions[] = { "allow", "forbid", NULL };
static const pol_attr ip_filter_attrs[] = {
    { "action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, ip_filter_actions },
    { 0 },
};
static const pol_attr address_range_attrs[] = {
    { "from", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "to", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};
static const pol_child ip_filter_children[] = {
    { .name = "address", .content = POL_C_TEXT, .text_flags = POL_EXPR | POL_REQUIRED },
    { .name = "address-range", .attrs = address_range_attrs, .content = POL_C_EMPTY },
    { 0 },
};

/* <check-header name="h" failed-check-httpcode="401" failed-check-error-message="m"
 *   ignore-case="bool"><value>v</value>*</check-header> */
static const pol_attr check_header_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "failed-check-httpcode", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "failed-check-error-message", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "ignore-case", POL_T_BOOL, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};
static const pol_child check_header_children[] = {
    { .name = "value", .content = POL_C_TEXT, .text_flags = POL_EXPR },
    { 0 },
};

/* <cors allow-credentials="bool" terminate-unmatched-request="bool">
 *   <allowed-origins><origin>*|uri</origin>+</allowed-origins>
 *   <allowed-methods preflight-result-max-age="s"><method>GET|*</method>*</allowed-methods>?
 *   <allowed-headers><header>h</header>+</allowed-headers>
 *   <expose-headers><header>h</header>+</expose-headers>? </cors>
 * terminate-unmatched-request defaults to true (spec/policies.md [impl]). The docs say "once per
 * policy section", but cors may sit at several scopes (the first one wins): not POL_ONCE. */
static const pol_attr cors_attrs[] = {
    { "allow-credentials", POL_T_BOOL, POL_EXPR, "false", NULL },
    { "terminate-unmatched-request", POL_T_BOOL, POL_EXPR, "true", NULL },
    { 0 },
};
static const pol_child origin_children[] = {
    { .name = "origin", .min = 1, .content = POL_C_TEXT, .text_flags = POL_EXPR | POL_REQUIRED },
    { 0 },
};
static const pol_child method_children[] = {
    { .name = "method", .min = 1, .content = POL_C_TEXT, .text_flags = POL_EXPR | POL_REQUIRED },
    { 0 },
};
static const pol_child header_children[] = {
    { .name = "header", .min = 1, .content = POL_C_TEXT, .text_flags = POL_EXPR | POL_REQUIRED },
    { 0 },
};
static const pol_attr allowed_methods_attrs[] = {
    { "preflight-result-max-age", POL_T_UINT, POL_EXPR, "0", NULL },
    { 0 },
};
static const pol_child cors_children[] = {
    { .name = "allowed-origins",
      .min = 1,
      .max = 1,
      .content = POL_C_CHILDREN,
      .children = origin_children },
    { .name = "allowed-methods",
      .min = 0,
      .max = 1,
      .attrs = allowed_methods_attrs,
      .content = POL_C_CHILDREN,
      .children = method_children },
    { .name = "allowed-headers",
      .min = 1,
      .max = 1,
      .content = POL_C_CHILDREN,
      .children = header_children },
    { .name = "expose-headers",
      .min = 0,
      .max = 1,
      .content = POL_C_CHILDREN,
      .children = header_children },
    { 0 },
};

/* <jsonp callback-parameter-name="cb"/> */
static const pol_attr jsonp_attrs[] = {
    { "callback-parameter-name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { 0 },
};

const pol_spec rt_policies_access[] = {
    { .name = "ip-filter",
      .sections = POL_SEC_INBOUND,
      .attrs = ip_filter_attrs,
      .content = POL_C_CHILDREN,
      .children = ip_filter_children },
    { .name = "check-header",
      .sections = POL_SEC_INBOUND,
      .attrs = check_header_attrs,
      .content = POL_C_CHILDREN,
      .children = check_header_children },
    { .name = "cors",
      .sections = POL_SEC_INBOUND,
      .attrs = cors_attrs,
      .content = POL_C_CHILDREN,
      .children = cors_children },
    /* <cross-domain><cross-domain-policy>Flash policy</cross-domain-policy></cross-domain> */
    { .name = "cross-domain",
      .sections = POL_SEC_INBOUND,
      .content = POL_C_OPAQUE,
      .flags = POL_UNSUPPORTED_SPEC },
    { .name = "jsonp", .sections = POL_SEC_OUTBOUND, .attrs = jsonp_attrs, .content = POL_C_EMPTY },
    { 0 },
};
