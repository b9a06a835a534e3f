/* apimlite eval [--context CTX.json] EXPRESSION (DESIGN.md §2, §4b). */
#include <stdio.h>
#include <string.h>

#include "../runtime/base/diag.h"
#include "cmd.h"
#include "ctx.h"

static const char eval_usage[] =
    "usage: apimlite eval [--context CTX.json] EXPRESSION\n"
    "\n"
    "Compiles and evaluates one policy expression and prints its value as one line of JSON:\n"
    "strings, numbers, booleans, null; JObject/JArray as JSON; lists as arrays, dictionaries\n"
    "as objects; other values as the string of their ToString().\n"
    "\n"
    "  EXPRESSION          @(...) or @{...}; any other text is evaluated as @(TEXT)\n"
    "  --context FILE      the context as JSON ('-' reads stdin); keys, all optional:\n"
    "                        request {method, url, ip, headers, body}\n"
    "                        response {status, reason, headers, body}\n"
    "                        variables {name: JSON value}   ({\"$response\": {...}} = IResponse)\n"
    "                        subscription {id, name, key, primaryKey, secondaryKey}\n"
    "                        user {id, email, firstName, lastName, groups}\n"
    "                        api {id, name, path, serviceUrl}\n"
    "                        operation {id, name, method, urlTemplate}\n"
    "                        product {id, name}   matchedParameters {name: value}\n"
    "                        lastError {source, reason, message, scope, section, path,\n"
    "                                   policyId}   workspace {id, name}\n"
    "                        timestamp (ISO-8601, default 2026-01-01T00:00:00Z; also the\n"
    "                        clock of DateTime.UtcNow)   random [n, ...] (Random.Next results)\n"
    "                        requestId (GUID)   tracing (bool)\n"
    "  -h, --help          this help\n"
    "\n"
    "Exit status: 0 ok, 1 compile error or exception, 2 usage error or bad context file.\n"
    "Compile errors are printed as <expr>:LINE:COL: error: ...; exceptions as\n"
    "error: ExpressionValueEvaluationFailure: <ExceptionType>: <message>.\n";

/* Maps offsets of "@(" + text + ")" back into the text the user typed. */
typedef struct wrap_map {
    const char *text;
    size_t len;
    size_t shift; /* 2 when wrapped, else 0 */
} wrap_map;

static void wrap_map_fn(void *ud, size_t off, diag_pos *out)
{
    const wrap_map *w = ud;
    off = off >= w->shift ? off - w->shift : 0;
    if (off > w->len)
        off = w->len;
    diag_pos_in_text("<expr>", w->text, w->len, off, out);
}

static json_t *load_context(const char *path)
{
    json_error_t jerr;
    json_t *j = !strcmp(path, "-") ? json_loadf(stdin, JSON_DECODE_ANY, &jerr)
                                   : json_load_file(path, JSON_DECODE_ANY, &jerr);
    if (!j) {
        if (jerr.line > 0)
            fprintf(stderr, "%s:%d:%d: error: %s\n", !strcmp(path, "-") ? "<stdin>" : path,
                    jerr.line, jerr.column, jerr.text);
        else
            fprintf(stderr, "apimlite eval: cannot read context '%s': %s\n", path, jerr.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        fprintf(stderr, "apimlite eval: context '%s': must be a JSON object\n", path);
        json_decref(j);
        return NULL;
    }
    return j;
}

/* Evaluates e against c and prints the result; returns the exit code. */
static int run(const expr *e, rt_ctx *c, arena *a, const wrap_map *w)
{
    expr_env env;
    memset(&env, 0, sizeof env);
    rt_ctx_env(c, &env, a);
    rt_ctx_set_trace(c, stderr);
    xv v;
    json_t *out = NULL;
    if (expr_eval(&env, e, &v) == 0)
        out = expr_eval_json(&env, v);
    if (!out) {
        fprintf(stderr, "error: ExpressionValueEvaluationFailure: %s: %s\n",
                env.err.type ? env.err.type : "Exception",
                env.err.message ? env.err.message : "evaluation failed");
        diag_pos pos;
        wrap_map_fn((void *)w, env.err.off, &pos);
        fprintf(stderr, "%s:%u:%u: note: raised here\n", pos.file, pos.line, pos.col);
        return 1;
    }
    char *s = json_dumps(out, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(out);
    if (!s) {
        fputs("apimlite eval: cannot print the result\n", stderr);
        return 1;
    }
    printf("%s\n", s);
    free(s);
    return fflush(stdout) == 0 ? 0 : 2;
}

static int eval_text(const char *text, const json_t *ctx_json)
{
    arena a;
    arena_init(&a, ARENA_REQUEST_CAP);
    int rc = 1;
    char err[512];
    wrap_map w = { text, strlen(text), 0 };
    str src = str_make(text, w.len);
    if (!expr_is_expression(src)) {
        char *wrapped = arena_sprintf(&a, "@(%s)", text);
        if (!wrapped) {
            fputs("apimlite eval: expression too large\n", stderr);
            rc = 2;
            goto out;
        }
        src = str_from(wrapped);
        w.shift = 2;
    }
    rt_ctx *c = rt_ctx_from_json(&a, ctx_json, err, sizeof err);
    if (!c) {
        fprintf(stderr, "apimlite eval: bad context: %s\n", err);
        rc = 2;
        goto out;
    }
    diag_list d;
    diag_list_init(&d);
    diag_mapper m = { wrap_map_fn, &w };
    const expr *e = expr_compile(&a, src.ptr, src.len, &m, &d);
    if (!e || diag_has_errors(&d)) {
        diag_print(&d, stderr);
        diag_list_release(&d);
        rc = 1;
        goto out;
    }
    diag_print(&d, stderr); /* warnings, if any */
    diag_list_release(&d);
    rc = run(e, c, &a, &w);
out:
    arena_release(&a);
    return rc;
}

int rt_cmd_eval(int argc, char **argv)
{
    const char *ctx_path = NULL, *text = NULL;
    bool opts = true;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (opts && (!strcmp(arg, "-h") || !strcmp(arg, "--help"))) {
            fputs(eval_usage, stdout);
            return 0;
        } else if (opts && !strcmp(arg, "--")) {
            opts = false;
        } else if (opts && !strcmp(arg, "--context")) {
            if (i + 1 >= argc) {
                fputs("apimlite eval: --context needs a file name\n", stderr);
                return 2;
            }
            ctx_path = argv[++i];
        } else if (opts && !strncmp(arg, "--context=", 10)) {
            ctx_path = arg + 10;
        } else if (opts && arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr, "apimlite eval: unknown option '%s'\n\n%s", arg, eval_usage);
            return 2;
        } else if (!text) {
            text = arg;
        } else {
            fprintf(stderr, "apimlite eval: only one EXPRESSION may be given\n\n%s", eval_usage);
            return 2;
        }
    }
    if (!text) {
        fprintf(stderr, "apimlite eval: missing EXPRESSION\n\n%s", eval_usage);
        return 2;
    }
    json_t *ctx = NULL;
    if (ctx_path && !(ctx = load_context(ctx_path)))
        return 2;
    int rc = eval_text(text, ctx);
    json_decref(ctx);
    return rc;
}
