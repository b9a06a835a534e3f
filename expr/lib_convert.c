/* STUB created by the skeleton; the owning helper replaces it. */
#include "lib.h"

const xv_class expr_class_int = { .name = "Int32" };
const xv_class expr_class_long = { .name = "Int64" };
const xv_class expr_class_double = { .name = "Double" };
const xv_class expr_class_decimal = { .name = "Decimal" };
const xv_class expr_class_float = { .name = "Single" };
const xv_class expr_class_bool = { .name = "Boolean" };
const xv_class expr_class_byte = { .name = "Byte" };
const xv_class expr_class_bytes = { .name = "Byte[]" };

static const xv_class *const classes[] = {
    &expr_class_int,
    &expr_class_long,
    &expr_class_double,
    &expr_class_decimal,
    &expr_class_float,
    &expr_class_bool,
    &expr_class_byte,
    &expr_class_bytes,
    NULL,
};
const xv_lib expr_lib_convert = { "convert", classes };
