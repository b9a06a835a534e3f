#ifndef EXPR_LIB_REGEX_H
#define EXPR_LIB_REGEX_H

/* Internals of the regex library (lib_regex*.c): compiled patterns and match records. */

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "lib.h"

/* RegexOptions values (as in .NET). */
enum rx_options {
    RX_IGNORECASE = 1,
    RX_MULTILINE = 2,
    RX_EXPLICITCAPTURE = 4,
    RX_COMPILED = 8,
    RX_SINGLELINE = 16,
    RX_IGNOREPATTERNWHITESPACE = 32,
    RX_RIGHTTOLEFT = 64,
    RX_ECMASCRIPT = 256,
    RX_CULTUREINVARIANT = 512,
    RX_NONBACKTRACKING = 1024,
};

/* A compiled pattern; the code is freed with the evaluation arena. */
typedef struct rx {
    pcre2_code *code;
    str pattern;
    int64_t options;
    uint32_t ncap; /* capture groups + 1 (group 0 = the whole match) */
} rx;

/* One match attempt: ov holds 2 * ncap byte offsets (PCRE2_UNSET for groups that did not
 * participate). A failed match has success false. */
typedef struct rx_match {
    const rx *re;
    str input;
    size_t start; /* where the search began */
    PCRE2_SIZE *ov;
    bool success;
} rx_match;

/* Match, Group and Capture objects all point at one of these. idx == UINT32_MAX is a group
 * the pattern does not have (Groups["nope"]: Success false, Value ""). */
typedef struct rx_group {
    const rx_match *m;
    uint32_t idx;
    str name; /* only for idx == UINT32_MAX */
} rx_group;

extern const xv_class expr_class_regex, expr_class_regexoptions, expr_class_match,
    expr_class_rxgroup, expr_class_capture, expr_class_groupcollection;

/* lib_regex_ops.c. Each returns 0, or -1 after expr_throw(). */
const rx *rx_compile(expr_env *env, str pattern, int64_t options); /* NULL after a throw */
int rx_exec(expr_env *env, const rx *re, str input, size_t start, rx_match **out);
/* The byte offset where the search after m continues (past an empty match). */
size_t rx_next_start(const rx_match *m);
int rx_matches(expr_env *env, const rx *re, str input, size_t start, xv *out);
/* replacement: a string with $ substitutions, or a MatchEvaluator lambda. count < 0 = all. */
int rx_replace(expr_env *env, const rx *re, str input, xv replacement, int64_t count, size_t start,
               xv *out);
int rx_split(expr_env *env, const rx *re, str input, int64_t count, xv *out);
/* Match.Result(replacement): the substitution text for m. */
int rx_result(expr_env *env, const rx_match *m, str replacement, xv *out);
int rx_escape(expr_env *env, str s, xv *out);
int rx_unescape(expr_env *env, str s, xv *out);
/* The group's name (its number as text when unnamed); ptr NULL at the arena cap. */
str rx_group_name(expr_env *env, const rx *re, uint32_t idx);
/* UTF-16 code units in s[0..nbytes), and the byte offset of UTF-16 index idx. */
size_t rx_u16_len(str s, size_t nbytes);
size_t rx_u16_to_byte(str s, size_t idx);

/* lib_regex_match.c: a Match object for m (group 0). */
int rx_match_value(expr_env *env, const rx_match *m, xv *out);

#endif
