/* STUB created by the skeleton; the owning helper replaces it. */
#include "lib.h"

const xv_class expr_class_jtoken = { .name = "JToken" };
const xv_class expr_class_jobject = { .name = "JObject" };
const xv_class expr_class_jarray = { .name = "JArray" };
const xv_class expr_class_jvalue = { .name = "JValue" };
const xv_class expr_class_jproperty = { .name = "JProperty" };

static const xv_class *const classes[] = {
    &expr_class_jtoken,
    &expr_class_jobject,
    &expr_class_jarray,
    &expr_class_jvalue,
    &expr_class_jproperty,
    NULL,
};
const xv_lib expr_lib_json = { "json", classes };
