#ifndef RUNTIME_MOCK_H
#define RUNTIME_MOCK_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/tokens.h"

struct event_base;

/*
 * A mock Azure OpenAI / OpenAI backend on a libevent evhttp server (`apimlite mock`, and
 * loopback tests that want one in-process). Single-threaded: everything runs on the caller's
 * event_base, nothing blocks.
 *
 * Paths (POST; any query string, e.g. api-version, is accepted):
 *   /openai/deployments/{deployment}/{chat/completions|completions|embeddings|responses}
 *   /v1/{chat/completions|completions|embeddings|responses}, /openai/v1/... (same),
 *   /openai/responses; GET /health answers {"status":"ok"}; GET
 *   /metadata/identity/oauth2/token?resource=R (header Metadata: true) answers a managed
 *   identity token "mock-mi-token:R" like the Azure instance metadata service.
 * The model is the deployment (Azure paths) or body.model (v1 paths; required there).
 * Answers are deterministic (an echo of the last user text, truncated by max_tokens;
 * embeddings are unit vectors seeded by the input) with `usage` counted like the gateway
 * estimates prompts (rt_tokens_prompt; with the set's tokenizers when loaded). `"stream": true`
 * answers Server-Sent Events, one word per event every stream_delay_ms, with the usage chunk
 * when stream_options.include_usage is true (Responses: response.* events).
 *
 * Order of checks per request: path (404), method (405), body JSON and required fields (400),
 * rpm then tpm limits (429 with Retry-After, retry-after-ms; rolling 60 s window in 100 ms
 * slots; a request charges 1 request and prompt + completion tokens), then fail_rate (the
 * fail_status answer). Every answer, errors included, waits latency_ms first. Bodies over
 * max_body bytes get 413 from libevent.
 */

typedef struct rt_mock_opts {
    const char *listen;          /* "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT"; port 0 = any */
    int64_t tpm;                 /* tokens per minute; 0 = unlimited */
    int64_t rpm;                 /* requests per minute; 0 = unlimited */
    long latency_ms;             /* delay before every answer */
    long stream_delay_ms;        /* delay between streamed events */
    double fail_rate;            /* 0..1: fraction of requests answered with fail_status */
    int fail_status;             /* default 500 */
    uint64_t seed;               /* seeds the fail_rate draws and the ids */
    size_t max_body;             /* request body cap in bytes (default 4 MiB) */
    size_t max_headers;          /* request header block cap in bytes (default 64 KiB) */
    int verbose;                 /* 1: one line per request on stderr */
    const rt_tokens_set *tokens; /* borrowed tokenizers for usage; NULL = approximation */
} rt_mock_opts;

typedef struct rt_mock rt_mock; /* the server: listener, limiter, in-flight answers */

/* Fills o with the defaults (127.0.0.1:8081, no limits, no delays, fail_status 500). */
void rt_mock_opts_init(rt_mock_opts *o);

/* Binds o->listen on base and starts serving. o and o->tokens must outlive the server.
 * Returns the server (free with rt_mock_free), or NULL with a one-line message in
 * err[0..errlen) (bad address, bind failure, bad option value). */
rt_mock *rt_mock_new(struct event_base *base, const rt_mock_opts *o, char *err, size_t errlen);

/* The bound address as "HOST:PORT" (the real port when 0 was asked). Owned by m. */
const char *rt_mock_address(const rt_mock *m);

/* Stops listening, drops every connection and in-flight answer (their timers included) and
 * frees m. Call it outside m's callbacks (e.g. after the loop returned). NULL is accepted. */
void rt_mock_free(rt_mock *m);

#endif
