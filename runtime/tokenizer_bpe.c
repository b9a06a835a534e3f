/* Byte-pair merging, pre-tokenization, and the public count/encode/decode entry points. */
#include <stdlib.h>
#include <string.h>

#include "runtime/base/xalloc.h"
#include "runtime/tokenizer.h"
#include "runtime/tokenizer_int.h"

static void sink_put(tok_sink *s, uint32_t id)
{
    if (s->ids && s->n < s->cap)
        s->ids[s->n] = id;
    s->n++;
}

/* Emits the tokens of p[0..n), whose parts run from i to next[i]. */
static void emit_parts(const rt_tokenizer *t, const uint8_t *p, const uint32_t *next, size_t n,
                       tok_sink *s)
{
    for (size_t i = 0; i < n; i = next[i]) {
        if (s->ids)
            sink_put(s, tok_rank(t, p + i, next[i] - i));
        else
            s->n++;
    }
}

/*
 * tiktoken's _byte_pair_merge for short pieces: parts are kept in an array of (start, rank of
 * merging this part with the next); each round merges the leftmost lowest-ranked pair.
 */
static void merge_small(const rt_tokenizer *t, const uint8_t *p, size_t n, tok_sink *s)
{
    uint32_t start[TOK_SMALL_PIECE + 2];
    uint32_t rank[TOK_SMALL_PIECE + 2];
    size_t m = n + 1; /* parts, including the end sentinel */
    for (size_t i = 0; i + 1 < n; i++) {
        start[i] = (uint32_t)i;
        rank[i] = tok_rank(t, p + i, 2);
    }
    start[n - 1] = (uint32_t)(n - 1);
    rank[n - 1] = TOK_NO_RANK;
    start[n] = (uint32_t)n;
    rank[n] = TOK_NO_RANK;
    for (;;) {
        uint32_t best = TOK_NO_RANK;
        size_t bi = 0;
        for (size_t i = 0; i + 1 < m; i++) {
            if (rank[i] < best) {
                best = rank[i];
                bi = i;
            }
        }
        if (best == TOK_NO_RANK)
            break;
        /* Merge part bi with bi + 1: the new pair ranks span up to the part after next. */
        rank[bi] = bi + 3 < m ? tok_rank(t, p + start[bi], start[bi + 3] - start[bi]) : TOK_NO_RANK;
        if (bi > 0)
            rank[bi - 1] = bi + 2 < m
                               ? tok_rank(t, p + start[bi - 1], start[bi + 2] - start[bi - 1])
                               : TOK_NO_RANK;
        memmove(start + bi + 1, start + bi + 2, (m - bi - 2) * sizeof *start);
        memmove(rank + bi + 1, rank + bi + 2, (m - bi - 2) * sizeof *rank);
        m--;
    }
    for (size_t i = 0; i + 1 < m; i++) {
        if (s->ids)
            sink_put(s, tok_rank(t, p + start[i], start[i + 1] - start[i]));
        else
            s->n++;
    }
}

/* Min-heap of (rank << 32 | start): lowest rank first, then leftmost, as the linear scan. */
typedef struct merge_heap {
    uint64_t *v;
    size_t n;
} merge_heap;

static void heap_push(merge_heap *h, uint64_t key)
{
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->v[parent] <= key)
            break;
        h->v[i] = h->v[parent];
        i = parent;
    }
    h->v[i] = key;
}

static uint64_t heap_pop(merge_heap *h)
{
    uint64_t top = h->v[0];
    uint64_t last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->v[c + 1] < h->v[c])
            c++;
        if (last <= h->v[c])
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n > 0)
        h->v[i] = last;
    return top;
}

/*
 * The same merge for long pieces in O(n log n) (tiktoken's _byte_pair_merge_large): parts form a
 * linked list indexed by start byte; pair[i] is the rank of merging part i with its successor;
 * heap entries whose rank no longer equals pair[start] are stale and skipped. A rank names one
 * byte string, so an equal rank at the same start is the same merge.
 */
static void merge_large(const rt_tokenizer *t, const uint8_t *p, size_t n, tok_sink *s)
{
    uint32_t *next = xmalloc(n * sizeof *next);
    uint32_t *prev = xmalloc(n * sizeof *prev);
    uint32_t *pair = xmalloc(n * sizeof *pair);
    merge_heap h = { xmalloc(3 * n * sizeof *h.v), 0 };
    for (size_t i = 0; i < n; i++) {
        next[i] = (uint32_t)(i + 1);
        prev[i] = i ? (uint32_t)(i - 1) : UINT32_MAX;
        pair[i] = i + 1 < n ? tok_rank(t, p + i, 2) : TOK_NO_RANK;
        if (pair[i] != TOK_NO_RANK)
            heap_push(&h, (uint64_t)pair[i] << 32 | i);
    }
    while (h.n > 0) {
        uint64_t top = heap_pop(&h);
        uint32_t i = (uint32_t)top;
        uint32_t r = (uint32_t)(top >> 32);
        if (pair[i] != r)
            continue; /* stale, or part i was absorbed (its pair was reset) */
        uint32_t j = next[i];
        uint32_t k = next[j]; /* end of the merged part */
        next[i] = k;
        if (k < n)
            prev[k] = i;
        pair[j] = TOK_NO_RANK;
        pair[i] = k < n ? tok_rank(t, p + i, next[k] - i) : TOK_NO_RANK;
        if (pair[i] != TOK_NO_RANK)
            heap_push(&h, (uint64_t)pair[i] << 32 | i);
        if (prev[i] != UINT32_MAX) {
            uint32_t q = prev[i];
            pair[q] = tok_rank(t, p + q, k - q);
            if (pair[q] != TOK_NO_RANK)
                heap_push(&h, (uint64_t)pair[q] << 32 | q);
        }
    }
    emit_parts(t, p, next, n, s);
    free(h.v);
    free(pair);
    free(prev);
    free(next);
}

/* Largest cut ≤ at that does not split a UTF-8 sequence (at most 3 steps back). */
static size_t utf8_cut(const uint8_t *p, size_t at)
{
    size_t c = at;
    while (c > at - 3 && (p[c] & 0xc0) == 0x80)
        c--;
    return c > 0 ? c : at;
}

void tok_bpe_piece(const rt_tokenizer *t, const uint8_t *p, size_t n, tok_sink *s)
{
    if (n > TOK_MAX_PIECE) {
        /* Pathological run (e.g. a megabyte of one letter): merge it in chunks. Token
         * boundaries may shift near each cut, so the result is flagged approximate. */
        s->approx = true;
        const uint8_t *prev = NULL;
        size_t prev_len = 0, prev_from = 0, prev_to = 0;
        while (n > TOK_MAX_PIECE) {
            size_t c = utf8_cut(p, TOK_MAX_PIECE);
            if (prev && c == prev_len && memcmp(p, prev, c) == 0) {
                /* Such runs are usually one repeated character: reuse the previous chunk's
                 * tokens instead of merging the same bytes again. */
                for (size_t i = prev_from; i < prev_to; i++)
                    sink_put(s, s->ids && i < s->cap ? s->ids[i] : 0);
            } else {
                prev_from = s->n;
                tok_bpe_piece(t, p, c, s);
                prev_to = s->n;
                prev = p;
                prev_len = c;
            }
            p += c;
            n -= c;
        }
    }
    if (n == 0)
        return;
    uint32_t whole = tok_rank(t, p, n);
    if (whole != TOK_NO_RANK) {
        sink_put(s, whole);
        return;
    }
    if (n < TOK_SMALL_PIECE)
        merge_small(t, p, n, s);
    else
        merge_large(t, p, n, s);
}

/* Splits text[0..len) into regex pieces and hands each one (and any run of bytes the regex
 * skipped, which can only be invalid UTF-8) to fn. Returns false when the match limit was hit;
 * then *stop is where splitting stopped. */
typedef void (*piece_fn)(void *ud, const uint8_t *p, size_t n);

static bool split_pieces(const rt_tokenizer *t, const uint8_t *text, size_t len, piece_fn fn,
                         void *ud, size_t *stop)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (!md)
        abort();
    size_t off = 0;
    bool ok = true;
    while (off < len) {
        int rc = pcre2_match(t->re, text, len, off, 0, md, t->mctx);
        if (rc == PCRE2_ERROR_NOMATCH) {
            fn(ud, text + off, len - off);
            off = len;
            break;
        }
        if (rc < 0) {
            ok = false;
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t st = ov[0];
        size_t en = ov[1];
        if (st > off)
            fn(ud, text + off, st - off);
        if (en <= st)
            en = st + 1; /* cannot happen: every alternative consumes a character */
        fn(ud, text + st, en - st);
        off = en;
    }
    pcre2_match_data_free(md);
    *stop = off;
    return ok;
}

typedef struct piece_ctx {
    const rt_tokenizer *t;
    tok_sink *s;
} piece_ctx;

static void piece_to_sink(void *ud, const uint8_t *p, size_t n)
{
    piece_ctx *c = ud;
    tok_bpe_piece(c->t, p, n, c->s);
}

void tok_encode_ordinary(const rt_tokenizer *t, const uint8_t *text, size_t len, tok_sink *s)
{
    piece_ctx c = { t, s };
    size_t stop;
    if (!split_pieces(t, text, len, piece_to_sink, &c, &stop)) {
        s->approx = true;
        s->n += rt_tokenizer_estimate((const char *)text + stop, len - stop);
    }
}

/* Earliest special token in p[0..n): returns its offset (n if none) and sets *sp. */
static size_t find_special(const rt_tokenizer *t, const uint8_t *p, size_t n,
                           const tok_special **sp)
{
    for (size_t i = 0; i + 1 < n; i++) {
        const uint8_t *lt = memchr(p + i, '<', n - i - 1);
        if (!lt)
            break;
        i = (size_t)(lt - p);
        if (p[i + 1] != '|')
            continue;
        for (size_t k = 0; k < t->nspecials; k++) {
            const tok_special *x = &t->specials[k];
            if (x->len <= n - i && memcmp(p + i, x->text, x->len) == 0) {
                *sp = x;
                return i;
            }
        }
    }
    return n;
}

static void encode_into(const rt_tokenizer *t, const uint8_t *p, size_t len, unsigned flags,
                        tok_sink *s)
{
    if (!(flags & RT_TOK_ALLOW_SPECIAL)) {
        tok_encode_ordinary(t, p, len, s);
        return;
    }
    while (len > 0) {
        const tok_special *sp = NULL;
        size_t at = find_special(t, p, len, &sp);
        tok_encode_ordinary(t, p, at, s);
        if (!sp)
            break;
        sink_put(s, sp->id);
        p += at + sp->len;
        len -= at + sp->len;
    }
}

size_t rt_tokenizer_count(const rt_tokenizer *t, const char *text, size_t len, unsigned flags,
                          bool *approx)
{
    tok_sink s = { 0 };
    const uint8_t *p = (const uint8_t *)text;
    size_t head = len;
    if (len > RT_TOK_MAX_INPUT) {
        head = utf8_cut(p, RT_TOK_MAX_INPUT);
        s.approx = true;
        s.n += rt_tokenizer_estimate(text + head, len - head);
    }
    if (head > 0)
        encode_into(t, p, head, flags, &s);
    if (approx)
        *approx = s.approx;
    return s.n;
}

size_t rt_tokenizer_encode(const rt_tokenizer *t, const char *text, size_t len, unsigned flags,
                           uint32_t *out, size_t cap)
{
    uint32_t dummy;
    tok_sink s = { out ? out : &dummy, out ? cap : 0, 0, false };
    if (len > 0)
        encode_into(t, (const uint8_t *)text, len, flags, &s);
    return s.n;
}

size_t rt_tokenizer_decode(const rt_tokenizer *t, const uint32_t *ids, size_t n, char *out,
                           size_t cap)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *b = NULL;
        size_t bl = 0;
        if (ids[i] < t->nranks && t->spans[ids[i]].len > 0) {
            b = t->blob + t->spans[ids[i]].off;
            bl = t->spans[ids[i]].len;
        } else {
            for (size_t k = 0; k < t->nspecials && !b; k++) {
                if (t->specials[k].id == ids[i]) {
                    b = (const uint8_t *)t->specials[k].text;
                    bl = t->specials[k].len;
                }
            }
            if (!b)
                return SIZE_MAX;
        }
        if (total < cap)
            memcpy(out + total, b, bl < cap - total ? bl : cap - total);
        total += bl;
    }
    return total;
}

/* count_prefix keeps the counts of the last pieces seen, since more text may extend them. */
#define PREFIX_KEEP 2

typedef struct prefix_ctx {
    const rt_tokenizer *t;
    const uint8_t *base;
    size_t total;
    size_t cnt[PREFIX_KEEP];   /* tokens of the last pieces, oldest first */
    size_t start[PREFIX_KEEP]; /* their offsets */
    size_t seen;
} prefix_ctx;

static void piece_to_prefix(void *ud, const uint8_t *p, size_t n)
{
    prefix_ctx *c = ud;
    tok_sink s = { 0 };
    tok_bpe_piece(c->t, p, n, &s);
    c->total += s.n;
    memmove(c->cnt, c->cnt + 1, (PREFIX_KEEP - 1) * sizeof c->cnt[0]);
    memmove(c->start, c->start + 1, (PREFIX_KEEP - 1) * sizeof c->start[0]);
    c->cnt[PREFIX_KEEP - 1] = s.n;
    c->start[PREFIX_KEEP - 1] = (size_t)(p - c->base);
    c->seen++;
}

size_t rt_tokenizer_count_prefix(const rt_tokenizer *t, const char *text, size_t len,
                                 size_t *consumed)
{
    prefix_ctx c = { .t = t, .base = (const uint8_t *)text };
    size_t stop;
    *consumed = 0;
    if (!split_pieces(t, c.base, len, piece_to_prefix, &c, &stop)) {
        /* Match limit: count what was split, estimate nothing, keep the rest. */
        *consumed = stop;
        return c.total;
    }
    if (c.seen <= PREFIX_KEEP)
        return 0;
    size_t kept = 0;
    for (int i = 0; i < PREFIX_KEEP; i++)
        kept += c.cnt[i];
    *consumed = c.start[0];
    return c.total - kept;
}
