/* cmd_render.c - `relax render SESSION -o OUT [--length D] [--rate HZ] [--from T] [--to T]`.
 * Argument parsing and printing on top of the engine with the file sink.
 * Everything that can fail before audio exists (arguments, session, audio
 * files, TTS, length) is checked before any audio is written; OUT appears
 * only once it is complete. stdout stays clean; messages and the progress
 * bar go to stderr. */
#include "cli.h"
#include "cli_paths.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <stdbool.h>

#include "engine/engine.h"
#include "sink/sink_file.h"

#define PUMP_FRAMES 4096
#define EXCERPT_RAMP_MS 5   /* at the edges of --from/--to (the session's own ends are ramped anyway) */

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    g_stop = sig;
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: relax render SESSION -o OUT [--length D] [--tail D] [--bed NAME] [--rate HZ] [--from T]\n"
               "                    [--to T]\n"
               "  OUT ends in .wav (24-bit PCM), .flac (24-bit) or .ogg (Vorbis)\n"
               "  --bed NAME: a shipped ambient bed instead of the session's own (off: none)\n");
}

typedef struct {
    bool tty;
    bool shown;
} prep_ui;

static void on_prepare(void *user, size_t done, size_t total, const char *what)
{
    prep_ui *ui = user;
    if (!ui->tty || total == 0)
        return;
    (void)what;
    fprintf(stderr, "\rpreparing audio %zu/%zu", done, total);
    ui->shown = true;
    if (done == total)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

static void progress(int64_t done, int64_t total, int rate)
{
    char a[32], b[32];
    int pct = total > 0 ? (int)(done * 100 / total) : 100;
    int bar = pct * 30 / 100;
    fprintf(stderr, "\rrendering [%.*s%*s] %3d%%  %s / %s", bar,
            "##############################", 30 - bar, "", pct,
            rlx_cli_fmt_time(done * 1000 / rate, a, sizeof a),
            rlx_cli_fmt_time(total * 1000 / rate, b, sizeof b));
    fflush(stderr);
}

static bool parse_rate(const char *s, int *rate)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 8000 || v > 192000)
        return false;
    *rate = (int)v;
    return true;
}

static int render_main(int argc, char **argv, bool remembered, int64_t *rendered_ms);

int rlx_cmd_render(int argc, char **argv)
{
    return render_main(argc, argv, false, NULL);
}

int rlx_cli_render_remembered(int argc, char **argv, int64_t *rendered_ms)
{
    return render_main(argc, argv, true, rendered_ms);
}

static int render_main(int argc, char **argv, bool remembered, int64_t *rendered_ms)
{
    const char *session_arg = NULL, *out_path = NULL;
    const char *length_arg = NULL, *from_arg = NULL, *to_arg = NULL, *tail_arg = NULL, *bed = NULL;
    int rate = 48000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return RLX_EXIT_OK;
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && has_val) {
            out_path = argv[++i];
        } else if (!strcmp(a, "--length") && has_val) {
            length_arg = argv[++i];
        } else if (!strcmp(a, "--tail") && has_val) {
            tail_arg = argv[++i];
        } else if (!strcmp(a, "--bed") && has_val) {
            char path[4096];
            bed = argv[++i];
            int brc = rlx_cli_find_bed(bed, path, sizeof path);
            if (brc)
                return brc;
        } else if (!strcmp(a, "--rate") && has_val) {
            if (!parse_rate(argv[++i], &rate)) {
                rlx_cli_error("--rate: '%s' is not a rate from 8000 to 192000 Hz", argv[i]);
                return RLX_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--from") && has_val) {
            from_arg = argv[++i];
        } else if (!strcmp(a, "--to") && has_val) {
            to_arg = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            rlx_cli_error("render: unknown option or missing value: '%s' (try 'relax render --help')", a);
            return RLX_EXIT_USAGE;
        } else if (!session_arg) {
            session_arg = a;
        } else {
            rlx_cli_error("render: unexpected argument '%s' (try 'relax render --help')", a);
            return RLX_EXIT_USAGE;
        }
    }
    if (!session_arg || !out_path) {
        rlx_cli_error("render: %s (try 'relax render --help')",
                      !session_arg ? "name a session" : "name the output with -o FILE.wav");
        return RLX_EXIT_USAGE;
    }
    int64_t length_ms = 0, from_ms = 0, to_ms = -1, tail_ms = 0;
    const char *too_long = length_arg && rlx_duration_too_long(length_arg) ? "--length"
                           : from_arg && rlx_duration_too_long(from_arg)    ? "--from"
                           : to_arg && rlx_duration_too_long(to_arg)        ? "--to"
                                                                            : NULL;
    if (too_long) {
        rlx_cli_error("%s: '%s' is too long (at most " RLX_DURATION_MAX_TEXT ")", too_long,
                      !strcmp(too_long, "--length") ? length_arg : !strcmp(too_long, "--from") ? from_arg : to_arg);
        return RLX_EXIT_USAGE;
    }
    if (tail_arg && (!rlx_parse_duration_ms(tail_arg, &tail_ms) || tail_ms > RLX_TIMELINE_TAIL_MAX_MS)) {
        rlx_cli_error("--tail: '%s' is not a duration up to 60 min (e.g. 10 min)", tail_arg);
        return RLX_EXIT_USAGE;
    }
    if (length_arg && (!rlx_parse_duration_ms(length_arg, &length_ms) || length_ms <= 0)) {
        rlx_cli_error("--length: '%s' is not a duration (e.g. 20 min, 1:30:00)", length_arg);
        return RLX_EXIT_USAGE;
    }
    if (from_arg && !rlx_parse_duration_ms(from_arg, &from_ms)) {
        rlx_cli_error("--from: '%s' is not a time (e.g. 1:30, 90 s)", from_arg);
        return RLX_EXIT_USAGE;
    }
    if (to_arg && !rlx_parse_duration_ms(to_arg, &to_ms)) {
        rlx_cli_error("--to: '%s' is not a time (e.g. 2:00, 120 s)", to_arg);
        return RLX_EXIT_USAGE;
    }
    if (to_arg && to_ms <= from_ms) {
        rlx_cli_error("--to must be after --from");
        return RLX_EXIT_USAGE;
    }
    /* the extension is checked before any slow preparation */
    const char *dot = strrchr(out_path, '.');
    const char *slash = strrchr(out_path, '/');
    const char *base = slash ? slash + 1 : out_path;
    if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
        rlx_cli_error("%s is a folder: name a file, like %s%sweek-03.wav", out_path, out_path,
                      *base ? "/" : "");
        return RLX_EXIT_USAGE;
    }
    if (dot == base) {
        rlx_cli_error("%s: give the file a name before its extension, like week-03%s", out_path, dot);
        return RLX_EXIT_USAGE;
    }
    if (!dot || (slash && dot < slash) ||
        (strcasecmp(dot, ".wav") && strcasecmp(dot, ".flac") && strcasecmp(dot, ".ogg"))) {
        rlx_cli_error("%s: unknown output format (use .wav, .flac or .ogg)", out_path);
        return RLX_EXIT_USAGE;
    }

    int orc = rlx_cli_parsed(argv[0]);
    if (orc)
        return orc;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    rlx_session *s = NULL;
    orc = rlx_cli_open_session(session_arg, &s);
    if (!orc && (orc = rlx_cli_apply_bed(s, bed)))
        rlx_session_free(s);
    if (orc)
        return orc;
    rlx_err err;

    prep_ui ui = {.tty = rlx_cli_is_tty(2)};
    rlx_engine_config cfg = rlx_engine_config_init();
    cfg.sink = &rlx_sink_file_ops;
    cfg.sink_target = out_path;
    cfg.rate = rate;
    cfg.block_frames = PUMP_FRAMES;
    cfg.length_ms = length_ms;
    cfg.length_fit = remembered;
    cfg.tail_ms = tail_ms;
    cfg.excerpt_ramp_ms = EXCERPT_RAMP_MS;
    cfg.on_prepare = on_prepare;
    cfg.user = &ui;
    cfg.cancel = &g_stop;
    rlx_engine *e = NULL;
    int code = RLX_EXIT_OK;
    char why[1024];
    err = rlx_engine_open(&cfg, &e, why, sizeof why);
    if (err != RLX_OK) {
        rlx_cli_error("%s", why[0] ? why : rlx_strerror(err));
        code = rlx_cli_exit_code(err);
        goto done;
    }
    rlx_diags diags = {0};
    err = rlx_engine_load(e, s, &diags);
    if (ui.shown)
        fputs("\r\033[K", stderr);
    rlx_cli_print_diags(stderr, &diags);
    rlx_diags_free(&diags);
    if (err == RLX_ERR_INTERRUPTED || (err == RLX_OK && g_stop)) {
        rlx_cli_error("interrupted while preparing the audio; %s was not written", out_path);
        code = RLX_EXIT_INTERRUPTED;
        goto done;
    }
    if (err != RLX_OK) {
        code = rlx_cli_exit_code(err);
        goto done;
    }
    int64_t length = rlx_engine_length(e);
    if (rendered_ms)
        *rendered_ms = length * 1000 / rate;
    if (remembered && length_ms > 0 && length * 1000 / rate != length_ms) {
        const rlx_timeline *tl = rlx_engine_timeline(e);
        char t0[32], t1[32], t2[32], t3[32];
        rlx_cli_error("note: the remembered length %s is outside what %s allows (%s to %s): rendering %s",
                      rlx_cli_fmt_time(length_ms, t0, sizeof t0), s->id,
                      rlx_cli_fmt_time(tl->shortest_ms, t1, sizeof t1),
                      rlx_cli_fmt_time(tl->longest_ms, t2, sizeof t2),
                      rlx_cli_fmt_time(length * 1000 / rate, t3, sizeof t3));
    }
    int64_t from = rlx_ms_to_frames(from_ms, rate);
    int64_t to = to_ms < 0 ? length : rlx_ms_to_frames(to_ms, rate);
    if (from >= length || to > length) {
        char a[32], b[32];
        rlx_cli_error("%s %s is past the end of the session (%s)%s", from >= length ? "--from" : "--to",
                      rlx_cli_fmt_time(from >= length ? from_ms : to_ms, a, sizeof a),
                      rlx_cli_fmt_time(length * 1000 / rate, b, sizeof b),
                      from >= length ? "" : "; leave out --to to render to the end");
        code = RLX_EXIT_USAGE;
        goto done;
    }
    /* A WAV file's sizes are 32-bit: refuse what it cannot hold instead of
     * writing a file no program reads correctly. */
    const char *ext = strrchr(out_path, '.');
    double wav_bytes = (double)(to - from) * 2 * 3 + 1024;
    if (ext && !strcasecmp(ext, ".wav") && wav_bytes > 4294967295.0) {
        char t[32], m[32];
        rlx_cli_error("%s: %s of 24-bit stereo at %d Hz is more than a WAV file holds (4 GiB, %s); "
                      "use .flac or .ogg, or a lower --rate",
                      out_path, rlx_cli_fmt_time((to - from) * 1000 / rate, t, sizeof t), rate,
                      rlx_cli_fmt_time((int64_t)((4294967295.0 - 1024) / 6 / rate) * 1000, m, sizeof m));
        code = RLX_EXIT_USAGE;
        goto done;
    }
    err = rlx_engine_start(e, from, to, why, sizeof why);   /* opens OUT's temporary now */
    if (err != RLX_OK) {
        rlx_cli_error("%s", why[0] ? why : rlx_strerror(err));
        code = rlx_cli_exit_code(err);
        goto done;
    }
    bool tty = rlx_cli_is_tty(2);
    int64_t last_shown = -1;
    rlx_engine_state st;
    while (rlx_engine_poll(e, 50, &st) && !g_stop) {
        if (tty && (st.pos - last_shown >= rate || st.pos == to)) {
            progress(st.pos - from, to - from, rate);
            last_shown = st.pos;
        }
    }
    if (tty && last_shown >= 0) {
        if (!g_stop && st.end == RLX_ENGINE_END_DONE)
            progress(to - from, to - from, rate);
        fputs("\r\033[K", stderr);
    }
    if (g_stop) {
        rlx_engine_finish(e, false);
        rlx_cli_error("interrupted; %s was not written", out_path);
        code = RLX_EXIT_INTERRUPTED;
        goto done;
    }
    if (st.source_err != RLX_OK) {
        rlx_engine_finish(e, false);
        rlx_cli_error("rendering stopped: a prepared audio file became unreadable (%s)",
                      rlx_strerror(st.source_err));
        code = rlx_cli_exit_code(st.source_err);
        goto done;
    }
    err = st.sink_err != RLX_OK ? st.sink_err : rlx_engine_finish(e, true);
    if (err != RLX_OK) {
        rlx_engine_finish(e, false);
        rlx_cli_error("cannot write %s: %s", out_path,
                      err == RLX_ERR_DISK_FULL   ? "no space left on the device"
                      : err == RLX_ERR_TOO_LARGE ? "file too large (over the file system's or the process's file size limit)"
                                                 : "write failed");
        code = rlx_cli_exit_code(err);
        goto done;
    }
    char t[32];
    fprintf(stderr, "wrote %s (%s, %d Hz)\n", out_path,
            rlx_cli_fmt_time((to - from) * 1000 / rate, t, sizeof t), rate);
done:
    rlx_engine_close(e);
    rlx_session_free(s);
    return code;
}
