/* cmd_serve.c - `relax serve`: the phone remote kept up between sessions.
 *
 * The page lists the profiles (clients) with their progress and next week;
 * a tap starts that week for one of them at a chosen length, played as
 * `relax next --profile NAME --length L` plays it (rlx_cli_play_recorded:
 * the listen recorded, the profile's mix applied), with the same server
 * steering it. When it ends the page is back at the list.
 *
 * Threads: this one (control) owns the store, the lobby and the sessions;
 * the server's threads only queue a start and wake it through an eventfd,
 * which the stop signals write to as well, so it sleeps in poll() with
 * nothing to do while idle. One session at a time. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authoring.h"
#include "cli.h"
#include "cli_remote.h"
#include "cli_store.h"
#include "play.h"
#include "remote/remote_api.h"
#include "session/timeline.h"

#define KEY_FILE "remote-key"

static volatile sig_atomic_t stop_signal;
static int wake_fd = -1;

static void wake_up(void)
{
    uint64_t one = 1;
    ssize_t n = write(wake_fd, &one, sizeof one);   /* async-signal-safe; full counter: already awake */
    (void)n;
}

static void on_stop_signal(int sig)
{
    stop_signal = sig;
    wake_up();
}

static void on_wake(void *user)
{
    (void)user;
    wake_up();
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: relax serve [--remote-listen ADDRESS[:PORT]] [--remote-key KEY] [--new-key]\n"
            "                   [--room NAME] [--device NAME|INDEX] [--store PATH|URI]\n"
            "Keeps the phone remote up between sessions: its page lists the profiles with\n"
            "their progress and starts the next week for one of them at a chosen length,\n"
            "as 'relax next --profile NAME --length L' would. One session plays at a time.\n"
            "It listens on every interface (port %d or the next free one) unless\n"
            "--remote-listen says where. The key stays the same from run to run (kept in\n"
            "<data folder>/relax/" KEY_FILE ", mode 0600), so a bookmarked page keeps working;\n"
            "--new-key makes a new one (old links stop working), --remote-key or\n"
            "$RELAX_REMOTE_KEY gives one. Ctrl-C or SIGTERM fades out a session that plays,\n"
            "saves its progress and stops the server.\n",
            RLX_REMOTE_DEFAULT_PORT);
}

/* --- the kept key ------------------------------------------------------------------- */

static int key_path(char *buf, size_t len, char *dir, size_t dirlen)
{
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(dir, dirlen, "%s/relax", xdg);
    else if (home && *home)
        n = snprintf(dir, dirlen, "%s/.local/share/relax", home);
    else
        return -1;
    if (n < 0 || (size_t)n >= dirlen)
        return -1;
    n = snprintf(buf, len, "%s/" KEY_FILE, dir);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int mkdirs(const char *dir)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* The key kept in the data folder: read, or a new one made when there is
 * none or renew is asked (*fresh: keep it with save_key once the server
 * is up, so a command that fails writes nothing). Returns 0 or an exit
 * code after one line. */
static int kept_key(bool renew, char *key, size_t len, char *shown, size_t shownlen, bool *fresh)
{
    *fresh = false;
    char path[4096], dir[4000], why[256];
    if (key_path(path, sizeof path, dir, sizeof dir)) {
        rlx_cli_error("serve: no data folder for the remote's key (set HOME or XDG_DATA_HOME), "
                      "or give one with --remote-key");
        return RLX_EXIT_USAGE;
    }
    snprintf(shown, shownlen, "%s", path);
    if (!renew) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0) {
            struct stat sb;
            char buf[RLX_REMOTE_KEY_MAX + 2];
            ssize_t n = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? read(fd, buf, sizeof buf - 1) : -1;
            close(fd);
            if (n >= 0) {
                buf[n] = '\0';
                buf[strcspn(buf, "\r\n")] = '\0';
            }
            if (n < 0 || !rlx_remote_key_valid(buf)) {
                rlx_cli_error("serve: %s does not hold a valid key; 'relax serve --new-key' replaces it", path);
                return RLX_EXIT_USAGE;
            }
            if (sb.st_mode & 077) {
                rlx_cli_error("serve: %s can be read by other users; 'chmod 600 %s', or "
                              "'relax serve --new-key' for a new key", path, path);
                return RLX_EXIT_USAGE;
            }
            size_t kl = strlen(buf);   /* valid: at most RLX_REMOTE_KEY_MAX */
            if (kl >= len)
                return RLX_EXIT_INTERNAL;
            memcpy(key, buf, kl + 1);
            return 0;
        }
        if (errno != ENOENT) {
            rlx_cli_error("serve: cannot read the remote's key %s: %s", path, strerror(errno));
            return RLX_EXIT_USAGE;
        }
    }
    rlx_err err = rlx_remote_new_key(key, len, why, sizeof why);
    if (err) {
        rlx_cli_error("serve: %s", why);
        return rlx_cli_exit_code(err);
    }
    *fresh = true;
    return 0;
}

static int save_key(const char *key)
{
    char path[4096], dir[4000];
    if (key_path(path, sizeof path, dir, sizeof dir))
        return RLX_EXIT_USAGE;
    /* written whole or not at all: a new file renamed over the old */
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp)
        tmp[0] = '\0';   /* cannot be: path is shorter */
    int fd = -1;
    bool ok = mkdirs(dir) == 0 && (fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >= 0;
    if (ok) {
        size_t n = strlen(key);
        ok = write(fd, key, n) == (ssize_t)n && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
        ok = close(fd) == 0 && ok;
        ok = ok && rename(tmp, path) == 0;
        if (!ok)
            unlink(tmp);
    }
    if (!ok) {
        rlx_cli_error("serve: cannot keep the remote's key in %s: %s", path, strerror(errno));
        return RLX_EXIT_OUTPUT;
    }
    return 0;
}

/* --- the lobby ---------------------------------------------------------------------- */

/* Lengths of a session file, remembered by path and content (the voice is
 * measured once: the first time may speak every line into the cache). */
typedef struct {
    char *path;
    uint64_t hash;
    int64_t shortest, natural, longest;
} range_memo;

typedef struct {
    rlx_cli_store_opts store;
    const char *device;
    rlx_remote *rm;
    range_memo *memo;
    size_t nmemo;
    rlx_remote_profile *lobby;
    size_t nlobby;
    char *paths[RLX_REMOTE_PROFILES_MAX];   /* the session file of each lobby entry */
    char message[256];                      /* why the last start failed */
} serve_ctx;

static bool week_range(serve_ctx *c, const char *path, int64_t *shortest, int64_t *natural, int64_t *longest)
{
    rlx_session *s = NULL;
    rlx_diags d = {0};
    bool ok = false;
    if (rlx_cli_load_session(path, &s, &d) == RLX_OK) {
        for (size_t i = 0; i < c->nmemo; i++)
            if (!strcmp(c->memo[i].path, path) && c->memo[i].hash == s->hash) {
                *shortest = c->memo[i].shortest;
                *natural = c->memo[i].natural;
                *longest = c->memo[i].longest;
                rlx_session_free(s);
                return true;
            }
        int64_t *ms = NULL;
        ok = rlx_auth_durations(s, &ms, &d) == RLX_OK &&
             rlx_timeline_range(s, ms, 0, shortest, natural, longest, &d) == RLX_OK;
        free(ms);
        range_memo *m = ok ? realloc(c->memo, (c->nmemo + 1) * sizeof *m) : NULL;
        if (m) {
            c->memo = m;
            m[c->nmemo] = (range_memo){strdup(path), s->hash, *shortest, *natural, *longest};
            if (m[c->nmemo].path)
                c->nmemo++;
        }
    }
    if (!ok)
        rlx_cli_print_diags(stderr, &d);
    rlx_diags_free(&d);
    rlx_session_free(s);
    return ok;
}

static void lobby_free(serve_ctx *c)
{
    for (size_t i = 0; i < c->nlobby; i++)
        free(c->paths[i]);
    free(c->lobby);
    c->lobby = NULL;
    c->nlobby = 0;
}

/* One profile's line: what a start would play. */
static void lobby_entry(serve_ctx *c, const char *name, const rlx_cli_progress *p, rlx_remote_profile *e,
                        char **path)
{
    char t[32], day[64];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->weeks = (int)p->n;
    for (size_t i = 0; i < p->n; i++)
        e->done += p->status[i].state == RLX_WEEK_DONE;
    if (p->sum.all_done) {
        snprintf(e->next, sizeof e->next, "all %zu weeks completed", p->n);
        return;
    }
    if (p->sum.next < 0) {
        if (p->sum.waiting >= 0)
            snprintf(e->next, sizeof e->next, "week %d opens on %s", p->sum.waiting + 1,
                     rlx_cli_fmt_day(p->sum.waiting_opens_ms, day, sizeof day));
        else
            snprintf(e->next, sizeof e->next, "the program has no sessions");
        return;
    }
    int w = p->sum.next;
    const rlx_cli_week *wk = &p->weeks[w];
    int64_t shortest, natural, longest, from, fade, length;
    if (!week_range(c, wk->path, &shortest, &natural, &longest)) {
        snprintf(e->next, sizeof e->next, "week %d cannot be played until it is fixed (relax check)", w + 1);
        return;
    }
    rlx_cli_next_start(p, w, 0, &from, &fade, &length);
    e->week = w + 1;
    snprintf(e->session, sizeof e->session, "%s", wk->id);
    snprintf(e->title, sizeof e->title, "%s", wk->title ? wk->title : wk->id);
    e->resume_ms = p->sum.resume ? from : 0;   /* where it starts again, as said below */
    e->length_min_ms = shortest;
    e->length_max_ms = longest;
    e->length_ms = length <= 0 ? natural : length < shortest ? shortest : length > longest ? longest : length;
    if (e->resume_ms > 0)
        snprintf(e->next, sizeof e->next, "week %d, resumes at %s", w + 1, rlx_cli_fmt_time(from, t, sizeof t));
    else
        snprintf(e->next, sizeof e->next, "week %d", w + 1);
    *path = strdup(wk->path);
}

/* Reads every profile's progress and gives the list to the server. A store
 * that cannot be read leaves the list as it was (said on stderr). */
static void lobby_load(serve_ctx *c)
{
    rlx_store *st;
    char why[1024];
    if (rlx_cli_store_open_ex(&c->store, 0, &st, why, sizeof why))
        return;
    rlx_profile *profiles = NULL;
    size_t n = 0;
    rlx_err err = rlx_store_profiles(st, &profiles, &n, why, sizeof why);
    if (err) {
        rlx_cli_error("serve: %s", why);
        rlx_store_close(st);
        return;
    }
    if (n > RLX_REMOTE_PROFILES_MAX)
        n = RLX_REMOTE_PROFILES_MAX;
    rlx_remote_profile *lobby = calloc(n ? n : 1, sizeof *lobby);
    char *paths[RLX_REMOTE_PROFILES_MAX] = {0};
    size_t k = 0;
    for (size_t i = 0; lobby && i < n; i++) {
        rlx_cli_progress p;
        if (rlx_cli_progress_load(st, profiles[i].name, false, &p))
            continue;
        lobby_entry(c, profiles[i].name, &p, &lobby[k], &paths[k]);
        k++;
        rlx_cli_progress_free(&p);
    }
    rlx_store_profiles_free(profiles, n);
    rlx_store_close(st);
    if (!lobby)
        return;
    lobby_free(c);
    c->lobby = lobby;
    c->nlobby = k;
    memcpy(c->paths, paths, sizeof paths);
    rlx_remote_set_profiles(c->rm, lobby, k);
}

static void publish_idle(serve_ctx *c)
{
    rlx_remote_status st = {.state = RLX_REMOTE_IDLE};
    snprintf(st.message, sizeof st.message, "%s", c->message);
    rlx_remote_set_profile(c->rm, NULL);
    rlx_remote_publish(c->rm, &st);
}

/* --- one session -------------------------------------------------------------------- */

/* Plays the profile's next week as `relax next --profile NAME --length L`.
 * Returns the player's exit code. */
static int play_for(serve_ctx *c, const rlx_remote_cmd *cmd)
{
    size_t i;
    for (i = 0; i < c->nlobby && strcmp(c->lobby[i].name, cmd->profile); i++)
        ;
    c->message[0] = '\0';
    if (i == c->nlobby || !c->paths[i]) {   /* the server checked it against this very list */
        snprintf(c->message, sizeof c->message, "%s has no week to play now", cmd->profile);
        return RLX_EXIT_USAGE;
    }
    /* the progress as it is now: where it resumes */
    rlx_store *st;
    char why[1024];
    int rc = rlx_cli_store_open_ex(&c->store, 0, &st, why, sizeof why);
    rlx_cli_progress p;
    if (!rc) {
        rc = rlx_cli_progress_load(st, cmd->profile, false, &p);
        rlx_store_close(st);
    }
    if (rc) {
        snprintf(c->message, sizeof c->message, "the progress store could not be read (see the server's log)");
        return rc;
    }
    int w = p.sum.next;
    if (w < 0 || strcmp(p.weeks[w].path, c->paths[i])) {
        snprintf(c->message, sizeof c->message, "%s's progress changed meanwhile; choose again", cmd->profile);
        rlx_cli_progress_free(&p);
        return RLX_EXIT_USAGE;
    }
    rlx_play_opts o = rlx_play_opts_init();
    int64_t fade;
    rlx_cli_next_start(&p, w, cmd->ms, &o.from_ms, &fade, &o.length_ms);
    o.resume_fade_ms = (int)fade;
    o.length_fit = true;   /* a length between two versions of the session: the nearest one */
    o.device = c->device;
    o.profile = cmd->profile;
    o.store_path = c->store.store;
    o.remote = true;
    o.remote_open = c->rm;
    o.quit_flag = &stop_signal;
    char t[32];
    fprintf(stderr, "relax: serve: week %d for %s (%s)\n", w + 1, cmd->profile,
            rlx_cli_fmt_time(o.length_ms, t, sizeof t));
    rlx_remote_set_profile(c->rm, cmd->profile);
    char *path = strdup(p.weeks[w].path);
    rlx_cli_progress_free(&p);
    rc = path ? rlx_cli_play_recorded(path, &o) : RLX_EXIT_INTERNAL;
    free(path);
    const char *what = rc == RLX_EXIT_NO_DEVICE     ? "no audio output device was found"
                       : rc == RLX_EXIT_DEVICE_LOST ? "the audio device was lost"
                       : rc == RLX_EXIT_STORE       ? "the progress store failed"
                       : rc == RLX_EXIT_SESSION     ? "the session file has errors (relax check)"
                                                    : "it stopped with an error";
    if (rc != RLX_EXIT_OK && rc != RLX_EXIT_INTERRUPTED)
        snprintf(c->message, sizeof c->message, "The session for %s did not play to its end: %s "
                 "(exit %d; the server's log says more).", cmd->profile, what, rc);
    return rc;
}

/* --- the command -------------------------------------------------------------------- */

int rlx_cmd_serve(int argc, char **argv)
{
    serve_ctx c = {0};
    rlx_cli_remote_opts ro = {.on = true, .serve = true, .wake = on_wake};
    const char *room = NULL;
    bool new_key = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return RLX_EXIT_OK;
        } else if (!strcmp(a, "--new-key")) {
            new_key = true;
        } else if (!strcmp(a, "--remote")) {
            /* the default: accepted as for play */
        } else if (!strcmp(a, "--remote-listen") || !strcmp(a, "--remote-key") || !strcmp(a, "--room") ||
                   !strcmp(a, "--device") || !strcmp(a, "--store")) {
            if (i + 1 >= argc || !*argv[i + 1]) {
                rlx_cli_error("serve: %s needs a value (try 'relax serve --help')", a);
                return RLX_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--remote-listen"))
                ro.listen = v;
            else if (!strcmp(a, "--remote-key"))
                ro.key = v;
            else if (!strcmp(a, "--room"))
                room = v;
            else if (!strcmp(a, "--device"))
                c.device = v;
            else {
                c.store.store = v;
                rlx_cli_warn_password(v);
            }
        } else {
            rlx_cli_error("serve: unknown %s '%s' (try 'relax serve --help')", a[0] == '-' ? "option" : "argument",
                          a);
            return RLX_EXIT_USAGE;
        }
    }
    if (ro.key && new_key) {
        rlx_cli_error("serve: --new-key and --remote-key cannot go together: choose one");
        return RLX_EXIT_USAGE;
    }
    int rc = rlx_cli_set_room(room);
    if (!rc)
        rc = rlx_cli_parsed(argv[0]);
    if (rc)
        return rc;
    ro.room = rlx_cli_room();
    if (!ro.key && !new_key) {
        const char *env = getenv("RELAX_REMOTE_KEY");
        if (env && *env)
            ro.key = env;
    }
    char key[RLX_REMOTE_KEY_MAX + 1], keyfile[4096] = "";
    bool fresh = false;
    if (!ro.key) {
        if ((rc = kept_key(new_key, key, sizeof key, keyfile, sizeof keyfile, &fresh)))
            return rc;
        ro.key = key;
    }
    /* the store before anything listens: a broken one is said at once */
    rlx_store *st;
    if ((rc = rlx_cli_store_open(&c.store, &st)))
        return rc;
    rlx_store_close(st);

    wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd < 0) {
        rlx_cli_error("serve: %s", strerror(errno));
        return RLX_EXIT_INTERNAL;
    }
    stop_signal = 0;
    struct sigaction sa = {0}, old_int, old_term, old_hup;
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);

    if ((rc = rlx_cli_remote_open(&ro, &c.rm)))
        goto done;
    if (fresh && (rc = save_key(key)))
        goto done;
    if (keyfile[0])
        fprintf(stderr, "relax: serve: the key is kept in %s (--new-key replaces it)\n", keyfile);
    publish_idle(&c);
    lobby_load(&c);
    fprintf(stderr, "relax: serve: %zu profile%s; Ctrl-C stops the server\n", c.nlobby, c.nlobby == 1 ? "" : "s");

    while (!stop_signal) {
        rlx_remote_cmd cmd;
        bool played = false;
        while (!stop_signal && rlx_remote_take(c.rm, &cmd)) {
            if (cmd.op != RLX_REMOTE_CMD_START)
                continue;   /* for a session that is over */
            int prc = play_for(&c, &cmd);
            played = true;
            if (!stop_signal && prc != RLX_EXIT_INTERRUPTED)
                lobby_load(&c);   /* the progress the page shows next */
            publish_idle(&c);
            if (prc == RLX_EXIT_INTERRUPTED) {
                /* the player's own handler took the signal (it fades out and
                 * saves the progress): the server stops as for its own */
                stop_signal = SIGTERM;
                break;
            }
        }
        if (stop_signal)
            break;
        if (!played && rlx_remote_profiles_wanted(c.rm))
            lobby_load(&c);
        struct pollfd pf = {.fd = wake_fd, .events = POLLIN};
        if (poll(&pf, 1, -1) > 0) {
            uint64_t v;
            ssize_t n = read(wake_fd, &v, sizeof v);
            (void)n;
        }
    }
    fprintf(stderr, "relax: serve: stopped\n");
    rc = RLX_EXIT_OK;

done:
    rlx_remote_close(c.rm);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    close(wake_fd);
    wake_fd = -1;
    lobby_free(&c);
    for (size_t i = 0; i < c.nmemo; i++)
        free(c.memo[i].path);
    free(c.memo);
    return rc;
}
