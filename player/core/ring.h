/* ring.h - lock-free single-producer single-consumer ring of float frames.
 * One writer thread and one reader thread (typically the render thread and
 * the audio callback); no locks, C11 atomics only. The two-region API lets
 * either side work in place on the (at most two) contiguous spans:
 *     n = rlx_ring_write_regions(r, want, &a, &na, &b, &nb);
 *     ... fill a[0..na) and b[0..nb) ...
 *     rlx_ring_write_commit(r, n);
 * Sizes and counts are in frames (one frame = `channels` floats). The
 * capacity is rounded up to a power of two. Only open/close allocate. */
#ifndef RLX_RING_H
#define RLX_RING_H

#include <stddef.h>

#include "core/err.h"

typedef struct rlx_ring rlx_ring;

/* Capacity >= min_frames (rounded up to a power of two), channels >= 1.
 * RLX_ERR_USAGE for zero sizes or absurd capacities, RLX_ERR_NOMEM. */
rlx_err rlx_ring_open(size_t min_frames, int channels, rlx_ring **out);
void rlx_ring_close(rlx_ring *r);  /* accepts NULL */

size_t rlx_ring_capacity(const rlx_ring *r);  /* frames */
int rlx_ring_channels(const rlx_ring *r);

/* Either thread may call these; the answer is a lower bound for the caller's
 * side (the other side can only make it larger). */
size_t rlx_ring_read_available(const rlx_ring *r);   /* frames readable */
size_t rlx_ring_write_available(const rlx_ring *r);  /* frames writable */

/* Writer only. Returns min(n, writable) and the spans holding it
 * (*n2 = 0 and *p2 = NULL when one span suffices). */
size_t rlx_ring_write_regions(rlx_ring *r, size_t n, float **p1, size_t *n1,
                              float **p2, size_t *n2);
void rlx_ring_write_commit(rlx_ring *r, size_t n);
/* Copies up to n frames in; returns how many were written. */
size_t rlx_ring_write(rlx_ring *r, const float *frames, size_t n);

/* Reader only. Same contract as the write side. */
size_t rlx_ring_read_regions(rlx_ring *r, size_t n, const float **p1, size_t *n1,
                             const float **p2, size_t *n2);
void rlx_ring_read_commit(rlx_ring *r, size_t n);
/* Copies up to n frames out; returns how many were read. */
size_t rlx_ring_read(rlx_ring *r, float *out, size_t n);
/* Drops up to n frames (the reader's way to empty the ring); returns how many. */
size_t rlx_ring_skip(rlx_ring *r, size_t n);

#endif
