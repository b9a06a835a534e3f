#ifndef RUNTIME_CTX_IMPL_H
#define RUNTIME_CTX_IMPL_H

/* The data behind `context` (private to runtime/ctx*.c; the pipeline will fill the same
 * structures). Every pointer and str lives in the context's arena. A str whose ptr is NULL
 * reads as null in expressions. */

#include "ctx.h"

#include <stdio.h>

typedef struct rt_url {
    str scheme, host, path; /* scheme and host lower-case; path without the query */
    str query_string;       /* "?a=1&b=2" or "" */
    int port;
    xv_dict *query; /* name -> string[] (ci, read-only) */
} rt_url;

typedef struct rt_request {
    str method, ip;
    rt_url *url, *original_url;
    xv_dict *headers; /* name -> string[] (ci, read-only) */
    xv_dict *matched; /* name -> string */
    expr_body *body;  /* NULL = no body */
} rt_request;

/* context.Response and send-request results (IResponse). */
typedef struct rt_response {
    int status;
    str reason;
    xv_dict *headers;
    expr_body *body;
} rt_response;

/* IGroup (id, name), IUserIdentity (id, provider = name), IWorkspace (id, name). */
typedef struct rt_named {
    str id, name;
} rt_named;

typedef struct rt_ctx_api {
    str id, name, path, revision, version, key_header, key_query;
    rt_url *service_url; /* NULL when unknown */
    xv_list *protocols;
    bool current;
} rt_ctx_api;

typedef struct rt_ctx_operation {
    str id, name, method, url_template;
} rt_ctx_operation;

typedef struct rt_ctx_product {
    str id, name, state;
    bool approval_required, subscription_required, has_limit;
    int64_t subscription_limit;
    xv_list *apis, *groups;
} rt_ctx_product;

typedef struct rt_ctx_subscription {
    str id, name, key, primary_key, secondary_key;
    int64_t created, start, end; /* ticks; end == 0: no end date */
} rt_ctx_subscription;

typedef struct rt_ctx_user {
    str id, email, first_name, last_name, note;
    int64_t registered;
    xv_list *groups, *identities;
} rt_ctx_user;

typedef struct rt_lasterror {
    str source, reason, message, scope, section, path, policy_id;
} rt_lasterror;

typedef struct rt_deployment {
    str region, service_name, service_id, gateway_id;
    bool managed;
    xv_dict *certificates;
} rt_deployment;

struct rt_ctx {
    arena *a;
    rt_request request;
    rt_response response;
    rt_ctx_api api;
    rt_ctx_operation operation;
    rt_deployment deployment;
    rt_ctx_product *product;           /* NULL outside a product */
    rt_ctx_subscription *subscription; /* NULL for anonymous calls */
    rt_ctx_user *user;                 /* NULL without a user-owned subscription */
    rt_lasterror *last_error;          /* NULL outside on-error */
    rt_named *workspace;               /* NULL outside a workspace */
    xv_dict *variables;
    int64_t timestamp, now; /* .NET ticks (UTC); now is the virtual clock */
    uint8_t request_id[16]; /* .NET byte order */
    bool tracing;
    const int64_t *random; /* scripted Random.Next results */
    size_t nrandom, irandom;
    uint64_t prng;   /* splitmix64 state once the script is exhausted */
    FILE *trace_out; /* context.Trace sink (NULL = discard) */
};

/* ctx_host.c */
extern const expr_host rt_ctx_host;

/* ---- building an rt_ctx from CTX.json (ctx.c, ctx_records.c) ---- */

#define TICKS_PER_SEC 10000000LL
#define TICKS_PER_DAY (86400LL * TICKS_PER_SEC)
#define DAYS_TO_1970  719162LL /* 0001-01-01 .. 1970-01-01 */

/* Parsing state: the arena, the first error, the context's timestamp (a default for dates). */
typedef struct rt_jp {
    arena *a;
    char *err;
    size_t errlen;
    int64_t timestamp;
} rt_jp;

/* Each returns 0, or -1 after writing the error. "where" names the enclosing key in messages
 * ("subscription"); absent or null members give def. */
int rt_jp_fail(rt_jp *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rt_jp_oom(rt_jp *p);
int rt_jp_dup_str(rt_jp *p, const char *s, size_t n, str *out);
/* A string member (numbers and booleans are accepted as their text). */
int rt_jp_str(rt_jp *p, const json_t *obj, const char *where, const char *key, str def, str *out);
int rt_jp_bool(rt_jp *p, const json_t *obj, const char *where, const char *key, bool def,
               bool *out);
/* An optional object member: *out NULL when absent. */
int rt_jp_obj(rt_jp *p, const json_t *obj, const char *key, const json_t **out);
/* An ISO-8601 date-time member as .NET ticks (UTC). */
int rt_jp_time(rt_jp *p, const json_t *obj, const char *where, const char *key, int64_t def,
               int64_t *out);
int rt_jp_parse_url(rt_jp *p, const char *where, const char *text, rt_url **out);
/* text[0..len) parsed like rt_jp_parse_url once for many requests (world.c: an API's serviceUrl
 * for every request of the API), in a (a long-lived arena): the result is shared read-only.
 * NULL when the URL has a query (its dict holds string[] lists an expression could change:
 * parsed per request) or does not parse (per request too, for the request's error). */
rt_url *rt_url_parse_shared(arena *a, str text);
/* The ISO-8601 date-time s (NUL-terminated) as .NET ticks (UTC); -1 when malformed. */
int rt_jp_iso_ticks(const char *s, int64_t *out);
/* The context's default for dates a record leaves unset (2026-01-01T00:00:00Z). */
#define RT_CTX_DEFAULT_TICKS 639028224000000000LL
/* A new empty string[] (NULL at the arena cap, error written). */
xv_list *rt_jp_str_list(rt_jp *p);

/* ctx_records.c: the records around the request. */
int rt_ctx_build_api(rt_jp *p, const json_t *ctx, rt_ctx_api *api);
int rt_ctx_build_product(rt_jp *p, const json_t *ctx, rt_ctx *c);
int rt_ctx_build_subscription(rt_jp *p, const json_t *ctx, rt_ctx *c);
int rt_ctx_build_user(rt_jp *p, const json_t *ctx, rt_ctx *c);
/* operation, lastError, workspace, deployment, tracing */
int rt_ctx_build_misc(rt_jp *p, const json_t *ctx, rt_ctx *c);
int rt_ctx_build_random(rt_jp *p, const json_t *ctx, rt_ctx *c);
int rt_ctx_build_request_id(rt_jp *p, const json_t *ctx, rt_ctx *c);

#endif
