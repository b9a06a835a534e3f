#ifndef RUNTIME_CTX_H
#define RUNTIME_CTX_H

#include <jansson.h>
#include <stdio.h>

#include "../expr/expr.h"

/* The `context` of policy expressions, held as plain data and served to expr/ through
 * expr_host. `apimlite eval` builds one from its CTX.json (DESIGN.md §4b); the pipeline
 * (issue 3) fills the same structure from the live request. */
typedef struct rt_ctx rt_ctx;

/* Builds a context from a CTX.json object (any key may be absent; NULL = empty context) in
 * arena a. On a malformed context returns NULL and writes a message to err. */
rt_ctx *rt_ctx_from_json(arena *a, const json_t *ctx, char *err, size_t errlen);
/* Prepares env to evaluate against c: host, context root, budget = EXPR_STEP_BUDGET, arena a. */
void rt_ctx_env(rt_ctx *c, expr_env *env, arena *a);
/* Where context.Trace(message) writes "trace: message" lines (NULL = discard, the default). */
void rt_ctx_set_trace(rt_ctx *c, FILE *out);

#endif
