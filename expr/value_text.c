/* Text to primitive values the way System.Xml.XmlConvert reads them: the explicit operators
 * of XElement and XAttribute ((int)el, (string)attr, (DateTime?)el ...). The XML classes live
 * in runtime/ (libxml2); they hand their text here from their xv_class.convert hooks. */
#include <math.h>
#include <string.h>

#include "lib1.h"

static bool is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static str xml_trim(str s)
{
    while (s.len && is_xml_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && is_xml_space(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

static int bad_value(expr_env *env, str s, const char *what)
{
    return expr_throw(env, "FormatException", "The string '%.*s' is not a valid %s value.",
                      (int)(s.len > 64 ? 64 : s.len), s.ptr, what);
}

static int bad_number(expr_env *env, str s)
{
    return expr_throw(env, "FormatException",
                      "The input string '%.*s' was not in a correct format.",
                      (int)(s.len > 64 ? 64 : s.len), s.ptr);
}

/* XmlConvert.ToBoolean: "true", "1", "false", "0" (XElement lower-cases the text first). */
static int to_bool(expr_env *env, str s, xv *out)
{
    str t = xml_trim(s);
    char buf[8];
    if (t.len < sizeof buf) {
        for (size_t i = 0; i < t.len; i++)
            buf[i] = (char)(t.ptr[i] >= 'A' && t.ptr[i] <= 'Z' ? t.ptr[i] + 32 : t.ptr[i]);
        str l = str_make(buf, t.len);
        if (str_eq_cstr(l, "true") || str_eq_cstr(l, "1") || str_eq_cstr(l, "false") ||
            str_eq_cstr(l, "0")) {
            *out = xv_bool(l.ptr[0] == 't' || l.ptr[0] == '1');
            return 0;
        }
    }
    return bad_value(env, s, "Boolean");
}

/* XmlConvert.ToInt32 / ToInt64 / ToDouble / ToDecimal ...: invariant, no thousands
 * separators, "INF" / "-INF" for floating point, no exponent for decimal. */
static int to_number(expr_env *env, int t, str s, xv *out)
{
    str v = xml_trim(s);
    bool fp = lib1_numtypes[t].kind == XV_DOUBLE;
    if (fp && t != NT_DECIMAL && (str_eq_cstr(v, "INF") || str_eq_cstr(v, "-INF"))) {
        *out = lib1_num_make(t, 0, v.ptr[0] == '-' ? -(double)INFINITY : (double)INFINITY);
        return 0;
    }
    for (size_t i = 0; i < v.len; i++)
        if (v.ptr[i] == ',' || (t == NT_DECIMAL && (v.ptr[i] == 'e' || v.ptr[i] == 'E')))
            return bad_number(env, s);
    if (t == NT_DECIMAL && (str_ieq(v, STR_LIT("nan")) || memchr(v.ptr, 'I', v.len)))
        return bad_number(env, s);
    int r = v.len ? lib1_parse_num(t, v, 0, out) : 1;
    if (r == 2)
        return lib1_num_overflow(env, t);
    if (r)
        return bad_number(env, s);
    return 0;
}

/* XmlConvert.ToDateTime(s, RoundtripKind) / ToDateTimeOffset. */
static int to_date(expr_env *env, str s, bool dto, xv *out)
{
    int64_t ticks;
    int kind;
    if (lib1_dt_parse(xml_trim(s), NULL, 128, dto, &ticks, &kind) != 0)
        return bad_value(env, s, "AllXsd");
    *out = lib1_datetime(ticks, dto ? XV_DT_UTC : kind);
    if (dto)
        out->sub = XV_SUB_DTO;
    return 0;
}

/* One "<digits>[.<digits>]<unit>" part of a duration; false when absent. */
static bool duration_part(str s, size_t *i, char unit, bool frac_ok, uint64_t *val, uint64_t *frac)
{
    size_t k = *i;
    uint64_t v = 0, f = 0;
    while (k < s.len && s.ptr[k] >= '0' && s.ptr[k] <= '9' && v < 100000000000ULL)
        v = v * 10 + (uint64_t)(s.ptr[k++] - '0');
    if (k == *i)
        return false;
    if (frac_ok && k < s.len && s.ptr[k] == '.') {
        uint64_t scale = 1000000;
        for (k++; k < s.len && s.ptr[k] >= '0' && s.ptr[k] <= '9'; k++, scale /= 10)
            f += (uint64_t)(s.ptr[k] - '0') * scale;
    }
    if (k >= s.len || s.ptr[k] != unit)
        return false;
    *val = v;
    if (frac)
        *frac = f;
    *i = k + 1;
    return true;
}

/* XmlConvert.ToTimeSpan: an xsd:duration "[-]PnYnMnDTnHnMn.nS" (a year is 365 days, a month
 * 30, as XsdDuration counts them). */
static int to_timespan(expr_env *env, str s, xv *out)
{
    str v = xml_trim(s);
    size_t i = 0;
    bool neg = v.len > 0 && v.ptr[0] == '-';
    uint64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, frac = 0;
    i += neg;
    if (i >= v.len || v.ptr[i++] != 'P')
        return bad_value(env, s, "TimeSpan");
    size_t start = i;
    duration_part(v, &i, 'Y', false, &y, NULL);
    duration_part(v, &i, 'M', false, &mo, NULL);
    duration_part(v, &i, 'D', false, &d, NULL);
    bool any = i > start;
    if (i < v.len && v.ptr[i] == 'T') {
        size_t t0 = ++i;
        duration_part(v, &i, 'H', false, &h, NULL);
        duration_part(v, &i, 'M', false, &mi, NULL);
        duration_part(v, &i, 'S', true, &sec, &frac);
        if (i == t0)
            return bad_value(env, s, "TimeSpan");
        any = true;
    }
    if (!any || i != v.len)
        return bad_value(env, s, "TimeSpan");
    double days = (double)(y + mo / 12) * 365 + (double)(mo % 12) * 30 + (double)d;
    double ticks =
        (((days * 24 + (double)h) * 60 + (double)mi) * 60 + (double)sec) * 1e7 + (double)frac;
    if (ticks >= 9223372036854775807.0)
        return expr_throw(env, "OverflowException",
                          "The TimeSpan value '%.*s' is outside the range of TimeSpan.",
                          (int)(s.len > 64 ? 64 : s.len), s.ptr);
    *out = lib1_timespan(neg ? -(int64_t)ticks : (int64_t)ticks);
    return 0;
}

static int number_type(const xv_class *c)
{
    for (int t = NT_INT; t <= NT_DECIMAL; t++)
        if (lib1_numtypes[t].cls == c)
            return t;
    return -1;
}

int expr_xml_text_convert(expr_env *env, str text, bool is_null, const char *param,
                          const xv_type *t, xv *out)
{
    if (!t || !t->cls || t->rank > 0)
        return 0;
    const xv_class *c = t->cls;
    int nt = number_type(c);
    bool value = nt >= 0 || c == &expr_class_bool || c == &expr_class_datetime ||
                 c == &expr_class_datetimeoffset || c == &expr_class_timespan ||
                 c == &expr_class_guid;
    if (!value && c != &expr_class_string)
        return 0;
    if (is_null) {
        if (value && !t->nullable)
            return expr_throw(env, "ArgumentNullException",
                              "Value cannot be null. (Parameter '%s')", param);
        *out = xv_null();
        return 1;
    }
    int rc;
    if (c == &expr_class_string) {
        *out = xv_str(text);
        rc = 0;
    } else if (nt >= 0) {
        rc = to_number(env, nt, text, out);
    } else if (c == &expr_class_bool) {
        rc = to_bool(env, text, out);
    } else if (c == &expr_class_datetime || c == &expr_class_datetimeoffset) {
        rc = to_date(env, text, c == &expr_class_datetimeoffset, out);
    } else if (c == &expr_class_timespan) {
        rc = to_timespan(env, text, out);
    } else {
        uint8_t g[16];
        if (lib1_guid_parse(xml_trim(text), g) != 0)
            return expr_throw(env, "FormatException",
                              "Guid should contain 32 digits with 4 dashes "
                              "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).");
        *out = (xv){ .kind = XV_GUID };
        memcpy(out->u.guid, g, 16);
        rc = 0;
    }
    return rc < 0 ? -1 : 1;
}
