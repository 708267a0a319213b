/* cmd_play.c - `relax play`: a session live on the audio device.
 *
 * Argument parsing and printing on top of the engine (engine/engine.h): the
 * engine picks the device (its rate is the render rate), prepares
 * everything that can fail, and only then starts the stream (on a cold
 * cache the spoken lines are the exception: engine.h, stream). This thread
 * reads keys and signals, turns them into engine commands, and has the view
 * (the full screen of tui_player.h, else the status line) drawn from the
 * engine's state, at most ten times a second. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_paths.h"
#include "cli_remote.h"
#include "cli_store.h"
#include "core/clock.h"
#include "engine/engine.h"
#include "play.h"
#include "remote/mpris.h"
#include "remote/remote_engine.h"
#include "sink/sink_device.h"
#include "store/listen.h"
#include "tui.h"
#include "tui_player.h"

#define SEEK_STEP_MS 15000
#define LENGTH_STEP_MS (5 * 60000)
#define QUIT_FADE_MS 2000
#define SIGNAL_FADE_MS 1000
#define START_IN_MAX_MS (10 * 60000)
#define START_IN_FADE_MS 20000      /* after --start-in: a slow fade-in */
#define STOP_AFTER_FADE_MS 15000    /* --stop-after: quiet by then */
#define NOTE_MS 1500
/* Without a terminal nothing is drawn and no key comes: the engine wakes
 * this loop itself when playback ends or fails, and a stop signal is acted
 * on within this. A phone or desktop remote is checked more often. */
#define IDLE_POLL_MS 100
#define REMOTE_POLL_MS 50

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

rlx_play_opts rlx_play_opts_init(void)
{
    return (rlx_play_opts){0};
}

/* --- the one option table of the commands that play -------------------------- */

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

static const struct {
    const char *name;
    unsigned flag;
    bool value;
} play_options[] = {
    {"--device", RLX_PLAY_OPT_DEVICE, true},
    {"--from", RLX_PLAY_OPT_FROM, true},
    {"--length", RLX_PLAY_OPT_LENGTH, true},
    {"--volume", RLX_PLAY_OPT_VOLUME, true},
    {"--stats", RLX_PLAY_OPT_STATS, false},
    {"--tail", RLX_PLAY_OPT_TAIL, true},
    {"--start-in", RLX_PLAY_OPT_START_IN, true},
    {"--stop-after", RLX_PLAY_OPT_STOP_AFTER, true},
    {"--bed", RLX_PLAY_OPT_BED, true},
};

int rlx_cli_play_option(int argc, char **argv, int *i, unsigned allowed, rlx_play_opts *o)
{
    const char *a = argv[*i];
    size_t k, n = sizeof play_options / sizeof *play_options;
    for (k = 0; k < n; k++)
        if (!strcmp(a, play_options[k].name) && (allowed & play_options[k].flag))
            break;
    if (k == n)
        return -1;
    const char *v = NULL;
    if (play_options[k].value) {
        if (*i + 1 >= argc) {
            rlx_cli_error("%s needs a value", a);
            return RLX_EXIT_USAGE;
        }
        v = argv[++*i];
    }
    switch (play_options[k].flag) {
    case RLX_PLAY_OPT_DEVICE:
        o->device = v;
        break;
    case RLX_PLAY_OPT_VOLUME:
        o->volume_set = true;
        if (!parse_db(v, &o->volume_db) || o->volume_db < RLX_ENGINE_VOLUME_MIN_DB || o->volume_db > 12) {
            rlx_cli_error("--volume wants decibels from %.0f to 12, like -6 (got '%s')",
                          RLX_ENGINE_VOLUME_MIN_DB, v);
            return RLX_EXIT_USAGE;
        }
        break;
    case RLX_PLAY_OPT_STATS:
        o->stats = true;
        break;
    case RLX_PLAY_OPT_BED: {
        char path[4096];
        int rc = rlx_cli_find_bed(v, path, sizeof path);
        if (rc)
            return rc;
        o->bed = v;
        break;
    }
    case RLX_PLAY_OPT_LENGTH:
        if (!strcmp(v, "natural")) {   /* the session's own length (and forget a remembered one) */
            o->length_ms = 0;
            o->length_set = true;
            break;
        }
        /* fall through */
    default: {
        int64_t ms;
        if (rlx_duration_too_long(v)) {
            rlx_cli_error("%s: '%s' is too long (at most " RLX_DURATION_MAX_TEXT ")", a, v);
            return RLX_EXIT_USAGE;
        }
        if (!rlx_parse_duration_ms(v, &ms)) {
            rlx_cli_error("%s wants a time like 1:30 or 90 s (got '%s')", a, v);
            return RLX_EXIT_USAGE;
        }
        if (play_options[k].flag == RLX_PLAY_OPT_FROM) {
            o->from_ms = ms;
        } else if (play_options[k].flag == RLX_PLAY_OPT_TAIL) {
            if (ms > RLX_TIMELINE_TAIL_MAX_MS) {
                rlx_cli_error("--tail is at most 60 min (got '%s')", v);
                return RLX_EXIT_USAGE;
            }
            o->tail_ms = ms;
        } else if (play_options[k].flag == RLX_PLAY_OPT_START_IN) {
            if (ms > START_IN_MAX_MS) {
                rlx_cli_error("--start-in is at most 10 min (got '%s')", v);
                return RLX_EXIT_USAGE;
            }
            o->start_in_ms = ms;
        } else if (play_options[k].flag == RLX_PLAY_OPT_STOP_AFTER) {
            if (ms <= 0) {
                rlx_cli_error("--stop-after wants a time after the start, like 60 min (got '%s')", v);
                return RLX_EXIT_USAGE;
            }
            o->stop_after_ms = ms;
        } else {
            o->length_ms = ms;
            o->length_set = true;
        }
        break;
    }
    }
    return 0;
}

/* --- playing ------------------------------------------------------------------- */

typedef struct {
    bool tty, ascii;
    const char *title;
    char note[64];
    int64_t note_until;
    rlx_tui_player *view;   /* the full screen; NULL: the status line */
} play_ui;

static void set_note(play_ui *u, const char *fmt, double v) __attribute__((format(printf, 2, 0)));
static void set_note(play_ui *u, const char *fmt, double v)
{
    snprintf(u->note, sizeof u->note, fmt, v);
    u->note_until = now_ms() + NOTE_MS;
}

/* now: a key was pressed (else the view keeps its own pace) */
static void draw(play_ui *u, rlx_engine *e, const rlx_engine_state *st, bool now)
{
    if (u->view) {
        rlx_tui_player_draw(u->view, e, st, now_ms() < u->note_until ? u->note : NULL, now);
        return;
    }
    rlx_tui_state ts = {
        .title = u->title,
        .pos_ms = st->pos_ms,
        .total_ms = st->length_ms,
        .paused = st->paused,
        .caption = st->caption,
        .breath = st->breath,
        .breath_dir = st->breath_dir,
        .volume_db = st->volume_db,
        .background_db = st->background_db,
        .note = now_ms() < u->note_until ? u->note : NULL,
        .ascii = u->ascii,
    };
    rlx_tui_draw(&ts);
}

/* One key; returns true when it asks to quit. */
static bool handle_key(rlx_engine *e, play_ui *u, int key, const rlx_engine_state *st)
{
    switch (key) {
    case ' ':
        rlx_engine_pause(e, !st->paused);
        return false;
    case RLX_KEY_LEFT:
    case RLX_KEY_RIGHT:
        rlx_engine_seek_by(e, key == RLX_KEY_LEFT ? -SEEK_STEP_MS : SEEK_STEP_MS);
        return false;
    case 'n':
        rlx_engine_next_line(e);
        return false;
    case 'p':
        rlx_engine_prev_line(e);
        return false;
    case '+':
    case '=':
    case '-':
    case '_':
        set_note(u, "volume %+.0f dB",
                 rlx_engine_set_volume_db(e, st->volume_db + (key == '+' || key == '=' ? 1 : -1)));
        return false;
    case '[':
    case ']':
        set_note(u, "background %+.0f dB",
                 rlx_engine_set_background_db(e, st->background_db + (key == ']' ? 1 : -1)));
        return false;
    case '>':
    case '<': {
        /* five minutes more or less of what has not been heard yet; a length
         * the session cannot have becomes the nearest one it can */
        int64_t want = st->length_ms + (key == '>' ? LENGTH_STEP_MS : -LENGTH_STEP_MS);
        rlx_diags d = {0};
        rlx_err err = rlx_engine_set_length(e, want, &d);
        if (err == RLX_ERR_LENGTH) {
            const rlx_timeline *tl = rlx_engine_timeline(e);
            int64_t lim = key == '>' ? tl->longest_ms : tl->shortest_ms;
            rlx_diags_free(&d);
            err = lim != st->length_ms ? rlx_engine_set_length(e, lim, &d) : RLX_ERR_LENGTH;
            want = lim;
        }
        rlx_diags_free(&d);
        if (err == RLX_OK)
            set_note(u, "length %.0f min", (double)want / 60000.0);
        else if (err == RLX_ERR_USAGE && st->length_next_ms)
            set_note(u, "one moment: the length is changing to %.0f min", (double)st->length_next_ms / 60000.0);
        else
            set_note(u, key == '>' ? "as long as it can be (%.0f min)" : "as short as it can be (%.0f min)",
                     (double)st->length_ms / 60000.0);
        return false;
    }
    case 'q':
    case 'Q':
        return true;
    default:
        return false;
    }
}

static void print_stats(const rlx_sink_status *st, int64_t line_wait_ms, int64_t t_entry_ns)
{
    printf("underruns: %llu\n", (unsigned long long)st->underruns);
    printf("device underflows: %llu\n", (unsigned long long)st->device_underflows);
    printf("callbacks: %llu\n", (unsigned long long)st->callbacks);
    printf("callback load: %.3f %% (longest callback %.3f ms)\n", st->callback_load * 100,
           st->max_callback_ms);
    printf("portaudio cpu load: %.3f %%\n", st->cpu_load * 100);
    if (st->first_audio_ns)
        printf("first audio: %.1f ms after start\n", (double)(st->first_audio_ns - t_entry_ns) / 1e6);
    printf("waiting for lines: %lld ms\n", (long long)line_wait_ms);
}

/* A stop on a terminal, for the caller to tell (with how to go on). */
typedef struct {
    bool stopped;
    int64_t pos_ms, length_ms;
    char id[128];
} play_end;

/* Where there is no device: the render that gives the same listen (its
 * length, tail and bed), as a command to copy. */
static void render_instead(const char *session_arg, const rlx_session *s, const rlx_play_opts *o, char *buf,
                           size_t len)
{
    char t[32], q[300];
    const char *id = s && s->id ? s->id : "session";
    size_t n = (size_t)snprintf(buf, len, "relax render %s -o %s.ogg", rlx_cli_shell_word(session_arg, q, sizeof q), id);
    if (n < len && o->length_set && o->length_ms > 0)
        n += (size_t)snprintf(buf + n, len - n, " --length %s", rlx_cli_fmt_time(o->length_ms, t, sizeof t));
    if (n < len && o->tail_ms > 0)
        n += (size_t)snprintf(buf + n, len - n, " --tail %s", rlx_cli_fmt_time(o->tail_ms, t, sizeof t));
    if (n < len && o->bed && *o->bed)
        snprintf(buf + n, len - n, " --bed %s", rlx_cli_shell_word(o->bed, q, sizeof q));
}

static int play_live(const char *session_arg, const rlx_play_opts *opts, play_end *end)
{
    int64_t t_entry = rlx_now_ns();
    rlx_play_opts o = opts ? *opts : rlx_play_opts_init();
    rlx_session *s = NULL;
    rlx_engine *e = NULL;
    rlx_remote *rm = NULL;
    rlx_mpris *mp = NULL;
    rlx_diags d = {0};
    int rc = RLX_EXIT_OK;
    bool tui = false, signals_set = false;
    rlx_tui_player *view = NULL;
    char why[256] = "";
    struct sigaction old_int, old_term, old_hup;

    rlx_err err = rlx_cli_load_session(session_arg, &s, &d);
    if (err != RLX_OK) {
        rlx_cli_print_diags(stderr, &d);
        rc = rlx_cli_exit_code(err);
        goto done;
    }
    if ((rc = rlx_cli_apply_bed(s, o.bed)))
        goto done;

    /* the device first: its rate is the render rate, and with no device
     * there is no point in preparing audio */
    rlx_engine_config ec = rlx_engine_config_init();
    ec.sink = &rlx_sink_device_ops;
    ec.sink_target = o.device;
    ec.rate = o.rate;
    ec.ring_s = 1.0;  /* short, so [ and ] are heard soon after the key */
    ec.volume_db = o.volume_db;
    ec.background_db = o.background_db;
    ec.fade_in_ms = o.resume_fade_ms > 0 ? o.resume_fade_ms : o.from_ms > 0 ? 30 : 0;
    if (o.start_in_ms > 0)
        ec.fade_in_ms = START_IN_FADE_MS;
    ec.length_ms = o.length_ms;
    ec.length_fit = o.length_fit;
    ec.tail_ms = o.tail_ms;
    ec.stream = true;   /* a cold cache: sound within seconds, the rest spoken while playing */
    err = rlx_engine_open(&ec, &e, why, sizeof why);
    if (err == RLX_OK)
        err = rlx_engine_open_sink(e, why, sizeof why);
    if (err == RLX_ERR_NO_DEVICE && (!o.device || !*o.device)) {
        char cmd[600];
        render_instead(session_arg, s, &o, cmd, sizeof cmd);
        rlx_cli_error("no audio output device found; to listen later, render it: %s", cmd);
        rc = RLX_EXIT_NO_DEVICE;
        goto done;
    }
    if (err != RLX_OK) {
        rlx_cli_error("%s", why[0] ? why : rlx_strerror(err));
        rc = rlx_cli_exit_code(err);
        goto done;
    }
    int rate = rlx_engine_rate(e);

    /* the remote before the audio is prepared: a phone can connect meanwhile */
    rlx_cli_remote_opts ro = {.on = o.remote, .listen = o.remote_listen, .key = o.remote_key,
                              .room = rlx_cli_room()};
    if (o.remote_open)
        rm = o.remote_open;
    else if ((rc = rlx_cli_remote_open(&ro, &rm)) != 0)
        goto done;
    rlx_remote_set_profile(rm, o.profile ? o.profile : o.hooks ? rlx_store_resolve_profile(NULL) : NULL);
    rlx_remote_engine_publish(rm, e, s, NULL);
    mp = rlx_mpris_open(s);   /* media keys on a desktop; NULL without a session bus */

    bool tty = !o.remote_open && rlx_tui_available();
    err = rlx_engine_load(e, s, &d);
    if (err != RLX_OK) {
        rlx_cli_print_diags(stderr, &d);
        if (!d.errors)
            rlx_cli_error("%s", rlx_strerror(err));
        rc = rlx_cli_exit_code(err);
        goto done;
    }
    int64_t length = rlx_engine_length(e);
    int64_t length_ms = length * 1000 / rate;
    if (o.length_remembered && length_ms != o.length_ms) {
        const rlx_timeline *tl = rlx_engine_timeline(e);
        char t0[32], t1[32], t2[32], t3[32];
        rlx_cli_error("note: the remembered length %s is outside what %s allows (%s to %s): playing %s",
                      rlx_cli_fmt_time(o.length_ms, t0, sizeof t0), s->id,
                      rlx_cli_fmt_time(tl->shortest_ms, t1, sizeof t1),
                      rlx_cli_fmt_time(tl->longest_ms, t2, sizeof t2), rlx_cli_fmt_time(length_ms, t3, sizeof t3));
    }
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
    if (o.stop_after_ms > 0 && (o.stop_after_ms > length_ms || o.stop_after_ms <= o.from_ms)) {
        char t1[32], t2[32];
        rlx_cli_error("--stop-after %s is %s (it lasts %s)", rlx_cli_fmt_time(o.stop_after_ms, t1, sizeof t1),
                      o.stop_after_ms > length_ms ? "beyond the end of the session" : "before where it starts",
                      rlx_cli_fmt_time(length_ms, t2, sizeof t2));
        rc = RLX_EXIT_USAGE;
        goto done;
    }
    if (o.hooks && (err = rlx_engine_listen_hooks(e, o.hooks)) != RLX_OK) {
        rlx_cli_error("%s", rlx_strerror(err));
        rc = rlx_cli_exit_code(err);
        goto done;
    }

    /* stop signals: fade out and stop cleanly (the default would cut the sound) */
    got_signal = 0;
    struct sigaction sa = {0};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);  /* the terminal was closed: save and stop too */
    signals_set = true;

    if (o.start_in_ms > 0) {
        /* a quiet start: time to get to the table. Nothing plays yet; q or a
         * signal ends the wait (and nothing is recorded) */
        char t1[32];
        fprintf(stderr, "relax: starting in %s\n", rlx_cli_fmt_time(o.start_in_ms, t1, sizeof t1));
        bool waiting_tui = tty && rlx_tui_available();
        if (waiting_tui)
            tui = rlx_tui_open();
        int64_t until = now_ms() + o.start_in_ms;
        while (!got_signal && now_ms() < until) {
            int key = tui ? rlx_tui_key(100) : RLX_KEY_NONE;
            if (key == 'q' || key == 'Q')
                break;
            if (!tui) {
                struct timespec ts = {0, 100 * 1000000L};
                nanosleep(&ts, NULL);
            }
        }
        if (tui)
            rlx_tui_close();
        tui = false;
        if (now_ms() < until) {
            fprintf(stderr, "relax: not started\n");
            rc = got_signal ? RLX_EXIT_INTERRUPTED : RLX_EXIT_OK;
            goto done;
        }
    }
    err = rlx_engine_start(e, from, -1, why, sizeof why);
    if (err != RLX_OK) {
        if (err == RLX_ERR_NO_DEVICE) {
            char cmd[600];
            render_instead(session_arg, s, &o, cmd, sizeof cmd);
            rlx_cli_error("no audio output device found (%s); to listen later, render it: %s", why, cmd);
        }
        else
            rlx_cli_error("%s", why[0] ? why : rlx_strerror(err));
        rc = rlx_cli_exit_code(err);
        goto done;
    }

    play_ui u = {.tty = tty, .ascii = tty && !rlx_tui_utf8(), .title = s->title ? s->title : s->id};
    rlx_engine_state st;
    rlx_engine_poll(e, 0, &st);
    if (tty) {
        tui = rlx_tui_open();
        char url[512] = "";
        if (rm)
            rlx_remote_url(rm, url, sizeof url);
        rlx_tui_player_config vc = {.title = u.title, .week = s->week, .ascii = u.ascii,
                                    .remote_url = rm ? url : NULL};
        view = u.view = tui ? rlx_tui_player_open(&vc) : NULL;
    } else {
        char t1[32], t2[32] = "";
        if (o.from_ms > 0) {
            char t3[32];
            snprintf(t2, sizeof t2, " from %s", rlx_cli_fmt_time(o.from_ms, t3, sizeof t3));
        }
        fprintf(stderr, "relax: playing \"%s\" (%s)%s on %s (%s, %d Hz)\n", u.title,
                rlx_cli_fmt_time(length_ms, t1, sizeof t1), t2, st.sink.device, st.sink.host_api, rate);
    }

    /* the control loop: with a terminal it waits for a key (acted on at
     * once) until the next of ten redraws a second; without one, it sleeps
     * until the engine has news (see IDLE_POLL_MS) */
    int64_t last_draw = 0;
    bool quit_asked = false;
    while (rlx_engine_poll(e, 0, &st)) {
        if (o.quit_flag && *o.quit_flag && !got_signal)
            got_signal = SIGTERM;   /* the caller's own stop signal (serve) */
        if (rm) {
            /* the phone's commands, applied here as the keys are */
            quit_asked = rlx_remote_engine_apply(rm, e, &st) || quit_asked;
            rlx_remote_engine_publish(rm, e, s, &st);
        }
        if (mp)
            quit_asked = rlx_mpris_turn(mp, e, &st) || quit_asked;
        if ((got_signal || quit_asked) && !st.stopping)
            rlx_engine_fade_stop(e, got_signal ? SIGNAL_FADE_MS : QUIT_FADE_MS);
        /* the stop timer: quiet at --stop-after, progress saved as with q */
        if (o.stop_after_ms > 0 && !st.stopping && st.pos_ms + STOP_AFTER_FADE_MS >= o.stop_after_ms &&
            st.length_ms > o.stop_after_ms)
            rlx_engine_fade_stop(e, (int)(o.stop_after_ms - st.pos_ms > 0 ? o.stop_after_ms - st.pos_ms : 1));
        if (u.view) {
            draw(&u, e, &st, false);   /* the view keeps its own pace */
            last_draw = now_ms();      /* and is asked again in 100 ms */
        } else if (tui && (now_ms() - last_draw >= 100 || st.stopping)) {
            draw(&u, e, &st, false);
            last_draw = now_ms();
        }
        /* a key wakes the wait at once: it only needs to end for the next redraw */
        int64_t wait = 100 - (now_ms() - last_draw);
        if ((rm || mp) && wait > REMOTE_POLL_MS)
            wait = REMOTE_POLL_MS;
        int key = tui && !st.stopping ? rlx_tui_key(wait < 1 ? 1 : (int)wait) : RLX_KEY_NONE;
        if (!tui || st.stopping || key == RLX_KEY_EOF) {
            rlx_engine_poll(e, st.stopping ? 20 : rm || mp ? REMOTE_POLL_MS : IDLE_POLL_MS, NULL);
        } else if (key != RLX_KEY_NONE) {
            if (!rlx_tui_player_key(u.view, key))
                quit_asked = handle_key(e, &u, key, &st) || quit_asked;
            rlx_engine_poll(e, 0, &st);
            draw(&u, e, &st, true);
        }
    }
    rlx_tui_player_close(view);   /* the main screen back before anything is printed */
    view = u.view = NULL;
    if (tui)
        rlx_tui_close();
    tui = false;
    rlx_remote_engine_publish(rm, e, s, &st);   /* open pages see the end */
    rlx_mpris_turn(mp, e, &st);                 /* and desktops: Stopped */
    rlx_engine_finish(e, false);   /* bounded, also when the device is gone */

    char t1[32], t2[32];
    switch (st.end) {
    case RLX_ENGINE_END_LOST:
        rlx_cli_error("audio device lost (%s)", st.message[0]         ? st.message
                                                : st.sink.lost_why[0] ? st.sink.lost_why
                                                                      : "it stopped taking audio");
        rc = RLX_EXIT_DEVICE_LOST;
        break;
    case RLX_ENGINE_END_ERROR: {
        rlx_err fe = st.source_err != RLX_OK ? st.source_err : st.sink_err;
        rlx_cli_error("playback stopped: %s", rlx_strerror(fe));
        rc = rlx_cli_exit_code(fe);
        break;
    }
    case RLX_ENGINE_END_STOPPED:
        if (got_signal)
            rc = RLX_EXIT_INTERRUPTED;
        if (tty && got_signal == SIGHUP) {
            /* a hung-up terminal cannot be told */
        } else if (tty && end) {
            /* told by the caller, with how to go on (the listen is saved by now) */
            end->stopped = true;
            end->pos_ms = st.pos_ms;
            end->length_ms = st.length_ms > 0 ? st.length_ms : length_ms;
            snprintf(end->id, sizeof end->id, "%s", s->id ? s->id : "");
        } else {
            fprintf(stderr, "relax: stopped at %s of %s\n", rlx_cli_fmt_time(st.pos_ms, t1, sizeof t1),
                    rlx_cli_fmt_time(st.length_ms > 0 ? st.length_ms : length_ms, t2, sizeof t2));
        }
        break;
    default:
        /* on a terminal too: the full screen is gone and with it the end */
        fprintf(stderr, "relax: finished \"%s\"\n", u.title);
        break;
    }
    if (o.stats)
        print_stats(&st.sink, st.line_wait_ms, t_entry);

done:
    if (signals_set) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        sigaction(SIGHUP, &old_hup, NULL);
    }
    rlx_tui_player_close(view);
    if (tui)
        rlx_tui_close();
    if (rm != o.remote_open)
        rlx_remote_close(rm);
    rlx_mpris_close(mp);
    rlx_engine_close(e);
    rlx_session_free(s);
    rlx_diags_free(&d);
    return rc;
}

int rlx_cli_play(const char *session_arg, const rlx_play_opts *opts)
{
    return play_live(session_arg, opts, NULL);
}

/* "relax: stopped at 12:34 of 30:00." and how to go on: `relax next` when
 * it would resume this very week (it starts a few seconds back), else
 * `relax play ... --from`. Printed once the terminal is back to normal, so
 * it stays in the scrollback. */
static void tell_stop(const play_end *end, const char *session_arg, const rlx_play_opts *o, rlx_store *st)
{
    char t1[32], t2[32], t3[32], q1[300], q2[600], prof[320] = "", hint[1100] = "";
    if (o->profile)
        snprintf(prof, sizeof prof, " --profile %s", rlx_cli_shell_word(o->profile, q1, sizeof q1));
    rlx_cli_progress p;
    if (st && !rlx_store_offline(st) && rlx_cli_progress_load(st, rlx_store_resolve_profile(o->profile), false, &p) == 0) {
        int w = p.sum.next;
        if (w >= 0 && p.sum.resume && p.weeks[w].id && !strcmp(p.weeks[w].id, end->id)) {
            int64_t from = p.status[w].resume_ms - RLX_NEXT_RESUME_BACK_MS;
            snprintf(hint, sizeof hint, " 'relax next%s' resumes at %s.", prof,
                     rlx_cli_fmt_time(from > 0 ? from : 0, t3, sizeof t3));
        }
        rlx_cli_progress_free(&p);
    }
    if (!hint[0])
        snprintf(hint, sizeof hint, " 'relax play %s --from %s%s' goes on from there.",
                 rlx_cli_shell_word(session_arg, q2, sizeof q2), rlx_cli_fmt_time(end->pos_ms, t3, sizeof t3), prof);
    fprintf(stderr, "relax: stopped at %s of %s.%s\n", rlx_cli_fmt_time(end->pos_ms, t1, sizeof t1),
            rlx_cli_fmt_time(end->length_ms, t2, sizeof t2), hint);
}

/* A remembered device that is gone (unplugged) falls back to the default. */
static bool device_present(const char *name)
{
    rlx_device_info *devs = NULL;
    size_t n = 0;
    bool found = false;
    if (rlx_device_list(&devs, &n) == RLX_OK)
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(devs[i].name, name) == 0;
    free(devs);
    return found;
}

int rlx_cli_play_recorded(const char *session_arg, rlx_play_opts *o)
{
    rlx_play_hooks hooks;
    char why[1024];
    rlx_err err = rlx_listen_hooks_open(o->store_path, o->profile, &hooks, why, sizeof why);
    if (err) {
        rlx_cli_error("%s", err == RLX_ERR_NOMEM ? rlx_strerror(err) : why);
        return rlx_cli_exit_code(err);
    }
    rlx_listen_recorder_set_room(hooks.user, rlx_cli_room());
    const char *away;
    rlx_store *st = rlx_listen_recorder_store(hooks.user);
    if (rlx_listen_recorder_offline(hooks.user, &away))
        rlx_cli_error("note: %s; this listen is kept on this machine (%s) and sent when the server is back",
                      away, rlx_store_journal(st));
    /* the remote's key the profile keeps, unless --remote-key gives one */
    const char *kept = rlx_listen_recorder_remote_key(hooks.user), *given_key = o->remote_key;
    if (o->remote && !o->remote_key && !o->remote_open && kept)
        o->remote_key = kept;   /* o is the caller's: put back below, kept lives in the recorder */
    /* the profile's remembered mix and device, unless the command line says otherwise */
    double vol, bg;
    const char *dev;
    if (rlx_listen_recorder_mix(hooks.user, &vol, &bg, &dev)) {
        if (!o->volume_set)
            o->volume_db = vol;
        o->background_db = bg;
        if (!o->device && dev && *dev && device_present(dev))
            o->device = dev;
    }
    /* and the length and bed it last chose: --length / --bed win, a resume
     * keeps the length of the listen it resumes (from_ms > 0) */
    rlx_play_opts asked = *o;
    int64_t len_ms;
    const char *bed;
    rlx_listen_recorder_prefs(hooks.user, &len_ms, &bed);
    if (!o->bed && bed) {
        if (rlx_cli_bed_known(bed))
            o->bed = bed;
        else
            rlx_cli_error("note: the remembered bed '%s' is not there any more; playing the session's own", bed);
    }
    if (!o->length_set && o->length_ms == 0 && o->from_ms == 0 && len_ms > 0) {
        o->length_ms = len_ms;
        o->length_fit = o->length_remembered = true;
    }
    const rlx_play_hooks *saved = o->hooks;
    o->hooks = &hooks;
    play_end end = {0};
    int rc = play_live(session_arg, o, &end);
    o->hooks = saved;
    /* what was chosen on the command line is remembered once it played */
    if ((rc == RLX_EXIT_OK || rc == RLX_EXIT_INTERRUPTED) && (asked.length_set || asked.bed))
        rlx_listen_recorder_set_prefs(hooks.user, asked.length_set ? asked.length_ms : -1,
                                      asked.bed ? (strcmp(asked.bed, "session") ? asked.bed : "") : NULL);
    *o = asked;   /* the caller's options, not the profile's */
    o->hooks = saved;
    o->remote_key = given_key;
    if (end.stopped)
        tell_stop(&end, session_arg, o, st);
    size_t left = rlx_store_finish(st);
    if (left)
        rlx_cli_error("note: the progress store %s did not answer; %zu listen%s kept on this machine (%s), "
                      "sent the next time relax reaches it", rlx_store_path(st), left, left == 1 ? " is" : "s are",
                      rlx_store_journal(st));
    err = rlx_listen_hooks_close(&hooks, why, sizeof why);
    if (err) {
        rlx_cli_error("%s", err == RLX_ERR_NOMEM ? rlx_strerror(err) : why);
        if (rc == RLX_EXIT_OK || rc == RLX_EXIT_INTERRUPTED)
            rc = rlx_cli_exit_code(err);
    }
    return rc;
}

static void play_usage(FILE *f)
{
    fprintf(f,
            "Usage: relax play SESSION [--device NAME|INDEX] [--from TIME] [--length DURATION] [--tail D]\n"
            "                  [--start-in D] [--stop-after D] [--bed NAME]\n"
            "                  [--volume DB] [--profile NAME] [--store PATH|URI] [--room NAME] [--stats]\n"
            "                  [--remote | --remote-listen ADDRESS[:PORT]] [--remote-key KEY]\n"
            "--length natural plays the session's own length. The profile remembers the --length and\n"
            "--bed last given (and the mix) and uses them when they are not given.\n"
            "Keys: space pause/resume, left/right seek 15 s, n/p next/previous spoken line,\n"
            "      +/- volume, [ ] background quieter/louder, > < five minutes longer/shorter,\n"
            "      ? all keys, q fade out and quit.\n");
}

int rlx_cmd_play(int argc, char **argv)
{
    rlx_play_opts o = rlx_play_opts_init();
    const char *session = NULL;
    const char *room = NULL;   /* NULL: $RELAX_ROOM */
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
        int prc = rlx_cli_play_option(argc, argv, &i, RLX_PLAY_OPT_ALL, &o);
        if (prc > 0)
            return prc;
        if (prc == 0)
            continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            play_usage(stdout);
            return RLX_EXIT_OK;
        } else if (!strcmp(a, "--profile") || !strcmp(a, "--store") || !strcmp(a, "--room")) {
            if (!v) {
                rlx_cli_error("%s needs a value", a);
                return RLX_EXIT_USAGE;
            }
            i++;
            if (!strcmp(a, "--profile"))
                o.profile = v;
            else if (!strcmp(a, "--room"))
                room = v;
            else {
                o.store_path = v;
                rlx_cli_warn_password(v);
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
    if (!rc)
        rc = rlx_cli_set_room(room);
    if (rc)
        return rc;
    if (!rc)
        rc = rlx_cli_parsed(argv[0]);
    if (rc)
        return rc;
    /* the listen is recorded under the profile, like `relax next` */
    return rlx_cli_play_recorded(session, &o);
}
