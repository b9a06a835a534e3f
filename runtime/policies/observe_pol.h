#ifndef RUNTIME_POLICIES_OBSERVE_POL_H
#define RUNTIME_POLICIES_OBSERVE_POL_H

/* Metric dimensions shared by emit-metric (log.c) and the token metric policies (ai.c):
 * <dimension name="n" value="v"/> with name and value expressions; a dimension without value
 * takes the default value of its (literal) name: API ID, Operation ID, Product ID, User ID,
 * Subscription ID, Location, Gateway ID, Backend ID (names compared case-insensitively; absent
 * records give ""). Any other name without a value is a load error. */

#include "../metrics.h"
#include "../observe.h"
#include "common.h"

typedef struct pol_dims {
    pol_val *names, *values; /* values[i].present == false: the default of names[i] */
    size_t n;
} pol_dims;

/* Reads the <dimension> children of el. 0, or -1 with diagnostics. */
int rt_pol_dims_parse(pol_cc *cc, const pol_node *el, pol_dims *out);

/* Evaluates names and the given values into out[0..d->n) (request arena). With defaults false,
 * dimensions without a value are left with a NULL value (fill them later with
 * rt_pol_dims_defaults). Returns 0, or -1 after recording the failure. */
int rt_pol_dims_eval(rt_req *r, const pol_dims *d, bool defaults, rt_label *out);
/* Fills the NULL values of out[0..n) with their defaults, as of now. */
void rt_pol_dims_defaults(rt_req *r, rt_label *out, size_t n);

/* Prometheus family name: prefix + sanitized name, in the request arena (NULL at the cap). */
const char *rt_pol_metric_name(rt_req *r, const char *prefix, str name);

/* Per-request state of the cache policies (r->obs), made on first use (cache.c). */
struct rt_req_obs {
    str cache_key;        /* cache-lookup: the response's key; ptr NULL: not cacheable */
    int downstream;       /* downstream-caching-type: 0 none, 1 private, 2 public */
    bool must_revalidate; /* add must-revalidate to Cache-Control */
    /* semantic cache: the lookup's partition and prompt embedding (store uses them) */
    bool sem_ready;
    str sem_partition;
    float *sem_vec;
    size_t sem_dim;
};
/* r->obs, allocated when absent. NULL at the arena cap. */
struct rt_req_obs *rt_pol_req_obs(rt_req *r);

/* Responses in the cache (cache.c): context.Response as bytes with its expiry; and back into
 * context.Response (adding the downstream Cache-Control of the request's cache-lookup). Each
 * returns 0, or -1 (the second records a failure). */
int rt_pol_response_freeze(rt_req *r, int64_t expires_ms, buf *b);
int rt_pol_cached_response(rt_req *r, str blob);

/* ---- cached values (cache_value.c) ----
 * cache-store-value keeps a deep copy of the value outside the request arena. Values that
 * survive: null, bool, int/long/byte, double/float/decimal, char, string, byte[], DateTime,
 * DateTimeOffset, TimeSpan, Guid, enum constants, JSON tokens (JObject/JArray/JValue, kept as
 * JSON text), and arrays, lists, sets and dictionaries of these. Other objects (Uri, Jwt,
 * IResponse, StringBuilder, XML nodes...) cannot be cached: cache-store-value fails. */

/* Serializes v into b. Returns 0, or -1 with the unsupported type's name in *why. */
int rt_pol_xv_freeze(rt_req *r, xv v, buf *b, const char **why);
/* Rebuilds a frozen value in the request arena. Returns 0, or -1 (corrupt or arena cap). */
int rt_pol_xv_thaw(rt_req *r, str bytes, xv *out);

/* ---- azure-openai-emit-token-metric / llm-emit-token-metric (ai_metrics.c) ----
 * At exec (inbound) the dimensions with values are evaluated and, for a streamed request
 * ("stream": true), the prompt is estimated; the metrics are emitted by an end-of-request hook
 * once the usage is known: Total / Prompt / Completion Tokens from the response's `usage`
 * (JSON or SSE), or, for a stream without usage, the counted completion plus the prompt
 * estimate. Default dimension values are taken at that time (Backend ID is then known). No
 * usage (an error response) emits nothing. */
typedef struct rt_token_metric_conf {
    str ns;
    pol_dims dims;
    bool llm; /* llm-emit-token-metric: apim_llm_* families */
} rt_token_metric_conf;

int rt_pol_token_metric_parse_aoai(pol_cc *cc, const pol_node *el, void *conf);
int rt_pol_token_metric_parse_llm(pol_cc *cc, const pol_node *el, void *conf);
pol_status rt_pol_token_metric_exec(rt_req *r, const void *conf);

#endif
