/* source_file.c - cue audio from a file: `play`, `chime` (the [chime] file
 * unless the cue names one) and `say ... recording FILE`. Also the registry
 * of cue audio kinds. */
#include "audio/source.h"

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

static rlx_err file_prepare(const rlx_session *s, const rlx_cue *c, rlx_cache *cache, int rate,
                            rlx_clip_info *out, char *why, size_t whylen)
{
    const char *path = file_path(s, c);
    if (!path) {
        snprintf(why, whylen, "audio file '%s' not found", file_name(s, c));
        return RLX_ERR_AUDIO_FILE;
    }
    char reason[512] = "";
    rlx_err err = rlx_clip_prepare_file(cache, path, rate, out, reason, sizeof reason);
    if (err != RLX_OK)
        rlx_file_reason(path, reason, err, why, whylen);
    return err;
}

static bool file_job(const rlx_session *s, const rlx_cue *c, rlx_clip_job *out)
{
    const char *path = file_path(s, c);
    *out = (rlx_clip_job){.path = path};
    return path != NULL;
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
