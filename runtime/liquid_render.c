/* Liquid rendering: walks the template tree with a step budget, writing to a capped buf. */
#include <stdio.h>
#include <string.h>

#include "liquid_impl.h"

static int render_block(lq_state *st, const lq_block *b, buf *out);

static int emit(lq_state *st, buf *out, const char *p, size_t n)
{
    if (buf_append(out, p, n) < 0)
        return lq_fatal(st, "Liquid: output exceeds %zu bytes", out->cap);
    return 0;
}

/* A non-fatal error is written inline, as DotLiquid's default error mode does. */
static int inline_error(lq_state *st, buf *out)
{
    if (st->fatal)
        return -1;
    char tmp[300];
    int n = snprintf(tmp, sizeof tmp, "Liquid error: %s", st->err);
    st->err[0] = '\0';
    return emit(st, out, tmp, n < 0 ? 0 : (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static int emit_value(lq_state *st, buf *out, lv v)
{
    if (lq_to_text(st, v, out) < 0)
        return lq_fatal(st, "Liquid: output exceeds %zu bytes", out->cap);
    return 0;
}

static int render_if(lq_state *st, const lq_node *nd, buf *out)
{
    for (size_t i = 0; i < nd->u.cond.nbr; i++) {
        const lq_branch *br = &nd->u.cond.br[i];
        bool take = true;
        if (br->cond) {
            lv c;
            if (lq_eval(st, br->cond, &c) < 0)
                return inline_error(st, out);
            take = lq_truthy(c);
            lv_drop(c);
            if (i == 0 && nd->u.cond.unless)
                take = !take;
        }
        if (take)
            return render_block(st, &br->body, out);
    }
    return 0;
}

/* Every matching `when` renders (as in Liquid); else only when none matched. */
static int render_case(lq_state *st, const lq_node *nd, buf *out)
{
    lv subj;
    if (!nd->u.cond.subject)
        return 0;
    if (lq_eval(st, nd->u.cond.subject, &subj) < 0)
        return inline_error(st, out);
    bool matched = false;
    int r = 0;
    for (size_t i = 0; i < nd->u.cond.nbr && r == 0 && !st->interrupt; i++) {
        const lq_branch *br = &nd->u.cond.br[i];
        bool take = false;
        if (br->nvals == 0) {
            take = !matched;
        } else {
            for (size_t k = 0; k < br->nvals && !take; k++) {
                lv v;
                if ((r = lq_eval(st, br->vals[k], &v)) < 0)
                    break;
                take = lq_equals(subj, v);
                lv_drop(v);
            }
            if (r < 0) {
                r = inline_error(st, out);
                break;
            }
            matched |= take;
        }
        if (take)
            r = render_block(st, &br->body, out);
    }
    lv_drop(subj);
    return r;
}

/* An integer from an optional expression (limit/offset); def when absent or not a number. */
static int int_arg(lq_state *st, const lq_expr *e, int64_t def, int64_t *out)
{
    *out = def;
    if (!e)
        return 0;
    lv v;
    if (lq_eval(st, e, &v) < 0)
        return -1;
    int64_t i;
    double d;
    bool is_int;
    if (lq_num(v, &i, &d, &is_int) == 0)
        *out = is_int ? i : (int64_t)d;
    lv_drop(v);
    return 0;
}

static int set_forloop(json_t *scope, int64_t i, int64_t n)
{
    json_t *fl =
        json_pack("{sIsIsIsIsIsbsb}", "length", (json_int_t)n, "index", (json_int_t)(i + 1),
                  "index0", (json_int_t)i, "rindex", (json_int_t)(n - i), "rindex0",
                  (json_int_t)(n - i - 1), "first", i == 0, "last", i == n - 1);
    return fl ? json_object_set_new(scope, "forloop", fl) : -1;
}

static int render_for(lq_state *st, const lq_node *nd, buf *out)
{
    const lq_expr *ce = nd->u.loop.coll;
    lv coll = lv_nil();
    int64_t lo = 0, hi = -1, offset, limit;
    bool is_range = ce->kind == LQ_E_RANGE;
    if (is_range) { /* ranges are iterated without being materialized */
        if (int_arg(st, ce->u.bin.a, 0, &lo) < 0 || int_arg(st, ce->u.bin.b, -1, &hi) < 0)
            return inline_error(st, out);
    } else if (lq_eval(st, ce, &coll) < 0) {
        return inline_error(st, out);
    }
    json_t *items = NULL; /* borrowed from coll or owned (object pairs, one string) */
    bool own = false;
    int64_t n = is_range ? (hi >= lo ? hi - lo + 1 : 0) : 0;
    if (!is_range && coll.j) {
        if (json_is_array(coll.j)) {
            items = coll.j;
        } else if (json_is_object(coll.j)) {
            own = true;
            items = json_array();
            const char *k;
            json_t *v;
            json_object_foreach(coll.j, k, v)
            {
                if (lq_charge(st, 1) < 0)
                    break;
                json_array_append_new(items, json_pack("[sO]", k, v));
            }
        } else if (!json_is_null(coll.j)) {
            own = true;
            items = json_pack("[O]", coll.j);
        }
        n = items ? (int64_t)json_array_size(items) : 0;
    }
    int r = st->fatal ? -1 : 0;
    if (r == 0 && (int_arg(st, nd->u.loop.offset, 0, &offset) < 0 ||
                   int_arg(st, nd->u.loop.limit, n, &limit) < 0))
        r = inline_error(st, out);
    int64_t from = 0, to = 0;
    if (r == 0) {
        from = offset < 0 ? 0 : offset > n ? n : offset;
        to = limit < 0 ? from : (limit > n - from ? n : from + limit);
    }
    int64_t count = to - from;
    if (r == 0 && count <= 0) {
        r = render_block(st, &nd->u.loop.els, out);
    } else if (r == 0) {
        json_t *scope = json_object();
        if (!scope || st->nscopes >= RT_LIQUID_MAX_DEPTH) {
            r = lq_fatal(st, "Liquid: loops nested too deeply");
        } else {
            st->scopes[st->nscopes++] = scope;
            for (int64_t k = 0; k < count && r == 0; k++) {
                int64_t idx = nd->u.loop.reversed ? to - 1 - k : from + k;
                if ((r = lq_charge(st, 1)) < 0)
                    break;
                json_t *item = is_range ? json_integer(lo + idx)
                                        : json_incref(json_array_get(items, (size_t)idx));
                if (set_forloop(scope, k, count) < 0) {
                    json_decref(item);
                    r = lq_fatal(st, "Liquid: out of memory");
                    break;
                }
                /* setn_new takes item's reference even when it fails */
                if (json_object_setn_new(scope, nd->u.loop.var.ptr, nd->u.loop.var.len,
                                         item ? item : json_null()) < 0) {
                    r = lq_fatal(st, "Liquid: out of memory");
                    break;
                }
                r = render_block(st, &nd->u.loop.body, out);
                if (st->interrupt == LQ_BREAK) {
                    st->interrupt = 0;
                    break;
                }
                st->interrupt = 0;
            }
            st->nscopes--;
        }
        json_decref(scope);
    }
    if (own)
        json_decref(items);
    lv_drop(coll);
    return r;
}

static int render_capture(lq_state *st, const lq_node *nd, buf *out)
{
    buf tmp;
    buf_init(&tmp, out->cap);
    int r = render_block(st, &nd->u.assign.body, &tmp);
    str s = buf_str(&tmp);
    lv v = lv_nil();
    if (r == 0 && (r = lq_mkstr(st, s.ptr, s.len, &v)) == 0)
        json_object_setn_new(st->globals, nd->u.assign.var.ptr, nd->u.assign.var.len, v.j);
    buf_release(&tmp);
    return r;
}

static int render_cycle(lq_state *st, const lq_node *nd, buf *out)
{
    str key = nd->u.cycle.key;
    lv g = lv_nil();
    if (nd->u.cycle.group) {
        if (lq_eval(st, nd->u.cycle.group, &g) < 0)
            return inline_error(st, out);
        if (g.j && json_is_string(g.j))
            key = (str){ json_string_value(g.j), json_string_length(g.j) };
    }
    json_t *pos = json_object_getn(st->cycles, key.ptr, key.len);
    size_t i = pos ? (size_t)json_integer_value(pos) : 0;
    json_object_setn_new(st->cycles, key.ptr, key.len, json_integer((json_int_t)(i + 1)));
    lv_drop(g);
    lv v;
    if (lq_eval(st, nd->u.cycle.vals[i % nd->u.cycle.n], &v) < 0)
        return inline_error(st, out);
    int r = emit_value(st, out, v);
    lv_drop(v);
    return r;
}

static int render_counter(lq_state *st, const lq_node *nd, buf *out)
{
    str var = nd->u.assign.var;
    json_t *c = json_object_getn(st->counters, var.ptr, var.len);
    json_int_t v = c ? json_integer_value(c) : 0;
    if (nd->kind == LQ_N_DECREMENT)
        v--;
    int r = buf_printf(out, "%lld", (long long)v);
    if (nd->kind == LQ_N_INCREMENT)
        v++;
    json_object_setn_new(st->counters, var.ptr, var.len, json_integer(v));
    return r < 0 ? lq_fatal(st, "Liquid: output exceeds %zu bytes", out->cap) : 0;
}

static int render_node(lq_state *st, const lq_node *nd, buf *out)
{
    switch (nd->kind) {
    case LQ_N_TEXT:
        return emit(st, out, nd->u.text.ptr, nd->u.text.len);
    case LQ_N_OUTPUT: {
        lv v;
        if (lq_eval(st, nd->u.e, &v) < 0)
            return inline_error(st, out);
        int r = emit_value(st, out, v);
        lv_drop(v);
        return r;
    }
    case LQ_N_IF:
        return render_if(st, nd, out);
    case LQ_N_CASE:
        return render_case(st, nd, out);
    case LQ_N_FOR:
        return render_for(st, nd, out);
    case LQ_N_BREAK:
        st->interrupt = LQ_BREAK;
        return 0;
    case LQ_N_CONTINUE:
        st->interrupt = LQ_CONTINUE;
        return 0;
    case LQ_N_ASSIGN: {
        lv v;
        if (lq_eval(st, nd->u.assign.e, &v) < 0)
            return inline_error(st, out);
        json_object_setn_new(st->globals, nd->u.assign.var.ptr, nd->u.assign.var.len,
                             v.j ? v.j : json_null());
        return 0;
    }
    case LQ_N_CAPTURE:
        return render_capture(st, nd, out);
    case LQ_N_CYCLE:
        return render_cycle(st, nd, out);
    case LQ_N_INCREMENT:
    case LQ_N_DECREMENT:
        return render_counter(st, nd, out);
    }
    return 0;
}

static int render_block(lq_state *st, const lq_block *b, buf *out)
{
    for (size_t i = 0; i < b->n && !st->interrupt; i++) {
        if (lq_charge(st, 1) < 0 || render_node(st, b->items[i], out) < 0)
            return -1;
    }
    return 0;
}

int rt_liquid_render(const rt_liquid *t, const rt_liquid_data *data, buf *out, char *err,
                     size_t errlen)
{
    lq_state st = { .data = data, .budget = data->budget ? data->budget : RT_LIQUID_STEP_BUDGET };
    st.out_cap = out->cap;
    st.globals = json_object();
    st.counters = json_object();
    st.cycles = json_object();
    int r;
    if (!st.globals || !st.counters || !st.cycles)
        r = lq_fatal(&st, "Liquid: out of memory");
    else
        r = render_block(&st, &t->root, out);
    json_decref(st.globals);
    json_decref(st.counters);
    json_decref(st.cycles);
    if (r < 0 && err && errlen)
        snprintf(err, errlen, "%s", st.err[0] ? st.err : "Liquid: render failed");
    return r;
}
