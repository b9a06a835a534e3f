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

void rt_reqlog_write(rt_reqlog *l, const json_t *line)
{
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return;
    size_t n = strlen(text);
    pthread_mutex_lock(&l->mu);
    if (l->len + n + 1 > l->cap) {
        size_t cap = l->cap ? l->cap : 4096;
        while (cap < l->len + n + 1)
            cap *= 2;
        l->data = xrealloc(l->data, cap);
        l->cap = cap;
    }
    memcpy(l->data + l->len, text, n);
    l->data[l->len + n] = '\n';
    l->len += n + 1;
    if (l->len >= REQLOG_FLUSH_AT)
        flush_locked(l);
    pthread_mutex_unlock(&l->mu);
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

/* ---- the line of one request ---- */

static json_t *jstr(str s)
{
    json_t *j = json_stringn(s.ptr ? s.ptr : "", s.len);
    return j ? j : json_string("(binary)"); /* not UTF-8: keep the line valid JSON */
}

static json_t *jstr_or_null(str s)
{
    return s.len ? jstr(s) : json_null();
}

static json_t *jstr_cut(str s, size_t cap)
{
    bool cut = s.len > cap;
    if (cut)
        s.len = cap;
    /* never cut inside a UTF-8 sequence */
    while (cut && s.len && ((unsigned char)s.ptr[s.len] & 0xC0) == 0x80)
        s.len--;
    json_t *j = json_stringn(s.ptr ? s.ptr : "", s.len);
    return j ? j : json_string("(binary)");
}

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

/* scheme://host[:port]/path?query with secret query values replaced by "***". */
static json_t *redacted_url(rt_req *r, const rt_url *u)
{
    if (!u)
        return json_null();
    buf b;
    buf_init(&b, 0);
    buf_printf(&b, "%.*s://%.*s", STR_FMT(u->scheme), STR_FMT(u->host));
    bool dflt = (u->port == 80 && str_eq(u->scheme, STR_LIT("http"))) ||
                (u->port == 443 && str_eq(u->scheme, STR_LIT("https")));
    if (u->port > 0 && !dflt)
        buf_printf(&b, ":%d", u->port);
    buf_append(&b, u->path.ptr, u->path.len);
    str q = u->query_string;
    if (q.len && q.ptr[0] == '?') {
        q.ptr++;
        q.len--;
    }
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
        buf_printf(&b, "%c", sep);
        sep = '&';
        if (eq < part.len && secret_param(name, r->ctx->api.key_query))
            buf_printf(&b, "%.*s=***", STR_FMT(name));
        else
            buf_append(&b, part.ptr, part.len);
        q.ptr += n < q.len ? n + 1 : n;
        q.len -= n < q.len ? n + 1 : n;
    }
    json_t *j = jstr(str_make(b.ptr ? b.ptr : "", b.len));
    buf_release(&b);
    return j;
}

static void iso_time(int64_t ms, char *out, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static void guid_text(const uint8_t id[16], char *out, size_t cap)
{
    /* .NET byte order: the first three groups are little-endian */
    snprintf(out, cap, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             id[3], id[2], id[1], id[0], id[5], id[4], id[7], id[6], id[8], id[9], id[10], id[11],
             id[12], id[13], id[14], id[15]);
}

/* The model: body.model, else the Azure deployment of the URL, else the response's model. */
static json_t *model_of(rt_req *r, const json_t *reqbody, const json_t *respbody)
{
    const char *m = json_string_value(json_object_get(reqbody, "model"));
    if (m && *m)
        return json_string(m);
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
        if (n)
            return jstr(str_make(d, n));
    }
    m = json_string_value(json_object_get(respbody, "model"));
    return m && *m ? json_string(m) : json_null();
}

static json_t *tok(int64_t v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

json_t *rt_reqlog_line(rt_req *r, const rt_reqlog_info *info)
{
    rt_ctx *c = r->ctx;
    char when[80], id[40];
    iso_time(r->start_ms, when, sizeof when);
    guid_text(c->request_id, id, sizeof id);
    str reqb = rt_body_bytes(c->request.body);
    str respb = info->streamed ? info->stream_body : rt_body_bytes(c->response.body);
    json_t *reqj = reqb.len ? json_loadb(reqb.ptr, reqb.len, 0, NULL) : NULL;
    json_t *respj = respb.len && !info->streamed ? json_loadb(respb.ptr, respb.len, 0, NULL) : NULL;
    rt_tokens_usage u = { -1, -1, -1, false, false };
    if (info->streamed) {
        const char *mm = json_string_value(json_object_get(reqj, "model"));
        rt_tokens_usage_from_sse(r->w->tokens ? r->w->tokens : rt_tokens_default(),
                                 rt_tokens_encoding_for_model(mm ? mm : "", mm ? strlen(mm) : 0),
                                 respb.ptr, respb.len, &u);
    } else if (respj) {
        rt_tokens_usage_from_json(respj, &u);
    }
    int64_t total = r->end_ms > r->start_ms ? r->end_ms - r->start_ms : 0;
    const rt_lasterror *e = r->failed ? &r->err : NULL;
    json_t *o = json_object();
    json_object_set_new(o, "TimeGenerated", json_string(when));
    json_object_set_new(o, "RequestId", json_string(id));
    json_object_set_new(o, "CallerIpAddress", json_string(info->ip ? info->ip : ""));
    json_object_set_new(o, "Method", jstr(c->request.method));
    json_object_set_new(o, "Url", redacted_url(r, c->request.original_url));
    json_object_set_new(o, "ApiId", jstr_or_null(c->api.id));
    json_object_set_new(o, "OperationId", jstr_or_null(c->operation.id));
    json_object_set_new(o, "ProductId", c->product ? jstr_or_null(c->product->id) : json_null());
    json_object_set_new(o, "SubscriptionId",
                        c->subscription ? jstr_or_null(c->subscription->id) : json_null());
    json_object_set_new(o, "BackendId", jstr_or_null(info->backend_id));
    json_object_set_new(o, "BackendUrl", jstr_or_null(info->backend_url));
    json_object_set_new(o, "ResponseCode", json_integer(c->response.status));
    json_object_set_new(o, "BackendResponseCode",
                        r->backend_status ? json_integer(r->backend_status) : json_null());
    json_object_set_new(o, "TotalTime", json_integer(total));
    json_object_set_new(o, "BackendTime", json_integer(info->backend_ms));
    json_object_set_new(o, "Attempts", json_integer(r->attempts));
    json_object_set_new(o, "Model", model_of(r, reqj, respj));
    json_object_set_new(o, "PromptTokens", tok(u.prompt));
    json_object_set_new(o, "CompletionTokens", tok(u.completion));
    json_object_set_new(o, "TotalTokens", tok(u.total));
    json_object_set_new(o, "Streamed", json_boolean(info->streamed));
    json_object_set_new(o, "LastErrorSource", e ? jstr_or_null(e->source) : json_null());
    json_object_set_new(o, "LastErrorReason", e ? jstr_or_null(e->reason) : json_null());
    if (info->payload_bytes) {
        json_object_set_new(o, "RequestBody", jstr_cut(reqb, info->payload_bytes));
        json_object_set_new(o, "BackendResponseBody", jstr_cut(respb, info->payload_bytes));
    }
    json_decref(reqj);
    json_decref(respj);
    return o;
}
