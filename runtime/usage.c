/* Aggregation for `apimlite usage`: one request log line (DESIGN.md §5) at a time into groups
 * keyed by the --by columns, held in an open-addressing hash table. */
#include "usage.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"

/* ORDER RT_USAGE_KEY */
static const struct {
    const char *name;   /* --by name */
    const char *column; /* log column it reads, also accepted by --by */
} key_info[RT_USAGE_NKEYS] = {
    { "subscription", "SubscriptionId" },
    { "model", "Model" },
    { "ip", "CallerIpAddress" },
    { "api", "ApiId" },
    { "product", "ProductId" },
    { "operation", "OperationId" },
    { "backend", "BackendId" },
    { "status", "ResponseCode" },
    { "day", NULL },
    { "hour", NULL },
};
/* ORDER RT_USAGE_KEY */

/* Counts above this are not token counts but garbage (and would lose precision as doubles). */
#define MAX_COUNT ((uint64_t)1 << 53)

/* One log line, read and checked. Strings point into the JSON document or into the bufs. */
typedef struct rec {
    const char *key[RT_USAGE_NKEYS]; /* NULL = absent */
    size_t klen[RT_USAGE_NKEYS];
    char status_buf[8];
    char day_buf[24];
    char hour_buf[24];
    int64_t time_us;
    bool has_prompt, has_completion, has_total, has_code, has_time, streamed;
    uint64_t prompt, completion, total, code;
    double time_ms;
} rec;

const char *rt_usage_key_name(rt_usage_key k)
{
    return k < RT_USAGE_NKEYS ? key_info[k].name : "?";
}

int rt_usage_parse_by(const char *spec, rt_usage_key *by, size_t *nby, char *err, size_t errlen)
{
    *nby = 0;
    const char *p = spec;
    for (;;) {
        const char *comma = strchr(p, ',');
        str item = str_trim(str_make(p, comma ? (size_t)(comma - p) : strlen(p)));
        if (item.len == 0) {
            snprintf(err, errlen, "--by: empty key in '%s'", spec);
            return -1;
        }
        size_t k = 0;
        while (k < RT_USAGE_NKEYS && !str_ieq(item, str_from(key_info[k].name)) &&
               !(key_info[k].column && str_ieq(item, str_from(key_info[k].column))))
            k++;
        if (k == RT_USAGE_NKEYS) {
            snprintf(err, errlen,
                     "--by: unknown key '%.*s' (expected subscription, model, ip, api, product, "
                     "operation, backend, status, day or hour)",
                     STR_FMT(item));
            return -1;
        }
        for (size_t i = 0; i < *nby; i++) {
            if (by[i] == (rt_usage_key)k) {
                snprintf(err, errlen, "--by: '%s' given twice", key_info[k].name);
                return -1;
            }
        }
        by[(*nby)++] = (rt_usage_key)k;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

void rt_usage_init(rt_usage *u, const rt_usage_key *by, size_t nby)
{
    memset(u, 0, sizeof *u);
    if (nby > RT_USAGE_NKEYS)
        nby = RT_USAGE_NKEYS;
    memcpy(u->by, by, nby * sizeof by[0]);
    u->nby = nby;
    arena_init(&u->mem, 0);
    buf_init(&u->scratch, 0);
}

void rt_usage_release(rt_usage *u)
{
    free(u->groups);
    free(u->slots);
    arena_release(&u->mem);
    buf_release(&u->scratch);
    memset(u, 0, sizeof *u);
}

/* ---- reading one line ---- */

/* A string column: absent when missing, null or "". */
static int get_string(const json_t *o, const char *name, rec *r, rt_usage_key k, char *why,
                      size_t whylen)
{
    const json_t *v = json_object_get(o, name);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        snprintf(why, whylen, "%s: expected a string", name);
        return -1;
    }
    if (json_string_length(v) > 0) {
        r->key[k] = json_string_value(v);
        r->klen[k] = json_string_length(v);
    }
    return 0;
}

/* A count column (tokens, ResponseCode): a non-negative integer, an integral number or a
 * string of digits (Log Analytics exports write numbers as strings). */
static int get_count(const json_t *o, const char *name, bool *has, uint64_t *out, char *why,
                     size_t whylen)
{
    const json_t *v = json_object_get(o, name);
    *has = false;
    if (!v || json_is_null(v))
        return 0;
    uint64_t n = 0;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        n = (uint64_t)json_integer_value(v);
    } else if (json_is_real(v) && json_real_value(v) >= 0 &&
               json_real_value(v) <= (double)MAX_COUNT &&
               floor(json_real_value(v)) == json_real_value(v)) {
        n = (uint64_t)json_real_value(v);
    } else if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= 15 &&
               strspn(json_string_value(v), "0123456789") == json_string_length(v)) {
        n = strtoull(json_string_value(v), NULL, 10);
    } else {
        snprintf(why, whylen, "%s: expected a non-negative integer", name);
        return -1;
    }
    if (n > MAX_COUNT) {
        snprintf(why, whylen, "%s: value out of range", name);
        return -1;
    }
    *has = true;
    *out = n;
    return 0;
}

/* TotalTime in milliseconds: a non-negative number or numeric string. */
static int get_time_ms(const json_t *o, rec *r, char *why, size_t whylen)
{
    const json_t *v = json_object_get(o, "TotalTime");
    if (!v || json_is_null(v))
        return 0;
    double d = -1;
    if (json_is_number(v)) {
        d = json_number_value(v);
    } else if (json_is_string(v) && json_string_length(v) > 0) {
        char *end = NULL;
        d = strtod(json_string_value(v), &end);
        if (*end)
            d = -1;
    }
    if (!(d >= 0) || !isfinite(d) || d > 1e15) {
        snprintf(why, whylen, "TotalTime: expected a non-negative number of milliseconds");
        return -1;
    }
    r->has_time = true;
    r->time_ms = d;
    return 0;
}

static int get_streamed(const json_t *o, rec *r, char *why, size_t whylen)
{
    const json_t *v = json_object_get(o, "Streamed");
    if (!v || json_is_null(v))
        return 0;
    if (json_is_boolean(v)) {
        r->streamed = json_is_true(v);
    } else if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
        r->streamed = json_integer_value(v) == 1;
    } else if (json_is_string(v) && (!strcasecmp(json_string_value(v), "true") ||
                                     !strcasecmp(json_string_value(v), "false"))) {
        r->streamed = !strcasecmp(json_string_value(v), "true");
    } else {
        snprintf(why, whylen, "Streamed: expected a boolean");
        return -1;
    }
    return 0;
}

static int get_time_generated(const json_t *o, rec *r, char *why, size_t whylen)
{
    const json_t *v = json_object_get(o, "TimeGenerated");
    if (!v || json_is_null(v)) {
        snprintf(why, whylen, "missing TimeGenerated");
        return -1;
    }
    if (!json_is_string(v) ||
        rt_usage_parse_time(json_string_value(v), json_string_length(v), &r->time_us) < 0) {
        snprintf(why, whylen, "TimeGenerated: expected an ISO-8601 timestamp");
        return -1;
    }
    return 0;
}

/* Reads and checks every column the report knows, whatever --by says, so that a line counts
 * (or is skipped) the same way in every report. */
static int read_rec(const json_t *o, rec *r, char *why, size_t whylen)
{
    memset(r, 0, sizeof *r);
    if (get_time_generated(o, r, why, whylen) < 0)
        return -1;
    for (int k = RT_USAGE_SUBSCRIPTION; k <= RT_USAGE_BACKEND; k++) {
        if (get_string(o, key_info[k].column, r, (rt_usage_key)k, why, whylen) < 0)
            return -1;
    }
    if (get_count(o, "ResponseCode", &r->has_code, &r->code, why, whylen) < 0 ||
        get_count(o, "PromptTokens", &r->has_prompt, &r->prompt, why, whylen) < 0 ||
        get_count(o, "CompletionTokens", &r->has_completion, &r->completion, why, whylen) < 0 ||
        get_count(o, "TotalTokens", &r->has_total, &r->total, why, whylen) < 0 ||
        get_time_ms(o, r, why, whylen) < 0 || get_streamed(o, r, why, whylen) < 0)
        return -1;
    if (r->has_code && r->code > 999) {
        snprintf(why, whylen, "ResponseCode: not an HTTP status");
        return -1;
    }
    if (!r->has_total)
        r->total = r->prompt + r->completion;
    if (r->has_code) {
        snprintf(r->status_buf, sizeof r->status_buf, "%u", (unsigned)r->code);
        r->key[RT_USAGE_STATUS] = r->status_buf;
        r->klen[RT_USAGE_STATUS] = strlen(r->status_buf);
    }
    rt_usage_format_day(r->time_us, r->day_buf, sizeof r->day_buf);
    r->key[RT_USAGE_DAY] = r->day_buf;
    r->klen[RT_USAGE_DAY] = strlen(r->day_buf);
    rt_usage_format_hour(r->time_us, r->hour_buf, sizeof r->hour_buf);
    r->key[RT_USAGE_HOUR] = r->hour_buf;
    r->klen[RT_USAGE_HOUR] = strlen(r->hour_buf);
    return 0;
}

/* ---- groups ---- */

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* Encodes the line's --by values as absent (0) or present (1, 4-byte length, bytes), so that
 * two groups are equal exactly when their blobs are. */
static void encode_key(rt_usage *u, const rec *r)
{
    u->scratch.len = 0;
    for (size_t i = 0; i < u->nby; i++) {
        rt_usage_key k = u->by[i];
        if (!r->key[k]) {
            buf_putc(&u->scratch, 0);
            continue;
        }
        uint32_t n = (uint32_t)r->klen[k];
        unsigned char hdr[5] = { 1, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                                 (unsigned char)(n >> 8), (unsigned char)n };
        buf_append(&u->scratch, hdr, sizeof hdr);
        buf_append(&u->scratch, r->key[k], r->klen[k]);
    }
}

/* Rebuilds the table with n slots (a power of two) from the group array. */
static void rehash(rt_usage *u, size_t n)
{
    free(u->slots);
    u->slots = xcalloc(n, sizeof u->slots[0]);
    u->nslots = n;
    for (size_t g = 0; g < u->ngroups; g++) {
        size_t i = (size_t)u->groups[g]->hash & (n - 1);
        while (u->slots[i])
            i = (i + 1) & (n - 1);
        u->slots[i] = g + 1;
    }
}

static rt_usage_group *new_group(rt_usage *u, const rec *r, uint64_t h)
{
    if ((u->ngroups + 1) * 2 > u->nslots)
        rehash(u, u->nslots ? u->nslots * 2 : 64);
    if (u->ngroups == u->groups_alloc) {
        u->groups_alloc = u->groups_alloc ? u->groups_alloc * 2 : 64;
        u->groups = xrealloc(u->groups, u->groups_alloc * sizeof u->groups[0]);
    }
    rt_usage_group *g = arena_alloc(&u->mem, sizeof *g);
    g->keys = arena_calloc(&u->mem, u->nby, sizeof g->keys[0]);
    g->nkeys = u->nby;
    for (size_t i = 0; i < u->nby; i++) {
        rt_usage_key k = u->by[i];
        g->keys[i] = r->key[k] ? arena_strndup(&u->mem, r->key[k], r->klen[k]) : NULL;
    }
    g->blob = (const unsigned char *)arena_strndup(&u->mem, u->scratch.ptr, u->scratch.len);
    g->blob_len = u->scratch.len;
    g->hash = h;
    size_t i = (size_t)h & (u->nslots - 1);
    while (u->slots[i])
        i = (i + 1) & (u->nslots - 1);
    u->slots[i] = u->ngroups + 1;
    u->groups[u->ngroups++] = g;
    return g;
}

static rt_usage_group *find_group(rt_usage *u, const rec *r)
{
    encode_key(u, r);
    const unsigned char *blob = (const unsigned char *)u->scratch.ptr;
    uint64_t h = fnv1a(blob, u->scratch.len);
    if (u->nslots) {
        size_t i = (size_t)h & (u->nslots - 1);
        while (u->slots[i]) {
            rt_usage_group *g = u->groups[u->slots[i] - 1];
            if (g->hash == h && g->blob_len == u->scratch.len &&
                !memcmp(g->blob, blob, g->blob_len))
                return g;
            i = (i + 1) & (u->nslots - 1);
        }
    }
    return new_group(u, r, h);
}

static void sat_add(uint64_t *a, uint64_t v)
{
    *a = *a > UINT64_MAX - v ? UINT64_MAX : *a + v;
}

static void add_sums(rt_usage_sums *s, const rec *r)
{
    sat_add(&s->requests, 1);
    sat_add(&s->prompt_tokens, r->prompt);
    sat_add(&s->completion_tokens, r->completion);
    sat_add(&s->total_tokens, r->total);
    sat_add(&s->streamed, r->streamed);
    sat_add(&s->errors, r->has_code && r->code >= 400);
    if (r->has_time) {
        sat_add(&s->timed, 1);
        s->total_time_ms += r->time_ms;
    }
}

static bool is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!strchr(" \t\r\n\f\v", p[i]) || p[i] == '\0')
            return false;
    }
    return true;
}

rt_usage_line rt_usage_add_line(rt_usage *u, const char *line, size_t len, char *why, size_t whylen,
                                int *col)
{
    *col = 0;
    if (whylen)
        why[0] = '\0';
    if (len && line[len - 1] == '\r')
        len--;
    if (is_blank(line, len))
        return RT_USAGE_LINE_BLANK;
    json_error_t jerr;
    json_t *j = json_loadb(line, len, 0, &jerr);
    if (!j) {
        snprintf(why, whylen, "invalid JSON: %s", jerr.text);
        *col = jerr.column > 0 ? jerr.column : 0;
        u->malformed++;
        return RT_USAGE_LINE_MALFORMED;
    }
    rt_usage_line res = RT_USAGE_LINE_COUNTED;
    rec r;
    if (!json_is_object(j)) {
        snprintf(why, whylen, "not a JSON object");
        res = RT_USAGE_LINE_MALFORMED;
    } else if (read_rec(j, &r, why, whylen) < 0) {
        res = RT_USAGE_LINE_MALFORMED;
    } else if ((u->has_since && r.time_us < u->since_us) ||
               (u->has_until && r.time_us >= u->until_us)) {
        res = RT_USAGE_LINE_OUTSIDE;
    } else {
        add_sums(&find_group(u, &r)->sums, &r);
        add_sums(&u->total, &r);
    }
    if (res == RT_USAGE_LINE_MALFORMED)
        u->malformed++;
    else if (res == RT_USAGE_LINE_OUTSIDE)
        u->outside++;
    json_decref(j);
    return res;
}

/* ---- order ---- */

static int cmp_groups(const void *pa, const void *pb)
{
    const rt_usage_group *a = *(const rt_usage_group *const *)pa;
    const rt_usage_group *b = *(const rt_usage_group *const *)pb;
    if (a->sums.total_tokens != b->sums.total_tokens)
        return a->sums.total_tokens > b->sums.total_tokens ? -1 : 1;
    for (size_t i = 0; i < a->nkeys && i < b->nkeys; i++) {
        if (!a->keys[i] || !b->keys[i]) {
            if (a->keys[i] != b->keys[i])
                return a->keys[i] ? -1 : 1;
            continue;
        }
        int c = strcmp(a->keys[i], b->keys[i]);
        if (c)
            return c;
    }
    return 0;
}

void rt_usage_sort(rt_usage *u)
{
    if (u->ngroups > 1)
        qsort(u->groups, u->ngroups, sizeof u->groups[0], cmp_groups);
    /* the slots hold group indexes, which sorting has changed */
    if (u->nslots)
        rehash(u, u->nslots);
}
