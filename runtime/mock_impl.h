#ifndef RUNTIME_MOCK_IMPL_H
#define RUNTIME_MOCK_IMPL_H

/* Internals shared by mock.c (server, calls, timers), mock_limits.c (rolling windows) and
 * mock_answer.c (routes and answer bodies). Not for use outside runtime/mock*.c. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/buf.h"
#include "runtime/mock.h"

/* ---- rolling 60 s windows (mock_limits.c) ---- */

#define MOCK_SLOT_MS 100
#define MOCK_SLOTS   600 /* 60 s of 100 ms slots */

typedef struct mock_window {
    int64_t slot;          /* absolute index (ms / MOCK_SLOT_MS) of the newest slot */
    int64_t sum;           /* total of n[] */
    int64_t n[MOCK_SLOTS]; /* n[s % MOCK_SLOTS] = amount charged in slot s */
} mock_window;

/* Drops the slots that left the window ending at now_ms. */
void mock_window_advance(mock_window *w, int64_t now_ms);
/* Charges amount at now_ms (call mock_window_advance(now_ms) first). */
void mock_window_add(mock_window *w, int64_t now_ms, int64_t amount);
/* Milliseconds until cost more fits under limit (>= 1), or 60000 when cost alone exceeds it.
 * Only meaningful when w->sum + cost > limit. */
int64_t mock_window_retry_ms(const mock_window *w, int64_t now_ms, int64_t cost, int64_t limit);

/* ---- routes and answers (mock_answer.c) ---- */

typedef enum mock_api {
    MOCK_API_NONE = 0,
    MOCK_API_CHAT,
    MOCK_API_COMPLETIONS,
    MOCK_API_EMBEDDINGS,
    MOCK_API_RESPONSES,
    MOCK_API_HEALTH,   /* GET /health */
    MOCK_API_IDENTITY, /* GET /metadata/identity/oauth2/token: a managed identity token (IMDS) */
} mock_api;

typedef struct mock_route {
    mock_api api;
    bool azure;           /* /openai/deployments/{d}/...: the model is the deployment */
    char deployment[128]; /* NUL-terminated; empty on v1 paths */
} mock_route;

/* Matches a request path (without query). Returns 0 and fills r, or -1 (unknown path). */
int mock_route_parse(const char *path, mock_route *r);

/* The answer of one request, built before any delay. */
typedef struct mock_answer {
    int status;
    const char *reason;
    bool stream;   /* body is an SSE stream cut into events at marks[] */
    buf body;      /* JSON body, or every SSE event back to back */
    size_t *marks; /* stream: marks[i] = end offset of tick i's events (heap) */
    size_t nmarks;
    int64_t prompt_tokens; /* for the limiter and the log line; 0 on errors */
    int64_t completion_tokens;
    buf text;           /* the completion text (mock_answer_count) */
    const char *finish; /* "stop" or "length" */
    const char *op;     /* "ChatCompletions_Create", ... (error messages) */
} mock_answer;

/* A parsed, validated request body ready to answer. */
typedef struct mock_request {
    const mock_route *route;
    json_t *body;            /* borrowed */
    const char *model;       /* deployment or body.model */
    const char *api_version; /* query api-version or a default; for messages */
    uint64_t id;             /* per-request id number (ids in bodies) */
    int64_t created;         /* unix seconds */
} mock_request;

void mock_answer_init(mock_answer *a);
void mock_answer_release(mock_answer *a);

/* An OpenAI-style error body {"error":{"code","message","type","param"}} with status. */
void mock_answer_error(mock_answer *a, int status, const char *code, const char *type,
                       const char *message);

/* Checks the body for the route (messages / prompt / input / model). Returns 0, or -1 with a
 * 400 error answer in a. Fills q->model. */
int mock_request_check(mock_request *q, mock_answer *a);

/* Counts the prompt and completion tokens of q (fills a->prompt_tokens / completion_tokens)
 * without building the body, so the limiter can decide first. */
void mock_answer_count(const rt_tokens_set *set, const mock_request *q, mock_answer *a);

/* Builds the success answer of q into a (after mock_answer_count). */
void mock_answer_build(const rt_tokens_set *set, const mock_request *q, mock_answer *a);

/* Pieces shared by the JSON and SSE answers (mock_answer.c). */
void mock_put_json(buf *b, json_t *j); /* appends compact JSON of j, which it steals */
json_t *mock_usage_json(const mock_answer *a, bool responses);
json_t *mock_prompt_filter(void); /* Azure's prompt_filter_results */
/* A Responses API `response` object: in progress (no output, usage null) or done. */
json_t *mock_response_json(const mock_request *q, const mock_answer *a, bool done);

/* SSE answer of q into a->body / a->marks (mock_stream.c). */
void mock_stream_build(const mock_request *q, mock_answer *a);
/* Embeddings answer of q (mock_embed.c): deterministic unit vectors, float or base64. */
void mock_embeddings_build(const rt_tokens_set *set, const mock_request *q, mock_answer *a);

/* The operation name used in Azure's messages for api. */
const char *mock_api_op(mock_api api);

#endif
