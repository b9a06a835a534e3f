/* Positions: every offset policy/ handles is in the text after named-value substitution;
 * this file (and only this file) maps such offsets back to file:line:col of the bytes the user
 * wrote, through the named-value segment map, the line table and, for values, the value's
 * offset map (an entity such as &quot; counts at its source width). */
#include <stdarg.h>

#include "impl.h"

int pol_src_lines(arena *a, pol_src *src)
{
    size_t n = 1;
    for (size_t i = 0; i < src->orig_len; i++) {
        if (src->orig[i] == '\n')
            n++;
    }
    src->lines = arena_calloc(a, n, sizeof *src->lines);
    if (!src->lines)
        return -1;
    src->nlines = 0;
    src->lines[src->nlines++] = 0;
    for (size_t i = 0; i < src->orig_len; i++) {
        if (src->orig[i] == '\n')
            src->lines[src->nlines++] = i + 1;
    }
    src->bom = src->orig_len >= 3 && !memcmp(src->orig, "\xEF\xBB\xBF", 3) ? 3 : 0;
    return 0;
}

size_t pol_src_orig(const pol_src *src, size_t off)
{
    if (!src->nsegs)
        return off < src->orig_len ? off : src->orig_len;
    size_t lo = 0, hi = src->nsegs;
    while (hi - lo > 1) { /* last segment with sub <= off */
        size_t mid = (lo + hi) / 2;
        if (src->segs[mid].sub <= off)
            lo = mid;
        else
            hi = mid;
    }
    const pol_seg *s = &src->segs[lo];
    if (off < s->sub)
        return s->orig;
    if (!s->copy)
        return s->orig;
    size_t o = s->orig + (off - s->sub);
    return o < src->orig_len ? o : src->orig_len;
}

void pol_src_pos_orig(const pol_src *src, size_t off, diag_pos *out)
{
    if (off > src->orig_len)
        off = src->orig_len;
    size_t lo = 0, hi = src->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (src->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    size_t ls = src->lines[lo];
    if (lo == 0 && src->bom && ls < src->bom)
        ls = src->bom <= src->orig_len ? src->bom : src->orig_len;
    if (off < ls)
        off = ls;
    size_t le = ls;
    while (le < src->orig_len && src->orig[le] != '\n')
        le++;
    if (le > ls && src->orig[le - 1] == '\r')
        le--;
    unsigned col = 1; /* characters, not bytes */
    for (size_t i = ls; i < off; i++) {
        if (((unsigned char)src->orig[i] & 0xC0) != 0x80)
            col++;
    }
    out->file = src->file;
    out->line = (unsigned)lo + 1;
    out->col = col;
    out->line_text = (str){ src->orig + ls, le - ls };
}

void pol_src_pos_line(const pol_src *src, unsigned line, unsigned col, diag_pos *out)
{
    /* line/col count in the substituted text: find that line's start there */
    size_t off = 0;
    unsigned l = 1;
    while (l < line && off < src->sub_len) {
        if (src->sub[off] == '\n')
            l++;
        off++;
    }
    /* libxml2 columns are 1-based and count bytes (roughly); stay on the line */
    for (unsigned c = 1; c < col && off < src->sub_len && src->sub[off] != '\n'; c++)
        off++;
    pol_src_pos_orig(src, pol_src_orig(src, off), out);
}

void pol_loc_pos(pol_loc loc, diag_pos *out)
{
    if (!loc.src) {
        *out = (diag_pos){ 0 };
        return;
    }
    pol_src_pos_orig(loc.src, pol_src_orig(loc.src, loc.off), out);
}

static size_t value_sub_off(const pol_value *v, size_t off)
{
    if (!v->nbrk)
        return v->loc.off + off;
    size_t lo = 0, hi = v->nbrk;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (v->brk[mid].val <= off)
            lo = mid;
        else
            hi = mid;
    }
    const pol_brk *b = &v->brk[lo];
    return off >= b->val ? b->sub + (off - b->val) : b->sub;
}

void pol_value_pos(const pol_value *v, size_t off, diag_pos *out)
{
    if (off > v->text.len)
        off = v->text.len;
    pol_loc_pos((pol_loc){ v->loc.src, value_sub_off(v, off) }, out);
}

struct value_map {
    const pol_value *v;
    size_t base;
};

static void value_map_fn(void *ud, size_t off, diag_pos *out)
{
    const struct value_map *m = ud;
    pol_value_pos(m->v, m->base + off, out);
}

diag_mapper *pol_value_mapper(arena *a, const pol_value *v, size_t base)
{
    struct value_map *m = arena_alloc(a, sizeof *m);
    diag_mapper *dm = arena_alloc(a, sizeof *dm);
    if (!m || !dm)
        return NULL;
    m->v = v;
    m->base = base;
    dm->map = value_map_fn;
    dm->ud = m;
    return dm;
}

void pol_diag(diag_list *d, diag_sev sev, pol_loc loc, const char *fmt, ...)
{
    diag_pos pos;
    pol_loc_pos(loc, &pos);
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, sev, loc.src ? &pos : NULL, fmt, ap);
    va_end(ap);
}
