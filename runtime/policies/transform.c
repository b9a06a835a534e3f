/* Message transformation: set-body, rewrite-uri, find-and-replace, json-to-xml, xml-to-json,
 * xsl-transform, redirect-content-urls. */
#include "families.h"

#include <stddef.h>
#include <string.h>

#include "../liquid.h"
#include "../xmljson.h"
#include "common.h"

const char *const rt_pv_liquid[] = { "liquid", NULL };

static const char *const xsi_nil_values[] = { "blank", "null", NULL };

/* <set-body template="liquid" xsi-nil="blank|null" parse-date="bool">body</set-body>: the body
 * is a literal (JSON, XML, a Liquid template) or one expression, kept as raw text. */
static const pol_attr set_body_attrs[] = {
    { "template", POL_T_ENUM, 0, NULL, rt_pv_liquid },
    { "xsi-nil", POL_T_ENUM, 0, "blank", xsi_nil_values },
    { "parse-date", POL_T_BOOL, 0, NULL, NULL }, /* toolkit only */
    { 0 },
};

/* <rewrite-uri template="/path?x={p}" copy-unmatched-params="true|false"/> */
static const pol_attr rewrite_uri_attrs[] = {
    { "template", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "copy-unmatched-params", POL_T_BOOL, POL_EXPR, "true", NULL },
    { 0 },
};

/* <find-and-replace from="s" to="s"/> */
static const pol_attr find_and_replace_attrs[] = {
    { "from", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "to", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};

static const char *const json_apply_values[] = { "always", "content-type-json", NULL };
static const char *const xml_apply_values[] = { "always", "content-type-xml", NULL };
static const char *const xml_kind_values[] = { "javascript-friendly", "direct", NULL };

/* <json-to-xml apply="always|content-type-json" consider-accept-header="bool" parse-date="bool"
 *   namespace-separator="c" namespace-prefix="s" attribute-block-name="s"/> */
static const pol_attr json_to_xml_attrs[] = {
    { "apply", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, json_apply_values },
    { "consider-accept-header", POL_T_BOOL, POL_EXPR, "true", NULL },
    { "parse-date", POL_T_BOOL, POL_EXPR, "true", NULL },
    { "namespace-separator", POL_T_STR, POL_EXPR, "_", NULL },
    { "namespace-prefix", POL_T_STR, POL_EXPR, NULL, NULL },
    { "attribute-block-name", POL_T_STR, POL_EXPR, NULL, NULL },
    { 0 },
};

/* <xml-to-json kind="javascript-friendly|direct" apply="always|content-type-xml"
 *   consider-accept-header="bool" always-array-child-elements="bool"/> */
static const pol_attr xml_to_json_attrs[] = {
    { "kind", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, xml_kind_values },
    { "apply", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, xml_apply_values },
    { "consider-accept-header", POL_T_BOOL, POL_EXPR, "true", NULL },
    { "always-array-child-elements", POL_T_BOOL, POL_EXPR, "false", NULL },
    { 0 },
};

/* ---- set-body ---- */

typedef struct set_body_conf {
    pol_val body;
    const rt_liquid *liquid; /* template="liquid": the compiled template */
    bool parse_date;
} set_body_conf;

static int set_body_parse(pol_cc *cc, const pol_node *el, void *out)
{
    set_body_conf *c = out;
    pol_cc_text(el, &c->body);
    if (!pol_cc_lit(el, "template", "").len)
        return 0;
    c->parse_date = pol_cc_bool(el, "parse-date", true);
    str src = c->body.present && !c->body.ex ? c->body.lit : STR_LIT("");
    const diag_mapper *m = el->has_text ? pol_value_mapper(cc->a, &el->text, 0) : NULL;
    c->liquid = rt_liquid_compile(cc->a, src.ptr ? src.ptr : "", src.len, m, cc->d);
    return c->liquid ? 0 : -1;
}

/* context.* paths of Liquid templates, served by the expression host: host members by name,
 * dictionaries by key; header value lists read as their comma-joined text. */
static int liquid_resolve(void *ud, const rt_liquid_seg *segs, size_t n, rt_liquid_ref *out,
                          char *errbuf, size_t errlen)
{
    rt_req *r = ud;
    xv cur = r->env.context;
    size_t used = 0;
    for (; used < n; used++) {
        const rt_liquid_seg *sg = &segs[used];
        if (cur.kind == XV_OBJ && cur.u.obj.cls && (cur.u.obj.cls->flags & XV_CLASS_HOST) &&
            !sg->is_key && !sg->is_index) {
            const xv_class *cls = cur.u.obj.cls;
            const xv_member *mb = NULL;
            for (size_t i = 0; i < cls->nmembers; i++) {
                if (str_eq_cstr(sg->name, cls->members[i].name))
                    mb = &cls->members[i];
            }
            if (!mb || !mb->host_id)
                return 0;
            r->env.budget = EXPR_STEP_BUDGET;
            if (r->env.host->get(&r->env, cur, mb->host_id, &cur) < 0) {
                snprintf(errbuf, errlen, "%s", r->env.err.message ? r->env.err.message : "");
                return -1;
            }
        } else if (cur.kind == XV_DICT && (sg->is_key || !sg->is_index)) {
            const xv *v = xv_dict_get(cur.u.dict, sg->name);
            if (!v)
                return 0;
            cur = *v;
        } else {
            break; /* the engine walks the rest inside the JSON */
        }
        if (cur.kind == XV_NULL)
            return 0;
    }
    if (!used)
        return 0;
    out->used = used;
    if (cur.kind == XV_LIST && cur.u.list->elem == &expr_class_string && used >= 3) {
        buf b;
        buf_init(&b, 0);
        for (size_t i = 0; i < cur.u.list->n; i++) {
            if (i)
                buf_putc(&b, ',');
            buf_append(&b, cur.u.list->items[i].u.s.ptr, cur.u.list->items[i].u.s.len);
        }
        out->json = json_stringn(b.ptr ? b.ptr : "", b.len);
        buf_release(&b);
        return 1;
    }
    if (cur.kind == XV_STR) {
        out->text = cur.u.s;
        return 1;
    }
    r->env.budget = EXPR_STEP_BUDGET;
    out->json = expr_eval_json(&r->env, cur);
    if (!out->json) {
        snprintf(errbuf, errlen, "%s", r->env.err.message ? r->env.err.message : "");
        return -1;
    }
    return 1;
}

static pol_status liquid_render(rt_req *r, const set_body_conf *c, const expr_body *input, str *out)
{
    rt_liquid_data data = { .resolve = liquid_resolve,
                            .ud = r,
                            .now_ms = rt_clock_now(r->w->clock),
                            .parse_date = c->parse_date };
    data.body = input ? rt_liquid_body(input->content_type, rt_body_bytes(input)) : NULL;
    buf b;
    buf_init(&b, ARENA_REQUEST_CAP);
    char err[256];
    int rc = rt_liquid_render(c->liquid, &data, &b, err, sizeof err);
    json_decref(data.body);
    if (rc < 0) {
        buf_release(&b);
        return rt_fail(r, NULL, "LiquidRenderFailure", "%s", err);
    }
    char *text = arena_strndup(&r->arena, b.ptr ? b.ptr : "", b.len);
    *out = str_make(text, b.len);
    buf_release(&b);
    return text ? POL_NEXT : rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
}

pol_status rt_pol_set_body_to(rt_req *r, const void *conf, expr_body **slot, const xv_dict *headers)
{
    const set_body_conf *c = conf;
    str text = STR_LIT("");
    if (c->liquid) {
        if (liquid_render(r, c, *slot, &text) != POL_NEXT)
            return POL_FAIL;
    } else if (c->body.present) {
        xv v;
        if (rt_val_xv(r, &c->body, &v) < 0)
            return POL_FAIL;
        if (v.kind == XV_STR)
            text = v.u.s;
        else if (v.kind != XV_NULL && xv_to_string(&r->env, v, &text) < 0)
            return rt_fail_expr(r);
        if (!text.ptr)
            text = STR_LIT("");
    }
    str ct = STR_NULL;
    xv_list *h = rt_hdr_get(headers, STR_LIT("Content-Type"));
    if (h && h->n)
        ct = h->items[0].u.s;
    expr_body *b = rt_body_new(r, text, ct);
    if (!b)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    *slot = b;
    rt_trace(r, "body set (%zu bytes)", text.len);
    return POL_NEXT;
}

static pol_status set_body_exec(rt_req *r, const void *conf)
{
    if (rt_pol_request_side(r))
        return rt_pol_set_body_to(r, conf, &r->ctx->request.body, r->ctx->request.headers);
    return rt_pol_set_body_to(r, conf, &r->ctx->response.body, r->ctx->response.headers);
}

/* ---- rewrite-uri ---- */

typedef struct rewrite_uri_conf {
    pol_val tmpl, copy;
} rewrite_uri_conf;

static int rewrite_uri_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    rewrite_uri_conf *c = out;
    pol_cc_attr(el, "template", &c->tmpl);
    pol_cc_attr(el, "copy-unmatched-params", &c->copy);
    return 0;
}

/* {param} -> MatchedParameters[param] (unknown names are left as written). */
static int expand_template(rt_req *r, str t, buf *out)
{
    for (size_t i = 0; i < t.len; i++) {
        if (t.ptr[i] == '{') {
            size_t e = i + 1;
            while (e < t.len && t.ptr[e] != '}')
                e++;
            if (e < t.len) {
                str name = str_make(t.ptr + i + 1, e - i - 1);
                bool star = name.len && name.ptr[0] == '*';
                if (star)
                    name.ptr++, name.len--;
                const xv *v = xv_dict_get(r->ctx->request.matched, name);
                if (v && v->kind == XV_STR) {
                    buf_append(out, v->u.s.ptr, v->u.s.len);
                    i = e;
                    continue;
                }
            }
        }
        buf_putc(out, t.ptr[i]);
    }
    return 0;
}

/* Query names the operation's URL template consumes ("/get?a={b}" consumes a). */
static bool consumed_by_operation(rt_req *r, str name)
{
    str t = r->ctx->operation.url_template;
    long q = t.ptr ? str_find(t, STR_LIT("?")) : -1;
    if (q < 0)
        return false;
    size_t i = (size_t)q + 1;
    while (i < t.len) {
        size_t e = i;
        while (e < t.len && t.ptr[e] != '&')
            e++;
        size_t eq = i;
        while (eq < e && t.ptr[eq] != '=')
            eq++;
        if (str_ieq(str_make(t.ptr + i, eq - i), name))
            return true;
        i = e + 1;
    }
    return false;
}

static pol_status rewrite_uri_exec(rt_req *r, const void *conf)
{
    const rewrite_uri_conf *c = conf;
    str t;
    bool copy;
    if (rt_val_str(r, &c->tmpl, &t) < 0 || rt_val_bool(r, &c->copy, true, &copy) < 0)
        return POL_FAIL;
    buf b;
    buf_init(&b, 0);
    expand_template(r, t.ptr ? t : STR_LIT(""), &b);
    str all = buf_str(&b);
    long qpos = str_find(all, STR_LIT("?"));
    str path = qpos < 0 ? all : str_make(all.ptr, (size_t)qpos);
    char *p = arena_strndup(&r->arena, path.ptr, path.len);
    xv_dict *old = r->ctx->request.url->query, *nq = xv_dict_new_in(&r->arena, true);
    if (!p || !nq) {
        buf_release(&b);
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    }
    r->path_rest = str_make(p, path.len);
    if (qpos >= 0) {
        str q = str_make(all.ptr + qpos + 1, all.len - (size_t)qpos - 1);
        size_t i = 0;
        while (i < q.len) {
            size_t e = i;
            while (e < q.len && q.ptr[e] != '&')
                e++;
            size_t eq = i;
            while (eq < e && q.ptr[eq] != '=')
                eq++;
            if (e > i) {
                str name = str_make(q.ptr + i, eq - i);
                str val = eq < e ? str_make(q.ptr + eq + 1, e - eq - 1) : STR_LIT("");
                if (rt_hdr_add(r, nq, name, val) < 0)
                    break;
            }
            i = e + 1;
        }
    }
    buf_release(&b);
    if (copy) {
        for (size_t i = 0; old && i < old->n; i++) {
            str name = old->keys[i];
            if (rt_hdr_get(nq, name) || consumed_by_operation(r, name) ||
                old->vals[i].kind != XV_LIST)
                continue;
            for (size_t k = 0; k < old->vals[i].u.list->n; k++)
                rt_hdr_add(r, nq, name, old->vals[i].u.list->items[k].u.s);
        }
    }
    nq->readonly = true;
    r->ctx->request.url->query = nq;
    if (rt_req_sync_url(r) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    rt_trace(r, "path -> %.*s%.*s", STR_FMT(r->ctx->request.url->path),
             STR_FMT(r->ctx->request.url->query_string));
    return POL_NEXT;
}

/* ---- find-and-replace ---- */

typedef struct find_and_replace_conf {
    pol_val from, to;
} find_and_replace_conf;

static int find_and_replace_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    find_and_replace_conf *c = out;
    pol_cc_attr(el, "from", &c->from);
    pol_cc_attr(el, "to", &c->to);
    if (!c->from.ex && c->from.src)
        c->from.lit = c->from.src->text;
    if (!c->to.ex && c->to.src)
        c->to.lit = c->to.src->text;
    return 0;
}

static pol_status find_and_replace_exec(rt_req *r, const void *conf)
{
    const find_and_replace_conf *c = conf;
    str from, to;
    if (rt_val_str(r, &c->from, &from) < 0 || rt_val_str(r, &c->to, &to) < 0)
        return POL_FAIL;
    expr_body **slot = rt_pol_request_side(r) ? &r->ctx->request.body : &r->ctx->response.body;
    str body = rt_body_bytes(*slot);
    if (!from.ptr || !from.len || !*slot) {
        rt_trace(r, "nothing to replace");
        return POL_NEXT;
    }
    if (!to.ptr)
        to = STR_LIT("");
    buf b;
    buf_init(&b, 0);
    size_t n = 0;
    for (size_t i = 0; i < body.len;) {
        if (i + from.len <= body.len && !memcmp(body.ptr + i, from.ptr, from.len)) {
            buf_append(&b, to.ptr, to.len);
            i += from.len;
            n++;
        } else {
            buf_putc(&b, body.ptr[i++]);
        }
    }
    expr_body *nb = rt_body_new(r, buf_str(&b), (*slot)->content_type);
    buf_release(&b);
    if (!nb)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    *slot = nb;
    rt_trace(r, "%zu replacement(s)", n);
    return POL_NEXT;
}

/* ---- json-to-xml, xml-to-json (conversions in xmljson.c) ---- */

typedef struct convert_conf {
    pol_val apply, accept;
    pol_val parse_date, ns_sep, ns_prefix, attr_block; /* json-to-xml */
    pol_val kind, always_array;                        /* xml-to-json */
} convert_conf;

static int convert_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    convert_conf *c = out;
    pol_cc_attr(el, "apply", &c->apply);
    pol_cc_attr(el, "consider-accept-header", &c->accept);
    pol_cc_attr(el, "parse-date", &c->parse_date);
    pol_cc_attr(el, "namespace-separator", &c->ns_sep);
    pol_cc_attr(el, "namespace-prefix", &c->ns_prefix);
    pol_cc_attr(el, "attribute-block-name", &c->attr_block);
    pol_cc_attr(el, "kind", &c->kind);
    pol_cc_attr(el, "always-array-child-elements", &c->always_array);
    return 0;
}

/* One of the enum's values (case-insensitive), or a failure. */
static int convert_enum(rt_req *r, const pol_val *v, const char *what, const char *const *vals,
                        int *out)
{
    str s;
    if (rt_val_str(r, v, &s) < 0)
        return -1;
    for (int i = 0; vals[i]; i++) {
        if (str_ieq(str_trim(s.ptr ? s : STR_LIT("")), str_from(vals[i]))) {
            *out = i;
            return 0;
        }
    }
    rt_fail(r, NULL, "ExpressionValueEvaluationFailure", "unknown %s '%.*s'", what,
            STR_FMT(s.ptr ? s : STR_LIT("")));
    return -1;
}

/* Whether the message body is converted: apply, Content-Type, the request's Accept. 1 yes,
 * 0 no (traced), -1 failed. */
static int convert_applies(rt_req *r, const convert_conf *c, const char *const *applies,
                           const xv_dict *headers, const char *from, const char *to)
{
    int apply;
    bool accept;
    if (convert_enum(r, &c->apply, "apply", applies, &apply) < 0 ||
        rt_val_bool(r, &c->accept, true, &accept) < 0)
        return -1;
    if (apply == 1) {
        xv_list *ct = rt_hdr_get(headers, STR_LIT("Content-Type"));
        bool is = false;
        for (size_t i = 0; ct && i < ct->n; i++)
            is = is || rt_media_type_is(ct->items[i].u.s, from);
        if (!is) {
            rt_trace(r, "Content-Type is not %s: not converted", from);
            return 0;
        }
    }
    if (accept) {
        xv_list *h = rt_hdr_get(r->ctx->request.headers, STR_LIT("Accept"));
        size_t n = h ? h->n : 0;
        str *vals = n ? arena_calloc(&r->arena, n, sizeof *vals) : NULL;
        for (size_t i = 0; vals && i < n; i++)
            vals[i] = h->items[i].u.s;
        if (!rt_accept_wants(vals, vals ? n : 0, to)) {
            rt_trace(r, "the request's Accept header does not ask for %s: not converted", to);
            return 0;
        }
    }
    return 1;
}

/* Replaces the body of the message and its Content-Type (and Content-Length when present). */
static pol_status convert_store(rt_req *r, expr_body **slot, xv_dict **headers, str text,
                                const char *ct)
{
    expr_body *nb = rt_body_new(r, text, str_from(ct));
    if (!nb)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    *slot = nb;
    if (!*headers && !(*headers = xv_dict_new_in(&r->arena, true)))
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    char len[32];
    snprintf(len, sizeof len, "%zu", text.len);
    if (rt_hdr_clear(r, *headers, STR_LIT("Content-Type")) < 0 ||
        rt_hdr_add(r, *headers, STR_LIT("Content-Type"), str_from(ct)) < 0 ||
        (rt_hdr_get(*headers, STR_LIT("Content-Length")) &&
         (rt_hdr_clear(r, *headers, STR_LIT("Content-Length")) < 0 ||
          rt_hdr_add(r, *headers, STR_LIT("Content-Length"), str_from(len)) < 0)))
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    rt_trace(r, "body converted to %s (%zu bytes)", ct, text.len);
    return POL_NEXT;
}

static pol_status convert_exec(rt_req *r, const convert_conf *c, bool to_xml)
{
    bool req = rt_pol_request_side(r);
    expr_body **slot = req ? &r->ctx->request.body : &r->ctx->response.body;
    xv_dict **headers = req ? &r->ctx->request.headers : &r->ctx->response.headers;
    int yes = convert_applies(r, c, to_xml ? json_apply_values : xml_apply_values, *headers,
                              to_xml ? "json" : "xml", to_xml ? "xml" : "json");
    if (yes <= 0)
        return yes < 0 ? POL_FAIL : POL_NEXT;
    str body = rt_body_bytes(*slot);
    if (!str_trim(body).len) {
        rt_trace(r, "no body: nothing to convert");
        return POL_NEXT;
    }
    char err[512];
    str out;
    r->env.budget = EXPR_STEP_BUDGET;
    if (to_xml) {
        rt_j2x_opts o = { 0 };
        if (rt_val_bool(r, &c->parse_date, true, &o.parse_date) < 0 ||
            rt_val_str(r, &c->ns_sep, &o.ns_sep) < 0 ||
            rt_val_str(r, &c->ns_prefix, &o.ns_prefix) < 0 ||
            rt_val_str(r, &c->attr_block, &o.attr_block) < 0)
            return POL_FAIL;
        if (rt_json_to_xml(&r->env, body, &o, &out, err, sizeof err) < 0)
            return rt_fail(r, NULL, "BodyConversionFailure", "%s", err);
        return convert_store(r, slot, headers, out, "application/xml");
    }
    int kind;
    bool always;
    if (convert_enum(r, &c->kind, "kind", xml_kind_values, &kind) < 0 ||
        rt_val_bool(r, &c->always_array, false, &always) < 0)
        return POL_FAIL;
    if (rt_xml_to_json(&r->env, body, kind == 1 ? RT_X2J_DIRECT : RT_X2J_JS_FRIENDLY, always, &out,
                       err, sizeof err) < 0)
        return rt_fail(r, NULL, "BodyConversionFailure", "%s", err);
    return convert_store(r, slot, headers, out, "application/json");
}

static pol_status json_to_xml_exec(rt_req *r, const void *conf)
{
    return convert_exec(r, conf, true);
}

static pol_status xml_to_json_exec(rt_req *r, const void *conf)
{
    return convert_exec(r, conf, false);
}

const pol_spec rt_policies_transform[] = {
    /* The docs list inbound, backend and outbound; real documents format errors in on-error. */
    { .name = "set-body",
      .sections = POL_SEC_ANY,
      .attrs = set_body_attrs,
      .content = POL_C_OPAQUE,
      .conf_size = sizeof(set_body_conf),
      .parse = set_body_parse,
      .exec = set_body_exec },
    { .name = "rewrite-uri",
      .sections = POL_SEC_INBOUND,
      .attrs = rewrite_uri_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(rewrite_uri_conf),
      .parse = rewrite_uri_parse,
      .exec = rewrite_uri_exec },
    { .name = "find-and-replace",
      .sections = POL_SEC_ANY,
      .attrs = find_and_replace_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(find_and_replace_conf),
      .parse = find_and_replace_parse,
      .exec = find_and_replace_exec },
    { .name = "json-to-xml",
      .sections = POL_SEC_INBOUND | POL_SEC_OUTBOUND | POL_SEC_ON_ERROR,
      .attrs = json_to_xml_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(convert_conf),
      .parse = convert_parse,
      .exec = json_to_xml_exec },
    { .name = "xml-to-json",
      .sections = POL_SEC_INBOUND | POL_SEC_OUTBOUND | POL_SEC_ON_ERROR,
      .attrs = xml_to_json_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(convert_conf),
      .parse = convert_parse,
      .exec = xml_to_json_exec },
    /* <xsl-transform><parameter name="p">v</parameter>*<xsl:stylesheet .../></xsl-transform>:
     * the stylesheet is payload. */
    { .name = "xsl-transform",
      .sections = POL_SEC_INBOUND | POL_SEC_OUTBOUND,
      .content = POL_C_OPAQUE,
      .flags = POL_UNSUPPORTED_SPEC },
    /* <redirect-content-urls/>: masks backend URLs in the response body. */
    { .name = "redirect-content-urls",
      .sections = POL_SEC_INBOUND | POL_SEC_OUTBOUND,
      .content = POL_C_EMPTY },
    { 0 },
};
