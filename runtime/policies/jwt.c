/* Token and certificate validation: validate-jwt, validate-azure-ad-token,
 * validate-client-certificate. */
#include "families.h"

#include <stddef.h>

/* <key id="kid" certificate-id="c" n="mod" e="exp">base64</key>: a symmetric key as text, or an
 * RSA key by certificate-id or n+e (parse checks the combination). */
static const pol_attr key_attrs[] = {
    { "id", POL_T_STR, 0, NULL, NULL },
    { "certificate-id", POL_T_STR, 0, NULL, NULL },
    { "n", POL_T_STR, 0, NULL, NULL },
    { "e", POL_T_STR, 0, NULL, NULL },
    { 0 },
};
static const pol_child key_children[] = {
    { .name = "key", .min = 1, .attrs = key_attrs, .content = POL_C_TEXT, .text_flags = POL_EXPR },
    { 0 },
};
static const pol_child audience_children[] = {
    { .name = "audience", .min = 1, .content = POL_C_TEXT, .text_flags = POL_EXPR | POL_REQUIRED },
    { 0 },
};
static const pol_child issuer_children[] = {
    { .name = "issuer", .min = 1, .content = POL_C_TEXT, .text_flags = POL_EXPR | POL_REQUIRED },
    { 0 },
};

/* <claim name="c" match="all|any" separator=","><value>v</value>*</claim> */
static const char *const claim_matches[] = { "all", "any", NULL };
static const pol_attr claim_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "match", POL_T_ENUM, 0, "all", claim_matches },
    { "separator", POL_T_STR, 0, NULL, NULL },
    { 0 },
};
static const pol_child claim_value_children[] = {
    { .name = "value", .content = POL_C_TEXT, .text_flags = POL_EXPR },
    { 0 },
};
static const pol_child claim_children[] = {
    { .name = "claim",
      .min = 1,
      .attrs = claim_attrs,
      .content = POL_C_CHILDREN,
      .children = claim_value_children },
    { 0 },
};

static const pol_attr openid_config_attrs[] = {
    { "url", POL_T_URL, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};

/* <validate-jwt header-name | query-parameter-name | token-value ...>
 *   <openid-config url/>* <issuer-signing-keys/>? <decryption-keys/>? <audiences/>?
 *   <issuers/>? <required-claims/>? </validate-jwt> */
static const pol_attr validate_jwt_attrs[] = {
    { "header-name", POL_T_STR, POL_EXPR, NULL, NULL },
    { "query-parameter-name", POL_T_STR, POL_EXPR, NULL, NULL },
    { "token-value", POL_T_STR, POL_EXPR, NULL, NULL },
    { "failed-validation-httpcode", POL_T_UINT, POL_EXPR, "401", NULL },
    { "failed-validation-error-message", POL_T_STR, POL_EXPR, NULL, NULL },
    { "require-expiration-time", POL_T_BOOL, POL_EXPR, "true", NULL },
    { "require-scheme", POL_T_STR, POL_EXPR, NULL, NULL },
    { "require-signed-tokens", POL_T_BOOL, POL_EXPR, "true", NULL },
    { "clock-skew", POL_T_UINT, POL_EXPR, "0", NULL },
    { "output-token-variable-name", POL_T_STR, 0, NULL, NULL },
    { 0 },
};
static const pol_rule validate_jwt_rules[] = {
    { POL_R_EXACTLY_ONE, "header-name|query-parameter-name|token-value" },
    { 0 },
};
static const pol_child validate_jwt_children[] = {
    { .name = "openid-config", .attrs = openid_config_attrs, .content = POL_C_EMPTY },
    { .name = "issuer-signing-keys",
      .max = 1,
      .content = POL_C_CHILDREN,
      .children = key_children },
    { .name = "decryption-keys", .max = 1, .content = POL_C_CHILDREN, .children = key_children },
    { .name = "audiences", .max = 1, .content = POL_C_CHILDREN, .children = audience_children },
    { .name = "issuers", .max = 1, .content = POL_C_CHILDREN, .children = issuer_children },
    { .name = "required-claims", .max = 1, .content = POL_C_CHILDREN, .children = claim_children },
    { 0 },
};

/* <validate-azure-ad-token tenant-id="t" header-name="Authorization" | query-parameter-name |
 *   token-value ...> <client-application-ids/> <backend-application-ids/>? <audiences/>?
 *   <required-claims/>? <decryption-keys/>? </validate-azure-ad-token> */
static const pol_attr validate_azure_ad_token_attrs[] = {
    { "tenant-id", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "header-name", POL_T_STR, POL_EXPR, "Authorization", NULL },
    { "query-parameter-name", POL_T_STR, POL_EXPR, NULL, NULL },
    { "token-value", POL_T_STR, POL_EXPR, NULL, NULL },
    { "failed-validation-httpcode", POL_T_UINT, POL_EXPR, "401", NULL },
    { "failed-validation-error-message", POL_T_STR, POL_EXPR, NULL, NULL },
    { "output-token-variable-name", POL_T_STR, 0, NULL, NULL },
    { 0 },
};
static const pol_rule validate_azure_ad_token_rules[] = {
    { POL_R_AT_MOST_ONE, "header-name|query-parameter-name|token-value" },
    { 0 },
};
static const pol_child application_id_children[] = {
    { .name = "application-id",
      .min = 1,
      .content = POL_C_TEXT,
      .text_flags = POL_EXPR | POL_REQUIRED },
    { 0 },
};
static const pol_child validate_azure_ad_token_children[] = {
    { .name = "client-application-ids",
      .max = 1,
      .content = POL_C_CHILDREN,
      .children = application_id_children },
    { .name = "backend-application-ids",
      .max = 1,
      .content = POL_C_CHILDREN,
      .children = application_id_children },
    { .name = "audiences", .max = 1, .content = POL_C_CHILDREN, .children = audience_children },
    { .name = "required-claims", .max = 1, .content = POL_C_CHILDREN, .children = claim_children },
    { .name = "decryption-keys", .max = 1, .content = POL_C_CHILDREN, .children = key_children },
    { 0 },
};

/* <validate-client-certificate validate-revocation validate-trust validate-not-before
 *   validate-not-after ignore-error><identities><identity .../>+</identities>?
 * </validate-client-certificate> */
static const pol_attr validate_client_certificate_attrs[] = {
    { "validate-revocation", POL_T_BOOL, 0, "true", NULL },
    { "validate-trust", POL_T_BOOL, 0, "true", NULL },
    { "validate-not-before", POL_T_BOOL, 0, "true", NULL },
    { "validate-not-after", POL_T_BOOL, 0, "true", NULL },
    { "ignore-error", POL_T_BOOL, 0, "false", NULL },
    { 0 },
};
static const pol_attr identity_attrs[] = {
    { "thumbprint", POL_T_STR, 0, NULL, NULL },
    { "serial-number", POL_T_STR, 0, NULL, NULL },
    { "common-name", POL_T_STR, 0, NULL, NULL },
    { "subject", POL_T_STR, 0, NULL, NULL },
    { "dns-name", POL_T_STR, 0, NULL, NULL },
    { "issuer-subject", POL_T_STR, 0, NULL, NULL },
    { "issuer-thumbprint", POL_T_STR, 0, NULL, NULL },
    { "issuer-certificate-id", POL_T_STR, 0, NULL, NULL },
    { 0 },
};
static const pol_child identity_children[] = {
    { .name = "identity", .min = 1, .attrs = identity_attrs, .content = POL_C_EMPTY },
    { 0 },
};
static const pol_child validate_client_certificate_children[] = {
    { .name = "identities", .max = 1, .content = POL_C_CHILDREN, .children = identity_children },
    { 0 },
};

const pol_spec rt_policies_jwt[] = {
    { .name = "validate-jwt",
      .sections = POL_SEC_INBOUND,
      .attrs = validate_jwt_attrs,
      .content = POL_C_CHILDREN,
      .children = validate_jwt_children,
      .rules = validate_jwt_rules },
    { .name = "validate-azure-ad-token",
      .sections = POL_SEC_INBOUND,
      .attrs = validate_azure_ad_token_attrs,
      .content = POL_C_CHILDREN,
      .children = validate_azure_ad_token_children,
      .rules = validate_azure_ad_token_rules,
      .flags = POL_UNORDERED },
    { .name = "validate-client-certificate",
      .sections = POL_SEC_INBOUND,
      .attrs = validate_client_certificate_attrs,
      .content = POL_C_CHILDREN,
      .children = validate_client_certificate_children,
      .flags = POL_UNSUPPORTED_SPEC },
    { 0 },
};
