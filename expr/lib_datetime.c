/* STUB created by the skeleton; the owning helper replaces it. */
#include "lib.h"

const xv_class expr_class_datetime = { .name = "DateTime" };
const xv_class expr_class_timespan = { .name = "TimeSpan" };
const xv_class expr_class_guid = { .name = "Guid" };

static const xv_class *const classes[] = {
    &expr_class_datetime,
    &expr_class_timespan,
    &expr_class_guid,
    NULL,
};
const xv_lib expr_lib_datetime = { "datetime", classes };
