/* render.h - the one renderer: a parsed session in, blocks of stereo float
 * frames at the output rate out. Deterministic: the same session, config and
 * read sizes give the same samples, whether they go to a file or a device.
 * rlx_renderer_open does every check and preparation that can fail (TTS,
 * decoding, resampling, loudness, timeline) before any audio is produced;
 * after it, read/seek never allocate. One thread at a time per renderer,
 * except rlx_renderer_set_background_db, which any thread may call. */
#ifndef RLX_RENDER_H
#define RLX_RENDER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/clip.h"
#include "session/session.h"
#include "session/timeline.h"

typedef struct {
    int rate;               /* output rate, default 48000 */
    int64_t length_ms;      /* 0 = the session's natural length */
    bool length_fit;        /* bring length_ms into the session's range instead
                             * of failing (resuming a listen of an edited session) */
    int64_t tail_ms;        /* an ambient-only tail before the fade-out, part of the length */
    const char *cache_dir;  /* NULL = default cache location */
    double background_db;   /* initial extra gain on breath + ambient, default 0 */
    double volume_db;       /* master gain before the limiter, default 0 */
    /* progress of preparation (cold cache can take seconds); may be NULL */
    void (*on_prepare)(void *user, size_t done, size_t total, const char *what);
    void *user;
    /* may be NULL; when *cancel becomes non-zero (e.g. from a signal handler),
     * rlx_renderer_open stops before the next source with RLX_ERR_INTERRUPTED */
    const volatile sig_atomic_t *cancel;
    /* live playback: spoken lines the cache lacks are not prepared first
     * but laid out at an upper bound of their length (source.h,
     * estimate_ms) and spoken in the background, first lines first, while
     * the renderer plays (rlx_renderer_ready). The layout then differs from
     * an exact one (rlx_renderer_provisional): never for a file. */
    bool stream;
} rlx_render_config;

rlx_render_config rlx_render_config_init(void);

typedef struct rlx_renderer rlx_renderer;

/* On failure the reason is in diags (with file:line:col of the cue whose
 * audio failed) and the return value says which kind of failure it was.
 * s is borrowed: it must outlive the renderer (the timeline points into it). */
rlx_err rlx_renderer_open(const rlx_render_config *cfg, const rlx_session *s,
                          rlx_renderer **out, rlx_diags *diags);
void rlx_renderer_close(rlx_renderer *r);  /* accepts NULL */

const rlx_timeline *rlx_renderer_timeline(const rlx_renderer *r);
int64_t rlx_renderer_length(const rlx_renderer *r);    /* frames */
int64_t rlx_renderer_position(const rlx_renderer *r);  /* next frame read returns */

/* Laid out with lines still being spoken (cfg.stream): the timeline is
 * not the exact one; once rlx_renderer_settled, a renderer opened again
 * has it. */
bool rlx_renderer_provisional(const rlx_renderer *r);
/* Every line of a provisional renderer is spoken (or failed: silent). Any thread. */
bool rlx_renderer_settled(const rlx_renderer *r);
/* Whether the next n frames can be read with every line in them: false
 * while a line that plays in them (or in the limiter's look-ahead) is still
 * being spoken; the reader waits and asks again (read would give its slot
 * as silence). Always true for a renderer that is not provisional. Reader
 * thread; no allocation. */
bool rlx_renderer_ready(rlx_renderer *r, size_t n);

/* Renders up to n frames (interleaved stereo) into out; *got < n only at
 * the end. Returns RLX_ERR_AUDIO_FILE if a cached clip became unreadable. */
rlx_err rlx_renderer_read(rlx_renderer *r, float *out, size_t n, size_t *got);
/* Jumps to frame (clamped to 0..length). The tone keeps its exact phase. */
rlx_err rlx_renderer_seek(rlx_renderer *r, int64_t frame);
/* The gains the renderer applies at timeline frame t, linear, before the
 * background balance (absent buses are 0). For tests and drawings. */
void rlx_renderer_gains(const rlx_renderer *r, int64_t t, double *voice, double *breath,
                        double *ambient, double *master);
/* Balance of breath + ambient against the voice; ramps over ~50 ms. Thread-safe. */
void rlx_renderer_set_background_db(rlx_renderer *r, double db);

/* Helper for `relax check` and the timeline drawing: prepares (cached) the
 * voice cues only and returns their durations (ms; -1 for non-voice cues)
 * in a malloc'ed array of s->ncues. */
rlx_err rlx_voice_durations(const rlx_session *s, rlx_cache *cache, int rate,
                            int64_t **out_ms, rlx_diags *diags);

#endif
