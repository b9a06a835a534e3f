/* The lexer (Lua's llex): one function switches on the first character. Interpolated strings
 * keep a mode stack (jq's IN_QQSTRING): text mode scans literal text up to a hole, code mode
 * lexes ordinary tokens and counts brackets so the hole's closing '}' and a top-level ':'
 * (format) can be recognised. */
#include <ctype.h>
#include <string.h>

#include "ast.h"

#define MAX_MODES 64

typedef struct mode {
    bool text;     /* scanning string text (else code inside a hole) */
    bool verbatim; /* $@"..." */
    int depth;     /* open brackets inside the hole */
} mode;

typedef struct lexer {
    const char *src;
    size_t len, pos;
    expr_diag *dg;
    arena *a;
    expr_tok *toks;
    size_t n, cap;
    mode modes[MAX_MODES];
    int nmodes;
    bool failed;
} lexer;

static const struct {
    const char *word;
    int kind;
} keywords[] = {
    { "as", EXPR_TOK_KW_AS },
    { "break", EXPR_TOK_KW_BREAK },
    { "case", EXPR_TOK_KW_CASE },
    { "catch", EXPR_TOK_KW_CATCH },
    { "continue", EXPR_TOK_KW_CONTINUE },
    { "default", EXPR_TOK_KW_DEFAULT },
    { "do", EXPR_TOK_KW_DO },
    { "else", EXPR_TOK_KW_ELSE },
    { "false", EXPR_TOK_KW_FALSE },
    { "finally", EXPR_TOK_KW_FINALLY },
    { "for", EXPR_TOK_KW_FOR },
    { "foreach", EXPR_TOK_KW_FOREACH },
    { "if", EXPR_TOK_KW_IF },
    { "in", EXPR_TOK_KW_IN },
    { "is", EXPR_TOK_KW_IS },
    { "new", EXPR_TOK_KW_NEW },
    { "null", EXPR_TOK_KW_NULL },
    { "out", EXPR_TOK_KW_OUT },
    { "ref", EXPR_TOK_KW_REF },
    { "return", EXPR_TOK_KW_RETURN },
    { "switch", EXPR_TOK_KW_SWITCH },
    { "this", EXPR_TOK_KW_THIS },
    { "throw", EXPR_TOK_KW_THROW },
    { "true", EXPR_TOK_KW_TRUE },
    { "try", EXPR_TOK_KW_TRY },
    { "typeof", EXPR_TOK_KW_TYPEOF },
    { "while", EXPR_TOK_KW_WHILE },
};

/* ORDER EXPR_TOK */
static const char *const tok_names[EXPR_TOK__COUNT] = {
    "end of expression",
    "invalid token",
    "identifier",
    "integer literal",
    "real literal",
    "character literal",
    "string literal",
    "string literal",
    "'$\"'",
    "string text",
    "'{'",
    "format",
    "'}'",
    "'\"'",
    "'('",
    "')'",
    "'{'",
    "'}'",
    "'['",
    "']'",
    "';'",
    "','",
    "'.'",
    "':'",
    "'?'",
    "'?.'",
    "'?['",
    "'?\?'",
    "'=>'",
    "'+'",
    "'-'",
    "'*'",
    "'/'",
    "'%'",
    "'&'",
    "'|'",
    "'^'",
    "'~'",
    "'!'",
    "'<'",
    "'>'",
    "'<='",
    "'>='",
    "'=='",
    "'!='",
    "'&&'",
    "'||'",
    "'<<'",
    "'>>'",
    "'++'",
    "'--'",
    "'='",
    "'+='",
    "'-='",
    "'*='",
    "'/='",
    "'%='",
    "'&='",
    "'|='",
    "'^='",
    "'<<='",
    "'>>='",
    "'?\?='",
    "'as'",
    "'break'",
    "'case'",
    "'catch'",
    "'continue'",
    "'default'",
    "'do'",
    "'else'",
    "'false'",
    "'finally'",
    "'for'",
    "'foreach'",
    "'if'",
    "'in'",
    "'is'",
    "'new'",
    "'null'",
    "'out'",
    "'ref'",
    "'return'",
    "'switch'",
    "'this'",
    "'throw'",
    "'true'",
    "'try'",
    "'typeof'",
    "'while'",
}; /* ORDER EXPR_TOK */

const char *expr_tok_name(int kind)
{
    return kind >= 0 && kind < EXPR_TOK__COUNT ? tok_names[kind] : "token";
}

static void push_tok(lexer *lx, int kind, size_t off, size_t len, int flags)
{
    if (lx->n == lx->cap) {
        size_t ncap = lx->cap ? lx->cap * 2 : 64;
        expr_tok *nt = arena_realloc(lx->a, lx->toks, lx->cap * sizeof *nt, ncap * sizeof *nt);
        if (!nt) {
            lx->failed = true;
            return;
        }
        lx->toks = nt;
        lx->cap = ncap;
    }
    lx->toks[lx->n++] = (expr_tok){ (uint16_t)kind, (uint16_t)flags, (uint32_t)off, (uint32_t)len };
}

static void lex_error(lexer *lx, size_t off, const char *msg)
{
    expr_error_at(lx->dg, off, "%s", msg);
    push_tok(lx, EXPR_TOK_ERROR, off, 1, 0);
    lx->failed = true;
}

static bool is_ident_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

static int keyword_kind(const char *p, size_t n)
{
    size_t lo = 0, hi = sizeof keywords / sizeof keywords[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(p, keywords[mid].word, n);
        if (c == 0 && keywords[mid].word[n] != '\0')
            c = -1;
        if (c == 0)
            return keywords[mid].kind;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return EXPR_TOK_IDENT;
}

/* number -> digits ['.' digits] [('e'|'E') ['+'|'-'] digits] [suffix] | '0x' hexdigits [suffix] */
static void lex_number(lexer *lx)
{
    const char *s = lx->src;
    size_t start = lx->pos, p = lx->pos;
    bool real = false;
    if (s[p] == '0' && p + 1 < lx->len && (s[p + 1] == 'x' || s[p + 1] == 'X')) {
        p += 2;
        while (p < lx->len && (isxdigit((unsigned char)s[p]) || s[p] == '_'))
            p++;
    } else {
        while (p < lx->len && (isdigit((unsigned char)s[p]) || s[p] == '_'))
            p++;
        if (p + 1 < lx->len && s[p] == '.' && isdigit((unsigned char)s[p + 1])) {
            real = true;
            p++;
            while (p < lx->len && isdigit((unsigned char)s[p]))
                p++;
        }
        if (p < lx->len && (s[p] == 'e' || s[p] == 'E')) {
            size_t q = p + 1;
            if (q < lx->len && (s[q] == '+' || s[q] == '-'))
                q++;
            if (q < lx->len && isdigit((unsigned char)s[q])) {
                real = true;
                p = q;
                while (p < lx->len && isdigit((unsigned char)s[p]))
                    p++;
            }
        }
        if (p < lx->len && strchr("fFdDmM", s[p])) {
            real = true;
            p++;
        }
    }
    while (p < lx->len && strchr("uUlL", s[p]) && !real)
        p++;
    if (p < lx->len && is_ident_char((unsigned char)s[p])) {
        lex_error(lx, p, "invalid numeric literal");
        lx->pos = p + 1;
        return;
    }
    push_tok(lx, real ? EXPR_TOK_REAL : EXPR_TOK_INT, start, p - start, 0);
    lx->pos = p;
}

/* Scans a "..." or '...' literal with C# escapes starting at the quote. */
static void lex_quoted(lexer *lx, char q, int kind, size_t start)
{
    size_t p = lx->pos + 1;
    while (p < lx->len && lx->src[p] != q) {
        if (lx->src[p] == '\n') {
            lex_error(lx, start, "newline in constant");
            lx->pos = p;
            return;
        }
        if (lx->src[p] == '\\')
            p++;
        p++;
    }
    if (p >= lx->len) {
        lex_error(lx, start,
                  q == '"' ? "unterminated string literal" : "unterminated character literal");
        lx->pos = lx->len;
        return;
    }
    push_tok(lx, kind, start, p + 1 - start, 0);
    lx->pos = p + 1;
}

static void lex_verbatim(lexer *lx, size_t start)
{
    size_t p = lx->pos + 1; /* after the quote */
    for (;;) {
        if (p >= lx->len) {
            lex_error(lx, start, "unterminated string literal");
            lx->pos = lx->len;
            return;
        }
        if (lx->src[p] == '"') {
            if (p + 1 < lx->len && lx->src[p + 1] == '"') {
                p += 2;
                continue;
            }
            break;
        }
        p++;
    }
    push_tok(lx, EXPR_TOK_VSTRING, start, p + 1 - start, 0);
    lx->pos = p + 1;
}

static void push_mode(lexer *lx, bool text, bool verbatim)
{
    if (lx->nmodes == MAX_MODES) {
        lex_error(lx, lx->pos, "interpolated strings nested too deeply");
        return;
    }
    lx->modes[lx->nmodes++] = (mode){ text, verbatim, 0 };
}

/* text -> { char | '{{' | '}}' | escape } up to '{', or the closing quote */
static void lex_interp_text(lexer *lx)
{
    mode *m = &lx->modes[lx->nmodes - 1];
    const char *s = lx->src;
    size_t start = lx->pos, p = lx->pos;
    int flags = m->verbatim ? EXPR_TOKF_VERBATIM : 0;
    for (;;) {
        if (p >= lx->len || (!m->verbatim && s[p] == '\n')) {
            lex_error(lx, p, "unterminated interpolated string");
            lx->pos = lx->len;
            return;
        }
        char c = s[p];
        if (c == '\\' && !m->verbatim) {
            p += 2;
            continue;
        }
        if (c == '"' && m->verbatim && p + 1 < lx->len && s[p + 1] == '"') {
            p += 2;
            continue;
        }
        if ((c == '{' || c == '}') && p + 1 < lx->len && s[p + 1] == c) {
            p += 2;
            continue;
        }
        if (c == '}') {
            lex_error(lx, p, "'}' in interpolated string must be written '}}'");
            lx->pos = p + 1;
            return;
        }
        if (c == '"' || c == '{')
            break;
        p++;
    }
    if (p > start)
        push_tok(lx, EXPR_TOK_INTERP_TEXT, start, p - start, flags);
    if (s[p] == '"') {
        push_tok(lx, EXPR_TOK_INTERP_END, p, 1, 0);
        lx->nmodes--;
    } else {
        push_tok(lx, EXPR_TOK_HOLE_BEGIN, p, 1, 0);
        m->text = false;
        m->depth = 0;
    }
    lx->pos = p + 1;
}

/* Code mode inside a hole: handles the closers and ':' at depth 0. Returns true if consumed. */
static bool lex_hole_special(lexer *lx, char c)
{
    mode *m = &lx->modes[lx->nmodes - 1];
    if (c == '(' || c == '[' || c == '{') {
        m->depth++;
        return false;
    }
    if (c == ')' || c == ']' || (c == '}' && m->depth > 0)) {
        if (m->depth > 0)
            m->depth--;
        return false;
    }
    if (c == '}') {
        push_tok(lx, EXPR_TOK_HOLE_END, lx->pos, 1, 0);
        lx->pos++;
        m->text = true;
        return true;
    }
    if (c == ':' && m->depth == 0) {
        size_t start = ++lx->pos;
        while (lx->pos < lx->len && lx->src[lx->pos] != '}' && lx->src[lx->pos] != '"')
            lx->pos++;
        push_tok(lx, EXPR_TOK_INTERP_FORMAT, start, lx->pos - start, 0);
        return true;
    }
    return false;
}

static int op3(lexer *lx, char c2, int k2, char c3, int k3, int k1)
{
    const char *s = lx->src + lx->pos;
    size_t left = lx->len - lx->pos;
    if (left > 1 && s[1] == c2)
        return k2;
    if (c3 && left > 1 && s[1] == c3)
        return k3;
    return k1;
}

static size_t tok_len_of(int kind)
{
    switch (kind) {
    case EXPR_TOK_SHL_ASSIGN:
    case EXPR_TOK_QQ_ASSIGN:
        return 3;
    case EXPR_TOK_QDOT:
    case EXPR_TOK_QLBRACK:
    case EXPR_TOK_QQ:
    case EXPR_TOK_ARROW:
    case EXPR_TOK_LE:
    case EXPR_TOK_GE:
    case EXPR_TOK_EQ:
    case EXPR_TOK_NE:
    case EXPR_TOK_ANDAND:
    case EXPR_TOK_OROR:
    case EXPR_TOK_SHL:
    case EXPR_TOK_INC:
    case EXPR_TOK_DEC:
    case EXPR_TOK_PLUS_ASSIGN:
    case EXPR_TOK_MINUS_ASSIGN:
    case EXPR_TOK_STAR_ASSIGN:
    case EXPR_TOK_SLASH_ASSIGN:
    case EXPR_TOK_PERCENT_ASSIGN:
    case EXPR_TOK_AMP_ASSIGN:
    case EXPR_TOK_PIPE_ASSIGN:
    case EXPR_TOK_CARET_ASSIGN:
        return 2;
    default:
        return 1;
    }
}

/* Operators and punctuation; returns the kind or -1. */
static int lex_punct(lexer *lx, char c)
{
    const char *s = lx->src + lx->pos;
    size_t left = lx->len - lx->pos;
    switch (c) {
    case '(':
        return EXPR_TOK_LPAREN;
    case ')':
        return EXPR_TOK_RPAREN;
    case '{':
        return EXPR_TOK_LBRACE;
    case '}':
        return EXPR_TOK_RBRACE;
    case '[':
        return EXPR_TOK_LBRACK;
    case ']':
        return EXPR_TOK_RBRACK;
    case ';':
        return EXPR_TOK_SEMI;
    case ',':
        return EXPR_TOK_COMMA;
    case '.':
        return EXPR_TOK_DOT;
    case ':':
        return EXPR_TOK_COLON;
    case '~':
        return EXPR_TOK_TILDE;
    case '?':
        if (left > 2 && s[1] == '?' && s[2] == '=')
            return EXPR_TOK_QQ_ASSIGN;
        /* ?.5 is a conditional with a real literal, not ?. */
        if (left > 2 && s[1] == '.' && isdigit((unsigned char)s[2]))
            return EXPR_TOK_QUESTION;
        return op3(lx, '.', EXPR_TOK_QDOT, '[', EXPR_TOK_QLBRACK,
                   left > 1 && s[1] == '?' ? EXPR_TOK_QQ : EXPR_TOK_QUESTION);
    case '=':
        return op3(lx, '=', EXPR_TOK_EQ, '>', EXPR_TOK_ARROW, EXPR_TOK_ASSIGN);
    case '+':
        return op3(lx, '+', EXPR_TOK_INC, '=', EXPR_TOK_PLUS_ASSIGN, EXPR_TOK_PLUS);
    case '-':
        return op3(lx, '-', EXPR_TOK_DEC, '=', EXPR_TOK_MINUS_ASSIGN, EXPR_TOK_MINUS);
    case '*':
        return op3(lx, '=', EXPR_TOK_STAR_ASSIGN, 0, 0, EXPR_TOK_STAR);
    case '/':
        return op3(lx, '=', EXPR_TOK_SLASH_ASSIGN, 0, 0, EXPR_TOK_SLASH);
    case '%':
        return op3(lx, '=', EXPR_TOK_PERCENT_ASSIGN, 0, 0, EXPR_TOK_PERCENT);
    case '&':
        return op3(lx, '&', EXPR_TOK_ANDAND, '=', EXPR_TOK_AMP_ASSIGN, EXPR_TOK_AMP);
    case '|':
        return op3(lx, '|', EXPR_TOK_OROR, '=', EXPR_TOK_PIPE_ASSIGN, EXPR_TOK_PIPE);
    case '^':
        return op3(lx, '=', EXPR_TOK_CARET_ASSIGN, 0, 0, EXPR_TOK_CARET);
    case '!':
        return op3(lx, '=', EXPR_TOK_NE, 0, 0, EXPR_TOK_BANG);
    case '>':
        return op3(lx, '=', EXPR_TOK_GE, 0, 0, EXPR_TOK_GT);
    case '<':
        if (left > 2 && s[1] == '<' && s[2] == '=')
            return EXPR_TOK_SHL_ASSIGN;
        return op3(lx, '<', EXPR_TOK_SHL, '=', EXPR_TOK_LE, EXPR_TOK_LT);
    default:
        return -1;
    }
}

static bool skip_space(lexer *lx)
{
    const char *s = lx->src;
    while (lx->pos < lx->len) {
        char c = s[lx->pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            lx->pos++;
        } else if (c == '/' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '/') {
            while (lx->pos < lx->len && s[lx->pos] != '\n')
                lx->pos++;
        } else if (c == '/' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '*') {
            size_t start = lx->pos;
            lx->pos += 2;
            while (lx->pos + 1 < lx->len && !(s[lx->pos] == '*' && s[lx->pos + 1] == '/'))
                lx->pos++;
            if (lx->pos + 1 >= lx->len) {
                lex_error(lx, start, "unterminated comment");
                lx->pos = lx->len;
                return false;
            }
            lx->pos += 2;
        } else {
            break;
        }
    }
    return true;
}

/* token -> ident | keyword | number | char | string | verbatim | interpolated | punct */
static void lex_token(lexer *lx)
{
    const char *s = lx->src;
    size_t start = lx->pos, left = lx->len - lx->pos;
    char c = s[start];
    if (lx->nmodes > 0 && lex_hole_special(lx, c))
        return;
    if (is_ident_start((unsigned char)c)) {
        size_t p = start;
        while (p < lx->len && is_ident_char((unsigned char)s[p]))
            p++;
        push_tok(lx, keyword_kind(s + start, p - start), start, p - start, 0);
        lx->pos = p;
        return;
    }
    if (isdigit((unsigned char)c) ||
        (c == '.' && left > 1 && isdigit((unsigned char)s[start + 1]))) {
        lex_number(lx);
        return;
    }
    if (c == '"') {
        lex_quoted(lx, '"', EXPR_TOK_STRING, start);
        return;
    }
    if (c == '\'') {
        lex_quoted(lx, '\'', EXPR_TOK_CHAR, start);
        return;
    }
    if (c == '@' && left > 1 && s[start + 1] == '"') {
        lx->pos++;
        lex_verbatim(lx, start);
        return;
    }
    if ((c == '$' || c == '@') && left > 1) {
        size_t q = start + 1;
        bool verbatim = c == '@';
        if (s[q] == (c == '$' ? '@' : '$')) {
            verbatim = true;
            q++;
        }
        if ((c == '$' || q > start + 1) && q < lx->len && s[q] == '"') {
            push_tok(lx, EXPR_TOK_INTERP_BEGIN, start, q + 1 - start,
                     verbatim ? EXPR_TOKF_VERBATIM : 0);
            lx->pos = q + 1;
            push_mode(lx, true, verbatim);
            return;
        }
    }
    if (c == '@' && left > 1 && is_ident_start((unsigned char)s[start + 1])) {
        /* @identifier: a keyword used as a name */
        size_t p = start + 1;
        while (p < lx->len && is_ident_char((unsigned char)s[p]))
            p++;
        push_tok(lx, EXPR_TOK_IDENT, start + 1, p - start - 1, 0);
        lx->pos = p;
        return;
    }
    int kind = lex_punct(lx, c);
    if (kind < 0) {
        lex_error(lx, start, "unexpected character");
        lx->pos++;
        return;
    }
    size_t n = tok_len_of(kind);
    push_tok(lx, kind, start, n, 0);
    lx->pos += n;
}

expr_tok *expr_lex(arena *a, const char *src, size_t len, size_t start, expr_diag *dg, size_t *ntok)
{
    lexer lx = { .src = src, .len = len, .pos = start, .dg = dg, .a = a };
    while (!lx.failed) {
        if (lx.nmodes > 0 && lx.modes[lx.nmodes - 1].text) {
            lex_interp_text(&lx);
            continue;
        }
        if (!skip_space(&lx) || lx.pos >= lx.len)
            break;
        lex_token(&lx);
    }
    if (!lx.failed && lx.nmodes > 0)
        lex_error(&lx, len, "unterminated interpolated string");
    push_tok(&lx, EXPR_TOK_EOF, len, 0, 0);
    if (!lx.toks || lx.toks[lx.n - 1].kind != EXPR_TOK_EOF)
        return NULL;
    *ntok = lx.n;
    return lx.toks;
}
