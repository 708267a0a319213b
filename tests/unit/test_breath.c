/* test_breath.c - rlx_timeline_breath_shape on hand-built timelines. */
#include "rlx_test.h"

#include <math.h>
#include <stdlib.h>

#include "audio/dsp.h"
#include "session/timeline.h"

#define RATE 48000

static rlx_breath_pattern pat(int32_t i, int32_t h1, int32_t e, int32_t h2)
{
    rlx_breath_pattern p = {i, h1, e, h2};
    return p;
}

static rlx_timeline tl_of(rlx_tl_breath *b, size_t n, int rate, int64_t length)
{
    rlx_timeline t = {0};
    t.rate = rate;
    t.length = length;
    t.breaths = b;
    t.nbreaths = n;
    return t;
}

static double shape(const rlx_timeline *t, int64_t f)
{
    return rlx_timeline_breath_shape(t, f, NULL);
}

static void phase_boundaries(void **state)
{
    (void)state;
    rlx_tl_breath b[] = {{0, pat(4000, 2000, 6000, 2000), 0.0}};
    rlx_timeline t = tl_of(b, 1, RATE, 14 * RATE);
    assert_true(shape(&t, 0) == 0.0);
    assert_true(fabs(shape(&t, 2 * RATE) - 0.5) < 1e-12);       /* mid inhale */
    assert_true(fabs(shape(&t, 1 * RATE) - (0.5 - 0.5 * cos(M_PI / 4))) < 1e-12);
    assert_true(shape(&t, 4 * RATE - 1) < 1.0);
    assert_true(shape(&t, 4 * RATE - 1) > 0.999999);
    assert_true(shape(&t, 4 * RATE) == 1.0);                    /* hold in */
    assert_true(shape(&t, 6 * RATE - 1) == 1.0);
    assert_true(shape(&t, 6 * RATE) == 1.0);                    /* exhale starts at 1 */
    assert_true(shape(&t, 6 * RATE + 1) < 1.0);
    assert_true(fabs(shape(&t, 9 * RATE) - 0.5) < 1e-12);       /* mid exhale */
    assert_true(shape(&t, 12 * RATE - 1) > 0.0);
    assert_true(shape(&t, 12 * RATE - 1) < 1e-6);
    assert_true(shape(&t, 12 * RATE) == 0.0);                   /* hold out */
    assert_true(shape(&t, 14 * RATE - 1) == 0.0);
    assert_true(shape(&t, 100 * RATE) == 0.0);                  /* last cycle runs on */
}

static void boundaries_are_exact_at_odd_rates(void **state)
{
    (void)state;
    /* 333 ms at 44.1 kHz = 14685.3 frames: frame 14685 is still inhale */
    rlx_tl_breath b[] = {{1000, pat(333, 100, 500, 0), 0.0}};
    rlx_timeline t = tl_of(b, 1, 44100, 100000);
    assert_true(shape(&t, 1000 + 14685) < 1.0);
    assert_true(shape(&t, 1000 + 14686) == 1.0);
    /* hold 100 ms = 4410 frames exactly: 333.1+100 ms -> 14685.3+4410 */
    assert_true(shape(&t, 1000 + 14685 + 4410) == 1.0);
    assert_true(shape(&t, 1000 + 14686 + 4410) < 1.0);
    /* before the first cycle: empty lungs */
    assert_true(shape(&t, 999) == 0.0);
    assert_true(shape(&t, -5) == 0.0);
}

static void empty_and_null(void **state)
{
    (void)state;
    rlx_timeline t = tl_of(NULL, 0, RATE, 1000);
    size_t hint = 77;
    assert_true(rlx_timeline_breath_shape(&t, 10, &hint) == 0.0);
    assert_true(rlx_timeline_breath_shape(NULL, 10, NULL) == 0.0);
}

/* Largest per-frame change of a raised cosine over `ms` at RATE, +margin. */
static double max_step(int32_t ms)
{
    return M_PI / 2.0 / (ms * (RATE / 1000.0)) * 1.001 + 1e-12;
}

static void sweep_continuous(const rlx_timeline *t, double bound)
{
    size_t hint = 0;
    double prev = rlx_timeline_breath_shape(t, 0, &hint);
    double worst = 0;
    for (int64_t f = 1; f < t->length; f++) {
        double v = rlx_timeline_breath_shape(t, f, &hint);
        assert_true(v >= 0.0 && v <= 1.0);
        double d = fabs(v - prev);
        if (d > worst)
            worst = d;
        prev = v;
        if (f % 997 == 0) {
            /* hint or not, stale hint or not: same value */
            size_t bad = 12345;
            assert_true(shape(t, f) == v);
            assert_true(rlx_timeline_breath_shape(t, f, &bad) == v);
            size_t zero = 0;
            assert_true(rlx_timeline_breath_shape(t, f, &zero) == v);
        }
    }
    assert_true(worst <= bound);
    assert_true(worst > bound * 0.5);   /* it did move */
}

static void pattern_change_and_cycles(void **state)
{
    (void)state;
    rlx_tl_breath b[] = {
        {0, pat(4000, 0, 6000, 0), 0.0},
        {10 * RATE, pat(3000, 1000, 5000, 1000), 0.0},
        {20 * RATE, pat(3000, 1000, 5000, 1000), 0.0},
        {30 * RATE, pat(3000, 1000, 5000, 1000), 0.0},
    };
    rlx_timeline t = tl_of(b, 4, RATE, 40 * RATE);
    assert_true(shape(&t, 10 * RATE - 1) < 1e-6);
    assert_true(shape(&t, 10 * RATE) == 0.0);
    assert_true(fabs(shape(&t, 10 * RATE + 3 * RATE / 2) - 0.5) < 1e-12);  /* new 3 s inhale */
    assert_true(shape(&t, 13 * RATE) == 1.0);
    assert_true(shape(&t, 14 * RATE - 1) == 1.0);
    assert_true(shape(&t, 14 * RATE + 1) < 1.0);
    assert_true(fabs(shape(&t, 16 * RATE + RATE / 2) - 0.5) < 1e-12);
    assert_true(shape(&t, 19 * RATE) == 0.0);
    assert_true(fabs(shape(&t, 21 * RATE + RATE / 2) - 0.5) < 1e-12);     /* next cycle */
    sweep_continuous(&t, max_step(3000));
}

static void sync_starts_from_current_shape(void **state)
{
    (void)state;
    rlx_breath_pattern p = pat(4000, 0, 6000, 0);
    rlx_tl_breath one[] = {{0, p, 0.0}};
    rlx_timeline t1 = tl_of(one, 1, RATE, 30 * RATE);

    /* sync 1 s into the inhale, then again 2 s into the next exhale */
    int64_t f1 = 1 * RATE;
    double s1 = shape(&t1, f1);
    assert_true(fabs(s1 - (0.5 - 0.5 * cos(M_PI / 4))) < 1e-12);
    rlx_tl_breath two[] = {{0, p, 0.0}, {f1, p, s1}};
    rlx_timeline t2 = tl_of(two, 2, RATE, 30 * RATE);
    int64_t f2 = f1 + 6 * RATE;       /* 4 s inhale + 2 s exhale */
    double s2 = shape(&t2, f2);
    assert_true(fabs(s2 - (1.0 - (0.5 - 0.5 * cos(M_PI / 3)))) < 1e-12);
    rlx_tl_breath three[] = {{0, p, 0.0}, {f1, p, s1}, {f2, p, s2}, {f2 + 10 * RATE, p, 0.0}};
    rlx_timeline t3 = tl_of(three, 4, RATE, 30 * RATE);

    assert_true(shape(&t3, f1) == s1);
    assert_true(fabs(shape(&t3, f1 + 2 * RATE) - (s1 + (1 - s1) * 0.5)) < 1e-12);
    assert_true(shape(&t3, f1 + 4 * RATE) == 1.0);
    assert_true(shape(&t3, f2) == s2);
    assert_true(fabs(shape(&t3, f2 + 2 * RATE) - (s2 + (1 - s2) * 0.5)) < 1e-12);
    assert_true(shape(&t3, f2 + 4 * RATE) == 1.0);
    sweep_continuous(&t3, max_step(4000));

    /* start_shape out of range is clamped */
    rlx_tl_breath odd[] = {{0, p, 1.5}};
    rlx_timeline t4 = tl_of(odd, 1, RATE, RATE);
    assert_true(shape(&t4, 10) == 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(phase_boundaries),
        cmocka_unit_test(boundaries_are_exact_at_odd_rates),
        cmocka_unit_test(empty_and_null),
        cmocka_unit_test(pattern_change_and_cycles),
        cmocka_unit_test(sync_starts_from_current_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
