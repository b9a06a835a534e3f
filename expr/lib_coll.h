#ifndef EXPR_LIB_COLL_H
#define EXPR_LIB_COLL_H

/* Internals shared by the collection files: lib_coll.c (List, HashSet, Queue, Stack, Array),
 * lib_dict.c (Dictionary, KeyValuePair, GetValueOrDefault), lib_linq.c (Enumerable). */

#include "lib.h"

extern const xv_class expr_class_hashset, expr_class_queue, expr_class_stack, expr_class_array,
    expr_class_enumerable, expr_class_grouping;

/* Throws the fatal arena-cap error; returns -1. */
int coll_oom(expr_env *env);
/* Wraps l as an XV_LIST value; returns 0. */
int coll_list_out(xv_list *l, xv *out);
/* The index of the first item equal to v at or after from, or -1. */
long coll_list_find(const xv_list *l, xv v, size_t from);
/* Inserts v before index at (at <= l->n). 0, or -1 at the arena cap. */
int coll_list_insert_at(expr_env *env, xv_list *l, size_t at, xv v);
/* Removes the item at index at (< l->n). */
void coll_list_remove_at(xv_list *l, size_t at);
/* Argument i as an int (ArgumentException otherwise). */
int coll_arg_int(xv_call *c, size_t i, int64_t *v);
/* Calls the lambda fn (ArgumentNullException when fn is not a lambda). */
int coll_call(expr_env *env, xv fn, const xv *args, size_t n, xv *out);
/* Calls a predicate lambda on item; its result must be a bool. */
int coll_pred(expr_env *env, xv fn, xv item, bool *res);
/* Stable sort of items[0..n) with xv_compare, or with a Comparison lambda (a, b) => int when
 * cmp is a lambda; InvalidOperationException when two elements cannot be compared. */
int coll_sort(expr_env *env, xv *items, size_t n, xv cmp, bool descending);
/* Stable sort of items[0..n) by keys[0..n) (both permuted together). */
int coll_sort_by_keys(expr_env *env, xv *items, xv *keys, size_t n, bool descending);
/* default(T) for an element class: 0, false, '\0', or null for reference types. */
int coll_default_of(expr_env *env, const xv_class *cls, xv *out);

/* new List<T>() / (capacity) / (IEnumerable<T>) with the given flavor; reverse fills from the
 * end (Stack). */
int coll_make_list(xv_call *c, uint8_t flavor, bool reverse, xv *out);

/* The enumerate callback of list classes (a snapshot copy). */
int coll_list_enumerate(expr_env *env, xv self, xv *out);

/* lib_coll2.c: Queue/Stack operations, also in List's table (the run-time class of every
 * XV_LIST is List): a stack keeps its top first, so Peek serves both. */
int coll_queue_enqueue(xv_call *c, xv *out);
int coll_queue_dequeue(xv_call *c, xv *out);
int coll_queue_peek(xv_call *c, xv *out);
int coll_stack_pop(xv_call *c, xv *out);
int coll_stack_push(xv_call *c, xv *out);

/* lib_linq2.c: the Enumerable operators lib_linq.c's table lists. */
int linq_aggregate(xv_call *c, xv *out);
int linq_append(xv_call *c, xv *out);
int linq_average(xv_call *c, xv *out);
int linq_cast(xv_call *c, xv *out);
int linq_concat(xv_call *c, xv *out);
int linq_default_if_empty(xv_call *c, xv *out);
int linq_except(xv_call *c, xv *out);
int linq_group_by(xv_call *c, xv *out);
int linq_intersect(xv_call *c, xv *out);
int linq_max(xv_call *c, xv *out);
int linq_min(xv_call *c, xv *out);
int linq_of_type(xv_call *c, xv *out);
int linq_prepend(xv_call *c, xv *out);
int linq_sequence_equal(xv_call *c, xv *out);
int linq_sum(xv_call *c, xv *out);
int linq_to_dictionary(xv_call *c, xv *out);
int linq_union(xv_call *c, xv *out);
int linq_zip(xv_call *c, xv *out);
int linq_s_empty(xv_call *c, xv *out);
int linq_s_range(xv_call *c, xv *out);
int linq_s_repeat(xv_call *c, xv *out);
/* Charges work units to the step budget (fatal error when exhausted). */
int linq_charge(expr_env *env, size_t work);
/* The sequence behind v (ArgumentNullException for null). */
int linq_seq(xv_call *c, xv v, xv_list **out);

#endif
