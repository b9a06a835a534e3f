/* Unit tests for runtime/base: arena, buf, str, diag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/base/arena.h"
#include "runtime/base/buf.h"
#include "runtime/base/civil.h"
#include "runtime/base/diag.h"
#include "runtime/base/str.h"

static int cleanup_order[4];
static int cleanup_n;

static void record(void *arg)
{
    cleanup_order[cleanup_n++] = (int)(intptr_t)arg;
}

static void test_arena_alloc_zeroed_aligned(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    for (size_t n = 1; n < 20000; n = n * 3 + 1) {
        unsigned char *p = arena_alloc(&a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xAB, n);
    }
    arena_release(&a);
}

static void test_arena_cap(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 1024);
    assert_non_null(arena_alloc(&a, 1000));
    assert_null(arena_alloc(&a, 100)); /* over the cap */
    assert_non_null(arena_alloc(&a, 16));
    arena_release(&a);
    assert_non_null(arena_alloc(&a, 1000)); /* reusable after release */
    arena_release(&a);
}

static void test_arena_defer_lifo(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    cleanup_n = 0;
    arena_defer(&a, record, (void *)1);
    arena_defer(&a, record, (void *)2);
    arena_defer(&a, record, (void *)3);
    arena_release(&a);
    assert_int_equal(cleanup_n, 3);
    assert_int_equal(cleanup_order[0], 3);
    assert_int_equal(cleanup_order[2], 1);
}

static void test_arena_strings(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    char *s = arena_sprintf(&a, "%s-%d", "x", 42);
    assert_string_equal(s, "x-42");
    str t = arena_str(&a, STR_LIT("hello"));
    assert_true(str_eq_cstr(t, "hello"));
    assert_int_equal(t.ptr[5], '\0');
    char *r = arena_realloc(&a, s, 5, 64);
    assert_string_equal(r, "x-42");
    arena_release(&a);
}

/* Chunks come back from the thread's cache after a release: still zeroed memory, and the
 * same arena can be filled, released and filled again many times. */
static void test_arena_reuse_zeroed(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    for (int round = 0; round < 50; round++) {
        for (size_t n = 1; n < 6000; n = n * 2 + 3) {
            unsigned char *p = arena_alloc(&a, n);
            assert_non_null(p);
            for (size_t i = 0; i < n; i++)
                assert_int_equal(p[i], 0);
            memset(p, 0xCD, n);
        }
        char *s = arena_strndup(&a, "abcdef", 3);
        assert_string_equal(s, "abc");
        arena_release(&a);
    }
    /* two arenas alive at once share nothing */
    arena b;
    arena_init(&b, 0);
    unsigned char *x = arena_alloc(&a, 100), *y = arena_alloc(&b, 100);
    memset(x, 1, 100);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(y[i], 0);
    arena_release(&a);
    arena_release(&b);
}

/* arena_realloc keeps the old bytes and zeroes the rest, also on reused chunks */
static void test_arena_realloc_tail(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    for (int round = 0; round < 3; round++) {
        unsigned char *p = arena_alloc(&a, 32);
        memset(p, 0xEE, 32);
        unsigned char *q = arena_realloc(&a, p, 32, 200);
        for (size_t i = 0; i < 200; i++)
            assert_int_equal(q[i], i < 32 ? 0xEE : 0);
        memset(q, 0x77, 200);
        arena_release(&a);
    }
}

/* the inline append path: NUL-terminated, grows past the allocation, honours the cap */
static void test_buf_append_paths(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
    assert_int_equal(b.len, 1000);
    assert_int_equal(b.ptr[1000], '\0');
    assert_int_equal(b.ptr[27], 'b');
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.ptr, "");
    assert_int_equal(buf_append(&b, "xyz", 3), 0);
    assert_string_equal(b.ptr, "xyz");
    buf_release(&b);
    buf_init(&b, 10);
    assert_int_equal(buf_append(&b, "0123456789", 10), 0);
    assert_int_equal(buf_append(&b, "", 0), 0);
    assert_int_equal(buf_putc(&b, 'x'), -1); /* inside the allocation, over the cap */
    assert_string_equal(b.ptr, "0123456789");
    buf_release(&b);
}

static void test_buf_cap(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_puts(&b, "1234"), 0);
    assert_int_equal(buf_printf(&b, "%d", 5678), 0);
    assert_int_equal(buf_putc(&b, 'x'), -1); /* would exceed 8 */
    assert_int_equal(b.len, 8);
    assert_string_equal(b.ptr, "12345678");
    buf_release(&b);
}

static void test_str(void **state)
{
    (void)state;
    assert_true(str_ieq(STR_LIT("Content-Type"), STR_LIT("content-type")));
    assert_false(str_ieq(STR_LIT("a"), STR_LIT("ab")));
    assert_true(str_ieq(STR_LIT("X-Api-KEY_1"), STR_LIT("x-api-key_1")));
    /* only letters fold: these pairs differ by 0x20 too */
    assert_false(str_ieq(STR_LIT("@"), STR_LIT("`")));
    assert_false(str_ieq(STR_LIT("["), STR_LIT("{")));
    assert_false(str_ieq(STR_LIT("-"), STR_LIT("\r")));
    assert_false(str_ieq(STR_LIT("\xC0"), STR_LIT("\xE0")));
    assert_false(str_ieq(STR_LIT("a"), STR_LIT("b")));
    /* past the first 8 bytes (compared a word at a time) */
    assert_true(str_ieq(STR_LIT("Content-Type"), STR_LIT("Content-Type")));
    assert_true(
        str_ieq(STR_LIT("Ocp-Apim-Subscription-Key"), STR_LIT("ocp-apim-SUBSCRIPTION-key")));
    assert_false(str_ieq(STR_LIT("Content-Typf"), STR_LIT("content-type")));
    assert_false(str_ieq(STR_LIT("abcdefgh@"), STR_LIT("ABCDEFGH`")));
    assert_false(str_ieq(STR_LIT("abcdefg@ijklmnop"), STR_LIT("abcdefg`ijklmnop")));
    assert_false(str_ieq(STR_LIT("abcdefghijklmnoX"), STR_LIT("abcdefghijklmnoY")));
    assert_int_equal(str_find(STR_LIT("hello world"), STR_LIT("world")), 6);
    assert_int_equal(str_find(STR_LIT("hello"), STR_LIT("xyz")), -1);
    assert_true(str_eq_cstr(str_trim(STR_LIT("  a b \n")), "a b"));
    assert_true(str_starts_with(STR_LIT("@(x)"), STR_LIT("@(")));
    assert_true(str_ends_with(STR_LIT("file.xml"), STR_LIT(".xml")));
    assert_true(str_cmp(STR_LIT("a"), STR_LIT("ab")) < 0);
}

/* str_json_plain_len (8 bytes at a time) against a byte loop: every special byte at every
 * offset and alignment, plus random buffers. */
static size_t plain_len_ref(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (unsigned char)p[i] >= 0x20 && (unsigned char)p[i] < 0x7F && p[i] != '"' &&
           p[i] != '\\')
        i++;
    return i;
}

static void test_str_json_plain_len(void **state)
{
    (void)state;
    static const unsigned char special[] = { 0x00, 0x01, 0x1F, '"', '\\', 0x7F, 0x80, 0xC3, 0xFF };
    char tmp[40];
    for (size_t len = 0; len <= 33; len++) {
        for (size_t at = 0; at <= len; at++) {
            for (size_t k = 0; k < sizeof special; k++) {
                for (size_t i = 0; i < len; i++) {
                    char c = (char)(' ' + (i * 7) % 95); /* printable */
                    tmp[i + 1] = c == '"' || c == '\\' ? 'x' : c;
                }
                if (at < len)
                    tmp[at + 1] = (char)special[k];
                str s = str_make(tmp + 1, len); /* unaligned */
                assert_int_equal(str_json_plain_len(s), plain_len_ref(s.ptr, s.len));
            }
        }
    }
    uint64_t seed = 12345;
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(round % 37);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned v = (unsigned)(seed >> 56);
            tmp[i] = (char)(v < 200 ? 0x20 + v % 0x5F : v); /* mostly printable */
        }
        assert_int_equal(str_json_plain_len(str_make(tmp, len)), plain_len_ref(tmp, len));
    }
}

static void test_diag_positions(void **state)
{
    (void)state;
    const char *text = "line one\r\n  line two\nthree";
    diag_pos p;
    diag_pos_in_text("f.xml", text, strlen(text), 12, &p);
    assert_int_equal(p.line, 2);
    assert_int_equal(p.col, 3);
    assert_int_equal(p.line_text.len, 10);
    diag_pos_in_text("f.xml", text, strlen(text), 0, &p);
    assert_int_equal(p.line, 1);
    assert_int_equal(p.line_text.len, 8); /* without \r */
}

static void test_diag_print(void **state)
{
    (void)state;
    diag_list d;
    diag_list_init(&d);
    const char *text = "<a>\n  <b x=\"1\"/>\n</a>";
    diag_text t = { "doc.xml", text, strlen(text) };
    diag_mapper m = { diag_text_map, &t };
    diag_at(&d, &m, 9, DIAG_ERROR, "unknown attribute '%s'", "x");
    diag_add(&d, DIAG_WARNING, NULL, "no position");
    for (int i = 0; i < 60; i++)
        diag_add(&d, DIAG_ERROR, NULL, "e%d", i);
    assert_int_equal(d.errors, 61);
    assert_int_equal(d.warnings, 1);
    assert_int_equal(d.n, DIAG_MAX);
    char out[8192] = { 0 };
    FILE *f = fmemopen(out, sizeof out - 1, "w");
    diag_print(&d, f);
    fclose(f);
    assert_non_null(strstr(out, "doc.xml:2:6: error: unknown attribute 'x'\n    "
                                "  <b x=\"1\"/>\n         ^\n"));
    assert_non_null(strstr(out, "... and 12 more diagnostics"));
    diag_list_release(&d);
}

static void test_civil(void **state)
{
    (void)state;
    assert_int_equal(civil_days_from(1970, 1, 1), 0);
    assert_int_equal(civil_days_from(2026, 1, 1), 20454);
    assert_int_equal(civil_days_from(2024, 3, 1) - civil_days_from(2024, 2, 1), 29);
    assert_int_equal(civil_days_from(1969, 12, 31), -1);
    assert_int_equal(civil_days_from(1, 1, 1), -719162);
    int64_t y;
    int m, d;
    for (int64_t z = -800000; z < 800000; z += 997) {
        civil_from_days(z, &y, &m, &d);
        assert_int_equal(civil_days_from(y, m, d), z);
    }
    civil_from_days(20454 + 58, &y, &m, &d); /* 2026-02-28 */
    assert_int_equal(y, 2026);
    assert_int_equal(m, 2);
    assert_int_equal(d, 28);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alloc_zeroed_aligned),
        cmocka_unit_test(test_arena_cap),
        cmocka_unit_test(test_arena_defer_lifo),
        cmocka_unit_test(test_arena_strings),
        cmocka_unit_test(test_arena_reuse_zeroed),
        cmocka_unit_test(test_arena_realloc_tail),
        cmocka_unit_test(test_buf_append_paths),
        cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_str),
        cmocka_unit_test(test_str_json_plain_len),
        cmocka_unit_test(test_diag_positions),
        cmocka_unit_test(test_diag_print),
        cmocka_unit_test(test_civil),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
