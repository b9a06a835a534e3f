#ifndef RUNTIME_JWTV_INT_H
#define RUNTIME_JWTV_INT_H

/* Internals shared by jwtv.c, jwtv_keys.c and jwtv_crypto.c; nobody else includes this. */

#include <openssl/evp.h>

#include "runtime/jwtv.h"

enum rt_jwtv_key_kind { RT_JWTV_KEY_SECRET, RT_JWTV_KEY_RSA, RT_JWTV_KEY_EC };

typedef struct rt_jwtv_key {
    enum rt_jwtv_key_kind kind;
    char *kid; /* malloc'ed, NUL-terminated; NULL = no kid */
    size_t kid_len;
    unsigned char *secret; /* RT_JWTV_KEY_SECRET: malloc'ed bytes */
    size_t secret_len;
    EVP_PKEY *pkey;  /* RSA / EC public key */
    size_t ec_coord; /* EC: coordinate size in bytes (32, 48, 66) */
    unsigned algs;   /* algorithms this key may verify (JWK "alg" narrows it) */
} rt_jwtv_key;

struct rt_jwtv_keyset {
    rt_jwtv_key *keys;
    size_t n, cap;
};

/* Strict base64url (RFC 7515 §2: no padding, no white space, unused bits zero) of p[0..n).
 * Returns a malloc'ed buffer (never NULL on success, even for n == 0) and its length, or NULL. */
unsigned char *rt_jwtv_b64url_decode(const char *p, size_t n, size_t *out_len);
/* Lenient base64 for configured key material: both alphabets, optional '=' padding, ASCII white
 * space ignored. Same ownership as above; NULL when malformed. */
unsigned char *rt_jwtv_b64_decode_lenient(const char *p, size_t n, size_t *out_len);

/* Algorithms a key kind can verify at all (before any JWK "alg" restriction). */
unsigned rt_jwtv_kind_algs(enum rt_jwtv_key_kind kind, size_t ec_coord);

/* Verifies sig over data with key k for algorithm alg (one RT_JWTV_ALG_* bit). Returns 1 when
 * the signature is valid, 0 when it is not, -1 when k cannot verify alg. Constant-time compare
 * for HMAC; ES* signatures are JOSE r||s and are converted to DER here. */
int rt_jwtv_verify(const rt_jwtv_key *k, unsigned alg, const unsigned char *data, size_t n,
                   const unsigned char *sig, size_t siglen);

/* RSA public key from big-endian modulus and exponent bytes; NULL (with err) when out of
 * bounds or rejected by OpenSSL. */
EVP_PKEY *rt_jwtv_rsa_from_ne(const unsigned char *n, size_t nlen, const unsigned char *e,
                              size_t elen, char *err);
/* EC public key on the named JOSE curve ("P-256", "P-384", "P-521") from x and y; NULL (with
 * err) when the point is not on the curve or the sizes are wrong. *coord gets the size. */
EVP_PKEY *rt_jwtv_ec_from_xy(const char *crv, const unsigned char *x, size_t xlen,
                             const unsigned char *y, size_t ylen, size_t *coord, char *err);
/* Checks an RSA/EC key taken from a certificate or PEM: returns its kind and coordinate size,
 * or -1 with err when unsupported (other types, RSA out of bounds, other curves). */
int rt_jwtv_pkey_kind(EVP_PKEY *pkey, enum rt_jwtv_key_kind *kind, size_t *coord, char *err);

/* snprintf into err when err is not NULL; always returns -1. */
int rt_jwtv_err(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
