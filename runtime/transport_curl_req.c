/* Request side of the curl transport (transport_curl_req.h): the forwarded header lines. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport_curl_req.h"

/* tchar (RFC 9110 §5.6.2): a bit per byte 0..127 */
static const uint64_t tchar_lo = 0x03ff6cfa00000000ULL; /* 32..63: ! # $ % & ' * + - . 0-9 */
static const uint64_t tchar_hi = 0x57ffffffc7fffffeULL; /* 64..127: A-Z ^ _ ` a-z | ~ */

bool rt_curl_is_token(str s)
{
    if (!s.len)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        unsigned ch = (unsigned char)s.ptr[i];
        uint64_t set = ch < 64 ? tchar_lo : ch < 128 ? tchar_hi : 0;
        if (!(set >> (ch & 63) & 1))
            return false;
    }
    return true;
}

static bool is_hop_by_hop(str name)
{
    static const struct {
        const char *p;
        size_t n;
    } names[] = { { "Connection", 10 },       { "Keep-Alive", 10 },
                  { "Proxy-Connection", 16 }, { "TE", 2 },
                  { "Upgrade", 7 },           { "Transfer-Encoding", 17 },
                  { "Content-Length", 14 } };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        if (name.len == names[i].n && !strncasecmp(name.ptr, names[i].p, name.len))
            return true;
    }
    return false;
}

/* A header line: "Name: value", or "Name;" for an empty value (curl's way to send it empty). */
static size_t line_len(str name, str value)
{
    return name.len + (value.len ? 2 + value.len : 1) + 1;
}

/* Links the next free node, for the line at *text (len bytes with its NUL), and moves *text
 * past it. */
static void put_line(struct curl_slist **tail, struct curl_slist **next, char **text, size_t len)
{
    struct curl_slist *node = (*next)++;
    node->data = *text;
    node->next = NULL;
    *text += len;
    if (*tail)
        (*tail)->next = node;
    *tail = node;
}

/* Copies a constant line to *text and links it. */
static void put_const(struct curl_slist **tail, struct curl_slist **next, char **text,
                      const char *line, size_t len)
{
    memcpy(*text, line, len);
    put_line(tail, next, text, len);
}

const char *rt_curl_build_headers(struct curl_slist **hdrs, const rt_http_req *req, bool with_body)
{
    static const char accept[] = "Accept:", expect[] = "Expect:", ctype[] = "Content-Type:";
    bool has_accept = false, has_expect = false, has_ctype = false;
    size_t nlines = 0, nbytes = 0;
    for (size_t i = 0; i < req->nheaders; i++) { /* check and measure */
        str name = req->headers[i].name, value = req->headers[i].value;
        if (!rt_curl_is_token(name))
            return "invalid request header name";
        if (value.len && (memchr(value.ptr, '\r', value.len) ||
                          memchr(value.ptr, '\n', value.len) || memchr(value.ptr, '\0', value.len)))
            return "CR, LF or NUL in a request header value";
        if (is_hop_by_hop(name))
            continue;
        has_accept |= name.len == 6 && !strncasecmp(name.ptr, "Accept", 6);
        has_expect |= name.len == 6 && !strncasecmp(name.ptr, "Expect", 6);
        has_ctype |= name.len == 12 && !strncasecmp(name.ptr, "Content-Type", 12);
        nlines++;
        nbytes += line_len(name, str_trim(value));
    }
    bool blank_accept = !has_accept,
         blank_expect = !has_expect && with_body && req->body.len >= 1024,
         blank_ctype = !has_ctype && with_body;
    nlines += blank_accept + blank_expect + blank_ctype;
    nbytes += (blank_accept ? sizeof accept : 0) + (blank_expect ? sizeof expect : 0) +
              (blank_ctype ? sizeof ctype : 0);
    *hdrs = NULL;
    if (!nlines)
        return NULL;
    /* one block: the nodes, then their text (curl only reads the list; freed with free()) */
    struct curl_slist *nodes = malloc(nlines * sizeof *nodes + nbytes);
    if (!nodes)
        return "out of memory";
    struct curl_slist *next = nodes, *tail = NULL;
    char *text = (char *)(nodes + nlines);
    for (size_t i = 0; i < req->nheaders; i++) {
        str name = req->headers[i].name, value = str_trim(req->headers[i].value);
        if (is_hop_by_hop(name))
            continue;
        char *p = text;
        memcpy(p, name.ptr, name.len);
        p += name.len;
        if (value.len) {
            *p++ = ':';
            *p++ = ' ';
            memcpy(p, value.ptr, value.len);
            p += value.len;
        } else {
            *p++ = ';';
        }
        *p = 0;
        put_line(&tail, &next, &text, line_len(name, value));
    }
    if (blank_accept)
        put_const(&tail, &next, &text, accept, sizeof accept);
    if (blank_expect)
        put_const(&tail, &next, &text, expect, sizeof expect);
    if (blank_ctype)
        put_const(&tail, &next, &text, ctype, sizeof ctype);
    *hdrs = nodes;
    return NULL;
}
