/* Test helpers for the jwtv tests: keys, signing, certificates (see jwtv_util.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "jwtv_util.h"

int tu_pss_saltlen = RSA_PSS_SALTLEN_DIGEST;

static void die(const char *what)
{
    fprintf(stderr, "jwtv test helper: %s failed\n", what);
    abort();
}

char *tu_b64(const void *p, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    if (!out)
        die("malloc");
    EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

char *tu_b64url(const void *p, size_t n)
{
    char *s = tu_b64(p, n);
    size_t len = strlen(s);
    while (len > 0 && s[len - 1] == '=')
        s[--len] = 0;
    for (size_t i = 0; i < len; i++)
        s[i] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
    return s;
}

EVP_PKEY *tu_rsa_key(int bits)
{
    EVP_PKEY *k = EVP_RSA_gen((unsigned)bits);
    if (!k)
        die("EVP_RSA_gen");
    return k;
}

EVP_PKEY *tu_ec_key(const char *curve)
{
    EVP_PKEY *k = EVP_EC_gen(curve);
    if (!k)
        die("EVP_EC_gen");
    return k;
}

static const EVP_MD *md_of(const char *alg)
{
    if (strcmp(alg + 2, "256") == 0)
        return EVP_sha256();
    if (strcmp(alg + 2, "384") == 0)
        return EVP_sha384();
    return EVP_sha512();
}

/* DER ECDSA signature -> JOSE r||s. */
static unsigned char *ec_raw(const unsigned char *der, size_t derlen, EVP_PKEY *pkey, size_t *len)
{
    int bits = EVP_PKEY_get_bits(pkey);
    size_t coord = ((size_t)bits + 7) / 8;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &der, (long)derlen);
    if (!es)
        die("d2i_ECDSA_SIG");
    unsigned char *out = malloc(2 * coord);
    if (!out || BN_bn2binpad(ECDSA_SIG_get0_r(es), out, (int)coord) < 0 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(es), out + coord, (int)coord) < 0)
        die("BN_bn2binpad");
    ECDSA_SIG_free(es);
    *len = 2 * coord;
    return out;
}

static unsigned char *sign_bytes(const char *alg, const void *secret, size_t secret_len,
                                 EVP_PKEY *pkey, const char *input, size_t *siglen)
{
    const EVP_MD *md = md_of(alg);
    if (alg[0] == 'H') {
        unsigned char *mac = malloc(EVP_MAX_MD_SIZE);
        unsigned int len = 0;
        if (!mac || !HMAC(md, secret, (int)secret_len, (const unsigned char *)input, strlen(input),
                          mac, &len))
            die("HMAC");
        *siglen = len;
        return mac;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    if (!ctx || EVP_DigestSignInit(ctx, &pctx, md, NULL, pkey) != 1)
        die("EVP_DigestSignInit");
    if (alg[0] == 'P' && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
                          EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, tu_pss_saltlen) <= 0 ||
                          EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) <= 0))
        die("PSS params");
    size_t len = 0;
    if (EVP_DigestSign(ctx, NULL, &len, (const unsigned char *)input, strlen(input)) != 1)
        die("EVP_DigestSign size");
    unsigned char *sig = malloc(len);
    if (!sig || EVP_DigestSign(ctx, sig, &len, (const unsigned char *)input, strlen(input)) != 1)
        die("EVP_DigestSign");
    EVP_MD_CTX_free(ctx);
    if (alg[0] == 'E') {
        unsigned char *raw = ec_raw(sig, len, pkey, siglen);
        free(sig);
        return raw;
    }
    *siglen = len;
    return sig;
}

char *tu_sign(const char *alg, const void *secret, size_t secret_len, EVP_PKEY *pkey,
              const char *header_json, const char *payload_json)
{
    char *h = tu_b64url(header_json, strlen(header_json));
    char *p = tu_b64url(payload_json, strlen(payload_json));
    size_t inlen = strlen(h) + 1 + strlen(p);
    char *input = malloc(inlen + 1);
    if (!input)
        die("malloc");
    snprintf(input, inlen + 1, "%s.%s", h, p);
    free(h);
    free(p);
    char *sig = calloc(1, 1);
    if (strcmp(alg, "none") != 0) {
        size_t siglen = 0;
        unsigned char *raw = sign_bytes(alg, secret, secret_len, pkey, input, &siglen);
        free(sig);
        sig = tu_b64url(raw, siglen);
        free(raw);
    }
    size_t total = inlen + 1 + strlen(sig) + 1;
    char *tok = malloc(total);
    if (!tok)
        die("malloc");
    snprintf(tok, total, "%s.%s", input, sig);
    free(input);
    free(sig);
    return tok;
}

char *tu_token(const char *alg, const char *kid, const void *secret, size_t secret_len,
               EVP_PKEY *pkey, const char *payload_json)
{
    char header[256];
    if (kid)
        snprintf(header, sizeof header, "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", alg,
                 kid);
    else
        snprintf(header, sizeof header, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
    return tu_sign(alg, secret, secret_len, pkey, header, payload_json);
}

static char *bn_param_b64url(EVP_PKEY *pkey, const char *param, size_t pad)
{
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1)
        die("EVP_PKEY_get_bn_param");
    size_t len = pad ? pad : (size_t)BN_num_bytes(bn);
    unsigned char *buf = malloc(len ? len : 1);
    if (!buf || BN_bn2binpad(bn, buf, (int)len) < 0)
        die("BN_bn2binpad");
    char *s = tu_b64url(buf, len);
    free(buf);
    BN_free(bn);
    return s;
}

void tu_rsa_ne(EVP_PKEY *pkey, char **n, char **e)
{
    *n = bn_param_b64url(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
    *e = bn_param_b64url(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
}

void tu_ec_xy(EVP_PKEY *pkey, char **x, char **y)
{
    size_t coord = ((size_t)EVP_PKEY_get_bits(pkey) + 7) / 8;
    *x = bn_param_b64url(pkey, OSSL_PKEY_PARAM_EC_PUB_X, coord);
    *y = bn_param_b64url(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, coord);
}

char *tu_jwk(EVP_PKEY *pkey, const char *kid)
{
    char kidpart[128] = "";
    if (kid)
        snprintf(kidpart, sizeof kidpart, ",\"kid\":\"%s\"", kid);
    char *a, *b, *out = malloc(4096);
    if (!out)
        die("malloc");
    if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA) {
        tu_rsa_ne(pkey, &a, &b);
        snprintf(out, 4096, "{\"kty\":\"RSA\",\"use\":\"sig\",\"n\":\"%s\",\"e\":\"%s\"%s}", a, b,
                 kidpart);
    } else {
        int bits = EVP_PKEY_get_bits(pkey);
        tu_ec_xy(pkey, &a, &b);
        snprintf(out, 4096, "{\"kty\":\"EC\",\"crv\":\"P-%d\",\"x\":\"%s\",\"y\":\"%s\"%s}", bits,
                 a, b, kidpart);
    }
    free(a);
    free(b);
    return out;
}

static X509 *make_cert(EVP_PKEY *pkey)
{
    X509 *x = X509_new();
    if (!x)
        die("X509_new");
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 42);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"jwtv test", -1, -1,
                               0);
    X509_set_issuer_name(x, name);
    if (X509_set_pubkey(x, pkey) != 1 || X509_sign(x, pkey, EVP_sha256()) <= 0)
        die("X509_sign");
    return x;
}

static char *bio_text(BIO *bio)
{
    char *p = NULL;
    long len = BIO_get_mem_data(bio, &p);
    char *s = malloc((size_t)len + 1);
    if (!s)
        die("malloc");
    memcpy(s, p, (size_t)len);
    s[len] = 0;
    BIO_free(bio);
    return s;
}

char *tu_cert_pem(EVP_PKEY *pkey)
{
    X509 *x = make_cert(pkey);
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio || PEM_write_bio_X509(bio, x) != 1)
        die("PEM_write_bio_X509");
    X509_free(x);
    return bio_text(bio);
}

char *tu_cert_b64der(EVP_PKEY *pkey)
{
    X509 *x = make_cert(pkey);
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    if (len <= 0)
        die("i2d_X509");
    char *s = tu_b64(der, (size_t)len);
    OPENSSL_free(der);
    X509_free(x);
    return s;
}

unsigned char *tu_pkcs12(EVP_PKEY *pkey, const char *pass, size_t *len)
{
    X509 *x = make_cert(pkey);
    PKCS12 *p12 = PKCS12_create(pass, "jwtv", pkey, x, NULL, 0, 0, 0, 0, 0);
    if (!p12)
        die("PKCS12_create");
    unsigned char *der = NULL;
    int n = i2d_PKCS12(p12, &der);
    if (n <= 0)
        die("i2d_PKCS12");
    unsigned char *out = malloc((size_t)n);
    if (!out)
        die("malloc");
    memcpy(out, der, (size_t)n);
    OPENSSL_free(der);
    PKCS12_free(p12);
    X509_free(x);
    *len = (size_t)n;
    return out;
}

char *tu_pubkey_pem(EVP_PKEY *pkey)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio || PEM_write_bio_PUBKEY(bio, pkey) != 1)
        die("PEM_write_bio_PUBKEY");
    return bio_text(bio);
}

/* ---- shared keys and validation helpers ---- */

EVP_PKEY *rsa1, *rsa2, *ec256, *ec384, *ec521;
unsigned char secret1[32], secret2[64];

int tu_group_setup(void **state)
{
    (void)state;
    rsa1 = tu_rsa_key(2048);
    rsa2 = tu_rsa_key(2048);
    ec256 = tu_ec_key("P-256");
    ec384 = tu_ec_key("P-384");
    ec521 = tu_ec_key("P-521");
    if (RAND_bytes(secret1, sizeof secret1) != 1 || RAND_bytes(secret2, sizeof secret2) != 1)
        return -1;
    return 0;
}

int tu_group_teardown(void **state)
{
    (void)state;
    EVP_PKEY_free(rsa1);
    EVP_PKEY_free(rsa2);
    EVP_PKEY_free(ec256);
    EVP_PKEY_free(ec384);
    EVP_PKEY_free(ec521);
    return 0;
}

/* ---- helpers ---- */

char last_message[512], last_detail[512];

/* Validates token with o (keys: the given keysets) and returns the reason; the message and
 * detail are kept in last_message / last_detail. */
rt_jwtv_reason run(const char *token, const rt_jwtv_opts *o)
{
    arena a;
    arena_init(&a, 0);
    rt_jwtv_result res;
    int rc = rt_jwtv_validate(&a, str_from(token), o, &res);
    assert_int_equal(rc, res.reason == RT_JWTV_OK ? 0 : -1);
    snprintf(last_message, sizeof last_message, "%s", res.message);
    snprintf(last_detail, sizeof last_detail, "%s", res.detail);
    arena_release(&a);
    return res.reason;
}

void opts_with(rt_jwtv_opts *o, const rt_jwtv_keyset *const *sets, size_t n)
{
    rt_jwtv_opts_init(o, NOW * 1000);
    o->keysets = sets;
    o->nkeysets = n;
}

/* A payload with exp = NOW + exp_delta (and the fields given in extra, e.g. ",\"aud\":\"x\""). */
char *payload(long long exp_delta, const char *extra)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"sub\":\"alice\",\"iss\":\"https://issuer.example/\",\"exp\":%lld%s}",
             NOW + exp_delta, extra ? extra : "");
    return buf;
}

rt_jwtv_keyset *secret_set(const char *kid, const unsigned char *s, size_t n)
{
    rt_jwtv_keyset *ks = rt_jwtv_keyset_new();
    char err[RT_JWTV_ERR_MAX];
    char *b64 = tu_b64(s, n);
    assert_int_equal(
        rt_jwtv_keyset_add_secret_b64(ks, str_from(kid ? kid : ""), str_from(b64), err), 0);
    free(b64);
    return ks;
}

rt_jwtv_keyset *jwk_set(EVP_PKEY *pkey, const char *kid)
{
    rt_jwtv_keyset *ks = rt_jwtv_keyset_new();
    char err[RT_JWTV_ERR_MAX] = "";
    char *jwk = tu_jwk(pkey, kid);
    json_t *j = json_loads(jwk, 0, NULL);
    assert_non_null(j);
    int rc = rt_jwtv_keyset_add_jwk(ks, j, err);
    if (rc != 0)
        fprintf(stderr, "add_jwk: %s\n", err);
    assert_int_equal(rc, 0);
    json_decref(j);
    free(jwk);
    return ks;
}

rt_jwtv_keyset *ne_set(EVP_PKEY *pkey, const char *kid)
{
    rt_jwtv_keyset *ks = rt_jwtv_keyset_new();
    char err[RT_JWTV_ERR_MAX];
    char *n, *e;
    tu_rsa_ne(pkey, &n, &e);
    assert_int_equal(
        rt_jwtv_keyset_add_rsa_ne(ks, str_from(kid ? kid : ""), str_from(n), str_from(e), err), 0);
    free(n);
    free(e);
    return ks;
}
