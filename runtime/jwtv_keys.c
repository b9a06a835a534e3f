/* Key material for jwtv: keysets, symmetric secrets, RSA n/e, certificates, PKCS#12, JWK/JWKS
 * and the OpenID configuration document. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "runtime/base/xalloc.h"
#include "runtime/jwtv_int.h"

#define MAX_SECRET ((size_t)64 << 10)

rt_jwtv_keyset *rt_jwtv_keyset_new(void)
{
    return xcalloc(1, sizeof(rt_jwtv_keyset));
}

static void key_release(rt_jwtv_key *k)
{
    free(k->kid);
    if (k->secret) {
        OPENSSL_cleanse(k->secret, k->secret_len);
        free(k->secret);
    }
    EVP_PKEY_free(k->pkey);
}

void rt_jwtv_keyset_free(rt_jwtv_keyset *ks)
{
    if (!ks)
        return;
    for (size_t i = 0; i < ks->n; i++)
        key_release(&ks->keys[i]);
    free(ks->keys);
    free(ks);
}

size_t rt_jwtv_keyset_count(const rt_jwtv_keyset *ks)
{
    return ks ? ks->n : 0;
}

bool rt_jwtv_keyset_has_kid(const rt_jwtv_keyset *ks, str kid)
{
    for (size_t i = 0; ks && i < ks->n; i++) {
        const rt_jwtv_key *k = &ks->keys[i];
        if (k->kid && str_eq(str_make(k->kid, k->kid_len), kid))
            return true;
    }
    return false;
}

/* Appends k (taking ownership of its contents) or releases it when the set is full. */
static int keyset_push(rt_jwtv_keyset *ks, str kid, rt_jwtv_key *k, char *err)
{
    if (ks->n >= RT_JWTV_MAX_KEYS) {
        key_release(k);
        return rt_jwtv_err(err, "too many keys (at most %d)", RT_JWTV_MAX_KEYS);
    }
    if (ks->n == ks->cap) {
        ks->cap = ks->cap ? 2 * ks->cap : 4;
        ks->keys = xrealloc(ks->keys, ks->cap * sizeof *ks->keys);
    }
    if (kid.len > 0) {
        k->kid = xstrndup(kid.ptr, kid.len);
        k->kid_len = kid.len;
    }
    k->algs &= rt_jwtv_kind_algs(k->kind, k->ec_coord);
    ks->keys[ks->n++] = *k;
    return 0;
}

int rt_jwtv_keyset_add_secret(rt_jwtv_keyset *ks, str kid, const void *p, size_t n, char *err)
{
    if (n == 0)
        return rt_jwtv_err(err, "empty symmetric key");
    if (n > MAX_SECRET)
        return rt_jwtv_err(err, "symmetric key too large");
    rt_jwtv_key k = { .kind = RT_JWTV_KEY_SECRET, .algs = RT_JWTV_ALG_ALL };
    k.secret = xmalloc(n);
    memcpy(k.secret, p, n);
    k.secret_len = n;
    return keyset_push(ks, kid, &k, err);
}

int rt_jwtv_keyset_add_secret_b64(rt_jwtv_keyset *ks, str kid, str b64, char *err)
{
    size_t n = 0;
    unsigned char *bytes = rt_jwtv_b64_decode_lenient(b64.ptr, b64.len, &n);
    if (!bytes)
        return rt_jwtv_err(err, "symmetric key is not valid base64");
    int rc = rt_jwtv_keyset_add_secret(ks, kid, bytes, n, err);
    OPENSSL_cleanse(bytes, n);
    free(bytes);
    return rc;
}

/* Adds pkey (ownership taken) after checking its type; algs narrows the algorithms. */
static int add_pkey(rt_jwtv_keyset *ks, str kid, EVP_PKEY *pkey, unsigned algs, char *err)
{
    rt_jwtv_key k = { .pkey = pkey, .algs = algs };
    if (rt_jwtv_pkey_kind(pkey, &k.kind, &k.ec_coord, err) < 0) {
        EVP_PKEY_free(pkey);
        return -1;
    }
    return keyset_push(ks, kid, &k, err);
}

static int add_rsa_ne(rt_jwtv_keyset *ks, str kid, str n_b64, str e_b64, unsigned algs, char *err)
{
    size_t nlen = 0, elen = 0;
    unsigned char *n = rt_jwtv_b64_decode_lenient(n_b64.ptr, n_b64.len, &nlen);
    unsigned char *e = rt_jwtv_b64_decode_lenient(e_b64.ptr, e_b64.len, &elen);
    int rc = -1;
    if (!n || !e || nlen == 0) {
        rt_jwtv_err(err, "RSA modulus or exponent is not valid base64url");
    } else {
        EVP_PKEY *pkey = rt_jwtv_rsa_from_ne(n, nlen, e, elen, err);
        if (pkey)
            rc = add_pkey(ks, kid, pkey, algs, err);
    }
    free(n);
    free(e);
    ERR_clear_error();
    return rc;
}

int rt_jwtv_keyset_add_rsa_ne(rt_jwtv_keyset *ks, str kid, str n_b64url, str e_b64url, char *err)
{
    return add_rsa_ne(ks, kid, str_trim(n_b64url), str_trim(e_b64url), RT_JWTV_ALG_ALL, err);
}

static int add_cert_der(rt_jwtv_keyset *ks, str kid, const void *der, size_t n, unsigned algs,
                        char *err)
{
    if (n > (size_t)1 << 20)
        return rt_jwtv_err(err, "certificate too large");
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)n);
    if (!x || p != (const unsigned char *)der + n) {
        X509_free(x);
        ERR_clear_error();
        return rt_jwtv_err(err, "not a DER X.509 certificate");
    }
    EVP_PKEY *pkey = X509_get_pubkey(x);
    X509_free(x);
    ERR_clear_error();
    if (!pkey)
        return rt_jwtv_err(err, "certificate has no usable public key");
    return add_pkey(ks, kid, pkey, algs, err);
}

int rt_jwtv_keyset_add_cert_der(rt_jwtv_keyset *ks, str kid, const void *der, size_t n, char *err)
{
    return add_cert_der(ks, kid, der, n, RT_JWTV_ALG_ALL, err);
}

int rt_jwtv_keyset_add_cert(rt_jwtv_keyset *ks, str kid, str text, char *err)
{
    text = str_trim(text);
    if (text.len > (size_t)1 << 20)
        return rt_jwtv_err(err, "certificate too large");
    if (str_find(text, STR_LIT("-----BEGIN ")) < 0) {
        size_t n = 0;
        unsigned char *der = rt_jwtv_b64_decode_lenient(text.ptr, text.len, &n);
        if (!der)
            return rt_jwtv_err(err, "certificate is neither PEM nor base64 DER");
        int rc = add_cert_der(ks, kid, der, n, RT_JWTV_ALG_ALL, err);
        free(der);
        return rc;
    }
    BIO *bio = BIO_new_mem_buf(text.ptr, (int)text.len);
    if (!bio)
        return rt_jwtv_err(err, "out of memory");
    EVP_PKEY *pkey = NULL;
    if (str_find(text, STR_LIT("-----BEGIN CERTIFICATE-----")) >= 0) {
        X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        if (x)
            pkey = X509_get_pubkey(x);
        X509_free(x);
    } else if (str_find(text, STR_LIT("-----BEGIN PUBLIC KEY-----")) >= 0) {
        pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    }
    BIO_free(bio);
    ERR_clear_error();
    if (!pkey)
        return rt_jwtv_err(err, "PEM is not a readable certificate or public key");
    return add_pkey(ks, kid, pkey, RT_JWTV_ALG_ALL, err);
}

int rt_jwtv_keyset_add_pkcs12(rt_jwtv_keyset *ks, str kid, const void *der, size_t n, str password,
                              char *err)
{
    if (n > (size_t)1 << 20)
        return rt_jwtv_err(err, "PKCS#12 blob too large");
    const unsigned char *p = der;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)n);
    char *pass = xstrndup(password.ptr ? password.ptr : "", password.len);
    EVP_PKEY *priv = NULL, *pkey = NULL;
    X509 *cert = NULL;
    if (p12 && PKCS12_parse(p12, pass, &priv, &cert, NULL) == 1 && cert)
        pkey = X509_get_pubkey(cert);
    OPENSSL_cleanse(pass, password.len);
    free(pass);
    EVP_PKEY_free(priv);
    X509_free(cert);
    PKCS12_free(p12);
    ERR_clear_error();
    if (!pkey)
        return rt_jwtv_err(err, "PKCS#12 blob unreadable (bad password or no certificate)");
    return add_pkey(ks, kid, pkey, RT_JWTV_ALG_ALL, err);
}

/* ---- JWK / JWKS ---- */

/* The string member name of o as a str, or STR_NULL when absent or not a string. */
static str jstr(const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    if (!json_is_string(v))
        return STR_NULL;
    return str_make(json_string_value(v), json_string_length(v));
}

static int add_jwk_ec(rt_jwtv_keyset *ks, str kid, const json_t *jwk, unsigned algs, char *err)
{
    str crv = jstr(jwk, "crv"), xs = jstr(jwk, "x"), ys = jstr(jwk, "y");
    if (!crv.ptr || !xs.ptr || !ys.ptr)
        return rt_jwtv_err(err, "EC JWK needs crv, x and y");
    size_t xl = 0, yl = 0, coord = 0;
    unsigned char *x = rt_jwtv_b64url_decode(xs.ptr, xs.len, &xl);
    unsigned char *y = rt_jwtv_b64url_decode(ys.ptr, ys.len, &yl);
    int rc = -1;
    if (!x || !y) {
        rt_jwtv_err(err, "EC JWK coordinates are not base64url");
    } else {
        EVP_PKEY *pkey = rt_jwtv_ec_from_xy(crv.ptr, x, xl, y, yl, &coord, err);
        if (pkey)
            rc = add_pkey(ks, kid, pkey, algs, err);
    }
    free(x);
    free(y);
    ERR_clear_error();
    return rc;
}

/* The first x5c certificate (standard base64 DER, RFC 7517 §4.7). */
static int add_jwk_x5c(rt_jwtv_keyset *ks, str kid, const json_t *jwk, unsigned algs, char *err)
{
    const json_t *x5c = json_object_get(jwk, "x5c");
    const json_t *first = json_array_get(x5c, 0);
    if (!json_is_string(first))
        return rt_jwtv_err(err, "RSA JWK needs n and e (or x5c)");
    size_t n = 0;
    unsigned char *der =
        rt_jwtv_b64_decode_lenient(json_string_value(first), json_string_length(first), &n);
    if (!der)
        return rt_jwtv_err(err, "x5c certificate is not base64");
    int rc = add_cert_der(ks, kid, der, n, algs, err);
    free(der);
    return rc;
}

int rt_jwtv_keyset_add_jwk(rt_jwtv_keyset *ks, const json_t *jwk, char *err)
{
    if (!json_is_object(jwk))
        return rt_jwtv_err(err, "JWK is not an object");
    str kty = jstr(jwk, "kty"), use = jstr(jwk, "use"), alg = jstr(jwk, "alg");
    str kid = jstr(jwk, "kid");
    if (!kty.ptr)
        return rt_jwtv_err(err, "JWK without kty");
    if (use.ptr && !str_eq_cstr(use, "sig"))
        return rt_jwtv_err(err, "JWK is not a signing key (use '%.20s')", use.ptr);
    unsigned algs = RT_JWTV_ALG_ALL;
    if (alg.ptr) {
        algs = rt_jwtv_alg_from_name(alg);
        if (algs == 0)
            return rt_jwtv_err(err, "JWK for unsupported algorithm '%.20s'", alg.ptr);
    }
    if (str_eq_cstr(kty, "RSA")) {
        str n = jstr(jwk, "n"), e = jstr(jwk, "e");
        if (n.ptr && e.ptr)
            return add_rsa_ne(ks, kid, n, e, algs, err);
        return add_jwk_x5c(ks, kid, jwk, algs, err);
    }
    if (str_eq_cstr(kty, "EC")) {
        if (!json_object_get(jwk, "x") && json_object_get(jwk, "x5c"))
            return add_jwk_x5c(ks, kid, jwk, algs, err);
        return add_jwk_ec(ks, kid, jwk, algs, err);
    }
    if (str_eq_cstr(kty, "oct")) {
        str k = jstr(jwk, "k");
        size_t n = 0;
        unsigned char *bytes = k.ptr ? rt_jwtv_b64url_decode(k.ptr, k.len, &n) : NULL;
        if (!bytes)
            return rt_jwtv_err(err, "oct JWK needs a base64url k");
        rt_jwtv_key key = { .kind = RT_JWTV_KEY_SECRET, .algs = algs };
        int rc = -1;
        if (n == 0 || n > MAX_SECRET) {
            rt_jwtv_err(err, "oct JWK has a bad key size");
            free(bytes);
        } else {
            key.secret = bytes;
            key.secret_len = n;
            rc = keyset_push(ks, kid, &key, err);
        }
        return rc;
    }
    return rt_jwtv_err(err, "unsupported JWK kty '%.20s'", kty.ptr);
}

int rt_jwtv_keyset_add_jwks(rt_jwtv_keyset *ks, str json, char *err)
{
    if (json.len > RT_JWTV_MAX_JWKS)
        return rt_jwtv_err(err, "JWKS document larger than %zu bytes", RT_JWTV_MAX_JWKS);
    json_error_t jerr;
    json_t *doc = json_loadb(json.ptr, json.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return rt_jwtv_err(err, "JWKS is not JSON: %s", jerr.text);
    json_t *keys = json_object_get(doc, "keys");
    if (!json_is_array(keys)) {
        json_decref(doc);
        return rt_jwtv_err(err, "JWKS has no keys array");
    }
    int added = 0;
    size_t i;
    json_t *jwk;
    json_array_foreach(keys, i, jwk)
    {
        if (rt_jwtv_keyset_count(ks) >= RT_JWTV_MAX_KEYS)
            break;
        if (rt_jwtv_keyset_add_jwk(ks, jwk, NULL) == 0)
            added++;
    }
    json_decref(doc);
    return added;
}

/* ---- OpenID configuration ---- */

int rt_jwtv_openid_parse(arena *a, str json, rt_jwtv_openid *out, char *err)
{
    *out = (rt_jwtv_openid){ STR_NULL, STR_NULL };
    if (json.len > RT_JWTV_MAX_JWKS)
        return rt_jwtv_err(err, "OpenID configuration larger than %zu bytes", RT_JWTV_MAX_JWKS);
    json_error_t jerr;
    json_t *doc = json_loadb(json.ptr, json.len, 0, &jerr);
    if (!doc)
        return rt_jwtv_err(err, "OpenID configuration is not JSON: %s", jerr.text);
    int rc = -1;
    str iss = jstr(doc, "issuer"), jwks = jstr(doc, "jwks_uri");
    if (!json_is_object(doc) || !jwks.ptr || jwks.len == 0) {
        rt_jwtv_err(err, "OpenID configuration has no jwks_uri");
    } else {
        out->jwks_uri = arena_str(a, jwks);
        out->issuer = iss.ptr ? arena_str(a, iss) : STR_LIT("");
        rc = out->jwks_uri.ptr && out->issuer.ptr ? 0 : rt_jwtv_err(err, "arena full");
    }
    json_decref(doc);
    return rc;
}
