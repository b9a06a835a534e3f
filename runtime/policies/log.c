/* Logging and metrics: trace, log-to-eventhub, emit-metric. */
#include "families.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "common.h"
#include "observe_pol.h"

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

/* ---- metric dimensions (shared with ai.c through observe_pol.h) ---- */

static const char *const default_dims[] = { "API ID",     "Operation ID",    "Product ID",
                                            "User ID",    "Subscription ID", "Location",
                                            "Gateway ID", "Backend ID",      NULL };

static int default_index(str name)
{
    for (int i = 0; default_dims[i]; i++) {
        if (str_ieq(str_trim(name), str_from(default_dims[i])))
            return i;
    }
    return -1;
}

int rt_pol_dims_parse(pol_cc *cc, const pol_node *el, pol_dims *out)
{
    const pol_node **kids;
    out->n = pol_cc_children(cc, el, "dimension", &kids);
    if (!out->n)
        return 0;
    out->names = arena_calloc(cc->a, out->n, sizeof *out->names);
    out->values = arena_calloc(cc->a, out->n, sizeof *out->values);
    if (!out->names || !out->values)
        return pol_cc_error(cc, el, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < out->n; i++) {
        pol_cc_attr(kids[i], "name", &out->names[i]);
        pol_cc_attr(kids[i], "value", &out->values[i]);
        if (!out->values[i].present && !out->names[i].ex && default_index(out->names[i].lit) < 0)
            rc = pol_cc_error(cc, kids[i],
                              "<dimension name=\"%.*s\">: a value is required (only API ID, "
                              "Operation ID, Product ID, User ID, Subscription ID, Location, "
                              "Gateway ID and Backend ID have defaults)",
                              STR_FMT(out->names[i].lit));
    }
    return rc;
}

static str default_value(rt_req *r, str name)
{
    const rt_ctx *c = r->ctx;
    str v = STR_NULL;
    switch (default_index(name)) {
    case 0:
        v = c->api.id;
        break;
    case 1:
        v = c->operation.id;
        break;
    case 2:
        v = c->product ? c->product->id : STR_NULL;
        break;
    case 3:
        v = c->user ? c->user->id : STR_NULL;
        break;
    case 4:
        v = c->subscription ? c->subscription->id : STR_NULL;
        break;
    case 5:
        v = c->deployment.region;
        break;
    case 6:
        v = c->deployment.gateway_id;
        break;
    case 7:
        v = r->backend_id;
        break;
    default:
        break;
    }
    return v.ptr ? v : STR_LIT("");
}

int rt_pol_dims_eval(rt_req *r, const pol_dims *d, bool defaults, rt_label *out)
{
    for (size_t i = 0; i < d->n; i++) {
        str name, value = STR_NULL;
        if (rt_val_str(r, &d->names[i], &name) < 0)
            return -1;
        if (!name.ptr || !str_trim(name).len) {
            rt_fail(r, NULL, "ExpressionValueEvaluationFailure", "a dimension name is empty");
            return -1;
        }
        if (d->values[i].present) {
            if (rt_val_str(r, &d->values[i], &value) < 0)
                return -1;
            if (!value.ptr)
                value = STR_LIT("");
        } else if (defaults) {
            value = default_value(r, name);
        }
        out[i] = (rt_label){ name, value };
    }
    return 0;
}

void rt_pol_dims_defaults(rt_req *r, rt_label *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!out[i].value.ptr)
            out[i].value = default_value(r, out[i].name);
    }
}

const char *rt_pol_metric_name(rt_req *r, const char *prefix, str name)
{
    char tmp[160];
    rt_metrics_sanitize(name.ptr, name.len, tmp, sizeof tmp);
    return arena_sprintf(&r->arena, "%s%s", prefix, tmp);
}

/* ---- log-to-eventhub ---- */

typedef struct eventhub_conf {
    str logger_id, partition_id;
    pol_val partition_key, message;
} eventhub_conf;

static int eventhub_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    eventhub_conf *c = out;
    c->logger_id = pol_cc_lit(el, "logger-id", "");
    c->partition_id = pol_cc_lit(el, "partition-id", "");
    pol_cc_attr(el, "partition-key", &c->partition_key);
    pol_cc_text(el, &c->message);
    return 0;
}

/* Sends the message to the logger's sink. An unknown logger fails the policy (with a
 * configuration, `apimlite check --config` does not verify logger ids yet). */
static pol_status eventhub_exec(rt_req *r, const void *conf)
{
    const eventhub_conf *c = conf;
    rt_observe *o = rt_observe_of(r->w);
    str msg, key = STR_NULL;
    if (rt_val_str(r, &c->message, &msg) < 0 || rt_val_str(r, &c->partition_key, &key) < 0)
        return POL_FAIL;
    if (!rt_loggers_has(o->loggers, c->logger_id))
        return rt_fail(r, NULL, "LoggerNotFound", "logger '%.*s' is not defined (loggers:)",
                       STR_FMT(c->logger_id));
    if (!msg.ptr)
        msg = STR_LIT("");
    rt_log_msg m = { .logger_id = c->logger_id,
                     .partition_id = c->partition_id,
                     .partition_key = key,
                     .message = msg,
                     .time_ms = rt_clock_now(r->w->clock) };
    int rc = rt_loggers_send(o->loggers, &m);
    if (rt_tracing(r))
        rt_trace(r, "%.*s <- %zu bytes%s%s", STR_FMT(c->logger_id),
                 msg.len > RT_LOG_MAX_MESSAGE ? (size_t)RT_LOG_MAX_MESSAGE : msg.len,
                 msg.len > RT_LOG_MAX_MESSAGE ? " (truncated)" : "",
                 rc == -2 ? " (write failed)" : "");
    return POL_NEXT;
}

/* ---- emit-metric ---- */

typedef struct emit_metric_conf {
    str name, ns;
    pol_val value;
    pol_dims dims;
} emit_metric_conf;

static int emit_metric_parse(pol_cc *cc, const pol_node *el, void *out)
{
    emit_metric_conf *c = out;
    c->name = pol_cc_lit(el, "name", "");
    c->ns = pol_cc_lit(el, "namespace", "API Management");
    pol_cc_attr(el, "value", &c->value);
    return rt_pol_dims_parse(cc, el, &c->dims);
}

/* value: a number, or a string holding one (invariant culture); null -> 1. */
static int metric_value(rt_req *r, const pol_val *pv, double *out)
{
    xv v;
    if (rt_val_xv(r, pv, &v) < 0)
        return -1;
    *out = 1;
    if (v.kind == XV_INT || v.kind == XV_DOUBLE) {
        *out = v.kind == XV_INT ? (double)v.u.i : v.u.d;
        return 0;
    }
    if (v.kind == XV_NULL)
        return 0;
    str s;
    if (xv_to_string(&r->env, v, &s) < 0)
        return rt_fail_expr(r), -1;
    char tmp[64], *end;
    snprintf(tmp, sizeof tmp, "%.*s", (int)(s.len < 63 ? s.len : 63), s.ptr);
    *out = strtod(tmp, &end);
    if (end == tmp || *end || !isfinite(*out) || s.len > 63) {
        rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                "emit-metric value '%.*s' is not a number", STR_FMT(s));
        return -1;
    }
    return 0;
}

static pol_status emit_metric_exec(rt_req *r, const void *conf)
{
    const emit_metric_conf *c = conf;
    double v;
    rt_label *dims = arena_calloc(&r->arena, c->dims.n + 1, sizeof *dims);
    if (!dims)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    if (metric_value(r, &c->value, &v) < 0 || rt_pol_dims_eval(r, &c->dims, true, dims) < 0)
        return POL_FAIL;
    const char *prom = rt_pol_metric_name(r, "apim_custom_", c->name);
    if (!prom)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    int rc = rt_observe_emit(rt_observe_of(r->w), prom, RT_METRIC_SUMMARY, c->name, c->ns, dims,
                             c->dims.n, v);
    if (rt_tracing(r))
        rt_trace(r, "%s += %g%s", prom, v, rc < 0 ? " (dropped by the registry)" : "");
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
      .rules = log_to_eventhub_rules,
      .conf_size = sizeof(eventhub_conf),
      .parse = eventhub_parse,
      .exec = eventhub_exec },
    { .name = "emit-metric",
      .sections = POL_SEC_ANY,
      .attrs = emit_metric_attrs,
      .content = POL_C_CHILDREN,
      .children = emit_metric_children,
      .conf_size = sizeof(emit_metric_conf),
      .parse = emit_metric_parse,
      .exec = emit_metric_exec },
    { 0 },
};
