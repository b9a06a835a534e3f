/* apimlite test [--trace] [PATH ...] (DESIGN.md §4): runs every *.test.yaml under the paths
 * (default .), prints ok/FAIL per test and ends with "N passed, N failed". */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../policy/policy.h"
#include "cmd.h"
#include "policies/registry.h"
#include "testfile.h"

static const char test_usage[] =
    "usage: apimlite test [--trace] [PATH ...]\n"
    "\n"
    "Runs the policy tests of every *.test.yaml file under the paths (default: the current\n"
    "directory), offline: scripted backends, virtual clock. Prints one ok/FAIL line per test,\n"
    "what differed for failures, and a last line 'N passed, N failed'.\n"
    "\n"
    "  --trace     print each policy executed (file:line, decision, virtual time)\n"
    "  -h, --help  this help\n"
    "\n"
    "Exit status: 0 all passed, 1 failures, 2 usage or I/O errors.\n";

typedef struct file_list {
    char **v;
    size_t n, cap;
} file_list;

static void add_file(file_list *l, const char *path)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        char **nv = realloc(l->v, l->cap * sizeof *nv);
        if (!nv)
            abort();
        l->v = nv;
    }
    l->v[l->n++] = strdup(path);
}

static bool is_test_file(const char *name)
{
    size_t n = strlen(name);
    return n > 10 && !strcmp(name + n - 10, ".test.yaml");
}

static void walk(file_list *l, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d || depth > 32) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue; /* ., .., hidden directories (.git) */
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (strncmp(e->d_name, "build", 5))
                walk(l, path, depth + 1);
        } else if (is_test_file(e->d_name)) {
            add_file(l, path);
        }
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int rt_cmd_test(int argc, char **argv)
{
    bool trace = false;
    file_list files = { 0 };
    int io = 0, first = argc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(test_usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--trace")) {
            trace = true;
        } else if (!strcmp(argv[i], "--")) {
            first = i + 1;
            break;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "apimlite test: unknown option '%s'\n\n%s", argv[i], test_usage);
            return 2;
        } else {
            first = i;
            break;
        }
    }
    if (rt_policy_registry_check() < 0)
        return 2;
    if (first >= argc)
        walk(&files, ".", 0);
    for (int i = first; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0) {
            fprintf(stderr, "apimlite test: cannot read '%s'\n", argv[i]);
            io++;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            size_t before = files.n;
            walk(&files, argv[i], 0);
            qsort(files.v + before, files.n - before, sizeof *files.v, cmp_str);
        } else {
            add_file(&files, argv[i]);
        }
    }
    if (first >= argc)
        qsort(files.v, files.n, sizeof *files.v, cmp_str);
    int passed = 0, failed = 0;
    for (size_t i = 0; i < files.n; i++) {
        rt_testfile_run(files.v[i], trace, stdout, &passed, &failed);
        free(files.v[i]);
    }
    free(files.v);
    printf("%d passed, %d failed\n", passed, failed);
    fflush(stdout);
    pol_shutdown();
    if (io)
        return 2;
    return failed ? 1 : 0;
}
