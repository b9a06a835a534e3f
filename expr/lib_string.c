/* System.String: instance members (Length, Chars, searching, slicing, Split, Trim, case).
 * Statics, Char, StringBuilder and the comparison enums are in lib_string2.c.
 * Strings are UTF-8; every length and index counts UTF-16 code units as .NET does (ASCII
 * strings take the byte = code unit fast path). */
#include <string.h>

#include "lib1.h"

#define SELF(c) ((c)->self.u.s.ptr ? (c)->self.u.s : STR_LIT(""))

static int out_str(xv *out, str s)
{
    *out = xv_str(s);
    return 0;
}

static int aoor(expr_env *env, const char *who, const char *param, const char *msg)
{
    return expr_throw(env, "ArgumentOutOfRangeException", "%s (Parameter '%s') in %s", msg, param,
                      who);
}

/* u16 index -> byte offset, with the ASCII fast path */
static size_t off_of(str s, bool ascii, size_t idx)
{
    return ascii ? idx : lib1_u16_off(s, idx);
}

static size_t idx_of(str s, bool ascii, size_t off)
{
    return ascii ? off : lib1_u16_idx(s, off);
}

static size_t len16(str s, bool ascii)
{
    return ascii ? s.len : lib1_u16_len(s);
}

/* ---- comparison ---- */

static bool is_ci_mode(int mode)
{
    return mode == 1 || mode == 3 || mode == 5;
}

/* Optional trailing StringComparison (or bool ignoreCase[, culture]) argument at i. */
static int mode_arg(xv_call *c, size_t i, const char *who, int *mode)
{
    if (i >= c->nargs)
        return 0;
    xv v = c->args[i];
    if (v.kind == XV_BOOL) {
        *mode = v.u.b ? 5 : 4;
        return 0;
    }
    int m = expr_string_comparer_mode(v);
    if (m < 0)
        return lib1_arg_error(c, i, who, "StringComparison");
    *mode = m;
    return 0;
}

/* Byte offset of needle within hay[from, to) (the match must fit), or -1. */
static long find_range(expr_env *env, str hay, size_t from, size_t to, str needle, bool ci,
                       bool last, bool *oom)
{
    *oom = false;
    if (ci) {
        if (lib1_case(env, hay, true, &hay) < 0 || lib1_case(env, needle, true, &needle) < 0) {
            *oom = true;
            return -1;
        }
    }
    if (needle.len > to - from || to > hay.len)
        return -1;
    if (needle.len == 0)
        return (long)(last ? to : from);
    if (last) {
        for (size_t i = to - needle.len + 1; i-- > from;)
            if (memcmp(hay.ptr + i, needle.ptr, needle.len) == 0)
                return (long)i;
        return -1;
    }
    for (size_t i = from; i + needle.len <= to; i++) {
        const char *p = memchr(hay.ptr + i, needle.ptr[0], to - i);
        if (!p)
            break;
        i = (size_t)(p - hay.ptr);
        if (i + needle.len > to)
            break;
        if (memcmp(p, needle.ptr, needle.len) == 0)
            return (long)i;
    }
    return -1;
}

/* The first argument of IndexOf/Contains/StartsWith...: a string or a char, as UTF-8. */
static int needle_arg(xv_call *c, size_t i, const char *who, str *out)
{
    xv v = i < c->nargs ? c->args[i] : xv_null();
    if (v.kind == XV_CHAR)
        return lib1_char_str(c->env, v.u.ch, out);
    return lib1_str(c, i, who, out, NULL);
}

static int str_contains(xv_call *c, xv *out)
{
    str s = SELF(c), n;
    int mode = 4;
    if (needle_arg(c, 0, "String.Contains", &n) < 0 || mode_arg(c, 1, "String.Contains", &mode) < 0)
        return -1;
    bool oom;
    long r = find_range(c->env, s, 0, s.len, n, is_ci_mode(mode), false, &oom);
    if (oom)
        return lib1_oom(c->env);
    *out = xv_bool(r >= 0);
    return 0;
}

static int starts_ends(xv_call *c, xv *out, bool ends, const char *who)
{
    str s = SELF(c), n;
    int mode = 0;
    if (needle_arg(c, 0, who, &n) < 0 || mode_arg(c, 1, who, &mode) < 0)
        return -1;
    if (n.len > s.len) {
        *out = xv_bool(false);
        return 0;
    }
    str part = ends ? str_make(s.ptr + s.len - n.len, n.len) : str_make(s.ptr, n.len);
    *out = xv_bool(expr_string_equals(part, n, mode));
    return 0;
}

static int s_starts_with(xv_call *c, xv *out)
{
    return starts_ends(c, out, false, "String.StartsWith");
}

static int s_ends_with(xv_call *c, xv *out)
{
    return starts_ends(c, out, true, "String.EndsWith");
}

static int str_equals(xv_call *c, xv *out)
{
    int mode = 4;
    if (mode_arg(c, 1, "String.Equals", &mode) < 0)
        return -1;
    xv o = lib1_unjson(c->env, c->args[0]);
    *out = xv_bool(o.kind == XV_STR && expr_string_equals(SELF(c), o.u.s, mode));
    return 0;
}

static int str_compare_to(xv_call *c, xv *out)
{
    xv o = lib1_unjson(c->env, c->args[0]);
    if (o.kind == XV_NULL) {
        *out = xv_int(1);
        return 0;
    }
    if (o.kind != XV_STR)
        return expr_throw(c->env, "ArgumentException", "Object must be of type String.");
    *out = xv_int(expr_string_compare(SELF(c), o.u.s, 0));
    return 0;
}

static int str_get_hash_code(xv_call *c, xv *out)
{
    *out = xv_int(expr_string_hash(SELF(c), false));
    return 0;
}

/* ---- IndexOf family ---- */

static int index_of(xv_call *c, xv *out, bool last, const char *who)
{
    str s = SELF(c), n;
    if (needle_arg(c, 0, who, &n) < 0)
        return -1;
    bool ascii = lib1_is_ascii(s);
    int64_t len = (int64_t)len16(s, ascii);
    size_t nint = 0;
    int64_t iv[2] = { 0, 0 };
    int mode = c->args[0].kind == XV_CHAR ? 4 : 0;
    for (size_t i = 1; i < c->nargs; i++) {
        if (c->args[i].kind == XV_INT && nint < 2 && i == nint + 1) {
            iv[nint++] = c->args[i].u.i;
        } else if (i == c->nargs - 1) {
            if (mode_arg(c, i, who, &mode) < 0)
                return -1;
        } else {
            return lib1_arg_error(c, i, who, "int");
        }
    }
    int64_t from, to;
    if (!last) {
        from = nint > 0 ? iv[0] : 0;
        if (from < 0 || from > len)
            return aoor(c->env, who, "startIndex",
                        "Index was out of range. Must be non-negative and less than or equal to "
                        "the size of the collection.");
        int64_t cnt = nint > 1 ? iv[1] : len - from;
        if (cnt < 0 || from + cnt > len)
            return aoor(c->env, who, "count",
                        "Count must be positive and count must refer to a location within the "
                        "string/array/collection.");
        to = from + cnt;
    } else {
        int64_t st = nint > 0 ? iv[0] : len - 1;
        if (len == 0 && (st == -1 || st == 0)) {
            *out = xv_int(n.len == 0 ? 0 : -1);
            return 0;
        }
        if (st < 0 || st > len)
            return aoor(c->env, who, "startIndex",
                        "Index was out of range. Must be non-negative and less than the size of "
                        "the collection.");
        int64_t cnt = nint > 1 ? iv[1] : st + 1;
        if (st == len) {
            st--;
            if (cnt > 0)
                cnt--;
        }
        if (cnt < 0 || st - cnt + 1 < 0)
            return aoor(c->env, who, "count",
                        "Count must be positive and count must refer to a location within the "
                        "string/array/collection.");
        from = st - cnt + 1;
        to = st + 1;
    }
    bool oom;
    long r = find_range(c->env, s, off_of(s, ascii, (size_t)from), off_of(s, ascii, (size_t)to), n,
                        is_ci_mode(mode), last, &oom);
    if (oom)
        return lib1_oom(c->env);
    if (last && r >= 0 && n.len == 0 && nint == 0)
        r = (long)s.len; /* "abc".LastIndexOf("") == 3 (.NET 5+) */
    *out = xv_int(r < 0 ? -1 : (int64_t)idx_of(s, ascii, (size_t)r));
    return 0;
}

static int str_index_of(xv_call *c, xv *out)
{
    return index_of(c, out, false, "String.IndexOf");
}

static int str_last_index_of(xv_call *c, xv *out)
{
    return index_of(c, out, true, "String.LastIndexOf");
}

/* A char[] argument (list of chars) as a set of code units. */
static int char_set_arg(xv_call *c, size_t i, const char *who, uint16_t **set, size_t *n)
{
    xv v = c->args[i];
    if (v.kind == XV_CHAR) {
        *set = arena_alloc(c->env->a, sizeof **set);
        if (!*set)
            return lib1_oom(c->env);
        (*set)[0] = v.u.ch;
        *n = 1;
        return 0;
    }
    if (v.kind == XV_NULL) {
        *set = NULL;
        *n = 0;
        return 0;
    }
    if (v.kind != XV_LIST)
        return lib1_arg_error(c, i, who, "char[]");
    *n = v.u.list->n;
    *set = arena_alloc(c->env->a, (*n + 1) * sizeof **set);
    if (!*set)
        return lib1_oom(c->env);
    for (size_t k = 0; k < *n; k++) {
        if (v.u.list->items[k].kind != XV_CHAR)
            return lib1_arg_error(c, i, who, "char[]");
        (*set)[k] = v.u.list->items[k].u.ch;
    }
    return 0;
}

static bool in_set(const uint16_t *set, size_t n, uint32_t cp)
{
    for (size_t k = 0; k < n; k++)
        if (set[k] == cp)
            return true;
    return false;
}

static int index_of_any(xv_call *c, xv *out, bool last, const char *who)
{
    str s = SELF(c);
    uint16_t *set;
    size_t nset;
    if (char_set_arg(c, 0, who, &set, &nset) < 0)
        return -1;
    if (!set)
        return lib1_null_arg(c->env, who, "anyOf");
    int64_t len = (int64_t)lib1_u16_len(s), from = 0, to = len, a1 = 0, a2 = 0;
    if (c->nargs > 1 && lib1_int(c, 1, who, &a1) < 0)
        return -1;
    if (c->nargs > 2 && lib1_int(c, 2, who, &a2) < 0)
        return -1;
    if (!last) {
        from = c->nargs > 1 ? a1 : 0;
        to = c->nargs > 2 ? from + a2 : len;
        if (from < 0 || from > len || to < from || to > len)
            return aoor(c->env, who, "startIndex", "Index was out of range.");
    } else {
        to = (c->nargs > 1 ? a1 : len - 1) + 1;
        from = c->nargs > 2 ? to - a2 : 0;
        if (len == 0) {
            *out = xv_int(-1);
            return 0;
        }
        if (to < 1 || to > len || from < 0 || from > to)
            return aoor(c->env, who, "startIndex", "Index was out of range.");
    }
    int64_t found = -1;
    for (int64_t k = from; k < to; k++) {
        if (in_set(set, nset, lib1_u16_at(s, (size_t)k))) {
            found = k;
            if (!last)
                break;
        }
    }
    *out = xv_int(found);
    return 0;
}

static int str_index_of_any(xv_call *c, xv *out)
{
    return index_of_any(c, out, false, "String.IndexOfAny");
}

static int str_last_index_of_any(xv_call *c, xv *out)
{
    return index_of_any(c, out, true, "String.LastIndexOfAny");
}

/* ---- slicing ---- */

static int str_substring(xv_call *c, xv *out)
{
    str s = SELF(c);
    int64_t start, n;
    if (lib1_int(c, 0, "String.Substring", &start) < 0)
        return -1;
    bool ascii = lib1_is_ascii(s);
    int64_t len = (int64_t)len16(s, ascii);
    if (start < 0 || start > len)
        return aoor(c->env, "String.Substring", "startIndex",
                    start < 0 ? "StartIndex cannot be less than zero."
                              : "startIndex cannot be larger than length of string.");
    n = len - start;
    if (c->nargs > 1) {
        if (lib1_int(c, 1, "String.Substring", &n) < 0)
            return -1;
        if (n < 0 || start + n > len)
            return aoor(c->env, "String.Substring", "length",
                        n < 0 ? "Length cannot be less than zero."
                              : "Index and length must refer to a location within the string.");
    }
    size_t b0 = off_of(s, ascii, (size_t)start), b1 = off_of(s, ascii, (size_t)(start + n));
    return out_str(out, str_make(s.ptr + b0, b1 - b0));
}

static int concat3(expr_env *env, str a, str b, str d, xv *out)
{
    lib1_sb sb;
    lib1_sb_init(&sb, env, a.len + b.len + d.len);
    lib1_sb_str(&sb, a);
    lib1_sb_str(&sb, b);
    lib1_sb_str(&sb, d);
    str r;
    if (lib1_sb_done(&sb, &r) < 0)
        return -1;
    return out_str(out, r);
}

static int str_insert(xv_call *c, xv *out)
{
    str s = SELF(c), v;
    int64_t at;
    if (lib1_int(c, 0, "String.Insert", &at) < 0 || lib1_str(c, 1, "String.Insert", &v, NULL) < 0)
        return -1;
    bool ascii = lib1_is_ascii(s);
    if (at < 0 || at > (int64_t)len16(s, ascii))
        return aoor(c->env, "String.Insert", "startIndex",
                    "Index was out of range. Must be non-negative and less than or equal to the "
                    "size of the collection.");
    size_t b = off_of(s, ascii, (size_t)at);
    return concat3(c->env, str_make(s.ptr, b), v, str_make(s.ptr + b, s.len - b), out);
}

static int str_remove(xv_call *c, xv *out)
{
    str s = SELF(c);
    int64_t start, n;
    if (lib1_int(c, 0, "String.Remove", &start) < 0)
        return -1;
    bool ascii = lib1_is_ascii(s);
    int64_t len = (int64_t)len16(s, ascii);
    if (start < 0 || start > len)
        return aoor(c->env, "String.Remove", "startIndex",
                    "startIndex must be less than length of string.");
    n = len - start;
    if (c->nargs > 1) {
        if (lib1_int(c, 1, "String.Remove", &n) < 0)
            return -1;
        if (n < 0 || start + n > len)
            return aoor(c->env, "String.Remove", "count",
                        "Index and count must refer to a location within the string.");
    }
    size_t b0 = off_of(s, ascii, (size_t)start), b1 = off_of(s, ascii, (size_t)(start + n));
    return concat3(c->env, str_make(s.ptr, b0), STR_LIT(""), str_make(s.ptr + b1, s.len - b1), out);
}

static int pad(xv_call *c, xv *out, bool left, const char *who)
{
    str s = SELF(c);
    int64_t w;
    uint16_t ch = ' ';
    if (lib1_int(c, 0, who, &w) < 0 || (c->nargs > 1 && lib1_char(c, 1, who, &ch) < 0))
        return -1;
    if (w < 0)
        return aoor(c->env, who, "totalWidth", "Non-negative number required.");
    int64_t len = (int64_t)lib1_u16_len(s);
    if (w <= len)
        return out_str(out, s);
    if (w > (1 << 24))
        return expr_throw(c->env, "OutOfMemoryException", "%s: width too large", who);
    lib1_sb b;
    lib1_sb_init(&b, c->env, s.len + (size_t)(w - len) * 3);
    if (!left)
        lib1_sb_str(&b, s);
    for (int64_t k = len; k < w; k++)
        lib1_sb_cp(&b, ch);
    if (left)
        lib1_sb_str(&b, s);
    str r;
    if (lib1_sb_done(&b, &r) < 0)
        return -1;
    return out_str(out, r);
}

static int str_pad_left(xv_call *c, xv *out)
{
    return pad(c, out, true, "String.PadLeft");
}

static int str_pad_right(xv_call *c, xv *out)
{
    return pad(c, out, false, "String.PadRight");
}

/* ---- Replace ---- */

static int str_replace(xv_call *c, xv *out)
{
    str s = SELF(c), from, to;
    bool to_null = false;
    int mode = 4;
    if (c->args[0].kind == XV_CHAR) {
        if (lib1_char_str(c->env, c->args[0].u.ch, &from) < 0)
            return -1;
        uint16_t ch;
        if (lib1_char(c, 1, "String.Replace", &ch) < 0 || lib1_char_str(c->env, ch, &to) < 0)
            return -1;
    } else {
        if (lib1_str(c, 0, "String.Replace", &from, NULL) < 0)
            return -1;
        if (c->nargs > 1 && c->args[1].kind == XV_CHAR)
            return lib1_arg_error(c, 1, "String.Replace", "string");
        if (lib1_str(c, 1, "String.Replace", &to, &to_null) < 0)
            return -1;
        if (mode_arg(c, 2, "String.Replace", &mode) < 0)
            return -1;
        if (from.len == 0)
            return expr_throw(c->env, "ArgumentException",
                              "String cannot be of zero length. (Parameter 'oldValue')");
    }
    str hay = s, pat = from;
    if (is_ci_mode(mode) &&
        (lib1_case(c->env, s, true, &hay) < 0 || lib1_case(c->env, from, true, &pat) < 0))
        return -1;
    lib1_sb b;
    lib1_sb_init(&b, c->env, s.len);
    size_t i = 0, last = 0;
    bool any = false;
    while (i + pat.len <= hay.len) {
        const char *p = memchr(hay.ptr + i, pat.ptr[0], hay.len - i);
        if (!p || (size_t)(p - hay.ptr) + pat.len > hay.len)
            break;
        i = (size_t)(p - hay.ptr);
        if (memcmp(p, pat.ptr, pat.len) == 0) {
            lib1_sb_add(&b, s.ptr + last, i - last);
            lib1_sb_str(&b, to);
            i += pat.len;
            last = i;
            any = true;
        } else {
            i++;
        }
    }
    if (!any)
        return out_str(out, s);
    lib1_sb_add(&b, s.ptr + last, s.len - last);
    str r;
    if (lib1_sb_done(&b, &r) < 0)
        return -1;
    return out_str(out, r);
}

/* ---- Trim ---- */

static int trim(xv_call *c, xv *out, bool start, bool end, const char *who)
{
    str s = SELF(c);
    uint16_t *set = NULL;
    size_t nset = 0;
    if (c->nargs == 1 && c->args[0].kind != XV_CHAR) {
        if (char_set_arg(c, 0, who, &set, &nset) < 0)
            return -1;
    } else if (c->nargs > 0) {
        set = arena_alloc(c->env->a, c->nargs * sizeof *set);
        if (!set)
            return lib1_oom(c->env);
        for (size_t i = 0; i < c->nargs; i++)
            if (lib1_char(c, i, who, &set[nset++]) < 0)
                return -1;
    }
    bool ws = nset == 0;
    size_t b = 0, e = s.len;
    while (start && b < e) {
        size_t adv;
        uint32_t cp = lib1_utf8_dec(s.ptr + b, e - b, &adv);
        if (!(ws ? lib1_is_space(cp) : in_set(set, nset, cp)))
            break;
        b += adv;
    }
    while (end && e > b) {
        size_t k = e - 1;
        while (k > b && ((unsigned char)s.ptr[k] & 0xC0) == 0x80)
            k--;
        size_t adv;
        uint32_t cp = lib1_utf8_dec(s.ptr + k, e - k, &adv);
        if (k + adv != e)
            cp = 0xFFFD;
        if (!(ws ? lib1_is_space(cp) : in_set(set, nset, cp)))
            break;
        e = k;
    }
    return out_str(out, str_make(s.ptr + b, e - b));
}

static int s_trim(xv_call *c, xv *out)
{
    return trim(c, out, true, true, "String.Trim");
}

static int str_trim_start(xv_call *c, xv *out)
{
    return trim(c, out, true, false, "String.TrimStart");
}

static int str_trim_end(xv_call *c, xv *out)
{
    return trim(c, out, false, true, "String.TrimEnd");
}

/* ---- case, misc ---- */

static int str_to_lower(xv_call *c, xv *out)
{
    str r;
    if (lib1_case(c->env, SELF(c), false, &r) < 0)
        return -1;
    return out_str(out, r);
}

static int str_to_upper(xv_call *c, xv *out)
{
    str r;
    if (lib1_case(c->env, SELF(c), true, &r) < 0)
        return -1;
    return out_str(out, r);
}

static int str_self(xv_call *c, xv *out)
{
    *out = c->self;
    return 0;
}

static int str_is_normalized(xv_call *c, xv *out)
{
    (void)c;
    *out = xv_bool(true);
    return 0;
}

static int chars_of(expr_env *env, str s, size_t from, size_t n, xv *out)
{
    xv_list *l = xv_list_new(env, XV_LIST_ARRAY, &expr_class_char);
    if (!l)
        return lib1_oom(env);
    for (size_t k = from; k < from + n; k++)
        if (xv_list_push(env, l, xv_char(lib1_u16_at(s, k))) < 0)
            return -1;
    out->kind = XV_LIST;
    out->sub = 0;
    out->u.list = l;
    return 0;
}

static int str_to_char_array(xv_call *c, xv *out)
{
    str s = SELF(c);
    int64_t len = (int64_t)lib1_u16_len(s), from = 0, n = len;
    if (c->nargs == 2) {
        if (lib1_int(c, 0, "String.ToCharArray", &from) < 0 ||
            lib1_int(c, 1, "String.ToCharArray", &n) < 0)
            return -1;
        if (from < 0 || n < 0 || from + n > len)
            return aoor(c->env, "String.ToCharArray", "startIndex", "Index was out of range.");
    }
    if (lib1_is_ascii(s)) {
        xv_list *l = xv_list_new(c->env, XV_LIST_ARRAY, &expr_class_char);
        if (!l)
            return lib1_oom(c->env);
        for (int64_t k = from; k < from + n; k++)
            if (xv_list_push(c->env, l, xv_char((uint8_t)s.ptr[k])) < 0)
                return -1;
        out->kind = XV_LIST;
        out->sub = 0;
        out->u.list = l;
        return 0;
    }
    return chars_of(c->env, s, (size_t)from, (size_t)n, out);
}

static int str_enumerate(expr_env *env, xv self, xv *out)
{
    str s = self.u.s.ptr ? self.u.s : STR_LIT("");
    return chars_of(env, s, 0, lib1_u16_len(s), out);
}

static int str_index_get(xv_call *c, xv *out)
{
    str s = SELF(c);
    int64_t i;
    if (lib1_int(c, 0, "String.Chars", &i) < 0)
        return -1;
    bool ascii = lib1_is_ascii(s);
    if (i < 0 || i >= (int64_t)len16(s, ascii))
        return expr_throw(c->env, "IndexOutOfRangeException",
                          "Index was outside the bounds of the array.");
    *out = xv_char(ascii ? (uint8_t)s.ptr[i] : lib1_u16_at(s, (size_t)i));
    return 0;
}

static int str_length(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_int((int64_t)lib1_u16_len(self.u.s.ptr ? self.u.s : STR_LIT("")));
    return 0;
}

/* ---- the class ---- */

#define S &expr_class_string
#define I &expr_class_int
#define B &expr_class_bool
#define L &expr_class_list
static const xv_method string_methods[] = {
    /* sorted by name */
    { "Clone", 0, 0, str_self, S, 0, NULL },
    { "CompareTo", 1, 1, str_compare_to, I, 0, NULL },
    { "Contains", 1, 2, str_contains, B, 0, NULL },
    { "EndsWith", 1, 3, s_ends_with, B, 0, NULL },
    { "Equals", 1, 2, str_equals, B, 0, NULL },
    { "GetHashCode", 0, 0, str_get_hash_code, I, 0, NULL },
    { "IndexOf", 1, 4, str_index_of, I, 0, NULL },
    { "IndexOfAny", 1, 3, str_index_of_any, I, 0, NULL },
    { "Insert", 2, 2, str_insert, S, 0, NULL },
    { "IsNormalized", 0, 1, str_is_normalized, B, 0, NULL },
    { "LastIndexOf", 1, 4, str_last_index_of, I, 0, NULL },
    { "LastIndexOfAny", 1, 3, str_last_index_of_any, I, 0, NULL },
    { "Normalize", 0, 1, str_self, S, 0, NULL },
    { "PadLeft", 1, 2, str_pad_left, S, 0, NULL },
    { "PadRight", 1, 2, str_pad_right, S, 0, NULL },
    { "Remove", 1, 2, str_remove, S, 0, NULL },
    { "Replace", 2, 3, str_replace, S, 0, NULL },
    { "Split", 0, 3, lib1_str_split, L, XV_M_VARARGS, NULL },
    { "StartsWith", 1, 3, s_starts_with, B, 0, NULL },
    { "Substring", 1, 2, str_substring, S, 0, NULL },
    { "ToCharArray", 0, 2, str_to_char_array, L, 0, NULL },
    { "ToLower", 0, 1, str_to_lower, S, 0, NULL },
    { "ToLowerInvariant", 0, 0, str_to_lower, S, 0, NULL },
    { "ToString", 0, 1, str_self, S, 0, NULL },
    { "ToUpper", 0, 1, str_to_upper, S, 0, NULL },
    { "ToUpperInvariant", 0, 0, str_to_upper, S, 0, NULL },
    { "Trim", 0, 1, s_trim, S, XV_M_VARARGS, NULL },
    { "TrimEnd", 0, 1, str_trim_end, S, XV_M_VARARGS, NULL },
    { "TrimStart", 0, 1, str_trim_start, S, XV_M_VARARGS, NULL },
};

static const xv_member string_members[] = {
    { "Length", str_length, I, 0, NULL },
};

static const xv_method string_smethods[] = {
    /* sorted by name */
    { "Compare", 2, 3, lib1_str_compare, I, 0, NULL },
    { "CompareOrdinal", 2, 2, lib1_str_compare_ordinal, I, 0, NULL },
    { "Concat", 0, 0, lib1_str_concat, S, XV_M_VARARGS, NULL },
    { "Copy", 1, 1, lib1_str_copy, S, 0, NULL },
    { "Equals", 2, 3, lib1_str_equals_static, B, 0, NULL },
    { "Format", 1, 0, lib1_str_format, S, XV_M_VARARGS, NULL },
    { "IsNullOrEmpty", 1, 1, lib1_str_is_null_or_empty, B, 0, NULL },
    { "IsNullOrWhiteSpace", 1, 1, lib1_str_is_null_or_white_space, B, 0, NULL },
    { "Join", 1, 0, lib1_str_join, S, XV_M_VARARGS, NULL },
};

static int str_empty(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_str(STR_LIT(""));
    return 0;
}

static const xv_member string_smembers[] = {
    { "Empty", str_empty, S, 0, NULL },
};

static const char *const string_aliases[] = { "string", "System.String", NULL };

const xv_class expr_class_string = {
    .name = "String",
    .aliases = string_aliases,
    .base = &expr_class_object,
    .flags = XV_CLASS_ENUMERABLE,
    .members = string_members,
    .nmembers = sizeof string_members / sizeof string_members[0],
    .methods = string_methods,
    .nmethods = sizeof string_methods / sizeof string_methods[0],
    .smembers = string_smembers,
    .nsmembers = sizeof string_smembers / sizeof string_smembers[0],
    .smethods = string_smethods,
    .nsmethods = sizeof string_smethods / sizeof string_smethods[0],
    .ctor = lib1_string_ctor,
    .ctor_min = 1,
    .ctor_max = 3,
    .index_get = str_index_get,
    .enumerate = str_enumerate,
};
