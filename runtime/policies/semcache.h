#ifndef RUNTIME_POLICIES_SEMCACHE_H
#define RUNTIME_POLICIES_SEMCACHE_H

/* The semantic cache (semcache.c; behaviour described there) and llm-content-safety (safety.c)
 * executors behind the tables of ai.c. */

#include "common.h"

/* <...-semantic-cache-lookup> */
typedef struct rt_sem_lookup_conf {
    double threshold;     /* score-threshold: the largest cosine distance that is a hit */
    str backend;          /* embeddings-backend-id */
    bool ignore_system;   /* ignore-system-messages */
    int64_t max_messages; /* max-message-count; -1 when absent */
    pol_val *vary;        /* <vary-by> expressions */
    size_t nvary;
} rt_sem_lookup_conf;

int rt_sem_lookup_parse(pol_cc *cc, const pol_node *el, void *conf);
pol_status rt_sem_lookup_exec(rt_req *r, const void *conf);

/* <...-semantic-cache-store duration="s"/> */
typedef struct rt_sem_store_conf {
    pol_val duration;
} rt_sem_store_conf;

int rt_sem_store_parse(pol_cc *cc, const pol_node *el, void *conf);
pol_status rt_sem_store_exec(rt_req *r, const void *conf);

/* <llm-content-safety> */
typedef struct rt_safety_category {
    pol_val name, threshold;
} rt_safety_category;

typedef struct rt_safety_conf {
    pol_val backend, shield, enforce_completions, output_type;
    rt_safety_category *cats;
    size_t ncats;
    pol_val *blocklists;
    size_t nblocklists;
} rt_safety_conf;

int rt_safety_parse(pol_cc *cc, const pol_node *el, void *conf);
pol_status rt_safety_exec(rt_req *r, const void *conf);

#endif
