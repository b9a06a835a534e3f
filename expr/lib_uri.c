/* System.Uri (parsing, components, GetLeftPart, EscapeDataString...), UriKind, UriPartial.
 * A Uri is an XV_OBJ over an arena `uri` with its components already escaped the way
 * AbsoluteUri shows them. */
#include <stdlib.h>
#include <string.h>

#include "lib1.h"

typedef struct uri {
    str original;
    bool absolute;
    bool authority; /* had "//" */
    str scheme;     /* lower case */
    str userinfo;
    str host; /* lower case; IPv6 with brackets */
    int port; /* -1 when none */
    bool default_port;
    str path;     /* escaped; "/" at least for hierarchical schemes */
    str query;    /* "?..." or "" */
    str fragment; /* "#..." or "" */
} uri;

static int default_port(str scheme)
{
    static const struct {
        const char *s;
        int p;
    } t[] = { { "http", 80 },  { "https", 443 }, { "ftp", 21 },      { "ws", 80 },
              { "wss", 443 },  { "ldap", 389 },  { "net.tcp", 808 }, { "gopher", 70 },
              { "nntp", 119 }, { "telnet", 23 } };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (str_eq_cstr(scheme, t[i].s))
            return t[i].p;
    return -1;
}

static bool is_path_char(unsigned char ch)
{
    return ch > 0x20 && ch < 0x7F && ch != '"' && ch != '<' && ch != '>' && ch != '\\' &&
           ch != '^' && ch != '`' && ch != '{' && ch != '|' && ch != '}';
}

/* Escapes characters not allowed in a URI component (keeps existing %XX escapes). */
static int escape_part(expr_env *env, str s, bool backslash_to_slash, str *out)
{
    lib1_sb b;
    lib1_sb_init(&b, env, s.len + 8);
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.ptr[i];
        if (ch == '\\' && backslash_to_slash)
            lib1_sb_putc(&b, '/');
        else if (is_path_char(ch))
            lib1_sb_putc(&b, (char)ch);
        else
            lib1_sb_printf(&b, "%%%02X", ch);
    }
    return lib1_sb_done(&b, out);
}

/* RFC 3986 remove_dot_segments. */
static int remove_dots(expr_env *env, str in, str *out)
{
    bool dots = false;
    for (size_t k = 0; k + 1 < in.len && !dots; k++)
        dots = in.ptr[k] == '/' && in.ptr[k + 1] == '.';
    if (!dots) {
        *out = in;
        return 0;
    }
    char *o = arena_alloc(env->a, in.len + 2);
    if (!o)
        return lib1_oom(env);
    size_t n = 0, i = 0;
    while (i < in.len) {
        str rest = str_make(in.ptr + i, in.len - i);
        if (str_starts_with(rest, STR_LIT("/./")) || str_eq(rest, STR_LIT("/."))) {
            i += 2;
            if (i >= in.len) {
                o[n++] = '/';
                break;
            }
        } else if (str_starts_with(rest, STR_LIT("/../")) || str_eq(rest, STR_LIT("/.."))) {
            i += 3;
            while (n > 0 && o[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
            if (i >= in.len) {
                o[n++] = '/';
                break;
            }
        } else {
            o[n++] = in.ptr[i++];
            while (i < in.len && in.ptr[i] != '/')
                o[n++] = in.ptr[i++];
        }
    }
    *out = str_make(o, n);
    return 0;
}

static bool parse_scheme(str s, size_t *colon)
{
    if (!s.len || !((s.ptr[0] | 32) >= 'a' && (s.ptr[0] | 32) <= 'z'))
        return false;
    for (size_t i = 1; i < s.len; i++) {
        char ch = s.ptr[i];
        if (ch == ':') {
            *colon = i;
            return i > 1; /* "c:" would be a drive letter */
        }
        if (!((ch | 32) >= 'a' && (ch | 32) <= 'z') && !(ch >= '0' && ch <= '9') && ch != '+' &&
            ch != '-' && ch != '.')
            return false;
    }
    return false;
}

/* Parses an absolute URI. 0 ok, 1 not absolute/invalid, -1 oom. */
static int parse_absolute(expr_env *env, str s, uri *u)
{
    size_t colon;
    memset(u, 0, sizeof *u);
    u->original = s;
    s = str_trim(s);
    if (!parse_scheme(s, &colon))
        return 1;
    if (lib1_case(env, str_make(s.ptr, colon), false, &u->scheme) < 0)
        return -1;
    str rest = str_make(s.ptr + colon + 1, s.len - colon - 1);
    u->port = -1;
    if (str_starts_with(rest, STR_LIT("//"))) {
        u->authority = true;
        rest = str_make(rest.ptr + 2, rest.len - 2);
        size_t e = 0;
        while (e < rest.len && rest.ptr[e] != '/' && rest.ptr[e] != '?' && rest.ptr[e] != '#' &&
               rest.ptr[e] != '\\')
            e++;
        str auth = str_make(rest.ptr, e);
        rest = str_make(rest.ptr + e, rest.len - e);
        const char *at = memchr(auth.ptr, '@', auth.len);
        if (at) {
            u->userinfo = str_make(auth.ptr, (size_t)(at - auth.ptr));
            auth = str_make(at + 1, auth.len - (size_t)(at - auth.ptr) - 1);
        }
        str host = auth;
        const char *pc = NULL;
        if (auth.len && auth.ptr[0] == '[') {
            const char *rb = memchr(auth.ptr, ']', auth.len);
            if (!rb)
                return 1;
            host = str_make(auth.ptr, (size_t)(rb - auth.ptr) + 1);
            if ((size_t)(rb - auth.ptr) + 1 < auth.len) {
                if (rb[1] != ':')
                    return 1;
                pc = rb + 1;
            }
        } else {
            pc = memchr(auth.ptr, ':', auth.len);
            if (pc)
                host = str_make(auth.ptr, (size_t)(pc - auth.ptr));
        }
        if (pc) {
            str ps = str_make(pc + 1, auth.len - (size_t)(pc + 1 - auth.ptr));
            long port = 0;
            if (!ps.len || ps.len > 5)
                return 1;
            for (size_t i = 0; i < ps.len; i++) {
                if (ps.ptr[i] < '0' || ps.ptr[i] > '9')
                    return 1;
                port = port * 10 + (ps.ptr[i] - '0');
            }
            if (port > 65535)
                return 1;
            u->port = (int)port;
        }
        if (!host.len && default_port(u->scheme) > 0)
            return 1;
        for (size_t i = 0; i < host.len; i++) {
            unsigned char ch = (unsigned char)host.ptr[i];
            if (ch <= 0x20 || strchr("<>\"{}|\\^`%/?#", ch))
                return 1;
        }
        if (lib1_case(env, host, false, &u->host) < 0)
            return -1;
    }
    int dp = default_port(u->scheme);
    if (u->port < 0)
        u->port = dp;
    u->default_port = u->port == dp;
    size_t q = 0;
    while (q < rest.len && rest.ptr[q] != '?' && rest.ptr[q] != '#')
        q++;
    size_t h = q;
    while (h < rest.len && rest.ptr[h] != '#')
        h++;
    str path = str_make(rest.ptr, q);
    if (escape_part(env, path, u->authority, &path) < 0 ||
        (u->authority && remove_dots(env, path, &path) < 0))
        return -1;
    if (u->authority && path.len == 0)
        path = STR_LIT("/");
    u->path = path;
    if (escape_part(env, str_make(rest.ptr + q, h - q), false, &u->query) < 0 ||
        escape_part(env, str_make(rest.ptr + h, rest.len - h), false, &u->fragment) < 0)
        return -1;
    u->absolute = true;
    return 0;
}

static const xv_class *const uri_cls = &lib1_class_uri;

static int uri_format_error(expr_env *env)
{
    return expr_throw(env, "UriFormatException",
                      "Invalid URI: The format of the URI could not be determined.");
}

/* kind: 0 RelativeOrAbsolute, 1 Absolute, 2 Relative. 0 ok, 1 invalid, -1 error. */
static int make_uri(expr_env *env, str s, int64_t kind, xv *out)
{
    uri *u = arena_alloc(env->a, sizeof *u);
    if (!u)
        return lib1_oom(env);
    int r = kind == 2 ? 1 : parse_absolute(env, s, u);
    if (r < 0)
        return -1;
    if (r == 1) {
        if (kind == 1)
            return 1;
        if (kind == 2 && parse_scheme(str_trim(s), &(size_t){ 0 }))
            return 1;
        memset(u, 0, sizeof *u);
        u->original = s;
        u->port = -1;
    }
    *out = xv_obj(uri_cls, u);
    return 0;
}

/* base + relative (RFC 3986 §5.2, simplified). */
static int resolve(expr_env *env, const uri *base, str rel, xv *out)
{
    uri tmp;
    int r = parse_absolute(env, rel, &tmp);
    if (r < 0)
        return -1;
    if (r == 0)
        return make_uri(env, rel, 1, out);
    lib1_sb b;
    lib1_sb_init(&b, env, 64);
    lib1_sb_str(&b, base->scheme);
    lib1_sb_str(&b, STR_LIT("://"));
    if (base->userinfo.len) {
        lib1_sb_str(&b, base->userinfo);
        lib1_sb_putc(&b, '@');
    }
    lib1_sb_str(&b, base->host);
    if (!base->default_port)
        lib1_sb_printf(&b, ":%d", base->port);
    if (str_starts_with(rel, STR_LIT("//"))) {
        b.len = 0;
        lib1_sb_str(&b, base->scheme);
        lib1_sb_putc(&b, ':');
        lib1_sb_str(&b, rel);
    } else if (rel.len && rel.ptr[0] == '/') {
        lib1_sb_str(&b, rel);
    } else if (rel.len && rel.ptr[0] == '?') {
        lib1_sb_str(&b, base->path);
        lib1_sb_str(&b, rel);
    } else if (rel.len && rel.ptr[0] == '#') {
        lib1_sb_str(&b, base->path);
        lib1_sb_str(&b, base->query);
        lib1_sb_str(&b, rel);
    } else if (rel.len == 0) {
        lib1_sb_str(&b, base->path);
        lib1_sb_str(&b, base->query);
    } else {
        const char *slash = NULL;
        for (size_t i = base->path.len; i-- > 0;)
            if (base->path.ptr[i] == '/') {
                slash = base->path.ptr + i;
                break;
            }
        lib1_sb_add(&b, base->path.ptr, slash ? (size_t)(slash - base->path.ptr) + 1 : 0);
        if (!slash)
            lib1_sb_putc(&b, '/');
        lib1_sb_str(&b, rel);
    }
    str full;
    if (lib1_sb_done(&b, &full) < 0)
        return -1;
    r = make_uri(env, full, 1, out);
    return r == 1 ? uri_format_error(env) : r;
}

static int uri_ctor(xv_call *c, xv *out)
{
    xv a0 = c->args[0];
    if (a0.kind == XV_OBJ && a0.u.obj.cls == uri_cls) {
        const uri *base = a0.u.obj.ptr;
        str rel = STR_LIT("");
        if (c->nargs > 1) {
            if (c->args[1].kind == XV_OBJ && c->args[1].u.obj.cls == uri_cls)
                rel = ((const uri *)c->args[1].u.obj.ptr)->original;
            else if (lib1_str(c, 1, "Uri..ctor", &rel, NULL) < 0)
                return -1;
        }
        if (!base->absolute)
            return expr_throw(
                c->env, "ArgumentOutOfRangeException",
                "This operation is not supported for a relative URI. (Parameter 'baseUri')");
        return resolve(c->env, base, rel, out);
    }
    str s;
    int64_t kind = 1;
    if (lib1_str(c, 0, "Uri..ctor", &s, NULL) < 0)
        return -1;
    if (c->nargs > 1 && lib1_enum(c, 1, "Uri..ctor", &lib1_class_urikind, &kind) < 0)
        return -1;
    int r = make_uri(c->env, s, kind == 0 ? 0 : kind == 1 ? 1 : 2, out);
    if (r == 1)
        return kind == 2 ? expr_throw(c->env, "UriFormatException",
                                      "Invalid URI: A relative URI cannot be created because the "
                                      "'uriString' parameter represents an absolute URI.")
                         : uri_format_error(c->env);
    return r;
}

/* ---- members ---- */

static int need_abs(expr_env *env, const uri *u)
{
    if (!u->absolute)
        return expr_throw(env, "InvalidOperationException",
                          "This operation is not supported for a relative URI.");
    return 0;
}

typedef enum { PART_SCHEME, PART_AUTHORITY, PART_PATH, PART_QUERY, PART_ALL } uri_part;

static int left_part(expr_env *env, const uri *u, uri_part p, str *out)
{
    lib1_sb b;
    lib1_sb_init(&b, env, 64);
    lib1_sb_str(&b, u->scheme);
    lib1_sb_str(&b, u->authority ? STR_LIT("://") : STR_LIT(":"));
    if (p >= PART_AUTHORITY && u->authority) {
        if (u->userinfo.len) {
            lib1_sb_str(&b, u->userinfo);
            lib1_sb_putc(&b, '@');
        }
        lib1_sb_str(&b, u->host);
        if (!u->default_port && u->port >= 0)
            lib1_sb_printf(&b, ":%d", u->port);
    }
    if (p >= PART_PATH)
        lib1_sb_str(&b, u->path);
    if (p >= PART_QUERY)
        lib1_sb_str(&b, u->query);
    if (p >= PART_ALL)
        lib1_sb_str(&b, u->fragment);
    return lib1_sb_done(&b, out);
}

#define UGET(fn, body)                                                                             \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        const uri *u = self.u.obj.ptr;                                                             \
        if (need_abs(env, u) < 0)                                                                  \
            return -1;                                                                             \
        body;                                                                                      \
    }

UGET(uri_absolute_path, *out = xv_str(u->path); return 0)
UGET(uri_scheme, *out = xv_str(u->scheme); return 0)
UGET(uri_host, *out = xv_str(u->host); return 0)
UGET(uri_port, *out = xv_int(u->port); return 0)
UGET(uri_query, *out = xv_str(u->query); return 0)
UGET(uri_fragment, *out = xv_str(u->fragment); return 0)
UGET(uri_userinfo, *out = xv_str(u->userinfo); return 0)
UGET(uri_is_default_port, *out = xv_bool(u->default_port); return 0)
UGET(uri_is_file, *out = xv_bool(str_eq_cstr(u->scheme, "file")); return 0)
UGET(uri_is_loopback,
     *out = xv_bool(str_eq_cstr(u->host, "localhost") || str_eq_cstr(u->host, "127.0.0.1") ||
                    str_eq_cstr(u->host, "[::1]"));
     return 0)
UGET(uri_absolute_uri, str r; if (left_part(env, u, PART_ALL, &r) < 0) return -1; *out = xv_str(r);
     return 0)
UGET(uri_local_path, str r; if (lib1_unescape(env, u->path, &r) < 0) return -1; *out = xv_str(r);
     return 0)
UGET(uri_dns_safe_host, str h = u->host;
     if (h.len > 1 && h.ptr[0] == '[') h = str_make(h.ptr + 1, h.len - 2); *out = xv_str(h);
     return 0)

static int uri_authority(expr_env *env, xv self, xv *out)
{
    const uri *u = self.u.obj.ptr;
    if (need_abs(env, u) < 0)
        return -1;
    lib1_sb b;
    lib1_sb_init(&b, env, u->host.len + 8);
    lib1_sb_str(&b, u->host);
    if (!u->default_port && u->port >= 0)
        lib1_sb_printf(&b, ":%d", u->port);
    str r;
    if (lib1_sb_done(&b, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int uri_path_and_query(expr_env *env, xv self, xv *out)
{
    const uri *u = self.u.obj.ptr;
    if (need_abs(env, u) < 0)
        return -1;
    lib1_sb b;
    lib1_sb_init(&b, env, u->path.len + u->query.len);
    lib1_sb_str(&b, u->path);
    lib1_sb_str(&b, u->query);
    str r;
    if (lib1_sb_done(&b, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int uri_segments(expr_env *env, xv self, xv *out)
{
    const uri *u = self.u.obj.ptr;
    if (need_abs(env, u) < 0)
        return -1;
    xv_list *l = xv_list_new(env, XV_LIST_ARRAY, &expr_class_string);
    if (!l)
        return lib1_oom(env);
    str p = u->path;
    size_t st = 0;
    for (size_t i = 0; i < p.len; i++)
        if (p.ptr[i] == '/') {
            if (xv_list_push(env, l, xv_str(str_make(p.ptr + st, i + 1 - st))) < 0)
                return -1;
            st = i + 1;
        }
    if (st < p.len && xv_list_push(env, l, xv_str(str_make(p.ptr + st, p.len - st))) < 0)
        return -1;
    out->kind = XV_LIST;
    out->sub = 0;
    out->u.list = l;
    return 0;
}

static int uri_is_absolute(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_bool(((const uri *)self.u.obj.ptr)->absolute);
    return 0;
}

static int uri_original(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_str(((const uri *)self.u.obj.ptr)->original);
    return 0;
}

/* ToString(): AbsoluteUri with escapes of unreserved characters, spaces and non-ASCII undone. */
static int uri_to_string(xv_call *c, xv *out)
{
    const uri *u = c->self.u.obj.ptr;
    if (!u->absolute) {
        *out = xv_str(u->original);
        return 0;
    }
    str a;
    if (left_part(c->env, u, PART_ALL, &a) < 0)
        return -1;
    lib1_sb b;
    lib1_sb_init(&b, c->env, a.len);
    for (size_t i = 0; i < a.len; i++) {
        if (a.ptr[i] == '%' && i + 2 < a.len) {
            char hx[3] = { a.ptr[i + 1], a.ptr[i + 2], 0 };
            char *end;
            unsigned long v = strtoul(hx, &end, 16);
            if (*end == '\0' &&
                (v == ' ' || v >= 0x80 || (v < 0x80 && ((v | 32) >= 'a' && (v | 32) <= 'z')) ||
                 (v >= '0' && v <= '9') || v == '-' || v == '_' || v == '.' || v == '~')) {
                lib1_sb_putc(&b, (char)v);
                i += 2;
                continue;
            }
        }
        lib1_sb_putc(&b, a.ptr[i]);
    }
    str r;
    if (lib1_sb_done(&b, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int uri_get_left_part(xv_call *c, xv *out)
{
    const uri *u = c->self.u.obj.ptr;
    int64_t p;
    if (lib1_enum(c, 0, "Uri.GetLeftPart", &lib1_class_uripartial, &p) < 0 ||
        need_abs(c->env, u) < 0)
        return -1;
    if (p < 0 || p > 3)
        return expr_throw(c->env, "ArgumentException",
                          "The part parameter is invalid. (Parameter 'part')");
    str r;
    if (p == 0 && !u->authority)
        r = STR_LIT("");
    else if (left_part(c->env, u, (uri_part)p, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int uri_equals(xv_call *c, xv *out)
{
    xv o = c->args[0];
    str a, b;
    xv tmp;
    if (o.kind == XV_STR) {
        if (make_uri(c->env, o.u.s, 0, &tmp) != 0) {
            *out = xv_bool(false);
            return 0;
        }
        o = tmp;
    }
    if (o.kind != XV_OBJ || o.u.obj.cls != uri_cls) {
        *out = xv_bool(false);
        return 0;
    }
    xv_call cc = *c;
    if (uri_to_string(&cc, &tmp) < 0)
        return -1;
    a = tmp.u.s;
    cc.self = o;
    if (uri_to_string(&cc, &tmp) < 0)
        return -1;
    b = tmp.u.s;
    *out = xv_bool(str_eq(a, b));
    return 0;
}

static int uri_hash(xv_call *c, xv *out)
{
    xv s;
    if (uri_to_string(c, &s) < 0)
        return -1;
    *out = xv_int(expr_string_hash(s.u.s, false));
    return 0;
}

/* ---- statics ---- */

static int uri_escape_data(xv_call *c, xv *out)
{
    str s, r;
    if (lib1_str(c, 0, "Uri.EscapeDataString", &s, NULL) < 0 || lib1_escape_data(c->env, s, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int uri_escape_uri(xv_call *c, xv *out)
{
    str s, r;
    if (lib1_str(c, 0, "Uri.EscapeUriString", &s, NULL) < 0 || lib1_escape_uri(c->env, s, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int uri_unescape_data(xv_call *c, xv *out)
{
    str s, r;
    if (lib1_str(c, 0, "Uri.UnescapeDataString", &s, NULL) < 0 || lib1_unescape(c->env, s, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int uri_try_create(xv_call *c, xv *out)
{
    xv u = xv_null();
    int r = 1;
    if (c->nargs == 3 && c->args[0].kind == XV_OBJ && c->args[0].u.obj.cls == uri_cls) {
        str rel;
        const uri *base = c->args[0].u.obj.ptr;
        if (c->args[1].kind == XV_STR && base->absolute) {
            rel = c->args[1].u.s;
            r = resolve(c->env, base, rel, &u);
            if (r < 0 && !c->env->err.fatal)
                r = 1;
            else if (r < 0)
                return -1;
        }
    } else {
        str s;
        bool isnull;
        int64_t kind = 0;
        if (lib1_str(c, 0, "Uri.TryCreate", &s, &isnull) < 0)
            return -1;
        if (c->nargs == 3 && lib1_enum(c, 1, "Uri.TryCreate", &lib1_class_urikind, &kind) < 0)
            return -1;
        r = isnull ? 1 : make_uri(c->env, s, kind, &u);
        if (r < 0)
            return -1;
    }
    lib1_set_out(c, c->nargs - 1, r == 0 ? u : xv_null());
    *out = xv_bool(r == 0);
    return 0;
}

static int uri_is_well_formed(xv_call *c, xv *out)
{
    str s;
    bool isnull;
    int64_t kind = 0;
    xv u;
    if (lib1_str(c, 0, "Uri.IsWellFormedUriString", &s, &isnull) < 0 ||
        lib1_enum(c, 1, "Uri.IsWellFormedUriString", &lib1_class_urikind, &kind) < 0)
        return -1;
    bool ok = !isnull && s.len > 0;
    for (size_t i = 0; ok && i < s.len; i++)
        ok = is_path_char((unsigned char)s.ptr[i]) || (unsigned char)s.ptr[i] >= 0x80;
    if (ok) {
        int r = make_uri(c->env, s, kind, &u);
        if (r < 0)
            return -1;
        ok = r == 0;
    }
    *out = xv_bool(ok);
    return 0;
}

static int uri_scheme_http(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_str(STR_LIT("http"));
    return 0;
}

static int uri_scheme_https(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_str(STR_LIT("https"));
    return 0;
}

#define S &expr_class_string
static const xv_member uri_members[] = {
    { "AbsolutePath", uri_absolute_path, S, 0, NULL },
    { "AbsoluteUri", uri_absolute_uri, S, 0, NULL },
    { "Authority", uri_authority, S, 0, NULL },
    { "DnsSafeHost", uri_dns_safe_host, S, 0, NULL },
    { "Fragment", uri_fragment, S, 0, NULL },
    { "Host", uri_host, S, 0, NULL },
    { "IdnHost", uri_dns_safe_host, S, 0, NULL },
    { "IsAbsoluteUri", uri_is_absolute, &expr_class_bool, 0, NULL },
    { "IsDefaultPort", uri_is_default_port, &expr_class_bool, 0, NULL },
    { "IsFile", uri_is_file, &expr_class_bool, 0, NULL },
    { "IsLoopback", uri_is_loopback, &expr_class_bool, 0, NULL },
    { "LocalPath", uri_local_path, S, 0, NULL },
    { "OriginalString", uri_original, S, 0, NULL },
    { "PathAndQuery", uri_path_and_query, S, 0, NULL },
    { "Port", uri_port, &expr_class_int, 0, NULL },
    { "Query", uri_query, S, 0, NULL },
    { "Scheme", uri_scheme, S, 0, NULL },
    { "Segments", uri_segments, &expr_class_list, 0, NULL },
    { "UserInfo", uri_userinfo, S, 0, NULL },
};
static const xv_method uri_methods[] = {
    { "Equals", 1, 1, uri_equals, &expr_class_bool, 0, NULL },
    { "GetHashCode", 0, 0, uri_hash, &expr_class_int, 0, NULL },
    { "GetLeftPart", 1, 1, uri_get_left_part, S, 0, NULL },
    { "ToString", 0, 0, uri_to_string, S, 0, NULL },
};
static const xv_method uri_smethods[] = {
    { "EscapeDataString", 1, 1, uri_escape_data, S, 0, NULL },
    { "EscapeUriString", 1, 1, uri_escape_uri, S, 0, NULL },
    { "IsWellFormedUriString", 2, 2, uri_is_well_formed, &expr_class_bool, 0, NULL },
    { "TryCreate", 3, 3, uri_try_create, &expr_class_bool, XV_M_OUT_LAST, NULL },
    { "UnescapeDataString", 1, 1, uri_unescape_data, S, 0, NULL },
};
static const xv_member uri_statics[] = {
    { "UriSchemeHttp", uri_scheme_http, S, 0, NULL },
    { "UriSchemeHttps", uri_scheme_https, S, 0, NULL },
};
static const char *const uri_aliases[] = { "System.Uri", NULL };
const xv_class lib1_class_uri = {
    .name = "Uri",
    .aliases = uri_aliases,
    .base = &expr_class_object,
    .members = uri_members,
    .nmembers = sizeof uri_members / sizeof uri_members[0],
    .methods = uri_methods,
    .nmethods = sizeof uri_methods / sizeof uri_methods[0],
    .smembers = uri_statics,
    .nsmembers = sizeof uri_statics / sizeof uri_statics[0],
    .smethods = uri_smethods,
    .nsmethods = sizeof uri_smethods / sizeof uri_smethods[0],
    .ctor = uri_ctor,
    .ctor_min = 1,
    .ctor_max = 2,
};

/* ---- enums ---- */

LIB1_ENUM_GET(uk_roa, lib1_class_urikind, 0)
LIB1_ENUM_GET(uk_abs, lib1_class_urikind, 1)
LIB1_ENUM_GET(uk_rel, lib1_class_urikind, 2)
static const xv_member uk_consts[] = {
    { "Absolute", uk_abs, &lib1_class_urikind, 1, NULL },
    { "Relative", uk_rel, &lib1_class_urikind, 2, NULL },
    { "RelativeOrAbsolute", uk_roa, &lib1_class_urikind, 0, NULL },
};
static const char *const uk_aliases[] = { "System.UriKind", NULL };
const xv_class lib1_class_urikind = {
    .name = "UriKind",
    .aliases = uk_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = uk_consts,
    .nsmembers = 3,
};

LIB1_ENUM_GET(up_scheme, lib1_class_uripartial, 0)
LIB1_ENUM_GET(up_authority, lib1_class_uripartial, 1)
LIB1_ENUM_GET(up_path, lib1_class_uripartial, 2)
LIB1_ENUM_GET(up_query, lib1_class_uripartial, 3)
static const xv_member up_consts[] = {
    { "Authority", up_authority, &lib1_class_uripartial, 1, NULL },
    { "Path", up_path, &lib1_class_uripartial, 2, NULL },
    { "Query", up_query, &lib1_class_uripartial, 3, NULL },
    { "Scheme", up_scheme, &lib1_class_uripartial, 0, NULL },
};
static const char *const up_aliases[] = { "System.UriPartial", NULL };
const xv_class lib1_class_uripartial = {
    .name = "UriPartial",
    .aliases = up_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = up_consts,
    .nsmembers = 4,
};
