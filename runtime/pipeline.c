/* The pipeline: sections in order, an explicit cursor per flow of control (the main one, and
 * one per branch of <wait>), suspension and resumption through 0 ms clock events. */
#include "pipeline.h"

#include <string.h>

#include "errors.h"

static const char *status_name(pol_status st)
{
    switch (st) {
    case POL_NEXT:
        return "next";
    case POL_SUSPEND:
        return "suspended";
    case POL_RESPOND:
        return "responded (pipeline stops)";
    case POL_FAIL:
        return "failed";
    }
    return "?";
}

void rt_req_hold(rt_req *r)
{
    r->pending++;
}

void rt_req_unhold(rt_req *r)
{
    if (r->pending > 0)
        r->pending--;
}

void rt_wake_init(rt_wake *w, rt_req *r)
{
    w->r = r;
    w->c = r->cur;
    w->step = r->step;
    w->section = r->section;
}

void rt_wake_enter(const rt_wake *w)
{
    w->r->cur = w->c;
    w->r->step = w->step;
    w->r->section = w->section;
    rt_req_sync_time(w->r);
}

void rt_wake_resume(const rt_wake *w, pol_status st)
{
    rt_pipeline_resume(w->r, w->c, st);
}

static pol_status exec_step(rt_req *r, const rt_step *s)
{
    r->step = s;
    rt_req_sync_time(r);
    r->env.budget = EXPR_STEP_BUDGET;
    pol_status st;
    if (!s->spec->exec)
        st = rt_fail(r, NULL, "NotImplemented", "policy %s is not executed by apimlite yet",
                     s->spec->name);
    else
        st = s->spec->exec(r, s->conf);
    if (rt_tracing(r)) {
        if (st == POL_FAIL)
            rt_trace(r, "failed: %.*s: %.*s", STR_FMT(r->err.reason), STR_FMT(r->err.message));
        else if (st != POL_NEXT)
            rt_trace(r, "%s", status_name(st));
    }
    return st;
}

int rt_pipeline_enter(rt_req *r, const rt_block *b, rt_block_done done, void *state)
{
    rt_cursor *c = r->cur;
    if (c->depth >= RT_MAX_FRAMES) {
        rt_fail(r, NULL, "NestingTooDeep", "policies nest more than %d levels", RT_MAX_FRAMES);
        return -1;
    }
    c->f[c->depth++] = (rt_frame){ .b = b, .done = done, .state = state };
    return 0;
}

/* Runs c from its position, st being the result of the step that ran last. Returns when the
 * cursor's blocks are done (NEXT), it suspends, responds or fails past its outermost block. */
static pol_status run_cursor(rt_req *r, rt_cursor *c, pol_status st)
{
    c->suspended = false;
    for (long guard = 0;; guard++) {
        r->cur = c;
        if (guard > 10000000) {
            st = rt_fail(r, "pipeline", "StepLimit", "too many policy steps");
            c->depth = 0;
            return st;
        }
        if (st == POL_SUSPEND) {
            c->suspended = true;
            return POL_SUSPEND;
        }
        if (st == POL_RESPOND) {
            c->depth = 0;
            return POL_RESPOND;
        }
        if (st == POL_FAIL) {
            while (c->depth > 0) {
                rt_frame f = c->f[--c->depth];
                if (f.done) {
                    st = f.done(r, f.state, true);
                    if (st != POL_FAIL)
                        break;
                }
            }
            if (st == POL_FAIL)
                return POL_FAIL;
            continue;
        }
        if (c->depth == 0)
            return POL_NEXT;
        rt_frame *top = &c->f[c->depth - 1];
        if (top->i >= top->b->n) {
            rt_frame f = *top;
            c->depth--;
            if (f.done)
                st = f.done(r, f.state, false);
            continue;
        }
        const rt_step *s = &top->b->steps[top->i++];
        st = exec_step(r, s);
    }
}

static void finish(rt_req *r)
{
    if (r->finished)
        return;
    rt_req_run_at_end(r);
    r->finished = true;
    r->end_ms = rt_clock_now(r->w->clock);
    if (rt_tracing(r)) {
        r->step = NULL;
        rt_trace(r, "response %d %.*s", r->ctx->response.status, STR_FMT(r->ctx->response.reason));
    }
    if (r->on_finish)
        r->on_finish(r, r->on_finish_ud);
}

static void start_section(rt_req *r, pol_section s)
{
    r->section = s;
    r->main->depth = 0;
    r->cur = r->main;
    r->step = NULL;
    rt_pipeline_enter(r, &r->prog->sec[s], NULL, NULL);
}

static void run_main(rt_req *r, pol_status st)
{
    for (;;) {
        st = run_cursor(r, r->main, st);
        if (st == POL_SUSPEND)
            return;
        if (st == POL_RESPOND)
            break;
        if (st == POL_FAIL) {
            if (r->section == POL_S_ON_ERROR) {
                rt_req_error_response(r, 500, RT_MSG_INTERNAL);
                break;
            }
            if (!r->response_preset)
                rt_req_error_response(r, 500, RT_MSG_INTERNAL);
            r->response_preset = false;
            rt_lasterror *e = arena_alloc(&r->arena, sizeof *e);
            if (e) {
                *e = r->err;
                r->ctx->last_error = e;
            }
            start_section(r, POL_S_ON_ERROR);
            st = POL_NEXT;
            continue;
        }
        /* the section is done */
        if (r->section == POL_S_INBOUND)
            start_section(r, POL_S_BACKEND);
        else if (r->section == POL_S_BACKEND) {
            rt_req_run_at_response(r);
            start_section(r, POL_S_OUTBOUND);
        } else
            break;
        st = POL_NEXT;
    }
    finish(r);
}

void rt_pipeline_start(rt_req *r)
{
    r->main = arena_alloc(&r->arena, sizeof *r->main);
    if (!r->main) {
        rt_req_error_response(r, 500, RT_MSG_INTERNAL);
        finish(r);
        return;
    }
    start_section(r, POL_S_INBOUND);
    run_main(r, POL_NEXT);
}

void rt_pipeline_start_failed(rt_req *r)
{
    r->main = arena_alloc(&r->arena, sizeof *r->main);
    if (!r->main) {
        rt_req_error_response(r, 500, RT_MSG_INTERNAL);
        finish(r);
        return;
    }
    r->section = POL_S_INBOUND;
    r->cur = r->main;
    r->step = NULL;
    run_main(r, POL_FAIL);
}

typedef struct resume_ev {
    rt_req *r;
    rt_cursor *c;
} resume_ev;

static void branch_ended(rt_req *r, rt_cursor *c, pol_status st)
{
    rt_cursor *outer = r->cur;
    c->cancel = NULL;
    c->branch_done(r, c, st);
    r->cur = outer;
}

static void on_resume(void *ud)
{
    resume_ev *ev = ud;
    rt_req *r = ev->r;
    rt_cursor *c = ev->c;
    rt_req_unhold(r);
    if (r->finished || !c->suspended)
        return;
    pol_status st = c->resume_with;
    if (c == r->main) {
        run_main(r, st);
        return;
    }
    st = run_cursor(r, c, st);
    if (st != POL_SUSPEND)
        branch_ended(r, c, st);
}

void rt_pipeline_resume(rt_req *r, rt_cursor *c, pol_status st)
{
    resume_ev *ev = arena_alloc(&r->arena, sizeof *ev);
    if (!ev)
        return;
    ev->r = r;
    ev->c = c;
    c->resume_with = st;
    c->cancel = NULL;
    rt_req_hold(r);
    if (!rt_clock_after(r->w->clock, 0, on_resume, ev))
        rt_req_unhold(r);
}

rt_cursor *rt_pipeline_branch(rt_req *r, const rt_block *b,
                              void (*branch_done)(rt_req *r, rt_cursor *c, pol_status st), void *ud)
{
    rt_cursor *outer = r->cur;
    const rt_step *step = r->step;
    rt_cursor *c = arena_alloc(&r->arena, sizeof *c);
    if (!c)
        return NULL;
    c->branch_done = branch_done;
    c->branch_ud = ud;
    c->f[c->depth++] = (rt_frame){ .b = b };
    pol_status st = run_cursor(r, c, POL_NEXT);
    r->cur = outer;
    r->step = step;
    if (st != POL_SUSPEND)
        branch_ended(r, c, st);
    r->cur = outer;
    r->step = step;
    return c;
}

void rt_pipeline_abort(rt_req *r, rt_cursor *c)
{
    if (!c->suspended)
        return;
    c->suspended = false;
    if (c->cancel) {
        void (*fn)(rt_req *, void *) = c->cancel;
        c->cancel = NULL;
        fn(r, c->cancel_ud);
    }
}
