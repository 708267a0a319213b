/* source_speech.c - a `say` line without a recording: spoken through the
 * session's voice engine (audio/voice.h) and cached. */
#include "audio/source.h"

#include <stdio.h>

static bool speech_claims(const rlx_session *s, const rlx_cue *c)
{
    (void)s;
    return c->kind == RLX_CUE_SAY && !c->path;
}

static rlx_err speech_prepare(const rlx_session *s, const rlx_cue *c, rlx_cache *cache, int rate,
                              rlx_clip_info *out, char *why, size_t whylen)
{
    char reason[512] = "";
    rlx_err err = rlx_clip_prepare_tts(cache, c->text ? c->text : "", s->tts_voice,
                                       s->tts_pace > 0 ? s->tts_pace : 1.0, rate, out,
                                       reason, sizeof reason);
    if (err != RLX_OK)
        snprintf(why, whylen, "cannot speak this line: %s", reason);
    return err;
}

static bool speech_job(const rlx_session *s, const rlx_cue *c, rlx_clip_job *out)
{
    *out = (rlx_clip_job){.text = c->text ? c->text : "", .voice = s->tts_voice,
                          .pace = s->tts_pace > 0 ? s->tts_pace : 1.0};
    return true;
}

const rlx_cue_audio_ops rlx_cue_audio_speech = {
    .name = "speech",
    .claims = speech_claims,
    .prepare = speech_prepare,
    .job = speech_job,
};
