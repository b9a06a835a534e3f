/* The mock's streamed (`"stream": true`) answers: Server-Sent Events cut into ticks, one word
 * per tick; mock.c sends one tick every --stream-delay ms. */
#include "runtime/mock_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/xalloc.h"

typedef struct sse {
    const mock_request *q;
    mock_answer *a;
    size_t cap_marks;
    int seq; /* Responses' sequence_number */
} sse;

static void event(sse *s, const char *type, json_t *j)
{
    buf *b = &s->a->body;
    if (type) {
        buf_printf(b, "event: %s\n", type);
        json_object_set_new(j, "sequence_number", json_integer(s->seq++));
    }
    buf_puts(b, "data: ");
    mock_put_json(b, j);
    buf_puts(b, "\n\n");
}

static void end_tick(sse *s)
{
    mock_answer *a = s->a;
    if (a->nmarks > 0 && a->marks[a->nmarks - 1] == a->body.len)
        return; /* nothing since the last tick */
    if (a->nmarks == s->cap_marks) {
        s->cap_marks = s->cap_marks ? 2 * s->cap_marks : 16;
        a->marks = xrealloc(a->marks, s->cap_marks * sizeof *a->marks);
    }
    a->marks[a->nmarks++] = a->body.len;
}

/* Calls fn for each word of the answer text, with its leading space after the first. */
typedef void word_fn(sse *s, const char *p, size_t n);

static void each_word(sse *s, word_fn *fn)
{
    const char *t = s->a->text.ptr;
    size_t len = s->a->text.len, pos = 0;
    while (pos < len) {
        const char *sp = memchr(t + pos + 1, ' ', len - pos - 1);
        size_t end = sp ? (size_t)(sp - t) : len;
        fn(s, t + pos, end - pos);
        end_tick(s);
        pos = end;
    }
}

static bool include_usage(const mock_request *q)
{
    return json_is_true(
        json_object_get(json_object_get(q->body, "stream_options"), "include_usage"));
}

/* ---- chat.completion.chunk ---- */

static json_t *chat_chunk(sse *s, json_t *delta, const char *finish)
{
    const mock_request *q = s->q;
    char id[48];
    snprintf(id, sizeof id, "chatcmpl-mock%016llx", (unsigned long long)q->id);
    json_t *choice = json_pack("{s:i, s:o, s:n, s:o}", "index", 0, "delta", delta, "logprobs",
                               "finish_reason", finish ? json_string(finish) : json_null());
    json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:s, s:[o]}", "id", id, "object",
                          "chat.completion.chunk", "created", (json_int_t)q->created, "model",
                          q->model, "system_fingerprint", "fp_mock", "choices", choice);
    if (include_usage(q))
        json_object_set_new(j, "usage", json_null());
    return j;
}

static void chat_word(sse *s, const char *p, size_t n)
{
    event(s, NULL, chat_chunk(s, json_pack("{s:s%}", "content", p, n), NULL));
}

static void chat_stream(sse *s)
{
    const mock_request *q = s->q;
    if (q->route->azure)
        event(s, NULL,
              json_pack("{s:[], s:i, s:s, s:s, s:s, s:o}", "choices", "created", 0, "id", "",
                        "model", "", "object", "", "prompt_filter_results", mock_prompt_filter()));
    event(s, NULL,
          chat_chunk(s, json_pack("{s:s, s:s, s:n}", "role", "assistant", "content", "", "refusal"),
                     NULL));
    end_tick(s);
    each_word(s, chat_word);
    event(s, NULL, chat_chunk(s, json_object(), s->a->finish));
    if (include_usage(q)) {
        json_t *u = chat_chunk(s, json_object(), NULL);
        json_object_set_new(u, "choices", json_array());
        json_object_set_new(u, "usage", mock_usage_json(s->a, false));
        event(s, NULL, u);
    }
}

/* ---- text_completion chunks ---- */

static json_t *text_chunk(sse *s, const char *p, size_t n, const char *finish)
{
    const mock_request *q = s->q;
    char id[48];
    snprintf(id, sizeof id, "cmpl-mock%016llx", (unsigned long long)q->id);
    json_t *choice = json_pack("{s:s%, s:i, s:n, s:o}", "text", p, n, "index", 0, "logprobs",
                               "finish_reason", finish ? json_string(finish) : json_null());
    json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:[o]}", "id", id, "object", "text_completion",
                          "created", (json_int_t)q->created, "model", q->model, "choices", choice);
    if (include_usage(q))
        json_object_set_new(j, "usage", json_null());
    return j;
}

static void text_word(sse *s, const char *p, size_t n)
{
    event(s, NULL, text_chunk(s, p, n, NULL));
}

static void completions_stream(sse *s)
{
    each_word(s, text_word);
    event(s, NULL, text_chunk(s, "", 0, s->a->finish));
    if (include_usage(s->q)) {
        json_t *u = text_chunk(s, "", 0, NULL);
        json_object_set_new(u, "choices", json_array());
        json_object_set_new(u, "usage", mock_usage_json(s->a, false));
        event(s, NULL, u);
    }
}

/* ---- Responses API events ---- */

static json_t *resp_item(sse *s, const char *status, bool with_text)
{
    char msg_id[48];
    snprintf(msg_id, sizeof msg_id, "msg_mock%016llx", (unsigned long long)s->q->id);
    json_t *content = json_array();
    if (with_text)
        json_array_append_new(content, json_pack("{s:s, s:s%, s:[]}", "type", "output_text", "text",
                                                 s->a->text.ptr, s->a->text.len, "annotations"));
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "type", "message", "id", msg_id, "status", status,
                     "role", "assistant", "content", content);
}

static json_t *resp_part(sse *s, bool with_text)
{
    return json_pack("{s:s, s:s%, s:[]}", "type", "output_text", "text",
                     with_text ? s->a->text.ptr : "", with_text ? s->a->text.len : 0,
                     "annotations");
}

static void resp_word(sse *s, const char *p, size_t n)
{
    char msg_id[48];
    snprintf(msg_id, sizeof msg_id, "msg_mock%016llx", (unsigned long long)s->q->id);
    event(s, "response.output_text.delta",
          json_pack("{s:s, s:s, s:i, s:i, s:s%}", "type", "response.output_text.delta", "item_id",
                    msg_id, "output_index", 0, "content_index", 0, "delta", p, n));
}

static void responses_stream(sse *s)
{
    char msg_id[48];
    snprintf(msg_id, sizeof msg_id, "msg_mock%016llx", (unsigned long long)s->q->id);
    event(s, "response.created",
          json_pack("{s:s, s:o}", "type", "response.created", "response",
                    mock_response_json(s->q, s->a, false)));
    event(s, "response.output_item.added",
          json_pack("{s:s, s:i, s:o}", "type", "response.output_item.added", "output_index", 0,
                    "item", resp_item(s, "in_progress", false)));
    event(s, "response.content_part.added",
          json_pack("{s:s, s:s, s:i, s:i, s:o}", "type", "response.content_part.added", "item_id",
                    msg_id, "output_index", 0, "content_index", 0, "part", resp_part(s, false)));
    end_tick(s);
    each_word(s, resp_word);
    event(s, "response.output_text.done",
          json_pack("{s:s, s:s, s:i, s:i, s:s%}", "type", "response.output_text.done", "item_id",
                    msg_id, "output_index", 0, "content_index", 0, "text", s->a->text.ptr,
                    s->a->text.len));
    event(s, "response.content_part.done",
          json_pack("{s:s, s:s, s:i, s:i, s:o}", "type", "response.content_part.done", "item_id",
                    msg_id, "output_index", 0, "content_index", 0, "part", resp_part(s, true)));
    event(s, "response.output_item.done",
          json_pack("{s:s, s:i, s:o}", "type", "response.output_item.done", "output_index", 0,
                    "item", resp_item(s, "completed", true)));
    event(s, "response.completed",
          json_pack("{s:s, s:o}", "type", "response.completed", "response",
                    mock_response_json(s->q, s->a, true)));
}

void mock_stream_build(const mock_request *q, mock_answer *a)
{
    sse s = { .q = q, .a = a };
    a->body.len = 0;
    switch (q->route->api) {
    case MOCK_API_CHAT:
        chat_stream(&s);
        break;
    case MOCK_API_COMPLETIONS:
        completions_stream(&s);
        break;
    default:
        responses_stream(&s);
        break;
    }
    if (q->route->api != MOCK_API_RESPONSES)
        buf_puts(&a->body, "data: [DONE]\n\n");
    end_tick(&s);
}
