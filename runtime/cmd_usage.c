/* apimlite usage [--by KEYS] [--since WHEN] [--until WHEN] [--json] [LOG.jsonl ...]
 * (DESIGN.md §2): token usage / charge-back report over request logs (§5). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "cmd.h"
#include "usage.h"

static const char usage_help[] =
    "usage: apimlite usage [--by KEYS] [--since WHEN] [--until WHEN] [--json] [LOG.jsonl ...]\n"
    "\n"
    "Reads request logs (JSON lines as written by `logs.path`, one object per request) and\n"
    "prints token usage per group: the charge-back report. Files are read in order, line by\n"
    "line; '-' or no file reads stdin. Lines that are not log objects are skipped and counted\n"
    "on stderr (warning: N malformed lines skipped); blank lines are ignored.\n"
    "\n"
    "  --by KEYS       comma-separated group keys (default subscription,model):\n"
    "                    subscription (SubscriptionId)  model (Model)  ip (CallerIpAddress)\n"
    "                    api (ApiId)  product (ProductId)  operation (OperationId)\n"
    "                    backend (BackendId)  status (ResponseCode)\n"
    "                    day, hour (UTC date / hour of TimeGenerated: 2026-01-31,\n"
    "                    2026-01-31T13:00Z)\n"
    "                  the log column names are accepted too; a missing or empty value\n"
    "                  prints as (none) in the table and null in JSON\n"
    "  --since WHEN    only requests with TimeGenerated >= WHEN\n"
    "  --until WHEN    only requests with TimeGenerated <  WHEN\n"
    "                  WHEN is an ISO-8601 timestamp (2026-01-31, 2026-01-31T13:00:00Z,\n"
    "                  2026-01-31T15:00:00+02:00; no offset means UTC) or a duration back\n"
    "                  from now: 30m, 24h, 7d, 2w, 1d12h, 45s, 500ms, PT1H, P7D\n"
    "  --json          one JSON object instead of the table: {\"by\", \"since\", \"until\",\n"
    "                  \"groups\": [{keys..., requests, promptTokens, completionTokens,\n"
    "                  totalTokens, streamed, errors, avgTotalTimeMs}], \"total\", "
    "\"malformedLines\"}\n"
    "  -h, --help      this help\n"
    "\n"
    "Columns: requests; prompt, completion and total tokens (TotalTokens, or prompt +\n"
    "completion when it is absent; missing counts are 0); streamed requests; errors\n"
    "(ResponseCode >= 400); avg_ms, the mean TotalTime of the requests that have one, with one\n"
    "decimal ('-' / null when none). Numbers are plain digits so that scripts can read them.\n"
    "Rows are sorted by total tokens, largest first, then by key; the last row is TOTAL.\n"
    "\n"
    "Exit status: 0 ok (malformed lines are only warnings), 2 usage error or unreadable file.\n";

#define MAX_LINE    ((size_t)64 << 20) /* longer lines are skipped as malformed */
#define MAX_DETAILS 5                  /* malformed lines described one by one */

/* Reads a stream line by line through a fixed block, so memory stays bounded by the longest
 * line (itself capped at MAX_LINE). */
typedef struct line_reader {
    FILE *f;
    char block[1 << 16];
    size_t pos, end;
    bool eof;
    buf line;
} line_reader;

/* Returns 1 with the next line in lr->line (no newline; *oversize when it was longer than
 * MAX_LINE and dropped), 0 at end of file, -1 on a read error (errno set). */
static int read_line(line_reader *lr, bool *oversize)
{
    lr->line.len = 0;
    *oversize = false;
    bool any = false;
    for (;;) {
        if (lr->pos == lr->end) {
            if (lr->eof)
                return any;
            size_t n = fread(lr->block, 1, sizeof lr->block, lr->f);
            if (n == 0) {
                if (ferror(lr->f))
                    return -1;
                lr->eof = true;
                return any;
            }
            lr->pos = 0;
            lr->end = n;
        }
        any = true;
        char *start = lr->block + lr->pos;
        char *nl = memchr(start, '\n', lr->end - lr->pos);
        size_t n = nl ? (size_t)(nl - start) : lr->end - lr->pos;
        if (!*oversize && lr->line.len + n > MAX_LINE) {
            *oversize = true;
            lr->line.len = 0;
        }
        if (!*oversize)
            buf_append(&lr->line, start, n);
        lr->pos += n + (nl != NULL);
        if (nl)
            return 1;
    }
}

static void report_malformed(const rt_usage *u, const char *name, unsigned long lineno, int col,
                             const char *why)
{
    if (u->malformed > MAX_DETAILS)
        return;
    /* jansson quotes the offending input: keep terminal control characters out of stderr */
    char clean[200];
    size_t n = 0;
    for (; why[n] && n + 1 < sizeof clean; n++)
        clean[n] = (unsigned char)why[n] < 0x20 || why[n] == 0x7f ? '?' : why[n];
    clean[n] = '\0';
    why = clean;
    if (col > 0)
        fprintf(stderr, "%s:%lu:%d: warning: malformed line skipped: %s\n", name, lineno, col, why);
    else
        fprintf(stderr, "%s:%lu: warning: malformed line skipped: %s\n", name, lineno, why);
}

/* Feeds every line of f to u. Returns 0, or -1 after printing a read error. */
static int read_log(rt_usage *u, FILE *f, const char *name)
{
    line_reader *lr = xcalloc(1, sizeof *lr); /* 64 KiB: keep it off the stack */
    lr->f = f;
    buf_init(&lr->line, 0);
    unsigned long lineno = 0;
    bool oversize = false;
    int rc = 0;
    for (;;) {
        rc = read_line(lr, &oversize);
        if (rc <= 0)
            break;
        lineno++;
        if (oversize) {
            u->malformed++;
            report_malformed(u, name, lineno, 0, "line longer than 64 MiB");
            continue;
        }
        str s = buf_str(&lr->line);
        if (lineno == 1 && s.len >= 3 && !memcmp(s.ptr, "\xEF\xBB\xBF", 3)) {
            s.ptr += 3; /* a UTF-8 byte order mark */
            s.len -= 3;
        }
        char why[200];
        int col = 0;
        if (rt_usage_add_line(u, s.ptr, s.len, why, sizeof why, &col) == RT_USAGE_LINE_MALFORMED)
            report_malformed(u, name, lineno, col, why);
    }
    if (rc < 0)
        fprintf(stderr, "apimlite usage: cannot read '%s': %s\n", name, strerror(errno));
    buf_release(&lr->line);
    free(lr);
    return rc < 0 ? -1 : 0;
}

static int read_path(rt_usage *u, const char *path)
{
    if (!strcmp(path, "-"))
        return read_log(u, stdin, "<stdin>");
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "apimlite usage: cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    int rc = read_log(u, f, path);
    fclose(f);
    return rc;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct usage_opts {
    const char *by, *since, *until;
    bool json;
    char **files;
    int nfiles;
} usage_opts;

/* Takes the value of --name VALUE or --name=VALUE at argv[*i]; NULL if this is not --name. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

/* Returns 0, 1 for --help, or 2 after printing a usage error. */
static int parse_args(int argc, char **argv, usage_opts *o)
{
    memset(o, 0, sizeof *o);
    o->by = "subscription,model";
    o->files = argv + argc;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        bool missing = false;
        const char *v = NULL;
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-' || !strcmp(a, "-"))
            break;
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return 1;
        if (!strcmp(a, "--json")) {
            o->json = true;
        } else if ((v = opt_value(argc, argv, &i, "--by", &missing))) {
            o->by = v;
        } else if ((v = opt_value(argc, argv, &i, "--since", &missing))) {
            o->since = v;
        } else if ((v = opt_value(argc, argv, &i, "--until", &missing))) {
            o->until = v;
        } else {
            fprintf(stderr, "apimlite usage: %s '%s'\n(see apimlite usage --help)\n",
                    missing ? "missing value for" : "unknown option", a);
            return 2;
        }
    }
    o->files = argv + i;
    o->nfiles = argc - i;
    return 0;
}

static int parse_when(const char *opt, const char *s, int64_t now, int64_t *out)
{
    if (rt_usage_parse_when(s, now, out) == 0)
        return 0;
    fprintf(stderr,
            "apimlite usage: %s: invalid time '%s' (expected an ISO-8601 timestamp such as "
            "2026-01-31T13:00:00Z or a duration such as 24h, 7d, 30m)\n",
            opt, s);
    return -1;
}

int rt_cmd_usage(int argc, char **argv)
{
    usage_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc == 1) {
        fputs(usage_help, stdout);
        return 0;
    }
    if (rc)
        return rc;
    rt_usage_key by[RT_USAGE_NKEYS];
    size_t nby = 0;
    char err[200];
    if (rt_usage_parse_by(o.by, by, &nby, err, sizeof err) < 0) {
        fprintf(stderr, "apimlite usage: %s\n", err);
        return 2;
    }
    rt_usage u;
    rt_usage_init(&u, by, nby);
    int64_t now = now_us();
    if ((o.since && parse_when("--since", o.since, now, &u.since_us) < 0) ||
        (o.until && parse_when("--until", o.until, now, &u.until_us) < 0)) {
        rt_usage_release(&u);
        return 2;
    }
    u.has_since = o.since != NULL;
    u.has_until = o.until != NULL;
    rc = 0;
    if (o.nfiles == 0)
        rc = read_path(&u, "-");
    for (int i = 0; i < o.nfiles && rc == 0; i++)
        rc = read_path(&u, o.files[i]);
    if (rc == 0) {
        rt_usage_sort(&u);
        if (o.json)
            rt_usage_print_json(&u, stdout);
        else
            rt_usage_print_table(&u, stdout);
        if (u.malformed)
            fprintf(stderr, "warning: %llu malformed line%s skipped\n",
                    (unsigned long long)u.malformed, u.malformed == 1 ? "" : "s");
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "apimlite usage: cannot write the report: %s\n", strerror(errno));
            rc = -1;
        }
    }
    rt_usage_release(&u);
    return rc == 0 ? 0 : 2;
}
