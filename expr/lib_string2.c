/* System.String statics (Format, Join, Concat, Compare, IsNullOrEmpty ...), composite
 * formatting, string comparison modes, and the StringComparison, StringSplitOptions,
 * StringComparer and CultureInfo classes. */
#include <string.h>

#include "lib1.h"

/* ---- comparison helpers (lib.h) ---- */

static bool ci_mode(int mode)
{
    return mode == 1 || mode == 3 || mode == 5;
}

bool expr_string_equals(str a, str b, int mode)
{
    if (!ci_mode(mode))
        return str_eq(a, b);
    size_t i = 0, j = 0;
    while (i < a.len && j < b.len) {
        size_t ai, bj;
        uint32_t x = lib1_utf8_dec(a.ptr + i, a.len - i, &ai),
                 y = lib1_utf8_dec(b.ptr + j, b.len - j, &bj);
        if (x != y && lib1_upper(x) != lib1_upper(y))
            return false;
        i += ai;
        j += bj;
    }
    return i == a.len && j == b.len;
}

static int sgn(long v)
{
    return v < 0 ? -1 : v > 0;
}

static int char_class(uint32_t c)
{
    return lib1_is_letter(c) ? 2 : lib1_is_digit(c) ? 1 : 0;
}

int expr_string_compare(str a, str b, int mode)
{
    if (mode == 4)
        return sgn(str_cmp(a, b));
    bool culture = mode < 4;
    int tert = 0;
    size_t i = 0, j = 0;
    while (i < a.len && j < b.len) {
        size_t ai, bj;
        uint32_t x = lib1_utf8_dec(a.ptr + i, a.len - i, &ai),
                 y = lib1_utf8_dec(b.ptr + j, b.len - j, &bj);
        i += ai;
        j += bj;
        if (x == y)
            continue;
        if (!culture) {
            uint32_t ux = lib1_upper(x), uy = lib1_upper(y);
            if (ux != uy)
                return ux < uy ? -1 : 1;
            continue;
        }
        int cx = char_class(x), cy = char_class(y);
        if (cx != cy)
            return cx < cy ? -1 : 1;
        uint32_t lx = lib1_lower(x), ly = lib1_lower(y);
        if (lx != ly)
            return lx < ly ? -1 : 1;
        if (!tert && !ci_mode(mode))
            tert = x == lx ? -1 : 1; /* lower case sorts first */
    }
    if (i < a.len)
        return 1;
    if (j < b.len)
        return -1;
    return tert;
}

int32_t expr_string_hash(str s, bool ignore_case)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.ptr[i];
        if (ignore_case && ch >= 'a' && ch <= 'z')
            ch -= 32;
        h = (h ^ ch) * 16777619u;
    }
    return (int32_t)h;
}

const char *expr_enum_name(const xv_class *cls, int64_t v)
{
    for (size_t i = 0; cls && i < cls->nsmembers; i++)
        if (cls->smembers[i].host_id == v)
            return cls->smembers[i].name;
    return NULL;
}

/* ---- formatting ---- */

int expr_format_value(expr_env *env, xv v, str fmt, str *out)
{
    v = lib1_unjson(env, v);
    switch (v.kind) {
    case XV_NULL:
        *out = STR_LIT("");
        return 0;
    case XV_INT:
    case XV_DOUBLE:
        if (fmt.len == 0)
            break;
        return lib1_format_number(env, v, fmt, out);
    case XV_DATETIME:
        return expr_datetime_to_string(env, v, fmt, out);
    case XV_TIMESPAN:
        return expr_timespan_to_string(env, v.u.i, fmt, out);
    case XV_GUID:
        return expr_guid_to_string(env, v.u.guid, fmt, out);
    case XV_ENUM:
        if (fmt.len == 1 && (fmt.ptr[0] == 'D' || fmt.ptr[0] == 'd'))
            return lib1_format_number(env, xv_long(v.u.en.v), STR_NULL, out);
        break;
    default:
        break;
    }
    return xv_to_string(env, v, out);
}

int expr_string_align(expr_env *env, str s, int64_t width, str *out)
{
    int64_t w = width < 0 ? -width : width;
    int64_t len = (int64_t)lib1_u16_len(s);
    if (len >= w) {
        *out = s;
        return 0;
    }
    if (w > (1 << 20))
        return expr_throw(env, "FormatException", "alignment too large");
    lib1_sb b;
    lib1_sb_init(&b, env, s.len + (size_t)(w - len));
    if (width < 0)
        lib1_sb_str(&b, s);
    for (int64_t k = len; k < w; k++)
        lib1_sb_putc(&b, ' ');
    if (width > 0)
        lib1_sb_str(&b, s);
    return lib1_sb_done(&b, out);
}

static int bad_fmt(expr_env *env)
{
    return expr_throw(env, "FormatException", "Input string was not in a correct format.");
}

int expr_string_format(expr_env *env, str fmt, const xv *args, size_t n, str *out)
{
    lib1_sb b;
    lib1_sb_init(&b, env, fmt.len + 16);
    size_t i = 0;
    const char *p = fmt.ptr;
    while (i < fmt.len) {
        char ch = p[i++];
        if (ch == '}') {
            if (i < fmt.len && p[i] == '}') {
                i++;
                lib1_sb_putc(&b, '}');
                continue;
            }
            return bad_fmt(env);
        }
        if (ch != '{') {
            lib1_sb_putc(&b, ch);
            continue;
        }
        if (i < fmt.len && p[i] == '{') {
            i++;
            lib1_sb_putc(&b, '{');
            continue;
        }
        if (i >= fmt.len || p[i] < '0' || p[i] > '9')
            return bad_fmt(env);
        size_t idx = 0;
        while (i < fmt.len && p[i] >= '0' && p[i] <= '9') {
            idx = idx * 10 + (size_t)(p[i++] - '0');
            if (idx > 1000000)
                return bad_fmt(env);
        }
        while (i < fmt.len && p[i] == ' ')
            i++;
        int64_t align = 0;
        if (i < fmt.len && p[i] == ',') {
            i++;
            while (i < fmt.len && p[i] == ' ')
                i++;
            bool neg = false;
            if (i < fmt.len && p[i] == '-') {
                neg = true;
                i++;
            }
            if (i >= fmt.len || p[i] < '0' || p[i] > '9')
                return bad_fmt(env);
            while (i < fmt.len && p[i] >= '0' && p[i] <= '9') {
                align = align * 10 + (p[i++] - '0');
                if (align > 1000000)
                    return bad_fmt(env);
            }
            if (neg)
                align = -align;
            while (i < fmt.len && p[i] == ' ')
                i++;
        }
        str item = STR_NULL;
        if (i < fmt.len && p[i] == ':') {
            size_t st = ++i;
            while (i < fmt.len && p[i] != '}') {
                if (p[i] == '{')
                    return bad_fmt(env);
                i++;
            }
            item = str_make(p + st, i - st);
        }
        if (i >= fmt.len || p[i] != '}')
            return bad_fmt(env);
        i++;
        if (idx >= n)
            return expr_throw(env, "FormatException",
                              "Index (zero based) must be greater than or equal to zero and less "
                              "than the size of the argument list.");
        str s;
        if (expr_format_value(env, args[idx], item, &s) < 0)
            return -1;
        if (align && expr_string_align(env, s, align, &s) < 0)
            return -1;
        lib1_sb_str(&b, s);
    }
    return lib1_sb_done(&b, out);
}

/* ---- statics ---- */

static bool is_format_provider(xv v)
{
    return v.kind == XV_OBJ && v.u.obj.cls == &expr_class_cultureinfo;
}

/* Collects the values of a params/IEnumerable argument list starting at i: one enumerable
 * (not a string) argument is enumerated, otherwise every argument is a value. */
static int values_from(xv_call *c, size_t i, xv_list **vals)
{
    if (c->nargs == i + 1) {
        xv v = c->args[i];
        bool seq = v.kind == XV_LIST || (v.kind == XV_JSON && json_is_array(v.u.j));
        if (seq)
            return xv_enumerate(c->env, v, vals);
    }
    xv_list *l = xv_list_new(c->env, XV_LIST_ARRAY, NULL);
    if (!l)
        return lib1_oom(c->env);
    for (size_t k = i; k < c->nargs; k++)
        if (xv_list_push(c->env, l, c->args[k]) < 0)
            return -1;
    *vals = l;
    return 0;
}

static int join_values(xv_call *c, str sep, const xv *items, size_t n, xv *out)
{
    lib1_sb b;
    lib1_sb_init(&b, c->env, 64);
    for (size_t k = 0; k < n; k++) {
        if (k)
            lib1_sb_str(&b, sep);
        if (items[k].kind == XV_NULL)
            continue;
        str s;
        if (xv_to_string(c->env, items[k], &s) < 0)
            return -1;
        lib1_sb_str(&b, s);
    }
    str r;
    if (lib1_sb_done(&b, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

int lib1_str_join(xv_call *c, xv *out)
{
    str sep = STR_LIT("");
    bool isnull;
    if (c->args[0].kind == XV_CHAR) {
        if (lib1_char_str(c->env, c->args[0].u.ch, &sep) < 0)
            return -1;
    } else if (lib1_str(c, 0, "String.Join", &sep, &isnull) < 0) {
        return -1;
    }
    if (c->nargs == 4 && c->args[1].kind == XV_LIST && c->args[2].kind == XV_INT &&
        c->args[3].kind == XV_INT) {
        int64_t st = c->args[2].u.i, cnt = c->args[3].u.i;
        const xv_list *l = c->args[1].u.list;
        if (st < 0 || cnt < 0 || st + cnt > (int64_t)l->n)
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Index and count must refer to a location within the buffer. "
                              "(Parameter 'startIndex')");
        return join_values(c, sep, l->items + st, (size_t)cnt, out);
    }
    if (c->nargs == 2 && c->args[1].kind == XV_NULL)
        return lib1_null_arg(c->env, "String.Join", "values");
    xv_list *vals;
    if (values_from(c, 1, &vals) < 0)
        return -1;
    return join_values(c, sep, vals->items, vals->n, out);
}

int lib1_str_concat(xv_call *c, xv *out)
{
    xv_list *vals;
    if (c->nargs == 0) {
        *out = xv_str(STR_LIT(""));
        return 0;
    }
    if (values_from(c, 0, &vals) < 0)
        return -1;
    return join_values(c, STR_LIT(""), vals->items, vals->n, out);
}

int lib1_str_format(xv_call *c, xv *out)
{
    size_t i = 0;
    if (c->nargs > 1 && (is_format_provider(c->args[0]) || c->args[0].kind == XV_NULL) &&
        (c->args[1].kind == XV_STR || (c->args[1].kind == XV_JSON)))
        i = 1;
    str fmt;
    if (lib1_str(c, i, "String.Format", &fmt, NULL) < 0)
        return -1;
    const xv *args = c->args + i + 1;
    size_t n = c->nargs - i - 1;
    if (n == 1 && args[0].kind == XV_LIST && args[0].u.list->flavor == XV_LIST_ARRAY &&
        args[0].u.list->elem != &expr_class_int && args[0].u.list->elem != &expr_class_char &&
        args[0].u.list->elem != &expr_class_double && args[0].u.list->elem != &expr_class_long &&
        args[0].u.list->elem != &expr_class_bool) {
        n = args[0].u.list->n;
        args = args[0].u.list->items;
    }
    str r;
    if (expr_string_format(c->env, fmt, args, n, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

int lib1_str_is_null_or_empty(xv_call *c, xv *out)
{
    xv v = lib1_unjson(c->env, c->args[0]);
    if (v.kind != XV_NULL && v.kind != XV_STR)
        return lib1_arg_error(c, 0, "String.IsNullOrEmpty", "string");
    *out = xv_bool(v.kind == XV_NULL || v.u.s.len == 0);
    return 0;
}

int lib1_str_is_null_or_white_space(xv_call *c, xv *out)
{
    xv v = lib1_unjson(c->env, c->args[0]);
    if (v.kind != XV_NULL && v.kind != XV_STR)
        return lib1_arg_error(c, 0, "String.IsNullOrWhiteSpace", "string");
    bool r = true;
    if (v.kind == XV_STR) {
        str s = v.u.s;
        for (size_t i = 0; i < s.len && r;) {
            size_t adv;
            r = lib1_is_space(lib1_utf8_dec(s.ptr + i, s.len - i, &adv));
            i += adv;
        }
    }
    *out = xv_bool(r);
    return 0;
}

/* Two possibly-null string arguments (null sorts first). */
static int two_strs(xv_call *c, const char *who, str *a, bool *an, str *b, bool *bn)
{
    return lib1_str(c, 0, who, a, an) < 0 || lib1_str(c, 1, who, b, bn) < 0 ? -1 : 0;
}

int lib1_str_compare(xv_call *c, xv *out)
{
    str a, b;
    bool an, bn;
    int mode = 0;
    if (two_strs(c, "String.Compare", &a, &an, &b, &bn) < 0)
        return -1;
    if (c->nargs > 2) {
        xv m = c->args[2];
        if (m.kind == XV_BOOL)
            mode = m.u.b ? 1 : 0;
        else if ((mode = expr_string_comparer_mode(m)) < 0)
            return lib1_arg_error(c, 2, "String.Compare", "StringComparison");
    }
    *out = xv_int(an || bn ? (an && bn ? 0 : an ? -1 : 1) : expr_string_compare(a, b, mode));
    return 0;
}

int lib1_str_compare_ordinal(xv_call *c, xv *out)
{
    str a, b;
    bool an, bn;
    if (two_strs(c, "String.CompareOrdinal", &a, &an, &b, &bn) < 0)
        return -1;
    *out = xv_int(an || bn ? (an && bn ? 0 : an ? -1 : 1) : expr_string_compare(a, b, 4));
    return 0;
}

int lib1_str_equals_static(xv_call *c, xv *out)
{
    str a, b;
    bool an, bn;
    int mode = 4;
    if (two_strs(c, "String.Equals", &a, &an, &b, &bn) < 0)
        return -1;
    if (c->nargs > 2 && (mode = expr_string_comparer_mode(c->args[2])) < 0)
        return lib1_arg_error(c, 2, "String.Equals", "StringComparison");
    *out = xv_bool(an || bn ? an && bn : expr_string_equals(a, b, mode));
    return 0;
}

int lib1_str_copy(xv_call *c, xv *out)
{
    str s;
    if (lib1_str(c, 0, "String.Copy", &s, NULL) < 0)
        return -1;
    return xv_str_copy(c->env, s.ptr, s.len, out);
}

int lib1_string_ctor(xv_call *c, xv *out)
{
    const char *who = "String..ctor";
    lib1_sb b;
    lib1_sb_init(&b, c->env, 16);
    if (c->args[0].kind == XV_CHAR) {
        int64_t n;
        if (c->nargs != 2 || lib1_int(c, 1, who, &n) < 0)
            return c->nargs != 2 ? lib1_arg_error(c, 1, who, "int") : -1;
        if (n < 0)
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Non-negative number required. (Parameter 'count')");
        if (n > (1 << 24))
            return expr_throw(c->env, "OutOfMemoryException", "%s: count too large", who);
        for (int64_t k = 0; k < n; k++)
            lib1_sb_cp(&b, c->args[0].u.ch);
    } else if (c->args[0].kind == XV_LIST) {
        const xv_list *l = c->args[0].u.list;
        int64_t st = 0, n = (int64_t)l->n;
        if (c->nargs == 3 && (lib1_int(c, 1, who, &st) < 0 || lib1_int(c, 2, who, &n) < 0))
            return -1;
        if (st < 0 || n < 0 || st + n > (int64_t)l->n)
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Index was out of range. (Parameter 'startIndex')");
        for (int64_t k = st; k < st + n; k++) {
            xv e = l->items[k];
            if (e.kind != XV_CHAR)
                return lib1_arg_error(c, 0, who, "char[]");
            /* join surrogate pairs */
            if (e.u.ch >= 0xD800 && e.u.ch < 0xDC00 && k + 1 < st + n &&
                l->items[k + 1].kind == XV_CHAR && l->items[k + 1].u.ch >= 0xDC00 &&
                l->items[k + 1].u.ch < 0xE000) {
                lib1_sb_cp(&b, 0x10000 + (((uint32_t)e.u.ch - 0xD800) << 10) +
                                   (l->items[k + 1].u.ch - 0xDC00u));
                k++;
            } else {
                lib1_sb_cp(&b, e.u.ch);
            }
        }
    } else if (c->args[0].kind == XV_NULL) {
        lib1_sb_str(&b, STR_LIT(""));
    } else {
        return lib1_arg_error(c, 0, who, "char or char[]");
    }
    str r;
    if (lib1_sb_done(&b, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

/* ---- enums ---- */

#define ENUM_GETTER(fn, cls, val)                                                                  \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = lib1_enum_val(&cls, val);                                                           \
        return 0;                                                                                  \
    }

ENUM_GETTER(sc_current, expr_class_stringcomparison, 0)
ENUM_GETTER(sc_current_ic, expr_class_stringcomparison, 1)
ENUM_GETTER(sc_invariant, expr_class_stringcomparison, 2)
ENUM_GETTER(sc_invariant_ic, expr_class_stringcomparison, 3)
ENUM_GETTER(sc_ordinal, expr_class_stringcomparison, 4)
ENUM_GETTER(sc_ordinal_ic, expr_class_stringcomparison, 5)

#define SCT &expr_class_stringcomparison
static const xv_member sc_consts[] = {
    { "CurrentCulture", sc_current, SCT, 0, NULL },
    { "CurrentCultureIgnoreCase", sc_current_ic, SCT, 1, NULL },
    { "InvariantCulture", sc_invariant, SCT, 2, NULL },
    { "InvariantCultureIgnoreCase", sc_invariant_ic, SCT, 3, NULL },
    { "Ordinal", sc_ordinal, SCT, 4, NULL },
    { "OrdinalIgnoreCase", sc_ordinal_ic, SCT, 5, NULL },
};
static const char *const sc_aliases[] = { "System.StringComparison", NULL };
const xv_class expr_class_stringcomparison = {
    .name = "StringComparison",
    .aliases = sc_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = sc_consts,
    .nsmembers = sizeof sc_consts / sizeof sc_consts[0],
};

ENUM_GETTER(sso_none, lib1_class_stringsplitoptions, 0)
ENUM_GETTER(sso_remove, lib1_class_stringsplitoptions, 1)
ENUM_GETTER(sso_trim, lib1_class_stringsplitoptions, 2)
#define SSO &lib1_class_stringsplitoptions
static const xv_member sso_consts[] = {
    { "None", sso_none, SSO, 0, NULL },
    { "RemoveEmptyEntries", sso_remove, SSO, 1, NULL },
    { "TrimEntries", sso_trim, SSO, 2, NULL },
};
static const char *const sso_aliases[] = { "System.StringSplitOptions", NULL };
const xv_class lib1_class_stringsplitoptions = {
    .name = "StringSplitOptions",
    .aliases = sso_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = sso_consts,
    .nsmembers = sizeof sso_consts / sizeof sso_consts[0],
};

/* ---- StringComparer ---- */

static const int cmp_modes[6] = { 0, 1, 2, 3, 4, 5 };

int expr_string_comparer_mode(xv v)
{
    if (v.kind == XV_OBJ && v.u.obj.cls == &expr_class_stringcomparer)
        return *(const int *)v.u.obj.ptr;
    if (v.kind == XV_ENUM && v.u.en.type == &expr_class_stringcomparison && v.u.en.v >= 0 &&
        v.u.en.v <= 5)
        return (int)v.u.en.v;
    return -1;
}

#define COMPARER_GETTER(fn, m)                                                                     \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = xv_obj(&expr_class_stringcomparer, (void *)(uintptr_t)&cmp_modes[m]);               \
        return 0;                                                                                  \
    }
COMPARER_GETTER(scm_current, 0)
COMPARER_GETTER(scm_current_ic, 1)
COMPARER_GETTER(scm_invariant, 2)
COMPARER_GETTER(scm_invariant_ic, 3)
COMPARER_GETTER(scm_ordinal, 4)
COMPARER_GETTER(scm_ordinal_ic, 5)

#define SCM &expr_class_stringcomparer
static const xv_member scm_statics[] = {
    { "CurrentCulture", scm_current, SCM, 0, NULL },
    { "CurrentCultureIgnoreCase", scm_current_ic, SCM, 0, NULL },
    { "InvariantCulture", scm_invariant, SCM, 0, NULL },
    { "InvariantCultureIgnoreCase", scm_invariant_ic, SCM, 0, NULL },
    { "Ordinal", scm_ordinal, SCM, 0, NULL },
    { "OrdinalIgnoreCase", scm_ordinal_ic, SCM, 0, NULL },
};

static int scm_compare(xv_call *c, xv *out)
{
    str a, b;
    bool an, bn;
    if (two_strs(c, "StringComparer.Compare", &a, &an, &b, &bn) < 0)
        return -1;
    int mode = expr_string_comparer_mode(c->self);
    *out = xv_int(an || bn ? (an && bn ? 0 : an ? -1 : 1) : expr_string_compare(a, b, mode));
    return 0;
}

static int scm_equals(xv_call *c, xv *out)
{
    if (c->nargs == 1) {
        *out = xv_bool(c->args[0].kind == XV_OBJ && c->args[0].u.obj.ptr == c->self.u.obj.ptr);
        return 0;
    }
    str a, b;
    bool an, bn;
    if (two_strs(c, "StringComparer.Equals", &a, &an, &b, &bn) < 0)
        return -1;
    int mode = expr_string_comparer_mode(c->self);
    *out = xv_bool(an || bn ? an && bn : expr_string_equals(a, b, mode));
    return 0;
}

static int scm_hash(xv_call *c, xv *out)
{
    str s;
    if (lib1_str(c, 0, "StringComparer.GetHashCode", &s, NULL) < 0)
        return -1;
    *out = xv_int(expr_string_hash(s, ci_mode(expr_string_comparer_mode(c->self))));
    return 0;
}

static const xv_method scm_methods[] = {
    { "Compare", 2, 2, scm_compare, &expr_class_int, 0, NULL },
    { "Equals", 1, 2, scm_equals, &expr_class_bool, 0, NULL },
    { "GetHashCode", 1, 1, scm_hash, &expr_class_int, 0, NULL },
};
static const char *const scm_aliases[] = { "System.StringComparer", NULL };
const xv_class expr_class_stringcomparer = {
    .name = "StringComparer",
    .aliases = scm_aliases,
    .base = &expr_class_object,
    .methods = scm_methods,
    .nmethods = sizeof scm_methods / sizeof scm_methods[0],
    .smembers = scm_statics,
    .nsmembers = sizeof scm_statics / sizeof scm_statics[0],
};

/* ---- CultureInfo: accepted as an IFormatProvider and otherwise ignored ---- */

static const char *const culture_names[2] = { "", "en-US" };

static int ci_invariant(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_obj(&expr_class_cultureinfo, (void *)(uintptr_t)&culture_names[0]);
    return 0;
}

static int ci_current(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_obj(&expr_class_cultureinfo, (void *)(uintptr_t)&culture_names[1]);
    return 0;
}

static int ci_get(xv_call *c, xv *out)
{
    str name;
    if (lib1_str(c, 0, "CultureInfo.GetCultureInfo", &name, NULL) < 0)
        return -1;
    char **p = arena_alloc(c->env->a, sizeof *p);
    if (!p || !(*p = arena_strndup(c->env->a, name.ptr, name.len)))
        return lib1_oom(c->env);
    *out = xv_obj(&expr_class_cultureinfo, p);
    return 0;
}

static int ci_name(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_str(str_from(*(const char *const *)self.u.obj.ptr));
    return 0;
}

static int ci_to_string(xv_call *c, xv *out)
{
    return ci_name(c->env, c->self, out);
}

#define CIT &expr_class_cultureinfo
static const xv_member ci_statics[] = {
    { "CurrentCulture", ci_current, CIT, 0, NULL },
    { "CurrentUICulture", ci_current, CIT, 0, NULL },
    { "InvariantCulture", ci_invariant, CIT, 0, NULL },
};
static const xv_member ci_members[] = {
    { "Name", ci_name, &expr_class_string, 0, NULL },
};
static const xv_method ci_methods[] = {
    { "ToString", 0, 0, ci_to_string, &expr_class_string, 0, NULL },
};
static const xv_method ci_smethods[] = {
    { "GetCultureInfo", 1, 1, ci_get, CIT, 0, NULL },
};
static const char *const ci_aliases[] = { "System.Globalization.CultureInfo", NULL };
const xv_class expr_class_cultureinfo = {
    .name = "CultureInfo",
    .aliases = ci_aliases,
    .base = &expr_class_object,
    .members = ci_members,
    .nmembers = 1,
    .methods = ci_methods,
    .nmethods = 1,
    .smembers = ci_statics,
    .nsmembers = sizeof ci_statics / sizeof ci_statics[0],
    .smethods = ci_smethods,
    .nsmethods = 1,
    .ctor = ci_get,
    .ctor_min = 1,
    .ctor_max = 2,
};
