/* test_clip.c - preparing audio files: formats, channel mapping, pass-through,
 * resampling, loudness, bad files, damaged cache entries, the reader. Every
 * input file is generated here with libsndfile into a temporary folder. */
#include "rlx_test.h"

#include <dirent.h>
#include <ebur128.h>
#include <pthread.h>
#include <fcntl.h>
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audio/cache.h"
#include "audio/clip.h"
#include "audio/decode.h"

/* libvorbisenc leaks when encoding 6 channels at 44.1/48 kHz (the test's
 * own file generation, not the code under test): tell LeakSanitizer. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:vorbis_encode_setup_init\n";
}

typedef rlx_test_cache_fixture fixture;

/* Deterministic test signal: a sine per channel (different frequencies) plus
 * a little pseudo-random noise, at amplitude amp. */
static float signal_at(int64_t i, int c, int rate, double amp)
{
    uint32_t x = (uint32_t)(i * 2654435761u) ^ (uint32_t)(c * 40503u);
    x ^= x >> 13;
    x *= 0x5bd1e995u;
    x ^= x >> 15;
    double noise = ((double)(x & 0xffff) / 65535.0 - 0.5) * 0.05;
    double f = 220.0 * (c + 1);
    return (float)(amp * (0.9 * sin(2 * M_PI * f * (double)i / rate) + noise));
}

static char *gen(const char *dir, const char *name, int format, int rate, int channels,
                 int64_t frames, double amp)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    SF_INFO info = {.samplerate = rate, .channels = channels, .format = format};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    if (!sf)
        fail_msg("cannot write %s: %s", path, sf_strerror(NULL));
    float *buf = malloc(sizeof(float) * 4096 * (size_t)channels);
    for (int64_t i = 0; i < frames; i += 4096) {
        int64_t n = frames - i < 4096 ? frames - i : 4096;
        for (int64_t k = 0; k < n; k++)
            for (int c = 0; c < channels; c++)
                buf[k * channels + c] = signal_at(i + k, c, rate, amp);
        assert_int_equal(sf_writef_float(sf, buf, n), n);
    }
    free(buf);
    assert_int_equal(sf_close(sf), 0);
    return path;
}

/* Reads a whole file with libsndfile (float, normalised). */
static float *read_all(const char *path, int64_t *frames, int *channels, int *rate)
{
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    assert_non_null(sf);
    float *buf = malloc(sizeof(float) * (size_t)(info.frames * info.channels));
    assert_int_equal(sf_readf_float(sf, buf, info.frames), info.frames);
    sf_close(sf);
    *frames = info.frames;
    *channels = info.channels;
    if (rate)
        *rate = info.samplerate;
    return buf;
}

/* Reads a prepared clip through the reader, in odd-sized blocks. */
static float *read_clip(const rlx_clip_info *info, int64_t *frames)
{
    rlx_clip_reader *r;
    assert_int_equal(rlx_clip_reader_open(info, &r), RLX_OK);
    float *out = malloc(sizeof(float) * 2 * (size_t)(info->frames + 1000));
    int64_t total = 0;
    for (;;) {
        size_t got;
        assert_int_equal(rlx_clip_reader_read(r, out + 2 * total, 1000, &got), RLX_OK);
        total += (int64_t)got;
        if (got < 1000)
            break;
    }
    rlx_clip_reader_close(r);
    *frames = total;
    return out;
}

static rlx_err prepare_err(fixture *f, const char *path, char *why, size_t whylen);

static void prepare_ok(fixture *f, const char *path, int rate, rlx_clip_info *info)
{
    char why[256] = "";
    rlx_err err = rlx_clip_prepare_file(f->cache, path, rate, info, why, sizeof why);
    if (err)
        fail_msg("prepare %s: %s (%s)", path, rlx_strerror(err), why);
}

/* ---- formats ------------------------------------------------------------------ */

static void every_format_rate_and_layout(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *ext;
        int format;
    } fmts[] = {
        {"pcm8.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8},
        {"pcm16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16},
        {"pcm24.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24},
        {"pcm32.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_32},
        {"float.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT},
        {"double.wav", SF_FORMAT_WAV | SF_FORMAT_DOUBLE},
        {"ext.wav", SF_FORMAT_WAVEX | SF_FORMAT_PCM_16},
        {"x.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16},
        {"x.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16},
        {"x.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS},
    };
    static const int rates[] = {22050, 44100, 48000};
    static const int chans[] = {1, 2, 6};
    for (size_t fi = 0; fi < sizeof fmts / sizeof *fmts; fi++) {
        for (size_t ri = 0; ri < 3; ri++) {
            for (size_t ci = 0; ci < 3; ci++) {
                char name[64];
                snprintf(name, sizeof name, "%d-%d-%s", rates[ri], chans[ci], fmts[fi].ext);
                int64_t frames = rates[ri] / 2;  /* half a second */
                char *p = gen(f->tmp, name, fmts[fi].format, rates[ri], chans[ci], frames, 0.5);
                rlx_clip_info info;
                prepare_ok(f, p, 48000, &info);
                assert_int_equal(info.rate, 48000);
                assert_int_equal(info.channels, chans[ci] == 1 ? 1 : 2);
                int64_t expect = 24000;
                if (info.frames < expect - 2 || info.frames > expect + 2)
                    fail_msg("%s: %lld frames, expected about %lld", name,
                             (long long)info.frames, (long long)expect);
                assert_true(info.peak > 0.2 && info.peak < 1.0);
                assert_true(info.loudness_lufs > -30 && info.loudness_lufs < 0);
                int64_t got;
                float *s = read_clip(&info, &got);
                assert_int_equal(got, info.frames);
                float mx = 0;
                for (int64_t i = 0; i < got * 2; i++)
                    mx = fmaxf(mx, fabsf(s[i]));
                assert_true(mx > 0.2f);
                free(s);
                rlx_clip_info_free(&info);
                free(p);
            }
        }
    }
}

/* Lossy formats whose encoders add delay and padding: the length is only
 * roughly kept (libsndfile 1.2 also starts MP3 ~1105 frames late). */
static void opus_and_mp3(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *name;
        int format, rate, channels;
    } cases[] = {
        {"o48.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000, 2},
        {"o16.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 16000, 1},
        {"m44.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, 2},
        {"m22.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 22050, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        SF_INFO probe = {.samplerate = cases[i].rate, .channels = cases[i].channels,
                         .format = cases[i].format};
        if (!sf_format_check(&probe)) {
            print_message("skipping %s: this libsndfile cannot write it\n", cases[i].name);
            continue;
        }
        char *p = gen(f->tmp, cases[i].name, cases[i].format, cases[i].rate, cases[i].channels,
                      cases[i].rate * 2, 0.5);
        rlx_clip_info info;
        prepare_ok(f, p, 48000, &info);
        assert_int_equal(info.channels, cases[i].channels);
        if (llabs(info.frames - 96000) > 4800)
            fail_msg("%s: %lld frames", cases[i].name, (long long)info.frames);
        assert_true(info.loudness_lufs > -20 && info.loudness_lufs < -3);
        rlx_clip_info_free(&info);
        free(p);
    }
}

static void pass_through_is_bit_exact(void **state)
{
    fixture *f = *state;
    int chans[] = {1, 2};
    for (int k = 0; k < 2; k++) {
        char name[32];
        snprintf(name, sizeof name, "exact%d.wav", chans[k]);
        char *p = gen(f->tmp, name, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 48000, chans[k], 100000, 0.8);
        int64_t n;
        int ch;
        float *ref = read_all(p, &n, &ch, NULL);
        rlx_clip_info info;
        prepare_ok(f, p, 48000, &info);
        assert_int_equal(info.frames, n);
        int64_t got;
        float *s = read_clip(&info, &got);
        assert_int_equal(got, n);
        for (int64_t i = 0; i < n; i++)
            for (int c = 0; c < 2; c++)
                if (s[2 * i + c] != ref[i * ch + (ch == 1 ? 0 : c)])
                    fail_msg("frame %lld channel %d differs", (long long)i, c);
        free(s);
        free(ref);
        rlx_clip_info_free(&info);
        free(p);
    }
}

static void resampling_matches_libsamplerate(void **state)
{
    fixture *f = *state;
    char *p = gen(f->tmp, "r.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, 44100 * 3, 0.9);
    int64_t n;
    int ch;
    float *in = read_all(p, &n, &ch, NULL);
    /* The reference: libsamplerate's one-shot conversion, same converter. */
    double ratio = 48000.0 / 44100.0;
    long cap = (long)(n * ratio) + 1000;
    float *ref = malloc(sizeof(float) * 2 * (size_t)cap);
    SRC_DATA d = {.data_in = in, .input_frames = (long)n, .data_out = ref,
                  .output_frames = cap, .src_ratio = ratio};
    assert_int_equal(src_simple(&d, SRC_SINC_MEDIUM_QUALITY, 2), 0);
    rlx_clip_info info;
    prepare_ok(f, p, 48000, &info);
    int64_t got;
    float *s = read_clip(&info, &got);
    if (labs((long)got - d.output_frames_gen) > 2)
        fail_msg("%lld frames, libsamplerate gave %ld", (long long)got, d.output_frames_gen);
    int64_t m = got < d.output_frames_gen ? got : d.output_frames_gen;
    double maxerr = 0;
    for (int64_t i = 0; i < 2 * m; i++)
        maxerr = fmax(maxerr, fabs((double)s[i] - ref[i]));
    double db = 20 * log10(maxerr + 1e-30);
    if (db > -80)
        fail_msg("max difference %.1f dBFS", db);
    free(s);
    free(ref);
    free(in);
    rlx_clip_info_free(&info);
    free(p);
}

/* Float files may go beyond full scale: kept as they are (the limiter is
 * downstream). A NaN or infinity is corruption. */
static void float_extremes(void **state)
{
    fixture *f = *state;
    char *path = malloc(strlen(f->tmp) + 32);
    sprintf(path, "%s/hot.wav", f->tmp);
    SF_INFO info = {.samplerate = 48000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    float v[1000];
    for (int i = 0; i < 1000; i++)
        v[i] = (float)(2.5 * sin(i * 0.1));
    sf_writef_float(sf, v, 1000);
    sf_close(sf);
    rlx_clip_info ci;
    prepare_ok(f, path, 48000, &ci);
    assert_true(ci.peak > 2.4 && ci.peak <= 2.5);
    int64_t n;
    float *s = read_clip(&ci, &n);
    assert_int_equal(n, 1000);
    for (int i = 0; i < 1000; i++)
        assert_true(s[2 * i] == v[i] && s[2 * i + 1] == v[i]);
    free(s);
    rlx_clip_info_free(&ci);

    sprintf(path, "%s/nan.wav", f->tmp);
    sf = sf_open(path, SFM_WRITE, &info);
    v[500] = NAN;
    sf_writef_float(sf, v, 1000);
    sf_close(sf);
    char why[256];
    assert_int_equal(prepare_err(f, path, why, sizeof why), RLX_ERR_AUDIO_FILE);
    assert_string_equal(why, "nan.wav: truncated or corrupt (non-finite sample values)");
    free(path);
}

/* ---- loudness ------------------------------------------------------------------- */

static char *gen_sine(const char *dir, const char *name, int rate, int channels, double amp,
                      double seconds)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    SF_INFO info = {.samplerate = rate, .channels = channels,
                    .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    assert_non_null(sf);
    int64_t frames = (int64_t)(seconds * rate);
    for (int64_t i = 0; i < frames; i++) {
        float v[8];
        for (int c = 0; c < channels; c++)
            v[c] = (float)(amp * sin(2 * M_PI * 1000.0 * (double)i / rate));
        sf_writef_float(sf, v, 1);
    }
    sf_close(sf);
    return path;
}

static void loudness_of_a_known_sine(void **state)
{
    fixture *f = *state;
    /* A 1 kHz sine at 0 dBFS peak in one channel reads -3.01 LUFS (EBU Tech
     * 3341); in both channels 0.0 LUFS. At amplitude 0.5: -6.02 LUFS. A mono
     * clip is played on both speakers and measured as dual mono: the same. */
    int chans[] = {1, 2};
    for (int k = 0; k < 2; k++) {
        char name[32];
        snprintf(name, sizeof name, "sine%d.wav", chans[k]);
        char *p = gen_sine(f->tmp, name, 48000, chans[k], 0.5, 5.0);
        rlx_clip_info info;
        prepare_ok(f, p, 48000, &info);
        if (fabs(info.loudness_lufs - (-6.02)) > 0.1)
            fail_msg("%d channel(s): %.3f LUFS, expected -6.02", chans[k], info.loudness_lufs);
        assert_true(fabs(info.peak - 0.5) < 1e-3);
        rlx_clip_info_free(&info);
        free(p);
    }
    /* Resampled from 44.1 kHz: measured on the converted audio. */
    char *p = gen_sine(f->tmp, "sine441.wav", 44100, 2, 0.25, 5.0);
    rlx_clip_info info;
    prepare_ok(f, p, 48000, &info);
    if (fabs(info.loudness_lufs - (-12.04)) > 0.1)
        fail_msg("%.3f LUFS, expected -12.04", info.loudness_lufs);
    /* And the same as libebur128 on the cached samples. */
    int64_t n;
    int ch;
    float *s = read_all(info.cached_path, &n, &ch, NULL);
    ebur128_state *st = ebur128_init(2, 48000, EBUR128_MODE_I);
    ebur128_add_frames_float(st, s, (size_t)n);
    double l;
    ebur128_loudness_global(st, &l);
    ebur128_destroy(&st);
    assert_true(fabs(l - info.loudness_lufs) < 1e-9);
    free(s);
    rlx_clip_info_free(&info);
    free(p);
}

static void silence_is_minus_70(void **state)
{
    fixture *f = *state;
    char *p = gen_sine(f->tmp, "silence.wav", 48000, 2, 0.0, 1.0);
    rlx_clip_info info;
    prepare_ok(f, p, 48000, &info);
    assert_true(info.loudness_lufs == -70.0);
    assert_true(info.peak == 0.0);
    rlx_clip_info_free(&info);
    free(p);
}

/* ---- channel mapping -------------------------------------------------------------- */

static void six_channels_mix_down_to_stereo(void **state)
{
    fixture *f = *state;
    /* 5.1 (L R C LFE Ls Rs): only the front left channel carries a tone. */
    char *path = malloc(strlen(f->tmp) + 32);
    sprintf(path, "%s/six.wav", f->tmp);
    SF_INFO info = {.samplerate = 48000, .channels = 6, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    assert_non_null(sf);
    for (int i = 0; i < 48000; i++) {
        float v[6] = {0};
        v[0] = (float)(0.5 * sin(2 * M_PI * 440 * i / 48000.0));
        v[2] = 0.25f;  /* a constant in the centre: half of it (-3 dB) each side */
        sf_writef_float(sf, v, 1);
    }
    sf_close(sf);
    rlx_clip_info ci;
    prepare_ok(f, path, 48000, &ci);
    assert_int_equal(ci.channels, 2);
    int64_t n;
    float *s = read_clip(&ci, &n);
    assert_int_equal(n, 48000);
    /* Normalised gains: L gets 1/(1+2*0.7071) of L, both get 0.7071/(...) of C. */
    double norm = 1 + 2 * M_SQRT1_2;
    double cmix = 0.25 * M_SQRT1_2 / norm;
    double lmax = 0, rmin = 1, rmax = -1;
    for (int64_t i = 0; i < n; i++) {
        lmax = fmax(lmax, s[2 * i] - cmix);
        rmin = fmin(rmin, s[2 * i + 1]);
        rmax = fmax(rmax, s[2 * i + 1]);
    }
    assert_true(fabs(lmax - 0.5 / norm) < 1e-3);
    assert_true(fabs(rmin - cmix) < 1e-6 && fabs(rmax - cmix) < 1e-6);
    free(s);
    rlx_clip_info_free(&ci);
    free(path);
}

/* ---- bad files ---------------------------------------------------------------------- */

static rlx_err prepare_err(fixture *f, const char *path, char *why, size_t whylen)
{
    rlx_clip_info info;
    rlx_err err = rlx_clip_prepare_file(f->cache, path, 48000, &info, why, whylen);
    if (!err)
        rlx_clip_info_free(&info);
    return err;
}

static void truncate_to(const char *path, double fraction)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, (off_t)(st.st_size * fraction)), 0);
}

static void truncated_files_fail(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *name;
        int format;
    } fmts[] = {
        {"t16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16},
        {"tf.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT},
        {"t.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16},
        {"t.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS},
        {"t.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24},
    };
    for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++) {
        char *p = gen(f->tmp, fmts[i].name, fmts[i].format, 44100, 2, 44100 * 2, 0.5);
        truncate_to(p, 0.6);
        char why[256] = "";
        rlx_err err = prepare_err(f, p, why, sizeof why);
        if (err != RLX_ERR_AUDIO_FILE)
            fail_msg("%s: %s (%s)", fmts[i].name, rlx_strerror(err), why);
        assert_non_null(strstr(why, "truncated or corrupt"));
        assert_non_null(strstr(why, fmts[i].name));
        free(p);
    }
}

static void missing_garbage_and_unsupported(void **state)
{
    fixture *f = *state;
    char why[256];
    char *missing = malloc(strlen(f->tmp) + 32);
    sprintf(missing, "%s/nope.wav", f->tmp);
    assert_int_equal(prepare_err(f, missing, why, sizeof why), RLX_ERR_AUDIO_FILE);
    assert_string_equal(why, "nope.wav: not found");
    free(missing);

    char junk[4000];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 7 + 3);
    char *g = rlx_test_write(f->tmp, "garbage.wav", junk, sizeof junk);
    rlx_err err = prepare_err(f, g, why, sizeof why);
    assert_true(err == RLX_ERR_AUDIO_FILE);
    assert_non_null(strstr(why, "garbage.wav"));
    free(g);

    char *m = rlx_test_write(f->tmp, "x.mp4", junk, sizeof junk);
    assert_int_equal(prepare_err(f, m, why, sizeof why), RLX_ERR_AUDIO_FORMAT);
    assert_string_equal(why, "x.mp4: unsupported format (WAV, FLAC, Ogg Vorbis, Opus, MP3 are supported)");
    free(m);

    char *e = rlx_test_write(f->tmp, "empty.wav", "", 0);
    assert_int_equal(prepare_err(f, e, why, sizeof why), RLX_ERR_AUDIO_FILE);
    free(e);

    /* A valid header with no frames. */
    char *z = gen(f->tmp, "zero.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 2, 0, 0.5);
    assert_int_equal(prepare_err(f, z, why, sizeof why), RLX_ERR_AUDIO_FILE);
    assert_string_equal(why, "zero.wav: contains no audio");
    free(z);

    assert_int_equal(prepare_err(f, f->tmp, why, sizeof why), RLX_ERR_AUDIO_FILE);

    int64_t frames;
    int rate, ch;
    char *ok = gen(f->tmp, "probe.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 22050, 6, 1000, 0.5);
    assert_int_equal(rlx_audio_probe(ok, &frames, &rate, &ch, why, sizeof why), RLX_OK);
    assert_int_equal(frames, 1000);
    assert_int_equal(rate, 22050);
    assert_int_equal(ch, 6);
    free(ok);
}

/* Damaged MP3s make libmpg123 print notes unless told to be quiet; nothing
 * may reach stdout/stderr from the library. */
static void damaged_files_print_nothing(void **state)
{
    fixture *f = *state;
    SF_INFO probe = {.samplerate = 44100, .channels = 2,
                     .format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III};
    bool mp3 = sf_format_check(&probe);
    char *p = mp3 ? gen(f->tmp, "dmg.mp3", probe.format, 44100, 2, 44100 * 3, 0.5)
                  : gen(f->tmp, "dmg.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 2, 44100 * 3, 0.5);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    int fd = open(p, O_RDWR);
    unsigned char junk[512];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 97 + 13);
    assert_int_equal(pwrite(fd, junk, sizeof junk, st.st_size / 2), (ssize_t)sizeof junk);
    close(fd);
    char *g = rlx_test_write(f->tmp, "junk.mp3", junk, sizeof junk);

    char out[4096];
    snprintf(out, sizeof out, "%s/out.txt", f->tmp);
    fflush(stdout);
    fflush(stderr);
    int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int s1 = dup(1), s2 = dup(2);
    dup2(o, 1);
    dup2(o, 2);
    char why[256];
    rlx_err e1 = prepare_err(f, p, why, sizeof why);
    rlx_err e2 = prepare_err(f, g, why, sizeof why);
    fflush(stdout);
    fflush(stderr);
    dup2(s1, 1);
    dup2(s2, 2);
    close(s1);
    close(s2);
    close(o);
    assert_int_equal(stat(out, &st), 0);
    if (st.st_size != 0)
        fail_msg("%lld bytes printed", (long long)st.st_size);
    assert_true(e1 == RLX_OK || e1 == RLX_ERR_AUDIO_FILE);
    assert_true(e2 != RLX_OK);
    free(p);
    free(g);
}

/* ---- the cache ---------------------------------------------------------------------- */

static void warm_cache_does_not_decode(void **state)
{
    fixture *f = *state;
    char *p = gen(f->tmp, "w.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 2, 44100, 0.5);
    rlx_clip_info a, b, c;
    unsigned long n0 = rlx_decoder_open_count();
    prepare_ok(f, p, 48000, &a);
    assert_int_equal(rlx_decoder_open_count(), n0 + 1);
    prepare_ok(f, p, 48000, &b);
    assert_int_equal(rlx_decoder_open_count(), n0 + 1);
    assert_string_equal(a.cached_path, b.cached_path);
    assert_int_equal(a.frames, b.frames);
    assert_true(a.loudness_lufs == b.loudness_lufs);
    /* Touching the file makes the stat index stale: hashed again, same key. */
    struct timespec ts[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
    assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
    prepare_ok(f, p, 48000, &c);
    assert_int_equal(rlx_decoder_open_count(), n0 + 1);
    assert_string_equal(a.cached_path, c.cached_path);
    rlx_clip_info_free(&c);
    /* Another rate is another entry. */
    prepare_ok(f, p, 44100, &c);
    assert_int_equal(rlx_decoder_open_count(), n0 + 2);
    assert_string_not_equal(a.cached_path, c.cached_path);
    rlx_clip_info_free(&a);
    rlx_clip_info_free(&b);
    rlx_clip_info_free(&c);
    free(p);
}


/* A file rewritten in place with the same size, its mtime set back (as
 * `touch -d` or a careless copy tool does): the new audio is used, because
 * the stat index keys on ctime too, which cannot be set back. */
static void rewrite_in_place_with_old_mtime(void **state)
{
    fixture *f = *state;
    char *p = gen(f->tmp, "r.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 1, 48000, 0.5);
    char *q = gen(f->tmp, "q.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 1, 48000, 0.1);
    struct stat st0, stq;
    assert_int_equal(stat(p, &st0), 0);
    assert_int_equal(stat(q, &stq), 0);
    assert_int_equal(st0.st_size, stq.st_size);
    rlx_clip_info a, b;
    prepare_ok(f, p, 48000, &a);
    /* rewrite p's bytes in place (same inode, same size) with q's */
    FILE *in = fopen(q, "rb"), *out = fopen(p, "r+b");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
    struct timespec ts[2] = {st0.st_atim, st0.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
    struct stat st1;
    assert_int_equal(stat(p, &st1), 0);
    assert_int_equal(st1.st_ino, st0.st_ino);
    assert_int_equal(st1.st_size, st0.st_size);
    assert_int_equal(st1.st_mtim.tv_nsec, st0.st_mtim.tv_nsec);
    prepare_ok(f, p, 48000, &b);
    assert_string_not_equal(a.cached_path, b.cached_path);
    assert_true(b.peak < 0.2 && a.peak > 0.4);
    rlx_clip_info_free(&a);
    rlx_clip_info_free(&b);
    free(p);
    free(q);
}

static void flip_bytes(const char *path, off_t at, size_t n)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    unsigned char buf[64];
    assert_true(n <= sizeof buf);
    assert_int_equal(pread(fd, buf, n, at), (ssize_t)n);
    for (size_t i = 0; i < n; i++)
        buf[i] ^= 0x5a;
    assert_int_equal(pwrite(fd, buf, n, at), (ssize_t)n);
    close(fd);
}

static void damaged_entries_are_rebuilt(void **state)
{
    fixture *f = *state;
    char *p = gen(f->tmp, "d.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 1, 44100, 0.5);
    rlx_clip_info first;
    prepare_ok(f, p, 48000, &first);
    int64_t n1;
    float *s1 = read_clip(&first, &n1);
    char *meta = malloc(strlen(first.cached_path) + 2);
    strcpy(meta, first.cached_path);
    strcpy(meta + strlen(meta) - 3, "meta");
    struct stat st;
    assert_int_equal(stat(first.cached_path, &st), 0);

    for (int damage = 0; damage < 5; damage++) {
        switch (damage) {
        case 0: flip_bytes(first.cached_path, st.st_size / 2, 16); break;   /* samples */
        case 1: truncate_to(first.cached_path, 0.7); break;                   /* short WAV */
        case 2: unlink(first.cached_path); break;                             /* missing WAV */
        case 3: flip_bytes(meta, 30, 1); break;                               /* bad sidecar */
        case 4: unlink(meta); break;                                          /* no sidecar */
        }
        unsigned long n0 = rlx_decoder_open_count();
        rlx_clip_info again;
        prepare_ok(f, p, 48000, &again);
        if (rlx_decoder_open_count() != n0 + 1)
            fail_msg("damage %d was not rebuilt", damage);
        assert_string_equal(again.cached_path, first.cached_path);
        assert_int_equal(again.frames, first.frames);
        assert_true(again.loudness_lufs == first.loudness_lufs);
        int64_t n2;
        float *s2 = read_clip(&again, &n2);
        assert_int_equal(n2, n1);
        assert_memory_equal(s1, s2, sizeof(float) * 2 * (size_t)n1);
        free(s2);
        rlx_clip_info_free(&again);
    }
    free(s1);
    free(meta);
    rlx_clip_info_free(&first);
    free(p);
}

/* Several threads preparing the same file and the same line on a cold cache
 * all succeed and agree; the entry left behind is sound. */
typedef struct {
    rlx_cache *cache;
    const char *path;
    rlx_err err;
    rlx_clip_info info;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    char why[256];
    j->err = rlx_clip_prepare_file(j->cache, j->path, 48000, &j->info, why, sizeof why);
    return NULL;
}

static void concurrent_preparation(void **state)
{
    fixture *f = *state;
    char *p = gen(f->tmp, "c.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 44100, 2, 44100 * 2, 0.5);
    enum { N = 4 };
    job jobs[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        jobs[i] = (job){.cache = f->cache, .path = p};
        assert_int_equal(pthread_create(&th[i], NULL, run_job, &jobs[i]), 0);
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].err, RLX_OK);
        assert_string_equal(jobs[i].info.cached_path, jobs[0].info.cached_path);
        assert_int_equal(jobs[i].info.frames, jobs[0].info.frames);
    }
    for (int i = 0; i < N; i++)
        rlx_clip_info_free(&jobs[i].info);
    unsigned long n0 = rlx_decoder_open_count();
    rlx_clip_info again;
    prepare_ok(f, p, 48000, &again);
    assert_int_equal(rlx_decoder_open_count(), n0);  /* the entry is valid */
    rlx_clip_info_free(&again);
    /* No temporary files left. */
    char clips[4096];
    snprintf(clips, sizeof clips, "%s/clips", rlx_cache_dir(f->cache));
    DIR *d = opendir(clips);
    for (struct dirent *e; (e = readdir(d));)
        assert_null(strstr(e->d_name, ".tmp."));
    closedir(d);
    free(p);
}

/* When the cache cannot be written, preparing fails with an error value. */
static void unwritable_cache(void **state)
{
    fixture *f = *state;
    char *p = gen(f->tmp, "u.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 2, 4800, 0.5);
    char clips[4096];
    snprintf(clips, sizeof clips, "%s/clips", rlx_cache_dir(f->cache));
    rlx_test_rmtree(clips);
    char *blocker = rlx_test_write(rlx_cache_dir(f->cache), "clips", "x", 1);
    char why[256] = "";
    rlx_err err = prepare_err(f, p, why, sizeof why);
    assert_int_equal(err, RLX_ERR_IO);
    assert_non_null(strstr(why, "cache"));
    free(blocker);
    free(p);
}

/* A full disk: RLX_ERR_DISK_FULL, no temporary left, nothing half-written
 * under an entry's name. Needs root to mount a 64 KiB tmpfs; skipped otherwise. */
static void disk_full(void **state)
{
    fixture *f = *state;
    char *p = gen(f->tmp, "big.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, 44100 * 3, 0.5);
    char small[4096];
    snprintf(small, sizeof small, "%s/small", f->tmp);
    assert_int_equal(mkdir(small, 0700), 0);
    if (mount("tmpfs", small, "tmpfs", 0, "size=64k") != 0) {
        print_message("skipping disk_full: cannot mount a small tmpfs here (not root?)\n");
        free(p);
        skip();
    }
    char cdir[4200];
    snprintf(cdir, sizeof cdir, "%s/cache", small);
    rlx_cache *c;
    rlx_err err = rlx_cache_open(cdir, &c, NULL, 0);
    rlx_clip_info info;
    char why[256] = "";
    rlx_err perr = err ? err : rlx_clip_prepare_file(c, p, 48000, &info, why, sizeof why);
    int left = 0;
    char clips[4300];
    snprintf(clips, sizeof clips, "%s/clips", cdir);
    DIR *d = opendir(clips);
    for (struct dirent *e; d && (e = readdir(d));)
        left += e->d_name[0] != '.';
    if (d)
        closedir(d);
    rlx_cache_close(c);
    assert_int_equal(umount(small), 0);
    assert_int_equal(err, RLX_OK);
    assert_int_equal(perr, RLX_ERR_DISK_FULL);
    assert_non_null(strstr(why, "No space left"));
    assert_int_equal(left, 0);
    free(p);
}

/* Copies src to dst byte for byte (a new inode, new times). */
static void copy_file(const char *src, const char *dst)
{
    FILE *a = fopen(src, "rb"), *b = fopen(dst, "wb");
    assert_non_null(a);
    assert_non_null(b);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, a)) > 0)
        assert_int_equal(fwrite(buf, 1, n, b), n);
    fclose(a);
    assert_int_equal(fclose(b), 0);
}

/* A cached WAV is checked in full until its stat stamp has been recorded
 * (once its ctime is safely in the past); from then on the sidecar suffices
 * while the stamp is unchanged, and any write to the WAV brings the full
 * check back. */
static void full_check_until_stamped(void **state)
{
    fixture *f = *state;
    char *p = gen(f->tmp, "s.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, 44100, 0.5);
    rlx_clip_info a, b;
    prepare_ok(f, p, 48000, &a);
    int64_t n1;
    float *s1 = read_clip(&a, &n1);
    /* Let the entry's ctime fall 150 ms behind the clock (time passing, not
     * synchronisation: the stamp is only trusted for files older than that). */
    struct timespec pause = {.tv_nsec = 150000000};
    nanosleep(&pause, NULL);
    unsigned long c0 = rlx_cache_full_checks(), d0 = rlx_decoder_open_count();
    prepare_ok(f, p, 48000, &b);          /* checked in full, stamp recorded */
    rlx_clip_info_free(&b);
    assert_int_equal(rlx_cache_full_checks(), c0 + 1);
    prepare_ok(f, p, 48000, &b);          /* trusted */
    rlx_clip_info_free(&b);
    prepare_ok(f, p, 48000, &b);
    rlx_clip_info_free(&b);
    assert_int_equal(rlx_cache_full_checks(), c0 + 1);
    assert_int_equal(rlx_decoder_open_count(), d0);

    /* A copy (new inode and times, same bytes) passes the full check. */
    char *tmp = malloc(strlen(a.cached_path) + 8);
    sprintf(tmp, "%s.copy", a.cached_path);
    copy_file(a.cached_path, tmp);
    assert_int_equal(rename(tmp, a.cached_path), 0);
    free(tmp);
    prepare_ok(f, p, 48000, &b);
    rlx_clip_info_free(&b);
    assert_int_equal(rlx_cache_full_checks(), c0 + 2);
    assert_int_equal(rlx_decoder_open_count(), d0);

    /* Altered samples, same size: found and rebuilt. */
    nanosleep(&pause, NULL);
    prepare_ok(f, p, 48000, &b);  /* re-stamps the copy */
    rlx_clip_info_free(&b);
    struct stat st;
    assert_int_equal(stat(a.cached_path, &st), 0);
    flip_bytes(a.cached_path, st.st_size - 100, 8);
    prepare_ok(f, p, 48000, &b);
    assert_int_equal(rlx_decoder_open_count(), d0 + 1);
    int64_t n2;
    float *s2 = read_clip(&b, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(s1, s2, sizeof(float) * 2 * (size_t)n1);
    free(s1);
    free(s2);
    rlx_clip_info_free(&b);
    rlx_clip_info_free(&a);
    free(p);
}

/* ---- the reader ------------------------------------------------------------------------ */

/* The reader reads cache entries raw, some frames ahead: across several
 * of its windows, with seeks back and forth, it gives exactly what
 * libsndfile reads from the entry; an entry that shrinks under an open
 * reader is an error, not garbage. */
static void reader_reads_ahead_and_sees_a_shrunk_entry(void **state)
{
    fixture *f = *state;
    const int64_t N = 50000;   /* three of the reader's read-ahead windows */
    char *p = gen(f->tmp, "ahead.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 2, N, 0.5);
    rlx_clip_info info;
    prepare_ok(f, p, 48000, &info);
    SF_INFO si = {0};
    SNDFILE *sf = sf_open(info.cached_path, SFM_READ, &si);
    assert_non_null(sf);
    assert_int_equal(si.frames, N);
    float *ref = malloc(sizeof(float) * 2 * (size_t)N);
    assert_int_equal(sf_readf_float(sf, ref, N), N);
    sf_close(sf);
    int64_t n;
    float *all = read_clip(&info, &n);   /* 1000-frame blocks */
    assert_int_equal(n, N);
    assert_memory_equal(all, ref, sizeof(float) * 2 * (size_t)N);
    rlx_clip_reader *r;
    assert_int_equal(rlx_clip_reader_open(&info, &r), RLX_OK);
    float buf[2 * 3000];
    size_t got;
    const int64_t at[] = {40000, 100, 16380, 16384, 33000, 49999, 0};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        assert_int_equal(rlx_clip_reader_seek(r, at[i]), RLX_OK);
        assert_int_equal(rlx_clip_reader_read(r, buf, 3000, &got), RLX_OK);
        assert_int_equal((int64_t)got, N - at[i] < 3000 ? N - at[i] : 3000);
        assert_memory_equal(buf, ref + 2 * at[i], sizeof(float) * 2 * got);
    }
    /* shrunk under the open reader: reading on fails */
    assert_int_equal(truncate(info.cached_path, 4096), 0);
    assert_int_equal(rlx_clip_reader_seek(r, 30000), RLX_OK);
    assert_int_equal(rlx_clip_reader_read(r, buf, 3000, &got), RLX_ERR_AUDIO_FILE);
    rlx_clip_reader_close(r);
    free(all);
    free(ref);
    rlx_clip_info_free(&info);
    free(p);
}

static void reader_seeks_and_stops_at_the_end(void **state)
{
    fixture *f = *state;
    char *p = gen(f->tmp, "seek.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 1, 10000, 0.5);
    rlx_clip_info info;
    prepare_ok(f, p, 48000, &info);
    int64_t n;
    float *all = read_clip(&info, &n);
    assert_int_equal(n, 10000);
    rlx_clip_reader *r;
    assert_int_equal(rlx_clip_reader_open(&info, &r), RLX_OK);
    float buf[2 * 5000];
    size_t got;
    assert_int_equal(rlx_clip_reader_seek(r, 7000), RLX_OK);
    assert_int_equal(rlx_clip_reader_read(r, buf, 5000, &got), RLX_OK);
    assert_int_equal(got, 3000);
    assert_memory_equal(buf, all + 2 * 7000, sizeof(float) * 2 * 3000);
    assert_int_equal(rlx_clip_reader_read(r, buf, 5000, &got), RLX_OK);
    assert_int_equal(got, 0);
    assert_int_equal(rlx_clip_reader_seek(r, 123), RLX_OK);
    assert_int_equal(rlx_clip_reader_read(r, buf, 10, &got), RLX_OK);
    assert_int_equal(got, 10);
    assert_memory_equal(buf, all + 2 * 123, sizeof(float) * 20);
    assert_int_equal(rlx_clip_reader_seek(r, 20000), RLX_OK);  /* clamped to the end */
    assert_int_equal(rlx_clip_reader_read(r, buf, 10, &got), RLX_OK);
    assert_int_equal(got, 0);
    assert_int_equal(rlx_clip_reader_seek(r, -1), RLX_ERR_USAGE);
    rlx_clip_reader_close(r);
    rlx_clip_reader_close(NULL);
    rlx_clip_info_free(NULL);
    free(all);
    rlx_clip_info_free(&info);
    free(p);
}

/* After open, the reader never allocates (it runs in the render path). The
 * allocator is replaced in this executable to count calls (not under ASan,
 * which owns malloc). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define RLX_SANITIZED 1
#endif
#endif
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && !defined(RLX_SANITIZED) && \
    defined(__GLIBC__)
#define RLX_COUNT_MALLOC 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static volatile int counting;
static volatile unsigned long allocations;
void *malloc(size_t n)
{
    if (counting)
        allocations++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    if (counting)
        allocations++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    if (counting)
        allocations++;
    return __libc_realloc(p, n);
}
#endif

static void reader_does_not_allocate(void **state)
{
#ifdef RLX_COUNT_MALLOC
    fixture *f = *state;
    /* The counter itself works. */
    counting = 1;
    allocations = 0;
    void *volatile probe = malloc(16);
    counting = 0;
    free(probe);
    assert_int_equal(allocations, 1);
    int chans[] = {1, 2};
    for (int k = 0; k < 2; k++) {
        char name[32];
        snprintf(name, sizeof name, "alloc%d.wav", chans[k]);
        char *p = gen(f->tmp, name, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, chans[k], 44100, 0.5);
        rlx_clip_info info;
        prepare_ok(f, p, 48000, &info);
        rlx_clip_reader *r;
        assert_int_equal(rlx_clip_reader_open(&info, &r), RLX_OK);
        static float buf[2 * 4096];
        size_t got, total = 0;
        counting = 1;
        allocations = 0;
        rlx_err e1 = rlx_clip_reader_seek(r, 1000);
        do {
            if (rlx_clip_reader_read(r, buf, 4096, &got) != RLX_OK)
                break;
            total += got;
        } while (got == 4096);
        rlx_err e2 = rlx_clip_reader_seek(r, 0);
        rlx_err e3 = rlx_clip_reader_read(r, buf, 3000, &got);
        counting = 0;
        assert_int_equal(e1, RLX_OK);
        assert_int_equal(e2, RLX_OK);
        assert_int_equal(e3, RLX_OK);
        assert_int_equal(total, info.frames - 1000);
        assert_int_equal(allocations, 0);
        rlx_clip_reader_close(r);
        rlx_clip_info_free(&info);
        free(p);
    }
#else
    (void)state;
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_format_rate_and_layout, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(opus_and_mp3, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(pass_through_is_bit_exact, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(resampling_matches_libsamplerate, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(float_extremes, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(loudness_of_a_known_sine, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(silence_is_minus_70, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(six_channels_mix_down_to_stereo, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(truncated_files_fail, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(missing_garbage_and_unsupported, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(damaged_files_print_nothing, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(warm_cache_does_not_decode, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(rewrite_in_place_with_old_mtime, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(damaged_entries_are_rebuilt, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(full_check_until_stamped, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(reader_seeks_and_stops_at_the_end, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(reader_reads_ahead_and_sees_a_shrunk_entry, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(concurrent_preparation, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(reader_does_not_allocate, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(unwritable_cache, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(disk_full, rlx_test_cache_setup, rlx_test_cache_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
