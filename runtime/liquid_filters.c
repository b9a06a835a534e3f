/* Liquid string filters (DotLiquid's StandardFilters with APIM's PascalCase names) and the
 * filter table. Numeric, array and date filters are in liquid_filters2.c. */
#include <stdio.h>
#include <string.h>

#include "liquid_filters.h"

/* ---- helpers ---- */

int lqf_str(lq_state *st, lv in, lv *s, const char **p, size_t *n)
{
    if (lq_to_str(st, in, s) < 0)
        return -1;
    *p = json_string_value(s->j);
    *n = json_string_length(s->j);
    return 0;
}

int lqf_done(lq_state *st, buf *b, lv *out)
{
    str s = buf_str(b);
    int r = lq_mkstr(st, s.ptr, s.len, out);
    buf_release(b);
    return r;
}

void lqf_buf(buf *b)
{
    buf_init(b, RT_LIQUID_MEM_BUDGET);
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool lqf_is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_ws(p[i]))
            return false;
    return true;
}

/* Decodes one UTF-8 code point at p[0..n); invalid bytes decode as themselves (Latin-1). */
uint32_t lqf_utf8(const char *p, size_t n, size_t *adv)
{
    unsigned char c = (unsigned char)p[0];
    size_t w = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 1;
    if (w > n)
        w = 1;
    uint32_t cp = w == 1 ? c : w == 2 ? (c & 0x1Fu) : w == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (size_t i = 1; i < w; i++) {
        unsigned char d = (unsigned char)p[i];
        if ((d & 0xC0) != 0x80) {
            *adv = 1;
            return c;
        }
        cp = (cp << 6) | (d & 0x3Fu);
    }
    *adv = w;
    return cp;
}

int lqf_put_cp(buf *b, uint32_t cp)
{
    char t[4];
    size_t n;
    if (cp < 0x80) {
        t[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_append(b, t, n);
}

/* Simple case mapping: ASCII, Latin-1, Greek and Cyrillic. */
static uint32_t case_map(uint32_t c, bool upper)
{
    if (upper) {
        if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7) ||
            (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) || (c >= 0x430 && c <= 0x44F))
            return c - 0x20;
        if (c >= 0x450 && c <= 0x45F)
            return c - 0x50;
        return c;
    }
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
        (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) || (c >= 0x410 && c <= 0x42F))
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    return c;
}

/* Appends p[0..n) case-mapped: mode 'U' upper, 'L' lower. */
static int put_cased(buf *b, const char *p, size_t n, int mode)
{
    for (size_t i = 0; i < n;) {
        size_t adv;
        uint32_t cp = lqf_utf8(p + i, n - i, &adv);
        int r = adv == 1 && (unsigned char)p[i] >= 0x80 ? buf_append(b, p + i, 1)
                                                        : lqf_put_cp(b, case_map(cp, mode == 'U'));
        if (r < 0)
            return -1;
        i += adv;
    }
    return 0;
}

/* Output nil for nil input: most string filters return null for a null string. */
#define NIL_IN(in, out)                                                                            \
    do {                                                                                           \
        if (lv_is_nil(in)) {                                                                       \
            *(out) = lv_nil();                                                                     \
            return 0;                                                                              \
        }                                                                                          \
    } while (0)

#define STR_IN(st, in, s, p, n)                                                                    \
    lv s;                                                                                          \
    const char *p;                                                                                 \
    size_t n;                                                                                      \
    if (lqf_str(st, in, &s, &p, &n) < 0)                                                           \
        return -1;

static int f_case(lq_state *st, lv in, lv *out, int mode)
{
    NIL_IN(in, out);
    STR_IN(st, in, s, p, n);
    buf b;
    lqf_buf(&b);
    int r = put_cased(&b, p, n, mode);
    lv_drop(s);
    return r < 0 ? (buf_release(&b), lq_fatal(st, "Liquid: string too large"))
                 : lqf_done(st, &b, out);
}

static int f_upcase(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)a, (void)na;
    return f_case(st, in, out, 'U');
}

static int f_downcase(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)a, (void)na;
    return f_case(st, in, out, 'L');
}

/* Upper-cases the first non-blank character, lower-cases the rest (Liquid's capitalize). */
static int f_capitalize(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)a, (void)na;
    NIL_IN(in, out);
    STR_IN(st, in, s, p, n);
    if (lqf_is_blank(p, n)) {
        *out = s;
        return 0;
    }
    size_t i = 0;
    while (is_ws(p[i]))
        i++;
    size_t adv;
    uint32_t cp = lqf_utf8(p + i, n - i, &adv);
    buf b;
    lqf_buf(&b);
    buf_append(&b, p, i);
    lqf_put_cp(&b, case_map(cp, true));
    put_cased(&b, p + i + adv, n - i - adv, 'L');
    lv_drop(s);
    return lqf_done(st, &b, out);
}

static int concat(lq_state *st, lv in, const lv *a, lv *out, bool prepend)
{
    NIL_IN(in, out);
    STR_IN(st, in, s, p, n);
    lv t;
    const char *q;
    size_t m;
    if (lqf_str(st, a[0], &t, &q, &m) < 0) {
        lv_drop(s);
        return -1;
    }
    buf b;
    lqf_buf(&b);
    int r = buf_append(&b, prepend ? q : p, prepend ? m : n);
    if (r == 0)
        r = buf_append(&b, prepend ? p : q, prepend ? n : m);
    lv_drop(s);
    lv_drop(t);
    return r < 0 ? (buf_release(&b), lq_fatal(st, "Liquid: string too large"))
                 : lqf_done(st, &b, out);
}

static int f_append(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    return concat(st, in, a, out, false);
}

static int f_prepend(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    return concat(st, in, a, out, true);
}

/* Replaces the first (or every) occurrence of a[0] by a[1] ("" when absent); literal. */
static int replace(lq_state *st, lv in, const lv *a, size_t na, lv *out, bool all)
{
    NIL_IN(in, out);
    STR_IN(st, in, s, p, n);
    lv pat, rep = lv_nil();
    const char *pp, *rp = "";
    size_t pn, rn = 0;
    if (lqf_str(st, a[0], &pat, &pp, &pn) < 0 ||
        (na > 1 && lqf_str(st, a[1], &rep, &rp, &rn) < 0)) {
        lv_drop(s);
        return -1;
    }
    if (n == 0 || pn == 0) {
        lv_drop(pat);
        lv_drop(rep);
        *out = s;
        return 0;
    }
    buf b;
    lqf_buf(&b);
    int r = 0;
    size_t i = 0;
    bool done = false;
    while (i < n && r == 0) {
        str rest = { p + i, n - i };
        long k = done ? -1 : str_find(rest, (str){ pp, pn });
        if (k < 0) {
            r = buf_append(&b, p + i, n - i);
            break;
        }
        r = buf_append(&b, p + i, (size_t)k);
        if (r == 0)
            r = buf_append(&b, rp, rn);
        i += (size_t)k + pn;
        done = !all;
        if (r == 0)
            r = lq_charge(st, 1);
    }
    lv_drop(s);
    lv_drop(pat);
    lv_drop(rep);
    if (r < 0) {
        buf_release(&b);
        return st->fatal ? -1 : lq_fatal(st, "Liquid: string too large");
    }
    return lqf_done(st, &b, out);
}

static int f_replace(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    return replace(st, in, a, na, out, true);
}

static int f_replace_first(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    return replace(st, in, a, na, out, false);
}

static int f_remove(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    return replace(st, in, a, 1, out, true);
}

static int f_remove_first(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    return replace(st, in, a, 1, out, false);
}

static int strip(lq_state *st, lv in, lv *out, bool left, bool right)
{
    NIL_IN(in, out);
    STR_IN(st, in, s, p, n);
    size_t b = 0, e = n;
    while (left && b < e && is_ws(p[b]))
        b++;
    while (right && e > b && is_ws(p[e - 1]))
        e--;
    int r = lq_mkstr(st, p + b, e - b, out);
    lv_drop(s);
    return r;
}

static int f_strip(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)a, (void)na;
    return strip(st, in, out, true, true);
}

static int f_lstrip(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)a, (void)na;
    return strip(st, in, out, true, false);
}

static int f_rstrip(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)a, (void)na;
    return strip(st, in, out, false, true);
}

/* Removes (mode 0) "\r\n"/"\n", or inserts "<br />" before them (mode 1). */
static int newlines(lq_state *st, lv in, lv *out, int mode)
{
    NIL_IN(in, out);
    STR_IN(st, in, s, p, n);
    buf b;
    lqf_buf(&b);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        bool crlf = p[i] == '\r' && i + 1 < n && p[i + 1] == '\n';
        if (p[i] == '\n' || crlf) {
            if (mode == 1)
                r = buf_puts(&b, "<br />");
            if (r == 0 && mode == 1)
                r = buf_append(&b, p + i, crlf ? 2 : 1);
            i += crlf;
        } else {
            r = buf_putc(&b, p[i]);
        }
    }
    lv_drop(s);
    return r < 0 ? (buf_release(&b), lq_fatal(st, "Liquid: string too large"))
                 : lqf_done(st, &b, out);
}

static int f_strip_newlines(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)a, (void)na;
    return newlines(st, in, out, 0);
}

static int f_newline_to_br(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)a, (void)na;
    return newlines(st, in, out, 1);
}

static bool ci_prefix(const char *p, size_t n, const char *w)
{
    size_t m = strlen(w);
    if (m > n)
        return false;
    for (size_t i = 0; i < m; i++)
        if (case_map((unsigned char)p[i], false) != (unsigned char)w[i])
            return false;
    return true;
}

/* Offset of the end of `w` (case-insensitive) at or after i, or n. */
static size_t ci_find_end(const char *p, size_t n, size_t i, const char *w)
{
    for (; i < n; i++)
        if (ci_prefix(p + i, n - i, w))
            return i + strlen(w);
    return (size_t)-1;
}

/* Drops <script>..</script>, <!-- -->, <style>..</style>, then every <...> tag. */
static int f_strip_html(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)a, (void)na;
    NIL_IN(in, out);
    STR_IN(st, in, s, p, n);
    buf b;
    lqf_buf(&b);
    int r = 0;
    for (size_t i = 0; i < n && r == 0;) {
        size_t e = (size_t)-1;
        if (ci_prefix(p + i, n - i, "<script"))
            e = ci_find_end(p, n, i, "</script>");
        else if (ci_prefix(p + i, n - i, "<!--"))
            e = ci_find_end(p, n, i + 4, "-->");
        else if (ci_prefix(p + i, n - i, "<style"))
            e = ci_find_end(p, n, i, "</style>");
        if (e == (size_t)-1 && p[i] == '<') {
            const char *gt = memchr(p + i, '>', n - i);
            if (gt)
                e = (size_t)(gt - p) + 1;
        }
        if (e != (size_t)-1) {
            i = e;
            continue;
        }
        r = buf_putc(&b, p[i++]);
    }
    lv_drop(s);
    return r < 0 ? (buf_release(&b), lq_fatal(st, "Liquid: string too large"))
                 : lqf_done(st, &b, out);
}

/* WebUtility.HtmlEncode. */
static int f_escape(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)a, (void)na;
    NIL_IN(in, out);
    STR_IN(st, in, s, p, n);
    buf b;
    lqf_buf(&b);
    int r = 0;
    for (size_t i = 0; i < n && r == 0;) {
        size_t adv;
        uint32_t cp = lqf_utf8(p + i, n - i, &adv);
        switch (cp) {
        case '<':
            r = buf_puts(&b, "&lt;");
            break;
        case '>':
            r = buf_puts(&b, "&gt;");
            break;
        case '&':
            r = buf_puts(&b, "&amp;");
            break;
        case '"':
            r = buf_puts(&b, "&quot;");
            break;
        case '\'':
            r = buf_puts(&b, "&#39;");
            break;
        default:
            if ((cp >= 0xA0 && cp <= 0xFF && adv == 2) || cp >= 0x10000)
                r = buf_printf(&b, "&#%u;", (unsigned)cp);
            else
                r = buf_append(&b, p + i, adv);
        }
        i += adv;
    }
    lv_drop(s);
    return r < 0 ? (buf_release(&b), lq_fatal(st, "Liquid: string too large"))
                 : lqf_done(st, &b, out);
}

/* WebUtility.UrlEncode: ' ' -> '+', unreserved -_.!*() kept, the rest %XX (upper case). */
static int f_url_encode(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)a, (void)na;
    NIL_IN(in, out);
    STR_IN(st, in, s, p, n);
    buf b;
    lqf_buf(&b);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-_.!*()", c))
            r = buf_putc(&b, (char)c);
        else if (c == ' ')
            r = buf_putc(&b, '+');
        else
            r = buf_printf(&b, "%%%02X", c);
    }
    lv_drop(s);
    return r < 0 ? (buf_release(&b), lq_fatal(st, "Liquid: string too large"))
                 : lqf_done(st, &b, out);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static int f_url_decode(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)a, (void)na;
    NIL_IN(in, out);
    STR_IN(st, in, s, p, n);
    buf b;
    lqf_buf(&b);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        if (p[i] == '+') {
            r = buf_putc(&b, ' ');
        } else if (p[i] == '%' && i + 2 < n + 0 && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
            r = buf_putc(&b, (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2])));
            i += 2;
        } else {
            r = buf_putc(&b, p[i]);
        }
    }
    lv_drop(s);
    return r < 0 ? (buf_release(&b), lq_fatal(st, "Liquid: string too large"))
                 : lqf_done(st, &b, out);
}

/* Truncate(length = 50, ellipsis = "..."): lengths in UTF-16 units, as .NET. */
static int f_truncate(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    NIL_IN(in, out);
    int64_t len = 50;
    if (na > 0 && lqf_int(st, a[0], "Truncate", &len) < 0)
        return -1;
    STR_IN(st, in, s, p, n);
    lv e = lv_nil();
    const char *ep = "...";
    size_t en = 3;
    if (na > 1 && lqf_str(st, a[1], &e, &ep, &en) < 0) {
        lv_drop(s);
        return -1;
    }
    int r;
    if (n == 0) {
        r = lq_mkstr(st, p, n, out);
    } else if (len < 0) {
        r = lq_mkstr(st, ep, en, out);
    } else if ((int64_t)lq_u16_len(p, n) <= len) {
        r = lq_mkstr(st, p, n, out);
    } else {
        int64_t keep = len - (int64_t)lq_u16_len(ep, en);
        size_t cut = lq_u16_off(p, n, keep < 0 ? 0 : (size_t)keep);
        buf b;
        lqf_buf(&b);
        buf_append(&b, p, cut);
        buf_append(&b, ep, en);
        r = lqf_done(st, &b, out);
    }
    lv_drop(s);
    lv_drop(e);
    return r;
}

/* TruncateWords(words = 15, ellipsis = "..."): words are split on ' '. */
static int f_truncate_words(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    NIL_IN(in, out);
    int64_t words = 15;
    if (na > 0 && lqf_int(st, a[0], "TruncateWords", &words) < 0)
        return -1;
    STR_IN(st, in, s, p, n);
    lv e = lv_nil();
    const char *ep = "...";
    size_t en = 3;
    if (na > 1 && lqf_str(st, a[1], &e, &ep, &en) < 0) {
        lv_drop(s);
        return -1;
    }
    int r;
    size_t cut = 0, count = 0;
    for (size_t i = 0; i <= n && words > 0; i++) {
        if (i == n || p[i] == ' ') {
            if (++count == (size_t)words) {
                cut = i;
                break;
            }
        }
    }
    if (n == 0)
        r = lq_mkstr(st, p, n, out);
    else if (words <= 0)
        r = lq_mkstr(st, ep, en, out);
    else if (count < (size_t)words || cut >= n)
        r = lq_mkstr(st, p, n, out);
    else {
        buf b;
        lqf_buf(&b);
        buf_append(&b, p, cut);
        buf_append(&b, ep, en);
        r = lqf_done(st, &b, out);
    }
    lv_drop(s);
    lv_drop(e);
    return r;
}

/* ---- the table (sorted by PascalCase name) ---- */

static const lq_filter filters[] = {
    { "Abs", "abs", 0, 0, lqf_abs },
    { "Append", "append", 1, 1, f_append },
    { "AtLeast", "at_least", 1, 1, lqf_at_least },
    { "AtMost", "at_most", 1, 1, lqf_at_most },
    { "Capitalize", "capitalize", 0, 0, f_capitalize },
    { "Ceil", "ceil", 0, 0, lqf_ceil },
    { "Compact", "compact", 0, 0, lqf_compact },
    { "Concat", "concat", 1, 1, lqf_concat },
    { "Currency", "currency", 0, 1, lqf_currency },
    { "Date", "date", 1, 1, lqf_date },
    { "Default", "default", 1, 1, lqf_default },
    { "DividedBy", "divided_by", 1, 1, lqf_divided_by },
    { "Downcase", "downcase", 0, 0, f_downcase },
    { "Escape", "escape", 0, 0, f_escape },
    { "First", "first", 0, 0, lqf_first },
    { "Floor", "floor", 0, 0, lqf_floor },
    { "H", "h", 0, 0, f_escape },
    { "Join", "join", 0, 1, lqf_join },
    { "Last", "last", 0, 0, lqf_last },
    { "Lstrip", "lstrip", 0, 0, f_lstrip },
    { "Map", "map", 1, 1, lqf_map },
    { "Minus", "minus", 1, 1, lqf_minus },
    { "Modulo", "modulo", 1, 1, lqf_modulo },
    { "NewlineToBr", "newline_to_br", 0, 0, f_newline_to_br },
    { "Plus", "plus", 1, 1, lqf_plus },
    { "Prepend", "prepend", 1, 1, f_prepend },
    { "Remove", "remove", 1, 1, f_remove },
    { "RemoveFirst", "remove_first", 1, 1, f_remove_first },
    { "Replace", "replace", 1, 2, f_replace },
    { "ReplaceFirst", "replace_first", 1, 2, f_replace_first },
    { "Reverse", "reverse", 0, 0, lqf_reverse },
    { "Round", "round", 0, 1, lqf_round },
    { "Rstrip", "rstrip", 0, 0, f_rstrip },
    { "Size", "size", 0, 0, lqf_size },
    { "Slice", "slice", 1, 2, lqf_slice },
    { "Sort", "sort", 0, 1, lqf_sort },
    { "Split", "split", 1, 1, lqf_split },
    { "Strip", "strip", 0, 0, f_strip },
    { "StripHtml", "strip_html", 0, 0, f_strip_html },
    { "StripNewlines", "strip_newlines", 0, 0, f_strip_newlines },
    { "Times", "times", 1, 1, lqf_times },
    { "Truncate", "truncate", 0, 2, f_truncate },
    { "TruncateWords", "truncate_words", 0, 2, f_truncate_words },
    { "Uniq", "uniq", 0, 0, lqf_uniq },
    { "Upcase", "upcase", 0, 0, f_upcase },
    { "UrlDecode", "url_decode", 0, 0, f_url_decode },
    { "UrlEncode", "url_encode", 0, 0, f_url_encode },
};

static bool ieq(str a, const char *b)
{
    size_t n = strlen(b);
    if (a.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (case_map((unsigned char)a.ptr[i], false) != case_map((unsigned char)b[i], false))
            return false;
    return true;
}

const lq_filter *lq_filter_find(str name)
{
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++)
        if (str_eq_cstr(name, filters[i].name) || str_eq_cstr(name, filters[i].snake) ||
            ieq(name, filters[i].name))
            return &filters[i];
    return NULL;
}
