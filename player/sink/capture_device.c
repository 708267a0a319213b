/* capture_device.c - the audio input driver (see capture_device.h). */
#include "sink/capture_device.h"
#include "core/clock.h"
#include "core/sigmask.h"

#include <errno.h>
#include <math.h>
#include <portaudio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ring.h"
#include "sink/pa_device.h"
#include "sink/pa_quiet.h"

#define RLX_WATCHDOG_NS 1000000000LL
#define RLX_DRAIN_MS 5

struct rlx_capture {
    rlx_capture_config cfg;
    PaStream *stream;
    rlx_ring *ring;
    bool pa_up;
    int rate;
    char name[160];

    /* callback -> others */
    _Atomic uint32_t peak_bits;     /* float bits of the running peak */
    _Atomic uint32_t rms_bits;
    _Atomic bool clipped, finished;
    _Atomic uint64_t callbacks, frames, overruns;

    /* writer thread; `lock` guards the take (never taken by the callback) */
    pthread_t writer;
    bool writer_up;
    _Atomic bool quit;
    pthread_mutex_t lock;
    bool keeping;                   /* lock */
    float *take;                    /* lock */
    size_t take_n, take_cap;        /* lock */
    bool take_short;                /* lock: ran out of memory */
    size_t max_take;

    /* control-thread watchdog */
    uint64_t wd_callbacks;
    int64_t wd_since;
    bool lost;
    char lost_why[128];
};

static uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

rlx_capture_config rlx_capture_config_init(void)
{
    return (rlx_capture_config){.ring_s = 2.0, .max_take_s = 600.0};
}

/* RT: audio callback */
static int capture_cb(const void *inv, void *out, unsigned long nframes,
                      const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *user)
{
    (void)out;
    (void)ti;
    rlx_capture *c = user;
    const float *in = inv;
    atomic_fetch_add_explicit(&c->callbacks, 1, memory_order_relaxed);
    if (flags & paInputOverflow)
        atomic_fetch_add_explicit(&c->overruns, 1, memory_order_relaxed);
    if (!in)
        return paContinue;
    float peak = 0.0f;
    double sum = 0.0;
    bool clip = false;
    for (unsigned long i = 0; i < nframes; i++) {
        float a = fabsf(in[i]);
        if (a > peak)
            peak = a;
        clip |= a >= 0.999f;
        sum += (double)in[i] * in[i];
    }
    size_t w = rlx_ring_write(c->ring, in, nframes);
    if (w < nframes)
        atomic_fetch_add_explicit(&c->overruns, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->frames, nframes, memory_order_relaxed);
    /* peak hold until the meter reads it: a lock-free max */
    uint32_t old = atomic_load_explicit(&c->peak_bits, memory_order_relaxed);
    while (u2f(old) < peak &&
           !atomic_compare_exchange_weak_explicit(&c->peak_bits, &old, f2u(peak),
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
    atomic_store_explicit(&c->rms_bits, f2u(nframes ? (float)sqrt(sum / (double)nframes) : 0.0f),
                          memory_order_relaxed);
    if (clip)
        atomic_store_explicit(&c->clipped, true, memory_order_relaxed);
    return paContinue;
}

static void stream_finished(void *user)
{
    rlx_capture *c = user;
    atomic_store(&c->finished, true);
}

/* Drains the ring into the take (or discards it between takes). */
static void drain_once(rlx_capture *c)
{
    const float *p1, *p2;
    size_t n1, n2;
    /* the lock also makes the writer thread and take_end one reader of the ring */
    pthread_mutex_lock(&c->lock);
    size_t n = rlx_ring_read_regions(c->ring, rlx_ring_read_available(c->ring), &p1, &n1, &p2, &n2);
    if (!n) {
        pthread_mutex_unlock(&c->lock);
        return;
    }
    if (c->keeping && !c->take_short) {
        size_t want = c->take_n + n;
        if (want > c->max_take)
            want = c->max_take;
        if (want > c->take_cap) {
            size_t cap = c->take_cap ? c->take_cap : (size_t)c->rate * 10;
            while (cap < want)
                cap *= 2;
            if (cap > c->max_take)
                cap = c->max_take;
            float *t = realloc(c->take, cap * sizeof *t);
            if (t) {
                c->take = t;
                c->take_cap = cap;
            } else {
                c->take_short = true;
            }
        }
        size_t room = c->take_cap - c->take_n, a = n1 < room ? n1 : room;
        memcpy(c->take + c->take_n, p1, a * sizeof *p1);
        c->take_n += a;
        room -= a;
        size_t b = n2 < room ? n2 : room;
        if (b)
            memcpy(c->take + c->take_n, p2, b * sizeof *p2);
        c->take_n += b;
    }
    rlx_ring_read_commit(c->ring, n);
    pthread_mutex_unlock(&c->lock);
}

static void *writer_main(void *arg)
{
    rlx_capture *c = arg;
    while (!atomic_load(&c->quit)) {
        drain_once(c);
        rlx_sleep_ms(RLX_DRAIN_MS);
    }
    drain_once(c);
    return NULL;
}

rlx_err rlx_capture_open(const rlx_capture_config *cfg, rlx_capture **out, char *why,
                         size_t whylen)
{
    *out = NULL;
    if (whylen)
        why[0] = 0;
    rlx_capture *c = calloc(1, sizeof *c);
    if (!c)
        return RLX_ERR_NOMEM;
    c->cfg = cfg ? *cfg : rlx_capture_config_init();
    if (c->cfg.ring_s < 0.5)
        c->cfg.ring_s = 2.0;
    if (c->cfg.max_take_s <= 0)
        c->cfg.max_take_s = 600.0;
    pthread_mutex_init(&c->lock, NULL);
    rlx_err err = RLX_ERR_NO_DEVICE;
    if (rlx_pa_init_quiet() != paNoError) {
        snprintf(why, whylen, "no audio input device found: connect a microphone");
        goto error;
    }
    c->pa_up = true;
    int di = rlx_pa_device_pick(c->cfg.device, true, why, whylen);
    if (di < 0)
        goto error;
    const PaDeviceInfo *d = Pa_GetDeviceInfo(di);
    snprintf(c->name, sizeof c->name, "%s", d && d->name ? d->name : "?");
    c->rate = d ? (int)lround(d->defaultSampleRate) : 0;
    PaStreamParameters in = {
        .device = di,
        .channelCount = 1,
        .sampleFormat = paFloat32,
        .suggestedLatency = d && c->cfg.latency_s < d->defaultLowInputLatency
                                ? d->defaultLowInputLatency : c->cfg.latency_s,
    };
    rlx_quiet_fd q;
    if (c->cfg.rate > 0 && c->cfg.rate != c->rate) {
        rlx_quiet_begin(&q);
        if (Pa_IsFormatSupported(&in, NULL, c->cfg.rate) == paFormatIsSupported)
            c->rate = c->cfg.rate;
        rlx_quiet_end(&q);
    }
    if (c->rate <= 0) {
        snprintf(why, whylen, "input device '%s' reports no sample rate", c->name);
        goto error;
    }
    c->max_take = (size_t)(c->cfg.max_take_s * c->rate);
    if ((err = rlx_ring_open((size_t)(c->cfg.ring_s * c->rate), 1, &c->ring)) != RLX_OK)
        goto error;
    err = RLX_ERR_NO_DEVICE;
    rlx_quiet_begin(&q);
    PaError e = Pa_OpenStream(&c->stream, &in, NULL, c->rate, paFramesPerBufferUnspecified,
                              paClipOff | paDitherOff, capture_cb, c);
    if (e == paNoError)
        Pa_SetStreamFinishedCallback(c->stream, stream_finished);
    rlx_quiet_end(&q);
    if (e != paNoError) {
        c->stream = NULL;
        snprintf(why, whylen, "cannot open input '%s': %s", c->name, Pa_GetErrorText(e));
        goto error;
    }
    if (rlx_thread_start(&c->writer, NULL, writer_main, c) != 0) {
        err = RLX_ERR_NOMEM;
        goto error;
    }
    c->writer_up = true;
    rlx_quiet_begin(&q);
    e = Pa_StartStream(c->stream);
    rlx_quiet_end(&q);
    if (e != paNoError) {
        snprintf(why, whylen, "cannot start input '%s': %s", c->name, Pa_GetErrorText(e));
        goto error;
    }
    rlx_pa_release_jack_graph();   /* opening looked ports up */
    c->wd_since = rlx_now_ns();
    *out = c;
    return RLX_OK;
error:
    rlx_capture_close(c);
    return err;
}

rlx_err rlx_capture_list(rlx_device_info **out, size_t *n)
{
    return rlx_pa_device_list(true, out, n);
}

int rlx_capture_rate(const rlx_capture *c)
{
    return c->rate;
}

const char *rlx_capture_device(const rlx_capture *c)
{
    return c->name;
}

void rlx_capture_take_begin(rlx_capture *c)
{
    pthread_mutex_lock(&c->lock);
    c->take_n = 0;
    c->take_short = false;
    c->keeping = true;
    pthread_mutex_unlock(&c->lock);
}

rlx_err rlx_capture_take_end(rlx_capture *c, float **samples, size_t *frames)
{
    drain_once(c);   /* what the callback delivered up to now belongs to the take */
    pthread_mutex_lock(&c->lock);
    c->keeping = false;
    bool short_ = c->take_short;
    *samples = c->take;
    *frames = c->take_n;
    c->take = NULL;
    c->take_n = c->take_cap = 0;
    pthread_mutex_unlock(&c->lock);
    if (!*samples) {
        *samples = calloc(1, sizeof **samples);
        if (!*samples)
            return RLX_ERR_NOMEM;
    }
    return short_ ? RLX_ERR_NOMEM : RLX_OK;
}

size_t rlx_capture_take_frames(rlx_capture *c)
{
    pthread_mutex_lock(&c->lock);
    size_t n = c->take_n;
    pthread_mutex_unlock(&c->lock);
    return n;
}

void rlx_capture_get_status(rlx_capture *c, rlx_capture_status *st)
{
    memset(st, 0, sizeof *st);
    st->peak = u2f(atomic_exchange(&c->peak_bits, 0));
    st->rms = u2f(atomic_load(&c->rms_bits));
    st->clipped = atomic_exchange(&c->clipped, false);
    st->callbacks = atomic_load(&c->callbacks);
    st->frames = atomic_load(&c->frames);
    st->overruns = atomic_load(&c->overruns);
    if (c->stream && !c->lost) {
        int64_t now = rlx_now_ns();
        if (st->callbacks != c->wd_callbacks) {
            c->wd_callbacks = st->callbacks;
            c->wd_since = now;
        } else if (now - c->wd_since > RLX_WATCHDOG_NS) {
            snprintf(c->lost_why, sizeof c->lost_why, "no audio from the input for %.1f s",
                     (double)(now - c->wd_since) / 1e9);
            c->lost = true;
        }
        if (!c->lost) {
            PaError a = Pa_IsStreamActive(c->stream);
            if (a < 0) {
                snprintf(c->lost_why, sizeof c->lost_why, "%s", Pa_GetErrorText(a));
                c->lost = true;
            } else if (a == 0 || atomic_load(&c->finished)) {
                snprintf(c->lost_why, sizeof c->lost_why, "the input stream stopped");
                c->lost = true;
            }
        }
    }
    st->lost = c->lost;
    snprintf(st->lost_why, sizeof st->lost_why, "%s", c->lost_why);
}

void rlx_capture_close(rlx_capture *c)
{
    if (!c)
        return;
    bool abandoned = c->pa_up &&
                     !rlx_pa_close_bounded(c->stream, c->lost, c->lost ? RLX_PA_CLOSE_WAIT_LOST_MS : RLX_PA_CLOSE_WAIT_MS);
    /* abandoned: c and the ring stay alive for the stuck callback */
    if (c->writer_up) {
        atomic_store(&c->quit, true);
        pthread_join(c->writer, NULL);
        c->writer_up = false;
    }
    if (abandoned)
        return;
    rlx_ring_close(c->ring);
    free(c->take);
    pthread_mutex_destroy(&c->lock);
    free(c);
}
