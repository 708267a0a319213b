/* test_tui.c - the status line of `relax play`: fits the width, never cuts a
 * character, drops control bytes, and falls back to ASCII off UTF-8. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cli/tui.h"

static rlx_tui_state base(void)
{
    return (rlx_tui_state){
        .title = "The armour we carry",
        .pos_ms = 65000,
        .total_ms = 840000,
        .caption = "If it feels right, you might \xe2\x80\x9csoften\xe2\x80\x9d the jaw\xe2\x80\xa6",
        .breath = 0.5,
        .breath_dir = 1,
    };
}

/* Columns of a UTF-8 string: one per code point. */
static int columns(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static void utf8_line(void **state)
{
    (void)state;
    rlx_tui_state st = base();
    char buf[1024];
    rlx_tui_format(&st, 200, buf, sizeof buf);
    assert_non_null(strstr(buf, "\xe2\x96\xb6 The armour we carry  1:05 / 14:00 "));
    assert_non_null(strstr(buf, "\xe2\x97\x8f\xe2\x97\x8f\xe2\x97\x8f\xe2\x97\x8f\xc2\xb7"));   /* half a breath */
    assert_non_null(strstr(buf, " breathe in "));
    assert_non_null(strstr(buf, "\xe2\x80\x9cIf it feels right"));
    st.paused = true;
    rlx_tui_format(&st, 200, buf, sizeof buf);
    assert_non_null(strstr(buf, "\xe2\x80\x96 The armour"));
    assert_non_null(strstr(buf, "paused (space resumes)"));
}

static void ascii_line(void **state)
{
    (void)state;
    rlx_tui_state st = base();
    st.ascii = true;
    st.title = "Caf\xc3\xa9 \xe2\x80\x94 evening";
    char buf[1024];
    rlx_tui_format(&st, 200, buf, sizeof buf);
    for (const char *p = buf; *p; p++)
        assert_true((unsigned char)*p < 0x80);
    assert_non_null(strstr(buf, "> Caf? - evening  1:05 / 14:00 "));
    assert_non_null(strstr(buf, "oooo...."));
    assert_non_null(strstr(buf, "\"If it feels right, you might \"soften\" the jaw...\""));
    st.paused = true;
    rlx_tui_format(&st, 200, buf, sizeof buf);
    assert_true(strncmp(buf, "|| Caf?", 7) == 0);
}

/* Every width from 0 to 120: at most width-1 columns, valid UTF-8, no control bytes. */
static void fits_every_width(void **state)
{
    (void)state;
    for (int ascii = 0; ascii < 2; ascii++) {
        rlx_tui_state st = base();
        st.ascii = ascii;
        st.note = "volume \x1b[31m-3 dB";
        for (int w = 0; w <= 120; w++) {
            char buf[1024];
            rlx_tui_format(&st, w, buf, sizeof buf);
            assert_true(columns(buf) <= (w > 1 ? w - 1 : 0));
            for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
                assert_true(*p >= 0x20 && *p != 0x7f);
                if (*p >= 0xc0) {   /* a lead byte is followed by its continuation bytes */
                    int k = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : 1;
                    for (int i = 1; i <= k; i++)
                        assert_true((p[i] & 0xc0) == 0x80);
                }
            }
        }
    }
    /* a tiny buffer: truncated, still terminated */
    rlx_tui_state st = base();
    char small[8];
    rlx_tui_format(&st, 200, small, sizeof small);
    assert_true(strlen(small) < sizeof small);
}

static void locale_detection(void **state)
{
    (void)state;
    setenv("LC_ALL", "C", 1);
    assert_false(rlx_tui_utf8());
    setenv("LC_ALL", "C.UTF-8", 1);
    assert_true(rlx_tui_utf8());
    setenv("LC_ALL", "xx_NOWHERE.UTF-8", 1);   /* not installed: judged by its name */
    assert_true(rlx_tui_utf8());
    setenv("LC_ALL", "xx_NOWHERE.ISO-8859-1", 1);
    assert_false(rlx_tui_utf8());
    unsetenv("LC_ALL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_line),
        cmocka_unit_test(ascii_line),
        cmocka_unit_test(fits_every_width),
        cmocka_unit_test(locale_detection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
