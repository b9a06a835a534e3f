#ifndef RUNTIME_SERVER_H
#define RUNTIME_SERVER_H

/* The gateway server of `apimlite serve` (server*.c): the configuration (world.h) served by
 * libevent evhttp on `listen:` with the curl transport and the event clock (one event loop per
 * worker: `workers: N` runs N loops on N threads (the main one included) on one SO_REUSEPORT
 * port, sharing the configuration, the memory counter store, observability and the request
 * log; each has its own transport, clock, identity provider, OIDC cache and Redis connection;
 * the gateway's breaker/pool hooks run under one mutex), the request log of `logs.path`
 * (reqlog.h), Prometheus text at `metrics.listen` /metrics, counters in memory (persisted to
 * `state:` every 5 s when a quota counter changed, and at shutdown) or, with `counters:
 * redis://...` / `unix://...`, in Redis on the loop (counters_redis.h) with the memory store as its
 * fallback, managed identity tokens from identity.h (rt_idp: IMDS / App Service / workload
 * identity, $APIMLITE_IDENTITY_ENDPOINT for tests).
 *
 * tls: { cert, key } (server_tls.c): every worker terminates TLS 1.2 / 1.3 with one shared
 * SSL_CTX; a client speaking plain HTTP to it fails the handshake and is disconnected.
 *
 * SIGHUP (server_reload.c): the configuration file is loaded again as at startup; errors are
 * printed (file:line:col) and the old configuration goes on serving; otherwise new requests on
 * every worker use the new one while requests in flight (streams included) finish on the old
 * one, freed with its last request. Counters, metrics, caches, loggers and the request log are
 * kept (counters with the same keys keep their values); breaker and pool state starts fresh.
 * listen, workers, tls, counters, state, logs.path, metrics.listen, loggers and tokenizer keep
 * their startup values (a changed one is reported as needing a restart).
 *
 * Hostile input (server_refuse.c, server_conn.c): a request line + header block over
 * max_headers gets a 431 with APIM's JSON body; libevent answers by itself a malformed request
 * line or headers or a header block over twice max_headers (400), a body over max_body (413)
 * and a method outside the allowed set (501); a request must arrive whole (line, headers,
 * body) within client_timeout_s of its first byte, else the connection is cut (408; a client
 * trickling bytes, slowloris, included). Each of these gets a request log line with
 * LastErrorReason and counts in apimlite_client_errors_total{status,reason}. A response header
 * set by a policy with CR, LF or NUL turns the response into a 500 (logged,
 * InvalidResponseHeader), and curl refuses such a header towards the backend. client_timeout_s
 * is also libevent's idle / read / write timeout of client connections.
 *
 * SIGTERM / SIGINT: stop accepting, let in-flight requests finish (up to drain_ms; the rest get
 * a 503), flush logs and state, free everything. */

#include <stdint.h>
#include <stdio.h>

typedef struct rt_server_opts {
    const char *config;         /* GATEWAY.yaml */
    const char *listen;         /* overrides `listen:` ("HOST:PORT", port 0 = any); NULL: config */
    const char *metrics_listen; /* overrides `metrics.listen`; NULL: config */
    int64_t drain_ms;           /* graceful shutdown deadline; 0: 10 s */
    size_t max_body;            /* request body cap (413); 0: 16 MiB */
    size_t max_headers;         /* request line + header block cap (431); 0: 64 KiB */
    int client_timeout_s;       /* request deadline, idle / read / write timeout; 0: 120 s */
} rt_server_opts;

/* Loads the configuration, binds, prints "listening on HOST:PORT" (then "metrics on
 * HOST:PORT" when configured) on out, and serves until SIGTERM / SIGINT. Returns the exit
 * status: 0 after a clean shutdown, 1 for configuration errors, 2 for I/O (bind) errors. */
int rt_server_run(const rt_server_opts *o, FILE *out);

#endif
