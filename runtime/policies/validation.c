/* Schema validation against the API definition: validate-content, validate-parameters,
 * validate-headers, validate-status-code, validate-odata-request, validate-graphql-request.
 * apimlite has no API schemas: these load and are validated, not executed. */
#include "families.h"

#include <stddef.h>

static const char *const actions[] = { "ignore", "prevent", "detect", NULL };

/* <validate-content unspecified-content-type-action max-size size-exceeded-action
 *   errors-variable-name>
 *   <content-type-map any-content-type-value missing-content-type-value>
 *     <type from|when to/>* </content-type-map>?
 *   <content type validate-as schema-id schema-ref action allow-additional-properties/>*
 * </validate-content> */
static const pol_attr validate_content_attrs[] = {
    { "unspecified-content-type-action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, actions },
    { "max-size", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { "size-exceeded-action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, actions },
    { "errors-variable-name", POL_T_STR, 0, NULL, NULL },
    { 0 },
};
static const pol_attr type_map_attrs[] = {
    { "from", POL_T_STR, 0, NULL, NULL },
    { "when", POL_T_BOOL, POL_EXPR, NULL, NULL },
    { "to", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { 0 },
};
static const pol_child type_map_children[] = {
    { .name = "type", .attrs = type_map_attrs, .content = POL_C_EMPTY },
    { 0 },
};
static const pol_attr content_type_map_attrs[] = {
    { "any-content-type-value", POL_T_STR, 0, NULL, NULL },
    { "missing-content-type-value", POL_T_STR, 0, NULL, NULL },
    { 0 },
};
static const char *const validate_as_values[] = { "json", "xml", "soap", NULL };
static const pol_attr content_attrs[] = {
    { "type", POL_T_STR, 0, NULL, NULL },
    { "validate-as", POL_T_ENUM, POL_REQUIRED, NULL, validate_as_values },
    { "schema-id", POL_T_STR, 0, NULL, NULL },
    { "schema-ref", POL_T_STR, 0, NULL, NULL },
    { "action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, actions },
    { "allow-additional-properties", POL_T_BOOL, 0, NULL, NULL },
    { 0 },
};
static const pol_child validate_content_children[] = {
    { .name = "content-type-map",
      .max = 1,
      .attrs = content_type_map_attrs,
      .content = POL_C_CHILDREN,
      .children = type_map_children },
    { .name = "content", .attrs = content_attrs, .content = POL_C_EMPTY },
    { 0 },
};

/* <validate-parameters specified-parameter-action unspecified-parameter-action
 *   errors-variable-name> <headers|query|path specified-parameter-action
 *   unspecified-parameter-action><parameter name action/>*</...>* </validate-parameters> */
static const pol_attr parameters_attrs[] = {
    { "specified-parameter-action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, actions },
    { "unspecified-parameter-action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, actions },
    { "errors-variable-name", POL_T_STR, 0, NULL, NULL },
    { 0 },
};
static const pol_attr parameter_group_attrs[] = {
    { "specified-parameter-action", POL_T_ENUM, POL_EXPR, NULL, actions },
    { "unspecified-parameter-action", POL_T_ENUM, POL_EXPR, NULL, actions },
    { 0 },
};
static const pol_attr parameter_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, actions },
    { 0 },
};
static const pol_child parameter_children[] = {
    { .name = "parameter", .attrs = parameter_attrs, .content = POL_C_EMPTY },
    { 0 },
};
static const pol_child validate_parameters_children[] = {
    { .name = "headers",
      .max = 1,
      .attrs = parameter_group_attrs,
      .content = POL_C_CHILDREN,
      .children = parameter_children },
    { .name = "query",
      .max = 1,
      .attrs = parameter_group_attrs,
      .content = POL_C_CHILDREN,
      .children = parameter_children },
    { .name = "path",
      .max = 1,
      .attrs = parameter_group_attrs,
      .content = POL_C_CHILDREN,
      .children = parameter_children },
    { 0 },
};

/* <validate-headers specified-header-action unspecified-header-action errors-variable-name>
 *   <header name action/>* </validate-headers> */
static const pol_attr validate_headers_attrs[] = {
    { "specified-header-action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, actions },
    { "unspecified-header-action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, actions },
    { "errors-variable-name", POL_T_STR, 0, NULL, NULL },
    { 0 },
};
static const pol_attr header_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, actions },
    { 0 },
};
static const pol_child validate_headers_children[] = {
    { .name = "header", .attrs = header_attrs, .content = POL_C_EMPTY },
    { 0 },
};

/* <validate-status-code unspecified-status-code-action errors-variable-name>
 *   <status-code code action/>* </validate-status-code>. The toolkit writes
 *   error-variable-name (as on the OData/GraphQL policies): accepted, deprecated. */
static const pol_attr validate_status_code_attrs[] = {
    { "unspecified-status-code-action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, actions },
    { "errors-variable-name", POL_T_STR, 0, NULL, NULL },
    { "error-variable-name", POL_T_STR, POL_DEPRECATED, NULL, NULL },
    { 0 },
};
static const pol_rule validate_status_code_rules[] = {
    { POL_R_AT_MOST_ONE, "errors-variable-name|error-variable-name" },
    { 0 },
};
static const pol_attr status_code_attrs[] = {
    { "code", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { "action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, actions },
    { 0 },
};
static const pol_child validate_status_code_children[] = {
    { .name = "status-code", .attrs = status_code_attrs, .content = POL_C_EMPTY },
    { 0 },
};

/* <validate-odata-request error-variable-name default-odata-version min-odata-version
 *   max-odata-version max-size/> */
static const pol_attr validate_odata_request_attrs[] = {
    { "error-variable-name", POL_T_STR, 0, NULL, NULL },
    { "default-odata-version", POL_T_STR, 0, "4.01", NULL },
    { "min-odata-version", POL_T_STR, 0, NULL, NULL },
    { "max-odata-version", POL_T_STR, 0, NULL, NULL },
    { "max-size", POL_T_UINT, 0, NULL, NULL },
    { 0 },
};

/* <validate-graphql-request error-variable-name max-size max-depth>
 *   <authorize><rule path action="allow|remove|reject|ignore"/>+</authorize>?
 * </validate-graphql-request> */
static const pol_attr validate_graphql_request_attrs[] = {
    { "error-variable-name", POL_T_STR, 0, NULL, NULL },
    { "max-size", POL_T_UINT, POL_REQUIRED, NULL, NULL },
    { "max-depth", POL_T_UINT, 0, "6", NULL },
    { 0 },
};
static const char *const graphql_actions[] = { "allow", "remove", "reject", "ignore", NULL };
static const pol_attr rule_attrs[] = {
    { "path", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "action", POL_T_ENUM, POL_EXPR, "allow", graphql_actions },
    { 0 },
};
static const pol_child rule_children[] = {
    { .name = "rule", .min = 1, .attrs = rule_attrs, .content = POL_C_EMPTY },
    { 0 },
};
static const pol_child validate_graphql_request_children[] = {
    { .name = "authorize", .max = 1, .content = POL_C_CHILDREN, .children = rule_children },
    { 0 },
};

const pol_spec rt_policies_validation[] = {
    { .name = "validate-content",
      .sections = POL_SEC_INBOUND | POL_SEC_OUTBOUND | POL_SEC_ON_ERROR,
      .attrs = validate_content_attrs,
      .content = POL_C_CHILDREN,
      .children = validate_content_children,
      .flags = POL_UNSUPPORTED_SPEC },
    { .name = "validate-parameters",
      .sections = POL_SEC_INBOUND,
      .attrs = parameters_attrs,
      .content = POL_C_CHILDREN,
      .children = validate_parameters_children,
      .flags = POL_UNSUPPORTED_SPEC },
    { .name = "validate-headers",
      .sections = POL_SEC_OUTBOUND | POL_SEC_ON_ERROR,
      .attrs = validate_headers_attrs,
      .content = POL_C_CHILDREN,
      .children = validate_headers_children,
      .flags = POL_UNSUPPORTED_SPEC },
    { .name = "validate-status-code",
      .sections = POL_SEC_OUTBOUND | POL_SEC_ON_ERROR,
      .attrs = validate_status_code_attrs,
      .content = POL_C_CHILDREN,
      .children = validate_status_code_children,
      .rules = validate_status_code_rules,
      .flags = POL_UNSUPPORTED_SPEC },
    { .name = "validate-odata-request",
      .sections = POL_SEC_INBOUND,
      .attrs = validate_odata_request_attrs,
      .content = POL_C_EMPTY,
      .flags = POL_UNSUPPORTED_SPEC },
    { .name = "validate-graphql-request",
      .sections = POL_SEC_INBOUND,
      .attrs = validate_graphql_request_attrs,
      .content = POL_C_CHILDREN,
      .children = validate_graphql_request_children,
      .flags = POL_UNSUPPORTED_SPEC },
    { 0 },
};
