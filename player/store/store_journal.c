/* store_journal.c - this machine's journal of listens for a shared store.
 *
 * One text line per event, fields separated by tabs, text fields escaped:
 *   L <seq> <uuid> <profile> <session> <hash> <week> <length> <started>
 *     <ended> <from> <position> <furthest> <played> <credit> <completed>
 *     <finished> <room> <rendered>
 *   (lines written before <rendered> existed have 18 fields: not rendered)
 *   A <seq> <uuid>          the state <seq> (and older) of <uuid> is stored
 * seq is the state's revision (rec->rev, the wall clock in ns when it was
 * saved): it only grows for one listen (one process writes it) and survives
 * compaction unchanged, so an acknowledgement never covers a state written
 * after it was read. */
#include "store_journal.h"
#include "store_record.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct rlx_journal {
    char *dir;    /* made at the first write: reading writes nothing */
    char *path;   /* the journal */
    char *lock;   /* its lock file */
};

static char *dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static int mkdirs(const char *dir)
{
    char *d = strdup(dir);
    if (!d)
        return -1;
    for (char *p = d + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(d, 0700) != 0 && errno != EEXIST) {
            free(d);
            return -1;
        }
        *p = '/';
    }
    int rc = mkdir(d, 0700) != 0 && errno != EEXIST ? -1 : 0;
    free(d);
    return rc;
}

rlx_err rlx_journal_open(const char *key, rlx_journal **out, char *why, size_t whylen)
{
    *out = NULL;
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char *dir;
    if (xdg && *xdg == '/')
        dir = dup_printf("%s/relax/journal", xdg);
    else if (home && *home)
        dir = dup_printf("%s/.local/state/relax/journal", home);
    else {
        rlx_why(why, whylen, "no place for the journal of the progress store %s: set HOME or XDG_STATE_HOME",
                      key);
        return RLX_ERR_USAGE;
    }
    if (!dir)
        return RLX_ERR_NOMEM;
    uint64_t h = 1469598103934665603ull;   /* FNV-1a: one file name per store */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    rlx_journal *j = calloc(1, sizeof *j);
    if (j && !(j->dir = strdup(dir))) {
        free(j);
        j = NULL;
    }
    if (j) {
        j->path = dup_printf("%s/%016" PRIx64 ".journal", dir, h);
        j->lock = dup_printf("%s/%016" PRIx64 ".lock", dir, h);
    }
    free(dir);
    if (!j || !j->path || !j->lock) {
        rlx_journal_close(j);
        return RLX_ERR_NOMEM;
    }
    *out = j;
    return RLX_OK;
}

void rlx_journal_close(rlx_journal *j)
{
    if (!j)
        return;
    free(j->dir);
    free(j->path);
    free(j->lock);
    free(j);
}

const char *rlx_journal_path(const rlx_journal *j)
{
    return j->path;
}

static int lock(const rlx_journal *j, int how)
{
    int fd = open(j->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    while (flock(fd, how) != 0) {
        if (errno != EINTR) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

static void unlock(int fd)
{
    close(fd);   /* drops the flock */
}

static void put_text(FILE *f, const char *s)
{
    fputc('\t', f);
    for (; s && *s; s++) {
        if (*s == '\\')
            fputs("\\\\", f);
        else if (*s == '\t')
            fputs("\\t", f);
        else if (*s == '\n')
            fputs("\\n", f);
        else if (*s == '\r')
            fputs("\\r", f);
        else
            fputc(*s, f);
    }
}

static void put_rec(FILE *f, int64_t seq, const rlx_listen_rec *r)
{
    fprintf(f, "L\t%" PRId64, seq);
    put_text(f, r->uuid);
    put_text(f, r->profile);
    put_text(f, r->session_id);
    put_text(f, r->session_hash);
    fprintf(f, "\t%d\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64
               "\t%" PRId64 "\t%" PRId64 "\t%d\t%d",
            r->week, r->length_ms, r->started_ms, r->ended_ms, r->from_ms, r->position_ms,
            r->furthest_ms, r->played_ms, r->credit_ms, r->completed, r->finished);
    put_text(f, r->room);
    fprintf(f, "\t%d\n", r->rendered);
}

static bool exists(const rlx_journal *j)
{
    return access(j->path, F_OK) == 0;
}

static rlx_err append_text(const rlx_journal *j, const char *text, size_t len, char *why, size_t whylen)
{
    if (mkdirs(j->dir) != 0) {
        int e = errno;
        rlx_why(why, whylen, "cannot create the journal folder %s: %s; make it writable or set XDG_STATE_HOME",
                      j->dir, strerror(e));
        return RLX_ERR_STORE;
    }
    int lk = lock(j, LOCK_EX);
    int fd = lk < 0 ? -1 : open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    ssize_t w = fd < 0 ? -1 : write(fd, text, len);
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (lk >= 0)
        unlock(lk);
    if (w != (ssize_t)len) {
        rlx_why(why, whylen, "cannot write the journal %s: %s; free some space or make its folder writable",
                      j->path, w < 0 ? strerror(e) : "short write");
        return RLX_ERR_STORE;
    }
    return RLX_OK;
}

rlx_err rlx_journal_append(rlx_journal *j, const rlx_listen_rec *rec, char *why, size_t whylen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return RLX_ERR_NOMEM;
    put_rec(f, rec->rev, rec);   /* the store's revision of this state is its sequence */
    if (fclose(f) != 0) {
        free(buf);
        return RLX_ERR_NOMEM;
    }
    rlx_err err = append_text(j, buf, len, why, whylen);   /* one write: lines never interleave */
    free(buf);
    return err;
}

rlx_err rlx_journal_ack(rlx_journal *j, const char *uuid, long seq)
{
    char line[128];
    int n = snprintf(line, sizeof line, "A\t%ld\t%s\n", seq, uuid);
    return append_text(j, line, (size_t)n, NULL, 0);
}

/* ---- reading ------------------------------------------------------------- */

typedef struct {
    rlx_listen_rec rec;
    int64_t seq;       /* of its latest state */
    int64_t acked;     /* highest acknowledged seq */
} entry;

static char *unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            *o++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
    return s;
}

static int split(char *line, char **f, int max)
{
    int n = 0;
    for (char *p = line; n < max;) {
        f[n++] = p;
        p = strchr(p, '\t');
        if (!p)
            break;
        *p++ = 0;
    }
    return n;
}

static entry *find(entry *e, size_t n, const char *uuid)
{
    for (size_t i = n; i-- > 0;)   /* recent listens are at the end */
        if (!strcmp(e[i].rec.uuid, uuid))
            return &e[i];
    return NULL;
}

static void entries_free(entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rlx_listen_rec_clear(&e[i].rec);
    free(e);
}

/* Parses the whole file (caller holds the lock). Lines that do not parse
 * (a torn last line after a crash) are skipped. */
static rlx_err load(const rlx_journal *j, entry **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(j->path, "re");
    if (!f)
        return errno == ENOENT ? RLX_OK : RLX_ERR_STORE;
    entry *e = NULL;
    size_t cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t got;
    rlx_err err = RLX_OK;
    while ((got = getline(&line, &lcap, f)) > 0) {
        if (line[got - 1] != '\n')
            break;   /* torn write */
        line[got - 1] = 0;
        char *fl[19];
        int nf = split(line, fl, 19);
        if (nf == 3 && !strcmp(fl[0], "A")) {
            entry *x = find(e, *n, fl[2]);
            int64_t s = strtoll(fl[1], NULL, 10);
            if (x && s > x->acked)
                x->acked = s;
            continue;
        }
        if ((nf != 18 && nf != 19) || strcmp(fl[0], "L") || strlen(fl[2]) != RLX_LISTEN_UUID_LEN)
            continue;
        int64_t s = strtoll(fl[1], NULL, 10);
        int64_t ended = strtoll(fl[9], NULL, 10);
        entry *x = find(e, *n, fl[2]);
        /* the latest state is the one that ended last, then the latest saved, as on the server */
        if (x && (ended < x->rec.ended_ms || (ended == x->rec.ended_ms && s < x->seq)))
            continue;
        if (!x) {
            if (*n == cap) {
                size_t nc = cap ? cap * 2 : 16;
                entry *ne = realloc(e, nc * sizeof *ne);
                if (!ne) {
                    err = RLX_ERR_NOMEM;
                    break;
                }
                e = ne;
                cap = nc;
            }
            x = &e[(*n)++];
            memset(x, 0, sizeof *x);
        } else {
            rlx_listen_rec_clear(&x->rec);
        }
        x->seq = s;
        rlx_listen_rec *r = &x->rec;
        r->rev = s;
        snprintf(r->uuid, sizeof r->uuid, "%s", fl[2]);
        r->profile = strdup(unescape(fl[3]));
        r->session_id = strdup(unescape(fl[4]));
        r->session_hash = strdup(unescape(fl[5]));
        r->week = (int)strtol(fl[6], NULL, 10);
        int64_t *nums[] = {&r->length_ms, &r->started_ms, &r->ended_ms, &r->from_ms, &r->position_ms,
                           &r->furthest_ms, &r->played_ms, &r->credit_ms};
        for (int k = 0; k < 8; k++)
            *nums[k] = strtoll(fl[7 + k], NULL, 10);
        r->completed = fl[15][0] == '1';
        r->finished = fl[16][0] == '1';
        r->room = *fl[17] ? strdup(unescape(fl[17])) : NULL;
        r->rendered = nf == 19 && fl[18][0] == '1';
        if (!r->profile || !r->session_id || !r->session_hash) {
            err = RLX_ERR_NOMEM;
            break;
        }
    }
    free(line);
    fclose(f);
    if (err) {
        entries_free(e, *n);
        *out = NULL;
        *n = 0;
        return err;
    }
    *out = e;
    return RLX_OK;
}

rlx_err rlx_journal_read(rlx_journal *j, bool pending_only, const char *profile,
                         rlx_listen_rec **out, size_t *n, long **seqs)
{
    *out = NULL;
    *n = 0;
    if (seqs)
        *seqs = NULL;
    if (!exists(j))
        return RLX_OK;   /* nothing journaled on this machine */
    int lk = lock(j, LOCK_SH);
    if (lk < 0)
        return RLX_ERR_STORE;
    entry *e;
    size_t ne;
    rlx_err err = load(j, &e, &ne);
    unlock(lk);
    if (err)
        return err;
    rlx_listen_rec *r = calloc(ne ? ne : 1, sizeof *r);
    long *s = seqs ? calloc(ne ? ne : 1, sizeof *s) : NULL;
    if (!r || (seqs && !s)) {
        free(r);
        free(s);
        entries_free(e, ne);
        return RLX_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < ne; i++) {
        bool keep = (!pending_only || e[i].acked < e[i].seq) &&
                    (!profile || !strcmp(e[i].rec.profile, profile));
        if (!keep)
            continue;
        if (s)
            s[k] = (long)e[i].seq;
        r[k++] = e[i].rec;   /* moved: the strings now belong to r */
        memset(&e[i].rec, 0, sizeof e[i].rec);
    }
    entries_free(e, ne);
    *out = r;
    *n = k;
    if (seqs)
        *seqs = s;
    return RLX_OK;
}

void rlx_journal_compact(rlx_journal *j)
{
    if (!exists(j))
        return;
    int lk = lock(j, LOCK_EX);
    if (lk < 0)
        return;
    entry *e;
    size_t ne;
    if (load(j, &e, &ne) != RLX_OK) {
        unlock(lk);
        return;
    }
    char *tmp = dup_printf("%s.tmp", j->path);
    FILE *f = tmp ? fopen(tmp, "we") : NULL;
    if (f) {
        fchmod(fileno(f), 0600);
        int64_t old = rlx_store_now_ms() - RLX_JOURNAL_KEEP_DAYS * 86400000LL;
        for (size_t i = 0; i < ne; i++) {
            if (e[i].acked >= e[i].seq && e[i].rec.ended_ms < old)
                continue;   /* sent long ago: the server has it */
            put_rec(f, e[i].seq, &e[i].rec);
            if (e[i].acked)
                fprintf(f, "A\t%" PRId64 "\t%s\n", e[i].acked, e[i].rec.uuid);
        }
        bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
        ok = fclose(f) == 0 && ok;
        if (!ok || rename(tmp, j->path) != 0)
            unlink(tmp);
    }
    free(tmp);
    entries_free(e, ne);
    unlock(lk);
}
