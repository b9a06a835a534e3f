#ifndef RUNTIME_POLICIES_OIDC_H
#define RUNTIME_POLICIES_OIDC_H

/* The OpenID configuration cache of validate-jwt <openid-config> and validate-azure-ad-token:
 * per metadata URL, the issuer and the signing keys of its JWKS, fetched through the world's
 * transport and kept for 1 hour; a token whose kid is unknown, or a failed retrieval, makes
 * the next fetch of that URL wait at least 5 minutes (validate-jwt-policy.md). One cache per
 * world (rt_world.oidc), created and freed by whoever makes the world; it is used from the
 * world's event loop only (not thread-safe). Documents in use by a request stay alive until
 * that request's arena is released, even when the cache replaces or drops them. */

typedef struct rt_oidc_cache rt_oidc_cache;

/* A new empty cache. Aborts on OOM (xmalloc). */
rt_oidc_cache *rt_oidc_cache_new(void);
/* Frees the cache and the documents no request holds any more; NULL is a no-op. */
void rt_oidc_cache_free(rt_oidc_cache *c);

#endif
