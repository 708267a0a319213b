/* stretch.c - pitch-keeping time-stretch with Rubber Band (librubberband). */
#include "audio/stretch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rubberband/rubberband-c.h>

/* The R3 ("finer") engine sounds clearly cleaner on speech than R2 at these
 * small ratios; offline so the stretcher sees the whole line; never
 * threaded so the result cannot depend on scheduling; formants kept. */
#define RB_OPTIONS                                                                          \
    (RubberBandOptionProcessOffline | RubberBandOptionEngineFiner |                         \
     RubberBandOptionThreadingNever | RubberBandOptionFormantPreserved |                    \
     RubberBandOptionChannelsTogether)

#define RB_BLOCK 4096

const char *rlx_stretch_version(void)
{
    return "rubberband-" RUBBERBAND_VERSION "-r3";
}

rlx_err rlx_stretch(const float *in, size_t n, int rate, double ratio, float **out,
                    size_t *outn, char *why, size_t whylen)
{
    *out = NULL;
    *outn = 0;
    if (!isfinite(ratio) || ratio < 0.25 || ratio > 4.0) {
        snprintf(why, whylen, "stretch ratio %g out of range (0.25 to 4)", ratio);
        return RLX_ERR_USAGE;
    }
    if (rate <= 0 || n > (size_t)1 << 30) {
        snprintf(why, whylen, "cannot stretch %zu frames at %d Hz", n, rate);
        return RLX_ERR_USAGE;
    }
    if (ratio == 1.0 || n == 0) {
        float *o = malloc((n ? n : 1) * sizeof *o);
        if (!o)
            return RLX_ERR_NOMEM;
        if (n)
            memcpy(o, in, n * sizeof *o);
        *out = o;
        *outn = n;
        return RLX_OK;
    }
    RubberBandState rb = rubberband_new((unsigned)rate, 1, RB_OPTIONS, ratio, 1.0);
    if (!rb) {
        snprintf(why, whylen, "the time-stretcher (Rubber Band) could not start");
        return RLX_ERR_TTS;
    }
    rubberband_set_expected_input_duration(rb, (unsigned)n);
    rubberband_set_max_process_size(rb, RB_BLOCK);
    size_t cap = (size_t)ceil((double)n * ratio) + 2 * RB_BLOCK, got = 0;
    float *o = malloc(cap * sizeof *o);
    if (!o) {
        rubberband_delete(rb);
        return RLX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i += RB_BLOCK) {
        size_t k = n - i < RB_BLOCK ? n - i : RB_BLOCK;
        const float *p = in + i;
        rubberband_study(rb, &p, (unsigned)k, i + k == n);
    }
    rlx_err err = RLX_OK;
    size_t i = 0;
    int idle = 0;
    for (;;) {
        if (i < n) {
            size_t k = n - i < RB_BLOCK ? n - i : RB_BLOCK;
            const float *p = in + i;
            rubberband_process(rb, &p, (unsigned)k, i + k == n);
            i += k;
        }
        int avail = rubberband_available(rb);
        if (avail < 0)
            break;  /* everything processed and read */
        if (avail == 0) {
            /* offline and unthreaded, the last block's output is there at
             * once; never wait for more than that */
            if (i >= n && ++idle > 1)
                break;
            continue;
        }
        if (got + (size_t)avail > cap) {
            size_t nc = (got + (size_t)avail) * 2;
            float *no = realloc(o, nc * sizeof *no);
            if (!no) {
                err = RLX_ERR_NOMEM;
                goto done;
            }
            o = no;
            cap = nc;
        }
        float *q = o + got;
        got += rubberband_retrieve(rb, &q, (unsigned)avail);
    }
done:
    rubberband_delete(rb);
    if (err) {
        free(o);
        return err;
    }
    *out = o;
    *outn = got;
    return RLX_OK;
}
