#ifndef RUNTIME_LIQUID_FILTERS_H
#define RUNTIME_LIQUID_FILTERS_H

/* Internal header shared by liquid_filters.c (strings, the table) and liquid_filters2.c
 * (numbers, arrays, dates). Every filter takes its input and arguments borrowed and returns
 * a new reference in *out; -1 after lq_error (inline "Liquid error") or lq_fatal. */

#include "liquid_impl.h"

/* in as a string value (*s, to drop) and a view of it. */
int lqf_str(lq_state *st, lv in, lv *s, const char **p, size_t *n);
/* Makes *out from b's bytes and releases b. */
int lqf_done(lq_state *st, buf *b, lv *out);
/* A scratch buffer capped at the memory budget. */
void lqf_buf(buf *b);
bool lqf_is_blank(const char *p, size_t n);
uint32_t lqf_utf8(const char *p, size_t n, size_t *adv);
int lqf_put_cp(buf *b, uint32_t cp);
/* An integer argument (numbers and numeric strings; reals truncate); -1 + lq_error. */
int lqf_int(lq_state *st, lv v, const char *who, int64_t *out);

#define LQF(name) int name(lq_state *st, lv in, const lv *a, size_t na, lv *out)
LQF(lqf_abs);
LQF(lqf_at_least);
LQF(lqf_at_most);
LQF(lqf_ceil);
LQF(lqf_floor);
LQF(lqf_round);
LQF(lqf_plus);
LQF(lqf_minus);
LQF(lqf_times);
LQF(lqf_divided_by);
LQF(lqf_modulo);
LQF(lqf_currency);
LQF(lqf_date);
LQF(lqf_default);
LQF(lqf_compact);
LQF(lqf_concat);
LQF(lqf_first);
LQF(lqf_last);
LQF(lqf_join);
LQF(lqf_map);
LQF(lqf_reverse);
LQF(lqf_size);
LQF(lqf_slice);
LQF(lqf_sort);
LQF(lqf_split);
LQF(lqf_uniq);
#undef LQF

#endif
