/* XmlReader over libxml2's xmlTextReader (a forward-only cursor, as .NET's), XmlNodeType,
 * and XNode.ReadFrom(reader). XmlReader.Create takes a TextReader (new StringReader(text));
 * a string argument is a URI in .NET and is refused. A DOCTYPE throws XmlException at the
 * first Read (DtdProcessing.Prohibit, the default of XmlReader.Create). The XML declaration
 * is reported as an XmlDeclaration node as .NET does (libxml2's reader skips it). */
#include <libxml/xmlreader.h>
#include <stdio.h>
#include <string.h>

#include "../runtime/base/buf.h"
#include "xml.h"

#define READER_OPTIONS                                                                             \
    (XML_PARSE_NONET | XML_PARSE_NODICT | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |                \
     XML_PARSE_IGNORE_ENC)

enum {
    NT_NONE = 0,
    NT_ELEMENT = 1,
    NT_ATTRIBUTE = 2,
    NT_TEXT = 3,
    NT_CDATA = 4,
    NT_ENTITYREF = 5,
    NT_PI = 7,
    NT_COMMENT = 8,
    NT_WHITESPACE = 13,
    NT_SIGWHITESPACE = 14,
    NT_ENDELEMENT = 15,
    NT_ENDENTITY = 16,
    NT_DECL = 17,
};

enum rd_state { RD_INITIAL, RD_DECL, RD_READING, RD_EOF, RD_CLOSED, RD_ERROR };

typedef struct xreader {
    xmlTextReaderPtr r;
    str text;
    enum rd_state state;
    size_t decl_end; /* length of the XML declaration, 0 = none */
    bool failed;
    char msg[256];
    int line, col;
} xreader;

/* ---- XmlNodeType ---- */

static const char *const nt_names[] = {
    "None",
    "Element",
    "Attribute",
    "Text",
    "CDATA",
    "EntityReference",
    "Entity",
    "ProcessingInstruction",
    "Comment",
    "Document",
    "DocumentType",
    "DocumentFragment",
    "Notation",
    "Whitespace",
    "SignificantWhitespace",
    "EndElement",
    "EndEntity",
    "XmlDeclaration",
};

xv rt_xml_nodetype(int v)
{
    xv r = { .kind = XV_ENUM };
    r.u.en.type = &rt_xml_class_xmlnodetype;
    r.u.en.v = v;
    return r;
}

#define NT_CONST(fn, val)                                                                          \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = rt_xml_nodetype(val);                                                               \
        return 0;                                                                                  \
    }

NT_CONST(nt_attribute, 2)
NT_CONST(nt_cdata, 4)
NT_CONST(nt_comment, 8)
NT_CONST(nt_document, 9)
NT_CONST(nt_doctype, 10)
NT_CONST(nt_docfrag, 11)
NT_CONST(nt_element, 1)
NT_CONST(nt_endelement, 15)
NT_CONST(nt_endentity, 16)
NT_CONST(nt_entity, 6)
NT_CONST(nt_entityref, 5)
NT_CONST(nt_none, 0)
NT_CONST(nt_notation, 12)
NT_CONST(nt_pi, 7)
NT_CONST(nt_sigws, 14)
NT_CONST(nt_text, 3)
NT_CONST(nt_ws, 13)
NT_CONST(nt_decl, 17)

#define NTM(name, fn, v)                                                                           \
    {                                                                                              \
        name, fn, &rt_xml_class_xmlnodetype, v, NULL                                               \
    }

static const xv_member nt_consts[] = {
    NTM("Attribute", nt_attribute, 2),
    NTM("CDATA", nt_cdata, 4),
    NTM("Comment", nt_comment, 8),
    NTM("Document", nt_document, 9),
    NTM("DocumentFragment", nt_docfrag, 11),
    NTM("DocumentType", nt_doctype, 10),
    NTM("Element", nt_element, 1),
    NTM("EndElement", nt_endelement, 15),
    NTM("EndEntity", nt_endentity, 16),
    NTM("Entity", nt_entity, 6),
    NTM("EntityReference", nt_entityref, 5),
    NTM("None", nt_none, 0),
    NTM("Notation", nt_notation, 12),
    NTM("ProcessingInstruction", nt_pi, 7),
    NTM("SignificantWhitespace", nt_sigws, 14),
    NTM("Text", nt_text, 3),
    NTM("Whitespace", nt_ws, 13),
    NTM("XmlDeclaration", nt_decl, 17),
};

static const char *const nt_aliases[] = { "System.Xml.XmlNodeType", NULL };

const xv_class rt_xml_class_xmlnodetype = {
    .name = "XmlNodeType",
    .aliases = nt_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = nt_consts,
    .nsmembers = RT_XML_COUNT(nt_consts),
};

/* ---- the reader ---- */

static void on_error(void *ud, xmlErrorPtr e)
{
    xreader *x = ud;
    if (x->failed || !e || e->level < XML_ERR_ERROR)
        return;
    x->failed = true;
    x->line = e->line;
    x->col = e->int2;
    snprintf(x->msg, sizeof x->msg, "%s", e->message ? e->message : "malformed XML");
    size_t n = strlen(x->msg);
    while (n > 0 && (x->msg[n - 1] == '\n' || x->msg[n - 1] == ' '))
        x->msg[--n] = '\0';
}

static void free_reader(void *p)
{
    xmlFreeTextReader(p);
}

static xreader *self_reader(xv_call *c)
{
    if (c->self.kind == XV_OBJ && c->self.u.obj.cls == &rt_xml_class_xmlreader)
        return c->self.u.obj.ptr;
    rt_xml_null_ref(c->env);
    return NULL;
}

static xreader *get_reader(expr_env *env, xv self)
{
    if (self.kind == XV_OBJ && self.u.obj.cls == &rt_xml_class_xmlreader)
        return self.u.obj.ptr;
    rt_xml_null_ref(env);
    return NULL;
}

static int fail(expr_env *env, xreader *x)
{
    x->state = RD_ERROR;
    if (x->failed)
        return rt_xml_throw(env, "%s. Line %d, position %d.", x->msg, x->line,
                            x->col > 0 ? x->col : 1);
    return rt_xml_throw(env, "Unexpected end of file has occurred.");
}

static int closed(expr_env *env)
{
    return expr_throw(env, "InvalidOperationException",
                      "The XmlReader is closed or in error state.");
}

/* Read(): 1 = on a node, 0 = end of input, -1 = thrown. */
static int rd_read(expr_env *env, xreader *x)
{
    if (x->state == RD_EOF || x->state == RD_CLOSED)
        return 0;
    if (x->state == RD_ERROR)
        return closed(env);
    if (x->state == RD_INITIAL) {
        long dtd = rt_xml_prolog(x->text, &x->decl_end);
        if (dtd >= 0) {
            x->state = RD_ERROR;
            return rt_xml_throw_dtd(env, x->text, dtd);
        }
        bool blank = true;
        for (size_t i = x->decl_end; i < x->text.len && blank; i++)
            blank = strchr(" \t\r\n", x->text.ptr[i]) != NULL;
        if (blank && !x->decl_end) {
            x->state = RD_ERROR;
            return rt_xml_throw(env, "Root element is missing.");
        }
        if (x->decl_end) {
            x->state = RD_DECL;
            return 1;
        }
    }
    int rc = xmlTextReaderRead(x->r);
    if (rc < 0 || x->failed)
        return fail(env, x);
    x->state = rc ? RD_READING : RD_EOF;
    return rc;
}

static int node_type(const xreader *x)
{
    if (x->state == RD_DECL)
        return NT_DECL;
    if (x->state != RD_READING)
        return NT_NONE;
    int t = xmlTextReaderNodeType(x->r);
    return t < 0 ? NT_NONE : t;
}

static bool is_content(int t)
{
    return t == NT_ELEMENT || t == NT_TEXT || t == NT_CDATA || t == NT_ENTITYREF ||
           t == NT_ENDELEMENT || t == NT_ENDENTITY;
}

/* MoveToContent(): the type of the content node reached (NT_NONE at the end). */
static int rd_move_to_content(expr_env *env, xreader *x, int *out)
{
    if (x->state == RD_INITIAL && rd_read(env, x) < 0)
        return -1;
    for (;;) {
        int t = node_type(x);
        if (t == NT_ATTRIBUTE) {
            xmlTextReaderMoveToElement(x->r);
            t = NT_ELEMENT;
        }
        if (is_content(t)) {
            *out = t;
            return 0;
        }
        int rc = rd_read(env, x);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            *out = NT_NONE;
            return 0;
        }
    }
}

static str cstr_or_empty(const xmlChar *s)
{
    return str_from(s ? (const char *)s : "");
}

/* Name / LocalName as .NET reports them ("" for text-like nodes). */
static str rd_name(const xreader *x, bool local)
{
    int t = node_type(x);
    if (t == NT_DECL)
        return STR_LIT("xml");
    if (t == NT_ELEMENT || t == NT_ENDELEMENT || t == NT_ATTRIBUTE || t == NT_PI ||
        t == NT_ENTITYREF)
        return cstr_or_empty(local ? xmlTextReaderConstLocalName(x->r)
                                   : xmlTextReaderConstName(x->r));
    return STR_LIT("");
}

static str rd_value(const xreader *x)
{
    if (node_type(x) == NT_DECL) {
        str t = x->text;
        size_t i = t.len >= 3 && !memcmp(t.ptr, "\xEF\xBB\xBF", 3) ? 3 : 0;
        i += 5; /* "<?xml" */
        size_t end = x->decl_end - 2;
        while (i < end && strchr(" \t\r\n", t.ptr[i]))
            i++;
        while (end > i && strchr(" \t\r\n", t.ptr[end - 1]))
            end--;
        return str_make(t.ptr + i, end - i);
    }
    if (x->state != RD_READING)
        return STR_LIT("");
    return cstr_or_empty(xmlTextReaderConstValue(x->r));
}

static int xr_create(xv_call *c, xv *out)
{
    xv in = c->args[0];
    if (in.kind == XV_NULL)
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'input')");
    str text = rt_xml_stringreader_take(in);
    if (!text.ptr)
        return expr_throw(c->env, "NotSupportedException",
                          "XmlReader.Create: pass a TextReader (new StringReader(text)); "
                          "reading from a URI is not allowed");
    xreader *x = arena_alloc(c->env->a, sizeof *x);
    if (!x)
        return rt_xml_oom(c->env);
    x->text = text;
    x->r = xmlReaderForMemory(text.len ? text.ptr : " ", (int)(text.len ? text.len : 1), NULL,
                              "UTF-8", READER_OPTIONS);
    if (!x->r || arena_defer(c->env->a, free_reader, x->r) < 0) {
        if (x->r)
            xmlFreeTextReader(x->r);
        return rt_xml_oom(c->env);
    }
    xmlTextReaderSetStructuredErrorHandler(x->r, on_error, x);
    *out = xv_obj(&rt_xml_class_xmlreader, x);
    return 0;
}

static int xr_read(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    int rc = x ? rd_read(c->env, x) : -1;
    if (rc < 0)
        return -1;
    *out = xv_bool(rc > 0);
    return 0;
}

static int xr_move_to_content(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    int t;
    if (!x || rd_move_to_content(c->env, x, &t) < 0)
        return -1;
    *out = rt_xml_nodetype(t);
    return 0;
}

static int xr_node_type(expr_env *env, xv self, xv *out)
{
    xreader *x = get_reader(env, self);
    if (!x)
        return -1;
    *out = rt_xml_nodetype(node_type(x));
    return 0;
}

static int xr_name(expr_env *env, xv self, xv *out)
{
    xreader *x = get_reader(env, self);
    if (!x || xv_str_copy(env, rd_name(x, false).ptr, rd_name(x, false).len, out) < 0)
        return -1;
    return 0;
}

static int xr_local_name(expr_env *env, xv self, xv *out)
{
    xreader *x = get_reader(env, self);
    if (!x || xv_str_copy(env, rd_name(x, true).ptr, rd_name(x, true).len, out) < 0)
        return -1;
    return 0;
}

static int xr_ns_uri(expr_env *env, xv self, xv *out)
{
    xreader *x = get_reader(env, self);
    if (!x)
        return -1;
    str s =
        x->state == RD_READING ? cstr_or_empty(xmlTextReaderConstNamespaceUri(x->r)) : STR_LIT("");
    return xv_str_copy(env, s.ptr, s.len, out);
}

static int xr_prefix(expr_env *env, xv self, xv *out)
{
    xreader *x = get_reader(env, self);
    if (!x)
        return -1;
    str s = x->state == RD_READING ? cstr_or_empty(xmlTextReaderConstPrefix(x->r)) : STR_LIT("");
    return xv_str_copy(env, s.ptr, s.len, out);
}

static int xr_value(expr_env *env, xv self, xv *out)
{
    xreader *x = get_reader(env, self);
    if (!x)
        return -1;
    str v = rd_value(x);
    return xv_str_copy(env, v.ptr, v.len, out);
}

static int xr_has_value(expr_env *env, xv self, xv *out)
{
    xreader *x = get_reader(env, self);
    if (!x)
        return -1;
    int t = node_type(x);
    *out = xv_bool(t == NT_DECL || t == NT_TEXT || t == NT_CDATA || t == NT_COMMENT || t == NT_PI ||
                   t == NT_ATTRIBUTE || t == NT_WHITESPACE || t == NT_SIGWHITESPACE);
    return 0;
}

static int xr_depth(expr_env *env, xv self, xv *out)
{
    xreader *x = get_reader(env, self);
    if (!x)
        return -1;
    *out = xv_int(x->state == RD_READING ? xmlTextReaderDepth(x->r) : 0);
    return 0;
}

static int xr_is_empty(expr_env *env, xv self, xv *out)
{
    xreader *x = get_reader(env, self);
    if (!x)
        return -1;
    *out = xv_bool(x->state == RD_READING && xmlTextReaderIsEmptyElement(x->r) == 1);
    return 0;
}

static int xr_eof(expr_env *env, xv self, xv *out)
{
    xreader *x = get_reader(env, self);
    if (!x)
        return -1;
    *out = xv_bool(x->state == RD_EOF);
    return 0;
}

static int xr_attr_count(expr_env *env, xv self, xv *out)
{
    xreader *x = get_reader(env, self);
    if (!x)
        return -1;
    int n = x->state == RD_READING ? xmlTextReaderAttributeCount(x->r) : 0;
    *out = xv_int(n > 0 ? n : 0);
    return 0;
}

static int xr_has_attrs(expr_env *env, xv self, xv *out)
{
    if (xr_attr_count(env, self, out) < 0)
        return -1;
    *out = xv_bool(out->u.i > 0);
    return 0;
}

static int xr_get_attribute(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    if (!x)
        return -1;
    *out = xv_null();
    if (x->state != RD_READING)
        return 0;
    xmlChar *v;
    if (c->args[0].kind == XV_INT) {
        v = xmlTextReaderGetAttributeNo(x->r, (int)c->args[0].u.i);
        if (!v)
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Specified argument was out of the range of valid values.");
    } else {
        str name;
        if (rt_xml_arg_str(c, 0, "name", false, &name) < 0)
            return -1;
        const xmlChar *z = rt_xml_cstr(c->env, name);
        if (!z)
            return -1;
        v = xmlTextReaderGetAttribute(x->r, z);
    }
    if (!v)
        return 0;
    int rc = xv_str_copy(c->env, (const char *)v, strlen((const char *)v), out);
    xmlFree(v);
    return rc;
}

static int xr_is_start_element(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    int t;
    str name;
    if (!x || rd_move_to_content(c->env, x, &t) < 0)
        return -1;
    bool ok = t == NT_ELEMENT;
    if (ok && c->nargs > 0) {
        if (rt_xml_arg_str(c, 0, "name", false, &name) < 0)
            return -1;
        ok = str_eq(name, rd_name(x, c->nargs > 1));
        if (ok && c->nargs > 1) {
            str ns;
            if (rt_xml_arg_str(c, 1, "ns", false, &ns) < 0)
                return -1;
            ok = str_eq(ns, cstr_or_empty(xmlTextReaderConstNamespaceUri(x->r)));
        }
    }
    *out = xv_bool(ok);
    return 0;
}

static int not_on(expr_env *env, const char *method, int t)
{
    return rt_xml_throw(env, "The %s method is not supported on node type %s.", method,
                        t >= 0 && t < (int)RT_XML_COUNT(nt_names) ? nt_names[t] : "None");
}

/* Reads the text content of the current element and moves past its end tag. */
static int read_element_content(xv_call *c, const char *method, xv *out)
{
    xreader *x = self_reader(c);
    int t;
    if (!x || rd_move_to_content(c->env, x, &t) < 0)
        return -1;
    if (t != NT_ELEMENT)
        return not_on(c->env, method, t);
    if (c->nargs > 0) {
        str name;
        if (rt_xml_arg_str(c, 0, "name", false, &name) < 0)
            return -1;
        if (!str_eq(name, rd_name(x, c->nargs > 1)))
            return rt_xml_throw(c->env, "Element '%.*s' was not found.", STR_FMT(name));
    }
    if (xmlTextReaderIsEmptyElement(x->r) == 1) {
        *out = xv_str(STR_LIT(""));
        return rd_read(c->env, x) < 0 ? -1 : 0;
    }
    buf b;
    buf_init(&b, ARENA_REQUEST_CAP);
    int rc;
    for (;;) {
        if ((rc = rd_read(c->env, x)) <= 0) {
            if (rc == 0)
                rc = rt_xml_throw(c->env, "Unexpected end of file has occurred.");
            break;
        }
        t = node_type(x);
        if (t == NT_TEXT || t == NT_CDATA || t == NT_WHITESPACE || t == NT_SIGWHITESPACE) {
            str v = rd_value(x);
            if (buf_append(&b, v.ptr, v.len) < 0) {
                rc = rt_xml_oom(c->env);
                break;
            }
        } else if (t == NT_ELEMENT) {
            rc = rt_xml_throw(c->env, "ReadElementContentAs() methods cannot be called on an "
                                      "element that has child elements.");
            break;
        } else if (t == NT_ENDELEMENT) {
            rc = rd_read(c->env, x) < 0 ? -1 : 0;
            break;
        }
    }
    if (rc == 0)
        rc = xv_str_copy(c->env, b.ptr ? b.ptr : "", b.len, out);
    buf_release(&b);
    return rc < 0 ? -1 : 0;
}

static int xr_read_element_content(xv_call *c, xv *out)
{
    return read_element_content(c, "ReadElementContentAsString", out);
}

static int xr_read_element_string(xv_call *c, xv *out)
{
    return read_element_content(c, "ReadElementString", out);
}

static int xr_read_start_element(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    int t;
    *out = xv_null();
    if (!x || rd_move_to_content(c->env, x, &t) < 0)
        return -1;
    if (t != NT_ELEMENT)
        return not_on(c->env, "ReadStartElement", t);
    if (c->nargs > 0) {
        str name;
        if (rt_xml_arg_str(c, 0, "name", false, &name) < 0)
            return -1;
        if (!str_eq(name, rd_name(x, false)))
            return rt_xml_throw(c->env, "Element '%.*s' was not found.", STR_FMT(name));
    }
    return rd_read(c->env, x) < 0 ? -1 : 0;
}

static int xr_read_end_element(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    int t;
    *out = xv_null();
    if (!x || rd_move_to_content(c->env, x, &t) < 0)
        return -1;
    if (t != NT_ENDELEMENT)
        return not_on(c->env, "ReadEndElement", t);
    return rd_read(c->env, x) < 0 ? -1 : 0;
}

/* Skip(): past the current element's subtree (or one node). 1, 0 at the end, -1 thrown. */
static int rd_skip(expr_env *env, xreader *x)
{
    if (x->state != RD_READING)
        return rd_read(env, x);
    if (node_type(x) == NT_ATTRIBUTE)
        xmlTextReaderMoveToElement(x->r);
    int rc = xmlTextReaderNext(x->r);
    if (rc < 0 || x->failed)
        return fail(env, x);
    if (rc == 0)
        x->state = RD_EOF;
    return rc;
}

static int xr_skip(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    *out = xv_null();
    return !x || rd_skip(c->env, x) < 0 ? -1 : 0;
}

static int xr_read_to_following(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    str name;
    if (!x || rt_xml_arg_str(c, 0, "name", false, &name) < 0)
        return -1;
    int rc;
    while ((rc = rd_read(c->env, x)) > 0)
        if (node_type(x) == NT_ELEMENT && str_eq(name, rd_name(x, false)))
            break;
    if (rc < 0)
        return -1;
    *out = xv_bool(rc > 0);
    return 0;
}

static int xr_read_to_descendant(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    str name;
    if (!x || rt_xml_arg_str(c, 0, "name", false, &name) < 0)
        return -1;
    *out = xv_bool(false);
    if (x->state == RD_INITIAL && rd_read(c->env, x) < 0)
        return -1;
    if (node_type(x) != NT_ELEMENT || xmlTextReaderIsEmptyElement(x->r) == 1)
        return 0;
    int depth = xmlTextReaderDepth(x->r), rc;
    while ((rc = rd_read(c->env, x)) > 0 && xmlTextReaderDepth(x->r) > depth) {
        if (node_type(x) == NT_ELEMENT && str_eq(name, rd_name(x, false))) {
            *out = xv_bool(true);
            return 0;
        }
    }
    return rc < 0 ? -1 : 0;
}

static int xr_read_to_next_sibling(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    str name;
    if (!x || rt_xml_arg_str(c, 0, "name", false, &name) < 0)
        return -1;
    *out = xv_bool(false);
    if (x->state != RD_READING)
        return 0;
    int depth = xmlTextReaderDepth(x->r), rc;
    while ((rc = rd_skip(c->env, x)) > 0 && xmlTextReaderDepth(x->r) >= depth) {
        if (xmlTextReaderDepth(x->r) == depth && node_type(x) == NT_ELEMENT &&
            str_eq(name, rd_name(x, false))) {
            *out = xv_bool(true);
            return 0;
        }
        if (xmlTextReaderDepth(x->r) == depth && node_type(x) == NT_ENDELEMENT)
            break;
    }
    return rc < 0 ? -1 : 0;
}

static int move_result(xv_call *c, int rc, xv *out)
{
    (void)c;
    *out = xv_bool(rc == 1);
    return 0;
}

static int xr_move_to_attribute(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    str name;
    if (!x || rt_xml_arg_str(c, 0, "name", false, &name) < 0)
        return -1;
    const xmlChar *z = rt_xml_cstr(c->env, name);
    if (!z)
        return -1;
    return move_result(c, x->state == RD_READING ? xmlTextReaderMoveToAttribute(x->r, z) : 0, out);
}

static int xr_move_first_attr(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    if (!x)
        return -1;
    return move_result(c, x->state == RD_READING ? xmlTextReaderMoveToFirstAttribute(x->r) : 0,
                       out);
}

static int xr_move_next_attr(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    if (!x)
        return -1;
    return move_result(c, x->state == RD_READING ? xmlTextReaderMoveToNextAttribute(x->r) : 0, out);
}

static int xr_move_to_element(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    if (!x)
        return -1;
    return move_result(c, x->state == RD_READING ? xmlTextReaderMoveToElement(x->r) : 0, out);
}

/* ReadInnerXml / ReadOuterXml: written with our serializer, then past the element. */
static int read_xml(xv_call *c, bool inner, xv *out)
{
    xreader *x = self_reader(c);
    if (!x)
        return -1;
    *out = xv_str(STR_LIT(""));
    if (x->state == RD_INITIAL && rd_read(c->env, x) < 0)
        return -1;
    int t = node_type(x);
    if (t != NT_ELEMENT) {
        if (t == NT_NONE || t == NT_ENDELEMENT)
            return 0;
        if (!inner) {
            str v = rd_value(x);
            if (xv_str_copy(c->env, v.ptr, v.len, out) < 0)
                return -1;
        }
        return rd_read(c->env, x) < 0 ? -1 : 0;
    }
    xmlNodePtr n = xmlTextReaderExpand(x->r);
    if (!n || x->failed)
        return fail(c->env, x);
    str s;
    if (rt_xml_write(c->env, n, inner ? RT_XW_INNER : 0, &s) < 0)
        return -1;
    *out = xv_str(s);
    return rd_skip(c->env, x) < 0 ? -1 : 0;
}

static int xr_read_inner_xml(xv_call *c, xv *out)
{
    return read_xml(c, true, out);
}

static int xr_read_outer_xml(xv_call *c, xv *out)
{
    return read_xml(c, false, out);
}

static int xr_close(xv_call *c, xv *out)
{
    xreader *x = self_reader(c);
    *out = xv_null();
    if (!x)
        return -1;
    if (x->state != RD_CLOSED)
        xmlTextReaderClose(x->r);
    x->state = RD_CLOSED;
    return 0;
}

int rt_xml_reader_read_from(xv_call *c, xv *out)
{
    xv in = c->args[0];
    if (in.kind != XV_OBJ || in.u.obj.cls != &rt_xml_class_xmlreader)
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'reader')");
    xreader *x = in.u.obj.ptr;
    int t = node_type(x);
    if (t == NT_ELEMENT) {
        xmlNodePtr n = xmlTextReaderExpand(x->r);
        if (!n || x->failed)
            return fail(c->env, x);
        rt_xml_doc *h = rt_xml_doc_new(c->env, true);
        if (!h)
            return -1;
        xmlNodePtr cp = xmlDocCopyNode(n, h->doc, 1);
        if (!cp)
            return rt_xml_oom(c->env);
        xmlDocSetRootElement(h->doc, cp);
        if (rd_skip(c->env, x) < 0)
            return -1;
        return rt_xml_linq_wrap(c->env, cp, out);
    }
    if (t == NT_TEXT || t == NT_CDATA || t == NT_COMMENT || t == NT_WHITESPACE ||
        t == NT_SIGWHITESPACE) {
        rt_xml_doc *h = rt_xml_doc_new(c->env, true);
        if (!h)
            return -1;
        const xmlChar *v = xmlTextReaderConstValue(x->r);
        xmlNodePtr n = t == NT_COMMENT ? xmlNewDocComment(h->doc, v)
                       : t == NT_CDATA ? xmlNewCDataBlock(h->doc, v, v ? xmlStrlen(v) : 0)
                                       : xmlNewDocText(h->doc, v);
        if (!n)
            return rt_xml_oom(c->env);
        rt_xml_link((xmlNodePtr)h->doc, n);
        if (rd_read(c->env, x) < 0)
            return -1;
        return rt_xml_linq_wrap(c->env, n, out);
    }
    return expr_throw(c->env, "InvalidOperationException",
                      "The XmlReader should not be on a node of type %s.",
                      t >= 0 && t < (int)RT_XML_COUNT(nt_names) ? nt_names[t] : "None");
}

static const xv_member xr_members[] = {
    { "AttributeCount", xr_attr_count, &expr_class_int, 0, NULL },
    { "Depth", xr_depth, &expr_class_int, 0, NULL },
    { "EOF", xr_eof, &expr_class_bool, 0, NULL },
    { "HasAttributes", xr_has_attrs, &expr_class_bool, 0, NULL },
    { "HasValue", xr_has_value, &expr_class_bool, 0, NULL },
    { "IsEmptyElement", xr_is_empty, &expr_class_bool, 0, NULL },
    { "LocalName", xr_local_name, &expr_class_string, 0, NULL },
    { "Name", xr_name, &expr_class_string, 0, NULL },
    { "NamespaceURI", xr_ns_uri, &expr_class_string, 0, NULL },
    { "NodeType", xr_node_type, &rt_xml_class_xmlnodetype, 0, NULL },
    { "Prefix", xr_prefix, &expr_class_string, 0, NULL },
    { "Value", xr_value, &expr_class_string, 0, NULL },
};

static const xv_method xr_methods[] = {
    { "Close", 0, 0, xr_close, NULL, 0, NULL },
    { "Dispose", 0, 0, xr_close, NULL, 0, NULL },
    { "GetAttribute", 1, 1, xr_get_attribute, &expr_class_string, 0, "name" },
    { "IsStartElement", 0, 2, xr_is_start_element, &expr_class_bool, 0, "name,ns" },
    { "MoveToAttribute", 1, 1, xr_move_to_attribute, &expr_class_bool, 0, "name" },
    { "MoveToContent", 0, 0, xr_move_to_content, &rt_xml_class_xmlnodetype, 0, NULL },
    { "MoveToElement", 0, 0, xr_move_to_element, &expr_class_bool, 0, NULL },
    { "MoveToFirstAttribute", 0, 0, xr_move_first_attr, &expr_class_bool, 0, NULL },
    { "MoveToNextAttribute", 0, 0, xr_move_next_attr, &expr_class_bool, 0, NULL },
    { "Read", 0, 0, xr_read, &expr_class_bool, 0, NULL },
    { "ReadElementContentAsString", 0, 2, xr_read_element_content, &expr_class_string, 0,
      "localName,namespaceURI" },
    { "ReadElementString", 0, 2, xr_read_element_string, &expr_class_string, 0, "name,ns" },
    { "ReadEndElement", 0, 0, xr_read_end_element, NULL, 0, NULL },
    { "ReadInnerXml", 0, 0, xr_read_inner_xml, &expr_class_string, 0, NULL },
    { "ReadOuterXml", 0, 0, xr_read_outer_xml, &expr_class_string, 0, NULL },
    { "ReadStartElement", 0, 1, xr_read_start_element, NULL, 0, "name" },
    { "ReadToDescendant", 1, 1, xr_read_to_descendant, &expr_class_bool, 0, "name" },
    { "ReadToFollowing", 1, 1, xr_read_to_following, &expr_class_bool, 0, "name" },
    { "ReadToNextSibling", 1, 1, xr_read_to_next_sibling, &expr_class_bool, 0, "name" },
    { "Skip", 0, 0, xr_skip, NULL, 0, NULL },
};

static const xv_method xr_smethods[] = {
    { "Create", 1, 2, xr_create, &rt_xml_class_xmlreader, 0, "input,settings" },
};

static const char *const xr_aliases[] = { "System.Xml.XmlReader", NULL };

const xv_class rt_xml_class_xmlreader = {
    .name = "XmlReader",
    .aliases = xr_aliases,
    .members = xr_members,
    .nmembers = RT_XML_COUNT(xr_members),
    .methods = xr_methods,
    .nmethods = RT_XML_COUNT(xr_methods),
    .smethods = xr_smethods,
    .nsmethods = RT_XML_COUNT(xr_smethods),
};
