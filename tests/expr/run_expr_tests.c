/* The data-test runner of the tests/expr/NAME.test files:
 *
 *   === case name
 *   @(expression, possibly on several lines)
 *   --- context            (optional: a CTX.json object, DESIGN.md §4b)
 *   {...}
 *   --- expect | --- error | --- throws
 *   JSON value | first error line | ExceptionType[: message substring]
 *   --- warning            (optional, with any of the above: the first warning line, e.g.
 *   <expr>:1:5: warning: message)
 *
 * A line starting with '#' is a comment. Arguments are directories (every *.test file in
 * them, sorted) or single files. Output is TAP. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/base/buf.h"
#include "runtime/ctx.h"
#include "runtime/exprlibs.h"

enum section { SEC_NONE, SEC_EXPR, SEC_CONTEXT, SEC_WARNING, SEC_EXPECT, SEC_ERROR, SEC_THROWS };

typedef struct tcase {
    char name[256];
    buf expr, context, want, warn;
    enum section kind; /* SEC_EXPECT, SEC_ERROR or SEC_THROWS */
    int line;
} tcase;

static int ntests, nfailed;

static void trim_end(buf *b)
{
    while (b->len > 0 && (b->ptr[b->len - 1] == '\n' || b->ptr[b->len - 1] == '\r' ||
                          b->ptr[b->len - 1] == ' ' || b->ptr[b->len - 1] == '\t'))
        b->ptr[--b->len] = '\0';
}

static void report(const char *file, const tcase *tc, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(const char *file, const tcase *tc, bool ok, const char *fmt, ...)
{
    const char *base = strrchr(file, '/');
    ntests++;
    printf("%sok %d - %s: %s\n", ok ? "" : "not ", ntests, base ? base + 1 : file, tc->name);
    if (ok)
        return;
    nfailed++;
    printf("# at %s:%d\n", file, tc->line);
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *line = strtok(msg, "\n"); line; line = strtok(NULL, "\n"))
        printf("#   %s\n", line);
}

static char *dump(const json_t *j)
{
    char *s = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    return s ? s : strdup("(none)");
}

static void run_eval(const char *file, tcase *tc, const expr *e)
{
    arena ra;
    arena_init(&ra, ARENA_REQUEST_CAP);
    json_t *ctxj = NULL, *want = NULL, *got = NULL;
    json_error_t jerr;
    char err[512] = "";
    if (tc->context.len > 0) {
        ctxj = json_loadb(tc->context.ptr, tc->context.len, 0, &jerr);
        if (!ctxj) {
            report(file, tc, false, "bad context JSON: %s", jerr.text);
            goto out;
        }
    } else {
        ctxj = json_object();
    }
    rt_ctx *c = rt_ctx_from_json(&ra, ctxj, err, sizeof err);
    if (!c) {
        report(file, tc, false, "bad context: %s", err);
        goto out;
    }
    expr_env env;
    rt_ctx_env(c, &env, &ra);
    xv v;
    int rc = expr_eval(&env, e, &v);
    if (tc->kind == SEC_THROWS) {
        buf *w = &tc->want;
        char *colon = strstr(w->ptr, ": ");
        size_t tlen = colon ? (size_t)(colon - w->ptr) : w->len;
        const char *type = env.err.type ? env.err.type : "";
        const char *msg = env.err.message ? env.err.message : "";
        bool ok = rc < 0 && strlen(type) == tlen && strncmp(type, w->ptr, tlen) == 0 &&
                  (!colon || strstr(msg, colon + 2));
        if (rc < 0)
            report(file, tc, ok, "expected: %s\ngot:      %s: %s", w->ptr, type, msg);
        else
            report(file, tc, false, "expected: %s\ngot a value instead", w->ptr);
        goto out;
    }
    if (rc < 0) {
        report(file, tc, false, "expected: %s\nthrew:    %s: %s", tc->want.ptr,
               env.err.type ? env.err.type : "?", env.err.message ? env.err.message : "?");
        goto out;
    }
    got = expr_eval_json(&env, v);
    want = json_loadb(tc->want.ptr, tc->want.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!want) {
        report(file, tc, false, "bad expected JSON: %s", jerr.text);
        goto out;
    }
    char *gs = dump(got), *ws = dump(want);
    report(file, tc, got && json_equal(got, want), "expected: %s\ngot:      %s", ws, gs);
    free(gs);
    free(ws);
out:
    json_decref(ctxj);
    json_decref(want);
    json_decref(got);
    arena_release(&ra);
}

static void run_case(const char *file, tcase *tc)
{
    trim_end(&tc->expr);
    trim_end(&tc->context);
    trim_end(&tc->want);
    if (!tc->expr.ptr)
        buf_puts(&tc->expr, "");
    if (!tc->want.ptr)
        buf_puts(&tc->want, "");
    arena a;
    arena_init(&a, 0);
    diag_list d;
    diag_list_init(&d);
    const expr *e = expr_compile(&a, tc->expr.ptr, tc->expr.len, NULL, &d);
    char first[1024] = "(no diagnostic)", warn[1024] = "(no warning)";
    for (size_t i = d.n; i-- > 0;) {
        const diag *g = &d.items[i];
        if (g->sev == DIAG_ERROR)
            snprintf(first, sizeof first, "%s:%u:%u: error: %s", g->file, g->line, g->col, g->msg);
        else if (g->sev == DIAG_WARNING)
            snprintf(warn, sizeof warn, "%s:%u:%u: warning: %s", g->file, g->line, g->col, g->msg);
    }
    trim_end(&tc->warn);
    if (tc->warn.len > 0 && strcmp(warn, tc->warn.ptr) != 0) {
        report(file, tc, false, "expected warning: %s\ngot:              %s", tc->warn.ptr, warn);
    } else if (tc->kind == SEC_ERROR) {
        report(file, tc, !e && strcmp(first, tc->want.ptr) == 0, "expected: %s\ngot:      %s",
               tc->want.ptr, e ? "(compiled without errors)" : first);
    } else if (!e) {
        report(file, tc, false, "compile failed: %s", first);
    } else if (tc->kind == SEC_NONE) {
        report(file, tc, false, "case has no expect/error/throws section");
    } else {
        run_eval(file, tc, e);
    }
    diag_list_release(&d);
    arena_release(&a);
}

static void tcase_reset(tcase *tc)
{
    buf_release(&tc->expr);
    buf_release(&tc->context);
    buf_release(&tc->want);
    buf_release(&tc->warn);
    memset(tc, 0, sizeof *tc);
    buf_init(&tc->expr, 0);
    buf_init(&tc->context, 0);
    buf_init(&tc->want, 0);
    buf_init(&tc->warn, 0);
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    tcase tc = { 0 };
    tcase_reset(&tc);
    bool have = false;
    enum section sec = SEC_NONE;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (line[0] == '#')
            continue;
        if (strncmp(line, "=== ", 4) == 0) {
            if (have)
                run_case(path, &tc);
            tcase_reset(&tc);
            have = true;
            snprintf(tc.name, sizeof tc.name, "%s", line + 4);
            tc.name[strcspn(tc.name, "\r\n")] = '\0';
            tc.line = lineno;
            sec = SEC_EXPR;
            continue;
        }
        if (strncmp(line, "--- ", 4) == 0 && have) {
            const char *w = line + 4;
            sec = strncmp(w, "context", 7) == 0   ? SEC_CONTEXT
                  : strncmp(w, "warning", 7) == 0 ? SEC_WARNING
                  : strncmp(w, "expect", 6) == 0  ? SEC_EXPECT
                  : strncmp(w, "error", 5) == 0   ? SEC_ERROR
                  : strncmp(w, "throws", 6) == 0  ? SEC_THROWS
                                                  : SEC_NONE;
            if (sec >= SEC_EXPECT)
                tc.kind = sec;
            continue;
        }
        buf *b = sec == SEC_EXPR      ? &tc.expr
                 : sec == SEC_CONTEXT ? &tc.context
                 : sec == SEC_WARNING ? &tc.warn
                 : sec >= SEC_EXPECT  ? &tc.want
                                      : NULL;
        if (b && (b->len > 0 || line[0] != '\n'))
            buf_append(b, line, (size_t)n);
    }
    if (have)
        run_case(path, &tc);
    tcase_reset(&tc);
    buf_release(&tc.expr);
    buf_release(&tc.context);
    buf_release(&tc.want);
    buf_release(&tc.warn);
    free(line);
    fclose(f);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        size_t len = strlen(ent->d_name);
        if (len < 6 || strcmp(ent->d_name + len - 5, ".test") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = realloc(names, cap * sizeof *names);
            if (!names)
                abort();
        }
        names[n++] = strdup(ent->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (run_file(path) < 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    if (rt_expr_libs_init() < 0)
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0) {
            perror(argv[i]);
            rc = 1;
        } else if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) < 0 : run_file(argv[i]) < 0) {
            rc = 1;
        }
    }
    printf("1..%d\n", ntests);
    if (nfailed)
        printf("# %d of %d failed\n", nfailed, ntests);
    return rc || nfailed ? 1 : 0;
}
