/* test_breath_check.c - breathing invitations in a line's text, and the
 * warning when the tone does the opposite (what `relax check` reports). */
#include "rlx_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/breath_check.h"

#define RATE 48000

static const rlx_parse_config nocheck = {.asset_dirs = NULL, .check_files = false};

static void invites_in_text(void **state)
{
    (void)state;
    rlx_breath_invite v[8];
    const char *t = "Breathing in, as the tone rises. And a long, soft breath out as it falls.";
    size_t n = rlx_breath_invites(t, v, 8);
    assert_int_equal(n, 4);
    assert_int_equal(v[0].dir, RLX_INVITE_IN);
    assert_int_equal(v[0].at, 0);
    assert_int_equal(v[0].len, strlen("Breathing in"));
    assert_int_equal(v[1].dir, RLX_INVITE_IN);     /* as the tone rises */
    assert_int_equal(v[2].dir, RLX_INVITE_OUT);    /* breath out */
    assert_int_equal(v[2].at, (size_t)(strstr(t, "breath out") - t));
    assert_int_equal(v[3].dir, RLX_INVITE_OUT);    /* as it falls */
    /* descriptions are not invitations */
    assert_int_equal(rlx_breath_invites("Or simply breathing in your own way.", v, 8), 0);
    assert_int_equal(rlx_breath_invites("You breathe in for four, and out for eight.", v, 8), 0);
    assert_int_equal(rlx_breath_invites("The out breath is longer than the in breath.", v, 8), 0);
    assert_int_equal(rlx_breath_invites("A soft tone that rises and falls.", v, 8), 0);
    assert_int_equal(rlx_breath_invites("Inbreathing in.", v, 8), 0);   /* word boundary */
    assert_int_equal(rlx_breath_invites(NULL, v, 8), 0);
}

/* Findings for a session whose voice cues all last voice_ms. */
static size_t findings(const char *timeline, int64_t voice_ms, rlx_breath_finding **f)
{
    char text[4096];
    snprintf(text, sizeof text,
             "[session]\nid = t\ntitle = \"T\"\n[breath]\npattern = 4 0 6 0\n[timeline]\n%s",
             timeline);
    rlx_session *s = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_session_parse_buffer("t.session", text, strlen(text), &nocheck, &s, &d),
                     RLX_OK);
    int64_t *v = malloc(s->ncues * sizeof *v);
    for (size_t i = 0; i < s->ncues; i++)
        v[i] = rlx_cue_is_voice(&s->cues[i]) ? voice_ms : -1;
    rlx_timeline *t = NULL;
    assert_int_equal(rlx_timeline_build(s, v, 0, RATE, &t, &d), RLX_OK);
    size_t n = rlx_breath_check(t, f);
    for (size_t k = 0; k < n; k++)
        (*f)[k].cue = (size_t)t->cues[(*f)[k].cue].cue->line;  /* keep the line: s is freed */
    rlx_timeline_free(t);
    rlx_session_free(s);
    rlx_diags_free(&d);
    free(v);
    return n;
}

static void tone_against_words(void **state)
{
    (void)state;
    rlx_breath_finding *f = NULL;
    /* on a cycle start (10 s cycles): the tone rises with the words */
    assert_int_equal(findings("0:10 say \"Breathing in, as the tone rises.\"\n0:30 end\n", 3000, &f), 0);
    free(f);
    /* 4 s into the cycle the tone is falling: warned at the phrase */
    assert_int_equal(findings("0:14 say \"Breathing in, as the tone rises.\"\n0:30 end\n", 3000, &f), 1);
    assert_int_equal(f[0].cue, 7);   /* line 7 of the file */
    assert_int_equal(f[0].at, 0);
    assert_int_equal(f[0].dir, RLX_INVITE_IN);
    assert_string_equal(f[0].problem, "the tone is falling");
    free(f);
    /* ...and a breath sync at the line fixes it */
    assert_int_equal(findings("0:14 breath sync\n0:14 say \"Breathing in, as the tone rises.\"\n0:30 end\n",
                              3000, &f), 0);
    free(f);
    /* the invitation late in a long line: heard as the tone tops out */
    assert_int_equal(findings("0:10 say \"If you'd like, you can let the tone guide your breath "
                              "for a while. Breathing in as it rises.\"\n0:30 end\n", 6000, &f), 1);
    assert_int_equal(f[0].dir, RLX_INVITE_IN);
    assert_true(f[0].frame > 14 * RATE && f[0].frame < 15 * RATE);
    /* two seconds into a 4 s inhale, still rising but past half way */
    free(f);
    assert_int_equal(findings("0:12.5 say \"Breathing in.\"\n0:30 end\n", 1000, &f), 1);
    assert_string_equal(f[0].problem, "the tone is already near the top");
    free(f);
    /* breathing out while the tone rises */
    assert_int_equal(findings("0:10 say \"Breathing out, slowly.\"\n0:30 end\n", 2000, &f), 1);
    assert_int_equal(f[0].dir, RLX_INVITE_OUT);
    assert_string_equal(f[0].problem, "the tone is rising");
    free(f);
    /* "in ... and out as it falls" in one line: the out refers to the coming exhale */
    assert_int_equal(findings("0:10 say \"Breathing in as the tone rises, and out as it falls.\"\n"
                              "0:30 end\n", 3500, &f), 0);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invites_in_text),
        cmocka_unit_test(tone_against_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
