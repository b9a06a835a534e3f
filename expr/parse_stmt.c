/* Parser helpers, types, literals and the statements of @{...} blocks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

expr_node *parse_new_node(parser *p, int kind, size_t off)
{
    expr_node *n = arena_alloc(p->a, sizeof *n);
    if (!n) {
        p->failed = true;
        return NULL;
    }
    n->kind = (uint8_t)kind;
    n->off = (uint32_t)off;
    n->slot = -1;
    return n;
}

void parse_error(parser *p, size_t off, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    expr_error_at(p->dg, off, "%s", msg);
}

bool parse_accept(parser *p, int kind)
{
    if (peek(p) != kind)
        return false;
    p->i++;
    return true;
}

bool parse_expect(parser *p, int kind, const char *where)
{
    if (parse_accept(p, kind))
        return true;
    if (peek(p) != EXPR_TOK_ERROR)
        parse_error(p, cur(p)->off, "expected %s %s, got %s", expr_tok_name(kind), where,
                    expr_tok_name(peek(p)));
    p->failed = true;
    return false;
}

bool parse_close(parser *p, int kind, size_t open)
{
    if (parse_accept(p, kind))
        return true;
    if (p->failed)
        return false;
    diag_pos pos;
    size_t off = p->t[open].off;
    if (p->dg->m)
        p->dg->m->map(p->dg->m->ud, off, &pos);
    else
        diag_pos_in_text(p->dg->text.file, p->src, p->len, off, &pos);
    const char *open_name = expr_tok_name(p->t[open].kind);
    parse_error(p, cur(p)->off, "expected %s to close %s at %u:%u", expr_tok_name(kind), open_name,
                pos.line, pos.col);
    return false;
}

bool parse_enter(parser *p)
{
    if (p->failed)
        return false;
    if (++p->depth > EXPR_MAX_DEPTH) {
        parse_error(p, cur(p)->off, "expression nested too deeply");
        return false;
    }
    return true;
}

void parse_leave(parser *p)
{
    p->depth--;
}

bool parse_is_ident(const parser *p, size_t k, const char *word)
{
    if (peek_at(p, k) != EXPR_TOK_IDENT)
        return false;
    return str_eq_cstr(tok_str(p, &p->t[p->i + k]), word);
}

bool parse_is_keyword_type(str name)
{
    static const char *const kw[] = { "bool", "byte",  "char",   "decimal", "double", "float",
                                      "int",  "long",  "object", "sbyte",   "short",  "string",
                                      "uint", "ulong", "ushort", NULL };
    for (int i = 0; kw[i]; i++)
        if (str_eq_cstr(name, kw[i]))
            return true;
    return false;
}

static expr_tnode *parse_type_at(parser *p, int flags, int depth)
{
    if (peek(p) != EXPR_TOK_IDENT || depth > 8)
        return NULL;
    expr_tnode *tn = arena_alloc(p->a, sizeof *tn);
    if (!tn)
        return NULL;
    const expr_tok *first = cur(p);
    tn->off = first->off;
    size_t end = first->off + first->len;
    p->i++;
    while (peek(p) == EXPR_TOK_DOT && peek_at(p, 1) == EXPR_TOK_IDENT) {
        p->i++;
        end = cur(p)->off + cur(p)->len;
        p->i++;
    }
    tn->name = (str){ p->src + first->off, end - first->off };
    if (peek(p) == EXPR_TOK_LT) {
        size_t save = p->i++;
        for (;;) {
            expr_tnode *arg = parse_type_at(p, 0, depth + 1);
            if (!arg) {
                p->i = save;
                return NULL;
            }
            if (tn->nargs < 2)
                tn->args[tn->nargs] = arg;
            tn->nargs++;
            if (!parse_accept(p, EXPR_TOK_COMMA))
                break;
        }
        if (!parse_accept(p, EXPR_TOK_GT)) {
            p->i = save;
            return NULL;
        }
        if (tn->nargs > 2)
            tn->nargs = 2;
    }
    if (peek(p) == EXPR_TOK_QUESTION) {
        int k = peek_at(p, 1);
        if (k == EXPR_TOK_RPAREN || k == EXPR_TOK_COMMA || k == EXPR_TOK_GT ||
            k == EXPR_TOK_LBRACK || k == EXPR_TOK_SEMI ||
            ((flags & PT_NULLABLE_IDENT) && k == EXPR_TOK_IDENT)) {
            tn->nullable = true;
            p->i++;
        }
    }
    while (peek(p) == EXPR_TOK_LBRACK && peek_at(p, 1) == EXPR_TOK_RBRACK) {
        tn->rank++;
        p->i += 2;
    }
    return tn;
}

expr_tnode *parse_type(parser *p, int flags)
{
    size_t save = p->i;
    expr_tnode *tn = parse_type_at(p, flags, 0);
    if (!tn)
        p->i = save;
    return tn;
}

/* ---- literals ---- */

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One escape at s[*i] (after the backslash); returns the UTF-16 unit or -1. */
static long escape_unit(const char *s, size_t n, size_t *i)
{
    char c = s[(*i)++];
    switch (c) {
    case '\'':
        return '\'';
    case '"':
        return '"';
    case '\\':
        return '\\';
    case '0':
        return 0;
    case 'a':
        return 7;
    case 'b':
        return 8;
    case 'f':
        return 12;
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'v':
        return 11;
    case 'u':
    case 'x': {
        long v = 0;
        int k = 0;
        while (k < 4 && *i < n && hexval(s[*i]) >= 0) {
            v = v * 16 + hexval(s[(*i)++]);
            k++;
        }
        if (k == 0 || (c == 'u' && k != 4))
            return -1;
        return v;
    }
    default:
        return -1;
    }
}

/* Decodes literal text s[0..n): mode bit 1 = C# escapes, bit 2 = verbatim "", bit 4 = {{ }}. */
static bool decode_text(parser *p, size_t off, const char *s, size_t n, int mode, str *out)
{
    char *o = arena_alloc(p->a, n + 1);
    size_t k = 0;
    if (!o)
        return false;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if ((mode & 1) && c == '\\') {
            size_t bs = i++;
            long u = i < n ? escape_unit(s, n, &i) : -1;
            if (u < 0) {
                parse_error(p, off + bs, "unrecognized escape sequence");
                return false;
            }
            uint32_t cp = (uint32_t)u;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 5 < n && s[i] == '\\' && s[i + 1] == 'u') {
                size_t j = i + 1;
                long lo = escape_unit(s, n, &j);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                    i = j;
                }
            }
            k += put_utf8(o + k, cp);
            continue;
        }
        if ((mode & 2) && c == '"' && i + 1 < n && s[i + 1] == '"')
            i++;
        else if ((mode & 4) && (c == '{' || c == '}') && i + 1 < n && s[i + 1] == c)
            i++;
        o[k++] = c;
        i++;
    }
    o[k] = '\0';
    *out = (str){ o, k };
    return true;
}

static bool parse_int_literal(parser *p, const expr_tok *t, xv *out)
{
    const char *s = p->src + t->off;
    size_t n = t->len;
    bool is_long = false, is_unsigned = false;
    while (n > 0 && strchr("uUlL", s[n - 1])) {
        if (s[n - 1] == 'l' || s[n - 1] == 'L')
            is_long = true;
        else
            is_unsigned = true;
        n--;
    }
    int base = 10;
    size_t i = 0;
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    uint64_t v = 0;
    for (; i < n; i++) {
        if (s[i] == '_')
            continue;
        int d = hexval(s[i]);
        if (d < 0 || d >= base || v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
            parse_error(p, t->off, "integral constant is too large");
            return false;
        }
        v = v * (uint64_t)base + (uint64_t)d;
    }
    if (v > INT64_MAX) {
        parse_error(p, t->off, "integral constant is too large");
        return false;
    }
    if (is_long || v > INT32_MAX || (is_unsigned && v > INT32_MAX))
        *out = xv_long((int64_t)v);
    else
        *out = xv_int((int64_t)v);
    return true;
}

static bool parse_real_literal(parser *p, const expr_tok *t, xv *out)
{
    char buf[128];
    size_t k = 0;
    uint8_t sub = XV_SUB_NONE;
    for (size_t i = 0; i < t->len && k < sizeof buf - 1; i++) {
        char c = p->src[t->off + i];
        if (c == '_')
            continue;
        if (c == 'f' || c == 'F')
            sub = XV_SUB_FLOAT;
        else if (c == 'm' || c == 'M')
            sub = XV_SUB_DECIMAL;
        else if (c != 'd' && c != 'D')
            buf[k++] = c;
    }
    buf[k] = '\0';
    errno = 0;
    double d = strtod(buf, NULL);
    if (sub == XV_SUB_FLOAT)
        d = (double)(float)d;
    *out = xv_double(d);
    out->sub = sub;
    return true;
}

/* literal -> INT | REAL | CHAR | STRING | VSTRING | 'true' | 'false' | 'null' */
expr_node *parse_literal(parser *p)
{
    const expr_tok *t = cur(p);
    expr_node *n = parse_new_node(p, EXPR_N_CONST, t->off);
    if (!n)
        return NULL;
    p->i++;
    str s;
    switch (t->kind) {
    case EXPR_TOK_KW_TRUE:
        n->val = xv_bool(true);
        return n;
    case EXPR_TOK_KW_FALSE:
        n->val = xv_bool(false);
        return n;
    case EXPR_TOK_KW_NULL:
        n->val = xv_null();
        return n;
    case EXPR_TOK_INT:
        return parse_int_literal(p, t, &n->val) ? n : NULL;
    case EXPR_TOK_REAL:
        return parse_real_literal(p, t, &n->val) ? n : NULL;
    case EXPR_TOK_STRING:
        if (!decode_text(p, t->off + 1, p->src + t->off + 1, t->len - 2, 1, &s))
            return NULL;
        n->val = xv_str(s);
        return n;
    case EXPR_TOK_VSTRING:
        if (!decode_text(p, t->off + 2, p->src + t->off + 2, t->len - 3, 2, &s))
            return NULL;
        n->val = xv_str(s);
        return n;
    default: { /* CHAR */
        const char *q = p->src + t->off + 1;
        size_t len = t->len - 2, i = 0;
        long u;
        if (len == 0) {
            parse_error(p, t->off, "empty character literal");
            return NULL;
        }
        if (q[0] == '\\') {
            i = 1;
            u = escape_unit(q, len, &i);
        } else {
            /* one UTF-8 sequence encoding a BMP character */
            unsigned char c0 = (unsigned char)q[0];
            int extra = c0 < 0x80 ? 0 : c0 < 0xE0 ? 1 : c0 < 0xF0 ? 2 : 3;
            u = extra == 0 ? c0 : extra == 1 ? (c0 & 0x1F) : extra == 2 ? (c0 & 0x0F) : -1;
            for (i = 1; u >= 0 && i <= (size_t)extra && i < len; i++)
                u = (u << 6) | (q[i] & 0x3F);
        }
        if (u < 0 || i != len) {
            parse_error(p, t->off, "invalid character literal");
            return NULL;
        }
        n->val = xv_char((uint16_t)u);
        return n;
    }
    }
}

/* interp -> INTERP_BEGIN { INTERP_TEXT | HOLE_BEGIN expr [',' expr] [FORMAT] HOLE_END }
 *           INTERP_END */
expr_node *parse_interp(parser *p)
{
    expr_node *n = parse_new_node(p, EXPR_N_INTERP, cur(p)->off);
    uint32_t cap = 0;
    size_t open = p->i++;
    if (!n)
        return NULL;
    while (peek(p) != EXPR_TOK_INTERP_END) {
        expr_node *part;
        if (peek(p) == EXPR_TOK_INTERP_TEXT) {
            const expr_tok *t = cur(p);
            part = parse_new_node(p, EXPR_N_CONST, t->off);
            str s;
            int mode = (t->flags & EXPR_TOKF_VERBATIM) ? 2 | 4 : 1 | 4;
            if (!part || !decode_text(p, t->off, p->src + t->off, t->len, mode, &s))
                return NULL;
            part->val = xv_str(s);
            p->i++;
        } else if (peek(p) == EXPR_TOK_HOLE_BEGIN) {
            size_t hopen = p->i++;
            part = parse_new_node(p, EXPR_N_HOLE, p->t[hopen].off);
            if (!part)
                return NULL;
            part->a = parse_expr(p);
            if (!part->a)
                return NULL;
            if (parse_accept(p, EXPR_TOK_COMMA)) {
                part->b = parse_expr(p);
                if (!part->b)
                    return NULL;
            }
            if (peek(p) == EXPR_TOK_INTERP_FORMAT) {
                part->name = tok_str(p, cur(p));
                p->i++;
            }
            if (!parse_close(p, EXPR_TOK_HOLE_END, hopen))
                return NULL;
        } else {
            return parse_close(p, EXPR_TOK_INTERP_END, open) ? n : NULL;
        }
        if (n->nkids == cap) {
            uint32_t nc = cap ? cap * 2 : 4;
            expr_node **nk = arena_realloc(p->a, n->kids, cap * sizeof *nk, nc * sizeof *nk);
            if (!nk)
                return NULL;
            n->kids = nk;
            cap = nc;
        }
        n->kids[n->nkids++] = part;
    }
    p->i++;
    return n;
}
