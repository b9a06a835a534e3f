/* *.test.yaml: YAML -> JSON, policy loading for tests, running one request offline, and the
 * per-file test loop (DESIGN.md §4). Expectation checks are in testexpect.c. */
#include "testfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

#include "../policy/policy.h"
#include "observe.h"
#include "pipeline.h"
#include "policies/registry.h"

/* ---- YAML -> JSON ---- */

static json_t *scalar_json(const yaml_node_t *n)
{
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return json_stringn(v, len);
    if (!len || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"))
        return json_null();
    if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))
        return json_true();
    if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))
        return json_false();
    char *end;
    errno = 0;
    long long i = strtoll(v, &end, 10);
    if (*v && !*end && !errno && (isdigit((unsigned char)v[0]) || v[0] == '-'))
        return json_integer(i);
    double d = strtod(v, &end);
    if (*v && !*end && (isdigit((unsigned char)v[0]) || v[0] == '-' || v[0] == '.'))
        return json_real(d);
    return json_stringn(v, len);
}

static json_t *node_json(yaml_document_t *doc, yaml_node_t *n, int depth)
{
    if (!n || depth > 64)
        return NULL;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return scalar_json(n);
    case YAML_SEQUENCE_NODE: {
        json_t *a = json_array();
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
             it++) {
            json_t *v = node_json(doc, yaml_document_get_node(doc, *it), depth + 1);
            if (!v) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, v);
        }
        return a;
    }
    case YAML_MAPPING_NODE: {
        json_t *o = json_object();
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            json_t *v = node_json(doc, yaml_document_get_node(doc, p->value), depth + 1);
            if (!k || k->type != YAML_SCALAR_NODE || !v) {
                json_decref(v);
                json_decref(o);
                return NULL;
            }
            char *key = strndup((const char *)k->data.scalar.value, k->data.scalar.length);
            json_object_set_new(o, key, v);
            free(key);
        }
        return o;
    }
    default:
        return NULL;
    }
}

int rt_yaml_to_json(const char *text, size_t len, json_t **out, char *err, size_t errlen)
{
    yaml_parser_t p;
    yaml_document_t doc;
    *out = NULL;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "cannot initialize the YAML parser");
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &doc)) {
        snprintf(err, errlen, "line %zu: %s", p.problem_mark.line + 1,
                 p.problem ? p.problem : "YAML syntax error");
        yaml_parser_delete(&p);
        return -1;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    *out = root ? node_json(&doc, root, 0) : json_object();
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    if (!*out) {
        snprintf(err, errlen, "unsupported YAML (aliases, complex keys or nesting too deep)");
        return -1;
    }
    return 0;
}

/* ---- loading ---- */

typedef struct tf_env {
    const json_t *nvs;
    pol_doc **frags;
    str *frag_ids;
    size_t nfrags;
} tf_env;

static bool tf_named_value(void *ud, str name, str *value)
{
    const tf_env *e = ud;
    char key[256];
    snprintf(key, sizeof key, "%.*s", STR_FMT(name));
    const json_t *v = e->nvs ? json_object_get(e->nvs, key) : NULL;
    if (!v || !json_is_string(v))
        return false;
    *value = str_make(json_string_value(v), json_string_length(v));
    return true;
}

static pol_doc *tf_fragment(void *ud, str id)
{
    const tf_env *e = ud;
    for (size_t i = 0; i < e->nfrags; i++) {
        if (e->frags[i] && str_eq(e->frag_ids[i], id))
            return e->frags[i];
    }
    return NULL;
}

static const char *join_path(arena *a, const char *dir, const char *path)
{
    if (!dir || !*dir || path[0] == '/')
        return arena_strdup(a, path);
    return arena_sprintf(a, "%s/%s", dir, path);
}

/* Reads a whole file into a (NUL-terminated); NULL with errno set. */
static char *read_file(arena *a, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b;
    buf_init(&b, (size_t)64 << 20);
    char chunk[8192];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && rc == 0)
        rc = buf_append(&b, chunk, n);
    bool bad = ferror(f) || rc < 0;
    fclose(f);
    char *out = bad ? NULL : arena_strndup(a, b.ptr ? b.ptr : "", b.len);
    *len = b.len;
    buf_release(&b);
    if (bad)
        errno = rc < 0 ? EFBIG : EIO;
    return out;
}

static pol_doc *load_doc(arena *a, const char *file, pol_env *env, diag_list *d, int *io)
{
    size_t len;
    char *data = read_file(a, file, &len);
    if (!data) {
        diag_add(d, DIAG_ERROR, NULL, "cannot read '%s': %s", file, strerror(errno));
        *io = -2;
        return NULL;
    }
    return pol_doc_parse(a, file, data, len, env, d);
}

rt_program *rt_tf_load_policy(arena *a, const char *dir, const char *path,
                              const json_t *named_values, const json_t *fragments, diag_list *d,
                              int *io)
{
    tf_env *e = arena_alloc(a, sizeof *e);
    pol_env *env = arena_alloc(a, sizeof *env);
    *io = 0;
    if (!e || !env)
        return NULL;
    e->nvs = named_values;
    *env = (pol_env){ .find = rt_policy_find,
                      .each = rt_policy_each,
                      .named_value = tf_named_value,
                      .fragment = tf_fragment,
                      .ud = e };
    size_t nf = json_is_object(fragments) ? json_object_size(fragments) : 0;
    e->frags = arena_calloc(a, nf ? nf : 1, sizeof *e->frags);
    e->frag_ids = arena_calloc(a, nf ? nf : 1, sizeof *e->frag_ids);
    if (!e->frags || !e->frag_ids)
        return NULL;
    const char *id;
    json_t *fp;
    json_object_foreach((json_t *)fragments, id, fp)
    {
        if (!json_is_string(fp)) {
            diag_add(d, DIAG_ERROR, NULL, "fragments.%s: must be a file path", id);
            continue;
        }
        const char *file = join_path(a, dir, json_string_value(fp));
        pol_doc *doc = file ? load_doc(a, file, env, d, io) : NULL;
        e->frag_ids[e->nfrags] = arena_str(a, str_from(id));
        e->frags[e->nfrags++] = doc;
        if (doc && doc->kind != POL_DOC_FRAGMENT)
            diag_add(d, DIAG_ERROR, NULL, "fragments.%s: '%s' is not a <fragment>", id, file);
    }
    for (size_t i = 0; i < e->nfrags; i++) {
        if (e->frags[i])
            pol_validate(a, e->frags[i], env, d);
    }
    const char *file = join_path(a, dir, path);
    pol_doc *doc = file ? load_doc(a, file, env, d, io) : NULL;
    if (!doc)
        return NULL;
    if (doc->kind != POL_DOC_POLICIES) {
        diag_add(d, DIAG_ERROR, NULL, "'%s' is a <fragment>, not a <policies> document", file);
        return NULL;
    }
    if (pol_validate(a, doc, env, d) < 0 || diag_has_errors(d))
        return NULL;
    rt_scope_doc levels[] = { { NULL, "global" }, { doc, "api" } };
    return rt_compile_chain(a, levels, 2, d);
}

/* ---- one request ---- */

static void on_finish(rt_req *r, void *ud)
{
    (void)r;
    *(bool *)ud = true;
}

int rt_tf_run_request(const rt_world *w, rt_vclock *vc, const rt_program *prog,
                      const json_t *request, const int64_t *rnd, size_t nrnd, size_t *used,
                      rt_tf_run *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    *used = 0;
    if (request && !json_is_object(request)) {
        snprintf(err, errlen, "'request' must be a mapping");
        return -1;
    }
    json_t *ctx = json_object();
    json_object_set_new(ctx, "request", request ? json_deep_copy(request) : json_object());
    json_t *api = json_pack("{s:s, s:s, s:s}", "id", "implicit", "name", "implicit", "path", "");
    json_object_set_new(ctx, "api", api);
    json_t *ra = json_array();
    for (size_t i = 0; i < nrnd; i++)
        json_array_append_new(ra, json_integer(rnd[i]));
    json_object_set_new(ctx, "random", ra);
    rt_req *r = rt_req_new(w, prog, ctx, err, errlen);
    json_decref(ctx);
    if (!r)
        return -1;
    rt_ctx_set_trace(r->ctx, w->trace);
    rt_observe_mark(rt_observe_of(w)); /* observe: expect.logs / expect.metrics per request */
    bool done = false;
    r->on_finish = on_finish;
    r->on_finish_ud = &done;
    if (w->trace)
        fprintf(w->trace, "  %.*s %.*s\n", STR_FMT(r->ctx->request.method),
                STR_FMT(rt_req_url_text(r, r->ctx->request.original_url)));
    rt_pipeline_start(r);
    rt_vclock_run_until(vc, &done);
    out->finished = done;
    out->elapsed_ms = (done ? r->end_ms : rt_clock_now(w->clock)) - r->start_ms;
    /* let fire-and-forget calls (send-one-way-request) land */
    for (long i = 0; r->pending > 0 && i < 100000; i++) {
        if (!rt_vclock_step(vc))
            break;
    }
    *used = r->ctx->irandom;
    out->r = r;
    return 0;
}

/* ---- the response as text ---- */

void rt_tf_print_response(FILE *out, rt_req *r)
{
    const rt_response *resp = &r->ctx->response;
    fprintf(out, "HTTP/1.1 %d %.*s\n", resp->status, STR_FMT(resp->reason));
    rt_hdr *lines;
    size_t n;
    if (rt_hdr_lines(r, resp->headers, &lines, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            fprintf(out, "%.*s: %.*s\n", STR_FMT(lines[i].name), STR_FMT(lines[i].value));
    }
    fputc('\n', out);
    str b = rt_body_bytes(resp->body);
    fwrite(b.ptr, 1, b.len, out);
    if (b.len && b.ptr[b.len - 1] != '\n')
        fputc('\n', out);
}

/* ---- time ---- */

int rt_parse_iso_ms(const char *s, int64_t *ms)
{
    int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return -1;
    const char *p = s + n;
    if (*p == 'T' || *p == ' ') {
        int m2 = 0;
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &se, &m2) != 3)
            return -1;
        p += 1 + m2;
        if (*p == '.')
            for (p++; isdigit((unsigned char)*p); p++)
                ;
    }
    if (*p == 'Z')
        p++;
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    int64_t yy = y - (mo <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    *ms = ((days * 86400) + h * 3600 + mi * 60 + se) * 1000;
    return 0;
}
