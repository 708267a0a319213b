/* test_timeline.c - relative times, stretching, overlaps, breath cycles. */
#include "rlx_test.h"

#include <math.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "session/timeline.h"

#define RATE 48000
#define F(ms) rlx_ms_to_frames((ms), RATE)

static const rlx_parse_config nocheck = {.asset_dirs = NULL, .check_files = false};

static rlx_session *parse_ok(const char *timeline)
{
    char text[8192];
    snprintf(text, sizeof text, "[session]\nid = t\ntitle = \"T\"\n[timeline]\n%s", timeline);
    rlx_session *s = NULL;
    rlx_diags d = {0};
    rlx_err e = rlx_session_parse_buffer("t.session", text, strlen(text), &nocheck, &s, &d);
    for (size_t k = 0; k < d.count; k++)
        fprintf(stderr, "   %d:%d: %s\n", d.items[k].line, d.items[k].col, d.items[k].message);
    assert_int_equal(e, RLX_OK);
    rlx_diags_free(&d);
    return s;
}

/* voice durations: every voice cue lasts `ms` unless listed in `each` (cue index, ms pairs, -1 ends) */
static int64_t *voices(const rlx_session *s, int64_t ms, const int64_t *each)
{
    int64_t *v = malloc((s->ncues + 1) * sizeof *v);
    for (size_t i = 0; i < s->ncues; i++)
        v[i] = rlx_cue_is_voice(&s->cues[i]) ? ms : -1;
    for (; each && each[0] >= 0; each += 2)
        v[each[0]] = each[1];
    return v;
}

static const char readme_timeline[] =
    "0:00   fade-in 10 s\n"
    "0:03   say \"Welcome back.\"\n"
    "+2 s   say \"If you like, let your eyes close.\"\n"
    "0:40   play narration/week-03/shoulders.flac \"Bring your attention to your shoulders.\"\n"
    "+0 s   breath 4 7 8 0\n"
    "3:00   silence 40 s .. 4 min\n"
    "+0 s   breath sync\n"
    "13:20  chime\n"
    "13:30  fade-out 30 s\n"
    "14:00  end\n";

static void readme_natural_and_stretched(void **state)
{
    (void)state;
    rlx_session *s = parse_ok(readme_timeline);
    const int64_t each[] = {1, 5000, 2, 6000, 3, 20000, -1};
    int64_t *v = voices(s, 0, each);
    int64_t nat = 0, lng = 0;
    rlx_diags d = {0};
    assert_int_equal(rlx_timeline_lengths(s, v, &nat, &lng, &d), RLX_OK);
    assert_int_equal(nat, 840000);
    assert_int_equal(lng, 840000 + 200000);

    rlx_timeline *t = NULL;
    assert_int_equal(rlx_timeline_build(s, v, 0, RATE, &t, &d), RLX_OK);
    assert_int_equal(d.count, 0);
    assert_int_equal(t->rate, RATE);
    assert_int_equal(t->length, F(840000));
    assert_int_equal(t->length_ms, 840000);
    assert_int_equal(t->natural_ms, 840000);
    assert_int_equal(t->longest_ms, 1040000);
    assert_int_equal(t->ncues, s->ncues);
    const int64_t starts[] = {0, 3000, 10000, 40000, 60000, 180000, 220000, 800000, 810000, 840000};
    const int64_t ends[] = {10000, 8000, 16000, 60000, 60000, 220000, 220000, 800000, 840000, 840000};
    for (size_t i = 0; i < 10; i++) {
        assert_ptr_equal(t->cues[i].cue, &s->cues[i]);
        assert_int_equal(t->cues[i].start, F(starts[i]));
        assert_int_equal(t->cues[i].end, F(ends[i]));
    }
    rlx_timeline_free(t);

    /* 15:00: one minute more, all of it in the one stretchable silence */
    assert_int_equal(rlx_timeline_build(s, v, 900000, RATE, &t, &d), RLX_OK);
    assert_int_equal(t->length, F(900000));
    assert_int_equal(t->cues[5].end, F(280000));
    assert_int_equal(t->cues[6].start, F(280000)); /* breath sync after the silence */
    assert_int_equal(t->cues[7].start, F(860000)); /* chime moved by the stretch */
    assert_int_equal(t->cues[8].start, F(870000));
    assert_int_equal(t->cues[3].start, F(40000));  /* earlier cues stay */
    rlx_timeline_free(t);

    /* the longest */
    assert_int_equal(rlx_timeline_build(s, v, 1040000, RATE, &t, &d), RLX_OK);
    assert_int_equal(t->length, F(1040000));
    assert_int_equal(t->cues[5].end, F(420000));
    rlx_timeline_free(t);

    /* outside the range */
    assert_int_equal(rlx_timeline_build(s, v, 1040001, RATE, &t, &d), RLX_ERR_LENGTH);
    assert_null(t);
    assert_int_equal(rlx_timeline_build(s, v, 839999, RATE, &t, &d), RLX_ERR_LENGTH);
    assert_int_equal(d.errors, 2);
    assert_string_equal(d.items[0].message, "length 17:20.001 is outside what this session allows: 14:00 to 17:20 (nearest that works: 17:20)");
    assert_string_equal(d.items[1].message, "length 13:59.999 is outside what this session allows: 14:00 to 17:20 (nearest that works: 14:00)");
    rlx_diags_free(&d);

    /* a bare number is seconds: when as many minutes would fit, say so */
    assert_int_equal(rlx_timeline_build(s, v, 15000, RATE, &t, &d), RLX_ERR_LENGTH);
    assert_int_equal(rlx_timeline_build(s, v, 13000, RATE, &t, &d), RLX_ERR_LENGTH);
    assert_int_equal(rlx_timeline_build(s, v, 15500, RATE, &t, &d), RLX_ERR_LENGTH);
    assert_int_equal(d.errors, 3);
    assert_string_equal(d.items[0].message, "length 0:15 is outside what this session allows: 14:00 to 17:20 "
                                            "(nearest that works: 14:00; for 15 minutes write '15 min')");
    assert_string_equal(d.items[1].message, "length 0:13 is outside what this session allows: 14:00 to 17:20 (nearest that works: 14:00)");
    assert_string_equal(d.items[2].message, "length 0:15.5 is outside what this session allows: 14:00 to 17:20 (nearest that works: 14:00)");
    rlx_diags_free(&d);
    free(v);
    rlx_session_free(s);
}

static void stretch_is_proportional(void **state)
{
    (void)state;
    rlx_session *s = parse_ok("0:00 silence 10 s .. 20 s\n"
                              "+0 s silence 0 s .. 30 s\n"
                              "+0 s silence 5 s\n"
                              "1:00 chime\n"
                              "1:00 end\n");
    int64_t nat, lng;
    rlx_diags d = {0};
    assert_int_equal(rlx_timeline_lengths(s, NULL, &nat, &lng, &d), RLX_OK);
    assert_int_equal(nat, 60000);
    assert_int_equal(lng, 100000);
    rlx_timeline *t = NULL;
    assert_int_equal(rlx_timeline_build(s, NULL, 80000, RATE, &t, &d), RLX_OK);
    assert_int_equal(t->cues[0].end, F(15000));           /* +5 s of its 10 s range */
    assert_int_equal(t->cues[1].start, F(15000));
    assert_int_equal(t->cues[1].end, F(30000));           /* +15 s of its 30 s range */
    assert_int_equal(t->cues[2].start, F(30000));
    assert_int_equal(t->cues[2].end, F(35000));
    assert_int_equal(t->cues[3].start, F(80000));
    assert_int_equal(t->length, F(80000));
    rlx_timeline_free(t);
    rlx_session_free(s);

    /* shares round so that they add up exactly */
    s = parse_ok("0:00 silence 0 s .. 1 ms\n+0 s silence 0 s .. 1 ms\n+0 s silence 0 s .. 1 ms\n0:01 end\n");
    assert_int_equal(rlx_timeline_build(s, NULL, 1002, 1000, &t, &d), RLX_OK);
    int64_t sum = 0;
    for (int i = 0; i < 3; i++)
        sum += t->cues[i].end - t->cues[i].start;
    assert_int_equal(sum, 2);
    assert_int_equal(t->length, 1002);
    rlx_timeline_free(t);
    rlx_session_free(s);

    /* an absolute cue at the very start of a silence does not move; one inside it does */
    s = parse_ok("0:10 silence 10 s .. 20 s\n0:10 chime\n0:15 chime\n1:00 end\n");
    assert_int_equal(rlx_timeline_build(s, NULL, 70000, RATE, &t, &d), RLX_OK);
    assert_int_equal(t->cues[1].start, F(10000));
    assert_int_equal(t->cues[2].start, F(25000));
    assert_int_equal(t->length, F(70000));
    rlx_timeline_free(t);
    rlx_session_free(s);

    /* a fixed session only has its natural length */
    s = parse_ok("0:00 chime\n1:00 end\n");
    assert_int_equal(rlx_timeline_build(s, NULL, 61000, RATE, &t, &d), RLX_ERR_LENGTH);
    assert_string_equal(d.items[0].message,
                        "length 1:01 is not possible: this session always lasts 1:00 (it has no stretchable silence)");
    rlx_diags_free(&d);
    rlx_session_free(s);
}

static void relative_times(void **state)
{
    (void)state;
    /* from 0:00 when nothing precedes; from the last voice or silence otherwise */
    rlx_session *s = parse_ok("+2 s chime\n"
                              "0:10 say \"a\"\n"
                              "0:11 chime\n"
                              "+1 s chime\n"   /* after the say (ends 0:14) */
                              "0:20 silence 5 s\n"
                              "+500 ms say \"b\"\n"
                              "+0 s end\n");
    const int64_t each[] = {1, 4000, 5, 2500, -1};
    int64_t *v = voices(s, 0, each);
    rlx_timeline *t = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_timeline_build(s, v, 0, 1000, &t, &d), RLX_OK);
    assert_int_equal(t->cues[0].start, 2000);
    assert_int_equal(t->cues[1].end, 14000);
    assert_int_equal(t->cues[3].start, 15000);
    assert_int_equal(t->cues[5].start, 25500);
    assert_int_equal(t->cues[6].start, 28000);
    assert_int_equal(t->length, 28000);
    rlx_timeline_free(t);
    free(v);
    rlx_session_free(s);

    /* a relative end stretched through its anchor */
    s = parse_ok("0:00 silence 10 s .. 20 s\n+0 s end\n");
    int64_t nat, lng;
    assert_int_equal(rlx_timeline_lengths(s, NULL, &nat, &lng, &d), RLX_OK);
    assert_int_equal(nat, 10000);
    assert_int_equal(lng, 20000);
    assert_int_equal(rlx_timeline_build(s, NULL, 15000, 1000, &t, &d), RLX_OK);
    assert_int_equal(t->length, 15000);
    rlx_timeline_free(t);
    rlx_session_free(s);
}

static void overlaps_and_after_end(void **state)
{
    (void)state;
    rlx_session *s = parse_ok("0:00 say \"a\"\n0:05.2 say \"b\"\n0:30 end\n");
    const int64_t each[] = {0, 7900, -1};
    int64_t *v = voices(s, 1000, each);
    rlx_timeline *t = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_timeline_build(s, v, 0, RATE, &t, &d), RLX_ERR_SESSION);
    assert_null(t);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].message, "'say' starts at 0:05.2 while the previous voice cue runs until 0:07.9");
    assert_int_equal(d.items[0].line, 6);
    assert_int_equal(d.items[0].col, 1);
    assert_string_equal(d.items[0].file, "t.session");
    rlx_diags_free(&d);
    /* lengths reports it too */
    assert_int_equal(rlx_timeline_lengths(s, v, NULL, NULL, &d), RLX_ERR_SESSION);
    assert_int_equal(d.errors, 1);
    rlx_diags_free(&d);
    free(v);
    rlx_session_free(s);

    /* a voice inside a silence */
    s = parse_ok("0:00 silence 10 s\n0:05 play a.flac\n0:30 end\n");
    v = voices(s, 1000, NULL);
    assert_int_equal(rlx_timeline_build(s, v, 0, RATE, &t, &d), RLX_ERR_SESSION);
    assert_string_equal(d.items[0].message, "'play' starts at 0:05 during the silence from 0:00 to 0:10 (line 5)");
    rlx_diags_free(&d);
    free(v);
    rlx_session_free(s);

    /* a relative cue after the end, a voice running past it */
    s = parse_ok("0:00 say \"a\"\n+5 s chime\n0:06 end\n");
    v = voices(s, 3000, NULL);
    assert_int_equal(rlx_timeline_build(s, v, 0, RATE, &t, &d), RLX_ERR_SESSION);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].message, "'chime' starts at 0:08, after 'end' at 0:06");
    assert_int_equal(d.items[0].line, 6);
    rlx_diags_free(&d);
    free(v);
    v = voices(s, 7000, NULL);
    assert_int_equal(rlx_timeline_build(s, v, 0, RATE, &t, &d), RLX_ERR_SESSION);
    assert_string_equal(d.items[0].message, "'say' runs until 0:07, past 'end' at 0:06");
    rlx_diags_free(&d);
    free(v);
    rlx_session_free(s);

    /* a silence during a voice; a session longer than a day */
    s = parse_ok("0:00 say \"a\"\n0:02 silence 5 s\n0:30 end\n");
    v = voices(s, 3000, NULL);
    assert_int_equal(rlx_timeline_build(s, v, 0, RATE, &t, &d), RLX_ERR_SESSION);
    assert_string_equal(d.items[0].message, "silence starts at 0:02 while the previous voice cue runs until 0:03 (line 5)");
    assert_int_equal(d.items[0].line, 6);
    rlx_diags_free(&d);
    free(v);
    rlx_session_free(s);
    s = parse_ok("23:00:00 silence 60 min\n+60 min end\n");
    assert_int_equal(rlx_timeline_lengths(s, NULL, NULL, NULL, &d), RLX_ERR_SESSION);
    assert_string_equal(d.items[0].message, "'end' at 25:00:00: sessions last at most 24 hours");
    rlx_diags_free(&d);
    rlx_session_free(s);

    /* adjacent voices touch but do not overlap */
    s = parse_ok("0:00 say \"a\"\n+0 s say \"b\"\n0:10 end\n");
    v = voices(s, 2000, NULL);
    assert_int_equal(rlx_timeline_build(s, v, 0, RATE, &t, &d), RLX_OK);
    rlx_timeline_free(t);
    free(v);
    rlx_session_free(s);

    /* bad rate */
    s = parse_ok("0:10 end\n");
    assert_int_equal(rlx_timeline_build(s, NULL, 0, 0, &t, &d), RLX_ERR_USAGE);
    rlx_diags_free(&d);
    rlx_session_free(s);
}

static void breath_cycles(void **state)
{
    (void)state;
    /* default 4 0 6 0: 10 s cycles from 0 */
    rlx_session *s = parse_ok("1:00 end\n");
    rlx_timeline *t = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_timeline_build(s, NULL, 0, RATE, &t, &d), RLX_OK);
    assert_int_equal(t->nbreaths, 6);
    for (size_t k = 0; k < 6; k++) {
        assert_int_equal(t->breaths[k].start, F(10000 * (int64_t)k));
        assert_int_equal(t->breaths[k].pattern.inhale_ms, 4000);
        assert_true(t->breaths[k].start_shape == 0);
    }
    rlx_timeline_free(t);
    rlx_session_free(s);

    /* a new pattern from the next boundary; a sync 1 s into a 2 s inhale
     * (less than half of the 5 s breath) drops that breath and slows the one
     * before it to end at the sync; the sync starts from empty lungs */
    s = parse_ok("0:15 breath 2 1 3 0\n"  /* cycle 10..20 keeps 4 0 6 0; 20.. uses 2 1 3 0 (6 s) */
                 "0:33 breath sync\n"     /* cycles 20, 26, 32: 1 s into a 2 s inhale */
                 "0:40 end\n");
    assert_int_equal(rlx_timeline_build(s, NULL, 0, RATE, &t, &d), RLX_OK);
    const int64_t st[] = {0, 10000, 20000, 26000, 33000, 39000};
    assert_int_equal(t->nbreaths, 6);
    for (size_t k = 0; k < 6; k++) {
        assert_int_equal(t->breaths[k].start, F(st[k]));
        assert_true(t->breaths[k].start_shape == 0);
    }
    assert_int_equal(t->breaths[1].pattern.inhale_ms, 4000);
    assert_int_equal(t->breaths[2].pattern.inhale_ms, 2000);
    assert_int_equal(t->breaths[2].pattern.hold_in_ms, 1000);
    /* 26..33 s: the 6 s breath slowed by 7/6 */
    assert_int_equal(t->breaths[3].pattern.inhale_ms, 2333);
    assert_int_equal(t->breaths[3].pattern.exhale_ms, 3500);
    assert_true(rlx_timeline_breath_shape(t, F(33000) - 1, NULL) == 0.0);
    assert_true(rlx_timeline_breath_shape(t, F(33000), NULL) == 0.0);
    assert_true(fabs(rlx_timeline_breath_shape(t, F(34000), NULL) - 0.5) < 1e-12);
    rlx_timeline_free(t);
    rlx_session_free(s);

    /* sync during the hold at the top (5 s into 12 s of breathing): that
     * breath is quickened to end at the sync; at a boundary nothing changes */
    s = parse_ok("0:00 breath 4 4 4 4\n0:07 breath sync\n0:23 breath sync\n0:30 end\n");
    assert_int_equal(rlx_timeline_build(s, NULL, 0, RATE, &t, &d), RLX_OK);
    const int64_t st2[] = {0, 7000, 23000};
    assert_int_equal(t->nbreaths, 3);
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(t->breaths[k].start, F(st2[k]));
        assert_true(t->breaths[k].start_shape == 0);
    }
    assert_int_equal(t->breaths[0].pattern.inhale_ms, 2333);
    assert_int_equal(t->breaths[0].pattern.exhale_ms, 2333);
    assert_int_equal(t->breaths[1].pattern.hold_out_ms, 4000);
    assert_true(rlx_timeline_breath_shape(t, F(7000) - 1, NULL) == 0.0);
    rlx_timeline_free(t);
    rlx_session_free(s);

    /* a sync early in the very first breath: a rest at the bottom until it */
    s = parse_ok("0:01.5 breath sync\n0:20 end\n");
    assert_int_equal(rlx_timeline_build(s, NULL, 0, RATE, &t, &d), RLX_OK);
    assert_int_equal(t->nbreaths, 3);
    assert_int_equal(t->breaths[0].pattern.inhale_ms, 0);
    assert_int_equal(t->breaths[0].pattern.exhale_ms, 0);
    assert_true(rlx_timeline_breath_shape(t, F(1000), NULL) == 0.0);
    assert_int_equal(t->breaths[1].start, F(1500));
    assert_int_equal(t->breaths[2].start, F(11500));
    rlx_timeline_free(t);
    rlx_session_free(s);

    /* during the hold at the bottom: nothing to fit */
    s = parse_ok("0:00 breath 4 0 4 2\n0:09 breath sync\n0:20 end\n");
    assert_int_equal(rlx_timeline_build(s, NULL, 0, RATE, &t, &d), RLX_OK);
    assert_int_equal(t->breaths[0].pattern.exhale_ms, 4000);
    assert_int_equal(t->breaths[1].start, F(9000));
    rlx_timeline_free(t);
    rlx_session_free(s);
}

static void readme_breaths_follow_the_stretch(void **state)
{
    (void)state;
    rlx_session *s = parse_ok(readme_timeline);
    int64_t *v = voices(s, 5000, NULL);
    rlx_timeline *t = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_timeline_build(s, v, 900000, RATE, &t, &d), RLX_OK);
    /* the sync cue sits at the end of the stretched silence, and a cycle starts there */
    int64_t sync = t->cues[6].start;
    bool found = false;
    for (size_t k = 0; k < t->nbreaths; k++) {
        if (k)
            assert_true(t->breaths[k].start > t->breaths[k - 1].start);
        if (t->breaths[k].start == sync) {
            found = true;
            assert_int_equal(t->breaths[k].pattern.hold_in_ms, 7000);
        }
        assert_true(t->breaths[k].start < t->length);
    }
    assert_true(found);
    rlx_timeline_free(t);
    free(v);
    rlx_session_free(s);
    rlx_timeline_free(NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The most cues a session may hold (RLX_SESSION_MAX_CUES): parsed and built quickly. */
static void four_megabytes_of_cues(void **state)
{
    (void)state;
    size_t cap = 4 * 1024 * 1024, used = 0;
    char *text = malloc(cap);
    used += (size_t)snprintf(text, cap, "[session]\nid = a\ntitle = \"A\"\n[timeline]\n");
    for (int i = 0; used + 64 < cap && i < RLX_SESSION_MAX_CUES - 1; i++)
        used += (size_t)snprintf(text + used, cap - used, "%s\n",
                                 i % 2 ? "+0 s silence 0 s .. 2 s" : "+0 s say \"x\" gain -1 dB");
    used += (size_t)snprintf(text + used, cap - used, "+0 s end\n");
    double t0 = now_s();
    rlx_session *s = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_session_parse_buffer("big", text, used, &nocheck, &s, &d), RLX_OK);
    assert_int_equal(s->ncues, RLX_SESSION_MAX_CUES);
    int64_t *v = voices(s, 100, NULL);
    int64_t nat, lng;
    assert_int_equal(rlx_timeline_lengths(s, v, &nat, &lng, &d), RLX_OK);
    assert_int_equal(lng, 24 * 3600 * 1000); /* capped at a day */
    rlx_timeline *t = NULL;
    assert_int_equal(rlx_timeline_build(s, v, lng, RATE, &t, &d), RLX_OK);
    assert_int_equal(t->length, F(lng));
    double took = now_s() - t0;
    fprintf(stderr, "4 MB of cues: parsed and built in %.3f s\n", took);
    assert_true(took < 3.0); /* well under a second in a normal build; sanitizers are slower */
    rlx_timeline_free(t);
    free(v);
    rlx_session_free(s);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readme_natural_and_stretched),
        cmocka_unit_test(stretch_is_proportional),
        cmocka_unit_test(relative_times),
        cmocka_unit_test(overlaps_and_after_end),
        cmocka_unit_test(breath_cycles),
        cmocka_unit_test(readme_breaths_follow_the_stretch),
        cmocka_unit_test(four_megabytes_of_cues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
