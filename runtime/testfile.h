#ifndef RUNTIME_TESTFILE_H
#define RUNTIME_TESTFILE_H

/* Policy test files (*.test.yaml, DESIGN.md §4) and the pieces `apimlite test` and
 * `apimlite run` share: YAML -> JSON, loading a policy document into a program, running one
 * request offline (scripted transport, virtual clock), checking `expect`. */

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "compile.h"
#include "req.h"
#include "transport.h"

/* Parses one YAML document into JSON (plain scalars: null/~, true/false, integers and reals
 * typed; quoted scalars are strings). Returns 0, or -1 with "line N: message" in err. */
int rt_yaml_to_json(const char *text, size_t len, json_t **out, char *err, size_t errlen);

/* Loads a <policies> document (path relative to dir unless absolute; dir may be NULL) as the
 * API scope of an implicit API under APIM's default global policy. namedValues (object of
 * strings, may be NULL) are substituted; fragments (object id -> path, may be NULL) resolve
 * include-fragment. Returns the program (in a), or NULL with diagnostics in d (and -2 in
 * *io when a file could not be read). */
rt_program *rt_tf_load_policy(arena *a, const char *dir, const char *path,
                              const json_t *named_values, const json_t *fragments, diag_list *d,
                              int *io);

/* One request run offline. */
typedef struct rt_tf_run {
    rt_req *r;          /* the finished request (rt_req_free when done) */
    bool finished;      /* false: it stalled (nothing left on the clock) */
    int64_t elapsed_ms; /* virtual time from start to response */
} rt_tf_run;

/* Runs request (the `request` object of a test: method, url, ip, headers, body) through prog:
 * rnd/nrnd are the remaining scripted Random results (*used receives how many were taken).
 * Drives the virtual clock until the response and every pending call are done. Returns 0, or
 * -1 with a message in err (malformed request). */
int rt_tf_run_request(const rt_world *w, rt_vclock *vc, const rt_program *prog,
                      const json_t *request, const int64_t *rnd, size_t nrnd, size_t *used,
                      rt_tf_run *out, char *err, size_t errlen);

/* Checks `expect` against a finished run; appends "key: expected X, got Y" lines to diffs
 * (each prefixed by prefix). Returns the number of mismatches. */
int rt_tf_check(const json_t *expect, const rt_tf_run *run, const rt_script *script,
                const char *prefix, buf *diffs);

/* The response as text: status line, headers, blank line, body. */
void rt_tf_print_response(FILE *out, rt_req *r);

/* Runs every test of one file; prints ok/FAIL lines to out. Adds to *passed / *failed.
 * trace: print each executed policy. */
void rt_testfile_run(const char *path, bool trace, FILE *out, int *passed, int *failed);

/* 2026-01-01T00:00:00Z in ms: the virtual clock's default start. */
#define RT_TF_DEFAULT_NOW 1767225600000LL

/* Parses an ISO-8601 UTC time into ms since the epoch. 0 or -1. */
int rt_parse_iso_ms(const char *s, int64_t *ms);

#endif
