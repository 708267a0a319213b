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

/* An upper bound of a spoken line's length, from its text and pace. Over
 * 250 lines of the program (Festival's slt-hts at pace 1.25) and 120 through
 * flite's slt, the longest line took 86% of 300 ms plus 80 ms a character
 * (times the pace); the bound is 37% over the real lengths in all. A line
 * that comes out longer all the same is cut at its slot's end with a fade
 * (source_late.c), and only on a first run: later runs lay the real lengths
 * out. Characters, not UTF-8 bytes; a digit counts five (numbers are said
 * in words). */
#define SPEECH_BOUND_BASE_MS 300
#define SPEECH_BOUND_CHAR_MS 80

static int64_t speech_estimate_ms(const rlx_session *s, const rlx_cue *c)
{
    double pace = s->tts_pace > 0 ? s->tts_pace : 1.0;
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)(c->text ? c->text : ""); *p; p++)
        chars += *p >= '0' && *p <= '9' ? 5 : (*p & 0xC0) != 0x80;   /* "1999" is said in words */
    return (int64_t)((SPEECH_BOUND_BASE_MS + SPEECH_BOUND_CHAR_MS * (double)chars) * pace);
}

const rlx_cue_audio_ops rlx_cue_audio_speech = {
    .name = "speech",
    .claims = speech_claims,
    .prepare = speech_prepare,
    .job = speech_job,
    .estimate_ms = speech_estimate_ms,
};
