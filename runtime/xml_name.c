/* XName, XNamespace and the LoadOptions / SaveOptions enums; how names given as strings
 * ("local" or "{namespace}local", the implicit string -> XName conversion) match nodes.
 *
 * The C# operators are xv_class hooks: implicit string -> XName / XNamespace (`from`:
 * XNamespace ns = "urn:x"; el.Name == "a"), XNamespace + string -> XName, and == comparing
 * names by value (`binop`). */
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

#include "xml.h"

/* ---- enums ---- */

#define XML_CONST(fn, cls, val)                                                                    \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = (xv){ .kind = XV_ENUM };                                                            \
        out->u.en.type = &(cls);                                                                   \
        out->u.en.v = (val);                                                                       \
        return 0;                                                                                  \
    }

XML_CONST(lo_none, rt_xml_class_loadoptions, 0)
XML_CONST(lo_preserve, rt_xml_class_loadoptions, 1)
XML_CONST(lo_baseuri, rt_xml_class_loadoptions, 2)
XML_CONST(lo_lineinfo, rt_xml_class_loadoptions, 4)
XML_CONST(so_none, rt_xml_class_saveoptions, 0)
XML_CONST(so_disable, rt_xml_class_saveoptions, 1)
XML_CONST(so_omitdup, rt_xml_class_saveoptions, 2)

static const xv_member lo_consts[] = {
    { "None", lo_none, &rt_xml_class_loadoptions, 0, NULL },
    { "PreserveWhitespace", lo_preserve, &rt_xml_class_loadoptions, 1, NULL },
    { "SetBaseUri", lo_baseuri, &rt_xml_class_loadoptions, 2, NULL },
    { "SetLineInfo", lo_lineinfo, &rt_xml_class_loadoptions, 4, NULL },
};

static const char *const lo_aliases[] = { "System.Xml.Linq.LoadOptions", NULL };

const xv_class rt_xml_class_loadoptions = {
    .name = "LoadOptions",
    .aliases = lo_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = lo_consts,
    .nsmembers = RT_XML_COUNT(lo_consts),
};

static const xv_member so_consts[] = {
    { "DisableFormatting", so_disable, &rt_xml_class_saveoptions, 1, NULL },
    { "None", so_none, &rt_xml_class_saveoptions, 0, NULL },
    { "OmitDuplicateNamespaces", so_omitdup, &rt_xml_class_saveoptions, 2, NULL },
};

static const char *const so_aliases[] = { "System.Xml.Linq.SaveOptions", NULL };

const xv_class rt_xml_class_saveoptions = {
    .name = "SaveOptions",
    .aliases = so_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = so_consts,
    .nsmembers = RT_XML_COUNT(so_consts),
};

/* ---- helpers ---- */

str rt_xml_node_ns(xmlNodePtr n)
{
    if (n && (n->type == XML_ELEMENT_NODE || n->type == XML_ATTRIBUTE_NODE) && n->ns && n->ns->href)
        return str_from((const char *)n->ns->href);
    return STR_LIT("");
}

bool rt_xml_name_is(xmlNodePtr n, const rt_xname *nm)
{
    if (!n || !n->name || (n->type != XML_ELEMENT_NODE && n->type != XML_ATTRIBUTE_NODE))
        return false;
    return str_eq_cstr(nm->local, (const char *)n->name) && str_eq(nm->ns, rt_xml_node_ns(n));
}

str rt_xml_qname(expr_env *env, xmlNodePtr n)
{
    const char *name = n->name ? (const char *)n->name : "";
    if ((n->type == XML_ELEMENT_NODE || n->type == XML_ATTRIBUTE_NODE) && n->ns && n->ns->prefix) {
        char *p = arena_sprintf(env->a, "%s:%s", (const char *)n->ns->prefix, name);
        return p ? str_from(p) : STR_NULL;
    }
    return str_from(name);
}

static int new_name(expr_env *env, const xv_class *cls, str ns, str local, xv *out)
{
    rt_xname *nm = arena_alloc(env->a, sizeof *nm);
    if (!nm)
        return rt_xml_oom(env);
    nm->ns = ns;
    nm->local = local;
    *out = xv_obj(cls, nm);
    return 0;
}

int rt_xml_node_xname(expr_env *env, xmlNodePtr n, xv *out)
{
    str ns = rt_xml_dup(env, (const xmlChar *)rt_xml_node_ns(n).ptr);
    str local = rt_xml_dup(env, n->name);
    if (!ns.ptr || !local.ptr)
        return rt_xml_oom(env);
    return new_name(env, &rt_xml_class_xname, ns, local, out);
}

/* Splits "{ns}local" / "local". */
static int parse_expanded(expr_env *env, str s, rt_xname *out)
{
    out->ns = STR_LIT("");
    out->local = s;
    if (s.len > 0 && s.ptr[0] == '{') {
        const char *close = memchr(s.ptr, '}', s.len);
        if (!close || close == s.ptr + s.len - 1)
            return rt_xml_throw(env, "The '{' character, hexadecimal value 0x7B, cannot be "
                                     "included in a name.");
        out->ns = str_make(s.ptr + 1, (size_t)(close - s.ptr - 1));
        out->local = str_make(close + 1, s.len - (size_t)(close - s.ptr) - 1);
    }
    if (out->local.len == 0)
        return expr_throw(env, "ArgumentException",
                          "The empty string '' is not a valid local name.");
    return 0;
}

int rt_xml_arg_name(xv_call *c, size_t i, rt_xname *out)
{
    xv v = i < c->nargs ? c->args[i] : xv_null();
    if (v.kind == XV_NULL)
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (Parameter "
                          "'name')");
    if (v.kind == XV_OBJ && v.u.obj.cls == &rt_xml_class_xname) {
        *out = *(const rt_xname *)v.u.obj.ptr;
        return 0;
    }
    if (v.kind != XV_STR)
        return expr_throw(c->env, "ArgumentException", "expected an XName or string, got %s",
                          xv_type_name(v));
    return parse_expanded(c->env, v.u.s, out);
}

/* An unused prefix p1, p2, ... for a namespace on el (as .NET generates). */
static xmlNsPtr new_prefixed(xmlNodePtr el, const xmlChar *uri)
{
    char prefix[16];
    for (int k = 1; k < 1000; k++) {
        snprintf(prefix, sizeof prefix, "p%d", k);
        if (!xmlSearchNs(el->doc, el, (const xmlChar *)prefix))
            return xmlNewNs(el, uri, (const xmlChar *)prefix);
    }
    return NULL;
}

xmlNsPtr rt_xml_ns_for(expr_env *env, xmlNodePtr el, str uri, bool for_attr)
{
    if (uri.len == 0)
        return NULL;
    const xmlChar *z = rt_xml_cstr(env, uri);
    if (!z)
        return NULL;
    xmlNsPtr ns = xmlSearchNsByHref(el->doc, el, z);
    if (ns && (!for_attr || ns->prefix))
        return ns;
    if (!for_attr) {
        ns = xmlNewNs(el, z, NULL);
        if (ns)
            return ns;
    }
    ns = new_prefixed(el, z);
    if (!ns)
        rt_xml_oom(env);
    return ns;
}

/* ---- XName ---- */

static const rt_xname *self_name(expr_env *env, xv self)
{
    if (self.kind == XV_OBJ &&
        (self.u.obj.cls == &rt_xml_class_xname || self.u.obj.cls == &rt_xml_class_xnamespace))
        return self.u.obj.ptr;
    rt_xml_null_ref(env);
    return NULL;
}

static int xname_local(expr_env *env, xv self, xv *out)
{
    const rt_xname *n = self_name(env, self);
    if (!n)
        return -1;
    *out = xv_str(n->local);
    return 0;
}

static int xname_nsname(expr_env *env, xv self, xv *out)
{
    const rt_xname *n = self_name(env, self);
    if (!n)
        return -1;
    *out = xv_str(n->ns);
    return 0;
}

static int xname_ns(expr_env *env, xv self, xv *out)
{
    const rt_xname *n = self_name(env, self);
    if (!n)
        return -1;
    return new_name(env, &rt_xml_class_xnamespace, n->ns, STR_LIT(""), out);
}

static int xname_to_string(xv_call *c, xv *out)
{
    const rt_xname *n = self_name(c->env, c->self);
    if (!n)
        return -1;
    if (n->ns.len == 0) {
        *out = xv_str(n->local);
        return 0;
    }
    return xv_str_printf(c->env, out, "{%.*s}%.*s", STR_FMT(n->ns), STR_FMT(n->local));
}

static int xname_equals(xv_call *c, xv *out)
{
    const rt_xname *n = self_name(c->env, c->self);
    rt_xname other;
    if (!n)
        return -1;
    if (c->args[0].kind == XV_NULL) {
        *out = xv_bool(false);
        return 0;
    }
    if (rt_xml_arg_name(c, 0, &other) < 0)
        return -1;
    *out = xv_bool(str_eq(n->ns, other.ns) && str_eq(n->local, other.local));
    return 0;
}

/* XName.Get("{ns}local") / XName.Get("local", "ns") */
static int xname_get(xv_call *c, xv *out)
{
    rt_xname nm;
    if (c->nargs == 2) {
        str local, ns;
        if (rt_xml_arg_str(c, 0, "localName", false, &local) < 0 ||
            rt_xml_arg_str(c, 1, "namespaceName", false, &ns) < 0)
            return -1;
        if (local.len == 0)
            return expr_throw(c->env, "ArgumentException",
                              "The empty string '' is not a valid local name.");
        return new_name(c->env, &rt_xml_class_xname, ns, local, out);
    }
    if (rt_xml_arg_name(c, 0, &nm) < 0)
        return -1;
    return new_name(c->env, &rt_xml_class_xname, nm.ns, nm.local, out);
}

/* implicit operator XName(string): "local" or "{ns}local" */
static int xname_from(expr_env *env, xv v, xv *out)
{
    rt_xname nm;
    if (v.kind != XV_STR)
        return 0;
    if (parse_expanded(env, v.u.s, &nm) < 0)
        return -1;
    return new_name(env, &rt_xml_class_xname, nm.ns, nm.local, out) < 0 ? -1 : 1;
}

/* XName == XName, XNamespace == XNamespace: by value (.NET atomizes names). */
static int name_binop(expr_env *env, int op, xv a, xv b, xv *out)
{
    (void)env;
    if (op != '=' || a.kind != XV_OBJ || b.kind != XV_OBJ || a.u.obj.cls != b.u.obj.cls ||
        (a.u.obj.cls != &rt_xml_class_xname && a.u.obj.cls != &rt_xml_class_xnamespace))
        return 0;
    const rt_xname *x = a.u.obj.ptr, *y = b.u.obj.ptr;
    *out = xv_bool(str_eq(x->ns, y->ns) && str_eq(x->local, y->local));
    return 1;
}

static const xv_member xname_members[] = {
    { "LocalName", xname_local, &expr_class_string, 0, NULL },
    { "Namespace", xname_ns, &rt_xml_class_xnamespace, 0, NULL },
    { "NamespaceName", xname_nsname, &expr_class_string, 0, NULL },
};

static const xv_method xname_methods[] = {
    { "Equals", 1, 1, xname_equals, &expr_class_bool, 0, NULL },
    { "ToString", 0, 0, xname_to_string, &expr_class_string, 0, NULL },
};

static const xv_method xname_smethods[] = {
    { "Get", 1, 2, xname_get, &rt_xml_class_xname, 0, "expandedName,namespaceName" },
};

static const char *const xname_aliases[] = { "System.Xml.Linq.XName", NULL };

const xv_class rt_xml_class_xname = {
    .name = "XName",
    .aliases = xname_aliases,
    .members = xname_members,
    .nmembers = RT_XML_COUNT(xname_members),
    .methods = xname_methods,
    .nmethods = RT_XML_COUNT(xname_methods),
    .smethods = xname_smethods,
    .nsmethods = RT_XML_COUNT(xname_smethods),
    .from = xname_from,
    .binop = name_binop,
};

/* ---- XNamespace ---- */

/* The namespace name (URI), as .NET prints it. */
static int xns_to_string(xv_call *c, xv *out)
{
    const rt_xname *n = self_name(c->env, c->self);
    if (!n)
        return -1;
    *out = xv_str(n->ns);
    return 0;
}

/* implicit operator XNamespace(string) */
static int xns_from(expr_env *env, xv v, xv *out)
{
    if (v.kind != XV_STR)
        return 0;
    return new_name(env, &rt_xml_class_xnamespace, v.u.s, STR_LIT(""), out) < 0 ? -1 : 1;
}

/* XNamespace + string -> XName; XNamespace == XNamespace. */
static int xns_binop(expr_env *env, int op, xv a, xv b, xv *out)
{
    if (op != '+')
        return name_binop(env, op, a, b, out);
    if (a.kind != XV_OBJ || a.u.obj.cls != &rt_xml_class_xnamespace ||
        (b.kind != XV_STR && b.kind != XV_NULL))
        return 0;
    if (b.kind == XV_NULL)
        return expr_throw(env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'localName')");
    if (b.u.s.len == 0)
        return expr_throw(env, "ArgumentException",
                          "The empty string '' is not a valid local name.");
    const rt_xname *n = a.u.obj.ptr;
    return new_name(env, &rt_xml_class_xname, n->ns, b.u.s, out) < 0 ? -1 : 1;
}

static int xns_get_name(xv_call *c, xv *out)
{
    const rt_xname *n = self_name(c->env, c->self);
    str local;
    if (!n || rt_xml_arg_str(c, 0, "localName", false, &local) < 0)
        return -1;
    if (local.len == 0)
        return expr_throw(c->env, "ArgumentException",
                          "The empty string '' is not a valid local name.");
    return new_name(c->env, &rt_xml_class_xname, n->ns, local, out);
}

static int xns_equals(xv_call *c, xv *out)
{
    const rt_xname *n = self_name(c->env, c->self);
    if (!n)
        return -1;
    xv o = c->args[0];
    *out = xv_bool(o.kind == XV_OBJ && o.u.obj.cls == &rt_xml_class_xnamespace &&
                   str_eq(((const rt_xname *)o.u.obj.ptr)->ns, n->ns));
    return 0;
}

static int xns_get(xv_call *c, xv *out)
{
    str uri;
    if (rt_xml_arg_str(c, 0, "namespaceName", false, &uri) < 0)
        return -1;
    return new_name(c->env, &rt_xml_class_xnamespace, uri, STR_LIT(""), out);
}

static int xns_none(expr_env *env, xv self, xv *out)
{
    (void)self;
    return new_name(env, &rt_xml_class_xnamespace, STR_LIT(""), STR_LIT(""), out);
}

static int xns_xml(expr_env *env, xv self, xv *out)
{
    (void)self;
    return new_name(env, &rt_xml_class_xnamespace, STR_LIT("http://www.w3.org/XML/1998/namespace"),
                    STR_LIT(""), out);
}

static int xns_xmlns(expr_env *env, xv self, xv *out)
{
    (void)self;
    return new_name(env, &rt_xml_class_xnamespace, STR_LIT("http://www.w3.org/2000/xmlns/"),
                    STR_LIT(""), out);
}

static const xv_member xns_members[] = {
    { "NamespaceName", xname_nsname, &expr_class_string, 0, NULL },
};

static const xv_method xns_methods[] = {
    { "Equals", 1, 1, xns_equals, &expr_class_bool, 0, NULL },
    { "GetName", 1, 1, xns_get_name, &rt_xml_class_xname, 0, "localName" },
    { "ToString", 0, 0, xns_to_string, &expr_class_string, 0, NULL },
};

static const xv_member xns_smembers[] = {
    { "None", xns_none, &rt_xml_class_xnamespace, 0, NULL },
    { "Xml", xns_xml, &rt_xml_class_xnamespace, 0, NULL },
    { "Xmlns", xns_xmlns, &rt_xml_class_xnamespace, 0, NULL },
};

static const xv_method xns_smethods[] = {
    { "Get", 1, 1, xns_get, &rt_xml_class_xnamespace, 0, "namespaceName" },
};

static const char *const xns_aliases[] = { "System.Xml.Linq.XNamespace", NULL };

const xv_class rt_xml_class_xnamespace = {
    .name = "XNamespace",
    .aliases = xns_aliases,
    .members = xns_members,
    .nmembers = RT_XML_COUNT(xns_members),
    .methods = xns_methods,
    .nmethods = RT_XML_COUNT(xns_methods),
    .smembers = xns_smembers,
    .nsmembers = RT_XML_COUNT(xns_smembers),
    .smethods = xns_smethods,
    .nsmethods = RT_XML_COUNT(xns_smethods),
    .from = xns_from,
    .binop = xns_binop,
};
