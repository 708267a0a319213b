/* player.h - live playback on an audio device (PortAudio), sink_device.c.
 *
 * Threads:
 *  - the control thread (the CLI) opens, starts, polls and closes the player
 *    and sends it commands (pause, seek, volume, fade-out); all bounded;
 *  - a render thread pulls blocks from the source and writes them through the
 *    device sink (rlx_sink: write blocks until the ring has room);
 *  - the PortAudio callback (RT) only copies from the ring, applies master
 *    volume and the pause/seek/fade ramps (driven by atomics), pads shortfall
 *    with silence and counts callbacks and underruns.
 * PortAudio, ALSA and JACK messages never reach the terminal: fd 2 points at
 * /dev/null while PortAudio is initialised, opened, stopped or terminated,
 * and JACK_NO_START_SERVER=1 is set so no JACK server is ever spawned. */
#ifndef RLX_PLAYER_H
#define RLX_PLAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "sink/sink.h"

typedef struct {
    int index;               /* PortAudio device index */
    char name[160];
    char host_api[64];
    double default_rate;
    double low_latency, high_latency;  /* default output latencies, seconds */
    int max_channels;
    bool is_default;
} rlx_device_info;

/* All output devices. *out is malloc'ed (free it); *n may be 0. */
rlx_err rlx_device_list(rlx_device_info **out, size_t *n);

typedef struct {
    const char *device;  /* NULL/"" = default; digits = index; else a case-insensitive name substring */
    int rate;            /* wanted rate if the device supports it; 0 = the device's default */
    double latency_s;    /* suggested output latency; default 0.08 */
    double ring_s;       /* ring length; default 1.5 (>= 1) */
    double volume_db;    /* initial master volume, default 0 */
    int fade_in_ms;      /* ramp from silence when the stream starts; 0 = none */
    size_t block_frames; /* render block; default 1024 */
} rlx_player_config;

rlx_player_config rlx_player_config_init(void);

/* Where the audio comes from; called on the render thread only. read returns
 * fewer than n frames only at the end. */
typedef struct {
    void *user;
    rlx_err (*read)(void *user, float *out, size_t n, size_t *got);
    rlx_err (*seek)(void *user, int64_t frame);
    int64_t start;  /* source frame of the first frame read */
} rlx_player_source;

typedef struct rlx_player rlx_player;

/* Initialises PortAudio and picks the device and rate; opens no stream, so
 * the caller can prepare its source at rlx_player_rate() first.
 * RLX_ERR_NO_DEVICE when there is no (matching) output device. why gets a
 * one-line reason on error. */
rlx_err rlx_player_open(const rlx_player_config *cfg, rlx_player **out, char *why, size_t whylen);
int rlx_player_rate(const rlx_player *p);
const rlx_device_info *rlx_player_device(const rlx_player *p);

/* Opens and starts the stream and the render thread. The callback stays
 * silent until ~50 ms are buffered. RLX_ERR_NO_DEVICE if the stream cannot
 * be opened. */
rlx_err rlx_player_start(rlx_player *p, const rlx_player_source *src, char *why, size_t whylen);

/* Commands (control thread; return at once, take effect in the callback). */
void rlx_player_pause(rlx_player *p, bool paused);   /* 20 ms ramps */
void rlx_player_seek(rlx_player *p, int64_t frame);  /* ramp down, discard, refill, ramp in */
void rlx_player_set_volume_db(rlx_player *p, double db);  /* ramped */
void rlx_player_fade_out(rlx_player *p, int ms);     /* then stays silent; see .faded */

typedef struct {
    int64_t position;        /* source frame being heard now */
    int64_t played;          /* frames actually played (not skipped by seeking) */
    bool paused;             /* pause requested */
    bool silent;             /* paused and the ramp is done */
    bool ended;              /* the source ended and everything was played */
    bool faded;              /* a fade-out finished */
    bool lost;               /* the device stopped (why in lost_why) */
    char lost_why[128];
    rlx_err error;           /* the source failed (render thread stopped) */
    uint64_t callbacks, underruns, device_underflows;
    double callback_load;    /* time in the callback / audio time, 0..1 */
    double max_callback_ms;
    int64_t first_audio_ns;  /* CLOCK_MONOTONIC time of the first audible callback; 0 = not yet */
} rlx_player_status;

/* Control thread: reads the state and runs the device watchdog (no
 * callbacks for 1 s, stream no longer active, PortAudio error => lost). */
void rlx_player_poll(rlx_player *p, rlx_player_status *st);

/* Waits (bounded by timeout_ms) until the callback reports drained/faded. */
bool rlx_player_wait(rlx_player *p, bool for_fade, int timeout_ms);

/* PortAudio's own estimate, 0..1 (may be 0 where the host API has none). */
double rlx_player_cpu_load(rlx_player *p);

/* Stops the render thread and the stream and terminates PortAudio, each
 * step bounded (a dead JACK server must not hang us: after ~1 s the stream
 * is abandoned). Accepts NULL. */
void rlx_player_close(rlx_player *p);

/* The device sink the render thread writes through (write blocks until the
 * ring has room; returns RLX_ERR_INTERRUPTED when a seek or stop is pending,
 * RLX_ERR_DEVICE_LOST when the callback stopped consuming). close(commit)
 * marks the end and waits for the ring to drain; it does not free the player. */
rlx_sink *rlx_player_sink(rlx_player *p);

#endif
