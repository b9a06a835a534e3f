/* Loading `.tiktoken` rank files (SHA-256 checked), the rank hash table, the pre-tokenizer
 * regex of each encoding, and the approximation used without a rank file. */
#include "runtime/tokenizer.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/xalloc.h"
#include "runtime/tokenizer_int.h"

/* tiktoken's pat_str of each encoding (openai_public.py at v0.9+). cl100k uses the possessive
 * form, which only limits backtracking; both forms give the same pieces. `\s` is spelled out as
 * Unicode White_Space (what tiktoken's Rust regex means by it): PCRE2's UCP `\s` also matches
 * U+180E, which is not White_Space since Unicode 6.3 and changes the pieces around it. */
#define WS                                                                                         \
    "\\t-\\r "                                                                                     \
    "\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"
static const char cl100k_pattern[] =
    "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+|"
    " ?[^" WS "\\p{L}\\p{N}]++[\\r\\n]*+|[" WS "]++$|[" WS "]*[\\r\\n]|[" WS "]+(?![^" WS "])|[" WS
    "]";
static const char o200k_pattern[] =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
    "\\p{N}{1,3}| ?[^" WS "\\p{L}\\p{N}]+[\\r\\n/]*|[" WS "]*[\\r\\n]+|[" WS "]+(?![^" WS "])|[" WS
    "]+";

#define SPECIAL(s, id)                                                                             \
    {                                                                                              \
        s, sizeof(s) - 1, id                                                                       \
    }
static const tok_special cl100k_specials[] = {
    SPECIAL("<|endoftext|>", 100257),   SPECIAL("<|fim_prefix|>", 100258),
    SPECIAL("<|fim_middle|>", 100259),  SPECIAL("<|fim_suffix|>", 100260),
    SPECIAL("<|endofprompt|>", 100276),
};
static const tok_special o200k_specials[] = {
    SPECIAL("<|endoftext|>", 199999),
    SPECIAL("<|endofprompt|>", 200018),
};

typedef struct enc_info {
    const char *name;
    const char *sha256;
    uint32_t nranks;
    const char *pattern;
    const tok_special *specials;
    size_t nspecials;
} enc_info;

static const enc_info encodings[RT_TOK_NENC] = {
    [RT_TOK_CL100K] = { "cl100k_base",
                        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7", 100256,
                        cl100k_pattern, cl100k_specials,
                        sizeof cl100k_specials / sizeof cl100k_specials[0] },
    [RT_TOK_O200K] = { "o200k_base",
                       "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d", 199998,
                       o200k_pattern, o200k_specials,
                       sizeof o200k_specials / sizeof o200k_specials[0] },
};

/* Match limit per piece search; the patterns never need more than a few steps per byte. */
#define TOK_MATCH_LIMIT 50000000u

rt_tok_encoding rt_tokenizer_encoding_from_name(const char *name)
{
    for (int e = RT_TOK_CL100K; e < RT_TOK_NENC; e++)
        if (name && strcmp(name, encodings[e].name) == 0)
            return (rt_tok_encoding)e;
    return RT_TOK_AUTO;
}

const char *rt_tokenizer_encoding_name(rt_tok_encoding enc)
{
    return enc > RT_TOK_AUTO && enc < RT_TOK_NENC ? encodings[enc].name : "auto";
}

const char *rt_tokenizer_expected_sha256(rt_tok_encoding enc)
{
    return enc > RT_TOK_AUTO && enc < RT_TOK_NENC ? encodings[enc].sha256 : "";
}

rt_tok_encoding rt_tokenizer_encoding(const rt_tokenizer *t)
{
    return t->enc;
}

size_t rt_tokenizer_vocab_size(const rt_tokenizer *t)
{
    return t->nranks;
}

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ v) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t v = 0;
    memcpy(&v, p, n);
    h = (h ^ v) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 32;
    return h;
}

uint32_t tok_rank(const rt_tokenizer *t, const uint8_t *p, size_t n)
{
    if (n == 0 || n > t->maxlen)
        return TOK_NO_RANK;
    uint64_t h = hash_bytes(p, n);
    uint64_t tag = h >> 32;
    for (uint64_t i = h & t->mask;; i = (i + 1) & t->mask) {
        uint64_t s = t->slots[i];
        if (s == 0)
            return TOK_NO_RANK;
        if ((s >> 32) != tag)
            continue;
        uint32_t r = (uint32_t)s - 1;
        const tok_span *sp = &t->spans[r];
        if (sp->len == n && memcmp(t->blob + sp->off, p, n) == 0)
            return r;
    }
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
        return -1;
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes padded base64 src[0..n) into out (room for 3*n/4 bytes). Returns the byte count or
 * -1 when malformed. */
static long b64_decode(const char *src, size_t n, uint8_t *out)
{
    if (n == 0 || n % 4 != 0)
        return -1;
    long o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)src[i + k];
            if (c == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = b64_value(c)) < 0) {
                return -1;
            }
        }
        uint32_t w =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[o++] = (uint8_t)(w >> 16);
        if (pad < 2)
            out[o++] = (uint8_t)(w >> 8);
        if (pad < 1)
            out[o++] = (uint8_t)w;
    }
    return o;
}

static void table_insert(rt_tokenizer *t, uint32_t rank)
{
    const tok_span *sp = &t->spans[rank];
    uint64_t h = hash_bytes(t->blob + sp->off, sp->len);
    uint64_t i = h & t->mask;
    while (t->slots[i] != 0)
        i = (i + 1) & t->mask;
    t->slots[i] = (h >> 32) << 32 | ((uint64_t)rank + 1);
}

/* Parses the verified file: `<base64> <rank>\n` lines, ranks 0..nranks-1 each exactly once. */
static int parse_ranks(rt_tokenizer *t, const char *data, size_t len, char *err, size_t errlen)
{
    t->spans = xcalloc(t->nranks, sizeof *t->spans);
    t->blob = xmalloc(len); /* decoded tokens are shorter than their base64 lines */
    size_t blob_len = 0;
    size_t line_no = 0;
    uint32_t seen = 0;
    for (size_t pos = 0; pos < len;) {
        const char *line = data + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - line) : len - pos;
        pos += ll + (nl ? 1 : 0);
        line_no++;
        if (ll == 0)
            continue;
        const char *sp = memchr(line, ' ', ll);
        if (!sp || (size_t)(sp - line) > 4 * ((TOK_MAX_TOKEN + 2) / 3)) {
            set_err(err, errlen, "line %zu: expected '<base64> <rank>'", line_no);
            return -1;
        }
        long n = b64_decode(line, (size_t)(sp - line), t->blob + blob_len);
        unsigned long rank = 0;
        const char *d = sp + 1;
        const char *end = line + ll;
        if (d == end)
            n = -1;
        for (; d < end && n > 0; d++) {
            if (*d < '0' || *d > '9' || rank > UINT32_MAX / 10)
                n = -1;
            else
                rank = rank * 10 + (unsigned long)(*d - '0');
        }
        if (n <= 0 || rank >= t->nranks || t->spans[rank].len != 0) {
            set_err(err, errlen, "line %zu: bad token or rank", line_no);
            return -1;
        }
        t->spans[rank] = (tok_span){ (uint32_t)blob_len, (uint32_t)n };
        blob_len += (size_t)n;
        if ((uint32_t)n > t->maxlen)
            t->maxlen = (uint32_t)n;
        seen++;
    }
    if (seen != t->nranks) {
        set_err(err, errlen, "expected %u ranks, found %u", t->nranks, seen);
        return -1;
    }
    uint64_t nslots = 1;
    while (nslots < 2 * (uint64_t)t->nranks)
        nslots <<= 1;
    t->slots = xcalloc(nslots, sizeof *t->slots);
    t->mask = nslots - 1;
    for (uint32_t r = 0; r < t->nranks; r++)
        table_insert(t, r);
    return 0;
}

static int compile_regex(rt_tokenizer *t, const char *pattern, char *err, size_t errlen)
{
    int ec;
    PCRE2_SIZE eo;
    t->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY,
                          &ec, &eo, NULL);
    if (!t->re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof msg);
        set_err(err, errlen, "pre-tokenizer pattern: %s at %zu", (const char *)msg, (size_t)eo);
        return -1;
    }
    /* JIT is optional: without it (unsupported CPU) the interpreter gives the same pieces. */
    (void)pcre2_jit_compile(t->re, PCRE2_JIT_COMPLETE);
    t->mctx = pcre2_match_context_create(NULL);
    if (!t->mctx) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    pcre2_set_match_limit(t->mctx, TOK_MATCH_LIMIT);
    pcre2_set_depth_limit(t->mctx, 100000);
    pcre2_set_heap_limit(t->mctx, 64 * 1024); /* KiB, interpreter only */
    return 0;
}

rt_tokenizer *rt_tokenizer_load_mem(rt_tok_encoding enc, const void *data, size_t len, char *err,
                                    size_t errlen)
{
    if (enc < RT_TOK_AUTO || enc >= RT_TOK_NENC) {
        set_err(err, errlen, "unknown encoding");
        return NULL;
    }
    char hex[65];
    if (sha256_hex(data, len, hex) < 0) {
        set_err(err, errlen, "SHA-256 unavailable");
        return NULL;
    }
    if (enc == RT_TOK_AUTO) {
        for (int e = RT_TOK_CL100K; e < RT_TOK_NENC; e++)
            if (strcmp(hex, encodings[e].sha256) == 0)
                enc = (rt_tok_encoding)e;
        if (enc == RT_TOK_AUTO) {
            set_err(err, errlen,
                    "SHA-256 %s is neither o200k_base's nor cl100k_base's: refusing the file", hex);
            return NULL;
        }
    } else if (strcmp(hex, encodings[enc].sha256) != 0) {
        set_err(err, errlen, "SHA-256 mismatch for %s: got %s, expected %s: refusing the file",
                encodings[enc].name, hex, encodings[enc].sha256);
        return NULL;
    }
    const enc_info *info = &encodings[enc];
    rt_tokenizer *t = xcalloc(1, sizeof *t);
    t->enc = enc;
    t->nranks = info->nranks;
    t->specials = info->specials;
    t->nspecials = info->nspecials;
    if (parse_ranks(t, data, len, err, errlen) < 0 ||
        compile_regex(t, info->pattern, err, errlen) < 0) {
        rt_tokenizer_free(t);
        return NULL;
    }
    return t;
}

rt_tokenizer *rt_tokenizer_load_file(rt_tok_encoding enc, const char *path, char *err,
                                     size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    rt_tokenizer *t = NULL;
    char *data = NULL;
    long sz = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        sz = ftell(f);
    if (sz < 0 || sz > (64L << 20) || fseek(f, 0, SEEK_SET) != 0) {
        set_err(err, errlen, "%s: not a regular file of at most 64 MiB", path);
        goto out;
    }
    data = xmalloc((size_t)sz + 1);
    if (fread(data, 1, (size_t)sz, f) != (size_t)sz) {
        set_err(err, errlen, "%s: read error", path);
        goto out;
    }
    t = rt_tokenizer_load_mem(enc, data, (size_t)sz, err, errlen);
    if (!t && err && errlen > 0) {
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s: %s", path, err);
        snprintf(err, errlen, "%s", tmp);
    }
out:
    free(data);
    fclose(f);
    return t;
}

void rt_tokenizer_free(rt_tokenizer *t)
{
    if (!t)
        return;
    pcre2_match_context_free(t->mctx);
    pcre2_code_free(t->re);
    free(t->slots);
    free(t->spans);
    free(t->blob);
    free(t);
}

/* Length of the UTF-8 sequence starting at p[0..n), or 0 when it is invalid. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    size_t k;
    uint32_t min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        k = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        k = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        k = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < k)
        return 0;
    uint32_t cp = c & (0x3f >> (k - 1));
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return k;
}

size_t rt_tokenizer_estimate(const char *text, size_t len)
{
    const uint8_t *p = (const uint8_t *)text;
    size_t tokens = 0;
    size_t ascii = 0;
    for (size_t i = 0; i < len;) {
        if (p[i] < 0x80) {
            ascii++;
            i++;
            continue;
        }
        tokens += (ascii + 3) / 4;
        ascii = 0;
        size_t k = utf8_len(p + i, len - i);
        tokens++;
        i += k ? k : 1;
    }
    return tokens + (ascii + 3) / 4;
}
