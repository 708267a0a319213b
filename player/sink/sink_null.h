/* sink_null.h - the null driver (sink_null.c): a real driver that hears
 * nothing. It consumes frames at real-time pace (cfg.realtime, like a
 * device with no buffer) or as fast as they come, and honours pause, drop,
 * volume and fade-out like a device, so tests and benchmarks drive the
 * engine exactly as a listener would, against the audio clock. */
#ifndef RLX_SINK_NULL_H
#define RLX_SINK_NULL_H

#include "engine/sink.h"

extern const rlx_sink_ops rlx_sink_null_ops;

#endif
