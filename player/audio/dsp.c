/* dsp.c - the lookahead safety limiter. */
#include "audio/dsp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- limiter ------------------------------------------------------------ */

/* Gains in the box filter are fixed point so the running sum is exact: a
 * window of unity gains sums to exactly W * Q and the gain is exactly 1.0. */
#define RLX_LIM_Q 1099511627776.0   /* 2^40 */
#define RLX_LIM_MAX_WINDOW (1 << 20)
/* The analysis runs this many frames behind the input, so that it can see
 * the samples around each frame for the inter-sample peak estimate. */
#define RLX_LIM_AHEAD 2
/* The quiet path (see lim_quiet) looks at up to this many frames at once,
 * and not at fewer than RLX_LIM_QUIET_MIN (not worth it; and so a frame by
 * frame run is the general path alone, which the tests compare against). */
#define RLX_LIM_CHUNK 256
#define RLX_LIM_QUIET_MIN 16

typedef struct {
    size_t w;          /* window = lookahead + 1 frames */
    size_t d;          /* delay ring = w + 3 frames */
    double ceil_in;    /* internal ceiling, a hair below the real one */
    double alpha;      /* one-pole release coefficient */
    float *delay;      /* d frames * channels, raw (sanitised) input */
    double *dq_val;    /* sliding-min deque (ring of w) */
    int64_t *dq_idx;
    int64_t *box;      /* w fixed-point gains */
    float *stage;      /* RLX_LIM_CHUNK frames * channels: input kept for the quiet path */
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
    uint32_t quiet_bits; /* bits of the largest |sample| for the quiet path */
    double gain;       /* last applied gain */
} rlx_lim_state;

static void lim_state_free(rlx_lim_state *s)
{
    if (!s)
        return;
    free(s->delay), free(s->dq_val), free(s->dq_idx), free(s->box), free(s->stage), free(s);
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
    s->stage = calloc((size_t)RLX_LIM_CHUNK * (size_t)channels, sizeof *s->stage);
    if (!s->delay || !s->dq_val || !s->dq_idx || !s->box || !s->stage) {
        lim_state_free(s);
        return -1;
    }
    double ceiling = pow(10.0, ceiling_db / 20.0);
    /* 1e-6 below: rounding of the gain and of the float output can then never
     * push a sample over the real ceiling. */
    s->ceil_in = ceiling * (1.0 - 1e-6);
    double rel = release_ms * rate / 1000.0;
    s->alpha = rel > 1.0 ? 1.0 - exp(-1.0 / rel) : 1.0;
    /* The midpoint estimate of samples up to q is at most 1.25 q (exactly:
     * every rounding in lim_mid is monotonic and 20 q / 16 is representable). */
    float q = (float)(s->ceil_in / 1.25);
    while (q > 0.0f && 1.25 * (double)q > s->ceil_in)
        q = nextafterf(q, 0.0f);
    memcpy(&s->quiet_bits, &q, sizeof q);
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

/* The cubic midpoint between x2 and x1 from x3..x0 (newest): a "true-ish"
 * peak that catches most inter-sample overs. One function, so that both
 * paths below compute the same bits. */
static inline double lim_mid(float x3, float x2, float x1, float x0)
{
    return fabs((9.0 * ((double)x2 + x1) - ((double)x3 + x0)) / 16.0);
}

/* The general path: frame by frame through lim_step. */
static void lim_run(rlx_limiter *l, rlx_lim_state *s, float *inout, size_t frames)
{
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
            /* sample peak of frame n-2 and the midpoint between n-2 and n-1 */
            double a = fabs((double)x2[k]);
            if (a > p)
                p = a;
            double m = lim_mid(x3[k], x2[k], x1[k], v);
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

/* Whether any of n floats has |x| above the float whose bits are q (q below
 * the infinity's): the bits of |x| order like the values, and a NaN or an
 * infinity has bits above q too. Integers, so no NaN slips through a
 * compare; SSE2 when there, 4 at a time. */
static bool any_above(const float *x, size_t n, uint32_t q)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i mask = _mm_set1_epi32(0x7fffffff), qv = _mm_set1_epi32((int32_t)q);
    __m128i over = _mm_setzero_si128();
    for (; i + 4 <= n; i += 4) {
        __m128i b = _mm_and_si128(_mm_loadu_si128((const __m128i *)(x + i)), mask);
        over = _mm_or_si128(over, _mm_cmpgt_epi32(b, qv));
    }
    if (_mm_movemask_epi8(over))
        return true;
#endif
    uint32_t over1 = 0;
    for (; i < n; i++) {
        uint32_t b;
        memcpy(&b, &x[i], sizeof b);
        over1 |= (b & 0x7fffffffu) > q;
    }
    return over1 != 0;
}

/* Copies n frames into / out of the delay ring from slot `at` on (wrapping). */
static void ring_put(rlx_lim_state *s, size_t ch, size_t at, const float *src, size_t n)
{
    size_t first = s->d - at < n ? s->d - at : n;
    memcpy(s->delay + at * ch, src, first * ch * sizeof *src);
    memcpy(s->delay, src + first * ch, (n - first) * ch * sizeof *src);
}

static void ring_get(const rlx_lim_state *s, size_t ch, size_t at, float *dst, size_t n)
{
    size_t first = s->d - at < n ? s->d - at : n;
    memcpy(dst, s->delay + at * ch, first * ch * sizeof *dst);
    memcpy(dst + first * ch, s->delay, (n - first) * ch * sizeof *dst);
}

/* The quiet path: true when the limiter is idle (gain settled at exactly 1)
 * and no frame of this chunk can ask for a reduction, that is every sample,
 * the 3 frames before the chunk included, is finite and so small that even
 * the midpoint estimate (at most 20/16 of the largest) stays under the
 * internal ceiling. Then lim_run would take lim_step's idle branch for every
 * frame and copy the delayed input unchanged: this does exactly that, with
 * block copies, and leaves the state as lim_run would. */
static bool lim_quiet(rlx_limiter *l, rlx_lim_state *s, float *x, size_t k)
{
    const size_t ch = (size_t)l->channels, d = s->d, L = l->lookahead;
    if (!(s->h == 1.0 && s->sum == s->full && s->mid_prev <= s->ceil_in
          && (s->dq_count == 0 || s->dq_val[s->dq_head] == 1.0)))
        return false;
    if (any_above(x, k * ch, s->quiet_bits))
        return false;
    for (size_t b = 0; b < 3; b++)
        if (any_above(s->delay + wrap(s->pos + d - b, d) * ch, ch, s->quiet_bits))
            return false;
    /* out[j] is input frame j - L: from the ring for j < L, else the chunk */
    memcpy(s->stage, x, k * ch * sizeof *x);
    size_t from_ring = k < L ? k : L;
    ring_get(s, ch, wrap(s->pos + 1 + (d - L), d), x, from_ring);
    if (k > L)
        memcpy(x + L * ch, s->stage, (k - L) * ch * sizeof *x);
    /* the ring keeps the newest d frames */
    size_t nw = k < d ? k : d;
    ring_put(s, ch, (s->pos + 1 + (k - nw)) % d, s->stage + (k - nw) * ch, nw);
    s->pos = (s->pos + k) % d;
    /* lim_step's idle branch, k times; the midpoint of the newest frames */
    s->n += (int64_t)k;
    s->bpos = (s->bpos + k) % s->w;
    s->dq_count = 0;
    s->gain = 1.0;
    const float *x0 = s->delay + s->pos * ch;
    const float *x1 = s->delay + wrap(s->pos + d - 1, d) * ch;
    const float *x2 = s->delay + wrap(s->pos + d - 2, d) * ch;
    const float *x3 = s->delay + wrap(s->pos + d - 3, d) * ch;
    double mid = 0.0;
    for (size_t c = 0; c < ch; c++) {
        double v = lim_mid(x3[c], x2[c], x1[c], x0[c]);
        if (v > mid)
            mid = v;
    }
    s->mid_prev = mid;
    return true;
}

void rlx_limiter_process(rlx_limiter *l, float *inout, size_t frames)
{
    if (!l || !l->priv || !inout)
        return;
    rlx_lim_state *s = l->priv;
    const size_t ch = (size_t)l->channels;
    while (frames > 0) {
        size_t k = frames < RLX_LIM_CHUNK ? frames : RLX_LIM_CHUNK;
        if (k < RLX_LIM_QUIET_MIN || !lim_quiet(l, s, inout, k))
            lim_run(l, s, inout, k);
        inout += k * ch;
        frames -= k;
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
