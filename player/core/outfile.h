/* outfile.h - writing an output file (render, timeline, captions) so that OUT
 * is either its old self or the complete new file: the bytes go to a
 * temporary ".NAME.PID.XXXXXX" beside OUT, which is synced and renamed over
 * OUT on commit. rename() replaces a symlink named OUT; it never writes
 * through it. Temporaries left by a killed run are swept on the next open. */
#ifndef RLX_OUTFILE_H
#define RLX_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

typedef struct rlx_outfile rlx_outfile;

/* Creates the temporary (mode 0666 & ~umask) and returns its fd in *fd (owned
 * by the outfile: do not close it). RLX_ERR_OUTPUT / RLX_ERR_DISK_FULL with a
 * one-line reason naming OUT and its folder. OUT may not be a folder. */
rlx_err rlx_outfile_open(const char *out_path, rlx_outfile **out, int *fd, char *why, size_t whylen);

/* fsync, close and rename over OUT; then frees o. On failure the temporary
 * is removed, OUT is untouched, and *err_no holds errno (may be NULL). */
rlx_err rlx_outfile_commit(rlx_outfile *o, int *err_no);

/* Closes and removes the temporary; OUT is untouched. Accepts NULL. */
void rlx_outfile_abandon(rlx_outfile *o);

/* Removes temporaries of OUT left by runs that died (our naming only, our
 * own regular files only, whose process is gone or that are older than a
 * day). Returns how many were removed. Called by rlx_outfile_open. */
int rlx_outfile_sweep(const char *out_path);

/* ENOSPC, EDQUOT -> RLX_ERR_DISK_FULL; EFBIG -> RLX_ERR_TOO_LARGE; anything
 * else RLX_ERR_OUTPUT. */
rlx_err rlx_outfile_classify(int err_no);

#endif
