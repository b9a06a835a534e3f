/* System.Random. `new Random()` draws from env->host->random (tests script it); NextDouble()
 * is random(0, 2^53) / 2^53. `new Random(seed)` reproduces .NET's seeded generator (the
 * legacy subtractive algorithm .NET still uses for explicit seeds), so seeded sequences
 * match .NET. */
#include <stdint.h>

#include "lib1.h"

#define I &expr_class_int
#define D &expr_class_double

/* ---- Random ---- */

typedef struct rng {
    bool seeded;
    int32_t seed[56];
    int inext, inextp;
} rng;

static void rng_seed(rng *r, int32_t seed)
{
    const int32_t MBIG = INT32_MAX, MSEED = 161803398;
    int32_t sub = seed == INT32_MIN ? INT32_MAX : (seed < 0 ? -seed : seed);
    int32_t mj = MSEED - sub, mk = 1;
    r->seed[55] = mj;
    int ii = 0;
    for (int i = 1; i < 55; i++) {
        if ((ii += 21) >= 55)
            ii -= 55;
        r->seed[ii] = mk;
        mk = mj - mk;
        if (mk < 0)
            mk += MBIG;
        mj = r->seed[ii];
    }
    for (int k = 1; k < 5; k++)
        for (int i = 1; i < 56; i++) {
            int n = i + 30;
            if (n >= 55)
                n -= 55;
            r->seed[i] -= r->seed[1 + n];
            if (r->seed[i] < 0)
                r->seed[i] += MBIG;
        }
    r->inext = 0;
    r->inextp = 21;
    r->seeded = true;
}

static int32_t rng_sample(rng *r)
{
    int a = r->inext + 1, b = r->inextp + 1;
    if (a >= 56)
        a = 1;
    if (b >= 56)
        b = 1;
    int32_t v = r->seed[a] - r->seed[b];
    if (v == INT32_MAX)
        v--;
    if (v < 0)
        v += INT32_MAX;
    r->seed[a] = v;
    r->inext = a;
    r->inextp = b;
    return v;
}

static double rng_double(rng *r)
{
    return rng_sample(r) * (1.0 / INT32_MAX);
}

static double rng_large(rng *r)
{
    int32_t v = rng_sample(r);
    if (rng_sample(r) % 2 == 0)
        v = -v;
    double d = v;
    d += INT32_MAX - 1;
    d /= 2.0 * INT32_MAX - 1;
    return d;
}

/* lo <= result < hi */
static int64_t rng_range(expr_env *env, rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    if (!r->seeded)
        return env->host->random(env, lo, hi);
    int64_t range = hi - lo;
    if (range <= INT32_MAX)
        return (int64_t)(rng_double(r) * (double)range) + lo;
    return (int64_t)(rng_large(r) * (double)range) + lo;
}

static int rnd_ctor(xv_call *c, xv *out)
{
    rng *r = arena_alloc(c->env->a, sizeof *r);
    if (!r)
        return lib1_oom(c->env);
    if (c->nargs == 1) {
        int64_t seed;
        if (lib1_i32(c, 0, "Random..ctor", &seed) < 0)
            return -1;
        rng_seed(r, (int32_t)seed);
    }
    *out = xv_obj(&lib1_class_random, r);
    return 0;
}

static int rnd_next(xv_call *c, xv *out)
{
    rng *r = c->self.u.obj.ptr;
    int64_t lo = 0, hi = INT32_MAX;
    if (c->nargs == 1) {
        if (lib1_i32(c, 0, "Random.Next", &hi) < 0)
            return -1;
        if (hi < 0)
            return expr_throw(
                c->env, "ArgumentOutOfRangeException",
                "'maxValue' must be greater than or equal to zero. (Parameter 'maxValue')");
    } else if (c->nargs == 2) {
        if (lib1_i32(c, 0, "Random.Next", &lo) < 0 || lib1_i32(c, 1, "Random.Next", &hi) < 0)
            return -1;
        if (lo > hi)
            return expr_throw(c->env, "ArgumentOutOfRangeException",
                              "'minValue' cannot be greater than maxValue. (Parameter 'minValue')");
    }
    if (c->nargs == 0 && r->seeded) {
        *out = xv_int(rng_sample(r));
        return 0;
    }
    if (c->nargs == 1 && r->seeded) {
        *out = xv_int((int64_t)(rng_double(r) * (double)hi));
        return 0;
    }
    *out = xv_int(rng_range(c->env, r, lo, hi));
    return 0;
}

static int rnd_next_int64(xv_call *c, xv *out)
{
    rng *r = c->self.u.obj.ptr;
    int64_t lo = 0, hi = INT64_MAX;
    if (c->nargs == 1 && lib1_int(c, 0, "Random.NextInt64", &hi) < 0)
        return -1;
    if (c->nargs == 2 && (lib1_int(c, 0, "Random.NextInt64", &lo) < 0 ||
                          lib1_int(c, 1, "Random.NextInt64", &hi) < 0))
        return -1;
    if (lo > hi || hi < 0)
        return expr_throw(c->env, "ArgumentOutOfRangeException",
                          "'minValue' cannot be greater than maxValue. (Parameter 'minValue')");
    if (r->seeded) {
        double d = rng_large(r);
        *out = xv_long(lo + (int64_t)(d * ((double)hi - (double)lo)));
        return 0;
    }
    *out = xv_long(c->env->host->random(c->env, lo, hi > lo ? hi : lo + 1));
    return 0;
}

static int rnd_next_double(xv_call *c, xv *out)
{
    rng *r = c->self.u.obj.ptr;
    if (r->seeded) {
        *out = xv_double(rng_double(r));
        return 0;
    }
    int64_t v = c->env->host->random(c->env, 0, (int64_t)1 << 53);
    *out = xv_double((double)v / 9007199254740992.0);
    return 0;
}

static int rnd_next_bytes(xv_call *c, xv *out)
{
    rng *r = c->self.u.obj.ptr;
    str b;
    if (lib1_bytes(c, 0, "Random.NextBytes", &b) < 0)
        return -1;
    if (c->args[0].kind != XV_BYTES)
        return lib1_arg_error(c, 0, "Random.NextBytes", "byte[]");
    char *p = (char *)(uintptr_t)b.ptr;
    for (size_t i = 0; i < b.len; i++)
        p[i] = (char)(r->seeded ? rng_sample(r) % 256 : rng_range(c->env, r, 0, 256));
    *out = xv_null();
    return 0;
}

static const xv_method rnd_methods[] = {
    { "Next", 0, 2, rnd_next, I, 0, NULL },
    { "NextBytes", 1, 1, rnd_next_bytes, NULL, 0, NULL },
    { "NextDouble", 0, 0, rnd_next_double, D, 0, NULL },
    { "NextInt64", 0, 2, rnd_next_int64, &expr_class_long, 0, NULL },
};
static const char *const rnd_aliases[] = { "System.Random", NULL };
const xv_class lib1_class_random = {
    .name = "Random",
    .aliases = rnd_aliases,
    .base = &expr_class_object,
    .methods = rnd_methods,
    .nmethods = sizeof rnd_methods / sizeof rnd_methods[0],
    .ctor = rnd_ctor,
    .ctor_min = 0,
    .ctor_max = 1,
};
