/* tui_screen.h - the full-screen player's terminal output: the alternate
 * screen, a hidden cursor and dim colours, as the terminal's terminfo entry
 * (TERM) spells them, and frames (tui_view.h) written a row at a time, only
 * the rows that changed, in one write per frame (no flicker). Control
 * thread only; call after rlx_tui_open (raw mode). Every way out restores
 * the terminal: rlx_tui_screen_close, rlx_tui_close, exit, fatal signals. */
#ifndef RLX_TUI_SCREEN_H
#define RLX_TUI_SCREEN_H

#include <stdbool.h>

#include "tui_view.h"

/* Enters the alternate screen. false (nothing written) when the terminal
 * cannot address the cursor (no terminfo entry for TERM, TERM=dumb): the
 * caller keeps the status line. */
bool rlx_tui_screen_open(void);
/* The terminal's size now (80x24 if it does not say). */
void rlx_tui_screen_size(int *cols, int *rows);
/* A SIGWINCH arrived since the last call (the next draw repaints all). */
bool rlx_tui_screen_resized(void);
/* Writes the rows of f that differ from the last frame drawn. */
void rlx_tui_screen_draw(const rlx_tui_frame *f);
/* Leaves the alternate screen and shows the cursor; idempotent. */
void rlx_tui_screen_close(void);

#endif
