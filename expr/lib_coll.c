/* System.Collections.Generic over xv lists and dicts: List<T> / T[] / HashSet<T> / Queue<T> /
 * Stack<T> (one XV_LIST representation, the flavor says which), Dictionary<string,V> (also the
 * context's Variables, Headers, Query... with their ci/readonly flags), KeyValuePair<K,V>, the
 * Array statics and APIM's GetValueOrDefault extension. */
#include <string.h>

#include "lib_coll.h"

int coll_oom(expr_env *env)
{
    expr_throw(env, "OutOfMemoryException", "the request arena is full");
    env->err.fatal = true;
    return -1;
}

int coll_list_out(xv_list *l, xv *out)
{
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static int null_self(expr_env *env)
{
    return expr_throw(env, "NullReferenceException",
                      "Object reference not set to an instance of an object.");
}

static xv_list *self_list(xv_call *c)
{
    if (c->self.kind == XV_LIST)
        return c->self.u.list;
    null_self(c->env);
    return NULL;
}

int coll_call(expr_env *env, xv fn, const xv *args, size_t n, xv *out)
{
    if (fn.kind != XV_LAMBDA)
        return expr_throw(env, "ArgumentNullException", "Value cannot be null. (Parameter '%s')",
                          "predicate");
    return expr_call_lambda(env, fn, args, n, out);
}

int coll_pred(expr_env *env, xv fn, xv item, bool *res)
{
    xv r;
    if (coll_call(env, fn, &item, 1, &r) < 0)
        return -1;
    if (r.kind != XV_BOOL)
        return expr_throw(env, "InvalidCastException", "predicate returned %s, not bool",
                          xv_type_name(r));
    *res = r.u.b;
    return 0;
}

static int fixed_size(expr_env *env)
{
    return expr_throw(env, "NotSupportedException", "Collection was of a fixed size.");
}

long coll_list_find(const xv_list *l, xv v, size_t from)
{
    for (size_t i = from; i < l->n; i++) {
        if (xv_equals(l->items[i], v))
            return (long)i;
    }
    return -1;
}

int coll_list_insert_at(expr_env *env, xv_list *l, size_t at, xv v)
{
    if (xv_list_push(env, l, v) < 0)
        return -1;
    memmove(l->items + at + 1, l->items + at, (l->n - 1 - at) * sizeof *l->items);
    l->items[at] = v;
    return 0;
}

void coll_list_remove_at(xv_list *l, size_t at)
{
    memmove(l->items + at, l->items + at + 1, (l->n - at - 1) * sizeof *l->items);
    l->n--;
}

int coll_arg_int(xv_call *c, size_t i, int64_t *v)
{
    if (c->args[i].kind != XV_INT)
        return expr_throw(c->env, "ArgumentException", "argument %zu: expected int, got %s", i + 1,
                          xv_type_name(c->args[i]));
    *v = c->args[i].u.i;
    return 0;
}

static int index_error(expr_env *env, const xv_list *l)
{
    if (l->flavor == XV_LIST_ARRAY)
        return expr_throw(env, "IndexOutOfRangeException",
                          "Index was outside the bounds of the array.");
    return expr_throw(env, "ArgumentOutOfRangeException",
                      "Index was out of range. Must be non-negative and less than the size of "
                      "the collection. (Parameter 'index')");
}

/* ---- List<T> / T[] / HashSet<T> ---- */

static int list_add_one(expr_env *env, xv_list *l, xv v, bool *added)
{
    *added = true;
    if (l->flavor == XV_LIST_ARRAY)
        return fixed_size(env);
    if (l->flavor == XV_LIST_SET && coll_list_find(l, v, 0) >= 0) {
        *added = false;
        return 0;
    }
    return xv_list_push(env, l, v);
}

static int list_add(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    bool added;
    if (!l || list_add_one(c->env, l, c->args[0], &added) < 0)
        return -1;
    *out = l->flavor == XV_LIST_SET ? xv_bool(added) : xv_null();
    return 0;
}

static int list_add_range(xv_call *c, xv *out)
{
    xv_list *l = self_list(c), *src;
    if (!l || xv_enumerate(c->env, c->args[0], &src) < 0)
        return -1;
    size_t n = src->n; /* src may be l itself */
    for (size_t i = 0; i < n; i++) {
        bool added;
        if (list_add_one(c->env, l, src->items[i], &added) < 0)
            return -1;
    }
    *out = xv_null();
    return 0;
}

static int list_clear(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    if (!l)
        return -1;
    if (l->flavor == XV_LIST_ARRAY)
        return fixed_size(c->env);
    l->n = 0;
    *out = xv_null();
    return 0;
}

static int list_contains(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    if (!l)
        return -1;
    *out = xv_bool(coll_list_find(l, c->args[0], 0) >= 0);
    return 0;
}

static int list_index_of(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    int64_t from = 0;
    if (!l || (c->nargs > 1 && coll_arg_int(c, 1, &from) < 0))
        return -1;
    if (from < 0 || (uint64_t)from > l->n)
        return index_error(c->env, l);
    *out = xv_int(coll_list_find(l, c->args[0], (size_t)from));
    return 0;
}

static int list_last_index_of(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    if (!l)
        return -1;
    long r = -1;
    for (size_t i = 0; i < l->n; i++) {
        if (xv_equals(l->items[i], c->args[0]))
            r = (long)i;
    }
    *out = xv_int(r);
    return 0;
}

static int list_insert(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    int64_t at = 0;
    if (!l || coll_arg_int(c, 0, &at) < 0)
        return -1;
    if (l->flavor == XV_LIST_ARRAY)
        return fixed_size(c->env);
    if (at < 0 || (uint64_t)at > l->n)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Index must be within the bounds of the List. (Parameter 'index')");
    *out = xv_null();
    return coll_list_insert_at(c->env, l, (size_t)at, c->args[1]);
}

static int list_remove(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    if (!l)
        return -1;
    if (l->flavor == XV_LIST_ARRAY)
        return fixed_size(c->env);
    long i = coll_list_find(l, c->args[0], 0);
    if (i >= 0)
        coll_list_remove_at(l, (size_t)i);
    *out = xv_bool(i >= 0);
    return 0;
}

static int list_remove_at_m(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    int64_t at = 0;
    if (!l || coll_arg_int(c, 0, &at) < 0)
        return -1;
    if (l->flavor == XV_LIST_ARRAY)
        return fixed_size(c->env);
    if (at < 0 || (uint64_t)at >= l->n)
        return index_error(c->env, l);
    coll_list_remove_at(l, (size_t)at);
    *out = xv_null();
    return 0;
}

static int list_remove_range(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    int64_t at = 0, cnt = 0;
    if (!l || coll_arg_int(c, 0, &at) < 0 || coll_arg_int(c, 1, &cnt) < 0)
        return -1;
    if (at < 0 || cnt < 0 || (uint64_t)(at + cnt) > l->n)
        return expr_throw(c->env, "ArgumentException",
                          "Offset and length were out of bounds for the array or count is "
                          "greater than the number of elements from index to the end of the "
                          "source collection.");
    memmove(l->items + at, l->items + at + cnt, (l->n - (size_t)(at + cnt)) * sizeof *l->items);
    l->n -= (size_t)cnt;
    *out = xv_null();
    return 0;
}

static int list_remove_all(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    if (!l)
        return -1;
    size_t w = 0, n = l->n;
    for (size_t i = 0; i < n; i++) {
        bool hit;
        if (coll_pred(c->env, c->args[0], l->items[i], &hit) < 0)
            return -1;
        if (!hit)
            l->items[w++] = l->items[i];
    }
    l->n = w;
    *out = xv_int((int64_t)(n - w));
    return 0;
}

/* Find/FindIndex/FindLast/Exists/TrueForAll/FindAll share one loop. */
enum find_mode { FIND_ITEM, FIND_INDEX, FIND_LAST, FIND_EXISTS, FIND_ALL_TRUE, FIND_ALL };

static int list_find_common(xv_call *c, enum find_mode m, xv *out)
{
    xv_list *l = self_list(c);
    if (!l)
        return -1;
    xv_list *all = m == FIND_ALL ? xv_list_new(c->env, XV_LIST_LIST, l->elem) : NULL;
    if (m == FIND_ALL && !all)
        return -1;
    long hit_at = -1;
    for (size_t i = 0; i < l->n; i++) {
        bool hit;
        if (coll_pred(c->env, c->args[0], l->items[i], &hit) < 0)
            return -1;
        if (m == FIND_ALL_TRUE && !hit) {
            *out = xv_bool(false);
            return 0;
        }
        if (!hit)
            continue;
        if (m == FIND_ALL) {
            if (xv_list_push(c->env, all, l->items[i]) < 0)
                return -1;
            continue;
        }
        hit_at = (long)i;
        if (m != FIND_LAST)
            break;
    }
    switch (m) {
    case FIND_INDEX:
        *out = xv_int(hit_at);
        break;
    case FIND_EXISTS:
        *out = xv_bool(hit_at >= 0);
        break;
    case FIND_ALL_TRUE:
        *out = xv_bool(true);
        break;
    case FIND_ALL:
        return coll_list_out(all, out);
    default:
        *out = hit_at >= 0 ? l->items[hit_at] : xv_null();
        if (hit_at < 0 && l->elem && l->elem != &expr_class_string)
            return coll_default_of(c->env, l->elem, out);
    }
    return 0;
}

static int list_find_m(xv_call *c, xv *out)
{
    return list_find_common(c, FIND_ITEM, out);
}

static int list_find_index(xv_call *c, xv *out)
{
    return list_find_common(c, FIND_INDEX, out);
}

static int list_find_last(xv_call *c, xv *out)
{
    return list_find_common(c, FIND_LAST, out);
}

static int list_exists(xv_call *c, xv *out)
{
    return list_find_common(c, FIND_EXISTS, out);
}

static int list_true_for_all(xv_call *c, xv *out)
{
    return list_find_common(c, FIND_ALL_TRUE, out);
}

static int list_find_all(xv_call *c, xv *out)
{
    return list_find_common(c, FIND_ALL, out);
}

static int list_for_each(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    if (!l)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        xv r;
        if (coll_call(c->env, c->args[0], &l->items[i], 1, &r) < 0)
            return -1;
    }
    *out = xv_null();
    return 0;
}

static int list_convert_all(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    xv_list *r = l ? xv_list_new(c->env, XV_LIST_LIST, NULL) : NULL;
    if (!r)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        xv v;
        if (coll_call(c->env, c->args[0], &l->items[i], 1, &v) < 0 ||
            xv_list_push(c->env, r, v) < 0)
            return -1;
    }
    return coll_list_out(r, out);
}

static int list_get_range(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    int64_t at = 0, cnt = 0;
    if (!l || coll_arg_int(c, 0, &at) < 0 || coll_arg_int(c, 1, &cnt) < 0)
        return -1;
    if (at < 0 || cnt < 0 || (uint64_t)(at + cnt) > l->n)
        return expr_throw(c->env, "ArgumentException",
                          "Offset and length were out of bounds for the array or count is "
                          "greater than the number of elements from index to the end of the "
                          "source collection.");
    xv_list *r = xv_list_new(c->env, XV_LIST_LIST, l->elem);
    for (int64_t i = 0; r && i < cnt; i++) {
        if (xv_list_push(c->env, r, l->items[at + i]) < 0)
            return -1;
    }
    return r ? coll_list_out(r, out) : -1;
}

static int list_reverse(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    if (!l)
        return -1;
    xv_list *r = l;
    if (l->flavor != XV_LIST_LIST) { /* arrays/sequences: LINQ Reverse() makes a new sequence */
        if (!(r = xv_list_new(c->env, XV_LIST_SEQ, l->elem)))
            return -1;
        for (size_t i = 0; i < l->n; i++) {
            if (xv_list_push(c->env, r, l->items[i]) < 0)
                return -1;
        }
    }
    for (size_t i = 0, j = r->n; i + 1 < j; i++, j--) {
        xv t = r->items[i];
        r->items[i] = r->items[j - 1];
        r->items[j - 1] = t;
    }
    if (r == l) {
        *out = xv_null();
        return 0;
    }
    return coll_list_out(r, out);
}

static int list_sort(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    if (!l)
        return -1;
    *out = xv_null();
    return coll_sort(c->env, l->items, l->n, c->nargs > 0 ? c->args[0] : xv_null(), false);
}

static int list_to_array(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    xv_list *r = l ? xv_list_new(c->env, XV_LIST_ARRAY, l->elem) : NULL;
    if (!r)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        if (xv_list_push(c->env, r, l->items[i]) < 0)
            return -1;
    }
    return coll_list_out(r, out);
}

static int set_op(xv_call *c, int op, xv *out)
{
    xv_list *l = self_list(c), *o;
    if (!l || xv_enumerate(c->env, c->args[0], &o) < 0)
        return -1;
    *out = xv_null();
    if (op == 0) { /* UnionWith */
        for (size_t i = 0; i < o->n; i++) {
            bool added;
            if (coll_list_find(l, o->items[i], 0) < 0 &&
                list_add_one(c->env, l, o->items[i], &added) < 0)
                return -1;
        }
        return 0;
    }
    size_t w = 0; /* IntersectWith (1) / ExceptWith (2) */
    for (size_t i = 0; i < l->n; i++) {
        bool in = coll_list_find(o, l->items[i], 0) >= 0;
        if (in == (op == 1))
            l->items[w++] = l->items[i];
    }
    l->n = w;
    return 0;
}

static int set_union_with(xv_call *c, xv *out)
{
    return set_op(c, 0, out);
}

static int set_intersect_with(xv_call *c, xv *out)
{
    return set_op(c, 1, out);
}

static int set_except_with(xv_call *c, xv *out)
{
    return set_op(c, 2, out);
}

static int list_count(expr_env *env, xv self, xv *out)
{
    if (self.kind != XV_LIST)
        return null_self(env);
    *out = xv_int((int64_t)self.u.list->n);
    return 0;
}

static int list_index_get(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    int64_t at = 0;
    if (!l || coll_arg_int(c, 0, &at) < 0)
        return -1;
    if (at < 0 || (uint64_t)at >= l->n)
        return index_error(c->env, l);
    *out = l->items[at];
    return 0;
}

static int list_index_set(xv_call *c, xv *out)
{
    xv_list *l = self_list(c);
    int64_t at = 0;
    if (!l || coll_arg_int(c, 0, &at) < 0)
        return -1;
    if (at < 0 || (uint64_t)at >= l->n)
        return index_error(c->env, l);
    l->items[at] = c->args[1];
    *out = xv_null();
    return 0;
}

int coll_list_enumerate(expr_env *env, xv self, xv *out)
{
    if (self.kind != XV_LIST)
        return null_self(env);
    xv_list *l = xv_list_new(env, XV_LIST_SEQ, self.u.list->elem);
    for (size_t i = 0; l && i < self.u.list->n; i++) {
        if (xv_list_push(env, l, self.u.list->items[i]) < 0)
            return -1;
    }
    return l ? coll_list_out(l, out) : -1;
}

/* new List<T>() / (capacity) / (IEnumerable<T>); HashSet/Queue/Stack likewise. */
int coll_make_list(xv_call *c, uint8_t flavor, bool reverse, xv *out)
{
    const xv_class *elem = NULL;
    if (c->type && c->type->nargs > 0 && c->type->args[0])
        elem = c->type->args[0]->cls;
    xv_list *l = xv_list_new(c->env, flavor, elem);
    if (!l)
        return -1;
    if (c->nargs > 0 && c->args[0].kind != XV_INT && expr_string_comparer_mode(c->args[0]) < 0) {
        xv_list *src;
        if (xv_enumerate(c->env, c->args[0], &src) < 0)
            return -1;
        for (size_t i = 0; i < src->n; i++) {
            bool added;
            xv v = src->items[reverse ? src->n - 1 - i : i];
            if (list_add_one(c->env, l, v, &added) < 0)
                return -1;
        }
    } else if (c->nargs > 0 && c->args[0].kind == XV_INT && c->args[0].u.i < 0) {
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Non-negative number required. (Parameter 'capacity')");
    }
    return coll_list_out(l, out);
}

static int list_ctor(xv_call *c, xv *out)
{
    return coll_make_list(c, XV_LIST_LIST, false, out);
}

static int set_ctor(xv_call *c, xv *out)
{
    return coll_make_list(c, XV_LIST_SET, false, out);
}

static int list_init_add(xv_call *c, xv *out)
{
    return list_add(c, out);
}

static const xv_member list_members[] = {
    { "Count", list_count, &expr_class_int, 0, NULL },
    { "Length", list_count, &expr_class_int, 0, NULL },
};

static const xv_method list_methods[] = {
    { "Add", 1, 1, list_add, NULL, 0, NULL },
    { "AddRange", 1, 1, list_add_range, NULL, 0, NULL },
    { "Clear", 0, 0, list_clear, NULL, 0, NULL },
    { "Contains", 1, 1, list_contains, &expr_class_bool, 0, NULL },
    { "ConvertAll", 1, 1, list_convert_all, NULL, XV_M_LAMBDA, NULL },
    { "Dequeue", 0, 0, coll_queue_dequeue, NULL, 0, NULL },
    { "Enqueue", 1, 1, coll_queue_enqueue, NULL, 0, NULL },
    { "ExceptWith", 1, 1, set_except_with, NULL, 0, NULL },
    { "Exists", 1, 1, list_exists, &expr_class_bool, XV_M_LAMBDA, NULL },
    { "Find", 1, 1, list_find_m, NULL, XV_M_LAMBDA, NULL },
    { "FindAll", 1, 1, list_find_all, NULL, XV_M_LAMBDA, NULL },
    { "FindIndex", 1, 1, list_find_index, &expr_class_int, XV_M_LAMBDA, NULL },
    { "FindLast", 1, 1, list_find_last, NULL, XV_M_LAMBDA, NULL },
    { "ForEach", 1, 1, list_for_each, NULL, XV_M_LAMBDA, NULL },
    { "GetRange", 2, 2, list_get_range, NULL, 0, NULL },
    { "IndexOf", 1, 2, list_index_of, &expr_class_int, 0, NULL },
    { "Insert", 2, 2, list_insert, NULL, 0, NULL },
    { "IntersectWith", 1, 1, set_intersect_with, NULL, 0, NULL },
    { "LastIndexOf", 1, 1, list_last_index_of, &expr_class_int, 0, NULL },
    { "Peek", 0, 0, coll_queue_peek, NULL, 0, NULL },
    { "Pop", 0, 0, coll_stack_pop, NULL, 0, NULL },
    { "Push", 1, 1, coll_stack_push, NULL, 0, NULL },
    { "Remove", 1, 1, list_remove, &expr_class_bool, 0, NULL },
    { "RemoveAll", 1, 1, list_remove_all, &expr_class_int, XV_M_LAMBDA, NULL },
    { "RemoveAt", 1, 1, list_remove_at_m, NULL, 0, NULL },
    { "RemoveRange", 2, 2, list_remove_range, NULL, 0, NULL },
    { "Reverse", 0, 0, list_reverse, NULL, 0, NULL },
    { "Sort", 0, 1, list_sort, NULL, XV_M_LAMBDA, NULL },
    { "ToArray", 0, 0, list_to_array, NULL, 0, NULL },
    { "TrueForAll", 1, 1, list_true_for_all, &expr_class_bool, XV_M_LAMBDA, NULL },
    { "UnionWith", 1, 1, set_union_with, NULL, 0, NULL },
};

static const char *const list_aliases[] = {
    "IList",
    "ICollection",
    "IEnumerable",
    "IReadOnlyList",
    "IReadOnlyCollection",
    "System.Collections.Generic.List",
    "System.Collections.Generic.IList",
    "System.Collections.Generic.IEnumerable",
    "System.Collections.Generic.ICollection",
    NULL,
};
const xv_class expr_class_list = {
    .name = "List",
    .aliases = list_aliases,
    .flags = XV_CLASS_ENUMERABLE,
    .members = list_members,
    .nmembers = sizeof list_members / sizeof list_members[0],
    .methods = list_methods,
    .nmethods = sizeof list_methods / sizeof list_methods[0],
    .ctor = list_ctor,
    .ctor_min = 0,
    .ctor_max = 1,
    .index_get = list_index_get,
    .index_set = list_index_set,
    .add = list_init_add,
    .enumerate = coll_list_enumerate,
};

static const char *const set_aliases[] = { "ISet", "System.Collections.Generic.HashSet", NULL };
const xv_class expr_class_hashset = {
    .name = "HashSet",
    .aliases = set_aliases,
    .base = &expr_class_list,
    .flags = XV_CLASS_ENUMERABLE,
    .ctor = set_ctor,
    .ctor_min = 0,
    .ctor_max = 2,
    .add = list_init_add,
    .enumerate = coll_list_enumerate,
};
