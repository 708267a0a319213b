/* authoring.h - pieces shared by the author's commands (check, list,
 * timeline, captions): voice durations through the cache, timelines,
 * and text formatting for the terminal. */
#ifndef RLX_AUTHORING_H
#define RLX_AUTHORING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "session/session.h"
#include "session/timeline.h"

#define RLX_AUTH_RATE 48000

/* Durations of the voice cues (TTS lines are spoken once and cached); shows
 * "speaking N lines…" on stderr while it works when stderr is a terminal.
 * *out_ms is malloc'ed (s->ncues entries, -1 for non-voice cues). */
rlx_err rlx_auth_durations(const rlx_session *s, int64_t **out_ms, rlx_diags *d);
/* Same, but when the cache itself cannot be opened it returns RLX_ERR_CACHE
 * and reports that with severity `cache_sev` (check treats it as a warning:
 * the file is not at fault). */
rlx_err rlx_auth_durations_sev(const rlx_session *s, int64_t **out_ms, rlx_diags *d,
                               rlx_diag_severity cache_sev);

/* Loads SESSION (path or id), prepares its voice and builds its timeline at
 * length_ms (0 = natural). On failure *s and *t are NULL and d says why. */
rlx_err rlx_auth_load_timeline(const char *arg, int64_t length_ms, rlx_session **s,
                               rlx_timeline **t, rlx_diags *d);

/* "10 s", "1500 ms", "4 min", "2.5 s". */
const char *rlx_auth_fmt_dur(int64_t ms, char *buf, size_t len);
/* "m:ss.fff" (or "h:mm:ss.fff"). */
const char *rlx_auth_fmt_clock(int64_t ms, char *buf, size_t len);

/* Columns of the terminal on fd, or 0 when it is not one. */
int rlx_auth_term_width(int fd);
/* Number of code points of UTF-8 text. */
size_t rlx_auth_width(const char *s);
/* Writes s cut to at most `width` code points (ending in "…" when cut),
 * padded with spaces to `width` when pad is set; control characters become
 * spaces. Returns the code points written. */
size_t rlx_auth_put_fit(FILE *f, const char *s, size_t width, bool pad);

/* The line `line` (1-based) of a regular file, sanitised for printing;
 * malloc'ed, NULL if unavailable. For diagnostics with a caret. */
char *rlx_auth_source_line(const char *path, int line);

/* Gives every diagnostic that names a file and line but no source line its
 * source line, so it prints with a caret. */
void rlx_auth_fill_sources(rlx_diags *d);

/* Writes an output file with fn (removing it again on failure); "-" means
 * standard output. Reports a failure on stderr and returns an exit code. */
int rlx_auth_write_output(const char *out, rlx_err (*fn)(FILE *f, void *ctx), void *ctx);

/* The shape shared by `timeline` and `captions`: SESSION -o FILE [--length D]
 * plus the command's own options, then the session laid out and written. */
typedef struct {
    const char *name;        /* "timeline", used in messages */
    const char *output;      /* "FILE.svg", for "name the output with -o ..." */
    void (*usage)(FILE *f);
    const char *const *options;  /* the command's own options (each takes a value), NULL-terminated; may be NULL */
    /* Takes one of `options` with its value; false: bad value (already reported). */
    bool (*option)(void *ctx, const char *opt, const char *val);
    rlx_err (*write)(FILE *f, const rlx_session *s, const rlx_timeline *t, void *ctx);
    void *ctx;
} rlx_auth_export;

int rlx_auth_export_run(const rlx_auth_export *e, int argc, char **argv);

#endif
