/* source_bed.c - the ambient bed, made so that a long session has no loop
 * to hear: two layers, each a chain of segments cut from the clip at
 * pseudo-random places (a fixed seed: the same session sounds the same
 * every time, and a seek lands on the same sound), one segment into the
 * next with an equal-power crossfade. The layers have different segment
 * lengths, so the pair of segments heard together keeps changing, and each
 * layer plays at -3 dB so two uncorrelated layers keep the clip's level.
 * Which segment plays at frame t is a pure function of t: no state but the
 * readers' positions. A clip too short to cut (under 8 s) is laid end to
 * end as one layer, as before. */
#include "audio/source.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BED_LAYERS 2
#define BED_SEED 0x5eedbedULL
static const int bed_seg_ms[BED_LAYERS] = {19000, 27000};   /* no common beat for minutes */
#define BED_MIN_CLIP_MS 8000

typedef struct {
    rlx_clip_reader *rd;
    int64_t pos;        /* clip frame the next read returns; -1 unknown */
} slot;

typedef struct {
    slot main, tail;
    int64_t seg, xfade, period;   /* segment length, overlap, seg - xfade */
    int64_t span;                 /* where a segment may start: 0 .. span */
    uint64_t seed;
    /* the equal-power crossfade's gains at each of its frames, (float)sin
     * and (float)cos of the quarter turn: worked out once, not per frame
     * of every crossfade (they were a tenth of a warm render's time);
     * shared by layers with the same overlap */
    float *fade_in, *fade_out;
    bool owns_fades;
} layer;

typedef struct {
    rlx_source base;
    layer ly[BED_LAYERS];
    int nlayers;
    float gain;                   /* per layer */
    float *buf, *tailbuf;         /* block stereo frames each */
} bed;

/* Where segment k of a layer starts in the clip (splitmix64 of seed, k). */
static int64_t seg_offset(const layer *l, int64_t k)
{
    if (l->span <= 0)
        return 0;
    uint64_t z = l->seed + (uint64_t)k * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (int64_t)(z % (uint64_t)(l->span + 1));
}

static rlx_err layer_mix(bed *b, layer *l, int64_t a, size_t n, const float *gain, float *mix)
{
    size_t i = 0;
    while (i < n) {
        int64_t t = a + (int64_t)i;
        int64_t k = t / l->period, u = t % l->period;
        bool xf = k > 0 && u < l->xfade;
        int64_t run_end = xf ? l->xfade : l->period;
        size_t m = (size_t)(run_end - u);
        if (m > n - i)
            m = n - i;
        rlx_err err = rlx_clip_reader_read_at(l->main.rd, &l->main.pos, seg_offset(l, k) + u, b->buf, m);
        if (err != RLX_OK)
            return err;
        float *mx = mix + i * 2;
        const float *ga = gain + i;
        const float *c = b->buf;
        float lg = b->gain;
        if (xf) {
            /* the end of segment k-1 under the start of segment k */
            err = rlx_clip_reader_read_at(l->tail.rd, &l->tail.pos, seg_offset(l, k - 1) + l->period + u, b->tailbuf, m);
            if (err != RLX_OK)
                return err;
            const float *tl = b->tailbuf;
            const float *fi = l->fade_in + u, *fo = l->fade_out + u;
            for (size_t j = 0; j < m; j++) {
                float gin = fi[j] * ga[j] * lg, gout = fo[j] * ga[j] * lg;
                mx[2 * j] += c[2 * j] * gin + tl[2 * j] * gout;
                mx[2 * j + 1] += c[2 * j + 1] * gin + tl[2 * j + 1] * gout;
            }
        } else {
            for (size_t j = 0; j < m; j++) {
                mx[2 * j] += c[2 * j] * ga[j] * lg;
                mx[2 * j + 1] += c[2 * j + 1] * ga[j] * lg;
            }
        }
        i += m;
    }
    return RLX_OK;
}

static rlx_err bed_mix(rlx_source *base, int64_t a, size_t n, const float *gain, float *mix)
{
    bed *b = (bed *)base;
    for (int k = 0; k < b->nlayers; k++) {
        rlx_err err = layer_mix(b, &b->ly[k], a, n, gain, mix);
        if (err != RLX_OK)
            return err;
    }
    return RLX_OK;
}

static void bed_seek(rlx_source *base, int64_t frame)
{
    bed *b = (bed *)base;
    (void)frame;
    for (int k = 0; k < b->nlayers; k++)
        b->ly[k].main.pos = b->ly[k].tail.pos = -1;
}

static void bed_close(rlx_source *base)
{
    bed *b = (bed *)base;
    for (int k = 0; k < BED_LAYERS; k++) {
        rlx_clip_reader_close(b->ly[k].main.rd);
        rlx_clip_reader_close(b->ly[k].tail.rd);
        if (b->ly[k].owns_fades) {
            free(b->ly[k].fade_in);
            free(b->ly[k].fade_out);
        }
    }
    free(b->buf);
    free(b->tailbuf);
    free(b);
}

static const rlx_source_ops bed_ops = {
    .name = "bed",
    .mix = bed_mix,
    .seek = bed_seek,
    .close = bed_close,
};

rlx_err rlx_source_bed_open(const rlx_clip_info *info, int rate, int xfade_ms, size_t block,
                            rlx_source **out)
{
    *out = NULL;
    if (!info || info->frames <= 0)
        return RLX_ERR_USAGE;
    bed *b = calloc(1, sizeof *b);
    if (!b)
        return RLX_ERR_NOMEM;
    b->base.ops = &bed_ops;
    int64_t frames = info->frames;
    int64_t x = rlx_ms_to_frames(xfade_ms, rate);
    if (frames < rlx_ms_to_frames(BED_MIN_CLIP_MS, rate)) {
        /* too short to cut: end to end, crossfaded, as one layer */
        if (x > frames / 10)
            x = frames / 10;
        b->nlayers = 1;
        b->gain = 1.0f;
        b->ly[0] = (layer){.seg = frames, .xfade = x, .period = frames - x, .span = 0};
    } else {
        b->nlayers = BED_LAYERS;
        b->gain = (float)sqrt(0.5);
        for (int k = 0; k < BED_LAYERS; k++) {
            layer *l = &b->ly[k];
            l->seg = rlx_ms_to_frames(bed_seg_ms[k], rate);
            if (l->seg > frames / 2)
                l->seg = frames / 2;
            l->xfade = x > l->seg / 4 ? l->seg / 4 : x;
            if (l->xfade < 1)
                l->xfade = 1;
            l->period = l->seg - l->xfade;
            l->span = frames - l->seg;
            l->seed = BED_SEED * (uint64_t)(k + 1) ^ (uint64_t)frames;
        }
    }
    b->buf = malloc(block * 2 * sizeof(float));
    b->tailbuf = malloc(block * 2 * sizeof(float));
    rlx_err err = b->buf && b->tailbuf ? RLX_OK : RLX_ERR_NOMEM;
    for (int k = 0; k < b->nlayers && err == RLX_OK; k++) {
        layer *l = &b->ly[k];
        if (l->xfade <= 0)
            continue;   /* no crossfade, no gains */
        if (k > 0 && l->xfade == b->ly[0].xfade) {
            l->fade_in = b->ly[0].fade_in;
            l->fade_out = b->ly[0].fade_out;
            continue;
        }
        l->fade_in = malloc((size_t)l->xfade * sizeof(float));
        l->fade_out = malloc((size_t)l->xfade * sizeof(float));
        l->owns_fades = true;
        if (!l->fade_in || !l->fade_out) {
            err = RLX_ERR_NOMEM;
            break;
        }
        const double half_pi = 1.5707963267948966;
        for (int64_t u = 0; u < l->xfade; u++) {
            double x = (double)u / (double)l->xfade * half_pi;
            l->fade_in[u] = (float)sin(x);
            l->fade_out[u] = (float)cos(x);
        }
    }
    for (int k = 0; k < b->nlayers && err == RLX_OK; k++) {
        b->ly[k].main.pos = b->ly[k].tail.pos = -1;
        err = rlx_clip_reader_open(info, &b->ly[k].main.rd);
        if (err == RLX_OK && b->ly[k].xfade > 0)
            err = rlx_clip_reader_open(info, &b->ly[k].tail.rd);
    }
    if (err != RLX_OK) {
        bed_close(&b->base);
        return err;
    }
    *out = &b->base;
    return RLX_OK;
}
