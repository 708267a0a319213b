/* automation.c - a session's gains on its timeline (see automation.h). */
#include "session/automation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- curves ------------------------------------------------------------- */

rlx_err rlx_curve_push(rlx_curve *c, int64_t start, int64_t end, double to)
{
    double from = c->initial;
    if (c->nsegs) {
        const rlx_ramp *p = &c->segs[c->nsegs - 1];
        from = p->to;
        if (start < p->end) {
            /* the previous ramp is still moving: start from where it is */
            double x = (double)(start - p->start) / (double)(p->end - p->start);
            from = p->from + (p->to - p->from) * rlx_smoothstep(x);
        }
    }
    /* doubling: a session with 100,000 level cues must not cost 100,000 reallocs */
    if (c->nsegs == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        rlx_ramp *n = realloc(c->segs, cap * sizeof *n);
        if (!n)
            return RLX_ERR_NOMEM;
        c->segs = n;
        c->cap = cap;
    }
    c->segs[c->nsegs++] = (rlx_ramp){.start = start, .end = end > start ? end : start + 1,
                                     .from = from, .to = to};
    return RLX_OK;
}

double rlx_curve_at(const rlx_curve *c, int64_t t)
{
    size_t lo = 0, hi = c->nsegs;  /* first segment with start > t */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->segs[mid].start <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return c->initial;
    const rlx_ramp *sg = &c->segs[lo - 1];
    if (t >= sg->end)
        return sg->to;
    double x = (double)(t - sg->start) / (double)(sg->end - sg->start);
    return sg->from + (sg->to - sg->from) * rlx_smoothstep(x);
}

void rlx_curve_free(rlx_curve *c)
{
    free(c->segs);
    c->segs = NULL;
    c->nsegs = c->cap = 0;
}

/* ---- a session's automation ------------------------------------------------ */

static void sort_spans(rlx_span *sp, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && sp[j - 1].start > sp[j].start; j--) {
            rlx_span t = sp[j];
            sp[j] = sp[j - 1];
            sp[j - 1] = t;
        }
    }
}

/* Adds a voice span to the tone-dip group of `db` (new if needed). */
static rlx_err dip_add(rlx_automation *a, double db, rlx_span sp, size_t cap)
{
    size_t g = 0;
    while (g < a->ndips && a->dips[g].db != db)
        g++;
    if (g == a->ndips) {
        struct rlx_tone_dip *nd = realloc(a->dips, (a->ndips + 1) * sizeof *nd);
        if (!nd)
            return RLX_ERR_NOMEM;
        a->dips = nd;
        a->dips[g] = (struct rlx_tone_dip){db, malloc(cap * sizeof(rlx_span)), 0};
        a->ndips++;
        if (!a->dips[g].spans)
            return RLX_ERR_NOMEM;
    }
    a->dips[g].spans[a->dips[g].n++] = sp;
    return RLX_OK;
}

/* The long pauses (RLX_REST_*) between the sorted voice spans, as spans of
 * full rest with their ramps outside them. */
static rlx_err find_rests(rlx_automation *a, const rlx_session *s, int64_t length)
{
    a->rest_pre = rlx_ms_to_frames(RLX_REST_DOWN_MS, a->rate);
    a->rest_post = rlx_ms_to_frames(RLX_REST_UP_MS, a->rate);
    a->rest_db = s->breath_rest_db;
    if (!(a->rest_db > 0))
        return RLX_OK;
    a->rest = malloc((a->nduck + 1) * sizeof *a->rest);
    if (!a->rest)
        return RLX_ERR_NOMEM;
    int64_t gap = rlx_ms_to_frames(RLX_REST_GAP_MS, a->rate);
    int64_t after = rlx_ms_to_frames(RLX_REST_AFTER_MS, a->rate);
    int64_t back = rlx_ms_to_frames(RLX_REST_BACK_MS, a->rate) + a->rest_post;
    for (size_t i = 0; i <= a->nduck; i++) {
        int64_t g0 = i ? a->duck[i - 1].end : 0;
        int64_t g1 = i < a->nduck ? a->duck[i].start : length;
        if (g1 - g0 >= gap && g0 + after < g1 - back)
            a->rest[a->nrest++] = (rlx_span){g0 + after, g1 - back};
    }
    return RLX_OK;
}

rlx_err rlx_automation_build(const rlx_session *s, const rlx_timeline *tl, rlx_automation *a)
{
    memset(a, 0, sizeof *a);
    a->rate = tl->rate;
    a->voice_db.initial = 0.0;  /* offset from [voice] level, dB */
    a->breath_db.initial = s->breath_level_db;
    a->ambient_db.initial = s->ambient_level_db;
    a->breath_duck_db = s->breath_duck_db;
    a->ambient_duck_db = s->ambient_duck_db;
    /* the master fade starts silent when the first fade cue is a fade-in */
    a->fade.initial = 1.0;
    for (size_t i = 0; i < tl->ncues; i++) {
        rlx_cue_kind k = tl->cues[i].cue->kind;
        if (k == RLX_CUE_FADE_IN || k == RLX_CUE_FADE_OUT) {
            a->fade.initial = k == RLX_CUE_FADE_IN ? 0.0 : 1.0;
            break;
        }
    }
    size_t nvoice = 0;
    for (size_t i = 0; i < tl->ncues; i++)
        nvoice += rlx_cue_is_voice(tl->cues[i].cue);
    a->duck = malloc((nvoice ? nvoice : 1) * sizeof *a->duck);
    a->plain = malloc((nvoice ? nvoice : 1) * sizeof *a->plain);
    if (!a->duck || !a->plain) {
        rlx_automation_free(a);
        return RLX_ERR_NOMEM;
    }
    rlx_err err = RLX_OK;
    for (size_t i = 0; i < tl->ncues && err == RLX_OK; i++) {
        const rlx_tl_cue *tc = &tl->cues[i];
        const rlx_cue *c = tc->cue;
        int64_t dur;
        switch (c->kind) {
        case RLX_CUE_SAY:
        case RLX_CUE_PLAY:
            a->duck[a->nduck++] = (rlx_span){tc->start, tc->end};
            if (c->breath_duck_set)
                err = dip_add(a, c->breath_duck_db, (rlx_span){tc->start, tc->end}, nvoice);
            else
                a->plain[a->nplain++] = (rlx_span){tc->start, tc->end};
            break;
        case RLX_CUE_FADE_IN:
        case RLX_CUE_FADE_OUT:
            dur = rlx_ms_to_frames(c->dur_ms, tl->rate);
            err = rlx_curve_push(&a->fade, tc->start, tc->start + dur,
                                 c->kind == RLX_CUE_FADE_IN ? 1.0 : 0.0);
            break;
        case RLX_CUE_LEVEL:
            dur = rlx_ms_to_frames(c->dur_ms > 0 ? c->dur_ms : RLX_LEVEL_RAMP_DEFAULT_MS, tl->rate);
            if (c->bus == RLX_BUS_VOICE)
                err = rlx_curve_push(&a->voice_db, tc->start, tc->start + dur, c->value - s->voice_lufs);
            else if (c->bus == RLX_BUS_BREATH)
                err = rlx_curve_push(&a->breath_db, tc->start, tc->start + dur, c->value);
            else
                err = rlx_curve_push(&a->ambient_db, tc->start, tc->start + dur, c->value);
            break;
        default:
            break;
        }
    }
    /* spans must be sorted by start for rlx_duck_depth (timeline order is) */
    sort_spans(a->duck, a->nduck);
    sort_spans(a->plain, a->nplain);
    for (size_t g = 0; g < a->ndips; g++)
        sort_spans(a->dips[g].spans, a->dips[g].n);
    a->duck_pre = rlx_ms_to_frames(RLX_DUCK_PRE_MS, tl->rate);
    a->duck_post = rlx_ms_to_frames(RLX_DUCK_POST_MS, tl->rate);
    if (err == RLX_OK)
        err = find_rests(a, s, tl->length);
    if (err != RLX_OK)
        rlx_automation_free(a);
    return err;
}

void rlx_automation_free(rlx_automation *a)
{
    if (!a)
        return;
    rlx_curve_free(&a->voice_db);
    rlx_curve_free(&a->breath_db);
    rlx_curve_free(&a->ambient_db);
    rlx_curve_free(&a->fade);
    free(a->duck);
    a->duck = NULL;
    a->nduck = 0;
    for (size_t g = 0; g < a->ndips; g++)
        free(a->dips[g].spans);
    free(a->dips);
    a->dips = NULL;
    a->ndips = 0;
    free(a->plain);
    a->plain = NULL;
    a->nplain = 0;
    free(a->rest);
    a->rest = NULL;
    a->nrest = 0;
}

double rlx_automation_duck(const rlx_automation *a, int64_t t, size_t *hint)
{
    return a->nduck ? rlx_duck_depth(a->duck, a->nduck, t, a->duck_pre, a->duck_post, hint) : 0.0;
}

double rlx_automation_tone_dip(const rlx_automation *a, int64_t t, double depth)
{
    double dip = a->breath_duck_db * depth;
    if (a->ndips) {
        /* the depth under the lines with the [breath] duck, then each own dip */
        dip = a->nplain ? a->breath_duck_db * rlx_duck_depth(a->plain, a->nplain, t, a->duck_pre,
                                                             a->duck_post, NULL)
                        : 0.0;
        for (size_t g = 0; g < a->ndips; g++) {
            double v = a->dips[g].db * rlx_duck_depth(a->dips[g].spans, a->dips[g].n, t,
                                                      a->duck_pre, a->duck_post, NULL);
            if (v > dip)
                dip = v;
        }
    }
    if (a->nrest)
        dip += a->rest_db * rlx_duck_depth(a->rest, a->nrest, t, a->rest_pre, a->rest_post, NULL);
    return dip;
}

rlx_gains rlx_automation_gains(const rlx_automation *a, int64_t t, size_t *hint)
{
    rlx_gains g;
    double depth = rlx_automation_duck(a, t, hint);
    g.voice = rlx_db_to_lin(rlx_curve_at(&a->voice_db, t));
    g.breath = rlx_db_to_lin(rlx_curve_at(&a->breath_db, t) - rlx_automation_tone_dip(a, t, depth));
    g.ambient = rlx_db_to_lin(rlx_curve_at(&a->ambient_db, t) - a->ambient_duck_db * depth);
    g.master = rlx_curve_at(&a->fade, t);
    return g;
}

double rlx_automation_bus_max_db(const rlx_automation *a, rlx_bus bus)
{
    const rlx_curve *c = bus == RLX_BUS_BREATH ? &a->breath_db
                         : bus == RLX_BUS_AMBIENT ? &a->ambient_db : &a->voice_db;
    double m = c->initial;
    for (size_t i = 0; i < c->nsegs; i++)
        if (c->segs[i].to > m)
            m = c->segs[i].to;
    return m;
}

static int cmp_span(const void *x, const void *y)
{
    const rlx_span *a = x, *b = y;
    return a->start < b->start ? -1 : a->start > b->start;
}

rlx_err rlx_automation_changes(const rlx_automation *a, rlx_span **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const rlx_curve *curves[] = {&a->voice_db, &a->breath_db, &a->ambient_db, &a->fade};
    size_t cap = 2 * a->nduck;
    for (size_t c = 0; c < 4; c++)
        cap += curves[c]->nsegs;
    if (cap == 0)
        return RLX_OK;
    rlx_span *v = malloc(cap * sizeof *v);
    if (!v)
        return RLX_ERR_NOMEM;
    size_t k = 0;
    for (size_t c = 0; c < 4; c++)
        for (size_t i = 0; i < curves[c]->nsegs; i++)
            v[k++] = (rlx_span){curves[c]->segs[i].start, curves[c]->segs[i].end};
    for (size_t i = 0; i < a->nduck; i++) {
        if (a->duck_pre > 0)
            v[k++] = (rlx_span){a->duck[i].start - a->duck_pre, a->duck[i].start};
        if (a->duck_post > 0)
            v[k++] = (rlx_span){a->duck[i].end, a->duck[i].end + a->duck_post};
    }
    qsort(v, k, sizeof *v, cmp_span);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m > 0 && v[i].start <= v[m - 1].end) {
            if (v[i].end > v[m - 1].end)
                v[m - 1].end = v[i].end;
        } else {
            v[m++] = v[i];
        }
    }
    *out = v;
    *n = m;
    return RLX_OK;
}
