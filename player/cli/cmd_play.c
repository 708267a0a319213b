/* cmd_play.c - `relax play`: a session live on the audio device.
 *
 * Order matters: the session is parsed, the device is chosen (its rate
 * decides the render rate), the renderer prepares everything that can fail
 * (TTS, decoding, resampling), and only then is the stream opened and
 * started. This (control) thread then polls keys, signals and the player
 * every 10 ms and redraws the status line ten times a second; the render
 * thread and the audio callback live in sink_device.c. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio/render.h"
#include "cli.h"
#include "cli_remote.h"
#include "cli_store.h"
#include "play.h"
#include "sink/player.h"
#include "tui.h"

#define SEEK_STEP_MS 15000
#define QUIT_FADE_MS 2000
#define SIGNAL_FADE_MS 1000
#define HOOK_PERIOD_MS 1000
#define VOLUME_MIN_DB (-40.0)
#define BACKGROUND_MIN_DB (-20.0)
#define BACKGROUND_MAX_DB 10.0

static volatile sig_atomic_t got_signal;

static void on_stop_signal(int sig)
{
    got_signal = sig;
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

rlx_play_opts rlx_play_opts_init(void)
{
    return (rlx_play_opts){0};
}

/* --- the renderer as the player's source ------------------------------------ */

static rlx_err src_read(void *user, float *out, size_t n, size_t *got)
{
    return rlx_renderer_read(user, out, n, got);
}

static rlx_err src_seek(void *user, int64_t frame)
{
    return rlx_renderer_seek(user, frame);
}

/* --- timeline helpers for the status line and n/p ---------------------------- */

/* The voice cue playing at frame, or the last one before it; -1 if none. */
static long voice_at(const rlx_timeline *tl, int64_t frame)
{
    long best = -1;
    for (size_t i = 0; i < tl->ncues; i++) {
        if (!rlx_cue_is_voice(tl->cues[i].cue))
            continue;
        if (tl->cues[i].start > frame)
            break;
        best = (long)i;
    }
    return best;
}

static const char *caption_of(const rlx_tl_cue *c)
{
    return c->cue->text;
}

static int64_t next_voice_start(const rlx_timeline *tl, int64_t frame)
{
    for (size_t i = 0; i < tl->ncues; i++)
        if (rlx_cue_is_voice(tl->cues[i].cue) && tl->cues[i].start > frame)
            return tl->cues[i].start;
    return -1;
}

/* The start of the current voice cue, or of the one before it when we are
 * already within 2 s of the current one's start (like a music player's "previous"). */
static int64_t prev_voice_start(const rlx_timeline *tl, int64_t frame)
{
    int64_t grace = 2 * (int64_t)tl->rate;
    int64_t best = -1;
    for (size_t i = 0; i < tl->ncues; i++) {
        if (!rlx_cue_is_voice(tl->cues[i].cue))
            continue;
        if (tl->cues[i].start + grace > frame)
            break;
        best = tl->cues[i].start;
    }
    return best < 0 ? 0 : best;
}

static bool parse_db(const char *s, double *db)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v))
        return false;
    while (*end == ' ')
        end++;
    if (*end && strcmp(end, "dB") && strcmp(end, "db"))
        return false;
    *db = v;
    return true;
}

typedef struct {
    bool tty, ascii;
    const char *title;
    int64_t length_ms;
    rlx_player *player;
    rlx_renderer *r;
    const rlx_timeline *tl;
    int rate;
    const rlx_play_hooks *hooks;
    double vol_db, bg_db;
    char note[64];
    int64_t note_until;
    int64_t last_seek_target;  /* relative seeks pressed in a row add up */
    int64_t last_seek_at;
    size_t breath_hint, breath_hint_prev;
} play_ctx;

static int64_t frames_to_ms(int64_t f, int rate)
{
    return rate > 0 ? f * 1000 / rate : 0;
}

static void hook_position(play_ctx *c, const rlx_player_status *st)
{
    if (c->hooks && c->hooks->on_position)
        c->hooks->on_position(c->hooks->user, frames_to_ms(st->position, c->rate),
                              frames_to_ms(st->played, c->rate), st->paused);
}

static void set_note(play_ctx *c, const char *fmt, double v)
{
    snprintf(c->note, sizeof c->note, fmt, v);
    c->note_until = now_ms() + 1500;
}

static void seek_to(play_ctx *c, int64_t frame)
{
    int64_t len = rlx_renderer_length(c->r);
    if (frame < 0)
        frame = 0;
    if (frame > len)
        frame = len;
    rlx_player_seek(c->player, frame);
    c->last_seek_target = frame;
    c->last_seek_at = now_ms();
}

/* Where relative seeks start from: the last target if one was just asked
 * for (the player may not have got there yet), else what is playing. */
static int64_t seek_base(const play_ctx *c, const rlx_player_status *st)
{
    return now_ms() - c->last_seek_at < 600 ? c->last_seek_target : st->position;
}

static void draw(play_ctx *c, const rlx_player_status *st)
{
    int64_t pos = st->position;
    /* direction from the shape 100 ms earlier: stateless, so right after a seek too */
    double shape = rlx_timeline_breath_shape(c->tl, pos, &c->breath_hint);
    int64_t before = pos - c->rate / 10;
    double earlier = rlx_timeline_breath_shape(c->tl, before > 0 ? before : 0, &c->breath_hint_prev);
    int dir = shape > earlier + 1e-4 ? 1 : shape < earlier - 1e-4 ? -1 : 0;
    long vi = voice_at(c->tl, pos);
    rlx_tui_state ts = {
        .title = c->title,
        .pos_ms = frames_to_ms(pos, c->rate),
        .total_ms = c->length_ms,
        .paused = st->paused,
        .caption = vi >= 0 ? caption_of(&c->tl->cues[vi]) : NULL,
        .breath = shape,
        .breath_dir = dir,
        .volume_db = c->vol_db,
        .background_db = c->bg_db,
        .note = now_ms() < c->note_until ? c->note : NULL,
        .ascii = c->ascii,
    };
    rlx_tui_draw(&ts);
}

/* One key; returns true when it asks to quit. */
static bool handle_key(play_ctx *c, int key, const rlx_player_status *st)
{
    switch (key) {
    case ' ':
        rlx_player_pause(c->player, !st->paused);
        return false;
    case RLX_KEY_LEFT:
        seek_to(c, seek_base(c, st) - rlx_ms_to_frames(SEEK_STEP_MS, c->rate));
        return false;
    case RLX_KEY_RIGHT:
        seek_to(c, seek_base(c, st) + rlx_ms_to_frames(SEEK_STEP_MS, c->rate));
        return false;
    case 'n': {
        int64_t f = next_voice_start(c->tl, seek_base(c, st));
        if (f >= 0)
            seek_to(c, f);
        return false;
    }
    case 'p':
        seek_to(c, prev_voice_start(c->tl, seek_base(c, st)));
        return false;
    case '+':
    case '=':
    case '-':
    case '_':
        c->vol_db += key == '+' || key == '=' ? 1 : -1;
        if (c->vol_db > 0)
            c->vol_db = 0;
        if (c->vol_db < VOLUME_MIN_DB)
            c->vol_db = VOLUME_MIN_DB;
        rlx_player_set_volume_db(c->player, c->vol_db);
        set_note(c, "volume %+.0f dB", c->vol_db);
        return false;
    case '[':
    case ']':
        c->bg_db += key == ']' ? 1 : -1;
        if (c->bg_db > BACKGROUND_MAX_DB)
            c->bg_db = BACKGROUND_MAX_DB;
        if (c->bg_db < BACKGROUND_MIN_DB)
            c->bg_db = BACKGROUND_MIN_DB;
        rlx_renderer_set_background_db(c->r, c->bg_db);
        set_note(c, "background %+.0f dB", c->bg_db);
        return false;
    case 'q':
    case 'Q':
        return true;
    default:
        return false;
    }
}

/* --- the phone remote: its commands, our status --------------------------------- */

static bool has_lines(const rlx_timeline *tl)
{
    for (size_t i = 0; i < tl->ncues; i++)
        if (rlx_cue_is_voice(tl->cues[i].cue))
            return true;
    return false;
}

static void remote_publish(rlx_remote *rm, play_ctx *c, const rlx_session *s, const rlx_player_status *st,
                           rlx_remote_state state)
{
    if (!rm)
        return;
    rlx_remote_status rs = {
        .state = state,
        .length_ms = c->length_ms,
        .length_min_ms = c->length_ms,
        .length_max_ms = c->length_ms,
        .volume_db = c->vol_db,
        .background_db = c->bg_db,
        .volume_min_db = VOLUME_MIN_DB,
        .volume_max_db = 0,
        .background_min_db = BACKGROUND_MIN_DB,
        .background_max_db = BACKGROUND_MAX_DB,
        .lines = has_lines(c->tl),
    };
    snprintf(rs.session, sizeof rs.session, "%s", s->id ? s->id : "");
    snprintf(rs.title, sizeof rs.title, "%s", c->title);
    if (st) {
        int64_t pos = st->position;
        rs.position_ms = frames_to_ms(pos, c->rate);
        long vi = voice_at(c->tl, pos);
        if (vi >= 0)
            snprintf(rs.caption, sizeof rs.caption, "%s", caption_of(&c->tl->cues[vi]));
        rs.breath = rlx_timeline_breath_shape(c->tl, pos, &c->breath_hint);
        int64_t before = pos - c->rate / 10;
        double earlier = rlx_timeline_breath_shape(c->tl, before > 0 ? before : 0, &c->breath_hint_prev);
        rs.breath_dir = rs.breath > earlier + 1e-4 ? 1 : rs.breath < earlier - 1e-4 ? -1 : 0;
    }
    rlx_remote_publish(rm, &rs);
}

/* Applies the remote's queued commands as the keys would; true = stop. */
static bool remote_apply(rlx_remote *rm, play_ctx *c, const rlx_player_status *st)
{
    rlx_remote_cmd cmd;
    bool stop = false;
    while (rm && rlx_remote_take(rm, &cmd)) {
        switch (cmd.op) {
        case RLX_REMOTE_CMD_PAUSE:
        case RLX_REMOTE_CMD_RESUME:
            rlx_player_pause(c->player, cmd.op == RLX_REMOTE_CMD_PAUSE);
            break;
        case RLX_REMOTE_CMD_STOP:
            stop = true;
            break;
        case RLX_REMOTE_CMD_SEEK:
            seek_to(c, cmd.relative ? seek_base(c, st) + rlx_ms_to_frames(cmd.ms, c->rate)
                                    : rlx_ms_to_frames(cmd.ms, c->rate));
            break;
        case RLX_REMOTE_CMD_VOLUME:
            c->vol_db = cmd.relative ? c->vol_db + cmd.db : cmd.db;
            c->vol_db = c->vol_db > 0 ? 0 : c->vol_db < VOLUME_MIN_DB ? VOLUME_MIN_DB : c->vol_db;
            rlx_player_set_volume_db(c->player, c->vol_db);
            set_note(c, "volume %+.0f dB", c->vol_db);
            break;
        case RLX_REMOTE_CMD_BACKGROUND:
            c->bg_db = cmd.relative ? c->bg_db + cmd.db : cmd.db;
            c->bg_db = c->bg_db > BACKGROUND_MAX_DB ? BACKGROUND_MAX_DB
                       : c->bg_db < BACKGROUND_MIN_DB ? BACKGROUND_MIN_DB : c->bg_db;
            rlx_renderer_set_background_db(c->r, c->bg_db);
            set_note(c, "background %+.0f dB", c->bg_db);
            break;
        case RLX_REMOTE_CMD_LINE:
            handle_key(c, cmd.dir > 0 ? 'n' : 'p', st);
            break;
        case RLX_REMOTE_CMD_LENGTH:
            break;   /* refused by the server: length_live is false here */
        }
    }
    return stop;
}

static void print_stats(const rlx_player_status *st, double cpu_load, int64_t t_entry_ns)
{
    printf("underruns: %llu\n", (unsigned long long)st->underruns);
    printf("device underflows: %llu\n", (unsigned long long)st->device_underflows);
    printf("callbacks: %llu\n", (unsigned long long)st->callbacks);
    printf("callback load: %.3f %% (longest callback %.3f ms)\n", st->callback_load * 100,
           st->max_callback_ms);
    printf("portaudio cpu load: %.3f %%\n", cpu_load * 100);
    if (st->first_audio_ns)
        printf("first audio: %.1f ms after start\n", (double)(st->first_audio_ns - t_entry_ns) / 1e6);
}

int rlx_cli_play(const char *session_arg, const rlx_play_opts *opts)
{
    int64_t t_entry = now_ns();
    rlx_play_opts o = opts ? *opts : rlx_play_opts_init();
    rlx_session *s = NULL;
    rlx_player *p = NULL;
    rlx_renderer *r = NULL;
    rlx_diags d = {0};
    rlx_remote *rm = NULL;
    int rc = RLX_EXIT_OK;
    bool tui = false;
    char why[256] = "";

    rlx_err err = rlx_cli_load_session(session_arg, &s, &d);
    if (err != RLX_OK) {
        rlx_cli_print_diags(stderr, &d);
        rc = rlx_cli_exit_code(err);
        goto done;
    }

    /* the device first: its rate is the render rate, and with no device
     * there is no point in preparing audio */
    rlx_player_config pc = rlx_player_config_init();
    pc.device = o.device;
    pc.rate = o.rate;
    pc.ring_s = 1.0;  /* short, so [ and ] are heard soon after the key */
    pc.volume_db = o.volume_db < 0 ? o.volume_db : 0;
    pc.fade_in_ms = o.resume_fade_ms > 0 ? o.resume_fade_ms : o.from_ms > 0 ? 30 : 0;
    err = rlx_player_open(&pc, &p, why, sizeof why);
    if (err == RLX_ERR_NO_DEVICE && (!o.device || !*o.device)) {
        rlx_cli_error("no audio output device found; use 'relax render %s -o FILE.wav' to listen later",
                      session_arg);
        rc = RLX_EXIT_NO_DEVICE;
        goto done;
    }
    if (err != RLX_OK) {
        rlx_cli_error("%s", why[0] ? why : rlx_strerror(err));
        rc = rlx_cli_exit_code(err);
        goto done;
    }
    int rate = rlx_player_rate(p);

    /* the remote before the audio is prepared: a phone can connect meanwhile */
    rlx_cli_remote_opts ro = {.on = o.remote, .listen = o.remote_listen, .key = o.remote_key};
    if ((rc = rlx_cli_remote_open(&ro, &rm)) != 0)
        goto done;

    bool tty = rlx_tui_available();
    rlx_render_config rc_cfg = rlx_render_config_init();
    rc_cfg.rate = rate;
    rc_cfg.length_ms = o.length_ms;
    rc_cfg.length_fit = o.length_fit;
    rc_cfg.volume_db = o.volume_db > 0 ? o.volume_db : 0;
    rc_cfg.background_db = o.background_db;
    err = rlx_renderer_open(&rc_cfg, s, &r, &d);
    if (err != RLX_OK) {
        rlx_cli_print_diags(stderr, &d);
        if (!d.errors)
            rlx_cli_error("%s", rlx_strerror(err));
        rc = rlx_cli_exit_code(err);
        goto done;
    }
    const rlx_timeline *tl = rlx_renderer_timeline(r);
    int64_t length = rlx_renderer_length(r);
    int64_t length_ms = frames_to_ms(length, rate);
    int64_t from = rlx_ms_to_frames(o.from_ms, rate);
    if (o.length_fit && from >= length)
        from = o.from_ms = 0;   /* resuming a session that has since become shorter: from the start */
    if (o.from_ms < 0 || from >= length) {
        char t1[32];
        rlx_cli_error("--from is past the end of the session (it lasts %s)",
                      rlx_cli_fmt_time(length_ms, t1, sizeof t1));
        rc = RLX_EXIT_USAGE;
        goto done;
    }
    if (from > 0 && (err = rlx_renderer_seek(r, from)) != RLX_OK) {
        rlx_cli_error("%s", rlx_strerror(err));
        rc = rlx_cli_exit_code(err);
        goto done;
    }

    /* stop signals: fade out and stop cleanly (the default would cut the sound) */
    got_signal = 0;
    struct sigaction sa = {0}, old_int, old_term, old_hup;
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);  /* the terminal was closed: save and stop too */

    rlx_player_source src = {.user = r, .read = src_read, .seek = src_seek, .start = from};
    err = rlx_player_start(p, &src, why, sizeof why);
    if (err != RLX_OK) {
        if (err == RLX_ERR_NO_DEVICE)
            rlx_cli_error("no audio output device found (%s); use 'relax render %s -o FILE.wav' to listen later",
                          why, session_arg);
        else
            rlx_cli_error("%s", why[0] ? why : rlx_strerror(err));
        rc = rlx_cli_exit_code(err);
        goto restore_signals;
    }
    if (o.hooks && o.hooks->on_start)
        o.hooks->on_start(o.hooks->user, s, length_ms);

    play_ctx c = {
        .tty = tty, .ascii = tty && !rlx_tui_utf8(),
        .title = s->title ? s->title : s->id, .length_ms = length_ms,
        .player = p, .r = r, .tl = tl, .rate = rate, .hooks = o.hooks,
        .vol_db = pc.volume_db, .bg_db = o.background_db, .last_seek_at = -1000000,
    };
    remote_publish(rm, &c, s, NULL, RLX_REMOTE_STARTING);
    if (tty) {
        tui = rlx_tui_open();
    } else {
        char t1[32], t2[32] = "";
        const rlx_device_info *dev = rlx_player_device(p);
        if (o.from_ms > 0) {
            char t3[32];
            snprintf(t2, sizeof t2, " from %s", rlx_cli_fmt_time(o.from_ms, t3, sizeof t3));
        }
        fprintf(stderr, "relax: playing \"%s\" (%s)%s on %s (%s, %d Hz)\n", c.title,
                rlx_cli_fmt_time(length_ms, t1, sizeof t1), t2, dev->name, dev->host_api, rate);
    }

    /* the control loop */
    rlx_player_status st;
    int64_t last_hook = now_ms(), last_draw = 0, stop_at = -1;
    bool quitting = false, was_paused = false;
    enum { END_NONE, END_DONE, END_QUIT, END_SIGNAL, END_LOST, END_ERROR } why_end = END_NONE;
    while (why_end == END_NONE) {
        rlx_player_poll(p, &st);
        if (st.lost) {
            why_end = END_LOST;
            break;
        }
        if (st.error != RLX_OK) {
            why_end = END_ERROR;
            break;
        }
        if (st.ended) {
            why_end = END_DONE;
            break;
        }
        if (rm) {
            bool was = st.paused;
            quitting |= remote_apply(rm, &c, &st);
            rlx_player_poll(p, &st);
            if (st.paused != was)
                hook_position(&c, &st);
            remote_publish(rm, &c, s, &st, quitting ? RLX_REMOTE_STOPPING
                                           : st.paused ? RLX_REMOTE_PAUSED : RLX_REMOTE_PLAYING);
        }
        if (got_signal || quitting) {
            /* where the listener asked to stop: the fade after it is a way
             * out, not part of the session to resume from */
            stop_at = st.position;
            hook_position(&c, &st);
            rlx_player_fade_out(p, got_signal ? SIGNAL_FADE_MS : QUIT_FADE_MS);
            int wait_ms = (got_signal ? SIGNAL_FADE_MS : QUIT_FADE_MS) + 500;
            int64_t until = now_ms() + wait_ms;
            /* keep the status line moving while the fade runs (bounded) */
            while (!st.faded && !st.lost && !st.ended && now_ms() < until) {
                if (tui)
                    draw(&c, &st);
                remote_publish(rm, &c, s, &st, RLX_REMOTE_STOPPING);
                struct timespec ts = {0, 20 * 1000000L};
                nanosleep(&ts, NULL);
                rlx_player_poll(p, &st);
            }
            why_end = st.lost ? END_LOST : got_signal ? END_SIGNAL : END_QUIT;
            break;
        }
        if (st.paused != was_paused) {
            hook_position(&c, &st);
            was_paused = st.paused;
        }
        if (now_ms() - last_hook >= HOOK_PERIOD_MS) {
            hook_position(&c, &st);
            last_hook = now_ms();
        }
        /* ten redraws a second; the player is checked every 10 ms so the
         * end of the session, a lost device or a key is acted on at once */
        if (tui && now_ms() - last_draw >= 100) {
            draw(&c, &st);
            last_draw = now_ms();
        }
        int key = tui ? rlx_tui_key(10) : RLX_KEY_NONE;
        if (!tui || key == RLX_KEY_EOF) {
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
        } else if (key != RLX_KEY_NONE) {
            int64_t seek_before = c.last_seek_at;
            quitting = handle_key(&c, key, &st);
            if (key == ' ' || c.last_seek_at != seek_before) {
                rlx_player_status now = st;
                if (key == ' ')
                    now.paused = was_paused = !st.paused;
                if (c.last_seek_at != seek_before)
                    now.position = c.last_seek_target;
                hook_position(&c, &now);
            }
            if (tui)
                draw(&c, &st);
        }
    }

    rlx_player_poll(p, &st);
    int64_t pos_ms = why_end == END_DONE ? length_ms
                     : frames_to_ms(stop_at >= 0 ? stop_at : st.position, rate);
    int64_t played_ms = frames_to_ms(st.played, rate);
    if (o.hooks && o.hooks->on_position)
        o.hooks->on_position(o.hooks->user, pos_ms, played_ms, st.paused);
    if (o.hooks && o.hooks->on_mix)
        o.hooks->on_mix(o.hooks->user, c.vol_db, c.bg_db,
                        o.device ? rlx_player_device(p)->name : NULL);
    if (o.hooks && o.hooks->on_stop)
        o.hooks->on_stop(o.hooks->user, pos_ms, played_ms, why_end == END_DONE);
    if (tui)
        rlx_tui_close();
    tui = false;
    remote_publish(rm, &c, s, &st, RLX_REMOTE_ENDED);

    rlx_player_status final = st;
    double cpu_load = rlx_player_cpu_load(p);
    rlx_player_close(p);  /* bounded, also when the device is gone */
    p = NULL;

    char t1[32], t2[32];
    switch (why_end) {
    case END_LOST:
        rlx_cli_error("audio device lost (%s)", final.lost_why);
        rc = RLX_EXIT_DEVICE_LOST;
        break;
    case END_ERROR:
        rlx_cli_error("playback stopped: %s", rlx_strerror(final.error));
        rc = rlx_cli_exit_code(final.error);
        break;
    case END_SIGNAL:
        rc = RLX_EXIT_INTERRUPTED;
        if (!(tty && got_signal == SIGHUP))   /* a hung-up terminal cannot be told */
            fprintf(stderr, "relax: stopped at %s of %s\n", rlx_cli_fmt_time(pos_ms, t1, sizeof t1),
                    rlx_cli_fmt_time(length_ms, t2, sizeof t2));
        break;
    case END_QUIT:
        fprintf(stderr, "relax: stopped at %s of %s\n", rlx_cli_fmt_time(pos_ms, t1, sizeof t1),
                rlx_cli_fmt_time(length_ms, t2, sizeof t2));
        break;
    default:
        if (!tty)
            fprintf(stderr, "relax: finished \"%s\"\n", c.title);
        break;
    }
    if (o.stats)
        print_stats(&final, cpu_load, t_entry);

restore_signals:
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
done:
    if (tui)
        rlx_tui_close();
    rlx_remote_close(rm);   /* open pages see the end, then the server goes */
    rlx_player_close(p);
    rlx_renderer_close(r);
    rlx_session_free(s);
    rlx_diags_free(&d);
    return rc;
}

static void play_usage(FILE *f)
{
    fprintf(f,
            "Usage: relax play SESSION [--device NAME|INDEX] [--from TIME] [--length DURATION]\n"
            "                  [--volume DB] [--profile NAME] [--store PATH] [--stats]\n"
            "                  [--remote | --remote-listen ADDRESS[:PORT]] [--remote-key KEY]\n"
            "Keys: space pause/resume, left/right seek 15 s, n/p next/previous spoken line,\n"
            "      +/- volume, [ ] background quieter/louder, q fade out and quit.\n");
}

int rlx_cmd_play(int argc, char **argv)
{
    rlx_play_opts o = rlx_play_opts_init();
    const char *session = NULL;
    rlx_cli_remote_opts ro;
    int rrc = rlx_cli_remote_args(&argc, argv, &ro);
    if (rrc)
        return rrc;
    o.remote = ro.on;
    o.remote_listen = ro.listen;
    o.remote_key = ro.key;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            play_usage(stdout);
            return RLX_EXIT_OK;
        } else if (!strcmp(a, "--stats")) {
            o.stats = true;
        } else if (!strcmp(a, "--profile") || !strcmp(a, "--store")) {
            if (!v) {
                rlx_cli_error("%s needs a value", a);
                return RLX_EXIT_USAGE;
            }
            i++;
            if (!strcmp(a, "--profile"))
                o.profile = v;
            else
                o.store_path = v;
        } else if (!strcmp(a, "--device") || !strcmp(a, "--from") || !strcmp(a, "--length") ||
                   !strcmp(a, "--volume")) {
            if (!v) {
                rlx_cli_error("%s needs a value", a);
                return RLX_EXIT_USAGE;
            }
            i++;
            if (!strcmp(a, "--device")) {
                o.device = v;
            } else if (!strcmp(a, "--volume")) {
                o.volume_set = true;
                if (!parse_db(v, &o.volume_db) || o.volume_db < VOLUME_MIN_DB || o.volume_db > 12) {
                    rlx_cli_error("--volume wants decibels from %.0f to 12, like -6 (got '%s')",
                                  VOLUME_MIN_DB, v);
                    return RLX_EXIT_USAGE;
                }
            } else {
                int64_t ms;
                if (!rlx_parse_duration_ms(v, &ms)) {
                    rlx_cli_error("%s wants a time like 1:30 or 90 s (got '%s')", a, v);
                    return RLX_EXIT_USAGE;
                }
                if (!strcmp(a, "--from"))
                    o.from_ms = ms;
                else
                    o.length_ms = ms;
            }
        } else if (a[0] == '-' && a[1]) {
            rlx_cli_error("play: unknown option '%s' (try 'relax play --help')", a);
            return RLX_EXIT_USAGE;
        } else if (!session) {
            session = a;
        } else {
            rlx_cli_error("play takes one SESSION (got '%s' too)", a);
            return RLX_EXIT_USAGE;
        }
    }
    if (!session) {
        rlx_cli_error("play: name a session, a file or an id from 'relax list' (try 'relax play --help')");
        return RLX_EXIT_USAGE;
    }
    int rc = rlx_cli_check_profile(o.profile);
    if (rc)
        return rc;
    /* the listen is recorded under the profile, like `relax next` */
    return rlx_cli_play_recorded(session, &o);
}
