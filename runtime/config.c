/* Gateway configuration: YAML (libyaml's document API) -> rt_config. This file holds loading,
 * the root, named values, fragments, the service settings (listen, workers, counters, state,
 * logs, metrics, loggers, tokenizer, tls) and the lookups. config_read.c has the typed readers;
 * config_backends.c and config_apis.c read the entity sections. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_impl.h"

#define CFG_FILE_MAX ((size_t)64 << 20)

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

static void read_named_value(cfg_reader *r, yaml_node_t *k, yaml_node_t *v)
{
    rt_config *c = r->c;
    rt_named_value *nv = &c->nvs[c->nnvs];
    memset(nv, 0, sizeof *nv);
    nv->name = cfg_scalar(r, k);
    nv->where = cfg_where(k);
    for (size_t i = 0; i < nv->name.len; i++) {
        char ch = nv->name.ptr[i];
        if (!(isalnum((unsigned char)ch) || ch == '.' || ch == '-' || ch == '_')) {
            cfg_error(r, k,
                      "named value '%.*s': names may contain only letters, digits, '.', "
                      "'-' and '_'",
                      STR_FMT(nv->name));
            return;
        }
    }
    if (cfg_is_scalar(v)) {
        nv->value = cfg_scalar(r, v);
    } else if (v && v->type == YAML_MAPPING_NODE) {
        static const char *const keys[] = { "value", "env", "secret", NULL };
        char *what = arena_sprintf(&c->a, "named value '%.*s'", STR_FMT(nv->name));
        cfg_check_keys(r, v, keys, what ? what : "named value");
        yaml_node_t *val = cfg_get(r, v, "value"), *env = cfg_get(r, v, "env"),
                    *sec = cfg_get(r, v, "secret");
        if ((val != NULL) == (env != NULL)) {
            cfg_error(r, v, "named value '%.*s' needs exactly one of 'value' and 'env'",
                      STR_FMT(nv->name));
            return;
        }
        if (val && !cfg_is_scalar(val)) {
            cfg_error(r, val, "named value '%.*s': 'value' must be a string", STR_FMT(nv->name));
            return;
        }
        if (env && !cfg_is_scalar(env)) {
            cfg_error(r, env, "named value '%.*s': 'env' must be a variable name",
                      STR_FMT(nv->name));
            return;
        }
        if (val) {
            nv->value = cfg_scalar(r, val);
        } else {
            str var = cfg_scalar(r, env);
            const char *e = getenv(var.ptr);
            if (!e) {
                cfg_error(r, env, "named value '%.*s': environment variable '%.*s' is not set",
                          STR_FMT(nv->name), STR_FMT(var));
                return;
            }
            nv->value = arena_str(&c->a, str_from(e));
        }
        if (sec) {
            if (cfg_key_is(sec, "true"))
                nv->secret = true;
            else if (!cfg_key_is(sec, "false"))
                cfg_error(r, sec, "named value '%.*s': 'secret' must be true or false",
                          STR_FMT(nv->name));
        }
    } else {
        cfg_error(r, v, "named value '%.*s' must be a string or {value|env, secret}",
                  STR_FMT(nv->name));
        return;
    }
    c->nnvs++;
}

static void read_named_values(cfg_reader *r, const yaml_node_t *m)
{
    if (!cfg_expect_map(r, m, "namedValues"))
        return;
    rt_config *c = r->c;
    cfg_check_keys(r, m, NULL, "namedValues");
    c->nvs = arena_calloc(&c->a, cfg_npairs(m), sizeof *c->nvs);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; c->nvs && p < m->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = cfg_node(r, p->key), *v = cfg_node(r, p->value);
        if (!cfg_is_scalar(k))
            continue; /* reported by cfg_check_keys */
        str name = { (const char *)k->data.scalar.value, k->data.scalar.length };
        const rt_named_value *old = rt_config_named_value(c, name);
        if (old) {
            /* exact duplicates were reported by cfg_check_keys; names that differ only in
             * case collide too (APIM names are case-insensitive) */
            if (!str_eq(old->name, name))
                cfg_error(r, k, "namedValues: '%.*s' differs only in case from '%.*s'",
                          STR_FMT(name), STR_FMT(old->name));
            continue;
        }
        read_named_value(r, k, v);
    }
}

static void read_fragments(cfg_reader *r, const yaml_node_t *m)
{
    if (!cfg_expect_map(r, m, "policyFragments"))
        return;
    rt_config *c = r->c;
    cfg_check_keys(r, m, NULL, "policyFragments");
    c->frags = arena_calloc(&c->a, cfg_npairs(m), sizeof *c->frags);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         c->frags && p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(r, p->key), *v = cfg_node(r, p->value);
        if (!cfg_is_scalar(k) || rt_config_fragment(c, cfg_scalar(r, k)))
            continue; /* reported by cfg_check_keys */
        rt_fragment_ref *f = &c->frags[c->nfrags];
        f->id = cfg_scalar(r, k);
        if (cfg_path(r, v, "a policy fragment", &f->file) == 0)
            c->nfrags++;
    }
}

static void read_loggers(cfg_reader *r, const yaml_node_t *m)
{
    if (!cfg_expect_map(r, m, "loggers"))
        return;
    rt_config *c = r->c;
    cfg_check_keys(r, m, NULL, "loggers");
    c->loggers = arena_calloc(&c->a, cfg_npairs(m), sizeof *c->loggers);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         c->loggers && p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cfg_node(r, p->key), *v = cfg_node(r, p->value);
        if (!cfg_is_scalar(k) || rt_config_logger(c, cfg_scalar(r, k)))
            continue;
        rt_logger *lg = &c->loggers[c->nloggers];
        memset(lg, 0, sizeof *lg);
        lg->id = cfg_scalar(r, k);
        lg->where = cfg_where(k);
        char *what = arena_sprintf(&c->a, "logger '%.*s'", STR_FMT(lg->id));
        if (!what || !cfg_expect_map(r, v, what))
            continue;
        static const char *const keys[] = { "file", "description", NULL };
        cfg_check_keys(r, v, keys, what);
        yaml_node_t *n = cfg_get(r, v, "file");
        if (!n) {
            cfg_error(r, v, "%s: 'file' is required", what);
            continue;
        }
        if (cfg_path_str(r, n, arena_sprintf(&c->a, "%s: 'file'", what), &lg->file) < 0)
            continue;
        lg->description = STR_LIT("");
        if ((n = cfg_get(r, v, "description")) &&
            cfg_str(r, n, "'description'", &lg->description) < 0)
            continue;
        c->nloggers++;
    }
}

static void read_counters(cfg_reader *r, const yaml_node_t *n)
{
    str s;
    if (cfg_str_nonempty(r, n, "'counters'", &s) < 0)
        return;
    if (str_eq_cstr(s, "memory")) {
        r->c->counters = RT_COUNTERS_MEMORY;
    } else if ((str_starts_with(s, STR_LIT("redis://")) && s.len > 8 && s.ptr[8] != '/') ||
               (str_starts_with(s, STR_LIT("unix://")) && s.len > 8 && s.ptr[7] == '/')) {
        r->c->counters = RT_COUNTERS_REDIS;
        r->c->redis_url = s;
    } else if (str_starts_with(s, STR_LIT("unix://"))) {
        cfg_error(r, n,
                  "'counters': a unix:// URL needs an absolute socket path "
                  "(unix:///path/to/redis.sock)");
    } else if (str_starts_with(s, STR_LIT("redis://"))) {
        cfg_error(r, n, "'counters': a redis:// URL needs a host (redis://host:port/db)");
    } else if (str_starts_with(s, STR_LIT("rediss://"))) {
        cfg_error(r, n,
                  "'counters': rediss:// (Redis over TLS) is not supported; use redis:// on a "
                  "trusted network, a unix:///path socket, or a TLS tunnel such as stunnel");
    } else {
        cfg_error(r, n,
                  "'counters' must be 'memory' or a redis://host:port/db or unix:///path URL");
    }
}

/* Checks that path (tls: 'what' at n) is readable and holds a PEM block whose label ends with
 * label ("CERTIFICATE", "PRIVATE KEY"); the key is parsed by serve (server_tls.c). */
static int check_pem(cfg_reader *r, const yaml_node_t *n, const char *what, const char *path,
                     const char *label)
{
    arena tmp;
    arena_init(&tmp, 0);
    size_t len = 0;
    char *text = rt_read_file(&tmp, path, &len);
    int rc = -1;
    if (!text) {
        cfg_error(r, n, "tls: '%s': cannot read '%s': %s", what, path, strerror(errno));
    } else {
        char end[64];
        snprintf(end, sizeof end, "%s-----", label);
        const char *begin = strstr(text, "-----BEGIN ");
        const char *eol = begin ? strchr(begin, '\n') : NULL;
        bool found = false;
        while (begin && eol && !found) {
            size_t l = (size_t)(eol - begin);
            while (l && begin[l - 1] == '\r')
                l--;
            found = l >= strlen(end) && !memcmp(begin + l - strlen(end), end, strlen(end));
            begin = strstr(eol, "-----BEGIN ");
            eol = begin ? strchr(begin, '\n') : NULL;
        }
        if (!found)
            cfg_error(r, n, "tls: '%s': '%s' holds no PEM %s", what, path,
                      !strcmp(label, "CERTIFICATE") ? "certificate" : "private key");
        else
            rc = 0;
    }
    arena_release(&tmp);
    return rc;
}

/* tls: { cert: PATH, key: PATH } */
static void read_tls(cfg_reader *r, const yaml_node_t *m)
{
    static const char *const keys[] = { "cert", "key", NULL };
    if (!cfg_expect_map(r, m, "'tls'"))
        return;
    cfg_check_keys(r, m, keys, "tls");
    rt_cfg_tls *t = &r->c->tls;
    t->where = cfg_where(m);
    yaml_node_t *cn = cfg_get(r, m, "cert"), *kn = cfg_get(r, m, "key");
    if (!cn || !kn) {
        cfg_error(r, m, "tls: 'cert' and 'key' are required (PEM files)");
        return;
    }
    if (cfg_path_str(r, cn, "tls: 'cert'", &t->cert) < 0 ||
        cfg_path_str(r, kn, "tls: 'key'", &t->key) < 0)
        return;
    t->cert_where = cfg_where(cn);
    t->key_where = cfg_where(kn);
    int bad = check_pem(r, cn, "cert", t->cert, "CERTIFICATE");
    bad |= check_pem(r, kn, "key", t->key, "PRIVATE KEY");
    t->set = bad == 0;
}

static void read_logs(cfg_reader *r, const yaml_node_t *m)
{
    static const char *const keys[] = { "path", "payloadBytes", NULL };
    if (!cfg_expect_map(r, m, "'logs'"))
        return;
    cfg_check_keys(r, m, keys, "logs");
    yaml_node_t *n;
    if ((n = cfg_get(r, m, "path")))
        cfg_path_str(r, n, "logs: 'path'", &r->c->log_path);
    if ((n = cfg_get(r, m, "payloadBytes")))
        cfg_int(r, n, "logs: 'payloadBytes'", 0, 1 << 20, &r->c->log_payload_bytes);
}

static void read_metrics(cfg_reader *r, const yaml_node_t *m)
{
    static const char *const keys[] = { "listen", NULL };
    if (!cfg_expect_map(r, m, "'metrics'"))
        return;
    cfg_check_keys(r, m, keys, "metrics");
    yaml_node_t *n = cfg_get(r, m, "listen");
    if (n)
        cfg_addr(r, n, "metrics: 'listen'", &r->c->metrics);
    else
        cfg_error(r, m, "metrics: 'listen' is required");
}

static void read_tokenizer(cfg_reader *r, const yaml_node_t *m)
{
    static const char *const keys[] = { "o200k", "cl100k", NULL };
    if (!cfg_expect_map(r, m, "'tokenizer'"))
        return;
    cfg_check_keys(r, m, keys, "tokenizer");
    yaml_node_t *n;
    if ((n = cfg_get(r, m, "o200k")))
        cfg_path_str(r, n, "tokenizer: 'o200k'", &r->c->tokenizer_o200k);
    if ((n = cfg_get(r, m, "cl100k")))
        cfg_path_str(r, n, "tokenizer: 'cl100k'", &r->c->tokenizer_cl100k);
}

static const char *const known_keys[] = {
    "listen",   "workers",       "policy", "namedValues", "policyFragments", "backends", "apis",
    "products", "subscriptions", "users",  "counters",    "state",           "logs",     "metrics",
    "loggers",  "tokenizer",     "tls",    NULL,
};

static void read_settings(cfg_reader *r, const yaml_node_t *root)
{
    rt_config *c = r->c;
    yaml_node_t *n;
    int64_t v;
    if ((n = cfg_get(r, root, "listen")))
        cfg_addr(r, n, "'listen'", &c->listen);
    if ((n = cfg_get(r, root, "workers")) && cfg_int(r, n, "'workers'", 1, 256, &v) == 0)
        c->workers = (int)v;
    if ((n = cfg_get(r, root, "counters")))
        read_counters(r, n);
    if ((n = cfg_get(r, root, "state")))
        cfg_path_str(r, n, "'state'", &c->state_path);
    if ((n = cfg_get(r, root, "logs")))
        read_logs(r, n);
    if ((n = cfg_get(r, root, "metrics")))
        read_metrics(r, n);
    if ((n = cfg_get(r, root, "loggers")))
        read_loggers(r, n);
    if ((n = cfg_get(r, root, "tokenizer")))
        read_tokenizer(r, n);
    if ((n = cfg_get(r, root, "tls")))
        read_tls(r, n);
}

static void read_root(cfg_reader *r, const yaml_node_t *root)
{
    if (!root || cfg_is_null(root))
        return; /* empty file: an empty configuration */
    if (!cfg_expect_map(r, root, "the configuration"))
        return;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = cfg_node(r, p->key);
        bool known = false;
        for (size_t i = 0; known_keys[i]; i++)
            known |= cfg_key_is(k, known_keys[i]);
        if (!known && cfg_is_scalar(k))
            cfg_warn(r, k, "unknown configuration key '%.*s'", (int)k->data.scalar.length,
                     (const char *)k->data.scalar.value);
    }
    cfg_check_keys(r, root, NULL, "the configuration");
    yaml_node_t *n;
    read_settings(r, root);
    if ((n = cfg_get(r, root, "policy")))
        cfg_path(r, n, "'policy'", &r->c->policy);
    if ((n = cfg_get(r, root, "namedValues")))
        read_named_values(r, n);
    if ((n = cfg_get(r, root, "policyFragments")))
        read_fragments(r, n);
    if ((n = cfg_get(r, root, "backends")))
        cfg_read_backends(r, n);
    if ((n = cfg_get(r, root, "apis")))
        cfg_read_apis(r, n);
    if ((n = cfg_get(r, root, "products")))
        cfg_read_products(r, n);
    if ((n = cfg_get(r, root, "users")))
        cfg_read_users(r, n);
    if ((n = cfg_get(r, root, "subscriptions")))
        cfg_read_subscriptions(r, n);
}

int rt_config_load_text(rt_config *c, const char *path, const char *text, size_t len, diag_list *d)
{
    memset(c, 0, sizeof *c);
    arena_init(&c->a, 0);
    c->path = arena_strdup(&c->a, path);
    c->text = arena_strndup(&c->a, text, len);
    c->text_len = len;
    c->workers = 1;
    size_t errors = d->errors;
    if (!c->path || !c->text) {
        diag_add(d, DIAG_ERROR, NULL, "out of memory");
        return -1;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        diag_add(d, DIAG_ERROR, NULL, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)c->text, len);
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
    cfg_reader r = { c, &doc, d,
                     slash ? arena_strndup(&c->a, c->path, (size_t)(slash - c->path)) : "" };
    if (slash == c->path)
        r.dir = "/";
    if (r.dir)
        read_root(&r, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return d->errors == errors ? 0 : -1;
}

int rt_config_load(rt_config *c, const char *path, diag_list *d)
{
    arena tmp;
    arena_init(&tmp, 0);
    size_t len = 0;
    char *text = rt_read_file(&tmp, path, &len);
    if (!text) {
        int err = errno;
        memset(c, 0, sizeof *c);
        arena_init(&c->a, 0);
        c->path = arena_strdup(&c->a, path);
        diag_add(d, DIAG_ERROR, NULL, "cannot read '%s': %s", path, strerror(err));
        arena_release(&tmp);
        return -2;
    }
    int rc = rt_config_load_text(c, path, text, len, d);
    arena_release(&tmp);
    return rc;
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

#define CFG_FIND(fn, type, arr, n)                                                                 \
    const type *fn(const rt_config *c, str id)                                                     \
    {                                                                                              \
        for (size_t i = 0; i < c->n; i++) {                                                        \
            if (str_eq(c->arr[i].id, id))                                                          \
                return &c->arr[i];                                                                 \
        }                                                                                          \
        return NULL;                                                                               \
    }
CFG_FIND(rt_config_fragment, rt_fragment_ref, frags, nfrags)
CFG_FIND(rt_config_backend, rt_backend, backends, nbackends)
CFG_FIND(rt_config_api, rt_api, apis, napis)
CFG_FIND(rt_config_product, rt_product, products, nproducts)
CFG_FIND(rt_config_subscription, rt_subscription, subs, nsubs)
CFG_FIND(rt_config_logger, rt_logger, loggers, nloggers)
CFG_FIND(rt_config_user, rt_user, users, nusers)

bool rt_product_has_api(const rt_product *p, const rt_api *api)
{
    for (size_t i = 0; i < p->napis; i++) {
        if (p->apis[i] == api)
            return true;
    }
    return false;
}

int rt_make_parent_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i < n; i++) {
        if (buf[i] != '/')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0750) < 0 && errno != EEXIST)
            return -1;
        buf[i] = '/';
    }
    return 0;
}
