#ifndef RUNTIME_TOKENS_H
#define RUNTIME_TOKENS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/tokenizer.h"

/*
 * Token accounting for the token-limit and token-metric policies (spec/policies.md §6, §7):
 * prompt estimates for OpenAI-shaped request bodies, and usage taken from responses (JSON or a
 * Server-Sent-Events stream). Pure functions over JSON and bytes: no I/O, no clock.
 *
 * Every count goes through a tokenizer set: the loaded o200k_base / cl100k_base tokenizers (see
 * tokenizer.h). When the encoding a request needs is not loaded, text is counted with
 * rt_tokenizer_estimate() and the result is flagged `estimated`, so the caller can log
 * "token counts estimated without tokenizer" once.
 *
 * Prompt formulas (OpenAI cookbook "How to count tokens with tiktoken"; [impl] beyond it):
 *  - chat/completions: 3 priming tokens (`<|start|>assistant<|message|>`) + per message 3 + the
 *    tokens of every string field's value (role, content, name, tool_call_id, ...) + 1 for a
 *    `name` field. `content` as an array of parts: string parts and parts' `text` counted, image
 *    parts (`image_url`, `input_image`, `image`) RT_TOKENS_IMAGE each (APIM over-counts each
 *    image as at most 1200), other parts (audio, files) 0. Assistant `tool_calls[].function` and
 *    `function_call`: name + arguments. Other non-string fields: 0.
 *  - tools (`tools[].function`, legacy `functions[]`, Responses' flat `tools[]` of type
 *    function), cookbook num_tokens_for_tools: per function func_init (7 for o200k, 10 for
 *    cl100k) + tokens("name:description") with one trailing '.' stripped; if it has
 *    parameters.properties: 3, then per property 3 + tokens("key:type:description") and, with an
 *    `enum`, -3 + per item 3 + tokens(item); finally 12 once for the whole list (the cookbook adds
 *    func_end after its loop, not per function).
 *  - completions `prompt` / embeddings `input`: a string, or an array of strings, token ids (1
 *    each) or arrays of token ids (their length); no overhead.
 *  - responses: 3 priming + `instructions` as a {"role":"system"} message + `input`: a string as
 *    one {"role":"user"} message; items with a `role` as chat messages (role/content/name);
 *    other items (function_call, function_call_output, ...) 3 + tokens of their name, arguments,
 *    output and text strings; + tools as above.
 */

#define RT_TOKENS_IMAGE 1200 /* tokens charged per image part when estimating */

typedef enum rt_tokens_api {
    RT_TOKENS_API_AUTO = 0,    /* from the body's shape: see rt_tokens_prompt */
    RT_TOKENS_API_CHAT,        /* POST …/chat/completions */
    RT_TOKENS_API_COMPLETIONS, /* POST …/completions */
    RT_TOKENS_API_EMBEDDINGS,  /* POST …/embeddings */
    RT_TOKENS_API_RESPONSES,   /* POST …/responses */
} rt_tokens_api;

/* The loaded tokenizers, indexed by encoding (enc[RT_TOK_AUTO] is unused). NULL entries fall
 * back to the approximation. The set only borrows them. */
typedef struct rt_tokens_set {
    const rt_tokenizer *enc[RT_TOK_NENC];
} rt_tokens_set;

/* The process-wide tokenizers, loaded on first use (thread-safe; never freed): per encoding
 * from the path given to rt_tokens_default_paths() (the config's `tokenizer:`), else
 * $APIMLITE_TIKTOKEN_DIR/<encoding>.tiktoken, else the cache .ci/deps fills
 * (${APIMLITE_CACHE:-$HOME/.cache/apimlite}/gpt-tokenizer-4.0.0/package/data). An encoding
 * without a valid file stays NULL and its counts are estimated. Never returns NULL. */
const rt_tokens_set *rt_tokens_default(void);
/* Sets the configured rank files (NULL = search); only before the first rt_tokens_default(). */
void rt_tokens_default_paths(const char *o200k, const char *cl100k);

typedef struct rt_tokens_count {
    int64_t tokens;
    rt_tok_encoding encoding; /* the encoding chosen for the model */
    unsigned images;          /* image parts, already counted RT_TOKENS_IMAGE each */
    bool estimated;           /* some text counted without the tokenizer (or over its caps) */
} rt_tokens_count;

typedef struct rt_tokens_usage {
    int64_t prompt;     /* prompt_tokens / input_tokens; -1 unknown */
    int64_t completion; /* completion_tokens / output_tokens; -1 unknown */
    int64_t total;      /* total_tokens, else prompt + completion; -1 unknown */
    bool reported;      /* true: copied from the upstream `usage`; false: counted here */
    bool estimated;     /* counted text used the approximation (no tokenizer) */
} rt_tokens_usage;

/* The encoding of a model or Azure deployment name (case-insensitive; a `provider/` prefix is
 * ignored), after tiktoken's model.py: gpt-4o*, gpt-4.1*, gpt-4.5*, gpt-5*, o1*, o3*, o4*,
 * chatgpt-*, gpt-oss* → o200k; other gpt-4*, gpt-35-turbo* / gpt-3.5-turbo*,
 * text-embedding-ada-002, text-embedding-3-*, davinci-002, babbage-002 → cl100k; anything else →
 * RT_TOK_AUTO (unknown; callers then use o200k). */
rt_tok_encoding rt_tokens_encoding_for_model(const char *model, size_t len);

/* The API of a request path by its last segments (`…/chat/completions`, `…/completions`,
 * `…/embeddings`, `…/responses`, query string ignored); RT_TOKENS_API_AUTO otherwise. */
rt_tokens_api rt_tokens_api_from_path(const char *path, size_t len);

/* Counts text[0..len) with the set's tokenizer for enc (RT_TOK_AUTO means o200k), or with the
 * approximation (then *estimated is set to true; it is never cleared). Special-token strings
 * are ordinary text. */
int64_t rt_tokens_count_text(const rt_tokens_set *set, rt_tok_encoding enc, const char *text,
                             size_t len, bool *estimated);

/*
 * Estimates the prompt tokens of an OpenAI request body. The encoding comes from model (a model
 * or deployment name, may be NULL) when it is known, else from the body's "model", else o200k.
 * api RT_TOKENS_API_AUTO picks by shape: "messages" → chat, "prompt" → completions, "input" →
 * responses when it is an array holding objects or the body has "instructions", "tools",
 * "previous_response_id", "reasoning" or "max_output_tokens", else embeddings.
 * Returns 0 with *out filled, or -1 when body is not an object or lacks the field the API needs
 * (then out->tokens is 0 and the rest is filled). Never allocates beyond transient scratch.
 */
int rt_tokens_prompt(const rt_tokens_set *set, rt_tokens_api api, const json_t *body,
                     const char *model, rt_tokens_count *out);

/* Usage from a response body: `usage.prompt_tokens` / `completion_tokens` / `total_tokens`
 * (chat, completions, embeddings) or `usage.input_tokens` / `output_tokens` / `total_tokens`
 * (responses; also under a top-level "response" object, as in response.completed events).
 * Returns 0 when a usage object with at least one count was found (out->reported = true), -1
 * otherwise (out all -1). Missing totals are prompt + completion; a missing completion with a
 * total is total - prompt (embeddings: 0). */
int rt_tokens_usage_from_json(const json_t *resp, rt_tokens_usage *out);
/* Same from the raw bytes of a JSON body; -1 also when they are not JSON. */
int rt_tokens_usage_from_body(const char *body, size_t len, rt_tokens_usage *out);

/*
 * Usage of a streamed (`"stream": true`) response, fed as it arrives. Parses SSE events
 * (`data:` lines, events split by blank lines, `[DONE]` ignored, LF or CRLF) and:
 *  - remembers the last non-null `usage` object (the chunk sent when the client asked for
 *    stream_options.include_usage; Responses' response.completed carries response.usage);
 *  - joins the streamed text per choice: chat `choices[i].delta.content` and
 *    `delta.tool_calls[].function.{name,arguments}`, completions `choices[i].text`, Responses
 *    `response.output_text.delta` / `response.refusal.delta` /
 *    `response.function_call_arguments.delta` `delta`s. Deltas are joined before tokenizing,
 *    since chunk boundaries are not token boundaries; long texts are counted incrementally with
 *    rt_tokenizer_count_prefix so memory stays bounded.
 * Finish: with a usage object, out->reported = true and its counts are used. Without one,
 * out->completion = the tokens of the joined texts, out->prompt = out->total = -1 (the caller
 * adds its prompt estimate). Reasoning tokens are never streamed as text and so are not in a
 * counted completion. Lines longer than 16 MiB are skipped.
 */
typedef struct rt_tokens_stream rt_tokens_stream;

/* A new accumulator counting with enc (RT_TOK_AUTO means o200k) from set (borrowed; must
 * outlive the stream). Free with rt_tokens_stream_free. Never NULL (aborts on OOM). */
rt_tokens_stream *rt_tokens_stream_new(const rt_tokens_set *set, rt_tok_encoding enc);
/* Appends bytes of the event stream (any split, even inside a line or a UTF-8 sequence). */
void rt_tokens_stream_feed(rt_tokens_stream *s, const char *p, size_t n);
/* Ends the stream (a last event without its blank line is still used) and fills *out. Returns
 * 0 when usage was reported or some text was seen, -1 when the stream held neither. The stream
 * must not be fed afterwards. */
int rt_tokens_stream_finish(rt_tokens_stream *s, rt_tokens_usage *out);
void rt_tokens_stream_free(rt_tokens_stream *s);

/* One-shot helper: new + feed(text[0..len)) + finish + free. */
int rt_tokens_usage_from_sse(const rt_tokens_set *set, rt_tok_encoding enc, const char *text,
                             size_t len, rt_tokens_usage *out);

#endif
