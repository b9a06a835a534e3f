/* Match, Group, Capture and GroupCollection (System.Text.RegularExpressions). Match derives
 * from Group, Group from Capture; all three point at an rx_group. */
#include <stdlib.h>
#include <string.h>

#include "lib_regex.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int new_group(expr_env *env, const xv_class *cls, const rx_match *m, uint32_t idx, str name,
                     xv *out)
{
    rx_group *g = arena_alloc(env->a, sizeof *g);
    if (!g)
        return expr_throw(env, "OutOfMemoryException", "arena cap reached");
    g->m = m;
    g->idx = idx;
    g->name = name;
    *out = xv_obj(cls, g);
    return 0;
}

int rx_match_value(expr_env *env, const rx_match *m, xv *out)
{
    return new_group(env, &expr_class_match, m, 0, STR_NULL, out);
}

static const rx_group *self_group(expr_env *env, xv self)
{
    if (self.kind == XV_OBJ &&
        (self.u.obj.cls == &expr_class_match || self.u.obj.cls == &expr_class_rxgroup ||
         self.u.obj.cls == &expr_class_capture))
        return self.u.obj.ptr;
    expr_throw(env, "NullReferenceException",
               "Object reference not set to an instance of an object.");
    return NULL;
}

static bool group_success(const rx_group *g)
{
    return g->idx != UINT32_MAX && g->m->success && g->idx < g->m->re->ncap &&
           g->m->ov[2 * g->idx] != PCRE2_UNSET;
}

static str group_value(const rx_group *g)
{
    if (!group_success(g))
        return STR_LIT("");
    const PCRE2_SIZE *ov = g->m->ov + 2 * g->idx;
    return str_make(g->m->input.ptr + ov[0], ov[1] - ov[0]);
}

/* ---- Capture ---- */

static int cap_index(expr_env *env, xv self, xv *out)
{
    const rx_group *g = self_group(env, self);
    if (!g)
        return -1;
    *out = xv_int(group_success(g) ? (int64_t)rx_u16_len(g->m->input, g->m->ov[2 * g->idx]) : 0);
    return 0;
}

static int cap_length(expr_env *env, xv self, xv *out)
{
    const rx_group *g = self_group(env, self);
    if (!g)
        return -1;
    str v = group_value(g);
    *out = xv_int((int64_t)rx_u16_len(v, v.len));
    return 0;
}

static int cap_value(expr_env *env, xv self, xv *out)
{
    const rx_group *g = self_group(env, self);
    if (!g)
        return -1;
    *out = xv_str(group_value(g));
    return 0;
}

static int cap_to_string(xv_call *c, xv *out)
{
    return cap_value(c->env, c->self, out);
}

static const xv_member capture_members[] = {
    { "Index", cap_index, &expr_class_int, 0, NULL },
    { "Length", cap_length, &expr_class_int, 0, NULL },
    { "Value", cap_value, &expr_class_string, 0, NULL },
};

static const xv_method capture_methods[] = {
    { "ToString", 0, 0, cap_to_string, &expr_class_string, 0, NULL },
};

const xv_class expr_class_capture = {
    .name = "Capture",
    .members = capture_members,
    .nmembers = COUNT(capture_members),
    .methods = capture_methods,
    .nmethods = COUNT(capture_methods),
};

/* ---- Group ---- */

/* PCRE2 keeps only the last capture of a repeated group: Captures has at most one item. */
static int group_captures(expr_env *env, xv self, xv *out)
{
    const rx_group *g = self_group(env, self);
    if (!g)
        return -1;
    xv_list *l = xv_list_new(env, XV_LIST_LIST, &expr_class_capture);
    if (!l)
        return -1;
    if (group_success(g)) {
        xv c;
        if (new_group(env, &expr_class_capture, g->m, g->idx, STR_NULL, &c) < 0 ||
            xv_list_push(env, l, c) < 0)
            return -1;
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static int group_name(expr_env *env, xv self, xv *out)
{
    const rx_group *g = self_group(env, self);
    if (!g)
        return -1;
    str name = g->idx == UINT32_MAX ? g->name : rx_group_name(env, g->m->re, g->idx);
    if (!name.ptr)
        return expr_throw(env, "OutOfMemoryException", "arena cap reached");
    *out = xv_str(name);
    return 0;
}

static int group_success_get(expr_env *env, xv self, xv *out)
{
    const rx_group *g = self_group(env, self);
    if (!g)
        return -1;
    *out = xv_bool(group_success(g));
    return 0;
}

static const xv_member group_members[] = {
    { "Captures", group_captures, &expr_class_list, 0, NULL },
    { "Name", group_name, &expr_class_string, 0, NULL },
    { "Success", group_success_get, &expr_class_bool, 0, NULL },
};

const xv_class expr_class_rxgroup = {
    .name = "Group",
    .base = &expr_class_capture,
    .members = group_members,
    .nmembers = COUNT(group_members),
};

/* ---- Match ---- */

static int match_groups(expr_env *env, xv self, xv *out)
{
    const rx_group *g = self_group(env, self);
    if (!g)
        return -1;
    *out = xv_obj(&expr_class_groupcollection, (void *)g->m);
    return 0;
}

static int match_next(xv_call *c, xv *out)
{
    const rx_group *g = self_group(c->env, c->self);
    if (!g)
        return -1;
    const rx_match *m = g->m;
    if (!m->success) {
        *out = c->self;
        return 0;
    }
    rx_match *next;
    if (rx_exec(c->env, m->re, m->input, rx_next_start(m), &next) < 0)
        return -1;
    return rx_match_value(c->env, next, out);
}

static int match_result(xv_call *c, xv *out)
{
    const rx_group *g = self_group(c->env, c->self);
    if (!g)
        return -1;
    if (c->args[0].kind != XV_STR)
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'replacement')");
    return rx_result(c->env, g->m, c->args[0].u.s, out);
}

static const xv_member match_members[] = {
    { "Groups", match_groups, &expr_class_groupcollection, 0, NULL },
};

static const xv_method match_methods[] = {
    { "NextMatch", 0, 0, match_next, &expr_class_match, 0, NULL },
    { "Result", 1, 1, match_result, &expr_class_string, 0, "replacement" },
};

const xv_class expr_class_match = {
    .name = "Match",
    .base = &expr_class_rxgroup,
    .members = match_members,
    .nmembers = COUNT(match_members),
    .methods = match_methods,
    .nmethods = COUNT(match_methods),
};

/* ---- GroupCollection ---- */

static const rx_match *self_groups(expr_env *env, xv self)
{
    if (self.kind == XV_OBJ && self.u.obj.cls == &expr_class_groupcollection)
        return self.u.obj.ptr;
    expr_throw(env, "NullReferenceException",
               "Object reference not set to an instance of an object.");
    return NULL;
}

static int groups_count(expr_env *env, xv self, xv *out)
{
    const rx_match *m = self_groups(env, self);
    if (!m)
        return -1;
    *out = xv_int(m->re->ncap);
    return 0;
}

/* Groups[int] / Groups["name"]: a group the pattern lacks reads as a failed group. */
static int groups_index(xv_call *c, xv *out)
{
    const rx_match *m = self_groups(c->env, c->self);
    if (!m)
        return -1;
    xv k = c->args[0];
    if (k.kind == XV_INT) {
        if (k.u.i >= 0 && k.u.i < m->re->ncap)
            return new_group(c->env, &expr_class_rxgroup, m, (uint32_t)k.u.i, STR_NULL, out);
        xv name;
        if (xv_str_printf(c->env, &name, "%lld", (long long)k.u.i) < 0)
            return -1;
        return new_group(c->env, &expr_class_rxgroup, m, UINT32_MAX, name.u.s, out);
    }
    if (k.kind != XV_STR)
        return expr_throw(c->env, "ArgumentException",
                          "GroupCollection: index: expected int or string, got %s",
                          xv_type_name(k));
    int num = -1;
    if (m->re->code) {
        char *z = arena_strndup(c->env->a, k.u.s.ptr ? k.u.s.ptr : "", k.u.s.len);
        if (!z)
            return expr_throw(c->env, "OutOfMemoryException", "arena cap reached");
        num = pcre2_substring_number_from_name(m->re->code, (PCRE2_SPTR)z);
        if (num < 0 && k.u.s.len > 0 && k.u.s.len < 7 && strspn(z, "0123456789") == k.u.s.len) {
            long n = strtol(z, NULL, 10);
            num = n < (long)m->re->ncap ? (int)n : -1;
        }
    }
    if (num >= 0)
        return new_group(c->env, &expr_class_rxgroup, m, (uint32_t)num, STR_NULL, out);
    return new_group(c->env, &expr_class_rxgroup, m, UINT32_MAX, k.u.s, out);
}

static int groups_enumerate(expr_env *env, xv self, xv *out)
{
    const rx_match *m = self_groups(env, self);
    if (!m)
        return -1;
    xv_list *l = xv_list_new(env, XV_LIST_SEQ, &expr_class_rxgroup);
    if (!l)
        return -1;
    for (uint32_t i = 0; i < m->re->ncap; i++) {
        xv g;
        if (new_group(env, &expr_class_rxgroup, m, i, STR_NULL, &g) < 0 ||
            xv_list_push(env, l, g) < 0)
            return -1;
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static const xv_member groups_members[] = {
    { "Count", groups_count, &expr_class_int, 0, NULL },
};

const xv_class expr_class_groupcollection = {
    .name = "GroupCollection",
    .flags = XV_CLASS_ENUMERABLE,
    .members = groups_members,
    .nmembers = COUNT(groups_members),
    .index_get = groups_index,
    .enumerate = groups_enumerate,
};
