/* Operators with C# semantics, member access and indexers. */
#include <math.h>
#include <string.h>

#include "eval.h"

static xv unjson(expr_env *env, xv v)
{
    if (v.kind == XV_JSON && v.u.j && !json_is_object(v.u.j) && !json_is_array(v.u.j)) {
        xv r;
        if (xv_from_jvalue(env, v.u.j, &r) == 0)
            return r;
    }
    return v;
}

int ev_concat(expr_env *env, xv a, xv b, xv *out)
{
    str sa = STR_LIT(""), sb = STR_LIT("");
    if ((!xv_is_null(a) && xv_to_string(env, a, &sa) < 0) ||
        (!xv_is_null(b) && xv_to_string(env, b, &sb) < 0))
        return -1;
    if (sa.len == 0) {
        *out = xv_str(sb);
        return 0;
    }
    if (sb.len == 0) {
        *out = xv_str(sa);
        return 0;
    }
    char *p = arena_alloc(env->a, sa.len + sb.len + 1);
    if (!p)
        return ev_oom(env);
    memcpy(p, sa.ptr, sa.len);
    memcpy(p + sa.len, sb.ptr, sb.len);
    *out = xv_str((str){ p, sa.len + sb.len });
    return 0;
}

static bool is_num(xv v)
{
    return v.kind == XV_INT || v.kind == XV_DOUBLE || v.kind == XV_CHAR;
}

static int div_zero(expr_env *env)
{
    return expr_throw(env, "DivideByZeroException", "Attempted to divide by zero.");
}

static int arith_double(expr_env *env, int op, xv a, xv b, xv *out)
{
    double x = a.kind == XV_DOUBLE ? a.u.d : a.kind == XV_CHAR ? a.u.ch : (double)a.u.i;
    double y = b.kind == XV_DOUBLE ? b.u.d : b.kind == XV_CHAR ? b.u.ch : (double)b.u.i;
    bool dec = (a.kind == XV_DOUBLE && a.sub == XV_SUB_DECIMAL) ||
               (b.kind == XV_DOUBLE && b.sub == XV_SUB_DECIMAL);
    bool flt = (a.kind != XV_DOUBLE || a.sub == XV_SUB_FLOAT) &&
               (b.kind != XV_DOUBLE || b.sub == XV_SUB_FLOAT);
    double r;
    switch (op) {
    case EXPR_TOK_PLUS:
        r = x + y;
        break;
    case EXPR_TOK_MINUS:
        r = x - y;
        break;
    case EXPR_TOK_STAR:
        r = x * y;
        break;
    case EXPR_TOK_SLASH:
        if (dec && y == 0)
            return div_zero(env);
        r = x / y;
        break;
    case EXPR_TOK_PERCENT:
        if (dec && y == 0)
            return div_zero(env);
        r = fmod(x, y);
        break;
    default:
        return 1;
    }
    *out = xv_double(flt ? (double)(float)r : r);
    out->sub = dec ? XV_SUB_DECIMAL : flt ? XV_SUB_FLOAT : XV_SUB_NONE;
    return 0;
}

static int arith_int(expr_env *env, int op, xv a, xv b, xv *out)
{
    int64_t x = a.kind == XV_CHAR ? a.u.ch : a.u.i;
    int64_t y = b.kind == XV_CHAR ? b.u.ch : b.u.i;
    bool wide =
        (a.kind == XV_INT && a.sub == XV_SUB_INT64) || (b.kind == XV_INT && b.sub == XV_SUB_INT64);
    uint64_t ux = (uint64_t)x, uy = (uint64_t)y, r;
    int64_t min = wide ? INT64_MIN : INT32_MIN;
    switch (op) {
    case EXPR_TOK_PLUS:
        r = ux + uy;
        break;
    case EXPR_TOK_MINUS:
        r = ux - uy;
        break;
    case EXPR_TOK_STAR:
        r = ux * uy;
        break;
    case EXPR_TOK_SLASH:
    case EXPR_TOK_PERCENT:
        if (y == 0)
            return div_zero(env);
        if (x == min && y == -1) {
            if (op == EXPR_TOK_SLASH)
                return expr_throw(env, "OverflowException",
                                  "Arithmetic operation resulted in an overflow.");
            r = 0;
        } else {
            r = (uint64_t)(op == EXPR_TOK_SLASH ? x / y : x % y);
        }
        break;
    case EXPR_TOK_AMP:
        r = ux & uy;
        break;
    case EXPR_TOK_PIPE:
        r = ux | uy;
        break;
    case EXPR_TOK_CARET:
        r = ux ^ uy;
        break;
    case EXPR_TOK_SHL:
        r = ux << (y & (wide ? 63 : 31));
        break;
    case EXPR_TOK_SHR:
        r = (uint64_t)((wide ? x : (int64_t)(int32_t)x) >> (y & (wide ? 63 : 31)));
        break;
    default:
        return 1;
    }
    *out = wide ? xv_long((int64_t)r) : xv_int((int64_t)(int32_t)(uint32_t)r);
    return 0;
}

static int compare_op(expr_env *env, int op, xv a, xv b, xv *out)
{
    if (xv_is_null(a) || xv_is_null(b)) {
        *out = xv_bool(false);
        return 0;
    }
    if (a.kind == XV_STR || b.kind == XV_STR)
        return expr_throw(env, "InvalidOperationException",
                          "operator cannot be applied to operands of type '%s' and '%s'",
                          xv_type_name(a), xv_type_name(b));
    int c = xv_compare(a, b);
    if (c == -2)
        return expr_throw(env, "InvalidOperationException",
                          "operator cannot be applied to operands of type '%s' and '%s'",
                          xv_type_name(a), xv_type_name(b));
    bool r = op == EXPR_TOK_LT   ? c < 0
             : op == EXPR_TOK_GT ? c > 0
             : op == EXPR_TOK_LE ? c <= 0
                                 : c >= 0;
    if ((a.kind == XV_DOUBLE && isnan(a.u.d)) || (b.kind == XV_DOUBLE && isnan(b.u.d)))
        r = false;
    *out = xv_bool(r);
    return 0;
}

/* ---- user-defined operators and conversions (xv_class hooks) ---- */

int expr_implicit_from(expr_env *env, const xv_class *cls, xv v, xv *out)
{
    if (xv_is_null(v))
        return 0;
    for (const xv_class *k = xv_class_of(v); k; k = k->base)
        if (k == cls)
            return 0;
    for (const xv_class *c = cls; c; c = c->base)
        if (c->from)
            return c->from(env, v, out);
    return 0;
}

static const xv_class *binop_class(xv v)
{
    if (v.kind != XV_OBJ)
        return NULL;
    for (const xv_class *c = v.u.obj.cls; c; c = c->base)
        if (c->binop)
            return c;
    return NULL;
}

static int op_char(int op)
{
    switch (op) {
    case EXPR_TOK_PLUS:
        return '+';
    case EXPR_TOK_MINUS:
        return '-';
    case EXPR_TOK_STAR:
        return '*';
    case EXPR_TOK_SLASH:
        return '/';
    case EXPR_TOK_PERCENT:
        return '%';
    case EXPR_TOK_EQ:
    case EXPR_TOK_NE:
        return '=';
    default:
        return 0;
    }
}

/* The binop hook of a's class, then b's: 1 handled, 0 none, -1 thrown. */
static int user_binop(expr_env *env, int op, xv a, xv b, xv *out)
{
    const xv_class *ca = binop_class(a), *cb = binop_class(b);
    int ch = op_char(op), rc = 0;
    if (!ch || (!ca && !cb))
        return 0;
    if (ca)
        rc = ca->binop(env, ch, a, b, out);
    if (rc == 0 && cb && cb != ca)
        rc = cb->binop(env, ch, a, b, out);
    return rc;
}

/* == and != : an object of a class with an implicit conversion from string compares with a
 * string after converting it (el.Name == "a"); classes may define == (binop '='). */
static int equality(expr_env *env, int op, xv a, xv b, xv *out)
{
    xv conv, r;
    int rc = 0;
    if (a.kind == XV_OBJ && b.kind == XV_STR)
        rc = expr_implicit_from(env, a.u.obj.cls, b, &conv);
    else if (b.kind == XV_OBJ && a.kind == XV_STR)
        rc = expr_implicit_from(env, b.u.obj.cls, a, &conv);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        if (a.kind == XV_STR)
            a = conv;
        else
            b = conv;
    }
    rc = user_binop(env, op, a, b, &r);
    if (rc < 0)
        return -1;
    bool eq = rc > 0 ? r.kind == XV_BOOL && r.u.b : xv_equals(a, b);
    *out = xv_bool(op == EXPR_TOK_EQ ? eq : !eq);
    return 0;
}

static bool is_date_kind(xv v)
{
    return v.kind == XV_DATETIME || v.kind == XV_TIMESPAN;
}

int expr_binop(expr_env *env, int op, xv a, xv b, xv *out)
{
    if (op == EXPR_TOK_EQ || op == EXPR_TOK_NE)
        return equality(env, op, a, b, out);
    if (a.kind == XV_OBJ || b.kind == XV_OBJ) {
        int rc = user_binop(env, op, a, b, out);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    if (op == EXPR_TOK_PLUS && (a.kind == XV_STR || b.kind == XV_STR))
        return ev_concat(env, a, b, out);
    a = unjson(env, a);
    b = unjson(env, b);
    if (op == EXPR_TOK_PLUS && (a.kind == XV_STR || b.kind == XV_STR))
        return ev_concat(env, a, b, out);
    if (op == EXPR_TOK_LT || op == EXPR_TOK_GT || op == EXPR_TOK_LE || op == EXPR_TOK_GE)
        return compare_op(env, op, a, b, out);
    if ((op == EXPR_TOK_PLUS || op == EXPR_TOK_MINUS || op == EXPR_TOK_STAR ||
         op == EXPR_TOK_SLASH) &&
        (is_date_kind(a) || is_date_kind(b))) {
        int rc = expr_datetime_arith(env, op_char(op), a, b, out);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    if (xv_is_null(a) || xv_is_null(b)) {
        *out = xv_null();
        return 0;
    }
    if (a.kind == XV_BOOL && b.kind == XV_BOOL &&
        (op == EXPR_TOK_AMP || op == EXPR_TOK_PIPE || op == EXPR_TOK_CARET)) {
        bool r = op == EXPR_TOK_AMP    ? (a.u.b && b.u.b)
                 : op == EXPR_TOK_PIPE ? (a.u.b || b.u.b)
                                       : (a.u.b != b.u.b);
        *out = xv_bool(r);
        return 0;
    }
    if (a.kind == XV_ENUM && b.kind == XV_ENUM &&
        (op == EXPR_TOK_AMP || op == EXPR_TOK_PIPE || op == EXPR_TOK_CARET)) {
        *out = a;
        out->u.en.v = op == EXPR_TOK_AMP    ? (a.u.en.v & b.u.en.v)
                      : op == EXPR_TOK_PIPE ? (a.u.en.v | b.u.en.v)
                                            : (a.u.en.v ^ b.u.en.v);
        return 0;
    }
    if (is_num(a) && is_num(b)) {
        int rc = (a.kind == XV_DOUBLE || b.kind == XV_DOUBLE) ? arith_double(env, op, a, b, out)
                                                              : arith_int(env, op, a, b, out);
        if (rc <= 0)
            return rc;
    }
    return expr_throw(env, "InvalidOperationException",
                      "operator %s cannot be applied to operands of type '%s' and '%s'",
                      expr_tok_name(op), xv_type_name(a), xv_type_name(b));
}

int expr_unop(expr_env *env, int op, xv a, xv *out)
{
    a = unjson(env, a);
    if (xv_is_null(a)) {
        *out = a;
        return 0;
    }
    if (op == EXPR_TOK_BANG && a.kind == XV_BOOL) {
        *out = xv_bool(!a.u.b);
        return 0;
    }
    if (a.kind == XV_CHAR)
        a = xv_int(a.u.ch);
    if (a.kind == XV_INT && op != EXPR_TOK_BANG) {
        bool wide = a.sub == XV_SUB_INT64;
        uint64_t u = (uint64_t)a.u.i;
        uint64_t r = op == EXPR_TOK_MINUS ? 0 - u : op == EXPR_TOK_TILDE ? ~u : u;
        *out = wide ? xv_long((int64_t)r) : xv_int((int64_t)(int32_t)(uint32_t)r);
        return 0;
    }
    if (a.kind == XV_DOUBLE && (op == EXPR_TOK_MINUS || op == EXPR_TOK_PLUS)) {
        *out = a;
        if (op == EXPR_TOK_MINUS)
            out->u.d = -a.u.d;
        return 0;
    }
    if (a.kind == XV_TIMESPAN && (op == EXPR_TOK_MINUS || op == EXPR_TOK_PLUS)) {
        if (op == EXPR_TOK_MINUS && a.u.i == INT64_MIN)
            return expr_throw(env, "OverflowException",
                              "Negating the minimum value of a twos complement number is invalid.");
        *out = a;
        if (op == EXPR_TOK_MINUS)
            out->u.i = -a.u.i;
        return 0;
    }
    return expr_throw(env, "InvalidOperationException",
                      "operator %s cannot be applied to an operand of type '%s'", expr_tok_name(op),
                      xv_type_name(a));
}

/* ---- members ---- */

static int read_member(expr_env *env, const xv_member *m, xv self, xv *out)
{
    if (m->get)
        return m->get(env, self, out);
    if (env->host && self.kind == XV_OBJ)
        return env->host->get(env, self, m->host_id, out);
    return expr_throw(env, "NotSupportedException", "member '%s' is not available here", m->name);
}

int ev_get_member(expr_env *env, const expr_node *n, xv self, xv *out)
{
    if (n->op == EXPR_MEM_STATIC)
        return read_member(env, n->mem, xv_null(), out);
    if (xv_is_null(self))
        return ev_null_ref(env);
    if (self.kind == XV_OBJ && self.u.obj.cls == &expr_class_anon) {
        const expr_anon *an = self.u.obj.ptr;
        for (uint32_t i = 0; i < an->n; i++) {
            if (str_eq(an->names[i], n->name)) {
                *out = an->vals[i];
                return 0;
            }
        }
    } else {
        const xv_class *vc = xv_class_of(self);
        /* the resolver's member when the value has the class it was found in */
        const xv_member *m = n->mem && vc == n->mem_cls ? n->mem : expr_find_member(vc, n->name);
        if (!m)
            m = n->mem;
        if (m)
            return read_member(env, m, self, out);
    }
    return expr_throw(env, "InvalidOperationException", "'%s' has no member '%.*s'",
                      xv_type_name(self), STR_FMT(n->name));
}

int ev_set_member(expr_env *env, const expr_node *n, xv self, xv val)
{
    const xv_member *m = n->op == EXPR_MEM_STATIC ? n->mem : NULL;
    if (!m) {
        if (xv_is_null(self))
            return ev_null_ref(env);
        m = expr_find_member(xv_class_of(self), n->name);
    }
    if (!m || !m->set)
        return expr_throw(env, "InvalidOperationException", "member '%.*s' of '%s' is read only",
                          STR_FMT(n->name), xv_type_name(self));
    return m->set(env, self, val);
}

/* ---- indexers ---- */

static xv_fn find_indexer(const xv_class *c, bool set)
{
    for (; c; c = c->base) {
        xv_fn f = set ? c->index_set : c->index_get;
        if (f)
            return f;
    }
    return NULL;
}

static int index_int(expr_env *env, xv v, int64_t *out)
{
    v = unjson(env, v);
    if (v.kind == XV_INT || v.kind == XV_CHAR) {
        *out = v.kind == XV_CHAR ? v.u.ch : v.u.i;
        return 0;
    }
    return expr_throw(env, "InvalidCastException", "index must be an integer, got %s",
                      xv_type_name(v));
}

static int index_native(expr_env *env, xv self, xv key, xv *out)
{
    int64_t i;
    switch (self.kind) {
    case XV_LIST:
        if (index_int(env, key, &i) < 0)
            return -1;
        if (i < 0 || (uint64_t)i >= self.u.list->n)
            return expr_throw(env,
                              self.u.list->flavor == XV_LIST_ARRAY ? "IndexOutOfRangeException"
                                                                   : "ArgumentOutOfRangeException",
                              "Index was outside the bounds of the array.");
        *out = self.u.list->items[i];
        return 0;
    case XV_DICT: {
        str k;
        if (xv_to_string(env, key, &k) < 0)
            return -1;
        xv *v = xv_dict_get(self.u.dict, k);
        if (!v)
            return expr_throw(env, "KeyNotFoundException",
                              "The given key '%.*s' was not present in the dictionary.",
                              STR_FMT(k));
        *out = *v;
        return 0;
    }
    case XV_STR:
    case XV_BYTES:
        if (index_int(env, key, &i) < 0)
            return -1;
        if (i < 0 || (uint64_t)i >= self.u.s.len)
            return expr_throw(env, "IndexOutOfRangeException",
                              "Index was outside the bounds of the array.");
        *out = self.kind == XV_STR ? xv_char((uint8_t)self.u.s.ptr[i])
                                   : xv_int((uint8_t)self.u.s.ptr[i]);
        if (self.kind == XV_BYTES)
            out->sub = XV_SUB_BYTE;
        return 0;
    case XV_JSON:
        if (json_is_object(self.u.j)) {
            str k;
            if (xv_to_string(env, key, &k) < 0)
                return -1;
            json_t *v = json_object_getn(self.u.j, k.ptr, k.len);
            *out = xv_null();
            return v ? xv_json(env, json_incref(v), out) : 0;
        }
        if (json_is_array(self.u.j)) {
            if (index_int(env, key, &i) < 0)
                return -1;
            if (i < 0 || (size_t)i >= json_array_size(self.u.j))
                return expr_throw(env, "ArgumentOutOfRangeException", "Index was out of range.");
            return xv_json(env, json_incref(json_array_get(self.u.j, (size_t)i)), out);
        }
        break;
    default:
        break;
    }
    return expr_throw(env, "InvalidOperationException", "cannot apply indexing to '%s'",
                      xv_type_name(self));
}

int ev_index_get(expr_env *env, xv self, const xv *idx, size_t n, size_t off, xv *out)
{
    if (xv_is_null(self))
        return ev_null_ref(env);
    xv_fn f = find_indexer(xv_class_of(self), false);
    if (f) {
        xv_call c = { .env = env, .self = self, .args = idx, .nargs = n, .off = off };
        return f(&c, out);
    }
    if (n != 1)
        return expr_throw(env, "InvalidOperationException", "wrong number of indices");
    return index_native(env, self, idx[0], out);
}

int ev_index_set(expr_env *env, xv self, const xv *idx, size_t n, xv val, size_t off)
{
    if (xv_is_null(self))
        return ev_null_ref(env);
    xv_fn f = find_indexer(xv_class_of(self), true);
    xv args[8];
    if (f && n < 8) {
        memcpy(args, idx, n * sizeof *idx);
        args[n] = val;
        xv_call c = { .env = env, .self = self, .args = args, .nargs = n + 1, .off = off };
        xv ignored;
        return f(&c, &ignored);
    }
    int64_t i;
    if (n == 1 && self.kind == XV_LIST) {
        if (index_int(env, idx[0], &i) < 0)
            return -1;
        if (i < 0 || (uint64_t)i >= self.u.list->n)
            return expr_throw(env, "IndexOutOfRangeException",
                              "Index was outside the bounds of the array.");
        self.u.list->items[i] = val;
        return 0;
    }
    if (n == 1 && self.kind == XV_DICT) {
        str k;
        if (self.u.dict->readonly)
            return expr_throw(env, "NotSupportedException", "Collection is read-only.");
        if (xv_to_string(env, idx[0], &k) < 0)
            return -1;
        return xv_dict_set(env, self.u.dict, k, val);
    }
    if (n == 1 && self.kind == XV_JSON && json_is_object(self.u.j)) {
        str k;
        if (xv_to_string(env, idx[0], &k) < 0)
            return -1;
        json_t *j = xv_to_json(env, val);
        if (!j)
            return -1;
        json_object_setn_new(self.u.j, k.ptr, k.len, j);
        return 0;
    }
    return expr_throw(env, "InvalidOperationException", "cannot assign through an index of '%s'",
                      xv_type_name(self));
}
