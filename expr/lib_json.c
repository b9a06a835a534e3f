/* Newtonsoft.Json.Linq: parent tracking, the JToken base class (navigation, conversion,
 * ToString, Remove/Replace), the JTokenType and Formatting enums. JObject, JArray, JValue and
 * JProperty live in lib_json_obj.c. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "lib_json.h"

/* ---- parent tracking: per arena, child pointer -> (parent, key | index) ---- */

typedef struct jpar_ent {
    json_t *child, *parent; /* references held until the arena is released */
    const char *key;        /* object member name, NULL for array items */
    size_t idx;             /* array index when it was recorded (a hint) */
} jpar_ent;

typedef struct jpar_tab {
    arena *a;
    jpar_ent *slots;
    size_t cap, n;
    struct jpar_tab *next;
} jpar_tab;

static pthread_mutex_t tabs_mu = PTHREAD_MUTEX_INITIALIZER;
static jpar_tab *tabs;

static void tab_release(void *arg)
{
    jpar_tab *t = arg;
    pthread_mutex_lock(&tabs_mu);
    for (jpar_tab **pp = &tabs; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    pthread_mutex_unlock(&tabs_mu);
    for (size_t i = 0; i < t->cap; i++) {
        if (t->slots[i].child) {
            json_decref(t->slots[i].child);
            json_decref(t->slots[i].parent);
        }
    }
    free(t->slots);
}

static jpar_tab *tab_for(expr_env *env, bool create)
{
    pthread_mutex_lock(&tabs_mu);
    jpar_tab *t = tabs;
    while (t && t->a != env->a)
        t = t->next;
    pthread_mutex_unlock(&tabs_mu);
    if (t || !create)
        return t;
    t = arena_alloc(env->a, sizeof *t);
    if (!t || arena_defer(env->a, tab_release, t) < 0)
        return NULL;
    t->a = env->a;
    pthread_mutex_lock(&tabs_mu);
    t->next = tabs;
    tabs = t;
    pthread_mutex_unlock(&tabs_mu);
    return t;
}

static size_t ptr_hash(const void *p)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 17;
    x *= 0x9E3779B97F4A7C15u;
    return (size_t)(x ^ (x >> 29));
}

static jpar_ent *tab_slot(jpar_tab *t, const json_t *child)
{
    size_t m = t->cap - 1;
    for (size_t i = ptr_hash(child) & m;; i = (i + 1) & m) {
        if (!t->slots[i].child || t->slots[i].child == child)
            return &t->slots[i];
    }
}

static int tab_grow(jpar_tab *t)
{
    size_t ncap = t->cap ? t->cap * 2 : 64;
    jpar_ent *old = t->slots;
    size_t ocap = t->cap;
    t->slots = calloc(ncap, sizeof *t->slots);
    if (!t->slots) {
        t->slots = old;
        return -1;
    }
    t->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (old[i].child)
            *tab_slot(t, old[i].child) = old[i];
    }
    free(old);
    return 0;
}

int jt_note_parent(expr_env *env, json_t *child, json_t *parent, const char *key, size_t idx)
{
    if (!child || !parent)
        return 0;
    jpar_tab *t = tab_for(env, true);
    if (!t || ((t->n + 1) * 2 > t->cap && tab_grow(t) < 0)) {
        expr_throw(env, "OutOfMemoryException", "the request arena is full");
        env->err.fatal = true;
        return -1;
    }
    jpar_ent *e = tab_slot(t, child);
    if (e->child) {
        if (e->parent == parent && e->key && key && strcmp(e->key, key) == 0)
            return 0;
        json_decref(e->parent);
    } else {
        e->child = json_incref(child);
        t->n++;
    }
    e->parent = json_incref(parent);
    e->key = key ? arena_strdup(env->a, key) : NULL;
    e->idx = idx;
    return 0;
}

json_t *jt_parent(expr_env *env, json_t *child, const char **key, size_t *idx)
{
    jpar_tab *t = child ? tab_for(env, false) : NULL;
    if (!t || t->cap == 0)
        return NULL;
    jpar_ent *e = tab_slot(t, child);
    if (!e->child)
        return NULL;
    if (json_is_object(e->parent) && e->key) {
        if (json_object_get(e->parent, e->key) != child)
            return NULL;
        *key = e->key;
        return e->parent;
    }
    if (json_is_array(e->parent)) {
        size_t n = json_array_size(e->parent);
        size_t i = e->idx < n && json_array_get(e->parent, e->idx) == child ? e->idx : n;
        for (size_t k = 0; i == n && k < n; k++) {
            if (json_array_get(e->parent, k) == child)
                i = k;
        }
        if (i == n)
            return NULL;
        e->idx = i;
        *key = NULL;
        *idx = i;
        return e->parent;
    }
    return NULL;
}

int jt_child(expr_env *env, json_t *child, json_t *parent, const char *key, size_t idx, xv *out)
{
    if (jt_note_parent(env, child, parent, key, idx) < 0)
        return -1;
    return xv_json(env, json_incref(child), out);
}

#define JT_MAX_INSERT_DEPTH 512

/* 1 when target is reachable from `from` (adding `from` into target would make a cycle),
 * -1 when `from` nests deeper than JT_MAX_INSERT_DEPTH (jansson frees and copies
 * recursively, so tokens built by code stay shallow), else 0. */
static int scan(json_t *from, json_t *target, int depth)
{
    if (from == target)
        return 1;
    if (depth > JT_MAX_INSERT_DEPTH)
        return -1;
    int rc = 0;
    if (json_is_object(from)) {
        const char *k;
        json_t *v;
        json_object_foreach(from, k, v)
        {
            if (rc == 0 && (json_is_object(v) || json_is_array(v)))
                rc = scan(v, target, depth + 1);
        }
    } else if (json_is_array(from)) {
        for (size_t i = 0; i < json_array_size(from) && rc == 0; i++) {
            json_t *v = json_array_get(from, i);
            if (json_is_object(v) || json_is_array(v))
                rc = scan(v, target, depth + 1);
        }
    }
    return rc;
}

json_t *jt_from_xv(expr_env *env, xv v, json_t *container)
{
    if (v.kind == XV_OBJ && jt_prop_of(v)) {
        expr_throw(env, "ArgumentException", "Can not add Newtonsoft.Json.Linq.JProperty to %s.",
                   container && json_is_object(container) ? "Newtonsoft.Json.Linq.JObject"
                                                          : "Newtonsoft.Json.Linq.JArray");
        return NULL;
    }
    if (v.kind != XV_JSON)
        return xv_to_json(env, v);
    json_t *j = v.u.j;
    if (!json_is_object(j) && !json_is_array(j))
        return json_incref(j);
    const char *k;
    size_t i;
    int rc = scan(j, container, 0);
    if (rc < 0) {
        expr_throw(env, "JsonException",
                   "The JSON token is nested too deeply (more than %d levels).",
                   JT_MAX_INSERT_DEPTH);
        return NULL;
    }
    if (rc > 0 || jt_parent(env, j, &k, &i)) {
        json_t *copy = json_deep_copy(j);
        if (!copy)
            expr_throw(env, "OutOfMemoryException", "cannot copy JSON token");
        return copy;
    }
    return json_incref(j);
}

/* ---- argument helpers ---- */

const char *jt_arg_cstr(xv_call *c, size_t i, const char *what)
{
    xv a = c->args[i];
    if (a.kind == XV_STR) {
        char *p = arena_strndup(c->env->a, a.u.s.ptr ? a.u.s.ptr : "", a.u.s.len);
        if (!p) {
            expr_throw(c->env, "OutOfMemoryException", "the request arena is full");
            c->env->err.fatal = true;
        }
        return p;
    }
    if (a.kind == XV_NULL)
        expr_throw(c->env, "ArgumentNullException", "Value cannot be null. (Parameter '%s')", what);
    else
        expr_throw(c->env, "ArgumentException", "%s: argument %zu: expected string, got %s", what,
                   i + 1, xv_type_name(a));
    return NULL;
}

bool jt_arg_ignore_case(const xv_call *c, size_t i)
{
    /* StringComparison: CurrentCultureIgnoreCase 1, InvariantCultureIgnoreCase 3,
     * OrdinalIgnoreCase 5 */
    return i < c->nargs && c->args[i].kind == XV_ENUM && (c->args[i].u.en.v & 1);
}

static json_t *self_json(xv_call *c)
{
    if (c->self.kind == XV_JSON)
        return c->self.u.j;
    expr_throw(c->env, "NullReferenceException",
               "Object reference not set to an instance of an object.");
    return NULL;
}

static int no_children(expr_env *env)
{
    return expr_throw(env, "InvalidOperationException",
                      "Cannot access child value on Newtonsoft.Json.Linq.JValue.");
}

/* ---- JToken members ---- */

static xv type_value(enum jt_type t)
{
    xv v = { .kind = XV_ENUM };
    v.u.en.type = &expr_class_jtokentype;
    v.u.en.v = t;
    return v;
}

static int tok_type(expr_env *env, xv self, xv *out)
{
    (void)env;
    if (self.kind != XV_JSON)
        return expr_throw(env, "NullReferenceException",
                          "Object reference not set to an instance of an object.");
    *out = type_value(jt_type_of(self.u.j));
    return 0;
}

static int tok_has_values(expr_env *env, xv self, xv *out)
{
    (void)env;
    json_t *j = self.u.j;
    *out = xv_bool(json_is_object(j) ? json_object_size(j) > 0
                                     : json_is_array(j) && json_array_size(j) > 0);
    return 0;
}

/* First/Last child: JProperty for objects, item for arrays, null when empty. */
static int tok_edge(expr_env *env, xv self, bool last, xv *out)
{
    json_t *j = self.u.j;
    *out = xv_null();
    if (json_is_array(j)) {
        size_t n = json_array_size(j);
        if (n == 0)
            return 0;
        size_t i = last ? n - 1 : 0;
        return jt_child(env, json_array_get(j, i), j, NULL, i, out);
    }
    if (json_is_object(j)) {
        const char *key = NULL, *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            if (!key || last)
                key = k;
            if (!last)
                break;
        }
        return key ? jt_prop_new(env, key, NULL, j, out) : 0;
    }
    return no_children(env);
}

static int tok_first(expr_env *env, xv self, xv *out)
{
    return tok_edge(env, self, false, out);
}

static int tok_last(expr_env *env, xv self, xv *out)
{
    return tok_edge(env, self, true, out);
}

static int tok_parent(expr_env *env, xv self, xv *out)
{
    const char *key = NULL;
    size_t idx = 0;
    json_t *p = jt_parent(env, self.u.j, &key, &idx);
    *out = xv_null();
    if (!p)
        return 0;
    if (key)
        return jt_prop_new(env, key, NULL, p, out);
    return xv_json(env, json_incref(p), out);
}

static int tok_sibling(expr_env *env, xv self, int dir, xv *out)
{
    const char *key = NULL;
    size_t idx = 0;
    json_t *p = jt_parent(env, self.u.j, &key, &idx);
    *out = xv_null();
    if (!p || key)
        return 0; /* an object's value is the only child of its JProperty */
    if ((dir < 0 && idx == 0) || (dir > 0 && idx + 1 >= json_array_size(p)))
        return 0;
    size_t i = dir < 0 ? idx - 1 : idx + 1;
    return jt_child(env, json_array_get(p, i), p, NULL, i, out);
}

static int tok_next(expr_env *env, xv self, xv *out)
{
    return tok_sibling(env, self, 1, out);
}

static int tok_previous(expr_env *env, xv self, xv *out)
{
    return tok_sibling(env, self, -1, out);
}

static json_t *root_of(expr_env *env, json_t *j)
{
    const char *key;
    size_t idx;
    for (int depth = 0; depth < 1000; depth++) {
        json_t *p = jt_parent(env, j, &key, &idx);
        if (!p)
            break;
        j = p;
    }
    return j;
}

static int tok_root(expr_env *env, xv self, xv *out)
{
    return xv_json(env, json_incref(root_of(env, self.u.j)), out);
}

static bool is_plain_name(const char *k)
{
    if (!*k)
        return false;
    for (const char *p = k; *p; p++) {
        if (strchr(" .[]()'\"\t\r\n", *p))
            return false;
    }
    return true;
}

/* Newtonsoft's Path: "a.b[0]", "['odd key']". */
int jt_path(expr_env *env, json_t *j, str *out)
{
    char *path = arena_strdup(env->a, "");
    for (int depth = 0; path && depth < 1000; depth++) {
        const char *key = NULL;
        size_t idx = 0;
        json_t *p = jt_parent(env, j, &key, &idx);
        if (!p)
            break;
        if (!key)
            path = arena_sprintf(env->a, "[%zu]%s", idx, path);
        else if (is_plain_name(key))
            path = arena_sprintf(env->a, "%s%s", key, path);
        else
            path = arena_sprintf(env->a, "['%s']%s", key, path);
        if (path && jt_parent(env, p, &key, &idx) && path[0] != '[')
            path = arena_sprintf(env->a, ".%s", path);
        j = p;
    }
    if (!path) {
        expr_throw(env, "OutOfMemoryException", "the request arena is full");
        env->err.fatal = true;
        return -1;
    }
    *out = str_from(path);
    return 0;
}

static int tok_path(expr_env *env, xv self, xv *out)
{
    str s;
    if (jt_path(env, self.u.j, &s) < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

/* ---- JToken methods ---- */

static int tok_to_string(xv_call *c, xv *out)
{
    json_t *j = self_json(c);
    if (!j)
        return -1;
    str s;
    if (c->nargs == 0 && !json_is_object(j) && !json_is_array(j)) {
        /* JValue.ToString(): the value's own ToString ("True", "" for null) */
        xv v;
        if (xv_from_jvalue(c->env, j, &v) < 0)
            return -1;
        if (v.kind == XV_NULL) {
            *out = xv_str(STR_LIT(""));
            return 0;
        }
        if (xv_to_string(c->env, v, &s) < 0)
            return -1;
    } else {
        bool ind = true;
        if (c->nargs > 0 && c->args[0].kind == XV_ENUM)
            ind = c->args[0].u.en.v == 1;
        if (expr_json_to_string(c->env, j, ind, &s) < 0)
            return -1;
    }
    *out = xv_str(s);
    return 0;
}

static int tok_value(xv_call *c, xv *out)
{
    json_t *j = self_json(c);
    if (!j)
        return -1;
    if (c->nargs == 0)
        return jt_value_as(c, j, out);
    json_t *child = NULL;
    xv k = c->args[0];
    if (json_is_object(j)) {
        if (k.kind != XV_STR)
            return expr_throw(c->env, "ArgumentException",
                              "Accessed JObject values with invalid key value: %s. Object "
                              "property name expected.",
                              xv_type_name(k));
        const char *name = jt_arg_cstr(c, 0, "key");
        if (!name)
            return -1;
        child = json_object_get(j, name);
        if (child && jt_note_parent(c->env, child, j, name, 0) < 0)
            return -1;
    } else if (json_is_array(j)) {
        if (k.kind != XV_INT)
            return expr_throw(c->env, "ArgumentException",
                              "Accessed JArray values with invalid key value: %s. Int32 array "
                              "index expected.",
                              xv_type_name(k));
        if (k.u.i < 0 || (size_t)k.u.i >= json_array_size(j))
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Index was out of range. Must be non-negative and less than the "
                              "size of the collection. (Parameter 'index')");
        child = json_array_get(j, (size_t)k.u.i);
    } else {
        return no_children(c->env);
    }
    return jt_value_as(c, child, out);
}

static int tok_values(xv_call *c, xv *out)
{
    json_t *j = self_json(c);
    if (!j)
        return -1;
    if (!json_is_object(j) && !json_is_array(j))
        return no_children(c->env);
    xv_list *l = xv_list_new(c->env, XV_LIST_SEQ, NULL);
    if (!l)
        return -1;
    size_t i = 0;
    const char *k;
    json_t *v;
    void *tmp;
    xv x;
    if (json_is_object(j)) {
        json_object_foreach_safe(j, tmp, k, v)
        {
            if (jt_note_parent(c->env, v, j, k, 0) < 0 || jt_value_as(c, v, &x) < 0 ||
                xv_list_push(c->env, l, x) < 0)
                return -1;
        }
    } else {
        for (i = 0; i < json_array_size(j); i++) {
            v = json_array_get(j, i);
            if (jt_note_parent(c->env, v, j, NULL, i) < 0 || jt_value_as(c, v, &x) < 0 ||
                xv_list_push(c->env, l, x) < 0)
                return -1;
        }
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static int tok_children(xv_call *c, xv *out)
{
    json_t *j = self_json(c);
    if (!j)
        return -1;
    xv_list *l;
    if (!json_is_object(j) && !json_is_array(j)) {
        l = xv_list_new(c->env, XV_LIST_SEQ, NULL);
    } else if (expr_json_enumerate(c->env, j, &l) < 0) {
        return -1;
    }
    if (!l)
        return -1;
    if (c->ntargs > 0 && c->targs[0] && c->targs[0]->cls) {
        /* Children<JProperty>() / Children<JObject>(): filter by type */
        size_t w = 0;
        for (size_t i = 0; i < l->n; i++) {
            xv isv;
            if (xv_convert(c->env, l->items[i], c->targs[0], 2, &isv) < 0)
                return -1;
            if (isv.kind == XV_BOOL && isv.u.b)
                l->items[w++] = l->items[i];
        }
        l->n = w;
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static int tok_to_object(xv_call *c, xv *out)
{
    json_t *j = self_json(c);
    if (!j)
        return -1;
    if (c->ntargs == 0 || !c->targs[0])
        return expr_throw(c->env, "ArgumentException", "ToObject: a type argument is needed");
    return expr_json_convert(c->env, j, c->targs[0], 1, out);
}

static int tok_deep_clone(xv_call *c, xv *out)
{
    json_t *j = self_json(c);
    if (!j)
        return -1;
    json_t *copy = json_deep_copy(j);
    if (!copy)
        return expr_throw(c->env, "OutOfMemoryException", "cannot copy JSON token");
    return xv_json(c->env, copy, out);
}

static int parent_missing(expr_env *env)
{
    return expr_throw(env, "InvalidOperationException", "The parent is missing.");
}

static int prop_items_error(expr_env *env)
{
    return expr_throw(env, "JsonException",
                      "Cannot add or remove items from Newtonsoft.Json.Linq.JProperty.");
}

int jt_tok_remove(xv_call *c, xv *out)
{
    json_t *j = self_json(c);
    if (!j)
        return -1;
    const char *key = NULL;
    size_t idx = 0;
    json_t *p = jt_parent(c->env, j, &key, &idx);
    if (!p)
        return parent_missing(c->env);
    if (key)
        return prop_items_error(c->env);
    json_array_remove(p, idx);
    *out = xv_null();
    return 0;
}

static int tok_replace(xv_call *c, xv *out)
{
    json_t *j = self_json(c);
    if (!j)
        return -1;
    const char *key = NULL;
    size_t idx = 0;
    json_t *p = jt_parent(c->env, j, &key, &idx);
    if (!p)
        return parent_missing(c->env);
    json_t *nv = jt_from_xv(c->env, c->args[0], p);
    if (!nv)
        return -1;
    if (key)
        json_object_set_new(p, key, nv);
    else
        json_array_set_new(p, idx, nv);
    if (jt_note_parent(c->env, nv, p, key, idx) < 0)
        return -1;
    *out = xv_null();
    return 0;
}

static int tok_add_self(xv_call *c, bool after)
{
    json_t *j = self_json(c);
    if (!j)
        return -1;
    const char *key = NULL;
    size_t idx = 0;
    json_t *p = jt_parent(c->env, j, &key, &idx);
    if (!p)
        return parent_missing(c->env);
    if (key)
        return prop_items_error(c->env);
    json_t *nv = jt_from_xv(c->env, c->args[0], p);
    if (!nv)
        return -1;
    json_array_insert_new(p, after ? idx + 1 : idx, nv);
    return 0;
}

static int tok_add_after(xv_call *c, xv *out)
{
    *out = xv_null();
    return tok_add_self(c, true);
}

static int tok_add_before(xv_call *c, xv *out)
{
    *out = xv_null();
    return tok_add_self(c, false);
}

static int tok_select_token(xv_call *c, xv *out)
{
    json_t *j = self_json(c);
    if (!j)
        return -1;
    if (c->args[0].kind != XV_STR)
        return expr_throw(c->env, "ArgumentException",
                          "SelectToken: argument 1: expected string, got %s",
                          xv_type_name(c->args[0]));
    json_t *first = NULL;
    if (jt_select(c->env, j, c->args[0].u.s, NULL, &first) < 0)
        return -1;
    *out = xv_null();
    if (!first) {
        if (c->nargs > 1 && c->args[1].kind == XV_BOOL && c->args[1].u.b)
            return expr_throw(c->env, "JsonException", "Path '%.*s' does not exist.",
                              STR_FMT(c->args[0].u.s));
        return 0;
    }
    return xv_json(c->env, json_incref(first), out);
}

static int tok_select_tokens(xv_call *c, xv *out)
{
    json_t *j = self_json(c);
    if (!j)
        return -1;
    if (c->args[0].kind != XV_STR)
        return expr_throw(c->env, "ArgumentException",
                          "SelectTokens: argument 1: expected string, got %s",
                          xv_type_name(c->args[0]));
    xv_list *l = xv_list_new(c->env, XV_LIST_SEQ, &expr_class_jtoken);
    json_t *first;
    if (!l || jt_select(c->env, j, c->args[0].u.s, l, &first) < 0)
        return -1;
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static int tok_s_parse(xv_call *c, xv *out)
{
    if (c->args[0].kind != XV_STR)
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'json')");
    json_t *j;
    if (expr_json_parse(c->env, c->args[0].u.s, &j) < 0)
        return -1;
    return xv_json(c->env, json_incref(j), out);
}

static int tok_s_from_object(xv_call *c, xv *out)
{
    json_t *j = c->args[0].kind == XV_JSON ? json_deep_copy(c->args[0].u.j)
                                           : jt_from_xv(c->env, c->args[0], NULL);
    if (!j)
        return -1;
    return xv_json(c->env, j, out);
}

static int tok_s_deep_equals(xv_call *c, xv *out)
{
    json_t *a = c->args[0].kind == XV_JSON ? c->args[0].u.j : NULL;
    json_t *b = c->args[1].kind == XV_JSON ? c->args[1].u.j : NULL;
    *out = xv_bool(a == b || (a && b && json_equal(a, b)));
    return 0;
}

int expr_json_enumerate(expr_env *env, json_t *j, xv_list **out)
{
    if (!json_is_object(j) && !json_is_array(j))
        return no_children(env);
    xv_list *l = xv_list_new(env, XV_LIST_SEQ, NULL);
    if (!l)
        return -1;
    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            xv x;
            if (jt_child(env, json_array_get(j, i), j, NULL, i, &x) < 0 ||
                xv_list_push(env, l, x) < 0)
                return -1;
        }
    } else {
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            xv x;
            if (jt_prop_new(env, k, NULL, j, &x) < 0 || xv_list_push(env, l, x) < 0)
                return -1;
        }
    }
    *out = l;
    return 0;
}

int jt_enumerate(expr_env *env, xv self, xv *out)
{
    xv_list *l;
    if (self.kind != XV_JSON || expr_json_enumerate(env, self.u.j, &l) < 0)
        return self.kind != XV_JSON ? no_children(env) : -1;
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static const xv_member tok_members[] = {
    { "First", tok_first, &expr_class_jtoken, 0, NULL },
    { "HasValues", tok_has_values, &expr_class_bool, 0, NULL },
    { "Last", tok_last, &expr_class_jtoken, 0, NULL },
    { "Next", tok_next, &expr_class_jtoken, 0, NULL },
    { "Parent", tok_parent, NULL, 0, NULL },
    { "Path", tok_path, &expr_class_string, 0, NULL },
    { "Previous", tok_previous, &expr_class_jtoken, 0, NULL },
    { "Root", tok_root, &expr_class_jtoken, 0, NULL },
    { "Type", tok_type, &expr_class_jtokentype, 0, NULL },
};

static const xv_method tok_methods[] = {
    { "AddAfterSelf", 1, 1, tok_add_after, NULL, 0, NULL },
    { "AddBeforeSelf", 1, 1, tok_add_before, NULL, 0, NULL },
    { "Children", 0, 0, tok_children, NULL, XV_M_GENERIC, NULL },
    { "DeepClone", 0, 0, tok_deep_clone, &expr_class_jtoken, 0, NULL },
    { "Remove", 0, 0, jt_tok_remove, NULL, 0, NULL },
    { "Replace", 1, 1, tok_replace, NULL, 0, NULL },
    { "SelectToken", 1, 2, tok_select_token, &expr_class_jtoken, 0, NULL },
    { "SelectTokens", 1, 2, tok_select_tokens, NULL, 0, NULL },
    { "ToObject", 0, 0, tok_to_object, NULL, XV_M_GENERIC | XV_M_RET_TARG, NULL },
    { "ToString", 0, 2, tok_to_string, &expr_class_string, 0, NULL },
    { "Value", 0, 1, tok_value, NULL, XV_M_GENERIC | XV_M_RET_TARG, NULL },
    { "Values", 0, 0, tok_values, NULL, XV_M_GENERIC, NULL },
};

static const xv_method tok_smethods[] = {
    { "DeepEquals", 2, 2, tok_s_deep_equals, &expr_class_bool, 0, NULL },
    { "FromObject", 1, 1, tok_s_from_object, &expr_class_jtoken, 0, NULL },
    { "Parse", 1, 2, tok_s_parse, &expr_class_jtoken, 0, NULL },
};

static const char *const tok_aliases[] = { "Newtonsoft.Json.Linq.JToken", NULL };
const xv_class expr_class_jtoken = {
    .name = "JToken",
    .aliases = tok_aliases,
    .flags = XV_CLASS_ENUMERABLE,
    .members = tok_members,
    .nmembers = sizeof tok_members / sizeof tok_members[0],
    .methods = tok_methods,
    .nmethods = sizeof tok_methods / sizeof tok_methods[0],
    .smethods = tok_smethods,
    .nsmethods = sizeof tok_smethods / sizeof tok_smethods[0],
    .index_get = jt_index_get,
    .index_set = jt_index_set,
    .enumerate = jt_enumerate,
};
