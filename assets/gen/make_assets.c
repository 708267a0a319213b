/* make_assets.c - synthesises the default Relax audio assets.
 *
 *   assets/ambient/shore.ogg   slow swells of filtered noise, seamless loop
 *   assets/ambient/rain.ogg    soft rain / room tone, seamless loop
 *   assets/chime.flac          a soft bell-like chime, ~4 s
 *
 * Everything is derived from a fixed-seed PRNG, so rerunning the generator
 * gives the same audio (byte-identical where the encoder is deterministic).
 * The output is dedicated to the public domain (CC0 1.0), like this file.
 *
 * Usage: make_assets OUTDIR        (OUTDIR is the assets/ folder)
 *
 * Loops: a noise bed is generated LOOP + XFADE seconds long and its tail is
 * crossfaded (equal power, since the two ends are uncorrelated noise) into
 * its head, so sample LOOP-1 runs straight on into sample 0. Everything
 * that is not noise (wave envelopes, drops) is laid out periodically over
 * LOOP, wrapping around, so it needs no crossfade at all. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define RATE 48000
#define LOOP_S 56
#define XFADE_S 4
#define LOOP_N ((size_t)LOOP_S * RATE)
#define XFADE_N ((size_t)XFADE_S * RATE)

/* ---- deterministic randomness ------------------------------------------ */

typedef struct { uint64_t s; } rng;

static uint64_t rng_next(rng *r)  /* splitmix64 */
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_uniform(rng *r)  /* [0, 1) */
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double rng_range(rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_uniform(r);
}

static double rng_white(rng *r)  /* roughly uniform in [-1, 1) */
{
    return 2.0 * rng_uniform(r) - 1.0;
}

/* ---- tiny filters -------------------------------------------------------- */

typedef struct { double a, y; } onepole;  /* lowpass */

static void onepole_init(onepole *f, double cutoff_hz)
{
    f->a = 1.0 - exp(-2.0 * M_PI * cutoff_hz / RATE);
    f->y = 0.0;
}

static double onepole_run(onepole *f, double x)
{
    f->y += f->a * (x - f->y);
    return f->y;
}

/* Band of noise: white -> two lowpasses at `hi` minus two lowpasses at `lo`
 * (a gentle 12 dB/oct band-pass), from its own seeded stream. */
typedef struct {
    rng r;
    onepole lo1, lo2, hi1, hi2;
} band;

static void band_init(band *b, uint64_t seed, double lo_hz, double hi_hz)
{
    b->r.s = seed;
    onepole_init(&b->hi1, hi_hz);
    onepole_init(&b->hi2, hi_hz);
    onepole_init(&b->lo1, lo_hz);
    onepole_init(&b->lo2, lo_hz);
}

static double band_run(band *b)
{
    double w = rng_white(&b->r);
    double h = onepole_run(&b->hi2, onepole_run(&b->hi1, w));
    double l = onepole_run(&b->lo2, onepole_run(&b->lo1, h));
    return h - l;
}

/* Fills out[LOOP_N] with a seamlessly looping band of noise. The filter is
 * run for one second first so it starts in its steady state. */
static void loop_band(float *out, uint64_t seed, double lo_hz, double hi_hz)
{
    band b;
    band_init(&b, seed, lo_hz, hi_hz);
    for (size_t i = 0; i < RATE; i++)
        (void)band_run(&b);
    float *tmp = malloc((LOOP_N + XFADE_N) * sizeof *tmp);
    if (!tmp) {
        fprintf(stderr, "make_assets: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < LOOP_N + XFADE_N; i++)
        tmp[i] = (float)band_run(&b);
    for (size_t i = 0; i < LOOP_N; i++) {
        double v = tmp[i];
        if (i < XFADE_N) {
            double t = (double)i / XFADE_N;           /* 0 -> 1 */
            double gin = sin(0.5 * M_PI * t), gout = cos(0.5 * M_PI * t);
            v = gin * tmp[i] + gout * tmp[LOOP_N + i];
        }
        out[i] = (float)v;
    }
    free(tmp);
}

static double smoothstep(double x)
{
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    return 0.5 - 0.5 * cos(M_PI * x);
}

/* Softens the top of a looped interleaved stereo buffer with two one-pole
 * lowpasses. Run circularly: a first pass over the loop leaves the filters in
 * the state they will have at its end, so the second (kept) pass starts as
 * if the loop had already been playing, and the seam stays seamless. */
static void loop_lowpass(float *buf, size_t frames, double cutoff_hz)
{
    for (int c = 0; c < 2; c++) {
        onepole a, b;
        onepole_init(&a, cutoff_hz);
        onepole_init(&b, cutoff_hz);
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < frames; i++) {
                double y = onepole_run(&b, onepole_run(&a, buf[2 * i + c]));
                if (pass == 1)
                    buf[2 * i + c] = (float)y;
            }
    }
}

/* Scales interleaved stereo so its RMS is `rms_db` dBFS, then makes sure no
 * sample exceeds `peak_db`. */
static void normalise(float *buf, size_t n, double rms_db, double peak_db)
{
    double sum = 0, peak = 0;
    for (size_t i = 0; i < n; i++) {
        sum += (double)buf[i] * buf[i];
        if (fabs(buf[i]) > peak) peak = fabs(buf[i]);
    }
    double rms = sqrt(sum / (double)n);
    double g = pow(10.0, rms_db / 20.0) / (rms > 0 ? rms : 1);
    double gp = pow(10.0, peak_db / 20.0) / (peak > 0 ? peak : 1);
    if (gp < g) g = gp;
    for (size_t i = 0; i < n; i++)
        buf[i] = (float)(buf[i] * g);
}

static int write_file(const char *path, int format, double quality,
                      const float *buf, size_t frames, int channels)
{
    SF_INFO info = {.samplerate = RATE, .channels = channels, .format = format};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "make_assets: cannot write %s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    if (quality >= 0)
        sf_command(f, SFC_SET_VBR_ENCODING_QUALITY, &quality, sizeof quality);
    /* In small blocks: libvorbis allocates each block on the stack. */
    int rc = 0;
    for (size_t at = 0; at < frames && !rc; at += 4096) {
        size_t k = frames - at < 4096 ? frames - at : 4096;
        if (sf_writef_float(f, buf + at * (size_t)channels, (sf_count_t)k) != (sf_count_t)k)
            rc = -1;
    }
    if (rc)
        fprintf(stderr, "make_assets: short write to %s: %s\n", path, sf_strerror(f));
    if (sf_close(f) != 0)
        rc = -1;
    if (!rc)
        printf("wrote %s (%.1f s)\n", path, (double)frames / RATE);
    return rc;
}

/* ---- shore ----------------------------------------------------------------- */

#define NWAVES 7

/* One swell: rises slowly, breaks, then drains away. Zero at both ends so
 * neighbouring waves join smoothly. */
static double swell(double p)
{
    const double crest = 0.45;
    if (p < crest)
        return smoothstep(p / crest);
    double q = (p - crest) / (1.0 - crest);
    return pow(1.0 - smoothstep(q), 1.6);
}

static int make_shore(const char *path)
{
    rng r = {.s = 0x5408E5EAull};
    /* Wave boundaries: a random partition of the loop, 6.5 .. 9.5 s each,
     * rescaled to fill LOOP_S exactly. */
    double len[NWAVES], sum = 0;
    double amp[NWAVES], pan[NWAVES];
    for (int w = 0; w < NWAVES; w++) {
        len[w] = rng_range(&r, 6.5, 9.5);
        sum += len[w];
        amp[w] = rng_range(&r, 0.55, 1.0);
        pan[w] = rng_range(&r, -0.35, 0.35);
    }
    double start[NWAVES + 1];
    start[0] = 0;
    for (int w = 0; w < NWAVES; w++)
        start[w + 1] = start[w] + len[w] * LOOP_S / sum;

    float *low[2], *mid[2], *high[2];
    for (int c = 0; c < 2; c++) {
        low[c] = malloc(LOOP_N * sizeof(float));
        mid[c] = malloc(LOOP_N * sizeof(float));
        high[c] = malloc(LOOP_N * sizeof(float));
        if (!low[c] || !mid[c] || !high[c]) {
            fprintf(stderr, "make_assets: out of memory\n");
            return -1;
        }
        loop_band(low[c], 0x100 + c, 25, 260);
        loop_band(mid[c], 0x200 + c, 260, 1400);
        loop_band(high[c], 0x300 + c, 1400, 6500);
    }
    float *out = malloc(2 * LOOP_N * sizeof *out);
    if (!out) {
        fprintf(stderr, "make_assets: out of memory\n");
        return -1;
    }
    int w = 0;
    for (size_t i = 0; i < LOOP_N; i++) {
        double t = (double)i / RATE;
        while (w < NWAVES - 1 && t >= start[w + 1])
            w++;
        double e = amp[w] * swell((t - start[w]) / (start[w + 1] - start[w]));
        for (int c = 0; c < 2; c++) {
            /* the wave leans a little to one side */
            double side = c == 0 ? 1.0 - pan[w] : 1.0 + pan[w];
            double ec = e * side;
            double glow = 0.55 + 0.45 * ec;
            double gmid = 0.12 + 0.88 * ec;
            double ghigh = 0.03 + 0.75 * pow(ec, 1.7);
            out[2 * i + c] = (float)(1.6 * glow * low[c][i] + 0.9 * gmid * mid[c][i]
                                     + 0.5 * ghigh * high[c][i]);
        }
    }
    /* a distant shore: the hiss of the breaking waves stays soft */
    loop_lowpass(out, LOOP_N, 4500);
    normalise(out, 2 * LOOP_N, -16.0, -1.0);
    int rc = write_file(path, SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0.12, out, LOOP_N, 2);
    for (int c = 0; c < 2; c++) {
        free(low[c]);
        free(mid[c]);
        free(high[c]);
    }
    free(out);
    return rc;
}

/* ---- rain ------------------------------------------------------------------ */

static int make_rain(const char *path)
{
    rng r = {.s = 0x0A11D409ull};
    float *hiss[2], *body[2];
    for (int c = 0; c < 2; c++) {
        hiss[c] = malloc(LOOP_N * sizeof(float));
        body[c] = malloc(LOOP_N * sizeof(float));
        if (!hiss[c] || !body[c]) {
            fprintf(stderr, "make_assets: out of memory\n");
            return -1;
        }
        loop_band(hiss[c], 0x400 + c, 900, 5200);
        loop_band(body[c], 0x500 + c, 120, 900);
    }
    float *out = calloc(2 * LOOP_N, sizeof *out);
    if (!out) {
        fprintf(stderr, "make_assets: out of memory\n");
        return -1;
    }
    /* A slow, gentle breathing of the shower: two sine LFOs whose periods
     * divide the loop (56 s / 4 = 14 s, 56 s / 7 = 8 s). */
    for (size_t i = 0; i < LOOP_N; i++) {
        double ph = (double)i / LOOP_N;
        double g = 1.0 + 0.10 * sin(2 * M_PI * 4 * ph) + 0.05 * sin(2 * M_PI * 7 * ph + 1.3);
        for (int c = 0; c < 2; c++)
            out[2 * i + c] = (float)(g * (0.55 * hiss[c][i] + 0.8 * body[c][i]));
    }
    /* Drops: short, falling little tones, placed at random and wrapped
     * around the loop so they never break the seam. */
    const int ndrops = 22 * LOOP_S;
    const size_t drop_n = RATE / 20;  /* 50 ms */
    for (int d = 0; d < ndrops; d++) {
        size_t at = (size_t)(rng_uniform(&r) * LOOP_N);
        double f0 = rng_range(&r, 1800, 4800);
        double tau = rng_range(&r, 0.002, 0.009);
        double a = 0.18 * pow(rng_uniform(&r), 2.5);
        double p = rng_range(&r, 0.15, 0.85);       /* position, 0 = left */
        double gl = sqrt(1 - p), gr = sqrt(p);
        double phase = 0;
        for (size_t k = 0; k < drop_n; k++) {
            double t = (double)k / RATE;
            double f = f0 * (1.0 - 0.25 * t / 0.05);
            phase += 2 * M_PI * f / RATE;
            double attack = k < 24 ? (double)k / 24 : 1.0;
            double v = a * attack * exp(-t / tau) * sin(phase);
            size_t j = (at + k) % LOOP_N;
            out[2 * j] += (float)(gl * v);
            out[2 * j + 1] += (float)(gr * v);
        }
    }
    /* rain heard from indoors: soft on top */
    loop_lowpass(out, LOOP_N, 3200);
    normalise(out, 2 * LOOP_N, -17.0, -1.0);
    int rc = write_file(path, SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0.12, out, LOOP_N, 2);
    for (int c = 0; c < 2; c++) {
        free(hiss[c]);
        free(body[c]);
    }
    free(out);
    return rc;
}

/* ---- chime ----------------------------------------------------------------- */

static int make_chime(const char *path)
{
    const double len_s = 4.5;
    const size_t n = (size_t)(len_s * RATE);
    /* A small bowl-like bell: inharmonic partials, the higher ones fading
     * faster; each doubled with a slightly detuned twin for a slow shimmer. */
    static const struct { double ratio, amp, tau; } part[] = {
        {1.000, 1.00, 1.30},
        {2.756, 0.42, 0.75},
        {5.404, 0.16, 0.42},
        {8.933, 0.06, 0.25},
    };
    const double f0 = 528.0;
    float *out = malloc(2 * n * sizeof *out);
    if (!out) {
        fprintf(stderr, "make_assets: out of memory\n");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / RATE;
        double attack = smoothstep(t / 0.006);
        double tail = smoothstep((len_s - t) / 0.8);   /* reaches 0 at the end */
        for (int c = 0; c < 2; c++) {
            double v = 0;
            for (size_t k = 0; k < sizeof part / sizeof part[0]; k++) {
                double f = f0 * part[k].ratio;
                double beat = 0.6 + 0.25 * (double)k + (c ? 0.15 : 0.0);
                double env = part[k].amp * exp(-t / part[k].tau);
                v += env * 0.5 * (sin(2 * M_PI * f * t) + sin(2 * M_PI * (f + beat) * t + 0.7 * c));
            }
            out[2 * i + c] = (float)(v * attack * tail);
        }
    }
    normalise(out, 2 * n, 0.0, -3.0);
    int rc = write_file(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, -1, out, n, 2);
    free(out);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_assets OUTDIR\n");
        return 2;
    }
    char path[4096];
    int rc = 0;
    snprintf(path, sizeof path, "%s/ambient/shore.ogg", argv[1]);
    rc |= make_shore(path);
    snprintf(path, sizeof path, "%s/ambient/rain.ogg", argv[1]);
    rc |= make_rain(path);
    snprintf(path, sizeof path, "%s/chime.flac", argv[1]);
    rc |= make_chime(path);
    return rc ? 1 : 0;
}
