/* The process-wide tokenizers (tokens.h: rt_tokens_default). Loaded once, on first use, so
 * that runs which count no tokens never pay for reading the rank files. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/xalloc.h"
#include "tokens.h"

static rt_tokens_set default_set;
static const char *configured[RT_TOK_NENC];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Where the rank file of enc is: the configured path, else $APIMLITE_TIKTOKEN_DIR, else the
 * cache .ci/deps fills (${APIMLITE_CACHE:-$HOME/.cache/apimlite}/gpt-tokenizer-4.0.0). */
static int rank_path(rt_tok_encoding enc, char *out, size_t n)
{
    const char *name = rt_tokenizer_encoding_name(enc);
    if (configured[enc])
        return snprintf(out, n, "%s", configured[enc]) < (int)n ? 0 : -1;
    const char *dir = getenv("APIMLITE_TIKTOKEN_DIR");
    if (dir && *dir)
        return snprintf(out, n, "%s/%s.tiktoken", dir, name) < (int)n ? 0 : -1;
    const char *cache = getenv("APIMLITE_CACHE");
    const char *home = getenv("HOME");
    if (cache && *cache)
        return snprintf(out, n, "%s/gpt-tokenizer-4.0.0/package/data/%s.tiktoken", cache, name) <
                       (int)n
                   ? 0
                   : -1;
    if (home && *home)
        return snprintf(out, n, "%s/.cache/apimlite/gpt-tokenizer-4.0.0/package/data/%s.tiktoken",
                        home, name) < (int)n
                   ? 0
                   : -1;
    return -1;
}

static void load_all(void)
{
    static const rt_tok_encoding encs[] = { RT_TOK_O200K, RT_TOK_CL100K };
    for (size_t i = 0; i < sizeof encs / sizeof encs[0]; i++) {
        char path[PATH_MAX], err[256];
        if (rank_path(encs[i], path, sizeof path) < 0)
            continue;
        default_set.enc[encs[i]] = rt_tokenizer_load_file(encs[i], path, err, sizeof err);
        /* a configured file that does not load is worth a word; a missing default is not */
        if (!default_set.enc[encs[i]] && configured[encs[i]])
            fprintf(stderr, "apimlite: tokenizer: %s (token counts are estimated)\n", err);
    }
}

void rt_tokens_default_paths(const char *o200k, const char *cl100k)
{
    /* copies: the configuration that names them may be released before the first use */
    if (o200k && !configured[RT_TOK_O200K])
        configured[RT_TOK_O200K] = xstrdup(o200k);
    if (cl100k && !configured[RT_TOK_CL100K])
        configured[RT_TOK_CL100K] = xstrdup(cl100k);
}

const rt_tokens_set *rt_tokens_default(void)
{
    pthread_once(&once, load_all);
    return &default_set;
}
