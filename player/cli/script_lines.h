/* script_lines.h - a session's spoken lines as a narrator sees them, for
 * `relax record`, `relax script` and the recordings report of `relax check`:
 * numbered in the order written, with where each falls, the pause after it
 * and whether it has a recording yet. */
#ifndef RLX_SCRIPT_LINES_H
#define RLX_SCRIPT_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "session/session.h"

typedef struct {
    int number;             /* 1-based among the say lines */
    const rlx_cue *cue;     /* borrowed from the session */
    char where[96];         /* "at 2:30", "2 s after the previous line" */
    char pause[160];        /* "then a pause of 20 s (up to 40 s)", or "" */
    bool own_file;          /* the line names its own `recording FILE` */
    bool recorded;          /* a recording exists (its own, or relax record's) */
    char *rec_path;         /* where relax record keeps this line's take (malloc'd; NULL without an id) */
} rlx_script_line;

rlx_err rlx_script_lines(const rlx_session *s, rlx_script_line **out, size_t *n);
void rlx_script_lines_free(rlx_script_line *lines, size_t n);   /* accepts NULL */

/* "calm (1.15x the voice's natural pace)" for the session's pace. */
const char *rlx_script_pace_hint(const rlx_session *s, char *buf, size_t len);

#endif
