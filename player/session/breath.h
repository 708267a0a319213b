/* breath.h - the breath envelope: breathing cycles laid out in frames and
 * the shape of the lungs at any frame (breath.c). Below the timeline, which
 * lays the cycles out (and needs the shape to start a synced cycle where
 * the previous one was). */
#ifndef RLX_BREATH_H
#define RLX_BREATH_H

#include <stddef.h>
#include <stdint.h>

#include "session/session.h"

/* A breath cycle: starts an inhale at `start` with `pattern`. The inhale
 * begins from `start_shape` (0 normally; >0 after a breath sync that
 * interrupted a cycle, so the tone never jumps). Cycles are contiguous. */
typedef struct {
    int64_t start;                /* frame */
    rlx_breath_pattern pattern;
    double start_shape;           /* 0..1 */
} rlx_tl_breath;

/* Shape at frame: 0 = empty lungs, 1 = full, smooth (raised cosine) in
 * between, for n contiguous cycles at rate; 0 before the first and without
 * cycles. hint may be NULL; with it, increasing frames are O(1). Pure. */
double rlx_breath_shape(const rlx_tl_breath *b, size_t n, int rate, int64_t frame, size_t *hint);

#endif
