/* capture_device.h - the audio input driver (capture_device.c, PortAudio),
 * the second stream type beside the output driver in sink_device.c.
 *
 * Data path: audio callback (RT) -> ring -> writer thread -> the take.
 * The callback only copies the (mono) input into the lock-free ring,
 * measures the block's peak and RMS into atomics for the meter, flags
 * clipping and counts overruns (ring full: the writer fell behind). The
 * writer thread drains the ring every few milliseconds and, between
 * take_begin and take_end, keeps what it drains. status() runs the
 * watchdog: no callbacks for 1 s, or the stream no longer active, means
 * the device was lost. Part of relax_device (links PortAudio). */
#ifndef RLX_CAPTURE_DEVICE_H
#define RLX_CAPTURE_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "sink/pa_device.h"   /* rlx_device_info */

typedef struct {
    const char *device;   /* NULL/"" = default input; digits = index; else a name substring */
    int rate;             /* wanted rate if the device takes it; 0 = the device's default */
    double ring_s;        /* ring length, seconds; default 2 */
    double latency_s;     /* suggested input latency; default the device's low latency */
    double max_take_s;    /* a take stops growing after this; default 600 */
} rlx_capture_config;

rlx_capture_config rlx_capture_config_init(void);

typedef struct rlx_capture rlx_capture;

/* Opens and starts the input stream and the writer thread. RLX_ERR_NO_DEVICE
 * with a one-line reason (no input device, no match, cannot open). */
rlx_err rlx_capture_open(const rlx_capture_config *cfg, rlx_capture **out, char *why,
                         size_t whylen);
void rlx_capture_close(rlx_capture *c);   /* accepts NULL; bounded even on a dead server */

/* All input devices (latencies are the input ones, max_channels the
 * inputs). *out is malloc'ed; *n may be 0 (also with no audio system). */
rlx_err rlx_capture_list(rlx_device_info **out, size_t *n);

int rlx_capture_rate(const rlx_capture *c);
const char *rlx_capture_device(const rlx_capture *c);

/* Control thread. begin drops anything captured before and starts keeping;
 * end stops keeping and hands over the take (malloc'd mono floats; the
 * caller frees). RLX_ERR_NOMEM when the take could not be held whole. */
void rlx_capture_take_begin(rlx_capture *c);
rlx_err rlx_capture_take_end(rlx_capture *c, float **samples, size_t *frames);
/* Frames kept so far in the current take. */
size_t rlx_capture_take_frames(rlx_capture *c);

typedef struct {
    float peak;           /* highest |sample| since the last status call */
    float rms;            /* RMS of the last callback's block */
    bool clipped;         /* a sample at or above 0.999 since the last status call */
    uint64_t callbacks, frames, overruns;
    bool lost;
    char lost_why[128];
} rlx_capture_status;

/* Control thread: meter values (peak and clipped reset on each call) and the watchdog. */
void rlx_capture_get_status(rlx_capture *c, rlx_capture_status *st);

#endif
