/* String.Split: char/string/char[]/string[] separators (params too), count and
 * StringSplitOptions, with .NET's rules for RemoveEmptyEntries/TrimEntries and counts. */
#include <string.h>

#include "lib1.h"

#define SELF(c) ((c)->self.u.s.ptr ? (c)->self.u.s : STR_LIT(""))

static int aoor(expr_env *env, const char *who, const char *param, const char *msg)
{
    return expr_throw(env, "ArgumentOutOfRangeException", "%s (Parameter '%s') in %s", msg, param,
                      who);
}

/* ---- Split ---- */

typedef struct seps {
    str *s;
    size_t n;
    bool ws;    /* split on white space */
    bool whole; /* Split(string) with null/empty separator: no split */
} seps;

static int sep_add(expr_env *env, seps *sp, str s, size_t *cap)
{
    if (s.len == 0)
        return 0;
    if (sp->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        str *ns = arena_alloc(env->a, nc * sizeof *ns);
        if (!ns)
            return lib1_oom(env);
        if (sp->n)
            memcpy(ns, sp->s, sp->n * sizeof *ns);
        sp->s = ns;
        *cap = nc;
    }
    sp->s[sp->n++] = s;
    return 0;
}

static int sep_value(xv_call *c, size_t i, seps *sp, size_t *cap, bool *single_string)
{
    xv v = lib1_unjson(c->env, c->args[i]);
    str s;
    if (v.kind == XV_CHAR) {
        if (lib1_char_str(c->env, v.u.ch, &s) < 0)
            return -1;
        return sep_add(c->env, sp, s, cap);
    }
    if (v.kind == XV_STR) {
        *single_string = true;
        return sep_add(c->env, sp, v.u.s, cap);
    }
    if (v.kind == XV_NULL)
        return 0;
    if (v.kind == XV_LIST) {
        for (size_t k = 0; k < v.u.list->n; k++) {
            xv e = v.u.list->items[k];
            if (e.kind == XV_CHAR) {
                if (lib1_char_str(c->env, e.u.ch, &s) < 0)
                    return -1;
            } else if (e.kind == XV_STR) {
                s = e.u.s;
            } else if (e.kind == XV_NULL) {
                continue;
            } else {
                return lib1_arg_error(c, i, "String.Split", "char[] or string[]");
            }
            if (sep_add(c->env, sp, s, cap) < 0)
                return -1;
        }
        return 0;
    }
    return lib1_arg_error(c, i, "String.Split", "char, string, char[] or string[]");
}

/* The separator starting at byte i, its length in *n; false when none. */
static bool sep_at(const seps *sp, str s, size_t i, size_t *n)
{
    if (sp->ws) {
        size_t adv;
        uint32_t cp = lib1_utf8_dec(s.ptr + i, s.len - i, &adv);
        *n = adv;
        return lib1_is_space(cp);
    }
    for (size_t k = 0; k < sp->n; k++) {
        str t = sp->s[k];
        if (t.len <= s.len - i && memcmp(s.ptr + i, t.ptr, t.len) == 0) {
            *n = t.len;
            return true;
        }
    }
    return false;
}

static str trim_ws(str s)
{
    while (s.len) {
        size_t adv;
        uint32_t cp = lib1_utf8_dec(s.ptr, s.len, &adv);
        if (!lib1_is_space(cp))
            break;
        s.ptr += adv;
        s.len -= adv;
    }
    while (s.len) {
        size_t k = s.len - 1;
        while (k > 0 && ((unsigned char)s.ptr[k] & 0xC0) == 0x80)
            k--;
        size_t adv;
        uint32_t cp = lib1_utf8_dec(s.ptr + k, s.len - k, &adv);
        if (!lib1_is_space(cp))
            break;
        s.len = k;
    }
    return s;
}

int lib1_str_split(xv_call *c, xv *out)
{
    const char *who = "String.Split";
    str s = SELF(c);
    seps sp = { 0 };
    size_t cap = 0, i = 0;
    bool single_string = false;
    int64_t count = INT32_MAX, opts = 0;
    /* separators: leading chars/strings/arrays; then optional count and options */
    for (; i < c->nargs; i++) {
        xv v = c->args[i];
        if (v.kind == XV_INT || v.kind == XV_ENUM)
            break;
        if (sep_value(c, i, &sp, &cap, &single_string) < 0)
            return -1;
    }
    if (i < c->nargs && c->args[i].kind == XV_INT) {
        count = c->args[i].u.i;
        if (count < 0)
            return aoor(c->env, who, "count", "Count cannot be less than zero.");
        i++;
    }
    if (i < c->nargs) {
        if (lib1_enum(c, i, who, &lib1_class_stringsplitoptions, &opts) < 0)
            return -1;
        if (opts & ~3)
            return expr_throw(c->env, "ArgumentException",
                              "Value of flags is invalid. (Parameter 'options')");
        i++;
    }
    if (i < c->nargs)
        return lib1_arg_error(c, i, who, "StringSplitOptions");
    bool remove = opts & 1, trimit = opts & 2;
    if (sp.n == 0) {
        if (single_string || (c->nargs > 0 && c->args[0].kind == XV_STR))
            sp.whole = true;
        else if (!(c->nargs > 0 && c->args[0].kind == XV_STR))
            sp.ws = true;
    }
    xv_list *l = xv_list_new(c->env, XV_LIST_ARRAY, &expr_class_string);
    if (!l)
        return lib1_oom(c->env);
    out->kind = XV_LIST;
    out->sub = 0;
    out->u.list = l;
    if (count == 0)
        return 0;
    /* collect separator positions */
    size_t *pos = NULL, *plen = NULL, np = 0, pcap = 0;
    if (!sp.whole && count > 1) {
        for (size_t k = 0; k < s.len;) {
            size_t n;
            if (sep_at(&sp, s, k, &n)) {
                if (np == pcap) {
                    size_t nc = pcap ? pcap * 2 : 8;
                    size_t *a = arena_alloc(c->env->a, nc * sizeof *a),
                           *b = arena_alloc(c->env->a, nc * sizeof *b);
                    if (!a || !b)
                        return lib1_oom(c->env);
                    if (np) {
                        memcpy(a, pos, np * sizeof *a);
                        memcpy(b, plen, np * sizeof *b);
                    }
                    pos = a;
                    plen = b;
                    pcap = nc;
                }
                pos[np] = k;
                plen[np++] = n;
                k += n;
            } else {
                size_t adv;
                lib1_utf8_dec(s.ptr + k, s.len - k, &adv);
                k += adv;
            }
        }
    }
    if (np == 0 || s.len == 0) {
        str e = trimit ? trim_ws(s) : s;
        if (!(remove && e.len == 0))
            return xv_list_push(c->env, l, xv_str(e));
        return 0;
    }
    size_t cur = 0;
    for (size_t k = 0; k < np; k++) {
        str e = str_make(s.ptr + cur, pos[k] - cur);
        if (trimit)
            e = trim_ws(e);
        if (e.len || !remove)
            if (xv_list_push(c->env, l, xv_str(e)) < 0)
                return -1;
        cur = pos[k] + plen[k];
        if ((int64_t)l->n == count - 1) {
            if (remove) {
                while (++k < np) {
                    e = str_make(s.ptr + cur, pos[k] - cur);
                    if (trimit)
                        e = trim_ws(e);
                    if (e.len)
                        break;
                    cur = pos[k] + plen[k];
                }
            }
            break;
        }
    }
    str e = str_make(s.ptr + cur, s.len - cur);
    if (trimit)
        e = trim_ws(e);
    if (e.len || !remove)
        return xv_list_push(c->env, l, xv_str(e));
    return 0;
}
