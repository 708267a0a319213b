/* listen.h - recording one listen while a session plays.
 * Called from the playback control thread (never the audio callback): each
 * write is one short SQLite transaction, or one line appended to the local
 * journal for a PostgreSQL store (a sender thread does the network). */
#ifndef RLX_LISTEN_H
#define RLX_LISTEN_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/play_hooks.h"
#include "session/session.h"
#include "store/store.h"

#define RLX_LISTEN_WRITE_INTERVAL_MS 5000  /* kill -9 loses at most this much */
#define RLX_LISTEN_COMPLETE_FRACTION 0.9   /* share of the length that must be heard */
#define RLX_LISTEN_RESUME_SLACK_MS 10000   /* a start this far past the last position still resumes */
#define RLX_LISTEN_SEEK_MS 1500            /* recorder: a jump this big is a seek, saved at once */

typedef struct rlx_listen rlx_listen;

/* Wall clock in ms since the epoch; tests pass a fake one. */
typedef int64_t (*rlx_clock_fn)(void *user);

/* Starts a listen of `session` (its id, week and hash are recorded) for
 * `profile` (created if new), rendered at length_ms, starting at from_ms.
 * When from_ms > 0 continues the profile's last unfinished listen of the same
 * session (from_ms <= its furthest position + RLX_LISTEN_RESUME_SLACK_MS),
 * the time heard there counts towards completion. Writes the first row now.
 * clock may be NULL (real clock). The store must outlive the listen. */
rlx_err rlx_listen_begin(rlx_store *st, const char *profile, const rlx_session *session,
                         int64_t length_ms, int64_t from_ms, rlx_clock_fn clock, void *clock_user,
                         rlx_listen **out, char *why, size_t whylen);

/* The same, recording the listen in `room` (NULL: none); rlx_listen_begin
 * uses $RELAX_ROOM. */
rlx_err rlx_listen_begin_in(rlx_store *st, const char *profile, const char *room, const rlx_session *session,
                            int64_t length_ms, int64_t from_ms, rlx_clock_fn clock, void *clock_user,
                            rlx_listen **out, char *why, size_t whylen);

/* Position and time heard so far. Writes when `force` (pause, seek, quit,
 * signals) or RLX_LISTEN_WRITE_INTERVAL_MS passed since the last write. */
rlx_err rlx_listen_update(rlx_listen *l, int64_t pos_ms, int64_t played_ms, bool force,
                          char *why, size_t whylen);

/* Final write. Completed iff reached_end and the time heard (including the
 * listen it resumed) is >= 90% of the length. Further calls are no-ops. */
rlx_err rlx_listen_finish(rlx_listen *l, int64_t pos_ms, int64_t played_ms, bool reached_end,
                          char *why, size_t whylen);

void rlx_listen_close(rlx_listen *l);   /* accepts NULL; does not write */

const rlx_listen_rec *rlx_listen_record(const rlx_listen *l);
int rlx_listen_writes(const rlx_listen *l);   /* rows written so far (tests) */

/* The resume point of `session_id` for `profile`: the position of its latest
 * listen if that one did not complete and stopped before the end, and the
 * session was never completed; else 0. Also returns that listen's length. */
rlx_err rlx_listen_resume_point(rlx_store *st, const char *profile, const char *session_id,
                                int64_t *pos_ms, int64_t *length_ms, char *why, size_t whylen);

/* ---- playback hooks ------------------------------------------------------
 * A recorder turns the player's hook calls into a listen. Open it before
 * playback (it opens the store, so a broken store is reported up front),
 * pass the three callbacks with the recorder as `user`, close it after.
 * on_position saves at once on pause and on a seek (the position moving
 * other than with the time heard), else every RLX_LISTEN_WRITE_INTERVAL_MS. */
typedef struct rlx_listen_recorder rlx_listen_recorder;

rlx_err rlx_listen_recorder_open(const char *store_path_or_null, const char *profile_or_null,
                                 rlx_listen_recorder **out, char *why, size_t whylen);
void rlx_listen_recorder_on_start(void *user, const rlx_session *s, int64_t length_ms);
void rlx_listen_recorder_on_position(void *user, int64_t pos_ms, int64_t played_ms, bool paused);
void rlx_listen_recorder_on_stop(void *user, int64_t pos_ms, int64_t played_ms, bool reached_end);
/* The room listens are recorded in (default $RELAX_ROOM); NULL = none. */
void rlx_listen_recorder_set_room(rlx_listen_recorder *r, const char *room);
/* A shared server that did not answer at open does not stop playback: the
 * recorder writes to this machine's journal only (sent when the server is
 * back). True in that case, with the reason in *why. */
bool rlx_listen_recorder_offline(const rlx_listen_recorder *r, const char **why);
/* The recorder's store (for its path and what is still unsent at the end). */
rlx_store *rlx_listen_recorder_store(const rlx_listen_recorder *r);
/* Signature fit for a player hook reporting the mix when playback ends. */
void rlx_listen_recorder_on_mix(void *user, double volume_db, double background_db, const char *device);
/* Remembers the profile's mix and device (saved at close). device may be NULL. */
void rlx_listen_recorder_set_mix(rlx_listen_recorder *r, double volume_db, double background_db,
                                 const char *device);
/* The profile's remembered mix; false if none was saved yet. */
bool rlx_listen_recorder_mix(const rlx_listen_recorder *r, double *volume_db, double *background_db,
                             const char **device);
/* The length (0: none) and bed (NULL: none) the profile last chose; the
 * bed is borrowed from the recorder. */
void rlx_listen_recorder_prefs(const rlx_listen_recorder *r, int64_t *length_ms, const char **bed);
/* Remembers a choice (saved at close): length_ms < 0 / bed NULL keep the
 * remembered one, 0 / "" forget it. */
void rlx_listen_recorder_set_prefs(rlx_listen_recorder *r, int64_t length_ms, const char *bed);
/* The phone remote's key the profile keeps (relax profiles --keep-remote-key);
 * NULL if none. Lives as long as the recorder. */
const char *rlx_listen_recorder_remote_key(const rlx_listen_recorder *r);
/* Returns the first store error met during playback (message in why), or RLX_OK. Accepts NULL. */
rlx_err rlx_listen_recorder_close(rlx_listen_recorder *r, char *why, size_t whylen);

/* The same, as the player's hook struct (engine/play_hooks.h). In cmd_play.c:
 *     rlx_play_hooks hooks;
 *     if ((err = rlx_listen_hooks_open(store_or_NULL, profile_or_NULL, &hooks, why, sizeof why)))
 *         { rlx_cli_error("%s", why); return rlx_cli_exit_code(err); }
 *     opts.hooks = &hooks;  ...play...  err = rlx_listen_hooks_close(&hooks, why, sizeof why);
 * hooks.user is the rlx_listen_recorder (for set_mix / mix). */
rlx_err rlx_listen_hooks_open(const char *store_path_or_null, const char *profile_or_null,
                              rlx_play_hooks *hooks_out, char *why, size_t whylen);
rlx_err rlx_listen_hooks_close(rlx_play_hooks *hooks, char *why, size_t whylen);  /* accepts NULL */

#endif
