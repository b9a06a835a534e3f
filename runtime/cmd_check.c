/* apimlite check [--config GATEWAY.yaml] [POLICY.xml ...] (DESIGN.md §2): loads every policy
 * document (the configuration's, plus the files given), validates it and compiles its
 * expressions; prints file:line:col diagnostics and a summary on stderr. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../policy/policy.h"
#include "cmd.h"
#include "config.h"
#include "policies/registry.h"

static const char check_usage[] =
    "usage: apimlite check [--config GATEWAY.yaml] [POLICY.xml ...]\n"
    "\n"
    "Loads policy documents (<policies> or <fragment>), validates them against the policy\n"
    "vocabulary and compiles every expression. Diagnostics go to stderr as\n"
    "file:line:col: error|warning: message, followed by a summary line.\n"
    "\n"
    "  --config FILE   check every document the gateway configuration names (global, API,\n"
    "                  operation and product policies, fragments); named values, fragments and\n"
    "                  backends must resolve (errors otherwise)\n"
    "  -q, --quiet     print errors only (no warnings, no summary)\n"
    "  -h, --help      this help\n"
    "\n"
    "Without --config, {{named values}}, include-fragment ids and backend ids that cannot be\n"
    "resolved are warnings; <fragment> documents given on the command line are found by their\n"
    "file name without .xml.\n"
    "\n"
    "Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage or I/O errors.\n";

typedef struct item {
    const char *path;   /* as named (printed) */
    rt_cfg_where where; /* in the YAML file when named there */
    bool want_fragment; /* named under policyFragments */
    str frag_id;
    pol_doc *doc;
    bool read; /* the file could be read */
    diag_list d;
} item;

typedef struct checker {
    arena a;
    rt_config cfg;
    bool have_cfg;
    item *items;
    size_t n, cap;
    pol_env env;
    bool quiet;
    int io_errors;
} checker;

static void add_item(checker *ck, const char *path, rt_cfg_where w, bool frag, str id)
{
    for (size_t i = 0; i < ck->n; i++) {
        item *old = &ck->items[i];
        if (strcmp(old->path, path))
            continue;
        if (frag && !old->want_fragment) { /* also named as a fragment: one document */
            old->want_fragment = true;
            old->frag_id = id;
            old->where = w;
        }
        return;
    }
    if (ck->n == ck->cap) {
        size_t nc = ck->cap ? ck->cap * 2 : 16;
        item *ni = arena_realloc(&ck->a, ck->items, ck->cap * sizeof *ni, nc * sizeof *ni);
        if (!ni)
            return;
        ck->items = ni;
        ck->cap = nc;
    }
    item *it = &ck->items[ck->n++];
    memset(it, 0, sizeof *it);
    it->path = path;
    it->where = w;
    it->want_fragment = frag;
    it->frag_id = id;
    diag_list_init(&it->d);
}

static bool env_named_value(void *ud, str name, str *value)
{
    checker *ck = ud;
    const rt_named_value *nv = ck->have_cfg ? rt_config_named_value(&ck->cfg, name) : NULL;
    if (nv)
        *value = nv->value;
    return nv != NULL;
}

static pol_doc *env_fragment(void *ud, str id)
{
    checker *ck = ud;
    for (size_t i = 0; i < ck->n; i++) {
        item *it = &ck->items[i];
        if (it->doc && it->doc->kind == POL_DOC_FRAGMENT && str_eq(it->frag_id, id))
            return it->doc;
    }
    return NULL;
}

static bool env_backend(void *ud, str id)
{
    checker *ck = ud;
    return ck->have_cfg && rt_config_backend(&ck->cfg, id) != NULL;
}

static void collect_config(checker *ck)
{
    const rt_config *c = &ck->cfg;
    for (size_t i = 0; i < c->nfrags; i++)
        add_item(ck, c->frags[i].file.path, c->frags[i].file.where, true, c->frags[i].id);
    if (c->policy.path)
        add_item(ck, c->policy.path, c->policy.where, false, STR_NULL);
    for (size_t i = 0; i < c->nproducts; i++) {
        if (c->products[i].policy.path)
            add_item(ck, c->products[i].policy.path, c->products[i].policy.where, false, STR_NULL);
    }
    for (size_t i = 0; i < c->napis; i++) {
        const rt_api *api = &c->apis[i];
        if (api->policy.path)
            add_item(ck, api->policy.path, api->policy.where, false, STR_NULL);
        for (size_t k = 0; k < api->nops; k++) {
            if (api->ops[k].policy.path)
                add_item(ck, api->ops[k].policy.path, api->ops[k].policy.where, false, STR_NULL);
        }
    }
}

static void parse_item(checker *ck, item *it)
{
    size_t len = 0;
    char *data = rt_read_file(&ck->a, it->path, &len);
    if (!data) {
        diag_pos pos;
        const diag_pos *pp = NULL;
        if (ck->have_cfg && it->where.line) {
            rt_config_pos(&ck->cfg, it->where, &pos);
            pp = &pos;
        }
        diag_add(&it->d, DIAG_ERROR, pp, "cannot read '%s': %s", it->path, strerror(errno));
        ck->io_errors++;
        return;
    }
    it->read = true;
    it->doc = pol_doc_parse(&ck->a, it->path, data, len, &ck->env, &it->d);
    if (!it->doc)
        return;
    if (it->doc->kind == POL_DOC_FRAGMENT && !it->want_fragment)
        it->frag_id = pol_fragment_id_of_path(it->path);
    if (it->want_fragment && it->doc->kind != POL_DOC_FRAGMENT) {
        diag_pos pos;
        rt_config_pos(&ck->cfg, it->where, &pos);
        diag_add(&it->d, DIAG_ERROR, &pos, "policy fragment '%.*s': '%s' is not a <fragment>",
                 STR_FMT(it->frag_id), it->path);
    }
}

static void print_diags(const checker *ck, const diag_list *d)
{
    bool show = true;
    for (size_t i = 0; i < d->n; i++) {
        const diag *g = &d->items[i];
        if (g->sev != DIAG_NOTE)
            show = !ck->quiet || g->sev == DIAG_ERROR;
        if (show)
            diag_print_one(g, stderr);
    }
    size_t total = d->errors + d->warnings;
    if (total > d->n && !ck->quiet)
        fprintf(stderr, "... and %zu more diagnostics\n", total - d->n);
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

int rt_cmd_check(int argc, char **argv)
{
    const char *config = NULL;
    checker ck = { 0 };
    arena_init(&ck.a, 0);
    int first_file = argc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(check_usage, stdout);
            arena_release(&ck.a);
            return 0;
        } else if (!strcmp(a, "--config") && i + 1 < argc) {
            config = argv[++i];
        } else if (!strncmp(a, "--config=", 9)) {
            config = a + 9;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            ck.quiet = true;
        } else if (!strcmp(a, "--")) {
            first_file = i + 1;
            break;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "apimlite check: unknown option '%s'\n\n%s", a, check_usage);
            arena_release(&ck.a);
            return 2;
        } else {
            first_file = i;
            break;
        }
    }
    if (!config && first_file >= argc) {
        fputs(check_usage, stderr);
        arena_release(&ck.a);
        return 2;
    }
    if (rt_policy_registry_check() < 0) {
        arena_release(&ck.a);
        return 2;
    }
    ck.env = (pol_env){ .find = rt_policy_find,
                        .each = rt_policy_each,
                        .named_value = env_named_value,
                        .fragment = env_fragment,
                        .backend = env_backend,
                        .ud = &ck,
                        .strict = config != NULL };
    diag_list cfg_d;
    diag_list_init(&cfg_d);
    int cfg_rc = 0;
    if (config) {
        cfg_rc = rt_config_load(&ck.cfg, config, &cfg_d);
        ck.have_cfg = true;
        if (cfg_rc == -2)
            ck.io_errors++;
        else
            collect_config(&ck);
    }
    for (int i = first_file; i < argc; i++)
        add_item(&ck, argv[i], (rt_cfg_where){ 0 }, false, STR_NULL);
    for (size_t i = 0; i < ck.n; i++)
        parse_item(&ck, &ck.items[i]);
    /* fragments first, so that their includers find them validated */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ck.n; i++) {
            item *it = &ck.items[i];
            if (it->doc && (it->doc->kind == POL_DOC_FRAGMENT) == (pass == 0))
                pol_validate(&ck.a, it->doc, &ck.env, &it->d);
        }
    }
    size_t errors = cfg_d.errors, warnings = cfg_d.warnings, docs = 0;
    print_diags(&ck, &cfg_d);
    for (size_t i = 0; i < ck.n; i++) {
        item *it = &ck.items[i];
        print_diags(&ck, &it->d);
        errors += it->d.errors;
        warnings += it->d.warnings;
        docs += it->read;
        diag_list_release(&it->d);
    }
    diag_list_release(&cfg_d);
    if (!ck.quiet)
        fprintf(stderr, "checked %zu %s: %zu %s, %zu %s\n", docs,
                plural(docs, "document", "documents"), errors, plural(errors, "error", "errors"),
                warnings, plural(warnings, "warning", "warnings"));
    if (ck.have_cfg)
        rt_config_release(&ck.cfg);
    arena_release(&ck.a);
    pol_shutdown();
    if (ck.io_errors)
        return 2;
    return errors ? 1 : cfg_rc < 0 ? 1 : 0;
}
