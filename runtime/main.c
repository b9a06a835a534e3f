/* apimlite: run Azure API Management policy XML outside Azure. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "exprlibs.h"

static const char usage[] =
    "usage: apimlite <command> [options]\n"
    "\n"
    "commands:\n"
    "  check  [--config GATEWAY.yaml] [POLICY.xml ...]   validate policy documents\n"
    "  eval   [--context CTX.json] EXPRESSION            evaluate one @(...) / @{...}\n"
    "  test   [--trace] [PATH ...]                       run *.test.yaml offline\n"
    "  run    --policy P.xml --request R.json [--trace]  one request offline\n"
    "  serve  [GATEWAY.yaml]                             the gateway (default: samples/)\n"
    "  mock   [--listen ADDR] [--tpm N] [--rpm N] ...    a mock Azure OpenAI backend\n"
    "  usage  [--by subscription,model,ip] [LOG.jsonl]   token usage / charge-back report\n"
    "\n"
    "Run 'apimlite <command> --help' for a command's options.\n";

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
    { "check", rt_cmd_check }, { "eval", rt_cmd_eval }, { "test", rt_cmd_test },
    { "run", rt_cmd_run },     { "mock", rt_cmd_mock }, { "usage", rt_cmd_usage },
    { "serve", rt_cmd_serve },
};

int main(int argc, char **argv)
{
    if (rt_expr_libs_init() < 0) {
        fputs("apimlite: cannot register the expression libraries\n", stderr);
        return 2;
    }
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("apimlite %s\n", APIMLITE_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (!strcmp(cmd, commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "apimlite: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
