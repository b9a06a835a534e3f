#ifndef RUNTIME_POLICIES_LLMCALL_H
#define RUNTIME_POLICIES_LLMCALL_H

/* Shared by the semantic cache (semcache.c) and llm-content-safety (safety.c): the text of an
 * LLM request, and side calls to a backend entity of the gateway configuration named by id
 * (embeddings-backend-id, backend-id).
 *
 * Side calls ([impl] choices):
 *  - the backend is looked up in the loaded configuration (rt_gw_config); a pool calls its
 *    first member (pools are not load-balanced for side calls). Without a configuration (a
 *    `policy:` test, `apimlite run` without --config) or when the id is unknown the call does
 *    not start: rt_llm_call returns -1 with a reason and records nothing.
 *  - URL: the backend's url + path (path may carry a query); the backend's credentials apply as
 *    they do to forward-request (headers replace same-named ones, query parameters appended,
 *    authorization, managedIdentity); the call's backend_id is the backend's id (scripted test
 *    backends are keyed by it) and its result is recorded on the backend's circuit breaker.
 *  - with system_mi, a backend without authorization / managedIdentity credentials gets
 *    `Authorization: Bearer <token>` of the gateway's system-assigned identity for
 *    https://cognitiveservices.azure.com (embeddings-backend-auth="system-assigned"); when no
 *    token can be had the call is still made when the backend has header or query credentials
 *    (an api-key), and otherwise does not start. */

#include "common.h"

/* The text parts of an LLM request body (JSON): chat `messages[].content` (a string or an
 * array of {type: "text", text} parts), completions `prompt` (string or array of strings),
 * Responses API / embeddings `input` (string, array of strings, or array of messages). */
typedef struct rt_llm_prompt {
    str *texts; /* the text of each message (or prompt), in order; request arena */
    size_t n;
    size_t messages; /* chat: messages counted (system ones excluded when ignored) */
    bool chat;       /* the body has messages (or input messages) */
    bool stream;     /* "stream": true */
} rt_llm_prompt;

/* Reads body (JSON). ignore_system drops messages whose role is "system" or "developer".
 * Returns 1 with *out set, 0 when the body is no LLM request (not JSON, no prompt), -1 at the
 * arena cap. */
int rt_llm_prompt_read(rt_req *r, str body, bool ignore_system, rt_llm_prompt *out);
/* The texts joined by sep (request arena); STR_NULL at the arena cap. */
str rt_llm_prompt_join(rt_req *r, const rt_llm_prompt *p, const char *sep);

/* Completion of a side call, called once with the pipeline re-entered (rt_wake_enter done):
 * res / resp / msg as rt_tx_done. Returns the policy's result: POL_NEXT, POL_RESPOND, POL_FAIL
 * (after rt_fail), or POL_SUSPEND after starting another rt_llm_call. */
typedef pol_status (*rt_llm_done)(rt_req *r, void *ud, rt_tx_result res, const rt_http_resp *resp,
                                  const char *msg);

typedef struct rt_llm_req {
    str backend_id;
    str path; /* appended to the backend's url ("" = the url itself) */
    str body; /* JSON, sent with Content-Type: application/json */
    bool system_mi;
    int64_t timeout_ms;
    const char *origin; /* the policy's name (traces, transport) */
} rt_llm_req;

/* Starts a POST side call. Returns 0 when started (the policy returns POL_SUSPEND; done is
 * called later unless the request is cancelled), or -1 with *why (a message in the request
 * arena) when it could not start; nothing is recorded on r in that case. */
int rt_llm_call(rt_req *r, const rt_llm_req *q, rt_llm_done done, void *ud, str *why);

#endif
