#ifndef RUNTIME_TRANSPORT_CURL_H
#define RUNTIME_TRANSPORT_CURL_H

/* The real transport of `apimlite serve` (transport_curl.c): rt_transport over one libcurl
 * multi handle driven by one libevent event_base (STYLE.md §8), one per worker thread. Not
 * thread-safe: use it from its base's thread only. The process calls curl_global_init once
 * before creating any, and curl_global_cleanup after freeing them all, and ignores SIGPIPE
 * (calls use CURLOPT_NOSIGNAL, so curl does not do it for us).
 *
 * Per call: the method (HEAD without a body; a body is sent with its exact length, POST /
 * PUT / PATCH always send one, even empty), the URL (http and https only, the path as given),
 * the headers as given except the hop-by-hop ones the transport manages itself (Connection,
 * Keep-Alive, Proxy-Connection, TE, Transfer-Encoding, Upgrade, Content-Length): Host, when
 * given, is sent as given, else curl derives it from the URL. curl adds no Accept, Expect,
 * Content-Type or User-Agent of its own. A header name or value with CR, LF or NUL fails the
 * call (RT_TX_ERROR). Redirects are not followed; content encodings are passed through as is.
 * TLS verification is on unless the call says otherwise; environment proxies are ignored.
 *
 * Timeouts: timeout_ms bounds the whole response (CURLOPT_TIMEOUT_MS) and the connection
 * (CURLOPT_CONNECTTIMEOUT_MS, unless opts.connect_timeout_ms); a streamed call (req->stream)
 * is bounded only until its response headers arrive.
 *
 * Results: any HTTP status is RT_TX_OK. RT_TX_TIMEOUT: timeout_ms (or the connect timeout)
 * elapsed. RT_TX_CONNECT: resolve / connect / TLS handshake or verification failure, and a
 * connection closed or reset before the response ended (a backend that closes without
 * answering included: APIM reports that as BackendConnectionFailure). RT_TX_ERROR: anything
 * else, e.g. "response too large" (over opts.max_body), a malformed response, bad headers.
 * message is curl's description.
 *
 * Connections are cached per host by the multi handle for the transport's whole life
 * (keep-alive reuse, HTTP/2 multiplexing over TLS), with TCP keep-alive probes. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

struct event_base;

#define RT_CURL_MAX_BODY ((size_t)64 << 20)

typedef struct rt_curl_opts {
    size_t max_body;            /* buffered response body cap in bytes; 0: RT_CURL_MAX_BODY */
    int64_t connect_timeout_ms; /* > 0: connection timeout of every call; 0: the call's */
    long max_connects;          /* idle connections kept (all hosts); 0: 64 */
    const char *ca_file;        /* CA bundle (PEM) for backends; NULL: the system's */
    bool no_tcp_keepalive;      /* don't send TCP keep-alive probes on idle connections */
} rt_curl_opts;

typedef struct rt_curl rt_curl;

/* A transport on base (base must outlive it). opts may be NULL (defaults); ca_file is copied.
 * Returns NULL when libcurl or libevent cannot create their handles. */
rt_curl *rt_curl_new(struct event_base *base, const rt_curl_opts *opts);
/* Cancels every call in flight (their done callbacks never run), closes the cached
 * connections and frees the transport. Call it before event_base_free, and never from inside
 * one of its callbacks. NULL is ignored. */
void rt_curl_free(rt_curl *ct);
/* The vtable to hand to the runtime; valid as long as the transport. */
rt_transport *rt_curl_transport(rt_curl *ct);
/* Calls started and neither completed nor cancelled. */
size_t rt_curl_inflight(const rt_curl *ct);

/* Calls (rt_transport.send) behave as transport.h says, plus:
 * - the call lives on the heap; the request arena a gets a cleanup hook, so releasing a with
 *   a call still in flight cancels it (done is not called) instead of leaving a dangling call;
 * - resp, its headers and reason live in a; a buffered body is a heap block that a frees;
 * - done runs from the event loop, never from inside send; it may send new calls and cancel
 *   others; streaming callbacks may cancel (any call) and send (started on the next turn). */

#endif
