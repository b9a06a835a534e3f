#ifndef RUNTIME_TRANSPORT_H
#define RUNTIME_TRANSPORT_H

/* The runtime's only way out (DESIGN.md §1): send one HTTP request (forward-request, a
 * send-request side call, a token fetch...) and get the response back asynchronously. `serve`
 * plugs in libcurl multi on libevent; `apimlite test` / `run` the scripted transport below.
 * Nothing in a policy calls curl or sockets directly. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/str.h"
#include "clock.h"

/* One header line. Lists are ordered; a name may repeat (repeated header lines). */
typedef struct rt_hdr {
    str name, value;
} rt_hdr;

typedef struct rt_http_resp rt_http_resp;

/* Optional streaming receive (issue 4 §4: relay SSE chunks as they arrive). A transport that
 * streams calls on_headers once, when the final response's headers are complete (resp has
 * status, reason and headers; body empty; it stays valid until done), then on_chunk for each
 * piece of the body as it arrives, then done (RT_TX_OK at the end of the body, or an error when
 * the backend died mid-stream: the receiver knows from on_headers that headers were sent). The
 * ud of all three is send's ud. A receiver may call cancel (nothing is called afterwards) and
 * send from inside on_headers / on_chunk. In done, resp->body holds
 * what was NOT passed to on_chunk: empty for a streaming transport (the curl one); a transport
 * without streaming (the scripted one) calls neither callback and delivers the whole body in
 * done, so a receiver handles both. */
typedef struct rt_tx_stream {
    void (*on_headers)(void *ud, const rt_http_resp *resp);
    void (*on_chunk)(void *ud, const char *p, size_t n); /* p valid during the call */
    /* Set: the call's timeout covers the whole response (as for a buffered call) unless it is
     * cleared by the time on_headers returns (a receiver that only learns from the headers
     * whether it relays, e.g. a text/event-stream answer to a request that did not ask). */
    bool whole_timeout;
} rt_tx_stream;

typedef struct rt_http_req {
    str method; /* upper case */
    str url;    /* absolute: scheme://host[:port]/path?query */
    const rt_hdr *headers;
    size_t nheaders;
    str body;           /* may be empty */
    int64_t timeout_ms; /* until the response headers arrive; <= 0: none. The curl transport
                         * applies it to the whole response (connect included), and, with
                         * stream set, only until the headers arrive */
    str backend_id;     /* backend entity the call goes to (set-backend-service backend-id or a
                         * pool member); empty for plain URLs */
    const char *origin; /* which policy sends it: "forward-request", "send-request", ... */
    const rt_tx_stream *stream; /* NULL: buffered response; else streaming receive (above);
                                 * must stay valid until done or cancel */
    /* Backend TLS and proxy (config backends' tls / proxy); zero = verify, no proxy */
    bool tls_skip_chain; /* !tls.validateCertificateChain: don't verify the peer's chain */
    bool tls_skip_name;  /* !tls.validateCertificateName: don't match the host name */
    str proxy_url;       /* "" = none (and no environment proxy either) */
    str proxy_username, proxy_password;
} rt_http_req;

struct rt_http_resp {
    int status;
    str reason;
    rt_hdr *headers;
    size_t nheaders;
    str body; /* buffered; with rt_http_req.stream, what was not passed to on_chunk */
};

typedef enum rt_tx_result {
    RT_TX_OK,      /* resp is set (any HTTP status, 4xx/5xx included) */
    RT_TX_CONNECT, /* could not connect / connection reset: BackendConnectionFailure */
    RT_TX_TIMEOUT, /* no response headers within timeout_ms: Timeout */
    RT_TX_ERROR,   /* anything else (scripted transport: no answer left); message says what */
} rt_tx_result;

/* Completion: called exactly once per send (unless cancelled), never from inside send().
 * resp (RT_TX_OK only) and its strings live in the arena given to send. message: a human
 * description for errors (NULL for RT_TX_OK), valid during the call. */
typedef void (*rt_tx_done)(void *ud, rt_tx_result res, const rt_http_resp *resp,
                           const char *message);

typedef struct rt_tx_call rt_tx_call; /* an in-flight call, owned by the transport */
typedef struct rt_transport rt_transport;

struct rt_transport {
    /* Starts req (copied as needed: req may go away after the call). The response is
     * allocated in a (the request arena). Returns the in-flight call, or NULL when it could
     * not even be started (done is then not called). */
    rt_tx_call *(*send)(rt_transport *t, arena *a, const rt_http_req *req, rt_tx_done done,
                        void *ud);
    /* Cancels an in-flight call: done will not be called. */
    void (*cancel)(rt_transport *t, rt_tx_call *call);
};

/* ---- the scripted transport (transport_script.c) ----
 * Answers come from the `backends:` of a test file (DESIGN.md §4): keyed by backend id or by
 * a URL prefix of the call (the backend id key wins, then the longest prefix; "*" matches any
 * call), consumed in order. Each answer is a JSON object {status (default 200), reason,
 * headers {name: value | [values]}, body (string, or JSON serialized), delay ("1500ms", "2s"
 * or ms as a number), error: "connect" | "timeout"}. Delays and timeouts run on the clock.
 * Every call is recorded (which key answered, what it received). */

typedef struct rt_script rt_script;

rt_script *rt_script_new(rt_clock *clock);
void rt_script_free(rt_script *s);
rt_transport *rt_script_transport(rt_script *s);
/* Appends the answers (a JSON array of answer objects, or one object) for key. Returns 0, or
 * -1 with a message in err for a malformed answer. */
int rt_script_add(rt_script *s, const char *key, const json_t *answers, char *err, size_t errlen);
/* The calls made so far, in call order: a JSON array of {key, method, url, headers {name:
 * value}, body (parsed JSON when it parses, else the string)}. Borrowed. */
const json_t *rt_script_calls(const rt_script *s);
/* The first scripting problem (a call no answer was left for), or NULL. */
const char *rt_script_failure(const rt_script *s);
/* Forgets recorded calls and the failure (between steps, to check each request). */
void rt_script_reset_calls(rt_script *s);

/* Parses a duration: "1500ms", "4s", "2m", "1h", "0", or a bare number of ms. Returns 0, or -1. */
int rt_parse_duration(const char *text, int64_t *ms);

#endif
