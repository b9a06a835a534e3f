/* Configuration reader infrastructure: positions, diagnostics, typed scalars (strings, booleans,
 * integers, ISO-8601 durations, addresses, lists), key checks and {{named value}} substitution.
 * Shared by the section readers through config_impl.h. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "config_impl.h"

/* ---- reader infrastructure ---- */

rt_cfg_where cfg_where(const yaml_node_t *n)
{
    if (!n)
        return (rt_cfg_where){ 0 };
    return (rt_cfg_where){ (unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1 };
}

static void cfg_vdiag(cfg_reader *r, diag_sev sev, const yaml_node_t *n, const char *fmt,
                      va_list ap) __attribute__((format(printf, 4, 0)));
static void cfg_vdiag(cfg_reader *r, diag_sev sev, const yaml_node_t *n, const char *fmt,
                      va_list ap)
{
    diag_pos pos;
    rt_config_pos(r->c, cfg_where(n), &pos);
    diag_vadd(r->d, sev, &pos, fmt, ap);
}

void cfg_error(cfg_reader *r, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cfg_vdiag(r, DIAG_ERROR, n, fmt, ap);
    va_end(ap);
}

void cfg_error_at(cfg_reader *r, rt_cfg_where w, const char *fmt, ...)
{
    diag_pos pos;
    rt_config_pos(r->c, w, &pos);
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(r->d, DIAG_ERROR, &pos, fmt, ap);
    va_end(ap);
}

void cfg_warn(cfg_reader *r, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cfg_vdiag(r, DIAG_WARNING, n, fmt, ap);
    va_end(ap);
}

yaml_node_t *cfg_node(cfg_reader *r, int id)
{
    return yaml_document_get_node(r->doc, id);
}

bool cfg_is_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE;
}

bool cfg_is_null(const yaml_node_t *n)
{
    if (!cfg_is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return n->data.scalar.length == 0 || cfg_key_is(n, "~") || cfg_key_is(n, "null") ||
           cfg_key_is(n, "Null") || cfg_key_is(n, "NULL");
}

str cfg_scalar(cfg_reader *r, const yaml_node_t *n)
{
    return arena_str(&r->c->a, (str){ (const char *)n->data.scalar.value, n->data.scalar.length });
}

bool cfg_key_is(const yaml_node_t *k, const char *name)
{
    return cfg_is_scalar(k) && k->data.scalar.length == strlen(name) &&
           !memcmp(k->data.scalar.value, name, k->data.scalar.length);
}

yaml_node_t *cfg_get(cfg_reader *r, const yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        if (cfg_key_is(cfg_node(r, p->key), key))
            return cfg_node(r, p->value);
    }
    return NULL;
}

bool cfg_expect_map(cfg_reader *r, const yaml_node_t *n, const char *what)
{
    if (n && n->type == YAML_MAPPING_NODE)
        return true;
    cfg_error(r, n, "%s must be a mapping", what);
    return false;
}

size_t cfg_npairs(const yaml_node_t *m)
{
    return (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
}

static bool scalar_eq(const yaml_node_t *a, const yaml_node_t *b)
{
    return a->data.scalar.length == b->data.scalar.length &&
           !memcmp(a->data.scalar.value, b->data.scalar.value, a->data.scalar.length);
}

void cfg_check_keys(cfg_reader *r, const yaml_node_t *m, const char *const *known, const char *what)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(r, p->key);
        if (!cfg_is_scalar(k)) {
            cfg_error(r, k, "%s: keys must be strings", what);
            continue;
        }
        bool dup = false;
        for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p && !dup; q++) {
            yaml_node_t *k2 = cfg_node(r, q->key);
            dup = cfg_is_scalar(k2) && scalar_eq(k, k2);
        }
        if (dup) {
            cfg_error(r, k, "%s: duplicate key '%.*s'", what, (int)k->data.scalar.length,
                      (const char *)k->data.scalar.value);
            continue;
        }
        if (!known)
            continue;
        bool ok = false;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = cfg_key_is(k, known[i]);
        if (!ok)
            cfg_warn(r, k, "%s: unknown key '%.*s'", what, (int)k->data.scalar.length,
                     (const char *)k->data.scalar.value);
    }
}

int cfg_path(cfg_reader *r, const yaml_node_t *n, const char *what, rt_cfg_file *out)
{
    if (cfg_path_str(r, n, what, &out->path) < 0)
        return -1;
    out->where = cfg_where(n);
    return 0;
}

int cfg_path_str(cfg_reader *r, const yaml_node_t *n, const char *what, const char **out)
{
    if (!cfg_is_scalar(n) || !n->data.scalar.length || cfg_is_null(n)) {
        cfg_error(r, n, "%s must be a file path", what);
        return -1;
    }
    str p = cfg_scalar(r, n);
    if (!p.ptr)
        return -1;
    if (strlen(p.ptr) != p.len) {
        cfg_error(r, n, "%s: a file path cannot contain NUL", what);
        return -1;
    }
    if (p.ptr[0] == '/' || !r->dir[0])
        *out = p.ptr;
    else
        *out = arena_sprintf(&r->c->a, "%s/%s", r->dir, p.ptr);
    return *out ? 0 : -1;
}

int cfg_str(cfg_reader *r, const yaml_node_t *n, const char *what, str *out)
{
    if (!cfg_is_scalar(n)) {
        cfg_error(r, n, "%s must be a string", what);
        return -1;
    }
    *out = cfg_scalar(r, n);
    return out->ptr ? 0 : -1;
}

int cfg_str_nonempty(cfg_reader *r, const yaml_node_t *n, const char *what, str *out)
{
    if (!cfg_is_scalar(n) || cfg_is_null(n) || !n->data.scalar.length) {
        cfg_error(r, n, "%s must be a non-empty string", what);
        return -1;
    }
    return cfg_str(r, n, what, out);
}

int cfg_bool(cfg_reader *r, const yaml_node_t *n, const char *what, bool *out)
{
    static const char *const yes[] = { "true", "True", "TRUE" }, *const no[] = { "false", "False",
                                                                                 "FALSE" };
    for (size_t i = 0; i < 3; i++) {
        if (cfg_key_is(n, yes[i])) {
            *out = true;
            return 0;
        }
        if (cfg_key_is(n, no[i])) {
            *out = false;
            return 0;
        }
    }
    cfg_error(r, n, "%s must be true or false", what);
    return -1;
}

static int parse_int(str s, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < s.len && (s.ptr[i] == '-' || s.ptr[i] == '+'))
        neg = s.ptr[i++] == '-';
    if (i == s.len)
        return -1;
    int64_t v = 0;
    for (; i < s.len; i++) {
        if (!isdigit((unsigned char)s.ptr[i]) || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (s.ptr[i] - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

int cfg_int(cfg_reader *r, const yaml_node_t *n, const char *what, int64_t min, int64_t max,
            int64_t *out)
{
    int64_t v;
    if (!cfg_is_scalar(n) ||
        parse_int((str){ (const char *)n->data.scalar.value, n->data.scalar.length }, &v) < 0) {
        cfg_error(r, n, "%s must be an integer", what);
        return -1;
    }
    if (v < min || v > max) {
        cfg_error(r, n, "%s must be between %lld and %lld", what, (long long)min, (long long)max);
        return -1;
    }
    *out = v;
    return 0;
}

/* One number of an ISO-8601 duration: digits with an optional fraction, in thousandths. */
static int duration_number(str s, size_t *i, int64_t *milli)
{
    int64_t whole = 0, frac = 0, scale = 1000;
    size_t start = *i;
    while (*i < s.len && isdigit((unsigned char)s.ptr[*i])) {
        if (whole > 100000000000LL)
            return -1;
        whole = whole * 10 + (s.ptr[(*i)++] - '0');
    }
    if (*i < s.len && (s.ptr[*i] == '.' || s.ptr[*i] == ',')) {
        (*i)++;
        size_t fs = *i;
        while (*i < s.len && isdigit((unsigned char)s.ptr[*i])) {
            if (scale > 1) {
                scale /= 10;
                frac += (s.ptr[*i] - '0') * scale;
            }
            (*i)++;
        }
        if (*i == fs)
            return -1;
    }
    if (*i == start)
        return -1;
    *milli = whole * 1000 + frac;
    return 0;
}

int rt_duration_parse(str s, int64_t *ms, const char **why)
{
    static const int64_t unit_day = 86400000, unit_week = 7 * 86400000LL;
    size_t i = 0;
    bool in_time = false, any = false;
    int64_t total = 0;
    int last = -1; /* order of designators: W D | H M S */
    *why = "expected an ISO-8601 duration such as PT1M, PT10S or P1DT2H";
    if (!s.len || (s.ptr[0] != 'P' && s.ptr[0] != 'p'))
        return -1;
    for (i = 1; i < s.len;) {
        if (s.ptr[i] == 'T' || s.ptr[i] == 't') {
            if (in_time)
                return -1;
            in_time = true;
            i++;
            if (i == s.len)
                return -1;
            continue;
        }
        int64_t milli;
        if (duration_number(s, &i, &milli) < 0 || i == s.len)
            return -1;
        char u = (char)toupper((unsigned char)s.ptr[i++]);
        int64_t unit;
        int order;
        if (!in_time && u == 'Y') {
            *why = "years are not allowed in durations (their length is ambiguous)";
            return -1;
        } else if (!in_time && u == 'M') {
            *why = "months are not allowed in durations (use days, e.g. P30D)";
            return -1;
        } else if (!in_time && u == 'W') {
            unit = unit_week, order = 0;
        } else if (!in_time && u == 'D') {
            unit = unit_day, order = 1;
        } else if (in_time && u == 'H') {
            unit = 3600000, order = 2;
        } else if (in_time && u == 'M') {
            unit = 60000, order = 3;
        } else if (in_time && u == 'S') {
            unit = 1000, order = 4;
        } else {
            return -1;
        }
        if (order <= last)
            return -1;
        last = order;
        if (milli > (INT64_MAX / 4 - total) / unit * 1000) {
            *why = "duration too large";
            return -1;
        }
        total += milli * unit / 1000;
        any = true;
    }
    if (!any)
        return -1;
    *ms = total;
    return 0;
}

int cfg_duration(cfg_reader *r, const yaml_node_t *n, const char *what, int64_t *ms)
{
    const char *why = "expected an ISO-8601 duration such as PT1M";
    if (!cfg_is_scalar(n) ||
        rt_duration_parse((str){ (const char *)n->data.scalar.value, n->data.scalar.length }, ms,
                          &why) < 0) {
        cfg_error(r, n, "%s: %s", what, why);
        return -1;
    }
    if (*ms <= 0) {
        cfg_error(r, n, "%s must be longer than zero", what);
        return -1;
    }
    return 0;
}

int cfg_str_list(cfg_reader *r, const yaml_node_t *n, const char *what, bool one_ok, str **out,
                 size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (one_ok && cfg_is_scalar(n) && !cfg_is_null(n)) {
        *out = arena_alloc(&r->c->a, sizeof **out);
        if (!*out)
            return -1;
        (*out)[0] = cfg_scalar(r, n);
        *nout = 1;
        return 0;
    }
    if (!n || n->type != YAML_SEQUENCE_NODE) {
        cfg_error(r, n, "%s must be a list of strings", what);
        return -1;
    }
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    *out = arena_calloc(&r->c->a, cnt ? cnt : 1, sizeof **out);
    if (!*out)
        return -1;
    int rc = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *v = cfg_node(r, *it);
        if (!cfg_is_scalar(v)) {
            cfg_error(r, v, "%s: each item must be a string", what);
            rc = -1;
            continue;
        }
        (*out)[(*nout)++] = cfg_scalar(r, v);
    }
    return rc;
}

static bool is_nv_name_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '.' || ch == '-' || ch == '_';
}

int cfg_subst(cfg_reader *r, const yaml_node_t *n, const char *what, str *out, bool *secret)
{
    if (cfg_str(r, n, what, out) < 0)
        return -1;
    str s = *out;
    if (str_find(s, STR_LIT("{{")) < 0)
        return 0;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (size_t i = 0; i < s.len;) {
        str piece = { s.ptr + i, 1 };
        size_t adv = 1;
        if (s.ptr[i] == '{' && i + 1 < s.len && s.ptr[i + 1] == '{') {
            size_t j = i + 2;
            while (j < s.len && is_nv_name_char(s.ptr[j]))
                j++;
            if (j > i + 2 && j + 1 < s.len && s.ptr[j] == '}' && s.ptr[j + 1] == '}') {
                str name = { s.ptr + i + 2, j - i - 2 };
                const rt_named_value *nv = rt_config_named_value(r->c, name);
                adv = j + 2 - i;
                piece = (str){ s.ptr + i, adv };
                if (!nv) {
                    cfg_error(r, n, "%s: named value '%.*s' is not defined", what, STR_FMT(name));
                    rc = -1;
                } else {
                    piece = nv->value;
                    if (secret && nv->secret)
                        *secret = true;
                }
            }
        }
        if (len + piece.len + 1 > cap) {
            size_t nc = (cap ? cap * 2 : 64) + piece.len;
            char *nb = arena_realloc(&r->c->a, buf, cap, nc);
            if (!nb)
                return -1;
            buf = nb;
            cap = nc;
        }
        memcpy(buf + len, piece.ptr, piece.len);
        len += piece.len;
        i += adv;
    }
    if (buf)
        buf[len] = 0;
    *out = (str){ buf ? buf : "", len };
    return rc;
}

int cfg_addr(cfg_reader *r, const yaml_node_t *n, const char *what, rt_cfg_addr *out)
{
    str s;
    if (cfg_str_nonempty(r, n, what, &s) < 0)
        return -1;
    str host = STR_NULL, port = STR_NULL;
    if (s.ptr[0] == '[') {
        long close = str_find(s, STR_LIT("]"));
        if (close > 1 && (size_t)close + 1 < s.len && s.ptr[close + 1] == ':') {
            host = (str){ s.ptr + 1, (size_t)close - 1 };
            port = (str){ s.ptr + close + 2, s.len - (size_t)close - 2 };
        }
    } else {
        const char *colon = memchr(s.ptr, ':', s.len);
        if (colon && !memchr(colon + 1, ':', s.len - (size_t)(colon - s.ptr) - 1)) {
            host = (str){ s.ptr, (size_t)(colon - s.ptr) };
            port = (str){ colon + 1, s.len - (size_t)(colon - s.ptr) - 1 };
        }
    }
    int64_t p;
    if (!port.ptr || parse_int(port, &p) < 0 || port.ptr[0] == '+' || port.ptr[0] == '-') {
        cfg_error(r, n, "%s must be host:port (e.g. 127.0.0.1:8080, [::1]:8080, :8080)", what);
        return -1;
    }
    if (p < 1 || p > 65535) {
        cfg_error(r, n, "%s: port must be between 1 and 65535", what);
        return -1;
    }
    for (size_t i = 0; i < host.len; i++) {
        char ch = host.ptr[i];
        if (!(isalnum((unsigned char)ch) || ch == '.' || ch == '-' || ch == '_' || ch == ':' ||
              ch == '%')) {
            cfg_error(r, n, "%s: invalid host name", what);
            return -1;
        }
    }
    *out = (rt_cfg_addr){ true, arena_str(&r->c->a, host), (int)p, cfg_where(n) };
    return 0;
}

bool cfg_is_http_url(str s)
{
    size_t skip;
    if (s.len > 7 && !strncasecmp(s.ptr, "http://", 7))
        skip = 7;
    else if (s.len > 8 && !strncasecmp(s.ptr, "https://", 8))
        skip = 8;
    else
        return false;
    if (s.ptr[skip] == '/' || s.ptr[skip] == '?' || s.ptr[skip] == '#' || s.ptr[skip] == ':')
        return false;
    for (size_t i = 0; i < s.len; i++) {
        if ((unsigned char)s.ptr[i] <= ' ' || s.ptr[i] == 0x7f)
            return false;
    }
    return true;
}
