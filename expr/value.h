#ifndef EXPR_VALUE_H
#define EXPR_VALUE_H

/* xv: the dynamic value of the expression language (jq's jv): a small struct passed by value.
 * Everything an xv points to lives in the evaluation arena (env->a) or in the config arena
 * (constants); json_t values are reference counted and adopted by the arena (arena_defer
 * json_decref) the moment they are made. Classes (xv_class) describe the .NET surface:
 * members, methods, static members, constructors and indexers, looked up by name at compile
 * time (bsearch over sorted tables) and dispatched on the receiver's class at run time. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../runtime/base/arena.h"
#include "../runtime/base/str.h"

typedef struct expr_env expr_env;
typedef struct xv_class xv_class;
typedef struct xv_list xv_list;
typedef struct xv_dict xv_dict;
typedef struct expr_lambda expr_lambda;

typedef enum xv_kind {
    XV_NULL,
    XV_BOOL,
    XV_INT,      /* int64; sub says int (32) or long (64) for overflow and ToString */
    XV_DOUBLE,   /* double (also float; decimal is a double with sub = XV_SUB_DECIMAL) */
    XV_CHAR,     /* UTF-16 code unit in u.ch */
    XV_STR,      /* UTF-8 slice u.s */
    XV_BYTES,    /* byte[] in u.s */
    XV_DATETIME, /* u.dt: ticks (100 ns since 0001-01-01) + kind */
    XV_TIMESPAN, /* u.i: ticks */
    XV_GUID,     /* u.guid: 16 bytes in .NET byte order */
    XV_JSON,     /* u.j: JObject / JArray / JValue (json_null() is a JValue of type Null) */
    XV_LIST,     /* u.list: T[], List<T>, HashSet<T>, IEnumerable<T> results */
    XV_DICT,     /* u.dict: Dictionary<K,V>, headers, variables, query, claims */
    XV_OBJ,      /* u.obj: any other object: context records, IResponse, Jwt, Match, Uri,
                  * StringBuilder, Random, HMAC, anonymous objects, KeyValuePair, JProperty... */
    XV_LAMBDA,   /* u.fn: a closure (LINQ arguments) */
    XV_ENUM,     /* u.en: an enum constant (StringComparison.OrdinalIgnoreCase, JTokenType.Null) */
} xv_kind;

enum xv_sub {
    XV_SUB_NONE = 0,
    XV_SUB_INT32,   /* XV_INT: C# int (the default for integer literals) */
    XV_SUB_INT64,   /* XV_INT: C# long */
    XV_SUB_FLOAT,   /* XV_DOUBLE: float */
    XV_SUB_DECIMAL, /* XV_DOUBLE: decimal */
    XV_SUB_BYTE,    /* XV_INT: byte */
    XV_SUB_DTO,     /* XV_DATETIME: a DateTimeOffset (UTC); class expr_class_datetimeoffset */
};

enum xv_datetime_kind { XV_DT_UNSPECIFIED = 0, XV_DT_UTC = 1, XV_DT_LOCAL = 2 };

typedef struct xv {
    uint8_t kind; /* xv_kind */
    uint8_t sub;  /* xv_sub */
    union {
        bool b;
        int64_t i;
        double d;
        uint16_t ch;
        str s;
        struct {
            int64_t ticks;
            int kind; /* xv_datetime_kind */
        } dt;
        uint8_t guid[16];
        json_t *j;
        xv_list *list;
        xv_dict *dict;
        struct {
            const xv_class *cls;
            void *ptr;
        } obj;
        struct {
            const expr_lambda *fn;
            void *frame; /* captured locals (eval.c's own) */
        } fn;
        struct {
            const xv_class *type; /* the enum's class */
            int64_t v;
        } en;
    } u;
} xv;

struct xv_list {
    xv *items;
    size_t n, cap;
    const xv_class *elem; /* declared element class, NULL = object */
    uint8_t flavor;       /* enum xv_list_flavor */
};

enum xv_list_flavor { XV_LIST_ARRAY, XV_LIST_LIST, XV_LIST_SET, XV_LIST_SEQ };

struct xv_dict {
    str *keys;
    xv *vals;
    size_t n, cap;
    bool ci;       /* keys compare ASCII case-insensitively (headers, query) */
    bool readonly; /* context.Variables, headers seen from expressions */
};

/* ---- type expressions (casts, new T, typed locals, generic arguments, is/as) ---- */

typedef struct xv_type {
    const xv_class *cls;           /* NULL for object/dynamic/var */
    const struct xv_type *args[2]; /* generic arguments: List<T>, Dictionary<K,V>, As<T> */
    uint8_t nargs;
    bool nullable; /* int? */
    uint8_t rank;  /* array rank: string[] = 1 */
} xv_type;

/* ---- calls ---- */

/* One call of a method, static method, constructor or indexer. */
typedef struct xv_call {
    expr_env *env;
    xv self;        /* receiver; XV_NULL for statics and constructors */
    const xv *args; /* positional arguments, named ones already placed */
    size_t nargs;
    xv **refs;               /* refs[i] != NULL: argument i is `out`/`ref`: write through it */
    const xv_type *targs[2]; /* generic type arguments (As<JObject>, Value<int>) */
    size_t ntargs;
    const xv_type *type; /* constructors: the type being made (new List<string>) */
    size_t off;          /* source offset, for messages */
} xv_call;

/* Every native function: 0 and *out set, or -1 after expr_throw(). */
typedef int (*xv_fn)(xv_call *c, xv *out);
typedef int (*xv_getter)(expr_env *env, xv self, xv *out);
typedef int (*xv_setter)(expr_env *env, xv self, xv val);

enum xv_method_flags {
    XV_M_GENERIC = 1 << 0,  /* takes generic type arguments (As<T>, Value<T>) */
    XV_M_RET_TARG = 1 << 1, /* static result type is the first generic argument */
    XV_M_OUT_LAST = 1 << 2, /* the last argument is `out` (TryParse) */
    XV_M_LAMBDA = 1 << 3,   /* arguments may be lambdas (LINQ) */
    XV_M_VARARGS = 1 << 4,  /* params object[]: max_args is ignored */
};

typedef struct xv_method {
    const char *name; /* sorted by name (then min_args) within its table */
    uint8_t min_args, max_args;
    xv_fn fn;
    const xv_class *ret; /* static result class, NULL = object/unknown */
    unsigned flags;      /* xv_method_flags */
    const char *params;  /* parameter names for named arguments, "preserveContent" or
                          * "a,b"; NULL when named arguments are not supported */
} xv_method;

typedef struct xv_member {
    const char *name;     /* sorted by name within its table */
    xv_getter get;        /* NULL for host members: see host_id */
    const xv_class *type; /* static type, NULL = object */
    int host_id;          /* EXPR_M_* for classes with XV_CLASS_HOST */
    xv_setter set;        /* NULL = read-only */
} xv_member;

enum xv_class_flags {
    XV_CLASS_HOST = 1 << 0,      /* members read through expr_host.get (context records) */
    XV_CLASS_STATIC = 1 << 1,    /* static class: Math, Convert, Encoding */
    XV_CLASS_ENUM = 1 << 2,      /* enum type: statics are its constants */
    XV_CLASS_EXTENSION = 1 << 3, /* methods extend other classes (LINQ, GetValueOrDefault, AsJwt) */
    XV_CLASS_ENUMERABLE = 1 << 4, /* instances can be enumerated (foreach, LINQ) */
};

struct xv_class {
    const char *name;           /* .NET name as written in code: "String", "JObject", "IResponse" */
    const char *const *aliases; /* other spellings: "string", "System.String"; NULL-terminated */
    const xv_class *base;       /* lookup continues here (JObject -> JToken) */
    unsigned flags;             /* xv_class_flags */
    const xv_member *members;   /* instance properties, sorted */
    size_t nmembers;
    const xv_method *methods; /* instance methods, sorted */
    size_t nmethods;
    const xv_member *smembers; /* static properties / constants / enum values, sorted */
    size_t nsmembers;
    const xv_method *smethods; /* static methods, sorted */
    size_t nsmethods;
    xv_fn ctor; /* new T(args); NULL = cannot be constructed */
    uint8_t ctor_min, ctor_max;
    xv_fn index_get; /* self[args]; NULL = no indexer */
    xv_fn index_set; /* self[args[0..n-1)] = args[n-1] */
    xv_fn add;       /* collection initializer element: { a, b } -> add(a, b) */
    /* Enumerates self: sets *out to an XV_LIST snapshot. NULL = not enumerable. */
    int (*enumerate)(expr_env *env, xv self, xv *out);
    /* User-defined conversions and operators (C# `explicit operator` / `implicit operator` /
     * `operator +`). Each returns 1 when it handled the operation (*out set), 0 when it does
     * not apply (the engine's own rules run), -1 after expr_throw(). All optional.
     * convert: (T)self and `self as T`, consulted by xv_convert for a value of this class (or
     *   a subclass) whose target class is not already one of self's classes; `to` has the
     *   target class, nullable flag and rank (XElement -> string, int, int? ...).
     * from: the implicit conversion of v (any value not of this class, never null) to this
     *   class, applied when storing into a typed local, parameter or return value of this
     *   class, and by == / != between an object of this class and a string
     *   (XNamespace ns = "urn:x"; el.Name == "a").
     * binop: a binary operator where a or b is of this class; op is '+', '-', '*', '/', '%'
     *   or '=' (==; != negates it). The result class is dynamic at compile time. */
    int (*convert)(expr_env *env, xv self, const xv_type *to, xv *out);
    int (*from)(expr_env *env, xv v, xv *out);
    int (*binop)(expr_env *env, int op, xv a, xv b, xv *out);
};

/* A group of classes a library file exports. expr/types.c lists every group. */
typedef struct xv_lib {
    const char *name;
    const xv_class *const *classes; /* NULL-terminated */
} xv_lib;

/* ---- the context object model (spec/expressions.md §2) ----
 * Member ids the host answers in expr_host.get. The classes (expr_class_context, ...) are
 * defined in expr/context.c with these ids. ORDER EXPR_M */
enum expr_member_id {
    EXPR_M_NONE = 0,
    /* context */
    EXPR_M_CONTEXT_API,
    EXPR_M_CONTEXT_DEPLOYMENT,
    EXPR_M_CONTEXT_ELAPSED,
    EXPR_M_CONTEXT_LASTERROR,
    EXPR_M_CONTEXT_OPERATION,
    EXPR_M_CONTEXT_PRODUCT,
    EXPR_M_CONTEXT_REQUEST,
    EXPR_M_CONTEXT_REQUESTID,
    EXPR_M_CONTEXT_RESPONSE,
    EXPR_M_CONTEXT_SUBSCRIPTION,
    EXPR_M_CONTEXT_TIMESTAMP,
    EXPR_M_CONTEXT_TRACING,
    EXPR_M_CONTEXT_USER,
    EXPR_M_CONTEXT_VARIABLES,
    EXPR_M_CONTEXT_WORKSPACE,
    /* context.Request (IRequest) */
    EXPR_M_REQUEST_BODY,
    EXPR_M_REQUEST_CERTIFICATE,
    EXPR_M_REQUEST_HEADERS,
    EXPR_M_REQUEST_IPADDRESS,
    EXPR_M_REQUEST_MATCHEDPARAMETERS,
    EXPR_M_REQUEST_METHOD,
    EXPR_M_REQUEST_ORIGINALURL,
    EXPR_M_REQUEST_URL,
    EXPR_M_REQUEST_PRIVATEENDPOINTCONNECTION,
    /* context.Response and send-request results (IResponse) */
    EXPR_M_RESPONSE_BODY,
    EXPR_M_RESPONSE_HEADERS,
    EXPR_M_RESPONSE_STATUSCODE,
    EXPR_M_RESPONSE_STATUSREASON,
    /* IUrl */
    EXPR_M_URL_HOST,
    EXPR_M_URL_PATH,
    EXPR_M_URL_PORT,
    EXPR_M_URL_QUERY,
    EXPR_M_URL_QUERYSTRING,
    EXPR_M_URL_SCHEME,
    EXPR_M_URL_TOSTRING,
    /* IApi */
    EXPR_M_API_ID,
    EXPR_M_API_ISCURRENTREVISION,
    EXPR_M_API_NAME,
    EXPR_M_API_PATH,
    EXPR_M_API_PROTOCOLS,
    EXPR_M_API_REVISION,
    EXPR_M_API_SERVICEURL,
    EXPR_M_API_SUBSCRIPTIONKEYPARAMETERNAMES,
    EXPR_M_API_VERSION,
    EXPR_M_KEYNAMES_HEADER,
    EXPR_M_KEYNAMES_QUERY,
    /* IOperation */
    EXPR_M_OPERATION_ID,
    EXPR_M_OPERATION_METHOD,
    EXPR_M_OPERATION_NAME,
    EXPR_M_OPERATION_URLTEMPLATE,
    /* IProduct */
    EXPR_M_PRODUCT_APIS,
    EXPR_M_PRODUCT_APPROVALREQUIRED,
    EXPR_M_PRODUCT_GROUPS,
    EXPR_M_PRODUCT_ID,
    EXPR_M_PRODUCT_NAME,
    EXPR_M_PRODUCT_STATE,
    EXPR_M_PRODUCT_SUBSCRIPTIONLIMIT,
    EXPR_M_PRODUCT_SUBSCRIPTIONREQUIRED,
    /* ISubscription */
    EXPR_M_SUBSCRIPTION_CREATEDDATE,
    EXPR_M_SUBSCRIPTION_ENDDATE,
    EXPR_M_SUBSCRIPTION_ID,
    EXPR_M_SUBSCRIPTION_KEY,
    EXPR_M_SUBSCRIPTION_NAME,
    EXPR_M_SUBSCRIPTION_PRIMARYKEY,
    EXPR_M_SUBSCRIPTION_SECONDARYKEY,
    EXPR_M_SUBSCRIPTION_STARTDATE,
    /* IUser */
    EXPR_M_USER_EMAIL,
    EXPR_M_USER_FIRSTNAME,
    EXPR_M_USER_GROUPS,
    EXPR_M_USER_ID,
    EXPR_M_USER_IDENTITIES,
    EXPR_M_USER_LASTNAME,
    EXPR_M_USER_NOTE,
    EXPR_M_USER_REGISTRATIONDATE,
    /* IDeployment */
    EXPR_M_DEPLOYMENT_CERTIFICATES,
    EXPR_M_DEPLOYMENT_GATEWAY,
    EXPR_M_DEPLOYMENT_GATEWAYID,
    EXPR_M_DEPLOYMENT_REGION,
    EXPR_M_DEPLOYMENT_SERVICEID,
    EXPR_M_DEPLOYMENT_SERVICENAME,
    EXPR_M_GATEWAY_ID,
    EXPR_M_GATEWAY_ISMANAGED,
    /* ILastError */
    EXPR_M_LASTERROR_MESSAGE,
    EXPR_M_LASTERROR_PATH,
    EXPR_M_LASTERROR_POLICYID,
    EXPR_M_LASTERROR_REASON,
    EXPR_M_LASTERROR_SCOPE,
    EXPR_M_LASTERROR_SECTION,
    EXPR_M_LASTERROR_SOURCE,
    /* IWorkspace */
    EXPR_M_WORKSPACE_ID,
    EXPR_M_WORKSPACE_NAME,
    /* IGroup (User.Groups, Product.Groups), IUserIdentity (User.Identities) */
    EXPR_M_GROUP_ID,
    EXPR_M_GROUP_NAME,
    EXPR_M_IDENTITY_ID,
    EXPR_M_IDENTITY_PROVIDER,
    EXPR_M__COUNT
}; /* ORDER EXPR_M */

/* The context classes (expr/context.c). */
extern const xv_class expr_class_context, expr_class_request, expr_class_response, expr_class_url,
    expr_class_api, expr_class_keynames, expr_class_operation, expr_class_product,
    expr_class_subscription, expr_class_user, expr_class_deployment, expr_class_gateway,
    expr_class_lasterror, expr_class_workspace, expr_class_body, expr_class_group,
    expr_class_identity;

/* IMessageBody (context.Request.Body, IResponse.Body): the host hands out pointers to these;
 * As<T>(), AsFormUrlEncodedContent() are implemented in expr/. */
typedef struct expr_body {
    str bytes;        /* the raw body */
    str content_type; /* may be empty */
    bool consumed;    /* As<T>() without preserveContent sets it; later reads see "" */
} expr_body;

/* Authorization, the result of get-authorization-context (a variable's value). */
typedef struct expr_authorization {
    str access_token;
    xv_dict *claims; /* claim name -> value; NULL = none */
} expr_authorization;
extern const xv_class expr_class_authorization;

/* Classes of the core types (for static types and dispatch). */
extern const xv_class expr_class_object, expr_class_string, expr_class_int, expr_class_long,
    expr_class_double, expr_class_decimal, expr_class_float, expr_class_bool, expr_class_char,
    expr_class_byte, expr_class_bytes, expr_class_datetime, expr_class_timespan, expr_class_guid,
    expr_class_jtoken, expr_class_jobject, expr_class_jarray, expr_class_jvalue,
    expr_class_jproperty, expr_class_list, expr_class_dict, expr_class_lambda, expr_class_exception;

/* ---- constructors (cheap, no allocation unless noted) ---- */
static inline xv xv_null(void)
{
    xv v = { 0 };
    return v;
}
static inline xv xv_bool(bool b)
{
    xv v = { .kind = XV_BOOL };
    v.u.b = b;
    return v;
}
static inline xv xv_int(int64_t i)
{
    xv v = { .kind = XV_INT, .sub = XV_SUB_INT32 };
    v.u.i = i;
    return v;
}
static inline xv xv_long(int64_t i)
{
    xv v = { .kind = XV_INT, .sub = XV_SUB_INT64 };
    v.u.i = i;
    return v;
}
static inline xv xv_double(double d)
{
    xv v = { .kind = XV_DOUBLE };
    v.u.d = d;
    return v;
}
static inline xv xv_char(uint16_t ch)
{
    xv v = { .kind = XV_CHAR };
    v.u.ch = ch;
    return v;
}
/* Borrows s: s must outlive the evaluation (arena or config memory). */
static inline xv xv_str(str s)
{
    xv v = { .kind = XV_STR };
    v.u.s = s;
    return v;
}
static inline xv xv_bytes(str s)
{
    xv v = { .kind = XV_BYTES };
    v.u.s = s;
    return v;
}
static inline xv xv_obj(const xv_class *cls, void *ptr)
{
    xv v = { .kind = XV_OBJ };
    v.u.obj.cls = cls;
    v.u.obj.ptr = ptr;
    return v;
}
static inline bool xv_is_null(xv v)
{
    return v.kind == XV_NULL;
}

/* Copies s into the env arena. Fails (-1 + fatal error) only at the arena cap. */
int xv_str_copy(expr_env *env, const char *p, size_t n, xv *out);
/* printf into the env arena as an XV_STR. */
int xv_str_printf(expr_env *env, xv *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Wraps j (taking the caller's reference) and registers its decref with the arena. */
int xv_json(expr_env *env, json_t *j, xv *out);
/* New empty list/dict in the env arena. */
xv_list *xv_list_new(expr_env *env, uint8_t flavor, const xv_class *elem);
int xv_list_push(expr_env *env, xv_list *l, xv v);
xv_dict *xv_dict_new(expr_env *env, bool ci);
/* Sets key (copied into the arena) to v, replacing an existing entry. */
int xv_dict_set(expr_env *env, xv_dict *d, str key, xv v);
/* Looks key up; NULL when absent. */
xv *xv_dict_get(const xv_dict *d, str key);
bool xv_dict_remove(xv_dict *d, str key);
/* Same, for building host data outside an evaluation (runtime/ fills headers, variables). */
xv_list *xv_list_new_in(arena *a, uint8_t flavor, const xv_class *elem);
int xv_list_push_in(arena *a, xv_list *l, xv v);
xv_dict *xv_dict_new_in(arena *a, bool ci);
int xv_dict_set_in(arena *a, xv_dict *d, str key, xv v);

/* ---- conversions and operations with C# semantics ---- */

/* The run-time class of v (String for XV_STR, JObject/JArray/JValue for XV_JSON, ...). */
const xv_class *xv_class_of(xv v);
/* .NET ToString() with the invariant culture ("True", "1.5", DateTime's default format,
 * JToken indented JSON, JValue strings without quotes). Result in the env arena. */
int xv_to_string(expr_env *env, xv v, str *out);
/* C# == (ordinal strings, numeric promotion, JValue vs primitive compares the value). */
bool xv_equals(xv a, xv b);
/* Ordering for comparisons and OrderBy: -1, 0, 1; -2 when not comparable. */
int xv_compare(xv a, xv b);
/* Converts v to JSON (for eval output, JToken.FromObject, new JProperty(k, v)). New reference. */
json_t *xv_to_json(expr_env *env, xv v);
/* Converts a JSON value to an xv as a JToken (XV_JSON) — the inverse for JValue primitives is
 * xv_from_jvalue: string -> XV_STR, integer -> XV_INT(long), real -> XV_DOUBLE, ... */
int xv_from_jvalue(expr_env *env, json_t *j, xv *out);
/* Explicit conversion `(T)v` / `v as T` / `v is T`; mode: 0 = cast (throws
 * InvalidCastException), 1 = as (null on failure), 2 = is (sets *out to bool). */
int xv_convert(expr_env *env, xv v, const xv_type *t, int mode, xv *out);
/* The explicit operators of XElement / XAttribute for the node's text (value_text.c): converts
 * text to t as XmlConvert does: string, bool ("true"/"false"/"1"/"0", any case), int, long,
 * byte, double/float ("INF", "-INF", "NaN"), decimal, DateTime (ISO 8601, RoundtripKind),
 * DateTimeOffset, TimeSpan (xsd:duration "P1DT2H"), Guid, and their nullable forms. is_null:
 * the node itself is null: string and nullable targets give null, value targets throw
 * ArgumentNullException naming `param` ("element", "attribute"). Returns 1 with *out, 0 when
 * t is none of these (the cast then fails as usual), -1 after expr_throw() (FormatException,
 * OverflowException). text must outlive the evaluation (it is returned as is for string). */
int expr_xml_text_convert(expr_env *env, str text, bool is_null, const char *param,
                          const xv_type *t, xv *out);
/* Enumerates any enumerable value (list, dict as KeyValuePairs, JArray, JObject properties,
 * string chars) into a list snapshot. Throws for non-enumerables. */
int xv_enumerate(expr_env *env, xv v, xv_list **out);
/* Calls a lambda (XV_LAMBDA) with n arguments. Implemented in eval.c. */
int expr_call_lambda(expr_env *env, xv fn, const xv *args, size_t n, xv *out);
/* Name of a kind or class for messages: "string", "JObject", "null". */
const char *xv_type_name(xv v);

/* Looks up a class by a type name as written in code ("string", "JObject", "IResponse",
 * "System.Text.Encoding"); NULL when unknown. */
const xv_class *expr_find_class(str name);

#endif
