/* dsp.h - pure gain curves and the safety limiter. No I/O, no allocation
 * except in rlx_limiter_init. */
#ifndef RLX_DSP_H
#define RLX_DSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline double rlx_db_to_lin(double db) { return __builtin_pow(10.0, db / 20.0); }

/* Smooth 0..1 step (raised cosine) of x in [0,1]; clamps outside. */
double rlx_smoothstep(double x);

typedef struct { int64_t start, end; } rlx_span;

/* Ducking depth 0..1 at frame t for voice spans sorted by start: rises
 * from span.start - pre to 1 at span.start, holds, falls from span.end to 0
 * at span.end + post (both ramps rlx_smoothstep). Overlapping ramps take the
 * maximum. Ends must be non-decreasing too (voice spans never overlap).
 * hint may be NULL; with it, calls with increasing t are O(1). */
double rlx_duck_depth(const rlx_span *spans, size_t n, int64_t t,
                      int64_t pre, int64_t post, size_t *hint);

/* Lookahead peak limiter: no output sample exceeds the ceiling (sample
 * peak, every channel, one gain for all channels); inter-sample peaks are
 * estimated too (cubic midpoint) and kept under it approximately. It delays
 * the signal by `lookahead` frames (rlx_limiter_latency: the lookahead
 * window plus 2 frames for the midpoint estimate). The gain is the running
 * minimum of the gain each frame needs over the window, released by a
 * one-pole filter (release_ms time constant), then averaged over the window:
 * attack and release are smooth, and the gain is exactly 1.0 while the
 * signal stays below the ceiling, so quiet audio passes bit-identically.
 * Deterministic: the output does not depend on how frames are split into
 * process calls. While the gain is settled at 1 and a stretch of input is
 * well below the ceiling (about -3 dB under it), that stretch is copied
 * through in blocks without the per-frame analysis, with exactly the same
 * result (calls of fewer than 16 frames always take the per-frame path). */
typedef struct {
    /* fields are private to dsp.c (owner may change them) */
    int channels;
    size_t lookahead;
    float ceiling;
    void *priv;
} rlx_limiter;

/* 0 ok, -1 out of memory or bad arguments (rate, channels <= 0). */
int rlx_limiter_init(rlx_limiter *l, int rate, int channels, double ceiling_db,
                     double lookahead_ms, double release_ms);
/* Processes interleaved frames in place (output = input delayed by the
 * latency, times the gain). Non-finite input samples are treated as 0. */
void rlx_limiter_process(rlx_limiter *l, float *inout, size_t frames);
size_t rlx_limiter_latency(const rlx_limiter *l);
/* Back to the state after init (silence in the delay line, gain 1). */
void rlx_limiter_reset(rlx_limiter *l);
/* Current gain (for meters and tests): the one applied to the last frame. */
double rlx_limiter_gain(const rlx_limiter *l);
void rlx_limiter_free(rlx_limiter *l);  /* accepts NULL and a zeroed struct */

#endif
