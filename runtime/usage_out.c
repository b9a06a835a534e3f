/* Output of `apimlite usage`: the aligned text table and the JSON report. Both keep plain
 * digits (no thousands separators) so that scripts can parse them. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "usage.h"

#define NUM_COLS 7
#define NONE     "(none)"

/* ORDER table columns */
static const char *const num_heads[NUM_COLS] = {
    "requests", "prompt_tokens", "completion_tokens", "total_tokens", "streamed",
    "errors",   "avg_ms",
};
static const char *const json_names[NUM_COLS] = {
    "requests", "promptTokens", "completionTokens", "totalTokens",
    "streamed", "errors",       "avgTotalTimeMs",
};
/* ORDER table columns */

/* Formats the numeric cells of s into cells[NUM_COLS][32]; the average reads "-" (table) or
 * "null" (JSON) when no request carried a TotalTime. */
static void format_sums(const rt_usage_sums *s, char cells[NUM_COLS][32], const char *no_avg)
{
    const uint64_t v[NUM_COLS - 1] = { s->requests,     s->prompt_tokens, s->completion_tokens,
                                       s->total_tokens, s->streamed,      s->errors };
    for (int i = 0; i < NUM_COLS - 1; i++)
        snprintf(cells[i], 32, "%" PRIu64, v[i]);
    if (s->timed)
        snprintf(cells[NUM_COLS - 1], 32, "%.1f", s->total_time_ms / (double)s->timed);
    else
        snprintf(cells[NUM_COLS - 1], 32, "%s", no_avg);
}

/* Display width of a UTF-8 string: one column per code point (no wide-character tables). */
static size_t width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Writes s left-aligned in w columns; control characters become '?' so that a hostile value
 * cannot move the cursor or break the row. */
static void put_left(FILE *out, const char *s, size_t w, bool pad)
{
    for (const char *p = s; *p; p++)
        fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, out);
    for (size_t n = width(s); pad && n < w; n++)
        fputc(' ', out);
}

static void put_right(FILE *out, const char *s, size_t w)
{
    for (size_t n = width(s); n < w; n++)
        fputc(' ', out);
    fputs(s, out);
}

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

static void put_row(FILE *out, const rt_usage *u, const char *const *keys, char cells[NUM_COLS][32],
                    const size_t *w)
{
    for (size_t i = 0; i < u->nby; i++) {
        put_left(out, keys[i] ? keys[i] : "", w[i], true);
        fputs("  ", out);
    }
    for (int c = 0; c < NUM_COLS; c++) {
        if (c)
            fputs("  ", out);
        put_right(out, cells[c], w[u->nby + (size_t)c]);
    }
    fputc('\n', out);
}

void rt_usage_print_table(const rt_usage *u, FILE *out)
{
    size_t w[RT_USAGE_NKEYS + NUM_COLS];
    char cells[NUM_COLS][32];
    for (size_t i = 0; i < u->nby; i++)
        w[i] = width(rt_usage_key_name(u->by[i]));
    if (u->nby)
        w[0] = max_size(w[0], strlen("TOTAL"));
    for (int c = 0; c < NUM_COLS; c++)
        w[u->nby + (size_t)c] = strlen(num_heads[c]);
    for (size_t g = 0; g <= u->ngroups; g++) {
        const rt_usage_group *gr = g < u->ngroups ? u->groups[g] : NULL;
        format_sums(gr ? &gr->sums : &u->total, cells, "-");
        for (size_t i = 0; gr && i < u->nby; i++)
            w[i] = max_size(w[i], width(gr->keys[i] ? gr->keys[i] : NONE));
        for (int c = 0; c < NUM_COLS; c++)
            w[u->nby + (size_t)c] = max_size(w[u->nby + (size_t)c], strlen(cells[c]));
    }

    const char *keys[RT_USAGE_NKEYS] = { 0 };
    for (size_t i = 0; i < u->nby; i++)
        keys[i] = rt_usage_key_name(u->by[i]);
    for (int c = 0; c < NUM_COLS; c++)
        snprintf(cells[c], 32, "%s", num_heads[c]);
    put_row(out, u, keys, cells, w);
    for (size_t g = 0; g < u->ngroups; g++) {
        const rt_usage_group *gr = u->groups[g];
        for (size_t i = 0; i < u->nby; i++)
            keys[i] = gr->keys[i] ? gr->keys[i] : NONE;
        format_sums(&gr->sums, cells, "-");
        put_row(out, u, keys, cells, w);
    }
    for (size_t i = 0; i < u->nby; i++)
        keys[i] = i == 0 ? "TOTAL" : "";
    format_sums(&u->total, cells, "-");
    put_row(out, u, keys, cells, w);
}

/* Writes s as a JSON string; s is valid UTF-8 (jansson checked it), so only quotes,
 * backslashes and control characters need escapes. */
static void put_json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p == '\r')
            fputs("\\r", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void put_json_sums(FILE *out, const rt_usage_sums *s)
{
    char cells[NUM_COLS][32];
    format_sums(s, cells, "null");
    for (int c = 0; c < NUM_COLS; c++)
        fprintf(out, "%s\"%s\": %s", c == 0 ? "" : ", ", json_names[c], cells[c]);
}

static void put_json_time(FILE *out, const char *name, bool has, int64_t us)
{
    char t[40];
    fprintf(out, "  \"%s\": ", name);
    if (has) {
        rt_usage_format_time(us, t, sizeof t);
        put_json_str(out, t);
    } else {
        fputs("null", out);
    }
    fputs(",\n", out);
}

void rt_usage_print_json(const rt_usage *u, FILE *out)
{
    fputs("{\n  \"by\": [", out);
    for (size_t i = 0; i < u->nby; i++)
        fprintf(out, "%s\"%s\"", i ? ", " : "", rt_usage_key_name(u->by[i]));
    fputs("],\n", out);
    put_json_time(out, "since", u->has_since, u->since_us);
    put_json_time(out, "until", u->has_until, u->until_us);
    fputs(u->ngroups ? "  \"groups\": [\n" : "  \"groups\": [],\n", out);
    for (size_t g = 0; g < u->ngroups; g++) {
        const rt_usage_group *gr = u->groups[g];
        fputs("    {", out);
        for (size_t i = 0; i < u->nby; i++) {
            fprintf(out, "\"%s\": ", rt_usage_key_name(u->by[i]));
            if (gr->keys[i])
                put_json_str(out, gr->keys[i]);
            else
                fputs("null", out);
            fputs(", ", out);
        }
        put_json_sums(out, &gr->sums);
        fputs(g + 1 < u->ngroups ? "},\n" : "}\n", out);
    }
    if (u->ngroups)
        fputs("  ],\n", out);
    fputs("  \"total\": {", out);
    put_json_sums(out, &u->total);
    fprintf(out, "},\n  \"malformedLines\": %" PRIu64 "\n}\n", u->malformed);
}
