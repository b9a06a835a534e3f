/* X509Certificate2 (from PKCS#12, DER or PEM bytes), RSA keys (SignData/VerifyData with
 * PKCS#1 v1.5 or PSS), HashAlgorithmName and RSASignaturePadding, over OpenSSL. Objects own
 * their OpenSSL handles through arena_defer. */
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <string.h>

#include "lib1.h"

typedef struct cert {
    X509 *x;
    EVP_PKEY *key; /* NULL without a private key */
} cert;

static void x509_free_cb(void *p)
{
    X509_free(p);
}

static void pkey_free_cb(void *p)
{
    EVP_PKEY_free(p);
}

static int cert_error(expr_env *env, const char *msg)
{
    return expr_throw(env, "CryptographicException", "%s", msg);
}

/* Adopts x and key (either may be NULL) into the arena. */
static int cert_make(expr_env *env, X509 *x, EVP_PKEY *key, xv *out)
{
    cert *c = arena_alloc(env->a, sizeof *c);
    if (!c || arena_defer(env->a, x509_free_cb, x) < 0) {
        X509_free(x);
        EVP_PKEY_free(key);
        return lib1_oom(env);
    }
    c->x = x;
    if (key && arena_defer(env->a, pkey_free_cb, key) < 0) {
        EVP_PKEY_free(key);
        return lib1_oom(env);
    }
    c->key = key;
    *out = xv_obj(&lib1_class_x509, c);
    return 0;
}

/* new X509Certificate2(byte[] data[, string password[, flags]]) */
static int x509_ctor(xv_call *c, xv *out)
{
    const char *who = "X509Certificate2..ctor";
    if (c->args[0].kind == XV_STR)
        return cert_error(c->env, "X509Certificate2: reading certificate files is not supported");
    str data, pw = STR_LIT("");
    bool pw_null = true;
    if (lib1_bytes(c, 0, who, &data) < 0 ||
        (c->nargs > 1 && lib1_str(c, 1, who, &pw, &pw_null) < 0))
        return -1;
    if (data.len > INT32_MAX)
        return cert_error(c->env, "certificate too large");
    char *pass = arena_strndup(c->env->a, pw.ptr, pw.len);
    if (!pass)
        return lib1_oom(c->env);
    const unsigned char *p = (const unsigned char *)data.ptr;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)data.len);
    if (p12) {
        X509 *x = NULL;
        EVP_PKEY *key = NULL;
        int ok = PKCS12_parse(p12, pw_null ? NULL : pass, &key, &x, NULL);
        if (!ok && pw_null)
            ok = PKCS12_parse(p12, "", &key, &x, NULL);
        PKCS12_free(p12);
        if (!ok || !x) {
            X509_free(x);
            EVP_PKEY_free(key);
            return cert_error(c->env, "The specified network password is not correct.");
        }
        return cert_make(c->env, x, key, out);
    }
    p = (const unsigned char *)data.ptr;
    X509 *x = d2i_X509(NULL, &p, (long)data.len);
    if (!x) {
        BIO *bio = BIO_new_mem_buf(data.ptr, (int)data.len);
        if (bio) {
            x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
            BIO_free(bio);
        }
    }
    if (!x)
        return cert_error(c->env, "Cannot find the requested object.");
    return cert_make(c->env, x, NULL, out);
}

static cert *self_cert(xv self)
{
    return self.u.obj.ptr;
}

static int name_string(expr_env *env, const X509_NAME *n, xv *out)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return lib1_oom(env);
    X509_NAME_print_ex(bio, n, 0, (XN_FLAG_RFC2253 & ~XN_FLAG_SEP_MASK) | XN_FLAG_SEP_CPLUS_SPC);
    char *p;
    long len = BIO_get_mem_data(bio, &p);
    int r = xv_str_copy(env, p, len > 0 ? (size_t)len : 0, out);
    BIO_free(bio);
    return r;
}

static int x509_subject(expr_env *env, xv self, xv *out)
{
    return name_string(env, X509_get_subject_name(self_cert(self)->x), out);
}

static int x509_issuer(expr_env *env, xv self, xv *out)
{
    return name_string(env, X509_get_issuer_name(self_cert(self)->x), out);
}

static int cert_hash(expr_env *env, xv self, xv *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!X509_digest(self_cert(self)->x, EVP_sha1(), md, &n))
        return cert_error(env, "X509_digest failed");
    if (xv_str_copy(env, (const char *)md, n, out) < 0)
        return -1;
    out->kind = XV_BYTES;
    return 0;
}

static int hex_upper(expr_env *env, const unsigned char *p, size_t n, xv *out)
{
    char *o = arena_alloc(env->a, n * 2 + 1);
    if (!o)
        return lib1_oom(env);
    for (size_t i = 0; i < n; i++) {
        o[2 * i] = "0123456789ABCDEF"[p[i] >> 4];
        o[2 * i + 1] = "0123456789ABCDEF"[p[i] & 15];
    }
    *out = xv_str(str_make(o, n * 2));
    return 0;
}

static int x509_thumbprint(expr_env *env, xv self, xv *out)
{
    xv h;
    if (cert_hash(env, self, &h) < 0)
        return -1;
    return hex_upper(env, (const unsigned char *)h.u.s.ptr, h.u.s.len, out);
}

static int x509_serial(expr_env *env, xv self, xv *out)
{
    const ASN1_INTEGER *s = X509_get0_serialNumber(self_cert(self)->x);
    return hex_upper(env, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s), out);
}

static int asn1_time_ticks(const ASN1_TIME *t, int64_t *ticks)
{
    struct tm tm;
    if (!ASN1_TIME_to_tm(t, &tm))
        return -1;
    *ticks =
        lib1_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) *
            LIB1_TICKS_PER_DAY +
        ((int64_t)tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) * LIB1_TICKS_PER_SEC;
    return 0;
}

static int x509_not_before(expr_env *env, xv self, xv *out)
{
    int64_t t;
    if (asn1_time_ticks(X509_get0_notBefore(self_cert(self)->x), &t) < 0)
        return cert_error(env, "bad notBefore");
    *out = lib1_datetime(t, XV_DT_LOCAL);
    return 0;
}

static int x509_not_after(expr_env *env, xv self, xv *out)
{
    int64_t t;
    if (asn1_time_ticks(X509_get0_notAfter(self_cert(self)->x), &t) < 0)
        return cert_error(env, "bad notAfter");
    *out = lib1_datetime(t, XV_DT_LOCAL);
    return 0;
}

static int x509_has_key(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_bool(self_cert(self)->key != NULL);
    return 0;
}

static int x509_raw(expr_env *env, xv self, xv *out)
{
    unsigned char *der = NULL;
    int n = i2d_X509(self_cert(self)->x, &der);
    if (n < 0)
        return cert_error(env, "i2d_X509 failed");
    int r = xv_str_copy(env, (const char *)der, (size_t)n, out);
    OPENSSL_free(der);
    if (r < 0)
        return -1;
    out->kind = XV_BYTES;
    return 0;
}

static int x509_version(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_int(X509_get_version(self_cert(self)->x) + 1);
    return 0;
}

static int x509_get_cert_hash(xv_call *c, xv *out)
{
    return cert_hash(c->env, c->self, out);
}

static int x509_get_cert_hash_string(xv_call *c, xv *out)
{
    return x509_thumbprint(c->env, c->self, out);
}

static int rsa_wrap(expr_env *env, EVP_PKEY *k, xv *out)
{
    if (!k || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
        *out = xv_null();
        return 0;
    }
    if (!EVP_PKEY_up_ref(k))
        return cert_error(env, "EVP_PKEY_up_ref failed");
    if (arena_defer(env->a, pkey_free_cb, k) < 0) {
        EVP_PKEY_free(k);
        return lib1_oom(env);
    }
    *out = xv_obj(&lib1_class_rsa, k);
    return 0;
}

static int x509_private_key(xv_call *c, xv *out)
{
    return rsa_wrap(c->env, self_cert(c->self)->key, out);
}

static int x509_public_key(xv_call *c, xv *out)
{
    return rsa_wrap(c->env, X509_get0_pubkey(self_cert(c->self)->x), out);
}

/* APIM's VerifyNoRevocation(): here, the validity period against the clock. */
static int x509_verify(xv_call *c, xv *out)
{
    int64_t nb, na, now = c->env->host->now(c->env);
    cert *ct = self_cert(c->self);
    if (asn1_time_ticks(X509_get0_notBefore(ct->x), &nb) < 0 ||
        asn1_time_ticks(X509_get0_notAfter(ct->x), &na) < 0)
        return cert_error(c->env, "bad validity");
    *out = xv_bool(nb <= now && now <= na);
    return 0;
}

static int x509_to_string(xv_call *c, xv *out)
{
    xv s, i;
    if (x509_subject(c->env, c->self, &s) < 0 || x509_issuer(c->env, c->self, &i) < 0)
        return -1;
    return xv_str_printf(c->env, out, "[Subject]\n  %.*s\n\n[Issuer]\n  %.*s", (int)s.u.s.len,
                         s.u.s.ptr, (int)i.u.s.len, i.u.s.ptr);
}

static int noop(xv_call *c, xv *out)
{
    (void)c;
    *out = xv_null();
    return 0;
}

#define S &expr_class_string
static const xv_member x509_members[] = {
    { "HasPrivateKey", x509_has_key, &expr_class_bool, 0, NULL },
    { "Issuer", x509_issuer, S, 0, NULL },
    { "NotAfter", x509_not_after, &expr_class_datetime, 0, NULL },
    { "NotBefore", x509_not_before, &expr_class_datetime, 0, NULL },
    { "RawData", x509_raw, &expr_class_bytes, 0, NULL },
    { "SerialNumber", x509_serial, S, 0, NULL },
    { "Subject", x509_subject, S, 0, NULL },
    { "SubjectName", x509_subject, S, 0, NULL },
    { "Thumbprint", x509_thumbprint, S, 0, NULL },
    { "Version", x509_version, &expr_class_int, 0, NULL },
};
static const xv_method x509_methods[] = {
    { "Dispose", 0, 0, noop, NULL, 0, NULL },
    { "GetCertHash", 0, 0, x509_get_cert_hash, &expr_class_bytes, 0, NULL },
    { "GetCertHashString", 0, 0, x509_get_cert_hash_string, S, 0, NULL },
    { "GetRSAPrivateKey", 0, 0, x509_private_key, &lib1_class_rsa, 0, NULL },
    { "GetRSAPublicKey", 0, 0, x509_public_key, &lib1_class_rsa, 0, NULL },
    { "ToString", 0, 1, x509_to_string, S, 0, NULL },
    { "Verify", 0, 0, x509_verify, &expr_class_bool, 0, NULL },
    { "VerifyNoRevocation", 0, 0, x509_verify, &expr_class_bool, 0, NULL },
};
static const char *const x509_aliases[] = {
    "System.Security.Cryptography.X509Certificates.X509Certificate2", "X509Certificate", NULL
};
const xv_class lib1_class_x509 = {
    .name = "X509Certificate2",
    .aliases = x509_aliases,
    .base = &expr_class_object,
    .members = x509_members,
    .nmembers = sizeof x509_members / sizeof x509_members[0],
    .methods = x509_methods,
    .nmethods = sizeof x509_methods / sizeof x509_methods[0],
    .ctor = x509_ctor,
    .ctor_min = 1,
    .ctor_max = 3,
};

/* ---- RSA ---- */

static const EVP_MD *hash_md(int64_t h)
{
    switch (h) {
    case 0:
        return EVP_sha1();
    case 1:
        return EVP_sha256();
    case 2:
        return EVP_sha384();
    case 3:
        return EVP_sha512();
    case 4:
        return EVP_md5();
    default:
        return NULL;
    }
}

/* Sets up a DigestSign/Verify context for args (hash at hi, padding at pi). */
static int rsa_ctx(xv_call *c, const char *who, size_t hi, size_t pi, bool sign, EVP_MD_CTX **out)
{
    int64_t h, pad;
    if (lib1_enum(c, hi, who, &lib1_class_hashname, &h) < 0 ||
        lib1_enum(c, pi, who, &lib1_class_sigpad, &pad) < 0)
        return -1;
    const EVP_MD *md = hash_md(h);
    if (!md)
        return cert_error(c->env, "unknown hash algorithm");
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    EVP_PKEY *k = c->self.u.obj.ptr;
    int ok = ctx && (sign ? EVP_DigestSignInit(ctx, &pctx, md, NULL, k)
                          : EVP_DigestVerifyInit(ctx, &pctx, md, NULL, k)) == 1;
    if (ok && pad == 1)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
    if (!ok) {
        EVP_MD_CTX_free(ctx);
        return cert_error(c->env,
                          sign ? "Keyset does not exist" : "signature verification setup failed");
    }
    *out = ctx;
    return 0;
}

static int rsa_sign_data(xv_call *c, xv *out)
{
    str data;
    EVP_MD_CTX *ctx;
    if (lib1_bytes(c, 0, "RSA.SignData", &data) < 0 ||
        rsa_ctx(c, "RSA.SignData", 1, 2, true, &ctx) < 0)
        return -1;
    size_t n = 0;
    unsigned char *sig = NULL;
    int ok = EVP_DigestSign(ctx, NULL, &n, (const unsigned char *)data.ptr, data.len) == 1 &&
             (sig = arena_alloc(c->env->a, n + 1)) != NULL &&
             EVP_DigestSign(ctx, sig, &n, (const unsigned char *)data.ptr, data.len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return sig || n == 0 ? cert_error(c->env, "signing failed (no private key?)")
                             : lib1_oom(c->env);
    *out = xv_bytes(str_make((const char *)sig, n));
    return 0;
}

static int rsa_verify_data(xv_call *c, xv *out)
{
    str data, sig;
    EVP_MD_CTX *ctx;
    if (lib1_bytes(c, 0, "RSA.VerifyData", &data) < 0 ||
        lib1_bytes(c, 1, "RSA.VerifyData", &sig) < 0 ||
        rsa_ctx(c, "RSA.VerifyData", 2, 3, false, &ctx) < 0)
        return -1;
    int r = EVP_DigestVerify(ctx, (const unsigned char *)sig.ptr, sig.len,
                             (const unsigned char *)data.ptr, data.len);
    EVP_MD_CTX_free(ctx);
    *out = xv_bool(r == 1);
    return 0;
}

static int rsa_key_size(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_int(EVP_PKEY_get_bits(self.u.obj.ptr));
    return 0;
}

static const xv_method rsa_methods[] = {
    { "Dispose", 0, 0, noop, NULL, 0, NULL },
    { "SignData", 3, 3, rsa_sign_data, &expr_class_bytes, 0, NULL },
    { "VerifyData", 4, 4, rsa_verify_data, &expr_class_bool, 0, NULL },
};
static const xv_member rsa_members[] = {
    { "KeySize", rsa_key_size, &expr_class_int, 0, NULL },
};
static const char *const rsa_aliases[] = { "RSACng",
                                           "RSACryptoServiceProvider",
                                           "RSAOpenSsl",
                                           "System.Security.Cryptography.RSA",
                                           "System.Security.Cryptography.RSACng",
                                           NULL };
const xv_class lib1_class_rsa = {
    .name = "RSA",
    .aliases = rsa_aliases,
    .base = &expr_class_object,
    .members = rsa_members,
    .nmembers = 1,
    .methods = rsa_methods,
    .nmethods = sizeof rsa_methods / sizeof rsa_methods[0],
};

/* ---- HashAlgorithmName, RSASignaturePadding (enum-like) ---- */

LIB1_ENUM_GET(hn_sha1, lib1_class_hashname, 0)
LIB1_ENUM_GET(hn_sha256, lib1_class_hashname, 1)
LIB1_ENUM_GET(hn_sha384, lib1_class_hashname, 2)
LIB1_ENUM_GET(hn_sha512, lib1_class_hashname, 3)
LIB1_ENUM_GET(hn_md5, lib1_class_hashname, 4)
#define HN &lib1_class_hashname
static const xv_member hn_consts[] = {
    { "MD5", hn_md5, HN, 4, NULL },       { "SHA1", hn_sha1, HN, 0, NULL },
    { "SHA256", hn_sha256, HN, 1, NULL }, { "SHA384", hn_sha384, HN, 2, NULL },
    { "SHA512", hn_sha512, HN, 3, NULL },
};
static const char *const hn_aliases[] = { "System.Security.Cryptography.HashAlgorithmName", NULL };
const xv_class lib1_class_hashname = {
    .name = "HashAlgorithmName",
    .aliases = hn_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = hn_consts,
    .nsmembers = 5,
};
LIB1_ENUM_GET(sp_pkcs1, lib1_class_sigpad, 0)
LIB1_ENUM_GET(sp_pss, lib1_class_sigpad, 1)
static const xv_member sp_consts[] = {
    { "Pkcs1", sp_pkcs1, &lib1_class_sigpad, 0, NULL },
    { "Pss", sp_pss, &lib1_class_sigpad, 1, NULL },
};
static const char *const sp_aliases[] = { "System.Security.Cryptography.RSASignaturePadding",
                                          NULL };
const xv_class lib1_class_sigpad = {
    .name = "RSASignaturePadding",
    .aliases = sp_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = sp_consts,
    .nsmembers = 2,
};
