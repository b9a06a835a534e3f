/* The registry of class libraries, type-name lookup, method/member lookup over a class, its
 * base chain and Object, and the core classes: Object, Type, lambdas, anonymous objects and
 * the exception hierarchy. */
#include <string.h>

#include "ast.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Object: methods every value has ---- */

static int obj_to_string(xv_call *c, xv *out)
{
    str s;
    if (xv_to_string(c->env, c->self, &s) < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

/* object.Equals(object): values of different numeric types are never equal (3.Equals(3L)). */
static int obj_equals(xv_call *c, xv *out)
{
    xv a = c->self, b = c->args[0];
    bool num = (a.kind == XV_INT || a.kind == XV_DOUBLE || a.kind == XV_CHAR) &&
               (b.kind == XV_INT || b.kind == XV_DOUBLE || b.kind == XV_CHAR);
    *out = xv_bool(num && xv_class_of(a) != xv_class_of(b) ? false : xv_equals(a, b));
    return 0;
}

static int obj_hash(xv_call *c, xv *out)
{
    str s;
    if (xv_to_string(c->env, c->self, &s) < 0)
        return -1;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < s.len; i++)
        h = (h ^ (uint8_t)s.ptr[i]) * 16777619u;
    *out = xv_int((int32_t)h);
    return 0;
}

static int obj_get_type(xv_call *c, xv *out)
{
    const char *name = xv_class_of(c->self)->name;
    if (c->self.kind == XV_OBJ && c->self.u.obj.cls == &expr_class_exception)
        name = ((const expr_exc *)c->self.u.obj.ptr)->type;
    *out = xv_obj(&expr_class_type, (void *)name);
    return 0;
}

static const xv_method object_methods[] = {
    { "Equals", 1, 1, obj_equals, &expr_class_bool, 0, NULL },
    { "GetHashCode", 0, 0, obj_hash, &expr_class_int, 0, NULL },
    { "GetType", 0, 0, obj_get_type, &expr_class_type, 0, NULL },
    { "ToString", 0, 0, obj_to_string, &expr_class_string, 0, NULL },
};

static const char *const object_aliases[] = { "object", "System.Object", "dynamic", NULL };

const xv_class expr_class_object = {
    .name = "Object",
    .aliases = object_aliases,
    .methods = object_methods,
    .nmethods = COUNT(object_methods),
};

/* ---- Type (GetType()) ---- */

static int type_name(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_str(str_from((const char *)self.u.obj.ptr));
    return 0;
}

static const xv_member type_members[] = {
    { "FullName", type_name, &expr_class_string, 0, NULL },
    { "Name", type_name, &expr_class_string, 0, NULL },
};

const xv_class expr_class_type = {
    .name = "Type",
    .members = type_members,
    .nmembers = COUNT(type_members),
};

/* ---- delegates: Func<...>, Action<...> (any generic arity) hold lambdas ---- */

static int lambda_invoke(xv_call *c, xv *out)
{
    if (c->self.kind != XV_LAMBDA)
        return expr_throw(c->env, "InvalidCastException", "expected a delegate, got %s",
                          xv_type_name(c->self));
    const struct expr_lambda *l = c->self.u.fn.fn;
    size_t np = l->nparams, lo = l->local ? l->min_params : np;
    if (c->nargs > np || c->nargs < lo)
        return expr_throw(c->env, "TargetParameterCountException",
                          "Parameter count mismatch: the delegate takes %zu arguments, called "
                          "with %zu.",
                          np, c->nargs);
    return expr_call_lambda(c->env, c->self, c->args, c->nargs, out);
}

static const xv_method lambda_methods[] = {
    { "DynamicInvoke", 0, 16, lambda_invoke, NULL, XV_M_VARARGS, NULL },
    { "Invoke", 0, 16, lambda_invoke, NULL, XV_M_VARARGS, NULL },
};

static const char *const lambda_aliases[] = { "Action", "Predicate", "Delegate", NULL };

const xv_class expr_class_lambda = {
    .name = "Func",
    .aliases = lambda_aliases,
    .methods = lambda_methods,
    .nmethods = COUNT(lambda_methods),
};
const xv_class expr_class_anon = { .name = "<>f__AnonymousType" };

/* ---- exceptions ---- */

static int exc_message(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_str(str_from(((const expr_exc *)self.u.obj.ptr)->message));
    return 0;
}

static int exc_null(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_null();
    return 0;
}

static int exc_ctor(xv_call *c, xv *out)
{
    expr_exc *e = arena_alloc(c->env->a, sizeof *e);
    const xv_class *cls = c->type && c->type->cls ? c->type->cls : &expr_class_exception;
    if (!e)
        return expr_throw(c->env, "InsufficientMemoryException", "arena cap reached");
    e->type = cls->name;
    e->message = "";
    if (c->nargs > 0 && !xv_is_null(c->args[0])) {
        str s;
        if (xv_to_string(c->env, c->args[0], &s) < 0)
            return -1;
        e->message = arena_strndup(c->env->a, s.ptr, s.len);
        if (!e->message)
            return expr_throw(c->env, "InsufficientMemoryException", "arena cap reached");
    } else {
        e->message = arena_sprintf(c->env->a, "Exception of type '%s' was thrown.", cls->name);
    }
    *out = xv_obj(&expr_class_exception, e);
    return 0;
}

static const xv_member exception_members[] = {
    { "InnerException", exc_null, &expr_class_exception, 0, NULL },
    { "Message", exc_message, &expr_class_string, 0, NULL },
    { "Source", exc_null, &expr_class_string, 0, NULL },
    { "StackTrace", exc_null, &expr_class_string, 0, NULL },
};

static const char *const exception_aliases[] = { "System.Exception", "SystemException", NULL };

const xv_class expr_class_exception = {
    .name = "Exception",
    .aliases = exception_aliases,
    .members = exception_members,
    .nmembers = COUNT(exception_members),
    .ctor = exc_ctor,
    .ctor_min = 0,
    .ctor_max = 2,
};

#define EXCEPTION(var, nm, basecls)                                                                \
    static const xv_class var = {                                                                  \
        .name = nm,                                                                                \
        .base = basecls,                                                                           \
        .ctor = exc_ctor,                                                                          \
        .ctor_min = 0,                                                                             \
        .ctor_max = 2,                                                                             \
    }

EXCEPTION(exc_argument, "ArgumentException", &expr_class_exception);
EXCEPTION(exc_argument_null, "ArgumentNullException", &exc_argument);
EXCEPTION(exc_argument_range, "ArgumentOutOfRangeException", &exc_argument);
EXCEPTION(exc_format, "FormatException", &expr_class_exception);
EXCEPTION(exc_uri_format, "UriFormatException", &exc_format);
EXCEPTION(exc_invalid_cast, "InvalidCastException", &expr_class_exception);
EXCEPTION(exc_invalid_op, "InvalidOperationException", &expr_class_exception);
EXCEPTION(exc_null_ref, "NullReferenceException", &expr_class_exception);
EXCEPTION(exc_key_not_found, "KeyNotFoundException", &expr_class_exception);
EXCEPTION(exc_index_range, "IndexOutOfRangeException", &expr_class_exception);
EXCEPTION(exc_arithmetic, "ArithmeticException", &expr_class_exception);
EXCEPTION(exc_div_zero, "DivideByZeroException", &exc_arithmetic);
EXCEPTION(exc_overflow, "OverflowException", &exc_arithmetic);
EXCEPTION(exc_json, "JsonException", &expr_class_exception);
EXCEPTION(exc_json_reader, "JsonReaderException", &exc_json);
EXCEPTION(exc_json_serial, "JsonSerializationException", &exc_json);
EXCEPTION(exc_not_supported, "NotSupportedException", &expr_class_exception);
EXCEPTION(exc_not_impl, "NotImplementedException", &expr_class_exception);
EXCEPTION(exc_crypto, "CryptographicException", &expr_class_exception);
EXCEPTION(exc_timeout, "TimeoutException", &expr_class_exception);
EXCEPTION(exc_regex_timeout, "RegexMatchTimeoutException", &exc_timeout);
EXCEPTION(exc_http, "HttpRequestException", &expr_class_exception);

static const xv_class *const core_classes[] = {
    &expr_class_object,    &expr_class_type,   &expr_class_lambda, &expr_class_anon,
    &expr_class_exception, &exc_argument,      &exc_argument_null, &exc_argument_range,
    &exc_format,           &exc_uri_format,    &exc_invalid_cast,  &exc_invalid_op,
    &exc_null_ref,         &exc_key_not_found, &exc_index_range,   &exc_arithmetic,
    &exc_div_zero,         &exc_overflow,      &exc_json,          &exc_json_reader,
    &exc_json_serial,      &exc_not_supported, &exc_not_impl,      &exc_crypto,
    &exc_timeout,          &exc_regex_timeout, &exc_http,          NULL,
};
const xv_lib expr_lib_core = { "core", core_classes };

/* ---- registry ---- */

#define EXTRA_LIBS 8
/* The built-in groups, then up to EXTRA_LIBS registered by the host (NULL-terminated). */
static const xv_lib *libs[11 + EXTRA_LIBS + 1] = {
    &expr_lib_core,  &expr_lib_string, &expr_lib_convert, &expr_lib_datetime,
    &expr_lib_math,  &expr_lib_crypto, &expr_lib_json,    &expr_lib_linq,
    &expr_lib_regex, &expr_lib_jwt,    &expr_lib_context, NULL,
};

const xv_lib *const *expr_libs(void)
{
    return libs;
}

int expr_register_lib(const xv_lib *lib)
{
    size_t n = 0;
    while (libs[n]) {
        if (libs[n] == lib)
            return 0;
        n++;
    }
    if (n + 1 >= COUNT(libs))
        return -1;
    libs[n] = lib;
    libs[n + 1] = NULL;
    return 0;
}

static const struct {
    const char *kw;
    const xv_class *cls;
} keyword_types[] = {
    { "bool", &expr_class_bool },     { "byte", &expr_class_byte },
    { "char", &expr_class_char },     { "decimal", &expr_class_decimal },
    { "double", &expr_class_double }, { "float", &expr_class_float },
    { "int", &expr_class_int },       { "long", &expr_class_long },
    { "object", &expr_class_object }, { "sbyte", &expr_class_int },
    { "short", &expr_class_int },     { "string", &expr_class_string },
    { "uint", &expr_class_long },     { "ulong", &expr_class_long },
    { "ushort", &expr_class_int },
};

static const char *const namespaces[] = {
    "System.",
    "System.Text.",
    "System.Linq.",
    "System.Collections.Generic.",
    "System.Collections.",
    "Newtonsoft.Json.Linq.",
    "Newtonsoft.Json.",
    "System.Text.RegularExpressions.",
    "System.Security.Cryptography.",
    "System.Security.Cryptography.X509Certificates.",
    "System.Net.",
    "System.Xml.Linq.",
    "System.Globalization.",
    "System.IO.",
    "System.Web.",
    NULL,
};

static const xv_class *find_exact(str name)
{
    for (size_t i = 0; i < COUNT(keyword_types); i++)
        if (str_eq_cstr(name, keyword_types[i].kw))
            return keyword_types[i].cls;
    for (const xv_lib *const *l = libs; *l; l++) {
        for (const xv_class *const *c = (*l)->classes; *c; c++) {
            if (str_eq_cstr(name, (*c)->name))
                return *c;
            for (const char *const *a = (*c)->aliases; a && *a; a++)
                if (str_eq_cstr(name, *a))
                    return *c;
        }
    }
    return NULL;
}

const xv_class *expr_find_class(str name)
{
    const xv_class *c = find_exact(name);
    if (c || !memchr(name.ptr, '.', name.len))
        return c;
    for (int i = 0; namespaces[i]; i++) {
        str ns = str_from(namespaces[i]);
        if (name.len > ns.len && str_starts_with(name, ns)) {
            str rest = { name.ptr + ns.len, name.len - ns.len };
            if (!memchr(rest.ptr, '.', rest.len) && (c = find_exact(rest)))
                return c;
        }
    }
    return NULL;
}

/* ---- lookup ---- */

static bool arity_ok(const xv_method *m, size_t n)
{
    return n >= m->min_args && (n <= m->max_args || (m->flags & XV_M_VARARGS));
}

static int name_cmp(str name, const char *s)
{
    size_t sl = strlen(s);
    size_t n = name.len < sl ? name.len : sl;
    int c = n ? memcmp(name.ptr, s, n) : 0;
    if (c != 0)
        return c;
    return name.len < sl ? -1 : name.len > sl ? 1 : 0;
}

/* Method of that name and arity in a sorted table (overloads are neighbours). */
static const xv_method *table_method(const xv_method *t, size_t n, str name, size_t nargs,
                                     bool *found)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (name_cmp(name, t[mid].name) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < n && name_cmp(name, t[i].name) == 0; i++) {
        *found = true;
        if (arity_ok(&t[i], nargs))
            return &t[i];
    }
    return NULL;
}

static const xv_member *table_member(const xv_member *t, size_t n, str name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = name_cmp(name, t[mid].name);
        if (c == 0)
            return &t[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const xv_method *expr_find_method(const xv_class *c, str name, size_t nargs, bool *name_found)
{
    bool dummy = false;
    bool *found = name_found ? name_found : &dummy;
    for (const xv_class *k = c; k; k = k->base) {
        const xv_method *m = table_method(k->methods, k->nmethods, name, nargs, found);
        if (m)
            return m;
    }
    return table_method(object_methods, COUNT(object_methods), name, nargs, found);
}

const xv_method *expr_find_own_method(const xv_class *c, str name, size_t nargs)
{
    bool found = false;
    /* Object's own methods are not "own": its ToString would call back into xv_to_string. */
    for (const xv_class *k = c; k && k != &expr_class_object; k = k->base) {
        const xv_method *m = table_method(k->methods, k->nmethods, name, nargs, &found);
        if (m)
            return m;
    }
    return NULL;
}

const xv_method *expr_find_smethod(const xv_class *c, str name, size_t nargs, bool *name_found)
{
    bool dummy = false;
    bool *found = name_found ? name_found : &dummy;
    for (const xv_class *k = c; k; k = k->base) {
        const xv_method *m = table_method(k->smethods, k->nsmethods, name, nargs, found);
        if (m)
            return m;
    }
    return NULL;
}

const xv_method *expr_find_extension(str name, size_t nargs, bool *name_found)
{
    bool dummy = false;
    bool *found = name_found ? name_found : &dummy;
    for (const xv_lib *const *l = libs; *l; l++) {
        for (const xv_class *const *c = (*l)->classes; *c; c++) {
            if (!((*c)->flags & XV_CLASS_EXTENSION))
                continue;
            const xv_method *m = table_method((*c)->methods, (*c)->nmethods, name, nargs, found);
            if (m)
                return m;
        }
    }
    return NULL;
}

const xv_member *expr_find_member(const xv_class *c, str name)
{
    for (const xv_class *k = c; k; k = k->base) {
        const xv_member *m = table_member(k->members, k->nmembers, name);
        if (m)
            return m;
    }
    return NULL;
}

const xv_member *expr_find_smember(const xv_class *c, str name)
{
    for (const xv_class *k = c; k; k = k->base) {
        const xv_member *m = table_member(k->smembers, k->nsmembers, name);
        if (m)
            return m;
    }
    return NULL;
}

bool expr_any_member(str name)
{
    for (const xv_lib *const *l = libs; *l; l++)
        for (const xv_class *const *c = (*l)->classes; *c; c++)
            if (table_member((*c)->members, (*c)->nmembers, name))
                return true;
    return false;
}

bool expr_any_method(str name, size_t nargs, bool *name_found)
{
    for (const xv_lib *const *l = libs; *l; l++)
        for (const xv_class *const *c = (*l)->classes; *c; c++)
            if (table_method((*c)->methods, (*c)->nmethods, name, nargs, name_found))
                return true;
    return false;
}

bool expr_exception_is(const char *type, const xv_class *catch_cls)
{
    if (!catch_cls || catch_cls == &expr_class_exception || catch_cls == &expr_class_object)
        return true;
    const xv_class *c = expr_find_class(str_from(type));
    for (; c; c = c->base)
        if (c == catch_cls)
            return true;
    return false;
}
