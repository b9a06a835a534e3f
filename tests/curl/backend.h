/* The loopback backends of the curl tests (backend.c). */
#ifndef TESTS_CURL_BACKEND_H
#define TESTS_CURL_BACKEND_H

#include <event2/util.h>

struct event_base;

/* Starts both servers on base (127.0.0.1, ephemeral ports). The evhttp one answers:
 * /echo (method, body length, short body; request headers reflected as X-Got-*), /multi (201
 * with repeated headers), /big/<n> and /chunked/<n> (n bytes, with or without Content-Length),
 * /headers/<n> (n headers of ~100 bytes), /stream (4 SSE events 60 ms apart, chunked),
 * /status/<code>, anything else: its path. Returns 0, or -1 when a socket cannot be bound. */
int backend_start(struct event_base *base, int *http_port, int *raw_port);
void backend_stop(void);

/* What the raw server does with a request. */
enum raw_mode { RAW_CLOSE, RAW_SILENT, RAW_GARBAGE };
extern enum raw_mode raw_mode;
/* Closes the raw server's open connections (the silent ones stay open until then). */
void raw_close_all(void);

/* Distinct client connections (peer ports) the evhttp server saw since npeers was zeroed. */
extern int npeers;

/* The local port of a bound socket. */
int bound_port(evutil_socket_t fd);

#endif
