/* test_take.c - the take DSP (trim, fades, levelling, spoken-word checks),
 * the stable recording names and the atomic FLAC save. */
#include "rlx_test.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

#include "audio/take.h"
#include "session/recording.h"
#include "store/take_file.h"

#define RATE 48000

static uint32_t lcg = 12345;
static float noise(double rms)
{
    lcg = lcg * 1664525u + 1013904223u;
    /* uniform in [-1, 1) has RMS 1/sqrt(3) */
    return (float)(((double)(lcg >> 8) / 8388608.0 - 1.0) * rms * sqrt(3.0));
}

/* 1 s room tone, 2 s "speech" (a 220 Hz tone swelling like a phrase), 1 s room tone. */
static float *make_take(size_t *n, double room_db, double speech_amp)
{
    *n = 4 * RATE;
    float *x = malloc(*n * sizeof *x);
    double room = pow(10.0, room_db / 20.0);
    lcg = 12345;
    for (size_t i = 0; i < *n; i++) {
        x[i] = noise(room);
        if (i >= RATE && i < 3 * RATE)
            x[i] += (float)(speech_amp * sin(2 * M_PI * 220.0 * (double)i / RATE));
    }
    return x;
}

static void test_bounds_keep_margin(void **state)
{
    (void)state;
    size_t n, s, e;
    float *x = make_take(&n, -70, 0.1);
    assert_true(rlx_take_speech_bounds(x, n, RATE, 250, &s, &e));
    size_t win = RATE / 100;   /* 10 ms */
    assert_true(s + win >= RATE - RATE / 4 && s <= RATE - RATE / 4);
    assert_true(e >= 3 * RATE + RATE / 4 && e <= 3 * RATE + RATE / 4 + win);
    free(x);
}

static void test_fade_is_raised_cosine(void **state)
{
    (void)state;
    float x[1000];
    for (int i = 0; i < 1000; i++)
        x[i] = 1.0f;
    rlx_take_fade_edges(x, 1000, 100);
    assert_float_equal(x[0], 0.0f, 1e-7);
    assert_float_equal(x[999], 0.0f, 1e-7);
    for (int i = 0; i < 100; i++) {
        double g = 0.5 - 0.5 * cos(M_PI * i / 100.0);
        assert_float_equal(x[i], g, 1e-6);
        assert_float_equal(x[999 - i], g, 1e-6);
    }
    for (int i = 100; i < 900; i++)
        assert_float_equal(x[i], 1.0f, 0);
    /* shorter than two fades: halves meet in the middle */
    float y[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    rlx_take_fade_edges(y, 10, 100);
    assert_float_equal(y[0], 0.0f, 1e-7);
    assert_float_equal(y[4], y[5], 1e-7);
}

static void test_process_levels_and_trims(void **state)
{
    (void)state;
    size_t n;
    float *x = make_take(&n, -70, 0.1);
    rlx_take_config cfg = rlx_take_config_init();
    rlx_take_result r;
    assert_int_equal(rlx_take_process(x, n, RATE, &cfg, &r), RLX_OK);
    assert_non_null(r.samples);
    assert_true(rlx_take_ok(&r));
    assert_float_equal(r.out.lufs, -18.0, 0.1);
    assert_true(r.out.peak_db <= RLX_TAKE_PEAK_MAX_DB + 1e-6);
    /* 2 s of speech + 2 margins of 250 ms, within a 10 ms window */
    assert_true(r.frames >= 2 * RATE + RATE / 2 && r.frames <= 2 * RATE + RATE / 2 + RATE / 100);
    /* inside the fades the take is the raw audio times one gain, sample by sample */
    float g = (float)pow(10.0, r.gain_db / 20.0);
    size_t fade = RATE / 100;
    for (size_t i = fade; i + fade < r.frames; i++)
        assert_float_equal(r.samples[i], x[r.trim_start + i] * g, 1e-6);
    /* click-free edges: silent ends, no step larger than the signal's own slope */
    assert_float_equal(r.samples[0], 0.0f, 1e-7);
    assert_float_equal(r.samples[r.frames - 1], 0.0f, 1e-7);
    char buf[256];
    assert_string_equal(rlx_take_verdict(&r, RATE, buf, sizeof buf), "sounds good");
    rlx_take_result_free(&r);
    free(x);
}

static void test_silence_is_no_signal(void **state)
{
    (void)state;
    float *x = calloc(RATE * 2, sizeof *x);
    rlx_take_result r;
    assert_int_equal(rlx_take_process(x, RATE * 2, RATE, NULL, &r), RLX_OK);
    assert_null(r.samples);
    assert_true(r.flags & RLX_TAKE_NO_SIGNAL);
    assert_false(rlx_take_ok(&r));
    char buf[256];
    assert_non_null(strstr(rlx_take_verdict(&r, RATE, buf, sizeof buf), "no signal"));
    free(x);
}

static void test_clipped_says_when(void **state)
{
    (void)state;
    size_t n;
    float *x = make_take(&n, -70, 0.1);
    x[RATE + RATE / 2] = 1.0f;  /* 0:01 */
    rlx_take_result r;
    assert_int_equal(rlx_take_process(x, n, RATE, NULL, &r), RLX_OK);
    assert_true(r.flags & RLX_TAKE_CLIPPED);
    assert_false(rlx_take_ok(&r));
    char buf[256];
    assert_non_null(strstr(rlx_take_verdict(&r, RATE, buf, sizeof buf), "clipped at 0:01"));
    rlx_take_result_free(&r);
    free(x);
}

static void test_quiet_and_noisy(void **state)
{
    (void)state;
    size_t n;
    char buf[256];
    rlx_take_result r;
    float *x = make_take(&n, -90, 0.01);   /* peak -40 dBFS: far from the microphone */
    assert_int_equal(rlx_take_process(x, n, RATE, NULL, &r), RLX_OK);
    assert_true(r.flags & RLX_TAKE_TOO_QUIET);
    assert_non_null(strstr(rlx_take_verdict(&r, RATE, buf, sizeof buf), "too quiet: move closer"));
    rlx_take_result_free(&r);
    free(x);
    x = make_take(&n, -45, 0.1);            /* a fan at -45 dBFS under the voice */
    assert_int_equal(rlx_take_process(x, n, RATE, NULL, &r), RLX_OK);
    assert_true(r.flags & RLX_TAKE_NOISY);
    assert_false(r.flags & RLX_TAKE_TOO_QUIET);
    assert_non_null(strstr(rlx_take_verdict(&r, RATE, buf, sizeof buf),
                           "background noise is high: a fan?"));
    rlx_take_result_free(&r);
    free(x);
}

static void test_peak_cap(void **state)
{
    (void)state;
    size_t n;
    float *x = make_take(&n, -90, 0.1);
    rlx_take_config cfg = rlx_take_config_init();
    cfg.target_lufs = -1;   /* a sine there would peak near +2 dBFS */
    rlx_take_result r;
    assert_int_equal(rlx_take_process(x, n, RATE, &cfg, &r), RLX_OK);
    assert_true(r.flags & RLX_TAKE_PEAK_CAPPED);
    assert_true(rlx_take_ok(&r));
    assert_float_equal(r.out.peak_db, RLX_TAKE_PEAK_MAX_DB, 0.01);
    rlx_take_result_free(&r);
    free(x);
}

static void test_names_follow_words(void **state)
{
    (void)state;
    char a[32], b[32];
    rlx_recording_name("Let your  shoulders\tsoften.", a, sizeof a);
    rlx_recording_name("  Let your shoulders soften. ", b, sizeof b);
    assert_string_equal(a, b);
    assert_int_equal(strlen(a), strlen("say-0123456789ab.flac"));
    assert_memory_equal(a, "say-", 4);
    rlx_recording_name("Let your shoulders soften now.", b, sizeof b);
    assert_string_not_equal(a, b);
    assert_float_equal(rlx_recording_similarity("Let your shoulders soften.",
                                                "Let your shoulders soften now."), 0.8, 1e-9);
    assert_float_equal(rlx_recording_similarity("a b", ""), 0.0, 0);
    rlx_session s = {.dir = "/x/y", .id = "week-01"};
    char p[256];
    rlx_recording_path(&s, "Hello.", p, sizeof p);
    rlx_recording_name("Hello.", a, sizeof a);
    char want[256];
    snprintf(want, sizeof want, "/x/y/recordings/week-01/%s", a);
    assert_string_equal(p, want);
    rlx_session none = {.dir = "/x"};
    assert_null(rlx_recording_path(&none, "Hello.", p, sizeof p));
}

static void test_save_is_atomic_and_tagged(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char path[512], why[512], text[256];
    snprintf(path, sizeof path, "%s/recordings/s1/say-000000000001.flac", dir);
    float x[4800];
    for (int i = 0; i < 4800; i++)
        x[i] = 0.5f * (float)sin(i * 0.05);
    assert_int_equal(rlx_take_save(path, x, 4800, RATE, "Breathe out slowly.", why, sizeof why), RLX_OK);
    assert_int_equal(rlx_take_text(path, text, sizeof text), RLX_OK);
    assert_string_equal(text, "Breathe out slowly.");
    /* nothing else in the folder: the temp file was renamed */
    char sub[512];
    snprintf(sub, sizeof sub, "%s/recordings/s1", dir);
    DIR *d = opendir(sub);
    assert_non_null(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")))
            files++;
    closedir(d);
    assert_int_equal(files, 1);
    /* a folder that cannot be created: an error naming the file, nothing written */
    snprintf(path, sizeof path, "%s/recordings/s1/say-000000000001.flac/x/y.flac", dir);
    assert_int_equal(rlx_take_save(path, x, 4800, RATE, "x", why, sizeof why), RLX_ERR_OUTPUT);
    assert_non_null(strstr(why, "y.flac"));
    rlx_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds_keep_margin),
        cmocka_unit_test(test_fade_is_raised_cosine),
        cmocka_unit_test(test_process_levels_and_trims),
        cmocka_unit_test(test_silence_is_no_signal),
        cmocka_unit_test(test_clipped_says_when),
        cmocka_unit_test(test_quiet_and_noisy),
        cmocka_unit_test(test_peak_cap),
        cmocka_unit_test(test_names_follow_words),
        cmocka_unit_test(test_save_is_atomic_and_tagged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
