/* The mock's embeddings: one deterministic unit vector per input, seeded by the input's bytes
 * (or token ids), written as JSON floats or, with encoding_format "base64" (the openai npm
 * client's default), as base64 of little-endian float32. Written by hand, not with jansson:
 * 2048 inputs of 3072 dimensions would be millions of json_t. */
#include "runtime/mock_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/xalloc.h"

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Hash of one input: a string, a token id, or an array of token ids. */
static uint64_t input_hash(const json_t *in)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    if (json_is_string(in))
        return fnv1a(h, json_string_value(in), json_string_length(in));
    if (json_is_integer(in)) {
        json_int_t v = json_integer_value(in);
        return fnv1a(h ^ 1, &v, sizeof v);
    }
    size_t i;
    const json_t *t;
    json_array_foreach(in, i, t)
    {
        json_int_t v = json_integer_value(t);
        h = fnv1a(h, &v, sizeof v);
    }
    return h;
}

static void vector(uint64_t seed, float *v, size_t dims)
{
    double norm = 0;
    uint64_t st = seed;
    for (size_t i = 0; i < dims; i++) {
        double x = (double)(splitmix64(&st) >> 11) * 0x1.0p-53 * 2.0 - 1.0;
        v[i] = (float)x;
        norm += x * x;
    }
    norm = sqrt(norm);
    for (size_t i = 0; i < dims && norm > 0; i++)
        v[i] = (float)((double)v[i] / norm);
}

static void put_base64(buf *b, const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char out[4] = { tab[(v >> 18) & 63], tab[(v >> 12) & 63],
                        i + 1 < n ? tab[(v >> 6) & 63] : '=', i + 2 < n ? tab[v & 63] : '=' };
        buf_append(b, out, 4);
    }
}

static void put_vector(buf *b, const float *v, size_t dims, bool base64)
{
    if (base64) {
        unsigned char *raw = xmalloc(dims * 4);
        for (size_t i = 0; i < dims; i++) {
            uint32_t u;
            memcpy(&u, &v[i], 4);
            for (int k = 0; k < 4; k++)
                raw[4 * i + (size_t)k] = (unsigned char)(u >> (8 * k));
        }
        buf_putc(b, '"');
        put_base64(b, raw, dims * 4);
        buf_putc(b, '"');
        free(raw);
        return;
    }
    buf_putc(b, '[');
    for (size_t i = 0; i < dims; i++)
        buf_printf(b, i ? ",%.8f" : "%.8f", (double)v[i]);
    buf_putc(b, ']');
}

static size_t default_dims(const char *model)
{
    return strstr(model, "3-large") ? 3072 : 1536;
}

void mock_embeddings_build(const rt_tokens_set *set, const mock_request *q, mock_answer *a)
{
    (void)set; /* the prompt count was done by mock_answer_count */
    const json_t *input = json_object_get(q->body, "input");
    const json_t *dj = json_object_get(q->body, "dimensions");
    size_t dims = json_is_integer(dj) ? (size_t)json_integer_value(dj) : default_dims(q->model);
    const char *fmt = json_string_value(json_object_get(q->body, "encoding_format"));
    bool base64 = fmt && !strcmp(fmt, "base64");
    /* A string or one array of token ids is one input; otherwise each element is. */
    bool single = json_is_string(input) || json_is_integer(json_array_get(input, 0));
    size_t n = single ? 1 : json_array_size(input);
    float *v = xmalloc(dims * sizeof *v);
    buf *b = &a->body;
    buf_puts(b, "{\"object\":\"list\",\"data\":[");
    for (size_t i = 0; i < n; i++) {
        const json_t *in = single ? input : json_array_get(input, i);
        vector(input_hash(in) ^ (uint64_t)dims, v, dims);
        buf_printf(b, "%s{\"object\":\"embedding\",\"index\":%zu,\"embedding\":", i ? "," : "", i);
        put_vector(b, v, dims, base64);
        buf_putc(b, '}');
    }
    free(v);
    buf_puts(b, "],\"model\":");
    mock_put_json(b, json_string(q->model));
    json_t *usage = json_pack("{s:I, s:I}", "prompt_tokens", (json_int_t)a->prompt_tokens,
                              "total_tokens", (json_int_t)a->prompt_tokens);
    buf_puts(b, ",\"usage\":");
    mock_put_json(b, usage);
    buf_putc(b, '}');
}
