/* Resolution of expressions: names, static member access, method and member checks against
 * the receiver's static class, arguments, types, constant folding. */
#include <stdio.h>
#include <string.h>

#include "resolve.h"

static const xv_class *rs_any(resolver *r, expr_node *n);

static bool is_namespace_root(str name)
{
    return str_eq_cstr(name, "System") || str_eq_cstr(name, "Newtonsoft") ||
           str_eq_cstr(name, "Microsoft") || str_starts_with(name, STR_LIT("System.")) ||
           str_starts_with(name, STR_LIT("Newtonsoft.")) ||
           str_starts_with(name, STR_LIT("Microsoft."));
}

#define SUGGEST_BUF 96

/* "; did you mean 'X'?" for an unknown member or method of class c (or ""). */
static const char *class_hint(const xv_class *c, str name, unsigned what, char *buf)
{
    expr_suggest sg;
    expr_suggest_init(&sg, name);
    expr_suggest_class(&sg, c, what);
    expr_suggest_suffix(&sg, buf, SUGGEST_BUF);
    return buf;
}

/* Same for a name: locals and local functions in scope, `context`, then type names
 * (types only when with_types). */
static const char *name_hint(const resolver *r, str name, bool with_types, char *buf)
{
    expr_suggest sg;
    expr_suggest_init(&sg, name);
    for (int i = r->nvars - 1; i >= 0; i--)
        expr_suggest_add(&sg, r->vars[i].name);
    for (int i = r->nfns - 1; i >= 0; i--)
        expr_suggest_add(&sg, r->fns[i].name);
    expr_suggest_add(&sg, STR_LIT("context"));
    if (with_types)
        expr_suggest_types(&sg);
    expr_suggest_suffix(&sg, buf, SUGGEST_BUF);
    return buf;
}

/* NAME -> LOCAL | CONTEXT | TYPEREF; with allow_ns a namespace prefix stays a NAME. */
static const xv_class *rs_name(resolver *r, expr_node *n, bool allow_ns)
{
    const rs_var *v = rs_lookup(r, n->name);
    if (v) {
        n->kind = EXPR_N_LOCAL;
        n->slot = v->slot;
        n->depth = r->fn - v->fn;
        n->type = v->type;
        return n->cls = v->cls;
    }
    const rs_fn *f = rs_lookup_fn(r, n->name);
    if (f) { /* method group: the local function as a delegate value */
        n->kind = EXPR_N_LOCALFN;
        n->lam = f->decl->lam;
        n->depth = r->fn - f->fn;
        return n->cls = &expr_class_lambda;
    }
    if (str_eq_cstr(n->name, "context")) {
        n->kind = EXPR_N_CONTEXT;
        return n->cls = &expr_class_context;
    }
    const xv_class *c = expr_find_class(n->name);
    if (c) {
        n->kind = EXPR_N_TYPEREF;
        n->scls = c;
        return NULL;
    }
    if (!(allow_ns && is_namespace_root(n->name))) {
        char hint[SUGGEST_BUF];
        rs_error(r, n->off, "unknown name '%.*s'%s", STR_FMT(n->name),
                 name_hint(r, n->name, true, hint));
    }
    return NULL;
}

static bool anon_has(const resolver *r, str name)
{
    for (int i = 0; i < r->nanons; i++)
        for (uint32_t k = 0; k < r->anons[i]->nkids; k++)
            if (str_eq(r->anons[i]->names[k], name))
                return true;
    return false;
}

/* Resolves the receiver of a member access or call (a value, a type or a namespace). */
static void rs_receiver(resolver *r, expr_node *recv)
{
    if (recv->kind == EXPR_N_NAME)
        rs_name(r, recv, true);
    else
        rs_any(r, recv);
}

static const xv_class *rs_member(resolver *r, expr_node *n)
{
    expr_node *recv = n->a;
    rs_receiver(r, recv);
    if (recv->kind == EXPR_N_NAME) { /* namespace path: System.Text... */
        char *dotted = arena_sprintf(r->a, "%.*s.%.*s", STR_FMT(recv->name), STR_FMT(n->name));
        if (!dotted)
            return NULL;
        const xv_class *c = expr_find_class(str_from(dotted));
        n->kind = c ? EXPR_N_TYPEREF : EXPR_N_NAME;
        n->scls = c;
        n->name = str_from(dotted);
        n->off = recv->off;
        return NULL;
    }
    if (recv->kind == EXPR_N_TYPEREF) {
        const xv_member *m = expr_find_smember(recv->scls, n->name);
        if (!m) {
            char hint[SUGGEST_BUF];
            rs_error(r, n->off, "'%s' has no member '%.*s'%s", recv->scls->name, STR_FMT(n->name),
                     class_hint(recv->scls, n->name, EXPR_SUGGEST_STATICS, hint));
            return NULL;
        }
        n->op = EXPR_MEM_STATIC;
        n->scls = recv->scls;
        n->mem = m;
        return n->cls = m->type;
    }
    const xv_class *rc = recv->cls;
    if (rc == &expr_class_anon) {
        n->op = EXPR_MEM_ANON;
        return NULL;
    }
    n->op = EXPR_MEM_DYNAMIC;
    if (rc) {
        const xv_member *m = expr_find_member(rc, n->name);
        if (!m) {
            char hint[SUGGEST_BUF];
            rs_error(r, n->off, "'%s' has no member '%.*s'%s", rc->name, STR_FMT(n->name),
                     class_hint(rc, n->name, EXPR_SUGGEST_MEMBERS | EXPR_SUGGEST_METHODS, hint));
            return NULL;
        }
        n->mem = m;
        n->mem_cls = rc;
        return n->cls = m->type;
    }
    if (!expr_any_member(n->name) && !anon_has(r, n->name))
        rs_error(r, n->off, "unknown member '%.*s'", STR_FMT(n->name));
    return NULL;
}

/* The params list of some method of that name (for named arguments of dynamic calls). */
static const char *any_params(str name)
{
    for (const xv_lib *const *l = expr_libs(); *l; l++)
        for (const xv_class *const *c = (*l)->classes; *c; c++)
            for (size_t i = 0; i < (*c)->nmethods; i++)
                if ((*c)->methods[i].params && str_eq_cstr(name, (*c)->methods[i].name))
                    return (*c)->methods[i].params;
    return NULL;
}

static int param_index(const char *params, str name)
{
    int idx = 0;
    for (const char *p = params; p && *p; idx++) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == name.len && memcmp(p, name.ptr, len) == 0)
            return idx;
        if (!e)
            break;
        p = e + 1;
    }
    return -1;
}

/* Resolves the arguments of a call or constructor and places named ones by params. */
static void rs_args(resolver *r, expr_node *n, const char *params, str what)
{
    bool named = false;
    for (uint32_t i = 0; i < n->nkids; i++) {
        expr_node *arg = n->kids[i];
        if (arg->name.ptr)
            named = true;
        if (arg->flags & EXPR_F_OUT) {
            expr_node *v = arg->a;
            if (v->kind == EXPR_N_OUTVAR) {
                v->type = rs_type(r, v->tn);
                v->cls = rs_type_class(v->type);
                v->slot = rs_declare(r, v->name, v->off, v->cls, v->type);
            } else {
                rs_expr(r, v);
                if (v->kind != EXPR_N_LOCAL)
                    rs_error(r, v->off, "an out argument must be a local variable");
            }
        } else {
            arg->cls = rs_expr(r, arg->a);
        }
    }
    if (!named)
        return;
    expr_node **placed = arena_calloc(r->a, n->nkids, sizeof *placed);
    if (!placed)
        return;
    for (uint32_t i = 0; i < n->nkids; i++) {
        expr_node *arg = n->kids[i];
        int idx = (int)i;
        if (arg->name.ptr) {
            idx = param_index(params, arg->name);
            if (idx < 0) {
                rs_error(r, arg->off, "'%.*s' has no parameter named '%.*s'", STR_FMT(what),
                         STR_FMT(arg->name));
                return;
            }
        }
        if (idx >= (int)n->nkids || placed[idx]) {
            rs_error(r, arg->off, "named argument '%.*s' does not fit the positional arguments",
                     STR_FMT(arg->name));
            return;
        }
        placed[idx] = arg;
    }
    n->kids = placed;
}

static const xv_class *method_result(const expr_node *n, const xv_method *m)
{
    if (!m)
        return NULL;
    if ((m->flags & XV_M_RET_TARG) && n->ntargs > 0)
        return rs_type_class(n->rtargs[0]);
    return m->ret == &expr_class_object ? NULL : m->ret;
}

static bool has_out_args(const expr_node *n)
{
    for (uint32_t i = 0; i < n->nkids; i++)
        if (n->kids[i]->flags & EXPR_F_OUT)
            return true;
    return false;
}

/* F(args) where F is a local function in scope. */
static const xv_class *rs_call_local(resolver *r, expr_node *n, const rs_fn *f)
{
    const struct expr_lambda *l = f->decl->lam;
    if (n->nkids < l->min_params || n->nkids > l->nparams) {
        rs_error(r, n->a->off, "no overload for method '%.*s' takes %u arguments", STR_FMT(l->name),
                 n->nkids);
        return NULL;
    }
    if (has_out_args(n)) {
        rs_error(r, n->a->off, "out and ref arguments are not supported by local functions");
        return NULL;
    }
    rs_args(r, n, l->params, l->name);
    n->op = EXPR_CALL_LOCAL;
    n->lam = f->decl->lam;
    n->depth = r->fn - f->fn;
    return n->cls = l->rcls;
}

/* f(args) where f is an expression whose value is a delegate (Func/Action local, lambda). */
static const xv_class *rs_call_delegate(resolver *r, expr_node *n)
{
    const xv_class *c = rs_expr(r, n->a);
    if (c && c != &expr_class_lambda) {
        rs_error(r, n->a->off, "a value of type '%s' cannot be called", c->name);
        return NULL;
    }
    if (has_out_args(n)) {
        rs_error(r, n->a->off, "out and ref arguments are not supported by delegates");
        return NULL;
    }
    rs_args(r, n, NULL, STR_LIT("Invoke"));
    n->op = EXPR_CALL_DELEGATE;
    return n->cls = NULL;
}

/* APIM users copy context.Request.MatchedParameters("x") from a published snippet: calling a
 * dictionary-valued member as a method. Accepted with a warning as GetValueOrDefault(args):
 * the call target t becomes <member>.GetValueOrDefault. Returns the method or NULL. */
static const xv_method *rs_dict_call_leniency(resolver *r, expr_node *n, const xv_class *rc)
{
    expr_node *t = n->a;
    const xv_member *dm = expr_find_member(rc, t->name);
    if (!dm || dm->type != &expr_class_dict || (n->nkids != 1 && n->nkids != 2) || n->ntargs > 0 ||
        has_out_args(n))
        return NULL;
    str getter = STR_LIT("GetValueOrDefault");
    const xv_method *m = expr_find_method(&expr_class_dict, getter, n->nkids, NULL);
    if (!m)
        m = expr_find_extension(getter, n->nkids, NULL);
    expr_node *mem = arena_alloc(r->a, sizeof *mem);
    if (!m || !mem)
        return NULL;
    rs_warning(r, t->off,
               "'%.*s' is a dictionary, not a method; treating %.*s(\"x\") as "
               "%.*s.GetValueOrDefault(\"x\")",
               STR_FMT(t->name), STR_FMT(t->name), STR_FMT(t->name));
    *mem = *t; /* the member access itself, resolved as one */
    mem->kind = EXPR_N_MEMBER;
    mem->op = EXPR_MEM_DYNAMIC;
    mem->mem = dm;
    mem->mem_cls = rc;
    mem->cls = &expr_class_dict;
    t->a = mem;
    t->name = getter;
    return m;
}

static const xv_class *rs_call(resolver *r, expr_node *n)
{
    expr_node *t = n->a;
    size_t nargs = n->nkids;
    for (uint8_t i = 0; i < n->ntargs; i++)
        n->rtargs[i] = rs_type(r, n->targs[i]);
    if (t->kind == EXPR_N_NAME) {
        const rs_fn *f = rs_lookup_fn(r, t->name);
        if (f)
            return rs_call_local(r, n, f);
        if (rs_lookup(r, t->name))
            return rs_call_delegate(r, n);
        char hint[SUGGEST_BUF];
        rs_error(r, t->off, "unknown method '%.*s'%s", STR_FMT(t->name),
                 name_hint(r, t->name, false, hint));
        return NULL;
    }
    if (t->kind != EXPR_N_MEMBER)
        return rs_call_delegate(r, n);
    expr_node *recv = t->a;
    rs_receiver(r, recv);
    const xv_method *m = NULL;
    bool found = false;
    char hint[SUGGEST_BUF];
    if (recv->kind == EXPR_N_NAME) {
        if (is_namespace_root(recv->name)) /* else rs_name reported it */
            rs_error(r, recv->off, "unknown name '%.*s'", STR_FMT(recv->name));
    } else if (recv->kind == EXPR_N_TYPEREF) {
        m = expr_find_smethod(recv->scls, t->name, nargs, &found);
        if (!m)
            rs_error(r, t->off, "'%s' has no method '%.*s' taking %zu arguments%s",
                     recv->scls->name, STR_FMT(t->name), nargs,
                     found ? "" : class_hint(recv->scls, t->name, EXPR_SUGGEST_STATICS, hint));
        n->op = EXPR_CALL_STATIC;
        n->scls = recv->scls;
    } else {
        const xv_class *rc = recv->cls;
        n->op = EXPR_CALL_METHOD;
        if (rc && rc != &expr_class_anon) {
            m = expr_find_method(rc, t->name, nargs, &found);
            if (!m)
                m = expr_find_extension(t->name, nargs, &found);
            if (!m && !found)
                m = rs_dict_call_leniency(r, n, rc);
            if (!m)
                rs_error(r, t->off, "'%s' has no method '%.*s' taking %zu arguments%s", rc->name,
                         STR_FMT(t->name), nargs,
                         found ? ""
                               : class_hint(rc, t->name,
                                            EXPR_SUGGEST_METHODS | EXPR_SUGGEST_EXTENSIONS, hint));
        } else if (!expr_any_method(t->name, nargs, &found) &&
                   !expr_find_extension(t->name, nargs, &found)) {
            rs_error(r, t->off, "unknown method '%.*s' taking %zu arguments", STR_FMT(t->name),
                     nargs);
        }
    }
    n->meth = m;
    rs_args(r, n, m && m->params ? m->params : any_params(t->name), t->name);
    return n->cls = method_result(n, m);
}

static const xv_class *rs_new(resolver *r, expr_node *n)
{
    n->type = rs_type(r, n->tn);
    const xv_class *c = n->type ? n->type->cls : NULL;
    rs_args(r, n, NULL, c ? str_from(c->name) : STR_NULL);
    if (!c)
        return NULL;
    if (!c->ctor || n->nkids < c->ctor_min || n->nkids > c->ctor_max)
        rs_error(r, n->off, "'%s' has no constructor taking %u arguments", c->name, n->nkids);
    if (n->b) {
        expr_node *in = n->b;
        for (uint32_t i = 0; i < in->nkids; i++) {
            expr_node *item = in->kids[i];
            if ((in->flags & EXPR_F_OBJINIT) && item->op == 1) {
                rs_args(r, item, NULL, STR_LIT("this[]"));
                rs_expr(r, item->a);
            } else if (in->flags & EXPR_F_OBJINIT) {
                rs_expr(r, item->a);
                item->mem = expr_find_member(c, item->name);
                if (!item->mem || !item->mem->set)
                    rs_error(r, item->off, "'%s' has no settable member '%.*s'", c->name,
                             STR_FMT(item->name));
            } else {
                for (uint32_t k = 0; k < item->nkids; k++)
                    rs_expr(r, item->kids[k]);
            }
        }
        if (!(in->flags & EXPR_F_OBJINIT) && in->nkids > 0 && !c->add)
            rs_error(r, in->off, "'%s' has no Add method for a collection initializer", c->name);
    }
    return n->cls = rs_type_class(n->type);
}

/* Folds a binary operator over two constants when it cannot fail. */
static void fold_binary(resolver *r, expr_node *n)
{
    xv a = n->a->val, b = n->b->val;
    if (n->a->kind != EXPR_N_CONST || n->b->kind != EXPR_N_CONST)
        return;
    if (a.kind == XV_NULL || b.kind == XV_NULL || a.kind > XV_STR || b.kind > XV_STR)
        return;
    expr_env env = { .a = r->a, .budget = 1 };
    xv out;
    if (expr_binop(&env, n->op, a, b, &out) == 0) {
        n->kind = EXPR_N_CONST;
        n->val = out;
    }
}

static const xv_class *numeric_result(const xv_class *a, const xv_class *b)
{
    if (!a || !b)
        return NULL;
    bool an = a == &expr_class_int || a == &expr_class_long || a == &expr_class_double ||
              a == &expr_class_char || a == &expr_class_decimal || a == &expr_class_float;
    bool bn = b == &expr_class_int || b == &expr_class_long || b == &expr_class_double ||
              b == &expr_class_char || b == &expr_class_decimal || b == &expr_class_float;
    if (!an || !bn)
        return NULL;
    if (a == &expr_class_double || b == &expr_class_double)
        return &expr_class_double;
    if (a == &expr_class_decimal || b == &expr_class_decimal)
        return &expr_class_decimal;
    if (a == &expr_class_float || b == &expr_class_float)
        return &expr_class_float;
    if (a == &expr_class_long || b == &expr_class_long)
        return &expr_class_long;
    return &expr_class_int;
}

static bool has_binop(const xv_class *c)
{
    for (; c; c = c->base)
        if (c->binop)
            return true;
    return false;
}

/* Static result class of date arithmetic (NULL when a and b are not such a pair). */
static const xv_class *date_result(int op, const xv_class *a, const xv_class *b)
{
    const xv_class *dt = &expr_class_datetime, *dto = &expr_class_datetimeoffset,
                   *ts = &expr_class_timespan;
    bool a_date = a == dt || a == dto, b_num = numeric_result(b, &expr_class_int) != NULL;
    if (op == EXPR_TOK_MINUS && a_date && b == a)
        return ts;
    if ((op == EXPR_TOK_PLUS || op == EXPR_TOK_MINUS) && a_date && b == ts)
        return a;
    if ((op == EXPR_TOK_PLUS || op == EXPR_TOK_MINUS) && a == ts && b == ts)
        return ts;
    if (op == EXPR_TOK_SLASH && a == ts && b == ts)
        return &expr_class_double;
    if ((op == EXPR_TOK_STAR || op == EXPR_TOK_SLASH) && a == ts && b_num)
        return ts;
    if (op == EXPR_TOK_STAR && b == ts && numeric_result(a, &expr_class_int))
        return ts;
    return NULL;
}

static const xv_class *rs_binary(resolver *r, expr_node *n)
{
    const xv_class *a = rs_expr(r, n->a), *b = rs_expr(r, n->b);
    fold_binary(r, n);
    if (n->kind == EXPR_N_CONST)
        return n->cls = rs_const_class(n->val);
    bool cmp = n->op == EXPR_TOK_EQ || n->op == EXPR_TOK_NE || n->op == EXPR_TOK_LT ||
               n->op == EXPR_TOK_GT || n->op == EXPR_TOK_LE || n->op == EXPR_TOK_GE;
    if (!cmp && (has_binop(a) || has_binop(b))) /* user-defined operator: XNamespace + "a" */
        return n->cls = NULL;
    if (!cmp && a && b && date_result(n->op, a, b))
        return n->cls = date_result(n->op, a, b);
    switch (n->op) {
    case EXPR_TOK_EQ:
    case EXPR_TOK_NE:
    case EXPR_TOK_LT:
    case EXPR_TOK_GT:
    case EXPR_TOK_LE:
    case EXPR_TOK_GE:
        return n->cls = &expr_class_bool;
    case EXPR_TOK_PLUS:
        if (a == &expr_class_string || b == &expr_class_string)
            return n->cls = &expr_class_string;
        return n->cls = numeric_result(a, b);
    case EXPR_TOK_AMP:
    case EXPR_TOK_PIPE:
    case EXPR_TOK_CARET:
        if (a == &expr_class_bool && b == &expr_class_bool)
            return n->cls = &expr_class_bool;
        return n->cls = numeric_result(a, b);
    default:
        return n->cls = numeric_result(a, b);
    }
}

static void check_assignable(resolver *r, expr_node *t)
{
    if (t->kind == EXPR_N_LOCAL || t->kind == EXPR_N_INDEX)
        return;
    if (t->kind == EXPR_N_MEMBER) {
        if (t->mem && !t->mem->set)
            rs_error(r, t->off, "property '%.*s' is read only", STR_FMT(t->name));
        return;
    }
    rs_error(r, t->off, "cannot assign to this expression");
}

static const xv_class *rs_expr_inner(resolver *r, expr_node *n)
{
    switch (n->kind) {
    case EXPR_N_CONST:
        return n->cls = rs_const_class(n->val);
    case EXPR_N_INTERP:
        for (uint32_t i = 0; i < n->nkids; i++) {
            expr_node *h = n->kids[i];
            if (h->kind == EXPR_N_HOLE) {
                rs_expr(r, h->a);
                if (h->b)
                    rs_expr(r, h->b);
            }
        }
        return n->cls = &expr_class_string;
    case EXPR_N_NAME:
        return rs_name(r, n, false);
    case EXPR_N_MEMBER:
        return rs_member(r, n);
    case EXPR_N_CALL:
        return rs_call(r, n);
    case EXPR_N_INDEX: {
        const xv_class *rc = rs_expr(r, n->a);
        rs_args(r, n, NULL, STR_LIT("this[]"));
        return n->cls = rc == &expr_class_string ? &expr_class_char : NULL;
    }
    case EXPR_N_CHAIN:
        return n->cls = rs_expr(r, n->a);
    case EXPR_N_UNARY: {
        const xv_class *c = rs_expr(r, n->a);
        if (n->op == EXPR_TOK_BANG)
            return n->cls = &expr_class_bool;
        return n->cls = c == &expr_class_char ? &expr_class_int : c;
    }
    case EXPR_N_INCDEC:
        rs_expr(r, n->a);
        check_assignable(r, n->a);
        return n->cls = n->a->cls;
    case EXPR_N_BINARY:
        return rs_binary(r, n);
    case EXPR_N_AND:
    case EXPR_N_OR:
        rs_expr(r, n->a);
        rs_expr(r, n->b);
        return n->cls = &expr_class_bool;
    case EXPR_N_COALESCE: {
        const xv_class *a = rs_expr(r, n->a), *b = rs_expr(r, n->b);
        return n->cls = a ? a : b;
    }
    case EXPR_N_COND: {
        rs_expr(r, n->a);
        const xv_class *b = rs_expr(r, n->b), *c = rs_expr(r, n->c);
        if (n->b->kind == EXPR_N_CONST && n->b->val.kind == XV_NULL)
            return n->cls = c;
        return n->cls = b == c ? b : (c == NULL && n->c->kind != EXPR_N_CONST ? NULL : b);
    }
    case EXPR_N_ASSIGN:
        rs_expr(r, n->a);
        rs_expr(r, n->b);
        check_assignable(r, n->a);
        return n->cls = n->a->cls;
    case EXPR_N_CAST:
    case EXPR_N_AS:
        rs_expr(r, n->a);
        n->type = rs_type(r, n->tn);
        return n->cls = rs_type_class(n->type);
    case EXPR_N_IS:
        rs_expr(r, n->a);
        if (n->tn)
            n->type = rs_type(r, n->tn);
        if (n->name.ptr)
            n->slot = rs_declare(r, n->name, n->off, rs_type_class(n->type), n->type);
        return n->cls = &expr_class_bool;
    case EXPR_N_LAMBDA:
        rs_lambda(r, n);
        return n->cls;
    case EXPR_N_NEW:
        return rs_new(r, n);
    case EXPR_N_NEWARRAY: {
        if (n->tn)
            n->type = rs_type(r, n->tn);
        if (n->a)
            rs_expr(r, n->a);
        for (uint32_t i = 0; i < n->nkids; i++)
            rs_expr(r, n->kids[i]);
        bool bytes = n->type && n->type->cls == &expr_class_byte && n->type->rank == 0;
        return n->cls = bytes ? &expr_class_bytes : NULL;
    }
    case EXPR_N_ANON:
        for (uint32_t i = 0; i < n->nkids; i++)
            rs_expr(r, n->kids[i]);
        if (r->nanons < RS_MAX_ANON)
            r->anons[r->nanons++] = n;
        return n->cls = &expr_class_anon;
    case EXPR_N_DEFAULT:
        n->type = rs_type(r, n->tn);
        return n->cls = rs_type_class(n->type);
    case EXPR_S_THROW:
        rs_expr(r, n->a);
        return NULL;
    default:
        rs_error(r, n->off, "unexpected expression");
        return NULL;
    }
}

static const xv_class *rs_any(resolver *r, expr_node *n)
{
    return rs_expr_inner(r, n);
}

const xv_class *rs_expr(resolver *r, expr_node *n)
{
    const xv_class *c = rs_expr_inner(r, n);
    if (n->kind == EXPR_N_TYPEREF) {
        rs_error(r, n->off, "'%s' is a type, which is not valid in the given context",
                 n->scls->name);
        return NULL;
    }
    if (n->kind == EXPR_N_NAME && is_namespace_root(n->name)) {
        rs_error(r, n->off, "unknown name '%.*s'", STR_FMT(n->name));
        return NULL;
    }
    return c;
}
