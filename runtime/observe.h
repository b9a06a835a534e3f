#ifndef RUNTIME_OBSERVE_H
#define RUNTIME_OBSERVE_H

/* What a world keeps for caching and observability (rt_world.obs): the cache store
 * (cachestore.h), the log-to-eventhub sinks (loggers.h) and the metrics registry (metrics.h),
 * plus, in tests, a record of the metric samples emitted during the current request (for
 * expect.metrics). The gateway makes one per process (stores shared by all workers: each one is
 * thread-safe); `apimlite test` one per test, so caches start fresh for each test and persist
 * across its steps. */

#include <jansson.h>
#include <stdbool.h>

#include "cachestore.h"
#include "loggers.h"
#include "metrics.h"

struct rt_world;
struct rt_config;

typedef struct rt_observe {
    rt_cache *cache;
    rt_loggers *loggers;
    rt_metrics *metrics;
    json_t *emitted; /* tests: samples emitted since the last mark (NULL when not recording) */
} rt_observe;

/* A new set of empty stores. test: loggers are memory sinks (and, when no configuration is
 * added, any logger id gets one on first use), emitted samples are recorded. Never NULL. */
rt_observe *rt_observe_new(bool test);
void rt_observe_free(rt_observe *o);
/* Adds the configuration's loggers (memory sinks in test mode, else files). 0, or -1 with a
 * message in err. After this call, unknown logger ids fail even in test mode. */
int rt_observe_configure(rt_observe *o, const struct rt_config *c, char *err, size_t errlen);

/* w->obs; when the world has none, a test-mode set made on first use and attached to w (kept
 * until exit), so a world that does not know about observe still gets fresh stores. With a
 * gateway (w->gateway, world.h) its configuration's loggers are added as memory sinks. */
rt_observe *rt_observe_of(const struct rt_world *w);

/* Tests: forgets the samples and log messages of the previous request. */
void rt_observe_mark(rt_observe *o);

/* One metric sample with APIM naming: metric (e.g. "Total Tokens", an emit-metric name),
 * namespace ns, dimensions dims[0..n) by their APIM names. prom is the Prometheus family name
 * (see metrics.h for the mapping); kind RT_METRIC_COUNTER adds v, RT_METRIC_SUMMARY observes
 * it. Label names are the sanitized dimension names plus "namespace". Returns 0, or -1 when the
 * registry refused the sample (the test record keeps it either way). */
int rt_observe_emit(rt_observe *o, const char *prom, rt_metric_kind kind, str metric, str ns,
                    const rt_label *dims, size_t n, double v);

#endif
