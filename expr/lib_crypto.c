/* System.Security.Cryptography subset over OpenSSL libcrypto (EVP API): SHA1/SHA256/SHA384/
 * SHA512/MD5, HMACSHA1/256/384/512/HMACMD5, RandomNumberGenerator, Aes (+ transforms),
 * CipherMode/PaddingMode, and APIM's byte[] Encrypt/Decrypt extension methods. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>

#include "lib1.h"

static int crypto_error(expr_env *env, const char *msg)
{
    return expr_throw(env, "CryptographicException", "%s", msg);
}

/* ---- hashes ---- */

typedef struct hash_alg {
    const char *name;
    const EVP_MD *(*md)(void);
} hash_alg;

static const hash_alg algs[] = {
    { "SHA1", EVP_sha1 },     { "SHA256", EVP_sha256 }, { "SHA384", EVP_sha384 },
    { "SHA512", EVP_sha512 }, { "MD5", EVP_md5 },
};
enum { H_SHA1, H_SHA256, H_SHA384, H_SHA512, H_MD5 };

typedef struct hasher {
    const hash_alg *alg;
    bool hmac;
    str key;  /* HMAC key */
    str hash; /* last result */
} hasher;

static int digest(expr_env *env, const hash_alg *a, const hasher *h, str data, xv *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (h && h->hmac) {
        if (!HMAC(a->md(), h->key.ptr ? h->key.ptr : "", (int)h->key.len,
                  (const unsigned char *)data.ptr, data.len, md, &n))
            return crypto_error(env, "HMAC failed");
    } else if (!EVP_Digest(data.ptr, data.len, md, &n, a->md(), NULL)) {
        return crypto_error(env, "digest failed");
    }
    if (xv_str_copy(env, (const char *)md, n, out) < 0)
        return -1;
    out->kind = XV_BYTES;
    return 0;
}

static const xv_class *hash_class(int alg, bool hmac);

static int new_hasher(expr_env *env, int alg, bool hmac, xv *out)
{
    hasher *h = arena_alloc(env->a, sizeof *h);
    if (!h)
        return lib1_oom(env);
    h->alg = &algs[alg];
    h->hmac = hmac;
    if (hmac) { /* .NET makes a random key */
        char *k = arena_alloc(env->a, 64);
        if (!k || RAND_bytes((unsigned char *)k, 64) != 1)
            return k ? crypto_error(env, "RAND_bytes failed") : lib1_oom(env);
        h->key = str_make(k, 64);
    }
    *out = xv_obj(hash_class(alg, hmac), h);
    return 0;
}

static int compute_hash(xv_call *c, xv *out)
{
    hasher *h = c->self.u.obj.ptr;
    str data;
    if (lib1_bytes(c, 0, "HashAlgorithm.ComputeHash", &data) < 0)
        return -1;
    if (c->nargs == 3) {
        int64_t off, n;
        if (lib1_int(c, 1, "HashAlgorithm.ComputeHash", &off) < 0 ||
            lib1_int(c, 2, "HashAlgorithm.ComputeHash", &n) < 0)
            return -1;
        if (off < 0 || n < 0 || off + n > (int64_t)data.len)
            return expr_throw(c->env, "ArgumentException",
                              "Offset and length were out of bounds for the array.");
        data = str_make(data.ptr + off, (size_t)n);
    }
    if (digest(c->env, h->alg, h, data, out) < 0)
        return -1;
    h->hash = out->u.s;
    return 0;
}

static int hash_get(expr_env *env, xv self, xv *out)
{
    hasher *h = self.u.obj.ptr;
    if (!h->hash.ptr)
        return expr_throw(env, "CryptographicUnexpectedOperationException",
                          "Hash must be finalized before the hash value is retrieved.");
    *out = xv_bytes(h->hash);
    return 0;
}

static int hash_size(expr_env *env, xv self, xv *out)
{
    (void)env;
    hasher *h = self.u.obj.ptr;
    *out = xv_int(EVP_MD_get_size(h->alg->md()) * 8);
    return 0;
}

static int key_get(expr_env *env, xv self, xv *out)
{
    hasher *h = self.u.obj.ptr;
    return xv_str_copy(env, h->key.ptr, h->key.len, out) < 0 ? -1 : (out->kind = XV_BYTES, 0);
}

static int key_set(expr_env *env, xv self, xv val)
{
    hasher *h = self.u.obj.ptr;
    if (val.kind != XV_BYTES)
        return expr_throw(env, val.kind == XV_NULL ? "ArgumentNullException" : "ArgumentException",
                          "HMAC.Key: expected byte[], got %s", xv_type_name(val));
    xv copy;
    if (xv_str_copy(env, val.u.s.ptr ? val.u.s.ptr : "", val.u.s.len, &copy) < 0)
        return -1;
    h->key = copy.u.s;
    return 0;
}

static int noop(xv_call *c, xv *out)
{
    (void)c;
    *out = xv_null();
    return 0;
}

static int hmac_ctor_common(xv_call *c, int alg, xv *out)
{
    if (new_hasher(c->env, alg, true, out) < 0)
        return -1;
    if (c->nargs == 1) {
        str k;
        if (lib1_bytes(c, 0, "HMAC..ctor", &k) < 0)
            return -1;
        return key_set(c->env, *out, xv_bytes(k));
    }
    return 0;
}

/* Per-algorithm statics. */
#define HASH_FUNCS(pfx, A)                                                                         \
    static int pfx##_create(xv_call *c, xv *out)                                                   \
    {                                                                                              \
        return new_hasher(c->env, A, false, out);                                                  \
    }                                                                                              \
    static int pfx##_hash_data(xv_call *c, xv *out)                                                \
    {                                                                                              \
        str d;                                                                                     \
        if (lib1_bytes(c, 0, algs[A].name, &d) < 0)                                                \
            return -1;                                                                             \
        return digest(c->env, &algs[A], NULL, d, out);                                             \
    }                                                                                              \
    static int pfx##_hmac_ctor(xv_call *c, xv *out)                                                \
    {                                                                                              \
        return hmac_ctor_common(c, A, out);                                                        \
    }                                                                                              \
    static int pfx##_hmac_hash_data(xv_call *c, xv *out)                                           \
    {                                                                                              \
        str k, d;                                                                                  \
        if (lib1_bytes(c, 0, "HMAC.HashData", &k) < 0 ||                                           \
            lib1_bytes(c, 1, "HMAC.HashData", &d) < 0)                                             \
            return -1;                                                                             \
        hasher h = { &algs[A], true, k, STR_NULL };                                                \
        return digest(c->env, &algs[A], &h, d, out);                                               \
    }
HASH_FUNCS(sha1, H_SHA1)
HASH_FUNCS(sha256, H_SHA256)
HASH_FUNCS(sha384, H_SHA384)
HASH_FUNCS(sha512, H_SHA512)
HASH_FUNCS(md5, H_MD5)

#define BY &expr_class_bytes
static const xv_method hash_methods[] = {
    { "Clear", 0, 0, noop, NULL, 0, NULL },
    { "ComputeHash", 1, 3, compute_hash, BY, 0, NULL },
    { "Dispose", 0, 0, noop, NULL, 0, NULL },
};
static const xv_member hash_members[] = {
    { "Hash", hash_get, BY, 0, NULL },
    { "HashSize", hash_size, &expr_class_int, 0, NULL },
};
static const xv_member hmac_members[] = {
    { "Hash", hash_get, BY, 0, NULL },
    { "HashSize", hash_size, &expr_class_int, 0, NULL },
    { "Key", key_get, BY, 0, key_set },
};

#define HASH_CLASS(var, pfx, nm, ...)                                                              \
    static const xv_method pfx##_smethods[] = {                                                    \
        { "Create", 0, 1, pfx##_create, &var, 0, NULL },                                           \
        { "HashData", 1, 1, pfx##_hash_data, BY, 0, NULL },                                        \
    };                                                                                             \
    static const char *const pfx##_aliases[] = { __VA_ARGS__, NULL };                              \
    static const xv_class var = {                                                                  \
        .name = nm,                                                                                \
        .aliases = pfx##_aliases,                                                                  \
        .base = &expr_class_object,                                                                \
        .members = hash_members,                                                                   \
        .nmembers = 2,                                                                             \
        .methods = hash_methods,                                                                   \
        .nmethods = 3,                                                                             \
        .smethods = pfx##_smethods,                                                                \
        .nsmethods = 2,                                                                            \
        .ctor = pfx##_create,                                                                      \
        .ctor_min = 0,                                                                             \
        .ctor_max = 0,                                                                             \
    };
#define HMAC_CLASS(var, pfx, nm, ...)                                                              \
    static const xv_method pfx##_hsmethods[] = {                                                   \
        { "HashData", 2, 2, pfx##_hmac_hash_data, BY, 0, NULL },                                   \
    };                                                                                             \
    static const char *const pfx##_haliases[] = { __VA_ARGS__, NULL };                             \
    static const xv_class var = {                                                                  \
        .name = nm,                                                                                \
        .aliases = pfx##_haliases,                                                                 \
        .base = &expr_class_object,                                                                \
        .members = hmac_members,                                                                   \
        .nmembers = 3,                                                                             \
        .methods = hash_methods,                                                                   \
        .nmethods = 3,                                                                             \
        .smethods = pfx##_hsmethods,                                                               \
        .nsmethods = 1,                                                                            \
        .ctor = pfx##_hmac_ctor,                                                                   \
        .ctor_min = 0,                                                                             \
        .ctor_max = 1,                                                                             \
    };

static const xv_class class_sha1, class_sha256, class_sha384, class_sha512, class_md5;
HASH_CLASS(class_sha1, sha1, "SHA1", "System.Security.Cryptography.SHA1", "SHA1Managed",
           "SHA1CryptoServiceProvider")
HASH_CLASS(class_sha256, sha256, "SHA256", "System.Security.Cryptography.SHA256", "SHA256Managed",
           "SHA256CryptoServiceProvider")
HASH_CLASS(class_sha384, sha384, "SHA384", "System.Security.Cryptography.SHA384", "SHA384Managed",
           "SHA384CryptoServiceProvider")
HASH_CLASS(class_sha512, sha512, "SHA512", "System.Security.Cryptography.SHA512", "SHA512Managed",
           "SHA512CryptoServiceProvider")
HASH_CLASS(class_md5, md5, "MD5", "System.Security.Cryptography.MD5", "MD5CryptoServiceProvider")
HMAC_CLASS(class_hmacsha1, sha1, "HMACSHA1", "System.Security.Cryptography.HMACSHA1")
HMAC_CLASS(class_hmacsha256, sha256, "HMACSHA256", "System.Security.Cryptography.HMACSHA256")
HMAC_CLASS(class_hmacsha384, sha384, "HMACSHA384", "System.Security.Cryptography.HMACSHA384")
HMAC_CLASS(class_hmacsha512, sha512, "HMACSHA512", "System.Security.Cryptography.HMACSHA512")
HMAC_CLASS(class_hmacmd5, md5, "HMACMD5", "System.Security.Cryptography.HMACMD5")

static const xv_class *hash_class(int alg, bool hmac)
{
    static const xv_class *const plain[] = { &class_sha1, &class_sha256, &class_sha384,
                                             &class_sha512, &class_md5 };
    static const xv_class *const mac[] = { &class_hmacsha1, &class_hmacsha256, &class_hmacsha384,
                                           &class_hmacsha512, &class_hmacmd5 };
    return hmac ? mac[alg] : plain[alg];
}

/* ---- RandomNumberGenerator ---- */

static const xv_class class_rng;

static int rng_create(xv_call *c, xv *out)
{
    (void)c;
    *out = xv_obj(&class_rng, (void *)(uintptr_t)&class_rng);
    return 0;
}

static int fill(expr_env *env, str b, bool nonzero)
{
    unsigned char *p = (unsigned char *)(uintptr_t)b.ptr;
    if (b.len && RAND_bytes(p, (int)b.len) != 1)
        return crypto_error(env, "RAND_bytes failed");
    for (size_t i = 0; nonzero && i < b.len; i++)
        while (p[i] == 0)
            if (RAND_bytes(p + i, 1) != 1)
                return crypto_error(env, "RAND_bytes failed");
    return 0;
}

static int rng_get_bytes(xv_call *c, xv *out)
{
    if (c->self.kind == XV_NULL || c->args[0].kind == XV_INT) { /* static GetBytes(int count) */
        int64_t n;
        if (lib1_int(c, 0, "RandomNumberGenerator.GetBytes", &n) < 0)
            return -1;
        if (n < 0 || n > (1 << 24))
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Non-negative number required. (Parameter 'count')");
        char *p = arena_alloc(c->env->a, (size_t)n + 1);
        if (!p)
            return lib1_oom(c->env);
        *out = xv_bytes(str_make(p, (size_t)n));
        return fill(c->env, out->u.s, false);
    }
    str b;
    if (lib1_bytes(c, 0, "RandomNumberGenerator.GetBytes", &b) < 0)
        return -1;
    *out = xv_null();
    return c->args[0].kind == XV_BYTES
               ? fill(c->env, b, false)
               : lib1_arg_error(c, 0, "RandomNumberGenerator.GetBytes", "byte[]");
}

static int rng_get_nonzero(xv_call *c, xv *out)
{
    str b;
    if (lib1_bytes(c, 0, "RandomNumberGenerator.GetNonZeroBytes", &b) < 0)
        return -1;
    *out = xv_null();
    return fill(c->env, b, true);
}

static int rng_get_int32(xv_call *c, xv *out)
{
    int64_t lo = 0, hi;
    if (lib1_i32(c, c->nargs - 1, "RandomNumberGenerator.GetInt32", &hi) < 0 ||
        (c->nargs == 2 && lib1_i32(c, 0, "RandomNumberGenerator.GetInt32", &lo) < 0))
        return -1;
    if (hi <= lo)
        return expr_throw(c->env, "ArgumentException",
                          "Range of random number does not contain at least one possibility.");
    uint64_t range = (uint64_t)(hi - lo), r, limit = UINT64_MAX - UINT64_MAX % range;
    do {
        if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
            return crypto_error(c->env, "RAND_bytes failed");
    } while (r >= limit);
    *out = xv_int(lo + (int64_t)(r % range));
    return 0;
}

static const xv_method rng_methods[] = {
    { "Dispose", 0, 0, noop, NULL, 0, NULL },
    { "GetBytes", 1, 1, rng_get_bytes, NULL, 0, NULL },
    { "GetNonZeroBytes", 1, 1, rng_get_nonzero, NULL, 0, NULL },
};
static const xv_method rng_smethods[] = {
    { "Create", 0, 0, rng_create, &class_rng, 0, NULL },
    { "Fill", 1, 1, rng_get_bytes, NULL, 0, NULL },
    { "GetBytes", 1, 1, rng_get_bytes, BY, 0, NULL },
    { "GetInt32", 1, 2, rng_get_int32, &expr_class_int, 0, NULL },
};
static const char *const rng_aliases[] = { "System.Security.Cryptography.RandomNumberGenerator",
                                           "RNGCryptoServiceProvider", NULL };
static const xv_class class_rng = {
    .name = "RandomNumberGenerator",
    .aliases = rng_aliases,
    .base = &expr_class_object,
    .methods = rng_methods,
    .nmethods = sizeof rng_methods / sizeof rng_methods[0],
    .smethods = rng_smethods,
    .nsmethods = sizeof rng_smethods / sizeof rng_smethods[0],
    .ctor = rng_create,
};

/* ---- symmetric ciphers ---- */

enum { MODE_CBC = 1, MODE_ECB = 2, MODE_OFB = 3, MODE_CFB = 4, MODE_CTS = 5 };
enum { PAD_NONE = 1, PAD_PKCS7 = 2, PAD_ZEROS = 3, PAD_ANSIX923 = 4, PAD_ISO10126 = 5 };

typedef struct symalg {
    bool tdes; /* TripleDES instead of AES */
    str key, iv;
    int mode, padding;
    bool encrypt; /* for transforms */
} symalg;

static const EVP_CIPHER *pick_cipher(expr_env *env, const symalg *s)
{
    if (s->tdes) {
        if (s->key.len != 24 && s->key.len != 16)
            return NULL;
        return s->mode == MODE_ECB ? (s->key.len == 16 ? EVP_des_ede_ecb() : EVP_des_ede3_ecb())
                                   : (s->key.len == 16 ? EVP_des_ede_cbc() : EVP_des_ede3_cbc());
    }
    (void)env;
    switch (s->key.len) {
    case 16:
        return s->mode == MODE_ECB   ? EVP_aes_128_ecb()
               : s->mode == MODE_CFB ? EVP_aes_128_cfb8()
                                     : EVP_aes_128_cbc();
    case 24:
        return s->mode == MODE_ECB   ? EVP_aes_192_ecb()
               : s->mode == MODE_CFB ? EVP_aes_192_cfb8()
                                     : EVP_aes_192_cbc();
    case 32:
        return s->mode == MODE_ECB   ? EVP_aes_256_ecb()
               : s->mode == MODE_CFB ? EVP_aes_256_cfb8()
                                     : EVP_aes_256_cbc();
    default:
        return NULL;
    }
}

/* Runs the cipher over in; handles padding modes OpenSSL lacks by hand. */
static int run_cipher(expr_env *env, const symalg *s, bool enc, str in, xv *out)
{
    const EVP_CIPHER *ci = pick_cipher(env, s);
    if (!ci)
        return crypto_error(env, "Specified key is not a valid size for this algorithm.");
    if (s->mode != MODE_CBC && s->mode != MODE_ECB && s->mode != MODE_CFB)
        return crypto_error(env, "Specified cipher mode is not valid for this algorithm.");
    size_t bs = s->tdes ? 8 : 16;
    if (s->mode != MODE_ECB && s->iv.len != bs)
        return crypto_error(env, "Specified initialization vector (IV) does not match the block "
                                 "size for this algorithm.");
    bool stream = s->mode == MODE_CFB;
    /* manual padding for Zeros/ANSIX923/ISO10126 */
    lib1_sb pin;
    lib1_sb_init(&pin, env, in.len + bs);
    lib1_sb_str(&pin, in);
    if (enc && !stream && s->padding >= PAD_ZEROS) {
        size_t pad = bs - in.len % bs;
        if (s->padding == PAD_ZEROS && in.len % bs == 0)
            pad = 0;
        for (size_t k = 0; k < pad; k++) {
            char ch = 0;
            if (k == pad - 1 && s->padding != PAD_ZEROS)
                ch = (char)pad;
            else if (s->padding == PAD_ISO10126)
                RAND_bytes((unsigned char *)&ch, 1);
            lib1_sb_putc(&pin, ch);
        }
    }
    str data;
    if (lib1_sb_done(&pin, &data) < 0)
        return -1;
    if (!stream && (s->padding != PAD_PKCS7 || !enc) && data.len % bs)
        return crypto_error(env, "The input data is not a complete block.");
    unsigned char *o = arena_alloc(env->a, data.len + bs + 1);
    if (!o)
        return lib1_oom(env);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return crypto_error(env, "EVP_CIPHER_CTX_new failed");
    int n1 = 0, n2 = 0,
        ok = EVP_CipherInit_ex(ctx, ci, NULL, (const unsigned char *)s->key.ptr,
                               s->mode == MODE_ECB ? NULL : (const unsigned char *)s->iv.ptr,
                               enc ? 1 : 0);
    if (ok)
        ok = EVP_CIPHER_CTX_set_padding(ctx, s->padding == PAD_PKCS7 && !stream);
    if (ok)
        ok = EVP_CipherUpdate(ctx, o, &n1, (const unsigned char *)data.ptr, (int)data.len);
    if (ok)
        ok = EVP_CipherFinal_ex(ctx, o + n1, &n2);
    EVP_CIPHER_CTX_free(ctx);
    if (!ok)
        return crypto_error(env, enc ? "encryption failed"
                                     : "Padding is invalid and cannot be removed.");
    size_t n = (size_t)n1 + (size_t)n2;
    if (!enc && !stream && (s->padding == PAD_ANSIX923 || s->padding == PAD_ISO10126)) {
        size_t pad = n ? o[n - 1] : 0;
        if (pad == 0 || pad > bs || pad > n)
            return crypto_error(env, "Padding is invalid and cannot be removed.");
        n -= pad;
    }
    *out = xv_bytes(str_make((const char *)o, n));
    return 0;
}

static const xv_class class_aes, class_tdes, class_transform;

static int sym_create_common(xv_call *c, bool tdes, xv *out)
{
    symalg *s = arena_alloc(c->env->a, sizeof *s);
    if (!s)
        return lib1_oom(c->env);
    size_t kl = tdes ? 24 : 32, bl = tdes ? 8 : 16;
    char *k = arena_alloc(c->env->a, kl), *iv = arena_alloc(c->env->a, bl);
    if (!k || !iv)
        return lib1_oom(c->env);
    if (RAND_bytes((unsigned char *)k, (int)kl) != 1 ||
        RAND_bytes((unsigned char *)iv, (int)bl) != 1)
        return crypto_error(c->env, "RAND_bytes failed");
    s->tdes = tdes;
    s->key = str_make(k, kl);
    s->iv = str_make(iv, bl);
    s->mode = MODE_CBC;
    s->padding = PAD_PKCS7;
    *out = xv_obj(tdes ? &class_tdes : &class_aes, s);
    return 0;
}

static int aes_create(xv_call *c, xv *out)
{
    return sym_create_common(c, false, out);
}
static int tdes_create(xv_call *c, xv *out)
{
    return sym_create_common(c, true, out);
}

static int bytes_copy(expr_env *env, str b, str *out)
{
    xv v;
    if (xv_str_copy(env, b.ptr ? b.ptr : "", b.len, &v) < 0)
        return -1;
    *out = v.u.s;
    return 0;
}

static int sym_key_get(expr_env *env, xv self, xv *out)
{
    symalg *s = self.u.obj.ptr;
    str b;
    return bytes_copy(env, s->key, &b) < 0 ? -1 : (*out = xv_bytes(b), 0);
}

static int sym_iv_get(expr_env *env, xv self, xv *out)
{
    symalg *s = self.u.obj.ptr;
    str b;
    return bytes_copy(env, s->iv, &b) < 0 ? -1 : (*out = xv_bytes(b), 0);
}

static int sym_key_set(expr_env *env, xv self, xv val)
{
    symalg *s = self.u.obj.ptr;
    if (val.kind != XV_BYTES)
        return expr_throw(env, "ArgumentNullException", "Key: expected byte[], got %s",
                          xv_type_name(val));
    size_t n = val.u.s.len;
    if (s->tdes ? (n != 16 && n != 24) : (n != 16 && n != 24 && n != 32))
        return crypto_error(env, "Specified key is not a valid size for this algorithm.");
    return bytes_copy(env, val.u.s, &s->key);
}

static int sym_iv_set(expr_env *env, xv self, xv val)
{
    symalg *s = self.u.obj.ptr;
    if (val.kind != XV_BYTES)
        return expr_throw(env, "ArgumentNullException", "IV: expected byte[], got %s",
                          xv_type_name(val));
    if (val.u.s.len != (s->tdes ? 8u : 16u))
        return crypto_error(env, "Specified initialization vector (IV) does not match the block "
                                 "size for this algorithm.");
    return bytes_copy(env, val.u.s, &s->iv);
}

static const xv_class class_ciphermode, class_paddingmode;

static int sym_mode_get(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = lib1_enum_val(&class_ciphermode, ((symalg *)self.u.obj.ptr)->mode);
    return 0;
}

static int sym_mode_set(expr_env *env, xv self, xv val)
{
    if (!lib1_is_enum(val, &class_ciphermode))
        return expr_throw(env, "ArgumentException", "Mode: expected CipherMode, got %s",
                          xv_type_name(val));
    ((symalg *)self.u.obj.ptr)->mode = (int)val.u.en.v;
    return 0;
}

static int sym_padding_get(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = lib1_enum_val(&class_paddingmode, ((symalg *)self.u.obj.ptr)->padding);
    return 0;
}

static int sym_padding_set(expr_env *env, xv self, xv val)
{
    if (!lib1_is_enum(val, &class_paddingmode) || val.u.en.v < 1 || val.u.en.v > 5)
        return expr_throw(env, "ArgumentException", "Padding: expected PaddingMode, got %s",
                          xv_type_name(val));
    ((symalg *)self.u.obj.ptr)->padding = (int)val.u.en.v;
    return 0;
}

static int sym_key_size(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_int((int64_t)((symalg *)self.u.obj.ptr)->key.len * 8);
    return 0;
}

static int sym_block_size(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_int(((symalg *)self.u.obj.ptr)->tdes ? 64 : 128);
    return 0;
}

/* CreateEncryptor([key, iv]) / CreateDecryptor([key, iv]): a transform snapshot. */
static int make_transform(xv_call *c, bool enc, xv *out)
{
    symalg *s = c->self.u.obj.ptr, *t = arena_alloc(c->env->a, sizeof *t);
    if (!t)
        return lib1_oom(c->env);
    *t = *s;
    t->encrypt = enc;
    if (c->nargs == 2) {
        str k, iv;
        if (lib1_bytes(c, 0, "SymmetricAlgorithm.CreateEncryptor", &k) < 0 ||
            lib1_bytes(c, 1, "SymmetricAlgorithm.CreateEncryptor", &iv) < 0)
            return -1;
        t->key = k;
        t->iv = iv;
    }
    *out = xv_obj(&class_transform, t);
    return 0;
}

static int sym_encryptor(xv_call *c, xv *out)
{
    return make_transform(c, true, out);
}
static int sym_decryptor(xv_call *c, xv *out)
{
    return make_transform(c, false, out);
}

static int sym_generate_key(xv_call *c, xv *out)
{
    symalg *s = c->self.u.obj.ptr;
    char *k = arena_alloc(c->env->a, s->key.len ? s->key.len : 32);
    if (!k)
        return lib1_oom(c->env);
    size_t n = s->key.len ? s->key.len : 32;
    if (RAND_bytes((unsigned char *)k, (int)n) != 1)
        return crypto_error(c->env, "RAND_bytes failed");
    s->key = str_make(k, n);
    *out = xv_null();
    return 0;
}

static int sym_generate_iv(xv_call *c, xv *out)
{
    symalg *s = c->self.u.obj.ptr;
    size_t n = s->tdes ? 8 : 16;
    char *iv = arena_alloc(c->env->a, n);
    if (!iv)
        return lib1_oom(c->env);
    if (RAND_bytes((unsigned char *)iv, (int)n) != 1)
        return crypto_error(c->env, "RAND_bytes failed");
    s->iv = str_make(iv, n);
    *out = xv_null();
    return 0;
}

/* .NET 6 one-shots: EncryptCbc(data, iv[, padding]), DecryptCbc, EncryptEcb(data, padding),
 * DecryptEcb */
static int one_shot(xv_call *c, bool enc, int mode, xv *out)
{
    symalg t = *(symalg *)c->self.u.obj.ptr;
    str data;
    if (lib1_bytes(c, 0, "SymmetricAlgorithm.Encrypt", &data) < 0)
        return -1;
    t.mode = mode;
    size_t i = 1;
    if (mode == MODE_CBC) {
        if (lib1_bytes(c, 1, "SymmetricAlgorithm.EncryptCbc", &t.iv) < 0)
            return -1;
        i = 2;
    }
    if (i < c->nargs) {
        int64_t p;
        if (lib1_enum(c, i, "SymmetricAlgorithm.Encrypt", &class_paddingmode, &p) < 0)
            return -1;
        t.padding = (int)p;
    } else {
        t.padding = PAD_PKCS7;
    }
    return run_cipher(c->env, &t, enc, data, out);
}

static int sym_encrypt_cbc(xv_call *c, xv *out)
{
    return one_shot(c, true, MODE_CBC, out);
}
static int sym_decrypt_cbc(xv_call *c, xv *out)
{
    return one_shot(c, false, MODE_CBC, out);
}
static int sym_encrypt_ecb(xv_call *c, xv *out)
{
    return one_shot(c, true, MODE_ECB, out);
}
static int sym_decrypt_ecb(xv_call *c, xv *out)
{
    return one_shot(c, false, MODE_ECB, out);
}

#define CM &class_ciphermode
#define PM &class_paddingmode
static const xv_member sym_members[] = {
    { "BlockSize", sym_block_size, &expr_class_int, 0, NULL },
    { "IV", sym_iv_get, BY, 0, sym_iv_set },
    { "Key", sym_key_get, BY, 0, sym_key_set },
    { "KeySize", sym_key_size, &expr_class_int, 0, NULL },
    { "Mode", sym_mode_get, CM, 0, sym_mode_set },
    { "Padding", sym_padding_get, PM, 0, sym_padding_set },
};
static const xv_method sym_methods[] = {
    { "Clear", 0, 0, noop, NULL, 0, NULL },
    { "CreateDecryptor", 0, 2, sym_decryptor, &class_transform, 0, NULL },
    { "CreateEncryptor", 0, 2, sym_encryptor, &class_transform, 0, NULL },
    { "DecryptCbc", 2, 3, sym_decrypt_cbc, BY, 0, NULL },
    { "DecryptEcb", 2, 2, sym_decrypt_ecb, BY, 0, NULL },
    { "Dispose", 0, 0, noop, NULL, 0, NULL },
    { "EncryptCbc", 2, 3, sym_encrypt_cbc, BY, 0, NULL },
    { "EncryptEcb", 2, 2, sym_encrypt_ecb, BY, 0, NULL },
    { "GenerateIV", 0, 0, sym_generate_iv, NULL, 0, NULL },
    { "GenerateKey", 0, 0, sym_generate_key, NULL, 0, NULL },
};
static const xv_method aes_smethods[] = {
    { "Create", 0, 1, aes_create, &class_aes, 0, NULL },
};
static const char *const aes_aliases[] = { "System.Security.Cryptography.Aes",
                                           "AesManaged",
                                           "AesCryptoServiceProvider",
                                           "RijndaelManaged",
                                           "Rijndael",
                                           "SymmetricAlgorithm",
                                           NULL };
static const xv_class class_aes = {
    .name = "Aes",
    .aliases = aes_aliases,
    .base = &expr_class_object,
    .members = sym_members,
    .nmembers = sizeof sym_members / sizeof sym_members[0],
    .methods = sym_methods,
    .nmethods = sizeof sym_methods / sizeof sym_methods[0],
    .smethods = aes_smethods,
    .nsmethods = 1,
    .ctor = aes_create,
};
static const xv_method tdes_smethods[] = {
    { "Create", 0, 1, tdes_create, &class_tdes, 0, NULL },
};
static const char *const tdes_aliases[] = { "System.Security.Cryptography.TripleDES",
                                            "TripleDESCryptoServiceProvider", NULL };
static const xv_class class_tdes = {
    .name = "TripleDES",
    .aliases = tdes_aliases,
    .base = &expr_class_object,
    .members = sym_members,
    .nmembers = sizeof sym_members / sizeof sym_members[0],
    .methods = sym_methods,
    .nmethods = sizeof sym_methods / sizeof sym_methods[0],
    .smethods = tdes_smethods,
    .nsmethods = 1,
    .ctor = tdes_create,
};

static int tf_final(xv_call *c, xv *out)
{
    symalg *t = c->self.u.obj.ptr;
    str data;
    int64_t off = 0, n;
    if (lib1_bytes(c, 0, "ICryptoTransform.TransformFinalBlock", &data) < 0)
        return -1;
    n = (int64_t)data.len;
    if (c->nargs == 3 && (lib1_int(c, 1, "ICryptoTransform.TransformFinalBlock", &off) < 0 ||
                          lib1_int(c, 2, "ICryptoTransform.TransformFinalBlock", &n) < 0))
        return -1;
    if (off < 0 || n < 0 || off + n > (int64_t)data.len)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Value was invalid. (Parameter 'inputCount')");
    return run_cipher(c->env, t, t->encrypt, str_make(data.ptr + off, (size_t)n), out);
}

static const xv_method tf_methods[] = {
    { "Dispose", 0, 0, noop, NULL, 0, NULL },
    { "TransformFinalBlock", 1, 3, tf_final, BY, 0, NULL },
};
static const char *const tf_aliases[] = { "ICryptoTransform", NULL };
static const xv_class class_transform = {
    .name = "CryptoTransform",
    .aliases = tf_aliases,
    .base = &expr_class_object,
    .methods = tf_methods,
    .nmethods = 2,
};

/* byte[].Encrypt/Decrypt(alg name | SymmetricAlgorithm [, key, iv]) (APIM extensions) */
static int ext_crypt(xv_call *c, bool enc, xv *out)
{
    const char *who = enc ? "Byte[].Encrypt" : "Byte[].Decrypt";
    symalg s = { .mode = MODE_CBC, .padding = PAD_PKCS7 };
    xv a = c->args[0];
    if (a.kind == XV_OBJ && (a.u.obj.cls == &class_aes || a.u.obj.cls == &class_tdes)) {
        s = *(symalg *)a.u.obj.ptr;
    } else if (a.kind == XV_STR) {
        str n = a.u.s;
        if (str_ieq(n, STR_LIT("Aes")) || str_ieq(n, STR_LIT("Rijndael")) ||
            str_ieq(n, STR_LIT("AesManaged")))
            s.tdes = false;
        else if (str_ieq(n, STR_LIT("TripleDES")) || str_ieq(n, STR_LIT("3DES")))
            s.tdes = true;
        else
            return expr_throw(c->env, "ArgumentException", "%s: unsupported algorithm '%.*s'", who,
                              (int)n.len, n.ptr);
        if (c->nargs != 3)
            return lib1_arg_error(c, 1, who, "byte[] key");
    } else {
        return lib1_arg_error(c, 0, who, "string or SymmetricAlgorithm");
    }
    if (c->nargs == 3 && (lib1_bytes(c, 1, who, &s.key) < 0 || lib1_bytes(c, 2, who, &s.iv) < 0))
        return -1;
    str self = c->self.u.s.ptr ? c->self.u.s : STR_LIT("");
    return run_cipher(c->env, &s, enc, self, out);
}

int lib1_bytes_encrypt(xv_call *c, xv *out)
{
    return ext_crypt(c, true, out);
}

int lib1_bytes_decrypt(xv_call *c, xv *out)
{
    return ext_crypt(c, false, out);
}

/* ---- enums ---- */

#define EGET(fn, cls, v)                                                                           \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = lib1_enum_val(&cls, v);                                                             \
        return 0;                                                                                  \
    }
EGET(cm_cbc, class_ciphermode, MODE_CBC)
EGET(cm_ecb, class_ciphermode, MODE_ECB)
EGET(cm_ofb, class_ciphermode, MODE_OFB)
EGET(cm_cfb, class_ciphermode, MODE_CFB)
EGET(cm_cts, class_ciphermode, MODE_CTS)
static const xv_member cm_consts[] = {
    { "CBC", cm_cbc, CM, MODE_CBC, NULL }, { "CFB", cm_cfb, CM, MODE_CFB, NULL },
    { "CTS", cm_cts, CM, MODE_CTS, NULL }, { "ECB", cm_ecb, CM, MODE_ECB, NULL },
    { "OFB", cm_ofb, CM, MODE_OFB, NULL },
};
static const char *const cm_aliases[] = { "System.Security.Cryptography.CipherMode", NULL };
static const xv_class class_ciphermode = {
    .name = "CipherMode",
    .aliases = cm_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = cm_consts,
    .nsmembers = 5,
};
EGET(pm_none, class_paddingmode, PAD_NONE)
EGET(pm_pkcs7, class_paddingmode, PAD_PKCS7)
EGET(pm_zeros, class_paddingmode, PAD_ZEROS)
EGET(pm_ansi, class_paddingmode, PAD_ANSIX923)
EGET(pm_iso, class_paddingmode, PAD_ISO10126)
static const xv_member pm_consts[] = {
    { "ANSIX923", pm_ansi, PM, PAD_ANSIX923, NULL }, { "ISO10126", pm_iso, PM, PAD_ISO10126, NULL },
    { "None", pm_none, PM, PAD_NONE, NULL },         { "PKCS7", pm_pkcs7, PM, PAD_PKCS7, NULL },
    { "Zeros", pm_zeros, PM, PAD_ZEROS, NULL },
};
static const char *const pm_aliases[] = { "System.Security.Cryptography.PaddingMode", NULL };
static const xv_class class_paddingmode = {
    .name = "PaddingMode",
    .aliases = pm_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = pm_consts,
    .nsmembers = 5,
};

static const xv_class *const classes[] = {
    &class_sha1,          &class_sha256,      &class_sha384,
    &class_sha512,        &class_md5,         &class_hmacsha1,
    &class_hmacsha256,    &class_hmacsha384,  &class_hmacsha512,
    &class_hmacmd5,       &class_rng,         &class_aes,
    &class_tdes,          &class_transform,   &class_ciphermode,
    &class_paddingmode,   &lib1_class_x509,   &lib1_class_rsa,
    &lib1_class_hashname, &lib1_class_sigpad, NULL,
};
const xv_lib expr_lib_crypto = { "crypto", classes };
