/* test_remote.c - the remote's HTTP server on loopback, with this test as
 * the control thread: the key (401, constant-time compare, rate limiting per
 * address), the page's headers, the API's answers and queued commands, caps
 * (body, headers, connections per address), and live updates. Hostile
 * traffic comes from 127.0.0.2 so 127.0.0.1 stays in good standing. */
#define _GNU_SOURCE   /* strcasestr */
#include "rlx_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "remote/remote.h"

#define KEY "0123456789abcdef0123456789abcdef"

typedef struct {
    rlx_remote *r;
    int port;
    unsigned held;   /* connections a test keeps open on purpose */
} fixture;

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static rlx_remote_status playing(void)
{
    rlx_remote_status st = {
        .state = RLX_REMOTE_PLAYING, .position_ms = 1000, .length_ms = 600000, .volume_db = -6,
        .volume_min_db = -40, .volume_max_db = 0, .background_min_db = -20, .background_max_db = 10,
        .length_min_ms = 300000, .length_max_ms = 1800000, .length_live = true, .lines = true,
    };
    snprintf(st.session, sizeof st.session, "week-01");
    snprintf(st.title, sizeof st.title, "Deep <relaxation>");
    return st;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    rlx_remote_config cfg = rlx_remote_config_init();
    cfg.listen = "127.0.0.1:0";
    cfg.key = KEY;
    cfg.bad_key_burst = 3;
    cfg.bad_key_refill_ms = 600000;  /* no refill during the test */
    cfg.per_ip_limit = 4;
    char why[256] = "";
    rlx_err e = rlx_remote_open(&cfg, &f->r, why, sizeof why);
    if (e != RLX_OK) {
        print_error("open: %s\n", why);
        return -1;
    }
    f->port = rlx_remote_port(f->r);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rlx_remote_close(f->r);
    free(f);
    return 0;
}

static int connect_from(const char *src, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &a.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    struct sockaddr_in d = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &d.sin_addr);
    if (connect(fd, (struct sockaddr *)&d, sizeof d) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void send_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* Sends a raw request from src; the whole answer (until the server closes,
 * bounded by the 5 s receive timeout) goes into resp. Returns the status
 * code, 0 when the server closed without one. */
static int raw(const char *src, int port, const char *req, size_t reqlen, char *resp, size_t cap)
{
    int fd = connect_from(src, port);
    assert_true(fd >= 0);
    send_all(fd, req, reqlen);
    size_t got = 0;
    for (;;) {
        ssize_t n = recv(fd, resp + got, cap - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == cap - 1)
            break;
    }
    resp[got] = '\0';
    close(fd);
    int status = 0;
    sscanf(resp, "HTTP/1.%*d %d", &status);
    return status;
}

/* Waits (bounded, 5 s) until the server has let go of the connections the
 * test already closed: the server closes each one on its own thread, and
 * on a loaded machine four closed but not yet released ones count against
 * the per-address limit, so the next request would be refused. */
static void settle(const fixture *f)
{
    for (int i = 0; i < 5000; i++) {
        rlx_remote_stats st;
        rlx_remote_get_stats(f->r, &st);
        if (st.connections <= f->held)
            return;
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
}

/* A request with Connection: close. extra: more header lines ("X: y\r\n"). */
static int req(const fixture *f, const char *src, const char *method, const char *path, const char *extra,
               const char *body, char *resp, size_t cap)
{
    settle(f);
    char buf[8192];
    size_t bl = body ? strlen(body) : 0;
    int n = snprintf(buf, sizeof buf, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s", method, path,
                     extra ? extra : "");
    if (body)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "Content-Type: application/json\r\nContent-Length: %zu\r\n", bl);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "\r\n%s", body ? body : "");
    return raw(src, f->port, buf, (size_t)n, resp, cap);
}

static const char *body_of(const char *resp)
{
    const char *b = strstr(resp, "\r\n\r\n");
    return b ? b + 4 : "";
}

static void test_key_required(void **state)
{
    fixture *f = *state;
    char resp[65536];
    /* nothing but a 401 without the key, whatever is asked for */
    const char *paths[] = {"/", "/api/status", "/api/events", "/api/nope", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        assert_int_equal(req(f, "127.0.0.1", "GET", paths[i], NULL, NULL, resp, sizeof resp), 401);
        assert_string_equal(body_of(resp), "401 unauthorized\n");
        assert_null(strcasestr(resp, "Set-Cookie"));
        assert_null(strcasestr(resp, "Access-Control"));
    }
    assert_int_equal(req(f, "127.0.0.1", "POST", "/api/pause", NULL, "{}", resp, sizeof resp), 401);
    /* the key three ways */
    assert_int_equal(req(f, "127.0.0.1", "GET", "/api/status?key=" KEY, NULL, NULL, resp, sizeof resp), 200);
    assert_int_equal(req(f, "127.0.0.1", "GET", "/api/status", "Cookie: relax_key=" KEY "\r\n", NULL, resp, sizeof resp), 200);
    assert_int_equal(req(f, "127.0.0.1", "GET", "/api/status", "Authorization: Bearer " KEY "\r\n", NULL, resp, sizeof resp), 200);
    assert_non_null(strstr(body_of(resp), "\"state\":\"idle\""));
    /* a known path without the key, traversal with it: 404 */
    assert_int_equal(req(f, "127.0.0.1", "GET", "/../../etc/passwd?key=" KEY, NULL, NULL, resp, sizeof resp), 404);
    assert_int_equal(req(f, "127.0.0.1", "GET", "/api/../../etc/passwd?key=" KEY, NULL, NULL, resp, sizeof resp), 404);
}

static void test_page(void **state)
{
    fixture *f = *state;
    static char resp[262144];
    assert_int_equal(req(f, "127.0.0.1", "GET", "/?key=" KEY, NULL, NULL, resp, sizeof resp), 200);
    assert_non_null(strcasestr(resp, "Set-Cookie: relax_key=" KEY "; Path=/; HttpOnly; SameSite=Strict"));
    assert_non_null(strcasestr(resp, "Content-Security-Policy: default-src 'none'"));
    assert_non_null(strcasestr(resp, "Content-Type: text/html"));
    assert_non_null(strcasestr(resp, "Referrer-Policy: no-referrer"));
    assert_null(strcasestr(resp, "Access-Control"));
    assert_non_null(strstr(body_of(resp), "<title>Relax remote</title>"));
    assert_non_null(strstr(body_of(resp), "</html>"));
}

static void test_rate_limit(void **state)
{
    fixture *f = *state;
    char resp[8192];
    /* burst 3: three wrong keys get 401, then the address is refused
     * without its key being looked at, the right one included */
    for (int i = 0; i < 3; i++)
        assert_int_equal(req(f, "127.0.0.2", "GET", "/api/status?key=wrongwrongwrongwrongwrong", NULL, NULL, resp, sizeof resp), 401);
    assert_int_equal(req(f, "127.0.0.2", "GET", "/api/status?key=wrongwrongwrongwrongwrong", NULL, NULL, resp, sizeof resp), 429);
    assert_int_equal(req(f, "127.0.0.2", "GET", "/api/status?key=" KEY, NULL, NULL, resp, sizeof resp), 429);
    /* another address is not affected */
    assert_int_equal(req(f, "127.0.0.1", "GET", "/api/status?key=" KEY, NULL, NULL, resp, sizeof resp), 200);
    /* no key at all is not a guess */
    assert_int_equal(req(f, "127.0.0.3", "GET", "/api/status", NULL, NULL, resp, sizeof resp), 401);
    for (int i = 0; i < 5; i++)
        assert_int_equal(req(f, "127.0.0.3", "GET", "/", NULL, NULL, resp, sizeof resp), 401);
    assert_int_equal(req(f, "127.0.0.3", "GET", "/api/status?key=" KEY, NULL, NULL, resp, sizeof resp), 200);
    rlx_remote_stats s;
    rlx_remote_get_stats(f->r, &s);
    assert_int_equal(s.rate_limited, 2);
}

#define AUTH "Authorization: Bearer " KEY "\r\n"

static void test_commands(void **state)
{
    fixture *f = *state;
    char resp[8192];
    rlx_remote_cmd c;
    /* nothing plays yet */
    assert_int_equal(req(f, "127.0.0.1", "POST", "/api/pause", AUTH, NULL, resp, sizeof resp), 409);
    assert_non_null(strstr(body_of(resp), "{\"error\":\"nothing is playing (state idle)\"}\n"));
    assert_false(rlx_remote_take(f->r, &c));

    rlx_remote_status st = playing();
    rlx_remote_publish(f->r, &st);
    assert_int_equal(req(f, "127.0.0.1", "GET", "/api/status", AUTH, NULL, resp, sizeof resp), 200);
    assert_non_null(strstr(body_of(resp), "\"title\":\"Deep <relaxation>\""));
    assert_non_null(strcasestr(resp, "Content-Type: application/json"));

    assert_int_equal(req(f, "127.0.0.1", "POST", "/api/pause", AUTH, NULL, resp, sizeof resp), 200);
    assert_string_equal(body_of(resp), "{\"ok\":true}\n");
    assert_int_equal(req(f, "127.0.0.1", "POST", "/api/seek", AUTH, "{\"position_ms\": 90000}", resp, sizeof resp), 200);
    assert_int_equal(req(f, "127.0.0.1", "POST", "/api/volume", AUTH, "{\"delta_db\": -2}", resp, sizeof resp), 200);
    assert_true(rlx_remote_take(f->r, &c));
    assert_int_equal(c.op, RLX_REMOTE_CMD_PAUSE);
    assert_true(rlx_remote_take(f->r, &c));
    assert_int_equal(c.op, RLX_REMOTE_CMD_SEEK);
    assert_int_equal(c.ms, 90000);
    assert_true(rlx_remote_take(f->r, &c));
    assert_int_equal(c.op, RLX_REMOTE_CMD_VOLUME);
    assert_true(c.relative && c.db == -2);
    assert_false(rlx_remote_take(f->r, &c));

    /* refusals: one line of JSON, nothing queued */
    static const struct {
        const char *method, *path, *body;
        int status;
    } bad[] = {
        {"POST", "/api/seek", "{\"position_ms\": 600001}", 400},
        {"POST", "/api/seek", "{\"position_ms\": ", 400},
        {"POST", "/api/seek", "{\"position\": 5}", 400},
        {"POST", "/api/volume", "{\"db\": 3}", 400},
        {"POST", "/api/line", "{\"dir\": 1}", 400},
        {"GET", "/api/pause", NULL, 405},
        {"POST", "/api/status", NULL, 405},
        {"DELETE", "/", NULL, 405},
        {"POST", "/api/reboot", "{}", 404},
        {"GET", "/index.html", NULL, 404},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int got = req(f, "127.0.0.1", bad[i].method, bad[i].path, AUTH, bad[i].body, resp, sizeof resp);
        if (got != bad[i].status) {
            print_error("%s %s %s -> %d, want %d\n", bad[i].method, bad[i].path, bad[i].body ? bad[i].body : "",
                        got, bad[i].status);
            fail();
        }
        const char *b = body_of(resp);
        assert_true(!strncmp(b, "{\"error\":\"", 10));
        assert_ptr_equal(strchr(b, '\n'), b + strlen(b) - 1);
    }
    /* a body that does not say it is JSON */
    const char form[] = "POST /api/seek HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" AUTH
                        "Content-Type: text/plain\r\nContent-Length: 20\r\n\r\n{\"position_ms\": 100}";
    assert_int_equal(raw("127.0.0.1", f->port, form, sizeof form - 1, resp, sizeof resp), 415);
    assert_false(rlx_remote_take(f->r, &c));
    rlx_remote_stats s;
    rlx_remote_get_stats(f->r, &s);
    assert_int_equal(s.commands, 3);
}

static void test_queue_bounded(void **state)
{
    fixture *f = *state;
    char resp[8192];
    rlx_remote_status st = playing();
    rlx_remote_publish(f->r, &st);
    int ok = 0, busy = 0;
    for (int i = 0; i < 40; i++) {
        int s = req(f, "127.0.0.1", "POST", "/api/line", AUTH, "{\"dir\":\"next\"}", resp, sizeof resp);
        ok += s == 200;
        busy += s == 503;
    }
    assert_int_equal(ok, 16);
    assert_int_equal(busy, 24);
    rlx_remote_cmd c;
    int n = 0;
    while (rlx_remote_take(f->r, &c))
        n++;
    assert_int_equal(n, 16);
}

static void test_caps(void **state)
{
    fixture *f = *state;
    static char resp[65536];
    /* an oversized body, said up front */
    static char big[1 << 16];
    int n = snprintf(big, sizeof big, "POST /api/seek HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" AUTH
                     "Content-Type: application/json\r\nContent-Length: 40000\r\n\r\n");
    memset(big + n, ' ', 40000);
    assert_int_equal(raw("127.0.0.2", f->port, big, (size_t)n + 40000, resp, sizeof resp), 413);
    /* ... and in chunks that never say how long */
    n = snprintf(big, sizeof big, "POST /api/seek HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" AUTH
                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 10; i++)
        n += snprintf(big + n, sizeof big - (size_t)n, "200\r\n%0512d\r\n", 0);
    n += snprintf(big + n, sizeof big - (size_t)n, "0\r\n\r\n");
    assert_int_equal(raw("127.0.0.2", f->port, big, (size_t)n, resp, sizeof resp), 413);
    /* headers beyond the memory cap: refused by the library with a 4xx */
    n = snprintf(big, sizeof big, "GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" AUTH "X-Junk: ");
    memset(big + n, 'a', 40000);
    n += 40000;
    n += snprintf(big + n, sizeof big - (size_t)n, "\r\n\r\n");
    int s = raw("127.0.0.2", f->port, big, (size_t)n, resp, sizeof resp);
    assert_true(s == 431 || s == 413);
    /* not HTTP at all */
    s = raw("127.0.0.2", f->port, "\x16\x03\x01garbage\r\n\r\n", 15, resp, sizeof resp);
    assert_true(s == 0 || (s >= 400 && s < 500));
    /* the server still answers */
    assert_int_equal(req(f, "127.0.0.1", "GET", "/api/status", AUTH, NULL, resp, sizeof resp), 200);
}

static void test_connections_per_address(void **state)
{
    fixture *f = *state;
    char resp[8192];
    /* four idle connections (slow headers) from one address use up its share */
    int fds[4];
    for (int i = 0; i < 4; i++) {
        fds[i] = connect_from("127.0.0.2", f->port);
        assert_true(fds[i] >= 0);
        send_all(fds[i], "GET /api/status HTTP/1.1\r\nHo", 29);
    }
    f->held = 4;
    /* the fifth from that address is closed without an answer (the
     * listening thread may take a moment to see the first four) */
    int refused = 0;
    for (int attempt = 0; attempt < 50 && !refused; attempt++) {
        int s = req(f, "127.0.0.2", "GET", "/api/status", AUTH, NULL, resp, sizeof resp);
        refused = s == 0;
        assert_true(s == 0 || s == 200);
    }
    assert_true(refused);
    /* another address is served meanwhile */
    assert_int_equal(req(f, "127.0.0.1", "GET", "/api/status", AUTH, NULL, resp, sizeof resp), 200);
    for (int i = 0; i < 4; i++)
        close(fds[i]);
}

/* Reads from fd until an SSE event is complete; returns its data line. */
static bool next_event(int fd, char *buf, size_t cap, size_t *have, char *data, size_t dcap)
{
    for (;;) {
        buf[*have] = '\0';
        char *end = strstr(buf, "\n\n");
        if (end) {
            char *d = strstr(buf, "data: ");
            bool found = d && d < end;
            if (found) {
                char *nl = strchr(d, '\n');
                size_t n = (size_t)(nl - d - 6);
                if (n >= dcap)
                    n = dcap - 1;
                memcpy(data, d + 6, n);
                data[n] = '\0';
            }
            size_t used = (size_t)(end + 2 - buf);
            memmove(buf, end + 2, *have - used);
            *have -= used;
            if (found)
                return true;
            continue;   /* a comment (keepalive) */
        }
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0)
            return false;
        ssize_t n = recv(fd, buf + *have, cap - 1 - *have, 0);
        if (n <= 0)
            return false;
        *have += (size_t)n;
    }
}

static void test_events(void **state)
{
    fixture *f = *state;
    rlx_remote_status st = playing();
    rlx_remote_publish(f->r, &st);
    int fd = connect_from("127.0.0.1", f->port);
    assert_true(fd >= 0);
    const char get[] = "GET /api/events HTTP/1.1\r\nHost: x\r\n" AUTH "\r\n";
    send_all(fd, get, sizeof get - 1);
    char buf[16384], data[4096];
    size_t have = 0;
    assert_true(next_event(fd, buf, sizeof buf, &have, data, sizeof data));
    assert_non_null(strstr(data, "\"state\":\"playing\""));
    assert_null(strstr(buf, "Access-Control"));

    /* a change reaches the client at once (by design well within 250 ms;
     * the bound here is loose for a loaded machine) */
    int64_t t0 = now_ms();
    st.state = RLX_REMOTE_PAUSED;
    rlx_remote_publish(f->r, &st);
    assert_true(next_event(fd, buf, sizeof buf, &have, data, sizeof data));
    int64_t dt = now_ms() - t0;
    print_message("pause reached the event stream in %lld ms\n", (long long)dt);
    assert_non_null(strstr(data, "\"state\":\"paused\""));
    assert_true(dt < 1000);

    /* position-only changes are thinned out, not lost */
    for (int i = 0; i < 20; i++) {
        st.position_ms += 10;
        rlx_remote_publish(f->r, &st);
    }
    assert_true(next_event(fd, buf, sizeof buf, &have, data, sizeof data));
    char want[64];
    do {
        snprintf(want, sizeof want, "\"position_ms\":%lld", (long long)st.position_ms);
        if (strstr(data, want))
            break;
    } while (next_event(fd, buf, sizeof buf, &have, data, sizeof data));
    assert_non_null(strstr(data, want));
    close(fd);
}

static void test_open_errors(void **state)
{
    (void)state;
    rlx_remote *r = NULL;
    char why[256];
    rlx_remote_config cfg = rlx_remote_config_init();
    cfg.listen = "127.0.0.1:99999";
    assert_int_equal(rlx_remote_open(&cfg, &r, why, sizeof why), RLX_ERR_USAGE);
    assert_null(r);
    assert_non_null(strstr(why, "--remote-listen wants ADDRESS[:PORT]"));
    cfg.listen = "::1:80";
    assert_int_equal(rlx_remote_open(&cfg, &r, why, sizeof why), RLX_ERR_USAGE);
    cfg.listen = "127.0.0.1:0";
    cfg.key = "too-short";
    assert_int_equal(rlx_remote_open(&cfg, &r, why, sizeof why), RLX_ERR_USAGE);
    assert_non_null(strstr(why, "remote key must be"));
    cfg.key = NULL;
    cfg.listen = "192.0.2.1:0";   /* TEST-NET: not an address of this machine */
    assert_int_equal(rlx_remote_open(&cfg, &r, why, sizeof why), RLX_ERR_IO);
    assert_non_null(strstr(why, "192.0.2.1"));

    /* a generated key: 128 bits as 32 hex digits, new each time */
    cfg.listen = "127.0.0.1:0";
    rlx_remote *a, *b;
    assert_int_equal(rlx_remote_open(&cfg, &a, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_remote_open(&cfg, &b, why, sizeof why), RLX_OK);
    assert_int_equal(strlen(rlx_remote_key(a)), 32);
    assert_int_not_equal(strcmp(rlx_remote_key(a), rlx_remote_key(b)), 0);
    assert_int_not_equal(rlx_remote_port(a), rlx_remote_port(b));
    /* the port in use: a clear error naming it */
    char spec[64];
    snprintf(spec, sizeof spec, "127.0.0.1:%d", rlx_remote_port(a));
    cfg.listen = spec;
    rlx_remote *c = NULL;
    assert_int_equal(rlx_remote_open(&cfg, &c, why, sizeof why), RLX_ERR_IO);
    assert_non_null(strstr(why, "in use"));
    char url[256];
    rlx_remote_url(a, url, sizeof url);
    char want[256];
    snprintf(want, sizeof want, "http://127.0.0.1:%d/?key=%s", rlx_remote_port(a), rlx_remote_key(a));
    assert_string_equal(url, want);
    rlx_remote_close(a);
    rlx_remote_close(b);
    rlx_remote_close(NULL);
}

static int wakes;
static void count_wake(void *user)
{
    (void)user;
    __atomic_add_fetch(&wakes, 1, __ATOMIC_SEQ_CST);
}

/* `relax serve`: the lobby's endpoints, a start queued once, the room and
 * the playing profile in the status; without serve they do not exist. */
static void test_serve(void **state)
{
    fixture *f = *state;
    char resp[8192];
    /* not serving: no such endpoints */
    assert_int_equal(req(f, "127.0.0.1", "GET", "/api/profiles", AUTH, NULL, resp, sizeof resp), 404);
    assert_int_equal(req(f, "127.0.0.1", "POST", "/api/start", AUTH, "{\"profile\":\"anna\"}", resp, sizeof resp), 404);

    rlx_remote_config cfg = rlx_remote_config_init();
    cfg.listen = "127.0.0.1:0";
    cfg.key = KEY;
    cfg.serve = true;
    cfg.room = "Room <b>1</b>";
    cfg.wake = count_wake;
    char why[256];
    rlx_remote *r;
    assert_int_equal(rlx_remote_open(&cfg, &r, why, sizeof why), RLX_OK);
    fixture g = {.r = r, .port = rlx_remote_port(r)};

    /* profiles never given: the server asks for them and waits a little */
    wakes = 0;
    int64_t t0 = now_ms();
    assert_int_equal(req(&g, "127.0.0.1", "GET", "/api/profiles", AUTH, NULL, resp, sizeof resp), 200);
    assert_true(now_ms() - t0 >= 900);
    assert_string_equal(body_of(resp), "{\"room\":\"Room <b>1<\\/b>\",\"profiles\":[]}\n");
    assert_true(__atomic_load_n(&wakes, __ATOMIC_SEQ_CST) >= 1);
    assert_true(rlx_remote_profiles_wanted(r));
    assert_false(rlx_remote_profiles_wanted(r));   /* once */

    rlx_remote_profile p = {.weeks = 10, .done = 1, .week = 2, .length_ms = 600000,
                            .length_min_ms = 300000, .length_max_ms = 1200000};
    snprintf(p.name, sizeof p.name, "anna");
    snprintf(p.title, sizeof p.title, "Week 2");
    rlx_remote_set_profiles(r, &p, 1);
    t0 = now_ms();
    assert_int_equal(req(&g, "127.0.0.1", "GET", "/api/profiles", AUTH, NULL, resp, sizeof resp), 200);
    assert_true(now_ms() - t0 < 900);   /* fresh: answered at once */
    assert_non_null(strstr(body_of(resp), "\"name\":\"anna\""));
    assert_int_equal(req(&g, "127.0.0.1", "GET", "/api/profiles", NULL, NULL, resp, sizeof resp), 401);
    assert_int_equal(req(&g, "127.0.0.1", "POST", "/api/profiles", AUTH, NULL, resp, sizeof resp), 405);
    assert_int_equal(req(&g, "127.0.0.1", "GET", "/api/start", AUTH, NULL, resp, sizeof resp), 405);

    /* the status says serve and the room, escaped as JSON */
    assert_int_equal(req(&g, "127.0.0.1", "GET", "/api/status", AUTH, NULL, resp, sizeof resp), 200);
    assert_non_null(strstr(body_of(resp), "\"room\":\"Room <b>1<\\/b>\",\"serve\":true"));
    assert_non_null(strstr(body_of(resp), "\"state\":\"idle\""));

    /* bad starts queue nothing */
    rlx_remote_cmd c;
    assert_int_equal(req(&g, "127.0.0.1", "POST", "/api/start", AUTH, "{\"profile\":\"bob\"}", resp, sizeof resp), 400);
    assert_int_equal(req(&g, "127.0.0.1", "POST", "/api/start", AUTH, "{\"profile\":\"anna\",\"length_ms\":1}", resp,
                         sizeof resp), 400);
    assert_false(rlx_remote_take(r, &c));

    /* a start: queued, shown as starting at once; a second one is refused */
    assert_int_equal(req(&g, "127.0.0.1", "POST", "/api/start", AUTH, "{\"profile\":\"anna\",\"length_ms\":900000}",
                         resp, sizeof resp), 200);
    assert_int_equal(req(&g, "127.0.0.1", "POST", "/api/start", AUTH, "{\"profile\":\"anna\"}", resp, sizeof resp), 409);
    assert_non_null(strstr(body_of(resp), "already playing (state starting)"));
    assert_int_equal(req(&g, "127.0.0.1", "GET", "/api/status", AUTH, NULL, resp, sizeof resp), 200);
    assert_non_null(strstr(body_of(resp), "\"state\":\"starting\""));
    assert_non_null(strstr(body_of(resp), "\"profile\":\"anna\""));
    /* an idle status published before the start is taken does not hide it */
    rlx_remote_status idle = {.state = RLX_REMOTE_IDLE};
    rlx_remote_publish(r, &idle);
    assert_int_equal(req(&g, "127.0.0.1", "POST", "/api/start", AUTH, "{\"profile\":\"anna\"}", resp, sizeof resp), 409);
    assert_true(rlx_remote_take(r, &c));
    assert_int_equal(c.op, RLX_REMOTE_CMD_START);
    assert_string_equal(c.profile, "anna");
    assert_int_equal(c.ms, 900000);
    assert_false(rlx_remote_take(r, &c));

    /* playing: the profile set by the control thread goes into the status */
    rlx_remote_set_profile(r, "anna");
    rlx_remote_status st = playing();
    rlx_remote_publish(r, &st);
    assert_int_equal(req(&g, "127.0.0.1", "POST", "/api/start", AUTH, "{\"profile\":\"anna\"}", resp, sizeof resp), 409);
    assert_int_equal(req(&g, "127.0.0.1", "GET", "/api/status", AUTH, NULL, resp, sizeof resp), 200);
    assert_non_null(strstr(body_of(resp), "\"profile\":\"anna\""));
    /* over: idle again, and a start is taken again */
    rlx_remote_set_profile(r, NULL);
    rlx_remote_publish(r, &idle);
    assert_int_equal(req(&g, "127.0.0.1", "POST", "/api/start", AUTH, "{\"profile\":\"anna\"}", resp, sizeof resp), 200);
    assert_true(rlx_remote_take(r, &c));
    assert_int_equal(c.ms, 600000);
    rlx_remote_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_required, setup, teardown),
        cmocka_unit_test_setup_teardown(test_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connections_per_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events, setup, teardown),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test_setup_teardown(test_serve, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
