/* Logger sinks for log-to-eventhub: JSON-lines files and an in-memory list (see loggers.h). */
#include "loggers.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "config.h"

typedef struct sink {
    char *id;
    size_t idlen;
    FILE *f; /* NULL: memory sink */
    char *path;
} sink;

struct rt_loggers {
    pthread_mutex_t mu;
    bool auto_memory;
    sink *s;
    size_t n, cap;
    json_t *mem; /* every message sent to a memory sink, in order */
    size_t mark;
    size_t mem_dropped;
};

rt_loggers *rt_loggers_new(bool auto_memory)
{
    rt_loggers *l = xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    l->auto_memory = auto_memory;
    l->mem = json_array();
    return l;
}

void rt_loggers_free(rt_loggers *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        if (l->s[i].f)
            fclose(l->s[i].f);
        free(l->s[i].id);
        free(l->s[i].path);
    }
    free(l->s);
    json_decref(l->mem);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

static sink *find(rt_loggers *l, str id)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->s[i].idlen == id.len && !memcmp(l->s[i].id, id.ptr, id.len))
            return &l->s[i];
    }
    return NULL;
}

static sink *add(rt_loggers *l, str id)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->s = xrealloc(l->s, l->cap * sizeof *l->s);
    }
    sink *s = &l->s[l->n++];
    memset(s, 0, sizeof *s);
    s->id = xstrndup(id.ptr ? id.ptr : "", id.len);
    s->idlen = id.len;
    return s;
}

int rt_loggers_add_file(rt_loggers *l, str id, const char *path, char *err, size_t errlen)
{
    pthread_mutex_lock(&l->mu);
    int rc = -1;
    if (find(l, id)) {
        snprintf(err, errlen, "logger '%.*s' is defined twice", STR_FMT(id));
        goto out;
    }
    (void)rt_make_parent_dirs(path); /* a missing directory is reported by the open below */
    FILE *f = fopen(path, "a");
    if (!f) {
        snprintf(err, errlen, "logger '%.*s': cannot open '%s': %s", STR_FMT(id), path,
                 strerror(errno));
        goto out;
    }
    sink *s = add(l, id);
    s->f = f;
    s->path = xstrdup(path);
    rc = 0;
out:
    pthread_mutex_unlock(&l->mu);
    return rc;
}

int rt_loggers_add_memory(rt_loggers *l, str id)
{
    pthread_mutex_lock(&l->mu);
    int rc = find(l, id) ? -1 : 0;
    if (!rc)
        add(l, id);
    pthread_mutex_unlock(&l->mu);
    return rc;
}

int rt_loggers_configure(rt_loggers *l, const rt_config *c, bool memory, char *err, size_t errlen)
{
    for (size_t i = 0; i < c->nloggers; i++) {
        const rt_logger *lg = &c->loggers[i];
        int rc = memory ? rt_loggers_add_memory(l, lg->id)
                        : rt_loggers_add_file(l, lg->id, lg->file, err, errlen);
        if (rc < 0) {
            if (memory)
                snprintf(err, errlen, "logger '%.*s' is defined twice", STR_FMT(lg->id));
            return -1;
        }
    }
    return 0;
}

bool rt_loggers_has(rt_loggers *l, str id)
{
    pthread_mutex_lock(&l->mu);
    bool ok = l->auto_memory || find(l, id) != NULL;
    pthread_mutex_unlock(&l->mu);
    return ok;
}

/* The length of s cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(str s, size_t max)
{
    if (s.len <= max)
        return s.len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s.ptr[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static void iso_time(int64_t ms, char out[64])
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    int frac = (int)(ms - (int64_t)secs * 1000);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

/* v as a JSON string; bytes that are not valid UTF-8 become '?'. */
static void set_str(json_t *o, const char *k, str v)
{
    json_t *j = json_stringn(v.ptr ? v.ptr : "", v.len);
    if (!j) {
        char *tmp = xmalloc(v.len + 1);
        for (size_t i = 0; i < v.len; i++)
            tmp[i] = (unsigned char)v.ptr[i] < 0x80 ? v.ptr[i] : '?';
        j = json_stringn(tmp, v.len);
        free(tmp);
    }
    json_object_set_new(o, k, j ? j : json_string(""));
}

int rt_loggers_send(rt_loggers *l, const rt_log_msg *m)
{
    str msg = m->message;
    msg.len = utf8_cut(msg, RT_LOG_MAX_MESSAGE);
    if (!msg.ptr)
        msg = STR_LIT("");
    pthread_mutex_lock(&l->mu);
    int rc = 0;
    sink *s = find(l, m->logger_id);
    if (!s && l->auto_memory)
        s = add(l, m->logger_id);
    if (!s) {
        rc = -1;
        goto out;
    }
    json_t *o = json_object();
    if (s->f) {
        char t[64];
        iso_time(m->time_ms, t);
        json_object_set_new(o, "time", json_string(t));
    }
    set_str(o, "loggerId", m->logger_id);
    if (m->partition_id.len)
        set_str(o, "partitionId", m->partition_id);
    if (m->partition_key.len)
        set_str(o, "partitionKey", m->partition_key);
    set_str(o, "message", msg);
    if (s->f) {
        char *line = json_dumps(o, JSON_COMPACT);
        if (!line || fprintf(s->f, "%s\n", line) < 0 || fflush(s->f) != 0)
            rc = -2;
        free(line);
        json_decref(o);
    } else if (json_array_size(l->mem) >= RT_LOG_MEMORY_CAP) {
        l->mem_dropped++;
        json_decref(o);
    } else {
        json_array_append_new(l->mem, o);
    }
out:
    pthread_mutex_unlock(&l->mu);
    return rc;
}

void rt_loggers_mark(rt_loggers *l)
{
    pthread_mutex_lock(&l->mu);
    l->mark = json_array_size(l->mem);
    pthread_mutex_unlock(&l->mu);
}

json_t *rt_loggers_recent(rt_loggers *l)
{
    pthread_mutex_lock(&l->mu);
    json_t *out = json_array();
    for (size_t i = l->mark; i < json_array_size(l->mem); i++)
        json_array_append_new(out, json_deep_copy(json_array_get(l->mem, i)));
    pthread_mutex_unlock(&l->mu);
    return out;
}
