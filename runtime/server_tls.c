/* TLS termination for `apimlite serve` (tls: { cert, key }): one SSL_CTX for the process, one
 * SSL per client connection on a bufferevent_openssl that evhttp reads and writes like a
 * socket. TLS 1.2 and 1.3 only; TLS 1.2 restricted to ECDHE with AEAD ciphers; no
 * renegotiation; no compression. A client that speaks plain HTTP to the port fails the
 * handshake and its connection is closed (libevent frees it); other connections go on. */
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>

#include "server_impl.h"

#define SRV_TLS12_CIPHERS                                                                          \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"     \
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

/* err = "FILE:LINE:COL: error: tls: ...: <OpenSSL's reason>" at the YAML value w. */
static void ssl_err(const rt_config *c, rt_cfg_where w, char *err, size_t errlen, const char *what,
                    const char *path)
{
    unsigned long e = ERR_get_error();
    const char *why = e ? ERR_reason_error_string(e) : NULL;
    diag_pos pos;
    rt_config_pos(c, w, &pos);
    snprintf(err, errlen, "%s:%u:%u: error: tls: %s (%s%s%s)", pos.file ? pos.file : "?", pos.line,
             pos.col, what, path ? path : "", path ? ": " : "", why ? why : "failed");
    ERR_clear_error();
}

SSL_CTX *srv_tls_new(const rt_config *c, char *err, size_t errlen)
{
    const rt_cfg_tls *t = &c->tls;
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    const char *what = NULL, *path = NULL;
    rt_cfg_where w = t->where;
    if (!ctx) {
        what = "cannot create the TLS context";
    } else {
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                     SSL_OP_NO_COMPRESSION | SSL_OP_SINGLE_ECDH_USE);
        SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
        if (SSL_CTX_set_cipher_list(ctx, SRV_TLS12_CIPHERS) != 1) {
            what = "cannot set the cipher list";
        } else if (SSL_CTX_use_certificate_chain_file(ctx, t->cert) != 1) {
            what = "'cert': cannot load the certificate chain";
            path = t->cert;
            w = t->cert_where;
        } else if (SSL_CTX_use_PrivateKey_file(ctx, t->key, SSL_FILETYPE_PEM) != 1) {
            what = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH
                       ? "'key': the private key does not match the certificate"
                       : "'key': cannot load the private key";
            path = t->key;
            w = t->key_where;
        } else if (SSL_CTX_check_private_key(ctx) != 1) {
            what = "'key': the private key does not match the certificate";
            path = t->key;
            w = t->key_where;
        }
    }
    if (!what)
        return ctx;
    ssl_err(c, w, err, errlen, what, path);
    SSL_CTX_free(ctx);
    return NULL;
}

void srv_tls_free(SSL_CTX *ctx)
{
    SSL_CTX_free(ctx);
}

/* A server-side TLS bufferevent for evhttp (the socket is set by evhttp). */
struct bufferevent *srv_tls_bev(struct event_base *base, SSL_CTX *ctx)
{
    SSL *ssl = SSL_new(ctx);
    struct bufferevent *bev =
        ssl ? bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                             BEV_OPT_CLOSE_ON_FREE)
            : NULL;
    if (!bev) {
        /* evhttp would fall back to plain text on NULL: out of memory is fatal, as in xmalloc */
        fputs("apimlite serve: out of memory creating a TLS connection\n", stderr);
        abort();
    }
    /* clients that close without close_notify are not an error worth reporting */
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
}
