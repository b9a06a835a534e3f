/* Deep copies of expression values for cache-store-value / cache-lookup-value (see
 * observe_pol.h for what survives). Format, per value: the kind byte, then
 *   scalars (null, bool, numbers, char, dates, time spans, GUIDs, enums): the whole xv;
 *   string, byte[]: sub byte, u32 length, bytes;
 *   JSON: u32 length, compact JSON text;
 *   list: sub byte, flavor byte, element class pointer, u32 count, items;
 *   dictionary: ci byte, u32 count, then (u32 key length, key, value) pairs.
 * Class pointers are static data: the cache lives in the same process. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "observe_pol.h"

#define MAX_DEPTH 64

static void put_u32(buf *b, uint32_t v)
{
    buf_append(b, &v, sizeof v);
}

static int put_bytes(buf *b, str s)
{
    if (s.len > UINT32_MAX)
        return -1;
    put_u32(b, (uint32_t)s.len);
    return buf_append(b, s.ptr, s.len);
}

static int freeze(rt_req *r, xv v, buf *b, const char **why, int depth)
{
    if (depth > MAX_DEPTH) {
        *why = "a value nested too deeply";
        return -1;
    }
    buf_putc(b, (char)v.kind);
    switch (v.kind) {
    case XV_NULL:
    case XV_BOOL:
    case XV_INT:
    case XV_DOUBLE:
    case XV_CHAR:
    case XV_DATETIME:
    case XV_TIMESPAN:
    case XV_GUID:
    case XV_ENUM:
        return buf_append(b, &v, sizeof v);
    case XV_STR:
    case XV_BYTES:
        buf_putc(b, (char)v.sub);
        return put_bytes(b, v.u.s);
    case XV_JSON: {
        char *text = json_dumps(v.u.j, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text) {
            *why = "JToken";
            return -1;
        }
        int rc = put_bytes(b, str_from(text));
        free(text);
        return rc;
    }
    case XV_LIST: {
        const xv_list *l = v.u.list;
        buf_putc(b, (char)v.sub);
        buf_putc(b, (char)l->flavor);
        buf_append(b, &l->elem, sizeof l->elem);
        put_u32(b, (uint32_t)l->n);
        for (size_t i = 0; i < l->n; i++) {
            if (freeze(r, l->items[i], b, why, depth + 1) < 0)
                return -1;
        }
        return 0;
    }
    case XV_DICT: {
        const xv_dict *d = v.u.dict;
        buf_putc(b, (char)d->ci);
        put_u32(b, (uint32_t)d->n);
        for (size_t i = 0; i < d->n; i++) {
            if (put_bytes(b, d->keys[i]) < 0 || freeze(r, d->vals[i], b, why, depth + 1) < 0)
                return -1;
        }
        return 0;
    }
    default:
        *why = xv_type_name(v);
        return -1;
    }
}

int rt_pol_xv_freeze(rt_req *r, xv v, buf *b, const char **why)
{
    *why = NULL;
    if (freeze(r, v, b, why, 0) < 0) {
        if (!*why)
            *why = "a value too large";
        return -1;
    }
    return 0;
}

typedef struct reader {
    const char *p, *end;
} reader;

static int take(reader *rd, void *out, size_t n)
{
    if ((size_t)(rd->end - rd->p) < n)
        return -1;
    memcpy(out, rd->p, n);
    rd->p += n;
    return 0;
}

static int take_str(rt_req *r, reader *rd, str *out)
{
    uint32_t n;
    if (take(rd, &n, sizeof n) < 0 || (size_t)(rd->end - rd->p) < n)
        return -1;
    char *s = arena_strndup(&r->arena, rd->p, n);
    if (!s)
        return -1;
    *out = str_make(s, n);
    rd->p += n;
    return 0;
}

static int thaw(rt_req *r, reader *rd, xv *out, int depth)
{
    uint8_t kind, sub, flavor;
    if (depth > MAX_DEPTH || take(rd, &kind, 1) < 0)
        return -1;
    switch (kind) {
    case XV_NULL:
    case XV_BOOL:
    case XV_INT:
    case XV_DOUBLE:
    case XV_CHAR:
    case XV_DATETIME:
    case XV_TIMESPAN:
    case XV_GUID:
    case XV_ENUM:
        return take(rd, out, sizeof *out);
    case XV_STR:
    case XV_BYTES:
        if (take(rd, &sub, 1) < 0 || take_str(r, rd, &out->u.s) < 0)
            return -1;
        out->kind = kind;
        out->sub = sub;
        return 0;
    case XV_JSON: {
        str text;
        if (take_str(r, rd, &text) < 0)
            return -1;
        json_t *j = json_loadb(text.ptr, text.len, JSON_DECODE_ANY, NULL);
        return j ? xv_json(&r->env, j, out) : -1;
    }
    case XV_LIST: {
        const xv_class *elem;
        uint32_t n;
        if (take(rd, &sub, 1) < 0 || take(rd, &flavor, 1) < 0 || take(rd, &elem, sizeof elem) < 0 ||
            take(rd, &n, sizeof n) < 0)
            return -1;
        xv_list *l = xv_list_new_in(&r->arena, flavor, elem);
        if (!l)
            return -1;
        for (uint32_t i = 0; i < n; i++) {
            xv item;
            if (thaw(r, rd, &item, depth + 1) < 0 || xv_list_push_in(&r->arena, l, item) < 0)
                return -1;
        }
        *out = (xv){ .kind = XV_LIST, .sub = sub };
        out->u.list = l;
        return 0;
    }
    case XV_DICT: {
        uint8_t ci;
        uint32_t n;
        if (take(rd, &ci, 1) < 0 || take(rd, &n, sizeof n) < 0)
            return -1;
        xv_dict *d = xv_dict_new_in(&r->arena, ci != 0);
        if (!d)
            return -1;
        for (uint32_t i = 0; i < n; i++) {
            str key;
            xv val;
            if (take_str(r, rd, &key) < 0 || thaw(r, rd, &val, depth + 1) < 0 ||
                xv_dict_set_in(&r->arena, d, key, val) < 0)
                return -1;
        }
        *out = (xv){ .kind = XV_DICT };
        out->u.dict = d;
        return 0;
    }
    default:
        return -1;
    }
}

int rt_pol_xv_thaw(rt_req *r, str bytes, xv *out)
{
    reader rd = { bytes.ptr, bytes.ptr + bytes.len };
    if (thaw(r, &rd, out, 0) < 0 || rd.p != rd.end)
        return -1;
    return 0;
}
