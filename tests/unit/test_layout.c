/* test_layout.c - a session at any length: which version plays (optional
 * cues, `from D` lines), the tail, the bad input around them, and the ten
 * weeks laid out at 10 min, natural, 30, 60 and 90 min. Voice durations come
 * from a fixed reading speed (no TTS), so this runs in well under a second;
 * test_content checks the ranges with the real voice. */
#include "rlx_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/automation.h"
#include "session/session.h"
#include "session/timeline.h"

#define RATE 48000
#define MIN (60 * 1000)

static rlx_session *parse(const char *text, rlx_diags *d)
{
    rlx_session *s = NULL;
    rlx_parse_config cfg = {0};
    rlx_session_parse_buffer("t.session", text, strlen(text), &cfg, &s, d);
    return s;
}

static const char *first_error(const rlx_diags *d)
{
    for (size_t i = 0; i < d->count; i++)
        if (d->items[i].severity == RLX_DIAG_ERROR)
            return d->items[i].message;
    return "";
}

static const char *HEAD = "[session]\nid = t\ntitle = \"T\"\n[timeline]\n";

static char *with_head(const char *timeline)
{
    char *b = malloc(strlen(HEAD) + strlen(timeline) + 1);
    assert_non_null(b);
    strcpy(b, HEAD);
    strcat(b, timeline);
    return b;
}

/* ---- the language ---------------------------------------------------------- */

static void flags_and_blocks(void **state)
{
    (void)state;
    char *src = with_head("0:00 say \"hello\"\n"
                          "+1 s say \"maybe\" optional\n"
                          "+1 s silence 5 s optional 3\n"
                          "optional 2 {\n"
                          "+1 s say \"in a block\"\n"
                          "+1 s chime\n"
                          "}\n"
                          "from 45 min {\n"
                          "+1 s say \"still here\"\n"
                          "+0 s silence 1 min .. 10 min\n"
                          "}\n"
                          "+1 s say \"long only\" from 60 min\n"
                          "+1 s end\n");
    rlx_diags d = {0};
    rlx_session *s = parse(src, &d);
    if (!s)
        fprintf(stderr, "%s\n", first_error(&d));
    assert_non_null(s);
    assert_int_equal(s->ncues, 9);
    int want_opt[] = {0, 1, 3, 2, 2, 0, 0, 0, 0};
    int64_t want_from[] = {0, 0, 0, 0, 0, 45 * MIN, 45 * MIN, 60 * MIN, 0};
    for (size_t i = 0; i < s->ncues; i++) {
        assert_int_equal(s->cues[i].optional, want_opt[i]);
        assert_int_equal(s->cues[i].from_ms, want_from[i]);
    }
    rlx_session_free(s);
    rlx_diags_free(&d);
    free(src);
}

static void bad_blocks(void **state)
{
    (void)state;
    static const struct {
        const char *timeline, *msg;
    } cases[] = {
        {"0:00 say \"a\"\noptional {\n+1 s say \"b\"\n+1 s end\n}\n",
         "'end' inside the block opened on line 6: only say, play, silence and chime lines can be left out"},
        {"0:00 say \"a\"\noptional {\n+1 s say \"b\"\n",
         "the timeline has no 'end': the block opened on line 6 is never closed"},
        {"0:00 fade-in 2 s optional\n+1 s end\n", "'fade-in' can never be left out"},
        {"0:00 say \"a\"\n+1 s end optional\n", "'end' can never be left out"},
        {"optional {\nfrom 40 min {\n}\n}\n0:00 end\n", "blocks do not nest"},
        {"}\n0:00 end\n", "'}' without an open"},
        {"0:00 say \"a\" optional 12\n0:01 end\n", "'optional' takes a level from 1 to 9"},
        {"0:00 say \"a\" from 0 s\n0:01 end\n", "'from' needs a session length"},
        {"optional\n0:00 end\n", "expected '{' to open the block"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char *src = with_head(cases[k].timeline);
        rlx_diags d = {0};
        rlx_session *s = parse(src, &d);
        if (s || !strstr(first_error(&d), cases[k].msg))
            fprintf(stderr, "case %zu: got '%s'\n", k, first_error(&d));
        assert_null(s);
        assert_non_null(strstr(first_error(&d), cases[k].msg));
        rlx_diags_free(&d);
        free(src);
    }
}

/* ---- picking the version ----------------------------------------------------- */

/* natural 70 s (10 + 30 + 20 + 10), shortest 20 s, longest 135 s (the
 * `from 2 min` silence is in from 2 min on) */
static const char *VERSIONS = "0:00 silence 10 s .. 20 s\n"
                              "+0 s silence 30 s optional\n"
                              "+0 s silence 20 s optional 2\n"
                              "+0 s silence 5 s from 2 min\n"
                              "+0 s silence 10 s .. 60 s\n"
                              "+0 s end\n";

static rlx_timeline *build(const rlx_session *s, int64_t length_ms, int64_t tail_ms, rlx_err want,
                           rlx_diags *d)
{
    rlx_timeline *t = NULL;
    rlx_timeline_opts o = {.length_ms = length_ms, .tail_ms = tail_ms};
    rlx_err e = rlx_timeline_build_opts(s, NULL, &o, 1000, &t, d);
    if (e != want)
        fprintf(stderr, "length %lld: %s\n", (long long)length_ms, first_error(d));
    assert_int_equal(e, want);
    return t;
}

static void versions(void **state)
{
    (void)state;
    char *src = with_head(VERSIONS);
    rlx_diags d = {0};
    rlx_session *s = parse(src, &d);
    assert_non_null(s);
    int64_t lo, nat, hi;
    assert_int_equal(rlx_timeline_range(s, NULL, 0, &lo, &nat, &hi, &d), RLX_OK);
    assert_int_equal(lo, 20000);
    assert_int_equal(nat, 70000);
    assert_int_equal(hi, 135000);

    rlx_timeline *t = build(s, 0, 0, RLX_OK, &d);     /* natural: nothing left out but `from` */
    assert_int_equal(t->length, 70000);
    assert_int_equal(t->nomitted, 1);
    assert_true(t->cues[3].omitted);
    rlx_timeline_free(t);

    t = build(s, 50000, 0, RLX_OK, &d);              /* level 1 goes */
    assert_int_equal(t->length, 50000);
    assert_true(t->cues[1].omitted && !t->cues[2].omitted);
    assert_int_equal(t->dropped_level, 1);
    /* the cue after a left-out one counts from the one before it */
    assert_int_equal(t->cues[2].start, t->cues[0].end);
    rlx_timeline_free(t);

    t = build(s, 30000, 0, RLX_OK, &d);              /* levels 1 and 2 go */
    assert_int_equal(t->length, 30000);
    assert_true(t->cues[1].omitted && t->cues[2].omitted);
    rlx_timeline_free(t);

    t = build(s, 125000, 0, RLX_OK, &d);             /* the `from 2 min` line is in */
    assert_int_equal(t->length, 125000);
    assert_false(t->cues[3].omitted);
    assert_int_equal(t->nomitted, 0);
    rlx_timeline_free(t);

    t = build(s, 115000, 0, RLX_OK, &d);             /* ... and out below 2 min */
    assert_true(t->cues[3].omitted);
    rlx_timeline_free(t);

    /* too short and too long: the range and the nearest length in one line */
    rlx_diags_free(&d);
    build(s, 15000, 0, RLX_ERR_LENGTH, &d);
    assert_string_equal(first_error(&d),
                        "length 0:15 is outside what this session allows: 0:20 to 2:15 (nearest that works: 0:20)");
    rlx_diags_free(&d);
    build(s, 3 * MIN, 0, RLX_ERR_LENGTH, &d);
    assert_non_null(strstr(first_error(&d), "(nearest that works: 2:15)"));
    assert_int_equal(rlx_timeline_nearest(s, NULL, 0, 3 * MIN), 135000);
    assert_false(rlx_timeline_fits(s, NULL, 0, 19999));
    assert_true(rlx_timeline_fits(s, NULL, 0, 20000));
    rlx_diags_free(&d);
    rlx_session_free(s);
    free(src);
}

static void tail(void **state)
{
    (void)state;
    char *src = with_head("0:00 fade-in 1 s\n"
                          "+0 s silence 10 s .. 20 s\n"
                          "+0 s fade-out 5 s\n"
                          "+5 s end\n");
    rlx_diags d = {0};
    rlx_session *s = parse(src, &d);
    assert_non_null(s);
    rlx_timeline *t = build(s, 0, 30000, RLX_OK, &d);    /* natural + tail */
    assert_int_equal(t->length, 45000);
    assert_int_equal(t->tail, 30000);
    assert_int_equal(t->tail_start, 10000);              /* after the guided part */
    assert_int_equal(t->cues[2].start, 40000);           /* the fade-out follows the tail */
    rlx_timeline_free(t);
    t = build(s, 50000, 30000, RLX_OK, &d);              /* the rest stretches the pause */
    assert_int_equal(t->length, 50000);
    assert_int_equal(t->tail_start, 15000);
    rlx_timeline_free(t);
    /* in the tail the tone fades away over 20 s and the bed plays on */
    t = build(s, 0, 30000, RLX_OK, &d);
    rlx_automation a;
    assert_int_equal(rlx_automation_build(s, t, &a), RLX_OK);
    rlx_gains before = rlx_automation_gains(&a, t->tail_start - 1, NULL);
    rlx_gains during = rlx_automation_gains(&a, t->tail_start + 10000, NULL);
    rlx_gains after = rlx_automation_gains(&a, t->tail_start + 21000, NULL);
    assert_true(before.breath > 0);
    assert_true(during.breath > 0 && during.breath < before.breath);
    assert_true(after.breath == 0);
    assert_true(after.ambient == before.ambient);
    assert_true(after.master == 1.0);                    /* the fade-out comes after the tail */
    rlx_automation_free(&a);
    rlx_timeline_free(t);
    build(s, 40000, 30000, RLX_ERR_LENGTH, &d);           /* the tail does not fit */
    rlx_diags_free(&d);
    build(s, 0, RLX_TIMELINE_TAIL_MAX_MS + 1, RLX_ERR_USAGE, &d);
    rlx_diags_free(&d);
    rlx_session_free(s);
    free(src);
}

/* ---- the ten weeks ------------------------------------------------------------ */

static rlx_session *load_week(int week)
{
    char rel[64];
    snprintf(rel, sizeof rel, "sessions/week-%02d.session", week);
    char *path = rlx_test_source_path(rel);
    rlx_parse_config cfg = {0};
    rlx_diags d = {0};
    rlx_session *s = NULL;
    assert_int_equal(rlx_session_parse(path, &cfg, &s, &d), RLX_OK);
    rlx_diags_free(&d);
    free(path);
    return s;
}

/* About 150 words a minute: the program's voice at its pace. */
static int64_t *reading_times(const rlx_session *s)
{
    int64_t *ms = calloc(s->ncues + 1, sizeof *ms);
    assert_non_null(ms);
    for (size_t i = 0; i < s->ncues; i++)
        if (rlx_cue_is_voice(&s->cues[i]) && s->cues[i].text)
            ms[i] = 400 + 62 * (int64_t)strlen(s->cues[i].text);
    return ms;
}

typedef struct {
    int64_t start, end;
} span;

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void check_layout(const rlx_session *s, const rlx_timeline *t, int64_t length_ms, int week)
{
    assert_int_equal(t->length, rlx_ms_to_frames(length_ms, RATE));   /* exactly */
    span *sp = calloc(t->ncues + 1, sizeof *sp);
    size_t n = 0;
    for (size_t i = 0; i < t->ncues; i++) {
        const rlx_cue *c = &s->cues[i];
        const rlx_tl_cue *tc = &t->cues[i];
        if (!c->optional && !c->from_ms && tc->omitted) {
            fprintf(stderr, "week %d at %lld ms: line %d left out\n", week, (long long)length_ms, c->line);
            fail();
        }
        if (tc->omitted)
            continue;
        assert_true(tc->start <= t->length);
        if (rlx_cue_is_voice(c) || c->kind == RLX_CUE_SILENCE) {
            assert_true(tc->end <= t->length);
            if (tc->end > tc->start)
                sp[n++] = (span){tc->start, tc->end};
        }
    }
    qsort(sp, n, sizeof *sp, cmp_span);
    for (size_t k = 1; k < n; k++)
        assert_true(sp[k].start >= sp[k - 1].end);   /* no overlap */
    free(sp);
}

static void ten_weeks_at_every_length(void **state)
{
    (void)state;
    for (int w = 1; w <= 10; w++) {
        rlx_session *s = load_week(w);
        int64_t *ms = reading_times(s);
        rlx_diags d = {0};
        int64_t lo, nat, hi;
        assert_int_equal(rlx_timeline_range(s, ms, 0, &lo, &nat, &hi, &d), RLX_OK);
        if (lo > 10 * MIN || hi < 90 * MIN)
            fprintf(stderr, "week %d plays at %lld to %lld s\n", w, (long long)lo / 1000, (long long)hi / 1000);
        assert_true(lo <= 10 * MIN);
        assert_true(hi >= 90 * MIN);
        int64_t lengths[] = {10 * MIN, 0, 30 * MIN, 60 * MIN, 90 * MIN};
        for (size_t k = 0; k < sizeof lengths / sizeof *lengths; k++) {
            rlx_timeline *t = NULL;
            rlx_timeline_opts o = {.length_ms = lengths[k]};
            rlx_err e = rlx_timeline_build_opts(s, ms, &o, RATE, &t, &d);
            if (e != RLX_OK)
                fprintf(stderr, "week %d at %lld ms: %s\n", w, (long long)lengths[k], first_error(&d));
            assert_int_equal(e, RLX_OK);
            check_layout(s, t, lengths[k] ? lengths[k] : nat, w);
            /* the re-anchoring lines: none at 30 min, all at 90 */
            size_t from_in = 0, from_all = 0;
            for (size_t i = 0; i < t->ncues; i++)
                if (s->cues[i].from_ms) {
                    from_all++;
                    from_in += !t->cues[i].omitted;
                }
            assert_true(from_all >= 2);
            if (lengths[k] == 30 * MIN || lengths[k] == 0)
                assert_int_equal(from_in, 0);
            if (lengths[k] == 90 * MIN)
                assert_int_equal(from_in, from_all);
            if (lengths[k] == 10 * MIN)
                assert_true(t->nomitted > 0);
            rlx_timeline_free(t);
        }
        rlx_diags_free(&d);
        free(ms);
        rlx_session_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flags_and_blocks),
        cmocka_unit_test(bad_blocks),
        cmocka_unit_test(versions),
        cmocka_unit_test(tail),
        cmocka_unit_test(ten_weeks_at_every_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
