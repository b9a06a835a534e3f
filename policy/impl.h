#ifndef POLICY_IMPL_H
#define POLICY_IMPL_H

/* Internals shared by the files of policy/ (not included outside policy/). */

#include "policy.h"

/* A piece of the substituted text and where it came from in the original bytes. Copied
 * pieces map 1:1; a substituted named value maps every byte to its "{{" in the original. */
typedef struct pol_seg {
    size_t sub, orig; /* start offsets */
    size_t len;       /* length in the substituted text */
    bool copy;        /* true: copied bytes (1:1); false: a named value's text */
} pol_seg;

struct pol_src {
    const char *file;
    const char *orig; /* the bytes the user wrote */
    size_t orig_len;
    const char *sub; /* after named-value substitution; NUL-terminated */
    size_t sub_len;
    pol_seg *segs; /* ordered by sub, covering [0, sub_len) */
    size_t nsegs;
    size_t *lines; /* start offsets of the lines of orig */
    size_t nlines;
    size_t bom; /* 3 when orig starts with a UTF-8 byte order mark */
};

/* ---- loc.c ---- */
/* Builds the line table of src->orig. */
int pol_src_lines(arena *a, pol_src *src);
/* Original offset of substituted offset off. */
size_t pol_src_orig(const pol_src *src, size_t off);
/* Position of an original offset. */
void pol_src_pos_orig(const pol_src *src, size_t orig_off, diag_pos *out);
/* Position of line (1-based, of the substituted text) and byte column (1-based). */
void pol_src_pos_line(const pol_src *src, unsigned line, unsigned col, diag_pos *out);
/* Reports at a location. */
void pol_diag(diag_list *d, diag_sev sev, pol_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- nv.c ---- */
/* Substitutes {{named values}} of src->orig into src->sub, recording segments. Unresolved
 * names are left literal and reported once per name. *unres receives the substituted-text
 * ranges of unresolved references (pairs of offsets), for pol_value.unresolved. */
int pol_nv_substitute(arena *a, pol_src *src, const pol_env *env, diag_list *d, size_t **unres,
                      size_t *nunres);

/* ---- rawxml.c ---- */
typedef struct raw_attr {
    size_t name, name_len; /* name offset/length in the substituted text */
    size_t val, val_len;   /* value inside the quotes */
} raw_attr;

typedef struct raw_elem {
    size_t tag;      /* offset of '<' */
    size_t name_len; /* the name starts at tag + 1 */
    raw_attr *attrs;
    size_t nattrs;
    size_t content, content_end; /* inner content [content, content_end) */
    size_t end;                  /* offset after the end tag (or "/>") */
    int parent, first_kid, next; /* element indexes, -1 = none */
} raw_elem;

typedef struct raw_span {
    size_t off, len; /* an @(...)/@{...} span in an attribute value or text */
} raw_span;

typedef struct rawxml {
    const char *text; /* the substituted text */
    size_t len;
    char *pre;       /* same length, spans replaced by placeholders (for libxml2) */
    raw_elem *elems; /* in document order */
    size_t nelems;
    raw_span *spans; /* in document order */
    size_t nspans;
    raw_span *cdata; /* CDATA sections (content ranges) */
    size_t ncdata;
    bool complete; /* the scan reached the end (else libxml2 reports the problem) */
} rawxml;

/* Scans src->sub. Returns 0, or -1 after a fatal diagnostic (DOCTYPE, unclosed expression). */
int pol_raw_scan(arena *a, const pol_src *src, rawxml *out, diag_list *d);
/* End offset (exclusive) of the expression span starting at s[i] ('@' then '(' or '{'),
 * or (size_t)-1 when it does not close before n. */
size_t pol_raw_span_end(const char *s, size_t n, size_t i);

/* Classifies the bytes of an expression s[0..n) ("@(...)"/"@{...}"): mark[i] is 0 in code, 1 in
 * a string or character literal, 2 in a comment. */
void pol_raw_mark(const char *s, size_t n, unsigned char *mark);

/* ---- text.c ---- */
/* Decodes attribute value a of the raw text into v (entities, attribute-value normalization
 * outside expression spans, CR LF inside them). */
int pol_text_attr(arena *a, const pol_src *src, const rawxml *rx, const raw_attr *ra, pol_value *v);
/* Decodes the text content of element e (child elements, comments and PIs dropped, CDATA
 * kept). *nonblank: whether any non-white-space text was seen; *first: its offset. */
int pol_text_content(arena *a, const pol_src *src, const rawxml *rx, const raw_elem *e,
                     pol_value *v, bool *nonblank, size_t *first);

/* ---- attr.c ---- */
/* Checks a literal against a type; NULL when fine, else a message fragment (static). */
const char *pol_attr_check_literal(const pol_attr *at, str text);
/* Levenshtein distance, capped at cap+1. */
size_t pol_edit_distance(str a, str b, size_t cap);

#endif
