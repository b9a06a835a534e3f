/* Crypto for jwtv: base64 decoders, key construction from JWK parameters and the signature
 * checks, all through OpenSSL 3's EVP interface. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "runtime/base/xalloc.h"
#include "runtime/jwtv_int.h"

int rt_jwtv_err(char *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, RT_JWTV_ERR_MAX, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- base64 ---- */

/* Value of a base64 digit, or -1. url_only rejects '+' and '/'. */
static int b64_digit(unsigned char c, bool url_only)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    if (!url_only && c == '+')
        return 62;
    if (!url_only && c == '/')
        return 63;
    return -1;
}

static bool is_b64_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static unsigned char *b64_decode(const char *p, size_t n, bool strict, size_t *out_len)
{
    unsigned char *out = xmalloc(n / 4 * 3 + 4);
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0, digits = 0, pad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!strict && is_b64_space(c))
            continue;
        if (!strict && c == '=') {
            pad++;
            continue;
        }
        int v = b64_digit(c, strict);
        if (v < 0 || pad > 0)
            goto fail; /* bad character, or data after the padding */
        acc = ((acc << 6) | (uint32_t)v) & 0xffffffu;
        bits += 6;
        digits++;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (digits % 4 == 1 || pad > 2 || (pad > 0 && (digits + pad) % 4 != 0))
        goto fail;
    if (strict && (acc & ((1u << bits) - 1)) != 0)
        goto fail; /* non-canonical: unused trailing bits set */
    *out_len = o;
    return out;
fail:
    free(out);
    return NULL;
}

unsigned char *rt_jwtv_b64url_decode(const char *p, size_t n, size_t *out_len)
{
    return b64_decode(p, n, true, out_len);
}

unsigned char *rt_jwtv_b64_decode_lenient(const char *p, size_t n, size_t *out_len)
{
    return b64_decode(p, n, false, out_len);
}

/* ---- keys ---- */

unsigned rt_jwtv_kind_algs(enum rt_jwtv_key_kind kind, size_t ec_coord)
{
    switch (kind) {
    case RT_JWTV_KEY_SECRET:
        return RT_JWTV_ALG_HS256 | RT_JWTV_ALG_HS384 | RT_JWTV_ALG_HS512;
    case RT_JWTV_KEY_RSA:
        return RT_JWTV_ALG_RS256 | RT_JWTV_ALG_RS384 | RT_JWTV_ALG_RS512 | RT_JWTV_ALG_PS256 |
               RT_JWTV_ALG_PS384 | RT_JWTV_ALG_PS512;
    case RT_JWTV_KEY_EC:
        return ec_coord == 32   ? RT_JWTV_ALG_ES256
               : ec_coord == 48 ? RT_JWTV_ALG_ES384
               : ec_coord == 66 ? RT_JWTV_ALG_ES512
                                : 0u;
    }
    return 0;
}

EVP_PKEY *rt_jwtv_rsa_from_ne(const unsigned char *n, size_t nlen, const unsigned char *e,
                              size_t elen, char *err)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    BIGNUM *bn = NULL, *be = NULL;
    if (nlen > RT_JWTV_MAX_RSA_BITS / 8 + 1 || elen == 0 || elen > 8) {
        rt_jwtv_err(err, "RSA modulus or exponent has a bad size");
        goto out;
    }
    bn = BN_bin2bn(n, (int)nlen, NULL);
    be = BN_bin2bn(e, (int)elen, NULL);
    if (!bn || !be)
        goto fail;
    int bits = BN_num_bits(bn);
    if (bits < 1024 || bits > RT_JWTV_MAX_RSA_BITS) {
        rt_jwtv_err(err, "RSA modulus of %d bits (1024..%d allowed)", bits, RT_JWTV_MAX_RSA_BITS);
        goto out;
    }
    if (!BN_is_odd(be) || BN_num_bits(be) < 2) {
        rt_jwtv_err(err, "RSA exponent is not an odd number >= 3");
        goto out;
    }
    bld = OSSL_PARAM_BLD_new();
    if (!bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
        goto fail;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        pkey = NULL;
        goto fail;
    }
    goto out;
fail:
    rt_jwtv_err(err, "OpenSSL rejected the RSA key");
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    return pkey;
}

/* The OpenSSL group and coordinate size of a JOSE curve name; NULL if unsupported. */
static const char *jose_curve(const char *crv, size_t *coord)
{
    static const struct {
        const char *jose, *group;
        size_t coord;
    } curves[] = { { "P-256", "prime256v1", 32 },
                   { "P-384", "secp384r1", 48 },
                   { "P-521", "secp521r1", 66 } };
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++) {
        if (strcmp(crv, curves[i].jose) == 0) {
            *coord = curves[i].coord;
            return curves[i].group;
        }
    }
    return NULL;
}

EVP_PKEY *rt_jwtv_ec_from_xy(const char *crv, const unsigned char *x, size_t xlen,
                             const unsigned char *y, size_t ylen, size_t *coord, char *err)
{
    size_t c = 0;
    const char *group = jose_curve(crv, &c);
    if (!group) {
        rt_jwtv_err(err, "unsupported EC curve '%.40s'", crv);
        return NULL;
    }
    if (xlen != c || ylen != c) {
        rt_jwtv_err(err, "EC coordinates must be %zu bytes for %s", c, crv);
        return NULL;
    }
    unsigned char pub[1 + 2 * 66];
    pub[0] = 4; /* uncompressed point */
    memcpy(pub + 1, x, c);
    memcpy(pub + 1 + c, y, c);
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + 2 * c),
        OSSL_PARAM_END,
    };
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        EVP_PKEY_CTX_free(ctx);
        rt_jwtv_err(err, "EC point is not on curve %s", crv);
        return NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    /* fromdata decodes the point; the explicit check also rejects the point at infinity */
    EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok = chk && EVP_PKEY_public_check(chk) == 1;
    EVP_PKEY_CTX_free(chk);
    if (!ok) {
        EVP_PKEY_free(pkey);
        rt_jwtv_err(err, "EC point is not on curve %s", crv);
        return NULL;
    }
    *coord = c;
    return pkey;
}

int rt_jwtv_pkey_kind(EVP_PKEY *pkey, enum rt_jwtv_key_kind *kind, size_t *coord, char *err)
{
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA: {
        int bits = EVP_PKEY_get_bits(pkey);
        if (bits < 1024 || bits > RT_JWTV_MAX_RSA_BITS)
            return rt_jwtv_err(err, "RSA key of %d bits (1024..%d allowed)", bits,
                               RT_JWTV_MAX_RSA_BITS);
        *kind = RT_JWTV_KEY_RSA;
        *coord = 0;
        return 0;
    }
    case EVP_PKEY_EC: {
        char name[64];
        size_t len = 0;
        if (EVP_PKEY_get_group_name(pkey, name, sizeof name, &len) != 1)
            return rt_jwtv_err(err, "EC key without a named curve");
        static const char *const groups[][2] = { { "prime256v1", "P-256" },
                                                 { "secp384r1", "P-384" },
                                                 { "secp521r1", "P-521" } };
        for (size_t i = 0; i < 3; i++) {
            if (strcmp(name, groups[i][0]) == 0) {
                jose_curve(groups[i][1], coord);
                *kind = RT_JWTV_KEY_EC;
                return 0;
            }
        }
        return rt_jwtv_err(err, "unsupported EC curve %.40s", name);
    }
    default:
        return rt_jwtv_err(err, "unsupported public key type (RSA and EC only)");
    }
}

/* ---- signatures ---- */

static const EVP_MD *alg_md(unsigned alg)
{
    if (alg & (RT_JWTV_ALG_HS256 | RT_JWTV_ALG_RS256 | RT_JWTV_ALG_PS256 | RT_JWTV_ALG_ES256))
        return EVP_sha256();
    if (alg & (RT_JWTV_ALG_HS384 | RT_JWTV_ALG_RS384 | RT_JWTV_ALG_PS384 | RT_JWTV_ALG_ES384))
        return EVP_sha384();
    return EVP_sha512();
}

static int verify_hmac(const rt_jwtv_key *k, const EVP_MD *md, const unsigned char *data, size_t n,
                       const unsigned char *sig, size_t siglen)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    if (!HMAC(md, k->secret, (int)k->secret_len, data, n, mac, &maclen))
        return 0;
    int ok = maclen == siglen && CRYPTO_memcmp(mac, sig, maclen) == 0;
    OPENSSL_cleanse(mac, sizeof mac);
    return ok;
}

/* JOSE r||s (RFC 7518 §3.4) to a DER ECDSA-Sig-Value; NULL when the size is wrong. */
static unsigned char *ecdsa_der(const unsigned char *sig, size_t siglen, size_t coord, int *derlen)
{
    if (siglen != 2 * coord)
        return NULL;
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)coord, NULL);
    BIGNUM *s = BN_bin2bn(sig + coord, (int)coord, NULL);
    unsigned char *der = NULL;
    if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        return NULL;
    }
    *derlen = i2d_ECDSA_SIG(es, &der);
    ECDSA_SIG_free(es);
    if (*derlen <= 0) {
        OPENSSL_free(der);
        return NULL;
    }
    return der;
}

static int verify_pkey(const rt_jwtv_key *k, unsigned alg, const EVP_MD *md,
                       const unsigned char *data, size_t n, const unsigned char *sig, size_t siglen)
{
    unsigned char *der = NULL;
    int derlen = 0;
    if (k->kind == RT_JWTV_KEY_EC) {
        der = ecdsa_der(sig, siglen, k->ec_coord, &derlen);
        if (!der)
            return 0;
        sig = der;
        siglen = (size_t)derlen;
    }
    int ok = 0;
    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestVerifyInit(ctx, &pctx, md, NULL, k->pkey) != 1)
        goto out;
    if (alg & (RT_JWTV_ALG_PS256 | RT_JWTV_ALG_PS384 | RT_JWTV_ALG_PS512)) {
        /* RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash */
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) <= 0)
            goto out;
    } else if (k->kind == RT_JWTV_KEY_RSA) {
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)
            goto out;
    }
    ok = EVP_DigestVerify(ctx, sig, siglen, data, n) == 1;
out:
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    return ok;
}

int rt_jwtv_verify(const rt_jwtv_key *k, unsigned alg, const unsigned char *data, size_t n,
                   const unsigned char *sig, size_t siglen)
{
    if ((k->algs & alg) == 0 || (rt_jwtv_kind_algs(k->kind, k->ec_coord) & alg) == 0)
        return -1;
    const EVP_MD *md = alg_md(alg);
    int ok = k->kind == RT_JWTV_KEY_SECRET ? verify_hmac(k, md, data, n, sig, siglen)
                                           : verify_pkey(k, alg, md, data, n, sig, siglen);
    ERR_clear_error();
    return ok;
}
