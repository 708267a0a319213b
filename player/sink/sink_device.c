/* sink_device.c - live playback through PortAudio (see player.h).
 *
 * Data path: source -> render thread -> device sink -> ring -> callback.
 * Everything the callback needs to know arrives through atomics; everything
 * it reports leaves through atomics. The callback never waits. */
#include "sink/player.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <portaudio.h>
#include <pa_jack.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/ring.h"

#define RLX_CHANNELS 2
#define RLX_RAMP_MS 20
#define RLX_WATCHDOG_NS 1000000000LL
/* A stream that PortAudio still calls active (the server has not shut it
 * down) but that gets no callbacks is a slow or stopped server, not a dead
 * one: on a loaded machine that lasts seconds. It is given this long. */
#define RLX_WATCHDOG_SLOW_NS 10000000000LL
#define RLX_CLOSE_WAIT_MS 1000
#define RLX_CLOSE_WAIT_LOST_MS 300   /* a dead server often never answers */

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) == -1 && errno == EINTR)
        ;
}

/* --- keeping PortAudio/ALSA/JACK chatter off the terminal ------------------ */

typedef struct {
    int saved;
} quiet_fd;

static void quiet_begin(quiet_fd *q)
{
    fflush(stderr);
    q->saved = dup(2);
    int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (nul >= 0) {
        dup2(nul, 2);
        close(nul);
    }
}

static void quiet_end(quiet_fd *q)
{
    if (q->saved >= 0) {
        dup2(q->saved, 2);
        close(q->saved);
        q->saved = -1;
    }
}

/* PortAudio 19.6 asserts (abort) in its ALSA device scan on some broken ALSA
 * configurations (an empty one, say) and on devices that change mid-scan.
 * While Pa_Initialize runs, SIGABRT jumps back here instead: relax then sees
 * no audio system and says so (exit 6, or `next` renders) instead of dying. */
static sigjmp_buf pa_abort_jump;
static volatile sig_atomic_t pa_abort_armed;

static void on_pa_abort(int sig)
{
    (void)sig;
    if (pa_abort_armed)
        siglongjmp(pa_abort_jump, 1);
}

static PaError pa_init_quiet(void)
{
    /* PortAudio's JACK host API would otherwise start a JACK server. */
    setenv("JACK_NO_START_SERVER", "1", 1);
    quiet_fd q;
    quiet_begin(&q);
    PaJack_SetClientName("relax");
    struct sigaction sa = {.sa_handler = on_pa_abort}, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGABRT, &sa, &old);
    volatile PaError e = paInternalError;   /* stays so if PortAudio aborted */
    if (sigsetjmp(pa_abort_jump, 1) == 0) {
        pa_abort_armed = 1;
        e = Pa_Initialize();
    }
    pa_abort_armed = 0;
    sigaction(SIGABRT, &old, NULL);
    quiet_end(&q);
    return e;
}

static void pa_terminate_quiet(void)
{
    quiet_fd q;
    quiet_begin(&q);
    Pa_Terminate();
    quiet_end(&q);
}

static void fill_info(PaDeviceIndex i, rlx_device_info *out)
{
    const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
    const PaHostApiInfo *h = d ? Pa_GetHostApiInfo(d->hostApi) : NULL;
    memset(out, 0, sizeof *out);
    out->index = i;
    snprintf(out->name, sizeof out->name, "%s", d && d->name ? d->name : "?");
    snprintf(out->host_api, sizeof out->host_api, "%s", h && h->name ? h->name : "?");
    if (d) {
        out->default_rate = d->defaultSampleRate;
        out->low_latency = d->defaultLowOutputLatency;
        out->high_latency = d->defaultHighOutputLatency;
        out->max_channels = d->maxOutputChannels;
    }
    out->is_default = i == Pa_GetDefaultOutputDevice();
}

rlx_err rlx_device_list(rlx_device_info **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (pa_init_quiet() != paNoError)
        return RLX_OK;  /* no audio system at all: no devices */
    PaDeviceIndex count = Pa_GetDeviceCount();
    rlx_err err = RLX_OK;
    if (count > 0) {
        rlx_device_info *v = calloc((size_t)count, sizeof *v);
        if (!v) {
            err = RLX_ERR_NOMEM;
        } else {
            size_t k = 0;
            for (PaDeviceIndex i = 0; i < count; i++) {
                const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
                if (d && d->maxOutputChannels > 0)
                    fill_info(i, &v[k++]);
            }
            *out = v;
            *n = k;
        }
    }
    pa_terminate_quiet();
    return err;
}

/* --- the player ---------------------------------------------------------- */

struct rlx_player {
    rlx_sink sink;           /* first: rlx_player_sink returns &p->sink */
    rlx_player_config cfg;
    rlx_device_info dev;
    int rate;
    PaStream *stream;
    rlx_ring *ring;
    rlx_player_source src;
    bool have_src;
    pthread_t render_th;
    bool render_started;
    bool pa_up;

    /* control -> callback */
    _Atomic bool paused;
    _Atomic int vol_mdb;            /* master volume, millidecibels */
    _Atomic int fade_ms;            /* fade-out request (0 = none) */
    _Atomic unsigned fade_gen;
    _Atomic unsigned flush_req;     /* render thread: discard the ring */
    /* render thread: "the data after flush number G has ended" is stored as
     * G + 1, so an end mark left over from before a seek means nothing. */
    _Atomic unsigned eof_mark;
    unsigned epoch;                 /* render thread: flushes issued so far */
    _Atomic unsigned seek_done;     /* render thread: last seek carried out */

    /* callback -> others */
    _Atomic unsigned flush_ack;
    _Atomic uint64_t callbacks, underruns, underflows;
    _Atomic uint64_t consumed;      /* frames taken from the ring and played */
    _Atomic uint64_t busy_ns, cb_frames, max_ns;
    _Atomic int64_t first_audio_ns;
    _Atomic bool silent, drained, faded, finished;

    /* control -> render thread */
    _Atomic bool quit;
    _Atomic unsigned seek_gen;
    _Atomic int64_t seek_target;
    _Atomic int64_t written_pos;    /* source frame after the last frame in the ring */
    _Atomic int error;              /* rlx_err from the source */

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
    bool lost;
    char lost_why[128];
};

rlx_player_config rlx_player_config_init(void)
{
    return (rlx_player_config){
        .device = NULL, .rate = 0, .latency_s = 0.08, .ring_s = 1.5,
        .volume_db = 0, .fade_in_ms = 0, .block_frames = 1024,
    };
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

static PaDeviceIndex pick_device(const char *spec, char *why, size_t whylen)
{
    if (!spec || !*spec) {
        PaDeviceIndex d = Pa_GetDefaultOutputDevice();
        if (d == paNoDevice)
            snprintf(why, whylen, "no audio output device found");
        return d;
    }
    PaDeviceIndex count = Pa_GetDeviceCount();
    if (all_digits(spec)) {
        long i = strtol(spec, NULL, 10);
        const PaDeviceInfo *d = i < count ? Pa_GetDeviceInfo((PaDeviceIndex)i) : NULL;
        if (d && d->maxOutputChannels > 0)
            return (PaDeviceIndex)i;
        snprintf(why, whylen, "no output device number %s (see 'relax devices')", spec);
        return paNoDevice;
    }
    for (PaDeviceIndex i = 0; i < count; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (d && d->maxOutputChannels > 0 && d->name && contains_nocase(d->name, spec))
            return i;
    }
    snprintf(why, whylen, "no output device matches '%s' (see 'relax devices')", spec);
    return paNoDevice;
}

static PaStreamParameters out_params(const rlx_player *p)
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

rlx_err rlx_player_open(const rlx_player_config *cfg, rlx_player **out, char *why, size_t whylen)
{
    *out = NULL;
    if (whylen)
        why[0] = 0;
    rlx_player *p = calloc(1, sizeof *p);
    if (!p)
        return RLX_ERR_NOMEM;
    p->cfg = cfg ? *cfg : rlx_player_config_init();
    if (p->cfg.latency_s <= 0)
        p->cfg.latency_s = 0.08;
    if (p->cfg.ring_s < 1)
        p->cfg.ring_s = 1.5;
    if (!p->cfg.block_frames)
        p->cfg.block_frames = 1024;
    rlx_err err = RLX_ERR_NO_DEVICE;
    if (pa_init_quiet() != paNoError) {
        snprintf(why, whylen, "no audio output device found");
        goto error;
    }
    p->pa_up = true;
    PaDeviceIndex di = pick_device(p->cfg.device, why, whylen);
    if (di == paNoDevice)
        goto error;
    fill_info(di, &p->dev);
    if (p->dev.max_channels < RLX_CHANNELS) {
        snprintf(why, whylen, "device '%s' has no stereo output", p->dev.name);
        goto error;
    }
    p->rate = (int)lround(p->dev.default_rate);
    if (p->cfg.rate > 0 && p->cfg.rate != p->rate) {
        PaStreamParameters o = out_params(p);
        quiet_fd q;
        quiet_begin(&q);
        if (Pa_IsFormatSupported(NULL, &o, p->cfg.rate) == paFormatIsSupported)
            p->rate = p->cfg.rate;
        quiet_end(&q);
    }
    if (p->rate <= 0) {
        snprintf(why, whylen, "device '%s' reports no sample rate", p->dev.name);
        goto error;
    }
    *out = p;
    return RLX_OK;
error:
    rlx_player_close(p);
    return err;
}

int rlx_player_rate(const rlx_player *p) { return p->rate; }
const rlx_device_info *rlx_player_device(const rlx_player *p) { return &p->dev; }

/* RT: audio callback */
static int audio_cb(const void *in, void *outv, unsigned long nframes,
                    const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *user)
{
    (void)in;
    (void)ti;
    rlx_player *p = user;
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
    rlx_player *p = user;
    atomic_store(&p->finished, true);
}

/* --- the device sink -------------------------------------------------------- */

static rlx_err dev_write(rlx_sink *s, const float *frames, size_t n)
{
    rlx_player *p = (rlx_player *)s;
    uint64_t last_cb = atomic_load(&p->callbacks);
    int64_t last_progress = now_ns();
    unsigned seek_seen = atomic_load(&p->seek_gen);
    while (n) {
        size_t k = rlx_ring_write(p->ring, frames, n);
        if (k) {
            frames += 2 * k;
            n -= k;
            atomic_fetch_add(&p->written_pos, (int64_t)k);
            last_progress = now_ns();
            continue;
        }
        if (atomic_load(&p->quit) || atomic_load(&p->seek_gen) != seek_seen)
            return RLX_ERR_INTERRUPTED;
        uint64_t cb = atomic_load(&p->callbacks);
        if (cb != last_cb) {
            last_cb = cb;
            last_progress = now_ns();
        } else if (now_ns() - last_progress > RLX_WATCHDOG_SLOW_NS) {
            /* a dead server is reported sooner by the control thread's watchdog */
            return RLX_ERR_DEVICE_LOST;
        }
        /* the ring is full: about half a block's time frees room for a block */
        int ms = (int)(p->cfg.block_frames * 500 / (size_t)p->rate);
        sleep_ms(ms < 2 ? 2 : ms > 10 ? 10 : ms);
    }
    return RLX_OK;
}

static rlx_err dev_close(rlx_sink *s, bool commit)
{
    rlx_player *p = (rlx_player *)s;
    atomic_store_explicit(&p->eof_mark, p->epoch + 1, memory_order_release);
    if (commit && !rlx_player_wait(p, false, (int)(p->cfg.ring_s * 1000) + 2000))
        return RLX_ERR_DEVICE_LOST;
    return RLX_OK;
}

static const rlx_sink_ops dev_sink_ops = {
    .name = "device",
    .write = dev_write,
    .close = dev_close,
};

rlx_sink *rlx_player_sink(rlx_player *p) { return &p->sink; }

/* --- the render thread -------------------------------------------------------- */

/* Asks the callback to ramp down and drop the ring; waits (bounded) for it. */
static bool flush_ring(rlx_player *p)
{
    unsigned gen = ++p->epoch;
    atomic_store_explicit(&p->flush_req, gen, memory_order_release);
    int64_t t0 = now_ns();
    while (atomic_load_explicit(&p->flush_ack, memory_order_acquire) != gen) {
        if (atomic_load(&p->quit) || now_ns() - t0 > 2 * RLX_WATCHDOG_NS)
            return false;
        sleep_ms(2);
    }
    return true;
}

static void *render_main(void *arg)
{
    rlx_player *p = arg;
    size_t block = p->cfg.block_frames;
    float *buf = malloc(block * RLX_CHANNELS * sizeof(float));
    if (!buf) {
        atomic_store(&p->error, RLX_ERR_NOMEM);
        return NULL;
    }
    unsigned seek_done = 0;
    bool at_end = false;
    while (!atomic_load(&p->quit)) {
        unsigned sg = atomic_load_explicit(&p->seek_gen, memory_order_acquire);
        if (sg != seek_done) {
            int64_t target = atomic_load(&p->seek_target);
            if (!flush_ring(p))
                continue;  /* quitting, or the device died: the watchdog reports it */
            rlx_err e = p->src.seek(p->src.user, target);
            if (e != RLX_OK) {
                atomic_store(&p->error, e);
                break;
            }
            atomic_store(&p->written_pos, target);
            at_end = false;
            seek_done = sg;
            atomic_store(&p->seek_done, sg);
            continue;
        }
        if (at_end) {
            sleep_ms(5);
            continue;
        }
        size_t got = 0;
        rlx_err e = p->src.read(p->src.user, buf, block, &got);
        if (e != RLX_OK) {
            atomic_store(&p->error, e);
            break;
        }
        e = got ? dev_write(&p->sink, buf, got) : RLX_OK;
        if (e == RLX_ERR_INTERRUPTED)
            continue;  /* seek or quit: the rest of this block is dropped */
        if (e != RLX_OK)
            break;     /* device lost: the control thread's watchdog reports it */
        if (got < block) {
            at_end = true;
            atomic_store_explicit(&p->eof_mark, p->epoch + 1, memory_order_release);
        }
    }
    free(buf);
    return NULL;
}

rlx_err rlx_player_start(rlx_player *p, const rlx_player_source *src, char *why, size_t whylen)
{
    if (whylen)
        why[0] = 0;
    rlx_err err = rlx_ring_open((size_t)(p->cfg.ring_s * p->rate), RLX_CHANNELS, &p->ring);
    if (err != RLX_OK)
        return err;
    p->sink.ops = &dev_sink_ops;
    int mdb = (int)lround(p->cfg.volume_db * 1000);
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
    if (src) {
        p->src = *src;
        p->have_src = true;
        atomic_store(&p->written_pos, src->start);
    }

    PaStreamParameters o = out_params(p);
    quiet_fd q;
    quiet_begin(&q);
    PaError e = Pa_OpenStream(&p->stream, NULL, &o, p->rate, paFramesPerBufferUnspecified,
                              paClipOff | paDitherOff, audio_cb, p);
    if (e == paNoError)
        Pa_SetStreamFinishedCallback(p->stream, stream_finished);
    quiet_end(&q);
    if (e != paNoError) {
        p->stream = NULL;
        snprintf(why, whylen, "cannot open '%s': %s", p->dev.name, Pa_GetErrorText(e));
        return RLX_ERR_NO_DEVICE;
    }
    if (p->have_src) {
        if (pthread_create(&p->render_th, NULL, render_main, p) != 0) {
            snprintf(why, whylen, "cannot start the render thread");
            return RLX_ERR_INTERNAL;
        }
        p->render_started = true;
    }
    quiet_begin(&q);
    e = Pa_StartStream(p->stream);
    quiet_end(&q);
    if (e != paNoError) {
        snprintf(why, whylen, "cannot start '%s': %s", p->dev.name, Pa_GetErrorText(e));
        return RLX_ERR_NO_DEVICE;
    }
    p->wd_callbacks = 0;
    p->wd_since = now_ns();
    return RLX_OK;
}

/* Everything was played and no seek is on its way. */
static bool ended(rlx_player *p)
{
    return atomic_load(&p->drained) && atomic_load(&p->seek_done) == atomic_load(&p->seek_gen);
}

void rlx_player_pause(rlx_player *p, bool paused) { atomic_store(&p->paused, paused); }

void rlx_player_seek(rlx_player *p, int64_t frame)
{
    if (frame < 0)
        frame = 0;
    atomic_store(&p->seek_target, frame);
    atomic_fetch_add_explicit(&p->seek_gen, 1, memory_order_release);
}

void rlx_player_set_volume_db(rlx_player *p, double db)
{
    if (db < -60)
        db = -60;
    if (db > 12)
        db = 12;
    atomic_store(&p->vol_mdb, (int)lround(db * 1000));
}

void rlx_player_fade_out(rlx_player *p, int ms)
{
    atomic_store(&p->fade_ms, ms > 0 ? ms : 1);
    atomic_fetch_add_explicit(&p->fade_gen, 1, memory_order_release);
}

void rlx_player_poll(rlx_player *p, rlx_player_status *st)
{
    memset(st, 0, sizeof *st);
    size_t fill = p->ring ? rlx_ring_read_available(p->ring) : 0;
    int64_t pos = atomic_load(&p->written_pos) - (int64_t)fill;
    st->position = pos < 0 ? 0 : pos;
    st->played = (int64_t)atomic_load(&p->consumed);
    st->paused = atomic_load(&p->paused);
    st->silent = atomic_load(&p->silent);
    st->ended = ended(p);
    st->faded = atomic_load(&p->faded);
    st->error = (rlx_err)atomic_load(&p->error);
    st->callbacks = atomic_load(&p->callbacks);
    st->underruns = atomic_load(&p->underruns);
    st->device_underflows = atomic_load(&p->underflows);
    uint64_t frames = atomic_load(&p->cb_frames);
    if (frames && p->rate)
        st->callback_load = (double)atomic_load(&p->busy_ns) / ((double)frames / p->rate * 1e9);
    st->max_callback_ms = (double)atomic_load(&p->max_ns) / 1e6;
    st->first_audio_ns = atomic_load(&p->first_audio_ns);

    /* watchdog */
    if (p->stream && !p->lost) {
        int64_t now = now_ns();
        if (st->callbacks != p->wd_callbacks) {
            p->wd_callbacks = st->callbacks;
            p->wd_since = now;
        } else if (now - p->wd_since > RLX_WATCHDOG_NS) {
            /* dead (the stream is no longer active: caught below at once) or
             * only slow (still active: wait for the long limit) */
            PaError a = Pa_IsStreamActive(p->stream);
            if (a == 1 && !atomic_load(&p->finished) && now - p->wd_since <= RLX_WATCHDOG_SLOW_NS)
                ; /* slow: keep waiting */
            else if (a == 1 && !atomic_load(&p->finished)) {
                p->lost = true;
                snprintf(p->lost_why, sizeof p->lost_why,
                         "no audio callbacks for %.1f s although the device is still open",
                         (double)(now - p->wd_since) / 1e9);
            }
        }
        if (!p->lost) {
            PaError a = Pa_IsStreamActive(p->stream);
            if (a < 0) {
                p->lost = true;
                snprintf(p->lost_why, sizeof p->lost_why, "%s", Pa_GetErrorText(a));
            } else if (a == 0 || atomic_load(&p->finished)) {
                p->lost = true;
                snprintf(p->lost_why, sizeof p->lost_why, "the stream stopped");
            }
        }
    }
    st->lost = p->lost;
    snprintf(st->lost_why, sizeof st->lost_why, "%s", p->lost_why);
}

bool rlx_player_wait(rlx_player *p, bool for_fade, int timeout_ms)
{
    int64_t until = now_ns() + (int64_t)timeout_ms * 1000000LL;
    for (;;) {
        bool done = for_fade ? atomic_load(&p->faded) : ended(p);
        if (done)
            return true;
        if (now_ns() > until || p->lost)
            return false;
        rlx_player_status st;
        rlx_player_poll(p, &st);
        if (st.lost)
            return false;
        sleep_ms(5);
    }
}

double rlx_player_cpu_load(rlx_player *p)
{
    return p->stream ? Pa_GetStreamCpuLoad(p->stream) : 0.0;
}

/* Stopping PortAudio runs on its own thread so a dead server cannot hang us. */
typedef struct {
    PaStream *stream;
    bool abort;
    _Atomic bool done;
} closer;

static void *closer_main(void *arg)
{
    closer *c = arg;
    if (c->stream) {
        if (c->abort)
            Pa_AbortStream(c->stream);
        else
            Pa_StopStream(c->stream);
        Pa_CloseStream(c->stream);
    }
    Pa_Terminate();
    atomic_store(&c->done, true);
    return NULL;
}

void rlx_player_close(rlx_player *p)
{
    if (!p)
        return;
    atomic_store(&p->quit, true);
    if (p->render_started)
        pthread_join(p->render_th, NULL);
    bool abandoned = false;
    if (p->pa_up) {
        closer *c = calloc(1, sizeof *c);
        pthread_t th;
        if (c) {
            c->stream = p->stream;
            c->abort = p->lost;
            quiet_fd q;
            quiet_begin(&q);
            if (pthread_create(&th, NULL, closer_main, c) == 0) {
                int64_t until = now_ns() + (p->lost ? RLX_CLOSE_WAIT_LOST_MS : RLX_CLOSE_WAIT_MS) * 1000000LL;
                while (!atomic_load(&c->done) && now_ns() < until)
                    sleep_ms(5);
                if (atomic_load(&c->done)) {
                    pthread_join(th, NULL);
                    free(c);
                } else {
                    pthread_detach(th);
                    abandoned = true;  /* c, p and the ring stay alive for the stuck thread */
                }
            } else {
                free(c);
            }
            quiet_end(&q);
        }
    }
    if (abandoned)
        return;
    rlx_ring_close(p->ring);
    free(p);
}
