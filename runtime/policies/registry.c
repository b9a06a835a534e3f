/* The policy vocabulary: the family tables, a sorted name index, and the startup check of the
 * tables themselves. */
#include "registry.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"

/* Adding a family: one line here, one file in runtime/meson.build. */
static const pol_spec *const families[] = {
    rt_policies_headers,    rt_policies_vars,   rt_policies_transform, rt_policies_flow,
    rt_policies_http,       rt_policies_limits, rt_policies_access,    rt_policies_jwt,
    rt_policies_auth,       rt_policies_cache,  rt_policies_log,       rt_policies_ai,
    rt_policies_validation, rt_policies_dapr,
};
#define NFAMILIES (sizeof families / sizeof families[0])

/* Capacity of the index; rt_policy_registry_check reports an overflow. */
enum { RT_POLICY_MAX = 256 };

/* Built once (pthread_once), read-only afterwards: lookups are thread-safe. */
static const pol_spec *index_[RT_POLICY_MAX];
static size_t index_len;
static size_t total_len; /* all entries, even those beyond RT_POLICY_MAX */
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static int spec_cmp(const void *a, const void *b)
{
    const pol_spec *x = *(const pol_spec *const *)a;
    const pol_spec *y = *(const pol_spec *const *)b;
    return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

static void index_build(void)
{
    for (size_t f = 0; f < NFAMILIES; f++) {
        for (const pol_spec *s = families[f]; s->name; s++) {
            if (index_len < RT_POLICY_MAX)
                index_[index_len++] = s;
            total_len++;
        }
    }
    qsort(index_, index_len, sizeof index_[0], spec_cmp);
}

const pol_spec *rt_policy_find(const char *name, size_t len)
{
    if (!name)
        return NULL;
    pthread_once(&index_once, index_build);
    size_t lo = 0, hi = index_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *key = index_[mid]->name;
        int c = strncmp(key, name, len);
        if (c == 0 && key[len] != '\0')
            c = 1; /* key is longer: it sorts after name */
        if (c == 0)
            return index_[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void rt_policy_each(void (*fn)(const pol_spec *s, void *ud), void *ud)
{
    pthread_once(&index_once, index_build);
    for (size_t i = 0; i < index_len; i++)
        fn(index_[i], ud);
}

/* ---- startup check of the tables ---- */

typedef struct check {
    int errors;
    const char *where; /* policy name */
} check;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
bad(check *ck, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "apimlite: policy registry: %s: ", ck->where ? ck->where : "(unnamed)");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    ck->errors++;
}

/* Element and attribute names: lowercase letters, digits, '-' (and ':' for namespaced). */
static int name_ok(const char *n)
{
    if (!n || !*n)
        return 0;
    for (const char *p = n; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == ':'))
            return 0;
    }
    return 1;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
    }
    return 1;
}

static const unsigned attr_flags_known =
    POL_REQUIRED | POL_EXPR | POL_UNSUPPORTED | POL_DEPRECATED | POL_OPEN_ENUM;

static void check_enum(check *ck, const pol_attr *a)
{
    if (!a->values || !a->values[0]) {
        bad(ck, "enum attribute '%s' has no values", a->name);
        return;
    }
    for (size_t i = 0; a->values[i]; i++) {
        if (!a->values[i][0])
            bad(ck, "attribute '%s': empty enum value", a->name);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(a->values[i], a->values[j]) == 0)
                bad(ck, "attribute '%s': duplicate enum value '%s'", a->name, a->values[i]);
        }
    }
    if (a->def) {
        int found = 0;
        for (size_t i = 0; a->values[i]; i++)
            found |= strcmp(a->values[i], a->def) == 0;
        if (!found)
            bad(ck, "attribute '%s': default '%s' is not one of its values", a->name, a->def);
    }
}

static void check_default(check *ck, const pol_attr *a)
{
    if (!a->def)
        return;
    const char *d = a->def;
    int ok = 1;
    switch (a->type) {
    case POL_T_UINT:
        ok = all_digits(d);
        break;
    case POL_T_INT:
        ok = all_digits(d[0] == '-' || d[0] == '+' ? d + 1 : d);
        break;
    case POL_T_BOOL:
        ok = strcmp(d, "true") == 0 || strcmp(d, "false") == 0;
        break;
    case POL_T_DOUBLE: {
        char *end;
        (void)strtod(d, &end);
        ok = end != d && *end == '\0';
        break;
    }
    default:
        break;
    }
    if (!ok)
        bad(ck, "attribute '%s': default '%s' does not match its type", a->name, d);
}

static void check_attrs(check *ck, const pol_attr *attrs, const char *owner, int is_policy)
{
    if (!attrs)
        return;
    for (const pol_attr *a = attrs; a->name; a++) {
        if (!name_ok(a->name)) {
            bad(ck, "%s: invalid attribute name '%s'", owner, a->name);
            continue;
        }
        for (const pol_attr *b = attrs; b != a; b++) {
            if (strcmp(a->name, b->name) == 0)
                bad(ck, "%s: duplicate attribute '%s'", owner, a->name);
        }
        if ((unsigned)a->type > POL_T_URL)
            bad(ck, "%s: attribute '%s' has an invalid type", owner, a->name);
        if (a->flags & ~attr_flags_known)
            bad(ck, "%s: attribute '%s' has unknown flags", owner, a->name);
        if ((a->flags & POL_OPEN_ENUM) && a->type != POL_T_ENUM)
            bad(ck, "%s: POL_OPEN_ENUM on non-enum attribute '%s'", owner, a->name);
        if (a->type == POL_T_ENUM)
            check_enum(ck, a);
        else if (a->values)
            bad(ck, "%s: non-enum attribute '%s' has values", owner, a->name);
        check_default(ck, a);
    }
    /* Policies accept "id" generically: listing it would shadow that rule. */
    if (is_policy) {
        for (const pol_attr *a = attrs; a->name; a++) {
            if (strcmp(a->name, "id") == 0)
                bad(ck, "lists the generic attribute 'id'");
        }
    }
}

static const pol_attr *attr_lookup(const pol_attr *attrs, const char *name, size_t len)
{
    for (const pol_attr *a = attrs; a && a->name; a++) {
        if (strlen(a->name) == len && memcmp(a->name, name, len) == 0)
            return a;
    }
    return NULL;
}

static void check_rules(check *ck, const pol_spec *s)
{
    if (!s->rules)
        return;
    for (const pol_rule *r = s->rules; r->names; r++) {
        if ((unsigned)r->kind > POL_R_ALL_OR_NONE)
            bad(ck, "rule '%s' has an invalid kind", r->names);
        size_t n = 0;
        const char *p = r->names;
        for (;;) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (len == 0)
                bad(ck, "rule '%s' has an empty name", r->names);
            else if (!attr_lookup(s->attrs, p, len))
                bad(ck, "rule '%s' names an unknown attribute '%.*s'", r->names, (int)len, p);
            n++;
            if (!bar)
                break;
            p = bar + 1;
        }
        if (n < 2)
            bad(ck, "rule '%s' needs at least two attributes", r->names);
    }
}

static void check_children(check *ck, const pol_child *children, unsigned depth);

static void check_content(check *ck, const char *owner, pol_content content, unsigned text_flags,
                          const pol_child *children, unsigned depth)
{
    if ((unsigned)content > POL_C_OPAQUE)
        bad(ck, "%s: invalid content kind", owner);
    if (content == POL_C_CHILDREN) {
        if (!children || !children->name)
            bad(ck, "%s: child-element content without children", owner);
        else
            check_children(ck, children, depth + 1);
    } else if (children) {
        bad(ck, "%s: children listed but content is not POL_C_CHILDREN", owner);
    }
    unsigned text_ok = POL_REQUIRED | POL_EXPR;
    if (content == POL_C_CHILDREN && (text_flags & POL_TEXT_ALT))
        text_ok |= POL_TEXT_ALT;
    if (text_flags & ~text_ok)
        bad(ck, "%s: text flags do not fit the content kind", owner);
    if (content != POL_C_TEXT && !(text_flags & POL_TEXT_ALT) && text_flags)
        bad(ck, "%s: text flags on an element without text", owner);
}

static void check_children(check *ck, const pol_child *children, unsigned depth)
{
    if (depth > 8) {
        bad(ck, "child elements nested too deeply (a cycle?)");
        return;
    }
    for (const pol_child *c = children; c->name; c++) {
        if (!name_ok(c->name)) {
            bad(ck, "invalid child element name '%s'", c->name);
            continue;
        }
        for (const pol_child *d = children; d != c; d++) {
            if (strcmp(c->name, d->name) == 0)
                bad(ck, "duplicate child element '%s'", c->name);
        }
        if (c->max && c->min > c->max)
            bad(ck, "child '%s': min %u > max %u", c->name, c->min, c->max);
        if (c->policy) {
            const pol_spec *p = rt_policy_find(c->policy, strlen(c->policy));
            if (!p)
                bad(ck, "child '%s' refers to unknown policy '%s'", c->name, c->policy);
            else if (strcmp(c->name, p->name) != 0)
                bad(ck, "child '%s' refers to differently named policy '%s'", c->name, p->name);
            if (c->attrs || c->children || c->content != POL_C_EMPTY || c->text_flags)
                bad(ck, "child '%s' is a policy: its own tables must stay empty", c->name);
            continue;
        }
        check_attrs(ck, c->attrs, c->name, 0);
        check_content(ck, c->name, c->content, c->text_flags, c->children, depth);
    }
}

static const unsigned spec_flags_known =
    POL_ONCE | POL_UNSUPPORTED_SPEC | POL_DEPRECATED_SPEC | POL_UNORDERED;

static void check_spec(check *ck, const pol_spec *s)
{
    ck->where = s->name;
    if (!name_ok(s->name)) {
        bad(ck, "invalid policy name");
        return;
    }
    if (s->sections == 0 || (s->sections & ~(unsigned)POL_SEC_ANY))
        bad(ck, "sections must be a non-empty subset of I|B|O|E");
    if (s->flags & ~spec_flags_known)
        bad(ck, "unknown flags");
    if (s->conf_size && !s->parse)
        bad(ck, "conf_size without a parse function");
    if ((s->flags & POL_UNORDERED) && s->content != POL_C_CHILDREN)
        bad(ck, "POL_UNORDERED without child elements");
    check_attrs(ck, s->attrs, s->name, 1);
    check_rules(ck, s);
    check_content(ck, s->name, s->content, s->text_flags, s->children, 0);
}

/* Checks specs[0..n) (sorted by name, so duplicates are adjacent). */
static int check_sorted(const pol_spec *const *specs, size_t n)
{
    check ck = { 0 };
    for (size_t i = 0; i < n; i++) {
        check_spec(&ck, specs[i]);
        if (i > 0 && specs[i - 1]->name && specs[i]->name &&
            strcmp(specs[i - 1]->name, specs[i]->name) == 0)
            bad(&ck, "defined twice");
    }
    return ck.errors;
}

int rt_policy_registry_check(void)
{
    pthread_once(&index_once, index_build);
    int errors = check_sorted(index_, index_len);
    if (total_len > RT_POLICY_MAX) {
        check ck = { .where = "index" };
        bad(&ck, "%zu policies exceed the capacity %d", total_len, (int)RT_POLICY_MAX);
        errors += ck.errors;
    }
    return errors ? -1 : 0;
}

int rt_policy_table_check(const pol_spec *table)
{
    const pol_spec *specs[RT_POLICY_MAX];
    size_t n = 0;
    for (const pol_spec *s = table; s->name && n < RT_POLICY_MAX; s++)
        specs[n++] = s;
    qsort(specs, n, sizeof specs[0], spec_cmp);
    return check_sorted(specs, n) ? -1 : 0;
}
