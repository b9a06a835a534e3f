/* JWT validation (validate-jwt, validate-azure-ad-token): parsing the compact JWS, the
 * signature step with kid lookup, lifetime, audience, issuer and required claims, with APIM's
 * reasons and default messages (api-management-error-handling-policies.md). */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/jwtv_int.h"

/* ---- names ---- */

static const char *const reason_names[] = {
    /* ORDER RT_JWTV_REASON */
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
    /* ORDER RT_JWTV_REASON */
};

/* Default messages; the claim reasons and JwtInvalid build theirs. The error-handling
 * reference documents "<message>. Access denied." for every reason except TokenNotPresent and
 * JwtInvalid. ORDER RT_JWTV_REASON */
static const char *const reason_messages[] = {
    "",
    "JWT not present.",
    "JWT signature validation failed. Access denied.",
    "JWT audience validation failed. Access denied.",
    "JWT issuer validation failed. Access denied.",
    "JWT expired. Access denied.",
    "JWT signature key not found. Access denied.",
    "JWT token is missing required claims. Access denied.",
    "JWT claim value is not allowed. Access denied.",
    "JWT is not valid.",
};

const char *rt_jwtv_reason_name(rt_jwtv_reason reason)
{
    if ((size_t)reason >= sizeof reason_names / sizeof reason_names[0])
        return "";
    return reason_names[reason];
}

static const struct {
    const char *name;
    unsigned flag;
} alg_names[] = {
    { "HS256", RT_JWTV_ALG_HS256 }, { "HS384", RT_JWTV_ALG_HS384 }, { "HS512", RT_JWTV_ALG_HS512 },
    { "RS256", RT_JWTV_ALG_RS256 }, { "RS384", RT_JWTV_ALG_RS384 }, { "RS512", RT_JWTV_ALG_RS512 },
    { "PS256", RT_JWTV_ALG_PS256 }, { "PS384", RT_JWTV_ALG_PS384 }, { "PS512", RT_JWTV_ALG_PS512 },
    { "ES256", RT_JWTV_ALG_ES256 }, { "ES384", RT_JWTV_ALG_ES384 }, { "ES512", RT_JWTV_ALG_ES512 },
};

unsigned rt_jwtv_alg_from_name(str name)
{
    for (size_t i = 0; i < sizeof alg_names / sizeof alg_names[0]; i++) {
        if (str_eq_cstr(name, alg_names[i].name))
            return alg_names[i].flag;
    }
    return 0;
}

void rt_jwtv_opts_init(rt_jwtv_opts *o, int64_t now_ms)
{
    memset(o, 0, sizeof *o);
    o->now_s = now_ms >= 0 ? now_ms / 1000 : -((-now_ms + 999) / 1000);
    o->require_expiration_time = true;
    o->require_signed_tokens = true;
    o->algs = RT_JWTV_ALG_ALL;
}

/* ---- results ---- */

typedef struct vctx {
    arena *a;
    const rt_jwtv_opts *o;
    rt_jwtv_result *res;
} vctx;

/* Records a failure with message (NULL = the reason's default) and a printf detail. */
static int fail(vctx *v, rt_jwtv_reason reason, const char *message, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(vctx *v, rt_jwtv_reason reason, const char *message, const char *fmt, ...)
{
    v->res->reason = reason;
    v->res->message = message ? message : reason_messages[reason];
    char *d = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        d = arena_vsprintf(v->a, fmt, ap);
        va_end(ap);
    }
    v->res->detail = d ? d : "";
    return -1;
}

static void json_decref_cb(void *p)
{
    json_decref(p);
}

/* "2026-01-01T00:00:00Z" for the trace detail. */
static const char *fmt_time(arena *a, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[40];
    if (t < -62135596800LL || t > 253402300799LL || !gmtime_r(&tt, &tm) ||
        strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return arena_sprintf(a, "%" PRId64, t);
    return arena_strdup(a, buf);
}

/* ---- parsing ---- */

/* Decodes one strict base64url segment holding a JSON object; the arena adopts it. */
static json_t *decode_segment(vctx *v, str seg)
{
    size_t n = 0;
    unsigned char *raw = rt_jwtv_b64url_decode(seg.ptr, seg.len, &n);
    if (!raw)
        return NULL;
    json_t *j = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    if (!j)
        return NULL;
    if (!json_is_object(j) || arena_defer(v->a, json_decref_cb, j) < 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static str jstr(const json_t *o, const char *name)
{
    const json_t *j = json_object_get(o, name);
    if (!json_is_string(j))
        return STR_NULL;
    return str_make(json_string_value(j), json_string_length(j));
}

/* A NumericDate claim: 1 present (in *out), 0 absent (or null), -1 not a number. */
static int numeric_date(const json_t *claims, const char *name, int64_t *out)
{
    const json_t *j = json_object_get(claims, name);
    if (!j || json_is_null(j))
        return 0;
    if (json_is_integer(j)) {
        *out = (int64_t)json_integer_value(j);
        return 1;
    }
    if (json_is_real(j)) {
        double d = json_real_value(j);
        if (!isfinite(d) || d > 9.0e15 || d < -9.0e15)
            return -1;
        *out = (int64_t)floor(d);
        return 1;
    }
    return -1;
}

/* ---- signature ---- */

/* Tries every key of every keyset (kid: only those with that kid). Returns 1 verified, 0 some
 * key fitted the algorithm but the signature did not match, -1 no key fitted; *seen counts the
 * keys considered. */
static int try_keys(const rt_jwtv_opts *o, const str *kid, unsigned alg, str input,
                    const unsigned char *sig, size_t siglen, size_t *seen)
{
    int best = -1;
    for (size_t s = 0; s < o->nkeysets; s++) {
        const rt_jwtv_keyset *ks = o->keysets[s];
        for (size_t i = 0; ks && i < ks->n; i++) {
            const rt_jwtv_key *k = &ks->keys[i];
            if (kid && !(k->kid && str_eq(str_make(k->kid, k->kid_len), *kid)))
                continue;
            (*seen)++;
            int r =
                rt_jwtv_verify(k, alg, (const unsigned char *)input.ptr, input.len, sig, siglen);
            if (r == 1)
                return 1;
            if (r == 0)
                best = 0;
        }
    }
    return best;
}

/* The signature step (IdentityModel's ValidateSignature with TryAllIssuerSigningKeys). */
static int check_signature(vctx *v, str input, str sig_seg)
{
    const rt_jwtv_opts *o = v->o;
    rt_jwtv_result *res = v->res;
    bool none = str_eq_cstr(res->alg, "none");
    if (none && sig_seg.len > 0)
        return fail(v, RT_JWTV_INVALID, "JWT with alg 'none' must not carry a signature.", NULL);
    if (none || sig_seg.len == 0) {
        if (o->require_signed_tokens)
            return fail(v, RT_JWTV_SIGNATURE_INVALID, NULL, "the token is not signed (alg '%.*s')",
                        STR_FMT(res->alg));
        return 0; /* unsigned tokens allowed: nothing to verify */
    }
    unsigned alg = rt_jwtv_alg_from_name(res->alg);
    if (alg == 0 || (o->algs & alg) == 0)
        return fail(v, RT_JWTV_SIGNATURE_INVALID, NULL, "algorithm '%.*s' is not supported",
                    (int)(res->alg.len > 20 ? 20 : res->alg.len), res->alg.ptr);
    size_t siglen = 0;
    unsigned char *sig = rt_jwtv_b64url_decode(sig_seg.ptr, sig_seg.len, &siglen);
    if (!sig)
        return fail(v, RT_JWTV_INVALID, "JWT is not well formed: the signature is not base64url.",
                    NULL);
    size_t seen = 0;
    int r = -1;
    bool kid_matched = false;
    if (res->kid.len > 0) {
        r = try_keys(o, &res->kid, alg, input, sig, siglen, &seen);
        kid_matched = seen > 0;
    }
    if (r != 1 && !kid_matched)
        r = try_keys(o, NULL, alg, input, sig, siglen, &seen);
    free(sig);
    if (r == 1) {
        res->signed_checked = true;
        return 0;
    }
    if (seen == 0)
        return fail(v, RT_JWTV_SIGNATURE_KEY_NOT_FOUND, NULL,
                    "no security keys were provided to validate the signature");
    if (res->kid.len > 0 && !kid_matched)
        return fail(v, RT_JWTV_SIGNATURE_KEY_NOT_FOUND, NULL, "unable to match key: kid '%.*s'",
                    (int)(res->kid.len > 100 ? 100 : res->kid.len), res->kid.ptr);
    if (r < 0)
        return fail(v, RT_JWTV_SIGNATURE_INVALID, NULL,
                    "no key of a type usable with algorithm '%.*s'", STR_FMT(res->alg));
    return fail(v, RT_JWTV_SIGNATURE_INVALID, NULL, "signature does not match any key (%zu tried)",
                seen);
}

/* ---- lifetime, audience, issuer ---- */

static int check_lifetime(vctx *v)
{
    const rt_jwtv_opts *o = v->o;
    const json_t *claims = v->res->claims;
    int64_t exp = 0, nbf = 0;
    int has_exp = numeric_date(claims, "exp", &exp);
    int has_nbf = numeric_date(claims, "nbf", &nbf);
    if (has_exp < 0 || has_nbf < 0)
        return fail(v, RT_JWTV_INVALID, "JWT is not well formed: exp or nbf is not a number.",
                    NULL);
    if (!has_exp && o->require_expiration_time)
        return fail(v, RT_JWTV_INVALID,
                    "Lifetime validation failed. The token is missing an Expiration Time.", NULL);
    if (has_exp && has_nbf && nbf > exp)
        return fail(v, RT_JWTV_INVALID, "Lifetime validation failed. NotBefore is after Expires.",
                    "nbf %s, exp %s", fmt_time(v->a, nbf), fmt_time(v->a, exp));
    int64_t skew = o->clock_skew_s > 0 ? o->clock_skew_s : 0;
    if (has_nbf && nbf > o->now_s + skew)
        return fail(v, RT_JWTV_INVALID, "Lifetime validation failed. The token is not yet valid.",
                    "ValidFrom: '%s', Current time: '%s'", fmt_time(v->a, nbf),
                    fmt_time(v->a, o->now_s));
    if (has_exp && exp < o->now_s - skew)
        return fail(v, RT_JWTV_EXPIRED, NULL, "ValidTo: '%s', Current time: '%s'",
                    fmt_time(v->a, exp), fmt_time(v->a, o->now_s));
    return 0;
}

/* Ordinal equality that ignores one trailing '/' on either side (IdentityModel's
 * IgnoreTrailingSlashWhenValidatingAudience). */
static bool audience_eq(str a, str b)
{
    if (str_eq(a, b))
        return true;
    if (a.len > 0 && a.ptr[a.len - 1] == '/')
        a.len--;
    if (b.len > 0 && b.ptr[b.len - 1] == '/')
        b.len--;
    return str_eq(a, b);
}

static bool audience_allowed(const rt_jwtv_opts *o, str aud)
{
    for (size_t i = 0; i < o->naudiences; i++) {
        if (audience_eq(o->audiences[i], aud))
            return true;
    }
    return false;
}

static int check_audience(vctx *v)
{
    const rt_jwtv_opts *o = v->o;
    if (o->naudiences == 0)
        return 0;
    const json_t *aud = json_object_get(v->res->claims, "aud");
    if (json_is_string(aud)) {
        str s = str_make(json_string_value(aud), json_string_length(aud));
        if (audience_allowed(o, s))
            return 0;
        return fail(v, RT_JWTV_AUDIENCE_NOT_ALLOWED, NULL, "audience '%.*s' is not allowed",
                    (int)(s.len > 200 ? 200 : s.len), s.ptr);
    }
    size_t i;
    const json_t *el;
    json_array_foreach(aud, i, el)
    {
        str s = str_make(json_string_value(el), json_string_length(el));
        if (json_is_string(el) && audience_allowed(o, s))
            return 0;
    }
    return fail(v, RT_JWTV_AUDIENCE_NOT_ALLOWED, NULL,
                json_array_size(aud) > 0 ? "no audience of the token is allowed"
                                         : "the token has no audience");
}

/* Issuer equality where "{tenantid}" in the allowed issuer stands for the token's tid. */
static bool issuer_eq(str allowed, str iss, str tid)
{
    long at = str_find(allowed, STR_LIT("{tenantid}"));
    if (at < 0 || tid.len == 0)
        return str_eq(allowed, iss);
    size_t pre = (size_t)at, post = allowed.len - pre - 10;
    return iss.len == pre + tid.len + post && memcmp(iss.ptr, allowed.ptr, pre) == 0 &&
           memcmp(iss.ptr + pre, tid.ptr, tid.len) == 0 &&
           memcmp(iss.ptr + pre + tid.len, allowed.ptr + pre + 10, post) == 0;
}

static int check_issuer(vctx *v)
{
    const rt_jwtv_opts *o = v->o;
    if (o->nissuers == 0)
        return 0;
    str iss = jstr(v->res->claims, "iss");
    if (!iss.ptr)
        return fail(v, RT_JWTV_ISSUER_NOT_ALLOWED, NULL, "the token has no issuer");
    str tid = jstr(v->res->claims, "tid");
    for (size_t i = 0; i < o->nissuers; i++) {
        if (issuer_eq(o->issuers[i], iss, tid))
            return 0;
    }
    return fail(v, RT_JWTV_ISSUER_NOT_ALLOWED, NULL, "issuer '%.*s' is not allowed",
                (int)(iss.len > 200 ? 200 : iss.len), iss.ptr);
}

/* ---- required claims ---- */

/* The text of one scalar claim value as .NET's claims show it; NULL for null. */
static char *scalar_text(arena *a, const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_STRING:
        return arena_strndup(a, json_string_value(j), json_string_length(j));
    case JSON_TRUE:
        return arena_strdup(a, "true");
    case JSON_FALSE:
        return arena_strdup(a, "false");
    case JSON_NULL:
        return NULL;
    default: {
        char *dump = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        char *s = dump ? arena_strdup(a, dump) : NULL;
        free(dump);
        return s;
    }
    }
}

/* Appends the values of one scalar (split by sep when it is a string) to vals. */
static void push_values(arena *a, const json_t *j, str sep, str **vals, size_t *n, size_t *cap)
{
    char *text = scalar_text(a, j);
    if (!text)
        return;
    str rest = str_from(text);
    for (;;) {
        long at = json_is_string(j) && sep.len > 0 ? str_find(rest, sep) : -1;
        str piece = at < 0 ? rest : str_make(rest.ptr, (size_t)at);
        if (*n == *cap) {
            size_t ncap = *cap ? *cap * 2 : 8;
            str *nv = arena_realloc(a, *vals, *cap * sizeof **vals, ncap * sizeof **vals);
            if (!nv)
                return;
            *vals = nv;
            *cap = ncap;
        }
        (*vals)[(*n)++] = piece;
        if (at < 0)
            return;
        rest = str_make(rest.ptr + at + sep.len, rest.len - (size_t)at - sep.len);
    }
}

static bool has_value(const str *vals, size_t n, str want)
{
    for (size_t i = 0; i < n; i++) {
        if (str_eq(vals[i], want))
            return true;
    }
    return false;
}

/* "a, b" for the claims named in the TokenClaimNotFound message. */
static int check_claims_present(vctx *v)
{
    const rt_jwtv_opts *o = v->o;
    const char *list = NULL;
    for (size_t i = 0; i < o->nclaims; i++) {
        const rt_jwtv_claim *c = &o->claims[i];
        char *name = arena_strndup(v->a, c->name.ptr ? c->name.ptr : "", c->name.len);
        const json_t *j = name ? json_object_get(v->res->claims, name) : NULL;
        if (j && !json_is_null(j))
            continue;
        list = list ? arena_sprintf(v->a, "%s, %.*s", list, STR_FMT(c->name))
                    : arena_sprintf(v->a, "%.*s", STR_FMT(c->name));
        if (!list)
            list = "";
    }
    if (!list)
        return 0;
    const char *msg =
        arena_sprintf(v->a, "JWT token is missing the following claims: %s. Access denied.", list);
    return fail(v, RT_JWTV_CLAIM_NOT_FOUND, msg, "missing claims: %s", list);
}

static int check_claim_values(vctx *v)
{
    const rt_jwtv_opts *o = v->o;
    for (size_t i = 0; i < o->nclaims; i++) {
        const rt_jwtv_claim *c = &o->claims[i];
        if (c->nvalues == 0)
            continue;
        char *name = arena_strndup(v->a, c->name.ptr ? c->name.ptr : "", c->name.len);
        const json_t *j = name ? json_object_get(v->res->claims, name) : NULL;
        if (!j)
            return fail(v, RT_JWTV_INVALID, "JWT could not be checked (out of memory).", NULL);
        str *vals = NULL;
        size_t n = 0, cap = 0, idx;
        const json_t *el;
        if (json_is_array(j)) {
            json_array_foreach(j, idx, el) push_values(v->a, el, c->separator, &vals, &n, &cap);
        } else {
            push_values(v->a, j, c->separator, &vals, &n, &cap);
        }
        size_t hits = 0;
        for (size_t k = 0; k < c->nvalues; k++)
            hits += has_value(vals, n, c->values[k]);
        if (c->match_any ? hits > 0 : hits == c->nvalues)
            continue;
        char *shown = scalar_text(v->a, j);
        const char *msg =
            arena_sprintf(v->a, "Claim %.*s value of %s is not allowed. Access denied.",
                          STR_FMT(c->name), shown ? shown : "");
        return fail(v, RT_JWTV_CLAIM_VALUE_NOT_ALLOWED, msg, "match=%s, %zu of %zu values present",
                    c->match_any ? "any" : "all", hits, c->nvalues);
    }
    return 0;
}

/* validate-azure-ad-token's <client-application-ids>: azp (v2 tokens) or appid (v1). */
static int check_client_app(vctx *v)
{
    const rt_jwtv_opts *o = v->o;
    if (o->nclient_app_ids == 0)
        return 0;
    const char *name = "azp";
    str id = jstr(v->res->claims, name);
    if (!id.ptr) {
        name = "appid";
        id = jstr(v->res->claims, name);
    }
    if (!id.ptr)
        return fail(v, RT_JWTV_CLAIM_NOT_FOUND,
                    "JWT token is missing the following claims: azp. Access denied.",
                    "neither azp nor appid is present");
    for (size_t i = 0; i < o->nclient_app_ids; i++) {
        if (str_eq(o->client_app_ids[i], id))
            return 0;
    }
    const char *msg = arena_sprintf(v->a, "Claim %s value of %.*s is not allowed. Access denied.",
                                    name, STR_FMT(id));
    return fail(v, RT_JWTV_CLAIM_VALUE_NOT_ALLOWED, msg, "client application is not allowed");
}

/* ---- validate ---- */

/* Splits header.payload.signature; -1 (with the failure recorded) for anything else. */
static int split_token(vctx *v, str t, str seg[3])
{
    size_t dots[4], nd = 0;
    for (size_t i = 0; i < t.len; i++) {
        if (t.ptr[i] == '.') {
            if (nd == 4)
                return fail(v, RT_JWTV_INVALID, "JWT is not well formed.", "too many segments");
            dots[nd++] = i;
        }
    }
    if (nd == 4)
        return fail(v, RT_JWTV_INVALID,
                    "JWT is not well formed: encrypted tokens (JWE) are not "
                    "supported.",
                    NULL);
    if (nd != 2)
        return fail(v, RT_JWTV_INVALID, "JWT is not well formed.",
                    "a JWS has three segments, found %zu", nd + 1);
    seg[0] = str_make(t.ptr, dots[0]);
    seg[1] = str_make(t.ptr + dots[0] + 1, dots[1] - dots[0] - 1);
    seg[2] = str_make(t.ptr + dots[1] + 1, t.len - dots[1] - 1);
    return 0;
}

static int parse_header(vctx *v, str hseg)
{
    rt_jwtv_result *res = v->res;
    res->header = decode_segment(v, hseg);
    if (!res->header)
        return fail(v, RT_JWTV_INVALID, "JWT is not well formed: the header is not a JSON object.",
                    NULL);
    str alg = jstr(res->header, "alg");
    if (!alg.ptr || alg.len == 0)
        return fail(v, RT_JWTV_INVALID, "JWT is not well formed: the header has no alg.", NULL);
    res->alg = alg;
    const json_t *kid = json_object_get(res->header, "kid");
    if (kid && !json_is_string(kid))
        return fail(v, RT_JWTV_INVALID, "JWT is not well formed: kid is not a string.", NULL);
    if (kid)
        res->kid = str_make(json_string_value(kid), json_string_length(kid));
    if (json_object_get(res->header, "crit") || json_object_get(res->header, "enc"))
        return fail(v, RT_JWTV_INVALID, "JWT uses unsupported header parameters (crit/enc).", NULL);
    return 0;
}

int rt_jwtv_validate(arena *a, str token, const rt_jwtv_opts *o, rt_jwtv_result *res)
{
    *res = (rt_jwtv_result){ .reason = RT_JWTV_OK, .message = "", .detail = "" };
    vctx v = { a, o, res };
    str t = token.ptr ? str_trim(token) : STR_LIT("");
    if (t.len == 0)
        return fail(&v, RT_JWTV_TOKEN_NOT_PRESENT, NULL, NULL);
    if (t.len > RT_JWTV_MAX_TOKEN)
        return fail(&v, RT_JWTV_INVALID, "JWT is not well formed: the token is too large.",
                    "%zu bytes, at most %zu", t.len, RT_JWTV_MAX_TOKEN);
    str seg[3] = { STR_NULL, STR_NULL, STR_NULL };
    if (split_token(&v, t, seg) < 0 || parse_header(&v, seg[0]) < 0)
        return -1;
    res->claims = decode_segment(&v, seg[1]);
    if (!res->claims)
        return fail(&v, RT_JWTV_INVALID,
                    "JWT is not well formed: the payload is not a JSON object.", NULL);
    str input = str_make(t.ptr, seg[1].ptr + seg[1].len - t.ptr);
    if (check_signature(&v, input, seg[2]) < 0 || check_lifetime(&v) < 0 ||
        check_audience(&v) < 0 || check_issuer(&v) < 0 || check_claims_present(&v) < 0 ||
        check_claim_values(&v) < 0 || check_client_app(&v) < 0)
        return -1;
    return 0;
}
