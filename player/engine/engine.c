/* engine.c - the session player (see engine.h).
 *
 * The pump is the only reader of the renderer while playing. The control
 * thread talks to it through atomics (seek target and generation, quit, a
 * pending renderer for a length change) and wakes it from a blocking sink
 * write with the sink's interrupt op. The position heard is
 * base_pos + (sink played - base_played), where the pair is recorded by the
 * pump each time it drops the sink's buffer and seeks: it moves with the
 * audio clock, stands still while paused and never runs backwards.
 *
 * Changing the length while playing (rlx_engine_set_length): the control
 * thread prepares a second renderer at the new length (the sources are in
 * the cache by then, so this is the timeline plus opening readers) and
 * publishes it. The pump takes it at its next block boundary and maps its
 * own render position (the next frame it would have rendered in the old
 * layout) onto the new one (rlx_timeline_map_frame: same cue, same offset
 * into it). Nothing already written to the sink is dropped: the listener
 * hears the buffered rest of the old layout, then XFADE_MS in which the old
 * renderer, playing on, crossfades into the new one at the mapped frame,
 * then the new layout. The crossfade is what keeps it click-free: the two
 * layouts meet at the same cue and offset, but the tone's breath phase, the
 * bed's segments and the automation (ducking, a rest) generally differ
 * there, and a cut from one to the other would be a step in the waveform.
 *
 * Why 40 ms, equal-gain (g + (1 - g) = 1) on a raised cosine: a voice line
 * playing across the swap is the same clip at the same offset in both, so
 * equal gains keep it at exactly its level (an equal-power fade would lift
 * it by up to 3 dB and could push a peak past the limiter's ceiling; with
 * equal gains a sample never exceeds the larger of the two). The tone and
 * the bed differ between the layouts and dip by at most 3 dB for the middle
 * few milliseconds, which is not heard as a dip at this length. 40 ms is
 * well above the few milliseconds under which a fade is itself heard as a
 * click, and short enough to stay inside one syllable, so nothing is heard
 * twice or as two things at once. The raised cosine starts and ends with
 * zero slope, so the fade adds no corner of its own.
 *
 * The position heard stays the old layout's until the sink has played the
 * frames written before the crossfade; from the crossfade's first frame it
 * is the new layout's (the pump records that frame of the sink's clock as
 * a pending base, sw_played, and the control thread switches its view of
 * the timeline, the length and the base there). */
#include "engine/engine.h"
#include "core/clock.h"
#include "core/sigmask.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/render.h"

#define SEEK_ADDS_UP_MS 600
#define PREV_LINE_GRACE_MS 2000
#define STOP_SLACK_MS 500       /* a fade that does not report back ends anyway */
#define IDLE_MS 5
#define XFADE_MS 40             /* a length change's crossfade (see above) */

typedef struct {
    rlx_engine_listener fn;
    void *user;
} listener;

struct rlx_engine {
    rlx_engine_config cfg;
    const rlx_sink_ops *ops;
    rlx_sink *sink;
    int rate;
    const rlx_session *s;
    rlx_renderer *r;             /* pump while running; control before start / after finish */
    rlx_renderer *view_r;        /* control: the renderer whose timeline it reports (heard) */
    rlx_renderer *view_next;     /* control: a length change's, until its audio is heard */
    rlx_renderer *retired;       /* control: handed back by the pump; freed once not viewed */
    bool swapping;               /* control: a length change is in flight (until retired is freed) */
    unsigned layout;             /* control: id of the newest renderer (view_next, else view_r) */
    int64_t length, from, to;
    float *buf;
    float *xold, *xnew;          /* pump: the crossfade, xfade frames each (allocated at load) */
    size_t xfade;
    int64_t wrote;               /* pump: frames written to the sink since the last jump */
    int64_t jump_played;         /* pump: the sink's clock at the last jump (or the start) */
    pthread_t pump;
    bool pump_started, started, finished;

    /* control -> pump */
    _Atomic bool quit;
    _Atomic unsigned seek_gen;
    _Atomic int64_t seek_target;
    _Atomic unsigned seek_layout;    /* the renderer whose frames seek_target counts */
    _Atomic(rlx_renderer *) next_r;  /* length change: the pump takes it */
    _Atomic unsigned next_id;        /* its layout id */

    /* pump -> control */
    _Atomic unsigned seek_done;
    _Atomic bool drained;        /* everything up to `to` was heard */
    _Atomic int source_err, sink_err;
    _Atomic int64_t line_wait_ms;    /* stream: time spent waiting for a line */
    _Atomic(rlx_renderer *) old_r;   /* the pump hands the replaced renderer back */
    pthread_mutex_t lock;        /* base_*, sw_* */
    int64_t base_pos, base_played;
    /* a length change's crossfade begins at sink frame sw_played, which plays
     * frame sw_pos of the new layout (pending until the sink gets there) */
    bool sw_pending;
    int64_t sw_pos, sw_played;
    /* pump -> control: "something to act on" (the end or an error), so
     * rlx_engine_poll can sleep its whole wait instead of checking every
     * few milliseconds (a seek or a length change shows in the state as it
     * is heard, so nothing waits on those) */
    pthread_mutex_t wake_lock;
    pthread_cond_t wake;
    unsigned wake_n;             /* under wake_lock */

    /* control only */
    bool paused, stopping, ended, length_changed;
    bool settled;                /* stream: laid out exactly once every line was spoken */
    int64_t asked_ms;            /* the length asked for (load, length change) */
    bool asked_fit;
    int64_t stop_pos, stop_deadline_ns;
    int64_t last_seek_target, last_seek_ns;
    int64_t last_tick_ns;
    long last_line;
    int last_breath_dir;
    size_t breath_hint, breath_hint_prev;
    double vol_db, bg_db;
    listener *ls;
    size_t nls;
    rlx_play_hooks hooks;
    bool has_hooks;
    rlx_engine_state st;
};

static void wake_control(rlx_engine *e)
{
    pthread_mutex_lock(&e->wake_lock);
    e->wake_n++;
    pthread_cond_broadcast(&e->wake);
    pthread_mutex_unlock(&e->wake_lock);
}

static int64_t frames_to_ms(int64_t f, int rate)
{
    return rate > 0 ? f * 1000 / rate : 0;
}

rlx_engine_config rlx_engine_config_init(void)
{
    rlx_engine_config c;
    memset(&c, 0, sizeof c);
    c.block_frames = 1024;
    c.tick_ms = 1000;
    return c;
}

/* ---- opening ---------------------------------------------------------------- */

rlx_err rlx_engine_open(const rlx_engine_config *cfg, rlx_engine **out, char *why, size_t whylen)
{
    *out = NULL;
    if (whylen)
        why[0] = 0;
    if (!cfg || !cfg->sink || !cfg->sink->open || !cfg->sink->write || !cfg->sink->played ||
        !cfg->sink->status || !cfg->sink->close) {
        snprintf(why, whylen, "no sink to play to");
        return RLX_ERR_USAGE;
    }
    rlx_engine *e = calloc(1, sizeof *e);
    if (!e)
        return RLX_ERR_NOMEM;
    e->cfg = *cfg;
    if (!e->cfg.block_frames)
        e->cfg.block_frames = 1024;
    if (e->cfg.tick_ms <= 0)
        e->cfg.tick_ms = 1000;
    e->ops = cfg->sink;
    pthread_mutex_init(&e->lock, NULL);
    pthread_mutex_init(&e->wake_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e->wake, &ca);
    pthread_condattr_destroy(&ca);
    e->last_line = -1;
    e->last_seek_ns = INT64_MIN / 2;
    e->vol_db = cfg->volume_db < 0 ? cfg->volume_db : 0;
    e->bg_db = cfg->background_db;
    e->rate = e->cfg.rate > 0 ? e->cfg.rate : 48000;
    e->buf = malloc(e->cfg.block_frames * 2 * sizeof(float));
    if (!e->buf) {
        rlx_engine_close(e);
        return RLX_ERR_NOMEM;
    }
    *out = e;
    return RLX_OK;
}

rlx_err rlx_engine_open_sink(rlx_engine *e, char *why, size_t whylen)
{
    if (whylen)
        why[0] = 0;
    if (!e || e->sink || e->finished)
        return RLX_ERR_USAGE;
    rlx_sink_config sc = {
        .target = e->cfg.sink_target, .rate = e->r ? e->rate : e->cfg.rate,
        .realtime = e->cfg.realtime, .volume_db = e->vol_db, .fade_in_ms = e->cfg.fade_in_ms,
        .ring_s = e->cfg.ring_s, .block_frames = e->cfg.block_frames,
    };
    rlx_err err = e->ops->open(&sc, &e->sink, why, whylen);
    if (err != RLX_OK) {
        e->sink = NULL;
        return err;
    }
    rlx_sink_status st;
    e->ops->status(e->sink, &st);
    int rate = st.rate > 0 ? st.rate : sc.rate > 0 ? sc.rate : 48000;
    if (e->r && rate != e->rate) {
        snprintf(why, whylen, "the output runs at %d Hz, the audio was prepared at %d Hz", rate, e->rate);
        e->ops->close(e->sink, false);
        e->sink = NULL;
        return RLX_ERR_USAGE;
    }
    e->rate = rate;
    return RLX_OK;
}

static rlx_err open_renderer(rlx_engine *e, int64_t length_ms, bool fit, rlx_renderer **out,
                             rlx_diags *diags)
{
    rlx_render_config rc = rlx_render_config_init();
    rc.rate = e->rate;
    rc.length_ms = length_ms;
    rc.length_fit = fit;
    rc.tail_ms = e->cfg.tail_ms;
    rc.cache_dir = e->cfg.cache_dir;
    rc.volume_db = e->cfg.volume_db > 0 ? e->cfg.volume_db : 0;
    rc.background_db = e->bg_db;
    rc.on_prepare = e->cfg.on_prepare;
    rc.user = e->cfg.user;
    rc.cancel = e->cfg.cancel;
    rc.stream = e->cfg.stream;
    return rlx_renderer_open(&rc, e->s, out, diags);
}

rlx_err rlx_engine_load(rlx_engine *e, const rlx_session *s, rlx_diags *diags)
{
    if (!e || !s || e->r)
        return RLX_ERR_USAGE;
    e->s = s;
    rlx_err err = open_renderer(e, e->cfg.length_ms, e->cfg.length_fit, &e->r, diags);
    if (err != RLX_OK) {
        e->r = NULL;
        return err;
    }
    e->length = rlx_renderer_length(e->r);
    e->view_r = e->r;
    e->asked_ms = e->cfg.length_ms;
    e->asked_fit = e->cfg.length_fit;
    e->xfade = (size_t)rlx_ms_to_frames(XFADE_MS, e->rate);
    e->xold = malloc(e->xfade * 2 * sizeof(float));
    e->xnew = malloc(e->xfade * 2 * sizeof(float));
    if (!e->xold || !e->xnew)
        return RLX_ERR_NOMEM;
    return RLX_OK;
}

int rlx_engine_rate(const rlx_engine *e) { return e->rate; }
int64_t rlx_engine_length(const rlx_engine *e) { return e->length; }
const rlx_timeline *rlx_engine_timeline(const rlx_engine *e)
{
    return e->view_r ? rlx_renderer_timeline(e->view_r) : NULL;
}

/* ---- the pump ------------------------------------------------------------------ */

/* Ramps at the edges of an excerpt (the renderer ramps the session's own ends). */
static void edge_ramp(float *buf, size_t n, int64_t first, int64_t from, int64_t to, int64_t R)
{
    if (n == 0 || (first - from >= R && to - 1 - (first + (int64_t)n - 1) >= R))
        return;   /* between the ramps: every g is 1 */
    for (size_t j = 0; j < n; j++) {
        int64_t k = first + (int64_t)j;
        double g = 1.0;
        if (k - from < R)
            g = (double)(k - from) / (double)R;
        if (to - 1 - k < R) {
            double h = (double)(to - 1 - k) / (double)R;
            g = h < g ? h : g;
        }
        if (g < 1.0) {
            buf[2 * j] = (float)(buf[2 * j] * g);
            buf[2 * j + 1] = (float)(buf[2 * j + 1] * g);
        }
    }
}

/* Drops what the sink holds and continues from frame `target`. */
static rlx_err pump_jump(rlx_engine *e, int64_t target)
{
    if (e->ops->drop) {
        rlx_err err = e->ops->drop(e->sink);
        if (err != RLX_OK)
            return err;
    }
    rlx_err err = rlx_renderer_seek(e->r, target);
    if (err != RLX_OK) {
        atomic_store(&e->source_err, err);
        return err;
    }
    pthread_mutex_lock(&e->lock);
    e->base_pos = target;
    e->base_played = e->ops->played(e->sink);
    e->sw_pending = false;   /* a crossfade still buffered was dropped with the rest */
    e->jump_played = e->base_played;
    pthread_mutex_unlock(&e->lock);
    e->wrote = 0;
    atomic_store(&e->drained, false);
    return RLX_OK;
}

/* Takes the renderer a length change published (NULL if none); the old one
 * goes back to the control thread, which frees it. */
static rlx_renderer *pump_take(rlx_engine *e, unsigned *cur)
{
    atomic_store(&e->drained, false);   /* before next_r reads as empty */
    rlx_renderer *nr = atomic_exchange(&e->next_r, NULL);
    if (!nr)
        return NULL;
    *cur = atomic_load(&e->next_id);
    return nr;
}

/* Writes n frames in blocks; counts what the sink took. */
static rlx_err pump_write(rlx_engine *e, const float *frames, size_t n)
{
    size_t block = e->cfg.block_frames;
    for (size_t done = 0; done < n;) {
        size_t k = n - done < block ? n - done : block;
        rlx_err err = e->ops->write(e->sink, frames + 2 * done, k);
        if (err != RLX_OK)
            return err;
        e->wrote += (int64_t)k;
        done += k;
    }
    return RLX_OK;
}

/* A length change (see the top of the file): the old renderer plays on
 * from *pos and crossfades into the new one at the mapped frame; nothing
 * written before is dropped. *pos and *to become the new layout's. */
static rlx_err pump_swap(rlx_engine *e, int64_t *pos, int64_t *to, unsigned *cur)
{
    rlx_renderer *nr = pump_take(e, cur);
    if (!nr)
        return RLX_OK;
    rlx_renderer *old = e->r;
    int64_t np = rlx_timeline_map_frame(rlx_renderer_timeline(old), rlx_renderer_timeline(nr), *pos);
    int64_t nlen = rlx_renderer_length(nr);
    size_t x = nlen - np < (int64_t)e->xfade ? (size_t)(nlen - np) : e->xfade;
    size_t go = 0, gn = 0;
    rlx_err err = rlx_renderer_seek(nr, np);
    if (err == RLX_OK)
        err = rlx_renderer_read(old, e->xold, x, &go);
    if (err == RLX_OK)
        err = rlx_renderer_read(nr, e->xnew, x, &gn);
    e->r = nr;
    *to = nlen;
    *pos = np + (int64_t)x;
    atomic_store(&e->old_r, old);   /* the pump reads it no more */
    if (err != RLX_OK) {
        atomic_store(&e->source_err, err);
        return err;
    }
    /* the old layout may end inside the crossfade: silence after its end */
    memset(e->xold + 2 * go, 0, (x - go) * 2 * sizeof(float));
    memset(e->xnew + 2 * gn, 0, (x - gn) * 2 * sizeof(float));
    for (size_t j = 0; j < x; j++) {
        double g = 0.5 - 0.5 * cos(M_PI * ((double)j + 0.5) / (double)x);
        for (int c = 0; c < 2; c++) {
            double a = e->xold[2 * j + c], b = e->xnew[2 * j + c];
            e->xold[2 * j + c] = (float)(a + (b - a) * g);
        }
    }
    pthread_mutex_lock(&e->lock);
    e->sw_pending = true;
    e->sw_pos = np;
    e->sw_played = e->jump_played + e->wrote;   /* not base_played: a change moves it */
    pthread_mutex_unlock(&e->lock);
    err = pump_write(e, e->xold, x);
    if (err != RLX_OK && err != RLX_ERR_INTERRUPTED)
        atomic_store(&e->sink_err, err);
    return err;
}

static void *pump_main(void *arg)
{
    rlx_engine *e = arg;
    size_t block = e->cfg.block_frames;
    int64_t pos = e->from, to = e->to;
    bool excerpt = e->cfg.excerpt_ramp_ms > 0 && (e->from > 0 || e->to < e->length);
    int64_t R = rlx_ms_to_frames(e->cfg.excerpt_ramp_ms, e->rate);
    unsigned seek_done = 0, cur = 0;
    bool at_end = false, drained = false;
    /* After a jump the first block goes to the sink before a length change
     * is taken: a change asked for just after a seek is then heard after
     * what the sink holds, like any other, instead of depending on whether
     * the pump had written yet (a race the tests saw under load). */
    bool fresh_jump = false;
    e->wrote = 0;
    pthread_mutex_lock(&e->lock);
    e->jump_played = e->base_played;
    pthread_mutex_unlock(&e->lock);
    while (!atomic_load(&e->quit)) {
        unsigned sg = atomic_load(&e->seek_gen);
        if (sg != seek_done) {
            int64_t target = atomic_load(&e->seek_target);
            if (atomic_load(&e->seek_layout) != cur) {
                /* counted in the layout a length change asked for: take it
                 * now, without a crossfade (the jump drops the buffer) */
                rlx_renderer *nr = pump_take(e, &cur);
                if (nr) {
                    atomic_store(&e->old_r, e->r);
                    e->r = nr;
                    to = rlx_renderer_length(nr);
                }
            }
            if (target > to)
                target = to;
            rlx_err err = pump_jump(e, target);
            if (err != RLX_OK) {
                if (atomic_load(&e->source_err))
                    break;
                rlx_sleep_ms(IDLE_MS);  /* the device is not answering: its watchdog reports it */
                continue;
            }
            pos = target;
            at_end = drained = false;
            fresh_jump = true;
            seek_done = sg;
            atomic_store(&e->seek_done, sg);
            continue;
        }
        if (!fresh_jump && atomic_load(&e->next_r)) {
            rlx_err err = pump_swap(e, &pos, &to, &cur);
            if (err != RLX_OK && err != RLX_ERR_INTERRUPTED)
                break;
            at_end = drained = false;
            continue;
        }
        if (at_end) {
            if (!drained) {
                rlx_err err = e->ops->drain ? e->ops->drain(e->sink) : RLX_OK;
                if (err == RLX_ERR_INTERRUPTED)
                    continue;
                if (err != RLX_OK) {
                    atomic_store(&e->sink_err, err);
                    break;
                }
                drained = true;
                atomic_store(&e->drained, true);
                wake_control(e);
            } else {
                rlx_sleep_ms(IDLE_MS);
            }
            continue;
        }
        size_t want = to - pos < (int64_t)block ? (size_t)(to - pos) : block, got = 0;
        if (want == 0) {
            at_end = true;
            fresh_jump = false;
            continue;
        }
        if (!rlx_renderer_ready(e->r, want)) {
            rlx_sleep_ms(IDLE_MS);   /* a line still being spoken (stream) */
            atomic_fetch_add(&e->line_wait_ms, IDLE_MS);
            continue;
        }
        rlx_err err = rlx_renderer_read(e->r, e->buf, want, &got);
        if (err != RLX_OK) {
            atomic_store(&e->source_err, err);
            break;
        }
        if (got == 0) {
            at_end = true;
            fresh_jump = false;
            continue;
        }
        if (excerpt)
            edge_ramp(e->buf, got, pos, e->from, to, R);
        err = e->ops->write(e->sink, e->buf, got);
        if (err == RLX_ERR_INTERRUPTED)
            continue;  /* a seek or quit: the rest of this block is not wanted */
        if (err != RLX_OK) {
            atomic_store(&e->sink_err, err);
            break;
        }
        e->wrote += (int64_t)got;
        pos += (int64_t)got;
        fresh_jump = false;
    }
    wake_control(e);   /* an error ended it, or quit */
    return NULL;
}

/* ---- events --------------------------------------------------------------------- */

rlx_err rlx_engine_listen(rlx_engine *e, rlx_engine_listener fn, void *user)
{
    if (!e || !fn)
        return RLX_ERR_USAGE;
    listener *n = realloc(e->ls, (e->nls + 1) * sizeof *n);
    if (!n)
        return RLX_ERR_NOMEM;
    e->ls = n;
    e->ls[e->nls++] = (listener){fn, user};
    return RLX_OK;
}

static void hooks_listener(void *user, const rlx_engine_event *ev)
{
    const rlx_play_hooks *h = user;
    const rlx_engine_state *st = ev->state;
    switch (ev->kind) {
    case RLX_ENGINE_STARTED:
        if (h->on_start)
            h->on_start(h->user, ev->session, st->length_ms);
        break;
    case RLX_ENGINE_PAUSED:
    case RLX_ENGINE_RESUMED:
    case RLX_ENGINE_SEEKED:
    case RLX_ENGINE_POSITION:
    case RLX_ENGINE_STOPPING:
        if (h->on_position)
            h->on_position(h->user, st->pos_ms, st->played_ms, st->paused);
        break;
    case RLX_ENGINE_ENDED:
        if (h->on_position)
            h->on_position(h->user, st->pos_ms, st->played_ms, st->paused);
        if (h->on_mix)
            h->on_mix(h->user, st->volume_db, st->background_db, ev->device);
        if (h->on_stop)
            h->on_stop(h->user, st->pos_ms, st->played_ms, st->end == RLX_ENGINE_END_DONE);
        break;
    default:
        break;
    }
}

rlx_err rlx_engine_listen_hooks(rlx_engine *e, const rlx_play_hooks *hooks)
{
    if (!e || !hooks || e->has_hooks)
        return RLX_ERR_USAGE;
    e->hooks = *hooks;
    e->has_hooks = true;
    return rlx_engine_listen(e, hooks_listener, &e->hooks);
}

static void emit(rlx_engine *e, rlx_engine_event_kind kind)
{
    rlx_engine_event ev = {
        .kind = kind, .state = &e->st, .session = e->s,
        .device = e->cfg.sink_target && *e->cfg.sink_target ? e->st.sink.device : NULL,
    };
    for (size_t i = 0; i < e->nls; i++)
        e->ls[i].fn(e->ls[i].user, &ev);
}

/* ---- where we are ------------------------------------------------------------ */

/* The voice cue playing at frame, or the last one before it; -1 if none. */
static long voice_at(const rlx_timeline *tl, int64_t frame)
{
    long best = -1;
    for (size_t i = 0; tl && i < tl->ncues; i++) {
        if (!rlx_cue_is_voice(tl->cues[i].cue) || tl->cues[i].omitted)
            continue;
        if (tl->cues[i].start > frame)
            break;
        best = (long)i;
    }
    return best;
}

/* The frame heard; *swapped when the sink has just reached a length
 * change's crossfade (the base is then the new layout's). */
static int64_t heard_pos(rlx_engine *e, int64_t played, bool *swapped)
{
    *swapped = false;
    if (atomic_load(&e->seek_done) != atomic_load(&e->seek_gen))
        return atomic_load(&e->seek_target);   /* on its way there */
    pthread_mutex_lock(&e->lock);
    if (e->sw_pending && played >= e->sw_played) {
        e->base_pos = e->sw_pos;
        e->base_played = e->sw_played;
        e->sw_pending = false;
        *swapped = true;
    }
    int64_t pos = e->base_pos + (played - e->base_played);
    pthread_mutex_unlock(&e->lock);
    return pos;
}

/* The control thread's view moves to the length change's layout. */
static void view_next(rlx_engine *e)
{
    if (!e->view_next)
        return;
    e->view_r = e->view_next;
    e->view_next = NULL;
    e->length = e->to = rlx_renderer_length(e->view_r);
    e->breath_hint = e->breath_hint_prev = 0;
    e->length_changed = true;
}

/* Fills e->st from the sink and the pump (control thread). */
static void refresh(rlx_engine *e)
{
    rlx_engine_state *st = &e->st;
    rlx_renderer *old = atomic_exchange(&e->old_r, NULL);
    if (old)
        e->retired = old;   /* one change at a time: at most one */
    if (e->sink)
        e->ops->status(e->sink, &st->sink);
    bool swapped = false;
    int64_t pos = heard_pos(e, st->sink.played, &swapped);
    if (swapped)
        view_next(e);
    if (e->retired && e->retired != e->view_r) {
        rlx_renderer_close(e->retired);   /* no longer heard, no longer read */
        e->retired = NULL;
        e->swapping = false;
    }
    if (pos < 0)
        pos = 0;
    if (pos > e->to)
        pos = e->to;
    if (e->stopping)
        pos = e->stop_pos;
    st->pos = pos;
    st->pos_ms = frames_to_ms(pos, e->rate);
    st->played_ms = frames_to_ms(st->sink.played, e->rate);
    st->length_ms = frames_to_ms(e->length, e->rate);
    st->length_next_ms = e->view_next ? frames_to_ms(rlx_renderer_length(e->view_next), e->rate) : 0;
    st->paused = e->paused;
    st->stopping = e->stopping;
    st->volume_db = e->vol_db;
    st->background_db = e->bg_db;
    st->source_err = (rlx_err)atomic_load(&e->source_err);
    st->sink_err = (rlx_err)atomic_load(&e->sink_err);
    st->line_wait_ms = atomic_load(&e->line_wait_ms);
    const rlx_timeline *tl = e->started && !e->finished ? rlx_engine_timeline(e) : NULL;
    if (tl) {
        st->line = voice_at(tl, pos);
        st->caption = st->line >= 0 ? tl->cues[st->line].cue->text : NULL;
        /* direction from the shape 100 ms earlier: stateless, so right after a seek too */
        st->breath = rlx_timeline_breath_shape(tl, pos, &e->breath_hint);
        int64_t before = pos - e->rate / 10;
        double earlier = rlx_timeline_breath_shape(tl, before > 0 ? before : 0, &e->breath_hint_prev);
        st->breath_dir = st->breath > earlier + 1e-4 ? 1 : st->breath < earlier - 1e-4 ? -1 : 0;
    }
}

static void end_with(rlx_engine *e, rlx_engine_end why)
{
    e->ended = true;
    e->st.end = why;
    if (why == RLX_ENGINE_END_DONE) {
        e->st.pos = e->to;
        e->st.pos_ms = frames_to_ms(e->to, e->rate);
    }
    emit(e, RLX_ENGINE_ENDED);
}

/* Stream: once every line has been spoken, lays the unheard part out
 * exactly (the same renderer a warm start makes) and hands it to the pump
 * as a length change does (crossfaded, nothing buffered dropped). Once; a
 * failure keeps the provisional layout. */
static void settle(rlx_engine *e)
{
    if (!e->cfg.stream || e->settled || e->swapping || e->view_next || e->to != e->length ||
        !rlx_renderer_provisional(e->view_r) || !rlx_renderer_settled(e->view_r))
        return;
    e->settled = true;
    rlx_renderer *nr = NULL;
    rlx_diags quiet = {0};
    rlx_err err = open_renderer(e, e->asked_ms, e->asked_fit, &nr, &quiet);
    rlx_diags_free(&quiet);
    if (err != RLX_OK || rlx_renderer_provisional(nr)) {
        rlx_renderer_close(nr);
        return;
    }
    rlx_renderer_set_background_db(nr, e->bg_db);
    e->view_next = nr;
    e->swapping = true;
    atomic_store(&e->next_id, ++e->layout);
    atomic_store(&e->next_r, nr);
}

/* Emits what is due; true while playing. */
static bool update(rlx_engine *e)
{
    if (e->ended || !e->started)
        return !e->ended;
    refresh(e);
    rlx_engine_state *st = &e->st;
    if (st->sink.lost) {
        snprintf(st->message, sizeof st->message, "%s", st->sink.lost_why);
        emit(e, RLX_ENGINE_DEVICE_LOST);
        end_with(e, RLX_ENGINE_END_LOST);
        return false;
    }
    if (st->source_err != RLX_OK || st->sink_err != RLX_OK) {
        end_with(e, st->sink_err == RLX_ERR_DEVICE_LOST ? RLX_ENGINE_END_LOST : RLX_ENGINE_END_ERROR);
        return false;
    }
    if (st->line != e->last_line) {
        e->last_line = st->line;
        if (st->line >= 0)
            emit(e, RLX_ENGINE_LINE);
    }
    bool drained = atomic_load(&e->drained) && atomic_load(&e->seek_done) == atomic_load(&e->seek_gen) &&
                   !atomic_load(&e->next_r) && !e->view_next;
    if (e->stopping) {
        if (st->sink.faded || drained || rlx_now_ns() > e->stop_deadline_ns) {
            end_with(e, RLX_ENGINE_END_STOPPED);
            return false;
        }
        return true;
    }
    if (drained) {
        end_with(e, RLX_ENGINE_END_DONE);
        return false;
    }
    if (e->length_changed) {
        e->length_changed = false;
        emit(e, RLX_ENGINE_LENGTH);
    }
    settle(e);
    if (st->breath_dir != e->last_breath_dir) {
        e->last_breath_dir = st->breath_dir;
        emit(e, RLX_ENGINE_BREATH);
    }
    int64_t now = rlx_now_ns();
    if (now - e->last_tick_ns >= (int64_t)e->cfg.tick_ms * 1000000LL) {
        e->last_tick_ns = now;
        emit(e, RLX_ENGINE_POSITION);
    }
    return true;
}

bool rlx_engine_poll(rlx_engine *e, int wait_ms, rlx_engine_state *out)
{
    int64_t until = rlx_now_ns() + (int64_t)(wait_ms > 0 ? wait_ms : 0) * 1000000LL;
    bool running;
    for (;;) {
        pthread_mutex_lock(&e->wake_lock);
        unsigned seen = e->wake_n;
        pthread_mutex_unlock(&e->wake_lock);
        running = update(e);
        int64_t now = rlx_now_ns();
        if (!running || now >= until)
            break;
        /* asleep until the wait is over (a millisecond at least, as a
         * sleep was) or the pump has news */
        int64_t wake_at = until > now + 1000000LL ? until : now + 1000000LL;
        struct timespec ts = {.tv_sec = wake_at / 1000000000LL, .tv_nsec = wake_at % 1000000000LL};
        pthread_mutex_lock(&e->wake_lock);
        while (e->wake_n == seen)
            if (pthread_cond_timedwait(&e->wake, &e->wake_lock, &ts) == ETIMEDOUT)
                break;
        pthread_mutex_unlock(&e->wake_lock);
    }
    if (!e->started)
        refresh(e);
    if (out)
        *out = e->st;
    return running;
}

/* ---- starting ------------------------------------------------------------------ */

/* Stream: the lines of the first buffer's worth are spoken before the sink
 * starts, so the pump can fill its whole buffer at once and the device
 * never waits on the first of them. Later lines come in faster than they
 * play. */
static rlx_err wait_head(rlx_engine *e)
{
    double ring_s = e->cfg.ring_s > 0 ? e->cfg.ring_s : 1.5;
    size_t head = (size_t)(ring_s * e->rate) + e->cfg.block_frames;
    while (!rlx_renderer_ready(e->r, head)) {
        if (e->cfg.cancel && *e->cfg.cancel)
            return RLX_ERR_INTERRUPTED;
        rlx_sleep_ms(IDLE_MS);
    }
    return RLX_OK;
}

rlx_err rlx_engine_start(rlx_engine *e, int64_t from, int64_t to, char *why, size_t whylen)
{
    if (whylen)
        why[0] = 0;
    if (!e || !e->r || e->started)
        return RLX_ERR_USAGE;
    if (to < 0)
        to = e->length;
    if (from < 0 || from >= e->length || to > e->length || to <= from) {
        snprintf(why, whylen, "from/to outside the session");
        return RLX_ERR_USAGE;
    }
    if (!e->sink) {
        rlx_err err = rlx_engine_open_sink(e, why, whylen);
        if (err != RLX_OK)
            return err;
    }
    e->from = from;
    e->to = to;
    if (from > 0) {
        rlx_err err = rlx_renderer_seek(e->r, from);
        if (err != RLX_OK) {
            snprintf(why, whylen, "cannot read prepared audio: %s", rlx_strerror(err));
            return err;
        }
    }
    if (e->cfg.stream) {
        rlx_err err = wait_head(e);
        if (err != RLX_OK)
            return err;
    }
    e->base_pos = from;
    e->base_played = e->ops->played(e->sink);
    if (e->ops->start) {
        rlx_err err = e->ops->start(e->sink, why, whylen);
        if (err != RLX_OK)
            return err;
    }
    if (e->paused)
        e->ops->pause(e->sink, true);
    if (rlx_thread_start(&e->pump, NULL, pump_main, e) != 0) {
        snprintf(why, whylen, "cannot start the pump thread");
        return RLX_ERR_INTERNAL;
    }
    e->pump_started = true;
    e->started = true;
    e->last_tick_ns = rlx_now_ns();
    refresh(e);
    emit(e, RLX_ENGINE_STARTED);
    return RLX_OK;
}

/* ---- transport ------------------------------------------------------------------ */

void rlx_engine_pause(rlx_engine *e, bool paused)
{
    if (e->ended || e->stopping || paused == e->paused || !e->ops->pause)
        return;
    if (!e->started) {
        e->paused = paused;   /* start paused: the sink is told when it starts */
        return;
    }
    e->ops->pause(e->sink, paused);
    e->paused = paused;
    refresh(e);
    emit(e, paused ? RLX_ENGINE_PAUSED : RLX_ENGINE_RESUMED);
}

void rlx_engine_seek(rlx_engine *e, int64_t frame)
{
    if (!e->started || e->ended || e->stopping)
        return;
    if (e->view_next) {
        /* a length change not heard yet: the buffer is dropped anyway, so
         * land in the new layout at once (frame counts in the old one) */
        frame = rlx_timeline_map_frame(rlx_renderer_timeline(e->view_r),
                                       rlx_renderer_timeline(e->view_next), frame < 0 ? 0 : frame);
        view_next(e);
    }
    if (frame < 0)
        frame = 0;
    if (frame > e->to)
        frame = e->to;
    /* interrupt first: the pump's drop for this seek clears it. The other
     * way round the pump could drop before the interrupt came, and a sink's
     * interrupt stays until the next drop: every write after it would fail
     * and the pump would race through the session unheard. */
    if (e->ops->interrupt)
        e->ops->interrupt(e->sink);
    atomic_store(&e->seek_target, frame);
    atomic_store(&e->seek_layout, e->layout);
    atomic_fetch_add(&e->seek_gen, 1);
    e->last_seek_target = frame;
    e->last_seek_ns = rlx_now_ns();
    refresh(e);
    emit(e, RLX_ENGINE_SEEKED);
}

/* Where relative moves start from: the last target if one was just asked
 * for (playback may not have got there yet), else what is heard. */
static int64_t seek_base(rlx_engine *e)
{
    if (rlx_now_ns() - e->last_seek_ns < SEEK_ADDS_UP_MS * 1000000LL)
        return e->last_seek_target;
    refresh(e);
    return e->st.pos;
}

void rlx_engine_seek_by(rlx_engine *e, int64_t ms)
{
    if (!e->started || e->ended || e->stopping)
        return;
    int64_t d = ms < 0 ? -rlx_ms_to_frames(-ms, e->rate) : rlx_ms_to_frames(ms, e->rate);
    rlx_engine_seek(e, seek_base(e) + d);
}

bool rlx_engine_next_line(rlx_engine *e)
{
    if (!e->started || e->ended || e->stopping)
        return false;
    const rlx_timeline *tl = rlx_engine_timeline(e);
    int64_t base = seek_base(e);
    for (size_t i = 0; i < tl->ncues; i++)
        if (rlx_cue_is_voice(tl->cues[i].cue) && !tl->cues[i].omitted && tl->cues[i].start > base) {
            rlx_engine_seek(e, tl->cues[i].start);
            return true;
        }
    return false;
}

void rlx_engine_prev_line(rlx_engine *e)
{
    if (!e->started || e->ended || e->stopping)
        return;
    const rlx_timeline *tl = rlx_engine_timeline(e);
    int64_t base = seek_base(e);
    int64_t grace = rlx_ms_to_frames(PREV_LINE_GRACE_MS, e->rate);
    int64_t best = -1;
    for (size_t i = 0; i < tl->ncues; i++) {
        if (!rlx_cue_is_voice(tl->cues[i].cue) || tl->cues[i].omitted)
            continue;
        if (tl->cues[i].start + grace > base)
            break;
        best = tl->cues[i].start;
    }
    rlx_engine_seek(e, best < 0 ? 0 : best);
}

double rlx_engine_set_volume_db(rlx_engine *e, double db)
{
    if (!(db <= 0))
        db = 0;   /* also NaN */
    if (db < RLX_ENGINE_VOLUME_MIN_DB)
        db = RLX_ENGINE_VOLUME_MIN_DB;
    e->vol_db = db;
    if (e->ops->set_volume)
        e->ops->set_volume(e->sink, db);
    return db;
}

double rlx_engine_set_background_db(rlx_engine *e, double db)
{
    if (!(db >= RLX_ENGINE_BACKGROUND_MIN_DB))
        db = RLX_ENGINE_BACKGROUND_MIN_DB;
    if (db > RLX_ENGINE_BACKGROUND_MAX_DB)
        db = RLX_ENGINE_BACKGROUND_MAX_DB;
    e->bg_db = db;
    if (e->view_r)
        rlx_renderer_set_background_db(e->view_r, db);  /* thread-safe */
    if (e->view_next)
        rlx_renderer_set_background_db(e->view_next, db);
    return db;
}

void rlx_engine_fade_stop(rlx_engine *e, int ms)
{
    if (!e->started || e->ended || e->stopping)
        return;
    refresh(e);
    e->stop_pos = e->st.pos;
    e->stopping = true;
    if (e->ops->fade_out) {
        e->ops->fade_out(e->sink, ms);
        e->stop_deadline_ns = rlx_now_ns() + (int64_t)(ms + STOP_SLACK_MS) * 1000000LL;
    } else {
        e->stop_deadline_ns = rlx_now_ns();
    }
    refresh(e);
    emit(e, RLX_ENGINE_STOPPING);
}

rlx_err rlx_engine_set_length(rlx_engine *e, int64_t length_ms, rlx_diags *diags)
{
    if (!e || !e->view_r || e->ended || e->stopping || (e->started && e->to != e->length))
        return RLX_ERR_USAGE;   /* not for an excerpt */
    if (e->started)
        refresh(e);
    if (e->swapping)
        return RLX_ERR_USAGE;   /* one change at a time */
    rlx_renderer *nr = NULL;
    rlx_err err = open_renderer(e, length_ms, false, &nr, diags);
    if (err != RLX_OK)
        return err;
    e->asked_ms = length_ms;
    e->asked_fit = false;
    if (!e->started) {
        rlx_renderer_close(e->r);
        e->r = e->view_r = nr;
        e->length = rlx_renderer_length(nr);
        return RLX_OK;
    }
    /* no interrupt: what the sink holds is heard; the pump takes the new
     * renderer after the block it is writing */
    rlx_renderer_set_background_db(nr, e->bg_db);
    e->view_next = nr;
    e->swapping = true;
    atomic_store(&e->next_id, ++e->layout);
    atomic_store(&e->next_r, nr);
    return RLX_OK;
}

/* ---- the end ---------------------------------------------------------------------- */

static void stop_pump(rlx_engine *e)
{
    if (!e->pump_started)
        return;
    atomic_store(&e->quit, true);
    if (e->ops->interrupt)
        e->ops->interrupt(e->sink);   /* out of a blocking write, also while paused */
    pthread_join(e->pump, NULL);
    e->pump_started = false;
}

rlx_err rlx_engine_finish(rlx_engine *e, bool commit)
{
    if (!e || e->finished)
        return RLX_OK;
    stop_pump(e);
    e->finished = true;
    bool whole = atomic_load(&e->drained) && !atomic_load(&e->source_err) && !atomic_load(&e->sink_err);
    rlx_err err = RLX_OK;
    if (e->sink) {
        err = e->ops->close(e->sink, commit && whole);
        e->sink = NULL;
    }
    return commit ? err : RLX_OK;
}

void rlx_engine_close(rlx_engine *e)
{
    if (!e)
        return;
    if (e->sink)
        rlx_engine_finish(e, false);
    /* the pump is gone: whatever it did not take over is ours to free */
    rlx_renderer *pending = atomic_exchange(&e->next_r, NULL);
    rlx_renderer_close(atomic_exchange(&e->old_r, NULL));
    rlx_renderer_close(pending);
    rlx_renderer_close(e->retired);
    rlx_renderer_close(e->r);
    pthread_mutex_destroy(&e->lock);
    pthread_mutex_destroy(&e->wake_lock);
    pthread_cond_destroy(&e->wake);
    free(e->ls);
    free(e->buf);
    free(e->xold);
    free(e->xnew);
    free(e);
}
