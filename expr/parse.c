/* The expression parser: recursive descent with a table of {left, right} binding powers
 * (Lua's priority[]). Statements, types and literals are in parse_stmt.c. */
#include <stdio.h>
#include <string.h>

#include "parse.h"

/* Binding powers of the binary operators; left-associative ones have left == right. */
static const struct {
    uint8_t left, right;
} priority[EXPR_TOK__COUNT] = {
    [EXPR_TOK_QQ] = { 3, 2 },      [EXPR_TOK_OROR] = { 4, 4 },    [EXPR_TOK_ANDAND] = { 5, 5 },
    [EXPR_TOK_PIPE] = { 6, 6 },    [EXPR_TOK_CARET] = { 7, 7 },   [EXPR_TOK_AMP] = { 8, 8 },
    [EXPR_TOK_EQ] = { 9, 9 },      [EXPR_TOK_NE] = { 9, 9 },      [EXPR_TOK_LT] = { 10, 10 },
    [EXPR_TOK_GT] = { 10, 10 },    [EXPR_TOK_LE] = { 10, 10 },    [EXPR_TOK_GE] = { 10, 10 },
    [EXPR_TOK_KW_IS] = { 10, 10 }, [EXPR_TOK_KW_AS] = { 10, 10 }, [EXPR_TOK_SHL] = { 11, 11 },
    [EXPR_TOK_SHR] = { 11, 11 },   [EXPR_TOK_PLUS] = { 12, 12 },  [EXPR_TOK_MINUS] = { 12, 12 },
    [EXPR_TOK_STAR] = { 13, 13 },  [EXPR_TOK_SLASH] = { 13, 13 }, [EXPR_TOK_PERCENT] = { 13, 13 },
};

static expr_node *parse_unary(parser *p);

/* '>' '>' written together is a shift, '>' '>=' a shift assignment (the lexer keeps '>'
 * alone for generics). Returns the operator and sets *ntok to its token count. */
static int join_gt(const parser *p, int *ntok)
{
    *ntok = 1;
    int k = peek(p);
    if (k != EXPR_TOK_GT || p->i + 1 >= p->n)
        return k;
    const expr_tok *a = cur(p), *b = &p->t[p->i + 1];
    if (b->off != a->off + 1)
        return k;
    if (b->kind == EXPR_TOK_GT) {
        *ntok = 2;
        return EXPR_TOK_SHR;
    }
    if (b->kind == EXPR_TOK_GE) {
        *ntok = 2;
        return EXPR_TOK_SHR_ASSIGN;
    }
    return k;
}

static bool is_assign_op(int k)
{
    return (k >= EXPR_TOK_ASSIGN && k <= EXPR_TOK_QQ_ASSIGN);
}

static bool is_lambda_start(parser *p)
{
    if (peek(p) == EXPR_TOK_IDENT && peek_at(p, 1) == EXPR_TOK_ARROW)
        return true;
    if (peek(p) != EXPR_TOK_LPAREN)
        return false;
    int depth = 0;
    for (size_t k = p->i; k < p->n; k++) {
        int kind = p->t[k].kind;
        if (kind == EXPR_TOK_LPAREN)
            depth++;
        else if (kind == EXPR_TOK_RPAREN && --depth == 0)
            return k + 1 < p->n && p->t[k + 1].kind == EXPR_TOK_ARROW;
        else if (kind != EXPR_TOK_IDENT && kind != EXPR_TOK_COMMA && kind != EXPR_TOK_LT &&
                 kind != EXPR_TOK_GT && kind != EXPR_TOK_DOT && kind != EXPR_TOK_QUESTION &&
                 kind != EXPR_TOK_LBRACK && kind != EXPR_TOK_RBRACK)
            return false;
    }
    return false;
}

/* lambda -> IDENT '=>' body | '(' [[type] IDENT {',' [type] IDENT}] ')' '=>' body
 * body -> expr | block */
static expr_node *parse_lambda(parser *p)
{
    expr_node *n = parse_new_node(p, EXPR_N_LAMBDA, cur(p)->off);
    struct expr_lambda *l = arena_alloc(p->a, sizeof *l);
    str names[16];
    uint32_t np = 0;
    if (!n || !l)
        return NULL;
    n->lam = l;
    if (peek(p) == EXPR_TOK_IDENT) {
        names[np++] = tok_str(p, cur(p));
        p->i++;
    } else {
        size_t open = p->i++;
        while (peek(p) != EXPR_TOK_RPAREN) {
            if (peek_at(p, 1) != EXPR_TOK_COMMA && peek_at(p, 1) != EXPR_TOK_RPAREN &&
                !parse_type(p, 0))
                break;
            if (peek(p) != EXPR_TOK_IDENT || np == 16) {
                parse_error(p, cur(p)->off, "expected lambda parameter name");
                return NULL;
            }
            names[np++] = tok_str(p, cur(p));
            p->i++;
            if (!parse_accept(p, EXPR_TOK_COMMA))
                break;
        }
        if (!parse_close(p, EXPR_TOK_RPAREN, open))
            return NULL;
    }
    parse_expect(p, EXPR_TOK_ARROW, "in lambda");
    if (p->failed)
        return NULL;
    l->nparams = np;
    l->pnames = arena_calloc(p->a, np ? np : 1, sizeof *l->pnames);
    if (!l->pnames)
        return NULL;
    memcpy(l->pnames, names, np * sizeof *names);
    if (peek(p) == EXPR_TOK_LBRACE) {
        l->block = true;
        n->flags |= EXPR_F_BLOCK;
        l->body = parse_block(p);
    } else {
        l->body = parse_expr(p);
    }
    return l->body ? n : NULL;
}

/* Appends to a growing node array in the arena. */
static bool push_kid(parser *p, expr_node ***v, uint32_t *n, uint32_t *cap, expr_node *k)
{
    if (*n == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 4;
        expr_node **nv = arena_realloc(p->a, *v, *cap * sizeof **v, nc * sizeof **v);
        if (!nv)
            return false;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = k;
    return true;
}

/* arg -> [IDENT ':'] ( 'out' ('var' | type) IDENT | ['out' | 'ref'] expr ) */
static expr_node *parse_arg(parser *p)
{
    expr_node *arg = parse_new_node(p, EXPR_N_ARG, cur(p)->off);
    if (!arg)
        return NULL;
    if (peek(p) == EXPR_TOK_IDENT && peek_at(p, 1) == EXPR_TOK_COLON) {
        arg->name = tok_str(p, cur(p));
        p->i += 2;
    }
    if (peek(p) == EXPR_TOK_KW_OUT || peek(p) == EXPR_TOK_KW_REF) {
        arg->flags |= EXPR_F_OUT;
        p->i++;
        size_t save = p->i;
        expr_tnode *tn = parse_type(p, PT_NULLABLE_IDENT);
        if (tn && peek(p) == EXPR_TOK_IDENT) {
            expr_node *v = parse_new_node(p, EXPR_N_OUTVAR, cur(p)->off);
            if (!v)
                return NULL;
            v->tn = str_eq_cstr(tn->name, "var") ? NULL : tn;
            v->name = tok_str(p, cur(p));
            p->i++;
            arg->a = v;
            return arg;
        }
        p->i = save;
    }
    arg->a = parse_expr(p);
    return arg->a ? arg : NULL;
}

/* args -> [arg {',' arg}] closer; the opener is at index open */
static bool parse_args(parser *p, expr_node *n, int closer, size_t open)
{
    uint32_t cap = 0;
    if (peek(p) != closer) {
        do {
            expr_node *arg = parse_arg(p);
            if (!arg || !push_kid(p, &n->kids, &n->nkids, &cap, arg))
                return false;
        } while (parse_accept(p, EXPR_TOK_COMMA));
    }
    return parse_close(p, closer, open);
}

/* Speculative generic arguments of a call: '<' type {',' type} '>' followed by '('. */
static bool parse_call_targs(parser *p, expr_node *n)
{
    size_t save = p->i;
    p->i++;
    uint8_t nt = 0;
    for (;;) {
        expr_tnode *tn = parse_type(p, 0);
        if (!tn)
            break;
        if (nt < 2)
            n->targs[nt] = tn;
        nt++;
        if (parse_accept(p, EXPR_TOK_COMMA))
            continue;
        if (peek(p) == EXPR_TOK_GT && peek_at(p, 1) == EXPR_TOK_LPAREN) {
            p->i++;
            n->ntargs = nt > 2 ? 2 : nt;
            return true;
        }
        break;
    }
    n->targs[0] = n->targs[1] = NULL;
    p->i = save;
    return false;
}

/* postfix -> primary { '.' IDENT [targs] | '?.' IDENT [targs] | '(' args ')' | '[' args ']'
 *                    | '?[' args ']' | '++' | '--' } */
static expr_node *parse_postfix(parser *p, expr_node *e)
{
    bool has_cond = false;
    while (e) {
        int k = peek(p);
        size_t off = cur(p)->off;
        if (k == EXPR_TOK_DOT || k == EXPR_TOK_QDOT) {
            p->i++;
            if (peek(p) != EXPR_TOK_IDENT) {
                parse_error(p, cur(p)->off, "expected member name after %s", expr_tok_name(k));
                return NULL;
            }
            expr_node *m = parse_new_node(p, EXPR_N_MEMBER, cur(p)->off);
            if (!m)
                return NULL;
            m->a = e;
            m->name = tok_str(p, cur(p));
            p->i++;
            if (k == EXPR_TOK_QDOT) {
                m->flags |= EXPR_F_COND;
                has_cond = true;
            }
            if (peek(p) == EXPR_TOK_LT)
                parse_call_targs(p, m);
            e = m;
        } else if (k == EXPR_TOK_LPAREN) {
            expr_node *c = parse_new_node(p, EXPR_N_CALL, e->off);
            if (!c)
                return NULL;
            c->a = e;
            c->ntargs = e->ntargs;
            c->targs[0] = e->targs[0];
            c->targs[1] = e->targs[1];
            size_t open = p->i++;
            if (!parse_args(p, c, EXPR_TOK_RPAREN, open))
                return NULL;
            e = c;
        } else if (k == EXPR_TOK_LBRACK || k == EXPR_TOK_QLBRACK) {
            expr_node *x = parse_new_node(p, EXPR_N_INDEX, off);
            if (!x)
                return NULL;
            x->a = e;
            if (k == EXPR_TOK_QLBRACK) {
                x->flags |= EXPR_F_COND;
                has_cond = true;
            }
            size_t open = p->i++;
            if (!parse_args(p, x, EXPR_TOK_RBRACK, open))
                return NULL;
            if (x->nkids == 0) {
                parse_error(p, off, "expected an index");
                return NULL;
            }
            e = x;
        } else if (k == EXPR_TOK_INC || k == EXPR_TOK_DEC) {
            expr_node *u = parse_new_node(p, EXPR_N_INCDEC, off);
            if (!u)
                return NULL;
            u->op = (uint8_t)k;
            u->flags |= EXPR_F_POSTFIX;
            u->a = e;
            p->i++;
            e = u;
        } else {
            break;
        }
    }
    if (e && has_cond) {
        expr_node *ch = parse_new_node(p, EXPR_N_CHAIN, e->off);
        if (ch)
            ch->a = e;
        return ch;
    }
    return e;
}

/* init -> '{' [ item {',' item} [','] ] '}'
 * item -> IDENT '=' expr | '[' args ']' '=' expr | '{' expr {',' expr} '}' | expr */
static expr_node *parse_initializer(parser *p)
{
    expr_node *in = parse_new_node(p, EXPR_N_INIT, cur(p)->off);
    size_t open = p->i++;
    uint32_t cap = 0;
    if (!in)
        return NULL;
    if ((peek(p) == EXPR_TOK_IDENT && peek_at(p, 1) == EXPR_TOK_ASSIGN) ||
        peek(p) == EXPR_TOK_LBRACK)
        in->flags |= EXPR_F_OBJINIT;
    while (peek(p) != EXPR_TOK_RBRACE && !p->failed) {
        expr_node *item = parse_new_node(p, EXPR_N_INIT_ITEM, cur(p)->off);
        if (!item)
            return NULL;
        if (in->flags & EXPR_F_OBJINIT) {
            if (peek(p) == EXPR_TOK_LBRACK) {
                size_t o2 = p->i++;
                item->op = 1; /* index initializer: this[args] = value */
                if (!parse_args(p, item, EXPR_TOK_RBRACK, o2))
                    return NULL;
            } else if (peek(p) == EXPR_TOK_IDENT) {
                item->name = tok_str(p, cur(p));
                p->i++;
            }
            if (!parse_expect(p, EXPR_TOK_ASSIGN, "in object initializer"))
                return NULL;
            item->a = parse_expr(p);
        } else if (peek(p) == EXPR_TOK_LBRACE) {
            size_t o2 = p->i++;
            uint32_t c2 = 0;
            do {
                expr_node *v = parse_expr(p);
                if (!v || !push_kid(p, &item->kids, &item->nkids, &c2, v))
                    return NULL;
            } while (parse_accept(p, EXPR_TOK_COMMA));
            if (!parse_close(p, EXPR_TOK_RBRACE, o2))
                return NULL;
        } else {
            uint32_t c2 = 0;
            expr_node *v = parse_expr(p);
            if (!v || !push_kid(p, &item->kids, &item->nkids, &c2, v))
                return NULL;
        }
        if (p->failed || !push_kid(p, &in->kids, &in->nkids, &cap, item))
            return NULL;
        if (!parse_accept(p, EXPR_TOK_COMMA))
            break;
    }
    return parse_close(p, EXPR_TOK_RBRACE, open) ? in : NULL;
}

/* items -> '{' [expr {',' expr} [',']] '}' (array elements into n->kids) */
static bool parse_array_items(parser *p, expr_node *n)
{
    size_t open = p->i++;
    uint32_t cap = 0;
    while (peek(p) != EXPR_TOK_RBRACE && !p->failed) {
        expr_node *v = parse_expr(p);
        if (!v || !push_kid(p, &n->kids, &n->nkids, &cap, v))
            return false;
        if (!parse_accept(p, EXPR_TOK_COMMA))
            break;
    }
    return parse_close(p, EXPR_TOK_RBRACE, open);
}

/* anon -> '{' [ (IDENT '=' expr | postfix) {',' ...} [','] ] '}' */
static expr_node *parse_anon(parser *p, size_t off)
{
    expr_node *n = parse_new_node(p, EXPR_N_ANON, off);
    size_t open = p->i++;
    uint32_t cap = 0, ncap = 0;
    if (!n)
        return NULL;
    while (peek(p) != EXPR_TOK_RBRACE && !p->failed) {
        str name = STR_NULL;
        if (peek(p) == EXPR_TOK_IDENT && peek_at(p, 1) == EXPR_TOK_ASSIGN) {
            name = tok_str(p, cur(p));
            p->i += 2;
        }
        expr_node *v = parse_expr(p);
        if (!v)
            return NULL;
        if (!name.ptr) {
            expr_node *last = v->kind == EXPR_N_CHAIN ? v->a : v;
            if (last->kind != EXPR_N_MEMBER && last->kind != EXPR_N_NAME) {
                parse_error(p, v->off, "anonymous type member needs a name");
                return NULL;
            }
            name = last->name;
        }
        if (n->nkids == ncap) {
            uint32_t nc = ncap ? ncap * 2 : 4;
            str *nn = arena_realloc(p->a, n->names, ncap * sizeof *nn, nc * sizeof *nn);
            if (!nn)
                return NULL;
            n->names = nn;
            ncap = nc;
        }
        n->names[n->nkids] = name;
        if (!push_kid(p, &n->kids, &n->nkids, &cap, v))
            return NULL;
        if (!parse_accept(p, EXPR_TOK_COMMA))
            break;
    }
    return parse_close(p, EXPR_TOK_RBRACE, open) ? n : NULL;
}

/* new -> 'new' '[' ']' items | 'new' anon | 'new' type '[' expr ']' [items]
 *      | 'new' type[] items | 'new' type '(' args ')' [init] | 'new' type init */
static expr_node *parse_new(parser *p)
{
    size_t off = cur(p)->off;
    p->i++;
    if (peek(p) == EXPR_TOK_LBRACE)
        return parse_anon(p, off);
    if (peek(p) == EXPR_TOK_LBRACK && peek_at(p, 1) == EXPR_TOK_RBRACK) {
        expr_node *n = parse_new_node(p, EXPR_N_NEWARRAY, off);
        p->i += 2;
        if (!n || peek(p) != EXPR_TOK_LBRACE) {
            parse_error(p, cur(p)->off, "expected '{' after 'new[]'");
            return NULL;
        }
        return parse_array_items(p, n) ? n : NULL;
    }
    expr_tnode *tn = parse_type(p, 0);
    if (!tn) {
        parse_error(p, cur(p)->off, "expected a type after 'new'");
        return NULL;
    }
    if (peek(p) == EXPR_TOK_LBRACK || (tn->rank > 0 && peek(p) == EXPR_TOK_LBRACE)) {
        expr_node *n = parse_new_node(p, EXPR_N_NEWARRAY, off);
        if (!n)
            return NULL;
        if (tn->rank > 0) {
            tn->rank--;
        } else {
            size_t open = p->i++;
            n->a = parse_expr(p);
            if (!n->a || !parse_close(p, EXPR_TOK_RBRACK, open))
                return NULL;
        }
        n->tn = tn;
        if (peek(p) == EXPR_TOK_LBRACE && !parse_array_items(p, n))
            return NULL;
        return n;
    }
    expr_node *n = parse_new_node(p, EXPR_N_NEW, off);
    if (!n)
        return NULL;
    n->tn = tn;
    if (peek(p) == EXPR_TOK_LPAREN) {
        size_t open = p->i++;
        if (!parse_args(p, n, EXPR_TOK_RPAREN, open))
            return NULL;
    } else if (peek(p) != EXPR_TOK_LBRACE) {
        parse_error(p, cur(p)->off, "expected '(' or '{' after 'new %.*s'", STR_FMT(tn->name));
        return NULL;
    }
    if (peek(p) == EXPR_TOK_LBRACE) {
        n->b = parse_initializer(p);
        if (!n->b)
            return NULL;
    }
    return n;
}

/* Whether a parenthesized type followed by token k is a cast (the C# rule). */
static bool cast_follows(const parser *p, const expr_tnode *tn, int k)
{
    switch (k) {
    case EXPR_TOK_IDENT:
    case EXPR_TOK_INT:
    case EXPR_TOK_REAL:
    case EXPR_TOK_CHAR:
    case EXPR_TOK_STRING:
    case EXPR_TOK_VSTRING:
    case EXPR_TOK_INTERP_BEGIN:
    case EXPR_TOK_LPAREN:
    case EXPR_TOK_BANG:
    case EXPR_TOK_TILDE:
    case EXPR_TOK_KW_NEW:
    case EXPR_TOK_KW_TRUE:
    case EXPR_TOK_KW_FALSE:
    case EXPR_TOK_KW_NULL:
    case EXPR_TOK_KW_THIS:
    case EXPR_TOK_KW_DEFAULT:
    case EXPR_TOK_KW_TYPEOF:
        return true;
    case EXPR_TOK_MINUS:
    case EXPR_TOK_PLUS:
    case EXPR_TOK_INC:
    case EXPR_TOK_DEC:
        (void)p;
        return parse_is_keyword_type(tn->name) || tn->nullable || tn->rank > 0;
    default:
        return false;
    }
}

/* paren -> cast | lambda | '(' expr ')' ; cast -> '(' type ')' unary */
static expr_node *parse_paren(parser *p)
{
    if (is_lambda_start(p))
        return parse_lambda(p);
    size_t open = p->i++;
    size_t save = p->i;
    expr_tnode *tn = parse_type(p, 0);
    if (tn && peek(p) == EXPR_TOK_RPAREN && cast_follows(p, tn, peek_at(p, 1))) {
        p->i++;
        expr_node *c = parse_new_node(p, EXPR_N_CAST, p->t[open].off);
        if (!c)
            return NULL;
        c->tn = tn;
        c->a = parse_unary(p);
        return c->a ? c : NULL;
    }
    p->i = save;
    expr_node *e = parse_expr(p);
    if (!e || !parse_close(p, EXPR_TOK_RPAREN, open))
        return NULL;
    return e;
}

/* nameof -> 'nameof' '(' IDENT {'.' IDENT} ')' */
static expr_node *parse_nameof(parser *p)
{
    size_t off = cur(p)->off;
    p->i++;
    size_t open = p->i++;
    str last = STR_NULL;
    do {
        if (peek(p) != EXPR_TOK_IDENT) {
            parse_error(p, cur(p)->off, "expected a name in nameof");
            return NULL;
        }
        last = tok_str(p, cur(p));
        p->i++;
    } while (parse_accept(p, EXPR_TOK_DOT));
    if (!parse_close(p, EXPR_TOK_RPAREN, open))
        return NULL;
    expr_node *n = parse_new_node(p, EXPR_N_CONST, off);
    if (n)
        n->val = xv_str(last);
    return n;
}

/* primary -> literal | interp | IDENT | paren | new | 'default' ['(' type ')'] | nameof
 *          | 'throw' expr (throw expression) */
static expr_node *parse_primary(parser *p)
{
    int k = peek(p);
    size_t off = cur(p)->off;
    switch (k) {
    case EXPR_TOK_INT:
    case EXPR_TOK_REAL:
    case EXPR_TOK_CHAR:
    case EXPR_TOK_STRING:
    case EXPR_TOK_VSTRING:
    case EXPR_TOK_KW_TRUE:
    case EXPR_TOK_KW_FALSE:
    case EXPR_TOK_KW_NULL:
        return parse_literal(p);
    case EXPR_TOK_INTERP_BEGIN:
        return parse_interp(p);
    case EXPR_TOK_LPAREN:
        return parse_paren(p);
    case EXPR_TOK_KW_NEW:
        return parse_new(p);
    case EXPR_TOK_KW_DEFAULT: {
        expr_node *n = parse_new_node(p, EXPR_N_DEFAULT, off);
        p->i++;
        if (n && peek(p) == EXPR_TOK_LPAREN) {
            size_t open = p->i++;
            n->tn = parse_type(p, 0);
            if (!n->tn) {
                parse_error(p, cur(p)->off, "expected a type in default(...)");
                return NULL;
            }
            if (!parse_close(p, EXPR_TOK_RPAREN, open))
                return NULL;
        }
        return n;
    }
    case EXPR_TOK_IDENT: {
        if (parse_is_ident(p, 0, "nameof") && peek_at(p, 1) == EXPR_TOK_LPAREN)
            return parse_nameof(p);
        if ((parse_is_ident(p, 0, "unchecked") || parse_is_ident(p, 0, "checked")) &&
            peek_at(p, 1) == EXPR_TOK_LPAREN) {
            p->i++;
            return parse_paren(p);
        }
        if (peek_at(p, 1) == EXPR_TOK_ARROW)
            return parse_lambda(p);
        expr_node *n = parse_new_node(p, EXPR_N_NAME, off);
        if (n)
            n->name = tok_str(p, cur(p));
        p->i++;
        return n;
    }
    case EXPR_TOK_KW_THROW: {
        expr_node *n = parse_new_node(p, EXPR_S_THROW, off);
        p->i++;
        if (n)
            n->a = parse_expr(p);
        return n && n->a ? n : NULL;
    }
    case EXPR_TOK_ERROR:
        p->failed = true;
        return NULL;
    default:
        parse_error(p, off, "expected an expression, got %s", expr_tok_name(k));
        return NULL;
    }
}

/* unary -> ('!' | '-' | '+' | '~' | '++' | '--') unary | postfix */
static expr_node *parse_unary(parser *p)
{
    if (!parse_enter(p))
        return NULL;
    int k = peek(p);
    expr_node *n;
    if (k == EXPR_TOK_BANG || k == EXPR_TOK_MINUS || k == EXPR_TOK_PLUS || k == EXPR_TOK_TILDE ||
        k == EXPR_TOK_INC || k == EXPR_TOK_DEC) {
        bool incdec = k == EXPR_TOK_INC || k == EXPR_TOK_DEC;
        n = parse_new_node(p, incdec ? EXPR_N_INCDEC : EXPR_N_UNARY, cur(p)->off);
        p->i++;
        if (n) {
            n->op = (uint8_t)k;
            n->a = parse_unary(p);
            if (!n->a)
                n = NULL;
        }
        /* fold -literal so int.MinValue style literals and negative constants are constants */
        if (n && k == EXPR_TOK_MINUS && n->a->kind == EXPR_N_CONST &&
            (n->a->val.kind == XV_INT || n->a->val.kind == XV_DOUBLE)) {
            expr_node *c = n->a;
            if (c->val.kind == XV_INT)
                c->val.u.i = (int64_t)(0 - (uint64_t)c->val.u.i);
            else
                c->val.u.d = -c->val.u.d;
            if (c->val.kind == XV_INT && c->val.sub == XV_SUB_INT64 && c->val.u.i == INT32_MIN)
                c->val.sub = XV_SUB_INT32;
            c->off = n->off;
            n = c;
        }
    } else {
        n = parse_primary(p);
        n = n ? parse_postfix(p, n) : NULL;
    }
    parse_leave(p);
    return n;
}

/* binary -> unary { binop binary | ('is' | 'as') type [IDENT] | 'is' 'null' } */
static expr_node *parse_binary(parser *p, int limit)
{
    expr_node *left = parse_unary(p);
    int extra = 0;
    while (left) {
        int ntok;
        int op = join_gt(p, &ntok);
        if (op >= EXPR_TOK__COUNT || priority[op].left <= limit || priority[op].left == 0)
            break;
        if (!parse_enter(p))
            return NULL;
        extra++;
        size_t off = cur(p)->off;
        p->i += (size_t)ntok;
        expr_node *n;
        if (op == EXPR_TOK_KW_IS || op == EXPR_TOK_KW_AS) {
            n = parse_new_node(p, op == EXPR_TOK_KW_IS ? EXPR_N_IS : EXPR_N_AS, off);
            if (!n)
                return NULL;
            n->a = left;
            n->slot = -1;
            if (op == EXPR_TOK_KW_IS && peek(p) == EXPR_TOK_KW_NULL) {
                p->i++;
                n->flags |= EXPR_F_ISNULL;
            } else {
                n->tn = parse_type(p, 0);
                if (!n->tn) {
                    parse_error(p, cur(p)->off, "expected a type after '%s'",
                                op == EXPR_TOK_KW_IS ? "is" : "as");
                    return NULL;
                }
                if (op == EXPR_TOK_KW_IS && peek(p) == EXPR_TOK_IDENT) {
                    n->name = tok_str(p, cur(p));
                    p->i++;
                }
            }
        } else {
            int kind = op == EXPR_TOK_ANDAND ? EXPR_N_AND
                       : op == EXPR_TOK_OROR ? EXPR_N_OR
                       : op == EXPR_TOK_QQ   ? EXPR_N_COALESCE
                                             : EXPR_N_BINARY;
            n = parse_new_node(p, kind, off);
            if (!n)
                return NULL;
            n->op = (uint8_t)op;
            n->a = left;
            n->b = parse_binary(p, priority[op].right);
            if (!n->b)
                return NULL;
        }
        left = n;
    }
    while (extra-- > 0)
        parse_leave(p);
    return left;
}

/* expr -> lambda | binary ['?' expr ':' expr] [assignop expr] */
expr_node *parse_expr(parser *p)
{
    if (!parse_enter(p))
        return NULL;
    expr_node *e;
    if (is_lambda_start(p)) {
        e = parse_lambda(p);
    } else {
        e = parse_binary(p, 0);
        if (e && peek(p) == EXPR_TOK_QUESTION) {
            expr_node *c = parse_new_node(p, EXPR_N_COND, cur(p)->off);
            p->i++;
            if (c) {
                c->a = e;
                c->b = parse_expr(p);
                if (c->b && parse_expect(p, EXPR_TOK_COLON, "in conditional expression"))
                    c->c = parse_expr(p);
            }
            e = c && c->c ? c : NULL;
        }
        int ntok;
        int op = e ? join_gt(p, &ntok) : 0;
        if (e && is_assign_op(op)) {
            if (e->kind != EXPR_N_NAME && e->kind != EXPR_N_MEMBER && e->kind != EXPR_N_INDEX) {
                parse_error(p, cur(p)->off,
                            "the left-hand side of an assignment must be a "
                            "variable, property or indexer");
                e = NULL;
            } else {
                expr_node *a = parse_new_node(p, EXPR_N_ASSIGN, cur(p)->off);
                p->i += (size_t)ntok;
                if (a) {
                    a->op = (uint8_t)op;
                    a->a = e;
                    a->b = parse_expr(p);
                }
                e = a && a->b ? a : NULL;
            }
        }
    }
    parse_leave(p);
    return e;
}

expr_node *expr_parse(arena *a, const char *src, size_t len, expr_diag *dg, bool *block)
{
    size_t ntok;
    if (len < 2 || src[0] != '@' || (src[1] != '(' && src[1] != '{')) {
        expr_error_at(dg, 0, "an expression must start with '@(' or '@{'");
        return NULL;
    }
    expr_tok *t = expr_lex(a, src, len, 1, dg, &ntok);
    if (!t)
        return NULL;
    parser p = { .a = a, .src = src, .len = len, .t = t, .n = ntok, .dg = dg };
    for (size_t k = 0; k < ntok; k++)
        if (t[k].kind == EXPR_TOK_ERROR)
            return NULL;
    expr_node *root;
    *block = src[1] == '{';
    if (*block) {
        root = parse_block(&p);
    } else {
        size_t open = p.i++;
        root = parse_expr(&p);
        if (root && !parse_close(&p, EXPR_TOK_RPAREN, open))
            root = NULL;
    }
    if (root && peek(&p) != EXPR_TOK_EOF) {
        parse_error(&p, cur(&p)->off, "unexpected %s after the end of the expression",
                    expr_tok_name(peek(&p)));
        root = NULL;
    }
    return p.failed ? NULL : root;
}
