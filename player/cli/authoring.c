/* authoring.c - shared helpers of check, list, timeline and captions. */
#include "authoring.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/render.h"
#include "core/outfile.h"
#include "cli.h"

rlx_err rlx_auth_durations(const rlx_session *s, int64_t **out_ms, rlx_diags *d)
{
    return rlx_auth_durations_sev(s, out_ms, d, RLX_DIAG_ERROR);
}

rlx_err rlx_auth_durations_sev(const rlx_session *s, int64_t **out_ms, rlx_diags *d,
                               rlx_diag_severity cache_sev)
{
    *out_ms = NULL;
    size_t speak = 0;
    for (size_t i = 0; i < s->ncues; i++)
        speak += s->cues[i].kind == RLX_CUE_SAY && !s->cues[i].path;
    rlx_cache *cache = NULL;
    char why[1024];
    rlx_err err = rlx_cache_open(NULL, &cache, why, sizeof why);
    if (err) {
        rlx_diags_add(d, cache_sev, s->path, 0, 0, NULL, "cannot measure the voice: %s",
                      why[0] ? why : rlx_strerror(err));
        return RLX_ERR_CACHE;
    }
    bool show = speak > 0 && rlx_cli_is_tty(STDERR_FILENO);
    if (show) {
        fprintf(stderr, "speaking %zu line%s\xE2\x80\xA6", speak, speak == 1 ? "" : "s");
        fflush(stderr);
    }
    err = rlx_voice_durations(s, cache, RLX_AUTH_RATE, out_ms, d);
    if (show)
        fputs("\r\033[K", stderr);
    rlx_cache_close(cache);
    return err;
}

rlx_err rlx_auth_load_timeline(const char *arg, int64_t length_ms, rlx_session **s,
                               rlx_timeline **t, rlx_diags *d)
{
    *s = NULL;
    *t = NULL;
    rlx_session *ses = NULL;
    rlx_err err = rlx_cli_load_session(arg, &ses, d);
    if (err)
        return err;
    int64_t *ms = NULL;
    err = rlx_auth_durations(ses, &ms, d);
    if (err == RLX_ERR_CACHE)
        err = RLX_ERR_OUTPUT;   /* the cache folder cannot be written: exit 5 */
    if (!err)
        err = rlx_timeline_build(ses, ms, length_ms, RLX_AUTH_RATE, t, d);
    free(ms);
    if (err) {
        rlx_timeline_free(*t);
        *t = NULL;
        rlx_session_free(ses);
        return err;
    }
    *s = ses;
    return RLX_OK;
}

const char *rlx_auth_fmt_dur(int64_t ms, char *buf, size_t len)
{
    if (ms >= 60000 && ms % 60000 == 0)
        snprintf(buf, len, "%" PRId64 " min", ms / 60000);
    else if (ms % 1000 == 0)
        snprintf(buf, len, "%" PRId64 " s", ms / 1000);
    else if (ms >= 1000)
        snprintf(buf, len, "%g s", (double)ms / 1000.0);
    else
        snprintf(buf, len, "%" PRId64 " ms", ms);
    return buf;
}

const char *rlx_auth_fmt_clock(int64_t ms, char *buf, size_t len)
{
    if (ms < 0)
        ms = 0;
    int64_t s = ms / 1000;
    if (s >= 3600)
        snprintf(buf, len, "%" PRId64 ":%02" PRId64 ":%02" PRId64 ".%03" PRId64, s / 3600,
                 s / 60 % 60, s % 60, ms % 1000);
    else
        snprintf(buf, len, "%" PRId64 ":%02" PRId64 ".%03" PRId64, s / 60, s % 60, ms % 1000);
    return buf;
}

int rlx_auth_term_width(int fd)
{
    if (!rlx_cli_is_tty(fd))
        return 0;
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    int n = c ? atoi(c) : 0;
    return n > 0 ? n : 80;
}

size_t rlx_auth_width(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

size_t rlx_auth_put_fit(FILE *f, const char *s, size_t width, bool pad)
{
    if (!s)
        s = "";
    size_t total = rlx_auth_width(s), shown = total > width ? (width ? width - 1 : 0) : total;
    size_t cp = 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c & 0xC0) != 0x80) {
            if (cp == shown)
                break;
            cp++;
        }
        fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
    }
    if (total > width && width > 0) {
        fputs("\xE2\x80\xA6", f);
        cp++;
    }
    for (; pad && cp < width; cp++)
        fputc(' ', f);
    return cp;
}

char *rlx_auth_source_line(const char *path, int line)
{
    if (!path || line < 1)
        return NULL;
    /* never block on a FIFO or read a device: regular files only */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    FILE *f = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))) {
        close(fd);
        return NULL;
    }
    enum { MAXLEN = 200 };
    char *out = malloc(MAXLEN + 4);
    size_t n = 0;
    int cur = 1, c;
    long budget = 1 << 20;   /* give up after 1 MB */
    while (out && cur <= line && (c = fgetc(f)) != EOF && budget-- > 0) {
        if (c == '\n') {
            cur++;
            continue;
        }
        if (cur != line || n >= MAXLEN)
            continue;
        if (c == '\r')
            continue;
        out[n++] = c == '\t' ? '\t' : (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    fclose(f);
    if (out && cur < line) {   /* the file has fewer lines */
        free(out);
        return NULL;
    }
    if (out)
        out[n] = 0;
    return out;
}

int rlx_auth_write_output(const char *out, rlx_err (*fn)(FILE *f, void *ctx), void *ctx)
{
    if (!strcmp(out, "-")) {
        rlx_err err = fn(stdout, ctx);
        if (err)
            rlx_cli_error("cannot write to standard output: %s", rlx_strerror(err));
        return err ? rlx_cli_exit_code(err) : RLX_EXIT_OK;
    }
    /* The same temporary-and-rename path as render: OUT is the old file or
     * the whole new one, and a symlink named OUT is replaced, not followed. */
    char why[1024] = "";
    rlx_outfile *of = NULL;
    int fd = -1;
    rlx_err err = rlx_outfile_open(out, &of, &fd, why, sizeof why);
    if (err) {
        rlx_cli_error("%s", why[0] ? why : rlx_strerror(err));
        return rlx_cli_exit_code(err);
    }
    int fd2 = dup(fd);
    FILE *f = fd2 >= 0 ? fdopen(fd2, "w") : NULL;
    if (!f) {
        int e = errno;
        if (fd2 >= 0)
            close(fd2);
        rlx_outfile_abandon(of);
        rlx_cli_error("cannot write '%s': %s", out, strerror(e));
        return RLX_EXIT_OUTPUT;
    }
    errno = 0;
    err = fn(f, ctx);
    int saved = errno;
    if (fclose(f) != 0 && !err) {
        saved = errno;
        err = rlx_outfile_classify(saved);
    }
    if (!err)
        err = rlx_outfile_commit(of, &saved);
    else
        rlx_outfile_abandon(of);
    if (err) {
        rlx_cli_error("cannot write '%s': %s", out,
                      (err == RLX_ERR_OUTPUT || err == RLX_ERR_DISK_FULL) && saved ? strerror(saved)
                                                                                   : rlx_strerror(err));
        return rlx_cli_exit_code(err);
    }
    return RLX_EXIT_OK;
}

void rlx_auth_fill_sources(rlx_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        rlx_diag *g = &d->items[i];
        if (!g->source && g->file && g->line > 0)
            g->source = rlx_auth_source_line(g->file, g->line);
    }
}

typedef struct {
    const rlx_auth_export *e;
    const rlx_session *s;
    const rlx_timeline *t;
} export_job;

static rlx_err export_write(FILE *f, void *ctx)
{
    export_job *j = ctx;
    return j->e->write(f, j->s, j->t, j->e->ctx);
}

int rlx_auth_export_run(const rlx_auth_export *e, int argc, char **argv)
{
    const char *session = NULL, *out = NULL;
    int64_t length_ms = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            e->usage(stdout);
            return RLX_EXIT_OK;
        }
        bool own = false;
        for (size_t k = 0; e->options && e->options[k] && !own; k++)
            own = !strcmp(a, e->options[k]);
        bool common = !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--length");
        if ((own || common) && !v) {
            rlx_cli_error("%s: %s needs a value", e->name, a);
            return RLX_EXIT_USAGE;
        }
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            out = argv[++i];
        } else if (!strcmp(a, "--length")) {
            if (rlx_duration_too_long(argv[i + 1])) {
                rlx_cli_error("%s: --length '%s' is too long (at most " RLX_DURATION_MAX_TEXT ")", e->name,
                              argv[i + 1]);
                return RLX_EXIT_USAGE;
            }
            if (!rlx_parse_duration_ms(argv[++i], &length_ms) || length_ms <= 0) {
                rlx_cli_error("%s: bad --length '%s' (try '20 min')", e->name, argv[i]);
                return RLX_EXIT_USAGE;
            }
        } else if (own) {
            if (!e->option(e->ctx, a, argv[++i]))
                return RLX_EXIT_USAGE;
        } else if (a[0] == '-' && a[1]) {
            rlx_cli_error("%s: unknown option '%s' (try 'relax %s --help')", e->name, a, e->name);
            return RLX_EXIT_USAGE;
        } else if (!session) {
            session = a;
        } else {
            rlx_cli_error("%s: one session at a time ('%s' is extra)", e->name, a);
            return RLX_EXIT_USAGE;
        }
    }
    if (!session || !out) {
        if (!session)
            rlx_cli_error("%s: name a session (try 'relax %s --help')", e->name, e->name);
        else
            rlx_cli_error("%s: name the output with -o %s", e->name, e->output);
        return RLX_EXIT_USAGE;
    }
    /* the format is fixed by the command: a .png or .srt name would mislead */
    const char *want = strrchr(e->output, '.'), *dot = strrchr(out, '.');
    if (strcmp(out, "-") && (!dot || strchr(dot, '/') || strcasecmp(dot, want))) {
        rlx_cli_error("%s writes %s files, not '%s': name the output with -o %s (or - for standard output)",
                      e->name, want, out, e->output);
        return RLX_EXIT_USAGE;
    }
    int prc = rlx_cli_parsed(argv[0]);
    if (prc)
        return prc;
    rlx_diags d = {0};
    rlx_session *s = NULL;
    rlx_timeline *t = NULL;
    rlx_err err = rlx_auth_load_timeline(session, length_ms, &s, &t, &d);
    rlx_auth_fill_sources(&d);
    rlx_cli_print_diags(stderr, &d);
    rlx_diags_free(&d);
    if (err)
        return rlx_cli_exit_code(err);
    export_job job = {.e = e, .s = s, .t = t};
    int rc = rlx_auth_write_output(out, export_write, &job);
    rlx_timeline_free(t);
    rlx_session_free(s);
    return rc;
}
