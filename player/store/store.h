/* store.h - the progress store: profiles and every listen, in one SQLite
 * file per user (a path) or in a PostgreSQL database shared by several
 * machines (a connection string). One interface, two backends chosen at
 * open (store_sqlite.c, store_pg.c); no printing.
 *
 * PostgreSQL: listens are written through a local journal on this machine
 * (store_journal.c) and sent by a background thread, so a slow or absent
 * server never holds up playback; what could not be sent is sent by the next
 * open of the same store. Each listen has a random key (uuid), so a listen
 * sent twice is one row.
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
#include "store/store_record.h"

#define RLX_STORE_SCHEMA_VERSION 5   /* PRAGMA user_version / relax.meta after migrations */
#define RLX_ROOM_NAME_MAX 64
#define RLX_STORE_BUSY_TIMEOUT_MS 5000
#define RLX_PROFILE_NAME_MAX 64

typedef struct rlx_store rlx_store;

/* Is `where` a PostgreSQL connection string: a postgresql:// or postgres://
 * URI, or libpq key=value words ("service=clinic", "host=... dbname=...")? */
bool rlx_store_is_pg(const char *where);
/* `where` for messages: a connection string without its password. */
void rlx_store_redact(const char *where, char *buf, size_t len);
/* Does `where` carry a password (which belongs in ~/.pgpass instead)? */
bool rlx_store_has_password(const char *where);

/* The room to record listens under: explicit if non-empty, else $RELAX_ROOM,
 * else NULL (no room). A room name follows the profile name rules. */
const char *rlx_store_resolve_room(const char *explicit_room);

/* Where the store lives: explicit_path if non-empty, else $RELAX_STORE, else
 * $XDG_DATA_HOME/relax/progress.db, else $HOME/.local/share/relax/progress.db.
 * RLX_ERR_USAGE if none can be formed or buf is too small. */
rlx_err rlx_store_resolve_path(const char *explicit_path, char *buf, size_t len);

/* The profile to use: explicit if non-empty, else $RELAX_PROFILE, else "default". */
const char *rlx_store_resolve_profile(const char *explicit_profile);

/* A profile name is 1..64 printable characters, no control characters. */
bool rlx_profile_name_valid(const char *name);

/* Opens (creating when missing) and migrates the store.
 * RLX_ERR_STORE_CORRUPT (not a database, failed integrity_check, or written by a
 * newer relax), RLX_ERR_STORE_LOCKED (busy beyond the timeout), RLX_ERR_STORE
 * (read-only, folder is a file, cannot create, disk full), RLX_ERR_NOMEM. */
rlx_err rlx_store_open(const char *path, rlx_store **out, char *why, size_t whylen);

/* rlx_store_open with flags. RLX_STORE_OFFLINE_OK: when a PostgreSQL server
 * cannot be reached (refused, no socket, timed out), still return a store
 * (RLX_OK) that records listens in the local journal only and reads the
 * listens this machine's journal knows; rlx_store_offline() tells, and
 * `why` holds the reason. Auth or configuration errors still fail. */
#define RLX_STORE_OFFLINE_OK 1u
rlx_err rlx_store_open_ex(const char *path, unsigned flags, rlx_store **out, char *why, size_t whylen);
bool rlx_store_offline(const rlx_store *st);

/* Sends what the journal holds and closes. A server that does not answer
 * within RLX_STORE_CLOSE_WAIT_MS leaves the rest in the journal, sent by the
 * next open. Accepts NULL. */
#define RLX_STORE_CLOSE_WAIT_MS 3000
void rlx_store_close(rlx_store *st);
/* Listens still waiting in the journal to be sent (0 for SQLite). */
size_t rlx_store_unsent(rlx_store *st);
/* Sends what the journal holds (waiting up to RLX_STORE_CLOSE_WAIT_MS) and
 * stops the sender; returns how many listens are still unsent. The store
 * stays open for reads. 0 for SQLite. */
size_t rlx_store_finish(rlx_store *st);
/* The journal file of a PostgreSQL store, NULL for SQLite. */
const char *rlx_store_journal(const rlx_store *st);
/* The path, or the connection string without its password. */
const char *rlx_store_path(const rlx_store *st);
const char *rlx_store_kind(const rlx_store *st);   /* "sqlite" or "postgresql" */
int rlx_store_schema_version(rlx_store *st);   /* -1 on error */

/* ---- profiles ------------------------------------------------------------ */
typedef struct {
    char *name;
    int64_t created_ms;       /* wall clock, ms since the Unix epoch */
    bool has_mix;             /* false until a playback saved its mix */
    double volume_db;         /* master volume */
    double background_db;     /* breath + ambient against the voice */
    char *device;             /* preferred output device, NULL = system default */
    int64_t length_ms;        /* preferred length (--length, last chosen); 0 = the session's own */
    char *bed;                /* preferred bed (--bed NAME, last chosen); NULL = the session's own */
    char *remote_key;         /* the phone remote's key the profile keeps, NULL = a new one each time */
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
/* Remembers the length and bed a profile last chose (creating the profile):
 * length_ms < 0 keeps the remembered length, 0 forgets it (the session's
 * natural length); bed NULL keeps, "" forgets (the session's own bed).
 * Like the mix, not journaled: offline, nothing is saved. */
rlx_err rlx_store_profile_set_prefs(rlx_store *st, const char *name, int64_t length_ms, const char *bed,
                                    char *why, size_t whylen);
/* Keeps the phone remote's key for a profile (creating the profile), or
 * forgets it (key NULL). The caller checks the key's form. */
rlx_err rlx_store_profile_set_remote_key(rlx_store *st, const char *name, const char *key,
                                         char *why, size_t whylen);
/* Every profile, by name. Free with rlx_store_profiles_free. */
rlx_err rlx_store_profiles(rlx_store *st, rlx_profile **out, size_t *n, char *why, size_t whylen);
void rlx_store_profiles_free(rlx_profile *p, size_t n);

/* ---- listens ------------------------------------------------------------- */
/* rlx_listen_rec: store/store_record.h */

/* Inserts rec (creating its profile), giving it a uuid if it has none, and
 * sets rec->id. A rec whose uuid is already stored updates that listen
 * instead when it is at least as recent (ended_ms): idempotent. */
rlx_err rlx_store_listen_add(rlx_store *st, rlx_listen_rec *rec, char *why, size_t whylen);
/* Rewrites the mutable fields of rec (by rec->uuid): ended, position,
 * furthest, played, credit, completed, finished. One short transaction
 * (SQLite) or one journal line (PostgreSQL). */
rlx_err rlx_store_listen_save(rlx_store *st, const rlx_listen_rec *rec, char *why, size_t whylen);
/* Listens, oldest first; profile and session_id filter when non-NULL. */
rlx_err rlx_store_listens(rlx_store *st, const char *profile, const char *session_id,
                          rlx_listen_rec **out, size_t *n, char *why, size_t whylen);

/* Copies every profile (created time, mix) and listen of `from` into `to`,
 * idempotently (listens by uuid). Counts what `to` then holds of them. */
typedef struct {
    size_t profiles, listens;           /* in from */
    size_t profiles_to, listens_to;     /* of those, found in to after the copy */
} rlx_store_copy_counts;
rlx_err rlx_store_copy(rlx_store *from, rlx_store *to, rlx_store_copy_counts *counts,
                       char *why, size_t whylen);


#endif
