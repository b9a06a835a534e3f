/* The request log of `apimlite serve` (reqlog.h): buffered JSON lines, and the line of one
 * request built from its rt_req. */
#include "reqlog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "config.h"
#include "req.h"
#include "tokens.h"

#define REQLOG_FLUSH_AT (64 * 1024)

struct rt_reqlog {
    pthread_mutex_t mu;
    int fd;
    char *data;
    size_t len, cap;
    bool reported; /* a write error was reported */
};

rt_reqlog *rt_reqlog_open(const char *path, char *err, size_t errlen)
{
    (void)rt_make_parent_dirs(path); /* a missing directory is reported by the open below */
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open the request log '%s': %s", path, strerror(errno));
        return NULL;
    }
    rt_reqlog *l = xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    l->fd = fd;
    return l;
}

/* Writes the buffer out; called with the mutex held. */
static int flush_locked(rt_reqlog *l)
{
    size_t off = 0;
    int rc = 0;
    while (off < l->len) {
        ssize_t n = write(l->fd, l->data + off, l->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (!l->reported)
                fprintf(stderr, "apimlite serve: cannot write the request log: %s\n",
                        strerror(errno));
            l->reported = true;
            rc = -1;
            break;
        }
        off += (size_t)n;
    }
    l->len = 0; /* lines that could not be written are dropped, not retried forever */
    return rc;
}

/* Appends text[0..n) (whole lines) to the buffer; written out past REQLOG_FLUSH_AT. */
static void append_text(rt_reqlog *l, const char *text, size_t n)
{
    pthread_mutex_lock(&l->mu);
    if (l->len + n > l->cap) {
        size_t cap = l->cap ? l->cap : 4096;
        while (cap < l->len + n)
            cap *= 2;
        l->data = xrealloc(l->data, cap);
        l->cap = cap;
    }
    memcpy(l->data + l->len, text, n);
    l->len += n;
    if (l->len >= REQLOG_FLUSH_AT)
        flush_locked(l);
    pthread_mutex_unlock(&l->mu);
}

void rt_reqlog_write(rt_reqlog *l, const json_t *line)
{
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return;
    size_t n = strlen(text);
    text[n] = '\n'; /* json_dumps's NUL: the line is written without it */
    append_text(l, text, n + 1);
    free(text);
}

int rt_reqlog_flush(rt_reqlog *l)
{
    pthread_mutex_lock(&l->mu);
    int rc = flush_locked(l);
    pthread_mutex_unlock(&l->mu);
    return rc;
}

void rt_reqlog_close(rt_reqlog *l)
{
    if (!l)
        return;
    rt_reqlog_flush(l);
    close(l->fd);
    pthread_mutex_destroy(&l->mu);
    free(l->data);
    free(l);
}

/* ---- the line of one request ----
 *
 * Formatted directly as text (one buffer, no JSON tree): the log line is built for every request
 * of the gateway. Strings are escaped as jansson's json_dumps does (no ASCII or slash escaping);
 * a string that is not valid UTF-8 is written as "(binary)" so the line stays valid JSON. */

static buf *url_scratch(buf *b);
static void url_scratch_done(buf *b);

/* "s" as a JSON string (the caller checked the UTF-8) */
static void put_escaped(buf *b, str s)
{
    static const char hex[] = "0123456789ABCDEF";
    buf_putc(b, '"');
    size_t run = 0; /* bytes copied as they are, written in one append */
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_append(b, s.ptr + run, i - run);
        run = i + 1;
        char esc[7] = { '\\', 0 };
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        buf_append(b, esc, n);
    }
    buf_append(b, s.ptr + run, s.len - run);
    buf_putc(b, '"');
}

static void put_str(buf *b, str s)
{
    if (!s.ptr)
        s = STR_LIT("");
    if (str_json_plain_len(s) == s.len) { /* the common case: nothing to check or escape */
        buf_putc(b, '"');
        buf_append(b, s.ptr, s.len);
        buf_putc(b, '"');
        return;
    }
    put_escaped(b, rt_utf8_valid(s) ? s : STR_LIT("(binary)"));
}

/* s known to need no escaping (our own timestamps and GUIDs) as a JSON string */
static void put_plain(buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    buf_append(b, s, n);
    buf_putc(b, '"');
}

static void put_str_or_null(buf *b, str s)
{
    if (s.len)
        put_str(b, s);
    else
        buf_append(b, "null", 4);
}

/* s cut to cap bytes, never inside a UTF-8 sequence */
static void put_str_cut(buf *b, str s, size_t cap)
{
    bool cut = s.len > cap;
    if (cut)
        s.len = cap;
    while (cut && s.len && ((unsigned char)s.ptr[s.len] & 0xC0) == 0x80)
        s.len--;
    put_str(b, s);
}

static void put_int(buf *b, int64_t v)
{
    char tmp[24];
    size_t n = sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--n] = '-';
    buf_append(b, tmp + n, sizeof tmp - n);
}

/* a token count: null when unknown */
static void put_tok(buf *b, int64_t v)
{
    if (v >= 0)
        put_int(b, v);
    else
        buf_append(b, "null", 4);
}

/* ,"name": */
/* ,"name": in one append (the comma is left out after the opening brace) */
#define PUT_KEY(b, name)                                                                           \
    ((b)->len > 1 ? buf_append((b), ",\"" name "\":", sizeof(name) + 3)                            \
                  : buf_append((b), "\"" name "\":", sizeof(name) + 2))

static bool secret_param(str name, str key_query)
{
    static const char *const names[] = { "subscription-key", "api-key", "sig", "code",
                                         "access_token",     "key" };
    if (key_query.len && str_ieq(name, key_query))
        return true;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (str_ieq(name, str_from(names[i])))
            return true;
    }
    return false;
}

/* Appends "?query" (q without its '?') with secret query values replaced by "***". */
static void append_redacted_query(buf *b, rt_req *r, str q)
{
    char sep = '?';
    while (q.len) {
        size_t n = 0;
        while (n < q.len && q.ptr[n] != '&')
            n++;
        str part = str_make(q.ptr, n);
        size_t eq = 0;
        while (eq < part.len && part.ptr[eq] != '=')
            eq++;
        str name = str_make(part.ptr, eq);
        buf_putc(b, sep);
        sep = '&';
        if (eq < part.len && secret_param(name, r->ctx->api.key_query)) {
            buf_append(b, name.ptr, name.len);
            buf_append(b, "=***", 4);
        } else {
            buf_append(b, part.ptr, part.len);
        }
        q.ptr += n < q.len ? n + 1 : n;
        q.len -= n < q.len ? n + 1 : n;
    }
}

/* scheme://host[:port]/path?query with secret query values replaced by "***". */
static void put_redacted_url(buf *out, rt_req *r, const rt_url *u)
{
    if (!u) {
        buf_append(out, "null", 4);
        return;
    }
    buf own, *b = url_scratch(&own);
    buf_append(b, u->scheme.ptr, u->scheme.len);
    buf_append(b, "://", 3);
    buf_append(b, u->host.ptr, u->host.len);
    bool dflt = (u->port == 80 && str_eq(u->scheme, STR_LIT("http"))) ||
                (u->port == 443 && str_eq(u->scheme, STR_LIT("https")));
    if (u->port > 0 && !dflt) {
        buf_putc(b, ':');
        put_int(b, u->port);
    }
    buf_append(b, u->path.ptr, u->path.len);
    str q = u->query_string;
    if (q.len && q.ptr[0] == '?') {
        q.ptr++;
        q.len--;
    }
    append_redacted_query(b, r, q);
    put_str(out, buf_str(b));
    url_scratch_done(b);
}

/* A URL as text (the backend URL called), its secret query values replaced by "***": the
 * client's subscription key may have been passed on in the query. */
static void put_redacted_text(buf *out, rt_req *r, str url)
{
    if (!url.len) {
        buf_append(out, "null", 4);
        return;
    }
    const char *qm = memchr(url.ptr, '?', url.len);
    if (!qm) {
        put_str(out, url);
        return;
    }
    size_t head = (size_t)(qm - url.ptr);
    buf own, *b = url_scratch(&own);
    buf_append(b, url.ptr, head);
    append_redacted_query(b, r, str_make(qm + 1, url.len - head - 1));
    put_str(out, buf_str(b));
    url_scratch_done(b);
}

static void put_digits(char *p, int v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
}

/* YYYY-MM-DDTHH:MM:SS.mmmZ; gmtime_r once per second of the thread (formatting is per line) */
static void iso_time(int64_t ms, char out[25])
{
    static _Thread_local int64_t cached_sec = INT64_MIN;
    static _Thread_local char cached[20];
    int64_t sec = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    if (sec != cached_sec) {
        time_t t = (time_t)sec;
        struct tm tm;
        gmtime_r(&t, &tm);
        char tmp[80];
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        if (strlen(tmp) != 19) {
            snprintf(out, 25, "%.19s.000Z", tmp);
            return;
        }
        memcpy(cached, tmp, 19);
        cached_sec = sec;
    }
    memcpy(out, cached, 19);
    out[19] = '.';
    put_digits(out + 20, (int)(ms - sec * 1000), 3);
    out[23] = 'Z';
    out[24] = '\0';
}

static void guid_text(const uint8_t id[16], char out[37])
{
    /* .NET byte order: the first three groups are little-endian */
    static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[id[order[i]] >> 4];
        out[k++] = hex[id[order[i]] & 15];
    }
    out[k] = '\0';
}

/* The model: body.model, else the Azure deployment of the URL, else the response's model. */
static void put_model(buf *b, rt_req *r, const rt_body_peek *reqbody, const rt_body_peek *respbody)
{
    if (reqbody->model.len) {
        put_str(b, reqbody->model);
        return;
    }
    str p = r->ctx->request.original_url ? r->ctx->request.original_url->path : STR_NULL;
    const char *d = NULL;
    for (size_t i = 0; !d && i + 13 <= p.len; i++) {
        if (!memcmp(p.ptr + i, "/deployments/", 13))
            d = p.ptr + i;
    }
    if (d) {
        d += 13;
        size_t n = 0;
        while (d + n < p.ptr + p.len && d[n] != '/')
            n++;
        if (n) {
            put_str(b, str_make(d, n));
            return;
        }
    }
    if (respbody->model.len)
        put_str(b, respbody->model);
    else
        buf_append(b, "null", 4);
}

/* The line of r (without the newline) appended to b. */
static void format_line(buf *b, rt_req *r, const rt_reqlog_info *info)
{
    rt_ctx *c = r->ctx;
    char when[25], id[37];
    iso_time(r->start_ms, when);
    guid_text(c->request_id, id);
    str reqb = rt_body_bytes(c->request.body);
    str respb = info->streamed ? info->stream_body : rt_body_bytes(c->response.body);
    /* what the token policies read of the bodies is read once (rt_req_peek) */
    rt_body_peek reqp = rt_req_peek(r, reqb);
    rt_body_peek respp = rt_req_peek(r, info->streamed ? STR_LIT("") : respb);
    const rt_body_peek *reqj = &reqp, *respj = &respp;
    rt_tokens_usage u = { -1, -1, -1, false, false };
    if (info->streamed) {
        str mm = reqj->model;
        rt_req_sse_usage(r, r->w->tokens ? r->w->tokens : rt_tokens_default(),
                         rt_tokens_encoding_for_model(mm.ptr ? mm.ptr : "", mm.len), respb, &u);
    } else if (respj->has_usage) {
        u = respj->usage;
    }
    int64_t total = r->end_ms > r->start_ms ? r->end_ms - r->start_ms : 0;
    const rt_lasterror *e = r->failed ? &r->err : NULL;
    buf_putc(b, '{');
    PUT_KEY(b, "TimeGenerated");
    put_plain(b, when, strlen(when));
    PUT_KEY(b, "RequestId");
    put_plain(b, id, 36);
    PUT_KEY(b, "CallerIpAddress");
    put_str(b, str_from(info->ip ? info->ip : ""));
    PUT_KEY(b, "Method");
    put_str(b, c->request.method);
    PUT_KEY(b, "Url");
    put_redacted_url(b, r, c->request.original_url);
    PUT_KEY(b, "ApiId");
    put_str_or_null(b, c->api.id);
    PUT_KEY(b, "OperationId");
    put_str_or_null(b, c->operation.id);
    PUT_KEY(b, "ProductId");
    put_str_or_null(b, c->product ? c->product->id : STR_NULL);
    PUT_KEY(b, "SubscriptionId");
    put_str_or_null(b, c->subscription ? c->subscription->id : STR_NULL);
    PUT_KEY(b, "BackendId");
    put_str_or_null(b, info->backend_id);
    PUT_KEY(b, "BackendUrl");
    put_redacted_text(b, r, info->backend_url);
    PUT_KEY(b, "ResponseCode");
    put_int(b, info->status ? info->status : c->response.status);
    PUT_KEY(b, "BackendResponseCode");
    put_tok(b, r->backend_status ? r->backend_status : -1);
    PUT_KEY(b, "TotalTime");
    put_int(b, total);
    PUT_KEY(b, "BackendTime");
    put_int(b, info->backend_ms);
    PUT_KEY(b, "Attempts");
    put_int(b, r->attempts);
    PUT_KEY(b, "Model");
    put_model(b, r, reqj, respj);
    PUT_KEY(b, "PromptTokens");
    put_tok(b, u.prompt);
    PUT_KEY(b, "CompletionTokens");
    put_tok(b, u.completion);
    PUT_KEY(b, "TotalTokens");
    put_tok(b, u.total);
    PUT_KEY(b, "Streamed");
    buf_puts(b, info->streamed ? "true" : "false");
    PUT_KEY(b, "LastErrorSource");
    put_str_or_null(b, e ? e->source : STR_NULL);
    PUT_KEY(b, "LastErrorReason");
    put_str_or_null(b, e ? e->reason : STR_NULL);
    if (info->payload_bytes) {
        PUT_KEY(b, "RequestBody");
        put_str_cut(b, reqb, info->payload_bytes);
        PUT_KEY(b, "BackendResponseBody");
        put_str_cut(b, respb, info->payload_bytes);
    }
    buf_putc(b, '}');
}

json_t *rt_reqlog_line(rt_req *r, const rt_reqlog_info *info)
{
    buf b;
    buf_init(&b, 0);
    format_line(&b, r, info);
    json_t *j = json_loadb(b.ptr, b.len, 0, NULL);
    buf_release(&b);
    return j ? j : json_object();
}

/* The buffers of the thread's lines, kept between requests (freed when the thread exits). */
typedef struct line_bufs {
    buf line, url; /* the line; a URL being redacted */
    bool registered;
} line_bufs;

static _Thread_local line_bufs tl_bufs;
static pthread_key_t line_key;
static pthread_once_t line_once = PTHREAD_ONCE_INIT;

static void line_bufs_free(void *p)
{
    line_bufs *t = p;
    buf_release(&t->line);
    buf_release(&t->url);
}

static void line_key_create(void)
{
    (void)pthread_key_create(&line_key, line_bufs_free);
}

/* A scratch buffer for a URL: the thread's when it is kept, else b (initialized here). */
static buf *url_scratch(buf *b)
{
    if (!tl_bufs.registered) {
        buf_init(b, 0);
        return b;
    }
    buf_reset(&tl_bufs.url);
    return &tl_bufs.url;
}

static void url_scratch_done(buf *b)
{
    if (b != &tl_bufs.url || b->alloc > 64 * 1024)
        buf_release(b);
}

void rt_reqlog_append(rt_reqlog *l, rt_req *r, const rt_reqlog_info *info)
{
    buf tmp, *b = &tl_bufs.line;
    if (!tl_bufs.registered) {
        pthread_once(&line_once, line_key_create);
        tl_bufs.registered = pthread_setspecific(line_key, &tl_bufs) == 0;
    }
    if (!tl_bufs.registered) { /* no destructor: a buffer of its own */
        b = &tmp;
        buf_init(b, 0);
    }
    buf_reset(b);
    format_line(b, r, info);
    buf_putc(b, '\n');
    append_text(l, b->ptr, b->len);
    if (b == &tmp || b->alloc > 64 * 1024) /* a line with payloads: not kept */
        buf_release(b);
}
