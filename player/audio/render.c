/* render.c - the renderer: a parsed session in, stereo float frames out.
 *
 * Everything that can fail happens in rlx_renderer_open: every cue's audio
 * is prepared through the cache by its kind (source.h: a spoken line or a
 * file; decoded, resampled to the output rate and measured once), the
 * timeline is built, the automation is laid out (session/automation.h) and
 * the sources are opened (clips, tone, ambient bed: source.h). Reading then
 * only streams from the cached float WAVs and does arithmetic.
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
#include "core/sigmask.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/dsp.h"
#include "audio/source.h"
#include "audio/tone.h"
#include "session/automation.h"

#define RLX_RENDER_BLOCK 1024
#define GAIN_GRID 16
#define LIMIT_CEILING_DB -1.0
#define LIMIT_LOOKAHEAD_MS 5.0
#define LIMIT_RELEASE_MS 150.0
#define ANTICLICK_MS 5
#define BG_RAMP_MS 50
#define AMBIENT_XFADE_MS 4000   /* between the bed's segments (source_bed.c) */
/* A nearly silent clip must not be pushed up by 50 dB of "normalisation". */
#define VOICE_NORM_MAX_DB 24.0
#define LATE_CUT_MS 20          /* fade of a late line cut at its slot's end */

/* A prepared source, shared by every cue that uses the same cached file. */
typedef struct {
    rlx_clip_info info;
} src_entry;

typedef enum { INST_VOICE, INST_CHIME } inst_kind;

/* A clip placed on the timeline (handed to a clips source). */
typedef struct {
    inst_kind kind;
    size_t src;         /* index into sources */
    int64_t start, end; /* timeline frames; end = start + clip frames */
    float gain;         /* constant linear gain of this instance */
} clip_inst;

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

    src_entry *sources;     /* prepared audio, shared by the sources below */
    size_t nsources, sources_cap;
    clip_inst *insts;       /* in cue order */
    size_t ninsts;

    /* what the mix is made of (source.h): before the master fade voice,
     * tone and bed, each with its gain curve; after it the chimes */
    rlx_source *voice_src, *tone_src, *bed_src, *chime_src;

    /* cfg.stream on a cold cache: the lines laid out before they are spoken
     * (source.h, rlx_late_clip), each spoken by the speaker thread's batch */
    rlx_late_clip *late;
    rlx_clip_job *late_jobs;
    rlx_clip_info *late_info;   /* speaker thread, before its line is READY */
    size_t *late_cue;           /* cue of each */
    long *late_of;              /* per cue: its late line, or -1 */
    size_t nlate;
    _Atomic size_t late_left;   /* lines still WAITING */
    rlx_source *late_src;
    rlx_cache *speak_cache;     /* the speaker thread's own */
    pthread_t speaker;
    bool speaking;
    volatile sig_atomic_t stop_speaking;
    bool has_amb;
    size_t amb_src;

    /* automation (session/automation.h: the timeline drawing uses the same) */
    rlx_automation autom;
    bool autom_ok;
    size_t duck_hint;
    double volume_lin;
    bool tone_on;
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
    /* where the automation may change (rlx_automation_changes): between
     * these spans the grid gains stay as they are, no need to evaluate */
    rlx_span *chg;
    size_t nchg, chg_pos;   /* chg_pos: first span not ended before the last query */
    double bg_lin_db, bg_lin;   /* the last background level converted */
    bool gm_one;            /* every master gain of the block is exactly 1 */

    /* positions */
    int64_t mixpos;         /* next timeline frame fed into the limiter */
    int64_t pos;            /* next output frame returned by read */
    int64_t out_start;      /* output frame of outbuf[0] */
    size_t out_len;         /* valid frames in outbuf */

    /* buffers (allocated at open) */
    float *outbuf, *mix;
    float *gv, *gb, *ga, *gm, *gchime;
};

rlx_render_config rlx_render_config_init(void)
{
    rlx_render_config c;
    memset(&c, 0, sizeof c);
    c.rate = 48000;
    return c;
}

/* ---- preparation ------------------------------------------------------- */

/* A cue's audio failed: at its file's name when it has one (as check says
 * it), else at the cue. */
static void add_cue_diag(rlx_diags *d, const rlx_session *s, const rlx_cue *c, const char *msg)
{
    rlx_diags_add(d, RLX_DIAG_ERROR, c ? c->src_file : s->path, c ? c->line : 0,
                  c ? (c->path && c->file_col > 0 ? c->file_col : c->col) : 0, NULL, "%s", msg);
}

static const char *cue_audio_name(const rlx_session *s, const rlx_cue *c)
{
    if (c->kind == RLX_CUE_CHIME)
        return c->file ? c->file : (s->chime_file ? s->chime_file : "chime");
    return c->file ? c->file : "";
}

/* Prepares a cue's audio into *info through its kind (source.h): voice
 * (say/play) and chime cues. */
static rlx_err prepare_cue(const rlx_session *s, const rlx_cue *c, rlx_cache *cache,
                           int rate, rlx_clip_info *info, rlx_diags *diags)
{
    memset(info, 0, sizeof *info);
    const rlx_cue_audio_ops *kind = rlx_cue_audio_for(s, c);
    if (!kind)
        return RLX_ERR_USAGE;
    char why[1024] = "";
    rlx_err err = kind->prepare(s, c, cache, rate, info, why, sizeof why);
    if (err != RLX_OK && err != RLX_ERR_INTERRUPTED)  /* not the cue's fault: the caller says stopped */
        add_cue_diag(diags, s, c, why[0] ? why : rlx_strerror(err));
    return err;
}

typedef struct {
    const rlx_render_config *cfg;
} ahead_ctx;

static void ahead_progress(void *user, size_t done, size_t total)
{
    const rlx_render_config *cfg = ((ahead_ctx *)user)->cfg;
    if (cfg && cfg->on_prepare && done < total)
        cfg->on_prepare(cfg->user, done, total, NULL);
}

/* Prepares what the cache lacks for the session's voice cues (and with
 * `all`, its chimes and ambient bed too) in parallel worker processes, so
 * the one-by-one pass after it only finds warm entries (or reports what
 * failed). */
static void prepare_ahead(const rlx_session *s, rlx_cache *cache, int rate, bool all,
                          const long *late_of, const rlx_render_config *cfg)
{
    rlx_clip_job *jobs = malloc((s->ncues + 1) * sizeof *jobs);
    if (!jobs)
        return;
    size_t n = 0;
    for (size_t i = 0; i < s->ncues; i++) {
        const rlx_cue *c = &s->cues[i];
        if ((!rlx_cue_is_voice(c) && !all) || (late_of && late_of[i] >= 0))
            continue;   /* late lines are the speaker thread's */
        const rlx_cue_audio_ops *kind = rlx_cue_audio_for(s, c);
        if (kind && kind->job && kind->job(s, c, &jobs[n]))
            n++;
    }
    if (all && s->ambient_path)
        jobs[n++] = (rlx_clip_job){.path = s->ambient_path};
    ahead_ctx ctx = {cfg};
    rlx_clip_batch_config bc = {.cancel = cfg ? cfg->cancel : NULL,
                                .progress = ahead_progress, .user = &ctx};
    rlx_clip_prepare_batch(cache, jobs, n, rate, &bc);
    free(jobs);
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
    prepare_ahead(s, cache, rate, false, NULL, NULL);
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

/* Makes room for `need` elements of `size` bytes in *arr (capacity *cap),
 * doubling: a session with 100,000 cues must not cost 100,000 reallocs. */
static bool grow(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / size)
        return false;
    void *p = realloc(*arr, n * size);
    if (!p)
        return false;
    *arr = p;
    *cap = n;
    return true;
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
    if (!grow((void **)&r->sources, &r->sources_cap, r->nsources + 1, sizeof *r->sources)) {
        rlx_clip_info_free(info);
        return RLX_ERR_NOMEM;
    }
    r->sources[r->nsources].info = *info;
    memset(info, 0, sizeof *info);
    *idx = r->nsources++;
    return RLX_OK;
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
        total += rlx_cue_audio_for(s, &s->cues[i]) != NULL;
    total += s->ambient_file != NULL;

    r->insts = malloc((s->ncues ? s->ncues : 1) * sizeof *r->insts);
    if (!r->insts)
        return RLX_ERR_NOMEM;
    /* instances are filled in once the timeline is known; remember sources per cue */
    for (size_t i = 0; i < s->ncues; i++) {
        const rlx_cue *c = &s->cues[i];
        voice_ms[i] = -1;
        if (!rlx_cue_audio_for(s, c))
            continue;   /* no audio of its own */
        if (r->cfg.cancel && *r->cfg.cancel)
            return RLX_ERR_INTERRUPTED;
        if (r->late_of && r->late_of[i] >= 0) {   /* laid out at its bound, spoken meanwhile */
            voice_ms[i] = rlx_cue_audio_for(s, c)->estimate_ms(s, c);
            done++;
            continue;
        }
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
        if (err == RLX_ERR_INTERRUPTED)
            return err;
        if (err != RLX_OK) {
            char msg[1024];
            rlx_file_reason(s->ambient_path, why, err, msg, sizeof msg);
            add_cue_diag(diags, s, NULL, msg);
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

/* The constant gain of a voice line: its own, and the normalisation. */
static float voice_gain(const rlx_session *s, const rlx_cue *c, const rlx_clip_info *info)
{
    double db = c->gain_db;
    if (s->voice_normalize) {
        double norm = s->voice_lufs - info->loudness_lufs;
        if (norm > VOICE_NORM_MAX_DB)
            norm = VOICE_NORM_MAX_DB;
        db += norm;
    }
    return (float)rlx_db_to_lin(db);
}

/* ---- lines spoken while playing (cfg.stream) ------------------------------ */

/* Speaker thread: a line is through; look it up and hand it to the source. */
static void late_ready(void *user, size_t i)
{
    rlx_renderer *r = user;
    rlx_late_clip *lc = &r->late[i];
    if (atomic_load_explicit(&lc->state, memory_order_relaxed) != RLX_LATE_WAITING)
        return;
    int st = RLX_LATE_FAILED;
    rlx_clip_info *info = &r->late_info[i];
    if (rlx_clip_lookup(r->speak_cache, &r->late_jobs[i], r->rate, info) == RLX_OK) {
        if (rlx_clip_reader_open(info, &lc->rd) == RLX_OK) {
            lc->frames = info->frames;
            lc->gain = voice_gain(r->s, &r->s->cues[r->late_cue[i]], info);
            st = RLX_LATE_READY;
        }
    }
    atomic_store_explicit(&lc->state, st, memory_order_release);
    atomic_fetch_sub(&r->late_left, 1);
}

static void *speaker_main(void *arg)
{
    rlx_renderer *r = arg;
    rlx_clip_batch_config bc = {.cancel = &r->stop_speaking, .ready = late_ready, .user = r};
    rlx_clip_prepare_batch(r->speak_cache, r->late_jobs, r->nlate, r->rate, &bc);
    return NULL;
}

/* cfg.stream: finds the lines the cache lacks that have a bound, and starts
 * speaking them (in cue order: the first lines first). */
static rlx_err find_late(rlx_renderer *r)
{
    const rlx_session *s = r->s;
    if (!r->cfg.stream || s->ncues == 0)
        return RLX_OK;
    size_t n = s->ncues;
    r->late_of = malloc(n * sizeof *r->late_of);
    r->late = calloc(n, sizeof *r->late);
    r->late_jobs = malloc(n * sizeof *r->late_jobs);
    r->late_info = calloc(n, sizeof *r->late_info);
    r->late_cue = malloc(n * sizeof *r->late_cue);
    if (!r->late_of || !r->late || !r->late_jobs || !r->late_info || !r->late_cue)
        return RLX_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const rlx_cue *c = &s->cues[i];
        r->late_of[i] = -1;
        const rlx_cue_audio_ops *kind = rlx_cue_audio_for(s, c);
        rlx_clip_job job;
        if (!kind || !kind->estimate_ms || !kind->job || !kind->job(s, c, &job) ||
            kind->estimate_ms(s, c) <= 0)
            continue;
        rlx_clip_info info;
        rlx_err err = rlx_clip_lookup(r->cache, &job, r->rate, &info);
        rlx_clip_info_free(&info);
        if (err != RLX_ERR_CACHE)
            continue;   /* there, or an error the usual way reports */
        r->late_of[i] = (long)r->nlate;
        r->late_jobs[r->nlate] = job;
        r->late_cue[r->nlate] = i;
        atomic_init(&r->late[r->nlate].state, RLX_LATE_WAITING);
        r->nlate++;
    }
    if (r->nlate == 0)
        return RLX_OK;
    atomic_init(&r->late_left, r->nlate);
    char why[512];
    rlx_err err = rlx_cache_open(r->cfg.cache_dir, &r->speak_cache, why, sizeof why);
    if (err != RLX_OK)
        return err;
    if (rlx_thread_start(&r->speaker, NULL, speaker_main, r) != 0)
        return RLX_ERR_INTERNAL;
    r->speaking = true;
    return RLX_OK;
}

bool rlx_renderer_provisional(const rlx_renderer *r) { return r->nlate > 0; }

bool rlx_renderer_settled(const rlx_renderer *r)
{
    return r->nlate == 0 || atomic_load(&r->late_left) == 0;
}

bool rlx_renderer_ready(rlx_renderer *r, size_t n)
{
    if (r->nlate == 0)
        return true;
    /* what the next read mixes: up to the limiter's look-ahead past its end,
     * rounded up to the internal block */
    int64_t a = r->pos, b = r->pos + (int64_t)n + (int64_t)r->latency + RLX_RENDER_BLOCK;
    bool again = false;
    for (size_t i = 0; i < r->nlate; i++) {
        rlx_late_clip *lc = &r->late[i];
        if (lc->slot <= 0 || lc->start >= b || lc->start + lc->slot <= a)
            continue;
        if (atomic_load_explicit(&lc->state, memory_order_acquire) == RLX_LATE_WAITING)
            return false;
        if (lc->muted) {   /* mixed ahead as silence: mix it again, with the line */
            lc->muted = false;
            again = true;
        }
    }
    if (again)
        (void)rlx_renderer_seek(r, r->pos);   /* a read error comes back from the next read */
    return true;
}

/* Gains and places the clips once the timeline is known, and opens the sources. */
static rlx_err open_sources(rlx_renderer *r)
{
    const rlx_session *s = r->s;
    rlx_clip_place *vp = malloc((r->ninsts ? r->ninsts : 1) * sizeof *vp);
    rlx_clip_place *cp = malloc((r->ninsts ? r->ninsts : 1) * sizeof *cp);
    size_t nv = 0, nc = 0;
    rlx_err err = vp && cp ? RLX_OK : RLX_ERR_NOMEM;
    for (size_t k = 0; k < r->ninsts && err == RLX_OK; k++) {
        if ((k & 1023) == 0 && r->cfg.cancel && *r->cfg.cancel) {
            err = RLX_ERR_INTERRUPTED;
            break;
        }
        clip_inst *in = &r->insts[k];
        size_t ci = (size_t)in->start;
        int64_t frames = in->end;
        const rlx_cue *c = &s->cues[ci];
        const rlx_clip_info *info = &r->sources[in->src].info;
        in->gain = in->kind == INST_VOICE ? voice_gain(s, c, info)
                                          : (float)rlx_db_to_lin(c->gain_db + s->chime_level_db);
        in->start = r->tl->cues[ci].start;
        if (r->tl->cues[ci].omitted) {   /* this version leaves it out */
            in->end = in->start;
            continue;
        }
        in->end = in->start + frames;
        rlx_clip_place pl = {.info = info, .start = in->start, .frames = frames, .gain = in->gain};
        if (in->kind == INST_VOICE)
            vp[nv++] = pl;
        else
            cp[nc++] = pl;
    }
    if (err == RLX_OK)
        err = rlx_source_clips_open(vp, nv, RLX_RENDER_BLOCK, &r->voice_src);
    if (err == RLX_OK)
        err = rlx_source_clips_open(cp, nc, RLX_RENDER_BLOCK, &r->chime_src);
    for (size_t k = 0; k < r->nlate; k++) {
        const rlx_tl_cue *tc = &r->tl->cues[r->late_cue[k]];
        r->late[k].start = tc->start;
        r->late[k].slot = tc->omitted ? 0 : tc->end - tc->start;
    }
    if (err == RLX_OK && r->nlate > 0)
        err = rlx_source_late_open(r->late, r->nlate, RLX_RENDER_BLOCK,
                                   rlx_ms_to_frames(LATE_CUT_MS, r->rate), &r->late_src);
    if (err == RLX_OK && r->tone_on) {
        rlx_tone_config tc = {.pitch_hz = s->breath_pitch_hz, .glide_st = s->breath_glide_st,
                              .rate = r->rate};
        err = rlx_source_tone_open(&tc, r->tl, RLX_RENDER_BLOCK, &r->tone_src);
    }
    if (err == RLX_OK && r->has_amb)
        err = rlx_source_bed_open(&r->sources[r->amb_src].info, r->rate, AMBIENT_XFADE_MS,
                                  RLX_RENDER_BLOCK, &r->bed_src);
    free(vp);
    free(cp);
    return err;
}

static rlx_err open_once(const rlx_render_config *cfg, const rlx_session *s,
                         rlx_renderer **out, rlx_diags *diags, bool *had_late);

static void move_diags(rlx_diags *from, rlx_diags *to)
{
    for (size_t i = 0; i < from->count; i++) {
        const rlx_diag *d = &from->items[i];
        rlx_diags_add(to, d->severity, d->file, d->line, d->col, d->source, "%s", d->message);
    }
    rlx_diags_free(from);
}

rlx_err rlx_renderer_open(const rlx_render_config *cfg, const rlx_session *s,
                          rlx_renderer **out, rlx_diags *diags)
{
    if (!cfg || !cfg->stream)
        return open_once(cfg, s, out, diags, NULL);
    /* Bounds instead of lengths can make a valid session look broken (a
     * bound running into a line at a fixed time, a length it cannot reach
     * any more): then it is prepared in full first, as a render is. */
    rlx_diags first = {0};
    bool had_late = false;
    rlx_err err = open_once(cfg, s, out, &first, &had_late);
    if (err == RLX_OK || !had_late || err == RLX_ERR_INTERRUPTED || err == RLX_ERR_NOMEM) {
        move_diags(&first, diags);
        return err;
    }
    rlx_diags_free(&first);
    rlx_render_config exact = *cfg;
    exact.stream = false;
    return open_once(&exact, s, out, diags, NULL);
}

static rlx_err open_once(const rlx_render_config *cfg, const rlx_session *s,
                         rlx_renderer **out, rlx_diags *diags, bool *had_late)
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
    rlx_cache_set_cancel(r->cache, cfg->cancel);
    if (rlx_cache_loose_folder(r->cache))
        rlx_diags_add(diags, RLX_DIAG_WARNING, NULL, 0, 0, NULL,
                      "the cache folder %s can be written by other users (group or others); they could "
                      "change what you hear: chmod go-w %s",
                      rlx_cache_loose_folder(r->cache), rlx_cache_loose_folder(r->cache));
    voice_ms = malloc((s->ncues ? s->ncues : 1) * sizeof *voice_ms);
    if (!voice_ms) {
        err = RLX_ERR_NOMEM;
        goto fail;
    }
    err = find_late(r);
    if (had_late)
        *had_late = r->nlate > 0;
    if (err != RLX_OK)
        goto fail;
    prepare_ahead(s, r->cache, r->rate, true, r->late_of, cfg);
    err = prepare_sources(r, diags, voice_ms);
    if (err != RLX_OK)
        goto fail;
    int64_t length_ms = cfg->length_ms, natural_ms, longest_ms;
    if (cfg->length_fit && length_ms > 0) {
        rlx_diags quiet = {0};   /* a real problem comes back from the build below */
        if (rlx_timeline_range(s, voice_ms, cfg->tail_ms, &natural_ms, NULL, &longest_ms, &quiet) == RLX_OK)
            length_ms = rlx_timeline_nearest(s, voice_ms, cfg->tail_ms, length_ms);
        rlx_diags_free(&quiet);
    }
    rlx_timeline_opts to = {.length_ms = length_ms, .tail_ms = cfg->tail_ms};
    err = rlx_timeline_build_opts(s, voice_ms, &to, r->rate, &r->tl, diags);
    if (err != RLX_OK)
        goto fail;
    r->length = r->tl->length;
    r->tone_on = s->breath_enabled;
    err = open_sources(r);
    if (err == RLX_OK && (err = rlx_automation_build(s, r->tl, &r->autom)) == RLX_OK)
        r->autom_ok = true;
    if (err == RLX_OK)
        err = rlx_automation_changes(&r->autom, &r->chg, &r->nchg);
    if (err != RLX_OK)
        goto fail;
    r->bg_lin_db = 0.0;
    r->bg_lin = 1.0;

    r->volume_lin = rlx_db_to_lin(cfg->volume_db);
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
    r->gv = malloc(B * sizeof(float));
    r->gb = malloc(B * sizeof(float));
    r->ga = malloc(B * sizeof(float));
    r->gm = malloc(B * sizeof(float));
    r->gchime = malloc(B * sizeof(float));
    if (!r->outbuf || !r->mix || !r->gv || !r->gb || !r->ga || !r->gm || !r->gchime) {
        err = RLX_ERR_NOMEM;
        goto fail;
    }
    /* chimes come after the master fade, before the volume (see the brief's master chain) */
    for (size_t j = 0; j < B; j++)
        r->gchime[j] = (float)r->volume_lin;
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
    if (r->speaking) {
        r->stop_speaking = 1;   /* the batch stops its workers and says every line through */
        pthread_join(r->speaker, NULL);
    }
    rlx_source_close(r->late_src);
    for (size_t i = 0; i < r->nlate; i++) {
        rlx_clip_reader_close(r->late[i].rd);
        rlx_clip_info_free(&r->late_info[i]);
    }
    free(r->late);
    free(r->late_jobs);
    free(r->late_info);
    free(r->late_cue);
    free(r->late_of);
    rlx_cache_close(r->speak_cache);
    rlx_source_close(r->voice_src);
    rlx_source_close(r->tone_src);
    rlx_source_close(r->bed_src);
    rlx_source_close(r->chime_src);
    for (size_t i = 0; i < r->nsources; i++)
        rlx_clip_info_free(&r->sources[i].info);
    free(r->sources);
    free(r->insts);
    if (r->autom_ok)
        rlx_automation_free(&r->autom);
    free(r->chg);
    if (r->lim_ok)
        rlx_limiter_free(&r->lim);
    rlx_timeline_free(r->tl);
    rlx_cache_close(r->cache);
    free(r->outbuf);
    free(r->mix);
    free(r->gchime);
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
    rlx_gains a = rlx_automation_gains(&r->autom, t, &r->duck_hint);
    grid_gains g;
    g.voice = a.voice;
    g.breath = r->tone_on ? a.breath : 0.0;
    g.amb = r->has_amb ? a.ambient : 0.0;
    g.master = a.master * r->volume_lin;
    return g;
}

void rlx_renderer_gains(const rlx_renderer *r, int64_t t, double *voice, double *breath,
                        double *ambient, double *master)
{
    rlx_gains a = rlx_automation_gains(&r->autom, t, NULL);
    *voice = a.voice;
    *breath = r->tone_on ? a.breath : 0.0;
    *ambient = r->has_amb ? a.ambient : 0.0;
    *master = a.master * r->volume_lin;
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
    if (r->bg_cur_db != r->bg_lin_db) {   /* pow only when the level moves */
        r->bg_lin_db = r->bg_cur_db;
        r->bg_lin = r->bg_cur_db == 0.0 ? 1.0 : rlx_db_to_lin(r->bg_cur_db);
    }
    return r->bg_lin;
}

/* Whether the automation holds still from t0 to t1 (no change span meets
 * [t0, t1]): the gains at t1 are then those at t0, bit for bit. Queries
 * move forward between seeks, so the cursor makes this O(1). */
static bool steady(rlx_renderer *r, int64_t t0, int64_t t1)
{
    if (r->chg_pos > 0 && r->chg[r->chg_pos - 1].end > t0)
        r->chg_pos = 0;   /* went back: start over */
    while (r->chg_pos < r->nchg && r->chg[r->chg_pos].end <= t0)
        r->chg_pos++;
    return r->chg_pos == r->nchg || r->chg[r->chg_pos].start > t1;
}

static void fill_const(float *x, size_t n, float v)
{
    size_t j = 0;
    for (; j + 8 <= n; j += 8)   /* fixed trip counts: vectorised at -O2 */
        for (size_t k = 0; k < 8; k++)
            x[j + k] = v;
    for (; j < n; j++)
        x[j] = v;
}

/* Fills the per-frame gain arrays for timeline frames [a, a+n). */
static void fill_gains(rlx_renderer *r, int64_t a, size_t n)
{
    size_t i = 0;
    r->gm_one = true;
    while (i < n) {
        int64_t t = a + (int64_t)i;
        int64_t g0 = t - ((t % GAIN_GRID) + GAIN_GRID) % GAIN_GRID;
        grid_gains p0;
        if (r->gcache_t == g0)
            p0 = r->gcache;
        else
            p0 = gains_at(r, g0);
        grid_gains p1 = steady(r, g0, g0 + GAIN_GRID) ? p0 : gains_at(r, g0 + GAIN_GRID);
        r->gcache_t = g0 + GAIN_GRID;
        r->gcache = p1;
        size_t m = (size_t)(g0 + GAIN_GRID - t);
        if (m > n - i)
            m = n - i;
        double bg = bg_step(r, m);
        if (p1.voice == p0.voice && p1.breath == p0.breath && p1.amb == p0.amb &&
            p1.master == p0.master) {
            /* p0 + (p1 - p0) x is p0 exactly: the same values, without the
             * sums; and when the automation and the balance hold still to
             * the end of the block, one fill covers all of it (a balance
             * change is then picked up at the next block) */
            if (r->bg_ramp_pos >= r->bg_ramp_len && steady(r, g0, a + (int64_t)n - 1 + GAIN_GRID)) {
                int64_t last = a + (int64_t)n - 1;
                r->gcache_t = last - ((last % GAIN_GRID) + GAIN_GRID) % GAIN_GRID + GAIN_GRID;
                m = n - i;
            }
            fill_const(r->gv + i, m, (float)p0.voice);
            fill_const(r->gb + i, m, (float)(p0.breath * bg));
            fill_const(r->ga + i, m, (float)(p0.amb * bg));
            fill_const(r->gm + i, m, (float)p0.master);
            r->gm_one = r->gm_one && (float)p0.master == 1.0f;
            i += m;
            continue;
        }
        r->gm_one = false;
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

static rlx_err render_mix(rlx_renderer *r, int64_t a, size_t n)
{
    memset(r->mix, 0, n * 2 * sizeof(float));
    size_t live = a >= r->length ? 0 : (size_t)(r->length - a < (int64_t)n ? r->length - a : (int64_t)n);
    if (live == 0)
        return RLX_OK;
    fill_gains(r, a, live);
    /* the order is the order of the sums, part of what a render is */
    struct {
        rlx_source *src;
        const float *gain;
    } pre[] = {{r->voice_src, r->gv}, {r->late_src, r->gv}, {r->tone_src, r->gb}, {r->bed_src, r->ga}};
    for (size_t k = 0; k < sizeof pre / sizeof *pre; k++) {
        if (!pre[k].src)
            continue;
        rlx_err err = pre[k].src->ops->mix(pre[k].src, a, live, pre[k].gain, r->mix);
        if (err != RLX_OK)
            return err;
    }
    if (!r->gm_one) {   /* x * 1.0f is x */
        for (size_t j = 0; j < live; j++) {
            r->mix[2 * j] *= r->gm[j];
            r->mix[2 * j + 1] *= r->gm[j];
        }
    }
    return r->chime_src->ops->mix(r->chime_src, a, live, r->gchime, r->mix);
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
    /* anti-click ramps from 0 at the very start and to 0 at the very end
     * (between them every g below is 1: nothing to do) */
    int64_t R = r->anticlick;
    bool ramp = out0 < R || out0 + (int64_t)n - 1 > r->length - 1 - R;
    for (size_t j = 0; ramp && j < n; j++) {
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
    r->chg_pos = 0;
    rlx_source *all[] = {r->voice_src, r->late_src, r->tone_src, r->bed_src, r->chime_src};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (all[i])
            all[i]->ops->seek(all[i], frame);
    /* the balance ramp restarts settled at its target */
    double t = atomic_load_explicit(&r->bg_target_db, memory_order_relaxed);
    r->bg_from_db = r->bg_to_db = r->bg_cur_db = t;
    r->bg_ramp_pos = r->bg_ramp_len;
    rlx_limiter_reset(&r->lim);
    return prime_limiter(r);
}
