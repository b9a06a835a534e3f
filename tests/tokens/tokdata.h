#ifndef TESTS_TOKENS_TOKDATA_H
#define TESTS_TOKENS_TOKDATA_H

/* Where the tests find gpt-tokenizer@4.0.0's data/ directory (rank files, TestPlans.txt):
 * $APIMLITE_TIKTOKEN_DIR, else ${APIMLITE_CACHE:-$HOME/.cache/apimlite}/gpt-tokenizer-4.0.0/
 * package/data, which .ci/deps fills. Tests that need it exit 77 (meson: skipped) when it is
 * absent. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/tokenizer.h"

static inline const char *tokdata_dir(void)
{
    static char dir[1024];
    const char *env = getenv("APIMLITE_TIKTOKEN_DIR");
    const char *cache = getenv("APIMLITE_CACHE");
    if (env && *env)
        snprintf(dir, sizeof dir, "%s", env);
    else if (cache && *cache)
        snprintf(dir, sizeof dir, "%s/gpt-tokenizer-4.0.0/package/data", cache);
    else
        snprintf(dir, sizeof dir, "%s/.cache/apimlite/gpt-tokenizer-4.0.0/package/data",
                 getenv("HOME") ? getenv("HOME") : "/nonexistent");
    return dir;
}

/* Path of a file in the data directory (static buffer, one per call site is enough). */
static inline const char *tokdata_path(const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", tokdata_dir(), name);
    return out;
}

static inline int tokdata_present(void)
{
    char p1[1200], p2[1200], p3[1200];
    return access(tokdata_path("o200k_base.tiktoken", p1, sizeof p1), R_OK) == 0 &&
           access(tokdata_path("cl100k_base.tiktoken", p2, sizeof p2), R_OK) == 0 &&
           access(tokdata_path("TestPlans.txt", p3, sizeof p3), R_OK) == 0;
}

/* Loads one encoding from the data directory; aborts the test program on failure. */
static inline rt_tokenizer *tokdata_load(rt_tok_encoding enc)
{
    char path[1200], name[64], err[512];
    snprintf(name, sizeof name, "%s.tiktoken", rt_tokenizer_encoding_name(enc));
    rt_tokenizer *t =
        rt_tokenizer_load_file(enc, tokdata_path(name, path, sizeof path), err, sizeof err);
    if (!t) {
        fprintf(stderr, "cannot load %s: %s\n", name, err);
        exit(1);
    }
    return t;
}

#endif
