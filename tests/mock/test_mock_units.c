/* Units of the mock that the loopback script cannot reach quickly: the rolling 60 s windows of
 * --rpm / --tpm (expiry, Retry-After arithmetic) and the route table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/mock_impl.h"

#define T0 ((int64_t)5000000) /* any monotonic origin */

static mock_window *window_new(void)
{
    return calloc(1, sizeof(mock_window));
}

static void test_window_rolls(void **state)
{
    (void)state;
    mock_window *w = window_new();
    mock_window_add(w, T0, 1);
    mock_window_add(w, T0 + 30000, 1);
    assert_int_equal(w->sum, 2);
    /* limit 2, one more: the first charge leaves the window 60 s after its slot started */
    assert_int_equal(mock_window_retry_ms(w, T0 + 40000, 1, 2), 20000);
    mock_window_advance(w, T0 + 59999);
    assert_int_equal(w->sum, 2);
    mock_window_advance(w, T0 + 60000);
    assert_int_equal(w->sum, 1);
    mock_window_advance(w, T0 + 90000);
    assert_int_equal(w->sum, 0);
    /* a jump longer than the window clears everything */
    mock_window_add(w, T0 + 100000, 7);
    mock_window_advance(w, T0 + 500000);
    assert_int_equal(w->sum, 0);
    free(w);
}

static void test_window_retry_tokens(void **state)
{
    (void)state;
    mock_window *w = window_new();
    mock_window_add(w, T0, 40);
    mock_window_add(w, T0 + 10000, 40);
    /* limit 100, 30 more: 10 must leave, so the first slot (40) is enough */
    assert_int_equal(mock_window_retry_ms(w, T0 + 20000, 30, 100), 40000);
    /* 70 more: 50 must leave, so both slots */
    assert_int_equal(mock_window_retry_ms(w, T0 + 20000, 70, 100), 50000);
    /* more than the whole limit never fits: a full window */
    assert_int_equal(mock_window_retry_ms(w, T0 + 20000, 101, 100), 60000);
    /* the answer is at least 1 ms */
    assert_true(mock_window_retry_ms(w, T0 + 59999, 30, 100) >= 1);
    free(w);
}

static void test_routes(void **state)
{
    (void)state;
    mock_route r;
    assert_int_equal(mock_route_parse("/openai/deployments/gpt-4o/chat/completions", &r), 0);
    assert_int_equal(r.api, MOCK_API_CHAT);
    assert_true(r.azure);
    assert_string_equal(r.deployment, "gpt-4o");
    assert_int_equal(mock_route_parse("/openai/deployments/d/embeddings", &r), 0);
    assert_int_equal(r.api, MOCK_API_EMBEDDINGS);
    assert_int_equal(mock_route_parse("/v1/completions", &r), 0);
    assert_int_equal(r.api, MOCK_API_COMPLETIONS);
    assert_false(r.azure);
    assert_int_equal(mock_route_parse("/openai/v1/responses", &r), 0);
    assert_int_equal(r.api, MOCK_API_RESPONSES);
    assert_int_equal(mock_route_parse("/openai/responses", &r), 0);
    assert_int_equal(mock_route_parse("/openai/deployments//chat/completions", &r), -1);
    assert_int_equal(mock_route_parse("/openai/deployments/a\"b/chat/completions", &r), -1);
    assert_int_equal(mock_route_parse("/openai/deployments/d", &r), -1);
    assert_int_equal(mock_route_parse("/v1/chat/completions/", &r), -1);
    assert_int_equal(mock_route_parse("/v2/chat/completions", &r), -1);
    char longname[300];
    memset(longname, 'a', sizeof longname);
    memcpy(longname, "/openai/deployments/", 20);
    strcpy(longname + 280, "/chat/completions");
    assert_int_equal(mock_route_parse(longname, &r), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_rolls),
        cmocka_unit_test(test_window_retry_tokens),
        cmocka_unit_test(test_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
