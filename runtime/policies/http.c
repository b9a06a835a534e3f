/* Routing and HTTP calls: forward-request, set-backend-service, send-request,
 * send-one-way-request, set-method, set-status, proxy. */
#include "families.h"

#include <stddef.h>

/* <forward-request timeout="s" | timeout-ms="ms" continue-timeout="s" http-version="1|2|2or1"
 *   follow-redirects="bool" buffer-request-body="bool" buffer-response="bool"
 *   fail-on-error-status-code="bool"/> */
static const char *const http_versions[] = { "1", "2", "2or1", NULL };
static const pol_attr forward_request_attrs[] = {
    { "timeout", POL_T_UINT, POL_EXPR, "300", NULL },
    { "timeout-ms", POL_T_UINT, POL_EXPR, NULL, NULL },
    { "continue-timeout", POL_T_UINT, POL_EXPR, NULL, NULL },
    { "http-version", POL_T_ENUM, 0, "1", http_versions },
    { "follow-redirects", POL_T_BOOL, POL_EXPR, "false", NULL },
    { "buffer-request-body", POL_T_BOOL, 0, "false", NULL },
    { "buffer-response", POL_T_BOOL, 0, "true", NULL },
    { "fail-on-error-status-code", POL_T_BOOL, 0, "false", NULL },
    { 0 },
};
static const pol_rule forward_request_rules[] = {
    { POL_R_AT_MOST_ONE, "timeout|timeout-ms" },
    { 0 },
};

/* <set-backend-service base-url="url" | backend-id="id" [Service Fabric: sf-*] [Dapr:
 * backend-id="dapr" dapr-app-id dapr-method dapr-namespace]/> */
static const char *const sf_replica_types[] = { "primary", "secondary", NULL };
static const pol_attr set_backend_service_attrs[] = {
    { "base-url", POL_T_STR, POL_EXPR, NULL, NULL }, /* a real document has base-url="" */
    { "backend-id", POL_T_STR, POL_EXPR, NULL, NULL },
    { "sf-resolve-condition", POL_T_BOOL, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "sf-service-instance-name", POL_T_STR, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "sf-partition-key", POL_T_STR, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "sf-replica-type", POL_T_ENUM, POL_UNSUPPORTED, "primary", sf_replica_types },
    { "sf-listener-name", POL_T_STR, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "dapr-app-id", POL_T_STR, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "dapr-method", POL_T_STR, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "dapr-namespace", POL_T_STR, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { 0 },
};
static const pol_rule set_backend_service_rules[] = {
    { POL_R_EXACTLY_ONE, "base-url|backend-id" },
    { POL_R_AT_MOST_ONE, "base-url|dapr-app-id" },
    { POL_R_AT_MOST_ONE, "base-url|sf-service-instance-name" },
    { 0 },
};

static const char *const send_modes[] = { "new", "copy", NULL };

/* <send-request mode="new|copy" response-variable-name="v" timeout="s" ignore-error="bool">
 *   <set-url>url</set-url> <set-method>m</set-method> <set-header/>* <set-body/>
 *   <authentication-certificate/> <authentication-managed-identity/> <proxy/>
 * </send-request>. set-url is required unless mode="copy" (checked by parse). */
static const pol_attr send_request_attrs[] = {
    { "mode", POL_T_ENUM, POL_EXPR, "new", send_modes },
    { "response-variable-name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "timeout", POL_T_UINT, POL_EXPR, "60", NULL },
    { "ignore-error", POL_T_BOOL, 0, "false", NULL },
    { 0 },
};

static const pol_child send_request_children[] = {
    { .name = "set-url",
      .min = 0,
      .max = 1,
      .content = POL_C_TEXT,
      .text_flags = POL_EXPR | POL_REQUIRED },
    { .name = "set-method", .min = 0, .max = 1, .policy = "set-method" },
    { .name = "set-header", .min = 0, .max = 0, .policy = "set-header" },
    { .name = "set-body", .min = 0, .max = 1, .policy = "set-body" },
    { .name = "authentication-certificate",
      .min = 0,
      .max = 1,
      .policy = "authentication-certificate" },
    { .name = "authentication-managed-identity",
      .min = 0,
      .max = 1,
      .policy = "authentication-managed-identity" },
    { .name = "proxy", .min = 0, .max = 1, .policy = "proxy" },
    { 0 },
};

/* <send-one-way-request mode="new|copy" timeout="s"> same children </send-one-way-request> */
static const pol_attr send_one_way_request_attrs[] = {
    { "mode", POL_T_ENUM, POL_EXPR, "new", send_modes },
    { "timeout", POL_T_UINT, POL_EXPR, "60", NULL },
    { 0 },
};

/* <set-status code="200" reason="OK"/>. The docs list reason as required, real documents
 * omit it: optional here. */
static const pol_attr set_status_attrs[] = {
    { "code", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "reason", POL_T_STR, POL_EXPR, NULL, NULL },
    { 0 },
};

/* <proxy url="http://host:port" username="u" password="p"/> */
static const pol_attr proxy_attrs[] = {
    { "url", POL_T_URL, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "username", POL_T_STR, POL_EXPR, NULL, NULL },
    { "password", POL_T_STR, POL_EXPR, NULL, NULL },
    { 0 },
};

const pol_spec rt_policies_http[] = {
    { .name = "forward-request",
      .sections = POL_SEC_BACKEND,
      .attrs = forward_request_attrs,
      .content = POL_C_EMPTY,
      .rules = forward_request_rules },
    /* The docs say inbound and backend; a deployed document calls it in an outbound retry. */
    { .name = "set-backend-service",
      .sections = POL_SEC_INBOUND | POL_SEC_BACKEND | POL_SEC_OUTBOUND,
      .attrs = set_backend_service_attrs,
      .content = POL_C_EMPTY,
      .rules = set_backend_service_rules },
    { .name = "send-request",
      .sections = POL_SEC_ANY,
      .attrs = send_request_attrs,
      .content = POL_C_CHILDREN,
      .children = send_request_children },
    { .name = "send-one-way-request",
      .sections = POL_SEC_ANY,
      .attrs = send_one_way_request_attrs,
      .content = POL_C_CHILDREN,
      .children = send_request_children },
    /* <set-method>GET</set-method> */
    { .name = "set-method",
      .sections = POL_SEC_INBOUND | POL_SEC_ON_ERROR,
      .content = POL_C_TEXT,
      .text_flags = POL_EXPR | POL_REQUIRED },
    { .name = "set-status",
      .sections = POL_SEC_ANY,
      .attrs = set_status_attrs,
      .content = POL_C_EMPTY },
    { .name = "proxy", .sections = POL_SEC_INBOUND, .attrs = proxy_attrs, .content = POL_C_EMPTY },
    { 0 },
};
