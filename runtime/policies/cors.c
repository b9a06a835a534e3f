/* The cors policy (spec/policies.md §9): preflight requests answered by cors alone, CORS
 * headers added to the response of matching cross-origin requests (an end-of-request hook),
 * unmatched requests terminated with an empty 200 when terminate-unmatched-request is true
 * (the default here, [impl]). The first cors that runs in a request decides; later ones do
 * nothing (r->cors_done), except that an unmatched preflight with terminate-unmatched-request
 * "false" tries the cors policies that follow it directly in inbound. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_int.h"

/* <cors allow-credentials="bool" terminate-unmatched-request="bool">
 *   <allowed-origins><origin>*|uri</origin>+</allowed-origins>
 *   <allowed-methods preflight-result-max-age="s"><method>GET|*</method>*</allowed-methods>?
 *   <allowed-headers><header>h</header>+</allowed-headers>
 *   <expose-headers><header>h</header>+</expose-headers>? </cors> */
const pol_attr rt_cors_attrs[] = {
    { "allow-credentials", POL_T_BOOL, POL_EXPR, "false", NULL },
    { "terminate-unmatched-request", POL_T_BOOL, POL_EXPR, "true", NULL },
    { 0 },
};
static const pol_child origin_children[] = {
    { .name = "origin", .min = 1, .content = POL_C_TEXT, .text_flags = POL_EXPR | POL_REQUIRED },
    { 0 },
};
static const pol_child method_children[] = {
    { .name = "method", .min = 1, .content = POL_C_TEXT, .text_flags = POL_EXPR | POL_REQUIRED },
    { 0 },
};
static const pol_child header_children[] = {
    { .name = "header", .min = 1, .content = POL_C_TEXT, .text_flags = POL_EXPR | POL_REQUIRED },
    { 0 },
};
static const pol_attr allowed_methods_attrs[] = {
    { "preflight-result-max-age", POL_T_UINT, POL_EXPR, "0", NULL },
    { 0 },
};
const pol_child rt_cors_children[] = {
    { .name = "allowed-origins",
      .min = 1,
      .max = 1,
      .content = POL_C_CHILDREN,
      .children = origin_children },
    { .name = "allowed-methods",
      .min = 0,
      .max = 1,
      .attrs = allowed_methods_attrs,
      .content = POL_C_CHILDREN,
      .children = method_children },
    { .name = "allowed-headers",
      .min = 1,
      .max = 1,
      .content = POL_C_CHILDREN,
      .children = header_children },
    { .name = "expose-headers",
      .min = 0,
      .max = 1,
      .content = POL_C_CHILDREN,
      .children = header_children },
    { 0 },
};

#define OOM(r) rt_fail(r, NULL, "OutOfMemory", "request memory limit reached")

static const pol_node *child(const pol_node *el, const char *name)
{
    for (size_t i = 0; i < el->nkids; i++) {
        if (str_eq_cstr(el->kids[i]->name, name))
            return el->kids[i];
    }
    return NULL;
}

int rt_cors_parse(pol_cc *cc, const pol_node *el, void *out)
{
    cors_conf *c = out;
    pol_cc_attr(el, "allow-credentials", &c->allow_credentials);
    pol_cc_attr(el, "terminate-unmatched-request", &c->terminate);
    const pol_node *k;
    if ((k = child(el, "allowed-origins")) &&
        rt_access_parse_list(cc, k, "origin", &c->origins, &c->norigins) < 0)
        return -1;
    if ((k = child(el, "allowed-methods"))) {
        pol_cc_attr(k, "preflight-result-max-age", &c->max_age);
        if (rt_access_parse_list(cc, k, "method", &c->methods, &c->nmethods) < 0)
            return -1;
    }
    if ((k = child(el, "allowed-headers")) &&
        rt_access_parse_list(cc, k, "header", &c->headers, &c->nheaders) < 0)
        return -1;
    if ((k = child(el, "expose-headers")) &&
        rt_access_parse_list(cc, k, "header", &c->expose, &c->nexpose) < 0)
        return -1;
    return 0;
}

/* ---- matching ---- */

/* scheme://host[:port] with the scheme's default port (80/443) when none is written; a
 * trailing '/' is ignored. false when s is not of that form. */
typedef struct origin_key {
    str scheme, host;
    long port;
} origin_key;

static bool origin_parse(str s, origin_key *o)
{
    s = str_trim(s);
    while (s.len && s.ptr[s.len - 1] == '/')
        s.len--;
    long sep = str_find(s, STR_LIT("://"));
    if (sep <= 0)
        return false;
    o->scheme = str_make(s.ptr, (size_t)sep);
    str rest = str_make(s.ptr + sep + 3, s.len - (size_t)sep - 3);
    if (!rest.len || memchr(rest.ptr, '/', rest.len))
        return false;
    size_t hend = rest.len;
    if (rest.ptr[0] == '[') {
        const char *close = memchr(rest.ptr, ']', rest.len);
        if (!close)
            return false;
        hend = (size_t)(close - rest.ptr) + 1;
    } else {
        const char *colon = memchr(rest.ptr, ':', rest.len);
        if (colon)
            hend = (size_t)(colon - rest.ptr);
    }
    o->host = str_make(rest.ptr, hend);
    if (hend < rest.len) {
        if (rest.ptr[hend] != ':' || hend + 1 == rest.len || rest.len - hend > 6)
            return false;
        o->port = 0;
        for (size_t i = hend + 1; i < rest.len; i++) {
            if (rest.ptr[i] < '0' || rest.ptr[i] > '9')
                return false;
            o->port = o->port * 10 + (rest.ptr[i] - '0');
        }
    } else {
        o->port = str_ieq(o->scheme, STR_LIT("https"))  ? 443
                  : str_ieq(o->scheme, STR_LIT("http")) ? 80
                                                        : -1;
    }
    return o->host.len > 0;
}

static bool origin_eq(str allowed, str origin)
{
    origin_key a, b;
    if (origin_parse(allowed, &a) && origin_parse(origin, &b))
        return str_ieq(a.scheme, b.scheme) && str_ieq(a.host, b.host) && a.port == b.port;
    return str_ieq(str_trim(allowed), str_trim(origin));
}

static bool in_list(str v, const str *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (str_eq_cstr(l[i], "*") || str_ieq(l[i], v))
            return true;
    }
    return false;
}

/* The request's view of CORS. */
typedef struct cors_req {
    str origin;
    bool preflight;
    str method;   /* Access-Control-Request-Method (preflight) */
    str *headers; /* Access-Control-Request-Headers, split on commas */
    size_t nheaders;
    str headers_text; /* the same, joined with ", " */
} cors_req;

/* What one cors policy says about the request. */
typedef struct cors_result {
    bool matched;
    bool credentials, terminate;
    str allow_origin; /* "*" or the request's origin */
    int64_t max_age;
    str expose; /* joined with ", ", empty when none */
} cors_result;

static str join(rt_req *r, const str *l, size_t n)
{
    buf b;
    buf_init(&b, (size_t)1 << 20);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%.*s", i ? ", " : "", STR_FMT(l[i]));
    str s = arena_str(&r->arena, buf_str(&b));
    buf_release(&b);
    return s.ptr ? s : STR_LIT("");
}

/* Evaluates c for q. Returns 0, or -1 with the failure recorded. */
static int cors_eval(rt_req *r, const cors_conf *c, const cors_req *q, cors_result *res)
{
    static const str default_methods[] = { { "GET", 3 }, { "POST", 4 } };
    str *origins, *methods, *headers, *expose;
    size_t no, nm, nh, ne;
    memset(res, 0, sizeof *res);
    if (rt_val_bool(r, &c->allow_credentials, false, &res->credentials) < 0 ||
        rt_val_bool(r, &c->terminate, true, &res->terminate) < 0 ||
        rt_val_int(r, &c->max_age, 0, &res->max_age) < 0 ||
        rt_access_eval_list(r, c->origins, c->norigins, &origins, &no) < 0 ||
        rt_access_eval_list(r, c->methods, c->nmethods, &methods, &nm) < 0 ||
        rt_access_eval_list(r, c->headers, c->nheaders, &headers, &nh) < 0 ||
        rt_access_eval_list(r, c->expose, c->nexpose, &expose, &ne) < 0)
        return -1;
    const str *mlist = c->methods ? methods : default_methods;
    if (!c->methods)
        nm = 2;
    bool any = false, found = false;
    for (size_t i = 0; i < no && !found; i++) {
        if (str_eq_cstr(origins[i], "*"))
            any = found = true;
        else
            found = origin_eq(origins[i], q->origin);
    }
    if (!found) {
        rt_trace(r, "origin %.*s is not allowed", STR_FMT(q->origin));
        return 0;
    }
    if (q->preflight) {
        if (!in_list(q->method, mlist, nm)) {
            rt_trace(r, "method %.*s is not allowed", STR_FMT(q->method));
            return 0;
        }
        for (size_t i = 0; i < q->nheaders; i++) {
            if (!in_list(q->headers[i], headers, nh)) {
                rt_trace(r, "header %.*s is not allowed", STR_FMT(q->headers[i]));
                return 0;
            }
        }
    }
    res->matched = true;
    /* "*" answers "*" unless credentials are allowed: browsers refuse "*" with credentials */
    res->allow_origin = any && !res->credentials ? STR_LIT("*") : q->origin;
    res->expose = join(r, expose, ne);
    return 0;
}

/* ---- responses ---- */

static int put(rt_req *r, xv_dict *h, const char *name, str value)
{
    if (rt_hdr_clear(r, h, str_from(name)) < 0 || rt_hdr_add(r, h, str_from(name), value) < 0)
        return -1;
    return 0;
}

/* An empty 200 answering the request (preflight, or an unmatched request terminated); with
 * res (a matched preflight) it carries the Access-Control-Allow-* headers. */
static pol_status respond(rt_req *r, const cors_req *q, const cors_result *res)
{
    rt_response resp = { .status = 200, .reason = STR_LIT("OK") };
    resp.headers = xv_dict_new_in(&r->arena, true);
    if (!resp.headers)
        return OOM(r);
    resp.headers->readonly = true;
    if (res) {
        char age[32];
        snprintf(age, sizeof age, "%lld", (long long)res->max_age);
        if (put(r, resp.headers, "Access-Control-Allow-Origin", res->allow_origin) < 0 ||
            (res->credentials &&
             put(r, resp.headers, "Access-Control-Allow-Credentials", STR_LIT("true")) < 0) ||
            put(r, resp.headers, "Access-Control-Allow-Methods", q->method) < 0 ||
            (q->nheaders &&
             put(r, resp.headers, "Access-Control-Allow-Headers", q->headers_text) < 0) ||
            (res->max_age > 0 && put(r, resp.headers, "Access-Control-Max-Age", str_from(age)) < 0))
            return OOM(r);
    }
    r->ctx->response = resp;
    rt_trace(r, "%s: 200 (empty)", res ? "preflight allowed" : "not allowed, terminated");
    return POL_RESPOND;
}

typedef struct cors_late {
    str allow_origin, expose;
    bool credentials;
} cors_late;

/* End of request: the CORS headers on whatever response is sent. */
static void add_late_headers(rt_req *r, void *ud)
{
    const cors_late *l = ud;
    rt_response *resp = &r->ctx->response;
    if (!resp->headers) {
        resp->headers = xv_dict_new_in(&r->arena, true);
        if (!resp->headers)
            return;
        resp->headers->readonly = true;
    }
    put(r, resp->headers, "Access-Control-Allow-Origin", l->allow_origin);
    if (l->credentials)
        put(r, resp->headers, "Access-Control-Allow-Credentials", STR_LIT("true"));
    if (l->expose.len)
        put(r, resp->headers, "Access-Control-Expose-Headers", l->expose);
}

/* ---- the policy ---- */

static int request_view(rt_req *r, cors_req *q)
{
    const xv_dict *h = r->ctx->request.headers;
    const xv_list *o = rt_hdr_get(h, STR_LIT("Origin"));
    memset(q, 0, sizeof *q);
    if (!o || !o->n)
        return 0;
    q->origin = str_trim(o->items[0].u.s);
    const xv_list *m = rt_hdr_get(h, STR_LIT("Access-Control-Request-Method"));
    const rt_ctx_operation *op = &r->ctx->operation;
    /* an API's own OPTIONS operation handles OPTIONS itself (the implicit operation of a test
     * file has no id) */
    bool own_options = op->id.len && str_ieq(op->method, STR_LIT("OPTIONS"));
    q->preflight = str_ieq(r->ctx->request.method, STR_LIT("OPTIONS")) && m && m->n && !own_options;
    if (!q->preflight)
        return 0;
    q->method = str_trim(m->items[0].u.s);
    const xv_list *rh = rt_hdr_get(h, STR_LIT("Access-Control-Request-Headers"));
    size_t cap = 0;
    for (size_t i = 0; rh && i < rh->n; i++) {
        for (size_t k = 0; k < rh->items[i].u.s.len; k++)
            cap += rh->items[i].u.s.ptr[k] == ',';
        cap++;
    }
    q->headers = cap ? arena_calloc(&r->arena, cap, sizeof *q->headers) : NULL;
    if (cap && !q->headers)
        return -1;
    for (size_t i = 0; rh && i < rh->n; i++) {
        str line = rh->items[i].u.s;
        size_t start = 0;
        for (size_t k = 0; k <= line.len; k++) {
            if (k < line.len && line.ptr[k] != ',')
                continue;
            str one = str_trim(str_make(line.ptr + start, k - start));
            if (one.len && q->nheaders < cap)
                q->headers[q->nheaders++] = one;
            start = k + 1;
        }
    }
    q->headers_text = join(r, q->headers, q->nheaders);
    return 0;
}

/* Unmatched preflight, terminate-unmatched-request="false": the cors policies that follow
 * directly in inbound get their chance; none matching answers an empty 200. */
static pol_status preflight_fallback(rt_req *r, const cors_req *q)
{
    const rt_block *in = &r->prog->sec[POL_S_INBOUND];
    size_t i = 0;
    while (i < in->n && &in->steps[i] != r->step)
        i++;
    for (i++; i < in->n; i++) {
        const rt_step *s = &in->steps[i];
        if (s->spec != r->step->spec)
            continue;
        cors_result res;
        if (cors_eval(r, s->conf, q, &res) < 0)
            return POL_FAIL;
        if (res.matched)
            return respond(r, q, &res);
    }
    return respond(r, q, NULL);
}

pol_status rt_cors_exec(rt_req *r, const void *conf)
{
    if (r->cors_done) {
        rt_trace(r, "an earlier cors policy handled the request");
        return POL_NEXT;
    }
    r->cors_done = true;
    cors_req q;
    if (request_view(r, &q) < 0)
        return OOM(r);
    if (!q.origin.ptr) {
        rt_trace(r, "no Origin header: not a cross-origin request");
        return POL_NEXT;
    }
    cors_result res;
    if (cors_eval(r, conf, &q, &res) < 0)
        return POL_FAIL;
    if (q.preflight) {
        if (res.matched)
            return respond(r, &q, &res);
        return res.terminate ? respond(r, &q, NULL) : preflight_fallback(r, &q);
    }
    if (!res.matched) {
        str m = r->ctx->request.method;
        if (res.terminate && (str_ieq(m, STR_LIT("GET")) || str_ieq(m, STR_LIT("HEAD"))))
            return respond(r, &q, NULL);
        rt_trace(r, "continuing without CORS headers");
        return POL_NEXT;
    }
    cors_late *l = arena_alloc(&r->arena, sizeof *l);
    if (!l)
        return OOM(r);
    *l = (cors_late){ .allow_origin = res.allow_origin,
                      .expose = res.expose,
                      .credentials = res.credentials };
    if (rt_req_at_end(r, add_late_headers, l) < 0)
        return OOM(r);
    rt_trace(r, "origin %.*s allowed: CORS headers on the response", STR_FMT(q.origin));
    return POL_NEXT;
}
