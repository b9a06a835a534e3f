/* apimlite run --policy P.xml [--config G.yaml] --request R.json [--trace]: one request through
 * a policy offline; prints the response (status line, headers, body). R.json is the request
 * ({method, url, ip, headers, body}) or a test-like object {request, backends, random, now,
 * identity} so that backends can be scripted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../policy/policy.h"
#include "cmd.h"
#include "policies/registry.h"
#include "testfile.h"

static const char run_usage[] =
    "usage: apimlite run --policy P.xml [--config G.yaml] --request R.json [--trace]\n"
    "\n"
    "Runs one request through the policy offline and prints the response. R.json is the\n"
    "request {method, url, ip, headers, body}, or {request, backends, random, now} to script\n"
    "backend answers as in test files. Calls without a scripted answer fail.\n"
    "\n"
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

int rt_cmd_run(int argc, char **argv)
{
    const char *policy = NULL, *config = NULL, *request = NULL;
    bool trace = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(run_usage, stdout);
            return 0;
        } else if (!strcmp(a, "--policy") && i + 1 < argc) {
            policy = argv[++i];
        } else if (!strcmp(a, "--config") && i + 1 < argc) {
            config = argv[++i];
        } else if (!strcmp(a, "--request") && i + 1 < argc) {
            request = argv[++i];
        } else if (!strcmp(a, "--trace")) {
            trace = true;
        } else {
            fprintf(stderr, "apimlite run: unexpected argument '%s'\n\n%s", a, run_usage);
            return 2;
        }
    }
    if (!policy || !request) {
        fputs(run_usage, stderr);
        return 2;
    }
    if (config) {
        fprintf(stderr, "apimlite run: --config is not supported yet\n");
        return 2;
    }
    if (rt_policy_registry_check() < 0)
        return 2;
    json_t *rq;
    if (load_request(request, &rq) < 0)
        return 2;
    const json_t *test = json_object_get(rq, "request") ? rq : NULL;
    const json_t *req = test ? json_object_get(rq, "request") : rq;
    arena a;
    arena_init(&a, 0);
    diag_list d;
    diag_list_init(&d);
    int io = 0, rc = 0;
    rt_program *prog = rt_tf_load_policy(&a, NULL, policy, NULL, NULL, &d, &io);
    diag_print(&d, stderr);
    int64_t now = RT_TF_DEFAULT_NOW;
    const char *tnow = test ? json_string_value(json_object_get(test, "now")) : NULL;
    if (!prog) {
        rc = io ? 2 : 1;
    } else if (tnow && rt_parse_iso_ms(tnow, &now) < 0) {
        fprintf(stderr, "%s: error: 'now' must be an ISO-8601 UTC time\n", request);
        rc = 2;
    } else {
        rt_vclock *vc = rt_vclock_new(now);
        rt_script *s = rt_script_new(rt_vclock_clock(vc));
        rt_world w = { .clock = rt_vclock_clock(vc),
                       .transport = rt_script_transport(s),
                       .trace = trace ? stderr : NULL,
                       .identity = test ? json_object_get(test, "identity") : NULL };
        const char *key;
        json_t *answers;
        char err[512];
        json_object_foreach(test ? json_object_get(test, "backends") : NULL, key, answers)
        {
            if (rt_script_add(s, key, answers, err, sizeof err) < 0) {
                fprintf(stderr, "%s: error: %s\n", request, err);
                rc = 2;
            }
        }
        const json_t *ra = test ? json_object_get(test, "random") : NULL;
        size_t nr = json_array_size(ra), used;
        int64_t *rnd = calloc(nr + 1, sizeof *rnd);
        for (size_t i = 0; i < nr; i++)
            rnd[i] = json_integer_value(json_array_get(ra, i));
        rt_tf_run run;
        if (!rc &&
            rt_tf_run_request(&w, vc, prog, req, rnd, nr, &used, &run, err, sizeof err) < 0) {
            fprintf(stderr, "%s: error: %s\n", request, err);
            rc = 2;
        } else if (!rc) {
            if (!run.finished)
                fprintf(stderr, "apimlite run: the request did not finish\n");
            if (rt_script_failure(s))
                fprintf(stderr, "apimlite run: %s\n", rt_script_failure(s));
            rt_tf_print_response(stdout, run.r);
            if (trace)
                fprintf(stderr, "elapsed: %lldms\n", (long long)run.elapsed_ms);
            rt_req_free(run.r);
        }
        free(rnd);
        rt_script_free(s);
        rt_vclock_free(vc);
    }
    diag_list_release(&d);
    arena_release(&a);
    json_decref(rq);
    pol_shutdown();
    return rc;
}
