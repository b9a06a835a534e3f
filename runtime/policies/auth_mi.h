#ifndef RUNTIME_POLICIES_AUTH_MI_H
#define RUNTIME_POLICIES_AUTH_MI_H

/* authentication-managed-identity as a child element (send-request, send-one-way-request),
 * without the cold-cache failure: with the gateway's token provider (identity.h) a token that
 * is not cached yet is waited for (the request suspends), as the top-level policy does. With
 * the test map (`identity:` in test files) it answers at once (rt_pol_managed_identity_to). */

#include "common.h"

/* Continuation of rt_pol_managed_identity_async, called once when the token has been applied
 * (st == POL_NEXT; also with ignore-error after a failure) or the token request failed
 * (st == POL_FAIL, failure recorded with rt_fail). It runs inside the resumed policy
 * (rt_wake_enter done) and returns the policy's result: POL_SUSPEND when it started more
 * asynchronous work that resumes the pipeline itself, otherwise that status is delivered to the
 * pipeline (rt_wake_resume). */
typedef pol_status (*rt_mi_then)(rt_req *r, void *ud, pol_status st);

/* Applies the authentication-managed-identity conf to the header dict d (which must live in the
 * request arena):
 *  - POL_NEXT / POL_FAIL: answered now (cached token, test map, failure); then is not called;
 *  - POL_SUSPEND: the token is being fetched; then(r, ud, st) is called later from the event
 *    loop. Meanwhile the request is held and r->cur->cancel cancels the wait; nothing is
 *    called when the request goes away first. */
pol_status rt_pol_managed_identity_async(rt_req *r, const void *conf, xv_dict *d, rt_mi_then then,
                                         void *ud);

#endif
