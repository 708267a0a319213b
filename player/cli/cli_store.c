/* cli_store.c - shared pieces of the progress commands. */
#include "cli_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "authoring.h"
#include "cli.h"
#include "cli_paths.h"
#include "store/listen.h"

static bool allowed_opt(const char *allowed, const char *name)
{
    size_t n = strlen(name);
    if (n == 0)
        return false;   /* "--" alone: strstr finds "" everywhere and the walk below would not move */
    for (const char *p = allowed; (p = strstr(p, name)); p += n)
        if ((p == allowed || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
            return true;
    return false;
}

int rlx_cli_store_args(int argc, char **argv, const char *allowed, rlx_cli_store_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        const char *name = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            o->help = true;
            continue;
        }
        if (!strncmp(a, "--profile", 9) || !strncmp(a, "--store", 7) || !strncmp(a, "--room", 6)) {
            name = a[2] == 'p' ? "profile" : a[2] == 's' ? "store" : "room";
            size_t n = strlen(name) + 2;
            if (a[n] == '=')
                val = a + n + 1;
            else if (a[n] == 0 && i + 1 < argc)
                val = argv[++i];
            else if (a[n] == 0) {
                rlx_cli_error("%s needs a value", a);
                return RLX_EXIT_USAGE;
            } else
                name = NULL;
        } else if (!strncmp(a, "--", 2)) {
            name = a + 2;
        }
        if (!name || !allowed_opt(allowed, name)) {
            rlx_cli_error("%s: unknown option or argument '%s' (try 'relax %s --help')", argv[0], a, argv[0]);
            return RLX_EXIT_USAGE;
        }
        if (!strcmp(name, "profile")) {
            o->profile = val;
        } else if (!strcmp(name, "store")) {
            if (!*val) {
                rlx_cli_error("--store needs a file path");
                return RLX_EXIT_USAGE;
            }
            o->store = val;
            rlx_cli_warn_password(val);
        } else if (!strcmp(name, "room")) {
            o->room = val;
        } else if (!strcmp(name, "json"))
            o->json = true;
        else if (!strcmp(name, "csv"))
            o->csv = true;
        else if (!strcmp(name, "any"))
            o->any = true;
        else if (!strcmp(name, "all"))
            o->all = true;
        else if (!strcmp(name, "names"))
            o->names = true;
    }
    int rc = rlx_cli_check_profile(o->profile);
    if (!rc && allowed_opt(allowed, "room"))
        rc = rlx_cli_set_room(o->room);
    return rc;
}

static const char *cli_room;

int rlx_cli_set_room(const char *given)
{
    const char *r = given && !*given ? given : rlx_store_resolve_room(given);   /* "": not a name */
    if (r && !rlx_profile_name_valid(r)) {
        rlx_cli_error("invalid room name '%s'%s: use 1 to %d printable characters", r,
                      given ? "" : " (from RELAX_ROOM)", RLX_ROOM_NAME_MAX);
        return RLX_EXIT_USAGE;
    }
    cli_room = r;
    return 0;
}

const char *rlx_cli_room(void)
{
    return cli_room ? cli_room : rlx_store_resolve_room(NULL);
}

void rlx_cli_warn_password(const char *store)
{
    if (store && rlx_store_has_password(store))
        rlx_cli_error("note: the password in --store shows in 'ps' and shell history; put it in ~/.pgpass "
                      "(or PGPASSFILE, or a service file) and leave it out of the connection string");
}

int rlx_cli_check_profile(const char *given)
{
    const char *p = given ? given : rlx_store_resolve_profile(NULL);
    if (!rlx_profile_name_valid(p)) {
        rlx_cli_error("invalid profile name '%s'%s: use 1 to %d printable characters", p,
                      given ? "" : " (from RELAX_PROFILE)", RLX_PROFILE_NAME_MAX);
        return RLX_EXIT_USAGE;
    }
    return 0;
}

int rlx_cli_store_open_ex(const rlx_cli_store_opts *o, unsigned flags, rlx_store **out, char *why, size_t whylen)
{
    char path[4096];
    if (rlx_store_resolve_path(o->store, path, sizeof path) != RLX_OK) {
        rlx_cli_error("no place for the progress store: set HOME, XDG_DATA_HOME or RELAX_STORE, or use --store PATH");
        return RLX_EXIT_USAGE;
    }
    rlx_err err = rlx_store_open_ex(path, flags, out, why, whylen);
    if (err) {
        char target[4096];
        struct stat st;
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (err != RLX_ERR_NOMEM && n > 0 && stat(path, &st) != 0 && (errno == ENOENT || errno == ELOOP)) {
            target[n] = 0;
            rlx_cli_error("the progress store %s is a symbolic link to %s, which %s; fix or remove the "
                          "link, or use --store PATH",
                          path, target, errno == ELOOP ? "loops back on itself" : "does not exist nor can be made there");
        } else {
            rlx_cli_error("%s", err == RLX_ERR_NOMEM ? rlx_strerror(err) : why);
        }
        return rlx_cli_exit_code(err);
    }
    /* Whoever may write the store's folder can replace the progress. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = 0;
    else
        snprintf(dir, sizeof dir, ".");
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH)))
        fprintf(stderr, "relax: warning: the progress store's folder %s can be written by other users "
                        "(group or others); they could replace your progress: chmod go-w %s\n", dir, dir);
    return 0;
}

int rlx_cli_store_open_existing(const rlx_cli_store_opts *o, rlx_store **out)
{
    char path[4096];
    struct stat st;
    if (o->store && *o->store && rlx_store_resolve_path(o->store, path, sizeof path) == RLX_OK &&
        !rlx_store_is_pg(path) && lstat(path, &st) != 0 && errno == ENOENT) {
        rlx_cli_error("no progress store at %s: nothing has been played with it yet; check the name, "
                      "or play with it first ('relax next --store %s')", path, path);
        return RLX_EXIT_STORE;
    }
    return rlx_cli_store_open(o, out);
}

int rlx_cli_store_open(const rlx_cli_store_opts *o, rlx_store **out)
{
    char why[1024];
    return rlx_cli_store_open_ex(o, 0, out, why, sizeof why);
}

void rlx_cli_note_unknown_profile(rlx_store *st, const char *profile)
{
    char why[1024];
    rlx_profile me = {0};
    rlx_err err = rlx_store_profile_get(st, profile, false, &me, why, sizeof why);
    rlx_profile_clear(&me);
    if (err != RLX_ERR_NOT_FOUND)
        return;
    rlx_profile *all = NULL;
    size_t n = 0;
    if (rlx_store_profiles(st, &all, &n, why, sizeof why) != RLX_OK || n == 0)
        return;   /* a fresh store: nothing to confuse it with */
    char names[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s'%s'", i ? ", " : "", all[i].name);
    rlx_store_profiles_free(all, n);
    rlx_cli_error("note: no profile '%s' yet (it starts with its first listen); profiles here: %s",
                  profile, names);
}

/* RELAX_NOW (seconds since the epoch) fixes "now" for tests and demos. */
static int64_t cli_now_ms(void)
{
    const char *env = getenv("RELAX_NOW");
    if (env && *env) {
        char *end;
        long long s = strtoll(env, &end, 10);
        if (!*end && s > 0)
            return (int64_t)s * 1000;
    }
    return rlx_store_now_ms();
}

static char *basename_id(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char *id = strdup(b);
    if (id) {
        char *dot = strstr(id, ".session");
        if (dot && !dot[8])
            *dot = 0;
    }
    return id;
}

int rlx_cli_progress_load(rlx_store *st, const char *profile, bool any, rlx_cli_progress *p)
{
    memset(p, 0, sizeof *p);
    p->now_ms = cli_now_ms();
    int rc = rlx_cli_load_program(&p->program);
    if (rc)
        return rc;
    p->n = p->program->nentries;
    p->weeks = calloc(p->n ? p->n : 1, sizeof *p->weeks);
    p->in = calloc(p->n ? p->n : 1, sizeof *p->in);
    p->status = calloc(p->n ? p->n : 1, sizeof *p->status);
    p->rendered_ms = calloc(p->n ? p->n : 1, sizeof *p->rendered_ms);
    if (!p->weeks || !p->in || !p->status || !p->rendered_ms)
        goto nomem;
    rlx_parse_config cfg = rlx_cli_parse_config(false);
    for (size_t i = 0; i < p->n; i++) {
        rlx_cli_week *w = &p->weeks[i];
        const char *path = p->program->entries[i].path;
        rlx_session *s = NULL;
        rlx_diags sd = {0};
        if (rlx_session_parse(path, &cfg, &s, &sd) == RLX_OK && s->id) {
            w->id = strdup(s->id);
            w->title = s->title ? strdup(s->title) : NULL;
        } else {
            w->id = basename_id(path);
        }
        rlx_session_free(s);
        rlx_diags_free(&sd);
        /* the user's own session with this week's id wins, as for `relax play ID` */
        char *own = w->id ? rlx_cli_session_override(path, w->id) : NULL;
        if (own) {
            s = NULL;
            if (rlx_session_parse(own, &cfg, &s, &sd) == RLX_OK && s->title) {
                free(w->title);
                w->title = strdup(s->title);
            }
            rlx_session_free(s);
            rlx_diags_free(&sd);
            w->path = own;
        } else {
            w->path = strdup(path);
        }
        if (!w->id || !w->path)
            goto nomem;
    }

    rlx_listen_rec *recs;
    size_t n;
    char why[1024];
    rlx_err err = rlx_store_listens(st, profile, NULL, &recs, &n, why, sizeof why);
    if (err) {
        rlx_cli_error("%s", why);
        rlx_cli_progress_free(p);
        return rlx_cli_exit_code(err);
    }
    /* rows come oldest first: the last one seen per week is its latest listen */
    const rlx_listen_rec **latest = calloc(p->n ? p->n : 1, sizeof *latest);
    if (!latest) {
        rlx_store_listens_free(recs, n);
        goto nomem;
    }
    for (size_t r = 0; r < n; r++) {
        if (recs[r].rendered) {   /* an offline render: nothing heard, only remembered */
            for (size_t i = 0; i < p->n; i++)
                if (!strcmp(recs[r].session_id, p->weeks[i].id))
                    p->rendered_ms[i] = recs[r].started_ms;
            continue;
        }
        p->listens++;
        p->listened_ms += recs[r].played_ms;
        if (recs[r].started_ms > p->last_listen_ms) {
            p->last_listen_ms = recs[r].started_ms;
            free(p->last_room);
            p->last_room = recs[r].room ? strdup(recs[r].room) : NULL;
        }
        for (size_t i = 0; i < p->n; i++) {
            if (strcmp(recs[r].session_id, p->weeks[i].id))
                continue;
            if (recs[r].completed && !p->in[i].completed_ms)
                p->in[i].completed_ms = recs[r].ended_ms > 0 ? recs[r].ended_ms : 1;
            if (recs[r].started_ms >= p->in[i].last_listen_ms)
                p->in[i].last_listen_ms = recs[r].started_ms;
            latest[i] = &recs[r];
            p->rendered_ms[i] = 0;   /* heard since it was rendered */
        }
    }
    for (size_t i = 0; i < p->n; i++) {
        const rlx_listen_rec *l = latest[i];
        if (l && !l->completed && l->position_ms > 0 && l->position_ms < l->length_ms) {
            p->in[i].resume_ms = l->position_ms;
            p->in[i].length_ms = l->length_ms;
        }
    }
    free(latest);
    rlx_store_listens_free(recs, n);
    rlx_schedule_compute(p->in, p->n, p->program->wait_s * 1000, p->now_ms, any, p->status, &p->sum);
    return 0;

nomem:
    rlx_cli_progress_free(p);
    rlx_cli_error("%s", rlx_strerror(RLX_ERR_NOMEM));
    return RLX_EXIT_INTERNAL;
}

int rlx_cli_record_render(const rlx_cli_store_opts *o, const char *profile, const char *path,
                          int64_t length_ms)
{
    rlx_parse_config cfg = rlx_cli_parse_config(false);
    rlx_session *s = NULL;
    rlx_diags d = {0};
    rlx_err err = rlx_session_parse(path, &cfg, &s, &d);
    rlx_diags_free(&d);
    if (err) {
        rlx_cli_error("cannot read %s again to record the render: %s", path, rlx_strerror(err));
        return rlx_cli_exit_code(err);
    }
    if (length_ms <= 0) {   /* its natural length; the voice is in the cache by now */
        int64_t *ms = NULL, longest;
        if (rlx_auth_durations(s, &ms, &d) != RLX_OK ||
            rlx_timeline_lengths(s, ms, &length_ms, &longest, &d) != RLX_OK)
            length_ms = 0;
        free(ms);
        rlx_diags_free(&d);
    }
    char hash[17];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)s->hash);
    int64_t now = cli_now_ms();
    rlx_listen_rec r = {.profile = (char *)profile, .session_id = s->id, .session_hash = hash,
                        .week = s->week, .length_ms = length_ms, .started_ms = now, .ended_ms = now,
                        .finished = true, .rendered = true};
    rlx_store *st;
    int rc = rlx_cli_store_open(o, &st);
    if (rc == 0) {
        char why[1024];
        if ((err = rlx_store_listen_add(st, &r, why, sizeof why))) {
            rlx_cli_error("%s", err == RLX_ERR_NOMEM ? rlx_strerror(err) : why);
            rc = rlx_cli_exit_code(err);
        }
        rlx_store_close(st);
    }
    rlx_session_free(s);
    return rc;
}

void rlx_cli_progress_free(rlx_cli_progress *p)
{
    if (p->weeks)
        for (size_t i = 0; i < p->n; i++) {
            free(p->weeks[i].path);
            free(p->weeks[i].id);
            free(p->weeks[i].title);
        }
    free(p->weeks);
    free(p->in);
    free(p->status);
    free(p->rendered_ms);
    free(p->last_room);
    rlx_program_free(p->program);
    memset(p, 0, sizeof *p);
}

static struct tm local_tm(int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    return tm;
}

const char *rlx_cli_fmt_day(int64_t ms, char *buf, size_t len)
{
    struct tm tm = local_tm(ms);
    char month[32], wday[32];
    strftime(wday, sizeof wday, "%A", &tm);
    strftime(month, sizeof month, "%B", &tm);
    snprintf(buf, len, "%s %d %s", wday, tm.tm_mday, month);
    return buf;
}

const char *rlx_cli_fmt_date(int64_t ms, char *buf, size_t len)
{
    struct tm tm = local_tm(ms);
    char wday[16], month[16];
    strftime(wday, sizeof wday, "%a", &tm);
    strftime(month, sizeof month, "%b", &tm);
    snprintf(buf, len, "%s %d %s %d", wday, tm.tm_mday, month, tm.tm_year + 1900);
    return buf;
}

const char *rlx_cli_fmt_iso(int64_t ms, char *buf, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int rlx_cli_days_until(int64_t now_ms, int64_t then_ms)
{
    struct tm a = local_tm(now_ms), b = local_tm(then_ms);
    /* noon on both days keeps daylight-saving shifts out of the division */
    a.tm_hour = b.tm_hour = 12;
    a.tm_min = b.tm_min = a.tm_sec = b.tm_sec = 0;
    a.tm_isdst = b.tm_isdst = -1;
    double diff = difftime(mktime(&b), mktime(&a));
    return (int)(diff / 86400.0 + (diff >= 0 ? 0.5 : -0.5));
}

void rlx_cli_json_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}
