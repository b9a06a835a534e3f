/* `apimlite mock`: a mock Azure OpenAI backend (runtime/mock.h) until SIGTERM or SIGINT. */
#include <errno.h>
#include <event2/event.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cmd.h"
#include "runtime/mock.h"
#include "runtime/tokenizer.h"

static const char mock_usage[] =
    "usage: apimlite mock [options]\n"
    "\n"
    "A mock Azure OpenAI / OpenAI backend: POST /openai/deployments/{d}/chat/completions,\n"
    "/completions, /embeddings, /responses, the same under /v1/ and /openai/v1/, and\n"
    "/openai/responses. Answers echo the last user message; \"stream\": true answers SSE.\n"
    "Prints 'listening on HOST:PORT' on stdout once bound. SIGTERM/SIGINT stop it.\n"
    "\n"
    "options:\n"
    "  --listen ADDR        HOST:PORT to listen on (default 127.0.0.1:8081; port 0 = any)\n"
    "  --tpm N              tokens per minute (rolling window), then 429 (default: no limit)\n"
    "  --rpm N              requests per minute (rolling window), then 429\n"
    "  --latency MS         delay every answer by MS milliseconds\n"
    "  --stream-delay MS    delay between streamed events (one word each)\n"
    "  --fail-rate R        fail this fraction (0..1) of the requests ...\n"
    "  --fail-status CODE   ... with this status (default 500)\n"
    "  --seed N             seed of the --fail-rate draws and the request ids (default 0)\n"
    "  --max-body BYTES     request body cap, then 413 (default 4194304)\n"
    "  -v, --verbose        one line per request on stderr\n"
    "  -h, --help           this help\n"
    "\n"
    "Usage counts use the tiktoken rank files o200k_base.tiktoken / cl100k_base.tiktoken in\n"
    "$APIMLITE_TIKTOKEN_DIR when it is set, else an approximation.\n";

static int bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, "apimlite mock: %s '%s'\n(see 'apimlite mock --help')\n", what, arg);
    return 2;
}

static int parse_i64(const char *s, int64_t max, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !(v >= 0 && v <= 1))
        return -1;
    *out = v;
    return 0;
}

/* Parses one option with a value at argv[*i]; returns 0, 1 (not such an option) or 2. */
static int parse_value_opt(int argc, char **argv, int *i, rt_mock_opts *o)
{
    static const char *const names[] = { "--listen",      "--tpm",          "--rpm",
                                         "--latency",     "--stream-delay", "--fail-rate",
                                         "--fail-status", "--seed",         "--max-body" };
    const char *name = argv[*i];
    size_t k = 0;
    while (k < sizeof names / sizeof names[0] && strcmp(name, names[k]))
        k++;
    if (k == sizeof names / sizeof names[0])
        return 1;
    if (*i + 1 >= argc)
        return bad_usage("missing value for", name);
    const char *v = argv[++*i];
    int64_t n = 0;
    int bad = 0;
    switch (k) {
    case 0:
        o->listen = v;
        break;
    case 1:
        bad = parse_i64(v, INT64_MAX / 2, &o->tpm);
        break;
    case 2:
        bad = parse_i64(v, INT64_MAX / 2, &o->rpm);
        break;
    case 3:
    case 4:
        bad = parse_i64(v, 3600000, &n);
        *(k == 3 ? &o->latency_ms : &o->stream_delay_ms) = (long)n;
        break;
    case 5:
        bad = parse_double(v, &o->fail_rate);
        break;
    case 6:
        bad = parse_i64(v, 599, &n) || n < 100;
        o->fail_status = (int)n;
        break;
    case 7:
        bad = parse_i64(v, INT64_MAX, &n);
        o->seed = (uint64_t)n;
        break;
    default:
        bad = parse_i64(v, (int64_t)1 << 30, &n) || n < 1;
        o->max_body = (size_t)n;
        break;
    }
    if (bad) {
        fprintf(stderr, "apimlite mock: invalid value '%s' for %s\n", v, name);
        return 2;
    }
    return 0;
}

/* Loads the rank files from $APIMLITE_TIKTOKEN_DIR into set; missing files are skipped. */
static void load_tokenizers(rt_tokens_set *set, rt_tokenizer **owned)
{
    const char *dir = getenv("APIMLITE_TIKTOKEN_DIR");
    if (!dir || !*dir)
        return;
    static const rt_tok_encoding encs[] = { RT_TOK_O200K, RT_TOK_CL100K };
    for (size_t i = 0; i < 2; i++) {
        char path[PATH_MAX], err[256];
        snprintf(path, sizeof path, "%s/%s.tiktoken", dir, rt_tokenizer_encoding_name(encs[i]));
        owned[i] = rt_tokenizer_load_file(encs[i], path, err, sizeof err);
        if (owned[i])
            set->enc[encs[i]] = owned[i];
        else
            fprintf(stderr, "apimlite mock: %s (usage counts estimated)\n", err);
    }
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    event_base_loopbreak(arg);
}

static int serve(const rt_mock_opts *o)
{
    struct event_base *base = event_base_new();
    if (!base) {
        fputs("apimlite mock: cannot create the event loop\n", stderr);
        return 2;
    }
    char err[256];
    rt_mock *m = rt_mock_new(base, o, err, sizeof err);
    if (!m) {
        fprintf(stderr, "apimlite mock: %s\n", err);
        event_base_free(base);
        return 2;
    }
    struct event *sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    struct event *sigint = evsignal_new(base, SIGINT, on_signal, base);
    evsignal_add(sigterm, NULL);
    evsignal_add(sigint, NULL);
    printf("listening on %s\n", rt_mock_address(m));
    fflush(stdout);
    int rc = event_base_dispatch(base) < 0 ? 2 : 0;
    event_free(sigterm);
    event_free(sigint);
    rt_mock_free(m);
    event_base_free(base);
    return rc;
}

int rt_cmd_mock(int argc, char **argv)
{
    rt_mock_opts o;
    rt_mock_opts_init(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(mock_usage, stdout);
            return 0;
        }
        if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o.verbose = 1;
            continue;
        }
        int r = parse_value_opt(argc, argv, &i, &o);
        if (r == 1)
            return bad_usage("unknown option", a);
        if (r)
            return r;
    }
    signal(SIGPIPE, SIG_IGN);
    rt_tokens_set set;
    memset(&set, 0, sizeof set);
    rt_tokenizer *owned[2] = { NULL, NULL };
    load_tokenizers(&set, owned);
    o.tokens = &set;
    int rc = serve(&o);
    rt_tokenizer_free(owned[0]);
    rt_tokenizer_free(owned[1]);
    libevent_global_shutdown();
    return rc;
}
