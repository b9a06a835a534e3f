/* JToken conversions (Value<T>, ToObject<T>, explicit casts, DeserializeObject<T>) with
 * Newtonsoft's rules, and SelectToken's JSONPath subset: $, .name, ['name'], [n], [*], .*,
 * ..name. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib_json.h"

static const char *type_label(const xv_class *cls)
{
    if (cls == &expr_class_int)
        return "Int32";
    if (cls == &expr_class_long)
        return "Int64";
    if (cls == &expr_class_double)
        return "Double";
    if (cls == &expr_class_float)
        return "Single";
    if (cls == &expr_class_decimal)
        return "Decimal";
    if (cls == &expr_class_byte)
        return "Byte";
    if (cls == &expr_class_bool)
        return "Boolean";
    if (cls == &expr_class_string)
        return "String";
    if (cls == &expr_class_char)
        return "Char";
    return cls && cls->name ? cls->name : "Object";
}

static const char *token_label(json_t *j)
{
    static const char *const names[] = { "None",     "Object",  "Array",   "Constructor",
                                         "Property", "Comment", "Integer", "Float",
                                         "String",   "Boolean", "Null" };
    enum jt_type t = jt_type_of(j);
    return t <= JT_NULL ? names[t] : "Undefined";
}

static bool is_number_class(const xv_class *cls)
{
    return cls == &expr_class_int || cls == &expr_class_long || cls == &expr_class_double ||
           cls == &expr_class_float || cls == &expr_class_decimal || cls == &expr_class_byte;
}

static bool is_token_class(const xv_class *cls)
{
    return cls == &expr_class_jtoken || cls == &expr_class_jcontainer ||
           cls == &expr_class_jobject || cls == &expr_class_jarray || cls == &expr_class_jvalue;
}

static int overflow(expr_env *env, const xv_class *cls)
{
    return expr_throw(env, "OverflowException",
                      "Value was either too large or too small for %s %s.",
                      cls == &expr_class_int ? "an" : "a", type_label(cls));
}

/* Range check and sub-kind for an integral target. */
static int make_integral(expr_env *env, const xv_class *cls, int64_t i, xv *out)
{
    if (cls == &expr_class_int && (i < INT32_MIN || i > INT32_MAX))
        return overflow(env, cls);
    if (cls == &expr_class_byte && (i < 0 || i > 255))
        return overflow(env, cls);
    *out = cls == &expr_class_long ? xv_long(i) : xv_int(i);
    if (cls == &expr_class_byte)
        out->sub = XV_SUB_BYTE;
    return 0;
}

static int make_number_from_double(expr_env *env, const xv_class *cls, double d, xv *out)
{
    if (cls == &expr_class_double || cls == &expr_class_float || cls == &expr_class_decimal) {
        *out = xv_double(d);
        out->sub = cls == &expr_class_float     ? XV_SUB_FLOAT
                   : cls == &expr_class_decimal ? XV_SUB_DECIMAL
                                                : XV_SUB_NONE;
        return 0;
    }
    double r = nearbyint(d); /* Convert.ToInt32(double): round half to even */
    if (isnan(r) || r < -9.2233720368547758e18 || r >= 9.2233720368547758e18)
        return overflow(env, cls);
    return make_integral(env, cls, (int64_t)r, out);
}

static int format_error(expr_env *env, const char *s, size_t n)
{
    return expr_throw(env, "FormatException",
                      "The input string '%.*s' was not in a correct format.", (int)n, s);
}

static int parse_number(expr_env *env, const xv_class *cls, const char *s, size_t n, xv *out)
{
    str t = str_trim(str_make(s, n));
    char *z = arena_strndup(env->a, t.ptr, t.len);
    if (!z)
        return -1;
    bool integral =
        !(cls == &expr_class_double || cls == &expr_class_float || cls == &expr_class_decimal);
    char *end = NULL;
    errno = 0;
    if (integral) {
        bool ok = t.len > 0;
        for (size_t i = 0; i < t.len && ok; i++)
            ok = (z[i] >= '0' && z[i] <= '9') ||
                 (i == 0 && (z[i] == '-' || z[i] == '+') && t.len > 1);
        if (!ok)
            return format_error(env, s, n);
        long long v = strtoll(z, &end, 10);
        if (errno == ERANGE)
            return overflow(env, cls);
        return make_integral(env, cls, v, out);
    }
    if (t.len == 0 || strchr(z, 'x') || strchr(z, 'X') || strpbrk(z, "nN") || strpbrk(z, "iI"))
        return format_error(env, s, n);
    double d = strtod(z, &end);
    if (*end)
        return format_error(env, s, n);
    return make_number_from_double(env, cls, d, out);
}

static int null_to(expr_env *env, const xv_type *t, int mode, bool missing, xv *out)
{
    const xv_class *cls = t->cls;
    bool value_type =
        t->rank == 0 && !t->nullable &&
        (is_number_class(cls) || cls == &expr_class_bool || cls == &expr_class_char ||
         cls == &expr_class_datetime || cls == &expr_class_timespan || cls == &expr_class_guid);
    *out = xv_null();
    if (!value_type)
        return 0;
    if (mode == 0 && missing) { /* Value<int>("absent") is default(int) */
        if (cls == &expr_class_bool)
            *out = xv_bool(false);
        else if (cls == &expr_class_char)
            *out = xv_char(0);
        else if (is_number_class(cls))
            return make_number_from_double(env, cls, 0, out);
        return 0;
    }
    if (mode == 0)
        return expr_throw(env, "InvalidCastException",
                          "Null object cannot be converted to a value type.");
    if (missing)
        return expr_throw(env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'value')");
    return expr_throw(env, "ArgumentException", "Can not convert Null to %s.", type_label(cls));
}

static int to_list(expr_env *env, json_t *j, const xv_type *t, int mode, xv *out);
static int to_dict(expr_env *env, json_t *j, const xv_type *t, int mode, xv *out);

int expr_json_convert(expr_env *env, json_t *j, const xv_type *t, int mode, xv *out)
{
    static const xv_type object_type = { 0 };
    if (!t)
        t = &object_type;
    const xv_class *cls = t->cls;
    if (!j || (json_is_null(j) && !is_token_class(cls)))
        return null_to(env, t, mode, !j, out);
    if (t->rank > 0 || cls == &expr_class_list)
        return to_list(env, j, t, mode, out);
    if (cls == &expr_class_dict)
        return to_dict(env, j, t, mode, out);
    if (!cls || cls == &expr_class_object || is_token_class(cls)) {
        bool ok = !cls || cls == &expr_class_object || cls == &expr_class_jtoken ||
                  (cls == &expr_class_jcontainer && (json_is_object(j) || json_is_array(j))) ||
                  (cls == &expr_class_jobject && json_is_object(j)) ||
                  (cls == &expr_class_jarray && json_is_array(j)) ||
                  (cls == &expr_class_jvalue && !json_is_object(j) && !json_is_array(j));
        if (!ok)
            return expr_throw(env, "InvalidCastException",
                              "Cannot cast Newtonsoft.Json.Linq.J%s to "
                              "Newtonsoft.Json.Linq.%s.",
                              json_is_object(j)  ? "Object"
                              : json_is_array(j) ? "Array"
                                                 : "Value",
                              cls->name);
        if (mode == 1 && (!cls || cls == &expr_class_object) && !json_is_object(j) &&
            !json_is_array(j))
            return xv_from_jvalue(env, j, out);
        return xv_json(env, json_incref(j), out);
    }
    if (json_is_object(j) || json_is_array(j)) {
        if (mode == 0)
            return expr_throw(env, "InvalidCastException",
                              "Cannot cast Newtonsoft.Json.Linq.J%s to System.%s.",
                              json_is_object(j) ? "Object" : "Array", type_label(cls));
        return expr_throw(env, "ArgumentException", "Can not convert %s to %s.", token_label(j),
                          type_label(cls));
    }
    if (cls == &expr_class_string) {
        if (json_is_string(j))
            return xv_str_copy(env, json_string_value(j), json_string_length(j), out);
        xv v;
        str s;
        if (xv_from_jvalue(env, j, &v) < 0 || xv_to_string(env, v, &s) < 0)
            return -1;
        *out = xv_str(s);
        return 0;
    }
    if (is_number_class(cls)) {
        if (json_is_integer(j)) {
            int64_t i = json_integer_value(j);
            return cls == &expr_class_double || cls == &expr_class_float ||
                           cls == &expr_class_decimal
                       ? make_number_from_double(env, cls, (double)i, out)
                       : make_integral(env, cls, i, out);
        }
        if (json_is_real(j))
            return make_number_from_double(env, cls, json_real_value(j), out);
        if (json_is_boolean(j))
            return make_number_from_double(env, cls, json_is_true(j) ? 1 : 0, out);
        return parse_number(env, cls, json_string_value(j), json_string_length(j), out);
    }
    if (cls == &expr_class_bool) {
        if (json_is_boolean(j))
            *out = xv_bool(json_is_true(j));
        else if (json_is_integer(j))
            *out = xv_bool(json_integer_value(j) != 0);
        else if (json_is_real(j))
            *out = xv_bool(json_real_value(j) != 0);
        else {
            str s = str_trim(str_make(json_string_value(j), json_string_length(j)));
            if (str_ieq(s, STR_LIT("true")))
                *out = xv_bool(true);
            else if (str_ieq(s, STR_LIT("false")))
                *out = xv_bool(false);
            else
                return expr_throw(env, "FormatException",
                                  "String '%s' was not recognized as a valid Boolean.",
                                  json_string_value(j));
        }
        return 0;
    }
    if (cls == &expr_class_char && json_is_string(j) && json_string_length(j) == 1) {
        *out = xv_char((uint16_t)(unsigned char)json_string_value(j)[0]);
        return 0;
    }
    xv v;
    if (xv_from_jvalue(env, j, &v) < 0)
        return -1;
    return xv_convert(env, v, t, 0, out);
}

static int to_list(expr_env *env, json_t *j, const xv_type *t, int mode, xv *out)
{
    if (!json_is_array(j))
        return expr_throw(env, "JsonSerializationException",
                          "Cannot deserialize the current JSON %s into type '%s' because the "
                          "type requires a JSON array (e.g. [1,2,3]) to deserialize correctly.",
                          json_is_object(j) ? "object (e.g. {\"name\":\"value\"})" : "value",
                          t->rank ? "array" : "List");
    xv_type elem = { 0 };
    if (t->rank > 0) {
        elem = *t;
        elem.rank = (uint8_t)(t->rank - 1);
        elem.nullable = false;
    } else if (t->nargs > 0 && t->args[0]) {
        elem = *t->args[0];
    }
    xv_list *l =
        xv_list_new(env, t->rank ? XV_LIST_ARRAY : XV_LIST_LIST, elem.rank ? NULL : elem.cls);
    if (!l)
        return -1;
    for (size_t i = 0; i < json_array_size(j); i++) {
        xv v;
        json_t *item = json_array_get(j, i);
        if (jt_note_parent(env, item, j, NULL, i) < 0 ||
            expr_json_convert(env, item, &elem, mode ? mode : 1, &v) < 0 ||
            xv_list_push(env, l, v) < 0)
            return -1;
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static int to_dict(expr_env *env, json_t *j, const xv_type *t, int mode, xv *out)
{
    if (!json_is_object(j))
        return expr_throw(env, "JsonSerializationException",
                          "Cannot deserialize the current JSON %s into type 'Dictionary' "
                          "because the type requires a JSON object (e.g. {\"name\":\"value\"}) "
                          "to deserialize correctly.",
                          json_is_array(j) ? "array (e.g. [1,2,3])" : "value");
    xv_type val = { 0 };
    if (t->nargs > 1 && t->args[1])
        val = *t->args[1];
    xv_dict *d = xv_dict_new(env, false);
    if (!d)
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        xv x;
        if (jt_note_parent(env, v, j, k, 0) < 0 ||
            expr_json_convert(env, v, &val, mode ? mode : 1, &x) < 0 ||
            xv_dict_set(env, d, str_from(k), x) < 0)
            return -1;
    }
    *out = (xv){ .kind = XV_DICT };
    out->u.dict = d;
    return 0;
}

int jt_value_as(xv_call *c, json_t *j, xv *out)
{
    if (c->ntargs == 0 || !c->targs[0]) {
        *out = xv_null();
        return j ? xv_json(c->env, json_incref(j), out) : 0;
    }
    return expr_json_convert(c->env, j, c->targs[0], 0, out);
}

/* ---- SelectToken ---- */

typedef struct node_set {
    json_t **v;
    size_t n, cap;
} node_set;

static int set_push(expr_env *env, node_set *s, json_t *j)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 8;
        json_t **nv = arena_realloc(env->a, s->v, s->cap * sizeof *nv, ncap * sizeof *nv);
        if (!nv) {
            expr_throw(env, "OutOfMemoryException", "the request arena is full");
            env->err.fatal = true;
            return -1;
        }
        s->v = nv;
        s->cap = ncap;
    }
    s->v[s->n++] = j;
    return 0;
}

/* Children of j matching name (NULL = all; idx >= 0 = array index). */
static int step(expr_env *env, json_t *j, const char *name, long idx, bool all, node_set *out)
{
    if (json_is_object(j) && (name || all)) {
        if (all) {
            const char *k;
            json_t *v;
            json_object_foreach(j, k, v)
            {
                if (jt_note_parent(env, v, j, k, 0) < 0 || set_push(env, out, v) < 0)
                    return -1;
            }
            return 0;
        }
        json_t *v = json_object_get(j, name);
        if (v && (jt_note_parent(env, v, j, name, 0) < 0 || set_push(env, out, v) < 0))
            return -1;
        return 0;
    }
    if (json_is_array(j) && (all || idx >= 0)) {
        size_t n = json_array_size(j);
        if (idx < 0 && !all)
            return 0;
        size_t lo = all ? 0 : (size_t)idx, hi = all ? n : (size_t)idx + 1;
        for (size_t i = lo; i < hi && i < n; i++) {
            json_t *v = json_array_get(j, i);
            if (jt_note_parent(env, v, j, NULL, i) < 0 || set_push(env, out, v) < 0)
                return -1;
        }
    }
    return 0;
}

static int descend_named(expr_env *env, json_t *j, const char *name, bool all, node_set *out,
                         int depth)
{
    if (depth > 500)
        return 0;
    if (step(env, j, name, -1, all, out) < 0)
        return -1;
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            if (descend_named(env, v, name, all, out, depth + 1) < 0)
                return -1;
        }
    } else if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (descend_named(env, json_array_get(j, i), name, all, out, depth + 1) < 0)
                return -1;
        }
    }
    return 0;
}

static int path_error(expr_env *env, str path, size_t pos)
{
    if (pos >= path.len)
        return expr_throw(env, "JsonException", "Unexpected end while parsing path.");
    return expr_throw(env, "JsonException", "Unexpected character while parsing path: %c",
                      path.ptr[pos]);
}

int jt_select(expr_env *env, json_t *root, str path, xv_list *all, json_t **first)
{
    node_set cur = { 0 };
    if (set_push(env, &cur, root) < 0)
        return -1;
    const char *p = path.ptr ? path.ptr : "";
    size_t n = path.len, i = 0;
    while (i < n && p[i] == ' ')
        i++;
    if (i < n && p[i] == '$')
        i++;
    bool start = true;
    while (i < n) {
        node_set next = { 0 };
        bool recursive = false, star = false;
        const char *name = NULL;
        long idx = -1;
        if (p[i] == '.' || start) {
            if (p[i] == '.') {
                i++;
                if (i < n && p[i] == '.') {
                    recursive = true;
                    i++;
                }
            }
            if (i < n && p[i] == '*') {
                star = true;
                i++;
            } else if (i < n && p[i] == '[' && !recursive) {
                start = false;
                continue;
            } else {
                size_t b = i;
                while (i < n && p[i] != '.' && p[i] != '[')
                    i++;
                if (i == b)
                    return path_error(env, path, i);
                name = arena_strndup(env->a, p + b, i - b);
            }
        } else if (p[i] == '[') {
            i++;
            while (i < n && p[i] == ' ')
                i++;
            if (i < n && p[i] == '*') {
                star = true;
                i++;
            } else if (i < n && (p[i] == '\'' || p[i] == '"')) {
                char q = p[i++];
                size_t b = i;
                while (i < n && p[i] != q)
                    i++;
                if (i >= n)
                    return path_error(env, path, i);
                name = arena_strndup(env->a, p + b, i - b);
                i++;
            } else if (i < n && p[i] >= '0' && p[i] <= '9') {
                idx = 0;
                while (i < n && p[i] >= '0' && p[i] <= '9' && idx < 100000000)
                    idx = idx * 10 + (p[i++] - '0');
            } else {
                return path_error(env, path, i);
            }
            while (i < n && p[i] == ' ')
                i++;
            if (i >= n || p[i] != ']')
                return path_error(env, path, i);
            i++;
        } else {
            return path_error(env, path, i);
        }
        start = false;
        for (size_t k = 0; k < cur.n; k++) {
            int rc = recursive ? descend_named(env, cur.v[k], name, star, &next, 0)
                               : step(env, cur.v[k], name, idx, star, &next);
            if (rc < 0)
                return -1;
        }
        cur = next;
    }
    *first = cur.n ? cur.v[0] : NULL;
    if (!all && cur.n > 1)
        return expr_throw(env, "JsonException", "Path returned multiple tokens.");
    for (size_t k = 0; all && k < cur.n; k++) {
        xv x;
        if (xv_json(env, json_incref(cur.v[k]), &x) < 0 || xv_list_push(env, all, x) < 0)
            return -1;
    }
    return 0;
}
