/* cmd_record.c - `relax record SESSION [--device D] [--line N] [--missing]`:
 * the narrator records the session's spoken lines one by one in the
 * terminal. Each line is shown large with its neighbours, where it falls
 * and the pace; a live meter shows the input. Takes are trimmed, levelled
 * and judged (audio/take.h); the kept one is saved at once, atomically, to
 * recordings/<id>/say-<hash>.flac next to the session (session/recording.h),
 * where render and check pick it up. The terminal is always restored. */
#include "cli.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio/take.h"
#include "authoring.h"
#include "engine/engine.h"
#include "engine/sink.h"
#include "script_lines.h"
#include "session/recording.h"
#include "sink/capture_device.h"
#include "sink/sink_device.h"
#include "store/take_file.h"
#include "tui.h"

#define MAX_TAKES 9

static volatile sig_atomic_t got_signal;

static void on_stop_signal(int sig)
{
    got_signal = sig;
}

static void usage(FILE *f)
{
    fputs("Usage: relax record SESSION [--device NAME|INDEX] [--line N] [--missing]\n"
          "Records the session's spoken lines in your own voice, one at a time.\n"
          "  --device D   the input device (name part or number; default: the default input)\n"
          "  --line N     start at spoken line N (numbers as in 'relax script')\n"
          "  --missing    only the lines that have no recording yet\n"
          "Keys: space start/stop a take, r redo (drop the last take and record again),\n"
          "1-9 choose a take, p play the chosen take in place (with the tone and bed),\n"
          "enter keep it and go on,\n"
          "n skip the line, q quit (kept takes are already saved).\n"
          "Takes go to recordings/ID/ next to the session; render uses them.\n"
          "Exit status: 0 done, 2 usage or no terminal, 3 invalid session, 5 cannot\n"
          "save a take, 6 no input device, 7 input device lost, 130 Ctrl-C.\n",
          f);
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

typedef struct {
    rlx_session *s;
    rlx_script_line *lines;
    size_t nlines;
    rlx_capture *cap;
    int rate;
    rlx_take_config tcfg;
    const char *output_device;
    /* the current line */
    rlx_take_result takes[MAX_TAKES];
    size_t ntakes, chosen;
    bool recording, insist;
    int64_t rec_started_frames;
    char note[640];
    size_t kept;                 /* lines saved in this run */
    char pace[96];
    int number;                  /* the current line's number */
} rec_ui;

static void clear_takes(rec_ui *u)
{
    for (size_t i = 0; i < u->ntakes; i++)
        rlx_take_result_free(&u->takes[i]);
    u->ntakes = u->chosen = 0;
    u->insist = false;
}

static size_t width_n(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Writes text wrapped to width columns, each line indented. */
static void put_wrapped(const char *text, int width, const char *indent, const char *style)
{
    int col = 0, w = width - (int)strlen(indent) - 1;
    if (w < 20)
        w = 20;
    printf("%s%s", indent, style);
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        int len = (int)width_n(p, (size_t)(e - p));
        if (col && col + 1 + len > w) {
            printf("\033[0m\r\n%s%s", indent, style);
            col = 0;
        } else if (col) {
            putchar(' ');
            col++;
        }
        fwrite(p, 1, (size_t)(e - p), stdout);
        col += len;
        p = e;
    }
    printf("\033[0m\r\n");
}

static void draw_page(rec_ui *u, size_t i)
{
    int width = rlx_auth_term_width(STDOUT_FILENO);
    if (width <= 0)
        width = 80;
    const rlx_script_line *l = &u->lines[i];
    printf("\033[H\033[2J");
    printf("\033[1m%s\033[0m  line %d of %zu, %s; pace: %s\r\n\r\n", u->s->title ? u->s->title : "",
           l->number, u->nlines, l->where, u->pace);
    if (i > 0)
        put_wrapped(u->lines[i - 1].cue->text, width, "    ", "\033[2m");
    else
        printf("\r\n");
    printf("\r\n");
    put_wrapped(l->cue->text, width, "  > ", "\033[1m");
    if (l->pause[0])
        printf("    \033[3m(%s)\033[0m\r\n", l->pause);
    printf("\r\n");
    if (i + 1 < u->nlines)
        put_wrapped(u->lines[i + 1].cue->text, width, "    ", "\033[2m");
    else
        printf("\r\n");
    printf("\r\n%s\r\n", l->recorded ? "(this line has a recording; a kept take replaces it)" : "");
    for (size_t k = 0; k < u->ntakes; k++) {
        char v[256];
        rlx_take_verdict(&u->takes[k], u->rate, v, sizeof v);
        printf("  %c take %zu: %.1f s, %s\r\n", k == u->chosen ? '*' : ' ', k + 1,
               (double)u->takes[k].frames / u->rate, v);
    }
    printf("\r\n%s\r\n", u->note);
    printf("space: %s  r: redo  p: play  enter: keep  n: skip  q: quit\r\n",
           u->recording ? "stop" : "record");
    fflush(stdout);
}

/* The one meter line at the bottom: state, input level, clipping. */
static void draw_meter(rec_ui *u, const rlx_capture_status *stp)
{
    const rlx_capture_status st = *stp;
    double db = st.peak > 0 ? 20 * log10(st.peak) : -90;
    int bars = (int)lround((db + 60) / 60 * 30);
    bars = bars < 0 ? 0 : bars > 30 ? 30 : bars;
    char meter[64];
    for (int k = 0; k < 30; k++)
        meter[k] = k < bars ? '#' : '-';
    meter[30] = 0;
    char t[32];
    if (u->recording) {
        size_t n = rlx_capture_take_frames(u->cap);
        printf("\r\033[K\033[31m#%d recording %s\033[0m [%s] %4.0f dB%s", u->number, rlx_cli_fmt_time((long long)n * 1000 / u->rate, t, sizeof t),
               meter, db, st.clipped ? "  \033[41;97m CLIP \033[0m" : "");
    } else {
        printf("\r\033[K%s [%s] %4.0f dB%s", u->ntakes ? "ready" : "press space to record", meter, db,
               st.clipped ? "  \033[41;97m CLIP \033[0m" : "");
    }
    fflush(stdout);
}

static rlx_err stop_take(rec_ui *u)
{
    float *raw = NULL;
    size_t n = 0;
    u->recording = false;
    rlx_err e = rlx_capture_take_end(u->cap, &raw, &n);
    if (e != RLX_OK) {
        free(raw);
        snprintf(u->note, sizeof u->note, "the take was too long to hold in memory; try a shorter one");
        return RLX_OK;
    }
    if (u->ntakes == MAX_TAKES) {   /* the oldest goes */
        rlx_take_result_free(&u->takes[0]);
        memmove(&u->takes[0], &u->takes[1], (MAX_TAKES - 1) * sizeof u->takes[0]);
        u->ntakes--;
    }
    rlx_take_result *r = &u->takes[u->ntakes];
    e = rlx_take_process(raw, n, u->rate, &u->tcfg, r);
    free(raw);
    if (e != RLX_OK)
        return e;
    u->chosen = u->ntakes++;
    u->insist = false;
    char v[256];
    snprintf(u->note, sizeof u->note, "take %zu: %s", u->ntakes, rlx_take_verdict(r, u->rate, v, sizeof v));
    return RLX_OK;
}

/* Plays the chosen take on the output device, alone (not yet mixed with
 * the tone and the bed). Blocking; Ctrl-C stops it. */
static void play_take(rec_ui *u)
{
    const rlx_take_result *r = &u->takes[u->chosen];
    rlx_sink_config cfg = {.target = u->output_device, .rate = u->rate, .block_frames = 1024};
    rlx_sink *sink = NULL;
    char why[256] = "";
    if (rlx_sink_device_ops.open(&cfg, &sink, why, sizeof why) != RLX_OK ||
        rlx_sink_device_ops.start(sink, why, sizeof why) != RLX_OK) {
        snprintf(u->note, sizeof u->note, "cannot play the take: %s", why[0] ? why : "no output device");
        rlx_sink_device_ops.close(sink, false);
        return;
    }
    rlx_sink_status st;
    rlx_sink_device_ops.status(sink, &st);
    if (st.rate != u->rate) {
        snprintf(u->note, sizeof u->note, "cannot play the take: the output runs at %d Hz, the take is %d Hz",
                 st.rate, u->rate);
        rlx_sink_device_ops.close(sink, false);
        return;
    }
    float buf[2 * 1024];
    for (size_t at = 0; at < r->frames && !got_signal;) {
        size_t n = r->frames - at < 1024 ? r->frames - at : 1024;
        for (size_t k = 0; k < n; k++)
            buf[2 * k] = buf[2 * k + 1] = r->samples[at + k];
        if (rlx_sink_device_ops.write(sink, buf, n) != RLX_OK)
            break;
        at += n;
    }
    if (!got_signal)
        rlx_sink_device_ops.drain(sink);
    rlx_sink_device_ops.close(sink, true);
    snprintf(u->note, sizeof u->note, "played take %zu alone (the session around it could not be prepared)",
             u->chosen + 1);
}

/* Plays the chosen take as it will sound: the session rendered by the
 * engine on the output device, from a second before the line to a moment
 * after it, with the take in place of the line (tone and bed ducked under
 * it). The take goes to a temporary FLAC the renderer reads like any
 * recording; the session's cue points at it only while this runs.
 * Returns false when that cannot be done (then the caller plays the take
 * alone). Blocking; Ctrl-C and any key stop it. */
static bool play_mixed(rec_ui *u, size_t i)
{
    const rlx_take_result *r = &u->takes[u->chosen];
    rlx_cue *cue = &u->s->cues[u->lines[i].cue - u->s->cues];
    char dir[] = "/tmp/relax-take-XXXXXX", path[64], why[512] = "";
    if (!mkdtemp(dir))
        return false;
    snprintf(path, sizeof path, "%s/take.flac", dir);
    bool ok = false;
    rlx_engine *e = NULL;
    char *old_file = cue->file, *old_path = cue->path;
    if (rlx_take_save(path, r->samples, r->frames, u->rate, cue->text, why, sizeof why) != RLX_OK)
        goto done;
    cue->file = path;
    cue->path = path;
    rlx_engine_config cfg = rlx_engine_config_init();
    cfg.sink = &rlx_sink_device_ops;
    cfg.sink_target = u->output_device;
    cfg.excerpt_ramp_ms = 20;
    cfg.cancel = &got_signal;
    rlx_diags d = {0};
    if (rlx_engine_open(&cfg, &e, why, sizeof why) != RLX_OK ||
        rlx_engine_open_sink(e, why, sizeof why) != RLX_OK || rlx_engine_load(e, u->s, &d) != RLX_OK) {
        rlx_diags_free(&d);
        goto done;
    }
    rlx_diags_free(&d);
    const rlx_timeline *t = rlx_engine_timeline(e);
    int rate = rlx_engine_rate(e);
    size_t k = (size_t)(cue - u->s->cues);
    int64_t from = t->cues[k].start - rate, to = t->cues[k].end + rate * 3 / 2;
    if (from < 0)
        from = 0;
    if (to > rlx_engine_length(e))
        to = rlx_engine_length(e);
    if (rlx_engine_start(e, from, to, why, sizeof why) != RLX_OK)
        goto done;
    ok = true;
    rlx_engine_state st;
    bool stopping = false;
    while (rlx_engine_poll(e, 50, &st)) {
        if (!stopping && (got_signal || rlx_tui_key(0) != 0)) {
            rlx_engine_fade_stop(e, 150);
            stopping = true;
        }
    }
    rlx_engine_finish(e, false);
done:
    rlx_engine_close(e);
    cue->file = old_file;
    cue->path = old_path;
    unlink(path);
    rmdir(dir);
    return ok;
}

typedef enum { STEP_NEXT, STEP_QUIT, STEP_FAIL } step;

/* One line: record until the narrator keeps a take, skips or quits. */
static step record_line(rec_ui *u, size_t i, rlx_err *err)
{
    clear_takes(u);
    u->note[0] = 0;
    u->number = u->lines[i].number;
    draw_page(u, i);
    int64_t last = 0;
    for (;;) {
        if (got_signal) {
            *err = RLX_ERR_INTERRUPTED;
            return STEP_FAIL;
        }
        rlx_capture_status st;
        if (now_ms() - last < 50) {
            st.lost = false;
        } else {
            /* one reader of the meter: each call restarts its peak hold */
            rlx_capture_get_status(u->cap, &st);
            draw_meter(u, &st);
            last = now_ms();
        }
        if (st.lost) {
            snprintf(u->note, sizeof u->note, "%s", st.lost_why);
            *err = RLX_ERR_DEVICE_LOST;
            return STEP_FAIL;
        }
        int k = rlx_tui_key(50);
        if (k == 0)
            continue;
        if (k == RLX_KEY_EOF || k == 'q' || k == 'Q') {
            if (u->recording) {
                float *raw;
                size_t n;
                rlx_capture_take_end(u->cap, &raw, &n);   /* an unfinished take is dropped */
                free(raw);
                u->recording = false;
            }
            return STEP_QUIT;
        }
        if (k == ' ' || ((k == 'r' || k == 'R') && !u->recording)) {
            if (u->recording) {
                if ((*err = stop_take(u)) != RLX_OK)
                    return STEP_FAIL;
            } else {
                if ((k == 'r' || k == 'R') && u->ntakes) {
                    rlx_take_result_free(&u->takes[--u->ntakes]);
                    u->chosen = u->ntakes ? u->ntakes - 1 : 0;
                }
                rlx_capture_take_begin(u->cap);
                u->recording = true;
                u->note[0] = 0;
            }
            draw_page(u, i);
        } else if (k >= '1' && k <= '9' && !u->recording && (size_t)(k - '1') < u->ntakes) {
            u->chosen = (size_t)(k - '1');
            u->insist = false;
            draw_page(u, i);
        } else if ((k == 'p' || k == 'P') && !u->recording && u->ntakes) {
            if (u->takes[u->chosen].samples) {
                snprintf(u->note, sizeof u->note, "playing take %zu...", u->chosen + 1);
                draw_page(u, i);
                if (play_mixed(u, i))
                    snprintf(u->note, sizeof u->note, "played take %zu in place, with the tone and bed", u->chosen + 1);
                else
                    play_take(u);
            }
            draw_page(u, i);
        } else if ((k == 'n' || k == 'N') && !u->recording) {
            return STEP_NEXT;
        } else if ((k == '\r' || k == '\n') && !u->recording && u->ntakes) {
            rlx_take_result *r = &u->takes[u->chosen];
            char v[256];
            if (!r->samples) {
                snprintf(u->note, sizeof u->note, "take %zu cannot be kept: %s", u->chosen + 1,
                         rlx_take_verdict(r, u->rate, v, sizeof v));
            } else if (!rlx_take_ok(r) && !u->insist) {
                u->insist = true;
                snprintf(u->note, sizeof u->note, "take %zu: %s. Press enter again to keep it anyway, "
                         "or space for a new take", u->chosen + 1, rlx_take_verdict(r, u->rate, v, sizeof v));
            } else {
                char why[512];
                rlx_err e = rlx_take_save(u->lines[i].rec_path, r->samples, r->frames, u->rate,
                                          u->lines[i].cue->text, why, sizeof why);
                if (e != RLX_OK) {
                    snprintf(u->note, sizeof u->note, "%s", why);
                    *err = e;
                    return STEP_FAIL;
                }
                u->lines[i].recorded = true;
                u->kept++;
                return STEP_NEXT;
            }
            draw_page(u, i);
        }
    }
}

int rlx_cmd_record(int argc, char **argv)
{
    const char *session = NULL, *device = NULL;
    long from = 1;
    bool missing = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return RLX_EXIT_OK;
        } else if (!strcmp(argv[i], "--device") || !strcmp(argv[i], "--line")) {
            if (i + 1 >= argc) {
                rlx_cli_error("%s needs a value", argv[i]);
                return RLX_EXIT_USAGE;
            }
            if (!strcmp(argv[i], "--device")) {
                device = argv[++i];
            } else {
                char *end;
                from = strtol(argv[++i], &end, 10);
                if (*end || from < 1) {
                    rlx_cli_error("--line takes a line number from 1 ('%s')", argv[i]);
                    return RLX_EXIT_USAGE;
                }
            }
        } else if (!strcmp(argv[i], "--missing")) {
            missing = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rlx_cli_error("unknown option '%s' (relax record --help)", argv[i]);
            return RLX_EXIT_USAGE;
        } else if (!session) {
            session = argv[i];
        } else {
            rlx_cli_error("one session at a time ('%s' is extra)", argv[i]);
            return RLX_EXIT_USAGE;
        }
    }
    if (!session) {
        usage(stderr);
        return RLX_EXIT_USAGE;
    }
    int orc = rlx_cli_parsed(argv[0]);
    if (orc)
        return orc;
    rlx_session *s = NULL;
    orc = rlx_cli_open_session(session, &s);
    if (orc)
        return orc;
    rec_ui u = {.s = s, .tcfg = rlx_take_config_init()};
    u.tcfg.target_lufs = s->voice_lufs;
    rlx_script_pace_hint(s, u.pace, sizeof u.pace);
    int code = RLX_EXIT_OK;
    if (rlx_script_lines(s, &u.lines, &u.nlines) != RLX_OK) {
        rlx_cli_error("out of memory");
        rlx_session_free(s);
        return RLX_EXIT_INTERNAL;
    }
    char dir[4096];
    if (!s->id || !rlx_recording_dir(s, dir, sizeof dir)) {
        rlx_cli_error("%s: the session needs an id ([session] id = ...) to keep recordings", session);
        code = RLX_EXIT_SESSION;
        goto done;
    }
    if (u.nlines == 0) {
        rlx_cli_error("%s has no spoken lines to record", session);
        code = RLX_EXIT_SESSION;
        goto done;
    }
    if ((size_t)from > u.nlines) {
        rlx_cli_error("--line %ld: %s has %zu spoken lines", from, session, u.nlines);
        code = RLX_EXIT_USAGE;
        goto done;
    }
    if (!rlx_tui_available()) {
        rlx_cli_error("relax record needs a terminal (run it in a terminal window)");
        code = RLX_EXIT_USAGE;
        goto done;
    }
    size_t todo = 0;
    for (size_t i = (size_t)from - 1; i < u.nlines; i++)
        todo += !missing || !u.lines[i].recorded;
    if (todo == 0) {
        printf("relax: every line of %s from line %ld has a recording\n", session, from);
        goto done;
    }
    rlx_capture_config cc = rlx_capture_config_init();
    cc.device = device;
    cc.rate = 48000;
    char why[256] = "";
    rlx_err err = rlx_capture_open(&cc, &u.cap, why, sizeof why);
    if (err) {
        rlx_cli_error("%s", why[0] ? why : rlx_strerror(err));
        code = rlx_cli_exit_code(err);
        goto done;
    }
    u.rate = rlx_capture_rate(u.cap);

    got_signal = 0;
    struct sigaction sa = {0}, old_int, old_term, old_hup;
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    if (!rlx_tui_open()) {
        rlx_cli_error("cannot use the terminal for keys");
        code = RLX_EXIT_USAGE;
    } else {
        err = RLX_OK;
        step st = STEP_NEXT;
        for (size_t i = (size_t)from - 1; i < u.nlines && st == STEP_NEXT; i++) {
            if (missing && u.lines[i].recorded)
                continue;
            st = record_line(&u, i, &err);
        }
        printf("\033[H\033[2J");
        fflush(stdout);
        rlx_tui_close();
        if (st == STEP_FAIL) {
            if (err == RLX_ERR_DEVICE_LOST)
                rlx_cli_error("the input device stopped (%s); %zu take%s kept in %s", u.note, u.kept,
                              u.kept == 1 ? "" : "s", dir);
            else if (err == RLX_ERR_INTERRUPTED)
                rlx_cli_error("stopped; %zu take%s kept in %s", u.kept, u.kept == 1 ? "" : "s", dir);
            else if (err == RLX_ERR_DISK_FULL || err == RLX_ERR_OUTPUT)
                rlx_cli_error("%s; %zu earlier take%s kept in %s", u.note, u.kept,
                              u.kept == 1 ? "" : "s", dir);
            else
                rlx_cli_error("%s", rlx_strerror(err));
            code = rlx_cli_exit_code(err);
        } else {
            printf("relax: %zu take%s kept in %s\n", u.kept, u.kept == 1 ? "" : "s", dir);
        }
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
done:
    clear_takes(&u);
    rlx_capture_close(u.cap);
    rlx_script_lines_free(u.lines, u.nlines);
    rlx_session_free(s);
    return code;
}
