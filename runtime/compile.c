/* Validated documents -> executable blocks: scope composition through <base/>, fragments
 * spliced in place, one step per policy with its conf filled by pol_spec.parse; and the value
 * readers of parse/exec functions. */
#include "compile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "policies/registry.h"
#include "req.h"

#define COMPILE_MAX_DEPTH 64

/* ---- readers ---- */

static const pol_attr *attr_table(const pol_node *el)
{
    if (el->spec)
        return el->spec->attrs;
    if (el->child)
        return el->child->attrs;
    return NULL;
}

static int parse_int(str s, int64_t *out);

/* The literal's integer and boolean values, read once (pol_val.lit_of). */
static void read_literal(pol_val *v)
{
    v->lit_of = v->lit;
    str s = str_trim(v->lit);
    v->lit_int_ok = parse_int(s, &v->lit_int) == 0;
    if (str_ieq(s, STR_LIT("true")) || str_ieq(s, STR_LIT("false"))) {
        v->lit_bool_ok = true;
        v->lit_bool = str_ieq(s, STR_LIT("true"));
    }
}

void pol_cc_attr(const pol_node *el, const char *name, pol_val *out)
{
    memset(out, 0, sizeof *out);
    const pol_attrv *av = pol_node_attr(el, name);
    if (av) {
        out->present = true;
        out->src = &av->value;
        out->ex = av->value.ex;
        out->lit = out->ex ? STR_LIT("") : str_trim(av->value.text);
        if (!out->ex)
            read_literal(out);
        return;
    }
    for (const pol_attr *at = attr_table(el); at && at->name; at++) {
        if (!strcmp(at->name, name) && at->def) {
            out->present = true;
            out->lit = str_from(at->def);
            read_literal(out);
            return;
        }
    }
}

/* Whether v is a literal read by pol_cc_attr that nothing changed since. */
static bool literal_read(const pol_val *v)
{
    return v->present && !v->ex && v->lit_of.ptr == v->lit.ptr && v->lit_of.len == v->lit.len;
}

void pol_cc_text(const pol_node *el, pol_val *out)
{
    memset(out, 0, sizeof *out);
    if (el->has_text) {
        out->present = true;
        out->src = &el->text;
        out->ex = el->text.ex;
        out->lit = out->ex ? STR_LIT("") : el->text.text;
    } else if (el->raw.len) {
        out->present = true;
        out->lit = el->raw;
    }
}

str pol_cc_lit(const pol_node *el, const char *name, const char *def)
{
    pol_val v;
    pol_cc_attr(el, name, &v);
    if (!v.present || v.ex)
        return str_from(def);
    return v.lit;
}

bool pol_cc_bool(const pol_node *el, const char *name, bool def)
{
    str s = pol_cc_lit(el, name, NULL);
    if (!s.ptr)
        return def;
    return str_ieq(s, STR_LIT("true"));
}

int64_t pol_cc_int(const pol_node *el, const char *name, int64_t def)
{
    str s = pol_cc_lit(el, name, NULL);
    if (!s.ptr || !s.len)
        return def;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%.*s", STR_FMT(s));
    return strtoll(tmp, NULL, 10);
}

size_t pol_cc_children(pol_cc *cc, const pol_node *el, const char *name, const pol_node ***out)
{
    size_t n = 0;
    for (size_t i = 0; i < el->nkids; i++)
        n += str_eq_cstr(el->kids[i]->name, name);
    *out = NULL;
    if (!n)
        return 0;
    const pol_node **v = arena_calloc(cc->a, n, sizeof *v);
    if (!v)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < el->nkids; i++) {
        if (str_eq_cstr(el->kids[i]->name, name))
            v[k++] = el->kids[i];
    }
    *out = v;
    return n;
}

int pol_cc_error(pol_cc *cc, const pol_node *el, const char *fmt, ...)
{
    diag_pos pos;
    pol_loc_pos(el->loc, &pos);
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_add(cc->d, DIAG_ERROR, &pos, "<%.*s>: %s", STR_FMT(el->name), msg);
    return -1;
}

/* ---- blocks ---- */

typedef struct step_vec {
    rt_step *v;
    size_t n, cap;
} step_vec;

static int push_step(pol_cc *cc, step_vec *sv, const rt_step *s)
{
    if (sv->n == sv->cap) {
        size_t nc = sv->cap ? sv->cap * 2 : 8;
        rt_step *nv = arena_realloc(cc->a, sv->v, sv->cap * sizeof *nv, nc * sizeof *nv);
        if (!nv)
            return -1;
        sv->v = nv;
        sv->cap = nc;
    }
    sv->v[sv->n++] = *s;
    return 0;
}

/* "choose[1]/when[2]/set-header[1]": element names with their index among same-named
 * siblings, up to the section (or fragment root). */
static const char *node_path(pol_cc *cc, const pol_node *nd)
{
    const pol_node *chain[COMPILE_MAX_DEPTH];
    size_t n = 0;
    for (const pol_node *p = nd; p && p->kind != POL_N_SECTION && n < COMPILE_MAX_DEPTH;
         p = p->parent)
        chain[n++] = p;
    char text[1024];
    size_t len = 0;
    text[0] = '\0';
    while (n--) {
        const pol_node *p = chain[n];
        unsigned idx = 1;
        if (p->parent) {
            for (size_t i = 0; i < p->parent->nkids && p->parent->kids[i] != p; i++)
                idx += str_eq(p->parent->kids[i]->name, p->name);
        }
        int w = snprintf(text + len, sizeof text - len, "%s%.*s[%u]", len ? "/" : "",
                         STR_FMT(p->name), idx);
        if (w < 0 || (size_t)w >= sizeof text - len)
            break;
        len += (size_t)w;
    }
    return arena_strdup(cc->a, text);
}

static int compile_into(pol_cc *cc, pol_node *const *kids, size_t n, step_vec *sv, bool in_frag);

static int compile_statement(pol_cc *cc, pol_node *nd, step_vec *sv, bool in_frag)
{
    switch (nd->kind) {
    case POL_N_BASE:
        if (!in_frag && cc->base) {
            for (size_t i = 0; i < cc->base->n; i++) {
                if (push_step(cc, sv, &cc->base->steps[i]) < 0)
                    return -1;
            }
        }
        return 0;
    case POL_N_INCLUDE:
        if (!nd->frag && nd->spec->exec)
            break; /* unresolved without a configuration (validation warned): the step fails
                    * when it runs (include-fragment's exec, flow.c) */
        if (!nd->frag) {
            const pol_attrv *id = pol_node_attr(nd, "fragment-id");
            return pol_cc_error(cc, nd, "fragment '%.*s' is not defined",
                                id ? (int)id->value.text.len : 0, id ? id->value.text.ptr : "");
        }
        if (cc->depth > COMPILE_MAX_DEPTH)
            return pol_cc_error(cc, nd, "fragments nest too deeply");
        return compile_into(cc, nd->frag->root->kids, nd->frag->root->nkids, sv, true);
    case POL_N_POLICY:
        break;
    default:
        return 0; /* not a statement (rejected by validation) */
    }
    rt_step s = { .spec = nd->spec, .node = nd, .scope = cc->scope };
    s.path = node_path(cc, nd);
    const pol_attrv *id = pol_node_attr(nd, "id");
    if (id)
        s.id = str_trim(id->value.text);
    if (nd->spec->conf_size) {
        s.conf = arena_alloc(cc->a, nd->spec->conf_size);
        if (!s.conf)
            return pol_cc_error(cc, nd, "out of memory");
    }
    if (nd->spec->parse) {
        cc->depth++;
        int rc = nd->spec->parse(cc, nd, s.conf);
        cc->depth--;
        if (rc < 0)
            return -1;
    }
    return push_step(cc, sv, &s);
}

static int compile_into(pol_cc *cc, pol_node *const *kids, size_t n, step_vec *sv, bool in_frag)
{
    int rc = 0;
    cc->depth++;
    for (size_t i = 0; i < n; i++) {
        if (compile_statement(cc, kids[i], sv, in_frag) < 0)
            rc = -1;
    }
    cc->depth--;
    return rc;
}

int pol_compile_block(pol_cc *cc, pol_node *const *kids, size_t n, rt_block *out)
{
    step_vec sv = { 0 };
    if (cc->depth > COMPILE_MAX_DEPTH)
        return -1;
    /* <base/> only counts directly in a section: nested blocks never splice the parent */
    const rt_block *base = cc->base;
    if (cc->depth > 0)
        cc->base = NULL;
    int rc = compile_into(cc, kids, n, &sv, false);
    cc->base = base;
    out->steps = sv.v;
    out->n = sv.n;
    return rc;
}

/* ---- chains ---- */

static const char default_global[] =
    "<policies><inbound/><backend><forward-request/></backend><outbound/><on-error/></policies>";

static const pol_doc *default_doc(arena *a, diag_list *d)
{
    pol_env env = { .find = rt_policy_find, .each = rt_policy_each };
    return pol_doc_load(a, "<default global policy>", default_global, sizeof default_global - 1,
                        &env, d);
}

rt_program *rt_compile_chain(arena *a, const rt_scope_doc *levels, size_t n, diag_list *d)
{
    rt_program *p = arena_alloc(a, sizeof *p);
    if (!p)
        return NULL;
    size_t errors = d->errors;
    const pol_doc *global = n && levels[0].doc ? levels[0].doc : default_doc(a, d);
    for (int s = 0; s < POL_S_COUNT; s++) {
        rt_block eff = { 0 };
        for (size_t l = 0; l < n; l++) {
            const pol_doc *doc = l == 0 ? global : levels[l].doc;
            if (!doc || !doc->sections[s])
                continue; /* transparent scope / absent section = <base/> only */
            pol_cc cc = { .a = a, .d = d, .scope = levels[l].scope, .base = &eff };
            rt_block out;
            pol_node *sec = doc->sections[s];
            pol_compile_block(&cc, sec->kids, sec->nkids, &out);
            eff = out;
        }
        p->sec[s] = eff;
    }
    return d->errors == errors ? p : NULL;
}

/* ---- run-time values ---- */

int rt_val_xv(rt_req *r, const pol_val *v, xv *out)
{
    if (!v->present) {
        *out = xv_null();
        return 0;
    }
    if (!v->ex) {
        *out = xv_str(v->lit);
        return 0;
    }
    if (expr_eval(&r->env, v->ex, out) < 0) {
        rt_fail_expr(r);
        return -1;
    }
    return 0;
}

int rt_val_str(rt_req *r, const pol_val *v, str *out)
{
    xv x;
    if (rt_val_xv(r, v, &x) < 0)
        return -1;
    if (x.kind == XV_NULL) {
        *out = STR_NULL;
        return 0;
    }
    if (x.kind == XV_STR) {
        *out = x.u.s.ptr ? x.u.s : STR_LIT("");
        return 0;
    }
    if (xv_to_string(&r->env, x, out) < 0) {
        rt_fail_expr(r);
        return -1;
    }
    return 0;
}

/* A decimal integer as strtoll reads it (sign, digits; a NUL ends the text), shorter than 40
 * bytes, fitting 64 bits; -1 otherwise. Called for every integer attribute of every request:
 * no copy, no printf. */
static int parse_int(str s, int64_t *out)
{
    if (!s.len || s.len >= 40)
        return -1;
    size_t i = 0, n = s.len;
    const char *nul = memchr(s.ptr, 0, n);
    if (nul)
        n = (size_t)(nul - s.ptr);
    while (i < n && (s.ptr[i] == ' ' || (s.ptr[i] >= '\t' && s.ptr[i] <= '\r')))
        i++; /* strtoll skips leading white space */
    bool neg = false;
    if (i < n && (s.ptr[i] == '+' || s.ptr[i] == '-'))
        neg = s.ptr[i++] == '-';
    if (i >= n)
        return -1;
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        unsigned d = (unsigned char)s.ptr[i] - (unsigned)'0';
        if (d > 9 || v > (lim - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int rt_val_int(rt_req *r, const pol_val *v, int64_t def, int64_t *out)
{
    if (v->lit_int_ok && literal_read(v)) {
        *out = v->lit_int;
        return 0;
    }
    xv x;
    if (rt_val_xv(r, v, &x) < 0)
        return -1;
    *out = def;
    if (x.kind == XV_NULL)
        return 0;
    if (x.kind == XV_INT) {
        *out = x.u.i;
        return 0;
    }
    if (x.kind == XV_DOUBLE) {
        *out = (int64_t)x.u.d;
        return 0;
    }
    str s;
    if (x.kind == XV_STR)
        s = x.u.s;
    else if (xv_to_string(&r->env, x, &s) < 0)
        return rt_fail_expr(r), -1;
    s = str_trim(s);
    if (parse_int(s, out) < 0)
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                       "Expression evaluation failed. '%.*s' is not a valid integer", STR_FMT(s)),
               -1;
    return 0;
}

int rt_val_bool(rt_req *r, const pol_val *v, bool def, bool *out)
{
    if (v->lit_bool_ok && literal_read(v)) {
        *out = v->lit_bool;
        return 0;
    }
    xv x;
    if (rt_val_xv(r, v, &x) < 0)
        return -1;
    *out = def;
    if (x.kind == XV_NULL)
        return 0;
    if (x.kind == XV_BOOL) {
        *out = x.u.b;
        return 0;
    }
    str s;
    if (x.kind == XV_STR)
        s = x.u.s;
    else if (xv_to_string(&r->env, x, &s) < 0)
        return rt_fail_expr(r), -1;
    s = str_trim(s);
    if (str_ieq(s, STR_LIT("true")) || str_ieq(s, STR_LIT("false"))) {
        *out = str_ieq(s, STR_LIT("true"));
        return 0;
    }
    return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                   "Expression evaluation failed. '%.*s' is not a valid boolean", STR_FMT(s)),
           -1;
}
