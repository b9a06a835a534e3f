#ifndef RUNTIME_REQ_H
#define RUNTIME_REQ_H

/* One request going through the pipeline (rt_req). Its data is the same rt_ctx the context
 * host serves to expressions (one interpreter, two worlds): the request being built for the
 * backend (method, URL, headers, body), the original URL, the response, the variables, the
 * API/operation/product/subscription records, LastError. Everything per request lives in
 * r->arena (cap ARENA_REQUEST_CAP); r itself is malloc'ed and released by rt_req_free once the
 * request has finished and no operation is pending (STYLE §8). */

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>

#include "base/buf.h"
#include "clock.h"
#include "compile.h"
#include "ctx_impl.h"
#include "tokens.h"
#include "transport.h"

/* The world a request runs in: the only ways out (DESIGN.md §1). */
typedef struct rt_req rt_req;

typedef struct rt_world {
    rt_clock *clock;
    rt_transport *transport;
    FILE *trace;            /* `--trace` sink: each policy executed (NULL = off) */
    const json_t *identity; /* tests: resource -> token for authentication-managed-identity */
    void *gateway;          /* opaque: config/route/backends state for later policies */
    /* set-backend-service backend-id: sets r->base and r->backend_id (and what the backend
     * brings: credentials...), or records a failure (rt_fail) and returns -1. NULL: no
     * configuration, backend-id fails clearly. */
    int (*set_backend)(rt_req *r, str id);
    /* world (config-based runs, runtime/world.h): forward-request calls prepare_call just
     * before each backend call (pool member re-picked, circuit breaker refusal = 503 preset +
     * rt_fail, the backend's credentials added to hr; returns -1 after rt_fail) and
     * call_result with the call's outcome (the backend's circuit breaker counts it). NULL:
     * nothing to do. */
    int (*prepare_call)(rt_req *r, rt_http_req *hr);
    void (*call_result)(rt_req *r, str backend_id, rt_tx_result res, const rt_http_resp *resp);
    /* Managed identity tokens (authentication-managed-identity, backend credentials
     * managedIdentity); NULL: every token request fails. */
    struct rt_identity *idp;
    /* limits: the throttling counters (rate-limit, quota, token limits, limit-concurrency);
     * NULL makes those policies fail clearly. tokens: the loaded tokenizers for prompt
     * estimates (NULL: the approximation of tokenizer.h). */
    struct rt_counter_store *counters;
    const struct rt_tokens_set *tokens;
    /* observe: caches, log-to-eventhub sinks, metrics (runtime/observe.h); owned by whoever
     * made the world (rt_observe_new / rt_observe_free). NULL: `apimlite test` makes a fresh
     * one per test on first use (rt_observe_of). */
    struct rt_observe *obs;
    /* access: the OpenID configuration + JWKS cache of validate-jwt / validate-azure-ad-token
     * (runtime/policies/oidc.h: rt_oidc_cache_new / rt_oidc_cache_free, owned by whoever made
     * the world). NULL: documents are fetched for every request. */
    struct rt_oidc_cache *oidc;
    /* stream (serve): relays a streamed backend response to the client as it arrives. NULL
     * (`apimlite test`): every response is buffered. */
    const struct rt_relay *relay;
} rt_world;

/* Streaming relay (issue 4 §4). forward-request asks the transport to stream when
 * buffer-response="false", the request body has "stream": true or the client accepts
 * text/event-stream; when a 2xx answer's headers arrive, start(r, resp) starts the client's
 * reply with the backend's status and headers (outbound header and body changes do not apply
 * to a relayed response: it is already on its way); it returns 0, or -1 when it cannot
 * (nothing relayed: the response is buffered as usual). chunk(r, p, n) passes each piece on;
 * it returns -1 when the client is gone (the backend call is then cancelled). The relayed
 * bytes are also kept (capped) as context.Response.Body, so token policies, metrics and the
 * request log count usage when the request ends; the server ends the client's stream when the
 * request finishes (also after a backend that died mid-stream). */
typedef struct rt_relay {
    int (*start)(rt_req *r, const struct rt_http_resp *resp);
    int (*chunk)(rt_req *r, const char *p, size_t n);
} rt_relay;

struct rt_cursor;

struct rt_req {
    arena arena;  /* the request arena */
    rt_ctx *ctx;  /* what expressions see; request = the request for the backend */
    expr_env env; /* evaluation env over ctx, in the request arena */
    const rt_world *w;
    const rt_program *prog;
    /* backend selection */
    rt_url *base;   /* backend base URL (serviceUrl or set-backend-service) */
    str backend_id; /* set-backend-service backend-id, empty for base-url */
    str api_path;   /* the API URL suffix ("" for the implicit API) */
    str path_rest;  /* request path after the API suffix (rewrite-uri changes it) */
    /* pipeline state */
    pol_section section;   /* section being run */
    const rt_step *step;   /* policy being executed (errors, traces) */
    struct rt_cursor *cur; /* cursor being run (a suspending policy keeps it to resume) */
    struct rt_cursor *main;
    rt_lasterror err;     /* the failure being handled (context.LastError in on-error) */
    bool failed;          /* err is set */
    bool response_preset; /* the failing policy prepared context.Response (e.g. 429) */
    int pending;          /* in-flight operations (transport calls, timers) */
    bool finished;        /* the response is final */
    int64_t start_ms, end_ms;
    int backend_status; /* last forward-request status (0: none) */
    str relayed_body;   /* the text of the last response relayed as a stream (request arena;
                         * what the log counts tokens in, whatever outbound does to the body) */
    int attempts;       /* forward-request calls made */
    bool body_sent;     /* forwarded once without buffer-request-body: not resent */
    void (*on_finish)(rt_req *r, void *ud);
    void *on_finish_ud;
    struct rt_at_end *at_end; /* end-of-request hooks (rt_req_at_end) */
    bool at_end_ran;
    void *limits; /* limits: per-request state of the throttling policies (policies/limits.h) */
    struct rt_at_end *at_response; /* response hooks (rt_req_at_response) */
    struct rt_req_obs *obs;        /* observe: cache-lookup key, token metrics, semantic cache */
    /* access: the client certificate authentication-certificate chose for the backend call
     * (the gateway's transport presents it on the TLS handshake; NULL: none), and whether a
     * cors policy already handled the request (the first one in inbound wins). */
    const struct rt_client_cert *client_cert;
    bool cors_done;
    struct rt_gw_req *gw;           /* world: backend-id / pool state of a config-based request */
    struct rt_json_memo *json_memo; /* rt_body_json: bodies parsed so far (request arena) */
};

/* The identity provider behind authentication-managed-identity (tests: the `identity` map of
 * the test file; the gateway: IMDS / workload identity with a token cache). */
typedef struct rt_identity rt_identity;
struct rt_identity {
    /* A token for resource (client_id empty: the system-assigned identity). Returns 0 with
     * *token, or -1 with *error (a message); both in a. */
    int (*get_token)(rt_identity *id, arena *a, str resource, str client_id, str *token,
                     str *error);
};

/* authentication-certificate's choice (strings in the request arena; unset ones empty). */
typedef struct rt_client_cert {
    str thumbprint;     /* thumbprint="..." (upper-case hex, separators removed) */
    str certificate_id; /* certificate-id="..." (a certificate of the configuration) */
    str pkcs12;         /* body="@(bytes)": the PKCS#12 (PFX) bytes */
    str password;       /* password of pkcs12 (may be empty) */
    str subject;        /* body: the certificate's subject, for traces */
} rt_client_cert;

/* Creates a request from a test-file / CTX.json style object (rt_ctx_from_json keys:
 * request {method, url, ip, headers, body}, api, operation, product, subscription, ...,
 * timestamp, random). The backend base is api.serviceUrl, or the request URL's origin when the
 * API has none (the implicit API); the backend path is the request path after api.path.
 * Returns NULL with a message in err on malformed input. */
rt_req *rt_req_new(const rt_world *w, const rt_program *prog, const json_t *ctx, char *err,
                   size_t errlen);
/* The two halves of rt_req_new, for builders that fill the context themselves (world.c's serve
 * path): rt_req_alloc makes r with its arena and no context; the caller builds ctx in r->arena
 * and rt_req_attach makes it the request's (clock, backend base URL, request URL). attach
 * returns 0, or -1 with a message in err (then free r with rt_req_free). */
rt_req *rt_req_alloc(const rt_world *w, const rt_program *prog);
int rt_req_attach(rt_req *r, rt_ctx *ctx, char *err, size_t errlen);
/* Releases the arena and r (running the end-of-request hooks first if they have not run). */
void rt_req_free(rt_req *r);

/* End-of-request hooks ("after the response" work: rate-limit increment-condition, quota
 * bandwidth, token usage, concurrency slots): fn(r, ud) is called once, in registration order,
 * when the request finishes, after outbound / on-error and BEFORE the response is final (it may
 * still add client response headers; it must not suspend). A request freed without finishing
 * runs them from rt_req_free. Returns 0, or -1 at the arena cap. */
int rt_req_at_end(rt_req *r, void (*fn)(rt_req *r, void *ud), void *ud);
/* Runs the hooks (once; later calls do nothing). Called by the pipeline. */
void rt_req_run_at_end(rt_req *r);
/* Response hooks: fn(r, ud) is called once, in registration order, when the backend section
 * has completed and outbound is about to start (the backend response is known; token-limit
 * sets tokens-consumed before outbound reads it). Not called when outbound does not run
 * (failures, return-response): use rt_req_at_end for what must always happen. Returns 0, or -1
 * at the arena cap. rt_req_run_at_response is called by the pipeline. */
int rt_req_at_response(rt_req *r, void (*fn)(rt_req *r, void *ud), void *ud);
void rt_req_run_at_response(rt_req *r);

/* Keeps ctx->now (context.Elapsed, DateTime.UtcNow) in step with the clock. */
void rt_req_sync_time(rt_req *r);
/* ms since the epoch <-> .NET ticks */
int64_t rt_ms_to_ticks(int64_t ms);
int64_t rt_ticks_to_ms(int64_t ticks);

/* ---- headers: dicts of name -> string[] (case-insensitive, ordered) ---- */

/* The values of name, or NULL. */
xv_list *rt_hdr_get(const xv_dict *d, str name);
/* Appends value (copied) to name's list, creating it. Returns 0 or -1 (arena cap). */
int rt_hdr_add(rt_req *r, xv_dict *d, str name, str value);
/* Replaces name's values by an empty list (then rt_hdr_add). */
int rt_hdr_clear(rt_req *r, xv_dict *d, str name);
void rt_hdr_del(xv_dict *d, str name);
/* Headers that are repeated lines instead of comma-joined (spec/policies.md §4). */
bool rt_hdr_is_multiline(str name);
/* Flattens d into header lines in the arena: values joined by "," except multi-line headers. */
int rt_hdr_lines(rt_req *r, const xv_dict *d, rt_hdr **out, size_t *n);
/* A new dict from lines (repeated names become several values). NULL at the arena cap. */
xv_dict *rt_hdr_dict(rt_req *r, const rt_hdr *lines, size_t n);
/* rt_hdr_dict in a without copying: the names and values of lines must live in a and never
 * change (a transport's response: rt_tx_done; the request's own copy of what the server
 * received). The dict's arrays and lists are its own. NULL at the arena cap. */
xv_dict *rt_hdr_dict_borrow(arena *a, const rt_hdr *lines, size_t n);

/* ---- URL and body ---- */

/* Sets the backend base URL (absolute http(s)); -1 with a failure recorded on bad input. */
int rt_req_set_base(rt_req *r, str url);
/* Rebuilds ctx->request.url from base + path_rest + the query dict (call after a change). */
int rt_req_sync_url(rt_req *r);
/* The full URL of ctx->request.url as text (arena). */
str rt_req_url_text(rt_req *r, const rt_url *u);
/* A new body with bytes copied (content type from the Content-Type header of d when NULL). */
expr_body *rt_body_new(rt_req *r, str bytes, str content_type);
/* rt_body_new without copying: bytes and content_type must live in r's arena and never change
 * (a transport's response body). NULL at the arena cap. */
expr_body *rt_body_borrow(rt_req *r, str bytes, str content_type);
/* The bytes of a body as they would be sent: empty when NULL or consumed. */
str rt_body_bytes(const expr_body *b);
/* bytes parsed as a JSON object or array (json_loadb flags 0), parsed at most once per request
 * for the same bytes: token-limit, emit-token-metric and the request log all read the same
 * bodies. The same (ptr, len) must hold the same bytes while r lives (body bytes do: they are
 * copied into the request arena by rt_body_new and never written again), as the answers are
 * remembered by address, without reading the bytes again. The result is borrowed (owned by the
 * request arena) and must not be modified; NULL when the bytes are empty, not JSON, or at the arena
 * cap. */
const json_t *rt_req_json(rt_req *r, str bytes);

/* The members of a JSON body the gateway itself reads (request bodies: stream, model; response
 * bodies: usage), read without building a tree when that is safe (runtime/req_json.c) and
 * always equal to what rt_req_json's tree says. Remembered per request for the same bytes like
 * rt_req_json. Returned by value; its strings point into the bytes or the tree (request
 * arena). */
typedef struct rt_body_peek {
    bool json;             /* the bytes are a JSON object or array (rt_req_json not NULL) */
    bool stream;           /* "stream": true at the top level */
    str model;             /* the top-level "model" string (ptr NULL: none, or not a string) */
    bool has_usage;        /* rt_tokens_usage_from_json found a usage: */
    rt_tokens_usage usage; /* its result (all -1 when !has_usage) */
} rt_body_peek;
rt_body_peek rt_req_peek(rt_req *r, str bytes);
/* rt_tokens_usage_from_sse over bytes, remembered per request for the same bytes, set and
 * encoding: at the end of a stream token-limit, emit-token-metric and the request log all read
 * the usage of the same streamed body. */
int rt_req_sse_usage(rt_req *r, const rt_tokens_set *set, rt_tok_encoding enc, str bytes,
                     rt_tokens_usage *out);

/* Whether s is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF): what
 * jansson accepts as a string. */
bool rt_utf8_valid(str s);

/* ---- failures ---- */

/* Records a failure of the executing policy (Source = its element name unless source is
 * non-NULL) and returns POL_FAIL: `return rt_fail(r, NULL, "Timeout", "...")`. */
pol_status rt_fail(rt_req *r, const char *source, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Records r->env.err (an expression exception) as ExpressionValueEvaluationFailure. */
pol_status rt_fail_expr(rt_req *r);
/* Sets context.Response to APIM's error envelope {"statusCode": status, "message": msg}
 * (Content-Type application/json) and marks it preset for the failure that follows: rejecting
 * policies call it before rt_fail. */
int rt_req_error_response(rt_req *r, int status, const char *message);

/* ---- traces ---- */

/* A trace line for the executing policy ("--trace"): "[+Nms] file:line <name> message". */
void rt_trace(rt_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether tracing is on (to skip building expensive messages). */
bool rt_tracing(const rt_req *r);

#endif
