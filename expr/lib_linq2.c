/* Enumerable operators, part 2: set operators, Concat/Zip, aggregates (Sum, Min, Max,
 * Average, Aggregate), GroupBy (IGrouping), ToDictionary, Cast/OfType and the Range/Repeat/
 * Empty statics. */
#include <math.h>
#include <string.h>

#include "lib_coll.h"

static int new_seq(xv_call *c, const xv_class *elem, xv_list **out)
{
    *out = xv_list_new(c->env, XV_LIST_SEQ, elem);
    return *out ? 0 : -1;
}

static bool list_has(const xv_list *l, xv v)
{
    for (size_t i = 0; i < l->n; i++) {
        if (xv_equals(l->items[i], v))
            return true;
    }
    return false;
}

/* Union (0), Intersect (1), Except (2): distinct results in first-seen order. */
static int set_op(xv_call *c, int op, xv *out)
{
    xv_list *a, *b, *r;
    if (linq_seq(c, c->self, &a) < 0 || linq_seq(c, c->args[0], &b) < 0 ||
        new_seq(c, a->elem, &r) < 0)
        return -1;
    for (int pass = 0; pass < (op == 0 ? 2 : 1); pass++) {
        xv_list *src = pass ? b : a;
        if (linq_charge(c->env, src->n * (r->n + b->n + 1)) < 0)
            return -1;
        for (size_t i = 0; i < src->n; i++) {
            xv v = src->items[i];
            bool keep = op == 0 || (op == 1) == list_has(b, v);
            if (keep && !list_has(r, v) && xv_list_push(c->env, r, v) < 0)
                return -1;
        }
    }
    return coll_list_out(r, out);
}

int linq_union(xv_call *c, xv *out)
{
    return set_op(c, 0, out);
}

int linq_intersect(xv_call *c, xv *out)
{
    return set_op(c, 1, out);
}

int linq_except(xv_call *c, xv *out)
{
    return set_op(c, 2, out);
}

static int join_seqs(xv_call *c, xv_list *a, xv_list *b, xv *out)
{
    xv_list *r;
    if (new_seq(c, a->elem, &r) < 0 || linq_charge(c->env, a->n + b->n) < 0)
        return -1;
    for (size_t i = 0; i < a->n + b->n; i++) {
        if (xv_list_push(c->env, r, i < a->n ? a->items[i] : b->items[i - a->n]) < 0)
            return -1;
    }
    return coll_list_out(r, out);
}

int linq_concat(xv_call *c, xv *out)
{
    xv_list *a, *b;
    if (linq_seq(c, c->self, &a) < 0 || linq_seq(c, c->args[0], &b) < 0)
        return -1;
    return join_seqs(c, a, b, out);
}

static int single_list(xv_call *c, xv v, xv_list **out)
{
    if (new_seq(c, NULL, out) < 0)
        return -1;
    return xv_list_push(c->env, *out, v);
}

int linq_append(xv_call *c, xv *out)
{
    xv_list *a, *b;
    if (linq_seq(c, c->self, &a) < 0 || single_list(c, c->args[0], &b) < 0)
        return -1;
    return join_seqs(c, a, b, out);
}

int linq_prepend(xv_call *c, xv *out)
{
    xv_list *a, *b;
    if (linq_seq(c, c->self, &b) < 0 || single_list(c, c->args[0], &a) < 0)
        return -1;
    return join_seqs(c, a, b, out);
}

int linq_zip(xv_call *c, xv *out)
{
    xv_list *a, *b, *r;
    if (linq_seq(c, c->self, &a) < 0 || linq_seq(c, c->args[0], &b) < 0 || new_seq(c, NULL, &r) < 0)
        return -1;
    size_t n = a->n < b->n ? a->n : b->n;
    if (linq_charge(c->env, n) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        xv args[2] = { a->items[i], b->items[i] }, v;
        if (coll_call(c->env, c->args[1], args, 2, &v) < 0 || xv_list_push(c->env, r, v) < 0)
            return -1;
    }
    return coll_list_out(r, out);
}

int linq_sequence_equal(xv_call *c, xv *out)
{
    xv_list *a, *b;
    if (linq_seq(c, c->self, &a) < 0 || linq_seq(c, c->args[0], &b) < 0)
        return -1;
    bool eq = a->n == b->n;
    for (size_t i = 0; eq && i < a->n; i++)
        eq = xv_equals(a->items[i], b->items[i]);
    *out = xv_bool(eq);
    return 0;
}

int linq_default_if_empty(xv_call *c, xv *out)
{
    xv_list *a;
    if (linq_seq(c, c->self, &a) < 0)
        return -1;
    if (a->n > 0) {
        *out = (xv){ .kind = XV_LIST };
        out->u.list = a;
        return 0;
    }
    xv d;
    if (c->nargs > 0)
        d = c->args[0];
    else
        coll_default_of(c->env, a->elem, &d);
    xv_list *r;
    if (single_list(c, d, &r) < 0)
        return -1;
    return coll_list_out(r, out);
}

/* The projected values (selector in args[0] when given); JSON numbers become numbers. */
static int projected(xv_call *c, xv_list **out)
{
    xv_list *a, *r;
    if (linq_seq(c, c->self, &a) < 0 || linq_charge(c->env, a->n) < 0)
        return -1;
    bool sel = c->nargs > 0 && c->args[0].kind == XV_LAMBDA;
    if (new_seq(c, NULL, &r) < 0)
        return -1;
    for (size_t i = 0; i < a->n; i++) {
        xv v = a->items[i];
        if (sel && coll_call(c->env, c->args[0], &a->items[i], 1, &v) < 0)
            return -1;
        if (v.kind == XV_JSON && (json_is_number(v.u.j) || json_is_null(v.u.j)) &&
            xv_from_jvalue(c->env, v.u.j, &v) < 0)
            return -1;
        if (xv_list_push(c->env, r, v) < 0)
            return -1;
    }
    *out = r;
    return 0;
}

static int not_numeric(expr_env *env, xv v)
{
    return expr_throw(env, "InvalidOperationException", "cannot sum or average values of type %s",
                      xv_type_name(v));
}

int linq_sum(xv_call *c, xv *out)
{
    xv_list *l;
    if (projected(c, &l) < 0)
        return -1;
    bool dbl = false, lng = false;
    int64_t si = 0;
    double sd = 0;
    for (size_t i = 0; i < l->n; i++) {
        xv v = l->items[i];
        if (v.kind == XV_NULL)
            continue;
        if (v.kind == XV_DOUBLE) {
            dbl = true;
            sd += v.u.d;
        } else if (v.kind == XV_INT) {
            lng |= v.sub == XV_SUB_INT64;
            sd += (double)v.u.i;
            if (__builtin_add_overflow(si, v.u.i, &si))
                return expr_throw(c->env, "OverflowException",
                                  "Arithmetic operation resulted in an overflow.");
        } else {
            return not_numeric(c->env, v);
        }
    }
    if (dbl) {
        *out = xv_double(sd);
    } else if (lng) {
        *out = xv_long(si);
    } else {
        if (si < INT32_MIN || si > INT32_MAX)
            return expr_throw(c->env, "OverflowException",
                              "Arithmetic operation resulted in an overflow.");
        *out = xv_int(si);
    }
    return 0;
}

int linq_average(xv_call *c, xv *out)
{
    xv_list *l;
    if (projected(c, &l) < 0)
        return -1;
    double s = 0;
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        xv v = l->items[i];
        if (v.kind == XV_NULL)
            continue;
        if (v.kind != XV_DOUBLE && v.kind != XV_INT)
            return not_numeric(c->env, v);
        s += v.kind == XV_DOUBLE ? v.u.d : (double)v.u.i;
        n++;
    }
    if (n == 0)
        return expr_throw(c->env, "InvalidOperationException", "Sequence contains no elements");
    *out = xv_double(s / (double)n);
    return 0;
}

static int extreme(xv_call *c, int sign, xv *out)
{
    xv_list *l;
    if (projected(c, &l) < 0)
        return -1;
    bool have = false;
    xv best = xv_null();
    for (size_t i = 0; i < l->n; i++) {
        xv v = l->items[i];
        if (v.kind == XV_NULL)
            continue;
        if (!have) {
            best = v;
            have = true;
            continue;
        }
        int r = xv_compare(v, best);
        if (r == -2)
            return expr_throw(c->env, "ArgumentException",
                              "At least one object must implement IComparable.");
        if (r * sign > 0)
            best = v;
    }
    if (!have && l->n == 0)
        return expr_throw(c->env, "InvalidOperationException", "Sequence contains no elements");
    *out = best;
    return 0;
}

int linq_max(xv_call *c, xv *out)
{
    return extreme(c, 1, out);
}

int linq_min(xv_call *c, xv *out)
{
    return extreme(c, -1, out);
}

int linq_aggregate(xv_call *c, xv *out)
{
    xv_list *l;
    if (linq_seq(c, c->self, &l) < 0 || linq_charge(c->env, l->n) < 0)
        return -1;
    size_t i = 0;
    xv acc, fn = c->nargs == 1 ? c->args[0] : c->args[1];
    if (c->nargs == 1) {
        if (l->n == 0)
            return expr_throw(c->env, "InvalidOperationException", "Sequence contains no elements");
        acc = l->items[i++];
    } else {
        acc = c->args[0];
    }
    for (; i < l->n; i++) {
        xv args[2] = { acc, l->items[i] };
        if (coll_call(c->env, fn, args, 2, &acc) < 0)
            return -1;
    }
    if (c->nargs == 3)
        return coll_call(c->env, c->args[2], &acc, 1, out);
    *out = acc;
    return 0;
}

/* ---- GroupBy ---- */

typedef struct grouping {
    xv key;
    xv_list *items;
} grouping;

static const grouping *grouping_of(expr_env *env, xv self)
{
    if (self.kind == XV_OBJ && self.u.obj.cls == &expr_class_grouping)
        return self.u.obj.ptr;
    expr_throw(env, "NullReferenceException",
               "Object reference not set to an instance of an object.");
    return NULL;
}

static int grp_key(expr_env *env, xv self, xv *out)
{
    const grouping *g = grouping_of(env, self);
    if (!g)
        return -1;
    *out = g->key;
    return 0;
}

static int grp_enumerate(expr_env *env, xv self, xv *out)
{
    const grouping *g = grouping_of(env, self);
    if (!g)
        return -1;
    xv_list *l = xv_list_new(env, XV_LIST_SEQ, g->items->elem);
    for (size_t i = 0; l && i < g->items->n; i++) {
        if (xv_list_push(env, l, g->items->items[i]) < 0)
            return -1;
    }
    return l ? coll_list_out(l, out) : -1;
}

static const xv_member grp_members[] = {
    { "Key", grp_key, NULL, 0, NULL },
};

static const char *const grp_aliases[] = { "System.Linq.IGrouping", NULL };
const xv_class expr_class_grouping = {
    .name = "IGrouping",
    .aliases = grp_aliases,
    .flags = XV_CLASS_ENUMERABLE,
    .members = grp_members,
    .nmembers = sizeof grp_members / sizeof grp_members[0],
    .enumerate = grp_enumerate,
};

int linq_group_by(xv_call *c, xv *out)
{
    xv_list *l, *r;
    if (linq_seq(c, c->self, &l) < 0 || new_seq(c, &expr_class_grouping, &r) < 0)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        xv k, v = l->items[i];
        if (coll_call(c->env, c->args[0], &v, 1, &k) < 0)
            return -1;
        if (c->nargs > 1 && coll_call(c->env, c->args[1], &l->items[i], 1, &v) < 0)
            return -1;
        if (linq_charge(c->env, r->n + 1) < 0)
            return -1;
        grouping *g = NULL;
        for (size_t k2 = 0; k2 < r->n && !g; k2++) {
            grouping *h = r->items[k2].u.obj.ptr;
            if (xv_equals(h->key, k))
                g = h;
        }
        if (!g) {
            g = arena_alloc(c->env->a, sizeof *g);
            if (!g)
                return coll_oom(c->env);
            g->key = k;
            if (!(g->items = xv_list_new(c->env, XV_LIST_SEQ, NULL)) ||
                xv_list_push(c->env, r, xv_obj(&expr_class_grouping, g)) < 0)
                return -1;
        }
        if (xv_list_push(c->env, g->items, v) < 0)
            return -1;
    }
    return coll_list_out(r, out);
}

int linq_to_dictionary(xv_call *c, xv *out)
{
    xv_list *l;
    if (linq_seq(c, c->self, &l) < 0 || linq_charge(c->env, l->n) < 0)
        return -1;
    xv_dict *d = xv_dict_new(c->env, false);
    if (!d)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        xv k, v = l->items[i];
        str ks;
        if (coll_call(c->env, c->args[0], &l->items[i], 1, &k) < 0)
            return -1;
        if (c->nargs > 1 && coll_call(c->env, c->args[1], &l->items[i], 1, &v) < 0)
            return -1;
        if (k.kind == XV_NULL)
            return expr_throw(c->env, "ArgumentNullException",
                              "Value cannot be null. (Parameter 'key')");
        if (xv_to_string(c->env, k, &ks) < 0)
            return -1;
        if (xv_dict_get(d, ks))
            return expr_throw(c->env, "ArgumentException",
                              "An item with the same key has already been added. Key: %.*s",
                              STR_FMT(ks));
        if (xv_dict_set(c->env, d, ks, v) < 0)
            return -1;
    }
    *out = (xv){ .kind = XV_DICT };
    out->u.dict = d;
    return 0;
}

/* Cast<T> (mode 0) and OfType<T> (filter with `is`). */
static int typed(xv_call *c, bool filter, xv *out)
{
    xv_list *l, *r;
    const xv_type *t = c->ntargs > 0 ? c->targs[0] : NULL;
    if (linq_seq(c, c->self, &l) < 0 || new_seq(c, t ? t->cls : NULL, &r) < 0)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        xv v = l->items[i];
        if (t && filter) {
            xv is;
            if (xv_convert(c->env, v, t, 2, &is) < 0)
                return -1;
            if (is.kind != XV_BOOL || !is.u.b)
                continue;
        } else if (t && xv_convert(c->env, v, t, 0, &v) < 0) {
            return -1;
        }
        if (xv_list_push(c->env, r, v) < 0)
            return -1;
    }
    return coll_list_out(r, out);
}

int linq_cast(xv_call *c, xv *out)
{
    return typed(c, false, out);
}

int linq_of_type(xv_call *c, xv *out)
{
    return typed(c, true, out);
}

/* ---- statics ---- */

int linq_s_empty(xv_call *c, xv *out)
{
    xv_list *r;
    if (new_seq(c, c->ntargs > 0 && c->targs[0] ? c->targs[0]->cls : NULL, &r) < 0)
        return -1;
    return coll_list_out(r, out);
}

static int count_arg(xv_call *c, size_t i, int64_t *n)
{
    *n = 0;
    if (c->args[i].kind != XV_INT)
        return expr_throw(c->env, "ArgumentException", "argument %zu: expected int, got %s", i + 1,
                          xv_type_name(c->args[i]));
    *n = c->args[i].u.i;
    if (*n < 0)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Specified argument was out of the range of valid values. "
                          "(Parameter 'count')");
    return linq_charge(c->env, (size_t)*n);
}

int linq_s_range(xv_call *c, xv *out)
{
    int64_t start, n;
    xv_list *r;
    if (c->args[0].kind != XV_INT)
        return expr_throw(c->env, "ArgumentException", "argument 1: expected int, got %s",
                          xv_type_name(c->args[0]));
    start = c->args[0].u.i;
    if (count_arg(c, 1, &n) < 0 || new_seq(c, &expr_class_int, &r) < 0)
        return -1;
    if (start + n - 1 > INT32_MAX)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Specified argument was out of the range of valid values. "
                          "(Parameter 'count')");
    for (int64_t i = 0; i < n; i++) {
        if (xv_list_push(c->env, r, xv_int(start + i)) < 0)
            return -1;
    }
    return coll_list_out(r, out);
}

int linq_s_repeat(xv_call *c, xv *out)
{
    int64_t n;
    xv_list *r;
    if (count_arg(c, 1, &n) < 0 || new_seq(c, NULL, &r) < 0)
        return -1;
    for (int64_t i = 0; i < n; i++) {
        if (xv_list_push(c->env, r, c->args[0]) < 0)
            return -1;
    }
    return coll_list_out(r, out);
}
