/* sink.h - where rendered frames go: a file or an audio device.
 * Ops table; one file per implementation (sink_file.c, sink_device.c). */
#ifndef RLX_SINK_H
#define RLX_SINK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef struct rlx_sink rlx_sink;

typedef struct {
    const char *name;
    /* Takes n interleaved stereo frames; may block (device: until the ring has room). */
    rlx_err (*write)(rlx_sink *s, const float *frames, size_t n);
    /* commit = true: finish (file: flush and rename into place; device:
     * drain). false: abandon (file: remove the temporary). Frees the sink. */
    rlx_err (*close)(rlx_sink *s, bool commit);
} rlx_sink_ops;

struct rlx_sink {
    const rlx_sink_ops *ops;
};

/* File sink: OUT's extension picks the format (.wav float->24-bit PCM,
 * .flac 24-bit, .ogg Vorbis). Writes to a temporary file beside OUT and
 * renames it on commit, so OUT is never partial and an existing OUT
 * survives a failure. why gets a one-line reason on error. */
rlx_err rlx_sink_file_open(const char *out_path, int rate, rlx_sink **out,
                           char *why, size_t whylen);

#endif
