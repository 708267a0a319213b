/* cmd_calendar.c - `relax calendar [--profile NAME] -o FILE.ics`: the
 * profile's coming weeks as an iCalendar file any calendar app imports. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authoring.h"
#include "cli.h"
#include "cli_store.h"
#include "store/calendar.h"

static void usage(FILE *f)
{
    fputs("Usage: relax calendar [--profile NAME] [--store PATH] -o FILE.ics\n"
          "Writes the weeks you have not done yet as an iCalendar (RFC 5545) file: one\n"
          "event when each week opens, with a gentle reminder. Weeks that wait on a\n"
          "week not yet completed are marked planned (the date holds if each week is\n"
          "completed on the day it opens). Run it again after a completed week.\n"
          "  -o, --output FILE.ics   the file to write ('-' for standard output)\n",
          f);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* Writes through a hidden temporary beside out, renamed over it when
 * complete: out is never half-written. Returns an exit code (message printed). */
static int write_atomic(const char *out, const rlx_calendar_info *info, const rlx_calendar_event *ev,
                        size_t n)
{
    if (!strcmp(out, "-")) {
        if (rlx_calendar_write(stdout, info, ev, n) != RLX_OK) {
            rlx_cli_error("cannot write to standard output: %s", strerror(errno));
            return RLX_EXIT_OUTPUT;
        }
        return RLX_EXIT_OK;
    }
    size_t len = strlen(out);
    char *tmp = malloc(len + 16);
    if (!tmp)
        return RLX_EXIT_INTERNAL;
    const char *slash = strrchr(out, '/');
    size_t dirlen = slash ? (size_t)(slash - out) + 1 : 0;
    snprintf(tmp, len + 16, "%.*s.%s.XXXXXX", (int)dirlen, out, out + dirlen);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        rlx_cli_error("cannot write %s: %s", out, strerror(errno));
        free(tmp);
        return RLX_EXIT_OUTPUT;
    }
    (void)fchmod(fd, 0644);   /* mkstemp makes 0600; a calendar is meant to be shared with an app */
    /* made in memory (it is small), then written with plain write(2) calls */
    char *text = NULL;
    size_t textlen = 0;
    FILE *mem = open_memstream(&text, &textlen);
    rlx_err err = mem ? rlx_calendar_write(mem, info, ev, n) : RLX_ERR_NOMEM;
    if (mem && fclose(mem) != 0 && err == RLX_OK)
        err = RLX_ERR_NOMEM;
    int saved = 0;
    for (size_t done = 0; err == RLX_OK && done < textlen;) {
        ssize_t w = write(fd, text + done, textlen - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            err = RLX_ERR_OUTPUT;
            saved = w < 0 ? errno : ENOSPC;
        } else {
            done += (size_t)w;
        }
    }
    free(text);
    if (err == RLX_OK && fsync(fd) != 0) {
        err = RLX_ERR_OUTPUT;
        saved = errno;
    }
    if (close(fd) != 0 && err == RLX_OK) {
        err = RLX_ERR_OUTPUT;
        saved = errno;
    }
    if (err == RLX_OK && rename(tmp, out) != 0) {
        err = RLX_ERR_OUTPUT;
        saved = errno;
    }
    if (err) {
        unlink(tmp);
        rlx_cli_error("cannot write %s: %s", out,
                      err == RLX_ERR_NOMEM ? rlx_strerror(err)
                      : saved == ENOSPC ? "no space left on the device" : strerror(saved ? saved : EIO));
    }
    free(tmp);
    return err ? RLX_EXIT_OUTPUT : RLX_EXIT_OK;
}

/* Summary of a week's session, and the length it will play at: the
 * profile's remembered one (want_ms > 0) brought into its range, as `relax
 * next` does, else its natural length (0 when they cannot be had). */
static void session_facts(const char *path, int64_t want_ms, char **summary, int64_t *length_ms)
{
    *summary = NULL;
    *length_ms = 0;
    rlx_parse_config cfg = rlx_cli_parse_config(true);
    rlx_session *s = NULL;
    rlx_diags d = {0};
    if (rlx_session_parse(path, &cfg, &s, &d) == RLX_OK) {
        *summary = s->summary ? strdup(s->summary) : NULL;
        int64_t *ms = NULL, shortest, natural, longest;
        if (rlx_auth_durations(s, &ms, &d) == RLX_OK &&
            rlx_timeline_range(s, ms, 0, &shortest, &natural, &longest, &d) == RLX_OK)
            *length_ms = want_ms <= 0 ? natural : want_ms < shortest ? shortest : want_ms > longest ? longest : want_ms;
        free(ms);
    }
    rlx_session_free(s);
    rlx_diags_free(&d);
}

int rlx_cmd_calendar(int argc, char **argv)
{
    /* -o is ours; the rest are the progress commands' options */
    const char *out = NULL;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest)
        return RLX_EXIT_INTERNAL;
    int nrest = 0;
    rest[nrest++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (i + 1 >= argc || !*argv[i + 1]) {
                rlx_cli_error("calendar: %s needs a file name (FILE.ics)", a);
                free(rest);
                return RLX_EXIT_USAGE;
            }
            out = argv[++i];
        } else if (!strncmp(a, "--output=", 9)) {
            out = a + 9;
        } else {
            rest[nrest++] = argv[i];
        }
    }
    rlx_cli_store_opts o;
    int rc = rlx_cli_store_args(nrest, rest, "profile store", &o);
    free(rest);
    if (rc)
        return rc;
    if (o.help) {
        usage(stdout);
        return RLX_EXIT_OK;
    }
    if (!out) {
        rlx_cli_error("calendar: name the output with -o FILE.ics");
        return RLX_EXIT_USAGE;
    }
    if (strcmp(out, "-") && (!ends_with(out, ".ics") || ends_with(out, "/.ics") || !strcmp(out, ".ics"))) {
        rlx_cli_error("calendar writes .ics files, not '%s': name the output with -o FILE.ics "
                      "(or - for standard output)", out);
        return RLX_EXIT_USAGE;
    }
    if ((rc = rlx_cli_parsed(argv[0])))
        return rc;
    const char *profile = rlx_store_resolve_profile(o.profile);
    rlx_store *st;
    if ((rc = rlx_cli_store_open_existing(&o, &st)))
        return rc;
    rlx_cli_progress p;
    rc = rlx_cli_progress_load(st, profile, false, &p);
    /* the length the profile chose last (`next --length`) is the one it plays at */
    rlx_profile me = {0};
    char why[1024];
    int64_t want_ms = rlx_store_profile_get(st, profile, false, &me, why, sizeof why) == RLX_OK ? me.length_ms : 0;
    rlx_profile_clear(&me);
    rlx_store_close(st);
    if (rc)
        return rc;
    if (p.sum.all_done) {
        printf("All %zu weeks are done: there is nothing left to remind you of, so no calendar was written.\n", p.n);
        rlx_cli_progress_free(&p);
        return RLX_EXIT_OK;
    }
    size_t n = p.n ? p.n : 1;
    int64_t *opens = calloc(n, sizeof *opens);
    bool *planned = calloc(n, sizeof *planned);
    rlx_calendar_event *ev = calloc(n, sizeof *ev);
    char **summaries = calloc(n, sizeof *summaries);
    if (!opens || !planned || !ev || !summaries) {
        rc = RLX_EXIT_INTERNAL;
        goto done;
    }
    rlx_calendar_plan(p.status, p.n, p.program->wait_s * 1000, p.now_ms, opens, planned);
    size_t nev = 0, nplanned = 0;
    for (size_t i = 0; i < p.n; i++) {
        if (p.status[i].state == RLX_WEEK_DONE)
            continue;
        rlx_calendar_event *e = &ev[nev++];
        e->week = (int)i + 1;
        e->session_id = p.weeks[i].id;
        e->title = p.weeks[i].title;
        session_facts(p.weeks[i].path, want_ms, &summaries[i], &e->length_ms);
        e->summary = summaries[i];
        e->opens_ms = opens[i];
        e->planned = planned[i];
        e->open_now = opens[i] <= p.now_ms;
        nplanned += planned[i];
    }
    /* the command to run, with the profile when it is not the default one
     * (quoted for a shell when its name needs it) */
    char listen[400] = "relax next", q[300];
    if (strcmp(profile, "default"))
        snprintf(listen, sizeof listen, "relax next --profile %s", rlx_cli_shell_word(profile, q, sizeof q));
    rlx_calendar_info info = {.profile = profile, .program_id = p.program->id ? p.program->id : "",
                              .version = RLX_VERSION, .weeks_total = p.n, .now_ms = p.now_ms,
                              .listen_cmd = listen};
    rc = write_atomic(out, &info, ev, nev);
    if (rc == RLX_EXIT_OK && strcmp(out, "-")) {
        fprintf(stderr, "wrote %s: %zu week%s (%zu planned); import it into your calendar app, "
                "and run this again after each completed week\n",
                out, nev, nev == 1 ? "" : "s", nplanned);
    }
done:
    for (size_t i = 0; summaries && i < p.n; i++)
        free(summaries[i]);
    free(summaries);
    free(ev);
    free(planned);
    free(opens);
    rlx_cli_progress_free(&p);
    return rc;
}
