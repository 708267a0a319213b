/* cmd_check.c - `relax check FILE|DIR|ID...`: parses and validates session and
 * program files, reports every problem compiler-style, and prints each
 * valid session's lengths and cue list. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/clip.h"
#include "authoring.h"
#include "cli_paths.h"
#include "script_lines.h"
#include "session/breath_check.h"
#include "session/recording.h"
#include "store/take_file.h"
#include "session/timeline.h"

typedef struct {
    bool quiet;
    int width;              /* columns for the cue list */
    int64_t length_ms;      /* --length: the cue list of that version (0: natural) */
    int64_t tail_ms;        /* --tail */
    size_t files, valid, errors, warnings;
} check_run;

static void usage(FILE *f)
{
    fputs("Usage: relax check [--quiet] [--length D] [--tail D] FILE|DIR|ID...\n"
          "Validates session (.session) and program (.program) files; a folder means\n"
          "every such file in it; an id (week-03) means that session from the sessions\n"
          "folder. Prints each valid session's length and cues.\n"
          "  -q, --quiet   print only problems and a summary\n"
          "  --length D    list the cues of the version played at D (\"10 min\")\n"
          "  --tail D      with an ambient-only tail of D before the fade-out\n"
          "Exit status: 0 all valid (warnings allowed), 3 some file invalid, 2 usage.\n",
          f);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static const char *file_kind(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket"
         : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" : "not a regular file";
}

/* An error at a cue or program entry, with its source line for the caret;
 * the caret goes under `word` when the line has it after col. */
static void diag_word(rlx_diags *d, rlx_diag_severity sev, const char *file, int line, int col,
                      const char *word, const char *fmt, const char *a, const char *b)
    __attribute__((format(printf, 7, 0)));
static void diag_word(rlx_diags *d, rlx_diag_severity sev, const char *file, int line, int col,
                      const char *word, const char *fmt, const char *a, const char *b)
{
    char *src = rlx_auth_source_line(file, line);
    if (src && word && col > 0 && (size_t)col <= strlen(src)) {
        const char *w = strstr(src + col - 1, word);
        if (w)
            col = (int)(w - src) + 1;
    }
    char msg[1024];
    snprintf(msg, sizeof msg, fmt, a, b ? b : "");
    rlx_diags_add(d, sev, file, line, col, src, "%s", msg);
    free(src);
}

static void diag_at(rlx_diags *d, rlx_diag_severity sev, const char *file, int line, int col,
                    const char *fmt, const char *a, const char *b)
    __attribute__((format(printf, 6, 0)));
static void diag_at(rlx_diags *d, rlx_diag_severity sev, const char *file, int line, int col,
                    const char *fmt, const char *a, const char *b)
{
    diag_word(d, sev, file, line, col, NULL, fmt, a, b);
}

/* Can libsndfile decode every audio file the session names? */
static void probe_audio(const rlx_session *s, rlx_diags *d)
{
    char why[256];
    int64_t frames;
    int rate, ch;
    bool default_chime = false;
    for (size_t i = 0; i < s->ncues; i++) {
        const rlx_cue *c = &s->cues[i];
        if (c->kind == RLX_CUE_CHIME && !c->file)
            default_chime = true;
        if (!c->path)
            continue;
        why[0] = 0;
        const char *name = c->file ? c->file : c->path;
        const char *where = c->src_file ? c->src_file : s->path;
        /* at the file's name, where the parser and render point too */
        int col = c->file_col > 0 ? c->file_col : c->col;
        if (rlx_audio_probe(c->path, &frames, &rate, &ch, why, sizeof why) != RLX_OK) {
            /* the reason names the file already */
            if (why[0])
                diag_at(d, RLX_DIAG_ERROR, where, c->line, col, "%s%s", why, NULL);
            else
                diag_at(d, RLX_DIAG_ERROR, where, c->line, col, "cannot decode '%s'%s", name, NULL);
        } else if (frames == 0) {
            diag_at(d, RLX_DIAG_WARNING, where, c->line, col, "'%s' holds no audio", name, NULL);
        }
    }
    const struct { const char *what, *file, *path; bool used; } beds[] = {
        {"ambient", s->ambient_file, s->ambient_path, s->ambient_file != NULL},
        {"chime", s->chime_file, s->chime_path, default_chime},
    };
    for (size_t i = 0; i < 2; i++) {
        if (!beds[i].used || !beds[i].path)
            continue;
        why[0] = 0;
        if (rlx_audio_probe(beds[i].path, &frames, &rate, &ch, why, sizeof why) != RLX_OK)
            rlx_diags_add(d, RLX_DIAG_ERROR, s->path, 0, 0, NULL, "%s file '%s': cannot decode: %s",
                          beds[i].what, beds[i].file ? beds[i].file : beds[i].path,
                          why[0] ? why : "unreadable");
    }
}

/* One line per cue: time, kind, what it does. */
static void print_cue(const check_run *run, const rlx_timeline *t, size_t i)
{
    const rlx_tl_cue *tc = &t->cues[i];
    const rlx_cue *c = tc->cue;
    char tm[32], a[32], b[32], detail[512];
    int64_t start_ms = (tc->start * 1000 + t->rate / 2) / t->rate;
    detail[0] = 0;
    const char *text = NULL;   /* free text shown after the detail, cut to fit */
    switch (c->kind) {
    case RLX_CUE_SAY:
        text = c->text;
        if (c->path)
            snprintf(detail, sizeof detail, "[%s] ", c->file);
        break;
    case RLX_CUE_PLAY:
        snprintf(detail, sizeof detail, "%s%s", c->file ? c->file : "", c->text ? "  " : "");
        text = c->text;
        break;
    case RLX_CUE_SILENCE:
        if (c->dur_max_ms > c->dur_ms)
            snprintf(detail, sizeof detail, "%s .. %s (stretchable)",
                     rlx_auth_fmt_dur(c->dur_ms, a, sizeof a), rlx_auth_fmt_dur(c->dur_max_ms, b, sizeof b));
        else
            rlx_auth_fmt_dur(c->dur_ms, detail, sizeof detail);
        break;
    case RLX_CUE_BREATH:
        snprintf(detail, sizeof detail, "%g %g %g %g", c->pattern.inhale_ms / 1000.0,
                 c->pattern.hold_in_ms / 1000.0, c->pattern.exhale_ms / 1000.0,
                 c->pattern.hold_out_ms / 1000.0);
        break;
    case RLX_CUE_CHIME:
        snprintf(detail, sizeof detail, "%s", c->file ? c->file : "");
        break;
    case RLX_CUE_FADE_IN:
    case RLX_CUE_FADE_OUT:
        rlx_auth_fmt_dur(c->dur_ms, detail, sizeof detail);
        break;
    case RLX_CUE_LEVEL: {
        static const char *const bus[] = {"voice", "breath", "ambient"};
        snprintf(detail, sizeof detail, "%s %g %s over %s", (unsigned)c->bus < 3 ? bus[c->bus] : "?",
                 c->value, c->bus == RLX_BUS_VOICE ? "LUFS" : "dB",
                 rlx_auth_fmt_dur(c->dur_ms > 0 ? c->dur_ms : 50, a, sizeof a));
        break;
    }
    default:
        break;
    }
    if (c->gain_db != 0 && (c->kind == RLX_CUE_SAY || c->kind == RLX_CUE_PLAY || c->kind == RLX_CUE_CHIME)) {
        size_t l = strlen(detail);
        snprintf(detail + l, sizeof detail - l, "(gain %+g dB) ", c->gain_db);
    }
    const char *kind = rlx_cue_kind_name(c->kind);
    if (c->kind == RLX_CUE_BREATH_SYNC)
        kind = "breath";
    /* "  %11s  %-10s" is 2 + 11 + 2 + 10 = 25 columns */
    printf("  %11s  %-*s", rlx_auth_fmt_clock(start_ms, tm, sizeof tm),
           detail[0] || text || c->kind == RLX_CUE_BREATH_SYNC ? 10 : 0, kind);
    if (c->kind == RLX_CUE_BREATH_SYNC)
        fputs("sync", stdout);
    size_t used = 25 + rlx_auth_put_fit(stdout, detail, (size_t)run->width > 40 ? run->width - 25 : 40, false);
    if (text) {
        size_t room = (size_t)run->width > used + 8 ? run->width - used : 8;
        rlx_auth_put_fit(stdout, text, room, false);
    }
    putchar('\n');
}

/* The cues in time order (stable: cues at the same time stay as written). */
static void print_cues(const check_run *run, const rlx_timeline *t)
{
    size_t *order = malloc((t->ncues ? t->ncues : 1) * sizeof *order);
    if (!order)
        return;
    for (size_t i = 0; i < t->ncues; i++) {
        size_t j = i;
        while (j > 0 && t->cues[order[j - 1]].start > t->cues[i].start) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    for (size_t i = 0; i < t->ncues; i++)
        if (!t->cues[order[i]].omitted)
            print_cue(run, t, order[i]);
    free(order);
}

static void print_ok(const rlx_session *s, const char *path, const rlx_diags *d)
{
    printf("%s: ok \xE2\x80\x94 \"", path);
    rlx_auth_put_fit(stdout, s->title ? s->title : "", 200, false);
    putchar('"');
    if (s->week > 0)
        printf(" (week %d)", s->week);
    if (d->warnings)
        printf(", %zu warning%s", d->warnings, d->warnings == 1 ? "" : "s");
    putchar('\n');
}

/* What relax record has done for this session: how many lines are recorded,
 * which are missing, and takes whose words no longer match any line (a
 * warning at the line they most likely belong to). Silent for a session
 * nobody has started recording. */
static void recordings_report(const rlx_session *s, rlx_diags *d)
{
    char dir[4096];
    rlx_script_line *v = NULL;
    size_t n = 0, done = 0, own = 0;
    if (!rlx_recording_dir(s, dir, sizeof dir) || rlx_script_lines(s, &v, &n) != RLX_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        done += v[i].recorded;
        own += v[i].own_file;
    }
    DIR *dh = opendir(dir);
    if (!dh && own == 0) {
        rlx_script_lines_free(v, n);
        return;
    }
    printf("  recordings %zu of %zu line%s", done, n, n == 1 ? "" : "s");
    if (done < n) {
        fputs(", missing #", stdout);
        size_t shown = 0;
        for (size_t i = 0; i < n; i++)
            if (!v[i].recorded && shown++ < 12)
                printf("%s%d", shown > 1 ? ", #" : "", v[i].number);
        if (shown > 12)
            printf(" and %zu more", shown - 12);
        printf(" (relax record %s --missing)", s->id);
    }
    putchar('\n');
    for (struct dirent *e; dh && (e = readdir(dh));) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || strncmp(e->d_name, "say-", 4) || !ends_with(e->d_name, ".flac"))
            continue;
        bool used = false;
        for (size_t i = 0; i < n && !used; i++)
            used = v[i].rec_path && len <= strlen(v[i].rec_path) &&
                   !strcmp(v[i].rec_path + strlen(v[i].rec_path) - len, e->d_name);
        if (used)
            continue;
        char full[4400], text[2048];
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        if (rlx_take_text(full, text, sizeof text) != RLX_OK)
            text[0] = 0;
        const rlx_script_line *best = NULL;
        double score = 0.0;
        for (size_t i = 0; i < n; i++) {
            double sc = v[i].recorded ? 0.0 : rlx_recording_similarity(text, v[i].cue->text);
            if (sc > score) {
                score = sc;
                best = &v[i];
            }
        }
        char rel[4400];
        snprintf(rel, sizeof rel, "%s/%s/%s", RLX_RECORDINGS_DIR, s->id, e->d_name);
        if (best && score >= 0.5)
            diag_word(d, RLX_DIAG_WARNING, best->cue->src_file ? best->cue->src_file : s->path,
                      best->cue->line, best->cue->col, "say",
                      "this line's words changed since it was recorded (%s says \"%s\"); "
                      "record it again with relax record --missing", rel, text);
        else
            rlx_diags_add(d, RLX_DIAG_NOTE, s->path, 0, 0, NULL,
                          "%s matches no line any more (recorded as \"%s\")", rel,
                          text[0] ? text : "?");
    }
    if (dh)
        closedir(dh);
    rlx_script_lines_free(v, n);
}

/* A line that invites breathing in while the tone falls (or holds) gets a
 * warning at the phrase: the tone should do what the voice says. */
static void check_breath_words(const rlx_timeline *t, rlx_diags *d)
{
    rlx_breath_finding *f = NULL;
    size_t n = rlx_breath_check(t, &f);
    for (size_t i = 0; i < n; i++) {
        const rlx_cue *c = t->cues[f[i].cue].cue;
        char phrase[64], when[32], msg[256];
        snprintf(phrase, sizeof phrase, "%.*s", (int)f[i].at < 0 ? 0 : (int)f[i].len,
                 c->text + f[i].at);
        rlx_cli_fmt_time(f[i].frame * 1000 / t->rate, when, sizeof when);
        snprintf(msg, sizeof msg,
                 "'%%s' invites breathing %s, but %s there (near %%s); a 'breath sync' at the "
                 "start of a line that begins with it starts a fresh inhale",
                 f[i].dir == RLX_INVITE_IN ? "in" : "out", f[i].problem);
        diag_word(d, RLX_DIAG_WARNING, c->src_file, c->line, c->col, phrase, msg, phrase, when);
    }
    free(f);
}

static bool check_session(check_run *run, const char *path, rlx_diags *d)
{
    rlx_parse_config cfg = rlx_cli_parse_config(true);
    rlx_session *s = NULL;
    rlx_err err = rlx_session_parse(path, &cfg, &s, d);
    if (err) {
        if (d->errors == 0)
            rlx_diags_add(d, RLX_DIAG_ERROR, path, 0, 0, NULL, "%s", rlx_strerror(err));
        return false;
    }
    char *hidden = rlx_cli_session_hides(path, s->id);
    if (hidden)   /* a user's session with a built-in id: say which one `relax play ID` uses */
        rlx_diags_add(d, RLX_DIAG_NOTE, path, 0, 0, NULL,
                      "used for the id '%s' instead of %s (a session of yours with the same id wins)",
                      s->id, hidden);
    free(hidden);
    probe_audio(s, d);
    int64_t *ms = NULL, natural = 0, longest = 0;
    rlx_timeline *t = NULL;
    rlx_err derr = d->errors ? RLX_ERR_SESSION : rlx_auth_durations_sev(s, &ms, d, RLX_DIAG_WARNING);
    if (derr == RLX_ERR_CACHE) {
        /* not the file's fault: it is valid as far as it can be checked */
        rlx_diags_add(d, RLX_DIAG_NOTE, path, 0, 0, NULL,
                      "lengths and voice overlaps not checked without the cache");
        print_ok(s, path, d);
        puts("  length ?");
        rlx_session_free(s);
        return true;
    }
    int64_t shortest = 0;
    rlx_timeline_opts to = {.length_ms = run->length_ms, .tail_ms = run->tail_ms};
    if (derr == RLX_OK &&
        rlx_timeline_range(s, ms, run->tail_ms, &shortest, &natural, &longest, d) == RLX_OK &&
        rlx_timeline_build_opts(s, ms, &to, RLX_AUTH_RATE, &t, d) == RLX_OK) {
        /* at the ends of the range other cues move or drop out: check them too */
        int64_t ends[2] = {longest, shortest};
        const char *what[2] = {"longest", "shortest"};
        for (int k = 0; k < 2; k++) {
            if (ends[k] == natural)
                continue;
            rlx_timeline *tl = NULL;
            rlx_diags dl = {0};
            rlx_timeline_opts eo = {.length_ms = ends[k], .tail_ms = run->tail_ms};
            if (rlx_timeline_build_opts(s, ms, &eo, RLX_AUTH_RATE, &tl, &dl) != RLX_OK) {
                for (size_t i = 0; i < dl.count; i++) {
                    const rlx_diag *g = &dl.items[i];
                    rlx_diags_add(d, g->severity, g->file, g->line, g->col, g->source,
                                  "at the %s length: %s", what[k], g->message);
                }
                if (dl.count == 0)
                    rlx_diags_add(d, RLX_DIAG_ERROR, path, 0, 0, NULL,
                                  "cannot be laid out at its %s length", what[k]);
            }
            rlx_diags_free(&dl);
            rlx_timeline_free(tl);
        }
    }
    if (t && d->errors == 0)
        check_breath_words(t, d);
    bool ok = d->errors == 0 && t;
    if (!ok && d->errors == 0)
        rlx_diags_add(d, RLX_DIAG_ERROR, path, 0, 0, NULL, "cannot lay out the session");
    if (ok) {
        char a[32], b[32], c[32];
        print_ok(s, path, d);
        rlx_cli_fmt_lengths(shortest, natural, longest, c, a, b);
        printf("  length natural %s, plays at %s to %s%s\n", a, c, b, longest > shortest ? "" : " (nothing stretches)");
        if (run->length_ms > 0)
            printf("  version at %s: %zu cue%s left out%s\n", rlx_cli_fmt_time(t->length_ms, a, sizeof a),
                   t->nomitted, t->nomitted == 1 ? "" : "s",
                   t->tail > 0 ? ", with an ambient-only tail" : "");
        recordings_report(s, d);
        if (!run->quiet)
            print_cues(run, t);
    }
    rlx_timeline_free(t);
    free(ms);
    rlx_session_free(s);
    return ok;
}

static bool check_program(check_run *run, const char *path, rlx_diags *d)
{
    rlx_program *p = NULL;
    rlx_err err = rlx_program_parse(path, &p, d);
    if (err) {
        if (d->errors == 0)
            rlx_diags_add(d, RLX_DIAG_ERROR, path, 0, 0, NULL, "%s", rlx_strerror(err));
        return false;
    }
    rlx_parse_config cfg = rlx_cli_parse_config(false);
    char **ids = calloc(p->nentries ? p->nentries : 1, sizeof *ids);
    char **titles = calloc(p->nentries ? p->nentries : 1, sizeof *titles);
    for (size_t i = 0; ids && titles && i < p->nentries; i++) {
        const rlx_program_entry *e = &p->entries[i];
        if (!e->path)
            continue;   /* the parser reported it */
        rlx_session *s = NULL;
        rlx_diags sd = {0};
        int week = (int)i + 1;
        char wk[24];
        snprintf(wk, sizeof wk, "%d", week);
        if (rlx_session_parse(e->path, &cfg, &s, &sd) != RLX_OK) {
            diag_at(d, RLX_DIAG_ERROR, path, e->line, e->col,
                    "session '%s' is invalid (relax check %s shows why)", e->file, e->path);
        } else {
            if (s->week == 0)
                diag_at(d, RLX_DIAG_WARNING, path, e->line, e->col,
                        "session '%s' sets no week; it is week %s of this program", e->file, wk);
            else if (s->week != week) {
                char msg[64];
                snprintf(msg, sizeof msg, "%d but it is week %d", s->week, week);
                diag_at(d, RLX_DIAG_WARNING, path, e->line, e->col,
                        "session '%s' says week = %s of this program", e->file, msg);
            }
            for (size_t j = 0; s->id && j < i; j++)
                if (ids[j] && !strcmp(ids[j], s->id)) {
                    diag_at(d, RLX_DIAG_WARNING, path, e->line, e->col,
                            "session id '%s' appears twice in the program (also week %s)", s->id,
                            (snprintf(wk, sizeof wk, "%zu", j + 1), wk));
                    break;
                }
            ids[i] = s->id ? strdup(s->id) : NULL;
            titles[i] = s->title ? strdup(s->title) : NULL;
        }
        rlx_diags_free(&sd);
        rlx_session_free(s);
    }
    bool ok = d->errors == 0;
    if (ok) {
        printf("%s: ok \xE2\x80\x94 \"", path);
        rlx_auth_put_fit(stdout, p->title ? p->title : "", 200, false);
        printf("\" (%zu session%s", p->nentries, p->nentries == 1 ? "" : "s");
        if (d->warnings)
            printf(", %zu warning%s", d->warnings, d->warnings == 1 ? "" : "s");
        puts(")");
        if (!run->quiet)
            for (size_t i = 0; i < p->nentries; i++) {
                printf("  week %-3zu %-22s ", i + 1, p->entries[i].file ? p->entries[i].file : "");
                if (titles && titles[i])
                    printf("\"%s\"", titles[i]);
                putchar('\n');
            }
    }
    for (size_t i = 0; i < p->nentries; i++) {
        if (ids)
            free(ids[i]);
        if (titles)
            free(titles[i]);
    }
    free(ids);
    free(titles);
    rlx_program_free(p);
    return ok;
}

static void check_file(check_run *run, const char *path)
{
    rlx_diags d = {0};
    struct stat st;
    bool ok = false;
    char *byid = NULL;
    run->files++;
    /* stat, not open: a FIFO or a device must never block or be read */
    if (stat(path, &st) != 0 && errno == ENOENT && !strchr(path, '/') && !strchr(path, '.') &&
        (byid = rlx_cli_session_path(path)) && stat(byid, &st) == 0)
        path = byid;   /* a session id, as `play` and `render` take */
    int e = stat(path, &st) != 0 ? errno : 0;
    if (e == ENOENT && !byid && !strchr(path, '/') && !strchr(path, '.'))
        rlx_diags_add(&d, RLX_DIAG_ERROR, path, 0, 0, NULL, "no such file, and no session in %s has "
                      "this id; 'relax list' shows the program's ids", rlx_cli_sessions_dir());
    else if (e)
        rlx_diags_add(&d, RLX_DIAG_ERROR, path, 0, 0, NULL, "cannot read: %s", strerror(e));
    else if (!S_ISREG(st.st_mode))
        rlx_diags_add(&d, RLX_DIAG_ERROR, path, 0, 0, NULL, "is %s, not a session or program file",
                      file_kind(st.st_mode));
    else if (ends_with(path, ".program"))
        ok = check_program(run, path, &d);
    else
        ok = check_session(run, path, &d);
    fflush(stdout);
    rlx_auth_fill_sources(&d);
    rlx_cli_print_diags(stderr, &d);
    run->valid += ok;
    run->errors += d.errors;
    run->warnings += d.warnings;
    rlx_diags_free(&d);
    free(byid);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.session and *.program directly in dir, sorted. */
static void check_dir(check_run *run, const char *dir)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        rlx_diags d = {0};
        rlx_diags_add(&d, RLX_DIAG_ERROR, dir, 0, 0, NULL, "cannot read the folder: %s", strerror(errno));
        rlx_cli_print_diags(stderr, &d);
        run->files++;
        run->errors++;
        rlx_diags_free(&d);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dh))) {
        if (e->d_name[0] == '.' || !(ends_with(e->d_name, ".session") || ends_with(e->d_name, ".program")))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn)
                break;
            names = nn;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(len);
        if (!p)
            break;
        snprintf(p, len, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", e->d_name);
        names[n++] = p;
    }
    closedir(dh);
    if (n == 0) {
        rlx_diags d = {0};
        rlx_diags_add(&d, RLX_DIAG_WARNING, dir, 0, 0, NULL, "no .session or .program files here");
        rlx_cli_print_diags(stderr, &d);
        run->warnings++;
        rlx_diags_free(&d);
    }
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        check_file(run, names[i]);
        free(names[i]);
    }
    free(names);
}

int rlx_cmd_check(int argc, char **argv)
{
    check_run run = {0};
    int nfiles = 0;
    bool opts = true;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    if (!files)
        return RLX_EXIT_INTERNAL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts && !strcmp(a, "--")) {
            opts = false;
        } else if (opts && (!strcmp(a, "-q") || !strcmp(a, "--quiet"))) {
            run.quiet = true;
        } else if (opts && (!strcmp(a, "--length") || !strcmp(a, "--tail"))) {
            int64_t v;
            if (i + 1 >= argc || !rlx_parse_duration_ms(argv[i + 1], &v) || v <= 0) {
                rlx_cli_error("check: %s needs a duration like '10 min' or '1:30:00' (try 'relax check --help')",
                              a);
                free(files);
                return RLX_EXIT_USAGE;
            }
            *(!strcmp(a, "--length") ? &run.length_ms : &run.tail_ms) = v;
            i++;
        } else if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
            usage(stdout);
            free(files);
            return RLX_EXIT_OK;
        } else if (opts && a[0] == '-' && a[1]) {
            rlx_cli_error("check: unknown option '%s' (try 'relax check --help')", a);
            free(files);
            return RLX_EXIT_USAGE;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (nfiles == 0) {
        rlx_cli_error("check: name at least one session or program file, or a folder "
                      "(try 'relax check --help')");
        free(files);
        return RLX_EXIT_USAGE;
    }
    int prc = rlx_cli_parsed(argv[0]);
    if (prc) {
        free(files);
        return prc;
    }
    /* cue lines are cut to the terminal, or to 100 columns in a pipe or file */
    run.width = rlx_auth_term_width(STDOUT_FILENO);
    if (run.width <= 0)
        run.width = 100;
    for (int i = 0; i < nfiles; i++) {
        struct stat st;
        /* a folder is scanned, unless its name says it is meant as a file */
        if (stat(files[i], &st) == 0 && S_ISDIR(st.st_mode) &&
            !ends_with(files[i], ".session") && !ends_with(files[i], ".program"))
            check_dir(&run, files[i]);
        else
            check_file(&run, files[i]);
    }
    size_t bad = run.files - run.valid;
    printf("%zu file%s checked: %zu valid, %zu invalid; %zu error%s, %zu warning%s\n", run.files,
           run.files == 1 ? "" : "s", run.valid, bad, run.errors, run.errors == 1 ? "" : "s",
           run.warnings, run.warnings == 1 ? "" : "s");
    free(files);
    return bad ? RLX_EXIT_SESSION : RLX_EXIT_OK;
}
