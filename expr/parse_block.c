/* Statements of @{...} blocks and block-bodied lambdas. */
#include <string.h>

#include "parse.h"

static expr_node *parse_statement(parser *p);
static expr_node *end_simple(parser *p, expr_node *n);

static bool push_node(parser *p, expr_node *n, uint32_t *cap, expr_node *k)
{
    if (n->nkids == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 4;
        expr_node **nk = arena_realloc(p->a, n->kids, *cap * sizeof *nk, nc * sizeof *nk);
        if (!nk) {
            p->failed = true;
            return false;
        }
        n->kids = nk;
        *cap = nc;
    }
    n->kids[n->nkids++] = k;
    return true;
}

/* block -> '{' { statement } '}' */
expr_node *parse_block(parser *p)
{
    expr_node *b = parse_new_node(p, EXPR_S_BLOCK, cur(p)->off);
    uint32_t cap = 0;
    if (!b)
        return NULL;
    size_t open = p->i;
    if (!parse_expect(p, EXPR_TOK_LBRACE, "to start a block"))
        return NULL;
    while (peek(p) != EXPR_TOK_RBRACE && peek(p) != EXPR_TOK_EOF && !p->failed) {
        expr_node *s = parse_statement(p);
        if (!s || !push_node(p, b, &cap, s))
            return NULL;
    }
    return parse_close(p, EXPR_TOK_RBRACE, open) ? b : NULL;
}

/* Whether a local declaration starts here: type IDENT followed by '=', ';', ',' or 'in'. */
static bool is_decl_start(parser *p)
{
    if (peek(p) != EXPR_TOK_IDENT)
        return false;
    size_t save = p->i;
    expr_tnode *tn = parse_type(p, PT_NULLABLE_IDENT);
    bool yes = tn && peek(p) == EXPR_TOK_IDENT &&
               (peek_at(p, 1) == EXPR_TOK_ASSIGN || peek_at(p, 1) == EXPR_TOK_SEMI ||
                peek_at(p, 1) == EXPR_TOK_COMMA || peek_at(p, 1) == EXPR_TOK_KW_IN);
    p->i = save;
    return yes;
}

static expr_tnode *decl_type(parser *p)
{
    expr_tnode *tn = parse_type(p, PT_NULLABLE_IDENT);
    if (tn && str_eq_cstr(tn->name, "var") && !tn->nargs && !tn->rank && !tn->nullable)
        return NULL; /* var: inferred */
    return tn;
}

/* decl -> type IDENT ['=' (expr | items)] {',' IDENT ['=' ...]} */
static expr_node *parse_decl(parser *p)
{
    expr_node *d = parse_new_node(p, EXPR_S_DECL, cur(p)->off);
    uint32_t cap = 0;
    if (!d)
        return NULL;
    expr_tnode *tn = decl_type(p);
    do {
        if (peek(p) != EXPR_TOK_IDENT) {
            parse_error(p, cur(p)->off, "expected a variable name");
            return NULL;
        }
        expr_node *v = parse_new_node(p, EXPR_S_VAR, cur(p)->off);
        if (!v)
            return NULL;
        v->name = tok_str(p, cur(p));
        v->tn = tn;
        p->i++;
        if (parse_accept(p, EXPR_TOK_ASSIGN)) {
            if (peek(p) == EXPR_TOK_LBRACE && tn && tn->rank > 0) {
                /* string[] a = { ... } */
                expr_node *arr = parse_new_node(p, EXPR_N_NEWARRAY, cur(p)->off);
                expr_tnode *et = arena_alloc(p->a, sizeof *et);
                if (!arr || !et)
                    return NULL;
                *et = *tn;
                et->rank--;
                arr->tn = et;
                size_t open = p->i++;
                uint32_t c2 = 0;
                while (peek(p) != EXPR_TOK_RBRACE && !p->failed) {
                    expr_node *e = parse_expr(p);
                    if (!e || !push_node(p, arr, &c2, e))
                        return NULL;
                    if (!parse_accept(p, EXPR_TOK_COMMA))
                        break;
                }
                if (!parse_close(p, EXPR_TOK_RBRACE, open))
                    return NULL;
                v->a = arr;
            } else {
                v->a = parse_expr(p);
                if (!v->a)
                    return NULL;
            }
        } else if (!tn) {
            parse_error(p, cur(p)->off, "implicitly-typed variables must be initialized");
            return NULL;
        }
        if (!push_node(p, d, &cap, v))
            return NULL;
    } while (parse_accept(p, EXPR_TOK_COMMA));
    return d;
}

/* Whether a local function declaration starts here: type IDENT '(' ... ')' ('{' | '=>'). */
static bool is_localfn_start(parser *p)
{
    if (peek(p) != EXPR_TOK_IDENT)
        return false;
    size_t save = p->i;
    if (parse_is_ident(p, 0, "static") && peek_at(p, 1) == EXPR_TOK_IDENT)
        p->i++;
    expr_tnode *tn = parse_type(p, 0);
    bool yes = false;
    if (tn && peek(p) == EXPR_TOK_IDENT && peek_at(p, 1) == EXPR_TOK_LPAREN) {
        int depth = 0;
        for (size_t k = p->i + 1; k < p->n; k++) {
            int kind = p->t[k].kind;
            if (kind == EXPR_TOK_LPAREN) {
                depth++;
            } else if (kind == EXPR_TOK_RPAREN && --depth == 0) {
                int next = k + 1 < p->n ? p->t[k + 1].kind : EXPR_TOK_EOF;
                yes = next == EXPR_TOK_LBRACE || next == EXPR_TOK_ARROW;
                break;
            } else if (kind == EXPR_TOK_SEMI || kind == EXPR_TOK_LBRACE ||
                       kind == EXPR_TOK_RBRACE || kind == EXPR_TOK_EOF) {
                break;
            }
        }
    }
    p->i = save;
    return yes;
}

#define MAX_LOCALFN_PARAMS 16

/* One parameter: type IDENT ['=' expr]. */
static bool parse_fn_param(parser *p, struct expr_lambda *l, uint32_t i)
{
    if (peek(p) == EXPR_TOK_KW_OUT || peek(p) == EXPR_TOK_KW_REF ||
        parse_is_ident(p, 0, "params") || peek(p) == EXPR_TOK_KW_IN ||
        peek(p) == EXPR_TOK_KW_THIS) {
        parse_error(p, cur(p)->off, "parameter modifiers are not supported in local functions");
        return false;
    }
    size_t toff = cur(p)->off;
    expr_tnode *tn = parse_type(p, PT_NULLABLE_IDENT);
    if (!tn || (str_eq_cstr(tn->name, "var") && !tn->nargs)) {
        parse_error(p, toff, "expected a parameter type");
        return false;
    }
    if (peek(p) != EXPR_TOK_IDENT) {
        parse_error(p, cur(p)->off, "expected a parameter name");
        return false;
    }
    l->ptn[i] = tn;
    l->pnames[i] = tok_str(p, cur(p));
    p->i++;
    if (parse_accept(p, EXPR_TOK_ASSIGN)) {
        l->pdefaults[i] = parse_expr(p);
        if (!l->pdefaults[i])
            return false;
    } else if (i > 0 && l->pdefaults[i - 1]) {
        parse_error(p, l->ptn[i]->off,
                    "optional parameters must appear after all required parameters");
        return false;
    }
    return true;
}

/* The "a,b" parameter list used for named arguments. */
static const char *join_params(parser *p, const struct expr_lambda *l)
{
    size_t len = 1;
    for (uint32_t i = 0; i < l->nparams; i++)
        len += l->pnames[i].len + 1;
    char *s = arena_alloc(p->a, len);
    size_t k = 0;
    if (!s)
        return NULL;
    for (uint32_t i = 0; i < l->nparams; i++) {
        if (i > 0)
            s[k++] = ',';
        memcpy(s + k, l->pnames[i].ptr, l->pnames[i].len);
        k += l->pnames[i].len;
    }
    s[k] = '\0';
    return s;
}

/* localfn -> ['static'] (type | 'void') IDENT '(' [param {',' param}] ')' (block | '=>' expr ';')
 */
static expr_node *parse_localfn(parser *p)
{
    expr_node *n = parse_new_node(p, EXPR_S_FUNC, cur(p)->off);
    struct expr_lambda *l = arena_calloc(p->a, 1, sizeof *l);
    if (!n || !l)
        return NULL;
    n->lam = l;
    l->local = true;
    if (parse_is_ident(p, 0, "static"))
        p->i++;
    l->rtn = parse_type(p, 0);
    if (!l->rtn)
        return NULL;
    if (str_eq_cstr(l->rtn->name, "void") && !l->rtn->nargs && !l->rtn->rank && !l->rtn->nullable) {
        l->is_void = true;
        l->rtn = NULL;
    }
    n->off = cur(p)->off;
    n->name = l->name = tok_str(p, cur(p));
    p->i++;
    size_t open = p->i++;
    l->ptn = arena_calloc(p->a, MAX_LOCALFN_PARAMS, sizeof *l->ptn);
    l->pnames = arena_calloc(p->a, MAX_LOCALFN_PARAMS, sizeof *l->pnames);
    l->pdefaults = arena_calloc(p->a, MAX_LOCALFN_PARAMS, sizeof *l->pdefaults);
    if (!l->ptn || !l->pnames || !l->pdefaults) {
        p->failed = true;
        return NULL;
    }
    if (peek(p) != EXPR_TOK_RPAREN) {
        do {
            if (l->nparams == MAX_LOCALFN_PARAMS) {
                parse_error(p, cur(p)->off, "too many parameters");
                return NULL;
            }
            if (!parse_fn_param(p, l, l->nparams))
                return NULL;
            if (!l->pdefaults[l->nparams])
                l->min_params = l->nparams + 1;
            l->nparams++;
        } while (parse_accept(p, EXPR_TOK_COMMA));
    }
    if (!parse_close(p, EXPR_TOK_RPAREN, open))
        return NULL;
    l->params = join_params(p, l);
    if (!l->params) {
        p->failed = true;
        return NULL;
    }
    if (peek(p) == EXPR_TOK_LBRACE) {
        l->block = true;
        l->body = parse_block(p);
        return l->body ? n : NULL;
    }
    if (!parse_expect(p, EXPR_TOK_ARROW, "after the parameter list"))
        return NULL;
    l->body = parse_expr(p);
    return l->body ? end_simple(p, n) : NULL;
}

/* paren_cond -> '(' expr ')' */
static expr_node *parse_paren_cond(parser *p, const char *what)
{
    size_t open = p->i;
    if (!parse_expect(p, EXPR_TOK_LPAREN, what))
        return NULL;
    expr_node *e = parse_expr(p);
    if (!e || !parse_close(p, EXPR_TOK_RPAREN, open))
        return NULL;
    return e;
}

/* Statement expressions separated by commas (for-loop initializers and iterators). */
static expr_node *parse_expr_list(parser *p, int closer)
{
    expr_node *b = parse_new_node(p, EXPR_S_BLOCK, cur(p)->off);
    uint32_t cap = 0;
    if (!b)
        return NULL;
    if (peek(p) == closer)
        return b;
    do {
        expr_node *s = parse_new_node(p, EXPR_S_EXPR, cur(p)->off);
        if (!s)
            return NULL;
        s->a = parse_expr(p);
        if (!s->a || !push_node(p, b, &cap, s))
            return NULL;
    } while (parse_accept(p, EXPR_TOK_COMMA));
    return b;
}

/* for -> 'for' '(' [decl | exprs] ';' [expr] ';' [exprs] ')' statement */
static expr_node *parse_for(parser *p, expr_node *n)
{
    size_t open = p->i;
    if (!parse_expect(p, EXPR_TOK_LPAREN, "after 'for'"))
        return NULL;
    if (peek(p) != EXPR_TOK_SEMI) {
        n->a = is_decl_start(p) ? parse_decl(p) : parse_expr_list(p, EXPR_TOK_SEMI);
        if (!n->a)
            return NULL;
    }
    if (!parse_expect(p, EXPR_TOK_SEMI, "in 'for'"))
        return NULL;
    if (peek(p) != EXPR_TOK_SEMI && !(n->b = parse_expr(p)))
        return NULL;
    if (!parse_expect(p, EXPR_TOK_SEMI, "in 'for'"))
        return NULL;
    n->d = parse_expr_list(p, EXPR_TOK_RPAREN);
    if (!n->d || !parse_close(p, EXPR_TOK_RPAREN, open))
        return NULL;
    n->c = parse_statement(p);
    return n->c ? n : NULL;
}

/* foreach -> 'foreach' '(' type IDENT 'in' expr ')' statement */
static expr_node *parse_foreach(parser *p, expr_node *n)
{
    size_t open = p->i;
    if (!parse_expect(p, EXPR_TOK_LPAREN, "after 'foreach'"))
        return NULL;
    if (peek(p) == EXPR_TOK_IDENT && peek_at(p, 1) == EXPR_TOK_KW_IN) {
        parse_error(p, cur(p)->off, "expected a type before the foreach variable");
        return NULL;
    }
    size_t toff = cur(p)->off;
    n->tn = decl_type(p);
    if (!n->tn && p->t[p->i - 1].off < toff) {
        parse_error(p, toff, "expected a type in 'foreach'");
        return NULL;
    }
    if (peek(p) != EXPR_TOK_IDENT) {
        parse_error(p, cur(p)->off, "expected a variable name in 'foreach'");
        return NULL;
    }
    n->name = tok_str(p, cur(p));
    p->i++;
    if (!parse_expect(p, EXPR_TOK_KW_IN, "in 'foreach'"))
        return NULL;
    n->a = parse_expr(p);
    if (!n->a || !parse_close(p, EXPR_TOK_RPAREN, open))
        return NULL;
    n->b = parse_statement(p);
    return n->b ? n : NULL;
}

/* switch -> 'switch' '(' expr ')' '{' { ('case' expr ':' | 'default' ':')+ {statement} } '}' */
static expr_node *parse_switch(parser *p, expr_node *n)
{
    uint32_t cap = 0;
    n->a = parse_paren_cond(p, "after 'switch'");
    if (!n->a)
        return NULL;
    size_t open = p->i;
    if (!parse_expect(p, EXPR_TOK_LBRACE, "after 'switch (...)'"))
        return NULL;
    while (peek(p) == EXPR_TOK_KW_CASE || peek(p) == EXPR_TOK_KW_DEFAULT) {
        expr_node *sec = parse_new_node(p, EXPR_S_CASE, cur(p)->off);
        uint32_t lcap = 0, scap = 0;
        if (!sec)
            return NULL;
        while (peek(p) == EXPR_TOK_KW_CASE || peek(p) == EXPR_TOK_KW_DEFAULT) {
            if (parse_accept(p, EXPR_TOK_KW_DEFAULT)) {
                sec->flags |= EXPR_F_DEFAULT;
            } else {
                p->i++;
                expr_node *label = parse_expr(p);
                if (!label || !push_node(p, sec, &lcap, label))
                    return NULL;
            }
            if (!parse_expect(p, EXPR_TOK_COLON, "after the case label"))
                return NULL;
        }
        sec->a = parse_new_node(p, EXPR_S_BLOCK, cur(p)->off);
        if (!sec->a)
            return NULL;
        while (peek(p) != EXPR_TOK_KW_CASE && peek(p) != EXPR_TOK_KW_DEFAULT &&
               peek(p) != EXPR_TOK_RBRACE && peek(p) != EXPR_TOK_EOF && !p->failed) {
            expr_node *s = parse_statement(p);
            if (!s || !push_node(p, sec->a, &scap, s))
                return NULL;
        }
        if (!push_node(p, n, &cap, sec))
            return NULL;
    }
    return parse_close(p, EXPR_TOK_RBRACE, open) ? n : NULL;
}

/* try -> 'try' block { 'catch' ['(' type [IDENT] ')'] block } ['finally' block] */
static expr_node *parse_try(parser *p, expr_node *n)
{
    uint32_t cap = 0;
    n->a = parse_block(p);
    if (!n->a)
        return NULL;
    while (peek(p) == EXPR_TOK_KW_CATCH) {
        expr_node *c = parse_new_node(p, EXPR_S_CATCH, cur(p)->off);
        if (!c)
            return NULL;
        p->i++;
        if (peek(p) == EXPR_TOK_LPAREN) {
            size_t open = p->i++;
            c->tn = parse_type(p, 0);
            if (!c->tn) {
                parse_error(p, cur(p)->off, "expected an exception type in 'catch'");
                return NULL;
            }
            if (peek(p) == EXPR_TOK_IDENT) {
                c->name = tok_str(p, cur(p));
                p->i++;
            }
            if (!parse_close(p, EXPR_TOK_RPAREN, open))
                return NULL;
        }
        c->a = parse_block(p);
        if (!c->a || !push_node(p, n, &cap, c))
            return NULL;
    }
    if (parse_accept(p, EXPR_TOK_KW_FINALLY)) {
        n->b = parse_block(p);
        if (!n->b)
            return NULL;
    }
    if (n->nkids == 0 && !n->b) {
        parse_error(p, cur(p)->off, "expected 'catch' or 'finally'");
        return NULL;
    }
    return n;
}

static expr_node *end_simple(parser *p, expr_node *n)
{
    return n && parse_expect(p, EXPR_TOK_SEMI, "after the statement") ? n : NULL;
}

/* using -> 'using' '(' (decl | expr) ')' statement  (a block: nothing needs disposing) */
static expr_node *parse_using(parser *p)
{
    expr_node *b = parse_new_node(p, EXPR_S_BLOCK, cur(p)->off);
    uint32_t cap = 0;
    if (!b)
        return NULL;
    p->i++;
    size_t open = p->i++;
    expr_node *res;
    if (is_decl_start(p)) {
        res = parse_decl(p);
    } else {
        res = parse_new_node(p, EXPR_S_EXPR, cur(p)->off);
        if (res && !(res->a = parse_expr(p)))
            res = NULL;
    }
    if (!res || !parse_close(p, EXPR_TOK_RPAREN, open) || !push_node(p, b, &cap, res))
        return NULL;
    expr_node *body = parse_statement(p);
    return body && push_node(p, b, &cap, body) ? b : NULL;
}

/* statement -> block | ';' | if | while | do | for | foreach | switch | try
 *            | 'throw' [expr] ';' | 'return' [expr] ';' | 'break' ';' | 'continue' ';'
 *            | decl ';' | expr ';' */
static expr_node *parse_statement_inner(parser *p)
{
    int k = peek(p);
    size_t off = cur(p)->off;
    expr_node *n;
    switch (k) {
    case EXPR_TOK_LBRACE:
        return parse_block(p);
    case EXPR_TOK_SEMI:
        p->i++;
        return parse_new_node(p, EXPR_S_EMPTY, off);
    case EXPR_TOK_KW_IF:
        n = parse_new_node(p, EXPR_S_IF, off);
        p->i++;
        if (!n || !(n->a = parse_paren_cond(p, "after 'if'")) || !(n->b = parse_statement(p)))
            return NULL;
        if (parse_accept(p, EXPR_TOK_KW_ELSE) && !(n->c = parse_statement(p)))
            return NULL;
        return n;
    case EXPR_TOK_KW_WHILE:
        n = parse_new_node(p, EXPR_S_WHILE, off);
        p->i++;
        if (!n || !(n->a = parse_paren_cond(p, "after 'while'")) || !(n->b = parse_statement(p)))
            return NULL;
        return n;
    case EXPR_TOK_KW_DO:
        n = parse_new_node(p, EXPR_S_DO, off);
        p->i++;
        if (!n || !(n->b = parse_statement(p)) ||
            !parse_expect(p, EXPR_TOK_KW_WHILE, "after the 'do' body") ||
            !(n->a = parse_paren_cond(p, "after 'while'")))
            return NULL;
        return end_simple(p, n);
    case EXPR_TOK_KW_FOR:
        n = parse_new_node(p, EXPR_S_FOR, off);
        p->i++;
        return n ? parse_for(p, n) : NULL;
    case EXPR_TOK_KW_FOREACH:
        n = parse_new_node(p, EXPR_S_FOREACH, off);
        p->i++;
        return n ? parse_foreach(p, n) : NULL;
    case EXPR_TOK_KW_SWITCH:
        n = parse_new_node(p, EXPR_S_SWITCH, off);
        p->i++;
        return n ? parse_switch(p, n) : NULL;
    case EXPR_TOK_KW_TRY:
        n = parse_new_node(p, EXPR_S_TRY, off);
        p->i++;
        return n ? parse_try(p, n) : NULL;
    case EXPR_TOK_KW_THROW:
    case EXPR_TOK_KW_RETURN:
        n = parse_new_node(p, k == EXPR_TOK_KW_THROW ? EXPR_S_THROW : EXPR_S_RETURN, off);
        p->i++;
        if (n && peek(p) != EXPR_TOK_SEMI && !(n->a = parse_expr(p)))
            return NULL;
        return end_simple(p, n);
    case EXPR_TOK_KW_BREAK:
    case EXPR_TOK_KW_CONTINUE:
        p->i++;
        return end_simple(
            p, parse_new_node(p, k == EXPR_TOK_KW_BREAK ? EXPR_S_BREAK : EXPR_S_CONTINUE, off));
    default:
        break;
    }
    if (k == EXPR_TOK_IDENT && peek_at(p, 1) == EXPR_TOK_LPAREN && parse_is_ident(p, 0, "using"))
        return parse_using(p);
    if (k == EXPR_TOK_IDENT && peek_at(p, 1) == EXPR_TOK_LBRACE &&
        (parse_is_ident(p, 0, "unchecked") || parse_is_ident(p, 0, "checked"))) {
        p->i++;
        return parse_block(p);
    }
    if (k == EXPR_TOK_IDENT && parse_is_ident(p, 0, "const") && (p->i++, is_decl_start(p)))
        return end_simple(p, parse_decl(p));
    if (is_localfn_start(p))
        return parse_localfn(p);
    if (is_decl_start(p))
        return end_simple(p, parse_decl(p));
    n = parse_new_node(p, EXPR_S_EXPR, off);
    if (!n || !(n->a = parse_expr(p)))
        return NULL;
    return end_simple(p, n);
}

static expr_node *parse_statement(parser *p)
{
    if (!parse_enter(p))
        return NULL;
    expr_node *n = parse_statement_inner(p);
    parse_leave(p);
    return n;
}
