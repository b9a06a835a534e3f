/* Regex operations over PCRE2: compile, match, Matches, Replace (with .NET substitutions and
 * MatchEvaluator lambdas), Split, Escape, Unescape, UTF-16 index conversion. */
#include <stdio.h>
#include <string.h>

#include "../runtime/base/buf.h"
#include "lib1.h"
#include "lib_regex.h"

/* Backtracking steps per match before RegexMatchTimeoutException (.NET has a wall-clock
 * timeout; a step limit is deterministic). */
#define RX_MATCH_LIMIT 2000000u
#define RX_DEPTH_LIMIT 100000u

static void code_free(void *p)
{
    pcre2_code_free(p);
}

static int oom(expr_env *env)
{
    return expr_throw(env, "OutOfMemoryException",
                      "Insufficient memory to continue the execution.");
}

/* True when the pattern uses .NET character class subtraction ([a-z-[aeiou]]), which PCRE2
 * would silently read as a different class. */
static bool has_class_subtraction(str p)
{
    bool in_class = false;
    for (size_t i = 0; i < p.len; i++) {
        char ch = p.ptr[i];
        if (ch == '\\') {
            i++;
        } else if (!in_class && ch == '[') {
            in_class = true;
            if (i + 1 < p.len && p.ptr[i + 1] == '^')
                i++;
            if (i + 1 < p.len && p.ptr[i + 1] == ']')
                i++; /* a leading ] is literal */
        } else if (in_class && ch == '-' && i + 1 < p.len && p.ptr[i + 1] == '[') {
            return true;
        } else if (in_class && ch == ']') {
            in_class = false;
        }
    }
    return false;
}

const rx *rx_compile(expr_env *env, str pattern, int64_t options)
{
    if (options & RX_RIGHTTOLEFT) {
        expr_throw(env, "NotSupportedException", "RegexOptions.RightToLeft is not supported");
        return NULL;
    }
    if (has_class_subtraction(pattern)) {
        expr_throw(env, "NotSupportedException",
                   "Regex: character class subtraction ([a-z-[aeiou]]) is not supported");
        return NULL;
    }
    uint32_t flags = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_ALT_BSUX;
    if (options & RX_IGNORECASE)
        flags |= PCRE2_CASELESS;
    if (options & RX_MULTILINE)
        flags |= PCRE2_MULTILINE;
    if (options & RX_SINGLELINE)
        flags |= PCRE2_DOTALL;
    if (options & RX_IGNOREPATTERNWHITESPACE)
        flags |= PCRE2_EXTENDED;
    if (options & RX_EXPLICITCAPTURE)
        flags |= PCRE2_NO_AUTO_CAPTURE;
    int err;
    PCRE2_SIZE erroff;
    const char *p = pattern.ptr ? pattern.ptr : "";
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)p, pattern.len, flags, &err, &erroff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        expr_throw(env, "ArgumentException", "Invalid pattern '%.*s' at offset %zu. %s",
                   (int)(pattern.len > 200 ? 200 : pattern.len), p,
                   rx_u16_len(str_make(p, pattern.len), erroff), (const char *)msg);
        return NULL;
    }
    rx *re = arena_alloc(env->a, sizeof *re);
    if (!re || arena_defer(env->a, code_free, code) < 0) {
        pcre2_code_free(code);
        oom(env);
        return NULL;
    }
    uint32_t ncap = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &ncap);
    re->code = code;
    re->pattern = pattern;
    re->options = options;
    re->ncap = ncap + 1;
    return re;
}

int rx_exec(expr_env *env, const rx *re, str input, size_t start, rx_match **out)
{
    rx_match *m = arena_alloc(env->a, sizeof *m);
    PCRE2_SIZE *ov = arena_calloc(env->a, 2 * (size_t)re->ncap, sizeof *ov);
    if (!m || !ov)
        return oom(env);
    m->re = re;
    m->input = input;
    m->start = start;
    m->ov = ov;
    *out = m;
    for (uint32_t i = 0; i < 2 * re->ncap; i++)
        ov[i] = PCRE2_UNSET;
    if (start > input.len)
        return 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    int rc = PCRE2_ERROR_NOMEMORY;
    if (md && mc) {
        pcre2_set_match_limit(mc, RX_MATCH_LIMIT);
        pcre2_set_depth_limit(mc, RX_DEPTH_LIMIT);
        const char *s = input.ptr ? input.ptr : "";
        rc = pcre2_match(re->code, (PCRE2_SPTR)s, input.len, start, 0, md, mc);
        if (rc > 0) {
            uint32_t n = pcre2_get_ovector_count(md);
            PCRE2_SIZE *v = pcre2_get_ovector_pointer(md);
            for (uint32_t i = 0; i < n && i < re->ncap && i < (uint32_t)rc; i++) {
                ov[2 * i] = v[2 * i];
                ov[2 * i + 1] = v[2 * i + 1];
            }
            m->success = true;
        }
    }
    pcre2_match_data_free(md);
    pcre2_match_context_free(mc);
    if (rc > 0 || rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
        return expr_throw(env, "RegexMatchTimeoutException",
                          "The Regex engine has timed out while trying to match a pattern to an "
                          "input string. This can occur for many reasons, including very large "
                          "inputs or excessive backtracking caused by nested quantifiers, "
                          "back-references and other factors.");
    if (rc == PCRE2_ERROR_NOMEMORY)
        return oom(env);
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    return expr_throw(env, "ArgumentException", "Regex: %s", (const char *)msg);
}

static size_t utf8_step(str s, size_t i)
{
    unsigned char ch = (unsigned char)s.ptr[i];
    size_t n = ch < 0xC0 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : ch < 0xF8 ? 4 : 1;
    return i + n > s.len ? s.len - i : n;
}

size_t rx_next_start(const rx_match *m)
{
    size_t end = m->ov[1];
    if (m->ov[0] != m->ov[1])
        return end;
    return end >= m->input.len ? m->input.len + 1 : end + utf8_step(m->input, end);
}

size_t rx_u16_len(str s, size_t nbytes)
{
    size_t units = 0;
    if (nbytes > s.len)
        nbytes = s.len;
    for (size_t i = 0; i < nbytes;) {
        unsigned char ch = (unsigned char)s.ptr[i];
        units += ch >= 0xF0 && ch < 0xF8 ? 2 : 1;
        i += utf8_step(s, i);
    }
    return units;
}

size_t rx_u16_to_byte(str s, size_t idx)
{
    size_t units = 0, i = 0;
    while (i < s.len && units < idx) {
        unsigned char ch = (unsigned char)s.ptr[i];
        units += ch >= 0xF0 && ch < 0xF8 ? 2 : 1;
        i += utf8_step(s, i);
    }
    return i;
}

int rx_matches(expr_env *env, const rx *re, str input, size_t start, xv *out)
{
    xv_list *l = xv_list_new(env, XV_LIST_LIST, &expr_class_match);
    if (!l)
        return -1;
    for (size_t pos = start; pos <= input.len;) {
        rx_match *m;
        xv mv;
        if (rx_exec(env, re, input, pos, &m) < 0)
            return -1;
        if (!m->success)
            break;
        if (rx_match_value(env, m, &mv) < 0 || xv_list_push(env, l, mv) < 0)
            return -1;
        pos = rx_next_start(m);
    }
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

static str group_text(const rx_match *m, uint32_t g)
{
    if (g >= m->re->ncap || m->ov[2 * g] == PCRE2_UNSET)
        return STR_LIT("");
    return str_make(m->input.ptr + m->ov[2 * g], m->ov[2 * g + 1] - m->ov[2 * g]);
}

/* Group number for a ${name} / ${n} reference; -1 when the pattern has no such group. */
static int64_t group_ref(expr_env *env, const rx *re, str name)
{
    if (name.len == 0)
        return -1;
    int64_t n = 0;
    size_t i = 0;
    for (; i < name.len && name.ptr[i] >= '0' && name.ptr[i] <= '9' && n < 1000000; i++)
        n = n * 10 + (name.ptr[i] - '0');
    if (i == name.len)
        return n < re->ncap ? n : -1;
    char *z = arena_strndup(env->a, name.ptr, name.len);
    if (!z)
        return -1;
    int num = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)z);
    return num >= 0 ? num : -1;
}

/* Appends the substitution of rep for m ($n, ${name}, $$, $&, $`, $', $+, $_). */
static int expand(expr_env *env, buf *b, const rx_match *m, str rep)
{
    const rx *re = m->re;
    for (size_t i = 0; i < rep.len; i++) {
        int rc;
        char ch = rep.ptr[i];
        char nx = i + 1 < rep.len ? rep.ptr[i + 1] : '\0';
        if (ch != '$' || i + 1 >= rep.len) {
            rc = buf_putc(b, ch);
        } else if (nx == '$') {
            rc = buf_putc(b, '$');
            i++;
        } else if (nx == '&' || nx == '`' || nx == '\'' || nx == '+' || nx == '_') {
            str t = nx == '&'    ? group_text(m, 0)
                    : nx == '`'  ? str_make(m->input.ptr, m->ov[0])
                    : nx == '\'' ? str_make(m->input.ptr + m->ov[1], m->input.len - m->ov[1])
                    : nx == '+'  ? group_text(m, re->ncap - 1)
                                 : m->input;
            rc = buf_append(b, t.ptr ? t.ptr : "", t.len);
            i++;
        } else if (nx == '{' || (nx >= '0' && nx <= '9')) {
            size_t s = i + 1, e;
            str name;
            if (nx == '{') {
                for (e = s + 1; e < rep.len && rep.ptr[e] != '}'; e++)
                    ;
                name = str_make(rep.ptr + s + 1, e - s - 1);
            } else {
                for (e = s; e < rep.len && rep.ptr[e] >= '0' && rep.ptr[e] <= '9'; e++)
                    ;
                name = str_make(rep.ptr + s, e - s);
                e--;
            }
            int64_t g = e < rep.len ? group_ref(env, re, name) : -1;
            if (g < 0) {
                rc = buf_putc(b, '$');
            } else {
                str t = group_text(m, (uint32_t)g);
                rc = buf_append(b, t.ptr ? t.ptr : "", t.len);
                i = e;
            }
        } else {
            rc = buf_putc(b, '$');
        }
        if (rc < 0)
            return oom(env);
    }
    return 0;
}

static int buf_to_xv(expr_env *env, buf *b, xv *out)
{
    int rc = xv_str_copy(env, b->ptr ? b->ptr : "", b->len, out);
    buf_release(b);
    return rc;
}

int rx_result(expr_env *env, const rx_match *m, str replacement, xv *out)
{
    buf b;
    buf_init(&b, ARENA_REQUEST_CAP);
    if (m->success && expand(env, &b, m, replacement) < 0) {
        buf_release(&b);
        return -1;
    }
    return buf_to_xv(env, &b, out);
}

/* One replacement: the expanded string or the evaluator's result. */
static int replace_one(expr_env *env, buf *b, const rx_match *m, xv replacement)
{
    if (replacement.kind != XV_LAMBDA)
        return expand(env, b, m, replacement.u.s);
    xv mv, r;
    str s = STR_LIT("");
    if (rx_match_value(env, m, &mv) < 0 || expr_call_lambda(env, replacement, &mv, 1, &r) < 0)
        return -1;
    if (r.kind != XV_NULL && xv_to_string(env, r, &s) < 0)
        return -1;
    return buf_append(b, s.ptr ? s.ptr : "", s.len) < 0 ? oom(env) : 0;
}

int rx_replace(expr_env *env, const rx *re, str input, xv replacement, int64_t count, size_t start,
               xv *out)
{
    if (replacement.kind == XV_NULL)
        return expr_throw(env, "ArgumentNullException",
                          "Value cannot be null. (Parameter 'replacement')");
    if (replacement.kind != XV_STR && replacement.kind != XV_LAMBDA)
        return expr_throw(env, "ArgumentException",
                          "Regex.Replace: replacement: expected string or MatchEvaluator, got %s",
                          xv_type_name(replacement));
    buf b;
    buf_init(&b, ARENA_REQUEST_CAP);
    size_t prev = 0;
    int64_t n = 0;
    for (size_t pos = start; pos <= input.len && (count < 0 || n < count); n++) {
        rx_match *m;
        if (rx_exec(env, re, input, pos, &m) < 0)
            goto fail;
        if (!m->success)
            break;
        if (buf_append(&b, input.ptr + prev, m->ov[0] - prev) < 0) {
            oom(env);
            goto fail;
        }
        if (replace_one(env, &b, m, replacement) < 0)
            goto fail;
        prev = m->ov[1];
        pos = rx_next_start(m);
    }
    if (buf_append(&b, input.ptr ? input.ptr + prev : "", input.len - prev) < 0) {
        oom(env);
        goto fail;
    }
    return buf_to_xv(env, &b, out);
fail:
    buf_release(&b);
    return -1;
}

static int push_slice(expr_env *env, xv_list *l, str input, size_t from, size_t to)
{
    xv s;
    if (xv_str_copy(env, input.ptr ? input.ptr + from : "", to - from, &s) < 0)
        return -1;
    return xv_list_push(env, l, s);
}

int rx_split(expr_env *env, const rx *re, str input, int64_t count, xv *out)
{
    xv_list *l = xv_list_new(env, XV_LIST_ARRAY, &expr_class_string);
    if (!l)
        return -1;
    size_t prev = 0;
    int64_t n = 0;
    for (size_t pos = 0; pos <= input.len && (count <= 0 || n < count - 1); n++) {
        rx_match *m;
        if (rx_exec(env, re, input, pos, &m) < 0)
            return -1;
        if (!m->success)
            break;
        if (push_slice(env, l, input, prev, m->ov[0]) < 0)
            return -1;
        for (uint32_t g = 1; g < re->ncap; g++) {
            if (m->ov[2 * g] != PCRE2_UNSET &&
                push_slice(env, l, input, m->ov[2 * g], m->ov[2 * g + 1]) < 0)
                return -1;
        }
        prev = m->ov[1];
        pos = rx_next_start(m);
    }
    if (push_slice(env, l, input, prev, input.len) < 0)
        return -1;
    *out = (xv){ .kind = XV_LIST };
    out->u.list = l;
    return 0;
}

int rx_escape(expr_env *env, str s, xv *out)
{
    buf b;
    buf_init(&b, ARENA_REQUEST_CAP);
    int rc = 0;
    for (size_t i = 0; i < s.len && rc == 0; i++) {
        char ch = s.ptr[i];
        switch (ch) {
        case '\t':
            rc = buf_puts(&b, "\\t");
            break;
        case '\n':
            rc = buf_puts(&b, "\\n");
            break;
        case '\r':
            rc = buf_puts(&b, "\\r");
            break;
        case '\f':
            rc = buf_puts(&b, "\\f");
            break;
        default:
            if (strchr("\\*+?|{[()^$.# ", ch) && ch != '\0')
                rc = buf_putc(&b, '\\');
            if (rc == 0)
                rc = buf_putc(&b, ch);
        }
    }
    if (rc < 0) {
        buf_release(&b);
        return oom(env);
    }
    return buf_to_xv(env, &b, out);
}

static int hexdigits(str s, size_t i, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    if (i + n > s.len)
        return -1;
    for (size_t k = i; k < i + n; k++) {
        char ch = s.ptr[k];
        int d = ch >= '0' && ch <= '9'   ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                         : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return 0;
}

static int put_utf8(buf *b, uint32_t cp)
{
    char t[4];
    return buf_append(b, t, lib1_utf8_enc(cp, t));
}

/* One escape after a backslash at s[i]; sets *next to the index after it. */
static int unescape_one(buf *b, str s, size_t i, size_t *next)
{
    char ch = s.ptr[i + 1];
    uint32_t cp;
    *next = i + 2;
    switch (ch) {
    case 'a':
        return buf_putc(b, '\a');
    case 'b':
        return buf_putc(b, '\b');
    case 'e':
        return buf_putc(b, 27);
    case 'f':
        return buf_putc(b, '\f');
    case 'n':
        return buf_putc(b, '\n');
    case 'r':
        return buf_putc(b, '\r');
    case 't':
        return buf_putc(b, '\t');
    case 'v':
        return buf_putc(b, '\v');
    case 'x':
        if (hexdigits(s, i + 2, 2, &cp) < 0)
            return -2;
        *next = i + 4;
        return put_utf8(b, cp);
    case 'u': {
        if (hexdigits(s, i + 2, 4, &cp) < 0)
            return -2;
        *next = i + 6;
        uint32_t lo;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 7 < s.len && s.ptr[i + 6] == '\\' &&
            s.ptr[i + 7] == 'u' && hexdigits(s, i + 8, 4, &lo) == 0 && lo >= 0xDC00 &&
            lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            *next = i + 12;
        }
        return put_utf8(b, cp);
    }
    default:
        if (ch >= '0' && ch <= '7') {
            cp = 0;
            size_t k = i + 1;
            for (; k < s.len && k < i + 4 && s.ptr[k] >= '0' && s.ptr[k] <= '7'; k++)
                cp = cp * 8 + (uint32_t)(s.ptr[k] - '0');
            *next = k;
            return put_utf8(b, cp & 0xFF);
        }
        return buf_putc(b, ch);
    }
}

int rx_unescape(expr_env *env, str s, xv *out)
{
    buf b;
    buf_init(&b, ARENA_REQUEST_CAP);
    for (size_t i = 0; i < s.len;) {
        int rc;
        if (s.ptr[i] != '\\') {
            rc = buf_putc(&b, s.ptr[i++]);
        } else if (i + 1 >= s.len) {
            buf_release(&b);
            return expr_throw(env, "ArgumentException",
                              "Invalid pattern '%.*s' at offset %zu. Illegal \\ at end of pattern.",
                              STR_FMT(s), rx_u16_len(s, s.len));
        } else {
            rc = unescape_one(&b, s, i, &i);
            if (rc == -2) {
                buf_release(&b);
                return expr_throw(env, "ArgumentException",
                                  "Invalid pattern '%.*s' at offset %zu. Insufficient or invalid "
                                  "hexadecimal digits.",
                                  STR_FMT(s), rx_u16_len(s, i));
            }
        }
        if (rc < 0) {
            buf_release(&b);
            return oom(env);
        }
    }
    return buf_to_xv(env, &b, out);
}

str rx_group_name(expr_env *env, const rx *re, uint32_t idx)
{
    uint32_t count = 0, size = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < count && table; i++) {
        PCRE2_SPTR e = table + (size_t)i * size;
        if ((uint32_t)((e[0] << 8) | e[1]) == idx)
            return str_from((const char *)e + 2);
    }
    char *s = arena_sprintf(env->a, "%u", idx);
    return str_from(s);
}
