/* test_dsp.c - smoothstep, ducking ramps, the lookahead limiter. */
#include "rlx_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/dsp.h"

#define RATE 48000

static void smoothstep_values(void **state)
{
    (void)state;
    assert_true(rlx_smoothstep(0.0) == 0.0);
    assert_true(rlx_smoothstep(1.0) == 1.0);
    assert_true(fabs(rlx_smoothstep(0.5) - 0.5) < 1e-15);
    assert_true(fabs(rlx_smoothstep(0.25) - (0.5 - 0.5 * cos(M_PI / 4))) < 1e-15);
    assert_true(rlx_smoothstep(-3.0) == 0.0);
    assert_true(rlx_smoothstep(7.0) == 1.0);
    assert_true(rlx_smoothstep(NAN) == 0.0);
    /* monotonic and symmetric */
    for (int i = 1; i <= 1000; i++) {
        double x = i / 1000.0;
        assert_true(rlx_smoothstep(x) >= rlx_smoothstep(x - 0.001));
        assert_true(fabs(rlx_smoothstep(x) + rlx_smoothstep(1.0 - x) - 1.0) < 1e-12);
    }
}

/* ---- ducking ------------------------------------------------------------ */

static const int64_t PRE = 300 * RATE / 1000, POST = 600 * RATE / 1000;

/* Independent reference: max over all spans of the per-span curve. */
static double ref_depth(const rlx_span *s, size_t n, int64_t t)
{
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double v = 0;
        if (t >= s[i].start - PRE && t < s[i].start)
            v = 0.5 - 0.5 * cos(M_PI * (double)(t - (s[i].start - PRE)) / PRE);
        else if (t >= s[i].start && t < s[i].end)
            v = 1;
        else if (t >= s[i].end && t < s[i].end + POST)
            v = 0.5 + 0.5 * cos(M_PI * (double)(t - s[i].end) / POST);
        if (v > d)
            d = v;
    }
    return d;
}

static const rlx_span SPANS[] = {
    {48000, 96000}, {120000, 130000}, {131000, 140000}, {300000, 400000}, {400000, 401000},
};
#define NSPANS (sizeof SPANS / sizeof SPANS[0])

static double duck(int64_t t, size_t *hint)
{
    return rlx_duck_depth(SPANS, NSPANS, t, PRE, POST, hint);
}

static void duck_ramp_timing(void **state)
{
    (void)state;
    /* pre ramp: starts 300 ms before the voice, full at its start */
    assert_true(duck(48000 - PRE - 1, NULL) == 0.0);
    assert_true(duck(48000 - PRE, NULL) == 0.0);
    assert_true(duck(48000 - PRE + 1, NULL) > 0.0);
    assert_true(fabs(duck(48000 - PRE / 2, NULL) - 0.5) < 1e-12);
    assert_true(duck(47999, NULL) < 1.0);
    assert_true(duck(47999, NULL) > 0.9999);
    assert_true(duck(48000, NULL) == 1.0);
    assert_true(duck(95999, NULL) == 1.0);
    /* post ramp: recovers over 600 ms after the end */
    assert_true(duck(96000, NULL) == 1.0);
    assert_true(duck(96001, NULL) < 1.0);
    assert_true(fabs(duck(96000 + POST / 4, NULL) - (0.5 + 0.5 * cos(M_PI / 4))) < 1e-12);
    /* the next span's pre ramp (from 105600) overlaps: the larger wins */
    int64_t t = 118000;
    double a = 0.5 + 0.5 * cos(M_PI * (t - 96000.0) / POST);
    double b = 0.5 - 0.5 * cos(M_PI * (t - 105600.0) / PRE);
    assert_true(b > a);
    assert_true(fabs(duck(t, NULL) - b) < 1e-12);
    t = 107000;
    a = 0.5 + 0.5 * cos(M_PI * (t - 96000.0) / POST);
    b = 0.5 - 0.5 * cos(M_PI * (t - 105600.0) / PRE);
    assert_true(a > b);
    assert_true(fabs(duck(t, NULL) - a) < 1e-12);
    /* short gap between two voices: stays fully ducked if ramps cross high */
    assert_true(duck(130500, NULL) > 0.9);
    /* after the last: 600 ms to zero */
    assert_true(duck(401000 + POST - 1, NULL) > 0.0);
    assert_true(duck(401000 + POST, NULL) == 0.0);
    assert_true(duck(10000000, NULL) == 0.0);
    assert_true(duck(-10000000, NULL) == 0.0);
    assert_true(rlx_duck_depth(NULL, 0, 5, PRE, POST, NULL) == 0.0);
}

static void duck_matches_reference_with_any_hint(void **state)
{
    (void)state;
    size_t hint = 0;
    double prev = 0;
    double worst = 0;
    for (int64_t t = 0; t < 460000; t++) {
        double v = duck(t, &hint);
        assert_true(fabs(v - ref_depth(SPANS, NSPANS, t)) < 1e-12);
        if (fabs(v - prev) > worst)
            worst = fabs(v - prev);
        prev = v;
        if (t % 101 == 0) {
            size_t bad = 999, mid = 2;
            assert_true(duck(t, &bad) == v);
            assert_true(duck(t, &mid) == v);
            assert_true(duck(t, NULL) == v);
        }
    }
    /* smooth: no step larger than the steepest (pre) ramp allows */
    assert_true(worst <= M_PI / 2 / PRE * 1.001);
    /* backwards sweep with a hint too */
    for (int64_t t = 460000; t >= 0; t -= 7)
        assert_true(fabs(duck(t, &hint) - ref_depth(SPANS, NSPANS, t)) < 1e-12);
}

static void duck_without_ramps_is_a_gate(void **state)
{
    (void)state;
    rlx_span s[] = {{100, 200}};
    assert_true(rlx_duck_depth(s, 1, 99, 0, 0, NULL) == 0.0);
    assert_true(rlx_duck_depth(s, 1, 100, 0, 0, NULL) == 1.0);
    assert_true(rlx_duck_depth(s, 1, 199, 0, 0, NULL) == 1.0);
    assert_true(rlx_duck_depth(s, 1, 200, 0, 0, NULL) == 0.0);
    assert_true(rlx_duck_depth(s, 1, 150, -5, -5, NULL) == 1.0);
    /* an empty span still ramps in and out around its instant */
    rlx_span e[] = {{1000, 1000}};
    assert_true(rlx_duck_depth(e, 1, 1000, 100, 100, NULL) == 1.0);
    assert_true(fabs(rlx_duck_depth(e, 1, 950, 100, 100, NULL) - 0.5) < 1e-12);
    assert_true(fabs(rlx_duck_depth(e, 1, 1050, 100, 100, NULL) - 0.5) < 1e-12);
}

/* ---- limiter ------------------------------------------------------------ */

#define SECS(x) ((size_t)((x) * RATE))

/* Quiet speech-like sine, then a +12 dBFS burst, then quiet again. */
static float *make_signal(size_t frames, size_t burst_from, size_t burst_to)
{
    float *x = malloc(frames * 2 * sizeof *x);
    assert_non_null(x);
    double quiet = pow(10.0, -20.0 / 20.0), loud = pow(10.0, 12.0 / 20.0);
    for (size_t i = 0; i < frames; i++) {
        double a = (i >= burst_from && i < burst_to) ? loud : quiet;
        x[2 * i] = (float)(a * sin(2 * M_PI * 440.0 * i / RATE));
        x[2 * i + 1] = (float)(a * 0.7 * sin(2 * M_PI * 97.0 * i / RATE + 1.0)
                               + (i == burst_from + 1000 ? a * 0.3 : 0.0));  /* lone spike */
    }
    return x;
}

static void limiter_init_and_errors(void **state)
{
    (void)state;
    rlx_limiter l;
    assert_int_equal(rlx_limiter_init(&l, RATE, 0, -1.0, 5.0, 100.0), -1);
    rlx_limiter_free(&l);   /* safe on a failed init */
    assert_int_equal(rlx_limiter_init(&l, 0, 2, -1.0, 5.0, 100.0), -1);
    rlx_limiter_free(NULL);
    assert_int_equal(rlx_limiter_init(&l, RATE, 2, -1.0, 5.0, 100.0), 0);
    assert_int_equal(rlx_limiter_latency(&l), 242);   /* 5 ms + 2 */
    assert_true(fabs(l.ceiling - pow(10.0, -1.0 / 20.0)) < 1e-6);
    rlx_limiter_free(&l);
    rlx_limiter_free(&l);   /* idempotent */
    assert_int_equal(rlx_limiter_init(&l, 44100, 1, -1.0, 0.0, 100.0), 0);
    assert_int_equal(rlx_limiter_latency(&l), 2);
    float one[8] = {0.5f, 2.0f, -3.0f, 0.1f, 0, 0, 0, 0};
    rlx_limiter_process(&l, one, 8);   /* zero lookahead still never exceeds */
    for (int i = 0; i < 8; i++)
        assert_true(fabsf(one[i]) <= l.ceiling);
    assert_true(fabsf(one[4]) > 0.5f);   /* the -3.0 came out, limited */
    rlx_limiter_free(&l);
}

static void quiet_signal_passes_bit_identical(void **state)
{
    (void)state;
    size_t n = SECS(2);
    float *x = make_signal(n, n, n);   /* no burst */
    float *y = malloc(n * 2 * sizeof *y);
    memcpy(y, x, n * 2 * sizeof *y);
    rlx_limiter l;
    assert_int_equal(rlx_limiter_init(&l, RATE, 2, -1.0, 5.0, 100.0), 0);
    size_t lat = rlx_limiter_latency(&l);
    for (size_t off = 0; off < n;) {
        size_t blk = 333 < n - off ? 333 : n - off;
        rlx_limiter_process(&l, y + 2 * off, blk);
        off += blk;
    }
    for (size_t i = 0; i < 2 * lat; i++)
        assert_true(y[i] == 0.0f);
    for (size_t i = lat; i < n; i++) {
        assert_true(y[2 * i] == x[2 * (i - lat)]);
        assert_true(y[2 * i + 1] == x[2 * (i - lat) + 1]);
    }
    assert_true(rlx_limiter_gain(&l) == 1.0);
    rlx_limiter_free(&l);
    free(x), free(y);
}

static void burst_never_exceeds_ceiling(void **state)
{
    (void)state;
    size_t n = SECS(5), b0 = SECS(1), b1 = SECS(1.5);
    float *x = make_signal(n, b0, b1);
    rlx_limiter l;
    assert_int_equal(rlx_limiter_init(&l, RATE, 2, -1.0, 5.0, 100.0), 0);
    size_t lat = rlx_limiter_latency(&l);
    const float ceil = (float)pow(10.0, -1.0 / 20.0);

    /* frame by frame, watching the gain */
    float *y = malloc(n * 2 * sizeof *y);
    memcpy(y, x, n * 2 * sizeof *y);
    double prev = 1.0, worst_step = 0.0, min_gain = 1.0;
    for (size_t i = 0; i < n; i++) {
        rlx_limiter_process(&l, y + 2 * i, 1);
        double g = rlx_limiter_gain(&l);
        if (fabs(g - prev) > worst_step)
            worst_step = fabs(g - prev);
        if (g < min_gain)
            min_gain = g;
        prev = g;
    }
    float peak = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        assert_true(fabsf(y[i]) <= ceil);
        if (fabsf(y[i]) > peak)
            peak = fabsf(y[i]);
    }
    /* it limits, not squashes: the burst comes out near the ceiling */
    assert_true(peak > 0.98f * ceil);
    assert_true(min_gain < 0.23 && min_gain > 0.2);
    /* no clicks: the gain moves at most 1/window per frame */
    const double window = 241;   /* 5 ms + 1 */
    assert_true(worst_step <= 1.0 / window + 1e-12);
    assert_true(worst_step > 0.1 / window);
    /* before the burst's lookahead window: untouched */
    for (size_t i = lat; i < b0 - 2; i++)
        assert_true(y[2 * i] == x[2 * (i - lat)]);
    /* released: the last second is bit-identical again */
    for (size_t i = SECS(4); i < n; i++)
        assert_true(y[2 * i + 1] == x[2 * (i - lat) + 1]);

    /* block-size independence: fixed and irregular splits give the same bits */
    size_t sizes[] = {512, 1, 7, 4096, 240, 241};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        rlx_limiter_reset(&l);
        float *z = malloc(n * 2 * sizeof *z);
        memcpy(z, x, n * 2 * sizeof *z);
        size_t off = 0, step = sizes[k];
        unsigned seed = 1;
        while (off < n) {
            size_t blk = step;
            if (k == 1) {   /* irregular */
                seed = seed * 1103515245u + 12345u;
                blk = 1 + (seed >> 16) % 1000;
            }
            if (blk > n - off)
                blk = n - off;
            rlx_limiter_process(&l, z + 2 * off, blk);
            off += blk;
        }
        assert_memory_equal(z, y, n * 2 * sizeof *z);
        free(z);
    }
    rlx_limiter_free(&l);
    free(x), free(y);
}

static void non_finite_input_is_silenced(void **state)
{
    (void)state;
    rlx_limiter l;
    assert_int_equal(rlx_limiter_init(&l, RATE, 2, -1.0, 1.0, 50.0), 0);
    size_t lat = rlx_limiter_latency(&l);
    float buf[2 * 200];
    for (int i = 0; i < 400; i++)
        buf[i] = 0.25f;
    buf[10] = NAN;
    buf[11] = INFINITY;
    rlx_limiter_process(&l, buf, 200);
    for (int i = 0; i < 400; i++)
        assert_true(isfinite(buf[i]) && fabsf(buf[i]) <= l.ceiling);
    assert_true(buf[2 * (5 + lat)] == 0.0f);
    assert_true(rlx_limiter_gain(&l) == 1.0);
    rlx_limiter_free(&l);
}

/* A quarter-rate sine at 45 degrees: samples at 0.707 of its true peak. */
static void intersample_peaks_are_caught(void **state)
{
    (void)state;
    size_t n = SECS(1);
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(1.2 * sin(M_PI / 2 * (double)i + M_PI / 4));
    rlx_limiter l;
    assert_int_equal(rlx_limiter_init(&l, RATE, 1, -1.0, 5.0, 100.0), 0);
    rlx_limiter_process(&l, x, n);
    /* every sample is below the ceiling, yet the waveform between them is
     * not: the limiter turns it down so the cubic midpoint fits */
    assert_true(1.2 * sqrt(0.5) < l.ceiling);
    double worst = 0;
    for (size_t i = SECS(0.5); i + 3 < n; i++) {
        double m = fabs((9.0 * ((double)x[i + 1] + x[i + 2]) - ((double)x[i] + x[i + 3])) / 16.0);
        if (m > worst)
            worst = m;
    }
    assert_true(worst <= l.ceiling * 1.00001);
    assert_true(worst > l.ceiling * 0.99);
    rlx_limiter_free(&l);
    free(x);
}

/* The quiet path (block copies while nothing can need limiting) gives the
 * same bits as the per-frame path, which calls of 1 frame always take:
 * quiet, near the quiet threshold, a burst and its release, non-finite
 * samples, a sample right at the ceiling, silence, mono and stereo. */
static void quiet_path_matches_frame_by_frame(void **state)
{
    (void)state;
    for (int ch = 1; ch <= 2; ch++) {
        size_t n = SECS(5);   /* ends with 3 s of near silence: the gain settles */
        float *x = malloc(n * (size_t)ch * sizeof *x);
        assert_non_null(x);
        for (size_t i = 0; i < n; i++) {
            double a = i < SECS(0.5) ? 0.1 : i < SECS(1) ? 0.712 : i < SECS(1.2) ? 2.0
                     : i < SECS(2) ? 0.05 : 0.0;
            for (int c = 0; c < ch; c++)
                x[i * (size_t)ch + (size_t)c] = (float)(a * sin(2 * M_PI * (220.0 + 31 * c) * i / RATE));
        }
        x[SECS(0.25) * (size_t)ch] = NAN;
        x[SECS(1.5) * (size_t)ch] = INFINITY;
        x[SECS(1.6) * (size_t)ch + (size_t)ch - 1] = -INFINITY;
        x[SECS(1.7) * (size_t)ch] = (float)pow(10.0, -1.0 / 20.0);
        x[SECS(2.5) * (size_t)ch] = -0.0f;
        /* overs just before a block boundary, when the analysis (2 frames
         * behind) has not seen them yet */
        x[(10 * 1024 - 1) * (size_t)ch] = 1.5f;
        x[(20 * 1024 - 2) * (size_t)ch] = -1.5f;
        x[(30 * 1024 - 3) * (size_t)ch] = 1.5f;
        static const size_t blocks[] = {1, 1024, 257, 16, 17, 4096};
        float *ref = NULL;
        for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
            float *y = malloc(n * (size_t)ch * sizeof *y);
            assert_non_null(y);
            memcpy(y, x, n * (size_t)ch * sizeof *y);
            rlx_limiter l;
            /* a short release, so the gain settles between the events */
            assert_int_equal(rlx_limiter_init(&l, RATE, ch, -1.0, 5.0, 5.0), 0);
            double min_gain = 1.0;
            for (size_t off = 0; off < n;) {
                size_t blk = blocks[b] < n - off ? blocks[b] : n - off;
                rlx_limiter_process(&l, y + off * (size_t)ch, blk);
                if (rlx_limiter_gain(&l) < min_gain)
                    min_gain = rlx_limiter_gain(&l);
                off += blk;
            }
            assert_true(min_gain < 0.6);   /* the burst was limited */
            assert_true(rlx_limiter_gain(&l) == 1.0);
            rlx_limiter_free(&l);
            if (!ref) {
                ref = y;
                continue;
            }
            assert_memory_equal(ref, y, n * (size_t)ch * sizeof *y);
            free(y);
        }
        free(ref);
        free(x);
    }
}

static void limiter_benchmark(void **state)
{
    (void)state;
    size_t n = SECS(60);
    float *x = make_signal(n, SECS(10), SECS(20));
    rlx_limiter l;
    assert_int_equal(rlx_limiter_init(&l, RATE, 2, -1.0, 5.0, 100.0), 0);
    struct timespec a, b;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);   /* CPU time, not wall */
    for (size_t off = 0; off < n; off += 1024)
        rlx_limiter_process(&l, x + 2 * off, 1024 < n - off ? 1024 : n - off);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    double dt = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
    print_message("limiter: 60 s stereo at 48 kHz in %.2f ms (%.0fx realtime)\n",
                  dt * 1e3, 60.0 / dt);
    rlx_limiter_free(&l);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(smoothstep_values),
        cmocka_unit_test(duck_ramp_timing),
        cmocka_unit_test(duck_matches_reference_with_any_hint),
        cmocka_unit_test(duck_without_ramps_is_a_gate),
        cmocka_unit_test(limiter_init_and_errors),
        cmocka_unit_test(quiet_signal_passes_bit_identical),
        cmocka_unit_test(burst_never_exceeds_ceiling),
        cmocka_unit_test(non_finite_input_is_silenced),
        cmocka_unit_test(intersample_peaks_are_caught),
        cmocka_unit_test(quiet_path_matches_frame_by_frame),
        cmocka_unit_test(limiter_benchmark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
