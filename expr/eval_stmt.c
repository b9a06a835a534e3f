/* Statements, lambdas, exceptions and the public entry points (expr_compile, expr_eval). */
#include <stdio.h>
#include <string.h>

#include "eval.h"

/* ---- diagnostics ---- */

void expr_diag_init(expr_diag *dg, diag_list *d, const diag_mapper *m, const char *src, size_t len)
{
    dg->d = d;
    dg->text = (diag_text){ "<expr>", src, len };
    dg->own = (diag_mapper){ diag_text_map, &dg->text };
    dg->m = m ? m : &dg->own;
    dg->nerr = 0;
}

void expr_error_at(expr_diag *dg, size_t off, const char *fmt, ...)
{
    if (++dg->nerr > EXPR_MAX_ERRORS)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_at(dg->d, dg->m, off, DIAG_ERROR, "%s", msg);
}

/* ---- run-time helpers ---- */

int expr_throw(expr_env *env, const char *type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vsprintf(env->a, fmt, ap);
    va_end(ap);
    env->err.type = type;
    env->err.message = msg ? msg : "(message lost: arena cap reached)";
    env->err.off = SIZE_MAX;
    env->err.fatal = msg == NULL;
    return -1;
}

int ev_step(expr_env *env)
{
    if (env->budget == 0) {
        expr_throw(env, "BudgetExceededException", "expression step budget exceeded");
        env->err.fatal = true;
        return -1;
    }
    env->budget--;
    return 0;
}

int ev_oom(expr_env *env)
{
    env->err.type = "OutOfMemoryException";
    env->err.message = "request arena cap reached";
    env->err.off = SIZE_MAX;
    env->err.fatal = true;
    return -1;
}

int ev_null_ref(expr_env *env)
{
    return expr_throw(env, "NullReferenceException",
                      "Object reference not set to an instance of an object.");
}

bool ev_truthy(expr_env *env, xv v, int *rc)
{
    *rc = 0;
    if (v.kind == XV_BOOL)
        return v.u.b;
    if (v.kind == XV_JSON && json_is_boolean(v.u.j))
        return json_is_true(v.u.j);
    *rc = expr_throw(env, "InvalidCastException", "a condition must be a bool, got %s",
                     xv_type_name(v));
    return false;
}

xv *ev_slot(run *R, int slot, int depth)
{
    frame *f = R->f;
    while (depth-- > 0 && f->up)
        f = f->up;
    return &f->slots[slot];
}

frame *ev_frame_up(run *R, int depth)
{
    frame *f = R->f;
    while (depth-- > 0 && f->up)
        f = f->up;
    return f;
}

static bool is_numeric_class(const xv_class *c)
{
    return c == &expr_class_int || c == &expr_class_long || c == &expr_class_double ||
           c == &expr_class_float || c == &expr_class_decimal;
}

int ev_coerce(expr_env *env, const xv_type *t, const xv_class *cls, xv v, xv *out)
{
    if (cls && is_numeric_class(cls) && (!t || t->rank == 0) &&
        (v.kind == XV_INT || v.kind == XV_DOUBLE || v.kind == XV_CHAR)) {
        xv_type tt = { .cls = cls };
        return xv_convert(env, v, &tt, 0, out);
    }
    if (cls && (!t || t->rank == 0)) { /* XNamespace ns = "urn:x"; */
        int rc = expr_implicit_from(env, cls, v, out);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    *out = v;
    return 0;
}

xv ev_default(const xv_type *t)
{
    if (!t || t->nullable || t->rank > 0)
        return xv_null();
    const xv_class *c = t->cls;
    if (c == &expr_class_int || c == &expr_class_byte)
        return xv_int(0);
    if (c == &expr_class_long)
        return xv_long(0);
    if (c == &expr_class_double || c == &expr_class_float || c == &expr_class_decimal) {
        xv d = xv_double(0);
        d.sub = c == &expr_class_float     ? XV_SUB_FLOAT
                : c == &expr_class_decimal ? XV_SUB_DECIMAL
                                           : XV_SUB_NONE;
        return d;
    }
    if (c == &expr_class_bool)
        return xv_bool(false);
    if (c == &expr_class_char)
        return xv_char(0);
    if (c == &expr_class_datetime)
        return (xv){ .kind = XV_DATETIME };
    if (c == &expr_class_timespan)
        return (xv){ .kind = XV_TIMESPAN };
    if (c == &expr_class_guid)
        return (xv){ .kind = XV_GUID };
    return xv_null();
}

int ev_throw_value(run *R, xv v, size_t off)
{
    expr_env *env = R->env;
    if (v.kind == XV_OBJ && v.u.obj.cls == &expr_class_exception) {
        const expr_exc *e = v.u.obj.ptr;
        env->err.type = e->type;
        env->err.message = e->message;
        env->err.off = off;
        env->err.fatal = false;
        return -1;
    }
    if (xv_is_null(v))
        return ev_null_ref(env);
    return expr_throw(env, "InvalidCastException", "only exceptions can be thrown, got %s",
                      xv_type_name(v));
}

/* ---- statements ---- */

static int exec_block(run *R, const expr_node *b, xv *ret)
{
    for (uint32_t i = 0; i < b->nkids; i++) {
        int st = exec(R, b->kids[i], ret);
        if (st != EX_NORMAL)
            return st;
    }
    return EX_NORMAL;
}

static int exec_decl(run *R, const expr_node *d)
{
    for (uint32_t i = 0; i < d->nkids; i++) {
        const expr_node *v = d->kids[i];
        xv val = ev_default(v->type);
        if (v->a && ev(R, v->a, &val) != 0)
            return EX_ERROR;
        if (ev_coerce(R->env, v->type, v->cls, val, ev_slot(R, v->slot, 0)) < 0)
            return EX_ERROR;
    }
    return EX_NORMAL;
}

static int cond_true(run *R, const expr_node *c, bool *t)
{
    int rc;
    xv v;
    if (!c) {
        *t = true;
        return 0;
    }
    if (ev(R, c, &v) != 0)
        return -1;
    *t = ev_truthy(R->env, v, &rc);
    return rc;
}

/* Runs a loop body; returns EX_NORMAL to go on, 1 to leave the loop, or a status to return. */
static int loop_body(run *R, const expr_node *body, xv *ret, int *st)
{
    *st = exec(R, body, ret);
    if (*st == EX_BREAK) {
        *st = EX_NORMAL;
        return 1;
    }
    if (*st == EX_CONTINUE)
        *st = EX_NORMAL;
    return *st == EX_NORMAL ? 0 : 1;
}

static int exec_loop(run *R, const expr_node *s, xv *ret)
{
    int st = EX_NORMAL;
    bool t;
    if (s->kind == EXPR_S_FOR && s->a && exec(R, s->a, ret) != EX_NORMAL)
        return EX_ERROR;
    if (s->kind == EXPR_S_DO) {
        if (loop_body(R, s->b, ret, &st))
            return st;
    }
    for (;;) {
        const expr_node *c = s->kind == EXPR_S_FOR ? s->b : s->a;
        if (cond_true(R, c, &t) < 0)
            return EX_ERROR;
        if (!t)
            return EX_NORMAL;
        if (loop_body(R, s->kind == EXPR_S_FOR ? s->c : s->b, ret, &st))
            return st;
        if (s->kind == EXPR_S_FOR && exec(R, s->d, ret) != EX_NORMAL)
            return EX_ERROR;
        if (ev_step(R->env) < 0)
            return EX_ERROR;
    }
}

static int exec_foreach(run *R, const expr_node *s, xv *ret)
{
    xv coll;
    xv_list *l;
    int st = EX_NORMAL;
    if (ev(R, s->a, &coll) != 0)
        return EX_ERROR;
    if (xv_is_null(coll))
        return ev_null_ref(R->env);
    if (xv_enumerate(R->env, coll, &l) < 0)
        return EX_ERROR;
    bool cast = s->type && s->type->cls != &expr_class_object;
    for (size_t i = 0; i < l->n; i++) {
        xv v = l->items[i];
        xv *slot = ev_slot(R, s->slot, 0);
        if (cast ? xv_convert(R->env, v, s->type, 0, slot) < 0 : (*slot = v, 0))
            return EX_ERROR;
        if (loop_body(R, s->b, ret, &st))
            return st;
        if (ev_step(R->env) < 0)
            return EX_ERROR;
    }
    return EX_NORMAL;
}

static int exec_switch(run *R, const expr_node *s, xv *ret)
{
    xv v, label;
    if (ev(R, s->a, &v) != 0)
        return EX_ERROR;
    const expr_node *hit = NULL, *def = NULL;
    for (uint32_t i = 0; i < s->nkids && !hit; i++) {
        const expr_node *sec = s->kids[i];
        if (sec->flags & EXPR_F_DEFAULT)
            def = sec;
        for (uint32_t k = 0; k < sec->nkids; k++) {
            if (ev(R, sec->kids[k], &label) != 0)
                return EX_ERROR;
            if (xv_equals(v, label)) {
                hit = sec;
                break;
            }
        }
    }
    if (!hit)
        hit = def;
    if (!hit)
        return EX_NORMAL;
    int st = exec_block(R, hit->a, ret);
    return st == EX_BREAK ? EX_NORMAL : st;
}

static int exec_catch(run *R, const expr_node *c, xv *ret)
{
    expr_env *env = R->env;
    expr_error caught = env->err;
    if (c->slot >= 0) {
        expr_exc *e = arena_alloc(env->a, sizeof *e);
        if (!e)
            return ev_oom(env);
        e->type = caught.type ? caught.type : "Exception";
        e->message = caught.message ? caught.message : "";
        *ev_slot(R, c->slot, 0) = xv_obj(&expr_class_exception, e);
    }
    const expr_error *saved = R->caught;
    R->caught = &caught;
    int st = exec(R, c->a, ret);
    R->caught = saved;
    return st;
}

static int exec_try(run *R, const expr_node *s, xv *ret)
{
    expr_env *env = R->env;
    int st = exec(R, s->a, ret);
    if (st == EX_ERROR && !env->err.fatal) {
        for (uint32_t i = 0; i < s->nkids; i++) {
            const expr_node *c = s->kids[i];
            const xv_class *cc = c->type ? c->type->cls : NULL;
            if (expr_exception_is(env->err.type ? env->err.type : "Exception", cc)) {
                st = exec_catch(R, c, ret);
                break;
            }
        }
    }
    if (!s->b || (st == EX_ERROR && env->err.fatal))
        return st;
    expr_error saved = env->err;
    xv saved_ret = *ret;
    int fst = exec(R, s->b, ret);
    if (fst != EX_NORMAL)
        return fst;
    env->err = saved;
    *ret = saved_ret;
    return st;
}

static int exec_inner(run *R, const expr_node *s, xv *ret)
{
    xv v;
    bool t;
    switch (s->kind) {
    case EXPR_S_BLOCK:
        return exec_block(R, s, ret);
    case EXPR_S_DECL:
        return exec_decl(R, s);
    case EXPR_S_EXPR:
        return ev(R, s->a, &v) == 0 ? EX_NORMAL : EX_ERROR;
    case EXPR_S_IF:
        if (cond_true(R, s->a, &t) < 0)
            return EX_ERROR;
        if (t)
            return exec(R, s->b, ret);
        return s->c ? exec(R, s->c, ret) : EX_NORMAL;
    case EXPR_S_WHILE:
    case EXPR_S_DO:
    case EXPR_S_FOR:
        return exec_loop(R, s, ret);
    case EXPR_S_FOREACH:
        return exec_foreach(R, s, ret);
    case EXPR_S_BREAK:
        return EX_BREAK;
    case EXPR_S_CONTINUE:
        return EX_CONTINUE;
    case EXPR_S_RETURN:
        *ret = xv_null();
        if (s->a && ev(R, s->a, ret) != 0)
            return EX_ERROR;
        return EX_RETURN;
    case EXPR_S_THROW:
        if (!s->a) {
            if (R->caught)
                R->env->err = *R->caught;
            return EX_ERROR;
        }
        if (ev(R, s->a, &v) != 0)
            return EX_ERROR;
        return ev_throw_value(R, v, s->off);
    case EXPR_S_SWITCH:
        return exec_switch(R, s, ret);
    case EXPR_S_TRY:
        return exec_try(R, s, ret);
    default:
        return EX_NORMAL;
    }
}

int exec(run *R, const expr_node *s, xv *ret)
{
    if (ev_step(R->env) < 0)
        return EX_ERROR;
    int st = exec_inner(R, s, ret);
    if (st == EX_ERROR && R->env->err.off == SIZE_MAX)
        R->env->err.off = s->off;
    return st;
}

/* ---- lambdas and local functions ---- */

/* Nesting of lambda / local function calls on this thread and the stack address of the
 * outermost one: recursion is bounded by the C stack actually used, not by a count that
 * would be too small or too large depending on the build (sanitizers triple frame sizes). */
static _Thread_local unsigned call_depth;
static _Thread_local uintptr_t call_stack_base;

#define MAX_CALL_DEPTH 2000
/* Bytes of C stack nested calls may use: threads running expressions need a few MB of stack
 * (glibc default: 8 MB). About 1600 levels in an optimized build, 180 under ASan -O0. */
#define MAX_CALL_STACK ((uintptr_t)2 << 20)

static int enter_call(expr_env *env)
{
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (call_depth == 0)
        call_stack_base = here;
    uintptr_t used = here < call_stack_base ? call_stack_base - here : here - call_stack_base;
    if (call_depth >= MAX_CALL_DEPTH || used > MAX_CALL_STACK) {
        expr_throw(env, "InsufficientExecutionStackException",
                   "Insufficient stack to continue executing the program safely (recursion "
                   "too deep: %u nested calls).",
                   call_depth);
        env->err.fatal = true;
        return -1;
    }
    call_depth++;
    return 0;
}

static int invoke_body(expr_env *env, const struct expr_lambda *l, frame *f, xv *out)
{
    run R = { env, f, NULL };
    *out = xv_null();
    if (!l->block) {
        if (ev(&R, l->body, out) != 0)
            return -1;
        if (l->is_void)
            *out = xv_null();
    } else {
        int st = exec(&R, l->body, out);
        if (st == EX_ERROR)
            return -1;
        if (st != EX_RETURN)
            *out = xv_null();
    }
    if (l->rtype)
        return ev_coerce(env, l->rtype, l->rcls, *out, out);
    return 0;
}

int ev_invoke(expr_env *env, const struct expr_lambda *l, frame *up, const xv *args, size_t n,
              xv *out)
{
    frame *f = arena_alloc(env->a, sizeof *f);
    xv *slots = arena_calloc(env->a, l->nslots ? l->nslots : 1, sizeof(xv));
    if (!f || !slots)
        return ev_oom(env);
    f->slots = slots;
    f->up = up;
    run R = { env, f, NULL };
    for (uint32_t i = 0; i < l->nparams; i++) {
        xv v = i < n ? args[i] : xv_null();
        if (i >= n && l->pdefaults && l->pdefaults[i] && ev(&R, l->pdefaults[i], &v) != 0)
            return -1;
        if (l->ptypes ? ev_coerce(env, l->ptypes[i], l->pcls[i], v, &slots[l->pslots[i]]) < 0
                      : (slots[l->pslots[i]] = v, 0))
            return -1;
    }
    if (enter_call(env) < 0)
        return -1;
    int rc = invoke_body(env, l, f, out);
    call_depth--;
    return rc;
}

int expr_call_lambda(expr_env *env, xv fn, const xv *args, size_t n, xv *out)
{
    if (fn.kind != XV_LAMBDA)
        return expr_throw(env, "InvalidCastException", "expected a lambda, got %s",
                          xv_type_name(fn));
    return ev_invoke(env, fn.u.fn.fn, fn.u.fn.frame, args, n, out);
}

size_t expr_lambda_nparams(xv fn)
{
    return fn.kind == XV_LAMBDA ? fn.u.fn.fn->nparams : 0;
}

/* ---- entry points ---- */

bool expr_is_expression(str text)
{
    text = str_trim(text);
    if (text.len < 3 || text.ptr[0] != '@' || (text.ptr[1] != '(' && text.ptr[1] != '{'))
        return false;
    char open = text.ptr[1], close = open == '(' ? ')' : '}';
    if (text.ptr[text.len - 1] != close)
        return false;
    /* the closer matching ptr[1] must be the last character (strings and chars skipped) */
    int depth = 0;
    for (size_t i = 1; i < text.len; i++) {
        char c = text.ptr[i];
        if (c == '"' || c == '\'') {
            bool verbatim = c == '"' && text.ptr[i - 1] == '@';
            for (i++; i < text.len; i++) {
                if (!verbatim && text.ptr[i] == '\\')
                    i++;
                else if (text.ptr[i] == c) {
                    if (verbatim && i + 1 < text.len && text.ptr[i + 1] == '"')
                        i++;
                    else
                        break;
                }
            }
            continue;
        }
        if (c == open)
            depth++;
        else if (c == close && --depth == 0)
            return i == text.len - 1;
    }
    return false;
}

expr *expr_compile(arena *a, const char *src, size_t len, const diag_mapper *m, diag_list *d)
{
    expr_diag dg;
    expr_diag_init(&dg, d, m, src, len);
    if (len > UINT32_MAX) {
        expr_error_at(&dg, 0, "expression too long");
        return NULL;
    }
    expr *e = arena_alloc(a, sizeof *e);
    if (!e)
        return NULL;
    e->src = (str){ src, len };
    e->root = expr_parse(a, src, len, &dg, &e->block);
    if (!e->root)
        return NULL;
    if (expr_resolve(a, e, &dg) < 0)
        return NULL;
    return e;
}

const xv_class *expr_result_class(const expr *e)
{
    return e->cls;
}

str expr_source(const expr *e)
{
    return e->src;
}

int expr_eval(expr_env *env, const expr *e, xv *out)
{
    /* in the arena: lambdas capture the frame and may outlive this call (stored in
     * context.Variables and invoked by a later expression) */
    frame *f = arena_alloc(env->a, sizeof *f);
    env->err = (expr_error){ 0 };
    if (!f || (e->nslots && !(f->slots = arena_calloc(env->a, e->nslots, sizeof(xv)))))
        return ev_oom(env);
    run R = { env, f, NULL };
    *out = xv_null();
    if (!e->block)
        return ev(&R, e->root, out) == 0 ? 0 : -1;
    int st = exec(&R, e->root, out);
    if (st == EX_ERROR)
        return -1;
    if (st != EX_RETURN)
        return expr_throw(env, "InvalidOperationException", "the block did not return a value");
    return 0;
}
