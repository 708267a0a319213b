/* shape.h - the basic gain shapes: decibels, the smooth step every ramp
 * uses, and the ducking curve under voice spans. Pure. */
#ifndef RLX_SHAPE_H
#define RLX_SHAPE_H

#include <stddef.h>
#include <stdint.h>

static inline double rlx_db_to_lin(double db) { return __builtin_pow(10.0, db / 20.0); }

/* Smooth 0..1 step (raised cosine) of x in [0,1]; clamps outside. */
double rlx_smoothstep(double x);

typedef struct { int64_t start, end; } rlx_span;

/* Ducking depth 0..1 at frame t for voice spans sorted by start: rises
 * from span.start - pre to 1 at span.start, holds, falls from span.end to 0
 * at span.end + post (both ramps rlx_smoothstep). Overlapping ramps take the
 * maximum. Ends must be non-decreasing too (voice spans never overlap).
 * hint may be NULL; with it, calls with increasing t are O(1). */
double rlx_duck_depth(const rlx_span *spans, size_t n, int64_t t,
                      int64_t pre, int64_t post, size_t *hint);

#endif
