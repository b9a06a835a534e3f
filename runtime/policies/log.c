/* Logging and metrics: trace, log-to-eventhub, emit-metric. */
#include "families.h"

#include <stddef.h>
#include <stdio.h>

#include "common.h"

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

/* ---- trace ---- */

typedef struct trace_conf {
    str source, severity;
    pol_val message;
    pol_val *meta_names, *meta_values;
    size_t nmeta;
} trace_conf;

static int trace_parse(pol_cc *cc, const pol_node *el, void *out)
{
    trace_conf *c = out;
    c->source = pol_cc_lit(el, "source", "");
    c->severity = pol_cc_lit(el, "severity", "verbose");
    const pol_node **msg, **meta;
    if (pol_cc_children(cc, el, "message", &msg))
        pol_cc_text(msg[0], &c->message);
    else
        pol_cc_text(el, &c->message); /* legacy form: the text is the message */
    c->nmeta = pol_cc_children(cc, el, "metadata", &meta);
    if (c->nmeta) {
        c->meta_names = arena_calloc(cc->a, c->nmeta, sizeof *c->meta_names);
        c->meta_values = arena_calloc(cc->a, c->nmeta, sizeof *c->meta_values);
        if (!c->meta_names || !c->meta_values)
            return pol_cc_error(cc, el, "out of memory");
    }
    for (size_t i = 0; i < c->nmeta; i++) {
        pol_cc_attr(meta[i], "name", &c->meta_names[i]);
        pol_cc_attr(meta[i], "value", &c->meta_values[i]);
    }
    return 0;
}

/* Writes to the trace sink (`--trace`); expressions are evaluated either way, so a failing
 * message fails the request as in APIM. */
static pol_status trace_exec(rt_req *r, const void *conf)
{
    const trace_conf *c = conf;
    str msg;
    if (rt_val_str(r, &c->message, &msg) < 0)
        return POL_FAIL;
    for (size_t i = 0; i < c->nmeta; i++) {
        str n, v;
        if (rt_val_str(r, &c->meta_names[i], &n) < 0 || rt_val_str(r, &c->meta_values[i], &v) < 0)
            return POL_FAIL;
        rt_trace(r, "metadata %.*s=%.*s", STR_FMT(n), STR_FMT(v));
    }
    rt_trace(r, "trace [%.*s] %.*s: %.*s", STR_FMT(c->source), STR_FMT(c->severity), STR_FMT(msg));
    return POL_NEXT;
}

const pol_spec rt_policies_log[] = {
    { .name = "trace",
      .sections = POL_SEC_INBOUND | POL_SEC_BACKEND | POL_SEC_OUTBOUND,
      .attrs = trace_attrs,
      .content = POL_C_CHILDREN,
      .text_flags = POL_TEXT_ALT | POL_EXPR,
      .children = trace_children,
      .conf_size = sizeof(trace_conf),
      .parse = trace_parse,
      .exec = trace_exec },
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
