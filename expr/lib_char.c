/* System.Char and System.Text.StringBuilder; the "string" library group. */
#include <string.h>

#include "lib1.h"

/* ---- Char ---- */

/* The char argument of Char.IsX(c) or Char.IsX(s, index). */
static int char_arg(xv_call *c, const char *who, uint32_t *out)
{
    if (c->nargs == 2) {
        str s;
        int64_t i;
        if (lib1_str(c, 0, who, &s, NULL) < 0 || lib1_int(c, 1, who, &i) < 0)
            return -1;
        if (i < 0 || i >= (int64_t)lib1_u16_len(s))
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Index was out of range. (Parameter 'index')");
        *out = lib1_u16_at(s, (size_t)i);
        return 0;
    }
    uint16_t ch;
    if (lib1_char(c, 0, who, &ch) < 0)
        return -1;
    *out = ch;
    return 0;
}

#define CHAR_PRED(fn, who, expr)                                                                   \
    static int fn(xv_call *c, xv *out)                                                             \
    {                                                                                              \
        uint32_t ch;                                                                               \
        if (char_arg(c, who, &ch) < 0)                                                             \
            return -1;                                                                             \
        *out = xv_bool(expr);                                                                      \
        return 0;                                                                                  \
    }

static bool is_punct(uint32_t ch)
{
    if (ch < 0x80)
        return strchr("!\"#%&'()*,-./:;?@[\\]_{}", (int)ch) && ch != 0;
    return ch == 0xA1 || ch == 0xA7 || ch == 0xAB || ch == 0xB6 || ch == 0xB7 || ch == 0xBB ||
           ch == 0xBF || (ch >= 0x2010 && ch <= 0x2027) || (ch >= 0x3001 && ch <= 0x3003);
}

static bool is_symbol(uint32_t ch)
{
    if (ch < 0x80)
        return ch && strchr("$+<=>^`|~", (int)ch);
    return ch == 0xA2 || ch == 0xA3 || ch == 0xA4 || ch == 0xA5 || ch == 0xA6 || ch == 0xA8 ||
           ch == 0xA9 || ch == 0xAC || ch == 0xAE || ch == 0xAF || ch == 0xB0 || ch == 0xB1 ||
           ch == 0xB4 || ch == 0xB8 || ch == 0xD7 || ch == 0xF7 || ch == 0x20AC;
}

CHAR_PRED(ch_is_digit, "Char.IsDigit", lib1_is_digit(ch))
CHAR_PRED(ch_is_number, "Char.IsNumber",
          lib1_is_digit(ch) || ch == 0xB2 || ch == 0xB3 || ch == 0xB9 || (ch >= 0xBC && ch <= 0xBE))
CHAR_PRED(ch_is_letter, "Char.IsLetter", lib1_is_letter(ch))
CHAR_PRED(ch_is_letter_or_digit, "Char.IsLetterOrDigit", lib1_is_letter(ch) || lib1_is_digit(ch))
CHAR_PRED(ch_is_white_space, "Char.IsWhiteSpace", lib1_is_space(ch))
CHAR_PRED(ch_is_upper, "Char.IsUpper", lib1_lower(ch) != ch)
CHAR_PRED(ch_is_lower, "Char.IsLower", lib1_upper(ch) != ch || ch == 0xDF)
CHAR_PRED(ch_is_punctuation, "Char.IsPunctuation", is_punct(ch))
CHAR_PRED(ch_is_symbol, "Char.IsSymbol", is_symbol(ch))
CHAR_PRED(ch_is_control, "Char.IsControl", ch < 0x20 || (ch >= 0x7F && ch < 0xA0))
CHAR_PRED(ch_is_surrogate, "Char.IsSurrogate", ch >= 0xD800 && ch < 0xE000)
CHAR_PRED(ch_is_high_surrogate, "Char.IsHighSurrogate", ch >= 0xD800 && ch < 0xDC00)
CHAR_PRED(ch_is_low_surrogate, "Char.IsLowSurrogate", ch >= 0xDC00 && ch < 0xE000)
CHAR_PRED(ch_is_ascii, "Char.IsAscii", ch < 0x80)
CHAR_PRED(ch_is_separator, "Char.IsSeparator",
          ch == ' ' || ch == 0xA0 || ch == 0x1680 || (ch >= 0x2000 && ch <= 0x200A) ||
              ch == 0x2028 || ch == 0x2029 || ch == 0x202F || ch == 0x205F || ch == 0x3000)

static int ch_to_upper(xv_call *c, xv *out)
{
    uint16_t ch;
    if (lib1_char(c, 0, "Char.ToUpper", &ch) < 0)
        return -1;
    *out = xv_char((uint16_t)lib1_upper(ch));
    return 0;
}

static int ch_to_lower(xv_call *c, xv *out)
{
    uint16_t ch;
    if (lib1_char(c, 0, "Char.ToLower", &ch) < 0)
        return -1;
    *out = xv_char((uint16_t)lib1_lower(ch));
    return 0;
}

static int ch_to_string_static(xv_call *c, xv *out)
{
    uint16_t ch;
    str s;
    if (lib1_char(c, 0, "Char.ToString", &ch) < 0 || lib1_char_str(c->env, ch, &s) < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

static int ch_parse_common(xv_call *c, bool try, xv *out)
{
    str s;
    bool isnull;
    if (lib1_str(c, 0, try ? "Char.TryParse" : "Char.Parse", &s, &isnull) < 0)
        return -1;
    bool ok = !isnull && lib1_u16_len(s) == 1;
    uint16_t ch = ok ? lib1_u16_at(s, 0) : 0;
    if (try) {
        lib1_set_out(c, 1, xv_char(ch));
        *out = xv_bool(ok);
        return 0;
    }
    if (isnull)
        return lib1_null_arg(c->env, "Char.Parse", "s");
    if (!ok)
        return expr_throw(c->env, "FormatException", "String must be exactly one character long.");
    *out = xv_char(ch);
    return 0;
}

static int ch_parse(xv_call *c, xv *out)
{
    return ch_parse_common(c, false, out);
}

static int ch_try_parse(xv_call *c, xv *out)
{
    return ch_parse_common(c, true, out);
}

static int ch_numeric(xv_call *c, xv *out)
{
    uint32_t ch;
    if (char_arg(c, "Char.GetNumericValue", &ch) < 0)
        return -1;
    *out = xv_double(ch >= '0' && ch <= '9' ? (double)(ch - '0') : -1.0);
    return 0;
}

static int ch_self_string(xv_call *c, xv *out)
{
    str s;
    if (lib1_char_str(c->env, c->self.u.ch, &s) < 0)
        return -1;
    *out = xv_str(s);
    return 0;
}

static int ch_compare_to(xv_call *c, xv *out)
{
    uint16_t ch;
    if (lib1_char(c, 0, "Char.CompareTo", &ch) < 0)
        return -1;
    *out = xv_int((int64_t)c->self.u.ch - ch);
    return 0;
}

static int ch_equals(xv_call *c, xv *out)
{
    *out = xv_bool(c->args[0].kind == XV_CHAR && c->args[0].u.ch == c->self.u.ch);
    return 0;
}

static int ch_hash(xv_call *c, xv *out)
{
    *out = xv_int((int64_t)c->self.u.ch | ((int64_t)c->self.u.ch << 16));
    return 0;
}

static int ch_max(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_char(0xFFFF);
    return 0;
}

static int ch_min(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_char(0);
    return 0;
}

#define B &expr_class_bool
#define C &expr_class_char
static const xv_method char_smethods[] = {
    /* sorted */
    { "GetNumericValue", 1, 2, ch_numeric, &expr_class_double, 0, NULL },
    { "IsAscii", 1, 1, ch_is_ascii, B, 0, NULL },
    { "IsControl", 1, 2, ch_is_control, B, 0, NULL },
    { "IsDigit", 1, 2, ch_is_digit, B, 0, NULL },
    { "IsHighSurrogate", 1, 2, ch_is_high_surrogate, B, 0, NULL },
    { "IsLetter", 1, 2, ch_is_letter, B, 0, NULL },
    { "IsLetterOrDigit", 1, 2, ch_is_letter_or_digit, B, 0, NULL },
    { "IsLowSurrogate", 1, 2, ch_is_low_surrogate, B, 0, NULL },
    { "IsLower", 1, 2, ch_is_lower, B, 0, NULL },
    { "IsNumber", 1, 2, ch_is_number, B, 0, NULL },
    { "IsPunctuation", 1, 2, ch_is_punctuation, B, 0, NULL },
    { "IsSeparator", 1, 2, ch_is_separator, B, 0, NULL },
    { "IsSurrogate", 1, 2, ch_is_surrogate, B, 0, NULL },
    { "IsSymbol", 1, 2, ch_is_symbol, B, 0, NULL },
    { "IsUpper", 1, 2, ch_is_upper, B, 0, NULL },
    { "IsWhiteSpace", 1, 2, ch_is_white_space, B, 0, NULL },
    { "Parse", 1, 1, ch_parse, C, 0, NULL },
    { "ToLower", 1, 2, ch_to_lower, C, 0, NULL },
    { "ToLowerInvariant", 1, 1, ch_to_lower, C, 0, NULL },
    { "ToString", 1, 1, ch_to_string_static, &expr_class_string, 0, NULL },
    { "ToUpper", 1, 2, ch_to_upper, C, 0, NULL },
    { "ToUpperInvariant", 1, 1, ch_to_upper, C, 0, NULL },
    { "TryParse", 2, 2, ch_try_parse, B, XV_M_OUT_LAST, NULL },
};
static const xv_method char_methods[] = {
    { "CompareTo", 1, 1, ch_compare_to, &expr_class_int, 0, NULL },
    { "Equals", 1, 1, ch_equals, B, 0, NULL },
    { "GetHashCode", 0, 0, ch_hash, &expr_class_int, 0, NULL },
    { "ToString", 0, 1, ch_self_string, &expr_class_string, 0, NULL },
};
static const xv_member char_smembers[] = {
    { "MaxValue", ch_max, C, 0, NULL },
    { "MinValue", ch_min, C, 0, NULL },
};
static const char *const char_aliases[] = { "char", "System.Char", NULL };
const xv_class expr_class_char = {
    .name = "Char",
    .aliases = char_aliases,
    .base = &expr_class_object,
    .methods = char_methods,
    .nmethods = sizeof char_methods / sizeof char_methods[0],
    .smembers = char_smembers,
    .nsmembers = sizeof char_smembers / sizeof char_smembers[0],
    .smethods = char_smethods,
    .nsmethods = sizeof char_smethods / sizeof char_smethods[0],
};

/* ---- StringBuilder: an XV_OBJ over a growable arena buffer ---- */

static const xv_class class_stringbuilder;

typedef struct sbobj {
    lib1_sb b;
} sbobj;

static sbobj *sb_self(xv_call *c)
{
    sbobj *o = c->self.u.obj.ptr;
    o->b.env = c->env;
    return o;
}

static str sb_text(sbobj *o)
{
    return o->b.p ? str_make(o->b.p, o->b.len) : STR_LIT("");
}

static int sb_ctor(xv_call *c, xv *out)
{
    sbobj *o = arena_alloc(c->env->a, sizeof *o);
    if (!o)
        return lib1_oom(c->env);
    lib1_sb_init(&o->b, c->env, 0);
    if (c->nargs > 0 && c->args[0].kind != XV_INT) {
        str s;
        bool isnull;
        if (lib1_str(c, 0, "StringBuilder..ctor", &s, &isnull) < 0)
            return -1;
        lib1_sb_str(&o->b, s);
    }
    if (o->b.oom)
        return lib1_oom(c->env);
    *out = xv_obj(&class_stringbuilder, o);
    return 0;
}

/* Appends the string form of v (char arrays as their characters). */
static int sb_append_value(xv_call *c, sbobj *o, xv v)
{
    if (v.kind == XV_NULL)
        return 0;
    if (v.kind == XV_CHAR) {
        lib1_sb_cp(&o->b, v.u.ch);
        return 0;
    }
    if (v.kind == XV_LIST && v.u.list->elem == &expr_class_char) {
        for (size_t k = 0; k < v.u.list->n; k++)
            if (v.u.list->items[k].kind == XV_CHAR)
                lib1_sb_cp(&o->b, v.u.list->items[k].u.ch);
        return 0;
    }
    str s;
    if (xv_to_string(c->env, v, &s) < 0)
        return -1;
    lib1_sb_str(&o->b, s);
    return 0;
}

static int sb_done(xv_call *c, sbobj *o, xv *out)
{
    if (o->b.oom)
        return lib1_oom(c->env);
    *out = c->self;
    return 0;
}

static int sb_append(xv_call *c, xv *out)
{
    sbobj *o = sb_self(c);
    if (c->nargs == 2 && c->args[0].kind == XV_CHAR) { /* Append(char, repeatCount) */
        int64_t n;
        if (lib1_int(c, 1, "StringBuilder.Append", &n) < 0)
            return -1;
        if (n < 0)
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Count cannot be less than zero. (Parameter 'repeatCount')");
        if (n > (1 << 24))
            return expr_throw(c->env, "OutOfMemoryException",
                              "StringBuilder.Append: count too large");
        for (int64_t k = 0; k < n; k++)
            lib1_sb_cp(&o->b, c->args[0].u.ch);
        return sb_done(c, o, out);
    }
    if (c->nargs == 3) { /* Append(string, start, count) */
        str s;
        int64_t st, n;
        if (lib1_str(c, 0, "StringBuilder.Append", &s, NULL) < 0 ||
            lib1_int(c, 1, "StringBuilder.Append", &st) < 0 ||
            lib1_int(c, 2, "StringBuilder.Append", &n) < 0)
            return -1;
        int64_t len = (int64_t)lib1_u16_len(s);
        if (st < 0 || n < 0 || st + n > len)
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Index was out of range. (Parameter 'startIndex')");
        size_t b0 = lib1_u16_off(s, (size_t)st), b1 = lib1_u16_off(s, (size_t)(st + n));
        lib1_sb_add(&o->b, s.ptr + b0, b1 - b0);
        return sb_done(c, o, out);
    }
    if (c->nargs == 1 && sb_append_value(c, o, c->args[0]) < 0)
        return -1;
    return sb_done(c, o, out);
}

static int sb_append_line(xv_call *c, xv *out)
{
    sbobj *o = sb_self(c);
    if (c->nargs == 1 && sb_append_value(c, o, c->args[0]) < 0)
        return -1;
    lib1_sb_putc(&o->b, '\n');
    return sb_done(c, o, out);
}

static int sb_append_format(xv_call *c, xv *out)
{
    sbobj *o = sb_self(c);
    size_t i = c->args[0].kind == XV_OBJ ? 1 : 0; /* IFormatProvider */
    str fmt, r;
    if (lib1_str(c, i, "StringBuilder.AppendFormat", &fmt, NULL) < 0)
        return -1;
    const xv *args = c->args + i + 1;
    size_t n = c->nargs - i - 1;
    if (n == 1 && args[0].kind == XV_LIST && args[0].u.list->flavor == XV_LIST_ARRAY) {
        n = args[0].u.list->n;
        args = args[0].u.list->items;
    }
    if (expr_string_format(c->env, fmt, args, n, &r) < 0)
        return -1;
    lib1_sb_str(&o->b, r);
    return sb_done(c, o, out);
}

/* Replaces the buffer contents with a[0..) + mid + b[0..). */
static int sb_set(xv_call *c, sbobj *o, str a, str mid, str b)
{
    lib1_sb nb;
    lib1_sb_init(&nb, c->env, a.len + mid.len + b.len + 16);
    lib1_sb_str(&nb, a);
    lib1_sb_str(&nb, mid);
    lib1_sb_str(&nb, b);
    if (nb.oom)
        return lib1_oom(c->env);
    o->b = nb;
    return 0;
}

static int sb_insert(xv_call *c, xv *out)
{
    sbobj *o = sb_self(c);
    int64_t at;
    if (lib1_int(c, 0, "StringBuilder.Insert", &at) < 0)
        return -1;
    str t = sb_text(o), v;
    if (at < 0 || at > (int64_t)lib1_u16_len(t))
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Index was out of range. (Parameter 'index')");
    lib1_sb tmp;
    lib1_sb_init(&tmp, c->env, 16);
    sbobj to = { tmp };
    if (sb_append_value(c, &to, c->args[1]) < 0 || lib1_sb_done(&to.b, &v) < 0)
        return -1;
    size_t b = lib1_u16_off(t, (size_t)at);
    if (sb_set(c, o, str_make(t.ptr, b), v, str_make(t.ptr + b, t.len - b)) < 0)
        return -1;
    return sb_done(c, o, out);
}

static int sb_remove(xv_call *c, xv *out)
{
    sbobj *o = sb_self(c);
    int64_t st, n;
    if (lib1_int(c, 0, "StringBuilder.Remove", &st) < 0 ||
        lib1_int(c, 1, "StringBuilder.Remove", &n) < 0)
        return -1;
    str t = sb_text(o);
    if (st < 0 || n < 0 || st + n > (int64_t)lib1_u16_len(t))
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Index was out of range. (Parameter 'startIndex')");
    size_t b0 = lib1_u16_off(t, (size_t)st), b1 = lib1_u16_off(t, (size_t)(st + n));
    if (sb_set(c, o, str_make(t.ptr, b0), STR_LIT(""), str_make(t.ptr + b1, t.len - b1)) < 0)
        return -1;
    return sb_done(c, o, out);
}

static int sb_replace(xv_call *c, xv *out)
{
    sbobj *o = sb_self(c);
    xv args[2] = { c->args[0], c->args[1] };
    xv_call rc = *c;
    rc.self = xv_str(sb_text(o));
    rc.args = args;
    rc.nargs = 2;
    const xv_method *m = NULL;
    for (size_t k = 0; k < expr_class_string.nmethods; k++)
        if (strcmp(expr_class_string.methods[k].name, "Replace") == 0)
            m = &expr_class_string.methods[k];
    xv r;
    if (!m || m->fn(&rc, &r) < 0)
        return -1;
    if (sb_set(c, o, r.u.s, STR_LIT(""), STR_LIT("")) < 0)
        return -1;
    return sb_done(c, o, out);
}

static int sb_clear(xv_call *c, xv *out)
{
    sbobj *o = sb_self(c);
    o->b.len = 0;
    if (o->b.p)
        o->b.p[0] = '\0';
    return sb_done(c, o, out);
}

static int sb_to_string(xv_call *c, xv *out)
{
    sbobj *o = sb_self(c);
    str t = sb_text(o);
    if (c->nargs == 2) {
        int64_t st, n;
        if (lib1_int(c, 0, "StringBuilder.ToString", &st) < 0 ||
            lib1_int(c, 1, "StringBuilder.ToString", &n) < 0)
            return -1;
        if (st < 0 || n < 0 || st + n > (int64_t)lib1_u16_len(t))
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Index was out of range. (Parameter 'startIndex')");
        size_t b0 = lib1_u16_off(t, (size_t)st), b1 = lib1_u16_off(t, (size_t)(st + n));
        t = str_make(t.ptr + b0, b1 - b0);
    }
    /* copy: later appends must not change this string */
    return xv_str_copy(c->env, t.ptr, t.len, out);
}

static int sb_length(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_int((int64_t)lib1_u16_len(sb_text(self.u.obj.ptr)));
    return 0;
}

static int sb_set_length(expr_env *env, xv self, xv val)
{
    sbobj *o = self.u.obj.ptr;
    str t = sb_text(o);
    if (val.kind != XV_INT || val.u.i < 0 || val.u.i > (int64_t)lib1_u16_len(t))
        return expr_throw(env, "ArgumentOutOfRangeException",
                          "StringBuilder.Length: value out of range");
    o->b.len = lib1_u16_off(t, (size_t)val.u.i);
    if (o->b.p)
        o->b.p[o->b.len] = '\0';
    return 0;
}

static int sb_index_get(xv_call *c, xv *out)
{
    sbobj *o = sb_self(c);
    int64_t i;
    str t = sb_text(o);
    if (lib1_int(c, 0, "StringBuilder.Chars", &i) < 0)
        return -1;
    if (i < 0 || i >= (int64_t)lib1_u16_len(t))
        return expr_throw(c->env, "IndexOutOfRangeException",
                          "Index was outside the bounds of the array.");
    *out = xv_char(lib1_u16_at(t, (size_t)i));
    return 0;
}

#define SBT &class_stringbuilder
static const xv_method sb_methods[] = {
    { "Append", 1, 3, sb_append, SBT, 0, NULL },
    { "AppendFormat", 2, 0, sb_append_format, SBT, XV_M_VARARGS, NULL },
    { "AppendLine", 0, 1, sb_append_line, SBT, 0, NULL },
    { "Clear", 0, 0, sb_clear, SBT, 0, NULL },
    { "Insert", 2, 2, sb_insert, SBT, 0, NULL },
    { "Remove", 2, 2, sb_remove, SBT, 0, NULL },
    { "Replace", 2, 2, sb_replace, SBT, 0, NULL },
    { "ToString", 0, 2, sb_to_string, &expr_class_string, 0, NULL },
};
static const xv_member sb_members[] = {
    { "Length", sb_length, &expr_class_int, 0, sb_set_length },
};
static const char *const sb_aliases[] = { "System.Text.StringBuilder", NULL };
static const xv_class class_stringbuilder = {
    .name = "StringBuilder",
    .aliases = sb_aliases,
    .base = &expr_class_object,
    .members = sb_members,
    .nmembers = 1,
    .methods = sb_methods,
    .nmethods = sizeof sb_methods / sizeof sb_methods[0],
    .ctor = sb_ctor,
    .ctor_min = 0,
    .ctor_max = 2,
    .index_get = sb_index_get,
};

static const xv_class *const classes[] = {
    &expr_class_string,           &expr_class_char,
    &expr_class_stringcomparison, &lib1_class_stringsplitoptions,
    &expr_class_stringcomparer,   &expr_class_cultureinfo,
    &class_stringbuilder,         NULL,
};
const xv_lib expr_lib_string = { "string", classes };
