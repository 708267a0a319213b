/* dsp.c - smoothstep, ducking curve and the lookahead safety limiter. */
#include "audio/dsp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- limiter ------------------------------------------------------------ */

/* Gains in the box filter are fixed point so the running sum is exact: a
 * window of unity gains sums to exactly W * Q and the gain is exactly 1.0. */
#define RLX_LIM_Q 1099511627776.0   /* 2^40 */
#define RLX_LIM_MAX_WINDOW (1 << 20)

typedef struct {
    size_t w;          /* window = lookahead + 1 frames */
    double ceil_in;    /* internal ceiling, a hair below the real one */
    double alpha;      /* one-pole release coefficient */
    float *delay;      /* w frames * channels */
    double *dq_val;    /* sliding-min deque (ring of w) */
    int64_t *dq_idx;
    int64_t *box;      /* w fixed-point gains */
    /* state */
    int64_t n;         /* frames processed */
    size_t pos;        /* n % w: slot of the newest frame in delay and box */
    size_t dq_head, dq_count;
    double h;          /* released gain */
    int64_t sum;       /* sum of box */
    double gain;       /* last applied gain */
} rlx_lim_state;

int rlx_limiter_init(rlx_limiter *l, int rate, int channels, double ceiling_db,
                     double lookahead_ms, double release_ms)
{
    if (!l)
        return -1;
    memset(l, 0, sizeof *l);
    if (rate <= 0 || channels <= 0 || !(lookahead_ms >= 0.0) || !isfinite(ceiling_db))
        return -1;
    double la = floor(lookahead_ms * rate / 1000.0 + 0.5);
    if (la >= RLX_LIM_MAX_WINDOW)
        return -1;
    rlx_lim_state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->w = (size_t)la + 1;
    s->delay = calloc(s->w * (size_t)channels, sizeof *s->delay);
    s->dq_val = calloc(s->w, sizeof *s->dq_val);
    s->dq_idx = calloc(s->w, sizeof *s->dq_idx);
    s->box = calloc(s->w, sizeof *s->box);
    if (!s->delay || !s->dq_val || !s->dq_idx || !s->box) {
        free(s->delay), free(s->dq_val), free(s->dq_idx), free(s->box), free(s);
        return -1;
    }
    double ceiling = pow(10.0, ceiling_db / 20.0);
    /* 1e-6 below: rounding of the gain and of the float output can then never
     * push a sample over the real ceiling. */
    s->ceil_in = ceiling * (1.0 - 1e-6);
    double rel = release_ms * rate / 1000.0;
    s->alpha = rel > 1.0 ? 1.0 - exp(-1.0 / rel) : 1.0;
    l->channels = channels;
    l->lookahead = s->w - 1;
    l->ceiling = (float)ceiling;
    l->priv = s;
    rlx_limiter_reset(l);
    return 0;
}

void rlx_limiter_reset(rlx_limiter *l)
{
    if (!l || !l->priv)
        return;
    rlx_lim_state *s = l->priv;
    memset(s->delay, 0, s->w * (size_t)l->channels * sizeof *s->delay);
    for (size_t i = 0; i < s->w; i++)
        s->box[i] = (int64_t)RLX_LIM_Q;
    s->sum = (int64_t)RLX_LIM_Q * (int64_t)s->w;
    s->n = 0;
    s->pos = 0;
    s->dq_head = s->dq_count = 0;
    s->h = 1.0;
    s->gain = 1.0;
}

static inline size_t wrap(size_t i, size_t w)
{
    return i >= w ? i - w : i;
}

/* Takes the peak p of the newest frame (in slot s->pos) and returns the gain
 * for the frame leaving the delay line (frame n - lookahead). */
static inline double lim_step(rlx_lim_state *s, double p)
{
    const size_t w = s->w;
    const int64_t n = s->n;
    double r = p > s->ceil_in ? s->ceil_in / p : 1.0;

    /* sliding minimum of r over the last w frames (expire first, so the
     * ring of w slots never overflows) */
    while (s->dq_count > 0 && s->dq_idx[s->dq_head] <= n - (int64_t)w) {
        s->dq_head = wrap(s->dq_head + 1, w);
        s->dq_count--;
    }
    while (s->dq_count > 0 && s->dq_val[wrap(s->dq_head + s->dq_count - 1, w)] >= r)
        s->dq_count--;
    size_t slot = wrap(s->dq_head + s->dq_count, w);
    s->dq_val[slot] = r;
    s->dq_idx[slot] = n;
    s->dq_count++;
    double m = s->dq_val[s->dq_head];

    /* instant attack, one-pole release; h <= m always */
    if (m <= s->h) {
        s->h = m;
    } else if (s->h < m) {
        s->h += (m - s->h) * s->alpha;
        if (m - s->h < 1e-9 || s->h > m)
            s->h = m;
    }

    /* box average over the window: ramps the gain down over the lookahead
     * and never exceeds the minimum over the window */
    int64_t q = (int64_t)floor(s->h * RLX_LIM_Q);
    s->sum += q - s->box[s->pos];
    s->box[s->pos] = q;
    s->gain = (double)s->sum / (RLX_LIM_Q * (double)w);
    return s->gain;
}

void rlx_limiter_process(rlx_limiter *l, float *inout, size_t frames)
{
    if (!l || !l->priv || !inout)
        return;
    rlx_lim_state *s = l->priv;
    const int ch = l->channels;
    const float c = l->ceiling;
    for (size_t f = 0; f < frames; f++) {
        float *x = inout + f * (size_t)ch;
        float *d = s->delay + s->pos * (size_t)ch;
        double p = 0.0;
        for (int k = 0; k < ch; k++) {
            float v = x[k];
            if (!isfinite(v))
                v = 0.0f;
            double a = fabs((double)v);
            if (a > p)
                p = a;
            d[k] = v;
        }
        double g = lim_step(s, p);
        s->n++;
        s->pos = wrap(s->pos + 1, s->w);
        /* the next slot holds frame n - lookahead */
        const float *o = s->delay + s->pos * (size_t)ch;
        if (g == 1.0) {
            for (int k = 0; k < ch; k++)
                x[k] = o[k];
            continue;
        }
        for (int k = 0; k < ch; k++) {
            float y = (float)((double)o[k] * g);
            /* never triggers by construction; a last guard against rounding */
            if (y > c)
                y = c;
            else if (y < -c)
                y = -c;
            x[k] = y;
        }
    }
}

size_t rlx_limiter_latency(const rlx_limiter *l)
{
    return l ? l->lookahead : 0;
}

double rlx_limiter_gain(const rlx_limiter *l)
{
    if (!l || !l->priv)
        return 1.0;
    return ((const rlx_lim_state *)l->priv)->gain;
}

void rlx_limiter_free(rlx_limiter *l)
{
    if (!l || !l->priv)
        return;
    rlx_lim_state *s = l->priv;
    free(s->delay), free(s->dq_val), free(s->dq_idx), free(s->box), free(s);
    l->priv = NULL;
}
