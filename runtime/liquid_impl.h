#ifndef RUNTIME_LIQUID_IMPL_H
#define RUNTIME_LIQUID_IMPL_H

/* Internal header of the runtime/liquid*.c files: the template tree, the render state, the
 * value type and the filter table. Other modules include liquid.h only. */

#include <stdarg.h>

#include "liquid.h"

/* ---- values ----
 * A run-time value: an owned JSON reference (NULL = nil) and a tag. Functions that return an
 * lv return a new reference; lv_drop releases one. */
enum lv_tag {
    LV_PLAIN, /* j as is */
    LV_DATE,  /* j is a string recognized as a date (parse_date) */
    LV_EMPTY, /* the `empty` literal (j NULL) */
    LV_BLANK, /* the `blank` literal (j NULL) */
};
typedef struct lv {
    json_t *j;
    int tag;
} lv;

static inline lv lv_nil(void)
{
    return (lv){ NULL, LV_PLAIN };
}
static inline lv lv_of(json_t *j) /* takes j's reference */
{
    return (lv){ j, LV_PLAIN };
}
static inline lv lv_borrow(json_t *j)
{
    return (lv){ json_incref(j), LV_PLAIN };
}
static inline void lv_drop(lv v)
{
    json_decref(v.j);
}
static inline bool lv_is_nil(lv v)
{
    return v.tag == LV_PLAIN && (v.j == NULL || json_is_null(v.j));
}

/* ---- expressions ---- */
typedef struct lq_expr lq_expr;
typedef struct lq_filter lq_filter;

typedef struct lq_seg {
    str name;       /* .name; name.ptr NULL when [index] */
    lq_expr *index; /* [expr] */
    size_t off;
} lq_seg;

typedef struct lq_call {
    const lq_filter *f; /* NULL: unknown filter (passes input through) */
    str name;
    lq_expr **args;
    size_t nargs;
    size_t off;
} lq_call;

enum lq_ekind { LQ_E_LIT, LQ_E_PATH, LQ_E_RANGE, LQ_E_FILTER, LQ_E_CMP, LQ_E_AND, LQ_E_OR };
enum lq_lit { LQ_NIL, LQ_TRUE, LQ_FALSE, LQ_INT, LQ_REAL, LQ_STR, LQ_EMPTY, LQ_BLANK };
enum lq_op { LQ_EQ, LQ_NE, LQ_LT, LQ_GT, LQ_LE, LQ_GE, LQ_CONTAINS, LQ_TRUTHY };

struct lq_expr {
    int kind; /* lq_ekind */
    size_t off;
    union {
        struct {
            int kind; /* lq_lit */
            int64_t i;
            double d;
            str s;
        } lit;
        struct {
            str root;
            lq_seg *segs;
            size_t nsegs;
        } path;
        struct {
            int op; /* lq_op for LQ_E_CMP */
            lq_expr *a, *b;
        } bin;
        struct {
            lq_expr *base;
            lq_call *calls;
            size_t ncalls;
        } filt;
    } u;
};

/* ---- template tree ---- */
typedef struct lq_node lq_node;
typedef struct lq_block {
    lq_node **items;
    size_t n;
} lq_block;

typedef struct lq_branch {
    lq_expr *cond;  /* if/elsif/unless condition; NULL for else */
    lq_expr **vals; /* case: the `when` values (nvals == 0 for else) */
    size_t nvals;
    lq_block body;
} lq_branch;

enum lq_nkind {
    LQ_N_TEXT,
    LQ_N_OUTPUT,
    LQ_N_IF,
    LQ_N_CASE,
    LQ_N_FOR,
    LQ_N_BREAK,
    LQ_N_CONTINUE,
    LQ_N_ASSIGN,
    LQ_N_CAPTURE,
    LQ_N_CYCLE,
    LQ_N_INCREMENT,
    LQ_N_DECREMENT,
};

struct lq_node {
    int kind; /* lq_nkind */
    size_t off;
    union {
        str text;
        lq_expr *e; /* output */
        struct {
            lq_expr *subject; /* case only */
            lq_branch *br;
            size_t nbr;
            bool unless; /* the first branch's condition is negated */
        } cond;
        struct {
            str var;
            lq_expr *coll, *limit, *offset;
            bool reversed;
            lq_block body, els;
        } loop;
        struct {
            str var;
            lq_expr *e;
            lq_block body; /* capture */
        } assign;
        struct {
            lq_expr *group; /* NULL: grouped by the values' text */
            lq_expr **vals;
            size_t n;
            str key; /* the cycle's identity (group text or the joined values) */
        } cycle;
    } u;
};

struct rt_liquid {
    lq_block root;
    str src;
};

/* ---- render state ---- */
typedef struct lq_state {
    const rt_liquid_data *data;
    size_t budget;
    size_t mem;                          /* bytes made so far (RT_LIQUID_MEM_BUDGET) */
    json_t *globals;                     /* assign/capture */
    json_t *counters;                    /* increment/decrement */
    json_t *cycles;                      /* cycle positions */
    json_t *scopes[RT_LIQUID_MAX_DEPTH]; /* for-loop scopes, innermost last */
    size_t nscopes;
    size_t out_cap;
    int interrupt; /* 0, LQ_BREAK or LQ_CONTINUE */
    bool fatal;    /* err aborts the render */
    char err[256];
} lq_state;

enum { LQ_BREAK = 1, LQ_CONTINUE = 2 };

/* Records a data error (rendered inline) or a fatal one; returns -1. */
int lq_error(lq_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int lq_fatal(lq_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Charges n steps; -1 (fatal) when the budget is gone. */
int lq_charge(lq_state *st, size_t n);
/* Accounts for n bytes made; -1 (fatal) past RT_LIQUID_MEM_BUDGET. */
int lq_account(lq_state *st, size_t n);
/* A new string value of p[0..n) (accounted); -1 on budget/alloc failure. */
int lq_mkstr(lq_state *st, const char *p, size_t n, lv *out);

/* Appends the text form of v (output rules of liquid.h) to b. -1 only when b's cap is hit. */
int lq_to_text(const lq_state *st, lv v, buf *b);
/* v as a string (scalars' text, arrays joined, nil ""): a new JSON string in *out. */
int lq_to_str(lq_state *st, lv v, lv *out);
/* Borrowed view of a string value (NULL for non-strings). */
const char *lq_strv(lv v, size_t *len);
/* Numeric view: 0 ok (*is_int tells which of *i / *d), 1 when v is not a number (strings
 * holding numbers are converted). */
int lq_num(lv v, int64_t *i, double *d, bool *is_int);
bool lq_truthy(lv v);
bool lq_equals(lv a, lv b);
/* -2 when not comparable. */
int lq_compare(lv a, lv b);
/* .NET double.ToString() text of d. */
void lq_fmt_double(double d, char out[40]);
/* UTF-16 length of s[0..n) and the byte offset of UTF-16 index idx (rounded down). */
size_t lq_u16_len(const char *s, size_t n);
size_t lq_u16_off(const char *s, size_t n, size_t idx);

/* ---- filters (liquid_filters.c) ---- */
typedef int (*lq_filter_fn)(lq_state *st, lv in, const lv *args, size_t nargs, lv *out);
struct lq_filter {
    const char *name;  /* PascalCase */
    const char *snake; /* snake_case */
    unsigned min, max; /* argument counts */
    lq_filter_fn fn;
};
/* Looks a filter up by any accepted spelling; NULL when unknown. */
const lq_filter *lq_filter_find(str name);

/* ---- dates (liquid_date.c) ---- */
typedef struct lq_date {
    int64_t ticks;   /* local wall-clock time in .NET ticks (100 ns since 0001-01-01) */
    int offset_min;  /* UTC offset of that wall clock */
    bool has_offset; /* a DateTimeOffset (else a DateTime) */
    int kind;        /* DateTime kind: 0 Unspecified, 1 Utc, 2 Local (the gateway's local time is
                        UTC) */
} lq_date;
/* Parses s like DateTimeOffset.TryParse (invariant culture) plus "/Date(ms)/": true when
 * s is a date. strict: only the forms Json.NET recognizes (ISO 8601 and "/Date(...)/"). */
bool lq_date_parse(const char *s, size_t n, bool strict, lq_date *out);
/* Unix seconds (or now_ms) to a UTC DateTimeOffset. */
void lq_date_from_unix_ms(int64_t ms, lq_date *out);
/* Appends d formatted with a .NET standard or custom format; -1 only at b's cap. */
int lq_date_format(const lq_date *d, const char *fmt, size_t fmtlen, buf *b);

/* ---- evaluation (liquid_eval.c) ---- */
int lq_eval(lq_state *st, const lq_expr *e, lv *out);

/* ---- compile (liquid_parse.c) uses the markup lexer of liquid_lex.c ---- */
enum lq_tok {
    LQ_T_END,
    LQ_T_IDENT,
    LQ_T_INT,
    LQ_T_REAL,
    LQ_T_STR,
    LQ_T_DOT,
    LQ_T_DOTDOT,
    LQ_T_LBRACK,
    LQ_T_RBRACK,
    LQ_T_LPAREN,
    LQ_T_RPAREN,
    LQ_T_PIPE,
    LQ_T_COLON,
    LQ_T_COMMA,
    LQ_T_CMP,
    LQ_T_ASSIGN,
    LQ_T_BAD,
};
typedef struct lq_token {
    int kind;
    size_t off; /* absolute offset in the template */
    str text;   /* for strings: the content without quotes */
    int op;     /* LQ_T_CMP: lq_op */
} lq_token;
typedef struct lq_tokens {
    lq_token *items;
    size_t n, cap;
} lq_tokens;

/* A piece of the template: text, {{ output }} or {% tag %}. */
enum lq_pkind { LQ_P_TEXT, LQ_P_OUTPUT, LQ_P_TAG };
typedef struct lq_piece {
    int kind;
    size_t start;        /* offset of the piece ('{' for output/tag) */
    size_t off, len;     /* text, or the markup inside the delimiters (without '-') */
    bool lstrip, rstrip; /* {%- / -%} */
    bool raw;            /* text of a raw block (never trimmed) */
} lq_piece;
typedef struct lq_pieces {
    lq_piece *items;
    size_t n, cap;
} lq_pieces;

/* Cuts s[0..len) into pieces and applies whitespace control. Returns -1 at the arena cap;
 * 0 otherwise, with *err_msg set (and *err_off) when a delimiter is not closed (the pieces
 * before it are kept). */
int lq_split(arena *a, const char *s, size_t len, lq_pieces *ps, size_t *err_off,
             const char **err_msg);
/* The tag name of a tag piece (its first identifier); *after = offset after it. */
str lq_tag_name(const char *s, const lq_piece *pc, size_t *after);
/* Tokenizes markup s[off..off+len) into ts (ending with LQ_T_END). -1 at the arena cap. */
int lq_lex(arena *a, const char *s, size_t off, size_t len, lq_tokens *ts);

#endif
