/* sink_null.c - consumes frames and hears nothing (see sink_null.h).
 * Nothing is buffered: a frame is "heard" when write takes it. While
 * paused, write waits (a paused device consumes nothing), so the engine's
 * position stands still exactly as it would on a device. */
#include "sink/sink_null.h"
#include "core/clock.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    rlx_sink base;
    int rate;
    bool realtime;
    _Atomic bool paused;
    _Atomic int64_t played;
    _Atomic unsigned intr;      /* interrupt requests */
    unsigned intr_seen;         /* pump thread: requests cleared by the last drop */
    _Atomic int fade_ms;        /* > 0: a fade-out was asked for */
    int64_t fade_left;          /* pump thread: frames until silent; -1 = not fading */
    _Atomic bool faded;
    int64_t pace_t0_ns;         /* real time: clock at pace_frames == 0 */
    int64_t pace_frames;
} null_sink;

static bool interrupted(null_sink *s)
{
    return atomic_load(&s->intr) != s->intr_seen;
}

static rlx_err null_open(const rlx_sink_config *cfg, rlx_sink **out, char *why, size_t whylen)
{
    (void)why, (void)whylen;
    *out = NULL;
    null_sink *s = calloc(1, sizeof *s);
    if (!s)
        return RLX_ERR_NOMEM;
    s->base.ops = &rlx_sink_null_ops;
    s->rate = cfg && cfg->rate > 0 ? cfg->rate : 48000;
    s->realtime = cfg && cfg->realtime;
    s->fade_left = -1;
    *out = &s->base;
    return RLX_OK;
}

static rlx_err null_write(rlx_sink *base, const float *frames, size_t n)
{
    null_sink *s = (null_sink *)base;
    (void)frames;
    /* paused: consume nothing until resumed (or interrupted) */
    bool waited = false;
    while (atomic_load(&s->paused)) {
        if (interrupted(s))
            return RLX_ERR_INTERRUPTED;
        rlx_sleep_ns(1000000);
        waited = true;
    }
    if (interrupted(s))
        return RLX_ERR_INTERRUPTED;
    if (atomic_load(&s->faded))
        return RLX_OK;  /* silent for good: nothing more is heard */
    if (s->realtime) {
        if (waited || s->pace_frames == 0) {
            s->pace_t0_ns = rlx_now_ns();
            s->pace_frames = 0;
        }
        s->pace_frames += (int64_t)n;
        int64_t due = s->pace_t0_ns + s->pace_frames * 1000000000LL / s->rate;
        int64_t wait = due - rlx_now_ns();
        if (wait > 0)
            rlx_sleep_ns(wait);
    }
    int fms = atomic_load(&s->fade_ms);
    if (fms > 0) {
        if (s->fade_left < 0)
            s->fade_left = (int64_t)fms * s->rate / 1000;
        int64_t take = s->fade_left < (int64_t)n ? s->fade_left : (int64_t)n;
        s->fade_left -= take;
        atomic_fetch_add(&s->played, take);
        if (s->fade_left <= 0)
            atomic_store(&s->faded, true);
        return RLX_OK;
    }
    atomic_fetch_add(&s->played, (int64_t)n);
    return RLX_OK;
}

static void null_pause(rlx_sink *base, bool paused)
{
    null_sink *s = (null_sink *)base;
    atomic_store(&s->paused, paused);
}

static rlx_err null_drop(rlx_sink *base)
{
    null_sink *s = (null_sink *)base;
    s->intr_seen = atomic_load(&s->intr);
    s->pace_frames = 0;
    return RLX_OK;
}

static int64_t null_played(rlx_sink *base)
{
    return atomic_load(&((null_sink *)base)->played);
}

static int64_t null_latency(rlx_sink *base)
{
    (void)base;
    return 0;
}

static void null_set_volume(rlx_sink *base, double db)
{
    (void)base, (void)db;  /* nothing is heard */
}

static void null_fade_out(rlx_sink *base, int ms)
{
    null_sink *s = (null_sink *)base;
    atomic_store(&s->fade_ms, ms > 0 ? ms : 1);
    if (atomic_load(&s->paused))
        atomic_store(&s->faded, true);  /* fading while paused: already silent */
}

static void null_interrupt(rlx_sink *base)
{
    null_sink *s = (null_sink *)base;
    atomic_fetch_add(&s->intr, 1);
}

static void null_status(rlx_sink *base, rlx_sink_status *st)
{
    null_sink *s = (null_sink *)base;
    memset(st, 0, sizeof *st);
    st->rate = s->rate;
    st->played = atomic_load(&s->played);
    st->silent = atomic_load(&s->paused);
    st->faded = atomic_load(&s->faded);
}

static rlx_err null_close(rlx_sink *base, bool commit)
{
    (void)commit;
    free(base);
    return RLX_OK;
}

const rlx_sink_ops rlx_sink_null_ops = {
    .name = "null",
    .open = null_open,
    .write = null_write,
    .pause = null_pause,
    .drop = null_drop,
    .latency = null_latency,
    .played = null_played,
    .set_volume = null_set_volume,
    .fade_out = null_fade_out,
    .interrupt = null_interrupt,
    .status = null_status,
    .close = null_close,
};
