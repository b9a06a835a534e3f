/* Backend TLS verification of the curl transport: an in-process HTTPS server (evhttp over
 * bufferevent_openssl) with a freshly generated self-signed certificate for IP 127.0.0.1.
 * Verification is on by default (the unknown certificate is refused), can be turned off per
 * call (tls_skip_chain / tls_skip_name), and succeeds with the certificate as opts.ca_file,
 * where the host name check still applies (https://localhost does not match). TAP output. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/transport_curl.h"
#include "tap.h"

static struct event_base *base;
static struct event *guard;
static SSL_CTX *server_ctx;
static int port;
static char ca_path[64];

typedef struct result {
    bool called;
    rt_tx_result res;
    int status;
    char message[512];
} result;

static void on_guard(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    event_base_loopbreak(base);
}

static void on_done(void *ud, rt_tx_result res, const rt_http_resp *resp, const char *message)
{
    result *r = ud;
    r->called = true;
    r->res = res;
    r->status = resp ? resp->status : 0;
    snprintf(r->message, sizeof r->message, "%s", message ? message : "");
    event_base_loopbreak(base);
}

/* One GET through t; returns the result. */
static result call(rt_transport *t, const char *host, bool skip_chain, bool skip_name)
{
    result r = { 0 };
    arena a;
    arena_init(&a, ARENA_REQUEST_CAP);
    char url[128];
    snprintf(url, sizeof url, "https://%s:%d/hello", host, port);
    rt_http_req req = { .method = STR_LIT("GET"),
                        .url = str_from(url),
                        .timeout_ms = 3000,
                        .tls_skip_chain = skip_chain,
                        .tls_skip_name = skip_name };
    if (t->send(t, &a, &req, on_done, &r)) {
        struct timeval tv = { 5, 0 };
        evtimer_add(guard, &tv);
        event_base_dispatch(base);
        evtimer_del(guard);
    }
    arena_release(&a);
    return r;
}

/* ---- the HTTPS server ---- */

static void on_http(struct evhttp_request *req, void *arg)
{
    (void)arg;
    struct evbuffer *out = evbuffer_new();
    evbuffer_add_printf(out, "hello over TLS");
    evhttp_send_reply(req, 200, "OK", out);
    evbuffer_free(out);
}

static struct bufferevent *tls_bev(struct event_base *b, void *arg)
{
    return bufferevent_openssl_socket_new(b, -1, SSL_new(arg), BUFFEREVENT_SSL_ACCEPTING,
                                          BEV_OPT_CLOSE_ON_FREE);
}

/* A self-signed P-256 certificate for IP:127.0.0.1, written to ca_path. */
static int make_cert(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    if (!key || !x)
        return -1;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1, -1,
                               0);
    X509_set_issuer_name(x, name);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    const char *exts[][2] = { { "subjectAltName", "IP:127.0.0.1" },
                              { "basicConstraints", "critical,CA:TRUE" } };
    for (size_t i = 0; i < 2; i++) {
        X509_EXTENSION *e = X509V3_EXT_conf(NULL, &v3, exts[i][0], exts[i][1]);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    X509_sign(x, key, EVP_sha256());
    server_ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(server_ctx, x);
    SSL_CTX_use_PrivateKey(server_ctx, key);
    snprintf(ca_path, sizeof ca_path, "/tmp/apimlite-tls-XXXXXX");
    int fd = mkstemp(ca_path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f) {
        PEM_write_X509(f, x);
        fclose(f);
    }
    X509_free(x);
    EVP_PKEY_free(key);
    return f ? 0 : -1;
}

static rt_curl *ct;

static void test_default_refuses(void)
{
    result r = call(rt_curl_transport(ct), "127.0.0.1", false, false);
    CHECK(r.called && r.res == RT_TX_CONNECT, "res %d: %s", r.res, r.message);
}

static void test_skip(void)
{
    result r = call(rt_curl_transport(ct), "127.0.0.1", true, true);
    CHECK(r.res == RT_TX_OK && r.status == 200, "res %d status %d: %s", r.res, r.status, r.message);
    /* the chain check alone still refuses the unknown certificate */
    r = call(rt_curl_transport(ct), "127.0.0.1", false, true);
    CHECK(r.res == RT_TX_CONNECT, "skip name only: res %d: %s", r.res, r.message);
}

static void test_ca_file(void)
{
    rt_curl_opts o = { .ca_file = ca_path };
    rt_curl *trusted = rt_curl_new(base, &o);
    result r = call(rt_curl_transport(trusted), "127.0.0.1", false, false);
    CHECK(r.res == RT_TX_OK && r.status == 200, "trusted: res %d: %s", r.res, r.message);
    r = call(rt_curl_transport(trusted), "localhost", false, false);
    CHECK(r.res == RT_TX_CONNECT, "name mismatch: res %d: %s", r.res, r.message);
    r = call(rt_curl_transport(trusted), "localhost", false, true);
    CHECK(r.res == RT_TX_OK, "name mismatch, name check off: res %d: %s", r.res, r.message);
    rt_curl_free(trusted);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* as `serve` does: a peer may close while we write */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    base = event_base_new();
    guard = evtimer_new(base, on_guard, NULL);
    if (make_cert() < 0) {
        printf("Bail out! cannot make a certificate\n");
        return 1;
    }
    struct evhttp *http = evhttp_new(base);
    evhttp_set_bevcb(http, tls_bev, server_ctx);
    evhttp_set_gencb(http, on_http, NULL);
    struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
    if (!bs) {
        printf("Bail out! cannot bind the test server\n");
        return 1;
    }
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sin, &len);
    port = ntohs(sin.sin_port);
    ct = rt_curl_new(base, NULL);

    tap_run("TLS: an unknown certificate is refused by default", test_default_refuses);
    tap_run("TLS: verification off per call", test_skip);
    tap_run("TLS: ca_file trusts it; the host name is still checked", test_ca_file);

    rt_curl_free(ct);
    evhttp_free(http);
    event_free(guard);
    event_base_free(base);
    SSL_CTX_free(server_ctx);
    unlink(ca_path);
    curl_global_cleanup();
    return tap_done();
}
