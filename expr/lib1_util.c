/* Helpers shared by the library-1 files: argument readers, an arena string builder, and
 * UTF-8 text with .NET's UTF-16 semantics (lengths and indexes count UTF-16 code units). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib1.h"

/* ---- errors ---- */

int lib1_oom(expr_env *env)
{
    expr_throw(env, "OutOfMemoryException", "request arena cap reached");
    env->err.fatal = true;
    return -1;
}

int lib1_arg_error(xv_call *c, size_t i, const char *who, const char *want)
{
    const char *got = i < c->nargs ? xv_type_name(c->args[i]) : "nothing";
    return expr_throw(c->env, "ArgumentException", "%s: argument %zu: expected %s, got %s", who,
                      i + 1, want, got);
}

int lib1_null_arg(expr_env *env, const char *who, const char *param)
{
    return expr_throw(env, "ArgumentNullException", "Value cannot be null. (Parameter '%s') in %s",
                      param, who);
}

/* ---- argument readers ---- */

xv lib1_unjson(expr_env *env, xv v)
{
    if (v.kind != XV_JSON || !v.u.j)
        return v;
    if (json_is_object(v.u.j) || json_is_array(v.u.j))
        return v;
    xv r;
    if (xv_from_jvalue(env, v.u.j, &r) < 0)
        return v;
    return r;
}

bool lib1_is_integral(xv v)
{
    return v.kind == XV_INT || v.kind == XV_CHAR;
}

int lib1_str(xv_call *c, size_t i, const char *who, str *out, bool *is_null)
{
    xv v = i < c->nargs ? lib1_unjson(c->env, c->args[i]) : xv_null();
    if (is_null)
        *is_null = false;
    if (v.kind == XV_STR) {
        *out = v.u.s;
        if (!out->ptr)
            out->ptr = "";
        return 0;
    }
    if (v.kind == XV_NULL && i < c->nargs) {
        *out = STR_LIT("");
        if (is_null) {
            *is_null = true;
            return 0;
        }
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (%s: argument %zu)", who, i + 1);
    }
    return lib1_arg_error(c, i, who, "string");
}

int lib1_int(xv_call *c, size_t i, const char *who, int64_t *out)
{
    xv v = i < c->nargs ? lib1_unjson(c->env, c->args[i]) : xv_null();
    if (v.kind == XV_INT) {
        *out = v.u.i;
        return 0;
    }
    if (v.kind == XV_CHAR) {
        *out = v.u.ch;
        return 0;
    }
    if (v.kind == XV_ENUM) {
        *out = v.u.en.v;
        return 0;
    }
    return lib1_arg_error(c, i, who, "int");
}

int lib1_i32(xv_call *c, size_t i, const char *who, int64_t *out)
{
    if (lib1_int(c, i, who, out) < 0)
        return -1;
    if (*out < INT32_MIN || *out > INT32_MAX)
        return expr_throw(c->env, "OverflowException",
                          "%s: argument %zu: value %lld out of range for int", who, i + 1,
                          (long long)*out);
    return 0;
}

int lib1_num(xv_call *c, size_t i, const char *who, double *out)
{
    xv v = i < c->nargs ? lib1_unjson(c->env, c->args[i]) : xv_null();
    if (v.kind == XV_INT) {
        *out = (double)v.u.i;
        return 0;
    }
    if (v.kind == XV_DOUBLE) {
        *out = v.u.d;
        return 0;
    }
    if (v.kind == XV_CHAR) {
        *out = v.u.ch;
        return 0;
    }
    return lib1_arg_error(c, i, who, "double");
}

int lib1_bool(xv_call *c, size_t i, const char *who, bool *out)
{
    xv v = i < c->nargs ? lib1_unjson(c->env, c->args[i]) : xv_null();
    if (v.kind == XV_BOOL) {
        *out = v.u.b;
        return 0;
    }
    return lib1_arg_error(c, i, who, "bool");
}

int lib1_bytes(xv_call *c, size_t i, const char *who, str *out)
{
    xv v = i < c->nargs ? c->args[i] : xv_null();
    if (v.kind == XV_BYTES) {
        *out = v.u.s;
        if (!out->ptr)
            out->ptr = "";
        return 0;
    }
    if (v.kind == XV_NULL)
        return expr_throw(c->env, "ArgumentNullException",
                          "Value cannot be null. (%s: argument %zu)", who, i + 1);
    if (v.kind == XV_LIST) {
        const xv_list *l = v.u.list;
        char *p = arena_alloc(c->env->a, l->n + 1);
        if (!p)
            return lib1_oom(c->env);
        for (size_t k = 0; k < l->n; k++) {
            xv e = l->items[k];
            if (e.kind != XV_INT || e.u.i < 0 || e.u.i > 255)
                return lib1_arg_error(c, i, who, "byte[]");
            p[k] = (char)e.u.i;
        }
        *out = str_make(p, l->n);
        return 0;
    }
    return lib1_arg_error(c, i, who, "byte[]");
}

int lib1_char(xv_call *c, size_t i, const char *who, uint16_t *out)
{
    xv v = i < c->nargs ? c->args[i] : xv_null();
    if (v.kind == XV_CHAR) {
        *out = v.u.ch;
        return 0;
    }
    return lib1_arg_error(c, i, who, "char");
}

int lib1_enum(xv_call *c, size_t i, const char *who, const xv_class *cls, int64_t *out)
{
    xv v = i < c->nargs ? c->args[i] : xv_null();
    if (v.kind == XV_ENUM && v.u.en.type == cls) {
        *out = v.u.en.v;
        return 0;
    }
    if (v.kind == XV_INT) {
        *out = v.u.i;
        return 0;
    }
    return lib1_arg_error(c, i, who, cls->name);
}

void lib1_set_out(xv_call *c, size_t i, xv v)
{
    if (c->refs && i < c->nargs && c->refs[i])
        *c->refs[i] = v;
}

/* ---- string builder ---- */

void lib1_sb_init(lib1_sb *b, expr_env *env, size_t hint)
{
    b->env = env;
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = false;
    if (hint) {
        b->p = arena_alloc(env->a, hint + 1);
        if (!b->p)
            b->oom = true;
        else
            b->cap = hint + 1;
    }
}

static bool sb_reserve(lib1_sb *b, size_t n)
{
    if (b->oom)
        return false;
    if (b->len + n + 1 <= b->cap)
        return true;
    size_t ncap = b->cap ? b->cap * 2 : 64;
    while (ncap < b->len + n + 1)
        ncap *= 2;
    char *np = b->p ? arena_realloc(b->env->a, b->p, b->cap, ncap) : arena_alloc(b->env->a, ncap);
    if (!np) {
        b->oom = true;
        return false;
    }
    b->p = np;
    b->cap = ncap;
    return true;
}

void lib1_sb_add(lib1_sb *b, const void *p, size_t n)
{
    if (!n || !sb_reserve(b, n))
        return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void lib1_sb_str(lib1_sb *b, str s)
{
    lib1_sb_add(b, s.ptr, s.len);
}

void lib1_sb_putc(lib1_sb *b, char ch)
{
    lib1_sb_add(b, &ch, 1);
}

void lib1_sb_cp(lib1_sb *b, uint32_t cp)
{
    char tmp[4];
    lib1_sb_add(b, tmp, lib1_utf8_enc(cp, tmp));
}

void lib1_sb_printf(lib1_sb *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        lib1_sb_add(b, tmp, (size_t)n);
        return;
    }
    if (!sb_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int lib1_sb_done(lib1_sb *b, str *out)
{
    if (b->oom)
        return lib1_oom(b->env);
    *out = b->p ? str_make(b->p, b->len) : STR_LIT("");
    return 0;
}

/* ---- UTF-8 / UTF-16 ---- */

bool lib1_is_ascii(str s)
{
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] >= 0x80)
            return false;
    return true;
}

uint32_t lib1_utf8_dec(const char *p, size_t n, size_t *adv)
{
    const unsigned char *u = (const unsigned char *)p;
    uint32_t c = u[0];
    *adv = 1;
    if (c < 0x80)
        return c;
    size_t need;
    uint32_t min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        c &= 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        c &= 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        c &= 0x07;
        min = 0x10000;
    } else {
        return 0xFFFD;
    }
    if (n < need + 1)
        return 0xFFFD;
    for (size_t k = 1; k <= need; k++) {
        if ((u[k] & 0xC0) != 0x80)
            return 0xFFFD;
        c = (c << 6) | (u[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF)
        return 0xFFFD;
    *adv = need + 1;
    return c;
}

size_t lib1_utf8_enc(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF)
        cp = 0xFFFD;
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t lib1_u16_len(str s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len;) {
        unsigned char b = (unsigned char)s.ptr[i];
        if (b < 0x80) {
            n++;
            i++;
            continue;
        }
        size_t adv;
        uint32_t cp = lib1_utf8_dec(s.ptr + i, s.len - i, &adv);
        n += cp >= 0x10000 ? 2 : 1;
        i += adv;
    }
    return n;
}

size_t lib1_u16_off(str s, size_t idx)
{
    size_t n = 0, i = 0;
    while (i < s.len && n < idx) {
        size_t adv;
        uint32_t cp = lib1_utf8_dec(s.ptr + i, s.len - i, &adv);
        size_t w = cp >= 0x10000 ? 2 : 1;
        if (n + w > idx)
            break;
        n += w;
        i += adv;
    }
    return i;
}

size_t lib1_u16_idx(str s, size_t off)
{
    size_t n = 0;
    for (size_t i = 0; i < off && i < s.len;) {
        size_t adv;
        uint32_t cp = lib1_utf8_dec(s.ptr + i, s.len - i, &adv);
        n += cp >= 0x10000 ? 2 : 1;
        i += adv;
    }
    return n;
}

uint16_t lib1_u16_at(str s, size_t idx)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len;) {
        size_t adv;
        uint32_t cp = lib1_utf8_dec(s.ptr + i, s.len - i, &adv);
        if (cp >= 0x10000) {
            if (n == idx)
                return (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            if (n + 1 == idx)
                return (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
            n += 2;
        } else {
            if (n == idx)
                return (uint16_t)cp;
            n++;
        }
        i += adv;
    }
    return 0;
}

int lib1_char_str(expr_env *env, uint16_t ch, str *out)
{
    char tmp[4];
    size_t n = lib1_utf8_enc(ch, tmp);
    xv v;
    if (xv_str_copy(env, tmp, n, &v) < 0)
        return -1;
    *out = v.u.s;
    return 0;
}

/* Simple case mappings that keep the UTF-8 length: ASCII, Latin-1, Latin Extended-A, Greek,
 * Cyrillic, fullwidth Latin. Anything else maps to itself. */
uint32_t lib1_upper(uint32_t c)
{
    if (c < 0x80)
        return c >= 'a' && c <= 'z' ? c - 32 : c;
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
        return c - 32;
    if (c == 0xFF)
        return 0x178;
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
        return c & ~1u;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1) ? c : c - 1;
    if (c >= 0x3B1 && c <= 0x3C9)
        return c == 0x3C2 ? 0x3A3 : c - 32;
    if (c == 0x3AC)
        return 0x386;
    if (c >= 0x3AD && c <= 0x3AF)
        return c - 37;
    if (c == 0x3CC)
        return 0x38C;
    if (c == 0x3CD || c == 0x3CE)
        return c - 63;
    if (c >= 0x430 && c <= 0x44F)
        return c - 32;
    if (c >= 0x450 && c <= 0x45F)
        return c - 80;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF))
        return c & ~1u;
    if (c >= 0xFF41 && c <= 0xFF5A)
        return c - 32;
    return c;
}

uint32_t lib1_lower(uint32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 32;
    if (c == 0x178)
        return 0xFF;
    if ((c >= 0x100 && c <= 0x137 && c != 0x130) || (c >= 0x14A && c <= 0x177))
        return c | 1u;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1) ? c + 1 : c;
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
        return c + 32;
    if (c == 0x386)
        return 0x3AC;
    if (c >= 0x388 && c <= 0x38A)
        return c + 37;
    if (c == 0x38C)
        return 0x3CC;
    if (c == 0x38E || c == 0x38F)
        return c + 63;
    if (c >= 0x410 && c <= 0x42F)
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF))
        return c | 1u;
    if (c >= 0xFF21 && c <= 0xFF3A)
        return c + 32;
    return c;
}

bool lib1_is_space(uint32_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

bool lib1_is_digit(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 0x660 && c <= 0x669) || (c >= 0x6F0 && c <= 0x6F9) ||
           (c >= 0x966 && c <= 0x96F) || (c >= 0xFF10 && c <= 0xFF19);
}

bool lib1_is_letter(uint32_t c)
{
    if (c < 0x80)
        return (c | 32) >= 'a' && (c | 32) <= 'z';
    if (c < 0xC0)
        return c == 0xAA || c == 0xB5 || c == 0xBA;
    if (c == 0xD7 || c == 0xF7)
        return false;
    if (lib1_is_digit(c) || lib1_is_space(c))
        return false;
    if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
        (c >= 0xD800 && c <= 0xF8FF) || (c >= 0xFE00 && c <= 0xFE6F) ||
        (c >= 0xFF00 && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) || c >= 0xFFF0 ||
        (c >= 0x300 && c <= 0x36F) || (c >= 0x1F000 && c <= 0x1FFFF))
        return false;
    return true;
}

int lib1_case(expr_env *env, str s, bool upper, str *out)
{
    bool same = true;
    for (size_t i = 0; i < s.len && same; i++) {
        unsigned char b = (unsigned char)s.ptr[i];
        if (b >= 0x80 || (upper ? (b >= 'a' && b <= 'z') : (b >= 'A' && b <= 'Z')))
            same = false;
    }
    if (same) {
        *out = s;
        return 0;
    }
    char *p = arena_alloc(env->a, s.len + 1);
    if (!p)
        return lib1_oom(env);
    memcpy(p, s.ptr, s.len);
    for (size_t i = 0; i < s.len;) {
        unsigned char b = (unsigned char)p[i];
        if (b < 0x80) {
            if (upper && b >= 'a' && b <= 'z')
                p[i] = (char)(b - 32);
            else if (!upper && b >= 'A' && b <= 'Z')
                p[i] = (char)(b + 32);
            i++;
            continue;
        }
        size_t adv;
        uint32_t cp = lib1_utf8_dec(p + i, s.len - i, &adv);
        if (cp != 0xFFFD || adv > 1) {
            uint32_t m = upper ? lib1_upper(cp) : lib1_lower(cp);
            char tmp[4];
            if (m != cp && lib1_utf8_enc(m, tmp) == adv)
                memcpy(p + i, tmp, adv);
        }
        i += adv;
    }
    *out = str_make(p, s.len);
    return 0;
}
