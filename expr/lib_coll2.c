/* Queue<T>, Stack<T> (XV_LIST_LIST lists; a stack keeps its top first, so enumeration order
 * matches .NET) and the Array statics (Empty, IndexOf, Exists, Reverse, Sort, Copy). */
#include <string.h>

#include "lib_coll.h"

static xv_list *self_list(xv_call *c)
{
    if (c->self.kind == XV_LIST)
        return c->self.u.list;
    expr_throw(c->env, "NullReferenceException",
               "Object reference not set to an instance of an object.");
    return NULL;
}

/* ---- Queue<T> / Stack<T> (a List flavored list; the stack keeps its top first) ---- */

static int empty_collection(expr_env *env, const char *what)
{
    return expr_throw(env, "InvalidOperationException", "%s empty.", what);
}

int coll_queue_enqueue(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    *out = xv_null();
    return l ? xv_list_push(c->env, l, c->args[0]) : -1;
}

static int queue_take(xv_call *c, bool remove, const char *what, xv *out)
{
    xv_list *l = self_list(c);
    if (!l)
        return -1;
    if (l->n == 0)
        return empty_collection(c->env, what);
    *out = l->items[0];
    if (remove)
        coll_list_remove_at(l, 0);
    return 0;
}

int coll_queue_dequeue(xv_call *c, xv *out)
{
    return queue_take(c, true, "Queue", out);
}

int coll_queue_peek(xv_call *c, xv *out)
{
    return queue_take(c, false, "Queue", out);
}

int coll_stack_pop(xv_call *c, xv *out)
{
    return queue_take(c, true, "Stack", out);
}

int coll_stack_push(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    *out = xv_null();
    return l ? coll_list_insert_at(c->env, l, 0, c->args[0]) : -1;
}

static int queue_ctor(xv_call *c, xv *out)
{
    return coll_make_list(c, XV_LIST_LIST, false, out);
}

static int stack_ctor(xv_call *c, xv *out)
{
    return coll_make_list(c, XV_LIST_LIST, true, out);
}

static const xv_method queue_methods[] = {
    { "Dequeue", 0, 0, coll_queue_dequeue, NULL, 0, NULL },
    { "Enqueue", 1, 1, coll_queue_enqueue, NULL, 0, NULL },
    { "Peek", 0, 0, coll_queue_peek, NULL, 0, NULL },
};

static const xv_method stack_methods[] = {
    { "Peek", 0, 0, coll_queue_peek, NULL, 0, NULL },
    { "Pop", 0, 0, coll_stack_pop, NULL, 0, NULL },
    { "Push", 1, 1, coll_stack_push, NULL, 0, NULL },
};

const xv_class expr_class_queue = {
    .name = "Queue",
    .base = &expr_class_list,
    .flags = XV_CLASS_ENUMERABLE,
    .methods = queue_methods,
    .nmethods = sizeof queue_methods / sizeof queue_methods[0],
    .ctor = queue_ctor,
    .ctor_min = 0,
    .ctor_max = 1,
    .enumerate = coll_list_enumerate,
};

const xv_class expr_class_stack = {
    .name = "Stack",
    .base = &expr_class_list,
    .flags = XV_CLASS_ENUMERABLE,
    .methods = stack_methods,
    .nmethods = sizeof stack_methods / sizeof stack_methods[0],
    .ctor = stack_ctor,
    .ctor_min = 0,
    .ctor_max = 1,
    .enumerate = coll_list_enumerate,
};

/* ---- Array statics ---- */

static int arr_s_empty(xv_call *c, xv *out)
{
    const xv_class *elem = c->ntargs > 0 && c->targs[0] ? c->targs[0]->cls : NULL;
    xv_list *l = xv_list_new(c->env, XV_LIST_ARRAY, elem);
    return l ? coll_list_out(l, out) : -1;
}

/* Argument i as an array; NULL after throwing when it is not one. */
static xv_list *arr_list_arg(xv_call *c, size_t i)
{
    if (c->args[i].kind == XV_LIST && c->args[i].u.list)
        return c->args[i].u.list;
    if (c->args[i].kind == XV_NULL || c->args[i].kind == XV_LIST)
        expr_throw(c->env, "ArgumentNullException", "Value cannot be null. (Parameter 'array')");
    else
        expr_throw(c->env, "ArgumentException", "argument %zu: expected an array, got %s", i + 1,
                   xv_type_name(c->args[i]));
    return NULL;
}

static int arr_s_index_of(xv_call *c, xv *out)
{
    xv_list *l = arr_list_arg(c, 0);
    if (!l)
        return -1;
    *out = xv_int(coll_list_find(l, c->args[1], 0));
    return 0;
}

static int arr_s_exists(xv_call *c, xv *out)
{
    xv_list *l = arr_list_arg(c, 0);
    if (!l)
        return -1;
    bool hit = false;
    for (size_t i = 0; i < l->n && !hit; i++) {
        if (coll_pred(c->env, c->args[1], l->items[i], &hit) < 0)
            return -1;
    }
    *out = xv_bool(hit);
    return 0;
}

static int arr_s_reverse(xv_call *c, xv *out)
{
    xv_list *l = arr_list_arg(c, 0);
    if (!l)
        return -1;
    for (size_t i = 0, j = l->n; i + 1 < j; i++, j--) {
        xv t = l->items[i];
        l->items[i] = l->items[j - 1];
        l->items[j - 1] = t;
    }
    *out = xv_null();
    return 0;
}

static int arr_s_sort(xv_call *c, xv *out)
{
    xv_list *l = arr_list_arg(c, 0);
    if (!l)
        return -1;
    *out = xv_null();
    return coll_sort(c->env, l->items, l->n, c->nargs > 1 ? c->args[1] : xv_null(), false);
}

/* Array.Copy(src, dst, n) / (src, si, dst, di, n); byte[] copies are lib1's business. */
static int arr_s_copy(xv_call *c, xv *out)
{
    int64_t si = 0, di = 0, n = 0;
    bool five = c->nargs == 5;
    xv_list *s = arr_list_arg(c, 0);
    xv_list *d = s ? arr_list_arg(c, five ? 2 : 1) : NULL;
    if (!s || !d || (five && (coll_arg_int(c, 1, &si) < 0 || coll_arg_int(c, 3, &di) < 0)) ||
        coll_arg_int(c, five ? 4 : 2, &n) < 0)
        return -1;
    if (si < 0 || di < 0 || n < 0 || (uint64_t)si + (uint64_t)n > s->n ||
        (uint64_t)di + (uint64_t)n > d->n)
        return expr_throw(c->env, "ArgumentException",
                          "Source array was not long enough. Check the source index, length, "
                          "and the array's lower bounds.");
    memmove(d->items + di, s->items + si, (size_t)n * sizeof *s->items);
    *out = xv_null();
    return 0;
}

static const xv_method arr_smethods[] = {
    { "Copy", 3, 5, arr_s_copy, NULL, 0, NULL },
    { "Empty", 0, 0, arr_s_empty, NULL, XV_M_GENERIC, NULL },
    { "Exists", 2, 2, arr_s_exists, &expr_class_bool, XV_M_LAMBDA, NULL },
    { "IndexOf", 2, 2, arr_s_index_of, &expr_class_int, 0, NULL },
    { "Reverse", 1, 1, arr_s_reverse, NULL, 0, NULL },
    { "Sort", 1, 2, arr_s_sort, NULL, XV_M_LAMBDA, NULL },
};

static const char *const array_aliases[] = { "System.Array", NULL };
const xv_class expr_class_array = {
    .name = "Array",
    .aliases = array_aliases,
    .base = &expr_class_list,
    .flags = XV_CLASS_ENUMERABLE,
    .smethods = arr_smethods,
    .nsmethods = sizeof arr_smethods / sizeof arr_smethods[0],
    .enumerate = coll_list_enumerate,
};
