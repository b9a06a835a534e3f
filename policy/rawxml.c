/* The raw-XML pre-pass (spec/policies.md §1 "Raw XML"). Stored policies are not well-formed
 * XML: expressions keep raw ", <, && and C# literals inside attribute values and text. This
 * scanner tokenizes the document the way an XML parser would (tags, attributes, comments,
 * CDATA, PIs) and, inside attribute values and text, treats every @(...) / @{...} as one span,
 * matching brackets while skipping C# strings ("...", @"...", $"..{hole}..", $@"..."),
 * character literals and comments. It records every element, attribute and span with its
 * offsets (so positions are exact) and produces a copy of the text in which each span is
 * replaced by a placeholder of the same length that keeps its line breaks, so that libxml2
 * can check the document and its line numbers stay right. The toolkit's
 * PolicyDecompiler.PreprocessXml does the same job. */
#include "impl.h"

#define SPAN_NEST_MAX 64
#define NPOS          ((size_t)-1)

static size_t skip_code(const char *s, size_t n, size_t i, int nest, unsigned char *mark);

/* Classifies bytes when mark is not NULL: 0 code, 1 string or character literal, 2 comment. */
static void mark_range(unsigned char *mark, size_t from, size_t to, unsigned char v)
{
    if (mark && from < to)
        memset(mark + from, v, to - from);
}

/* The length of a double quote at s[i]: 1 for '"', the entity's length for "&quot;", "&#34;"
 * or "&#x22;" (a value escaped by hand, or by an XML writer, keeps its C# strings that way);
 * 0 for anything else. */
static size_t quote_len(const char *s, size_t n, size_t i)
{
    static const char *const ents[] = { "&quot;", "&#34;", "&#x22;", "&#X22;" };
    if (s[i] == '"')
        return 1;
    if (s[i] != '&')
        return 0;
    for (size_t k = 0; k < sizeof ents / sizeof *ents; k++) {
        size_t l = strlen(ents[k]);
        if (i + l <= n && !memcmp(s + i, ents[k], l))
            return l;
    }
    return 0;
}

/* i: just after the opening quote. Returns the offset after the closing quote, the offset
 * of the line break that ends an unterminated regular string, or NPOS. */
static size_t skip_string(const char *s, size_t n, size_t i, bool verbatim, bool interp, int nest,
                          unsigned char *mark)
{
    size_t seg = i; /* start of the literal text not yet marked */
    while (i < n) {
        char c = s[i];
        size_t q = quote_len(s, n, i);
        if (q) {
            size_t q2 = i + q < n ? quote_len(s, n, i + q) : 0;
            if (verbatim && q2) {
                i += q + q2;
                continue;
            }
            mark_range(mark, seg, i + q, 1);
            return i + q;
        }
        if (!verbatim && c == '\\') {
            i += 2;
            continue;
        }
        if (!verbatim && c == '\n') {
            mark_range(mark, seg, i, 1);
            return i; /* unterminated: the expression compiler reports it */
        }
        if (interp && c == '{') {
            if (i + 1 < n && s[i + 1] == '{') {
                i += 2;
                continue;
            }
            if (nest >= SPAN_NEST_MAX)
                return NPOS;
            mark_range(mark, seg, i + 1, 1);
            i = skip_code(s, n, i + 1, nest + 1, mark);
            if (i == NPOS)
                return NPOS;
            seg = i;
            continue;
        }
        i++;
    }
    return NPOS;
}

/* i: at a quote '. A character literal ('x', '\'', '\u0041', '"') is skipped; anything else
 * leaves the quote as an ordinary character. */
static size_t skip_char(const char *s, size_t n, size_t i, unsigned char *mark)
{
    size_t j = i + 1;
    if (j < n && s[j] == '\\')
        j += 2;
    else {
        j++;
        while (j < n && ((unsigned char)s[j] & 0xC0) == 0x80)
            j++;
    }
    for (size_t k = j; k < n && k < i + 12; k++) {
        if (s[k] == '\'') {
            mark_range(mark, i, k + 1, 1);
            return k + 1;
        }
        if (s[k] == '\n')
            break;
    }
    return i + 1;
}

/* Scans C# code from s[i] to the closer at bracket depth 0; returns the offset after it. */
static size_t skip_code(const char *s, size_t n, size_t i, int nest, unsigned char *mark)
{
    size_t depth = 0;
    while (i < n) {
        char c = s[i];
        char c1 = i + 1 < n ? s[i + 1] : 0;
        size_t q1 = i + 1 < n ? quote_len(s, n, i + 1) : 0;
        size_t q2 = i + 2 < n ? quote_len(s, n, i + 2) : 0;
        switch (c) {
        case '"':
        case '&':
            if (quote_len(s, n, i))
                i = skip_string(s, n, i + quote_len(s, n, i), false, false, nest, mark);
            else
                i++;
            break;
        case '@':
            if (q1)
                i = skip_string(s, n, i + 1 + q1, true, false, nest, mark);
            else if (c1 == '$' && q2)
                i = skip_string(s, n, i + 2 + q2, true, true, nest, mark);
            else
                i++;
            break;
        case '$':
            if (q1)
                i = skip_string(s, n, i + 1 + q1, false, true, nest, mark);
            else if (c1 == '@' && q2)
                i = skip_string(s, n, i + 2 + q2, true, true, nest, mark);
            else
                i++;
            break;
        case '\'':
            i = skip_char(s, n, i, mark);
            break;
        case '/':
            if (c1 == '/') {
                size_t st = i;
                while (i < n && s[i] != '\n')
                    i++;
                mark_range(mark, st, i, 2);
            } else if (c1 == '*') {
                size_t j = i + 2;
                while (j + 1 < n && !(s[j] == '*' && s[j + 1] == '/'))
                    j++;
                if (j + 1 >= n)
                    return NPOS;
                mark_range(mark, i, j + 2, 2);
                i = j + 2;
            } else {
                i++;
            }
            break;
        case '(':
        case '[':
        case '{':
            depth++;
            i++;
            break;
        case ')':
        case ']':
        case '}':
            if (depth == 0)
                return i + 1;
            depth--;
            i++;
            break;
        default:
            i++;
        }
        if (i == NPOS)
            return NPOS;
    }
    return NPOS;
}

size_t pol_raw_span_end(const char *s, size_t n, size_t i)
{
    if (i + 1 >= n || s[i] != '@' || (s[i + 1] != '(' && s[i + 1] != '{'))
        return NPOS;
    return skip_code(s, n, i + 2, 0, NULL);
}

void pol_raw_mark(const char *s, size_t n, unsigned char *mark)
{
    memset(mark, 0, n);
    if (n >= 2 && s[0] == '@' && (s[1] == '(' || s[1] == '{'))
        skip_code(s, n, 2, 0, mark);
}

bool pol_is_expression(str text)
{
    /* A value that starts like an expression and ends with the matching closer is one: when
     * its brackets do not balance, the expression compiler says why (APIM does not fall
     * back to a literal either). */
    str t = str_trim(text);
    if (t.len < 3 || t.ptr[0] != '@' || (t.ptr[1] != '(' && t.ptr[1] != '{'))
        return false;
    return t.ptr[t.len - 1] == (t.ptr[1] == '(' ? ')' : '}');
}

/* ---- the scanner ---- */

#define VEC_PUSH(a, v, n, cap, item, fail)                                                         \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            size_t nc_ = (cap) ? (cap)*2 : 16;                                                     \
            void *nv_ = arena_realloc((a), (v), (cap) * sizeof *(v), nc_ * sizeof *(v));           \
            if (!nv_)                                                                              \
                fail;                                                                              \
            (v) = nv_;                                                                             \
            (cap) = nc_;                                                                           \
        }                                                                                          \
        (v)[(n)++] = (item);                                                                       \
    } while (0)

typedef struct scanner {
    arena *a;
    const pol_src *src;
    const char *s;
    size_t n;
    rawxml *rx;
    diag_list *d;
    size_t celems, cspans, ccdata;
} scanner;

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t find(const char *s, size_t n, size_t i, const char *pat)
{
    size_t pl = strlen(pat);
    for (; i + pl <= n; i++) {
        if (s[i] == pat[0] && !memcmp(s + i, pat, pl))
            return i;
    }
    return NPOS;
}

static bool has_at(const char *s, size_t n, size_t i, const char *pat)
{
    size_t pl = strlen(pat);
    return i + pl <= n && !memcmp(s + i, pat, pl);
}

/* A span starts at i: record it and fill the placeholder. Returns its end, or NPOS after a
 * fatal diagnostic. */
static size_t span(scanner *sc, size_t i)
{
    size_t end = pol_raw_span_end(sc->s, sc->n, i);
    if (end == NPOS) {
        diag_pos pos;
        pol_src_pos_orig(sc->src, pol_src_orig(sc->src, i), &pos);
        diag_add(sc->d, DIAG_ERROR, &pos, "unclosed expression: '@%c' has no matching '%c'",
                 sc->s[i + 1], sc->s[i + 1] == '(' ? ')' : '}');
        return NPOS;
    }
    raw_span sp = { i, end - i };
    VEC_PUSH(sc->a, sc->rx->spans, sc->rx->nspans, sc->cspans, sp, return NPOS);
    for (size_t k = i; k < end; k++) {
        char c = sc->s[k];
        if (c != '\n' && c != '\r' && c != '\t')
            sc->rx->pre[k] = 'x';
    }
    return end;
}

static bool is_span_start(const scanner *sc, size_t i)
{
    return sc->s[i] == '@' && i + 1 < sc->n && (sc->s[i + 1] == '(' || sc->s[i + 1] == '{');
}

enum { SCAN_OK = 0, SCAN_FATAL = -1, SCAN_GIVE_UP = -2 };

/* Start tag at i; *next receives the offset after it; *top the open element. */
static int start_tag(scanner *sc, size_t i, size_t *next, int *top)
{
    const char *s = sc->s;
    size_t n = sc->n, j = i + 1;
    while (j < n && !is_ws(s[j]) && s[j] != '>' && s[j] != '/' && s[j] != '=')
        j++;
    if (j == i + 1)
        return SCAN_GIVE_UP;
    raw_elem e = { .tag = i, .name_len = j - i - 1, .parent = *top, .first_kid = -1, .next = -1 };
    size_t cattrs = 0;
    for (;;) {
        while (j < n && is_ws(s[j]))
            j++;
        if (j >= n)
            return SCAN_GIVE_UP;
        if (s[j] == '>') {
            e.content = j + 1;
            VEC_PUSH(sc->a, sc->rx->elems, sc->rx->nelems, sc->celems, e, return SCAN_FATAL);
            *top = (int)sc->rx->nelems - 1;
            *next = j + 1;
            return SCAN_OK;
        }
        if (s[j] == '/' && j + 1 < n && s[j + 1] == '>') {
            e.content = e.content_end = j;
            e.end = j + 2;
            VEC_PUSH(sc->a, sc->rx->elems, sc->rx->nelems, sc->celems, e, return SCAN_FATAL);
            *next = j + 2;
            return SCAN_OK;
        }
        size_t k = j;
        while (k < n && !is_ws(s[k]) && s[k] != '=' && s[k] != '>' && s[k] != '/')
            k++;
        if (k == j)
            return SCAN_GIVE_UP;
        raw_attr at = { .name = j, .name_len = k - j };
        while (k < n && is_ws(s[k]))
            k++;
        if (k >= n || s[k] != '=')
            return SCAN_GIVE_UP;
        k++;
        while (k < n && is_ws(s[k]))
            k++;
        if (k >= n || (s[k] != '"' && s[k] != '\''))
            return SCAN_GIVE_UP;
        char q = s[k];
        size_t m = k + 1;
        while (m < n && s[m] != q) {
            if (is_span_start(sc, m)) {
                m = span(sc, m);
                if (m == NPOS)
                    return SCAN_FATAL;
            } else {
                m++;
            }
        }
        if (m >= n)
            return SCAN_GIVE_UP;
        at.val = k + 1;
        at.val_len = m - (k + 1);
        VEC_PUSH(sc->a, e.attrs, e.nattrs, cattrs, at, return SCAN_FATAL);
        j = m + 1;
    }
}

static int scan(scanner *sc)
{
    const char *s = sc->s;
    size_t n = sc->n;
    int top = -1;
    size_t i = sc->src->bom <= n ? sc->src->bom : 0;
    while (i < n) {
        if (s[i] != '<') {
            if (top >= 0 && is_span_start(sc, i)) {
                i = span(sc, i);
                if (i == NPOS)
                    return SCAN_FATAL;
            } else {
                i++;
            }
            continue;
        }
        if (has_at(s, n, i, "<!--")) {
            size_t j = find(s, n, i + 4, "-->");
            if (j == NPOS)
                return SCAN_GIVE_UP;
            i = j + 3;
        } else if (has_at(s, n, i, "<![CDATA[")) {
            size_t j = find(s, n, i + 9, "]]>");
            if (j == NPOS)
                return SCAN_GIVE_UP;
            raw_span cd = { i + 9, j - (i + 9) };
            VEC_PUSH(sc->a, sc->rx->cdata, sc->rx->ncdata, sc->ccdata, cd, return SCAN_FATAL);
            i = j + 3;
        } else if (has_at(s, n, i, "<!DOCTYPE") || has_at(s, n, i, "<!doctype")) {
            diag_pos pos;
            pol_src_pos_orig(sc->src, pol_src_orig(sc->src, i), &pos);
            diag_add(sc->d, DIAG_ERROR, &pos,
                     "DOCTYPE declarations are not allowed in policy documents");
            return SCAN_FATAL;
        } else if (has_at(s, n, i, "<!") || has_at(s, n, i, "<?")) {
            size_t j = find(s, n, i + 2, s[i + 1] == '?' ? "?>" : ">");
            if (j == NPOS)
                return SCAN_GIVE_UP;
            i = j + (s[i + 1] == '?' ? 2 : 1);
        } else if (has_at(s, n, i, "</")) {
            size_t j = find(s, n, i + 2, ">");
            if (j == NPOS || top < 0)
                return SCAN_GIVE_UP;
            sc->rx->elems[top].content_end = i;
            sc->rx->elems[top].end = j + 1;
            top = sc->rx->elems[top].parent;
            i = j + 1;
        } else {
            size_t next;
            int rc = start_tag(sc, i, &next, &top);
            if (rc != SCAN_OK)
                return rc;
            i = next;
        }
    }
    return top < 0 ? SCAN_OK : SCAN_GIVE_UP;
}

int pol_raw_scan(arena *a, const pol_src *src, rawxml *out, diag_list *d)
{
    memset(out, 0, sizeof *out);
    out->text = src->sub;
    out->len = src->sub_len;
    out->pre = arena_strndup(a, src->sub, src->sub_len);
    if (!out->pre)
        return -1;
    scanner sc = { .a = a, .src = src, .s = src->sub, .n = src->sub_len, .rx = out, .d = d };
    int rc = scan(&sc);
    if (rc == SCAN_FATAL)
        return -1;
    out->complete = rc == SCAN_OK;
    /* link the tree */
    if (out->complete && out->nelems) {
        int *last = arena_calloc(a, out->nelems, sizeof *last);
        if (!last)
            return -1;
        for (size_t k = 0; k < out->nelems; k++)
            last[k] = -1;
        for (size_t k = 0; k < out->nelems; k++) {
            int p = out->elems[k].parent;
            if (p < 0)
                continue;
            if (last[p] < 0)
                out->elems[p].first_kid = (int)k;
            else
                out->elems[last[p]].next = (int)k;
            last[p] = (int)k;
        }
    }
    return 0;
}
