/* tone.c - the breathing tone.
 *
 * Phase model: on the grid frames G_g = g * RLX_TONE_GRID the phase
 * increment inc_g = f(shape(G_g)) / rate is exact; between them it is linear,
 * inc(G_g + j) = inc_g + j * b_g with b_g = (inc_{g+1} - inc_g) / GRID. The
 * phase at G_g + j is then the closed form
 *     P_g + j * inc_g + j (j - 1) / 2 * b_g,
 * and P_{g+1} is that expression at j = GRID, wrapped to [0,1). Every sample
 * is thus a function of (P_g, j) alone: rendering is independent of block
 * sizes, and seeking only walks the grid (P_g), never the samples. */
#include "audio/tone.h"

#include <math.h>

#include "audio/dsp.h"

#define GRID RLX_TONE_GRID

double rlx_tone_freq(const rlx_tone_config *cfg, double shape)
{
    return cfg->pitch_hz * exp2(cfg->glide_st * shape / 12.0);
}

double rlx_tone_amp(double shape)
{
    if (!(shape > 0.0))
        shape = 0.0;
    else if (shape > 1.0)
        shape = 1.0;
    return 0.35 + 0.65 * shape;
}

/* sin(pi/2 * u) for |u| <= 1: Taylor to degree 13, error < 1e-9. */
static inline double sin_quarter(double u)
{
    const double z = u * (M_PI / 2.0);
    const double z2 = z * z;
    return z * (1.0 + z2 * (-1.0 / 6.0 + z2 * (1.0 / 120.0 + z2 * (-1.0 / 5040.0
           + z2 * (1.0 / 362880.0 + z2 * (-1.0 / 39916800.0 + z2 * (1.0 / 6227020800.0)))))));
}

/* sin(2 pi x), branch-free and vectorisable: with g = y - round(y) for
 * y = x + 3/4 (rounded by the 1.5 * 2^52 trick, exact for |y| < 2^51),
 * 1 - 4|g| is a triangle wave of x that equals 4x near 0, mapping every x
 * onto [-1, 1] of sin_quarter. */
static inline double sin_cycles(double x)
{
    const double magic = 6755399441055744.0;   /* 1.5 * 2^52 */
    const double y = x + 0.75;
    const double g = y - ((y + magic) - magic);
    return sin_quarter(1.0 - 4.0 * fabs(g));
}

static double waveform_peak(double c)
{
    /* max of sin(t) + c sin(2t): cos t = (sqrt(1 + 32 c^2) - 1) / (8 c) */
    if (c <= 0.0)
        return 1.0;
    double ct = (sqrt(1.0 + 32.0 * c * c) - 1.0) / (8.0 * c);
    double th = acos(ct);
    return sin(th) + c * sin(2.0 * th);
}

void rlx_tone_init(rlx_tone *t, const rlx_tone_config *cfg)
{
    t->cfg = *cfg;
    t->phase = 0.0;
    t->frame = 0;
    t->hint = 0;
    t->seg = 0;
    t->inc0 = t->inc1 = 0.0;
    t->amp0 = t->amp1 = 0.0;
    /* 1e-9 of headroom covers the sine approximation */
    t->norm = 1.0 / (waveform_peak(RLX_TONE_PARTIAL2) * (1.0 + 1e-9));
    t->ready = 0;
}

static void controls(rlx_tone *t, const rlx_timeline *tl, int64_t seg,
                     double *inc, double *amp)
{
    double shape = rlx_timeline_breath_shape(tl, seg * GRID, &t->hint);
    *inc = t->cfg.rate > 0 ? rlx_tone_freq(&t->cfg, shape) / t->cfg.rate : 0.0;
    *amp = rlx_tone_amp(shape);
}

static void restart(rlx_tone *t, const rlx_timeline *tl)
{
    t->phase = 0.0;
    t->seg = 0;
    t->hint = 0;
    controls(t, tl, 0, &t->inc0, &t->amp0);
    controls(t, tl, 1, &t->inc1, &t->amp1);
    t->ready = 1;
}

/* Moves the control segment to seg, walking the grid. */
static void goto_segment(rlx_tone *t, const rlx_timeline *tl, int64_t seg)
{
    if (!t->ready || seg < t->seg)
        restart(t, tl);
    while (t->seg < seg) {
        double p = t->phase + GRID * t->inc0 + (GRID - 1) * 0.5 * (t->inc1 - t->inc0);
        t->phase = p - floor(p);
        t->seg++;
        t->inc0 = t->inc1;
        t->amp0 = t->amp1;
        controls(t, tl, t->seg + 1, &t->inc1, &t->amp1);
    }
}

void rlx_tone_seek(rlx_tone *t, const rlx_timeline *tl, int64_t frame)
{
    if (frame < 0)
        frame = 0;
    goto_segment(t, tl, frame / GRID);
    t->frame = frame;
}

/* One control segment, and the sample at offset j (0 <= j < GRID) in it. */
typedef struct {
    double p0, a, b;      /* phase at its start, increment, increment slope */
    double amp, damp;     /* amplitude at its start, slope */
    double norm;
} tone_seg;

static inline double tone_sample(const tone_seg *sg, double j)
{
    const double ph = sg->p0 + j * sg->a + (j * (j - 1.0) * 0.5) * sg->b;
    const double s = sin_cycles(ph) + RLX_TONE_PARTIAL2 * sin_cycles(2.0 * ph);
    return (sg->amp + j * sg->damp) * sg->norm * s;
}

/* RT-safe: no allocation, no locks. On x86-64 also compiled for AVX2 and
 * AVX-512 (picked at load time): 4 or 8 lanes instead of SSE2's 2, with the
 * same IEEE operations per lane (no FMA: C11 mode does not contract), so the
 * same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void rlx_tone_render(rlx_tone *t, const rlx_timeline *tl, float *mono, size_t n)
{
    if (t->frame < 0)
        t->frame = 0;
    size_t done = 0;
    while (done < n) {
        const int64_t seg = t->frame / GRID;
        goto_segment(t, tl, seg);
        const int64_t j0 = t->frame - seg * GRID;
        size_t cnt = (size_t)(GRID - j0);
        if (cnt > n - done)
            cnt = n - done;
        const tone_seg sg = {t->phase, t->inc0, (t->inc1 - t->inc0) / GRID,
                             t->amp0, (t->amp1 - t->amp0) / GRID, t->norm};
        if (cnt == GRID) {
            /* A whole segment: fixed trip counts, which GCC vectorises at
             * -O2 (same IEEE operations per lane, so the same bits). */
            double tmp[GRID];
            for (int i = 0; i < GRID; i++)
                tmp[i] = tone_sample(&sg, (double)i);
            float *out = mono + done;
            for (int i = 0; i < GRID; i++)
                out[i] = (float)tmp[i];
        } else {
            for (size_t i = 0; i < cnt; i++)
                mono[done + i] = (float)tone_sample(&sg, (double)(j0 + (int64_t)i));
        }
        done += cnt;
        t->frame += (int64_t)cnt;
    }
}
