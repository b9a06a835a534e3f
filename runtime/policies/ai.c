/* AI gateway policies: token limits, token metrics, semantic cache, content safety. The
 * azure-openai-* and llm-* twins share their tables. */
#include "families.h"

#include <stddef.h>

#include "limits.h"      /* limits: token limits (tokenlimit.c) */
#include "observe_pol.h" /* observe: token metrics */
#include "semcache.h"    /* sem: semantic cache, content safety (semcache.c, safety.c) */

/* <azure-openai-token-limit | llm-token-limit counter-key="k" tokens-per-minute="n"
 *   token-quota="n" token-quota-period="Hourly|..." estimate-prompt-tokens="bool" .../>
 * tokens-per-minute and token-quota take expressions (docs silent or conflicting: lenient).
 * estimate-prompt-tokens is required; the toolkit's misspelling estimate-prompt-token stands
 * in for it (hence the exactly-one rule instead of POL_REQUIRED). */
static const char *const quota_periods[] = {
    "Hourly", "Daily", "Weekly", "Monthly", "Yearly", NULL
};
static const pol_attr token_limit_attrs[] = {
    { "counter-key", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "tokens-per-minute", POL_T_UINT, POL_EXPR, NULL, NULL },
    { "token-quota", POL_T_UINT, POL_EXPR, NULL, NULL },
    { "token-quota-period", POL_T_ENUM, POL_EXPR | POL_OPEN_ENUM, NULL, quota_periods },
    { "estimate-prompt-tokens", POL_T_BOOL, 0, NULL, NULL },
    { "estimate-prompt-token", POL_T_BOOL, POL_DEPRECATED, NULL, NULL },
    { "retry-after-header-name", POL_T_STR, 0, "Retry-After", NULL },
    { "retry-after-variable-name", POL_T_STR, 0, NULL, NULL },
    { "remaining-tokens-header-name", POL_T_STR, 0, NULL, NULL },
    { "remaining-tokens-variable-name", POL_T_STR, 0, NULL, NULL },
    { "remaining-quota-tokens-header-name", POL_T_STR, 0, NULL, NULL },
    { "remaining-quota-tokens-variable-name", POL_T_STR, 0, NULL, NULL },
    { "tokens-consumed-header-name", POL_T_STR, 0, NULL, NULL },
    { "tokens-consumed-variable-name", POL_T_STR, 0, NULL, NULL },
    { 0 },
};
static const pol_rule token_limit_rules[] = {
    { POL_R_AT_LEAST_ONE, "tokens-per-minute|token-quota" },
    { POL_R_ALL_OR_NONE, "token-quota|token-quota-period" },
    { POL_R_EXACTLY_ONE, "estimate-prompt-tokens|estimate-prompt-token" },
    { 0 },
};

/* <azure-openai-emit-token-metric | llm-emit-token-metric namespace="ns">
 *   <dimension name="d" value="v"/>+ </...>. value: listed by one doc version [?]. */
static const pol_attr emit_token_metric_attrs[] = {
    { "namespace", POL_T_STR, 0, "API Management", NULL },
    { "value", POL_T_DOUBLE, POL_EXPR | POL_UNSUPPORTED, NULL, NULL },
    { 0 },
};
static const pol_attr dimension_attrs[] = {
    { "name", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "value", POL_T_STR, POL_EXPR, NULL, NULL },
    { 0 },
};
static const pol_child emit_token_metric_children[] = {
    { .name = "dimension", .min = 1, .max = 10, .attrs = dimension_attrs, .content = POL_C_EMPTY },
    { 0 },
};

/* <...-semantic-cache-lookup score-threshold="0.05" embeddings-backend-id="b"
 *   embeddings-backend-auth="system-assigned" ignore-system-messages="bool"
 *   max-message-count="n"><vary-by>expr</vary-by>*</...> */
static const char *const embeddings_auths[] = { "system-assigned", NULL };
static const pol_attr semantic_cache_lookup_attrs[] = {
    { "score-threshold", POL_T_DOUBLE, POL_REQUIRED, NULL, NULL },
    { "embeddings-backend-id", POL_T_STR, POL_REQUIRED, NULL, NULL },
    { "embeddings-backend-auth", POL_T_ENUM, POL_REQUIRED | POL_OPEN_ENUM, NULL, embeddings_auths },
    { "ignore-system-messages", POL_T_BOOL, 0, "false", NULL },
    { "max-message-count", POL_T_UINT, 0, NULL, NULL },
    /* seen in real documents (toolkit), not in the docs */
    { "cache-id", POL_T_STR, POL_UNSUPPORTED, NULL, NULL },
    { 0 },
};
static const pol_child semantic_cache_lookup_children[] = {
    { .name = "vary-by", .content = POL_C_TEXT, .text_flags = POL_EXPR | POL_REQUIRED },
    { 0 },
};

/* <...-semantic-cache-store duration="s"/> */
static const pol_attr semantic_cache_store_attrs[] = {
    { "duration", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};

/* <llm-content-safety backend-id="b" shield-prompt="bool" enforce-on-completions="bool">
 *   (enforce-on-completions="true" is not executed: see safety.c)
 *   <categories output-type="FourSeverityLevels|EightSeverityLevels">
 *     <category name="Hate|SelfHarm|Sexual|Violence" threshold="0..7"/>+ </categories>?
 *   <blocklists><id>list</id>+</blocklists>? </llm-content-safety> */
static const pol_attr content_safety_attrs[] = {
    { "backend-id", POL_T_STR, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { "shield-prompt", POL_T_BOOL, POL_EXPR, "false", NULL },
    { "enforce-on-completions", POL_T_BOOL, POL_EXPR | POL_UNSUPPORTED, "false", NULL },
    { 0 },
};
static const char *const output_types[] = { "FourSeverityLevels", "EightSeverityLevels", NULL };
static const pol_attr categories_attrs[] = {
    { "output-type", POL_T_ENUM, POL_EXPR, "FourSeverityLevels", output_types },
    { 0 },
};
static const char *const category_names[] = { "Hate", "SelfHarm", "Sexual", "Violence", NULL };
static const pol_attr category_attrs[] = {
    { "name", POL_T_ENUM, POL_REQUIRED | POL_EXPR, NULL, category_names },
    { "threshold", POL_T_UINT, POL_REQUIRED | POL_EXPR, NULL, NULL },
    { 0 },
};
static const pol_child category_children[] = {
    { .name = "category", .min = 1, .attrs = category_attrs, .content = POL_C_EMPTY },
    { 0 },
};
static const pol_child blocklist_children[] = {
    { .name = "id", .min = 1, .content = POL_C_TEXT, .text_flags = POL_EXPR | POL_REQUIRED },
    { 0 },
};
static const pol_child content_safety_children[] = {
    { .name = "categories",
      .max = 1,
      .attrs = categories_attrs,
      .content = POL_C_CHILDREN,
      .children = category_children },
    { .name = "blocklists", .max = 1, .content = POL_C_CHILDREN, .children = blocklist_children },
    { 0 },
};

const pol_spec rt_policies_ai[] = {
    { .name = "azure-openai-token-limit",
      .sections = POL_SEC_INBOUND,
      .attrs = token_limit_attrs,
      .content = POL_C_EMPTY,
      .rules = token_limit_rules,
      .conf_size = sizeof(rt_token_limit_conf),
      .parse = rt_token_limit_parse,
      .exec = rt_token_limit_exec },
    { .name = "llm-token-limit",
      .sections = POL_SEC_INBOUND,
      .attrs = token_limit_attrs,
      .content = POL_C_EMPTY,
      .rules = token_limit_rules,
      .conf_size = sizeof(rt_token_limit_conf),
      .parse = rt_token_limit_parse,
      .exec = rt_token_limit_exec },
    { .name = "azure-openai-emit-token-metric",
      .sections = POL_SEC_INBOUND,
      .attrs = emit_token_metric_attrs,
      .content = POL_C_CHILDREN,
      .children = emit_token_metric_children,
      .conf_size = sizeof(rt_token_metric_conf),
      .parse = rt_pol_token_metric_parse_aoai,
      .exec = rt_pol_token_metric_exec },
    { .name = "llm-emit-token-metric",
      .sections = POL_SEC_INBOUND,
      .attrs = emit_token_metric_attrs,
      .content = POL_C_CHILDREN,
      .children = emit_token_metric_children,
      .conf_size = sizeof(rt_token_metric_conf),
      .parse = rt_pol_token_metric_parse_llm,
      .exec = rt_pol_token_metric_exec },
    { .name = "azure-openai-semantic-cache-lookup",
      .sections = POL_SEC_INBOUND,
      .attrs = semantic_cache_lookup_attrs,
      .content = POL_C_CHILDREN,
      .children = semantic_cache_lookup_children,
      .flags = POL_ONCE,
      .conf_size = sizeof(rt_sem_lookup_conf),
      .parse = rt_sem_lookup_parse,
      .exec = rt_sem_lookup_exec },
    { .name = "llm-semantic-cache-lookup",
      .sections = POL_SEC_INBOUND,
      .attrs = semantic_cache_lookup_attrs,
      .content = POL_C_CHILDREN,
      .children = semantic_cache_lookup_children,
      .flags = POL_ONCE,
      .conf_size = sizeof(rt_sem_lookup_conf),
      .parse = rt_sem_lookup_parse,
      .exec = rt_sem_lookup_exec },
    { .name = "azure-openai-semantic-cache-store",
      .sections = POL_SEC_OUTBOUND,
      .attrs = semantic_cache_store_attrs,
      .content = POL_C_EMPTY,
      .flags = POL_ONCE,
      .conf_size = sizeof(rt_sem_store_conf),
      .parse = rt_sem_store_parse,
      .exec = rt_sem_store_exec },
    { .name = "llm-semantic-cache-store",
      .sections = POL_SEC_OUTBOUND,
      .attrs = semantic_cache_store_attrs,
      .content = POL_C_EMPTY,
      .flags = POL_ONCE,
      .conf_size = sizeof(rt_sem_store_conf),
      .parse = rt_sem_store_parse,
      .exec = rt_sem_store_exec },
    { .name = "llm-content-safety",
      .sections = POL_SEC_INBOUND,
      .attrs = content_safety_attrs,
      .content = POL_C_CHILDREN,
      .children = content_safety_children,
      .conf_size = sizeof(rt_safety_conf),
      .parse = rt_safety_parse,
      .exec = rt_safety_exec },
    { 0 },
};
