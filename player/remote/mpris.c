/* mpris.c - the MPRIS interfaces (org.mpris.MediaPlayer2 and .Player) with
 * sd-bus. Properties are read from the state the control loop hands over
 * each turn; methods call the engine at once (we are on its control thread). */
#include "mpris.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "remote/remote_engine.h"

#define OBJ_PATH "/org/mpris/MediaPlayer2"
#define ROOT_IFACE "org.mpris.MediaPlayer2"
#define PLAYER_IFACE "org.mpris.MediaPlayer2.Player"
#define MAX_MESSAGES_PER_TURN 32

struct rlx_mpris {
    sd_bus *bus;
    sd_bus_slot *root_slot, *player_slot;
    char name[96];
    char track[160];            /* mpris:trackid object path */
    const rlx_session *s;
    rlx_engine *e;              /* valid during a turn */
    rlx_engine_state st;        /* the last state handed over */
    bool have_state;
    rlx_remote_status rs;       /* the same state as the remote shows it */
    bool stop_asked;
    /* what was last signalled */
    const char *sent_status;
    int64_t sent_length_ms;
    double sent_volume_db;
    bool sent_can_next;
};

static const char *playback_status(const rlx_mpris *m)
{
    if (!m->have_state || m->st.stopping || m->st.end != RLX_ENGINE_END_NONE)
        return m->have_state ? "Stopped" : "Paused";   /* preparing: not playing yet */
    return m->st.paused ? "Paused" : "Playing";
}

static bool can_control(const rlx_mpris *m)
{
    return m->have_state && !m->st.stopping && m->st.end == RLX_ENGINE_END_NONE;
}

/* --- properties ---------------------------------------------------------------- */

static int get_bool_true(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *reply,
                         void *u, sd_bus_error *err)
{
    (void)b, (void)p, (void)i, (void)prop, (void)u, (void)err;
    return sd_bus_message_append(reply, "b", 1);
}

static int get_bool_false(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *reply,
                          void *u, sd_bus_error *err)
{
    (void)b, (void)p, (void)i, (void)prop, (void)u, (void)err;
    return sd_bus_message_append(reply, "b", 0);
}

static int get_identity(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *reply,
                        void *u, sd_bus_error *err)
{
    (void)b, (void)p, (void)i, (void)prop, (void)u, (void)err;
    return sd_bus_message_append(reply, "s", "Relax");
}

static int get_empty_list(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *reply,
                          void *u, sd_bus_error *err)
{
    (void)b, (void)p, (void)i, (void)prop, (void)u, (void)err;
    return sd_bus_message_append(reply, "as", 0);
}

static int get_status(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *reply,
                      void *u, sd_bus_error *err)
{
    (void)b, (void)p, (void)i, (void)prop, (void)err;
    return sd_bus_message_append(reply, "s", playback_status(u));
}

static int get_rate(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *reply,
                    void *u, sd_bus_error *err)
{
    (void)b, (void)p, (void)i, (void)prop, (void)u, (void)err;
    return sd_bus_message_append(reply, "d", 1.0);
}

static int get_position(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *reply,
                        void *u, sd_bus_error *err)
{
    (void)b, (void)p, (void)i, (void)prop, (void)err;
    rlx_mpris *m = u;
    return sd_bus_message_append(reply, "x", (int64_t)(m->have_state ? m->st.pos_ms * 1000 : 0));
}

static int get_volume(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *reply,
                      void *u, sd_bus_error *err)
{
    (void)b, (void)p, (void)i, (void)prop, (void)err;
    rlx_mpris *m = u;
    /* MPRIS volume is linear, 1.0 = full: our 0 dB */
    double v = m->have_state ? pow(10.0, m->st.volume_db / 20.0) : 1.0;
    return sd_bus_message_append(reply, "d", v);
}

static int set_volume(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *value,
                      void *u, sd_bus_error *err)
{
    (void)b, (void)p, (void)i, (void)prop, (void)err;
    rlx_mpris *m = u;
    double v;
    int r = sd_bus_message_read(value, "d", &v);
    if (r < 0)
        return r;
    if (m->e && can_control(m))
        m->st.volume_db = rlx_engine_set_volume_db(m->e, v > 0 ? 20.0 * log10(v) : RLX_ENGINE_VOLUME_MIN_DB);
    return 0;
}

static int get_controllable(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *reply,
                            void *u, sd_bus_error *err)
{
    (void)b, (void)p, (void)i, (void)err;
    rlx_mpris *m = u;
    bool v = can_control(m);
    if (!strcmp(prop, "CanGoNext") || !strcmp(prop, "CanGoPrevious"))
        v = v && m->rs.lines;
    return sd_bus_message_append(reply, "b", v);
}

static int append_entry(sd_bus_message *r, const char *key, const char *type, ...)
{
    va_list ap;
    int e = sd_bus_message_open_container(r, 'e', "sv");
    if (e >= 0)
        e = sd_bus_message_append_basic(r, 's', key);
    if (e >= 0)
        e = sd_bus_message_open_container(r, 'v', type);
    va_start(ap, type);
    if (e >= 0)
        e = sd_bus_message_appendv(r, type, ap);
    va_end(ap);
    if (e >= 0)
        e = sd_bus_message_close_container(r);
    if (e >= 0)
        e = sd_bus_message_close_container(r);
    return e;
}

static int get_metadata(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *reply,
                        void *u, sd_bus_error *err)
{
    (void)b, (void)p, (void)i, (void)prop, (void)err;
    rlx_mpris *m = u;
    int e = sd_bus_message_open_container(reply, 'a', "{sv}");
    if (e >= 0)
        e = append_entry(reply, "mpris:trackid", "o", m->track);
    if (e >= 0 && m->rs.length_ms > 0)
        e = append_entry(reply, "mpris:length", "x", (int64_t)m->rs.length_ms * 1000);
    if (e >= 0 && m->rs.title[0])
        e = append_entry(reply, "xesam:title", "s", m->rs.title);
    if (e >= 0 && m->s && m->s->week > 0) {
        char album[32];
        snprintf(album, sizeof album, "Week %d", m->s->week);
        e = append_entry(reply, "xesam:album", "s", album);
        if (e >= 0)
            e = append_entry(reply, "xesam:trackNumber", "i", m->s->week);
    }
    if (e >= 0)
        e = append_entry(reply, "xesam:artist", "as", 1, "Relax");
    if (e >= 0)
        e = sd_bus_message_close_container(reply);
    return e;
}

/* --- methods ------------------------------------------------------------------- */

static int not_now(sd_bus_error *err)
{
    return sd_bus_error_set(err, SD_BUS_ERROR_FAILED, "nothing is playing");
}

static int m_noop(sd_bus_message *msg, void *u, sd_bus_error *err)
{
    (void)u, (void)err;
    return sd_bus_reply_method_return(msg, NULL);
}

static int m_transport(sd_bus_message *msg, void *u, sd_bus_error *err)
{
    rlx_mpris *m = u;
    if (!m->e || !can_control(m))
        return not_now(err);
    const char *what = sd_bus_message_get_member(msg);
    if (!strcmp(what, "Play"))
        rlx_engine_pause(m->e, false);
    else if (!strcmp(what, "Pause"))
        rlx_engine_pause(m->e, true);
    else if (!strcmp(what, "PlayPause"))
        rlx_engine_pause(m->e, !m->st.paused);
    else if (!strcmp(what, "Next"))
        rlx_engine_next_line(m->e);
    else if (!strcmp(what, "Previous"))
        rlx_engine_prev_line(m->e);
    else if (!strcmp(what, "Stop"))
        m->stop_asked = true;
    return sd_bus_reply_method_return(msg, NULL);
}

static int m_seek(sd_bus_message *msg, void *u, sd_bus_error *err)
{
    rlx_mpris *m = u;
    int64_t off_us;
    int r = sd_bus_message_read(msg, "x", &off_us);
    if (r < 0)
        return r;
    if (!m->e || !can_control(m))
        return not_now(err);
    rlx_engine_seek_by(m->e, off_us / 1000);
    return sd_bus_reply_method_return(msg, NULL);
}

static int m_set_position(sd_bus_message *msg, void *u, sd_bus_error *err)
{
    rlx_mpris *m = u;
    const char *track;
    int64_t pos_us;
    int r = sd_bus_message_read(msg, "ox", &track, &pos_us);
    if (r < 0)
        return r;
    if (!m->e || !can_control(m))
        return not_now(err);
    /* the spec: ignored when stale (another track) or out of range */
    if (!strcmp(track, m->track) && pos_us >= 0 && pos_us / 1000 <= m->rs.length_ms)
        rlx_engine_seek(m->e, rlx_ms_to_frames(pos_us / 1000, rlx_engine_rate(m->e)));
    return sd_bus_reply_method_return(msg, NULL);
}

static int m_open_uri(sd_bus_message *msg, void *u, sd_bus_error *err)
{
    (void)msg, (void)u;
    return sd_bus_error_set(err, SD_BUS_ERROR_NOT_SUPPORTED, "Relax plays its own sessions");
}

static const sd_bus_vtable root_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Raise", "", "", m_noop, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Quit", "", "", m_noop, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_PROPERTY("CanQuit", "b", get_bool_false, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("CanRaise", "b", get_bool_false, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("HasTrackList", "b", get_bool_false, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Identity", "s", get_identity, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("SupportedUriSchemes", "as", get_empty_list, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("SupportedMimeTypes", "as", get_empty_list, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable player_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Next", "", "", m_transport, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Previous", "", "", m_transport, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Pause", "", "", m_transport, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("PlayPause", "", "", m_transport, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Stop", "", "", m_transport, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Play", "", "", m_transport, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Seek", "x", "", m_seek, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("SetPosition", "ox", "", m_set_position, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("OpenUri", "s", "", m_open_uri, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL("Seeked", "x", 0),
    SD_BUS_PROPERTY("PlaybackStatus", "s", get_status, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Rate", "d", get_rate, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("MinimumRate", "d", get_rate, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("MaximumRate", "d", get_rate, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Metadata", "a{sv}", get_metadata, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_WRITABLE_PROPERTY("Volume", "d", get_volume, set_volume, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    /* the position moves all the time: read, never signalled (as the spec says) */
    SD_BUS_PROPERTY("Position", "x", get_position, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
    SD_BUS_PROPERTY("CanGoNext", "b", get_controllable, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("CanGoPrevious", "b", get_controllable, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("CanPlay", "b", get_controllable, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("CanPause", "b", get_controllable, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("CanSeek", "b", get_controllable, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("CanControl", "b", get_bool_true, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END,
};

/* --- life ---------------------------------------------------------------------- */

rlx_mpris *rlx_mpris_open(const rlx_session *s)
{
    rlx_mpris *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->s = s;
    /* an object path element: [A-Za-z0-9_] only */
    snprintf(m->track, sizeof m->track, "/org/relax/session/");
    size_t n = strlen(m->track);
    for (const char *c = s && s->id ? s->id : "session"; *c && n + 1 < sizeof m->track; c++)
        m->track[n++] = ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))
                            ? *c : '_';
    m->track[n] = '\0';
    if (m->track[n - 1] == '/')
        snprintf(m->track + n, sizeof m->track - n, "session");
    if (sd_bus_open_user(&m->bus) < 0)
        goto fail;
    /* a bus that does not answer must not hold up the session for sd-bus's
     * default 25 s */
    sd_bus_set_method_call_timeout(m->bus, 1000000);
    if (sd_bus_add_object_vtable(m->bus, &m->root_slot, OBJ_PATH, ROOT_IFACE, root_vtable, m) < 0 ||
        sd_bus_add_object_vtable(m->bus, &m->player_slot, OBJ_PATH, PLAYER_IFACE, player_vtable, m) < 0)
        goto fail;
    /* the plain name first; a second relax on the same desktop gets its own */
    snprintf(m->name, sizeof m->name, "org.mpris.MediaPlayer2.relax");
    if (sd_bus_request_name(m->bus, m->name, 0) < 0) {
        snprintf(m->name, sizeof m->name, "org.mpris.MediaPlayer2.relax.instance%ld", (long)getpid());
        if (sd_bus_request_name(m->bus, m->name, 0) < 0)
            goto fail;
    }
    m->sent_status = "Paused";
    return m;
fail:
    rlx_mpris_close(m);
    return NULL;
}

const char *rlx_mpris_name(const rlx_mpris *m)
{
    return m ? m->name : "";
}

bool rlx_mpris_turn(rlx_mpris *m, rlx_engine *e, const rlx_engine_state *st)
{
    if (!m)
        return false;
    m->e = e;
    if (st) {
        m->st = *st;
        m->have_state = true;
    }
    rlx_remote_engine_status(e, m->s, st ? st : NULL, &m->rs);
    /* bounded: a flood of requests cannot keep the control loop here */
    for (int i = 0; i < MAX_MESSAGES_PER_TURN; i++)
        if (sd_bus_process(m->bus, NULL) <= 0)
            break;
    /* tell listeners what changed (a command above may have changed it) */
    const char *status = playback_status(m);
    bool can_next = can_control(m) && m->rs.lines;
    if (status != m->sent_status || can_next != m->sent_can_next) {
        sd_bus_emit_properties_changed(m->bus, OBJ_PATH, PLAYER_IFACE, "PlaybackStatus", "CanGoNext",
                                       "CanGoPrevious", "CanPlay", "CanPause", "CanSeek", NULL);
        m->sent_status = status;
        m->sent_can_next = can_next;
    }
    if (m->rs.length_ms != m->sent_length_ms) {
        sd_bus_emit_properties_changed(m->bus, OBJ_PATH, PLAYER_IFACE, "Metadata", NULL);
        m->sent_length_ms = m->rs.length_ms;
    }
    if (m->have_state && m->st.volume_db != m->sent_volume_db) {
        sd_bus_emit_properties_changed(m->bus, OBJ_PATH, PLAYER_IFACE, "Volume", NULL);
        m->sent_volume_db = m->st.volume_db;
    }
    sd_bus_flush(m->bus);
    bool stop = m->stop_asked;
    m->stop_asked = false;
    m->e = NULL;
    return stop;
}

void rlx_mpris_close(rlx_mpris *m)
{
    if (!m)
        return;
    if (m->bus) {
        sd_bus_slot_unref(m->root_slot);
        sd_bus_slot_unref(m->player_slot);
        sd_bus_flush_close_unref(m->bus);
    }
    free(m);
}
