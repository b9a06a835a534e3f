/* Benchmark helper (not a test): a small HTTP/1.1 load generator on libevent for the figures
 * wrk cannot give (tests/bench/run, tests/bench/soak).
 *
 * usage: bench_loadgen MODE [options]
 *   MODE latency  closed loop (--rate 0) or open loop at --rate R requests/s spread over
 *                 --conns keep-alive connections; with a rate, a request that could not be
 *                 sent on time (its connection still busy) is timed from its scheduled time
 *                 (wrk2's coordinated-omission correction), others from their write.
 *   MODE stream   every connection sends streamed requests one after the other; reports
 *                 the time to first body byte (TTFB, = first token for SSE), the largest gap
 *                 between two arrivals of body bytes inside a stream, completed streams and
 *                 the peak number of streams open at once.
 *   MODE hold     each connection sends one request, then all stay open and idle for
 *                 --duration seconds; prints "held N" when all are established (so that a
 *                 script can read the server's RSS), and at the end how many survived.
 * options:
 *   --url http://HOST:PORT/PATH   (IPv4 literal; no TLS)
 *   --header 'Name: value'        repeatable
 *   --body TEXT | --body-file F   POST body (else GET)
 *   --conns N (1)  --rate R (0)  --duration S (5)  --requests N (0 = no cap)
 *   --warmup S (0)  samples of the first S seconds are not counted
 *   --quiet-hold    (hold) do not print "held N"
 *   --serial        (hold) open the connections one after the other, each once the previous
 *                   one has its answer (idle keep-alive cost, not a burst of N requests)
 * Output: key=value lines (requests, errors, status_2xx, status_other, codes, rps, p50_us,
 * p90_us, p99_us, p999_us, max_us; stream adds ttfb_* , max_gap_us, completed, peak_open).
 * The open-file limit is raised to its hard maximum. Exit 0 unless the options are bad. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

enum mode { M_LATENCY, M_STREAM, M_HOLD };
enum pstate { P_IDLE, P_HDR, P_CL, P_CHUNK_SIZE, P_CHUNK_DATA, P_CHUNK_CRLF, P_TRAILER, P_EOF };

typedef struct samples {
    uint64_t *v;
    size_t n, cap;
} samples;

typedef struct lg lg;

typedef struct conn {
    lg *g;
    int idx;
    struct bufferevent *bev;
    struct event *timer;
    enum pstate st;
    uint64_t sched, sent, first, last, gap;
    size_t left; /* body bytes left: Content-Length or the current chunk */
    int status;
    int done_reqs;
    bool close_after, in_flight, established;
} conn;

struct lg {
    enum mode mode;
    struct event_base *base;
    struct sockaddr_in addr;
    char *req;
    size_t req_len;
    int conns;
    double rate, duration, warmup;
    long max_requests;
    bool quiet_hold, serial;
    uint64_t t0, t_end, t_warm;
    long issued, completed, errors, counted, s2xx, sother, codes[600];
    long open_streams, peak_open, established, closed_in_hold;
    samples lat, ttfb;
    uint64_t max_gap;
    bool stopping, held_printed;
    conn *c;
    struct event *stop_ev, *sig_ev;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void push(samples *s, uint64_t v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4096;
        uint64_t *nv = realloc(s->v, s->cap * sizeof *nv);
        if (!nv) {
            fputs("bench_loadgen: out of memory\n", stderr);
            exit(1);
        }
        s->v = nv;
    }
    s->v[s->n++] = v;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_us(const samples *s, double p)
{
    if (!s->n)
        return 0;
    size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);
    return (double)s->v[i] / 1000.0;
}

static void print_samples(const char *prefix, samples *s)
{
    qsort(s->v, s->n, sizeof *s->v, cmp_u64);
    printf("%sp50_us=%.1f\n%sp90_us=%.1f\n%sp99_us=%.1f\n%sp999_us=%.1f\n%smax_us=%.1f\n", prefix,
           pct_us(s, 0.5), prefix, pct_us(s, 0.9), prefix, pct_us(s, 0.99), prefix,
           pct_us(s, 0.999), prefix, pct_us(s, 1.0));
}

static void conn_start(conn *c);
static void send_next(conn *c);

static void maybe_finish(lg *g)
{
    if (!g->stopping)
        return;
    for (int i = 0; i < g->conns; i++)
        if (g->c[i].in_flight)
            return;
    event_base_loopexit(g->base, NULL);
}

static void conn_drop(conn *c, bool error)
{
    lg *g = c->g;
    if (c->in_flight) {
        c->in_flight = false;
        if (g->mode == M_STREAM)
            g->open_streams--;
        if (error)
            g->errors++;
    }
    if (g->mode == M_HOLD && c->established)
        g->closed_in_hold++;
    c->established = false;
    if (c->bev) {
        bufferevent_free(c->bev);
        c->bev = NULL;
    }
    if (g->stopping) {
        maybe_finish(g);
        return;
    }
    if (g->errors > 1000 + (long)g->conns) {
        fputs("bench_loadgen: too many connection errors, stopping\n", stderr);
        g->stopping = true;
        event_base_loopexit(g->base, NULL);
        return;
    }
    if (g->mode != M_HOLD || !c->done_reqs)
        conn_start(c);
}

/* One response finished on c at time t. */
static void response_done(conn *c, uint64_t t)
{
    lg *g = c->g;
    c->in_flight = false;
    c->st = P_IDLE;
    c->done_reqs++;
    g->completed++;
    if (g->mode == M_STREAM)
        g->open_streams--;
    bool counted = c->sent >= g->t_warm;
    if (counted) {
        g->counted++;
        if (c->status >= 200 && c->status < 300)
            g->s2xx++;
        else
            g->sother++;
        if (c->status >= 100 && c->status < 600)
            g->codes[c->status]++;
        uint64_t from = c->sched < c->sent ? c->sched : c->sent;
        push(&g->lat, t > from ? t - from : 0);
        if (g->mode == M_STREAM && c->first) {
            push(&g->ttfb, c->first - c->sent);
            if (c->gap > g->max_gap)
                g->max_gap = c->gap;
        }
    }
    if (g->mode == M_HOLD) {
        c->established = true;
        g->established++;
        if (g->serial && c->idx + 1 < g->conns)
            conn_start(&g->c[c->idx + 1]);
        if (g->established == g->conns && !g->held_printed) {
            g->held_printed = true;
            if (!g->quiet_hold) {
                printf("held %d\n", g->conns);
                fflush(stdout);
            }
        }
        return;
    }
    if (c->close_after) {
        bufferevent_free(c->bev);
        c->bev = NULL;
        if (!g->stopping)
            conn_start(c);
        maybe_finish(g);
        return;
    }
    if (g->stopping) {
        maybe_finish(g);
        return;
    }
    send_next(c);
}

static void body_bytes(conn *c, size_t n, uint64_t t)
{
    if (!n)
        return;
    if (!c->first)
        c->first = t;
    else if (t - c->last > c->gap)
        c->gap = t - c->last;
    c->last = t;
}

/* Parses the header block in line (NUL-terminated); returns -1 when malformed. */
static int parse_headers(conn *c, char *h)
{
    if (strncmp(h, "HTTP/1.", 7) || strlen(h) < 12)
        return -1;
    c->status = atoi(h + 9);
    c->st = P_EOF;
    c->left = 0;
    c->close_after = h[7] == '0';
    bool have_len = false;
    for (char *line = strstr(h, "\r\n"); line; line = strstr(line, "\r\n")) {
        line += 2;
        if (!strncasecmp(line, "content-length:", 15)) {
            c->left = strtoull(line + 15, NULL, 10);
            have_len = true;
        } else if (!strncasecmp(line, "transfer-encoding:", 18) && strstr(line, "chunked")) {
            c->st = P_CHUNK_SIZE;
        } else if (!strncasecmp(line, "connection:", 11)) {
            const char *v = line + 11;
            while (*v == ' ')
                v++;
            if (!strncasecmp(v, "close", 5))
                c->close_after = true;
            else if (!strncasecmp(v, "keep-alive", 10))
                c->close_after = false;
        }
    }
    if (c->st != P_CHUNK_SIZE && have_len)
        c->st = P_CL;
    if (c->st == P_EOF)
        c->close_after = true;
    return 0;
}

/* Consumes what input holds; returns -1 on a protocol error. */
static int parse(conn *c, struct bufferevent *bev, uint64_t t)
{
    struct evbuffer *in = bufferevent_get_input(bev);
    for (;;) {
        switch (c->st) {
        case P_IDLE:
            if (evbuffer_get_length(in))
                return -1; /* bytes nobody asked for */
            return 0;
        case P_HDR: {
            struct evbuffer_ptr p = evbuffer_search(in, "\r\n\r\n", 4, NULL);
            if (p.pos < 0)
                return evbuffer_get_length(in) > 65536 ? -1 : 0;
            size_t n = (size_t)p.pos + 4;
            char *h = malloc(n + 1);
            if (!h)
                return -1;
            evbuffer_remove(in, h, n);
            h[n] = '\0';
            int rc = parse_headers(c, h);
            free(h);
            if (rc < 0)
                return -1;
            if (c->st == P_CL && c->left == 0) {
                response_done(c, t);
                if (c->bev != bev)
                    return 1;
            }
            break;
        }
        case P_CL: {
            size_t have = evbuffer_get_length(in);
            size_t n = have < c->left ? have : c->left;
            evbuffer_drain(in, n);
            body_bytes(c, n, t);
            c->left -= n;
            if (c->left)
                return 0;
            response_done(c, t);
            if (c->bev != bev)
                return 1;
            break;
        }
        case P_CHUNK_SIZE:
        case P_TRAILER: {
            size_t len;
            char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
            if (!line)
                return evbuffer_get_length(in) > 4096 ? -1 : 0;
            if (c->st == P_TRAILER) {
                free(line);
                if (len == 0) {
                    response_done(c, t);
                    if (c->bev != bev)
                        return 1;
                }
                break;
            }
            char *end;
            unsigned long long sz = strtoull(line, &end, 16);
            bool bad = end == line;
            free(line);
            if (bad)
                return -1;
            c->left = sz;
            c->st = sz ? P_CHUNK_DATA : P_TRAILER;
            break;
        }
        case P_CHUNK_DATA: {
            size_t have = evbuffer_get_length(in);
            if (!have)
                return 0;
            size_t n = have < c->left ? have : c->left;
            evbuffer_drain(in, n);
            body_bytes(c, n, t);
            c->left -= n;
            if (!c->left)
                c->st = P_CHUNK_CRLF;
            break;
        }
        case P_CHUNK_CRLF:
            if (evbuffer_get_length(in) < 2)
                return 0;
            evbuffer_drain(in, 2);
            c->st = P_CHUNK_SIZE;
            break;
        case P_EOF: {
            size_t n = evbuffer_get_length(in);
            evbuffer_drain(in, n);
            body_bytes(c, n, t);
            return 0;
        }
        }
    }
}

static void on_read(struct bufferevent *bev, void *arg)
{
    conn *c = arg;
    if (parse(c, bev, now_ns()) < 0)
        conn_drop(c, true);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    conn *c = arg;
    (void)bev;
    if (what & BEV_EVENT_CONNECTED) {
        int one = 1;
        setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (c->g->mode == M_HOLD && (c->done_reqs || c->g->stopping))
            return;
        send_next(c);
        return;
    }
    if (what & BEV_EVENT_EOF && c->st == P_EOF && c->in_flight) {
        response_done(c, now_ns()); /* close-delimited body */
        return;
    }
    conn_drop(c, true);
}

static void write_request(conn *c)
{
    lg *g = c->g;
    uint64_t t = now_ns();
    if (t >= g->t_end || (g->max_requests && g->issued >= g->max_requests)) {
        g->stopping = true;
        maybe_finish(g);
        return;
    }
    g->issued++;
    c->sent = t;
    if (g->rate <= 0)
        c->sched = t;
    c->first = c->last = c->gap = 0;
    c->st = P_HDR;
    c->in_flight = true;
    if (g->mode == M_STREAM && ++g->open_streams > g->peak_open)
        g->peak_open = g->open_streams;
    bufferevent_write(c->bev, g->req, g->req_len);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    conn *c = arg;
    c->sched = UINT64_MAX; /* the connection was idle: time from the actual write */
    write_request(c);
}

static void send_next(conn *c)
{
    lg *g = c->g;
    if (g->stopping)
        return;
    if (g->rate <= 0) {
        write_request(c);
        return;
    }
    /* open loop: connection i sends at t0 + (i + k * conns) / rate */
    double period = (double)g->conns / g->rate * 1e9;
    uint64_t next =
        g->t0 + (uint64_t)(((double)c->idx / g->rate) * 1e9 + period * (double)c->done_reqs);
    c->sched = next;
    uint64_t t = now_ns();
    if (next <= t) {
        write_request(c);
        return;
    }
    uint64_t d = next - t;
    struct timeval tv = { (time_t)(d / 1000000000u), (suseconds_t)(d % 1000000000u / 1000) };
    evtimer_add(c->timer, &tv);
}

static void conn_start(conn *c)
{
    lg *g = c->g;
    c->bev = bufferevent_socket_new(g->base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!c->bev) {
        g->errors++;
        return;
    }
    c->st = P_IDLE;
    bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&g->addr, sizeof g->addr) < 0) {
        bufferevent_free(c->bev);
        c->bev = NULL;
        g->errors++;
    }
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    lg *g = arg;
    g->stopping = true;
    if (g->mode == M_HOLD) {
        event_base_loopexit(g->base, NULL);
        return;
    }
    maybe_finish(g);
    struct timeval grace = { 3, 0 }; /* in-flight requests get 3 s more */
    event_base_loopexit(g->base, &grace);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 > cap) {
            cap = cap ? 2 * cap : 8192;
            char *ns = realloc(s, cap);
            if (!ns)
                break;
            s = ns;
        }
        size_t k = fread(s + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    *len = n;
    return s;
}

static int usage(void)
{
    fputs("usage: bench_loadgen latency|stream|hold --url http://IP:PORT/PATH [--header H]...\n"
          "       [--body TEXT|--body-file F] [--conns N] [--rate R] [--duration S]\n"
          "       [--requests N] [--warmup S] [--quiet-hold] [--serial]\n",
          stderr);
    return 2;
}

/* Builds g->req and g->addr from the options; returns -1 on bad input. */
static int build_request(lg *g, const char *url, char **hdrs, int nh, const char *body, size_t blen)
{
    if (strncmp(url, "http://", 7))
        return -1;
    const char *hp = url + 7, *path = strchr(hp, '/');
    if (!path)
        path = "/";
    char host[64];
    size_t hl = (size_t)(strchr(hp, '/') ? strchr(hp, '/') - hp : (long)strlen(hp));
    if (hl >= sizeof host)
        return -1;
    memcpy(host, hp, hl);
    host[hl] = '\0';
    char *colon = strchr(host, ':');
    if (!colon)
        return -1;
    *colon = '\0';
    memset(&g->addr, 0, sizeof g->addr);
    g->addr.sin_family = AF_INET;
    g->addr.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &g->addr.sin_addr) != 1)
        return -1;
    *colon = ':';
    size_t cap = 256 + strlen(path) + strlen(host) + blen;
    for (int i = 0; i < nh; i++)
        cap += strlen(hdrs[i]) + 2;
    g->req = malloc(cap);
    if (!g->req)
        return -1;
    int n =
        snprintf(g->req, cap, "%s %s HTTP/1.1\r\nHost: %s\r\n", body ? "POST" : "GET", path, host);
    for (int i = 0; i < nh; i++)
        n += snprintf(g->req + n, cap - (size_t)n, "%s\r\n", hdrs[i]);
    if (body)
        n += snprintf(g->req + n, cap - (size_t)n, "Content-Length: %zu\r\n", blen);
    n += snprintf(g->req + n, cap - (size_t)n, "\r\n");
    if (body) {
        memcpy(g->req + n, body, blen);
        n += (int)blen;
    }
    g->req_len = (size_t)n;
    return 0;
}

static void raise_nofile(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

static void report(lg *g, double secs)
{
    printf("requests=%ld\ncompleted=%ld\nerrors=%ld\nstatus_2xx=%ld\nstatus_other=%ld\n",
           g->counted, g->completed, g->errors, g->s2xx, g->sother);
    printf("codes=");
    const char *sep = "";
    for (int i = 100; i < 600; i++)
        if (g->codes[i]) {
            printf("%s%d:%ld", sep, i, g->codes[i]);
            sep = ",";
        }
    printf("\nrps=%.1f\n", secs > 0 ? (double)g->counted / secs : 0.0);
    print_samples("", &g->lat);
    if (g->mode == M_STREAM) {
        print_samples("ttfb_", &g->ttfb);
        printf("max_gap_us=%.1f\npeak_open=%ld\n", (double)g->max_gap / 1000.0, g->peak_open);
    }
    if (g->mode == M_HOLD)
        printf("established=%ld\nclosed_during_hold=%ld\n", g->established, g->closed_in_hold);
}

int main(int argc, char **argv)
{
    static lg g;
    if (argc < 2)
        return usage();
    if (!strcmp(argv[1], "latency"))
        g.mode = M_LATENCY;
    else if (!strcmp(argv[1], "stream"))
        g.mode = M_STREAM;
    else if (!strcmp(argv[1], "hold"))
        g.mode = M_HOLD;
    else
        return usage();
    const char *url = NULL, *body = NULL;
    char *file_body = NULL;
    size_t blen = 0;
    char *hdrs[32];
    int nh = 0;
    g.conns = 1;
    g.duration = 5;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--quiet-hold")) {
            g.quiet_hold = true;
            continue;
        }
        if (!strcmp(a, "--serial")) {
            g.serial = true;
            continue;
        }
        if (i + 1 >= argc)
            return usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--url"))
            url = v;
        else if (!strcmp(a, "--header") && nh < 32)
            hdrs[nh++] = argv[i];
        else if (!strcmp(a, "--body"))
            body = v, blen = strlen(v);
        else if (!strcmp(a, "--body-file")) {
            if (!(file_body = read_file(v, &blen)))
                return fprintf(stderr, "bench_loadgen: cannot read %s\n", v), 2;
            body = file_body;
        } else if (!strcmp(a, "--conns"))
            g.conns = atoi(v);
        else if (!strcmp(a, "--rate"))
            g.rate = atof(v);
        else if (!strcmp(a, "--duration"))
            g.duration = atof(v);
        else if (!strcmp(a, "--requests"))
            g.max_requests = atol(v);
        else if (!strcmp(a, "--warmup"))
            g.warmup = atof(v);
        else
            return usage();
    }
    if (!url || g.conns < 1 || g.conns > 100000 || g.duration <= 0 || g.rate < 0 ||
        build_request(&g, url, hdrs, nh, body, blen) < 0)
        return usage();
    free(file_body);
    signal(SIGPIPE, SIG_IGN);
    raise_nofile();
    struct event_config *cfg = event_config_new();
    if (!cfg)
        return 1;
    event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
    g.base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    if (!g.base)
        return 1;
    g.c = calloc((size_t)g.conns, sizeof *g.c);
    if (!g.c)
        return 1;
    g.t0 = now_ns();
    g.t_warm = g.t0 + (uint64_t)(g.warmup * 1e9);
    g.t_end = g.mode == M_HOLD ? UINT64_MAX : g.t0 + (uint64_t)(g.duration * 1e9);
    for (int i = 0; i < g.conns; i++) {
        g.c[i].g = &g;
        g.c[i].idx = i;
        g.c[i].timer = evtimer_new(g.base, on_timer, &g.c[i]);
        if (!(g.serial && g.mode == M_HOLD && i > 0))
            conn_start(&g.c[i]);
    }
    g.stop_ev = evtimer_new(g.base, on_stop, &g);
    double d = g.duration;
    struct timeval tv = { (time_t)d, (suseconds_t)((d - (double)(time_t)d) * 1e6) };
    evtimer_add(g.stop_ev, &tv);
    event_base_dispatch(g.base);
    uint64_t t_stop = now_ns();
    uint64_t from = g.t_warm, to = g.t_end < t_stop ? g.t_end : t_stop;
    report(&g, to > from ? (double)(to - from) / 1e9 : 0);
    for (int i = 0; i < g.conns; i++) {
        if (g.c[i].bev)
            bufferevent_free(g.c[i].bev);
        event_free(g.c[i].timer);
    }
    event_free(g.stop_ev);
    event_base_free(g.base);
    free(g.c);
    free(g.req);
    free(g.lat.v);
    free(g.ttfb.v);
    return 0;
}
