#ifndef RUNTIME_CONFIG_IMPL_H
#define RUNTIME_CONFIG_IMPL_H

/* Internals shared by the configuration readers (config.c: infrastructure, root, named values,
 * fragments, service settings; config_backends.c; config_apis.c: APIs, products, users,
 * subscriptions). Not for other modules: they include config.h. */

#include <yaml.h>

#include "config.h"

typedef struct cfg_reader {
    rt_config *c;
    yaml_document_t *doc;
    diag_list *d;
    const char *dir; /* directory of the YAML file, "" for the current one */
} cfg_reader;

rt_cfg_where cfg_where(const yaml_node_t *n);
void cfg_error(cfg_reader *r, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cfg_error_at(cfg_reader *r, rt_cfg_where w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cfg_warn(cfg_reader *r, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
yaml_node_t *cfg_node(cfg_reader *r, int id);
bool cfg_is_scalar(const yaml_node_t *n);
/* A plain (unquoted) scalar "", "~", "null": a YAML null. */
bool cfg_is_null(const yaml_node_t *n);
/* The scalar's text copied into the config arena (NUL-terminated). */
str cfg_scalar(cfg_reader *r, const yaml_node_t *n);
bool cfg_key_is(const yaml_node_t *k, const char *name);
/* Value of key in mapping m, or NULL (the first occurrence). */
yaml_node_t *cfg_get(cfg_reader *r, const yaml_node_t *m, const char *key);
bool cfg_expect_map(cfg_reader *r, const yaml_node_t *n, const char *what);
size_t cfg_npairs(const yaml_node_t *m);
/* Warns about keys of mapping m not in known (NULL-terminated) and reports duplicated keys as
 * errors; what names the mapping in messages ("backend 'x'"). known NULL: only duplicates
 * (maps keyed by ids). Non-scalar keys are errors. */
void cfg_check_keys(cfg_reader *r, const yaml_node_t *m, const char *const *known,
                    const char *what);
/* Typed readers: 0, or -1 after an error at n naming `what` (e.g. "backend 'x': 'url'"). */
int cfg_path(cfg_reader *r, const yaml_node_t *n, const char *what, rt_cfg_file *out);
int cfg_path_str(cfg_reader *r, const yaml_node_t *n, const char *what, const char **out);
int cfg_str(cfg_reader *r, const yaml_node_t *n, const char *what, str *out);
int cfg_str_nonempty(cfg_reader *r, const yaml_node_t *n, const char *what, str *out);
int cfg_bool(cfg_reader *r, const yaml_node_t *n, const char *what, bool *out);
int cfg_int(cfg_reader *r, const yaml_node_t *n, const char *what, int64_t min, int64_t max,
            int64_t *out);
int cfg_duration(cfg_reader *r, const yaml_node_t *n, const char *what, int64_t *ms);
/* A sequence of strings (a single scalar is accepted as a one-element list when one_ok). */
int cfg_str_list(cfg_reader *r, const yaml_node_t *n, const char *what, bool one_ok, str **out,
                 size_t *nout);
/* Substitutes {{named values}} in the scalar n (APIM names: letters, digits, '.', '-', '_');
 * an undefined name is an error at n. *secret is set when a secret value was used (may be
 * NULL). */
int cfg_subst(cfg_reader *r, const yaml_node_t *n, const char *what, str *out, bool *secret);
/* An "host:port" address. */
int cfg_addr(cfg_reader *r, const yaml_node_t *n, const char *what, rt_cfg_addr *out);
/* Is s an absolute http:// or https:// URL with a host? */
bool cfg_is_http_url(str s);

/* Section readers. */
void cfg_read_backends(cfg_reader *r, const yaml_node_t *m);
void cfg_read_apis(cfg_reader *r, const yaml_node_t *m);
void cfg_read_products(cfg_reader *r, const yaml_node_t *m);
void cfg_read_users(cfg_reader *r, const yaml_node_t *m);
void cfg_read_subscriptions(cfg_reader *r, const yaml_node_t *m);
/* Parses an operation's urlTemplate into op->segs / op->query (config_tpl.c). -1 with an error
 * at n. */
int cfg_parse_template(cfg_reader *r, const yaml_node_t *n, rt_operation *op);

#endif
