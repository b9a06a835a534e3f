#ifndef EXPR_LIB_H
#define EXPR_LIB_H

/* Internals shared between the files of expr/ (not for other modules). */

#include "expr.h"

/* Every library file exports exactly one group; types.c lists them all (order = lookup order
 * of extension methods). */
extern const xv_lib expr_lib_core;     /* types.c: object, Exception, lambda (engine) */
extern const xv_lib expr_lib_string;   /* lib_string.c: String, Char, StringBuilder, StringComparison... */
extern const xv_lib expr_lib_convert;  /* lib_convert.c: Int32.., Boolean, Convert, Encoding, BitConverter, WebUtility, Uri */
extern const xv_lib expr_lib_datetime; /* lib_datetime.c: DateTime, TimeSpan, DateTimeOffset, Guid, Random */
extern const xv_lib expr_lib_math;     /* lib_math.c: Math, MidpointRounding */
extern const xv_lib expr_lib_crypto;   /* lib_crypto.c: SHA*, HMAC*, RandomNumberGenerator, Aes (OpenSSL) */
extern const xv_lib expr_lib_json;     /* lib_json.c: JToken, JObject, JArray, JValue, JProperty, JsonConvert, JTokenType, Formatting */
extern const xv_lib expr_lib_linq;     /* lib_linq.c: Enumerable (extension), List, Dictionary, HashSet, KeyValuePair, arrays */
extern const xv_lib expr_lib_regex;    /* lib_regex.c: Regex, Match, Group, Capture, MatchCollection, RegexOptions (PCRE2) */
extern const xv_lib expr_lib_jwt;      /* lib_jwt.c: Jwt, AsJwt/TryParseJwt/AsBasic (extension on string), BasicAuthCredentials */
extern const xv_lib expr_lib_context;  /* context.c: the context model classes, IMessageBody */

/* Formatting helpers used by xv_to_string (value.c) and the libraries. */
int expr_double_to_string(expr_env *env, double d, str *out);                   /* value.c */
int expr_datetime_to_string(expr_env *env, xv v, str fmt, str *out);            /* lib_datetime.c; fmt empty = default */
int expr_timespan_to_string(expr_env *env, int64_t ticks, str fmt, str *out);   /* lib_datetime.c */
int expr_guid_to_string(expr_env *env, const uint8_t g[16], str fmt, str *out); /* lib_datetime.c */
int expr_json_to_string(expr_env *env, json_t *j, bool indented, str *out);     /* lib_json.c, Newtonsoft style */
/* Parses text as JSON the way JToken.Parse does; throws JsonReaderException on bad input. */
int expr_json_parse(expr_env *env, str text, json_t **out);                     /* lib_json.c */

#endif
