#ifndef RUNTIME_IDENTITY_H
#define RUNTIME_IDENTITY_H

/* Managed identity tokens for real (issue 4 item 6): an asynchronous token provider over the
 * world's transport and clock. Three sources, as the Azure SDKs detect them:
 *  - App Service / Functions / Container Apps: GET $IDENTITY_ENDPOINT?resource=R
 *    &api-version=2019-08-01[&client_id=C] with `X-IDENTITY-HEADER: $IDENTITY_HEADER`;
 *  - workload identity (AKS): POST $AZURE_AUTHORITY_HOST/$AZURE_TENANT_ID/oauth2/v2.0/token,
 *    form body client_id, scope=R/.default, grant_type=client_credentials,
 *    client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer and
 *    client_assertion = the contents of $AZURE_FEDERATED_TOKEN_FILE (read at each fetch: the
 *    kubelet rotates it);
 *  - else the instance metadata service: GET http://169.254.169.254/metadata/identity/oauth2/
 *    token?api-version=2018-02-01&resource=R[&client_id=C] with `Metadata: true`.
 * Tokens are cached per (resource, client id) until expires_on (or now + expires_in) minus
 * a refresh margin (5 minutes); from then on the cached token is still served while one
 * fetch refreshes it in the background (a failed one is retried after 10 s), until a fifth of
 * the margin before expiry, when requests wait for a fetch. Concurrent requests for a token
 * being fetched wait for that one fetch. Failures are not cached. Used from the world's event loop
 * only (not thread-safe). */

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/str.h"
#include "clock.h"
#include "transport.h"

struct rt_identity; /* req.h: the synchronous interface of rt_world.idp */

typedef enum rt_idp_source {
    RT_IDP_AUTO,       /* detect from the options / environment (order above) */
    RT_IDP_IMDS,       /* instance metadata service */
    RT_IDP_APPSERVICE, /* IDENTITY_ENDPOINT + IDENTITY_HEADER */
    RT_IDP_WORKLOAD,   /* federated token file client assertion */
} rt_idp_source;

/* Options; every NULL string is taken from the environment variable named after it. */
typedef struct rt_idp_opts {
    rt_idp_source source;
    /* Where requests go instead of the real endpoint (tests); NULL: $APIMLITE_IDENTITY_ENDPOINT,
     * then none. IMDS: the token URL (instead of http://169.254.169.254/metadata/identity/
     * oauth2/token); App Service: instead of IDENTITY_ENDPOINT; workload identity: the
     * authority host (instead of AZURE_AUTHORITY_HOST / https://login.microsoftonline.com/). */
    const char *endpoint;
    const char *identity_endpoint;    /* $IDENTITY_ENDPOINT */
    const char *identity_header;      /* $IDENTITY_HEADER */
    const char *federated_token_file; /* $AZURE_FEDERATED_TOKEN_FILE */
    const char *client_id;            /* $AZURE_CLIENT_ID (workload identity's app) */
    const char *tenant_id;            /* $AZURE_TENANT_ID */
    const char *authority_host;       /* $AZURE_AUTHORITY_HOST */
    int64_t timeout_ms;               /* per fetch; 0: 30 s */
    int64_t refresh_margin_ms;        /* 0: 5 minutes; < 0: none */
} rt_idp_opts;

typedef struct rt_idp rt_idp;
typedef struct rt_idp_wait rt_idp_wait; /* a pending get, owned by the provider */

/* Creates a provider (copies what it needs from opts and the environment; opts may be NULL).
 * transport and clock must outlive it. Aborts on OOM. */
rt_idp *rt_idp_new(rt_transport *transport, rt_clock *clock, const rt_idp_opts *opts);
/* Cancels the fetches in flight (their waiters are not called) and frees p; NULL: no-op. */
void rt_idp_free(rt_idp *p);
/* The source in use (after detection) and its name ("imds", "app-service", "workload-identity"). */
rt_idp_source rt_idp_source_of(const rt_idp *p);
const char *rt_idp_source_name(rt_idp_source s);

/* Completion of rt_idp_get: exactly one of token / error is non-NULL; both valid during the
 * call only (copy them). Called from the transport's completion, never from rt_idp_get. */
typedef void (*rt_idp_done)(void *ud, const char *token, const char *error);

/* A token for resource (client_id empty: the system-assigned identity, or AZURE_CLIENT_ID for
 * workload identity).
 *  - cached and fresh: returns 1 with *token copied into a; done is not called;
 *  - otherwise: returns 0; done(ud, ...) is called once later (unless rt_idp_cancel), and
 *    *wait (when wait is non-NULL) is the handle to cancel it; a fetch for the same
 *    (resource, client id) already in flight is joined instead of starting another;
 *  - could not start (empty resource, unreadable token file, transport refused, arena cap):
 *    returns -1 with *error (a message in a); done is not called. */
int rt_idp_get(rt_idp *p, arena *a, str resource, str client_id, str *token, str *error,
               rt_idp_done done, void *ud, rt_idp_wait **wait);
/* Forgets a pending get: its done will not be called (the fetch still fills the cache). */
void rt_idp_cancel(rt_idp *p, rt_idp_wait *wait);

/* Number of transport calls started so far (tests, metrics). */
uint64_t rt_idp_fetches(const rt_idp *p);

/* The synchronous interface of rt_world.idp (req.h) over p: get_token answers fresh cached
 * tokens, and otherwise starts a fetch (so that a later request finds it) and fails with
 * "token not ready". A policy that can suspend asks rt_idp_of first and uses rt_idp_get. */
struct rt_identity *rt_idp_identity(rt_idp *p);
/* The provider behind id when id came from rt_idp_identity, else NULL (the test map). */
rt_idp *rt_idp_of(struct rt_identity *id);

#endif
