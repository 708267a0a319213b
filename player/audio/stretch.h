/* stretch.h - time-stretching that keeps pitch, for voice engines that
 * cannot slow down themselves (Festival's HTS voices ignore
 * Duration_Stretch). Rubber Band, offline, single-threaded: the output is a
 * function of the input and the ratio alone. */
#ifndef RLX_STRETCH_H
#define RLX_STRETCH_H

#include <stddef.h>

#include "core/err.h"

/* Stretches n mono frames at rate by ratio (1 = unchanged, 1.2 = 20 %
 * longer; 0.25..4) into a malloc'ed *out of *outn frames (about n * ratio).
 * ratio == 1 copies. Errors: RLX_ERR_USAGE (ratio), RLX_ERR_NOMEM,
 * RLX_ERR_TTS (the stretcher failed); reason in why. Thread-safe. */
rlx_err rlx_stretch(const float *in, size_t n, int rate, double ratio, float **out,
                    size_t *outn, char *why, size_t whylen);

/* "rubberband-3.1.2-r3": part of the cache key of stretched speech. */
const char *rlx_stretch_version(void);

#endif
