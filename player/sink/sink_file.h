/* sink_file.h - the file driver (sink_file.c): .wav (24-bit PCM), .flac
 * (24-bit) or .ogg (Vorbis), picked by OUT's extension. Frames go to a
 * temporary file beside OUT, renamed over it on commit, so OUT is never
 * partial and an existing OUT survives a failure. Never blocks for long,
 * never pauses: the engine pumps it as fast as it renders. */
#ifndef RLX_SINK_FILE_H
#define RLX_SINK_FILE_H

#include "engine/sink.h"

extern const rlx_sink_ops rlx_sink_file_ops;   /* cfg.target = OUT */

/* The same as rlx_sink_file_ops.open, for callers that write frames
 * themselves. why gets a one-line reason on error. */
rlx_err rlx_sink_file_open(const char *out_path, int rate, rlx_sink **out,
                           char *why, size_t whylen);

#endif
