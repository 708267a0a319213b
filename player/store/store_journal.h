/* store_journal.h - this machine's journal of listens for a shared store.
 * Private to player/store/. Every state of a listen written to a PostgreSQL
 * store is first appended here (a local file, one short line), then sent;
 * a sent state is acknowledged by a second line. What is not acknowledged
 * is sent again by the next open, and the server keeps one row per uuid, so
 * each listen arrives exactly once whatever fails in between.
 *
 * The file lives in $XDG_STATE_HOME/relax/journal/ (else
 * ~/.local/state/relax/journal/), one per store, mode 0600. Processes on the
 * same machine share it under a lock file (flock). */
#ifndef RLX_STORE_JOURNAL_H
#define RLX_STORE_JOURNAL_H

#include "core/err.h"
#include "store/store_record.h"

typedef struct rlx_journal rlx_journal;

/* Opens (creating the folder, not the file) the journal for the store named
 * `key` (its connection string without password, plus the schema). */
rlx_err rlx_journal_open(const char *key, rlx_journal **out, char *why, size_t whylen);
void rlx_journal_close(rlx_journal *j);   /* accepts NULL */
const char *rlx_journal_path(const rlx_journal *j);

/* Appends one state of a listen. */
rlx_err rlx_journal_append(rlx_journal *j, const rlx_listen_rec *rec, char *why, size_t whylen);

/* Latest state of every listen, oldest first; pending_only keeps those not
 * acknowledged. seqs[i] (malloc'd, may be NULL when not wanted) identifies
 * that state for rlx_journal_ack. profile filters when non-NULL. */
rlx_err rlx_journal_read(rlx_journal *j, bool pending_only, const char *profile,
                         rlx_listen_rec **out, size_t *n, long **seqs);
/* Marks the state `seq` of listen `uuid` as stored on the server. */
rlx_err rlx_journal_ack(rlx_journal *j, const char *uuid, long seq);
/* Rewrites the file with the latest state of each listen, dropping those
 * sent and older than RLX_JOURNAL_KEEP_DAYS (the rest stays for `relax next`
 * to read while the server is away). */
#define RLX_JOURNAL_KEEP_DAYS 400
void rlx_journal_compact(rlx_journal *j);

#endif
