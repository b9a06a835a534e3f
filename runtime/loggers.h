#ifndef RUNTIME_LOGGERS_H
#define RUNTIME_LOGGERS_H

/* Logger sinks for log-to-eventhub (spec/policies.md §10), keyed by logger id as in the
 * configuration's `loggers: { id: { file: path } }` (DESIGN.md §3). Two kinds of sink:
 *  - file: JSON lines, one object per message, flushed after each line:
 *      {"time":"2026-01-01T00:00:00.000Z","loggerId":"id","partitionId":"1",
 *       "partitionKey":"k","message":"<the message text>"}
 *    (partitionId / partitionKey only when given; message is always the string as sent, so
 *    JSON messages are kept byte for byte and consumers parse them);
 *  - memory: kept in a list for `apimlite test` (expect.logs).
 * With auto_memory (policy-only tests, where no configuration names loggers) an unknown id gets
 * a memory sink on first use; otherwise sending to an unknown id fails. Thread-safe (one mutex).
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

struct rt_config;

typedef struct rt_loggers rt_loggers;

/* One message to send. */
typedef struct rt_log_msg {
    str logger_id;
    str partition_id;  /* empty/NULL: absent */
    str partition_key; /* empty/NULL: absent */
    str message;
    int64_t time_ms; /* ms since the epoch (the request clock) */
} rt_log_msg;

/* Messages longer than this are truncated (APIM: 200 KB), at a UTF-8 boundary. */
#define RT_LOG_MAX_MESSAGE (200 * 1024)
/* Memory sinks keep at most this many messages in all (later ones are counted, not kept). */
#define RT_LOG_MEMORY_CAP 100000

/* A new empty set. Never NULL (aborts on OOM). */
rt_loggers *rt_loggers_new(bool auto_memory);
/* Closes the files and frees everything. */
void rt_loggers_free(rt_loggers *l);

/* Adds a file sink (the file is opened for appending now, its directory must exist). Returns
 * 0, or -1 with a message in err (duplicate id, cannot open). */
int rt_loggers_add_file(rt_loggers *l, str id, const char *path, char *err, size_t errlen);
/* Adds a memory sink. Returns 0, or -1 for a duplicate id. */
int rt_loggers_add_memory(rt_loggers *l, str id);
/* Adds the configuration's loggers: file sinks, or memory sinks when memory is true (tests:
 * nothing is written to disk). Returns 0, or -1 with a message in err. */
int rt_loggers_configure(rt_loggers *l, const struct rt_config *c, bool memory, char *err,
                         size_t errlen);

/* Whether id has a sink (or would get one: auto_memory). */
bool rt_loggers_has(rt_loggers *l, str id);

/* Sends m (message truncated at RT_LOG_MAX_MESSAGE). Returns 0; -1 when the id has no sink;
 * -2 when writing the file failed. */
int rt_loggers_send(rt_loggers *l, const rt_log_msg *m);

/* ---- memory sinks (tests) ---- */

/* Remembers the current end of the memory log: rt_loggers_recent returns what comes after. */
void rt_loggers_mark(rt_loggers *l);
/* The messages sent to memory sinks since the last mark, in order: a new JSON array of
 * {"loggerId", "message", "partitionId"?, "partitionKey"?}. Caller owns the reference. */
json_t *rt_loggers_recent(rt_loggers *l);

#endif
