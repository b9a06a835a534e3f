/* The resolver: names -> local slots or types, members and methods checked against the
 * static class of their receiver, named arguments placed, constants folded, and the
 * "every code path returns" check of @{...} blocks. Errors are collected, not fatal. */
#include <stdio.h>
#include <string.h>

#include "resolve.h"

void rs_error(resolver *r, size_t off, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    expr_error_at(r->dg, off, "%s", msg);
    r->failed = true;
}

void rs_warning(resolver *r, size_t off, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_at(r->dg->d, r->dg->m, off, DIAG_WARNING, "%s", msg);
}

const xv_class *rs_const_class(xv v)
{
    switch (v.kind) {
    case XV_BOOL:
        return &expr_class_bool;
    case XV_INT:
        return v.sub == XV_SUB_INT64 ? &expr_class_long : &expr_class_int;
    case XV_DOUBLE:
        return v.sub == XV_SUB_FLOAT     ? &expr_class_float
               : v.sub == XV_SUB_DECIMAL ? &expr_class_decimal
                                         : &expr_class_double;
    case XV_CHAR:
        return &expr_class_char;
    case XV_STR:
        return &expr_class_string;
    default:
        return NULL;
    }
}

/* The static class of values of type t (NULL = dynamic). */
const xv_class *rs_type_class(const xv_type *t)
{
    if (!t || !t->cls || t->cls == &expr_class_object)
        return NULL;
    if (t->rank > 0)
        return t->rank == 1 && t->cls == &expr_class_byte ? &expr_class_bytes : NULL;
    return t->cls;
}

/* Resolves a written type; unknown names are errors (NULL returned, nothing for `var`). */
const xv_type *rs_type(resolver *r, const expr_tnode *tn)
{
    if (!tn)
        return NULL;
    xv_type *t = arena_alloc(r->a, sizeof *t);
    if (!t)
        return NULL;
    t->cls = expr_find_class(tn->name);
    if (!t->cls) {
        expr_suggest sg;
        char hint[96];
        expr_suggest_init(&sg, tn->name);
        expr_suggest_types(&sg);
        expr_suggest_suffix(&sg, hint, sizeof hint);
        rs_error(r, tn->off, "unknown type '%.*s'%s", STR_FMT(tn->name), hint);
        return NULL;
    }
    for (uint8_t i = 0; i < tn->nargs; i++)
        t->args[i] = rs_type(r, tn->args[i]);
    t->nargs = tn->nargs;
    t->nullable = tn->nullable;
    t->rank = tn->rank;
    return t;
}

/* ---- scopes ---- */

int rs_declare(resolver *r, str name, size_t off, const xv_class *cls, const xv_type *type)
{
    for (int i = r->nvars - 1; i >= 0 && r->vars[i].fn == r->fn; i--) {
        if (str_eq(r->vars[i].name, name)) {
            rs_error(r, off, "a local variable named '%.*s' is already defined", STR_FMT(name));
            return r->vars[i].slot;
        }
    }
    if (r->nvars == RS_MAX_VARS) {
        rs_error(r, off, "too many local variables");
        return 0;
    }
    int slot = (int)r->nslots[r->fn]++;
    r->vars[r->nvars++] = (rs_var){ name, slot, r->fn, cls, type };
    return slot;
}

const rs_var *rs_lookup(const resolver *r, str name)
{
    for (int i = r->nvars - 1; i >= 0; i--)
        if (str_eq(r->vars[i].name, name))
            return &r->vars[i];
    return NULL;
}

const rs_fn *rs_lookup_fn(const resolver *r, str name)
{
    for (int i = r->nfns - 1; i >= 0; i--)
        if (str_eq(r->fns[i].name, name))
            return &r->fns[i];
    return NULL;
}

/* ---- reachability ---- */

static bool is_const_true(const expr_node *e)
{
    return !e || (e->kind == EXPR_N_CONST && e->val.kind == XV_BOOL && e->val.u.b);
}

/* Whether s can complete normally; *brk is set when a break may leave the innermost
 * enclosing loop or switch. */
static bool completes(const expr_node *s, bool *brk)
{
    bool inner = false, any = false;
    switch (s->kind) {
    case EXPR_S_RETURN:
    case EXPR_S_THROW:
    case EXPR_S_CONTINUE:
        return false;
    case EXPR_S_BREAK:
        *brk = true;
        return false;
    case EXPR_S_BLOCK:
        for (uint32_t i = 0; i < s->nkids; i++)
            if (!completes(s->kids[i], brk))
                return false;
        return true;
    case EXPR_S_IF: {
        bool t = completes(s->b, brk);
        bool e = s->c ? completes(s->c, brk) : true;
        return t || e;
    }
    case EXPR_S_WHILE:
    case EXPR_S_DO:
        completes(s->b, &inner);
        return !is_const_true(s->a) || inner;
    case EXPR_S_FOR:
        completes(s->c, &inner);
        return !is_const_true(s->b) || inner;
    case EXPR_S_FOREACH:
        completes(s->b, &inner);
        return true;
    case EXPR_S_SWITCH: {
        bool has_default = false;
        for (uint32_t i = 0; i < s->nkids; i++) {
            if (s->kids[i]->flags & EXPR_F_DEFAULT)
                has_default = true;
            if (completes(s->kids[i]->a, &inner))
                any = true;
        }
        return !has_default || inner || any;
    }
    case EXPR_S_TRY: {
        bool t = completes(s->a, brk);
        for (uint32_t i = 0; i < s->nkids; i++)
            if (completes(s->kids[i]->a, brk))
                t = true;
        return t && (!s->b || completes(s->b, brk));
    }
    default:
        return true;
    }
}

/* ---- statements ---- */

static void rs_stmt(resolver *r, expr_node *s);

static void rs_scoped(resolver *r, expr_node *s)
{
    int mark = r->nvars, fmark = r->nfns;
    rs_stmt(r, s);
    r->nvars = mark;
    r->nfns = fmark;
}

/* ---- local functions ---- */

static bool is_constant(const expr_node *e)
{
    return e->kind == EXPR_N_CONST || e->kind == EXPR_N_DEFAULT ||
           (e->kind == EXPR_N_MEMBER && e->op == EXPR_MEM_STATIC);
}

/* Declares the signature of local function s in the current block (fmark: the block's first
 * entry in r->fns). Calls may precede the declaration, so this runs before the block's
 * statements are resolved. */
static void rs_fn_signature(resolver *r, expr_node *s, int fmark)
{
    struct expr_lambda *l = s->lam;
    if (l->sig_done)
        return;
    l->sig_done = true;
    for (int i = r->nfns - 1; i >= fmark; i--) {
        if (str_eq(r->fns[i].name, l->name)) {
            rs_error(r, s->off, "a local function named '%.*s' is already defined in this scope",
                     STR_FMT(l->name));
            return;
        }
    }
    if (r->nfns == RS_MAX_LOCALFN) {
        rs_error(r, s->off, "too many local functions");
        return;
    }
    l->rtype = rs_type(r, l->rtn);
    l->rcls = rs_type_class(l->rtype);
    uint32_t np = l->nparams ? l->nparams : 1;
    l->ptypes = arena_calloc(r->a, np, sizeof *l->ptypes);
    l->pcls = arena_calloc(r->a, np, sizeof *l->pcls);
    if (!l->ptypes || !l->pcls) {
        r->failed = true;
        return;
    }
    for (uint32_t i = 0; i < l->nparams; i++) {
        l->ptypes[i] = rs_type(r, l->ptn[i]);
        l->pcls[i] = rs_type_class(l->ptypes[i]);
        if (l->pdefaults[i]) {
            rs_expr(r, l->pdefaults[i]);
            const expr_node *d = l->pdefaults[i];
            while (d->a && (d->kind == EXPR_N_MEMBER || d->kind == EXPR_N_CALL ||
                            d->kind == EXPR_N_INDEX || d->kind == EXPR_N_CHAIN))
                d = d->a; /* report at the start of the value */
            if (!is_constant(l->pdefaults[i]))
                rs_error(r, d->off,
                         "default parameter value for '%.*s' must be a compile-time constant",
                         STR_FMT(l->pnames[i]));
        }
    }
    r->fns[r->nfns++] = (rs_fn){ l->name, s, r->fn };
}

static void rs_fn_signatures(resolver *r, expr_node **kids, uint32_t n)
{
    int fmark = r->nfns;
    for (uint32_t i = 0; i < n; i++)
        if (kids[i]->kind == EXPR_S_FUNC)
            rs_fn_signature(r, kids[i], fmark);
}

static bool completes(const expr_node *s, bool *brk);

/* The body of a local function: a new function level like a lambda's, typed parameters. */
static void rs_fn_body(resolver *r, expr_node *s)
{
    struct expr_lambda *l = s->lam;
    if (!l->sig_done)
        rs_fn_signature(r, s, r->nfns);
    if (!l->ptypes)
        return;
    if (r->fn + 1 >= RS_MAX_FN) {
        rs_error(r, s->off, "local functions nested too deeply");
        return;
    }
    int mark = r->nvars, fmark = r->nfns;
    int saved_loops = r->loops, saved_switches = r->switches, saved_catch = r->in_catch;
    r->loops = r->switches = r->in_catch = 0;
    r->fn++;
    r->nslots[r->fn] = 0;
    r->fnkind[r->fn] = l->is_void ? RS_FN_VOID : RS_FN_VALUED;
    r->fnlam[r->fn] = l;
    l->pslots = arena_calloc(r->a, l->nparams ? l->nparams : 1, sizeof *l->pslots);
    for (uint32_t i = 0; l->pslots && i < l->nparams; i++)
        l->pslots[i] = rs_declare(r, l->pnames[i], l->ptn[i]->off, l->pcls[i], l->ptypes[i]);
    if (l->block) {
        rs_stmt(r, l->body);
        bool brk = false;
        if (!l->is_void && completes(l->body, &brk))
            rs_error(r, s->off, "'%.*s': not all code paths return a value", STR_FMT(l->name));
    } else {
        rs_expr(r, l->body);
    }
    l->nslots = r->nslots[r->fn];
    r->fnlam[r->fn] = NULL;
    r->fn--;
    r->loops = saved_loops;
    r->switches = saved_switches;
    r->in_catch = saved_catch;
    r->nvars = mark;
    r->nfns = fmark;
}

static void rs_var_decl(resolver *r, expr_node *v)
{
    v->type = rs_type(r, v->tn);
    const xv_class *icls = NULL;
    if (v->a) {
        if (v->a->kind == EXPR_N_NEWARRAY && !v->a->tn && v->type)
            v->a->type = v->type;
        icls = rs_expr(r, v->a);
    }
    v->cls = v->tn ? rs_type_class(v->type) : icls;
    v->slot = rs_declare(r, v->name, v->off, v->cls, v->type);
}

static void rs_catch(resolver *r, expr_node *c)
{
    int mark = r->nvars;
    if (c->tn) {
        c->type = rs_type(r, c->tn);
        const xv_class *k = c->type ? c->type->cls : NULL;
        while (k && k != &expr_class_exception)
            k = k->base;
        if (c->type && !k)
            rs_error(r, c->tn->off, "'%.*s' is not an exception type", STR_FMT(c->tn->name));
    }
    if (c->name.ptr)
        c->slot = rs_declare(r, c->name, c->off, &expr_class_exception, NULL);
    r->in_catch++;
    rs_stmt(r, c->a);
    r->in_catch--;
    r->nvars = mark;
}

static void rs_loop_body(resolver *r, expr_node *body)
{
    r->loops++;
    rs_scoped(r, body);
    r->loops--;
}

static void rs_stmt(resolver *r, expr_node *s)
{
    int mark = r->nvars, fmark = r->nfns;
    switch (s->kind) {
    case EXPR_S_BLOCK:
        rs_fn_signatures(r, s->kids, s->nkids);
        for (uint32_t i = 0; i < s->nkids; i++)
            rs_stmt(r, s->kids[i]);
        r->nvars = mark;
        r->nfns = fmark;
        break;
    case EXPR_S_FUNC:
        rs_fn_body(r, s);
        break;
    case EXPR_S_DECL:
        for (uint32_t i = 0; i < s->nkids; i++)
            rs_var_decl(r, s->kids[i]);
        break;
    case EXPR_S_EXPR:
        rs_expr(r, s->a);
        break;
    case EXPR_S_IF:
        rs_expr(r, s->a);
        rs_scoped(r, s->b);
        if (s->c)
            rs_scoped(r, s->c);
        break;
    case EXPR_S_WHILE:
    case EXPR_S_DO:
        rs_expr(r, s->a);
        rs_loop_body(r, s->b);
        break;
    case EXPR_S_FOR:
        if (s->a)
            rs_stmt(r, s->a);
        if (s->b)
            rs_expr(r, s->b);
        rs_stmt(r, s->d);
        rs_loop_body(r, s->c);
        r->nvars = mark;
        break;
    case EXPR_S_FOREACH:
        rs_expr(r, s->a);
        s->type = rs_type(r, s->tn);
        s->cls = rs_type_class(s->type);
        s->slot = rs_declare(r, s->name, s->off, s->cls, s->type);
        rs_loop_body(r, s->b);
        r->nvars = mark;
        break;
    case EXPR_S_BREAK:
        if (r->loops == 0 && r->switches == 0)
            rs_error(r, s->off, "no enclosing loop out of which to break");
        break;
    case EXPR_S_CONTINUE:
        if (r->loops == 0)
            rs_error(r, s->off, "no enclosing loop out of which to continue");
        break;
    case EXPR_S_RETURN: {
        int k = r->fnkind[r->fn];
        if (s->a) {
            rs_expr(r, s->a);
            if (k == RS_FN_VOID)
                rs_error(r, s->a->off,
                         "since '%.*s' returns void, a return keyword must not be followed by "
                         "an object expression",
                         STR_FMT(r->fnlam[r->fn]->name));
        } else if (k == RS_FN_TOP || k == RS_FN_VALUED) {
            rs_error(r, s->off, "a return value is required");
        }
        break;
    }
    case EXPR_S_THROW:
        if (s->a)
            rs_expr(r, s->a);
        else if (r->in_catch == 0)
            rs_error(r, s->off,
                     "a throw statement with no arguments is only allowed in a "
                     "catch clause");
        break;
    case EXPR_S_SWITCH:
        rs_expr(r, s->a);
        r->switches++;
        for (uint32_t i = 0; i < s->nkids; i++) {
            expr_node *sec = s->kids[i];
            for (uint32_t k = 0; k < sec->nkids; k++)
                rs_expr(r, sec->kids[k]);
            rs_fn_signatures(r, sec->a->kids, sec->a->nkids);
            for (uint32_t k = 0; k < sec->a->nkids; k++)
                rs_stmt(r, sec->a->kids[k]);
        }
        r->switches--;
        r->nvars = mark;
        r->nfns = fmark;
        break;
    case EXPR_S_TRY:
        rs_scoped(r, s->a);
        for (uint32_t i = 0; i < s->nkids; i++)
            rs_catch(r, s->kids[i]);
        if (s->b)
            rs_scoped(r, s->b);
        break;
    default:
        break;
    }
}

void rs_lambda(resolver *r, expr_node *n)
{
    struct expr_lambda *l = n->lam;
    if (r->fn + 1 >= RS_MAX_FN) {
        rs_error(r, n->off, "lambdas nested too deeply");
        return;
    }
    int mark = r->nvars;
    int saved_loops = r->loops, saved_switches = r->switches;
    r->loops = r->switches = 0;
    r->fn++;
    r->nslots[r->fn] = 0;
    r->fnkind[r->fn] = RS_FN_LAMBDA;
    r->fnlam[r->fn] = NULL;
    l->pslots = arena_calloc(r->a, l->nparams ? l->nparams : 1, sizeof *l->pslots);
    for (uint32_t i = 0; l->pslots && i < l->nparams; i++)
        l->pslots[i] = rs_declare(r, l->pnames[i], n->off, NULL, NULL);
    if (l->block)
        rs_stmt(r, l->body);
    else
        rs_expr(r, l->body);
    l->nslots = r->nslots[r->fn];
    r->fn--;
    r->loops = saved_loops;
    r->switches = saved_switches;
    r->nvars = mark;
    n->cls = &expr_class_lambda;
}

int expr_resolve(arena *a, struct expr *e, expr_diag *dg)
{
    resolver *r = arena_alloc(a, sizeof *r);
    if (!r)
        return -1;
    r->a = a;
    r->dg = dg;
    if (e->block) {
        rs_stmt(r, e->root);
        bool brk = false;
        if (!r->failed && completes(e->root, &brk))
            rs_error(r, e->root->off, "not all code paths return a value");
        e->cls = NULL;
    } else {
        e->cls = rs_expr(r, e->root);
    }
    e->nslots = r->nslots[0];
    return r->failed ? -1 : 0;
}
