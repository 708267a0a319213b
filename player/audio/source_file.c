/* source_file.c - cue audio from a file: `play`, `chime` (the [chime] file
 * unless the cue names one) and `say ... recording FILE`. Also the registry
 * of cue audio kinds. */
#include "audio/source.h"
#include "session/lex.h"

#include <stdio.h>
#include <string.h>

static const rlx_cue_audio_ops *const kinds[] = {
    &rlx_cue_audio_speech,   /* before file: a `say` without a recording */
    &rlx_cue_audio_file,
};

const rlx_cue_audio_ops *rlx_cue_audio_for(const rlx_session *s, const rlx_cue *c)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (kinds[i]->claims(s, c))
            return kinds[i];
    return NULL;
}

static bool file_claims(const rlx_session *s, const rlx_cue *c)
{
    (void)s;
    return rlx_cue_is_voice(c) || c->kind == RLX_CUE_CHIME;
}

static const char *file_path(const rlx_session *s, const rlx_cue *c)
{
    if (c->kind == RLX_CUE_CHIME)
        return c->file ? c->path : s->chime_path;
    return c->path;
}

static const char *file_name(const rlx_session *s, const rlx_cue *c)
{
    if (c->kind == RLX_CUE_CHIME)
        return c->file ? c->file : (s->chime_file ? s->chime_file : "chime");
    return c->file ? c->file : "";
}

/* A voice clip must end by an absolute 'end': it starts at its written time
 * or later (a relative cue counts from a later anchor), and only a --tail
 * (at most RLX_TIMELINE_TAIL_MAX_MS) moves 'end' away from it. A file whose
 * header says it is longer than that is refused before it is decoded: it
 * could only fill the cache before the timeline refused it (a 2 GB silent
 * WAV makes a 4 GB cache entry). A relative 'end' moves with the clip: no
 * bound but the 24 hours. */
static rlx_err fits_before_end(const rlx_session *s, const rlx_cue *c, const char *path,
                               char *why, size_t whylen)
{
    /* only cues in every version: a version that leaves one out may still work */
    if (!rlx_cue_is_voice(c) || c->optional || c->from_ms > 0)
        return RLX_OK;
    const rlx_cue *end = NULL;
    for (size_t i = 0; i < s->ncues && !end; i++)
        if (s->cues[i].kind == RLX_CUE_END)
            end = &s->cues[i];
    if (!end || end->relative)
        return RLX_OK;
    int64_t starts = c->time_ms > 0 ? c->time_ms : 0;
    int64_t room = end->time_ms - starts;
    if (room < 0)
        return RLX_OK;   /* starts after 'end': the timeline says so */
    int64_t ms = rlx_audio_header_ms(path);
    if (ms < 0 || ms <= room + RLX_TIMELINE_TAIL_MAX_MS)
        return RLX_OK;
    char len[32], at[32], e[32];
    const char *slash = strrchr(path, '/');
    snprintf(why, whylen, "%s lasts %s, but it starts at %s or later and the session ends at %s "
             "('end' on line %d, plus at most 1 hour of --tail): shorten the file or move 'end'",
             slash ? slash + 1 : path, rlx_fmt_ms(ms, len, sizeof len), rlx_fmt_ms(starts, at, sizeof at),
             rlx_fmt_ms(end->time_ms, e, sizeof e), end->line);
    return RLX_ERR_SESSION;
}

static rlx_err file_prepare(const rlx_session *s, const rlx_cue *c, rlx_cache *cache, int rate,
                            rlx_clip_info *out, char *why, size_t whylen)
{
    const char *path = file_path(s, c);
    if (!path) {
        snprintf(why, whylen, "audio file '%s' not found", file_name(s, c));
        return RLX_ERR_AUDIO_FILE;
    }
    rlx_err err = fits_before_end(s, c, path, why, whylen);
    if (err)
        return err;
    char reason[512] = "";
    err = rlx_clip_prepare_file(cache, path, rate, out, reason, sizeof reason);
    if (err != RLX_OK)
        rlx_file_reason(path, reason, err, why, whylen);
    return err;
}

static bool file_job(const rlx_session *s, const rlx_cue *c, rlx_clip_job *out)
{
    const char *path = file_path(s, c);
    *out = (rlx_clip_job){.path = path};
    char why[16];   /* file_prepare says why, in its turn */
    return path != NULL && fits_before_end(s, c, path, why, sizeof why) == RLX_OK;
}

void rlx_file_reason(const char *path, const char *reason, rlx_err err, char *why, size_t whylen)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (reason[0] && strstr(reason, base))
        snprintf(why, whylen, "%s", reason);
    else
        snprintf(why, whylen, "%s: %s", path, reason[0] ? reason : rlx_strerror(err));
}

const rlx_cue_audio_ops rlx_cue_audio_file = {
    .name = "file",
    .claims = file_claims,
    .job = file_job,
    .prepare = file_prepare,
};
