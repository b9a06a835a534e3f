/* APIM's string helpers for credentials (spec/expressions.md §2): AsJwt(), TryParseJwt(out),
 * AsBasic(), TryParseBasic(out), and the classes Jwt and BasicAuthCredentials.
 * AsJwt parses a compact JWS without checking the signature (validate-jwt does that). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"

#define COUNT(a)      (sizeof(a) / sizeof((a)[0]))
#define TICKS_PER_SEC 10000000LL
#define UNIX_EPOCH    621355968000000000LL /* 1970-01-01 in .NET ticks */

typedef struct jwt {
    str id, alg, iss, sub, typ; /* ptr NULL = absent */
    xv_list *aud;               /* string[] */
    xv_dict *claims;            /* claim -> string[] */
    int64_t exp, nbf, iat;      /* ticks; 0 = absent */
} jwt;

typedef struct basic_creds {
    str user, password;
} basic_creds;

extern const xv_class expr_class_jwt, expr_class_basic;

/* ---- base64 / base64url ---- */

static int b64val(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+' || ch == '-')
        return 62;
    if (ch == '/' || ch == '_')
        return 63;
    return -1;
}

/* Decodes standard or URL-safe base64, padded or not, into the env arena. -1 when the
 * text is not base64 (no exception) or at the arena cap (fatal error set). */
static int b64_decode(expr_env *env, str s, str *out)
{
    while (s.len && s.ptr[s.len - 1] == '=')
        s.len--;
    if (s.len % 4 == 1)
        return -1;
    char *p = arena_alloc(env->a, s.len * 3 / 4 + 1);
    if (!p)
        return expr_throw(env, "OutOfMemoryException", "arena cap reached");
    size_t k = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < s.len; i++) {
        int v = b64val((unsigned char)s.ptr[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            p[k++] = (char)((acc >> bits) & 0xff);
        }
    }
    *out = str_make(p, k);
    return 0;
}

/* ---- Jwt ---- */

/* The text of a claim value as System.IdentityModel gives it: strings as they are, other
 * values as compact JSON ("true", "42", "{...}"). */
static int claim_text(expr_env *env, json_t *v, str *out)
{
    xv tmp;
    if (json_is_string(v)) {
        if (xv_str_copy(env, json_string_value(v), json_string_length(v), &tmp) < 0)
            return -1;
        *out = tmp.u.s;
        return 0;
    }
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s)
        return expr_throw(env, "OutOfMemoryException", "out of memory");
    int rc = xv_str_copy(env, s, strlen(s), &tmp);
    free(s);
    if (rc < 0)
        return -1;
    *out = tmp.u.s;
    return 0;
}

static int claim_push(expr_env *env, xv_list *l, json_t *v)
{
    str t;
    if (claim_text(env, v, &t) < 0)
        return -1;
    return xv_list_push(env, l, xv_str(t));
}

static int claim_string(expr_env *env, json_t *obj, const char *key, str *out)
{
    json_t *v = json_object_get(obj, key);
    *out = STR_NULL;
    if (!v || json_is_null(v))
        return 0;
    return claim_text(env, v, out);
}

static int64_t claim_time(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        return 0;
    double secs = json_number_value(v);
    if (secs < -62135596800.0 || secs > 253402300799.0)
        return 0;
    return UNIX_EPOCH + (int64_t)(secs * (double)TICKS_PER_SEC);
}

/* Decodes one base64url JSON object segment; NULL when malformed (or fatal error set). */
static json_t *segment(expr_env *env, str seg)
{
    str raw;
    if (seg.len == 0 || b64_decode(env, seg, &raw) < 0)
        return NULL;
    json_t *j = json_loadb(raw.ptr, raw.len, 0, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static int jwt_fill(expr_env *env, json_t *head, json_t *body, jwt *t)
{
    if (claim_string(env, head, "alg", &t->alg) < 0 ||
        claim_string(env, head, "typ", &t->typ) < 0 || claim_string(env, body, "jti", &t->id) < 0 ||
        claim_string(env, body, "iss", &t->iss) < 0 || claim_string(env, body, "sub", &t->sub) < 0)
        return -1;
    t->exp = claim_time(body, "exp");
    t->nbf = claim_time(body, "nbf");
    t->iat = claim_time(body, "iat");
    t->aud = xv_list_new(env, XV_LIST_ARRAY, &expr_class_string);
    t->claims = xv_dict_new(env, false);
    if (!t->aud || !t->claims)
        return -1;
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        xv lv = { .kind = XV_LIST };
        lv.u.list = xv_list_new(env, XV_LIST_ARRAY, &expr_class_string);
        if (!lv.u.list)
            return -1;
        if (json_is_array(v)) {
            size_t i;
            json_t *item;
            json_array_foreach(v, i, item)
            {
                if (claim_push(env, lv.u.list, item) < 0)
                    return -1;
            }
        } else if (!json_is_null(v) && claim_push(env, lv.u.list, v) < 0) {
            return -1;
        }
        if (xv_dict_set(env, t->claims, str_from(key), lv) < 0)
            return -1;
        if (!strcmp(key, "aud")) {
            for (size_t i = 0; i < lv.u.list->n; i++) {
                if (xv_list_push(env, t->aud, lv.u.list->items[i]) < 0)
                    return -1;
            }
        }
    }
    t->claims->readonly = true;
    return 0;
}

/* Parses a compact JWS (header.payload.signature) into *out (null when malformed). */
static int jwt_parse(expr_env *env, xv s, xv *out)
{
    *out = xv_null();
    if (s.kind != XV_STR)
        return 0;
    str text = s.u.s;
    size_t dots[3], nd = 0;
    for (size_t i = 0; i < text.len; i++) {
        if (text.ptr[i] == '.') {
            if (nd == 2)
                return 0;
            dots[nd++] = i;
        } else if (b64val((unsigned char)text.ptr[i]) < 0 && text.ptr[i] != '=') {
            return 0;
        }
    }
    if (nd != 2)
        return 0;
    json_t *head = segment(env, str_make(text.ptr, dots[0]));
    json_t *body =
        head ? segment(env, str_make(text.ptr + dots[0] + 1, dots[1] - dots[0] - 1)) : NULL;
    int rc = 0;
    if (head && body) {
        jwt *t = arena_alloc(env->a, sizeof *t);
        if (!t)
            rc = expr_throw(env, "OutOfMemoryException", "arena cap reached");
        else if ((rc = jwt_fill(env, head, body, t)) == 0)
            *out = xv_obj(&expr_class_jwt, t);
    }
    json_decref(head);
    json_decref(body);
    return env->err.fatal ? -1 : rc;
}

static const jwt *self_jwt(expr_env *env, xv self)
{
    if (self.kind != XV_OBJ || self.u.obj.cls != &expr_class_jwt) {
        expr_throw(env, "NullReferenceException",
                   "Object reference not set to an instance of an object.");
        return NULL;
    }
    return self.u.obj.ptr;
}

static xv opt_str(str s)
{
    return s.ptr ? xv_str(s) : xv_null();
}

static xv opt_time(int64_t ticks)
{
    xv v = { .kind = XV_DATETIME };
    v.u.dt.ticks = ticks;
    v.u.dt.kind = XV_DT_UTC;
    return ticks ? v : xv_null();
}

#define JWT_GETTER(fn, expr_)                                                                      \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        const jwt *t = self_jwt(env, self);                                                        \
        if (!t)                                                                                    \
            return -1;                                                                             \
        *out = (expr_);                                                                            \
        return 0;                                                                                  \
    }

static xv list_v(xv_list *l)
{
    xv v = { .kind = XV_LIST };
    v.u.list = l;
    return v;
}

static xv dict_v(xv_dict *d)
{
    xv v = { .kind = XV_DICT };
    v.u.dict = d;
    return v;
}

JWT_GETTER(jwt_algorithm, opt_str(t->alg))
JWT_GETTER(jwt_audiences, list_v(t->aud))
JWT_GETTER(jwt_claims, dict_v(t->claims))
JWT_GETTER(jwt_expiration, opt_time(t->exp))
JWT_GETTER(jwt_id, opt_str(t->id))
JWT_GETTER(jwt_issued_at, opt_time(t->iat))
JWT_GETTER(jwt_issuer, opt_str(t->iss))
JWT_GETTER(jwt_not_before, opt_time(t->nbf))
JWT_GETTER(jwt_subject, opt_str(t->sub))
JWT_GETTER(jwt_type, opt_str(t->typ))

static const xv_member jwt_members[] = {
    { "Algorithm", jwt_algorithm, &expr_class_string, 0, NULL },
    { "Audiences", jwt_audiences, &expr_class_list, 0, NULL },
    { "Claims", jwt_claims, &expr_class_dict, 0, NULL },
    { "ExpirationTime", jwt_expiration, &expr_class_datetime, 0, NULL },
    { "Id", jwt_id, &expr_class_string, 0, NULL },
    { "IssuedAt", jwt_issued_at, &expr_class_datetime, 0, NULL },
    { "Issuer", jwt_issuer, &expr_class_string, 0, NULL },
    { "NotBefore", jwt_not_before, &expr_class_datetime, 0, NULL },
    { "Subject", jwt_subject, &expr_class_string, 0, NULL },
    { "Type", jwt_type, &expr_class_string, 0, NULL },
};

const xv_class expr_class_jwt = {
    .name = "Jwt",
    .members = jwt_members,
    .nmembers = COUNT(jwt_members),
};

/* ---- BasicAuthCredentials ---- */

/* "Basic base64(user:password)" -> BasicAuthCredentials, or null. */
static int basic_parse(expr_env *env, xv s, xv *out)
{
    *out = xv_null();
    if (s.kind != XV_STR)
        return 0;
    str text = str_trim(s.u.s);
    if (text.len < 6 || !str_ieq(str_make(text.ptr, 5), STR_LIT("Basic")) ||
        !isspace((unsigned char)text.ptr[5]))
        return 0;
    str b64 = str_trim(str_make(text.ptr + 6, text.len - 6)), raw;
    if (b64.len == 0 || b64.len % 4 != 0 || b64_decode(env, b64, &raw) < 0)
        return env->err.fatal ? -1 : 0;
    const char *colon = memchr(raw.ptr, ':', raw.len);
    if (!colon)
        return 0;
    basic_creds *bc = arena_alloc(env->a, sizeof *bc);
    if (!bc)
        return expr_throw(env, "OutOfMemoryException", "arena cap reached");
    bc->user = str_make(raw.ptr, (size_t)(colon - raw.ptr));
    bc->password = str_make(colon + 1, raw.len - bc->user.len - 1);
    *out = xv_obj(&expr_class_basic, bc);
    return 0;
}

static int basic_get(expr_env *env, xv self, bool password, xv *out)
{
    if (self.kind != XV_OBJ || self.u.obj.cls != &expr_class_basic)
        return expr_throw(env, "NullReferenceException",
                          "Object reference not set to an instance of an object.");
    const basic_creds *bc = self.u.obj.ptr;
    *out = xv_str(password ? bc->password : bc->user);
    return 0;
}

static int basic_password(expr_env *env, xv self, xv *out)
{
    return basic_get(env, self, true, out);
}

static int basic_user(expr_env *env, xv self, xv *out)
{
    return basic_get(env, self, false, out);
}

static const xv_member basic_members[] = {
    { "Password", basic_password, &expr_class_string, 0, NULL },
    { "UserId", basic_user, &expr_class_string, 0, NULL },
    { "Username", basic_user, &expr_class_string, 0, NULL },
};

const xv_class expr_class_basic = {
    .name = "BasicAuthCredentials",
    .members = basic_members,
    .nmembers = COUNT(basic_members),
};

/* ---- extension methods on string ---- */

static int ext_as_jwt(xv_call *c, xv *out)
{
    return jwt_parse(c->env, c->self, out);
}

static int ext_as_basic(xv_call *c, xv *out)
{
    return basic_parse(c->env, c->self, out);
}

/* TryParseX(out X result): the result goes through refs[0]. */
static int ext_try(xv_call *c, int (*parse)(expr_env *, xv, xv *), xv *out)
{
    xv r;
    if (parse(c->env, c->self, &r) < 0)
        return -1;
    if (c->refs && c->refs[0])
        *c->refs[0] = r;
    *out = xv_bool(r.kind != XV_NULL);
    return 0;
}

static int ext_try_jwt(xv_call *c, xv *out)
{
    return ext_try(c, jwt_parse, out);
}

static int ext_try_basic(xv_call *c, xv *out)
{
    return ext_try(c, basic_parse, out);
}

static const xv_method ext_methods[] = {
    { "AsBasic", 0, 0, ext_as_basic, &expr_class_basic, 0, NULL },
    { "AsJwt", 0, 0, ext_as_jwt, &expr_class_jwt, 0, NULL },
    { "TryParseBasic", 1, 1, ext_try_basic, &expr_class_bool, XV_M_OUT_LAST, "result" },
    { "TryParseJwt", 1, 1, ext_try_jwt, &expr_class_bool, XV_M_OUT_LAST, "result" },
};

static const xv_class class_ext = {
    .name = "ApiManagementStringExtensions",
    .flags = XV_CLASS_EXTENSION | XV_CLASS_STATIC,
    .methods = ext_methods,
    .nmethods = COUNT(ext_methods),
};

static const xv_class *const classes[] = {
    &expr_class_jwt,
    &expr_class_basic,
    &class_ext,
    NULL,
};
const xv_lib expr_lib_jwt = { "jwt", classes };
