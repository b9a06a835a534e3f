/* Liquid lexing: the template is cut into text, {{ output }} and {% tag %} pieces (with
 * whitespace control and {% raw %}), and tag/output markup into tokens. */
#include <stdlib.h>
#include <string.h>

#include "liquid_impl.h"

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int push_piece(arena *a, lq_pieces *ps, lq_piece pc)
{
    if (ps->n == ps->cap) {
        size_t ncap = ps->cap ? ps->cap * 2 : 32;
        lq_piece *q = arena_realloc(a, ps->items, ps->cap * sizeof *q, ncap * sizeof *q);
        if (!q)
            return -1;
        ps->items = q;
        ps->cap = ncap;
    }
    ps->items[ps->n++] = pc;
    return 0;
}

/* The offset of the first `close` (2 chars) at or after i, or (size_t)-1. */
static size_t find2(const char *s, size_t len, size_t i, char c1, char c2)
{
    for (; i + 1 < len; i++)
        if (s[i] == c1 && s[i + 1] == c2)
            return i;
    return (size_t)-1;
}

/* Fills the markup slice of a tag/output piece between open (offset of '{') and close
 * (offset of the closing '}}' / '%}'). */
static void set_markup(lq_piece *pc, const char *s, size_t open, size_t close)
{
    size_t b = open + 2, e = close;
    if (b < e && s[b] == '-') {
        pc->lstrip = true;
        b++;
    }
    if (e > b && s[e - 1] == '-') {
        pc->rstrip = true;
        e--;
    }
    pc->off = b;
    pc->len = e - b;
}

/* Name of the tag in markup (first identifier), as a str (empty when none). */
str lq_tag_name(const char *s, const lq_piece *pc, size_t *after)
{
    size_t i = pc->off, e = pc->off + pc->len;
    while (i < e && is_ws(s[i]))
        i++;
    size_t b = i;
    while (i < e && (is_ident_char(s[i])))
        i++;
    if (after)
        *after = i;
    return (str){ s + b, i - b };
}

/* After {% raw %}: the content up to {% endraw %} becomes one text piece. Returns the offset
 * after the endraw tag, or (size_t)-1 when there is none. */
static size_t scan_raw(arena *a, const char *s, size_t len, size_t i, lq_pieces *ps)
{
    for (size_t j = i; j + 1 < len; j++) {
        if (s[j] != '{' || s[j + 1] != '%')
            continue;
        size_t close = find2(s, len, j + 2, '%', '}');
        if (close == (size_t)-1)
            return (size_t)-1;
        lq_piece tag = { .kind = LQ_P_TAG, .start = j };
        set_markup(&tag, s, j, close);
        str name = lq_tag_name(s, &tag, NULL);
        if (!str_eq_cstr(name, "endraw"))
            continue;
        lq_piece text = { .kind = LQ_P_TEXT, .start = i, .off = i, .len = j - i, .raw = true };
        if (push_piece(a, ps, text) < 0 || push_piece(a, ps, tag) < 0)
            return (size_t)-2;
        return close + 2;
    }
    return (size_t)-1;
}

int lq_split(arena *a, const char *s, size_t len, lq_pieces *ps, size_t *err_off,
             const char **err_msg)
{
    size_t i = 0;
    *err_msg = NULL;
    while (i < len) {
        size_t j = i;
        while (j + 1 < len && !(s[j] == '{' && (s[j + 1] == '{' || s[j + 1] == '%')))
            j++;
        if (j + 1 >= len)
            j = len;
        if (j > i) {
            lq_piece text = { .kind = LQ_P_TEXT, .start = i, .off = i, .len = j - i };
            if (push_piece(a, ps, text) < 0)
                return -1;
        }
        if (j >= len)
            break;
        bool is_out = s[j + 1] == '{';
        size_t close = find2(s, len, j + 2, is_out ? '}' : '%', '}');
        if (close == (size_t)-1) {
            *err_off = j;
            *err_msg = is_out ? "'{{' was not properly terminated with '}}'"
                              : "'{%' was not properly terminated with '%}'";
            return 0;
        }
        lq_piece pc = { .kind = is_out ? LQ_P_OUTPUT : LQ_P_TAG, .start = j };
        set_markup(&pc, s, j, close);
        if (push_piece(a, ps, pc) < 0)
            return -1;
        i = close + 2;
        if (!is_out && str_eq_cstr(lq_tag_name(s, &pc, NULL), "raw")) {
            size_t r = scan_raw(a, s, len, i, ps);
            if (r == (size_t)-2)
                return -1;
            if (r == (size_t)-1) {
                *err_off = j;
                *err_msg = "'raw' tag was never closed";
                return 0;
            }
            i = r;
        }
    }
    /* whitespace control: {%- trims the text before, -%} the text after */
    for (size_t k = 0; k < ps->n; k++) {
        lq_piece *pc = &ps->items[k];
        if (pc->kind == LQ_P_TEXT)
            continue;
        if (pc->lstrip && k > 0 && ps->items[k - 1].kind == LQ_P_TEXT && !ps->items[k - 1].raw) {
            lq_piece *t = &ps->items[k - 1];
            while (t->len > 0 && is_ws(s[t->off + t->len - 1]))
                t->len--;
        }
        if (pc->rstrip && k + 1 < ps->n && ps->items[k + 1].kind == LQ_P_TEXT &&
            !ps->items[k + 1].raw) {
            lq_piece *t = &ps->items[k + 1];
            while (t->len > 0 && is_ws(s[t->off])) {
                t->off++;
                t->len--;
            }
        }
    }
    return 0;
}

/* ---- markup tokens ---- */

static int push_tok(arena *a, lq_tokens *ts, lq_token t)
{
    if (ts->n == ts->cap) {
        size_t ncap = ts->cap ? ts->cap * 2 : 16;
        lq_token *q = arena_realloc(a, ts->items, ts->cap * sizeof *q, ncap * sizeof *q);
        if (!q)
            return -1;
        ts->items = q;
        ts->cap = ncap;
    }
    ts->items[ts->n++] = t;
    return 0;
}

/* Scans a number at s[i..e): returns its end and the token. */
static size_t lex_number(const char *s, size_t i, size_t e, lq_token *t)
{
    size_t b = i;
    if (s[i] == '-')
        i++;
    while (i < e && is_digit(s[i]))
        i++;
    t->kind = LQ_T_INT;
    /* a '.' followed by a digit is a fraction; "1..5" stays a range */
    if (i + 1 < e && s[i] == '.' && is_digit(s[i + 1])) {
        i++;
        while (i < e && is_digit(s[i]))
            i++;
        t->kind = LQ_T_REAL;
    }
    t->off = b;
    t->text = (str){ s + b, i - b };
    return i;
}

static int cmp_op(const char *s, size_t i, size_t e, size_t *n)
{
    char c = s[i], d = i + 1 < e ? s[i + 1] : 0;
    *n = 2;
    if (c == '=' && d == '=')
        return LQ_EQ;
    if (c == '!' && d == '=')
        return LQ_NE;
    if (c == '<' && d == '>')
        return LQ_NE;
    if (c == '<' && d == '=')
        return LQ_LE;
    if (c == '>' && d == '=')
        return LQ_GE;
    *n = 1;
    if (c == '<')
        return LQ_LT;
    if (c == '>')
        return LQ_GT;
    return -1;
}

int lq_lex(arena *a, const char *s, size_t off, size_t len, lq_tokens *ts)
{
    size_t i = off, e = off + len;
    while (i < e) {
        char c = s[i];
        if (is_ws(c)) {
            i++;
            continue;
        }
        lq_token t = { .kind = LQ_T_BAD, .off = i, .text = { s + i, 1 } };
        size_t n = 1;
        if (is_ident_start(c)) {
            size_t j = i + 1;
            while (j < e && is_ident_char(s[j]))
                j++;
            if (j < e && s[j] == '?')
                j++;
            t.kind = LQ_T_IDENT;
            t.text = (str){ s + i, j - i };
            n = j - i;
        } else if (is_digit(c) || (c == '-' && i + 1 < e && is_digit(s[i + 1]))) {
            n = lex_number(s, i, e, &t) - i;
        } else if (c == '"' || c == '\'') {
            size_t j = i + 1;
            while (j < e && s[j] != c)
                j++;
            if (j >= e) {
                t.kind = LQ_T_BAD;
                t.text = STR_LIT("unterminated string");
                if (push_tok(a, ts, t) < 0)
                    return -1;
                return 0;
            }
            t.kind = LQ_T_STR;
            t.text = (str){ s + i + 1, j - i - 1 };
            n = j + 1 - i;
        } else if (c == '.' && i + 1 < e && s[i + 1] == '.') {
            t.kind = LQ_T_DOTDOT;
            n = 2;
        } else if (c == '=' && !(i + 1 < e && s[i + 1] == '=')) {
            t.kind = LQ_T_ASSIGN;
        } else {
            int op = cmp_op(s, i, e, &n);
            if (op >= 0) {
                t.kind = LQ_T_CMP;
                t.op = op;
            } else {
                n = 1;
                switch (c) {
                case '.':
                    t.kind = LQ_T_DOT;
                    break;
                case '[':
                    t.kind = LQ_T_LBRACK;
                    break;
                case ']':
                    t.kind = LQ_T_RBRACK;
                    break;
                case '(':
                    t.kind = LQ_T_LPAREN;
                    break;
                case ')':
                    t.kind = LQ_T_RPAREN;
                    break;
                case '|':
                    t.kind = LQ_T_PIPE;
                    break;
                case ':':
                    t.kind = LQ_T_COLON;
                    break;
                case ',':
                    t.kind = LQ_T_COMMA;
                    break;
                default:
                    break;
                }
            }
            t.text.len = n;
        }
        if (push_tok(a, ts, t) < 0)
            return -1;
        i += n;
    }
    lq_token end = { .kind = LQ_T_END, .off = e, .text = { s + e, 0 } };
    return push_tok(a, ts, end);
}
