/* Routing and HTTP calls: forward-request, set-backend-service, send-request,
 * send-one-way-request, set-method, set-status, proxy. */
#include "families.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "../errors.h"
#include "auth_mi.h"
#include "common.h"
#include "http_int.h"

/* <forward-request timeout="s" | timeout-ms="ms" continue-timeout="s" http-version="1|2|2or1"
 *   follow-redirects="bool" buffer-request-body="bool" buffer-response="bool"
 *   fail-on-error-status-code="bool"/> */
static const char *const http_versions[] = { "1", "2", "2or1", NULL };
static const pol_attr forward_request_attrs[] = {
    { "timeout", POL_T_UINT, POL_EXPR, "300", NULL },
    { "timeout-ms", POL_T_UINT, POL_EXPR, NULL, NULL },
    { "continue-timeout", POL_T_UINT, POL_EXPR, NULL, NULL },
    { "http-version", POL_T_ENUM, 0, "1", http_versions },
    { "follow-redirects", POL_T_BOOL, POL_EXPR, "false", NULL },
    { "buffer-request-body", POL_T_BOOL, 0, "false", NULL },
    { "buffer-response", POL_T_BOOL, 0, "true", NULL },
    { "fail-on-error-status-code", POL_T_BOOL, 0, "false", NULL },
    { 0 },
};
static const pol_rule forward_request_rules[] = {
    { POL_R_AT_MOST_ONE, "timeout|timeout-ms" },
    { 0 },
};

/* <set-backend-service base-url="url" | backend-id="id" [Service Fabric: sf-*] [Dapr:
 * backend-id="dapr" dapr-app-id dapr-method dapr-namespace]/> */
static const char *const sf_replica_types[] = { "primary", "secondary", NULL };
static const pol_attr set_backend_service_attrs[] = {
    { "base-url", POL_T_STR, POL_EXPR, NULL, NULL }, /* a real document has base-url="" */
    { "backend-id", POL_T_STR, POL_EXPR, NULL, NULL },
    { "sf-resolve-condition", POL_T_BOOL, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "sf-service-instance-name", POL_T_STR, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "sf-partition-key", POL_T_STR, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "sf-replica-type", POL_T_ENUM, POL_UNSUPPORTED, "primary", sf_replica_types },
    { "sf-listener-name", POL_T_STR, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "dapr-app-id", POL_T_STR, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "dapr-method", POL_T_STR, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { "dapr-namespace", POL_T_STR, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { 0 },
};
static const pol_rule set_backend_service_rules[] = {
    { POL_R_EXACTLY_ONE, "base-url|backend-id" },
    { POL_R_AT_MOST_ONE, "base-url|dapr-app-id" },
    { POL_R_AT_MOST_ONE, "base-url|sf-service-instance-name" },
    { 0 },
};

static const char *const send_modes[] = { "new", "copy", NULL };

/* <send-request mode="new|copy" response-variable-name="v" timeout="s" ignore-error="bool">
 *   <set-url>url</set-url> <set-method>m</set-method> <set-header/>* <set-body/>
 *   <authentication-certificate/> <authentication-managed-identity/> <proxy/>
 * </send-request>. set-url is required unless mode="copy" (checked by parse). */
static const pol_attr send_request_attrs[] = {
    { "mode", POL_T_ENUM, POL_EXPR, "new", send_modes },
    { "response-variable-name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "timeout", POL_T_UINT, POL_EXPR, "60", NULL },
    { "ignore-error", POL_T_BOOL, 0, "false", NULL },
    { 0 },
};

static const pol_child send_request_children[] = {
    { .name = "set-url",
      .min = 0,
      .max = 1,
      .content = POL_C_TEXT,
      .text_flags = POL_EXPR | POL_REQUIRED },
    { .name = "set-method", .min = 0, .max = 1, .policy = "set-method" },
    { .name = "set-header", .min = 0, .max = 0, .policy = "set-header" },
    { .name = "set-body", .min = 0, .max = 1, .policy = "set-body" },
    { .name = "authentication-certificate",
      .min = 0,
      .max = 1,
      .policy = "authentication-certificate" },
    { .name = "authentication-managed-identity",
      .min = 0,
      .max = 1,
      .policy = "authentication-managed-identity" },
    { .name = "proxy", .min = 0, .max = 1, .policy = "proxy" },
    { 0 },
};

/* <send-one-way-request mode="new|copy" timeout="s"> same children </send-one-way-request> */
static const pol_attr send_one_way_request_attrs[] = {
    { "mode", POL_T_ENUM, POL_EXPR, "new", send_modes },
    { "timeout", POL_T_UINT, POL_EXPR, "60", NULL },
    { 0 },
};

/* <set-status code="200" reason="OK"/>. The docs list reason as required, real documents
 * omit it: optional here. */
static const pol_attr set_status_attrs[] = {
    { "code", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "reason", POL_T_STR, POL_EXPR, NULL, NULL },
    { 0 },
};

/* <proxy url="http://host:port" username="u" password="p"/> */
static const pol_attr proxy_attrs[] = {
    { "url", POL_T_URL, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "username", POL_T_STR, POL_EXPR, NULL, NULL },
    { "password", POL_T_STR, POL_EXPR, NULL, NULL },
    { 0 },
};

void *rt_pol_child_conf(pol_cc *cc, const pol_node *kid)
{
    if (!kid->spec)
        return NULL;
    void *conf = kid->spec->conf_size ? arena_alloc(cc->a, kid->spec->conf_size) : NULL;
    if (kid->spec->conf_size && !conf) {
        pol_cc_error(cc, kid, "out of memory");
        return NULL;
    }
    if (kid->spec->parse && kid->spec->parse(cc, kid, conf) < 0)
        return NULL;
    return conf ? conf : (void *)kid; /* non-NULL: success */
}

/* ---- set-status, set-method ---- */

typedef struct set_status_conf {
    pol_val code, reason;
} set_status_conf;

static int set_status_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    set_status_conf *c = out;
    pol_cc_attr(el, "code", &c->code);
    pol_cc_attr(el, "reason", &c->reason);
    if (!c->reason.ex && c->reason.src)
        c->reason.lit = c->reason.src->text;
    return 0;
}

pol_status rt_pol_set_status_to(rt_req *r, const void *conf, rt_response *resp)
{
    const set_status_conf *c = conf;
    int64_t code;
    str reason;
    if (rt_val_int(r, &c->code, 200, &code) < 0 || rt_val_str(r, &c->reason, &reason) < 0)
        return POL_FAIL;
    if (code < 100 || code > 999)
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                       "status code %lld is not a valid HTTP status", (long long)code);
    resp->status = (int)code;
    resp->reason = reason.ptr ? reason : str_from(rt_reason_phrase((int)code));
    rt_trace(r, "status %d %.*s", resp->status, STR_FMT(resp->reason));
    return POL_NEXT;
}

static pol_status set_status_exec(rt_req *r, const void *conf)
{
    return rt_pol_set_status_to(r, conf, &r->ctx->response);
}

typedef struct set_method_conf {
    pol_val method;
} set_method_conf;

static int set_method_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    set_method_conf *c = out;
    pol_cc_text(el, &c->method);
    c->method.lit = str_trim(c->method.lit);
    return 0;
}

pol_status rt_pol_set_method_eval(rt_req *r, const void *conf, str *out)
{
    const set_method_conf *c = conf;
    str m;
    if (rt_val_str(r, &c->method, &m) < 0)
        return POL_FAIL;
    m = str_trim(m.ptr ? m : STR_LIT(""));
    if (!m.len)
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure", "the method is empty");
    char *up = arena_strndup(&r->arena, m.ptr, m.len);
    if (!up)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    for (size_t i = 0; i < m.len; i++)
        up[i] = (char)toupper((unsigned char)up[i]);
    *out = str_make(up, m.len);
    return POL_NEXT;
}

static pol_status set_method_exec(rt_req *r, const void *conf)
{
    str m;
    if (rt_pol_set_method_eval(r, conf, &m) != POL_NEXT)
        return POL_FAIL;
    r->ctx->request.method = m;
    rt_trace(r, "method %.*s", STR_FMT(m));
    return POL_NEXT;
}

/* ---- set-backend-service ---- */

typedef struct set_backend_service_conf {
    pol_val base_url, backend_id;
} set_backend_service_conf;

static int set_backend_service_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    set_backend_service_conf *c = out;
    pol_cc_attr(el, "base-url", &c->base_url);
    pol_cc_attr(el, "backend-id", &c->backend_id);
    return 0;
}

static pol_status set_backend_service_exec(rt_req *r, const void *conf)
{
    const set_backend_service_conf *c = conf;
    if (c->backend_id.present) {
        str id;
        if (rt_val_str(r, &c->backend_id, &id) < 0)
            return POL_FAIL;
        id = str_trim(id.ptr ? id : STR_LIT(""));
        if (!r->w->set_backend)
            return rt_fail(r, NULL, "BackendNotFound",
                           "backend-id '%.*s' needs a gateway configuration with backends "
                           "(test files: config:)",
                           STR_FMT(id));
        if (r->w->set_backend(r, id) < 0)
            return POL_FAIL;
        if (rt_tracing(r)) /* the URL text is only built for the trace */
            rt_trace(r, "backend %.*s -> %.*s", STR_FMT(id), STR_FMT(rt_req_url_text(r, r->base)));
        return POL_NEXT;
    }
    str url;
    if (rt_val_str(r, &c->base_url, &url) < 0)
        return POL_FAIL;
    if (rt_req_set_base(r, url.ptr ? url : STR_LIT("")) < 0)
        return POL_FAIL;
    r->backend_id = STR_LIT("");
    rt_trace(r, "base-url %.*s", STR_FMT(url));
    return POL_NEXT;
}

/* ---- forward-request ---- */

typedef struct forward_request_conf {
    pol_val timeout, timeout_ms;
    bool buffer_body, buffer_response, fail_on_error;
} forward_request_conf;

static int forward_request_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    forward_request_conf *c = out;
    pol_cc_attr(el, "timeout", &c->timeout);
    pol_cc_attr(el, "timeout-ms", &c->timeout_ms);
    if (pol_node_attr(el, "timeout-ms"))
        c->timeout.present = false;
    c->buffer_body = pol_cc_bool(el, "buffer-request-body", false);
    c->buffer_response = pol_cc_bool(el, "buffer-response", true);
    c->fail_on_error = pol_cc_bool(el, "fail-on-error-status-code", false);
    return 0;
}

static pol_status transport_failure(rt_req *r, const call_state *cs, rt_tx_result res,
                                    const char *msg)
{
    if (res == RT_TX_TIMEOUT)
        return rt_fail(r, NULL, "Timeout",
                       "Request to the backend service timed out after %lld ms (%s)",
                       (long long)cs->timeout_ms, msg ? msg : "");
    return rt_fail(r, NULL, "BackendConnectionFailure",
                   "Error occured while calling backend service: %s", msg ? msg : "");
}

/* context.Response (or a send-request result) from a transport's answer; borrow: resp's strings
 * live in the request arena (rt_tx_done's resp) and are not copied. */
rt_response *rt_pol_http_response_from(rt_req *r, const rt_http_resp *resp, bool borrow)
{
    rt_response *o = arena_alloc(&r->arena, sizeof *o);
    if (!o)
        return NULL;
    o->status = resp->status;
    o->reason = resp->reason;
    o->headers = borrow ? rt_hdr_dict_borrow(&r->arena, resp->headers, resp->nheaders)
                        : rt_hdr_dict(r, resp->headers, resp->nheaders);
    str ct = STR_NULL;
    xv_list *h = o->headers ? rt_hdr_get(o->headers, STR_LIT("Content-Type")) : NULL;
    if (h && h->n)
        ct = h->items[0].u.s;
    o->body = borrow ? rt_body_borrow(r, resp->body, ct) : rt_body_new(r, resp->body, ct);
    return o->headers && o->body ? o : NULL;
}

static void forward_done(void *ud, rt_tx_result res, const rt_http_resp *resp, const char *msg)
{
    call_state *cs = ud;
    rt_req *r = cs->wake.r;
    rt_req_unhold(r);
    rt_wake_enter(&cs->wake);
    rt_http_resp whole;
    if (res == RT_TX_OK && resp && cs->acc_init && cs->acc.len) {
        /* streamed: the body is what was received, plus what was not passed to on_chunk */
        whole = *resp;
        char *b = arena_alloc(&r->arena, cs->acc.len + resp->body.len + 1);
        if (b) {
            memcpy(b, cs->acc.ptr, cs->acc.len);
            if (resp->body.len)
                memcpy(b + cs->acc.len, resp->body.ptr, resp->body.len);
            whole.body = str_make(b, cs->acc.len + resp->body.len);
        } else {
            cs->too_big = true;
        }
        resp = &whole;
    }
    if (r->w->call_result)
        r->w->call_result(r, cs->backend_id, res, resp);
    pol_status st = POL_NEXT;
    if (res == RT_TX_OK && cs->too_big && !cs->relaying) {
        st = rt_fail(r, NULL, "BackendConnectionFailure",
                     "the backend response is larger than %zu bytes", BUFFERED_MAX);
    } else if (res != RT_TX_OK) {
        st = transport_failure(r, cs, res, msg);
        rt_trace(r, "backend call failed: %s", msg ? msg : "");
    } else {
        rt_response *o = rt_pol_http_response_from(r, resp, true);
        if (!o) {
            st = rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
        } else {
            r->ctx->response = *o;
            r->backend_status = resp->status;
            if (cs->relaying)
                r->relayed_body = o->body->bytes;
            rt_trace(r, "backend answered %d", resp->status);
            if (cs->fail_on_error && resp->status >= 400 && resp->status <= 599) {
                st = rt_fail(r, NULL, "BackendErrorStatusCode", "backend returned status code %d",
                             resp->status);
                r->response_preset = true;
            }
        }
    }
    rt_wake_resume(&cs->wake, st);
}

static void cancel_call(rt_req *r, void *ud)
{
    call_state *cs = ud;
    if (cs->gone_timer) {
        rt_clock_cancel(r->w->clock, cs->gone_timer);
        cs->gone_timer = NULL;
        rt_req_unhold(r);
    }
    if (cs->call) {
        r->w->transport->cancel(r->w->transport, cs->call);
        cs->call = NULL;
        rt_req_unhold(r);
    }
}

static pol_status send_call(rt_req *r, call_state *cs, const rt_http_req *hr, rt_tx_done done)
{
    rt_req_hold(r);
    cs->call = r->w->transport->send(r->w->transport, &r->arena, hr, done, cs);
    if (!cs->call) {
        rt_req_unhold(r);
        return rt_fail(r, NULL, "BackendConnectionFailure", "the call could not be started");
    }
    return POL_SUSPEND;
}

static int64_t eval_timeout(rt_req *r, const pol_val *sec, const pol_val *ms, int64_t def_s,
                            int *err)
{
    int64_t v = 0;
    *err = 0;
    if (ms && ms->present) {
        if (rt_val_int(r, ms, 0, &v) < 0)
            *err = 1;
        return v;
    }
    if (rt_val_int(r, sec, def_s, &v) < 0)
        *err = 1;
    return v * 1000;
}

static pol_status forward_request_exec(rt_req *r, const void *conf)
{
    const forward_request_conf *c = conf;
    int err;
    int64_t timeout = eval_timeout(r, &c->timeout, &c->timeout_ms, 300, &err);
    if (err)
        return POL_FAIL;
    call_state *cs = arena_alloc(&r->arena, sizeof *cs);
    rt_http_req hr = { 0 };
    if (!cs || rt_hdr_lines(r, r->ctx->request.headers, (rt_hdr **)&hr.headers, &hr.nheaders) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    rt_wake_init(&cs->wake, r);
    cs->timeout_ms = timeout;
    cs->fail_on_error = c->fail_on_error;
    hr.method = r->ctx->request.method;
    hr.url = rt_req_url_text(r, r->ctx->request.url);
    hr.body = r->body_sent ? STR_LIT("") : rt_body_bytes(r->ctx->request.body);
    if (r->body_sent && rt_body_bytes(r->ctx->request.body).len)
        rt_trace(r, "the request body was already sent (buffer-request-body=\"false\"): "
                    "sending none");
    hr.timeout_ms = timeout;
    hr.backend_id = r->backend_id;
    hr.origin = "forward-request";
    /* world: pool member, circuit breaker, backend credentials. A credential being fetched
     * (a managed identity token on a cold cache): the hook holds the request and returns 1 (a
     * wrapper may flatten that to 0: the hold tells too); it runs forward-request again once
     * the token is there, or fails the request. */
    int held = r->pending;
    int prc = r->w->prepare_call ? r->w->prepare_call(r, &hr) : 0;
    if (prc < 0)
        return POL_FAIL;
    if (prc > 0 || r->pending > held)
        return POL_SUSPEND;
    cs->backend_id = hr.backend_id;
    rt_pol_http_stream_init(r, cs, c->buffer_response, &hr);
    if (!c->buffer_body)
        r->body_sent = true;
    r->attempts++;
    /* the request's URL, not hr.url: backend credentials (query) are never traced */
    if (rt_tracing(r))
        rt_trace(r, "%.*s %.*s", STR_FMT(hr.method),
                 STR_FMT(rt_req_url_text(r, r->ctx->request.url)));
    pol_status st = send_call(r, cs, &hr, forward_done);
    if (st == POL_SUSPEND) {
        r->cur->cancel = cancel_call;
        r->cur->cancel_ud = cs;
    }
    return st;
}

/* ---- send-request, send-one-way-request ---- */

typedef struct send_request_conf {
    pol_val mode, timeout, url;
    str var;
    bool ignore_error, one_way;
    const void *method;   /* set-method conf */
    const void **headers; /* set-header confs */
    size_t nheaders;
    const void *body; /* set-body conf */
    const void *mi;   /* authentication-managed-identity conf (auth.c) */
} send_request_conf;

static int send_parse(pol_cc *cc, const pol_node *el, send_request_conf *c)
{
    pol_cc_attr(el, "mode", &c->mode);
    pol_cc_attr(el, "timeout", &c->timeout);
    c->var = pol_cc_lit(el, "response-variable-name", "");
    c->ignore_error = pol_cc_bool(el, "ignore-error", false);
    size_t nh = 0;
    for (size_t i = 0; i < el->nkids; i++)
        nh += str_eq_cstr(el->kids[i]->name, "set-header");
    c->headers = nh ? arena_calloc(cc->a, nh, sizeof *c->headers) : NULL;
    bool has_url = false;
    for (size_t i = 0; i < el->nkids; i++) {
        const pol_node *k = el->kids[i];
        if (str_eq_cstr(k->name, "set-url")) {
            pol_cc_text(k, &c->url);
            c->url.lit = str_trim(c->url.lit);
            has_url = true;
            continue;
        }
        const void *conf = rt_pol_child_conf(cc, k);
        if (!conf)
            return -1;
        if (str_eq_cstr(k->name, "set-method"))
            c->method = conf;
        else if (str_eq_cstr(k->name, "set-header"))
            c->headers[c->nheaders++] = conf;
        else if (str_eq_cstr(k->name, "set-body"))
            c->body = conf;
        else if (str_eq_cstr(k->name, "authentication-managed-identity"))
            c->mi = conf;
        /* authentication-*, proxy: applied when their helpers land */
    }
    if (!has_url && !c->mode.ex && !str_ieq(c->mode.lit, STR_LIT("copy")))
        return pol_cc_error(cc, el, "<set-url> is required unless mode=\"copy\"");
    return 0;
}

static int send_request_parse(pol_cc *cc, const pol_node *el, void *out)
{
    return send_parse(cc, el, out);
}

static int send_one_way_parse(pol_cc *cc, const pol_node *el, void *out)
{
    send_request_conf *c = out;
    c->one_way = true;
    return send_parse(cc, el, out);
}

static void send_done(void *ud, rt_tx_result res, const rt_http_resp *resp, const char *msg)
{
    call_state *cs = ud;
    rt_req *r = cs->wake.r;
    rt_req_unhold(r);
    cs->call = NULL;
    if (cs->one_way || r->finished)
        return;
    rt_wake_enter(&cs->wake);
    pol_status st = POL_NEXT;
    xv v = xv_null();
    if (res == RT_TX_OK) {
        rt_response *o = rt_pol_http_response_from(r, resp, true);
        if (!o)
            st = rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
        else
            v = xv_obj(&expr_class_response, o);
        rt_trace(r, "%s <- %d", cs->var, resp->status);
    } else if (cs->ignore_error) {
        rt_trace(r, "%s <- null (ignored: %s)", cs->var, msg ? msg : "");
    } else {
        st = transport_failure(r, cs, res, msg);
    }
    if (st == POL_NEXT && xv_dict_set_in(&r->arena, r->ctx->variables, str_from(cs->var), v) < 0)
        st = rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    rt_wake_resume(&cs->wake, st);
}

/* What send-request sends once its managed identity token is there. */
typedef struct send_pending {
    const send_request_conf *c;
    xv_dict *h;
    expr_body *body;
    str method, url;
    int64_t timeout;
} send_pending;

static pol_status send_start(rt_req *r, const send_pending *p)
{
    const send_request_conf *c = p->c;
    call_state *cs = arena_alloc(&r->arena, sizeof *cs);
    rt_http_req hr = { 0 };
    if (!cs || rt_hdr_lines(r, p->h, (rt_hdr **)&hr.headers, &hr.nheaders) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    rt_wake_init(&cs->wake, r);
    cs->var = arena_strndup(&r->arena, c->var.ptr, c->var.len);
    cs->ignore_error = c->ignore_error;
    cs->one_way = c->one_way;
    cs->timeout_ms = p->timeout;
    hr.method = p->method;
    hr.url = p->url;
    hr.body = rt_body_bytes(p->body);
    hr.timeout_ms = p->timeout;
    hr.origin = c->one_way ? "send-one-way-request" : "send-request";
    rt_trace(r, "%.*s %.*s", STR_FMT(p->method), STR_FMT(p->url));
    pol_status st = send_call(r, cs, &hr, send_done);
    if (st != POL_SUSPEND)
        return st;
    if (c->one_way)
        return POL_NEXT;
    r->cur->cancel = cancel_call;
    r->cur->cancel_ud = cs;
    return POL_SUSPEND;
}

/* <authentication-managed-identity> answered after a wait (auth_mi.h). */
static pol_status send_after_token(rt_req *r, void *ud, pol_status st)
{
    return st == POL_NEXT ? send_start(r, ud) : st;
}

static pol_status send_request_exec(rt_req *r, const void *conf)
{
    const send_request_conf *c = conf;
    str mode, url = STR_NULL;
    int err;
    int64_t timeout = eval_timeout(r, &c->timeout, NULL, 60, &err);
    if (err || rt_val_str(r, &c->mode, &mode) < 0)
        return POL_FAIL;
    bool copy = mode.ptr && str_ieq(str_trim(mode), STR_LIT("copy"));
    rt_request *q = &r->ctx->request;
    str method = copy ? q->method : STR_LIT("GET");
    xv_dict *h = xv_dict_new_in(&r->arena, true);
    expr_body *body = NULL;
    if (!h)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    if (copy) {
        for (size_t i = 0; q->headers && i < q->headers->n; i++) {
            const xv_list *l = q->headers->vals[i].u.list;
            for (size_t k = 0; l && k < l->n; k++)
                rt_hdr_add(r, h, q->headers->keys[i], l->items[k].u.s);
        }
        if (r->section != POL_S_OUTBOUND && r->section != POL_S_ON_ERROR)
            body = q->body;
        url = rt_req_url_text(r, q->url);
    }
    if (c->url.present && rt_val_str(r, &c->url, &url) < 0)
        return POL_FAIL;
    if (c->method && rt_pol_set_method_eval(r, c->method, &method) != POL_NEXT)
        return POL_FAIL;
    for (size_t i = 0; i < c->nheaders; i++) {
        if (rt_pol_set_header_to(r, c->headers[i], h) != POL_NEXT)
            return POL_FAIL;
    }
    if (c->body && rt_pol_set_body_to(r, c->body, &body, h) != POL_NEXT)
        return POL_FAIL;
    url = str_trim(url.ptr ? url : STR_LIT(""));
    if (!url.len)
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure", "the URL is empty");
    send_pending *p = arena_alloc(&r->arena, sizeof *p);
    if (!p)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    *p = (send_pending){
        .c = c, .h = h, .body = body, .method = method, .url = url, .timeout = timeout
    };
    if (c->mi) {
        /* a token not cached yet is waited for: the call starts in send_after_token */
        pol_status st = rt_pol_managed_identity_async(r, c->mi, h, send_after_token, p);
        if (st != POL_NEXT)
            return st;
    }
    return send_start(r, p);
}

const pol_spec rt_policies_http[] = {
    /* Once per effective document; the validator counts along execution paths, so one
     * forward-request in each branch of a choose is fine. */
    { .name = "forward-request",
      .sections = POL_SEC_BACKEND,
      .attrs = forward_request_attrs,
      .content = POL_C_EMPTY,
      .rules = forward_request_rules,
      .flags = POL_ONCE,
      .conf_size = sizeof(forward_request_conf),
      .parse = forward_request_parse,
      .exec = forward_request_exec },
    /* The docs say inbound and backend; a deployed document calls it in an outbound retry. */
    { .name = "set-backend-service",
      .sections = POL_SEC_INBOUND | POL_SEC_BACKEND | POL_SEC_OUTBOUND,
      .attrs = set_backend_service_attrs,
      .content = POL_C_EMPTY,
      .rules = set_backend_service_rules,
      .conf_size = sizeof(set_backend_service_conf),
      .parse = set_backend_service_parse,
      .exec = set_backend_service_exec },
    { .name = "send-request",
      .sections = POL_SEC_ANY,
      .attrs = send_request_attrs,
      .content = POL_C_CHILDREN,
      .children = send_request_children,
      .conf_size = sizeof(send_request_conf),
      .parse = send_request_parse,
      .exec = send_request_exec },
    { .name = "send-one-way-request",
      .sections = POL_SEC_ANY,
      .attrs = send_one_way_request_attrs,
      .content = POL_C_CHILDREN,
      .children = send_request_children,
      .conf_size = sizeof(send_request_conf),
      .parse = send_one_way_parse,
      .exec = send_request_exec },
    /* <set-method>GET</set-method> */
    { .name = "set-method",
      .sections = POL_SEC_INBOUND | POL_SEC_ON_ERROR,
      .content = POL_C_TEXT,
      .text_flags = POL_EXPR | POL_REQUIRED,
      .conf_size = sizeof(set_method_conf),
      .parse = set_method_parse,
      .exec = set_method_exec },
    { .name = "set-status",
      .sections = POL_SEC_ANY,
      .attrs = set_status_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(set_status_conf),
      .parse = set_status_parse,
      .exec = set_status_exec },
    { .name = "proxy", .sections = POL_SEC_INBOUND, .attrs = proxy_attrs, .content = POL_C_EMPTY },
    { 0 },
};
