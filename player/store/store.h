/* store.h - the progress store: one SQLite file per user holding profiles
 * and every listen. Plain SQL behind an opaque handle; no printing.
 *
 * Safety rules (see docs/readme-store.md): an existing file is only ever
 * opened read-write, never recreated; a file is created (mode 0600, folder
 * 0700) only when it does not exist. WAL journal, synchronous=NORMAL,
 * busy_timeout 5 s, BEGIN IMMEDIATE for every write, so two processes share
 * the file without "database is locked" failures.
 *
 * Every function that can fail fills `why` (one line naming the path and
 * what to do) when why != NULL. One thread at a time per handle. */
#ifndef RLX_STORE_H
#define RLX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define RLX_STORE_SCHEMA_VERSION 2   /* PRAGMA user_version after migrations */
#define RLX_STORE_BUSY_TIMEOUT_MS 5000
#define RLX_PROFILE_NAME_MAX 64

typedef struct rlx_store rlx_store;

/* Where the store lives: explicit_path if non-empty, else $RELAX_STORE, else
 * $XDG_DATA_HOME/relax/progress.db, else $HOME/.local/share/relax/progress.db.
 * RLX_ERR_USAGE if none can be formed or buf is too small. */
rlx_err rlx_store_resolve_path(const char *explicit_path, char *buf, size_t len);

/* The profile to use: explicit if non-empty, else $RELAX_PROFILE, else "default". */
const char *rlx_store_resolve_profile(const char *explicit_profile);

/* A profile name is 1..64 printable characters, no control characters. */
bool rlx_profile_name_valid(const char *name);

/* Opens (creating when missing) and migrates the store.
 * RLX_ERR_STORE_CORRUPT (not a database, failed quick_check, or written by a
 * newer relax), RLX_ERR_STORE_LOCKED (busy beyond the timeout), RLX_ERR_STORE
 * (read-only, folder is a file, cannot create, disk full), RLX_ERR_NOMEM. */
rlx_err rlx_store_open(const char *path, rlx_store **out, char *why, size_t whylen);
void rlx_store_close(rlx_store *st);   /* accepts NULL */
const char *rlx_store_path(const rlx_store *st);
int rlx_store_schema_version(rlx_store *st);   /* -1 on error */

/* ---- profiles ------------------------------------------------------------ */
typedef struct {
    char *name;
    int64_t created_ms;       /* wall clock, ms since the Unix epoch */
    bool has_mix;             /* false until a playback saved its mix */
    double volume_db;         /* master volume */
    double background_db;     /* breath + ambient against the voice */
    char *device;             /* preferred output device, NULL = system default */
} rlx_profile;

void rlx_profile_clear(rlx_profile *p);   /* frees the fields */

/* Reads a profile; creates it first when create is true. RLX_ERR_NOT_FOUND
 * when it does not exist and create is false. */
rlx_err rlx_store_profile_get(rlx_store *st, const char *name, bool create,
                              rlx_profile *out, char *why, size_t whylen);
/* Remembers the mix and device of a profile (creating the profile). device may be NULL. */
rlx_err rlx_store_profile_set_mix(rlx_store *st, const char *name, double volume_db,
                                  double background_db, const char *device,
                                  char *why, size_t whylen);
/* Every profile, by name. Free with rlx_store_profiles_free. */
rlx_err rlx_store_profiles(rlx_store *st, rlx_profile **out, size_t *n, char *why, size_t whylen);
void rlx_store_profiles_free(rlx_profile *p, size_t n);

/* ---- listens ------------------------------------------------------------- */
/* One listen: from pressing play to stopping. Positions in session ms. */
typedef struct {
    int64_t id;               /* set by rlx_store_listen_add */
    char *profile;
    char *session_id;
    char *session_hash;       /* 16 hex digits of rlx_session.hash */
    int week;                 /* 0 when the session has no week */
    int64_t length_ms;        /* length of the rendering played */
    int64_t started_ms;       /* wall clock, ms since the epoch */
    int64_t ended_ms;         /* last time the row was written */
    int64_t from_ms;          /* where this listen started */
    int64_t position_ms;      /* last known position (resume point) */
    int64_t furthest_ms;      /* furthest position reached */
    int64_t played_ms;        /* time actually heard in this listen */
    int64_t credit_ms;        /* played_ms plus what the listen it resumed had credited */
    bool completed;           /* reached the end having heard >= 90% (credit_ms) */
    bool finished;            /* stopped cleanly (false after a crash or kill) */
    bool rendered;            /* an offline render to a file, not a listen: nothing heard
                               * (played 0, not completed); set at add, never changed */
} rlx_listen_rec;

/* Inserts rec (creating its profile) and sets rec->id. */
rlx_err rlx_store_listen_add(rlx_store *st, rlx_listen_rec *rec, char *why, size_t whylen);
/* Rewrites the mutable fields of rec (by rec->id): ended, position, furthest,
 * played, credit, completed, finished. One short transaction. */
rlx_err rlx_store_listen_save(rlx_store *st, const rlx_listen_rec *rec, char *why, size_t whylen);
/* Listens, oldest first; profile and session_id filter when non-NULL. */
rlx_err rlx_store_listens(rlx_store *st, const char *profile, const char *session_id,
                          rlx_listen_rec **out, size_t *n, char *why, size_t whylen);
void rlx_store_listens_free(rlx_listen_rec *recs, size_t n);
void rlx_listen_rec_clear(rlx_listen_rec *rec);

/* Wall clock in ms since the Unix epoch. */
int64_t rlx_store_now_ms(void);

#endif
