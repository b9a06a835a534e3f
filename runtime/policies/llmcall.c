/* LLM request text and side calls to configured backends (llmcall.h), for the semantic cache
 * and llm-content-safety. */
#include "llmcall.h"

#include <jansson.h>
#include <string.h>

#include "../pipeline.h"
#include "../world.h"

/* ---- prompt text ---- */

static void json_release(void *p)
{
    json_decref(p);
}

/* Appends s (copied) to the list. -1 at the arena cap. */
static int add_text(rt_req *r, rt_llm_prompt *p, size_t *cap, const char *s, size_t n)
{
    if (p->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        str *t = arena_alloc(&r->arena, nc * sizeof *t);
        if (!t)
            return -1;
        if (p->n)
            memcpy(t, p->texts, p->n * sizeof *t);
        p->texts = t;
        *cap = nc;
    }
    str c = arena_str(&r->arena, str_make(s, n));
    if (!c.ptr)
        return -1;
    p->texts[p->n++] = c;
    return 0;
}

/* The text of a content value: a string, or the "text" of each part of an array (joined by
 * newlines). Returns 0 (nothing when there is no text), -1 at the arena cap. */
static int content_text(rt_req *r, rt_llm_prompt *p, size_t *cap, const json_t *content)
{
    if (json_is_string(content))
        return add_text(r, p, cap, json_string_value(content), json_string_length(content));
    if (!json_is_array(content))
        return 0;
    buf b;
    buf_init(&b, (size_t)4 << 20);
    size_t i;
    const json_t *part;
    json_array_foreach(content, i, part)
    {
        const json_t *t = json_is_string(part) ? part : json_object_get(part, "text");
        if (!json_is_string(t))
            continue;
        if (b.len)
            buf_putc(&b, '\n');
        buf_append(&b, json_string_value(t), json_string_length(t));
    }
    int rc = b.len ? add_text(r, p, cap, b.ptr, b.len) : 0;
    buf_release(&b);
    return rc;
}

static bool is_system(const json_t *msg)
{
    const char *role = json_string_value(json_object_get(msg, "role"));
    return role && (!strcmp(role, "system") || !strcmp(role, "developer"));
}

/* messages[] (chat) or input[] items that are messages. */
static int read_messages(rt_req *r, rt_llm_prompt *p, size_t *cap, const json_t *arr,
                         bool ignore_system)
{
    size_t i;
    const json_t *m;
    json_array_foreach(arr, i, m)
    {
        if (json_is_string(m)) {
            if (add_text(r, p, cap, json_string_value(m), json_string_length(m)) < 0)
                return -1;
            continue;
        }
        if (!json_is_object(m))
            continue;
        p->chat = true;
        if (ignore_system && is_system(m))
            continue;
        p->messages++;
        if (content_text(r, p, cap, json_object_get(m, "content")) < 0)
            return -1;
    }
    return 0;
}

int rt_llm_prompt_read(rt_req *r, str body, bool ignore_system, rt_llm_prompt *out)
{
    *out = (rt_llm_prompt){ 0 };
    if (!body.len)
        return 0;
    json_t *j = json_loadb(body.ptr, body.len, 0, NULL);
    if (!j)
        return 0;
    if (arena_defer(&r->arena, json_release, j) < 0) {
        json_decref(j);
        return -1;
    }
    if (!json_is_object(j))
        return 0;
    size_t cap = 0;
    out->stream = json_is_true(json_object_get(j, "stream"));
    const json_t *msgs = json_object_get(j, "messages");
    const json_t *prompt = json_object_get(j, "prompt");
    const json_t *input = json_object_get(j, "input");
    int rc = 0;
    if (json_is_array(msgs)) {
        out->chat = true;
        rc = read_messages(r, out, &cap, msgs, ignore_system);
    } else if (json_is_string(prompt) || json_is_array(prompt)) {
        rc = json_is_string(prompt) ? content_text(r, out, &cap, prompt)
                                    : read_messages(r, out, &cap, prompt, false);
    } else if (json_is_string(input)) {
        rc = content_text(r, out, &cap, input);
    } else if (json_is_array(input)) {
        rc = read_messages(r, out, &cap, input, ignore_system);
    } else {
        return 0;
    }
    if (rc < 0)
        return -1;
    return out->n || out->chat ? 1 : 0;
}

str rt_llm_prompt_join(rt_req *r, const rt_llm_prompt *p, const char *sep)
{
    size_t seplen = strlen(sep), n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += p->texts[i].len + (i ? seplen : 0);
    char *s = arena_alloc(&r->arena, n + 1);
    if (!s)
        return STR_NULL;
    size_t at = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (i) {
            memcpy(s + at, sep, seplen);
            at += seplen;
        }
        if (p->texts[i].len)
            memcpy(s + at, p->texts[i].ptr, p->texts[i].len);
        at += p->texts[i].len;
    }
    s[at] = '\0';
    return str_make(s, at);
}

/* ---- side calls ---- */

#define SYSTEM_MI_RESOURCE "https://cognitiveservices.azure.com"

typedef struct llm_call {
    rt_wake wake;
    rt_tx_call *call;
    rt_llm_done done;
    void *ud;
    str backend_id;
} llm_call;

/* The backend to call for id: a single backend, or a pool's first member. */
static const rt_backend *backend_of(rt_req *r, str id, str *why)
{
    if (!r->w->gateway) {
        *why = STR_LIT("no gateway configuration (backends are defined by --config / config:)");
        return NULL;
    }
    const rt_backend *b = rt_config_backend(rt_gw_config(r->w->gateway), id);
    if (b && b->pool)
        b = b->nmembers ? b->members[0].backend : NULL;
    if (!b || !b->url.len) {
        char *m = arena_sprintf(&r->arena, "backend '%.*s' is not defined in the configuration",
                                STR_FMT(id));
        *why = m ? str_from(m) : STR_LIT("backend not found");
        return NULL;
    }
    return b;
}

/* Token of the system-assigned identity (sync interface: a provider that is still fetching
 * answers "not ready"). 0 with *bearer, or -1 with *why. */
static int system_token(rt_req *r, str *bearer, str *why)
{
    str token = STR_NULL, error = STR_LIT("no managed identity is available");
    rt_identity *idp = r->w->idp;
    if (!idp || idp->get_token(idp, &r->arena, STR_LIT(SYSTEM_MI_RESOURCE), STR_LIT(""), &token,
                               &error) < 0) {
        char *m = arena_sprintf(&r->arena, "no system-assigned managed identity token for %s: %.*s",
                                SYSTEM_MI_RESOURCE, STR_FMT(error));
        *why = m ? str_from(m) : STR_LIT("no managed identity token");
        return -1;
    }
    char *v = arena_sprintf(&r->arena, "Bearer %.*s", STR_FMT(token));
    if (!v)
        return *why = STR_LIT("request memory limit reached"), -1;
    *bearer = str_from(v);
    return 0;
}

/* credentials.managedIdentity of the backend. */
static int backend_token(rt_req *r, const rt_backend *b, str *bearer, str *why)
{
    const rt_backend_credentials *c = &b->cred;
    str token = STR_NULL, error = STR_LIT("no managed identity is available");
    rt_identity *idp = r->w->idp;
    if (!idp ||
        idp->get_token(idp, &r->arena, c->mi_resource, c->mi_client_id, &token, &error) < 0) {
        char *m = arena_sprintf(&r->arena,
                                "Failed to acquire a managed identity token for backend '%.*s' "
                                "(resource '%.*s'): %.*s",
                                STR_FMT(b->id), STR_FMT(c->mi_resource), STR_FMT(error));
        *why = m ? str_from(m) : STR_LIT("no managed identity token");
        return -1;
    }
    char *v = arena_sprintf(&r->arena, "Bearer %.*s", STR_FMT(token));
    if (!v)
        return *why = STR_LIT("request memory limit reached"), -1;
    *bearer = str_from(v);
    return 0;
}

/* Headers and URL of the call to b. 0, or -1 with *why. */
static int build(rt_req *r, const rt_backend *b, const rt_llm_req *q, rt_http_req *hr, str *why)
{
    const rt_backend_credentials *c = &b->cred;
    str bearer = STR_NULL;
    if (c->has_authorization) {
        char *v = arena_sprintf(&r->arena, "%.*s %.*s", STR_FMT(c->auth_scheme),
                                STR_FMT(c->auth_parameter));
        if (!v)
            return *why = STR_LIT("request memory limit reached"), -1;
        bearer = str_from(v);
    } else if (c->has_managed_identity) {
        if (backend_token(r, b, &bearer, why) < 0)
            return -1;
    } else if (q->system_mi && system_token(r, &bearer, why) < 0) {
        if (!c->nheaders && !c->nquery)
            return -1;
        rt_trace(r, "%.*s: calling with the backend's credentials only", STR_FMT(*why));
        bearer = STR_NULL;
    }
    size_t n = 2;
    for (size_t i = 0; i < c->nheaders; i++)
        n += c->headers[i].nvalues;
    rt_hdr *h = arena_calloc(&r->arena, n, sizeof *h);
    if (!h)
        return *why = STR_LIT("request memory limit reached"), -1;
    size_t k = 0;
    h[k++] = (rt_hdr){ STR_LIT("Content-Type"), STR_LIT("application/json") };
    for (size_t i = 0; i < c->nheaders; i++) {
        for (size_t v = 0; v < c->headers[i].nvalues; v++)
            h[k++] = (rt_hdr){ c->headers[i].name, c->headers[i].values[v] };
    }
    if (bearer.ptr)
        h[k++] = (rt_hdr){ STR_LIT("Authorization"), bearer };
    hr->headers = h;
    hr->nheaders = k;
    buf u;
    buf_init(&u, (size_t)1 << 20);
    str base = b->url;
    while (q->path.len && base.len && base.ptr[base.len - 1] == '/' && q->path.ptr[0] == '/')
        base.len--;
    buf_append(&u, base.ptr, base.len);
    buf_append(&u, q->path.ptr, q->path.len);
    rt_gw_append_cred_query(&u, c);
    char *url = arena_strndup(&r->arena, u.ptr ? u.ptr : "", u.len);
    buf_release(&u);
    if (!url)
        return *why = STR_LIT("request memory limit reached"), -1;
    hr->url = str_from(url);
    hr->tls_skip_chain = !b->tls_validate_chain;
    hr->tls_skip_name = !b->tls_validate_name;
    hr->proxy_url = b->proxy_url;
    hr->proxy_username = b->proxy_username;
    hr->proxy_password = b->proxy_password;
    return 0;
}

static void call_done(void *ud, rt_tx_result res, const rt_http_resp *resp, const char *msg)
{
    llm_call *c = ud;
    rt_req *r = c->wake.r;
    rt_req_unhold(r);
    c->call = NULL;
    if (r->w->call_result)
        r->w->call_result(r, c->backend_id, res, resp);
    if (r->finished)
        return;
    rt_wake_enter(&c->wake);
    pol_status st = c->done(r, c->ud, res, resp, msg);
    if (st != POL_SUSPEND)
        rt_wake_resume(&c->wake, st);
}

static void cancel_call(rt_req *r, void *ud)
{
    llm_call *c = ud;
    if (c->call) {
        r->w->transport->cancel(r->w->transport, c->call);
        c->call = NULL;
        rt_req_unhold(r);
    }
}

int rt_llm_call(rt_req *r, const rt_llm_req *q, rt_llm_done done, void *ud, str *why)
{
    const rt_backend *b = backend_of(r, q->backend_id, why);
    if (!b)
        return -1;
    rt_http_req hr = { 0 };
    if (build(r, b, q, &hr, why) < 0)
        return -1;
    llm_call *c = arena_alloc(&r->arena, sizeof *c);
    if (!c)
        return *why = STR_LIT("request memory limit reached"), -1;
    *c = (llm_call){ .done = done, .ud = ud, .backend_id = b->id };
    hr.method = STR_LIT("POST");
    hr.body = q->body;
    hr.timeout_ms = q->timeout_ms;
    hr.backend_id = b->id;
    hr.origin = q->origin;
    rt_wake_init(&c->wake, r);
    rt_trace(r, "POST %.*s (backend %.*s)", STR_FMT(b->url), STR_FMT(b->id));
    rt_req_hold(r);
    c->call = r->w->transport->send(r->w->transport, &r->arena, &hr, call_done, c);
    if (!c->call) {
        rt_req_unhold(r);
        *why = STR_LIT("the call could not be started");
        return -1;
    }
    r->cur->cancel = cancel_call;
    r->cur->cancel_ud = c;
    return 0;
}
