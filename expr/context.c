/* The `context` object model of policy expressions (spec/expressions.md §2).
 *
 * The context records (IContext, IRequest, IResponse, IUrl, IApi, ...) are XV_CLASS_HOST
 * classes: their members carry EXPR_M_* ids and no getter, and the host (runtime/ctx.c, later
 * the pipeline) answers them in expr_host.get. Each member declares its static class so that
 * chains such as context.Request.Headers.GetValueOrDefault(...) resolve at load time.
 * IMessageBody is not a host class: it wraps value.h's expr_body and its methods (As<T>,
 * AsFormUrlEncodedContent) are implemented here, as are the form helpers
 * ToFormUrlEncodedContent() / ToQueryString() on dictionaries. */
#include <string.h>

#include "../runtime/base/buf.h"
#include "lib.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A host member: no getter, answered by expr_host.get with id. */
#define HM(name, id, type)                                                                         \
    {                                                                                              \
        name, NULL, type, id, NULL                                                                 \
    }

/* ---- context (IContext) ---- */

static int context_trace(xv_call *c, xv *out)
{
    str msg = STR_NULL;
    if (c->args[0].kind != XV_NULL && xv_to_string(c->env, c->args[0], &msg) < 0)
        return -1;
    c->env->host->trace(c->env, msg);
    *out = xv_null();
    return 0;
}

static const xv_member context_members[] = {
    HM("Api", EXPR_M_CONTEXT_API, &expr_class_api),
    HM("Deployment", EXPR_M_CONTEXT_DEPLOYMENT, &expr_class_deployment),
    HM("Elapsed", EXPR_M_CONTEXT_ELAPSED, &expr_class_timespan),
    HM("LastError", EXPR_M_CONTEXT_LASTERROR, &expr_class_lasterror),
    HM("Operation", EXPR_M_CONTEXT_OPERATION, &expr_class_operation),
    HM("Product", EXPR_M_CONTEXT_PRODUCT, &expr_class_product),
    HM("Request", EXPR_M_CONTEXT_REQUEST, &expr_class_request),
    HM("RequestId", EXPR_M_CONTEXT_REQUESTID, &expr_class_guid),
    HM("Response", EXPR_M_CONTEXT_RESPONSE, &expr_class_response),
    HM("Subscription", EXPR_M_CONTEXT_SUBSCRIPTION, &expr_class_subscription),
    HM("Timestamp", EXPR_M_CONTEXT_TIMESTAMP, &expr_class_datetime),
    HM("Tracing", EXPR_M_CONTEXT_TRACING, &expr_class_bool),
    HM("User", EXPR_M_CONTEXT_USER, &expr_class_user),
    HM("Variables", EXPR_M_CONTEXT_VARIABLES, &expr_class_dict),
    HM("Workspace", EXPR_M_CONTEXT_WORKSPACE, &expr_class_workspace),
};

static const xv_method context_methods[] = {
    { "Trace", 1, 1, context_trace, NULL, 0, "message" },
};

static const char *const context_aliases[] = { "IProxyRequestContext", NULL };

const xv_class expr_class_context = {
    .name = "IContext",
    .aliases = context_aliases,
    .flags = XV_CLASS_HOST,
    .members = context_members,
    .nmembers = COUNT(context_members),
    .methods = context_methods,
    .nmethods = COUNT(context_methods),
};

/* ---- IRequest, IResponse ---- */

static const xv_member request_members[] = {
    HM("Body", EXPR_M_REQUEST_BODY, &expr_class_body),
    HM("Certificate", EXPR_M_REQUEST_CERTIFICATE, NULL),
    HM("Headers", EXPR_M_REQUEST_HEADERS, &expr_class_dict),
    HM("IpAddress", EXPR_M_REQUEST_IPADDRESS, &expr_class_string),
    HM("MatchedParameters", EXPR_M_REQUEST_MATCHEDPARAMETERS, &expr_class_dict),
    HM("Method", EXPR_M_REQUEST_METHOD, &expr_class_string),
    HM("OriginalUrl", EXPR_M_REQUEST_ORIGINALURL, &expr_class_url),
    HM("PrivateEndpointConnection", EXPR_M_REQUEST_PRIVATEENDPOINTCONNECTION, NULL),
    HM("Url", EXPR_M_REQUEST_URL, &expr_class_url),
};

const xv_class expr_class_request = {
    .name = "IRequest",
    .flags = XV_CLASS_HOST,
    .members = request_members,
    .nmembers = COUNT(request_members),
};

static const xv_member response_members[] = {
    HM("Body", EXPR_M_RESPONSE_BODY, &expr_class_body),
    HM("Headers", EXPR_M_RESPONSE_HEADERS, &expr_class_dict),
    HM("StatusCode", EXPR_M_RESPONSE_STATUSCODE, &expr_class_int),
    HM("StatusReason", EXPR_M_RESPONSE_STATUSREASON, &expr_class_string),
};

/* The same class serves context.Response and send-request results ((IResponse)v). */
const xv_class expr_class_response = {
    .name = "IResponse",
    .flags = XV_CLASS_HOST,
    .members = response_members,
    .nmembers = COUNT(response_members),
};

/* ---- IUrl ---- */

static int url_to_string(xv_call *c, xv *out)
{
    return c->env->host->get(c->env, c->self, EXPR_M_URL_TOSTRING, out);
}

static const xv_member url_members[] = {
    HM("Host", EXPR_M_URL_HOST, &expr_class_string),
    HM("Path", EXPR_M_URL_PATH, &expr_class_string),
    HM("Port", EXPR_M_URL_PORT, &expr_class_int),
    HM("Query", EXPR_M_URL_QUERY, &expr_class_dict),
    HM("QueryString", EXPR_M_URL_QUERYSTRING, &expr_class_string),
    HM("Scheme", EXPR_M_URL_SCHEME, &expr_class_string),
};

static const xv_method url_methods[] = {
    { "ToString", 0, 0, url_to_string, &expr_class_string, 0, NULL },
};

const xv_class expr_class_url = {
    .name = "IUrl",
    .flags = XV_CLASS_HOST,
    .members = url_members,
    .nmembers = COUNT(url_members),
    .methods = url_methods,
    .nmethods = COUNT(url_methods),
};

/* ---- IApi, ISubscriptionKeyParameterNames, IOperation, IProduct ---- */

static const xv_member api_members[] = {
    HM("Id", EXPR_M_API_ID, &expr_class_string),
    HM("IsCurrentRevision", EXPR_M_API_ISCURRENTREVISION, &expr_class_bool),
    HM("Name", EXPR_M_API_NAME, &expr_class_string),
    HM("Path", EXPR_M_API_PATH, &expr_class_string),
    HM("Protocols", EXPR_M_API_PROTOCOLS, &expr_class_list),
    HM("Revision", EXPR_M_API_REVISION, &expr_class_string),
    HM("ServiceUrl", EXPR_M_API_SERVICEURL, &expr_class_url),
    HM("SubscriptionKeyParameterNames", EXPR_M_API_SUBSCRIPTIONKEYPARAMETERNAMES,
       &expr_class_keynames),
    HM("Version", EXPR_M_API_VERSION, &expr_class_string),
};

const xv_class expr_class_api = {
    .name = "IApi",
    .flags = XV_CLASS_HOST,
    .members = api_members,
    .nmembers = COUNT(api_members),
};

static const xv_member keynames_members[] = {
    HM("Header", EXPR_M_KEYNAMES_HEADER, &expr_class_string),
    HM("Query", EXPR_M_KEYNAMES_QUERY, &expr_class_string),
};

const xv_class expr_class_keynames = {
    .name = "ISubscriptionKeyParameterNames",
    .flags = XV_CLASS_HOST,
    .members = keynames_members,
    .nmembers = COUNT(keynames_members),
};

static const xv_member operation_members[] = {
    HM("Id", EXPR_M_OPERATION_ID, &expr_class_string),
    HM("Method", EXPR_M_OPERATION_METHOD, &expr_class_string),
    HM("Name", EXPR_M_OPERATION_NAME, &expr_class_string),
    HM("UrlTemplate", EXPR_M_OPERATION_URLTEMPLATE, &expr_class_string),
};

const xv_class expr_class_operation = {
    .name = "IOperation",
    .flags = XV_CLASS_HOST,
    .members = operation_members,
    .nmembers = COUNT(operation_members),
};

static const xv_member product_members[] = {
    HM("Apis", EXPR_M_PRODUCT_APIS, &expr_class_list),
    HM("ApprovalRequired", EXPR_M_PRODUCT_APPROVALREQUIRED, &expr_class_bool),
    HM("Groups", EXPR_M_PRODUCT_GROUPS, &expr_class_list),
    HM("Id", EXPR_M_PRODUCT_ID, &expr_class_string),
    HM("Name", EXPR_M_PRODUCT_NAME, &expr_class_string),
    HM("State", EXPR_M_PRODUCT_STATE, &expr_class_string),
    HM("SubscriptionLimit", EXPR_M_PRODUCT_SUBSCRIPTIONLIMIT, &expr_class_int),
    HM("SubscriptionRequired", EXPR_M_PRODUCT_SUBSCRIPTIONREQUIRED, &expr_class_bool),
};

const xv_class expr_class_product = {
    .name = "IProduct",
    .flags = XV_CLASS_HOST,
    .members = product_members,
    .nmembers = COUNT(product_members),
};

/* ---- ISubscription, IUser, IGroup, IUserIdentity ---- */

static const xv_member subscription_members[] = {
    HM("CreatedDate", EXPR_M_SUBSCRIPTION_CREATEDDATE, &expr_class_datetime),
    HM("EndDate", EXPR_M_SUBSCRIPTION_ENDDATE, &expr_class_datetime),
    HM("Id", EXPR_M_SUBSCRIPTION_ID, &expr_class_string),
    HM("Key", EXPR_M_SUBSCRIPTION_KEY, &expr_class_string),
    HM("Name", EXPR_M_SUBSCRIPTION_NAME, &expr_class_string),
    HM("PrimaryKey", EXPR_M_SUBSCRIPTION_PRIMARYKEY, &expr_class_string),
    HM("SecondaryKey", EXPR_M_SUBSCRIPTION_SECONDARYKEY, &expr_class_string),
    HM("StartDate", EXPR_M_SUBSCRIPTION_STARTDATE, &expr_class_datetime),
};

const xv_class expr_class_subscription = {
    .name = "ISubscription",
    .flags = XV_CLASS_HOST,
    .members = subscription_members,
    .nmembers = COUNT(subscription_members),
};

static const xv_member user_members[] = {
    HM("Email", EXPR_M_USER_EMAIL, &expr_class_string),
    HM("FirstName", EXPR_M_USER_FIRSTNAME, &expr_class_string),
    HM("Groups", EXPR_M_USER_GROUPS, &expr_class_list),
    HM("Id", EXPR_M_USER_ID, &expr_class_string),
    HM("Identities", EXPR_M_USER_IDENTITIES, &expr_class_list),
    HM("LastName", EXPR_M_USER_LASTNAME, &expr_class_string),
    HM("Note", EXPR_M_USER_NOTE, &expr_class_string),
    HM("RegistrationDate", EXPR_M_USER_REGISTRATIONDATE, &expr_class_datetime),
};

const xv_class expr_class_user = {
    .name = "IUser",
    .flags = XV_CLASS_HOST,
    .members = user_members,
    .nmembers = COUNT(user_members),
};

static const xv_member group_members[] = {
    HM("Id", EXPR_M_GROUP_ID, &expr_class_string),
    HM("Name", EXPR_M_GROUP_NAME, &expr_class_string),
};

const xv_class expr_class_group = {
    .name = "IGroup",
    .flags = XV_CLASS_HOST,
    .members = group_members,
    .nmembers = COUNT(group_members),
};

static const xv_member identity_members[] = {
    HM("Id", EXPR_M_IDENTITY_ID, &expr_class_string),
    HM("Provider", EXPR_M_IDENTITY_PROVIDER, &expr_class_string),
};

const xv_class expr_class_identity = {
    .name = "IUserIdentity",
    .flags = XV_CLASS_HOST,
    .members = identity_members,
    .nmembers = COUNT(identity_members),
};

/* ---- IDeployment, IGateway, ILastError, IWorkspace ---- */

static const xv_member deployment_members[] = {
    HM("Certificates", EXPR_M_DEPLOYMENT_CERTIFICATES, &expr_class_dict),
    HM("Gateway", EXPR_M_DEPLOYMENT_GATEWAY, &expr_class_gateway),
    HM("GatewayId", EXPR_M_DEPLOYMENT_GATEWAYID, &expr_class_string),
    HM("Region", EXPR_M_DEPLOYMENT_REGION, &expr_class_string),
    HM("ServiceId", EXPR_M_DEPLOYMENT_SERVICEID, &expr_class_string),
    HM("ServiceName", EXPR_M_DEPLOYMENT_SERVICENAME, &expr_class_string),
};

const xv_class expr_class_deployment = {
    .name = "IDeployment",
    .flags = XV_CLASS_HOST,
    .members = deployment_members,
    .nmembers = COUNT(deployment_members),
};

static const xv_member gateway_members[] = {
    HM("Id", EXPR_M_GATEWAY_ID, &expr_class_string),
    HM("IsManaged", EXPR_M_GATEWAY_ISMANAGED, &expr_class_bool),
};

const xv_class expr_class_gateway = {
    .name = "IGateway",
    .flags = XV_CLASS_HOST,
    .members = gateway_members,
    .nmembers = COUNT(gateway_members),
};

static const xv_member lasterror_members[] = {
    HM("Message", EXPR_M_LASTERROR_MESSAGE, &expr_class_string),
    HM("Path", EXPR_M_LASTERROR_PATH, &expr_class_string),
    HM("PolicyId", EXPR_M_LASTERROR_POLICYID, &expr_class_string),
    HM("Reason", EXPR_M_LASTERROR_REASON, &expr_class_string),
    HM("Scope", EXPR_M_LASTERROR_SCOPE, &expr_class_string),
    HM("Section", EXPR_M_LASTERROR_SECTION, &expr_class_string),
    HM("Source", EXPR_M_LASTERROR_SOURCE, &expr_class_string),
};

const xv_class expr_class_lasterror = {
    .name = "ILastError",
    .flags = XV_CLASS_HOST,
    .members = lasterror_members,
    .nmembers = COUNT(lasterror_members),
};

static const xv_member workspace_members[] = {
    HM("Id", EXPR_M_WORKSPACE_ID, &expr_class_string),
    HM("Name", EXPR_M_WORKSPACE_NAME, &expr_class_string),
};

const xv_class expr_class_workspace = {
    .name = "IWorkspace",
    .flags = XV_CLASS_HOST,
    .members = workspace_members,
    .nmembers = COUNT(workspace_members),
};

/* ---- Authorization (what get-authorization-context stores in its variable) ---- */

static int authorization_token(expr_env *env, xv self, xv *out)
{
    (void)env;
    const expr_authorization *a = self.u.obj.ptr;
    *out = a->access_token.ptr ? xv_str(a->access_token) : xv_null();
    return 0;
}

static int authorization_claims(expr_env *env, xv self, xv *out)
{
    const expr_authorization *a = self.u.obj.ptr;
    xv v = { .kind = XV_DICT };
    v.u.dict = a->claims ? a->claims : xv_dict_new(env, false);
    if (!v.u.dict)
        return -1;
    *out = v;
    return 0;
}

static const xv_member authorization_members[] = {
    { "AccessToken", authorization_token, &expr_class_string, 0, NULL },
    { "Claims", authorization_claims, &expr_class_dict, 0, NULL },
};

const xv_class expr_class_authorization = {
    .name = "Authorization",
    .members = authorization_members,
    .nmembers = COUNT(authorization_members),
};

/* ---- IMessageBody ---- */

/* As<XDocument|XElement|XNode>(): the classes and the parser live in runtime/ (libxml2). */
int (*expr_xml_parse_hook)(expr_env *env, str text, const xv_class *want, xv *out) = NULL;

/* Reads the body's bytes: "" once consumed; consumes unless preserve. */
static int body_take(xv_call *c, const char *method, str *out)
{
    if (c->self.kind != XV_OBJ || c->self.u.obj.cls != &expr_class_body)
        return expr_throw(c->env, "NullReferenceException",
                          "Object reference not set to an instance of an object.");
    bool preserve = false;
    if (c->nargs > 0) {
        if (c->args[0].kind != XV_BOOL)
            return expr_throw(c->env, "ArgumentException",
                              "IMessageBody.%s: argument 1: expected bool, got %s", method,
                              xv_type_name(c->args[0]));
        preserve = c->args[0].u.b;
    }
    expr_body *b = c->self.u.obj.ptr;
    *out = b->consumed ? STR_LIT("") : b->bytes;
    if (!preserve)
        b->consumed = true;
    return 0;
}

static const char *json_kind_name(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "StartObject";
    case JSON_ARRAY:
        return "StartArray";
    case JSON_STRING:
        return "String";
    case JSON_INTEGER:
        return "Integer";
    case JSON_REAL:
        return "Float";
    case JSON_TRUE:
    case JSON_FALSE:
        return "Boolean";
    default:
        return "Null";
    }
}

static int body_as_json(xv_call *c, str text, const xv_class *want, xv *out)
{
    json_t *j = NULL; /* owned by the env arena (expr_json_parse adopts it) */
    if (expr_json_parse(c->env, text, &j) < 0)
        return -1;
    const char *what = NULL;
    if (want == &expr_class_jobject && !json_is_object(j))
        what = "JObject";
    else if (want == &expr_class_jarray && !json_is_array(j))
        what = "JArray";
    if (what) {
        const char *kind = json_kind_name(j);
        return expr_throw(c->env, "JsonReaderException",
                          "Error reading %s from JsonReader. Current JsonReader item is not %s: "
                          "%s. Path '', line 1, position 1.",
                          what, what[1] == 'O' ? "an object" : "an array", kind);
    }
    *out = (xv){ .kind = XV_JSON };
    out->u.j = j;
    return 0;
}

/* As<T>(bool preserveContent = false) */
static int body_as(xv_call *c, xv *out)
{
    const xv_type *t = c->ntargs ? c->targs[0] : NULL;
    const xv_class *cls = t ? t->cls : NULL;
    if (!cls)
        return expr_throw(c->env, "InvalidOperationException",
                          "IMessageBody.As<T>: T must be string, byte[], JObject, JArray, "
                          "JToken, XNode, XElement or XDocument");
    if (!strcmp(cls->name, "XNode") || !strcmp(cls->name, "XElement") ||
        !strcmp(cls->name, "XDocument")) {
        str xml;
        if (!expr_xml_parse_hook)
            return expr_throw(c->env, "NotSupportedException",
                              "IMessageBody.As<%s>: XML is not available in this host", cls->name);
        if (body_take(c, "As", &xml) < 0)
            return -1;
        return expr_xml_parse_hook(c->env, xml, cls, out);
    }
    bool is_bytes = cls == &expr_class_bytes || (cls == &expr_class_byte && t->rank == 1);
    bool is_json =
        cls == &expr_class_jobject || cls == &expr_class_jarray || cls == &expr_class_jtoken;
    if (!is_bytes && !is_json && cls != &expr_class_string)
        return expr_throw(c->env, "InvalidOperationException",
                          "IMessageBody.As<%s>: unsupported type", cls->name);
    str text;
    if (body_take(c, "As", &text) < 0)
        return -1;
    if (is_json)
        return body_as_json(c, text, cls, out);
    if (xv_str_copy(c->env, text.ptr ? text.ptr : "", text.len, out) < 0)
        return -1;
    if (is_bytes)
        out->kind = XV_BYTES;
    return 0;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* WebUtility.UrlDecode of s[0..n) into the env arena ('+' is a space, bad escapes kept). */
static int form_decode(expr_env *env, const char *s, size_t n, str *out)
{
    char *p = arena_alloc(env->a, n + 1);
    if (!p)
        return expr_throw(env, "OutOfMemoryException", "arena cap reached");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            p[k++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            p[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            p[k++] = s[i];
        }
    }
    *out = str_make(p, k);
    return 0;
}

/* AsFormUrlEncodedContent(bool preserveContent = false) -> Dictionary<string, IList<string>> */
static int body_as_form(xv_call *c, xv *out)
{
    str text;
    if (body_take(c, "AsFormUrlEncodedContent", &text) < 0)
        return -1;
    xv_dict *d = xv_dict_new(c->env, false);
    if (!d)
        return -1;
    size_t i = 0;
    while (i < text.len) {
        size_t end = i;
        while (end < text.len && text.ptr[end] != '&')
            end++;
        size_t eq = i;
        while (eq < end && text.ptr[eq] != '=')
            eq++;
        str name, value = STR_LIT("");
        if (end > i) {
            if (form_decode(c->env, text.ptr + i, eq - i, &name) < 0)
                return -1;
            if (eq < end && form_decode(c->env, text.ptr + eq + 1, end - eq - 1, &value) < 0)
                return -1;
            xv *slot = xv_dict_get(d, name);
            if (!slot) {
                xv lv = { .kind = XV_LIST };
                lv.u.list = xv_list_new(c->env, XV_LIST_LIST, &expr_class_string);
                if (!lv.u.list || xv_dict_set(c->env, d, name, lv) < 0)
                    return -1;
                slot = xv_dict_get(d, name);
            }
            if (xv_list_push(c->env, slot->u.list, xv_str(value)) < 0)
                return -1;
        }
        i = end + 1;
    }
    *out = (xv){ .kind = XV_DICT };
    out->u.dict = d;
    return 0;
}

static const xv_method body_methods[] = {
    { "As", 0, 1, body_as, NULL, XV_M_GENERIC | XV_M_RET_TARG, "preserveContent" },
    { "AsFormUrlEncodedContent", 0, 1, body_as_form, &expr_class_dict, 0, "preserveContent" },
};

const xv_class expr_class_body = {
    .name = "IMessageBody",
    .methods = body_methods,
    .nmethods = COUNT(body_methods),
};

/* ---- ToFormUrlEncodedContent() / ToQueryString() on IDictionary<string, IList<string>> ---- */

/* WebUtility.UrlEncode: unreserved characters stay, space is '+', the rest %XX. */
static int form_encode(buf *b, str s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.ptr[i];
        int rc;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("-_.!*()", ch))
            rc = buf_putc(b, (char)ch);
        else if (ch == ' ')
            rc = buf_putc(b, '+');
        else
            rc = buf_printf(b, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int form_pair(expr_env *env, buf *b, str key, xv val)
{
    str s = STR_LIT("");
    if (val.kind != XV_NULL && xv_to_string(env, val, &s) < 0)
        return -1;
    if ((b->len && buf_putc(b, '&') < 0) || form_encode(b, key) < 0 || buf_putc(b, '=') < 0 ||
        form_encode(b, s) < 0)
        return expr_throw(env, "OutOfMemoryException", "form content too large");
    return 0;
}

static int form_build(xv_call *c, bool query, xv *out)
{
    if (c->self.kind != XV_DICT)
        return expr_throw(c->env, "NullReferenceException",
                          "Object reference not set to an instance of an object.");
    const xv_dict *d = c->self.u.dict;
    buf b;
    buf_init(&b, ARENA_REQUEST_CAP);
    int rc = 0;
    for (size_t i = 0; i < d->n && rc == 0; i++) {
        xv v = d->vals[i];
        if (v.kind == XV_LIST) {
            for (size_t k = 0; k < v.u.list->n && rc == 0; k++)
                rc = form_pair(c->env, &b, d->keys[i], v.u.list->items[k]);
        } else {
            rc = form_pair(c->env, &b, d->keys[i], v);
        }
    }
    if (rc == 0) {
        if (query && b.len == 0)
            *out = xv_null();
        else if (query)
            rc = xv_str_printf(c->env, out, "?%.*s", (int)b.len, b.ptr);
        else
            rc = xv_str_copy(c->env, b.ptr ? b.ptr : "", b.len, out);
    }
    buf_release(&b);
    return rc;
}

static int form_to_content(xv_call *c, xv *out)
{
    return form_build(c, false, out);
}

static int form_to_query(xv_call *c, xv *out)
{
    return form_build(c, true, out);
}

static const xv_method form_ext_methods[] = {
    { "ToFormUrlEncodedContent", 0, 0, form_to_content, &expr_class_string, 0, NULL },
    { "ToQueryString", 0, 0, form_to_query, &expr_class_string, 0, NULL },
};

static const xv_class class_form_ext = {
    .name = "FormUrlEncodedContentExtensions",
    .flags = XV_CLASS_EXTENSION | XV_CLASS_STATIC,
    .methods = form_ext_methods,
    .nmethods = COUNT(form_ext_methods),
};

static const xv_class *const classes[] = {
    &expr_class_context,       &expr_class_request,
    &expr_class_response,      &expr_class_url,
    &expr_class_api,           &expr_class_keynames,
    &expr_class_operation,     &expr_class_product,
    &expr_class_subscription,  &expr_class_user,
    &expr_class_group,         &expr_class_identity,
    &expr_class_deployment,    &expr_class_gateway,
    &expr_class_lasterror,     &expr_class_workspace,
    &expr_class_body,          &class_form_ext,
    &expr_class_authorization, NULL,
};
const xv_lib expr_lib_context = { "context", classes };
