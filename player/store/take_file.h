/* take_file.h - saving and reading kept takes (relax record): FLAC, mono,
 * with the words recorded in the comment tag. Writes are atomic: a hidden
 * temp file in the same folder, flushed, then renamed over the final name,
 * so render never sees half a take and an old take survives a failed save.
 * Caller's thread; blocking I/O. */
#ifndef RLX_TAKE_FILE_H
#define RLX_TAKE_FILE_H

#include <stddef.h>

#include "core/err.h"

/* Creates the folders on the way (mode 0755). RLX_ERR_DISK_FULL when the
 * disk fills, RLX_ERR_OUTPUT otherwise (why names the file and the cause). */
rlx_err rlx_take_save(const char *path, const float *x, size_t frames, int rate,
                      const char *text, char *why, size_t whylen);

/* The words a take was recorded for (its comment tag) into buf; RLX_ERR_IO
 * when unreadable, RLX_ERR_NOT_FOUND when it has no tag. */
rlx_err rlx_take_text(const char *path, char *buf, size_t len);

/* Writes `data` to path atomically the same way (for exports). */
rlx_err rlx_file_write_atomic(const char *path, const char *data, size_t len, char *why,
                              size_t whylen);

#endif
