/* Logging and metrics: trace, log-to-eventhub, emit-metric. */
#include "families.h"

#include <stddef.h>

/* <trace source="s" severity="verbose|information|error"><message>m</message>
 *   <metadata name="n" value="v"/>*</trace>; the legacy form holds the message as text. */
static const char *const severities[] = { "verbose", "information", "error", NULL };
static const pol_attr trace_attrs[] = {
    { "source", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "severity", POL_T_ENUM, 0, "verbose", severities },
    { 0 },
};
static const pol_attr metadata_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "value", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};
static const pol_child trace_children[] = {
    { .name = "message", .min = 1, .max = 1, .content = POL_C_TEXT, .text_flags = POL_EXPR },
    { .name = "metadata", .attrs = metadata_attrs, .content = POL_C_EMPTY },
    { 0 },
};

/* <log-to-eventhub logger-id="id" partition-id="n" | partition-key="k">message</log-to-eventhub> */
static const pol_attr log_to_eventhub_attrs[] = {
    { "logger-id", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "partition-id", POL_T_STR, 0, NULL, NULL },
    { "partition-key", POL_T_STR, POL_EXPR, NULL, NULL },
    { 0 },
};
static const pol_rule log_to_eventhub_rules[] = {
    { POL_R_AT_MOST_ONE, "partition-id|partition-key" },
    { 0 },
};

/* <emit-metric name="m" namespace="ns" value="1"><dimension name="d" value="v"/>+</emit-metric> */
static const pol_attr emit_metric_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "namespace", POL_T_STR, 0, "API Management", NULL },
    { "value", POL_T_DOUBLE, POL_EXPR, "1", NULL },
    { 0 },
};
static const pol_attr dimension_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "value", POL_T_STR, POL_EXPR, NULL, NULL },
    { 0 },
};
static const pol_child emit_metric_children[] = {
    { .name = "dimension", .min = 1, .max = 10, .attrs = dimension_attrs, .content = POL_C_EMPTY },
    { 0 },
};

const pol_spec rt_policies_log[] = {
    { .name = "trace",
      .sections = POL_SEC_INBOUND | POL_SEC_BACKEND | POL_SEC_OUTBOUND,
      .attrs = trace_attrs,
      .content = POL_C_CHILDREN,
      .text_flags = POL_TEXT_ALT | POL_EXPR,
      .children = trace_children },
    { .name = "log-to-eventhub",
      .sections = POL_SEC_ANY,
      .attrs = log_to_eventhub_attrs,
      .content = POL_C_TEXT,
      .text_flags = POL_EXPR | POL_REQUIRED,
      .rules = log_to_eventhub_rules },
    { .name = "emit-metric",
      .sections = POL_SEC_ANY,
      .attrs = emit_metric_attrs,
      .content = POL_C_CHILDREN,
      .children = emit_metric_children },
    { 0 },
};
