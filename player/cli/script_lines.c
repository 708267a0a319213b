/* script_lines.c - the narrator's view of a session. See script_lines.h. */
#include "script_lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "authoring.h"
#include "cli.h"
#include "session/recording.h"

static bool is_file(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The pauses and breathing changes between this say line and the next voice. */
static void pause_after(const rlx_session *s, size_t k, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t j = k + 1; j < s->ncues && used < len; j++) {
        const rlx_cue *c = &s->cues[j];
        if (rlx_cue_is_voice(c) || c->kind == RLX_CUE_END)
            break;
        char a[32], b[32];
        int w = 0;
        if (c->kind == RLX_CUE_SILENCE && c->dur_max_ms > c->dur_ms)
            w = snprintf(buf + used, len - used, "%sthen a pause of %s (up to %s)", used ? ", " : "",
                         rlx_auth_fmt_dur(c->dur_ms, a, sizeof a), rlx_auth_fmt_dur(c->dur_max_ms, b, sizeof b));
        else if (c->kind == RLX_CUE_SILENCE)
            w = snprintf(buf + used, len - used, "%sthen a pause of %s", used ? ", " : "",
                         rlx_auth_fmt_dur(c->dur_ms, a, sizeof a));
        else if (c->kind == RLX_CUE_CHIME)
            w = snprintf(buf + used, len - used, "%sthen a chime", used ? ", " : "");
        else if (c->kind == RLX_CUE_BREATH)
            w = snprintf(buf + used, len - used, "%sthe breathing guide changes", used ? ", " : "");
        if (w > 0)
            used += (size_t)w;
    }
    if (used >= len)
        buf[len - 1] = 0;
}

rlx_err rlx_script_lines(const rlx_session *s, rlx_script_line **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t count = 0;
    for (size_t k = 0; k < s->ncues; k++)
        count += s->cues[k].kind == RLX_CUE_SAY && s->cues[k].text;
    rlx_script_line *v = calloc(count ? count : 1, sizeof *v);
    if (!v)
        return RLX_ERR_NOMEM;
    size_t i = 0;
    for (size_t k = 0; k < s->ncues; k++) {
        const rlx_cue *c = &s->cues[k];
        if (c->kind != RLX_CUE_SAY || !c->text)
            continue;
        rlx_script_line *l = &v[i++];
        l->number = (int)i;
        l->cue = c;
        char p[4096], t[32];
        if (rlx_recording_path(s, c->text, p, sizeof p) && !(l->rec_path = strdup(p))) {
            rlx_script_lines_free(v, i);
            return RLX_ERR_NOMEM;
        }
        l->own_file = c->file && !(l->rec_path && c->path && !strcmp(c->path, l->rec_path));
        l->recorded = is_file(c->path) || is_file(l->rec_path);
        if (c->relative)
            snprintf(l->where, sizeof l->where, c->time_ms ? "%s after the previous line"
                                                           : "right after the previous line",
                     rlx_auth_fmt_dur(c->time_ms, t, sizeof t));
        else
            snprintf(l->where, sizeof l->where, "at %s", rlx_cli_fmt_time(c->time_ms, t, sizeof t));
        pause_after(s, k, l->pause, sizeof l->pause);
    }
    *out = v;
    *n = count;
    return RLX_OK;
}

void rlx_script_lines_free(rlx_script_line *lines, size_t n)
{
    if (!lines)
        return;
    for (size_t i = 0; i < n; i++)
        free(lines[i].rec_path);
    free(lines);
}

const char *rlx_script_pace_hint(const rlx_session *s, char *buf, size_t len)
{
    double p = s->tts_pace > 0 ? s->tts_pace : 1.0;
    snprintf(buf, len, "%s (%.3gx the voice's natural pace)",
             p >= 1.3 ? "slow and spacious" : p >= 1.05 ? "calm, unhurried" : "natural", p);
    return buf;
}
