/* source_clips.c - clips placed on the timeline (voice lines, chimes).
 * Placements of the same prepared file that never overlap in time share a
 * reader slot, so the number of open readers does not grow with the length. */
#include "audio/source.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    rlx_clip_reader *rd;
    int64_t pos;        /* clip frame the next read returns; -1 unknown */
} slot;

typedef struct {
    int64_t start, end; /* timeline frames; end = start + clip frames */
    float gain;
    size_t slot;
} inst;

typedef struct {
    rlx_source base;
    inst *insts;        /* sorted by start */
    size_t ninsts;
    slot *slots;
    size_t nslots;
    int64_t max_len;
    float *buf;         /* block stereo frames */
} clips;

static rlx_err clips_mix(rlx_source *base, int64_t a, size_t n, const float *gain, float *mix)
{
    clips *c = (clips *)base;
    int64_t b = a + (int64_t)n;
    /* placements are sorted by start; none starting before a - max_len can reach a */
    size_t lo = 0, hi = c->ninsts;
    int64_t from = a - c->max_len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->insts[mid].start < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < c->ninsts && c->insts[k].start < b; k++) {
        const inst *in = &c->insts[k];
        if (in->end <= a)
            continue;
        int64_t s0 = in->start > a ? in->start : a;
        int64_t s1 = in->end < b ? in->end : b;
        if (s0 >= s1)
            continue;
        size_t off = (size_t)(s0 - a), m = (size_t)(s1 - s0);
        slot *sl = &c->slots[in->slot];
        rlx_err err = rlx_clip_reader_read_at(sl->rd, &sl->pos, s0 - in->start, c->buf, m);
        if (err != RLX_OK)
            return err;
        float *mx = mix + off * 2;
        const float *src = c->buf, *gv = gain + off;
        for (size_t j = 0; j < m; j++) {
            float g = in->gain * gv[j];
            mx[2 * j] += src[2 * j] * g;
            mx[2 * j + 1] += src[2 * j + 1] * g;
        }
    }
    return RLX_OK;
}

static void clips_seek(rlx_source *base, int64_t frame)
{
    clips *c = (clips *)base;
    (void)frame;
    for (size_t i = 0; i < c->nslots; i++)
        c->slots[i].pos = -1;
}

static void clips_close(rlx_source *base)
{
    clips *c = (clips *)base;
    for (size_t i = 0; i < c->nslots; i++)
        rlx_clip_reader_close(c->slots[i].rd);
    free(c->slots);
    free(c->insts);
    free(c->buf);
    free(c);
}

static const rlx_source_ops clips_ops = {
    .name = "clips",
    .mix = clips_mix,
    .seek = clips_seek,
    .close = clips_close,
};

static int cmp_start(const void *x, const void *y)
{
    const inst *a = x, *b = y;
    return a->start < b->start ? -1 : a->start > b->start;
}

rlx_err rlx_source_clips_open(const rlx_clip_place *p, size_t n, size_t block, rlx_source **out)
{
    *out = NULL;
    clips *c = calloc(1, sizeof *c);
    if (!c)
        return RLX_ERR_NOMEM;
    c->base.ops = &clips_ops;
    c->insts = malloc((n ? n : 1) * sizeof *c->insts);
    const rlx_clip_info **slot_info = malloc((n ? n : 1) * sizeof *slot_info);
    int64_t *slot_end = malloc((n ? n : 1) * sizeof *slot_end);
    c->slots = calloc(n ? n : 1, sizeof *c->slots);
    c->buf = malloc(block * 2 * sizeof(float));
    /* the placement each instance came from, to find its file once sorted */
    const rlx_clip_info **inst_info = malloc((n ? n : 1) * sizeof *inst_info);
    rlx_err err = RLX_OK;
    if (!c->insts || !slot_info || !slot_end || !c->slots || !c->buf || !inst_info) {
        err = RLX_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        c->insts[i] = (inst){.start = p[i].start, .end = p[i].start + p[i].frames, .gain = p[i].gain,
                             .slot = i};
        if (p[i].frames > c->max_len)
            c->max_len = p[i].frames;
    }
    c->ninsts = n;
    /* stable: placements starting together keep their order (the mix sums in it) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && cmp_start(&c->insts[j - 1], &c->insts[j]) > 0; j--) {
            inst t = c->insts[j];
            c->insts[j] = c->insts[j - 1];
            c->insts[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++)
        inst_info[i] = p[c->insts[i].slot].info;
    /* a placement reuses a slot of the same file whose previous one has ended */
    for (size_t i = 0; i < n; i++) {
        inst *in = &c->insts[i];
        size_t k;
        for (k = 0; k < c->nslots; k++)
            if (slot_info[k] == inst_info[i] && slot_end[k] <= in->start)
                break;
        if (k == c->nslots) {
            slot_info[k] = inst_info[i];
            c->slots[k].pos = -1;
            c->nslots++;
        }
        slot_end[k] = in->end;
        in->slot = k;
    }
    for (size_t k = 0; k < c->nslots && err == RLX_OK; k++)
        err = rlx_clip_reader_open(slot_info[k], &c->slots[k].rd);
done:
    free(slot_info);
    free(slot_end);
    free(inst_info);
    if (err != RLX_OK) {
        clips_close(&c->base);
        return err;
    }
    *out = &c->base;
    return RLX_OK;
}
