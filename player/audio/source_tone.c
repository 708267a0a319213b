/* source_tone.c - the breath tone (tone.c) as a source: mono, the same in
 * both channels. */
#include "audio/source.h"

#include <stdlib.h>

typedef struct {
    rlx_source base;
    rlx_tone tone;
    const rlx_timeline *tl;
    float *buf;   /* block mono frames */
} tone_src;

static rlx_err tone_mix(rlx_source *base, int64_t a, size_t n, const float *gain, float *mix)
{
    tone_src *t = (tone_src *)base;
    if (t->tone.frame != a)
        rlx_tone_seek(&t->tone, t->tl, a);
    rlx_tone_render(&t->tone, t->tl, t->buf, n);
    for (size_t j = 0; j < n; j++) {
        float v = t->buf[j] * gain[j];
        mix[2 * j] += v;
        mix[2 * j + 1] += v;
    }
    return RLX_OK;
}

static void tone_seek(rlx_source *base, int64_t frame)
{
    tone_src *t = (tone_src *)base;
    rlx_tone_seek(&t->tone, t->tl, frame);
}

static void tone_close(rlx_source *base)
{
    tone_src *t = (tone_src *)base;
    free(t->buf);
    free(t);
}

static const rlx_source_ops tone_ops = {
    .name = "tone",
    .mix = tone_mix,
    .seek = tone_seek,
    .close = tone_close,
};

rlx_err rlx_source_tone_open(const rlx_tone_config *cfg, const rlx_timeline *tl, size_t block,
                             rlx_source **out)
{
    *out = NULL;
    tone_src *t = calloc(1, sizeof *t);
    if (!t)
        return RLX_ERR_NOMEM;
    t->base.ops = &tone_ops;
    t->tl = tl;
    t->buf = malloc(block * sizeof(float));
    if (!t->buf) {
        free(t);
        return RLX_ERR_NOMEM;
    }
    rlx_tone_init(&t->tone, cfg);
    *out = &t->base;
    return RLX_OK;
}
