#ifndef RUNTIME_COMPILE_H
#define RUNTIME_COMPILE_H

/* Compilation of validated policy documents into executable blocks (STYLE §7): scope
 * composition through <base/> (spec/gateway.md §2), include-fragment spliced in place, and
 * per policy a conf struct filled by its pol_spec.parse. Everything lives in the config arena
 * passed in and is immutable afterwards. Also the typed attribute readers policies use in
 * parse (pol_cc_*) and, at run time, to evaluate literal-or-expression values (rt_val_*). */

#include <stdbool.h>
#include <stdint.h>

#include "../policy/policy.h"

struct rt_req;

/* One executable statement. */
typedef struct rt_step {
    const pol_spec *spec;
    const pol_node *node; /* for file:line, the id attribute, traces */
    void *conf;           /* spec->conf_size bytes filled by spec->parse (NULL when 0) */
    const char *scope;    /* "global" | "product" | "api" | "operation" */
    const char *path;     /* LastError.Path, e.g. "choose[1]/when[2]/set-header[1]" */
    str id;               /* the id attribute (LastError.PolicyId), empty when absent */
} rt_step;

typedef struct rt_block {
    rt_step *steps;
    size_t n;
} rt_block;

/* The effective document of one (product?, api, operation) chain. */
typedef struct rt_program {
    rt_block sec[POL_S_COUNT];
    /* world.c: the API's serviceUrl parsed once (rt_url_parse_shared), shared read-only by the
     * requests of the program (context.Api.ServiceUrl, the backend base); NULL: none, or
     * parsed per request */
    struct rt_url *service_url;
} rt_program;

/* Compile state handed to pol_spec.parse. */
typedef struct pol_cc {
    arena *a;          /* the config arena */
    diag_list *d;      /* errors of parse functions (file:line:col) */
    const char *scope; /* scope of the document being compiled */
    /* the broader scope's effective section replacing <base/> (NULL: nothing) */
    const rt_block *base;
    int depth;
} pol_cc;

/* A literal-or-expression value of an attribute or element text. */
typedef struct pol_val {
    bool present;         /* attribute given, or a documented default applies */
    str lit;              /* the literal (trimmed); empty for expressions */
    const expr *ex;       /* the compiled expression, or NULL for a literal */
    const pol_value *src; /* where it came from (NULL for defaults) */
    /* pol_cc_attr reads a literal once: when lit_of is still lit (a parse function may change
     * lit afterwards), rt_val_int / rt_val_bool take lit_int / lit_bool when their _ok is set
     * instead of parsing lit on every request */
    str lit_of;
    int64_t lit_int;
    bool lit_int_ok, lit_bool_ok, lit_bool;
} pol_val;

/* ---- documents -> programs ---- */

/* One scope level of a chain: its document (NULL when the scope has none) and its name. */
typedef struct rt_scope_doc {
    const pol_doc *doc;
    const char *scope;
} rt_scope_doc;

/* Compiles the effective sections of a chain, broadest first (global, product, api,
 * operation; levels may be NULL docs = transparent). The global level without a document
 * uses APIM's default global document (<backend><forward-request/></backend>). Returns the
 * program (in a), or NULL with errors in d. */
rt_program *rt_compile_chain(arena *a, const rt_scope_doc *levels, size_t n, diag_list *d);

/* Compiles the statements kids[0..n) into out: policies get a step each (conf parsed),
 * <base/> splices cc->base, include-fragment splices its fragment's statements. Container
 * policies call it from their parse for their child blocks. Returns 0, or -1 (diagnostics in
 * cc->d). */
int pol_compile_block(pol_cc *cc, pol_node *const *kids, size_t n, rt_block *out);

/* ---- readers for parse functions ---- */

/* The attribute (or its documented default from the spec's table, else absent). */
void pol_cc_attr(const pol_node *el, const char *name, pol_val *out);
/* The element's text (set-body, <value>, <set-url>) as a value; absent without text. */
void pol_cc_text(const pol_node *el, pol_val *out);
/* The literal attribute text, or def when absent (for attributes that take no expression). */
str pol_cc_lit(const pol_node *el, const char *name, const char *def);
/* A literal boolean/integer attribute (no expression allowed by the table). */
bool pol_cc_bool(const pol_node *el, const char *name, bool def);
int64_t pol_cc_int(const pol_node *el, const char *name, int64_t def);
/* Child elements named name, in order: returns how many, *out (arena) the nodes. */
size_t pol_cc_children(pol_cc *cc, const pol_node *el, const char *name, const pol_node ***out);
/* Reports an error at el. Returns -1. */
int pol_cc_error(pol_cc *cc, const pol_node *el, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- run-time evaluation of values (the request's expression env) ----
 * Each returns 0, or -1 after recording the failure on r (expression failures are Reason
 * ExpressionValueEvaluationFailure); the exec function then returns POL_FAIL. */

/* Any value: literal -> string. Absent -> null. */
int rt_val_xv(struct rt_req *r, const pol_val *v, xv *out);
/* String (ToString of the value); absent or null -> *out = STR_NULL. */
int rt_val_str(struct rt_req *r, const pol_val *v, str *out);
/* Integer (number or numeric string); absent/null -> def. */
int rt_val_int(struct rt_req *r, const pol_val *v, int64_t def, int64_t *out);
/* Boolean (bool or "true"/"false", case-insensitive); absent/null -> def. */
int rt_val_bool(struct rt_req *r, const pol_val *v, bool def, bool *out);

#endif
