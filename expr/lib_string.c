/* STUB created by the skeleton; the owning helper replaces it. */
#include "lib.h"

const xv_class expr_class_string = { .name = "String" };
const xv_class expr_class_char = { .name = "Char" };

static const xv_class *const classes[] = {
    &expr_class_string,
    &expr_class_char,
    NULL,
};
const xv_lib expr_lib_string = { "string", classes };
