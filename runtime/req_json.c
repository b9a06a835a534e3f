/* JSON bodies on the request path (req.h): rt_req_json parses a body once per request, and
 * rt_req_peek reads the few members the gateway itself needs (stream, model, usage) with a
 * validating scanner instead of a tree. The scanner is stricter than jansson: whatever it is
 * not sure about (escapes in the members it reads, long numbers, deep nesting, a duplicate of
 * a member it reads, usage under "response") is answered from rt_req_json's tree, so both
 * always agree with jansson's json_loadb(flags 0). */
#include <string.h>

#include "req.h"
#include "tokens.h"

/* ---- parsed bodies (rt_req_json) ---- */

#define JSON_MEMO_SLOTS 4

typedef struct memo_slot {
    const char *ptr; /* the bytes: the same (ptr, len) are the same bytes while r lives (req.h) */
    size_t len;
    json_t *j;   /* rt_req_json: NULL when not JSON or not parsed yet */
    bool parsed; /* j is the parse of the bytes */
    bool peeked; /* peek is set */
    rt_body_peek peek;
    bool sse_done; /* sse / sse_rc are the usage of the bytes as an SSE stream for sse_enc */
    rt_tok_encoding sse_enc;
    const rt_tokens_set *sse_set;
    int sse_rc;
    rt_tokens_usage sse;
} memo_slot;

typedef struct rt_json_memo {
    memo_slot slot[JSON_MEMO_SLOTS];
    size_t n, next; /* slots used; the one replaced next when all are used */
} rt_json_memo;

static void json_memo_decref(void *j)
{
    json_decref(j);
}

/* The slot of bytes (a fresh one when they were not seen); NULL at the arena cap. */
static memo_slot *memo_of(rt_req *r, str bytes)
{
    rt_json_memo *m = r->json_memo;
    if (!m) {
        m = r->json_memo = arena_calloc(&r->arena, 1, sizeof *m);
        if (!m)
            return NULL;
    }
    for (size_t i = 0; i < m->n; i++) {
        memo_slot *s = &m->slot[i];
        if (s->ptr == bytes.ptr && s->len == bytes.len)
            return s;
    }
    size_t k = m->n < JSON_MEMO_SLOTS ? m->n++ : m->next++ % JSON_MEMO_SLOTS;
    m->slot[k] = (memo_slot){ .ptr = bytes.ptr, .len = bytes.len };
    return &m->slot[k];
}

const json_t *rt_req_json(rt_req *r, str bytes)
{
    if (!bytes.len)
        return NULL;
    memo_slot *s = memo_of(r, bytes);
    if (!s)
        return NULL;
    if (!s->parsed) {
        json_t *j = json_loadb(bytes.ptr, bytes.len, 0, NULL);
        if (j && arena_defer(&r->arena, json_memo_decref, j) < 0) {
            json_decref(j);
            return NULL; /* not remembered: the next call tries again */
        }
        s->j = j;
        s->parsed = true;
    }
    return s->j;
}

/* ---- the scanner ---- */

#define PEEK_MAX_DEPTH 64

typedef struct scan {
    const char *p, *end;
    int depth;
    bool bail; /* not sure: ask jansson */
    rt_body_peek *out;
    bool seen_stream, seen_model, seen_usage, seen_response;
    bool usage_object; /* top-level "usage" is an object */
    bool seen_field[5], field_int[5];
    int64_t field[5]; /* usage_keys[i] when an integer */
} scan;

/* Not sure: the caller answers from jansson's tree. */
static int bail(scan *s)
{
    s->bail = true;
    return 0;
}

static int hex4(const char *p, const char *end, unsigned *out)
{
    unsigned v = 0;
    if (end - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d > 15)
            return -1;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

static const str usage_keys[5] = { STR_LIT("prompt_tokens"), STR_LIT("input_tokens"),
                                   STR_LIT("completion_tokens"), STR_LIT("output_tokens"),
                                   STR_LIT("total_tokens") };

static void skip_ws(scan *s)
{
    const char *p = s->p, *end = s->end; /* locals: s->p may alias the bytes */
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    s->p = p;
}

#define SWAR_ONES 0x0101010101010101ULL
#define SWAR_HIGH 0x8080808080808080ULL

/* The bytes of w that are a control character, '"' or '\\', as their high bit. The lowest
 * one flagged is exact (the classic "has a byte less than n" and "has a zero byte" tests only
 * flag false positives above a true one), so it finds the first special byte of w (little
 * endian: the first in memory). */
static inline uint64_t swar_special(uint64_t w)
{
    uint64_t q = w ^ (SWAR_ONES * '"'), b = w ^ (SWAR_ONES * '\\');
    uint64_t lt = (w - SWAR_ONES * 0x20) & ~w;
    uint64_t zq = (q - SWAR_ONES) & ~q, zb = (b - SWAR_ONES) & ~b;
    return (lt | zq | zb) & SWAR_HIGH;
}

/* 1 for the bytes of a JSON string that need no attention: ASCII from ' ' but '"' and '\\' */
static const unsigned char str_plain[256] = {
    [' '] = 1, ['!'] = 1, ['#' ... '['] = 1, [']' ... '~'] = 1, [0x7F] = 1,
};

/* A string at s->p ('"'); *raw gets its bytes when it has no escapes, else *escaped is set.
 * Returns 0, or -1 on invalid JSON. */
static int scan_string(scan *s, str *raw, bool *escaped)
{
    const char *p = s->p + 1, *end = s->end; /* locals: s->p may alias the bytes */
    const char *start = p;
    uint64_t high = 0; /* the high bits seen: not ASCII, check UTF-8 at the end */
    *escaped = false;
    for (;;) {
        /* 8 plain bytes at a time, then byte by byte up to the next special one */
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            w = __builtin_bswap64(w); /* the first byte in memory is the lowest */
#endif
            uint64_t m = swar_special(w);
            if (m) {
                high |= w & ((m & -m) - 1); /* the bytes before the special one */
                p += __builtin_ctzll(m) >> 3;
                goto special;
            }
            high |= w;
            p += 8;
        }
        while (p < end && str_plain[(unsigned char)*p])
            p++;
    special:
        if (p >= end)
            return -1;
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            str v = str_make(start, (size_t)(p - start));
            s->p = p + 1;
            if ((high & SWAR_HIGH) && !rt_utf8_valid(v))
                return -1;
            *raw = v;
            return 0;
        }
        if (c >= 0x80) {
            high |= SWAR_HIGH;
            p++;
            continue;
        }
        if (c < 0x20)
            return -1;
        /* c == '\\' */
        *escaped = true;
        if (++p >= end)
            return -1;
        char e = *p;
        if (e == 'u') {
            /* jansson's rules: no \u0000, surrogates only as a high + low pair */
            unsigned u, lo;
            if (hex4(p + 1, end, &u) < 0 || u == 0 || (u >= 0xDC00 && u <= 0xDFFF))
                return -1;
            p += 4;
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (end - p < 3 || p[1] != '\\' || p[2] != 'u' || hex4(p + 3, end, &lo) < 0 ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                p += 6;
            }
        } else if (!e || !strchr("\"\\/bfnrt", e)) {
            return -1;
        }
        p++;
    }
}

/* A number; *ival and *is_int say whether it is a plain integer (at most 18 digits). */
static int scan_number(scan *s, int64_t *ival, bool *is_int)
{
    const char *p = s->p;
    bool neg = false;
    if (p < s->end && *p == '-')
        neg = true, p++;
    if (p >= s->end || *p < '0' || *p > '9')
        return -1;
    const char *digits = p;
    if (*p == '0')
        p++;
    else {
        while (p < s->end && *p >= '0' && *p <= '9')
            p++;
    }
    size_t nd = (size_t)(p - digits);
    bool frac = false, exp = false;
    if (p < s->end && *p == '.') {
        frac = true;
        if (++p >= s->end || *p < '0' || *p > '9')
            return -1;
        while (p < s->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < s->end && (*p == 'e' || *p == 'E')) {
        exp = true;
        p++;
        if (p < s->end && (*p == '+' || *p == '-'))
            p++;
        const char *ed = p;
        while (p < s->end && *p >= '0' && *p <= '9')
            p++;
        if (p == ed)
            return -1;
        if (p - ed > 2)
            s->bail = true; /* may overflow a double: jansson's error */
    }
    if (nd > 18)
        s->bail = true; /* may overflow: jansson's "too big integer" / real overflow */
    *is_int = !frac && !exp;
    int64_t v = 0;
    for (const char *d = digits; d < digits + nd && nd <= 18; d++)
        v = v * 10 + (*d - '0');
    *ival = neg ? -v : v;
    s->p = p;
    return 0;
}

/* Which member a key is, for the object of context ctx (0 top, 1 usage, 2 other). */
enum { CTX_TOP, CTX_USAGE, CTX_OTHER };

static int scan_value(scan *s, int ctx);

/* The literal w (true, false, null) at s->p. */
static int scan_word(scan *s, str w)
{
    if ((size_t)(s->end - s->p) < w.len || memcmp(s->p, w.ptr, w.len))
        return -1;
    s->p += w.len;
    return 0;
}

/* A member value or an array item: strings (most values) without the scan_value call. */
static int scan_item(scan *s)
{
    if (s->p < s->end && *s->p == '"') {
        str v;
        bool esc;
        return scan_string(s, &v, &esc);
    }
    return scan_value(s, CTX_OTHER);
}

static int scan_object(scan *s, int ctx)
{
    s->p++; /* '{' */
    skip_ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return 0;
    }
    for (;;) {
        skip_ws(s);
        if (s->p >= s->end || *s->p != '"')
            return -1;
        str key;
        bool esc;
        if (scan_string(s, &key, &esc) < 0)
            return -1;
        if (s->bail)
            return 0;
        skip_ws(s);
        if (s->p >= s->end || *s->p != ':')
            return -1;
        s->p++;
        skip_ws(s);
        if (s->p >= s->end)
            return -1;
        if (esc && ctx != CTX_OTHER)
            return bail(s); /* an escaped key may spell a member read below */
        rt_body_peek *o = s->out;
        char c = *s->p;
        if (ctx == CTX_TOP && str_eq(key, STR_LIT("stream"))) {
            if (s->seen_stream)
                return bail(s);
            s->seen_stream = true;
            o->stream = s->end - s->p >= 4 && !memcmp(s->p, "true", 4);
        } else if (ctx == CTX_TOP && str_eq(key, STR_LIT("model"))) {
            if (s->seen_model)
                return bail(s);
            s->seen_model = true;
            if (c == '"') {
                str v;
                bool vesc;
                if (scan_string(s, &v, &vesc) < 0)
                    return -1;
                if (vesc)
                    return bail(s);
                o->model = v;
                goto next;
            }
        } else if (ctx == CTX_TOP && str_eq(key, STR_LIT("usage"))) {
            if (s->seen_usage)
                return bail(s);
            s->seen_usage = true;
            if (c == '{') {
                if (scan_object(s, CTX_USAGE) < 0)
                    return -1;
                s->usage_object = true;
                goto next;
            }
        } else if (ctx == CTX_TOP && str_eq(key, STR_LIT("response"))) {
            s->seen_response = true; /* usage may be under it: answered from the tree */
        } else if (ctx == CTX_USAGE) {
            for (int i = 0; i < 5; i++) {
                if (!str_eq(key, usage_keys[i]))
                    continue;
                if (s->seen_field[i])
                    return bail(s);
                s->seen_field[i] = true;
                if (c == '-' || (c >= '0' && c <= '9')) {
                    int64_t v;
                    bool is_int;
                    if (scan_number(s, &v, &is_int) < 0)
                        return -1;
                    s->field[i] = v;
                    s->field_int[i] = is_int;
                    goto next;
                }
            }
        }
        if (scan_item(s) < 0)
            return -1;
    next:
        if (s->bail)
            return 0;
        skip_ws(s);
        if (s->p >= s->end)
            return -1;
        if (*s->p == '}') {
            s->p++;
            return 0;
        }
        if (*s->p != ',')
            return -1;
        s->p++;
    }
}

static int scan_array(scan *s)
{
    s->p++; /* '[' */
    skip_ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        return 0;
    }
    for (;;) {
        skip_ws(s);
        if (scan_item(s) < 0)
            return -1;
        if (s->bail)
            return 0;
        skip_ws(s);
        if (s->p >= s->end)
            return -1;
        if (*s->p == ']') {
            s->p++;
            return 0;
        }
        if (*s->p != ',')
            return -1;
        s->p++;
    }
}

static int scan_value(scan *s, int ctx)
{
    if (s->p >= s->end)
        return -1;
    str v;
    bool esc;
    int64_t iv;
    bool is_int;
    switch (*s->p) {
    case '{':
    case '[': {
        /* only containers nest: deeper than PEEK_MAX_DEPTH, jansson answers */
        if (++s->depth > PEEK_MAX_DEPTH)
            return bail(s);
        int rc = *s->p == '{' ? scan_object(s, ctx) : scan_array(s);
        s->depth--;
        return rc;
    }
    case '"':
        return scan_string(s, &v, &esc);
    case 't':
        return scan_word(s, STR_LIT("true"));
    case 'f':
        return scan_word(s, STR_LIT("false"));
    case 'n':
        return scan_word(s, STR_LIT("null"));
    default:
        return scan_number(s, &iv, &is_int);
    }
}

/* The peek from the tree (rt_tokens_usage_from_json's rules). */
static void peek_tree(const json_t *j, rt_body_peek *o)
{
    *o = (rt_body_peek){ .json = j != NULL };
    o->stream = json_is_true(json_object_get(j, "stream"));
    const json_t *m = json_object_get(j, "model");
    if (json_is_string(m))
        o->model = str_make(json_string_value(m), json_string_length(m));
    o->has_usage = rt_tokens_usage_from_json(j, &o->usage) == 0;
}

/* int_field(usage, a, b) of tokens.c: a when it is an integer, else b; -1 unless >= 0 */
static int64_t field_of(const scan *s, int a, int b)
{
    int k = s->field_int[a] || b < 0 ? a : b;
    return s->field_int[k] && s->field[k] >= 0 ? s->field[k] : -1;
}

/* The usage from the scanned fields, as rt_tokens_usage_from_json computes it. */
static void peek_usage(const scan *s, rt_body_peek *o)
{
    int64_t p = field_of(s, 0, 1), c = field_of(s, 2, 3), t = field_of(s, 4, -1);
    o->usage = (rt_tokens_usage){ -1, -1, -1, false, false };
    if (!s->usage_object || (p < 0 && c < 0 && t < 0))
        return;
    if (c < 0 && t >= 0 && p >= 0 && t >= p)
        c = t - p;
    if (p < 0 && t >= 0 && c >= 0 && t >= c)
        p = t - c;
    if (t < 0 && p >= 0)
        t = p + (c > 0 ? c : 0);
    o->usage = (rt_tokens_usage){ p, c, t, true, false };
    o->has_usage = true;
}

rt_body_peek rt_req_peek(rt_req *r, str bytes)
{
    static const rt_body_peek none = { .usage = { -1, -1, -1, false, false } };
    if (!bytes.len)
        return none;
    memo_slot *m = memo_of(r, bytes);
    if (!m)
        return none;
    if (m->peeked)
        return m->peek;
    rt_body_peek *o = &m->peek;
    *o = (rt_body_peek){ .json = false };
    scan s = { .p = bytes.ptr, .end = bytes.ptr + bytes.len, .out = o };
    skip_ws(&s);
    int rc = -1;
    if (s.p < s.end && (*s.p == '{' || *s.p == '['))
        rc = scan_value(&s, CTX_TOP);
    if (rc == 0 && !s.bail) {
        skip_ws(&s);
        if (s.p != s.end)
            rc = -1; /* trailing bytes: jansson refuses them */
    }
    if (s.bail || (rc == 0 && s.seen_response && !s.usage_object)) {
        peek_tree(rt_req_json(r, bytes), o); /* not sure: jansson decides */
    } else if (rc < 0) {
        *o = none;
    } else {
        o->json = true;
        peek_usage(&s, o);
    }
    m->peeked = true;
    return *o;
}

int rt_req_sse_usage(rt_req *r, const rt_tokens_set *set, rt_tok_encoding enc, str bytes,
                     rt_tokens_usage *out)
{
    const char *p = bytes.ptr ? bytes.ptr : "";
    memo_slot *m = bytes.len ? memo_of(r, bytes) : NULL;
    if (m && m->sse_done && m->sse_enc == enc && m->sse_set == set) {
        *out = m->sse;
        return m->sse_rc;
    }
    int rc = rt_tokens_usage_from_sse(set, enc, p, bytes.len, out);
    if (m) {
        m->sse_done = true;
        m->sse_enc = enc;
        m->sse_set = set;
        m->sse_rc = rc;
        m->sse = *out;
    }
    return rc;
}
