/* STUB created by the skeleton; the owning helper replaces it. */
#include "lib.h"

const xv_class expr_class_list = { .name = "List" };
const xv_class expr_class_dict = { .name = "Dictionary" };

static const xv_class *const classes[] = {
    &expr_class_list,
    &expr_class_dict,
    NULL,
};
const xv_lib expr_lib_linq = { "linq", classes };
