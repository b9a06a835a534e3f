/* The scripted transport of `apimlite test` / `run`: answers from the test file's `backends`,
 * delivered on the (virtual) clock, every call recorded for expect.backendCalls and
 * expect.backendRequests. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "transport.h"

typedef struct answer_queue {
    char *key;
    json_t *answers; /* array */
    size_t next;
} answer_queue;

struct rt_tx_call {
    rt_script *s;
    rt_timer *timer;
    arena *a;
    rt_tx_done done;
    void *ud;
    json_t *answer; /* borrowed from the queue; NULL: no answer (error) */
    rt_tx_result res;
    char message[256];
    rt_tx_call *next; /* in-flight list */
};

struct rt_script {
    rt_transport vt; /* first */
    rt_clock *clock;
    answer_queue *q;
    size_t nq;
    json_t *calls;
    char *failure;
    rt_tx_call *inflight;
};

static rt_tx_call *script_send(rt_transport *t, arena *a, const rt_http_req *req, rt_tx_done done,
                               void *ud);
static void script_cancel(rt_transport *t, rt_tx_call *c);

int rt_parse_duration(const char *text, int64_t *ms)
{
    char *end;
    if (!text || !*text)
        return -1;
    double v = strtod(text, &end);
    if (end == text || v < 0)
        return -1;
    double mult = 1;
    if (!strcmp(end, "ms") || !*end)
        mult = 1;
    else if (!strcmp(end, "s"))
        mult = 1000;
    else if (!strcmp(end, "m"))
        mult = 60000;
    else if (!strcmp(end, "h"))
        mult = 3600000;
    else
        return -1;
    *ms = (int64_t)(v * mult + 0.5);
    return 0;
}

static int64_t tx_send_delay(const json_t *a)
{
    const json_t *d = json_object_get(a, "delay");
    int64_t ms = 0;
    if (json_is_integer(d))
        ms = json_integer_value(d);
    else if (json_is_string(d))
        rt_parse_duration(json_string_value(d), &ms);
    return ms;
}

static int check_answer(const json_t *a, char *err, size_t errlen, const char *key)
{
    if (!json_is_object(a)) {
        snprintf(err, errlen, "backends.%s: each answer must be a mapping", key);
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)a, k, v)
    {
        if (!strcmp(k, "status")) {
            if (!json_is_integer(v) || json_integer_value(v) < 100 || json_integer_value(v) > 999) {
                snprintf(err, errlen, "backends.%s: 'status' must be an HTTP status code", key);
                return -1;
            }
        } else if (!strcmp(k, "delay")) {
            int64_t ms;
            if (!json_is_integer(v) &&
                (!json_is_string(v) || rt_parse_duration(json_string_value(v), &ms) < 0)) {
                snprintf(err, errlen, "backends.%s: 'delay' must be a duration such as 1500ms",
                         key);
                return -1;
            }
        } else if (!strcmp(k, "error")) {
            const char *e = json_string_value(v);
            if (!e || (strcmp(e, "connect") && strcmp(e, "timeout"))) {
                snprintf(err, errlen, "backends.%s: 'error' must be connect or timeout", key);
                return -1;
            }
        } else if (!strcmp(k, "headers")) {
            if (!json_is_object(v)) {
                snprintf(err, errlen, "backends.%s: 'headers' must be a mapping", key);
                return -1;
            }
        } else if (strcmp(k, "body") && strcmp(k, "reason")) {
            snprintf(err, errlen, "backends.%s: unknown answer key '%s'", key, k);
            return -1;
        }
    }
    return 0;
}

rt_script *rt_script_new(rt_clock *clock)
{
    rt_script *s = xcalloc(1, sizeof *s);
    s->clock = clock;
    s->calls = json_array();
    s->vt.send = script_send;
    s->vt.cancel = script_cancel;
    return s;
}

void rt_script_free(rt_script *s)
{
    if (!s)
        return;
    while (s->inflight) {
        rt_tx_call *c = s->inflight;
        s->inflight = c->next;
        rt_clock_cancel(s->clock, c->timer);
        free(c);
    }
    for (size_t i = 0; i < s->nq; i++) {
        free(s->q[i].key);
        json_decref(s->q[i].answers);
    }
    free(s->q);
    json_decref(s->calls);
    free(s->failure);
    free(s);
}

int rt_script_add(rt_script *s, const char *key, const json_t *answers, char *err, size_t errlen)
{
    answer_queue *q = NULL;
    for (size_t i = 0; i < s->nq; i++) {
        if (!strcmp(s->q[i].key, key))
            q = &s->q[i];
    }
    if (!q) {
        s->q = xrealloc(s->q, (s->nq + 1) * sizeof *s->q);
        q = &s->q[s->nq++];
        q->key = xstrdup(key);
        q->answers = json_array();
        q->next = 0;
    }
    if (json_is_array(answers)) {
        size_t i;
        json_t *a;
        json_array_foreach(answers, i, a)
        {
            if (check_answer(a, err, errlen, key) < 0)
                return -1;
            json_array_append(q->answers, a);
        }
        return 0;
    }
    if (check_answer(answers, err, errlen, key) < 0)
        return -1;
    json_array_append(q->answers, (json_t *)answers);
    return 0;
}

const json_t *rt_script_calls(const rt_script *s)
{
    return s->calls;
}

const char *rt_script_failure(const rt_script *s)
{
    return s->failure;
}

void rt_script_reset_calls(rt_script *s)
{
    json_array_clear(s->calls);
    free(s->failure);
    s->failure = NULL;
}

/* The queue answering a call: the backend id's key, else the longest key that prefixes the
 * URL, else "*". */
static answer_queue *find_queue(rt_script *s, const rt_http_req *req)
{
    answer_queue *best = NULL, *star = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < s->nq; i++) {
        answer_queue *q = &s->q[i];
        size_t kl = strlen(q->key);
        if (req->backend_id.len && str_eq(req->backend_id, str_make(q->key, kl)))
            return q;
        if (!strcmp(q->key, "*"))
            star = q;
        else if (kl <= req->url.len && !strncasecmp(req->url.ptr, q->key, kl) && kl > best_len) {
            best = q;
            best_len = kl;
        }
    }
    return best ? best : star;
}

static json_t *json_of_str(str s)
{
    return json_stringn(s.ptr ? s.ptr : "", s.len);
}

/* body: parsed JSON when it is JSON, else the string */
static json_t *body_json(str b)
{
    if (!b.len)
        return json_string("");
    json_t *j = json_loadb(b.ptr, b.len, JSON_DECODE_ANY, NULL);
    return j ? j : json_of_str(b);
}

static void record(rt_script *s, const char *key, const rt_http_req *req)
{
    json_t *rec = json_object();
    json_object_set_new(rec, "key", key ? json_string(key) : json_null());
    json_object_set_new(rec, "method", json_of_str(req->method));
    json_object_set_new(rec, "url", json_of_str(req->url));
    json_t *h = json_object();
    for (size_t i = 0; i < req->nheaders; i++) {
        char name[256];
        snprintf(name, sizeof name, "%.*s", STR_FMT(req->headers[i].name));
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        json_t *old = json_object_get(h, name);
        if (old) {
            /* repeated lines: comma-joined for matching */
            char *joined = NULL;
            size_t ol = json_string_length(old);
            joined = xmalloc(ol + req->headers[i].value.len + 2);
            memcpy(joined, json_string_value(old), ol);
            joined[ol] = ',';
            memcpy(joined + ol + 1, req->headers[i].value.ptr, req->headers[i].value.len);
            json_object_set_new(h, name, json_stringn(joined, ol + 1 + req->headers[i].value.len));
            free(joined);
        } else {
            json_object_set_new(h, name, json_of_str(req->headers[i].value));
        }
    }
    json_object_set_new(rec, "headers", h);
    json_object_set_new(rec, "body", body_json(req->body));
    json_array_append_new(s->calls, rec);
}

static str dup_in(arena *a, const char *p, size_t n)
{
    char *c = arena_strndup(a, p ? p : "", n);
    return c ? str_make(c, n) : STR_LIT("");
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "";
    }
}

static void add_header(arena *a, rt_http_resp *r, size_t *cap, const char *name, str value)
{
    if (r->nheaders == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        rt_hdr *nh = arena_realloc(a, r->headers, *cap * sizeof *nh, nc * sizeof *nh);
        if (!nh)
            return;
        r->headers = nh;
        *cap = nc;
    }
    r->headers[r->nheaders++] =
        (rt_hdr){ dup_in(a, name, strlen(name)), dup_in(a, value.ptr, value.len) };
}

static str scalar_text(arena *a, const json_t *v)
{
    if (json_is_string(v))
        return dup_in(a, json_string_value(v), json_string_length(v));
    char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    str s = t ? dup_in(a, t, strlen(t)) : STR_LIT("");
    free(t);
    return s;
}

static void build_response(arena *a, const json_t *ans, rt_http_resp *r)
{
    memset(r, 0, sizeof *r);
    const json_t *st = json_object_get(ans, "status");
    r->status = st ? (int)json_integer_value(st) : 200;
    const char *reason = json_string_value(json_object_get(ans, "reason"));
    r->reason = reason ? dup_in(a, reason, strlen(reason)) : str_from(reason_of(r->status));
    size_t cap = 0;
    bool has_ct = false;
    const char *name;
    json_t *v;
    json_object_foreach(json_object_get(ans, "headers"), name, v)
    {
        if (!strcasecmp(name, "content-type"))
            has_ct = true;
        if (json_is_array(v)) {
            size_t i;
            json_t *item;
            json_array_foreach(v, i, item) add_header(a, r, &cap, name, scalar_text(a, item));
        } else if (!json_is_null(v)) {
            add_header(a, r, &cap, name, scalar_text(a, v));
        }
    }
    const json_t *body = json_object_get(ans, "body");
    if (body && !json_is_null(body)) {
        if (json_is_string(body)) {
            r->body = dup_in(a, json_string_value(body), json_string_length(body));
        } else {
            r->body = scalar_text(a, body);
            if (!has_ct)
                add_header(a, r, &cap, "Content-Type", STR_LIT("application/json"));
        }
    }
}

static void unlink_call(rt_script *s, rt_tx_call *c)
{
    for (rt_tx_call **pp = &s->inflight; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            return;
        }
    }
}

static void fire(void *ud)
{
    rt_tx_call *c = ud;
    rt_script *s = c->s;
    unlink_call(s, c);
    if (c->res == RT_TX_OK) {
        rt_http_resp resp;
        build_response(c->a, c->answer, &resp);
        c->done(c->ud, RT_TX_OK, &resp, NULL);
    } else {
        c->done(c->ud, c->res, NULL, c->message);
    }
    free(c);
}

static rt_tx_call *script_send(rt_transport *t, arena *a, const rt_http_req *req, rt_tx_done done,
                               void *ud)
{
    rt_script *s = (rt_script *)t;
    rt_tx_call *c = xcalloc(1, sizeof *c);
    c->s = s;
    c->a = a;
    c->done = done;
    c->ud = ud;
    answer_queue *q = find_queue(s, req);
    record(s, q ? q->key : NULL, req);
    int64_t delay = 0;
    if (!q || q->next >= json_array_size(q->answers)) {
        c->res = RT_TX_ERROR;
        if (q)
            snprintf(c->message, sizeof c->message,
                     "backend '%s' has no scripted answer left for %.*s %.*s (all %zu used)",
                     q->key, STR_FMT(req->method), STR_FMT(req->url), json_array_size(q->answers));
        else
            snprintf(c->message, sizeof c->message, "no scripted backend answers %.*s %.*s%s%.*s%s",
                     STR_FMT(req->method), STR_FMT(req->url),
                     req->backend_id.len ? " (backend id '" : "", STR_FMT(req->backend_id),
                     req->backend_id.len ? "')" : "");
        if (!s->failure)
            s->failure = xstrdup(c->message);
    } else {
        c->answer = json_array_get(q->answers, q->next++);
        const char *err = json_string_value(json_object_get(c->answer, "error"));
        delay = tx_send_delay(c->answer);
        if (err && !strcmp(err, "connect")) {
            c->res = RT_TX_CONNECT;
            snprintf(c->message, sizeof c->message, "connection to %.*s failed (scripted)",
                     STR_FMT(req->url));
        } else if (err && !strcmp(err, "timeout")) {
            c->res = RT_TX_TIMEOUT;
            delay = req->timeout_ms > 0 ? req->timeout_ms : delay;
            snprintf(c->message, sizeof c->message,
                     "no response from %.*s within the timeout (scripted)", STR_FMT(req->url));
        }
    }
    if (c->res == RT_TX_OK && req->timeout_ms > 0 && delay > req->timeout_ms) {
        c->res = RT_TX_TIMEOUT;
        delay = req->timeout_ms;
        snprintf(c->message, sizeof c->message,
                 "no response from %.*s within %lld ms (the scripted answer takes %lld ms)",
                 STR_FMT(req->url), (long long)req->timeout_ms,
                 (long long)tx_send_delay(c->answer));
    }
    c->next = s->inflight;
    s->inflight = c;
    c->timer = rt_clock_after(s->clock, delay, fire, c);
    return c;
}

static void script_cancel(rt_transport *t, rt_tx_call *c)
{
    rt_script *s = (rt_script *)t;
    if (!c)
        return;
    unlink_call(s, c);
    rt_clock_cancel(s->clock, c->timer);
    free(c);
}

rt_transport *rt_script_transport(rt_script *s)
{
    return &s->vt;
}
