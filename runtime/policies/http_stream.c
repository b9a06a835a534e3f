/* forward-request's streamed receive (http_int.h): the backend's answer relayed to the client
 * as it arrives (rt_relay), with the first bytes kept for token usage and the request log, or
 * accumulated when it is not relayed; a client that goes mid-stream cancels the call. */
#include <string.h>

#include "http_int.h"

static void release_acc(void *p)
{
    buf_release(p);
}

/* The client left during a relayed stream: the call is cancelled; the pipeline goes on with a
 * failure (on-error runs; the server ends what is left of the reply). */
static void client_gone(void *ud)
{
    call_state *cs = ud;
    rt_req *r = cs->wake.r;
    cs->gone_timer = NULL;
    rt_req_unhold(r);
    rt_wake_enter(&cs->wake);
    rt_trace(r, "the client closed the connection during the streamed response");
    /* what was relayed is the response (usage of the part the client got is counted) */
    if (cs->head) {
        rt_http_resp got = *cs->head;
        got.body = cs->acc_init ? str_make(cs->acc.ptr, cs->acc.len) : STR_LIT("");
        if (r->w->call_result)
            r->w->call_result(r, cs->backend_id, RT_TX_OK, &got);
        rt_response *o =
            rt_pol_http_response_from(r, &got, false); /* the body is the accumulator */
        if (o) {
            r->ctx->response = *o;
            r->backend_status = got.status;
            r->response_preset = true;
        }
    }
    pol_status st = rt_fail(r, NULL, "ClientConnectionFailure",
                            "the client closed the connection during the streamed response");
    rt_wake_resume(&cs->wake, st);
}

static bool is_event_stream(const rt_http_resp *resp)
{
    for (size_t i = 0; i < resp->nheaders; i++) {
        if (!str_ieq(resp->headers[i].name, STR_LIT("Content-Type")))
            continue;
        str v = str_trim(resp->headers[i].value), want = STR_LIT("text/event-stream");
        return v.len >= want.len && str_ieq(str_make(v.ptr, want.len), want) &&
               (v.len == want.len || v.ptr[want.len] == ';' || v.ptr[want.len] == ' ');
    }
    return false;
}

static void on_stream_headers(void *ud, const rt_http_resp *resp)
{
    call_state *cs = ud;
    rt_req *r = cs->wake.r;
    /* errors (429, 5xx) stay buffered: retry, on-error and outbound can still act on them;
     * an answer the request did not ask to stream is relayed when it is an event stream */
    if (resp->status >= 200 && resp->status <= 299 && r->w->relay &&
        (cs->asked || is_event_stream(resp)) && r->w->relay->start(r, resp) == 0) {
        cs->relaying = true;
        cs->stream.whole_timeout = false;
        cs->head = resp;
        rt_trace(r, "backend answered %d: relaying the response as it arrives", resp->status);
    }
}

static void on_stream_chunk(void *ud, const char *p, size_t n)
{
    call_state *cs = ud;
    rt_req *r = cs->wake.r;
    if (cs->client_gone)
        return;
    size_t cap = cs->relaying ? RELAY_KEEP : BUFFERED_MAX;
    if (!cs->too_big && cs->acc.len + n <= cap) {
        if (!cs->acc_init) {
            buf_init(&cs->acc, 0);
            cs->acc_init = true;
            if (arena_defer(&r->arena, release_acc, &cs->acc) < 0)
                cs->too_big = true; /* at the cap: keep nothing */
        }
        if (!cs->too_big && buf_append(&cs->acc, p, n) < 0)
            cs->too_big = true;
    } else {
        cs->too_big = true; /* relayed: the rest is only relayed; buffered: an error at the end */
    }
    if (cs->relaying && r->w->relay->chunk(r, p, n) < 0) {
        cs->client_gone = true;
        if (cs->call) {
            r->w->transport->cancel(r->w->transport, cs->call);
            cs->call = NULL;
        }
        /* the call's hold goes to the timer; the pipeline resumes outside this callback */
        cs->gone_timer = rt_clock_after(r->w->clock, 0, client_gone, cs);
        if (!cs->gone_timer)
            client_gone(cs);
    }
}

/* Did the request ask for a stream? */
static bool asked_stream(rt_req *r, bool buffer_response)
{
    if (!buffer_response)
        return true;
    xv_list *acc = rt_hdr_get(r->ctx->request.headers, STR_LIT("Accept"));
    for (size_t i = 0; acc && i < acc->n; i++) {
        if (acc->items[i].kind == XV_STR &&
            str_find(acc->items[i].u.s, STR_LIT("text/event-stream")) >= 0)
            return true;
    }
    str b = rt_body_bytes(r->ctx->request.body);
    if (!b.len || b.len > ((size_t)1 << 20))
        return false;
    return rt_req_peek(r, b).stream; /* read once per request, without a JSON tree */
}

void rt_pol_http_stream_init(rt_req *r, call_state *cs, bool buffer_response, rt_http_req *hr)
{
    if (!r->w->relay)
        return;
    cs->asked = asked_stream(r, buffer_response);
    cs->stream.on_headers = on_stream_headers;
    cs->stream.on_chunk = on_stream_chunk;
    cs->stream.whole_timeout = !cs->asked;
    hr->stream = &cs->stream;
}
