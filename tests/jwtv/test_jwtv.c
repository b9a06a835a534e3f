/* Unit tests for runtime/jwtv validation: tokens are signed here with keys generated at
 * startup (jwtv_util.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/rsa.h>

#include "jwtv_util.h"
#include "runtime/jwtv.h"

/* ---- every algorithm ---- */

static void test_valid_every_algorithm(void **state)
{
    (void)state;
    static const struct {
        const char *alg;
        int key; /* 0 secret, 1 rsa, 2 ec256, 3 ec384, 4 ec521 */
    } cases[] = {
        { "HS256", 0 }, { "HS384", 0 }, { "HS512", 0 }, { "RS256", 1 },
        { "RS384", 1 }, { "RS512", 1 }, { "PS256", 1 }, { "PS384", 1 },
        { "PS512", 1 }, { "ES256", 2 }, { "ES384", 3 }, { "ES512", 4 },
    };
    EVP_PKEY *pkeys[] = { NULL, rsa1, ec256, ec384, ec521 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int k = cases[i].key;
        rt_jwtv_keyset *ks = k == 0   ? secret_set(NULL, secret2, sizeof secret2)
                             : k == 1 ? ne_set(rsa1, NULL)
                                      : jwk_set(pkeys[k], NULL);
        char *tok = tu_token(cases[i].alg, NULL, secret2, sizeof secret2, pkeys[k],
                             payload(60, ",\"roles\":[\"a\",\"b\"]"));
        const rt_jwtv_keyset *sets[] = { ks };
        rt_jwtv_opts o;
        opts_with(&o, sets, 1);
        arena a;
        arena_init(&a, 0);
        rt_jwtv_result res;
        int rc = rt_jwtv_validate(&a, str_from(tok), &o, &res);
        if (rc != 0)
            fprintf(stderr, "%s: %s %s\n", cases[i].alg, res.message, res.detail);
        assert_int_equal(rc, 0);
        assert_int_equal(res.reason, RT_JWTV_OK);
        assert_true(res.signed_checked);
        assert_true(str_eq_cstr(res.alg, cases[i].alg));
        assert_string_equal(json_string_value(json_object_get(res.claims, "sub")), "alice");
        assert_string_equal(json_string_value(json_object_get(res.header, "typ")), "JWT");
        assert_string_equal(res.message, "");
        arena_release(&a);

        /* the same token with the algorithm not allowed */
        o.algs = RT_JWTV_ALG_ALL & ~rt_jwtv_alg_from_name(str_from(cases[i].alg));
        assert_int_equal(run(tok, &o), RT_JWTV_SIGNATURE_INVALID);
        free(tok);
        rt_jwtv_keyset_free(ks);
    }
}

/* ---- signatures ---- */

static void test_wrong_signature(void **state)
{
    (void)state;
    rt_jwtv_keyset *ks = ne_set(rsa1, NULL);
    rt_jwtv_keyset *hs = secret_set(NULL, secret1, sizeof secret1);
    rt_jwtv_keyset *es = jwk_set(ec256, NULL);
    const rt_jwtv_keyset *sets[] = { ks, hs, es };
    rt_jwtv_opts o;
    opts_with(&o, sets, 3);

    char *tok = tu_token("RS256", NULL, NULL, 0, rsa2, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_SIGNATURE_INVALID);
    assert_string_equal(last_message, "JWT signature validation failed. Access denied.");
    free(tok);

    tok = tu_token("HS256", NULL, secret2, sizeof secret2, NULL, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_SIGNATURE_INVALID);
    free(tok);

    /* a good token with the payload swapped for another one */
    tok = tu_token("HS256", NULL, secret1, sizeof secret1, NULL, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    char *other = tu_token("HS256", NULL, secret1, sizeof secret1, NULL,
                           "{\"sub\":\"mallory\",\"exp\":1999999999}");
    char *d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
    char *o1 = strchr(other, '.'), *o2 = strrchr(other, '.');
    char forged[2048];
    snprintf(forged, sizeof forged, "%.*s%.*s%s", (int)(d1 - tok), tok, (int)(o2 - o1), o1, d2);
    assert_int_equal(run(forged, &o), RT_JWTV_SIGNATURE_INVALID);
    free(other);
    free(tok);

    /* ES256 with one bit flipped, and with a DER signature instead of r||s */
    tok = tu_token("ES256", NULL, NULL, 0, ec256, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    size_t len = strlen(tok);
    tok[len - 3] = tok[len - 3] == 'A' ? 'B' : 'A';
    assert_int_equal(run(tok, &o), RT_JWTV_SIGNATURE_INVALID);
    free(tok);
    tok = tu_token("ES256", NULL, NULL, 0, ec256, payload(60, NULL));
    char *dot = strrchr(tok, '.');
    snprintf(forged, sizeof forged, "%.*sAAAA", (int)(dot - tok + 1), tok);
    assert_int_equal(run(forged, &o), RT_JWTV_SIGNATURE_INVALID);
    free(tok);

    /* PS256 with a salt that is not as long as the hash (RFC 7518 §3.5) */
    tok = tu_token("PS256", NULL, NULL, 0, rsa1, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    tu_pss_saltlen = 0;
    tok = tu_token("PS256", NULL, NULL, 0, rsa1, payload(60, NULL));
    tu_pss_saltlen = RSA_PSS_SALTLEN_DIGEST;
    assert_int_equal(run(tok, &o), RT_JWTV_SIGNATURE_INVALID);
    free(tok);

    rt_jwtv_keyset_free(ks);
    rt_jwtv_keyset_free(hs);
    rt_jwtv_keyset_free(es);
}

static void test_key_ids(void **state)
{
    (void)state;
    rt_jwtv_keyset *k1 = ne_set(rsa1, "k1");
    rt_jwtv_keyset *k2 = ne_set(rsa2, "k2");
    const rt_jwtv_keyset *sets[] = { k1, k2 };
    rt_jwtv_opts o;
    opts_with(&o, sets, 2);
    assert_true(rt_jwtv_keyset_has_kid(k1, STR_LIT("k1")));
    assert_false(rt_jwtv_keyset_has_kid(k1, STR_LIT("k2")));

    char *tok = tu_token("RS256", "k2", NULL, 0, rsa2, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    /* kid found but the key does not verify */
    tok = tu_token("RS256", "k1", NULL, 0, rsa2, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_SIGNATURE_INVALID);
    free(tok);
    /* unknown kid, no key verifies: key not found */
    rt_jwtv_keyset *other = ne_set(rsa1, "k1");
    const rt_jwtv_keyset *only1[] = { other };
    opts_with(&o, only1, 1);
    tok = tu_token("RS256", "k9", NULL, 0, rsa2, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_SIGNATURE_KEY_NOT_FOUND);
    assert_string_equal(last_message, "JWT signature key not found. Access denied.");
    assert_non_null(strstr(last_detail, "k9"));
    free(tok);
    /* unknown kid, but a configured key verifies it (IdentityModel tries every key) */
    tok = tu_token("RS256", "k9", NULL, 0, rsa1, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    /* no kid: every key is tried */
    opts_with(&o, sets, 2);
    tok = tu_token("RS256", NULL, NULL, 0, rsa2, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    /* no keys at all */
    opts_with(&o, NULL, 0);
    tok = tu_token("RS256", NULL, NULL, 0, rsa2, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_SIGNATURE_KEY_NOT_FOUND);
    free(tok);
    rt_jwtv_keyset_free(k1);
    rt_jwtv_keyset_free(k2);
    rt_jwtv_keyset_free(other);
}

static void test_alg_none_and_unsigned(void **state)
{
    (void)state;
    rt_jwtv_keyset *hs = secret_set(NULL, secret1, sizeof secret1);
    const rt_jwtv_keyset *sets[] = { hs };
    rt_jwtv_opts o;
    opts_with(&o, sets, 1);
    char *tok = tu_token("none", NULL, NULL, 0, NULL, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_SIGNATURE_INVALID);
    o.require_signed_tokens = false;
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    /* "none" with a signature is malformed */
    char forged[2048];
    tok = tu_token("none", NULL, NULL, 0, NULL, payload(60, NULL));
    snprintf(forged, sizeof forged, "%sAAAA", tok);
    assert_int_equal(run(forged, &o), RT_JWTV_INVALID);
    free(tok);
    /* HS256 with its signature stripped */
    tok = tu_token("HS256", NULL, secret1, sizeof secret1, NULL, payload(60, NULL));
    *(strrchr(tok, '.') + 1) = 0;
    o.require_signed_tokens = true;
    assert_int_equal(run(tok, &o), RT_JWTV_SIGNATURE_INVALID);
    free(tok);
    /* unsigned tokens still get the other checks */
    o.require_signed_tokens = false;
    tok = tu_token("none", NULL, NULL, 0, NULL, payload(-60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_EXPIRED);
    free(tok);
    /* a signed token is verified even when signatures are not required */
    tok = tu_token("HS256", NULL, secret2, sizeof secret2, NULL, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_SIGNATURE_INVALID);
    free(tok);
    rt_jwtv_keyset_free(hs);
}

static void test_algorithm_confusion(void **state)
{
    (void)state;
    /* the verifier knows rsa1's public key (PEM) and the attacker signs HS256 with that PEM */
    char err[RT_JWTV_ERR_MAX];
    char *pem = tu_pubkey_pem(rsa1);
    rt_jwtv_keyset *ks = rt_jwtv_keyset_new();
    assert_int_equal(rt_jwtv_keyset_add_cert(ks, STR_LIT(""), str_from(pem), err), 0);
    const rt_jwtv_keyset *sets[] = { ks };
    rt_jwtv_opts o;
    opts_with(&o, sets, 1);
    char *good = tu_token("RS256", NULL, NULL, 0, rsa1, payload(60, NULL));
    assert_int_equal(run(good, &o), RT_JWTV_OK);
    char *evil = tu_token("HS256", NULL, pem, strlen(pem), NULL, payload(60, NULL));
    assert_int_equal(run(evil, &o), RT_JWTV_SIGNATURE_INVALID);
    free(evil);
    /* the same with the key as n/e, and with a kid on both sides */
    rt_jwtv_keyset *ne = ne_set(rsa1, "rsa");
    const rt_jwtv_keyset *sets2[] = { ne };
    opts_with(&o, sets2, 1);
    evil = tu_token("HS256", "rsa", pem, strlen(pem), NULL, payload(60, NULL));
    assert_int_equal(run(evil, &o), RT_JWTV_SIGNATURE_INVALID);
    free(evil);
    /* and the other way round: an RS256 token against an HMAC-only keyset */
    rt_jwtv_keyset *hs = secret_set(NULL, (const unsigned char *)pem, strlen(pem));
    const rt_jwtv_keyset *sets3[] = { hs };
    opts_with(&o, sets3, 1);
    assert_int_equal(run(good, &o), RT_JWTV_SIGNATURE_INVALID);
    /* an EC key never verifies RS256, a P-256 key never verifies ES384 */
    rt_jwtv_keyset *es = jwk_set(ec256, NULL);
    const rt_jwtv_keyset *sets4[] = { es };
    opts_with(&o, sets4, 1);
    assert_int_equal(run(good, &o), RT_JWTV_SIGNATURE_INVALID);
    char *es384 = tu_token("ES384", NULL, NULL, 0, ec384, payload(60, NULL));
    assert_int_equal(run(es384, &o), RT_JWTV_SIGNATURE_INVALID);
    free(es384);
    free(good);
    free(pem);
    rt_jwtv_keyset_free(ks);
    rt_jwtv_keyset_free(ne);
    rt_jwtv_keyset_free(hs);
    rt_jwtv_keyset_free(es);
}

/* ---- lifetime ---- */

static void test_lifetime(void **state)
{
    (void)state;
    rt_jwtv_keyset *hs = secret_set(NULL, secret1, sizeof secret1);
    const rt_jwtv_keyset *sets[] = { hs };
    rt_jwtv_opts o;
    opts_with(&o, sets, 1);
#define TOK(p) tu_token("HS256", NULL, secret1, sizeof secret1, NULL, (p))
    char *tok = TOK(payload(-10, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_EXPIRED);
    assert_string_equal(last_message, "JWT expired. Access denied.");
    assert_non_null(strstr(last_detail, "2025-12-31T23:59:50Z"));
    o.clock_skew_s = 30;
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    o.clock_skew_s = 9;
    assert_int_equal(run(tok, &o), RT_JWTV_EXPIRED);
    o.clock_skew_s = 10; /* exp == now - skew is still valid */
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    o.clock_skew_s = 0;
    tok = TOK(payload(0, NULL)); /* exp == now */
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    /* fractional exp */
    tok = TOK("{\"exp\":1767225599.5}");
    assert_int_equal(run(tok, &o), RT_JWTV_EXPIRED);
    free(tok);

    /* nbf in the future */
    tok = TOK(payload(600, ",\"nbf\":1767225660"));
    assert_int_equal(run(tok, &o), RT_JWTV_INVALID);
    assert_string_equal(last_message, "Lifetime validation failed. The token is not yet valid.");
    o.clock_skew_s = 60;
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    o.clock_skew_s = 0;
    free(tok);
    /* nbf after exp */
    tok = TOK("{\"nbf\":1767225000,\"exp\":1767224000}");
    assert_int_equal(run(tok, &o), RT_JWTV_INVALID);
    free(tok);

    /* exp missing */
    tok = TOK("{\"sub\":\"alice\"}");
    assert_int_equal(run(tok, &o), RT_JWTV_INVALID);
    assert_string_equal(last_message,
                        "Lifetime validation failed. The token is missing an Expiration Time.");
    o.require_expiration_time = false;
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    /* exp of the wrong type */
    tok = TOK("{\"exp\":\"1767229999\"}");
    assert_int_equal(run(tok, &o), RT_JWTV_INVALID);
    free(tok);
#undef TOK
    rt_jwtv_keyset_free(hs);
}

/* ---- audience, issuer ---- */

static void test_audience_issuer(void **state)
{
    (void)state;
    rt_jwtv_keyset *hs = secret_set(NULL, secret1, sizeof secret1);
    const rt_jwtv_keyset *sets[] = { hs };
    rt_jwtv_opts o;
    opts_with(&o, sets, 1);
    str auds[] = { STR_LIT("api://one"), STR_LIT("https://api.example.com/") };
    o.audiences = auds;
    o.naudiences = 2;
#define TOK(p) tu_token("HS256", NULL, secret1, sizeof secret1, NULL, (p))
    char *tok = TOK(payload(60, ",\"aud\":\"api://two\""));
    assert_int_equal(run(tok, &o), RT_JWTV_AUDIENCE_NOT_ALLOWED);
    assert_string_equal(last_message, "JWT audience validation failed. Access denied.");
    free(tok);
    tok = TOK(payload(60, ",\"aud\":[\"x\",\"api://one\"]"));
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    tok = TOK(payload(60, ",\"aud\":\"https://api.example.com\"")); /* trailing slash */
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    tok = TOK(payload(60, ",\"aud\":\"API://ONE\"")); /* ordinal */
    assert_int_equal(run(tok, &o), RT_JWTV_AUDIENCE_NOT_ALLOWED);
    free(tok);
    tok = TOK(payload(60, NULL)); /* no aud */
    assert_int_equal(run(tok, &o), RT_JWTV_AUDIENCE_NOT_ALLOWED);
    o.naudiences = 0; /* not configured: not checked */
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);

    str issuers[] = { STR_LIT("https://other/"),
                      STR_LIT("https://login.microsoftonline.com/{tenantid}/v2.0") };
    o.issuers = issuers;
    o.nissuers = 2;
    tok = TOK(payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_ISSUER_NOT_ALLOWED);
    assert_string_equal(last_message, "JWT issuer validation failed. Access denied.");
    assert_non_null(strstr(last_detail, "https://issuer.example/"));
    free(tok);
    tok = TOK("{\"exp\":1767229999,\"iss\":\"https://other/\"}");
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    tok = TOK("{\"exp\":1767229999,\"tid\":\"t-1\","
              "\"iss\":\"https://login.microsoftonline.com/t-1/v2.0\"}");
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    tok = TOK("{\"exp\":1767229999,\"tid\":\"t-2\","
              "\"iss\":\"https://login.microsoftonline.com/t-1/v2.0\"}");
    assert_int_equal(run(tok, &o), RT_JWTV_ISSUER_NOT_ALLOWED);
    free(tok);
    tok = TOK("{\"exp\":1767229999}");
    assert_int_equal(run(tok, &o), RT_JWTV_ISSUER_NOT_ALLOWED);
    free(tok);
    /* lifetime is checked before audience and issuer */
    o.naudiences = 2;
    tok = TOK("{\"exp\":1767225000,\"aud\":\"nope\"}");
    assert_int_equal(run(tok, &o), RT_JWTV_EXPIRED);
    free(tok);
#undef TOK
    rt_jwtv_keyset_free(hs);
}

/* ---- required claims ---- */

static void test_required_claims(void **state)
{
    (void)state;
    rt_jwtv_keyset *hs = secret_set(NULL, secret1, sizeof secret1);
    const rt_jwtv_keyset *sets[] = { hs };
    rt_jwtv_opts o;
    opts_with(&o, sets, 1);
    char *tok = tu_token("HS256", NULL, secret1, sizeof secret1, NULL,
                         payload(60, ",\"scp\":\"read,write,admin\",\"groups\":[\"g1\",\"g2\"],"
                                     "\"ver\":2,\"ok\":true"));
    str ac[] = { STR_LIT("read"), STR_LIT("admin") };
    str ad[] = { STR_LIT("read"), STR_LIT("delete") };
    str g[] = { STR_LIT("g2"), STR_LIT("g3") };
    str ver[] = { STR_LIT("2") };
    str yes[] = { STR_LIT("true") };
    rt_jwtv_claim c[3];
    o.claims = c;

    c[0] = (rt_jwtv_claim){ STR_LIT("scp"), false, STR_LIT(","), ac, 2 };
    o.nclaims = 1;
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    c[0] = (rt_jwtv_claim){ STR_LIT("scp"), false, STR_LIT(","), ad, 2 };
    assert_int_equal(run(tok, &o), RT_JWTV_CLAIM_VALUE_NOT_ALLOWED);
    assert_string_equal(last_message,
                        "Claim scp value of read,write,admin is not allowed. Access denied.");
    c[0].match_any = true;
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    /* without the separator the whole string is one value */
    c[0] = (rt_jwtv_claim){ STR_LIT("scp"), true, STR_LIT(""), ad, 2 };
    assert_int_equal(run(tok, &o), RT_JWTV_CLAIM_VALUE_NOT_ALLOWED);
    /* array claims */
    c[0] = (rt_jwtv_claim){ STR_LIT("groups"), true, STR_LIT(""), g, 2 };
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    c[0].match_any = false;
    assert_int_equal(run(tok, &o), RT_JWTV_CLAIM_VALUE_NOT_ALLOWED);
    assert_string_equal(last_message,
                        "Claim groups value of [\"g1\",\"g2\"] is not allowed. Access denied.");
    /* numbers and booleans compare by their text */
    c[0] = (rt_jwtv_claim){ STR_LIT("ver"), false, STR_LIT(""), ver, 1 };
    c[1] = (rt_jwtv_claim){ STR_LIT("ok"), false, STR_LIT(""), yes, 1 };
    o.nclaims = 2;
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    /* presence only, and every missing claim named */
    c[0] = (rt_jwtv_claim){ STR_LIT("sub"), false, STR_LIT(""), NULL, 0 };
    c[1] = (rt_jwtv_claim){ STR_LIT("tid"), false, STR_LIT(""), NULL, 0 };
    c[2] = (rt_jwtv_claim){ STR_LIT("oid"), true, STR_LIT(""), ver, 1 };
    o.nclaims = 3;
    assert_int_equal(run(tok, &o), RT_JWTV_CLAIM_NOT_FOUND);
    assert_string_equal(last_message,
                        "JWT token is missing the following claims: tid, oid. Access denied.");
    o.nclaims = 1;
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);

    /* validate-azure-ad-token's client application ids: azp, else appid */
    o.nclaims = 0;
    str apps[] = { STR_LIT("app-1"), STR_LIT("app-2") };
    o.client_app_ids = apps;
    o.nclient_app_ids = 2;
    tok = tu_token("HS256", NULL, secret1, sizeof secret1, NULL, payload(60, ",\"azp\":\"app-2\""));
    assert_int_equal(run(tok, &o), RT_JWTV_OK);
    free(tok);
    tok =
        tu_token("HS256", NULL, secret1, sizeof secret1, NULL, payload(60, ",\"appid\":\"app-3\""));
    assert_int_equal(run(tok, &o), RT_JWTV_CLAIM_VALUE_NOT_ALLOWED);
    assert_string_equal(last_message, "Claim appid value of app-3 is not allowed. Access denied.");
    free(tok);
    tok = tu_token("HS256", NULL, secret1, sizeof secret1, NULL, payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_CLAIM_NOT_FOUND);
    free(tok);
    rt_jwtv_keyset_free(hs);
}

/* ---- malformed ---- */

static void test_malformed(void **state)
{
    (void)state;
    rt_jwtv_keyset *hs = secret_set(NULL, secret1, sizeof secret1);
    const rt_jwtv_keyset *sets[] = { hs };
    rt_jwtv_opts o;
    opts_with(&o, sets, 1);
    assert_int_equal(run("", &o), RT_JWTV_TOKEN_NOT_PRESENT);
    assert_string_equal(last_message, "JWT not present.");
    assert_int_equal(run("  \t ", &o), RT_JWTV_TOKEN_NOT_PRESENT);
    arena a;
    arena_init(&a, 0);
    rt_jwtv_result res;
    assert_int_equal(rt_jwtv_validate(&a, STR_NULL, &o, &res), -1);
    assert_int_equal(res.reason, RT_JWTV_TOKEN_NOT_PRESENT);
    assert_null(res.claims);
    arena_release(&a);

    static const char *const bad[] = {
        "abc",
        "a.b",
        "a.b.c.d",
        "eyJhbGciOiJIUzI1NiJ9..",
        "eyJhbGciOiJIUzI1NiJ9.e30.sig.more.parts",     /* 5 parts: JWE */
        "eyJhbGciOiJIUzI1NiJ9.e30.sig.more.parts.six", /* 6 parts */
        "e30.e30.AAAA",                                /* header without alg */
        "W10.e30.AAAA",                                /* header is an array */
        "bm90IGpzb24.e30.AAAA",                        /* header is not JSON */
        "eyJhbGciOiJIUzI1NiJ9.W10.AAAA",               /* payload is an array */
        "eyJhbGciOiJIUzI1NiJ9.e30=.AAAA",              /* padding */
        "eyJhbGciOiJIUzI1NiJ9.e3+.AAAA",               /* standard alphabet */
        "eyJhbGciOiJIUzI1NiJ9.e31.AAAA",               /* non-canonical trailing bits */
        "eyJhbGciOiJIUzI1NiJ9.e30.AA$A",               /* bad signature char */
        "eyJhbGciOiJIUzI1NiJ9.e30x.AAAA",              /* length % 4 == 1 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rt_jwtv_reason r = run(bad[i], &o);
        if (r != RT_JWTV_INVALID)
            fprintf(stderr, "bad[%zu] %s -> %s\n", i, bad[i], rt_jwtv_reason_name(r));
        assert_int_equal(r, RT_JWTV_INVALID);
    }
    /* duplicate members, kid of the wrong type, crit */
    static const char *const headers[] = {
        "{\"alg\":\"HS256\",\"alg\":\"none\"}",
        "{\"alg\":\"HS256\",\"kid\":7}",
        "{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}",
    };
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char *tok = tu_sign("HS256", secret1, sizeof secret1, NULL, headers[i], payload(60, NULL));
        assert_int_equal(run(tok, &o), RT_JWTV_INVALID);
        free(tok);
    }
    char *tok = tu_sign("HS256", secret1, sizeof secret1, NULL, "{\"alg\":\"HS256\"}",
                        "{\"exp\":1767229999,\"exp\":1}");
    assert_int_equal(run(tok, &o), RT_JWTV_INVALID);
    free(tok);
    /* unknown algorithm */
    tok = tu_sign("HS256", secret1, sizeof secret1, NULL, "{\"alg\":\"XY999\"}", payload(60, NULL));
    assert_int_equal(run(tok, &o), RT_JWTV_SIGNATURE_INVALID);
    free(tok);
    /* size limit */
    char *big = malloc(RT_JWTV_MAX_TOKEN + 10);
    memset(big, 'A', RT_JWTV_MAX_TOKEN + 9);
    big[RT_JWTV_MAX_TOKEN + 9] = 0;
    big[10] = '.';
    big[20] = '.';
    assert_int_equal(run(big, &o), RT_JWTV_INVALID);
    free(big);
    /* white space around the token is fine */
    tok = tu_token("HS256", NULL, secret1, sizeof secret1, NULL, payload(60, NULL));
    char padded[2048];
    snprintf(padded, sizeof padded, "  %s \r\n", tok);
    assert_int_equal(run(padded, &o), RT_JWTV_OK);
    free(tok);
    rt_jwtv_keyset_free(hs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_every_algorithm),
        cmocka_unit_test(test_wrong_signature),
        cmocka_unit_test(test_key_ids),
        cmocka_unit_test(test_alg_none_and_unsigned),
        cmocka_unit_test(test_algorithm_confusion),
        cmocka_unit_test(test_lifetime),
        cmocka_unit_test(test_audience_issuer),
        cmocka_unit_test(test_required_claims),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, tu_group_teardown);
}
