#ifndef RUNTIME_BASE_DIAG_H
#define RUNTIME_BASE_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "str.h"

/* Load-time diagnostics in the GCC format editors jump to:
 *   file:line:col: error: message
 *       the source line
 *       ^
 * All diagnostics of a load are collected (up to DIAG_MAX kept; the rest only counted). */

typedef enum diag_sev { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_sev;

/* A position in a file the user wrote. line/col are 1-based; 0 = unknown.
 * line_text is the whole source line (without newline) for the caret display. */
typedef struct diag_pos {
    const char *file;
    unsigned line, col;
    str line_text;
} diag_pos;

/* Maps a byte offset inside some text (an expression source, a substituted document) back to
 * a position in the user's file. Used so that expr/ reports offsets and its caller owns the
 * mapping (segment maps of named values, &quot; widths, ...). */
typedef struct diag_mapper {
    void (*map)(void *ud, size_t off, diag_pos *out);
    void *ud;
} diag_mapper;

typedef struct diag {
    diag_sev sev;
    char *file; /* owned copies */
    unsigned line, col;
    char *msg;
    char *line_text; /* NULL when unknown */
} diag;

#define DIAG_MAX 50

typedef struct diag_list {
    diag *items; /* kept diagnostics, in report order */
    size_t n, alloc;
    size_t errors, warnings; /* all counted, including ones not kept */
} diag_list;

void diag_list_init(diag_list *d);
void diag_list_release(diag_list *d);
/* Records one diagnostic at an explicit position (pos may be NULL: no position). */
void diag_add(diag_list *d, diag_sev sev, const diag_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_vadd(diag_list *d, diag_sev sev, const diag_pos *pos, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
/* Records one diagnostic at offset off through a mapper (m may be NULL: no position). */
void diag_at(diag_list *d, const diag_mapper *m, size_t off, diag_sev sev, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Writes every kept diagnostic, then "... and N more" if some were dropped. */
void diag_print(const diag_list *d, FILE *out);
/* Prints one diagnostic (same format as diag_print). */
void diag_print_one(const diag *g, FILE *out);
static inline bool diag_has_errors(const diag_list *d)
{
    return d->errors > 0;
}
/* Computes line/col (1-based) of offset off in text[0..len) and the line's text; file as given. */
void diag_pos_in_text(const char *file, const char *text, size_t len, size_t off, diag_pos *out);
/* A mapper over one plain text buffer (used by `eval` and tests). */
typedef struct diag_text {
    const char *file;
    const char *text;
    size_t len;
} diag_text;
void diag_text_map(void *ud, size_t off, diag_pos *out);

#endif
