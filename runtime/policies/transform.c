/* Message transformation: set-body, rewrite-uri, find-and-replace, json-to-xml, xml-to-json,
 * xsl-transform, redirect-content-urls. */
#include "families.h"

#include <stddef.h>

const char *const rt_pv_liquid[] = { "liquid", NULL };

static const char *const xsi_nil_values[] = { "blank", "null", NULL };

/* <set-body template="liquid" xsi-nil="blank|null" parse-date="bool">body</set-body>: the body
 * is a literal (JSON, XML, a Liquid template) or one expression, kept as raw text. */
static const pol_attr set_body_attrs[] = {
    { "template", POL_T_ENUM, 0, NULL, rt_pv_liquid },
    { "xsi-nil", POL_T_ENUM, 0, "blank", xsi_nil_values },
    { "parse-date", POL_T_BOOL, 0, NULL, NULL }, /* toolkit only */
    { 0 },
};

/* <rewrite-uri template="/path?x={p}" copy-unmatched-params="true|false"/> */
static const pol_attr rewrite_uri_attrs[] = {
    { "template", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "copy-unmatched-params", POL_T_BOOL, POL_EXPR, "true", NULL },
    { 0 },
};

/* <find-and-replace from="s" to="s"/> */
static const pol_attr find_and_replace_attrs[] = {
    { "from", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "to", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};

static const char *const json_apply_values[] = { "always", "content-type-json", NULL };
static const char *const xml_apply_values[] = { "always", "content-type-xml", NULL };
static const char *const xml_kind_values[] = { "javascript-friendly", "direct", NULL };

/* <json-to-xml apply="always|content-type-json" consider-accept-header="bool" parse-date="bool"
 *   namespace-separator="c" namespace-prefix="s" attribute-block-name="s"/> */
static const pol_attr json_to_xml_attrs[] = {
    { "apply", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, json_apply_values },
    { "consider-accept-header", POL_T_BOOL, POL_EXPR, "true", NULL },
    { "parse-date", POL_T_BOOL, POL_EXPR, "true", NULL },
    { "namespace-separator", POL_T_STR, POL_EXPR, "_", NULL },
    { "namespace-prefix", POL_T_STR, POL_EXPR, NULL, NULL },
    { "attribute-block-name", POL_T_STR, POL_EXPR, NULL, NULL },
    { 0 },
};

/* <xml-to-json kind="javascript-friendly|direct" apply="always|content-type-xml"
 *   consider-accept-header="bool" always-array-child-elements="bool"/> */
static const pol_attr xml_to_json_attrs[] = {
    { "kind", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, xml_kind_values },
    { "apply", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, xml_apply_values },
    { "consider-accept-header", POL_T_BOOL, POL_EXPR, "true", NULL },
    { "always-array-child-elements", POL_T_BOOL, POL_EXPR, "false", NULL },
    { 0 },
};

const pol_spec rt_policies_transform[] = {
    /* The docs list inbound, backend and outbound; real documents format errors in on-error. */
    { .name = "set-body",
      .sections = POL_SEC_ANY,
      .attrs = set_body_attrs,
      .content = POL_C_OPAQUE },
    { .name = "rewrite-uri",
      .sections = POL_SEC_INBOUND,
      .attrs = rewrite_uri_attrs,
      .content = POL_C_EMPTY },
    { .name = "find-and-replace",
      .sections = POL_SEC_ANY,
      .attrs = find_and_replace_attrs,
      .content = POL_C_EMPTY },
    { .name = "json-to-xml",
      .sections = POL_SEC_INBOUND | POL_SEC_OUTBOUND | POL_SEC_ON_ERROR,
      .attrs = json_to_xml_attrs,
      .content = POL_C_EMPTY },
    { .name = "xml-to-json",
      .sections = POL_SEC_INBOUND | POL_SEC_OUTBOUND | POL_SEC_ON_ERROR,
      .attrs = xml_to_json_attrs,
      .content = POL_C_EMPTY },
    /* <xsl-transform><parameter name="p">v</parameter>*<xsl:stylesheet .../></xsl-transform>:
     * the stylesheet is payload. */
    { .name = "xsl-transform",
      .sections = POL_SEC_INBOUND | POL_SEC_OUTBOUND,
      .content = POL_C_OPAQUE,
      .flags = POL_UNSUPPORTED_SPEC },
    /* <redirect-content-urls/>: masks backend URLs in the response body. */
    { .name = "redirect-content-urls",
      .sections = POL_SEC_INBOUND | POL_SEC_OUTBOUND,
      .content = POL_C_EMPTY },
    { 0 },
};
