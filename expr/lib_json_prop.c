/* Newtonsoft's JValue (a scalar json_t) and JProperty.
 * JProperty: an XV_OBJ over jprop {name, value, parent}. While its parent
 * JObject still has the name, the value read and written is the parent's (so
 * obj.Property("k").Value = x and Property("k")?.Remove() act on the object). JObject
 * enumeration yields these too, so they also answer .Key like a KeyValuePair. */
#include <string.h>

#include "lib_json.h"

static int oom(expr_env *env)
{
    expr_throw(env, "OutOfMemoryException", "the request arena is full");
    env->err.fatal = true;
    return -1;
}

static int null_self(expr_env *env)
{
    return expr_throw(env, "NullReferenceException",
                      "Object reference not set to an instance of an object.");
}

static const char *kind_name(json_t *j)
{
    return json_is_object(j)  ? "Newtonsoft.Json.Linq.JObject"
           : json_is_array(j) ? "Newtonsoft.Json.Linq.JArray"
                              : "Newtonsoft.Json.Linq.JValue";
}

static int list_out(xv_list *l, xv *out)
{
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

/* ---- JProperty ---- */

int jt_prop_new(expr_env *env, const char *name, json_t *value, json_t *parent, xv *out)
{
    jprop *p = arena_alloc(env->a, sizeof *p);
    if (!p || !(p->name = arena_strdup(env->a, name)))
        return oom(env);
    if (value) {
        if (arena_defer(env->a, (void (*)(void *))json_decref, value) < 0) {
            json_decref(value);
            return oom(env);
        }
        p->value = value;
    }
    if (parent) {
        if (arena_defer(env->a, (void (*)(void *))json_decref, json_incref(parent)) < 0) {
            json_decref(parent);
            return oom(env);
        }
        p->parent = parent;
    }
    *out = xv_obj(&expr_class_jproperty, p);
    return 0;
}

jprop *jt_prop_of(xv v)
{
    return v.kind == XV_OBJ && v.u.obj.cls == &expr_class_jproperty ? v.u.obj.ptr : NULL;
}

json_t *jt_prop_value(const jprop *p)
{
    json_t *v = p->parent ? json_object_get(p->parent, p->name) : NULL;
    if (v)
        return v;
    return p->value ? p->value : json_null();
}

static int prop_ctor(xv_call *c, xv *out)
{
    const char *name = jt_arg_cstr(c, 0, "name");
    if (!name)
        return -1;
    json_t *v = c->nargs > 1 ? jt_from_xv(c->env, c->args[1], NULL) : json_null();
    if (!v)
        return -1;
    return jt_prop_new(c->env, name, v, NULL, out);
}

static int prop_name(expr_env *env, xv self, xv *out)
{
    jprop *p = jt_prop_of(self);
    if (!p)
        return null_self(env);
    *out = xv_str(str_from(p->name));
    return 0;
}

static int prop_get_value(expr_env *env, xv self, xv *out)
{
    jprop *p = jt_prop_of(self);
    if (!p)
        return null_self(env);
    json_t *v = jt_prop_value(p);
    if (p->parent && json_object_get(p->parent, p->name) == v)
        return jt_child(env, v, p->parent, p->name, 0, out);
    return xv_json(env, json_incref(v), out);
}

static int prop_set_value(expr_env *env, xv self, xv val)
{
    jprop *p = jt_prop_of(self);
    if (!p)
        return null_self(env);
    bool live = p->parent && json_object_get(p->parent, p->name);
    json_t *v = jt_from_xv(env, val, live ? p->parent : NULL);
    if (!v)
        return -1;
    if (live) {
        json_object_set_new(p->parent, p->name, v);
        return 0;
    }
    if (arena_defer(env->a, (void (*)(void *))json_decref, v) < 0) {
        json_decref(v);
        return oom(env);
    }
    p->value = v;
    return 0;
}

static int prop_parent(expr_env *env, xv self, xv *out)
{
    jprop *p = jt_prop_of(self);
    if (!p)
        return null_self(env);
    *out = xv_null();
    if (p->parent && json_object_get(p->parent, p->name))
        return xv_json(env, json_incref(p->parent), out);
    return 0;
}

static int prop_type(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = (xv){ .kind = XV_ENUM };
    out->u.en.type = &expr_class_jtokentype;
    out->u.en.v = JT_PROPERTY;
    return 0;
}

static int prop_has_values(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_bool(true);
    return 0;
}

static int prop_path(expr_env *env, xv self, xv *out)
{
    jprop *p = jt_prop_of(self);
    if (!p)
        return null_self(env);
    xv v;
    if (prop_get_value(env, self, &v) < 0)
        return -1;
    str s;
    if (jt_path(env, v.u.j, &s) < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

/* Next/Previous property of the same object. */
static int prop_sibling(expr_env *env, xv self, int dir, xv *out)
{
    jprop *p = jt_prop_of(self);
    if (!p)
        return null_self(env);
    *out = xv_null();
    if (!p->parent || !json_object_get(p->parent, p->name))
        return 0;
    const char *prev = NULL, *k;
    json_t *v;
    bool found = false;
    json_object_foreach(p->parent, k, v)
    {
        if (found)
            return jt_prop_new(env, k, NULL, p->parent, out);
        if (strcmp(k, p->name) == 0) {
            if (dir < 0)
                return prev ? jt_prop_new(env, prev, NULL, p->parent, out) : 0;
            found = true;
        }
        prev = k;
    }
    return 0;
}

static int prop_next(expr_env *env, xv self, xv *out)
{
    return prop_sibling(env, self, 1, out);
}

static int prop_previous(expr_env *env, xv self, xv *out)
{
    return prop_sibling(env, self, -1, out);
}

static int prop_remove(xv_call *c, xv *out)
{
    jprop *p = jt_prop_of(c->self);
    if (!p)
        return null_self(c->env);
    json_t *v = p->parent ? json_object_get(p->parent, p->name) : NULL;
    if (!v)
        return expr_throw(c->env, "InvalidOperationException", "The parent is missing.");
    json_incref(v);
    if (arena_defer(c->env->a, (void (*)(void *))json_decref, v) < 0) {
        json_decref(v);
        return oom(c->env);
    }
    p->value = v;
    json_object_del(p->parent, p->name);
    p->parent = NULL;
    *out = xv_null();
    return 0;
}

static int prop_to_string(xv_call *c, xv *out)
{
    jprop *p = jt_prop_of(c->self);
    if (!p)
        return null_self(c->env);
    bool ind = !(c->nargs > 0 && c->args[0].kind == XV_ENUM && c->args[0].u.en.v == 0);
    /* write {"name": value} and strip the braces: the property text at depth 0 */
    json_t *tmp = json_object();
    if (!tmp)
        return oom(c->env);
    json_object_set(tmp, p->name, jt_prop_value(p));
    str s;
    int rc = expr_json_to_string(c->env, tmp, false, &s);
    if (rc == 0 && ind) {
        str key, val;
        json_t *k = json_string(p->name);
        rc = k ? expr_json_to_string(c->env, k, false, &key) : oom(c->env);
        json_decref(k);
        if (rc == 0)
            rc = expr_json_to_string(c->env, jt_prop_value(p), true, &val);
        if (rc == 0) {
            char *t = arena_sprintf(c->env->a, "%.*s: %.*s", STR_FMT(key), STR_FMT(val));
            rc = t ? 0 : oom(c->env);
            s = str_from(t);
        }
    } else if (rc == 0) {
        s = str_make(s.ptr + 1, s.len - 2);
    }
    json_decref(tmp);
    if (rc < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

static int prop_deep_clone(xv_call *c, xv *out)
{
    jprop *p = jt_prop_of(c->self);
    if (!p)
        return null_self(c->env);
    json_t *v = json_deep_copy(jt_prop_value(p));
    if (!v)
        return oom(c->env);
    return jt_prop_new(c->env, p->name, v, NULL, out);
}

static int prop_enumerate(expr_env *env, xv self, xv *out)
{
    xv v;
    xv_list *l = xv_list_new(env, XV_LIST_SEQ, NULL);
    if (!l || prop_get_value(env, self, &v) < 0 || xv_list_push(env, l, v) < 0)
        return -1;
    return list_out(l, out);
}

static const xv_member prop_members[] = {
    { "HasValues", prop_has_values, &expr_class_bool, 0, NULL },
    { "Key", prop_name, &expr_class_string, 0, NULL },
    { "Name", prop_name, &expr_class_string, 0, NULL },
    { "Next", prop_next, &expr_class_jtoken, 0, NULL },
    { "Parent", prop_parent, &expr_class_jobject, 0, NULL },
    { "Path", prop_path, &expr_class_string, 0, NULL },
    { "Previous", prop_previous, &expr_class_jtoken, 0, NULL },
    { "Type", prop_type, &expr_class_jtokentype, 0, NULL },
    { "Value", prop_get_value, &expr_class_jtoken, 0, prop_set_value },
};

static const xv_method prop_methods[] = {
    { "DeepClone", 0, 0, prop_deep_clone, &expr_class_jproperty, 0, NULL },
    { "Remove", 0, 0, prop_remove, NULL, 0, NULL },
    { "ToString", 0, 2, prop_to_string, &expr_class_string, 0, NULL },
};

static const char *const prop_aliases[] = { "Newtonsoft.Json.Linq.JProperty", NULL };
const xv_class expr_class_jproperty = {
    .name = "JProperty",
    .aliases = prop_aliases,
    .flags = XV_CLASS_ENUMERABLE,
    .members = prop_members,
    .nmembers = sizeof prop_members / sizeof prop_members[0],
    .methods = prop_methods,
    .nmethods = sizeof prop_methods / sizeof prop_methods[0],
    .ctor = prop_ctor,
    .ctor_min = 1,
    .ctor_max = 2,
    .enumerate = prop_enumerate,
};

/* ---- JValue ---- */

static int val_ctor(xv_call *c, xv *out)
{
    xv v = c->args[0];
    if (v.kind == XV_JSON && (json_is_object(v.u.j) || json_is_array(v.u.j)))
        return expr_throw(c->env, "ArgumentException",
                          "Could not determine JSON object type "
                          "for type %s.",
                          kind_name(v.u.j));
    json_t *j = v.kind == XV_JSON ? json_deep_copy(v.u.j) : xv_to_json(c->env, v);
    if (!j)
        return -1;
    return xv_json(c->env, j, out);
}

static int val_value(expr_env *env, xv self, xv *out)
{
    if (self.kind != XV_JSON)
        return null_self(env);
    if (json_is_object(self.u.j) || json_is_array(self.u.j))
        return expr_throw(env, "InvalidCastException",
                          "Unable to cast object of type '%s' to "
                          "type 'Newtonsoft.Json.Linq.JValue'.",
                          kind_name(self.u.j));
    return xv_from_jvalue(env, self.u.j, out);
}

static int val_s_null(xv_call *c, xv *out)
{
    return xv_json(c->env, json_null(), out);
}

static int val_s_string(xv_call *c, xv *out)
{
    if (c->args[0].kind == XV_NULL)
        return xv_json(c->env, json_null(), out);
    if (c->args[0].kind != XV_STR)
        return expr_throw(c->env, "ArgumentException",
                          "JValue.CreateString: argument 1: expected string, got %s",
                          xv_type_name(c->args[0]));
    json_t *j = json_stringn(c->args[0].u.s.ptr ? c->args[0].u.s.ptr : "", c->args[0].u.s.len);
    if (!j)
        return expr_throw(c->env, "ArgumentException", "invalid UTF-8 in string");
    return xv_json(c->env, j, out);
}

static const xv_member val_members[] = {
    { "Value", val_value, NULL, 0, NULL },
};

static const xv_method val_smethods[] = {
    { "CreateNull", 0, 0, val_s_null, &expr_class_jvalue, 0, NULL },
    { "CreateString", 1, 1, val_s_string, &expr_class_jvalue, 0, NULL },
    { "CreateUndefined", 0, 0, val_s_null, &expr_class_jvalue, 0, NULL },
};

static const char *const val_aliases[] = { "Newtonsoft.Json.Linq.JValue", NULL };
const xv_class expr_class_jvalue = {
    .name = "JValue",
    .aliases = val_aliases,
    .base = &expr_class_jtoken,
    .members = val_members,
    .nmembers = sizeof val_members / sizeof val_members[0],
    .smethods = val_smethods,
    .nsmethods = sizeof val_smethods / sizeof val_smethods[0],
    .ctor = val_ctor,
    .ctor_min = 1,
    .ctor_max = 1,
};
