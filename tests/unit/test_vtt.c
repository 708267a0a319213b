/* test_vtt.c - WebVTT captions: header, timestamp format, order, wrapping, escaping. */
#include "rlx_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/captions_vtt.h"

#define RATE 48000

typedef struct {
    rlx_cue cues[8];
    rlx_tl_cue tl[8];
    rlx_timeline t;
} fixture;

static void add(fixture *x, rlx_cue_kind kind, const char *text, const char *file,
                double start_s, double end_s)
{
    size_t i = x->t.ncues++;
    x->cues[i] = (rlx_cue){.kind = kind, .text = (char *)text, .file = (char *)file};
    x->tl[i] = (rlx_tl_cue){.cue = &x->cues[i], .start = (int64_t)(start_s * RATE),
                            .end = (int64_t)(end_s * RATE)};
}

static void init(fixture *x)
{
    memset(x, 0, sizeof *x);
    x->t.rate = RATE;
    x->t.cues = x->tl;
}

/* Runs the writer into a malloc'ed string. */
static char *write_vtt(const rlx_timeline *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(rlx_vtt_write(f, t), RLX_OK);
    fclose(f);
    return buf;
}

static void timestamps(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(rlx_vtt_timestamp(0, b, sizeof b), "00:00:00.000");
    assert_string_equal(rlx_vtt_timestamp(3000, b, sizeof b), "00:00:03.000");
    assert_string_equal(rlx_vtt_timestamp(7250, b, sizeof b), "00:00:07.250");
    assert_string_equal(rlx_vtt_timestamp(3723004, b, sizeof b), "01:02:03.004");
    assert_string_equal(rlx_vtt_timestamp(-5, b, sizeof b), "00:00:00.000");
}

static void header_and_cues(void **state)
{
    (void)state;
    fixture x;
    init(&x);
    add(&x, RLX_CUE_FADE_IN, NULL, NULL, 0, 0);
    add(&x, RLX_CUE_SAY, "Welcome back.", NULL, 3, 7.25);
    add(&x, RLX_CUE_PLAY, NULL, "shoulders.flac", 8, 10);          /* no caption: skipped */
    add(&x, RLX_CUE_PLAY, "Bring your attention <here> & rest.", "a.flac", 40, 44.5);
    add(&x, RLX_CUE_CHIME, NULL, NULL, 50, 50);
    char *out = write_vtt(&x.t);
    assert_string_equal(out,
                        "WEBVTT\n"
                        "\n1\n00:00:03.000 --> 00:00:07.250\nWelcome back.\n"
                        "\n2\n00:00:40.000 --> 00:00:44.500\nBring your attention &lt;here&gt; &amp; rest.\n");
    free(out);
}

static void empty_session_is_just_the_header(void **state)
{
    (void)state;
    fixture x;
    init(&x);
    add(&x, RLX_CUE_SILENCE, NULL, NULL, 0, 10);
    char *out = write_vtt(&x.t);
    assert_string_equal(out, "WEBVTT\n");
    free(out);
}

/* Parses "hh:mm:ss.ttt" at p into ms. */
static long long parse_ts(const char *p)
{
    int h, m, s, ms;
    assert_int_equal(sscanf(p, "%d:%d:%d.%d", &h, &m, &s, &ms), 4);
    return ((h * 60LL + m) * 60 + s) * 1000 + ms;
}

static void long_text_wraps_and_splits_in_order(void **state)
{
    (void)state;
    fixture x;
    init(&x);
    const char *longtext =
        "Now let your attention move slowly down from the crown of your head, across the "
        "forehead, around the eyes and the jaw, noticing any tightness without needing to "
        "change it, and then further down into the neck and the shoulders.";
    add(&x, RLX_CUE_SAY, "Second in time, first in the file?", NULL, 100, 103);
    add(&x, RLX_CUE_SAY, longtext, NULL, 20, 50);
    add(&x, RLX_CUE_SAY, "Ünïcödé wörds with accents, counted as characters not bytes.", NULL, 60, 65);
    char *out = write_vtt(&x.t);
    assert_true(!strncmp(out, "WEBVTT\n\n", 8));
    long long prev_end = -1;
    int ncues = 0, lines_in_cue = 0;
    for (char *line = strtok(out + 7, "\n"); line; line = strtok(NULL, "\n")) {
        char *arrow = strstr(line, " --> ");
        if (arrow) {
            assert_int_equal(arrow - line, 12);
            assert_int_equal(strlen(line), 29);
            long long a = parse_ts(line), b = parse_ts(arrow + 5);
            assert_true(a < b);
            assert_true(a >= prev_end);   /* in time order, not overlapping */
            prev_end = b;
            ncues++;
            lines_in_cue = 0;
            continue;
        }
        if (strspn(line, "0123456789") == strlen(line))
            continue;   /* a cue number */
        assert_true(++lines_in_cue <= 2);
        /* caption lines: at most 42 characters (code points) */
        size_t cps = 0;
        for (const char *p = line; *p; p++)
            cps += ((unsigned char)*p & 0xC0) != 0x80;
        assert_true(cps <= RLX_VTT_LINE_CHARS);
    }
    /* long text: 5 lines -> 3 cues, plus the two short ones */
    assert_true(ncues >= 4);
    assert_int_equal(prev_end, 103000);
    free(out);
}

static void wrap_cuts_words_longer_than_a_line(void **state)
{
    (void)state;
    size_t st[8], ln[8];
    const char *t = "aaaaaaaaaabbbbb cc";
    size_t n = rlx_wrap_text(t, 10, st, ln, 8);
    assert_int_equal(n, 2);
    assert_int_equal(st[0], 0);
    assert_int_equal(ln[0], 10);
    assert_int_equal(st[1], 10);
    assert_int_equal(ln[1], 8);   /* "bbbbb cc" */
    n = rlx_wrap_text("  one two  three ", 7, st, ln, 8);
    assert_int_equal(n, 2);
    assert_memory_equal("  one two  three " + st[0], "one two", 7);
    assert_int_equal(ln[0], 7);
    assert_memory_equal("  one two  three " + st[1], "three", 5);
    assert_int_equal(ln[1], 5);
    assert_int_equal(rlx_wrap_text("   ", 7, st, ln, 8), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timestamps),
        cmocka_unit_test(header_and_cues),
        cmocka_unit_test(empty_session_is_just_the_header),
        cmocka_unit_test(long_text_wraps_and_splits_in_order),
        cmocka_unit_test(wrap_cuts_words_longer_than_a_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
