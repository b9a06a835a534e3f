/* The in-memory counter store: one hash table of entries keyed by (key space, key), an LRU list
 * for incremental expiry and the key cap, one mutex. Persistence is in counters_state.c. */
#include <stdlib.h>
#include <string.h>

#include "runtime/base/xalloc.h"
#include "runtime/counters.h"
#include "runtime/counters_impl.h"

#define DEFAULT_MAX_KEYS ((size_t)1000000)
#define TPM_PERIOD_MS    ((int64_t)60000)
#define SWEEP_PER_OP     2 /* expired LRU-tail entries dropped per operation */

/* ---- table ---- */

static uint64_t key_hash(int ns, str key)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    h = (h ^ (unsigned char)ns) * 1099511628211ULL;
    for (size_t i = 0; i < key.len; i++)
        h = (h ^ (unsigned char)key.ptr[i]) * 1099511628211ULL;
    return h;
}

static void lru_unlink(rt_mem_store *m, rt_mem_entry *e)
{
    if (e->lru_prev)
        e->lru_prev->lru_next = e->lru_next;
    else
        m->lru_head = e->lru_next;
    if (e->lru_next)
        e->lru_next->lru_prev = e->lru_prev;
    else
        m->lru_tail = e->lru_prev;
    e->lru_prev = e->lru_next = NULL;
}

static void lru_push_head(rt_mem_store *m, rt_mem_entry *e)
{
    e->lru_prev = NULL;
    e->lru_next = m->lru_head;
    if (m->lru_head)
        m->lru_head->lru_prev = e;
    m->lru_head = e;
    if (!m->lru_tail)
        m->lru_tail = e;
}

static void grow(rt_mem_store *m)
{
    size_t nsize = m->tabsize * 2;
    rt_mem_entry **ntab = xcalloc(nsize, sizeof *ntab);
    for (size_t i = 0; i < m->tabsize; i++) {
        rt_mem_entry *e = m->tab[i];
        while (e) {
            rt_mem_entry *next = e->hnext;
            size_t j = e->hash & (nsize - 1);
            e->hnext = ntab[j];
            ntab[j] = e;
            e = next;
        }
    }
    free(m->tab);
    m->tab = ntab;
    m->tabsize = nsize;
}

rt_mem_entry *rt_mem_find(rt_mem_store *m, int ns, str key)
{
    uint64_t h = key_hash(ns, key);
    for (rt_mem_entry *e = m->tab[h & (m->tabsize - 1)]; e; e = e->hnext) {
        if (e->hash == h && e->ns == ns && e->klen == key.len &&
            (key.len == 0 || memcmp(e->key, key.ptr, key.len) == 0)) {
            lru_unlink(m, e);
            lru_push_head(m, e);
            return e;
        }
    }
    return NULL;
}

static void entry_release(rt_mem_entry *e)
{
    if (e->ns == RT_NS_RATE || e->ns == RT_NS_TPM)
        rt_swin_release(&e->sw.win);
    free(e);
}

void rt_mem_remove(rt_mem_store *m, rt_mem_entry *e)
{
    rt_mem_entry **pp = &m->tab[e->hash & (m->tabsize - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    lru_unlink(m, e);
    m->count--;
    entry_release(e);
}

rt_mem_entry *rt_mem_get(rt_mem_store *m, int ns, str key, int64_t period_ms)
{
    rt_mem_entry *e = rt_mem_find(m, ns, key);
    if (e)
        return e;
    if (m->count >= m->max_keys && m->lru_tail)
        rt_mem_remove(m, m->lru_tail); /* the cap: the least recently used counter goes */
    e = xcalloc(1, sizeof *e + key.len + 1);
    e->ns = ns;
    e->hash = key_hash(ns, key);
    e->klen = key.len;
    if (key.len)
        memcpy(e->key, key.ptr, key.len);
    if (ns == RT_NS_RATE || ns == RT_NS_TPM) {
        rt_swin_init(&e->sw.win, period_ms);
        e->sw.max_period_ms = period_ms;
    }
    if (m->count + 1 > m->tabsize)
        grow(m);
    size_t i = e->hash & (m->tabsize - 1);
    e->hnext = m->tab[i];
    m->tab[i] = e;
    lru_push_head(m, e);
    m->count++;
    return e;
}

bool rt_mem_is_expired(const rt_mem_entry *e, int64_t now_ms)
{
    switch (e->ns) {
    case RT_NS_RATE:
    case RT_NS_TPM:
        return rt_swin_is_empty(&e->sw.win, e->sw.max_period_ms, now_ms);
    case RT_NS_QUOTA:
        return e->q.win_end <= now_ms;
    case RT_NS_TQUOTA:
        return e->tq.win_end <= now_ms;
    case RT_NS_CONC:
        return e->conc.held <= 0;
    }
    return true;
}

/* Drops up to n expired entries from the LRU tail; stops at the first live one. */
static void sweep_tail(rt_mem_store *m, int64_t now_ms, int n)
{
    while (n-- > 0 && m->lru_tail && rt_mem_is_expired(m->lru_tail, now_ms))
        rt_mem_remove(m, m->lru_tail);
}

/* ---- sliding windows (rate limit, TPM) ---- */

static rt_swin *window_for(rt_mem_entry *e, int64_t period_ms, int64_t now_ms)
{
    if (period_ms > e->sw.max_period_ms)
        e->sw.max_period_ms = period_ms;
    rt_swin_prune(&e->sw.win, e->sw.max_period_ms, now_ms);
    return &e->sw.win;
}

static void do_rate(rt_mem_store *m, const rt_counter_op *op, rt_counter_result *out)
{
    int64_t period = op->rate.period_ms, now = op->now_ms;
    bool adds = op->kind == RT_COUNTER_RATE_ADD || op->rate.take > 0;
    rt_mem_entry *e =
        adds ? rt_mem_get(m, RT_NS_RATE, op->key, period) : rt_mem_find(m, RT_NS_RATE, op->key);
    rt_swin *w = e ? window_for(e, period, now) : NULL;
    int64_t used = w ? rt_swin_sum(w, period, now, NULL) : 0;
    out->rate.used = used;
    if (op->kind == RT_COUNTER_RATE_ADD) {
        if (op->rate.take > 0)
            rt_swin_add(w, op->rate.take, 0, now);
        out->admitted = true;
        return;
    }
    int64_t limit = op->rate.limit;
    if (used < limit) {
        out->admitted = true;
        if (op->rate.take > 0)
            rt_swin_add(w, op->rate.take, 0, now);
        int64_t rem = limit - used; /* used < limit: no overflow */
        out->rate.remaining = rem > op->rate.take ? rem - op->rate.take : 0;
        return;
    }
    out->refusal = RT_COUNTER_BY_CALLS;
    int64_t wait = w ? rt_swin_wait_ms(w, period, now, used - limit + 1) : 0;
    out->rate.retry_after_s = rt_counter_secs_until(now + (wait > 0 ? wait : 0), now);
}

/* ---- fixed windows (quota) ---- */

static void quota_fill(const rt_counter_op *op, const rt_mem_entry *e, int64_t ws, int64_t we,
                       rt_counter_result *out)
{
    int64_t calls = e ? e->q.calls : 0, bytes = e ? e->q.bytes : 0;
    out->quota.calls_used = calls;
    out->quota.bytes_used = bytes;
    out->quota.calls_remaining = -1;
    if (op->quota.calls > 0)
        out->quota.calls_remaining = calls < op->quota.calls ? op->quota.calls - calls : 0;
    out->quota.kb_remaining = -1;
    if (op->quota.kb > 0) {
        int64_t kb_used = bytes / 1024 + (bytes % 1024 != 0);
        out->quota.kb_remaining = kb_used < op->quota.kb ? op->quota.kb - kb_used : 0;
    }
    out->quota.window_start_ms = ws;
    out->quota.window_end_ms = we;
    out->quota.renew_s = we == INT64_MAX ? -1 : rt_counter_secs_until(we, op->now_ms);
}

static void do_quota(rt_mem_store *m, const rt_counter_op *op, rt_counter_result *out)
{
    int64_t ws, we;
    rt_quota_window(op->quota.start_ms, op->quota.period_ms, op->now_ms, &ws, &we);
    rt_mem_entry *e = rt_mem_find(m, RT_NS_QUOTA, op->key);
    if (e && (e->q.win_start != ws || e->q.win_end != we)) {
        e->q.calls = e->q.bytes = 0; /* a new window */
        e->q.win_start = ws;
        e->q.win_end = we;
    }
    int64_t calls = e ? e->q.calls : 0, bytes = e ? e->q.bytes : 0;
    bool admitted = true;
    if (op->kind == RT_COUNTER_QUOTA) {
        if (op->quota.calls > 0 && calls >= op->quota.calls)
            out->refusal = RT_COUNTER_BY_CALLS;
        else if (op->quota.kb > 0 && bytes >= op->quota.kb * 1024)
            out->refusal = RT_COUNTER_BY_BANDWIDTH;
        admitted = out->refusal == RT_COUNTER_OK;
    }
    out->admitted = admitted;
    if (admitted && (op->quota.calls_take > 0 || op->quota.bytes_take > 0)) {
        if (!e) {
            e = rt_mem_get(m, RT_NS_QUOTA, op->key, 0);
            e->q.win_start = ws;
            e->q.win_end = we;
        }
        e->q.calls = rt_sat_add(e->q.calls, op->quota.calls_take);
        e->q.bytes = rt_sat_add(e->q.bytes, op->quota.bytes_take);
        m->changes++;
    }
    quota_fill(op, e, ws, we, out);
}

/* ---- token limits ---- */

static void token_tpm(rt_mem_store *m, const rt_counter_op *op, rt_counter_result *out)
{
    int64_t now = op->now_ms, tpm = op->token.tpm;
    bool adds = op->kind == RT_COUNTER_TOKEN_ADD && op->token.take > 0;
    rt_mem_entry *e = adds ? rt_mem_get(m, RT_NS_TPM, op->key, TPM_PERIOD_MS)
                           : rt_mem_find(m, RT_NS_TPM, op->key);
    rt_swin *w = e ? window_for(e, TPM_PERIOD_MS, now) : NULL;
    if (adds)
        rt_swin_add(w, op->token.take, 0, now);
    int64_t used = w ? rt_swin_sum(w, TPM_PERIOD_MS, now, NULL) : 0;
    int64_t left = tpm - used;
    out->token.tpm_used = used;
    out->token.tpm_remaining = left > 0 ? left : 0;
    if (op->kind != RT_COUNTER_TOKEN || (left > 0 && left >= op->token.need))
        return;
    out->admitted = false;
    out->refusal = RT_COUNTER_BY_TPM;
    int64_t target = op->token.need > 1 ? op->token.need : 1;
    int64_t wait = target > tpm || !w ? -1 : rt_swin_wait_ms(w, TPM_PERIOD_MS, now, target - left);
    out->token.retry_after_s =
        wait < 0 ? TPM_PERIOD_MS / 1000 : rt_counter_secs_until(now + wait, now);
}

static void token_quota(rt_mem_store *m, const rt_counter_op *op, rt_counter_result *out)
{
    int64_t ws, we;
    rt_token_period_window(op->token.period, op->now_ms, &ws, &we);
    bool adds = op->kind == RT_COUNTER_TOKEN_ADD && op->token.take > 0;
    rt_mem_entry *e =
        adds ? rt_mem_get(m, RT_NS_TQUOTA, op->key, 0) : rt_mem_find(m, RT_NS_TQUOTA, op->key);
    if (e && (e->tq.period != (int)op->token.period || e->tq.win_start != ws)) {
        e->tq.period = (int)op->token.period;
        e->tq.win_start = ws;
        e->tq.win_end = we;
        e->tq.tokens = 0;
    }
    if (adds && e) {
        e->tq.tokens = rt_sat_add(e->tq.tokens, op->token.take);
        m->changes++;
    }
    int64_t used = e ? e->tq.tokens : 0, left = op->token.quota - used;
    out->token.quota_used = used;
    out->token.quota_remaining = left > 0 ? left : 0;
    out->token.quota_renew_s = rt_counter_secs_until(we, op->now_ms);
    out->token.quota_window_end_ms = we;
    if (op->kind != RT_COUNTER_TOKEN || !out->admitted)
        return; /* a TPM refusal wins: it is checked first */
    if (!(left > 0 && left >= op->token.quota_need)) {
        out->admitted = false;
        out->refusal = RT_COUNTER_BY_QUOTA;
    }
}

static void do_token(rt_mem_store *m, const rt_counter_op *op, rt_counter_result *out)
{
    out->admitted = true;
    out->token.tpm_remaining = -1;
    out->token.quota_remaining = -1;
    if (op->token.tpm > 0)
        token_tpm(m, op, out);
    if (op->token.period != RT_TOKEN_PERIOD_NONE)
        token_quota(m, op, out);
}

/* ---- concurrency ---- */

static void do_conc(rt_mem_store *m, const rt_counter_op *op, rt_counter_result *out)
{
    if (op->kind == RT_COUNTER_RELEASE) {
        rt_mem_entry *e = rt_mem_find(m, RT_NS_CONC, op->key);
        out->admitted = true;
        if (!e)
            return;
        if (--e->conc.held <= 0) {
            rt_mem_remove(m, e);
            return;
        }
        out->conc.held = e->conc.held;
        return;
    }
    rt_mem_entry *e = rt_mem_get(m, RT_NS_CONC, op->key, 0);
    if (e->conc.held < op->conc.max) {
        e->conc.held++;
        out->admitted = true;
    } else {
        out->refusal = RT_COUNTER_BY_MAX;
    }
    out->conc.held = e->conc.held;
}

/* ---- vtable ---- */

static rt_counter_status mem_exec(rt_counter_store *s, const rt_counter_op *op,
                                  rt_counter_result *out, rt_counter_cb cb, void *ud)
{
    (void)cb; /* the memory store always answers at once */
    (void)ud;
    rt_mem_store *m = (rt_mem_store *)s;
    memset(out, 0, sizeof *out);
    out->kind = op->kind;
    pthread_mutex_lock(&m->mu);
    sweep_tail(m, op->now_ms, SWEEP_PER_OP);
    switch (op->kind) {
    case RT_COUNTER_RATE:
    case RT_COUNTER_RATE_ADD:
        do_rate(m, op, out);
        break;
    case RT_COUNTER_QUOTA:
    case RT_COUNTER_QUOTA_ADD:
        do_quota(m, op, out);
        break;
    case RT_COUNTER_TOKEN:
    case RT_COUNTER_TOKEN_ADD:
        do_token(m, op, out);
        break;
    case RT_COUNTER_ACQUIRE:
    case RT_COUNTER_RELEASE:
        do_conc(m, op, out);
        break;
    }
    pthread_mutex_unlock(&m->mu);
    return RT_COUNTER_DONE;
}

static void mem_free(rt_counter_store *s)
{
    rt_mem_store *m = (rt_mem_store *)s;
    rt_mem_entry *e = m->lru_head;
    while (e) {
        rt_mem_entry *next = e->lru_next;
        entry_release(e);
        e = next;
    }
    free(m->tab);
    free(m->damaged);
    free(m->saved_path);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static const rt_counter_store_vt mem_vt = {
    .name = "memory",
    .exec = mem_exec,
    .save = rt_mem_save,
    .load = rt_mem_load,
    .free = mem_free,
};

rt_counter_store *rt_counter_mem_new(size_t max_keys)
{
    rt_mem_store *m = xcalloc(1, sizeof *m);
    m->base.vt = &mem_vt;
    pthread_mutex_init(&m->mu, NULL);
    m->tabsize = 64;
    m->tab = xcalloc(m->tabsize, sizeof *m->tab);
    m->max_keys = max_keys ? max_keys : DEFAULT_MAX_KEYS;
    return &m->base;
}

size_t rt_counter_mem_sweep(rt_counter_store *s, int64_t now_ms)
{
    rt_mem_store *m = (rt_mem_store *)s;
    pthread_mutex_lock(&m->mu);
    rt_mem_entry *e = m->lru_head;
    while (e) {
        rt_mem_entry *next = e->lru_next;
        if (e->ns == RT_NS_RATE || e->ns == RT_NS_TPM)
            rt_swin_prune(&e->sw.win, e->sw.max_period_ms, now_ms);
        if (rt_mem_is_expired(e, now_ms))
            rt_mem_remove(m, e);
        e = next;
    }
    size_t n = m->count;
    pthread_mutex_unlock(&m->mu);
    return n;
}
