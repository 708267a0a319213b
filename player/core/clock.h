/* clock.h - the monotonic clock and sleeps that resume after a signal: for
 * the control threads' timeouts and polls (never the audio callback's: the
 * audio clock is the frames played). */
#ifndef RLX_CLOCK_H
#define RLX_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t rlx_now_ns(void);

/* Sleeps ns nanoseconds (ms milliseconds), the whole time even when a
 * signal arrives meanwhile. */
void rlx_sleep_ns(int64_t ns);
void rlx_sleep_ms(int ms);

#endif
