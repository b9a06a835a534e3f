/* Backend authentication: authentication-basic, authentication-certificate,
 * authentication-managed-identity, get-authorization-context. */
#include "families.h"

#include <stddef.h>

/* <authentication-basic username="u" password="p"/> */
static const pol_attr authentication_basic_attrs[] = {
    { "username", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "password", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};

/* <authentication-certificate thumbprint="t" | certificate-id="id" | body="@(bytes)"
 *   password="p"/> */
static const pol_attr authentication_certificate_attrs[] = {
    { "thumbprint", POL_T_STR, POL_EXPR, NULL, NULL },
    { "certificate-id", POL_T_STR, POL_EXPR, NULL, NULL },
    { "body", POL_T_STR, POL_EXPR, NULL, NULL },
    { "password", POL_T_STR, POL_EXPR, NULL, NULL },
    { 0 },
};
static const pol_rule authentication_certificate_rules[] = {
    { POL_R_EXACTLY_ONE, "thumbprint|certificate-id|body" },
    { 0 },
};

/* <authentication-managed-identity resource="uri" client-id="id"
 *   output-token-variable-name="v" ignore-error="bool"/> */
static const pol_attr authentication_managed_identity_attrs[] = {
    { "resource", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "client-id", POL_T_STR, 0, NULL, NULL },
    { "output-token-variable-name", POL_T_STR, 0, NULL, NULL },
    { "ignore-error", POL_T_BOOL, 0, "false", NULL },
    { 0 },
};

/* <get-authorization-context provider-id="p" authorization-id="a" context-variable-name="v"
 *   identity-type="managed|jwt" identity="token" ignore-error="bool"/> */
static const char *const identity_types[] = { "managed", "jwt", NULL };
static const pol_attr get_authorization_context_attrs[] = {
    { "provider-id", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "authorization-id", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "context-variable-name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "identity-type", POL_T_ENUM, POL_EXPR, "managed", identity_types },
    { "identity", POL_T_STR, POL_EXPR, NULL, NULL },
    { "ignore-error", POL_T_BOOL, 0, "false", NULL },
    { 0 },
};

const pol_spec rt_policies_auth[] = {
    { .name = "authentication-basic",
      .sections = POL_SEC_INBOUND,
      .attrs = authentication_basic_attrs,
      .content = POL_C_EMPTY },
    { .name = "authentication-certificate",
      .sections = POL_SEC_INBOUND,
      .attrs = authentication_certificate_attrs,
      .content = POL_C_EMPTY,
      .rules = authentication_certificate_rules },
    { .name = "authentication-managed-identity",
      .sections = POL_SEC_INBOUND,
      .attrs = authentication_managed_identity_attrs,
      .content = POL_C_EMPTY },
    { .name = "get-authorization-context",
      .sections = POL_SEC_INBOUND,
      .attrs = get_authorization_context_attrs,
      .content = POL_C_EMPTY,
      .flags = POL_UNSUPPORTED_SPEC },
    { 0 },
};
