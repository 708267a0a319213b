/* shape.c - the basic gain shapes (see shape.h). */
#include "session/shape.h"

#include <math.h>

double rlx_smoothstep(double x)
{
    if (!(x > 0.0))
        return 0.0;   /* also NaN */
    if (x >= 1.0)
        return 1.0;
    return 0.5 - 0.5 * cos(M_PI * x);
}

/* ---- ducking ------------------------------------------------------------ */

static double span_depth(const rlx_span *s, int64_t t, int64_t pre, int64_t post)
{
    if (t < s->start) {
        if (pre <= 0 || t < s->start - pre)
            return 0.0;
        return rlx_smoothstep((double)(t - (s->start - pre)) / (double)pre);
    }
    if (t < s->end)
        return 1.0;
    if (post <= 0 || t >= s->end + post)
        return 0.0;
    return 1.0 - rlx_smoothstep((double)(t - s->end) / (double)post);
}

double rlx_duck_depth(const rlx_span *spans, size_t n, int64_t t,
                      int64_t pre, int64_t post, size_t *hint)
{
    if (!spans || n == 0)
        return 0.0;
    if (pre < 0)
        pre = 0;
    if (post < 0)
        post = 0;
    /* k = number of spans whose ramp has begun (start - pre <= t). The hint
     * stores k, so a sweep over increasing t stays O(1). */
    size_t k = hint && *hint <= n ? *hint : 0;
#define BEGUN(i) (spans[(i)].start - pre <= t)
    int ok = (k == 0 || BEGUN(k - 1)) && (k == n || !BEGUN(k));
    if (!ok && k < n && BEGUN(k) && (k + 1 == n || !BEGUN(k + 1))) {
        k++;
        ok = 1;
    }
    if (!ok) {
        size_t lo = 0, hi = n;   /* first index not begun, in [lo, hi] */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (BEGUN(mid))
                lo = mid + 1;
            else
                hi = mid;
        }
        k = lo;
    }
#undef BEGUN
    if (hint)
        *hint = k;
    /* Spans before k: those whose release is still running. Ends are
     * non-decreasing, so stop at the first one already fully released. */
    double d = 0.0;
    for (size_t i = k; i-- > 0;) {
        if (spans[i].end + post <= t)
            break;
        double v = span_depth(&spans[i], t, pre, post);
        if (v > d)
            d = v;
        if (d >= 1.0)
            break;
    }
    return d;
}
