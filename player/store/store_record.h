/* store_record.h - the plain data every store backend and the journal
 * share: one listen's record, freeing it, the wall clock and the one-line
 * reason helper. Below store.c, so the journal and the backends need not
 * call up into it. */
#ifndef RLX_STORE_RECORD_H
#define RLX_STORE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define RLX_LISTEN_UUID_LEN 32       /* hex digits */

/* One listen: from pressing play to stopping. Positions in session ms. */
typedef struct {
    int64_t id;               /* set by rlx_store_listen_add (store-local) */
    char uuid[RLX_LISTEN_UUID_LEN + 1];   /* the listen's key everywhere; "" = make one */
    char *room;               /* where it was played; NULL = no room given */
    int64_t rev;              /* set by the store at each write: orders two states of one
                               * listen saved in the same ms (sent by two processes) */
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
                               * (played 0, not completed); set at add, never changed.
                               * Not carried by the PostgreSQL journal. */
} rlx_listen_rec;

void rlx_listen_rec_clear(rlx_listen_rec *rec);           /* frees the fields */
void rlx_store_listens_free(rlx_listen_rec *recs, size_t n);

/* Wall clock in ms since the Unix epoch. */
int64_t rlx_store_now_ms(void);

#endif
