/* System.Xml's DOM: XmlDocument (new XmlDocument(), LoadXml, DocumentElement), XmlNode and
 * its kinds (XmlElement, XmlAttribute, XmlText, XmlComment, XmlCDataSection) and
 * XmlAttributeCollection. XmlDocument objects point at an rt_xml_doc (LoadXml swaps its
 * document), the others at libxml2 nodes. XPath is in xml_xpath.c. */
#include <libxml/tree.h>
#include <string.h>

#include "xml.h"

static xmlNodePtr dom_self(expr_env *env, xv self)
{
    if (self.kind == XV_OBJ && self.u.obj.cls == &rt_xml_class_xmldocument) {
        rt_xml_doc *d = self.u.obj.ptr;
        return (xmlNodePtr)d->doc;
    }
    if (self.kind == XV_OBJ && rt_xml_class_is(self.u.obj.cls, &rt_xml_class_xmlnode))
        return self.u.obj.ptr;
    rt_xml_null_ref(env);
    return NULL;
}

static bool is_marker(xmlNodePtr n)
{
    return n->type == XML_TEXT_NODE && (!n->content || !n->content[0]);
}

static bool is_dom_child(xmlNodePtr n)
{
    return (n->type == XML_ELEMENT_NODE || n->type == XML_TEXT_NODE ||
            n->type == XML_CDATA_SECTION_NODE || n->type == XML_COMMENT_NODE ||
            n->type == XML_PI_NODE) &&
           !is_marker(n);
}

int rt_xml_dom_wrap(expr_env *env, xmlNodePtr n, xv *out)
{
    (void)env;
    *out = xv_null();
    if (!n)
        return 0;
    const xv_class *cls = &rt_xml_class_xmlnode;
    switch (n->type) {
    case XML_ELEMENT_NODE:
        cls = &rt_xml_class_xmlelement;
        break;
    case XML_ATTRIBUTE_NODE:
        cls = &rt_xml_class_xmlattribute;
        break;
    case XML_TEXT_NODE:
        cls = &rt_xml_class_xmltext;
        break;
    case XML_CDATA_SECTION_NODE:
        cls = &rt_xml_class_xmlcdata;
        break;
    case XML_COMMENT_NODE:
        cls = &rt_xml_class_xmlcomment;
        break;
    case XML_DOCUMENT_NODE:
        if (n->_private)
            *out = xv_obj(&rt_xml_class_xmldocument, n->_private);
        return 0;
    default:
        break;
    }
    *out = xv_obj(cls, n);
    return 0;
}

/* ---- XmlNode members ---- */

static int dn_name_(expr_env *env, xv self, bool local, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    const char *s;
    switch (n->type) {
    case XML_ELEMENT_NODE:
    case XML_ATTRIBUTE_NODE:
        if (local) {
            s = (const char *)n->name;
            break;
        }
        *out = xv_str(rt_xml_qname(env, n));
        return out->u.s.ptr ? 0 : rt_xml_oom(env);
    case XML_TEXT_NODE:
        s = "#text";
        break;
    case XML_CDATA_SECTION_NODE:
        s = "#cdata-section";
        break;
    case XML_COMMENT_NODE:
        s = "#comment";
        break;
    case XML_DOCUMENT_NODE:
        s = "#document";
        break;
    case XML_PI_NODE:
        s = (const char *)n->name;
        break;
    default:
        s = "";
        break;
    }
    *out = xv_str(str_from(s ? s : ""));
    return 0;
}

static int dn_name(expr_env *env, xv self, xv *out)
{
    return dn_name_(env, self, false, out);
}

static int dn_local_name(expr_env *env, xv self, xv *out)
{
    return dn_name_(env, self, true, out);
}

static int dn_ns_uri(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    *out = xv_str(rt_xml_node_ns(n));
    return 0;
}

static int dn_prefix(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    bool named = n->type == XML_ELEMENT_NODE || n->type == XML_ATTRIBUTE_NODE;
    *out = xv_str(str_from(named && n->ns && n->ns->prefix ? (const char *)n->ns->prefix : ""));
    return 0;
}

static int dn_value(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    str s;
    if (!n)
        return -1;
    if (n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE) {
        *out = xv_null();
        return 0;
    }
    if (rt_xml_text(env, n, &s) < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

static int dn_set_value(expr_env *env, xv self, xv val)
{
    xmlNodePtr n = dom_self(env, self);
    str s = STR_LIT("");
    if (!n)
        return -1;
    if (n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE)
        return expr_throw(env, "InvalidOperationException", "Cannot set a value on node type '%s'.",
                          n->type == XML_ELEMENT_NODE ? "Element" : "Document");
    if (val.kind != XV_NULL && xv_to_string(env, val, &s) < 0)
        return -1;
    if (n->type == XML_ATTRIBUTE_NODE) {
        const xmlChar *z = rt_xml_cstr(env, s);
        return !z ? -1 : xmlSetNsProp(n->parent, n->ns, n->name, z) ? 0 : rt_xml_oom(env);
    }
    return rt_xml_set_text(env, n, s);
}

static int dn_inner_text(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    str s;
    if (!n || rt_xml_text(env, n, &s) < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

static int dn_set_inner_text(expr_env *env, xv self, xv val)
{
    xmlNodePtr n = dom_self(env, self);
    str s = STR_LIT("");
    if (!n)
        return -1;
    if (val.kind != XV_NULL && xv_to_string(env, val, &s) < 0)
        return -1;
    if (n->type == XML_ATTRIBUTE_NODE) {
        const xmlChar *z = rt_xml_cstr(env, s);
        return !z ? -1 : xmlSetNsProp(n->parent, n->ns, n->name, z) ? 0 : rt_xml_oom(env);
    }
    return rt_xml_set_text(env, n, s);
}

static int write_xml(expr_env *env, xv self, unsigned flags, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    str s;
    if (!n)
        return -1;
    if (n->type == XML_DOCUMENT_NODE)
        flags |= RT_XW_DECL | RT_XW_INNER;
    if (rt_xml_write(env, n, flags | RT_XW_DOM, &s) < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

static int dn_inner_xml(expr_env *env, xv self, xv *out)
{
    return write_xml(env, self, RT_XW_INNER, out);
}

static int dn_outer_xml(expr_env *env, xv self, xv *out)
{
    return write_xml(env, self, 0, out);
}

static int dn_child_nodes(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    xv_list *l = xv_list_new(env, XV_LIST_LIST, &rt_xml_class_xmlnode);
    if (!l)
        return -1;
    if (n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE) {
        for (xmlNodePtr c = n->children; c; c = c->next) {
            xv v;
            if (is_dom_child(c) && (rt_xml_dom_wrap(env, c, &v) < 0 || xv_list_push(env, l, v) < 0))
                return -1;
        }
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static xmlNodePtr dom_step(xmlNodePtr c, bool forward)
{
    while (c && !is_dom_child(c))
        c = forward ? c->next : c->prev;
    return c;
}

static int dn_first_child(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    bool container = n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE;
    return rt_xml_dom_wrap(env, container ? dom_step(n->children, true) : NULL, out);
}

static int dn_last_child(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    bool container = n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE;
    return rt_xml_dom_wrap(env, container ? dom_step(n->last, false) : NULL, out);
}

static int dn_next(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    bool sib = n->type != XML_ATTRIBUTE_NODE && n->type != XML_DOCUMENT_NODE;
    return rt_xml_dom_wrap(env, sib ? dom_step(n->next, true) : NULL, out);
}

static int dn_prev(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    bool sib = n->type != XML_ATTRIBUTE_NODE && n->type != XML_DOCUMENT_NODE;
    return rt_xml_dom_wrap(env, sib ? dom_step(n->prev, false) : NULL, out);
}

static int dn_parent(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    rt_xml_doc *d = rt_xml_docinfo(n);
    xmlNodePtr p = n->type == XML_ATTRIBUTE_NODE ? NULL : n->parent;
    if (p && p->type == XML_DOCUMENT_NODE && d && d->holder)
        p = NULL;
    return rt_xml_dom_wrap(env, p, out);
}

static int dn_owner(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    rt_xml_doc *d = rt_xml_docinfo(n);
    *out = n->type != XML_DOCUMENT_NODE && d && !d->holder ? xv_obj(&rt_xml_class_xmldocument, d)
                                                           : xv_null();
    return 0;
}

static int dn_attributes(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    *out = n->type == XML_ELEMENT_NODE ? xv_obj(&rt_xml_class_xmlattrs, n) : xv_null();
    return 0;
}

static int dn_has_children(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    bool container = n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE;
    *out = xv_bool(container && dom_step(n->children, true) != NULL);
    return 0;
}

static int dn_node_type(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    *out = rt_xml_nodetype(n->type == XML_DOCUMENT_NODE ? 9 : (int)n->type);
    return 0;
}

static int dn_is_empty(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    *out = xv_bool(n->type == XML_ELEMENT_NODE && !n->children);
    return 0;
}

static int dn_document_element(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = dom_self(env, self);
    if (!n)
        return -1;
    return rt_xml_dom_wrap(env, xmlDocGetRootElement((xmlDocPtr)n), out);
}

/* ---- XmlNode methods ---- */

static int dn_select_single(xv_call *c, xv *out)
{
    xmlNodePtr n = dom_self(c->env, c->self);
    return n ? rt_xml_xpath(c, n, true, out) : -1;
}

static int dn_select_nodes(xv_call *c, xv *out)
{
    xmlNodePtr n = dom_self(c->env, c->self);
    return n ? rt_xml_xpath(c, n, false, out) : -1;
}

static bool qname_is(expr_env *env, xmlNodePtr n, str name)
{
    str q = rt_xml_qname(env, n);
    return q.ptr && str_eq(q, name);
}

static int dn_by_tag(xv_call *c, xv *out)
{
    xmlNodePtr n = dom_self(c->env, c->self);
    str name;
    if (!n || rt_xml_arg_str(c, 0, "name", false, &name) < 0)
        return -1;
    bool all = str_eq_cstr(name, "*");
    xv_list *l = xv_list_new(c->env, XV_LIST_LIST, &rt_xml_class_xmlelement);
    if (!l)
        return -1;
    for (xmlNodePtr k = n->children; k;) {
        xv v;
        if (k->type == XML_ELEMENT_NODE && (all || qname_is(c->env, k, name)) &&
            (rt_xml_dom_wrap(c->env, k, &v) < 0 || xv_list_push(c->env, l, v) < 0))
            return -1;
        if (k->type == XML_ELEMENT_NODE && k->children) {
            k = k->children;
            continue;
        }
        while (k && k != n && !k->next)
            k = k->parent;
        k = k && k != n ? k->next : NULL;
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static xmlAttrPtr attr_by_qname(expr_env *env, xmlNodePtr el, str name)
{
    for (xmlAttrPtr a = el->type == XML_ELEMENT_NODE ? el->properties : NULL; a; a = a->next)
        if (qname_is(env, (xmlNodePtr)a, name))
            return a;
    return NULL;
}

static int dn_get_attribute(xv_call *c, xv *out)
{
    xmlNodePtr n = dom_self(c->env, c->self);
    str name;
    if (!n || rt_xml_arg_str(c, 0, "name", false, &name) < 0)
        return -1;
    xmlAttrPtr a = attr_by_qname(c->env, n, name);
    *out = xv_str(STR_LIT(""));
    if (!a)
        return 0;
    str s;
    if (rt_xml_text(c->env, (xmlNodePtr)a, &s) < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

static int dn_has_attribute(xv_call *c, xv *out)
{
    xmlNodePtr n = dom_self(c->env, c->self);
    str name;
    if (!n || rt_xml_arg_str(c, 0, "name", false, &name) < 0)
        return -1;
    *out = xv_bool(attr_by_qname(c->env, n, name) != NULL);
    return 0;
}

static int dn_set_attribute(xv_call *c, xv *out)
{
    xmlNodePtr n = dom_self(c->env, c->self);
    str name, value;
    *out = xv_null();
    if (!n || rt_xml_arg_str(c, 0, "name", false, &name) < 0 ||
        rt_xml_arg_str(c, 1, "value", true, &value) < 0)
        return -1;
    if (n->type != XML_ELEMENT_NODE)
        return rt_xml_null_ref(c->env);
    xmlAttrPtr a = attr_by_qname(c->env, n, name);
    const xmlChar *z = rt_xml_cstr(c->env, value), *nm = rt_xml_cstr(c->env, name);
    if (!z || !nm)
        return -1;
    if (a)
        return xmlSetNsProp(n, a->ns, a->name, z) ? 0 : rt_xml_oom(c->env);
    return xmlSetProp(n, nm, z) ? 0 : rt_xml_oom(c->env);
}

/* node["child"]: the first child element with that qualified name. */
static int dn_index(xv_call *c, xv *out)
{
    xmlNodePtr n = dom_self(c->env, c->self);
    str name;
    *out = xv_null();
    if (!n || rt_xml_arg_str(c, 0, "name", false, &name) < 0)
        return -1;
    if (c->nargs > 1) {
        str ns;
        if (rt_xml_arg_str(c, 1, "ns", false, &ns) < 0)
            return -1;
        rt_xname nm = { ns, name };
        for (xmlNodePtr k = n->children; k; k = k->next)
            if (k->type == XML_ELEMENT_NODE && rt_xml_name_is(k, &nm))
                return rt_xml_dom_wrap(c->env, k, out);
        return 0;
    }
    for (xmlNodePtr k = n->children; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE && qname_is(c->env, k, name))
            return rt_xml_dom_wrap(c->env, k, out);
    return 0;
}

static int dn_to_string(xv_call *c, xv *out)
{
    return xv_str_printf(c->env, out, "System.Xml.%s", xv_type_name(c->self));
}

static int dn_append_child(xv_call *c, xv *out)
{
    xmlNodePtr n = dom_self(c->env, c->self);
    xv a = c->args[0];
    if (!n)
        return -1;
    if (a.kind != XV_OBJ || !rt_xml_class_is(a.u.obj.cls, &rt_xml_class_xmlnode) ||
        a.u.obj.cls == &rt_xml_class_xmlattribute || a.u.obj.cls == &rt_xml_class_xmldocument)
        return expr_throw(c->env, "InvalidOperationException",
                          "The specified node cannot be inserted as a child of this node.");
    xmlNodePtr child = a.u.obj.ptr, added;
    if (n->type == XML_DOCUMENT_NODE && child->type == XML_ELEMENT_NODE &&
        xmlDocGetRootElement((xmlDocPtr)n))
        return expr_throw(c->env, "InvalidOperationException",
                          "This document already has a 'DocumentElement' node.");
    if (n->children && n->children == n->last && is_marker(n->children) &&
        rt_xml_detach(c->env, n->children) < 0)
        return -1;
    if (rt_xml_detach(c->env, child) < 0 || rt_xml_adopt(c->env, n, child, &added) < 0)
        return -1;
    return rt_xml_dom_wrap(c->env, added, out);
}

static int make_node(xv_call *c, xmlElementType type, xv *out)
{
    xmlNodePtr n = dom_self(c->env, c->self);
    str s;
    if (!n || rt_xml_arg_str(c, 0, "text", true, &s) < 0)
        return -1;
    rt_xml_doc *h = rt_xml_doc_new(c->env, true);
    const xmlChar *z = rt_xml_cstr(c->env, s);
    if (!h || !z)
        return -1;
    xmlNodePtr k = type == XML_ELEMENT_NODE   ? xmlNewDocNode(h->doc, NULL, z, NULL)
                   : type == XML_COMMENT_NODE ? xmlNewDocComment(h->doc, z)
                                              : xmlNewDocText(h->doc, z);
    if (!k)
        return rt_xml_oom(c->env);
    rt_xml_link((xmlNodePtr)h->doc, k);
    return rt_xml_dom_wrap(c->env, k, out);
}

static int dd_create_element(xv_call *c, xv *out)
{
    if (c->args[0].kind == XV_NULL || (c->args[0].kind == XV_STR && c->args[0].u.s.len == 0))
        return expr_throw(c->env, "ArgumentException",
                          "The local name for elements or "
                          "attributes cannot be null or an empty "
                          "string.");
    return make_node(c, XML_ELEMENT_NODE, out);
}

static int dd_create_text(xv_call *c, xv *out)
{
    return make_node(c, XML_TEXT_NODE, out);
}

static int dd_create_comment(xv_call *c, xv *out)
{
    return make_node(c, XML_COMMENT_NODE, out);
}

static int dd_load_xml(xv_call *c, xv *out)
{
    *out = xv_null();
    if (c->self.kind != XV_OBJ || c->self.u.obj.cls != &rt_xml_class_xmldocument)
        return rt_xml_null_ref(c->env);
    rt_xml_doc *d = c->self.u.obj.ptr, *nd;
    str text;
    if (rt_xml_arg_str(c, 0, "xml", false, &text) < 0)
        return -1;
    if (rt_xml_parse(c->env, text, false, &nd) < 0)
        return -1;
    d->doc = nd->doc;
    d->has_decl = nd->has_decl;
    d->version = nd->version;
    d->encoding = nd->encoding;
    d->standalone = nd->standalone;
    d->doc->_private = d;
    return 0;
}

static int dd_ctor(xv_call *c, xv *out)
{
    rt_xml_doc *d = rt_xml_doc_new(c->env, false);
    if (!d)
        return -1;
    *out = xv_obj(&rt_xml_class_xmldocument, d);
    return 0;
}

static int dd_name_table(expr_env *env, xv self, xv *out)
{
    if (!dom_self(env, self))
        return -1;
    *out = xv_obj(&rt_xml_class_xmlnametable, (void *)&rt_xml_class_xmlnametable);
    return 0;
}

static int dn_enumerate(expr_env *env, xv self, xv *out)
{
    return dn_child_nodes(env, self, out);
}

static const xv_member xmlnode_members[] = {
    { "Attributes", dn_attributes, &rt_xml_class_xmlattrs, 0, NULL },
    { "ChildNodes", dn_child_nodes, &expr_class_list, 0, NULL },
    { "FirstChild", dn_first_child, &rt_xml_class_xmlnode, 0, NULL },
    { "HasChildNodes", dn_has_children, &expr_class_bool, 0, NULL },
    { "InnerText", dn_inner_text, &expr_class_string, 0, dn_set_inner_text },
    { "InnerXml", dn_inner_xml, &expr_class_string, 0, NULL },
    { "LastChild", dn_last_child, &rt_xml_class_xmlnode, 0, NULL },
    { "LocalName", dn_local_name, &expr_class_string, 0, NULL },
    { "Name", dn_name, &expr_class_string, 0, NULL },
    { "NamespaceURI", dn_ns_uri, &expr_class_string, 0, NULL },
    { "NextSibling", dn_next, &rt_xml_class_xmlnode, 0, NULL },
    { "NodeType", dn_node_type, &rt_xml_class_xmlnodetype, 0, NULL },
    { "OuterXml", dn_outer_xml, &expr_class_string, 0, NULL },
    { "OwnerDocument", dn_owner, &rt_xml_class_xmldocument, 0, NULL },
    { "ParentNode", dn_parent, &rt_xml_class_xmlnode, 0, NULL },
    { "Prefix", dn_prefix, &expr_class_string, 0, NULL },
    { "PreviousSibling", dn_prev, &rt_xml_class_xmlnode, 0, NULL },
    { "Value", dn_value, &expr_class_string, 0, dn_set_value },
};

static const xv_method xmlnode_methods[] = {
    { "AppendChild", 1, 1, dn_append_child, &rt_xml_class_xmlnode, 0, "newChild" },
    { "GetElementsByTagName", 1, 1, dn_by_tag, &expr_class_list, 0, "name" },
    { "SelectNodes", 1, 2, dn_select_nodes, &expr_class_list, 0, "xpath,nsmgr" },
    { "SelectSingleNode", 1, 2, dn_select_single, &rt_xml_class_xmlnode, 0, "xpath,nsmgr" },
    { "ToString", 0, 0, dn_to_string, &expr_class_string, 0, NULL },
};

static const char *const xmlnode_aliases[] = { "System.Xml.XmlNode", NULL };

const xv_class rt_xml_class_xmlnode = {
    .name = "XmlNode",
    .aliases = xmlnode_aliases,
    .flags = XV_CLASS_ENUMERABLE,
    .members = xmlnode_members,
    .nmembers = RT_XML_COUNT(xmlnode_members),
    .methods = xmlnode_methods,
    .nmethods = RT_XML_COUNT(xmlnode_methods),
    .index_get = dn_index,
    .enumerate = dn_enumerate,
};

static const xv_member xmlelement_members[] = {
    { "IsEmpty", dn_is_empty, &expr_class_bool, 0, NULL },
};

static const xv_method xmlelement_methods[] = {
    { "GetAttribute", 1, 1, dn_get_attribute, &expr_class_string, 0, "name" },
    { "HasAttribute", 1, 1, dn_has_attribute, &expr_class_bool, 0, "name" },
    { "SetAttribute", 2, 2, dn_set_attribute, NULL, 0, "name,value" },
};

static const char *const xmlelement_aliases[] = { "System.Xml.XmlElement", NULL };

const xv_class rt_xml_class_xmlelement = {
    .name = "XmlElement",
    .aliases = xmlelement_aliases,
    .base = &rt_xml_class_xmlnode,
    .flags = XV_CLASS_ENUMERABLE,
    .members = xmlelement_members,
    .nmembers = RT_XML_COUNT(xmlelement_members),
    .methods = xmlelement_methods,
    .nmethods = RT_XML_COUNT(xmlelement_methods),
};

static const char *const xmlattr_aliases[] = { "System.Xml.XmlAttribute", NULL };

const xv_class rt_xml_class_xmlattribute = {
    .name = "XmlAttribute",
    .aliases = xmlattr_aliases,
    .base = &rt_xml_class_xmlnode,
};

static const char *const xmltext_aliases[] = { "System.Xml.XmlText", NULL };

const xv_class rt_xml_class_xmltext = {
    .name = "XmlText",
    .aliases = xmltext_aliases,
    .base = &rt_xml_class_xmlnode,
};

static const char *const xmlcomment_aliases[] = { "System.Xml.XmlComment", NULL };

const xv_class rt_xml_class_xmlcomment = {
    .name = "XmlComment",
    .aliases = xmlcomment_aliases,
    .base = &rt_xml_class_xmlnode,
};

static const char *const xmlcdata_aliases[] = { "System.Xml.XmlCDataSection", NULL };

const xv_class rt_xml_class_xmlcdata = {
    .name = "XmlCDataSection",
    .aliases = xmlcdata_aliases,
    .base = &rt_xml_class_xmlnode,
};

static const xv_member xmldocument_members[] = {
    { "DocumentElement", dn_document_element, &rt_xml_class_xmlelement, 0, NULL },
    { "NameTable", dd_name_table, &rt_xml_class_xmlnametable, 0, NULL },
};

static const xv_method xmldocument_methods[] = {
    { "CreateComment", 1, 1, dd_create_comment, &rt_xml_class_xmlcomment, 0, "data" },
    { "CreateElement", 1, 1, dd_create_element, &rt_xml_class_xmlelement, 0, "name" },
    { "CreateTextNode", 1, 1, dd_create_text, &rt_xml_class_xmltext, 0, "text" },
    { "LoadXml", 1, 1, dd_load_xml, NULL, 0, "xml" },
};

static const char *const xmldocument_aliases[] = { "System.Xml.XmlDocument", NULL };

const xv_class rt_xml_class_xmldocument = {
    .name = "XmlDocument",
    .aliases = xmldocument_aliases,
    .base = &rt_xml_class_xmlnode,
    .flags = XV_CLASS_ENUMERABLE,
    .members = xmldocument_members,
    .nmembers = RT_XML_COUNT(xmldocument_members),
    .methods = xmldocument_methods,
    .nmethods = RT_XML_COUNT(xmldocument_methods),
    .ctor = dd_ctor,
    .ctor_min = 0,
    .ctor_max = 0,
};

/* ---- XmlAttributeCollection (ptr: the element) ---- */

static int attrs_count(expr_env *env, xv self, xv *out)
{
    (void)env;
    int64_t n = 0;
    for (xmlAttrPtr a = ((xmlNodePtr)self.u.obj.ptr)->properties; a; a = a->next)
        n++;
    *out = xv_int(n);
    return 0;
}

static int attrs_index(xv_call *c, xv *out)
{
    xmlNodePtr el = c->self.u.obj.ptr;
    xv k = c->args[0];
    *out = xv_null();
    if (k.kind == XV_INT) {
        int64_t i = 0;
        for (xmlAttrPtr a = el->properties; a; a = a->next, i++)
            if (i == k.u.i)
                return rt_xml_dom_wrap(c->env, (xmlNodePtr)a, out);
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Index was out of range. Must be non-negative and less than the size "
                          "of the collection.");
    }
    str name;
    if (rt_xml_arg_str(c, 0, "name", false, &name) < 0)
        return -1;
    return rt_xml_dom_wrap(c->env, (xmlNodePtr)attr_by_qname(c->env, el, name), out);
}

static int attrs_enumerate(expr_env *env, xv self, xv *out)
{
    xv_list *l = xv_list_new(env, XV_LIST_SEQ, &rt_xml_class_xmlattribute);
    if (!l)
        return -1;
    for (xmlAttrPtr a = ((xmlNodePtr)self.u.obj.ptr)->properties; a; a = a->next) {
        xv v;
        if (rt_xml_dom_wrap(env, (xmlNodePtr)a, &v) < 0 || xv_list_push(env, l, v) < 0)
            return -1;
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static const xv_member attrs_members[] = {
    { "Count", attrs_count, &expr_class_int, 0, NULL },
};

const xv_class rt_xml_class_xmlattrs = {
    .name = "XmlAttributeCollection",
    .flags = XV_CLASS_ENUMERABLE,
    .members = attrs_members,
    .nmembers = RT_XML_COUNT(attrs_members),
    .index_get = attrs_index,
    .enumerate = attrs_enumerate,
};
