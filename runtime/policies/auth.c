/* Backend authentication: authentication-basic, authentication-certificate,
 * authentication-managed-identity, get-authorization-context. */
#include "families.h"

#include <stddef.h>

#include "../identity.h"
#include "auth_access.h"
#include "auth_mi.h"
#include "common.h"

/* <authentication-basic username="u" password="p"/> */
static const pol_attr authentication_basic_attrs[] = {
    { "username", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "password", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};

/* <authentication-certificate thumbprint="t" | certificate-id="id" | body="@(bytes)"
 *   password="p"/> */
static const pol_attr authentication_certificate_attrs[] = {
    { "thumbprint", POL_T_STR, POL_EXPR, NULL, NULL },
    { "certificate-id", POL_T_STR, POL_EXPR, NULL, NULL },
    { "body", POL_T_STR, POL_EXPR, NULL, NULL },
    { "password", POL_T_STR, POL_EXPR, NULL, NULL },
    { 0 },
};
static const pol_rule authentication_certificate_rules[] = {
    { POL_R_EXACTLY_ONE, "thumbprint|certificate-id|body" },
    { 0 },
};

/* <authentication-managed-identity resource="uri" client-id="id"
 *   output-token-variable-name="v" ignore-error="bool"/> */
static const pol_attr authentication_managed_identity_attrs[] = {
    { "resource", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "client-id", POL_T_STR, 0, NULL, NULL },
    { "output-token-variable-name", POL_T_STR, 0, NULL, NULL },
    { "ignore-error", POL_T_BOOL, 0, "false", NULL },
    { 0 },
};

/* ---- authentication-managed-identity (world) ---- */

typedef struct managed_identity_conf {
    pol_val resource;
    str client_id; /* "" = system-assigned identity */
    str out_var;   /* output-token-variable-name, "" when absent */
    bool ignore_error;
} managed_identity_conf;

static int managed_identity_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    managed_identity_conf *c = out;
    pol_cc_attr(el, "resource", &c->resource);
    c->resource.lit = str_trim(c->resource.lit);
    c->client_id = str_trim(pol_cc_lit(el, "client-id", ""));
    c->out_var = str_trim(pol_cc_lit(el, "output-token-variable-name", ""));
    c->ignore_error = pol_cc_bool(el, "ignore-error", false);
    return 0;
}

/* The resource attribute, trimmed (-1 after rt_fail). */
static int mi_resource(rt_req *r, const managed_identity_conf *c, str *resource)
{
    if (rt_val_str(r, &c->resource, resource) < 0)
        return -1;
    *resource = str_trim(resource->ptr ? *resource : STR_LIT(""));
    return 0;
}

/* With output-token-variable-name only the variable is set (spec/policies.md §9 [impl]: every
 * documented sample then sets the header itself). rc < 0: error says why there is no token. */
static pol_status mi_apply(rt_req *r, const managed_identity_conf *c, xv_dict *d, str resource,
                           int rc, str token, str error)
{
    if (rc < 0) {
        if (c->ignore_error) {
            rt_trace(r, "no token for %.*s (ignored: %.*s)", STR_FMT(resource), STR_FMT(error));
            return POL_NEXT;
        }
        return rt_fail(r, NULL, "ManagedIdentityTokenFailure",
                       "Failed to acquire a managed identity token for resource '%.*s'%s%.*s: "
                       "%.*s",
                       STR_FMT(resource), c->client_id.len ? " with client id " : "",
                       STR_FMT(c->client_id), STR_FMT(error));
    }
    if (c->out_var.len) {
        if (xv_dict_set_in(&r->arena, r->ctx->variables, c->out_var, xv_str(token)) < 0)
            return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
        rt_trace(r, "token for %.*s -> variable %.*s", STR_FMT(resource), STR_FMT(c->out_var));
        return POL_NEXT;
    }
    char *bearer = arena_sprintf(&r->arena, "Bearer %.*s", STR_FMT(token));
    if (!bearer || rt_hdr_clear(r, d, STR_LIT("Authorization")) < 0 ||
        rt_hdr_add(r, d, STR_LIT("Authorization"), str_from(bearer)) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    rt_trace(r, "token for %.*s -> Authorization: Bearer ...", STR_FMT(resource));
    return POL_NEXT;
}

/* Synchronous (the test map): an rt_idp provider answers from its cache only here
 * (identity.h); the gateway goes through mi_get, which waits for a token being fetched. */
pol_status rt_pol_managed_identity_to(rt_req *r, const void *conf, xv_dict *d)
{
    const managed_identity_conf *c = conf;
    str resource, token = STR_NULL, error = STR_NULL;
    if (mi_resource(r, c, &resource) < 0)
        return POL_FAIL;
    rt_identity *idp = r->w->idp;
    int rc = -1;
    if (!resource.len)
        error = STR_LIT("the resource is empty");
    else if (!idp)
        error = STR_LIT("no managed identity is available (test files: identity:)");
    else
        rc = idp->get_token(idp, &r->arena, resource, c->client_id, &token, &error);
    return mi_apply(r, c, d, resource, rc, token, error);
}

/* A token being fetched by the world's rt_idp (identity.h): the policy suspends. */
typedef struct mi_wait {
    rt_wake wake;
    const managed_identity_conf *c;
    str resource;
    xv_dict *d; /* where the token goes */
    rt_mi_then then;
    void *then_ud;
    rt_idp *idp;
    rt_idp_wait *wait; /* NULL once answered or cancelled */
} mi_wait;

static void mi_drop(mi_wait *s)
{
    if (!s->wait)
        return;
    rt_idp_cancel(s->idp, s->wait);
    s->wait = NULL;
    rt_req_unhold(s->wake.r);
}

static void mi_cancel(rt_req *r, void *ud)
{
    (void)r;
    mi_drop(ud);
}

static void mi_arena_gone(void *ud)
{
    mi_wait *s = ud;
    if (s->wait) /* the request is released while waiting: forget the waiter */
        rt_idp_cancel(s->idp, s->wait);
    s->wait = NULL;
}

static void mi_done(void *ud, const char *token, const char *error)
{
    mi_wait *s = ud;
    rt_req *r = s->wake.r;
    s->wait = NULL;
    rt_req_unhold(r);
    if (r->finished)
        return;
    rt_wake_enter(&s->wake);
    if (r->cur->cancel == mi_cancel && r->cur->cancel_ud == s)
        r->cur->cancel = NULL;
    str t = token ? arena_str(&r->arena, str_from(token)) : STR_NULL;
    str e = error ? arena_str(&r->arena, str_from(error)) : STR_NULL;
    if (token && !t.ptr) {
        e = STR_LIT("request memory limit reached");
        token = NULL;
    }
    pol_status st =
        mi_apply(r, s->c, s->d, s->resource, token ? 0 : -1, t, e.ptr ? e : STR_LIT("no token"));
    if (s->then) {
        r->env.budget = EXPR_STEP_BUDGET; /* the continuation is the rest of the policy */
        st = s->then(r, s->then_ud, st);
    }
    if (st != POL_SUSPEND)
        rt_wake_resume(&s->wake, st);
}

/* Gets the token for conf into d, waiting for it when the provider has to fetch it. */
static pol_status mi_get(rt_req *r, const managed_identity_conf *c, xv_dict *d, rt_mi_then then,
                         void *then_ud)
{
    rt_idp *idp = rt_idp_of(r->w->idp);
    if (!idp)
        return rt_pol_managed_identity_to(r, c, d);
    str resource, token = STR_NULL, error = STR_NULL;
    if (mi_resource(r, c, &resource) < 0)
        return POL_FAIL;
    mi_wait *s = arena_alloc(&r->arena, sizeof *s);
    if (!s || arena_defer(&r->arena, mi_arena_gone, s) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    *s = (mi_wait){
        .c = c, .resource = resource, .d = d, .then = then, .then_ud = then_ud, .idp = idp
    };
    int rc =
        rt_idp_get(idp, &r->arena, resource, c->client_id, &token, &error, mi_done, s, &s->wait);
    if (rc != 0)
        return mi_apply(r, c, d, resource, rc > 0 ? 0 : -1, token, error);
    rt_trace(r, "fetching a token for %.*s", STR_FMT(resource));
    rt_wake_init(&s->wake, r);
    rt_req_hold(r);
    r->cur->cancel = mi_cancel;
    r->cur->cancel_ud = s;
    return POL_SUSPEND;
}

pol_status rt_pol_managed_identity_async(rt_req *r, const void *conf, xv_dict *d, rt_mi_then then,
                                         void *ud)
{
    return mi_get(r, conf, d, then, ud);
}

static pol_status managed_identity_exec(rt_req *r, const void *conf)
{
    return mi_get(r, conf, r->ctx->request.headers, NULL, NULL);
}

/* <get-authorization-context provider-id="p" authorization-id="a" context-variable-name="v"
 *   identity-type="managed|jwt" identity="token" ignore-error="bool"/> */
static const char *const identity_types[] = { "managed", "jwt", NULL };
static const pol_attr get_authorization_context_attrs[] = {
    { "provider-id", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "authorization-id", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "context-variable-name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "identity-type", POL_T_ENUM, POL_EXPR, "managed", identity_types },
    { "identity", POL_T_STR, POL_EXPR, NULL, NULL },
    { "ignore-error", POL_T_BOOL, 0, "false", NULL },
    { 0 },
};

const pol_spec rt_policies_auth[] = {
    { .name = "authentication-basic",
      .sections = POL_SEC_INBOUND,
      .attrs = authentication_basic_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(auth_basic_conf),
      .parse = rt_auth_basic_parse,
      .exec = rt_auth_basic_exec },
    { .name = "authentication-certificate",
      .sections = POL_SEC_INBOUND,
      .attrs = authentication_certificate_attrs,
      .content = POL_C_EMPTY,
      .rules = authentication_certificate_rules,
      .conf_size = sizeof(auth_cert_conf),
      .parse = rt_auth_cert_parse,
      .exec = rt_auth_cert_exec },
    { .name = "authentication-managed-identity",
      .sections = POL_SEC_INBOUND,
      .attrs = authentication_managed_identity_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(managed_identity_conf),
      .parse = managed_identity_parse,
      .exec = managed_identity_exec },
    { .name = "get-authorization-context",
      .sections = POL_SEC_INBOUND,
      .attrs = get_authorization_context_attrs,
      .content = POL_C_EMPTY,
      .flags = POL_UNSUPPORTED_SPEC },
    { 0 },
};
