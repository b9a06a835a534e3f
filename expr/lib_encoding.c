/* byte[], System.Text.Encoding (UTF8, ASCII, Unicode, BigEndianUnicode, Latin1), BitConverter,
 * WebUtility and HttpUtility (URL and HTML encoding). */
#include <string.h>

#include "lib1.h"

/* ---- byte[] ---- */

static int bytes_length(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_int((int64_t)self.u.s.len);
    return 0;
}

static xv byte_val(uint8_t b)
{
    xv v = xv_int(b);
    v.sub = XV_SUB_BYTE;
    return v;
}

static int bytes_index(xv_call *c, int64_t *i)
{
    if (lib1_int(c, 0, "Byte[].Item", i) < 0)
        return -1;
    if (*i < 0 || *i >= (int64_t)c->self.u.s.len)
        return expr_throw(c->env, "IndexOutOfRangeException",
                          "Index was outside the bounds of the array.");
    return 0;
}

static int bytes_index_get(xv_call *c, xv *out)
{
    int64_t i;
    if (bytes_index(c, &i) < 0)
        return -1;
    *out = byte_val((uint8_t)c->self.u.s.ptr[i]);
    return 0;
}

static int bytes_index_set(xv_call *c, xv *out)
{
    int64_t i, v;
    if (bytes_index(c, &i) < 0 || lib1_int(c, 1, "Byte[].Item", &v) < 0)
        return -1;
    if (v < 0 || v > 255)
        return expr_throw(c->env, "OverflowException",
                          "Value was either too large or too small for an unsigned byte.");
    ((char *)(uintptr_t)c->self.u.s.ptr)[i] = (char)v; /* byte arrays live in the arena */
    *out = byte_val((uint8_t)v);
    return 0;
}

static int bytes_enumerate(expr_env *env, xv self, xv *out)
{
    xv_list *l = xv_list_new(env, XV_LIST_ARRAY, &expr_class_byte);
    if (!l)
        return lib1_oom(env);
    for (size_t i = 0; i < self.u.s.len; i++)
        if (xv_list_push(env, l, byte_val((uint8_t)self.u.s.ptr[i])) < 0)
            return -1;
    out->kind = XV_LIST;
    out->sub = 0;
    out->u.list = l;
    return 0;
}

static int bytes_clone(xv_call *c, xv *out)
{
    str s = c->self.u.s;
    char *p = arena_alloc(c->env->a, s.len + 1);
    if (!p)
        return lib1_oom(c->env);
    if (s.len)
        memcpy(p, s.ptr, s.len);
    *out = xv_bytes(str_make(p, s.len));
    return 0;
}

static const xv_method bytes_methods[] = {
    { "Clone", 0, 0, bytes_clone, &expr_class_bytes, 0, NULL },
    { "Decrypt", 1, 3, lib1_bytes_decrypt, &expr_class_bytes, 0, NULL },
    { "Encrypt", 1, 3, lib1_bytes_encrypt, &expr_class_bytes, 0, NULL },
};
static const xv_member bytes_members[] = {
    { "Length", bytes_length, &expr_class_int, 0, NULL },
    { "LongLength", bytes_length, &expr_class_long, 0, NULL },
};
static const char *const bytes_aliases[] = { "byte[]", "System.Byte[]", NULL };
const xv_class expr_class_bytes = {
    .name = "Byte[]",
    .aliases = bytes_aliases,
    .base = &expr_class_object,
    .flags = XV_CLASS_ENUMERABLE,
    .members = bytes_members,
    .nmembers = sizeof bytes_members / sizeof bytes_members[0],
    .methods = bytes_methods,
    .nmethods = sizeof bytes_methods / sizeof bytes_methods[0],
    .index_get = bytes_index_get,
    .index_set = bytes_index_set,
    .enumerate = bytes_enumerate,
};

/* ---- Encoding ---- */

enum enc_id { ENC_UTF8, ENC_ASCII, ENC_UTF16LE, ENC_UTF16BE, ENC_LATIN1, ENC_UTF32 };
typedef struct encoding {
    int id;
    const char *web_name, *name;
    int code_page;
    const char *preamble;
    size_t npreamble;
} encoding;

static const encoding encodings[] = {
    [ENC_UTF8] = { ENC_UTF8, "utf-8", "Unicode (UTF-8)", 65001, "\xEF\xBB\xBF", 3 },
    [ENC_ASCII] = { ENC_ASCII, "us-ascii", "US-ASCII", 20127, "", 0 },
    [ENC_UTF16LE] = { ENC_UTF16LE, "utf-16", "Unicode", 1200, "\xFF\xFE", 2 },
    [ENC_UTF16BE] = { ENC_UTF16BE, "utf-16BE", "Unicode (Big-Endian)", 1201, "\xFE\xFF", 2 },
    [ENC_LATIN1] = { ENC_LATIN1, "iso-8859-1", "Western European (ISO)", 28591, "", 0 },
    [ENC_UTF32] = { ENC_UTF32, "utf-32", "Unicode (UTF-32)", 12000, "\xFF\xFE\x00\x00", 4 },
};
static const encoding utf8_nobom = { ENC_UTF8, "utf-8", "Unicode (UTF-8)", 65001, "", 0 };

static xv enc_obj(const encoding *e)
{
    return xv_obj(&lib1_class_encoding, (void *)(uintptr_t)e);
}

#define ENC_GETTER(fn, id)                                                                         \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = enc_obj(&encodings[id]);                                                            \
        return 0;                                                                                  \
    }
ENC_GETTER(enc_utf8, ENC_UTF8)
ENC_GETTER(enc_ascii, ENC_ASCII)
ENC_GETTER(enc_unicode, ENC_UTF16LE)
ENC_GETTER(enc_bigendian, ENC_UTF16BE)
ENC_GETTER(enc_latin1, ENC_LATIN1)
ENC_GETTER(enc_utf32, ENC_UTF32)

static const encoding *enc_self(xv_call *c)
{
    return c->self.u.obj.ptr;
}

/* Encodes UTF-8 text s. */
static int encode(expr_env *env, const encoding *e, str s, str *out)
{
    lib1_sb b;
    lib1_sb_init(&b, env, s.len * (e->id == ENC_UTF32 ? 4 : e->id >= ENC_UTF16LE ? 2 : 1));
    for (size_t i = 0; i < s.len;) {
        size_t adv;
        uint32_t cp = lib1_utf8_dec(s.ptr + i, s.len - i, &adv);
        i += adv;
        if (cp >= 0xD800 && cp < 0xE000 && e->id != ENC_ASCII && e->id != ENC_LATIN1)
            cp = 0xFFFD; /* lone surrogate */
        switch (e->id) {
        case ENC_UTF8:
            lib1_sb_cp(&b, cp);
            break;
        case ENC_ASCII:
            lib1_sb_putc(&b, cp < 0x80 ? (char)cp : '?');
            break;
        case ENC_LATIN1:
            lib1_sb_putc(&b, cp < 0x100 ? (char)cp : '?');
            break;
        case ENC_UTF32: {
            char q[4] = { (char)cp, (char)(cp >> 8), (char)(cp >> 16), 0 };
            lib1_sb_add(&b, q, 4);
            break;
        }
        default: {
            uint16_t u[2];
            int n = 1;
            if (cp >= 0x10000) {
                u[0] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
                u[1] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
                n = 2;
            } else {
                u[0] = (uint16_t)cp;
            }
            for (int k = 0; k < n; k++) {
                char q[2] = { (char)(u[k] & 0xFF), (char)(u[k] >> 8) };
                if (e->id == ENC_UTF16BE) {
                    char t = q[0];
                    q[0] = q[1];
                    q[1] = t;
                }
                lib1_sb_add(&b, q, 2);
            }
        }
        }
    }
    return lib1_sb_done(&b, out);
}

static int decode(expr_env *env, const encoding *e, str s, str *out);
int lib1_utf8_decode(expr_env *env, str s, str *out)
{
    return decode(env, &encodings[ENC_UTF8], s, out);
}

static int decode(expr_env *env, const encoding *e, str s, str *out)
{
    lib1_sb b;
    lib1_sb_init(&b, env, s.len + 8);
    const unsigned char *p = (const unsigned char *)s.ptr;
    if (e->id == ENC_UTF8) {
        for (size_t i = 0; i < s.len;) {
            size_t adv;
            uint32_t cp = lib1_utf8_dec(s.ptr + i, s.len - i, &adv);
            if (cp >= 0xD800 && cp < 0xE000)
                cp = 0xFFFD;
            if (cp == 0xFFFD && adv == 1 && p[i] != 0xEF)
                lib1_sb_cp(&b, 0xFFFD);
            else if (adv == 1 && p[i] < 0x80)
                lib1_sb_putc(&b, (char)p[i]);
            else
                lib1_sb_cp(&b, cp);
            i += adv;
        }
    } else if (e->id == ENC_ASCII || e->id == ENC_LATIN1) {
        for (size_t i = 0; i < s.len; i++)
            lib1_sb_cp(&b, e->id == ENC_ASCII && p[i] >= 0x80 ? '?' : p[i]);
    } else if (e->id == ENC_UTF32) {
        for (size_t i = 0; i + 3 < s.len; i += 4) {
            uint32_t cp = p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                          (uint32_t)p[i + 3] << 24;
            lib1_sb_cp(&b, cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000) ? 0xFFFD : cp);
        }
        if (s.len % 4)
            lib1_sb_cp(&b, 0xFFFD);
    } else {
        bool be = e->id == ENC_UTF16BE;
        for (size_t i = 0; i + 1 < s.len; i += 2) {
            uint32_t u = be ? (uint32_t)p[i] << 8 | p[i + 1] : p[i] | (uint32_t)p[i + 1] << 8;
            if (u >= 0xD800 && u < 0xDC00 && i + 3 < s.len) {
                uint32_t l =
                    be ? (uint32_t)p[i + 2] << 8 | p[i + 3] : p[i + 2] | (uint32_t)p[i + 3] << 8;
                if (l >= 0xDC00 && l < 0xE000) {
                    lib1_sb_cp(&b, 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00));
                    i += 2;
                    continue;
                }
            }
            lib1_sb_cp(&b, u >= 0xD800 && u < 0xE000 ? 0xFFFD : u);
        }
        if (s.len % 2)
            lib1_sb_cp(&b, 0xFFFD);
    }
    return lib1_sb_done(&b, out);
}

/* The text argument of GetBytes/GetByteCount: string, char[] or char[] range. */
static int text_arg(xv_call *c, const char *who, str *out)
{
    xv v = c->args[0];
    if (v.kind == XV_LIST) {
        const xv_list *l = v.u.list;
        int64_t st = 0, n = (int64_t)l->n;
        if (c->nargs >= 3 && (lib1_int(c, 1, who, &st) < 0 || lib1_int(c, 2, who, &n) < 0))
            return -1;
        if (st < 0 || n < 0 || st + n > (int64_t)l->n)
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Index was out of range. (Parameter 'index')");
        lib1_sb b;
        lib1_sb_init(&b, c->env, (size_t)n);
        for (int64_t k = st; k < st + n; k++) {
            if (l->items[k].kind != XV_CHAR)
                return lib1_arg_error(c, 0, who, "char[]");
            lib1_sb_cp(&b, l->items[k].u.ch);
        }
        return lib1_sb_done(&b, out);
    }
    if (v.kind == XV_CHAR)
        return lib1_char_str(c->env, v.u.ch, out);
    if (lib1_str(c, 0, who, out, NULL) < 0)
        return -1;
    if (c->nargs >= 3) {
        int64_t st, n;
        if (lib1_int(c, 1, who, &st) < 0 || lib1_int(c, 2, who, &n) < 0)
            return -1;
        int64_t len = (int64_t)lib1_u16_len(*out);
        if (st < 0 || n < 0 || st + n > len)
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "Index was out of range. (Parameter 'index')");
        size_t b0 = lib1_u16_off(*out, (size_t)st), b1 = lib1_u16_off(*out, (size_t)(st + n));
        *out = str_make(out->ptr + b0, b1 - b0);
    }
    return 0;
}

static int enc_get_bytes(xv_call *c, xv *out)
{
    str s, r;
    if (text_arg(c, "Encoding.GetBytes", &s) < 0 || encode(c->env, enc_self(c), s, &r) < 0)
        return -1;
    if (r.len == 0)
        r = STR_LIT("");
    else if (r.ptr == s.ptr && xv_str_copy(c->env, r.ptr, r.len, out) == 0)
        r = out->u.s;
    *out = xv_bytes(r);
    return 0;
}

static int enc_get_byte_count(xv_call *c, xv *out)
{
    str s, r;
    if (text_arg(c, "Encoding.GetByteCount", &s) < 0 || encode(c->env, enc_self(c), s, &r) < 0)
        return -1;
    *out = xv_int((int64_t)r.len);
    return 0;
}

static int bytes_arg_range(xv_call *c, const char *who, str *b)
{
    if (lib1_bytes(c, 0, who, b) < 0)
        return -1;
    if (c->nargs >= 3) {
        int64_t st, n;
        if (lib1_int(c, 1, who, &st) < 0 || lib1_int(c, 2, who, &n) < 0)
            return -1;
        if (st < 0 || n < 0 || st + n > (int64_t)b->len)
            return expr_throw(
                c->env, "ArgumentOutOfRangeException",
                "Index and count must refer to a location within the buffer. (Parameter 'bytes')");
        *b = str_make(b->ptr + st, (size_t)n);
    }
    return 0;
}

static int enc_get_string(xv_call *c, xv *out)
{
    str b, r;
    if (bytes_arg_range(c, "Encoding.GetString", &b) < 0 || decode(c->env, enc_self(c), b, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int enc_get_chars(xv_call *c, xv *out)
{
    str b, r;
    if (bytes_arg_range(c, "Encoding.GetChars", &b) < 0 || decode(c->env, enc_self(c), b, &r) < 0)
        return -1;
    xv_list *l = xv_list_new(c->env, XV_LIST_ARRAY, &expr_class_char);
    if (!l)
        return lib1_oom(c->env);
    size_t n = lib1_u16_len(r);
    for (size_t k = 0; k < n; k++)
        if (xv_list_push(c->env, l, xv_char(lib1_u16_at(r, k))) < 0)
            return -1;
    out->kind = XV_LIST;
    out->sub = 0;
    out->u.list = l;
    return 0;
}

static int enc_get_char_count(xv_call *c, xv *out)
{
    str b, r;
    if (bytes_arg_range(c, "Encoding.GetCharCount", &b) < 0 ||
        decode(c->env, enc_self(c), b, &r) < 0)
        return -1;
    *out = xv_int((int64_t)lib1_u16_len(r));
    return 0;
}

static int enc_get_preamble(xv_call *c, xv *out)
{
    const encoding *e = enc_self(c);
    return xv_str_copy(c->env, e->preamble, e->npreamble, out) < 0 ? -1 : (out->kind = XV_BYTES, 0);
}

static int enc_web_name(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_str(str_from(((const encoding *)self.u.obj.ptr)->web_name));
    return 0;
}

static int enc_name(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_str(str_from(((const encoding *)self.u.obj.ptr)->name));
    return 0;
}

static int enc_code_page(expr_env *env, xv self, xv *out)
{
    (void)env;
    *out = xv_int(((const encoding *)self.u.obj.ptr)->code_page);
    return 0;
}

static int enc_to_string(xv_call *c, xv *out)
{
    (void)c;
    *out = xv_str(STR_LIT("System.Text.Encoding"));
    return 0;
}

static int enc_get_encoding(xv_call *c, xv *out)
{
    xv v = c->args[0];
    for (size_t i = 0; i < sizeof encodings / sizeof encodings[0]; i++) {
        const encoding *e = &encodings[i];
        if ((v.kind == XV_INT && v.u.i == e->code_page) ||
            (v.kind == XV_STR && (str_ieq(v.u.s, str_from(e->web_name)) ||
                                  (i == ENC_UTF8 && str_ieq(v.u.s, STR_LIT("utf8"))) ||
                                  (i == ENC_ASCII && str_ieq(v.u.s, STR_LIT("ascii"))) ||
                                  (i == ENC_LATIN1 && str_ieq(v.u.s, STR_LIT("latin1")))))) {
            *out = enc_obj(e);
            return 0;
        }
    }
    if (v.kind != XV_INT && v.kind != XV_STR)
        return lib1_arg_error(c, 0, "Encoding.GetEncoding", "string or int");
    return expr_throw(c->env, "ArgumentException", "'%s' is not a supported encoding name.",
                      xv_type_name(v));
}

#define ENC &lib1_class_encoding
static const xv_method enc_methods[] = {
    { "GetByteCount", 1, 3, enc_get_byte_count, &expr_class_int, 0, NULL },
    { "GetBytes", 1, 3, enc_get_bytes, &expr_class_bytes, 0, NULL },
    { "GetCharCount", 1, 3, enc_get_char_count, &expr_class_int, 0, NULL },
    { "GetChars", 1, 3, enc_get_chars, &expr_class_list, 0, NULL },
    { "GetPreamble", 0, 0, enc_get_preamble, &expr_class_bytes, 0, NULL },
    { "GetString", 1, 3, enc_get_string, &expr_class_string, 0, NULL },
    { "ToString", 0, 0, enc_to_string, &expr_class_string, 0, NULL },
};
static const xv_member enc_members[] = {
    { "BodyName", enc_web_name, &expr_class_string, 0, NULL },
    { "CodePage", enc_code_page, &expr_class_int, 0, NULL },
    { "EncodingName", enc_name, &expr_class_string, 0, NULL },
    { "HeaderName", enc_web_name, &expr_class_string, 0, NULL },
    { "WebName", enc_web_name, &expr_class_string, 0, NULL },
};
static const xv_member enc_statics[] = {
    { "ASCII", enc_ascii, ENC, 0, NULL },     { "BigEndianUnicode", enc_bigendian, ENC, 0, NULL },
    { "Default", enc_utf8, ENC, 0, NULL },    { "Latin1", enc_latin1, ENC, 0, NULL },
    { "UTF32", enc_utf32, ENC, 0, NULL },     { "UTF8", enc_utf8, ENC, 0, NULL },
    { "Unicode", enc_unicode, ENC, 0, NULL },
};
static const xv_method enc_smethods[] = {
    { "GetEncoding", 1, 1, enc_get_encoding, ENC, 0, NULL },
};
static const char *const enc_aliases[] = { "System.Text.Encoding", NULL };
const xv_class lib1_class_encoding = {
    .name = "Encoding",
    .aliases = enc_aliases,
    .base = &expr_class_object,
    .members = enc_members,
    .nmembers = sizeof enc_members / sizeof enc_members[0],
    .methods = enc_methods,
    .nmethods = sizeof enc_methods / sizeof enc_methods[0],
    .smembers = enc_statics,
    .nsmembers = sizeof enc_statics / sizeof enc_statics[0],
    .smethods = enc_smethods,
    .nsmethods = sizeof enc_smethods / sizeof enc_smethods[0],
};

/* new UTF8Encoding([emitBom[, throwOnInvalid]]) */
static int utf8enc_ctor(xv_call *c, xv *out)
{
    bool bom = false;
    if (c->nargs > 0 && lib1_bool(c, 0, "UTF8Encoding..ctor", &bom) < 0)
        return -1;
    *out = enc_obj(bom ? &encodings[ENC_UTF8] : &utf8_nobom);
    return 0;
}
static const char *const utf8enc_aliases[] = { "System.Text.UTF8Encoding", NULL };
const xv_class lib1_class_utf8encoding = {
    .name = "UTF8Encoding",
    .aliases = utf8enc_aliases,
    .base = &lib1_class_encoding,
    .ctor = utf8enc_ctor,
    .ctor_min = 0,
    .ctor_max = 2,
};

/* ---- BitConverter ---- */

static int bc_to_string(xv_call *c, xv *out)
{
    str b;
    if (lib1_bytes(c, 0, "BitConverter.ToString", &b) < 0)
        return -1;
    int64_t st = 0, n = (int64_t)b.len;
    if (c->nargs > 1) {
        if (lib1_int(c, 1, "BitConverter.ToString", &st) < 0)
            return -1;
        n = (int64_t)b.len - st;
    }
    if (c->nargs > 2 && lib1_int(c, 2, "BitConverter.ToString", &n) < 0)
        return -1;
    if (st < 0 || n < 0 || st + n > (int64_t)b.len ||
        (st >= (int64_t)b.len && b.len > 0 && c->nargs > 1 && n > 0))
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Index was out of range. (Parameter 'startIndex')");
    lib1_sb sb;
    lib1_sb_init(&sb, c->env, (size_t)n * 3);
    for (int64_t i = st; i < st + n; i++) {
        if (i > st)
            lib1_sb_putc(&sb, '-');
        lib1_sb_printf(&sb, "%02X", (unsigned char)b.ptr[i]);
    }
    str r;
    if (lib1_sb_done(&sb, &r) < 0)
        return -1;
    *out = xv_str(r);
    return 0;
}

static int bc_get_bytes(xv_call *c, xv *out)
{
    xv v = c->args[0];
    uint8_t tmp[8];
    size_t n;
    uint64_t u;
    switch (v.kind) {
    case XV_BOOL:
        tmp[0] = v.u.b;
        n = 1;
        break;
    case XV_CHAR:
        u = v.u.ch;
        n = 2;
        goto le;
    case XV_INT:
        u = (uint64_t)v.u.i;
        n = v.sub == XV_SUB_INT64 ? 8 : v.sub == XV_SUB_BYTE ? 2 : 4;
        goto le;
    case XV_DOUBLE:
        if (v.sub == XV_SUB_FLOAT) {
            float f = (float)v.u.d;
            uint32_t w;
            memcpy(&w, &f, 4);
            u = w;
            n = 4;
        } else {
            memcpy(&u, &v.u.d, 8);
            n = 8;
        }
    le:
        for (size_t i = 0; i < n; i++)
            tmp[i] = (uint8_t)(u >> (8 * i));
        break;
    default:
        return lib1_arg_error(c, 0, "BitConverter.GetBytes", "bool, char, int, long or double");
    }
    if (xv_str_copy(c->env, (const char *)tmp, n, out) < 0)
        return -1;
    out->kind = XV_BYTES;
    return 0;
}

static int bc_read(xv_call *c, size_t n, const char *who, uint64_t *u)
{
    str b;
    int64_t st = 0;
    *u = 0;
    if (lib1_bytes(c, 0, who, &b) < 0 || (c->nargs > 1 && lib1_int(c, 1, who, &st) < 0))
        return -1;
    if (st < 0 || st + (int64_t)n > (int64_t)b.len)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "Index was out of range. (Parameter 'startIndex')");
    for (size_t i = 0; i < n; i++)
        *u |= (uint64_t)(unsigned char)b.ptr[st + (int64_t)i] << (8 * i);
    return 0;
}

static int bc_to_int16(xv_call *c, xv *out)
{
    uint64_t u;
    if (bc_read(c, 2, "BitConverter.ToInt16", &u) < 0)
        return -1;
    *out = xv_int((int16_t)u);
    return 0;
}

static int bc_to_int32(xv_call *c, xv *out)
{
    uint64_t u;
    if (bc_read(c, 4, "BitConverter.ToInt32", &u) < 0)
        return -1;
    *out = xv_int((int32_t)u);
    return 0;
}

static int bc_to_uint32(xv_call *c, xv *out)
{
    uint64_t u;
    if (bc_read(c, 4, "BitConverter.ToUInt32", &u) < 0)
        return -1;
    *out = xv_long((int64_t)u);
    return 0;
}

static int bc_to_int64(xv_call *c, xv *out)
{
    uint64_t u;
    if (bc_read(c, 8, "BitConverter.ToInt64", &u) < 0)
        return -1;
    *out = xv_long((int64_t)u);
    return 0;
}

static int bc_to_double(xv_call *c, xv *out)
{
    uint64_t u;
    if (bc_read(c, 8, "BitConverter.ToDouble", &u) < 0)
        return -1;
    double d;
    memcpy(&d, &u, 8);
    *out = xv_double(d);
    return 0;
}

static int bc_to_boolean(xv_call *c, xv *out)
{
    uint64_t u;
    if (bc_read(c, 1, "BitConverter.ToBoolean", &u) < 0)
        return -1;
    *out = xv_bool(u != 0);
    return 0;
}

static int bc_little_endian(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = xv_bool(true);
    return 0;
}

static const xv_method bc_smethods[] = {
    { "GetBytes", 1, 1, bc_get_bytes, &expr_class_bytes, 0, NULL },
    { "ToBoolean", 1, 2, bc_to_boolean, &expr_class_bool, 0, NULL },
    { "ToDouble", 1, 2, bc_to_double, &expr_class_double, 0, NULL },
    { "ToInt16", 1, 2, bc_to_int16, &expr_class_int, 0, NULL },
    { "ToInt32", 1, 2, bc_to_int32, &expr_class_int, 0, NULL },
    { "ToInt64", 1, 2, bc_to_int64, &expr_class_long, 0, NULL },
    { "ToString", 1, 3, bc_to_string, &expr_class_string, 0, NULL },
    { "ToUInt32", 1, 2, bc_to_uint32, &expr_class_long, 0, NULL },
};
static const xv_member bc_statics[] = {
    { "IsLittleEndian", bc_little_endian, &expr_class_bool, 0, NULL },
};
static const char *const bc_aliases[] = { "System.BitConverter", NULL };
const xv_class lib1_class_bitconverter = {
    .name = "BitConverter",
    .aliases = bc_aliases,
    .flags = XV_CLASS_STATIC,
    .smembers = bc_statics,
    .nsmembers = 1,
    .smethods = bc_smethods,
    .nsmethods = sizeof bc_smethods / sizeof bc_smethods[0],
};

/* Base64FormattingOptions */
static int b64o_none(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = lib1_enum_val(&lib1_class_base64options, 0);
    return 0;
}
static int b64o_lines(expr_env *env, xv self, xv *out)
{
    (void)env;
    (void)self;
    *out = lib1_enum_val(&lib1_class_base64options, 1);
    return 0;
}
static const xv_member b64o_consts[] = {
    { "InsertLineBreaks", b64o_lines, &lib1_class_base64options, 1, NULL },
    { "None", b64o_none, &lib1_class_base64options, 0, NULL },
};
static const char *const b64o_aliases[] = { "System.Base64FormattingOptions", NULL };
const xv_class lib1_class_base64options = {
    .name = "Base64FormattingOptions",
    .aliases = b64o_aliases,
    .flags = XV_CLASS_ENUM,
    .smembers = b64o_consts,
    .nsmembers = 2,
};
