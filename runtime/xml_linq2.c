/* LINQ to XML construction and the small classes: new XElement(name, content...), content
 * rules of Add(), attributes (XAttribute and the XElement methods that handle them), XText,
 * XCData, XComment, XProcessingInstruction, XDeclaration.
 * A free-standing XAttribute lives on a hidden holder element (its _private is the
 * marker &rt_xml_class_xattribute) so that it always has an owner to be freed with. */
#include <libxml/tree.h>
#include <string.h>

#include "xml.h"

#define XMLNS_URI           "http://www.w3.org/2000/xmlns/"
#define MAX_CONTENT_NESTING 64

static xmlNodePtr holder_element(expr_env *env)
{
    rt_xml_doc *h = rt_xml_doc_new(env, true);
    if (!h)
        return NULL;
    xmlNodePtr he = xmlNewDocNode(h->doc, NULL, (const xmlChar *)"holder", NULL);
    if (!he) {
        rt_xml_oom(env);
        return NULL;
    }
    he->_private = (void *)&rt_xml_class_xattribute;
    xmlDocSetRootElement(h->doc, he);
    return he;
}

static int attr_detach(expr_env *env, xmlAttrPtr a)
{
    xmlNodePtr he = holder_element(env);
    if (!he)
        return -1;
    xmlUnlinkNode((xmlNodePtr)a);
    if (a->doc != he->doc)
        xmlSetTreeDoc((xmlNodePtr)a, he->doc);
    a->parent = he;
    a->prev = NULL;
    a->next = he->properties;
    if (he->properties)
        he->properties->prev = a;
    he->properties = a;
    return 0;
}

static xmlAttrPtr find_attr(xmlNodePtr el, const rt_xname *nm)
{
    for (xmlAttrPtr a = el->properties; a; a = a->next)
        if (rt_xml_name_is((xmlNodePtr)a, nm))
            return a;
    return NULL;
}

/* Sets attribute nm = value on el (a namespace declaration for xmlns names). */
static int set_attr(expr_env *env, xmlNodePtr el, const rt_xname *nm, str value, xmlAttrPtr *out)
{
    const xmlChar *local = rt_xml_cstr(env, nm->local);
    const xmlChar *v = rt_xml_cstr(env, value);
    if (!local || !v)
        return -1;
    if (out)
        *out = NULL;
    if (str_eq_cstr(nm->ns, XMLNS_URI) || (nm->ns.len == 0 && str_eq_cstr(nm->local, "xmlns"))) {
        xmlNewNs(el, v, nm->ns.len ? local : NULL);
        return 0;
    }
    xmlNsPtr ns = NULL;
    if (nm->ns.len && !(ns = rt_xml_ns_for(env, el, nm->ns, true)))
        return -1;
    xmlAttrPtr a = xmlSetNsProp(el, ns, local, v);
    if (!a)
        return rt_xml_oom(env);
    if (out)
        *out = a;
    return 0;
}

/* Removes the "" text child that stands for <a></a> before other content arrives. */
static int drop_marker(expr_env *env, xmlNodePtr n)
{
    xmlNodePtr c = n->children;
    if (c && c == n->last && c->type == XML_TEXT_NODE && c->content && !c->content[0])
        return rt_xml_detach(env, c);
    return 0;
}

static int add_text(expr_env *env, xmlNodePtr n, str s)
{
    if (n->type == XML_DOCUMENT_NODE) {
        for (size_t i = 0; i < s.len; i++)
            if (!strchr(" \t\r\n", s.ptr[i]))
                return expr_throw(env, "ArgumentException",
                                  "Non-whitespace characters cannot be added to content.");
        return 0;
    }
    if (s.len == 0 && n->children)
        return 0;
    if (n->last && n->last->type == XML_TEXT_NODE) {
        xmlNodeAddContentLen(n->last, (const xmlChar *)s.ptr, (int)s.len);
        return 0;
    }
    xmlNodePtr t = xmlNewDocTextLen(n->doc, (const xmlChar *)(s.ptr ? s.ptr : ""), (int)s.len);
    if (!t)
        return rt_xml_oom(env);
    rt_xml_link(n, t);
    return 0;
}

static int add_node(expr_env *env, xmlNodePtr n, xmlNodePtr child)
{
    if (child->type == XML_DOCUMENT_NODE)
        return expr_throw(env, "ArgumentException", "An XDocument cannot be added as content.");
    if (n->type == XML_DOCUMENT_NODE) {
        if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)
            return expr_throw(env, "ArgumentException",
                              "Non-whitespace characters cannot be added to content.");
        if (child->type == XML_ELEMENT_NODE && xmlDocGetRootElement((xmlDocPtr)n))
            return expr_throw(env, "InvalidOperationException",
                              "This operation would create an incorrectly structured document.");
    }
    if (drop_marker(env, n) < 0)
        return -1;
    xmlNodePtr added;
    return rt_xml_adopt(env, n, child, &added);
}

static int add_attr(expr_env *env, xmlNodePtr n, xmlAttrPtr a)
{
    if (n->type != XML_ELEMENT_NODE)
        return expr_throw(env, "ArgumentException", "An attribute cannot be added to content.");
    rt_xname nm = { rt_xml_node_ns((xmlNodePtr)a), str_from((const char *)a->name) };
    if (find_attr(n, &nm))
        return expr_throw(env, "InvalidOperationException", "Duplicate attribute.");
    xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
    str value = str_from(v ? (const char *)v : "");
    int rc = set_attr(env, n, &nm, value, NULL);
    xmlFree(v);
    return rc;
}

static int add_content(expr_env *env, xmlNodePtr n, xv v, int depth)
{
    if (depth > MAX_CONTENT_NESTING)
        return expr_throw(env, "InvalidOperationException", "content is nested too deeply");
    if (v.kind == XV_NULL)
        return 0;
    if (v.kind == XV_OBJ && v.u.obj.cls == &rt_xml_class_xattribute)
        return add_attr(env, n, v.u.obj.ptr);
    if (v.kind == XV_OBJ && rt_xml_class_is(v.u.obj.cls, &rt_xml_class_xobject))
        return add_node(env, n, rt_xml_container_node(v));
    if (v.kind == XV_LIST) {
        xv_list *l = v.u.list;
        for (size_t i = 0; i < l->n; i++)
            if (add_content(env, n, l->items[i], depth + 1) < 0)
                return -1;
        return 0;
    }
    str s;
    if (rt_xml_content_text(env, v, &s) < 0)
        return -1;
    return add_text(env, n, s);
}

int rt_xml_add_content(expr_env *env, xmlNodePtr n, xv content)
{
    return add_content(env, n, content, 0);
}

/* ---- new XElement(name, content...) / new XElement(other) ---- */

static int new_element(expr_env *env, const rt_xname *nm, xmlNodePtr *out)
{
    rt_xml_doc *h = rt_xml_doc_new(env, true);
    const xmlChar *local = rt_xml_cstr(env, nm->local);
    if (!h || !local)
        return -1;
    xmlNodePtr el = xmlNewDocNode(h->doc, NULL, local, NULL);
    if (!el)
        return rt_xml_oom(env);
    xmlDocSetRootElement(h->doc, el);
    if (nm->ns.len) {
        xmlNsPtr ns = rt_xml_ns_for(env, el, nm->ns, false);
        if (!ns)
            return -1;
        xmlSetNs(el, ns);
    }
    *out = el;
    return 0;
}

int rt_xml_xelement_ctor(xv_call *c, xv *out)
{
    xv a0 = c->args[0];
    if (a0.kind == XV_OBJ && a0.u.obj.cls == &rt_xml_class_xelement && c->nargs == 1) {
        rt_xml_doc *h = rt_xml_doc_new(c->env, true);
        if (!h)
            return -1;
        xmlNodePtr cp = xmlDocCopyNode(a0.u.obj.ptr, h->doc, 1);
        if (!cp)
            return rt_xml_oom(c->env);
        xmlDocSetRootElement(h->doc, cp);
        return rt_xml_linq_wrap(c->env, cp, out);
    }
    rt_xname nm;
    xmlNodePtr el;
    if (rt_xml_arg_name(c, 0, &nm) < 0 || new_element(c->env, &nm, &el) < 0)
        return -1;
    for (size_t i = 1; i < c->nargs; i++)
        if (add_content(c->env, el, c->args[i], 0) < 0)
            return -1;
    return rt_xml_linq_wrap(c->env, el, out);
}

/* ---- XElement: attributes ---- */

int rt_xml_xelement_attr(xv_call *c, xv *out)
{
    xmlNodePtr el = rt_xml_xelement_self(c->env, c->self);
    rt_xname nm;
    *out = xv_null();
    if (!el)
        return -1;
    if (c->args[0].kind == XV_NULL)
        return 0;
    if (rt_xml_arg_name(c, 0, &nm) < 0)
        return -1;
    return rt_xml_linq_wrap(c->env, (xmlNodePtr)find_attr(el, &nm), out);
}

int rt_xml_xelement_attrs(xv_call *c, xv *out)
{
    xmlNodePtr el = rt_xml_xelement_self(c->env, c->self);
    rt_xname nm;
    if (!el)
        return -1;
    bool has = c->nargs > 0, none = has && c->args[0].kind == XV_NULL;
    if (has && !none && rt_xml_arg_name(c, 0, &nm) < 0)
        return -1;
    xv_list *l = xv_list_new(c->env, XV_LIST_SEQ, &rt_xml_class_xattribute);
    if (!l)
        return -1;
    for (xmlAttrPtr a = el->properties; a && !none; a = a->next) {
        xv v;
        if ((!has || rt_xml_name_is((xmlNodePtr)a, &nm)) &&
            (rt_xml_linq_wrap(c->env, (xmlNodePtr)a, &v) < 0 || xv_list_push(c->env, l, v) < 0))
            return -1;
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

int rt_xml_xelement_first_attr(expr_env *env, xv self, xv *out)
{
    xmlNodePtr el = rt_xml_xelement_self(env, self);
    return el ? rt_xml_linq_wrap(env, (xmlNodePtr)el->properties, out) : -1;
}

int rt_xml_xelement_set_attr(xv_call *c, xv *out)
{
    xmlNodePtr el = rt_xml_xelement_self(c->env, c->self);
    rt_xname nm;
    *out = xv_null();
    if (!el || rt_xml_arg_name(c, 0, &nm) < 0)
        return -1;
    if (c->args[1].kind == XV_NULL) {
        xmlAttrPtr a = find_attr(el, &nm);
        return a ? attr_detach(c->env, a) : 0;
    }
    str s;
    if (rt_xml_content_text(c->env, c->args[1], &s) < 0)
        return -1;
    return set_attr(c->env, el, &nm, s, NULL);
}

int rt_xml_xelement_set_elem(xv_call *c, xv *out)
{
    xmlNodePtr el = rt_xml_xelement_self(c->env, c->self);
    rt_xname nm;
    *out = xv_null();
    if (!el || rt_xml_arg_name(c, 0, &nm) < 0)
        return -1;
    xmlNodePtr child = NULL;
    for (xmlNodePtr k = el->children; k && !child; k = k->next)
        if (k->type == XML_ELEMENT_NODE && rt_xml_name_is(k, &nm))
            child = k;
    if (c->args[1].kind == XV_NULL)
        return child ? rt_xml_detach(c->env, child) : 0;
    str s;
    if (rt_xml_content_text(c->env, c->args[1], &s) < 0)
        return -1;
    if (!child) {
        if (new_element(c->env, &nm, &child) < 0 || add_node(c->env, el, child) < 0)
            return -1;
        child = el->last;
    }
    return rt_xml_set_text(c->env, child, s);
}

int rt_xml_xelement_remove_attrs(xv_call *c, xv *out)
{
    xmlNodePtr el = rt_xml_xelement_self(c->env, c->self);
    *out = xv_null();
    if (!el)
        return -1;
    while (el->properties)
        if (attr_detach(c->env, el->properties) < 0)
            return -1;
    return 0;
}

/* ---- XAttribute ---- */

static xmlNodePtr self_attr(expr_env *env, xv self)
{
    return rt_xml_self_of(env, self, &rt_xml_class_xattribute);
}

static int xa_name(expr_env *env, xv self, xv *out)
{
    xmlNodePtr a = self_attr(env, self);
    return a ? rt_xml_node_xname(env, a, out) : -1;
}

int rt_xml_node_value(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(env, self);
    str s;
    if (!n || rt_xml_text(env, n, &s) < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

int rt_xml_node_set_value(expr_env *env, xv self, xv val)
{
    xmlNodePtr n = rt_xml_linq_self(env, self);
    str s;
    if (!n)
        return -1;
    if (val.kind == XV_NULL)
        return expr_throw(env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'value')");
    if (rt_xml_content_text(env, val, &s) < 0)
        return -1;
    if (n->type == XML_ATTRIBUTE_NODE) {
        const xmlChar *z = rt_xml_cstr(env, s);
        if (!z)
            return -1;
        return xmlSetNsProp(n->parent, n->ns, n->name, z) ? 0 : rt_xml_oom(env);
    }
    return rt_xml_set_text(env, n, s);
}

static int xa_next(expr_env *env, xv self, xv *out)
{
    xmlNodePtr a = self_attr(env, self);
    return a ? rt_xml_linq_wrap(env, a->next, out) : -1;
}

static int xa_prev(expr_env *env, xv self, xv *out)
{
    xmlNodePtr a = self_attr(env, self);
    return a ? rt_xml_linq_wrap(env, a->prev, out) : -1;
}

static int xa_is_nsdecl(expr_env *env, xv self, xv *out)
{
    if (!self_attr(env, self))
        return -1;
    *out = xv_bool(false);
    return 0;
}

static int xa_to_string(xv_call *c, xv *out)
{
    xmlNodePtr a = self_attr(c->env, c->self);
    str s;
    if (!a || rt_xml_write(c->env, a, 0, &s) < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

static int xa_remove(xv_call *c, xv *out)
{
    xmlNodePtr a = self_attr(c->env, c->self);
    *out = xv_null();
    if (!a)
        return -1;
    if (!a->parent || a->parent->_private == (void *)&rt_xml_class_xattribute)
        return expr_throw(c->env, "InvalidOperationException", "The parent is missing.");
    return attr_detach(c->env, (xmlAttrPtr)a);
}

int rt_xml_node_set_value_m(xv_call *c, xv *out)
{
    *out = xv_null();
    return rt_xml_node_set_value(c->env, c->self, c->args[0]);
}

static int xa_ctor(xv_call *c, xv *out)
{
    rt_xname nm;
    str s;
    if (rt_xml_arg_name(c, 0, &nm) < 0)
        return -1;
    if (c->args[1].kind == XV_NULL)
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'value')");
    if (rt_xml_content_text(c->env, c->args[1], &s) < 0)
        return -1;
    xmlNodePtr he = holder_element(c->env);
    xmlAttrPtr a;
    if (!he || set_attr(c->env, he, &nm, s, &a) < 0)
        return -1;
    if (!a)
        return expr_throw(c->env, "NotSupportedException",
                          "namespace declaration attributes are not supported");
    return rt_xml_linq_wrap(c->env, (xmlNodePtr)a, out);
}

static const xv_member xattribute_members[] = {
    { "IsNamespaceDeclaration", xa_is_nsdecl, &expr_class_bool, 0, NULL },
    { "Name", xa_name, &rt_xml_class_xname, 0, NULL },
    { "NextAttribute", xa_next, &rt_xml_class_xattribute, 0, NULL },
    { "PreviousAttribute", xa_prev, &rt_xml_class_xattribute, 0, NULL },
    { "Value", rt_xml_node_value, &expr_class_string, 0, rt_xml_node_set_value },
};

static const xv_method xattribute_methods[] = {
    { "Remove", 0, 0, xa_remove, NULL, 0, NULL },
    { "SetValue", 1, 1, rt_xml_node_set_value_m, NULL, 0, "value" },
    { "ToString", 0, 0, xa_to_string, &expr_class_string, 0, NULL },
};

static const char *const xattribute_aliases[] = { "System.Xml.Linq.XAttribute", NULL };

/* The explicit operators (string)attr, (int)attr, (bool?)attr ... (attr may be null). */
static int xa_convert(expr_env *env, xv self, const xv_type *to, xv *out)
{
    return rt_xml_linq_convert(env, self, "attribute", to, out);
}

const xv_class rt_xml_class_xattribute = {
    .name = "XAttribute",
    .aliases = xattribute_aliases,
    .base = &rt_xml_class_xobject,
    .members = xattribute_members,
    .nmembers = RT_XML_COUNT(xattribute_members),
    .methods = xattribute_methods,
    .nmethods = RT_XML_COUNT(xattribute_methods),
    .ctor = xa_ctor,
    .ctor_min = 2,
    .ctor_max = 2,
    .convert = xa_convert,
};

/* ---- XText, XCData, XComment, XProcessingInstruction ---- */

static int new_leaf(xv_call *c, xmlElementType type, xv *out)
{
    str s, data = STR_LIT("");
    if (rt_xml_arg_str(c, 0, "value", false, &s) < 0 ||
        (c->nargs > 1 && rt_xml_arg_str(c, 1, "data", false, &data) < 0))
        return -1;
    rt_xml_doc *h = rt_xml_doc_new(c->env, true);
    const xmlChar *z = rt_xml_cstr(c->env, s), *d = rt_xml_cstr(c->env, data);
    if (!h || !z || !d)
        return -1;
    xmlNodePtr n = type == XML_TEXT_NODE            ? xmlNewDocText(h->doc, z)
                   : type == XML_CDATA_SECTION_NODE ? xmlNewCDataBlock(h->doc, z, (int)s.len)
                   : type == XML_COMMENT_NODE       ? xmlNewDocComment(h->doc, z)
                                                    : xmlNewDocPI(h->doc, z, d);
    if (!n)
        return rt_xml_oom(c->env);
    rt_xml_link((xmlNodePtr)h->doc, n);
    return rt_xml_linq_wrap(c->env, n, out);
}

static int xt_ctor(xv_call *c, xv *out)
{
    return new_leaf(c, XML_TEXT_NODE, out);
}

static int xcd_ctor(xv_call *c, xv *out)
{
    return new_leaf(c, XML_CDATA_SECTION_NODE, out);
}

static int xcm_ctor(xv_call *c, xv *out)
{
    return new_leaf(c, XML_COMMENT_NODE, out);
}

static int xpi_ctor(xv_call *c, xv *out)
{
    return new_leaf(c, XML_PI_NODE, out);
}

static const xv_member xtext_members[] = {
    { "Value", rt_xml_node_value, &expr_class_string, 0, rt_xml_node_set_value },
};

static const char *const xtext_aliases[] = { "System.Xml.Linq.XText", NULL };

const xv_class rt_xml_class_xtext = {
    .name = "XText",
    .aliases = xtext_aliases,
    .base = &rt_xml_class_xnode,
    .members = xtext_members,
    .nmembers = RT_XML_COUNT(xtext_members),
    .ctor = xt_ctor,
    .ctor_min = 1,
    .ctor_max = 1,
};

static const char *const xcdata_aliases[] = { "System.Xml.Linq.XCData", NULL };

const xv_class rt_xml_class_xcdata = {
    .name = "XCData",
    .aliases = xcdata_aliases,
    .base = &rt_xml_class_xtext,
    .ctor = xcd_ctor,
    .ctor_min = 1,
    .ctor_max = 1,
};

static const char *const xcomment_aliases[] = { "System.Xml.Linq.XComment", NULL };

const xv_class rt_xml_class_xcomment = {
    .name = "XComment",
    .aliases = xcomment_aliases,
    .base = &rt_xml_class_xnode,
    .members = xtext_members,
    .nmembers = RT_XML_COUNT(xtext_members),
    .ctor = xcm_ctor,
    .ctor_min = 1,
    .ctor_max = 1,
};

static int xpi_target(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(env, self);
    if (!n)
        return -1;
    *out = xv_str(rt_xml_dup(env, n->name));
    return out->u.s.ptr ? 0 : rt_xml_oom(env);
}

static const xv_member xpi_members[] = {
    { "Data", rt_xml_node_value, &expr_class_string, 0, rt_xml_node_set_value },
    { "Target", xpi_target, &expr_class_string, 0, NULL },
};

static const char *const xpi_aliases[] = { "System.Xml.Linq.XProcessingInstruction", NULL };

const xv_class rt_xml_class_xpi = {
    .name = "XProcessingInstruction",
    .aliases = xpi_aliases,
    .base = &rt_xml_class_xnode,
    .members = xpi_members,
    .nmembers = RT_XML_COUNT(xpi_members),
    .ctor = xpi_ctor,
    .ctor_min = 2,
    .ctor_max = 2,
};

/* ---- XDeclaration (ptr: an rt_xml_doc whose declaration fields are set) ---- */

static const rt_xml_doc *self_decl(expr_env *env, xv self)
{
    return rt_xml_self_of(env, self, &rt_xml_class_xdeclaration);
}

static int decl_field(expr_env *env, xv self, int which, xv *out)
{
    const rt_xml_doc *d = self_decl(env, self);
    if (!d)
        return -1;
    str s = which == 0 ? d->version : which == 1 ? d->encoding : d->standalone;
    *out = s.len ? xv_str(s) : xv_null();
    return 0;
}

static int xdecl_version(expr_env *env, xv self, xv *out)
{
    return decl_field(env, self, 0, out);
}

static int xdecl_encoding(expr_env *env, xv self, xv *out)
{
    return decl_field(env, self, 1, out);
}

static int xdecl_standalone(expr_env *env, xv self, xv *out)
{
    return decl_field(env, self, 2, out);
}

static int xdecl_to_string(xv_call *c, xv *out)
{
    const rt_xml_doc *d = self_decl(c->env, c->self);
    if (!d)
        return -1;
    return xv_str_printf(c->env, out, "<?xml version=\"%.*s\"%s%.*s%s%s%.*s%s?>",
                         STR_FMT(d->version), d->encoding.len ? " encoding=\"" : "",
                         STR_FMT(d->encoding), d->encoding.len ? "\"" : "",
                         d->standalone.len ? " standalone=\"" : "", STR_FMT(d->standalone),
                         d->standalone.len ? "\"" : "");
}

static int xdecl_ctor(xv_call *c, xv *out)
{
    rt_xml_doc *d = arena_alloc(c->env->a, sizeof *d);
    if (!d)
        return rt_xml_oom(c->env);
    str *fields[3] = { &d->version, &d->encoding, &d->standalone };
    for (size_t i = 0; i < 3; i++)
        if (rt_xml_arg_str(c, i, "value", true, fields[i]) < 0)
            return -1;
    d->has_decl = true;
    *out = xv_obj(&rt_xml_class_xdeclaration, d);
    return 0;
}

static const xv_member xdecl_members[] = {
    { "Encoding", xdecl_encoding, &expr_class_string, 0, NULL },
    { "Standalone", xdecl_standalone, &expr_class_string, 0, NULL },
    { "Version", xdecl_version, &expr_class_string, 0, NULL },
};

static const xv_method xdecl_methods[] = {
    { "ToString", 0, 0, xdecl_to_string, &expr_class_string, 0, NULL },
};

static const char *const xdecl_aliases[] = { "System.Xml.Linq.XDeclaration", NULL };

const xv_class rt_xml_class_xdeclaration = {
    .name = "XDeclaration",
    .aliases = xdecl_aliases,
    .members = xdecl_members,
    .nmembers = RT_XML_COUNT(xdecl_members),
    .methods = xdecl_methods,
    .nmethods = RT_XML_COUNT(xdecl_methods),
    .ctor = xdecl_ctor,
    .ctor_min = 3,
    .ctor_max = 3,
};
