/* Builds the `context` of policy expressions from a CTX.json object (DESIGN.md §4b).
 *
 * Keys (all optional): request {method, url, ip, headers, body}, response {status, reason,
 * headers, body}, variables, subscription, user, api, operation, product, matchedParameters,
 * timestamp, random, lastError {source, reason, message, scope, section, path, policyId},
 * workspace {id, name}, requestId, tracing. Defaults: see rt_ctx_from_json. */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/civil.h"
#include "ctx_impl.h"

#define DEFAULT_TICKS RT_CTX_DEFAULT_TICKS

int rt_jp_fail(rt_jp *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (p->errlen)
        vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void decref_cb(void *j)
{
    json_decref(j);
}

int rt_jp_oom(rt_jp *p)
{
    return rt_jp_fail(p, "out of memory building the context");
}

/* Copies s into the arena (NUL-terminated). */
int rt_jp_dup_str(rt_jp *p, const char *s, size_t n, str *out)
{
    char *c = arena_strndup(p->a, s, n);
    if (!c)
        return rt_jp_oom(p);
    *out = str_make(c, n);
    return 0;
}

/* A string, number or boolean as text in the arena; 1 when v is none of them. */
static int scalar_text(rt_jp *p, const json_t *v, str *out)
{
    if (json_is_string(v))
        return rt_jp_dup_str(p, json_string_value(v), json_string_length(v), out);
    if (json_is_integer(v) || json_is_real(v) || json_is_boolean(v)) {
        char *s = json_dumps(v, JSON_ENCODE_ANY);
        int rc = s ? rt_jp_dup_str(p, s, strlen(s), out) : rt_jp_oom(p);
        free(s);
        return rc;
    }
    return 1;
}

/* obj.key as a string; absent or null -> def. Numbers and booleans are accepted as text. */
int rt_jp_str(rt_jp *p, const json_t *obj, const char *where, const char *key, str def, str *out)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    *out = def;
    if (!v || json_is_null(v))
        return 0;
    int rc = scalar_text(p, v, out);
    if (rc > 0)
        return rt_jp_fail(p, "'%s%s%s' must be a string", where, *where ? "." : "", key);
    return rc;
}

int rt_jp_bool(rt_jp *p, const json_t *obj, const char *where, const char *key, bool def, bool *out)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    *out = def;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return rt_jp_fail(p, "'%s%s%s' must be a boolean", where, *where ? "." : "", key);
    *out = json_is_true(v);
    return 0;
}

/* An optional member that must be an object when present. */
int rt_jp_obj(rt_jp *p, const json_t *obj, const char *key, const json_t **out)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return rt_jp_fail(p, "'%s' must be an object", key);
    *out = v;
    return 0;
}

static int digits(const char **s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*s)[i]))
            return -1;
        v = v * 10 + ((*s)[i] - '0');
    }
    *s += n;
    *out = v;
    return 0;
}

/* ISO-8601 UTC date-time (YYYY-MM-DD[THH:MM[:SS[.fffffff]]][Z|±HH:MM]) -> ticks. */
int rt_jp_iso_ticks(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (digits(&s, 4, &y) < 0 || *s++ != '-' || digits(&s, 2, &mo) < 0 || *s++ != '-' ||
        digits(&s, 2, &d) < 0)
        return -1;
    int64_t frac = 0;
    if (*s == 'T' || *s == 't' || *s == ' ') {
        s++;
        if (digits(&s, 2, &h) < 0 || *s++ != ':' || digits(&s, 2, &mi) < 0)
            return -1;
        if (*s == ':') {
            s++;
            if (digits(&s, 2, &se) < 0)
                return -1;
            if (*s == '.') {
                s++;
                int64_t scale = 1000000;
                if (!isdigit((unsigned char)*s))
                    return -1;
                for (; isdigit((unsigned char)*s); s++, scale /= 10)
                    frac += (*s - '0') * scale;
            }
        }
    }
    int64_t off = 0;
    if (*s == 'Z' || *s == 'z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        int sign = *s++ == '-' ? -1 : 1, oh, om;
        if (digits(&s, 2, &oh) < 0)
            return -1;
        if (*s == ':')
            s++;
        if (digits(&s, 2, &om) < 0)
            return -1;
        off = sign * ((int64_t)oh * 3600 + om * 60) * TICKS_PER_SEC;
    }
    if (*s || y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59)
        return -1;
    int64_t days = civil_days_from(y, mo, d) + DAYS_TO_1970;
    *out = days * TICKS_PER_DAY + ((int64_t)h * 3600 + mi * 60 + se) * TICKS_PER_SEC + frac - off;
    return 0;
}

int rt_jp_time(rt_jp *p, const json_t *obj, const char *where, const char *key, int64_t def,
               int64_t *out)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    *out = def;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || rt_jp_iso_ticks(json_string_value(v), out) < 0)
        return rt_jp_fail(p, "'%s%s%s' must be an ISO-8601 date-time such as 2026-01-01T00:00:00Z",
                          where, *where ? "." : "", key);
    return 0;
}

/* ---- headers, query, URLs, bodies ---- */

xv_list *rt_jp_str_list(rt_jp *p)
{
    xv_list *l = xv_list_new_in(p->a, XV_LIST_ARRAY, &expr_class_string);
    if (!l)
        rt_jp_oom(p);
    return l;
}

/* Appends value to the string[] stored under name in d (creating it). */
static int multi_add(rt_jp *p, xv_dict *d, str name, str value)
{
    xv *slot = xv_dict_get(d, name);
    if (slot)
        return xv_list_push_in(p->a, slot->u.list, xv_str(value)) < 0 ? rt_jp_oom(p) : 0;
    /* a new name: its string[] and first item in one allocation */
    struct {
        xv_list l;
        xv item;
    } *b = arena_alloc(p->a, sizeof *b);
    if (!b)
        return rt_jp_oom(p);
    b->item = xv_str(value);
    b->l = (xv_list){
        .items = &b->item, .n = 1, .cap = 1, .elem = &expr_class_string, .flavor = XV_LIST_ARRAY
    };
    xv lv = { .kind = XV_LIST };
    lv.u.list = &b->l;
    return xv_dict_set_in(p->a, d, name, lv) < 0 ? rt_jp_oom(p) : 0;
}

/* headers: { name: "v" | ["v1", "v2"] } -> ci dict of string[] */
static int get_headers(rt_jp *p, const json_t *obj, const char *where, xv_dict **out)
{
    xv_dict *d = xv_dict_new_in(p->a, true);
    if (!d)
        return rt_jp_oom(p);
    const json_t *h = obj ? json_object_get(obj, "headers") : NULL;
    if (h && !json_is_null(h) && !json_is_object(h))
        return rt_jp_fail(p, "'%s.headers' must be an object", where);
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)h, name, v)
    {
        str key = STR_NULL, val = STR_NULL;
        if (rt_jp_dup_str(p, name, strlen(name), &key) < 0)
            return -1;
        if (json_is_array(v)) {
            size_t i;
            const json_t *item;
            json_array_foreach(v, i, item)
            {
                int rc = scalar_text(p, item, &val);
                if (rc > 0)
                    return rt_jp_fail(p, "'%s.headers.%s' must be a string or an array of strings",
                                      where, name);
                if (rc < 0 || multi_add(p, d, key, val) < 0)
                    return -1;
            }
            if (!xv_dict_get(d, key)) {
                xv lv = { .kind = XV_LIST };
                lv.u.list = rt_jp_str_list(p);
                if (!lv.u.list || xv_dict_set_in(p->a, d, key, lv) < 0)
                    return rt_jp_oom(p);
            }
        } else {
            int rc = scalar_text(p, v, &val);
            if (rc > 0)
                return rt_jp_fail(p, "'%s.headers.%s' must be a string or an array of strings",
                                  where, name);
            if (rc < 0 || multi_add(p, d, key, val) < 0)
                return -1;
        }
    }
    d->readonly = true;
    *out = d;
    return 0;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* URL-decodes s[0..n) ('+' is a space) into the arena. */
static int url_decode(rt_jp *p, const char *s, size_t n, str *out)
{
    char *d = arena_alloc(p->a, n + 1);
    if (!d)
        return rt_jp_oom(p);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            d[k++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            d[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            d[k++] = s[i];
        }
    }
    *out = str_make(d, k);
    return 0;
}

static int parse_query(rt_jp *p, str q, xv_dict *d)
{
    size_t i = 0;
    while (i < q.len) {
        size_t end = i, eq;
        while (end < q.len && q.ptr[end] != '&')
            end++;
        for (eq = i; eq < end && q.ptr[eq] != '='; eq++)
            ;
        str name, value = STR_LIT("");
        if (end > i) {
            if (url_decode(p, q.ptr + i, eq - i, &name) < 0 ||
                (eq < end && url_decode(p, q.ptr + eq + 1, end - eq - 1, &value) < 0) ||
                multi_add(p, d, name, value) < 0)
                return -1;
        }
        i = end + 1;
    }
    return 0;
}

static str lower(rt_jp *p, const char *s, size_t n)
{
    char *c = arena_strndup(p->a, s, n);
    if (!c)
        return STR_NULL;
    for (size_t i = 0; i < n; i++)
        c[i] = (char)tolower((unsigned char)c[i]);
    return str_make(c, n);
}

/* scheme://host[:port][/path][?query][#fragment]; a bare "/path" gets https://localhost. */
int rt_jp_parse_url(rt_jp *p, const char *where, const char *text, rt_url **out)
{
    rt_url *u = arena_alloc(p->a, sizeof *u);
    if (!u || !(u->query = xv_dict_new_in(p->a, true)))
        return rt_jp_oom(p);
    const char *s = text, *sep = strstr(s, "://");
    if (*s == '/') {
        u->scheme = STR_LIT("https");
        u->host = STR_LIT("localhost");
    } else {
        if (!sep || sep == s)
            return rt_jp_fail(p, "'%s': not an absolute URL: '%s'", where, text);
        u->scheme = lower(p, s, (size_t)(sep - s));
        s = sep + 3;
        const char *h = s;
        if (*s == '[') {
            while (*s && *s != ']')
                s++;
            if (*s)
                s++;
        } else {
            s += strcspn(s, ":/?#");
        }
        if (s == h)
            return rt_jp_fail(p, "'%s': URL without a host: '%s'", where, text);
        u->host = lower(p, h, (size_t)(s - h));
        if (!u->scheme.ptr || !u->host.ptr)
            return rt_jp_oom(p);
    }
    u->port = str_eq_cstr(u->scheme, "https") ? 443 : str_eq_cstr(u->scheme, "http") ? 80 : -1;
    if (*s == ':') {
        long port = 0;
        s++;
        if (!isdigit((unsigned char)*s))
            return rt_jp_fail(p, "'%s': bad port in URL '%s'", where, text);
        while (isdigit((unsigned char)*s) && port <= 65535)
            port = port * 10 + (*s++ - '0');
        if (port > 65535 || (*s && !strchr("/?#", *s)))
            return rt_jp_fail(p, "'%s': bad port in URL '%s'", where, text);
        u->port = (int)port;
    }
    const char *path = s;
    s += strcspn(s, "?#");
    if (s == path)
        u->path = STR_LIT("/");
    else if (rt_jp_dup_str(p, path, (size_t)(s - path), &u->path) < 0)
        return -1;
    u->query_string = STR_LIT("");
    if (*s == '?') {
        const char *q = s;
        s += strcspn(s, "#");
        if (s - q > 1 && rt_jp_dup_str(p, q, (size_t)(s - q), &u->query_string) < 0)
            return -1;
        if (parse_query(p, str_make(q + 1, (size_t)(s - q - 1)), u->query) < 0)
            return -1;
    }
    u->query->readonly = true;
    *out = u;
    return 0;
}

rt_url *rt_url_parse_shared(arena *a, str text)
{
    char err[8];
    rt_jp p = { a, err, sizeof err, DEFAULT_TICKS };
    char *t = arena_strndup(a, text.ptr, text.len);
    rt_url *u = NULL;
    if (!t || strlen(t) != text.len || rt_jp_parse_url(&p, "url", t, &u) < 0)
        return NULL;
    return u->query->n || u->query_string.len ? NULL : u;
}

/* The default request URL https://localhost/, as rt_jp_parse_url gives it (without parsing). */
static int default_url(rt_jp *p, rt_url **out)
{
    rt_url *u = arena_alloc(p->a, sizeof *u);
    if (!u || !(u->query = xv_dict_new_in(p->a, true)))
        return rt_jp_oom(p);
    u->scheme = STR_LIT("https");
    u->host = STR_LIT("localhost");
    u->path = STR_LIT("/");
    u->query_string = STR_LIT("");
    u->port = 443;
    u->query->readonly = true;
    *out = u;
    return 0;
}

/* body: a string (raw bytes) or any other JSON value (serialized compactly). */
static int get_body(rt_jp *p, const json_t *obj, const xv_dict *headers, expr_body **out)
{
    const json_t *v = obj ? json_object_get(obj, "body") : NULL;
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    expr_body *b = arena_alloc(p->a, sizeof *b);
    if (!b)
        return rt_jp_oom(p);
    if (json_is_string(v)) {
        if (rt_jp_dup_str(p, json_string_value(v), json_string_length(v), &b->bytes) < 0)
            return -1;
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        int rc = s ? rt_jp_dup_str(p, s, strlen(s), &b->bytes) : rt_jp_oom(p);
        free(s);
        if (rc < 0)
            return -1;
        b->content_type = STR_LIT("application/json");
    }
    const xv *ct = xv_dict_get(headers, STR_LIT("Content-Type"));
    if (ct && ct->kind == XV_LIST && ct->u.list->n > 0)
        b->content_type = ct->u.list->items[0].u.s;
    *out = b;
    return 0;
}

/* ---- records ---- */

static int build_request(rt_jp *p, const json_t *ctx, rt_request *r)
{
    const json_t *o;
    if (rt_jp_obj(p, ctx, "request", &o) < 0 ||
        rt_jp_str(p, o, "request", "method", STR_LIT("GET"), &r->method) < 0 ||
        rt_jp_str(p, o, "request", "ip", STR_LIT("127.0.0.1"), &r->ip) < 0 ||
        get_headers(p, o, "request", &r->headers) < 0 || get_body(p, o, r->headers, &r->body) < 0)
        return -1;
    str url;
    if (rt_jp_str(p, o, "request", "url", STR_NULL, &url) < 0 ||
        (url.ptr ? rt_jp_parse_url(p, "request.url", url.ptr, &r->url) : default_url(p, &r->url)) <
            0)
        return -1;
    r->original_url = r->url;
    char *up = arena_strndup(p->a, r->method.ptr, r->method.len);
    if (!up)
        return rt_jp_oom(p);
    for (size_t i = 0; i < r->method.len; i++)
        up[i] = (char)toupper((unsigned char)up[i]);
    r->method = str_make(up, r->method.len);
    r->matched = xv_dict_new_in(p->a, true);
    if (!r->matched)
        return rt_jp_oom(p);
    const json_t *m;
    if (rt_jp_obj(p, ctx, "matchedParameters", &m) < 0)
        return -1;
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)m, name, v)
    {
        str val = STR_NULL;
        if (rt_jp_str(p, m, "matchedParameters", name, STR_LIT(""), &val) < 0 ||
            xv_dict_set_in(p->a, r->matched, str_from(name), xv_str(val)) < 0)
            return -1;
    }
    r->matched->readonly = true;
    return 0;
}

static const char *reason_phrase(int status)
{
    static const struct {
        int code;
        const char *text;
    } phrases[] = {
        { 200, "OK" },
        { 201, "Created" },
        { 202, "Accepted" },
        { 204, "No Content" },
        { 301, "Moved Permanently" },
        { 302, "Found" },
        { 304, "Not Modified" },
        { 400, "Bad Request" },
        { 401, "Unauthorized" },
        { 403, "Forbidden" },
        { 404, "Not Found" },
        { 405, "Method Not Allowed" },
        { 408, "Request Timeout" },
        { 409, "Conflict" },
        { 413, "Payload Too Large" },
        { 415, "Unsupported Media Type" },
        { 429, "Too Many Requests" },
        { 500, "Internal Server Error" },
        { 501, "Not Implemented" },
        { 502, "Bad Gateway" },
        { 503, "Service Unavailable" },
        { 504, "Gateway Timeout" },
    };
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++) {
        if (phrases[i].code == status)
            return phrases[i].text;
    }
    return "";
}

/* response {status, reason, headers, body}; also the shape of IResponse variables. */
static int build_response(rt_jp *p, const json_t *o, const char *where, rt_response *r)
{
    const json_t *st = o ? json_object_get(o, "status") : NULL;
    r->status = 200;
    if (st && !json_is_null(st)) {
        if (!json_is_integer(st) || json_integer_value(st) < 100 || json_integer_value(st) > 999)
            return rt_jp_fail(p, "'%s.status' must be an integer HTTP status", where);
        r->status = (int)json_integer_value(st);
    }
    return rt_jp_str(p, o, where, "reason", str_from(reason_phrase(r->status)), &r->reason) < 0 ||
                   get_headers(p, o, where, &r->headers) < 0 ||
                   get_body(p, o, r->headers, &r->body) < 0
               ? -1
               : 0;
}

/* ---- variables ---- */

static int variable_value(rt_jp *p, const char *name, json_t *v, xv *out)
{
    *out = xv_null();
    switch (json_typeof(v)) {
    case JSON_STRING: {
        str s = STR_NULL;
        if (rt_jp_dup_str(p, json_string_value(v), json_string_length(v), &s) < 0)
            return -1;
        *out = xv_str(s);
        return 0;
    }
    case JSON_INTEGER: {
        json_int_t i = json_integer_value(v);
        *out = i >= INT32_MIN && i <= INT32_MAX ? xv_int(i) : xv_long(i);
        return 0;
    }
    case JSON_REAL:
        *out = xv_double(json_real_value(v));
        return 0;
    case JSON_TRUE:
        *out = xv_bool(true);
        return 0;
    case JSON_FALSE:
        *out = xv_bool(false);
        return 0;
    case JSON_NULL:
        return 0;
    default:
        break;
    }
    /* {"$response": {status, reason, headers, body}} stands for a send-request result. */
    json_t *resp = json_object_get(v, "$response");
    if (resp && json_object_size(v) == 1) {
        rt_response *r = arena_alloc(p->a, sizeof *r);
        char where[300];
        snprintf(where, sizeof where, "variables.%s.$response", name);
        if (!r)
            return rt_jp_oom(p);
        if (!json_is_object(resp))
            return rt_jp_fail(p, "'%s' must be an object", where);
        if (build_response(p, resp, where, r) < 0)
            return -1;
        *out = xv_obj(&expr_class_response, r);
        return 0;
    }
    /* {"$authorization": {accessToken, claims}} stands for get-authorization-context's result. */
    json_t *auth = json_object_get(v, "$authorization");
    if (auth && json_object_size(v) == 1) {
        expr_authorization *az = arena_alloc(p->a, sizeof *az);
        if (!az)
            return rt_jp_oom(p);
        if (!json_is_object(auth))
            return rt_jp_fail(p, "'variables.%s.$authorization' must be an object", name);
        const char *tok = json_string_value(json_object_get(auth, "accessToken"));
        if (tok)
            az->access_token = arena_str(p->a, str_from(tok));
        json_t *claims = json_object_get(auth, "claims");
        if (json_is_object(claims)) {
            az->claims = xv_dict_new_in(p->a, false);
            if (!az->claims)
                return rt_jp_oom(p);
            const char *k;
            json_t *cv;
            json_object_foreach(claims, k, cv)
            {
                xv x;
                if (variable_value(p, k, cv, &x) < 0 ||
                    xv_dict_set_in(p->a, az->claims, str_from(k), x) < 0)
                    return -1;
            }
        }
        *out = xv_obj(&expr_class_authorization, az);
        return 0;
    }
    json_t *copy = json_deep_copy(v);
    if (!copy || arena_defer(p->a, decref_cb, copy) < 0) {
        json_decref(copy);
        return rt_jp_oom(p);
    }
    out->kind = XV_JSON;
    out->u.j = copy;
    return 0;
}

static int build_variables(rt_jp *p, const json_t *ctx, rt_ctx *c)
{
    const json_t *o;
    if (rt_jp_obj(p, ctx, "variables", &o) < 0)
        return -1;
    c->variables = xv_dict_new_in(p->a, false);
    if (!c->variables)
        return rt_jp_oom(p);
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)o, name, v)
    {
        xv val;
        if (variable_value(p, name, v, &val) < 0)
            return -1;
        if (xv_dict_set_in(p->a, c->variables, str_from(name), val) < 0)
            return rt_jp_oom(p);
    }
    c->variables->readonly = true;
    return 0;
}

/* ---- clock, random, request id ---- */

/* A new empty ci dict, read-only for expressions. */
static xv_dict *ro_dict(rt_jp *p, bool ci)
{
    xv_dict *d = xv_dict_new_in(p->a, ci);
    if (d)
        d->readonly = true;
    else
        rt_jp_oom(p);
    return d;
}

/* rt_ctx_from_json(a, NULL): the defaults of an empty context, set directly (serve builds each
 * request from them: world_in.c). The same values as the JSON path gives for {}
 * (tests/runtime/world_in compares both). */
static rt_ctx *ctx_defaults(rt_jp *p)
{
    rt_ctx *c = arena_alloc(p->a, sizeof *c);
    xv_list *protocols = rt_jp_str_list(p);
    if (!c || !protocols) {
        rt_jp_oom(p);
        return NULL;
    }
    c->a = p->a;
    c->timestamp = c->now = p->timestamp;
    rt_request *q = &c->request;
    q->method = STR_LIT("GET");
    q->ip = STR_LIT("127.0.0.1");
    if (!(q->headers = ro_dict(p, true)) || default_url(p, &q->url) < 0 ||
        !(q->matched = ro_dict(p, true)))
        return NULL;
    q->original_url = q->url;
    c->response.status = 200;
    c->response.reason = str_from(reason_phrase(200));
    if (!(c->response.headers = ro_dict(p, true)))
        return NULL;
    rt_ctx_api *api = &c->api;
    api->id = api->name = api->path = STR_LIT("");
    api->revision = STR_LIT("1");
    api->current = true;
    api->key_header = STR_LIT("Ocp-Apim-Subscription-Key");
    api->key_query = STR_LIT("subscription-key");
    if (xv_list_push_in(p->a, protocols, xv_str(STR_LIT("https"))) < 0)
        return rt_jp_oom(p), NULL;
    api->protocols = protocols;
    c->operation.id = c->operation.name = STR_LIT("");
    c->operation.method = q->method;
    c->operation.url_template = STR_LIT("/*");
    rt_deployment *d = &c->deployment;
    d->region = STR_LIT("local");
    d->service_name = d->service_id = d->gateway_id = STR_LIT("apimlite");
    if (!(d->certificates = ro_dict(p, false)) || !(c->variables = ro_dict(p, false)))
        return NULL;
    if (rt_ctx_build_random(p, NULL, c) < 0 || rt_ctx_build_request_id(p, NULL, c) < 0)
        return NULL;
    return c;
}

rt_ctx *rt_ctx_from_json(arena *a, const json_t *ctx, char *err, size_t errlen)
{
    rt_jp p = { a, err, errlen, DEFAULT_TICKS };
    if (errlen)
        err[0] = '\0';
    char dummy[1];
    if (!errlen) {
        p.err = dummy;
        p.errlen = sizeof dummy;
        dummy[0] = '\0';
    }
    if (ctx && json_is_null(ctx))
        ctx = NULL;
    if (ctx && !json_is_object(ctx)) {
        rt_jp_fail(&p, "the context must be a JSON object");
        return NULL;
    }
    if (!ctx)
        return ctx_defaults(&p);
    rt_ctx *c = arena_alloc(a, sizeof *c);
    if (!c) {
        rt_jp_oom(&p);
        return NULL;
    }
    c->a = a;
    const json_t *resp;
    if (rt_jp_time(&p, ctx, "", "timestamp", DEFAULT_TICKS, &p.timestamp) < 0)
        return NULL;
    c->timestamp = c->now = p.timestamp;
    if (build_request(&p, ctx, &c->request) < 0 || rt_jp_obj(&p, ctx, "response", &resp) < 0 ||
        build_response(&p, resp, "response", &c->response) < 0 ||
        rt_ctx_build_api(&p, ctx, &c->api) < 0 || rt_ctx_build_product(&p, ctx, c) < 0 ||
        rt_ctx_build_subscription(&p, ctx, c) < 0 || rt_ctx_build_user(&p, ctx, c) < 0 ||
        rt_ctx_build_misc(&p, ctx, c) < 0 || build_variables(&p, ctx, c) < 0 ||
        rt_ctx_build_random(&p, ctx, c) < 0 || rt_ctx_build_request_id(&p, ctx, c) < 0)
        return NULL;
    return c;
}

void rt_ctx_env(rt_ctx *c, expr_env *env, arena *a)
{
    env->a = a;
    env->host = &rt_ctx_host;
    env->host_ud = c;
    env->context = xv_obj(&expr_class_context, c);
    env->budget = EXPR_STEP_BUDGET;
    memset(&env->err, 0, sizeof env->err);
}

void rt_ctx_set_trace(rt_ctx *c, FILE *out)
{
    c->trace_out = out;
}
