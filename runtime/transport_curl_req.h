#ifndef RUNTIME_TRANSPORT_CURL_REQ_H
#define RUNTIME_TRANSPORT_CURL_REQ_H

/* The request side of the curl transport (transport_curl_req.c), internal to it. */

#include <curl/curl.h>
#include <stdbool.h>

#include "transport.h"

/* An HTTP token (RFC 9110): a method or a header name. */
bool rt_curl_is_token(str s);
/* Sets *hdrs to req's headers as curl lines (as transport_curl.h says: hop-by-hop ones
 * dropped, an empty value sent empty) and blanks out what curl would add of its own: Accept
 * always, Content-Type and, for a body of 1 KiB or more, Expect: 100-continue when with_body.
 * *hdrs is one malloc'd block (nodes and text: free() it, not curl_slist_free_all), or NULL
 * without lines. Returns NULL, or what is wrong (a bad header name or value, out of memory). */
const char *rt_curl_build_headers(struct curl_slist **hdrs, const rt_http_req *req, bool with_body);

#endif
