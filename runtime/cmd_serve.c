/* apimlite serve [GATEWAY.yaml] [--listen ADDR]: the gateway (server.h). */
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "policies/registry.h"
#include "server.h"

#define SERVE_DEFAULT_CONFIG "samples/rate-limits-failover/gateway.yaml"

static const char serve_usage[] =
    "usage: apimlite serve [GATEWAY.yaml] [--listen HOST:PORT] [--metrics-listen HOST:PORT]\n"
    "                     [--drain MS] [--client-timeout S] [--max-body BYTES]\n"
    "                     [--max-headers BYTES]\n"
    "\n"
    "Runs the gateway described by GATEWAY.yaml (default: " SERVE_DEFAULT_CONFIG ").\n"
    "Prints 'listening on HOST:PORT' on stdout once bound (and 'metrics on HOST:PORT' when\n"
    "metrics.listen is set). SIGTERM/SIGINT stop accepting, let in-flight requests finish,\n"
    "flush the request log and the counter state, and exit 0. SIGHUP reloads GATEWAY.yaml:\n"
    "new requests use the new configuration, requests in flight finish on the old one; a\n"
    "configuration with errors is refused (errors on stderr) and the old one goes on serving.\n"
    "listen, workers, tls, counters, state, logs.path, metrics.listen, loggers and tokenizer\n"
    "keep their startup values until a restart.\n"
    "\n"
    "  --listen ADDR  override the configuration's listen: (port 0 = any free port)\n"
    "  --metrics-listen ADDR  override metrics.listen (serves /metrics there)\n"
    "  --drain MS     how long in-flight requests may run at shutdown (default 10000)\n"
    "  --client-timeout S  cut client connections idle, reading or writing for S seconds\n"
    "                 (default 120; a client sending its request slower than that is cut)\n"
    "  --max-body BYTES     request body limit: larger bodies get 413 (default 16777216)\n"
    "  --max-headers BYTES  request line + header limit: larger get 431 (default 65536)\n"
    "  -h, --help     this help\n";

int rt_cmd_serve(int argc, char **argv)
{
    rt_server_opts o = { .config = NULL };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(serve_usage, stdout);
            return 0;
        } else if (!strcmp(a, "--listen") && i + 1 < argc) {
            o.listen = argv[++i];
        } else if (!strcmp(a, "--metrics-listen") && i + 1 < argc) {
            o.metrics_listen = argv[++i];
        } else if ((!strcmp(a, "--drain") || !strcmp(a, "--client-timeout") ||
                    !strcmp(a, "--max-body") || !strcmp(a, "--max-headers")) &&
                   i + 1 < argc) {
            char *end;
            errno = 0;
            long long v = strtoll(argv[++i], &end, 10);
            bool positive = strcmp(a, "--drain") != 0;
            long long max = !strcmp(a, "--client-timeout") ? 86400 : (long long)1 << 40;
            if (!*argv[i] || *end || errno || v < (positive ? 1 : 0) || v > max) {
                fprintf(stderr, "apimlite serve: invalid value '%s' for %s\n", argv[i], a);
                return 2;
            }
            if (!strcmp(a, "--drain"))
                o.drain_ms = v;
            else if (!strcmp(a, "--client-timeout"))
                o.client_timeout_s = (int)v;
            else if (!strcmp(a, "--max-body"))
                o.max_body = (size_t)v;
            else
                o.max_headers = (size_t)v;
        } else if (a[0] != '-' && !o.config) {
            o.config = a;
        } else {
            fprintf(stderr, "apimlite serve: unexpected argument '%s'\n\n%s", a, serve_usage);
            return 2;
        }
    }
    if (!o.config)
        o.config = SERVE_DEFAULT_CONFIG;
    if (rt_policy_registry_check() < 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("apimlite serve: cannot initialize libcurl\n", stderr);
        return 2;
    }
    int rc = rt_server_run(&o, stdout);
    curl_global_cleanup();
    return rc;
}
