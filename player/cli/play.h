/* play.h - live playback as the CLI runs it: `relax play` and, through the
 * hooks, `relax next` (the store helper records progress with them). */
#ifndef RLX_PLAY_H
#define RLX_PLAY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/play_hooks.h"
#include "remote/remote.h"
#include "session/session.h"

typedef struct {
    const char *device;      /* name substring or index; NULL = default output */
    int64_t from_ms;         /* start here (0 = the beginning) */
    int64_t length_ms;       /* 0 = the session's natural length */
    bool length_set;         /* --length was given (else a profile's remembered one applies) */
    bool length_fit;         /* bring length_ms into the session's range (resume) */
    bool length_remembered;  /* length_ms is a profile's: note it when it had to be brought into range */
    const char *bed;         /* --bed NAME (rlx_cli_find_bed); NULL = a profile's, else the session's own */
    int64_t tail_ms;         /* --tail: ambient-only time before the fade-out */
    int64_t start_in_ms;     /* --start-in: silence first, then a slow fade-in (<= 10 min) */
    int64_t stop_after_ms;   /* --stop-after: fade out so that it is quiet at this position */
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
    rlx_remote *remote_open;  /* `relax serve`: a remote already open, used and left open;
                               * no terminal view then */
    const volatile sig_atomic_t *quit_flag;   /* non-zero: fade out and stop as for SIGTERM (may be NULL) */
} rlx_play_opts;

rlx_play_opts rlx_play_opts_init(void);

/* `relax next` resumes an unfinished week this far before where it stopped
 * (and fades in); the player's stop message says so. */
#define RLX_NEXT_RESUME_BACK_MS 5000

/* The one option table of the commands that play (play, next). */
enum {
    RLX_PLAY_OPT_DEVICE = 1 << 0,   /* --device NAME|INDEX */
    RLX_PLAY_OPT_FROM = 1 << 1,     /* --from TIME */
    RLX_PLAY_OPT_LENGTH = 1 << 2,   /* --length DURATION */
    RLX_PLAY_OPT_VOLUME = 1 << 3,   /* --volume DB */
    RLX_PLAY_OPT_STATS = 1 << 4,    /* --stats */
    RLX_PLAY_OPT_TAIL = 1 << 5,     /* --tail DURATION */
    RLX_PLAY_OPT_START_IN = 1 << 6, /* --start-in DURATION */
    RLX_PLAY_OPT_STOP_AFTER = 1 << 7, /* --stop-after DURATION */
    RLX_PLAY_OPT_BED = 1 << 8,      /* --bed NAME */
    RLX_PLAY_OPT_ALL = (1 << 9) - 1,
};

/* If argv[*i] is one of the `allowed` options, reads it (and its value,
 * advancing *i) into o and returns 0, or prints the problem and returns
 * RLX_EXIT_USAGE; returns -1 if it is not one of them. */
int rlx_cli_play_option(int argc, char **argv, int *i, unsigned allowed, rlx_play_opts *o);

/* Plays SESSION (path or id) live. Prints its own messages; returns the exit
 * code (0 at the end or after q, 130 on Ctrl-C/SIGTERM, 6 no device, 7
 * device lost, or the code of a session/audio error). */
int rlx_cli_play(const char *session_arg, const rlx_play_opts *opts);

/* rlx_cli_play with the listen recorded in the store (o->store_path, NULL =
 * default) under o->profile (NULL = $RELAX_PROFILE or "default"). A store
 * that cannot be opened stops it before playing (exit 8); a store error
 * during playback is printed after it and turns exit 0/130 into 8. */
int rlx_cli_play_recorded(const char *session_arg, rlx_play_opts *o);

#endif
