/* test_tui_screen.c - the full screen's output (tui_screen.c) through a pipe
 * in place of the terminal: it enters the alternate screen as terminfo
 * spells it for TERM, repaints everything once, then writes only the rows
 * that changed (nothing at all for an unchanged frame), repaints all after
 * a size change, and refuses terminals it cannot drive. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/tui_screen.h"
#include "cli/tui_view.h"

static rlx_tui_frame *a, *b;
static int rd = -1, wr = -1, saved_out = -1;
static char got[1 << 16];

/* The terminal's output goes to the pipe only between on() and off(): the
 * test's own report goes to the real stdout. */
static void on(void)
{
    fflush(stdout);
    dup2(wr, STDOUT_FILENO);
}

static void off(void)
{
    dup2(saved_out, STDOUT_FILENO);
}

/* Cursor moves (ESC [ row ; col H) in got. */
static int moves(void)
{
    int n = 0;
    for (const char *p = got; (p = strstr(p, "\033[")); p += 2) {
        const char *q = p + 2;
        q += strspn(q, "0123456789");
        if (*q != ';')
            continue;
        q++;
        q += strspn(q, "0123456789");
        n += *q == 'H';
    }
    return n;
}

/* What was written since the last call (the pipe is non-blocking). */
static size_t drain(void)
{
    size_t n = 0;
    ssize_t r;
    while (n < sizeof got - 1 && (r = read(rd, got + n, sizeof got - 1 - n)) > 0)
        n += (size_t)r;
    got[n] = 0;
    return n;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static int setup(void **state)
{
    (void)state;
    a = calloc(1, sizeof *a);
    b = calloc(1, sizeof *b);
    int p[2];
    if (!a || !b || pipe(p) != 0)
        return -1;
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    saved_out = dup(STDOUT_FILENO);
    rd = p[0];
    wr = p[1];
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    on();
    rlx_tui_screen_close();
    off();
    free(a);
    free(b);
    return 0;
}

static void fill(rlx_tui_frame *f, int cols, int rows)
{
    rlx_tui_view v = {.title = "Screen test", .week = 2, .pos_ms = 5000, .length_ms = 60000,
                      .caption = "Let the shoulders soften.", .breath = 0.5, .breath_dir = 1};
    rlx_tui_layout(&v, cols, rows, f);
}

static void refuses_what_it_cannot_drive(void **state)
{
    (void)state;
    setenv("TERM", "dumb", 1);
    on();
    bool opened = rlx_tui_screen_open();
    off();
    assert_false(opened);
    /* a terminal with no terminfo entry: in a child, as the entry is read once */
    pid_t pid = fork();
    if (pid == 0) {
        setenv("TERM", "no-such-terminal-rlx", 1);
        dup2(wr, STDOUT_FILENO);
        _exit(rlx_tui_screen_open() ? 1 : 0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(drain(), 0);
}

static void writes_only_what_changed(void **state)
{
    (void)state;
    setenv("TERM", "xterm-256color", 1);
    unsetenv("NO_COLOR");
    on();
    bool opened = rlx_tui_screen_open();
    off();
    assert_true(opened);
    drain();
    assert_non_null(strstr(got, "\033[?1049h"));   /* smcup */
    assert_non_null(strstr(got, "\033[?25l"));     /* civis */

    fill(a, 80, 24);
    on();
    rlx_tui_screen_draw(a);
    off();
    size_t full = drain();
    assert_non_null(strstr(got, "\033[H\033[2J"));  /* the first frame repaints all */
    assert_int_equal(count(got, "\033[24;1H"), 1);
    assert_int_equal(moves(), 24);
    assert_non_null(strstr(got, "Screen test \xc2\xb7 week 2"));
    assert_non_null(strstr(got, "Let the shoulders soften."));
    assert_null(strchr(got, '\a'));

    on();
    rlx_tui_screen_draw(a);
    off();
    assert_int_equal(drain(), 0);   /* nothing changed: nothing written */

    memcpy(b, a, sizeof *a);
    snprintf(b->text[5], RLX_TUI_LINE_BYTES, "  a changed row");
    on();
    rlx_tui_screen_draw(b);
    off();
    size_t n = drain();
    assert_true(n > 0 && n < 100);
    assert_int_equal(moves(), 1);
    assert_int_equal(count(got, "\033[6;1H"), 1);    /* row 5, and no other */
    assert_non_null(strstr(got, "  a changed row"));
    assert_non_null(strstr(got, "\033[K"));           /* what the row had after it goes */
    assert_true(n * 10 < full);

    /* a new size: everything again */
    fill(a, 60, 20);
    on();
    rlx_tui_screen_draw(a);
    off();
    drain();
    assert_int_equal(moves(), 20);
    assert_non_null(strstr(got, "\033[H\033[2J"));
    assert_int_equal(count(got, "\033[20;1H"), 1);
    assert_non_null(strstr(got, "Screen test"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refuses_what_it_cannot_drive),
        cmocka_unit_test(writes_only_what_changed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
