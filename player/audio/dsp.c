/* dsp.c - the lookahead safety limiter. */
#include "audio/dsp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- limiter ------------------------------------------------------------ */

/* Gains in the box filter are fixed point so the running sum is exact: a
 * window of unity gains sums to exactly W * Q and the gain is exactly 1.0. */
#define RLX_LIM_Q 1099511627776.0   /* 2^40 */
#define RLX_LIM_MAX_WINDOW (1 << 20)
/* The analysis runs this many frames behind the input, so that it can see
 * the samples around each frame for the inter-sample peak estimate. */
#define RLX_LIM_AHEAD 2

typedef struct {
    size_t w;          /* window = lookahead + 1 frames */
    size_t d;          /* delay ring = w + 3 frames */
    double ceil_in;    /* internal ceiling, a hair below the real one */
    double alpha;      /* one-pole release coefficient */
    float *delay;      /* d frames * channels, raw (sanitised) input */
    double *dq_val;    /* sliding-min deque (ring of w) */
    int64_t *dq_idx;
    int64_t *box;      /* w fixed-point gains */
    /* state */
    int64_t n;         /* frames analysed */
    size_t pos;        /* slot of the newest input frame in delay */
    size_t bpos;       /* n % w: slot in box */
    size_t dq_head, dq_count;
    double mid_prev;   /* inter-sample peak estimate just before the analysed frame */
    double h;          /* released gain */
    int64_t sum;       /* sum of box */
    int64_t full;      /* sum of a box of unity gains */
    double inv_full;
    double gain;       /* last applied gain */
} rlx_lim_state;

static void lim_state_free(rlx_lim_state *s)
{
    if (!s)
        return;
    free(s->delay), free(s->dq_val), free(s->dq_idx), free(s->box), free(s);
}

int rlx_limiter_init(rlx_limiter *l, int rate, int channels, double ceiling_db,
                     double lookahead_ms, double release_ms)
{
    if (!l)
        return -1;
    memset(l, 0, sizeof *l);
    if (rate <= 0 || channels <= 0 || !(lookahead_ms >= 0.0)
        || !isfinite(ceiling_db))
        return -1;
    double la = floor(lookahead_ms * rate / 1000.0 + 0.5);
    if (la >= RLX_LIM_MAX_WINDOW)
        return -1;
    rlx_lim_state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->w = (size_t)la + 1;
    s->d = s->w + RLX_LIM_AHEAD + 1;
    s->delay = calloc(s->d * (size_t)channels, sizeof *s->delay);
    s->dq_val = calloc(s->w, sizeof *s->dq_val);
    s->dq_idx = calloc(s->w, sizeof *s->dq_idx);
    s->box = calloc(s->w, sizeof *s->box);
    if (!s->delay || !s->dq_val || !s->dq_idx || !s->box) {
        lim_state_free(s);
        return -1;
    }
    double ceiling = pow(10.0, ceiling_db / 20.0);
    /* 1e-6 below: rounding of the gain and of the float output can then never
     * push a sample over the real ceiling. */
    s->ceil_in = ceiling * (1.0 - 1e-6);
    double rel = release_ms * rate / 1000.0;
    s->alpha = rel > 1.0 ? 1.0 - exp(-1.0 / rel) : 1.0;
    l->channels = channels;
    l->lookahead = s->w - 1 + RLX_LIM_AHEAD;
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
    memset(s->delay, 0, s->d * (size_t)l->channels * sizeof *s->delay);
    for (size_t i = 0; i < s->w; i++)
        s->box[i] = (int64_t)RLX_LIM_Q;
    s->full = (int64_t)RLX_LIM_Q * (int64_t)s->w;
    s->inv_full = 1.0 / (double)s->full;
    s->sum = s->full;
    s->n = 0;
    s->pos = s->d - 1;   /* the first frame goes to slot 0 */
    s->bpos = 0;
    s->dq_head = s->dq_count = 0;
    s->mid_prev = 0.0;
    s->h = 1.0;
    s->gain = 1.0;
}

static inline size_t wrap(size_t i, size_t w)
{
    return i >= w ? i - w : i;
}

/* Takes the peak p of the frame being analysed and returns the gain for the
 * frame leaving the delay line (the analysed one minus the lookahead). */
static inline double lim_step(rlx_lim_state *s, double p)
{
    const size_t w = s->w;
    const int64_t n = s->n++;
    double r = p > s->ceil_in ? s->ceil_in / p : 1.0;

    /* Idle (everything in the window needs no reduction, gain at 1) and this
     * frame needs none either: the general path below would leave every
     * value as it is, only with the deque holding ones (same as empty). */
    if (r == 1.0 && s->h == 1.0 && s->sum == s->full
        && (s->dq_count == 0 || s->dq_val[s->dq_head] == 1.0)) {
        s->dq_count = 0;
        s->bpos = wrap(s->bpos + 1, w);
        s->gain = 1.0;
        return 1.0;
    }

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
    } else {
        s->h += (m - s->h) * s->alpha;
        if (m - s->h < 1e-9 || s->h > m)
            s->h = m;
    }

    /* box average over the window: ramps the gain down over the lookahead
     * and never exceeds the minimum over the window */
    int64_t q = (int64_t)floor(s->h * RLX_LIM_Q);
    s->sum += q - s->box[s->bpos];
    s->box[s->bpos] = q;
    s->bpos = wrap(s->bpos + 1, w);
    /* exactly 1.0 for a full window; otherwise the rounding of the
     * multiplication is far inside the 1e-6 margin of ceil_in */
    s->gain = s->sum == s->full ? 1.0 : (double)s->sum * s->inv_full;
    return s->gain;
}

void rlx_limiter_process(rlx_limiter *l, float *inout, size_t frames)
{
    if (!l || !l->priv || !inout)
        return;
    rlx_lim_state *s = l->priv;
    const size_t ch = (size_t)l->channels, d = s->d;
    const float c = l->ceiling;
    for (size_t f = 0; f < frames; f++) {
        float *x = inout + f * ch;
        s->pos = wrap(s->pos + 1, d);
        /* newest input n, and n-1, n-2 (being analysed), n-3 */
        float *x0 = s->delay + s->pos * ch;
        const float *x1 = s->delay + wrap(s->pos + d - 1, d) * ch;
        const float *x2 = s->delay + wrap(s->pos + d - 2, d) * ch;
        const float *x3 = s->delay + wrap(s->pos + d - 3, d) * ch;
        double p = 0.0, mid = 0.0;
        for (size_t k = 0; k < ch; k++) {
            float v = x[k];
            if (!isfinite(v))
                v = 0.0f;
            x0[k] = v;
            /* sample peak of frame n-2 ... */
            double a = fabs((double)x2[k]);
            if (a > p)
                p = a;
            /* ... and the cubic midpoint between n-2 and n-1: "true-ish"
             * peak, catches most inter-sample overs */
            double m = fabs((9.0 * ((double)x2[k] + x1[k]) - ((double)x3[k] + v)) / 16.0);
            if (m > mid)
                mid = m;
        }
        double pk = p;
        if (mid > pk)
            pk = mid;
        if (s->mid_prev > pk)
            pk = s->mid_prev;
        s->mid_prev = mid;
        double g = lim_step(s, pk);
        /* frame n - latency */
        const float *o = s->delay + wrap(s->pos + (d - l->lookahead), d) * ch;
        if (g == 1.0) {
            for (size_t k = 0; k < ch; k++)
                x[k] = o[k];
            continue;
        }
        for (size_t k = 0; k < ch; k++) {
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
    lim_state_free(l->priv);
    l->priv = NULL;
}
