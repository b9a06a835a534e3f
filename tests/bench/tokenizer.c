/* Benchmark: tokens/s and MB/s of rt_tokenizer_count on generated mixed English / code / CJK
 * text (no network). Reports figures, asserts nothing.
 * usage: bench_tokenizer [DATA_DIR] [MB]   (DATA_DIR: gpt-tokenizer's data/, default as tests) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/tokenizer.h"
#include "tests/tokens/tokdata.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Deterministic text: English prose, C/JSON code, CJK and Cyrillic lines, mixed whitespace. */
static char *generate(size_t want, size_t *len)
{
    static const char *const words[] = {
        "the",        "gateway",      "policy",      "request", "token",  "limit",
        "counter",    "backend",      "response",    "window",  "minute", "quota",
        "estimate",   "prompt",       "stream",      "usage",   "Azure",  "OpenAI",
        "Management", "subscription", "don't",       "it's",    "we'll",  "2026",
        "3.14159",    "HTTP/1.1",     "x-ms-region", "é",       "naïve",  "café",
    };
    static const char *const code[] = {
        "int main(int argc, char **argv)\n{\n    return argc > 1 ? atoi(argv[1]) : 0;\n}\n",
        "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}\n",
        "    for (size_t i = 0; i < n; i++) {\n        sum += v[i] * w[i];\n    }\n",
        "def tokenize(text: str) -> list[int]:\n    return enc.encode(text)  # fast\n",
    };
    static const char *const cjk[] = {
        "日本語のテキストをトークン化します。東京は晴れです。\n",
        "敏捷的棕色狐狸跳过了懒狗，网关正在计算令牌数量。\n",
        "한국어 문장도 토큰으로 나뉩니다. 안녕하세요!\n",
        "Быстрая коричневая лиса перепрыгивает через ленивую собаку.\n",
    };
    char *s = malloc(want + 512);
    size_t n = 0;
    uint32_t x = 2463534242u;
    while (n < want) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        const char *piece;
        char tmp[64];
        unsigned k = x % 100;
        if (k < 70) {
            snprintf(tmp, sizeof tmp, "%s%s", words[(x >> 8) % 30],
                     (x >> 20) % 12 == 0 ? ".\n" : " ");
            piece = tmp;
        } else if (k < 85) {
            piece = code[(x >> 8) % 4];
        } else {
            piece = cjk[(x >> 8) % 4];
        }
        size_t pl = strlen(piece);
        if (n + pl > want + 500)
            break;
        memcpy(s + n, piece, pl);
        n += pl;
    }
    *len = n;
    return s;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        setenv("APIMLITE_TIKTOKEN_DIR", argv[1], 1);
    double mb = argc > 2 ? atof(argv[2]) : 4.0;
    if (!tokdata_present()) {
        fprintf(stderr, "bench: no rank files in %s\n", tokdata_dir());
        return 77;
    }
    size_t len;
    char *text = generate((size_t)(mb * 1048576.0), &len);
    for (int e = RT_TOK_CL100K; e < RT_TOK_NENC; e++) {
        double t0 = now_s();
        rt_tokenizer *t = tokdata_load((rt_tok_encoding)e);
        double load = now_s() - t0;
        double best = 1e9;
        size_t n = 0;
        for (int run = 0; run < 3; run++) {
            t0 = now_s();
            n = rt_tokenizer_count(t, text, len, 0, NULL);
            double dt = now_s() - t0;
            if (dt < best)
                best = dt;
        }
        printf("%-11s load %.3f s | %.2f MB -> %zu tokens in %.3f s: %.2f MB/s, %.2f M tokens/s "
               "(best of 3)\n",
               rt_tokenizer_encoding_name((rt_tok_encoding)e), load, (double)len / 1048576.0, n,
               best, (double)len / 1048576.0 / best, (double)n / 1e6 / best);
        rt_tokenizer_free(t);
    }
    free(text);
    return 0;
}
