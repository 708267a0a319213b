/* dsp.h - the safety limiter. No I/O, no allocation except in
 * rlx_limiter_init. (The gain shapes are in session/shape.h.) */
#ifndef RLX_DSP_H
#define RLX_DSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session/shape.h"  /* rlx_db_to_lin, the gain shapes */

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
