/* take.c - measuring, trimming and levelling a recorded take. See take.h. */
#include "audio/take.h"

#include <ebur128.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEECH_WIN_MS 10.0
#define NOISE_WIN_MS 50.0

rlx_take_config rlx_take_config_init(void)
{
    return (rlx_take_config){.margin_ms = 250.0, .fade_ms = 10.0, .target_lufs = -18.0};
}

static double lin_to_db(double v)
{
    return v > 0.0 ? 20.0 * log10(v) : -INFINITY;
}

static double window_rms(const float *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    return n ? sqrt(s / (double)n) : 0.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The quietest tenth of the 50 ms windows is where the room is heard alone
 * (between words and before the first one). */
static double noise_floor_db(const float *x, size_t n, int rate)
{
    size_t win = (size_t)(NOISE_WIN_MS * rate / 1000.0);
    if (win == 0 || n < win)
        return lin_to_db(window_rms(x, n));
    size_t nw = n / win;
    double *r = malloc(nw * sizeof *r);
    if (!r)
        return lin_to_db(window_rms(x, n));
    for (size_t w = 0; w < nw; w++)
        r[w] = window_rms(x + w * win, win);
    qsort(r, nw, sizeof *r, cmp_double);
    double v = r[nw / 10];
    free(r);
    return lin_to_db(v);
}

rlx_err rlx_take_measure(const float *x, size_t n, int rate, rlx_take_stats *st)
{
    memset(st, 0, sizeof *st);
    st->clip_at = (size_t)-1;
    double peak = 0.0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs((double)x[i]);
        if (a > peak) {
            peak = a;
            st->peak_at = i;
        }
        if (st->clip_at == (size_t)-1 && a >= RLX_TAKE_CLIP_LEVEL)
            st->clip_at = i;
    }
    st->peak_db = lin_to_db(peak);
    st->noise_db = noise_floor_db(x, n, rate);
    st->lufs = -INFINITY;
    if (n == 0)
        return RLX_OK;
    ebur128_state *m = ebur128_init(1, (unsigned long)rate, EBUR128_MODE_I);
    if (!m)
        return RLX_ERR_NOMEM;
    /* a mono voice is heard from both speakers: count it as dual mono */
    ebur128_set_channel(m, 0, EBUR128_DUAL_MONO);
    double l;
    if (ebur128_add_frames_float(m, x, n) == EBUR128_SUCCESS &&
        ebur128_loudness_global(m, &l) == EBUR128_SUCCESS && isfinite(l) && l > -70.0)
        st->lufs = l;
    ebur128_destroy(&m);
    return RLX_OK;
}

bool rlx_take_speech_bounds(const float *x, size_t n, int rate, double margin_ms,
                            size_t *start, size_t *end)
{
    *start = *end = 0;
    size_t win = (size_t)(SPEECH_WIN_MS * rate / 1000.0);
    if (win == 0 || n < win)
        return false;
    double peak = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs((double)x[i]) > peak)
            peak = fabs((double)x[i]);
    double peak_db = lin_to_db(peak);
    if (peak_db < RLX_TAKE_NO_SIGNAL_DB)
        return false;
    double thr = fmax(noise_floor_db(x, n, rate) + 10.0, peak_db - 40.0);
    size_t nw = n / win, first = nw, last = 0;
    for (size_t w = 0; w < nw; w++) {
        if (lin_to_db(window_rms(x + w * win, win)) > thr) {
            if (first == nw)
                first = w;
            last = w;
        }
    }
    if (first == nw)
        return false;
    size_t margin = (size_t)(margin_ms * rate / 1000.0);
    size_t s = first * win, e = (last + 1) * win;
    if (last + 1 == nw)
        e = n;   /* the tail shorter than a window belongs to the last word */
    *start = s > margin ? s - margin : 0;
    *end = e + margin < n ? e + margin : n;
    return true;
}

void rlx_take_fade_edges(float *x, size_t n, size_t fade)
{
    if (fade > n / 2)
        fade = n / 2;
    for (size_t i = 0; i < fade; i++) {
        /* 0 at the outer sample, rising to just under 1: no step at either end */
        float g = (float)(0.5 - 0.5 * cos(M_PI * (double)i / (double)fade));
        x[i] *= g;
        x[n - 1 - i] *= g;
    }
}

rlx_err rlx_take_process(const float *raw, size_t n, int rate, const rlx_take_config *cfg,
                         rlx_take_result *res)
{
    rlx_take_config def = rlx_take_config_init();
    if (!cfg)
        cfg = &def;
    memset(res, 0, sizeof *res);
    rlx_err e = rlx_take_measure(raw, n, rate, &res->raw);
    if (e != RLX_OK)
        return e;
    size_t s, end;
    if (res->raw.peak_db < RLX_TAKE_NO_SIGNAL_DB ||
        !rlx_take_speech_bounds(raw, n, rate, cfg->margin_ms, &s, &end)) {
        res->flags = RLX_TAKE_NO_SIGNAL;
        res->out.clip_at = (size_t)-1;
        return RLX_OK;
    }
    if (res->raw.clip_at != (size_t)-1)
        res->flags |= RLX_TAKE_CLIPPED;
    if (res->raw.peak_db < RLX_TAKE_QUIET_DB)
        res->flags |= RLX_TAKE_TOO_QUIET;
    size_t m = end - s;
    float *y = malloc((m ? m : 1) * sizeof *y);
    if (!y)
        return RLX_ERR_NOMEM;
    memcpy(y, raw + s, m * sizeof *y);
    rlx_take_fade_edges(y, m, (size_t)(cfg->fade_ms * rate / 1000.0));
    rlx_take_stats t;
    if ((e = rlx_take_measure(y, m, rate, &t)) != RLX_OK) {
        free(y);
        return e;
    }
    /* too short for integrated loudness (< 400 ms): aim the peak 12 dB over the target instead */
    double gain = isfinite(t.lufs) ? cfg->target_lufs - t.lufs : cfg->target_lufs + 12.0 - t.peak_db;
    if (t.peak_db + gain > RLX_TAKE_PEAK_MAX_DB) {
        gain = RLX_TAKE_PEAK_MAX_DB - t.peak_db;
        res->flags |= RLX_TAKE_PEAK_CAPPED;
    }
    float g = (float)pow(10.0, gain / 20.0);
    for (size_t i = 0; i < m; i++)
        y[i] *= g;
    if (res->raw.noise_db + gain > RLX_TAKE_NOISE_MAX_DB)
        res->flags |= RLX_TAKE_NOISY;
    if ((e = rlx_take_measure(y, m, rate, &res->out)) != RLX_OK) {
        free(y);
        return e;
    }
    res->samples = y;
    res->frames = m;
    res->trim_start = s;
    res->gain_db = gain;
    return RLX_OK;
}

void rlx_take_result_free(rlx_take_result *res)
{
    if (!res)
        return;
    free(res->samples);
    res->samples = NULL;
    res->frames = 0;
}

bool rlx_take_ok(const rlx_take_result *res)
{
    return !(res->flags & (RLX_TAKE_NO_SIGNAL | RLX_TAKE_CLIPPED | RLX_TAKE_TOO_QUIET | RLX_TAKE_NOISY));
}

const char *rlx_take_verdict(const rlx_take_result *res, int rate, char *buf, size_t len)
{
    if (!len)
        return buf;
    buf[0] = 0;
    if (res->flags & RLX_TAKE_NO_SIGNAL) {
        snprintf(buf, len, "no signal: is the microphone connected and not muted?");
        return buf;
    }
    size_t k = 0;
#define ADD(...) do { if (k < len) k += (size_t)snprintf(buf + k, len - k, __VA_ARGS__); } while (0)
    if (res->flags & RLX_TAKE_CLIPPED) {
        long sec = rate > 0 ? (long)(res->raw.clip_at / (size_t)rate) : 0;
        ADD("clipped at %ld:%02ld: speak a little softer or move back", sec / 60, sec % 60);
    }
    if (res->flags & RLX_TAKE_TOO_QUIET)
        ADD("%stoo quiet: move closer to the microphone", k ? "; " : "");
    if (res->flags & RLX_TAKE_NOISY)
        ADD("%sbackground noise is high: a fan? a window open?", k ? "; " : "");
    if (!k)
        ADD("sounds good%s", res->flags & RLX_TAKE_PEAK_CAPPED
                                 ? " (a little below the target loudness so the peaks stay clean)" : "");
#undef ADD
    return buf;
}
