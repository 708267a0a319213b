/* voice_figures.c - figures for the voice and the breath of a session, as
 * the listener hears them. Renders the session several times with parts
 * muted (voice alone, background alone, tone alone, bed alone) and prints:
 *   - the voice's upper bandwidth: the highest frequency whose long-term
 *     average level is within 50 dB of the spectrum's peak;
 *   - the voice's integrated loudness (EBU R 128) against [voice] level;
 *   - the background under the voice: voice minus background loudness over
 *     each spoken line (the smallest over the lines, and the median);
 *   - per `breath sync`: how far the tone rises (semitones) in the 4 s after
 *     the line that follows starts;
 *   - in pauses over a minute: tone and bed loudness.
 * Usage: voice_figures CACHE_DIR SESSION...   (not a test: prints figures) */
#include <ebur128.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/clip.h"
#include "audio/render.h"
#include "audio/voice.h"
#include "session/session.h"
#include "session/timeline.h"

#define RATE 48000
#define NFFT 4096
#define BLOCK 4800   /* 100 ms */

enum { R_VOICE, R_BACK, R_TONE, R_BED, NR };

typedef struct {
    const char *cache;
    const char *path;
} args;

static rlx_session *load(const char *path)
{
    static const char *dirs[] = {RLX_BUILTIN_ASSETS_DIR, NULL};
    rlx_parse_config cfg = {.asset_dirs = dirs, .check_files = true, .voices = rlx_voice_specs()};
    rlx_session *s = NULL;
    rlx_diags d = {0};
    if (rlx_session_parse(path, &cfg, &s, &d) != RLX_OK) {
        for (size_t i = 0; i < d.count; i++)
            fprintf(stderr, "%s:%d:%d: %s\n", path, d.items[i].line, d.items[i].col, d.items[i].message);
        exit(1);
    }
    rlx_diags_free(&d);
    return s;
}

static void mute(rlx_session *s, int which)
{
    if (which != R_VOICE) {  /* voice far below anything measured */
        s->voice_lufs = -70;
        for (size_t i = 0; i < s->ncues; i++)
            if (rlx_cue_is_voice(&s->cues[i]))
                s->cues[i].gain_db = -40;
    }
    if (which == R_VOICE || which == R_BED)
        s->breath_enabled = false;
    if (which == R_VOICE || which == R_TONE) {
        s->ambient_path = NULL;
        free(s->ambient_file);
        s->ambient_file = NULL;
    }
    s->chime_level_db = -90;
}

/* In-place radix-2 FFT. */
static void fft(double *re, double *im, int n)
{
    for (int i = 1, j = 0; i < n; i++) {
        int bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    for (int len = 2; len <= n; len <<= 1) {
        double a = -2 * M_PI / len;
        for (int i = 0; i < n; i += len)
            for (int k = 0; k < len / 2; k++) {
                double wr = cos(a * k), wi = sin(a * k);
                double xr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
                double xi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
                re[i + k + len / 2] = re[i + k] - xr;
                im[i + k + len / 2] = im[i + k] - xi;
                re[i + k] += xr;
                im[i + k] += xi;
            }
    }
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Renders one muted variant into a malloc'ed mono buffer. */
static float *render_mono(const args *a, int which, int64_t *n, rlx_timeline **tl_copy,
                          rlx_session **keep)
{
    rlx_session *s = load(a->path);
    mute(s, which);
    rlx_render_config cfg = rlx_render_config_init();
    cfg.rate = RATE;
    cfg.cache_dir = a->cache;
    rlx_renderer *r = NULL;
    rlx_diags d = {0};
    if (rlx_renderer_open(&cfg, s, &r, &d) != RLX_OK) {
        for (size_t i = 0; i < d.count; i++)
            fprintf(stderr, "%d:%d: %s\n", d.items[i].line, d.items[i].col, d.items[i].message);
        exit(1);
    }
    rlx_diags_free(&d);
    *n = rlx_renderer_length(r);
    float *m = malloc((size_t)*n * sizeof *m);
    float buf[2 * 4096];
    for (int64_t p = 0; p < *n;) {
        size_t got = 0;
        rlx_renderer_read(r, buf, 4096, &got);
        if (!got)
            break;
        for (size_t i = 0; i < got; i++)
            m[p + (int64_t)i] = 0.5f * (buf[2 * i] + buf[2 * i + 1]);
        p += (int64_t)got;
    }
    if (tl_copy) {
        /* keep the session and renderer's timeline: reopen cheaply from cache */
        rlx_diags d2 = {0};
        int64_t *ms = NULL;
        rlx_cache *c = NULL;
        rlx_cache_open(a->cache, &c, NULL, 0);
        rlx_voice_durations(s, c, RATE, &ms, &d2);
        rlx_timeline_build(s, ms, 0, RATE, tl_copy, &d2);
        free(ms);
        rlx_cache_close(c);
        rlx_diags_free(&d2);
        *keep = s;
    } else {
        rlx_session_free(s);
    }
    rlx_renderer_close(r);
    return m;
}

static double lufs(const float *x, int64_t from, int64_t to)
{
    if (to - from < RATE / 2)
        return -HUGE_VAL;
    /* as played: the same signal on both channels (R 128 sums the channels) */
    ebur128_state *st = ebur128_init(2, RATE, EBUR128_MODE_I);
    float buf[2 * 4096];
    for (int64_t f = from; f < to; f += 4096) {
        size_t k = (size_t)(to - f < 4096 ? to - f : 4096);
        for (size_t i = 0; i < k; i++)
            buf[2 * i] = buf[2 * i + 1] = x[f + (int64_t)i];
        ebur128_add_frames_float(st, buf, k);
    }
    double l;
    ebur128_loudness_global(st, &l);
    ebur128_destroy(&st);
    return l;
}

/* Mean frequency (zero crossings) of x over [from, from + len). */
static double freq(const float *x, int64_t from, int64_t len)
{
    int64_t first = -1, last = -1, count = 0;
    for (int64_t i = from; i + 1 < from + len; i++)
        if (x[i] <= 0 && x[i + 1] > 0) {
            if (first < 0)
                first = i;
            last = i;
            count++;
        }
    return count > 1 ? (double)(count - 1) * RATE / (double)(last - first) : 0;
}

static void figures(const args *a)
{
    int64_t n[NR];
    float *x[NR];
    rlx_timeline *t = NULL;
    rlx_session *s = NULL;
    x[R_VOICE] = render_mono(a, R_VOICE, &n[R_VOICE], &t, &s);
    for (int k = 1; k < NR; k++)
        x[k] = render_mono(a, k, &n[k], NULL, NULL);
    const char *base = strrchr(a->path, '/') ? strrchr(a->path, '/') + 1 : a->path;

    /* bandwidth: Hann-windowed long-term average spectrum over spoken blocks */
    static double re[NFFT], im[NFFT], pw[NFFT / 2];
    memset(pw, 0, sizeof pw);
    for (size_t i = 0; i < t->ncues; i++) {
        if (!rlx_cue_is_voice(t->cues[i].cue))
            continue;
        for (int64_t f = t->cues[i].start; f + NFFT <= t->cues[i].end; f += NFFT / 2) {
            for (int k = 0; k < NFFT; k++) {
                re[k] = x[R_VOICE][f + k] * (0.5 - 0.5 * cos(2 * M_PI * k / NFFT));
                im[k] = 0;
            }
            fft(re, im, NFFT);
            for (int k = 0; k < NFFT / 2; k++)
                pw[k] += re[k] * re[k] + im[k] * im[k];
        }
    }
    double peak = 0;
    for (int k = 1; k < NFFT / 2; k++)
        peak = fmax(peak, pw[k]);
    int top = 0;
    for (int k = 1; k < NFFT / 2; k++)
        if (10 * log10(pw[k] / peak + 1e-30) >= -50)
            top = k;
    double bw = (double)top * RATE / NFFT;

    /* loudness of the voice alone, and of the background under each line */
    double vl = lufs(x[R_VOICE], 0, n[R_VOICE]);
    double *gap = malloc(t->ncues * sizeof *gap);
    size_t ng = 0;
    for (size_t i = 0; i < t->ncues; i++) {
        if (!rlx_cue_is_voice(t->cues[i].cue))
            continue;
        double v = lufs(x[R_VOICE], t->cues[i].start, t->cues[i].end);
        double b = lufs(x[R_BACK], t->cues[i].start, t->cues[i].end);
        if (isfinite(v) && isfinite(b)) {
            gap[ng++] = v - b;
            if (v - b < 20.0)
                printf("  line %d: background only %.1f dB under the voice\n",
                       t->cues[i].cue->line, v - b);
        }
    }
    qsort(gap, ng, sizeof *gap, cmp_d);
    printf("%s: voice %s, bandwidth %.1f kHz, voice alone %.1f LUFS ([voice] level %.0f, "
           "%+.1f LU), background under speech: min %.1f dB, median %.1f dB below (%zu lines)\n",
           base, s->tts_voice ? s->tts_voice : RLX_VOICE_DEFAULT, bw / 1000, vl, s->voice_lufs,
           vl - s->voice_lufs, ng ? gap[0] : NAN, ng ? gap[ng / 2] : NAN, ng);
    free(gap);

    /* the tone's rise after each breath sync, measured on the tone alone */
    for (size_t i = 0; i + 1 < t->ncues; i++) {
        const rlx_cue *c = t->cues[i].cue;
        if (c->kind != RLX_CUE_BREATH_SYNC)
            continue;
        size_t j = i + 1;
        while (j < t->ncues && !rlx_cue_is_voice(t->cues[j].cue))
            j++;
        if (j == t->ncues)
            continue;
        int64_t st = t->cues[j].start, w = RATE / 10;
        double f0 = freq(x[R_TONE], st, w), fmaxv = f0;
        for (int64_t f = st; f + w <= st + 4 * RATE; f += w / 2)
            fmaxv = fmax(fmaxv, freq(x[R_TONE], f, w));
        char m[40];
        long long sec = st / RATE;
        snprintf(m, sizeof m, "%lld:%02lld", sec / 60, sec % 60);
        printf("  breath sync line %d, line at %s: tone %.1f -> %.1f Hz, rise %.2f st in 4 s; "
               "tone under the line %.1f LUFS\n",
               c->line, m, f0, fmaxv, 12 * log2(fmaxv / f0),
               lufs(x[R_TONE], st, st + 4 * RATE));
    }

    /* long pauses: tone and bed, first and last minute of each */
    for (size_t i = 0; i < t->ncues; i++) {
        const rlx_cue *c = t->cues[i].cue;
        if (c->kind != RLX_CUE_SILENCE || t->cues[i].end - t->cues[i].start < 60 * RATE)
            continue;
        int64_t a0 = t->cues[i].start, b0 = t->cues[i].end;
        /* before the tone settles (first 20 s) and while it rests (40 s after
         * the voice until 8 s before the next line; see render.c REST_*) */
        printf("  pause line %d (%lld s): tone %.1f / bed %.1f LUFS in its first 20 s; "
               "tone %.1f / bed %.1f LUFS at rest\n",
               c->line, (long long)((b0 - a0) / RATE), lufs(x[R_TONE], a0, a0 + 20 * RATE),
               lufs(x[R_BED], a0, a0 + 20 * RATE), lufs(x[R_TONE], a0 + 40 * RATE, b0 - 8 * RATE),
               lufs(x[R_BED], a0 + 40 * RATE, b0 - 8 * RATE));
    }
    for (int k = 0; k < NR; k++)
        free(x[k]);
    rlx_timeline_free(t);
    rlx_session_free(s);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: voice_figures CACHE_DIR SESSION...\n");
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        args a = {argv[1], argv[i]};
        figures(&a);
        fflush(stdout);
    }
    return 0;
}
