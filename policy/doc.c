/* Loading a document: named values, the raw-XML pre-pass, libxml2 (well-formedness only: the
 * pre-pass tables carry the exact offsets), then the AST. */
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "impl.h"

#define XML_OPTIONS                                                                                \
    (XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |               \
     XML_PARSE_NOWARNING)

static const char *const section_names[POL_S_COUNT] = { "inbound", "backend", "outbound",
                                                        "on-error" };

const char *pol_section_name(pol_section s)
{
    return s < POL_S_COUNT ? section_names[s] : "?";
}

str pol_fragment_id_of_path(const char *path)
{
    const char *b = strrchr(path, '/');
    str id = str_from(b ? b + 1 : path);
    if (id.len > 4 && !memcmp(id.ptr + id.len - 4, ".xml", 4))
        id.len -= 4;
    return id;
}

const pol_attrv *pol_node_attr(const pol_node *el, const char *name)
{
    for (size_t i = 0; i < el->nattrs; i++) {
        if (str_eq_cstr(el->attrs[i].name, name))
            return &el->attrs[i];
    }
    return NULL;
}

/* ---- libxml2 ---- */

void pol_shutdown(void)
{
    xmlCleanupParser();
}

typedef struct xml_errs {
    bool have;
    int line, col;
    char msg[512];
} xml_errs;

static void on_xml_error(void *ud, xmlErrorPtr e)
{
    xml_errs *xe = ud;
    if (xe->have || !e || e->level < XML_ERR_ERROR)
        return;
    xe->have = true;
    xe->line = e->line;
    xe->col = e->int2;
    snprintf(xe->msg, sizeof xe->msg, "%s", e->message ? e->message : "malformed XML");
    size_t l = strlen(xe->msg);
    while (l && (xe->msg[l - 1] == '\n' || xe->msg[l - 1] == ' '))
        xe->msg[--l] = 0;
}

/* Compares libxml2's elements with the pre-pass table (document order). */
static bool same_elems(const rawxml *rx, xmlNodePtr n, size_t *k)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (*k >= rx->nelems)
            return false;
        const raw_elem *e = &rx->elems[(*k)++];
        str raw = { rx->text + e->tag + 1, e->name_len };
        str local = str_from((const char *)n->name);
        if (n->ns && n->ns->prefix) {
            str pfx = str_from((const char *)n->ns->prefix);
            if (raw.len != pfx.len + 1 + local.len || memcmp(raw.ptr, pfx.ptr, pfx.len) ||
                raw.ptr[pfx.len] != ':' || memcmp(raw.ptr + pfx.len + 1, local.ptr, local.len))
                return false;
        } else if (!str_eq(raw, local)) {
            return false;
        }
        if (!same_elems(rx, n->children, k))
            return false;
    }
    return true;
}

static int xml_check(const pol_src *src, const rawxml *rx, diag_list *d)
{
    xmlInitParser();
    xml_errs xe = { 0 };
    xmlSetStructuredErrorFunc(&xe, on_xml_error);
    if (rx->len > (size_t)0x7fffffff) {
        xmlSetStructuredErrorFunc(NULL, NULL);
        diag_add(d, DIAG_ERROR, &(diag_pos){ .file = src->file }, "document is too large");
        return -1;
    }
    xmlDocPtr doc = xmlReadMemory(rx->pre, (int)rx->len, NULL, NULL, XML_OPTIONS);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (!doc || xe.have) {
        diag_pos pos;
        if (xe.line > 0)
            pol_src_pos_line(src, (unsigned)xe.line, xe.col > 0 ? (unsigned)xe.col : 1, &pos);
        else
            pos = (diag_pos){ .file = src->file };
        diag_add(d, DIAG_ERROR, &pos, "malformed XML: %s",
                 xe.have ? xe.msg : "the document is empty");
        if (doc)
            xmlFreeDoc(doc);
        return -1;
    }
    size_t k = 0;
    bool same = rx->complete && same_elems(rx, doc->children, &k) && k == rx->nelems;
    xmlFreeDoc(doc);
    if (!same) {
        diag_add(d, DIAG_ERROR, &(diag_pos){ .file = src->file },
                 "internal error: the raw-XML pre-pass lost track of the document structure");
        return -1;
    }
    return 0;
}

/* ---- AST ---- */

typedef struct builder {
    arena *a;
    const pol_src *src;
    const rawxml *rx;
    const size_t *unres;
    size_t nunres;
} builder;

static bool range_unresolved(const builder *b, size_t from, size_t to)
{
    for (size_t i = 0; i + 1 < b->nunres; i += 2) {
        if (b->unres[i] < to && b->unres[i + 1] > from)
            return true;
    }
    return false;
}

static pol_node *build(builder *b, int k, pol_node *parent)
{
    const raw_elem *e = &b->rx->elems[k];
    pol_node *nd = arena_alloc(b->a, sizeof *nd);
    if (!nd)
        return NULL;
    nd->kind = POL_N_ELEMENT;
    nd->name = (str){ b->rx->text + e->tag + 1, e->name_len };
    nd->loc = (pol_loc){ b->src, e->tag };
    nd->parent = parent;
    nd->elem = (unsigned)k;
    if (e->nattrs) {
        nd->attrs = arena_calloc(b->a, e->nattrs, sizeof *nd->attrs);
        if (!nd->attrs)
            return NULL;
    }
    for (size_t i = 0; i < e->nattrs; i++) {
        const raw_attr *ra = &e->attrs[i];
        pol_attrv *av = &nd->attrs[nd->nattrs++];
        av->name = (str){ b->rx->text + ra->name, ra->name_len };
        av->name_loc = (pol_loc){ b->src, ra->name };
        if (pol_text_attr(b->a, b->src, b->rx, ra, &av->value) < 0)
            return NULL;
        av->value.unresolved = range_unresolved(b, ra->val, ra->val + ra->val_len);
    }
    size_t nk = 0;
    for (int c = e->first_kid; c >= 0; c = b->rx->elems[c].next)
        nk++;
    if (nk) {
        nd->kids = arena_calloc(b->a, nk, sizeof *nd->kids);
        if (!nd->kids)
            return NULL;
    }
    for (int c = e->first_kid; c >= 0; c = b->rx->elems[c].next) {
        pol_node *kid = build(b, c, nd);
        if (!kid)
            return NULL;
        nd->kids[nd->nkids++] = kid;
    }
    return nd;
}

static void check_no_text(const builder *b, const pol_node *nd, diag_list *d)
{
    pol_value v;
    bool nonblank;
    size_t first;
    if (pol_text_content(b->a, b->src, b->rx, &b->rx->elems[nd->elem], &v, &nonblank, &first) ==
            0 &&
        nonblank)
        pol_diag(d, DIAG_ERROR, (pol_loc){ b->src, first }, "text is not allowed in <%.*s>",
                 STR_FMT(nd->name));
}

static void classify_root(builder *b, pol_doc *doc, diag_list *d)
{
    pol_node *root = doc->root;
    if (doc->kind == POL_DOC_FRAGMENT) {
        root->kind = POL_N_SECTION;
        return;
    }
    check_no_text(b, root, d);
    for (size_t i = 0; i < root->nkids; i++) {
        pol_node *sec = root->kids[i];
        int s = -1;
        for (int k = 0; k < POL_S_COUNT; k++) {
            if (str_eq_cstr(sec->name, section_names[k]))
                s = k;
        }
        if (s < 0) {
            pol_diag(d, DIAG_ERROR, sec->loc,
                     "<%.*s> is not allowed in <policies>: expected <inbound>, <backend>, "
                     "<outbound> or <on-error>",
                     STR_FMT(sec->name));
            continue;
        }
        if (doc->sections[s]) {
            diag_pos first;
            pol_loc_pos(doc->sections[s]->loc, &first);
            pol_diag(d, DIAG_ERROR, sec->loc, "duplicate <%s> section (first one at line %u)",
                     section_names[s], first.line);
            continue;
        }
        sec->kind = POL_N_SECTION;
        doc->sections[s] = sec;
        for (size_t k = 0; k < sec->nattrs; k++)
            pol_diag(d, DIAG_ERROR, sec->attrs[k].name_loc, "unknown attribute '%.*s' on <%s>",
                     STR_FMT(sec->attrs[k].name), section_names[s]);
    }
}

pol_doc *pol_doc_parse(arena *a, const char *file, const char *data, size_t len, const pol_env *env,
                       diag_list *d)
{
    pol_src *src = arena_alloc(a, sizeof *src);
    pol_doc *doc = arena_alloc(a, sizeof *doc);
    rawxml *rx = arena_alloc(a, sizeof *rx);
    if (!src || !doc || !rx)
        return NULL;
    src->file = file;
    src->orig = data;
    src->orig_len = len;
    if (pol_src_lines(a, src) < 0)
        return NULL;
    size_t *unres = NULL, nunres = 0;
    if (pol_nv_substitute(a, src, env, d, &unres, &nunres) < 0)
        return NULL;
    if (pol_raw_scan(a, src, rx, d) < 0)
        return NULL;
    if (xml_check(src, rx, d) < 0)
        return NULL;
    builder b = { a, src, rx, unres, nunres };
    int root = -1;
    for (size_t k = 0; k < rx->nelems; k++) {
        if (rx->elems[k].parent < 0) {
            root = (int)k;
            break;
        }
    }
    if (root < 0)
        return NULL; /* libxml2 accepts no document without a root element */
    doc->file = file;
    doc->src = src;
    doc->raw = rx;
    doc->root = build(&b, root, NULL);
    if (!doc->root)
        return NULL;
    if (str_eq_cstr(doc->root->name, "policies")) {
        doc->kind = POL_DOC_POLICIES;
    } else if (str_eq_cstr(doc->root->name, "fragment")) {
        doc->kind = POL_DOC_FRAGMENT;
    } else {
        pol_diag(d, DIAG_ERROR, doc->root->loc,
                 "the root element must be <policies> or <fragment>, not <%.*s>",
                 STR_FMT(doc->root->name));
        return NULL;
    }
    for (size_t k = 0; k < doc->root->nattrs; k++)
        pol_diag(d, DIAG_ERROR, doc->root->attrs[k].name_loc, "unknown attribute '%.*s' on <%.*s>",
                 STR_FMT(doc->root->attrs[k].name), STR_FMT(doc->root->name));
    classify_root(&b, doc, d);
    return doc;
}

pol_doc *pol_doc_load(arena *a, const char *file, const char *data, size_t len, const pol_env *env,
                      diag_list *d)
{
    pol_doc *doc = pol_doc_parse(a, file, data, len, env, d);
    if (doc)
        pol_validate(a, doc, env, d);
    return doc;
}
