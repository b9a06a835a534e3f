#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char *const sev_names[] = { "error", "warning", "note" };

void diag_list_init(diag_list *d)
{
    memset(d, 0, sizeof *d);
}

void diag_list_release(diag_list *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].msg);
        free(d->items[i].line_text);
    }
    free(d->items);
    diag_list_init(d);
}

void diag_vadd(diag_list *d, diag_sev sev, const diag_pos *pos, const char *fmt, va_list ap)
{
    if (sev == DIAG_ERROR)
        d->errors++;
    else if (sev == DIAG_WARNING)
        d->warnings++;
    if (d->n >= DIAG_MAX)
        return;
    if (d->n == d->alloc) {
        d->alloc = d->alloc ? d->alloc * 2 : 8;
        d->items = xrealloc(d->items, d->alloc * sizeof *d->items);
    }
    diag *g = &d->items[d->n++];
    memset(g, 0, sizeof *g);
    g->sev = sev;
    if (pos) {
        g->file = pos->file ? xstrdup(pos->file) : NULL;
        g->line = pos->line;
        g->col = pos->col;
        if (pos->line_text.ptr)
            g->line_text = xstrndup(pos->line_text.ptr, pos->line_text.len);
    }
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    g->msg = xmalloc(n > 0 ? (size_t)n + 1 : 1);
    vsnprintf(g->msg, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
}

void diag_add(diag_list *d, diag_sev sev, const diag_pos *pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, sev, pos, fmt, ap);
    va_end(ap);
}

void diag_at(diag_list *d, const diag_mapper *m, size_t off, diag_sev sev, const char *fmt, ...)
{
    diag_pos pos = { 0 };
    if (m && m->map)
        m->map(m->ud, off, &pos);
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, sev, m ? &pos : NULL, fmt, ap);
    va_end(ap);
}

void diag_print_one(const diag *g, FILE *out)
{
    if (g->file && g->line)
        fprintf(out, "%s:%u:%u: ", g->file, g->line, g->col ? g->col : 1);
    else if (g->file)
        fprintf(out, "%s: ", g->file);
    fprintf(out, "%s: %s\n", sev_names[g->sev], g->msg);
    if (g->line_text && g->line) {
        /* tabs are kept so the caret lines up under the same indentation */
        fprintf(out, "    %s\n    ", g->line_text);
        unsigned col = g->col ? g->col : 1;
        for (unsigned i = 1; i < col && g->line_text[i - 1]; i++)
            fputc(g->line_text[i - 1] == '\t' ? '\t' : ' ', out);
        fputs("^\n", out);
    }
}

void diag_print(const diag_list *d, FILE *out)
{
    for (size_t i = 0; i < d->n; i++)
        diag_print_one(&d->items[i], out);
    size_t total = d->errors + d->warnings;
    if (total > d->n)
        fprintf(out, "... and %zu more diagnostics\n", total - d->n);
}

void diag_pos_in_text(const char *file, const char *text, size_t len, size_t off, diag_pos *out)
{
    if (off > len)
        off = len;
    unsigned line = 1;
    size_t ls = 0;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            line++;
            ls = i + 1;
        }
    }
    size_t le = ls;
    while (le < len && text[le] != '\n')
        le++;
    if (le > ls && text[le - 1] == '\r')
        le--;
    out->file = file;
    out->line = line;
    /* columns count characters, not bytes: skip UTF-8 continuation bytes */
    unsigned col = 1;
    for (size_t i = ls; i < off; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            col++;
    }
    out->col = col;
    out->line_text = (str){ text + ls, le - ls };
}

void diag_text_map(void *ud, size_t off, diag_pos *out)
{
    const diag_text *t = ud;
    diag_pos_in_text(t->file, t->text, t->len, off, out);
}
