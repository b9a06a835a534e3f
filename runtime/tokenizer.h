#ifndef RUNTIME_TOKENIZER_H
#define RUNTIME_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * tiktoken-compatible byte-pair encoding for OpenAI's o200k_base and cl100k_base
 * (spec/config-and-tokens.md Topic 2).
 *
 * The rank data is not shipped: rt_tokenizer_load_file() reads a standard `.tiktoken` file
 * (`<base64 token> <rank>` per line, e.g. gpt-tokenizer@4.0.0's data/o200k_base.tiktoken) and
 * refuses it unless its SHA-256 equals the upstream constant of that encoding. Text is split by
 * the encoding's exact tiktoken regex (PCRE2, UTF + UCP, JIT when available), then each piece
 * is merged by rank (a linear scan for pieces under 100 bytes, a heap above, as tiktoken >= 0.13).
 *
 * A loaded tokenizer is immutable: every function below may be called from several threads at
 * once (per-call scratch lives on the stack or in short-lived malloc'ed blocks).
 *
 * Known divergence: PCRE2 10.42 has Unicode 14 tables, so letters assigned in Unicode 15+ are not
 * \p{L} here (e.g. U+31350 followed by 's gives one token more than tiktoken). Ordinary text is
 * unaffected.
 *
 * Invalid UTF-8 never fails: bytes the regex cannot match (they are not characters) are
 * byte-pair merged as their own pieces, so a count is always produced.
 */

typedef enum rt_tok_encoding {
    RT_TOK_AUTO = 0, /* rt_tokenizer_load_*: pick the encoding whose SHA-256 matches */
    RT_TOK_CL100K,   /* cl100k_base: gpt-4, gpt-3.5-turbo / gpt-35-turbo, text-embedding-* */
    RT_TOK_O200K,    /* o200k_base: gpt-4o, gpt-4.1, gpt-5, o1, o3, o4-mini, ... */
    RT_TOK_NENC
} rt_tok_encoding;

typedef struct rt_tokenizer rt_tokenizer; /* opaque, immutable after load */

enum rt_tokenizer_flags {
    /* Recognise the encoding's special-token strings (`<|endoftext|>`, ...) and emit their ids,
     * like tiktoken's encode(allowed_special="all"). Without it (the default, used for every
     * prompt estimate) they are ordinary text, like tiktoken's encode_ordinary(). */
    RT_TOK_ALLOW_SPECIAL = 1 << 0,
};

/* Size caps that keep pathological input fast. Text beyond RT_TOK_MAX_INPUT bytes in one call is
 * not tokenized but estimated with rt_tokenizer_estimate() (the call reports it via *approx). */
#define RT_TOK_MAX_INPUT ((size_t)64 << 20)

/* "o200k_base" / "cl100k_base" → encoding; RT_TOK_AUTO for anything else. */
rt_tok_encoding rt_tokenizer_encoding_from_name(const char *name);
/* Encoding → "o200k_base" / "cl100k_base" ("auto" for RT_TOK_AUTO). Static string. */
const char *rt_tokenizer_encoding_name(rt_tok_encoding enc);
/* The upstream SHA-256 (64 lowercase hex digits, static) of the encoding's `.tiktoken` file. */
const char *rt_tokenizer_expected_sha256(rt_tok_encoding enc);

/* Reads and loads the `.tiktoken` file at path. With enc == RT_TOK_AUTO the encoding is the one
 * whose SHA-256 matches. Returns a tokenizer owned by the caller (rt_tokenizer_free), or NULL
 * with a one-line message in err[0..errlen) (unreadable file, SHA-256 mismatch, malformed line,
 * PCRE2 compile failure). */
rt_tokenizer *rt_tokenizer_load_file(rt_tok_encoding enc, const char *path, char *err,
                                     size_t errlen);
/* Same, from the file's bytes data[0..len) (copied as needed; data may be freed afterwards). */
rt_tokenizer *rt_tokenizer_load_mem(rt_tok_encoding enc, const void *data, size_t len, char *err,
                                    size_t errlen);
/* Frees t and everything it owns. NULL is accepted. */
void rt_tokenizer_free(rt_tokenizer *t);

/* The encoding of a loaded tokenizer. */
rt_tok_encoding rt_tokenizer_encoding(const rt_tokenizer *t);
/* Number of ordinary (BPE) ranks: 199998 for o200k_base, 100256 for cl100k_base. */
size_t rt_tokenizer_vocab_size(const rt_tokenizer *t);

/* Number of tokens of text[0..len) (any bytes; see flags). When approx is not NULL it is set to
 * true if part of the text was estimated instead of tokenized (input over RT_TOK_MAX_INPUT, or a
 * regex match limit hit), false otherwise. Never fails. */
size_t rt_tokenizer_count(const rt_tokenizer *t, const char *text, size_t len, unsigned flags,
                          bool *approx);

/* Encodes text[0..len) into ids like tiktoken. Writes at most cap ids to out (out may be NULL
 * when cap is 0) and returns the total number of tokens, so a return value > cap means the
 * output was truncated (call again with a larger buffer). Ignores RT_TOK_MAX_INPUT (the whole
 * text is encoded). */
size_t rt_tokenizer_encode(const rt_tokenizer *t, const char *text, size_t len, unsigned flags,
                           uint32_t *out, size_t cap);

/* Decodes ids[0..n) into bytes. Writes at most cap bytes to out and returns the total number of
 * bytes (like snprintf, no NUL is added), or SIZE_MAX when an id is neither a rank nor a special
 * token of the encoding. */
size_t rt_tokenizer_decode(const rt_tokenizer *t, const uint32_t *ids, size_t n, char *out,
                           size_t cap);

/* Counts tokens of the complete pre-tokenizer pieces at the start of text[0..len), leaving out
 * the last pieces that more text could still extend. Sets *consumed to the number of bytes
 * counted (the caller keeps text[*consumed..len) and appends to it). Used to count a long
 * streamed completion in bounded memory; counting the pieces of a text in several such steps
 * gives the same total as one rt_tokenizer_count() except in contrived cases. Special tokens are
 * ordinary text. */
size_t rt_tokenizer_count_prefix(const rt_tokenizer *t, const char *text, size_t len,
                                 size_t *consumed);

/*
 * The approximation used when no rank file is configured (or for text over the caps):
 * ASCII bytes count 1/4 token each (rounded up per run of ASCII), every non-ASCII code point
 * counts as one token (CJK ideographs are usually 1 token each in o200k and between 1 and 2 in
 * cl100k; accented Latin letters are over-counted), every invalid byte as one token. On
 * English prose and code this lands within about ±25% of the real count. Never fails.
 */
size_t rt_tokenizer_estimate(const char *text, size_t len);

#endif
