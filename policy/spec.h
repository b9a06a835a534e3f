#ifndef POLICY_SPEC_H
#define POLICY_SPEC_H

#include <stddef.h>

/* The vocabulary of APIM policy documents as data. Every policy is one pol_spec entry in a
 * family file under runtime/policies/ (registry.c lists the families). policy/ validates
 * documents against these tables generically: sections, attributes (type, required, default,
 * expression allowed, enum values), child elements and their content, and the declarative
 * rules below. A spec's parse() does what the tables cannot express; exec() runs it
 * (runtime, later). Keep tables in the order of the policy's reference syntax. */

struct pol_cc;
struct pol_node;
struct rt_req;

/* Sections where a policy may appear (spec/policies.md: I B O E). */
enum pol_section_flags {
    POL_SEC_INBOUND = 1 << 0,
    POL_SEC_BACKEND = 1 << 1,
    POL_SEC_OUTBOUND = 1 << 2,
    POL_SEC_ON_ERROR = 1 << 3,
    POL_SEC_ANY = 0xF,
};

/* Results of exec, nginx-style phase results. */
typedef enum pol_status { POL_NEXT, POL_SUSPEND, POL_RESPOND, POL_FAIL } pol_status;

typedef enum pol_attr_type {
    POL_T_STR,      /* any text */
    POL_T_INT,      /* decimal integer (optionally signed) */
    POL_T_UINT,     /* non-negative decimal integer */
    POL_T_DOUBLE,   /* decimal number */
    POL_T_BOOL,     /* true | false (case-insensitive, as .NET bool.Parse) */
    POL_T_ENUM,     /* one of values[] (case-insensitive) */
    POL_T_DATETIME, /* ISO-8601 UTC, e.g. 2024-01-01T00:00:00Z */
    POL_T_URL,      /* absolute http(s) URL */
} pol_attr_type;

enum pol_attr_flags {
    POL_REQUIRED = 1 << 0,    /* must be present */
    POL_EXPR = 1 << 1,        /* the value may be a policy expression @(...) / @{...} */
    POL_UNSUPPORTED = 1 << 2, /* accepted by APIM, validated here, not executed by apimlite
                               * (e.g. Service Fabric attributes); check warns when used */
    POL_DEPRECATED = 1 << 3,  /* not APIM vocabulary but seen in real documents (toolkit
                               * misspellings such as estimate-prompt-token): accepted so the
                               * document loads; check warns when used */
    POL_OPEN_ENUM = 1 << 4,   /* POL_T_ENUM whose values[] are the documented ones, but real
                               * documents carry others (toolkit test data: token-quota-period
                               * "day"): another literal loads with a warning, not an error */
};

/* Extra text_flags bit (beside POL_REQUIRED and POL_EXPR). */
enum pol_text_flags {
    POL_TEXT_ALT = 1 << 4, /* POL_C_CHILDREN: the element may hold text instead of its child
                            * elements (legacy syntax, e.g. <trace source="s">@(...)</trace>);
                            * the text follows POL_EXPR, and the children's min counts do not
                            * apply when the text is there */
};

typedef struct pol_attr {
    const char *name;
    pol_attr_type type;
    unsigned flags;            /* pol_attr_flags */
    const char *def;           /* documented default as text, or NULL */
    const char *const *values; /* POL_T_ENUM: NULL-terminated list of allowed values */
} pol_attr;

/* What an element may contain. */
typedef enum pol_content {
    POL_C_EMPTY,    /* nothing but white space and comments */
    POL_C_TEXT,     /* text: a literal, or one expression if text_flags has POL_EXPR */
    POL_C_POLICIES, /* a block of policy statements (choose/when, retry, fragment, ...) */
    POL_C_CHILDREN, /* only the child elements listed in children[] */
    POL_C_OPAQUE,   /* anything, kept as raw text (set-body with Liquid/XML, xsl-transform) */
} pol_content;

typedef struct pol_child pol_child;
struct pol_child {
    const char *name;
    unsigned min, max;     /* occurrences; max 0 = unbounded */
    const pol_attr *attrs; /* { 0 }-terminated, or NULL for none */
    pol_content content;
    unsigned text_flags;       /* POL_C_TEXT: POL_EXPR if the text may be an expression,
                                * POL_REQUIRED if the text must not be empty */
    const pol_child *children; /* POL_C_CHILDREN: { 0 }-terminated */
    const char *policy;        /* non-NULL: this child is validated as that policy (send-request's
                                * <set-header>, return-response's <set-status>) */
};

/* Cross-attribute rules the generic validator enforces. names is "a|b|c". */
typedef enum pol_rule_kind {
    POL_R_EXACTLY_ONE,  /* exactly one of the attributes is present */
    POL_R_AT_MOST_ONE,  /* at most one of them */
    POL_R_AT_LEAST_ONE, /* at least one of them */
    POL_R_ALL_OR_NONE,  /* all of them or none */
} pol_rule_kind;

typedef struct pol_rule {
    pol_rule_kind kind;
    const char *names;
} pol_rule;

enum pol_spec_flags {
    POL_ONCE = 1 << 0,             /* at most once per section of an effective document */
    POL_UNSUPPORTED_SPEC = 1 << 1, /* APIM policy apimlite does not execute (Dapr, Service Bus,
                                    * SOAP, ...): it loads and is validated; check warns */
    POL_DEPRECATED_SPEC = 1 << 2,  /* element name that is not APIM vocabulary but occurs in real
                                    * documents (toolkit misspellings invoke-darp-binding,
                                    * publish-to-darp, cache-value): loads, check warns */
    POL_UNORDERED = 1 << 3,        /* its child elements may come in any order (real documents put
                                    * cache-lookup's vary-by-query-parameter before vary-by-header);
                                    * otherwise children follow the order of children[] */
};

typedef struct pol_spec {
    const char *name;      /* element name, e.g. "set-header" */
    unsigned sections;     /* pol_section_flags; validate.c enforces it */
    const pol_attr *attrs; /* { 0 }-terminated; unknown/missing attributes rejected generically.
                            * Every policy also accepts "id" (LastError.PolicyId). */
    pol_content content;
    unsigned text_flags;       /* as pol_child.text_flags, for POL_C_TEXT */
    const pol_child *children; /* POL_C_CHILDREN: { 0 }-terminated */
    const pol_rule *rules;     /* { 0 }-terminated or NULL */
    unsigned flags;            /* pol_spec_flags */
    size_t conf_size;          /* compile allocates conf in the config arena, then calls parse */
    int (*parse)(struct pol_cc *cc, const struct pol_node *el, void *conf); /* 0, or -1 + diags */
    pol_status (*exec)(struct rt_req *r, const void *conf);
} pol_spec;

#endif
