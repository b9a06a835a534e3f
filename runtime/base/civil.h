#ifndef RUNTIME_BASE_CIVIL_H
#define RUNTIME_BASE_CIVIL_H

#include <stdint.h>

/* Proleptic Gregorian calendar arithmetic (Howard Hinnant's public-domain days_from_civil /
 * civil_from_days), exact for any int64 year. Days count from 1970-01-01 (day 0). */

/* Days from 1970-01-01 to y-m-d (m 1..12, d 1..31; not range-checked). */
int64_t civil_days_from(int64_t y, int m, int d);
/* The date of day z (days from 1970-01-01). */
void civil_from_days(int64_t z, int64_t *y, int *m, int *d);

#endif
