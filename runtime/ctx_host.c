/* The expr_host of an rt_ctx: answers context.* member reads (EXPR_M_* ids), the virtual
 * clock, scripted Random results, GUIDs and context.Trace. */
#include <inttypes.h>
#include <string.h>

#include "ctx_impl.h"

static xv v_str(str s)
{
    return s.ptr ? xv_str(s) : xv_null();
}

static xv v_dict(xv_dict *d)
{
    xv v = { .kind = XV_DICT };
    v.u.dict = d;
    return d ? v : xv_null();
}

static xv v_list(xv_list *l)
{
    xv v = { .kind = XV_LIST };
    v.u.list = l;
    return l ? v : xv_null();
}

static xv v_time(int64_t ticks)
{
    xv v = { .kind = XV_DATETIME };
    v.u.dt.ticks = ticks;
    v.u.dt.kind = XV_DT_UTC;
    return v;
}

static xv v_obj(const xv_class *cls, void *p)
{
    return p ? xv_obj(cls, p) : xv_null();
}

static xv v_body(expr_body *b)
{
    return v_obj(&expr_class_body, b);
}

static int get_context(rt_ctx *c, int member, xv *out)
{
    switch (member) {
    case EXPR_M_CONTEXT_API:
        *out = xv_obj(&expr_class_api, &c->api);
        return 0;
    case EXPR_M_CONTEXT_DEPLOYMENT:
        *out = xv_obj(&expr_class_deployment, &c->deployment);
        return 0;
    case EXPR_M_CONTEXT_ELAPSED:
        *out = (xv){ .kind = XV_TIMESPAN };
        out->u.i = c->now - c->timestamp;
        return 0;
    case EXPR_M_CONTEXT_LASTERROR:
        *out = v_obj(&expr_class_lasterror, c->last_error);
        return 0;
    case EXPR_M_CONTEXT_OPERATION:
        *out = xv_obj(&expr_class_operation, &c->operation);
        return 0;
    case EXPR_M_CONTEXT_PRODUCT:
        *out = v_obj(&expr_class_product, c->product);
        return 0;
    case EXPR_M_CONTEXT_REQUEST:
        *out = xv_obj(&expr_class_request, &c->request);
        return 0;
    case EXPR_M_CONTEXT_REQUESTID:
        *out = (xv){ .kind = XV_GUID };
        memcpy(out->u.guid, c->request_id, 16);
        return 0;
    case EXPR_M_CONTEXT_RESPONSE:
        *out = xv_obj(&expr_class_response, &c->response);
        return 0;
    case EXPR_M_CONTEXT_SUBSCRIPTION:
        *out = v_obj(&expr_class_subscription, c->subscription);
        return 0;
    case EXPR_M_CONTEXT_TIMESTAMP:
        *out = v_time(c->timestamp);
        return 0;
    case EXPR_M_CONTEXT_TRACING:
        *out = xv_bool(c->tracing);
        return 0;
    case EXPR_M_CONTEXT_USER:
        *out = v_obj(&expr_class_user, c->user);
        return 0;
    case EXPR_M_CONTEXT_VARIABLES:
        *out = v_dict(c->variables);
        return 0;
    case EXPR_M_CONTEXT_WORKSPACE:
        *out = v_obj(&expr_class_workspace, c->workspace);
        return 0;
    default:
        return 1;
    }
}

static int get_request(rt_request *r, int member, xv *out)
{
    switch (member) {
    case EXPR_M_REQUEST_BODY:
        *out = v_body(r->body);
        return 0;
    case EXPR_M_REQUEST_CERTIFICATE:
        *out = xv_null();
        return 0;
    case EXPR_M_REQUEST_HEADERS:
        *out = v_dict(r->headers);
        return 0;
    case EXPR_M_REQUEST_IPADDRESS:
        *out = v_str(r->ip);
        return 0;
    case EXPR_M_REQUEST_MATCHEDPARAMETERS:
        *out = v_dict(r->matched);
        return 0;
    case EXPR_M_REQUEST_METHOD:
        *out = v_str(r->method);
        return 0;
    case EXPR_M_REQUEST_ORIGINALURL:
        *out = v_obj(&expr_class_url, r->original_url);
        return 0;
    case EXPR_M_REQUEST_URL:
        *out = v_obj(&expr_class_url, r->url);
        return 0;
    case EXPR_M_REQUEST_PRIVATEENDPOINTCONNECTION:
        *out = xv_null();
        return 0;
    default:
        return 1;
    }
}

static int get_response(rt_response *r, int member, xv *out)
{
    switch (member) {
    case EXPR_M_RESPONSE_BODY:
        *out = v_body(r->body);
        return 0;
    case EXPR_M_RESPONSE_HEADERS:
        *out = v_dict(r->headers);
        return 0;
    case EXPR_M_RESPONSE_STATUSCODE:
        *out = xv_int(r->status);
        return 0;
    case EXPR_M_RESPONSE_STATUSREASON:
        *out = v_str(r->reason);
        return 0;
    default:
        return 1;
    }
}

static int default_port(const rt_url *u)
{
    if (str_eq_cstr(u->scheme, "https"))
        return 443;
    if (str_eq_cstr(u->scheme, "http"))
        return 80;
    return -1;
}

static int get_url(expr_env *env, rt_url *u, int member, xv *out)
{
    switch (member) {
    case EXPR_M_URL_HOST:
        *out = v_str(u->host);
        return 0;
    case EXPR_M_URL_PATH:
        *out = v_str(u->path);
        return 0;
    case EXPR_M_URL_PORT:
        *out = xv_int(u->port);
        return 0;
    case EXPR_M_URL_QUERY:
        *out = v_dict(u->query);
        return 0;
    case EXPR_M_URL_QUERYSTRING:
        *out = v_str(u->query_string);
        return 0;
    case EXPR_M_URL_SCHEME:
        *out = v_str(u->scheme);
        return 0;
    case EXPR_M_URL_TOSTRING:
        if (u->port == default_port(u))
            return xv_str_printf(env, out, "%.*s://%.*s%.*s%.*s", STR_FMT(u->scheme),
                                 STR_FMT(u->host), STR_FMT(u->path), STR_FMT(u->query_string));
        return xv_str_printf(env, out, "%.*s://%.*s:%d%.*s%.*s", STR_FMT(u->scheme),
                             STR_FMT(u->host), u->port, STR_FMT(u->path), STR_FMT(u->query_string));
    default:
        return 1;
    }
}

static int get_api(rt_ctx_api *a, int member, xv *out)
{
    switch (member) {
    case EXPR_M_API_ID:
        *out = v_str(a->id);
        return 0;
    case EXPR_M_API_ISCURRENTREVISION:
        *out = xv_bool(a->current);
        return 0;
    case EXPR_M_API_NAME:
        *out = v_str(a->name);
        return 0;
    case EXPR_M_API_PATH:
        *out = v_str(a->path);
        return 0;
    case EXPR_M_API_PROTOCOLS:
        *out = v_list(a->protocols);
        return 0;
    case EXPR_M_API_REVISION:
        *out = v_str(a->revision);
        return 0;
    case EXPR_M_API_SERVICEURL:
        *out = v_obj(&expr_class_url, a->service_url);
        return 0;
    case EXPR_M_API_SUBSCRIPTIONKEYPARAMETERNAMES:
        *out = xv_obj(&expr_class_keynames, a);
        return 0;
    case EXPR_M_API_VERSION:
        *out = v_str(a->version);
        return 0;
    /* the key names record shares the api's storage */
    case EXPR_M_KEYNAMES_HEADER:
        *out = v_str(a->key_header);
        return 0;
    case EXPR_M_KEYNAMES_QUERY:
        *out = v_str(a->key_query);
        return 0;
    default:
        return 1;
    }
}

static int get_operation(rt_ctx_operation *o, int member, xv *out)
{
    switch (member) {
    case EXPR_M_OPERATION_ID:
        *out = v_str(o->id);
        return 0;
    case EXPR_M_OPERATION_METHOD:
        *out = v_str(o->method);
        return 0;
    case EXPR_M_OPERATION_NAME:
        *out = v_str(o->name);
        return 0;
    case EXPR_M_OPERATION_URLTEMPLATE:
        *out = v_str(o->url_template);
        return 0;
    default:
        return 1;
    }
}

static int get_product(rt_ctx_product *p, int member, xv *out)
{
    switch (member) {
    case EXPR_M_PRODUCT_APIS:
        *out = v_list(p->apis);
        return 0;
    case EXPR_M_PRODUCT_APPROVALREQUIRED:
        *out = xv_bool(p->approval_required);
        return 0;
    case EXPR_M_PRODUCT_GROUPS:
        *out = v_list(p->groups);
        return 0;
    case EXPR_M_PRODUCT_ID:
        *out = v_str(p->id);
        return 0;
    case EXPR_M_PRODUCT_NAME:
        *out = v_str(p->name);
        return 0;
    case EXPR_M_PRODUCT_STATE:
        *out = v_str(p->state);
        return 0;
    case EXPR_M_PRODUCT_SUBSCRIPTIONLIMIT:
        *out = p->has_limit ? xv_int(p->subscription_limit) : xv_null();
        return 0;
    case EXPR_M_PRODUCT_SUBSCRIPTIONREQUIRED:
        *out = xv_bool(p->subscription_required);
        return 0;
    default:
        return 1;
    }
}

static int get_subscription(rt_ctx_subscription *s, int member, xv *out)
{
    switch (member) {
    case EXPR_M_SUBSCRIPTION_CREATEDDATE:
        *out = v_time(s->created);
        return 0;
    case EXPR_M_SUBSCRIPTION_ENDDATE:
        *out = s->end ? v_time(s->end) : xv_null();
        return 0;
    case EXPR_M_SUBSCRIPTION_ID:
        *out = v_str(s->id);
        return 0;
    case EXPR_M_SUBSCRIPTION_KEY:
        *out = v_str(s->key);
        return 0;
    case EXPR_M_SUBSCRIPTION_NAME:
        *out = v_str(s->name);
        return 0;
    case EXPR_M_SUBSCRIPTION_PRIMARYKEY:
        *out = v_str(s->primary_key);
        return 0;
    case EXPR_M_SUBSCRIPTION_SECONDARYKEY:
        *out = v_str(s->secondary_key);
        return 0;
    case EXPR_M_SUBSCRIPTION_STARTDATE:
        *out = v_time(s->start);
        return 0;
    default:
        return 1;
    }
}

static int get_user(rt_ctx_user *u, int member, xv *out)
{
    switch (member) {
    case EXPR_M_USER_EMAIL:
        *out = v_str(u->email);
        return 0;
    case EXPR_M_USER_FIRSTNAME:
        *out = v_str(u->first_name);
        return 0;
    case EXPR_M_USER_GROUPS:
        *out = v_list(u->groups);
        return 0;
    case EXPR_M_USER_ID:
        *out = v_str(u->id);
        return 0;
    case EXPR_M_USER_IDENTITIES:
        *out = v_list(u->identities);
        return 0;
    case EXPR_M_USER_LASTNAME:
        *out = v_str(u->last_name);
        return 0;
    case EXPR_M_USER_NOTE:
        *out = v_str(u->note);
        return 0;
    case EXPR_M_USER_REGISTRATIONDATE:
        *out = v_time(u->registered);
        return 0;
    default:
        return 1;
    }
}

static int get_deployment(rt_deployment *d, int member, xv *out)
{
    switch (member) {
    case EXPR_M_DEPLOYMENT_CERTIFICATES:
        *out = v_dict(d->certificates);
        return 0;
    case EXPR_M_DEPLOYMENT_GATEWAY:
        *out = xv_obj(&expr_class_gateway, d);
        return 0;
    case EXPR_M_DEPLOYMENT_GATEWAYID:
        *out = v_str(d->gateway_id);
        return 0;
    case EXPR_M_DEPLOYMENT_REGION:
        *out = v_str(d->region);
        return 0;
    case EXPR_M_DEPLOYMENT_SERVICEID:
        *out = v_str(d->service_id);
        return 0;
    case EXPR_M_DEPLOYMENT_SERVICENAME:
        *out = v_str(d->service_name);
        return 0;
    /* the gateway record shares the deployment's storage */
    case EXPR_M_GATEWAY_ID:
        *out = v_str(d->gateway_id);
        return 0;
    case EXPR_M_GATEWAY_ISMANAGED:
        *out = xv_bool(d->managed);
        return 0;
    default:
        return 1;
    }
}

static int get_lasterror(rt_lasterror *e, int member, xv *out)
{
    switch (member) {
    case EXPR_M_LASTERROR_MESSAGE:
        *out = v_str(e->message);
        return 0;
    case EXPR_M_LASTERROR_PATH:
        *out = v_str(e->path);
        return 0;
    case EXPR_M_LASTERROR_POLICYID:
        *out = v_str(e->policy_id);
        return 0;
    case EXPR_M_LASTERROR_REASON:
        *out = v_str(e->reason);
        return 0;
    case EXPR_M_LASTERROR_SCOPE:
        *out = v_str(e->scope);
        return 0;
    case EXPR_M_LASTERROR_SECTION:
        *out = v_str(e->section);
        return 0;
    case EXPR_M_LASTERROR_SOURCE:
        *out = v_str(e->source);
        return 0;
    default:
        return 1;
    }
}

/* IGroup, IUserIdentity and IWorkspace all sit on an rt_named. */
static int get_named(rt_named *n, int member, xv *out)
{
    switch (member) {
    case EXPR_M_GROUP_ID:
    case EXPR_M_IDENTITY_ID:
    case EXPR_M_WORKSPACE_ID:
        *out = v_str(n->id);
        return 0;
    case EXPR_M_GROUP_NAME:
    case EXPR_M_IDENTITY_PROVIDER:
    case EXPR_M_WORKSPACE_NAME:
        *out = v_str(n->name);
        return 0;
    default:
        return 1;
    }
}

static int host_get(expr_env *env, xv self, int member, xv *out)
{
    if (self.kind != XV_OBJ || !self.u.obj.ptr)
        return expr_throw(env, "NullReferenceException",
                          "Object reference not set to an instance of an object.");
    const xv_class *cls = self.u.obj.cls;
    void *p = self.u.obj.ptr;
    int rc = 1;
    if (cls == &expr_class_context)
        rc = get_context(p, member, out);
    else if (cls == &expr_class_request)
        rc = get_request(p, member, out);
    else if (cls == &expr_class_response)
        rc = get_response(p, member, out);
    else if (cls == &expr_class_url)
        rc = get_url(env, p, member, out);
    else if (cls == &expr_class_api || cls == &expr_class_keynames)
        rc = get_api(p, member, out);
    else if (cls == &expr_class_operation)
        rc = get_operation(p, member, out);
    else if (cls == &expr_class_product)
        rc = get_product(p, member, out);
    else if (cls == &expr_class_subscription)
        rc = get_subscription(p, member, out);
    else if (cls == &expr_class_user)
        rc = get_user(p, member, out);
    else if (cls == &expr_class_deployment || cls == &expr_class_gateway)
        rc = get_deployment(p, member, out);
    else if (cls == &expr_class_lasterror)
        rc = get_lasterror(p, member, out);
    else if (cls == &expr_class_group || cls == &expr_class_identity ||
             cls == &expr_class_workspace)
        rc = get_named(p, member, out);
    if (rc > 0)
        return expr_throw(env, "MissingMemberException", "%s: member #%d is not available",
                          cls->name, member);
    return rc;
}

static int64_t host_now(expr_env *env)
{
    const rt_ctx *c = env->host_ud;
    return c->now;
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Scripted results first (clamped into [lo, hi)), then a seeded PRNG. */
static int64_t host_random(expr_env *env, int64_t lo, int64_t hi)
{
    rt_ctx *c = env->host_ud;
    if (hi <= lo)
        return lo;
    if (c->irandom < c->nrandom) {
        int64_t v = c->random[c->irandom++];
        return v < lo ? lo : v >= hi ? hi - 1 : v;
    }
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    return (int64_t)((uint64_t)lo + splitmix64(&c->prng) % span);
}

static void host_new_guid(expr_env *env, uint8_t out[16])
{
    rt_ctx *c = env->host_ud;
    uint64_t a = splitmix64(&c->prng), b = splitmix64(&c->prng);
    memcpy(out, &a, 8);
    memcpy(out + 8, &b, 8);
    out[7] = (uint8_t)((out[7] & 0x0f) | 0x40);
    out[8] = (uint8_t)((out[8] & 0x3f) | 0x80);
}

static void host_trace(expr_env *env, str message)
{
    const rt_ctx *c = env->host_ud;
    if (c->trace_out)
        fprintf(c->trace_out, "trace: %.*s\n", STR_FMT(message));
}

const expr_host rt_ctx_host = {
    .get = host_get,
    .now = host_now,
    .random = host_random,
    .new_guid = host_new_guid,
    .trace = host_trace,
};
