/* remote_engine.c - the remote's commands applied to an engine, and the
 * engine's state as the remote's status (control thread). */
#include "remote_engine.h"

#include <stdio.h>
#include <string.h>

static rlx_remote_state state_of(const rlx_engine_state *st)
{
    if (!st)
        return RLX_REMOTE_STARTING;
    if (st->end != RLX_ENGINE_END_NONE)
        return RLX_REMOTE_ENDED;
    if (st->stopping)
        return RLX_REMOTE_STOPPING;
    return st->paused ? RLX_REMOTE_PAUSED : RLX_REMOTE_PLAYING;
}

static bool has_lines(const rlx_timeline *tl)
{
    for (size_t i = 0; tl && i < tl->ncues; i++)
        if (rlx_cue_is_voice(tl->cues[i].cue))
            return true;
    return false;
}

void rlx_remote_engine_status(rlx_engine *e, const rlx_session *s, const rlx_engine_state *st,
                              rlx_remote_status *out)
{
    rlx_remote_status rs = {
        .state = state_of(st),
        .volume_min_db = RLX_ENGINE_VOLUME_MIN_DB,
        .volume_max_db = 0,
        .background_min_db = RLX_ENGINE_BACKGROUND_MIN_DB,
        .background_max_db = RLX_ENGINE_BACKGROUND_MAX_DB,
    };
    if (s) {
        snprintf(rs.session, sizeof rs.session, "%s", s->id ? s->id : "");
        snprintf(rs.title, sizeof rs.title, "%s", s->title ? s->title : s->id ? s->id : "");
    }
    const rlx_timeline *tl = e ? rlx_engine_timeline(e) : NULL;
    if (tl) {
        rs.length_min_ms = tl->natural_ms;
        rs.length_max_ms = tl->longest_ms;
        rs.length_ms = tl->length_ms;
        rs.lines = has_lines(tl);
        /* an excerpt or a session without stretchable silences cannot change */
        rs.length_live = tl->longest_ms > tl->natural_ms;
    }
    if (st) {
        rs.position_ms = st->pos_ms;
        rs.length_ms = st->length_ms;
        rs.length_next_ms = st->length_next_ms;
        rs.volume_db = st->volume_db;
        rs.background_db = st->background_db;
        rs.breath = st->breath;
        rs.breath_dir = st->breath_dir;
        if (st->caption)
            snprintf(rs.caption, sizeof rs.caption, "%s", st->caption);
        if (st->stopping || st->end != RLX_ENGINE_END_NONE)
            rs.length_live = false;
    }
    *out = rs;
}

void rlx_remote_engine_publish(rlx_remote *r, rlx_engine *e, const rlx_session *s,
                               const rlx_engine_state *st)
{
    if (!r)
        return;
    rlx_remote_status rs;
    rlx_remote_engine_status(e, s, st, &rs);
    rlx_remote_publish(r, &rs);
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

bool rlx_remote_engine_apply(rlx_remote *r, rlx_engine *e, const rlx_engine_state *st)
{
    if (!r || !e || !st)
        return false;
    bool stop = false;
    /* relative requests add to what the last one asked for, not to a state
     * that may not show it yet */
    double vol = st->volume_db, bg = st->background_db;
    int64_t len = st->length_next_ms ? st->length_next_ms : st->length_ms;
    rlx_remote_cmd c;
    while (rlx_remote_take(r, &c)) {
        switch (c.op) {
        case RLX_REMOTE_CMD_PAUSE:
        case RLX_REMOTE_CMD_RESUME:
            rlx_engine_pause(e, c.op == RLX_REMOTE_CMD_PAUSE);
            break;
        case RLX_REMOTE_CMD_STOP:
            stop = true;
            break;
        case RLX_REMOTE_CMD_SEEK:
            if (c.relative)
                rlx_engine_seek_by(e, c.ms);
            else
                rlx_engine_seek(e, rlx_ms_to_frames(c.ms, rlx_engine_rate(e)));
            break;
        case RLX_REMOTE_CMD_VOLUME:
            vol = rlx_engine_set_volume_db(e, c.relative ? vol + c.db : c.db);
            break;
        case RLX_REMOTE_CMD_BACKGROUND:
            bg = rlx_engine_set_background_db(e, c.relative ? bg + c.db : c.db);
            break;
        case RLX_REMOTE_CMD_LENGTH: {
            const rlx_timeline *tl = rlx_engine_timeline(e);
            if (!tl)
                break;
            int64_t want = clamp64(c.relative ? len + c.ms : c.ms, tl->natural_ms, tl->longest_ms);
            if (want == len)
                break;
            rlx_diags d = {0};
            /* refused (one change at a time, stopping): the status shows
             * the length unchanged, which is what the page goes by */
            if (rlx_engine_set_length(e, want, &d) == RLX_OK)
                len = want;
            rlx_diags_free(&d);
            break;
        }
        case RLX_REMOTE_CMD_LINE:
            if (c.dir > 0)
                rlx_engine_next_line(e);
            else
                rlx_engine_prev_line(e);
            break;
        case RLX_REMOTE_CMD_START:
            break;   /* refused while a session plays: never queued then */
        }
    }
    return stop;
}
