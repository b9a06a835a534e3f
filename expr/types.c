/* STUB created by the skeleton; the owning helper replaces it. */
#include "lib.h"

const xv_class expr_class_object = { .name = "Object" };
const xv_class expr_class_lambda = { .name = "Lambda" };
const xv_class expr_class_exception = { .name = "Exception" };

static const xv_class *const classes[] = {
    &expr_class_object,
    &expr_class_lambda,
    &expr_class_exception,
    NULL,
};
const xv_lib expr_lib_core = { "core", classes };
