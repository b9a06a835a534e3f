/* The store-independent part of the counters: argument checks, dispatch, windows and calendar
 * periods, the sliding-window buckets shared with the breakers. */
#include "runtime/counters.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/civil.h"
#include "runtime/base/xalloc.h"
#include "runtime/counters_impl.h"

/* ---- calendar ---- */

int64_t rt_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

#define MS_HOUR ((int64_t)3600000)
#define MS_DAY  ((int64_t)86400000)

void rt_token_period_window(rt_token_period period, int64_t now_ms, int64_t *start_ms,
                            int64_t *end_ms)
{
    int64_t day = rt_floor_div(now_ms, MS_DAY);
    int64_t y;
    int m, d;
    switch (period) {
    case RT_TOKEN_PERIOD_HOURLY:
        *start_ms = rt_floor_div(now_ms, MS_HOUR) * MS_HOUR;
        *end_ms = *start_ms + MS_HOUR;
        return;
    case RT_TOKEN_PERIOD_DAILY:
        *start_ms = day * MS_DAY;
        *end_ms = *start_ms + MS_DAY;
        return;
    case RT_TOKEN_PERIOD_WEEKLY: {
        /* 1970-01-01 was a Thursday: Monday-based weekday is (day + 3) mod 7. */
        int64_t wd = day + 3 - rt_floor_div(day + 3, 7) * 7;
        *start_ms = (day - wd) * MS_DAY;
        *end_ms = *start_ms + 7 * MS_DAY;
        return;
    }
    case RT_TOKEN_PERIOD_MONTHLY:
        civil_from_days(day, &y, &m, &d);
        *start_ms = civil_days_from(y, m, 1) * MS_DAY;
        *end_ms = (m == 12 ? civil_days_from(y + 1, 1, 1) : civil_days_from(y, m + 1, 1)) * MS_DAY;
        return;
    case RT_TOKEN_PERIOD_YEARLY:
        civil_from_days(day, &y, &m, &d);
        *start_ms = civil_days_from(y, 1, 1) * MS_DAY;
        *end_ms = civil_days_from(y + 1, 1, 1) * MS_DAY;
        return;
    case RT_TOKEN_PERIOD_NONE:
        break;
    }
    *start_ms = INT64_MIN;
    *end_ms = INT64_MAX;
}

/* ORDER RT_TOKEN_PERIOD */
static const char *const rt_token_period_names[] = { "",       "Hourly",  "Daily",
                                                     "Weekly", "Monthly", "Yearly" };
/* ORDER RT_TOKEN_PERIOD */

int rt_token_period_parse(str name)
{
    for (int i = RT_TOKEN_PERIOD_HOURLY; i <= RT_TOKEN_PERIOD_YEARLY; i++)
        if (str_ieq(name, str_from(rt_token_period_names[i])))
            return i;
    return -1;
}

const char *rt_token_period_name(rt_token_period period)
{
    if ((int)period < 0 || period > RT_TOKEN_PERIOD_YEARLY)
        return "";
    return rt_token_period_names[period];
}

void rt_quota_window(int64_t start_ms, int64_t period_ms, int64_t now_ms, int64_t *win_start,
                     int64_t *win_end)
{
    if (period_ms <= 0) {
        *win_start = INT64_MIN;
        *win_end = INT64_MAX;
        return;
    }
    /* now - start cannot overflow for realistic inputs, but the default start (year 1) and a
     * far-future now are both in range of int64 ms (±292 million years). */
    int64_t k = rt_floor_div(now_ms - start_ms, period_ms);
    *win_start = start_ms + k * period_ms;
    *win_end = *win_start + period_ms;
}

int64_t rt_counter_secs_until(int64_t then_ms, int64_t now_ms)
{
    if (then_ms <= now_ms)
        return 1;
    int64_t d = then_ms - now_ms;
    int64_t s = d / 1000 + (d % 1000 != 0);
    return s < 1 ? 1 : s;
}

char *rt_counter_hms(int64_t secs, char *buf, size_t len)
{
    if (secs < 0)
        secs = 0;
    snprintf(buf, len, "%02lld:%02lld:%02lld", (long long)(secs / 3600),
             (long long)(secs / 60 % 60), (long long)(secs % 60));
    return buf;
}

/* ---- sliding window buckets ---- */

void rt_swin_init(rt_swin *w, int64_t period_ms)
{
    w->width_ms = 1000;
    if (period_ms > 1024 * (int64_t)1000) {
        int64_t wd = period_ms / 1024 + (period_ms % 1024 != 0);
        w->width_ms = (wd + 999) / 1000 * 1000;
    }
    w->v = NULL;
    w->n = 0;
    w->cap = 0;
}

void rt_swin_release(rt_swin *w)
{
    free(w->v);
    w->v = NULL;
    w->n = w->cap = 0;
}

void rt_swin_clear(rt_swin *w)
{
    w->n = 0;
}

/* A bucket counts while now < start + period. */
static bool bucket_live(const rt_swin_bucket *bk, int64_t period_ms, int64_t now_ms)
{
    return now_ms < bk->start_ms + period_ms;
}

void rt_swin_prune(rt_swin *w, int64_t period_ms, int64_t now_ms)
{
    uint32_t i = 0;
    while (i < w->n && !bucket_live(&w->v[i], period_ms, now_ms))
        i++;
    if (i > 0) {
        memmove(w->v, w->v + i, (w->n - i) * sizeof *w->v);
        w->n -= i;
    }
    if (w->cap > 16 && w->n < w->cap / 4) {
        w->cap /= 2;
        w->v = xrealloc(w->v, w->cap * sizeof *w->v);
    }
}

void rt_swin_add(rt_swin *w, int64_t a, int64_t b, int64_t now_ms)
{
    int64_t start = rt_floor_div(now_ms, w->width_ms) * w->width_ms;
    uint32_t i = w->n;
    while (i > 0 && w->v[i - 1].start_ms > start)
        i--; /* the clock went backwards: keep the order */
    if (i > 0 && w->v[i - 1].start_ms == start) {
        w->v[i - 1].a = rt_sat_add(w->v[i - 1].a, a);
        w->v[i - 1].b = rt_sat_add(w->v[i - 1].b, b);
        return;
    }
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4;
        w->v = xrealloc(w->v, w->cap * sizeof *w->v);
    }
    memmove(w->v + i + 1, w->v + i, (w->n - i) * sizeof *w->v);
    w->v[i] = (rt_swin_bucket){ start, a, b };
    w->n++;
}

int64_t rt_swin_sum(const rt_swin *w, int64_t period_ms, int64_t now_ms, int64_t *b)
{
    int64_t sa = 0, sb = 0;
    for (uint32_t i = 0; i < w->n; i++) {
        if (!bucket_live(&w->v[i], period_ms, now_ms))
            continue;
        sa = rt_sat_add(sa, w->v[i].a);
        sb = rt_sat_add(sb, w->v[i].b);
    }
    if (b)
        *b = sb;
    return sa;
}

int64_t rt_swin_wait_ms(const rt_swin *w, int64_t period_ms, int64_t now_ms, int64_t excess)
{
    if (excess <= 0)
        return 0;
    int64_t gone = 0;
    for (uint32_t i = 0; i < w->n; i++) {
        if (!bucket_live(&w->v[i], period_ms, now_ms))
            continue;
        gone = rt_sat_add(gone, w->v[i].a);
        if (gone >= excess)
            return w->v[i].start_ms + period_ms - now_ms;
    }
    return -1;
}

bool rt_swin_is_empty(const rt_swin *w, int64_t period_ms, int64_t now_ms)
{
    return w->n == 0 || !bucket_live(&w->v[w->n - 1], period_ms, now_ms);
}

/* ---- dispatch ---- */

static const char *check_op(const rt_counter_op *op)
{
    if (op->key.len > 0 && !op->key.ptr)
        return "counter key is NULL";
    switch (op->kind) {
    case RT_COUNTER_RATE:
    case RT_COUNTER_RATE_ADD:
        if (op->kind == RT_COUNTER_RATE && op->rate.limit <= 0)
            return "rate limit: calls must be a positive number";
        if (op->rate.period_ms <= 0)
            return "rate limit: renewal-period must be a positive number";
        if (op->rate.take < 0)
            return "rate limit: increment-count must not be negative";
        return NULL;
    case RT_COUNTER_QUOTA:
    case RT_COUNTER_QUOTA_ADD:
        if (op->quota.calls < 0 || op->quota.kb < 0)
            return "quota: calls and bandwidth must not be negative";
        if (op->quota.kb > INT64_MAX / 1024)
            return "quota: bandwidth is too large";
        if (op->kind == RT_COUNTER_QUOTA && op->quota.calls == 0 && op->quota.kb == 0)
            return "quota: calls or bandwidth must be set";
        if (op->quota.period_ms < 0)
            return "quota: renewal-period must not be negative";
        if (op->quota.calls_take < 0 || op->quota.bytes_take < 0)
            return "quota: increment must not be negative";
        return NULL;
    case RT_COUNTER_TOKEN:
    case RT_COUNTER_TOKEN_ADD:
        if (op->token.tpm < 0 || op->token.quota < 0)
            return "token limit: limits must not be negative";
        if ((int)op->token.period < RT_TOKEN_PERIOD_NONE ||
            op->token.period > RT_TOKEN_PERIOD_YEARLY)
            return "token limit: unknown token-quota-period";
        if (op->token.period != RT_TOKEN_PERIOD_NONE && op->token.quota <= 0)
            return "token limit: token-quota must be a positive number";
        if (op->token.tpm == 0 && op->token.period == RT_TOKEN_PERIOD_NONE)
            return "token limit: tokens-per-minute or token-quota must be set";
        if (op->token.need < 0 || op->token.quota_need < 0 || op->token.take < 0)
            return "token limit: token counts must not be negative";
        return NULL;
    case RT_COUNTER_ACQUIRE:
        if (op->conc.max <= 0)
            return "limit-concurrency: max-count must be a positive number";
        return NULL;
    case RT_COUNTER_RELEASE:
        return NULL;
    }
    return "unknown counter operation";
}

rt_counter_status rt_counter_exec(rt_counter_store *s, const rt_counter_op *op,
                                  rt_counter_result *out, rt_counter_cb cb, void *ud)
{
    const char *err = check_op(op);
    if (err) {
        memset(out, 0, sizeof *out);
        out->kind = op->kind;
        out->error = err;
        return RT_COUNTER_ERROR;
    }
    return s->vt->exec(s, op, out, cb, ud);
}

int rt_counter_save(rt_counter_store *s, const char *path, int64_t now_ms, char *err, size_t errlen)
{
    if (!s->vt->save)
        return 0;
    return s->vt->save(s, path, now_ms, err, errlen);
}

int rt_counter_load(rt_counter_store *s, const char *path, int64_t now_ms, char *err, size_t errlen)
{
    if (!s->vt->load)
        return 0;
    return s->vt->load(s, path, now_ms, err, errlen);
}

void rt_counter_store_free(rt_counter_store *s)
{
    if (s)
        s->vt->free(s);
}
