/* Named values: {{name}} references are replaced textually before anything else looks at the
 * document (gateway.md §3): they may sit in attribute values, text and inside C# string
 * literals. A value's own {{x}} is not expanded again (named values do not nest). References
 * inside XML comments are left alone. Every replacement is recorded as a segment so positions
 * map back to the file the user wrote. */
#include "impl.h"

#include "../runtime/base/buf.h"

#define NV_NAME_MAX 256

static bool is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

/* Length of the reference at s[i] ("{{name}}"), or 0. */
static size_t ref_len(const char *s, size_t n, size_t i)
{
    if (i + 5 > n || s[i] != '{' || s[i + 1] != '{')
        return 0;
    size_t j = i + 2;
    while (j < n && j - i - 2 <= NV_NAME_MAX && is_name_char((unsigned char)s[j]))
        j++;
    if (j == i + 2 || j + 1 >= n || s[j] != '}' || s[j + 1] != '}')
        return 0;
    return j + 2 - i;
}

typedef struct seg_vec {
    pol_seg *v;
    size_t n, cap;
} seg_vec;

static int seg_push(arena *a, seg_vec *sv, pol_seg s)
{
    if (s.len == 0)
        return 0;
    if (sv->n && s.copy && sv->v[sv->n - 1].copy &&
        sv->v[sv->n - 1].sub + sv->v[sv->n - 1].len == s.sub &&
        sv->v[sv->n - 1].orig + sv->v[sv->n - 1].len == s.orig) {
        sv->v[sv->n - 1].len += s.len;
        return 0;
    }
    if (sv->n == sv->cap) {
        size_t nc = sv->cap ? sv->cap * 2 : 16;
        pol_seg *nv = arena_realloc(a, sv->v, sv->cap * sizeof *nv, nc * sizeof *nv);
        if (!nv)
            return -1;
        sv->v = nv;
        sv->cap = nc;
    }
    sv->v[sv->n++] = s;
    return 0;
}

typedef struct seen {
    str *names;
    size_t n, cap;
} seen;

/* true when name was already reported */
static bool seen_add(arena *a, seen *s, str name)
{
    for (size_t i = 0; i < s->n; i++) {
        if (str_eq(s->names[i], name))
            return true;
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 8;
        str *nv = arena_realloc(a, s->names, s->cap * sizeof *nv, nc * sizeof *nv);
        if (!nv)
            return true;
        s->names = nv;
        s->cap = nc;
    }
    s->names[s->n++] = name;
    return false;
}

/* The state of one substitution pass. */
typedef struct nv_pass {
    arena *a;
    const pol_src *src;
    const pol_env *env;
    diag_list *d;
    buf out;
    seg_vec sv;
    seen reported;
    size_t *ur, nur, urcap; /* unresolved references: [from, to) pairs in the output */
    size_t copy_from;       /* start of the pending copy run in the original */
} nv_pass;

static size_t skip_comment(const char *s, size_t n, size_t i)
{
    for (size_t j = i + 4; j + 3 <= n; j++) {
        if (!memcmp(s + j, "-->", 3))
            return j + 3;
    }
    return n;
}

/* {{name}} at original offset i (length rl) is not defined: report it (once per name) and
 * remember where it lands in the output. */
static int unresolved(nv_pass *p, size_t i, size_t rl, str name)
{
    if (!seen_add(p->a, &p->reported, name)) {
        diag_pos pos;
        pol_src_pos_orig(p->src, i, &pos);
        if (p->env && p->env->strict)
            diag_add(p->d, DIAG_ERROR, &pos, "named value '%.*s' is not defined", STR_FMT(name));
        else
            diag_add(p->d, DIAG_WARNING, &pos,
                     "named value '%.*s' is not defined (no --config given)", STR_FMT(name));
    }
    if (p->nur + 2 > p->urcap) {
        size_t nc = p->urcap ? p->urcap * 2 : 16;
        size_t *nv = arena_realloc(p->a, p->ur, p->urcap * sizeof *nv, nc * sizeof *nv);
        if (!nv)
            return -1;
        p->ur = nv;
        p->urcap = nc;
    }
    /* everything before i is in the output or pending in the copy run */
    size_t at = p->out.len + (i - p->copy_from);
    p->ur[p->nur++] = at;
    p->ur[p->nur++] = at + rl;
    return 0;
}

/* Flushes the copy run up to original offset upto. */
static int flush(nv_pass *p, size_t upto)
{
    size_t len = upto - p->copy_from;
    if (seg_push(p->a, &p->sv, (pol_seg){ p->out.len, p->copy_from, len, true }) < 0 ||
        buf_append(&p->out, p->src->orig + p->copy_from, len) < 0)
        return -1;
    p->copy_from = upto;
    return 0;
}

static int substitute(nv_pass *p)
{
    const char *s = p->src->orig;
    size_t n = p->src->orig_len;
    for (size_t i = 0; i < n;) {
        if (s[i] == '<' && i + 4 <= n && !memcmp(s + i, "<!--", 4)) {
            i = skip_comment(s, n, i);
            continue;
        }
        size_t rl = ref_len(s, n, i);
        if (!rl) {
            i++;
            continue;
        }
        str name = { s + i + 2, rl - 4 }, value;
        if (!p->env || !p->env->named_value || !p->env->named_value(p->env->ud, name, &value)) {
            if (unresolved(p, i, rl, name) < 0)
                return -1;
            i += rl;
            continue;
        }
        if (flush(p, i) < 0 ||
            seg_push(p->a, &p->sv, (pol_seg){ p->out.len, i, value.len, false }) < 0 ||
            buf_append(&p->out, value.ptr, value.len) < 0)
            return -1;
        i += rl;
        p->copy_from = i;
    }
    return flush(p, n);
}

int pol_nv_substitute(arena *a, pol_src *src, const pol_env *env, diag_list *d, size_t **unres,
                      size_t *nunres)
{
    nv_pass p = { .a = a, .src = src, .env = env, .d = d };
    buf_init(&p.out, 0);
    int rc = substitute(&p);
    if (rc == 0) {
        char *t = arena_strndup(a, p.out.ptr ? p.out.ptr : "", p.out.len);
        if (!t)
            rc = -1;
        src->sub = t;
        src->sub_len = p.out.len;
        src->segs = p.sv.v;
        src->nsegs = p.sv.n;
    }
    buf_release(&p.out);
    *unres = p.ur;
    *nunres = p.nur;
    return rc;
}
