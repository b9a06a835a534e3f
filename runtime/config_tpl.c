/* Operation URL templates: "/deployments/{deployment-id}/chat/completions?api-version={v}" ->
 * rt_operation.segs / .query (route.c matches them). */
#include <string.h>

#include "config_impl.h"

typedef struct tpl_ctx {
    cfg_reader *r;
    const yaml_node_t *n;
    rt_operation *op;
    const char *what;
    str *names; /* parameter names seen (duplicates are errors) */
    size_t nnames, cap;
} tpl_ctx;

static int add_name(tpl_ctx *t, str name)
{
    for (size_t i = 0; i < t->nnames; i++) {
        if (str_ieq(t->names[i], name)) {
            cfg_error(t->r, t->n, "%s: parameter '%.*s' appears twice", t->what, STR_FMT(name));
            return -1;
        }
    }
    if (t->nnames == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 8;
        str *nn = arena_realloc(&t->r->c->a, t->names, t->cap * sizeof *nn, nc * sizeof *nn);
        if (!nn)
            return -1;
        t->names = nn;
        t->cap = nc;
    }
    t->names[t->nnames++] = name;
    return 0;
}

static bool is_param_name(str s)
{
    if (!s.len)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char ch = s.ptr[i];
        if (ch == '{' || ch == '}' || ch == '/' || ch == '?' || ch == '&' || ch == '=' ||
            (unsigned char)ch <= ' ')
            return false;
    }
    return true;
}

/* One path segment: literals and {params}, no two params adjacent. */
static int parse_seg(tpl_ctx *t, str s, rt_tpl_seg *seg)
{
    arena *a = &t->r->c->a;
    seg->parts = arena_calloc(a, s.len + 1, sizeof *seg->parts);
    if (!seg->parts)
        return -1;
    size_t i = 0;
    while (i < s.len) {
        rt_tpl_part *p = &seg->parts[seg->nparts];
        if (s.ptr[i] == '{') {
            const char *close = memchr(s.ptr + i, '}', s.len - i);
            str name = close ? (str){ s.ptr + i + 1, (size_t)(close - s.ptr) - i - 1 } : STR_NULL;
            if (!close || !is_param_name(name)) {
                cfg_error(t->r, t->n, "%s: malformed parameter (expected {name})", t->what);
                return -1;
            }
            if (seg->nparts && seg->parts[seg->nparts - 1].kind == RT_TPL_PARAM) {
                cfg_error(t->r, t->n, "%s: two parameters must be separated by literal text",
                          t->what);
                return -1;
            }
            if (add_name(t, name) < 0)
                return -1;
            *p = (rt_tpl_part){ RT_TPL_PARAM, arena_str(a, name) };
            i = (size_t)(close - s.ptr) + 1;
        } else {
            size_t j = i;
            while (j < s.len && s.ptr[j] != '{') {
                if (s.ptr[j] == '}' || (unsigned char)s.ptr[j] <= ' ') {
                    cfg_error(t->r, t->n, "%s: unexpected '%s' in the path", t->what,
                              s.ptr[j] == '}' ? "}" : "white space");
                    return -1;
                }
                j++;
            }
            *p = (rt_tpl_part){ RT_TPL_LIT, arena_str(a, (str){ s.ptr + i, j - i }) };
            i = j;
        }
        seg->nparts++;
    }
    return 0;
}

static int parse_query(tpl_ctx *t, str q)
{
    arena *a = &t->r->c->a;
    rt_operation *op = t->op;
    op->query = arena_calloc(a, q.len / 2 + 1, sizeof *op->query);
    if (!op->query)
        return -1;
    size_t i = 0;
    while (i <= q.len) {
        const char *amp = memchr(q.ptr + i, '&', q.len - i);
        str item = { q.ptr + i, amp ? (size_t)(amp - q.ptr) - i : q.len - i };
        i += item.len + 1;
        if (!item.len)
            continue;
        const char *eq = memchr(item.ptr, '=', item.len);
        str name = { item.ptr, eq ? (size_t)(eq - item.ptr) : item.len };
        str val = eq ? (str){ eq + 1, item.len - name.len - 1 } : STR_NULL;
        if (!eq || !name.len || !val.len) {
            cfg_error(t->r, t->n, "%s: query parameter '%.*s' needs =value or ={parameter}",
                      t->what, STR_FMT(item));
            return -1;
        }
        rt_tpl_query *tq = &op->query[op->nquery++];
        tq->name = arena_str(a, name);
        if (val.ptr[0] == '{') {
            str pname = { val.ptr + 1, val.len - 1 };
            if (val.ptr[val.len - 1] != '}' || !is_param_name((str){ pname.ptr, pname.len - 1 })) {
                cfg_error(t->r, t->n, "%s: malformed query parameter '%.*s'", t->what,
                          STR_FMT(item));
                return -1;
            }
            pname.len--;
            if (add_name(t, pname) < 0)
                return -1;
            tq->param = arena_str(a, pname);
        } else {
            tq->literal = arena_str(a, val);
        }
    }
    return 0;
}

int cfg_parse_template(cfg_reader *r, const yaml_node_t *n, rt_operation *op)
{
    str s = op->url_template;
    tpl_ctx t = { r, n, op, arena_sprintf(&r->c->a, "urlTemplate '%.*s'", STR_FMT(s)), NULL, 0, 0 };
    if (!t.what)
        return -1;
    if (!s.len || s.ptr[0] != '/') {
        cfg_error(r, n, "%s must start with '/'", t.what);
        return -1;
    }
    const char *qm = memchr(s.ptr, '?', s.len);
    str path = { s.ptr + 1, qm ? (size_t)(qm - s.ptr) - 1 : s.len - 1 };
    if (path.len && path.ptr[path.len - 1] == '/')
        path.len--; /* a trailing '/' is not significant */
    if (memchr(path.ptr, '#', path.len)) {
        cfg_error(r, n, "%s: '#' is not allowed", t.what);
        return -1;
    }
    size_t nsegs = 0;
    for (size_t i = 0; i < path.len; i++)
        nsegs += path.ptr[i] == '/';
    nsegs += path.len > 0;
    op->segs = arena_calloc(&r->c->a, nsegs + 1, sizeof *op->segs);
    if (!op->segs)
        return -1;
    for (size_t i = 0; path.len && i <= path.len;) {
        const char *sl = memchr(path.ptr + i, '/', path.len - i);
        str seg = { path.ptr + i, sl ? (size_t)(sl - path.ptr) - i : path.len - i };
        i += seg.len + 1;
        rt_tpl_seg *ts = &op->segs[op->nsegs++];
        if (!seg.len) {
            cfg_error(r, n, "%s: empty path segment ('//')", t.what);
            return -1;
        }
        if (str_eq_cstr(seg, "*")) {
            if (i <= path.len) {
                cfg_error(r, n, "%s: '*' is only allowed as the last segment", t.what);
                return -1;
            }
            ts->wildcard = true;
            continue;
        }
        if (parse_seg(&t, seg, ts) < 0)
            return -1;
    }
    if (qm && parse_query(&t, (str){ qm + 1, s.len - (size_t)(qm - s.ptr) - 1 }) < 0)
        return -1;
    return 0;
}
