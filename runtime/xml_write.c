/* Serialization as .NET's XmlWriter does it (XElement.ToString(), XmlNode.OuterXml): empty
 * elements as "<a />", two-space indentation suppressed inside mixed content (the rule of
 * XmlEncodedRawTextWriterIndent), attribute values escaped with &quot; and character
 * references for tab/CR/LF, and the namespace declarations each element needs emitted where
 * they are not in scope. Also the text content of nodes (Value, InnerText). */
#include <stdlib.h>
#include <string.h>

#include "../runtime/base/buf.h"
#include "xml.h"

#define MAX_WRITE_DEPTH 4096

typedef struct ns_decl {
    const xmlChar *prefix; /* NULL = default namespace */
    const xmlChar *href;   /* "" undeclares the default namespace */
} ns_decl;

typedef struct writer {
    buf b;
    unsigned flags;
    int level;
    bool mixed;      /* text was written in the current element */
    size_t text_pos; /* output length right after the last text (XmlWriter's _textPos) */
    ns_decl *ns;     /* the namespaces in scope, innermost last */
    size_t nns, cap;
    bool failed;
} writer;

static void put(writer *w, const char *s, size_t n)
{
    if (!w->failed && buf_append(&w->b, s, n) < 0)
        w->failed = true;
}

static void puts_(writer *w, const char *s)
{
    put(w, s, strlen(s));
}

const char *rt_xml_escape_char(unsigned c, bool attr)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return attr ? "&quot;" : NULL;
    case '\t':
        return attr ? "&#x9;" : NULL;
    case '\n':
        return attr ? "&#xA;" : NULL;
    case '\r':
        return "&#xD;";
    default:
        return NULL;
    }
}

static void escape(writer *w, const xmlChar *s, bool attr)
{
    const char *p = (const char *)(s ? s : (const xmlChar *)"");
    const char *run = p;
    for (; *p; p++) {
        const char *rep = rt_xml_escape_char((unsigned char)*p, attr);
        if (rep) {
            put(w, run, (size_t)(p - run));
            puts_(w, rep);
            run = p + 1;
        }
    }
    put(w, run, (size_t)(p - run));
}

static void indent(writer *w)
{
    if (!(w->flags & RT_XW_INDENT) || w->mixed || w->b.len == 0 || w->text_pos == w->b.len)
        return;
    puts_(w, "\n");
    for (int i = 0; i < w->level; i++)
        puts_(w, "  ");
}

static void text_written(writer *w)
{
    w->mixed = true;
    w->text_pos = w->b.len;
}

/* ---- namespace scope ---- */

static const xmlChar *ns_lookup(const writer *w, const xmlChar *prefix)
{
    for (size_t i = w->nns; i-- > 0;)
        if (xmlStrEqual(w->ns[i].prefix, prefix))
            return w->ns[i].href;
    return NULL;
}

static void ns_push(writer *w, const xmlChar *prefix, const xmlChar *href)
{
    if (w->nns == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        ns_decl *n = realloc(w->ns, cap * sizeof *n);
        if (!n) {
            w->failed = true;
            return;
        }
        w->ns = n;
        w->cap = cap;
    }
    w->ns[w->nns++] = (ns_decl){ prefix, href };
}

static void write_decl_attr(writer *w, const xmlChar *prefix, const xmlChar *href)
{
    puts_(w, prefix ? " xmlns:" : " xmlns");
    if (prefix)
        puts_(w, (const char *)prefix);
    puts_(w, "=\"");
    escape(w, href, true);
    puts_(w, "\"");
    ns_push(w, prefix, href);
}

/* Declares ns (prefix + href) unless it is already in scope. */
static void need_ns(writer *w, xmlNsPtr ns)
{
    const xmlChar *prefix = ns ? ns->prefix : NULL;
    const xmlChar *href = ns && ns->href ? ns->href : (const xmlChar *)"";
    const xmlChar *cur = ns_lookup(w, prefix);
    if (!ns && (!cur || !*cur))
        return; /* no namespace and no default in scope */
    if (cur && xmlStrEqual(cur, href))
        return;
    if (prefix && xmlStrEqual(prefix, (const xmlChar *)"xml"))
        return;
    write_decl_attr(w, prefix, href);
}

static void write_name(writer *w, xmlNodePtr n)
{
    if (n->ns && n->ns->prefix) {
        puts_(w, (const char *)n->ns->prefix);
        puts_(w, ":");
    }
    puts_(w, (const char *)n->name);
}

/* ---- nodes ---- */

static void write_node(writer *w, xmlNodePtr n, int depth);

/* XmlDocument has no node for the empty content of <a></a> */
static bool is_marker(xmlNodePtr c)
{
    return c->type == XML_TEXT_NODE && (!c->content || !c->content[0]);
}

static void write_children(writer *w, xmlNodePtr n, int depth)
{
    for (xmlNodePtr c = n->children; c && !w->failed; c = c->next)
        write_node(w, c, depth + 1);
}

static void write_element(writer *w, xmlNodePtr n, int depth)
{
    indent(w);
    size_t mark = w->nns;
    bool outer_mixed = w->mixed;
    w->level++;
    puts_(w, "<");
    write_name(w, n);
    for (xmlNsPtr d = n->nsDef; d; d = d->next)
        if (!ns_lookup(w, d->prefix) || !xmlStrEqual(ns_lookup(w, d->prefix), d->href))
            write_decl_attr(w, d->prefix, d->href ? d->href : (const xmlChar *)"");
    need_ns(w, n->ns);
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        if (a->ns && a->ns->prefix)
            need_ns(w, a->ns);
    }
    for (xmlAttrPtr a = n->properties; a && !w->failed; a = a->next) {
        puts_(w, " ");
        write_name(w, (xmlNodePtr)a);
        puts_(w, "=\"");
        xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
        escape(w, v, true);
        xmlFree(v);
        puts_(w, "\"");
    }
    if (!n->children) {
        puts_(w, " />");
    } else {
        puts_(w, ">");
        size_t content_pos = w->b.len;
        write_children(w, n, depth);
        w->level--;
        if (!w->mixed && w->b.len != content_pos)
            indent(w);
        w->level++;
        puts_(w, "</");
        write_name(w, n);
        puts_(w, ">");
    }
    w->level--;
    w->mixed = outer_mixed;
    w->nns = mark;
}

static void write_node(writer *w, xmlNodePtr n, int depth)
{
    if (depth > MAX_WRITE_DEPTH) {
        w->failed = true;
        return;
    }
    switch (n->type) {
    case XML_ELEMENT_NODE:
        write_element(w, n, depth);
        break;
    case XML_TEXT_NODE:
        if ((w->flags & RT_XW_DOM) && is_marker(n))
            break;
        escape(w, n->content, false);
        text_written(w);
        break;
    case XML_CDATA_SECTION_NODE:
        puts_(w, "<![CDATA[");
        puts_(w, (const char *)(n->content ? n->content : (const xmlChar *)""));
        puts_(w, "]]>");
        text_written(w);
        break;
    case XML_COMMENT_NODE:
        indent(w);
        puts_(w, "<!--");
        puts_(w, (const char *)(n->content ? n->content : (const xmlChar *)""));
        puts_(w, "-->");
        break;
    case XML_PI_NODE:
        indent(w);
        puts_(w, "<?");
        puts_(w, (const char *)n->name);
        if (n->content && n->content[0]) {
            puts_(w, " ");
            puts_(w, (const char *)n->content);
        }
        puts_(w, "?>");
        break;
    case XML_ATTRIBUTE_NODE: {
        write_name(w, n);
        puts_(w, "=\"");
        xmlChar *v = xmlNodeGetContent(n);
        escape(w, v, true);
        xmlFree(v);
        puts_(w, "\"");
        break;
    }
    case XML_DOCUMENT_NODE:
        write_children(w, n, depth);
        break;
    default:
        break;
    }
}

static void write_decl(writer *w, const rt_xml_doc *d)
{
    if (!d || !d->has_decl)
        return;
    puts_(w, "<?xml version=\"");
    put(w, d->version.ptr, d->version.len);
    puts_(w, "\"");
    if (d->encoding.len) {
        puts_(w, " encoding=\"");
        put(w, d->encoding.ptr, d->encoding.len);
        puts_(w, "\"");
    }
    if (d->standalone.len) {
        puts_(w, " standalone=\"");
        put(w, d->standalone.ptr, d->standalone.len);
        puts_(w, "\"");
    }
    puts_(w, "?>");
}

int rt_xml_write(expr_env *env, xmlNodePtr n, unsigned flags, str *out)
{
    writer w = { .flags = flags, .text_pos = (size_t)-1 };
    buf_init(&w.b, ARENA_REQUEST_CAP);
    if (n && n->type == XML_DOCUMENT_NODE && (flags & RT_XW_DECL))
        write_decl(&w, n->_private);
    if (n && (flags & RT_XW_INNER))
        write_children(&w, n, 0);
    else if (n)
        write_node(&w, n, 0);
    int rc = 0;
    if (w.failed)
        rc = expr_throw(env, "InvalidOperationException",
                        "the XML is too large or too deeply nested to write");
    if (rc == 0) {
        char *p = arena_strndup(env->a, w.b.ptr ? w.b.ptr : "", w.b.len);
        if (!p)
            rc = rt_xml_oom(env);
        else
            *out = str_make(p, w.b.len);
    }
    buf_release(&w.b);
    free(w.ns);
    return rc;
}

/* ---- text content ---- */

int rt_xml_text(expr_env *env, xmlNodePtr n, str *out)
{
    if (!n) {
        *out = STR_LIT("");
        return 0;
    }
    if (n->type != XML_ELEMENT_NODE && n->type != XML_DOCUMENT_NODE &&
        n->type != XML_ATTRIBUTE_NODE) {
        *out = rt_xml_dup(env, n->content);
        return out->ptr ? 0 : rt_xml_oom(env);
    }
    if (n->type == XML_ATTRIBUTE_NODE) {
        xmlChar *v = xmlNodeGetContent(n);
        *out = rt_xml_dup(env, v);
        xmlFree(v);
        return out->ptr ? 0 : rt_xml_oom(env);
    }
    buf b;
    buf_init(&b, ARENA_REQUEST_CAP);
    int rc = 0;
    /* iterative pre-order walk: nesting depth does not matter */
    for (xmlNodePtr c = n->children; c && rc == 0;) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            rc = buf_puts(&b, (const char *)c->content);
        if (c->type == XML_ELEMENT_NODE && c->children) {
            c = c->children;
            continue;
        }
        while (c && c != n && !c->next)
            c = c->parent;
        c = c && c != n ? c->next : NULL;
    }
    if (rc < 0) {
        buf_release(&b);
        return expr_throw(env, "OutOfMemoryException", "the XML text is too large");
    }
    char *p = arena_strndup(env->a, b.ptr ? b.ptr : "", b.len);
    size_t len = b.len;
    buf_release(&b);
    if (!p)
        return rt_xml_oom(env);
    *out = str_make(p, len);
    return 0;
}

int rt_xml_set_text(expr_env *env, xmlNodePtr n, str s)
{
    const xmlChar *z = rt_xml_cstr(env, s);
    if (!z)
        return -1;
    if (n->type != XML_ELEMENT_NODE) {
        if (n->type == XML_DOCUMENT_NODE)
            return expr_throw(env, "InvalidOperationException",
                              "The document cannot hold text content.");
        xmlNodeSetContentLen(n, z, (int)s.len);
        return 0;
    }
    if (n->children) {
        rt_xml_doc *h = rt_xml_doc_new(env, true);
        if (!h)
            return -1;
        while (n->children) {
            xmlNodePtr c = n->children;
            xmlUnlinkNode(c);
            xmlNodePtr hd = (xmlNodePtr)h->doc;
            c->parent = hd;
            c->prev = hd->last;
            if (hd->last)
                hd->last->next = c;
            else
                hd->children = c;
            hd->last = c;
            xmlSetTreeDoc(c, h->doc);
        }
    }
    xmlNodePtr t = xmlNewDocTextLen(n->doc, z, (int)s.len);
    if (!t)
        return rt_xml_oom(env);
    n->children = n->last = t;
    t->parent = n;
    return 0;
}
