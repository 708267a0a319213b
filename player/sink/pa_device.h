/* pa_device.h - finding PortAudio devices, for output (sink_device.c) and
 * input (capture_device.c) alike: listing them, picking one by index or
 * name, and their facts. Call with PortAudio initialised (rlx_pa_init_quiet),
 * except rlx_pa_device_list, which initialises it itself. */
#ifndef RLX_PA_DEVICE_H
#define RLX_PA_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef struct {
    int index;               /* PortAudio device index */
    char name[160];
    char host_api[64];
    double default_rate;
    double low_latency, high_latency;  /* default latencies in that direction, seconds */
    int max_channels;        /* in that direction */
    bool is_default;
} rlx_device_info;

/* The devices that can play (input = false) or record (input = true).
 * *out is malloc'ed (free it); *n may be 0 (also when there is no audio
 * system at all). */
rlx_err rlx_pa_device_list(bool input, rlx_device_info **out, size_t *n);

/* spec: NULL/"" = the default device; digits = an index; else a
 * case-insensitive part of the name. Returns the index, or -1 with a
 * one-line reason in why (naming the command that lists the devices). */
int rlx_pa_device_pick(const char *spec, bool input, char *why, size_t whylen);

/* The facts of device `index` in one direction. */
void rlx_pa_device_info(int index, bool input, rlx_device_info *out);

#endif
