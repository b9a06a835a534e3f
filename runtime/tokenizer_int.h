#ifndef RUNTIME_TOKENIZER_INT_H
#define RUNTIME_TOKENIZER_INT_H

/* Internals shared by tokenizer.c (loading, regex) and tokenizer_bpe.c (merging). */

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/tokenizer.h"

#define TOK_NO_RANK     UINT32_MAX
#define TOK_MAX_TOKEN   255               /* longest token byte string we accept (upstream: 128) */
#define TOK_SMALL_PIECE 100               /* below: linear-scan merge; from here: heap merge */
#define TOK_MAX_PIECE   ((size_t)1 << 16) /* longer pieces are merged in chunks (approximate) */

typedef struct tok_span {
    uint32_t off; /* into rt_tokenizer.blob */
    uint32_t len; /* 0 = rank unused */
} tok_span;

typedef struct tok_special {
    const char *text;
    uint32_t len;
    uint32_t id;
} tok_special;

struct rt_tokenizer {
    rt_tok_encoding enc;
    uint8_t *blob;   /* every token's bytes, back to back */
    tok_span *spans; /* rank → bytes */
    uint32_t nranks;
    uint64_t *slots; /* open addressing: (hash high 32 bits << 32) | (rank + 1); 0 = empty */
    uint64_t mask;   /* number of slots - 1 */
    uint32_t maxlen; /* longest token */
    const tok_special *specials;
    size_t nspecials;
    pcre2_code *re;
    pcre2_match_context *mctx; /* match limits; read-only during matches */
};

/* Rank of the byte string p[0..n), or TOK_NO_RANK. */
uint32_t tok_rank(const rt_tokenizer *t, const uint8_t *p, size_t n);

/* Receives each token of the text (rank or special id) in order; the tokenizer only counts when
 * ids is NULL. */
typedef struct tok_sink {
    uint32_t *ids; /* NULL: only count */
    size_t cap;    /* capacity of ids */
    size_t n;      /* tokens so far (may exceed cap) */
    bool approx;   /* part of the text was estimated or chunked */
} tok_sink;

/* Byte-pair merges one piece p[0..n) (n ≥ 1) into the sink. */
void tok_bpe_piece(const rt_tokenizer *t, const uint8_t *p, size_t n, tok_sink *s);
/* Splits text[0..len) with the regex (no special tokens) and merges every piece into s. */
void tok_encode_ordinary(const rt_tokenizer *t, const uint8_t *text, size_t len, tok_sink *s);

#endif
