/* take.h - pure DSP for recorded narration takes (relax record): measure,
 * trim silence with a room-tone margin and raised-cosine edges, level to
 * the session's voice loudness, and judge the take against spoken-word
 * norms (ACX-style) in words a non-engineer understands.
 * No I/O; only rlx_take_process allocates (its output). Mono float. */
#ifndef RLX_TAKE_H
#define RLX_TAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* Spoken-word limits the checks use. */
#define RLX_TAKE_PEAK_MAX_DB   (-3.0)   /* sample peak after levelling */
#define RLX_TAKE_NOISE_MAX_DB  (-60.0)  /* noise floor after levelling */
#define RLX_TAKE_NO_SIGNAL_DB  (-50.0)  /* raw peak below this: nothing was heard */
#define RLX_TAKE_QUIET_DB      (-30.0)  /* raw peak below this: too far from the microphone */
#define RLX_TAKE_CLIP_LEVEL    0.999f   /* |sample| at or above: clipped */

typedef struct {
    double margin_ms;     /* room tone kept before and after the speech; default 250 */
    double fade_ms;       /* raised-cosine fade at each edge; default 10 */
    double target_lufs;   /* the session's [voice] level; default -18 */
} rlx_take_config;

rlx_take_config rlx_take_config_init(void);

typedef struct {
    double peak_db;       /* sample peak, dBFS (-inf for digital silence) */
    size_t peak_at;       /* frame of the peak */
    double noise_db;      /* noise floor: RMS of the quietest 10% of 50 ms windows, dBFS */
    double lufs;          /* integrated loudness (EBU R128), -inf if too short/silent */
    size_t clip_at;       /* first clipped frame, or (size_t)-1 */
} rlx_take_stats;

/* Measures x[0..n) at rate. RLX_ERR_NOMEM if the loudness meter cannot start. */
rlx_err rlx_take_measure(const float *x, size_t n, int rate, rlx_take_stats *st);

/* Where the speech is: [*start, *end) including the margin, clamped to the
 * take. Speech = 10 ms windows louder than max(noise + 10 dB, peak - 40 dB).
 * Returns false when there is no speech (then *start = *end = 0). */
bool rlx_take_speech_bounds(const float *x, size_t n, int rate, double margin_ms,
                            size_t *start, size_t *end);

/* Raised-cosine fade-in over the first `fade` frames and fade-out over the
 * last `fade` (shortened to n/2 when the take is shorter). In place. */
void rlx_take_fade_edges(float *x, size_t n, size_t fade);

/* Verdict flags, several may hold. */
enum {
    RLX_TAKE_NO_SIGNAL = 1 << 0,
    RLX_TAKE_CLIPPED   = 1 << 1,
    RLX_TAKE_TOO_QUIET = 1 << 2,
    RLX_TAKE_NOISY     = 1 << 3,
    RLX_TAKE_PEAK_CAPPED = 1 << 4,   /* gain held back so peaks stay at -3 dBFS (a note, not a fault) */
};

typedef struct {
    float *samples;       /* malloc'd: trimmed, faded, levelled; NULL for no signal */
    size_t frames;
    size_t trim_start;    /* first frame of the raw take kept */
    double gain_db;       /* applied */
    rlx_take_stats raw;   /* of the raw take */
    rlx_take_stats out;   /* of the result (zeros for no signal) */
    unsigned flags;       /* RLX_TAKE_* */
} rlx_take_result;

/* Trims, fades, levels (never past -3 dBFS peak) and judges a raw take.
 * RLX_OK even for a failed take (see flags); RLX_ERR_NOMEM. */
rlx_err rlx_take_process(const float *raw, size_t n, int rate, const rlx_take_config *cfg,
                         rlx_take_result *res);
void rlx_take_result_free(rlx_take_result *res);   /* accepts NULL */

/* True when the take may be kept without the author insisting. */
bool rlx_take_ok(const rlx_take_result *res);

/* The verdict in plain words, one line ("clipped at 0:03: speak a little
 * softer or move back; background noise is high: a fan?"), or "sounds good". */
const char *rlx_take_verdict(const rlx_take_result *res, int rate, char *buf, size_t len);

#endif
