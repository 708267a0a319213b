/* tui.h - the terminal's raw keys and the one status line of `relax play`
 * (the full-screen view is tui_player.h; on tiny terminals and where TERM
 * cannot address the cursor the status line is what is shown).
 * Used only when stdin and stdout are both terminals. The terminal is put in
 * raw mode (no echo, no line buffering; Ctrl-C still raises SIGINT) and is
 * always restored: by rlx_tui_close, at exit, and on fatal signals. */
#ifndef RLX_TUI_H
#define RLX_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    RLX_KEY_NONE = 0,
    RLX_KEY_EOF = -1,
    RLX_KEY_LEFT = 0x100,
    RLX_KEY_RIGHT,
    RLX_KEY_UP,
    RLX_KEY_DOWN,
};

typedef struct {
    const char *title;
    int64_t pos_ms, total_ms;
    bool paused;
    const char *caption;   /* may be NULL */
    double breath;         /* 0..1, < 0 = no breath guide */
    int breath_dir;        /* +1 inhaling, -1 exhaling, 0 holding */
    double volume_db, background_db;
    const char *note;      /* transient message ("volume -3 dB"), may be NULL */
    bool ascii;            /* the terminal is not UTF-8: plain ASCII only */
} rlx_tui_state;

/* Both stdin and stdout are terminals (and TERM is not "dumb"). */
bool rlx_tui_available(void);
/* Does the locale (LC_ALL, LC_CTYPE, LANG) promise UTF-8 output? */
bool rlx_tui_utf8(void);
/* Enters raw mode and hides the cursor. false if the terminal refused. */
bool rlx_tui_open(void);
/* Clears the status line, shows the cursor, restores the terminal mode. Idempotent. */
void rlx_tui_close(void);
/* The bytes that put the screen back (written by rlx_tui_close, at exit and
 * on fatal signals, before the mode is restored); NULL: the status line's.
 * tui_screen.c sets the full screen's. */
void rlx_tui_set_restore(const char *seq);
/* The bytes that take the screen again when the player is continued after
 * a stop (SIGTSTP restores the terminal first); NULL: none. */
void rlx_tui_set_enter(const char *seq);
/* The player was stopped and continued since the last call: repaint all. */
bool rlx_tui_continued(void);
/* Waits up to timeout_ms for a key: a character, RLX_KEY_*, 0 on timeout. */
int rlx_tui_key(int timeout_ms);
/* Redraws the one status line (fits the terminal width). */
void rlx_tui_draw(const rlx_tui_state *st);

/* Pure helper (tested): the line without control characters, at most
 * `width` columns, into buf; with st->ascii, typographic characters become
 * ASCII look-alikes and any other non-ASCII character '?'. Returns buf. */
char *rlx_tui_format(const rlx_tui_state *st, int width, char *buf, size_t len);

/* The ASCII stand-in of the UTF-8 character s[0..clen) ("?" if none). */
const char *rlx_tui_ascii_for(const char *s, size_t clen);

/* Columns a terminal gives the whole UTF-8 character s[0..clen): 0 for a
 * combining mark, 2 for a wide one (CJK, most emoji), else 1. */
int rlx_tui_char_cols(const char *s, size_t clen);

#endif
