/* cli_store.h - what `relax next`, `progress`, `profiles` and `history`
 * share: options, opening the store with a printed error, and a profile's
 * progress through the program. */
#ifndef RLX_CLI_STORE_H
#define RLX_CLI_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "session/program.h"
#include "store/listen.h"
#include "store/schedule.h"
#include "store/store.h"

/* Options common to the progress commands. */
typedef struct {
    const char *profile;   /* NULL = $RELAX_PROFILE or "default" */
    const char *store;     /* NULL = default location */
    const char *room;      /* NULL = $RELAX_ROOM or none */
    bool json, csv, any, all, names, help;
} rlx_cli_store_opts;

/* Parses argv[1..] accepting only the options in `allowed` (e.g. "profile store json").
 * Prints the problem and returns RLX_EXIT_USAGE, else 0. */
int rlx_cli_store_args(int argc, char **argv, const char *allowed, rlx_cli_store_opts *o);

/* The profile given on the command line (NULL: $RELAX_PROFILE or "default")
 * is a valid name? Prints the problem and returns RLX_EXIT_USAGE, else 0. */
int rlx_cli_check_profile(const char *given);

/* Opens the store named by o->store (or the default). Prints the reason and
 * returns the exit code on failure, else 0. */
int rlx_cli_store_open(const rlx_cli_store_opts *o, rlx_store **out);
/* The same with rlx_store_open_ex flags; a store opened offline is returned
 * with 0 and the reason in why (nothing printed). */
int rlx_cli_store_open_ex(const rlx_cli_store_opts *o, unsigned flags, rlx_store **out, char *why, size_t whylen);
/* For the commands that only read (progress, history, profiles, calendar):
 * a --store that does not exist is an error (exit 8; a typo, most likely),
 * not a new empty store that says "0 of 10"; the default store and
 * $RELAX_STORE (a setting, like the default) are opened as ever: a first
 * run has none yet. */
int rlx_cli_store_open_existing(const rlx_cli_store_opts *o, rlx_store **out);

/* The room given with --room (NULL: $RELAX_ROOM or none) is a valid name?
 * Prints the problem and returns RLX_EXIT_USAGE, else 0; remembers it for
 * rlx_cli_play_recorded. */
int rlx_cli_set_room(const char *given);
/* The room set by rlx_cli_set_room, else $RELAX_ROOM, else NULL. */
const char *rlx_cli_room(void);

/* A --store value holding a password: one note on stderr (it shows in ps
 * and shell history; ~/.pgpass is the place). */
void rlx_cli_warn_password(const char *store);

/* A profile that was asked for but has never listened, in a store that has
 * others, is most likely a typo: prints a note on stderr naming the others. */
void rlx_cli_note_unknown_profile(rlx_store *st, const char *profile);

/* One week of the program, with the profile's progress. */
typedef struct {
    char *path;     /* the session file */
    char *id;       /* its [session] id (the file name without .session if unreadable) */
    char *title;    /* NULL if unreadable */
} rlx_cli_week;

typedef struct {
    rlx_program *program;
    size_t n;
    rlx_cli_week *weeks;
    rlx_week_input *in;
    rlx_week_status *status;
    rlx_schedule sum;
    int64_t *rendered_ms;  /* per week: when it was rendered offline and not heard since, else 0 */
    int64_t listened_ms;   /* all listens of the profile, program or not (renders are not listens) */
    size_t listens;
    int64_t last_listen_ms;
    char *last_room;       /* room of the latest listen, NULL if none */
    int64_t now_ms;
} rlx_cli_progress;

/* Loads the program file and computes the profile's progress. Prints the
 * problem and returns the exit code on failure, else 0. */
int rlx_cli_progress_load(rlx_store *st, const char *profile, bool any, rlx_cli_progress *p);
void rlx_cli_progress_free(rlx_cli_progress *p);

/* Where `relax next` (and `relax serve`) starts week w (0-based) of p: a
 * week left unfinished resumes a little before where it stopped, fading
 * in, at that listen's length unless asked_ms (> 0) asks for another;
 * length 0 = the session's natural length. (cmd_next.c) */
void rlx_cli_next_start(const rlx_cli_progress *p, int w, int64_t asked_ms, int64_t *from_ms,
                        int64_t *fade_ms, int64_t *length_ms);

/* Time formatting, local time: "Friday 27 November", "Fri 27 Nov 2026", and
 * ISO 8601 UTC "2026-11-27T18:05:00Z". */
const char *rlx_cli_fmt_day(int64_t ms, char *buf, size_t len);
const char *rlx_cli_fmt_date(int64_t ms, char *buf, size_t len);
const char *rlx_cli_fmt_iso(int64_t ms, char *buf, size_t len);
/* Whole calendar days (local) from now to then: 0 today, 1 tomorrow. */
int rlx_cli_days_until(int64_t now_ms, int64_t then_ms);

/* Remembers in the store that the session at path was rendered to a file
 * for profile (an offline listen: nothing heard), so progress shows the
 * week as "rendered, not yet heard". Prints the problem and returns the
 * exit code on failure, else 0. */
int rlx_cli_record_render(const rlx_cli_store_opts *o, const char *profile, const char *path,
                          int64_t length_ms);

/* Writes s as a JSON string (with quotes). */
void rlx_cli_json_str(FILE *f, const char *s);

#endif
