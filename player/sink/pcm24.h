/* pcm24.h - float samples to 24-bit little-endian PCM. Pure. */
#ifndef RLX_PCM24_H
#define RLX_PCM24_H

#include <stddef.h>
#include <stdint.h>

/* n floats -> n 24-bit little-endian samples (3 bytes each), bit for bit as
 * libsndfile converts them with clipping on (the WAV sink writes these
 * through sf_write_raw, so libsndfile still keeps the container). */
void rlx_pcm24_from_float(uint8_t *out, const float *in, size_t n);

#endif
