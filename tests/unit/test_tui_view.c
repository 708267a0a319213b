/* test_tui_view.c - the full-screen player's frame (tui_view.c): captions
 * wrap between words only, the spoken lines' ticks sit where they start,
 * the levels show the right share, every size from tiny to large fits the
 * terminal (wide characters counted as two columns), and small terminals
 * keep what matters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cli/tui.h"
#include "cli/tui_view.h"

static const char CAPTION[] = "If it feels right, you might let the jaw soften a little, and notice the breath "
                              "as it comes and goes, without changing anything at all.";

static rlx_tui_frame *frame;
static char lines[64][RLX_TUI_LINE_BYTES];

static int setup(void **state)
{
    (void)state;
    frame = malloc(sizeof *frame);
    return frame ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(frame);
    return 0;
}

static rlx_tui_view base(void)
{
    return (rlx_tui_view){
        .title = "The armour we carry",
        .week = 3,
        .pos_ms = 754000,
        .length_ms = 1800000,
        .caption = CAPTION,
        .breath = 0.6,
        .breath_dir = 1,
        .volume_db = -6,
        .background_db = 2,
    };
}

/* The row holding needle, or -1. */
static int find_row(const rlx_tui_frame *f, const char *needle)
{
    for (int r = 0; r < f->rows; r++)
        if (strstr(f->text[r], needle))
            return r;
    return -1;
}

/* Code point i of s (as a pointer), or NULL. */
static const char *nth_char(const char *s, int i)
{
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80 && i-- == 0)
            return s;
    return NULL;
}

static void wraps_between_words_only(void **state)
{
    (void)state;
    for (int width = 8; width <= 120; width++) {
        int n = rlx_tui_wrap(CAPTION, width, false, lines, 64);
        assert_true(n >= 1);
        char joined[1024] = "";
        for (int i = 0; i < n; i++) {
            assert_true(rlx_tui_columns(lines[i]) <= width);
            assert_true(lines[i][0] != ' ');
            assert_true(lines[i][strlen(lines[i]) - 1] != ' ');
            if (i)
                strcat(joined, " ");
            strcat(joined, lines[i]);
        }
        /* the words are all there, in order, none cut (every word is shorter than 8) */
        assert_string_equal(joined, CAPTION);
        /* and greedy: the next word would not have fitted on the line before */
        for (int i = 0; i + 1 < n; i++) {
            size_t first = strcspn(lines[i + 1], " ");
            assert_true(rlx_tui_columns(lines[i]) + 1 + (int)first > width);
        }
    }
}

static void wrap_cleans_and_splits_only_a_too_long_word(void **state)
{
    (void)state;
    int n = rlx_tui_wrap("  one\ttwo\n\x1b[31mthree  ", 40, false, lines, 4);
    assert_int_equal(n, 1);
    assert_string_equal(lines[0], "one two [31mthree");
    n = rlx_tui_wrap("a Pneumonoultramicroscopic b", 10, false, lines, 8);
    assert_int_equal(n, 4);
    assert_string_equal(lines[0], "a");
    assert_string_equal(lines[1], "Pneumonoul");
    assert_string_equal(lines[2], "tramicrosc");
    assert_string_equal(lines[3], "opic b");
    assert_int_equal(rlx_tui_wrap("", 10, false, lines, 3), 0);
    assert_int_equal(rlx_tui_wrap(NULL, 10, false, lines, 3), 0);
}

static void wrap_says_when_it_is_cut(void **state)
{
    (void)state;
    int n = rlx_tui_wrap(CAPTION, 30, false, lines, 2);
    assert_int_equal(n, 2);
    assert_string_equal(lines[0], "If it feels right, you might");
    size_t len = strlen(lines[1]);
    assert_true(len > 3 && !strcmp(lines[1] + len - 3, "\xe2\x80\xa6"));
    assert_true(rlx_tui_columns(lines[1]) <= 30);
    n = rlx_tui_wrap(CAPTION, 30, true, lines, 2);
    len = strlen(lines[1]);
    assert_string_equal(lines[1] + len - 3, "...");
    assert_true(rlx_tui_columns(lines[1]) <= 30);
}

/* Every size, every mode: rows fit (the last column stays free), valid
 * UTF-8, no control bytes; ASCII mode is ASCII. */
/* Wide and combining characters, as a terminal shows them: the test's own
 * count (a table of the few it uses), not the one under test. */
#define SEA "\xe6\xb5\xb7"           /* 海 U+6D77, two columns */
#define WAVE "\xf0\x9f\x8c\x8a"     /* 🌊 U+1F30A, two columns */
#define ACUTE "\xcc\x81"             /* U+0301 combining acute, none */

static int shown_cols(const char *s)
{
    int n = 0;
    while (*s) {
        if (!strncmp(s, SEA, 3) || !strncmp(s, WAVE, 4)) {
            n += 2;
            s += *s == SEA[0] ? 3 : 4;
        } else if (!strncmp(s, ACUTE, 2)) {
            s += 2;
        } else {
            n += ((unsigned char)*s & 0xc0) != 0x80;
            s++;
        }
    }
    return n;
}

static void wide_and_combining_characters(void **state)
{
    (void)state;
    assert_int_equal(rlx_tui_columns(SEA SEA SEA), 6);
    assert_int_equal(rlx_tui_columns(WAVE " Ocean"), 8);
    assert_int_equal(rlx_tui_columns("Cafe" ACUTE), 4);
    /* wrapped at 5 columns: never a wide character across the edge */
    int n = rlx_tui_wrap(SEA " " SEA SEA " " SEA SEA SEA, 5, false, lines, 8);
    assert_int_equal(n, 4);
    assert_string_equal(lines[0], SEA);
    assert_string_equal(lines[1], SEA SEA);
    assert_string_equal(lines[2], SEA SEA);
    assert_string_equal(lines[3], SEA);
    /* every row of every size within the terminal, by the terminal's count */
    rlx_tui_view v = base();
    v.title = WAVE " The sea " SEA SEA SEA SEA SEA SEA " Cafe" ACUTE " evening";
    v.caption = SEA SEA SEA SEA SEA SEA SEA SEA SEA SEA SEA SEA SEA SEA SEA SEA " " WAVE WAVE WAVE " breathing";
    for (int cols = 1; cols <= 120; cols++)
        for (int rows = 1; rows <= 30; rows += rows < 12 ? 1 : 6) {
            rlx_tui_layout(&v, cols, rows, frame);
            for (int r = 0; r < rows; r++)
                if (shown_cols(frame->text[r]) > (cols > 1 ? cols - 1 : 1))
                    fail_msg("%dx%d row %d: '%s' is %d columns", cols, rows, r, frame->text[r],
                             shown_cols(frame->text[r]));
        }
    /* and the one-line status of `relax play` */
    rlx_tui_state st = {.title = v.title, .pos_ms = 1000, .total_ms = 60000, .caption = v.caption, .breath = -1};
    for (int width = 2; width <= 120; width++) {
        char buf[1024];
        rlx_tui_format(&st, width, buf, sizeof buf);
        if (shown_cols(buf) > width - 1)
            fail_msg("status line at %d: '%s' is %d columns", width, buf, shown_cols(buf));
    }
}

static void every_size_fits(void **state)
{
    (void)state;
    rlx_tui_view v = base();
    int64_t ticks[] = {0, 300, 5200, 600000, 1799999};
    v.ticks_ms = ticks;
    v.nticks = 5;
    v.note = NULL;
    const char *qr = "##  ##  ##\n##  ##  ##\n##  ##  ##\n";
    for (int mode = 0; mode < 8; mode++) {
        v.ascii = mode & 1;
        v.help = mode & 2;
        v.remote_url = mode & 4 ? "http://192.168.1.20:8787/?key=0123456789abcdef0123456789abcdef" : NULL;
        v.remote_qr = mode & 4 ? qr : NULL;
        v.paused = mode == 3;
        for (int cols = 1; cols <= 200; cols += cols < 50 ? 1 : 7) {
            for (int rows = 1; rows <= 60; rows += rows < 20 ? 1 : 9) {
                rlx_tui_layout(&v, cols, rows, frame);
                assert_int_equal(frame->rows, rows);
                for (int r = 0; r < rows; r++) {
                    const unsigned char *p = (const unsigned char *)frame->text[r];
                    if (rlx_tui_columns(frame->text[r]) > (cols > 1 ? cols - 1 : 1))
                        fail_msg("%dx%d mode %d row %d: '%s'", cols, rows, mode, r, frame->text[r]);
                    for (; *p; p++) {
                        assert_true(*p >= 0x20 && *p != 0x7f);
                        if (v.ascii)
                            assert_true(*p < 0x80);
                    }
                    assert_true(frame->split[r] <= strlen(frame->text[r]));
                }
                if (!frame->status_line) {
                    /* the middle never runs over the title or the bottom rows */
                    assert_non_null(strstr(frame->text[0], "The"));
                    assert_true(strstr(frame->text[rows - 1], "keys") || strstr(frame->text[rows - 1], "q stop"));
                    assert_non_null(strstr(frame->text[rows - 2], "vol"));
                    assert_true(strstr(frame->text[rows - 3], "12:34") != NULL);
                }
            }
        }
    }
}

static void large_shows_everything(void **state)
{
    (void)state;
    rlx_tui_view v = base();
    v.remote_url = "http://127.0.0.1:8787/?key=abc";
    rlx_tui_layout(&v, 100, 30, frame);
    assert_false(frame->status_line);
    assert_non_null(strstr(frame->text[0], "The armour we carry \xc2\xb7 week 3"));
    assert_int_equal(frame->style[0], RLX_TUI_TITLE);
    assert_true(find_row(frame, "\xe2\x96\x91") > 0);   /* the disc */
    assert_true(find_row(frame, "breathe in") > 0);
    assert_true(find_row(frame, "If it feels right, you might let the jaw soften a little, and notice the") > 0);
    assert_true(find_row(frame, "without changing anything at all.") > 0);
    assert_int_equal(find_row(frame, "12:34 "), 27);
    assert_non_null(strstr(frame->text[27], " 17:26 left"));
    assert_int_equal(find_row(frame, "volume -6 dB "), 28);
    assert_int_equal(find_row(frame, "n/p line"), 29);
    assert_true(find_row(frame, "remote http://127.0.0.1:8787/?key=abc") > 0);
    /* a bigger breath, a bigger disc */
    int small = 0, big = 0;
    for (int r = 0; r < 30; r++)
        small += strstr(frame->text[r], "\xe2\x96\x91") != NULL;
    v.breath = 1;
    rlx_tui_layout(&v, 100, 30, frame);
    for (int r = 0; r < 30; r++)
        big += strstr(frame->text[r], "\xe2\x96\x91") != NULL;
    assert_true(big > small);
}

static void ticks_where_lines_start(void **state)
{
    (void)state;
    rlx_tui_view v = base();
    v.ascii = true;
    v.pos_ms = 50000;
    v.length_ms = 100000;
    int64_t ticks[] = {0, 25000, 75000, 99999};
    v.ticks_ms = ticks;
    v.nticks = 4;
    rlx_tui_layout(&v, 100, 30, frame);
    const char *row = frame->text[27];
    /* "  0:50 " then the bar, then " 0:50 left": 96 - 5 - 10 = 81 cells */
    assert_true(!strncmp(row, "  0:50 ", 7));
    const char *bar = row + 7;
    int cells = (int)strlen(bar) - (int)strlen(" 0:50 left");
    assert_int_equal(cells, 81);
    for (int i = 0; i < cells; i++) {
        bool tick = i == 0 || i == 25000 * 81 / 100000 || i == 75000 * 81 / 100000 || i == 80;
        char want = tick ? '+' : i < 41 ? '=' : '-';   /* filled: 81 * 0.5 rounded */
        if (bar[i] != want)
            fail_msg("cell %d: '%c', want '%c' (%s)", i, bar[i], want, bar);
    }
    /* UTF-8: heavy on the part heard, light after it */
    v.ascii = false;
    rlx_tui_layout(&v, 100, 30, frame);
    assert_memory_equal(nth_char(frame->text[27], 7), "\xe2\x95\x8b", 3);
    assert_memory_equal(nth_char(frame->text[27], 7 + 60), "\xe2\x94\xbc", 3);
}

static void levels_show_their_share(void **state)
{
    (void)state;
    rlx_tui_view v = base();
    v.ascii = true;
    static const struct { double vol, bg; const char *want; } cases[] = {
        {-40, -20, "volume -40 dB ..........   background -20 dB .........."},
        {0, 10, "volume 0 dB ##########   background +10 dB ##########"},
        {-20, -5, "volume -20 dB #####.....   background -5 dB #####....."},
        {-6, 0, "volume -6 dB #########.   background +0 dB #######..."},
        {-0.2, -0.3, "volume 0 dB ##########   background +0 dB #######..."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        v.volume_db = cases[i].vol;
        v.background_db = cases[i].bg;
        rlx_tui_layout(&v, 100, 30, frame);
        assert_string_equal(frame->text[28] + 2, cases[i].want);
    }
    /* narrower: fewer cells, then short names */
    v.volume_db = -20;
    v.background_db = -5;
    rlx_tui_layout(&v, 48, 20, frame);
    assert_string_equal(frame->text[18] + 1, "volume -20 dB ###..   background -5 dB ###..");
    rlx_tui_layout(&v, 40, 12, frame);
    assert_string_equal(frame->text[10] + 1, "vol -20 dB ###..  bg -5 dB ###..");
}

static void small_terminals_keep_what_matters(void **state)
{
    (void)state;
    rlx_tui_view v = base();
    rlx_tui_layout(&v, 40, 12, frame);
    assert_false(frame->status_line);
    assert_non_null(strstr(frame->text[0], "The armour we carry"));
    assert_true(find_row(frame, "breathe in") > 0);
    assert_true(find_row(frame, "If it feels right, you might let the") > 0);
    assert_true(find_row(frame, "\xe2\x80\xa6") > 0);    /* the caption goes on */
    assert_true(find_row(frame, "12:34 ") == 9);
    assert_true(find_row(frame, "? keys") == 11);
    /* the help panel: as many keys as fit */
    v.help = true;
    rlx_tui_layout(&v, 40, 12, frame);
    assert_true(find_row(frame, "Keys") > 0);
    assert_true(find_row(frame, "space   pause / resume") > 0);
    assert_true(find_row(frame, "? hides the keys") == 11);
    /* tiny: the one status line */
    v.help = false;
    rlx_tui_layout(&v, 19, 10, frame);
    assert_true(frame->status_line);
    assert_true(!strncmp(frame->text[0], "\xe2\x96\xb6 The armour", 12));
    assert_true(rlx_tui_columns(frame->text[0]) <= 18);
    for (int r = 1; r < 10; r++)
        assert_string_equal(frame->text[r], "");
    rlx_tui_layout(&v, 80, 4, frame);
    assert_true(frame->status_line);
    rlx_tui_layout(&v, 20, 5, frame);
    assert_false(frame->status_line);
}

static void help_and_state(void **state)
{
    (void)state;
    rlx_tui_view v = base();
    v.help = true;
    rlx_tui_layout(&v, 80, 24, frame);
    static const char *keys[] = {"pause / resume", "back / forward 15 s", "next / previous spoken line",
                                 "volume up / down", "background quieter / louder",
                                 "five minutes longer / shorter", "show / hide the keys",
                                 "fade out and stop (Ctrl-C too)"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_true(find_row(frame, keys[i]) > 0);
    assert_int_equal(find_row(frame, "If it feels"), -1);
    v.help = false;
    v.paused = true;
    rlx_tui_layout(&v, 80, 24, frame);
    assert_non_null(strstr(frame->text[0], "\xe2\x80\x96 paused"));
    assert_true(find_row(frame, "paused - space resumes") > 0);
    v.paused = false;
    v.stopping = true;
    rlx_tui_layout(&v, 80, 24, frame);
    assert_non_null(strstr(frame->text[0], "fading out"));
    v.stopping = false;
    v.note = "volume -7 dB";
    rlx_tui_layout(&v, 80, 24, frame);
    assert_string_equal(frame->text[23], "  volume -7 dB");
}

/* Nothing known yet (before the first line, a session without a title or
 * breath, no length): a frame all the same. */
static void empty_view(void **state)
{
    (void)state;
    rlx_tui_view v = {.breath = -1};
    for (int cols = 1; cols <= 120; cols += 7) {
        rlx_tui_layout(&v, cols, 30, frame);
        for (int r = 0; r < 30; r++)
            assert_true(rlx_tui_columns(frame->text[r]) < (cols > 1 ? cols : 2));
    }
    rlx_tui_layout(&v, 80, 24, frame);
    assert_int_equal(find_row(frame, "breathe"), -1);
    assert_true(find_row(frame, "0:00 ") > 0);
}

static void qr_beside_when_it_fits(void **state)
{
    (void)state;
    rlx_tui_view v = base();
    v.remote_url = "http://127.0.0.1:8787/?key=abc";
    v.remote_qr = "#### ####\n#  # #  #\n#### ####\n";
    rlx_tui_layout(&v, 100, 30, frame);
    int r = find_row(frame, "#  # #  #");
    assert_true(r > 0);
    assert_true(frame->split[r] > 0);
    assert_string_equal(frame->text[r] + frame->split[r], "#  # #  #");
    assert_int_equal(rlx_tui_columns(frame->text[r]), 98);   /* flush with the right margin */
    rlx_tui_layout(&v, 50, 30, frame);
    assert_int_equal(find_row(frame, "#  # #  #"), -1);   /* no room: the URL only */
    assert_true(find_row(frame, "remote http://127.0.0.1:8787/?key=abc") > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wraps_between_words_only),
        cmocka_unit_test(wrap_cleans_and_splits_only_a_too_long_word),
        cmocka_unit_test(wrap_says_when_it_is_cut),
        cmocka_unit_test(every_size_fits),
        cmocka_unit_test(wide_and_combining_characters),
        cmocka_unit_test(large_shows_everything),
        cmocka_unit_test(ticks_where_lines_start),
        cmocka_unit_test(levels_show_their_share),
        cmocka_unit_test(small_terminals_keep_what_matters),
        cmocka_unit_test(help_and_state),
        cmocka_unit_test(empty_view),
        cmocka_unit_test(qr_beside_when_it_fits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
