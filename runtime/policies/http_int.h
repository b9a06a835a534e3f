#ifndef RUNTIME_POLICIES_HTTP_INT_H
#define RUNTIME_POLICIES_HTTP_INT_H

/* Private to policies/http.c and http_stream.c: the state of one backend call of
 * forward-request / send-request, and forward-request's streamed receive (rt_relay). */

#include "common.h"

typedef struct call_state {
    rt_wake wake;
    rt_tx_call *call;
    const char *var; /* send-request: response-variable-name */
    bool ignore_error;
    bool one_way;
    bool fail_on_error;
    int64_t timeout_ms;
    str backend_id; /* forward-request: the backend called (its circuit breaker counts it) */
    /* stream: a streamed receive (rt_relay): the bytes received (capped when relayed) */
    rt_tx_stream stream;
    buf acc;
    bool acc_init, relaying, too_big, client_gone;
    bool asked; /* the request asked for a stream (else only a text/event-stream answer is) */
    rt_timer *gone_timer;
    const rt_http_resp *head; /* the relayed response's headers (request arena) */
} call_state;

/* What a streamed receive keeps: the whole body when buffered (as the curl transport would),
 * the first RELAY_KEEP bytes of a relayed one (token usage, request log). */
#define BUFFERED_MAX (ARENA_REQUEST_CAP / 2)
#define RELAY_KEEP   ((size_t)1 << 20)

/* context.Response (or a send-request result) from a transport's answer; borrow: resp's strings
 * live in the request arena (rt_tx_done's resp) and are not copied. */
rt_response *rt_pol_http_response_from(rt_req *r, const rt_http_resp *resp, bool borrow);

/* http_stream.c: makes hr a streamed receive when the server relays (r->w->relay): a request
 * that asked for a stream (not buffer-response, Accept: text/event-stream or "stream": true in
 * its body) is relayed from its headers on; another one only if its answer is an event stream
 * (else it is buffered, with the timeout over the whole response). */
void rt_pol_http_stream_init(rt_req *r, call_state *cs, bool buffer_response, rt_http_req *hr);

#endif
