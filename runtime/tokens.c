/* Prompt-token estimates for OpenAI request bodies and usage from response bodies. */
#include "runtime/tokens.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Counting context of one estimate. */
typedef struct count_ctx {
    const rt_tokens_set *set;
    rt_tok_encoding enc;
    rt_tokens_count *out;
} count_ctx;

static bool has_prefix_ci(const char *s, size_t n, const char *prefix)
{
    size_t pl = strlen(prefix);
    if (n < pl)
        return false;
    for (size_t i = 0; i < pl; i++)
        if (tolower((unsigned char)s[i]) != prefix[i])
            return false;
    return true;
}

rt_tok_encoding rt_tokens_encoding_for_model(const char *model, size_t len)
{
    static const char *const o200k[] = {
        "gpt-4o", "gpt-4.1", "gpt-4.5",  "gpt-5",   "o1",
        "o3",     "o4",      "chatgpt-", "gpt-oss", "gpt-realtime"
    };
    static const char *const cl100k[] = {
        "gpt-4",       "gpt-35",     "gpt-3.5", "text-embedding-ada-002", "text-embedding-3",
        "davinci-002", "babbage-002"
    };
    if (!model)
        return RT_TOK_AUTO;
    for (size_t i = len; i > 0; i--) {
        if (model[i - 1] == '/') {
            len -= i;
            model += i;
            break;
        }
    }
    for (size_t i = 0; i < sizeof o200k / sizeof o200k[0]; i++)
        if (has_prefix_ci(model, len, o200k[i]))
            return RT_TOK_O200K;
    for (size_t i = 0; i < sizeof cl100k / sizeof cl100k[0]; i++)
        if (has_prefix_ci(model, len, cl100k[i]))
            return RT_TOK_CL100K;
    return RT_TOK_AUTO;
}

static bool has_suffix(const char *s, size_t n, const char *suffix)
{
    size_t sl = strlen(suffix);
    return n >= sl && memcmp(s + n - sl, suffix, sl) == 0 && (n == sl || s[n - sl - 1] == '/');
}

rt_tokens_api rt_tokens_api_from_path(const char *path, size_t len)
{
    const char *q = memchr(path, '?', len);
    if (q)
        len = (size_t)(q - path);
    while (len > 0 && path[len - 1] == '/')
        len--;
    if (has_suffix(path, len, "chat/completions"))
        return RT_TOKENS_API_CHAT;
    if (has_suffix(path, len, "completions"))
        return RT_TOKENS_API_COMPLETIONS;
    if (has_suffix(path, len, "embeddings"))
        return RT_TOKENS_API_EMBEDDINGS;
    if (has_suffix(path, len, "responses"))
        return RT_TOKENS_API_RESPONSES;
    return RT_TOKENS_API_AUTO;
}

int64_t rt_tokens_count_text(const rt_tokens_set *set, rt_tok_encoding enc, const char *text,
                             size_t len, bool *estimated)
{
    if (enc <= RT_TOK_AUTO || enc >= RT_TOK_NENC)
        enc = RT_TOK_O200K;
    const rt_tokenizer *t = set ? set->enc[enc] : NULL;
    if (!t) {
        *estimated = true;
        return (int64_t)rt_tokenizer_estimate(text, len);
    }
    bool approx = false;
    size_t n = rt_tokenizer_count(t, text, len, 0, &approx);
    if (approx)
        *estimated = true;
    return (int64_t)n;
}

static int64_t count_str(count_ctx *c, const json_t *s)
{
    return rt_tokens_count_text(c->set, c->enc, json_string_value(s), json_string_length(s),
                                &c->out->estimated);
}

static int64_t count_cstr(count_ctx *c, const char *s, size_t n)
{
    return rt_tokens_count_text(c->set, c->enc, s, n, &c->out->estimated);
}

static bool is_image_part(const json_t *part)
{
    const char *type = json_string_value(json_object_get(part, "type"));
    return type && (strcmp(type, "image_url") == 0 || strcmp(type, "input_image") == 0 ||
                    strcmp(type, "image") == 0);
}

static int64_t count_parts(count_ctx *c, const json_t *parts)
{
    int64_t n = 0;
    size_t i;
    const json_t *p;
    json_array_foreach(parts, i, p)
    {
        if (json_is_string(p)) {
            n += count_str(c, p);
        } else if (is_image_part(p)) {
            n += RT_TOKENS_IMAGE;
            c->out->images++;
        } else if (json_is_string(json_object_get(p, "text"))) {
            n += count_str(c, json_object_get(p, "text"));
        }
    }
    return n;
}

/* name + arguments of a function call object ({"name", "arguments"}). */
static int64_t count_call(count_ctx *c, const json_t *fn)
{
    int64_t n = 0;
    if (json_is_string(json_object_get(fn, "name")))
        n += count_str(c, json_object_get(fn, "name"));
    if (json_is_string(json_object_get(fn, "arguments")))
        n += count_str(c, json_object_get(fn, "arguments"));
    return n;
}

/* 3 + every string field (+1 for "name") + content parts + tool calls. */
static int64_t count_message(count_ctx *c, const json_t *m)
{
    int64_t n = 3;
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)m, key, v)
    {
        if (json_is_string(v)) {
            n += count_str(c, v) + (strcmp(key, "name") == 0 ? 1 : 0);
        } else if (strcmp(key, "content") == 0 && json_is_array(v)) {
            n += count_parts(c, v);
        } else if (strcmp(key, "tool_calls") == 0 && json_is_array(v)) {
            size_t i;
            const json_t *call;
            json_array_foreach(v, i, call)
            {
                n += count_call(c, json_object_get(call, "function"));
            }
        } else if (strcmp(key, "function_call") == 0 && json_is_object(v)) {
            n += count_call(c, v);
        }
    }
    return n;
}

/* tokens("a:b") or tokens("a:b:c") with one trailing '.' stripped from the last part. */
static int64_t count_joined(count_ctx *c, const char *a, const char *b, const char *desc)
{
    size_t la = strlen(a), lb = b ? strlen(b) : 0, ld = strlen(desc);
    if (ld > 0 && desc[ld - 1] == '.')
        ld--;
    size_t len = la + 1 + (b ? lb + 1 : 0) + ld;
    char small[512];
    char *s = len <= sizeof small ? small : malloc(len);
    if (!s)
        abort();
    size_t o = 0;
    memcpy(s + o, a, la);
    o += la;
    s[o++] = ':';
    if (b) {
        memcpy(s + o, b, lb);
        o += lb;
        s[o++] = ':';
    }
    memcpy(s + o, desc, ld);
    int64_t n = count_cstr(c, s, len);
    if (s != small)
        free(s);
    return n;
}

static const char *str_or_empty(const json_t *v)
{
    const char *s = json_string_value(v);
    return s ? s : "";
}

/* One function definition ({"name", "description", "parameters"}). */
static int64_t count_function(count_ctx *c, const json_t *f)
{
    int64_t n = c->enc == RT_TOK_CL100K ? 10 : 7; /* func_init */
    n += count_joined(c, str_or_empty(json_object_get(f, "name")), NULL,
                      str_or_empty(json_object_get(f, "description")));
    const json_t *props = json_object_get(json_object_get(f, "parameters"), "properties");
    if (!json_is_object(props) || json_object_size(props) == 0)
        return n;
    n += 3; /* prop_init */
    const char *key;
    const json_t *p;
    json_object_foreach((json_t *)props, key, p)
    {
        n += 3; /* prop_key */
        const json_t *en = json_object_get(p, "enum");
        if (json_is_array(en)) {
            n -= 3; /* enum_init */
            size_t i;
            const json_t *item;
            json_array_foreach(en, i, item)
            {
                n += 3; /* enum_item */
                if (json_is_string(item)) {
                    n += count_str(c, item);
                } else {
                    char *txt = json_dumps(item, JSON_ENCODE_ANY | JSON_COMPACT);
                    if (txt)
                        n += count_cstr(c, txt, strlen(txt));
                    free(txt);
                }
            }
        }
        n += count_joined(c, key, str_or_empty(json_object_get(p, "type")),
                          str_or_empty(json_object_get(p, "description")));
    }
    return n;
}

/* tools[].function (chat), tools[] of type function (responses), functions[] (legacy). */
static int64_t count_tools(count_ctx *c, const json_t *body)
{
    int64_t n = 0;
    size_t nf = 0;
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(body, "tools"), i, t)
    {
        const json_t *f = json_object_get(t, "function");
        const char *type = json_string_value(json_object_get(t, "type"));
        if (!json_is_object(f) && type && strcmp(type, "function") == 0)
            f = t;
        if (json_is_object(f)) {
            n += count_function(c, f);
            nf++;
        }
    }
    json_array_foreach(json_object_get(body, "functions"), i, t)
    {
        if (json_is_object(t)) {
            n += count_function(c, t);
            nf++;
        }
    }
    return nf ? n + 12 : 0; /* func_end, once */
}

/* A string, an array of strings, token ids or arrays of token ids. */
static int64_t count_input(count_ctx *c, const json_t *in)
{
    if (json_is_string(in))
        return count_str(c, in);
    int64_t n = 0;
    size_t i;
    const json_t *x;
    json_array_foreach(in, i, x)
    {
        if (json_is_string(x))
            n += count_str(c, x);
        else if (json_is_number(x))
            n += 1;
        else if (json_is_array(x))
            n += (int64_t)json_array_size(x);
    }
    return n;
}

/* {"role": role, "content": text} without building JSON. */
static int64_t count_role_text(count_ctx *c, const char *role, const json_t *text)
{
    return 3 + count_cstr(c, role, strlen(role)) + count_str(c, text);
}

static int64_t count_responses(count_ctx *c, const json_t *body)
{
    int64_t n = 3;
    const json_t *instr = json_object_get(body, "instructions");
    if (json_is_string(instr))
        n += count_role_text(c, "system", instr);
    const json_t *input = json_object_get(body, "input");
    if (json_is_string(input)) {
        n += count_role_text(c, "user", input);
    } else {
        size_t i;
        const json_t *item;
        json_array_foreach(input, i, item)
        {
            if (json_object_get(item, "role")) {
                json_t *m = json_object();
                static const char *const keep[] = { "role", "content", "name" };
                for (size_t k = 0; k < 3; k++) {
                    json_t *v = json_object_get(item, keep[k]);
                    if (v)
                        json_object_set(m, keep[k], v);
                }
                n += count_message(c, m);
                json_decref(m);
            } else if (json_is_object(item)) {
                n += 3;
                static const char *const fields[] = { "name", "arguments", "output", "text" };
                for (size_t k = 0; k < 4; k++)
                    if (json_is_string(json_object_get(item, fields[k])))
                        n += count_str(c, json_object_get(item, fields[k]));
            } else if (json_is_string(item)) {
                n += count_str(c, item);
            }
        }
    }
    return n + count_tools(c, body);
}

static bool looks_like_responses(const json_t *body)
{
    static const char *const keys[] = { "instructions", "tools", "previous_response_id",
                                        "reasoning", "max_output_tokens" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (json_object_get(body, keys[i]))
            return true;
    size_t i;
    const json_t *x;
    json_array_foreach(json_object_get(body, "input"), i, x)
    {
        if (json_is_object(x))
            return true;
    }
    return false;
}

int rt_tokens_prompt(const rt_tokens_set *set, rt_tokens_api api, const json_t *body,
                     const char *model, rt_tokens_count *out)
{
    *out = (rt_tokens_count){ 0 };
    rt_tok_encoding enc = model ? rt_tokens_encoding_for_model(model, strlen(model)) : RT_TOK_AUTO;
    const json_t *bm = json_object_get(body, "model");
    if (enc == RT_TOK_AUTO && json_is_string(bm))
        enc = rt_tokens_encoding_for_model(json_string_value(bm), json_string_length(bm));
    if (enc == RT_TOK_AUTO)
        enc = RT_TOK_O200K;
    out->encoding = enc;
    if (!json_is_object(body))
        return -1;
    count_ctx c = { set, enc, out };
    if (api == RT_TOKENS_API_AUTO) {
        if (json_object_get(body, "messages"))
            api = RT_TOKENS_API_CHAT;
        else if (json_object_get(body, "prompt"))
            api = RT_TOKENS_API_COMPLETIONS;
        else if (json_object_get(body, "input"))
            api = looks_like_responses(body) ? RT_TOKENS_API_RESPONSES : RT_TOKENS_API_EMBEDDINGS;
        else
            return -1;
    }
    switch (api) {
    case RT_TOKENS_API_CHAT: {
        const json_t *msgs = json_object_get(body, "messages");
        if (!json_is_array(msgs))
            return -1;
        int64_t n = 3;
        size_t i;
        const json_t *m;
        json_array_foreach(msgs, i, m)
        {
            if (json_is_object(m))
                n += count_message(&c, m);
        }
        out->tokens = n + count_tools(&c, body);
        return 0;
    }
    case RT_TOKENS_API_COMPLETIONS:
    case RT_TOKENS_API_EMBEDDINGS: {
        const json_t *in =
            json_object_get(body, api == RT_TOKENS_API_COMPLETIONS ? "prompt" : "input");
        if (!json_is_string(in) && !json_is_array(in))
            return -1;
        out->tokens = count_input(&c, in);
        return 0;
    }
    case RT_TOKENS_API_RESPONSES:
        if (!json_object_get(body, "input") && !json_object_get(body, "instructions"))
            return -1;
        out->tokens = count_responses(&c, body);
        return 0;
    case RT_TOKENS_API_AUTO:
        break;
    }
    return -1;
}

static int64_t int_field(const json_t *o, const char *a, const char *b)
{
    const json_t *v = json_object_get(o, a);
    if (!json_is_integer(v) && b)
        v = json_object_get(o, b);
    return json_is_integer(v) && json_integer_value(v) >= 0 ? (int64_t)json_integer_value(v) : -1;
}

int rt_tokens_usage_from_json(const json_t *resp, rt_tokens_usage *out)
{
    *out = (rt_tokens_usage){ -1, -1, -1, false, false };
    const json_t *u = json_object_get(resp, "usage");
    if (!json_is_object(u))
        u = json_object_get(json_object_get(resp, "response"), "usage");
    if (!json_is_object(u))
        return -1;
    int64_t p = int_field(u, "prompt_tokens", "input_tokens");
    int64_t c = int_field(u, "completion_tokens", "output_tokens");
    int64_t t = int_field(u, "total_tokens", NULL);
    if (p < 0 && c < 0 && t < 0)
        return -1;
    if (c < 0 && t >= 0 && p >= 0 && t >= p)
        c = t - p;
    if (p < 0 && t >= 0 && c >= 0 && t >= c)
        p = t - c;
    if (t < 0 && p >= 0)
        t = p + (c > 0 ? c : 0);
    *out = (rt_tokens_usage){ p, c, t, true, false };
    return 0;
}

int rt_tokens_usage_from_body(const char *body, size_t len, rt_tokens_usage *out)
{
    *out = (rt_tokens_usage){ -1, -1, -1, false, false };
    json_t *j = json_loadb(body, len, 0, NULL);
    if (!j)
        return -1;
    int rc = rt_tokens_usage_from_json(j, out);
    json_decref(j);
    return rc;
}
