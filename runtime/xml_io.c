/* System.IO.StringReader and StringWriter: the TextReader XmlReader.Create reads from and a
 * string sink. Both live in the evaluation arena; Dispose/Close only mark them closed. */
#include <string.h>

#include "xml.h"

typedef struct sreader {
    str s;
    size_t pos;
    bool closed;
} sreader;

typedef struct swriter {
    char *p;
    size_t len, cap;
} swriter;

static sreader *self_sr(xv_call *c)
{
    if (c->self.kind == XV_OBJ && c->self.u.obj.cls == &rt_xml_class_stringreader) {
        sreader *r = c->self.u.obj.ptr;
        if (!r->closed)
            return r;
        expr_throw(c->env, "ObjectDisposedException", "Cannot read from a closed TextReader.");
        return NULL;
    }
    rt_xml_null_ref(c->env);
    return NULL;
}

str rt_xml_stringreader_take(xv v)
{
    if (v.kind != XV_OBJ || v.u.obj.cls != &rt_xml_class_stringreader)
        return STR_NULL;
    sreader *r = v.u.obj.ptr;
    str rest = str_make(r->s.ptr ? r->s.ptr + r->pos : "", r->s.len - r->pos);
    r->pos = r->s.len;
    return rest;
}

static int sr_ctor(xv_call *c, xv *out)
{
    str s;
    if (rt_xml_arg_str(c, 0, "s", false, &s) < 0)
        return -1;
    sreader *r = arena_alloc(c->env->a, sizeof *r);
    if (!r)
        return rt_xml_oom(c->env);
    r->s = s;
    *out = xv_obj(&rt_xml_class_stringreader, r);
    return 0;
}

static int sr_read_to_end(xv_call *c, xv *out)
{
    sreader *r = self_sr(c);
    if (!r)
        return -1;
    *out = xv_str(str_make(r->s.ptr ? r->s.ptr + r->pos : "", r->s.len - r->pos));
    r->pos = r->s.len;
    return 0;
}

static int sr_read_line(xv_call *c, xv *out)
{
    sreader *r = self_sr(c);
    if (!r)
        return -1;
    if (r->pos >= r->s.len) {
        *out = xv_null();
        return 0;
    }
    size_t start = r->pos, end = start;
    while (end < r->s.len && r->s.ptr[end] != '\n' && r->s.ptr[end] != '\r')
        end++;
    *out = xv_str(str_make(r->s.ptr + start, end - start));
    if (end < r->s.len && r->s.ptr[end] == '\r' && end + 1 < r->s.len && r->s.ptr[end + 1] == '\n')
        end++;
    r->pos = end < r->s.len ? end + 1 : end;
    return 0;
}

/* The next character as an int (UTF-16 code unit of a BMP character), -1 at the end. */
static int next_char(const sreader *r, size_t *len)
{
    if (r->pos >= r->s.len) {
        *len = 0;
        return -1;
    }
    const unsigned char *p = (const unsigned char *)r->s.ptr + r->pos;
    size_t left = r->s.len - r->pos;
    unsigned cp = p[0];
    size_t n = cp < 0x80 ? 1 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
    if (n > left)
        n = left;
    if (n > 1) {
        cp &= n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07;
        for (size_t k = 1; k < n; k++)
            cp = (cp << 6) | (p[k] & 0x3F);
    }
    *len = n;
    return cp > 0xFFFF ? 0xFFFD : (int)cp;
}

static int sr_peek(xv_call *c, xv *out)
{
    sreader *r = self_sr(c);
    size_t n;
    if (!r)
        return -1;
    *out = xv_int(next_char(r, &n));
    return 0;
}

static int sr_read(xv_call *c, xv *out)
{
    sreader *r = self_sr(c);
    size_t n;
    if (!r)
        return -1;
    *out = xv_int(next_char(r, &n));
    r->pos += n;
    return 0;
}

static int sr_close(xv_call *c, xv *out)
{
    *out = xv_null();
    if (c->self.kind != XV_OBJ || c->self.u.obj.cls != &rt_xml_class_stringreader)
        return rt_xml_null_ref(c->env);
    ((sreader *)c->self.u.obj.ptr)->closed = true;
    return 0;
}

static const xv_method sr_methods[] = {
    { "Close", 0, 0, sr_close, NULL, 0, NULL },
    { "Dispose", 0, 0, sr_close, NULL, 0, NULL },
    { "Peek", 0, 0, sr_peek, &expr_class_int, 0, NULL },
    { "Read", 0, 0, sr_read, &expr_class_int, 0, NULL },
    { "ReadLine", 0, 0, sr_read_line, &expr_class_string, 0, NULL },
    { "ReadToEnd", 0, 0, sr_read_to_end, &expr_class_string, 0, NULL },
};

static const char *const sr_aliases[] = { "System.IO.StringReader", "TextReader", NULL };

const xv_class rt_xml_class_stringreader = {
    .name = "StringReader",
    .aliases = sr_aliases,
    .methods = sr_methods,
    .nmethods = RT_XML_COUNT(sr_methods),
    .ctor = sr_ctor,
    .ctor_min = 1,
    .ctor_max = 1,
};

/* ---- StringWriter ---- */

static swriter *self_sw(xv_call *c)
{
    if (c->self.kind == XV_OBJ && c->self.u.obj.cls == &rt_xml_class_stringwriter)
        return c->self.u.obj.ptr;
    rt_xml_null_ref(c->env);
    return NULL;
}

static int sw_append(expr_env *env, swriter *w, const char *p, size_t n)
{
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 64;
        while (cap < w->len + n + 1) {
            if (cap > ARENA_REQUEST_CAP)
                return expr_throw(env, "OutOfMemoryException", "StringWriter is too large");
            cap *= 2;
        }
        char *q = arena_realloc(env->a, w->p, w->cap, cap);
        if (!q)
            return rt_xml_oom(env);
        w->p = q;
        w->cap = cap;
    }
    if (n)
        memcpy(w->p + w->len, p, n);
    w->len += n;
    w->p[w->len] = '\0';
    return 0;
}

static int sw_ctor(xv_call *c, xv *out)
{
    swriter *w = arena_alloc(c->env->a, sizeof *w);
    if (!w)
        return rt_xml_oom(c->env);
    *out = xv_obj(&rt_xml_class_stringwriter, w);
    return 0;
}

static int sw_write_value(xv_call *c, swriter *w)
{
    if (c->nargs == 0 || c->args[0].kind == XV_NULL)
        return 0;
    str s;
    if (xv_to_string(c->env, c->args[0], &s) < 0)
        return -1;
    return sw_append(c->env, w, s.ptr, s.len);
}

static int sw_write(xv_call *c, xv *out)
{
    swriter *w = self_sw(c);
    *out = xv_null();
    return !w || sw_write_value(c, w) < 0 ? -1 : 0;
}

static int sw_write_line(xv_call *c, xv *out)
{
    swriter *w = self_sw(c);
    *out = xv_null();
    if (!w || sw_write_value(c, w) < 0)
        return -1;
    return sw_append(c->env, w, "\n", 1);
}

static int sw_to_string(xv_call *c, xv *out)
{
    swriter *w = self_sw(c);
    if (!w)
        return -1;
    return xv_str_copy(c->env, w->p ? w->p : "", w->len, out);
}

static int sw_flush(xv_call *c, xv *out)
{
    *out = xv_null();
    return self_sw(c) ? 0 : -1;
}

static const xv_method sw_methods[] = {
    { "Close", 0, 0, sw_flush, NULL, 0, NULL },
    { "Dispose", 0, 0, sw_flush, NULL, 0, NULL },
    { "Flush", 0, 0, sw_flush, NULL, 0, NULL },
    { "ToString", 0, 0, sw_to_string, &expr_class_string, 0, NULL },
    { "Write", 1, 1, sw_write, NULL, 0, "value" },
    { "WriteLine", 0, 1, sw_write_line, NULL, 0, "value" },
};

static const char *const sw_aliases[] = { "System.IO.StringWriter", "TextWriter", NULL };

const xv_class rt_xml_class_stringwriter = {
    .name = "StringWriter",
    .aliases = sw_aliases,
    .methods = sw_methods,
    .nmethods = RT_XML_COUNT(sw_methods),
    .ctor = sw_ctor,
    .ctor_min = 0,
    .ctor_max = 0,
};
