/* System.Linq.Enumerable as an extension class over anything xv_enumerate accepts (lists,
 * arrays, dictionaries as KeyValuePairs, JArray items, JObject properties, string chars).
 * Sequences are evaluated eagerly into XV_LIST_SEQ lists; work is charged to the step budget so
 * quadratic operators cannot hang a request. Also: the stable sorts and the library export. */
#include <pthread.h>
#include <string.h>

#include "lib_coll.h"
#include "lib_json.h"

/* Fallback until the evaluator provides the real count. */
__attribute__((weak)) size_t expr_lambda_nparams(xv fn)
{
    (void)fn;
    return 1;
}

int linq_charge(expr_env *env, size_t work)
{
    if (env->budget < work) {
        env->budget = 0;
        expr_throw(env, "InvalidOperationException", "expression step budget exhausted");
        env->err.fatal = true;
        return -1;
    }
    env->budget -= work;
    return 0;
}

/* ---- sorting (stable merge sort over an index permutation) ---- */

typedef struct sort_ctx {
    expr_env *env;
    xv *items;
    xv **keys;  /* keys[level][i], NULL = compare items */
    bool *desc; /* per level */
    size_t nlev;
    xv cmp; /* Comparison<T> lambda or null */
} sort_ctx;

static int compare_failed(expr_env *env)
{
    return expr_throw(env, "InvalidOperationException",
                      "Failed to compare two elements in the array.");
}

static int sort_cmp(sort_ctx *s, size_t a, size_t b, int *res)
{
    if (s->cmp.kind == XV_LAMBDA) {
        xv args[2] = { s->items[a], s->items[b] }, r;
        if (expr_call_lambda(s->env, s->cmp, args, 2, &r) < 0)
            return -1;
        if (r.kind != XV_INT)
            return compare_failed(s->env);
        *res = r.u.i < 0 ? -1 : r.u.i > 0;
        return 0;
    }
    for (size_t l = 0; l < s->nlev; l++) {
        xv x = s->keys ? s->keys[l][a] : s->items[a];
        xv y = s->keys ? s->keys[l][b] : s->items[b];
        int c = xv_compare(x, y);
        if (c == -2)
            return compare_failed(s->env);
        if (c != 0) {
            *res = s->desc[l] ? -c : c;
            return 0;
        }
    }
    *res = 0;
    return 0;
}

static int merge_sort(sort_ctx *s, size_t *idx, size_t *tmp, size_t n)
{
    if (n < 2)
        return 0;
    size_t h = n / 2;
    if (merge_sort(s, idx, tmp, h) < 0 || merge_sort(s, idx + h, tmp, n - h) < 0)
        return -1;
    if (linq_charge(s->env, n) < 0)
        return -1;
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        int c;
        if (sort_cmp(s, idx[j], idx[i], &c) < 0)
            return -1;
        tmp[k++] = c < 0 ? idx[j++] : idx[i++];
    }
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
    return 0;
}

/* Sorts and applies the permutation to items (and keys). */
static int run_sort(sort_ctx *s, size_t n)
{
    size_t *idx = arena_calloc(s->env->a, n ? n : 1, sizeof *idx);
    size_t *tmp = arena_calloc(s->env->a, n ? n : 1, sizeof *tmp);
    xv *copy = arena_calloc(s->env->a, n ? n : 1, sizeof *copy);
    if (!idx || !tmp || !copy)
        return coll_oom(s->env);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    if (merge_sort(s, idx, tmp, n) < 0)
        return -1;
    memcpy(copy, s->items, n * sizeof *copy);
    for (size_t i = 0; i < n; i++)
        s->items[i] = copy[idx[i]];
    return 0;
}

int coll_sort(expr_env *env, xv *items, size_t n, xv cmp, bool descending)
{
    sort_ctx s = { env, items, NULL, &descending, 1, cmp };
    return run_sort(&s, n);
}

int coll_sort_by_keys(expr_env *env, xv *items, xv *keys, size_t n, bool descending)
{
    xv *lev[1] = { keys };
    sort_ctx s = { env, items, lev, &descending, 1, xv_null() };
    return run_sort(&s, n);
}

/* ---- ordered sequences (OrderBy ... ThenBy): remembered per arena ---- */

#define ORD_MAX_LEVELS 8

typedef struct ordered {
    arena *a;
    xv_list *result;        /* the list handed out */
    xv_list *source;        /* the unsorted input */
    xv fns[ORD_MAX_LEVELS]; /* key selectors */
    bool desc[ORD_MAX_LEVELS];
    size_t nlev;
    struct ordered *next;
} ordered;

static pthread_mutex_t ord_mu = PTHREAD_MUTEX_INITIALIZER;
static ordered *ords;

static void ord_release(void *arg)
{
    pthread_mutex_lock(&ord_mu);
    for (ordered **pp = &ords; *pp; pp = &(*pp)->next) {
        if (*pp == arg) {
            *pp = ((ordered *)arg)->next;
            break;
        }
    }
    pthread_mutex_unlock(&ord_mu);
}

static ordered *ord_find(expr_env *env, const xv_list *l)
{
    pthread_mutex_lock(&ord_mu);
    ordered *o = ords;
    while (o && !(o->a == env->a && o->result == l))
        o = o->next;
    pthread_mutex_unlock(&ord_mu);
    return o;
}

int linq_seq(xv_call *c, xv v, xv_list **out)
{
    if (v.kind == XV_NULL)
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'source')");
    return xv_enumerate(c->env, v, out);
}

static int order_run(xv_call *c, ordered *o, xv *out)
{
    size_t n = o->source->n;
    xv_list *r = xv_list_new(c->env, XV_LIST_SEQ, o->source->elem);
    xv *keys[ORD_MAX_LEVELS];
    if (!r || linq_charge(c->env, n * o->nlev) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (xv_list_push(c->env, r, o->source->items[i]) < 0)
            return -1;
    }
    for (size_t l = 0; l < o->nlev; l++) {
        if (!(keys[l] = arena_calloc(c->env->a, n ? n : 1, sizeof(xv))))
            return coll_oom(c->env);
        for (size_t i = 0; i < n; i++) {
            if (coll_call(c->env, o->fns[l], &r->items[i], 1, &keys[l][i]) < 0)
                return -1;
        }
    }
    /* keys travel with the items: sort an index and apply it to both */
    sort_ctx s = { c->env, r->items, keys, o->desc, o->nlev, xv_null() };
    size_t *idx = arena_calloc(c->env->a, n ? n : 1, sizeof *idx);
    size_t *tmp = arena_calloc(c->env->a, n ? n : 1, sizeof *tmp);
    xv *copy = arena_calloc(c->env->a, n ? n : 1, sizeof *copy);
    if (!idx || !tmp || !copy)
        return coll_oom(c->env);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    if (merge_sort(&s, idx, tmp, n) < 0)
        return -1;
    memcpy(copy, r->items, n * sizeof *copy);
    for (size_t i = 0; i < n; i++)
        r->items[i] = copy[idx[i]];
    o->result = r;
    o->a = c->env->a;
    if (arena_defer(c->env->a, ord_release, o) < 0)
        return coll_oom(c->env);
    pthread_mutex_lock(&ord_mu);
    o->next = ords;
    ords = o;
    pthread_mutex_unlock(&ord_mu);
    return coll_list_out(r, out);
}

static int order_by(xv_call *c, bool desc, bool then, xv *out)
{
    ordered *o = arena_alloc(c->env->a, sizeof *o);
    if (!o)
        return coll_oom(c->env);
    ordered *prev = then && c->self.kind == XV_LIST ? ord_find(c->env, c->self.u.list) : NULL;
    if (prev && prev->nlev < ORD_MAX_LEVELS) {
        *o = *prev;
    } else if (linq_seq(c, c->self, &o->source) < 0) {
        return -1;
    }
    o->fns[o->nlev] = c->args[0];
    o->desc[o->nlev] = desc;
    o->nlev++;
    return order_run(c, o, out);
}

static int m_order_by(xv_call *c, xv *out)
{
    return order_by(c, false, false, out);
}

static int m_order_by_desc(xv_call *c, xv *out)
{
    return order_by(c, true, false, out);
}

static int m_then_by(xv_call *c, xv *out)
{
    return order_by(c, false, true, out);
}

static int m_then_by_desc(xv_call *c, xv *out)
{
    return order_by(c, true, true, out);
}

/* ---- element operators ---- */

static int no_elements(expr_env *env)
{
    return expr_throw(env, "InvalidOperationException", "Sequence contains no elements");
}

static int no_match(expr_env *env)
{
    return expr_throw(env, "InvalidOperationException", "Sequence contains no matching element");
}

static int elem_default(xv_list *l, xv *out)
{
    return coll_default_of(NULL, l->elem, out);
}

/* First/Last/Single (+OrDefault): mode 0 first, 1 last, 2 single. */
static int pick(xv_call *c, int mode, bool or_default, xv *out)
{
    xv_list *l;
    if (linq_seq(c, c->self, &l) < 0 || linq_charge(c->env, l->n) < 0)
        return -1;
    bool has_pred = c->nargs > 0 && c->args[0].kind == XV_LAMBDA;
    size_t hits = 0;
    xv found = xv_null();
    for (size_t k = 0; k < l->n; k++) {
        size_t i = mode == 1 ? l->n - 1 - k : k;
        bool hit = true;
        if (has_pred && coll_pred(c->env, c->args[0], l->items[i], &hit) < 0)
            return -1;
        if (!hit)
            continue;
        if (hits++ == 0)
            found = l->items[i];
        if (mode != 2)
            break;
        if (hits > 1)
            return expr_throw(c->env, "InvalidOperationException",
                              has_pred ? "Sequence contains more than one matching element"
                                       : "Sequence contains more than one element");
    }
    if (hits > 0) {
        *out = found;
        return 0;
    }
    if (!or_default)
        return has_pred ? no_match(c->env) : no_elements(c->env);
    size_t di = has_pred ? 1 : 0; /* FirstOrDefault(defaultValue) (.NET 6) */
    if (c->nargs > di) {
        *out = c->args[di];
        return 0;
    }
    return elem_default(l, out);
}

static int m_first(xv_call *c, xv *out)
{
    return pick(c, 0, false, out);
}

static int m_first_or_default(xv_call *c, xv *out)
{
    return pick(c, 0, true, out);
}

static int m_last(xv_call *c, xv *out)
{
    return pick(c, 1, false, out);
}

static int m_last_or_default(xv_call *c, xv *out)
{
    return pick(c, 1, true, out);
}

static int m_single(xv_call *c, xv *out)
{
    return pick(c, 2, false, out);
}

static int m_single_or_default(xv_call *c, xv *out)
{
    return pick(c, 2, true, out);
}

static int element_at(xv_call *c, bool or_default, xv *out)
{
    xv_list *l;
    if (linq_seq(c, c->self, &l) < 0)
        return -1;
    if (c->args[0].kind != XV_INT)
        return expr_throw(c->env, "ArgumentException",
                          "ElementAt: argument 1: expected int, got %s", xv_type_name(c->args[0]));
    int64_t i = c->args[0].u.i;
    if (i >= 0 && (uint64_t)i < l->n) {
        *out = l->items[i];
        return 0;
    }
    if (or_default)
        return elem_default(l, out);
    return expr_throw(c->env, "ArgumentOutOfRangeException",
                      "Index was out of range. Must be non-negative and less than the size of "
                      "the collection. (Parameter 'index')");
}

static int m_element_at(xv_call *c, xv *out)
{
    return element_at(c, false, out);
}

static int m_element_at_or_default(xv_call *c, xv *out)
{
    return element_at(c, true, out);
}

/* ---- quantifiers and counts ---- */

static int count_where(xv_call *c, size_t *hits, size_t *total, bool stop_on_hit, bool stop_on_miss)
{
    xv_list *l;
    if (linq_seq(c, c->self, &l) < 0 || linq_charge(c->env, l->n) < 0)
        return -1;
    *hits = 0;
    *total = l->n;
    for (size_t i = 0; i < l->n; i++) {
        bool hit = true;
        if (c->nargs > 0 && coll_pred(c->env, c->args[0], l->items[i], &hit) < 0)
            return -1;
        *hits += hit;
        if ((hit && stop_on_hit) || (!hit && stop_on_miss))
            break;
    }
    return 0;
}

static int m_any(xv_call *c, xv *out)
{
    size_t hits, total;
    if (count_where(c, &hits, &total, true, false) < 0)
        return -1;
    *out = xv_bool(hits > 0);
    return 0;
}

static int m_all(xv_call *c, xv *out)
{
    size_t hits, total;
    if (count_where(c, &hits, &total, false, true) < 0)
        return -1;
    *out = xv_bool(hits == total);
    return 0;
}

static int m_count(xv_call *c, xv *out)
{
    size_t hits, total;
    if (count_where(c, &hits, &total, false, false) < 0)
        return -1;
    *out = xv_int((int64_t)hits);
    return 0;
}

static int m_long_count(xv_call *c, xv *out)
{
    if (m_count(c, out) < 0)
        return -1;
    *out = xv_long(out->u.i);
    return 0;
}

static int m_contains(xv_call *c, xv *out)
{
    xv_list *l;
    if (linq_seq(c, c->self, &l) < 0 || linq_charge(c->env, l->n) < 0)
        return -1;
    int mode = c->nargs > 1 ? expr_string_comparer_mode(c->args[1]) : -1;
    bool hit = false;
    for (size_t i = 0; i < l->n && !hit; i++) {
        xv a = l->items[i], b = c->args[0];
        if (mode >= 0 && a.kind == XV_STR && b.kind == XV_STR)
            hit = expr_string_equals(a.u.s, b.u.s, mode);
        else
            hit = xv_equals(a, b);
    }
    *out = xv_bool(hit);
    return 0;
}

/* ---- projections and filters ---- */

static int map_seq(xv_call *c, int kind, xv *out)
{
    xv_list *l;
    if (linq_seq(c, c->self, &l) < 0 || linq_charge(c->env, l->n) < 0)
        return -1;
    xv_list *r = xv_list_new(c->env, XV_LIST_SEQ, kind == 0 ? l->elem : NULL);
    if (!r)
        return -1;
    bool with_index = expr_lambda_nparams(c->args[0]) >= 2;
    for (size_t i = 0; i < l->n; i++) {
        xv args[2] = { l->items[i], xv_int((int64_t)i) }, v;
        if (coll_call(c->env, c->args[0], args, with_index ? 2 : 1, &v) < 0)
            return -1;
        if (kind == 0) { /* Where */
            if (v.kind != XV_BOOL)
                return expr_throw(c->env, "InvalidCastException", "predicate returned %s, not bool",
                                  xv_type_name(v));
            if (v.u.b && xv_list_push(c->env, r, l->items[i]) < 0)
                return -1;
        } else if (kind == 1) { /* Select */
            if (xv_list_push(c->env, r, v) < 0)
                return -1;
        } else { /* SelectMany */
            xv_list *inner;
            if (linq_seq(c, v, &inner) < 0 || linq_charge(c->env, inner->n) < 0)
                return -1;
            for (size_t k = 0; k < inner->n; k++) {
                if (xv_list_push(c->env, r, inner->items[k]) < 0)
                    return -1;
            }
        }
    }
    return coll_list_out(r, out);
}

static int m_where(xv_call *c, xv *out)
{
    return map_seq(c, 0, out);
}

static int m_select(xv_call *c, xv *out)
{
    return map_seq(c, 1, out);
}

static int m_select_many(xv_call *c, xv *out)
{
    return map_seq(c, 2, out);
}

/* Skip/Take (count) and SkipWhile/TakeWhile (predicate). */
static int slice(xv_call *c, bool take, bool by_pred, xv *out)
{
    xv_list *l;
    if (linq_seq(c, c->self, &l) < 0 || linq_charge(c->env, l->n) < 0)
        return -1;
    size_t cut = 0;
    if (by_pred) {
        bool with_index = expr_lambda_nparams(c->args[0]) >= 2;
        while (cut < l->n) {
            xv args[2] = { l->items[cut], xv_int((int64_t)cut) }, v;
            if (coll_call(c->env, c->args[0], args, with_index ? 2 : 1, &v) < 0)
                return -1;
            if (v.kind != XV_BOOL || !v.u.b)
                break;
            cut++;
        }
    } else {
        if (c->args[0].kind != XV_INT)
            return expr_throw(c->env, "ArgumentException", "argument 1: expected int, got %s",
                              xv_type_name(c->args[0]));
        int64_t k = c->args[0].u.i;
        cut = k <= 0 ? 0 : (uint64_t)k > l->n ? l->n : (size_t)k;
    }
    xv_list *r = xv_list_new(c->env, XV_LIST_SEQ, l->elem);
    size_t lo = take ? 0 : cut, hi = take ? cut : l->n;
    for (size_t i = lo; r && i < hi; i++) {
        if (xv_list_push(c->env, r, l->items[i]) < 0)
            return -1;
    }
    return r ? coll_list_out(r, out) : -1;
}

static int m_skip(xv_call *c, xv *out)
{
    return slice(c, false, false, out);
}

static int m_take(xv_call *c, xv *out)
{
    return slice(c, true, false, out);
}

static int m_skip_while(xv_call *c, xv *out)
{
    return slice(c, false, true, out);
}

static int m_take_while(xv_call *c, xv *out)
{
    return slice(c, true, true, out);
}

static int copy_seq(xv_call *c, uint8_t flavor, bool reverse, xv *out)
{
    xv_list *l;
    if (linq_seq(c, c->self, &l) < 0 || linq_charge(c->env, l->n) < 0)
        return -1;
    xv_list *r = xv_list_new(c->env, flavor, l->elem);
    for (size_t i = 0; r && i < l->n; i++) {
        bool dup = false;
        xv v = l->items[reverse ? l->n - 1 - i : i];
        for (size_t k = 0; flavor == XV_LIST_SET && k < r->n && !dup; k++)
            dup = xv_equals(r->items[k], v);
        if (flavor == XV_LIST_SET && linq_charge(c->env, r->n) < 0)
            return -1;
        if (!dup && xv_list_push(c->env, r, v) < 0)
            return -1;
    }
    return r ? coll_list_out(r, out) : -1;
}

static int m_to_array(xv_call *c, xv *out)
{
    return copy_seq(c, XV_LIST_ARRAY, false, out);
}

static int m_to_list(xv_call *c, xv *out)
{
    return copy_seq(c, XV_LIST_LIST, false, out);
}

static int m_to_hash_set(xv_call *c, xv *out)
{
    return copy_seq(c, XV_LIST_SET, false, out);
}

static int m_reverse(xv_call *c, xv *out)
{
    return copy_seq(c, XV_LIST_SEQ, true, out);
}

static int m_distinct(xv_call *c, xv *out)
{
    if (copy_seq(c, XV_LIST_SET, false, out) < 0)
        return -1;
    out->u.list->flavor = XV_LIST_SEQ;
    return 0;
}

/* ---- the Enumerable class ---- */

static const xv_method enum_methods[] = {
    { "Aggregate", 1, 3, linq_aggregate, NULL, XV_M_LAMBDA, NULL },
    { "All", 1, 1, m_all, &expr_class_bool, XV_M_LAMBDA, NULL },
    { "Any", 0, 1, m_any, &expr_class_bool, XV_M_LAMBDA, NULL },
    { "Append", 1, 1, linq_append, NULL, 0, NULL },
    { "Average", 0, 1, linq_average, &expr_class_double, XV_M_LAMBDA, NULL },
    { "Cast", 0, 0, linq_cast, NULL, XV_M_GENERIC, NULL },
    { "Concat", 1, 1, linq_concat, NULL, 0, NULL },
    { "Contains", 1, 2, m_contains, &expr_class_bool, 0, NULL },
    { "Count", 0, 1, m_count, &expr_class_int, XV_M_LAMBDA, NULL },
    { "DefaultIfEmpty", 0, 1, linq_default_if_empty, NULL, 0, NULL },
    { "Distinct", 0, 0, m_distinct, NULL, 0, NULL },
    { "ElementAt", 1, 1, m_element_at, NULL, 0, NULL },
    { "ElementAtOrDefault", 1, 1, m_element_at_or_default, NULL, 0, NULL },
    { "Except", 1, 1, linq_except, NULL, 0, NULL },
    { "First", 0, 1, m_first, NULL, XV_M_LAMBDA, NULL },
    { "FirstOrDefault", 0, 2, m_first_or_default, NULL, XV_M_LAMBDA, NULL },
    { "GroupBy", 1, 2, linq_group_by, NULL, XV_M_LAMBDA, NULL },
    { "Intersect", 1, 1, linq_intersect, NULL, 0, NULL },
    { "Last", 0, 1, m_last, NULL, XV_M_LAMBDA, NULL },
    { "LastOrDefault", 0, 2, m_last_or_default, NULL, XV_M_LAMBDA, NULL },
    { "LongCount", 0, 1, m_long_count, &expr_class_long, XV_M_LAMBDA, NULL },
    { "Max", 0, 1, linq_max, NULL, XV_M_LAMBDA, NULL },
    { "Min", 0, 1, linq_min, NULL, XV_M_LAMBDA, NULL },
    { "OfType", 0, 0, linq_of_type, NULL, XV_M_GENERIC, NULL },
    { "OrderBy", 1, 1, m_order_by, NULL, XV_M_LAMBDA, NULL },
    { "OrderByDescending", 1, 1, m_order_by_desc, NULL, XV_M_LAMBDA, NULL },
    { "Prepend", 1, 1, linq_prepend, NULL, 0, NULL },
    { "Reverse", 0, 0, m_reverse, NULL, 0, NULL },
    { "Select", 1, 1, m_select, NULL, XV_M_LAMBDA, NULL },
    { "SelectMany", 1, 1, m_select_many, NULL, XV_M_LAMBDA, NULL },
    { "SequenceEqual", 1, 1, linq_sequence_equal, &expr_class_bool, 0, NULL },
    { "Single", 0, 1, m_single, NULL, XV_M_LAMBDA, NULL },
    { "SingleOrDefault", 0, 2, m_single_or_default, NULL, XV_M_LAMBDA, NULL },
    { "Skip", 1, 1, m_skip, NULL, 0, NULL },
    { "SkipWhile", 1, 1, m_skip_while, NULL, XV_M_LAMBDA, NULL },
    { "Sum", 0, 1, linq_sum, NULL, XV_M_LAMBDA, NULL },
    { "Take", 1, 1, m_take, NULL, 0, NULL },
    { "TakeWhile", 1, 1, m_take_while, NULL, XV_M_LAMBDA, NULL },
    { "ThenBy", 1, 1, m_then_by, NULL, XV_M_LAMBDA, NULL },
    { "ThenByDescending", 1, 1, m_then_by_desc, NULL, XV_M_LAMBDA, NULL },
    { "ToArray", 0, 0, m_to_array, NULL, 0, NULL },
    { "ToDictionary", 1, 2, linq_to_dictionary, &expr_class_dict, XV_M_LAMBDA, NULL },
    { "ToHashSet", 0, 0, m_to_hash_set, &expr_class_hashset, 0, NULL },
    { "ToList", 0, 0, m_to_list, &expr_class_list, 0, NULL },
    { "Union", 1, 1, linq_union, NULL, 0, NULL },
    { "Where", 1, 1, m_where, NULL, XV_M_LAMBDA, NULL },
    { "Zip", 2, 2, linq_zip, NULL, XV_M_LAMBDA, NULL },
};

static const xv_method enum_smethods[] = {
    { "Empty", 0, 0, linq_s_empty, NULL, XV_M_GENERIC, NULL },
    { "Range", 2, 2, linq_s_range, NULL, 0, NULL },
    { "Repeat", 2, 2, linq_s_repeat, NULL, 0, NULL },
};

static const char *const enum_aliases[] = { "System.Linq.Enumerable", NULL };
const xv_class expr_class_enumerable = {
    .name = "Enumerable",
    .aliases = enum_aliases,
    .flags = XV_CLASS_EXTENSION,
    .methods = enum_methods,
    .nmethods = sizeof enum_methods / sizeof enum_methods[0],
    .smethods = enum_smethods,
    .nsmethods = sizeof enum_smethods / sizeof enum_smethods[0],
};

static const xv_class *const classes[] = {
    &expr_class_enumerable, &expr_class_list,
    &expr_class_hashset,    &expr_class_queue,
    &expr_class_stack,      &expr_class_array,
    &expr_class_dict,       &expr_class_kvp,
    &expr_class_grouping,   NULL,
};
const xv_lib expr_lib_linq = { "linq", classes };
