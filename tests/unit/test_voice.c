/* test_voice.c - the voice engines through the registry: deterministic
 * speech (a line sounds the same cold or after other lines, for flite and
 * Festival), Festival's pace by time-stretch, its errors (failing, hanging,
 * missing program: the fallback with its one notice). */
#include "rlx_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "audio/voice.h"

static const char *const LINE_B = "Breathing in, as the tone rises.";
static const char *const LINE_A = "Welcome. Settle into a position that feels comfortable, 1 2 3.";

typedef struct {
    float *x;
    size_t n;
    int rate;
} clip;

static clip speak(const char *spec, const char *text, double pace)
{
    clip c = {0};
    char why[512] = "";
    rlx_err e = rlx_voice_speak(spec, text, pace, &c.x, &c.n, &c.rate, why, sizeof why);
    if (e != RLX_OK)
        fail_msg("%s could not speak \"%s\": %s", spec, text, why);
    assert_true(c.n > 0);
    return c;
}

static bool same(const clip *a, const clip *b)
{
    return a->n == b->n && a->rate == b->rate && !memcmp(a->x, b->x, a->n * sizeof(float));
}

/* Must run first in this process: "cold" means nothing was spoken before. */
static void cold_equals_warm(void **state)
{
    (void)state;
    const char *const specs[] = {"flite:slt", "festival:slt-hts"};
    clip cold[2], warm[2];
    for (int k = 0; k < 2; k++)
        cold[k] = speak(specs[k], LINE_B, 1.15);
    for (int k = 0; k < 2; k++) {
        clip other = speak(specs[k], LINE_A, 1.15);
        free(other.x);
        warm[k] = speak(specs[k], LINE_B, 1.15);
        printf("%s: %zu frames cold, %zu warm\n", specs[k], cold[k].n, warm[k].n);
        assert_true(same(&cold[k], &warm[k]));
        free(cold[k].x);
        free(warm[k].x);
    }
}

/* Period from upward zero crossings, away from the edges. */
static double freq_of(const float *x, size_t n, int rate)
{
    size_t first = 0, last = 0, count = 0;
    for (size_t i = n / 10; i + 1 < n - n / 10; i++)
        if (x[i] <= 0 && x[i + 1] > 0) {
            if (!count)
                first = i;
            last = i;
            count++;
        }
    return count > 1 ? (double)(count - 1) * rate / (double)(last - first) : 0;
}

static void festival_is_32k_and_paced(void **state)
{
    (void)state;
    clip n1 = speak("festival:slt-hts", LINE_A, 1.0);
    clip n2 = speak("festival:slt-hts", LINE_A, 1.25);
    assert_int_equal(n1.rate, 32000);
    double r = (double)n2.n / (double)n1.n;
    printf("festival: %.2f s at pace 1, %.2f s at pace 1.25 (x%.3f)\n", (double)n1.n / n1.rate,
           (double)n2.n / n2.rate, r);
    assert_true(fabs(r - 1.25) < 0.02);
    /* slower, not lower: the zero crossings come as often (a pace made by
     * playing slower would have 20% fewer) */
    double f1 = freq_of(n1.x, n1.n, n1.rate), f2 = freq_of(n2.x, n2.n, n2.rate);
    printf("festival: zero crossings %.0f/s at pace 1, %.0f/s at 1.25\n", f1, f2);
    assert_true(fabs(f2 / f1 - 1.0) < 0.08);
    /* audible speech, not silence */
    double e = 0;
    for (size_t i = 0; i < n2.n; i++)
        e += (double)n2.x[i] * n2.x[i];
    assert_true(sqrt(e / (double)n2.n) > 0.01);
    free(n1.x);
    free(n2.x);
}

static char *script(const char *dir, const char *name, const char *body)
{
    char *p = rlx_test_write(dir, name, body, strlen(body));
    assert_int_equal(chmod(p, 0755), 0);
    return p;
}

static void festival_errors_name_the_reason(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    float *x;
    size_t n;
    int rate;
    char why[512];

    /* a failing text2wave: its last words are the reason, nothing reaches our stderr */
    char *bad = script(dir, "bad", "#!/bin/sh\necho 'SIOD ERROR: something broke' >&2\nexit 3\n");
    setenv("RELAX_TEXT2WAVE", bad, 1);
    assert_int_equal(rlx_voice_speak("festival:slt-hts", LINE_A, 1.0, &x, &n, &rate, why, sizeof why),
                     RLX_ERR_TTS);
    printf("failing: %s\n", why);
    assert_non_null(strstr(why, "exit status 3: SIOD ERROR: something broke"));

    /* not a WAV */
    char *junk = script(dir, "junk", "#!/bin/sh\ncat >/dev/null\necho hello\n");
    setenv("RELAX_TEXT2WAVE", junk, 1);
    assert_int_equal(rlx_voice_speak("festival:slt-hts", LINE_A, 1.0, &x, &n, &rate, why, sizeof why),
                     RLX_ERR_TTS);
    assert_non_null(strstr(why, "no WAV audio"));

    /* a hanging one is stopped at the timeout */
    char *hang = script(dir, "hang", "#!/bin/sh\nexec sleep 60\n");
    setenv("RELAX_TEXT2WAVE", hang, 1);
    setenv("RELAX_TTS_TIMEOUT", "1", 1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rlx_voice_speak("festival:slt-hts", LINE_A, 1.0, &x, &n, &rate, why, sizeof why),
                     RLX_ERR_TTS);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("hanging: %s\n", why);
    assert_non_null(strstr(why, "longer than 1 s"));
    assert_true(t1.tv_sec - t0.tv_sec < 30);   /* stopped, not waited out */
    unsetenv("RELAX_TTS_TIMEOUT");

    unsetenv("RELAX_TEXT2WAVE");
    free(bad);
    free(junk);
    free(hang);
    rlx_test_rmtree(dir);
    free(dir);
}

static int notices;
static char notice_text[512];
static void count_notice(const char *line)
{
    notices++;
    snprintf(notice_text, sizeof notice_text, "%s", line);
}

static void missing_festival_falls_back_with_one_notice(void **state)
{
    (void)state;
    rlx_voice_set_notice(count_notice);
    setenv("RELAX_TEXT2WAVE", "/nonexistent/text2wave", 1);
    const rlx_voice_engine *e;
    const char *v;
    char why[256] = "";
    for (int k = 0; k < 3; k++) {
        assert_int_equal(rlx_voice_resolve("festival:slt-hts", &e, &v, why, sizeof why), RLX_OK);
        assert_string_equal(e->name, "flite");
        assert_string_equal(v, "slt");
    }
    assert_int_equal(notices, 1);
    printf("notice: %s\n", notice_text);
    assert_non_null(strstr(notice_text, "Festival is not installed"));
    assert_non_null(strstr(notice_text, "flite:slt instead of festival:slt-hts"));
    clip c = speak("festival:slt-hts", LINE_B, 1.0);
    assert_int_equal(c.rate, 16000);   /* flite's */
    free(c.x);
    unsetenv("RELAX_TEXT2WAVE");
    assert_int_equal(rlx_voice_resolve("festival:slt-hts", &e, &v, why, sizeof why), RLX_OK);
    assert_string_equal(e->name, "festival");
    assert_int_equal(rlx_voice_resolve("nosuch:voice", &e, &v, why, sizeof why), RLX_ERR_USAGE);
    rlx_voice_set_notice(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cold_equals_warm),
        cmocka_unit_test(festival_is_32k_and_paced),
        cmocka_unit_test(festival_errors_name_the_reason),
        cmocka_unit_test(missing_festival_falls_back_with_one_notice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
