#ifndef EXPR_LIB1_H
#define EXPR_LIB1_H

/* Private helpers of the "library 1" files (lib_string*.c, lib_convert.c, lib_numfmt.c,
 * lib_encoding.c, lib_uri.c, lib_datetime*.c, lib_math.c, lib_crypto.c). Not for other files
 * of expr/: what they may use is declared in lib.h. All names start with lib1_. */

#include "lib.h"

/* ---- errors ---- */

/* Throws ArgumentException "who: argument i+1: expected want, got <type>"; returns -1. */
int lib1_arg_error(xv_call *c, size_t i, const char *who, const char *want);
/* Raises the fatal arena-cap error; returns -1. */
int lib1_oom(expr_env *env);
/* Throws ArgumentNullException for parameter `param` of who. */
int lib1_null_arg(expr_env *env, const char *who, const char *param);

/* ---- argument readers: 0 and *out, or -1 after a throw ----
 * Each accepts the primitive kinds C# converts implicitly and JValue primitives. */

/* A string argument. When is_null is NULL a null argument throws ArgumentNullException,
 * otherwise *is_null tells (and *out is empty). */
int lib1_str(xv_call *c, size_t i, const char *who, str *out, bool *is_null);
/* An integer argument (int, long, byte, char); also checked to fit in int32 by lib1_i32. */
int lib1_int(xv_call *c, size_t i, const char *who, int64_t *out);
int lib1_i32(xv_call *c, size_t i, const char *who, int64_t *out);
/* A number argument (any numeric kind or char) as double. */
int lib1_num(xv_call *c, size_t i, const char *who, double *out);
int lib1_bool(xv_call *c, size_t i, const char *who, bool *out);
/* A byte[] argument (XV_BYTES, or a list of byte values which is copied). Null throws. */
int lib1_bytes(xv_call *c, size_t i, const char *who, str *out);
/* A char argument (XV_CHAR, or a one-character string constant). */
int lib1_char(xv_call *c, size_t i, const char *who, uint16_t *out);
/* An enum constant of class cls (an int is accepted too). */
int lib1_enum(xv_call *c, size_t i, const char *who, const xv_class *cls, int64_t *out);
static inline bool lib1_is_enum(xv v, const xv_class *cls)
{
    return v.kind == XV_ENUM && v.u.en.type == cls;
}
/* JValue primitives become plain values (string, long, double, bool, null); others unchanged. */
xv lib1_unjson(expr_env *env, xv v);
/* True for integer-like kinds (int, long, byte, char). */
bool lib1_is_integral(xv v);
/* An XV_ENUM constant. */
static inline xv lib1_enum_val(const xv_class *cls, int64_t v)
{
    xv r = { .kind = XV_ENUM };
    r.u.en.type = cls;
    r.u.en.v = v;
    return r;
}
/* Defines a static getter fn for the constant v of enum class cls (e.g. DayOfWeek.Monday). */
#define LIB1_ENUM_GET(fn, cls, v)                                                                  \
    static int fn(expr_env *env, xv self, xv *out)                                                 \
    {                                                                                              \
        (void)env;                                                                                 \
        (void)self;                                                                                \
        *out = lib1_enum_val(&cls, v);                                                             \
        return 0;                                                                                  \
    }
/* Marks the out argument of TryParse-like methods (XV_M_OUT_LAST). */
void lib1_set_out(xv_call *c, size_t i, xv v);

/* ---- arena string builder ---- */
typedef struct lib1_sb {
    expr_env *env;
    char *p;
    size_t len, cap;
    bool oom;
} lib1_sb;

void lib1_sb_init(lib1_sb *b, expr_env *env, size_t hint);
void lib1_sb_add(lib1_sb *b, const void *p, size_t n);
void lib1_sb_str(lib1_sb *b, str s);
void lib1_sb_putc(lib1_sb *b, char ch);
void lib1_sb_cp(lib1_sb *b, uint32_t cp); /* one code point as UTF-8 */
void lib1_sb_printf(lib1_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The result (NUL-terminated) or -1 after lib1_oom. */
int lib1_sb_done(lib1_sb *b, str *out);

/* ---- text: UTF-8 storage, UTF-16 semantics ---- */

bool lib1_is_ascii(str s);
/* Decodes one code point at p[0..n) (n > 0); invalid bytes decode as U+FFFD, one byte each.
 * Lone surrogates stored WTF-8 style decode as themselves. */
uint32_t lib1_utf8_dec(const char *p, size_t n, size_t *adv);
size_t lib1_utf8_enc(uint32_t cp, char out[4]);
/* Length in UTF-16 code units. */
size_t lib1_u16_len(str s);
/* Byte offset of UTF-16 index idx (idx <= length; inside a surrogate pair rounds down). */
size_t lib1_u16_off(str s, size_t idx);
/* UTF-16 index of byte offset off (off on a character boundary). */
size_t lib1_u16_idx(str s, size_t off);
/* The UTF-16 code unit at index idx (idx < length). */
uint16_t lib1_u16_at(str s, size_t idx);
/* String of one UTF-16 code unit. */
int lib1_char_str(expr_env *env, uint16_t ch, str *out);
uint32_t lib1_upper(uint32_t cp);
uint32_t lib1_lower(uint32_t cp);
bool lib1_is_space(uint32_t cp);
bool lib1_is_letter(uint32_t cp);
bool lib1_is_digit(uint32_t cp);
/* Upper/lower-cased copy (mappings keep the UTF-8 length, so byte offsets are preserved). */
int lib1_case(expr_env *env, str s, bool upper, str *out);

/* ---- numbers (lib_numfmt.c) ---- */

/* Formats a numeric value (XV_INT of any sub, XV_DOUBLE incl. decimal/float) with a .NET
 * numeric format string (standard G N F D X E P C R or custom "0.00", "#,##0"). */
int lib1_format_number(expr_env *env, xv num, str fmt, str *out);
/* Parses an integer the way Int32/Int64.Parse do (leading/trailing white space, sign,
 * AllowThousands when thousands). 0 ok, 1 bad format, 2 overflow (outside [lo, hi]). */
int lib1_parse_int(str s, int64_t lo, int64_t hi, bool thousands, bool hex, int64_t *out);
/* Parses a double like Double.Parse (invariant culture). 0 ok, 1 bad format. */
int lib1_parse_double(str s, double *out);
/* Banker's rounding of d to an integer (MidpointRounding.ToEven). */
double lib1_round_even(double d);

/* ---- strings shared with other lib1 files (lib_string.c) ---- */
extern const xv_class lib1_class_stringsplitoptions, lib1_class_numberstyles;

/* String statics and constructor (lib_string2.c), listed in lib_string.c's tables. */
int lib1_string_ctor(xv_call *c, xv *out);
int lib1_str_compare(xv_call *c, xv *out);
int lib1_str_compare_ordinal(xv_call *c, xv *out);
int lib1_str_concat(xv_call *c, xv *out);
int lib1_str_copy(xv_call *c, xv *out);
int lib1_str_equals_static(xv_call *c, xv *out);
int lib1_str_format(xv_call *c, xv *out);
int lib1_str_is_null_or_empty(xv_call *c, xv *out);
int lib1_str_is_null_or_white_space(xv_call *c, xv *out);
int lib1_str_join(xv_call *c, xv *out);

/* Classes of lib_encoding.c and lib_uri.c, listed by lib_convert.c's group. */
extern const xv_class lib1_class_encoding, lib1_class_utf8encoding, lib1_class_bitconverter,
    lib1_class_webutility, lib1_class_httputility, lib1_class_uri, lib1_class_urikind,
    lib1_class_uripartial, lib1_class_base64options;

/* Percent-encoding (lib_encoding.c) for Uri: EscapeDataString, EscapeUriString, unescape. */
int lib1_escape_data(expr_env *env, str s, str *out);
int lib1_escape_uri(expr_env *env, str s, str *out);
int lib1_unescape(expr_env *env, str s, str *out);

/* ---- dates (lib_datetime.c) ---- */
#define LIB1_TICKS_PER_MS  10000LL
#define LIB1_TICKS_PER_SEC 10000000LL
#define LIB1_TICKS_PER_DAY 864000000000LL
#define LIB1_MAX_TICKS     3155378975999999999LL /* 9999-12-31T23:59:59.9999999 */
#define LIB1_UNIX_EPOCH    621355968000000000LL
typedef struct lib1_tm {
    int year, month, day, hour, minute, second;
    int frac; /* ticks within the second */
    int dow;  /* 0 = Sunday */
    int yday; /* 1-based */
} lib1_tm;
void lib1_civil(int64_t ticks, lib1_tm *tm);
/* Formats ticks with a standard or custom DateTime format (fmt empty = "G"). dto: the value
 * is a DateTimeOffset (offset +00:00). */
int lib1_dt_format(expr_env *env, int64_t ticks, int kind, bool dto, str fmt, str *out);
/* Parses s (free-form when fmt is NULL, else exactly fmt). styles: DateTimeStyles flags.
 * 0 ok, 1 not a valid date. */
int lib1_dt_parse(str s, const str *fmt, int64_t styles, bool dto, int64_t *ticks, int *kind);
xv lib1_datetime(int64_t ticks, int kind);
extern const xv_class lib1_class_datetimekind, lib1_class_dayofweek, lib1_class_datetimestyles,
    lib1_class_random;
xv lib1_timespan(int64_t ticks);
/* ticks * f (or ticks / f when divide) rounded to even, as TimeSpan's * and / operators:
 * ArgumentException for NaN, OverflowException outside TimeSpan's range (lib_timespan.c). */
int lib1_timespan_scale(expr_env *env, int64_t ticks, double f, bool divide, xv *out);
/* Parses a Guid in the N, D, B or P form (new Guid(s)): 0 ok, 1 bad format. */
int lib1_guid_parse(str s, uint8_t g[16]);
/* Days from 0001-01-01 to y-m-d (valid date assumed). */
int64_t lib1_days_from_civil(int64_t y, unsigned m, unsigned d);
bool lib1_is_leap(int64_t y);
int lib1_days_in_month(int64_t y, int m);

/* X509Certificate2, RSA, HashAlgorithmName, RSASignaturePadding (lib_x509.c) */
extern const xv_class lib1_class_x509, lib1_class_rsa, lib1_class_hashname, lib1_class_sigpad;

int lib1_str_split(xv_call *c, xv *out); /* lib_string_split.c */
/* Numeric types (lib_convert.c), shared with Convert (lib_convert2.c). */
typedef struct lib1_numtype {
    const char *name; /* "Int32" */
    const xv_class *cls;
    uint8_t kind, sub;
    int64_t lo, hi; /* integer range */
} lib1_numtype;
enum { NT_INT, NT_LONG, NT_BYTE, NT_DOUBLE, NT_FLOAT, NT_DECIMAL };
extern const lib1_numtype lib1_numtypes[];
extern const xv_class lib1_class_convert;
xv lib1_num_make(int t, int64_t i, double d);
int lib1_num_overflow(expr_env *env, int t);
/* Parses s as numeric type t with NumberStyles flags: 0 ok, 1 format error, 2 overflow. */
int lib1_parse_num(int t, str s, int64_t styles, xv *out);
/* "true"/"false" (trimmed, case-insensitive): 0 ok, 1 bad. */
int lib1_parse_bool(str s, bool *out);
/* UTF-8 bytes to text, invalid sequences as U+FFFD (lib_encoding.c). */
int lib1_utf8_decode(expr_env *env, str s, str *out);

/* DateTime statics (lib_datefmt.c) */
int lib1_dt_days_in_month(xv_call *c, xv *out);
int lib1_dt_is_leap_year(xv_call *c, xv *out);
int lib1_dt_specify_kind(xv_call *c, xv *out);
int lib1_dt_compare(xv_call *c, xv *out);
int lib1_dt_equals_static(xv_call *c, xv *out);
int lib1_dt_from_file_time(xv_call *c, xv *out);

/* ---- crypto (lib_crypto.c): byte[] extension methods Encrypt/Decrypt ---- */
int lib1_bytes_encrypt(xv_call *c, xv *out);
int lib1_bytes_decrypt(xv_call *c, xv *out);

#endif
