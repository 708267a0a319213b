/* test_engine.c - the engine on the null sink: pause, seek, next/previous
 * line, volume, background, fade-stop, a length change (also through a
 * capturing sink with a buffer: nothing buffered is lost, no click) and the
 * store's hooks, with positions checked against the audio clock (frames the sink
 * has consumed), never the wall clock. */
#include "rlx_test.h"

#include <math.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/render.h"
#include "engine/engine.h"
#include "sink/sink_null.h"

#define RATE 48000
#define SEC(s) ((int64_t)((s) * RATE))
#define MAX_EVENTS 4096

typedef struct {
    char *dir, *cache;
    rlx_session *s;
} fixture;

typedef struct {
    rlx_engine_event_kind kind;
    int64_t pos;
    bool paused;
    long line;
    char caption[32];
    rlx_engine_end end;
} event;

typedef struct {
    event ev[MAX_EVENTS];
    size_t n;
} recorder;

static void record(void *user, const rlx_engine_event *e)
{
    recorder *r = user;
    if (r->n == MAX_EVENTS)
        return;
    event *x = &r->ev[r->n++];
    x->kind = e->kind;
    x->pos = e->state->pos;
    x->paused = e->state->paused;
    x->line = e->state->line;
    snprintf(x->caption, sizeof x->caption, "%s", e->state->caption ? e->state->caption : "");
    x->end = e->state->end;
}

static size_t count(const recorder *r, rlx_engine_event_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->ev[i].kind == k;
    return n;
}

static const event *last(const recorder *r, rlx_engine_event_kind k)
{
    for (size_t i = r->n; i > 0; i--)
        if (r->ev[i - 1].kind == k)
            return &r->ev[i - 1];
    return NULL;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = rlx_test_tmpdir();
    f->cache = rlx_test_tmpdir();
    f->s = rlx_test_three_lines(f->dir, "t", "T");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rlx_session_free(f->s);
    rlx_test_rmtree(f->dir);
    rlx_test_rmtree(f->cache);
    free(f->dir);
    free(f->cache);
    free(f);
    return 0;
}

static rlx_engine *open_engine(fixture *f, bool realtime, recorder *rec)
{
    rlx_engine_config cfg = rlx_engine_config_init();
    cfg.sink = &rlx_sink_null_ops;
    cfg.realtime = realtime;
    cfg.rate = RATE;
    cfg.cache_dir = f->cache;
    cfg.tick_ms = 20;
    rlx_engine *e = NULL;
    char why[256];
    assert_int_equal(rlx_engine_open(&cfg, &e, why, sizeof why), RLX_OK);
    rlx_diags d = {0};
    rlx_err err = rlx_engine_load(e, f->s, &d);
    for (size_t i = 0; i < d.count; i++)
        fprintf(stderr, "%s\n", d.items[i].message);
    assert_int_equal(err, RLX_OK);
    rlx_diags_free(&d);
    if (rec)
        assert_int_equal(rlx_engine_listen(e, record, rec), RLX_OK);
    return e;
}

/* Polls until the engine's state satisfies pred (bounded: 30 s). */
static rlx_engine_state poll_until(rlx_engine *e, bool (*pred)(const rlx_engine_state *, int64_t),
                                   int64_t arg)
{
    rlx_engine_state st;
    for (int i = 0; i < 30000; i++) {
        bool running = rlx_engine_poll(e, 1, &st);
        if (pred(&st, arg) || !running)
            return st;
    }
    fail_msg("the engine never got there (at %lld, want %lld, end %d)", (long long)st.pos,
             (long long)arg, (int)st.end);
    return st;
}

static bool at_pos(const rlx_engine_state *st, int64_t pos) { return st->pos == pos; }
static bool has_ended(const rlx_engine_state *st, int64_t unused)
{
    (void)unused;
    return st->end != RLX_ENGINE_END_NONE;
}

/* Paused, the position stands still; seeks land exactly; n/p find lines;
 * resumed, everything after the last seek is heard exactly once. */
static void transport(void **state)
{
    fixture *f = *state;
    recorder *rec = calloc(1, sizeof *rec);
    rlx_engine *e = open_engine(f, false, rec);
    int64_t length = rlx_engine_length(e);
    assert_int_equal(length, SEC(11.5));  /* 9 s + 0.5 s line + 1 s silence + 1 s */
    char why[256];
    rlx_engine_pause(e, true);   /* start paused: nothing is heard yet */
    assert_int_equal(rlx_engine_start(e, 0, -1, why, sizeof why), RLX_OK);
    assert_int_equal(rec->n, 1);
    assert_int_equal(rec->ev[0].kind, RLX_ENGINE_STARTED);
    assert_int_equal(rec->ev[0].pos, 0);
    assert_true(rec->ev[0].paused);

    /* paused, nothing is consumed and the position stands still */
    rlx_engine_state st, st2;
    rlx_engine_poll(e, 30, &st);
    rlx_engine_poll(e, 30, &st2);
    assert_true(st2.paused);
    assert_int_equal(st.pos, 0);
    assert_int_equal(st2.pos, 0);
    assert_int_equal(st2.sink.played, 0);
    int64_t heard_before = 0;

    /* resume and pause again: what was heard meanwhile is where we are */
    rlx_engine_pause(e, false);
    rlx_engine_pause(e, true);
    assert_int_equal(last(rec, RLX_ENGINE_PAUSED)->paused, true);
    rlx_engine_poll(e, 30, &st);
    rlx_engine_poll(e, 30, &st2);
    assert_int_equal(st2.pos, st.pos);
    assert_int_equal(st2.sink.played, st.sink.played);
    assert_int_equal(st2.pos, st2.sink.played);  /* nothing skipped yet */
    heard_before = st2.sink.played;

    /* a seek while paused lands exactly, and nothing is consumed */
    rlx_engine_seek(e, SEC(2));
    assert_int_equal(last(rec, RLX_ENGINE_SEEKED)->pos, SEC(2));
    st = poll_until(e, at_pos, SEC(2));
    assert_int_equal(st.pos, SEC(2));
    assert_int_equal(st.sink.played, heard_before);
    assert_string_equal(st.caption, "First");

    /* next line: the start of "Second" */
    assert_true(rlx_engine_next_line(e));
    st = poll_until(e, at_pos, SEC(5));
    assert_string_equal(st.caption, "Second");
    assert_string_equal(last(rec, RLX_ENGINE_LINE)->caption, "Second");
    /* previous line right after it (within 2 s of its start): "First" */
    rlx_engine_prev_line(e);
    st = poll_until(e, at_pos, SEC(1));
    assert_string_equal(st.caption, "First");
    /* relative seeks in a row add up from the last target */
    rlx_engine_seek_by(e, 3000);
    rlx_engine_seek_by(e, -1000);
    st = poll_until(e, at_pos, SEC(3));
    assert_int_equal(st.pos, SEC(3));
    rlx_engine_seek_by(e, -60000);   /* clamped to the start */
    st = poll_until(e, at_pos, 0);
    rlx_engine_seek(e, SEC(1));
    st = poll_until(e, at_pos, SEC(1));
    assert_int_equal(st.sink.played, heard_before);
    assert_int_equal(count(rec, RLX_ENGINE_ENDED), 0);

    /* volume and background are clamped to their ranges */
    assert_true(rlx_engine_set_volume_db(e, -50) == RLX_ENGINE_VOLUME_MIN_DB);
    assert_true(rlx_engine_set_volume_db(e, 3) == 0.0);
    assert_true(rlx_engine_set_volume_db(e, -6) == -6.0);
    assert_true(rlx_engine_set_background_db(e, 99) == RLX_ENGINE_BACKGROUND_MAX_DB);
    assert_true(rlx_engine_set_background_db(e, -3) == -3.0);
    rlx_engine_poll(e, 0, &st);
    assert_true(st.volume_db == -6.0 && st.background_db == -3.0);

    /* resume: from 1 s to the end is heard, exactly once */
    rlx_engine_pause(e, false);
    assert_int_equal(last(rec, RLX_ENGINE_RESUMED)->paused, false);
    st = poll_until(e, has_ended, 0);
    assert_int_equal(st.end, RLX_ENGINE_END_DONE);
    assert_int_equal(st.pos, length);
    assert_int_equal(st.sink.played, heard_before + length - SEC(1));
    assert_false(rlx_engine_poll(e, 0, NULL));
    assert_int_equal(count(rec, RLX_ENGINE_ENDED), 1);
    assert_int_equal(rec->ev[rec->n - 1].kind, RLX_ENGINE_ENDED);
    assert_int_equal(rec->ev[rec->n - 1].end, RLX_ENGINE_END_DONE);
    /* the breath phase was reported as it changed (the tone breathes throughout) */
    assert_true(count(rec, RLX_ENGINE_BREATH) >= 1);
    /* every line was announced once it started; the last one was "Third" */
    assert_string_equal(last(rec, RLX_ENGINE_LINE)->caption, "Third");
    assert_int_equal(rlx_engine_finish(e, true), RLX_OK);
    rlx_engine_close(e);
    free(rec);
}

/* Fade-stop: the position reported is where the stop was asked. */
static void fade_stop(void **state)
{
    fixture *f = *state;
    recorder *rec = calloc(1, sizeof *rec);
    rlx_engine *e = open_engine(f, false, rec);
    char why[256];
    rlx_engine_pause(e, true);
    assert_int_equal(rlx_engine_start(e, SEC(4), -1, why, sizeof why), RLX_OK);
    assert_int_equal(rec->ev[0].pos, SEC(4));
    rlx_engine_seek(e, SEC(6));
    rlx_engine_state st = poll_until(e, at_pos, SEC(6));
    rlx_engine_fade_stop(e, 300);
    assert_int_equal(last(rec, RLX_ENGINE_STOPPING)->pos, SEC(6));
    st = poll_until(e, has_ended, 0);
    assert_int_equal(st.end, RLX_ENGINE_END_STOPPED);
    assert_int_equal(st.pos, SEC(6));
    assert_int_equal(count(rec, RLX_ENGINE_ENDED), 1);
    /* commands after the end do nothing */
    rlx_engine_seek(e, 0);
    rlx_engine_pause(e, false);
    assert_int_equal(count(rec, RLX_ENGINE_SEEKED), 1);
    rlx_engine_close(e);

    /* a fade while playing: it ends once the fade has been consumed */
    rec->n = 0;
    e = open_engine(f, false, rec);
    assert_int_equal(rlx_engine_start(e, 0, -1, why, sizeof why), RLX_OK);
    rlx_engine_fade_stop(e, 100);
    int64_t asked = last(rec, RLX_ENGINE_STOPPING)->pos;
    st = poll_until(e, has_ended, 0);
    assert_true(st.end == RLX_ENGINE_END_STOPPED || st.end == RLX_ENGINE_END_DONE);
    if (st.end == RLX_ENGINE_END_STOPPED)
        assert_int_equal(st.pos, asked);
    rlx_engine_close(e);
    free(rec);
}

/* The store's hooks, as a listener: start, positions, mix, stop. */
typedef struct {
    int starts, positions, mixes, stops;
    bool reached_end, mix_before_stop;
    int64_t stop_pos_ms, length_ms;
    double volume;
} hook_log;

static void h_start(void *u, const rlx_session *s, int64_t length_ms)
{
    hook_log *h = u;
    assert_non_null(s);
    h->starts++;
    h->length_ms = length_ms;
}
static void h_position(void *u, int64_t pos_ms, int64_t played_ms, bool paused)
{
    (void)pos_ms, (void)played_ms, (void)paused;
    ((hook_log *)u)->positions++;
}
static void h_stop(void *u, int64_t pos_ms, int64_t played_ms, bool reached_end)
{
    hook_log *h = u;
    (void)played_ms;
    h->stops++;
    h->stop_pos_ms = pos_ms;
    h->reached_end = reached_end;
}
static void h_mix(void *u, double volume_db, double background_db, const char *device)
{
    hook_log *h = u;
    (void)background_db;
    assert_null(device);   /* no device was named */
    h->mixes++;
    h->volume = volume_db;
    h->mix_before_stop = h->stops == 0;
}

static void hooks(void **state)
{
    fixture *f = *state;
    rlx_engine *e = open_engine(f, false, NULL);
    hook_log h = {0};
    rlx_play_hooks hk = {.user = &h, .on_start = h_start, .on_position = h_position,
                         .on_stop = h_stop, .on_mix = h_mix};
    assert_int_equal(rlx_engine_listen_hooks(e, &hk), RLX_OK);
    char why[256];
    assert_int_equal(rlx_engine_start(e, 0, -1, why, sizeof why), RLX_OK);
    rlx_engine_set_volume_db(e, -4);
    poll_until(e, has_ended, 0);
    assert_int_equal(h.starts, 1);
    assert_int_equal(h.length_ms, 11500);
    assert_true(h.positions >= 1);
    assert_int_equal(h.mixes, 1);
    assert_true(h.mix_before_stop);
    assert_true(h.volume == -4.0);
    assert_int_equal(h.stops, 1);
    assert_true(h.reached_end);
    assert_int_equal(h.stop_pos_ms, 11500);
    rlx_engine_close(e);
}

/* A longer session asked for while paused: it waits for the resume (what
 * the sink holds is heard first), then the line playing keeps its place and
 * the rest is laid out again and heard to the new end. */
static void length_change(void **state)
{
    fixture *f = *state;
    recorder *rec = calloc(1, sizeof *rec);
    rlx_engine *e = open_engine(f, false, rec);
    char why[256];
    rlx_engine_pause(e, true);
    assert_int_equal(rlx_engine_start(e, 0, -1, why, sizeof why), RLX_OK);
    rlx_engine_seek(e, SEC(9.25));          /* inside "Third" */
    rlx_engine_state st = poll_until(e, at_pos, SEC(9.25));
    int64_t heard = st.sink.played;
    rlx_diags d = {0};
    assert_int_equal(rlx_engine_set_length(e, 30000, &d), RLX_OK);
    assert_int_equal(rlx_engine_set_length(e, 10, &d), RLX_ERR_USAGE);  /* one at a time */
    /* paused: on its way, nothing heard of it yet */
    rlx_engine_poll(e, 20, &st);
    assert_int_equal(st.length_ms, 11500);
    assert_int_equal(st.length_next_ms, 30000);
    assert_int_equal(st.pos, SEC(9.25));
    assert_string_equal(st.caption, "Third");
    assert_int_equal(count(rec, RLX_ENGINE_LENGTH), 0);
    rlx_engine_pause(e, false);
    st = poll_until(e, has_ended, 0);
    assert_int_equal(count(rec, RLX_ENGINE_LENGTH), 1);
    assert_int_equal(rlx_engine_length(e), SEC(30));
    assert_int_equal(st.end, RLX_ENGINE_END_DONE);
    assert_int_equal(st.pos, SEC(30));
    assert_int_equal(st.length_next_ms, 0);
    /* nothing replayed, nothing skipped: 9.25 s to the new end, once */
    assert_int_equal(st.sink.played, heard + SEC(30) - SEC(9.25));
    /* too short for the session: refused, nothing changes */
    rlx_engine_close(e);
    e = open_engine(f, false, NULL);
    assert_int_equal(rlx_engine_set_length(e, 2000, &d), RLX_ERR_LENGTH);
    assert_int_equal(rlx_engine_length(e), SEC(11.5));
    rlx_diags_free(&d);
    rlx_engine_close(e);
    free(rec);
}

/* A length change while in the quiet after a line keeps the place: the
 * stretch is later, so nothing before it moves (not back to the line's
 * end): from 7 s to the new end is heard exactly once. */
static void length_change_in_a_gap(void **state)
{
    fixture *f = *state;
    rlx_engine *e = open_engine(f, false, NULL);
    char why[256];
    rlx_engine_pause(e, true);
    assert_int_equal(rlx_engine_start(e, 0, -1, why, sizeof why), RLX_OK);
    rlx_engine_seek(e, SEC(7));             /* after "Second" (5.0 to 5.5 s), before "Third" */
    rlx_engine_state st = poll_until(e, at_pos, SEC(7));
    int64_t heard = st.sink.played;
    rlx_diags d = {0};
    assert_int_equal(rlx_engine_set_length(e, 30000, &d), RLX_OK);
    rlx_engine_pause(e, false);
    st = poll_until(e, has_ended, 0);
    assert_int_equal(st.end, RLX_ENGINE_END_DONE);
    assert_int_equal(st.length_ms, 30000);
    assert_int_equal(st.sink.played, heard + SEC(30) - SEC(7));
    rlx_diags_free(&d);
    rlx_engine_close(e);
}

/* ---- a length change heard through a sink with a buffer -----------------
 * The capturing sink keeps every frame it is given in a FIFO of CAP_FRAMES
 * (a device's ring) and "plays" them only when the test says so (the audio
 * clock is the test's), or, in free mode, as soon as they come. Dropped
 * frames are never heard. */
#define CAP_FRAMES 24000              /* half a second buffered */
#define CAP_HEARD (SEC(40))

typedef struct {
    rlx_sink base;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    float *fifo;                      /* CAP_FRAMES stereo frames, a ring */
    size_t head, fill;
    float *heard;                     /* every frame heard, in order */
    int64_t nheard, written, dropped;
    unsigned intr, intr_seen;
    bool free_run, waiting;
    bool mark;                        /* record where the next write call starts */
    int64_t marked_at;                /* -1: none yet */
} cap_sink;

static cap_sink *g_cap;

static bool cap_wait(cap_sink *c)     /* bounded: a stuck engine fails the test */
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += 30;
    return pthread_cond_timedwait(&c->cv, &c->mu, &t) == 0;
}

static void cap_hear(cap_sink *c, size_t n)   /* mu held */
{
    for (size_t j = 0; j < n; j++) {
        size_t k = (c->head + j) % CAP_FRAMES;
        assert_true(c->nheard < CAP_HEARD);
        c->heard[2 * c->nheard] = c->fifo[2 * k];
        c->heard[2 * c->nheard + 1] = c->fifo[2 * k + 1];
        c->nheard++;
    }
    c->head = (c->head + n) % CAP_FRAMES;
    c->fill -= n;
}

static rlx_err cap_open(const rlx_sink_config *cfg, rlx_sink **out, char *why, size_t whylen)
{
    (void)cfg, (void)why, (void)whylen;
    cap_sink *c = calloc(1, sizeof *c);
    c->fifo = malloc(CAP_FRAMES * 2 * sizeof(float));
    c->heard = malloc((size_t)CAP_HEARD * 2 * sizeof(float));
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    c->marked_at = -1;
    extern const rlx_sink_ops cap_ops;
    c->base.ops = &cap_ops;
    g_cap = c;
    *out = &c->base;
    return RLX_OK;
}

static rlx_err cap_write(rlx_sink *s, const float *frames, size_t n)
{
    cap_sink *c = (cap_sink *)s;
    pthread_mutex_lock(&c->mu);
    if (c->mark && c->marked_at < 0)
        c->marked_at = c->written;
    while (n) {
        if (c->intr != c->intr_seen) {
            pthread_mutex_unlock(&c->mu);
            return RLX_ERR_INTERRUPTED;
        }
        size_t room = CAP_FRAMES - c->fill;
        if (room == 0) {
            c->waiting = true;
            pthread_cond_broadcast(&c->cv);
            cap_wait(c);
            c->waiting = false;
            continue;
        }
        size_t k = n < room ? n : room;
        for (size_t j = 0; j < k; j++) {
            size_t at = (c->head + c->fill + j) % CAP_FRAMES;
            c->fifo[2 * at] = frames[2 * j];
            c->fifo[2 * at + 1] = frames[2 * j + 1];
        }
        c->fill += k;
        c->written += (int64_t)k;
        frames += 2 * k;
        n -= k;
        if (c->free_run)
            cap_hear(c, c->fill);
        pthread_cond_broadcast(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
    return RLX_OK;
}

static rlx_err cap_drop(rlx_sink *s)
{
    cap_sink *c = (cap_sink *)s;
    pthread_mutex_lock(&c->mu);
    c->intr_seen = c->intr;
    c->dropped += (int64_t)c->fill;
    c->head = (c->head + c->fill) % CAP_FRAMES;
    c->fill = 0;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return RLX_OK;
}

static rlx_err cap_drain(rlx_sink *s)
{
    cap_sink *c = (cap_sink *)s;
    pthread_mutex_lock(&c->mu);
    rlx_err err = RLX_OK;
    while (c->fill) {
        if (c->free_run) {
            cap_hear(c, c->fill);
            break;
        }
        if (c->intr != c->intr_seen) {
            err = RLX_ERR_INTERRUPTED;
            break;
        }
        cap_wait(c);
    }
    pthread_mutex_unlock(&c->mu);
    return err;
}

static int64_t cap_played(rlx_sink *s)
{
    cap_sink *c = (cap_sink *)s;
    pthread_mutex_lock(&c->mu);
    int64_t n = c->nheard;
    pthread_mutex_unlock(&c->mu);
    return n;
}

static int64_t cap_latency(rlx_sink *s)
{
    cap_sink *c = (cap_sink *)s;
    pthread_mutex_lock(&c->mu);
    int64_t n = (int64_t)c->fill;
    pthread_mutex_unlock(&c->mu);
    return n;
}

static void cap_interrupt(rlx_sink *s)
{
    cap_sink *c = (cap_sink *)s;
    pthread_mutex_lock(&c->mu);
    c->intr++;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void cap_status(rlx_sink *s, rlx_sink_status *st)
{
    memset(st, 0, sizeof *st);
    st->rate = RATE;
    st->played = cap_played(s);
}

static rlx_err cap_close(rlx_sink *s, bool commit)
{
    (void)commit;
    cap_sink *c = (cap_sink *)s;
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c->fifo);
    free(c->heard);
    free(c);
    g_cap = NULL;
    return RLX_OK;
}

const rlx_sink_ops cap_ops = {
    .name = "capture", .open = cap_open, .write = cap_write, .drop = cap_drop,
    .drain = cap_drain, .latency = cap_latency, .played = cap_played,
    .interrupt = cap_interrupt, .status = cap_status, .close = cap_close,
};

/* The test's audio clock: hears the next n frames (waiting for the pump). */
static void cap_play(cap_sink *c, int64_t n)
{
    pthread_mutex_lock(&c->mu);
    while (n > 0) {
        if (c->fill == 0) {
            assert_true(cap_wait(c));
            continue;
        }
        size_t k = (int64_t)c->fill < n ? c->fill : (size_t)n;
        cap_hear(c, k);
        n -= (int64_t)k;
        pthread_cond_broadcast(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
}

/* Waits until the pump is blocked on a full buffer. */
static void cap_wait_full(cap_sink *c)
{
    pthread_mutex_lock(&c->mu);
    while (!(c->waiting && c->fill == CAP_FRAMES))
        assert_true(cap_wait(c));
    pthread_mutex_unlock(&c->mu);
}

static void cap_free_run(cap_sink *c)
{
    pthread_mutex_lock(&c->mu);
    c->free_run = true;
    cap_hear(c, c->fill);
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

/* A low drone for the bed (no noise: its steps stay small, so a cut would
 * stand out); ten seconds, laid as segments from pseudo-random places. */
static void write_bed(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/bed.wav", dir);
    SF_INFO info = {.samplerate = RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    assert_non_null(sf);
    static float buf[RATE * 10];
    for (int i = 0; i < RATE * 10; i++) {
        double t = (double)i / RATE;
        buf[i] = (float)(0.25 * sin(2 * M_PI * 110 * t) * (0.6 + 0.4 * sin(2 * M_PI * 0.3 * t)) +
                         0.2 * sin(2 * M_PI * 165 * t + 1.0) + 0.15 * sin(2 * M_PI * 247 * t + 2.0));
    }
    assert_int_equal(sf_writef_float(sf, buf, RATE * 10), RATE * 10);
    sf_close(sf);
}

static const char xfade_text[] =
    "[session]\nid = x\ntitle = \"X\"\n"
    "[breath]\nlevel = -18 dB\n"
    "[ambient]\nfile = bed.wav\nlevel = -12 dB\n"
    "[timeline]\n"
    "0:00 fade-in 200 ms\n"
    "0:01 play a.wav \"First\"\n"
    "+0 s silence 1 s .. 20 s\n"
    "+0 s play b.wav \"Second\"\n"
    "+0 s silence 2 s .. 20 s\n"
    "+0 s play c.wav \"Third\"\n"
    "+1 s end\n";

static rlx_renderer *open_ref(fixture *f, const rlx_session *s, int64_t length_ms)
{
    rlx_render_config rc = rlx_render_config_init();
    rc.rate = RATE;
    rc.length_ms = length_ms;
    rc.cache_dir = f->cache;
    rlx_renderer *r = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_renderer_open(&rc, s, &r, &d), RLX_OK);
    rlx_diags_free(&d);
    return r;
}

static float *render_all(rlx_renderer *r, int64_t from, int64_t *n)
{
    int64_t len = rlx_renderer_length(r) - from;
    float *out = malloc((size_t)len * 2 * sizeof(float));
    assert_int_equal(rlx_renderer_seek(r, from), RLX_OK);
    size_t got = 0;
    assert_int_equal(rlx_renderer_read(r, out, (size_t)len, &got), RLX_OK);
    assert_int_equal((int64_t)got, len);
    *n = len;
    return out;
}

/* Largest sample-to-sample step of both channels over frames [a, b). */
static double max_step(const float *x, int64_t a, int64_t b)
{
    double m = 0;
    for (int64_t k = a + 1; k < b; k++)
        for (int c = 0; c < 2; c++) {
            double d = fabs((double)x[2 * k + c] - (double)x[2 * (k - 1) + c]);
            m = d > m ? d : m;
        }
    return m;
}

/* (c) no click: across the swap at heard frame k the largest step is no
 * larger than in the quarter second either side, within what the fade's
 * own slope can add (pi / 2X per frame times the largest difference
 * between the layouts); a plain cut from old[op] to new[np] would step at
 * once, and the test makes sure the layouts do differ there. */
static void check_swap(const float *heard, int64_t k, int64_t X, const float *old, int64_t op,
                       const float *new, int64_t np)
{
    double around = max_step(heard, k - SEC(0.25), k);
    double after = max_step(heard, k + X, k + X + SEC(0.25));
    around = after > around ? after : around;
    double diff = 0;
    for (int64_t j = 0; j < X; j++)
        for (int ch = 0; ch < 2; ch++) {
            double dd = fabs((double)old[2 * (op + j) + ch] - (double)new[2 * (np + j) + ch]);
            diff = dd > diff ? dd : diff;
        }
    double swap = max_step(heard, k - 1, k + X + 1);
    double cut = fabs((double)old[2 * op] - (double)new[2 * np]);
    fprintf(stderr, "steps: around %.5f, swap %.5f, a cut %.5f, largest difference %.5f\n", around, swap,
            cut, diff);
    assert_true(cut > 4 * around);
    assert_true(swap <= around + M_PI / (2.0 * (double)X) * diff);
}

/* Length A, then B asked for mid-way with half a second in the sink: the
 * buffered frames are heard as rendered for A, the swap is a 40 ms
 * crossfade without a click, then B's render from the mapped frame; a
 * second later back to A, the same way, to A's end. The position and
 * length reported follow what is heard. */
static void length_change_keeps_buffer(void **state)
{
    fixture *f = *state;
    write_bed(f->dir);
    const char *dirs[] = {f->dir, NULL};
    rlx_parse_config pc = {.asset_dirs = dirs, .check_files = true};
    char name[4096];
    snprintf(name, sizeof name, "%s/x.session", f->dir);
    rlx_session *s = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_session_parse_buffer(name, xfade_text, strlen(xfade_text), &pc, &s, &d), RLX_OK);
    const int64_t LA = 12000, LB = 20000;

    /* the references: each length rendered straight through */
    rlx_renderer *ra = open_ref(f, s, LA), *rb = open_ref(f, s, LB);
    int64_t na, nb;
    float *A = render_all(ra, 0, &na), *B = render_all(rb, 0, &nb);
    assert_int_equal(na, SEC(12));
    assert_int_equal(nb, SEC(20));

    rlx_engine_config cfg = rlx_engine_config_init();
    cfg.sink = &cap_ops;
    cfg.rate = RATE;
    cfg.cache_dir = f->cache;
    cfg.length_ms = LA;
    rlx_engine *e = NULL;
    char why[256];
    assert_int_equal(rlx_engine_open(&cfg, &e, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_engine_load(e, s, &d), RLX_OK);
    recorder *rec = calloc(1, sizeof *rec);
    assert_int_equal(rlx_engine_listen(e, record, rec), RLX_OK);
    assert_int_equal(rlx_engine_start(e, 0, -1, why, sizeof why), RLX_OK);
    cap_sink *c = g_cap;
    assert_non_null(c);

    /* hear 6.5 s (in the quiet after "Second" in A), with the sink full */
    cap_play(c, SEC(6.5));
    cap_wait_full(c);
    rlx_engine_state st;
    rlx_engine_poll(e, 0, &st);
    assert_int_equal(st.pos, SEC(6.5));
    pthread_mutex_lock(&c->mu);
    int64_t W = c->written;           /* written before the request: 0.5 s buffered */
    c->mark = true;
    pthread_mutex_unlock(&c->mu);
    assert_int_equal(W - SEC(6.5), CAP_FRAMES);
    assert_int_equal(rlx_engine_set_length(e, LB, &d), RLX_OK);
    rlx_engine_poll(e, 0, &st);
    assert_int_equal(st.length_ms, LA);
    assert_int_equal(st.length_next_ms, LB);

    /* the pump finishes the block it is writing, then swaps: the crossfade
     * starts at the next block boundary of what it wrote */
    int64_t K = (W / 1024 + 1) * 1024;
    int64_t np = rlx_timeline_map_frame(rlx_renderer_timeline(ra), rlx_renderer_timeline(rb), K);
    int64_t X = rlx_ms_to_frames(40, RATE);
    assert_true(np > K + SEC(2));     /* B's first pause is longer: the mapped frame is later */

    /* the buffered rest of A is heard with A's position and length */
    cap_play(c, K - SEC(6.5) - 100);
    rlx_engine_poll(e, 0, &st);
    assert_int_equal(st.pos, K - 100);
    assert_int_equal(st.length_ms, LA);
    assert_int_equal(count(rec, RLX_ENGINE_LENGTH), 0);
    /* into the crossfade: B's position and length */
    cap_play(c, 600);
    rlx_engine_poll(e, 0, &st);
    assert_int_equal(st.pos, np + 500);
    assert_int_equal(st.length_ms, LB);
    assert_int_equal(st.length_next_ms, 0);
    assert_int_equal(count(rec, RLX_ENGINE_LENGTH), 1);
    assert_int_equal(c->marked_at, K);   /* the first write call after the request */

    /* and back to A a second later: the same again, from B's layout (the
     * pump's writes now start at K + X + k blocks) */
    cap_play(c, SEC(1));
    cap_wait_full(c);
    pthread_mutex_lock(&c->mu);
    int64_t W2 = c->written;
    c->marked_at = -1;
    pthread_mutex_unlock(&c->mu);
    assert_int_equal(rlx_engine_set_length(e, LA, &d), RLX_OK);
    int64_t K2 = K + X + ((W2 - K - X) / 1024 + 1) * 1024;
    int64_t np2 = rlx_timeline_map_frame(rlx_renderer_timeline(rb), rlx_renderer_timeline(ra), np + (K2 - K));
    int64_t heard2 = c->nheard;
    cap_play(c, K2 - 100 - heard2);
    rlx_engine_poll(e, 0, &st);
    assert_int_equal(st.pos, np + (K2 - 100 - K));
    assert_int_equal(st.length_ms, LB);
    cap_play(c, 600);
    rlx_engine_poll(e, 0, &st);
    assert_int_equal(st.pos, np2 + 500);
    assert_int_equal(st.length_ms, LA);
    assert_int_equal(count(rec, RLX_ENGINE_LENGTH), 2);
    assert_int_equal(c->marked_at, K2);

    cap_free_run(c);
    st = poll_until(e, has_ended, 0);
    assert_int_equal(st.end, RLX_ENGINE_END_DONE);
    assert_int_equal(st.pos, SEC(12));
    int64_t n = c->nheard;
    /* (d) the total is what the lengths imply from the mapped frames */
    assert_int_equal(n, K2 + (na - np2));
    assert_int_equal(c->dropped, 0);
    /* (a) everything before the crossfade, buffered part included, is A's */
    assert_true(K >= W);
    assert_memory_equal(c->heard, A, (size_t)K * 2 * sizeof(float));
    /* (b) after it, B's render from the mapped frame; the same samples as
     * B rendered straight through */
    int64_t nbs;
    float *Bs = render_all(rb, np, &nbs);
    assert_memory_equal(c->heard + 2 * (K + X), Bs + 2 * X, (size_t)(K2 - K - X) * 2 * sizeof(float));
    assert_memory_equal(c->heard + 2 * (K + X), B + 2 * (np + X), (size_t)(K2 - K - X) * 2 * sizeof(float));
    /* and after the second crossfade, A's from its mapped frame */
    assert_memory_equal(c->heard + 2 * (K2 + X), A + 2 * (np2 + X), (size_t)(na - np2 - X) * 2 * sizeof(float));
    /* (c) no click, at both swaps */
    check_swap(c->heard, K, X, A, K, B, np);
    check_swap(c->heard, K2, X, B, np + (K2 - K), A, np2);

    rlx_engine_close(e);
    free(A);
    free(B);
    free(Bs);
    free(rec);
    rlx_renderer_close(ra);
    rlx_renderer_close(rb);
    rlx_diags_free(&d);
    rlx_session_free(s);
}

static int64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* In real time the null sink is never faster than the audio (a lower bound
 * on the wall clock: robust on a loaded machine). */
static void realtime_pace(void **state)
{
    fixture *f = *state;
    rlx_engine *e = open_engine(f, true, NULL);
    char why[256];
    int64_t t0 = mono_ns();
    assert_int_equal(rlx_engine_start(e, SEC(10.5), -1, why, sizeof why), RLX_OK);  /* the last second */
    rlx_engine_state st = poll_until(e, has_ended, 0);
    double secs = (double)(mono_ns() - t0) / 1e9;
    assert_int_equal(st.end, RLX_ENGINE_END_DONE);
    assert_int_equal(st.sink.played, SEC(1));
    assert_true(secs >= 0.95);
    rlx_engine_close(e);
}

/* Bad calls get an error, not a crash. */
static void misuse(void **state)
{
    fixture *f = *state;
    rlx_engine *e = NULL;
    char why[256];
    rlx_engine_config cfg = rlx_engine_config_init();
    assert_int_equal(rlx_engine_open(&cfg, &e, why, sizeof why), RLX_ERR_USAGE);
    assert_null(e);
    e = open_engine(f, false, NULL);
    assert_int_equal(rlx_engine_start(e, SEC(12), -1, why, sizeof why), RLX_ERR_USAGE);
    assert_int_equal(rlx_engine_start(e, SEC(2), SEC(1), why, sizeof why), RLX_ERR_USAGE);
    rlx_engine_close(e);
    rlx_engine_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(transport, setup, teardown),
        cmocka_unit_test_setup_teardown(fade_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(hooks, setup, teardown),
        cmocka_unit_test_setup_teardown(length_change, setup, teardown),
        cmocka_unit_test_setup_teardown(length_change_in_a_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(length_change_keeps_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(realtime_pace, setup, teardown),
        cmocka_unit_test_setup_teardown(misuse, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
