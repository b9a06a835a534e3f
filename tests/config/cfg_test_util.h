/* Helpers shared by the config tests. */
#ifndef TESTS_CONFIG_CFG_TEST_UTIL_H
#define TESTS_CONFIG_CFG_TEST_UTIL_H

#include <stdbool.h>

#include "runtime/base/diag.h"
#include "runtime/config.h"

/* Loads yaml text as "t/gw.yaml"; returns rt_config_load_text's result; d gets diagnostics. */
int cfg_load(rt_config *c, diag_list *d, const char *yaml);
/* Index of the first diagnostic of sev at line:col whose message contains needle, or -1. */
int cfg_find_diag(const diag_list *d, diag_sev sev, unsigned line, unsigned col,
                  const char *needle);
/* Prints every diagnostic (for failing tests). */
void cfg_dump(const diag_list *d);
/* True when no diagnostic message contains needle (secrets never printed). */
bool cfg_no_diag_contains(const diag_list *d, const char *needle);

#endif
