/* The mock's routes, request checks, completion texts and JSON (non-streamed) answers. */
#include "runtime/mock_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/xalloc.h"

#define ANSWER_CAP   ((size_t)256 << 20) /* answers are bounded by the input caps anyway */
#define ECHO_WORDS   48                  /* words of the user text echoed back */
#define ECHO_WORDLEN 64                  /* bytes kept of one word */

static const rt_tokens_set no_tokenizers; /* every encoding estimated */

static const struct {
    const char *suffix;
    mock_api api;
} api_suffixes[] = {
    { "chat/completions", MOCK_API_CHAT },
    { "completions", MOCK_API_COMPLETIONS },
    { "embeddings", MOCK_API_EMBEDDINGS },
    { "responses", MOCK_API_RESPONSES },
};

static mock_api api_of(const char *rest)
{
    for (size_t i = 0; i < sizeof api_suffixes / sizeof api_suffixes[0]; i++) {
        if (!strcmp(rest, api_suffixes[i].suffix))
            return api_suffixes[i].api;
    }
    return MOCK_API_NONE;
}

static const char *skip_prefix(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) ? NULL : s + n;
}

/* Azure deployment names: letters, digits, '-', '_', '.' (and percent-escapes, kept as is). */
static bool is_deployment_name(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '%'))
            return false;
    }
    return true;
}

int mock_route_parse(const char *path, mock_route *r)
{
    memset(r, 0, sizeof *r);
    const char *rest;
    if (!strcmp(path, "/health")) {
        r->api = MOCK_API_HEALTH;
        return 0;
    }
    if (!strcmp(path, "/metadata/identity/oauth2/token")) {
        r->api = MOCK_API_IDENTITY;
        return 0;
    }
    if (!strcmp(path, "/openai/responses")) {
        r->api = MOCK_API_RESPONSES;
        return 0;
    }
    if ((rest = skip_prefix(path, "/openai/deployments/")) != NULL) {
        const char *slash = strchr(rest, '/');
        size_t n = slash ? (size_t)(slash - rest) : 0;
        if (n == 0 || n >= sizeof r->deployment || !is_deployment_name(rest, n))
            return -1;
        memcpy(r->deployment, rest, n);
        r->deployment[n] = '\0';
        r->azure = true;
        r->api = api_of(slash + 1);
        return r->api == MOCK_API_NONE ? -1 : 0;
    }
    rest = skip_prefix(path, "/v1/");
    if (!rest)
        rest = skip_prefix(path, "/openai/v1/");
    if (!rest)
        return -1;
    r->api = api_of(rest);
    return r->api == MOCK_API_NONE ? -1 : 0;
}

const char *mock_api_op(mock_api api)
{
    switch (api) {
    case MOCK_API_CHAT:
        return "ChatCompletions_Create";
    case MOCK_API_COMPLETIONS:
        return "Completions_Create";
    case MOCK_API_EMBEDDINGS:
        return "Embeddings_Create";
    case MOCK_API_RESPONSES:
        return "Responses_Create";
    default:
        return "Operation";
    }
}

void mock_answer_init(mock_answer *a)
{
    memset(a, 0, sizeof *a);
    a->status = 200;
    a->reason = "OK";
    a->finish = "stop";
    buf_init(&a->body, ANSWER_CAP);
    buf_init(&a->text, 0);
}

void mock_answer_release(mock_answer *a)
{
    buf_release(&a->body);
    buf_release(&a->text);
    free(a->marks);
    a->marks = NULL;
    a->nmarks = 0;
}

/* Appends the compact JSON of j (stolen) to b. */
void mock_put_json(buf *b, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    json_decref(j);
    if (s) {
        buf_puts(b, s);
        free(s);
    }
}

void mock_answer_error(mock_answer *a, int status, const char *code, const char *type,
                       const char *message)
{
    a->status = status;
    a->reason = NULL; /* libevent picks the standard phrase */
    a->stream = false;
    a->body.len = 0;
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (type)
        json_object_set_new(err, "type", json_string(type));
    json_object_set_new(err, "param", json_null());
    mock_put_json(&a->body, json_pack("{s:o}", "error", err));
}

static int bad_request(mock_answer *a, const char *message)
{
    mock_answer_error(a, 400, "invalid_request_error", "invalid_request_error", message);
    return -1;
}

static bool is_prompt_value(const json_t *v)
{
    return json_is_string(v) || (json_is_array(v) && json_array_size(v) > 0);
}

static int check_max_tokens(const json_t *body, mock_answer *a)
{
    static const char *const keys[] = { "max_tokens", "max_completion_tokens",
                                        "max_output_tokens" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const json_t *v = json_object_get(body, keys[i]);
        if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 1)) {
            char msg[96];
            snprintf(msg, sizeof msg, "Invalid '%s': expected an integer >= 1.", keys[i]);
            return bad_request(a, msg);
        }
    }
    return 0;
}

static int check_messages(const json_t *msgs, mock_answer *a)
{
    if (!json_is_array(msgs) || json_array_size(msgs) == 0)
        return bad_request(a, "'messages' is a required property and must be a non-empty array.");
    size_t i;
    const json_t *m;
    json_array_foreach(msgs, i, m)
    {
        if (!json_is_object(m) || !json_is_string(json_object_get(m, "role"))) {
            char msg[96];
            snprintf(msg, sizeof msg, "Invalid 'messages[%zu]': expected an object with a 'role'.",
                     i);
            return bad_request(a, msg);
        }
    }
    return 0;
}

int mock_request_check(mock_request *q, mock_answer *a)
{
    const json_t *body = q->body;
    if (!json_is_object(body))
        return bad_request(a, "We could not parse the JSON body of your request. The API expects "
                              "a JSON object.");
    const json_t *model = json_object_get(body, "model");
    if (q->route->azure)
        q->model = q->route->deployment;
    else if (json_is_string(model) && json_string_length(model) > 0)
        q->model = json_string_value(model);
    else
        return bad_request(a, "you must provide a model parameter");
    const json_t *stream = json_object_get(body, "stream");
    if (stream && !json_is_boolean(stream) && !json_is_null(stream))
        return bad_request(a, "Invalid type for 'stream': expected a boolean.");
    if (check_max_tokens(body, a) < 0)
        return -1;
    switch (q->route->api) {
    case MOCK_API_CHAT:
        return check_messages(json_object_get(body, "messages"), a);
    case MOCK_API_COMPLETIONS:
        if (!is_prompt_value(json_object_get(body, "prompt")))
            return bad_request(a, "'prompt' is a required property.");
        return 0;
    case MOCK_API_EMBEDDINGS: {
        const json_t *in = json_object_get(body, "input");
        if (!is_prompt_value(in) && !(json_is_string(in) && json_string_length(in) == 0))
            return bad_request(a, "'input' is a required property.");
        if (json_is_array(in) && json_array_size(in) > 2048)
            return bad_request(a, "Invalid 'input': maximum 2048 inputs per request.");
        const json_t *dims = json_object_get(body, "dimensions");
        if (dims && (!json_is_integer(dims) || json_integer_value(dims) < 1 ||
                     json_integer_value(dims) > 3072))
            return bad_request(a, "Invalid 'dimensions': expected an integer from 1 to 3072.");
        return 0;
    }
    case MOCK_API_RESPONSES:
        if (!is_prompt_value(json_object_get(body, "input")))
            return bad_request(a, "'input' is a required property.");
        return 0;
    default:
        return bad_request(a, "unsupported operation");
    }
}

/* Appends the text parts of a message content (string or [{type, text}, ...]) to out. */
static void content_text(const json_t *content, buf *out)
{
    if (json_is_string(content)) {
        buf_append(out, json_string_value(content), json_string_length(content));
        return;
    }
    size_t i;
    const json_t *part;
    json_array_foreach(content, i, part)
    {
        const json_t *t = json_is_string(part) ? part : json_object_get(part, "text");
        if (json_is_string(t)) {
            buf_putc(out, ' ');
            buf_append(out, json_string_value(t), json_string_length(t));
        }
    }
}

/* The text of the last user message of a chat `messages` or Responses `input` array. */
static void last_user_text(const json_t *items, buf *out)
{
    for (size_t i = json_array_size(items); i-- > 0;) {
        const json_t *m = json_array_get(items, i);
        const char *role = json_string_value(json_object_get(m, "role"));
        if (role && !strcmp(role, "user")) {
            content_text(json_object_get(m, "content"), out);
            return;
        }
    }
}

static void user_text(const mock_request *q, buf *out)
{
    const json_t *v;
    switch (q->route->api) {
    case MOCK_API_CHAT:
        last_user_text(json_object_get(q->body, "messages"), out);
        break;
    case MOCK_API_COMPLETIONS:
        v = json_object_get(q->body, "prompt");
        if (json_is_array(v))
            v = json_array_get(v, 0);
        if (json_is_string(v))
            buf_append(out, json_string_value(v), json_string_length(v));
        break;
    case MOCK_API_RESPONSES:
        v = json_object_get(q->body, "input");
        if (json_is_string(v))
            buf_append(out, json_string_value(v), json_string_length(v));
        else
            last_user_text(v, out);
        break;
    default:
        break;
    }
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Splits the answer sentence into words (at most ECHO_WORDS of the user's, each cut at a
 * UTF-8 boundary within ECHO_WORDLEN bytes). Returns the number of words; w[i] points into
 * src or the static preamble. */
typedef struct word {
    const char *p;
    size_t n;
} word;

static size_t answer_words(const char *src, size_t len, word *w, size_t cap)
{
    static const char *const pre[] = { "This", "is", "a", "mock", "answer." };
    size_t nw = 0;
    for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
        w[nw++] = (word){ pre[i], strlen(pre[i]) };
    size_t pos = 0;
    bool said = false;
    while (pos < len && nw < cap) {
        while (pos < len && is_space(src[pos]))
            pos++;
        size_t start = pos;
        while (pos < len && !is_space(src[pos]))
            pos++;
        if (pos == start)
            break;
        if (!said) {
            w[nw++] = (word){ "You", 3 };
            w[nw++] = (word){ "said:", 5 };
            said = true;
        }
        size_t n = pos - start;
        if (n > ECHO_WORDLEN) {
            n = ECHO_WORDLEN;
            while (n > 0 && ((unsigned char)src[start + n] & 0xC0) == 0x80)
                n--;
        }
        if (n > 0)
            w[nw++] = (word){ src + start, n };
    }
    return nw;
}

static int64_t max_completion(const mock_request *q)
{
    static const char *const keys[] = { "max_tokens", "max_completion_tokens",
                                        "max_output_tokens" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const json_t *v = json_object_get(q->body, keys[i]);
        if (json_is_integer(v))
            return json_integer_value(v);
    }
    return q->route->api == MOCK_API_COMPLETIONS ? 16 : INT64_MAX; /* OpenAI's default */
}

static rt_tokens_api tokens_api(mock_api api)
{
    switch (api) {
    case MOCK_API_CHAT:
        return RT_TOKENS_API_CHAT;
    case MOCK_API_COMPLETIONS:
        return RT_TOKENS_API_COMPLETIONS;
    case MOCK_API_EMBEDDINGS:
        return RT_TOKENS_API_EMBEDDINGS;
    default:
        return RT_TOKENS_API_RESPONSES;
    }
}

void mock_answer_count(const rt_tokens_set *set, const mock_request *q, mock_answer *a)
{
    if (!set)
        set = &no_tokenizers;
    rt_tokens_count pc;
    rt_tokens_prompt(set, tokens_api(q->route->api), q->body, q->model, &pc);
    a->prompt_tokens = pc.tokens;
    a->completion_tokens = 0;
    a->text.len = 0;
    if (q->route->api == MOCK_API_EMBEDDINGS)
        return;
    buf src;
    buf_init(&src, 0);
    user_text(q, &src);
    word w[ECHO_WORDS + 8];
    size_t nw = answer_words(src.ptr ? src.ptr : "", src.len, w, sizeof w / sizeof w[0]);
    rt_tok_encoding enc = rt_tokens_encoding_for_model(q->model, strlen(q->model));
    int64_t max = max_completion(q);
    bool est = false;
    int64_t tokens = 0;
    buf_puts(&a->text, ""); /* never NULL */
    for (size_t i = 0; i < nw; i++) {
        size_t keep = a->text.len;
        if (i > 0)
            buf_putc(&a->text, ' ');
        buf_append(&a->text, w[i].p, w[i].n);
        int64_t t = rt_tokens_count_text(set, enc, a->text.ptr, a->text.len, &est);
        if (t > max) {
            a->text.len = keep;
            a->text.ptr[keep] = '\0';
            a->finish = "length";
            break;
        }
        tokens = t;
    }
    a->completion_tokens = tokens;
    buf_release(&src);
}

json_t *mock_usage_json(const mock_answer *a, bool responses)
{
    int64_t p = a->prompt_tokens, c = a->completion_tokens;
    if (responses)
        return json_pack("{s:I, s:I, s:I}", "input_tokens", (json_int_t)p, "output_tokens",
                         (json_int_t)c, "total_tokens", (json_int_t)(p + c));
    return json_pack("{s:I, s:I, s:I}", "prompt_tokens", (json_int_t)p, "completion_tokens",
                     (json_int_t)c, "total_tokens", (json_int_t)(p + c));
}

json_t *mock_prompt_filter(void)
{
    return json_pack("[{s:i, s:{}}]", "prompt_index", 0, "content_filter_results");
}

static void build_chat(const mock_request *q, mock_answer *a)
{
    char id[48];
    snprintf(id, sizeof id, "chatcmpl-mock%016llx", (unsigned long long)q->id);
    json_t *msg = json_pack("{s:s, s:s%, s:n}", "role", "assistant", "content", a->text.ptr,
                            a->text.len, "refusal");
    json_t *choice = json_pack("{s:i, s:o, s:n, s:s}", "index", 0, "message", msg, "logprobs",
                               "finish_reason", a->finish);
    json_t *j =
        json_pack("{s:s, s:s, s:I, s:s, s:[o], s:o, s:s}", "id", id, "object", "chat.completion",
                  "created", (json_int_t)q->created, "model", q->model, "choices", choice, "usage",
                  mock_usage_json(a, false), "system_fingerprint", "fp_mock");
    if (q->route->azure)
        json_object_set_new(j, "prompt_filter_results", mock_prompt_filter());
    mock_put_json(&a->body, j);
}

static void build_completions(const mock_request *q, mock_answer *a)
{
    char id[48];
    snprintf(id, sizeof id, "cmpl-mock%016llx", (unsigned long long)q->id);
    json_t *choice = json_pack("{s:s%, s:i, s:n, s:s}", "text", a->text.ptr, a->text.len, "index",
                               0, "logprobs", "finish_reason", a->finish);
    mock_put_json(&a->body,
                  json_pack("{s:s, s:s, s:I, s:s, s:[o], s:o}", "id", id, "object",
                            "text_completion", "created", (json_int_t)q->created, "model", q->model,
                            "choices", choice, "usage", mock_usage_json(a, false)));
}

json_t *mock_response_json(const mock_request *q, const mock_answer *a, bool done)
{
    char id[48], msg_id[48];
    snprintf(id, sizeof id, "resp_mock%016llx", (unsigned long long)q->id);
    snprintf(msg_id, sizeof msg_id, "msg_mock%016llx", (unsigned long long)q->id);
    json_t *output = json_array();
    if (done) {
        json_t *part = json_pack("{s:s, s:s%, s:[]}", "type", "output_text", "text", a->text.ptr,
                                 a->text.len, "annotations");
        json_array_append_new(output, json_pack("{s:s, s:s, s:s, s:s, s:[o]}", "type", "message",
                                                "id", msg_id, "status", "completed", "role",
                                                "assistant", "content", part));
    }
    const char *status = !done                         ? "in_progress"
                         : strcmp(a->finish, "length") ? "completed"
                                                       : "incomplete";
    return json_pack("{s:s, s:s, s:I, s:s, s:s, s:o, s:o}", "id", id, "object", "response",
                     "created_at", (json_int_t)q->created, "status", status, "model", q->model,
                     "output", output, "usage", done ? mock_usage_json(a, true) : json_null());
}

void mock_answer_build(const rt_tokens_set *set, const mock_request *q, mock_answer *a)
{
    a->status = 200;
    a->reason = "OK";
    const json_t *stream = json_object_get(q->body, "stream");
    a->stream = json_is_true(stream) && q->route->api != MOCK_API_EMBEDDINGS;
    if (a->stream) {
        mock_stream_build(q, a);
        return;
    }
    switch (q->route->api) {
    case MOCK_API_CHAT:
        build_chat(q, a);
        break;
    case MOCK_API_COMPLETIONS:
        build_completions(q, a);
        break;
    case MOCK_API_EMBEDDINGS:
        mock_embeddings_build(set ? set : &no_tokenizers, q, a);
        break;
    default:
        mock_put_json(&a->body, mock_response_json(q, a, true));
        break;
    }
}
