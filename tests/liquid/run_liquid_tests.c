/* The data-test runner of tests/liquid/NAME.test files:
 *
 *   === case name
 *   --- template
 *   Liquid text (up to the next "--- " line; trailing newlines are not part of it)
 *   --- body              (optional: the body text, bound with rt_liquid_body)
 *   --- content-type      (optional, default application/json)
 *   --- context           (optional: JSON tree answering context.* paths, e.g.
 *                          {"Request": {"Headers": {"x": "1"}}}; "__fail": true makes the
 *                          resolver fail)
 *   --- options           (optional JSON: {"budget": n, "cap": n, "now": "ISO date",
 *                          "parse_date": false})
 *   --- expect            (the exact output; trailing newlines are not part of it)
 *   --- error             (the render fails; the text is a substring of its message)
 *   --- diag              (compilation fails or warns: one "line:col: severity: message" per
 *                          diagnostic, in order)
 *
 * A line starting with '#' outside sections is a comment. Arguments: directories (every
 * *.test file in them) or files; "--corpus DIR" compiles the Liquid bodies of every
 * DIR/NAME.xml (skipped when DIR does not exist). Output is TAP. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/base/buf.h"
#include "runtime/liquid.h"

enum sec {
    S_NONE,
    S_TEMPLATE,
    S_BODY,
    S_CTYPE,
    S_CONTEXT,
    S_OPTIONS,
    S_EXPECT,
    S_ERROR,
    S_DIAG,
    S_N
};
static const char *const sec_names[S_N] = { "",        "template", "body",   "content-type",
                                            "context", "options",  "expect", "error",
                                            "diag" };

typedef struct tcase {
    char name[256];
    buf sec[S_N];
    bool has[S_N];
    int line;
} tcase;

static int ntests, nfailed;

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
    char msg[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *line = strtok(msg, "\n"); line; line = strtok(NULL, "\n"))
        printf("#   %s\n", line);
}

/* The test resolver: walks the context tree; answers at most 2 segments itself (the engine
 * walks the rest), and gives strings as text to exercise both answer kinds. */
static int resolve(void *ud, const rt_liquid_seg *segs, size_t n, rt_liquid_ref *out, char *errbuf,
                   size_t errlen)
{
    json_t *cur = ud;
    if (json_is_true(json_object_get(cur, "__fail"))) {
        snprintf(errbuf, errlen, "test resolver failure");
        return -1;
    }
    size_t used = 0;
    while (used < n && used < 2 && cur) {
        const rt_liquid_seg *s = &segs[used];
        if (json_is_object(cur))
            cur = json_object_getn(cur, s->name.ptr, s->name.len);
        else if (json_is_array(cur) && s->is_index)
            cur = s->index >= 0 ? json_array_get(cur, (size_t)s->index) : NULL;
        else
            cur = NULL;
        used++;
    }
    if (!cur)
        return 0;
    out->used = used;
    if (json_is_string(cur))
        out->text = (str){ json_string_value(cur), json_string_length(cur) };
    else
        out->json = json_incref(cur);
    return 1;
}

static int64_t parse_now(const char *s)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) < 3)
        return 0;
    /* days from civil (1970-based) */
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    return ((days * 86400) + h * 3600 + mi * 60 + sec) * 1000;
}

static void diag_lines(const diag_list *d, buf *out)
{
    for (size_t i = 0; i < d->n; i++) {
        const diag *g = &d->items[i];
        buf_printf(out, "%u:%u: %s: %s\n", g->line, g->col,
                   g->sev == DIAG_ERROR     ? "error"
                   : g->sev == DIAG_WARNING ? "warning"
                                            : "note",
                   g->msg);
    }
    while (out->len && out->ptr[out->len - 1] == '\n')
        out->ptr[--out->len] = '\0';
}

static void run_case(const char *file, tcase *tc)
{
    arena a;
    arena_init(&a, 0);
    diag_list d;
    diag_list_init(&d);
    str src = buf_str(&tc->sec[S_TEMPLATE]);
    diag_text dt = { "t.liquid", src.ptr, src.len };
    diag_mapper m = { diag_text_map, &dt };
    rt_liquid *t = rt_liquid_compile(&a, src.ptr, src.len, &m, &d);
    buf got, dl;
    buf_init(&got, 0);
    buf_init(&dl, 0);
    diag_lines(&d, &dl);
    json_t *ctx = NULL, *opts = NULL, *body = NULL;
    if (tc->has[S_DIAG]) {
        str want = buf_str(&tc->sec[S_DIAG]);
        bool ok = str_eq(want, buf_str(&dl)) && (t != NULL) == !d.errors;
        report(file, tc, ok, "diagnostics differ\nwant:\n%.*s\ngot:\n%.*s", STR_FMT(want),
               STR_FMT(buf_str(&dl)));
        if (!t || !ok)
            goto out;
    } else if (!t || d.n) {
        report(file, tc, false, "unexpected diagnostics:\n%.*s", STR_FMT(buf_str(&dl)));
        goto out;
    }
    if (!tc->has[S_EXPECT] && !tc->has[S_ERROR])
        goto out;
    json_error_t je;
    if (tc->has[S_CONTEXT] &&
        !(ctx = json_loadb(tc->sec[S_CONTEXT].ptr, tc->sec[S_CONTEXT].len, 0, &je))) {
        report(file, tc, false, "bad context JSON: %s", je.text);
        goto out;
    }
    if (tc->has[S_OPTIONS] &&
        !(opts = json_loadb(tc->sec[S_OPTIONS].ptr, tc->sec[S_OPTIONS].len, 0, &je))) {
        report(file, tc, false, "bad options JSON: %s", je.text);
        goto out;
    }
    str ct = tc->has[S_CTYPE] ? buf_str(&tc->sec[S_CTYPE]) : STR_LIT("application/json");
    if (tc->has[S_BODY])
        body = rt_liquid_body(ct, buf_str(&tc->sec[S_BODY]));
    json_t *pd = json_object_get(opts, "parse_date");
    rt_liquid_data data = {
        .body = body,
        .resolve = ctx ? resolve : NULL,
        .ud = ctx,
        .budget = (size_t)json_integer_value(json_object_get(opts, "budget")),
        .now_ms = parse_now(json_string_value(json_object_get(opts, "now"))),
        .parse_date = pd ? json_is_true(pd) : true,
    };
    buf out;
    buf_init(&out, (size_t)json_integer_value(json_object_get(opts, "cap")));
    char err[256] = "";
    int r = rt_liquid_render(t, &data, &out, err, sizeof err);
    if (tc->has[S_EXPECT]) {
        str want = buf_str(&tc->sec[S_EXPECT]);
        report(file, tc, r == 0 && str_eq(want, buf_str(&out)),
               "r=%d err=%s\nwant: [%.*s]\ngot:  [%.*s]", r, err, STR_FMT(want),
               STR_FMT(buf_str(&out)));
    } else {
        str want = buf_str(&tc->sec[S_ERROR]);
        report(file, tc,
               r < 0 && strstr(err, tc->sec[S_ERROR].ptr ? tc->sec[S_ERROR].ptr : "") != NULL,
               "want failure containing [%.*s]; r=%d err=[%s] output [%.*s]", STR_FMT(want), r, err,
               STR_FMT(buf_str(&out)));
    }
    buf_release(&out);
out:
    json_decref(ctx);
    json_decref(opts);
    json_decref(body);
    buf_release(&got);
    buf_release(&dl);
    diag_list_release(&d);
    arena_release(&a);
}

static void drop_last_newline(buf *b)
{
    while (b->len && (b->ptr[b->len - 1] == '\n' || b->ptr[b->len - 1] == '\r'))
        b->ptr[--b->len] = '\0';
}

static void reset(tcase *tc)
{
    for (int i = 0; i < S_N; i++) {
        buf_release(&tc->sec[i]);
        buf_init(&tc->sec[i], 0);
        tc->has[i] = false;
    }
    tc->name[0] = '\0';
}

static void flush(const char *file, tcase *tc)
{
    if (!tc->name[0])
        return;
    for (int i = 0; i < S_N; i++) {
        drop_last_newline(&tc->sec[i]);
        if (tc->has[i])
            buf_append(&tc->sec[i], "", 0); /* NUL-terminate even when empty */
    }
    run_case(file, tc);
}

static void run_file(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        printf("not ok %d - cannot open %s\n", ++ntests, file);
        nfailed++;
        return;
    }
    tcase tc = { 0 };
    reset(&tc);
    enum sec cur = S_NONE;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (strncmp(line, "=== ", 4) == 0) {
            flush(file, &tc);
            reset(&tc);
            snprintf(tc.name, sizeof tc.name, "%.*s", (int)(n - 4 - (line[n - 1] == '\n')),
                     line + 4);
            tc.line = lineno;
            cur = S_NONE;
            continue;
        }
        if (strncmp(line, "--- ", 4) == 0) {
            cur = S_NONE;
            for (int i = 1; i < S_N; i++) {
                size_t k = strlen(sec_names[i]);
                if (strncmp(line + 4, sec_names[i], k) == 0 &&
                    (line[4 + k] == '\n' || line[4 + k] == 0))
                    cur = (enum sec)i;
            }
            if (cur == S_NONE) {
                printf("not ok %d - %s:%d: unknown section %s", ++ntests, file, lineno, line);
                nfailed++;
            } else {
                tc.has[cur] = true;
            }
            continue;
        }
        if (cur == S_NONE)
            continue; /* comments and blank lines between cases */
        buf_append(&tc.sec[cur], line, (size_t)n);
    }
    flush(file, &tc);
    reset(&tc);
    for (int i = 0; i < S_N; i++)
        buf_release(&tc.sec[i]);
    free(line);
    fclose(f);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists dir's entries ending with ext, sorted; calls fn on each path. */
static void each_file(const char *dir, const char *ext, void (*fn)(const char *))
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dp))) {
        size_t l = strlen(de->d_name), el = strlen(ext);
        if (l > el && strcmp(de->d_name + l - el, ext) == 0) {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n] = malloc(strlen(dir) + l + 2);
            sprintf(names[n++], "%s/%s", dir, de->d_name);
        }
    }
    closedir(dp);
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        fn(names[i]);
        free(names[i]);
    }
    free(names);
}

/* Every <set-body template="liquid">...</set-body> of a corpus document must compile. */
static void corpus_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    buf b;
    buf_init(&b, 0);
    char chunk[4096];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, k);
    fclose(f);
    const char *open = "<set-body template=\"liquid\">";
    const char *p = b.ptr ? b.ptr : "";
    int idx = 0;
    while ((p = strstr(p, open))) {
        p += strlen(open);
        const char *e = strstr(p, "</set-body>");
        if (!e)
            break;
        arena a;
        arena_init(&a, 0);
        diag_list d;
        diag_list_init(&d);
        diag_text dt = { path, p, (size_t)(e - p) };
        diag_mapper m = { diag_text_map, &dt };
        rt_liquid *t = rt_liquid_compile(&a, p, (size_t)(e - p), &m, &d);
        buf dl;
        buf_init(&dl, 0);
        diag_lines(&d, &dl);
        tcase tc = { .line = 1 };
        snprintf(tc.name, sizeof tc.name, "corpus template %d compiles", ++idx);
        report(path, &tc, t && d.n == 0, "%.*s", STR_FMT(buf_str(&dl)));
        buf_release(&dl);
        diag_list_release(&d);
        arena_release(&a);
        p = e;
    }
    buf_release(&b);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--corpus") == 0 && i + 1 < argc) {
            each_file(argv[++i], ".xml", corpus_file);
            continue;
        }
        struct stat stt;
        if (stat(argv[i], &stt) == 0 && S_ISDIR(stt.st_mode))
            each_file(argv[i], ".test", run_file);
        else
            run_file(argv[i]);
    }
    printf("1..%d\n", ntests);
    return nfailed ? 1 : 0;
}
