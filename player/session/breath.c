/* breath.c - the breath shape (see breath.h and BRIEF "Breath shape").
 * Phase boundaries are compared in exact integers: t < I (seconds) is
 * (frame - s) * 1000 < I_ms * rate, so a boundary never depends on rounding. */
#include "session/breath.h"

#include "session/shape.h"

static double cycle_shape(const rlx_tl_breath *b, int64_t dt, int rate)
{
    double s0 = b->start_shape;
    if (!(s0 > 0.0))
        s0 = 0.0;               /* also catches NaN */
    else if (s0 > 1.0)
        s0 = 1.0;
    int64_t u = dt * 1000;      /* time in units of 1 / (1000 * rate) s */
    int64_t in = (int64_t)(b->pattern.inhale_ms > 0 ? b->pattern.inhale_ms : 0) * rate;
    int64_t h1 = (int64_t)(b->pattern.hold_in_ms > 0 ? b->pattern.hold_in_ms : 0) * rate;
    int64_t ex = (int64_t)(b->pattern.exhale_ms > 0 ? b->pattern.exhale_ms : 0) * rate;
    if (u < in)
        return s0 + (1.0 - s0) * rlx_smoothstep((double)u / (double)in);
    u -= in;
    if (u < h1)
        return 1.0;
    u -= h1;
    if (u < ex)
        return 1.0 - rlx_smoothstep((double)u / (double)ex);
    return 0.0;
}

static int in_cycle(const rlx_tl_breath *b, size_t n, size_t i, int64_t frame)
{
    return b[i].start <= frame && (i + 1 == n || frame < b[i + 1].start);
}

double rlx_breath_shape(const rlx_tl_breath *b, size_t n, int rate, int64_t frame, size_t *hint)
{
    if (n == 0 || !b || rate <= 0)
        return 0.0;
    if (frame < b[0].start) {
        if (hint)
            *hint = 0;
        return 0.0;
    }
    size_t i = hint && *hint < n ? *hint : 0;
    if (!in_cycle(b, n, i, frame)) {
        if (i + 1 < n && in_cycle(b, n, i + 1, frame)) {
            i++;
        } else {
            /* largest i with b[i].start <= frame; b[0].start <= frame holds */
            size_t lo = 0, hi = n;   /* answer in [lo, hi) */
            while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (b[mid].start <= frame)
                    lo = mid;
                else
                    hi = mid;
            }
            i = lo;
        }
    }
    if (hint)
        *hint = i;
    return cycle_shape(&b[i], frame - b[i].start, rate);
}
