/* Attribute values and element text, decoded from the raw text as an XML parser would
 * (entity and character references, line-end and attribute-value normalization, CDATA kept,
 * comments dropped), except inside expression spans, where white space is kept as written so
 * that // comments and verbatim strings keep their line breaks. Every decoded value carries
 * an offset map back to the raw text (pol_brk). */
#include "impl.h"

#include "../runtime/base/buf.h"

#define NPOS ((size_t)-1)

typedef struct vbuild {
    arena *a;
    buf out;
    pol_brk *brk;
    size_t nbrk, cap;
    size_t next_sub; /* raw offset the next byte continues from, NPOS = force a breakpoint */
    int err;
} vbuild;

static void vb_put(vbuild *vb, size_t sub, const char *p, size_t len)
{
    if (vb->nbrk == 0 || sub != vb->next_sub) {
        if (vb->nbrk == vb->cap) {
            size_t nc = vb->cap ? vb->cap * 2 : 8;
            pol_brk *nb = arena_realloc(vb->a, vb->brk, vb->cap * sizeof *nb, nc * sizeof *nb);
            if (!nb) {
                vb->err = -1;
                return;
            }
            vb->brk = nb;
            vb->cap = nc;
        }
        vb->brk[vb->nbrk++] = (pol_brk){ vb->out.len, sub };
    }
    if (buf_append(&vb->out, p, len) < 0)
        vb->err = -1;
    vb->next_sub = sub + len;
}

static int vb_finish(vbuild *vb, pol_value *v)
{
    if (!vb->err) {
        char *t = arena_strndup(vb->a, vb->out.ptr ? vb->out.ptr : "", vb->out.len);
        if (!t)
            vb->err = -1;
        v->text = (str){ t, vb->out.len };
        v->brk = vb->brk;
        v->nbrk = vb->nbrk;
    }
    buf_release(&vb->out);
    return vb->err;
}

static size_t utf8_encode(unsigned long cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A reference at s[i] == '&': its length, with the decoded bytes in out/olen; 0 if none. */
static size_t entity(const char *s, size_t n, size_t i, char out[4], size_t *olen)
{
    static const struct {
        const char *name;
        char c;
    } pre[] = {
        { "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' }, { "quot;", '"' }, { "apos;", '\'' }
    };
    for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++) {
        size_t l = strlen(pre[k].name);
        if (i + 1 + l <= n && !memcmp(s + i + 1, pre[k].name, l)) {
            out[0] = pre[k].c;
            *olen = 1;
            return l + 1;
        }
    }
    if (i + 2 < n && s[i + 1] == '#') {
        size_t j = i + 2;
        bool hex = s[j] == 'x';
        if (hex)
            j++;
        unsigned long cp = 0;
        size_t digits = 0;
        for (; j < n && digits < 8; j++, digits++) {
            char c = s[j];
            int dv;
            if (c >= '0' && c <= '9')
                dv = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                dv = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                dv = c - 'A' + 10;
            else
                break;
            cp = cp * (hex ? 16 : 10) + (unsigned long)dv;
        }
        if (!digits || j >= n || s[j] != ';' || cp == 0 || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        *olen = utf8_encode(cp, out);
        return j + 1 - i;
    }
    return 0;
}

/* Index of the first span that ends after off. */
static size_t first_span(const rawxml *rx, size_t off)
{
    size_t lo = 0, hi = rx->nspans;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rx->spans[mid].off + rx->spans[mid].len <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Decodes one byte position; returns the next position. attr: attribute-value normalization
 * outside spans. */
static size_t decode_at(vbuild *vb, const char *s, size_t n, size_t i, bool in_span, bool attr)
{
    char c = s[i];
    if (c == '&') {
        char out[4];
        size_t ol = 0, el = entity(s, n, i, out, &ol);
        if (el) {
            vb_put(vb, i, out, ol);
            vb->next_sub = NPOS;
            return i + el;
        }
    }
    if (c == '\r') {
        size_t el = i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
        vb_put(vb, i, attr && !in_span ? " " : "\n", 1);
        vb->next_sub = NPOS;
        return i + el;
    }
    if (attr && !in_span && (c == '\n' || c == '\t')) {
        vb_put(vb, i, " ", 1);
        return i + 1;
    }
    vb_put(vb, i, &c, 1);
    return i + 1;
}

int pol_text_attr(arena *a, const pol_src *src, const rawxml *rx, const raw_attr *ra, pol_value *v)
{
    vbuild vb = { .a = a, .next_sub = NPOS };
    buf_init(&vb.out, 0);
    const char *s = rx->text;
    size_t end = ra->val + ra->val_len;
    size_t sp = first_span(rx, ra->val);
    for (size_t i = ra->val; i < end && !vb.err;) {
        while (sp < rx->nspans && rx->spans[sp].off + rx->spans[sp].len <= i)
            sp++;
        bool in_span = sp < rx->nspans && rx->spans[sp].off <= i;
        i = decode_at(&vb, s, end, i, in_span, true);
    }
    v->loc = (pol_loc){ src, ra->val };
    return vb_finish(&vb, v);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int pol_text_content(arena *a, const pol_src *src, const rawxml *rx, const raw_elem *e,
                     pol_value *v, bool *nonblank, size_t *first)
{
    vbuild vb = { .a = a, .next_sub = NPOS };
    buf_init(&vb.out, 0);
    const char *s = rx->text;
    size_t end = e->content_end;
    int kid = e->first_kid;
    size_t sp = first_span(rx, e->content);
    *nonblank = false;
    *first = e->content;
    for (size_t i = e->content; i < end && !vb.err;) {
        if (kid >= 0 && i == rx->elems[kid].tag) {
            i = rx->elems[kid].end;
            kid = rx->elems[kid].next;
            continue;
        }
        while (sp < rx->nspans && rx->spans[sp].off + rx->spans[sp].len <= i)
            sp++;
        if (sp < rx->nspans && rx->spans[sp].off == i) {
            size_t se = rx->spans[sp].off + rx->spans[sp].len;
            if (!*nonblank) {
                *nonblank = true;
                *first = i;
            }
            while (i < se && !vb.err)
                i = decode_at(&vb, s, se, i, true, false);
            continue;
        }
        if (s[i] == '<' && i + 4 <= end && !memcmp(s + i, "<!--", 4)) {
            const char *c = strstr(s + i + 4, "-->");
            i = c && (size_t)(c - s) + 3 <= end ? (size_t)(c - s) + 3 : end;
            vb.next_sub = NPOS;
            continue;
        }
        if (s[i] == '<' && i + 2 <= end && !memcmp(s + i, "<?", 2)) {
            const char *c = strstr(s + i + 2, "?>");
            i = c && (size_t)(c - s) + 2 <= end ? (size_t)(c - s) + 2 : end;
            vb.next_sub = NPOS;
            continue;
        }
        if (s[i] == '<' && i + 9 <= end && !memcmp(s + i, "<![CDATA[", 9)) {
            const char *c = strstr(s + i + 9, "]]>");
            size_t ce = c && (size_t)(c - s) <= end ? (size_t)(c - s) : end;
            for (size_t k = i + 9; k < ce && !vb.err;) {
                if (!*nonblank && !is_blank(s[k])) {
                    *nonblank = true;
                    *first = k;
                }
                if (s[k] == '\r') {
                    vb_put(&vb, k, "\n", 1);
                    vb.next_sub = NPOS;
                    k += k + 1 < ce && s[k + 1] == '\n' ? 2 : 1;
                } else {
                    vb_put(&vb, k, s + k, 1);
                    k++;
                }
            }
            i = ce + 3 <= end ? ce + 3 : end;
            vb.next_sub = NPOS;
            continue;
        }
        if (!*nonblank && !is_blank(s[i])) {
            *nonblank = true;
            *first = i;
        }
        i = decode_at(&vb, s, end, i, false, false);
    }
    v->loc = (pol_loc){ src, e->content };
    return vb_finish(&vb, v);
}
