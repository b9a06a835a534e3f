#ifndef EXPR_AST_H
#define EXPR_AST_H

/* The syntax tree shared by parse.c, resolve.c and eval*.c. Built once in the config arena,
 * annotated in place by the resolver, immutable afterwards. */

#include "lib.h"
#include "tok.h"

/* Diagnostics sink of one compilation: positions are mapped through m (or the text itself). */
typedef struct expr_diag {
    diag_list *d;
    const diag_mapper *m;
    diag_text text; /* used when m is NULL */
    diag_mapper own;
    int nerr;
} expr_diag;

void expr_diag_init(expr_diag *dg, diag_list *d, const diag_mapper *m, const char *src, size_t len);
void expr_error_at(expr_diag *dg, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define EXPR_MAX_ERRORS 20

/* A type as written: List<string>, int?, string[], System.Text.Encoding. */
typedef struct expr_tnode {
    str name; /* dotted name without generic arguments */
    uint32_t off;
    struct expr_tnode *args[2];
    uint8_t nargs;
    bool nullable;
    uint8_t rank;
} expr_tnode;

enum expr_node_kind {
    /* expressions */
    EXPR_N_CONST,     /* val */
    EXPR_N_INTERP,    /* kids: text constants and holes (EXPR_N_HOLE) */
    EXPR_N_HOLE,      /* a: value, b: alignment or NULL, name: format */
    EXPR_N_NAME,      /* name: unresolved identifier */
    EXPR_N_LOCAL,     /* slot, depth (lambda levels up) */
    EXPR_N_CONTEXT,   /* the `context` root */
    EXPR_N_TYPEREF,   /* scls: a type used for static access */
    EXPR_N_MEMBER,    /* a: receiver, name; op: EXPR_MEM_*; mem/scls when resolved */
    EXPR_N_CALL,      /* a: target (MEMBER or NAME), kids: arguments (EXPR_N_ARG), targs */
    EXPR_N_ARG,       /* a: value, name: parameter name or empty; flags: EXPR_F_OUT */
    EXPR_N_INDEX,     /* a: receiver, kids: indices */
    EXPR_N_CHAIN,     /* a: a postfix chain containing ?. or ?[ (null short-circuit target) */
    EXPR_N_UNARY,     /* op: token, a */
    EXPR_N_INCDEC,    /* op: INC/DEC, a: target; flags: EXPR_F_POSTFIX */
    EXPR_N_BINARY,    /* op: token, a, b */
    EXPR_N_AND,       /* a && b */
    EXPR_N_OR,        /* a || b */
    EXPR_N_COALESCE,  /* a ?? b */
    EXPR_N_COND,      /* a ? b : c */
    EXPR_N_ASSIGN,    /* op: ASSIGN or compound token, a: target, b: value */
    EXPR_N_CAST,      /* tn/type, a */
    EXPR_N_IS,        /* a, tn/type (NULL type + EXPR_F_ISNULL for `is null`); slot for `is T x` */
    EXPR_N_AS,        /* a, tn/type */
    EXPR_N_LAMBDA,    /* lam */
    EXPR_N_NEW,       /* tn/type, kids: ctor arguments, b: initializer (EXPR_N_INIT) or NULL */
    EXPR_N_INIT,      /* kids: collection elements (EXPR_N_INIT_ITEM) or member assignments */
    EXPR_N_INIT_ITEM, /* kids: arguments of add() */
    EXPR_N_NEWARRAY,  /* tn: element type (NULL for new[]), a: size or NULL, kids: items */
    EXPR_N_ANON,      /* kids: values, names[] */
    EXPR_N_DEFAULT,   /* tn/type; NULL tn: `default` literal */
    EXPR_N_OUTVAR,    /* out var x / out T x: slot, tn */
    EXPR_N_LOCALFN,   /* a local function used as a value (method group): lam, depth */
    /* statements */
    EXPR_S_BLOCK,   /* kids */
    EXPR_S_DECL,    /* kids: EXPR_S_VAR */
    EXPR_S_VAR,     /* name, slot, tn/type, a: initializer or NULL */
    EXPR_S_EXPR,    /* a */
    EXPR_S_IF,      /* a: cond, b: then, c: else */
    EXPR_S_WHILE,   /* a: cond, b: body */
    EXPR_S_DO,      /* a: cond, b: body */
    EXPR_S_FOR,     /* a: init, b: cond, c: body, d: step (S_BLOCK of S_EXPR) */
    EXPR_S_FOREACH, /* slot, tn/type, a: collection, b: body */
    EXPR_S_BREAK,
    EXPR_S_CONTINUE,
    EXPR_S_RETURN, /* a */
    EXPR_S_THROW,  /* a, NULL = rethrow */
    EXPR_S_SWITCH, /* a: subject, kids: EXPR_S_CASE */
    EXPR_S_CASE,   /* kids: labels (constants); flags EXPR_F_DEFAULT; a: S_BLOCK */
    EXPR_S_TRY,    /* a: body, kids: EXPR_S_CATCH, b: finally or NULL */
    EXPR_S_CATCH,  /* tn/type (NULL = all), slot (-1 = unnamed), a: body */
    EXPR_S_EMPTY,
    EXPR_S_FUNC, /* local function declaration: name, lam (runs as a no-op) */
};

enum expr_node_flags {
    EXPR_F_COND = 1 << 0,    /* ?. or ?[ */
    EXPR_F_OUT = 1 << 1,     /* out argument */
    EXPR_F_POSTFIX = 1 << 2, /* x++ */
    EXPR_F_ISNULL = 1 << 3,  /* `is null` */
    EXPR_F_DEFAULT = 1 << 4, /* `default:` section */
    EXPR_F_BLOCK = 1 << 5,   /* lambda with a block body */
    EXPR_F_OBJINIT = 1 << 6, /* EXPR_N_INIT of member assignments */
    EXPR_F_VERBATIM = 1 << 7,
};

enum expr_member_mode {
    EXPR_MEM_DYNAMIC, /* instance member looked up on the run-time class by name */
    EXPR_MEM_STATIC,  /* scls->smembers: mem */
    EXPR_MEM_ANON,    /* anonymous object member by name */
};

enum expr_call_mode {
    EXPR_CALL_METHOD,   /* instance or extension method dispatched at run time */
    EXPR_CALL_STATIC,   /* meth of scls */
    EXPR_CALL_LOCAL,    /* local function lam declared depth function levels up */
    EXPR_CALL_DELEGATE, /* a: an expression whose value is a lambda (f(x) with Func f) */
};

typedef struct expr_node expr_node;

struct expr_lambda {
    uint32_t nparams, nslots;
    int32_t *pslots; /* slot of each parameter */
    str *pnames;
    expr_node *body; /* expression, or EXPR_S_BLOCK when block */
    bool block;
    /* Local functions only (lambdas leave these NULL/0): */
    bool local;
    bool is_void;        /* declared `void` */
    bool sig_done;       /* signature resolved (resolver) */
    uint32_t min_params; /* parameters before the first one with a default */
    str name;
    expr_tnode *rtn;        /* return type as written (NULL for void) */
    const xv_type *rtype;   /* resolved return type */
    const xv_class *rcls;   /* static class of the result */
    expr_tnode **ptn;       /* parameter types as written */
    const xv_type **ptypes; /* resolved parameter types */
    const xv_class **pcls;  /* static classes of the parameters */
    expr_node **pdefaults;  /* default values (NULL = required) */
    const char *params;     /* "a,b" for named arguments */
};

struct expr_node {
    uint8_t kind;
    uint8_t op;
    uint16_t flags;
    uint32_t off;
    const xv_class *cls; /* static class of the value (resolver), NULL = dynamic */
    expr_node *a, *b, *c, *d;
    expr_node **kids;
    uint32_t nkids;
    str name;
    xv val;               /* EXPR_N_CONST */
    expr_tnode *tn;       /* type as written */
    const xv_type *type;  /* resolved type */
    expr_tnode *targs[2]; /* generic arguments of a call */
    const xv_type *rtargs[2];
    uint8_t ntargs;
    int32_t slot, depth; /* locals */
    const xv_member *mem;
    /* EXPR_MEM_DYNAMIC: the class mem was found in by the resolver (a value of exactly that
     * class has mem as its member: ev_get_member skips the lookup); NULL: none */
    const xv_class *mem_cls;
    const xv_method *meth;
    const xv_class *scls;
    str *names; /* EXPR_N_ANON member names */
    struct expr_lambda *lam;
};

struct expr {
    str src;
    expr_node *root; /* expression, or EXPR_S_BLOCK for @{...} */
    bool block;
    uint32_t nslots;
    const xv_class *cls;
};

/* parse.c: builds the tree of src (the whole "@(...)" / "@{...}"); NULL after errors. */
expr_node *expr_parse(arena *a, const char *src, size_t len, expr_diag *dg, bool *block);
/* resolve.c: names, types, members; fills e->nslots and e->cls. 0 or -1 after errors. */
int expr_resolve(arena *a, struct expr *e, expr_diag *dg);

/* eval.c */
int expr_binop(expr_env *env, int op, xv a, xv b, xv *out);
int expr_unop(expr_env *env, int op, xv a, xv *out);

/* types.c: method and member lookup over a class, its base chain and Object. */
const xv_method *expr_find_method(const xv_class *c, str name, size_t nargs, bool *name_found);
/* Same without Object's methods (ToString overrides). */
const xv_method *expr_find_own_method(const xv_class *c, str name, size_t nargs);
const xv_method *expr_find_smethod(const xv_class *c, str name, size_t nargs, bool *name_found);
const xv_method *expr_find_extension(str name, size_t nargs, bool *name_found);
const xv_member *expr_find_member(const xv_class *c, str name);
const xv_member *expr_find_smember(const xv_class *c, str name);
/* True when some class has an instance member / method (or extension) of that name. */
bool expr_any_member(str name);
bool expr_any_method(str name, size_t nargs, bool *name_found);
/* The class of an exception type name ("FormatException"), NULL when unknown. */
bool expr_exception_is(const char *type, const xv_class *catch_cls);
const xv_lib *const *expr_libs(void);

/* "Did you mean" suggestions for name errors (suggest.c). Candidates are offered one by one;
 * the closest one (ASCII case-insensitive optimal-alignment edit distance: a case-only
 * difference first, else at most 2 edits and at most half the name's length) wins; on ties the
 * one closer in case, then the first offered. Candidates must outlive the suggestion (config or
 * static memory). */
typedef struct expr_suggest {
    str name;     /* the unknown name */
    str best;     /* STR_NULL while nothing is close enough */
    size_t dist;  /* its case-insensitive distance */
    size_t exact; /* its case-sensitive distance (breaks ties) */
} expr_suggest;
enum expr_suggest_what {
    EXPR_SUGGEST_MEMBERS = 1 << 0,    /* instance properties */
    EXPR_SUGGEST_METHODS = 1 << 1,    /* instance methods and Object's */
    EXPR_SUGGEST_STATICS = 1 << 2,    /* static members and methods */
    EXPR_SUGGEST_EXTENSIONS = 1 << 3, /* extension methods (LINQ, AsJwt...) */
};
void expr_suggest_init(expr_suggest *sg, str name);
void expr_suggest_add(expr_suggest *sg, str cand);
/* Offers c's names (base chain included): members before methods. */
void expr_suggest_class(expr_suggest *sg, const xv_class *c, unsigned what);
/* Offers every type name: C# keywords, class names and their aliases. */
void expr_suggest_types(expr_suggest *sg);
/* Writes "; did you mean 'X'?" (or "" when there is no suggestion) into buf. */
int expr_suggest_suffix(const expr_suggest *sg, char *buf, size_t n);

/* Anonymous objects and exceptions (types.c). */
typedef struct expr_anon {
    uint32_t n;
    const str *names;
    xv *vals;
} expr_anon;
extern const xv_class expr_class_anon, expr_class_type;
typedef struct expr_exc {
    const char *type;
    const char *message;
} expr_exc;

#endif
