#include "cfg_test_util.h"

#include <stdio.h>
#include <string.h>

int cfg_load(rt_config *c, diag_list *d, const char *yaml)
{
    return rt_config_load_text(c, "t/gw.yaml", yaml, strlen(yaml), d);
}

int cfg_find_diag(const diag_list *d, diag_sev sev, unsigned line, unsigned col, const char *needle)
{
    for (size_t i = 0; i < d->n; i++) {
        const diag *g = &d->items[i];
        if (g->sev == sev && g->line == line && g->col == col && strstr(g->msg, needle))
            return (int)i;
    }
    cfg_dump(d);
    fprintf(stderr, "wanted %s at %u:%u containing '%s'\n", sev == DIAG_ERROR ? "error" : "warning",
            line, col, needle);
    return -1;
}

void cfg_dump(const diag_list *d)
{
    diag_print(d, stderr);
}

bool cfg_no_diag_contains(const diag_list *d, const char *needle)
{
    for (size_t i = 0; i < d->n; i++) {
        if (strstr(d->items[i].msg, needle))
            return false;
    }
    return true;
}
