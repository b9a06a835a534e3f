/* Unit tests for runtime/jwtv key material (JWKS, certificates, n/e, secrets, OpenID
 * documents) and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jwtv_util.h"
#include "runtime/jwtv.h"

static void test_jwks(void **state)
{
    (void)state;
    char *r1 = tu_jwk(rsa1, "r1"), *e1 = tu_jwk(ec256, "e1"), *enc = tu_jwk(ec384, "enc");
    char *s1 = tu_b64url(secret1, sizeof secret1), *x5c = tu_cert_b64der(rsa2);
    char *n, *e;
    tu_rsa_ne(rsa2, &n, &e);
    enc[strlen(enc) - 1] = 0; /* reopen the object (no "use" yet) to make it an encryption key */
    char *doc = malloc(16384);
    snprintf(doc, 16384,
             "{\"keys\":[%s,%s,{\"kty\":\"oct\",\"kid\":\"o1\",\"k\":\"%s\"},%s,\"use\":\"enc\"},"
             "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"},"
             "{\"kty\":\"RSA\",\"kid\":\"x1\",\"x5c\":[\"%s\"]},"
             "{\"kty\":\"RSA\",\"kid\":\"r256\",\"alg\":\"RS256\",\"n\":\"%s\",\"e\":\"%s\"},"
             "{\"kty\":\"RSA\",\"kid\":\"bad\",\"n\":\"!!\",\"e\":\"AQAB\"},"
             "{\"kty\":\"EC\",\"kid\":\"offcurve\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"},"
             "42]}",
             r1, e1, s1, enc, x5c, n, e, s1, s1);
    char err[RT_JWTV_ERR_MAX] = "";
    rt_jwtv_keyset *ks = rt_jwtv_keyset_new();
    int added = rt_jwtv_keyset_add_jwks(ks, str_from(doc), err);
    if (added != 5)
        fprintf(stderr, "add_jwks: %d %s\n%s\n", added, err, doc);
    assert_int_equal(added, 5);
    assert_int_equal(rt_jwtv_keyset_count(ks), 5);
    assert_true(rt_jwtv_keyset_has_kid(ks, STR_LIT("x1")));
    assert_false(rt_jwtv_keyset_has_kid(ks, STR_LIT("enc")));
    assert_false(rt_jwtv_keyset_has_kid(ks, STR_LIT("offcurve")));
    const rt_jwtv_keyset *sets[] = { ks };
    rt_jwtv_opts o;
    opts_with(&o, sets, 1);
    const char *p = payload(60, NULL);
    char *toks[] = {
        tu_token("RS256", "r1", NULL, 0, rsa1, p),
        tu_token("ES256", "e1", NULL, 0, ec256, p),
        tu_token("HS384", "o1", secret1, sizeof secret1, NULL, p),
        tu_token("PS512", "x1", NULL, 0, rsa2, p),
        tu_token("RS256", "r256", NULL, 0, rsa2, p),
        tu_token("PS256", "r256", NULL, 0, rsa2, p), /* JWK alg RS256 forbids PS256 */
        tu_token("ES384", "enc", NULL, 0, ec384, p), /* enc key skipped: no key fits */
        tu_token("RS256", "enc", NULL, 0, rsa1, p),  /* unknown kid: r1 still verifies */
    };
    rt_jwtv_reason want[] = { RT_JWTV_OK,
                              RT_JWTV_OK,
                              RT_JWTV_OK,
                              RT_JWTV_OK,
                              RT_JWTV_OK,
                              RT_JWTV_SIGNATURE_INVALID,
                              RT_JWTV_SIGNATURE_KEY_NOT_FOUND,
                              RT_JWTV_OK };
    for (size_t i = 0; i < sizeof toks / sizeof toks[0]; i++) {
        rt_jwtv_reason r = run(toks[i], &o);
        if (r != want[i])
            fprintf(stderr, "jwks token %zu: %s %s\n", i, last_message, last_detail);
        assert_int_equal(r, want[i]);
        free(toks[i]);
    }
    static const char *const bad_docs[] = { "not json", "{}", "{\"keys\":{}}",
                                            "[]",       "",   "{\"keys\":[],\"keys\":[]}" };
    for (size_t i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++)
        assert_int_equal(rt_jwtv_keyset_add_jwks(ks, str_from(bad_docs[i]), err), -1);
    assert_int_equal(rt_jwtv_keyset_add_jwks(ks, STR_LIT("{\"keys\":[]}"), err), 0);
    char *huge = malloc(RT_JWTV_MAX_JWKS + 2);
    memset(huge, ' ', RT_JWTV_MAX_JWKS + 1);
    huge[RT_JWTV_MAX_JWKS + 1] = 0;
    assert_int_equal(rt_jwtv_keyset_add_jwks(ks, str_from(huge), err), -1);
    free(huge);
    assert_int_equal(rt_jwtv_keyset_count(ks), 5);
    /* single JWKs: errors are reported */
    json_t *j =
        json_loads("{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", 0, NULL);
    assert_int_equal(rt_jwtv_keyset_add_jwk(ks, j, err), -1);
    assert_non_null(strstr(err, "signing"));
    json_decref(j);
    j = json_loads("{\"kty\":\"RSA\",\"alg\":\"RSA-OAEP\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", 0, NULL);
    assert_int_equal(rt_jwtv_keyset_add_jwk(ks, j, err), -1);
    json_decref(j);
    j = json_loads("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}", 0, NULL);
    assert_int_equal(rt_jwtv_keyset_add_jwk(ks, j, err), -1);
    json_decref(j);
    assert_int_equal(rt_jwtv_keyset_add_jwk(ks, NULL, err), -1);
    rt_jwtv_keyset_free(ks);
    free(doc);
    free(r1);
    free(e1);
    free(enc);
    free(s1);
    free(x5c);
    free(n);
    free(e);
}

static void test_certificates(void **state)
{
    (void)state;
    char err[RT_JWTV_ERR_MAX] = "";
    char *pem = tu_cert_pem(rsa1), *der = tu_cert_b64der(rsa2), *ecpem = tu_cert_pem(ec384);
    rt_jwtv_keyset *ks = rt_jwtv_keyset_new();
    assert_int_equal(rt_jwtv_keyset_add_cert(ks, STR_LIT("pem"), str_from(pem), err), 0);
    assert_int_equal(rt_jwtv_keyset_add_cert(ks, STR_LIT("der"), str_from(der), err), 0);
    assert_int_equal(rt_jwtv_keyset_add_cert(ks, STR_LIT("ec"), str_from(ecpem), err), 0);
    assert_int_equal(rt_jwtv_keyset_add_cert(ks, STR_LIT(""), STR_LIT("garbage!"), err), -1);
    assert_int_equal(rt_jwtv_keyset_add_cert(ks, STR_LIT(""), STR_LIT("AAAA"), err), -1);
    assert_int_equal(rt_jwtv_keyset_add_cert(ks, STR_LIT(""),
                                             STR_LIT("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                                     "-----END PRIVATE KEY-----\n"),
                                             err),
                     -1);
    size_t p12len = 0;
    unsigned char *p12 = tu_pkcs12(ec256, "s3cret", &p12len);
    assert_int_equal(
        rt_jwtv_keyset_add_pkcs12(ks, STR_LIT("pfx"), p12, p12len, STR_LIT("nope"), err), -1);
    assert_int_equal(
        rt_jwtv_keyset_add_pkcs12(ks, STR_LIT("pfx"), p12, p12len, STR_LIT("s3cret"), err), 0);
    assert_int_equal(rt_jwtv_keyset_add_pkcs12(ks, STR_LIT(""), p12, 10, STR_LIT(""), err), -1);
    free(p12);
    assert_int_equal(rt_jwtv_keyset_count(ks), 4);
    const rt_jwtv_keyset *sets[] = { ks };
    rt_jwtv_opts o;
    opts_with(&o, sets, 1);
    const char *p = payload(60, NULL);
    char *t1 = tu_token("RS256", "pem", NULL, 0, rsa1, p);
    char *t2 = tu_token("RS512", "der", NULL, 0, rsa2, p);
    char *t3 = tu_token("ES384", "ec", NULL, 0, ec384, p);
    char *t4 = tu_token("ES256", "pfx", NULL, 0, ec256, p);
    char *t5 = tu_token("RS256", "der", NULL, 0, rsa1, p);
    assert_int_equal(run(t1, &o), RT_JWTV_OK);
    assert_int_equal(run(t2, &o), RT_JWTV_OK);
    assert_int_equal(run(t3, &o), RT_JWTV_OK);
    assert_int_equal(run(t4, &o), RT_JWTV_OK);
    assert_int_equal(run(t5, &o), RT_JWTV_SIGNATURE_INVALID);
    free(t1);
    free(t2);
    free(t3);
    free(t4);
    free(t5);
    free(pem);
    free(der);
    free(ecpem);
    rt_jwtv_keyset_free(ks);
}

static void test_key_inputs(void **state)
{
    (void)state;
    char err[RT_JWTV_ERR_MAX] = "";
    rt_jwtv_keyset *ks = rt_jwtv_keyset_new();
    /* n/e: padding, white space and the standard alphabet tolerated */
    char *n, *e;
    tu_rsa_ne(rsa1, &n, &e);
    char padded[1024];
    snprintf(padded, sizeof padded, " %s== ", n); /* 342 digits + 2 pads = a multiple of 4 */
    for (char *c = padded; *c; c++)
        *c = *c == '-' ? '+' : *c == '_' ? '/' : *c;
    assert_int_equal(
        rt_jwtv_keyset_add_rsa_ne(ks, STR_LIT("n1"), str_from(padded), str_from(e), err), 0);
    /* small or broken keys refused */
    assert_int_equal(rt_jwtv_keyset_add_rsa_ne(ks, STR_LIT(""), STR_LIT("AQAB"), str_from(e), err),
                     -1);
    assert_int_equal(rt_jwtv_keyset_add_rsa_ne(ks, STR_LIT(""), str_from(n), STR_LIT("Ag"), err),
                     -1); /* even exponent */
    assert_int_equal(rt_jwtv_keyset_add_rsa_ne(ks, STR_LIT(""), str_from(n), STR_LIT(""), err), -1);
    assert_int_equal(rt_jwtv_keyset_add_rsa_ne(ks, STR_LIT(""), STR_LIT("@@"), str_from(e), err),
                     -1);
    EVP_PKEY *small = tu_rsa_key(768);
    char *sn, *se;
    tu_rsa_ne(small, &sn, &se);
    assert_int_equal(rt_jwtv_keyset_add_rsa_ne(ks, STR_LIT(""), str_from(sn), str_from(se), err),
                     -1);
    assert_non_null(strstr(err, "768"));
    free(sn);
    free(se);
    EVP_PKEY_free(small);
    /* secrets */
    assert_int_equal(rt_jwtv_keyset_add_secret_b64(ks, STR_LIT(""), STR_LIT(""), err), -1);
    assert_int_equal(rt_jwtv_keyset_add_secret_b64(ks, STR_LIT(""), STR_LIT("a!b"), err), -1);
    assert_int_equal(rt_jwtv_keyset_add_secret_b64(ks, STR_LIT(""), STR_LIT("QU=JD"), err), -1);
    assert_int_equal(rt_jwtv_keyset_add_secret_b64(ks, STR_LIT(""), STR_LIT("QUJD\nREVG"), err), 0);
    assert_int_equal(rt_jwtv_keyset_count(ks), 2);
    /* the key count is capped */
    for (size_t i = rt_jwtv_keyset_count(ks); i < RT_JWTV_MAX_KEYS; i++)
        assert_int_equal(rt_jwtv_keyset_add_secret(ks, STR_LIT(""), "k", 1, err), 0);
    assert_int_equal(rt_jwtv_keyset_add_secret(ks, STR_LIT(""), "k", 1, err), -1);
    assert_int_equal(rt_jwtv_keyset_count(ks), RT_JWTV_MAX_KEYS);
    /* the n/e key verifies; the secret "ABCDEF" too */
    const rt_jwtv_keyset *sets[] = { ks };
    rt_jwtv_opts o;
    opts_with(&o, sets, 1);
    char *tok = tu_token("PS384", "n1", NULL, 0, rsa1, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    tok = tu_token("HS512", NULL, "ABCDEF", 6, NULL, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    free(n);
    free(e);
    rt_jwtv_keyset_free(ks);
    rt_jwtv_keyset_free(NULL);
}

static void test_openid(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    char err[RT_JWTV_ERR_MAX] = "";
    rt_jwtv_openid oc;
    assert_int_equal(rt_jwtv_openid_parse(&a,
                                          STR_LIT("{\"issuer\":\"https://login.example/t/v2.0\","
                                                  "\"jwks_uri\":\"https://login.example/keys\","
                                                  "\"id_token_signing_alg_values_supported\":"
                                                  "[\"RS256\"]}"),
                                          &oc, err),
                     0);
    assert_true(str_eq_cstr(oc.issuer, "https://login.example/t/v2.0"));
    assert_true(str_eq_cstr(oc.jwks_uri, "https://login.example/keys"));
    assert_int_equal(rt_jwtv_openid_parse(&a, STR_LIT("{\"jwks_uri\":\"https://k\"}"), &oc, err),
                     0);
    assert_int_equal(oc.issuer.len, 0);
    assert_int_equal(rt_jwtv_openid_parse(&a, STR_LIT("{\"issuer\":\"x\"}"), &oc, err), -1);
    assert_non_null(strstr(err, "jwks_uri"));
    assert_int_equal(rt_jwtv_openid_parse(&a, STR_LIT("{\"jwks_uri\":5}"), &oc, err), -1);
    assert_int_equal(rt_jwtv_openid_parse(&a, STR_LIT("<html>"), &oc, err), -1);
    assert_int_equal(rt_jwtv_openid_parse(&a, STR_LIT("[\"jwks_uri\"]"), &oc, err), -1);
    arena_release(&a);
}

static void test_names(void **state)
{
    (void)state;
    static const char *const names[] = {
        "",
        "TokenNotPresent",
        "TokenSignatureInvalid",
        "TokenAudienceNotAllowed",
        "TokenIssuerNotAllowed",
        "TokenExpired",
        "TokenSignatureKeyNotFound",
        "TokenClaimNotFound",
        "TokenClaimValueNotAllowed",
        "JwtInvalid",
    };
    for (int r = RT_JWTV_OK; r <= RT_JWTV_INVALID; r++)
        assert_string_equal(rt_jwtv_reason_name((rt_jwtv_reason)r), names[r]);
    assert_string_equal(rt_jwtv_reason_name((rt_jwtv_reason)99), "");
    assert_int_equal(rt_jwtv_alg_from_name(STR_LIT("ES512")), RT_JWTV_ALG_ES512);
    assert_int_equal(rt_jwtv_alg_from_name(STR_LIT("none")), 0);
    assert_int_equal(rt_jwtv_alg_from_name(STR_LIT("rs256")), 0);
    rt_jwtv_opts o;
    rt_jwtv_opts_init(&o, 1500);
    assert_int_equal(o.now_s, 1);
    assert_true(o.require_expiration_time && o.require_signed_tokens);
    assert_int_equal(o.algs, RT_JWTV_ALG_ALL);
}

/* Random byte changes to valid tokens of each kind: never a crash or leak, never accepted. */
static void test_mutations(void **state)
{
    (void)state;
    rt_jwtv_keyset *ks = ne_set(rsa1, NULL);
    rt_jwtv_keyset *hs = secret_set(NULL, secret1, sizeof secret1);
    rt_jwtv_keyset *es = jwk_set(ec256, NULL);
    const rt_jwtv_keyset *sets[] = { ks, hs, es };
    rt_jwtv_opts o;
    opts_with(&o, sets, 3);
    const char *p = payload(60, ",\"aud\":\"a\",\"roles\":\"x,y\"");
    char *toks[] = {
        tu_token("RS256", "k", NULL, 0, rsa1, p),
        tu_token("HS256", NULL, secret1, sizeof secret1, NULL, p),
        tu_token("ES256", NULL, NULL, 0, ec256, p),
    };
    static const char alphabet[] = "AZaz09-_.=+/ {}\"\\\x80";
    unsigned seed = 12345;
    for (size_t t = 0; t < 3; t++) {
        assert_int_equal(run(toks[t], &o), RT_JWTV_OK);
        size_t len = strlen(toks[t]);
        char *m = malloc(len + 1);
        for (int round = 0; round < 400; round++) {
            memcpy(m, toks[t], len + 1);
            int edits = 1 + round % 3;
            for (int k = 0; k < edits; k++) {
                seed = seed * 1103515245u + 12345u;
                size_t at = (seed >> 8) % len;
                seed = seed * 1103515245u + 12345u;
                m[at] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
            }
            if (round % 7 == 0)
                m[(seed >> 4) % len] = 0; /* truncate */
            if (strcmp(m, toks[t]) == 0)
                continue;
            rt_jwtv_reason r = run(m, &o);
            /* a change may land in an unused base64 bit only where the decoder is strict */
            if (r == RT_JWTV_OK)
                fprintf(stderr, "mutation accepted: %s\n", m);
            assert_int_not_equal(r, RT_JWTV_OK);
        }
        free(m);
        free(toks[t]);
    }
    rt_jwtv_keyset_free(ks);
    rt_jwtv_keyset_free(hs);
    rt_jwtv_keyset_free(es);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jwks),       cmocka_unit_test(test_certificates),
        cmocka_unit_test(test_key_inputs), cmocka_unit_test(test_openid),
        cmocka_unit_test(test_names),      cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
