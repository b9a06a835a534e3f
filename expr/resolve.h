#ifndef EXPR_RESOLVE_H
#define EXPR_RESOLVE_H

/* Internals of the resolver, shared by resolve.c (scopes, statements) and resolve_expr.c. */

#include "ast.h"

#define RS_MAX_VARS    512
#define RS_MAX_FN      32
#define RS_MAX_ANON    64
#define RS_MAX_LOCALFN 64

/* A local function in scope (declared in an enclosing block). */
typedef struct rs_fn {
    str name;
    expr_node *decl; /* EXPR_S_FUNC */
    int fn;          /* function level of the block that declares it */
} rs_fn;

/* What a function level is, for `return` checks. */
enum { RS_FN_TOP, RS_FN_LAMBDA, RS_FN_VOID, RS_FN_VALUED };

typedef struct rs_var {
    str name;
    int slot;
    int fn; /* lambda nesting level that declared it */
    const xv_class *cls;
    const xv_type *type;
} rs_var;

typedef struct resolver {
    arena *a;
    expr_diag *dg;
    rs_var vars[RS_MAX_VARS];
    int nvars;
    int fn;
    uint32_t nslots[RS_MAX_FN];
    int loops, switches, in_catch;
    const expr_node *anons[RS_MAX_ANON]; /* anonymous object creations seen */
    int nanons;
    rs_fn fns[RS_MAX_LOCALFN];
    int nfns;
    uint8_t fnkind[RS_MAX_FN];
    const struct expr_lambda *fnlam[RS_MAX_FN]; /* the local function of each level, or NULL */
    bool failed;
} resolver;

void rs_error(resolver *r, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const xv_class *rs_const_class(xv v);
const xv_class *rs_type_class(const xv_type *t);
const xv_type *rs_type(resolver *r, const expr_tnode *tn);
int rs_declare(resolver *r, str name, size_t off, const xv_class *cls, const xv_type *type);
const rs_var *rs_lookup(const resolver *r, str name);
/* The innermost local function of that name in scope, or NULL. */
const rs_fn *rs_lookup_fn(const resolver *r, str name);
/* A warning at off (does not fail the compilation). */
void rs_warning(resolver *r, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rs_lambda(resolver *r, expr_node *n);
/* Resolves an expression in value position; returns its static class (NULL = dynamic). */
const xv_class *rs_expr(resolver *r, expr_node *n);

#endif
