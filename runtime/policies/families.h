#ifndef RUNTIME_POLICIES_FAMILIES_H
#define RUNTIME_POLICIES_FAMILIES_H

#include "../../policy/spec.h"

/* The policy families (one file each, every table { 0 }-terminated). registry.c lists them;
 * only registry.c and the family files include this header. */

extern const pol_spec rt_policies_headers[];    /* set-header, set-query-parameter */
extern const pol_spec rt_policies_vars[];       /* set-variable */
extern const pol_spec rt_policies_transform[];  /* set-body, rewrite-uri, find-and-replace, ... */
extern const pol_spec rt_policies_flow[];       /* choose, retry, wait, return-response, ... */
extern const pol_spec rt_policies_http[];       /* forward-request, send-request, ... */
extern const pol_spec rt_policies_limits[];     /* rate-limit*, quota*, limit-concurrency */
extern const pol_spec rt_policies_access[];     /* ip-filter, cors, check-header, ... */
extern const pol_spec rt_policies_jwt[];        /* validate-jwt, validate-azure-ad-token, ... */
extern const pol_spec rt_policies_auth[];       /* authentication-*, get-authorization-context */
extern const pol_spec rt_policies_cache[];      /* cache-lookup, cache-store, cache-*-value */
extern const pol_spec rt_policies_log[];        /* trace, log-to-eventhub, emit-metric */
extern const pol_spec rt_policies_ai[];         /* azure-openai-* and llm-* */
extern const pol_spec rt_policies_validation[]; /* validate-content, -parameters, ... */
extern const pol_spec rt_policies_dapr[];       /* Dapr, Service Bus */

/* Value lists shared by several families (NULL-terminated). */
extern const char *const rt_pv_caching_type[]; /* internal | external | prefer-external */
extern const char *const rt_pv_liquid[];       /* liquid */

#endif
