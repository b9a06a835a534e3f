/* A minimal TAP producer for the curl suite (meson `protocol : 'tap'`). */
#ifndef TESTS_CURL_TAP_H
#define TESTS_CURL_TAP_H

#include <stdio.h>

static int tap_n, tap_failed, tap_case_failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("#   %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);                    \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            tap_case_failed = 1;                                                                   \
        }                                                                                          \
    } while (0)

static inline void tap_run(const char *name, void (*fn)(void))
{
    tap_case_failed = 0;
    fn();
    tap_n++;
    if (tap_case_failed)
        tap_failed++;
    printf("%s %d - %s\n", tap_case_failed ? "not ok" : "ok", tap_n, name);
    fflush(stdout);
}

static inline int tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
