/* decode.h - streaming decode of an audio file with libsndfile, with the
 * channels mapped for playback: mono stays mono, stereo stays stereo, more
 * channels are down-mixed to stereo. Never holds the whole file in memory.
 * One thread at a time per decoder. */
#ifndef RLX_DECODE_H
#define RLX_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct rlx_decoder rlx_decoder;

/* Opens path. On failure: RLX_ERR_AUDIO_FILE (missing, unreadable, corrupt)
 * or RLX_ERR_AUDIO_FORMAT (not a format libsndfile decodes), with a one-line
 * reason starting with the file's base name in why. */
rlx_err rlx_decoder_open(const char *path, rlx_decoder **out, char *why, size_t whylen);
void rlx_decoder_close(rlx_decoder *d);  /* accepts NULL */

int rlx_decoder_rate(const rlx_decoder *d);
int rlx_decoder_source_channels(const rlx_decoder *d);
int rlx_decoder_channels(const rlx_decoder *d);   /* after mapping: 1 or 2 */
int64_t rlx_decoder_frames(const rlx_decoder *d); /* as declared by the file */

/* Reads up to n mapped frames (rlx_decoder_channels() floats each) into out.
 * *got == 0 means the end. A read error, or an end before the declared
 * length, is RLX_ERR_AUDIO_FILE "truncated or corrupt". */
rlx_err rlx_decoder_read(rlx_decoder *d, float *out, size_t n, size_t *got,
                         char *why, size_t whylen);

/* The stereo down-mix gains used for a file with n > 2 channels (exposed for
 * the tests): gains[2*i] to the left, gains[2*i+1] to the right. */
void rlx_decoder_mix_gains(const rlx_decoder *d, const float **gains);

/* Number of successful rlx_decoder_open calls in this process (for tests:
 * a warm cache must not decode). */
unsigned long rlx_decoder_open_count(void);

#endif
