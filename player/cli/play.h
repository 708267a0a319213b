/* play.h - live playback as the CLI runs it: `relax play` and, through the
 * hooks, `relax next` (the store helper records progress with them). */
#ifndef RLX_PLAY_H
#define RLX_PLAY_H

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

typedef struct {
    const char *device;      /* name substring or index; NULL = default output */
    int64_t from_ms;         /* start here (0 = the beginning) */
    int64_t length_ms;       /* 0 = the session's natural length */
    bool length_fit;         /* bring length_ms into the session's range (resume) */
    bool stats;              /* print underruns, callbacks, load at the end */
    double volume_db;        /* master volume (<= 0 in the player; > 0 goes before the limiter) */
    bool volume_set;         /* volume_db was given on the command line (else a profile's saved one applies) */
    double background_db;    /* breath + ambient against the voice, as with [ and ] */
    int resume_fade_ms;      /* fade in over this when starting (e.g. resuming); 0 = 30 ms if from_ms > 0 */
    int rate;                /* wanted device rate; 0 = the device's default */
    /* for the store helper (relax next): passed through, not used here */
    const char *profile;
    const char *store_path;
    bool any;
    const rlx_play_hooks *hooks;  /* may be NULL */
    /* the phone remote (--remote, --remote-listen, --remote-key) */
    bool remote;
    const char *remote_listen;
    const char *remote_key;
} rlx_play_opts;

rlx_play_opts rlx_play_opts_init(void);

/* Plays SESSION (path or id) live. Prints its own messages; returns the exit
 * code (0 at the end or after q, 130 on Ctrl-C/SIGTERM, 6 no device, 7
 * device lost, or the code of a session/audio error). */
int rlx_cli_play(const char *session_arg, const rlx_play_opts *opts);

#endif
