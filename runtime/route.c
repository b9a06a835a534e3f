/* Request routing: API by longest path prefix, operation by method + URL template, matched
 * parameters, subscription keys and product context, scope documents, backend URLs. See
 * route.h for the rules. */
#include "route.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const rt_route_error err_not_found = { 404, "configuration", "OperationNotFound",
                                              RT_MSG_NOT_FOUND };
static const rt_route_error err_dot_segment = { 400, "configuration", "InvalidRequestPath",
                                                RT_MSG_BAD_TARGET };
static const rt_route_error err_key_missing = { 401, "authorization", "SubscriptionKeyNotFound",
                                                RT_MSG_KEY_MISSING };
static const rt_route_error err_key_invalid = { 401, "authorization", "SubscriptionKeyInvalid",
                                                RT_MSG_KEY_INVALID };

/* ---- URL helpers ---- */

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

str rt_url_decode(arena *a, str s, bool plus_space)
{
    char *out = arena_alloc(a, s.len + 1);
    if (!out)
        return STR_NULL;
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        char ch = s.ptr[i];
        int hi, lo;
        if (ch == '%' && i + 2 < s.len && (hi = hexval(s.ptr[i + 1])) >= 0 &&
            (lo = hexval(s.ptr[i + 2])) >= 0) {
            out[n++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (ch == '+' && plus_space) {
            out[n++] = ' ';
        } else {
            out[n++] = ch;
        }
    }
    out[n] = 0;
    return (str){ out, n };
}

static bool name_eq(str a, str b, bool icase)
{
    return icase ? str_ieq(a, b) : str_eq(a, b);
}

bool rt_route_query_get(arena *a, str query, str name, bool icase, str *value)
{
    size_t i = 0;
    while (i < query.len) {
        const char *amp = memchr(query.ptr + i, '&', query.len - i);
        str item = { query.ptr + i, amp ? (size_t)(amp - query.ptr) - i : query.len - i };
        i += item.len + 1;
        if (!item.len)
            continue;
        const char *eq = memchr(item.ptr, '=', item.len);
        str raw_name = { item.ptr, eq ? (size_t)(eq - item.ptr) : item.len };
        str n = rt_url_decode(a, raw_name, true);
        if (!n.ptr || !name_eq(n, name, icase))
            continue;
        str raw_val = eq ? (str){ eq + 1, item.len - raw_name.len - 1 } : STR_LIT("");
        *value = rt_url_decode(a, raw_val, true);
        return value->ptr != NULL;
    }
    return false;
}

bool rt_key_equal(str given, str stored)
{
    volatile unsigned char diff = given.len != stored.len;
    for (size_t i = 0; i < stored.len; i++) {
        unsigned char g = i < given.len ? (unsigned char)given.ptr[i] : 0;
        diff |= (unsigned char)(g ^ (unsigned char)stored.ptr[i]);
    }
    return diff == 0;
}

char *rt_route_backend_url(arena *a, str base, str suffix, str query)
{
    const char *qm = memchr(base.ptr, '?', base.len);
    str bpath = { base.ptr, qm ? (size_t)(qm - base.ptr) : base.len };
    str bquery = qm ? (str){ qm + 1, base.len - bpath.len - 1 } : STR_LIT("");
    if (suffix.len && suffix.ptr[0] != '/')
        return NULL; /* not a suffix route.c produced */
    if (bpath.len && bpath.ptr[bpath.len - 1] == '/' && suffix.len)
        bpath.len--;
    const char *sep = bquery.len && query.len ? "&" : "";
    const char *q = bquery.len || query.len ? "?" : "";
    return arena_sprintf(a, "%.*s%.*s%s%.*s%s%.*s", STR_FMT(bpath), STR_FMT(suffix), q,
                         STR_FMT(bquery), sep, STR_FMT(query));
}

/* ---- API and operation matching ---- */

/* Does the request path (after its leading '/') start with api_path at a segment boundary? */
static bool api_prefix(str path, str api_path)
{
    if (!api_path.len)
        return true;
    if (path.len < api_path.len || strncasecmp(path.ptr, api_path.ptr, api_path.len) != 0)
        return false;
    return path.len == api_path.len || path.ptr[api_path.len] == '/';
}

/* A capture being built for one operation attempt. */
typedef struct caps {
    rt_route_param *v;
    size_t n, cap;
} caps;

/* Matches the parts of one template segment against the decoded request segment s from off. */
static bool match_parts(const rt_tpl_part *p, size_t np, str s, size_t off, caps *c)
{
    if (!np)
        return off == s.len;
    if (p->kind == RT_TPL_LIT) {
        if (s.len - off < p->text.len || strncasecmp(s.ptr + off, p->text.ptr, p->text.len))
            return false;
        return match_parts(p + 1, np - 1, s, off + p->text.len, c);
    }
    size_t mark = c->n;
    if (c->n == c->cap)
        return false;
    for (size_t end = np == 1 ? s.len : off + 1; end <= s.len; end++) {
        if (end == off)
            continue;
        c->v[c->n++] = (rt_route_param){ p->text, { s.ptr + off, end - off } };
        if (match_parts(p + 1, np - 1, s, end, c))
            return true;
        c->n = mark;
    }
    return false;
}

/* Specificity of a template segment: literal 3, mixed 2, parameter 1, wildcard 0. */
static int seg_rank(const rt_tpl_seg *s)
{
    if (s->wildcard)
        return 0;
    bool lit = false, par = false;
    for (size_t i = 0; i < s->nparts; i++) {
        lit |= s->parts[i].kind == RT_TPL_LIT;
        par |= s->parts[i].kind == RT_TPL_PARAM;
    }
    return par ? (lit ? 2 : 1) : 3;
}

/* >0 when a is more specific than b (route.h's order). */
static int op_cmp(const rt_operation *a, const rt_operation *b)
{
    size_t n = a->nsegs > b->nsegs ? a->nsegs : b->nsegs;
    for (size_t i = 0; i < n; i++) {
        int ra = i < a->nsegs ? seg_rank(&a->segs[i]) : -1;
        int rb = i < b->nsegs ? seg_rank(&b->segs[i]) : -1;
        if (ra != rb)
            return ra - rb;
    }
    if (a->nquery != b->nquery)
        return a->nquery > b->nquery ? 1 : -1;
    bool sa = str_eq_cstr(a->method, "*"), sb = str_eq_cstr(b->method, "*");
    return sa == sb ? 0 : sa ? -1 : 1;
}

static size_t op_nparams(const rt_operation *op)
{
    size_t n = 0;
    for (size_t i = 0; i < op->nsegs; i++) {
        for (size_t k = 0; k < op->segs[i].nparts; k++)
            n += op->segs[i].parts[k].kind == RT_TPL_PARAM;
    }
    for (size_t i = 0; i < op->nquery; i++)
        n += op->query[i].param.ptr != NULL;
    return n;
}

/* Tries op against the decoded segments; on success fills c (values still raw slices of the
 * decoded segments / decoded query values). */
static int match_op(arena *a, const rt_operation *op, const str *segs, size_t nsegs, str query,
                    caps *c)
{
    c->n = 0;
    for (size_t i = 0; i < op->nsegs; i++) {
        const rt_tpl_seg *ts = &op->segs[i];
        if (ts->wildcard)
            goto query;
        if (i >= nsegs || !match_parts(ts->parts, ts->nparts, segs[i], 0, c))
            return 0;
    }
    if (nsegs != op->nsegs)
        return 0;
query:
    for (size_t i = 0; i < op->nquery; i++) {
        const rt_tpl_query *tq = &op->query[i];
        str v;
        if (!rt_route_query_get(a, query, tq->name, true, &v))
            return 0;
        if (tq->param.ptr) {
            if (c->n == c->cap)
                return 0;
            c->v[c->n++] = (rt_route_param){ tq->param, v };
        } else if (!str_eq(v, tq->literal)) {
            return 0;
        }
    }
    return 1;
}

/* Splits the suffix into decoded segments (leading '/' and one trailing '/' dropped). */
static str *split_suffix(arena *a, str suffix, size_t *n)
{
    str p = suffix;
    if (p.len && p.ptr[0] == '/')
        p = (str){ p.ptr + 1, p.len - 1 };
    if (p.len && p.ptr[p.len - 1] == '/')
        p.len--;
    size_t cnt = p.len ? 1 : 0;
    for (size_t i = 0; i < p.len; i++)
        cnt += p.ptr[i] == '/';
    str *segs = arena_calloc(a, cnt + 1, sizeof *segs);
    if (!segs)
        return NULL;
    *n = 0;
    for (size_t i = 0; p.len && i <= p.len;) {
        const char *sl = memchr(p.ptr + i, '/', p.len - i);
        str raw = { p.ptr + i, sl ? (size_t)(sl - p.ptr) - i : p.len - i };
        i += raw.len + 1;
        segs[*n] = rt_url_decode(a, raw, false);
        if (!segs[*n].ptr)
            return NULL;
        (*n)++;
    }
    return segs;
}

static int match_operation(arena *a, const rt_route_req *req, rt_route *out)
{
    const rt_api *api = out->api;
    size_t nsegs = 0;
    str *segs = split_suffix(a, out->suffix, &nsegs);
    if (!segs)
        return -2;
    const rt_operation *best = NULL;
    caps best_c = { 0 };
    for (size_t i = 0; i < api->nops; i++) {
        const rt_operation *op = &api->ops[i];
        if (!str_eq_cstr(op->method, "*") && !str_ieq(op->method, req->method))
            continue;
        if (best && op_cmp(op, best) <= 0)
            continue;
        size_t np = op_nparams(op);
        caps c = { arena_calloc(a, np + 1, sizeof *c.v), 0, np };
        if (!c.v)
            return -2;
        if (match_op(a, op, segs, nsegs, req->query, &c)) {
            best = op;
            best_c = c;
        }
    }
    if (!best) {
        out->err = err_not_found;
        return -1;
    }
    out->op = best;
    out->params = best_c.v;
    out->nparams = best_c.n;
    for (size_t i = 0; i < out->nparams; i++) { /* own NUL-terminated copies */
        out->params[i].value = arena_str(a, out->params[i].value);
        if (!out->params[i].value.ptr)
            return -2;
    }
    return 0;
}

/* Is seg (one raw path segment) "." or "..", also percent-encoded ("%2e", ".%2E", ...)? */
static bool dot_segment(const char *p, size_t n)
{
    size_t dots = 0;
    for (size_t i = 0; i < n; dots++) {
        if (p[i] == '.')
            i++;
        else if (n - i >= 3 && p[i] == '%' && p[i + 1] == '2' && (p[i + 2] | 0x20) == 'e')
            i += 3;
        else
            return false;
    }
    return dots == 1 || dots == 2;
}

/* The length of a path separator at p (n bytes left): '/' or a backslash, also percent-encoded
 * (some backends decode "%2F" and "%5C" before they resolve dot segments); 0 when none. */
static size_t separator(const char *p, size_t n)
{
    if (*p == '/' || *p == '\\')
        return 1;
    if (n >= 3 && p[0] == '%' &&
        ((p[1] == '2' && (p[2] | 0x20) == 'f') || (p[1] == '5' && (p[2] | 0x20) == 'c')))
        return 3;
    return 0;
}

/* Does the raw path hold a dot segment? The backend URL keeps the path as received, and a
 * backend that resolves "/api/../admin" would serve a path outside the API's serviceUrl. */
static bool has_dot_segment(str path)
{
    size_t start = 0, i = 0;
    while (i <= path.len) {
        size_t sep = i < path.len ? separator(path.ptr + i, path.len - i) : 1;
        if (!sep) {
            i++;
            continue;
        }
        if (i > start && dot_segment(path.ptr + start, i - start))
            return true;
        i += sep;
        start = i;
    }
    return false;
}

int rt_route_match(arena *a, const rt_config *c, const rt_route_req *req, rt_route *out)
{
    memset(out, 0, sizeof *out);
    str path = req->path;
    if (has_dot_segment(path)) {
        out->err = err_dot_segment;
        return -1;
    }
    if (path.len && path.ptr[0] == '/')
        path = (str){ path.ptr + 1, path.len - 1 };
    const rt_api *best = NULL;
    for (size_t i = 0; i < c->napis; i++) {
        const rt_api *api = &c->apis[i];
        if (api_prefix(path, api->path) && (!best || api->path.len > best->path.len))
            best = api;
    }
    if (!best) {
        out->err = err_not_found;
        return -1;
    }
    out->api = best;
    out->suffix = (str){ path.ptr + best->path.len, path.len - best->path.len };
    if (!best->nops)
        return 0;
    return match_operation(a, req, out);
}

/* ---- subscriptions ---- */

static bool sub_covers(const rt_subscription *s, const rt_api *api)
{
    switch (s->scope_kind) {
    case RT_SUB_SERVICE:
    case RT_SUB_ALL_APIS:
        return true;
    case RT_SUB_API:
        return s->api == api;
    case RT_SUB_PRODUCT:
        return s->product && rt_product_has_api(s->product, api);
    }
    return false;
}

int rt_route_authorize(arena *a, const rt_config *c, const rt_route_req *req, rt_route *out)
{
    const rt_api *api = out->api;
    if (!api)
        return -1;
    str key = STR_NULL;
    if (req->header && req->header(req->ud, api->key_header, &key)) {
        out->key_source = RT_KEY_HEADER;
    } else if (rt_route_query_get(a, req->query, api->key_query, true, &key)) {
        out->key_source = RT_KEY_QUERY;
    } else {
        key = STR_NULL;
    }
    if (out->key_source != RT_KEY_NONE) {
        if (!key.ptr)
            key = STR_LIT("");
        out->key = key;
        const rt_subscription *found = NULL;
        for (size_t i = 0; i < c->nsubs; i++) { /* no early exit: time independent of position */
            const rt_subscription *s = &c->subs[i];
            bool p1 = s->primary_key.len && rt_key_equal(key, s->primary_key);
            bool p2 = s->secondary_key.len && rt_key_equal(key, s->secondary_key);
            bool hit = p1 || p2; /* both compared: no short cut on the first */
            if (hit && !found && s->state == RT_SUB_ACTIVE && sub_covers(s, api))
                found = s;
        }
        if (!found) {
            out->err = err_key_invalid;
            return -1;
        }
        out->subscription = found;
        out->product = found->scope_kind == RT_SUB_PRODUCT ? found->product : NULL;
        return 0;
    }
    for (size_t i = 0; i < c->nproducts; i++) {
        const rt_product *p = &c->products[i];
        if (!p->subscription_required && p->published && rt_product_has_api(p, api)) {
            out->product = p;
            return 0;
        }
    }
    if (!api->subscription_required)
        return 0;
    out->err = err_key_missing;
    return -1;
}

int rt_route_resolve(arena *a, const rt_config *c, const rt_route_req *req, rt_route *out)
{
    int rc = rt_route_match(a, c, req, out);
    if (rc < 0)
        return rc;
    return rt_route_authorize(a, c, req, out);
}

/* ---- scopes ---- */

size_t rt_route_scopes(const rt_config *c, const rt_route *r,
                       const rt_cfg_file *out[RT_SCOPE_COUNT])
{
    for (int i = 0; i < RT_SCOPE_COUNT; i++)
        out[i] = NULL;
    if (c->policy.path)
        out[RT_SCOPE_GLOBAL] = &c->policy;
    if (r->product && r->product->policy.path)
        out[RT_SCOPE_PRODUCT] = &r->product->policy;
    if (r->api && r->api->policy.path)
        out[RT_SCOPE_API] = &r->api->policy;
    if (r->op && r->op->policy.path)
        out[RT_SCOPE_OPERATION] = &r->op->policy;
    size_t n = 0;
    for (int i = 0; i < RT_SCOPE_COUNT; i++)
        n += out[i] != NULL;
    return n;
}

const char *rt_scope_name(rt_scope_level s)
{
    static const char *const names[] = { "global", "product", "api", "operation" };
    return (unsigned)s < RT_SCOPE_COUNT ? names[s] : "";
}
