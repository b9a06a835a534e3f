/* Rolling 60 s windows for the mock's --rpm / --tpm limits: 600 slots of 100 ms. */
#include "runtime/mock_impl.h"

#include <string.h>

void mock_window_advance(mock_window *w, int64_t now_ms)
{
    int64_t cur = now_ms / MOCK_SLOT_MS;
    if (cur <= w->slot)
        return;
    if (cur - w->slot >= MOCK_SLOTS) {
        memset(w->n, 0, sizeof w->n);
        w->sum = 0;
    } else {
        for (int64_t s = w->slot + 1; s <= cur; s++) {
            int64_t *cell = &w->n[s % MOCK_SLOTS];
            w->sum -= *cell;
            *cell = 0;
        }
    }
    w->slot = cur;
}

void mock_window_add(mock_window *w, int64_t now_ms, int64_t amount)
{
    mock_window_advance(w, now_ms);
    w->n[w->slot % MOCK_SLOTS] += amount;
    w->sum += amount;
}

int64_t mock_window_retry_ms(const mock_window *w, int64_t now_ms, int64_t cost, int64_t limit)
{
    if (cost > limit)
        return 60000;
    int64_t need = w->sum + cost - limit; /* what has to leave the window */
    int64_t freed = 0;
    /* Slot s leaves the window when slot s + MOCK_SLOTS starts. */
    for (int64_t s = w->slot - MOCK_SLOTS + 1; s <= w->slot; s++) {
        if (s < 0)
            continue;
        freed += w->n[s % MOCK_SLOTS];
        if (freed >= need) {
            int64_t ms = (s + MOCK_SLOTS) * MOCK_SLOT_MS - now_ms;
            return ms < 1 ? 1 : ms;
        }
    }
    return 60000;
}
