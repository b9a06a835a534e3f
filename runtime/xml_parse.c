/* Parsing for System.Xml(.Linq): the libxml2 parser set up the way .NET's XmlReader reads a
 * string (XDocument.Parse, XmlDocument.LoadXml), XmlException, node ownership helpers.
 *
 * Safety: a DOCTYPE is rejected before libxml2 sees the text (.NET's DtdProcessing.Prohibit),
 * so no entity can be declared; XML_PARSE_NONET, never NOENT/DTDLOAD; libxml2's default depth
 * limit (256) bounds nesting. Parse errors of libxml2 become XmlException with the line and
 * position of the first error. */
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "xml.h"

#define PARSE_OPTIONS                                                                              \
    (XML_PARSE_NONET | XML_PARSE_NODICT | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |                \
     XML_PARSE_IGNORE_ENC)

/* ---- XmlException ---- */

static const char *const xmlexc_aliases[] = { "System.Xml.XmlException", NULL };

const xv_class rt_xml_class_xmlexception = {
    .name = "XmlException",
    .aliases = xmlexc_aliases,
    .base = &expr_class_exception,
};

int rt_xml_throw(expr_env *env, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return expr_throw(env, "XmlException", "%s", msg);
}

int rt_xml_null_ref(expr_env *env)
{
    return expr_throw(env, "NullReferenceException",
                      "Object reference not set to an instance of an object.");
}

int rt_xml_oom(expr_env *env)
{
    return expr_throw(env, "OutOfMemoryException", "arena cap reached");
}

str rt_xml_dup(expr_env *env, const xmlChar *s)
{
    if (!s)
        return STR_LIT("");
    char *p = arena_strdup(env->a, (const char *)s);
    return p ? str_from(p) : STR_NULL;
}

const xmlChar *rt_xml_cstr(expr_env *env, str s)
{
    char *p = arena_strndup(env->a, s.ptr ? s.ptr : "", s.len);
    if (!p)
        rt_xml_oom(env);
    return (const xmlChar *)p;
}

int rt_xml_arg_str(xv_call *c, size_t i, const char *what, bool allow_null, str *out)
{
    xv v = i < c->nargs ? c->args[i] : xv_null();
    if (v.kind == XV_NULL) {
        if (allow_null) {
            *out = STR_NULL;
            return 0;
        }
        return expr_throw(c->env, "ArgumentNullException", "Value cannot be null. (Parameter '%s')",
                          what);
    }
    if (v.kind == XV_STR) {
        *out = v.u.s;
        return 0;
    }
    return xv_to_string(c->env, v, out);
}

/* ---- documents ---- */

static void free_doc(void *p)
{
    xmlFreeDoc(p);
}

static rt_xml_doc *adopt_doc(expr_env *env, xmlDocPtr doc, bool holder)
{
    rt_xml_doc *d = arena_alloc(env->a, sizeof *d);
    if (!d || arena_defer(env->a, free_doc, doc) < 0) {
        xmlFreeDoc(doc);
        rt_xml_oom(env);
        return NULL;
    }
    d->doc = doc;
    d->holder = holder;
    doc->_private = d;
    return d;
}

rt_xml_doc *rt_xml_doc_new(expr_env *env, bool holder)
{
    xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
    if (!doc) {
        rt_xml_oom(env);
        return NULL;
    }
    return adopt_doc(env, doc, holder);
}

rt_xml_doc *rt_xml_docinfo(xmlNodePtr n)
{
    return n && n->doc ? n->doc->_private : NULL;
}

void rt_xml_link(xmlNodePtr parent, xmlNodePtr child)
{
    if (child->doc != parent->doc)
        xmlSetTreeDoc(child, parent->doc);
    child->parent = parent;
    child->next = NULL;
    child->prev = parent->last;
    if (parent->last)
        parent->last->next = child;
    else
        parent->children = child;
    parent->last = child;
}

int rt_xml_detach(expr_env *env, xmlNodePtr n)
{
    if (n->type == XML_ATTRIBUTE_NODE || n->type == XML_DOCUMENT_NODE)
        return 0;
    rt_xml_doc *h = rt_xml_doc_new(env, true);
    if (!h)
        return -1;
    xmlUnlinkNode(n);
    rt_xml_link((xmlNodePtr)h->doc, n);
    return 0;
}

int rt_xml_adopt(expr_env *env, xmlNodePtr parent, xmlNodePtr child, xmlNodePtr *added)
{
    rt_xml_doc *info = rt_xml_docinfo(child);
    bool free_standing = info && info->holder && child->parent == (xmlNodePtr)child->doc;
    for (xmlNodePtr p = parent; p; p = p->parent)
        if (p == child)
            free_standing = false; /* adding an ancestor to itself: copy it */
    if (free_standing) {
        xmlUnlinkNode(child);
        rt_xml_link(parent, child);
        *added = child;
        return 0;
    }
    xmlNodePtr cp = xmlDocCopyNode(child, parent->doc, 1);
    if (!cp)
        return rt_xml_oom(env);
    rt_xml_link(parent, cp);
    *added = cp;
    return 0;
}

/* ---- prolog: XML declaration and DOCTYPE ---- */

static bool at(str t, size_t i, const char *lit)
{
    size_t n = strlen(lit);
    return i + n <= t.len && memcmp(t.ptr + i, lit, n) == 0;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Offset just past the first `end` at or after i; 0 when there is none. */
static size_t skip_past(str t, size_t i, const char *end)
{
    size_t n = strlen(end);
    for (; i + n <= t.len; i++)
        if (memcmp(t.ptr + i, end, n) == 0)
            return i + n;
    return 0;
}

long rt_xml_prolog(str t, size_t *decl_end)
{
    size_t i = at(t, 0, "\xEF\xBB\xBF") ? 3 : 0;
    *decl_end = 0;
    if (at(t, i, "<?xml") && i + 5 < t.len && (is_ws(t.ptr[i + 5]) || t.ptr[i + 5] == '?')) {
        size_t e = skip_past(t, i, "?>");
        if (!e)
            return -1;
        *decl_end = e;
        i = e;
    }
    for (;;) {
        while (i < t.len && is_ws(t.ptr[i]))
            i++;
        size_t e;
        if (at(t, i, "<!DOCTYPE"))
            return (long)i;
        if (at(t, i, "<?"))
            e = skip_past(t, i + 2, "?>");
        else if (at(t, i, "<!--"))
            e = skip_past(t, i + 4, "-->");
        else
            return -1;
        if (!e)
            return -1;
        i = e;
    }
}

/* The value of pseudo-attribute name in the declaration text (empty when absent). */
static str decl_attr(expr_env *env, str decl, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i + n + 2 < decl.len; i++) {
        if (memcmp(decl.ptr + i, name, n) != 0 || (i > 0 && !is_ws(decl.ptr[i - 1])))
            continue;
        size_t k = i + n;
        while (k < decl.len && is_ws(decl.ptr[k]))
            k++;
        if (k >= decl.len || decl.ptr[k] != '=')
            continue;
        k++;
        while (k < decl.len && is_ws(decl.ptr[k]))
            k++;
        if (k >= decl.len || (decl.ptr[k] != '"' && decl.ptr[k] != '\''))
            continue;
        char q = decl.ptr[k++];
        size_t s = k;
        while (k < decl.len && decl.ptr[k] != q)
            k++;
        char *v = arena_strndup(env->a, decl.ptr + s, k - s);
        return v ? str_make(v, k - s) : STR_LIT("");
    }
    return STR_LIT("");
}

void rt_xml_read_decl(expr_env *env, rt_xml_doc *d, str text, size_t decl_end)
{
    d->has_decl = decl_end > 0;
    d->version = d->encoding = d->standalone = STR_LIT("");
    if (!decl_end)
        return;
    str decl = { text.ptr, decl_end };
    d->version = decl_attr(env, decl, "version");
    d->encoding = decl_attr(env, decl, "encoding");
    d->standalone = decl_attr(env, decl, "standalone");
}

/* Line and position (1-based, in characters) of byte offset off. */
static void line_pos(str t, size_t off, int *line, int *pos)
{
    *line = 1;
    *pos = 1;
    for (size_t i = 0; i < off && i < t.len; i++) {
        if (t.ptr[i] == '\n') {
            (*line)++;
            *pos = 1;
        } else if (((unsigned char)t.ptr[i] & 0xC0) != 0x80) {
            (*pos)++;
        }
    }
}

int rt_xml_throw_dtd(expr_env *env, str text, long off)
{
    int line, pos;
    line_pos(text, (size_t)off + 2, &line, &pos);
    return rt_xml_throw(env,
                        "For security reasons DTD is prohibited in this XML document. To enable "
                        "DTD processing set the DtdProcessing property on XmlReaderSettings to "
                        "Parse and pass the settings into XmlReader.Create method. "
                        "Line %d, position %d.",
                        line, pos);
}

/* ---- the parser ---- */

typedef struct parse_state {
    bool preserve_ws;
    bool failed;
    int code, line, col;
    char msg[256];
    endElementNsSAX2Func end; /* libxml2's own handler */
} parse_state;

static void on_error(void *ud, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = ud;
    parse_state *ps = ctxt ? ctxt->_private : NULL;
    if (!ps || ps->failed || !e || e->level < XML_ERR_ERROR)
        return;
    ps->failed = true;
    ps->code = e->code;
    ps->line = e->line;
    ps->col = e->int2;
    snprintf(ps->msg, sizeof ps->msg, "%s", e->message ? e->message : "malformed XML");
    size_t n = strlen(ps->msg);
    while (n > 0 && (ps->msg[n - 1] == '\n' || ps->msg[n - 1] == ' '))
        ps->msg[--n] = '\0';
}

static bool is_blank_text(xmlNodePtr n)
{
    if (n->type != XML_TEXT_NODE || !n->content || !n->content[0])
        return false;
    for (const xmlChar *p = n->content; *p; p++)
        if (!is_ws((char)*p))
            return false;
    return true;
}

/* At each end tag: drop whitespace-only text (XmlReaderSettings.IgnoreWhitespace, which
 * XDocument.Parse and LoadXml use by default) and mark <a></a> with an empty text child, as
 * XElement keeps string.Empty content for it. */
static void on_end(void *ud, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ud;
    parse_state *ps = ctxt->_private;
    xmlNodePtr el = ctxt->node;
    if (el && el->type == XML_ELEMENT_NODE && !ctxt->disableSAX) {
        if (!ps->preserve_ws && xmlNodeGetSpacePreserve(el) != 1) {
            for (xmlNodePtr c = el->children, next; c; c = next) {
                next = c->next;
                if (is_blank_text(c)) {
                    xmlUnlinkNode(c);
                    xmlFreeNode(c); /* no xv can point at it yet */
                }
            }
        }
        const xmlChar *cur = ctxt->input ? ctxt->input->cur : NULL;
        bool self_closing = cur && cur - ctxt->input->base >= 2 && cur[-1] == '>' && cur[-2] == '/';
        if (!el->children && !self_closing) {
            xmlNodePtr t = xmlNewDocText(el->doc, (const xmlChar *)"");
            if (t)
                rt_xml_link(el, t);
        }
    }
    ps->end(ud, local, prefix, uri);
}

static bool all_blank(str t)
{
    size_t i = at(t, 0, "\xEF\xBB\xBF") ? 3 : 0;
    for (; i < t.len; i++)
        if (!is_ws(t.ptr[i]))
            return false;
    return true;
}

int rt_xml_parse(expr_env *env, str text, bool preserve_ws, rt_xml_doc **out)
{
    size_t decl_end;
    long dtd = rt_xml_prolog(text, &decl_end);
    if (dtd >= 0)
        return rt_xml_throw_dtd(env, text, dtd);
    if (all_blank(text))
        return rt_xml_throw(env, "Root element is missing.");
    if (text.len > INT_MAX)
        return rt_xml_throw(env, "The XML text is too large.");
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return rt_xml_oom(env);
    parse_state ps = { .preserve_ws = preserve_ws, .end = ctxt->sax->endElementNs };
    ctxt->_private = &ps;
    ctxt->sax->serror = on_error;
    ctxt->sax->endElementNs = on_end;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, text.ptr, (int)text.len, NULL, "UTF-8", PARSE_OPTIONS);
    bool ok = doc && !ps.failed && ctxt->wellFormed && xmlDocGetRootElement(doc);
    xmlFreeParserCtxt(ctxt);
    if (!ok) {
        xmlFreeDoc(doc);
        if (!ps.failed)
            return rt_xml_throw(env, "Root element is missing.");
        return rt_xml_throw(env, "%s. Line %d, position %d.", ps.msg, ps.line,
                            ps.col > 0 ? ps.col : 1);
    }
    rt_xml_doc *d = adopt_doc(env, doc, false);
    if (!d)
        return -1;
    rt_xml_read_decl(env, d, text, decl_end);
    *out = d;
    return 0;
}

/* ---- context.Request.Body.As<XDocument / XElement / XNode>() ---- */

int rt_xml_body_parse(expr_env *env, str text, const xv_class *want, xv *out)
{
    rt_xml_doc *d;
    if (rt_xml_parse(env, text, false, &d) < 0)
        return -1;
    if (want && !strcmp(want->name, "XDocument")) {
        *out = xv_obj(&rt_xml_class_xdocument, d);
        return 0;
    }
    return rt_xml_linq_wrap(env, xmlDocGetRootElement(d->doc), out);
}
