/* store_backend.h - what a progress-store backend implements. Private to
 * player/store/: store.c picks one at open (SQLite for a path, PostgreSQL
 * for a connection string) and the rest of the program never knows which.
 *
 * A backend handle is used by one thread at a time. `shown` is the store's
 * name for messages (a path, or a connection string without its password);
 * every message a backend writes into `why` names it. */
#ifndef RLX_STORE_BACKEND_H
#define RLX_STORE_BACKEND_H

#include "store/store.h"

typedef struct rlx_store_backend rlx_store_backend;

typedef struct {
    const char *name;   /* "sqlite", "postgresql" */
    /* Opens (creating and migrating when needed). On failure *unreachable
     * tells whether the server could not be reached (worth retrying) as
     * opposed to refused us (password, rights, foreign tables). */
    rlx_err (*open)(const char *where, const char *shown, rlx_store_backend **out, bool *unreachable,
                    char *why, size_t whylen);
    void (*close)(rlx_store_backend *b);   /* accepts NULL */
    int (*schema_version)(rlx_store_backend *b);
    rlx_err (*profile_get)(rlx_store_backend *b, const char *name, bool create, rlx_profile *out,
                           char *why, size_t whylen);
    rlx_err (*profile_set_mix)(rlx_store_backend *b, const char *name, double volume_db,
                               double background_db, const char *device, char *why, size_t whylen);
    /* length_ms < 0 / bed NULL: keep; 0 / "": forget (rlx_store_profile_set_prefs) */
    rlx_err (*profile_set_prefs)(rlx_store_backend *b, const char *name, int64_t length_ms, const char *bed,
                                 char *why, size_t whylen);
    /* Sets (key) or clears (NULL) the profile's kept remote key. Creates the profile. */
    rlx_err (*profile_set_remote_key)(rlx_store_backend *b, const char *name, const char *key,
                                      char *why, size_t whylen);
    /* Sets `created_ms` of a profile to the earlier of its own and this one
     * (store copy keeps when a client started). Creates the profile. */
    rlx_err (*profile_created)(rlx_store_backend *b, const char *name, int64_t created_ms,
                               char *why, size_t whylen);
    rlx_err (*profiles)(rlx_store_backend *b, rlx_profile **out, size_t *n, char *why, size_t whylen);
    /* Inserts rec, or updates the listen with the same uuid when rec is at
     * least as recent (ended_ms); sets rec->id. Idempotent. */
    rlx_err (*listen_put)(rlx_store_backend *b, rlx_listen_rec *rec, char *why, size_t whylen);
    rlx_err (*listens)(rlx_store_backend *b, const char *profile, const char *session_id,
                       rlx_listen_rec **out, size_t *n, char *why, size_t whylen);
    /* true when the last failure means the server could not be reached
     * (refused, no socket, timed out, connection lost): worth retrying. */
    bool (*unreachable)(rlx_store_backend *b);
} rlx_store_ops;

extern const rlx_store_ops rlx_store_sqlite_ops;
extern const rlx_store_ops rlx_store_pg_ops;


#endif
