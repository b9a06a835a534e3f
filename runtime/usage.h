#ifndef RUNTIME_USAGE_H
#define RUNTIME_USAGE_H

/* Token usage / charge-back report over request logs (`apimlite usage`, DESIGN.md §2, §5).
 *
 * Lines are fed one at a time (rt_usage_add_line); the report keeps one group per distinct
 * combination of the --by keys, so memory grows with the number of groups, never with the
 * number of lines. Then rt_usage_sort() orders the groups and the printers write a table or
 * JSON. Everything the report allocates lives in its own arena and in the group/slot arrays,
 * released by rt_usage_release(). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/buf.h"

/* The dimensions a report can group by, each read from one column of the log line. */
/* ORDER RT_USAGE_KEY: key_info[] in usage.c */
typedef enum rt_usage_key {
    RT_USAGE_SUBSCRIPTION, /* SubscriptionId */
    RT_USAGE_MODEL,        /* Model */
    RT_USAGE_IP,           /* CallerIpAddress */
    RT_USAGE_API,          /* ApiId */
    RT_USAGE_PRODUCT,      /* ProductId */
    RT_USAGE_OPERATION,    /* OperationId */
    RT_USAGE_BACKEND,      /* BackendId */
    RT_USAGE_STATUS,       /* ResponseCode */
    RT_USAGE_DAY,          /* TimeGenerated, UTC date: 2026-01-31 */
    RT_USAGE_HOUR,         /* TimeGenerated, UTC hour: 2026-01-31T13:00Z */
    RT_USAGE_NKEYS
} rt_usage_key;

/* The sums kept per group and for the total. Sums saturate instead of wrapping. */
typedef struct rt_usage_sums {
    uint64_t requests;
    uint64_t prompt_tokens;
    uint64_t completion_tokens;
    uint64_t total_tokens; /* TotalTokens, or Prompt + Completion when TotalTokens is absent */
    uint64_t streamed;     /* Streamed == true */
    uint64_t errors;       /* ResponseCode >= 400 */
    uint64_t timed;        /* requests that carry a TotalTime */
    double total_time_ms;  /* sum of TotalTime over the timed requests */
} rt_usage_sums;

typedef struct rt_usage_group {
    const char **keys;         /* one value per --by key, in --by order; NULL = absent or empty */
    const unsigned char *blob; /* the encoded key the hash table compares */
    size_t blob_len;
    uint64_t hash;
    size_t nkeys;
    rt_usage_sums sums;
} rt_usage_group;

typedef struct rt_usage {
    rt_usage_key by[RT_USAGE_NKEYS];
    size_t nby;
    bool has_since, has_until;
    int64_t since_us, until_us; /* window on TimeGenerated: since <= t < until (Unix µs, UTC) */

    rt_usage_group **groups; /* in insertion order until rt_usage_sort() */
    size_t ngroups, groups_alloc;
    size_t *slots; /* open-addressing hash table of group index + 1 (0 = empty) */
    size_t nslots; /* power of two */
    rt_usage_sums total;
    uint64_t malformed; /* lines skipped as malformed */
    uint64_t outside;   /* well-formed lines outside the --since/--until window */
    arena mem;          /* group records and key strings */
    buf scratch;        /* the encoded key of the line being added */
} rt_usage;

/* Result of rt_usage_add_line. */
typedef enum rt_usage_line {
    RT_USAGE_LINE_COUNTED,   /* added to a group */
    RT_USAGE_LINE_OUTSIDE,   /* well-formed, outside the time window */
    RT_USAGE_LINE_BLANK,     /* only white space: ignored, not malformed */
    RT_USAGE_LINE_MALFORMED, /* not a log object; *why says what was wrong */
} rt_usage_line;

/* Fills a caller-owned report grouping by by[0..nby) (1 <= nby <= RT_USAGE_NKEYS); the window
 * is open until the caller sets has_since/since_us or has_until/until_us. */
void rt_usage_init(rt_usage *u, const rt_usage_key *by, size_t nby);
/* Frees the groups and their strings; u can be initialised again afterwards. */
void rt_usage_release(rt_usage *u);

/* Adds one log line line[0..len) (without its newline; a trailing CR is ignored). On
 * RT_USAGE_LINE_MALFORMED, why[0..whylen) receives the reason and *col the 1-based column of
 * a JSON syntax error (0 when the reason is not about a position). Never fails otherwise. */
rt_usage_line rt_usage_add_line(rt_usage *u, const char *line, size_t len, char *why, size_t whylen,
                                int *col);

/* Orders the groups by total tokens descending, then by key ascending (absent keys last). */
void rt_usage_sort(rt_usage *u);

/* Writes the aligned text table (header, one row per group, TOTAL row) to out. Numbers are
 * plain digits, right-aligned; absent keys print as "(none)"; avg_ms has one decimal or "-". */
void rt_usage_print_table(const rt_usage *u, FILE *out);
/* Writes the report as one JSON object: by, since, until, groups (array of objects with the
 * keys then the sums, in a fixed order), total, malformedLines. */
void rt_usage_print_json(const rt_usage *u, FILE *out);

/* The --by name of k ("subscription", "model", ...). */
const char *rt_usage_key_name(rt_usage_key k);
/* Parses a comma-separated --by list (names case-insensitive; the log column names such as
 * SubscriptionId are accepted too). Returns 0, or -1 with a message in err[0..errlen) for an
 * unknown, repeated or missing name. */
int rt_usage_parse_by(const char *spec, rt_usage_key *by, size_t *nby, char *err, size_t errlen);

/* Parses an ISO-8601 timestamp s[0..len): YYYY-MM-DD, optionally followed by T or a space and
 * HH:MM[:SS[.fraction]], optionally followed by Z or ±HH[:]MM (none means UTC). Stores Unix
 * microseconds in *out_us. Returns 0, or -1 when s is not such a timestamp or is out of range. */
int rt_usage_parse_time(const char *s, size_t len, int64_t *out_us);
/* Parses a relative duration such as 30m, 24h, 7d, 2w, 45s or 1d12h (also ISO-8601 P7D,
 * PT1H30M) into microseconds. Returns 0, or -1. */
int rt_usage_parse_duration(const char *s, int64_t *out_us);
/* A --since/--until value: a timestamp, or a duration meaning now_us minus it. 0 or -1. */
int rt_usage_parse_when(const char *s, int64_t now_us, int64_t *out_us);
/* Formats Unix microseconds as 2026-01-31T13:05:00Z (with .ffffff when not whole seconds)
 * into out (at least 32 bytes). */
void rt_usage_format_time(int64_t us, char *out, size_t outlen);
/* Formats the UTC day (2026-01-31) or hour (2026-01-31T13:00Z) of us into out (>= 24 bytes). */
void rt_usage_format_day(int64_t us, char *out, size_t outlen);
void rt_usage_format_hour(int64_t us, char *out, size_t outlen);

#endif
