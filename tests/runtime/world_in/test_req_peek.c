/* rt_req_peek (the request path's JSON scanner) answers what jansson's tree answers: whether the
 * bytes are JSON, top-level stream and model, and rt_tokens_usage_from_json's usage; on a
 * table of edge cases and on random mutations of them (truncations, byte changes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/req.h"

static const char *const docs[] = {
    "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
    "{\"id\":\"x\",\"model\":\"gpt-4o-2024\",\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":"
    "9,"
    "\"total_tokens\":21}}",
    "{\"usage\":{\"input_tokens\":5,\"output_tokens\":7}}",
    "{\"usage\":{\"prompt_tokens\":-1,\"input_tokens\":5,\"total_tokens\":9}}",
    "{\"usage\":{\"prompt_tokens\":1.0,\"input_tokens\":5,\"total_tokens\":9}}",
    "{\"usage\":{\"prompt_tokens\":3,\"total_tokens\":9}}",
    "{\"usage\":{\"completion_tokens\":3,\"total_tokens\":9}}",
    "{\"usage\":{\"prompt_tokens\":3}}",
    "{\"usage\":{}}",
    "{\"usage\":null,\"response\":{\"usage\":{\"input_tokens\":2,\"output_tokens\":3}}}",
    "{\"response\":{\"usage\":{\"input_tokens\":2,\"output_tokens\":3}}}",
    "{\"usage\":{\"prompt_tokens\":3},\"response\":{\"usage\":{\"input_tokens\":2}}}",
    "{\"usage\":{\"prompt_tokens\":3},\"usage\":{\"prompt_tokens\":4}}",
    "{\"stream\":true,\"stream\":false}",
    "{\"stream\":\"true\"}",
    "{\"stream\":1}",
    "{\"model\":7}",
    "{\"model\":\"caf\\u00e9 \\ud83d\\ude00\"}",
    "{\"model\":\"a\\\"b\\\\c\\/d\\n\"}",
    "{\"mo\\u0064el\":\"m\"}",
    "{\"x\":\"\\u0000\"}",
    "{\"x\":\"\\ud83d\"}",
    "{\"x\":\"\\ude00\"}",
    "{\"x\":\"\\ud83d\\u0041\"}",
    "{\"x\":\"\\uZZZZ\"}",
    "{\"x\":\"\\q\"}",
    "{\"x\":\"caf\xc3\xa9\"}",
    "{\"x\":\"caf\xe9\"}",
    "{\"x\":\"\xed\xa0\x80\"}",
    "{\"x\":\"tab\there\"}",
    "{\"x\":12345678901234567890123}",
    "{\"x\":1e999}",
    "{\"x\":-1.5e-7,\"y\":0.25,\"z\":-0,\"w\":1E+2}",
    "{\"x\":01}",
    "{\"x\":1.}",
    "{\"x\":.5}",
    "{\"x\":-}",
    "{\"x\":tru}",
    "{\"x\":nul}",
    "{\"x\":[1,2,[3,{\"a\":null}]],\"y\":{}}",
    "{\"x\":[1,2,]}",
    "{\"x\":1,}",
    "{,}",
    "[]",
    "[{\"usage\":{\"total_tokens\":1}}]",
    "\"string\"",
    "42",
    "null",
    "  {\"model\":\"m\"}  \n",
    "{\"model\":\"m\"} x",
    "{\"model\":\"m\"}{}",
    "\xef\xbb\xbf{}",
    "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]"
    "]]]]]"
    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},\"model\":\"deep\"}",
    "{\"usage\":{\"prompt_tokens\":10,\"prompt_tokens\":11}}",
    "{\"usage\":{\"total_tokens\":999999999999999999}}",
    "{\"usage\":{\"total_tokens\":9999999999999999999}}",
    "{\"usage\":{\"total_tokens\":1e2}}",
    "{\"usage\":{\"nested\":{\"total_tokens\":5},\"total_tokens\":6}}",
    "{\"x\":{\"usage\":{\"total_tokens\":5}},\"model\":{\"model\":\"no\"}}",
    "{\"x\":\"\x01\"}",
    /* strings long enough for the scanner's 8-byte steps, special bytes at every offset */
    "{\"model\":\"abcdefghijklmnopqrstuvwxyz0123456789\",\"x\":\"0123456789abcdef\\\"ghij\"}",
    "{\"x\":\"abcdefghij\x01klmnopqrstuv\",\"model\":\"m\"}",
    "{\"x\":\"abcdefghi\xc3\xa9jklmnopqrstuvwxyz\",\"model\":\"m\"}",
    "{\"x\":\"abcdefghijklmno\xe9pqrstuvwxyz012\"}",
    "{\"model\":\"\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\",\"stream\":true}",
    "{\"x\":\"        \x1f       \"}",
    "{\"x\":\"                \"}",
    "{\"model\":\"12345678\"}",
    "{\"model\":\"1234567\"}",
    "{\"x\":\"abcdefghijklmnopqrstuvwxyz",
    "{\"x\":\"abcdefgh\\u00e9ijklmnop\\\\qrstuvwx\\/yz\",\"model\":\"abcdefghijklmnop\\n\"}",
    "{\"x\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\",\"model\":"
    "\"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\"}",
    "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1767225600,\"model\":"
    "\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
    "\"content\":"
    "\"I am fine, thank you for asking. How can I help you today?\"},\"finish_reason\":\"stop\","
    "\"logprobs\":null}],\"usage\":{\"prompt_tokens\":14,\"completion_tokens\":15,\"total_tokens\":"
    "29},\"system_fingerprint\":\"fp_bench\"}",
    "",
    "   ",
};

#define NDOCS (sizeof docs / sizeof docs[0])

/* Compares the peek of bytes with jansson's answers. */
static void check(rt_world *w, const char *p, size_t n)
{
    rt_req *r = rt_req_alloc(w, NULL);
    char *copy = arena_alloc(&r->arena, n + 1);
    memcpy(copy, p, n);
    str bytes = str_make(copy, n);
    rt_body_peek got = rt_req_peek(r, bytes);
    const rt_body_peek *pk = &got;
    json_t *j = n ? json_loadb(p, n, 0, NULL) : NULL;
    rt_tokens_usage u;
    bool has = rt_tokens_usage_from_json(j, &u) == 0;
    const json_t *m = json_object_get(j, "model");
    bool ok =
        pk->json == (j != NULL) && pk->stream == json_is_true(json_object_get(j, "stream")) &&
        (pk->model.ptr != NULL) == json_is_string(m) &&
        (!json_is_string(m) || (pk->model.len == json_string_length(m) &&
                                !memcmp(pk->model.ptr, json_string_value(m), pk->model.len))) &&
        pk->has_usage == has &&
        (!has || (pk->usage.prompt == u.prompt && pk->usage.completion == u.completion &&
                  pk->usage.total == u.total));
    if (!ok)
        fail_msg("peek differs from jansson on %zu bytes: %.*s (json %d/%d, stream %d, usage %d/%d "
                 "%lld/%lld)",
                 n, (int)n, p, pk->json, j != NULL, pk->stream, pk->has_usage, has,
                 (long long)pk->usage.total, (long long)u.total);
    /* asked again: the same answer, remembered */
    rt_body_peek again = rt_req_peek(r, bytes);
    assert_int_equal(again.json, pk->json);
    assert_ptr_equal(again.model.ptr, pk->model.ptr);
    assert_int_equal(again.usage.total, pk->usage.total);
    json_decref(j);
    rt_req_free(r);
}

static void test_table(void **state)
{
    (void)state;
    rt_world w = { 0 };
    for (size_t i = 0; i < NDOCS; i++)
        check(&w, docs[i], strlen(docs[i]));
}

static void test_mutations(void **state)
{
    (void)state;
    rt_world w = { 0 };
    static const char alphabet[] = "{}[]\",:\\u0123456789.eE+-tfnl \x80\xc3\xa9\x01\x1f\x7f";
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    char doc[512];
    for (size_t i = 0; i < NDOCS; i++) {
        size_t n = strlen(docs[i]);
        if (n >= sizeof doc)
            continue;
        for (int k = 0; k < 400; k++) {
            memcpy(doc, docs[i], n);
            size_t len = n;
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t pos = n ? (size_t)(seed >> 33) % n : 0;
            switch ((seed >> 20) % 3) {
            case 0: /* truncate */
                len = pos;
                break;
            case 1: /* change a byte */
                if (n)
                    doc[pos] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
                break;
            default: /* drop a byte */
                if (n) {
                    memmove(doc + pos, doc + pos + 1, n - pos - 1);
                    len = n - 1;
                }
            }
            check(&w, doc, len);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
