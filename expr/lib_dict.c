/* Dictionary<string,V> over xv_dict (also IDictionary / IReadOnlyDictionary: the context's
 * Variables, Headers, Query, MatchedParameters and Jwt.Claims), KeyValuePair<K,V>, and APIM's
 * GetValueOrDefault extension. Keys are strings; other key types are keyed by their
 * ToString(). */
#include <string.h>

#include "lib_coll.h"

/* ---- KeyValuePair ---- */

int expr_kvp_new(expr_env *env, xv key, xv value, xv *out)
{
    expr_kvp *p = arena_alloc(env->a, sizeof *p);
    if (!p)
        return coll_oom(env);
    p->key = key;
    p->value = value;
    *out = xv_obj(&expr_class_kvp, p);
    return 0;
}

static const expr_kvp *kvp_of(expr_env *env, xv self)
{
    if (self.kind == XV_OBJ && self.u.obj.cls == &expr_class_kvp)
        return self.u.obj.ptr;
    expr_throw(env, "NullReferenceException",
               "Object reference not set to an instance of an object.");
    return NULL;
}

static int kvp_key(expr_env *env, xv self, xv *out)
{
    const expr_kvp *p = kvp_of(env, self);
    if (!p)
        return -1;
    *out = p->key;
    return 0;
}

static int kvp_value(expr_env *env, xv self, xv *out)
{
    const expr_kvp *p = kvp_of(env, self);
    if (!p)
        return -1;
    *out = p->value;
    return 0;
}

static int kvp_ctor(xv_call *c, xv *out)
{
    return expr_kvp_new(c->env, c->args[0], c->args[1], out);
}

static int kvp_to_string(xv_call *c, xv *out)
{
    const expr_kvp *p = kvp_of(c->env, c->self);
    str k = STR_LIT(""), v = STR_LIT("");
    if (!p || (p->key.kind != XV_NULL && xv_to_string(c->env, p->key, &k) < 0) ||
        (p->value.kind != XV_NULL && xv_to_string(c->env, p->value, &v) < 0))
        return -1;
    return xv_str_printf(c->env, out, "[%.*s, %.*s]", STR_FMT(k), STR_FMT(v));
}

static const xv_member kvp_members[] = {
    { "Key", kvp_key, NULL, 0, NULL },
    { "Value", kvp_value, NULL, 0, NULL },
};

static const xv_method kvp_methods[] = {
    { "ToString", 0, 0, kvp_to_string, &expr_class_string, 0, NULL },
};

static const char *const kvp_aliases[] = { "System.Collections.Generic.KeyValuePair", NULL };
const xv_class expr_class_kvp = {
    .name = "KeyValuePair",
    .aliases = kvp_aliases,
    .members = kvp_members,
    .nmembers = sizeof kvp_members / sizeof kvp_members[0],
    .methods = kvp_methods,
    .nmethods = sizeof kvp_methods / sizeof kvp_methods[0],
    .ctor = kvp_ctor,
    .ctor_min = 2,
    .ctor_max = 2,
};

/* ---- Dictionary ---- */

int expr_dict_enumerate(expr_env *env, const xv_dict *d, xv_list **out)
{
    xv_list *l = xv_list_new(env, XV_LIST_SEQ, &expr_class_kvp);
    if (!l)
        return -1;
    for (size_t i = 0; i < d->n; i++) {
        xv kv;
        if (expr_kvp_new(env, xv_str(d->keys[i]), d->vals[i], &kv) < 0 ||
            xv_list_push(env, l, kv) < 0)
            return -1;
    }
    *out = l;
    return 0;
}

static xv_dict *self_dict(xv_call *c)
{
    if (c->self.kind == XV_DICT)
        return c->self.u.dict;
    expr_throw(c->env, "NullReferenceException",
               "Object reference not set to an instance of an object.");
    return NULL;
}

static xv_dict *writable(xv_call *c)
{
    xv_dict *d = self_dict(c);
    if (d && d->readonly) {
        expr_throw(c->env, "NotSupportedException", "Collection is read-only.");
        return NULL;
    }
    return d;
}

static int dict_key(xv_call *c, size_t i, str *k)
{
    xv a = c->args[i];
    if (a.kind == XV_STR) {
        *k = a.u.s;
        return 0;
    }
    if (a.kind == XV_NULL)
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'key')");
    return xv_to_string(c->env, a, k);
}

static int dict_index_get(xv_call *c, xv *out)
{
    xv_dict *d = self_dict(c);
    str k;
    if (!d || dict_key(c, 0, &k) < 0)
        return -1;
    xv *v = xv_dict_get(d, k);
    if (!v)
        return expr_throw(c->env, "KeyNotFoundException",
                          "The given key '%.*s' was not present in the dictionary.", STR_FMT(k));
    *out = *v;
    return 0;
}

static int dict_index_set(xv_call *c, xv *out)
{
    xv_dict *d = writable(c);
    str k;
    if (!d || dict_key(c, 0, &k) < 0)
        return -1;
    *out = xv_null();
    return xv_dict_set(c->env, d, k, c->args[1]);
}

static int dict_add(xv_call *c, xv *out)
{
    xv_dict *d = writable(c);
    str k;
    if (!d || dict_key(c, 0, &k) < 0)
        return -1;
    if (xv_dict_get(d, k))
        return expr_throw(c->env, "ArgumentException",
                          "An item with the same key has already been added. Key: %.*s",
                          STR_FMT(k));
    *out = xv_null();
    return xv_dict_set(c->env, d, k, c->args[1]);
}

static int dict_try_add(xv_call *c, xv *out)
{
    xv_dict *d = writable(c);
    str k;
    if (!d || dict_key(c, 0, &k) < 0)
        return -1;
    bool fresh = xv_dict_get(d, k) == NULL;
    *out = xv_bool(fresh);
    return fresh ? xv_dict_set(c->env, d, k, c->args[1]) : 0;
}

static int dict_remove(xv_call *c, xv *out)
{
    xv_dict *d = writable(c);
    str k;
    if (!d || dict_key(c, 0, &k) < 0)
        return -1;
    xv *v = xv_dict_get(d, k);
    if (c->nargs > 1 && c->refs && c->refs[1])
        *c->refs[1] = v ? *v : xv_null();
    *out = xv_bool(v && xv_dict_remove(d, k));
    return 0;
}

static int dict_clear(xv_call *c, xv *out)
{
    xv_dict *d = writable(c);
    if (!d)
        return -1;
    d->n = 0;
    *out = xv_null();
    return 0;
}

static int dict_contains_key(xv_call *c, xv *out)
{
    xv_dict *d = self_dict(c);
    str k;
    if (!d || dict_key(c, 0, &k) < 0)
        return -1;
    *out = xv_bool(xv_dict_get(d, k) != NULL);
    return 0;
}

static int dict_contains_value(xv_call *c, xv *out)
{
    xv_dict *d = self_dict(c);
    if (!d)
        return -1;
    bool hit = false;
    for (size_t i = 0; i < d->n && !hit; i++)
        hit = xv_equals(d->vals[i], c->args[0]);
    *out = xv_bool(hit);
    return 0;
}

static int dict_try_get_value(xv_call *c, xv *out)
{
    xv_dict *d = self_dict(c);
    str k;
    if (!d || dict_key(c, 0, &k) < 0)
        return -1;
    xv *v = xv_dict_get(d, k);
    if (c->refs && c->refs[1])
        *c->refs[1] = v ? *v : xv_null();
    *out = xv_bool(v != NULL);
    return 0;
}

static int dict_count(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_int(self.kind == XV_DICT ? (int64_t)self.u.dict->n : 0);
    return 0;
}

static int dict_keys(expr_env *env, xv self, xv *out)
{
    xv_list *l = xv_list_new(env, XV_LIST_LIST, &expr_class_string);
    for (size_t i = 0; l && self.kind == XV_DICT && i < self.u.dict->n; i++) {
        if (xv_list_push(env, l, xv_str(self.u.dict->keys[i])) < 0)
            return -1;
    }
    return l ? coll_list_out(l, out) : -1;
}

static int dict_values(expr_env *env, xv self, xv *out)
{
    xv_list *l = xv_list_new(env, XV_LIST_LIST, NULL);
    for (size_t i = 0; l && self.kind == XV_DICT && i < self.u.dict->n; i++) {
        if (xv_list_push(env, l, self.u.dict->vals[i]) < 0)
            return -1;
    }
    return l ? coll_list_out(l, out) : -1;
}

static int dict_enumerate_cb(expr_env *env, xv self, xv *out)
{
    xv_list *l;
    if (self.kind != XV_DICT)
        return expr_throw(env, "NullReferenceException",
                          "Object reference not set to an instance of an object.");
    if (expr_dict_enumerate(env, self.u.dict, &l) < 0)
        return -1;
    return coll_list_out(l, out);
}

/* new Dictionary<K,V>() / (comparer) / (capacity) / (IDictionary[, comparer]) */
static int dict_ctor(xv_call *c, xv *out)
{
    bool ci = false;
    const xv_dict *src = NULL;
    for (size_t i = 0; i < c->nargs; i++) {
        int mode = expr_string_comparer_mode(c->args[i]);
        if (mode >= 0)
            ci = (mode & 1) != 0;
        else if (c->args[i].kind == XV_DICT)
            src = c->args[i].u.dict;
        else if (c->args[i].kind == XV_INT && c->args[i].u.i < 0)
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Non-negative number required. (Parameter 'capacity')");
    }
    xv_dict *d = xv_dict_new(c->env, ci);
    if (!d)
        return -1;
    for (size_t i = 0; src && i < src->n; i++) {
        if (xv_dict_get(d, src->keys[i]))
            return expr_throw(c->env, "ArgumentException",
                              "An item with the same key has already been added. Key: %.*s",
                              STR_FMT(src->keys[i]));
        if (xv_dict_set(c->env, d, src->keys[i], src->vals[i]) < 0)
            return -1;
    }
    *out = (xv){ .kind = XV_DICT };
    out->u.dict = d;
    return 0;
}

int coll_default_of(expr_env *env, const xv_class *cls, xv *out)
{
    (void)env;
    if (cls == &expr_class_int || cls == &expr_class_byte)
        *out = xv_int(0);
    else if (cls == &expr_class_long)
        *out = xv_long(0);
    else if (cls == &expr_class_double || cls == &expr_class_float || cls == &expr_class_decimal)
        *out = xv_double(0);
    else if (cls == &expr_class_bool)
        *out = xv_bool(false);
    else if (cls == &expr_class_char)
        *out = xv_char(0);
    else
        *out = xv_null();
    return 0;
}

static bool is_string_list(xv v)
{
    if (v.kind != XV_LIST)
        return false;
    for (size_t i = 0; i < v.u.list->n; i++) {
        if (v.u.list->items[i].kind != XV_STR)
            return false;
    }
    return true;
}

static int join_values(expr_env *env, const xv_list *l, xv *out)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->items[i].u.s.len + 1;
    char *p = arena_alloc(env->a, n + 1), *w = p;
    if (!p)
        return coll_oom(env);
    for (size_t i = 0; i < l->n; i++) {
        if (i > 0)
            *w++ = ',';
        if (l->items[i].u.s.len)
            memcpy(w, l->items[i].u.s.ptr, l->items[i].u.s.len);
        w += l->items[i].u.s.len;
    }
    *out = xv_str(str_make(p, (size_t)(w - p)));
    return 0;
}

static int cast_error(expr_env *env, xv v, const xv_type *t)
{
    return expr_throw(env, "InvalidCastException",
                      "Unable to cast object of type '%s' to type '%s'.", xv_type_name(v),
                      t->cls && t->cls->name ? t->cls->name : "Object");
}

/* GetValueOrDefault<T>: the stored value must already be a T (APIM throws otherwise), with
 * numeric widening (int <-> long, integers -> double) allowed. */
static int strict_as(expr_env *env, xv v, const xv_type *t, xv *out)
{
    const xv_class *cls = t->cls;
    if (!cls || cls == &expr_class_object || t->rank > 0) {
        if (t->rank > 0 && v.kind != XV_LIST)
            return cast_error(env, v, t);
        *out = v;
        return 0;
    }
    if (cls == &expr_class_string) {
        if (v.kind != XV_STR)
            return is_string_list(v) ? join_values(env, v.u.list, out) : cast_error(env, v, t);
        *out = v;
        return 0;
    }
    if (cls == &expr_class_int || cls == &expr_class_long) {
        if (v.kind != XV_INT ||
            (cls == &expr_class_int && (v.u.i < INT32_MIN || v.u.i > INT32_MAX)))
            return cast_error(env, v, t);
        *out = cls == &expr_class_int ? xv_int(v.u.i) : xv_long(v.u.i);
        return 0;
    }
    if (cls == &expr_class_double || cls == &expr_class_float || cls == &expr_class_decimal) {
        if (v.kind == XV_INT)
            *out = xv_double((double)v.u.i);
        else if (v.kind == XV_DOUBLE)
            *out = v;
        else
            return cast_error(env, v, t);
        return 0;
    }
    if (cls == &expr_class_bool) {
        if (v.kind != XV_BOOL)
            return cast_error(env, v, t);
        *out = v;
        return 0;
    }
    xv is;
    if (xv_convert(env, v, t, 2, &is) < 0)
        return -1;
    if (is.kind != XV_BOOL || !is.u.b)
        return cast_error(env, v, t);
    return xv_convert(env, v, t, 0, out);
}

static int dict_get_value_or_default(xv_call *c, xv *out)
{
    xv_dict *d = self_dict(c);
    str k;
    if (!d || dict_key(c, 0, &k) < 0)
        return -1;
    const xv_type *t = c->ntargs > 0 ? c->targs[0] : NULL;
    xv *v = xv_dict_get(d, k);
    if (!v || v->kind == XV_NULL) {
        if (c->nargs > 1)
            *out = c->args[1];
        else if (t && !t->nullable && t->rank == 0)
            return coll_default_of(c->env, t->cls, out);
        else
            *out = xv_null();
        return 0;
    }
    if (t)
        return strict_as(c->env, *v, t, out);
    if (is_string_list(*v))
        return join_values(c->env, v->u.list, out);
    *out = *v;
    return 0;
}

static int dict_init_add(xv_call *c, xv *out)
{
    return dict_add(c, out);
}

static const xv_member dict_members[] = {
    { "Count", dict_count, &expr_class_int, 0, NULL },
    { "Keys", dict_keys, &expr_class_list, 0, NULL },
    { "Values", dict_values, &expr_class_list, 0, NULL },
};

static const xv_method dict_methods[] = {
    { "Add", 2, 2, dict_add, NULL, 0, NULL },
    { "Clear", 0, 0, dict_clear, NULL, 0, NULL },
    { "ContainsKey", 1, 1, dict_contains_key, &expr_class_bool, 0, NULL },
    { "ContainsValue", 1, 1, dict_contains_value, &expr_class_bool, 0, NULL },
    { "GetValueOrDefault", 1, 2, dict_get_value_or_default, NULL, XV_M_GENERIC | XV_M_RET_TARG,
      NULL },
    { "Remove", 1, 1, dict_remove, &expr_class_bool, 0, NULL },
    { "TryAdd", 2, 2, dict_try_add, &expr_class_bool, 0, NULL },
    { "TryGetValue", 2, 2, dict_try_get_value, &expr_class_bool, XV_M_OUT_LAST, NULL },
};

static const char *const dict_aliases[] = {
    "IDictionary",
    "IReadOnlyDictionary",
    "System.Collections.Generic.Dictionary",
    "System.Collections.Generic.IDictionary",
    "System.Collections.Generic.IReadOnlyDictionary",
    NULL,
};
const xv_class expr_class_dict = {
    .name = "Dictionary",
    .aliases = dict_aliases,
    .flags = XV_CLASS_ENUMERABLE,
    .members = dict_members,
    .nmembers = sizeof dict_members / sizeof dict_members[0],
    .methods = dict_methods,
    .nmethods = sizeof dict_methods / sizeof dict_methods[0],
    .ctor = dict_ctor,
    .ctor_min = 0,
    .ctor_max = 2,
    .index_get = dict_index_get,
    .index_set = dict_index_set,
    .add = dict_init_add,
    .enumerate = dict_enumerate_cb,
};
