/* sink_device.c - the audio device driver (see sink_device.h).
 * Everything the callback needs to know arrives through atomics; everything
 * it reports leaves through atomics. The callback never waits. */
#include "sink/sink_device.h"

#include <errno.h>
#include <math.h>
#include <portaudio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/ring.h"
#include "sink/pa_device.h"
#include "sink/pa_quiet.h"

#define RLX_CHANNELS 2
#define RLX_RAMP_MS 20
#define RLX_WATCHDOG_NS 1000000000LL
/* A stream that PortAudio still calls active (the server has not shut it
 * down) but that gets no callbacks is a slow or stopped server, not a dead
 * one: on a loaded machine that lasts seconds. It is given this long; a dead
 * server is reported by the watchdog at once (the stream is no longer active). */
#define RLX_WATCHDOG_SLOW_NS 10000000000LL
/* the pump's longest sleep on a full ring: a slow device (a loaded dummy
 * server) is re-checked this often */
#define RLX_PUMP_WAIT_MAX_MS 500

rlx_err rlx_device_list(rlx_device_info **out, size_t *n)
{
    return rlx_pa_device_list(false, out, n);
}

/* --- the driver ------------------------------------------------------------ */

typedef struct {
    rlx_sink base;           /* first: the engine holds &base */
    rlx_sink_config cfg;
    rlx_device_info dev;
    int rate;
    PaStream *stream;
    rlx_ring *ring;
    bool pa_up;

    /* control -> callback */
    _Atomic bool paused;
    _Atomic int vol_mdb;            /* master volume, millidecibels */
    _Atomic int fade_ms;            /* fade-out request (0 = none) */
    _Atomic unsigned fade_gen;
    _Atomic unsigned flush_req;     /* pump: discard the ring */
    /* pump: "the data after flush number G has ended" is stored as G + 1,
     * so an end mark left over from before a drop means nothing. */
    _Atomic unsigned eof_mark;
    unsigned epoch;                 /* pump: flushes issued so far */

    /* control -> pump */
    _Atomic unsigned intr;          /* interrupt requests */
    unsigned intr_seen;             /* pump: requests cleared by the last drop */
    pthread_mutex_t wake_lock;      /* with wake: an interrupt ends the pump's wait at once */
    pthread_cond_t wake;

    /* callback -> others */
    _Atomic unsigned flush_ack;
    _Atomic uint64_t callbacks, underruns, underflows;
    _Atomic uint64_t consumed;      /* frames taken from the ring and played */
    _Atomic uint64_t busy_ns, cb_frames, max_ns;
    _Atomic int64_t first_audio_ns;
    _Atomic bool silent, drained, faded, finished;

    /* callback-private state (only the callback touches these) */
    struct {
        float pg;          /* pause / flush ramp gain */
        float vol, vol_target, vol_step;
        int vol_seen;
        float fg, fstep;   /* fade-out gain */
        unsigned fade_seen;
        float sg, sstep;   /* start fade-in gain */
        bool priming;
        bool flushing;
        unsigned flush_seen;
        float ramp_step;
        size_t prime;
        bool vol_init;
    } cb;

    /* control-thread watchdog */
    uint64_t wd_callbacks;
    int64_t wd_since;
    _Atomic bool lost;
    char lost_why[128];
} dev_sink;

static PaStreamParameters out_params(const dev_sink *p)
{
    PaStreamParameters o = {
        .device = p->dev.index,
        .channelCount = RLX_CHANNELS,
        .sampleFormat = paFloat32,
        .suggestedLatency = p->cfg.latency_s > p->dev.low_latency ? p->cfg.latency_s : p->dev.low_latency,
        .hostApiSpecificStreamInfo = NULL,
    };
    return o;
}

static rlx_err dev_close(rlx_sink *s, bool commit);

static rlx_err dev_open(const rlx_sink_config *cfg, rlx_sink **out, char *why, size_t whylen)
{
    *out = NULL;
    if (whylen)
        why[0] = 0;
    dev_sink *p = calloc(1, sizeof *p);
    if (!p)
        return RLX_ERR_NOMEM;
    p->base.ops = &rlx_sink_device_ops;
    pthread_mutex_init(&p->wake_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (cfg)
        p->cfg = *cfg;
    if (p->cfg.latency_s <= 0)
        p->cfg.latency_s = 0.08;
    if (p->cfg.ring_s < 1)
        p->cfg.ring_s = 1.5;
    if (!p->cfg.block_frames)
        p->cfg.block_frames = 1024;
    rlx_err err = RLX_ERR_NO_DEVICE;
    if (rlx_pa_init_quiet() != paNoError) {
        snprintf(why, whylen, "no audio output device found");
        goto error;
    }
    p->pa_up = true;
    int di = rlx_pa_device_pick(p->cfg.target, false, why, whylen);
    if (di < 0)
        goto error;
    rlx_pa_device_info(di, false, &p->dev);
    if (p->dev.max_channels < RLX_CHANNELS) {
        snprintf(why, whylen, "device '%s' has no stereo output", p->dev.name);
        goto error;
    }
    p->rate = (int)lround(p->dev.default_rate);
    if (p->cfg.rate > 0 && p->cfg.rate != p->rate) {
        PaStreamParameters o = out_params(p);
        rlx_quiet_fd q;
        rlx_quiet_begin(&q);
        if (Pa_IsFormatSupported(NULL, &o, p->cfg.rate) == paFormatIsSupported)
            p->rate = p->cfg.rate;
        rlx_quiet_end(&q);
    }
    if (p->rate <= 0) {
        snprintf(why, whylen, "device '%s' reports no sample rate", p->dev.name);
        goto error;
    }
    p->cfg.target = NULL;   /* borrowed; not needed after the pick */
    *out = &p->base;
    return RLX_OK;
error:
    dev_close(&p->base, false);
    return err;
}

/* RT: audio callback */
static int audio_cb(const void *in, void *outv, unsigned long nframes,
                    const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *user)
{
    (void)in;
    (void)ti;
    dev_sink *p = user;
    float *out = outv;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    atomic_fetch_add_explicit(&p->callbacks, 1, memory_order_relaxed);
    if (flags & paOutputUnderflow)
        atomic_fetch_add_explicit(&p->underflows, 1, memory_order_relaxed);

    /* new commands */
    int vmdb = atomic_load_explicit(&p->vol_mdb, memory_order_relaxed);
    if (!p->cb.vol_init || vmdb != p->cb.vol_seen) {
        float tv = powf(10.0f, (float)vmdb / 20000.0f);
        if (vmdb == 0)
            tv = 1.0f;
        if (!p->cb.vol_init) {
            p->cb.vol = tv;
            p->cb.vol_init = true;
        }
        p->cb.vol_target = tv;
        p->cb.vol_step = (tv - p->cb.vol) * p->cb.ramp_step;
        p->cb.vol_seen = vmdb;
    }
    unsigned fgen = atomic_load_explicit(&p->fade_gen, memory_order_acquire);
    if (fgen != p->cb.fade_seen) {
        int ms = atomic_load_explicit(&p->fade_ms, memory_order_relaxed);
        float frames = (float)ms * (float)p->rate / 1000.0f;
        p->cb.fstep = frames >= 1.0f ? 1.0f / frames : 1.0f;
        p->cb.fade_seen = fgen;
    }
    unsigned freq = atomic_load_explicit(&p->flush_req, memory_order_acquire);
    if (freq != p->cb.flush_seen) {
        p->cb.flushing = true;
        p->cb.flush_seen = freq;
    }
    bool eof = !p->cb.flushing &&
               atomic_load_explicit(&p->eof_mark, memory_order_acquire) == p->cb.flush_seen + 1;
    bool paused = atomic_load_explicit(&p->paused, memory_order_relaxed);

    /* a flush completes once the ramp is down: drop the ring, wait to refill */
    if (p->cb.flushing && p->cb.pg <= 0.0f) {
        rlx_ring_skip(p->ring, rlx_ring_read_available(p->ring));
        p->cb.flushing = false;
        p->cb.priming = true;
        atomic_store_explicit(&p->drained, false, memory_order_relaxed);
        atomic_store_explicit(&p->flush_ack, freq, memory_order_release);
        eof = false;  /* a new epoch: its end has not been marked yet */
    }
    size_t fill = rlx_ring_read_available(p->ring);
    if (p->cb.priming && (fill >= p->cb.prime || eof))
        p->cb.priming = false;

    bool hush = paused || p->cb.flushing;
    size_t done = 0, from_ring = 0;
    if (!p->cb.priming && !(hush && p->cb.pg <= 0.0f) && p->cb.fg > 0.0f) {
        const float *r1, *r2;
        size_t n1, n2;
        size_t have = rlx_ring_read_regions(p->ring, nframes, &r1, &n1, &r2, &n2);
        float target = hush ? 0.0f : 1.0f;
        bool fading = p->cb.fade_seen != 0 && p->cb.fstep > 0.0f;
        for (; done < nframes; done++) {
            float l = 0.0f, r = 0.0f;
            if (done < have) {
                const float *f = done < n1 ? r1 + 2 * done : r2 + 2 * (done - n1);
                l = f[0];
                r = f[1];
                from_ring++;
            }
            if (p->cb.pg != target) {
                p->cb.pg += target > p->cb.pg ? p->cb.ramp_step : -p->cb.ramp_step;
                if (p->cb.pg > 1.0f || (target == 1.0f && p->cb.pg > 1.0f - 1e-6f))
                    p->cb.pg = 1.0f;
                if (p->cb.pg < 0.0f || (target == 0.0f && p->cb.pg < 1e-6f))
                    p->cb.pg = 0.0f;
            }
            if (p->cb.vol != p->cb.vol_target) {
                p->cb.vol += p->cb.vol_step;
                if ((p->cb.vol_step > 0 && p->cb.vol >= p->cb.vol_target) ||
                    (p->cb.vol_step < 0 && p->cb.vol <= p->cb.vol_target) || p->cb.vol_step == 0)
                    p->cb.vol = p->cb.vol_target;
            }
            if (fading && p->cb.fg > 0.0f) {
                p->cb.fg -= p->cb.fstep;
                if (p->cb.fg < 0.0f)
                    p->cb.fg = 0.0f;
            }
            if (p->cb.sg < 1.0f) {
                p->cb.sg += p->cb.sstep;
                if (p->cb.sg > 1.0f)
                    p->cb.sg = 1.0f;
            }
            float g = p->cb.pg * p->cb.vol * p->cb.fg * p->cb.sg;
            out[2 * done] = l * g;
            out[2 * done + 1] = r * g;
            if ((hush && p->cb.pg <= 0.0f) || p->cb.fg <= 0.0f) {
                done++;
                break;
            }
        }
        rlx_ring_read_commit(p->ring, from_ring);
        atomic_fetch_add_explicit(&p->consumed, from_ring, memory_order_relaxed);
        if (done == nframes && from_ring < nframes && !eof && !hush)
            atomic_fetch_add_explicit(&p->underruns, 1, memory_order_relaxed);
        if (from_ring && !atomic_load_explicit(&p->first_audio_ns, memory_order_relaxed)) {
            int64_t ns = (int64_t)t0.tv_sec * 1000000000LL + t0.tv_nsec;
            atomic_store_explicit(&p->first_audio_ns, ns, memory_order_relaxed);
        }
    }
    for (size_t i = done; i < nframes; i++)
        out[2 * i] = out[2 * i + 1] = 0.0f;

    if (p->cb.fg <= 0.0f)
        atomic_store_explicit(&p->faded, true, memory_order_release);
    else if (hush && p->cb.pg <= 0.0f && p->cb.fade_seen != 0)
        atomic_store_explicit(&p->faded, true, memory_order_release);  /* fading while paused: already silent */
    atomic_store_explicit(&p->silent, paused && p->cb.pg <= 0.0f, memory_order_release);
    if (eof && rlx_ring_read_available(p->ring) == 0)
        atomic_store_explicit(&p->drained, true, memory_order_release);

    clock_gettime(CLOCK_MONOTONIC, &t1);
    uint64_t ns = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
    atomic_fetch_add_explicit(&p->busy_ns, ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->cb_frames, nframes, memory_order_relaxed);
    if (ns > atomic_load_explicit(&p->max_ns, memory_order_relaxed))
        atomic_store_explicit(&p->max_ns, ns, memory_order_relaxed);
    return paContinue;
}

static void stream_finished(void *user)
{
    dev_sink *p = user;
    atomic_store(&p->finished, true);
}

static rlx_err dev_start(rlx_sink *s, char *why, size_t whylen)
{
    dev_sink *p = (dev_sink *)s;
    if (whylen)
        why[0] = 0;
    rlx_err err = rlx_ring_open((size_t)(p->cfg.ring_s * p->rate), RLX_CHANNELS, &p->ring);
    if (err != RLX_OK)
        return err;
    int mdb = (int)lround((p->cfg.volume_db < 0 ? p->cfg.volume_db : 0) * 1000);
    atomic_store(&p->vol_mdb, mdb);
    p->cb.ramp_step = 1.0f / ((float)RLX_RAMP_MS * (float)p->rate / 1000.0f);
    p->cb.pg = 1.0f;
    p->cb.fg = 1.0f;
    p->cb.priming = true;
    p->cb.prime = (size_t)p->rate / 20;
    if (p->cb.prime > rlx_ring_capacity(p->ring) / 2)
        p->cb.prime = rlx_ring_capacity(p->ring) / 2;
    if (p->cfg.fade_in_ms > 0) {
        p->cb.sg = 0.0f;
        p->cb.sstep = 1.0f / ((float)p->cfg.fade_in_ms * (float)p->rate / 1000.0f);
    } else {
        p->cb.sg = 1.0f;
    }

    PaStreamParameters o = out_params(p);
    rlx_quiet_fd q;
    rlx_quiet_begin(&q);
    PaError e = Pa_OpenStream(&p->stream, NULL, &o, p->rate, paFramesPerBufferUnspecified,
                              paClipOff | paDitherOff, audio_cb, p);
    if (e == paNoError)
        Pa_SetStreamFinishedCallback(p->stream, stream_finished);
    rlx_quiet_end(&q);
    if (e != paNoError) {
        p->stream = NULL;
        snprintf(why, whylen, "cannot open '%s': %s", p->dev.name, Pa_GetErrorText(e));
        return RLX_ERR_NO_DEVICE;
    }
    rlx_quiet_begin(&q);
    e = Pa_StartStream(p->stream);
    rlx_quiet_end(&q);
    if (e != paNoError) {
        snprintf(why, whylen, "cannot start '%s': %s", p->dev.name, Pa_GetErrorText(e));
        return RLX_ERR_NO_DEVICE;
    }
    rlx_pa_release_jack_graph();   /* opening looked ports up */
    p->wd_callbacks = 0;
    p->wd_since = rlx_now_ns();
    return RLX_OK;
}

static bool interrupted(dev_sink *p)
{
    return atomic_load(&p->intr) != p->intr_seen;
}

/* Pump: sleeps up to ms, or until an interrupt is asked for. */
static void pump_wait(dev_sink *p, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->wake_lock);
    while (!interrupted(p))
        if (pthread_cond_timedwait(&p->wake, &p->wake_lock, &ts) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&p->wake_lock);
}

static rlx_err dev_write(rlx_sink *s, const float *frames, size_t n)
{
    dev_sink *p = (dev_sink *)s;
    uint64_t last_cb = atomic_load(&p->callbacks);
    int64_t last_progress = rlx_now_ns();
    size_t cap = rlx_ring_capacity(p->ring);
    while (n) {
        if (interrupted(p))
            return RLX_ERR_INTERRUPTED;
        size_t k = rlx_ring_write(p->ring, frames, n);
        if (k) {
            frames += 2 * k;
            n -= k;
            last_progress = rlx_now_ns();
            continue;
        }
        uint64_t cb = atomic_load(&p->callbacks);
        if (cb != last_cb) {
            last_cb = cb;
            last_progress = rlx_now_ns();
        } else if (atomic_load(&p->lost) || rlx_now_ns() - last_progress > RLX_WATCHDOG_SLOW_NS) {
            return RLX_ERR_DEVICE_LOST;
        }
        /* The ring is full. Wake when a quarter of it has played, then fill
         * it again in one go: a few wakeups a second instead of one per
         * block, and still three quarters of the ring (about a second)
         * between the device and an underrun. An interrupt (seek, length
         * change, quit) ends the wait at once. */
        size_t fill = rlx_ring_read_available(p->ring);
        size_t low = cap - cap / 4;
        int ms = fill > low ? (int)((fill - low) * 1000 / (size_t)p->rate) : 0;
        pump_wait(p, ms < 2 ? 2 : ms > RLX_PUMP_WAIT_MAX_MS ? RLX_PUMP_WAIT_MAX_MS : ms);
    }
    return RLX_OK;
}

/* Asks the callback to ramp down and drop the ring; waits (bounded) for it.
 * Clears interrupts asked for before it. */
static rlx_err dev_drop(rlx_sink *s)
{
    dev_sink *p = (dev_sink *)s;
    p->intr_seen = atomic_load(&p->intr);
    unsigned gen = ++p->epoch;
    atomic_store_explicit(&p->flush_req, gen, memory_order_release);
    int64_t t0 = rlx_now_ns();
    while (atomic_load_explicit(&p->flush_ack, memory_order_acquire) != gen) {
        if (atomic_load(&p->lost) || rlx_now_ns() - t0 > RLX_WATCHDOG_SLOW_NS)
            return RLX_ERR_DEVICE_LOST;   /* the watchdog reports it */
        rlx_sleep_ms(2);
    }
    return RLX_OK;
}

static rlx_err dev_drain(rlx_sink *s)
{
    dev_sink *p = (dev_sink *)s;
    atomic_store_explicit(&p->eof_mark, p->epoch + 1, memory_order_release);
    /* Bounded on the audio clock, not the wall clock: a loaded machine may
     * play the ring slowly, but once the device has played the whole ring
     * and a second more without draining, something is wrong. No callbacks
     * at all for the slow limit means the device is gone. */
    uint64_t bound = (uint64_t)((p->cfg.ring_s + 1.0) * p->rate);
    uint64_t start = atomic_load(&p->consumed);
    uint64_t last_cb = atomic_load(&p->callbacks);
    int64_t last_progress = rlx_now_ns();
    while (!atomic_load_explicit(&p->drained, memory_order_acquire)) {
        if (interrupted(p))
            return RLX_ERR_INTERRUPTED;
        uint64_t cb = atomic_load(&p->callbacks);
        if (cb != last_cb) {
            last_cb = cb;
            last_progress = rlx_now_ns();
        }
        if (atomic_load(&p->lost) || rlx_now_ns() - last_progress > RLX_WATCHDOG_SLOW_NS ||
            atomic_load(&p->consumed) - start > bound)
            return RLX_ERR_DEVICE_LOST;
        rlx_sleep_ms(5);
    }
    return RLX_OK;
}

static int64_t dev_played(rlx_sink *base)
{
    return (int64_t)atomic_load(&((dev_sink *)base)->consumed);
}

static int64_t dev_latency(rlx_sink *s)
{
    dev_sink *p = (dev_sink *)s;
    return p->ring ? (int64_t)rlx_ring_read_available(p->ring) : 0;
}

static void dev_pause(rlx_sink *s, bool paused)
{
    dev_sink *p = (dev_sink *)s;
    atomic_store(&p->paused, paused);
}

static void dev_set_volume(rlx_sink *s, double db)
{
    dev_sink *p = (dev_sink *)s;
    if (db < -60)
        db = -60;
    if (db > 12)
        db = 12;
    atomic_store(&p->vol_mdb, (int)lround(db * 1000));
}

static void dev_fade_out(rlx_sink *s, int ms)
{
    dev_sink *p = (dev_sink *)s;
    atomic_store(&p->fade_ms, ms > 0 ? ms : 1);
    atomic_fetch_add_explicit(&p->fade_gen, 1, memory_order_release);
}

static void dev_interrupt(rlx_sink *s)
{
    dev_sink *p = (dev_sink *)s;
    pthread_mutex_lock(&p->wake_lock);
    atomic_fetch_add(&p->intr, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->wake_lock);
}

static void dev_status(rlx_sink *s, rlx_sink_status *st)
{
    dev_sink *p = (dev_sink *)s;
    memset(st, 0, sizeof *st);
    st->rate = p->rate;
    st->played = (int64_t)atomic_load(&p->consumed);
    st->silent = atomic_load(&p->silent);
    st->faded = atomic_load(&p->faded);
    st->callbacks = atomic_load(&p->callbacks);
    st->underruns = atomic_load(&p->underruns);
    st->device_underflows = atomic_load(&p->underflows);
    uint64_t frames = atomic_load(&p->cb_frames);
    if (frames && p->rate)
        st->callback_load = (double)atomic_load(&p->busy_ns) / ((double)frames / p->rate * 1e9);
    st->max_callback_ms = (double)atomic_load(&p->max_ns) / 1e6;
    st->first_audio_ns = atomic_load(&p->first_audio_ns);
    st->cpu_load = p->stream ? Pa_GetStreamCpuLoad(p->stream) : 0.0;
    snprintf(st->device, sizeof st->device, "%s", p->dev.name);
    snprintf(st->host_api, sizeof st->host_api, "%s", p->dev.host_api);

    /* watchdog */
    if (p->stream && !atomic_load(&p->lost)) {
        int64_t now = rlx_now_ns();
        if (st->callbacks != p->wd_callbacks) {
            p->wd_callbacks = st->callbacks;
            p->wd_since = now;
        } else if (now - p->wd_since > RLX_WATCHDOG_NS) {
            /* dead (the stream is no longer active: caught below at once) or
             * only slow (still active: wait for the long limit) */
            PaError a = Pa_IsStreamActive(p->stream);
            if (a == 1 && !atomic_load(&p->finished) && now - p->wd_since > RLX_WATCHDOG_SLOW_NS) {
                snprintf(p->lost_why, sizeof p->lost_why,
                         "no audio callbacks for %.1f s although the device is still open",
                         (double)(now - p->wd_since) / 1e9);
                atomic_store(&p->lost, true);
            }
        }
        if (!atomic_load(&p->lost)) {
            PaError a = Pa_IsStreamActive(p->stream);
            if (a < 0) {
                snprintf(p->lost_why, sizeof p->lost_why, "%s", Pa_GetErrorText(a));
                atomic_store(&p->lost, true);
            } else if (a == 0 || atomic_load(&p->finished)) {
                snprintf(p->lost_why, sizeof p->lost_why, "the stream stopped");
                atomic_store(&p->lost, true);
            }
        }
    }
    st->lost = atomic_load(&p->lost);
    snprintf(st->lost_why, sizeof st->lost_why, "%s", p->lost_why);
}

/* Stops the stream and terminates PortAudio, each step bounded (a dead
 * JACK server must not hang us: after ~1 s the stream is abandoned). */
static rlx_err dev_close(rlx_sink *s, bool commit)
{
    (void)commit;   /* the engine drains before it closes */
    dev_sink *p = (dev_sink *)s;
    if (!p)
        return RLX_OK;
    bool abandoned = p->pa_up &&
                     !rlx_pa_close_bounded(p->stream, atomic_load(&p->lost),
                                           atomic_load(&p->lost) ? RLX_PA_CLOSE_WAIT_LOST_MS : RLX_PA_CLOSE_WAIT_MS);
    /* abandoned: p and the ring stay alive for the stuck callback */
    if (abandoned)
        return RLX_OK;
    rlx_ring_close(p->ring);
    pthread_mutex_destroy(&p->wake_lock);
    pthread_cond_destroy(&p->wake);
    free(p);
    return RLX_OK;
}

const rlx_sink_ops rlx_sink_device_ops = {
    .name = "device",
    .open = dev_open,
    .start = dev_start,
    .write = dev_write,
    .pause = dev_pause,
    .drop = dev_drop,
    .drain = dev_drain,
    .latency = dev_latency,
    .played = dev_played,
    .set_volume = dev_set_volume,
    .fade_out = dev_fade_out,
    .interrupt = dev_interrupt,
    .status = dev_status,
    .close = dev_close,
};
