/* .NET numeric formatting (standard G N F D X E P C R and custom "0.00", "#,##0.##" formats,
 * invariant culture) and parsing (Int32.Parse, Double.Parse rules).
 * Digits come from glibc's exact conversions; midpoints in formatting round away from zero
 * as .NET's number formatting does (Math.Round's banker's rounding is separate). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib1.h"

/* A decimal number: value = 0.d[0]d[1]... x 10^scale, digits without trailing zeros. */
typedef struct numbuf {
    char d[48];
    int n;
    int scale;
    bool neg;
} numbuf;

static void nb_from_int(numbuf *nb, int64_t v)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)u);
    nb->neg = v < 0;
    nb->scale = u ? n : 0;
    while (n > 0 && tmp[n - 1] == '0')
        n--;
    memcpy(nb->d, tmp, (size_t)n);
    nb->n = u ? n : 0;
}

static void nb_from_double(numbuf *nb, double v)
{
    nb->neg = signbit(v) != 0;
    nb->n = 0;
    nb->scale = 0;
    if (v == 0)
        return;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.40e", fabs(v)); /* d.ddd...e+XX, exact on glibc */
    int k = 0;
    for (const char *p = tmp; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && k < (int)sizeof nb->d)
            nb->d[k++] = *p;
    const char *e = strchr(tmp, 'e');
    nb->scale = (e ? atoi(e + 1) : 0) + 1;
    while (k > 0 && nb->d[k - 1] == '0')
        k--;
    nb->n = k;
}

/* Keeps digits before position pos (counted from the first digit), rounding half away from
 * zero. */
static void nb_round(numbuf *nb, int pos)
{
    if (pos >= nb->n)
        return;
    if (pos < 0) {
        nb->n = 0;
        return;
    }
    bool up = nb->d[pos] >= '5';
    nb->n = pos;
    if (up) {
        int i = pos - 1;
        while (i >= 0 && nb->d[i] == '9')
            i--;
        if (i < 0) {
            nb->d[0] = '1';
            nb->n = 1;
            nb->scale++;
            return;
        }
        nb->d[i]++;
        nb->n = i + 1;
    }
    while (nb->n > 0 && nb->d[nb->n - 1] == '0')
        nb->n--;
}

static char nb_digit(const numbuf *nb, int i)
{
    return i >= 0 && i < nb->n ? nb->d[i] : '0';
}

/* Fixed notation: integer part (min 1 digit, optional grouping) and `dec` decimals. */
static void put_fixed(lib1_sb *b, const numbuf *nb, int dec, bool group, int min_int)
{
    int nint = nb->scale > 0 ? nb->scale : 0;
    if (nint < min_int)
        nint = min_int;
    for (int i = 0; i < nint; i++) {
        int pos = nb->scale - nint + i;
        lib1_sb_putc(b, nb_digit(nb, pos));
        int left = nint - 1 - i;
        if (group && left > 0 && left % 3 == 0)
            lib1_sb_putc(b, ',');
    }
    if (dec > 0) {
        lib1_sb_putc(b, '.');
        for (int i = 0; i < dec; i++)
            lib1_sb_putc(b, nb_digit(nb, nb->scale + i));
    }
}

static void put_exp(lib1_sb *b, const numbuf *nb, int prec, char e, int mindigits, bool trim)
{
    lib1_sb_putc(b, nb->n ? nb->d[0] : '0');
    int dec = prec;
    if (trim)
        dec = nb->n > 1 ? nb->n - 1 : 0;
    if (dec > 0) {
        lib1_sb_putc(b, '.');
        for (int i = 1; i <= dec; i++)
            lib1_sb_putc(b, nb_digit(nb, i));
    }
    int ex = nb->n ? nb->scale - 1 : 0;
    lib1_sb_printf(b, "%c%c%0*d", e, ex < 0 ? '-' : '+', mindigits, ex < 0 ? -ex : ex);
}

/* G formatting of nb with precision prec (significant digits). */
static void put_general(lib1_sb *b, numbuf *nb, int prec, char e)
{
    nb_round(nb, prec);
    if (nb->n == 0) {
        lib1_sb_putc(b, '0');
        return;
    }
    if (nb->neg)
        lib1_sb_putc(b, '-');
    int ex = nb->scale - 1;
    if (ex >= prec || ex < -5) {
        put_exp(b, nb, 0, e, 2, true);
        return;
    }
    int dec = nb->n - nb->scale;
    put_fixed(b, nb, dec > 0 ? dec : 0, false, 1);
}

/* Shortest round-trip digits of a float (or of a double, for decimal's G). */
static void nb_from_float(numbuf *nb, double v, bool dbl)
{
    char tmp[48];
    float f = (float)v;
    for (int p = 1; p <= (dbl ? 17 : 9); p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        if (dbl ? strtod(tmp, NULL) == v : (float)strtod(tmp, NULL) == f)
            break;
    }
    nb->neg = signbit(v) != 0;
    nb->n = 0;
    nb->scale = 0;
    if (v == 0)
        return;
    int k = 0;
    for (const char *p = tmp; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            nb->d[k++] = *p;
    const char *e = strchr(tmp, 'e');
    nb->scale = (e ? atoi(e + 1) : 0) + 1;
    while (k > 0 && nb->d[k - 1] == '0')
        k--;
    nb->n = k;
}

static int format_custom(expr_env *env, numbuf *nb, str fmt, str *out);

static int bad_format(expr_env *env)
{
    return expr_throw(env, "FormatException", "Format specifier was invalid.");
}

int lib1_format_number(expr_env *env, xv num, str fmt, str *out)
{
    num = lib1_unjson(env, num);
    bool isint = num.kind == XV_INT || num.kind == XV_CHAR;
    int64_t iv = num.kind == XV_CHAR ? num.u.ch : num.u.i;
    double dv = isint ? (double)iv : num.u.d;
    if (!isint && num.kind != XV_DOUBLE)
        return expr_throw(env, "FormatException", "value of type %s is not a number",
                          xv_type_name(num));
    char spec = 0;
    int prec = -1;
    if (fmt.len == 0) {
        spec = 'G';
    } else if (isalpha((unsigned char)fmt.ptr[0])) {
        bool std = fmt.len <= 3;
        for (size_t i = 1; i < fmt.len && std; i++)
            std = isdigit((unsigned char)fmt.ptr[i]);
        if (std) {
            spec = fmt.ptr[0];
            if (fmt.len > 1) {
                prec = 0;
                for (size_t i = 1; i < fmt.len; i++)
                    prec = prec * 10 + (fmt.ptr[i] - '0');
            }
        }
    }
    if (!isint && (isnan(dv) || isinf(dv))) {
        *out = isnan(dv) ? STR_LIT("NaN") : dv > 0 ? STR_LIT("∞") : STR_LIT("-∞");
        return 0;
    }
    numbuf nb;
    if (isint)
        nb_from_int(&nb, iv);
    else if ((num.sub == XV_SUB_FLOAT || num.sub == XV_SUB_DECIMAL) &&
             (spec == 'G' || spec == 'g' || spec == 'R' || spec == 'r') && prec <= 0)
        nb_from_float(&nb, dv, num.sub == XV_SUB_DECIMAL);
    else
        nb_from_double(&nb, dv);
    if (!spec)
        return format_custom(env, &nb, fmt, out);
    lib1_sb b;
    lib1_sb_init(&b, env, 32);
    char up = (char)toupper((unsigned char)spec);
    switch (up) {
    case 'G':
    case 'R':
        if (prec <= 0 && !isint && num.sub != XV_SUB_FLOAT) {
            if (num.sub == XV_SUB_DECIMAL) {
                if (nb.neg && nb.n)
                    lib1_sb_putc(&b, '-');
                put_fixed(&b, &nb, nb.n - nb.scale > 0 ? nb.n - nb.scale : 0, false, 1);
                break;
            }
            return expr_double_to_string(env, dv, out);
        }
        if (prec <= 0 && isint) {
            lib1_sb_printf(&b, "%lld", (long long)iv);
            break;
        }
        put_general(&b, &nb, prec > 0 ? prec : (num.sub == XV_SUB_FLOAT ? 9 : 17),
                    spec == 'g' || spec == 'r' ? 'e' : 'E');
        break;
    case 'D':
        if (!isint)
            return bad_format(env);
        if (iv < 0)
            lib1_sb_putc(&b, '-');
        put_fixed(&b, &nb, 0, false, prec > 0 ? prec : 1);
        break;
    case 'X': {
        if (!isint)
            return bad_format(env);
        uint64_t u = (uint64_t)iv;
        if (num.sub == XV_SUB_BYTE)
            u &= 0xFF;
        else if (num.sub != XV_SUB_INT64 && num.kind != XV_CHAR)
            u &= 0xFFFFFFFFu;
        else if (num.kind == XV_CHAR)
            u &= 0xFFFF;
        lib1_sb_printf(&b, spec == 'x' ? "%0*llx" : "%0*llX", prec > 0 ? prec : 1,
                       (unsigned long long)u);
        break;
    }
    case 'F':
    case 'N':
    case 'P':
    case 'C': {
        if (prec < 0)
            prec = 2;
        if (up == 'P')
            nb.scale += 2;
        nb_round(&nb, nb.scale + prec);
        if (nb.neg && nb.n)
            lib1_sb_str(&b, up == 'C' ? STR_LIT("(") : STR_LIT("-"));
        if (up == 'C')
            lib1_sb_str(&b, STR_LIT("¤"));
        put_fixed(&b, &nb, prec, up != 'F', 1);
        if (up == 'P')
            lib1_sb_str(&b, STR_LIT(" %"));
        if (up == 'C' && nb.neg && nb.n)
            lib1_sb_putc(&b, ')');
        break;
    }
    case 'E':
        if (prec < 0)
            prec = 6;
        nb_round(&nb, prec + 1);
        if (nb.neg && nb.n)
            lib1_sb_putc(&b, '-');
        put_exp(&b, &nb, prec, spec, 3, false);
        break;
    default:
        return format_custom(env, &nb, fmt, out);
    }
    return lib1_sb_done(&b, out);
}

/* Custom numeric format: one section (or pos;neg;zero sections), '0' '#' '.' ',' '%'
 * placeholders, quoted literals and backslash escapes. The integer digits are written at the
 * first integer placeholder, the fraction at the decimal point. */
static int format_custom(expr_env *env, numbuf *nb, str fmt, str *out)
{
    str sec[3] = { fmt, STR_NULL, STR_NULL };
    int nsec = 1;
    char q = 0;
    size_t start = 0;
    for (size_t i = 0; i < fmt.len; i++) {
        char ch = fmt.ptr[i];
        if (q) {
            if (ch == q)
                q = 0;
        } else if (ch == '\'' || ch == '"') {
            q = ch;
        } else if (ch == '\\') {
            i++;
        } else if (ch == ';' && nsec < 3) {
            sec[nsec - 1] = str_make(fmt.ptr + start, i - start);
            start = i + 1;
            sec[nsec++] = str_make(fmt.ptr + start, fmt.len - start);
        }
    }
    str f = sec[0];
    bool sign = nb->neg;
    if (nb->neg && nsec >= 2 && sec[1].len) {
        f = sec[1];
        sign = false;
    }
    /* pass 1: layout */
    int int_ph = 0, int_zero_from = -1, dec_zero = 0, dec_all = 0, scale_adj = 0;
    bool seen_dot = false, group = false, pct = false;
    int last_int_ph_comma = 0;
    q = 0;
    for (size_t i = 0; i < f.len; i++) {
        char ch = f.ptr[i];
        if (q) {
            if (ch == q)
                q = 0;
            continue;
        }
        switch (ch) {
        case '\'':
        case '"':
            q = ch;
            break;
        case '\\':
            i++;
            break;
        case '0':
        case '#':
            if (seen_dot) {
                dec_all++;
                if (ch == '0')
                    dec_zero = dec_all;
            } else {
                if (last_int_ph_comma && int_ph)
                    group = true;
                last_int_ph_comma = 0;
                if (ch == '0' && int_zero_from < 0)
                    int_zero_from = int_ph;
                int_ph++;
            }
            break;
        case '.':
            if (!seen_dot)
                scale_adj -= 3 * last_int_ph_comma;
            last_int_ph_comma = 0;
            seen_dot = true;
            break;
        case ',':
            if (!seen_dot && int_ph)
                last_int_ph_comma++;
            break;
        case '%':
            pct = true;
            break;
        default:
            break;
        }
    }
    if (!seen_dot)
        scale_adj -= 3 * last_int_ph_comma;
    int min_int = int_zero_from < 0 ? 0 : int_ph - int_zero_from;
    if (nb->n) {
        nb->scale += scale_adj + (pct ? 2 : 0);
        nb_round(nb, nb->scale + dec_all);
    }
    if (nb->n == 0) {
        sign = false;
        if (nsec == 3 && sec[2].len)
            return format_custom(env, nb, sec[2], out);
    }
    int dec = nb->n - nb->scale;
    if (dec < dec_zero)
        dec = dec_zero;
    if (dec > dec_all)
        dec = dec_all;
    lib1_sb b;
    lib1_sb_init(&b, env, f.len + 24);
    if (sign)
        lib1_sb_putc(&b, '-');
    bool int_done = false, dot_done = false;
    q = 0;
    for (size_t i = 0; i < f.len; i++) {
        char ch = f.ptr[i];
        if (q) {
            if (ch == q)
                q = 0;
            else
                lib1_sb_putc(&b, ch);
            continue;
        }
        switch (ch) {
        case '\'':
        case '"':
            q = ch;
            break;
        case '\\':
            if (i + 1 < f.len)
                lib1_sb_putc(&b, f.ptr[++i]);
            break;
        case '0':
        case '#':
        case ',':
            if (!dot_done && !int_done && ch != ',') {
                int_done = true;
                int nint = nb->scale > 0 ? nb->scale : 0;
                if (nint < min_int)
                    nint = min_int;
                for (int k = 0; k < nint; k++) {
                    lib1_sb_putc(&b, nb_digit(nb, nb->scale - nint + k));
                    int left = nint - 1 - k;
                    if (group && left > 0 && left % 3 == 0)
                        lib1_sb_putc(&b, ',');
                }
            }
            break;
        case '.':
            if (!dot_done) {
                dot_done = true;
                if (!int_done) {
                    int_done = true;
                    for (int k = 0; k < nb->scale; k++)
                        lib1_sb_putc(&b, nb_digit(nb, k));
                }
                if (dec > 0) {
                    lib1_sb_putc(&b, '.');
                    for (int k = 0; k < dec; k++)
                        lib1_sb_putc(&b, nb_digit(nb, nb->scale + k));
                }
            }
            break;
        default:
            lib1_sb_putc(&b, ch);
            break;
        }
    }
    return lib1_sb_done(&b, out);
}

/* ---- parsing ---- */

static bool is_num_space(char ch)
{
    return ch == ' ' || (ch >= 0x09 && ch <= 0x0D);
}

static str trim_num(str s)
{
    while (s.len && is_num_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && is_num_space(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

int lib1_parse_int(str s, int64_t lo, int64_t hi, bool thousands, bool hex, int64_t *out)
{
    s = trim_num(s);
    if (!s.len)
        return 1;
    if (hex) {
        uint64_t u = 0;
        for (size_t i = 0; i < s.len; i++) {
            int ch = (unsigned char)s.ptr[i];
            int d = isdigit(ch)                            ? ch - '0'
                    : (ch | 32) >= 'a' && (ch | 32) <= 'f' ? (ch | 32) - 'a' + 10
                                                           : -1;
            if (d < 0)
                return 1;
            if (u >> 60)
                return 2;
            u = u * 16 + (uint64_t)d;
        }
        uint64_t width_max = hi == INT32_MAX ? 0xFFFFFFFFu : hi == 255 ? 0xFF : UINT64_MAX;
        if (u > width_max)
            return 2;
        if (hi == INT32_MAX)
            *out = (int32_t)(uint32_t)u;
        else if (hi == INT64_MAX)
            *out = (int64_t)u;
        else
            *out = (int64_t)u;
        return 0;
    }
    size_t i = 0;
    bool neg = false;
    if (s.ptr[0] == '-' || s.ptr[0] == '+') {
        neg = s.ptr[0] == '-';
        i++;
    }
    if (i >= s.len)
        return 1;
    uint64_t u = 0;
    bool any = false, ovf = false;
    for (; i < s.len; i++) {
        char ch = s.ptr[i];
        if (ch == ',' && thousands && any)
            continue;
        if (ch < '0' || ch > '9')
            return 1;
        any = true;
        if (u > (UINT64_MAX - 9) / 10)
            ovf = true;
        else
            u = u * 10 + (uint64_t)(ch - '0');
    }
    if (!any)
        return 1;
    if (ovf)
        return 2;
    if (neg) {
        if (u > (uint64_t)INT64_MAX + 1)
            return 2;
        int64_t v = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
        if (v < lo)
            return 2;
        *out = v;
    } else {
        if (u > (uint64_t)INT64_MAX || (int64_t)u > hi)
            return 2;
        *out = (int64_t)u;
    }
    return 0;
}

int lib1_parse_double(str s, double *out)
{
    s = trim_num(s);
    if (!s.len || s.len > 400)
        return 1;
    char tmp[410];
    size_t n = 0, i = 0;
    if (s.ptr[0] == '-' || s.ptr[0] == '+')
        tmp[n++] = s.ptr[i++];
    str rest = str_make(s.ptr + i, s.len - i);
    if (str_ieq(rest, STR_LIT("infinity")) || str_eq(rest, STR_LIT("∞"))) {
        *out = n && tmp[0] == '-' ? -(double)INFINITY : (double)INFINITY;
        return 0;
    }
    if (str_ieq(rest, STR_LIT("nan"))) {
        *out = (double)NAN;
        return 0;
    }
    bool digits = false, dot = false, exp = false;
    for (; i < s.len; i++) {
        char ch = s.ptr[i];
        if (ch >= '0' && ch <= '9') {
            digits = true;
            tmp[n++] = ch;
        } else if (ch == ',' && !dot && !exp && digits) {
            continue;
        } else if (ch == '.' && !dot && !exp) {
            dot = true;
            tmp[n++] = ch;
        } else if ((ch == 'e' || ch == 'E') && digits && !exp) {
            exp = true;
            tmp[n++] = ch;
            if (i + 1 < s.len && (s.ptr[i + 1] == '+' || s.ptr[i + 1] == '-'))
                tmp[n++] = s.ptr[++i];
            if (i + 1 >= s.len || s.ptr[i + 1] < '0' || s.ptr[i + 1] > '9')
                return 1;
        } else {
            return 1;
        }
    }
    if (!digits)
        return 1;
    tmp[n] = '\0';
    *out = strtod(tmp, NULL);
    return 0;
}

double lib1_round_even(double d)
{
    return rint(d);
}
