#ifndef RUNTIME_METRICS_H
#define RUNTIME_METRICS_H

/* The metrics registry (DESIGN.md §3 `metrics:`): counters, gauges, histograms and summaries
 * with label sets, exported in the Prometheus text format (version 0.0.4) by
 * rt_metrics_render. Thread-safe (one mutex: every call may come from any worker). Cardinality
 * is bounded: at most max_series series in all and max_series / 4 (at least 1) per family;
 * samples for a new series beyond the caps are dropped and counted, and the count is exported as
 * apimlite_metrics_dropped_total.
 *
 * Families are created by their first use (counter_add -> counter, gauge_* -> gauge, observe
 * -> summary) or declared first with rt_metrics_declare (help text, histogram buckets). Names
 * follow Prometheus: [a-zA-Z_:][a-zA-Z0-9_:]*; label names [a-zA-Z_][a-zA-Z0-9_]* not starting
 * with "__". rt_metrics_sanitize turns APIM names ("Total Tokens", "Subscription ID",
 * "productName") into such names.
 *
 * Mapping of APIM metrics (runtime/observe.h emits them):
 *   azure-openai-emit-token-metric "Total Tokens" / "Prompt Tokens" / "Completion Tokens"
 *       -> counters apim_openai_total_tokens / apim_openai_prompt_tokens /
 *          apim_openai_completion_tokens{namespace="...", <dimension>="...", ...}
 *   llm-emit-token-metric -> apim_llm_total_tokens, apim_llm_prompt_tokens,
 *          apim_llm_completion_tokens (same labels)
 *   emit-metric name="X" -> summary apim_custom_<x>{namespace="...", ...}: _sum adds the
 *          values, _count counts the emissions (APIM's Sum and Count aggregations)
 * Dimension names become label names through rt_metrics_sanitize ("Subscription ID" ->
 * subscription_id); a label name taken twice gets a _2, _3... suffix. */

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/str.h"

typedef struct rt_metrics rt_metrics;

typedef enum rt_metric_kind {
    RT_METRIC_COUNTER,   /* only goes up */
    RT_METRIC_GAUGE,     /* set / add */
    RT_METRIC_HISTOGRAM, /* observations in cumulative buckets + _sum + _count */
    RT_METRIC_SUMMARY,   /* _sum + _count, no quantiles */
} rt_metric_kind;

typedef struct rt_label {
    str name, value; /* any order: series are identified by the set, sorted by name */
} rt_label;

#define RT_METRICS_DEFAULT_SERIES 10000

/* A new registry. max_series 0 means RT_METRICS_DEFAULT_SERIES. Never NULL (aborts on OOM). */
rt_metrics *rt_metrics_new(size_t max_series);
void rt_metrics_free(rt_metrics *m);

/* Declares family name with its kind and help text (NULL: none). Histograms take their upper
 * bounds (strictly increasing, finite; NULL/0 = the Prometheus defaults .005 .. 10); the
 * +Inf bucket is implicit. Declaring again with the same kind only updates the help text.
 * Returns 0, or -1 for a bad name, a kind conflicting with an existing family or bad bounds. */
int rt_metrics_declare(rt_metrics *m, const char *name, rt_metric_kind kind, const char *help,
                       const double *bounds, size_t nbounds);

/* Sample updates. Each returns 0, or -1 when the sample was not recorded: bad family or label
 * name, duplicate label names, a family of another kind, a counter given a negative or NaN
 * value, or the cardinality cap (then it is counted as dropped). */
int rt_metrics_counter_add(rt_metrics *m, const char *name, const rt_label *labels, size_t n,
                           double v);
int rt_metrics_gauge_set(rt_metrics *m, const char *name, const rt_label *labels, size_t n,
                         double v);
int rt_metrics_gauge_add(rt_metrics *m, const char *name, const rt_label *labels, size_t n,
                         double v);
/* Histogram or summary observation (an undeclared family becomes a summary). */
int rt_metrics_observe(rt_metrics *m, const char *name, const rt_label *labels, size_t n, double v);

/* The current value of one series: counter/gauge value, histogram/summary sum; *count (may
 * be NULL) receives the observation count (1 for counters and gauges). Returns 0, or -1 when
 * the series does not exist. */
int rt_metrics_get(rt_metrics *m, const char *name, const rt_label *labels, size_t n, double *value,
                   double *count);

/* Samples dropped by the cardinality caps so far. */
size_t rt_metrics_dropped(rt_metrics *m);

/* Appends the whole registry in the Prometheus text exposition format to out: per family
 * "# HELP" (when it has help), "# TYPE", then its series in creation order, label values
 * escaped (\\, \", \n). Families appear in creation order. Returns 0, or -1 when out reached
 * its cap (out then holds a prefix). */
int rt_metrics_render(rt_metrics *m, buf *out);

/* Writes a Prometheus-safe form of in[0..n) into out (NUL-terminated, cap bytes, cap >= 2):
 * camelCase boundaries and runs of other characters become one '_', letters are lower-cased,
 * leading/trailing '_' are dropped, a leading digit gets a '_' prefix; an empty result is "_".
 * Returns the length written. */
size_t rt_metrics_sanitize(const char *in, size_t n, char *out, size_t cap);

#endif
