/* Fuzz target: policy XML -> named values (none defined) -> raw-XML pre-pass -> libxml2 -> AST
 * -> validation against the registry -> expression compilation. Must never crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>

#include "../../policy/policy.h"
#include "../../runtime/exprlibs.h"
#include "../../runtime/policies/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool libs_ready;
    if (!libs_ready) {
        rt_expr_libs_init();
        libs_ready = true;
    }
    arena a;
    arena_init(&a, 0);
    diag_list d;
    diag_list_init(&d);
    pol_env env = { .find = rt_policy_find, .each = rt_policy_each };
    pol_doc_load(&a, "fuzz.xml", (const char *)data, size, &env, &d);
    diag_list_release(&d);
    arena_release(&a);
    return 0;
}
