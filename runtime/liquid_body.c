/* The `body` of a Liquid template: JSON parsed as is, XML converted with Json.NET's
 * SerializeXmlNode convention, anything else bound as text. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "liquid_impl.h"

static bool media_is(str ct, const char *a, const char *b, const char *suffix)
{
    size_t n = 0;
    while (n < ct.len && ct.ptr[n] != ';')
        n++;
    str mt = str_trim((str){ ct.ptr, n });
    if (str_ieq(mt, str_from(a)) || str_ieq(mt, str_from(b)))
        return true;
    size_t sl = strlen(suffix);
    return mt.len > sl && str_ieq((str){ mt.ptr + mt.len - sl, sl }, str_from(suffix));
}

/* "prefix:name" of a node or attribute. */
static void qname_key(const xmlNs *ns, const xmlChar *name, char *tmp, size_t n)
{
    if (ns && ns->prefix)
        snprintf(tmp, n, "%s:%s", (const char *)ns->prefix, (const char *)name);
    else
        snprintf(tmp, n, "%s", (const char *)name);
}

static bool is_blank_text(const xmlChar *s)
{
    for (; s && *s; s++)
        if (!strchr(" \t\r\n", *s))
            return false;
    return true;
}

static json_t *convert_element(xmlNodePtr el)
{
    bool has_attr = el->properties != NULL || el->nsDef != NULL, has_elem = false;
    size_t ntext = 0;
    for (xmlNodePtr c = el->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            has_elem = true;
        else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE))
            ntext++;
    }
    if (!has_attr && !has_elem) {
        if (ntext == 0)
            return json_null();
        xmlChar *t = xmlNodeGetContent(el);
        json_t *s = json_string(t ? (const char *)t : "");
        xmlFree(t);
        return s ? s : json_null();
    }
    json_t *obj = json_object();
    char key[512];
    for (xmlNsPtr ns = el->nsDef; ns; ns = ns->next) {
        if (ns->prefix)
            snprintf(key, sizeof key, "@xmlns:%s", (const char *)ns->prefix);
        else
            snprintf(key, sizeof key, "@xmlns");
        json_object_set_new(obj, key, json_string(ns->href ? (const char *)ns->href : ""));
    }
    for (xmlAttrPtr a = el->properties; a; a = a->next) {
        char nm[500];
        qname_key(a->ns, a->name, nm, sizeof nm);
        snprintf(key, sizeof key, "@%s", nm);
        xmlChar *v = xmlNodeListGetString(el->doc, a->children, 1);
        json_object_set_new(obj, key, json_string(v ? (const char *)v : ""));
        xmlFree(v);
    }
    json_t *arrays = json_object(); /* keys that already hold an array we made */
    for (xmlNodePtr c = el->children; c; c = c->next) {
        json_t *v = NULL;
        if (c->type == XML_ELEMENT_NODE) {
            qname_key(c->ns, c->name, key, sizeof key);
            v = convert_element(c);
        } else if (c->type == XML_TEXT_NODE && !(has_elem && is_blank_text(c->content))) {
            snprintf(key, sizeof key, "#text");
            v = json_string(c->content ? (const char *)c->content : "");
        } else if (c->type == XML_CDATA_SECTION_NODE) {
            snprintf(key, sizeof key, "#cdata-section");
            v = json_string(c->content ? (const char *)c->content : "");
        }
        if (!v)
            continue;
        json_t *old = json_object_get(obj, key);
        if (!old) {
            json_object_set_new(obj, key, v);
        } else if (json_object_get(arrays, key)) {
            json_array_append_new(old, v);
        } else {
            json_object_set_new(obj, key, json_pack("[Oo]", old, v));
            json_object_set_new(arrays, key, json_true());
        }
    }
    json_decref(arrays);
    return obj;
}

static json_t *xml_body(str text)
{
    if (text.len > INT32_MAX)
        return NULL;
    xmlDocPtr doc = xmlReadMemory(text.ptr, (int)text.len, "body.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return NULL;
    json_t *out = NULL;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (root && !doc->intSubset) {
        out = json_object();
        str t = str_trim(text);
        if (t.len > 5 && memcmp(t.ptr, "<?xml", 5) == 0) {
            json_t *decl = json_object();
            if (doc->version)
                json_object_set_new(decl, "@version", json_string((const char *)doc->version));
            if (doc->encoding)
                json_object_set_new(decl, "@encoding", json_string((const char *)doc->encoding));
            json_object_set_new(out, "?xml", decl);
        }
        char key[512];
        qname_key(root->ns, root->name, key, sizeof key);
        json_object_set_new(out, key, convert_element(root));
    }
    xmlFreeDoc(doc);
    return out;
}

json_t *rt_liquid_body(str content_type, str text)
{
    if (text.len == 0 || !text.ptr)
        return NULL;
    if (media_is(content_type, "application/json", "text/json", "+json")) {
        json_error_t e;
        return json_loadb(text.ptr, text.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    }
    if (media_is(content_type, "application/xml", "text/xml", "+xml"))
        return xml_body(text);
    return json_stringn_nocheck(text.ptr, text.len);
}
