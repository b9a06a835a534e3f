/* azure-openai-semantic-cache-lookup / llm-semantic-cache-lookup and their -store twins
 * (spec/policies.md §7). The table entries are in ai.c.
 *
 * Lookup (inbound):
 *  - the prompt: chat messages' text (system and developer messages dropped with
 *    ignore-system-messages), a completions `prompt`, or a Responses API `input`, joined by
 *    newlines. No prompt (not JSON, consumed body): nothing is cached for the request. More
 *    messages than max-message-count: caching is skipped (docs: "number of remaining dialog
 *    messages after which caching is skipped").
 *  - partition: the API id, whether the request streams ("stream": true; a streamed answer is
 *    only ever returned to a streaming client and vice versa), and the vary-by values
 *    (concatenated, each length-prefixed so "ab"+"c" differs from "a"+"bc").
 *  - embedding: POST {"input": prompt} to the embeddings-backend-id backend's url (docs: the
 *    backend's runtime URL is the embeddings deployment's URL) with the gateway's
 *    system-assigned identity token (llmcall.h) and the backend's credentials; the vector is
 *    data[0].embedding (floats, or base64 float32).
 *  - the nearest live entry of the partition by cosine distance; distance <= score-threshold
 *    (lower = stricter, docs) is a hit: the cached status, headers and body are returned, the
 *    pipeline stops (no backend call; end-of-request hooks such as token metrics still see the
 *    cached usage). A miss remembers partition + vector for the store.
 *  - embeddings failure (transport error, non-2xx, no vector) or no backend: [impl] the request
 *    continues uncached (traced); the docs recommend a rate limit after the lookup for when the
 *    cache is unavailable, which is the same situation.
 * Store (outbound): after a 200 answer, the response is stored under the lookup's partition and
 * vector for duration seconds; a streamed (text/event-stream) body is stored only when complete
 * (it ends with the `data: [DONE]` event: a relayed stream keeps only its first MB). */
#include "families.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "llmcall.h"
#include "observe_pol.h"
#include "semcache.h"

#define EMBED_TIMEOUT_MS 30000
#define MAX_DIMS         65536
/* distance == threshold is a hit despite float rounding */
#define DISTANCE_SLACK 1e-9

static pol_status oom(rt_req *r)
{
    return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
}

int rt_sem_lookup_parse(pol_cc *cc, const pol_node *el, void *out)
{
    rt_sem_lookup_conf *c = out;
    str t = pol_cc_lit(el, "score-threshold", "0");
    char tmp[64];
    size_t n = t.len < sizeof tmp - 1 ? t.len : sizeof tmp - 1;
    memcpy(tmp, t.ptr, n);
    tmp[n] = '\0';
    char *end;
    c->threshold = strtod(tmp, &end);
    if (end == tmp || *end || !(c->threshold >= 0 && c->threshold <= 1))
        return pol_cc_error(cc, el, "score-threshold must be a number between 0.0 and 1.0");
    c->backend = pol_cc_lit(el, "embeddings-backend-id", "");
    c->ignore_system = pol_cc_bool(el, "ignore-system-messages", false);
    c->max_messages =
        pol_node_attr(el, "max-message-count") ? pol_cc_int(el, "max-message-count", 0) : -1;
    const pol_node **v;
    c->nvary = pol_cc_children(cc, el, "vary-by", &v);
    c->vary = arena_calloc(cc->a, c->nvary + 1, sizeof *c->vary);
    if (!c->vary)
        return pol_cc_error(cc, el, "out of memory");
    for (size_t i = 0; i < c->nvary; i++)
        pol_cc_text(v[i], &c->vary[i]);
    return 0;
}

/* "sem|<api>|<json|sse>" + "|<len>:<value>" per vary-by. -1 after recording a failure. */
static int partition_of(rt_req *r, const rt_sem_lookup_conf *c, bool stream, str *out)
{
    buf b;
    buf_init(&b, (size_t)1 << 20);
    buf_printf(&b, "sem|%.*s|%s", STR_FMT(r->ctx->api.id), stream ? "sse" : "json");
    for (size_t i = 0; i < c->nvary; i++) {
        str v;
        if (rt_val_str(r, &c->vary[i], &v) < 0) {
            buf_release(&b);
            return -1;
        }
        buf_printf(&b, "|%zu:%.*s", v.len, STR_FMT(v));
    }
    str s = arena_str(&r->arena, buf_str(&b));
    buf_release(&b);
    if (!s.ptr)
        return oom(r), -1;
    *out = s;
    return 0;
}

static int b64_value(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* base64 of little-endian float32 (encoding_format "base64"). */
static float *vec_base64(rt_req *r, const char *s, size_t len, size_t *dim)
{
    size_t nbytes = len / 4 * 3, got = 0;
    unsigned char *bytes = arena_alloc(&r->arena, nbytes + 3);
    if (!bytes)
        return NULL;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len && s[i] != '='; i++) {
        int v = b64_value(s[i]);
        if (v < 0)
            return NULL;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes[got++] = (unsigned char)(acc >> bits);
        }
    }
    if (!got || got % 4 || got / 4 > MAX_DIMS)
        return NULL;
    float *v = arena_alloc(&r->arena, got);
    if (!v)
        return NULL;
    for (size_t i = 0; i < got / 4; i++) {
        uint32_t u = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 |
                     (uint32_t)bytes[4 * i + 2] << 16 | (uint32_t)bytes[4 * i + 3] << 24;
        memcpy(&v[i], &u, sizeof u);
        if (!isfinite(v[i]))
            return NULL;
    }
    *dim = got / 4;
    return v;
}

/* data[0].embedding of an embeddings answer. NULL when there is none (or it is malformed). */
static float *embedding_of(rt_req *r, str body, size_t *dim)
{
    json_t *j = json_loadb(body.ptr ? body.ptr : "", body.len, 0, NULL);
    const json_t *e = json_object_get(json_array_get(json_object_get(j, "data"), 0), "embedding");
    float *v = NULL;
    if (json_is_string(e)) {
        v = vec_base64(r, json_string_value(e), json_string_length(e), dim);
    } else if (json_is_array(e) && json_array_size(e) && json_array_size(e) <= MAX_DIMS) {
        size_t n = json_array_size(e);
        v = arena_alloc(&r->arena, n * sizeof *v);
        for (size_t i = 0; v && i < n; i++) {
            const json_t *x = json_array_get(e, i);
            if (!json_is_number(x)) {
                v = NULL;
                break;
            }
            v[i] = (float)json_number_value(x);
        }
        *dim = n;
    }
    json_decref(j);
    return v;
}

typedef struct lookup_state {
    const rt_sem_lookup_conf *c;
    str partition;
} lookup_state;

static pol_status embedded(rt_req *r, void *ud, rt_tx_result res, const rt_http_resp *resp,
                           const char *msg)
{
    lookup_state *s = ud;
    if (res != RT_TX_OK) {
        rt_trace(r, "embeddings call failed (%s): continuing without the cache", msg ? msg : "");
        return POL_NEXT;
    }
    if (resp->status < 200 || resp->status > 299) {
        rt_trace(r, "embeddings backend answered %d: continuing without the cache", resp->status);
        return POL_NEXT;
    }
    size_t dim = 0;
    float *vec = embedding_of(r, resp->body, &dim);
    if (!vec) {
        rt_trace(r, "the embeddings answer has no data[0].embedding: continuing without the cache");
        return POL_NEXT;
    }
    struct rt_req_obs *o = rt_pol_req_obs(r);
    if (!o)
        return oom(r);
    str blob;
    double d;
    int hit = rt_cache_vec_find(rt_observe_of(r->w)->cache, s->partition, vec, dim,
                                s->c->threshold + DISTANCE_SLACK, rt_clock_now(r->w->clock),
                                &r->arena, &blob, &d);
    if (hit < 0)
        return oom(r);
    if (hit) {
        if (rt_pol_cached_response(r, blob) < 0)
            return POL_FAIL;
        rt_trace(r, "hit: distance %.6f <= %g: cached response returned", d, s->c->threshold);
        return POL_RESPOND;
    }
    o->sem_ready = true;
    o->sem_partition = s->partition;
    o->sem_vec = vec;
    o->sem_dim = dim;
    if (d < 0)
        rt_trace(r, "miss: no entry in the partition (%zu dimensions)", dim);
    else
        rt_trace(r, "miss: nearest distance %.6f > %g", d, s->c->threshold);
    return POL_NEXT;
}

pol_status rt_sem_lookup_exec(rt_req *r, const void *conf)
{
    const rt_sem_lookup_conf *c = conf;
    rt_llm_prompt p;
    int rc = rt_llm_prompt_read(r, rt_body_bytes(r->ctx->request.body), c->ignore_system, &p);
    if (rc < 0)
        return oom(r);
    if (rc == 0 || !p.n) {
        rt_trace(r, "no prompt in the request body: not cached");
        return POL_NEXT;
    }
    if (c->max_messages >= 0 && p.chat && p.messages > (size_t)c->max_messages) {
        rt_trace(r, "%zu messages > max-message-count %lld: not cached", p.messages,
                 (long long)c->max_messages);
        return POL_NEXT;
    }
    lookup_state *s = arena_alloc(&r->arena, sizeof *s);
    str prompt = rt_llm_prompt_join(r, &p, "\n");
    if (!s || !prompt.ptr)
        return oom(r);
    s->c = c;
    if (partition_of(r, c, p.stream, &s->partition) < 0)
        return POL_FAIL;
    json_t *j = json_pack("{s:s%}", "input", prompt.ptr, prompt.len);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    str body = text ? arena_str(&r->arena, str_from(text)) : STR_NULL;
    free(text);
    if (!body.ptr)
        return oom(r);
    rt_llm_req q = { .backend_id = c->backend,
                     .path = STR_LIT(""),
                     .body = body,
                     .system_mi = true,
                     .timeout_ms = EMBED_TIMEOUT_MS,
                     .origin = "semantic-cache-lookup" };
    str why;
    if (rt_llm_call(r, &q, embedded, s, &why) < 0) {
        rt_trace(r, "embeddings backend %.*s: %.*s: continuing without the cache",
                 STR_FMT(c->backend), STR_FMT(why));
        return POL_NEXT;
    }
    return POL_SUSPEND;
}

/* ---- store ---- */

int rt_sem_store_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    rt_sem_store_conf *c = out;
    pol_cc_attr(el, "duration", &c->duration);
    return 0;
}

static bool is_event_stream(const rt_response *resp)
{
    xv_list *h = resp->headers ? rt_hdr_get(resp->headers, STR_LIT("Content-Type")) : NULL;
    str ct = h && h->n ? h->items[0].u.s : resp->body ? resp->body->content_type : STR_NULL;
    return ct.ptr && str_find(ct, STR_LIT("text/event-stream")) >= 0;
}

/* A streamed body is complete when its last event is `data: [DONE]`. */
static bool stream_complete(str body)
{
    while (body.len && (body.ptr[body.len - 1] == '\n' || body.ptr[body.len - 1] == '\r' ||
                        body.ptr[body.len - 1] == ' '))
        body.len--;
    return str_ends_with(body, STR_LIT("[DONE]"));
}

pol_status rt_sem_store_exec(rt_req *r, const void *conf)
{
    const rt_sem_store_conf *c = conf;
    int64_t secs;
    if (rt_val_int(r, &c->duration, 0, &secs) < 0)
        return POL_FAIL;
    if (secs < 0 || secs > INT64_MAX / 2000)
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure", "invalid cache duration %lld",
                       (long long)secs);
    const struct rt_req_obs *o = r->obs;
    if (!o || !o->sem_ready) {
        rt_trace(r, "no semantic cache lookup miss for this request: not stored");
        return POL_NEXT;
    }
    const rt_response *resp = &r->ctx->response;
    if (resp->status != 200) {
        rt_trace(r, "status %d: not stored", resp->status);
        return POL_NEXT;
    }
    if (is_event_stream(resp) && !stream_complete(rt_body_bytes(resp->body))) {
        rt_trace(r, "incomplete event stream (no data: [DONE]): not stored");
        return POL_NEXT;
    }
    int64_t now = rt_clock_now(r->w->clock), ms = secs * 1000;
    buf b;
    buf_init(&b, (size_t)64 << 20);
    int rc = rt_pol_response_freeze(r, now + ms, &b);
    if (rc == 0)
        rc = rt_cache_vec_put(rt_observe_of(r->w)->cache, o->sem_partition, o->sem_vec, o->sem_dim,
                              buf_str(&b), now, now + ms);
    buf_release(&b);
    rt_trace(r, "stored for %llds%s", (long long)secs, rc < 0 ? ": too large, not stored" : "");
    return POL_NEXT;
}
