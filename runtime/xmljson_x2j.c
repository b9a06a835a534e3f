/* xml-to-json: XML text -> compact JSON text (shapes in xmljson.h). The XML is parsed by
 * rt_xml_parse (.NET XmlReader rules: DOCTYPE prohibited, whitespace-only text dropped, <a></a>
 * marked with an empty text child). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml.h"
#include "xmljson.h"

typedef struct x2j {
    expr_env *env;
    rt_x2j_kind kind;
    bool always_array;
    char *err;
    size_t errlen;
    bool failed;
} x2j;

static int fail(x2j *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(x2j *x, const char *fmt, ...)
{
    if (!x->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->err, x->errlen, fmt, ap);
        va_end(ap);
    }
    x->failed = true;
    return -1;
}

static bool friendly(const x2j *x)
{
    return x->kind == RT_X2J_JS_FRIENDLY;
}

/* "prefix<sep>local" ('$' direct, '_' javascript-friendly), after lead ("@", "?" or ""). */
static char *qname(const x2j *x, const char *lead, const xmlChar *prefix, const xmlChar *local)
{
    size_t n = strlen(lead) + (prefix ? strlen((const char *)prefix) + 1 : 0) +
               strlen((const char *)local) + 1;
    char *s = arena_alloc(x->env->a, n);
    if (!s)
        return NULL;
    if (prefix)
        snprintf(s, n, "%s%s%c%s", lead, prefix, friendly(x) ? '_' : '$', local);
    else
        snprintf(s, n, "%s%s", lead, local);
    return s;
}

/* Sets name in obj; a javascript-friendly collision is an error. Steals v. */
static int set(x2j *x, json_t *obj, const char *name, json_t *v)
{
    if (!v || !name) {
        json_decref(v);
        return fail(x, "out of memory");
    }
    if (friendly(x) && json_object_get(obj, name)) {
        json_decref(v);
        return fail(x, "javascript-friendly conversion produces duplicate property '%s'", name);
    }
    if (json_object_set_new(obj, name, v) < 0)
        return fail(x, "the name '%s' cannot be a JSON property", name);
    return 0;
}

static json_t *text_json(const xmlChar *s)
{
    return json_string(s ? (const char *)s : "");
}

/* The property name of a child node, or NULL when the node is not written (comments; PIs
 * when javascript-friendly). */
static const char *child_name(const x2j *x, xmlNodePtr n)
{
    switch (n->type) {
    case XML_ELEMENT_NODE:
        return qname(x, "", n->ns ? n->ns->prefix : NULL, n->name);
    case XML_TEXT_NODE:
        return friendly(x) ? "$text" : "#text";
    case XML_CDATA_SECTION_NODE:
        return friendly(x) ? "$cdata" : "#cdata-section";
    case XML_PI_NODE:
        return friendly(x) ? NULL : qname(x, "?", NULL, n->name);
    default:
        return NULL;
    }
}

static json_t *element_json(x2j *x, xmlNodePtr el, int depth);

static json_t *node_json(x2j *x, xmlNodePtr n, int depth)
{
    if (n->type == XML_ELEMENT_NODE)
        return element_json(x, n, depth);
    json_t *v = text_json(n->content);
    if (!v)
        fail(x, "out of memory");
    return v;
}

typedef struct group {
    const char *name;
    xmlNodePtr first;
    size_t n;
} group;

/* The children of parent grouped by name into obj (Json.NET's SerializeGroupedNodes); with
 * always_array and an element parent, element groups are arrays even when single. */
static int write_groups(x2j *x, json_t *obj, xmlNodePtr parent, int depth)
{
    size_t cap = 0;
    for (xmlNodePtr c = parent->children; c; c = c->next)
        cap++;
    if (!cap)
        return 0;
    group *g = calloc(cap, sizeof *g);
    const char **names = calloc(cap, sizeof *names);
    size_t ng = 0, i = 0;
    int rc = g && names ? 0 : fail(x, "out of memory");
    for (xmlNodePtr c = parent->children; !rc && c; c = c->next, i++) {
        names[i] = child_name(x, c);
        if (!names[i] && (c->type == XML_ELEMENT_NODE || c->type == XML_TEXT_NODE)) {
            rc = fail(x, "out of memory");
            break;
        }
        if (!names[i])
            continue;
        size_t k = 0;
        while (k < ng && strcmp(g[k].name, names[i]) != 0)
            k++;
        if (k == ng)
            g[ng++] = (group){ names[i], c, 0 };
        g[k].n++;
    }
    bool in_element = parent->type == XML_ELEMENT_NODE;
    for (size_t k = 0; !rc && k < ng; k++) {
        bool arr =
            g[k].n > 1 || (x->always_array && in_element && g[k].first->type == XML_ELEMENT_NODE);
        if (!arr) {
            json_t *v = node_json(x, g[k].first, depth + 1);
            rc = v ? set(x, obj, g[k].name, v) : -1;
            continue;
        }
        json_t *a = json_array();
        size_t j = 0;
        for (xmlNodePtr c = parent->children; !rc && c; c = c->next, j++) {
            if (!names[j] || strcmp(names[j], g[k].name) != 0)
                continue;
            json_t *v = node_json(x, c, depth + 1);
            if (!v || json_array_append_new(a, v) < 0)
                rc = fail(x, "out of memory");
        }
        rc = rc ? (json_decref(a), rc) : set(x, obj, g[k].name, a);
    }
    free(g);
    free(names);
    return rc;
}

static json_t *element_json(x2j *x, xmlNodePtr el, int depth)
{
    if (depth > RT_XJ_MAX_DEPTH) {
        fail(x, "the XML nesting is deeper than %d levels", RT_XJ_MAX_DEPTH);
        return NULL;
    }
    bool has_attrs = el->nsDef || el->properties;
    size_t nkids = 0;
    for (xmlNodePtr c = el->children; c; c = c->next)
        nkids++;
    if (!has_attrs && nkids == 1 && el->children->type == XML_TEXT_NODE)
        return node_json(x, el->children, depth);
    if (!has_attrs && !nkids)
        return json_null();
    json_t *obj = json_object();
    int rc = obj ? 0 : fail(x, "out of memory");
    for (xmlNsPtr ns = el->nsDef; !rc && ns && !friendly(x); ns = ns->next)
        rc =
            set(x, obj, ns->prefix ? qname(x, "@", (const xmlChar *)"xmlns", ns->prefix) : "@xmlns",
                text_json(ns->href));
    for (xmlAttrPtr a = el->properties; !rc && a; a = a->next) {
        xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
        json_t *jv = text_json(v);
        xmlFree(v);
        rc = set(x, obj, qname(x, friendly(x) ? "" : "@", a->ns ? a->ns->prefix : NULL, a->name),
                 jv);
    }
    if (!rc)
        rc = write_groups(x, obj, el, depth);
    if (rc) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static json_t *document_json(x2j *x, rt_xml_doc *d)
{
    json_t *obj = json_object();
    int rc = obj ? 0 : fail(x, "out of memory");
    if (!rc && d->has_decl && !friendly(x)) {
        if (d->version.len)
            rc = set(x, obj, "version", json_stringn(d->version.ptr, d->version.len));
        if (!rc && d->encoding.len)
            rc = set(x, obj, "encoding", json_stringn(d->encoding.ptr, d->encoding.len));
        if (!rc && d->standalone.len)
            rc = set(x, obj, "standalone", json_stringn(d->standalone.ptr, d->standalone.len));
    }
    if (!rc)
        rc = write_groups(x, obj, (xmlNodePtr)d->doc, 0);
    if (rc) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

int rt_xml_to_json(expr_env *env, str xml, rt_x2j_kind kind, bool always_array, str *out, char *err,
                   size_t errlen)
{
    rt_xml_doc *d;
    if (rt_xml_parse(env, xml, false, &d) < 0) {
        snprintf(err, errlen, "the body is not valid XML: %s",
                 env->err.message ? env->err.message : "malformed XML");
        return -1;
    }
    x2j x = {
        .env = env, .kind = kind, .always_array = always_array, .err = err, .errlen = errlen
    };
    json_t *j = document_json(&x, d);
    if (!j)
        return -1;
    size_t n = json_dumpb(j, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
    int rc = 0;
    if (n > ARENA_REQUEST_CAP) {
        rc = fail(&x, "the converted body exceeds %zu bytes", (size_t)ARENA_REQUEST_CAP);
    } else {
        char *text = arena_alloc(env->a, n + 1);
        if (!text) {
            rc = fail(&x, "out of memory");
        } else {
            json_dumpb(j, text, n, JSON_COMPACT | JSON_ENCODE_ANY);
            text[n] = '\0';
            *out = str_make(text, n);
        }
    }
    json_decref(j);
    return rc;
}
