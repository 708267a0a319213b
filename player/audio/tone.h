/* tone.h - the breathing tone: a soft, phase-continuous tone whose pitch
 * glides up on the inhale and back down on the exhale, with a smooth
 * amplitude envelope following the breath shape. Pure DSP: the output is a
 * function of the timeline and the frame position only. */
#ifndef RLX_TONE_H
#define RLX_TONE_H

#include <stddef.h>
#include <stdint.h>

#include "session/timeline.h"

typedef struct {
    double pitch_hz;   /* at empty lungs */
    double glide_st;   /* semitones up at full inhale */
    int rate;
} rlx_tone_config;

/* Transparent state; only rlx_tone_* functions touch it. */
typedef struct {
    rlx_tone_config cfg;
    double phase;      /* cycles, in [0,1) */
    int64_t frame;     /* next frame to render */
    size_t hint;       /* breath segment search hint */
} rlx_tone;

void rlx_tone_init(rlx_tone *t, const rlx_tone_config *cfg);
/* Renders n mono samples (peak <= 1.0) from t->frame on, advancing it. */
void rlx_tone_render(rlx_tone *t, const rlx_timeline *tl, float *mono, size_t n);
/* Moves to frame, with the phase exactly as a render from 0 would have it. */
void rlx_tone_seek(rlx_tone *t, const rlx_timeline *tl, int64_t frame);

/* Instantaneous frequency (Hz) and amplitude (0..1) for a breath shape 0..1. */
double rlx_tone_freq(const rlx_tone_config *cfg, double shape);
double rlx_tone_amp(double shape);

#endif
