#ifndef RUNTIME_XMLJSON_H
#define RUNTIME_XMLJSON_H

/* Body conversions of the json-to-xml and xml-to-json policies (spec/policies.md §4), over
 * jansson and libxml2, plus the media-type tests their apply / consider-accept-header modes
 * use. Hostile input is bounded: XML is parsed by rt_xml_parse (DOCTYPE rejected, so no DTD or
 * entity; no network; libxml2's depth limit of 256), JSON nesting deeper than
 * RT_XJ_MAX_DEPTH is refused, and output is capped at ARENA_REQUEST_CAP bytes.
 *
 * Shapes (what APIM's gateway produces where observed, Json.NET's XmlNodeConverter otherwise):
 *
 * JSON -> XML: an object with one property whose value is not an array becomes that root
 * element ({"a":{"b":1}} -> <a><b>1</b></a>); anything else is wrapped in <Document> (items of
 * a top-level array are <Array> elements). Arrays repeat their property's element ([] gives
 * one empty element), null gives <x xsi:nil="true" xmlns:xsi="..."/>, booleans are True /
 * False, numbers their .NET ToString(). parse-date: ISO-8601 date-time strings (Json.NET's
 * date detection) are written as an invariant-culture DateTime ("MM/dd/yyyy HH:mm:ss", offsets
 * converted to UTC); otherwise strings are copied. namespace-prefix names properties that
 * declare namespaces ("xmlns" -> default, "xmlns<sep>p" -> prefix p), names "p<sep>local"
 * with a declared prefix p become qualified names, and the object under attribute-block-name
 * gives the element's attributes. Other names are made valid with XmlConvert.EncodeLocalName
 * ("1a" -> "_x0031_a"). Output: .NET XmlWriter style, two-space indent, no declaration.
 *
 * XML -> JSON (compact JSON): elements by name, repeated names as arrays (in order of first
 * appearance), attributes "@name", text beside attributes or elements "#text", CDATA
 * "#cdata-section", processing instructions "?target"; a text-only element is its string,
 * <a/> is null and <a></a> "". Comments are dropped. kind=direct (as observed on APIM): the
 * namespace prefix separator ':' is written '$' ("soap$Envelope", "@xmlns$soap") and the XML
 * declaration's version / encoding / standalone are top-level properties. kind=
 * javascript-friendly (the policy toolkit's projection): no declaration, no xmlns attributes,
 * attributes without '@', ':' -> '_', "#text" -> "$text", "#cdata-section" -> "$cdata"; a name
 * collision is an error. always_array: every child element of an element is an array. */

#include <stdbool.h>

#include "../expr/expr.h"
#include "base/str.h"

#define RT_XJ_MAX_DEPTH 256

typedef struct rt_j2x_opts {
    bool parse_date; /* parse-date */
    str ns_sep;      /* namespace-separator: its first character ('_' when empty) */
    str ns_prefix;   /* namespace-prefix; empty = no namespace declarations */
    str attr_block;  /* attribute-block-name; empty = none */
} rt_j2x_opts;

typedef enum rt_x2j_kind { RT_X2J_DIRECT, RT_X2J_JS_FRIENDLY } rt_x2j_kind;

/* Converts the JSON text json to XML text (*out in env's arena). Returns 0, or -1 with a
 * message in err (invalid JSON, a name no XML name can be made of, a character XML cannot
 * hold, too deep, too large). */
int rt_json_to_xml(expr_env *env, str json, const rt_j2x_opts *o, str *out, char *err,
                   size_t errlen);

/* Converts the XML text xml to compact JSON text (*out in env's arena). Returns 0, or -1 with
 * a message in err (malformed XML or DOCTYPE: the XmlException text; a javascript-friendly
 * name collision; too large). */
int rt_xml_to_json(expr_env *env, str xml, rt_x2j_kind kind, bool always_array, str *out, char *err,
                   size_t errlen);

/* Whether the media type of a Content-Type value (parameters ignored) is application/<sub>,
 * text/<sub> or ends with +<sub> (case-insensitive), sub = "json" or "xml". */
bool rt_media_type_is(str content_type, const char *sub);

/* Whether an Accept header (values as given; each may list several comma-separated ranges)
 * asks for <sub> as rt_media_type_is defines it, with q > 0. Wildcards do not count. */
bool rt_accept_wants(const str *values, size_t n, const char *sub);

#endif
