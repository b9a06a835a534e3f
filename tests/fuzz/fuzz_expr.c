/* libFuzzer target: compile the input as an expression ("@(" is prepended unless it starts
 * with '@') and evaluate it against the empty context under the step budget. */
#include <stdlib.h>
#include <string.h>

#include "runtime/ctx.h"
#include "runtime/exprlibs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool libs_ready;
    if (!libs_ready) {
        rt_expr_libs_init();
        libs_ready = true;
    }
    bool wrap = size == 0 || data[0] != '@';
    char *src = malloc(size + 3);
    if (!src)
        return 0;
    size_t n = 0;
    if (wrap) {
        memcpy(src, "@(", 2);
        n = 2;
    }
    memcpy(src + n, data, size);
    n += size;
    if (wrap)
        src[n++] = ')';
    arena a, ra;
    arena_init(&a, 0);
    arena_init(&ra, ARENA_REQUEST_CAP);
    diag_list d;
    diag_list_init(&d);
    char err[128];
    const expr *e = expr_compile(&a, src, n, NULL, &d);
    rt_ctx *c = e ? rt_ctx_from_json(&ra, NULL, err, sizeof err) : NULL;
    if (c) {
        expr_env env;
        xv v;
        rt_ctx_env(c, &env, &ra);
        if (expr_eval(&env, e, &v) == 0)
            json_decref(expr_eval_json(&env, v));
    }
    diag_list_release(&d);
    arena_release(&ra);
    arena_release(&a);
    free(src);
    return 0;
}
