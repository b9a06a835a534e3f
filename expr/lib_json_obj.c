/* Newtonsoft.Json.Linq containers and values: JContainer, JObject, JArray, JValue, JProperty
 * and the JToken indexers. Tokens are shared json_t references, so `var b = a; b["x"] = 1;`
 * changes a too; a container already inside another container is copied when added again,
 * like Newtonsoft does. */
#include <string.h>
#include <strings.h>

#include "lib_json.h"

static int oom(expr_env *env)
{
    expr_throw(env, "OutOfMemoryException", "the request arena is full");
    env->err.fatal = true;
    return -1;
}

static int list_out(xv_list *l, xv *out)
{
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static const char *kind_name(json_t *j)
{
    return json_is_object(j)  ? "Newtonsoft.Json.Linq.JObject"
           : json_is_array(j) ? "Newtonsoft.Json.Linq.JArray"
                              : "Newtonsoft.Json.Linq.JValue";
}

static int bad_index(expr_env *env, json_t *j, xv k)
{
    str s = STR_LIT("null");
    if (k.kind != XV_NULL && xv_to_string(env, k, &s) < 0)
        return -1;
    if (json_is_object(j))
        return expr_throw(env, "ArgumentException",
                          "Accessed JObject values with invalid key value: %.*s. Object "
                          "property name expected.",
                          STR_FMT(s));
    if (json_is_array(j))
        return expr_throw(env, "ArgumentException",
                          "Accessed JArray values with invalid key value: %.*s. Int32 array "
                          "index expected.",
                          STR_FMT(s));
    return expr_throw(env, "InvalidOperationException",
                      "Cannot access child value on Newtonsoft.Json.Linq.JValue.");
}

static int out_of_range(expr_env *env)
{
    return expr_throw(env, "ArgumentOutOfRangeException",
                      "Index was out of range. Must be non-negative and less than the size of "
                      "the collection. (Parameter 'index')");
}

static int null_self(expr_env *env)
{
    return expr_throw(env, "NullReferenceException",
                      "Object reference not set to an instance of an object.");
}

/* ---- indexers ---- */

int jt_index_get(xv_call *c, xv *out)
{
    if (c->self.kind != XV_JSON)
        return null_self(c->env);
    json_t *j = c->self.u.j;
    xv k = c->args[0];
    *out = xv_null();
    if (json_is_object(j) && k.kind == XV_STR) {
        const char *name = jt_arg_cstr(c, 0, "propertyName");
        if (!name)
            return -1;
        json_t *v = json_object_get(j, name);
        return v ? jt_child(c->env, v, j, name, 0, out) : 0;
    }
    if (json_is_array(j) && k.kind == XV_INT) {
        if (k.u.i < 0 || (size_t)k.u.i >= json_array_size(j))
            return out_of_range(c->env);
        return jt_child(c->env, json_array_get(j, (size_t)k.u.i), j, NULL, (size_t)k.u.i, out);
    }
    return bad_index(c->env, j, k);
}

int jt_index_set(xv_call *c, xv *out)
{
    if (c->self.kind != XV_JSON)
        return null_self(c->env);
    json_t *j = c->self.u.j;
    xv k = c->args[0];
    *out = xv_null();
    if (json_is_object(j) && k.kind == XV_STR) {
        const char *name = jt_arg_cstr(c, 0, "propertyName");
        json_t *v = name ? jt_from_xv(c->env, c->args[1], j) : NULL;
        if (!v)
            return -1;
        json_object_set_new(j, name, v);
        return 0;
    }
    if (json_is_array(j) && k.kind == XV_INT) {
        if (k.u.i < 0 || (size_t)k.u.i >= json_array_size(j))
            return out_of_range(c->env);
        json_t *v = jt_from_xv(c->env, c->args[1], j);
        if (!v)
            return -1;
        json_array_set_new(j, (size_t)k.u.i, v);
        return 0;
    }
    return bad_index(c->env, j, k);
}

/* ---- JContainer (JObject and JArray) ---- */

static json_t *self_container(xv_call *c)
{
    json_t *j = c->self.kind == XV_JSON ? c->self.u.j : NULL;
    if (!j)
        null_self(c->env);
    else if (!json_is_object(j) && !json_is_array(j)) {
        expr_throw(c->env, "InvalidOperationException",
                   "Cannot access child value on Newtonsoft.Json.Linq.JValue.");
        return NULL;
    }
    return j;
}

static int cont_count(expr_env *env, xv self, xv *out)
{
    if (self.kind != XV_JSON)
        return null_self(env);
    json_t *j = self.u.j;
    *out = xv_int((int64_t)(json_is_object(j)  ? json_object_size(j)
                            : json_is_array(j) ? json_array_size(j)
                                               : 0));
    return 0;
}

/* Adds one JProperty to obj (Newtonsoft: duplicate names are an error). */
static int obj_add_prop(expr_env *env, json_t *obj, jprop *p)
{
    if (json_object_get(obj, p->name))
        return expr_throw(env, "ArgumentException",
                          "Can not add property %s to Newtonsoft.Json.Linq.JObject. Property "
                          "with the same name already exists on object.",
                          p->name);
    json_t *v = jt_prop_value(p);
    bool attached = p->parent && json_object_get(p->parent, p->name) == v;
    if (attached || ((json_is_object(v) || json_is_array(v)) && v == obj)) {
        if (!(v = json_deep_copy(v)))
            return oom(env);
    } else {
        json_incref(v);
    }
    json_object_set_new(obj, p->name, v);
    if (!attached) {
        if (arena_defer(env->a, (void (*)(void *))json_decref, json_incref(obj)) < 0)
            return oom(env);
        p->parent = obj;
    }
    return 0;
}

/* Content for new JObject(...) / JObject.Add(x): JProperties or sequences of them. */
static int obj_add_content(expr_env *env, json_t *obj, xv v, int depth)
{
    jprop *p = jt_prop_of(v);
    if (p)
        return obj_add_prop(env, obj, p);
    if (v.kind == XV_NULL)
        return 0;
    if (v.kind == XV_LIST && depth == 0) {
        for (size_t i = 0; i < v.u.list->n; i++) {
            if (obj_add_content(env, obj, v.u.list->items[i], 1) < 0)
                return -1;
        }
        return 0;
    }
    return expr_throw(env, "ArgumentException", "Can not add %s to Newtonsoft.Json.Linq.JObject.",
                      v.kind == XV_JSON ? kind_name(v.u.j) : xv_type_name(v));
}

static int arr_add_content(expr_env *env, json_t *arr, xv v, int depth)
{
    if (v.kind == XV_LIST && depth == 0) {
        for (size_t i = 0; i < v.u.list->n; i++) {
            if (arr_add_content(env, arr, v.u.list->items[i], 1) < 0)
                return -1;
        }
        return 0;
    }
    json_t *j = jt_from_xv(env, v, arr);
    if (!j)
        return -1;
    json_array_append_new(arr, j);
    return 0;
}

static void merge_into(json_t *dst, json_t *src, int depth)
{
    if (depth > 500)
        return;
    if (json_is_array(dst) && json_is_array(src)) {
        for (size_t i = 0; i < json_array_size(src); i++)
            json_array_append_new(dst, json_deep_copy(json_array_get(src, i)));
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v)
    {
        json_t *cur = json_object_get(dst, k);
        if (!cur) {
            json_object_set_new(dst, k, json_deep_copy(v));
        } else if ((json_is_object(cur) && json_is_object(v)) ||
                   (json_is_array(cur) && json_is_array(v))) {
            merge_into(cur, v, depth + 1);
        } else if (!json_is_null(v)) {
            json_object_set_new(dst, k, json_deep_copy(v));
        }
    }
}

static int cont_merge(xv_call *c, xv *out)
{
    json_t *j = self_container(c);
    if (!j)
        return -1;
    *out = xv_null();
    json_t *src = jt_from_xv(c->env, c->args[0], NULL);
    if (!src)
        return -1;
    if (json_typeof(src) == json_typeof(j) && src != j)
        merge_into(j, src, 0);
    json_decref(src);
    return 0;
}

static int cont_remove_all(xv_call *c, xv *out)
{
    json_t *j = self_container(c);
    if (!j)
        return -1;
    if (json_is_object(j))
        json_object_clear(j);
    else
        json_array_clear(j);
    *out = xv_null();
    return 0;
}

static int descend(expr_env *env, json_t *j, xv_list *l, int depth)
{
    if (depth > 500)
        return 0;
    xv_list *kids;
    if (expr_json_enumerate(env, j, &kids) < 0)
        return -1;
    for (size_t i = 0; i < kids->n; i++) {
        xv k = kids->items[i];
        if (xv_list_push(env, l, k) < 0)
            return -1;
        jprop *p = jt_prop_of(k);
        json_t *v = p ? jt_prop_value(p) : k.u.j;
        if (p) {
            xv pv;
            if (jt_child(env, v, j, p->name, 0, &pv) < 0 || xv_list_push(env, l, pv) < 0)
                return -1;
        }
        if ((json_is_object(v) || json_is_array(v)) && descend(env, v, l, depth + 1) < 0)
            return -1;
    }
    return 0;
}

static int cont_descendants(xv_call *c, xv *out)
{
    json_t *j = self_container(c);
    xv_list *l = j ? xv_list_new(c->env, XV_LIST_SEQ, NULL) : NULL;
    if (!l || descend(c->env, j, l, 0) < 0)
        return -1;
    return list_out(l, out);
}

static const xv_member cont_members[] = {
    { "Count", cont_count, &expr_class_int, 0, NULL },
};

static const xv_method cont_methods[] = {
    { "Descendants", 0, 0, cont_descendants, NULL, 0, NULL },
    { "Merge", 1, 2, cont_merge, NULL, 0, NULL },
    { "RemoveAll", 0, 0, cont_remove_all, NULL, 0, NULL },
};

static const char *const cont_aliases[] = { "Newtonsoft.Json.Linq.JContainer", NULL };
const xv_class expr_class_jcontainer = {
    .name = "JContainer",
    .aliases = cont_aliases,
    .base = &expr_class_jtoken,
    .flags = XV_CLASS_ENUMERABLE,
    .members = cont_members,
    .nmembers = sizeof cont_members / sizeof cont_members[0],
    .methods = cont_methods,
    .nmethods = sizeof cont_methods / sizeof cont_methods[0],
    .index_get = jt_index_get,
    .index_set = jt_index_set,
    .enumerate = jt_enumerate,
};

/* ---- JObject ---- */

/* self as a JSON container of type (JSON_OBJECT, JSON_ARRAY) named cls; NULL after a
 * NullReferenceException or InvalidCastException. */
static json_t *self_typed(xv_call *c, json_type type, const char *cls)
{
    json_t *j = c->self.kind == XV_JSON ? c->self.u.j : NULL;
    if (!j)
        null_self(c->env);
    else if (json_typeof(j) != type) {
        expr_throw(c->env, "InvalidCastException",
                   "Unable to cast object of type '%s' to type "
                   "'Newtonsoft.Json.Linq.%s'.",
                   kind_name(j), cls);
        return NULL;
    }
    return j;
}

/* new JObject(content...) / new JArray(content...): a lone argument of the same type is
 * deep-copied, anything else is added as content. */
static int container_ctor(xv_call *c, json_type type, int (*add)(expr_env *, json_t *, xv, int),
                          xv *out)
{
    if (c->nargs == 1 && c->args[0].kind == XV_JSON && json_typeof(c->args[0].u.j) == type)
        return xv_json(c->env, json_deep_copy(c->args[0].u.j), out);
    json_t *j = type == JSON_OBJECT ? json_object() : json_array();
    if (!j || xv_json(c->env, j, out) < 0)
        return -1;
    for (size_t i = 0; i < c->nargs; i++) {
        if (add(c->env, j, c->args[i], 0) < 0)
            return -1;
    }
    return 0;
}

static json_t *self_object(xv_call *c)
{
    return self_typed(c, JSON_OBJECT, "JObject");
}

static int obj_ctor(xv_call *c, xv *out)
{
    return container_ctor(c, JSON_OBJECT, obj_add_content, out);
}

static int obj_add(xv_call *c, xv *out)
{
    json_t *o = self_object(c);
    if (!o)
        return -1;
    *out = xv_null();
    if (c->nargs == 1)
        return obj_add_content(c->env, o, c->args[0], 0);
    const char *name = jt_arg_cstr(c, 0, "propertyName");
    if (!name)
        return -1;
    if (json_object_get(o, name))
        return expr_throw(c->env, "ArgumentException",
                          "Can not add property %s to Newtonsoft.Json.Linq.JObject. Property "
                          "with the same name already exists on object.",
                          name);
    json_t *v = jt_from_xv(c->env, c->args[1], o);
    if (!v)
        return -1;
    json_object_set_new(o, name, v);
    return 0;
}

/* Exact match first, then (ignoreCase) the first case-insensitive one. */
static const char *obj_find(json_t *o, const char *name, bool ignore_case)
{
    if (json_object_get(o, name))
        return name;
    if (!ignore_case)
        return NULL;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (strcasecmp(k, name) == 0)
            return k;
    }
    return NULL;
}

static int obj_lookup(xv_call *c, const char **key)
{
    json_t *o = self_object(c);
    if (!o)
        return -1;
    const char *name = c->args[0].kind == XV_NULL ? NULL : jt_arg_cstr(c, 0, "propertyName");
    if (!name && c->args[0].kind != XV_NULL)
        return -1;
    *key = name ? obj_find(o, name, jt_arg_ignore_case(c, 1)) : NULL;
    return 0;
}

static int obj_get_value(xv_call *c, xv *out)
{
    const char *k;
    if (obj_lookup(c, &k) < 0)
        return -1;
    *out = xv_null();
    return k ? jt_child(c->env, json_object_get(c->self.u.j, k), c->self.u.j, k, 0, out) : 0;
}

static int obj_property(xv_call *c, xv *out)
{
    const char *k;
    if (obj_lookup(c, &k) < 0)
        return -1;
    *out = xv_null();
    return k ? jt_prop_new(c->env, k, NULL, c->self.u.j, out) : 0;
}

static int obj_contains_key(xv_call *c, xv *out)
{
    const char *k;
    if (obj_lookup(c, &k) < 0)
        return -1;
    *out = xv_bool(k != NULL);
    return 0;
}

static int obj_try_get_value(xv_call *c, xv *out)
{
    xv v;
    if (obj_get_value(c, &v) < 0)
        return -1;
    if (c->refs && c->refs[c->nargs - 1])
        *c->refs[c->nargs - 1] = v;
    *out = xv_bool(v.kind != XV_NULL);
    return 0;
}

static int obj_remove(xv_call *c, xv *out)
{
    if (c->nargs == 0)
        return jt_tok_remove(c, out);
    json_t *o = self_object(c);
    const char *name = o ? jt_arg_cstr(c, 0, "propertyName") : NULL;
    if (!name)
        return -1;
    bool found = json_object_get(o, name) != NULL;
    if (found)
        json_object_del(o, name);
    *out = xv_bool(found);
    return 0;
}

static int obj_properties(xv_call *c, xv *out)
{
    json_t *o = self_object(c);
    xv_list *l;
    if (!o || expr_json_enumerate(c->env, o, &l) < 0)
        return -1;
    l->elem = &expr_class_jproperty;
    return list_out(l, out);
}

static int obj_property_values(xv_call *c, xv *out)
{
    json_t *o = self_object(c);
    xv_list *l = o ? xv_list_new(c->env, XV_LIST_SEQ, &expr_class_jtoken) : NULL;
    if (!l)
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        xv x;
        if (jt_child(c->env, v, o, k, 0, &x) < 0 || xv_list_push(c->env, l, x) < 0)
            return -1;
    }
    return list_out(l, out);
}

static int parse_as(xv_call *c, json_type want, const char *cls, xv *out)
{
    if (c->args[0].kind != XV_STR)
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'json')");
    json_t *j;
    if (expr_json_parse(c->env, c->args[0].u.s, &j) < 0)
        return -1;
    if (json_typeof(j) != want)
        return expr_throw(c->env, "JsonReaderException",
                          "Error reading %s from JsonReader. Current JsonReader item is not an "
                          "%s: %s. Path '', line 1, position 1.",
                          cls, want == JSON_OBJECT ? "object" : "array",
                          json_is_object(j)   ? "StartObject"
                          : json_is_array(j)  ? "StartArray"
                          : json_is_string(j) ? "String"
                                              : "Integer");
    return xv_json(c->env, json_incref(j), out);
}

static int from_object_as(xv_call *c, json_type want, const char *cls, xv *out)
{
    json_t *j = c->args[0].kind == XV_JSON ? json_deep_copy(c->args[0].u.j)
                                           : jt_from_xv(c->env, c->args[0], NULL);
    if (!j)
        return -1;
    if (xv_json(c->env, j, out) < 0)
        return -1;
    if (json_typeof(j) != want)
        return expr_throw(c->env, "ArgumentException",
                          "Object serialized to %s. %s instance expected.",
                          json_is_object(j)   ? "Object"
                          : json_is_array(j)  ? "Array"
                          : json_is_string(j) ? "String"
                                              : "Integer",
                          cls);
    return 0;
}

static int obj_s_parse(xv_call *c, xv *out)
{
    return parse_as(c, JSON_OBJECT, "JObject", out);
}

static int obj_s_from_object(xv_call *c, xv *out)
{
    return from_object_as(c, JSON_OBJECT, "JObject", out);
}

static int obj_init_add(xv_call *c, xv *out)
{
    return obj_add(c, out);
}

static const xv_method obj_methods[] = {
    { "Add", 1, 2, obj_add, NULL, 0, NULL },
    { "ContainsKey", 1, 1, obj_contains_key, &expr_class_bool, 0, NULL },
    { "GetValue", 1, 2, obj_get_value, &expr_class_jtoken, 0, NULL },
    { "Properties", 0, 0, obj_properties, NULL, 0, NULL },
    { "Property", 1, 2, obj_property, &expr_class_jproperty, 0, NULL },
    { "PropertyValues", 0, 0, obj_property_values, NULL, 0, NULL },
    { "Remove", 0, 1, obj_remove, NULL, 0, NULL },
    { "TryGetValue", 2, 2, obj_try_get_value, &expr_class_bool, XV_M_OUT_LAST, NULL },
};

static const xv_method obj_smethods[] = {
    { "FromObject", 1, 2, obj_s_from_object, &expr_class_jobject, 0, NULL },
    { "Parse", 1, 2, obj_s_parse, &expr_class_jobject, 0, NULL },
};

static const char *const obj_aliases[] = { "Newtonsoft.Json.Linq.JObject", NULL };
const xv_class expr_class_jobject = {
    .name = "JObject",
    .aliases = obj_aliases,
    .base = &expr_class_jcontainer,
    .flags = XV_CLASS_ENUMERABLE,
    .methods = obj_methods,
    .nmethods = sizeof obj_methods / sizeof obj_methods[0],
    .smethods = obj_smethods,
    .nsmethods = sizeof obj_smethods / sizeof obj_smethods[0],
    .ctor = obj_ctor,
    .ctor_min = 0,
    .ctor_max = 255,
    .index_get = jt_index_get,
    .index_set = jt_index_set,
    .add = obj_init_add,
    .enumerate = jt_enumerate,
};

/* ---- JArray ---- */

static json_t *self_array(xv_call *c)
{
    return self_typed(c, JSON_ARRAY, "JArray");
}

static int arr_ctor(xv_call *c, xv *out)
{
    return container_ctor(c, JSON_ARRAY, arr_add_content, out);
}

static int arr_add(xv_call *c, xv *out)
{
    json_t *a = self_array(c);
    *out = xv_null();
    return a ? arr_add_content(c->env, a, c->args[0], 0) : -1;
}

/* Index of the very token (reference equality, like JContainer.IndexOf); -1 if absent. */
static long arr_index_of_ref(json_t *a, xv item)
{
    if (item.kind != XV_JSON)
        return -1;
    for (size_t i = 0; i < json_array_size(a); i++) {
        if (json_array_get(a, i) == item.u.j)
            return (long)i;
    }
    return -1;
}

static int arr_index_of(xv_call *c, xv *out)
{
    json_t *a = self_array(c);
    if (!a)
        return -1;
    *out = xv_int(arr_index_of_ref(a, c->args[0]));
    return 0;
}

static int arr_contains(xv_call *c, xv *out)
{
    json_t *a = self_array(c);
    if (!a)
        return -1;
    *out = xv_bool(arr_index_of_ref(a, c->args[0]) >= 0);
    return 0;
}

static int arr_remove(xv_call *c, xv *out)
{
    if (c->nargs == 0)
        return jt_tok_remove(c, out);
    json_t *a = self_array(c);
    if (!a)
        return -1;
    long i = arr_index_of_ref(a, c->args[0]);
    if (i >= 0)
        json_array_remove(a, (size_t)i);
    *out = xv_bool(i >= 0);
    return 0;
}

static int arg_index(xv_call *c, size_t i, size_t limit, size_t *idx)
{
    *idx = 0;
    if (c->args[i].kind != XV_INT)
        return expr_throw(c->env, "ArgumentException", "argument %zu: expected int, got %s", i + 1,
                          xv_type_name(c->args[i]));
    if (c->args[i].u.i < 0 || (uint64_t)c->args[i].u.i >= (uint64_t)limit)
        return out_of_range(c->env);
    *idx = (size_t)c->args[i].u.i;
    return 0;
}

static int arr_remove_at(xv_call *c, xv *out)
{
    json_t *a = self_array(c);
    size_t i;
    if (!a || arg_index(c, 0, json_array_size(a), &i) < 0)
        return -1;
    json_array_remove(a, i);
    *out = xv_null();
    return 0;
}

static int arr_insert(xv_call *c, xv *out)
{
    json_t *a = self_array(c);
    size_t i;
    if (!a || arg_index(c, 0, json_array_size(a) + 1, &i) < 0)
        return -1;
    json_t *v = jt_from_xv(c->env, c->args[1], a);
    if (!v)
        return -1;
    json_array_insert_new(a, i, v);
    *out = xv_null();
    return 0;
}

static int arr_add_first(xv_call *c, xv *out)
{
    json_t *a = self_array(c);
    json_t *v = a ? jt_from_xv(c->env, c->args[0], a) : NULL;
    if (!v)
        return -1;
    json_array_insert_new(a, 0, v);
    *out = xv_null();
    return 0;
}

static int arr_clear(xv_call *c, xv *out)
{
    json_t *a = self_array(c);
    if (!a)
        return -1;
    json_array_clear(a);
    *out = xv_null();
    return 0;
}

static int arr_s_parse(xv_call *c, xv *out)
{
    return parse_as(c, JSON_ARRAY, "JArray", out);
}

static int arr_s_from_object(xv_call *c, xv *out)
{
    return from_object_as(c, JSON_ARRAY, "JArray", out);
}

static int arr_init_add(xv_call *c, xv *out)
{
    return arr_add(c, out);
}

static const xv_method arr_methods[] = {
    { "Add", 1, 1, arr_add, NULL, 0, NULL },
    { "AddFirst", 1, 1, arr_add_first, NULL, 0, NULL },
    { "Clear", 0, 0, arr_clear, NULL, 0, NULL },
    { "Contains", 1, 1, arr_contains, &expr_class_bool, 0, NULL },
    { "IndexOf", 1, 1, arr_index_of, &expr_class_int, 0, NULL },
    { "Insert", 2, 2, arr_insert, NULL, 0, NULL },
    { "Remove", 0, 1, arr_remove, NULL, 0, NULL },
    { "RemoveAt", 1, 1, arr_remove_at, NULL, 0, NULL },
};

static const xv_method arr_smethods[] = {
    { "FromObject", 1, 2, arr_s_from_object, &expr_class_jarray, 0, NULL },
    { "Parse", 1, 2, arr_s_parse, &expr_class_jarray, 0, NULL },
};

static const char *const arr_aliases[] = { "Newtonsoft.Json.Linq.JArray", NULL };
const xv_class expr_class_jarray = {
    .name = "JArray",
    .aliases = arr_aliases,
    .base = &expr_class_jcontainer,
    .flags = XV_CLASS_ENUMERABLE,
    .methods = arr_methods,
    .nmethods = sizeof arr_methods / sizeof arr_methods[0],
    .smethods = arr_smethods,
    .nsmethods = sizeof arr_smethods / sizeof arr_smethods[0],
    .ctor = arr_ctor,
    .ctor_min = 0,
    .ctor_max = 255,
    .index_get = jt_index_get,
    .index_set = jt_index_set,
    .add = arr_init_add,
    .enumerate = jt_enumerate,
};

static const xv_class *const classes[] = {
    &expr_class_jtoken,      &expr_class_jcontainer,
    &expr_class_jobject,     &expr_class_jarray,
    &expr_class_jvalue,      &expr_class_jproperty,
    &expr_class_jtokentype,  &expr_class_formatting,
    &expr_class_jsonconvert, NULL,
};
const xv_lib expr_lib_json = { "json", classes };
