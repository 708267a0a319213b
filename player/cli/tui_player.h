/* tui_player.h - the full-screen view of `relax play` and `relax next`: a
 * front end that reads the engine's state (and its timeline, for the
 * spoken lines' ticks) and draws it; it sends the engine nothing. The keys
 * that steer playback stay with the command (cmd_play.c); the view has one
 * key of its own, '?'. Control thread only. */
#ifndef RLX_TUI_PLAYER_H
#define RLX_TUI_PLAYER_H

#include <stdbool.h>

#include "engine/engine.h"

typedef struct {
    const char *title;        /* borrowed for the view's life */
    int week;                 /* 0: not a week of a program */
    bool ascii;               /* the terminal is not UTF-8 */
    const char *remote_url;   /* the phone remote's URL, NULL when off (copied) */
} rlx_tui_player_config;

typedef struct rlx_tui_player rlx_tui_player;

/* Takes the whole terminal (after rlx_tui_open). NULL when it cannot (no
 * cursor addressing, TERM=dumb, no memory): the status line stays. */
rlx_tui_player *rlx_tui_player_open(const rlx_tui_player_config *cfg);
/* The view's own keys ('?': the panel of keys); true when it took the key. */
bool rlx_tui_player_key(rlx_tui_player *p, int key);
/* Draws a frame when one is due: at most ten a second, at once after a key
 * (now) or a resize. note: a transient message, may be NULL. */
void rlx_tui_player_draw(rlx_tui_player *p, rlx_engine *e, const rlx_engine_state *st, const char *note,
                         bool now);
/* Leaves the full screen (the terminal as it was, scrollback intact) and
 * restores the terminal mode. Accepts NULL. */
void rlx_tui_player_close(rlx_tui_player *p);

#endif
