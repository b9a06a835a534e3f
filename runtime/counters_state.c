/* The memory store's state file: quota-type counters (quota, quota-by-key, token quota) as JSON,
 * written atomically (temp file + fsync + rename) so a restart loses nothing.
 *
 *   { "version": 1, "savedAt": <ms>,
 *     "quota": [ { "key": "k", "windowStart": <ms|null>, "windowEnd": <ms|null>,
 *                  "calls": n, "bytes": n } ],
 *     "tokenQuota": [ { "key": "k", "period": "Daily", "windowStart": <ms>, "windowEnd": <ms>,
 *                       "tokens": n } ] }
 *
 * null windows stand for a quota with renewal-period 0 (INT64_MIN/INT64_MAX). A key that is not
 * valid UTF-8 is written as "keyHex" (lowercase hex of its bytes) instead of "key". */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/base/xalloc.h"
#include "runtime/counters.h"
#include "runtime/counters_impl.h"

#define STATE_VERSION 1

static json_t *key_json(const rt_mem_entry *e, const char **field)
{
    json_t *k = json_stringn(e->key, e->klen);
    *field = "key";
    if (k)
        return k;
    char *hex = xmalloc(e->klen * 2 + 1);
    for (size_t i = 0; i < e->klen; i++)
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)e->key[i]);
    k = json_string(hex);
    free(hex);
    *field = "keyHex";
    return k;
}

static json_t *ms_json(int64_t v)
{
    return v == INT64_MIN || v == INT64_MAX ? json_null() : json_integer((json_int_t)v);
}

static json_t *entry_json(const rt_mem_entry *e)
{
    const char *kf;
    json_t *o = json_object();
    json_t *k = key_json(e, &kf);
    json_object_set_new(o, kf, k);
    if (e->ns == RT_NS_QUOTA) {
        json_object_set_new(o, "windowStart", ms_json(e->q.win_start));
        json_object_set_new(o, "windowEnd", ms_json(e->q.win_end));
        json_object_set_new(o, "calls", json_integer((json_int_t)e->q.calls));
        json_object_set_new(o, "bytes", json_integer((json_int_t)e->q.bytes));
    } else {
        json_object_set_new(o, "period", json_string(rt_token_period_name(e->tq.period)));
        json_object_set_new(o, "windowStart", ms_json(e->tq.win_start));
        json_object_set_new(o, "windowEnd", ms_json(e->tq.win_end));
        json_object_set_new(o, "tokens", json_integer((json_int_t)e->tq.tokens));
    }
    return o;
}

static int write_atomically(const char *path, const char *text, char *err, size_t errlen)
{
    size_t plen = strlen(path);
    char *tmp = xmalloc(plen + 32);
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            goto out;
        }
        off += (size_t)n;
    }
    if (fsync(fd) < 0 || close(fd) < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    return rc;
}

int rt_mem_save(rt_counter_store *s, const char *path, int64_t now_ms, char *err, size_t errlen)
{
    rt_mem_store *m = (rt_mem_store *)s;
    json_t *root = json_object();
    json_t *quota = json_array(), *tquota = json_array();
    json_object_set_new(root, "version", json_integer(STATE_VERSION));
    json_object_set_new(root, "savedAt", json_integer((json_int_t)now_ms));
    pthread_mutex_lock(&m->mu);
    if (m->damaged && strcmp(m->damaged, path) == 0) {
        /* the damaged file stays for the operator (and a gateway that did not start does not
         * replace it with an empty state); counters taken since cannot go there */
        bool any = false;
        for (rt_mem_entry *e = m->lru_tail; e && !any; e = e->lru_prev)
            any = (e->ns == RT_NS_QUOTA || e->ns == RT_NS_TQUOTA) && !rt_mem_is_expired(e, now_ms);
        pthread_mutex_unlock(&m->mu);
        json_decref(root);
        json_decref(quota);
        json_decref(tquota);
        if (!any)
            return 0;
        snprintf(err, errlen,
                 "%s: error: not saving the counters over the damaged state file (it could not "
                 "be loaded)",
                 path);
        return -1;
    }
    if (m->saved_path && strcmp(m->saved_path, path) == 0 && m->changes == m->saved_changes) {
        pthread_mutex_unlock(&m->mu); /* the file already says all this */
        json_decref(root);
        json_decref(quota);
        json_decref(tquota);
        return 0;
    }
    uint64_t snap = m->changes;
    /* Oldest first, so that loading recreates the same LRU order. */
    for (rt_mem_entry *e = m->lru_tail; e; e = e->lru_prev) {
        if ((e->ns != RT_NS_QUOTA && e->ns != RT_NS_TQUOTA) || rt_mem_is_expired(e, now_ms))
            continue;
        json_array_append_new(e->ns == RT_NS_QUOTA ? quota : tquota, entry_json(e));
    }
    pthread_mutex_unlock(&m->mu);
    json_object_set_new(root, "quota", quota);
    json_object_set_new(root, "tokenQuota", tquota);
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text) {
        snprintf(err, errlen, "%s: cannot serialize the counters", path);
        return -1;
    }
    size_t tl = strlen(text);
    char *withnl = xmalloc(tl + 2);
    memcpy(withnl, text, tl);
    withnl[tl] = '\n';
    withnl[tl + 1] = 0;
    free(text);
    int rc = write_atomically(path, withnl, err, errlen);
    free(withnl);
    if (rc == 0) {
        pthread_mutex_lock(&m->mu);
        m->saved_changes = snap;
        if (!m->saved_path || strcmp(m->saved_path, path) != 0) {
            free(m->saved_path);
            m->saved_path = xstrdup(path);
        }
        pthread_mutex_unlock(&m->mu);
    }
    return rc;
}

/* ---- load ---- */

typedef struct loaded {
    int ns;
    char *key;
    size_t klen;
    int period;
    int64_t ws, we, a, b;
} loaded;

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static const char *read_key(json_t *o, loaded *l)
{
    json_t *k = json_object_get(o, "key");
    if (json_is_string(k)) {
        l->klen = json_string_length(k);
        l->key = xstrndup(json_string_value(k), l->klen);
        return NULL;
    }
    k = json_object_get(o, "keyHex");
    if (!json_is_string(k) || json_string_length(k) % 2)
        return "counter without a key";
    const char *h = json_string_value(k);
    l->klen = json_string_length(k) / 2;
    l->key = xmalloc(l->klen + 1);
    for (size_t i = 0; i < l->klen; i++) {
        int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return "bad keyHex";
        l->key[i] = (char)(hi * 16 + lo);
    }
    l->key[l->klen] = 0;
    return NULL;
}

static const char *read_ms(json_t *o, const char *name, int64_t dflt, int64_t *out)
{
    json_t *v = json_object_get(o, name);
    if (json_is_null(v) || !v) {
        if (dflt == 0)
            return "missing window bounds";
        *out = dflt;
        return NULL;
    }
    if (!json_is_integer(v))
        return "window bounds must be integers";
    *out = (int64_t)json_integer_value(v);
    return NULL;
}

static const char *read_count(json_t *o, const char *name, int64_t *out)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return "counts must be non-negative integers";
    *out = (int64_t)json_integer_value(v);
    return NULL;
}

static const char *read_entry(json_t *o, int ns, loaded *l)
{
    if (!json_is_object(o))
        return "counter is not an object";
    l->ns = ns;
    const char *e = read_key(o, l);
    if (e)
        return e;
    if (ns == RT_NS_QUOTA) {
        if ((e = read_ms(o, "windowStart", INT64_MIN, &l->ws)) ||
            (e = read_ms(o, "windowEnd", INT64_MAX, &l->we)) ||
            (e = read_count(o, "calls", &l->a)) || (e = read_count(o, "bytes", &l->b)))
            return e;
    } else {
        json_t *p = json_object_get(o, "period");
        int period =
            json_is_string(p)
                ? rt_token_period_parse(str_make(json_string_value(p), json_string_length(p)))
                : -1;
        if (period < 0)
            return "bad token quota period";
        l->period = period;
        if ((e = read_ms(o, "windowStart", 0, &l->ws)) ||
            (e = read_ms(o, "windowEnd", 0, &l->we)) || (e = read_count(o, "tokens", &l->a)))
            return e;
    }
    if (l->we <= l->ws)
        return "empty window";
    return NULL;
}

static const char *read_list(json_t *root, const char *name, int ns, loaded **v, size_t *n)
{
    json_t *arr = json_object_get(root, name);
    if (!arr)
        return NULL;
    if (!json_is_array(arr))
        return "counter list is not an array";
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        *v = xrealloc(*v, (*n + 1) * sizeof **v);
        loaded *l = &(*v)[(*n)++];
        memset(l, 0, sizeof *l);
        const char *e = read_entry(o, ns, l);
        if (e)
            return e;
    }
    return NULL;
}

static void merge(rt_mem_store *m, const loaded *v, size_t n, int64_t now_ms)
{
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < n; i++) {
        const loaded *l = &v[i];
        if (l->we <= now_ms)
            continue; /* that window is over */
        rt_mem_entry *e = rt_mem_get(m, l->ns, str_make(l->key, l->klen), 0);
        if (l->ns == RT_NS_QUOTA) {
            e->q.win_start = l->ws;
            e->q.win_end = l->we;
            e->q.calls = l->a;
            e->q.bytes = l->b;
        } else {
            e->tq.period = l->period;
            e->tq.win_start = l->ws;
            e->tq.win_end = l->we;
            e->tq.tokens = l->a;
        }
    }
    pthread_mutex_unlock(&m->mu);
}

/* A damaged file stops the gateway (the caller reports err) rather than starting with empty
 * counters: quotas are billing limits, and the file is only ever replaced whole (rename), so
 * damage means something outside apimlite changed it, which the operator must see. An empty
 * file (touch, a fresh volume) is an empty state. */
#define DAMAGED_HINT "; fix it or move it away to start with empty counters"

static void mark_damaged(rt_mem_store *m, const char *path)
{
    pthread_mutex_lock(&m->mu);
    free(m->damaged);
    m->damaged = xstrdup(path);
    pthread_mutex_unlock(&m->mu);
}

int rt_mem_load(rt_counter_store *s, const char *path, int64_t now_ms, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: error: cannot read the counter state file: %s", path,
                 strerror(errno));
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s: error: the counter state file is not a regular file", path);
        return -1;
    }
    if (sb.st_size == 0)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: error: cannot read the counter state file: %s", path,
                 strerror(errno));
        return -1;
    }
    json_error_t jerr;
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    fclose(f);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: error: the counter state file is damaged (%s)%s", path,
                 jerr.line, jerr.column, jerr.text, DAMAGED_HINT);
        mark_damaged((rt_mem_store *)s, path);
        return -1;
    }
    loaded *v = NULL;
    size_t n = 0;
    const char *e = NULL;
    json_t *ver = json_object_get(root, "version");
    if (!json_is_object(root))
        e = "not a JSON object";
    else if (!json_is_integer(ver) || json_integer_value(ver) != STATE_VERSION)
        e = "unsupported state file version";
    if (!e)
        e = read_list(root, "quota", RT_NS_QUOTA, &v, &n);
    if (!e)
        e = read_list(root, "tokenQuota", RT_NS_TQUOTA, &v, &n);
    if (e) {
        snprintf(err, errlen, "%s: error: the counter state file is damaged (%s)%s", path, e,
                 DAMAGED_HINT);
        mark_damaged((rt_mem_store *)s, path);
    } else {
        rt_mem_store *m = (rt_mem_store *)s;
        merge(m, v, n, now_ms);
        pthread_mutex_lock(&m->mu);
        if (m->damaged && strcmp(m->damaged, path) == 0) { /* repaired */
            free(m->damaged);
            m->damaged = NULL;
        }
        pthread_mutex_unlock(&m->mu);
    }
    for (size_t i = 0; i < n; i++)
        free(v[i].key);
    free(v);
    json_decref(root);
    return e ? -1 : 0;
}
