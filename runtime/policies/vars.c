/* Context variables: set-variable. */
#include "families.h"

#include <stddef.h>

#include "common.h"

/* <set-variable name="n" value="literal or expression"/> */
static const pol_attr set_variable_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "value", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};

typedef struct set_variable_conf {
    str name;
    pol_val value;
} set_variable_conf;

static int set_variable_parse(pol_cc *cc, const pol_node *el, void *out)
{
    (void)cc;
    set_variable_conf *c = out;
    c->name = pol_cc_lit(el, "name", "");
    pol_cc_attr(el, "value", &c->value);
    if (!c->value.ex) /* a literal is stored as written (no trimming) */
        c->value.lit = c->value.src ? c->value.src->text : c->value.lit;
    return 0;
}

/* Literal values are stored as strings; expressions keep any value type (JObject too). */
static pol_status set_variable_exec(rt_req *r, const void *conf)
{
    const set_variable_conf *c = conf;
    xv v;
    if (rt_val_xv(r, &c->value, &v) < 0)
        return POL_FAIL;
    if (xv_dict_set_in(&r->arena, r->ctx->variables, c->name, v) < 0)
        return rt_fail(r, NULL, "OutOfMemory", "request memory limit reached");
    if (rt_tracing(r)) {
        str s = STR_LIT("null");
        if (v.kind != XV_NULL && xv_to_string(&r->env, v, &s) < 0)
            s = STR_LIT("?");
        rt_trace(r, "%.*s = %.*s (%s)", STR_FMT(c->name), (int)(s.len > 200 ? 200 : s.len), s.ptr,
                 xv_type_name(v));
    }
    return POL_NEXT;
}

const pol_spec rt_policies_vars[] = {
    { .name = "set-variable",
      .sections = POL_SEC_ANY,
      .attrs = set_variable_attrs,
      .content = POL_C_EMPTY,
      .conf_size = sizeof(set_variable_conf),
      .parse = set_variable_parse,
      .exec = set_variable_exec },
    { 0 },
};
