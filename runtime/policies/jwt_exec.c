/* validate-jwt and validate-azure-ad-token at run time: the token from its header / query
 * parameter / expression, the options from the configuration (expressions evaluated now), the
 * keys of <issuer-signing-keys> and of the OpenID configurations (jwt_oidc.c), validation by
 * jwtv.h, and APIM's failure: the configured status with the gateway error envelope (message:
 * failed-validation-error-message, else the jwtv default), LastError Reason = the jwtv reason,
 * Message = the jwtv message. */
#include <stdio.h>
#include <string.h>

#include "jwt_int.h"

#define OOM(r) rt_fail(r, NULL, "OutOfMemory", "request memory limit reached")

typedef struct jwt_run {
    rt_wake wake;
    const jwt_conf *c;
    str token;
    int64_t code;
    str message; /* failed-validation-error-message (ptr NULL: the jwtv message) */
    rt_jwtv_opts o;
    str *issuers; /* configured issuers; OpenID issuers are added per validation */
    size_t nissuers;
    str tenant;          /* validate-azure-ad-token */
    rt_jwtv_keyset *dyn; /* keys given by expressions (freed with the arena) */
    str *urls;
    size_t nurls;
    rt_oidc_doc **docs;
    bool refetched;
} jwt_run;

static void keyset_free_cb(void *p)
{
    rt_jwtv_keyset_free(p);
}

/* ---- the token ---- */

static str first_value(const xv_dict *d, str name)
{
    const xv_list *l = d ? rt_hdr_get(d, name) : NULL;
    return l && l->n ? str_trim(l->items[0].u.s) : STR_LIT("");
}

/* "Scheme token": splits at the first white space; *tok is the whole value without one. */
static bool split_scheme(str v, str *scheme, str *tok)
{
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] == ' ' || v.ptr[i] == '\t') {
            *scheme = str_make(v.ptr, i);
            *tok = str_trim(str_make(v.ptr + i, v.len - i));
            return true;
        }
    }
    *scheme = STR_LIT("");
    *tok = v;
    return false;
}

/* The token (empty when absent). Authorization: a scheme is stripped (any, or exactly
 * require-scheme when set: another scheme or none gives no token). Other headers ignore
 * require-scheme (validate-jwt-policy.md) and lose a "Bearer " prefix [impl]. */
static int get_token(rt_req *r, const jwt_conf *c, str *out)
{
    str name, v, scheme = STR_LIT("");
    *out = STR_LIT("");
    if (c->token.present) {
        if (rt_val_str(r, &c->token, &v) < 0)
            return -1;
        *out = v.ptr ? str_trim(v) : STR_LIT("");
        return 0;
    }
    if (c->query.present) {
        if (rt_val_str(r, &c->query, &name) < 0)
            return -1;
        *out = first_value(r->ctx->request.url->query, str_trim(name.ptr ? name : STR_LIT("")));
        return 0;
    }
    if (rt_val_str(r, &c->header, &name) < 0 || rt_val_str(r, &c->scheme, &scheme) < 0)
        return -1;
    name = str_trim(name.ptr ? name : STR_LIT("Authorization"));
    scheme = str_trim(scheme.ptr ? scheme : STR_LIT(""));
    v = first_value(r->ctx->request.headers, name);
    str sch, tok;
    bool has = split_scheme(v, &sch, &tok);
    if (!str_ieq(name, STR_LIT("Authorization"))) {
        *out = has && str_ieq(sch, STR_LIT("Bearer")) ? tok : v;
        return 0;
    }
    if (scheme.len && v.len && (!has || !str_ieq(sch, scheme))) {
        rt_trace(r, "the Authorization header does not use the %.*s scheme", STR_FMT(scheme));
        return 0;
    }
    *out = tok;
    return 0;
}

/* ---- options ---- */

static int eval_strs(rt_req *r, const pol_val *v, size_t n, str **out, size_t *nout, size_t extra)
{
    *out = arena_calloc(&r->arena, n + extra + 1, sizeof **out);
    *nout = 0;
    if (!*out) {
        OOM(r);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        str s;
        if (rt_val_str(r, &v[i], &s) < 0)
            return -1;
        if (s.ptr && str_trim(s).len)
            (*out)[(*nout)++] = str_trim(s);
    }
    return 0;
}

static int eval_claims(rt_req *r, const jwt_conf *c, jwt_run *run)
{
    rt_jwtv_claim *cl = c->nclaims ? arena_calloc(&r->arena, c->nclaims, sizeof *cl) : NULL;
    if (c->nclaims && !cl) {
        OOM(r);
        return -1;
    }
    for (size_t i = 0; i < c->nclaims; i++) {
        const jwt_claim_conf *k = &c->claims[i];
        str *vals;
        size_t n;
        if (eval_strs(r, k->values, k->nvalues, &vals, &n, 0) < 0)
            return -1;
        cl[i] = (rt_jwtv_claim){ .name = k->name,
                                 .match_any = k->match_any,
                                 .separator = k->separator,
                                 .values = vals,
                                 .nvalues = n };
    }
    run->o.claims = cl;
    run->o.nclaims = c->nclaims;
    return 0;
}

static int eval_dyn_keys(rt_req *r, const jwt_conf *c, jwt_run *run)
{
    for (size_t i = 0; i < c->ndyn_keys; i++) {
        str b64;
        char err[RT_JWTV_ERR_MAX] = "";
        if (rt_val_str(r, &c->dyn_keys[i].text, &b64) < 0)
            return -1;
        if (!run->dyn) {
            run->dyn = rt_jwtv_keyset_new();
            if (arena_defer(&r->arena, keyset_free_cb, run->dyn) < 0) {
                rt_jwtv_keyset_free(run->dyn);
                run->dyn = NULL;
                OOM(r);
                return -1;
            }
        }
        if (rt_jwtv_keyset_add_secret_b64(run->dyn, c->dyn_keys[i].id, b64.ptr ? b64 : STR_LIT(""),
                                          err) < 0)
            rt_trace(r, "<key>: %s: skipped", err);
    }
    return 0;
}

/* validate-azure-ad-token: audiences are <audiences> plus the backend application ids (as
 * such and as api://id); the metadata is the tenant's v2.0 OpenID configuration. */
static int aad_setup(rt_req *r, const jwt_conf *c, jwt_run *run)
{
    str tenant;
    if (rt_val_str(r, &c->tenant, &tenant) < 0)
        return -1;
    run->tenant = str_trim(tenant.ptr ? tenant : STR_LIT(""));
    str *aud = (str *)run->o.audiences;
    size_t n = run->o.naudiences;
    for (size_t i = 0; i < c->nbackend_ids; i++) {
        str id;
        if (rt_val_str(r, &c->backend_ids[i], &id) < 0)
            return -1;
        if (!id.ptr || !str_trim(id).len)
            continue;
        id = str_trim(id);
        aud[n++] = id;
        const char *api = arena_sprintf(&r->arena, "api://%.*s", STR_FMT(id));
        if (!api) {
            OOM(r);
            return -1;
        }
        aud[n++] = str_from(api);
    }
    run->o.naudiences = n;
    str *ids;
    if (eval_strs(r, c->client_ids, c->nclient_ids, &ids, &run->o.nclient_app_ids, 0) < 0)
        return -1;
    run->o.client_app_ids = ids;
    run->urls = arena_alloc(&r->arena, sizeof *run->urls);
    const char *u = arena_sprintf(&r->arena,
                                  "https://login.microsoftonline.com/%.*s/v2.0/.well-known/"
                                  "openid-configuration",
                                  STR_FMT(run->tenant));
    if (!run->urls || !u) {
        OOM(r);
        return -1;
    }
    run->urls[0] = str_from(u);
    run->nurls = 1;
    return 0;
}

static int setup(rt_req *r, const jwt_conf *c, jwt_run *run)
{
    bool b;
    int64_t skew;
    str msg;
    rt_jwtv_opts_init(&run->o, rt_clock_now(r->w->clock));
    if (rt_val_int(r, &c->code, 401, &run->code) < 0 || rt_val_str(r, &c->message, &msg) < 0 ||
        rt_val_int(r, &c->skew, 0, &skew) < 0)
        return -1;
    run->message = msg;
    run->o.clock_skew_s = skew < 0 ? 0 : skew;
    if (rt_val_bool(r, &c->require_exp, true, &b) < 0)
        return -1;
    run->o.require_expiration_time = b;
    if (rt_val_bool(r, &c->require_signed, true, &b) < 0)
        return -1;
    run->o.require_signed_tokens = b;
    if (run->code < 100 || run->code > 599) {
        rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                "failed-validation-httpcode %lld is not an HTTP status", (long long)run->code);
        return -1;
    }
    str *aud;
    size_t naud;
    if (eval_strs(r, c->audiences, c->naudiences, &aud, &naud, 2 * c->nbackend_ids) < 0 ||
        eval_strs(r, c->issuers, c->nissuers, &run->issuers, &run->nissuers, 0) < 0 ||
        eval_claims(r, c, run) < 0 || eval_dyn_keys(r, c, run) < 0)
        return -1;
    run->o.audiences = aud;
    run->o.naudiences = naud;
    if (c->aad)
        return aad_setup(r, c, run);
    size_t nurls;
    if (eval_strs(r, c->openid, c->nopenid, &run->urls, &nurls, 0) < 0)
        return -1;
    run->nurls = nurls;
    return 0;
}

/* ---- validation ---- */

/* Issuers: configured ones, each OpenID document's, and for Entra ID documents
 * (https://login.microsoftonline.com/{tid}/v2.0) the v1 form https://sts.windows.net/{tid}/. */
static int collect(rt_req *r, jwt_run *run)
{
    size_t cap = run->nissuers + 2 * run->nurls;
    str *iss = arena_calloc(&r->arena, cap + 1, sizeof *iss);
    const rt_jwtv_keyset **ks = arena_calloc(&r->arena, run->nurls + 3, sizeof *ks);
    if (!iss || !ks)
        return -1;
    size_t ni = 0, nk = 0;
    memcpy(iss, run->issuers, run->nissuers * sizeof *iss);
    ni = run->nissuers;
    if (run->c->keys)
        ks[nk++] = run->c->keys;
    if (run->dyn)
        ks[nk++] = run->dyn;
    static const char v2[] = "https://login.microsoftonline.com/";
    for (size_t i = 0; i < run->nurls; i++) {
        const rt_oidc_doc *d = run->docs ? run->docs[i] : NULL;
        if (!d)
            continue;
        ks[nk++] = d->keys;
        str is = str_from(d->issuer);
        if (!is.len)
            continue;
        iss[ni++] = is;
        if (str_starts_with(is, STR_LIT(v2)) && str_ends_with(is, STR_LIT("/v2.0"))) {
            str tid = str_make(is.ptr + sizeof v2 - 1, is.len - (sizeof v2 - 1) - 5);
            const char *v1 =
                arena_sprintf(&r->arena, "https://sts.windows.net/%.*s/", STR_FMT(tid));
            if (!v1)
                return -1;
            iss[ni++] = str_from(v1);
        }
    }
    run->o.issuers = iss;
    run->o.nissuers = ni;
    run->o.keysets = ks;
    run->o.nkeysets = nk;
    return 0;
}

/* The Jwt object of output-token-variable-name: AsJwt() of the expression library. */
static int jwt_value(rt_req *r, str token, xv *out)
{
    const xv_class *cls = expr_find_class(STR_LIT("ApiManagementStringExtensions"));
    for (size_t i = 0; cls && i < cls->nmethods; i++) {
        if (strcmp(cls->methods[i].name, "AsJwt"))
            continue;
        xv_call call = { .env = &r->env, .self = xv_str(token) };
        if (cls->methods[i].fn(&call, out) < 0) {
            rt_fail_expr(r);
            return -1;
        }
        return 0;
    }
    rt_fail(r, NULL, "NotImplemented", "the Jwt class is not available");
    return -1;
}

static void oidc_done_cb(rt_req *r, void *ud);

static pol_status fail_with(rt_req *r, jwt_run *run, const rt_jwtv_result *res)
{
    const char *reason = rt_jwtv_reason_name(res->reason);
    if (run->c->decryption_keys && res->reason == RT_JWTV_INVALID)
        rt_trace(r, "encrypted tokens (JWE, <decryption-keys>) are not supported by apimlite");
    rt_trace(r, "%s: %s%s%s", reason, res->message, res->detail[0] ? " (" : "",
             res->detail[0] ? res->detail : "");
    const char *body = run->message.ptr
                           ? arena_strndup(&r->arena, run->message.ptr, run->message.len)
                           : res->message;
    if (!body || rt_req_error_response(r, (int)run->code, body) < 0)
        return OOM(r);
    return rt_fail(r, NULL, reason, "%s", res->message);
}

/* Validates with what is resolved; may start a second OpenID round for an unknown kid
 * (POL_SUSPEND). */
static pol_status finish(rt_req *r, jwt_run *run)
{
    if (collect(r, run) < 0)
        return OOM(r);
    rt_jwtv_result res;
    run->o.now_s = rt_clock_now(r->w->clock) / 1000;
    if (rt_jwtv_validate(&r->arena, run->token, &run->o, &res) == 0) {
        if (run->c->out_var.len) {
            xv v;
            if (jwt_value(r, run->token, &v) < 0)
                return POL_FAIL;
            if (xv_dict_set_in(&r->arena, r->ctx->variables, run->c->out_var, v) < 0)
                return OOM(r);
        }
        rt_trace(r, "valid %.*s token%s%.*s", STR_FMT(res.alg), run->c->out_var.len ? " -> " : "",
                 STR_FMT(run->c->out_var));
        return POL_NEXT;
    }
    if (res.reason == RT_JWTV_SIGNATURE_KEY_NOT_FOUND && run->nurls && !run->refetched &&
        rt_oidc_can_refetch(r, run->urls, run->nurls)) {
        run->refetched = true;
        rt_trace(r, "kid '%.*s' unknown: fetching the OpenID configuration again",
                 STR_FMT(res.kid));
        pol_status st = rt_oidc_resolve(r, run->urls, run->nurls, true, run->docs, &run->wake,
                                        oidc_done_cb, run);
        if (st != POL_NEXT)
            return st;
        return finish(r, run);
    }
    return fail_with(r, run, &res);
}

static void oidc_done_cb(rt_req *r, void *ud)
{
    jwt_run *run = ud;
    pol_status st = finish(r, run);
    if (st != POL_SUSPEND)
        rt_wake_resume(&run->wake, st);
}

pol_status rt_jwt_exec(rt_req *r, const void *conf)
{
    const jwt_conf *c = conf;
    jwt_run *run = arena_calloc(&r->arena, 1, sizeof *run);
    if (!run)
        return OOM(r);
    run->c = c;
    if (setup(r, c, run) < 0 || get_token(r, c, &run->token) < 0)
        return POL_FAIL;
    if (!run->token.len || !run->nurls) /* no token: nothing to fetch */
        return finish(r, run);
    run->docs = arena_calloc(&r->arena, run->nurls, sizeof *run->docs);
    if (!run->docs)
        return OOM(r);
    rt_wake_init(&run->wake, r);
    pol_status st =
        rt_oidc_resolve(r, run->urls, run->nurls, false, run->docs, &run->wake, oidc_done_cb, run);
    if (st != POL_NEXT)
        return st;
    return finish(r, run);
}
