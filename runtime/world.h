#ifndef RUNTIME_WORLD_H
#define RUNTIME_WORLD_H

/* The gateway world of config-based runs (`config:` test files, `apimlite run --config`, later
 * `serve`): a loaded configuration (DESIGN.md §3) with its policy documents compiled per
 * (product, API, operation), requests routed by route.h (404 / 401 refusals with APIM's bodies,
 * on-error of the scopes that matched), and the backend entities behind set-backend-service
 * backend-id: URLs, credentials, load-balanced pools and circuit breakers (spec/gateway.md §4).
 *
 * Backend selection ([impl] choices):
 *  - set-backend-service backend-id=X: a Single backend sets the base URL to X's url; a Pool
 *    picks a member (rt_backends_pick: priority groups, smooth weighted round-robin, tripped
 *    members skipped) and sets the base URL to the member's url. r->backend_id is the backend
 *    actually called (the member for pools), which is what scripted backends, backendCalls and
 *    the circuit breakers see.
 *  - Every forward-request makes one pick: the pick made by set-backend-service is used by the
 *    next call; a call without a fresh pick (forward-request repeated by retry) picks again, so
 *    a retry fails over to another member. A refusal happens at forward-request (Source
 *    forward-request, Reason BackendUnavailable, 503 envelope): a Single backend whose breaker
 *    is open ("Backend <id> is temporarily unavailable"), a pool whose members are all tripped
 *    ("Backend pool <id> is temporarily unavailable"; also the response's reason phrase, which
 *    AI-Gateway retry conditions test). on-error runs.
 *  - Credentials of the backend called (credentials.header: replaces same-named request
 *    headers, one line per value; credentials.query: appended to the query;
 *    credentials.authorization: Authorization: <scheme> <parameter>; credentials.managedIdentity:
 *    Authorization: Bearer <token> from the world's identity provider) are added to the backend
 *    call only; they are not visible in context.Request.
 *  - Each result is recorded on the called backend's breaker: the HTTP status, or the reasons
 *    BackendConnectionFailure / Timeout for transport failures; Retry-After of a failing
 *    response is honoured by rules with acceptRetryAfter.
 *  - Pool and breaker state lives in the rt_gw (rt_gw_reset gives fresh state: each test;
 *    rt_gw_carry_state carries it over a reload).
 */

#include <jansson.h>
#include <stdbool.h>

#include "base/buf.h"
#include "base/diag.h"
#include "config.h"
#include "req.h"
#include "testfile.h"

typedef struct rt_gw rt_gw;

/* Loads the configuration at path and every policy document it names (fragments, global,
 * product, API and operation documents), with {{named values}} from the configuration, each
 * overridden by nv_overrides (an object name -> string, may be NULL; overrides apply to policy
 * documents, not to values inside the YAML). Compiles the program of every (product context,
 * API, operation) chain. Returns the gateway, or NULL with diagnostics in d (*io = -2 when a
 * file could not be read, else 0). Free with rt_gw_free. */
rt_gw *rt_gw_load(const char *path, const json_t *nv_overrides, diag_list *d, int *io);
void rt_gw_free(rt_gw *g);
/* Loads one more <policies> document at path (apimlite run --policy with --config) with the
 * configuration's named values, fragments and backends, compiled as the API scope under the
 * configuration's global policy. Returns the program (owned by g), or NULL with diagnostics. */
rt_program *rt_gw_load_policy(rt_gw *g, const char *path, diag_list *d, int *io);
const rt_config *rt_gw_config(const rt_gw *g);

/* Fresh circuit breaker and pool state (each test starts with one). Returns 0, or -1 with a
 * message in err (a breaker rule or pool the registry refuses). */
int rt_gw_reset(rt_gw *g, char *err, size_t errlen);
/* Configuration reload (serve's SIGHUP): g, after rt_gw_reset, takes over old's circuit
 * breaker and pool state for every backend id both define with the same breaker rules / pool
 * members (an open breaker stays open until the same instant); backends only old had are
 * dropped with it. Calls note(ud, msg) for each breaker or pool that starts fresh because its
 * definition changed. */
void rt_gw_carry_state(rt_gw *g, rt_gw *old, void (*note)(void *ud, const char *msg), void *ud);

/* Appends a backend's credentials.query parameters to the URL in u (forward-request and side
 * calls alike): each value as name=value, both percent-encoded (RFC 3986 unreserved characters
 * kept), after '?' when u has no query yet, else '&'. */
void rt_gw_append_cred_query(buf *u, const rt_backend_credentials *c);

/* Points w at g: w->gateway, set_backend, prepare_call, call_result. */
void rt_gw_bind(rt_gw *g, rt_world *w);

/* Routes request (the `request` of a test: method, url, ip, headers, body) and runs it like
 * rt_tf_run_request: the program of its scopes, context.Api / Operation / Product /
 * Subscription / User and MatchedParameters from the route; a refused route runs on-error of
 * what matched with APIM's 404 / 401 response preset. A relative url ("/deployments/...") is
 * taken under default_api's path (NULL: under "/"). Returns 0, or -1 with a message in err. */
int rt_gw_run_request(rt_gw *g, const rt_world *w, rt_vclock *vc, const json_t *request,
                      const rt_api *default_api, const int64_t *rnd, size_t nrnd, size_t *used,
                      rt_tf_run *out, char *err, size_t errlen);

/* serve: routes request ({method, url (absolute), ip, headers}) and creates the request
 * without running it; a refused route (404 / 401) has r->failed set and its response preset:
 * start it with rt_pipeline_start_failed, else rt_pipeline_start. NULL with a message in err
 * for a malformed request. The request id is a placeholder (the server sets a random one). */
rt_req *rt_gw_new_request(rt_gw *g, const rt_world *w, const json_t *request, char *err,
                          size_t errlen);

/* serve: the request as the server received it (everything borrowed for the call). */
typedef struct rt_gw_in {
    str method;            /* as received (any case) */
    str scheme;            /* "http" or "https": context.Request.OriginalUrl's */
    str host;              /* the Host header when valid, else the listen address */
    str target;            /* the request target as received: "/path?query" (starts with '/') */
    str ip;                /* the client's address */
    const rt_hdr *headers; /* in the order received; names may repeat */
    size_t nheaders;
    str body; /* the request body (copied; empty: none) */
} rt_gw_in;

/* serve: rt_gw_new_request without the JSON round trip: routes in and fills the context
 * directly from the route's configuration records (same values as rt_gw_new_request; header
 * values that are not UTF-8 are dropped; the request id is left for the caller to set). A
 * refused route (404 / 401) has r->failed set and its response preset. NULL with a message in
 * err at the arena cap or for a malformed configuration date. */
rt_req *rt_gw_new_request_in(rt_gw *g, const rt_world *w, const rt_gw_in *in, char *err,
                             size_t errlen);

struct rt_route;
/* The compiled program of a route's scopes (a refusal: the scopes that matched). */
const rt_program *rt_gw_program(const rt_gw *g, const struct rt_route *rt);

/* An identity provider answering from a JSON map resource -> token string, or resource ->
 * {token, error, clientId} (error: the request fails with that message; clientId: the entry
 * answers only that client id). The map is borrowed. Free with free(). */
rt_identity *rt_identity_json_new(const json_t *map);

#endif
