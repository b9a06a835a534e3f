/* Header and query-parameter policies: set-header, set-query-parameter. */
#include "families.h"

#include <stddef.h>
#include <strings.h>

#include "common.h"

/* Header values a trace must not show: credentials and subscription keys. */
static bool is_secret_header(str name)
{
    static const char *const names[] = { "authorization", "proxy-authorization",
                                         "api-key",       "ocp-apim-subscription-key",
                                         "x-api-key",     "cookie",
                                         "set-cookie" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (str_ieq(name, str_from(names[i])))
            return true;
    }
    return false;
}

static const char *const exists_actions[] = { "override", "skip", "append", "delete", NULL };

/* <set-header name="n" exists-action="override|skip|append|delete"><value>v</value>*</set-header>
 */
static const pol_attr set_header_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "exists-action", POL_T_ENUM, POL_EXPR, "override", exists_actions },
    { 0 },
};

/* One <value> per header value; empty text is an empty value. */
static const pol_child value_children[] = {
    { .name = "value", .content = POL_C_TEXT, .text_flags = POL_EXPR },
    { 0 },
};

/* <set-query-parameter name="n" exists-action="..."><value>v</value>*</set-query-parameter> */
static const pol_attr set_query_parameter_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "exists-action", POL_T_ENUM, POL_EXPR, "override", exists_actions },
    { 0 },
};

enum hdr_action { HDR_OVERRIDE, HDR_SKIP, HDR_APPEND, HDR_DELETE };

typedef struct set_header_conf {
    pol_val name, action;
    pol_val *values;
    size_t nvalues;
} set_header_conf;

static int set_header_parse(pol_cc *cc, const pol_node *el, void *out)
{
    set_header_conf *c = out;
    pol_cc_attr(el, "name", &c->name);
    pol_cc_attr(el, "exists-action", &c->action);
    const pol_node **vals;
    c->nvalues = pol_cc_children(cc, el, "value", &vals);
    if (c->nvalues) {
        c->values = arena_calloc(cc->a, c->nvalues, sizeof *c->values);
        if (!c->values)
            return pol_cc_error(cc, el, "out of memory");
    }
    for (size_t i = 0; i < c->nvalues; i++) {
        pol_cc_text(vals[i], &c->values[i]);
        if (!c->values[i].present) {
            c->values[i].present = true;
            c->values[i].lit = STR_LIT("");
        } else if (!c->values[i].ex) {
            c->values[i].lit = str_trim(c->values[i].lit);
        }
    }
    return 0;
}

static int eval_action(rt_req *r, const pol_val *v, enum hdr_action *out)
{
    str a;
    if (rt_val_str(r, v, &a) < 0)
        return -1;
    for (int i = 0; exists_actions[i]; i++) {
        if (str_ieq(str_trim(a), str_from(exists_actions[i]))) {
            *out = (enum hdr_action)i;
            return 0;
        }
    }
    rt_fail(r, NULL, "ExpressionValueEvaluationFailure", "unknown exists-action '%.*s'",
            STR_FMT(a));
    return -1;
}

/* Headers the gateway owns (spec/policies.md §4). */
static bool is_protected(str name, enum hdr_action a)
{
    static const char *const fixed[] = { "Connection", "Content-Length", "Keep-Alive",
                                         "Transfer-Encoding", NULL };
    for (const char *const *p = fixed; *p; p++) {
        if (str_ieq(name, str_from(*p)))
            return true;
    }
    return a == HDR_DELETE && str_ieq(name, STR_LIT("Server"));
}

/* Shared by set-header and set-query-parameter: d is a dict of name -> string[]. */
static pol_status apply(rt_req *r, const set_header_conf *c, xv_dict *d, bool header)
{
    str name;
    enum hdr_action act;
    if (rt_val_str(r, &c->name, &name) < 0 || eval_action(r, &c->action, &act) < 0)
        return POL_FAIL;
    if (!name.ptr || !str_trim(name).len)
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure", "the name is empty");
    name = str_trim(name);
    if (header && is_protected(name, act)) {
        rt_trace(r, "%.*s is managed by the gateway: not changed", STR_FMT(name));
        return POL_NEXT;
    }
    bool exists = rt_hdr_get(d, name) != NULL;
    if (act == HDR_DELETE) {
        rt_hdr_del(d, name);
        rt_trace(r, "delete %.*s%s", STR_FMT(name), exists ? "" : " (absent)");
        return POL_NEXT;
    }
    if (act == HDR_SKIP && exists) {
        rt_trace(r, "%.*s exists: skipped", STR_FMT(name));
        return POL_NEXT;
    }
    /* evaluate every value first: a failing expression leaves the header unchanged */
    str *vals = c->nvalues ? arena_calloc(&r->arena, c->nvalues, sizeof *vals) : NULL;
    size_t n = 0;
    for (size_t i = 0; i < c->nvalues; i++) {
        str v;
        if (rt_val_str(r, &c->values[i], &v) < 0)
            return POL_FAIL;
        if (v.ptr)
            vals[n++] = v;
    }
    if (act == HDR_OVERRIDE || !exists) {
        if (c->nvalues && !n) { /* every value was null: the header goes away */
            rt_hdr_del(d, name);
            rt_trace(r, "%.*s: null value, removed", STR_FMT(name));
            return POL_NEXT;
        }
        if (rt_hdr_clear(r, d, name) < 0)
            return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
        if (!c->nvalues && rt_hdr_add(r, d, name, STR_LIT("")) < 0)
            return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    }
    for (size_t i = 0; i < n; i++) {
        if (rt_hdr_add(r, d, name, vals[i]) < 0)
            return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    }
    if (rt_tracing(r)) {
        xv_list *l = rt_hdr_get(d, name);
        bool show = l && l->n && !is_secret_header(name);
        rt_trace(r, "%s %.*s: %zu value(s)%s%.*s", exists_actions[act], STR_FMT(name), l ? l->n : 0,
                 show ? ", first: " : "", show ? (int)l->items[0].u.s.len : 0,
                 show ? l->items[0].u.s.ptr : "");
    }
    return POL_NEXT;
}

pol_status rt_pol_set_header_to(rt_req *r, const void *conf, xv_dict *d)
{
    return apply(r, conf, d, true);
}

static pol_status set_header_exec(rt_req *r, const void *conf)
{
    xv_dict *d = rt_pol_request_side(r) ? r->ctx->request.headers : r->ctx->response.headers;
    return apply(r, conf, d, true);
}

static pol_status set_query_parameter_exec(rt_req *r, const void *conf)
{
    pol_status st = apply(r, conf, r->ctx->request.url->query, false);
    if (st == POL_NEXT && rt_req_sync_url(r) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    return st;
}

const pol_spec rt_policies_headers[] = {
    { .name = "set-header",
      .sections = POL_SEC_ANY,
      .attrs = set_header_attrs,
      .content = POL_C_CHILDREN,
      .children = value_children,
      .conf_size = sizeof(set_header_conf),
      .parse = set_header_parse,
      .exec = set_header_exec },
    { .name = "set-query-parameter",
      .sections = POL_SEC_INBOUND | POL_SEC_BACKEND,
      .attrs = set_query_parameter_attrs,
      .content = POL_C_CHILDREN,
      .children = value_children,
      .conf_size = sizeof(set_header_conf),
      .parse = set_header_parse,
      .exec = set_query_parameter_exec },
    { 0 },
};
