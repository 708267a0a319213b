/* render.c - the renderer: a parsed session in, stereo float frames out.
 *
 * Everything that can fail happens in rlx_renderer_open: every source is
 * prepared through the cache (decoded, resampled to the output rate and
 * measured once), the timeline is built, gain automation is laid out and
 * every reader and buffer is opened. Reading then only streams from the
 * cached float WAVs and does arithmetic.
 *
 * The signal runs in fixed internal blocks (RLX_RENDER_BLOCK frames) so the
 * output does not depend on how many frames a caller asks for. All gain
 * curves are pure functions of the timeline frame, evaluated every
 * GAIN_GRID frames on an absolute grid and linearly interpolated in
 * between, so a seek lands on exactly the same gains as a linear render.
 *
 * The limiter delays by `latency` frames; the mix is rendered that far
 * ahead so output frame k is timeline frame k. */
#include <stdbool.h>  /* clip.h uses bool */

#include "audio/render.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/dsp.h"
#include "audio/tone.h"

#define RLX_RENDER_BLOCK 1024
#define GAIN_GRID 16
#define LIMIT_CEILING_DB -1.0
#define LIMIT_LOOKAHEAD_MS 5.0
#define LIMIT_RELEASE_MS 150.0
#define DUCK_PRE_MS 300
#define DUCK_POST_MS 600
#define ANTICLICK_MS 5
#define BG_RAMP_MS 50
#define LEVEL_RAMP_DEFAULT_MS 50
#define AMBIENT_XFADE_MS 2000
/* A nearly silent clip must not be pushed up by 50 dB of "normalisation". */
#define VOICE_NORM_MAX_DB 24.0

/* A prepared source, shared by every cue that uses the same cached file. */
typedef struct {
    rlx_clip_info info;
} src_entry;

/* One reader of a source. Instances of the same source that never overlap
 * in time share a slot, so the reader count does not grow with the length. */
typedef struct {
    rlx_clip_reader *rd;
    int64_t pos;        /* clip frame the next read returns; -1 unknown */
} reader_slot;

typedef enum { INST_VOICE, INST_CHIME } inst_kind;

/* A clip placed on the timeline. */
typedef struct {
    inst_kind kind;
    size_t src;         /* index into sources */
    size_t slot;        /* index into slots */
    int64_t start, end; /* timeline frames; end = start + clip frames */
    float gain;         /* constant linear gain of this instance */
} clip_inst;

/* A piecewise curve: from `start` to `end` the value ramps from `from` to
 * `to` (smoothstep); after `end` it holds `to` until the next segment. */
typedef struct {
    int64_t start, end;
    double from, to;
} ramp_seg;

typedef struct {
    double initial;
    ramp_seg *segs;
    size_t nsegs;
} curve;

typedef struct {
    double voice, breath, amb, master;  /* linear */
} grid_gains;

struct rlx_renderer {
    rlx_render_config cfg;
    int rate;
    const rlx_session *s;   /* borrowed: must outlive the renderer */
    rlx_cache *cache;
    rlx_timeline *tl;
    int64_t length;

    src_entry *sources;
    size_t nsources;
    reader_slot *slots;
    size_t nslots;
    clip_inst *insts;       /* sorted by start */
    size_t ninsts;
    int64_t max_inst_len;

    /* ambient bed */
    bool has_amb;
    size_t amb_src;
    reader_slot amb_main, amb_tail;
    int64_t amb_frames, amb_xfade, amb_period;

    /* automation */
    rlx_span *duck;
    size_t nduck;
    int64_t duck_pre, duck_post;
    size_t duck_hint;
    curve lvl_voice, lvl_breath, lvl_amb;  /* dB */
    curve fade;                            /* linear 0..1 */
    double volume_lin;
    bool tone_on;
    rlx_tone tone;
    rlx_limiter lim;
    bool lim_ok;
    size_t latency;
    int64_t anticlick;

    /* background balance: target written by any thread, ramp state by the reader */
    _Atomic double bg_target_db;
    double bg_from_db, bg_to_db, bg_cur_db;
    int64_t bg_ramp_pos, bg_ramp_len;

    /* grid cache */
    int64_t gcache_t;
    grid_gains gcache;

    /* positions */
    int64_t mixpos;         /* next timeline frame fed into the limiter */
    int64_t pos;            /* next output frame returned by read */
    int64_t out_start;      /* output frame of outbuf[0] */
    size_t out_len;         /* valid frames in outbuf */

    /* buffers (allocated at open) */
    float *outbuf, *mix, *clipbuf, *tailbuf, *tonebuf;
    float *gv, *gb, *ga, *gm;
};

rlx_render_config rlx_render_config_init(void)
{
    rlx_render_config c;
    memset(&c, 0, sizeof c);
    c.rate = 48000;
    return c;
}

/* ---- preparation ------------------------------------------------------- */

static void add_cue_diag(rlx_diags *d, const rlx_session *s, const rlx_cue *c,
                         const char *fmt, const char *a, const char *b)
{
    rlx_diags_add(d, RLX_DIAG_ERROR, c ? c->src_file : s->path, c ? c->line : 0,
                  c ? c->col : 0, NULL, fmt, a, b);
}

/* "FILE: reason", unless the reason already names the file. */
static void add_file_diag(rlx_diags *d, const rlx_session *s, const rlx_cue *c,
                          const char *path, const char *why, rlx_err err)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (why[0] && strstr(why, base))
        add_cue_diag(d, s, c, "%s%s", why, "");
    else
        add_cue_diag(d, s, c, "%s: %s", path, why[0] ? why : rlx_strerror(err));
}

static const char *cue_audio_path(const rlx_session *s, const rlx_cue *c)
{
    if (c->kind == RLX_CUE_CHIME)
        return c->file ? c->path : s->chime_path;
    return c->path;
}

static const char *cue_audio_name(const rlx_session *s, const rlx_cue *c)
{
    if (c->kind == RLX_CUE_CHIME)
        return c->file ? c->file : (s->chime_file ? s->chime_file : "chime");
    return c->file ? c->file : "";
}

/* Prepares a cue's audio into *info. Voice (say/play) and chime cues. */
static rlx_err prepare_cue(const rlx_session *s, const rlx_cue *c, rlx_cache *cache,
                           int rate, rlx_clip_info *info, rlx_diags *diags)
{
    char why[512] = "";
    rlx_err err;
    memset(info, 0, sizeof *info);
    if (c->kind == RLX_CUE_SAY && !c->path) {
        err = rlx_clip_prepare_tts(cache, c->text ? c->text : "", s->tts_voice,
                                   s->tts_pace > 0 ? s->tts_pace : 1.0, rate, info,
                                   why, sizeof why);
        if (err != RLX_OK)
            add_cue_diag(diags, s, c, "cannot speak this line: %s%s", why, "");
        return err;
    }
    const char *path = cue_audio_path(s, c);
    if (!path) {
        add_cue_diag(diags, s, c, "audio file '%s' not found%s", cue_audio_name(s, c), "");
        return RLX_ERR_AUDIO_FILE;
    }
    err = rlx_clip_prepare_file(cache, path, rate, info, why, sizeof why);
    if (err != RLX_OK)
        add_file_diag(diags, s, c, path, why, err);
    return err;
}

static int64_t frames_to_ms(int64_t frames, int rate)
{
    return (frames * 1000 + rate / 2) / rate;
}

rlx_err rlx_voice_durations(const rlx_session *s, rlx_cache *cache, int rate,
                            int64_t **out_ms, rlx_diags *diags)
{
    *out_ms = NULL;
    int64_t *ms = malloc((s->ncues ? s->ncues : 1) * sizeof *ms);
    if (!ms)
        return RLX_ERR_NOMEM;
    for (size_t i = 0; i < s->ncues; i++) {
        const rlx_cue *c = &s->cues[i];
        ms[i] = -1;
        if (!rlx_cue_is_voice(c))
            continue;
        rlx_clip_info info;
        rlx_err err = prepare_cue(s, c, cache, rate, &info, diags);
        if (err != RLX_OK) {
            free(ms);
            return err;
        }
        ms[i] = frames_to_ms(info.frames, rate);
        rlx_clip_info_free(&info);
    }
    *out_ms = ms;
    return RLX_OK;
}

/* Adds info to the source table (deduplicated by cached file); takes ownership. */
static rlx_err add_source(rlx_renderer *r, rlx_clip_info *info, size_t *idx)
{
    for (size_t i = 0; i < r->nsources; i++) {
        if (r->sources[i].info.cached_path && info->cached_path &&
            !strcmp(r->sources[i].info.cached_path, info->cached_path)) {
            rlx_clip_info_free(info);
            *idx = i;
            return RLX_OK;
        }
    }
    src_entry *n = realloc(r->sources, (r->nsources + 1) * sizeof *n);
    if (!n) {
        rlx_clip_info_free(info);
        return RLX_ERR_NOMEM;
    }
    r->sources = n;
    r->sources[r->nsources].info = *info;
    memset(info, 0, sizeof *info);
    *idx = r->nsources++;
    return RLX_OK;
}

static int cmp_inst(const void *a, const void *b)
{
    const clip_inst *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->kind < y->kind ? -1 : x->kind > y->kind;
}

/* Assigns reader slots: an instance reuses a slot of the same source whose
 * previous instance has ended. */
static rlx_err assign_slots(rlx_renderer *r)
{
    int64_t *slot_end = NULL;
    size_t *slot_src = NULL;
    rlx_err err = RLX_OK;
    for (size_t i = 0; i < r->ninsts; i++) {
        clip_inst *in = &r->insts[i];
        size_t k;
        for (k = 0; k < r->nslots; k++)
            if (slot_src[k] == in->src && slot_end[k] <= in->start)
                break;
        if (k == r->nslots) {
            int64_t *e = realloc(slot_end, (r->nslots + 1) * sizeof *e);
            if (e)
                slot_end = e;
            size_t *sr = realloc(slot_src, (r->nslots + 1) * sizeof *sr);
            if (sr)
                slot_src = sr;
            reader_slot *sl = realloc(r->slots, (r->nslots + 1) * sizeof *sl);
            if (sl)
                r->slots = sl;
            if (!e || !sr || !sl) {
                err = RLX_ERR_NOMEM;
                break;
            }
            r->slots[k].rd = NULL;
            r->slots[k].pos = -1;
            slot_src[k] = in->src;
            r->nslots++;
        }
        slot_end[k] = in->end;
        in->slot = k;
    }
    if (err == RLX_OK) {
        for (size_t k = 0; k < r->nslots; k++) {
            err = rlx_clip_reader_open(&r->sources[slot_src[k]].info, &r->slots[k].rd);
            if (err != RLX_OK)
                break;
        }
    }
    free(slot_end);
    free(slot_src);
    return err;
}

static rlx_err curve_push(curve *c, int64_t start, int64_t end, double to)
{
    double from = c->initial;
    if (c->nsegs) {
        const ramp_seg *p = &c->segs[c->nsegs - 1];
        from = p->to;
        if (start < p->end) {
            /* the previous ramp is still moving: start from where it is */
            double x = (double)(start - p->start) / (double)(p->end - p->start);
            from = p->from + (p->to - p->from) * rlx_smoothstep(x);
        }
    }
    ramp_seg *n = realloc(c->segs, (c->nsegs + 1) * sizeof *n);
    if (!n)
        return RLX_ERR_NOMEM;
    c->segs = n;
    c->segs[c->nsegs++] = (ramp_seg){.start = start, .end = end > start ? end : start + 1,
                                     .from = from, .to = to};
    return RLX_OK;
}

/* Value at frame t. Segments are sorted by start. */
static double curve_at(const curve *c, int64_t t)
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
    const ramp_seg *sg = &c->segs[lo - 1];
    if (t >= sg->end)
        return sg->to;
    double x = (double)(t - sg->start) / (double)(sg->end - sg->start);
    return sg->from + (sg->to - sg->from) * rlx_smoothstep(x);
}

static rlx_err build_automation(rlx_renderer *r)
{
    const rlx_session *s = r->s;
    const rlx_timeline *tl = r->tl;
    rlx_err err = RLX_OK;
    r->lvl_voice.initial = 0.0;  /* offset from [voice] level, dB */
    r->lvl_breath.initial = s->breath_level_db;
    r->lvl_amb.initial = s->ambient_level_db;
    /* master fade starts silent when the first fade cue is a fade-in */
    r->fade.initial = 1.0;
    for (size_t i = 0; i < tl->ncues; i++) {
        rlx_cue_kind k = tl->cues[i].cue->kind;
        if (k == RLX_CUE_FADE_IN || k == RLX_CUE_FADE_OUT) {
            r->fade.initial = k == RLX_CUE_FADE_IN ? 0.0 : 1.0;
            break;
        }
    }
    size_t nvoice = 0;
    for (size_t i = 0; i < tl->ncues; i++)
        nvoice += rlx_cue_is_voice(tl->cues[i].cue);
    r->duck = malloc((nvoice ? nvoice : 1) * sizeof *r->duck);
    if (!r->duck)
        return RLX_ERR_NOMEM;
    for (size_t i = 0; i < tl->ncues && err == RLX_OK; i++) {
        const rlx_tl_cue *tc = &tl->cues[i];
        const rlx_cue *c = tc->cue;
        int64_t dur;
        switch (c->kind) {
        case RLX_CUE_SAY:
        case RLX_CUE_PLAY:
            r->duck[r->nduck++] = (rlx_span){tc->start, tc->end};
            break;
        case RLX_CUE_FADE_IN:
        case RLX_CUE_FADE_OUT:
            dur = rlx_ms_to_frames(c->dur_ms, r->rate);
            err = curve_push(&r->fade, tc->start, tc->start + dur,
                             c->kind == RLX_CUE_FADE_IN ? 1.0 : 0.0);
            break;
        case RLX_CUE_LEVEL:
            dur = rlx_ms_to_frames(c->dur_ms > 0 ? c->dur_ms : LEVEL_RAMP_DEFAULT_MS, r->rate);
            if (c->bus == RLX_BUS_VOICE)
                err = curve_push(&r->lvl_voice, tc->start, tc->start + dur, c->value - s->voice_lufs);
            else if (c->bus == RLX_BUS_BREATH)
                err = curve_push(&r->lvl_breath, tc->start, tc->start + dur, c->value);
            else
                err = curve_push(&r->lvl_amb, tc->start, tc->start + dur, c->value);
            break;
        default:
            break;
        }
    }
    /* spans must be sorted by start for rlx_duck_depth (timeline order is) */
    for (size_t i = 1; i < r->nduck; i++) {
        for (size_t j = i; j > 0 && r->duck[j - 1].start > r->duck[j].start; j--) {
            rlx_span t = r->duck[j];
            r->duck[j] = r->duck[j - 1];
            r->duck[j - 1] = t;
        }
    }
    r->duck_pre = rlx_ms_to_frames(DUCK_PRE_MS, r->rate);
    r->duck_post = rlx_ms_to_frames(DUCK_POST_MS, r->rate);
    return err;
}

static void report(const rlx_render_config *cfg, size_t done, size_t total, const char *what)
{
    if (cfg->on_prepare)
        cfg->on_prepare(cfg->user, done, total, what);
}

static rlx_err prepare_sources(rlx_renderer *r, rlx_diags *diags, int64_t *voice_ms)
{
    const rlx_session *s = r->s;
    size_t total = 0, done = 0;
    for (size_t i = 0; i < s->ncues; i++)
        total += rlx_cue_is_voice(&s->cues[i]) || s->cues[i].kind == RLX_CUE_CHIME;
    total += s->ambient_file != NULL;

    r->insts = malloc((s->ncues ? s->ncues : 1) * sizeof *r->insts);
    if (!r->insts)
        return RLX_ERR_NOMEM;
    /* instances are filled in once the timeline is known; remember sources per cue */
    for (size_t i = 0; i < s->ncues; i++) {
        const rlx_cue *c = &s->cues[i];
        voice_ms[i] = -1;
        if (!rlx_cue_is_voice(c) && c->kind != RLX_CUE_CHIME)
            continue;
        if (r->cfg.cancel && *r->cfg.cancel)
            return RLX_ERR_INTERRUPTED;
        report(&r->cfg, done, total, c->text ? c->text : cue_audio_name(s, c));
        rlx_clip_info info;
        rlx_err err = prepare_cue(s, c, r->cache, r->rate, &info, diags);
        if (err != RLX_OK)
            return err;
        int64_t frames = info.frames;
        size_t idx;
        err = add_source(r, &info, &idx);
        if (err != RLX_OK)
            return err;
        clip_inst *in = &r->insts[r->ninsts++];
        memset(in, 0, sizeof *in);
        in->kind = c->kind == RLX_CUE_CHIME ? INST_CHIME : INST_VOICE;
        in->src = idx;
        in->start = (int64_t)i;   /* cue index for now */
        in->end = frames;         /* length for now */
        if (in->kind == INST_VOICE)
            voice_ms[i] = frames_to_ms(frames, r->rate);
        done++;
    }
    if (s->ambient_file) {
        if (r->cfg.cancel && *r->cfg.cancel)
            return RLX_ERR_INTERRUPTED;
        report(&r->cfg, done, total, s->ambient_file);
        char why[512] = "";
        rlx_clip_info info;
        memset(&info, 0, sizeof info);
        rlx_err err;
        if (!s->ambient_path) {
            rlx_diags_add(diags, RLX_DIAG_ERROR, s->path, 0, 0, NULL,
                          "ambient file '%s' not found", s->ambient_file);
            return RLX_ERR_AUDIO_FILE;
        }
        err = rlx_clip_prepare_file(r->cache, s->ambient_path, r->rate, &info, why, sizeof why);
        if (err != RLX_OK) {
            add_file_diag(diags, s, NULL, s->ambient_path, why, err);
            return err;
        }
        if (info.frames > 0) {
            err = add_source(r, &info, &r->amb_src);
            if (err != RLX_OK)
                return err;
            r->has_amb = true;
        } else {
            rlx_clip_info_free(&info);
        }
        done++;
    }
    report(&r->cfg, done, total, NULL);
    return RLX_OK;
}

static rlx_err place_instances(rlx_renderer *r)
{
    const rlx_session *s = r->s;
    for (size_t k = 0; k < r->ninsts; k++) {
        clip_inst *in = &r->insts[k];
        size_t ci = (size_t)in->start;
        int64_t frames = in->end;
        const rlx_cue *c = &s->cues[ci];
        const rlx_clip_info *info = &r->sources[in->src].info;
        double db = c->gain_db;
        if (in->kind == INST_VOICE) {
            if (s->voice_normalize) {
                double norm = s->voice_lufs - info->loudness_lufs;
                if (norm > VOICE_NORM_MAX_DB)
                    norm = VOICE_NORM_MAX_DB;
                db += norm;
            }
        } else {
            db += s->chime_level_db;
        }
        in->gain = (float)rlx_db_to_lin(db);
        in->start = r->tl->cues[ci].start;
        in->end = in->start + frames;
        if (frames > r->max_inst_len)
            r->max_inst_len = frames;
    }
    qsort(r->insts, r->ninsts, sizeof *r->insts, cmp_inst);
    return assign_slots(r);
}

static rlx_err open_ambient(rlx_renderer *r)
{
    if (!r->has_amb)
        return RLX_OK;
    const rlx_clip_info *info = &r->sources[r->amb_src].info;
    r->amb_frames = info->frames;
    int64_t x = rlx_ms_to_frames(AMBIENT_XFADE_MS, r->rate);
    if (x > r->amb_frames / 10)
        x = r->amb_frames / 10;
    r->amb_xfade = x;
    r->amb_period = r->amb_frames - x;
    rlx_err err = rlx_clip_reader_open(info, &r->amb_main.rd);
    if (err == RLX_OK && x > 0)
        err = rlx_clip_reader_open(info, &r->amb_tail.rd);
    r->amb_main.pos = r->amb_tail.pos = -1;
    return err;
}

rlx_err rlx_renderer_open(const rlx_render_config *cfg, const rlx_session *s,
                          rlx_renderer **out, rlx_diags *diags)
{
    *out = NULL;
    rlx_render_config def = rlx_render_config_init();
    if (!cfg)
        cfg = &def;
    if (!s || (cfg->rate != 0 && (cfg->rate < 8000 || cfg->rate > 192000)))
        return RLX_ERR_USAGE;
    rlx_renderer *r = calloc(1, sizeof *r);
    if (!r)
        return RLX_ERR_NOMEM;
    r->cfg = *cfg;
    r->rate = cfg->rate ? cfg->rate : 48000;
    r->s = s;
    int64_t *voice_ms = NULL;
    char why[1024];
    rlx_err err = rlx_cache_open(cfg->cache_dir, &r->cache, why, sizeof why);
    if (err != RLX_OK) {
        rlx_diags_add(diags, RLX_DIAG_ERROR, NULL, 0, 0, NULL, "%s", why[0] ? why : rlx_strerror(err));
        goto fail;
    }
    voice_ms = malloc((s->ncues ? s->ncues : 1) * sizeof *voice_ms);
    if (!voice_ms) {
        err = RLX_ERR_NOMEM;
        goto fail;
    }
    err = prepare_sources(r, diags, voice_ms);
    if (err != RLX_OK)
        goto fail;
    int64_t length_ms = cfg->length_ms, natural_ms, longest_ms;
    if (cfg->length_fit && length_ms > 0) {
        rlx_diags quiet = {0};   /* a real problem comes back from the build below */
        if (rlx_timeline_lengths(s, voice_ms, &natural_ms, &longest_ms, &quiet) == RLX_OK)
            length_ms = length_ms < natural_ms ? natural_ms : length_ms > longest_ms ? longest_ms : length_ms;
        rlx_diags_free(&quiet);
    }
    err = rlx_timeline_build(s, voice_ms, length_ms, r->rate, &r->tl, diags);
    if (err != RLX_OK)
        goto fail;
    r->length = r->tl->length;
    err = place_instances(r);
    if (err == RLX_OK)
        err = open_ambient(r);
    if (err == RLX_OK)
        err = build_automation(r);
    if (err != RLX_OK)
        goto fail;

    r->volume_lin = rlx_db_to_lin(cfg->volume_db);
    r->tone_on = s->breath_enabled;
    rlx_tone_config tc = {.pitch_hz = s->breath_pitch_hz, .glide_st = s->breath_glide_st,
                          .rate = r->rate};
    rlx_tone_init(&r->tone, &tc);
    if (rlx_limiter_init(&r->lim, r->rate, 2, LIMIT_CEILING_DB, LIMIT_LOOKAHEAD_MS,
                         LIMIT_RELEASE_MS) != 0) {
        err = RLX_ERR_NOMEM;
        goto fail;
    }
    r->lim_ok = true;
    r->latency = rlx_limiter_latency(&r->lim);
    r->anticlick = rlx_ms_to_frames(ANTICLICK_MS, r->rate);
    atomic_init(&r->bg_target_db, cfg->background_db);
    r->bg_from_db = r->bg_to_db = r->bg_cur_db = cfg->background_db;
    r->bg_ramp_len = rlx_ms_to_frames(BG_RAMP_MS, r->rate);
    r->bg_ramp_pos = r->bg_ramp_len;

    size_t B = RLX_RENDER_BLOCK;
    r->outbuf = malloc(B * 2 * sizeof(float));
    r->mix = malloc(B * 2 * sizeof(float));
    r->clipbuf = malloc(B * 2 * sizeof(float));
    r->tailbuf = malloc(B * 2 * sizeof(float));
    r->tonebuf = malloc(B * sizeof(float));
    r->gv = malloc(B * sizeof(float));
    r->gb = malloc(B * sizeof(float));
    r->ga = malloc(B * sizeof(float));
    r->gm = malloc(B * sizeof(float));
    if (!r->outbuf || !r->mix || !r->clipbuf || !r->tailbuf || !r->tonebuf || !r->gv ||
        !r->gb || !r->ga || !r->gm) {
        err = RLX_ERR_NOMEM;
        goto fail;
    }
    free(voice_ms);
    err = rlx_renderer_seek(r, 0);
    if (err != RLX_OK) {
        rlx_diags_add(diags, RLX_DIAG_ERROR, NULL, 0, 0, NULL, "cannot read prepared audio: %s",
                      rlx_strerror(err));
        rlx_renderer_close(r);
        return err;
    }
    *out = r;
    return RLX_OK;
fail:
    free(voice_ms);
    rlx_renderer_close(r);
    return err;
}

void rlx_renderer_close(rlx_renderer *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nslots; i++)
        rlx_clip_reader_close(r->slots[i].rd);
    free(r->slots);
    rlx_clip_reader_close(r->amb_main.rd);
    rlx_clip_reader_close(r->amb_tail.rd);
    for (size_t i = 0; i < r->nsources; i++)
        rlx_clip_info_free(&r->sources[i].info);
    free(r->sources);
    free(r->insts);
    free(r->duck);
    free(r->lvl_voice.segs);
    free(r->lvl_breath.segs);
    free(r->lvl_amb.segs);
    free(r->fade.segs);
    if (r->lim_ok)
        rlx_limiter_free(&r->lim);
    rlx_timeline_free(r->tl);
    rlx_cache_close(r->cache);
    free(r->outbuf);
    free(r->mix);
    free(r->clipbuf);
    free(r->tailbuf);
    free(r->tonebuf);
    free(r->gv);
    free(r->gb);
    free(r->ga);
    free(r->gm);
    free(r);
}

const rlx_timeline *rlx_renderer_timeline(const rlx_renderer *r) { return r->tl; }
int64_t rlx_renderer_length(const rlx_renderer *r) { return r->length; }
int64_t rlx_renderer_position(const rlx_renderer *r) { return r->pos; }

void rlx_renderer_set_background_db(rlx_renderer *r, double db)
{
    atomic_store_explicit(&r->bg_target_db, db, memory_order_relaxed);
}

/* ---- the signal path --------------------------------------------------- */

/* Pure gains at timeline frame t (background balance excluded). */
static grid_gains gains_at(rlx_renderer *r, int64_t t)
{
    grid_gains g;
    double depth = r->nduck ? rlx_duck_depth(r->duck, r->nduck, t, r->duck_pre, r->duck_post,
                                             &r->duck_hint)
                            : 0.0;
    g.voice = rlx_db_to_lin(curve_at(&r->lvl_voice, t));
    g.breath = r->tone_on ? rlx_db_to_lin(curve_at(&r->lvl_breath, t) -
                                          r->s->breath_duck_db * depth)
                          : 0.0;
    g.amb = r->has_amb ? rlx_db_to_lin(curve_at(&r->lvl_amb, t) - r->s->ambient_duck_db * depth)
                       : 0.0;
    g.master = curve_at(&r->fade, t) * r->volume_lin;
    return g;
}

/* Background balance, advanced once per grid step (RT-safe: atomics only). */
static double bg_step(rlx_renderer *r, size_t frames)
{
    double target = atomic_load_explicit(&r->bg_target_db, memory_order_relaxed);
    if (target != r->bg_to_db) {
        r->bg_from_db = r->bg_cur_db;
        r->bg_to_db = target;
        r->bg_ramp_pos = 0;
    }
    if (r->bg_ramp_pos < r->bg_ramp_len) {
        r->bg_ramp_pos += (int64_t)frames;
        double x = (double)r->bg_ramp_pos / (double)r->bg_ramp_len;
        if (x > 1.0)
            x = 1.0;
        r->bg_cur_db = r->bg_from_db + (r->bg_to_db - r->bg_from_db) * x;
    } else {
        r->bg_cur_db = r->bg_to_db;
    }
    return r->bg_cur_db == 0.0 ? 1.0 : rlx_db_to_lin(r->bg_cur_db);
}

/* Fills the per-frame gain arrays for timeline frames [a, a+n). */
static void fill_gains(rlx_renderer *r, int64_t a, size_t n)
{
    size_t i = 0;
    while (i < n) {
        int64_t t = a + (int64_t)i;
        int64_t g0 = t - ((t % GAIN_GRID) + GAIN_GRID) % GAIN_GRID;
        grid_gains p0;
        if (r->gcache_t == g0)
            p0 = r->gcache;
        else
            p0 = gains_at(r, g0);
        grid_gains p1 = gains_at(r, g0 + GAIN_GRID);
        r->gcache_t = g0 + GAIN_GRID;
        r->gcache = p1;
        size_t m = (size_t)(g0 + GAIN_GRID - t);
        if (m > n - i)
            m = n - i;
        double bg = bg_step(r, m);
        for (size_t j = 0; j < m; j++) {
            double x = (double)(t + (int64_t)j - g0) / GAIN_GRID;
            r->gv[i + j] = (float)(p0.voice + (p1.voice - p0.voice) * x);
            r->gb[i + j] = (float)((p0.breath + (p1.breath - p0.breath) * x) * bg);
            r->ga[i + j] = (float)((p0.amb + (p1.amb - p0.amb) * x) * bg);
            r->gm[i + j] = (float)(p0.master + (p1.master - p0.master) * x);
        }
        i += m;
    }
}

/* Reads n frames of a slot's clip from clip frame `at`, seeking if needed;
 * zero-fills what the file does not deliver. */
static rlx_err slot_read(reader_slot *sl, int64_t at, float *buf, size_t n)
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

static rlx_err mix_clips(rlx_renderer *r, int64_t a, size_t n, bool chimes)
{
    int64_t b = a + (int64_t)n;
    /* instances are sorted by start; none starting before a - max_len can reach a */
    size_t lo = 0, hi = r->ninsts;
    int64_t from = a - r->max_inst_len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->insts[mid].start < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < r->ninsts && r->insts[k].start < b; k++) {
        const clip_inst *in = &r->insts[k];
        if ((in->kind == INST_CHIME) != chimes || in->end <= a)
            continue;
        int64_t s0 = in->start > a ? in->start : a;
        int64_t s1 = in->end < b ? in->end : b;
        if (s0 >= s1)
            continue;
        size_t off = (size_t)(s0 - a), m = (size_t)(s1 - s0);
        rlx_err err = slot_read(&r->slots[in->slot], s0 - in->start, r->clipbuf, m);
        if (err != RLX_OK)
            return err;
        float *mx = r->mix + off * 2;
        const float *c = r->clipbuf;
        if (chimes) {
            /* after the master fade, before the volume (see the brief's master chain) */
            float g = in->gain * (float)r->volume_lin;
            for (size_t j = 0; j < m; j++) {
                mx[2 * j] += c[2 * j] * g;
                mx[2 * j + 1] += c[2 * j + 1] * g;
            }
        } else {
            const float *gv = r->gv + off;
            for (size_t j = 0; j < m; j++) {
                float g = in->gain * gv[j];
                mx[2 * j] += c[2 * j] * g;
                mx[2 * j + 1] += c[2 * j + 1] * g;
            }
        }
    }
    return RLX_OK;
}

/* The ambient bed at timeline frames [a, a+n): the clip laid end to end
 * every `period` frames, each copy's last `xfade` frames overlapping the
 * next copy's first, with an equal-power crossfade. */
static rlx_err mix_ambient(rlx_renderer *r, int64_t a, size_t n)
{
    size_t i = 0;
    const double half_pi = 1.5707963267948966;
    while (i < n) {
        int64_t t = a + (int64_t)i;
        int64_t k = t / r->amb_period, u = t % r->amb_period;
        bool xf = k > 0 && u < r->amb_xfade;
        int64_t run_end = xf ? r->amb_xfade : r->amb_period;
        size_t m = (size_t)(run_end - u);
        if (m > n - i)
            m = n - i;
        rlx_err err = slot_read(&r->amb_main, u, r->clipbuf, m);
        if (err != RLX_OK)
            return err;
        float *mx = r->mix + i * 2;
        const float *ga = r->ga + i;
        const float *c = r->clipbuf;
        if (xf) {
            err = slot_read(&r->amb_tail, r->amb_period + u, r->tailbuf, m);
            if (err != RLX_OK)
                return err;
            const float *tl = r->tailbuf;
            for (size_t j = 0; j < m; j++) {
                double x = (double)(u + (int64_t)j) / (double)r->amb_xfade * half_pi;
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

/* Renders the mix (everything before the limiter) for timeline frames
 * [a, a+n), n <= RLX_RENDER_BLOCK, into r->mix. Frames past the end are silent. */
static rlx_err render_mix(rlx_renderer *r, int64_t a, size_t n)
{
    memset(r->mix, 0, n * 2 * sizeof(float));
    size_t live = a >= r->length ? 0 : (size_t)(r->length - a < (int64_t)n ? r->length - a : (int64_t)n);
    if (live == 0)
        return RLX_OK;
    fill_gains(r, a, live);
    rlx_err err = mix_clips(r, a, live, false);
    if (err != RLX_OK)
        return err;
    if (r->tone_on) {
        if (r->tone.frame != a)
            rlx_tone_seek(&r->tone, r->tl, a);
        rlx_tone_render(&r->tone, r->tl, r->tonebuf, live);
        for (size_t j = 0; j < live; j++) {
            float v = r->tonebuf[j] * r->gb[j];
            r->mix[2 * j] += v;
            r->mix[2 * j + 1] += v;
        }
    }
    if (r->has_amb) {
        err = mix_ambient(r, a, live);
        if (err != RLX_OK)
            return err;
    }
    for (size_t j = 0; j < live; j++) {
        r->mix[2 * j] *= r->gm[j];
        r->mix[2 * j + 1] *= r->gm[j];
    }
    return mix_clips(r, a, live, true);
}

/* Feeds `latency` frames of mix into the freshly reset limiter. */
static rlx_err prime_limiter(rlx_renderer *r)
{
    size_t left = r->latency;
    while (left > 0) {
        size_t n = left < RLX_RENDER_BLOCK ? left : RLX_RENDER_BLOCK;
        rlx_err err = render_mix(r, r->mixpos, n);
        if (err != RLX_OK)
            return err;
        rlx_limiter_process(&r->lim, r->mix, n);
        r->mixpos += (int64_t)n;
        left -= n;
    }
    return RLX_OK;
}

/* Produces the next internal block of output. */
static rlx_err next_block(rlx_renderer *r)
{
    int64_t out0 = r->mixpos - (int64_t)r->latency;
    size_t n = RLX_RENDER_BLOCK;
    rlx_err err = render_mix(r, r->mixpos, n);
    if (err != RLX_OK)
        return err;
    rlx_limiter_process(&r->lim, r->mix, n);
    r->mixpos += (int64_t)n;
    memcpy(r->outbuf, r->mix, n * 2 * sizeof(float));
    /* anti-click ramps from 0 at the very start and to 0 at the very end */
    int64_t R = r->anticlick;
    for (size_t j = 0; j < n; j++) {
        int64_t k = out0 + (int64_t)j;
        double g = 1.0;
        if (k < R)
            g = rlx_smoothstep((double)k / (double)R);
        if (k > r->length - 1 - R)
            g *= rlx_smoothstep((double)(r->length - 1 - k) / (double)R);
        if (k >= r->length)
            g = 0.0;
        if (g != 1.0) {
            r->outbuf[2 * j] = (float)(r->outbuf[2 * j] * g);
            r->outbuf[2 * j + 1] = (float)(r->outbuf[2 * j + 1] * g);
        }
    }
    r->out_start = out0;
    r->out_len = n;
    return RLX_OK;
}

rlx_err rlx_renderer_read(rlx_renderer *r, float *out, size_t n, size_t *got)
{
    size_t done = 0;
    rlx_err err = RLX_OK;
    while (done < n && r->pos < r->length) {
        if (r->pos < r->out_start || r->pos >= r->out_start + (int64_t)r->out_len) {
            err = next_block(r);
            if (err != RLX_OK)
                break;
        }
        size_t off = (size_t)(r->pos - r->out_start);
        size_t m = r->out_len - off;
        if (m > n - done)
            m = n - done;
        if ((int64_t)m > r->length - r->pos)
            m = (size_t)(r->length - r->pos);
        memcpy(out + done * 2, r->outbuf + off * 2, m * 2 * sizeof(float));
        done += m;
        r->pos += (int64_t)m;
    }
    if (got)
        *got = done;
    return err;
}

rlx_err rlx_renderer_seek(rlx_renderer *r, int64_t frame)
{
    if (frame < 0)
        frame = 0;
    if (frame > r->length)
        frame = r->length;
    r->pos = frame;
    r->mixpos = frame;
    r->out_start = frame;
    r->out_len = 0;
    r->duck_hint = 0;
    r->gcache_t = INT64_MIN;
    for (size_t i = 0; i < r->nslots; i++)
        r->slots[i].pos = -1;
    r->amb_main.pos = r->amb_tail.pos = -1;
    if (r->tone_on)
        rlx_tone_seek(&r->tone, r->tl, frame);
    /* the balance ramp restarts settled at its target */
    double t = atomic_load_explicit(&r->bg_target_db, memory_order_relaxed);
    r->bg_from_db = r->bg_to_db = r->bg_cur_db = t;
    r->bg_ramp_pos = r->bg_ramp_len;
    rlx_limiter_reset(&r->lim);
    return prime_limiter(r);
}
