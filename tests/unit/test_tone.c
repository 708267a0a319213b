/* test_tone.c - the breathing tone: pitch per breath phase, timing, no
 * discontinuities, seek == linear render, block-size independence. */
#include "rlx_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/tone.h"

#define RATE 48000
#define PITCH 174.0
#define GLIDE 3.0

static rlx_breath_pattern pat(int32_t i, int32_t h1, int32_t e, int32_t h2)
{
    rlx_breath_pattern p = {i, h1, e, h2};
    return p;
}

static rlx_timeline tl_of(rlx_tl_breath *b, size_t n, int64_t length)
{
    rlx_timeline t = {0};
    t.rate = RATE;
    t.length = length;
    t.breaths = b;
    t.nbreaths = n;
    return t;
}

static rlx_tone_config config(void)
{
    rlx_tone_config c = {PITCH, GLIDE, RATE};
    return c;
}

/* Renders frames [from, from + n) of a fresh tone in blocks of `block`. */
static float *render(const rlx_timeline *tl, int64_t from, size_t n, size_t block)
{
    float *y = malloc(n * sizeof *y);
    assert_non_null(y);
    rlx_tone t;
    rlx_tone_config c = config();
    rlx_tone_init(&t, &c);
    if (from)
        rlx_tone_seek(&t, tl, from);
    for (size_t off = 0; off < n; off += block)
        rlx_tone_render(&t, tl, y + off, block < n - off ? block : n - off);
    assert_true(t.frame == from + (int64_t)n);
    return y;
}

/* Frequency estimates from zero crossings: the waveform crosses zero exactly
 * at phase 0 and 1/2, and is inflected there, so linear interpolation of the
 * crossing is very precise. est[k] is the frequency over one half period,
 * placed at its midpoint (seconds). */
typedef struct {
    double *t, *f;
    size_t n;
} freq_track;

static freq_track track(const float *y, size_t n)
{
    freq_track tr = {malloc(n / 8 * sizeof(double)), malloc(n / 8 * sizeof(double)), 0};
    double last = -1;
    for (size_t i = 1; i < n; i++) {
        if ((y[i - 1] < 0) != (y[i] < 0)) {
            double tc = (double)(i - 1) + y[i - 1] / (double)(y[i - 1] - y[i]);
            if (last >= 0 && tr.n < n / 8) {
                tr.t[tr.n] = (tc + last) / 2 / RATE;
                tr.f[tr.n] = 0.5 * RATE / (tc - last);
                tr.n++;
            }
            last = tc;
        }
    }
    return tr;
}

static void track_free(freq_track *tr)
{
    free(tr->t), free(tr->f);
}

static double mean_freq(const freq_track *tr, double t0, double t1)
{
    double s = 0;
    int k = 0;
    for (size_t i = 0; i < tr->n; i++)
        if (tr->t[i] >= t0 && tr->t[i] < t1)
            s += tr->f[i], k++;
    assert_true(k > 10);
    return s / k;
}

/* First estimate after t0 for which pred(f) holds. */
static double first_time(const freq_track *tr, double t0, double thr, int above)
{
    for (size_t i = 0; i < tr->n; i++)
        if (tr->t[i] >= t0 && (above ? tr->f[i] >= thr : tr->f[i] <= thr))
            return tr->t[i];
    fail_msg("threshold %.3f never reached after %.3f s", thr, t0);
    return -1;
}

static void freq_and_amp_functions(void **state)
{
    (void)state;
    rlx_tone_config c = config();
    assert_true(fabs(rlx_tone_freq(&c, 0.0) - PITCH) < 1e-12);
    assert_true(fabs(rlx_tone_freq(&c, 1.0) - PITCH * pow(2.0, GLIDE / 12)) < 1e-9);
    assert_true(fabs(rlx_tone_freq(&c, 0.5) - PITCH * pow(2.0, GLIDE / 24)) < 1e-9);
    assert_true(fabs(rlx_tone_amp(0.0) - 0.35) < 1e-15);
    assert_true(rlx_tone_amp(1.0) == 1.0);
    assert_true(rlx_tone_amp(2.0) == 1.0);
    assert_true(fabs(rlx_tone_amp(-1.0) - 0.35) < 1e-15);
    assert_true(rlx_tone_amp(0.6) > rlx_tone_amp(0.5));
}

static void waveform_is_a_clean_sine_pair(void **state)
{
    (void)state;
    /* glide 0: a steady tone that must match the libm formula */
    rlx_tl_breath b[] = {{0, pat(4000, 0, 6000, 0), 0.0}};
    rlx_timeline tl = tl_of(b, 1, 10 * RATE);
    rlx_tone t;
    rlx_tone_config c = {440.0, 0.0, RATE};
    rlx_tone_init(&t, &c);
    size_t n = 2 * RATE;
    float *y = malloc(n * sizeof *y);
    rlx_tone_render(&t, &tl, y, n);
    double worst = 0, peak = 0;
    for (size_t i = 0; i < n; i++) {
        double ph = 2 * M_PI * 440.0 * (double)i / RATE;
        double shape = rlx_timeline_breath_shape(&tl, (int64_t)i, NULL);
        double want = rlx_tone_amp(shape) * t.norm * (sin(ph) + RLX_TONE_PARTIAL2 * sin(2 * ph));
        /* the amplitude is interpolated on the grid: allow its tiny error */
        if (fabs(y[i] - want) > worst)
            worst = fabs(y[i] - want);
        if (fabs(y[i]) > peak)
            peak = fabs(y[i]);
    }
    assert_true(worst < 2e-6);
    assert_true(peak <= 1.0);
    free(y);
}

static void pitch_per_phase_and_timing(void **state)
{
    (void)state;
    const double I = 4.0, H1 = 2.0, E = 6.0;
    rlx_tl_breath b[] = {
        {0, pat(4000, 2000, 6000, 2000), 0.0},
        {14 * RATE, pat(4000, 2000, 6000, 2000), 0.0},
    };
    rlx_timeline tl = tl_of(b, 2, 28 * RATE);
    size_t n = 28 * RATE;
    float *y = render(&tl, 0, n, 1024);
    freq_track tr = track(y, n);
    const double top = PITCH * pow(2.0, GLIDE / 12);

    /* empty lungs = pitch, full = pitch * 2^(glide/12) */
    assert_true(fabs(mean_freq(&tr, 4.1, 5.9) / top - 1) < 1e-4);
    assert_true(fabs(mean_freq(&tr, 12.1, 13.9) / PITCH - 1) < 1e-4);
    assert_true(fabs(mean_freq(&tr, 18.1, 19.9) / top - 1) < 1e-4);

    /* amplitude follows: full at full lungs, 0.35 at empty */
    float pk_hi = 0, pk_lo = 0;
    for (size_t i = (size_t)(4.1 * RATE); i < (size_t)(5.9 * RATE); i++)
        pk_hi = fmaxf(pk_hi, fabsf(y[i]));
    for (size_t i = (size_t)(12.1 * RATE); i < (size_t)(13.9 * RATE); i++)
        pk_lo = fmaxf(pk_lo, fabsf(y[i]));
    assert_true(pk_hi <= 1.0f && pk_hi > 0.995f);
    assert_true(fabsf(pk_lo - 0.35f) < 0.005f);

    /* timing: when the frequency leaves the bottom (+1%) and reaches the top
     * (-1%) on the inhale, and the reverse on the exhale, within 10 ms of
     * the analytic times of the raised-cosine breath */
    double s_lo = 12 * log2(1.01) / GLIDE;            /* shape at pitch * 1.01 */
    double s_hi = 1 + 12 * log2(0.99) / GLIDE;        /* shape at top * 0.99 */
    for (int cyc = 0; cyc < 2; cyc++) {
        double c0 = 14.0 * cyc;
        double t_up_lo = c0 + I * acos(1 - 2 * s_lo) / M_PI;
        double t_up_hi = c0 + I * acos(1 - 2 * s_hi) / M_PI;
        double t_dn_hi = c0 + I + H1 + E * acos(2 * s_hi - 1) / M_PI;
        double t_dn_lo = c0 + I + H1 + E * acos(2 * s_lo - 1) / M_PI;
        double m_up_lo = first_time(&tr, c0 + 0.01, PITCH * 1.01, 1);
        double m_up_hi = first_time(&tr, c0 + 0.01, top * 0.99, 1);
        double m_dn_hi = first_time(&tr, c0 + I + H1, top * 0.99, 0);
        double m_dn_lo = first_time(&tr, c0 + I + H1, PITCH * 1.01, 0);
        print_message("cycle %d: inhale +1%% at %.4f s (want %.4f), top-1%% at %.4f (%.4f); "
                      "exhale top-1%% at %.4f (%.4f), bottom+1%% at %.4f (%.4f)\n",
                      cyc, m_up_lo, t_up_lo, m_up_hi, t_up_hi, m_dn_hi, t_dn_hi, m_dn_lo, t_dn_lo);
        assert_true(fabs(m_up_lo - t_up_lo) < 0.010);
        assert_true(fabs(m_up_hi - t_up_hi) < 0.010);
        assert_true(fabs(m_dn_hi - t_dn_hi) < 0.010);
        assert_true(fabs(m_dn_lo - t_dn_lo) < 0.010);
    }
    track_free(&tr);
    free(y);
}

/* A timeline with a pattern change and two syncs (mid inhale, mid exhale). */
static rlx_tl_breath SYNC_B[5];
static rlx_timeline sync_timeline(void)
{
    rlx_breath_pattern p1 = pat(4000, 0, 6000, 0), p2 = pat(3000, 1000, 5000, 1000);
    SYNC_B[0] = (rlx_tl_breath){0, p1, 0.0};
    SYNC_B[1] = (rlx_tl_breath){10 * RATE, p2, 0.0};       /* pattern change */
    rlx_timeline tl = tl_of(SYNC_B, 2, 40 * RATE);
    int64_t f1 = 10 * RATE + 2 * RATE;                    /* 2 s into a 3 s inhale */
    SYNC_B[2] = (rlx_tl_breath){f1, p2, rlx_timeline_breath_shape(&tl, f1, NULL)};
    tl.nbreaths = 3;
    int64_t f2 = f1 + (int64_t)(6.5 * RATE) + 17;         /* 2.5 s into the exhale */
    SYNC_B[3] = (rlx_tl_breath){f2, p1, rlx_timeline_breath_shape(&tl, f2, NULL)};
    tl.nbreaths = 4;
    SYNC_B[4] = (rlx_tl_breath){f2 + 10 * RATE, p1, 0.0};
    tl.nbreaths = 5;
    assert_true(SYNC_B[2].start_shape > 0.5 && SYNC_B[2].start_shape < 1.0);
    assert_true(SYNC_B[3].start_shape > 0.3 && SYNC_B[3].start_shape < 0.7);
    return tl;
}

static void no_discontinuity_across_change_and_sync(void **state)
{
    (void)state;
    rlx_timeline tl = sync_timeline();
    size_t n = (size_t)tl.length;
    float *y = render(&tl, 0, n, 1000);
    double worst = 0;
    for (size_t i = 1; i < n; i++)
        if (fabs((double)y[i] - y[i - 1]) > worst)
            worst = fabs((double)y[i] - y[i - 1]);
    /* steepest possible: 2 pi f_top / rate * (1 + 2 c) / peak of the waveform */
    double top = PITCH * pow(2.0, GLIDE / 12);
    double bound = 2 * M_PI * top / RATE * (1 + 2 * RLX_TONE_PARTIAL2) * 1.001;
    print_message("largest sample step %.5f (bound %.5f)\n", worst, bound);
    assert_true(worst <= bound);
    /* and the frequency itself glides: no jump between half periods */
    freq_track tr = track(y, n);
    double fj = 0;
    for (size_t i = 1; i < tr.n; i++)
        fj = fmax(fj, fabs(tr.f[i] / tr.f[i - 1] - 1));
    assert_true(fj < 0.002);
    /* the syncs really restart the inhale: frequency rises right after */
    double t1 = (double)SYNC_B[3].start / RATE;
    assert_true(mean_freq(&tr, t1 + 0.5, t1 + 0.6) > mean_freq(&tr, t1 - 0.1, t1) * 1.001);
    track_free(&tr);
    free(y);
}

static void seek_equals_linear_render(void **state)
{
    (void)state;
    rlx_timeline tl = sync_timeline();
    size_t n = (size_t)tl.length;
    float *ref = render(&tl, 0, n, 4096);
    const int64_t targets[] = {0, 1, 63, 64, 65, 12345, 10 * RATE + 2 * RATE - 1,
                               (int64_t)SYNC_B[3].start, 1000003, (int64_t)n - 5000};
    rlx_tone t;
    rlx_tone_config c = config();
    rlx_tone_init(&t, &c);
    float buf[5000];
    /* forwards, then backwards on the same object, then forwards again */
    for (int pass = 0; pass < 3; pass++) {
        for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
            size_t idx = pass == 1 ? sizeof targets / sizeof targets[0] - 1 - k : k;
            int64_t f = targets[idx];
            rlx_tone_seek(&t, &tl, f);
            assert_true(t.frame == f);
            rlx_tone_render(&t, &tl, buf, 2000);
            rlx_tone_render(&t, &tl, buf + 2000, 3000);
            assert_memory_equal(buf, ref + f, sizeof buf);
        }
    }
    /* a fresh tone seeking straight there */
    float *part = render(&tl, 777777, 10000, 333);
    assert_memory_equal(part, ref + 777777, 10000 * sizeof *part);
    rlx_tone_seek(&t, &tl, -50);
    assert_true(t.frame == 0);
    free(part);
    free(ref);
}

static void block_size_independent(void **state)
{
    (void)state;
    rlx_timeline tl = sync_timeline();
    size_t n = 20 * RATE;
    float *ref = render(&tl, 0, n, n);
    size_t sizes[] = {1, 7, 63, 64, 65, 480, 4096};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        float *y = render(&tl, 0, n, sizes[k]);
        assert_memory_equal(y, ref, n * sizeof *y);
        free(y);
    }
    /* irregular blocks */
    rlx_tone t;
    rlx_tone_config c = config();
    rlx_tone_init(&t, &c);
    float *y = malloc(n * sizeof *y);
    unsigned seed = 7;
    for (size_t off = 0; off < n;) {
        seed = seed * 1103515245u + 12345u;
        size_t blk = 1 + (seed >> 16) % 3000;
        if (blk > n - off)
            blk = n - off;
        rlx_tone_render(&t, &tl, y + off, blk);
        off += blk;
    }
    assert_memory_equal(y, ref, n * sizeof *y);
    free(y);
    free(ref);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);   /* CPU time: robust on a busy machine */
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void other_rate_and_no_breaths(void **state)
{
    (void)state;
    /* 44.1 kHz, hold in from 1 s to 3 s: the top pitch there */
    rlx_tl_breath b[] = {{0, pat(1000, 2000, 1000, 1000), 0.0}};
    rlx_timeline tl = tl_of(b, 1, 5 * 44100);
    tl.rate = 44100;
    rlx_tone t;
    rlx_tone_config c = {220.0, 12.0, 44100};
    rlx_tone_init(&t, &c);
    size_t n = 5 * 44100;
    float *y = malloc(n * sizeof *y);
    rlx_tone_render(&t, &tl, y, n);
    /* the estimator assumes RATE: scale */
    freq_track tr = track(y, n);
    double k = 44100.0 / RATE;
    assert_true(fabs(mean_freq(&tr, 1.2 * k, 2.8 * k) * k / 440.0 - 1) < 1e-4);
    assert_true(fabs(mean_freq(&tr, 4.1 * k, 4.9 * k) * k / 220.0 - 1) < 1e-4);
    track_free(&tr);

    /* a timeline without breaths: a steady tone at the pitch, 35 % level */
    rlx_timeline none = tl_of(NULL, 0, RATE);
    rlx_tone_config c2 = config();
    rlx_tone_init(&t, &c2);
    rlx_tone_render(&t, &none, y, RATE);
    tr = track(y, RATE);
    assert_true(fabs(mean_freq(&tr, 0.1, 0.9) / PITCH - 1) < 1e-4);
    float pk = 0;
    for (size_t i = 0; i < RATE; i++)
        pk = fmaxf(pk, fabsf(y[i]));
    assert_true(fabsf(pk - 0.35f) < 0.002f);
    assert_true(y[0] == 0.0f);   /* starts at phase 0: no click */
    track_free(&tr);
    free(y);
}

static void micro_benchmark(void **state)
{
    (void)state;
    /* 60 min of breathing, to time seeks too */
    rlx_tl_breath b[360];
    for (int i = 0; i < 360; i++)
        b[i] = (rlx_tl_breath){(int64_t)i * 10 * RATE, pat(4000, 0, 6000, 0), 0.0};
    rlx_timeline tl = tl_of(b, 360, 3600LL * RATE);
    rlx_tone t;
    rlx_tone_config c = config();
    rlx_tone_init(&t, &c);
    static float buf[1024];
    size_t n = 60 * RATE;
    double sink = 0;
    double t0 = now_s();
    for (size_t off = 0; off < n; off += 1024) {
        rlx_tone_render(&t, &tl, buf, 1024);
        sink += buf[17];
    }
    double dt = now_s() - t0;
    t0 = now_s();
    rlx_tone_seek(&t, &tl, 3599LL * RATE);
    double ds = now_s() - t0;
    print_message("tone: 60 s at 48 kHz rendered in %.2f ms (%.0fx realtime); "
                  "seek 0 -> 59:59 in %.2f ms [%g]\n",
                  dt * 1e3, 60.0 / dt, ds * 1e3, sink * 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(freq_and_amp_functions),
        cmocka_unit_test(waveform_is_a_clean_sine_pair),
        cmocka_unit_test(pitch_per_phase_and_timing),
        cmocka_unit_test(no_discontinuity_across_change_and_sync),
        cmocka_unit_test(seek_equals_linear_render),
        cmocka_unit_test(block_size_independent),
        cmocka_unit_test(other_rate_and_no_breaths),
        cmocka_unit_test(micro_benchmark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
