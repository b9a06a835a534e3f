#ifndef RUNTIME_POLICIES_JWT_INT_H
#define RUNTIME_POLICIES_JWT_INT_H

/* Shared by the files of validate-jwt / validate-azure-ad-token: jwt.c (vocabulary and
 * parse), jwt_exec.c (token extraction, validation, failures) and jwt_oidc.c (OpenID
 * configuration fetching and its cache). Only those files include this header. */

#include "../jwtv.h"
#include "common.h"
#include "oidc.h"

typedef struct jwt_claim_conf {
    str name, separator;
    bool match_any;
    pol_val *values;
    size_t nvalues;
} jwt_claim_conf;

/* <key>: literal keys go into jwt_conf.keys at load; expression texts are evaluated per
 * request. */
typedef struct jwt_key_conf {
    str id;
    pol_val text;
} jwt_key_conf;

typedef struct jwt_conf {
    bool aad; /* validate-azure-ad-token */
    pol_val header, query, token;
    pol_val code, message, require_exp, scheme, require_signed, skew;
    str out_var; /* output-token-variable-name, empty when absent */
    pol_val *openid;
    size_t nopenid;
    rt_jwtv_keyset *keys;   /* literal <issuer-signing-keys> (malloc'ed, freed with the config
                             * arena); NULL when none */
    jwt_key_conf *dyn_keys; /* <key>@(...)</key> */
    size_t ndyn_keys;
    bool decryption_keys; /* <decryption-keys> given (encrypted tokens are not supported) */
    pol_val *audiences, *issuers, *client_ids, *backend_ids;
    size_t naudiences, nissuers, nclient_ids, nbackend_ids;
    jwt_claim_conf *claims;
    size_t nclaims;
    pol_val tenant; /* validate-azure-ad-token tenant-id */
} jwt_conf;

/* jwt_exec.c: the exec function of both policies. */
pol_status rt_jwt_exec(rt_req *r, const void *conf);

/* ---- jwt_oidc.c ---- */

/* One fetched OpenID configuration: issuer and JWKS keys. Reference-counted: the cache holds
 * one reference, each request using it another (released with the request arena). */
typedef struct rt_oidc_doc {
    int refs;
    char *url;
    char *issuer; /* "" when the document has none */
    rt_jwtv_keyset *keys;
    int64_t fetched_ms;
} rt_oidc_doc;

/* Called once every URL is resolved (from the transport's completion, never from inside
 * rt_oidc_resolve, after rt_wake_enter(w)). */
typedef void (*rt_oidc_done)(rt_req *r, void *ud);

/* Resolves urls[0..n) into docs[0..n) (NULL for a URL whose configuration could not be
 * obtained; the trace says why): from the world's cache when fresh (1 h), else through the
 * transport. refetch: the token's kid was not found, fetch again what was last tried at least
 * 5 minutes ago. Returns POL_NEXT when everything came from the cache (done is not called),
 * POL_SUSPEND when fetching (done(r, ud) is called later; the caller has prepared its
 * rt_wake), or POL_FAIL (arena cap). Documents are held until r's arena is released. */
pol_status rt_oidc_resolve(rt_req *r, const str *urls, size_t n, bool refetch, rt_oidc_doc **docs,
                           const rt_wake *w, rt_oidc_done done, void *ud);

/* Whether some URL of urls could be fetched again now for an unknown kid (last attempt at
 * least 5 minutes ago, or no cache). */
bool rt_oidc_can_refetch(rt_req *r, const str *urls, size_t n);

#endif
