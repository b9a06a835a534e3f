/* `expect` of test files: status, headers, body, bodyContains, backendCalls, backendRequests,
 * variables, elapsed, logs, metrics. Each mismatch becomes one readable line "key: expected X,
 * got Y". */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "observe.h" /* observe: expect.logs, expect.metrics */
#include "testfile.h"

static void diff(buf *d, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void diff(buf *d, const char *prefix, const char *fmt, ...)
{
    va_list ap;
    buf_printf(d, "    %s", prefix);
    va_start(ap, fmt);
    buf_vprintf(d, fmt, ap);
    va_end(ap);
    buf_putc(d, '\n');
}

/* Compact JSON for messages (truncated); caller frees. */
static char *show(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s && strlen(s) > 400)
        strcpy(s + 397, "...");
    return s ? s : strdup("?");
}

static char *show_str(str s)
{
    json_t *j = json_stringn(s.ptr ? s.ptr : "", s.len);
    char *t = show(j);
    json_decref(j);
    return t;
}

/* JSON equality with numbers compared by value (1 == 1.0). */
static bool json_match(const json_t *e, const json_t *g)
{
    if (json_is_number(e) && json_is_number(g))
        return json_number_value(e) == json_number_value(g);
    if (json_typeof(e) != json_typeof(g))
        return false;
    if (json_is_object(e)) {
        if (json_object_size(e) != json_object_size(g))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)e, k, v)
        {
            const json_t *gv = json_object_get(g, k);
            if (!gv || !json_match(v, gv))
                return false;
        }
        return true;
    }
    if (json_is_array(e)) {
        if (json_array_size(e) != json_array_size(g))
            return false;
        for (size_t i = 0; i < json_array_size(e); i++) {
            if (!json_match(json_array_get(e, i), json_array_get(g, i)))
                return false;
        }
        return true;
    }
    return json_equal((json_t *)e, (json_t *)g);
}

/* A scalar expectation as text (headers: 5 and "5" are the same). NULL for non-scalars. */
static char *scalar_text(const json_t *v)
{
    if (json_is_string(v))
        return strndup(json_string_value(v), json_string_length(v));
    if (json_is_number(v) || json_is_boolean(v))
        return json_dumps(v, JSON_ENCODE_ANY);
    return NULL;
}

/* body: expected JSON (object/array/number...) compares as JSON; an expected string matches
 * the body text, or the body when the body is that JSON string. */
static bool body_matches(const json_t *exp, str body)
{
    json_t *got = json_loadb(body.ptr ? body.ptr : "", body.len, JSON_DECODE_ANY, NULL);
    bool ok;
    if (json_is_string(exp))
        ok = (body.len == json_string_length(exp) &&
              !memcmp(body.ptr, json_string_value(exp), body.len)) ||
             (got && json_match(exp, got));
    else
        ok = got && json_match(exp, got);
    json_decref(got);
    return ok;
}

static void check_body(const json_t *exp, str body, const char *what, const char *prefix, buf *d,
                       int *n)
{
    if (body_matches(exp, body))
        return;
    char *e = show(exp), *g = show_str(body);
    diff(d, prefix, "%s: expected %s, got %s", what, e, g);
    free(e);
    free(g);
    (*n)++;
}

static void check_headers(const json_t *exp, const xv_dict *h, const char *prefix, buf *d, int *n)
{
    if (!json_is_object(exp)) {
        diff(d, prefix, "headers: the expectation must be a mapping");
        (*n)++;
        return;
    }
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)exp, name, v)
    {
        const xv *got = h ? xv_dict_get(h, str_from(name)) : NULL;
        const xv_list *l = got && got->kind == XV_LIST ? got->u.list : NULL;
        if (json_is_null(v)) {
            if (l) {
                diff(d, prefix, "headers.%s: expected absent, got %zu value(s)", name, l->n);
                (*n)++;
            }
            continue;
        }
        if (!l) {
            char *e = show(v);
            diff(d, prefix, "headers.%s: expected %s, got absent", name, e);
            free(e);
            (*n)++;
            continue;
        }
        buf joined;
        buf_init(&joined, 0);
        for (size_t i = 0; i < l->n; i++) {
            if (i)
                buf_putc(&joined, ',');
            buf_append(&joined, l->items[i].u.s.ptr, l->items[i].u.s.len);
        }
        bool ok;
        if (json_is_array(v)) {
            ok = json_array_size(v) == l->n;
            for (size_t i = 0; ok && i < l->n; i++) {
                char *t = scalar_text(json_array_get(v, i));
                ok = t && str_eq(l->items[i].u.s, str_from(t));
                free(t);
            }
        } else {
            char *t = scalar_text(v);
            ok = t && str_eq(buf_str(&joined), str_from(t));
            free(t);
        }
        if (!ok) {
            char *e = show(v), *g = show_str(buf_str(&joined));
            diff(d, prefix, "headers.%s: expected %s, got %s", name, e, g);
            free(e);
            free(g);
            (*n)++;
        }
        buf_release(&joined);
    }
}

static void check_backend_requests(const json_t *exp, const json_t *calls, const char *prefix,
                                   buf *d, int *n)
{
    if (!json_is_array(exp)) {
        diff(d, prefix, "backendRequests: the expectation must be a list");
        (*n)++;
        return;
    }
    if (json_array_size(exp) > json_array_size(calls)) {
        diff(d, prefix, "backendRequests: expected %zu call(s), got %zu", json_array_size(exp),
             json_array_size(calls));
        (*n)++;
    }
    for (size_t i = 0; i < json_array_size(exp) && i < json_array_size(calls); i++) {
        const json_t *want = json_array_get(exp, i), *c = json_array_get(calls, i);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)want, k, v)
        {
            const json_t *got = json_object_get(c, k);
            if (!strcmp(k, "url") || !strcmp(k, "method")) {
                char *t = scalar_text(v);
                bool ok = t && json_is_string(got) &&
                          (!strcmp(k, "url") ? !strcmp(t, json_string_value(got))
                                             : !strcasecmp(t, json_string_value(got)));
                if (!ok) {
                    char *g = show(got);
                    diff(d, prefix, "backendRequests[%zu].%s: expected \"%s\", got %s", i, k,
                         t ? t : "?", g);
                    free(g);
                    (*n)++;
                }
                free(t);
            } else if (!strcmp(k, "headers")) {
                const char *hn;
                json_t *hv;
                json_object_foreach(v, hn, hv)
                {
                    char lower[256];
                    snprintf(lower, sizeof lower, "%s", hn);
                    for (char *p = lower; *p; p++)
                        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
                    const json_t *gh = json_object_get(json_object_get(c, "headers"), lower);
                    char *t = scalar_text(hv);
                    bool ok = json_is_null(hv) ? !gh : gh && t && !strcmp(t, json_string_value(gh));
                    if (!ok) {
                        char *e = show(hv), *g = gh ? show(gh) : strdup("absent");
                        diff(d, prefix, "backendRequests[%zu].headers.%s: expected %s, got %s", i,
                             hn, json_is_null(hv) ? "absent" : e, g);
                        free(e);
                        free(g);
                        (*n)++;
                    }
                    free(t);
                }
            } else if (!strcmp(k, "body")) {
                const json_t *gb = json_object_get(c, "body");
                bool ok = json_is_string(v) && json_is_string(gb) ? json_equal(v, (json_t *)gb)
                                                                  : json_match(v, gb);
                if (!ok) {
                    char *e = show(v), *g = show(gb);
                    diff(d, prefix, "backendRequests[%zu].body: expected %s, got %s", i, e, g);
                    free(e);
                    free(g);
                    (*n)++;
                }
            } else {
                diff(d, prefix,
                     "backendRequests[%zu]: unknown key '%s' (url, method, headers, "
                     "body)",
                     i, k);
                (*n)++;
            }
        }
    }
}

static void check_variables(const json_t *exp, rt_req *r, const char *prefix, buf *d, int *n)
{
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)exp, name, v)
    {
        const xv *got = xv_dict_get(r->ctx->variables, str_from(name));
        if (!got) {
            if (!json_is_null(v)) {
                char *e = show(v);
                diff(d, prefix, "variables.%s: expected %s, got no such variable", name, e);
                free(e);
                (*n)++;
            }
            continue;
        }
        r->env.budget = EXPR_STEP_BUDGET;
        json_t *g = expr_eval_json(&r->env, *got);
        bool ok = g && (json_match(v, g) ||
                        (json_is_string(v) && !json_is_string(g) && !json_is_object(g) &&
                         !json_is_array(g) && body_matches(g, str_from(json_string_value(v)))));
        if (!ok) {
            char *e = show(v), *gs = g ? show(g) : strdup("(unprintable)");
            diff(d, prefix, "variables.%s: expected %s, got %s (%s)", name, e, gs,
                 xv_type_name(*got));
            free(e);
            free(gs);
            (*n)++;
        }
        json_decref(g);
    }
}

/* ---- observe: expect.logs and expect.metrics ---- */

/* Partial JSON match: objects need the listed keys (recursively), arrays the same length and
 * matching items, scalars equality (numbers by value). */
static bool json_partial(const json_t *e, const json_t *g)
{
    if (json_is_object(e)) {
        if (!json_is_object(g))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)e, k, v)
        {
            const json_t *gv = json_object_get(g, k);
            if (!gv || !json_partial(v, gv))
                return false;
        }
        return true;
    }
    if (json_is_array(e)) {
        if (!json_is_array(g) || json_array_size(e) != json_array_size(g))
            return false;
        for (size_t i = 0; i < json_array_size(e); i++) {
            if (!json_partial(json_array_get(e, i), json_array_get(g, i)))
                return false;
        }
        return true;
    }
    return json_match(e, g);
}

/* A string expects the message text exactly; anything else a partial match of the message
 * parsed as JSON. */
static bool log_matches(const json_t *exp, const char *msg)
{
    if (json_is_string(exp))
        return !strcmp(json_string_value(exp), msg);
    json_t *got = json_loads(msg, JSON_DECODE_ANY, NULL);
    bool ok = got && json_partial(exp, got);
    json_decref(got);
    return ok;
}

static void check_logs(const json_t *exp, rt_req *r, const char *prefix, buf *d, int *n)
{
    if (!json_is_object(exp)) {
        diff(d, prefix, "logs: the expectation must be a mapping of logger id to messages");
        (*n)++;
        return;
    }
    json_t *recent = rt_loggers_recent(rt_observe_of(r->w)->loggers);
    const char *id;
    json_t *want;
    json_object_foreach((json_t *)exp, id, want)
    {
        json_t *got = json_array();
        for (size_t i = 0; i < json_array_size(recent); i++) {
            json_t *m = json_array_get(recent, i);
            if (!strcmp(json_string_value(json_object_get(m, "loggerId")), id))
                json_array_append(got, json_object_get(m, "message"));
        }
        size_t ne = json_is_array(want) ? json_array_size(want) : 1;
        bool ok = ne == json_array_size(got);
        for (size_t i = 0; ok && i < ne; i++) {
            const json_t *e = json_is_array(want) ? json_array_get(want, i) : want;
            ok = log_matches(e, json_string_value(json_array_get(got, i)));
        }
        if (!ok) {
            char *e = show(want), *g = show(got);
            diff(d, prefix, "logs.%s: expected %s, got %s", id, e, g);
            free(e);
            free(g);
            (*n)++;
        }
        json_decref(got);
    }
    json_decref(recent);
}

/* One emitted sample against one expectation {name, namespace, labels, value}: name is the
 * APIM name ("Total Tokens") or the Prometheus family; label keys are dimension names or
 * their Prometheus label names. */
static bool metric_matches(const json_t *e, const json_t *g)
{
    const char *name = json_string_value(json_object_get(e, "name"));
    if (name && strcmp(name, json_string_value(json_object_get(g, "name"))) &&
        strcmp(name, json_string_value(json_object_get(g, "metric"))))
        return false;
    const json_t *ns = json_object_get(e, "namespace");
    if (ns && !json_equal((json_t *)ns, json_object_get(g, "namespace")))
        return false;
    const json_t *v = json_object_get(e, "value");
    if (v && (!json_is_number(v) ||
              json_number_value(v) != json_number_value(json_object_get(g, "value"))))
        return false;
    const json_t *gl = json_object_get(g, "labels");
    const char *k;
    json_t *lv;
    json_object_foreach(json_object_get(e, "labels"), k, lv)
    {
        const json_t *got = json_object_get(gl, k);
        const char *gk;
        json_t *gv;
        json_object_foreach((json_t *)gl, gk, gv)
        {
            char san[160];
            rt_metrics_sanitize(gk, strlen(gk), san, sizeof san);
            if (!got && !strcmp(san, k))
                got = gv;
        }
        char *t = scalar_text(lv);
        bool ok = t && got && !strcmp(t, json_string_value(got));
        free(t);
        if (!ok)
            return false;
    }
    return true;
}

static void check_metrics(const json_t *exp, rt_req *r, const char *prefix, buf *d, int *n)
{
    const json_t *got = rt_observe_of(r->w)->emitted;
    if (!json_is_array(exp)) {
        diff(d, prefix, "metrics: the expectation must be a list of {name, labels, value}");
        (*n)++;
        return;
    }
    size_t ng = json_array_size(got);
    bool *used = calloc(ng + 1, sizeof *used);
    if (!json_array_size(exp) && ng) {
        char *g = show(got);
        diff(d, prefix, "metrics: expected none, got %s", g);
        free(g);
        (*n)++;
    }
    for (size_t i = 0; i < json_array_size(exp); i++) {
        const json_t *e = json_array_get(exp, i);
        const char *ek;
        json_t *ev;
        bool bad = !json_is_object(e);
        json_object_foreach((json_t *)e, ek, ev)
        {
            if (strcmp(ek, "name") && strcmp(ek, "namespace") && strcmp(ek, "labels") &&
                strcmp(ek, "value")) {
                diff(d, prefix, "metrics[%zu]: unknown key '%s' (name, namespace, labels, value)",
                     i, ek);
                bad = true;
            }
        }
        if (bad) {
            (*n)++;
            continue;
        }
        bool found = false;
        for (size_t k = 0; k < ng && !found; k++) {
            if (!used[k] && json_is_object(e) && metric_matches(e, json_array_get(got, k)))
                found = used[k] = true;
        }
        if (!found) {
            char *es = show(e), *g = show(got);
            diff(d, prefix, "metrics[%zu]: expected %s, emitted %s", i, es, g);
            free(es);
            free(g);
            (*n)++;
        }
    }
    free(used);
}

static int64_t duration_of(const json_t *v, bool *ok)
{
    int64_t ms = 0;
    *ok = true;
    if (json_is_integer(v))
        return json_integer_value(v);
    if (!json_is_string(v) || rt_parse_duration(json_string_value(v), &ms) < 0)
        *ok = false;
    return ms;
}

int rt_tf_check(const json_t *expect, const rt_tf_run *run, const rt_script *script,
                const char *prefix, buf *d)
{
    int n = 0;
    rt_req *r = run->r;
    const rt_response *resp = &r->ctx->response;
    const json_t *calls = rt_script_calls(script);
    const char *key;
    json_t *v;
    if (expect && !json_is_object(expect)) {
        diff(d, prefix, "expect: must be a mapping");
        return 1;
    }
    json_object_foreach((json_t *)expect, key, v)
    {
        if (!strcmp(key, "status")) {
            if (!json_is_integer(v) || json_integer_value(v) != resp->status) {
                char *e = show(v);
                diff(d, prefix, "status: expected %s, got %d", e, resp->status);
                free(e);
                n++;
            }
        } else if (!strcmp(key, "headers")) {
            check_headers(v, resp->headers, prefix, d, &n);
        } else if (!strcmp(key, "body")) {
            check_body(v, rt_body_bytes(resp->body), "body", prefix, d, &n);
        } else if (!strcmp(key, "bodyContains")) {
            str body = rt_body_bytes(resp->body);
            size_t cnt = json_is_array(v) ? json_array_size(v) : 1;
            for (size_t i = 0; i < cnt; i++) {
                const json_t *item = json_is_array(v) ? json_array_get(v, i) : v;
                const char *t = json_string_value(item);
                if (!t || str_find(body, str_from(t)) < 0) {
                    char *g = show_str(body);
                    diff(d, prefix, "bodyContains: \"%s\" not found in %s", t ? t : "?", g);
                    free(g);
                    n++;
                }
            }
        } else if (!strcmp(key, "backendCalls")) {
            json_t *got = json_array();
            for (size_t i = 0; i < json_array_size(calls); i++)
                json_array_append(got, json_object_get(json_array_get(calls, i), "key"));
            if (!json_match(v, got)) {
                char *e = show(v), *g = show(got);
                diff(d, prefix, "backendCalls: expected %s, got %s", e, g);
                free(e);
                free(g);
                n++;
            }
            json_decref(got);
        } else if (!strcmp(key, "backendRequests")) {
            check_backend_requests(v, calls, prefix, d, &n);
        } else if (!strcmp(key, "variables")) {
            check_variables(v, r, prefix, d, &n);
        } else if (!strcmp(key, "logs")) {
            check_logs(v, r, prefix, d, &n);
        } else if (!strcmp(key, "metrics")) {
            check_metrics(v, r, prefix, d, &n);
        } else if (!strcmp(key, "elapsed")) {
            bool ok;
            int64_t ms = duration_of(v, &ok);
            if (!ok || ms != run->elapsed_ms) {
                char *e = show(v);
                diff(d, prefix, "elapsed: expected %s, got %lldms", e, (long long)run->elapsed_ms);
                free(e);
                n++;
            }
        } else {
            diff(d, prefix,
                 "expect: unknown key '%s' (status, headers, body, bodyContains, "
                 "backendCalls, backendRequests, variables, elapsed, logs, metrics)",
                 key);
            n++;
        }
    }
    return n;
}
