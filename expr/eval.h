#ifndef EXPR_EVAL_H
#define EXPR_EVAL_H

/* Internals of the evaluator, shared by eval.c (expressions), eval_ops.c (operators, member
 * access) and eval_stmt.c (statements, lambdas, the entry points). */

#include "ast.h"

/* The locals of one function activation (the top level or one lambda call). Lambdas keep a
 * pointer to the frame they were created in, so captured variables are shared. */
typedef struct frame {
    xv *slots;
    struct frame *up;
} frame;

typedef struct run {
    expr_env *env;
    frame *f;
    const expr_error *caught; /* the exception of the innermost catch block (for `throw;`) */
} run;

enum { EV_OK = 0, EV_ERR = -1, EV_SHORT = 1 }; /* EV_SHORT: a ?. met null */
enum { EX_NORMAL = 0, EX_ERROR = -1, EX_BREAK = 1, EX_CONTINUE = 2, EX_RETURN = 3 };

int ev(run *R, const expr_node *n, xv *out);
int exec(run *R, const expr_node *s, xv *ret);
/* One step of the budget; -1 with a fatal error when it is exhausted. */
int ev_step(expr_env *env);
int ev_oom(expr_env *env);
int ev_null_ref(expr_env *env);
bool ev_truthy(expr_env *env, xv v, int *rc);
xv *ev_slot(run *R, int slot, int depth);
/* The frame depth function levels up from the current one (lexical chain). */
frame *ev_frame_up(run *R, int depth);
/* Calls lambda or local function l whose enclosing activation is up with args[0..n):
 * typed parameters convert like typed locals, missing ones take their defaults, a typed
 * result converts to the return type. Guards the C stack against runaway recursion. */
int ev_invoke(expr_env *env, const struct expr_lambda *l, frame *up, const xv *args, size_t n,
              xv *out);
/* Stores into a typed local: numeric targets convert implicitly (int -> double ...). */
int ev_coerce(expr_env *env, const xv_type *t, const xv_class *cls, xv v, xv *out);
xv ev_default(const xv_type *t);
int ev_throw_value(run *R, xv v, size_t off);

/* Member access and indexers (eval_ops.c). */
int ev_get_member(expr_env *env, const expr_node *n, xv self, xv *out);
int ev_set_member(expr_env *env, const expr_node *n, xv self, xv val);
int ev_index_get(expr_env *env, xv self, const xv *idx, size_t n, size_t off, xv *out);
int ev_index_set(expr_env *env, xv self, const xv *idx, size_t n, xv val, size_t off);
int ev_concat(expr_env *env, xv a, xv b, xv *out);

#endif
