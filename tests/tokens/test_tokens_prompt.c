/* Prompt estimates and streamed completion counts with the real tokenizers, against values
 * computed with gpt-tokenizer@4.0.0 by tests/tokens/gen_expected.js (data/expected.json).
 * usage: test_tokens_prompt <tests/tokens/data dir>; exits 77 when the rank files are absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "runtime/tokens.h"
#include "tests/tokens/tokdata.h"

static rt_tokens_set set;
static json_t *expected;

static rt_tokens_api api_of(const char *s)
{
    if (strcmp(s, "chat") == 0)
        return RT_TOKENS_API_CHAT;
    if (strcmp(s, "completions") == 0)
        return RT_TOKENS_API_COMPLETIONS;
    if (strcmp(s, "embeddings") == 0)
        return RT_TOKENS_API_EMBEDDINGS;
    return RT_TOKENS_API_RESPONSES;
}

static void test_prompts(void **state)
{
    (void)state;
    size_t i;
    json_t *x;
    json_t *arr = json_object_get(expected, "prompt");
    assert_true(json_array_size(arr) >= 15);
    json_array_foreach(arr, i, x)
    {
        const char *api = json_string_value(json_object_get(x, "api"));
        json_t *body = json_object_get(x, "body");
        rt_tokens_count c;
        assert_int_equal(rt_tokens_prompt(&set, api_of(api), body, NULL, &c), 0);
        int64_t want = json_integer_value(json_object_get(x, "expected"));
        if (c.tokens != want)
            fprintf(stderr, "prompt %zu (%s, %s): got %lld want %lld\n", i, api,
                    json_string_value(json_object_get(body, "model")), (long long)c.tokens,
                    (long long)want);
        assert_int_equal(c.tokens, want);
        assert_false(c.estimated);
        assert_int_equal(c.encoding, rt_tokenizer_encoding_from_name(
                                         json_string_value(json_object_get(x, "enc"))));
        /* Shape detection agrees, except a bare string `input` (embeddings by default). */
        rt_tokens_count a;
        bool bare = json_is_string(json_object_get(body, "input")) &&
                    !json_object_get(body, "instructions");
        if (strcmp(api, "responses") != 0 || !bare) {
            assert_int_equal(rt_tokens_prompt(&set, RT_TOKENS_API_AUTO, body, NULL, &a), 0);
            assert_int_equal(a.tokens, c.tokens);
        }
    }
    /* The cookbook's own example: 129 (gpt-3.5-turbo) and 124 (gpt-4o) prompt tokens. */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "expected")), 124);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 1), "expected")), 129);
    /* Without the cl100k tokenizer a cl100k model is estimated (and flagged). */
    rt_tokens_set half = set;
    half.enc[RT_TOK_CL100K] = NULL;
    rt_tokens_count c;
    assert_int_equal(rt_tokens_prompt(&half, RT_TOKENS_API_CHAT,
                                      json_object_get(json_array_get(arr, 1), "body"), NULL, &c),
                     0);
    assert_true(c.estimated);
    assert_true(c.tokens > 60 && c.tokens < 200);
}

/* Appends formatted text to a growing heap string. */
static void put(char **out, size_t *o, size_t *cap, const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b);
    if (*o + n + 1 > *cap) {
        *cap = (*o + n + 1) * 2;
        *out = realloc(*out, *cap);
        assert_non_null(*out);
    }
    memcpy(*out + *o, a, strlen(a));
    memcpy(*out + *o + strlen(a), b, strlen(b) + 1);
    *o += n;
}

/* Builds an SSE stream of chat chunks from text cut into deltas at code point boundaries. */
static char *make_sse(const char *text, size_t seed, bool usage)
{
    size_t len = strlen(text);
    size_t cap = 0, o = 0;
    char *out = NULL;
    for (size_t i = 0; i < len;) {
        size_t step = 1 + (seed * 31 + i * 17) % 7;
        size_t j = i + step < len ? i + step : len;
        while (j < len && ((unsigned char)text[j] & 0xc0) == 0x80)
            j++;
        json_t *chunk = json_pack("{s:[{s:i,s:{s:s%}}],s:n}", "choices", "index", 0, "delta",
                                  "content", text + i, j - i, "usage");
        char *js = json_dumps(chunk, JSON_COMPACT);
        put(&out, &o, &cap, "data: ", js);
        put(&out, &o, &cap, "\n\n", "");
        free(js);
        json_decref(chunk);
        i = j;
    }
    if (usage)
        put(&out, &o, &cap,
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,"
            "\"completion_tokens\":1000,\"total_tokens\":1007}}\n\n",
            "");
    put(&out, &o, &cap, "data: [DONE]\n\n", "");
    return out;
}

static void test_streamed(void **state)
{
    (void)state;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(expected, "streamed"), i, x)
    {
        const char *text = json_string_value(json_object_get(x, "text"));
        rt_tok_encoding e =
            rt_tokenizer_encoding_from_name(json_string_value(json_object_get(x, "enc")));
        for (size_t seed = 0; seed < 5; seed++) {
            char *sse = make_sse(text, seed, false);
            rt_tokens_usage u;
            assert_int_equal(rt_tokens_usage_from_sse(&set, e, sse, strlen(sse), &u), 0);
            assert_false(u.reported);
            assert_false(u.estimated);
            assert_int_equal(u.completion, json_integer_value(json_object_get(x, "count")));
            free(sse);
            sse = make_sse(text, seed, true);
            assert_int_equal(rt_tokens_usage_from_sse(&set, e, sse, strlen(sse), &u), 0);
            assert_true(u.reported);
            assert_int_equal(u.completion, 1000);
            assert_int_equal(u.total, 1007);
            free(sse);
        }
    }
}

/* A long answer (about 400 KB, several incremental flushes) counts like the one-shot count. */
static void test_streamed_long(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "The quick brown fox jumps over the lazy dog. ",
        "int main(void) { return printf(\"%d\\n\", 42); }\n",
        "敏捷的棕色狐狸跳过了懒狗。",
        "    indented line with trailing spaces   \n\n",
        "Don't stop; it's 2026-01-01T00:00:00Z already!\n",
    };
    size_t cap = 500000, n = 0;
    char *text = malloc(cap);
    for (size_t i = 0; n + 100 < cap - 100000; i++) {
        const char *l = lines[(i * 7) % 5];
        memcpy(text + n, l, strlen(l));
        n += strlen(l);
    }
    text[n] = 0;
    char *sse = make_sse(text, 3, false);
    rt_tokens_stream *s = rt_tokens_stream_new(&set, RT_TOK_O200K);
    size_t sl = strlen(sse);
    for (size_t off = 0; off < sl; off += 4096)
        rt_tokens_stream_feed(s, sse + off, off + 4096 < sl ? 4096 : sl - off);
    rt_tokens_usage u;
    assert_int_equal(rt_tokens_stream_finish(s, &u), 0);
    rt_tokens_stream_free(s);
    size_t want = rt_tokenizer_count(set.enc[RT_TOK_O200K], text, n, 0, NULL);
    assert_int_equal(u.completion, want);
    free(sse);
    free(text);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s <tests/tokens/data>\n", argv[0]);
        return 2;
    }
    if (!tokdata_present()) {
        printf("SKIP: gpt-tokenizer data not found in %s\n", tokdata_dir());
        return 77;
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/expected.json", argv[1]);
    expected = json_load_file(path, 0, NULL);
    if (!expected) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    rt_tokenizer *cl = tokdata_load(RT_TOK_CL100K);
    rt_tokenizer *o = tokdata_load(RT_TOK_O200K);
    set.enc[RT_TOK_CL100K] = cl;
    set.enc[RT_TOK_O200K] = o;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prompts),
        cmocka_unit_test(test_streamed),
        cmocka_unit_test(test_streamed_long),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rt_tokenizer_free(cl);
    rt_tokenizer_free(o);
    json_decref(expected);
    return rc;
}
