#ifndef RUNTIME_TRANSPORT_CURL_SOCK_H
#define RUNTIME_TRANSPORT_CURL_SOCK_H

/* The sockets curl asks the curl transport to watch (transport_curl_sock.c), kept in a table
 * indexed by fd with one persistent read and one persistent write event each, so that a
 * keep-alive connection costs no epoll_ctl per request:
 * - curl's interest changes (CURL_POLL_IN / OUT / INOUT) add or delete only the event that
 *   really changes;
 * - CURL_POLL_REMOVE on a connection socket (one curl opened for a connection: rt_csock_opened)
 *   parks it: the write event goes, the read event stays, as curl keeps the connection in its
 *   cache and asks for IN again on the next request. A parked (or write-only) socket that
 *   becomes readable (the backend closed an idle connection, or sent something unasked) has its
 *   read event deleted and curl is not told: it finds the dead connection itself before reuse;
 * - any other socket (the threaded resolver's socketpair, which curl closes without telling) is
 *   forgotten at once on REMOVE, as before;
 * - rt_csock_closing, called from curl's CURLOPT_CLOSESOCKETFUNCTION before the close, forgets
 *   the socket, so a new socket reusing the fd number is registered afresh.
 * Not thread-safe; everything runs on the transport's event_base thread. */

#include <curl/curl.h>

struct event_base;

typedef struct rt_csock_table rt_csock_table;

/* ready(ud, fd, flags) is called from the event loop with CURL_CSELECT_IN / OUT for a socket
 * curl watches. Returns NULL when out of memory. */
rt_csock_table *rt_csock_new(struct event_base *base,
                             void (*ready)(void *ud, curl_socket_t fd, int flags), void *ud);
/* Frees every event (before event_base_free). NULL is ignored. */
void rt_csock_free(rt_csock_table *t);
/* curl's CURLMOPT_SOCKETFUNCTION request for s: what is CURL_POLL_*. Returns 0, or -1. */
int rt_csock_watch(rt_csock_table *t, curl_socket_t s, int what);
/* s was just created by curl for a connection (CURLOPT_SOCKOPTFUNCTION): it will be closed
 * through rt_csock_closing, so it may be parked. */
void rt_csock_opened(rt_csock_table *t, curl_socket_t s);
/* curl is about to close s (CURLOPT_CLOSESOCKETFUNCTION). */
void rt_csock_closing(rt_csock_table *t, curl_socket_t s);

#endif
