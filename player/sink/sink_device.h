/* sink_device.h - the audio device driver (sink_device.c, PortAudio).
 *
 * Data path: engine pump -> write -> ring -> audio callback. The callback
 * (RT) only copies from the ring, applies master volume and the pause /
 * drop / fade ramps (driven by atomics), pads any shortfall with silence
 * and counts callbacks and underruns. status() runs the watchdog: no
 * callbacks for 1 s, or the stream no longer active, means the device was
 * lost. The PortAudio start-up workarounds are in pa_quiet.c. The only
 * part of relax that links PortAudio (library relax_device). */
#ifndef RLX_SINK_DEVICE_H
#define RLX_SINK_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/sink.h"
#include "sink/pa_device.h"   /* rlx_device_info */

/* cfg.target: NULL/"" = the default output; digits = index; else a
 * case-insensitive name substring. cfg.rate is used if the device supports
 * it, else the device's default rate (see status.rate). */
extern const rlx_sink_ops rlx_sink_device_ops;


/* All output devices. *out is malloc'ed (free it); *n may be 0 (also when
 * there is no audio system at all). */
rlx_err rlx_device_list(rlx_device_info **out, size_t *n);

#endif
