/* store.c - the progress store interface: picks the backend (SQLite for a
 * path, PostgreSQL for a connection string) and, for PostgreSQL, writes
 * listens through this machine's journal and a sender thread so that the
 * network is never on the playback path. */
#include "store.h"
#include "store_backend.h"
#include "store_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define RLX_STORE_RETRY_MS 1000   /* sender: wait between attempts while the server is away */

struct rlx_store {
    const rlx_store_ops *ops;
    rlx_store_backend *b;      /* NULL when offline */
    char *where;               /* as given (may hold a password: never printed) */
    char *shown;               /* for messages */
    rlx_journal *journal;      /* PostgreSQL only */
    /* sender thread (PostgreSQL, started at the first listen written) */
    pthread_t sender;
    bool sender_running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool dirty;                /* protected by mu: the journal has new lines */
    bool stop;                 /* protected by mu */
    struct timespec stop_by;   /* protected by mu: give up sending at this time */
    size_t unsent;             /* protected by mu: pending after the last attempt */
};

/* ---- paths --------------------------------------------------------------- */

rlx_err rlx_store_resolve_path(const char *explicit_path, char *buf, size_t len)
{
    const char *env = getenv("RELAX_STORE");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;
    if (explicit_path && *explicit_path)
        n = snprintf(buf, len, "%s", explicit_path);
    else if (env && *env)
        n = snprintf(buf, len, "%s", env);
    else if (xdg && *xdg == '/')   /* XDG: relative values are invalid and ignored */
        n = snprintf(buf, len, "%s/relax/progress.db", xdg);
    else if (home && *home)
        n = snprintf(buf, len, "%s/.local/share/relax/progress.db", home);
    else
        return RLX_ERR_USAGE;
    return n < 0 || (size_t)n >= len ? RLX_ERR_USAGE : RLX_OK;
}

const char *rlx_store_resolve_profile(const char *explicit_profile)
{
    if (explicit_profile && *explicit_profile)
        return explicit_profile;
    const char *env = getenv("RELAX_PROFILE");
    return env && *env ? env : "default";
}

bool rlx_profile_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > RLX_PROFILE_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return false;
    return true;
}

/* ---- connection strings --------------------------------------------------- */

static bool starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

bool rlx_store_is_pg(const char *where)
{
    if (!where)
        return false;
    if (starts(where, "postgresql://") || starts(where, "postgres://"))
        return true;
    /* libpq key=value words; a file path never starts with one of these */
    static const char *const keys[] = {"service=", "host=", "hostaddr=", "dbname=", "user=", "port="};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (starts(where, keys[i]))
            return true;
    return false;
}

/* Copies where into buf without any password: the userinfo's ":secret@" of
 * a URI, and password=... in a URI query or key=value words. */
void rlx_store_redact(const char *where, char *buf, size_t len)
{
    if (!len)
        return;
    size_t o = 0;
#define PUT(c) do { if (o + 1 < len) buf[o++] = (c); } while (0)
    const char *p = where ? where : "";
    bool uri = starts(p, "postgresql://") || starts(p, "postgres://");
    if (uri) {
        const char *auth = strstr(p, "://") + 3;
        const char *end = auth + strcspn(auth, "/?");
        const char *at = NULL;
        for (const char *q = auth; q < end; q++)
            if (*q == '@')
                at = q;   /* the last @ ends the userinfo */
        while (p < auth)
            PUT(*p++);
        if (at) {
            const char *colon = memchr(auth, ':', (size_t)(at - auth));
            for (const char *q = auth; q < (colon ? colon : at); q++)
                PUT(*q);
            p = at;
        }
    }
    bool word_start = true;
    while (*p) {
        size_t key = word_start && starts(p, "password") ? strspn(p + 8, " \t") + 8 : 0;
        if (key && p[key] == '=') {
            /* drop the whole word (URI: up to &, key=value: up to a space, quotes honoured) */
            p += key + 1;
            if (!uri)
                p += strspn(p, " \t");
            bool quoted = !uri && *p == '\'';
            if (quoted)
                p++;
            while (*p && (quoted ? *p != '\'' : (uri ? *p != '&' : *p != ' '))) {
                if (quoted && *p == '\\' && p[1])
                    p++;
                p++;
            }
            if (quoted && *p)
                p++;
            if (*p)
                p++;   /* the separator */
            if (o > 0 && (buf[o - 1] == '&' || buf[o - 1] == ' ') && !*p)
                o--;   /* no dangling separator at the end */
            continue;
        }
        char c = *p++;
        PUT(c);
        word_start = uri ? (c == '?' || c == '&') : c == ' ';
    }
    buf[o] = 0;
#undef PUT
}

bool rlx_store_has_password(const char *where)
{
    if (!rlx_store_is_pg(where))
        return false;
    char shown[4096];
    rlx_store_redact(where, shown, sizeof shown);
    return strcmp(shown, where) != 0;
}

const char *rlx_store_resolve_room(const char *explicit_room)
{
    if (explicit_room && *explicit_room)
        return explicit_room;
    const char *env = getenv("RELAX_ROOM");
    return env && *env ? env : NULL;
}

static void new_uuid(char out[RLX_LISTEN_UUID_LEN + 1])
{
    unsigned char b[RLX_LISTEN_UUID_LEN / 2];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n > 0)
            got += (size_t)n;
        else if (errno != EINTR)
            break;
    }
    if (got < sizeof b) {   /* no getrandom: time and pid still make it unique enough here */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long x = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)ts.tv_sec << 30) ^
                               ((unsigned long long)getpid() << 16);
        for (size_t i = got; i < sizeof b; i++, x = x * 6364136223846793005ull + 1442695040888963407ull)
            b[i] = (unsigned char)(x >> 56);
    }
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* ---- the sender ------------------------------------------------------------ */

/* Sends every pending journal state through b. Returns the count still
 * pending; *lost is set when the server stopped answering. */
static size_t send_pending(rlx_store *st, rlx_store_backend *b, bool *lost, char *why, size_t whylen)
{
    rlx_listen_rec *recs;
    size_t n;
    long *seqs;
    *lost = false;
    if (rlx_journal_read(st->journal, true, NULL, &recs, &n, &seqs) != RLX_OK)
        return 1;
    size_t left = n;
    for (size_t i = 0; i < n; i++) {
        if (st->ops->listen_put(b, &recs[i], why, whylen) != RLX_OK) {
            *lost = st->ops->unreachable(b);
            break;
        }
        if (rlx_journal_ack(st->journal, recs[i].uuid, seqs[i]) == RLX_OK)
            left--;
    }
    rlx_store_listens_free(recs, n);
    free(seqs);
    return left;
}

static bool past(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static void *sender_main(void *arg)
{
    rlx_store *st = arg;
    rlx_store_backend *b = NULL;   /* the sender's own connection */
    char why[512];
    pthread_mutex_lock(&st->mu);
    for (;;) {
        bool retry = st->unsent > 0;
        while (!st->dirty && !st->stop && !retry)
            pthread_cond_wait(&st->cv, &st->mu);
        if (!st->dirty && retry) {
            /* the server was away: try again a little later (a timer, not a
             * sync point); while closing, more often until the deadline */
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            long ms = st->stop ? RLX_STORE_RETRY_MS / 4 : RLX_STORE_RETRY_MS;
            t.tv_sec += ms / 1000;
            t.tv_nsec += (ms % 1000) * 1000000L;
            if (t.tv_nsec >= 1000000000L) {
                t.tv_sec++;
                t.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&st->cv, &st->mu, &t);
        }
        if (st->stop && (st->unsent == 0 && !st->dirty))
            break;
        if (st->stop && past(&st->stop_by))
            break;
        st->dirty = false;
        pthread_mutex_unlock(&st->mu);

        size_t left = 1;
        bool lost = false;
        bool unreachable;
        if (!b && st->ops->open(st->where, st->shown, &b, &unreachable, why, sizeof why) != RLX_OK)
            b = NULL;
        if (b) {
            left = send_pending(st, b, &lost, why, sizeof why);
            if (lost) {
                st->ops->close(b);
                b = NULL;
            }
        }
        pthread_mutex_lock(&st->mu);
        st->unsent = left;
        pthread_cond_broadcast(&st->cv);
    }
    pthread_mutex_unlock(&st->mu);
    if (b)
        st->ops->close(b);
    return NULL;
}

static rlx_err wake_sender(rlx_store *st)
{
    pthread_mutex_lock(&st->mu);
    st->dirty = true;
    if (!st->sender_running) {
        st->stop = false;
        /* signals (Ctrl-C, SIGTERM) stay with the threads that handle them */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        int rc = pthread_create(&st->sender, NULL, sender_main, st);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (rc != 0) {
            pthread_mutex_unlock(&st->mu);
            return RLX_ERR_NOMEM;
        }
        st->sender_running = true;
    }
    pthread_cond_signal(&st->cv);
    pthread_mutex_unlock(&st->mu);
    return RLX_OK;
}

/* ---- open / close ------------------------------------------------------------ */

rlx_err rlx_store_open_ex(const char *path, unsigned flags, rlx_store **out, char *why, size_t whylen)
{
    *out = NULL;
    if (!path || !*path) {
        rlx_why(why, whylen, "no path for the progress store: set HOME, XDG_DATA_HOME or RELAX_STORE, "
                      "or use --store PATH");
        return RLX_ERR_USAGE;
    }
    rlx_store *st = calloc(1, sizeof *st);
    if (!st)
        return RLX_ERR_NOMEM;
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->cv, NULL);
    bool pg = rlx_store_is_pg(path);
    st->ops = pg ? &rlx_store_pg_ops : &rlx_store_sqlite_ops;
    size_t cap = strlen(path) + 1;
    st->where = strdup(path);
    st->shown = malloc(cap);
    if (!st->where || !st->shown) {
        rlx_store_close(st);
        return RLX_ERR_NOMEM;
    }
    if (pg)
        rlx_store_redact(path, st->shown, cap);
    else
        memcpy(st->shown, path, cap);

    rlx_err err = RLX_OK;
    if (pg) {
        /* one journal per store and schema */
        const char *schema = getenv("RELAX_PG_SCHEMA");
        size_t klen = cap + 80;
        char *key = malloc(klen);
        if (!key) {
            rlx_store_close(st);
            return RLX_ERR_NOMEM;
        }
        snprintf(key, klen, "%s\n%s", st->shown, schema && *schema ? schema : "relax");
        err = rlx_journal_open(key, &st->journal, why, whylen);
        free(key);
        if (err) {
            rlx_store_close(st);
            return err;
        }
    }
    bool unreachable = false;
    err = st->ops->open(st->where, st->shown, &st->b, &unreachable, why, whylen);
    if (err && pg && unreachable && (flags & RLX_STORE_OFFLINE_OK)) {
        st->b = NULL;
        *out = st;   /* journal only; why holds the reason */
        return RLX_OK;
    }
    if (err) {
        rlx_store_close(st);
        return err;
    }
    if (pg) {
        /* what an earlier run could not send goes first, so reads see it */
        bool lost;
        char w[512];
        size_t left = send_pending(st, st->b, &lost, w, sizeof w);
        if (left == 0)
            rlx_journal_compact(st->journal);
        st->unsent = left;
    }
    *out = st;
    return RLX_OK;
}

rlx_err rlx_store_open(const char *path, rlx_store **out, char *why, size_t whylen)
{
    return rlx_store_open_ex(path, 0, out, why, whylen);
}

bool rlx_store_offline(const rlx_store *st)
{
    return st && !st->b;
}

size_t rlx_store_finish(rlx_store *st)
{
    if (!st || !st->journal)
        return 0;
    if (st->sender_running) {
        pthread_mutex_lock(&st->mu);
        st->stop = true;
        clock_gettime(CLOCK_REALTIME, &st->stop_by);
        st->stop_by.tv_sec += RLX_STORE_CLOSE_WAIT_MS / 1000;
        st->stop_by.tv_nsec += (RLX_STORE_CLOSE_WAIT_MS % 1000) * 1000000L;
        if (st->stop_by.tv_nsec >= 1000000000L) {
            st->stop_by.tv_sec++;
            st->stop_by.tv_nsec -= 1000000000L;
        }
        pthread_cond_broadcast(&st->cv);
        pthread_mutex_unlock(&st->mu);
        pthread_join(st->sender, NULL);
        st->sender_running = false;
        if (st->unsent == 0)
            rlx_journal_compact(st->journal);
    }
    return st->unsent;
}

const char *rlx_store_journal(const rlx_store *st)
{
    return st && st->journal ? rlx_journal_path(st->journal) : NULL;
}

void rlx_store_close(rlx_store *st)
{
    if (!st)
        return;
    rlx_store_finish(st);
    if (st->ops && st->b)
        st->ops->close(st->b);
    rlx_journal_close(st->journal);
    pthread_mutex_destroy(&st->mu);
    pthread_cond_destroy(&st->cv);
    free(st->where);
    free(st->shown);
    free(st);
}

size_t rlx_store_unsent(rlx_store *st)
{
    if (!st || !st->journal)
        return 0;
    pthread_mutex_lock(&st->mu);
    size_t n = st->unsent;
    pthread_mutex_unlock(&st->mu);
    return n;
}

const char *rlx_store_path(const rlx_store *st)
{
    return st->shown;
}

const char *rlx_store_kind(const rlx_store *st)
{
    return st->ops->name;
}

int rlx_store_schema_version(rlx_store *st)
{
    return st->b ? st->ops->schema_version(st->b) : -1;
}

/* Reads see this process's own writes: what the journal still holds goes
 * first (idempotent, so the sender sending it too changes nothing). */
static void catch_up(rlx_store *st)
{
    if (!st->journal || !st->b)
        return;
    bool lost;
    char w[512];
    send_pending(st, st->b, &lost, w, sizeof w);
}

/* ---- profiles ---------------------------------------------------------------- */

void rlx_profile_clear(rlx_profile *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->device);
    free(p->bed);
    free(p->remote_key);
    memset(p, 0, sizeof *p);
}

void rlx_store_profiles_free(rlx_profile *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rlx_profile_clear(&p[i]);
    free(p);
}

static rlx_err offline(const rlx_store *st, char *why, size_t whylen)
{
    rlx_why(why, whylen, "the progress store %s does not answer; try again when it is back", st->shown);
    return RLX_ERR_STORE;
}

rlx_err rlx_store_profile_get(rlx_store *st, const char *name, bool create,
                              rlx_profile *out, char *why, size_t whylen)
{
    if (!st->b) {
        /* offline: a profile with no remembered mix (the journal keeps listens only) */
        memset(out, 0, sizeof *out);
        out->name = strdup(name);
        return out->name ? RLX_OK : RLX_ERR_NOMEM;
    }
    catch_up(st);
    return st->ops->profile_get(st->b, name, create, out, why, whylen);
}

rlx_err rlx_store_profile_set_mix(rlx_store *st, const char *name, double volume_db,
                                  double background_db, const char *device,
                                  char *why, size_t whylen)
{
    if (!st->b)
        return RLX_OK;   /* offline: the mix is not journaled; the next session saves it */
    rlx_err err = st->ops->profile_set_mix(st->b, name, volume_db, background_db, device, why, whylen);
    if (err && st->journal && st->ops->unreachable(st->b))
        return RLX_OK;   /* the server went away meanwhile: same as offline */
    return err;
}

rlx_err rlx_store_profile_set_prefs(rlx_store *st, const char *name, int64_t length_ms, const char *bed,
                                    char *why, size_t whylen)
{
    if (!st->b || (length_ms < 0 && !bed))
        return RLX_OK;   /* offline: not journaled, as the mix */
    rlx_err err = st->ops->profile_set_prefs(st->b, name, length_ms, bed, why, whylen);
    if (err && st->journal && st->ops->unreachable(st->b))
        return RLX_OK;
    return err;
}

rlx_err rlx_store_profile_set_remote_key(rlx_store *st, const char *name, const char *key,
                                         char *why, size_t whylen)
{
    if (!st->b)
        return offline(st, why, whylen);   /* asked for on purpose: say it did not happen */
    catch_up(st);
    return st->ops->profile_set_remote_key(st->b, name, key, why, whylen);
}

rlx_err rlx_store_profiles(rlx_store *st, rlx_profile **out, size_t *n, char *why, size_t whylen)
{
    if (!st->b) {
        *out = NULL;
        *n = 0;
        return offline(st, why, whylen);
    }
    catch_up(st);
    return st->ops->profiles(st->b, out, n, why, whylen);
}

/* ---- listens --------------------------------------------------------------- */

/* Strictly increasing in this process, and across processes as far as the
 * wall clock goes: orders the states of a listen. */
static int64_t next_rev(void)
{
    static _Atomic int64_t last;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    int64_t prev = atomic_load(&last);
    int64_t rev;
    do
        rev = now > prev ? now : prev + 1;
    while (!atomic_compare_exchange_weak(&last, &prev, rev));
    return rev;
}

rlx_err rlx_store_listen_add(rlx_store *st, rlx_listen_rec *rec, char *why, size_t whylen)
{
    if (!rec->uuid[0])
        new_uuid(rec->uuid);
    rec->rev = next_rev();
    if (!st->journal)
        return st->ops->listen_put(st->b, rec, why, whylen);
    rlx_err err = rlx_journal_append(st->journal, rec, why, whylen);
    if (!err)
        err = wake_sender(st);
    return err;
}

rlx_err rlx_store_listen_save(rlx_store *st, const rlx_listen_rec *rec, char *why, size_t whylen)
{
    rlx_listen_rec copy = *rec;   /* put may set id; the caller's stays as it is */
    if (!copy.uuid[0]) {
        rlx_why(why, whylen, "cannot save a listen without its key in %s", st->shown);
        return RLX_ERR_INTERNAL;
    }
    return rlx_store_listen_add(st, &copy, why, whylen);
}

static int by_start(const void *a, const void *b)
{
    const rlx_listen_rec *x = a, *y = b;
    if (x->started_ms != y->started_ms)
        return x->started_ms < y->started_ms ? -1 : 1;
    return strcmp(x->uuid, y->uuid);
}

rlx_err rlx_store_listens(rlx_store *st, const char *profile, const char *session_id,
                          rlx_listen_rec **out, size_t *n, char *why, size_t whylen)
{
    if (st->b) {
        catch_up(st);
        return st->ops->listens(st->b, profile, session_id, out, n, why, whylen);
    }
    /* offline: what this machine's journal knows */
    rlx_err err = rlx_journal_read(st->journal, false, profile, out, n, NULL);
    if (err)
        return offline(st, why, whylen);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        if (session_id && strcmp((*out)[i].session_id, session_id)) {
            rlx_listen_rec_clear(&(*out)[i]);
            continue;
        }
        (*out)[k++] = (*out)[i];
    }
    *n = k;
    qsort(*out, *n, sizeof **out, by_start);
    return RLX_OK;
}

/* ---- copy ------------------------------------------------------------------ */

rlx_err rlx_store_copy(rlx_store *from, rlx_store *to, rlx_store_copy_counts *c, char *why, size_t whylen)
{
    memset(c, 0, sizeof *c);
    if (!from->b || !to->b)
        return offline(from->b ? to : from, why, whylen);
    rlx_profile *ps = NULL;
    size_t np = 0;
    rlx_listen_rec *ls = NULL;
    size_t nl = 0;
    rlx_err err = from->ops->profiles(from->b, &ps, &np, why, whylen);
    if (!err)
        err = from->ops->listens(from->b, NULL, NULL, &ls, &nl, why, whylen);
    for (size_t i = 0; !err && i < np; i++) {
        err = to->ops->profile_created(to->b, ps[i].name, ps[i].created_ms, why, whylen);
        if (!err && ps[i].has_mix)
            err = to->ops->profile_set_mix(to->b, ps[i].name, ps[i].volume_db, ps[i].background_db,
                                           ps[i].device, why, whylen);
        if (!err && (ps[i].length_ms > 0 || ps[i].bed))
            err = to->ops->profile_set_prefs(to->b, ps[i].name, ps[i].length_ms > 0 ? ps[i].length_ms : -1,
                                             ps[i].bed, why, whylen);
        if (!err && ps[i].remote_key)   /* a bookmarked phone keeps working after a move */
            err = to->ops->profile_set_remote_key(to->b, ps[i].name, ps[i].remote_key, why, whylen);
    }
    for (size_t i = 0; !err && i < nl; i++)
        err = to->ops->listen_put(to->b, &ls[i], why, whylen);   /* by uuid: idempotent */
    c->profiles = np;
    c->listens = nl;
    /* verify: every profile and every listen of `from` is now in `to` */
    rlx_profile *tp = NULL;
    size_t ntp = 0;
    rlx_listen_rec *tl = NULL;
    size_t ntl = 0;
    if (!err)
        err = to->ops->profiles(to->b, &tp, &ntp, why, whylen);
    if (!err)
        err = to->ops->listens(to->b, NULL, NULL, &tl, &ntl, why, whylen);
    for (size_t i = 0; !err && i < np; i++)
        for (size_t k = 0; k < ntp; k++)
            if (!strcmp(ps[i].name, tp[k].name)) {
                c->profiles_to++;
                break;
            }
    for (size_t i = 0; !err && i < nl; i++)
        for (size_t k = 0; k < ntl; k++)
            if (!strcmp(ls[i].uuid, tl[k].uuid)) {
                c->listens_to++;
                break;
            }
    rlx_store_profiles_free(ps, np);
    rlx_store_profiles_free(tp, ntp);
    rlx_store_listens_free(ls, nl);
    rlx_store_listens_free(tl, ntl);
    if (!err && (c->profiles_to != c->profiles || c->listens_to != c->listens)) {
        rlx_why(why, whylen, "copy to %s is incomplete: %zu of %zu profiles, %zu of %zu listens arrived",
                      to->shown, c->profiles_to, c->profiles, c->listens_to, c->listens);
        err = RLX_ERR_STORE;
    }
    return err;
}
