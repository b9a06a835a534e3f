/* STUB created by the skeleton; the owning helper replaces it. */
#include "lib.h"


static const xv_class *const classes[] = {
    NULL,
};
const xv_lib expr_lib_math = { "math", classes };
