/* Messaging through sidecars and Azure services: publish-to-dapr, invoke-dapr-binding,
 * send-service-bus-message. Loaded and validated, not executed. The policy toolkit misspells
 * the Dapr elements (publish-to-darp, invoke-darp-binding); real documents carry them, so the
 * misspellings load too, flagged deprecated. */
#include "families.h"

#include <stddef.h>

/* <publish-to-dapr topic="t" pub-sub-name="p" response-variable-name="v" timeout="s"
 *   template="liquid" content-type="application/json" ignore-error="bool">content
 * </publish-to-dapr> */
static const pol_attr publish_to_dapr_attrs[] = {
    { "topic", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "pub-sub-name", POL_T_STR, POL_EXPR, NULL, NULL },
    { "ignore-error", POL_T_BOOL, 0, "false", NULL },
    { "response-variable-name", POL_T_STR, 0, NULL, NULL },
    { "timeout", POL_T_UINT, POL_EXPR, "5", NULL },
    { "template", POL_T_ENUM, POL_OPEN_ENUM, NULL, rt_pv_liquid },
    { "content-type", POL_T_STR, 0, NULL, NULL },
    { 0 },
};

/* <invoke-dapr-binding name="b" operation="op" ...><metadata><item key="k">v</item>*
 *   </metadata>? <data>content</data>? </invoke-dapr-binding> */
static const pol_attr invoke_dapr_binding_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "operation", POL_T_STR, 0, NULL, NULL },
    { "ignore-error", POL_T_BOOL, 0, "false", NULL },
    { "response-variable-name", POL_T_STR, 0, NULL, NULL },
    { "timeout", POL_T_UINT, POL_EXPR, "5", NULL },
    { "template", POL_T_ENUM, POL_OPEN_ENUM, NULL, rt_pv_liquid },
    { "content-type", POL_T_STR, 0, NULL, NULL },
    { 0 },
};
static const pol_attr item_attrs[] = {
    { "key", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { 0 },
};
static const pol_child item_children[] = {
    { .name = "item", .attrs = item_attrs, .content = POL_C_TEXT, .text_flags = POL_EXPR },
    { 0 },
};
static const pol_child invoke_dapr_binding_children[] = {
    { .name = "metadata", .max = 1, .content = POL_C_CHILDREN, .children = item_children },
    { .name = "data", .max = 1, .content = POL_C_TEXT, .text_flags = POL_EXPR },
    { 0 },
};

/* <send-service-bus-message queue-name | topic-name namespace client-id>
 *   <message-properties><message-property name="n">v</message-property>*</message-properties>?
 *   <payload>content</payload> </send-service-bus-message>
 * The docs' syntax shows payload first, their example and the toolkit the order used here. */
static const pol_attr send_service_bus_message_attrs[] = {
    { "queue-name", POL_T_STR, POL_EXPR, NULL, NULL },
    { "topic-name", POL_T_STR, POL_EXPR, NULL, NULL },
    { "namespace", POL_T_STR, POL_EXPR, NULL, NULL },
    { "client-id", POL_T_STR, POL_EXPR, NULL, NULL },
    { 0 },
};
static const pol_rule send_service_bus_message_rules[] = {
    { POL_R_EXACTLY_ONE, "queue-name|topic-name" },
    { 0 },
};
static const pol_attr message_property_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { 0 },
};
static const pol_child message_property_children[] = {
    { .name = "message-property",
      .attrs = message_property_attrs,
      .content = POL_C_TEXT,
      .text_flags = POL_EXPR },
    { 0 },
};
static const pol_child send_service_bus_message_children[] = {
    { .name = "message-properties",
      .max = 1,
      .content = POL_C_CHILDREN,
      .children = message_property_children },
    { .name = "payload",
      .min = 1,
      .max = 1,
      .content = POL_C_TEXT,
      .text_flags = POL_EXPR | POL_REQUIRED },
    { 0 },
};

#define DAPR_SECTIONS (POL_SEC_INBOUND | POL_SEC_OUTBOUND | POL_SEC_ON_ERROR)

const pol_spec rt_policies_dapr[] = {
    { .name = "publish-to-dapr",
      .sections = DAPR_SECTIONS,
      .attrs = publish_to_dapr_attrs,
      .content = POL_C_TEXT,
      .text_flags = POL_EXPR,
      .flags = POL_UNSUPPORTED_SPEC },
    { .name = "publish-to-darp",
      .sections = DAPR_SECTIONS,
      .attrs = publish_to_dapr_attrs,
      .content = POL_C_TEXT,
      .text_flags = POL_EXPR,
      .flags = POL_UNSUPPORTED_SPEC | POL_DEPRECATED_SPEC },
    { .name = "invoke-dapr-binding",
      .sections = DAPR_SECTIONS,
      .attrs = invoke_dapr_binding_attrs,
      .content = POL_C_CHILDREN,
      .children = invoke_dapr_binding_children,
      .flags = POL_UNSUPPORTED_SPEC },
    { .name = "invoke-darp-binding",
      .sections = DAPR_SECTIONS,
      .attrs = invoke_dapr_binding_attrs,
      .content = POL_C_CHILDREN,
      .children = invoke_dapr_binding_children,
      .flags = POL_UNSUPPORTED_SPEC | POL_DEPRECATED_SPEC },
    { .name = "send-service-bus-message",
      .sections = DAPR_SECTIONS,
      .attrs = send_service_bus_message_attrs,
      .content = POL_C_CHILDREN,
      .children = send_service_bus_message_children,
      .rules = send_service_bus_message_rules,
      .flags = POL_UNSUPPORTED_SPEC },
    { 0 },
};
