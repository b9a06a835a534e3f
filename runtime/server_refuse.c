/* `apimlite serve`: what never reaches the pipeline or must not leave it: requests the gateway
 * refuses itself (431 for a header block over the limit, 400 for a bad target) with APIM's JSON
 * body and a request log line, and response headers with CR/LF from policies (500). */
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server_impl.h"

bool srv_hop_by_hop(str name)
{
    static const char *const names[] = { "Connection",        "Keep-Alive",    "Proxy-Connection",
                                         "Transfer-Encoding", "Upgrade",       "TE",
                                         "Trailer",           "Content-Length" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (str_ieq(name, str_from(names[i])))
            return true;
    }
    return false;
}

bool srv_clean_text(str s)
{
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '\r' || s.ptr[i] == '\n' || s.ptr[i] == '\0')
            return false;
    }
    return true;
}

/* A response header a policy set with CR, LF or NUL in it (header injection): the response is
 * replaced by a 500 and the failure recorded for the request log. True when it happened. */
bool srv_refuse_bad_headers(srv_req *q, const rt_hdr *lines, size_t n)
{
    rt_req *r = q->r;
    for (size_t i = 0; i < n; i++) {
        if (lines[i].name.len && srv_clean_text(lines[i].name) && srv_clean_text(lines[i].value))
            continue;
        fprintf(stderr,
                "apimlite serve: response header '%.*s' has CR, LF or NUL in its name or value: "
                "answering 500\n",
                (int)(lines[i].name.len < 100 ? lines[i].name.len : 100), lines[i].name.ptr);
        r->failed = true;
        r->err.source = STR_LIT("gateway");
        r->err.reason = STR_LIT("InvalidResponseHeader");
        r->err.message = STR_LIT("A response header value contains CR, LF or NUL");
        srv_reply_error(q->ev, 500, "Internal server error: invalid response header");
        r->ctx->response.status = 500;
        return true;
    }
    return false;
}

/* A reply for a request that never reached the pipeline. */
void srv_reply_error(struct evhttp_request *ev, int status, const char *msg)
{
    struct evbuffer *b = evbuffer_new();
    json_t *j = json_pack("{s:i, s:s}", "statusCode", status, "message", msg);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (b && text)
        evbuffer_add(b, text, strlen(text));
    evhttp_add_header(evhttp_request_get_output_headers(ev), "Content-Type", "application/json");
    evhttp_send_reply(ev, status, NULL, b);
    free(text);
    json_decref(j);
    if (b)
        evbuffer_free(b);
}

const char *srv_method_name(enum evhttp_cmd_type c)
{
    switch (c) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_OPTIONS:
        return "OPTIONS";
    case EVHTTP_REQ_TRACE:
        return "TRACE";
    case EVHTTP_REQ_CONNECT:
        return "CONNECT";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    }
    return NULL;
}

/* The request log line (or, without a log, a stderr line) of a client error the gateway
 * answered or cut before the pipeline, and the client-errors counter. method and uri may be
 * NULL (no request was parsed); the URL is logged without its query (keys may be there). */
static void log_client_error(srv *s, const char *ip, const char *method, const char *uri,
                             int status, const char *reason, const char *msg)
{
    char code[16];
    snprintf(code, sizeof code, "%d", status);
    rt_label l[2] = { { STR_LIT("status"), str_from(code) },
                      { STR_LIT("reason"), str_from(reason) } };
    rt_metrics_counter_add(s->obs->metrics, "apimlite_client_errors_total", l, 2, 1);
    size_t plen = uri ? strcspn(uri, "?#") : 0;
    if (plen > 2048)
        plen = 2048;
    if (!s->log) {
        if (uri)
            fprintf(stderr, "apimlite serve: %s %s %.*s: %d %s\n", ip, method ? method : "-",
                    (int)plen, uri, status, msg);
        else
            fprintf(stderr, "apimlite serve: %s: %d %s\n", ip, status, msg);
        return;
    }
    int64_t now = rt_clock_now(s->w.clock);
    time_t t = (time_t)(now / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char when[48];
    snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(now % 1000));
    /* every column of a request log line (DESIGN.md §5) in its order, null where nothing is
     * known (no request reached the pipeline) */
    static const char *const cols[] = { "TimeGenerated",
                                        "RequestId",
                                        "CallerIpAddress",
                                        "Method",
                                        "Url",
                                        "ApiId",
                                        "OperationId",
                                        "ProductId",
                                        "SubscriptionId",
                                        "BackendId",
                                        "BackendUrl",
                                        "ResponseCode",
                                        "BackendResponseCode",
                                        "TotalTime",
                                        "BackendTime",
                                        "Attempts",
                                        "Model",
                                        "PromptTokens",
                                        "CompletionTokens",
                                        "TotalTokens",
                                        "Streamed",
                                        "LastErrorSource",
                                        "LastErrorReason",
                                        "LastErrorMessage",
                                        "RequestBody",
                                        "BackendResponseBody" };
    json_t *line = json_object();
    for (size_t i = 0; line && i < sizeof cols / sizeof cols[0]; i++) {
        const char *k = cols[i];
        json_t *v = !strcmp(k, "TimeGenerated")      ? json_string(when)
                    : !strcmp(k, "CallerIpAddress")  ? json_string(ip)
                    : !strcmp(k, "Method") && method ? json_string(method)
                    : !strcmp(k, "Url") && uri       ? json_stringn(uri, plen)
                    : !strcmp(k, "ResponseCode")     ? json_integer(status)
                    : !strcmp(k, "TotalTime") || !strcmp(k, "BackendTime") || !strcmp(k, "Attempts")
                        ? json_integer(0)
                    : !strcmp(k, "Streamed")         ? json_false()
                    : !strcmp(k, "LastErrorSource")  ? json_string("gateway")
                    : !strcmp(k, "LastErrorReason")  ? json_string(reason)
                    : !strcmp(k, "LastErrorMessage") ? json_string(msg)
                                                     : json_null();
        json_object_set_new(line, k, v);
    }
    if (line)
        rt_reqlog_write(s->log, line);
    json_decref(line);
}

void srv_log_client_error(srv *s, const char *ip, int status, const char *reason, const char *msg)
{
    log_client_error(s, ip, NULL, NULL, status, reason, msg);
}

/* The size of the request line and header block as received (libevent's own cap is twice the
 * configured limit, so that the gateway answers 431 itself up to there). */
size_t srv_header_bytes(struct evhttp_request *ev)
{
    const char *uri = evhttp_request_get_uri(ev);
    size_t n = (uri ? strlen(uri) : 0) + 20;
    struct evkeyvalq *in = evhttp_request_get_input_headers(ev);
    for (struct evkeyval *kv = in->tqh_first; kv; kv = kv->next.tqe_next)
        n += strlen(kv->key) + strlen(kv->value) + 4;
    return n;
}

void srv_refuse(srv_req *q, int status, const char *reason, const char *msg)
{
    log_client_error(q->s, q->ip, srv_method_name(evhttp_request_get_command(q->ev)),
                     evhttp_request_get_uri(q->ev), status, reason, msg);
    if (status == 431 || status == 400) /* the client may keep sending big headers, or the
                                         * connection's framing is in doubt: not on it */
        evhttp_add_header(evhttp_request_get_output_headers(q->ev), "Connection", "close");
    srv_reply_error(q->ev, status, msg);
    srv_conn_end(q); /* after the reply: its output is not one of libevent's own */
    free(q);
}
