/* tui.c - status line and raw-mode keys for `relax play` (see tui.h). */
#include "tui.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "cli.h"

/* wcwidth() in C.UTF-8 (built into glibc), whatever locale relax runs in:
 * the C locale knows no character's width. NULL where there is none. */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void make_utf8_locale(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

int rlx_tui_char_cols(const char *s, size_t clen)
{
    unsigned char c = (unsigned char)s[0];
    if (clen < 2 || clen > 4)
        return 1;
    uint32_t cp = c & (0x7f >> clen);
    for (size_t k = 1; k < clen; k++)
        cp = cp << 6 | ((unsigned char)s[k] & 0x3f);
    pthread_once(&utf8_once, make_utf8_locale);
    if (!utf8_locale)
        return 1;
    locale_t was = uselocale(utf8_locale);
    int w = wcwidth((wchar_t)cp);
    uselocale(was);
    return w < 0 ? 1 : w > 2 ? 2 : w;   /* unassigned: one, as most terminals do */
}

/* The ASCII stand-in of a UTF-8 character (the status line and the
 * full-screen view share it) */
const char *rlx_tui_ascii_for(const char *s, size_t clen)
{
    static const struct { const char *utf8, *ascii; } map[] = {
        {"\xe2\x80\x98", "'"}, {"\xe2\x80\x99", "'"}, {"\xe2\x80\x9c", "\""}, {"\xe2\x80\x9d", "\""},
        {"\xe2\x80\x93", "-"}, {"\xe2\x80\x94", "-"}, {"\xe2\x80\xa6", "..."}, {"\xe2\x80\x96", "||"},
        {"\xe2\x96\xb6", ">"}, {"\xe2\x97\x8f", "o"}, {"\xc2\xb7", "."}, {"\xc2\xa0", " "},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].utf8) == clen && !memcmp(map[i].utf8, s, clen))
            return map[i].ascii;
    return "?";
}

static struct termios saved_tio;
static volatile sig_atomic_t raw_on;
static bool handlers_installed;
/* what puts the screen back: the status line's, or the full screen's (tui_screen.c) */
static const char default_restore[] = "\r\033[K\033[?25h";
static char restore_seq[256] = "\r\033[K\033[?25h";
static volatile sig_atomic_t restore_len = sizeof default_restore - 1;

void rlx_tui_set_restore(const char *seq)
{
    if (!seq)
        seq = default_restore;
    size_t n = strlen(seq);
    if (n >= sizeof restore_seq)
        n = sizeof restore_seq - 1;
    restore_len = 0;   /* a signal meanwhile writes nothing rather than half */
    memcpy(restore_seq, seq, n);
    restore_seq[n] = 0;
    restore_len = (sig_atomic_t)n;
}

/* Async-signal-safe: only tcsetattr and write. */
static void restore_terminal(void)
{
    if (!raw_on)
        return;
    raw_on = 0;
    ssize_t w = write(STDOUT_FILENO, restore_seq, (size_t)restore_len);
    (void)w;
    tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
}

static void enter_raw(void)
{
    struct termios t = saved_tio;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);  /* ISIG stays: Ctrl-C still raises SIGINT */
    /* but no Ctrl-Z: a stopped player starves the sound server, which then
     * drops it; space pauses instead */
    t.c_cc[VSUSP] = _POSIX_VDISABLE;
    /* nor Ctrl-S: output held by the terminal would block every redraw,
     * and with it the keys, the remote's commands and the device watchdog */
    t.c_iflag &= ~(tcflag_t)IXON;
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
        raw_on = 1;
        static const char hide[] = "\033[?25l";
        ssize_t w = write(STDOUT_FILENO, hide, sizeof hide - 1);
        (void)w;
    }
}

/* The bytes that take the screen again after a stop (tui_screen.c: the
 * alternate screen, the cursor hidden); empty for the status line. */
static char enter_seq[256];
static volatile sig_atomic_t enter_len;
static volatile sig_atomic_t stopped_raw;   /* raw when SIGTSTP came: take it again on SIGCONT */
static volatile sig_atomic_t continued;     /* taken again: the next frame repaints everything */

void rlx_tui_set_enter(const char *seq)
{
    size_t n = seq ? strlen(seq) : 0;
    if (n >= sizeof enter_seq)
        n = sizeof enter_seq - 1;
    enter_len = 0;
    memcpy(enter_seq, seq ? seq : "", n);
    enter_seq[n] = 0;
    enter_len = (sig_atomic_t)n;
}

bool rlx_tui_continued(void)
{
    bool c = continued;
    continued = 0;
    return c;
}

/* SIGCONT: after a stop (SIGTSTP here, or a SIGSTOP that could not be
 * caught, and the shell may have reset the terminal) raw mode and the
 * screen again. Async-signal-safe: tcsetattr and write. */
static void on_cont(int sig)
{
    (void)sig;
    int keep = errno;
    if (raw_on || stopped_raw) {
        stopped_raw = 0;
        enter_raw();
        ssize_t w = write(STDOUT_FILENO, enter_seq, (size_t)enter_len);
        (void)w;
        continued = 1;
    }
    errno = keep;
}

/* SIGTSTP (kill -TSTP; the key itself is disabled): the terminal as it was,
 * then stop; on_cont takes it again. */
static void on_tstp(int sig)
{
    int keep = errno;
    if (raw_on) {
        stopped_raw = 1;
        restore_terminal();
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    signal(sig, SIG_DFL);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);                     /* stops here until SIGCONT */
    struct sigaction sa = {0};
    sa.sa_handler = on_tstp;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    errno = keep;
}

/* Fatal signals: put the terminal back, then die the way we would have. */
static void on_fatal(int sig)
{
    restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

bool rlx_tui_utf8(void)
{
    const char *saved = setlocale(LC_CTYPE, NULL);
    char *keep = saved ? strdup(saved) : NULL;
    bool utf8 = false;
    if (setlocale(LC_CTYPE, "")) {
        const char *cs = nl_langinfo(CODESET);
        utf8 = cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
    } else {
        /* a locale that is named but not installed: go by its name */
        const char *names[] = {"LC_ALL", "LC_CTYPE", "LANG"};
        for (size_t i = 0; i < 3; i++) {
            const char *v = getenv(names[i]);
            if (v && *v) {
                for (const char *q = v; *q && !utf8; q++)
                    utf8 = !strncasecmp(q, "utf-8", 5) || !strncasecmp(q, "utf8", 4);
                break;
            }
        }
    }
    setlocale(LC_CTYPE, keep ? keep : "C");   /* the rest of relax runs in the C locale */
    free(keep);
    return utf8;
}

bool rlx_tui_available(void)
{
    return rlx_cli_is_tty(STDIN_FILENO) && rlx_cli_is_tty(STDOUT_FILENO);
}

bool rlx_tui_open(void)
{
    if (tcgetattr(STDIN_FILENO, &saved_tio) != 0)
        return false;
    if (!handlers_installed) {
        handlers_installed = true;
        atexit(restore_terminal);
        /* SIGHUP (terminal closed) is a stop signal of the player: it saves and fades */
        int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT};
        size_t nfatal = sizeof fatal / sizeof fatal[0];
#if defined(__SANITIZE_ADDRESS__)
        nfatal = 0;   /* the sanitizer's own handler reports where it crashed */
#endif
        for (size_t i = 0; i < nfatal; i++) {
            struct sigaction sa = {0};
            sa.sa_handler = on_fatal;
            sigemptyset(&sa.sa_mask);
            sa.sa_flags = SA_RESETHAND;
            sigaction(fatal[i], &sa, NULL);
        }
        struct sigaction sa = {0};
        sigemptyset(&sa.sa_mask);
        sa.sa_handler = on_tstp;
        sigaction(SIGTSTP, &sa, NULL);
        sa.sa_handler = on_cont;
        sigaction(SIGCONT, &sa, NULL);
    }
    enter_raw();
    return raw_on;
}

void rlx_tui_close(void)
{
    restore_terminal();
}

int rlx_tui_key(int timeout_ms)
{
    struct pollfd pf = {.fd = STDIN_FILENO, .events = POLLIN};
    int r = poll(&pf, 1, timeout_ms);
    if (r <= 0)
        return RLX_KEY_NONE;
    if (pf.revents & (POLLHUP | POLLERR | POLLNVAL))
        return RLX_KEY_EOF;
    unsigned char c;
    ssize_t n = read(STDIN_FILENO, &c, 1);
    if (n == 0)
        return RLX_KEY_EOF;
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? RLX_KEY_NONE : RLX_KEY_EOF;
    if (c != 27)
        return c;
    /* ESC [ A..D (or ESC O A..D); a lone ESC is ignored */
    unsigned char seq[2];
    for (int i = 0; i < 2; i++) {
        pf.revents = 0;
        if (poll(&pf, 1, 30) <= 0 || read(STDIN_FILENO, &seq[i], 1) != 1)
            return RLX_KEY_NONE;
    }
    if (seq[0] != '[' && seq[0] != 'O')
        return RLX_KEY_NONE;
    switch (seq[1]) {
    case 'A': return RLX_KEY_UP;
    case 'B': return RLX_KEY_DOWN;
    case 'C': return RLX_KEY_RIGHT;
    case 'D': return RLX_KEY_LEFT;
    default: return RLX_KEY_NONE;
    }
}

/* Appends s to buf, counting columns (rlx_tui_char_cols) and never
 * going past max_cols or cutting a character in half. Control bytes are dropped. */
typedef struct {
    char *buf;
    size_t len, used;
    int cols, max_cols;
    bool ascii;
} line_buf;

static void put(line_buf *b, const char *s);

static void put_char(line_buf *b, const char *s, size_t clen)
{
    if (b->ascii && clen > 1) {
        put(b, rlx_tui_ascii_for(s, clen));
        return;
    }
    int w = rlx_tui_char_cols(s, clen);
    if (b->cols + w > b->max_cols || (w == 0 && b->cols >= b->max_cols) || b->used + clen + 1 > b->len)
        return;
    memcpy(b->buf + b->used, s, clen);
    b->used += clen;
    b->buf[b->used] = 0;
    b->cols += w;
}

static void put(line_buf *b, const char *s)
{
    while (*s) {
        size_t clen = 1;
        unsigned char c = (unsigned char)*s;
        if (c >= 0xf0)
            clen = 4;
        else if (c >= 0xe0)
            clen = 3;
        else if (c >= 0xc0)
            clen = 2;
        size_t k = 0;
        while (k < clen && s[k])
            k++;
        if (k < clen)
            return;
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xc0)) {
            s += 1;
            continue;
        }
        put_char(b, s, clen);
        s += clen;
    }
}

char *rlx_tui_format(const rlx_tui_state *st, int width, char *buf, size_t len)
{
    if (!len)
        return buf;
    buf[0] = 0;
    line_buf b = {.buf = buf, .len = len, .max_cols = width > 1 ? width - 1 : 0, .ascii = st->ascii};
    char t1[32], t2[32], tmp[64];
    put(&b, st->paused ? "\xe2\x80\x96 " : "\xe2\x96\xb6 ");  /* ‖ or ▶ */
    char title[64];
    snprintf(title, sizeof title, "%s", st->title ? st->title : "");
    if (strlen(title) > 28) {  /* keep the line for the moving parts */
        size_t cut = 27;
        while (cut > 0 && ((unsigned char)title[cut] & 0xc0) == 0x80)
            cut--;
        strcpy(title + cut, "\xe2\x80\xa6");
    }
    put(&b, title);
    snprintf(tmp, sizeof tmp, "  %s / %s ", rlx_cli_fmt_time(st->pos_ms, t1, sizeof t1),
             rlx_cli_fmt_time(st->total_ms, t2, sizeof t2));
    put(&b, tmp);
    /* progress bar: 20 cells when there is room, fewer on narrow terminals */
    int cells = width >= 100 ? 20 : width >= 70 ? 12 : 6;
    int filled = st->total_ms > 0 ? (int)((double)st->pos_ms / (double)st->total_ms * cells + 0.5) : 0;
    if (filled > cells)
        filled = cells;
    put(&b, "[");
    for (int i = 0; i < cells; i++)
        put(&b, i < filled ? "=" : "-");
    put(&b, "] ");
    if (st->paused) {
        put(&b, " paused (space resumes) ");
    } else if (st->breath >= 0) {
        /* the breathing guide: grows on the inhale, shrinks on the exhale */
        int dots = (int)(st->breath * 8 + 0.5);
        for (int i = 0; i < 8; i++)
            put(&b, i < dots ? "\xe2\x97\x8f" : "\xc2\xb7");  /* ● or · */
        put(&b, st->breath_dir > 0 ? " breathe in  " : st->breath_dir < 0 ? " breathe out " : " hold        ");
    }
    if (st->note && *st->note) {
        put(&b, st->note);
    } else if (st->caption && *st->caption) {
        put(&b, "\xe2\x80\x9c");  /* “ */
        put(&b, st->caption);
        put(&b, "\xe2\x80\x9d");  /* ” */
    }
    return buf;
}

void rlx_tui_draw(const rlx_tui_state *st)
{
    struct winsize ws;
    int width = 80;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        width = ws.ws_col;
    char line[1024];
    rlx_tui_format(st, width, line, sizeof line);
    /* a caption cut at the width may end with the closing quote missing; fine */
    fputs("\r", stdout);
    fputs(line, stdout);
    fputs("\033[K", stdout);
    fflush(stdout);
}
