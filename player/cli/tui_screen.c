/* tui_screen.c - the full-screen player's terminal output (see tui_screen.h).
 *
 * terminfo (libtinfo, ncurses' low-level half) rather than hard-coded
 * ECMA-48 codes: the alternate screen, cursor addressing, "dim" and colours
 * differ between terminals (the Linux console has no alternate screen), and
 * a terminal without cursor addressing is told apart from one with it.
 * Only the terminfo database is read; curses' screen handling is not used
 * (a frame is our own text, written once). */
#include "tui_screen.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "tui.h"

static bool screen_on;
static volatile sig_atomic_t winched;
static bool winch_installed;
static struct sigaction old_winch;
static rlx_tui_frame *shown;     /* the last frame drawn; NULL: repaint everything */
static char *out;                /* one frame's bytes */
static size_t out_cap;
static char sgr_style[4][96];    /* rlx_tui_style -> attributes */
static const char *cap_cup, *cap_clear, *cap_el;

static void on_winch(int sig)
{
    (void)sig;
    winched = 1;
}

/* A string capability, or NULL when the terminal has none. */
static const char *cap(const char *name)
{
    char *s = tigetstr(name);
    return s == NULL || s == (char *)-1 ? NULL : s;
}

static void cat_cap(char *buf, size_t len, const char *s)
{
    if (s && strlen(buf) + strlen(s) < len)
        strcat(buf, s);
}

bool rlx_tui_screen_open(void)
{
    if (screen_on)
        return true;
    const char *term = getenv("TERM");
    if (!term || !*term || !strcmp(term, "dumb"))
        return false;
    static int setup = 0;   /* 1 done, -1 failed: the terminfo entry is read once */
    int err = 0;
    if (!setup)
        setup = setupterm(NULL, STDOUT_FILENO, &err) == OK ? 1 : -1;
    if (setup < 0)
        return false;
    cap_cup = cap("cup");
    cap_clear = cap("clear");
    cap_el = cap("el");
    if (!cap_cup || !cap_clear)
        return false;
    const char *smcup = cap("smcup"), *rmcup = cap("rmcup"), *civis = cap("civis"), *cnorm = cap("cnorm");
    const char *sgr0 = cap("sgr0"), *dim = cap("dim"), *setaf = cap("setaf");
    int colors = tigetnum("colors");
    bool colour = setaf && colors >= 8 && !getenv("NO_COLOR");

    /* the way back, written also from a signal handler: attributes off,
     * cursor on, main screen back (or a clean one where there is none) */
    char restore[256] = "";
    cat_cap(restore, sizeof restore, sgr0);
    cat_cap(restore, sizeof restore, rmcup ? rmcup : cap_clear);
    cat_cap(restore, sizeof restore, cnorm ? cnorm : "\033[?25h");
    for (int i = 0; i < 4; i++) {
        sgr_style[i][0] = 0;
        cat_cap(sgr_style[i], sizeof sgr_style[i], sgr0);
    }
    /* calm: the caption and the title in the terminal's own colour, the
     * rest dim, the guide a soft dim cyan; nothing bold, nothing blinks */
    cat_cap(sgr_style[RLX_TUI_DIM], sizeof sgr_style[0], dim);
    if (colour)
        cat_cap(sgr_style[RLX_TUI_GUIDE], sizeof sgr_style[0], tiparm(setaf, 6));   /* cyan */
    cat_cap(sgr_style[RLX_TUI_GUIDE], sizeof sgr_style[0], dim);

    if (!shown && !(shown = malloc(sizeof *shown)))
        return false;
    out_cap = (size_t)RLX_TUI_MAX_ROWS * (RLX_TUI_LINE_BYTES + 256) + 256;
    if (!out && !(out = malloc(out_cap)))
        return false;
    shown->rows = 0;   /* the first frame repaints everything */

    struct sigaction sa = {0};
    sa.sa_handler = on_winch;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGWINCH, &sa, winch_installed ? NULL : &old_winch);
    winch_installed = true;
    winched = 0;

    rlx_tui_set_restore(restore);
    char enter[256] = "";
    cat_cap(enter, sizeof enter, smcup);
    cat_cap(enter, sizeof enter, civis);
    cat_cap(enter, sizeof enter, cap_clear);
    rlx_tui_set_enter(enter);
    size_t n = strlen(enter);
    ssize_t w = write(STDOUT_FILENO, enter, n);
    (void)w;
    screen_on = true;
    return true;
}

void rlx_tui_screen_size(int *cols, int *rows)
{
    struct winsize ws;
    *cols = 80;
    *rows = 24;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        *cols = ws.ws_col;
        *rows = ws.ws_row;
    }
}

bool rlx_tui_screen_resized(void)
{
    bool r = winched;
    winched = 0;
    r = rlx_tui_continued() || r;
    if (r && shown)
        shown->rows = 0;
    return r;
}

static size_t add(size_t o, const char *s, size_t n)
{
    if (!s || o + n >= out_cap)
        return o;
    memcpy(out + o, s, n);
    return o + n;
}

static size_t adds(size_t o, const char *s)
{
    return s ? add(o, s, strlen(s)) : o;
}

static bool same_row(const rlx_tui_frame *a, const rlx_tui_frame *b, int r)
{
    return a->style[r] == b->style[r] && a->style2[r] == b->style2[r] && a->split[r] == b->split[r] &&
           !strcmp(a->text[r], b->text[r]);
}

void rlx_tui_screen_draw(const rlx_tui_frame *f)
{
    if (!screen_on)
        return;
    bool all = shown->rows != f->rows || shown->cols != f->cols;
    size_t o = 0;
    if (all)
        o = adds(o, cap_clear);
    for (int r = 0; r < f->rows; r++) {
        if (!all && same_row(shown, f, r))
            continue;
        o = adds(o, tiparm(cap_cup, r, 0));
        const char *t = f->text[r];
        size_t len = strlen(t), split = f->split[r] && f->split[r] <= len ? f->split[r] : len;
        o = adds(o, sgr_style[f->style[r] & 3]);
        o = add(o, t, split);
        if (split < len) {
            o = adds(o, sgr_style[f->style2[r] & 3]);
            o = add(o, t + split, len - split);
        }
        o = adds(o, sgr_style[RLX_TUI_PLAIN]);
        if (!all) {
            /* the rest of the row: what the last frame had there goes */
            if (cap_el) {
                o = adds(o, cap_el);
            } else {
                for (int c = rlx_tui_columns(t); c < f->cols - 1; c++)
                    o = add(o, " ", 1);
            }
        }
    }
    /* one write per frame: the terminal never shows half of one */
    for (size_t done = 0; done < o;) {
        ssize_t w = write(STDOUT_FILENO, out + done, o - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;   /* the terminal is gone (hang-up): nothing to draw on */
        done += (size_t)w;
    }
    shown->cols = f->cols;
    shown->rows = f->rows;
    for (int r = 0; r < f->rows; r++) {
        memcpy(shown->text[r], f->text[r], strlen(f->text[r]) + 1);
        shown->style[r] = f->style[r];
        shown->style2[r] = f->style2[r];
        shown->split[r] = f->split[r];
    }
}

void rlx_tui_screen_close(void)
{
    if (!screen_on)
        return;
    screen_on = false;
    rlx_tui_close();   /* writes the restore sequence and puts the mode back */
    rlx_tui_set_restore(NULL);
    rlx_tui_set_enter(NULL);
    if (winch_installed) {
        sigaction(SIGWINCH, &old_winch, NULL);
        winch_installed = false;
    }
    free(shown);
    shown = NULL;
    free(out);
    out = NULL;
}
