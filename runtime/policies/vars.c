/* Context variables: set-variable. */
#include "families.h"

#include <stddef.h>

/* <set-variable name="n" value="literal or expression"/> */
static const pol_attr set_variable_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "value", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};

const pol_spec rt_policies_vars[] = {
    { .name = "set-variable",
      .sections = POL_SEC_ANY,
      .attrs = set_variable_attrs,
      .content = POL_C_EMPTY },
    { 0 },
};
