#ifndef RUNTIME_CONFIG_H
#define RUNTIME_CONFIG_H

/* The gateway configuration (DESIGN.md §3), read from YAML with libyaml. This first version
 * holds what `apimlite check` needs: the policy documents it names (global, APIs, operations,
 * products), named values, policy fragments and backend ids. Later issues add the runtime
 * fields (listen, backends' URLs/credentials/breakers/pools, subscriptions, counters...) to the
 * same structs; the YAML tree walk in config.c has one reader per section. Everything lives
 * in the config's arena; paths are resolved relative to the YAML file. */

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/str.h"

/* A place in the YAML file (for diagnostics about what a value refers to). */
typedef struct rt_cfg_where {
    unsigned line, col; /* 1-based; 0 = unknown */
} rt_cfg_where;

/* A file the configuration names (a policy document or a fragment). */
typedef struct rt_cfg_file {
    const char *path;   /* resolved: relative to the YAML file's directory unless absolute */
    rt_cfg_where where; /* the value in the YAML file */
} rt_cfg_file;

typedef struct rt_named_value {
    str name;
    str value;   /* from the YAML, or from the environment (env:) */
    bool secret; /* never printed */
} rt_named_value;

typedef struct rt_fragment_ref {
    str id;
    rt_cfg_file file;
} rt_fragment_ref;

typedef struct rt_backend {
    str id;
    str url;   /* "" for pools / when absent */
    bool pool; /* type: Pool */
} rt_backend;

typedef struct rt_operation {
    str id;
    rt_cfg_file policy; /* path NULL when the operation has no policy */
} rt_operation;

typedef struct rt_api {
    str id;
    str path;
    rt_cfg_file policy;
    rt_operation *ops;
    size_t nops;
} rt_api;

typedef struct rt_product {
    str id;
    rt_cfg_file policy;
} rt_product;

typedef struct rt_config {
    arena a;          /* owns everything below */
    const char *path; /* the YAML file as given */
    const char *text; /* its bytes (for diagnostics) */
    size_t text_len;
    rt_cfg_file policy; /* global scope; path NULL when absent */
    rt_named_value *nvs;
    size_t nnvs;
    rt_fragment_ref *frags;
    size_t nfrags;
    rt_backend *backends;
    size_t nbackends;
    rt_api *apis;
    size_t napis;
    rt_product *products;
    size_t nproducts;
} rt_config;

/* Reads and checks path. Returns 0, or -1 with diagnostics in d (YAML syntax errors and bad
 * values at file:line:col; a named value whose env: variable is not set). On -1 the struct is
 * still valid for rt_config_release. An unreadable file is reported as
 * "cannot read 'x': <strerror>" and returns -2. */
int rt_config_load(rt_config *c, const char *path, diag_list *d);
void rt_config_release(rt_config *c);

/* Lookups (NULL / false when absent). */
const rt_named_value *rt_config_named_value(const rt_config *c, str name);
const rt_fragment_ref *rt_config_fragment(const rt_config *c, str id);
const rt_backend *rt_config_backend(const rt_config *c, str id);

/* Position of w in the YAML file, for diag_add. */
void rt_config_pos(const rt_config *c, rt_cfg_where w, diag_pos *out);

/* Reads a whole file into a (NUL-terminated). NULL with errno set on failure. Shared by
 * check and config. */
char *rt_read_file(arena *a, const char *path, size_t *len);

#endif
