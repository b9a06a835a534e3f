/* Circuit breakers, pool selection (smooth weighted round-robin by priority group) and the
 * registry that ties them to backend ids. Semantics are documented in backends.h. */
#include "runtime/backends.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/civil.h"
#include "runtime/base/xalloc.h"
#include "runtime/counters_impl.h"

/* ---- breakers ---- */

typedef struct brule {
    char *name;
    int64_t count;
    int percentage;
    int64_t interval_ms;
    rt_status_range *ranges;
    size_t nranges;
    char **reasons;
    size_t nreasons;
    int64_t trip_ms;
    bool accept_retry_after;
    rt_swin win; /* a = failures, b = results */
} brule;

struct rt_breaker {
    brule *rules;
    size_t n;
    int64_t open_until_ms; /* INT64_MIN: never tripped */
    uint64_t trips;
    const char *last_rule;
};

static const char *check_rule(const rt_breaker_rule *r)
{
    if (r->interval_ms <= 0)
        return "circuit breaker rule: failureCondition.interval must be positive";
    if (r->trip_ms < 0)
        return "circuit breaker rule: tripDuration must not be negative";
    if (r->count < 0)
        return "circuit breaker rule: failureCondition.count must not be negative";
    if (r->percentage < 0 || r->percentage > 100)
        return "circuit breaker rule: failureCondition.percentage must be within 0..100";
    if (r->count == 0 && r->percentage == 0)
        return "circuit breaker rule: failureCondition needs count or percentage";
    if (r->nranges && !r->ranges)
        return "circuit breaker rule: statusCodeRanges is NULL";
    if (r->nreasons && !r->reasons)
        return "circuit breaker rule: errorReasons is NULL";
    for (size_t i = 0; i < r->nreasons; i++)
        if (!r->reasons[i])
            return "circuit breaker rule: errorReasons entry is NULL";
    return NULL;
}

rt_breaker *rt_breaker_new(const rt_breaker_rule *rules, size_t n, const char **err)
{
    for (size_t i = 0; i < n; i++) {
        const char *e = check_rule(&rules[i]);
        if (e) {
            if (err)
                *err = e;
            return NULL;
        }
    }
    rt_breaker *b = xcalloc(1, sizeof *b);
    b->rules = xcalloc(n ? n : 1, sizeof *b->rules);
    b->n = n;
    b->open_until_ms = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        const rt_breaker_rule *r = &rules[i];
        brule *d = &b->rules[i];
        d->name = r->name ? xstrdup(r->name) : NULL;
        d->count = r->count;
        d->percentage = r->percentage;
        d->interval_ms = r->interval_ms;
        d->nranges = r->nranges;
        d->ranges = xcalloc(r->nranges ? r->nranges : 1, sizeof *d->ranges);
        if (r->nranges)
            memcpy(d->ranges, r->ranges, r->nranges * sizeof *d->ranges);
        d->nreasons = r->nreasons;
        d->reasons = xcalloc(r->nreasons ? r->nreasons : 1, sizeof *d->reasons);
        for (size_t j = 0; j < r->nreasons; j++)
            d->reasons[j] = xstrdup(r->reasons[j]);
        d->trip_ms = r->trip_ms;
        d->accept_retry_after = r->accept_retry_after;
        rt_swin_init(&d->win, r->interval_ms);
    }
    return b;
}

void rt_breaker_free(rt_breaker *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++) {
        brule *d = &b->rules[i];
        free(d->name);
        free(d->ranges);
        for (size_t j = 0; j < d->nreasons; j++)
            free(d->reasons[j]);
        free(d->reasons);
        rt_swin_release(&d->win);
    }
    free(b->rules);
    free(b);
}

static bool is_failure(const brule *d, int status, str reason)
{
    if (status != 0) {
        for (size_t i = 0; i < d->nranges; i++)
            if (status >= d->ranges[i].min && status <= d->ranges[i].max)
                return true;
        return false;
    }
    for (size_t i = 0; i < d->nreasons; i++)
        if (str_ieq(reason, str_from(d->reasons[i])))
            return true;
    return false;
}

static bool should_trip(const brule *d, int64_t now_ms)
{
    int64_t results;
    int64_t failures = rt_swin_sum(&d->win, d->interval_ms, now_ms, &results);
    if (d->percentage == 0)
        return failures >= d->count;
    int64_t min = d->count > 1 ? d->count : 1;
    return failures >= min && failures * 100 >= (int64_t)d->percentage * results;
}

rt_breaker_change rt_breaker_record(rt_breaker *b, int status, str reason, int64_t retry_after_ms,
                                    int64_t now_ms)
{
    if (rt_breaker_is_open(b, now_ms))
        return RT_BREAKER_UNCHANGED; /* in-flight results of a tripped backend */
    for (size_t i = 0; i < b->n; i++) {
        brule *d = &b->rules[i];
        bool fail = is_failure(d, status, reason);
        rt_swin_prune(&d->win, d->interval_ms, now_ms);
        rt_swin_add(&d->win, fail ? 1 : 0, 1, now_ms);
        if (!fail || !should_trip(d, now_ms))
            continue;
        int64_t dur = d->trip_ms;
        if (d->accept_retry_after && retry_after_ms >= 0)
            dur = retry_after_ms;
        b->open_until_ms = dur > INT64_MAX - now_ms ? INT64_MAX : now_ms + dur;
        b->trips++;
        b->last_rule = d->name;
        rt_swin_clear(&d->win);
        return RT_BREAKER_TRIPPED;
    }
    return RT_BREAKER_UNCHANGED;
}

bool rt_breaker_is_open(const rt_breaker *b, int64_t now_ms)
{
    return now_ms < b->open_until_ms;
}

rt_breaker_state rt_breaker_get_state(const rt_breaker *b, int64_t now_ms)
{
    rt_breaker_state st = { 0 };
    st.open = rt_breaker_is_open(b, now_ms);
    st.open_until_ms = st.open ? b->open_until_ms : 0;
    st.trips = b->trips;
    st.rule = b->last_rule;
    return st;
}

/* ---- Retry-After ---- */

static int month_index(const char *m)
{
    static const char *const names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    for (int i = 0; i < 12; i++)
        if (strcmp(m, names[i]) == 0)
            return i + 1;
    return 0;
}

/* IMF-fixdate, RFC 850 or asctime → ms since the epoch; -1 when none matches. */
static int64_t parse_http_date(const char *s)
{
    char wd[16], mon[4];
    int d, y, hh, mm, ss, n = -1;
    size_t len = strlen(s);
    if (sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", wd, &d, mon, &y, &hh, &mm,
               &ss, &n) == 7 &&
        (size_t)n == len) {
    } else if (n = -1, sscanf(s, "%15[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n", wd, &d, mon,
                              &y, &hh, &mm, &ss, &n) == 7 &&
                           (size_t)n == len) {
        y += y < 70 ? 2000 : 1900;
    } else if (n = -1, sscanf(s, "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", wd, mon, &d, &hh,
                              &mm, &ss, &y, &n) == 7 &&
                           (size_t)n == len) {
    } else {
        return -1;
    }
    int m = month_index(mon);
    if (!m || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 || y < 1970 || hh < 0 || mm < 0 ||
        ss < 0)
        return -1;
    int64_t days = civil_days_from(y, m, d);
    return ((days * 24 + hh) * 60 + mm) * 60000 + (int64_t)ss * 1000;
}

int64_t rt_retry_after_ms(str value, int64_t now_ms)
{
    str v = str_trim(value);
    if (v.len == 0 || v.len > 63)
        return -1;
    bool digits = true;
    for (size_t i = 0; i < v.len; i++)
        if (!isdigit((unsigned char)v.ptr[i]))
            digits = false;
    if (digits) {
        if (v.len > 12)
            return -1; /* more than 31,000 years */
        int64_t secs = 0;
        for (size_t i = 0; i < v.len; i++)
            secs = secs * 10 + (v.ptr[i] - '0');
        return secs * 1000;
    }
    char buf[64];
    memcpy(buf, v.ptr, v.len);
    buf[v.len] = 0;
    int64_t t = parse_http_date(buf);
    if (t < 0)
        return -1;
    return t > now_ms ? t - now_ms : 0;
}

/* ---- pools ---- */

struct rt_pool {
    rt_pool_member *m;
    int64_t *cw; /* smooth-WRR current weights */
    size_t n;
};

rt_pool *rt_pool_new(const rt_pool_member *members, size_t n)
{
    if (n == 0 || n > RT_POOL_MAX_MEMBERS || !members)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!members[i].id || !members[i].id[0] || members[i].weight < 0)
            return NULL;
    rt_pool *p = xcalloc(1, sizeof *p);
    p->m = xcalloc(n, sizeof *p->m);
    p->cw = xcalloc(n, sizeof *p->cw);
    p->n = n;
    for (size_t i = 0; i < n; i++) {
        p->m[i] = members[i];
        p->m[i].id = xstrdup(members[i].id);
    }
    return p;
}

void rt_pool_free(rt_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free((char *)p->m[i].id);
    free(p->m);
    free(p->cw);
    free(p);
}

int rt_pool_pick(rt_pool *p, const bool *available)
{
    bool found = false, positive = false;
    int prio = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (!available[i])
            continue;
        if (!found || p->m[i].priority < prio) {
            prio = p->m[i].priority;
            positive = false;
        }
        found = true;
        if (p->m[i].priority == prio && p->m[i].weight > 0)
            positive = true;
    }
    if (!found)
        return -1;
    int best = -1;
    int64_t total = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (!available[i] || p->m[i].priority != prio || (positive && p->m[i].weight == 0))
            continue;
        int64_t w = positive ? p->m[i].weight : 1;
        p->cw[i] += w;
        total += w;
        if (best < 0 || p->cw[i] > p->cw[best])
            best = (int)i;
    }
    p->cw[best] -= total;
    return best;
}

size_t rt_pool_size(const rt_pool *p)
{
    return p->n;
}

const rt_pool_member *rt_pool_member_at(const rt_pool *p, size_t i)
{
    return i < p->n ? &p->m[i] : NULL;
}

char *rt_pool_unavailable_message(str pool_id, char *buf, size_t len)
{
    snprintf(buf, len, "Backend pool %.*s is temporarily unavailable", STR_FMT(pool_id));
    return buf;
}

/* ---- registry ---- */

typedef struct named_breaker {
    char *id;
    rt_breaker *b;
} named_breaker;

typedef struct named_pool {
    char *id;
    rt_pool *p;
} named_pool;

struct rt_backends {
    pthread_mutex_t mu;
    named_breaker *br;
    size_t nbr;
    named_pool *pools;
    size_t npools;
};

rt_backends *rt_backends_new(void)
{
    rt_backends *bk = xcalloc(1, sizeof *bk);
    pthread_mutex_init(&bk->mu, NULL);
    return bk;
}

void rt_backends_free(rt_backends *bk)
{
    if (!bk)
        return;
    for (size_t i = 0; i < bk->nbr; i++) {
        free(bk->br[i].id);
        rt_breaker_free(bk->br[i].b);
    }
    for (size_t i = 0; i < bk->npools; i++) {
        free(bk->pools[i].id);
        rt_pool_free(bk->pools[i].p);
    }
    free(bk->br);
    free(bk->pools);
    pthread_mutex_destroy(&bk->mu);
    free(bk);
}

/* Linear scans: a gateway has tens of backends, and ids are short. */
static rt_breaker *find_breaker(rt_backends *bk, str id)
{
    for (size_t i = 0; i < bk->nbr; i++)
        if (str_eq_cstr(id, bk->br[i].id))
            return bk->br[i].b;
    return NULL;
}

static rt_pool *find_pool(rt_backends *bk, str id)
{
    for (size_t i = 0; i < bk->npools; i++)
        if (str_eq_cstr(id, bk->pools[i].id))
            return bk->pools[i].p;
    return NULL;
}

int rt_backends_add_breaker(rt_backends *bk, str id, const rt_breaker_rule *rules, size_t n,
                            const char **err)
{
    pthread_mutex_lock(&bk->mu);
    int rc = -1;
    if (find_breaker(bk, id)) {
        if (err)
            *err = "backend already has a circuit breaker";
        goto out;
    }
    rt_breaker *b = rt_breaker_new(rules, n, err);
    if (!b)
        goto out;
    bk->br = xrealloc(bk->br, (bk->nbr + 1) * sizeof *bk->br);
    bk->br[bk->nbr++] = (named_breaker){ xstrndup(id.ptr ? id.ptr : "", id.len), b };
    rc = 0;
out:
    pthread_mutex_unlock(&bk->mu);
    return rc;
}

int rt_backends_add_pool(rt_backends *bk, str id, const rt_pool_member *members, size_t n,
                         const char **err)
{
    pthread_mutex_lock(&bk->mu);
    int rc = -1;
    if (find_pool(bk, id)) {
        if (err)
            *err = "duplicate backend pool";
        goto out;
    }
    rt_pool *p = rt_pool_new(members, n);
    if (!p) {
        if (err)
            *err = "backend pool needs 1 to 30 members with ids and non-negative weights";
        goto out;
    }
    bk->pools = xrealloc(bk->pools, (bk->npools + 1) * sizeof *bk->pools);
    bk->pools[bk->npools++] = (named_pool){ xstrndup(id.ptr ? id.ptr : "", id.len), p };
    rc = 0;
out:
    pthread_mutex_unlock(&bk->mu);
    return rc;
}

bool rt_backends_is_pool(rt_backends *bk, str id)
{
    pthread_mutex_lock(&bk->mu);
    bool r = find_pool(bk, id) != NULL;
    pthread_mutex_unlock(&bk->mu);
    return r;
}

bool rt_backends_is_open(rt_backends *bk, str id, int64_t now_ms)
{
    pthread_mutex_lock(&bk->mu);
    rt_breaker *b = find_breaker(bk, id);
    bool r = b && rt_breaker_is_open(b, now_ms);
    pthread_mutex_unlock(&bk->mu);
    return r;
}

rt_breaker_change rt_backends_record(rt_backends *bk, str id, int status, str reason,
                                     int64_t retry_after_ms, int64_t now_ms)
{
    pthread_mutex_lock(&bk->mu);
    rt_breaker *b = find_breaker(bk, id);
    rt_breaker_change c = RT_BREAKER_UNCHANGED;
    if (b)
        c = rt_breaker_record(b, status, reason, retry_after_ms, now_ms);
    pthread_mutex_unlock(&bk->mu);
    return c;
}

rt_pool_pick_status rt_backends_pick(rt_backends *bk, str id, int64_t now_ms, rt_pool_choice *out)
{
    *out = (rt_pool_choice){ .index = -1, .member_id = NULL, .priority = 0 };
    pthread_mutex_lock(&bk->mu);
    rt_pool_pick_status st = RT_POOL_NOT_FOUND;
    rt_pool *p = find_pool(bk, id);
    if (p) {
        bool avail[RT_POOL_MAX_MEMBERS];
        for (size_t i = 0; i < p->n; i++) {
            rt_breaker *b = find_breaker(bk, str_from(p->m[i].id));
            avail[i] = !(b && rt_breaker_is_open(b, now_ms));
        }
        int k = rt_pool_pick(p, avail);
        st = k < 0 ? RT_POOL_UNAVAILABLE : RT_POOL_PICKED;
        if (k >= 0)
            *out = (rt_pool_choice){ k, p->m[k].id, p->m[k].priority };
    }
    pthread_mutex_unlock(&bk->mu);
    return st;
}

rt_breaker_state rt_backends_state(rt_backends *bk, str id, int64_t now_ms)
{
    pthread_mutex_lock(&bk->mu);
    rt_breaker *b = find_breaker(bk, id);
    rt_breaker_state st = { 0 };
    if (b)
        st = rt_breaker_get_state(b, now_ms);
    pthread_mutex_unlock(&bk->mu);
    return st;
}

void rt_backends_each(rt_backends *bk, int64_t now_ms,
                      void (*fn)(void *ud, const char *id, const rt_breaker_state *st), void *ud)
{
    pthread_mutex_lock(&bk->mu);
    for (size_t i = 0; i < bk->nbr; i++) {
        rt_breaker_state st = rt_breaker_get_state(bk->br[i].b, now_ms);
        fn(ud, bk->br[i].id, &st);
    }
    pthread_mutex_unlock(&bk->mu);
}

/* ---- carrying state over a reload ---- */

static bool same_cstr(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_rules(const rt_breaker *a, const rt_breaker *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const brule *x = &a->rules[i], *y = &b->rules[i];
        if (!same_cstr(x->name, y->name) || x->count != y->count ||
            x->percentage != y->percentage || x->interval_ms != y->interval_ms ||
            x->trip_ms != y->trip_ms || x->accept_retry_after != y->accept_retry_after ||
            x->nranges != y->nranges || x->nreasons != y->nreasons)
            return false;
        for (size_t k = 0; k < x->nranges; k++)
            if (x->ranges[k].min != y->ranges[k].min || x->ranges[k].max != y->ranges[k].max)
                return false;
        for (size_t k = 0; k < x->nreasons; k++)
            if (strcmp(x->reasons[k], y->reasons[k]) != 0)
                return false;
    }
    return true;
}

static void swin_copy(rt_swin *dst, const rt_swin *src)
{
    if (dst->cap < src->n) {
        dst->v = xrealloc(dst->v, src->n * sizeof *dst->v);
        dst->cap = src->n;
    }
    if (src->n)
        memcpy(dst->v, src->v, src->n * sizeof *dst->v);
    dst->n = src->n;
    dst->width_ms = src->width_ms;
}

/* dst takes src's state; both have the same rules (same_rules). */
static void breaker_copy(rt_breaker *dst, const rt_breaker *src)
{
    dst->open_until_ms = src->open_until_ms;
    dst->trips = src->trips;
    dst->last_rule = NULL;
    for (size_t i = 0; i < src->n; i++) {
        swin_copy(&dst->rules[i].win, &src->rules[i].win);
        if (src->last_rule && src->last_rule == src->rules[i].name)
            dst->last_rule = dst->rules[i].name;
    }
}

static bool same_members(const rt_pool *a, const rt_pool *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->m[i].id, b->m[i].id) != 0 || a->m[i].priority != b->m[i].priority ||
            a->m[i].weight != b->m[i].weight)
            return false;
    return true;
}

void rt_backends_carry(rt_backends *bk, rt_backends *old, rt_backends_carry_fn fn, void *ud)
{
    if (!old || old == bk)
        return;
    pthread_mutex_lock(&old->mu); /* old first: nothing else holds two registries' locks */
    pthread_mutex_lock(&bk->mu);
    for (size_t i = 0; i < bk->nbr; i++) {
        rt_breaker *o = find_breaker(old, str_from(bk->br[i].id));
        if (!o)
            continue;
        bool same = same_rules(bk->br[i].b, o);
        if (same)
            breaker_copy(bk->br[i].b, o);
        if (fn)
            fn(ud, bk->br[i].id, same ? RT_CARRY_BREAKER_KEPT : RT_CARRY_BREAKER_RESET);
    }
    for (size_t i = 0; i < bk->npools; i++) {
        rt_pool *o = find_pool(old, str_from(bk->pools[i].id));
        if (!o)
            continue;
        bool same = same_members(bk->pools[i].p, o);
        if (same)
            memcpy(bk->pools[i].p->cw, o->cw, o->n * sizeof *o->cw);
        if (fn)
            fn(ud, bk->pools[i].id, same ? RT_CARRY_POOL_KEPT : RT_CARRY_POOL_RESET);
    }
    pthread_mutex_unlock(&bk->mu);
    pthread_mutex_unlock(&old->mu);
}
