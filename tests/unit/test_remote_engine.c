/* test_remote_engine.c - the remote in front of a real engine on the null
 * sink: HTTP requests on loopback become engine commands on this (the
 * control) thread, and the engine's state comes back in /api/status.
 * Positions are checked against the audio clock, never the wall clock. */
#include "rlx_test.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/engine.h"
#include "remote/remote_engine.h"
#include "sink/sink_null.h"

#define RATE 48000
#define SEC(s) ((int64_t)((s) * RATE))
#define KEY "Abcdefghijklmnopqrstuv-_0123456789"

typedef struct {
    char *dir, *cache;
    rlx_session *s;
    rlx_engine *e;
    rlx_remote *r;
    int port;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = rlx_test_tmpdir();
    f->cache = rlx_test_tmpdir();
    f->s = rlx_test_three_lines(f->dir, "remote-t", "A <title> & more");

    rlx_engine_config cfg = rlx_engine_config_init();
    cfg.sink = &rlx_sink_null_ops;
    cfg.realtime = true;   /* at the audio's pace once resumed, like a device */
    cfg.rate = RATE;
    cfg.cache_dir = f->cache;
    char why[256];
    assert_int_equal(rlx_engine_open(&cfg, &f->e, why, sizeof why), RLX_OK);

    rlx_remote_config rc = rlx_remote_config_init();
    rc.listen = "127.0.0.1:0";
    rc.key = KEY;
    assert_int_equal(rlx_remote_open(&rc, &f->r, why, sizeof why), RLX_OK);
    f->port = rlx_remote_port(f->r);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rlx_remote_close(f->r);
    rlx_engine_close(f->e);
    rlx_session_free(f->s);
    rlx_test_rmtree(f->dir);
    rlx_test_rmtree(f->cache);
    free(f->dir);
    free(f->cache);
    free(f);
    return 0;
}

/* One request (Connection: close); returns the status, the body in *body
 * (malloc'ed). The server only queues: it never waits for this thread. */
static int http(const fixture *f, const char *method, const char *path, const char *json, char **body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char req[2048];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     "Authorization: Bearer " KEY "\r\n", method, path);
    if (json)
        n += snprintf(req + n, sizeof req - (size_t)n, "Content-Type: application/json\r\nContent-Length: %zu\r\n",
                      strlen(json));
    n += snprintf(req + n, sizeof req - (size_t)n, "\r\n%s", json ? json : "");
    assert_int_equal(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);
    static char resp[65536];
    size_t got = 0;
    ssize_t k;
    while (got < sizeof resp - 1 && (k = recv(fd, resp + got, sizeof resp - 1 - got, 0)) > 0)
        got += (size_t)k;
    resp[got] = '\0';
    close(fd);
    int status = 0;
    sscanf(resp, "HTTP/1.%*d %d", &status);
    const char *b = strstr(resp, "\r\n\r\n");
    if (body)
        *body = strdup(b ? b + 4 : "");
    return status;
}

static int post(const fixture *f, const char *path, const char *json)
{
    char *b = NULL;
    int s = http(f, "POST", path, json, &b);
    free(b);
    return s;
}

static json_t *api_status(const fixture *f)
{
    char *b = NULL;
    assert_int_equal(http(f, "GET", "/api/status", NULL, &b), 200);
    json_error_t e;
    json_t *o = json_loads(b, 0, &e);
    assert_non_null(o);
    free(b);
    return o;
}

/* The CLI's control loop in small: poll, apply the remote's commands,
 * publish; until pred holds (bounded). Returns the last state. */
static rlx_engine_state turn_until(fixture *f, bool (*pred)(const rlx_engine_state *, int64_t), int64_t arg,
                                   bool *stop)
{
    rlx_engine_state st;
    for (int i = 0; i < 30000; i++) {
        bool running = rlx_engine_poll(f->e, 1, &st);
        if (running && rlx_remote_engine_apply(f->r, f->e, &st) && stop)
            *stop = true;
        rlx_engine_poll(f->e, 0, &st);
        rlx_remote_engine_publish(f->r, f->e, f->s, &st);
        if (pred(&st, arg) || !running)
            return st;
    }
    fail_msg("the engine never got there (at %lld, want %lld)", (long long)st.pos, (long long)arg);
    return st;
}

static bool at_pos(const rlx_engine_state *st, int64_t pos) { return st->pos == pos; }
static bool paused_is(const rlx_engine_state *st, int64_t v) { return st->paused == (v != 0); }
static bool volume_is(const rlx_engine_state *st, int64_t v) { return st->volume_db == (double)v; }
static bool background_is(const rlx_engine_state *st, int64_t v) { return st->background_db == (double)v; }
static bool length_is(const rlx_engine_state *st, int64_t ms) { return st->length_ms == ms; }
static bool length_next_is(const rlx_engine_state *st, int64_t ms) { return st->length_next_ms == ms; }
static bool ended(const rlx_engine_state *st, int64_t v)
{
    (void)v;
    return st->end != RLX_ENGINE_END_NONE;
}

static void api_drives_engine(void **state)
{
    fixture *f = *state;
    /* before anything is prepared: starting, with the title */
    rlx_remote_engine_publish(f->r, f->e, f->s, NULL);
    json_t *o = api_status(f);
    assert_string_equal(json_string_value(json_object_get(o, "state")), "starting");
    assert_string_equal(json_string_value(json_object_get(o, "title")), "A <title> & more");
    assert_string_equal(json_string_value(json_object_get(o, "session")), "remote-t");
    json_decref(o);
    assert_int_equal(post(f, "/api/pause", NULL), 200);   /* starting counts as playing */
    rlx_remote_cmd drop;
    while (rlx_remote_take(f->r, &drop))
        ;

    rlx_diags d = {0};
    assert_int_equal(rlx_engine_load(f->e, f->s, &d), RLX_OK);
    rlx_diags_free(&d);
    char why[256];
    rlx_engine_pause(f->e, true);   /* paused: the null sink would race to the end */
    assert_int_equal(rlx_engine_start(f->e, 0, -1, why, sizeof why), RLX_OK);
    rlx_engine_state st = turn_until(f, paused_is, 1, NULL);
    o = api_status(f);
    assert_string_equal(json_string_value(json_object_get(o, "state")), "paused");
    assert_int_equal(json_integer_value(json_object_get(o, "length_ms")), 11500);
    assert_int_equal(json_integer_value(json_object_get(o, "length_min_ms")), 11500);
    assert_int_equal(json_integer_value(json_object_get(o, "length_max_ms")), 40500);
    assert_true(json_is_true(json_object_get(o, "length_live")));
    assert_true(json_is_true(json_object_get(o, "lines")));
    json_decref(o);

    /* seek, next line, previous line */
    assert_int_equal(post(f, "/api/seek", "{\"position_ms\": 5250}"), 200);
    st = turn_until(f, at_pos, SEC(5.25), NULL);
    assert_string_equal(st.caption, "Second");
    o = api_status(f);
    assert_int_equal(json_integer_value(json_object_get(o, "position_ms")), 5250);
    assert_string_equal(json_string_value(json_object_get(o, "caption")), "Second");
    json_decref(o);
    assert_int_equal(post(f, "/api/line", "{\"dir\": \"next\"}"), 200);
    st = turn_until(f, at_pos, SEC(9), NULL);
    assert_string_equal(st.caption, "Third");
    assert_int_equal(post(f, "/api/line", "{\"dir\": \"prev\"}"), 200);
    st = turn_until(f, at_pos, SEC(5), NULL);   /* within 2 s of Third's start: Second */
    /* relative seeks sent quickly add up */
    assert_int_equal(post(f, "/api/seek", "{\"delta_ms\": 2000}"), 200);
    assert_int_equal(post(f, "/api/seek", "{\"delta_ms\": 1000}"), 200);
    st = turn_until(f, at_pos, SEC(8), NULL);

    /* volume and background: absolute, relative (clamped) */
    assert_int_equal(post(f, "/api/volume", "{\"db\": -12}"), 200);
    st = turn_until(f, volume_is, -12, NULL);
    assert_int_equal(post(f, "/api/volume", "{\"delta_db\": -3}"), 200);
    assert_int_equal(post(f, "/api/volume", "{\"delta_db\": -3}"), 200);
    st = turn_until(f, volume_is, -18, NULL);
    assert_int_equal(post(f, "/api/volume", "{\"delta_db\": -50}"), 200);
    st = turn_until(f, volume_is, -40, NULL);
    assert_int_equal(post(f, "/api/background", "{\"db\": 5}"), 200);
    st = turn_until(f, background_is, 5, NULL);
    o = api_status(f);
    assert_true(json_real_value(json_object_get(o, "volume_db")) == -40.0);
    assert_true(json_real_value(json_object_get(o, "background_db")) == 5.0);
    json_decref(o);

    /* refused: nothing reaches the engine */
    assert_int_equal(post(f, "/api/seek", "{\"position_ms\": 11501}"), 400);
    assert_int_equal(post(f, "/api/volume", "{\"db\": 1}"), 400);
    assert_int_equal(post(f, "/api/length", "{\"length_ms\": 40501}"), 400);
    assert_int_equal(post(f, "/api/seek", "{\"position_ms\": \"1\"}"), 400);
    assert_false(rlx_remote_take(f->r, &drop));

    /* the length, live, from inside the silence that stretches: +5 s (asked
     * while paused, it is heard from the resume on: what the sink holds
     * plays first), then clamped to the longest */
    assert_int_equal(post(f, "/api/seek", "{\"position_ms\": 10000}"), 200);
    st = turn_until(f, at_pos, SEC(10), NULL);
    assert_int_equal(post(f, "/api/length", "{\"delta_ms\": 5000}"), 200);
    st = turn_until(f, length_next_is, 16500, NULL);
    assert_int_equal(st.length_ms, 11500);
    assert_int_equal(st.pos, SEC(10));
    o = api_status(f);   /* the page sees the change on its way */
    assert_int_equal(json_integer_value(json_object_get(o, "length_next_ms")), 16500);
    assert_int_equal(json_integer_value(json_object_get(o, "length_ms")), 11500);
    json_decref(o);
    assert_int_equal(post(f, "/api/resume", "{}"), 200);
    st = turn_until(f, length_is, 16500, NULL);
    assert_true(st.pos >= SEC(10) && st.pos < SEC(12));   /* the same place in the silence, on */
    assert_int_equal(post(f, "/api/length", "{\"delta_ms\": 3600000}"), 200);
    st = turn_until(f, length_is, 40500, NULL);
    o = api_status(f);
    assert_int_equal(json_integer_value(json_object_get(o, "length_ms")), 40500);
    json_decref(o);

    /* playing, then stop: the CLI fades out when apply says so */
    st = turn_until(f, paused_is, 0, NULL);
    assert_int_equal(post(f, "/api/stop", NULL), 200);
    bool stop = false;
    st = turn_until(f, paused_is, 0, &stop);
    for (int i = 0; i < 1000 && !stop; i++)
        st = turn_until(f, paused_is, 0, &stop);
    assert_true(stop);
    rlx_engine_fade_stop(f->e, 50);
    st = turn_until(f, ended, 0, NULL);
    rlx_remote_engine_publish(f->r, f->e, f->s, &st);
    o = api_status(f);
    assert_string_equal(json_string_value(json_object_get(o, "state")), "ended");
    json_decref(o);
    assert_int_equal(post(f, "/api/pause", NULL), 409);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(api_drives_engine, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
