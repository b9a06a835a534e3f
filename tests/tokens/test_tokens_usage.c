/* Usage extraction (JSON bodies, SSE streams), model → encoding, API by path, and the
 * approximation used without rank files. Needs no data files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "runtime/tokens.h"

static void test_usage_json(void **state)
{
    (void)state;
    rt_tokens_usage u;
    const char *chat = "{\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":19,"
                       "\"completion_tokens\":10,\"total_tokens\":29,"
                       "\"completion_tokens_details\":{\"reasoning_tokens\":4}}}";
    assert_int_equal(rt_tokens_usage_from_body(chat, strlen(chat), &u), 0);
    assert_true(u.reported);
    assert_false(u.estimated);
    assert_int_equal(u.prompt, 19);
    assert_int_equal(u.completion, 10);
    assert_int_equal(u.total, 29);
    /* Responses API names. */
    const char *resp = "{\"object\":\"response\",\"usage\":{\"input_tokens\":36,"
                       "\"output_tokens\":87,\"total_tokens\":123}}";
    assert_int_equal(rt_tokens_usage_from_body(resp, strlen(resp), &u), 0);
    assert_int_equal(u.prompt, 36);
    assert_int_equal(u.completion, 87);
    assert_int_equal(u.total, 123);
    /* Embeddings: no completion; total given. */
    const char *emb = "{\"data\":[],\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}";
    assert_int_equal(rt_tokens_usage_from_body(emb, strlen(emb), &u), 0);
    assert_int_equal(u.completion, 0);
    assert_int_equal(u.total, 8);
    /* Missing total: prompt + completion. Missing prompt: total - completion. */
    const char *nototal = "{\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}}";
    assert_int_equal(rt_tokens_usage_from_body(nototal, strlen(nototal), &u), 0);
    assert_int_equal(u.total, 11);
    const char *noprompt = "{\"usage\":{\"completion_tokens\":6,\"total_tokens\":10}}";
    assert_int_equal(rt_tokens_usage_from_body(noprompt, strlen(noprompt), &u), 0);
    assert_int_equal(u.prompt, 4);
    /* Nested under "response" (response.completed event). */
    const char *nested = "{\"type\":\"response.completed\",\"response\":{\"usage\":"
                         "{\"input_tokens\":3,\"output_tokens\":4,\"total_tokens\":7}}}";
    assert_int_equal(rt_tokens_usage_from_body(nested, strlen(nested), &u), 0);
    assert_int_equal(u.total, 7);
    /* Absent, null, wrong types, not JSON, not an object. */
    static const char *const bad[] = {
        "{\"choices\":[]}",
        "{\"usage\":null}",
        "{\"usage\":{\"prompt_tokens\":\"5\"}}",
        "{\"usage\":{\"prompt_tokens\":-3}}",
        "not json",
        "[1,2]",
        "",
        "{\"usage\":{}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(rt_tokens_usage_from_body(bad[i], strlen(bad[i]), &u), -1);
        assert_false(u.reported);
        assert_int_equal(u.total, -1);
    }
}

static const char sse_with_usage[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}],"
    "\"usage\":null}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}],\"usage\":null}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo world\"}}],\"usage\":null}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2,"
    "\"total_tokens\":14}}\n\n"
    "data: [DONE]\n\n";

/* The usage chunk wins, however the stream is cut into pieces. */
static void test_sse_usage_chunk(void **state)
{
    (void)state;
    rt_tokens_usage u;
    assert_int_equal(
        rt_tokens_usage_from_sse(NULL, RT_TOK_O200K, sse_with_usage, strlen(sse_with_usage), &u),
        0);
    assert_true(u.reported);
    assert_int_equal(u.prompt, 12);
    assert_int_equal(u.completion, 2);
    assert_int_equal(u.total, 14);
    size_t len = strlen(sse_with_usage);
    for (size_t step = 1; step < 40; step += 3) {
        rt_tokens_stream *s = rt_tokens_stream_new(NULL, RT_TOK_O200K);
        for (size_t off = 0; off < len; off += step)
            rt_tokens_stream_feed(s, sse_with_usage + off, off + step < len ? step : len - off);
        assert_int_equal(rt_tokens_stream_finish(s, &u), 0);
        rt_tokens_stream_free(s);
        assert_true(u.reported);
        assert_int_equal(u.total, 14);
    }
    /* CRLF line ends, comments, event: fields, a data field split over two lines. */
    const char *crlf = ": keep-alive\r\nevent: message\r\n"
                       "data: {\"choices\":[],\r\ndata: \"usage\":{\"prompt_tokens\":1,"
                       "\"completion_tokens\":1,\"total_tokens\":2}}\r\n\r\ndata: [DONE]\r\n\r\n";
    assert_int_equal(rt_tokens_usage_from_sse(NULL, RT_TOK_O200K, crlf, strlen(crlf), &u), 0);
    assert_true(u.reported);
    assert_int_equal(u.total, 2);
    /* Responses API stream: usage inside response.completed; last event has no blank line. */
    const char *resp = "event: response.output_text.delta\n"
                       "data: {\"type\":\"response.output_text.delta\",\"output_index\":0,"
                       "\"delta\":\"Hi\"}\n\n"
                       "event: response.completed\n"
                       "data: {\"type\":\"response.completed\",\"response\":{\"usage\":"
                       "{\"input_tokens\":9,\"output_tokens\":1,\"total_tokens\":10}}}";
    assert_int_equal(rt_tokens_usage_from_sse(NULL, RT_TOK_O200K, resp, strlen(resp), &u), 0);
    assert_true(u.reported);
    assert_int_equal(u.prompt, 9);
    assert_int_equal(u.total, 10);
}

/* Without a usage chunk and without a tokenizer: the joined deltas are estimated. */
static void test_sse_counted_estimate(void **state)
{
    (void)state;
    const char *sse = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
                      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n"
                      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world\"}}]}\n\n"
                      "data: [DONE]\n\n";
    rt_tokens_usage u;
    assert_int_equal(rt_tokens_usage_from_sse(NULL, RT_TOK_O200K, sse, strlen(sse), &u), 0);
    assert_false(u.reported);
    assert_true(u.estimated);
    assert_int_equal(u.prompt, -1);
    assert_int_equal(u.total, -1);
    /* "Hello world": 11 ASCII bytes → 3, not 1 + 1 + 2 per chunk. */
    assert_int_equal(u.completion, 3);
    /* Two choices and a tool call are counted separately: "abcd" 1, "efgh" 1, "{}" + "f" 1. */
    const char *multi = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ab\"}},"
                        "{\"index\":1,\"delta\":{\"content\":\"ef\"}}]}\n\n"
                        "data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"gh\"}},"
                        "{\"index\":0,\"delta\":{\"content\":\"cd\"}}]}\n\n"
                        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                        "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}\n\n";
    assert_int_equal(rt_tokens_usage_from_sse(NULL, RT_TOK_O200K, multi, strlen(multi), &u), 0);
    assert_int_equal(u.completion, 3);
    /* Legacy completions stream (choices[].text). */
    const char *compl = "data: {\"choices\":[{\"index\":0,\"text\":\"12345678\"}]}\n\n";
    assert_int_equal(rt_tokens_usage_from_sse(NULL, RT_TOK_O200K, compl, strlen(compl ), &u), 0);
    assert_int_equal(u.completion, 2);
    /* Nothing usable: garbage, empty, only [DONE]. */
    static const char *const none[] = { "", "data: [DONE]\n\n", "garbage\n\n\n", "data: {\n\n",
                                        "data: {\"choices\":[{\"delta\":{}}]}\n\n" };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        assert_int_equal(rt_tokens_usage_from_sse(NULL, RT_TOK_O200K, none[i], strlen(none[i]), &u),
                         -1);
        assert_int_equal(u.completion, -1);
    }
}

/* A long streamed answer without a tokenizer stays bounded and sums like the one-shot estimate
 * of its ASCII text. */
static void test_sse_long_estimate(void **state)
{
    (void)state;
    rt_tokens_stream *s = rt_tokens_stream_new(NULL, RT_TOK_CL100K);
    const char *ev = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"abcdefg\"}}]}\n\n";
    for (int i = 0; i < 40000; i++)
        rt_tokens_stream_feed(s, ev, strlen(ev));
    rt_tokens_usage u;
    assert_int_equal(rt_tokens_stream_finish(s, &u), 0);
    rt_tokens_stream_free(s);
    assert_true(u.estimated);
    assert_int_equal(u.completion, 70000); /* 280000 bytes / 4 */
}

static void test_fallback_prompt(void **state)
{
    (void)state;
    json_t *body = json_loads("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\","
                              "\"content\":\"Hello world!\"}]}",
                              0, NULL);
    rt_tokens_count c;
    rt_tokens_set empty = { { NULL } };
    assert_int_equal(rt_tokens_prompt(&empty, RT_TOKENS_API_CHAT, body, NULL, &c), 0);
    assert_true(c.estimated);
    assert_int_equal(c.encoding, RT_TOK_O200K);
    /* 3 priming + 3 per message + "user" (1) + "Hello world!" (12 bytes: 3). */
    assert_int_equal(c.tokens, 10);
    json_decref(body);
    /* Images: 1200 each, also estimated. */
    body = json_loads("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                      "\"image_url\":{\"url\":\"x\"}},{\"type\":\"text\",\"text\":\"abcd\"}]}]}",
                      0, NULL);
    assert_int_equal(rt_tokens_prompt(NULL, RT_TOKENS_API_AUTO, body, NULL, &c), 0);
    assert_int_equal(c.images, 1);
    assert_int_equal(c.tokens, 3 + 3 + 1 + 1200 + 1);
    json_decref(body);
    /* Not an object / missing fields. */
    body = json_loads("[1]", 0, NULL);
    assert_int_equal(rt_tokens_prompt(NULL, RT_TOKENS_API_AUTO, body, NULL, &c), -1);
    json_decref(body);
    body = json_loads("{\"model\":\"gpt-4\"}", 0, NULL);
    assert_int_equal(rt_tokens_prompt(NULL, RT_TOKENS_API_AUTO, body, NULL, &c), -1);
    assert_int_equal(rt_tokens_prompt(NULL, RT_TOKENS_API_CHAT, body, NULL, &c), -1);
    assert_int_equal(c.tokens, 0);
    assert_int_equal(c.encoding, RT_TOK_CL100K);
    assert_int_equal(rt_tokens_prompt(NULL, RT_TOKENS_API_CHAT, NULL, NULL, &c), -1);
    json_decref(body);
    /* Odd shapes are skipped, not fatal. */
    body = json_loads("{\"messages\":[1,null,{\"role\":\"user\",\"content\":null,\"x\":{}}],"
                      "\"tools\":[1,{\"type\":\"function\"},{\"function\":{\"name\":5,"
                      "\"parameters\":{\"properties\":{\"a\":{\"enum\":[1,true,null]}}}}}]}",
                      0, NULL);
    assert_int_equal(rt_tokens_prompt(NULL, RT_TOKENS_API_CHAT, body, NULL, &c), 0);
    assert_true(c.tokens > 0);
    json_decref(body);
}

static void test_models_and_paths(void **state)
{
    (void)state;
    static const struct {
        const char *model;
        rt_tok_encoding enc;
    } cases[] = {
        { "gpt-4o", RT_TOK_O200K },
        { "gpt-4o-mini-2024-07-18", RT_TOK_O200K },
        { "GPT-4.1-nano", RT_TOK_O200K },
        { "gpt-5-chat", RT_TOK_O200K },
        { "o3-mini", RT_TOK_O200K },
        { "o1", RT_TOK_O200K },
        { "openai/gpt-4o", RT_TOK_O200K },
        { "gpt-oss-120b", RT_TOK_O200K },
        { "gpt-4", RT_TOK_CL100K },
        { "gpt-4-32k-0613", RT_TOK_CL100K },
        { "gpt-4-turbo", RT_TOK_CL100K },
        { "gpt-35-turbo-16k", RT_TOK_CL100K },
        { "gpt-3.5-turbo", RT_TOK_CL100K },
        { "text-embedding-ada-002", RT_TOK_CL100K },
        { "text-embedding-3-small", RT_TOK_CL100K },
        { "my-deployment", RT_TOK_AUTO },
        { "", RT_TOK_AUTO },
        { "llama-3", RT_TOK_AUTO },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(rt_tokens_encoding_for_model(cases[i].model, strlen(cases[i].model)),
                         cases[i].enc);
    assert_int_equal(rt_tokens_encoding_for_model(NULL, 0), RT_TOK_AUTO);
    static const struct {
        const char *path;
        rt_tokens_api api;
    } paths[] = {
        { "/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21", RT_TOKENS_API_CHAT },
        { "/v1/completions", RT_TOKENS_API_COMPLETIONS },
        { "/openai/deployments/emb/embeddings/", RT_TOKENS_API_EMBEDDINGS },
        { "/openai/v1/responses", RT_TOKENS_API_RESPONSES },
        { "/v1/models", RT_TOKENS_API_AUTO },
        { "/xcompletions", RT_TOKENS_API_AUTO },
        { "", RT_TOKENS_API_AUTO },
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        assert_int_equal(rt_tokens_api_from_path(paths[i].path, strlen(paths[i].path)),
                         paths[i].api);
    /* The deployment hint wins over the body's model when it is known. */
    json_t *body = json_loads("{\"model\":\"gpt-4o\",\"input\":\"abcd\"}", 0, NULL);
    rt_tokens_count c;
    assert_int_equal(rt_tokens_prompt(NULL, RT_TOKENS_API_EMBEDDINGS, body, "gpt-35-turbo", &c), 0);
    assert_int_equal(c.encoding, RT_TOK_CL100K);
    assert_int_equal(c.tokens, 1);
    assert_int_equal(rt_tokens_prompt(NULL, RT_TOKENS_API_EMBEDDINGS, body, "prod-chat", &c), 0);
    assert_int_equal(c.encoding, RT_TOK_O200K);
    json_decref(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_json),           cmocka_unit_test(test_sse_usage_chunk),
        cmocka_unit_test(test_sse_counted_estimate), cmocka_unit_test(test_sse_long_estimate),
        cmocka_unit_test(test_fallback_prompt),      cmocka_unit_test(test_models_and_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
