#ifndef RUNTIME_JWTV_H
#define RUNTIME_JWTV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "runtime/base/arena.h"
#include "runtime/base/str.h"

/*
 * JWT (compact JWS) validation for validate-jwt and validate-azure-ad-token, independent of
 * the policies: the exec functions collect the token, build the options from their
 * attributes and children, and map the result onto LastError and the error response.
 *
 * Key material lives in keysets (malloc'ed, owned by whoever built them: the compiled policy
 * for <issuer-signing-keys>, the OpenID cache for a fetched JWKS). A keyset is immutable once
 * built and may be shared by concurrent validations. Fetching OpenID documents and JWKS is the
 * caller's business (through the transport); this module only parses them.
 *
 * Supported algorithms: HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512 (OpenSSL 3
 * EVP). Encrypted tokens (JWE, <decryption-keys>) are not supported and fail as JwtInvalid.
 */

/* The APIM reasons (context.LastError.Reason) of validate-jwt. ORDER RT_JWTV_REASON */
typedef enum rt_jwtv_reason {
    RT_JWTV_OK = 0,
    RT_JWTV_TOKEN_NOT_PRESENT,       /* TokenNotPresent */
    RT_JWTV_SIGNATURE_INVALID,       /* TokenSignatureInvalid */
    RT_JWTV_AUDIENCE_NOT_ALLOWED,    /* TokenAudienceNotAllowed */
    RT_JWTV_ISSUER_NOT_ALLOWED,      /* TokenIssuerNotAllowed */
    RT_JWTV_EXPIRED,                 /* TokenExpired */
    RT_JWTV_SIGNATURE_KEY_NOT_FOUND, /* TokenSignatureKeyNotFound */
    RT_JWTV_CLAIM_NOT_FOUND,         /* TokenClaimNotFound */
    RT_JWTV_CLAIM_VALUE_NOT_ALLOWED, /* TokenClaimValueNotAllowed */
    RT_JWTV_INVALID,                 /* JwtInvalid: malformed, lifetime, unsupported, ... */
} rt_jwtv_reason;

/* Signature algorithms, as bits for rt_jwtv_opts.algs. */
enum rt_jwtv_alg_flags {
    RT_JWTV_ALG_HS256 = 1 << 0,
    RT_JWTV_ALG_HS384 = 1 << 1,
    RT_JWTV_ALG_HS512 = 1 << 2,
    RT_JWTV_ALG_RS256 = 1 << 3,
    RT_JWTV_ALG_RS384 = 1 << 4,
    RT_JWTV_ALG_RS512 = 1 << 5,
    RT_JWTV_ALG_PS256 = 1 << 6,
    RT_JWTV_ALG_PS384 = 1 << 7,
    RT_JWTV_ALG_PS512 = 1 << 8,
    RT_JWTV_ALG_ES256 = 1 << 9,
    RT_JWTV_ALG_ES384 = 1 << 10,
    RT_JWTV_ALG_ES512 = 1 << 11,
    RT_JWTV_ALG_ALL = (1 << 12) - 1,
};

/* Limits: longer tokens fail as JwtInvalid, larger JWKS documents fail to parse. */
#define RT_JWTV_MAX_TOKEN    ((size_t)16 << 10)
#define RT_JWTV_MAX_JWKS     ((size_t)256 << 10)
#define RT_JWTV_MAX_KEYS     100  /* per keyset */
#define RT_JWTV_MAX_RSA_BITS 8192 /* and at least 1024 */
#define RT_JWTV_ERR_MAX      160  /* size of the err buffers below */

/* A set of verification keys (symmetric secrets, RSA and EC public keys), each with an
 * optional kid. Opaque; malloc'ed. */
typedef struct rt_jwtv_keyset rt_jwtv_keyset;

/* One <claim> of <required-claims>. */
typedef struct rt_jwtv_claim {
    str name;          /* claim name as in the token payload */
    bool match_any;    /* match="any"; false = "all" (the default) */
    str separator;     /* splits string claim values ("a,b"); empty = no splitting */
    const str *values; /* the allowed values; none = the claim only has to be present */
    size_t nvalues;
} rt_jwtv_claim;

/* Validation options. Fill with rt_jwtv_opts_init, then set what the policy configures. */
typedef struct rt_jwtv_opts {
    int64_t now_s;                /* current time, seconds since the Unix epoch */
    int64_t clock_skew_s;         /* clock-skew (default 0) */
    bool require_expiration_time; /* default true */
    bool require_signed_tokens;   /* default true; false also allows alg "none" */
    unsigned algs;                /* allowed rt_jwtv_alg_flags (default RT_JWTV_ALG_ALL) */
    const str *audiences;         /* <audiences>; none = aud not checked. Ordinal compare, one
                                   * trailing '/' ignored on either side */
    size_t naudiences;
    const str *issuers; /* <issuers> plus the issuers of the OpenID documents; none = iss
                         * not checked. "{tenantid}" in an issuer matches the token's tid */
    size_t nissuers;
    const rt_jwtv_claim *claims; /* <required-claims> */
    size_t nclaims;
    const str *client_app_ids; /* validate-azure-ad-token <client-application-ids>: the token's
                                * azp (v2) or appid (v1) must be one of them; none = no check */
    size_t nclient_app_ids;
    const rt_jwtv_keyset *const *keysets; /* where signing keys are looked up, in order */
    size_t nkeysets;
} rt_jwtv_opts;

/* The outcome of one validation. Strings and JSON live in the arena passed to validate. */
typedef struct rt_jwtv_result {
    rt_jwtv_reason reason; /* RT_JWTV_OK when valid */
    const char *message;   /* failure: APIM's default error message (LastError.Message and the
                            * body unless failed-validation-error-message is set); "" when ok */
    const char *detail;    /* failure: technical detail for the trace (may be ""); "" when ok */
    json_t *header;        /* decoded JOSE header, or NULL if the token did not get that far;
                            * borrowed: the arena holds the reference */
    json_t *claims;        /* decoded payload (claims object), same ownership as header */
    str alg;               /* header "alg" (arena), empty if unknown */
    str kid;               /* header "kid" (arena), empty if none */
    bool signed_checked;   /* a signature was verified (false only for accepted unsigned) */
} rt_jwtv_result;

/* "TokenNotPresent", ... for RT_JWTV_*; "" for RT_JWTV_OK. Static strings. */
const char *rt_jwtv_reason_name(rt_jwtv_reason reason);

/* Flag of an algorithm name ("RS256" -> RT_JWTV_ALG_RS256), or 0 if unsupported. */
unsigned rt_jwtv_alg_from_name(str name);

/* ---- keys ---- */

/* A new empty keyset. Aborts on OOM (xmalloc). Free with rt_jwtv_keyset_free. */
rt_jwtv_keyset *rt_jwtv_keyset_new(void);
/* Frees ks and every key in it; NULL is a no-op. */
void rt_jwtv_keyset_free(rt_jwtv_keyset *ks);
/* Number of keys in ks. */
size_t rt_jwtv_keyset_count(const rt_jwtv_keyset *ks);
/* Whether some key in ks has exactly this kid (for "unknown kid: refetch the JWKS"). */
bool rt_jwtv_keyset_has_kid(const rt_jwtv_keyset *ks, str kid);

/* The add functions below return 0, or -1 with a message in err (RT_JWTV_ERR_MAX bytes; may be
 * NULL) and ks unchanged. kid may be empty (key without id; tried for every token).
 * The key count is capped at RT_JWTV_MAX_KEYS. */

/* <key>base64</key>: a symmetric secret in standard base64 (padding and white space allowed;
 * base64url accepted too). An empty secret is rejected. */
int rt_jwtv_keyset_add_secret_b64(rt_jwtv_keyset *ks, str kid, str b64, char *err);
/* A symmetric secret given as raw bytes. */
int rt_jwtv_keyset_add_secret(rt_jwtv_keyset *ks, str kid, const void *p, size_t n, char *err);
/* <key n="" e="">: RSA public key from modulus and exponent in base64url (padding and the
 * standard alphabet tolerated). Modulus of 1024..RT_JWTV_MAX_RSA_BITS bits. */
int rt_jwtv_keyset_add_rsa_ne(rt_jwtv_keyset *ks, str kid, str n_b64url, str e_b64url, char *err);
/* A certificate (certificate-id, x5c) or public key: PEM ("BEGIN CERTIFICATE" or "BEGIN PUBLIC
 * KEY"), or base64 of a DER X.509 certificate. RSA and EC (P-256/384/521) keys. The validity
 * period of the certificate is not checked (as IdentityModel does for signing keys). */
int rt_jwtv_keyset_add_cert(rt_jwtv_keyset *ks, str kid, str text, char *err);
/* A DER X.509 certificate. */
int rt_jwtv_keyset_add_cert_der(rt_jwtv_keyset *ks, str kid, const void *der, size_t n, char *err);
/* A PKCS#12 (PFX) blob as uploaded to APIM; uses the certificate's public key. password may be
 * empty. */
int rt_jwtv_keyset_add_pkcs12(rt_jwtv_keyset *ks, str kid, const void *der, size_t n, str password,
                              char *err);
/* One JWK (a JSON object): kty RSA (n, e, or x5c), EC (crv P-256/P-384/P-521, x, y) or oct (k).
 * Its "kid" is used; its "alg", when present, restricts the key to that algorithm. Keys with
 * "use" other than "sig" are rejected. */
int rt_jwtv_keyset_add_jwk(rt_jwtv_keyset *ks, const json_t *jwk, char *err);
/* A JWKS document ({"keys": [...]}, at most RT_JWTV_MAX_JWKS bytes). Keys that are unusable
 * (encryption keys, unknown kty or curve, bad material) are skipped. Returns the number of keys
 * added (0 is possible), or -1 with err if the document itself is malformed. */
int rt_jwtv_keyset_add_jwks(rt_jwtv_keyset *ks, str json, char *err);

/* ---- OpenID configuration ---- */

typedef struct rt_jwtv_openid {
    str issuer;   /* "issuer" (arena); empty if absent */
    str jwks_uri; /* "jwks_uri" (arena); always set on success */
} rt_jwtv_openid;

/* Parses an OpenID provider configuration document. Returns 0, or -1 with err when it is not a
 * JSON object with a string jwks_uri (issuer is optional). Strings are copied into a. */
int rt_jwtv_openid_parse(arena *a, str json, rt_jwtv_openid *out, char *err);

/* ---- validation ---- */

/* Defaults of validate-jwt: now, skew 0, exp required, signed tokens required, every
 * algorithm, no audience/issuer/claim checks, no keys. */
void rt_jwtv_opts_init(rt_jwtv_opts *o, int64_t now_ms);

/* Validates the compact token (without "Bearer "; white space around it is trimmed) against o.
 * An empty token is TokenNotPresent. Checks, in IdentityModel's order: format, signature (kid
 * lookup across o->keysets; a kid that matches no key falls back to every key and fails as
 * TokenSignatureKeyNotFound; keys whose type does not fit the algorithm are never used, so an
 * RS256 token cannot be checked with an HMAC secret or vice versa), lifetime (exp/nbf with
 * clock skew: expired when exp < now - skew, not yet valid when nbf > now + skew), audience,
 * issuer, the required claims (all missing ones are listed in one TokenClaimNotFound), then the
 * client application ids (TokenClaimValueNotAllowed, or TokenClaimNotFound without azp/appid).
 * Fills *res (allocations in a; the JSON is released with a). Returns 0 when valid, -1 otherwise
 * (res->reason says why). Never crashes on hostile input. */
int rt_jwtv_validate(arena *a, str token, const rt_jwtv_opts *o, rt_jwtv_result *res);

#endif
