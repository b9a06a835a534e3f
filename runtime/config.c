/* Gateway configuration: YAML (libyaml's document API) -> rt_config. One reader per top-level
 * section; unknown top-level keys are warned about (typos), unknown keys inside a section are
 * left for the readers later issues add. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define CFG_FILE_MAX ((size_t)64 << 20)

typedef struct reader {
    rt_config *c;
    yaml_document_t *doc;
    diag_list *d;
    const char *dir; /* directory of the YAML file, "" for the current one */
} reader;

char *rt_read_file(arena *a, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 8192, n = 0;
    char *p = malloc(cap);
    if (!p) {
        fclose(f);
        errno = ENOMEM;
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= CFG_FILE_MAX) {
                free(p);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            cap *= 2;
            char *np = realloc(p, cap);
            if (!np) {
                free(p);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            p = np;
        }
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        free(p);
        errno = err;
        return NULL;
    }
    char *out = arena_strndup(a, p, n);
    free(p);
    if (!out) {
        errno = ENOMEM;
        return NULL;
    }
    *len = n;
    return out;
}

void rt_config_pos(const rt_config *c, rt_cfg_where w, diag_pos *out)
{
    *out = (diag_pos){ .file = c->path };
    if (!w.line || !c->text)
        return;
    size_t off = 0;
    for (unsigned l = 1; l < w.line && off < c->text_len; off++) {
        if (c->text[off] == '\n')
            l++;
    }
    size_t at = off;
    for (unsigned k = 1; k < w.col && at < c->text_len && c->text[at] != '\n'; k++)
        at++;
    diag_pos_in_text(c->path, c->text, c->text_len, at, out);
}

static rt_cfg_where where_of(const yaml_node_t *n)
{
    return (rt_cfg_where){ (unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1 };
}

static void cfg_error(reader *r, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cfg_error(reader *r, const yaml_node_t *n, const char *fmt, ...)
{
    diag_pos pos;
    rt_config_pos(r->c, n ? where_of(n) : (rt_cfg_where){ 0 }, &pos);
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(r->d, DIAG_ERROR, &pos, fmt, ap);
    va_end(ap);
}

static yaml_node_t *node(reader *r, int id)
{
    return yaml_document_get_node(r->doc, id);
}

static bool is_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE;
}

static str scalar(reader *r, const yaml_node_t *n)
{
    return arena_str(&r->c->a, (str){ (const char *)n->data.scalar.value, n->data.scalar.length });
}

static bool key_is(const yaml_node_t *k, const char *name)
{
    return is_scalar(k) && k->data.scalar.length == strlen(name) &&
           !memcmp(k->data.scalar.value, name, k->data.scalar.length);
}

/* Value of key in mapping m, or NULL. */
static yaml_node_t *get(reader *r, const yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        if (key_is(node(r, p->key), key))
            return node(r, p->value);
    }
    return NULL;
}

static bool expect_map(reader *r, const yaml_node_t *n, const char *what)
{
    if (n && n->type == YAML_MAPPING_NODE)
        return true;
    cfg_error(r, n, "%s must be a mapping", what);
    return false;
}

/* Counts the pairs of a mapping (callers allocate arrays). */
static size_t npairs(const yaml_node_t *m)
{
    return (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
}

static int read_path(reader *r, const yaml_node_t *n, const char *what, rt_cfg_file *out)
{
    if (!is_scalar(n) || !n->data.scalar.length) {
        cfg_error(r, n, "%s must be a file path", what);
        return -1;
    }
    str p = scalar(r, n);
    out->where = where_of(n);
    if (p.ptr[0] == '/' || !r->dir[0])
        out->path = p.ptr;
    else
        out->path = arena_sprintf(&r->c->a, "%s/%s", r->dir, p.ptr);
    return out->path ? 0 : -1;
}

static void read_named_values(reader *r, const yaml_node_t *m)
{
    if (!expect_map(r, m, "namedValues"))
        return;
    rt_config *c = r->c;
    c->nvs = arena_calloc(&c->a, npairs(m), sizeof *c->nvs);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; c->nvs && p < m->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        if (!is_scalar(k)) {
            cfg_error(r, k, "named value names must be strings");
            continue;
        }
        rt_named_value *nv = &c->nvs[c->nnvs];
        nv->name = scalar(r, k);
        if (is_scalar(v)) {
            nv->value = scalar(r, v);
        } else if (v && v->type == YAML_MAPPING_NODE) {
            yaml_node_t *val = get(r, v, "value"), *env = get(r, v, "env"),
                        *sec = get(r, v, "secret");
            if ((val != NULL) == (env != NULL)) {
                cfg_error(r, v, "named value '%.*s' needs exactly one of 'value' and 'env'",
                          STR_FMT(nv->name));
                continue;
            }
            if (val && !is_scalar(val)) {
                cfg_error(r, val, "named value '%.*s': 'value' must be a string",
                          STR_FMT(nv->name));
                continue;
            }
            if (env && !is_scalar(env)) {
                cfg_error(r, env, "named value '%.*s': 'env' must be a variable name",
                          STR_FMT(nv->name));
                continue;
            }
            if (val) {
                nv->value = scalar(r, val);
            } else {
                str var = scalar(r, env);
                const char *e = getenv(var.ptr);
                if (!e) {
                    cfg_error(r, env, "named value '%.*s': environment variable '%.*s' is not set",
                              STR_FMT(nv->name), STR_FMT(var));
                    continue;
                }
                nv->value = arena_str(&c->a, str_from(e));
            }
            if (sec) {
                if (key_is(sec, "true"))
                    nv->secret = true;
                else if (!key_is(sec, "false"))
                    cfg_error(r, sec, "named value '%.*s': 'secret' must be true or false",
                              STR_FMT(nv->name));
            }
        } else {
            cfg_error(r, v, "named value '%.*s' must be a string or {value|env, secret}",
                      STR_FMT(nv->name));
            continue;
        }
        c->nnvs++;
    }
}

static void read_fragments(reader *r, const yaml_node_t *m)
{
    if (!expect_map(r, m, "policyFragments"))
        return;
    rt_config *c = r->c;
    c->frags = arena_calloc(&c->a, npairs(m), sizeof *c->frags);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         c->frags && p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        if (!is_scalar(k)) {
            cfg_error(r, k, "fragment ids must be strings");
            continue;
        }
        rt_fragment_ref *f = &c->frags[c->nfrags];
        f->id = scalar(r, k);
        if (read_path(r, v, "a policy fragment", &f->file) == 0)
            c->nfrags++;
    }
}

static void read_backends(reader *r, const yaml_node_t *m)
{
    if (!expect_map(r, m, "backends"))
        return;
    rt_config *c = r->c;
    c->backends = arena_calloc(&c->a, npairs(m), sizeof *c->backends);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         c->backends && p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        if (!is_scalar(k)) {
            cfg_error(r, k, "backend ids must be strings");
            continue;
        }
        rt_backend *b = &c->backends[c->nbackends];
        b->id = scalar(r, k);
        b->url = STR_LIT("");
        if (v && v->type == YAML_MAPPING_NODE) {
            yaml_node_t *url = get(r, v, "url"), *type = get(r, v, "type");
            if (url && is_scalar(url))
                b->url = scalar(r, url);
            if (type && key_is(type, "Pool"))
                b->pool = true;
        } else if (!(is_scalar(v) && v->data.scalar.length == 0)) {
            cfg_error(r, v, "backend '%.*s' must be a mapping", STR_FMT(b->id));
            continue;
        }
        c->nbackends++;
    }
}

static void read_policy_of(reader *r, const yaml_node_t *m, rt_cfg_file *out)
{
    yaml_node_t *pol = get(r, m, "policy");
    if (pol)
        read_path(r, pol, "'policy'", out);
}

static void read_apis(reader *r, const yaml_node_t *m)
{
    if (!expect_map(r, m, "apis"))
        return;
    rt_config *c = r->c;
    c->apis = arena_calloc(&c->a, npairs(m), sizeof *c->apis);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         c->apis && p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        if (!is_scalar(k) || !v || v->type != YAML_MAPPING_NODE) {
            cfg_error(r, k, "each API must be a mapping under its id");
            continue;
        }
        rt_api *api = &c->apis[c->napis++];
        api->id = scalar(r, k);
        yaml_node_t *path = get(r, v, "path");
        api->path = path && is_scalar(path) ? scalar(r, path) : STR_LIT("");
        read_policy_of(r, v, &api->policy);
        yaml_node_t *ops = get(r, v, "operations");
        if (!ops || !expect_map(r, ops, "operations"))
            continue;
        api->ops = arena_calloc(&c->a, npairs(ops), sizeof *api->ops);
        for (yaml_node_pair_t *q = ops->data.mapping.pairs.start;
             api->ops && q < ops->data.mapping.pairs.top; q++) {
            yaml_node_t *ok = node(r, q->key), *ov = node(r, q->value);
            if (!is_scalar(ok) || !ov || ov->type != YAML_MAPPING_NODE) {
                cfg_error(r, ok, "each operation must be a mapping under its id");
                continue;
            }
            rt_operation *op = &api->ops[api->nops++];
            op->id = scalar(r, ok);
            read_policy_of(r, ov, &op->policy);
        }
    }
}

static void read_products(reader *r, const yaml_node_t *m)
{
    if (!expect_map(r, m, "products"))
        return;
    rt_config *c = r->c;
    c->products = arena_calloc(&c->a, npairs(m), sizeof *c->products);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         c->products && p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        if (!is_scalar(k) || !v || v->type != YAML_MAPPING_NODE) {
            cfg_error(r, k, "each product must be a mapping under its id");
            continue;
        }
        rt_product *pr = &c->products[c->nproducts++];
        pr->id = scalar(r, k);
        read_policy_of(r, v, &pr->policy);
    }
}

static const char *const known_keys[] = {
    "listen",   "workers", "policy",   "namedValues",   "policyFragments",
    "backends", "apis",    "products", "subscriptions", "counters",
    "state",    "logs",    "metrics",  "loggers",       NULL,
};

static void read_root(reader *r, const yaml_node_t *root)
{
    if (!root || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
        return; /* empty file: an empty configuration */
    if (!expect_map(r, root, "the configuration"))
        return;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node(r, p->key);
        bool known = false;
        for (size_t i = 0; known_keys[i]; i++)
            known |= key_is(k, known_keys[i]);
        if (!known) {
            diag_pos pos;
            rt_config_pos(r->c, where_of(k), &pos);
            if (is_scalar(k))
                diag_add(r->d, DIAG_WARNING, &pos, "unknown configuration key '%.*s'",
                         (int)k->data.scalar.length, (const char *)k->data.scalar.value);
        }
    }
    yaml_node_t *n;
    if ((n = get(r, root, "policy")))
        read_path(r, n, "'policy'", &r->c->policy);
    if ((n = get(r, root, "namedValues")))
        read_named_values(r, n);
    if ((n = get(r, root, "policyFragments")))
        read_fragments(r, n);
    if ((n = get(r, root, "backends")))
        read_backends(r, n);
    if ((n = get(r, root, "apis")))
        read_apis(r, n);
    if ((n = get(r, root, "products")))
        read_products(r, n);
}

int rt_config_load(rt_config *c, const char *path, diag_list *d)
{
    memset(c, 0, sizeof *c);
    arena_init(&c->a, 0);
    c->path = arena_strdup(&c->a, path);
    size_t len = 0;
    char *text = rt_read_file(&c->a, path, &len);
    if (!text) {
        diag_add(d, DIAG_ERROR, NULL, "cannot read '%s': %s", path, strerror(errno));
        return -2;
    }
    c->text = text;
    c->text_len = len;
    size_t errors = d->errors;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        diag_add(d, DIAG_ERROR, NULL, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        rt_cfg_where w = { (unsigned)parser.problem_mark.line + 1,
                           (unsigned)parser.problem_mark.column + 1 };
        diag_pos pos;
        rt_config_pos(c, w, &pos);
        diag_add(d, DIAG_ERROR, &pos, "YAML: %s%s%s", parser.problem ? parser.problem : "error",
                 parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return -1;
    }
    const char *slash = strrchr(c->path, '/');
    reader r = { c, &doc, d,
                 slash ? arena_strndup(&c->a, c->path, (size_t)(slash - c->path)) : "" };
    if (slash == c->path)
        r.dir = "/";
    read_root(&r, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return d->errors == errors ? 0 : -1;
}

void rt_config_release(rt_config *c)
{
    arena_release(&c->a);
}

const rt_named_value *rt_config_named_value(const rt_config *c, str name)
{
    for (size_t i = 0; i < c->nnvs; i++) {
        if (str_ieq(c->nvs[i].name, name)) /* APIM names are case-insensitive */
            return &c->nvs[i];
    }
    return NULL;
}

const rt_fragment_ref *rt_config_fragment(const rt_config *c, str id)
{
    for (size_t i = 0; i < c->nfrags; i++) {
        if (str_eq(c->frags[i].id, id))
            return &c->frags[i];
    }
    return NULL;
}

const rt_backend *rt_config_backend(const rt_config *c, str id)
{
    for (size_t i = 0; i < c->nbackends; i++) {
        if (str_eq(c->backends[i].id, id))
            return &c->backends[i];
    }
    return NULL;
}
