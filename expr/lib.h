#ifndef EXPR_LIB_H
#define EXPR_LIB_H

/* Internals shared between the files of expr/ (not for other modules). */

#include "expr.h"

/* Every library file exports exactly one group; types.c lists them all (order = lookup order
 * of extension methods). */
extern const xv_lib expr_lib_core; /* types.c: object, Exception, lambda (engine) */
extern const xv_lib
    expr_lib_string; /* lib_string.c: String, Char, StringBuilder, StringComparison... */
extern const xv_lib expr_lib_convert; /* lib_convert.c: Int32.., Boolean, Convert, Encoding,
                                         BitConverter, WebUtility, Uri */
extern const xv_lib
    expr_lib_datetime; /* lib_datetime.c: DateTime, TimeSpan, DateTimeOffset, Guid, Random */
extern const xv_lib expr_lib_math; /* lib_math.c: Math, MidpointRounding */
extern const xv_lib
    expr_lib_crypto; /* lib_crypto.c: SHA*, HMAC*, RandomNumberGenerator, Aes (OpenSSL) */
extern const xv_lib expr_lib_json; /* lib_json.c: JToken, JObject, JArray, JValue, JProperty,
                                      JsonConvert, JTokenType, Formatting */
extern const xv_lib expr_lib_linq; /* lib_linq.c: Enumerable (extension), List, Dictionary, HashSet,
                                      KeyValuePair, arrays */
extern const xv_lib expr_lib_regex;   /* lib_regex.c: Regex, Match, Group, Capture, MatchCollection,
                                         RegexOptions (PCRE2) */
extern const xv_lib expr_lib_jwt;     /* lib_jwt.c: Jwt, AsJwt/TryParseJwt/AsBasic (extension on
                                         string), BasicAuthCredentials */
extern const xv_lib expr_lib_context; /* context.c: the context model classes, IMessageBody */

/* Formatting helpers used by xv_to_string (value.c) and the libraries. */
int expr_double_to_string(expr_env *env, double d, str *out); /* value.c */
int expr_datetime_to_string(expr_env *env, xv v, str fmt,
                            str *out); /* lib_datetime.c; fmt empty = default */
int expr_timespan_to_string(expr_env *env, int64_t ticks, str fmt, str *out);   /* lib_datetime.c */
int expr_guid_to_string(expr_env *env, const uint8_t g[16], str fmt, str *out); /* lib_datetime.c */
int expr_json_to_string(expr_env *env, json_t *j, bool indented,
                        str *out); /* lib_json.c, Newtonsoft style */
/* Parses text as JSON the way JToken.Parse does; throws JsonReaderException on bad input. */
int expr_json_parse(expr_env *env, str text, json_t **out); /* lib_json.c */

/* ---- collections (lib_linq.c / lib_coll.c) and JSON enumeration (lib_json.c) ----
 * KeyValuePair<K,V>: an XV_OBJ of expr_class_kvp whose ptr is an expr_kvp (members Key,
 * Value). Dictionary enumeration yields these. */
typedef struct expr_kvp {
    xv key, value;
} expr_kvp;
extern const xv_class expr_class_kvp;
/* Makes a KeyValuePair in the env arena (-1 only at the arena cap). */
int expr_kvp_new(expr_env *env, xv key, xv value, xv *out);
/* Enumerates a dictionary as KeyValuePairs (a new XV_LIST_SEQ list). */
int expr_dict_enumerate(expr_env *env, const xv_dict *d, xv_list **out);
/* Enumerates a JSON token like Newtonsoft: JArray -> its items (XV_JSON), JObject -> its
 * properties as JProperty objects (members Name, Key, Value), JValue -> throws
 * InvalidOperationException. Records parents so Remove()/Parent work on the items. */
int expr_json_enumerate(expr_env *env, json_t *j, xv_list **out);
/* Converts a JToken to type t with Newtonsoft semantics (lib_json_conv.c).
 * mode 0: Value<T>() / ToObject<T>() (Convert.ChangeType: "12" -> 12, null -> default for
 * nullable/reference types, InvalidCastException otherwise);
 * mode 1: the explicit operators `(int)tok`, `(string)tok`, `(bool?)tok` ... (ArgumentException
 * "Can not convert Object to String." for containers; JSON null -> null for nullable/reference
 * targets). j == NULL means a C# null token (missing key). Targets: int, long, double, float,
 * decimal, bool, string, char, object, DateTime, Guid, TimeSpan, JToken/JObject/JArray/JValue,
 * List<T>, T[], Dictionary<string,T>. Returns 0 with *out, or -1 after expr_throw(). */
int expr_json_convert(expr_env *env, json_t *j, const xv_type *t, int mode, xv *out);
/* The user-defined explicit conversion of v (null or a value of class cls) to t: the first
 * `convert` hook on cls's base chain. 1 handled (*out set), 0 none applies, -1 thrown
 * (value_conv.c). */
int expr_user_convert(expr_env *env, const xv_class *cls, xv v, const xv_type *t, xv *out);
/* The implicit conversion of v to class cls (the `from` hook on cls's base chain): 1 with
 * *out, 0 none applies (v is null or already of class cls included), -1 thrown (eval_ops.c). */
int expr_implicit_from(expr_env *env, const xv_class *cls, xv v, xv *out);
/* Number of parameters of a lambda (eval.c; lib_linq.c has a weak fallback returning 1):
 * Select((x, i) => ...) overloads pass the index only to 2-parameter lambdas. */
size_t expr_lambda_nparams(xv fn);

/* ---- library 1 (strings, numbers, dates): helpers other expr/ files may use ---- */
/* Enum and helper classes: StringComparison (values as in .NET: CurrentCulture 0 ..
 * Ordinal 4, OrdinalIgnoreCase 5), StringComparer (instances are XV_OBJ; use
 * expr_string_comparer_mode), CultureInfo (XV_OBJ; accepted and ignored as IFormatProvider),
 * DateTimeOffset (an XV_DATETIME whose sub is XV_SUB_DTO; always UTC). Enum classes keep each
 * constant's value in xv_member.host_id (and their getters return it as XV_ENUM). */
extern const xv_class expr_class_stringcomparison, expr_class_stringcomparer,
    expr_class_cultureinfo, expr_class_datetimeoffset;
/* The StringComparison mode of a StringComparer value (or of a StringComparison enum value);
 * -1 when v is neither. */
int expr_string_comparer_mode(xv v);
/* String equality / ordering under a StringComparison mode (culture modes: ordinal equality,
 * case-insensitive-first ordering). Compare returns -1, 0 or 1. */
bool expr_string_equals(str a, str b, int mode);
int expr_string_compare(str a, str b, int mode);
/* A deterministic String.GetHashCode (32-bit; .NET randomizes it per process). */
int32_t expr_string_hash(str s, bool ignore_case);
/* Formats v with a .NET format string (interpolation holes {x:N2}, String.Format items):
 * numbers use numeric formats, DateTime/TimeSpan/Guid their own, enums "D" as number, anything
 * else its ToString(); fmt empty = ToString(). null gives "". */
int expr_format_value(expr_env *env, xv v, str fmt, str *out);
/* .NET composite formatting: String.Format(fmt, args[0..n)) with {index[,alignment][:format]}
 * and {{ }} escapes; FormatException on bad input. */
int expr_string_format(expr_env *env, str fmt, const xv *args, size_t n, str *out);
/* Pads s with spaces to |width| UTF-16 units (width < 0: left-aligned) as alignment does. */
int expr_string_align(expr_env *env, str s, int64_t width, str *out);
/* The name of the enum constant v of class cls (NULL when none has that value). */
const char *expr_enum_name(const xv_class *cls, int64_t v);
/* DateTime - DateTime -> TimeSpan, DateTime +/- TimeSpan -> DateTime, TimeSpan +/- TimeSpan,
 * DateTimeOffset likewise, TimeSpan * number, number * TimeSpan, TimeSpan / number,
 * TimeSpan / TimeSpan -> double (op is '+', '-', '*' or '/'). Returns 1 and *out when the operands
 * are such a pair, 0 when they are not (the caller tries other rules), -1 after a throw
 * (ArgumentOutOfRangeException when the result is outside DateTime's range,
 * OverflowException for TimeSpan overflow). */
int expr_datetime_arith(expr_env *env, int op, xv a, xv b, xv *out);

#endif
