/* Validation of a parsed document against the vocabulary, generically from the spec.h tables:
 * sections and <base/>, policies per section, POL_ONCE, attributes (known, required, typed
 * literals, expressions allowed, rules), child elements (known, placed, counted), text and
 * opaque content. Every expression is compiled here, with positions mapped to the user's
 * file. include-fragment is inlined and its statements checked against the enclosing
 * section. */
#include "impl.h"

#define ONCE_MAX 64
#define NEST_MAX 64

typedef struct once_count {
    const pol_spec *spec;
    unsigned n;
} once_count;

typedef struct vctx {
    arena *a;
    pol_doc *doc;
    const pol_env *env;
    diag_list *d;
    unsigned sec_flag;    /* POL_SEC_* of the section being checked; 0 = any (fragment) */
    const char *sec_name; /* "inbound", ..., or "a fragment" */
    once_count once[ONCE_MAX];
    size_t nonce;
    const pol_node *include_site; /* walking an inlined fragment: its include-fragment */
    unsigned bases;
    bool unordered; /* the policy being validated has POL_UNORDERED */
} vctx;

static const pol_spec *find_spec(const vctx *v, str name)
{
    return v->env && v->env->find ? v->env->find(name.ptr, name.len) : NULL;
}

/* After a diagnostic about an inlined fragment statement, point at the include site. */
static void note_include(vctx *v)
{
    if (v->include_site)
        pol_diag(v->d, DIAG_NOTE, v->include_site->loc, "included from here");
}

/* ---- suggestions and placement hints ---- */

typedef struct suggest {
    str name;
    const char *best;
    size_t dist;
} suggest;

static void suggest_spec(const pol_spec *s, void *ud)
{
    suggest *sg = ud;
    size_t cap = sg->name.len >= 12 ? 3 : sg->name.len >= 5 ? 2 : 1;
    size_t dd = pol_edit_distance(sg->name, str_from(s->name), cap);
    if (dd <= cap && dd < sg->dist) {
        sg->best = s->name;
        sg->dist = dd;
    }
}

typedef struct parents {
    str name;
    const char *found[4];
    size_t n;
} parents;

static void add_parent(parents *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++) {
        if (!strcmp(p->found[i], name))
            return;
    }
    if (p->n < 4)
        p->found[p->n++] = name;
}

static void scan_children(parents *p, const char *owner, const pol_child *ch, int depth)
{
    for (; ch && ch->name && depth < NEST_MAX; ch++) {
        if (str_eq_cstr(p->name, ch->name))
            add_parent(p, owner);
        if (ch->content == POL_C_CHILDREN)
            scan_children(p, ch->name, ch->children, depth + 1);
    }
}

static void parents_spec(const pol_spec *s, void *ud)
{
    if (s->content == POL_C_CHILDREN)
        scan_children(ud, s->name, s->children, 0);
}

static void unknown_element(vctx *v, const pol_node *nd, const char *where)
{
    if (str_eq_cstr(nd->name, "inbound") || str_eq_cstr(nd->name, "backend") ||
        str_eq_cstr(nd->name, "outbound") || str_eq_cstr(nd->name, "on-error")) {
        pol_diag(v->d, DIAG_ERROR, nd->loc, "<%.*s> is only allowed directly inside <policies>",
                 STR_FMT(nd->name));
        return;
    }
    parents p = { .name = nd->name };
    if (v->env && v->env->each)
        v->env->each(parents_spec, &p);
    if (p.n) {
        char list[256] = "";
        for (size_t i = 0; i < p.n; i++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s<%s>", i ? (i + 1 == p.n ? " or " : ", ") : "",
                     p.found[i]);
        }
        pol_diag(v->d, DIAG_ERROR, nd->loc, "<%.*s> is only allowed inside %s", STR_FMT(nd->name),
                 list);
        return;
    }
    suggest sg = { .name = nd->name, .dist = (size_t)-1 };
    if (v->env && v->env->each)
        v->env->each(suggest_spec, &sg);
    if (sg.best)
        pol_diag(v->d, DIAG_ERROR, nd->loc, "unknown %s <%.*s>; did you mean <%s>?", where,
                 STR_FMT(nd->name), sg.best);
    else
        pol_diag(v->d, DIAG_ERROR, nd->loc, "unknown %s <%.*s>", where, STR_FMT(nd->name));
}

/* ---- values ---- */

static bool is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Why an expression that does not compile is not (yet) the document's fault: it uses a named
 * value that is not defined ({{x}} left in code), or it is a deployment template with
 * placeholders such as {group-id} or RETRY_COUNT that a script substitutes before upload. */
static bool template_reason(vctx *v, str e, char *why, size_t cap)
{
    unsigned char *mark = arena_alloc(v->a, e.len + 1);
    if (!mark)
        return false;
    pol_raw_mark(e.ptr, e.len, mark);
    const char *p = e.ptr;
    for (size_t i = 0; i + 4 < e.len; i++) {
        if (mark[i] != 0 || p[i] != '{' || p[i + 1] != '{')
            continue;
        size_t j = i + 2;
        while (j < e.len && (is_ident_char(p[j]) || p[j] == '-' || p[j] == '.'))
            j++;
        if (j > i + 2 && j + 1 < e.len && p[j] == '}' && p[j + 1] == '}') {
            snprintf(why, cap, "it uses the named value '%.*s', which is not defined",
                     (int)(j - i - 2), p + i + 2);
            return true;
        }
    }
    for (size_t i = 0; i < e.len; i++) {
        if (p[i] != '{')
            continue;
        size_t j = i + 1, dashes = 0;
        while (j < e.len && (is_ident_char(p[j]) || (p[j] == '-' && is_ident_char(p[j - 1]))))
            dashes += p[j++] == '-';
        if (dashes && j < e.len && p[j] == '}' && p[j - 1] != '-') {
            snprintf(why, cap, "it contains the deployment placeholder '%.*s'", (int)(j + 1 - i),
                     p + i);
            return true;
        }
    }
    for (size_t i = 0; i < e.len; i++) {
        if (mark[i] != 0 || (i && is_ident_char(p[i - 1])) || !(p[i] >= 'A' && p[i] <= 'Z'))
            continue;
        size_t j = i;
        bool upper = true, underscore = false;
        while (j < e.len && is_ident_char(p[j])) {
            upper &= !(p[j] >= 'a' && p[j] <= 'z');
            underscore |= p[j] == '_';
            j++;
        }
        if (upper && underscore) {
            snprintf(why, cap, "it contains the deployment placeholder '%.*s'", (int)(j - i),
                     p + i);
            return true;
        }
        i = j;
    }
    return false;
}

static void compile_value(vctx *v, pol_value *val)
{
    str t = val->text;
    size_t lead = 0;
    while (lead < t.len && strchr(" \t\r\n", t.ptr[lead]))
        lead++;
    size_t end = t.len;
    while (end > lead && strchr(" \t\r\n", t.ptr[end - 1]))
        end--;
    diag_mapper *m = pol_value_mapper(v->a, val, lead);
    diag_list tmp;
    diag_list_init(&tmp);
    val->ex = expr_compile(v->a, t.ptr + lead, end - lead, m, &tmp);
    char why[200];
    if (!val->ex && tmp.errors &&
        template_reason(v, (str){ t.ptr + lead, end - lead }, why, sizeof why)) {
        diag_pos pos;
        pol_value_pos(val, lead, &pos);
        diag_add(v->d, DIAG_WARNING, &pos, "expression not checked: %s", why);
        diag_list_release(&tmp);
        return;
    }
    size_t kept_errors = 0, kept_warnings = 0;
    for (size_t i = 0; i < tmp.n; i++) {
        const diag *g = &tmp.items[i];
        diag_pos pos = { g->file, g->line, g->col, str_from(g->line_text) };
        diag_add(v->d, g->sev, g->file ? &pos : NULL, "%s", g->msg);
        kept_errors += g->sev == DIAG_ERROR;
        kept_warnings += g->sev == DIAG_WARNING;
    }
    v->d->errors += tmp.errors - kept_errors; /* ones the temporary list only counted */
    v->d->warnings += tmp.warnings - kept_warnings;
    if (!val->ex && !tmp.errors) /* a compiler that fails must say why */
        pol_diag(v->d, DIAG_ERROR, val->loc, "expression does not compile");
    diag_list_release(&tmp);
}

static void check_reference(vctx *v, const pol_node *nd, const pol_attrv *av, const char *kind,
                            bool (*fn)(void *, str))
{
    if (av->value.unresolved || pol_is_expression(av->value.text))
        return;
    str id = str_trim(av->value.text);
    if (fn && v->env && fn(v->env->ud, id))
        return;
    (void)nd;
    if (v->env && v->env->strict)
        pol_diag(v->d, DIAG_ERROR, av->value.loc, "%s '%.*s' is not defined", kind, STR_FMT(id));
    else
        pol_diag(v->d, DIAG_WARNING, av->value.loc, "%s '%.*s' is not defined (no --config given)",
                 kind, STR_FMT(id));
}

static const pol_attr *find_attr(const pol_attr *attrs, str name)
{
    for (const pol_attr *at = attrs; at && at->name; at++) {
        if (str_eq_cstr(name, at->name))
            return at;
    }
    return NULL;
}

/* Deployment-time placeholders the corpus documents carry in typed attributes ({tpm},
 * ${x}, __X__, RETRY_COUNT): a template, not a policy yet; a warning, not an error. */
static bool looks_like_placeholder(str t)
{
    t = str_trim(t);
    if (!t.len)
        return false;
    if (memchr(t.ptr, '{', t.len) || str_find(t, STR_LIT("__")) >= 0)
        return true;
    bool upper_ident = t.ptr[0] >= 'A' && t.ptr[0] <= 'Z', underscore = false;
    for (size_t i = 0; i < t.len && upper_ident; i++) {
        char c = t.ptr[i];
        underscore |= c == '_';
        upper_ident = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
    return upper_ident && underscore;
}

static void check_attr_value(vctx *v, const pol_node *nd, pol_attrv *av)
{
    const pol_attr *at = av->spec;
    if (at->flags & POL_UNSUPPORTED)
        pol_diag(v->d, DIAG_WARNING, av->name_loc,
                 "attribute '%s' of <%.*s> is validated but not executed by apimlite", at->name,
                 STR_FMT(nd->name));
    if (at->flags & POL_DEPRECATED)
        pol_diag(v->d, DIAG_WARNING, av->name_loc,
                 "attribute '%s' of <%.*s> is not APIM vocabulary (accepted for compatibility)",
                 at->name, STR_FMT(nd->name));
    if (pol_is_expression(av->value.text)) {
        if (!(at->flags & POL_EXPR)) {
            pol_diag(v->d, DIAG_ERROR, av->value.loc,
                     "attribute '%s' of <%.*s> does not accept expressions", at->name,
                     STR_FMT(nd->name));
            return;
        }
        compile_value(v, &av->value);
        return;
    }
    if (av->value.unresolved)
        return;
    const char *want = pol_attr_check_literal(at, av->value.text);
    if (!want)
        return;
    if (looks_like_placeholder(av->value.text)) {
        pol_diag(v->d, DIAG_WARNING, av->value.loc,
                 "<%.*s>: value '%.*s' of attribute '%s' looks like an unsubstituted deployment "
                 "placeholder",
                 STR_FMT(nd->name), STR_FMT(av->value.text), at->name);
        return;
    }
    if (at->type == POL_T_ENUM) {
        char list[512] = "";
        for (const char *const *e = at->values; e && *e; e++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s", e == at->values ? "" : ", ", *e);
        }
        if (at->flags & POL_OPEN_ENUM)
            pol_diag(v->d, DIAG_WARNING, av->value.loc,
                     "<%.*s>: value '%.*s' for attribute '%s' is not one of the documented "
                     "values %s",
                     STR_FMT(nd->name), STR_FMT(av->value.text), at->name, list);
        else
            pol_diag(v->d, DIAG_ERROR, av->value.loc,
                     "<%.*s>: bad value '%.*s' for attribute '%s': expected one of %s",
                     STR_FMT(nd->name), STR_FMT(av->value.text), at->name, list);
    } else {
        pol_diag(v->d, DIAG_ERROR, av->value.loc,
                 "<%.*s>: bad value '%.*s' for attribute '%s': expected %s", STR_FMT(nd->name),
                 STR_FMT(av->value.text), at->name, want);
    }
}

static void check_attrs(vctx *v, pol_node *nd, const pol_attr *attrs, bool is_policy)
{
    for (size_t i = 0; i < nd->nattrs; i++) {
        pol_attrv *av = &nd->attrs[i];
        av->spec = find_attr(attrs, av->name);
        if (av->spec) {
            check_attr_value(v, nd, av);
            continue;
        }
        if (is_policy && str_eq_cstr(av->name, "id"))
            continue;
        const char *best = NULL;
        size_t bd = (size_t)-1;
        for (const pol_attr *at = attrs; at && at->name; at++) {
            size_t cap = av->name.len >= 8 ? 2 : 1;
            size_t dd = pol_edit_distance(av->name, str_from(at->name), cap);
            if (dd <= cap && dd < bd) {
                bd = dd;
                best = at->name;
            }
        }
        if (best)
            pol_diag(v->d, DIAG_ERROR, av->name_loc,
                     "unknown attribute '%.*s' on <%.*s>; did you mean '%s'?", STR_FMT(av->name),
                     STR_FMT(nd->name), best);
        else
            pol_diag(v->d, DIAG_ERROR, av->name_loc, "unknown attribute '%.*s' on <%.*s>",
                     STR_FMT(av->name), STR_FMT(nd->name));
    }
    for (const pol_attr *at = attrs; at && at->name; at++) {
        if ((at->flags & POL_REQUIRED) && !pol_node_attr(nd, at->name))
            pol_diag(v->d, DIAG_ERROR, nd->loc, "<%.*s> is missing required attribute '%s'",
                     STR_FMT(nd->name), at->name);
    }
}

/* "a|b|c" -> how many of them nd carries; names listed into buf as 'a', 'b' or 'c' */
static unsigned rule_count(const pol_node *nd, const char *names, char *list, size_t cap)
{
    unsigned n = 0;
    list[0] = 0;
    const char *p = names;
    size_t total = 1;
    for (const char *q = names; *q; q++)
        total += *q == '|';
    for (size_t k = 0; *p; k++) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        for (size_t i = 0; i < nd->nattrs; i++) {
            if (str_eq(nd->attrs[i].name, (str){ p, len }))
                n++;
        }
        size_t l = strlen(list);
        snprintf(list + l, cap - l, "%s'%.*s'",
                 k == 0           ? ""
                 : k + 1 == total ? " and "
                                  : ", ",
                 (int)len, p);
        p = bar ? bar + 1 : p + len;
    }
    return n;
}

static void check_rules(vctx *v, const pol_node *nd, const pol_rule *rules)
{
    for (const pol_rule *r = rules; r && r->names; r++) {
        char list[256];
        unsigned n = rule_count(nd, r->names, list, sizeof list);
        unsigned total = 1;
        for (const char *q = r->names; *q; q++)
            total += *q == '|';
        const char *msg = NULL;
        switch (r->kind) {
        case POL_R_EXACTLY_ONE:
            msg = n == 0 ? "needs exactly one of" : n > 1 ? "accepts only one of" : NULL;
            break;
        case POL_R_AT_MOST_ONE:
            msg = n > 1 ? "accepts only one of" : NULL;
            break;
        case POL_R_AT_LEAST_ONE:
            msg = n == 0 ? "needs at least one of" : NULL;
            break;
        case POL_R_ALL_OR_NONE:
            msg = n != 0 && n != total ? "needs all or none of" : NULL;
            break;
        }
        if (msg)
            pol_diag(v->d, DIAG_ERROR, nd->loc, "<%.*s> %s the attributes %s", STR_FMT(nd->name),
                     msg, list);
    }
}

/* ---- elements ---- */

static void validate_block(vctx *v, pol_node **kids, size_t n, bool direct, int depth);
static void validate_children(vctx *v, pol_node *nd, const pol_child *children, int depth);

static void text_content(vctx *v, pol_node *nd, pol_value *val, bool *nonblank, size_t *first)
{
    const rawxml *rx = v->doc->raw;
    if (pol_text_content(v->a, v->doc->src, rx, &rx->elems[nd->elem], val, nonblank, first) < 0)
        *nonblank = false;
}

static void no_text(vctx *v, pol_node *nd)
{
    pol_value val;
    bool nonblank;
    size_t first;
    text_content(v, nd, &val, &nonblank, &first);
    if (nonblank)
        pol_diag(v->d, DIAG_ERROR, (pol_loc){ v->doc->src, first }, "text is not allowed in <%.*s>",
                 STR_FMT(nd->name));
}

static void validate_content(vctx *v, pol_node *nd, pol_content content, unsigned text_flags,
                             const pol_child *children, int depth)
{
    const rawxml *rx = v->doc->raw;
    switch (content) {
    case POL_C_EMPTY:
        for (size_t i = 0; i < nd->nkids; i++)
            pol_diag(v->d, DIAG_ERROR, nd->kids[i]->loc, "<%.*s> does not take child elements",
                     STR_FMT(nd->name));
        no_text(v, nd);
        break;
    case POL_C_TEXT:
    case POL_C_OPAQUE: {
        if (content == POL_C_OPAQUE) {
            const raw_elem *e = &rx->elems[nd->elem];
            nd->raw = (str){ rx->text + e->content, e->content_end - e->content };
            if (nd->nkids)
                break;
        }
        for (size_t i = 0; i < nd->nkids; i++)
            pol_diag(v->d, DIAG_ERROR, nd->kids[i]->loc,
                     "<%.*s> takes text only, not child elements", STR_FMT(nd->name));
        bool nonblank;
        size_t first;
        text_content(v, nd, &nd->text, &nonblank, &first);
        nd->has_text = true;
        if (!nonblank && (text_flags & POL_REQUIRED))
            pol_diag(v->d, DIAG_ERROR, nd->loc, "<%.*s> needs text content", STR_FMT(nd->name));
        if (nonblank && pol_is_expression(nd->text.text)) {
            /* opaque content that is exactly one expression is one (set-body) */
            if ((text_flags & POL_EXPR) || content == POL_C_OPAQUE)
                compile_value(v, &nd->text);
            else if (content == POL_C_TEXT)
                pol_diag(v->d, DIAG_ERROR, (pol_loc){ v->doc->src, first },
                         "<%.*s> does not accept an expression as its text", STR_FMT(nd->name));
        }
        break;
    }
    case POL_C_POLICIES:
        no_text(v, nd);
        validate_block(v, nd->kids, nd->nkids, false, depth + 1);
        break;
    case POL_C_CHILDREN:
        if ((text_flags & POL_TEXT_ALT) && !nd->nkids) {
            /* legacy form: text instead of the child elements */
            bool nonblank;
            size_t first;
            text_content(v, nd, &nd->text, &nonblank, &first);
            if (nonblank) {
                nd->has_text = true;
                if (pol_is_expression(nd->text.text) && (text_flags & POL_EXPR))
                    compile_value(v, &nd->text);
                break;
            }
        }
        no_text(v, nd);
        validate_children(v, nd, children, depth + 1);
        break;
    }
}

static void validate_as_policy(vctx *v, pol_node *nd, const pol_spec *spec, int depth)
{
    if (spec->flags & POL_UNSUPPORTED_SPEC)
        pol_diag(v->d, DIAG_WARNING, nd->loc, "<%s> is validated but not executed by apimlite",
                 spec->name);
    if (spec->flags & POL_DEPRECATED_SPEC)
        pol_diag(v->d, DIAG_WARNING, nd->loc,
                 "<%s> is not APIM vocabulary (accepted for compatibility)", spec->name);
    check_attrs(v, nd, spec->attrs, true);
    check_rules(v, nd, spec->rules);
    v->unordered = (spec->flags & POL_UNORDERED) != 0;
    validate_content(v, nd, spec->content, spec->text_flags, spec->children, depth);
    v->unordered = false;
}

static void count_once(vctx *v, const pol_node *nd)
{
    if (!(nd->spec->flags & POL_ONCE))
        return;
    for (size_t i = 0; i < v->nonce; i++) {
        if (v->once[i].spec == nd->spec) {
            if (++v->once[i].n == 2) {
                pol_diag(v->d, DIAG_ERROR, nd->loc, "<%s> is allowed only once in %s%s%s",
                         nd->spec->name, v->sec_flag ? "<" : "", v->sec_name,
                         v->sec_flag ? ">" : "");
                note_include(v);
            }
            return;
        }
    }
    if (v->nonce < ONCE_MAX)
        v->once[v->nonce++] = (once_count){ nd->spec, 1 };
}

/* Children that are blocks (<when>, <otherwise>) are alternatives: POL_ONCE counts the
 * maximum over them, not the sum. */
typedef struct once_snap {
    once_count c[ONCE_MAX];
    size_t n;
} once_snap;

static void snap_merge_max(once_snap *mx, const vctx *v)
{
    for (size_t i = 0; i < v->nonce; i++) {
        size_t k = 0;
        while (k < mx->n && mx->c[k].spec != v->once[i].spec)
            k++;
        if (k == mx->n) {
            if (mx->n == ONCE_MAX)
                continue;
            mx->c[mx->n++] = v->once[i];
        } else if (v->once[i].n > mx->c[k].n) {
            mx->c[k].n = v->once[i].n;
        }
    }
}

static void inline_fragment(vctx *v, pol_node *nd, int depth);

static void validate_statement(vctx *v, pol_node *nd, bool direct, int depth)
{
    if (str_eq_cstr(nd->name, "base")) {
        nd->kind = POL_N_BASE;
        if (v->doc->kind == POL_DOC_FRAGMENT)
            pol_diag(v->d, DIAG_ERROR, nd->loc, "<base/> is not allowed in a fragment");
        else if (!direct)
            pol_diag(v->d, DIAG_ERROR, nd->loc,
                     "<base/> is only allowed directly inside a section");
        else if (++v->bases == 2)
            pol_diag(v->d, DIAG_ERROR, nd->loc, "<base/> may appear only once in <%s>",
                     v->sec_name);
        for (size_t i = 0; i < nd->nattrs; i++)
            pol_diag(v->d, DIAG_ERROR, nd->attrs[i].name_loc, "unknown attribute '%.*s' on <base>",
                     STR_FMT(nd->attrs[i].name));
        validate_content(v, nd, POL_C_EMPTY, 0, NULL, depth);
        return;
    }
    const pol_spec *spec = find_spec(v, nd->name);
    if (!spec) {
        unknown_element(v, nd, "policy");
        return;
    }
    nd->spec = spec;
    nd->kind = !strcmp(spec->name, "include-fragment") ? POL_N_INCLUDE : POL_N_POLICY;
    if (v->sec_flag && !(spec->sections & v->sec_flag))
        pol_diag(v->d, DIAG_ERROR, nd->loc, "<%s> is not allowed in <%s>", spec->name, v->sec_name);
    count_once(v, nd);
    validate_as_policy(v, nd, spec, depth);
    if (!strcmp(spec->name, "set-backend-service")) {
        const pol_attrv *id = pol_node_attr(nd, "backend-id");
        if (id)
            check_reference(v, nd, id, "backend", v->env ? v->env->backend : NULL);
    }
    if (nd->kind == POL_N_INCLUDE)
        inline_fragment(v, nd, depth);
}

static void validate_block(vctx *v, pol_node **kids, size_t n, bool direct, int depth)
{
    if (depth > NEST_MAX)
        return;
    for (size_t i = 0; i < n; i++)
        validate_statement(v, kids[i], direct, depth);
}

static const pol_child *find_child(const pol_child *children, str name)
{
    for (const pol_child *ch = children; ch && ch->name; ch++) {
        if (str_eq_cstr(name, ch->name))
            return ch;
    }
    return NULL;
}

static void validate_children(vctx *v, pol_node *nd, const pol_child *children, int depth)
{
    if (depth > NEST_MAX)
        return;
    once_snap *base = arena_alloc(v->a, sizeof *base), *mx = arena_alloc(v->a, sizeof *mx);
    if (!base || !mx)
        return;
    memcpy(base->c, v->once, v->nonce * sizeof *v->once);
    base->n = v->nonce;
    *mx = *base;
    bool ordered = !v->unordered;
    v->unordered = false; /* applies to this level only */
    const pol_child *prev = NULL;
    for (size_t i = 0; i < nd->nkids; i++) {
        pol_node *kid = nd->kids[i];
        const pol_child *ch = find_child(children, kid->name);
        if (ch && ordered && prev && ch < prev)
            pol_diag(v->d, DIAG_ERROR, kid->loc, "<%s> must come before <%s> in <%.*s>", ch->name,
                     prev->name, STR_FMT(nd->name));
        if (ch && (!prev || ch > prev))
            prev = ch;
        if (!ch) {
            char list[256] = "";
            for (const pol_child *c = children; c && c->name; c++) {
                size_t l = strlen(list);
                snprintf(list + l, sizeof list - l, "%s<%s>", c == children ? "" : ", ", c->name);
            }
            if (list[0])
                pol_diag(v->d, DIAG_ERROR, kid->loc,
                         "<%.*s> is not allowed in <%.*s> (expected %s)", STR_FMT(kid->name),
                         STR_FMT(nd->name), list);
            else
                pol_diag(v->d, DIAG_ERROR, kid->loc, "<%.*s> does not take child elements",
                         STR_FMT(nd->name));
            continue;
        }
        kid->kind = POL_N_CHILD;
        kid->child = ch;
        const pol_spec *as = ch->policy ? find_spec(v, str_from(ch->policy)) : NULL;
        if (ch->content == POL_C_POLICIES && !as) {
            memcpy(v->once, base->c, base->n * sizeof *v->once);
            v->nonce = base->n;
        }
        if (as) {
            kid->spec = as;
            validate_as_policy(v, kid, as, depth);
        } else {
            check_attrs(v, kid, ch->attrs, false);
            validate_content(v, kid, ch->content, ch->text_flags, ch->children, depth);
        }
        if (ch->content == POL_C_POLICIES && !as)
            snap_merge_max(mx, v);
    }
    memcpy(v->once, mx->c, mx->n * sizeof *v->once);
    v->nonce = mx->n;
    for (const pol_child *ch = children; ch && ch->name; ch++) {
        unsigned n = 0;
        for (size_t i = 0; i < nd->nkids; i++)
            n += nd->kids[i]->child == ch;
        if (n < ch->min)
            pol_diag(v->d, DIAG_ERROR, nd->loc, "<%.*s> needs at least %s<%s>", STR_FMT(nd->name),
                     ch->min == 1 ? "one " : "", ch->name);
        else if (ch->max && n > ch->max)
            pol_diag(v->d, DIAG_ERROR, nd->loc, "<%.*s> allows at most %u <%s>", STR_FMT(nd->name),
                     ch->max, ch->name);
    }
}

/* ---- fragments ---- */

/* The statements of an inlined fragment, checked against the enclosing section: placement and
 * POL_ONCE only (everything else was checked when the fragment itself was validated). */
static void walk_inlined(vctx *v, pol_node **kids, size_t n, int depth)
{
    if (depth > NEST_MAX)
        return;
    for (size_t i = 0; i < n; i++) {
        pol_node *nd = kids[i];
        if (nd->kind != POL_N_POLICY && nd->kind != POL_N_INCLUDE)
            continue;
        if (v->sec_flag && !(nd->spec->sections & v->sec_flag)) {
            pol_diag(v->d, DIAG_ERROR, nd->loc, "<%s> is not allowed in <%s>", nd->spec->name,
                     v->sec_name);
            note_include(v);
        }
        count_once(v, nd);
        if (nd->spec->content == POL_C_POLICIES) {
            walk_inlined(v, nd->kids, nd->nkids, depth + 1);
        } else if (nd->spec->content == POL_C_CHILDREN) {
            once_snap base, mx;
            memcpy(base.c, v->once, v->nonce * sizeof *v->once);
            base.n = v->nonce;
            mx = base;
            for (size_t k = 0; k < nd->nkids; k++) {
                pol_node *kid = nd->kids[k];
                if (kid->kind != POL_N_CHILD || kid->child->content != POL_C_POLICIES)
                    continue;
                memcpy(v->once, base.c, base.n * sizeof *v->once);
                v->nonce = base.n;
                walk_inlined(v, kid->kids, kid->nkids, depth + 1);
                snap_merge_max(&mx, v);
            }
            memcpy(v->once, mx.c, mx.n * sizeof *v->once);
            v->nonce = mx.n;
        }
    }
}

static void inline_fragment(vctx *v, pol_node *nd, int depth)
{
    if (v->doc->kind == POL_DOC_FRAGMENT) {
        pol_diag(v->d, DIAG_ERROR, nd->loc, "a fragment cannot include another fragment");
        return;
    }
    const pol_attrv *av = pol_node_attr(nd, "fragment-id");
    if (!av || av->value.unresolved || pol_is_expression(av->value.text))
        return;
    str id = str_trim(av->value.text);
    pol_doc *f = v->env && v->env->fragment ? v->env->fragment(v->env->ud, id) : NULL;
    if (!f) {
        if (v->env && v->env->strict)
            pol_diag(v->d, DIAG_ERROR, av->value.loc, "fragment '%.*s' is not defined",
                     STR_FMT(id));
        else
            pol_diag(v->d, DIAG_WARNING, av->value.loc,
                     "fragment '%.*s' is not defined (no --config given)", STR_FMT(id));
        return;
    }
    if (f->kind != POL_DOC_FRAGMENT) {
        pol_diag(v->d, DIAG_ERROR, av->value.loc, "'%.*s' is not a <fragment> document (%s)",
                 STR_FMT(id), f->file);
        return;
    }
    if (!f->validated)
        pol_validate(v->a, f, v->env, v->d);
    nd->frag = f;
    const pol_node *outer = v->include_site;
    v->include_site = nd;
    walk_inlined(v, f->root->kids, f->root->nkids, depth + 1);
    v->include_site = outer;
}

int pol_validate(arena *a, pol_doc *doc, const pol_env *env, diag_list *d)
{
    if (doc->validated)
        return doc->ok ? 0 : -1;
    doc->validated = true; /* before the walk: a fragment never validates twice */
    size_t errors = d->errors;
    vctx v = { .a = a, .doc = doc, .env = env, .d = d };
    if (doc->kind == POL_DOC_FRAGMENT) {
        v.sec_name = "a fragment";
        validate_block(&v, doc->root->kids, doc->root->nkids, false, 0);
    } else {
        static const unsigned flags[POL_S_COUNT] = { POL_SEC_INBOUND, POL_SEC_BACKEND,
                                                     POL_SEC_OUTBOUND, POL_SEC_ON_ERROR };
        for (int s = 0; s < POL_S_COUNT; s++) {
            pol_node *sec = doc->sections[s];
            if (!sec)
                continue;
            v.sec_flag = flags[s];
            v.sec_name = pol_section_name((pol_section)s);
            v.nonce = 0;
            v.bases = 0;
            no_text(&v, sec);
            validate_block(&v, sec->kids, sec->nkids, true, 0);
        }
    }
    doc->ok = d->errors == errors;
    return doc->ok ? 0 : -1;
}
