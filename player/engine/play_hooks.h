/* play_hooks.h - what a playing session tells its recorder (the store's
 * listen recorder attaches through these): plain types, no code. */
#ifndef RLX_PLAY_HOOKS_H
#define RLX_PLAY_HOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "session/session.h"

/* Called on the control thread (never the audio callback). on_position comes
 * at least every second while playing and at once on pause, resume, seek,
 * quit, Ctrl-C and SIGTERM; played_ms counts audio actually played (time
 * skipped by seeking is not counted, paused time neither). on_stop comes
 * once, whatever the reason (end, quit, signal, device lost, error); after
 * q, Ctrl-C or SIGTERM its pos_ms is where the stop was asked (the fade-out
 * that follows is not part of the session to resume from), at the end it
 * is the session's length. */
typedef struct {
    void *user;
    void (*on_start)(void *user, const rlx_session *s, int64_t length_ms);
    void (*on_position)(void *user, int64_t pos_ms, int64_t played_ms, bool paused);
    void (*on_stop)(void *user, int64_t pos_ms, int64_t played_ms, bool reached_end);
    /* the listener's mix as playback ended (called just before on_stop) */
    void (*on_mix)(void *user, double volume_db, double background_db, const char *device);
} rlx_play_hooks;

#endif
