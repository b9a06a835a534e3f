#ifndef EXPR_LIB_JSON_H
#define EXPR_LIB_JSON_H

/* Internals shared by lib_json*.c and the collection files (lib_linq.c, lib_coll.c):
 * Newtonsoft.Json.Linq over jansson. A JToken is an XV_JSON (json_t, shared by reference
 * like a .NET object); a JProperty is an XV_OBJ of expr_class_jproperty over jprop. Jansson has
 * no parent pointers, so the parent of every token handed out is recorded per arena
 * (jt_note_parent) and validated on use (jt_parent). */

#include "lib.h"

typedef struct jprop {
    const char *name; /* NUL-terminated, arena */
    json_t *value;    /* the value while detached (reference held) */
    json_t *parent;   /* the JObject it belongs to, or NULL (reference held) */
} jprop;

/* JTokenType values (Newtonsoft's numbering). */
enum jt_type {
    JT_NONE = 0,
    JT_OBJECT = 1,
    JT_ARRAY = 2,
    JT_CONSTRUCTOR = 3,
    JT_PROPERTY = 4,
    JT_COMMENT = 5,
    JT_INTEGER = 6,
    JT_FLOAT = 7,
    JT_STRING = 8,
    JT_BOOLEAN = 9,
    JT_NULL = 10,
    JT_UNDEFINED = 11,
    JT_DATE = 12,
    JT_RAW = 13,
    JT_BYTES = 14,
    JT_GUID = 15,
    JT_URI = 16,
    JT_TIMESPAN = 17
};

extern const xv_class expr_class_jtokentype, expr_class_formatting, expr_class_jsonconvert,
    expr_class_jcontainer;

/* lib_json.c: parent tracking. key is used for objects (NULL for arrays), idx for arrays. */
int jt_note_parent(expr_env *env, json_t *child, json_t *parent, const char *key, size_t idx);
/* The validated container of child, or NULL; *key / *idx say where it sits. */
json_t *jt_parent(expr_env *env, json_t *child, const char **key, size_t *idx);
/* Wraps a child token read from parent (records the parent), as an xv (new reference taken). */
int jt_child(expr_env *env, json_t *child, json_t *parent, const char *key, size_t idx, xv *out);
/* Converts any value to a JSON token to be stored in a container (new reference): JTokens
 * are shared unless they already have a parent (then copied, like Newtonsoft); NULL + throw. */
json_t *jt_from_xv(expr_env *env, xv v, json_t *container);
/* Makes a JProperty object. value: a new reference the property takes over. */
int jt_prop_new(expr_env *env, const char *name, json_t *value, json_t *parent, xv *out);
/* The JProperty behind v, or NULL. */
jprop *jt_prop_of(xv v);
/* The current value of a property (borrowed). */
json_t *jt_prop_value(const jprop *p);

/* lib_json_text.c */
enum jt_type jt_type_of(const json_t *j);
/* Newtonsoft text of a double ("1.0", "1.5", "1E+20"). */
int jt_double_text(expr_env *env, double d, str *out);

/* lib_json_conv.c */
/* SelectToken: first match (or NULL); all matches appended to list when all != NULL. */
int jt_select(expr_env *env, json_t *root, str path, xv_list *all, json_t **first);
/* Value<T>() conversion of a token (target from c->targs[0]; none = JToken itself). */
int jt_value_as(xv_call *c, json_t *j, xv *out);

/* lib_json_obj.c: the JToken indexers (j["k"], j[0]); lib_json.c: the enumerate callback. */
int jt_index_get(xv_call *c, xv *out);
int jt_index_set(xv_call *c, xv *out);
int jt_enumerate(expr_env *env, xv self, xv *out);
/* Newtonsoft Path of a token ("a.b[0]"), from the recorded parents (lib_json.c). */
int jt_path(expr_env *env, json_t *j, str *out);
/* JToken.Remove(): removes the token from its parent array (lib_json.c). */
int jt_tok_remove(xv_call *c, xv *out);

/* Helpers for argument handling (lib_json.c). */
/* The string of a string/char argument, NUL-terminated in the arena; NULL + throw. */
const char *jt_arg_cstr(xv_call *c, size_t i, const char *what);
bool jt_arg_ignore_case(const xv_call *c, size_t i);

#endif
