/* test_render.c - the renderer, measured on its output: clip fidelity,
 * ducking, limiter ceiling, click-free joins, determinism and seeking.
 * Sessions are parsed from memory; audio files are generated into a
 * temporary folder and prepared into a temporary cache. */
#include "rlx_test.h"

#include <ebur128.h>
#include <math.h>
#include <samplerate.h>
#include <stdatomic.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/dsp.h"
#include "audio/render.h"
#include "audio/source.h"
#include "audio/tone.h"
#include "sink/sink_file.h"

#define RATE 48000

typedef struct {
    char *dir;    /* audio files and session "location" */
    char *cache;  /* the cache for this test */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = rlx_test_tmpdir();
    f->cache = rlx_test_tmpdir();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rlx_test_rmtree(f->dir);
    rlx_test_rmtree(f->cache);
    free(f->dir);
    free(f->cache);
    free(f);
    return 0;
}

typedef double (*gen_fn)(int64_t i, int rate, int ch);

/* Writes a generated file; format e.g. SF_FORMAT_WAV | SF_FORMAT_FLOAT. */
static void write_audio(const char *dir, const char *name, int format, int rate, int channels,
                        int64_t frames, gen_fn gen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SF_INFO info = {.samplerate = rate, .channels = channels, .format = format};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    if (!sf)
        fail_msg("cannot write %s: %s", path, sf_strerror(NULL));
    float buf[1024 * 2];
    for (int64_t i = 0; i < frames;) {
        int64_t n = frames - i < 1024 ? frames - i : 1024;
        for (int64_t j = 0; j < n; j++)
            for (int c = 0; c < channels; c++)
                buf[j * channels + c] = (float)gen(i + j, rate, c);
        assert_int_equal(sf_writef_float(sf, buf, n), n);
        i += n;
    }
    sf_close(sf);
}

static rlx_session *parse(fixture *f, const char *text)
{
    const char *dirs[] = {f->dir, NULL};
    rlx_parse_config cfg = {.asset_dirs = dirs, .check_files = true};
    char name[4096];
    snprintf(name, sizeof name, "%s/test.session", f->dir);
    rlx_session *s = NULL;
    rlx_diags d = {0};
    rlx_err err = rlx_session_parse_buffer(name, text, strlen(text), &cfg, &s, &d);
    if (err != RLX_OK) {
        for (size_t i = 0; i < d.count; i++)
            fprintf(stderr, "%d:%d: %s\n", d.items[i].line, d.items[i].col, d.items[i].message);
        fail_msg("session does not parse: %s", rlx_strerror(err));
    }
    rlx_diags_free(&d);
    return s;
}

static rlx_renderer *open_renderer(fixture *f, const rlx_session *s, int64_t length_ms)
{
    rlx_render_config cfg = rlx_render_config_init();
    cfg.rate = RATE;
    cfg.cache_dir = f->cache;
    cfg.length_ms = length_ms;
    rlx_renderer *r = NULL;
    rlx_diags d = {0};
    rlx_err err = rlx_renderer_open(&cfg, s, &r, &d);
    if (err != RLX_OK) {
        for (size_t i = 0; i < d.count; i++)
            fprintf(stderr, "%d:%d: %s\n", d.items[i].line, d.items[i].col, d.items[i].message);
        fail_msg("renderer does not open: %s", rlx_strerror(err));
    }
    rlx_diags_free(&d);
    return r;
}

/* Renders the whole session with reads of `chunk` frames; returns malloc'ed frames. */
static float *render_all(rlx_renderer *r, size_t chunk, int64_t *frames)
{
    int64_t n = rlx_renderer_length(r);
    float *out = malloc((size_t)(n + 1) * 2 * sizeof(float));
    assert_non_null(out);
    int64_t pos = 0;
    while (pos < n) {
        size_t got = 0;
        size_t want = chunk;
        assert_int_equal(rlx_renderer_read(r, out + pos * 2, want, &got), RLX_OK);
        if (got == 0)
            break;
        assert_true(got == want || pos + (int64_t)got == n);
        pos += (int64_t)got;
    }
    assert_int_equal(pos, n);
    size_t got = 1;
    float dummy[2];
    assert_int_equal(rlx_renderer_read(r, dummy, 1, &got), RLX_OK);
    assert_int_equal(got, 0);
    *frames = n;
    return out;
}

static double to_db(double x) { return 20.0 * log10(fmax(x, 1e-12)); }

/* ---- generators -------------------------------------------------------- */

static double gen_sine1k(int64_t i, int rate, int ch)
{
    (void)ch;
    return 0.5 * sin(2 * M_PI * 1000.0 * (double)i / rate);
}

static double gen_silence(int64_t i, int rate, int ch)
{
    (void)i, (void)rate, (void)ch;
    return 0.0;
}

static double gen_loud(int64_t i, int rate, int ch)
{
    (void)ch;
    return 0.99 * sin(2 * M_PI * 220.0 * (double)i / rate);
}

/* 300 whole cycles per second: starts and ends at zero */
static double gen_voice300(int64_t i, int rate, int ch)
{
    (void)ch;
    return 0.3 * sin(2 * M_PI * 300.0 * (double)i / rate);
}

/* not a whole number of cycles, so a plain loop would jump */
static double gen_amb220(int64_t i, int rate, int ch)
{
    return (ch ? 0.4 : 0.5) * sin(2 * M_PI * 220.0 * (double)i / rate + 0.3);
}

static double gen_chime(int64_t i, int rate, int ch)
{
    (void)ch;
    double t = (double)i / rate;
    double att = t < 0.005 ? rlx_smoothstep(t / 0.005) : 1.0;
    return 0.5 * att * exp(-t * 3.0) * sin(2 * M_PI * 880.0 * t);
}

static double gen_noise(int64_t i, int rate, int ch)
{
    (void)rate;
    uint32_t x = (uint32_t)(i * 2654435761u) ^ (uint32_t)(ch * 40503u);
    x ^= x >> 13;
    x *= 0x5bd1e995u;
    x ^= x >> 15;
    return 0.2 * ((double)(x & 0xffff) / 32768.0 - 1.0);
}

/* ---- (1) a single clip at unity gain == the input resampled ------------ */

static void test_clip_fidelity(void **state)
{
    fixture *f = *state;
    const int in_rate = 44100;
    const int64_t in_frames = 66150;  /* 1.5 s */
    write_audio(f->dir, "clip.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, in_rate, 1, in_frames,
                gen_sine1k);
    rlx_session *s = parse(f, "[session]\nid = t\ntitle = \"t\"\n"
                              "[voice]\nlevel = off\n[breath]\nlevel = off\n"
                              "[timeline]\n0:01 play clip.wav\n0:03 end\n");
    rlx_renderer *r = open_renderer(f, s, 0);
    int64_t n;
    float *out = render_all(r, 4096, &n);
    assert_int_equal(n, 3 * RATE);

    /* the reference: libsamplerate on the same input */
    float *in = malloc((size_t)in_frames * sizeof(float));
    for (int64_t i = 0; i < in_frames; i++)
        in[i] = (float)gen_sine1k(i, in_rate, 0);
    int64_t ref_frames = in_frames * RATE / in_rate + 64;
    float *ref = calloc((size_t)ref_frames, sizeof(float));
    SRC_DATA d = {.data_in = in, .data_out = ref, .input_frames = in_frames,
                  .output_frames = ref_frames, .src_ratio = (double)RATE / in_rate};
    assert_int_equal(src_simple(&d, SRC_SINC_BEST_QUALITY, 1), 0);

    /* align: the best lag within +-64 frames of the cue start */
    int64_t start = RATE, best_lag = 0;
    double best = 1e30;
    for (int64_t lag = -64; lag <= 64; lag++) {
        double e = 0;
        for (int64_t i = 4800; i < 4800 + 4800; i += 3) {
            double x = out[(start + lag + i) * 2] - ref[i];
            e += x * x;
        }
        if (e < best)
            best = e, best_lag = lag;
    }
    /* compare away from the clip's edges (resampler transients) */
    double maxerr = 0, peak = 0;
    for (int64_t i = 2400; i < d.output_frames_gen - 2400; i++) {
        int64_t k = start + best_lag + i;
        maxerr = fmax(maxerr, fabs(out[k * 2] - ref[i]));
        maxerr = fmax(maxerr, fabs(out[k * 2 + 1] - ref[i]));
        peak = fmax(peak, fabs(out[k * 2]));
    }
    printf("clip fidelity: lag %lld frames, max error %.1f dBFS, peak %.3f\n",
           (long long)best_lag, to_db(maxerr), peak);
    assert_true(llabs(best_lag) <= 2);
    assert_true(to_db(maxerr) < -80.0);
    assert_true(fabs(peak - 0.5) < 0.01);
    /* before the cue: silence (no tone, no ambient) */
    for (int64_t i = 0; i < RATE - 100; i++)
        assert_true(out[i * 2] == 0.0f);
    free(in);
    free(ref);
    free(out);
    rlx_renderer_close(r);
    rlx_session_free(s);
}

/* ---- (2) ducking depth and ramp timing ---------------------------------- */

static void test_ducking(void **state)
{
    fixture *f = *state;
    write_audio(f->dir, "quiet.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, RATE, 1, 4 * RATE,
                gen_silence);
    rlx_session *s = parse(f, "[session]\nid = t\ntitle = \"t\"\n"
                              "[voice]\nlevel = off\n"
                              "[breath]\nlevel = -20 dB\nduck = 10 dB\npattern = 4 0 6 0\n"
                              "[timeline]\n0:10 play quiet.wav\n0:20 end\n");
    rlx_renderer *r = open_renderer(f, s, 0);
    int64_t n;
    float *out = render_all(r, 1000, &n);
    /* the same tone alone, to divide out its own envelope */
    rlx_tone tone;
    rlx_tone_config tc = {.pitch_hz = s->breath_pitch_hz, .glide_st = s->breath_glide_st,
                          .rate = RATE};
    rlx_tone_init(&tone, &tc);
    float *mono = malloc((size_t)n * sizeof(float));
    rlx_tone_render(&tone, rlx_renderer_timeline(r), mono, (size_t)n);

    /* gain in dB at frame t: median-free, from a sample where the tone is strong */
    double gdb[2000];  /* every 10 ms */
    for (int w = 0; w < 2000; w++) {
        int64_t t0 = (int64_t)w * RATE / 100;
        double num = 0, den = 0;
        for (int64_t t = t0; t < t0 + 48 && t < n; t++) {
            num += out[t * 2] * (double)mono[t];
            den += (double)mono[t] * mono[t];
        }
        gdb[w] = den > 1e-9 ? to_db(fabs(num / den)) : NAN;
    }
    const int vs = 1000, ve = 1400;  /* voice span in 10 ms steps: 10 s .. 14 s */
    int checked = 0;
    for (int w = 10; w < 2000 - 10; w++) {
        if (isnan(gdb[w]))
            continue;
        double g = gdb[w];
        checked++;
        if (w < vs - 31 || w > ve + 61) {
            if (fabs(g - -20.0) > 0.05)
                fail_msg("at %d0 ms: %.2f dB, expected -20 (outside the duck)", w, g);
        } else if (w >= vs && w < ve) {
            if (fabs(g - -30.0) > 0.05)
                fail_msg("at %d0 ms: %.2f dB, expected -30 (under the voice)", w, g);
        } else {
            if (g > -19.95 || g < -30.05)
                fail_msg("at %d0 ms: %.2f dB outside the ramp's range", w, g);
        }
    }
    assert_true(checked > 1500);
    /* the ramps move monotonically: down before the voice, up after it */
    for (int w = vs - 30; w < vs; w++)
        if (!isnan(gdb[w]) && !isnan(gdb[w + 1]))
            assert_true(gdb[w + 1] <= gdb[w] + 0.01);
    for (int w = ve; w < ve + 60; w++)
        if (!isnan(gdb[w]) && !isnan(gdb[w + 1]))
            assert_true(gdb[w + 1] >= gdb[w] - 0.01);
    /* halfway through each ramp it is partly ducked */
    assert_true(gdb[vs - 15] < -21.0 && gdb[vs - 15] > -29.0);
    assert_true(gdb[ve + 30] < -21.0 && gdb[ve + 30] > -29.0);
    printf("ducking: -20.0 -> %.2f (pre ramp mid) -> %.2f (under) -> %.2f (post mid) -> %.2f dB\n",
           gdb[vs - 15], gdb[vs + 200], gdb[ve + 30], gdb[ve + 100]);
    free(mono);
    free(out);
    rlx_renderer_close(r);
    rlx_session_free(s);
}

/* ---- (2b) a line's own `breath-duck` -------------------------------------- */

static void test_breath_duck_per_line(void **state)
{
    fixture *f = *state;
    write_audio(f->dir, "quiet.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, RATE, 1, 4 * RATE,
                gen_silence);
    rlx_session *s = parse(f, "[session]\nid = t\ntitle = \"t\"\n"
                              "[voice]\nlevel = off\n"
                              "[breath]\nlevel = -20 dB\nduck = 10 dB\npattern = 4 0 6 0\n"
                              "[timeline]\n0:05 play quiet.wav breath-duck 3 dB\n"
                              "0:12 play quiet.wav\n0:20 end\n");
    assert_true(s->cues[0].breath_duck_set && s->cues[0].breath_duck_db == 3.0);
    assert_false(s->cues[1].breath_duck_set);
    rlx_renderer *r = open_renderer(f, s, 0);
    int64_t n;
    float *out = render_all(r, 1000, &n);
    rlx_tone tone;
    rlx_tone_config tc = {.pitch_hz = s->breath_pitch_hz, .glide_st = s->breath_glide_st,
                          .rate = RATE};
    rlx_tone_init(&tone, &tc);
    float *mono = malloc((size_t)n * sizeof(float));
    rlx_tone_render(&tone, rlx_renderer_timeline(r), mono, (size_t)n);
    /* the tone's gain (dB) over 1 s windows in the middle of each line */
    double g[2];
    const int64_t at[2] = {6 * RATE, 13 * RATE};
    for (int k = 0; k < 2; k++) {
        double num = 0, den = 0;
        for (int64_t t = at[k]; t < at[k] + 2 * RATE; t++) {
            num += out[t * 2] * (double)mono[t];
            den += (double)mono[t] * mono[t];
        }
        g[k] = to_db(fabs(num / den));
    }
    printf("breath-duck: %.2f dB under the line with 3 dB, %.2f dB under the default 10 dB\n",
           g[0], g[1]);
    assert_true(fabs(g[0] - -23.0) < 0.05);
    assert_true(fabs(g[1] - -30.0) < 0.05);
    free(mono);
    free(out);
    rlx_renderer_close(r);
    rlx_session_free(s);
}

/* ---- (2c) in a long pause the tone rests lower --------------------------- */

static void test_tone_rests_in_long_pauses(void **state)
{
    fixture *f = *state;
    write_audio(f->dir, "quiet.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, RATE, 1, 2 * RATE,
                gen_silence);
    rlx_session *s = parse(f, "[session]\nid = t\ntitle = \"t\"\n"
                              "[voice]\nlevel = off\n"
                              "[breath]\nlevel = -20 dB\nrest = 10 dB\npattern = 4 0 6 0\n"
                              "[timeline]\n0:02 play quiet.wav\n"
                              "1:34 play quiet.wav\n1:40 end\n");
    rlx_renderer *r = open_renderer(f, s, 0);
    int64_t n;
    float *out = render_all(r, 4096, &n);
    rlx_tone tone;
    rlx_tone_config tc = {.pitch_hz = s->breath_pitch_hz, .glide_st = s->breath_glide_st,
                          .rate = RATE};
    rlx_tone_init(&tone, &tc);
    float *mono = malloc((size_t)n * sizeof(float));
    rlx_tone_render(&tone, rlx_renderer_timeline(r), mono, (size_t)n);
    /* the voice ends at 4 s, the next starts at 94 s: full level until 24 s,
     * down by 44 s, rests until 86 s, back by 91 s */
    const double at_s[] = {10, 23, 34, 50, 80, 92};
    const double want[] = {-20, -20, -25, -30, -30, -20};
    for (int k = 0; k < 6; k++) {
        int64_t a = (int64_t)(at_s[k] * RATE);
        double num = 0, den = 0;
        for (int64_t t = a; t < a + RATE / 10; t++) {
            num += out[t * 2] * (double)mono[t];
            den += (double)mono[t] * mono[t];
        }
        double g = to_db(fabs(num / den));
        printf("rest: %.0f s: %.2f dB\n", at_s[k], g);
        assert_true(fabs(g - want[k]) < (k == 2 ? 1.0 : 0.05));
    }
    free(mono);
    free(out);
    rlx_renderer_close(r);
    rlx_session_free(s);
}

/* ---- (3) the limiter holds -1 dBFS -------------------------------------- */

static void test_limiter_ceiling(void **state)
{
    fixture *f = *state;
    write_audio(f->dir, "loud.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, RATE, 2, 3 * RATE, gen_loud);
    write_audio(f->dir, "amb.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, RATE, 2, 2 * RATE, gen_noise);
    rlx_session *s = parse(f, "[session]\nid = t\ntitle = \"t\"\n"
                              "[voice]\nlevel = off\n"
                              "[breath]\nlevel = 0 dB\nduck = 0 dB\n"
                              "[ambient]\nfile = amb.wav\nlevel = 0 dB\nduck = 0 dB\n"
                              "[timeline]\n0:01 play loud.wav gain 12 dB\n0:02 chime loud.wav gain 12 dB\n"
                              "0:06 end\n");
    rlx_renderer *r = open_renderer(f, s, 0);
    int64_t n;
    float *out = render_all(r, 4096, &n);
    double ceiling = rlx_db_to_lin(-1.0), peak = 0;
    for (int64_t i = 0; i < n * 2; i++)
        peak = fmax(peak, fabs(out[i]));
    printf("limiter: peak %.3f dBFS (input would reach about +18 dBFS)\n", to_db(peak));
    assert_true(peak <= ceiling + 1e-6);
    assert_true(peak > rlx_db_to_lin(-3.0));  /* it limits, it does not mute */

    /* a seek into the loud part: the limiter restarts from rest, so the
     * first samples may differ from the linear render, but the ceiling holds
     * at once and the two converge once the release has settled */
    const int64_t at = 2 * RATE + 333;
    assert_int_equal(rlx_renderer_seek(r, at), RLX_OK);
    float *buf = malloc(RATE * 2 * sizeof(float));
    size_t got;
    assert_int_equal(rlx_renderer_read(r, buf, RATE, &got), RLX_OK);
    assert_int_equal(got, RATE);
    double speak = 0, early = 0, late = 0;
    for (int64_t i = 0; i < RATE * 2; i++) {
        speak = fmax(speak, fabs(buf[i]));
        double d = fabs(buf[i] - out[at * 2 + i]);
        if (i < RATE / 10 * 2)
            early = fmax(early, d);
        else if (i >= RATE / 2 * 2)
            late = fmax(late, d);
    }
    printf("limiter after a seek: peak %.3f dBFS; differs from the linear render by "
           "%.1f dBFS in the first 100 ms, %.1f dBFS after 500 ms\n",
           to_db(speak), to_db(early), to_db(late));
    assert_true(speak <= ceiling + 1e-6);
    assert_true(to_db(late) < -60.0);
    free(buf);
    free(out);
    rlx_renderer_close(r);
    rlx_session_free(s);
}

/* ---- (4) no clicks: fades, pattern changes, loop points, cue starts ----- */

static const char *smooth_session =
    "[session]\nid = t\ntitle = \"t\"\n"
    "[voice]\nlevel = off\n"
    "[breath]\nlevel = -10 dB\nduck = 10 dB\npattern = 2 0 3 0\n"
    "[ambient]\nfile = amb.wav\nlevel = -10 dB\nduck = 6 dB\n"
    "[chime]\nfile = chime.wav\nlevel = -6 dB\n"
    "[timeline]\n"
    "0:00 fade-in 2 s\n"
    "0:03 play v.wav\n"
    "+0 s breath 1 1 2 0\n"
    "0:05.3 breath sync\n"
    "0:06 chime\n"
    "0:07 level breath -16 dB over 1 s\n"
    "0:08 level ambient -20 dB\n"
    "0:09 play v.wav\n"
    "0:11 fade-out 1 s\n"
    "0:12 fade-in 500 ms\n"
    "0:13 fade-out 2 s\n"
    "0:15 end\n";

static void write_smooth_files(fixture *f)
{
    write_audio(f->dir, "v.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, RATE, 1, RATE, gen_voice300);
    /* 1.37 s: loops every ~1.23 s with a 137 ms crossfade */
    write_audio(f->dir, "amb.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, RATE, 2, 65760, gen_amb220);
    write_audio(f->dir, "chime.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, RATE, 1, 2 * RATE, gen_chime);
}

static void test_no_clicks(void **state)
{
    fixture *f = *state;
    write_smooth_files(f);
    rlx_session *s = parse(f, smooth_session);
    rlx_renderer *r = open_renderer(f, s, 0);
    int64_t n;
    float *out = render_all(r, 4096, &n);
    /* each source's own largest step: amplitude * 2 pi f / rate */
    double tone_hz = s->breath_pitch_hz * pow(2.0, s->breath_glide_st / 12.0);
    double bound = rlx_db_to_lin(-10) * 2 * M_PI * tone_hz / RATE   /* tone */
                   + 0.5 * rlx_db_to_lin(-10) * 2 * M_PI * 220 / RATE /* ambient */
                   + 0.3 * 2 * M_PI * 300 / RATE                      /* voice */
                   + 0.5 * rlx_db_to_lin(-6) * 2 * M_PI * 880 / RATE; /* chime */
    double maxstep = 0;
    int64_t at = 0;
    for (int64_t i = 1; i < n; i++)
        for (int c = 0; c < 2; c++) {
            double d = fabs(out[i * 2 + c] - out[(i - 1) * 2 + c]);
            if (d > maxstep)
                maxstep = d, at = i;
        }
    printf("max step %.4f at %.3f s; sum of the sources' own steps %.4f; "
           "a plain ambient loop would jump by up to %.3f\n",
           maxstep, (double)at / RATE, bound, 2 * 0.5 * rlx_db_to_lin(-10));
    assert_true(maxstep <= bound * 1.1);
    /* first and last samples are zero (anti-click) */
    assert_true(out[0] == 0.0f && out[1] == 0.0f);
    assert_true(out[(n - 1) * 2] == 0.0f && out[(n - 1) * 2 + 1] == 0.0f);
    free(out);
    rlx_renderer_close(r);
    rlx_session_free(s);
}

/* ---- (5) determinism, read sizes, seeking, files ------------------------ */

static void test_determinism(void **state)
{
    fixture *f = *state;
    write_smooth_files(f);
    rlx_session *s = parse(f, smooth_session);
    rlx_renderer *r1 = open_renderer(f, s, 0);
    rlx_renderer *r2 = open_renderer(f, s, 0);
    int64_t n1, n2, n3;
    float *a = render_all(r1, 4096, &n1);
    float *b = render_all(r2, 4096, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, (size_t)n1 * 2 * sizeof(float));
    free(b);
    /* other read sizes: the same samples, bit for bit */
    const size_t sizes[] = {1, 7, 777, 1024, 1025, 100000};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        assert_int_equal(rlx_renderer_seek(r2, 0), RLX_OK);
        b = render_all(r2, sizes[k], &n3);
        assert_int_equal(n3, n1);
        if (memcmp(a, b, (size_t)n1 * 2 * sizeof(float)))
            fail_msg("read size %zu gives different samples", sizes[k]);
        free(b);
    }
    /* seek then read == the linear render, within float rounding of the tone phase */
    const int64_t at[] = {1, 12345, 3 * RATE + 17, 6 * RATE, 10 * RATE + 999, n1 - 5000};
    float *buf = malloc(4000 * 2 * sizeof(float));
    double worst = 0;
    for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
        assert_int_equal(rlx_renderer_seek(r1, at[k]), RLX_OK);
        assert_int_equal(rlx_renderer_position(r1), at[k]);
        size_t got;
        assert_int_equal(rlx_renderer_read(r1, buf, 4000, &got), RLX_OK);
        assert_int_equal(got, 4000);
        for (size_t i = 0; i < 4000 * 2; i++)
            worst = fmax(worst, fabs(buf[i] - a[at[k] * 2 + (int64_t)i]));
    }
    printf("seek vs linear render: max difference %.1f dBFS\n", to_db(worst));
    assert_true(to_db(worst) < -90.0);
    /* seeking past the end clamps and reads nothing */
    assert_int_equal(rlx_renderer_seek(r1, n1 + 100), RLX_OK);
    assert_int_equal(rlx_renderer_position(r1), n1);
    size_t got = 5;
    assert_int_equal(rlx_renderer_read(r1, buf, 10, &got), RLX_OK);
    assert_int_equal(got, 0);
    free(buf);
    free(a);
    rlx_renderer_close(r1);
    rlx_renderer_close(r2);
    rlx_session_free(s);
}

static void render_to(fixture *f, const rlx_session *s, const char *name, char **path)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", f->dir, name);
    rlx_renderer *r = open_renderer(f, s, 0);
    rlx_sink *sink = NULL;
    char why[256];
    assert_int_equal(rlx_sink_file_open(p, RATE, &sink, why, sizeof why), RLX_OK);
    float buf[3000 * 2];
    size_t got;
    do {
        assert_int_equal(rlx_renderer_read(r, buf, 3000, &got), RLX_OK);
        assert_int_equal(sink->ops->write(sink, buf, got), RLX_OK);
    } while (got > 0);
    assert_int_equal(sink->ops->close(sink, true), RLX_OK);
    rlx_renderer_close(r);
    *path = strdup(p);
}

static void test_files_identical(void **state)
{
    fixture *f = *state;
    write_smooth_files(f);
    rlx_session *s = parse(f, smooth_session);
    char *p1, *p2;
    render_to(f, s, "a.wav", &p1);
    render_to(f, s, "b.wav", &p2);
    FILE *x = fopen(p1, "rb"), *y = fopen(p2, "rb");
    assert_non_null(x);
    assert_non_null(y);
    int cx, cy;
    long pos = 0;
    do {
        cx = fgetc(x);
        cy = fgetc(y);
        if (cx != cy)
            fail_msg("renders differ at byte %ld", pos);
        pos++;
    } while (cx != EOF);
    assert_true(pos > 15 * RATE * 6);
    fclose(x);
    fclose(y);
    free(p1);
    free(p2);
    rlx_session_free(s);
}

/* ---- background balance, loudness normalisation, voice durations --------- */

static void test_background_balance(void **state)
{
    fixture *f = *state;
    rlx_session *s = parse(f, "[session]\nid = t\ntitle = \"t\"\n"
                              "[breath]\nlevel = -20 dB\n"
                              "[timeline]\n0:04 end\n");
    rlx_renderer *r = open_renderer(f, s, 0);
    int64_t n = rlx_renderer_length(r);
    float *out = malloc((size_t)n * 2 * sizeof(float));
    size_t got;
    assert_int_equal(rlx_renderer_read(r, out, 2 * RATE, &got), RLX_OK);
    rlx_renderer_set_background_db(r, -12.0);
    assert_int_equal(rlx_renderer_read(r, out + 2 * RATE * 2, (size_t)n - 2 * RATE, &got), RLX_OK);
    rlx_tone tone;
    rlx_tone_config tc = {.pitch_hz = s->breath_pitch_hz, .glide_st = s->breath_glide_st,
                          .rate = RATE};
    rlx_tone_init(&tone, &tc);
    float *mono = malloc((size_t)n * sizeof(float));
    rlx_tone_render(&tone, rlx_renderer_timeline(r), mono, (size_t)n);
    /* 100 ms after the change the tone is 12 dB down; 100 ms before, not */
    double num = 0, den = 0;
    for (int64_t t = 2 * RATE - RATE / 10 - 480; t < 2 * RATE - RATE / 10; t++)
        num += out[t * 2] * (double)mono[t], den += (double)mono[t] * mono[t];
    double before = to_db(num / den);
    num = den = 0;
    for (int64_t t = 2 * RATE + RATE / 10; t < 2 * RATE + RATE / 10 + 480; t++)
        num += out[t * 2] * (double)mono[t], den += (double)mono[t] * mono[t];
    double after = to_db(num / den);
    printf("background: %.2f dB -> %.2f dB\n", before, after);
    assert_true(fabs(before - -20.0) < 0.05);
    assert_true(fabs(after - -32.0) < 0.05);
    free(mono);
    free(out);
    rlx_renderer_close(r);
    rlx_session_free(s);
}

static void test_voice_normalisation(void **state)
{
    fixture *f = *state;
    write_audio(f->dir, "n.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 44100, 1, 3 * 44100,
                gen_noise);
    rlx_session *s = parse(f, "[session]\nid = t\ntitle = \"t\"\n"
                              "[voice]\nlevel = -23 LUFS\n[breath]\nlevel = off\n"
                              "[timeline]\n0:01 play n.flac\n+1 s play n.flac gain -6 dB\n"
                              "0:10 end\n");
    rlx_renderer *r = open_renderer(f, s, 0);
    int64_t n;
    float *out = render_all(r, 4096, &n);
    double lufs[2];
    for (int k = 0; k < 2; k++) {
        ebur128_state *st = ebur128_init(2, RATE, EBUR128_MODE_I);
        int64_t from = k == 0 ? 1 * RATE : 5 * RATE;
        ebur128_add_frames_float(st, out + from * 2, 3 * RATE);
        ebur128_loudness_global(st, &lufs[k]);
        ebur128_destroy(&st);
    }
    printf("voice loudness: %.2f LUFS, %.2f LUFS (with gain -6 dB)\n", lufs[0], lufs[1]);
    assert_true(fabs(lufs[0] - -23.0) < 0.5);
    assert_true(fabs(lufs[1] - -29.0) < 0.5);
    free(out);
    rlx_renderer_close(r);
    rlx_session_free(s);
}

static void test_voice_durations(void **state)
{
    fixture *f = *state;
    write_audio(f->dir, "v.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 1, 44100 * 3 / 2,
                gen_voice300);
    rlx_session *s = parse(f, "[session]\nid = t\ntitle = \"t\"\n"
                              "[timeline]\n0:00 fade-in 1 s\n0:01 play v.wav\n0:05 end\n");
    rlx_cache *c = NULL;
    assert_int_equal(rlx_cache_open(f->cache, &c, NULL, 0), RLX_OK);
    int64_t *ms = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_voice_durations(s, c, RATE, &ms, &d), RLX_OK);
    assert_int_equal(ms[0], -1);
    assert_true(llabs(ms[1] - 1500) <= 1);
    assert_int_equal(ms[2], -1);
    free(ms);
    rlx_diags_free(&d);
    rlx_cache_close(c);
    rlx_session_free(s);
}

static void test_bad_audio_reports_cue(void **state)
{
    fixture *f = *state;
    free(rlx_test_write(f->dir, "bad.wav", "RIFF....WAVEfmt garbage garbage garbage", 40));
    rlx_session *s = parse(f, "[session]\nid = t\ntitle = \"t\"\n"
                              "[timeline]\n0:00 fade-in 1 s\n0:01 play bad.wav\n0:05 end\n");
    rlx_render_config cfg = rlx_render_config_init();
    cfg.cache_dir = f->cache;
    rlx_renderer *r = (rlx_renderer *)1;
    rlx_diags d = {0};
    rlx_err err = rlx_renderer_open(&cfg, s, &r, &d);
    assert_true(err == RLX_ERR_AUDIO_FILE || err == RLX_ERR_AUDIO_FORMAT);
    assert_null(r);
    assert_true(d.errors >= 1);
    assert_int_equal(d.items[0].line, 6);
    assert_non_null(strstr(d.items[0].message, "bad.wav"));
    rlx_diags_free(&d);
    rlx_session_free(s);
}

/* length_fit (resuming a listen of an edited session): a length outside the
 * session's range is brought into it; without it the same length fails. */
static void test_length_fit(void **state)
{
    fixture *f = *state;
    rlx_session *s = parse(f, "[session]\nid = t\ntitle = \"t\"\n"
                              "[timeline]\n0:00 fade-in 1 s\n0:01 silence 4 s .. 9 s\n"
                              "+0 s fade-out 1 s\n+1 s end\n");
    const struct { int64_t want_ms, got_ms; } cases[] = {
        {60000, 11000}, {1000, 6000}, {8000, 8000}, {0, 6000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rlx_render_config cfg = rlx_render_config_init();
        cfg.rate = RATE;
        cfg.cache_dir = f->cache;
        cfg.length_ms = cases[i].want_ms;
        cfg.length_fit = true;
        rlx_renderer *r = NULL;
        rlx_diags d = {0};
        assert_int_equal(rlx_renderer_open(&cfg, s, &r, &d), RLX_OK);
        assert_int_equal(rlx_renderer_length(r), cases[i].got_ms * RATE / 1000);
        rlx_renderer_close(r);
        rlx_diags_free(&d);
        if (cases[i].want_ms && cases[i].want_ms != cases[i].got_ms) {
            cfg.length_fit = false;
            r = (rlx_renderer *)1;
            assert_int_equal(rlx_renderer_open(&cfg, s, &r, &d), RLX_ERR_LENGTH);
            assert_null(r);
            rlx_diags_free(&d);
        }
    }
    rlx_session_free(s);
}

/* ---- (7) a 90-minute bed has no loop to hear ------------------------------------ */

#define BED_RATE 8000
#define BED_CLIP_S 54        /* as long as the shipped beds */

/* Seeded noise, softened by a one-pole low-pass: rain-like, and with no
 * correlation of its own beyond a few samples, so any correlation found at
 * a lag of seconds is the bed repeating itself. */
static double gen_rain(int64_t i, int rate, int ch)
{
    (void)rate;
    static uint32_t lcg;
    static double lp[2];
    if (i == 0 && ch == 0)
        lcg = 12345u, lp[0] = lp[1] = 0;
    lcg = lcg * 1664525u + 1013904223u;
    double w = ((double)(lcg >> 8) / (double)(1u << 24)) * 2.0 - 1.0;
    lp[ch] = 0.6 * lp[ch] + 0.4 * w;
    return 0.4 * lp[ch];
}

/* In-place iterative radix-2 FFT of n (a power of two) complex values. */
static void fft(double *re, double *im, size_t n, bool inverse)
{
    for (size_t i = 1, j = 0; i < n; i++) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    for (size_t len = 2; len <= n; len <<= 1) {
        double a = (inverse ? 2 : -2) * M_PI / (double)len;
        double wr = cos(a), wi = sin(a);
        for (size_t i = 0; i < n; i += len) {
            double cr = 1, ci = 0;
            for (size_t k = 0; k < len / 2; k++) {
                size_t p = i + k, q = p + len / 2;
                double xr = re[q] * cr - im[q] * ci, xi = re[q] * ci + im[q] * cr;
                re[q] = re[p] - xr; im[q] = im[p] - xi;
                re[p] += xr; im[p] += xi;
                double t = cr * wr - ci * wi;
                ci = cr * wi + ci * wr;
                cr = t;
            }
        }
    }
}

/* The highest normalised autocorrelation of x (n samples) at lags from
 * lo to hi samples: sum x[i] x[i+L] / sum x[i]^2, scaled by n / (n - L) for
 * the shrinking overlap. A loop of period P scores about 1 at L = P. */
static double max_autocorr(const double *x, size_t n, size_t lo, size_t hi, size_t *at)
{
    size_t m = 1;
    while (m < 2 * n)
        m <<= 1;
    double *re = calloc(m, sizeof *re), *im = calloc(m, sizeof *im);
    assert_non_null(re);
    assert_non_null(im);
    memcpy(re, x, n * sizeof *x);
    fft(re, im, m, false);
    for (size_t i = 0; i < m; i++) {
        re[i] = re[i] * re[i] + im[i] * im[i];
        im[i] = 0;
    }
    fft(re, im, m, true);
    double r0 = re[0], best = 0;
    for (size_t L = lo; L <= hi && L < n; L++) {
        double v = re[L] / r0 * (double)n / (double)(n - L);
        if (v > best)
            best = v, *at = L;
    }
    free(re);
    free(im);
    return best;
}

static void test_bed_never_loops(void **state)
{
    fixture *f = *state;
    write_audio(f->dir, "bed.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, BED_RATE, 2,
                (int64_t)BED_CLIP_S * BED_RATE, gen_rain);
    rlx_session *s = parse(f, "[session]\nid = t\ntitle = \"t\"\n"
                              "[breath]\nlevel = off\n"
                              "[ambient]\nfile = bed.wav\nlevel = -6 dB\nduck = 0 dB\n"
                              "[timeline]\n"
                              "0:00 silence 1 min .. 120 min\n"
                              "+0 s end\n");
    rlx_render_config cfg = rlx_render_config_init();
    cfg.rate = BED_RATE;
    cfg.cache_dir = f->cache;
    cfg.length_ms = 90 * 60000;
    rlx_renderer *r = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_renderer_open(&cfg, s, &r, &d), RLX_OK);
    /* the long pause 80 minutes in: 4 min 22 s (2^21 frames) of the bed alone */
    size_t n = (size_t)1 << 21;
    float *out = malloc(n * 2 * sizeof *out);
    double *x = malloc(n * sizeof *x);
    assert_non_null(out);
    assert_non_null(x);
    assert_int_equal(rlx_renderer_seek(r, (int64_t)80 * 60 * BED_RATE), RLX_OK);
    size_t pos = 0;
    while (pos < n) {
        size_t got = 0;
        assert_int_equal(rlx_renderer_read(r, out + pos * 2, n - pos, &got), RLX_OK);
        assert_true(got > 0);
        pos += got;
    }
    double energy = 0;
    for (size_t i = 0; i < n; i++) {
        x[i] = out[2 * i] + out[2 * i + 1];
        energy += x[i] * x[i];
    }
    assert_true(energy / (double)n > 1e-4);   /* the bed is there */
    size_t at = 0;
    double peak = max_autocorr(x, n, BED_RATE, (size_t)120 * BED_RATE, &at);
    /* the same measure on the clip played as a plain loop: it finds it */
    double *loop = malloc(n * sizeof *loop);
    assert_non_null(loop);
    size_t clip = (size_t)BED_CLIP_S * BED_RATE;
    for (size_t i = 0; i < n; i++)
        loop[i] = gen_rain((int64_t)(i % clip), BED_RATE, 0) + gen_rain((int64_t)(i % clip), BED_RATE, 1);
    size_t loop_at = 0;
    double loop_peak = max_autocorr(loop, n, BED_RATE, (size_t)120 * BED_RATE, &loop_at);
    printf("bed 80 min into a 90-min session, %.0f s excerpt: highest autocorrelation %.3f "
           "(lag %.2f s); the clip as a plain loop: %.3f (lag %.2f s)\n",
           (double)n / BED_RATE, peak, (double)at / BED_RATE, loop_peak, (double)loop_at / BED_RATE);
    assert_true(loop_peak > 0.9);
    assert_true(peak < 0.2);
    free(loop);
    free(x);
    free(out);
    rlx_diags_free(&d);
    rlx_renderer_close(r);
    rlx_session_free(s);
}

/* Counting reallocs (not under sanitizers, which own the allocator). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define RLX_SANITIZED 1
#endif
#endif
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && !defined(RLX_SANITIZED) && \
    defined(__GLIBC__)
#define RLX_COUNT_REALLOC 1
extern void *__libc_realloc(void *, size_t);
static volatile int counting;
static volatile unsigned long reallocs;
void *realloc(void *p, size_t n)
{
    if (counting)
        reallocs++;
    return __libc_realloc(p, n);
}
#endif

/* 30,000 level cues: the automation grows geometrically, not by one realloc
 * per cue (which made 100,000 cues quadratic), and opens quickly. */
static void test_many_level_cues(void **state)
{
    fixture *f = *state;
    size_t cap = 64 + 30000 * 48, used = 0;
    char *text = malloc(cap);
    used += (size_t)snprintf(text, cap, "[session]\nid = t\ntitle = \"T\"\n[timeline]\n");
    for (int i = 0; i < 30000; i++) {
        int t = i * 20;
        static const char *const bus[] = {"breath", "ambient", "voice"};
        used += (size_t)snprintf(text + used, cap - used, "%d:%02d:%02d.%03d level %s -%d %s\n", t / 3600000,
                                 t / 60000 % 60, t / 1000 % 60, t % 1000, bus[i % 3], 20 + i % 10,
                                 i % 3 == 2 ? "LUFS" : "dB");
    }
    snprintf(text + used, cap - used, "0:10:01 end\n");
    rlx_session *s = parse(f, text);
    free(text);
#ifdef RLX_COUNT_REALLOC
    reallocs = 0;
    counting = 1;
#endif
    rlx_renderer *r = open_renderer(f, s, 0);
#ifdef RLX_COUNT_REALLOC
    counting = 0;
    fprintf(stderr, "30,000 level cues: %lu reallocs while opening\n", reallocs);
    assert_true(reallocs < 1000);
#endif
    rlx_renderer_close(r);
    rlx_session_free(s);
}

/* ---- stream: lines laid out before they are spoken ------------------------ */

static void wait_ms(int ms)
{
    struct timespec t = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
    nanosleep(&t, NULL);
}

/* On a cold cache a stream renderer opens before its lines are spoken; read
 * as the pump reads it (only when ready), each line sounds at the start of
 * its slot exactly as in the exact layout, the rest of its slot is silent,
 * and once settled a renderer opened again is the exact one. */
static void test_stream_cold_cache(void **state)
{
    fixture *f = *state;
    rlx_session *s = parse(f, "[session]\nid = t\ntitle = \"t\"\n[breath]\nlevel = off\n"
                              "[timeline]\n0:01 say \"Breathe in slowly.\"\n"
                              "+1 s say \"And let it go, in your own time.\"\n"
                              "+1 s say \"Rest here.\"\n+2 s end\n");
    rlx_render_config cfg = rlx_render_config_init();
    cfg.rate = RATE;
    cfg.cache_dir = f->cache;
    cfg.stream = true;
    rlx_renderer *r = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_renderer_open(&cfg, s, &r, &d), RLX_OK);
    assert_true(rlx_renderer_provisional(r));
    int64_t n = rlx_renderer_length(r);
    float *out = malloc((size_t)n * 2 * sizeof(float));
    assert_non_null(out);
    int64_t pos = 0, waits = 0;
    while (pos < n) {
        size_t want = 4096, got = 0;
        if (!rlx_renderer_ready(r, want)) {
            assert_true(++waits < 12000);   /* a minute at most */
            wait_ms(5);
            continue;
        }
        assert_int_equal(rlx_renderer_read(r, out + pos * 2, want, &got), RLX_OK);
        pos += (int64_t)got;
    }
    for (int k = 0; !rlx_renderer_settled(r); k++) {
        assert_true(k < 12000);
        wait_ms(5);
    }
    cfg.stream = false;
    rlx_renderer *x = open_renderer(f, s, 0);
    assert_false(rlx_renderer_provisional(x));
    int64_t nx;
    float *ref = render_all(x, 4096, &nx);
    assert_true(nx < n);   /* the bounds are longer than the lines */
    const rlx_timeline *ts = rlx_renderer_timeline(r), *tx = rlx_renderer_timeline(x);
    double maxdiff = 0, tailmax = 0;
    for (size_t i = 0; i < tx->ncues; i++) {
        if (!rlx_cue_is_voice(tx->cues[i].cue))
            continue;
        int64_t len = tx->cues[i].end - tx->cues[i].start;
        int64_t slot = ts->cues[i].end - ts->cues[i].start;
        assert_true(len > RATE / 4 && slot >= len);
        for (int64_t k = 0; k < len; k++)
            for (int c = 0; c < 2; c++)
                maxdiff = fmax(maxdiff, fabs(out[(ts->cues[i].start + k) * 2 + c] -
                                             ref[(tx->cues[i].start + k) * 2 + c]));
        for (int64_t k = len + RATE / 100; k < slot; k++)   /* past the limiter's release */
            tailmax = fmax(tailmax, fabs(out[(ts->cues[i].start + k) * 2]));
    }
    printf("stream: %lld waits, length %.2f s (exact %.2f s), line diff %.1f dBFS, rest of slot %.1f dBFS\n",
           (long long)waits, (double)n / RATE, (double)nx / RATE, to_db(maxdiff), to_db(tailmax));
    assert_true(maxdiff < 1e-6);
    assert_true(tailmax < 1e-6);
    free(out);
    free(ref);
    rlx_renderer_close(x);
    rlx_renderer_close(r);
    rlx_diags_free(&d);
    rlx_session_free(s);
}

/* A line longer than its slot (a bound that failed) is cut at the slot's
 * end with a short fade, never run into what follows. */
static void test_stream_cut(void **state)
{
    fixture *f = *state;
    write_audio(f->dir, "v.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, RATE, 1, RATE, gen_voice300);
    rlx_cache *c = NULL;
    assert_int_equal(rlx_cache_open(f->cache, &c, NULL, 0), RLX_OK);
    char path[4096], why[256];
    snprintf(path, sizeof path, "%s/v.wav", f->dir);
    rlx_clip_info info;
    assert_int_equal(rlx_clip_prepare_file(c, path, RATE, &info, why, sizeof why), RLX_OK);
    rlx_late_clip late[1];
    memset(late, 0, sizeof late);
    late[0].start = 100;
    late[0].slot = RATE / 2;   /* half of the clip */
    atomic_init(&late[0].state, RLX_LATE_WAITING);
    rlx_source *src = NULL;
    int64_t fade = RATE / 50;
    assert_int_equal(rlx_source_late_open(late, 1, 1024, fade, &src), RLX_OK);
    float gain[1024], mix[1024 * 2];
    for (int j = 0; j < 1024; j++)
        gain[j] = 1.0f;
    memset(mix, 0, sizeof mix);
    assert_int_equal(src->ops->mix(src, 0, 1024, gain, mix), RLX_OK);   /* not there yet */
    assert_true(late[0].muted);
    for (int j = 0; j < 2048; j++)
        assert_true(mix[j] == 0.0f);
    assert_int_equal(rlx_clip_reader_open(&info, &late[0].rd), RLX_OK);
    late[0].frames = info.frames;
    late[0].gain = 1.0f;
    atomic_store(&late[0].state, RLX_LATE_READY);
    int64_t end = late[0].start + late[0].slot;
    double before = 0, after = 0, last = 0;
    for (int64_t a = 0; a < end + 4096; a += 1024) {
        memset(mix, 0, sizeof mix);
        assert_int_equal(src->ops->mix(src, a, 1024, gain, mix), RLX_OK);
        for (int64_t j = 0; j < 1024; j++) {
            int64_t t = a + j;
            double v = fabs(mix[j * 2]);
            if (t >= end - 2 * fade && t < end - fade)
                before = fmax(before, v);
            if (t == end - 1)
                last = v;
            if (t >= end)
                after = fmax(after, v);
        }
    }
    printf("stream cut: before the fade %.3f, last sample %.5f, after %.5f\n", before, last, after);
    assert_true(before > 0.25);   /* the line plays at its level up to the fade */
    assert_true(last < 0.3 / (double)fade + 1e-6);
    assert_true(after == 0.0);
    rlx_source_close(src);
    rlx_clip_reader_close(late[0].rd);
    rlx_clip_info_free(&info);
    rlx_cache_close(c);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_clip_fidelity),
        T(test_ducking),
        T(test_breath_duck_per_line),
        T(test_tone_rests_in_long_pauses),
        T(test_limiter_ceiling),
        T(test_no_clicks),
        T(test_determinism),
        T(test_files_identical),
        T(test_background_balance),
        T(test_voice_normalisation),
        T(test_voice_durations),
        T(test_bad_audio_reports_cue),
        T(test_length_fit),
        T(test_bed_never_loops),
        T(test_many_level_cues),
        T(test_stream_cold_cache),
        T(test_stream_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
