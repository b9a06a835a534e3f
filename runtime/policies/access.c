/* Access control and cross-domain: ip-filter, check-header, cors (cors.c), cross-domain, jsonp.
 * Rejections follow spec/policies.md §2: the policy presets context.Response (status and the
 * gateway error envelope) and fails, so on-error runs with LastError set. */
#include "families.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

#include "access_int.h"

/* <ip-filter action="allow|forbid"><address>ip</address>*<address-range from to/>*</ip-filter>
 * (the docs want at least one address or range; parse checks that) */
static const char *const ip_filter_actions[] = { "allow", "forbid", NULL };
static const pol_attr ip_filter_attrs[] = {
    { "action", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, ip_filter_actions },
    { 0 },
};
static const pol_attr address_range_attrs[] = {
    { "from", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "to", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};
static const pol_child ip_filter_children[] = {
    { .name = "address", .content = POL_C_TEXT, .text_flags = POL_EXPR | POL_REQUIRED },
    { .name = "address-range", .attrs = address_range_attrs, .content = POL_C_EMPTY },
    { 0 },
};

/* <check-header name="h" failed-check-httpcode="401" failed-check-error-message="m"
 *   ignore-case="bool"><value>v</value>*</check-header> */
static const pol_attr check_header_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "failed-check-httpcode", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "failed-check-error-message", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "ignore-case", POL_T_BOOL, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};
static const pol_child check_header_children[] = {
    { .name = "value", .content = POL_C_TEXT, .text_flags = POL_EXPR },
    { 0 },
};

/* <jsonp callback-parameter-name="cb"/> */
static const pol_attr jsonp_attrs[] = {
    { "callback-parameter-name", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { 0 },
};

#define OOM(r) rt_fail(r, NULL, "OutOfMemory", "request memory limit reached")

/* ---- shared helpers (access_int.h) ---- */

int rt_access_eval_list(rt_req *r, const pol_val *v, size_t n, str **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (!n)
        return 0;
    str *l = arena_calloc(&r->arena, n, sizeof *l);
    if (!l) {
        OOM(r);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        str s;
        if (rt_val_str(r, &v[i], &s) < 0)
            return -1;
        if (s.ptr)
            l[(*nout)++] = str_trim(s);
    }
    *out = l;
    return 0;
}

int rt_access_parse_list(pol_cc *cc, const pol_node *el, const char *name, pol_val **out, size_t *n)
{
    const pol_node **kids;
    *n = pol_cc_children(cc, el, name, &kids);
    *out = NULL;
    if (!*n)
        return 0;
    *out = arena_calloc(cc->a, *n, sizeof **out);
    if (!*out)
        return pol_cc_error(cc, el, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        pol_cc_text(kids[i], &(*out)[i]);
        if (!(*out)[i].present) {
            (*out)[i].present = true;
            (*out)[i].lit = STR_LIT("");
        }
        if (!(*out)[i].ex)
            (*out)[i].lit = str_trim((*out)[i].lit);
    }
    return 0;
}

/* ---- ip-filter ---- */

/* An address as 16 bytes in network order; IPv4 is IPv4-mapped IPv6 (::ffff:a.b.c.d), so
 * "1.2.3.4" and "::ffff:1.2.3.4" are the same address and IPv4 ranges compare as 128-bit
 * numbers like IPv6 ones. */
typedef struct ip_addr {
    unsigned char b[16];
} ip_addr;

/* Parses an IPv4 or IPv6 address. Tolerates what a caller address may carry: brackets
 * ("[::1]"), a port ("1.2.3.4:80", "[::1]:443") and an IPv6 zone ("fe80::1%eth0"). */
static bool ip_parse(str s, ip_addr *out)
{
    char tmp[64];
    s = str_trim(s);
    if (s.len && s.ptr[0] == '[') {
        size_t close = 1;
        while (close < s.len && s.ptr[close] != ']')
            close++;
        if (close == s.len)
            return false;
        s = str_make(s.ptr + 1, close - 1);
    } else {
        size_t colons = 0, last = 0;
        for (size_t i = 0; i < s.len; i++) {
            if (s.ptr[i] == ':')
                colons++, last = i;
        }
        if (colons == 1) /* IPv4 with a port */
            s.len = last;
    }
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '%') {
            s.len = i;
            break;
        }
    }
    if (!s.len || s.len >= sizeof tmp)
        return false;
    memcpy(tmp, s.ptr, s.len);
    tmp[s.len] = 0;
    memset(out->b, 0, sizeof out->b);
    if (memchr(tmp, ':', s.len))
        return inet_pton(AF_INET6, tmp, out->b) == 1;
    out->b[10] = out->b[11] = 0xff;
    return inet_pton(AF_INET, tmp, out->b + 12) == 1;
}

static int ip_cmp(const ip_addr *a, const ip_addr *b)
{
    return memcmp(a->b, b->b, sizeof a->b);
}

typedef struct ip_entry {
    bool range;
    pol_val from, to; /* to: ranges only */
    bool parsed;      /* literals: lo/hi parsed at load */
    ip_addr lo, hi;
} ip_entry;

typedef struct ip_filter_conf {
    pol_val action;
    ip_entry *e;
    size_t n;
} ip_filter_conf;

static int ip_lit(pol_cc *cc, const pol_node *el, const pol_val *v, ip_addr *out)
{
    if (!ip_parse(v->lit, out))
        return pol_cc_error(cc, el, "'%.*s' is not an IPv4 or IPv6 address", STR_FMT(v->lit));
    return 0;
}

static int ip_filter_parse(pol_cc *cc, const pol_node *el, void *out)
{
    ip_filter_conf *c = out;
    pol_cc_attr(el, "action", &c->action);
    c->e = el->nkids ? arena_calloc(cc->a, el->nkids, sizeof *c->e) : NULL;
    if (el->nkids && !c->e)
        return pol_cc_error(cc, el, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < el->nkids; i++) {
        const pol_node *k = el->kids[i];
        ip_entry *e = &c->e[c->n];
        if (str_eq_cstr(k->name, "address")) {
            pol_cc_text(k, &e->from);
            e->from.lit = str_trim(e->from.lit);
            e->to = e->from;
        } else if (str_eq_cstr(k->name, "address-range")) {
            e->range = true;
            pol_cc_attr(k, "from", &e->from);
            pol_cc_attr(k, "to", &e->to);
        } else {
            continue;
        }
        c->n++;
        if (e->from.ex || e->to.ex || (e->from.src && e->from.src->unresolved) ||
            (e->to.src && e->to.src->unresolved))
            continue; /* evaluated (and checked) per request */
        if (ip_lit(cc, k, &e->from, &e->lo) < 0 || ip_lit(cc, k, &e->to, &e->hi) < 0) {
            rc = -1;
            continue;
        }
        e->parsed = true;
        if (ip_cmp(&e->lo, &e->hi) > 0)
            rc = pol_cc_error(cc, k, "from %.*s is above to %.*s", STR_FMT(e->from.lit),
                              STR_FMT(e->to.lit));
    }
    if (!c->n)
        rc = pol_cc_error(cc, el, "ip-filter needs at least one <address> or <address-range>");
    return rc;
}

/* Whether ip is in entry e (expressions evaluated now; a bad address matches nothing). */
static int ip_entry_match(rt_req *r, const ip_entry *e, const ip_addr *ip, bool *match)
{
    ip_addr lo = e->lo, hi = e->hi;
    *match = false;
    if (!e->parsed) {
        str a, b;
        if (rt_val_str(r, &e->from, &a) < 0 || rt_val_str(r, &e->to, &b) < 0)
            return -1;
        if (!a.ptr || !b.ptr || !ip_parse(a, &lo) || !ip_parse(b, &hi)) {
            rt_trace(r, "'%.*s%s%.*s' is not an address: skipped", STR_FMT(a.ptr ? a : STR_LIT("")),
                     e->range ? " - " : "", e->range ? (int)b.len : 0, e->range ? b.ptr : "");
            return 0;
        }
    }
    *match = ip_cmp(&lo, ip) <= 0 && ip_cmp(ip, &hi) <= 0;
    return 0;
}

/* APIM's body for ip-filter rejections is the generic 403 envelope ("Forbidden", observed);
 * LastError.Message carries the documented text. */
static pol_status ip_reject(rt_req *r, const char *reason, const char *message)
{
    if (!message || rt_req_error_response(r, 403, "Forbidden") < 0)
        return OOM(r);
    return rt_fail(r, NULL, reason, "%s", message);
}

static pol_status ip_filter_exec(rt_req *r, const void *conf)
{
    const ip_filter_conf *c = conf;
    str action;
    if (rt_val_str(r, &c->action, &action) < 0)
        return POL_FAIL;
    action = str_trim(action.ptr ? action : STR_LIT(""));
    bool allow = str_ieq(action, STR_LIT("allow"));
    if (!allow && !str_ieq(action, STR_LIT("forbid")))
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                       "ip-filter action must be allow or forbid, got '%.*s'", STR_FMT(action));
    str caller = r->ctx->request.ip.ptr ? str_trim(r->ctx->request.ip) : STR_LIT("");
    ip_addr ip;
    if (!ip_parse(caller, &ip))
        return ip_reject(r, "FailedToParseCallerIP",
                         "Failed to establish IP address for the caller. Access denied.");
    bool match = false;
    for (size_t i = 0; i < c->n && !match; i++) {
        if (ip_entry_match(r, &c->e[i], &ip, &match) < 0)
            return POL_FAIL;
    }
    rt_trace(r, "%s: caller %.*s %s", allow ? "allow" : "forbid", STR_FMT(caller),
             match ? "matches" : "matches nothing");
    if (allow && !match)
        return ip_reject(r, "CallerIpNotAllowed",
                         arena_sprintf(&r->arena,
                                       "Caller IP address %.*s is not allowed. Access denied.",
                                       STR_FMT(caller)));
    if (!allow && match)
        return ip_reject(r, "CallerIpBlocked", "Caller IP address is blocked. Access denied.");
    return POL_NEXT;
}

/* ---- check-header ---- */

typedef struct check_header_conf {
    pol_val name, code, message, ignore_case;
    pol_val *values;
    size_t nvalues;
} check_header_conf;

static int check_header_parse(pol_cc *cc, const pol_node *el, void *out)
{
    check_header_conf *c = out;
    pol_cc_attr(el, "name", &c->name);
    pol_cc_attr(el, "failed-check-httpcode", &c->code);
    pol_cc_attr(el, "failed-check-error-message", &c->message);
    pol_cc_attr(el, "ignore-case", &c->ignore_case);
    if (c->message.src && !c->message.ex)
        c->message.lit = c->message.src->text; /* the message as written */
    if (!c->code.ex && c->code.present) {
        int64_t code = pol_cc_int(el, "failed-check-httpcode", 0);
        if (code < 100 || code > 599)
            return pol_cc_error(cc, el, "failed-check-httpcode %lld is not an HTTP status",
                                (long long)code);
    }
    return rt_access_parse_list(cc, el, "value", &c->values, &c->nvalues);
}

static bool value_allowed(str v, const str *allowed, size_t n, bool ci)
{
    v = str_trim(v);
    for (size_t i = 0; i < n; i++) {
        if (ci ? str_ieq(v, allowed[i]) : str_eq(v, allowed[i]))
            return true;
    }
    return false;
}

/* A header value passes when one of its lines, or one comma-separated element of a line,
 * is an allowed value ("Accept: a, b" holds a and b). */
static bool header_allowed(const xv_list *l, const str *allowed, size_t n, bool ci)
{
    for (size_t i = 0; i < l->n; i++) {
        str line = l->items[i].u.s;
        if (value_allowed(line, allowed, n, ci))
            return true;
        size_t start = 0;
        for (size_t k = 0; k <= line.len; k++) {
            if (k == line.len || line.ptr[k] == ',') {
                if (value_allowed(str_make(line.ptr + start, k - start), allowed, n, ci))
                    return true;
                start = k + 1;
            }
        }
    }
    return false;
}

static str joined(rt_req *r, const xv_list *l)
{
    buf b;
    buf_init(&b, (size_t)1 << 20);
    for (size_t i = 0; i < l->n; i++)
        buf_printf(&b, "%s%.*s", i ? "," : "", STR_FMT(l->items[i].u.s));
    str s = arena_str(&r->arena, buf_str(&b));
    buf_release(&b);
    return s.ptr ? s : STR_LIT("");
}

static pol_status check_header_exec(rt_req *r, const void *conf)
{
    const check_header_conf *c = conf;
    str name, message;
    int64_t code;
    bool ci;
    str *allowed;
    size_t nallowed;
    if (rt_val_str(r, &c->name, &name) < 0 || rt_val_int(r, &c->code, 401, &code) < 0 ||
        rt_val_str(r, &c->message, &message) < 0 ||
        rt_val_bool(r, &c->ignore_case, false, &ci) < 0 ||
        rt_access_eval_list(r, c->values, c->nvalues, &allowed, &nallowed) < 0)
        return POL_FAIL;
    name = str_trim(name.ptr ? name : STR_LIT(""));
    if (code < 100 || code > 599)
        return rt_fail(r, NULL, "ExpressionValueEvaluationFailure",
                       "failed-check-httpcode %lld is not an HTTP status", (long long)code);
    const xv_list *l = rt_hdr_get(r->ctx->request.headers, name);
    const char *msg = message.ptr ? arena_strndup(&r->arena, message.ptr, message.len) : "";
    if (!l || !l->n) {
        rt_trace(r, "%.*s: not in the request", STR_FMT(name));
        if (!msg || rt_req_error_response(r, (int)code, msg) < 0)
            return OOM(r);
        return rt_fail(r, NULL, "HeaderNotFound",
                       "Header %.*s was not found in the request. Access denied.", STR_FMT(name));
    }
    if (!c->nvalues || header_allowed(l, allowed, nallowed, ci)) {
        rt_trace(r, "%.*s: %s", STR_FMT(name), c->nvalues ? "allowed value" : "present");
        return POL_NEXT;
    }
    str v = joined(r, l);
    rt_trace(r, "%.*s: value '%.*s' not allowed", STR_FMT(name), STR_FMT(v));
    if (!msg || rt_req_error_response(r, (int)code, msg) < 0)
        return OOM(r);
    return rt_fail(r, NULL, "HeaderValueNotAllowed",
                   "Header %.*s value of %.*s is not allowed. Access denied.", STR_FMT(name),
                   STR_FMT(v));
}

const pol_spec rt_policies_access[] = {
    { .name = "ip-filter",
      .sections = POL_SEC_INBOUND,
      .attrs = ip_filter_attrs,
      .content = POL_C_CHILDREN,
      .children = ip_filter_children,
      .flags = POL_UNORDERED, /* addresses and ranges may interleave */
      .conf_size = sizeof(ip_filter_conf),
      .parse = ip_filter_parse,
      .exec = ip_filter_exec },
    { .name = "check-header",
      .sections = POL_SEC_INBOUND,
      .attrs = check_header_attrs,
      .content = POL_C_CHILDREN,
      .children = check_header_children,
      .conf_size = sizeof(check_header_conf),
      .parse = check_header_parse,
      .exec = check_header_exec },
    /* The docs say "once per policy section", but cors may sit at several scopes (the first
     * one wins): not POL_ONCE. */
    { .name = "cors",
      .sections = POL_SEC_INBOUND,
      .attrs = rt_cors_attrs,
      .content = POL_C_CHILDREN,
      .children = rt_cors_children,
      .conf_size = sizeof(cors_conf),
      .parse = rt_cors_parse,
      .exec = rt_cors_exec },
    /* <cross-domain><cross-domain-policy>Flash policy</cross-domain-policy></cross-domain> */
    { .name = "cross-domain",
      .sections = POL_SEC_INBOUND,
      .content = POL_C_OPAQUE,
      .flags = POL_UNSUPPORTED_SPEC },
    { .name = "jsonp", .sections = POL_SEC_OUTBOUND, .attrs = jsonp_attrs, .content = POL_C_EMPTY },
    { 0 },
};
