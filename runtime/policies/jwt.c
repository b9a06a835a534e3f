/* Token and certificate validation: validate-jwt, validate-azure-ad-token (vocabulary and
 * parse here, execution in jwt_exec.c and jwt_oidc.c), validate-client-certificate. */
#include "families.h"

#include <stddef.h>

#include "jwt_int.h"

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

/* ---- parse (validate-jwt, validate-azure-ad-token) ---- */

static const pol_node *child(const pol_node *el, const char *name)
{
    for (size_t i = 0; i < el->nkids; i++) {
        if (str_eq_cstr(el->kids[i]->name, name))
            return el->kids[i];
    }
    return NULL;
}

/* The texts of the <name> children of the child element `list` of el. */
static int parse_texts(pol_cc *cc, const pol_node *el, const char *list, const char *name,
                       pol_val **out, size_t *n)
{
    const pol_node *l = child(el, list);
    *out = NULL;
    *n = 0;
    if (!l)
        return 0;
    const pol_node **kids;
    *n = pol_cc_children(cc, l, name, &kids);
    if (!*n)
        return 0;
    *out = arena_calloc(cc->a, *n, sizeof **out);
    if (!*out)
        return pol_cc_error(cc, l, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        pol_cc_text(kids[i], &(*out)[i]);
        if (!(*out)[i].present) {
            (*out)[i].present = true;
            (*out)[i].lit = STR_LIT("");
        }
        if (!(*out)[i].ex)
            (*out)[i].lit = str_trim((*out)[i].lit);
    }
    return 0;
}

static void keyset_free_cb(void *p)
{
    rt_jwtv_keyset_free(p);
}

static int parse_key(pol_cc *cc, const pol_node *k, jwt_conf *c)
{
    char err[RT_JWTV_ERR_MAX] = "";
    str id = pol_cc_lit(k, "id", "");
    str cert = pol_cc_lit(k, "certificate-id", NULL);
    str n = pol_cc_lit(k, "n", NULL), e = pol_cc_lit(k, "e", NULL);
    pol_val text;
    pol_cc_text(k, &text);
    if (cert.ptr)
        return pol_cc_error(cc, k,
                            "certificate-id \"%.*s\": certificates uploaded to API "
                            "Management are not available to apimlite; give the key as n/e or "
                            "as base64 text",
                            STR_FMT(cert));
    const pol_attrv *na = pol_node_attr(k, "n"), *ea = pol_node_attr(k, "e");
    if ((text.src && text.src->unresolved) || (na && na->value.unresolved) ||
        (ea && ea->value.unresolved))
        return 0; /* an undefined {{named value}} (no configuration): the key is left out */
    if (text.ex && !n.ptr && !e.ptr) {
        c->dyn_keys[c->ndyn_keys++] = (jwt_key_conf){ .id = id, .text = text };
        return 0;
    }
    if (!c->keys) {
        c->keys = rt_jwtv_keyset_new();
        if (arena_defer(cc->a, keyset_free_cb, c->keys) < 0) {
            rt_jwtv_keyset_free(c->keys);
            c->keys = NULL;
            return pol_cc_error(cc, k, "out of memory");
        }
    }
    if (n.ptr || e.ptr) {
        if (!n.ptr || !e.ptr)
            return pol_cc_error(cc, k, "n and e go together");
        if (rt_jwtv_keyset_add_rsa_ne(c->keys, id, n, e, err) < 0)
            return pol_cc_error(cc, k, "%s", err);
        return 0;
    }
    str b64 = text.present ? str_trim(text.lit) : STR_LIT("");
    if (!b64.len)
        return pol_cc_error(cc, k, "needs a base64 key, or n and e");
    if (rt_jwtv_keyset_add_secret_b64(c->keys, id, b64, err) < 0)
        return pol_cc_error(cc, k, "%s", err);
    return 0;
}

static int parse_claims(pol_cc *cc, const pol_node *el, jwt_conf *c)
{
    const pol_node *l = child(el, "required-claims");
    if (!l)
        return 0;
    const pol_node **kids;
    c->nclaims = pol_cc_children(cc, l, "claim", &kids);
    c->claims = c->nclaims ? arena_calloc(cc->a, c->nclaims, sizeof *c->claims) : NULL;
    if (c->nclaims && !c->claims)
        return pol_cc_error(cc, l, "out of memory");
    for (size_t i = 0; i < c->nclaims; i++) {
        jwt_claim_conf *cl = &c->claims[i];
        cl->name = pol_cc_lit(kids[i], "name", "");
        const pol_attrv *sep = pol_node_attr(kids[i], "separator");
        cl->separator = sep ? sep->value.text : STR_LIT(""); /* " " is a separator: no trim */
        cl->match_any = str_ieq(pol_cc_lit(kids[i], "match", "all"), STR_LIT("any"));
        const pol_node **vals;
        cl->nvalues = pol_cc_children(cc, kids[i], "value", &vals);
        cl->values = cl->nvalues ? arena_calloc(cc->a, cl->nvalues, sizeof *cl->values) : NULL;
        if (cl->nvalues && !cl->values)
            return pol_cc_error(cc, kids[i], "out of memory");
        for (size_t k = 0; k < cl->nvalues; k++) {
            pol_cc_text(vals[k], &cl->values[k]);
            cl->values[k].present = true;
            if (!cl->values[k].ex)
                cl->values[k].lit = str_trim(cl->values[k].lit);
        }
    }
    return 0;
}

/* What both policies share. */
static int parse_common(pol_cc *cc, const pol_node *el, jwt_conf *c)
{
    pol_cc_attr(el, "header-name", &c->header);
    pol_cc_attr(el, "query-parameter-name", &c->query);
    pol_cc_attr(el, "token-value", &c->token);
    if (c->query.present || c->token.present)
        c->header.present = false; /* validate-azure-ad-token's default header */
    pol_cc_attr(el, "failed-validation-httpcode", &c->code);
    pol_cc_attr(el, "failed-validation-error-message", &c->message);
    if (c->message.src && !c->message.ex)
        c->message.lit = c->message.src->text;
    c->out_var = pol_cc_lit(el, "output-token-variable-name", "");
    c->decryption_keys = child(el, "decryption-keys") != NULL;
    if (!c->code.ex && c->code.present) {
        int64_t code = pol_cc_int(el, "failed-validation-httpcode", 401);
        if (code < 100 || code > 599)
            return pol_cc_error(cc, el, "failed-validation-httpcode %lld is not an HTTP status",
                                (long long)code);
    }
    if (parse_texts(cc, el, "audiences", "audience", &c->audiences, &c->naudiences) < 0)
        return -1;
    return parse_claims(cc, el, c);
}

static int validate_jwt_parse(pol_cc *cc, const pol_node *el, void *out)
{
    jwt_conf *c = out;
    pol_cc_attr(el, "require-expiration-time", &c->require_exp);
    pol_cc_attr(el, "require-scheme", &c->scheme);
    pol_cc_attr(el, "require-signed-tokens", &c->require_signed);
    pol_cc_attr(el, "clock-skew", &c->skew);
    if (parse_common(cc, el, c) < 0 ||
        parse_texts(cc, el, "issuers", "issuer", &c->issuers, &c->nissuers) < 0)
        return -1;
    const pol_node **oc;
    c->nopenid = pol_cc_children(cc, el, "openid-config", &oc);
    c->openid = c->nopenid ? arena_calloc(cc->a, c->nopenid, sizeof *c->openid) : NULL;
    if (c->nopenid && !c->openid)
        return pol_cc_error(cc, el, "out of memory");
    for (size_t i = 0; i < c->nopenid; i++)
        pol_cc_attr(oc[i], "url", &c->openid[i]);
    const pol_node *keys = child(el, "issuer-signing-keys");
    if (!keys)
        return 0;
    c->dyn_keys = keys->nkids ? arena_calloc(cc->a, keys->nkids, sizeof *c->dyn_keys) : NULL;
    int rc = 0;
    for (size_t i = 0; i < keys->nkids; i++) {
        if (str_eq_cstr(keys->kids[i]->name, "key") && parse_key(cc, keys->kids[i], c) < 0)
            rc = -1;
    }
    return rc;
}

static int validate_azure_ad_token_parse(pol_cc *cc, const pol_node *el, void *out)
{
    jwt_conf *c = out;
    c->aad = true;
    pol_cc_attr(el, "tenant-id", &c->tenant);
    if (parse_common(cc, el, c) < 0 ||
        parse_texts(cc, el, "client-application-ids", "application-id", &c->client_ids,
                    &c->nclient_ids) < 0 ||
        parse_texts(cc, el, "backend-application-ids", "application-id", &c->backend_ids,
                    &c->nbackend_ids) < 0)
        return -1;
    if (!c->tenant.ex && !c->tenant.lit.len)
        return pol_cc_error(cc, el, "tenant-id is empty");
    return 0;
}

const pol_spec rt_policies_jwt[] = {
    { .name = "validate-jwt",
      .sections = POL_SEC_INBOUND,
      .attrs = validate_jwt_attrs,
      .content = POL_C_CHILDREN,
      .children = validate_jwt_children,
      .rules = validate_jwt_rules,
      .conf_size = sizeof(jwt_conf),
      .parse = validate_jwt_parse,
      .exec = rt_jwt_exec },
    { .name = "validate-azure-ad-token",
      .sections = POL_SEC_INBOUND,
      .attrs = validate_azure_ad_token_attrs,
      .content = POL_C_CHILDREN,
      .children = validate_azure_ad_token_children,
      .rules = validate_azure_ad_token_rules,
      .flags = POL_UNORDERED,
      .conf_size = sizeof(jwt_conf),
      .parse = validate_azure_ad_token_parse,
      .exec = rt_jwt_exec },
    { .name = "validate-client-certificate",
      .sections = POL_SEC_INBOUND,
      .attrs = validate_client_certificate_attrs,
      .content = POL_C_CHILDREN,
      .children = validate_client_certificate_children,
      .flags = POL_UNSUPPORTED_SPEC },
    { 0 },
};
