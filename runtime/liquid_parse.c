/* Liquid compilation: pieces (liquid_lex.c) -> template tree. Every syntax error is
 * reported (the bad tag is skipped and parsing goes on). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "liquid_impl.h"

typedef struct parser {
    arena *a;
    const char *s;
    size_t len;
    const diag_mapper *m;
    diag_list *d;
    lq_pieces ps;
    size_t pos;   /* next piece */
    int depth;    /* block nesting */
    bool failed;  /* an error was reported */
    bool gave_up; /* nesting limit: the rest of the template was skipped */
    bool oom;
    /* the markup being parsed */
    lq_tokens ts;
    size_t tp;
    const char *tag; /* for messages */
} parser;

static void perr(parser *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void perr(parser *p, size_t off, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_at(p->d, p->m, off, DIAG_ERROR, "liquid: %s", msg);
    p->failed = true;
}

static void *palloc(parser *p, size_t n)
{
    void *q = arena_alloc(p->a, n);
    if (!q)
        p->oom = true;
    return q;
}

/* Appends item to a growing arena array (items, n), doubling at powers of two. */
static int vpush(parser *p, void ***items, size_t *n, void *item)
{
    if ((*n & (*n - 1)) == 0) {
        size_t ncap = *n ? *n * 2 : 4;
        void **q = arena_realloc(p->a, *items, *n * sizeof *q, ncap * sizeof *q);
        if (!q) {
            p->oom = true;
            return -1;
        }
        *items = q;
    }
    (*items)[(*n)++] = item;
    return 0;
}

/* ---- markup ---- */

static const lq_token *peek(parser *p)
{
    return &p->ts.items[p->tp];
}

static const lq_token *next(parser *p)
{
    const lq_token *t = &p->ts.items[p->tp];
    if (t->kind != LQ_T_END)
        p->tp++;
    return t;
}

static bool is_word(const lq_token *t, const char *w)
{
    return t->kind == LQ_T_IDENT && str_eq_cstr(t->text, w);
}

/* and/or/contains accept a capital first letter too (DotLiquid's C# operator matching). */
static bool is_word_ci1(const lq_token *t, const char *w)
{
    if (t->kind != LQ_T_IDENT || t->text.len != strlen(w) || t->text.len == 0)
        return false;
    char c = t->text.ptr[0];
    return (c == w[0] || c == w[0] - 32) && memcmp(t->text.ptr + 1, w + 1, t->text.len - 1) == 0;
}

static void tok_err(parser *p, const lq_token *t, const char *want)
{
    if (t->kind == LQ_T_END)
        perr(p, t->off, "in '%s': expected %s, found end of tag", p->tag, want);
    else if (t->kind == LQ_T_BAD && t->text.len > 1)
        perr(p, t->off, "in '%s': %.*s", p->tag, STR_FMT(t->text));
    else
        perr(p, t->off, "in '%s': expected %s, found '%.*s'", p->tag, want, STR_FMT(t->text));
}

static lq_expr *new_expr(parser *p, int kind, size_t off)
{
    lq_expr *e = palloc(p, sizeof *e);
    if (e) {
        e->kind = kind;
        e->off = off;
    }
    return e;
}

static lq_expr *parse_primary(parser *p);

/* path -> ident ('.' ident | '[' primary ']')* */
static lq_expr *parse_path(parser *p, const lq_token *root)
{
    lq_expr *e = new_expr(p, LQ_E_PATH, root->off);
    if (!e)
        return NULL;
    e->u.path.root = root->text;
    void **segs = NULL;
    size_t n = 0;
    for (;;) {
        const lq_token *t = peek(p);
        lq_seg *sg;
        if (t->kind == LQ_T_DOT) {
            next(p);
            const lq_token *nm = next(p);
            if (nm->kind != LQ_T_IDENT) {
                tok_err(p, nm, "a name after '.'");
                return NULL;
            }
            if (!(sg = palloc(p, sizeof *sg)))
                return NULL;
            sg->name = nm->text;
            sg->off = nm->off;
        } else if (t->kind == LQ_T_LBRACK) {
            next(p);
            if (++p->depth > RT_LIQUID_MAX_DEPTH) {
                perr(p, t->off, "brackets nested too deeply");
                return NULL;
            }
            lq_expr *ix = parse_primary(p);
            p->depth--;
            if (!ix)
                return NULL;
            const lq_token *rb = next(p);
            if (rb->kind != LQ_T_RBRACK) {
                tok_err(p, rb, "']'");
                return NULL;
            }
            if (!(sg = palloc(p, sizeof *sg)))
                return NULL;
            sg->index = ix;
            sg->off = t->off;
        } else {
            break;
        }
        if (vpush(p, &segs, &n, sg) < 0)
            return NULL;
    }
    lq_seg *arr = n ? palloc(p, n * sizeof *arr) : NULL;
    if (n && !arr)
        return NULL;
    for (size_t i = 0; i < n; i++)
        arr[i] = *(lq_seg *)segs[i];
    e->u.path.segs = arr;
    e->u.path.nsegs = n;
    return e;
}

static lq_expr *lit(parser *p, int kind, size_t off)
{
    lq_expr *e = new_expr(p, LQ_E_LIT, off);
    if (e)
        e->u.lit.kind = kind;
    return e;
}

/* primary -> string | number | nil | true | false | empty | blank | '(' primary '..' primary ')'
 *          | path */
static lq_expr *parse_primary(parser *p)
{
    const lq_token *t = next(p);
    lq_expr *e;
    switch (t->kind) {
    case LQ_T_STR:
        if ((e = lit(p, LQ_STR, t->off)))
            e->u.lit.s = t->text;
        return e;
    case LQ_T_INT:
    case LQ_T_REAL: {
        char tmp[64];
        size_t n = t->text.len < sizeof tmp - 1 ? t->text.len : sizeof tmp - 1;
        memcpy(tmp, t->text.ptr, n);
        tmp[n] = '\0';
        errno = 0;
        if (t->kind == LQ_T_INT) {
            long long v = strtoll(tmp, NULL, 10);
            if (errno == 0) {
                if ((e = lit(p, LQ_INT, t->off)))
                    e->u.lit.i = v;
                return e;
            }
        }
        if ((e = lit(p, LQ_REAL, t->off)))
            e->u.lit.d = strtod(tmp, NULL);
        return e;
    }
    case LQ_T_LPAREN: {
        if (++p->depth > RT_LIQUID_MAX_DEPTH) {
            perr(p, t->off, "parentheses nested too deeply");
            return NULL;
        }
        lq_expr *a = parse_primary(p);
        const lq_token *dd = a ? next(p) : NULL;
        if (a && dd->kind != LQ_T_DOTDOT) {
            tok_err(p, dd, "'..' in a range");
            a = NULL;
        }
        lq_expr *b = a ? parse_primary(p) : NULL;
        const lq_token *rp = b ? next(p) : NULL;
        if (b && rp->kind != LQ_T_RPAREN) {
            tok_err(p, rp, "')'");
            b = NULL;
        }
        p->depth--;
        if (!b || !(e = new_expr(p, LQ_E_RANGE, t->off)))
            return NULL;
        e->u.bin.a = a;
        e->u.bin.b = b;
        return e;
    }
    case LQ_T_IDENT:
        if (is_word(t, "nil") || is_word(t, "null"))
            return lit(p, LQ_NIL, t->off);
        if (is_word(t, "true"))
            return lit(p, LQ_TRUE, t->off);
        if (is_word(t, "false"))
            return lit(p, LQ_FALSE, t->off);
        if (is_word(t, "empty") && peek(p)->kind != LQ_T_DOT && peek(p)->kind != LQ_T_LBRACK)
            return lit(p, LQ_EMPTY, t->off);
        if (is_word(t, "blank") && peek(p)->kind != LQ_T_DOT && peek(p)->kind != LQ_T_LBRACK)
            return lit(p, LQ_BLANK, t->off);
        return parse_path(p, t);
    default:
        tok_err(p, t, "a value");
        return NULL;
    }
}

/* filtered -> primary ('|' name (':' primary (',' primary)*)?)* */
static lq_expr *parse_filtered(parser *p)
{
    lq_expr *base = parse_primary(p);
    if (!base || peek(p)->kind != LQ_T_PIPE)
        return base;
    void **calls = NULL;
    size_t n = 0;
    while (peek(p)->kind == LQ_T_PIPE) {
        next(p);
        const lq_token *nm = next(p);
        if (nm->kind != LQ_T_IDENT) {
            tok_err(p, nm, "a filter name after '|'");
            return NULL;
        }
        lq_call *c = palloc(p, sizeof *c);
        if (!c)
            return NULL;
        c->name = nm->text;
        c->off = nm->off;
        c->f = lq_filter_find(nm->text);
        void **args = NULL;
        if (peek(p)->kind == LQ_T_COLON) {
            next(p);
            do {
                lq_expr *a = parse_primary(p);
                if (!a || vpush(p, &args, &c->nargs, a) < 0)
                    return NULL;
            } while (peek(p)->kind == LQ_T_COMMA && next(p));
        }
        c->args = (lq_expr **)args;
        if (!c->f) {
            diag_at(p->d, p->m, nm->off, DIAG_WARNING,
                    "liquid: unknown filter '%.*s' (its input passes through)", STR_FMT(nm->text));
        } else if (c->nargs < c->f->min || c->nargs > c->f->max) {
            if (c->f->min == c->f->max)
                perr(p, nm->off, "filter '%s' takes %u argument%s, got %zu", c->f->name, c->f->min,
                     c->f->min == 1 ? "" : "s", c->nargs);
            else
                perr(p, nm->off, "filter '%s' takes %u to %u arguments, got %zu", c->f->name,
                     c->f->min, c->f->max, c->nargs);
        }
        if (vpush(p, &calls, &n, c) < 0)
            return NULL;
    }
    lq_expr *e = new_expr(p, LQ_E_FILTER, base->off);
    lq_call *arr = palloc(p, n * sizeof *arr);
    if (!e || !arr)
        return NULL;
    for (size_t i = 0; i < n; i++)
        arr[i] = *(lq_call *)calls[i];
    e->u.filt.base = base;
    e->u.filt.calls = arr;
    e->u.filt.ncalls = n;
    return e;
}

/* cond -> cmp (('and' | 'or') cond)?     (right-associative, as Liquid evaluates)
 * cmp  -> primary ((== != <> < > <= >= | contains) primary)? */
static lq_expr *parse_cond(parser *p)
{
    lq_expr *a = parse_primary(p);
    if (!a)
        return NULL;
    const lq_token *t = peek(p);
    int op = -1;
    if (t->kind == LQ_T_CMP)
        op = t->op;
    else if (is_word_ci1(t, "contains"))
        op = LQ_CONTAINS;
    lq_expr *c = a;
    if (op >= 0) {
        next(p);
        lq_expr *b = parse_primary(p);
        if (!b || !(c = new_expr(p, LQ_E_CMP, t->off)))
            return NULL;
        c->u.bin.op = op;
        c->u.bin.a = a;
        c->u.bin.b = b;
    }
    t = peek(p);
    bool is_and = is_word_ci1(t, "and");
    if (!is_and && !is_word_ci1(t, "or"))
        return c;
    next(p);
    if (++p->depth > RT_LIQUID_MAX_DEPTH) {
        perr(p, t->off, "condition too long");
        return NULL;
    }
    lq_expr *rest = parse_cond(p);
    p->depth--;
    lq_expr *e = rest ? new_expr(p, is_and ? LQ_E_AND : LQ_E_OR, t->off) : NULL;
    if (!e)
        return NULL;
    e->u.bin.a = c;
    e->u.bin.b = rest;
    return e;
}

/* Starts tokenizing the markup of pc after `after` (the tag name). -1 at the arena cap. */
static int begin_markup(parser *p, const lq_piece *pc, size_t after, const char *tag)
{
    p->ts.n = 0;
    p->tp = 0;
    p->tag = tag;
    if (lq_lex(p->a, p->s, after, pc->off + pc->len - after, &p->ts) < 0) {
        p->oom = true;
        return -1;
    }
    return 0;
}

/* The markup must be fully consumed. */
static bool end_markup(parser *p)
{
    const lq_token *t = peek(p);
    if (t->kind == LQ_T_END)
        return true;
    tok_err(p, t, "end of tag");
    return false;
}

static lq_expr *parse_output(parser *p, const lq_piece *pc)
{
    if (begin_markup(p, pc, pc->off, "{{") < 0)
        return NULL;
    if (peek(p)->kind == LQ_T_END) /* {{ }} renders nothing */
        return lit(p, LQ_NIL, pc->off);
    lq_expr *e = parse_filtered(p);
    return e && end_markup(p) ? e : NULL;
}

/* ---- tags ---- */

static lq_node *new_node(parser *p, int kind, size_t off)
{
    lq_node *n = palloc(p, sizeof *n);
    if (n) {
        n->kind = kind;
        n->off = off;
    }
    return n;
}

/* The end of a block: which tag ended it (empty = end of template) and its piece. */
typedef struct block_end {
    str name;
    const lq_piece *pc;
    size_t after; /* offset after the tag name */
} block_end;

static int parse_block(parser *p, const char *const *ends, lq_block *out, block_end *be);

static bool is_in(str name, const char *const *list)
{
    for (; list && *list; list++)
        if (str_eq_cstr(name, *list))
            return true;
    return false;
}

static void never_closed(parser *p, const lq_piece *pc, const char *tag)
{
    if (!p->gave_up)
        perr(p, pc->start, "'%s' tag was never closed", tag);
}

static int push_branch(parser *p, void ***brs, size_t *n, lq_expr *cond, lq_expr **vals,
                       size_t nvals, lq_block body)
{
    lq_branch *b = palloc(p, sizeof *b);
    if (!b)
        return -1;
    b->cond = cond;
    b->vals = vals;
    b->nvals = nvals;
    b->body = body;
    return vpush(p, brs, n, b);
}

static void set_branches(parser *p, lq_node *nd, void **brs, size_t n)
{
    lq_branch *arr = n ? palloc(p, n * sizeof *arr) : NULL;
    for (size_t i = 0; arr && i < n; i++)
        arr[i] = *(lq_branch *)brs[i];
    nd->u.cond.br = arr;
    nd->u.cond.nbr = arr ? n : 0;
}

/* if/unless cond ... (elsif cond ...)* (else ...)? endif */
static lq_node *parse_if(parser *p, const lq_piece *pc, size_t after, bool unless)
{
    const char *tag = unless ? "unless" : "if";
    static const char *const if_ends[] = { "elsif", "else", "endif", NULL };
    static const char *const unless_ends[] = { "elsif", "else", "endunless", NULL };
    const char *const *ends = unless ? unless_ends : if_ends;
    lq_node *nd = new_node(p, LQ_N_IF, pc->start);
    if (!nd || begin_markup(p, pc, after, tag) < 0)
        return NULL;
    nd->u.cond.unless = unless;
    lq_expr *cond = parse_cond(p);
    if (cond && !end_markup(p))
        cond = NULL;
    if (!cond) /* reported; keep parsing the body */
        cond = lit(p, LQ_FALSE, pc->start);
    void **brs = NULL;
    size_t n = 0;
    bool in_else = false;
    for (;;) {
        lq_block body;
        block_end be;
        if (parse_block(p, ends, &body, &be) < 0)
            return NULL;
        if (push_branch(p, &brs, &n, in_else ? NULL : cond, NULL, 0, body) < 0)
            return NULL;
        if (!be.pc) {
            never_closed(p, pc, tag);
            break;
        }
        if (str_eq_cstr(be.name, "elsif") && !in_else) {
            if (begin_markup(p, be.pc, be.after, "elsif") < 0)
                return NULL;
            cond = parse_cond(p);
            if (cond && !end_markup(p))
                cond = NULL;
            if (!cond) /* keep the branch shape; the error is reported */
                cond = lit(p, LQ_FALSE, be.pc->start);
        } else if (str_eq_cstr(be.name, "else") && !in_else) {
            in_else = true;
        } else if (str_eq_cstr(be.name, "elsif") || str_eq_cstr(be.name, "else")) {
            perr(p, be.pc->start, "'%.*s' after 'else' in '%s'", STR_FMT(be.name), tag);
        } else {
            break;
        }
    }
    set_branches(p, nd, brs, n);
    return nd;
}

/* when-values -> primary ((',' | 'or') primary)* */
static int parse_when_values(parser *p, lq_expr ***vals, size_t *n)
{
    void **v = NULL;
    *n = 0;
    for (;;) {
        lq_expr *e = parse_primary(p);
        if (!e || vpush(p, &v, n, e) < 0)
            return -1;
        const lq_token *t = peek(p);
        if (t->kind == LQ_T_COMMA || is_word(t, "or"))
            next(p);
        else
            break;
    }
    *vals = (lq_expr **)v;
    return end_markup(p) ? 0 : -1;
}

/* case subject (when v, v ... )* (else ...)? endcase */
static lq_node *parse_case(parser *p, const lq_piece *pc, size_t after)
{
    static const char *const ends[] = { "when", "else", "endcase", NULL };
    lq_node *nd = new_node(p, LQ_N_CASE, pc->start);
    if (!nd || begin_markup(p, pc, after, "case") < 0)
        return NULL;
    nd->u.cond.subject = parse_primary(p);
    if (nd->u.cond.subject)
        end_markup(p);
    void **brs = NULL;
    size_t n = 0;
    lq_block body;
    block_end be;
    if (parse_block(p, ends, &body, &be) < 0) /* text before the first when is dropped */
        return NULL;
    while (be.pc && !str_eq_cstr(be.name, "endcase")) {
        lq_expr **vals = NULL;
        size_t nvals = 0;
        bool is_else = str_eq_cstr(be.name, "else");
        if (!is_else) {
            if (begin_markup(p, be.pc, be.after, "when") < 0)
                return NULL;
            parse_when_values(p, &vals, &nvals);
        }
        if (parse_block(p, ends, &body, &be) < 0)
            return NULL;
        if ((is_else || nvals > 0) && push_branch(p, &brs, &n, NULL, vals, nvals, body) < 0)
            return NULL;
    }
    if (!be.pc)
        never_closed(p, pc, "case");
    set_branches(p, nd, brs, n);
    return nd;
}

/* for var in collection (reversed | limit: v | offset: v)* ... (else ...)? endfor */
static lq_node *parse_for(parser *p, const lq_piece *pc, size_t after)
{
    static const char *const ends[] = { "else", "endfor", NULL };
    static const char *const ends2[] = { "endfor", NULL };
    lq_node *nd = new_node(p, LQ_N_FOR, pc->start);
    if (!nd || begin_markup(p, pc, after, "for") < 0)
        return NULL;
    const lq_token *v = next(p);
    bool ok = false;
    if (v->kind != LQ_T_IDENT) {
        tok_err(p, v, "a variable name");
    } else if (!is_word(peek(p), "in")) {
        tok_err(p, peek(p), "'in'");
    } else {
        next(p);
        nd->u.loop.var = v->text;
        nd->u.loop.coll = parse_primary(p);
        ok = nd->u.loop.coll != NULL;
    }
    while (ok && peek(p)->kind != LQ_T_END) {
        const lq_token *t = next(p);
        if (is_word(t, "reversed")) {
            nd->u.loop.reversed = true;
            continue;
        }
        bool lim = is_word(t, "limit");
        if (!lim && !is_word(t, "offset")) {
            tok_err(p, t, "'limit:', 'offset:' or 'reversed'");
            break;
        }
        if (peek(p)->kind != LQ_T_COLON) {
            tok_err(p, peek(p), "':'");
            break;
        }
        next(p);
        lq_expr *e = parse_primary(p);
        if (!e)
            break;
        *(lim ? &nd->u.loop.limit : &nd->u.loop.offset) = e;
    }
    block_end be;
    if (parse_block(p, ends, &nd->u.loop.body, &be) < 0)
        return NULL;
    if (be.pc && str_eq_cstr(be.name, "else") && parse_block(p, ends2, &nd->u.loop.els, &be) < 0)
        return NULL;
    if (!be.pc)
        never_closed(p, pc, "for");
    if (!nd->u.loop.coll) /* reported; render nothing */
        nd->u.loop.coll = lit(p, LQ_NIL, pc->start);
    return nd;
}

static lq_node *parse_assign(parser *p, const lq_piece *pc, size_t after)
{
    lq_node *nd = new_node(p, LQ_N_ASSIGN, pc->start);
    if (!nd || begin_markup(p, pc, after, "assign") < 0)
        return NULL;
    const lq_token *v = next(p);
    if (v->kind != LQ_T_IDENT) {
        tok_err(p, v, "a variable name");
        return NULL;
    }
    if (peek(p)->kind != LQ_T_ASSIGN) {
        tok_err(p, peek(p), "'='");
        return NULL;
    }
    next(p);
    nd->u.assign.var = v->text;
    nd->u.assign.e = parse_filtered(p);
    return nd->u.assign.e && end_markup(p) ? nd : NULL;
}

static lq_node *parse_capture(parser *p, const lq_piece *pc, size_t after)
{
    static const char *const ends[] = { "endcapture", NULL };
    lq_node *nd = new_node(p, LQ_N_CAPTURE, pc->start);
    if (!nd || begin_markup(p, pc, after, "capture") < 0)
        return NULL;
    const lq_token *v = next(p);
    if (v->kind != LQ_T_IDENT && v->kind != LQ_T_STR)
        tok_err(p, v, "a variable name");
    else if (end_markup(p))
        nd->u.assign.var = v->text;
    block_end be;
    if (parse_block(p, ends, &nd->u.assign.body, &be) < 0)
        return NULL;
    if (!be.pc)
        never_closed(p, pc, "capture");
    return nd->u.assign.var.ptr ? nd : NULL;
}

/* cycle ('group' ':')? v (',' v)* */
static lq_node *parse_cycle(parser *p, const lq_piece *pc, size_t after)
{
    lq_node *nd = new_node(p, LQ_N_CYCLE, pc->start);
    if (!nd || begin_markup(p, pc, after, "cycle") < 0)
        return NULL;
    size_t first = peek(p)->off;
    lq_expr *e = parse_primary(p);
    if (!e)
        return NULL;
    if (peek(p)->kind == LQ_T_COLON) {
        next(p);
        nd->u.cycle.group = e;
        first = peek(p)->off;
        if (!(e = parse_primary(p)))
            return NULL;
    }
    void **vals = NULL;
    if (vpush(p, &vals, &nd->u.cycle.n, e) < 0)
        return NULL;
    while (peek(p)->kind == LQ_T_COMMA) {
        next(p);
        if (!(e = parse_primary(p)) || vpush(p, &vals, &nd->u.cycle.n, e) < 0)
            return NULL;
    }
    nd->u.cycle.vals = (lq_expr **)vals;
    nd->u.cycle.key = (str){ p->s + first, peek(p)->off - first };
    return end_markup(p) ? nd : NULL;
}

static lq_node *parse_simple(parser *p, const lq_piece *pc, size_t after, str name)
{
    bool is_inc = str_eq_cstr(name, "increment"), is_dec = str_eq_cstr(name, "decrement");
    int kind = is_inc                       ? LQ_N_INCREMENT
               : is_dec                     ? LQ_N_DECREMENT
               : str_eq_cstr(name, "break") ? LQ_N_BREAK
                                            : LQ_N_CONTINUE;
    lq_node *nd = new_node(p, kind, pc->start);
    if (!nd || begin_markup(p, pc, after,
                            is_inc   ? "increment"
                            : is_dec ? "decrement"
                                     : "break") < 0)
        return NULL;
    if (is_inc || is_dec) {
        const lq_token *v = next(p);
        if (v->kind != LQ_T_IDENT) {
            tok_err(p, v, "a variable name");
            return NULL;
        }
        nd->u.assign.var = v->text;
    }
    return end_markup(p) ? nd : NULL;
}

/* Skips a comment's pieces up to its endcomment (nested comments count). */
static void skip_comment(parser *p, const lq_piece *pc)
{
    int level = 1;
    while (p->pos < p->ps.n) {
        const lq_piece *q = &p->ps.items[p->pos++];
        if (q->kind != LQ_P_TAG)
            continue;
        str name = lq_tag_name(p->s, q, NULL);
        if (str_eq_cstr(name, "comment"))
            level++;
        else if (str_eq_cstr(name, "endcomment") && --level == 0)
            return;
    }
    never_closed(p, pc, "comment");
}

static const char *const end_tags[] = { "endif",      "endunless",  "endcase", "endfor",
                                        "endcapture", "endcomment", "endraw",  "else",
                                        "elsif",      "when",       NULL };

/* Parses one tag piece into a node (NULL: nothing to add, error reported or no output). */
static lq_node *parse_tag(parser *p, const lq_piece *pc)
{
    size_t after;
    str name = lq_tag_name(p->s, pc, &after);
    if (str_eq_cstr(name, "if") || str_eq_cstr(name, "unless"))
        return parse_if(p, pc, after, name.len == 6);
    if (str_eq_cstr(name, "case"))
        return parse_case(p, pc, after);
    if (str_eq_cstr(name, "for"))
        return parse_for(p, pc, after);
    if (str_eq_cstr(name, "assign"))
        return parse_assign(p, pc, after);
    if (str_eq_cstr(name, "capture"))
        return parse_capture(p, pc, after);
    if (str_eq_cstr(name, "cycle"))
        return parse_cycle(p, pc, after);
    if (is_in(name, (const char *const[]){ "break", "continue", "increment", "decrement", NULL }))
        return parse_simple(p, pc, after, name);
    if (str_eq_cstr(name, "comment")) {
        skip_comment(p, pc);
        return NULL;
    }
    if (str_eq_cstr(name, "raw")) { /* liquid_lex.c made the content one text piece */
        lq_node *nd = NULL;
        if (p->pos < p->ps.n && p->ps.items[p->pos].raw) {
            const lq_piece *t = &p->ps.items[p->pos++];
            if ((nd = new_node(p, LQ_N_TEXT, t->off)))
                nd->u.text = (str){ p->s + t->off, t->len };
        }
        p->pos++; /* endraw */
        return nd;
    }
    if (name.len == 0)
        perr(p, pc->start, "missing tag name");
    else if (is_in(name, end_tags))
        perr(p, pc->start, "unexpected '%.*s'", STR_FMT(name));
    else
        perr(p, pc->start, "unknown tag '%.*s'", STR_FMT(name));
    return NULL;
}

/* block -> (text | output | tag)* up to one of ends (or the end of the template). */
static int parse_block(parser *p, const char *const *ends, lq_block *out, block_end *be)
{
    void **items = NULL;
    size_t n = 0;
    *be = (block_end){ 0 };
    if (++p->depth > RT_LIQUID_MAX_DEPTH) {
        perr(p, p->pos < p->ps.n ? p->ps.items[p->pos].start : p->len, "blocks nested too deeply");
        p->gave_up = true;
        p->pos = p->ps.n; /* give up on the rest: it cannot be parsed without recursion */
    }
    while (p->pos < p->ps.n && !p->oom) {
        const lq_piece *pc = &p->ps.items[p->pos++];
        lq_node *nd = NULL;
        if (pc->kind == LQ_P_TEXT) {
            if (pc->len == 0)
                continue;
            if ((nd = new_node(p, LQ_N_TEXT, pc->off)))
                nd->u.text = (str){ p->s + pc->off, pc->len };
        } else if (pc->kind == LQ_P_OUTPUT) {
            lq_expr *e = parse_output(p, pc);
            if (e && (nd = new_node(p, LQ_N_OUTPUT, pc->start)))
                nd->u.e = e;
        } else {
            size_t after;
            str name = lq_tag_name(p->s, pc, &after);
            if (is_in(name, ends)) {
                *be = (block_end){ name, pc, after };
                break;
            }
            nd = parse_tag(p, pc);
        }
        if (nd && vpush(p, &items, &n, nd) < 0)
            break;
    }
    p->depth--;
    out->items = (lq_node **)items;
    out->n = n;
    return p->oom ? -1 : 0;
}

rt_liquid *rt_liquid_compile(arena *a, const char *src, size_t len, const diag_mapper *m,
                             diag_list *d)
{
    diag_text dt = { "<liquid>", src, len };
    diag_mapper dm = { diag_text_map, &dt };
    parser p = { .a = a, .m = m ? m : &dm, .d = d, .len = len };
    rt_liquid *t = arena_alloc(a, sizeof *t);
    char *copy = arena_strndup(a, src ? src : "", len);
    if (!t || !copy)
        goto oom;
    p.s = copy;
    t->src = (str){ copy, len };
    size_t err_off = 0;
    const char *err_msg = NULL;
    if (lq_split(a, copy, len, &p.ps, &err_off, &err_msg) < 0)
        goto oom;
    block_end be;
    if (parse_block(&p, NULL, &t->root, &be) < 0 || p.oom)
        goto oom;
    if (err_msg)
        perr(&p, err_off, "%s", err_msg);
    return p.failed ? NULL : t;
oom:
    diag_at(d, p.m, 0, DIAG_ERROR, "liquid: out of memory compiling the template");
    return NULL;
}
