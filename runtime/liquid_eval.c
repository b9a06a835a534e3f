/* Liquid values and expressions: variable lookup (assign/loop scopes, body, context.* through
 * the host's resolver), member access, comparisons, filters applied in a chain. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liquid_impl.h"

/* Formats through a copy: callers may pass st->err itself as an argument. */
static void set_err(lq_state *st, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void set_err(lq_state *st, const char *fmt, va_list ap)
{
    char tmp[sizeof st->err];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    memcpy(st->err, tmp, sizeof tmp);
}

int lq_error(lq_state *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_err(st, fmt, ap);
    va_end(ap);
    return -1;
}

int lq_fatal(lq_state *st, const char *fmt, ...)
{
    if (st->fatal) /* keep the first fatal reason */
        return -1;
    va_list ap;
    va_start(ap, fmt);
    set_err(st, fmt, ap);
    va_end(ap);
    st->fatal = true;
    return -1;
}

int lq_charge(lq_state *st, size_t n)
{
    if (st->fatal)
        return -1;
    if (n > st->budget) {
        st->budget = 0;
        return lq_fatal(st, "Liquid: step budget exhausted");
    }
    st->budget -= n;
    return 0;
}

int lq_account(lq_state *st, size_t n)
{
    st->mem += n;
    if (st->mem > RT_LIQUID_MEM_BUDGET)
        return lq_fatal(st, "Liquid: memory budget of %zu bytes exhausted",
                        (size_t)RT_LIQUID_MEM_BUDGET);
    return 0;
}

int lq_mkstr(lq_state *st, const char *p, size_t n, lv *out)
{
    if (lq_account(st, n + 32) < 0)
        return -1;
    json_t *j = json_stringn_nocheck(p ? p : "", n);
    if (!j)
        return lq_fatal(st, "Liquid: out of memory");
    *out = lv_of(j);
    return 0;
}

/* ---- text ---- */

void lq_fmt_double(double d, char out[40])
{
    if (isnan(d)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(d)) {
        strcpy(out, d < 0 ? "-\xe2\x88\x9e" : "\xe2\x88\x9e");
        return;
    }
    if (d == 0) {
        strcpy(out, signbit(d) ? "-0" : "0");
        return;
    }
    char e[40];
    int prec = 1;
    for (; prec <= 17; prec++) { /* shortest round-trip digits, as .NET Core 3.0+ */
        snprintf(e, sizeof e, "%.*e", prec - 1, d);
        if (strtod(e, NULL) == d)
            break;
    }
    /* e = [-]D[.DDD]e[+-]XX */
    char digits[24];
    size_t nd = 0;
    const char *q = e;
    bool neg = *q == '-';
    if (neg)
        q++;
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9')
            digits[nd++] = *q;
    int exp = atoi(q + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    char *o = out;
    if (neg)
        *o++ = '-';
    if (exp >= 15 || exp < -4) {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, nd - 1);
            o += nd - 1;
        }
        snprintf(o, 16, "E%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return;
    }
    if (exp < 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = -1; i > exp; i--)
            *o++ = '0';
        memcpy(o, digits, nd);
        o += nd;
    } else {
        for (int i = 0; i <= exp; i++)
            *o++ = (size_t)i < nd ? digits[i] : '0';
        if ((size_t)exp + 1 < nd) {
            *o++ = '.';
            memcpy(o, digits + exp + 1, nd - (size_t)exp - 1);
            o += nd - (size_t)exp - 1;
        }
    }
    *o = '\0';
}

size_t lq_u16_len(const char *s, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            len += c >= 0xF0 ? 2 : 1;
    }
    return len;
}

size_t lq_u16_off(const char *s, size_t n, size_t idx)
{
    size_t u = 0, i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t w = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        size_t units = w == 4 ? 2 : 1;
        if (u + units > idx)
            break;
        u += units;
        i += w;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) /* stray continuation bytes */
            i++;
    }
    return i < n ? i : n;
}

const char *lq_strv(lv v, size_t *len)
{
    if (!v.j || !json_is_string(v.j)) {
        *len = 0;
        return NULL;
    }
    *len = json_string_length(v.j);
    return json_string_value(v.j);
}

static int date_text(lv v, buf *b)
{
    lq_date d;
    size_t n;
    const char *s = lq_strv(v, &n);
    if (!lq_date_parse(s, n, true, &d))
        return buf_append(b, s, n);
    return lq_date_format(&d, "G", 1, b);
}

int lq_to_text(const lq_state *st, lv v, buf *b)
{
    (void)st;
    json_t *j = v.j;
    if (!j || v.tag == LV_EMPTY || v.tag == LV_BLANK)
        return 0;
    switch (json_typeof(j)) {
    case JSON_NULL:
        return 0;
    case JSON_STRING:
        if (v.tag == LV_DATE)
            return date_text(v, b);
        return buf_append(b, json_string_value(j), json_string_length(j));
    case JSON_TRUE:
        return buf_puts(b, "true");
    case JSON_FALSE:
        return buf_puts(b, "false");
    case JSON_INTEGER:
        return buf_printf(b, "%lld", (long long)json_integer_value(j));
    case JSON_REAL: {
        char tmp[40];
        lq_fmt_double(json_real_value(j), tmp);
        return buf_puts(b, tmp);
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *it;
        json_array_foreach(j, i, it)
        {
            if (lq_to_text(st, (lv){ it, LV_PLAIN }, b) < 0)
                return -1;
        }
        return 0;
    }
    case JSON_OBJECT: {
        char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        int r = s ? buf_puts(b, s) : -1;
        free(s);
        return r;
    }
    }
    return 0;
}

int lq_to_str(lq_state *st, lv v, lv *out)
{
    if (v.j && json_is_string(v.j) && v.tag != LV_DATE) {
        *out = lv_borrow(v.j);
        return 0;
    }
    buf b;
    buf_init(&b, RT_LIQUID_MEM_BUDGET);
    if (lq_to_text(st, v, &b) < 0) {
        buf_release(&b);
        return lq_fatal(st, "Liquid: value too large");
    }
    str s = buf_str(&b);
    int r = lq_mkstr(st, s.ptr, s.len, out);
    buf_release(&b);
    return r;
}

/* ---- numbers, truth, equality ---- */

int lq_num(lv v, int64_t *i, double *d, bool *is_int)
{
    if (!v.j)
        return 1;
    if (json_is_integer(v.j)) {
        *i = json_integer_value(v.j);
        *d = (double)*i;
        *is_int = true;
        return 0;
    }
    if (json_is_real(v.j)) {
        *d = json_real_value(v.j);
        *is_int = false;
        return 0;
    }
    if (!json_is_string(v.j) || v.tag == LV_DATE)
        return 1;
    char tmp[64];
    size_t n = json_string_length(v.j);
    const char *s = json_string_value(v.j);
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof tmp)
        return 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    errno = 0;
    long long ll = strtoll(tmp, &end, 10);
    if (*end == '\0' && errno == 0) {
        *i = ll;
        *d = (double)ll;
        *is_int = true;
        return 0;
    }
    double dd = strtod(tmp, &end);
    if (*end != '\0' || !isfinite(dd) || tmp[0] == 'i' || tmp[0] == 'I' || tmp[0] == 'n' ||
        tmp[0] == 'N' || strpbrk(tmp, "xXpP"))
        return 1;
    *d = dd;
    *is_int = false;
    return 0;
}

bool lq_truthy(lv v)
{
    if (v.tag == LV_EMPTY || v.tag == LV_BLANK)
        return true;
    return v.j && !json_is_null(v.j) && !json_is_false(v.j);
}

static bool is_empty_value(json_t *j)
{
    return j && ((json_is_string(j) && json_string_length(j) == 0) ||
                 (json_is_array(j) && json_array_size(j) == 0) ||
                 (json_is_object(j) && json_object_size(j) == 0));
}

static bool is_blank_value(json_t *j)
{
    if (!j || json_is_null(j) || json_is_false(j))
        return true;
    if (json_is_string(j)) {
        const char *s = json_string_value(j);
        for (size_t i = 0; i < json_string_length(j); i++)
            if (!strchr(" \t\r\n\f\v", s[i]))
                return false;
        return true;
    }
    return is_empty_value(j);
}

bool lq_equals(lv a, lv b)
{
    if (a.tag == LV_EMPTY || b.tag == LV_EMPTY) {
        lv o = a.tag == LV_EMPTY ? b : a;
        return o.tag == LV_EMPTY || is_empty_value(o.j);
    }
    if (a.tag == LV_BLANK || b.tag == LV_BLANK) {
        lv o = a.tag == LV_BLANK ? b : a;
        return o.tag == LV_BLANK || is_blank_value(o.j);
    }
    bool an = lv_is_nil(a), bn = lv_is_nil(b);
    if (an || bn)
        return an && bn;
    if (json_is_number(a.j) && json_is_number(b.j)) {
        if (json_is_integer(a.j) && json_is_integer(b.j))
            return json_integer_value(a.j) == json_integer_value(b.j);
        return json_number_value(a.j) == json_number_value(b.j);
    }
    return json_equal(a.j, b.j);
}

int lq_compare(lv a, lv b)
{
    if (!a.j || !b.j)
        return -2;
    if (json_is_number(a.j) && json_is_number(b.j)) {
        if (json_is_integer(a.j) && json_is_integer(b.j)) {
            json_int_t x = json_integer_value(a.j), y = json_integer_value(b.j);
            return x < y ? -1 : x > y;
        }
        double x = json_number_value(a.j), y = json_number_value(b.j);
        return x < y ? -1 : x > y;
    }
    if (json_is_string(a.j) && json_is_string(b.j)) {
        str x = { json_string_value(a.j), json_string_length(a.j) };
        str y = { json_string_value(b.j), json_string_length(b.j) };
        int c = str_cmp(x, y);
        return c < 0 ? -1 : c > 0;
    }
    return -2;
}

static bool contains(lq_state *st, lv a, lv b)
{
    if (!a.j)
        return false;
    if (json_is_string(a.j)) {
        lv s;
        if (!b.j || lq_to_str(st, b, &s) < 0)
            return false;
        str hay = { json_string_value(a.j), json_string_length(a.j) };
        str needle = { json_string_value(s.j), json_string_length(s.j) };
        bool r = str_find(hay, needle) >= 0;
        lv_drop(s);
        return r;
    }
    if (json_is_array(a.j)) {
        size_t i;
        json_t *it;
        json_array_foreach(a.j, i, it)
        {
            if (lq_equals((lv){ it, LV_PLAIN }, b))
                return true;
        }
        return false;
    }
    if (json_is_object(a.j) && b.j && json_is_string(b.j))
        return json_object_getn(a.j, json_string_value(b.j), json_string_length(b.j)) != NULL;
    return false;
}

/* ---- lookup ---- */

/* Member `name` (or index) of base; a new reference (nil when absent). */
static lv member(lv base, str name, bool has_index, int64_t index)
{
    json_t *j = base.j;
    if (!j)
        return lv_nil();
    if (json_is_object(j)) {
        if (has_index)
            return lv_nil();
        json_t *v = json_object_getn(j, name.ptr, name.len);
        if (v)
            return lv_borrow(v);
        if (str_eq_cstr(name, "size"))
            return lv_of(json_integer((json_int_t)json_object_size(j)));
        return lv_nil();
    }
    if (json_is_array(j)) {
        size_t n = json_array_size(j);
        if (!has_index) {
            if (str_eq_cstr(name, "size"))
                return lv_of(json_integer((json_int_t)n));
            if (str_eq_cstr(name, "first"))
                return n ? lv_borrow(json_array_get(j, 0)) : lv_nil();
            if (str_eq_cstr(name, "last"))
                return n ? lv_borrow(json_array_get(j, n - 1)) : lv_nil();
            return lv_nil();
        }
        if (index < 0)
            index += (int64_t)n;
        if (index < 0 || (uint64_t)index >= n)
            return lv_nil();
        return lv_borrow(json_array_get(j, (size_t)index));
    }
    if (json_is_string(j) && !has_index && str_eq_cstr(name, "size"))
        return lv_of(
            json_integer((json_int_t)lq_u16_len(json_string_value(j), json_string_length(j))));
    return lv_nil();
}

/* The key of a bracket segment: an integer index or a string name (borrowed from *hold,
 * which the caller drops). false when the key is neither. */
static bool seg_key(lv k, str *name, bool *is_index, int64_t *index)
{
    if (k.j && json_is_integer(k.j)) {
        *is_index = true;
        *index = json_integer_value(k.j);
        return true;
    }
    if (k.j && json_is_string(k.j)) {
        *is_index = false;
        *name = (str){ json_string_value(k.j), json_string_length(k.j) };
        return true;
    }
    return false;
}

#define LQ_MAX_CTX_SEGS 32

static int lookup_context(lq_state *st, const lq_expr *e, lv *out)
{
    size_t n = e->u.path.nsegs;
    *out = lv_nil();
    if (n == 0 || !st->data->resolve || n > LQ_MAX_CTX_SEGS)
        return 0;
    rt_liquid_seg segs[LQ_MAX_CTX_SEGS];
    lv holds[LQ_MAX_CTX_SEGS];
    char nums[LQ_MAX_CTX_SEGS][24];
    size_t nh = 0;
    int r = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        const lq_seg *sg = &e->u.path.segs[i];
        segs[i] = (rt_liquid_seg){ .name = sg->name };
        if (!sg->index)
            continue;
        lv k;
        if ((r = lq_eval(st, sg->index, &k)) < 0)
            break;
        holds[nh++] = k;
        segs[i].is_key = true;
        ok = seg_key(k, &segs[i].name, &segs[i].is_index, &segs[i].index);
        if (ok && segs[i].is_index) {
            snprintf(nums[i], sizeof nums[i], "%lld", (long long)segs[i].index);
            segs[i].name = str_from(nums[i]);
        }
    }
    rt_liquid_ref ref = { 0 };
    if (r == 0 && ok) {
        char msg[200] = "";
        int f = st->data->resolve(st->data->ud, segs, n, &ref, msg, sizeof msg);
        if (f < 0)
            r = lq_fatal(st, "%s", msg[0] ? msg : "Liquid: context lookup failed");
        else if (f > 0 && ref.json)
            *out = lv_of(ref.json);
        else if (f > 0 && ref.text.ptr)
            r = lq_mkstr(st, ref.text.ptr, ref.text.len, out);
    }
    for (size_t i = ref.used < 1 ? 1 : ref.used; r == 0 && ok && i < n && out->j; i++) {
        lv next = member(*out, segs[i].name, segs[i].is_index, segs[i].index);
        lv_drop(*out);
        *out = next;
    }
    for (size_t i = 0; i < nh; i++)
        lv_drop(holds[i]);
    return r;
}

static json_t *find_root(lq_state *st, str name)
{
    for (size_t i = st->nscopes; i-- > 0;) {
        json_t *v = json_object_getn(st->scopes[i], name.ptr, name.len);
        if (v)
            return v;
    }
    return NULL;
}

static int eval_path(lq_state *st, const lq_expr *e, lv *out)
{
    str root = e->u.path.root;
    bool from_data = true;
    json_t *j = find_root(st, root);
    if (!j && (j = json_object_getn(st->globals, root.ptr, root.len)))
        from_data = false;
    if (!j && str_eq_cstr(root, "body"))
        j = st->data->body;
    if (!j && str_eq_cstr(root, "context")) {
        if (lookup_context(st, e, out) < 0)
            return -1;
    } else {
        *out = j ? lv_borrow(j) : lv_nil();
        for (size_t i = 0; i < e->u.path.nsegs && out->j; i++) {
            const lq_seg *sg = &e->u.path.segs[i];
            lv next;
            if (!sg->index) {
                next = member(*out, sg->name, false, 0);
            } else {
                lv k;
                if (lq_eval(st, sg->index, &k) < 0) {
                    lv_drop(*out);
                    return -1;
                }
                str name = STR_NULL;
                bool is_index = false;
                int64_t index = 0;
                next = seg_key(k, &name, &is_index, &index) ? member(*out, name, is_index, index)
                                                            : lv_nil();
                lv_drop(k);
            }
            lv_drop(*out);
            *out = next;
        }
    }
    if (from_data && st->data->parse_date && out->j && json_is_string(out->j)) {
        lq_date d;
        if (lq_date_parse(json_string_value(out->j), json_string_length(out->j), true, &d))
            out->tag = LV_DATE;
    }
    return 0;
}

static int eval_range(lq_state *st, const lq_expr *e, lv *out)
{
    lv a, b;
    if (lq_eval(st, e->u.bin.a, &a) < 0)
        return -1;
    if (lq_eval(st, e->u.bin.b, &b) < 0) {
        lv_drop(a);
        return -1;
    }
    int64_t x = 0, y = 0;
    double dx, dy;
    bool ix, iy;
    int ra = lq_num(a, &x, &dx, &ix), rb = lq_num(b, &y, &dy, &iy);
    lv_drop(a);
    lv_drop(b);
    if (ra || rb)
        return lq_error(st, "invalid range: bounds must be numbers");
    if (!ix)
        x = (int64_t)dx;
    if (!iy)
        y = (int64_t)dy;
    json_t *arr = json_array();
    if (!arr)
        return lq_fatal(st, "Liquid: out of memory");
    *out = lv_of(arr);
    for (int64_t i = x; i <= y; i++) {
        if (lq_charge(st, 1) < 0 || lq_account(st, 16) < 0 ||
            json_array_append_new(arr, json_integer(i)) < 0) {
            lv_drop(*out);
            return lq_fatal(st, "%s", st->err[0] ? st->err : "Liquid: out of memory");
        }
    }
    return 0;
}

static int eval_filters(lq_state *st, const lq_expr *e, lv *out)
{
    lv cur;
    if (lq_eval(st, e->u.filt.base, &cur) < 0)
        return -1;
    for (size_t i = 0; i < e->u.filt.ncalls; i++) {
        const lq_call *c = &e->u.filt.calls[i];
        if (!c->f)
            continue;
        lv args[8];
        size_t na = 0;
        int r = lq_charge(st, 1);
        for (; r == 0 && na < c->nargs && na < 8; na++)
            if ((r = lq_eval(st, c->args[na], &args[na])) < 0)
                break;
        lv res = lv_nil();
        if (r == 0)
            r = c->f->fn(st, cur, args, na, &res);
        for (size_t k = 0; k < na; k++)
            lv_drop(args[k]);
        lv_drop(cur);
        if (r < 0)
            return -1;
        cur = res;
    }
    *out = cur;
    return 0;
}

int lq_eval(lq_state *st, const lq_expr *e, lv *out)
{
    *out = lv_nil();
    if (lq_charge(st, 1) < 0)
        return -1;
    switch (e->kind) {
    case LQ_E_LIT:
        switch (e->u.lit.kind) {
        case LQ_NIL:
            return 0;
        case LQ_TRUE:
            *out = lv_of(json_true());
            return 0;
        case LQ_FALSE:
            *out = lv_of(json_false());
            return 0;
        case LQ_INT:
            *out = lv_of(json_integer(e->u.lit.i));
            return 0;
        case LQ_REAL:
            *out = lv_of(json_real(e->u.lit.d));
            return 0;
        case LQ_STR:
            return lq_mkstr(st, e->u.lit.s.ptr, e->u.lit.s.len, out);
        case LQ_EMPTY:
            out->tag = LV_EMPTY;
            return 0;
        case LQ_BLANK:
            out->tag = LV_BLANK;
            return 0;
        }
        return 0;
    case LQ_E_PATH:
        return eval_path(st, e, out);
    case LQ_E_RANGE:
        return eval_range(st, e, out);
    case LQ_E_FILTER:
        return eval_filters(st, e, out);
    case LQ_E_AND:
    case LQ_E_OR: {
        lv a;
        if (lq_eval(st, e->u.bin.a, &a) < 0)
            return -1;
        bool t = lq_truthy(a);
        lv_drop(a);
        if (t == (e->kind == LQ_E_OR)) {
            *out = lv_of(json_boolean(t));
            return 0;
        }
        lv b;
        if (lq_eval(st, e->u.bin.b, &b) < 0)
            return -1;
        *out = lv_of(json_boolean(lq_truthy(b)));
        lv_drop(b);
        return 0;
    }
    case LQ_E_CMP: {
        lv a, b;
        if (lq_eval(st, e->u.bin.a, &a) < 0)
            return -1;
        if (lq_eval(st, e->u.bin.b, &b) < 0) {
            lv_drop(a);
            return -1;
        }
        bool r = false;
        int c;
        switch (e->u.bin.op) {
        case LQ_EQ:
            r = lq_equals(a, b);
            break;
        case LQ_NE:
            r = !lq_equals(a, b);
            break;
        case LQ_CONTAINS:
            r = contains(st, a, b);
            break;
        default:
            c = lq_compare(a, b);
            r = c != -2 && ((e->u.bin.op == LQ_LT && c < 0) || (e->u.bin.op == LQ_GT && c > 0) ||
                            (e->u.bin.op == LQ_LE && c <= 0) || (e->u.bin.op == LQ_GE && c >= 0));
        }
        lv_drop(a);
        lv_drop(b);
        *out = lv_of(json_boolean(r));
        return 0;
    }
    }
    return 0;
}
