/* WebUtility and HttpUtility (URL and HTML encoding) and the percent-encoding helpers of
 * Uri (EscapeDataString, UnescapeDataString). */
#include <string.h>

#include "lib1.h"

/* ---- URL and HTML encoding ---- */

/* Percent-encodes the UTF-8 bytes of s; `keep` decides which ASCII bytes stay. */
static int pct_encode(expr_env *env, str s, bool (*keep)(unsigned char), bool plus, bool lower,
                      str *out)
{
    lib1_sb b;
    lib1_sb_init(&b, env, s.len + 16);
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.ptr[i];
        if (ch == ' ' && plus)
            lib1_sb_putc(&b, '+');
        else if (ch < 0x80 && keep(ch))
            lib1_sb_putc(&b, (char)ch);
        else
            lib1_sb_printf(&b, lower ? "%%%02x" : "%%%02X", ch);
    }
    return lib1_sb_done(&b, out);
}

static bool is_alnum(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static bool keep_url(unsigned char ch) /* WebUtility/HttpUtility.UrlEncode */
{
    return is_alnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '!' || ch == '*' ||
           ch == '(' || ch == ')';
}

static bool keep_data(unsigned char ch) /* Uri.EscapeDataString: RFC 3986 unreserved */
{
    return is_alnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~';
}

static bool keep_uri(unsigned char ch) /* Uri.EscapeUriString: unreserved + reserved */
{
    return keep_data(ch) || (ch && strchr(":/?#[]@!$&'()*+,;=", ch));
}

static bool keep_path(unsigned char ch) /* HttpUtility.UrlPathEncode */
{
    return ch > 0x20 && ch < 0x7F;
}

static int hexd(int ch)
{
    return ch >= '0' && ch <= '9'                 ? ch - '0'
           : (ch | 32) >= 'a' && (ch | 32) <= 'f' ? (ch | 32) - 'a' + 10
                                                  : -1;
}

/* Decodes %XX (and '+' when plus); invalid escapes stay; the bytes are then read as UTF-8
 * (invalid sequences become U+FFFD). */
static int pct_decode(expr_env *env, str s, bool plus, str *out)
{
    lib1_sb b;
    lib1_sb_init(&b, env, s.len);
    for (size_t i = 0; i < s.len; i++) {
        char ch = s.ptr[i];
        if (ch == '+' && plus) {
            lib1_sb_putc(&b, ' ');
        } else if (ch == '%' && i + 2 < s.len + 0 && hexd((unsigned char)s.ptr[i + 1]) >= 0 &&
                   hexd((unsigned char)s.ptr[i + 2]) >= 0) {
            lib1_sb_putc(&b, (char)(hexd((unsigned char)s.ptr[i + 1]) * 16 +
                                    hexd((unsigned char)s.ptr[i + 2])));
            i += 2;
        } else {
            lib1_sb_putc(&b, ch);
        }
    }
    str raw;
    if (lib1_sb_done(&b, &raw) < 0)
        return -1;
    if (lib1_is_ascii(raw)) {
        *out = raw;
        return 0;
    }
    return lib1_utf8_decode(env, raw, out);
}

typedef int (*strfn)(expr_env *env, str s, str *out);

/* Calls f on a string argument; null gives null. */
static int str_call(xv_call *c, const char *who, strfn f, xv *out)
{
    str s, r;
    bool isnull;
    if (lib1_str(c, 0, who, &s, &isnull) < 0)
        return -1;
    if (isnull) {
        *out = xv_null();
        return 0;
    }
    if (f(c->env, s, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int f_url_encode(expr_env *env, str s, str *out)
{
    return pct_encode(env, s, keep_url, true, false, out);
}

static int f_url_encode_lower(expr_env *env, str s, str *out)
{
    return pct_encode(env, s, keep_url, true, true, out);
}

static int f_url_path_encode(expr_env *env, str s, str *out)
{
    return pct_encode(env, s, keep_path, false, false, out);
}

static int f_url_decode(expr_env *env, str s, str *out)
{
    return pct_decode(env, s, true, out);
}

int lib1_escape_data(expr_env *env, str s, str *out)
{
    return pct_encode(env, s, keep_data, false, false, out);
}

int lib1_escape_uri(expr_env *env, str s, str *out)
{
    return pct_encode(env, s, keep_uri, false, false, out);
}

int lib1_unescape(expr_env *env, str s, str *out)
{
    return pct_decode(env, s, false, out);
}

static int f_html_encode(expr_env *env, str s, str *out)
{
    lib1_sb b;
    lib1_sb_init(&b, env, s.len + 16);
    for (size_t i = 0; i < s.len;) {
        size_t adv;
        uint32_t cp = lib1_utf8_dec(s.ptr + i, s.len - i, &adv);
        switch (cp) {
        case '<':
            lib1_sb_str(&b, STR_LIT("&lt;"));
            break;
        case '>':
            lib1_sb_str(&b, STR_LIT("&gt;"));
            break;
        case '"':
            lib1_sb_str(&b, STR_LIT("&quot;"));
            break;
        case '&':
            lib1_sb_str(&b, STR_LIT("&amp;"));
            break;
        case '\'':
            lib1_sb_str(&b, STR_LIT("&#39;"));
            break;
        default:
            if ((cp >= 160 && cp < 256) || cp >= 0x10000)
                lib1_sb_printf(&b, "&#%u;", (unsigned)cp);
            else
                lib1_sb_add(&b, s.ptr + i, adv);
        }
        i += adv;
    }
    return lib1_sb_done(&b, out);
}

static const struct {
    const char *name;
    uint32_t cp;
} entities[] = {
    { "amp", '&' },      { "apos", '\'' },    { "cent", 0xA2 },     { "copy", 0xA9 },
    { "euro", 0x20AC },  { "gt", '>' },       { "hellip", 0x2026 }, { "laquo", 0xAB },
    { "ldquo", 0x201C }, { "lsquo", 0x2018 }, { "lt", '<' },        { "mdash", 0x2014 },
    { "nbsp", 0xA0 },    { "ndash", 0x2013 }, { "pound", 0xA3 },    { "quot", '"' },
    { "raquo", 0xBB },   { "rdquo", 0x201D }, { "reg", 0xAE },      { "rsquo", 0x2019 },
    { "sect", 0xA7 },    { "trade", 0x2122 }, { "yen", 0xA5 },
};

static int f_html_decode(expr_env *env, str s, str *out)
{
    if (!memchr(s.ptr, '&', s.len)) {
        *out = s;
        return 0;
    }
    lib1_sb b;
    lib1_sb_init(&b, env, s.len);
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] != '&') {
            lib1_sb_putc(&b, s.ptr[i]);
            continue;
        }
        const char *semi = memchr(s.ptr + i, ';', s.len - i < 12 ? s.len - i : 12);
        if (!semi) {
            lib1_sb_putc(&b, '&');
            continue;
        }
        str ent = str_make(s.ptr + i + 1, (size_t)(semi - s.ptr) - i - 1);
        uint32_t cp = 0;
        bool ok = false;
        if (ent.len > 1 && ent.ptr[0] == '#') {
            bool hex = ent.ptr[1] == 'x' || ent.ptr[1] == 'X';
            ok = ent.len > (hex ? 2u : 1u);
            for (size_t k = hex ? 2 : 1; k < ent.len && ok; k++) {
                int d = hex ? hexd((unsigned char)ent.ptr[k])
                            : (ent.ptr[k] >= '0' && ent.ptr[k] <= '9' ? ent.ptr[k] - '0' : -1);
                ok = d >= 0 && cp < 0x110000;
                cp = cp * (hex ? 16 : 10) + (uint32_t)(d < 0 ? 0 : d);
            }
            ok = ok && cp <= 0x10FFFF;
        } else {
            for (size_t k = 0; k < sizeof entities / sizeof entities[0] && !ok; k++)
                if (str_eq_cstr(ent, entities[k].name)) {
                    cp = entities[k].cp;
                    ok = true;
                }
        }
        if (!ok) {
            lib1_sb_putc(&b, '&');
            continue;
        }
        lib1_sb_cp(&b, cp);
        i = (size_t)(semi - s.ptr);
    }
    return lib1_sb_done(&b, out);
}

static int f_js_encode(expr_env *env, str s, str *out)
{
    lib1_sb b;
    lib1_sb_init(&b, env, s.len + 8);
    for (size_t i = 0; i < s.len;) {
        size_t adv;
        uint32_t cp = lib1_utf8_dec(s.ptr + i, s.len - i, &adv);
        switch (cp) {
        case '"':
            lib1_sb_str(&b, STR_LIT("\\\""));
            break;
        case '\\':
            lib1_sb_str(&b, STR_LIT("\\\\"));
            break;
        case '\n':
            lib1_sb_str(&b, STR_LIT("\\n"));
            break;
        case '\r':
            lib1_sb_str(&b, STR_LIT("\\r"));
            break;
        case '\t':
            lib1_sb_str(&b, STR_LIT("\\t"));
            break;
        case '\b':
            lib1_sb_str(&b, STR_LIT("\\b"));
            break;
        case '\f':
            lib1_sb_str(&b, STR_LIT("\\f"));
            break;
        default:
            if (cp < 0x20 || cp == '\'' || cp == '<' || cp == '>' || cp == '&' || cp == 0x85 ||
                cp == 0x2028 || cp == 0x2029)
                lib1_sb_printf(&b, "\\u%04x", (unsigned)cp);
            else
                lib1_sb_add(&b, s.ptr + i, adv);
        }
        i += adv;
    }
    return lib1_sb_done(&b, out);
}

static int wu_url_encode(xv_call *c, xv *out)
{
    return str_call(c, "WebUtility.UrlEncode", f_url_encode, out);
}
static int wu_url_decode(xv_call *c, xv *out)
{
    return str_call(c, "WebUtility.UrlDecode", f_url_decode, out);
}
static int wu_html_encode(xv_call *c, xv *out)
{
    return str_call(c, "WebUtility.HtmlEncode", f_html_encode, out);
}
static int wu_html_decode(xv_call *c, xv *out)
{
    return str_call(c, "WebUtility.HtmlDecode", f_html_decode, out);
}
static int hu_url_encode(xv_call *c, xv *out)
{
    return str_call(c, "HttpUtility.UrlEncode", f_url_encode_lower, out);
}
static int hu_url_path_encode(xv_call *c, xv *out)
{
    return str_call(c, "HttpUtility.UrlPathEncode", f_url_path_encode, out);
}
static int hu_js_encode(xv_call *c, xv *out)
{
    if (c->nargs > 1 && c->args[1].kind == XV_BOOL && c->args[1].u.b) {
        str s, r;
        bool isnull;
        if (lib1_str(c, 0, "HttpUtility.JavaScriptStringEncode", &s, &isnull) < 0)
            return -1;
        if (f_js_encode(c->env, isnull ? STR_LIT("") : s, &r) < 0)
            return -1;
        lib1_sb b;
        lib1_sb_init(&b, c->env, r.len + 2);
        lib1_sb_putc(&b, '"');
        lib1_sb_str(&b, r);
        lib1_sb_putc(&b, '"');
        if (lib1_sb_done(&b, &r) < 0)
            return -1;
        *out = xv_str(r);
        return 0;
    }
    if (str_call(c, "HttpUtility.JavaScriptStringEncode", f_js_encode, out) < 0)
        return -1;
    if (out->kind == XV_NULL)
        *out = xv_str(STR_LIT(""));
    return 0;
}

static const xv_method wu_smethods[] = {
    { "HtmlDecode", 1, 1, wu_html_decode, &expr_class_string, 0, NULL },
    { "HtmlEncode", 1, 1, wu_html_encode, &expr_class_string, 0, NULL },
    { "UrlDecode", 1, 1, wu_url_decode, &expr_class_string, 0, NULL },
    { "UrlEncode", 1, 1, wu_url_encode, &expr_class_string, 0, NULL },
};
static const char *const wu_aliases[] = { "System.Net.WebUtility", NULL };
const xv_class lib1_class_webutility = {
    .name = "WebUtility",
    .aliases = wu_aliases,
    .flags = XV_CLASS_STATIC,
    .smethods = wu_smethods,
    .nsmethods = sizeof wu_smethods / sizeof wu_smethods[0],
};

static const xv_method hu_smethods[] = {
    { "HtmlAttributeEncode", 1, 1, wu_html_encode, &expr_class_string, 0, NULL },
    { "HtmlDecode", 1, 1, wu_html_decode, &expr_class_string, 0, NULL },
    { "HtmlEncode", 1, 1, wu_html_encode, &expr_class_string, 0, NULL },
    { "JavaScriptStringEncode", 1, 2, hu_js_encode, &expr_class_string, 0, NULL },
    { "UrlDecode", 1, 2, wu_url_decode, &expr_class_string, 0, NULL },
    { "UrlEncode", 1, 2, hu_url_encode, &expr_class_string, 0, NULL },
    { "UrlPathEncode", 1, 1, hu_url_path_encode, &expr_class_string, 0, NULL },
};
static const char *const hu_aliases[] = { "System.Web.HttpUtility", NULL };
const xv_class lib1_class_httputility = {
    .name = "HttpUtility",
    .aliases = hu_aliases,
    .flags = XV_CLASS_STATIC,
    .smethods = hu_smethods,
    .nsmethods = sizeof hu_smethods / sizeof hu_smethods[0],
};
