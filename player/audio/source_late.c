/* source_late.c - voice lines placed on the timeline before they are spoken
 * (see source.h): a first run on a cold cache starts playing while its
 * lines are still being spoken in the background. Each slot is an upper
 * bound of its line's length, so the line fits when it arrives; the pump
 * waits for a line before its slot (rlx_renderer_ready), so WAITING is only
 * ever mixed ahead of time, and rendered again once the line is there. */
#include "audio/source.h"

#include <stdatomic.h>
#include <stdlib.h>

typedef struct {
    rlx_source base;
    rlx_late_clip *clips;
    size_t *order;      /* indexes into clips, by start */
    size_t n;
    int64_t max_slot, fade;
    float *buf;         /* block stereo frames */
} late;

static rlx_err late_mix(rlx_source *base, int64_t a, size_t n, const float *gain, float *mix)
{
    late *l = (late *)base;
    int64_t b = a + (int64_t)n;
    size_t lo = 0, hi = l->n;
    int64_t from = a - l->max_slot;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (l->clips[l->order[mid]].start < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < l->n && l->clips[l->order[k]].start < b; k++) {
        rlx_late_clip *c = &l->clips[l->order[k]];
        if (c->slot <= 0 || c->start + c->slot <= a)
            continue;
        int st = atomic_load_explicit(&c->state, memory_order_acquire);
        if (st != RLX_LATE_READY) {
            if (st == RLX_LATE_WAITING)
                c->muted = true;
            continue;
        }
        bool cut = c->frames > c->slot;
        int64_t len = cut ? c->slot : c->frames;
        int64_t s0 = c->start > a ? c->start : a;
        int64_t s1 = c->start + len < b ? c->start + len : b;
        if (s0 >= s1)
            continue;
        size_t off = (size_t)(s0 - a), m = (size_t)(s1 - s0);
        rlx_err err = rlx_clip_reader_read_at(c->rd, &c->rpos, s0 - c->start, l->buf, m);
        if (err != RLX_OK)
            return err;
        float *mx = mix + off * 2;
        const float *src = l->buf, *gv = gain + off;
        for (size_t j = 0; j < m; j++) {
            float g = c->gain * gv[j];
            int64_t left = len - 1 - (s0 - c->start + (int64_t)j);   /* frames to the cut */
            if (cut && left < l->fade)
                g *= (float)left / (float)l->fade;
            mx[2 * j] += src[2 * j] * g;
            mx[2 * j + 1] += src[2 * j + 1] * g;
        }
    }
    return RLX_OK;
}

static void late_seek(rlx_source *base, int64_t frame)
{
    late *l = (late *)base;
    (void)frame;
    for (size_t i = 0; i < l->n; i++)
        l->clips[i].rpos = -1;
}

static void late_close(rlx_source *base)
{
    late *l = (late *)base;
    free(l->order);
    free(l->buf);
    free(l);
}

static const rlx_source_ops late_ops = {
    .name = "late",
    .mix = late_mix,
    .seek = late_seek,
    .close = late_close,
};

rlx_err rlx_source_late_open(rlx_late_clip *clips, size_t n, size_t block, int64_t fade_frames,
                             rlx_source **out)
{
    *out = NULL;
    late *l = calloc(1, sizeof *l);
    if (!l)
        return RLX_ERR_NOMEM;
    l->base.ops = &late_ops;
    l->clips = clips;
    l->n = n;
    l->fade = fade_frames > 0 ? fade_frames : 1;
    l->order = malloc((n ? n : 1) * sizeof *l->order);
    l->buf = malloc(block * 2 * sizeof(float));
    if (!l->order || !l->buf) {
        late_close(&l->base);
        return RLX_ERR_NOMEM;
    }
    /* insertion sort by start: the lines mostly come in order already */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        for (; j > 0 && clips[l->order[j - 1]].start > clips[i].start; j--)
            l->order[j] = l->order[j - 1];
        l->order[j] = i;
        clips[i].rpos = -1;
        if (clips[i].slot > l->max_slot)
            l->max_slot = clips[i].slot;
    }
    *out = &l->base;
    return RLX_OK;
}
