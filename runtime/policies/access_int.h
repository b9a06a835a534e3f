#ifndef RUNTIME_POLICIES_ACCESS_INT_H
#define RUNTIME_POLICIES_ACCESS_INT_H

/* Shared between access.c (the family table, ip-filter, check-header) and cors.c (the cors
 * policy). Only those two files include this header. */

#include "../../policy/spec.h"
#include "common.h"

/* <cors>: literal-or-expression lists (evaluated per request). */
typedef struct cors_conf {
    pol_val allow_credentials, terminate;
    pol_val *origins;
    size_t norigins;
    pol_val *methods; /* NULL: GET and POST (no <allowed-methods>) */
    size_t nmethods;
    pol_val max_age; /* preflight-result-max-age */
    pol_val *headers;
    size_t nheaders;
    pol_val *expose;
    size_t nexpose;
} cors_conf;

extern const pol_attr rt_cors_attrs[];
extern const pol_child rt_cors_children[];
int rt_cors_parse(pol_cc *cc, const pol_node *el, void *conf);
pol_status rt_cors_exec(rt_req *r, const void *conf);

/* The texts of a list of values (each evaluated; null values are skipped). *out in the
 * request arena. Returns 0, or -1 with the failure recorded on r. */
int rt_access_eval_list(rt_req *r, const pol_val *v, size_t n, str **out, size_t *nout);

/* Fills out[0..n) from the text of each <name> child of el (a container element); trims
 * literals. Returns 0, or -1 with a diagnostic. */
int rt_access_parse_list(pol_cc *cc, const pol_node *el, const char *name, pol_val **out,
                         size_t *n);

#endif
