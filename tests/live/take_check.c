/* take_check.c - test helper: compares a kept take with the audio that was
 * fed into the input.
 *
 *   take_check FED.wav KEPT.flac
 *
 * The kept take should be the fed audio, shifted (trimming) and scaled by
 * one gain (levelling), with raised-cosine fades at both ends. Prints:
 *   lag N          fed frame that kept frame 0 corresponds to (may be < 0)
 *   gain_db G      the scale found (kept peak / fed peak)
 *   residual_db R  RMS of kept - gain * fed outside the fades, relative to
 *                  the kept take's RMS (lower is closer; -inf = identical)
 *   missing_ms M   fed audio above -60 dBFS left out of the take
 *   lufs L         integrated loudness of the kept take
 *   edges A B      |first sample|, |last sample|
 *   edgestep S     largest sample-to-sample step within the first and
 *                  last 20 ms, relative to the peak (a click shows as a jump)
 * Exit 0, or 1 on an unreadable file. */
#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>

static float *load(const char *path, size_t *n, int *rate)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f || info.channels != 1) {
        fprintf(stderr, "take_check: %s: need a readable mono file\n", path);
        exit(1);
    }
    *n = (size_t)info.frames;
    *rate = info.samplerate;
    float *x = calloc(*n ? *n : 1, sizeof *x);
    if (!x || sf_readf_float(f, x, info.frames) != info.frames)
        exit(1);
    sf_close(f);
    return x;
}

static double peak_of(const float *x, size_t n)
{
    double p = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(x[i]) > p)
            p = fabs(x[i]);
    return p;
}

static size_t first_above(const float *x, size_t n, double t)
{
    for (size_t i = 0; i < n; i++)
        if (fabs(x[i]) > t)
            return i;
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: take_check FED.wav KEPT.flac\n");
        return 1;
    }
    size_t nf, nk;
    int rf, rk;
    float *fed = load(argv[1], &nf, &rf), *kept = load(argv[2], &nk, &rk);
    double pf = peak_of(fed, nf), pk = peak_of(kept, nk);
    double g = pf > 0 ? pk / pf : 1.0;
    long lag0 = (long)first_above(fed, nf, 0.05 * pf) - (long)first_above(kept, nk, 0.05 * pk);
    size_t fade = (size_t)(rk * 0.02);
    /* refine: the lag with the smallest residual near the first guess */
    double best = INFINITY, sig = 0;
    long lag = lag0;
    for (long l = lag0 - 64; l <= lag0 + 64; l++) {
        double e = 0;
        for (size_t i = fade; i + fade < nk; i += 7) {
            long j = (long)i + l;
            double f = j >= 0 && (size_t)j < nf ? fed[j] : 0.0;
            double d = kept[i] - g * f;
            e += d * d;
        }
        if (e < best) {
            best = e;
            lag = l;
        }
    }
    double e = 0;
    for (size_t i = fade; i + fade < nk; i++) {
        long j = (long)i + lag;
        double f = j >= 0 && (size_t)j < nf ? fed[j] : 0.0;
        e += (kept[i] - g * f) * (kept[i] - g * f);
        sig += (double)kept[i] * kept[i];
    }
    /* fed audio outside the kept window that is louder than -60 dBFS */
    size_t missing = 0;
    for (size_t j = 0; j < nf; j++) {
        long i = (long)j - lag;
        if ((i < 0 || (size_t)i >= nk) && fabs(fed[j]) > 0.001)
            missing++;
    }
    double step = 0;
    for (size_t i = 1; i < nk && i < 2 * fade; i++) {
        double s1 = fabs(kept[i] - kept[i - 1]), s2 = fabs(kept[nk - i] - kept[nk - i - 1]);
        if (s1 > step)
            step = s1;
        if (s2 > step)
            step = s2;
    }
    double lufs = -INFINITY;
    ebur128_state *m = ebur128_init(1, (unsigned long)rk, EBUR128_MODE_I);
    if (m) {
        ebur128_set_channel(m, 0, EBUR128_DUAL_MONO);
        ebur128_add_frames_float(m, kept, nk);
        ebur128_loudness_global(m, &lufs);
        ebur128_destroy(&m);
    }
    printf("lag %ld\ngain_db %.3f\nresidual_db %.1f\nmissing_ms %.1f\nlufs %.2f\nedges %.6f %.6f\nedgestep %.4f\n",
           lag, 20 * log10(g), sig > 0 && e > 0 ? 10 * log10(e / sig) : -INFINITY,
           missing * 1000.0 / rf, lufs, nk ? fabs(kept[0]) : 0.0, nk ? fabs(kept[nk - 1]) : 0.0,
           pk > 0 ? step / pk : 0.0);
    free(fed);
    free(kept);
    return 0;
}
