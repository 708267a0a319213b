/* tts.h - the flite text-to-speech voice, behind a lock (flite is not
 * thread-safe). Voices: slt (default), rms, awb, kal16. flite's own
 * diagnostics are captured, never printed. */
#ifndef RLX_TTS_H
#define RLX_TTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* Speaks text with voice at pace (flite duration_stretch, 1 = normal,
 * larger = slower; 0.25..4). On success *samples is a malloc'ed mono float
 * buffer of *frames frames at *rate (16000 for all four voices).
 * Errors: RLX_ERR_USAGE (unknown voice, bad pace), RLX_ERR_TTS (flite failed
 * or produced no audio), RLX_ERR_NOMEM; reason in why. Thread-safe. */
rlx_err rlx_tts_synth(const char *text, const char *voice, double pace,
                      float **samples, size_t *frames, int *rate,
                      char *why, size_t whylen);

/* Number of flite syntheses run in this process (for tests: a cached line
 * must not be spoken again). */
unsigned long rlx_tts_synth_count(void);

#endif
