/* LINQ to XML navigation: XObject, XNode, XContainer, XElement and XDocument over libxml2
 * nodes. XElement/XText/... objects point at the node; XDocument at its rt_xml_doc.
 * Construction, attributes and the small node classes are in xml_linq2.c. */
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

#include "xml.h"

bool rt_xml_class_is(const xv_class *c, const xv_class *base)
{
    for (; c; c = c->base)
        if (c == base)
            return true;
    return false;
}

xmlNodePtr rt_xml_linq_self(expr_env *env, xv self)
{
    if (self.kind == XV_OBJ && self.u.obj.cls == &rt_xml_class_xdocument)
        return (xmlNodePtr)((rt_xml_doc *)self.u.obj.ptr)->doc;
    if (self.kind == XV_OBJ && rt_xml_class_is(self.u.obj.cls, &rt_xml_class_xobject))
        return self.u.obj.ptr;
    rt_xml_null_ref(env);
    return NULL;
}

xmlNodePtr rt_xml_container_node(xv self)
{
    if (self.kind == XV_OBJ && self.u.obj.cls == &rt_xml_class_xdocument)
        return (xmlNodePtr)((rt_xml_doc *)self.u.obj.ptr)->doc;
    return self.kind == XV_OBJ ? self.u.obj.ptr : NULL;
}

int rt_xml_linq_wrap(expr_env *env, xmlNodePtr n, xv *out)
{
    const xv_class *cls;
    *out = xv_null();
    if (!n)
        return 0;
    switch (n->type) {
    case XML_ELEMENT_NODE:
        cls = &rt_xml_class_xelement;
        break;
    case XML_TEXT_NODE:
        cls = &rt_xml_class_xtext;
        break;
    case XML_CDATA_SECTION_NODE:
        cls = &rt_xml_class_xcdata;
        break;
    case XML_COMMENT_NODE:
        cls = &rt_xml_class_xcomment;
        break;
    case XML_PI_NODE:
        cls = &rt_xml_class_xpi;
        break;
    case XML_ATTRIBUTE_NODE:
        cls = &rt_xml_class_xattribute;
        break;
    case XML_DOCUMENT_NODE:
        if (!n->_private)
            return 0;
        *out = xv_obj(&rt_xml_class_xdocument, n->_private);
        return 0;
    default:
        (void)env;
        return 0;
    }
    *out = xv_obj(cls, n);
    return 0;
}

static bool is_linq_node(xmlNodePtr n)
{
    return n->type == XML_ELEMENT_NODE || n->type == XML_TEXT_NODE ||
           n->type == XML_CDATA_SECTION_NODE || n->type == XML_COMMENT_NODE ||
           n->type == XML_PI_NODE;
}

static int list_out(xv_list *l, xv *out)
{
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static int push_node(expr_env *env, xv_list *l, xmlNodePtr n)
{
    xv v;
    return rt_xml_linq_wrap(env, n, &v) < 0 ? -1 : xv_list_push(env, l, v);
}

/* Optional name filter argument i: *has = false when absent; null matches nothing. */
static int name_filter(xv_call *c, size_t i, bool *has, bool *none, rt_xname *nm)
{
    *has = i < c->nargs;
    *none = *has && c->args[i].kind == XV_NULL;
    if (!*has || *none)
        return 0;
    return rt_xml_arg_name(c, i, nm);
}

/* ---- XObject / XNode ---- */

static int xo_parent(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(env, self);
    if (!n)
        return -1;
    xmlNodePtr p = n->parent;
    *out = xv_null();
    if (p && p->type == XML_ELEMENT_NODE && p->_private != (void *)&rt_xml_class_xattribute)
        return rt_xml_linq_wrap(env, p, out);
    return 0;
}

static int xo_document(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(env, self);
    if (!n)
        return -1;
    rt_xml_doc *d = rt_xml_docinfo(n);
    *out = d && !d->holder ? xv_obj(&rt_xml_class_xdocument, d) : xv_null();
    return 0;
}

static int xo_nodetype(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(env, self);
    if (!n)
        return -1;
    *out = rt_xml_nodetype(n->type == XML_DOCUMENT_NODE ? 9 : (int)n->type);
    return 0;
}

static int sibling(expr_env *env, xv self, bool next, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(env, self);
    if (!n)
        return -1;
    xmlNodePtr s = n;
    do
        s = next ? s->next : s->prev;
    while (s && !is_linq_node(s));
    if (n->type == XML_ATTRIBUTE_NODE || (n->parent && n->parent->type == XML_DOCUMENT_NODE &&
                                          rt_xml_docinfo(n) && rt_xml_docinfo(n)->holder))
        s = NULL;
    return rt_xml_linq_wrap(env, s, out);
}

static int xn_next(expr_env *env, xv self, xv *out)
{
    return sibling(env, self, true, out);
}

static int xn_prev(expr_env *env, xv self, xv *out)
{
    return sibling(env, self, false, out);
}

static int xn_to_string(xv_call *c, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(c->env, c->self);
    if (!n)
        return -1;
    bool flat = c->nargs > 0 && ((c->args[0].kind == XV_ENUM && (c->args[0].u.en.v & 1)) ||
                                 (c->args[0].kind == XV_INT && (c->args[0].u.i & 1)));
    str s;
    if (rt_xml_write(c->env, n, flat ? 0 : RT_XW_INDENT, &s) < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

static int xn_remove(xv_call *c, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(c->env, c->self);
    if (!n)
        return -1;
    *out = xv_null();
    rt_xml_doc *d = rt_xml_docinfo(n);
    if (!n->parent || (d && d->holder && n->parent == (xmlNodePtr)n->doc))
        return expr_throw(c->env, "InvalidOperationException", "The parent is missing.");
    return rt_xml_detach(c->env, n);
}

static int ancestors(xv_call *c, bool self_too, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(c->env, c->self);
    bool has, none;
    rt_xname nm;
    if (!n || name_filter(c, 0, &has, &none, &nm) < 0)
        return -1;
    xv_list *l = xv_list_new(c->env, XV_LIST_SEQ, &rt_xml_class_xelement);
    if (!l)
        return -1;
    for (xmlNodePtr p = self_too ? n : n->parent; p && !none; p = p->parent) {
        if (p->type != XML_ELEMENT_NODE || p->_private == (void *)&rt_xml_class_xattribute)
            continue;
        if ((!has || rt_xml_name_is(p, &nm)) && push_node(c->env, l, p) < 0)
            return -1;
    }
    return list_out(l, out);
}

static int xn_ancestors(xv_call *c, xv *out)
{
    return ancestors(c, false, out);
}

static int xe_ancestors_self(xv_call *c, xv *out)
{
    return ancestors(c, true, out);
}

/* The child elements of self (after: its following sibling elements), filtered by the optional
 * name argument. */
static int elements_of(xv_call *c, bool after, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(c->env, c->self);
    bool has, none;
    rt_xname nm;
    if (!n || name_filter(c, 0, &has, &none, &nm) < 0)
        return -1;
    xv_list *l = xv_list_new(c->env, XV_LIST_SEQ, &rt_xml_class_xelement);
    if (!l)
        return -1;
    for (xmlNodePtr k = after ? n->next : n->children; k && !none; k = k->next)
        if (k->type == XML_ELEMENT_NODE && (!has || rt_xml_name_is(k, &nm)) &&
            push_node(c->env, l, k) < 0)
            return -1;
    return list_out(l, out);
}

static int xn_elements_after(xv_call *c, xv *out)
{
    return elements_of(c, true, out);
}

static const xv_member xobject_members[] = {
    { "Document", xo_document, &rt_xml_class_xdocument, 0, NULL },
    { "NodeType", xo_nodetype, &rt_xml_class_xmlnodetype, 0, NULL },
    { "Parent", xo_parent, &rt_xml_class_xelement, 0, NULL },
};

const xv_class rt_xml_class_xobject = {
    .name = "XObject",
    .members = xobject_members,
    .nmembers = RT_XML_COUNT(xobject_members),
};

static const xv_member xnode_members[] = {
    { "NextNode", xn_next, &rt_xml_class_xnode, 0, NULL },
    { "PreviousNode", xn_prev, &rt_xml_class_xnode, 0, NULL },
};

static const xv_method xnode_methods[] = {
    { "Ancestors", 0, 1, xn_ancestors, &expr_class_list, 0, "name" },
    { "ElementsAfterSelf", 0, 1, xn_elements_after, &expr_class_list, 0, "name" },
    { "Remove", 0, 0, xn_remove, NULL, 0, NULL },
    { "ToString", 0, 1, xn_to_string, &expr_class_string, 0, "options" },
};

static const xv_method xnode_smethods[] = {
    { "ReadFrom", 1, 1, rt_xml_reader_read_from, &rt_xml_class_xnode, 0, "reader" },
};

static const char *const xnode_aliases[] = { "System.Xml.Linq.XNode", NULL };

const xv_class rt_xml_class_xnode = {
    .name = "XNode",
    .aliases = xnode_aliases,
    .base = &rt_xml_class_xobject,
    .members = xnode_members,
    .nmembers = RT_XML_COUNT(xnode_members),
    .methods = xnode_methods,
    .nmethods = RT_XML_COUNT(xnode_methods),
    .smethods = xnode_smethods,
    .nsmethods = RT_XML_COUNT(xnode_smethods),
};

/* ---- XContainer ---- */

static int xc_first(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(env, self);
    if (!n)
        return -1;
    xmlNodePtr c = n->children;
    while (c && !is_linq_node(c))
        c = c->next;
    if (c && c->type == XML_TEXT_NODE && !c->content[0] && !c->next)
        c = NULL; /* <a></a> has no nodes */
    return rt_xml_linq_wrap(env, c, out);
}

static int xc_last(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(env, self);
    if (!n)
        return -1;
    xmlNodePtr c = n->last;
    while (c && !is_linq_node(c))
        c = c->prev;
    if (c && c->type == XML_TEXT_NODE && !c->content[0] && !c->prev)
        c = NULL;
    return rt_xml_linq_wrap(env, c, out);
}

static int xc_nodes(xv_call *c, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(c->env, c->self);
    if (!n)
        return -1;
    xv_list *l = xv_list_new(c->env, XV_LIST_SEQ, &rt_xml_class_xnode);
    if (!l)
        return -1;
    for (xmlNodePtr k = n->children; k; k = k->next) {
        if (!is_linq_node(k) || (k->type == XML_TEXT_NODE && !k->content[0]))
            continue;
        if (push_node(c->env, l, k) < 0)
            return -1;
    }
    return list_out(l, out);
}

static int xc_elements(xv_call *c, xv *out)
{
    return elements_of(c, false, out);
}

static int xc_element(xv_call *c, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(c->env, c->self);
    rt_xname nm;
    *out = xv_null();
    if (!n)
        return -1;
    if (c->args[0].kind == XV_NULL)
        return 0;
    if (rt_xml_arg_name(c, 0, &nm) < 0)
        return -1;
    for (xmlNodePtr k = n->children; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE && rt_xml_name_is(k, &nm))
            return rt_xml_linq_wrap(c->env, k, out);
    return 0;
}

/* Pre-order walk below n (and n itself when self_too): elements only unless all_nodes. */
static int descend(xv_call *c, bool self_too, bool all_nodes, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(c->env, c->self);
    bool has, none;
    rt_xname nm;
    if (!n || name_filter(c, 0, &has, &none, &nm) < 0)
        return -1;
    xv_list *l =
        xv_list_new(c->env, XV_LIST_SEQ, all_nodes ? &rt_xml_class_xnode : &rt_xml_class_xelement);
    if (!l)
        return -1;
    if (none)
        return list_out(l, out);
    if (self_too && n->type == XML_ELEMENT_NODE && (!has || rt_xml_name_is(n, &nm)) &&
        push_node(c->env, l, n) < 0)
        return -1;
    for (xmlNodePtr k = n->children; k;) {
        bool take = all_nodes ? is_linq_node(k) && !(k->type == XML_TEXT_NODE && !k->content[0])
                              : k->type == XML_ELEMENT_NODE && (!has || rt_xml_name_is(k, &nm));
        if (take && push_node(c->env, l, k) < 0)
            return -1;
        if (k->type == XML_ELEMENT_NODE && k->children) {
            k = k->children;
            continue;
        }
        while (k && k != n && !k->next)
            k = k->parent;
        k = k && k != n ? k->next : NULL;
    }
    return list_out(l, out);
}

static int xc_descendants(xv_call *c, xv *out)
{
    return descend(c, false, false, out);
}

static int xc_descendant_nodes(xv_call *c, xv *out)
{
    return descend(c, false, true, out);
}

static int xe_descendants_self(xv_call *c, xv *out)
{
    return descend(c, true, false, out);
}

static int xc_add(xv_call *c, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(c->env, c->self);
    *out = xv_null();
    if (!n)
        return -1;
    for (size_t i = 0; i < c->nargs; i++)
        if (rt_xml_add_content(c->env, n, c->args[i]) < 0)
            return -1;
    return 0;
}

static int xc_remove_nodes(xv_call *c, xv *out)
{
    xmlNodePtr n = rt_xml_linq_self(c->env, c->self);
    *out = xv_null();
    if (!n)
        return -1;
    while (n->children)
        if (rt_xml_detach(c->env, n->children) < 0)
            return -1;
    return 0;
}

static const xv_member xcontainer_members[] = {
    { "FirstNode", xc_first, &rt_xml_class_xnode, 0, NULL },
    { "LastNode", xc_last, &rt_xml_class_xnode, 0, NULL },
};

static const xv_method xcontainer_methods[] = {
    { "Add", 1, 1, xc_add, NULL, XV_M_VARARGS, NULL },
    { "DescendantNodes", 0, 0, xc_descendant_nodes, &expr_class_list, 0, NULL },
    { "Descendants", 0, 1, xc_descendants, &expr_class_list, 0, "name" },
    { "Element", 1, 1, xc_element, &rt_xml_class_xelement, 0, "name" },
    { "Elements", 0, 1, xc_elements, &expr_class_list, 0, "name" },
    { "Nodes", 0, 0, xc_nodes, &expr_class_list, 0, NULL },
    { "RemoveNodes", 0, 0, xc_remove_nodes, NULL, 0, NULL },
};

const xv_class rt_xml_class_xcontainer = {
    .name = "XContainer",
    .base = &rt_xml_class_xnode,
    .members = xcontainer_members,
    .nmembers = RT_XML_COUNT(xcontainer_members),
    .methods = xcontainer_methods,
    .nmethods = RT_XML_COUNT(xcontainer_methods),
};

/* ---- XElement ---- */

void *rt_xml_self_of(expr_env *env, xv self, const xv_class *cls)
{
    if (self.kind == XV_OBJ && self.u.obj.cls == cls)
        return self.u.obj.ptr;
    rt_xml_null_ref(env);
    return NULL;
}

xmlNodePtr rt_xml_xelement_self(expr_env *env, xv self)
{
    return rt_xml_self_of(env, self, &rt_xml_class_xelement);
}

static int xe_name(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = rt_xml_xelement_self(env, self);
    return n ? rt_xml_node_xname(env, n, out) : -1;
}

/* XmlConvert.ToString(DateTime, RoundtripKind): 2026-01-02T03:04:05[.fffffff][Z|+00:00]. */
static int iso_datetime(expr_env *env, xv v, str *out)
{
    int64_t ticks = v.u.dt.ticks;
    int64_t days = ticks / 864000000000LL, rem = ticks % 864000000000LL;
    /* civil_from_days (H. Hinnant), from 0001-01-01 = day 0 */
    int64_t z = days - 719162 + 719468; /* days since 1970-01-01, shifted to 0000-03-01 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    int64_t secs = rem / 10000000, frac = rem % 10000000;
    char fr[16] = "";
    if (frac) {
        snprintf(fr, sizeof fr, ".%07lld", (long long)frac);
        size_t n = strlen(fr);
        while (n > 1 && fr[n - 1] == '0')
            fr[--n] = '\0';
    }
    const char *zone = v.sub == XV_SUB_DTO          ? "+00:00"
                       : v.u.dt.kind == XV_DT_UTC   ? "Z"
                       : v.u.dt.kind == XV_DT_LOCAL ? "+00:00"
                                                    : "";
    xv r;
    if (xv_str_printf(env, &r, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld%s%s", (long long)y,
                      (long long)m, (long long)d, (long long)(secs / 3600),
                      (long long)(secs / 60 % 60), (long long)(secs % 60), fr, zone) < 0)
        return -1;
    *out = r.u.s;
    return 0;
}

/* The text of a value as LINQ to XML writes it (XmlConvert: true/false, ISO dates). */
static int content_text(expr_env *env, xv v, str *out)
{
    if (v.kind == XV_BOOL) {
        *out = v.u.b ? STR_LIT("true") : STR_LIT("false");
        return 0;
    }
    if (v.kind == XV_DATETIME)
        return iso_datetime(env, v, out);
    return xv_to_string(env, v, out);
}

static int xe_has_elements(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = rt_xml_xelement_self(env, self);
    if (!n)
        return -1;
    bool has = false;
    for (xmlNodePtr k = n->children; k && !has; k = k->next)
        has = k->type == XML_ELEMENT_NODE;
    *out = xv_bool(has);
    return 0;
}

static int xe_has_attributes(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = rt_xml_xelement_self(env, self);
    if (!n)
        return -1;
    *out = xv_bool(n->properties != NULL);
    return 0;
}

static int xe_is_empty(expr_env *env, xv self, xv *out)
{
    xmlNodePtr n = rt_xml_xelement_self(env, self);
    if (!n)
        return -1;
    *out = xv_bool(n->children == NULL);
    return 0;
}

int rt_xml_content_text(expr_env *env, xv v, str *out)
{
    return content_text(env, v, out);
}

static int xe_parse(xv_call *c, xv *out)
{
    str text;
    rt_xml_doc *d;
    if (rt_xml_arg_str(c, 0, "text", false, &text) < 0)
        return -1;
    bool preserve = c->nargs > 1 && c->args[1].kind == XV_ENUM && (c->args[1].u.en.v & 1);
    if (rt_xml_parse(c->env, text, preserve, &d) < 0)
        return -1;
    d->holder = true; /* a parsed XElement has no document and no parent */
    return rt_xml_linq_wrap(c->env, xmlDocGetRootElement(d->doc), out);
}

static int xe_remove_all(xv_call *c, xv *out)
{
    if (rt_xml_xelement_remove_attrs(c, out) < 0)
        return -1;
    return xc_remove_nodes(c, out);
}

static const xv_member xelement_members[] = {
    { "FirstAttribute", rt_xml_xelement_first_attr, &rt_xml_class_xattribute, 0, NULL },
    { "HasAttributes", xe_has_attributes, &expr_class_bool, 0, NULL },
    { "HasElements", xe_has_elements, &expr_class_bool, 0, NULL },
    { "IsEmpty", xe_is_empty, &expr_class_bool, 0, NULL },
    { "Name", xe_name, &rt_xml_class_xname, 0, NULL },
    { "Value", rt_xml_node_value, &expr_class_string, 0, rt_xml_node_set_value },
};

static const xv_method xelement_methods[] = {
    { "AncestorsAndSelf", 0, 1, xe_ancestors_self, &expr_class_list, 0, "name" },
    { "Attribute", 1, 1, rt_xml_xelement_attr, &rt_xml_class_xattribute, 0, "name" },
    { "Attributes", 0, 1, rt_xml_xelement_attrs, &expr_class_list, 0, "name" },
    { "DescendantsAndSelf", 0, 1, xe_descendants_self, &expr_class_list, 0, "name" },
    { "RemoveAll", 0, 0, xe_remove_all, NULL, 0, NULL },
    { "RemoveAttributes", 0, 0, rt_xml_xelement_remove_attrs, NULL, 0, NULL },
    { "SetAttributeValue", 2, 2, rt_xml_xelement_set_attr, NULL, 0, "name,value" },
    { "SetElementValue", 2, 2, rt_xml_xelement_set_elem, NULL, 0, "name,value" },
    { "SetValue", 1, 1, rt_xml_node_set_value_m, NULL, 0, "value" },
};

static const xv_method xelement_smethods[] = {
    { "Parse", 1, 2, xe_parse, &rt_xml_class_xelement, 0, "text,options" },
};

static const char *const xelement_aliases[] = { "System.Xml.Linq.XElement", NULL };

/* The explicit operators (string)el, (int)el, (DateTime?)el ... (el may be null). */
int rt_xml_linq_convert(expr_env *env, xv self, const char *what, const xv_type *to, xv *out)
{
    str s = STR_LIT("");
    xmlNodePtr n = self.kind == XV_OBJ ? rt_xml_linq_self(env, self) : NULL;
    if (n && rt_xml_text(env, n, &s) < 0)
        return -1;
    return expr_xml_text_convert(env, s, n == NULL, what, to, out);
}

static int xe_convert(expr_env *env, xv self, const xv_type *to, xv *out)
{
    return rt_xml_linq_convert(env, self, "element", to, out);
}

const xv_class rt_xml_class_xelement = {
    .name = "XElement",
    .aliases = xelement_aliases,
    .base = &rt_xml_class_xcontainer,
    .members = xelement_members,
    .nmembers = RT_XML_COUNT(xelement_members),
    .methods = xelement_methods,
    .nmethods = RT_XML_COUNT(xelement_methods),
    .smethods = xelement_smethods,
    .nsmethods = RT_XML_COUNT(xelement_smethods),
    .ctor = rt_xml_xelement_ctor,
    .ctor_min = 1,
    .ctor_max = 255,
    .convert = xe_convert,
};

/* ---- XDocument ---- */

static const rt_xml_doc *self_doc(expr_env *env, xv self)
{
    return rt_xml_self_of(env, self, &rt_xml_class_xdocument);
}

static int xd_root(expr_env *env, xv self, xv *out)
{
    const rt_xml_doc *d = self_doc(env, self);
    return d ? rt_xml_linq_wrap(env, xmlDocGetRootElement(d->doc), out) : -1;
}

static int xd_declaration(expr_env *env, xv self, xv *out)
{
    const rt_xml_doc *d = self_doc(env, self);
    if (!d)
        return -1;
    *out = d->has_decl ? xv_obj(&rt_xml_class_xdeclaration, (void *)d) : xv_null();
    return 0;
}

static int xd_parse(xv_call *c, xv *out)
{
    str text;
    rt_xml_doc *d;
    if (rt_xml_arg_str(c, 0, "text", false, &text) < 0)
        return -1;
    bool preserve = c->nargs > 1 && c->args[1].kind == XV_ENUM && (c->args[1].u.en.v & 1);
    if (rt_xml_parse(c->env, text, preserve, &d) < 0)
        return -1;
    *out = xv_obj(&rt_xml_class_xdocument, d);
    return 0;
}

/* new XDocument(content...) */
static int xd_ctor(xv_call *c, xv *out)
{
    rt_xml_doc *d = rt_xml_doc_new(c->env, false);
    if (!d)
        return -1;
    size_t i = 0;
    if (c->nargs > 0 && c->args[0].kind == XV_OBJ &&
        c->args[0].u.obj.cls == &rt_xml_class_xdeclaration) {
        const rt_xml_doc *src = c->args[0].u.obj.ptr;
        d->has_decl = true;
        d->version = src->version;
        d->encoding = src->encoding;
        d->standalone = src->standalone;
        i = 1;
    }
    for (; i < c->nargs; i++)
        if (rt_xml_add_content(c->env, (xmlNodePtr)d->doc, c->args[i]) < 0)
            return -1;
    *out = xv_obj(&rt_xml_class_xdocument, d);
    return 0;
}

static const xv_member xdocument_members[] = {
    { "Declaration", xd_declaration, &rt_xml_class_xdeclaration, 0, NULL },
    { "Root", xd_root, &rt_xml_class_xelement, 0, NULL },
};

static const xv_method xdocument_smethods[] = {
    { "Parse", 1, 2, xd_parse, &rt_xml_class_xdocument, 0, "text,options" },
};

static const char *const xdocument_aliases[] = { "System.Xml.Linq.XDocument", NULL };

const xv_class rt_xml_class_xdocument = {
    .name = "XDocument",
    .aliases = xdocument_aliases,
    .base = &rt_xml_class_xcontainer,
    .members = xdocument_members,
    .nmembers = RT_XML_COUNT(xdocument_members),
    .smethods = xdocument_smethods,
    .nsmethods = RT_XML_COUNT(xdocument_smethods),
    .ctor = xd_ctor,
    .ctor_min = 0,
    .ctor_max = 255,
};
