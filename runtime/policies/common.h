#ifndef RUNTIME_POLICIES_COMMON_H
#define RUNTIME_POLICIES_COMMON_H

/* Execution helpers shared between the family files of the core policies: children of
 * return-response and send-request are validated as set-status / set-header / set-body /
 * set-method and reuse those policies' conf and apply functions on another target. Only the
 * family files include this header. */

#include "../compile.h"
#include "../pipeline.h"
#include "../req.h"

/* Allocates kid->spec->conf_size bytes and runs kid->spec->parse (for children validated as
 * a policy). NULL with diagnostics on failure. */
void *rt_pol_child_conf(pol_cc *cc, const pol_node *kid);

/* set-header (headers.c): applies conf to the header dict d. */
pol_status rt_pol_set_header_to(rt_req *r, const void *conf, xv_dict *d);
/* set-body (transform.c): evaluates the body and stores it in *slot (content type from
 * headers' Content-Type). */
pol_status rt_pol_set_body_to(rt_req *r, const void *conf, expr_body **slot,
                              const xv_dict *headers);
/* set-status (http.c): applies conf to resp. */
pol_status rt_pol_set_status_to(rt_req *r, const void *conf, rt_response *resp);
/* set-method (http.c): the method (upper case, arena). */
pol_status rt_pol_set_method_eval(rt_req *r, const void *conf, str *out);

/* authentication-managed-identity (auth.c): gets the token and sets `Authorization: Bearer
 * <token>` in the header dict d (or only the output variable when the policy names one);
 * ignore-error swallows a failed token request. */
pol_status rt_pol_managed_identity_to(rt_req *r, const void *conf, xv_dict *d);

/* The request side (inbound, backend) or the response side (outbound, on-error). */
static inline bool rt_pol_request_side(const rt_req *r)
{
    return r->section == POL_S_INBOUND || r->section == POL_S_BACKEND;
}

#endif
