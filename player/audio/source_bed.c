/* source_bed.c - the ambient bed: the clip laid end to end every `period`
 * frames, each copy's last `xfade` frames overlapping the next copy's first,
 * with an equal-power crossfade. */
#include "audio/source.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    rlx_clip_reader *rd;
    int64_t pos;        /* clip frame the next read returns; -1 unknown */
} slot;

typedef struct {
    rlx_source base;
    slot main, tail;
    int64_t frames, xfade, period;
    float *buf, *tailbuf;   /* block stereo frames each */
} bed;

/* Reads n frames from clip frame `at`, seeking if needed; zero-fills what
 * the file does not deliver. */
static rlx_err slot_read(slot *sl, int64_t at, float *buf, size_t n)
{
    rlx_err err;
    if (sl->pos != at) {
        err = rlx_clip_reader_seek(sl->rd, at);
        if (err != RLX_OK) {
            sl->pos = -1;
            return err;
        }
        sl->pos = at;
    }
    size_t got = 0;
    err = rlx_clip_reader_read(sl->rd, buf, n, &got);
    if (err != RLX_OK) {
        sl->pos = -1;
        return err;
    }
    if (got < n)
        memset(buf + got * 2, 0, (n - got) * 2 * sizeof(float));
    sl->pos = at + (int64_t)got;
    return RLX_OK;
}

static rlx_err bed_mix(rlx_source *base, int64_t a, size_t n, const float *gain, float *mix)
{
    bed *b = (bed *)base;
    size_t i = 0;
    const double half_pi = 1.5707963267948966;
    while (i < n) {
        int64_t t = a + (int64_t)i;
        int64_t k = t / b->period, u = t % b->period;
        bool xf = k > 0 && u < b->xfade;
        int64_t run_end = xf ? b->xfade : b->period;
        size_t m = (size_t)(run_end - u);
        if (m > n - i)
            m = n - i;
        rlx_err err = slot_read(&b->main, u, b->buf, m);
        if (err != RLX_OK)
            return err;
        float *mx = mix + i * 2;
        const float *ga = gain + i;
        const float *c = b->buf;
        if (xf) {
            err = slot_read(&b->tail, b->period + u, b->tailbuf, m);
            if (err != RLX_OK)
                return err;
            const float *tl = b->tailbuf;
            for (size_t j = 0; j < m; j++) {
                double x = (double)(u + (int64_t)j) / (double)b->xfade * half_pi;
                float gin = (float)sin(x) * ga[j], gout = (float)cos(x) * ga[j];
                mx[2 * j] += c[2 * j] * gin + tl[2 * j] * gout;
                mx[2 * j + 1] += c[2 * j + 1] * gin + tl[2 * j + 1] * gout;
            }
        } else {
            for (size_t j = 0; j < m; j++) {
                mx[2 * j] += c[2 * j] * ga[j];
                mx[2 * j + 1] += c[2 * j + 1] * ga[j];
            }
        }
        i += m;
    }
    return RLX_OK;
}

static void bed_seek(rlx_source *base, int64_t frame)
{
    bed *b = (bed *)base;
    (void)frame;
    b->main.pos = b->tail.pos = -1;
}

static void bed_close(rlx_source *base)
{
    bed *b = (bed *)base;
    rlx_clip_reader_close(b->main.rd);
    rlx_clip_reader_close(b->tail.rd);
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
    b->frames = info->frames;
    int64_t x = rlx_ms_to_frames(xfade_ms, rate);
    if (x > b->frames / 10)
        x = b->frames / 10;
    b->xfade = x;
    b->period = b->frames - x;
    b->main.pos = b->tail.pos = -1;
    b->buf = malloc(block * 2 * sizeof(float));
    b->tailbuf = malloc(block * 2 * sizeof(float));
    rlx_err err = b->buf && b->tailbuf ? RLX_OK : RLX_ERR_NOMEM;
    if (err == RLX_OK)
        err = rlx_clip_reader_open(info, &b->main.rd);
    if (err == RLX_OK && x > 0)
        err = rlx_clip_reader_open(info, &b->tail.rd);
    if (err != RLX_OK) {
        bed_close(&b->base);
        return err;
    }
    *out = &b->base;
    return RLX_OK;
}
