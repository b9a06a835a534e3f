/* The evaluator of expressions: a tree walk with a step budget. Statements, lambdas and the
 * entry points are in eval_stmt.c, operators and member access in eval_ops.c. */
#include <string.h>

#include "eval.h"

#define MAX_STACK_ARGS 16
/* Helpers with large locals stay out of line so that ev_inner's frame (one per nesting level
 * and per recursive call) stays small. */
#define NOINLINE __attribute__((noinline))

/* Where an assignment or ++ writes: a local slot, a member of self or an index of self. */
typedef struct lvalue {
    const expr_node *n;
    xv *slot;
    xv self;
    xv idx[MAX_STACK_ARGS];
    size_t nidx;
} lvalue;

static int lv_prepare(run *R, const expr_node *t, lvalue *lv)
{
    lv->n = t;
    if (t->kind == EXPR_N_LOCAL) {
        lv->slot = ev_slot(R, t->slot, t->depth);
        return 0;
    }
    if (t->kind == EXPR_N_MEMBER) {
        if (t->op == EXPR_MEM_STATIC)
            return 0;
        return ev(R, t->a, &lv->self) == 0 ? 0 : -1;
    }
    /* INDEX */
    if (ev(R, t->a, &lv->self) != 0)
        return -1;
    if (t->nkids > MAX_STACK_ARGS)
        return expr_throw(R->env, "NotSupportedException", "too many indices");
    lv->nidx = t->nkids;
    for (uint32_t i = 0; i < t->nkids; i++)
        if (ev(R, t->kids[i]->a, &lv->idx[i]) != 0)
            return -1;
    return 0;
}

static int lv_get(run *R, lvalue *lv, xv *out)
{
    if (lv->slot) {
        *out = *lv->slot;
        return 0;
    }
    if (lv->n->kind == EXPR_N_MEMBER)
        return ev_get_member(R->env, lv->n, lv->self, out);
    return ev_index_get(R->env, lv->self, lv->idx, lv->nidx, lv->n->off, out);
}

static int lv_set(run *R, lvalue *lv, xv v)
{
    if (lv->slot)
        return ev_coerce(R->env, lv->n->type, lv->n->cls, v, lv->slot);
    if (lv->n->kind == EXPR_N_MEMBER)
        return ev_set_member(R->env, lv->n, lv->self, v);
    return ev_index_set(R->env, lv->self, lv->idx, lv->nidx, v, lv->n->off);
}

static int compound_op(int op)
{
    switch (op) {
    case EXPR_TOK_PLUS_ASSIGN:
        return EXPR_TOK_PLUS;
    case EXPR_TOK_MINUS_ASSIGN:
        return EXPR_TOK_MINUS;
    case EXPR_TOK_STAR_ASSIGN:
        return EXPR_TOK_STAR;
    case EXPR_TOK_SLASH_ASSIGN:
        return EXPR_TOK_SLASH;
    case EXPR_TOK_PERCENT_ASSIGN:
        return EXPR_TOK_PERCENT;
    case EXPR_TOK_AMP_ASSIGN:
        return EXPR_TOK_AMP;
    case EXPR_TOK_PIPE_ASSIGN:
        return EXPR_TOK_PIPE;
    case EXPR_TOK_CARET_ASSIGN:
        return EXPR_TOK_CARET;
    case EXPR_TOK_SHL_ASSIGN:
        return EXPR_TOK_SHL;
    case EXPR_TOK_SHR_ASSIGN:
        return EXPR_TOK_SHR;
    default:
        return 0;
    }
}

static NOINLINE int ev_assign(run *R, const expr_node *n, xv *out)
{
    lvalue lv = { 0 };
    if (lv_prepare(R, n->a, &lv) < 0)
        return -1;
    xv v;
    if (n->op == EXPR_TOK_ASSIGN) {
        if (ev(R, n->b, &v) != 0)
            return -1;
    } else {
        xv cur;
        if (lv_get(R, &lv, &cur) < 0)
            return -1;
        if (n->op == EXPR_TOK_QQ_ASSIGN) {
            if (!xv_is_null(cur)) {
                *out = cur;
                return 0;
            }
            if (ev(R, n->b, &v) != 0)
                return -1;
        } else {
            xv rhs;
            if (ev(R, n->b, &rhs) != 0 || expr_binop(R->env, compound_op(n->op), cur, rhs, &v) < 0)
                return -1;
            if (cur.kind == XV_INT && v.kind == XV_INT && cur.sub == XV_SUB_INT32)
                v = xv_int((int32_t)(uint32_t)v.u.i); /* x += long is an int in C# */
        }
    }
    if (lv_set(R, &lv, v) < 0)
        return -1;
    *out = lv.slot ? *lv.slot : v;
    return 0;
}

static NOINLINE int ev_incdec(run *R, const expr_node *n, xv *out)
{
    lvalue lv = { 0 };
    xv cur, next;
    if (lv_prepare(R, n->a, &lv) < 0 || lv_get(R, &lv, &cur) < 0)
        return -1;
    xv one = xv_int(1);
    if (cur.kind == XV_CHAR) {
        next = xv_char((uint16_t)(cur.u.ch + (n->op == EXPR_TOK_INC ? 1 : -1)));
    } else if (expr_binop(R->env, n->op == EXPR_TOK_INC ? EXPR_TOK_PLUS : EXPR_TOK_MINUS, cur, one,
                          &next) < 0) {
        return -1;
    }
    if (lv_set(R, &lv, next) < 0)
        return -1;
    *out = (n->flags & EXPR_F_POSTFIX) ? cur : next;
    return 0;
}

/* Evaluates the arguments of a call into argv/refs (refs only when some are out). */
static int eval_args(run *R, const expr_node *n, xv *argv, xv **refs, bool *has_refs)
{
    for (uint32_t i = 0; i < n->nkids; i++) {
        const expr_node *arg = n->kids[i];
        refs[i] = NULL;
        if (arg->flags & EXPR_F_OUT) {
            const expr_node *v = arg->a;
            refs[i] = ev_slot(R, v->slot, v->kind == EXPR_N_OUTVAR ? 0 : v->depth);
            argv[i] = *refs[i];
            *has_refs = true;
        } else if (ev(R, arg->a, &argv[i]) != 0) {
            return -1;
        }
    }
    return 0;
}

/* The method for the receiver's run-time class (its base chain and Object), else an
 * extension method of that name and arity. */
static const xv_method *dispatch(xv self, str name, size_t n)
{
    const xv_method *m = NULL;
    if (!xv_is_null(self))
        m = expr_find_method(xv_class_of(self), name, n, NULL);
    return m ? m : expr_find_extension(name, n, NULL);
}

/* Calls of local functions and of delegate values: f(args). */
static NOINLINE int ev_call_fn(run *R, const expr_node *n, xv *out)
{
    expr_env *env = R->env;
    xv stack_args[MAX_STACK_ARGS];
    xv *argv = stack_args;
    const struct expr_lambda *l = n->lam;
    frame *up;
    if (n->op == EXPR_CALL_DELEGATE) {
        xv fn;
        int rc = ev(R, n->a, &fn);
        if (rc != 0)
            return rc;
        if (xv_is_null(fn))
            return ev_null_ref(env);
        if (fn.kind != XV_LAMBDA)
            return expr_throw(env, "InvalidCastException", "a value of type %s cannot be called",
                              xv_type_name(fn));
        l = fn.u.fn.fn;
        up = fn.u.fn.frame;
        if (n->nkids > l->nparams || n->nkids < (l->local ? l->min_params : l->nparams))
            return expr_throw(env, "TargetParameterCountException",
                              "Parameter count mismatch: the delegate takes %u arguments, "
                              "called with %u.",
                              l->nparams, n->nkids);
    } else {
        up = ev_frame_up(R, n->depth);
    }
    if (n->nkids > MAX_STACK_ARGS && !(argv = arena_calloc(env->a, n->nkids, sizeof *argv)))
        return ev_oom(env);
    for (uint32_t i = 0; i < n->nkids; i++)
        if (ev(R, n->kids[i]->a, &argv[i]) != 0)
            return -1;
    return ev_invoke(env, l, up, argv, n->nkids, out) < 0 ? -1 : 0;
}

static NOINLINE int ev_call(run *R, const expr_node *n, xv *out)
{
    if (n->op == EXPR_CALL_LOCAL || n->op == EXPR_CALL_DELEGATE)
        return ev_call_fn(R, n, out);

    expr_env *env = R->env;
    xv stack_args[MAX_STACK_ARGS];
    xv *stack_refs[MAX_STACK_ARGS];
    xv *argv = stack_args, **refs = stack_refs;
    bool has_refs = false;
    xv self = xv_null();
    const expr_node *t = n->a;
    if (n->op == EXPR_CALL_METHOD) {
        int rc = ev(R, t->a, &self);
        if (rc != 0)
            return rc;
        if (xv_is_null(self) && (t->flags & EXPR_F_COND))
            return EV_SHORT;
    }
    if (n->nkids > MAX_STACK_ARGS) {
        argv = arena_calloc(env->a, n->nkids, sizeof *argv);
        refs = arena_calloc(env->a, n->nkids, sizeof *refs);
        if (!argv || !refs)
            return ev_oom(env);
    }
    if (eval_args(R, n, argv, refs, &has_refs) < 0)
        return -1;
    const xv_method *m = n->meth;
    if (n->op == EXPR_CALL_METHOD) {
        m = dispatch(self, t->name, n->nkids);
        if (!m && xv_is_null(self))
            return ev_null_ref(env);
        if (!m)
            return expr_throw(env, "InvalidOperationException",
                              "'%s' has no method '%.*s' taking %u arguments", xv_type_name(self),
                              STR_FMT(t->name), n->nkids);
        if (xv_is_null(self) && !expr_find_extension(t->name, n->nkids, NULL))
            return ev_null_ref(env);
    }
    xv_call c = { .env = env,
                  .self = self,
                  .args = argv,
                  .nargs = n->nkids,
                  .refs = has_refs ? refs : NULL,
                  .ntargs = n->ntargs,
                  .off = n->off };
    c.targs[0] = n->rtargs[0];
    c.targs[1] = n->rtargs[1];
    *out = xv_null();
    return m->fn(&c, out) < 0 ? -1 : 0;
}

static NOINLINE int ev_index(run *R, const expr_node *n, xv *out)
{
    xv self, idx[MAX_STACK_ARGS];
    int rc = ev(R, n->a, &self);
    if (rc != 0)
        return rc;
    if (xv_is_null(self) && (n->flags & EXPR_F_COND))
        return EV_SHORT;
    if (n->nkids > MAX_STACK_ARGS)
        return expr_throw(R->env, "NotSupportedException", "too many indices");
    for (uint32_t i = 0; i < n->nkids; i++)
        if (ev(R, n->kids[i]->a, &idx[i]) != 0)
            return -1;
    return ev_index_get(R->env, self, idx, n->nkids, n->off, out);
}

static int ev_member(run *R, const expr_node *n, xv *out)
{
    xv self = xv_null();
    if (n->op != EXPR_MEM_STATIC) {
        int rc = ev(R, n->a, &self);
        if (rc != 0)
            return rc;
        if (xv_is_null(self) && (n->flags & EXPR_F_COND))
            return EV_SHORT;
    }
    return ev_get_member(R->env, n, self, out);
}

static NOINLINE int ev_interp(run *R, const expr_node *n, xv *out)
{
    expr_env *env = R->env;
    str *parts = arena_calloc(env->a, n->nkids ? n->nkids : 1, sizeof *parts);
    size_t total = 0;
    if (!parts)
        return ev_oom(env);
    for (uint32_t i = 0; i < n->nkids; i++) {
        const expr_node *h = n->kids[i];
        if (h->kind == EXPR_N_CONST) {
            parts[i] = h->val.u.s;
        } else {
            xv v;
            if (ev(R, h->a, &v) != 0)
                return -1;
            if (h->name.len > 0 ? expr_format_value(env, v, h->name, &parts[i]) < 0
                : xv_is_null(v) ? (parts[i] = STR_LIT(""), 0)
                                : xv_to_string(env, v, &parts[i]) < 0)
                return -1;
            if (h->b) {
                xv w;
                if (ev(R, h->b, &w) != 0)
                    return -1;
                if (w.kind != XV_INT)
                    return expr_throw(env, "FormatException", "alignment must be an integer");
                if (expr_string_align(env, parts[i], w.u.i, &parts[i]) < 0)
                    return -1;
            }
        }
        total += parts[i].len;
    }
    char *p = arena_alloc(env->a, total + 1);
    if (!p)
        return ev_oom(env);
    size_t k = 0;
    for (uint32_t i = 0; i < n->nkids; i++) {
        memcpy(p + k, parts[i].ptr, parts[i].len);
        k += parts[i].len;
    }
    *out = xv_str((str){ p, total });
    return 0;
}

static NOINLINE int ev_new(run *R, const expr_node *n, xv *out)
{
    expr_env *env = R->env;
    const xv_class *c = n->type->cls;
    xv stack_args[MAX_STACK_ARGS];
    xv *stack_refs[MAX_STACK_ARGS];
    xv *argv = stack_args, **refs = stack_refs;
    bool has_refs = false;
    if (n->nkids > MAX_STACK_ARGS) {
        argv = arena_calloc(env->a, n->nkids, sizeof *argv);
        refs = arena_calloc(env->a, n->nkids, sizeof *refs);
        if (!argv || !refs)
            return ev_oom(env);
    }
    if (eval_args(R, n, argv, refs, &has_refs) < 0)
        return -1;
    xv_call call = { .env = env,
                     .args = argv,
                     .nargs = n->nkids,
                     .refs = has_refs ? refs : NULL,
                     .type = n->type,
                     .off = n->off };
    if (c->ctor(&call, out) < 0)
        return -1;
    if (!n->b)
        return 0;
    for (uint32_t i = 0; i < n->b->nkids; i++) {
        const expr_node *item = n->b->kids[i];
        if ((n->b->flags & EXPR_F_OBJINIT) && item->op == 1) {
            xv idx[MAX_STACK_ARGS], v;
            if (item->nkids > MAX_STACK_ARGS)
                return expr_throw(env, "NotSupportedException", "too many indices");
            for (uint32_t k = 0; k < item->nkids; k++)
                if (ev(R, item->kids[k]->a, &idx[k]) != 0)
                    return -1;
            if (ev(R, item->a, &v) != 0 ||
                ev_index_set(env, *out, idx, item->nkids, v, item->off) < 0)
                return -1;
            continue;
        }
        if (n->b->flags & EXPR_F_OBJINIT) {
            xv v;
            if (ev(R, item->a, &v) != 0 || item->mem->set(env, *out, v) < 0)
                return -1;
            continue;
        }
        xv args[MAX_STACK_ARGS], ignored;
        if (item->nkids > MAX_STACK_ARGS)
            return expr_throw(env, "NotSupportedException", "too many initializer values");
        for (uint32_t k = 0; k < item->nkids; k++)
            if (ev(R, item->kids[k], &args[k]) != 0)
                return -1;
        xv_call ac = {
            .env = env, .self = *out, .args = args, .nargs = item->nkids, .off = item->off
        };
        if (c->add(&ac, &ignored) < 0)
            return -1;
    }
    return 0;
}

static NOINLINE int ev_newarray(run *R, const expr_node *n, xv *out)
{
    expr_env *env = R->env;
    const xv_type *et = n->type;
    const xv_class *ec = et && et->rank == 0 ? et->cls : NULL;
    if (ec == &expr_class_object)
        ec = NULL;
    xv_list *l = xv_list_new(env, XV_LIST_ARRAY, ec);
    if (!l)
        return ev_oom(env);
    if (n->a) {
        xv size;
        if (ev(R, n->a, &size) != 0)
            return -1;
        if (size.kind != XV_INT || size.u.i < 0 || size.u.i > 1000000)
            return expr_throw(env, "OverflowException", "invalid array size");
        xv d = ev_default(et);
        for (int64_t i = 0; i < size.u.i; i++)
            if (xv_list_push(env, l, d) < 0)
                return -1;
    }
    for (uint32_t i = 0; i < n->nkids; i++) {
        xv v;
        if (ev(R, n->kids[i], &v) != 0 || ev_coerce(env, et, ec, v, &v) < 0 ||
            xv_list_push(env, l, v) < 0)
            return -1;
    }
    if (ec == &expr_class_byte) {
        char *p = arena_alloc(env->a, l->n + 1);
        if (!p)
            return ev_oom(env);
        for (size_t i = 0; i < l->n; i++)
            p[i] = (char)(l->items[i].kind == XV_INT ? l->items[i].u.i : 0);
        *out = xv_bytes((str){ p, l->n });
        return 0;
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static int ev_anon(run *R, const expr_node *n, xv *out)
{
    expr_anon *an = arena_alloc(R->env->a, sizeof *an);
    xv *vals = arena_calloc(R->env->a, n->nkids ? n->nkids : 1, sizeof *vals);
    if (!an || !vals)
        return ev_oom(R->env);
    for (uint32_t i = 0; i < n->nkids; i++)
        if (ev(R, n->kids[i], &vals[i]) != 0)
            return -1;
    an->n = n->nkids;
    an->names = n->names;
    an->vals = vals;
    *out = xv_obj(&expr_class_anon, an);
    return 0;
}

static int ev_is(run *R, const expr_node *n, xv *out)
{
    xv v;
    if (ev(R, n->a, &v) != 0)
        return -1;
    if (n->flags & EXPR_F_ISNULL) {
        *out = xv_bool(xv_is_null(v));
        return 0;
    }
    if (xv_convert(R->env, v, n->type, 2, out) < 0)
        return -1;
    if (n->slot >= 0 && out->u.b) {
        xv cast;
        if (xv_convert(R->env, v, n->type, 1, &cast) < 0)
            return -1;
        *ev_slot(R, n->slot, 0) = cast;
    }
    return 0;
}

static int ev_logic(run *R, const expr_node *n, xv *out)
{
    xv v;
    int rc;
    if (ev(R, n->a, &v) != 0)
        return -1;
    bool a = ev_truthy(R->env, v, &rc);
    if (rc < 0)
        return -1;
    if ((n->kind == EXPR_N_AND && !a) || (n->kind == EXPR_N_OR && a)) {
        *out = xv_bool(a);
        return 0;
    }
    if (ev(R, n->b, &v) != 0)
        return -1;
    bool b = ev_truthy(R->env, v, &rc);
    *out = xv_bool(b);
    return rc;
}

static int ev_inner(run *R, const expr_node *n, xv *out)
{
    xv a, b;
    int rc;
    switch (n->kind) {
    case EXPR_N_CONST:
        *out = n->val;
        return 0;
    case EXPR_N_INTERP:
        return ev_interp(R, n, out);
    case EXPR_N_LOCAL:
        *out = *ev_slot(R, n->slot, n->depth);
        return 0;
    case EXPR_N_CONTEXT:
        *out = R->env->context;
        return 0;
    case EXPR_N_MEMBER:
        return ev_member(R, n, out);
    case EXPR_N_CALL:
        return ev_call(R, n, out);
    case EXPR_N_INDEX:
        return ev_index(R, n, out);
    case EXPR_N_CHAIN:
        rc = ev(R, n->a, out);
        if (rc == EV_SHORT) {
            *out = xv_null();
            return 0;
        }
        return rc;
    case EXPR_N_UNARY:
        if (ev(R, n->a, &a) != 0)
            return -1;
        return expr_unop(R->env, n->op, a, out);
    case EXPR_N_INCDEC:
        return ev_incdec(R, n, out);
    case EXPR_N_BINARY:
        if (ev(R, n->a, &a) != 0 || ev(R, n->b, &b) != 0)
            return -1;
        return expr_binop(R->env, n->op, a, b, out);
    case EXPR_N_AND:
    case EXPR_N_OR:
        return ev_logic(R, n, out);
    case EXPR_N_COALESCE:
        if (ev(R, n->a, out) != 0)
            return -1;
        return xv_is_null(*out) ? ev(R, n->b, out) : 0;
    case EXPR_N_COND: {
        if (ev(R, n->a, &a) != 0)
            return -1;
        bool t = ev_truthy(R->env, a, &rc);
        if (rc < 0)
            return -1;
        return ev(R, t ? n->b : n->c, out);
    }
    case EXPR_N_ASSIGN:
        return ev_assign(R, n, out);
    case EXPR_N_CAST:
    case EXPR_N_AS:
        if (ev(R, n->a, &a) != 0)
            return -1;
        if (n->kind == EXPR_N_CAST && xv_is_null(a) && n->a->cls && n->type) {
            /* (int)el with el a null XElement: the class's operator decides */
            int uc = expr_user_convert(R->env, n->a->cls, a, n->type, out);
            if (uc != 0)
                return uc < 0 ? -1 : 0;
        }
        return xv_convert(R->env, a, n->type, n->kind == EXPR_N_CAST ? 0 : 1, out);
    case EXPR_N_IS:
        return ev_is(R, n, out);
    case EXPR_N_LAMBDA:
        *out = (xv){ .kind = XV_LAMBDA };
        out->u.fn.fn = n->lam;
        out->u.fn.frame = R->f;
        return 0;
    case EXPR_N_LOCALFN:
        *out = (xv){ .kind = XV_LAMBDA };
        out->u.fn.fn = n->lam;
        out->u.fn.frame = ev_frame_up(R, n->depth);
        return 0;
    case EXPR_N_NEW:
        return ev_new(R, n, out);
    case EXPR_N_NEWARRAY:
        return ev_newarray(R, n, out);
    case EXPR_N_ANON:
        return ev_anon(R, n, out);
    case EXPR_N_DEFAULT:
        *out = ev_default(n->type);
        return 0;
    case EXPR_S_THROW:
        if (ev(R, n->a, &a) != 0)
            return -1;
        return ev_throw_value(R, a, n->off);
    default:
        return expr_throw(R->env, "InvalidOperationException", "cannot evaluate node %d", n->kind);
    }
}

int ev(run *R, const expr_node *n, xv *out)
{
    if (ev_step(R->env) < 0)
        return -1;
    int rc = ev_inner(R, n, out);
    if (rc < 0 && R->env->err.off == SIZE_MAX)
        R->env->err.off = n->off;
    return rc;
}
