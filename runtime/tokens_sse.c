/* Usage of streamed responses: SSE parsing, per-choice text accumulation, incremental counts. */
#include <stdlib.h>
#include <string.h>

#include "runtime/base/xalloc.h"
#include "runtime/tokens.h"

#define SSE_MAX_LINE  ((size_t)16 << 20) /* longer lines are skipped */
#define SSE_MAX_SLOTS 32                 /* distinct (choice, kind) texts; more share the last */
#define SSE_FLUSH_AT  ((size_t)64 << 10) /* count a text's complete prefix past this size */

/* Text streamed for one choice and kind (content vs tool-call arguments). */
typedef struct text_slot {
    int64_t key; /* choice index * 2 + kind */
    char *ptr;
    size_t len, alloc;
    int64_t counted; /* tokens of the text already dropped from ptr */
    size_t flush_at; /* flush when len passes it; doubles when a flush keeps most text */
} text_slot;

struct rt_tokens_stream {
    const rt_tokens_set *set;
    rt_tok_encoding enc;
    char *line; /* the current, incomplete line */
    size_t line_len, line_alloc;
    bool skipping; /* the current line is over SSE_MAX_LINE */
    char *data;    /* `data:` lines of the current event, joined by \n */
    size_t data_len, data_alloc;
    bool has_data;
    text_slot slots[SSE_MAX_SLOTS];
    size_t nslots;
    rt_tokens_usage usage; /* last reported usage */
    bool estimated;
};

static void grow_append(char **p, size_t *len, size_t *alloc, const char *s, size_t n)
{
    if (*len + n + 1 > *alloc) {
        size_t a = *alloc ? *alloc : 256;
        while (a < *len + n + 1)
            a *= 2;
        *p = xrealloc(*p, a);
        *alloc = a;
    }
    memcpy(*p + *len, s, n);
    *len += n;
    (*p)[*len] = 0;
}

rt_tokens_stream *rt_tokens_stream_new(const rt_tokens_set *set, rt_tok_encoding enc)
{
    rt_tokens_stream *s = xcalloc(1, sizeof *s);
    s->set = set;
    s->enc = enc > RT_TOK_AUTO && enc < RT_TOK_NENC ? enc : RT_TOK_O200K;
    s->usage = (rt_tokens_usage){ -1, -1, -1, false, false };
    return s;
}

void rt_tokens_stream_free(rt_tokens_stream *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nslots; i++)
        free(s->slots[i].ptr);
    free(s->line);
    free(s->data);
    free(s);
}

static text_slot *slot_for(rt_tokens_stream *s, int64_t key)
{
    for (size_t i = 0; i < s->nslots; i++)
        if (s->slots[i].key == key)
            return &s->slots[i];
    if (s->nslots == SSE_MAX_SLOTS)
        return &s->slots[SSE_MAX_SLOTS - 1];
    text_slot *t = &s->slots[s->nslots++];
    t->key = key;
    return t;
}

/* Counts the complete prefix of a long text so the buffer stays small. */
static void slot_flush(rt_tokens_stream *s, text_slot *t)
{
    const rt_tokenizer *tk = s->set ? s->set->enc[s->enc] : NULL;
    size_t used = 0;
    if (tk) {
        t->counted += (int64_t)rt_tokenizer_count_prefix(tk, t->ptr, t->len, &used);
    } else {
        /* Without a tokenizer, cut after the last ASCII byte so no code point is split. */
        used = t->len;
        while (used > 0 && (unsigned char)t->ptr[used - 1] >= 0x80)
            used--;
        /* and at a multiple of 4 bytes into pure ASCII, so the rounding matches one count */
        size_t r = used % 4;
        bool ascii = true;
        for (size_t i = used - r; i < used; i++)
            ascii = ascii && (unsigned char)t->ptr[i] < 0x80;
        if (ascii)
            used -= r;
        t->counted += (int64_t)rt_tokenizer_estimate(t->ptr, used);
        s->estimated = true;
    }
    memmove(t->ptr, t->ptr + used, t->len - used);
    t->len -= used;
    /* One huge piece cannot be counted yet: wait until the text doubles before trying again,
     * so a long run arriving in small deltas stays linear. */
    t->flush_at = t->len * 2 > SSE_FLUSH_AT ? t->len * 2 : SSE_FLUSH_AT;
}

static void add_text(rt_tokens_stream *s, int64_t choice, int kind, const json_t *v)
{
    if (!json_is_string(v) || json_string_length(v) == 0)
        return;
    if (choice < 0 || choice > (INT64_MAX >> 2))
        choice = 0;
    text_slot *t = slot_for(s, choice * 2 + kind);
    grow_append(&t->ptr, &t->len, &t->alloc, json_string_value(v), json_string_length(v));
    if (t->len > (t->flush_at ? t->flush_at : SSE_FLUSH_AT))
        slot_flush(s, t);
}

static void handle_chat_choice(rt_tokens_stream *s, const json_t *ch)
{
    const json_t *idx = json_object_get(ch, "index");
    int64_t i = json_is_integer(idx) ? (int64_t)json_integer_value(idx) : 0;
    const json_t *delta = json_object_get(ch, "delta");
    add_text(s, i, 0, json_object_get(delta, "content"));
    add_text(s, i, 0, json_object_get(ch, "text")); /* completions */
    size_t k;
    const json_t *call;
    json_array_foreach(json_object_get(delta, "tool_calls"), k, call)
    {
        const json_t *f = json_object_get(call, "function");
        add_text(s, i, 1, json_object_get(f, "name"));
        add_text(s, i, 1, json_object_get(f, "arguments"));
    }
    const json_t *fc = json_object_get(delta, "function_call");
    add_text(s, i, 1, json_object_get(fc, "name"));
    add_text(s, i, 1, json_object_get(fc, "arguments"));
}

static void handle_event(rt_tokens_stream *s, const char *data, size_t len)
{
    if (len == 6 && memcmp(data, "[DONE]", 6) == 0)
        return;
    json_t *j = json_loadb(data, len, 0, NULL);
    if (!j)
        return;
    rt_tokens_usage u;
    if (rt_tokens_usage_from_json(j, &u) == 0)
        s->usage = u;
    size_t i;
    const json_t *ch;
    json_array_foreach(json_object_get(j, "choices"), i, ch)
    {
        handle_chat_choice(s, ch);
    }
    const char *type = json_string_value(json_object_get(j, "type"));
    if (type) {
        const json_t *oi = json_object_get(j, "output_index");
        int64_t idx = json_is_integer(oi) ? (int64_t)json_integer_value(oi) : 0;
        if (strcmp(type, "response.output_text.delta") == 0 ||
            strcmp(type, "response.refusal.delta") == 0)
            add_text(s, idx, 0, json_object_get(j, "delta"));
        else if (strcmp(type, "response.function_call_arguments.delta") == 0)
            add_text(s, idx, 1, json_object_get(j, "delta"));
    }
    json_decref(j);
}

static void dispatch(rt_tokens_stream *s)
{
    if (s->has_data)
        handle_event(s, s->data ? s->data : "", s->data_len);
    s->data_len = 0;
    s->has_data = false;
}

/* One complete line (without its terminator). */
static void handle_line(rt_tokens_stream *s, const char *l, size_t n)
{
    if (n > 0 && l[n - 1] == '\r')
        n--;
    if (n == 0) {
        dispatch(s);
        return;
    }
    if (n < 5 || memcmp(l, "data:", 5) != 0)
        return; /* comments, event:, id:, retry: */
    l += 5;
    n -= 5;
    if (n > 0 && *l == ' ') {
        l++;
        n--;
    }
    if (s->has_data)
        grow_append(&s->data, &s->data_len, &s->data_alloc, "\n", 1);
    grow_append(&s->data, &s->data_len, &s->data_alloc, l, n);
    s->has_data = true;
    if (s->data_len > SSE_MAX_LINE) { /* an event this large is not a usage chunk: drop it */
        s->data_len = 0;
        s->has_data = false;
    }
}

void rt_tokens_stream_feed(rt_tokens_stream *s, const char *p, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        if (!s->skipping) {
            if (s->line_len + k > SSE_MAX_LINE) {
                s->skipping = true;
                s->line_len = 0;
            } else if (nl && s->line_len == 0) {
                handle_line(s, p, k); /* whole line in this chunk: no copy */
            } else {
                grow_append(&s->line, &s->line_len, &s->line_alloc, p, k);
                if (nl) {
                    handle_line(s, s->line, s->line_len);
                    s->line_len = 0;
                }
            }
        }
        if (!nl)
            break;
        s->skipping = false;
        p += k + 1;
        n -= k + 1;
    }
}

int rt_tokens_stream_finish(rt_tokens_stream *s, rt_tokens_usage *out)
{
    if (s->line_len > 0 && !s->skipping)
        handle_line(s, s->line, s->line_len);
    s->line_len = 0;
    dispatch(s);
    if (s->usage.reported) {
        *out = s->usage;
        return 0;
    }
    *out = (rt_tokens_usage){ -1, -1, -1, false, s->estimated };
    if (s->nslots == 0)
        return -1;
    int64_t total = 0;
    for (size_t i = 0; i < s->nslots; i++) {
        text_slot *t = &s->slots[i];
        total += t->counted + rt_tokens_count_text(s->set, s->enc, t->ptr ? t->ptr : "", t->len,
                                                   &out->estimated);
    }
    out->completion = total;
    return 0;
}

int rt_tokens_usage_from_sse(const rt_tokens_set *set, rt_tok_encoding enc, const char *text,
                             size_t len, rt_tokens_usage *out)
{
    rt_tokens_stream *s = rt_tokens_stream_new(set, enc);
    rt_tokens_stream_feed(s, text, len);
    int rc = rt_tokens_stream_finish(s, out);
    rt_tokens_stream_free(s);
    return rc;
}
