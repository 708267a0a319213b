/* pa_device.c - finding PortAudio devices for output and input. */
#include "sink/pa_device.h"

#include <ctype.h>
#include <portaudio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink/pa_quiet.h"

static int channels(const PaDeviceInfo *d, bool input)
{
    return d ? (input ? d->maxInputChannels : d->maxOutputChannels) : 0;
}

void rlx_pa_device_info(int index, bool input, rlx_device_info *out)
{
    const PaDeviceInfo *d = Pa_GetDeviceInfo((PaDeviceIndex)index);
    const PaHostApiInfo *h = d ? Pa_GetHostApiInfo(d->hostApi) : NULL;
    memset(out, 0, sizeof *out);
    out->index = index;
    snprintf(out->name, sizeof out->name, "%s", d && d->name ? d->name : "?");
    snprintf(out->host_api, sizeof out->host_api, "%s", h && h->name ? h->name : "?");
    if (d) {
        out->default_rate = d->defaultSampleRate;
        out->low_latency = input ? d->defaultLowInputLatency : d->defaultLowOutputLatency;
        out->high_latency = input ? d->defaultHighInputLatency : d->defaultHighOutputLatency;
        out->max_channels = channels(d, input);
    }
    out->is_default = index == (input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice());
}

rlx_err rlx_pa_device_list(bool input, rlx_device_info **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (rlx_pa_init_quiet() != paNoError)
        return RLX_OK;  /* no audio system at all: no devices */
    PaDeviceIndex count = Pa_GetDeviceCount();
    rlx_err err = RLX_OK;
    if (count > 0) {
        rlx_device_info *v = calloc((size_t)count, sizeof *v);
        if (!v) {
            err = RLX_ERR_NOMEM;
        } else {
            size_t k = 0;
            for (PaDeviceIndex i = 0; i < count; i++)
                if (channels(Pa_GetDeviceInfo(i), input) > 0)
                    rlx_pa_device_info(i, input, &v[k++]);
            *out = v;
            *n = k;
        }
    }
    rlx_pa_terminate_quiet();
    return err;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

int rlx_pa_device_pick(const char *spec, bool input, char *why, size_t whylen)
{
    const char *dir = input ? "input" : "output";
    const char *lister = input ? "relax devices --input" : "relax devices";
    if (!spec || !*spec) {
        PaDeviceIndex d = input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
        if (d == paNoDevice)
            snprintf(why, whylen, input ? "no audio input device found: connect a microphone"
                                        : "no audio output device found");
        return d == paNoDevice ? -1 : d;
    }
    PaDeviceIndex count = Pa_GetDeviceCount();
    if (all_digits(spec)) {
        long i = strtol(spec, NULL, 10);
        if (i < count && channels(Pa_GetDeviceInfo((PaDeviceIndex)i), input) > 0)
            return (int)i;
        snprintf(why, whylen, "no %s device number %s (see '%s')", dir, spec, lister);
        return -1;
    }
    for (PaDeviceIndex i = 0; i < count; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (channels(d, input) > 0 && d->name && contains_nocase(d->name, spec))
            return i;
    }
    snprintf(why, whylen, "no %s device matches '%s' (see '%s')", dir, spec, lister);
    return -1;
}
