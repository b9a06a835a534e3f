/* apimlite run [--policy P.xml] [--config G.yaml] --request R.json [--trace]: one request
 * through a policy offline; prints the response (status line, headers, body). R.json is the
 * request ({method, url, ip, headers, body}) or a test-like object {request, backends, random,
 * now, identity} so that backends can be scripted. With --config alone the request is routed
 * through the configuration (APIs, operations, products, subscriptions, scopes); with both,
 * the policy runs as the scope of the implicit API under the configuration's global policy,
 * with its named values, fragments and backends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../policy/policy.h"
#include "cmd.h"
#include "counters.h"
#include "policies/oidc.h"
#include "policies/registry.h"
#include "testfile.h"
#include "world.h"

static const char run_usage[] =
    "usage: apimlite run [--policy P.xml] [--config G.yaml] --request R.json [--trace]\n"
    "\n"
    "Runs one request through the policy offline and prints the response. R.json is the\n"
    "request {method, url, ip, headers, body}, or {request, backends, random, now, identity}\n"
    "to script backend answers as in test files. Calls without a scripted answer fail.\n"
    "\n"
    "  --config G.yaml  alone: route the request through the gateway configuration (APIs,\n"
    "              operations, subscription keys, product/API/operation scopes, backends);\n"
    "              with --policy: run the policy with the configuration's named values,\n"
    "              fragments and backends\n"
    "  --trace     print each policy executed with its file:line, its decision and the\n"
    "              virtual time (on stderr)\n"
    "  -h, --help  this help\n";

static int load_request(const char *path, json_t **out)
{
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j) {
        fprintf(stderr, "%s:%d:%d: error: %s\n", path, e.line, e.column, e.text);
        return -1;
    }
    if (!json_is_object(j)) {
        fprintf(stderr, "%s: error: the request must be a JSON object\n", path);
        json_decref(j);
        return -1;
    }
    *out = j;
    return 0;
}

typedef struct run_opts {
    const char *policy, *config, *request;
    bool trace;
} run_opts;

static int parse_args(int argc, char **argv, run_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(run_usage, stdout);
            return 1;
        } else if (!strcmp(a, "--policy") && i + 1 < argc) {
            o->policy = argv[++i];
        } else if (!strcmp(a, "--config") && i + 1 < argc) {
            o->config = argv[++i];
        } else if (!strcmp(a, "--request") && i + 1 < argc) {
            o->request = argv[++i];
        } else if (!strcmp(a, "--trace")) {
            o->trace = true;
        } else {
            fprintf(stderr, "apimlite run: unexpected argument '%s'\n\n%s", a, run_usage);
            return 2;
        }
    }
    if ((!o->policy && !o->config) || !o->request) {
        fputs(run_usage, stderr);
        return 2;
    }
    return 0;
}

/* Runs the request in a fresh virtual world; returns the exit status. */
static int run_one(const run_opts *o, const rt_program *prog, rt_gw *gw, const json_t *test,
                   const json_t *req)
{
    int64_t now = RT_TF_DEFAULT_NOW;
    const char *tnow = test ? json_string_value(json_object_get(test, "now")) : NULL;
    if (tnow && rt_parse_iso_ms(tnow, &now) < 0) {
        fprintf(stderr, "%s: error: 'now' must be an ISO-8601 UTC time\n", o->request);
        return 2;
    }
    int rc = 0;
    char err[512];
    rt_vclock *vc = rt_vclock_new(now);
    rt_script *s = rt_script_new(rt_vclock_clock(vc));
    rt_world w = { .clock = rt_vclock_clock(vc),
                   .transport = rt_script_transport(s),
                   .trace = o->trace ? stderr : NULL,
                   .identity = test ? json_object_get(test, "identity") : NULL,
                   .counters = rt_counter_mem_new(0) };
    w.idp = rt_identity_json_new(w.identity);
    if (gw && rt_gw_reset(gw, err, sizeof err) < 0) {
        fprintf(stderr, "%s: error: %s\n", o->config, err);
        rc = 2;
    } else if (gw) {
        rt_gw_bind(gw, &w);
    }
    const char *key;
    json_t *answers;
    json_object_foreach(test ? json_object_get(test, "backends") : NULL, key, answers)
    {
        if (rt_script_add(s, key, answers, err, sizeof err) < 0) {
            fprintf(stderr, "%s: error: %s\n", o->request, err);
            rc = 2;
        }
    }
    const json_t *ra = test ? json_object_get(test, "random") : NULL;
    size_t nr = json_array_size(ra), used;
    int64_t *rnd = calloc(nr + 1, sizeof *rnd);
    for (size_t i = 0; i < nr; i++)
        rnd[i] = json_integer_value(json_array_get(ra, i));
    rt_tf_run run;
    int st = 0;
    if (!rc)
        st = prog ? rt_tf_run_request(&w, vc, prog, req, rnd, nr, &used, &run, err, sizeof err)
                  : rt_gw_run_request(gw, &w, vc, req, NULL, rnd, nr, &used, &run, err, sizeof err);
    if (!rc && st < 0) {
        fprintf(stderr, "%s: error: %s\n", o->request, err);
        rc = 2;
    } else if (!rc) {
        if (!run.finished)
            fprintf(stderr, "apimlite run: the request did not finish\n");
        if (rt_script_failure(s))
            fprintf(stderr, "apimlite run: %s\n", rt_script_failure(s));
        rt_tf_print_response(stdout, run.r);
        if (o->trace)
            fprintf(stderr, "elapsed: %lldms\n", (long long)run.elapsed_ms);
        rt_req_free(run.r);
    }
    free(rnd);
    free(w.idp);
    rt_script_free(s);
    rt_counter_store_free(w.counters);
    rt_vclock_free(vc);
    return rc;
}

int rt_cmd_run(int argc, char **argv)
{
    run_opts o = { 0 };
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (rt_policy_registry_check() < 0)
        return 2;
    json_t *rq;
    if (load_request(o.request, &rq) < 0)
        return 2;
    const json_t *test = json_object_get(rq, "request") ? rq : NULL;
    const json_t *req = test ? json_object_get(rq, "request") : rq;
    arena a;
    arena_init(&a, 0);
    diag_list d;
    diag_list_init(&d);
    int io = 0;
    rt_gw *gw = NULL;
    rt_program *prog = NULL;
    if (o.config)
        gw = rt_gw_load(o.config, NULL, &d, &io);
    if (o.policy && gw)
        prog = rt_gw_load_policy(gw, o.policy, &d, &io);
    else if (o.policy && !o.config)
        prog = rt_tf_load_policy(&a, NULL, o.policy, NULL, NULL, &d, &io);
    diag_print(&d, stderr);
    if ((o.config && !gw) || (o.policy && !prog))
        rc = io ? 2 : 1;
    else
        rc = run_one(&o, prog, gw, test, req);
    rt_gw_free(gw);
    diag_list_release(&d);
    arena_release(&a);
    json_decref(rq);
    pol_shutdown();
    return rc;
}
