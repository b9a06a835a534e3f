#ifndef RUNTIME_XML_H
#define RUNTIME_XML_H

/* System.Xml.Linq and System.Xml for policy expressions, over libxml2 (expr/ never sees
 * libxml2: these classes join the expression language through expr_register_lib, see
 * exprlibs.h). Internal header of the runtime/xml*.c files.
 *
 * Object model: every XML object is an XV_OBJ whose ptr is a libxml2 node (xmlNodePtr; an
 * xmlAttrPtr for attributes), except documents (rt_xml_doc), names (rt_xname), readers and
 * namespace managers. Every node belongs to a document whose xmlFreeDoc is deferred on the
 * evaluation arena; nodes are never freed one by one (a removed node moves to a fresh
 * "holder" document) so no xv can dangle. Documents are parsed with XML_PARSE_NODICT, so
 * nodes can move between documents. */

#include <libxml/tree.h>
#include <stdbool.h>

#include "../expr/expr.h"

#define RT_XML_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A document (XDocument, XmlDocument) and its XML declaration as written. doc->_private
 * points back here. */
typedef struct rt_xml_doc {
    xmlDocPtr doc; /* NULL only for an XmlDocument before LoadXml */
    bool holder;   /* made to own a free-standing node (new XElement, Remove()) */
    bool has_decl; /* the text had <?xml ...?> */
    str version, encoding, standalone; /* its pseudo-attributes; empty when absent */
} rt_xml_doc;

/* An expanded name: namespace URI ("" = none) and local name. */
typedef struct rt_xname {
    str ns, local;
} rt_xname;

/* ---- xml_parse.c ---- */

/* Parses text as XDocument.Parse / XmlDocument.LoadXml do: DOCTYPE prohibited, no network,
 * no entity substitution, whitespace-only text dropped unless preserve_ws, <a></a> kept
 * distinct from <a/> (an empty text child). Throws XmlException with a line and position. */
int rt_xml_parse(expr_env *env, str text, bool preserve_ws, rt_xml_doc **out);
/* A new empty document owned by the arena (holder: owns free-standing nodes). */
rt_xml_doc *rt_xml_doc_new(expr_env *env, bool holder);
/* The rt_xml_doc of a node's document. */
rt_xml_doc *rt_xml_docinfo(xmlNodePtr n);
/* Scans the prolog of text: sets *decl_end to the end of an XML declaration (0 if none) and
 * returns the offset of a <!DOCTYPE (or -1 when there is none). */
long rt_xml_prolog(str text, size_t *decl_end);
/* Fills d's declaration fields from text[0..decl_end). */
void rt_xml_read_decl(expr_env *env, rt_xml_doc *d, str text, size_t decl_end);
/* Throws XmlException: "DTD is prohibited..." at the DOCTYPE's line/position. */
int rt_xml_throw_dtd(expr_env *env, str text, long off);
/* Throws XmlException with fmt. */
int rt_xml_throw(expr_env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rt_xml_null_ref(expr_env *env);
int rt_xml_oom(expr_env *env);
/* The node's own text as a str in the env arena ("" for NULL). ptr NULL at the arena cap. */
str rt_xml_dup(expr_env *env, const xmlChar *s);
/* Moves n out of its tree into a new holder document (it stays alive, parent-less). */
int rt_xml_detach(expr_env *env, xmlNodePtr n);
/* Links a parent-less child (not an attribute) as the last child of parent, without merging
 * text nodes as xmlAddChild does (it may free a text node an xv still points at). */
void rt_xml_link(xmlNodePtr parent, xmlNodePtr child);
/* Appends child under parent: moves it when it is free-standing (root of a holder document),
 * copies it otherwise. *added is the node now in the tree. */
int rt_xml_adopt(expr_env *env, xmlNodePtr parent, xmlNodePtr child, xmlNodePtr *added);
/* Argument i as a string (null -> *out NULL ptr when allow_null, else ArgumentNullException). */
int rt_xml_arg_str(xv_call *c, size_t i, const char *what, bool allow_null, str *out);
/* Same text as a NUL-terminated arena copy (libxml2 wants C strings). */
const xmlChar *rt_xml_cstr(expr_env *env, str s);
/* The parse hook for context.Request.Body.As<XDocument|XElement|XNode>(). */
int rt_xml_body_parse(expr_env *env, str text, const xv_class *want, xv *out);

/* ---- xml_write.c ---- */

enum rt_xml_write_flags {
    RT_XW_INDENT = 1 << 0, /* XmlWriter Indent = true, two spaces (ToString()) */
    RT_XW_DECL = 1 << 1,   /* write the document's XML declaration (XmlDocument.OuterXml) */
    RT_XW_DOM = 1 << 2,    /* XmlDocument flavour: skip empty text markers */
    RT_XW_INNER = 1 << 3,  /* only the children (InnerXml) */
};
/* Serializes n like .NET's XmlWriter (ToString, OuterXml, InnerXml). */
int rt_xml_write(expr_env *env, xmlNodePtr n, unsigned flags, str *out);
/* The entity XmlWriter writes for character c of text (attr: of an attribute value), or NULL
 * when c is written as itself. */
const char *rt_xml_escape_char(unsigned c, bool attr);
/* The concatenated text of n's descendants (XElement.Value, XmlNode.InnerText); a text,
 * comment or attribute node's own value. */
int rt_xml_text(expr_env *env, xmlNodePtr n, str *out);
/* Replaces n's children with one text node holding s ("" keeps <a></a>). */
int rt_xml_set_text(expr_env *env, xmlNodePtr n, str s);

/* ---- xml_name.c: XName, XNamespace, LoadOptions, SaveOptions ---- */

extern const xv_class rt_xml_class_xname, rt_xml_class_xnamespace, rt_xml_class_loadoptions,
    rt_xml_class_saveoptions;
/* A name argument: a string ("local" or "{ns}local") or an XName. */
int rt_xml_arg_name(xv_call *c, size_t i, rt_xname *out);
/* The namespace URI of an element or attribute ("" when none). */
str rt_xml_node_ns(xmlNodePtr n);
/* True when element/attribute n has the expanded name nm. */
bool rt_xml_name_is(xmlNodePtr n, const rt_xname *nm);
/* The XName of element/attribute n. */
int rt_xml_node_xname(expr_env *env, xmlNodePtr n, xv *out);
/* An xmlNs for uri usable on element el (declared on el when missing); attributes need a
 * prefix (for_attr). */
xmlNsPtr rt_xml_ns_for(expr_env *env, xmlNodePtr el, str uri, bool for_attr);
/* The qualified name of n (prefix:local) in the env arena. */
str rt_xml_qname(expr_env *env, xmlNodePtr n);

/* ---- xml_linq.c / xml_linq2.c ---- */

extern const xv_class rt_xml_class_xobject, rt_xml_class_xnode, rt_xml_class_xcontainer,
    rt_xml_class_xelement, rt_xml_class_xdocument, rt_xml_class_xattribute, rt_xml_class_xtext,
    rt_xml_class_xcdata, rt_xml_class_xcomment, rt_xml_class_xpi, rt_xml_class_xdeclaration;
/* The LINQ to XML object for a node (XElement, XText, ... ; XDocument for a document node);
 * n == NULL gives null. */
int rt_xml_linq_wrap(expr_env *env, xmlNodePtr n, xv *out);
/* self as a node of the LINQ classes (NULL after a NullReferenceException). */
xmlNodePtr rt_xml_linq_self(expr_env *env, xv self);
bool rt_xml_class_is(const xv_class *c, const xv_class *base);
/* self.u.obj.ptr when self is an object of exactly cls (NULL after a NullReferenceException). */
void *rt_xml_self_of(expr_env *env, xv self, const xv_class *cls);
/* self as an XElement node (NULL after a NullReferenceException). */
xmlNodePtr rt_xml_xelement_self(expr_env *env, xv self);
/* The explicit operators (string)x, (int)x, (DateTime?)x ... of an XElement or XAttribute x
 * (x may be null); what names it in the FormatException. */
int rt_xml_linq_convert(expr_env *env, xv self, const char *what, const xv_type *to, xv *out);
/* The element a container stands for: the root for a document. */
xmlNodePtr rt_xml_container_node(xv self);
/* Adds LINQ content (string, XNode, XAttribute, enumerable, null) to element/document n. */
int rt_xml_add_content(expr_env *env, xmlNodePtr n, xv content);
/* The text LINQ to XML makes of a value (bool as true/false, else ToString()). */
int rt_xml_content_text(expr_env *env, xv v, str *out);
/* XElement members implemented in xml_linq2.c: new XElement(...), Attribute(name),
 * Attributes([name]), FirstAttribute, SetAttributeValue, SetElementValue, RemoveAttributes. */
int rt_xml_xelement_ctor(xv_call *c, xv *out);
int rt_xml_xelement_attr(xv_call *c, xv *out);
int rt_xml_xelement_attrs(xv_call *c, xv *out);
int rt_xml_xelement_first_attr(expr_env *env, xv self, xv *out);
int rt_xml_xelement_set_attr(xv_call *c, xv *out);
int rt_xml_xelement_set_elem(xv_call *c, xv *out);
int rt_xml_xelement_remove_attrs(xv_call *c, xv *out);
/* Value of a LINQ node (XElement, XAttribute, XText, XComment, XProcessingInstruction.Data):
 * get, set (null throws ArgumentNullException) and the SetValue(value) method. */
int rt_xml_node_value(expr_env *env, xv self, xv *out);
int rt_xml_node_set_value(expr_env *env, xv self, xv val);
int rt_xml_node_set_value_m(xv_call *c, xv *out);

/* ---- xml_reader.c: XmlReader, XmlNodeType, XmlReaderSettings; xml_io.c: StringReader,
 * StringWriter ---- */

extern const xv_class rt_xml_class_xmlreader, rt_xml_class_xmlnodetype, rt_xml_class_stringreader,
    rt_xml_class_stringwriter;
/* XNode.ReadFrom(reader) */
int rt_xml_reader_read_from(xv_call *c, xv *out);
/* The text a StringReader has left (and marks it read); ptr NULL when v is no StringReader. */
str rt_xml_stringreader_take(xv v);
/* An XmlNodeType enum value. */
xv rt_xml_nodetype(int v);

/* ---- xml_dom.c, xml_xpath.c: XmlDocument, XmlNode..., XmlNamespaceManager ---- */

extern const xv_class rt_xml_class_xmldocument, rt_xml_class_xmlnode, rt_xml_class_xmlelement,
    rt_xml_class_xmlattribute, rt_xml_class_xmltext, rt_xml_class_xmlcomment, rt_xml_class_xmlcdata,
    rt_xml_class_xmlattrs, rt_xml_class_xmlnsmgr, rt_xml_class_xmlnametable,
    rt_xml_class_xmlexception, rt_xml_class_xpathexception;
/* The XmlNode object for a node (n == NULL gives null). */
int rt_xml_dom_wrap(expr_env *env, xmlNodePtr n, xv *out);
/* SelectSingleNode / SelectNodes from context node n (nsmgr may be null). */
int rt_xml_xpath(xv_call *c, xmlNodePtr n, bool single, xv *out);

/* ---- xml.c ---- */
extern const xv_lib rt_xml_lib;

#endif
