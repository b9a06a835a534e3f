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
} rt_world;

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
    int attempts;       /* forward-request calls made */
    bool body_sent;     /* forwarded once without buffer-request-body: not resent */
    void (*on_finish)(rt_req *r, void *ud);
    void *on_finish_ud;
};

/* Creates a request from a test-file / CTX.json style object (rt_ctx_from_json keys:
 * request {method, url, ip, headers, body}, api, operation, product, subscription, ...,
 * timestamp, random). The backend base is api.serviceUrl, or the request URL's origin when the
 * API has none (the implicit API); the backend path is the request path after api.path.
 * Returns NULL with a message in err on malformed input. */
rt_req *rt_req_new(const rt_world *w, const rt_program *prog, const json_t *ctx, char *err,
                   size_t errlen);
/* Releases the arena and r. */
void rt_req_free(rt_req *r);

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

/* ---- URL and body ---- */

/* Sets the backend base URL (absolute http(s)); -1 with a failure recorded on bad input. */
int rt_req_set_base(rt_req *r, str url);
/* Rebuilds ctx->request.url from base + path_rest + the query dict (call after a change). */
int rt_req_sync_url(rt_req *r);
/* The full URL of ctx->request.url as text (arena). */
str rt_req_url_text(rt_req *r, const rt_url *u);
/* A new body with bytes copied (content type from the Content-Type header of d when NULL). */
expr_body *rt_body_new(rt_req *r, str bytes, str content_type);
/* The bytes of a body as they would be sent: empty when NULL or consumed. */
str rt_body_bytes(const expr_body *b);

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
