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

/* Control values (shape -> phase increment and amplitude) are computed
 * exactly on a fixed grid of frames (multiples of RLX_TONE_GRID, counted
 * from frame 0) and interpolated linearly in between, so the output depends
 * only on the frame number, never on block boundaries, and pow/cos run once
 * per grid step instead of per sample. */
#define RLX_TONE_GRID 128

/* Level of the second partial (octave) relative to the fundamental: a
 * touch of warmth, -20 dB. */
#define RLX_TONE_PARTIAL2 0.1

/* Transparent state; only rlx_tone_* functions touch it. Calls must use the
 * same timeline until the next rlx_tone_init. */
typedef struct {
    rlx_tone_config cfg;
    double phase;      /* cycles, in [0,1), at frame seg * RLX_TONE_GRID */
    int64_t frame;     /* next frame to render */
    size_t hint;       /* breath segment search hint */
    /* private: the control segment [seg, seg + 1) * RLX_TONE_GRID */
    int64_t seg;
    double inc0, inc1; /* phase increment (cycles/frame) at both grid points */
    double amp0, amp1; /* amplitude at both grid points */
    double norm;       /* 1 / peak of the two-partial waveform */
    int ready;         /* inc/amp valid for seg */
} rlx_tone;

void rlx_tone_init(rlx_tone *t, const rlx_tone_config *cfg);
/* Renders n mono samples (peak <= 1.0) from t->frame on, advancing it.
 * Bit-identical for any split of a range into calls. */
void rlx_tone_render(rlx_tone *t, const rlx_timeline *tl, float *mono, size_t n);
/* Moves to frame (negative = 0), with the phase exactly as a render from 0
 * would have it. Cost: one control step per RLX_TONE_GRID frames between the
 * current position (or 0 when going back) and frame, no sine. */
void rlx_tone_seek(rlx_tone *t, const rlx_timeline *tl, int64_t frame);

/* Instantaneous frequency (Hz) and amplitude (0..1) for a breath shape 0..1:
 * f = pitch * 2^(glide * shape / 12); amp = 0.35 + 0.65 * shape (never
 * silent, full at full lungs, linear in the already smooth shape). */
double rlx_tone_freq(const rlx_tone_config *cfg, double shape);
double rlx_tone_amp(double shape);

#endif
