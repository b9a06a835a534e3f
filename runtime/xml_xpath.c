/* XPath for XmlNode.SelectSingleNode / SelectNodes (libxml2's XPath 1.0 with an operation
 * limit), XmlNamespaceManager (prefixes for the query), XmlNameTable and XPathException. */
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdio.h>
#include <string.h>

#include "xml.h"

#define XPATH_OP_LIMIT 1000000UL
#define MAX_PREFIXES   64

typedef struct nsmgr {
    str prefix[MAX_PREFIXES], uri[MAX_PREFIXES];
    size_t n;
} nsmgr;

static const char *const xpexc_aliases[] = { "System.Xml.XPath.XPathException", NULL };

const xv_class rt_xml_class_xpathexception = {
    .name = "XPathException",
    .aliases = xpexc_aliases,
    .base = &expr_class_exception,
};

/* ---- XmlNameTable (accepted and ignored) ---- */

static int nt_ctor(xv_call *c, xv *out)
{
    (void)c;
    *out = xv_obj(&rt_xml_class_xmlnametable, (void *)&rt_xml_class_xmlnametable);
    return 0;
}

static const char *const nt_aliases[] = { "System.Xml.XmlNameTable", "NameTable", NULL };

const xv_class rt_xml_class_xmlnametable = {
    .name = "XmlNameTable",
    .aliases = nt_aliases,
    .ctor = nt_ctor,
    .ctor_min = 0,
    .ctor_max = 0,
};

/* ---- XmlNamespaceManager ---- */

static nsmgr *self_mgr(xv_call *c)
{
    if (c->self.kind == XV_OBJ && c->self.u.obj.cls == &rt_xml_class_xmlnsmgr)
        return c->self.u.obj.ptr;
    rt_xml_null_ref(c->env);
    return NULL;
}

static int mgr_ctor(xv_call *c, xv *out)
{
    if (c->args[0].kind == XV_NULL)
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'nameTable')");
    nsmgr *m = arena_alloc(c->env->a, sizeof *m);
    if (!m)
        return rt_xml_oom(c->env);
    *out = xv_obj(&rt_xml_class_xmlnsmgr, m);
    return 0;
}

static int mgr_add(xv_call *c, xv *out)
{
    nsmgr *m = self_mgr(c);
    str prefix, uri;
    *out = xv_null();
    if (!m || rt_xml_arg_str(c, 0, "prefix", false, &prefix) < 0 ||
        rt_xml_arg_str(c, 1, "uri", false, &uri) < 0)
        return -1;
    if (str_eq_cstr(prefix, "xml") || str_eq_cstr(prefix, "xmlns"))
        return expr_throw(c->env, "ArgumentException",
                          "Prefix \"%.*s\" is reserved for use by XML.", STR_FMT(prefix));
    for (size_t i = 0; i < m->n; i++) {
        if (str_eq(m->prefix[i], prefix)) {
            m->uri[i] = uri;
            return 0;
        }
    }
    if (m->n == MAX_PREFIXES)
        return expr_throw(c->env, "InvalidOperationException", "too many namespace prefixes");
    m->prefix[m->n] = prefix;
    m->uri[m->n++] = uri;
    return 0;
}

static int mgr_lookup(xv_call *c, xv *out)
{
    nsmgr *m = self_mgr(c);
    str prefix;
    if (!m || rt_xml_arg_str(c, 0, "prefix", false, &prefix) < 0)
        return -1;
    *out = xv_null();
    for (size_t i = 0; i < m->n; i++)
        if (str_eq(m->prefix[i], prefix))
            *out = xv_str(m->uri[i]);
    if (prefix.len == 0 && xv_is_null(*out))
        *out = xv_str(STR_LIT(""));
    return 0;
}

static int mgr_has(xv_call *c, xv *out)
{
    if (mgr_lookup(c, out) < 0)
        return -1;
    *out = xv_bool(!xv_is_null(*out));
    return 0;
}

static const xv_method mgr_methods[] = {
    { "AddNamespace", 2, 2, mgr_add, NULL, 0, "prefix,uri" },
    { "HasNamespace", 1, 1, mgr_has, &expr_class_bool, 0, "prefix" },
    { "LookupNamespace", 1, 1, mgr_lookup, &expr_class_string, 0, "prefix" },
};

static const char *const mgr_aliases[] = { "System.Xml.XmlNamespaceManager", NULL };

const xv_class rt_xml_class_xmlnsmgr = {
    .name = "XmlNamespaceManager",
    .aliases = mgr_aliases,
    .methods = mgr_methods,
    .nmethods = RT_XML_COUNT(mgr_methods),
    .ctor = mgr_ctor,
    .ctor_min = 1,
    .ctor_max = 1,
};

/* ---- evaluation ---- */

typedef struct xp_err {
    bool failed;
    char msg[200];
} xp_err;

static void on_error(void *ud, xmlErrorPtr e)
{
    xp_err *x = ud;
    if (x->failed || !e)
        return;
    x->failed = true;
    snprintf(x->msg, sizeof x->msg, "%s", e->message ? e->message : "invalid expression");
    size_t n = strlen(x->msg);
    while (n > 0 && (x->msg[n - 1] == '\n' || x->msg[n - 1] == ' '))
        x->msg[--n] = '\0';
}

static void free_ctx(void *p)
{
    xmlXPathFreeContext(p);
}

static void free_obj(void *p)
{
    xmlXPathFreeObject(p);
}

int rt_xml_xpath(xv_call *c, xmlNodePtr n, bool single, xv *out)
{
    str query;
    if (rt_xml_arg_str(c, 0, "xpath", false, &query) < 0)
        return -1;
    const xmlChar *z = rt_xml_cstr(c->env, query);
    if (!z)
        return -1;
    xmlXPathContextPtr ctx = xmlXPathNewContext(n->doc);
    if (!ctx || arena_defer(c->env->a, free_ctx, ctx) < 0) {
        xmlXPathFreeContext(ctx);
        return rt_xml_oom(c->env);
    }
    xp_err err = { 0 };
    ctx->node = n;
    ctx->error = on_error;
    ctx->userData = &err;
    ctx->opLimit = XPATH_OP_LIMIT;
    ctx->opCount = 0;
    if (c->nargs > 1 && c->args[1].kind == XV_OBJ &&
        c->args[1].u.obj.cls == &rt_xml_class_xmlnsmgr) {
        const nsmgr *m = c->args[1].u.obj.ptr;
        for (size_t i = 0; i < m->n; i++) {
            const xmlChar *p = rt_xml_cstr(c->env, m->prefix[i]);
            const xmlChar *u = rt_xml_cstr(c->env, m->uri[i]);
            if (!p || !u)
                return -1;
            xmlXPathRegisterNs(ctx, p, u);
        }
    }
    xmlXPathObjectPtr res = xmlXPathEvalExpression(z, ctx);
    if (res && arena_defer(c->env->a, free_obj, res) < 0) {
        xmlXPathFreeObject(res);
        return rt_xml_oom(c->env);
    }
    int code = ctx->lastError.code - XML_XPATH_EXPRESSION_OK;
    if (code == XPATH_OP_LIMIT_EXCEEDED || code == XPATH_RECURSION_LIMIT_EXCEEDED)
        return expr_throw(c->env, "XPathException",
                          "The XPath expression '%.*s' is too expensive to evaluate.",
                          STR_FMT(query));
    if (!res || err.failed) {
        if (strstr(err.msg, "Namespace") || strstr(err.msg, "namespace"))
            return expr_throw(c->env, "XPathException",
                              "Namespace Manager or XsltContext needed. This query has a prefix, "
                              "variable, or user-defined function.");
        return expr_throw(c->env, "XPathException", "'%.*s' has an invalid token. (%s)",
                          STR_FMT(query), err.failed ? err.msg : "invalid expression");
    }
    if (res->type != XPATH_NODESET)
        return expr_throw(c->env, "XPathException", "Expression must evaluate to a node-set.");
    xmlNodeSetPtr set = res->nodesetval;
    int count = set ? set->nodeNr : 0;
    if (single) {
        *out = xv_null();
        for (int i = 0; i < count; i++)
            if (set->nodeTab[i]->type != XML_NAMESPACE_DECL)
                return rt_xml_dom_wrap(c->env, set->nodeTab[i], out);
        return 0;
    }
    xv_list *l = xv_list_new(c->env, XV_LIST_LIST, &rt_xml_class_xmlnode);
    if (!l)
        return -1;
    for (int i = 0; i < count; i++) {
        xv v;
        if (set->nodeTab[i]->type == XML_NAMESPACE_DECL)
            continue;
        if (rt_xml_dom_wrap(c->env, set->nodeTab[i], &v) < 0 || xv_list_push(c->env, l, v) < 0)
            return -1;
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}
