#ifndef RUNTIME_REQLOG_H
#define RUNTIME_REQLOG_H

/* The request log of `apimlite serve` (DESIGN.md §5, `logs.path`): one JSON object per line.
 * Lines are buffered in memory and written when the buffer passes 64 KiB, by rt_reqlog_flush
 * (the server calls it every second) and at close. Thread-safe (one mutex). */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/str.h"

typedef struct rt_reqlog rt_reqlog;

/* Opens path for appending (created 0640 when missing). Returns NULL with a message in err. */
rt_reqlog *rt_reqlog_open(const char *path, char *err, size_t errlen);
/* Appends line (serialized compactly, keys in insertion order) plus '\n'. */
void rt_reqlog_write(rt_reqlog *l, const json_t *line);
/* Writes the buffered lines to the file. Returns 0, or -1 on a write error (reported once). */
int rt_reqlog_flush(rt_reqlog *l);
/* Flushes and closes. NULL is ignored. */
void rt_reqlog_close(rt_reqlog *l);

struct rt_req;

/* What the server knows about one request besides r itself. */
typedef struct rt_reqlog_info {
    int64_t backend_ms;   /* time spent in backend calls */
    const char *ip;       /* client address */
    bool streamed;        /* the response was relayed as a stream */
    str stream_body;      /* the relayed stream's text (token counting), may be empty */
    int status;           /* the status the client got when not the context's (a relayed
                           * stream whose outbound failed after the relay started); 0: none */
    size_t payload_bytes; /* logs.payloadBytes: RequestBody / BackendResponseBody cut; 0 = none */
    str backend_url;      /* the last backend URL called (credentials never included) */
    str backend_id;
} rt_reqlog_info;

/* The log line of a finished request (new reference). Secrets are never included: the
 * subscription key query parameter of the API (and "subscription-key", "api-key", "sig",
 * "code", "access_token", "key") is replaced by "***" in Url and BackendUrl; no header is
 * written. */
json_t *rt_reqlog_line(struct rt_req *r, const rt_reqlog_info *info);
/* The same line formatted directly (no JSON tree) and appended to l: what the server calls for
 * each request. */
void rt_reqlog_append(rt_reqlog *l, struct rt_req *r, const rt_reqlog_info *info);

#endif
