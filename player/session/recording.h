/* recording.h - where a say line's own recording lives (relax record).
 * A kept take is saved as <session folder>/recordings/<session id>/<name>
 * where <name> = "say-" + 12 hex digits of a hash of the line's words
 * (whitespace collapsed) + ".flac": the name follows the words, not the
 * line's place, so editing or moving other lines never orphans it. The
 * words recorded are kept in the file's comment tag, so a line whose text
 * changed can be matched back to its old recording (relax check). */
#ifndef RLX_RECORDING_H
#define RLX_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session/session.h"

#define RLX_RECORDINGS_DIR "recordings"

/* 64-bit FNV-1a of the text with runs of whitespace as one space, ends trimmed. */
uint64_t rlx_recording_hash(const char *text);
/* "say-0123456789ab.flac" into buf (>= 22 bytes). */
const char *rlx_recording_name(const char *text, char *buf, size_t len);
/* "<dir>/recordings/<id>" into buf; NULL when the session has no id or dir. */
const char *rlx_recording_dir(const rlx_session *s, char *buf, size_t len);
/* The full path of the recording for `text` (whether or not it exists). */
const char *rlx_recording_path(const rlx_session *s, const char *text, char *buf, size_t len);

/* How alike two lines' words are, 0..1 (shared words over the longer line's
 * words): picks the line a changed recording most likely belongs to. */
double rlx_recording_similarity(const char *a, const char *b);

#endif
