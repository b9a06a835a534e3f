/* authentication-basic: Authorization: Basic base64(username:password) on the backend
 * request. authentication-certificate: the client certificate for the backend TLS handshake.
 * Offline there is no handshake: the choice is checked (thumbprint format, PKCS#12 body and
 * password) and recorded in r->client_cert for the gateway's transport, and traced. */
#include <ctype.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "auth_access.h"

#define OOM(r) rt_fail(r, NULL, "OutOfMemory", "request memory limit reached")

/* ---- authentication-basic ---- */

int rt_auth_basic_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    auth_basic_conf *c = out;
    pol_cc_attr(el, "username", &c->username);
    pol_cc_attr(el, "password", &c->password);
    if (c->username.src && !c->username.ex)
        c->username.lit = c->username.src->text; /* credentials as written, spaces kept */
    if (c->password.src && !c->password.ex)
        c->password.lit = c->password.src->text;
    return 0;
}

pol_status rt_auth_basic_exec(rt_req *r, const void *conf)
{
    const auth_basic_conf *c = conf;
    str user, pass;
    if (rt_val_str(r, &c->username, &user) < 0 || rt_val_str(r, &c->password, &pass) < 0)
        return POL_FAIL;
    if (!user.ptr)
        user = STR_LIT("");
    if (!pass.ptr)
        pass = STR_LIT("");
    char *plain = arena_sprintf(&r->arena, "%.*s:%.*s", STR_FMT(user), STR_FMT(pass));
    size_t n = plain ? strlen(plain) : 0;
    char *b64 = plain ? arena_alloc(&r->arena, 4 * ((n + 2) / 3) + 16) : NULL;
    if (!b64)
        return OOM(r);
    memcpy(b64, "Basic ", 6);
    EVP_EncodeBlock((unsigned char *)b64 + 6, (const unsigned char *)plain, (int)n);
    xv_dict *h = r->ctx->request.headers;
    if (rt_hdr_clear(r, h, STR_LIT("Authorization")) < 0 ||
        rt_hdr_add(r, h, STR_LIT("Authorization"), str_from(b64)) < 0)
        return OOM(r);
    rt_trace(r, "Authorization: Basic (user %.*s)", STR_FMT(user));
    return POL_NEXT;
}

/* ---- authentication-certificate ---- */

/* A thumbprint without separators, upper case: SHA-1 (40) or SHA-256 (64) hex digits. Returns
 * the normalized length, 0 when malformed. */
static size_t thumbprint_norm(str t, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < t.len; i++) {
        unsigned char ch = (unsigned char)t.ptr[i];
        if (ch == ' ' || ch == ':' || ch == '-')
            continue;
        if (!isxdigit(ch) || n + 1 >= cap)
            return 0;
        out[n++] = (char)toupper(ch);
    }
    out[n] = 0;
    return n == 40 || n == 64 ? n : 0;
}

int rt_auth_cert_parse(pol_cc *cc, const pol_node *el, void *out)
{
    auth_cert_conf *c = out;
    pol_cc_attr(el, "thumbprint", &c->thumbprint);
    pol_cc_attr(el, "certificate-id", &c->certificate_id);
    pol_cc_attr(el, "body", &c->body);
    pol_cc_attr(el, "password", &c->password);
    if (c->password.src && !c->password.ex)
        c->password.lit = c->password.src->text;
    char tmp[80];
    /* an unresolved {{named value}} is checked at run time (check without a configuration) */
    if (c->thumbprint.present && !c->thumbprint.ex && !c->thumbprint.src->unresolved &&
        !thumbprint_norm(c->thumbprint.lit, tmp, sizeof tmp))
        return pol_cc_error(cc, el, "thumbprint '%.*s' is not a SHA-1 (40 hex digits) thumbprint",
                            STR_FMT(c->thumbprint.lit));
    if (c->body.present && !c->body.ex)
        return pol_cc_error(cc, el, "body must be an expression giving the certificate bytes");
    return 0;
}

/* Checks that der is a PKCS#12 that password opens; *subject gets the certificate's subject. */
static int pkcs12_check(rt_req *r, str der, str password, str *subject, const char **why)
{
    const unsigned char *p = (const unsigned char *)der.ptr;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)der.len);
    if (!p12) {
        *why = "the body is not a PKCS#12 (PFX) certificate";
        return -1;
    }
    char *pw = arena_strndup(&r->arena, password.ptr ? password.ptr : "", password.len);
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    int ok = pw && PKCS12_parse(p12, pw, &key, &cert, NULL) == 1 && cert;
    PKCS12_free(p12);
    if (ok) {
        char name[256];
        X509_NAME_oneline(X509_get_subject_name(cert), name, sizeof name);
        *subject = arena_str(&r->arena, str_from(name));
        if (!key)
            *why = "the PKCS#12 holds no private key";
    } else {
        *why = "the PKCS#12 could not be opened (wrong password?)";
    }
    EVP_PKEY_free(key);
    X509_free(cert);
    return ok && *why == NULL ? 0 : -1;
}

pol_status rt_auth_cert_exec(rt_req *r, const void *conf)
{
    const auth_cert_conf *c = conf;
    rt_client_cert *cc = arena_calloc(&r->arena, 1, sizeof *cc);
    str password;
    if (!cc)
        return OOM(r);
    if (rt_val_str(r, &c->password, &password) < 0)
        return POL_FAIL;
    cc->password = password.ptr ? password : STR_LIT("");
    if (c->thumbprint.present) {
        str t;
        char norm[80];
        if (rt_val_str(r, &c->thumbprint, &t) < 0)
            return POL_FAIL;
        size_t n = thumbprint_norm(t.ptr ? t : STR_LIT(""), norm, sizeof norm);
        if (!n)
            return rt_fail(r, NULL, "CertificateNotFound",
                           "thumbprint '%.*s' is not a certificate thumbprint", STR_FMT(t));
        cc->thumbprint = arena_str(&r->arena, str_make(norm, n));
        rt_trace(r, "client certificate by thumbprint %s", norm);
    } else if (c->certificate_id.present) {
        str id;
        if (rt_val_str(r, &c->certificate_id, &id) < 0)
            return POL_FAIL;
        id = str_trim(id.ptr ? id : STR_LIT(""));
        if (!id.len)
            return rt_fail(r, NULL, "CertificateNotFound", "certificate-id is empty");
        cc->certificate_id = id;
        rt_trace(r, "client certificate %.*s", STR_FMT(id));
    } else {
        xv v;
        if (rt_val_xv(r, &c->body, &v) < 0)
            return POL_FAIL;
        if (v.kind != XV_BYTES)
            return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                           "body must give the certificate as byte[], got %s", xv_type_name(v));
        const char *why = NULL;
        if (pkcs12_check(r, v.u.s, cc->password, &cc->subject, &why) < 0)
            return rt_fail(r, NULL, "CertificateInvalid", "%s", why);
        cc->pkcs12 = v.u.s;
        rt_trace(r, "client certificate %.*s (%zu bytes)", STR_FMT(cc->subject), v.u.s.len);
    }
    r->client_cert = cc;
    return POL_NEXT;
}
