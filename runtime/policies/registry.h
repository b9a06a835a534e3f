#ifndef RUNTIME_POLICIES_REGISTRY_H
#define RUNTIME_POLICIES_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "../../policy/spec.h"

/* The policy vocabulary: every policy of spec/policies.md (and every element APIM accepts in
 * a policy document) as one pol_spec entry in a family file. */

/* Looks a policy up by element name; NULL when unknown. */
const pol_spec *rt_policy_find(const char *name, size_t len);
/* Calls fn for every registered policy (for `check --list` and tests). */
void rt_policy_each(void (*fn)(const pol_spec *s, void *ud), void *ud);
/* Checks the tables once at startup: duplicate names, empty fields, unsorted tables.
 * Returns 0, or -1 after printing what is wrong to stderr. */
int rt_policy_registry_check(void);
/* Checks one { 0 }-terminated table the same way (names of child policies resolve against the
 * registry); for tests that feed it broken tables. Returns 0, or -1 after printing. */
int rt_policy_table_check(const pol_spec *table);

#endif
