/* rt_req: one request's data (the rt_ctx served to expressions), URL/header/body helpers,
 * failures and traces. */
#include "req.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "errors.h"
#include "observe.h"

#define EPOCH_TICKS (DAYS_TO_1970 * TICKS_PER_DAY)

int64_t rt_ms_to_ticks(int64_t ms)
{
    return EPOCH_TICKS + ms * 10000;
}

int64_t rt_ticks_to_ms(int64_t ticks)
{
    return (ticks - EPOCH_TICKS) / 10000;
}

void rt_req_sync_time(rt_req *r)
{
    r->ctx->now = rt_ms_to_ticks(rt_clock_now(r->w->clock));
}

static str dup_str(rt_req *r, const char *p, size_t n)
{
    char *c = arena_strndup(&r->arena, p ? p : "", n);
    return c ? str_make(c, n) : STR_NULL;
}

static str trim_slashes(str s)
{
    while (s.len && s.ptr[0] == '/')
        s.ptr++, s.len--;
    while (s.len && s.ptr[s.len - 1] == '/')
        s.len--;
    return s;
}

/* A copy of u with its own query dict (lists copied). */
static rt_url *url_copy(rt_req *r, const rt_url *u)
{
    rt_url *c = arena_alloc(&r->arena, sizeof *c);
    if (!c)
        return NULL;
    *c = *u;
    /* the usual case: new lists over the same strings (u's live in the request arena or
     * longer and never change), built in one pass */
    size_t nv = 0;
    bool empty = false; /* a name without values: kept by rt_hdr_clear below */
    for (size_t i = 0; u->query && i < u->query->n; i++) {
        const xv *v = &u->query->vals[i];
        if (v->kind == XV_LIST) {
            nv += v->u.list->n;
            empty |= !v->u.list->n;
        }
    }
    if (!empty) {
        rt_hdr *lines = arena_alloc(&r->arena, (nv ? nv : 1) * sizeof *lines);
        if (!lines)
            return NULL;
        size_t k = 0;
        for (size_t i = 0; u->query && i < u->query->n; i++) {
            const xv *v = &u->query->vals[i];
            for (size_t j = 0; v->kind == XV_LIST && j < v->u.list->n; j++)
                lines[k++] = (rt_hdr){ u->query->keys[i], v->u.list->items[j].u.s };
        }
        c->query = rt_hdr_dict_borrow(&r->arena, lines, nv);
        return c->query ? c : NULL;
    }
    c->query = xv_dict_new_in(&r->arena, true);
    if (!c->query)
        return NULL;
    for (size_t i = 0; u->query && i < u->query->n; i++) {
        const xv *v = &u->query->vals[i];
        if (v->kind != XV_LIST)
            continue;
        for (size_t k = 0; k < v->u.list->n; k++) {
            if (rt_hdr_add(r, c->query, u->query->keys[i], v->u.list->items[k].u.s) < 0)
                return NULL;
        }
        if (!v->u.list->n && rt_hdr_clear(r, c->query, u->query->keys[i]) < 0)
            return NULL;
    }
    c->query->readonly = true;
    return c;
}

rt_req *rt_req_alloc(const rt_world *w, const rt_program *prog)
{
    rt_req *r = xcalloc(1, sizeof *r);
    arena_init(&r->arena, ARENA_REQUEST_CAP);
    r->w = w;
    r->prog = prog;
    return r;
}

int rt_req_attach(rt_req *r, rt_ctx *ctx, char *err, size_t errlen)
{
    const rt_world *w = r->w;
    r->ctx = ctx;
    rt_ctx_env(r->ctx, &r->env, &r->arena);
    r->start_ms = rt_clock_now(w->clock);
    if (w->obs) /* observe: tests check the logs / metrics of each request */
        rt_observe_mark(w->obs);
    r->ctx->timestamp = r->ctx->now = rt_ms_to_ticks(r->start_ms);
    r->ctx->variables->readonly = true;
    rt_request *q = &r->ctx->request;
    r->api_path = trim_slashes(r->ctx->api.path);
    str path = q->original_url->path, rest = path;
    if (r->api_path.len) {
        str p = path;
        if (p.len && p.ptr[0] == '/')
            p.ptr++, p.len--;
        if (p.len >= r->api_path.len && !strncasecmp(p.ptr, r->api_path.ptr, r->api_path.len) &&
            (p.len == r->api_path.len || p.ptr[r->api_path.len] == '/'))
            rest = str_make(p.ptr + r->api_path.len, p.len - r->api_path.len);
    }
    r->path_rest = rest;
    rt_url *base = r->ctx->api.service_url;
    if (!base) {
        base = arena_alloc(&r->arena, sizeof *base);
        if (!base)
            goto oom;
        *base = *q->original_url;
        base->path = STR_LIT("");
        base->query_string = STR_LIT("");
        base->query = NULL;
    }
    r->base = base;
    q->url = url_copy(r, q->original_url);
    if (!q->url || rt_req_sync_url(r) < 0)
        goto oom;
    return 0;
oom:
    snprintf(err, errlen, "out of memory building the request");
    return -1;
}

rt_req *rt_req_new(const rt_world *w, const rt_program *prog, const json_t *ctx, char *err,
                   size_t errlen)
{
    rt_req *r = rt_req_alloc(w, prog);
    rt_ctx *c = rt_ctx_from_json(&r->arena, ctx, err, errlen);
    if (!c || rt_req_attach(r, c, err, errlen) < 0) {
        rt_req_free(r);
        return NULL;
    }
    return r;
}

typedef struct rt_at_end {
    void (*fn)(rt_req *r, void *ud);
    void *ud;
    struct rt_at_end *next;
} rt_at_end;

static int hook_add(rt_req *r, rt_at_end **list, void (*fn)(rt_req *r, void *ud), void *ud)
{
    rt_at_end *h = arena_alloc(&r->arena, sizeof *h);
    if (!h)
        return -1;
    *h = (rt_at_end){ .fn = fn, .ud = ud };
    rt_at_end **p = list;
    while (*p)
        p = &(*p)->next;
    *p = h;
    return 0;
}

int rt_req_at_end(rt_req *r, void (*fn)(rt_req *r, void *ud), void *ud)
{
    return hook_add(r, &r->at_end, fn, ud);
}

int rt_req_at_response(rt_req *r, void (*fn)(rt_req *r, void *ud), void *ud)
{
    return hook_add(r, &r->at_response, fn, ud);
}

void rt_req_run_at_response(rt_req *r)
{
    rt_at_end *h = r->at_response;
    r->at_response = NULL;
    for (; h; h = h->next)
        h->fn(r, h->ud);
}

void rt_req_run_at_end(rt_req *r)
{
    if (r->at_end_ran)
        return;
    r->at_end_ran = true;
    for (rt_at_end *h = r->at_end; h; h = h->next)
        h->fn(r, h->ud);
}

void rt_req_free(rt_req *r)
{
    if (!r)
        return;
    rt_req_run_at_end(r);
    arena_release(&r->arena);
    free(r);
}

/* ---- headers ---- */

xv_list *rt_hdr_get(const xv_dict *d, str name)
{
    const xv *v = d ? xv_dict_get(d, name) : NULL;
    return v && v->kind == XV_LIST ? v->u.list : NULL;
}

/* A new empty string[] with room for one value (headers rarely repeat). */
static xv_list *str_list(arena *a)
{
    struct {
        xv_list l;
        xv item;
    } *b = arena_alloc(a, sizeof *b);
    if (!b)
        return NULL;
    b->l = (xv_list){
        .items = &b->item, .cap = 1, .elem = &expr_class_string, .flavor = XV_LIST_ARRAY
    };
    return &b->l;
}

int rt_hdr_clear(rt_req *r, xv_dict *d, str name)
{
    xv lv = { .kind = XV_LIST };
    lv.u.list = str_list(&r->arena);
    if (!lv.u.list)
        return -1;
    /* keep the first spelling of the name when replacing */
    const xv *old = xv_dict_get(d, name);
    if (old) {
        for (size_t i = 0; i < d->n; i++) {
            if (&d->vals[i] == old) {
                d->vals[i] = lv;
                return 0;
            }
        }
    }
    return xv_dict_set_in(&r->arena, d, name, lv);
}

int rt_hdr_add(rt_req *r, xv_dict *d, str name, str value)
{
    const xv *old = xv_dict_get(d, name);
    xv_list *l = old && old->kind == XV_LIST ? old->u.list : NULL;
    if (!l && old) { /* not a list: replaced in place */
        if (rt_hdr_clear(r, d, name) < 0)
            return -1;
        l = rt_hdr_get(d, name);
    } else if (!l) { /* a new name: one lookup, not three */
        xv lv = { .kind = XV_LIST };
        lv.u.list = l = str_list(&r->arena);
        if (!l || xv_dict_set_in(&r->arena, d, name, lv) < 0)
            return -1;
    }
    str v = dup_str(r, value.ptr, value.len);
    if (!v.ptr)
        return -1;
    return xv_list_push_in(&r->arena, l, xv_str(v));
}

void rt_hdr_del(xv_dict *d, str name)
{
    xv_dict_remove(d, name);
}

bool rt_hdr_is_multiline(str name)
{
    static const str multi[] = {
        STR_LIT("User-Agent"),
        STR_LIT("WWW-Authenticate"),
        STR_LIT("Proxy-Authenticate"),
        STR_LIT("Cookie"),
        STR_LIT("Set-Cookie"),
        STR_LIT("Warning"),
        STR_LIT("Date"),
        STR_LIT("Expires"),
        STR_LIT("If-Modified-Since"),
        STR_LIT("If-Unmodified-Since"),
        STR_LIT("Last-Modified"),
        STR_LIT("Retry-After"),
    };
    for (size_t i = 0; i < sizeof multi / sizeof multi[0]; i++) {
        if (name.len == multi[i].len && str_ieq(name, multi[i]))
            return true;
    }
    return false;
}

int rt_hdr_lines(rt_req *r, const xv_dict *d, rt_hdr **out, size_t *n)
{
    size_t cap = 0, k = 0;
    for (size_t i = 0; d && i < d->n; i++)
        cap += d->vals[i].kind == XV_LIST ? d->vals[i].u.list->n : 0;
    rt_hdr *lines = arena_calloc(&r->arena, cap ? cap : 1, sizeof *lines);
    if (!lines)
        return -1;
    for (size_t i = 0; d && i < d->n; i++) {
        const xv_list *l = d->vals[i].kind == XV_LIST ? d->vals[i].u.list : NULL;
        if (!l || !l->n)
            continue;
        str name = d->keys[i];
        if (l->n == 1 || rt_hdr_is_multiline(name)) {
            for (size_t j = 0; j < l->n; j++)
                lines[k++] = (rt_hdr){ name, l->items[j].u.s };
            continue;
        }
        buf b;
        buf_init(&b, 0);
        for (size_t j = 0; j < l->n; j++) {
            if (j)
                buf_putc(&b, ',');
            buf_append(&b, l->items[j].u.s.ptr, l->items[j].u.s.len);
        }
        str joined = dup_str(r, b.ptr, b.len);
        buf_release(&b);
        if (!joined.ptr)
            return -1;
        lines[k++] = (rt_hdr){ name, joined };
    }
    *out = lines;
    *n = k;
    return 0;
}

/* The dict of lines in one pass: keys and values arrays sized for n names, each name's list
 * made for its first value (headers rarely repeat); copy: the strings are copied into r's
 * arena, else borrowed. Same result as rt_hdr_add line by line. */
static xv_dict *hdr_dict(arena *a, const rt_hdr *lines, size_t n, bool copy)
{
    xv_dict *d = xv_dict_new_in(a, true);
    if (!d)
        return NULL;
    xv_list *lists = NULL; /* one list and one first item per name, allocated together */
    xv *items = NULL;
    if (n) {
        /* room for a few more names: policies add headers (rate limits, CORS...) */
        d->keys = arena_alloc(a, (n + 4) * sizeof *d->keys);
        d->vals = arena_alloc(a, (n + 4) * sizeof *d->vals);
        lists = arena_alloc(a, n * sizeof *lists);
        items = arena_alloc(a, n * sizeof *items);
        if (!d->keys || !d->vals || !lists || !items)
            return NULL;
        d->cap = n + 4;
    }
    for (size_t i = 0; i < n; i++) {
        str name = lines[i].name, value = lines[i].value;
        xv_list *l = NULL;
        for (size_t k = 0; k < d->n; k++) {
            if (d->keys[k].len == name.len && str_ieq(d->keys[k], name)) {
                l = d->vals[k].u.list;
                break;
            }
        }
        value = copy || !value.ptr ? arena_str(a, value) : value;
        if (!value.ptr)
            return NULL;
        if (l) {
            if (xv_list_push_in(a, l, xv_str(value)) < 0)
                return NULL;
            continue;
        }
        name = copy || !name.ptr ? arena_str(a, name) : name;
        if (!name.ptr)
            return NULL;
        l = &lists[d->n];
        *l = (xv_list){ .items = &items[d->n],
                        .n = 1,
                        .cap = 1,
                        .elem = &expr_class_string,
                        .flavor = XV_LIST_ARRAY };
        items[d->n] = xv_str(value);
        d->keys[d->n] = name;
        d->vals[d->n] = (xv){ .kind = XV_LIST };
        d->vals[d->n++].u.list = l;
    }
    d->readonly = true;
    return d;
}

xv_dict *rt_hdr_dict(rt_req *r, const rt_hdr *lines, size_t n)
{
    return hdr_dict(&r->arena, lines, n, true);
}

xv_dict *rt_hdr_dict_borrow(arena *a, const rt_hdr *lines, size_t n)
{
    return hdr_dict(a, lines, n, false);
}

/* ---- URL ---- */

/* 1: kept as it is in a query (alphanumerics and -._~!$'()*,;:@/) */
static const unsigned char url_keep[256] = {
    ['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1, ['-'] = 1,  ['.'] = 1, ['_'] = 1,
    ['~'] = 1,         ['!'] = 1,         ['$'] = 1,         ['\''] = 1, ['('] = 1, [')'] = 1,
    ['*'] = 1,         [','] = 1,         [';'] = 1,         [':'] = 1,  ['@'] = 1, ['/'] = 1,
};

/* The length of s percent-encoded (url_encode). */
static size_t url_encoded_len(str s)
{
    size_t n = s.len;
    for (size_t i = 0; i < s.len; i++)
        n += url_keep[(unsigned char)s.ptr[i]] ? 0 : 2;
    return n;
}

/* s percent-encoded at p (url_encoded_len(s) bytes); returns the end. */
static char *url_encode(char *p, str s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (url_keep[c]) {
            *p++ = (char)c;
        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    return p;
}

int rt_req_sync_url(rt_req *r)
{
    rt_url *u = r->ctx->request.url;
    const rt_url *b = r->base;
    u->scheme = b->scheme;
    u->host = b->host;
    u->port = b->port;
    str bp = b->path;
    while (bp.len && bp.ptr[bp.len - 1] == '/')
        bp.len--;
    str rest = r->path_rest;
    bool slash = !rest.len || rest.ptr[0] != '/';
    size_t pl = bp.len + slash + rest.len;
    char *path = arena_alloc(&r->arena, pl + 1);
    if (path) {
        if (bp.len)
            memcpy(path, bp.ptr, bp.len);
        if (slash)
            path[bp.len] = '/';
        if (rest.len)
            memcpy(path + bp.len + slash, rest.ptr, rest.len);
        path[pl] = '\0';
    }
    u->path = path ? str_make(path, pl) : STR_NULL;
    /* "?k=v&k=v2...", measured, then written in the arena */
    size_t qn = 0;
    for (size_t i = 0; u->query && i < u->query->n; i++) {
        const xv *v = &u->query->vals[i];
        if (v->kind != XV_LIST)
            continue;
        size_t kn = url_encoded_len(u->query->keys[i]);
        for (size_t k = 0; k < v->u.list->n; k++)
            qn += 2 + kn + url_encoded_len(v->u.list->items[k].u.s);
    }
    u->query_string = STR_LIT("");
    if (qn) {
        char *q = arena_alloc(&r->arena, qn + 1), *e = q;
        if (!q)
            return -1;
        for (size_t i = 0; i < u->query->n; i++) {
            const xv *v = &u->query->vals[i];
            if (v->kind != XV_LIST)
                continue;
            for (size_t k = 0; k < v->u.list->n; k++) {
                char sep = e == q ? '?' : '&';
                *e++ = sep;
                e = url_encode(e, u->query->keys[i]);
                *e++ = '=';
                e = url_encode(e, v->u.list->items[k].u.s);
            }
        }
        u->query_string = str_make(q, qn);
    }
    return u->path.ptr ? 0 : -1;
}

str rt_req_url_text(rt_req *r, const rt_url *u)
{
    /* built by hand: this runs several times per forwarded request */
    int def = str_eq_cstr(u->scheme, "https") ? 443 : str_eq_cstr(u->scheme, "http") ? 80 : -1;
    char port[16];
    size_t np = 0;
    if (u->port != def && u->port > 0) {
        char tmp[16];
        size_t n = 0;
        for (unsigned v = (unsigned)u->port; v; v /= 10)
            tmp[n++] = (char)('0' + v % 10);
        port[np++] = ':';
        while (n)
            port[np++] = tmp[--n];
    }
    size_t len = u->scheme.len + 3 + u->host.len + np + u->path.len + u->query_string.len;
    char *s = arena_alloc(&r->arena, len + 1);
    if (!s)
        return STR_LIT("");
    char *p = s;
    const str parts[] = { u->scheme,          STR_LIT("://"), u->host,
                          str_make(port, np), u->path,        u->query_string };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (parts[i].len)
            memcpy(p, parts[i].ptr, parts[i].len);
        p += parts[i].len;
    }
    *p = '\0';
    return str_make(s, len);
}

int rt_req_set_base(rt_req *r, str url)
{
    char err[256];
    rt_jp p = { &r->arena, err, sizeof err, r->ctx->timestamp };
    str t = str_trim(url);
    char *text = arena_strndup(&r->arena, t.ptr, t.len);
    rt_url *u = NULL;
    if (!text)
        return rt_fail(r, NULL, "OutOfMemory", "out of memory"), -1;
    if (strncasecmp(text, "http://", 7) && strncasecmp(text, "https://", 8))
        return rt_fail(r, NULL, "InvalidBackendUrl",
                       "backend URL '%s' is not an absolute http(s) URL", text),
               -1;
    if (rt_jp_parse_url(&p, "base-url", text, &u) < 0)
        return rt_fail(r, NULL, "InvalidBackendUrl", "%s", err), -1;
    r->base = u;
    return rt_req_sync_url(r);
}

/* ---- bodies ---- */

expr_body *rt_body_new(rt_req *r, str bytes, str content_type)
{
    expr_body *b = arena_alloc(&r->arena, sizeof *b);
    if (!b)
        return NULL;
    b->bytes = dup_str(r, bytes.ptr, bytes.len);
    b->content_type = content_type.ptr ? dup_str(r, content_type.ptr, content_type.len) : STR_NULL;
    return b->bytes.ptr ? b : NULL;
}

expr_body *rt_body_borrow(rt_req *r, str bytes, str content_type)
{
    expr_body *b = arena_alloc(&r->arena, sizeof *b);
    if (!b)
        return NULL;
    b->bytes = bytes.ptr ? bytes : STR_LIT("");
    b->content_type = content_type;
    return b;
}

str rt_body_bytes(const expr_body *b)
{
    if (!b || b->consumed)
        return STR_LIT("");
    return b->bytes;
}

/* ---- text ---- */

/* Length of the valid UTF-8 sequence at p[0..n) (1..4), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

bool rt_utf8_valid(str s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    for (size_t i = 0; i < s.len;) {
        if (i + 8 <= s.len) { /* ASCII 8 bytes at a time */
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_seq(p + i, s.len - i);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

/* ---- failures ---- */

pol_status rt_fail(rt_req *r, const char *source, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vsprintf(&r->arena, fmt, ap);
    va_end(ap);
    const rt_step *s = r->step;
    rt_lasterror *e = &r->err;
    memset(e, 0, sizeof *e);
    e->source = str_from(source ? source : s ? s->spec->name : "");
    e->reason = reason ? str_from(reason) : STR_NULL;
    e->message = str_from(msg ? msg : "out of memory");
    e->scope = str_from(s ? s->scope : NULL);
    e->section = str_from(pol_section_name(r->section));
    e->path = str_from(s ? s->path : NULL);
    e->policy_id = s && s->id.len ? s->id : STR_NULL;
    r->failed = true;
    return POL_FAIL;
}

pol_status rt_fail_expr(rt_req *r)
{
    const expr_error *ee = &r->env.err;
    return rt_fail(r, NULL, "ExpressionValueEvaluationFailure", "Expression evaluation failed. %s",
                   ee->message ? ee->message : "");
}

int rt_req_error_response(rt_req *r, int status, const char *message)
{
    rt_response *resp = &r->ctx->response;
    json_t *m = json_string(message);
    char *text = json_dumps(m, JSON_ENCODE_ANY);
    json_decref(m);
    char *body =
        text ? arena_sprintf(&r->arena, "{ \"statusCode\": %d, \"message\": %s }", status, text)
             : NULL;
    free(text);
    xv_dict *h = xv_dict_new_in(&r->arena, true);
    if (!body || !h)
        return -1;
    h->readonly = true;
    resp->status = status;
    resp->reason = str_from(rt_reason_phrase(status));
    resp->headers = h;
    if (rt_hdr_add(r, h, STR_LIT("Content-Type"), STR_LIT("application/json")) < 0)
        return -1;
    resp->body = rt_body_new(r, str_from(body), STR_LIT("application/json"));
    r->response_preset = true;
    return resp->body ? 0 : -1;
}

/* ---- traces ---- */

bool rt_tracing(const rt_req *r)
{
    return r->w->trace != NULL;
}

void rt_trace(rt_req *r, const char *fmt, ...)
{
    FILE *out = r->w->trace;
    if (!out)
        return;
    int64_t t = rt_clock_now(r->w->clock) - r->start_ms;
    fprintf(out, "  [+%lldms] %s", (long long)t, pol_section_name(r->section));
    if (r->step) {
        diag_pos pos;
        pol_loc_pos(r->step->node->loc, &pos);
        fprintf(out, " %s:%u <%s>", pos.file ? pos.file : "?", pos.line, r->step->spec->name);
    }
    fputc(' ', out);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
}
