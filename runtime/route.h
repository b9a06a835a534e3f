#ifndef RUNTIME_ROUTE_H
#define RUNTIME_ROUTE_H

/* Request routing over a loaded configuration (spec/gateway.md §1, §2, §5): which API and
 * operation a request reaches, its MatchedParameters, which subscription and product context
 * it runs in, the policy documents of its scopes, and the backend URL. Pure functions: no
 * I/O, no clock; per-request results live in the arena passed in (the request arena) and
 * point into the configuration (which must outlive them).
 *
 * Typical use by the pipeline:
 *
 *     rt_route rt;
 *     rt_route_req in = { .method = m, .path = raw_path, .query = raw_query,
 *                         .header = my_header_lookup, .ud = req };
 *     rt_route_resolve(r->arena, cfg, &in, &rt);      // match + authorize
 *     const rt_cfg_file *docs[RT_SCOPE_COUNT];
 *     rt_route_scopes(cfg, &rt, docs);                 // global/product/api/operation docs
 *     if (rt.err.status) -> LastError{Source=rt.err.source, Reason=rt.err.reason,
 *                                     Message=rt.err.message}; preset response
 *                          rt.err.status + {"statusCode":N,"message":"<message>"}; run the
 *                          on-error of what matched (rt.api's scopes when rt.api is set,
 *                          else global only)
 *     url = rt_route_backend_url(arena, base, rt.suffix, raw_query);
 *
 * Matching rules (implementation choices marked [impl]):
 * - API: longest `path` that is a prefix of the request path at a segment boundary
 *   ("openai" matches /openai, /openai/ and /openai/x, not /openaix). ASCII case-insensitive
 *   [impl]. An API with path "" matches everything (lowest priority).
 * - Operation (only when the API declares operations): the method must equal the operation's
 *   method (case-insensitive) or the operation's method is "*"; the path after the API path
 *   must match the template segment by segment (segments split at raw '/', compared after
 *   percent-decoding; literals case-insensitive [impl]; {param} matches >= 1 character of a
 *   segment; a final "*" segment matches the rest, even empty); a trailing '/' on the request
 *   is ignored; every query parameter the template declares must be present (a literal one
 *   with that value) — APIM treats template query parameters as required.
 *   When several operations match, the most specific wins: compared segment by segment from
 *   the left, a literal segment beats a segment mixing literals and parameters, which beats a
 *   whole-segment {param}, which beats "*"; then more segments; then more template query
 *   parameters; then an exact method over "*"; then the first declared.
 * - MatchedParameters: the template's path and query parameters (only those), URL-decoded
 *   (query values also turn '+' into ' '). Without operations: none.
 * - A path with a dot segment ("." or "..", also percent-encoded: "%2e%2e") is refused before
 *   matching: 400, Source "configuration", Reason "InvalidRequestPath", message "Bad request
 *   target" (the backend URL keeps the path as received; a backend resolving "/api/../x" would
 *   serve a path outside the API's serviceUrl). Clients normalise such paths before sending.
 * - No API matches, or the API has operations and none matches: 404, Source "configuration",
 *   Reason "OperationNotFound", message "Resource not found" (rt.api stays set in the second
 *   case so that the API's on-error runs).
 *
 * Subscription keys (after a successful match):
 * - The key is read from the API's header name (rt_route_req.header), then, only when the
 *   header is absent, from the query parameter of the API's query name (case-insensitive
 *   name match [impl]; the first occurrence; URL-decoded). An empty value counts as present.
 * - A key is valid when it equals (constant-time) the primary or secondary key of an active
 *   subscription whose scope covers the API: "/", "/apis", "/apis/<this api>", or
 *   "/products/<p>" where p contains the API. A key that is present but not valid ⇒ 401
 *   authorization/SubscriptionKeyInvalid, even when the API does not require a key.
 * - Valid key: rt.subscription is set; product context only for a product-scoped subscription
 *   (rt.product = its product); other scopes ⇒ no product.
 * - No key: an open product (subscriptionRequired false, published) containing the API ⇒ that
 *   product's context; else an API with subscriptionRequired false ⇒ API context (no product);
 *   else 401 authorization/SubscriptionKeyNotFound.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/str.h"
#include "config.h"

/* Built-in errors of routing (spec/policies.md §2). */
#define RT_MSG_NOT_FOUND  "Resource not found"
#define RT_MSG_BAD_TARGET "Bad request target"
#define RT_MSG_KEY_MISSING                                                                         \
    "Access denied due to missing subscription key. Make sure to include subscription key "        \
    "when making requests to an API."
#define RT_MSG_KEY_INVALID                                                                         \
    "Access denied due to invalid subscription key. Make sure to provide a valid key for an "      \
    "active subscription."

/* The incoming request, as far as routing needs it. */
typedef struct rt_route_req {
    str method; /* "GET", "POST", ... (any case) */
    str path;   /* the raw path as received (percent-encoded), starting with '/'; no query */
    str query;  /* the raw query string without '?' ("" when none) */
    /* Header lookup: true and *value set when the request has header `name` (the caller
     * compares names case-insensitively; with several values, the first). NULL: no headers. */
    bool (*header)(void *ud, str name, str *value);
    void *ud;
} rt_route_req;

/* A MatchedParameters entry (name as declared in the template, value URL-decoded). */
typedef struct rt_route_param {
    str name;
    str value;
} rt_route_param;

/* A refusal: the preset response is status + {"statusCode":status,"message":message} and
 * context.LastError gets source/reason/message. status 0 = no error. All static strings. */
typedef struct rt_route_error {
    int status;          /* 404, 401 or 400 */
    const char *source;  /* "configuration" | "authorization" */
    const char *reason;  /* "OperationNotFound" | "SubscriptionKeyNotFound" |
                          * "SubscriptionKeyInvalid" | "InvalidRequestPath" */
    const char *message; /* RT_MSG_* */
} rt_route_error;

typedef enum rt_key_source {
    RT_KEY_NONE,   /* no key in the request */
    RT_KEY_HEADER, /* from the API's key header */
    RT_KEY_QUERY,  /* from the API's key query parameter */
} rt_key_source;

typedef struct rt_route {
    const rt_api *api;                   /* NULL when no API matched */
    const rt_operation *op;              /* NULL when no operation matched, or when the API has no
                                          * operations (implicit operation: every method and path; for
                                          * context.Operation use Id/Name "", Method = the request's,
                                          * UrlTemplate the catch-all template, slash star) */
    const rt_product *product;           /* product context, or NULL */
    const rt_subscription *subscription; /* the key's subscription, or NULL */
    str key; /* the key as sent (decoded), STR_NULL when none; never log it */
    rt_key_source key_source;
    rt_route_param *params; /* MatchedParameters, in template order */
    size_t nparams;
    str suffix;         /* the raw path after the API path: "" or starting with '/'
                         * (e.g. "/deployments/gpt-4o/chat/completions") */
    rt_route_error err; /* err.status 0 on success */
} rt_route;

/* Policy scopes, broad to narrow, with LastError.Scope names (rt_scope_name). */
typedef enum rt_scope_level {
    RT_SCOPE_GLOBAL,
    RT_SCOPE_PRODUCT,
    RT_SCOPE_API,
    RT_SCOPE_OPERATION,
    RT_SCOPE_COUNT,
} rt_scope_level;

/* Matches the request to an API and operation only (no key check). Fills *out (zeroed first):
 * api, op, params, suffix; err 404 OperationNotFound when nothing matches. Returns 0 when
 * matched, -1 when refused (out->err set), -2 when the arena is exhausted (out->err.status
 * stays 0: the caller reports its own failure, e.g. a 500). */
int rt_route_match(arena *a, const rt_config *c, const rt_route_req *req, rt_route *out);

/* Resolves the subscription key and product context for a matched route (out->api set by
 * rt_route_match; -1 without touching out when it is NULL). Sets key, key_source,
 * subscription, product; on refusal err = 401 and returns -1. Returns 0 when the request may
 * proceed. */
int rt_route_authorize(arena *a, const rt_config *c, const rt_route_req *req, rt_route *out);

/* rt_route_match, then rt_route_authorize when it matched. Same return values. */
int rt_route_resolve(arena *a, const rt_config *c, const rt_route_req *req, rt_route *out);

/* The policy documents of the route's scopes: out[RT_SCOPE_GLOBAL] = the global document,
 * out[RT_SCOPE_PRODUCT] = the product's (only in product context), out[RT_SCOPE_API] and
 * out[RT_SCOPE_OPERATION] when matched; NULL where a scope has no document or does not apply.
 * Works on refused routes too (then only what matched: global, and the API when the operation
 * was not found). Returns the number of non-NULL entries. The core composes <base/> from
 * narrow to broad, skipping NULL scopes (transparent). */
size_t rt_route_scopes(const rt_config *c, const rt_route *r,
                       const rt_cfg_file *out[RT_SCOPE_COUNT]);

/* "global", "product", "api", "operation". */
const char *rt_scope_name(rt_scope_level s);

/* The backend request URL: base (serviceUrl or set-backend-service base-url, absolute) +
 * suffix (the path after the API path, raw) + "?" + query (raw, "" = none). Exactly one '/'
 * joins base and suffix; when base has a query of its own, the suffix goes before it and the
 * request query is appended with '&'. NUL-terminated, in a; NULL when the arena is exhausted. */
char *rt_route_backend_url(arena *a, str base, str suffix, str query);

/* Looks up the first query parameter named name (ASCII case-insensitive when icase) in the
 * raw query string; *value is its URL-decoded value ('+' = ' ') in a. Returns true when
 * present (value may be empty). */
bool rt_route_query_get(arena *a, str query, str name, bool icase, str *value);

/* Percent-decodes s into a (plus_space: '+' becomes ' ', for query strings). Malformed '%'
 * escapes are kept as written. NULL ptr only when the arena is exhausted. */
str rt_url_decode(arena *a, str s, bool plus_space);

/* Constant-time key comparison (time depends only on the stored key's length). */
bool rt_key_equal(str given, str stored);

#endif
