/* Managed identity token provider (identity.h): IMDS, App Service, workload identity; a token
 * cache per (resource, client id) with coalesced fetches. Responses are read in
 * parse_response. */
#include "identity.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "req.h"

#define IDP_TIMEOUT_MS     30000LL
#define IDP_MARGIN_MS      (5LL * 60 * 1000)
#define IDP_RETRY_MS       10000LL
#define IDP_MAX_ENTRIES    1024
#define IDP_FETCH_CAP      ((size_t)4 << 20) /* arena of one fetch (the response) */
#define IDP_TOKEN_FILE_MAX 65536
#define IDP_IMDS_URL       "http://169.254.169.254/metadata/identity/oauth2/token"
#define IDP_AUTHORITY      "https://login.microsoftonline.com/"
#define IDP_ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

typedef struct idp_fetch idp_fetch;

struct rt_idp_wait {
    idp_fetch *f;
    rt_idp_done done;
    void *ud;
    rt_idp_wait *next;
};

typedef struct idp_entry {
    char *resource, *client_id;
    char *token;        /* NULL: none cached */
    int64_t refresh_ms; /* the cached token is used while now < refresh_ms */
    int64_t use_until;  /* ...and until then while a refresh runs in the background */
    int64_t retry_ms;   /* a failed background refresh is not retried before */
    char *last_error;   /* of the last failed fetch (synchronous interface) */
    idp_fetch *f;       /* in flight */
} idp_entry;

struct idp_fetch {
    rt_idp *p;
    idp_entry *e;
    arena a; /* the request and the response */
    rt_tx_call *call;
    rt_idp_wait *waiters, **tail;
    const char *url; /* in a, for messages */
};

struct rt_idp {
    rt_identity vt; /* first: rt_idp_identity */
    rt_transport *t;
    rt_clock *clock;
    rt_idp_source src;
    char *endpoint, *identity_endpoint, *identity_header, *token_file, *client_id, *tenant_id,
        *authority;
    int64_t timeout_ms, margin_ms;
    idp_entry **e;
    size_t n, cap;
    uint64_t fetches;
};

static char *opt_or_env(const char *v, const char *env)
{
    if (!v)
        v = getenv(env);
    return v && *v ? xstrdup(v) : NULL;
}

const char *rt_idp_source_name(rt_idp_source s)
{
    switch (s) {
    case RT_IDP_APPSERVICE:
        return "app-service";
    case RT_IDP_WORKLOAD:
        return "workload-identity";
    case RT_IDP_IMDS:
        return "imds";
    case RT_IDP_AUTO:
        break;
    }
    return "auto";
}

static int sync_get_token(rt_identity *id, arena *a, str resource, str client_id, str *token,
                          str *error);

rt_idp *rt_idp_new(rt_transport *transport, rt_clock *clock, const rt_idp_opts *opts)
{
    static const rt_idp_opts none = { 0 };
    if (!opts)
        opts = &none;
    rt_idp *p = xcalloc(1, sizeof *p);
    p->vt.get_token = sync_get_token;
    p->t = transport;
    p->clock = clock;
    p->endpoint = opt_or_env(opts->endpoint, "APIMLITE_IDENTITY_ENDPOINT");
    p->identity_endpoint = opt_or_env(opts->identity_endpoint, "IDENTITY_ENDPOINT");
    p->identity_header = opt_or_env(opts->identity_header, "IDENTITY_HEADER");
    p->token_file = opt_or_env(opts->federated_token_file, "AZURE_FEDERATED_TOKEN_FILE");
    p->client_id = opt_or_env(opts->client_id, "AZURE_CLIENT_ID");
    p->tenant_id = opt_or_env(opts->tenant_id, "AZURE_TENANT_ID");
    p->authority = opt_or_env(opts->authority_host, "AZURE_AUTHORITY_HOST");
    p->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : IDP_TIMEOUT_MS;
    p->margin_ms = opts->refresh_margin_ms == 0  ? IDP_MARGIN_MS
                   : opts->refresh_margin_ms < 0 ? 0
                                                 : opts->refresh_margin_ms;
    p->src = opts->source;
    if (p->src == RT_IDP_AUTO) {
        if (p->identity_endpoint && p->identity_header)
            p->src = RT_IDP_APPSERVICE;
        else if (p->token_file && p->client_id && p->tenant_id)
            p->src = RT_IDP_WORKLOAD;
        else
            p->src = RT_IDP_IMDS;
    }
    return p;
}

static void fetch_free(idp_fetch *f, bool cancel_call)
{
    if (cancel_call && f->call)
        f->p->t->cancel(f->p->t, f->call);
    for (rt_idp_wait *w = f->waiters, *next; w; w = next) {
        next = w->next;
        free(w);
    }
    arena_release(&f->a);
    free(f);
}

static void entry_free(idp_entry *e)
{
    if (e->f)
        fetch_free(e->f, true);
    free(e->resource);
    free(e->client_id);
    free(e->token);
    free(e->last_error);
    free(e);
}

void rt_idp_free(rt_idp *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        entry_free(p->e[i]);
    free(p->e);
    free(p->endpoint);
    free(p->identity_endpoint);
    free(p->identity_header);
    free(p->token_file);
    free(p->client_id);
    free(p->tenant_id);
    free(p->authority);
    free(p);
}

rt_idp_source rt_idp_source_of(const rt_idp *p)
{
    return p->src;
}

uint64_t rt_idp_fetches(const rt_idp *p)
{
    return p->fetches;
}

rt_identity *rt_idp_identity(rt_idp *p)
{
    return &p->vt;
}

rt_idp *rt_idp_of(rt_identity *id)
{
    return id && id->get_token == sync_get_token ? (rt_idp *)id : NULL;
}

/* ---- the cache ---- */

static bool cstr_is(const char *c, str s)
{
    return strlen(c) == s.len && !memcmp(c, s.ptr, s.len);
}

/* The entry of (resource, client_id), created when absent (the oldest idle one is dropped
 * beyond IDP_MAX_ENTRIES). */
static idp_entry *entry_of(rt_idp *p, str resource, str client_id)
{
    for (size_t i = 0; i < p->n; i++) {
        if (cstr_is(p->e[i]->resource, resource) && cstr_is(p->e[i]->client_id, client_id))
            return p->e[i];
    }
    if (p->n >= IDP_MAX_ENTRIES) {
        for (size_t i = 0; i < p->n; i++) {
            if (!p->e[i]->f) {
                entry_free(p->e[i]);
                memmove(p->e + i, p->e + i + 1, (p->n - i - 1) * sizeof *p->e);
                p->n--;
                break;
            }
        }
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->e = xrealloc(p->e, p->cap * sizeof *p->e);
    }
    idp_entry *e = xcalloc(1, sizeof *e);
    e->resource = xstrndup(resource.ptr, resource.len);
    e->client_id = xstrndup(client_id.ptr ? client_id.ptr : "", client_id.len);
    p->e[p->n++] = e;
    return e;
}

/* ---- building the request ---- */

static int put_enc(buf *b, str s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_' || c == '~';
        if (plain ? buf_putc(b, (char)c) < 0
                  : buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]) < 0)
            return -1;
    }
    return 0;
}

/* resource -> AAD v2 scope: R/.default ("https://x/" -> "https://x/.default"). */
static int put_scope(buf *b, str resource)
{
    if (str_ends_with(resource, STR_LIT("/.default")))
        return put_enc(b, resource);
    if (put_enc(b, resource) < 0)
        return -1;
    return put_enc(b, str_ends_with(resource, STR_LIT("/")) ? STR_LIT(".default")
                                                            : STR_LIT("/.default"));
}

/* The federated token (trimmed), in a; -1 with *error. */
static int read_token_file(const rt_idp *p, arena *a, str *out, str *error)
{
    FILE *fp = fopen(p->token_file, "rb");
    if (!fp) {
        char *m = arena_sprintf(a, "cannot read AZURE_FEDERATED_TOKEN_FILE '%s': %s", p->token_file,
                                strerror(errno));
        *error = str_from(m ? m : "cannot read AZURE_FEDERATED_TOKEN_FILE");
        return -1;
    }
    char *data = arena_alloc(a, IDP_TOKEN_FILE_MAX + 1);
    size_t n = data ? fread(data, 1, IDP_TOKEN_FILE_MAX + 1, fp) : 0;
    fclose(fp);
    str tok = str_trim(str_make(data ? data : "", n));
    const char *why = !data                    ? "out of memory"
                      : n > IDP_TOKEN_FILE_MAX ? "larger than 64 KiB"
                      : !tok.len               ? "empty"
                                               : NULL;
    if (why) {
        char *m = arena_sprintf(a, "AZURE_FEDERATED_TOKEN_FILE '%s' is %s", p->token_file, why);
        *error = str_from(m ? m : "bad AZURE_FEDERATED_TOKEN_FILE");
        return -1;
    }
    *out = tok;
    return 0;
}

static const char *missing_config(const rt_idp *p)
{
    switch (p->src) {
    case RT_IDP_APPSERVICE:
        if (!p->endpoint && !p->identity_endpoint)
            return "App Service identity: IDENTITY_ENDPOINT is not set";
        return p->identity_header ? NULL : "App Service identity: IDENTITY_HEADER is not set";
    case RT_IDP_WORKLOAD:
        if (!p->token_file)
            return "workload identity: AZURE_FEDERATED_TOKEN_FILE is not set";
        return p->tenant_id ? NULL : "workload identity: AZURE_TENANT_ID is not set";
    default:
        return NULL;
    }
}

/* Fills hr (strings in a) for (resource, client_id). -1 with *error. */
static int build_request(rt_idp *p, arena *a, str resource, str client_id, rt_http_req *hr,
                         str *error)
{
    const char *miss = missing_config(p);
    if (miss) {
        *error = str_from(miss);
        return -1;
    }
    buf u, body;
    buf_init(&u, 0);
    buf_init(&body, 0);
    rt_hdr *h = arena_calloc(a, 2, sizeof *h);
    int rc = h ? 0 : -1;
    *hr = (rt_http_req){ .method = STR_LIT("GET"),
                         .timeout_ms = p->timeout_ms,
                         .origin = "managed-identity",
                         .headers = h,
                         .nheaders = 1 };
    if (p->src == RT_IDP_WORKLOAD) {
        str assertion = STR_NULL;
        const char *auth = p->endpoint ? p->endpoint : p->authority ? p->authority : IDP_AUTHORITY;
        size_t al = strlen(auth);
        while (al && auth[al - 1] == '/')
            al--;
        str cid = client_id.len ? client_id : str_from(p->client_id ? p->client_id : "");
        if (rc == 0 && !cid.len) {
            *error = STR_LIT("workload identity: AZURE_CLIENT_ID is not set");
            rc = -1;
        }
        if (rc == 0)
            rc = read_token_file(p, a, &assertion, error);
        if (rc == 0) {
            rc |= buf_printf(&u, "%.*s/", (int)al, auth);
            rc |= put_enc(&u, str_from(p->tenant_id));
            rc |= buf_puts(&u, "/oauth2/v2.0/token");
            rc |= buf_puts(&body, "client_id=");
            rc |= put_enc(&body, cid);
            rc |= buf_puts(&body, "&scope=");
            rc |= put_scope(&body, resource);
            rc |= buf_puts(&body, "&grant_type=client_credentials&client_assertion_type=");
            rc |= put_enc(&body, STR_LIT(IDP_ASSERTION_TYPE));
            rc |= buf_puts(&body, "&client_assertion=");
            rc |= put_enc(&body, assertion);
            hr->method = STR_LIT("POST");
            h[0] =
                (rt_hdr){ STR_LIT("Content-Type"), STR_LIT("application/x-www-form-urlencoded") };
            h[1] = (rt_hdr){ STR_LIT("Accept"), STR_LIT("application/json") };
            hr->nheaders = 2;
        }
    } else if (rc == 0) {
        bool app = p->src == RT_IDP_APPSERVICE;
        const char *base = p->endpoint ? p->endpoint : app ? p->identity_endpoint : IDP_IMDS_URL;
        rc |= buf_printf(&u, "%s%c", base, strchr(base, '?') ? '&' : '?');
        rc |= buf_puts(&u, app ? "resource=" : "api-version=2018-02-01&resource=");
        rc |= put_enc(&u, resource);
        if (app)
            rc |= buf_puts(&u, "&api-version=2019-08-01");
        if (client_id.len) {
            rc |= buf_puts(&u, "&client_id=");
            rc |= put_enc(&u, client_id);
        }
        h[0] = app ? (rt_hdr){ STR_LIT("X-IDENTITY-HEADER"), str_from(p->identity_header) }
                   : (rt_hdr){ STR_LIT("Metadata"), STR_LIT("true") };
    }
    if (rc == 0) {
        hr->url = arena_str(a, buf_str(&u));
        hr->body = arena_str(a, buf_str(&body));
        if (!hr->url.ptr || !hr->body.ptr)
            rc = -1;
    }
    if (rc < 0 && !error->ptr)
        *error = STR_LIT("out of memory building the token request");
    buf_release(&u);
    buf_release(&body);
    return rc;
}

/* ---- reading the response ---- */

/* A number of seconds from a JSON string of digits or an integer; -1 when absent/bad. */
static int64_t json_seconds(const json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
    if (json_is_real(v))
        return json_real_value(v) >= 0 ? (int64_t)json_real_value(v) : -1;
    const char *s = json_string_value(v);
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    return *end || errno || n < 0 ? -1 : (int64_t)n;
}

static bool is_token_text(const char *t)
{
    if (!*t)
        return false;
    for (; *t; t++) {
        if ((unsigned char)*t <= ' ' || (unsigned char)*t >= 0x7f)
            return false;
    }
    return true;
}

/* A short printable excerpt of a body, for messages. */
static void excerpt(char *out, size_t n, str body)
{
    size_t j = 0;
    for (size_t i = 0; i < body.len && j + 4 < n; i++) {
        unsigned char c = (unsigned char)body.ptr[i];
        out[j++] = c >= ' ' && c < 0x7f ? (char)c : ' ';
    }
    if (body.len && j + 4 >= n)
        memcpy(out + j, "...", 3), j += 3;
    out[j] = 0;
}

/* On success returns 0 with *token (xmalloc'ed), *refresh_ms (when to refresh it) and
 * *use_until (how long it may still be used while a refresh runs: until a fifth of the margin
 * before its expiry); else -1 with *error (xmalloc'ed). */
static int parse_response(const rt_idp *p, rt_tx_result res, const rt_http_resp *resp,
                          const char *msg, const char *url, int64_t now, char **token,
                          int64_t *refresh_ms, int64_t *use_until, char **error)
{
    const char *src = rt_idp_source_name(p->src);
    char m[768], ex[160];
    if (res != RT_TX_OK || !resp) {
        if (res == RT_TX_TIMEOUT)
            snprintf(m, sizeof m, "the %s token endpoint %s did not answer within %lld ms", src,
                     url, (long long)p->timeout_ms);
        else
            snprintf(m, sizeof m, "cannot reach the %s token endpoint %s: %s", src, url,
                     msg ? msg : "transport error");
        *error = xstrdup(m);
        return -1;
    }
    json_error_t je;
    json_t *j = json_loadb(resp->body.ptr ? resp->body.ptr : "", resp->body.len, 0, &je);
    excerpt(ex, sizeof ex, resp->body);
    if (resp->status != 200) {
        const char *code = json_string_value(json_object_get(j, "error"));
        const char *desc = json_string_value(json_object_get(j, "error_description"));
        if (!desc)
            desc = json_string_value(json_object_get(j, "message"));
        if (!desc && json_is_object(json_object_get(j, "error"))) { /* {"error":{code,message}} */
            code = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
            desc = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
        }
        if (code || desc)
            snprintf(m, sizeof m, "the %s token endpoint answered HTTP %d: %s%s%s", src,
                     resp->status, code ? code : "", code && desc ? ": " : "", desc ? desc : "");
        else
            snprintf(m, sizeof m, "the %s token endpoint answered HTTP %d%s%s", src, resp->status,
                     *ex ? ": " : "", ex);
        json_decref(j);
        *error = xstrdup(m);
        return -1;
    }
    const char *tok = json_string_value(json_object_get(j, "access_token"));
    int64_t on = json_seconds(json_object_get(j, "expires_on"));
    int64_t in = json_seconds(json_object_get(j, "expires_in"));
    const char *why = !j                    ? "not JSON"
                      : !json_is_object(j)  ? "not a JSON object"
                      : !tok                ? "no access_token"
                      : !is_token_text(tok) ? "the access_token is not a token"
                      : on < 0 && in < 0    ? "neither expires_on nor expires_in"
                                            : NULL;
    if (why) {
        snprintf(m, sizeof m, "malformed token response from the %s token endpoint (%s): %s", src,
                 why, ex);
        json_decref(j);
        *error = xstrdup(m);
        return -1;
    }
    if (on > INT64_MAX / 4000 || in > INT64_MAX / 4000) /* absurd: treat as "for a long time" */
        on = -1, in = INT64_MAX / 4000;
    int64_t expiry = on >= 0 ? on * 1000 : now + in * 1000;
    int64_t refresh = expiry - p->margin_ms;
    if (refresh < now + (expiry - now) / 2) /* short-lived token: refresh at half its life */
        refresh = now + (expiry - now) / 2;
    *refresh_ms = refresh;
    int64_t until = expiry - p->margin_ms / 5;
    *use_until = until > refresh ? until : refresh;
    *token = xstrdup(tok);
    json_decref(j);
    return 0;
}

/* ---- fetches ---- */

static void on_fetch_done(void *ud, rt_tx_result res, const rt_http_resp *resp, const char *msg)
{
    idp_fetch *f = ud;
    rt_idp *p = f->p;
    idp_entry *e = f->e;
    f->call = NULL;
    int64_t now = rt_clock_now(p->clock);
    char *token = NULL, *error = NULL;
    int64_t refresh = 0, until = 0;
    parse_response(p, res, resp, msg, f->url, now, &token, &refresh, &until, &error);
    e->f = NULL;
    if (token) {
        free(e->token);
        e->token = xstrdup(token);
        e->refresh_ms = refresh;
        e->use_until = until;
        free(e->last_error);
        e->last_error = NULL;
    } else {
        free(e->last_error);
        e->last_error = xstrdup(error);
        e->retry_ms = now + IDP_RETRY_MS; /* a background refresh: not at every request */
    }
    rt_idp_wait *w = f->waiters;
    f->waiters = NULL;
    fetch_free(f, false);
    /* p may be freed by a waiter: nothing of p or e is used from here */
    while (w) {
        rt_idp_wait *next = w->next;
        w->done(w->ud, token, token ? NULL : error);
        free(w);
        w = next;
    }
    free(token);
    free(error);
}

/* Starts e's fetch (e->f); NULL with *err (static or in no arena: copied by the caller) when
 * it cannot start (the error is also kept for the synchronous interface). */
static idp_fetch *start_fetch(rt_idp *p, idp_entry *e, str resource, str client_id, str *err)
{
    idp_fetch *f = xcalloc(1, sizeof *f);
    f->p = p;
    f->e = e;
    f->tail = &f->waiters;
    arena_init(&f->a, IDP_FETCH_CAP);
    rt_http_req hr;
    str why = STR_NULL;
    if (build_request(p, &f->a, resource, client_id, &hr, &why) == 0) {
        f->url = hr.url.ptr;
        f->call = p->t->send(p->t, &f->a, &hr, on_fetch_done, f);
        if (!f->call)
            why = STR_LIT("the transport could not start the token request");
        else
            p->fetches++;
    }
    if (!f->call) {
        free(e->last_error);
        e->last_error =
            why.len ? xstrndup(why.ptr, why.len) : xstrdup("cannot start the token request");
        e->retry_ms = rt_clock_now(p->clock) + IDP_RETRY_MS;
        fetch_free(f, false);
        if (err)
            *err = str_from(e->last_error);
        return NULL;
    }
    e->f = f;
    return f;
}

int rt_idp_get(rt_idp *p, arena *a, str resource, str client_id, str *token, str *error,
               rt_idp_done done, void *ud, rt_idp_wait **wait)
{
    *error = STR_NULL;
    if (wait)
        *wait = NULL;
    resource = str_trim(resource.ptr ? resource : STR_LIT(""));
    client_id = str_trim(client_id.ptr ? client_id : STR_LIT(""));
    if (!resource.len) {
        *error = STR_LIT("the resource is empty");
        return -1;
    }
    idp_entry *e = entry_of(p, resource, client_id);
    int64_t now = rt_clock_now(p->clock);
    /* due for a refresh but still good for a while: served from the cache while one fetch
     * runs in the background (no request waits for it) */
    bool background = e->token && now >= e->refresh_ms && now < e->use_until;
    if (e->token && (now < e->refresh_ms || background)) {
        if (background && !e->f && now >= e->retry_ms)
            start_fetch(p, e, resource, client_id, NULL);
        *token = arena_str(a, str_from(e->token));
        if (token->ptr)
            return 1;
        *error = STR_LIT("request memory limit reached");
        return -1;
    }
    idp_fetch *f = e->f;
    if (!f) {
        str err = STR_NULL;
        f = start_fetch(p, e, resource, client_id, &err);
        if (!f) {
            *error = arena_str(a, err);
            if (!error->ptr)
                *error = STR_LIT("cannot start the token request");
            return -1;
        }
    }
    if (done) {
        rt_idp_wait *w = xcalloc(1, sizeof *w);
        *w = (rt_idp_wait){ .f = f, .done = done, .ud = ud };
        *f->tail = w;
        f->tail = &w->next;
        if (wait)
            *wait = w;
    }
    return 0;
}

void rt_idp_cancel(rt_idp *p, rt_idp_wait *wait)
{
    (void)p;
    if (!wait)
        return;
    idp_fetch *f = wait->f;
    for (rt_idp_wait **pp = &f->waiters; *pp; pp = &(*pp)->next) {
        if (*pp == wait) {
            *pp = wait->next;
            if (f->tail == &wait->next)
                f->tail = pp;
            free(wait);
            return;
        }
    }
}

/* rt_identity.get_token: fresh cached tokens only; a miss starts a fetch for later requests. */
static int sync_get_token(rt_identity *id, arena *a, str resource, str client_id, str *token,
                          str *error)
{
    rt_idp *p = (rt_idp *)id;
    resource = str_trim(resource.ptr ? resource : STR_LIT(""));
    client_id = str_trim(client_id.ptr ? client_id : STR_LIT(""));
    int rc = rt_idp_get(p, a, resource, client_id, token, error, NULL, NULL, NULL);
    if (rc != 0)
        return rc > 0 ? 0 : -1;
    idp_entry *e = entry_of(p, resource, client_id);
    char *m = arena_sprintf(a, "the token is being fetched%s%s",
                            e->last_error ? "; the last attempt failed: " : "",
                            e->last_error ? e->last_error : "");
    *error = str_from(m ? m : "the token is being fetched");
    return -1;
}
