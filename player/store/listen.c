/* listen.c - one listen as rows in the progress store. */
#include "listen.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rlx_listen {
    rlx_store *st;
    rlx_listen_rec rec;
    int64_t carried_ms;      /* credit brought over from the resumed listen */
    int64_t last_write_ms;   /* clock time of the last row write */
    rlx_clock_fn clock;
    void *clock_user;
    int writes;
    bool done;
};

#define SAY(...) ((void)(why && whylen ? snprintf(why, whylen, __VA_ARGS__) : 0))

static int64_t real_clock(void *user)
{
    (void)user;
    return rlx_store_now_ms();
}

static int64_t now(const rlx_listen *l)
{
    return l->clock(l->clock_user);
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Is `r` a listen that can be picked up where it stopped? */
static bool resumable(const rlx_listen_rec *r)
{
    return !r->completed && r->position_ms > 0 && r->position_ms < r->length_ms;
}

rlx_err rlx_listen_resume_point(rlx_store *st, const char *profile, const char *session_id,
                                int64_t *pos_ms, int64_t *length_ms, char *why, size_t whylen)
{
    *pos_ms = 0;
    if (length_ms)
        *length_ms = 0;
    rlx_listen_rec *recs;
    size_t n;
    rlx_err err = rlx_store_listens(st, profile, session_id, &recs, &n, why, whylen);
    if (err)
        return err;
    bool ever_completed = false;
    for (size_t i = 0; i < n; i++)
        ever_completed |= recs[i].completed;
    if (n && !ever_completed && resumable(&recs[n - 1])) {
        *pos_ms = recs[n - 1].position_ms;
        if (length_ms)
            *length_ms = recs[n - 1].length_ms;
    }
    rlx_store_listens_free(recs, n);
    return RLX_OK;
}

rlx_err rlx_listen_begin(rlx_store *st, const char *profile, const rlx_session *session,
                         int64_t length_ms, int64_t from_ms, rlx_clock_fn clock, void *clock_user,
                         rlx_listen **out, char *why, size_t whylen)
{
    return rlx_listen_begin_in(st, profile, rlx_store_resolve_room(NULL), session, length_ms, from_ms,
                               clock, clock_user, out, why, whylen);
}

rlx_err rlx_listen_begin_in(rlx_store *st, const char *profile, const char *room, const rlx_session *session,
                            int64_t length_ms, int64_t from_ms, rlx_clock_fn clock, void *clock_user,
                            rlx_listen **out, char *why, size_t whylen)
{
    *out = NULL;
    if (!session || !session->id || length_ms <= 0 || !rlx_profile_name_valid(profile)) {
        SAY("cannot record a listen: %s",
                 rlx_profile_name_valid(profile) ? "session without id or length" : "invalid profile name");
        return RLX_ERR_USAGE;
    }
    rlx_listen *l = calloc(1, sizeof *l);
    if (!l)
        return RLX_ERR_NOMEM;
    l->st = st;
    l->clock = clock ? clock : real_clock;
    l->clock_user = clock_user;
    from_ms = clamp(from_ms, 0, length_ms);

    rlx_err err = RLX_OK;
    if (from_ms > 0) {
        rlx_listen_rec *recs;
        size_t n;
        err = rlx_store_listens(st, profile, session->id, &recs, &n, why, whylen);
        if (err) {
            free(l);
            return err;
        }
        if (n && resumable(&recs[n - 1]) && from_ms <= recs[n - 1].furthest_ms + RLX_LISTEN_RESUME_SLACK_MS)
            l->carried_ms = recs[n - 1].credit_ms;
        rlx_store_listens_free(recs, n);
    }

    char hash[17];
    snprintf(hash, sizeof hash, "%016" PRIx64, session->hash);
    rlx_listen_rec *r = &l->rec;
    r->profile = strdup(profile);
    r->session_id = strdup(session->id);
    r->session_hash = strdup(hash);
    r->room = room && *room ? strdup(room) : NULL;
    if (!r->profile || !r->session_id || !r->session_hash || (room && *room && !r->room)) {
        rlx_listen_close(l);
        return RLX_ERR_NOMEM;
    }
    r->week = session->week;
    r->length_ms = length_ms;
    r->started_ms = r->ended_ms = now(l);
    r->from_ms = r->position_ms = r->furthest_ms = from_ms;
    r->credit_ms = l->carried_ms;
    err = rlx_store_listen_add(st, r, why, whylen);
    if (err) {
        rlx_listen_close(l);
        return err;
    }
    l->last_write_ms = r->started_ms;
    l->writes = 1;
    *out = l;
    return RLX_OK;
}

static void take(rlx_listen *l, int64_t pos_ms, int64_t played_ms)
{
    rlx_listen_rec *r = &l->rec;
    r->position_ms = clamp(pos_ms, 0, r->length_ms);
    if (r->position_ms > r->furthest_ms)
        r->furthest_ms = r->position_ms;
    if (played_ms > r->played_ms)   /* time heard never goes back */
        r->played_ms = played_ms;
    r->credit_ms = l->carried_ms + r->played_ms;
    if (r->credit_ms > r->length_ms)
        r->credit_ms = r->length_ms;
}

static rlx_err write_row(rlx_listen *l, int64_t t, char *why, size_t whylen)
{
    l->rec.ended_ms = t;
    rlx_err err = rlx_store_listen_save(l->st, &l->rec, why, whylen);
    if (!err) {
        l->last_write_ms = t;
        l->writes++;
    }
    return err;
}

rlx_err rlx_listen_update(rlx_listen *l, int64_t pos_ms, int64_t played_ms, bool force,
                          char *why, size_t whylen)
{
    if (!l || l->done)
        return RLX_OK;
    take(l, pos_ms, played_ms);
    int64_t t = now(l);
    /* a clock that went backwards (wall clock set back) must not stall writes */
    if (!force && t >= l->last_write_ms && t - l->last_write_ms < RLX_LISTEN_WRITE_INTERVAL_MS)
        return RLX_OK;
    return write_row(l, t, why, whylen);
}

rlx_err rlx_listen_finish(rlx_listen *l, int64_t pos_ms, int64_t played_ms, bool reached_end,
                          char *why, size_t whylen)
{
    if (!l || l->done)
        return RLX_OK;
    take(l, reached_end ? l->rec.length_ms : pos_ms, played_ms);
    rlx_listen_rec *r = &l->rec;
    /* integer form of credit >= 0.9 * length */
    r->completed = reached_end && r->credit_ms * 10 >= r->length_ms * 9;
    r->finished = true;
    rlx_err err = write_row(l, now(l), why, whylen);
    if (!err)
        l->done = true;
    return err;
}

void rlx_listen_close(rlx_listen *l)
{
    if (!l)
        return;
    rlx_listen_rec_clear(&l->rec);
    free(l);
}

const rlx_listen_rec *rlx_listen_record(const rlx_listen *l)
{
    return &l->rec;
}

int rlx_listen_writes(const rlx_listen *l)
{
    return l->writes;
}

/* ---- recorder ------------------------------------------------------------ */

struct rlx_listen_recorder {
    rlx_store *st;
    char *profile;
    rlx_listen *listen;
    /* what on_start told us; the listen row is written at the first position */
    rlx_session sess;
    char *room;              /* NULL = none */
    int64_t length_ms;
    bool started;
    int64_t last_pos_ms, last_played_ms;   /* to tell a seek from playing on */
    /* mix */
    bool has_mix, mix_dirty;
    double volume_db, background_db;
    char *device;
    /* the length and bed last chosen (remembered: set_prefs, saved at close) */
    int64_t pref_length_ms;
    char *pref_bed;
    bool prefs_dirty;
    int64_t new_length_ms;
    char *new_bed;
    bool new_bed_set;
    char *remote_key;        /* the profile's kept remote key, NULL = none */
    rlx_err err;
    char why[512];
    bool offline;            /* the server did not answer at open */
    char offline_why[512];
};

rlx_err rlx_listen_recorder_open(const char *store_path_or_null, const char *profile_or_null,
                                 rlx_listen_recorder **out, char *why, size_t whylen)
{
    *out = NULL;
    const char *profile = rlx_store_resolve_profile(profile_or_null);
    if (!rlx_profile_name_valid(profile)) {
        SAY("invalid profile name '%s': use 1 to %d printable characters",
                 profile, RLX_PROFILE_NAME_MAX);
        return RLX_ERR_USAGE;
    }
    char path[4096];
    if (rlx_store_resolve_path(store_path_or_null, path, sizeof path)) {
        SAY("no path for the progress store: set HOME, XDG_DATA_HOME or RELAX_STORE, "
                 "or use --store PATH");
        return RLX_ERR_USAGE;
    }
    const char *room = rlx_store_resolve_room(NULL);
    rlx_listen_recorder *r = calloc(1, sizeof *r);
    if (!r || !(r->profile = strdup(profile)) || (room && !(r->room = strdup(room)))) {
        if (r)
            free(r->profile);
        free(r);
        return RLX_ERR_NOMEM;
    }
    /* a shared server that does not answer does not stop playback: the
     * listen goes to this machine's journal and is sent when it is back */
    rlx_err err = rlx_store_open_ex(path, RLX_STORE_OFFLINE_OK, &r->st, why, whylen);
    if (!err && rlx_store_offline(r->st)) {
        snprintf(r->offline_why, sizeof r->offline_why, "%s", why && whylen ? why : "");
        r->offline = true;
    }
    rlx_profile p = {0};
    if (!err)
        err = rlx_store_profile_get(r->st, profile, true, &p, why, whylen);
    if (err) {
        rlx_store_close(r->st);
        free(r->profile);
        free(r->room);
        free(r);
        return err;
    }
    r->has_mix = p.has_mix;
    r->volume_db = p.volume_db;
    r->background_db = p.background_db;
    r->device = p.device;
    p.device = NULL;
    r->pref_length_ms = p.length_ms;
    r->pref_bed = p.bed;
    p.bed = NULL;
    r->remote_key = p.remote_key;
    p.remote_key = NULL;
    rlx_profile_clear(&p);
    *out = r;
    return RLX_OK;
}

static void note(rlx_listen_recorder *r, rlx_err err, const char *why)
{
    if (err && !r->err) {
        r->err = err;
        snprintf(r->why, sizeof r->why, "%s", why);
    }
}

void rlx_listen_recorder_on_start(void *user, const rlx_session *s, int64_t length_ms)
{
    rlx_listen_recorder *r = user;
    if (!r || !s || !s->id)
        return;
    free(r->sess.id);
    r->sess.id = strdup(s->id);
    r->sess.week = s->week;
    r->sess.hash = s->hash;
    r->length_ms = length_ms;
    r->started = r->sess.id != NULL;
    rlx_listen_close(r->listen);
    r->listen = NULL;
}

static bool ensure_listen(rlx_listen_recorder *r, int64_t pos_ms, int64_t played_ms)
{
    if (r->listen)
        return true;
    if (!r->started)
        return false;
    char why[512] = "";
    int64_t from = pos_ms - played_ms;
    rlx_err err = rlx_listen_begin_in(r->st, r->profile, r->room, &r->sess, r->length_ms, from > 0 ? from : 0,
                                      NULL, NULL, &r->listen, why, sizeof why);
    r->last_pos_ms = from > 0 ? from : 0;
    r->last_played_ms = 0;
    note(r, err, why);
    return !err;
}

void rlx_listen_recorder_on_position(void *user, int64_t pos_ms, int64_t played_ms, bool paused)
{
    rlx_listen_recorder *r = user;
    if (!r || !ensure_listen(r, pos_ms, played_ms))
        return;
    /* a position that moved other than by the time heard is a seek: save it now */
    int64_t drift = (pos_ms - r->last_pos_ms) - (played_ms - r->last_played_ms);
    bool seek = drift > RLX_LISTEN_SEEK_MS || drift < -RLX_LISTEN_SEEK_MS;
    r->last_pos_ms = pos_ms;
    r->last_played_ms = played_ms;
    char why[512] = "";
    note(r, rlx_listen_update(r->listen, pos_ms, played_ms, paused || seek, why, sizeof why), why);
}

void rlx_listen_recorder_on_stop(void *user, int64_t pos_ms, int64_t played_ms, bool reached_end)
{
    rlx_listen_recorder *r = user;
    if (!r || !ensure_listen(r, pos_ms, played_ms))
        return;
    char why[512] = "";
    note(r, rlx_listen_finish(r->listen, pos_ms, played_ms, reached_end, why, sizeof why), why);
    rlx_listen_close(r->listen);
    r->listen = NULL;
    r->started = false;
}

void rlx_listen_recorder_set_room(rlx_listen_recorder *r, const char *room)
{
    if (!r)
        return;
    char *d = room && *room ? strdup(room) : NULL;
    free(r->room);
    r->room = d;
}

bool rlx_listen_recorder_offline(const rlx_listen_recorder *r, const char **why)
{
    if (why)
        *why = r && r->offline ? r->offline_why : NULL;
    return r && r->offline;
}

rlx_store *rlx_listen_recorder_store(const rlx_listen_recorder *r)
{
    return r ? r->st : NULL;
}

void rlx_listen_recorder_set_mix(rlx_listen_recorder *r, double volume_db, double background_db,
                                 const char *device)
{
    if (!r)
        return;
    char *d = device && *device ? strdup(device) : NULL;
    free(r->device);
    r->device = d;
    r->volume_db = volume_db;
    r->background_db = background_db;
    r->has_mix = r->mix_dirty = true;
}

void rlx_listen_recorder_on_mix(void *user, double volume_db, double background_db, const char *device)
{
    rlx_listen_recorder_set_mix(user, volume_db, background_db, device);
}

bool rlx_listen_recorder_mix(const rlx_listen_recorder *r, double *volume_db, double *background_db,
                             const char **device)
{
    if (!r || !r->has_mix)
        return false;
    if (volume_db)
        *volume_db = r->volume_db;
    if (background_db)
        *background_db = r->background_db;
    if (device)
        *device = r->device;
    return true;
}

void rlx_listen_recorder_prefs(const rlx_listen_recorder *r, int64_t *length_ms, const char **bed)
{
    *length_ms = r ? r->pref_length_ms : 0;
    *bed = r ? r->pref_bed : NULL;
}

void rlx_listen_recorder_set_prefs(rlx_listen_recorder *r, int64_t length_ms, const char *bed)
{
    if (!r)
        return;
    r->new_length_ms = length_ms;
    free(r->new_bed);
    r->new_bed = bed ? strdup(bed) : NULL;
    r->new_bed_set = bed && r->new_bed;
    r->prefs_dirty = length_ms >= 0 || r->new_bed_set;
}

rlx_err rlx_listen_recorder_close(rlx_listen_recorder *r, char *why, size_t whylen)
{
    if (!r)
        return RLX_OK;
    if (r->prefs_dirty) {
        char w[512] = "";
        note(r, rlx_store_profile_set_prefs(r->st, r->profile, r->new_length_ms,
                                            r->new_bed_set ? r->new_bed : NULL, w, sizeof w), w);
    }
    if (r->mix_dirty) {
        char w[512] = "";
        note(r, rlx_store_profile_set_mix(r->st, r->profile, r->volume_db, r->background_db, r->device,
                                          w, sizeof w), w);
    }
    rlx_err err = r->err;
    if (err && why && whylen)
        SAY("%s", r->why);
    rlx_listen_close(r->listen);   /* playback ended without on_stop: the last write stands */
    rlx_store_close(r->st);
    free(r->sess.id);
    free(r->room);
    free(r->device);
    free(r->pref_bed);
    free(r->new_bed);
    free(r->remote_key);
    free(r->profile);
    free(r);
    return err;
}

const char *rlx_listen_recorder_remote_key(const rlx_listen_recorder *r)
{
    return r ? r->remote_key : NULL;
}

rlx_err rlx_listen_hooks_open(const char *store_path_or_null, const char *profile_or_null,
                              rlx_play_hooks *hooks_out, char *why, size_t whylen)
{
    memset(hooks_out, 0, sizeof *hooks_out);
    rlx_listen_recorder *r;
    rlx_err err = rlx_listen_recorder_open(store_path_or_null, profile_or_null, &r, why, whylen);
    if (err)
        return err;
    hooks_out->user = r;
    hooks_out->on_start = rlx_listen_recorder_on_start;
    hooks_out->on_position = rlx_listen_recorder_on_position;
    hooks_out->on_stop = rlx_listen_recorder_on_stop;
    hooks_out->on_mix = rlx_listen_recorder_on_mix;
    return RLX_OK;
}

rlx_err rlx_listen_hooks_close(rlx_play_hooks *hooks, char *why, size_t whylen)
{
    if (!hooks)
        return RLX_OK;
    rlx_err err = rlx_listen_recorder_close(hooks->user, why, whylen);
    memset(hooks, 0, sizeof *hooks);
    return err;
}
