#ifndef POLICY_POLICY_H
#define POLICY_POLICY_H

/* Policy documents: load (named values, raw-XML pre-pass, libxml2), the AST, and validation
 * against the policy vocabulary (spec.h tables found through rt_policy_find). The only header
 * other modules include from policy/ (spec.h comes with it).
 *
 * Loading a set of documents is two steps so that fragments can be resolved across files:
 *   1. pol_doc_parse() every file (policies and fragments);
 *   2. pol_validate() fragments first, then the <policies> documents; an include-fragment
 *      finds its fragment through pol_env.fragment.
 * Everything (documents, nodes, values, compiled expressions) lives in the arena passed in,
 * which is the configuration arena; nothing needs freeing separately. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../expr/expr.h"
#include "../runtime/base/arena.h"
#include "../runtime/base/diag.h"
#include "../runtime/base/str.h"
#include "spec.h"

typedef struct pol_src pol_src; /* one loaded file: bytes, substituted text, maps (opaque) */
typedef struct pol_doc pol_doc;
typedef struct pol_node pol_node;

/* How documents see the outside world (a gateway configuration, or nothing). */
typedef struct pol_env {
    /* The vocabulary (policy/ does not depend on runtime/: runtime passes rt_policy_find and
     * rt_policy_each). With find NULL every policy element is unknown. */
    const pol_spec *(*find)(const char *name, size_t len);
    void (*each)(void (*fn)(const pol_spec *s, void *ud), void *ud);
    /* Named value lookup: true and *value set when `name` is defined. NULL: none defined. */
    bool (*named_value)(void *ud, str name, str *value);
    /* Fragment lookup by id: the parsed <fragment> document, or NULL. NULL: none known. */
    pol_doc *(*fragment)(void *ud, str id);
    /* Backend lookup by id (set-backend-service backend-id literals). NULL: none known. */
    bool (*backend)(void *ud, str id);
    void *ud;
    /* true when a configuration was given: unresolved named values, fragments and backends
     * are errors; false: warnings ("... (no --config given)"). */
    bool strict;
} pol_env;

/* A position in a loaded document: a byte offset in the text after named-value substitution.
 * pol_loc_pos() turns it into file:line:col of the file the user wrote. */
typedef struct pol_loc {
    const pol_src *src;
    size_t off;
} pol_loc;

/* Breakpoint of a value's offset map: value byte val maps to substituted-text byte sub; bytes
 * up to the next breakpoint map 1:1. Entity references, CR LF and dropped comments make
 * breakpoints. Internal to policy/, exposed only so pol_value can be a plain struct. */
typedef struct pol_brk {
    size_t val, sub;
} pol_brk;

/* An attribute value or an element's text. */
typedef struct pol_value {
    str text;        /* after named values, XML decoding and span restoration; NUL-terminated */
    expr *ex;        /* compiled expression when the text is exactly one @(...)/@{...} and the slot
                      * accepts expressions; NULL for literals (and before/after failed compiles) */
    pol_loc loc;     /* first character of the value (after the opening quote / the start tag) */
    bool unresolved; /* contains a {{named value}} that was not defined */
    const pol_brk *brk; /* offset map (internal) */
    size_t nbrk;
} pol_value;

typedef struct pol_attrv {
    str name;
    pol_loc name_loc;
    const pol_attr *spec; /* the table entry after validation; NULL for "id" and unknown ones */
    pol_value value;
} pol_attrv;

typedef enum pol_node_kind {
    POL_N_ELEMENT, /* not (yet) classified: unknown element, or inside opaque content */
    POL_N_SECTION, /* <inbound> <backend> <outbound> <on-error>, or the <fragment> root */
    POL_N_POLICY,  /* a policy statement: spec is set */
    POL_N_CHILD,   /* a configuration child of a policy (<when>, <value>, <set-url>): child set;
                    * spec is also set when the child is validated as a policy (pol_child.policy) */
    POL_N_BASE,    /* <base/> */
    POL_N_INCLUDE, /* <include-fragment>: spec set; frag is the inlined fragment (or NULL when
                    * unresolved); executing it means executing frag's statements in its place */
} pol_node_kind;

typedef enum pol_section {
    POL_S_INBOUND,
    POL_S_BACKEND,
    POL_S_OUTBOUND,
    POL_S_ON_ERROR,
    POL_S_COUNT,
} pol_section;

struct pol_node {
    pol_node_kind kind;
    str name;               /* element name as written (qualified name for prefixed ones) */
    const pol_spec *spec;   /* POL_N_POLICY / POL_N_INCLUDE (and CHILD with .policy) */
    const pol_child *child; /* POL_N_CHILD */
    pol_loc loc;            /* the '<' of the start tag */
    pol_attrv *attrs;       /* in document order */
    size_t nattrs;
    pol_value text;  /* the text content (comments dropped, CDATA kept, entities decoded) for
                      * POL_C_TEXT, POL_C_OPAQUE without child elements (compiled when it is
                      * one expression: set-body) and POL_TEXT_ALT elements in text form */
    bool has_text;   /* text is set */
    str raw;         /* POL_C_OPAQUE: the inner XML exactly as written (after named
                      * values, entities not decoded); empty for other content */
    pol_node **kids; /* child elements in document order: statements of a section or
                      * block, configuration children, or opaque markup */
    size_t nkids;
    pol_node *parent;
    const pol_doc *frag; /* POL_N_INCLUDE: the fragment document, or NULL */
    unsigned elem;       /* internal: index of the element in the pre-pass table */
};

typedef enum pol_doc_kind { POL_DOC_POLICIES, POL_DOC_FRAGMENT } pol_doc_kind;

struct pol_doc {
    pol_doc_kind kind;
    const char *file; /* as given (used in diagnostics) */
    const pol_src *src;
    pol_node *root; /* <policies> or <fragment> (kind POL_N_SECTION for fragments) */
    pol_node *sections[POL_S_COUNT]; /* <policies>: the section elements present, else NULL */
    bool validated;                  /* pol_validate ran */
    bool ok;                         /* parsed and validated without errors */
    const void *raw;                 /* internal: the pre-pass tables */
};

/* Parses data[0..len) read from `file` (kept by pointer: it must outlive the arena's use):
 * substitutes named values from env (env may be NULL), runs the raw-XML pre-pass, parses with
 * libxml2 (no network, no DTD, DOCTYPE rejected) and builds the AST. Reports all problems into
 * d. Returns NULL after a fatal error (malformed XML, unclosed expression, wrong root). */
pol_doc *pol_doc_parse(arena *a, const char *file, const char *data, size_t len, const pol_env *env,
                       diag_list *d);

/* Validates doc against the registry: sections, <base/>, policies allowed per section,
 * attributes (known, required, typed literals, rules), child elements and text, POL_ONCE per
 * section, and compiles every expression (diagnostics at the exact file:line:col). Inlines
 * include-fragment through env->fragment (validating the fragment first if needed).
 * Returns 0 when doc has no errors, -1 otherwise. Idempotent. */
int pol_validate(arena *a, pol_doc *doc, const pol_env *env, diag_list *d);

/* pol_doc_parse + pol_validate. NULL when parsing failed; check diag_has_errors(d) too. */
pol_doc *pol_doc_load(arena *a, const char *file, const char *data, size_t len, const pol_env *env,
                      diag_list *d);

/* True when text (white space around it ignored) is one expression: it starts with "@(" or
 * "@{" and ends with the matching ")" or "}" (whether the inside is valid is for the
 * expression compiler to say). Anything else, e.g. "Bearer @(x)", is a literal. */
bool pol_is_expression(str text);

/* The fragment id a file name stands for: its base name without a trailing ".xml". */
str pol_fragment_id_of_path(const char *path);

/* Releases libxml2's global state (call once at exit, for leak checkers). */
void pol_shutdown(void);

/* Section name ("inbound", ...). */
const char *pol_section_name(pol_section s);

/* The attribute named name of el, or NULL. */
const pol_attrv *pol_node_attr(const pol_node *el, const char *name);

/* Position of loc in the file the user wrote. */
void pol_loc_pos(pol_loc loc, diag_pos *out);
/* Position of byte off of v->text (e.g. an expression offset) in the file the user wrote. */
void pol_value_pos(const pol_value *v, size_t off, diag_pos *out);
/* A diag_mapper for offsets relative to v->text + base (lives in a). */
diag_mapper *pol_value_mapper(arena *a, const pol_value *v, size_t base);

#endif
