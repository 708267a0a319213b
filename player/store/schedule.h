/* schedule.h - program flow: which weeks are done, in progress, open or
 * locked, when the next one opens, and the current run of weeks kept on
 * schedule. Pure: times come in as arguments (ms since the epoch). */
#ifndef RLX_SCHEDULE_H
#define RLX_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A week is on schedule when completed at most this long after it opened. */
#define RLX_SCHEDULE_GRACE_MS (7LL * 24 * 3600 * 1000)

typedef enum {
    RLX_WEEK_DONE,         /* completed at least once */
    RLX_WEEK_IN_PROGRESS,  /* an unfinished listen can be resumed */
    RLX_WEEK_OPEN,         /* may be played now */
    RLX_WEEK_OPENS_LATER,  /* previous week done, opens at opens_ms */
    RLX_WEEK_LOCKED        /* previous week not done yet */
} rlx_week_state;

const char *rlx_week_state_name(rlx_week_state s);  /* "done", "in-progress", "open", "opens-later", "locked" */

/* What the store knows about one week (one program entry), per profile. */
typedef struct {
    int64_t completed_ms;    /* first completion, 0 = never */
    int64_t resume_ms;       /* resume point of an unfinished listen, 0 = none */
    int64_t length_ms;       /* length of that unfinished listen */
    int64_t last_listen_ms;  /* start of the latest listen, 0 = never */
} rlx_week_input;

typedef struct {
    rlx_week_state state;
    bool unlocked;           /* open by the rule (week 1, or previous done + wait passed) */
    int64_t opens_ms;        /* when it opened / opens: previous completion + wait; 0 for week 1 or unknown */
    int64_t completed_ms;
    int64_t resume_ms, length_ms;
    bool on_schedule;        /* done, and within RLX_SCHEDULE_GRACE_MS of opening */
} rlx_week_status;

typedef struct {
    size_t done;             /* weeks done */
    bool all_done;
    int next;                /* 0-based week `relax next` plays, -1 if none */
    bool resume;             /* next resumes its unfinished listen */
    int waiting;             /* 0-based week waiting to open, -1 if none */
    int64_t waiting_opens_ms;
    int run;                 /* current run of weeks kept on schedule */
} rlx_schedule;

/* Computes out[0..n) and the summary. wait_ms: program `wait`. any: ignore locks. */
void rlx_schedule_compute(const rlx_week_input *in, size_t n, int64_t wait_ms, int64_t now_ms,
                          bool any, rlx_week_status *out, rlx_schedule *sum);

#endif
