/* Liquid numeric, array and date filters. Arithmetic: integer op integer stays an integer
 * (checked, C# truncating division); anything else is DotLiquid's decimal arithmetic,
 * approximated with doubles rounded to 15 significant digits (Convert.ToDecimal(double)). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liquid_filters.h"

int lqf_int(lq_state *st, lv v, const char *who, int64_t *out)
{
    double d;
    bool is_int;
    if (lq_num(v, out, &d, &is_int) != 0)
        return lq_error(st, "%s: expected a number", who);
    if (!is_int) {
        if (!(d > -9.2e18 && d < 9.2e18))
            return lq_error(st, "%s: number out of range", who);
        *out = (int64_t)d;
    }
    return 0;
}

/* d rounded to 15 significant digits. */
static double dec15(double d)
{
    char t[40];
    snprintf(t, sizeof t, "%.15g", d);
    return strtod(t, NULL);
}

static int real_out(lq_state *st, double d, lv *out)
{
    if (!isfinite(d))
        return lq_error(st, "Value was either too large or too small for a Decimal.");
    *out = lv_of(json_real(dec15(d)));
    return 0;
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD };

static int math(lq_state *st, lv x, lv y, int op, lv *out)
{
    if (lv_is_nil(x) || lv_is_nil(y)) {
        *out = lv_nil();
        return 0;
    }
    int64_t a, b, r = 0;
    double da, db;
    bool ia, ib;
    if (lq_num(x, &a, &da, &ia) || lq_num(y, &b, &db, &ib))
        return lq_error(st, "Input string was not in a correct format.");
    if (ia && ib) {
        bool ovf = false;
        switch (op) {
        case OP_ADD:
            ovf = __builtin_add_overflow(a, b, &r);
            break;
        case OP_SUB:
            ovf = __builtin_sub_overflow(a, b, &r);
            break;
        case OP_MUL:
            ovf = __builtin_mul_overflow(a, b, &r);
            break;
        case OP_DIV:
        case OP_MOD:
            if (b == 0)
                return lq_error(st, "Attempted to divide by zero.");
            if (a == INT64_MIN && b == -1) {
                ovf = op == OP_DIV;
                break;
            }
            r = op == OP_DIV ? a / b : a % b;
            break;
        }
        if (ovf)
            return lq_error(st, "Arithmetic operation resulted in an overflow.");
        *out = lv_of(json_integer(r));
        return 0;
    }
    da = dec15(da);
    db = dec15(db);
    switch (op) {
    case OP_ADD:
        return real_out(st, da + db, out);
    case OP_SUB:
        return real_out(st, da - db, out);
    case OP_MUL:
        return real_out(st, da * db, out);
    default:
        if (db == 0)
            return lq_error(st, "Attempted to divide by zero.");
        return real_out(st, op == OP_DIV ? da / db : fmod(da, db), out);
    }
}

#define UNUSED_ARGS (void)a, (void)na

int lqf_plus(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    return math(st, in, a[0], OP_ADD, out);
}

int lqf_minus(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    return math(st, in, a[0], OP_SUB, out);
}

int lqf_times(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    return math(st, in, a[0], OP_MUL, out);
}

int lqf_divided_by(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    return math(st, in, a[0], OP_DIV, out);
}

int lqf_modulo(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    return math(st, in, a[0], OP_MOD, out);
}

int lqf_abs(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    UNUSED_ARGS;
    (void)st;
    int64_t i;
    double d;
    bool is_int;
    *out = lv_of(json_real(lq_num(in, &i, &d, &is_int) == 0 ? fabs(d) : 0.0));
    return 0;
}

static int clamp(lv in, lv lim, bool at_least, lv *out)
{
    int64_t i;
    double x, y;
    bool is_int;
    if (lq_num(in, &i, &x, &is_int) || lq_num(lim, &i, &y, &is_int)) {
        *out = lv_borrow(in.j);
        return 0;
    }
    *out = lv_of(json_real(at_least ? (y > x ? y : x) : (y < x ? y : x)));
    return 0;
}

int lqf_at_least(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)st, (void)na;
    return clamp(in, a[0], true, out);
}

int lqf_at_most(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)st, (void)na;
    return clamp(in, a[0], false, out);
}

static int round_to(lv in, int mode, lv *out)
{
    int64_t i;
    double d;
    bool is_int;
    if (lq_num(in, &i, &d, &is_int) != 0) {
        *out = lv_nil();
        return 0;
    }
    if (is_int) {
        *out = lv_of(json_integer(i));
        return 0;
    }
    d = mode == 'c' ? ceil(dec15(d)) : floor(dec15(d));
    *out = lv_of(fabs(d) < 9e18 ? json_integer((json_int_t)d) : json_real(d));
    return 0;
}

int lqf_ceil(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    UNUSED_ARGS;
    (void)st;
    return round_to(in, 'c', out);
}

int lqf_floor(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    UNUSED_ARGS;
    (void)st;
    return round_to(in, 'f', out);
}

/* Math.Round(decimal, places): half to even on the 15-digit decimal value. */
int lqf_round(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    int64_t places = 0, i;
    double d;
    bool is_int;
    if (na > 0 && lqf_int(st, a[0], "Round", &places) < 0)
        return -1;
    if (lq_num(in, &i, &d, &is_int) != 0 || places < 0 || places > 28) {
        *out = lv_nil();
        return 0;
    }
    if (is_int) {
        *out = lv_of(json_integer(i));
        return 0;
    }
    char t[64];
    snprintf(t, sizeof t, "%.14e", d); /* D.DDDDDDDDDDDDDDe+XX: 15 significant digits */
    char dig[16];
    int nd = 0;
    bool neg = t[0] == '-';
    const char *q = t + neg;
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9')
            dig[nd++] = *q;
    int exp = atoi(q + 1);
    int keep = exp + 1 + (int)places; /* digits kept */
    if (keep < nd) {
        bool up = false;
        if (keep >= 0) {
            bool rest = false;
            for (int k = keep + 1; k < nd; k++)
                rest |= dig[k] != '0';
            int prev = keep > 0 ? dig[keep - 1] - '0' : 0;
            up = dig[keep] > '5' || (dig[keep] == '5' && (rest || prev % 2 == 1));
        }
        double v = 0;
        for (int k = 0; k < keep; k++)
            v = v * 10 + (dig[k] - '0');
        if (up)
            v += 1;
        /* v * 10^(exp + 1 - keep) = v / 10^places */
        char u[64];
        snprintf(u, sizeof u, "%.0fe%d", v, exp + 1 - (keep < 0 ? 0 : keep));
        d = keep < 0 ? 0 : strtod(u, NULL);
        if (neg)
            d = -d;
    }
    return real_out(st, d, out);
}

/* Currency: invariant culture "¤1,234.57" ("(¤1.00)" when negative); "en-US" uses "$",
 * "en-GB" "£" (with a leading minus). A non-number input is returned as text. */
int lqf_currency(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    int64_t i;
    double d;
    bool is_int;
    if (lq_num(in, &i, &d, &is_int) != 0)
        return lq_to_str(st, in, out);
    const char *sym = "\xc2\xa4";
    bool paren = true;
    size_t tn = 0;
    const char *tag = na > 0 ? lq_strv(a[0], &tn) : NULL;
    if (tag && tn == 5 && memcmp(tag, "en-US", 5) == 0)
        sym = "$", paren = false;
    else if (tag && tn == 5 && memcmp(tag, "en-GB", 5) == 0)
        sym = "\xc2\xa3", paren = false;
    char digits[64];
    snprintf(digits, sizeof digits, "%.2f", fabs(dec15(d)));
    char *dot = strchr(digits, '.');
    size_t ip = dot ? (size_t)(dot - digits) : strlen(digits);
    buf b;
    lqf_buf(&b);
    bool neg = d < 0 && strspn(digits, "0.") != strlen(digits);
    buf_puts(&b, neg ? (paren ? "(" : "-") : "");
    buf_puts(&b, sym);
    for (size_t k = 0; k < ip; k++) {
        buf_putc(&b, digits[k]);
        if ((ip - k - 1) % 3 == 0 && k + 1 < ip)
            buf_putc(&b, ',');
    }
    buf_puts(&b, dot ? dot : "");
    buf_puts(&b, neg && paren ? ")" : "");
    return lqf_done(st, &b, out);
}

/* Date: DateTime values (parse_date strings), date strings, Unix seconds, "now"/"today". */
int lqf_date(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    if (lv_is_nil(in)) {
        *out = lv_nil();
        return 0;
    }
    lv f;
    const char *fp;
    size_t fn;
    if (lqf_str(st, a[0], &f, &fp, &fn) < 0)
        return -1;
    lq_date d;
    int64_t i;
    double x;
    bool is_int, ok = false;
    size_t n;
    const char *s = lq_strv(in, &n);
    if (in.j && json_is_number(in.j) && lq_num(in, &i, &x, &is_int) == 0 && fabs(x) < 2.5e11) {
        lq_date_from_unix_ms((int64_t)(x * 1000), &d);
        ok = true;
    } else if (s &&
               ((n == 3 && memcmp(s, "now", 3) == 0) || (n == 5 && memcmp(s, "today", 5) == 0) ||
                (n == 3 && memcmp(s, "Now", 3) == 0) || (n == 5 && memcmp(s, "Today", 5) == 0))) {
        lq_date_from_unix_ms(st->data->now_ms, &d);
        ok = true;
    } else if (s) {
        ok = lq_date_parse(s, n, in.tag == LV_DATE, &d);
    }
    int r;
    if (!ok || lqf_is_blank(fp, fn)) {
        r = lq_to_str(st, in, out); /* unparsable input or no format: the input's text */
    } else {
        buf b;
        lqf_buf(&b);
        if (lq_date_format(&d, fp, fn, &b) < 0) {
            buf_release(&b);
            r = lq_fatal(st, "Liquid: string too large");
        } else {
            r = lqf_done(st, &b, out);
        }
    }
    lv_drop(f);
    return r;
}

/* Default: nil, false, blank strings and empty arrays take the default. */
int lqf_default(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)st, (void)na;
    size_t n;
    const char *s = lq_strv(in, &n);
    bool use = !lq_truthy(in) || (s && lqf_is_blank(s, n)) ||
               (in.j && json_is_array(in.j) && json_array_size(in.j) == 0);
    *out = use ? (lv){ json_incref(a[0].j), a[0].tag } : (lv){ json_incref(in.j), in.tag };
    return 0;
}

/* ---- arrays ---- */

/* in as an array: a new reference to in's array, or a one-item array (nil: NULL). */
static json_t *as_array(lv in)
{
    if (lv_is_nil(in))
        return NULL;
    if (json_is_array(in.j))
        return json_incref(in.j);
    return json_pack("[O]", in.j);
}

static int new_array(lq_state *st, size_t n, json_t **out)
{
    if (lq_charge(st, n) < 0 || lq_account(st, 16 * n + 64) < 0)
        return -1;
    if (!(*out = json_array()))
        return lq_fatal(st, "Liquid: out of memory");
    return 0;
}

int lqf_compact(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    UNUSED_ARGS;
    json_t *src = as_array(in), *dst;
    *out = lv_nil();
    if (!src)
        return 0;
    if (new_array(st, json_array_size(src), &dst) < 0) {
        json_decref(src);
        return -1;
    }
    size_t i;
    json_t *it;
    json_array_foreach(src, i, it) if (!json_is_null(it)) json_array_append(dst, it);
    json_decref(src);
    *out = lv_of(dst);
    return 0;
}

int lqf_concat(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    json_t *x = as_array(in), *y = as_array(a[0]), *dst = NULL;
    int r = 0;
    if (!x || !y) {
        *out = lv_of(x ? json_incref(x) : y ? json_incref(y) : NULL);
    } else if ((r = new_array(st, json_array_size(x) + json_array_size(y), &dst)) == 0) {
        json_array_extend(dst, x);
        json_array_extend(dst, y);
        *out = lv_of(dst);
    }
    json_decref(x);
    json_decref(y);
    return r;
}

static int first_last(lq_state *st, lv in, lv *out, bool last)
{
    *out = lv_nil();
    size_t n;
    const char *s = lq_strv(in, &n);
    if (in.j && json_is_array(in.j)) {
        size_t k = json_array_size(in.j);
        if (k)
            *out = lv_borrow(json_array_get(in.j, last ? k - 1 : 0));
    } else if (s && n) {
        size_t i = 0, adv = 1;
        if (last) {
            i = n - 1;
            while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
                i--;
        }
        lqf_utf8(s + i, n - i, &adv);
        return lq_mkstr(st, s + i, adv, out);
    }
    return 0;
}

int lqf_first(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    UNUSED_ARGS;
    return first_last(st, in, out, false);
}

int lqf_last(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    UNUSED_ARGS;
    return first_last(st, in, out, true);
}

/* Join(glue = " "): array items' text; a string joins its characters. */
int lqf_join(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    *out = lv_nil();
    if (lv_is_nil(in))
        return 0;
    lv g = lv_nil();
    const char *gp = " ";
    size_t gn = 1, n;
    if (na > 0 && lqf_str(st, a[0], &g, &gp, &gn) < 0)
        return -1;
    buf b;
    lqf_buf(&b);
    int r = 0;
    const char *s = lq_strv(in, &n);
    if (in.j && json_is_array(in.j)) {
        size_t i;
        json_t *it;
        json_array_foreach(in.j, i, it)
        {
            if (r == 0 && i > 0)
                r = buf_append(&b, gp, gn);
            if (r == 0)
                r = lq_to_text(st, (lv){ it, LV_PLAIN }, &b);
            if (r == 0)
                r = lq_charge(st, 1);
        }
    } else if (s && in.tag != LV_DATE) {
        for (size_t i = 0; i < n && r == 0;) {
            size_t adv;
            lqf_utf8(s + i, n - i, &adv);
            if (i > 0)
                r = buf_append(&b, gp, gn);
            if (r == 0)
                r = buf_append(&b, s + i, adv);
            i += adv;
        }
    } else {
        r = lq_to_text(st, in, &b);
    }
    lv_drop(g);
    if (r < 0) {
        buf_release(&b);
        return st->fatal ? -1 : lq_fatal(st, "Liquid: string too large");
    }
    return lqf_done(st, &b, out);
}

int lqf_map(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    json_t *src = as_array(in), *dst;
    size_t pn;
    const char *prop = lq_strv(a[0], &pn);
    *out = lv_nil();
    if (!src)
        return 0;
    if (new_array(st, json_array_size(src), &dst) < 0) {
        json_decref(src);
        return -1;
    }
    size_t i;
    json_t *it;
    json_array_foreach(src, i, it)
    {
        json_t *v = prop && json_is_object(it) ? json_object_getn(it, prop, pn) : NULL;
        json_array_append(dst, v ? v : json_null());
    }
    json_decref(src);
    *out = lv_of(dst);
    return 0;
}

int lqf_reverse(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    UNUSED_ARGS;
    if (!in.j || !json_is_array(in.j)) {
        *out = (lv){ json_incref(in.j), in.tag };
        return 0;
    }
    json_t *dst;
    size_t n = json_array_size(in.j);
    if (new_array(st, n, &dst) < 0)
        return -1;
    for (size_t i = n; i-- > 0;)
        json_array_append(dst, json_array_get(in.j, i));
    *out = lv_of(dst);
    return 0;
}

int lqf_size(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    UNUSED_ARGS;
    (void)st;
    size_t n = 0;
    const char *s = lq_strv(in, &n);
    if (s)
        n = lq_u16_len(s, n);
    else if (in.j && json_is_array(in.j))
        n = json_array_size(in.j);
    else if (in.j && json_is_object(in.j))
        n = json_object_size(in.j);
    *out = lv_of(json_integer((json_int_t)n));
    return 0;
}

/* Slice(start, length = 1): negative start counts from the end (UTF-16 units for strings). */
int lqf_slice(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    int64_t start, len = 1;
    if (lqf_int(st, a[0], "Slice", &start) < 0 || (na > 1 && lqf_int(st, a[1], "Slice", &len) < 0))
        return -1;
    size_t n;
    const char *s = lq_strv(in, &n);
    bool arr = in.j && json_is_array(in.j);
    if (!s && !arr) {
        *out = (lv){ json_incref(in.j), in.tag };
        return 0;
    }
    int64_t total = arr ? (int64_t)json_array_size(in.j) : (int64_t)lq_u16_len(s, n);
    if (start > total) {
        *out = lv_nil();
        return 0;
    }
    if (start < 0) {
        start += total;
        if (start < 0) {
            len = len + start < 0 ? 0 : len + start;
            start = 0;
        }
    }
    if (len < 0)
        len = 0;
    if (len > total - start)
        len = total - start;
    if (!arr) {
        size_t b = lq_u16_off(s, n, (size_t)start), e = lq_u16_off(s, n, (size_t)(start + len));
        return lq_mkstr(st, s + b, e - b, out);
    }
    json_t *dst;
    if (new_array(st, (size_t)len, &dst) < 0)
        return -1;
    for (int64_t i = 0; i < len; i++)
        json_array_append(dst, json_array_get(in.j, (size_t)(start + i)));
    *out = lv_of(dst);
    return 0;
}

static int type_rank(const json_t *j)
{
    switch (j ? json_typeof(j) : JSON_NULL) {
    case JSON_NULL:
        return 0;
    case JSON_TRUE:
    case JSON_FALSE:
        return 1;
    case JSON_INTEGER:
    case JSON_REAL:
        return 2;
    case JSON_STRING:
        return 3;
    case JSON_ARRAY:
        return 4;
    default:
        return 5;
    }
}

static int sort_cmp(json_t *x, json_t *y, const char *prop, size_t pn)
{
    if (prop) {
        x = json_is_object(x) ? json_object_getn(x, prop, pn) : NULL;
        y = json_is_object(y) ? json_object_getn(y, prop, pn) : NULL;
    }
    int rx = type_rank(x), ry = type_rank(y);
    if (rx != ry)
        return rx < ry ? -1 : 1;
    if (rx == 1)
        return json_is_true(x) - json_is_true(y);
    int c = lq_compare((lv){ x, LV_PLAIN }, (lv){ y, LV_PLAIN });
    return c == -2 ? 0 : c;
}

/* Stable merge sort of v[0..n) using tmp. */
static void merge_sort(json_t **v, json_t **tmp, size_t n, const char *prop, size_t pn)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    merge_sort(v, tmp, h, prop, pn);
    merge_sort(v + h, tmp, n - h, prop, pn);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = sort_cmp(v[j], v[i], prop, pn) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

int lqf_sort(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    json_t *src = as_array(in), *dst;
    size_t pn = 0;
    const char *prop = na > 0 ? lq_strv(a[0], &pn) : NULL;
    *out = lv_nil();
    if (!src)
        return 0;
    size_t n = json_array_size(src);
    size_t lg = 1;
    while ((1u << lg) < n && lg < 63)
        lg++;
    if (new_array(st, n * lg, &dst) < 0) {
        json_decref(src);
        return -1;
    }
    json_t **v = malloc((2 * n + 1) * sizeof *v);
    if (!v) {
        json_decref(src);
        json_decref(dst);
        return lq_fatal(st, "Liquid: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(src, i);
    merge_sort(v, v + n, n, prop, pn);
    for (size_t i = 0; i < n; i++)
        json_array_append(dst, v[i]);
    free(v);
    json_decref(src);
    *out = lv_of(dst);
    return 0;
}

/* Split(pattern): empty entries dropped; an empty pattern gives the characters; a blank
 * input gives a one-item array of itself (DotLiquid). */
int lqf_split(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    (void)na;
    lv s, pat;
    const char *p, *pp;
    size_t n, pn;
    json_t *dst;
    if (lv_is_nil(in)) {
        *out = lv_of(json_pack("[n]"));
        return 0;
    }
    if (lqf_str(st, in, &s, &p, &n) < 0)
        return -1;
    if (lqf_str(st, a[0], &pat, &pp, &pn) < 0 || new_array(st, n / 2 + 1, &dst) < 0) {
        lv_drop(s);
        return -1;
    }
    if (lqf_is_blank(p, n)) {
        json_array_append(dst, s.j);
    } else if (pn == 0) {
        for (size_t i = 0; i < n;) {
            size_t adv;
            lqf_utf8(p + i, n - i, &adv);
            json_array_append_new(dst, json_stringn_nocheck(p + i, adv));
            i += adv;
        }
    } else {
        size_t i = 0;
        while (i <= n) {
            long k = str_find((str){ p + i, n - i }, (str){ pp, pn });
            size_t e = k < 0 ? n : i + (size_t)k;
            if (e > i)
                json_array_append_new(dst, json_stringn_nocheck(p + i, e - i));
            if (k < 0)
                break;
            i = e + pn;
        }
    }
    lv_drop(s);
    lv_drop(pat);
    *out = lv_of(dst);
    return 0;
}

int lqf_uniq(lq_state *st, lv in, const lv *a, size_t na, lv *out)
{
    UNUSED_ARGS;
    json_t *src = as_array(in), *dst;
    *out = lv_nil();
    if (!src)
        return 0;
    size_t n = json_array_size(src);
    if (new_array(st, n, &dst) < 0) {
        json_decref(src);
        return -1;
    }
    size_t i;
    json_t *it;
    json_array_foreach(src, i, it)
    {
        bool dup = false;
        if (lq_charge(st, json_array_size(dst) / 16 + 1) < 0)
            break;
        for (size_t k = 0; k < json_array_size(dst) && !dup; k++)
            dup = json_equal(json_array_get(dst, k), it);
        if (!dup)
            json_array_append(dst, it);
    }
    json_decref(src);
    if (st->fatal) {
        json_decref(dst);
        return -1;
    }
    *out = lv_of(dst);
    return 0;
}
