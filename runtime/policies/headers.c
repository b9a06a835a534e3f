/* Header and query-parameter policies: set-header, set-query-parameter. */
#include "families.h"

#include <stddef.h>

static const char *const exists_actions[] = { "override", "skip", "append", "delete", NULL };

/* <set-header name="n" exists-action="override|skip|append|delete"><value>v</value>*</set-header>
 */
static const pol_attr set_header_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "exists-action", POL_T_ENUM, POL_EXPR, "override", exists_actions },
    { 0 },
};

/* One <value> per header value; empty text is an empty value. */
static const pol_child value_children[] = {
    { .name = "value", .content = POL_C_TEXT, .text_flags = POL_EXPR },
    { 0 },
};

/* <set-query-parameter name="n" exists-action="..."><value>v</value>*</set-query-parameter> */
static const pol_attr set_query_parameter_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "exists-action", POL_T_ENUM, POL_EXPR, "override", exists_actions },
    { 0 },
};

const pol_spec rt_policies_headers[] = {
    { .name = "set-header",
      .sections = POL_SEC_ANY,
      .attrs = set_header_attrs,
      .content = POL_C_CHILDREN,
      .children = value_children },
    { .name = "set-query-parameter",
      .sections = POL_SEC_INBOUND | POL_SEC_BACKEND,
      .attrs = set_query_parameter_attrs,
      .content = POL_C_CHILDREN,
      .children = value_children },
    { 0 },
};
