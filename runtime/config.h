#ifndef RUNTIME_CONFIG_H
#define RUNTIME_CONFIG_H

/* The gateway configuration (DESIGN.md §3), read from YAML with libyaml. Property names follow
 * the ARM/Bicep resources (Microsoft.ApiManagement/service/..., camelCase). Everything lives in
 * the config's arena and is immutable after rt_config_load; paths are resolved relative to the
 * YAML file. Cross references (pool members, product APIs, subscription scopes, owners) are
 * resolved at load into pointers into the same config.
 *
 * Load-time checks: every bad value is an error at file:line:col of the YAML value; unknown
 * keys are warnings at the key (typos); duplicate keys are errors. Messages never quote a
 * secret (named values marked secret, subscription keys, proxy passwords, credential values
 * after {{named value}} substitution).
 *
 * Defaults (where the YAML is silent): apis.*.subscriptionRequired true, key names
 * Ocp-Apim-Subscription-Key / subscription-key, products: subscriptionRequired true, state
 * published (ARM's default is notPublished; apimlite defaults to published so that a product
 * written in the YAML is live), subscriptions: state active, backends: type Single, protocol
 * http, tls validation true, pool member priority 1 and weight 1 (ARM: null), workers 1,
 * counters memory, logs.payloadBytes 0. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/str.h"

struct pol_doc;

/* A place in the YAML file (for diagnostics about what a value refers to). */
typedef struct rt_cfg_where {
    unsigned line, col; /* 1-based; 0 = unknown */
} rt_cfg_where;

/* A file the configuration names (a policy document or a fragment). */
typedef struct rt_cfg_file {
    const char *path;    /* resolved: relative to the YAML file's directory unless absolute;
                          * NULL when the entity has no document */
    rt_cfg_where where;  /* the value in the YAML file */
    struct pol_doc *doc; /* for the loader of the policy set (core): the parsed document.
                          * config never reads or sets it (NULL after rt_config_load) */
} rt_cfg_file;

typedef struct rt_named_value {
    str name;
    str value;   /* from the YAML, or from the environment (env:) */
    bool secret; /* never printed */
    rt_cfg_where where;
} rt_named_value;

typedef struct rt_fragment_ref {
    str id;
    rt_cfg_file file;
} rt_fragment_ref;

/* ---- backends (service/backends) ---- */

/* credentials.header / credentials.query: a name and its values ({{named values}} substituted).
 * Header values are sent as one header per value (APIM appends them). */
typedef struct rt_cred_param {
    str name;
    str *values;
    size_t nvalues;
} rt_cred_param;

typedef struct rt_backend_credentials {
    rt_cred_param *headers;
    size_t nheaders;
    rt_cred_param *query;
    size_t nquery;
    bool has_authorization; /* credentials.authorization: Authorization: <scheme> <parameter> */
    str auth_scheme;
    str auth_parameter;        /* secret-ish: never printed */
    bool has_managed_identity; /* credentials.managedIdentity {resource, clientId} */
    str mi_resource;
    str mi_client_id;     /* "" when absent (system-assigned) */
    str *certificate_ids; /* credentials.certificateIds */
    size_t ncertificate_ids;
    str *certificates; /* credentials.certificate (thumbprints) */
    size_t ncertificates;
} rt_backend_credentials;

typedef struct rt_status_range {
    int min, max; /* 200..599, min <= max */
} rt_status_range;

/* circuitBreaker.rules[]. Exactly one of count and percentage is set (the other is 0). */
typedef struct rt_breaker_rule {
    str name;
    int count;               /* failureCondition.count, >= 1; 0 when percentage is used */
    int percentage;          /* failureCondition.percentage, 1..100; 0 when count is used */
    int64_t interval_ms;     /* failureCondition.interval (ISO-8601), > 0 */
    rt_status_range *ranges; /* failureCondition.statusCodeRanges */
    size_t nranges;
    str *error_reasons; /* failureCondition.errorReasons (each <= 200 chars) */
    size_t nerror_reasons;
    int64_t trip_ms; /* tripDuration (ISO-8601), > 0 */
    bool accept_retry_after;
} rt_breaker_rule;

typedef struct rt_backend rt_backend;

/* pool.services[]: the member backend resolved (a Single backend of this config). */
typedef struct rt_pool_member {
    str id;                    /* the backend id (a "/backends/<id>" prefix is stripped) */
    const rt_backend *backend; /* never NULL after a successful load */
    int priority;              /* 0..100, lower = preferred; default 1 */
    int weight;                /* 0..100; default 1 */
    rt_cfg_where where;
} rt_pool_member;

#define RT_POOL_MAX 30

struct rt_backend {
    str id;
    str url;         /* {{named values}} substituted; "" for pools / when absent */
    bool pool;       /* type: Pool */
    str protocol;    /* "http" (default) or "soap" */
    str description; /* "" when absent */
    str title;
    rt_backend_credentials cred;
    bool tls_validate_chain; /* tls.validateCertificateChain, default true */
    bool tls_validate_name;  /* tls.validateCertificateName, default true */
    str proxy_url;           /* "" when no proxy */
    str proxy_username;
    str proxy_password;     /* never printed */
    rt_breaker_rule *rules; /* circuitBreaker.rules (APIM supports one; we accept several) */
    size_t nrules;
    rt_pool_member *members; /* pool.services (pools only), 1..RT_POOL_MAX */
    size_t nmembers;
    size_t index;       /* position in rt_config.backends (for per-backend state arrays) */
    rt_cfg_where where; /* the backend's id in the YAML */
};

/* ---- APIs, operations, products, subscriptions, users ---- */

/* A parsed URL template (operations' urlTemplate), used by route.c. */
typedef enum rt_tpl_part_kind {
    RT_TPL_LIT,   /* literal text (matched ASCII case-insensitively) */
    RT_TPL_PARAM, /* {name}: one or more characters, never a '/' */
} rt_tpl_part_kind;

typedef struct rt_tpl_part {
    rt_tpl_part_kind kind;
    str text; /* the literal, or the parameter's name */
} rt_tpl_part;

/* One path segment of a template: a sequence of parts ("{id}.json" is PARAM, LIT). */
typedef struct rt_tpl_seg {
    rt_tpl_part *parts;
    size_t nparts;
    bool wildcard; /* the segment is "*" (last one only): matches the rest of the path */
} rt_tpl_seg;

/* A query parameter the template declares: name={param} (required, captured) or name=literal
 * (must be present with that value). */
typedef struct rt_tpl_query {
    str name;
    str param; /* the captured parameter's name, or STR_NULL for a literal */
    str literal;
} rt_tpl_query;

typedef struct rt_operation {
    str id;
    str method;       /* upper case; "*" matches every method */
    str url_template; /* as written, e.g. "/deployments/{deployment-id}/chat/completions" */
    str display_name; /* displayName, defaults to the id */
    str description;
    rt_cfg_file policy; /* path NULL when the operation has no policy */
    rt_tpl_seg *segs;   /* the template's path, split at '/' ("/" has 0 segments) */
    size_t nsegs;
    rt_tpl_query *query;
    size_t nquery;
    rt_cfg_where where;
} rt_operation;

typedef struct rt_api {
    str id;
    str path;        /* URL suffix without leading/trailing '/', e.g. "openai"; may be "" */
    str service_url; /* serviceUrl ({{named values}} substituted); "" when absent */
    bool subscription_required; /* default true */
    str key_header;   /* subscriptionKeyParameterNames.header, default Ocp-Apim-Subscription-Key */
    str key_query;    /* subscriptionKeyParameterNames.query, default subscription-key */
    str display_name; /* displayName, defaults to the id */
    str description;
    str *protocols; /* protocols: http, https, ws, wss (default https) */
    size_t nprotocols;
    str api_version;  /* apiVersion, "" when absent */
    str api_revision; /* apiRevision, default "1" */
    bool is_current;  /* isCurrent, default true */
    rt_cfg_file policy;
    rt_operation *ops; /* without operations every path under the API matches */
    size_t nops;
    size_t index; /* position in rt_config.apis */
    rt_cfg_where where;
} rt_api;

typedef struct rt_product {
    str id;
    str display_name; /* defaults to the id */
    str description;
    const rt_api **apis; /* apis: [api ids] resolved */
    size_t napis;
    bool subscription_required; /* false = open product (no key needed) */
    bool approval_required;
    bool published;          /* state: published (default) | notPublished */
    int subscriptions_limit; /* subscriptionsLimit, 0 = none */
    str *groups;             /* groups: [names] (context.Product.Groups) */
    size_t ngroups;
    rt_cfg_file policy;
    size_t index;
    rt_cfg_where where;
} rt_product;

typedef struct rt_user {
    str id;
    str email;
    str first_name;
    str last_name;
    str note;
    str registration_date; /* as written (ISO-8601), "" when absent */
    str *groups;
    size_t ngroups;
    rt_cfg_where where;
} rt_user;

typedef enum rt_sub_scope {
    RT_SUB_SERVICE,  /* "/" (all-access, like the built-in master subscription) */
    RT_SUB_ALL_APIS, /* "/apis" */
    RT_SUB_API,      /* "/apis/<id>" */
    RT_SUB_PRODUCT,  /* "/products/<id>" */
} rt_sub_scope;

typedef enum rt_sub_state {
    RT_SUB_ACTIVE, /* the only state whose keys work */
    RT_SUB_SUSPENDED,
    RT_SUB_CANCELLED,
    RT_SUB_EXPIRED,
    RT_SUB_SUBMITTED,
    RT_SUB_REJECTED,
} rt_sub_state;

typedef struct rt_subscription {
    str id;
    str display_name; /* displayName, defaults to the id (context.Subscription.Name) */
    rt_sub_scope scope_kind;
    str scope;                 /* as written */
    const rt_api *api;         /* RT_SUB_API */
    const rt_product *product; /* RT_SUB_PRODUCT */
    str primary_key;           /* never printed; "" when absent (no key matches "") */
    str secondary_key;
    rt_sub_state state;
    str owner_id;         /* ownerId as written ("/users/<id>" or "<id>"), "" when absent */
    const rt_user *owner; /* resolved when users: defines it, else NULL */
    bool allow_tracing;
    str created_date, start_date, end_date; /* as written (ISO-8601), "" when absent */
    rt_cfg_where where;
} rt_subscription;

typedef struct rt_logger {
    str id;
    const char *file; /* resolved path of the JSON-lines sink */
    str description;
    rt_cfg_where where;
} rt_logger;

typedef enum rt_counters_kind { RT_COUNTERS_MEMORY, RT_COUNTERS_REDIS } rt_counters_kind;

/* An address "host:port", "[v6]:port" or ":port" (host "" = every interface). */
typedef struct rt_cfg_addr {
    bool set;
    str host;
    int port; /* 1..65535 */
    rt_cfg_where where;
} rt_cfg_addr;

/* tls: { cert, key }: TLS termination of `apimlite serve` (PEM files, resolved paths; the
 * certificate file may hold the chain after the leaf). Checked at load: both files readable
 * and holding a PEM certificate / private key; serve checks that the key matches the
 * certificate (errors at cert_where / key_where). */
typedef struct rt_cfg_tls {
    bool set;
    const char *cert, *key;
    rt_cfg_where where, cert_where, key_where;
} rt_cfg_tls;

typedef struct rt_config {
    arena a;          /* owns everything below */
    const char *path; /* the YAML file as given */
    const char *text; /* its bytes (for diagnostics) */
    size_t text_len;
    rt_cfg_addr listen; /* listen: */
    int workers;        /* default 1 */
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
    rt_subscription *subs;
    size_t nsubs;
    rt_user *users;
    size_t nusers;
    rt_logger *loggers;
    size_t nloggers;
    rt_counters_kind counters;   /* counters: memory (default) | redis://host:port/db */
    str redis_url;               /* the redis:// or unix:// URL */
    const char *state_path;      /* state: (resolved), NULL when absent */
    const char *log_path;        /* logs.path (resolved), NULL when absent */
    int64_t log_payload_bytes;   /* logs.payloadBytes, 0..1048576 */
    rt_cfg_addr metrics;         /* metrics.listen */
    rt_cfg_tls tls;              /* tls: (serve) */
    const char *tokenizer_o200k; /* tokenizer.o200k: rank file (resolved), NULL = built-in search */
    const char *tokenizer_cl100k; /* tokenizer.cl100k */
} rt_config;

/* Reads and checks path. Returns 0, or -1 with diagnostics in d (YAML syntax errors and bad
 * values at file:line:col; a named value whose env: variable is not set). On -1 the struct is
 * still valid for rt_config_release. An unreadable file is reported as
 * "cannot read 'x': <strerror>" and returns -2. */
int rt_config_load(rt_config *c, const char *path, diag_list *d);
/* Same, from text[0..len) that was read from `path` (path used for diagnostics and to resolve
 * relative paths; tests use it). */
int rt_config_load_text(rt_config *c, const char *path, const char *text, size_t len, diag_list *d);
void rt_config_release(rt_config *c);

/* Lookups (NULL when absent). Named values are found case-insensitively (APIM), everything
 * else by exact id. */
const rt_named_value *rt_config_named_value(const rt_config *c, str name);
const rt_fragment_ref *rt_config_fragment(const rt_config *c, str id);
const rt_backend *rt_config_backend(const rt_config *c, str id);
const rt_api *rt_config_api(const rt_config *c, str id);
const rt_product *rt_config_product(const rt_config *c, str id);
const rt_subscription *rt_config_subscription(const rt_config *c, str id);
const rt_logger *rt_config_logger(const rt_config *c, str id);
const rt_user *rt_config_user(const rt_config *c, str id);

/* True when product p contains api. */
bool rt_product_has_api(const rt_product *p, const rt_api *api);

/* Parses an ISO-8601 duration ("PT1M", "PT10S", "P1DT2H", "PT0.5S", "P2W") into *ms.
 * Years and months are rejected (their length is ambiguous). Returns 0, or -1 with a short
 * reason in *why (static string). */
int rt_duration_parse(str s, int64_t *ms, const char **why);

/* Position of w in the YAML file, for diag_add. */
void rt_config_pos(const rt_config *c, rt_cfg_where w, diag_pos *out);

/* Reads a whole file into a (NUL-terminated). NULL with errno set on failure. Shared by
 * check and config. */
char *rt_read_file(arena *a, const char *path, size_t *len);
/* Creates the missing parent directories of path (mode 0750), like `mkdir -p $(dirname path)`.
 * Returns 0, or -1 with errno set. Used before opening log and state files. */
int rt_make_parent_dirs(const char *path);

#endif
