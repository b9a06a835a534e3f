#ifndef RUNTIME_BASE_XALLOC_H
#define RUNTIME_BASE_XALLOC_H

#include <stddef.h>

/* Allocation that never fails: on out-of-memory they print a message and abort (Redis, h2o).
 * Use them for long-lived objects; per-request data belongs in an arena. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
