/* System.Text.RegularExpressions over PCRE2 (UTF + UCP mode): Regex (statics and instances),
 * Match, Group, Capture, GroupCollection, RegexOptions. Matches are lists of Match.
 * .NET and PCRE2 share the syntax policies use ((?<name>...), \k<name>, lookarounds, inline
 * options); balancing groups and class subtraction are rejected as pattern errors.
 * Indexes and lengths are in UTF-16 code units, as in .NET. A match limit turns catastrophic
 * backtracking into RegexMatchTimeoutException. Patterns are compiled per call and freed with
 * the evaluation arena. Matching helpers are in lib_regex_ops.c. */
#include <string.h>

#include "lib_regex.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- RegexOptions (each constant's value is also in host_id, as lib.h asks) ---- */

#define RX_CONST(fn, val)                                                                          \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = (xv){ .kind = XV_ENUM };                                                            \
        out->u.en.type = &expr_class_regexoptions;                                                 \
        out->u.en.v = (val);                                                                       \
        return 0;                                                                                  \
    }

RX_CONST(ro_compiled, RX_COMPILED)
RX_CONST(ro_culture, RX_CULTUREINVARIANT)
RX_CONST(ro_ecma, RX_ECMASCRIPT)
RX_CONST(ro_explicit, RX_EXPLICITCAPTURE)
RX_CONST(ro_ignorecase, RX_IGNORECASE)
RX_CONST(ro_ignorews, RX_IGNOREPATTERNWHITESPACE)
RX_CONST(ro_multiline, RX_MULTILINE)
RX_CONST(ro_none, 0)
RX_CONST(ro_nonbacktracking, RX_NONBACKTRACKING)
RX_CONST(ro_rtl, RX_RIGHTTOLEFT)
RX_CONST(ro_singleline, RX_SINGLELINE)

static const xv_member ro_consts[] = {
    { "Compiled", ro_compiled, &expr_class_regexoptions, RX_COMPILED, NULL },
    { "CultureInvariant", ro_culture, &expr_class_regexoptions, RX_CULTUREINVARIANT, NULL },
    { "ECMAScript", ro_ecma, &expr_class_regexoptions, RX_ECMASCRIPT, NULL },
    { "ExplicitCapture", ro_explicit, &expr_class_regexoptions, RX_EXPLICITCAPTURE, NULL },
    { "IgnoreCase", ro_ignorecase, &expr_class_regexoptions, RX_IGNORECASE, NULL },
    { "IgnorePatternWhitespace", ro_ignorews, &expr_class_regexoptions, RX_IGNOREPATTERNWHITESPACE,
      NULL },
    { "Multiline", ro_multiline, &expr_class_regexoptions, RX_MULTILINE, NULL },
    { "NonBacktracking", ro_nonbacktracking, &expr_class_regexoptions, RX_NONBACKTRACKING, NULL },
    { "None", ro_none, &expr_class_regexoptions, 0, NULL },
    { "RightToLeft", ro_rtl, &expr_class_regexoptions, RX_RIGHTTOLEFT, NULL },
    { "Singleline", ro_singleline, &expr_class_regexoptions, RX_SINGLELINE, NULL },
};

static const char *const ro_aliases[] = { "System.Text.RegularExpressions.RegexOptions", NULL };

const xv_class expr_class_regexoptions = {
    .name = "RegexOptions",
    .aliases = ro_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = ro_consts,
    .nsmembers = COUNT(ro_consts),
};

/* ---- argument helpers ---- */

static int arg_input(xv_call *c, size_t i, const char *param, str *out)
{
    xv v = c->args[i];
    if (v.kind == XV_NULL)
        return expr_throw(c->env, "ArgumentNullException", "Value cannot be null. (Parameter '%s')",
                          param);
    if (v.kind != XV_STR)
        return expr_throw(c->env, "ArgumentException",
                          "Regex: argument %zu: expected string, got %s", i + 1, xv_type_name(v));
    *out = v.u.s;
    return 0;
}

static int arg_options(xv_call *c, size_t i, int64_t *out)
{
    *out = 0;
    if (i >= c->nargs)
        return 0;
    xv v = c->args[i];
    if (v.kind == XV_ENUM || v.kind == XV_INT) {
        *out = v.kind == XV_ENUM ? v.u.en.v : v.u.i;
        return 0;
    }
    return expr_throw(c->env, "ArgumentException",
                      "Regex: argument %zu: expected RegexOptions, got %s", i + 1, xv_type_name(v));
}

static int arg_int(xv_call *c, size_t i, int64_t def, int64_t *out)
{
    *out = def;
    if (i >= c->nargs)
        return 0;
    if (c->args[i].kind != XV_INT)
        return expr_throw(c->env, "ArgumentException", "Regex: argument %zu: expected int, got %s",
                          i + 1, xv_type_name(c->args[i]));
    *out = c->args[i].u.i;
    return 0;
}

static const rx *self_rx(xv_call *c)
{
    if (c->self.kind != XV_OBJ || c->self.u.obj.cls != &expr_class_regex) {
        expr_throw(c->env, "NullReferenceException",
                   "Object reference not set to an instance of an object.");
        return NULL;
    }
    return c->self.u.obj.ptr;
}

/* Compiles args[pi] with the options at args[oi] (if present). */
static const rx *static_rx(xv_call *c, size_t pi, size_t oi)
{
    str pattern;
    int64_t opts;
    if (arg_input(c, pi, "pattern", &pattern) < 0 || arg_options(c, oi, &opts) < 0)
        return NULL;
    return rx_compile(c->env, pattern, opts);
}

/* Byte offset of UTF-16 index startat (args[i]) in input; -1 after a throw. */
static int arg_start(xv_call *c, size_t i, str input, size_t *out)
{
    int64_t at;
    *out = 0;
    if (arg_int(c, i, 0, &at) < 0)
        return -1;
    if (at < 0 || at > (int64_t)rx_u16_len(input, input.len))
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Specified argument was out of the range of valid values. "
                          "(Parameter 'startat')");
    *out = rx_u16_to_byte(input, (size_t)at);
    return 0;
}

/* ---- Regex ---- */

static int regex_ctor(xv_call *c, xv *out)
{
    const rx *re = static_rx(c, 0, 1);
    if (!re)
        return -1;
    *out = xv_obj(&expr_class_regex, (void *)re);
    return 0;
}

static int do_is_match(xv_call *c, const rx *re, str input, size_t start, xv *out)
{
    rx_match *m;
    if (rx_exec(c->env, re, input, start, &m) < 0)
        return -1;
    *out = xv_bool(m->success);
    return 0;
}

static int do_match(xv_call *c, const rx *re, str input, size_t start, xv *out)
{
    rx_match *m;
    if (rx_exec(c->env, re, input, start, &m) < 0)
        return -1;
    return rx_match_value(c->env, m, out);
}

static int s_is_match(xv_call *c, xv *out)
{
    str input;
    const rx *re;
    if (arg_input(c, 0, "input", &input) < 0 || !(re = static_rx(c, 1, 2)))
        return -1;
    return do_is_match(c, re, input, 0, out);
}

static int s_match(xv_call *c, xv *out)
{
    str input;
    const rx *re;
    if (arg_input(c, 0, "input", &input) < 0 || !(re = static_rx(c, 1, 2)))
        return -1;
    return do_match(c, re, input, 0, out);
}

static int s_matches(xv_call *c, xv *out)
{
    str input;
    const rx *re;
    if (arg_input(c, 0, "input", &input) < 0 || !(re = static_rx(c, 1, 2)))
        return -1;
    return rx_matches(c->env, re, input, 0, out);
}

static int s_replace(xv_call *c, xv *out)
{
    str input;
    const rx *re;
    if (arg_input(c, 0, "input", &input) < 0 || !(re = static_rx(c, 1, 3)))
        return -1;
    return rx_replace(c->env, re, input, c->args[2], -1, 0, out);
}

static int s_split(xv_call *c, xv *out)
{
    str input;
    const rx *re;
    if (arg_input(c, 0, "input", &input) < 0 || !(re = static_rx(c, 1, 2)))
        return -1;
    return rx_split(c->env, re, input, 0, out);
}

static int s_escape(xv_call *c, xv *out)
{
    str input;
    if (arg_input(c, 0, "str", &input) < 0)
        return -1;
    return rx_escape(c->env, input, out);
}

static int s_unescape(xv_call *c, xv *out)
{
    str input;
    if (arg_input(c, 0, "str", &input) < 0)
        return -1;
    return rx_unescape(c->env, input, out);
}

static int i_is_match(xv_call *c, xv *out)
{
    const rx *re = self_rx(c);
    str input;
    size_t start;
    if (!re || arg_input(c, 0, "input", &input) < 0 || arg_start(c, 1, input, &start) < 0)
        return -1;
    return do_is_match(c, re, input, start, out);
}

static int i_match(xv_call *c, xv *out)
{
    const rx *re = self_rx(c);
    str input;
    size_t start;
    if (!re || arg_input(c, 0, "input", &input) < 0 || arg_start(c, 1, input, &start) < 0)
        return -1;
    return do_match(c, re, input, start, out);
}

static int i_matches(xv_call *c, xv *out)
{
    const rx *re = self_rx(c);
    str input;
    size_t start;
    if (!re || arg_input(c, 0, "input", &input) < 0 || arg_start(c, 1, input, &start) < 0)
        return -1;
    return rx_matches(c->env, re, input, start, out);
}

static int i_replace(xv_call *c, xv *out)
{
    const rx *re = self_rx(c);
    str input;
    int64_t count;
    size_t start;
    if (!re || arg_input(c, 0, "input", &input) < 0 || arg_int(c, 2, -1, &count) < 0 ||
        arg_start(c, 3, input, &start) < 0)
        return -1;
    return rx_replace(c->env, re, input, c->args[1], count, start, out);
}

static int i_split(xv_call *c, xv *out)
{
    const rx *re = self_rx(c);
    str input;
    int64_t count;
    if (!re || arg_input(c, 0, "input", &input) < 0 || arg_int(c, 1, 0, &count) < 0)
        return -1;
    if (count < 0)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Count cannot be less than -1. (Parameter 'count')");
    return rx_split(c->env, re, input, count, out);
}

static int i_to_string(xv_call *c, xv *out)
{
    const rx *re = self_rx(c);
    if (!re)
        return -1;
    *out = xv_str(re->pattern);
    return 0;
}

static int i_group_names(xv_call *c, xv *out)
{
    const rx *re = self_rx(c);
    if (!re)
        return -1;
    xv_list *l = xv_list_new(c->env, XV_LIST_ARRAY, &expr_class_string);
    if (!l)
        return -1;
    for (uint32_t i = 0; i < re->ncap; i++) {
        str name = rx_group_name(c->env, re, i);
        if (!name.ptr || xv_list_push(c->env, l, xv_str(name)) < 0)
            return -1;
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static int regex_options(expr_env *env, xv self, xv *out)
{
    if (self.kind != XV_OBJ || self.u.obj.cls != &expr_class_regex)
        return expr_throw(env, "NullReferenceException",
                          "Object reference not set to an instance of an object.");
    const rx *re = self.u.obj.ptr;
    *out = (xv){ .kind = XV_ENUM };
    out->u.en.type = &expr_class_regexoptions;
    out->u.en.v = re->options;
    return 0;
}

static const xv_member regex_members[] = {
    { "Options", regex_options, &expr_class_regexoptions, 0, NULL },
};

static const xv_method regex_methods[] = {
    { "GetGroupNames", 0, 0, i_group_names, &expr_class_list, 0, NULL },
    { "IsMatch", 1, 2, i_is_match, &expr_class_bool, 0, "input,startat" },
    { "Match", 1, 2, i_match, &expr_class_match, 0, "input,startat" },
    { "Matches", 1, 2, i_matches, &expr_class_list, 0, "input,startat" },
    { "Replace", 2, 4, i_replace, &expr_class_string, XV_M_LAMBDA,
      "input,replacement,count,startat" },
    { "Split", 1, 2, i_split, &expr_class_list, 0, "input,count" },
    { "ToString", 0, 0, i_to_string, &expr_class_string, 0, NULL },
};

/* The optional trailing TimeSpan matchTimeout is accepted and ignored: the match limit
 * bounds every match instead. */
static const xv_method regex_smethods[] = {
    { "Escape", 1, 1, s_escape, &expr_class_string, 0, "str" },
    { "IsMatch", 2, 4, s_is_match, &expr_class_bool, 0, "input,pattern,options,matchTimeout" },
    { "Match", 2, 4, s_match, &expr_class_match, 0, "input,pattern,options,matchTimeout" },
    { "Matches", 2, 4, s_matches, &expr_class_list, 0, "input,pattern,options,matchTimeout" },
    { "Replace", 3, 5, s_replace, &expr_class_string, XV_M_LAMBDA,
      "input,pattern,replacement,options,matchTimeout" },
    { "Split", 2, 4, s_split, &expr_class_list, 0, "input,pattern,options,matchTimeout" },
    { "Unescape", 1, 1, s_unescape, &expr_class_string, 0, "str" },
};

static const char *const regex_aliases[] = { "System.Text.RegularExpressions.Regex", NULL };

const xv_class expr_class_regex = {
    .name = "Regex",
    .aliases = regex_aliases,
    .members = regex_members,
    .nmembers = COUNT(regex_members),
    .methods = regex_methods,
    .nmethods = COUNT(regex_methods),
    .smethods = regex_smethods,
    .nsmethods = COUNT(regex_smethods),
    .ctor = regex_ctor,
    .ctor_min = 1,
    .ctor_max = 3,
};

static const xv_class *const classes[] = {
    &expr_class_regex,
    &expr_class_regexoptions,
    &expr_class_match,
    &expr_class_rxgroup,
    &expr_class_capture,
    &expr_class_groupcollection,
    NULL,
};
const xv_lib expr_lib_regex = { "regex", classes };
