#ifndef RUNTIME_PIPELINE_H
#define RUNTIME_PIPELINE_H

/* The pipeline (STYLE §7-§8): inbound -> backend -> outbound, and on-error. Policies return
 * NEXT / SUSPEND / RESPOND / FAIL. An explicit cursor (a section plus a capped stack of
 * frames, one per nested block) keeps the position, so a policy that suspends (forward-request,
 * send-request, retry's wait, wait) resumes exactly where it stopped: its completion calls
 * rt_pipeline_resume, which continues from a 0 ms clock event, never recursively.
 *
 * Container policies: exec enters a child block with rt_pipeline_enter and returns POL_NEXT;
 * the block runs, then `done` (if any) decides: POL_NEXT continue after the container (it may
 * enter the block again first: retry), POL_SUSPEND (it armed a timer that will enter the block
 * again and resume), POL_FAIL / POL_RESPOND. When the block fails, `done` is called with
 * failed = true and may swallow the failure (retry) by entering again and returning
 * POL_NEXT / POL_SUSPEND; returning POL_FAIL propagates it. */

#include "req.h"

#define RT_MAX_FRAMES 48

typedef pol_status (*rt_block_done)(rt_req *r, void *state, bool failed);

typedef struct rt_frame {
    const rt_block *b;
    size_t i; /* next step */
    rt_block_done done;
    void *state;
} rt_frame;

typedef struct rt_cursor rt_cursor;
struct rt_cursor {
    rt_frame f[RT_MAX_FRAMES];
    int depth;
    pol_status resume_with; /* the suspended step's result, delivered by rt_pipeline_resume */
    bool suspended;
    /* wait branches: called when the branch's block ends (NULL for the main cursor) */
    void (*branch_done)(rt_req *r, rt_cursor *c, pol_status st);
    void *branch_ud;
    /* what to cancel when the branch is aborted (wait for="any") */
    void (*cancel)(rt_req *r, void *ud);
    void *cancel_ud;
};

/* Starts r through its program (r->prog): runs until the first suspension or the end. When the
 * response is final, r->finished is set and r->on_finish is called (from the clock's loop or
 * from this call). */
void rt_pipeline_start(rt_req *r);
/* Starts r directly in on-error with the failure already recorded (r->err via rt_fail, the
 * response preset by rt_req_error_response): the gateway's own refusals before inbound
 * (routing 404, subscription key 401), whose on-error still runs (spec/gateway.md §1). */
void rt_pipeline_start_failed(rt_req *r);

/* Enters block b on the current cursor (see above). Returns 0, or -1 (nesting too deep:
 * failure recorded). */
int rt_pipeline_enter(rt_req *r, const rt_block *b, rt_block_done done, void *state);

/* Continues cursor c (the one that was current when the policy suspended: keep r->cur) with
 * the suspended step's result st (POL_NEXT, POL_FAIL after rt_fail, POL_RESPOND), from a 0 ms
 * clock event. */
void rt_pipeline_resume(rt_req *r, rt_cursor *c, pol_status st);

/* Runs a branch cursor (wait's children): a new cursor on block b; its end calls
 * branch_done. Returns the cursor (arena), or NULL. */
rt_cursor *rt_pipeline_branch(rt_req *r, const rt_block *b,
                              void (*branch_done)(rt_req *r, rt_cursor *c, pol_status st),
                              void *ud);
/* Aborts a suspended branch: calls its cancel hook; it will not continue. */
void rt_pipeline_abort(rt_req *r, rt_cursor *c);

/* A suspension point: what a completion handler needs to continue the pipeline where the
 * policy stopped. rt_wake_init captures r->cur, r->step and the section when the policy
 * suspends; the handler calls rt_wake_enter first (so rt_fail describes the right policy),
 * then rt_wake_resume with the result. */
typedef struct rt_wake {
    rt_req *r;
    rt_cursor *c;
    const rt_step *step;
    pol_section section;
} rt_wake;
void rt_wake_init(rt_wake *w, rt_req *r);
void rt_wake_enter(const rt_wake *w);
void rt_wake_resume(const rt_wake *w, pol_status st);

/* Pending operation accounting (transport calls, timers): the request is released only when
 * it has finished and nothing is pending. */
void rt_req_hold(rt_req *r);
void rt_req_unhold(rt_req *r);

#endif
