/* The Redis counter store: hiredis async on a libevent loop, one Lua script per operation family
 * (counters_redis_lua.h), a per-command evtimer (hiredis 0.14 has no async timeout), and the
 * fallback store while Redis is unreachable. See counters_redis.h. */
#include "runtime/counters_redis.h"

#include <errno.h>
#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/xalloc.h"
#include "runtime/counters_impl.h"
#include "runtime/counters_redis_lua.h"

#define CONC_TTL_MS ((int64_t)3600000)
#define MAX_ARGS    16

enum { SCRIPT_RATE, SCRIPT_QUOTA, SCRIPT_TOKEN, SCRIPT_CONC, SCRIPT_COUNT };

static const char *const script_src[SCRIPT_COUNT] = {
    RT_REDIS_LUA_RATE,
    RT_REDIS_LUA_QUOTA,
    RT_REDIS_LUA_TOKEN,
    RT_REDIS_LUA_CONC,
};

typedef enum link_state {
    LINK_FIRST, /* the first connection is being made: commands are queued on it */
    LINK_UP,    /* PING answered: commands go to Redis */
    LINK_DOWN,  /* unreachable: the fallback answers; a reconnect may be in progress */
} link_state;

typedef struct redis_store redis_store;

/* One command in flight. Freed by its hiredis reply callback, which hiredis calls exactly once
 * (with NULL when the context goes away); `answered` tells whether the caller already has its
 * result (timeout, fallback). */
typedef struct redis_call {
    redis_store *s;
    struct redis_call *prev, *next;
    struct event *timer;
    bool answered;
    bool probe; /* the PING that confirms a (re)connection */
    int script;
    rt_counter_op op; /* op.key points at keybuf */
    rt_counter_cb cb;
    void *ud;
    int argc;
    const char *argv[MAX_ARGS];
    size_t argvlen[MAX_ARGS];
    char num[MAX_ARGS][24];
    char *keys[2];
    char keybuf[];
} redis_call;

struct redis_store {
    rt_counter_store base;
    struct event_base *evb;
    rt_counter_store *fallback;
    char *host; /* NULL for a unix socket */
    char *path;
    int port;
    int db;
    char *user, *password;
    char *prefix;
    int64_t timeout_ms, backoff_min_ms, backoff_max_ms, backoff_ms;
    void (*log)(void *ud, const char *msg);
    void *log_ud;
    redisAsyncContext *ac;
    link_state state;
    bool outage_logged; /* "unreachable" logged, "reachable again" not yet */
    bool script_error_logged;
    bool freeing;
    struct event *retry;
    redis_call *calls; /* every call hiredis still holds */
    char sha[SCRIPT_COUNT][41];
};

/* ---- logging and outage ---- */

static void store_log(redis_store *s, const char *msg)
{
    if (s->log)
        s->log(s->log_ud, msg);
    else
        fprintf(stderr, "apimlite: %s\n", msg);
}

static void schedule_retry(redis_store *s)
{
    if (s->freeing || evtimer_pending(s->retry, NULL))
        return;
    struct timeval tv = { (time_t)(s->backoff_ms / 1000),
                          (suseconds_t)(s->backoff_ms % 1000 * 1000) };
    evtimer_add(s->retry, &tv);
    s->backoff_ms = s->backoff_ms * 2 > s->backoff_max_ms ? s->backoff_max_ms : s->backoff_ms * 2;
}

static void mark_down(redis_store *s, const char *why)
{
    s->state = LINK_DOWN;
    if (!s->outage_logged) {
        char msg[256];
        snprintf(msg, sizeof msg, "redis unreachable (%s): serving on local counters", why);
        store_log(s, msg);
        s->outage_logged = true;
    }
    schedule_retry(s);
}

/* Drops the current connection (stalled server): hiredis answers its pending callbacks with
 * NULL, which serve them from the fallback. */
static void drop_link(redis_store *s, const char *why)
{
    redisAsyncContext *ac = s->ac;
    s->ac = NULL;
    mark_down(s, why);
    if (ac)
        redisAsyncFree(ac);
}

/* ---- answers ---- */

static void call_unlink_free(redis_call *c)
{
    redis_store *s = c->s;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->timer)
        event_free(c->timer);
    free(c->keys[0]);
    free(c->keys[1]);
    free(c);
}

/* Answers c's caller from the fallback store. */
static void answer_fallback(redis_call *c)
{
    c->answered = true;
    if (c->probe || c->s->freeing)
        return;
    rt_counter_result res;
    rt_counter_status st = c->s->fallback->vt->exec(c->s->fallback, &c->op, &res, c->cb, c->ud);
    if (st != RT_COUNTER_PENDING)
        c->cb(c->ud, &res);
}

static void fill_quota(const rt_counter_op *op, int64_t calls, int64_t bytes, int64_t ws,
                       int64_t we, rt_counter_result *out)
{
    out->quota.calls_used = calls;
    out->quota.bytes_used = bytes;
    out->quota.calls_remaining = -1;
    if (op->quota.calls > 0)
        out->quota.calls_remaining = calls < op->quota.calls ? op->quota.calls - calls : 0;
    out->quota.kb_remaining = -1;
    if (op->quota.kb > 0) {
        int64_t kb_used = bytes / 1024 + (bytes % 1024 != 0);
        out->quota.kb_remaining = kb_used < op->quota.kb ? op->quota.kb - kb_used : 0;
    }
    out->quota.window_start_ms = ws;
    out->quota.window_end_ms = we;
    out->quota.renew_s = we == INT64_MAX ? -1 : rt_counter_secs_until(we, op->now_ms);
}

/* Builds the result of op from the script's integer reply v[0..n). Returns false when the reply
 * does not have the expected shape. */
static bool fill_result(const rt_counter_op *op, const int64_t *v, size_t n, rt_counter_result *out)
{
    memset(out, 0, sizeof *out);
    out->kind = op->kind;
    int64_t now = op->now_ms;
    switch (op->kind) {
    case RT_COUNTER_RATE:
    case RT_COUNTER_RATE_ADD:
        if (n != 3)
            return false;
        out->admitted = v[0] != 0;
        out->rate.used = v[1];
        if (op->kind == RT_COUNTER_RATE_ADD)
            return true;
        if (out->admitted) {
            int64_t rem = op->rate.limit - v[1];
            out->rate.remaining = rem > op->rate.take ? rem - op->rate.take : 0;
        } else {
            out->refusal = RT_COUNTER_BY_CALLS;
            out->rate.retry_after_s = rt_counter_secs_until(now + (v[2] > 0 ? v[2] : 0), now);
        }
        return true;
    case RT_COUNTER_QUOTA:
    case RT_COUNTER_QUOTA_ADD: {
        if (n != 4)
            return false;
        int64_t ws, we;
        rt_quota_window(op->quota.start_ms, op->quota.period_ms, now, &ws, &we);
        out->admitted = v[0] != 0;
        out->refusal = v[1] == 1   ? RT_COUNTER_BY_CALLS
                       : v[1] == 2 ? RT_COUNTER_BY_BANDWIDTH
                                   : RT_COUNTER_OK;
        fill_quota(op, v[2], v[3], ws, we, out);
        return true;
    }
    case RT_COUNTER_TOKEN:
    case RT_COUNTER_TOKEN_ADD:
        if (n != 5)
            return false;
        out->admitted = v[0] != 0;
        out->refusal = v[1] == 1   ? RT_COUNTER_BY_TPM
                       : v[1] == 2 ? RT_COUNTER_BY_QUOTA
                                   : RT_COUNTER_OK;
        out->token.tpm_remaining = -1;
        out->token.quota_remaining = -1;
        if (op->token.tpm > 0) {
            int64_t left = op->token.tpm - v[2];
            out->token.tpm_used = v[2];
            out->token.tpm_remaining = left > 0 ? left : 0;
            if (v[1] == 1)
                out->token.retry_after_s = v[3] < 0 ? 60 : rt_counter_secs_until(now + v[3], now);
        }
        if (op->token.period != RT_TOKEN_PERIOD_NONE) {
            int64_t ws, we, left = op->token.quota - v[4];
            rt_token_period_window(op->token.period, now, &ws, &we);
            out->token.quota_used = v[4];
            out->token.quota_remaining = left > 0 ? left : 0;
            out->token.quota_renew_s = rt_counter_secs_until(we, now);
            out->token.quota_window_end_ms = we;
        }
        return true;
    case RT_COUNTER_ACQUIRE:
    case RT_COUNTER_RELEASE:
        if (n != 2)
            return false;
        out->admitted = v[0] != 0;
        if (!out->admitted)
            out->refusal = RT_COUNTER_BY_MAX;
        out->conc.held = v[1];
        return true;
    }
    return false;
}

static int call_send(redis_call *c);

static void on_reply(redisAsyncContext *ac, void *r, void *priv)
{
    (void)ac;
    redis_call *c = priv;
    redis_store *s = c->s;
    redisReply *reply = r;
    if (c->answered || s->freeing) { /* late reply after a timeout, or shutting down */
        call_unlink_free(c);
        return;
    }
    if (!reply) { /* the connection went away */
        answer_fallback(c);
        call_unlink_free(c);
        return;
    }
    if (c->probe) {
        if (reply->type == REDIS_REPLY_STATUS || reply->type == REDIS_REPLY_STRING) {
            c->answered = true;
            if (s->state != LINK_UP) {
                if (s->outage_logged)
                    store_log(s, "redis reachable again: using shared counters "
                                 "(counts taken locally meanwhile are not merged)");
                s->outage_logged = false;
                s->state = LINK_UP;
                s->backoff_ms = s->backoff_min_ms;
            }
            call_unlink_free(c);
            return;
        }
        char msg[160];
        snprintf(msg, sizeof msg, "PING: %.120s",
                 reply->type == REDIS_REPLY_ERROR ? reply->str : "unexpected reply");
        c->answered = true;
        call_unlink_free(c);
        drop_link(s, msg);
        return;
    }
    if (reply->type == REDIS_REPLY_ERROR && strncmp(reply->str, "NOSCRIPT", 8) == 0 &&
        c->argv[0][4] == 'S') { /* EVALSHA → EVAL with the script */
        c->argv[0] = "EVAL";
        c->argvlen[0] = 4;
        c->argv[1] = script_src[c->script];
        c->argvlen[1] = strlen(script_src[c->script]);
        if (call_send(c) == 0)
            return; /* the same call waits for the new reply (its timer keeps running) */
        answer_fallback(c);
        call_unlink_free(c);
        return;
    }
    int64_t v[8];
    size_t n = 0;
    /* counts, milliseconds and epoch times all fit in 2^53: anything beyond is a damaged key
     * or not our script, and would overflow the arithmetic of fill_result */
    const long long lim = (long long)1 << 53;
    bool ok = reply->type == REDIS_REPLY_ARRAY && reply->elements <= 8;
    for (size_t i = 0; ok && i < reply->elements; i++) {
        ok = reply->element[i]->type == REDIS_REPLY_INTEGER && reply->element[i]->integer >= -lim &&
             reply->element[i]->integer <= lim;
        if (ok)
            v[n++] = reply->element[i]->integer;
    }
    rt_counter_result res;
    if (ok && fill_result(&c->op, v, n, &res)) {
        c->answered = true;
        c->cb(c->ud, &res);
    } else {
        if (!s->script_error_logged) {
            char msg[320];
            snprintf(msg, sizeof msg,
                     "redis counter script failed (%.180s): serving on local "
                     "counters for this operation",
                     reply->type == REDIS_REPLY_ERROR ? reply->str : "unexpected reply");
            store_log(s, msg);
            s->script_error_logged = true;
        }
        answer_fallback(c);
    }
    call_unlink_free(c);
}

static void on_timeout(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    redis_call *c = ud;
    redis_store *s = c->s;
    if (c->answered)
        return;
    answer_fallback(c); /* c stays until hiredis calls on_reply */
    if (s->ac) {
        char msg[64];
        snprintf(msg, sizeof msg, "no answer within %" PRId64 " ms", s->timeout_ms);
        drop_link(s, msg); /* frees c through on_reply(NULL) */
    }
}

/* Queues c on the current connection and (re)arms its timer. Returns 0, or -1 (c untouched). */
static int call_send(redis_call *c)
{
    redis_store *s = c->s;
    if (!s->ac || redisAsyncCommandArgv(s->ac, on_reply, c, c->argc, c->argv, c->argvlen) != 0)
        return -1;
    if (!c->timer)
        c->timer = evtimer_new(s->evb, on_timeout, c);
    struct timeval tv = { (time_t)(s->timeout_ms / 1000),
                          (suseconds_t)(s->timeout_ms % 1000 * 1000) };
    evtimer_add(c->timer, &tv);
    return 0;
}

/* ---- building the commands ---- */

static redis_call *call_new(redis_store *s, const rt_counter_op *op, rt_counter_cb cb, void *ud)
{
    size_t klen = op ? op->key.len : 0;
    redis_call *c = xcalloc(1, sizeof *c + klen + 1);
    c->s = s;
    if (op) {
        c->op = *op;
        if (klen)
            memcpy(c->keybuf, op->key.ptr, klen);
        c->op.key = (str){ c->keybuf, klen };
    }
    c->cb = cb;
    c->ud = ud;
    return c;
}

static void arg_str(redis_call *c, const char *p, size_t len)
{
    c->argv[c->argc] = p;
    c->argvlen[c->argc++] = len;
}

static void arg_int(redis_call *c, int64_t v)
{
    int n = snprintf(c->num[c->argc], sizeof c->num[0], "%" PRId64, v);
    arg_str(c, c->num[c->argc], (size_t)n);
}

static void arg_key(redis_call *c, int i, const char *ns)
{
    redis_store *s = c->s;
    size_t pl = strlen(s->prefix), nl = strlen(ns), kl = c->op.key.len;
    char *k = xmalloc(pl + nl + 1 + kl + 1);
    memcpy(k, s->prefix, pl);
    memcpy(k + pl, ns, nl);
    k[pl + nl] = ':';
    if (kl)
        memcpy(k + pl + nl + 1, c->op.key.ptr, kl);
    c->keys[i] = k;
    arg_str(c, k, pl + nl + 1 + kl);
}

static int64_t ttl_until(int64_t end_ms, int64_t now_ms)
{
    if (end_ms == INT64_MAX)
        return 0;
    int64_t d = end_ms - now_ms;
    return (d > 0 ? d : 1) + 1000;
}

static void build_args(redis_call *c)
{
    const rt_counter_op *op = &c->op;
    bool add = op->kind == RT_COUNTER_RATE_ADD || op->kind == RT_COUNTER_QUOTA_ADD ||
               op->kind == RT_COUNTER_TOKEN_ADD;
    const char *mode = add ? "add" : "check";
    switch (op->kind) {
    case RT_COUNTER_RATE:
    case RT_COUNTER_RATE_ADD:
        c->script = SCRIPT_RATE;
        break;
    case RT_COUNTER_QUOTA:
    case RT_COUNTER_QUOTA_ADD:
        c->script = SCRIPT_QUOTA;
        break;
    case RT_COUNTER_TOKEN:
    case RT_COUNTER_TOKEN_ADD:
        c->script = SCRIPT_TOKEN;
        break;
    case RT_COUNTER_ACQUIRE:
    case RT_COUNTER_RELEASE:
        c->script = SCRIPT_CONC;
        mode = op->kind == RT_COUNTER_ACQUIRE ? "acquire" : "release";
        break;
    }
    arg_str(c, "EVALSHA", 7);
    arg_str(c, c->s->sha[c->script], 40);
    int64_t ws, we;
    switch (c->script) {
    case SCRIPT_RATE:
        arg_str(c, "1", 1);
        arg_key(c, 0, "r");
        arg_str(c, mode, strlen(mode));
        arg_int(c, op->now_ms);
        arg_int(c, op->rate.period_ms);
        arg_int(c, op->rate.limit);
        arg_int(c, op->rate.take);
        break;
    case SCRIPT_QUOTA:
        rt_quota_window(op->quota.start_ms, op->quota.period_ms, op->now_ms, &ws, &we);
        arg_str(c, "1", 1);
        arg_key(c, 0, "q");
        arg_str(c, mode, strlen(mode));
        arg_int(c, ws);
        arg_int(c, we);
        arg_int(c, op->quota.calls);
        arg_int(c, op->quota.kb * 1024);
        arg_int(c, op->quota.calls_take);
        arg_int(c, op->quota.bytes_take);
        arg_int(c, ttl_until(we, op->now_ms));
        break;
    case SCRIPT_TOKEN:
        rt_token_period_window(op->token.period, op->now_ms, &ws, &we);
        arg_str(c, "2", 1);
        arg_key(c, 0, "t");
        arg_key(c, 1, "tq");
        arg_str(c, mode, strlen(mode));
        arg_int(c, op->now_ms);
        arg_int(c, op->token.tpm);
        arg_int(c, op->token.need);
        arg_int(c, op->token.take);
        arg_int(c, (int64_t)op->token.period);
        arg_int(c, op->token.quota);
        arg_int(c, op->token.quota_need);
        arg_int(c, ws);
        arg_int(c, ttl_until(we, op->now_ms));
        break;
    default:
        arg_str(c, "1", 1);
        arg_key(c, 0, "c");
        arg_str(c, mode, strlen(mode));
        arg_int(c, op->kind == RT_COUNTER_ACQUIRE ? op->conc.max : 0);
        arg_int(c, CONC_TTL_MS);
        break;
    }
}

static void call_link(redis_store *s, redis_call *c)
{
    c->next = s->calls;
    if (s->calls)
        s->calls->prev = c;
    s->calls = c;
}

/* ---- vtable ---- */

static rt_counter_status redis_exec(rt_counter_store *base, const rt_counter_op *op,
                                    rt_counter_result *out, rt_counter_cb cb, void *ud)
{
    redis_store *s = (redis_store *)base;
    if (s->state == LINK_DOWN || !s->ac || !cb)
        return s->fallback->vt->exec(s->fallback, op, out, cb, ud);
    redis_call *c = call_new(s, op, cb, ud);
    build_args(c);
    call_link(s, c);
    if (call_send(c) != 0) {
        call_unlink_free(c);
        return s->fallback->vt->exec(s->fallback, op, out, cb, ud);
    }
    return RT_COUNTER_PENDING;
}

static void redis_free(rt_counter_store *base)
{
    redis_store *s = (redis_store *)base;
    s->freeing = true;
    if (s->ac) {
        redisAsyncContext *ac = s->ac;
        s->ac = NULL;
        redisAsyncFree(ac); /* on_reply(NULL) frees every call */
    }
    while (s->calls) /* none should be left; be safe */
        call_unlink_free(s->calls);
    event_free(s->retry);
    free(s->host);
    free(s->path);
    free(s->user);
    free(s->password);
    free(s->prefix);
    free(s);
}

static const rt_counter_store_vt redis_vt = {
    .name = "redis",
    .exec = redis_exec,
    .free = redis_free,
};

/* ---- connection ---- */

static void on_connect(const redisAsyncContext *ac, int status)
{
    redis_store *s = ac->data;
    if (status == REDIS_OK || s->ac != ac)
        return; /* up once the PING is answered */
    char msg[160];
    snprintf(msg, sizeof msg, "connect: %.140s", ac->errstr[0] ? ac->errstr : "failed");
    s->ac = NULL; /* hiredis frees it after this callback */
    mark_down(s, msg);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    (void)status;
    redis_store *s = ac->data;
    if (s->ac != ac)
        return; /* we dropped it ourselves */
    s->ac = NULL;
    if (!s->freeing)
        mark_down(s, ac->errstr[0] ? ac->errstr : "connection closed");
}

/* AUTH, SELECT, PING: a probe; an error reply or no answer drops the connection. */
static void send_probe(redis_store *s, int argc, const char **argv)
{
    redis_call *c = call_new(s, NULL, NULL, NULL);
    c->probe = true;
    for (int i = 0; i < argc; i++)
        arg_str(c, argv[i], strlen(argv[i]));
    call_link(s, c);
    if (call_send(c) != 0)
        call_unlink_free(c);
}

static void link_connect(redis_store *s)
{
    redisAsyncContext *ac =
        s->host ? redisAsyncConnect(s->host, s->port) : redisAsyncConnectUnix(s->path);
    if (!ac || ac->err) {
        char msg[160];
        snprintf(msg, sizeof msg, "connect: %.140s", ac ? ac->errstr : "out of memory");
        if (ac)
            redisAsyncFree(ac);
        mark_down(s, msg);
        return;
    }
    ac->data = s;
    redisLibeventAttach(ac, s->evb);
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    s->ac = ac;
    /* AUTH and SELECT replies: an error there makes the PING fail or the scripts fail. */
    if (s->password) {
        const char *a[3] = { "AUTH", s->user ? s->user : s->password, s->password };
        send_probe(s, s->user ? 3 : 2, a);
    }
    if (s->db && s->ac) {
        char db[16];
        snprintf(db, sizeof db, "%d", s->db);
        const char *a[2] = { "SELECT", db };
        send_probe(s, 2, a);
    }
    if (s->ac) {
        const char *a[1] = { "PING" };
        send_probe(s, 1, a);
    }
}

static void on_retry(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    redis_store *s = ud;
    if (!s->ac)
        link_connect(s);
}

bool rt_counter_redis_is_up(rt_counter_store *base)
{
    redis_store *s = (redis_store *)base;
    return s->state == LINK_UP && s->ac;
}

/* ---- construction ---- */

static char *dup_range(const char *p, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, p, n);
    d[n] = 0;
    return d;
}

static bool parse_uint(const char *p, size_t n, long max, long *out)
{
    if (n == 0 || n > 10)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* Fills host/port/path/db/user/password from url. Returns NULL or an error message. */
static const char *parse_url(redis_store *s, const char *url)
{
    long v;
    if (strncmp(url, "unix://", 7) == 0) {
        const char *p = url + 7, *q = strchr(p, '?');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == 0 || p[0] != '/')
            return "unix:// URL needs an absolute socket path (unix:///path/redis.sock)";
        s->path = dup_range(p, n);
        if (q) {
            if (strncmp(q, "?db=", 4) != 0 || !parse_uint(q + 4, strlen(q + 4), 1 << 20, &v))
                return "unix:// URL: only ?db=N is understood";
            s->db = (int)v;
        }
        return NULL;
    }
    if (strncmp(url, "rediss://", 9) == 0)
        return "rediss:// (TLS) is not supported by this hiredis; use redis:// or unix://";
    if (strncmp(url, "redis://", 8) != 0)
        return "counters URL must start with redis:// or unix://";
    const char *p = url + 8, *end = p + strcspn(p, "/?#");
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (!colon)
            return "redis:// URL: credentials must be [user]:password@";
        if (colon > p)
            s->user = dup_range(p, (size_t)(colon - p));
        s->password = dup_range(colon + 1, (size_t)(at - colon - 1));
        p = at + 1;
    }
    const char *hend, *portp = NULL;
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end - p));
        if (!rb)
            return "redis:// URL: unterminated [IPv6] host";
        s->host = dup_range(p + 1, (size_t)(rb - p - 1));
        hend = rb + 1;
        if (hend < end && *hend != ':')
            return "redis:// URL: junk after [IPv6] host";
        portp = hend < end ? hend + 1 : NULL;
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        hend = colon ? colon : end;
        s->host = dup_range(p, (size_t)(hend - p));
        portp = colon ? colon + 1 : NULL;
    }
    if (!s->host[0])
        return "redis:// URL: missing host";
    s->port = 6379;
    if (portp) {
        if (!parse_uint(portp, (size_t)(end - portp), 65535, &v) || v == 0)
            return "redis:// URL: bad port";
        s->port = (int)v;
    }
    if (*end == '/' && end[1]) {
        if (!parse_uint(end + 1, strlen(end + 1), 1 << 20, &v))
            return "redis:// URL: the path must be a database number (/0)";
        s->db = (int)v;
    } else if (*end && !(*end == '/' && !end[1])) {
        return "redis:// URL: unexpected query or fragment";
    }
    return NULL;
}

rt_counter_store *rt_counter_redis_new(struct event_base *base, const char *url,
                                       rt_counter_store *fallback,
                                       const rt_counter_redis_opts *opts, char *err, size_t errlen)
{
    if (!base || !url || !fallback) {
        snprintf(err, errlen, "redis counters: missing event loop, URL or fallback store");
        return NULL;
    }
    redis_store *s = xcalloc(1, sizeof *s);
    s->base.vt = &redis_vt;
    const char *e = parse_url(s, url);
    if (e) {
        snprintf(err, errlen, "%s", e);
        s->freeing = true;
        free(s->host);
        free(s->path);
        free(s->user);
        free(s->password);
        free(s);
        return NULL;
    }
    rt_counter_redis_opts o = opts ? *opts : (rt_counter_redis_opts){ 0 };
    s->evb = base;
    s->fallback = fallback;
    s->timeout_ms = o.timeout_ms > 0 ? o.timeout_ms : 500;
    s->backoff_min_ms = o.backoff_min_ms > 0 ? o.backoff_min_ms : 100;
    s->backoff_max_ms = o.backoff_max_ms > 0 ? o.backoff_max_ms : 5000;
    if (s->backoff_max_ms < s->backoff_min_ms)
        s->backoff_max_ms = s->backoff_min_ms;
    s->backoff_ms = s->backoff_min_ms;
    s->prefix = xstrdup(o.prefix ? o.prefix : "apimlite:");
    s->log = o.log;
    s->log_ud = o.log_ud;
    for (int i = 0; i < SCRIPT_COUNT; i++) {
        unsigned char md[SHA_DIGEST_LENGTH];
        SHA1((const unsigned char *)script_src[i], strlen(script_src[i]), md);
        for (int j = 0; j < SHA_DIGEST_LENGTH; j++)
            snprintf(s->sha[i] + 2 * j, 3, "%02x", md[j]);
    }
    s->retry = evtimer_new(base, on_retry, s);
    s->state = LINK_FIRST;
    link_connect(s);
    return &s->base;
}
