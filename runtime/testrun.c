/* The loop over one *.test.yaml: load the policy once, then per test a fresh world (virtual
 * clock at `now`, scripted backends, random script) whose state persists across its steps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "policies/oidc.h"
#include "testfile.h"
#include "world.h"

typedef struct tf_file {
    const char *path;
    FILE *out;
    bool trace;
    const rt_program *prog;
    const char *load_error; /* every test fails with it */
    rt_gw *gw;              /* config-based tests (config:) */
    const rt_api *api;      /* api: of a config-based file */
    const json_t *identity; /* the file's identity map (a test's own replaces it) */
} tf_file;

static bool known_key(const char *k, const char *const *keys)
{
    for (; *keys; keys++) {
        if (!strcmp(k, *keys))
            return true;
    }
    return false;
}

static int check_keys(const json_t *o, const char *const *keys, const char *where, buf *d)
{
    const char *k;
    json_t *v;
    int bad = 0;
    json_object_foreach((json_t *)o, k, v)
    {
        if (!known_key(k, keys)) {
            buf_printf(d, "    %s: unknown key '%s'\n", where, k);
            bad++;
        }
    }
    return bad;
}

static void lasterror_note(rt_req *r, const char *prefix, buf *d)
{
    const rt_lasterror *e = r->ctx->last_error;
    if (!e)
        return;
    buf_printf(d,
               "    %s(LastError: Source=%.*s Reason=%.*s Section=%.*s Path=%.*s Message=%.*s)\n",
               prefix, STR_FMT(e->source), STR_FMT(e->reason), STR_FMT(e->section),
               STR_FMT(e->path), STR_FMT(e->message));
}

static int add_backends(rt_script *s, const json_t *backends, buf *d)
{
    if (!backends)
        return 0;
    if (!json_is_object(backends)) {
        buf_printf(d, "    backends: must be a mapping of backend id or URL prefix to answers\n");
        return -1;
    }
    const char *key;
    json_t *answers;
    json_object_foreach((json_t *)backends, key, answers)
    {
        char err[256];
        if (rt_script_add(s, key, answers, err, sizeof err) < 0) {
            buf_printf(d, "    %s\n", err);
            return -1;
        }
    }
    return 0;
}

static int64_t *random_script(const json_t *t, size_t *n, buf *d)
{
    const json_t *ra = json_object_get(t, "random");
    *n = 0;
    if (!ra)
        return NULL;
    if (!json_is_array(ra)) {
        buf_printf(d, "    random: must be a list of integers\n");
        return NULL;
    }
    int64_t *v = calloc(json_array_size(ra) + 1, sizeof *v);
    for (size_t i = 0; i < json_array_size(ra); i++) {
        const json_t *x = json_array_get(ra, i);
        if (!json_is_integer(x)) {
            buf_printf(d, "    random: must be a list of integers\n");
            free(v);
            *n = 0;
            return NULL;
        }
        v[(*n)++] = json_integer_value(x);
    }
    return v;
}

/* Runs the steps of one test; returns the number of problems (details in d). */
static int run_steps(tf_file *tf, const json_t *t, rt_world *w, rt_vclock *vc, rt_script *s, buf *d)
{
    static const char *const step_keys[] = { "request",  "repeat", "expect", "advance",
                                             "backends", "name",   NULL };
    size_t nrnd = 0, irnd = 0;
    int64_t *rnd = random_script(t, &nrnd, d);
    int problems = d->len ? 1 : 0;
    const json_t *steps = json_object_get(t, "steps");
    json_t *implicit = NULL;
    if (!steps) {
        implicit = json_pack("[{s:O?, s:O?}]", "request", json_object_get(t, "request"), "expect",
                             json_object_get(t, "expect"));
        steps = implicit;
    } else if (!json_is_array(steps)) {
        buf_printf(d, "    steps: must be a list\n");
        free(rnd);
        return 1;
    }
    bool many = !implicit;
    for (size_t si = 0; si < json_array_size(steps) && !problems; si++) {
        const json_t *st = json_array_get(steps, si);
        if (!json_is_object(st) || check_keys(st, step_keys, "step", d)) {
            problems++;
            break;
        }
        const json_t *adv = json_object_get(st, "advance");
        if (adv) {
            int64_t ms = 0;
            if (json_is_integer(adv))
                ms = json_integer_value(adv);
            else if (!json_is_string(adv) || rt_parse_duration(json_string_value(adv), &ms) < 0) {
                buf_printf(d, "    step %zu: advance: expected a duration such as 60s\n", si + 1);
                problems++;
                break;
            }
            rt_vclock_advance(vc, ms);
        }
        if (add_backends(s, json_object_get(st, "backends"), d) < 0) {
            problems++;
            break;
        }
        const json_t *req = json_object_get(st, "request");
        if (!req)
            req = json_object_get(t, "request");
        if (!req) {
            if (!adv) {
                buf_printf(d, "    step %zu: no request\n", si + 1);
                problems++;
            }
            continue;
        }
        const json_t *rep = json_object_get(st, "repeat");
        json_int_t repeat = rep ? json_integer_value(rep) : 1;
        if (rep && (!json_is_integer(rep) || repeat < 1 || repeat > 100000)) {
            buf_printf(d, "    step %zu: repeat must be a positive integer\n", si + 1);
            problems++;
            break;
        }
        for (json_int_t k = 0; k < repeat; k++) {
            char prefix[64] = "";
            if (many && repeat > 1)
                snprintf(prefix, sizeof prefix, "step %zu, request %lld: ", si + 1,
                         (long long)k + 1);
            else if (many)
                snprintf(prefix, sizeof prefix, "step %zu: ", si + 1);
            rt_script_reset_calls(s);
            rt_tf_run run;
            char err[512];
            size_t used = 0;
            int rc = tf->gw
                         ? rt_gw_run_request(tf->gw, w, vc, req, tf->api, rnd ? rnd + irnd : NULL,
                                             nrnd - irnd, &used, &run, err, sizeof err)
                         : rt_tf_run_request(w, vc, tf->prog, req, rnd ? rnd + irnd : NULL,
                                             nrnd - irnd, &used, &run, err, sizeof err);
            if (rc < 0) {
                buf_printf(d, "    %srequest: %s\n", prefix, err);
                problems++;
                break;
            }
            irnd += used < nrnd - irnd ? used : nrnd - irnd;
            int n = 0;
            if (!run.finished) {
                buf_printf(d, "    %sthe request did not finish (nothing left to wait for)\n",
                           prefix);
                n++;
            }
            if (rt_script_failure(s)) {
                buf_printf(d, "    %sbackends: %s\n", prefix, rt_script_failure(s));
                n++;
            }
            n += rt_tf_check(json_object_get(st, "expect"), &run, s, prefix, d);
            if (n)
                lasterror_note(run.r, prefix, d);
            rt_req_free(run.r);
            problems += n;
            if (n)
                break;
        }
    }
    json_decref(implicit);
    free(rnd);
    return problems;
}

static bool run_test(tf_file *tf, const json_t *t, size_t index)
{
    static const char *const test_keys[] = { "name",  "random",   "request", "backends", "expect",
                                             "steps", "identity", "now",     NULL };
    char fallback[32];
    snprintf(fallback, sizeof fallback, "test %zu", index + 1);
    const char *name = json_string_value(json_object_get(t, "name"));
    if (!name)
        name = fallback;
    buf d;
    buf_init(&d, (size_t)1 << 20);
    int problems = 0;
    if (tf->load_error) {
        buf_printf(&d, "    %s\n", tf->load_error);
        problems++;
    } else if (!json_is_object(t)) {
        buf_printf(&d, "    a test must be a mapping\n");
        problems++;
    } else if (check_keys(t, test_keys, "test", &d)) {
        problems++;
    }
    int64_t now = RT_TF_DEFAULT_NOW;
    const json_t *jnow = json_object_get(t, "now");
    if (!problems && jnow &&
        (!json_is_string(jnow) || rt_parse_iso_ms(json_string_value(jnow), &now) < 0)) {
        buf_printf(&d, "    now: expected an ISO-8601 UTC time such as 2026-01-01T00:00:00Z\n");
        problems++;
    }
    if (!problems) {
        if (tf->trace)
            fprintf(tf->out, "--- %s: %s\n", tf->path, name);
        rt_vclock *vc = rt_vclock_new(now);
        rt_script *s = rt_script_new(rt_vclock_clock(vc));
        rt_counter_store *counters = rt_counter_mem_new(0); /* fresh per test (limits) */
        rt_world w = { .clock = rt_vclock_clock(vc),
                       .transport = rt_script_transport(s),
                       .trace = tf->trace ? tf->out : NULL,
                       .identity = json_object_get(t, "identity") ? json_object_get(t, "identity")
                                                                  : tf->identity,
                       .counters = counters };
        w.idp = rt_identity_json_new(w.identity);
        w.oidc = rt_oidc_cache_new(); /* access: validate-jwt OpenID cache, per test */
        char gerr[512];
        if (tf->gw && rt_gw_reset(tf->gw, gerr, sizeof gerr) < 0) {
            buf_printf(&d, "    %s\n", gerr);
            problems++;
        } else if (tf->gw) {
            rt_gw_bind(tf->gw, &w);
        }
        if (!problems && add_backends(s, json_object_get(t, "backends"), &d) < 0)
            problems++;
        else if (!problems)
            problems += run_steps(tf, t, &w, vc, s, &d);
        free(w.idp);
        rt_oidc_cache_free(w.oidc);
        rt_script_free(s);
        rt_counter_store_free(counters);
        rt_vclock_free(vc);
    }
    fprintf(tf->out, "%s %s: %s\n", problems ? "FAIL" : "ok  ", tf->path, name);
    if (problems)
        fwrite(d.ptr ? d.ptr : "", 1, d.len, tf->out);
    buf_release(&d);
    return !problems;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
}

/* config: G.yaml (+ api: id): the gateway world of the file (world.h). */
static void load_config(tf_file *tf, const json_t *root, const char *config, diag_list *dl,
                        char *msg, size_t msglen)
{
    const json_t *api = json_object_get(root, "api");
    if (!config || !*config) {
        tf->load_error = "config: must name a gateway configuration file";
        return;
    }
    if (json_object_get(root, "policy") || json_object_get(root, "fragments")) {
        tf->load_error = "config: and policy: / fragments: exclude each other (the "
                         "configuration names its documents and fragments)";
        return;
    }
    if (api && !json_is_string(api)) {
        tf->load_error = "api: must be the id of an API of the configuration";
        return;
    }
    char *dir = dir_of(tf->path);
    char *file = config[0] == '/' ? strdup(config) : NULL;
    if (!file) {
        size_t n = strlen(dir) + strlen(config) + 2;
        file = malloc(n);
        snprintf(file, n, "%s/%s", dir, config);
    }
    free(dir);
    int io = 0;
    tf->gw = rt_gw_load(file, json_object_get(root, "namedValues"), dl, &io);
    free(file);
    if (!tf->gw) {
        diag_print(dl, tf->out);
        tf->load_error = "the configuration did not load (diagnostics above)";
        return;
    }
    if (api) {
        tf->api = rt_config_api(rt_gw_config(tf->gw), str_from(json_string_value(api)));
        if (!tf->api) {
            snprintf(msg, msglen, "api: '%s' is not an API of the configuration",
                     json_string_value(api));
            tf->load_error = msg;
        }
    }
}

void rt_testfile_run(const char *path, bool trace, FILE *out, int *passed, int *failed)
{
    static const char *const file_keys[] = { "policy",    "config",   "api",   "namedValues",
                                             "fragments", "identity", "tests", NULL };
    tf_file tf = { .path = path, .out = out, .trace = trace };
    char load_msg[512];
    json_t *root = NULL;
    char err[512];
    FILE *f = fopen(path, "rb");
    buf text;
    buf_init(&text, (size_t)16 << 20);
    if (f) {
        char chunk[8192];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            buf_append(&text, chunk, n);
        fclose(f);
    }
    if (!f) {
        fprintf(out, "FAIL %s: cannot read: %s\n", path, strerror(errno));
        (*failed)++;
        buf_release(&text);
        return;
    }
    if (rt_yaml_to_json(text.ptr ? text.ptr : "", text.len, &root, err, sizeof err) < 0 ||
        !json_is_object(root)) {
        fprintf(out, "FAIL %s: %s\n", path, root ? "the file must be a mapping" : err);
        (*failed)++;
        json_decref(root);
        buf_release(&text);
        return;
    }
    buf_release(&text);
    const json_t *tests = json_object_get(root, "tests");
    buf bad;
    buf_init(&bad, 0);
    if (check_keys(root, file_keys, path, &bad) || !json_is_array(tests)) {
        fprintf(out, "FAIL %s: %s\n%s", path,
                json_is_array(tests) ? "unknown keys" : "'tests' must be a list of tests",
                bad.ptr ? bad.ptr : "");
        (*failed)++;
        buf_release(&bad);
        json_decref(root);
        return;
    }
    buf_release(&bad);
    arena a;
    arena_init(&a, 0);
    diag_list dl;
    diag_list_init(&dl);
    const char *policy = json_string_value(json_object_get(root, "policy"));
    const char *config = json_string_value(json_object_get(root, "config"));
    tf.identity = json_object_get(root, "identity");
    if (json_object_get(root, "config")) {
        load_config(&tf, root, config, &dl, load_msg, sizeof load_msg);
    } else if (!policy) {
        tf.load_error = "the file names no policy (policy: FILE.xml)";
    } else {
        char *dir = dir_of(path);
        int io = 0;
        tf.prog = rt_tf_load_policy(&a, dir, policy, json_object_get(root, "namedValues"),
                                    json_object_get(root, "fragments"), &dl, &io);
        free(dir);
        if (!tf.prog) {
            diag_print(&dl, out);
            tf.load_error = "the policy did not load (diagnostics above)";
        }
    }
    for (size_t i = 0; i < json_array_size(tests); i++) {
        if (run_test(&tf, json_array_get(tests, i), i))
            (*passed)++;
        else
            (*failed)++;
    }
    diag_list_release(&dl);
    rt_gw_free(tf.gw);
    arena_release(&a);
    json_decref(root);
}
