/* sink.h - where the engine's frames go: the driver interface.
 * The engine defines it; the drivers implement it, one file each under
 * player/sink/ (sink_file.c, sink_null.c, sink_device.c), like cmus's op/
 * plugins or mpv's ao_* drivers. The engine never names a driver: the front
 * end picks one and hands its ops table over in rlx_engine_config.
 *
 * Threads: open, close and status run on the control thread; write, drop
 * and drain on the engine's pump thread; pause, set_volume, fade_out and
 * interrupt on the control thread, at any time (they only set atomics).
 * Optional ops may be NULL (the file sink cannot pause, say). */
#ifndef RLX_SINK_H
#define RLX_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct rlx_sink rlx_sink;

typedef struct {
    const char *target;  /* file: the output path; device: name substring or index
                          * (NULL/"" = the default output); null: unused */
    int rate;            /* wanted rate; a device may pick its own (rlx_sink_status.rate) */
    bool realtime;       /* null: consume at real-time pace (else as fast as possible) */
    double volume_db;    /* initial master volume (<= 0) */
    int fade_in_ms;      /* ramp from silence when the audio starts; 0 = none */
    double ring_s;       /* device: buffer length in seconds (>= 1; default 1.5) */
    double latency_s;    /* device: suggested output latency (default 0.08) */
    size_t block_frames; /* how many frames the engine writes at a time */
} rlx_sink_config;

typedef struct {
    int rate;                 /* the rate the sink runs at */
    int64_t played;           /* frames heard so far (not dropped, not paused) */
    bool silent;              /* paused and the ramp down is done */
    bool faded;               /* a fade-out finished: nothing more will be heard */
    bool lost;                /* the device stopped (why in lost_why) */
    char lost_why[128];
    char device[160];         /* device name and host API ("" for files and null) */
    char host_api[64];
    /* device statistics (0 elsewhere) */
    uint64_t callbacks, underruns, device_underflows;
    double callback_load;     /* time in the callback / audio time, 0..1 */
    double max_callback_ms;
    double cpu_load;          /* the audio system's own estimate, 0..1 */
    int64_t first_audio_ns;   /* CLOCK_MONOTONIC of the first audible frame; 0 = not yet */
} rlx_sink_status;

typedef struct {
    const char *name;
    /* Opens the sink; *out is freed by close. RLX_ERR_NO_DEVICE, RLX_ERR_OUTPUT,
     * RLX_ERR_USAGE, ... with a one-line reason in why. A device opens no
     * stream yet (start does), so the caller can prepare audio at its rate. */
    rlx_err (*open)(const rlx_sink_config *cfg, rlx_sink **out, char *why, size_t whylen);
    /* Begins consuming (device: opens and starts the stream). NULL = nothing to do. */
    rlx_err (*start)(rlx_sink *s, char *why, size_t whylen);
    /* Takes n interleaved stereo frames; may block (device: until there is
     * room; null in real time: at the audio's pace). RLX_ERR_INTERRUPTED
     * when interrupt was called meanwhile (the frames not taken are lost);
     * RLX_ERR_DEVICE_LOST, RLX_ERR_DISK_FULL, RLX_ERR_OUTPUT on failure. */
    rlx_err (*write)(rlx_sink *s, const float *frames, size_t n);
    /* Stops/resumes consuming, with short ramps. NULL: cannot pause. */
    void (*pause)(rlx_sink *s, bool paused);
    /* Discards everything written but not heard yet (ramped down first),
     * then accepts writes again. Bounded; interruptible. NULL: nothing is buffered. */
    rlx_err (*drop)(rlx_sink *s);
    /* Waits until everything written has been heard. Bounded by the
     * buffer's length; RLX_ERR_INTERRUPTED after interrupt. NULL: nothing to wait for. */
    rlx_err (*drain)(rlx_sink *s);
    /* Frames written but not heard yet. */
    int64_t (*latency)(rlx_sink *s);
    /* Frames heard so far (the audio clock); any thread. */
    int64_t (*played)(rlx_sink *s);
    /* Master volume, ramped (any thread). NULL: fixed. */
    void (*set_volume)(rlx_sink *s, double db);
    /* Fades to silence over ms and stays silent (status.faded). NULL: stops at once. */
    void (*fade_out)(rlx_sink *s, int ms);
    /* Makes a blocked (or the next) write, drop or drain return RLX_ERR_INTERRUPTED. */
    void (*interrupt)(rlx_sink *s);
    /* Current state; the device watchdog runs here. */
    void (*status)(rlx_sink *s, rlx_sink_status *st);
    /* commit = true: finish (file: flush and rename into place). false:
     * abandon (file: remove the temporary). Frees the sink. Bounded, also
     * when the device is gone. Accepts NULL. */
    rlx_err (*close)(rlx_sink *s, bool commit);
} rlx_sink_ops;

struct rlx_sink {
    const rlx_sink_ops *ops;
};

#endif
