#ifndef EXPR_PARSE_H
#define EXPR_PARSE_H

/* Internals of the parser, shared by parse.c (expressions) and parse_stmt.c (statements,
 * types, literals). */

#include "ast.h"

typedef struct parser {
    arena *a;
    const char *src;
    size_t len;
    expr_tok *t;
    size_t n, i;
    expr_diag *dg;
    int depth;
    bool failed;
} parser;

static inline int peek(const parser *p)
{
    return p->t[p->i].kind;
}
static inline int peek_at(const parser *p, size_t k)
{
    return p->i + k < p->n ? p->t[p->i + k].kind : EXPR_TOK_EOF;
}
static inline const expr_tok *cur(const parser *p)
{
    return &p->t[p->i];
}
static inline str tok_str(const parser *p, const expr_tok *t)
{
    return (str){ p->src + t->off, t->len };
}

expr_node *parse_new_node(parser *p, int kind, size_t off);
void parse_error(parser *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool parse_accept(parser *p, int kind);
bool parse_expect(parser *p, int kind, const char *where);
/* Expects the closer of the opener token at index open ("expected ')' to close '(' at 1:5"). */
bool parse_close(parser *p, int kind, size_t open);
bool parse_enter(parser *p);
void parse_leave(parser *p);
bool parse_is_ident(const parser *p, size_t k, const char *word);

enum { PT_NULLABLE_IDENT = 1 }; /* parse_type: '?' followed by an identifier is nullable */
/* Speculative: a type at the cursor, or NULL (cursor unchanged, nothing reported). */
expr_tnode *parse_type(parser *p, int flags);
bool parse_is_keyword_type(str name);

expr_node *parse_expr(parser *p);
expr_node *parse_block(parser *p);
expr_node *parse_literal(parser *p);
expr_node *parse_interp(parser *p);

#endif
