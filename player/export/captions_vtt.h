/* captions_vtt.h - WebVTT captions of a session's voice cues.
 * Pure apart from writing to the caller's stream. */
#ifndef RLX_CAPTIONS_VTT_H
#define RLX_CAPTIONS_VTT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "session/timeline.h"

/* Caption lines are wrapped at this many characters (code points); a cue
 * whose text needs more than two lines is split into consecutive cues. */
#define RLX_VTT_LINE_CHARS 42

/* Writes "WEBVTT", then one cue per `say` (its text) and per `play` with a
 * caption, in time order. Timestamps come from the timeline's frames.
 * Returns RLX_ERR_OUTPUT if the stream reports an error, RLX_ERR_NOMEM. */
rlx_err rlx_vtt_write(FILE *f, const rlx_timeline *t);

/* Formats ms as "hh:mm:ss.ttt" (negative clamps to 0); buf >= 16 bytes. */
const char *rlx_vtt_timestamp(int64_t ms, char *buf, size_t len);

/* Greedy word wrap of UTF-8 text to lines of at most `width` code points
 * (a word longer than that is cut). Returns the number of lines; line i is
 * text[starts[i] .. starts[i] + lens[i]). At most `max` lines are stored. */
size_t rlx_wrap_text(const char *text, size_t width, size_t *starts, size_t *lens, size_t max);

#endif
