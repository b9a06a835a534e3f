/* "Did you mean" for load-time name errors: the closest candidate by edit distance among a
 * class's members and methods (base chain, Object, extension methods), the names in scope or
 * the type names. */
#include <stdio.h>
#include <string.h>

#include "ast.h"

#define SUGGEST_MAX_LEN 64

static char fold_ci(char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* Optimal string alignment distance (a transposition counts 1), ASCII case-insensitive or
 * exact. */
static size_t distance(str a, str b, bool ci)
{
    size_t rows[3][SUGGEST_MAX_LEN + 1];
    size_t *pp = rows[0], *p = rows[1], *c = rows[2];
#define fold(ch) (ci ? fold_ci(ch) : (ch))
    for (size_t j = 0; j <= b.len; j++)
        p[j] = j;
    for (size_t i = 1; i <= a.len; i++) {
        c[0] = i;
        for (size_t j = 1; j <= b.len; j++) {
            size_t cost = fold(a.ptr[i - 1]) == fold(b.ptr[j - 1]) ? 0 : 1;
            size_t best = p[j] + 1;
            if (c[j - 1] + 1 < best)
                best = c[j - 1] + 1;
            if (p[j - 1] + cost < best)
                best = p[j - 1] + cost;
            if (i > 1 && j > 1 && fold(a.ptr[i - 1]) == fold(b.ptr[j - 2]) &&
                fold(a.ptr[i - 2]) == fold(b.ptr[j - 1]) && pp[j - 2] + 1 < best)
                best = pp[j - 2] + 1;
            c[j] = best;
        }
        size_t *t = pp;
        pp = p;
        p = c;
        c = t;
    }
#undef fold
    return p[b.len];
}

void expr_suggest_init(expr_suggest *sg, str name)
{
    sg->name = name;
    sg->best = STR_NULL;
    sg->dist = (size_t)-1;
    sg->exact = (size_t)-1;
}

void expr_suggest_add(expr_suggest *sg, str cand)
{
    if (!cand.ptr || cand.len == 0 || cand.len > SUGGEST_MAX_LEN ||
        sg->name.len > SUGGEST_MAX_LEN || str_eq(cand, sg->name))
        return;
    size_t lo = cand.len < sg->name.len ? sg->name.len - cand.len : cand.len - sg->name.len;
    if (lo > 2)
        return;
    size_t d = distance(sg->name, cand, true);
    /* at most 2 edits, and no more than half the name: 'Foo' does not suggest 'Api' */
    if (d > sg->dist || (d > 0 && (d > 2 || d * 2 > sg->name.len)))
        return;
    size_t e = distance(sg->name, cand, false); /* ties: 'Strng' is 'String', not 'string' */
    if (d < sg->dist || e < sg->exact) {
        sg->dist = d;
        sg->exact = e;
        sg->best = cand;
    }
}

static void add_members(expr_suggest *sg, const xv_member *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        expr_suggest_add(sg, str_from(m[i].name));
}

static void add_methods(expr_suggest *sg, const xv_method *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        expr_suggest_add(sg, str_from(m[i].name));
}

static void add_extensions(expr_suggest *sg)
{
    for (const xv_lib *const *l = expr_libs(); *l; l++)
        for (const xv_class *const *c = (*l)->classes; *c; c++)
            if ((*c)->flags & XV_CLASS_EXTENSION)
                add_methods(sg, (*c)->methods, (*c)->nmethods);
}

void expr_suggest_class(expr_suggest *sg, const xv_class *c, unsigned what)
{
    for (const xv_class *k = c; k; k = k->base) {
        if (what & EXPR_SUGGEST_MEMBERS)
            add_members(sg, k->members, k->nmembers);
        if (what & EXPR_SUGGEST_STATICS)
            add_members(sg, k->smembers, k->nsmembers);
    }
    for (const xv_class *k = c; k; k = k->base) {
        if (what & EXPR_SUGGEST_METHODS)
            add_methods(sg, k->methods, k->nmethods);
        if (what & EXPR_SUGGEST_STATICS)
            add_methods(sg, k->smethods, k->nsmethods);
    }
    if (what & EXPR_SUGGEST_METHODS)
        add_methods(sg, expr_class_object.methods, expr_class_object.nmethods);
    if (what & EXPR_SUGGEST_EXTENSIONS)
        add_extensions(sg);
}

void expr_suggest_types(expr_suggest *sg)
{
    static const char *const keywords[] = { "bool", "byte", "char",   "decimal", "double", "float",
                                            "int",  "long", "object", "string",  "dynamic" };
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        expr_suggest_add(sg, str_from(keywords[i]));
    for (const xv_lib *const *l = expr_libs(); *l; l++) {
        for (const xv_class *const *c = (*l)->classes; *c; c++) {
            if ((*c)->flags & XV_CLASS_EXTENSION)
                continue;
            expr_suggest_add(sg, str_from((*c)->name));
            for (const char *const *a = (*c)->aliases; a && *a; a++)
                expr_suggest_add(sg, str_from(*a));
        }
    }
}

int expr_suggest_suffix(const expr_suggest *sg, char *buf, size_t n)
{
    if (!sg->best.ptr) {
        if (n)
            buf[0] = '\0';
        return 0;
    }
    return snprintf(buf, n, "; did you mean '%.*s'?", STR_FMT(sg->best));
}
