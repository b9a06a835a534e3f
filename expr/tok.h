#ifndef EXPR_TOK_H
#define EXPR_TOK_H

/* Tokens of the expression language (lex.c). A token is {kind, off, len} into the source;
 * literal values are decoded by the parser. Interpolated strings $"a{x,5:F2}b" lex as
 * INTERP_BEGIN, INTERP_TEXT "a", HOLE_BEGIN, <tokens of x>, COMMA, <tokens of 5>,
 * INTERP_FORMAT "F2", HOLE_END, INTERP_TEXT "b", INTERP_END. */

#include <stddef.h>
#include <stdint.h>

#include "lib.h"

/* ORDER EXPR_TOK */
enum expr_tok_kind {
    EXPR_TOK_EOF,
    EXPR_TOK_ERROR, /* the lexer already reported it */
    EXPR_TOK_IDENT,
    EXPR_TOK_INT,
    EXPR_TOK_REAL,
    EXPR_TOK_CHAR,
    EXPR_TOK_STRING,        /* "..." including the quotes */
    EXPR_TOK_VSTRING,       /* @"..." including @ and the quotes */
    EXPR_TOK_INTERP_BEGIN,  /* $" or $@" or @$" */
    EXPR_TOK_INTERP_TEXT,   /* raw text between holes; flags: EXPR_TOKF_VERBATIM */
    EXPR_TOK_HOLE_BEGIN,    /* { */
    EXPR_TOK_INTERP_FORMAT, /* the text after ':' in a hole */
    EXPR_TOK_HOLE_END,      /* } */
    EXPR_TOK_INTERP_END,    /* " */
    EXPR_TOK_LPAREN,
    EXPR_TOK_RPAREN,
    EXPR_TOK_LBRACE,
    EXPR_TOK_RBRACE,
    EXPR_TOK_LBRACK,
    EXPR_TOK_RBRACK,
    EXPR_TOK_SEMI,
    EXPR_TOK_COMMA,
    EXPR_TOK_DOT,
    EXPR_TOK_COLON,
    EXPR_TOK_QUESTION,
    EXPR_TOK_QDOT,    /* ?. */
    EXPR_TOK_QLBRACK, /* ?[ */
    EXPR_TOK_QQ,      /* ?? */
    EXPR_TOK_ARROW,   /* => */
    EXPR_TOK_PLUS,
    EXPR_TOK_MINUS,
    EXPR_TOK_STAR,
    EXPR_TOK_SLASH,
    EXPR_TOK_PERCENT,
    EXPR_TOK_AMP,
    EXPR_TOK_PIPE,
    EXPR_TOK_CARET,
    EXPR_TOK_TILDE,
    EXPR_TOK_BANG,
    EXPR_TOK_LT,
    EXPR_TOK_GT, /* '>' alone: '>>' and '>>=' are joined by the parser (generics) */
    EXPR_TOK_LE,
    EXPR_TOK_GE,
    EXPR_TOK_EQ,
    EXPR_TOK_NE,
    EXPR_TOK_ANDAND,
    EXPR_TOK_OROR,
    EXPR_TOK_SHL,
    EXPR_TOK_SHR, /* made by the parser only */
    EXPR_TOK_INC,
    EXPR_TOK_DEC,
    EXPR_TOK_ASSIGN,
    EXPR_TOK_PLUS_ASSIGN,
    EXPR_TOK_MINUS_ASSIGN,
    EXPR_TOK_STAR_ASSIGN,
    EXPR_TOK_SLASH_ASSIGN,
    EXPR_TOK_PERCENT_ASSIGN,
    EXPR_TOK_AMP_ASSIGN,
    EXPR_TOK_PIPE_ASSIGN,
    EXPR_TOK_CARET_ASSIGN,
    EXPR_TOK_SHL_ASSIGN,
    EXPR_TOK_SHR_ASSIGN, /* made by the parser only */
    EXPR_TOK_QQ_ASSIGN,
    /* keywords, alphabetical */
    EXPR_TOK_KW_AS,
    EXPR_TOK_KW_BREAK,
    EXPR_TOK_KW_CASE,
    EXPR_TOK_KW_CATCH,
    EXPR_TOK_KW_CONTINUE,
    EXPR_TOK_KW_DEFAULT,
    EXPR_TOK_KW_DO,
    EXPR_TOK_KW_ELSE,
    EXPR_TOK_KW_FALSE,
    EXPR_TOK_KW_FINALLY,
    EXPR_TOK_KW_FOR,
    EXPR_TOK_KW_FOREACH,
    EXPR_TOK_KW_IF,
    EXPR_TOK_KW_IN,
    EXPR_TOK_KW_IS,
    EXPR_TOK_KW_NEW,
    EXPR_TOK_KW_NULL,
    EXPR_TOK_KW_OUT,
    EXPR_TOK_KW_REF,
    EXPR_TOK_KW_RETURN,
    EXPR_TOK_KW_SWITCH,
    EXPR_TOK_KW_THIS,
    EXPR_TOK_KW_THROW,
    EXPR_TOK_KW_TRUE,
    EXPR_TOK_KW_TRY,
    EXPR_TOK_KW_TYPEOF,
    EXPR_TOK_KW_WHILE,
    EXPR_TOK__COUNT
}; /* ORDER EXPR_TOK */

enum expr_tok_flags {
    EXPR_TOKF_VERBATIM = 1 << 0, /* INTERP_BEGIN / INTERP_TEXT of a $@"..." string */
};

typedef struct expr_tok {
    uint16_t kind;
    uint16_t flags;
    uint32_t off, len;
} expr_tok;

struct expr_diag;

/* Lexes src[start..len) into an array of tokens in arena a, ending with EOF. Lexical errors
 * are reported to dg and produce an ERROR token. Returns the array (NULL at the arena cap). */
expr_tok *expr_lex(arena *a, const char *src, size_t len, size_t start, struct expr_diag *dg,
                   size_t *ntok);
/* Printable spelling of a token kind for messages: "')'", "identifier". */
const char *expr_tok_name(int kind);

#endif
