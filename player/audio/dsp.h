/* dsp.h - pure gain curves and the safety limiter. No I/O, no allocation
 * except in rlx_limiter_init. */
#ifndef RLX_DSP_H
#define RLX_DSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline double rlx_db_to_lin(double db) { return __builtin_pow(10.0, db / 20.0); }

/* Smooth 0..1 step (raised cosine) of x in [0,1]; clamps outside. */
double rlx_smoothstep(double x);

typedef struct { int64_t start, end; } rlx_span;

/* Ducking depth 0..1 at frame t for voice spans sorted by start: rises
 * from span.start - pre to 1 at span.start, holds, falls from span.end to 0
 * at span.end + post. Overlapping ramps take the maximum. hint may be NULL. */
double rlx_duck_depth(const rlx_span *spans, size_t n, int64_t t,
                      int64_t pre, int64_t post, size_t *hint);

/* Lookahead peak limiter: no output sample exceeds the ceiling. It delays
 * the signal by `lookahead` frames (rlx_limiter_latency). */
typedef struct {
    /* fields are private to dsp.c (owner may change them) */
    int channels;
    size_t lookahead;
    float ceiling;
    void *priv;
} rlx_limiter;

int rlx_limiter_init(rlx_limiter *l, int rate, int channels, double ceiling_db,
                     double lookahead_ms, double release_ms);   /* 0 ok, -1 nomem */
void rlx_limiter_process(rlx_limiter *l, float *inout, size_t frames);
size_t rlx_limiter_latency(const rlx_limiter *l);
void rlx_limiter_reset(rlx_limiter *l);
void rlx_limiter_free(rlx_limiter *l);

#endif
