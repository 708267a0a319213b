/* store_sqlite.c - the progress store in one SQLite file (the default). */
#include "store_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct rlx_store_backend {
    sqlite3 *db;
    char *path;
};

/* ---- messages ------------------------------------------------------------ */


/* Can we write the file and create files beside it (the -wal and -shm)? */
static bool writable(const char *path)
{
    char *dir = strdup(path);
    if (!dir)
        return true;
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = 0;
    bool ok = access(path, W_OK) == 0 && access(slash ? dir : ".", W_OK | X_OK) == 0;
    free(dir);
    return ok;
}

/* Turns an SQLite failure into an error code and a message that names the
 * file and says what to do. `doing` is "open", "read" or "write". */
static rlx_err fail(const char *path, sqlite3 *db, int rc, const char *doing, char *why, size_t whylen)
{
    int prim = rc & 0xff;
    int sys = db ? sqlite3_system_errno(db) : 0;
    const char *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if (prim == SQLITE_NOMEM && strcmp(doing, "write")) {
        /* SQLite also runs out of memory on a record whose header claims
         * gigabytes (found by fuzz_store): far likelier than a real shortage
         * of memory while reading a small store */
        rlx_why(why, whylen, "progress store %s could not be read (SQLite ran out of memory on it): it is "
            "probably damaged; it was left untouched: move it aside (relax starts a fresh one) or use "
            "--store PATH", path);
        return RLX_ERR_STORE_CORRUPT;
    }
    if (prim == SQLITE_NOMEM) {
        rlx_why(why, whylen, "out of memory while using the progress store %s", path);
        return RLX_ERR_NOMEM;
    }
    if (prim == SQLITE_NOTADB || prim == SQLITE_CORRUPT) {
        rlx_why(why, whylen, "progress store %s is damaged or not a database; it was left untouched: "
            "move it aside (relax starts a fresh one) or use --store PATH", path);
        return RLX_ERR_STORE_CORRUPT;
    }
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED) {
        rlx_why(why, whylen, "progress store %s stayed locked by another program for more than %d s; "
            "close other relax processes and try again", path, RLX_STORE_BUSY_TIMEOUT_MS / 1000);
        return RLX_ERR_STORE_LOCKED;
    }
    if (prim == SQLITE_FULL || sys == ENOSPC || sys == EDQUOT) {
        rlx_why(why, whylen, "no space left to %s the progress store %s; free some disk space and try again",
            doing, path);
        return RLX_ERR_STORE;
    }
    if (prim == SQLITE_READONLY || sys == EROFS || sys == EACCES || sys == EPERM ||
        (prim == SQLITE_CANTOPEN && !writable(path))) {
        rlx_why(why, whylen, "cannot %s the progress store %s: it or its folder is read-only; "
            "make both writable or use --store PATH", doing, path);
        return RLX_ERR_STORE;
    }
    rlx_why(why, whylen, "cannot %s the progress store %s: %s; check the file and its folder or use --store PATH",
        doing, path, detail);
    return RLX_ERR_STORE;
}

/* Creates the folders leading to path (mode 0700). */
static rlx_err make_parents(const char *path, char *why, size_t whylen)
{
    char *dir = strdup(path);
    if (!dir)
        return RLX_ERR_NOMEM;
    char *slash = strrchr(dir, '/');
    rlx_err err = RLX_OK;
    if (!slash || slash == dir) {
        free(dir);
        return RLX_OK;
    }
    *slash = 0;
    for (char *p = dir + 1; ; p++) {
        if (*p != '/' && *p != 0)
            continue;
        char c = *p;
        *p = 0;
        struct stat st;
        if (stat(dir, &st) == 0) {
            if (!S_ISDIR(st.st_mode)) {
                rlx_why(why, whylen, "cannot open the progress store %s: %s is a file, not a folder; "
                    "move that file aside or use --store PATH", path, dir);
                err = RLX_ERR_STORE;
                break;
            }
        } else if (errno == ENOTDIR) {
            rlx_why(why, whylen, "cannot open the progress store %s: a folder on the way to it is a file; "
                "move that file aside or use --store PATH", path);
            err = RLX_ERR_STORE;
            break;
        } else if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            int e = errno;
            rlx_why(why, whylen, "cannot create the folder %s for the progress store: %s; "
                "%s or use --store PATH", dir, strerror(e),
                e == ENOSPC ? "free some disk space" : "check its permissions");
            err = RLX_ERR_STORE;
            break;
        }
        *p = c;
        if (c == 0)
            break;
    }
    free(dir);
    return err;
}

/* ---- schema -------------------------------------------------------------- */

/* Migration n brings user_version from n-1 to n. Append, never edit. */
static const char *const migrations[] = {
    /* 1: the first schema */
    "CREATE TABLE profiles ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  created_ms INTEGER NOT NULL,"
    "  has_mix INTEGER NOT NULL DEFAULT 0,"
    "  volume_db REAL NOT NULL DEFAULT 0,"
    "  background_db REAL NOT NULL DEFAULT 0,"
    "  device TEXT"
    ");"
    "CREATE TABLE listens ("
    "  id INTEGER PRIMARY KEY,"
    "  profile_id INTEGER NOT NULL REFERENCES profiles(id),"
    "  session_id TEXT NOT NULL,"
    "  session_hash TEXT NOT NULL,"
    "  week INTEGER NOT NULL DEFAULT 0,"
    "  length_ms INTEGER NOT NULL,"
    "  started_ms INTEGER NOT NULL,"
    "  ended_ms INTEGER NOT NULL,"
    "  from_ms INTEGER NOT NULL,"
    "  position_ms INTEGER NOT NULL,"
    "  furthest_ms INTEGER NOT NULL,"
    "  played_ms INTEGER NOT NULL,"
    "  credit_ms INTEGER NOT NULL,"
    "  completed INTEGER NOT NULL DEFAULT 0,"
    "  finished INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX listens_by_profile ON listens(profile_id, session_id, started_ms);",
    /* 2: rooms, and a key per listen so that a listen sent twice (journal,
     * store copy) is one row. Older rows get a random key. */
    "ALTER TABLE listens ADD COLUMN uuid TEXT;"
    "ALTER TABLE listens ADD COLUMN room TEXT;"
    "ALTER TABLE listens ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;"
    "UPDATE listens SET uuid = lower(hex(randomblob(16))) WHERE uuid IS NULL;"
    "CREATE UNIQUE INDEX listens_by_uuid ON listens(uuid);",
    /* 3: a listen that is an offline render (relax next without a sound card), not heard yet */
    "ALTER TABLE listens ADD COLUMN rendered INTEGER NOT NULL DEFAULT 0;",
    /* 4: the phone remote's key a profile keeps (relax profiles --keep-remote-key) */
    "ALTER TABLE profiles ADD COLUMN remote_key TEXT;",
    /* 5: the length and bed a profile last chose (NULL: the session's own) */
    ("ALTER TABLE profiles ADD COLUMN length_ms INTEGER;"
     "ALTER TABLE profiles ADD COLUMN bed TEXT;"),
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(NMIGRATIONS == RLX_STORE_SCHEMA_VERSION, "one migration per schema version");

static int user_version(sqlite3 *db, int *v)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *v = sqlite3_column_int(q, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    return rc;
}

/* user_version indexes the migrations: anything outside 0..known is a file
 * relax cannot read (damaged, crafted or newer) and must never reach the
 * array. */
static rlx_err check_version(rlx_store_backend *st, int v, char *why, size_t whylen)
{
    if (v > RLX_STORE_SCHEMA_VERSION) {
        rlx_why(why, whylen, "progress store %s was written by a newer version of relax (schema %d, this one "
            "knows %d); update relax or use --store PATH", st->path, v, RLX_STORE_SCHEMA_VERSION);
        return RLX_ERR_STORE_CORRUPT;
    }
    if (v < 0) {
        rlx_why(why, whylen, "progress store %s has an unknown schema version (%d): it is damaged or was not "
            "written by relax; it was left untouched: move it aside or use --store PATH", st->path, v);
        return RLX_ERR_STORE_CORRUPT;
    }
    return RLX_OK;
}

static rlx_err migrate(rlx_store_backend *st, char *why, size_t whylen)
{
    int v = 0, rc = user_version(st->db, &v);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "read", why, whylen);
    rlx_err err = check_version(st, v, why, whylen);
    if (err)
        return err;
    if (v == RLX_STORE_SCHEMA_VERSION)
        return RLX_OK;
    rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "write", why, whylen);
    rc = user_version(st->db, &v);   /* another process may have migrated meanwhile */
    if (rc == SQLITE_OK && (err = check_version(st, v, why, whylen))) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return err;
    }
    for (; rc == SQLITE_OK && v < RLX_STORE_SCHEMA_VERSION; v++) {
        rc = sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            char sql[64];
            snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
            rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
        }
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        rlx_err err = fail(st->path, st->db, rc, "write", why, whylen);
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return err;
    }
    return RLX_OK;
}

/* ---- open / close -------------------------------------------------------- */

/* The full check, not quick_check: quick_check does not compare the indexes
 * with their tables, and a damaged index silently files a new listen under
 * another profile (found by fuzz_store). A store of 20,000 listens takes
 * about 50 ms. */
static rlx_err integrity_check(rlx_store_backend *st, char *why, size_t whylen)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA integrity_check(1)", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "read", why, whylen);
    bool ok = false;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(q, 0);
        ok = t && !strcmp((const char *)t, "ok");
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "read", why, whylen);
    if (!ok)
        return fail(st->path, st->db, SQLITE_CORRUPT, "read", why, whylen);
    return RLX_OK;
}

/* relax creates tables and indexes only. A view or a trigger in the file
 * runs SQL that relax did not write whenever it reads or writes (a view
 * with an endless recursive query hangs `relax profiles`; a trigger could
 * delete every listen), so such a file is refused, untouched. */
static rlx_err foreign_objects(rlx_store_backend *st, char *why, size_t whylen)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(st->db, "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')"
                                " LIMIT 1", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "read", why, whylen);
    rlx_err err = RLX_OK;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const unsigned char *type = sqlite3_column_text(q, 0), *name = sqlite3_column_text(q, 1);
        rlx_why(why, whylen, "progress store %s holds a %s ('%s') that relax did not write; it was left "
                "untouched: move it aside (relax starts a fresh one) or use --store PATH", st->path,
                type ? (const char *)type : "view", name ? (const char *)name : "");
        err = RLX_ERR_STORE_CORRUPT;
    } else if (rc != SQLITE_DONE) {
        err = fail(st->path, st->db, rc, "read", why, whylen);
    }
    sqlite3_finalize(q);
    return err;
}

static long long monotonic_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Everything after sqlite3_open: checks, schema, WAL. Safe to repeat.
 * Read-only checks come first: a foreign or newer file must not be touched.
 * The migration is one transaction that a failure rolls back, and only then
 * does the file switch to WAL (which rewrites the header), so a store that
 * cannot be opened is left byte for byte as it was. A foreign file fails
 * with NOTADB. */
static rlx_err prepare(rlx_store_backend *st, char *why, size_t whylen)
{
    int v = 0;
    int rc = user_version(st->db, &v);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "open", why, whylen);
    rlx_err err = check_version(st, v, why, whylen);
    if (err)
        return err;
    err = foreign_objects(st, why, whylen);
    if (err)
        return err;
    err = integrity_check(st, why, whylen);
    if (err)
        return err;
    err = migrate(st, why, whylen);
    if (err)
        return err;
    sqlite3_stmt *q = NULL;
    rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &q, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    return rc == SQLITE_OK ? RLX_OK : fail(st->path, st->db, rc, "open", why, whylen);
}

static void sq_close(rlx_store_backend *st);

static rlx_err sq_open(const char *path, const char *shown, rlx_store_backend **out, bool *unreachable,
                       char *why, size_t whylen)
{
    (void)shown;   /* a path has no password: shown == path */
    *unreachable = false;
    *out = NULL;
    if (!path || !*path) {
        rlx_why(why, whylen, "no path for the progress store: set HOME, XDG_DATA_HOME or RELAX_STORE, or use --store PATH");
        return RLX_ERR_USAGE;
    }
    rlx_err err = make_parents(path, why, whylen);
    if (err)
        return err;

    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) {
            rlx_why(why, whylen, "progress store %s is not a regular file; move it aside or use --store PATH", path);
            return RLX_ERR_STORE;
        }
    } else if (errno == ENOENT) {
        /* Create it ourselves so the mode is 0600 whatever the umask; EEXIST
         * means another process just did, which is fine. */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            fchmod(fd, 0600);
            close(fd);
        } else if (errno != EEXIST) {
            int e = errno;
            rlx_why(why, whylen, "cannot create the progress store %s: %s; %s or use --store PATH", path,
                strerror(e), e == ENOSPC ? "free some disk space" : "make its folder writable");
            return RLX_ERR_STORE;
        }
    } else {
        int e = errno;
        if (e == ENOTDIR)
            rlx_why(why, whylen, "cannot open the progress store %s: a folder on the way to it is a file; "
                "move that file aside or use --store PATH", path);
        else
            rlx_why(why, whylen, "cannot open the progress store %s: %s; check its folder or use --store PATH",
                path, strerror(e));
        return RLX_ERR_STORE;
    }

    rlx_store_backend *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        return RLX_ERR_NOMEM;
    }
    /* Never SQLITE_OPEN_CREATE: an existing file is the only thing we open. */
    int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        err = fail(path, st->db, rc, "open", why, whylen);
        goto error;
    }
    sqlite3_extended_result_codes(st->db, 1);
    if (sqlite3_db_readonly(st->db, "main") == 1) {
        err = fail(path, st->db, SQLITE_READONLY, "write", why, whylen);
        goto error;
    }
    sqlite3_busy_timeout(st->db, RLX_STORE_BUSY_TIMEOUT_MS);

    /* SQLite's busy handler covers ordinary waits, but a few collisions
     * between two processes opening a fresh store (one switching it to WAL
     * while the other reads the header) return BUSY at once. Retry the whole
     * set-up with a short back-off until the same deadline. */
    long long deadline = monotonic_ms() + RLX_STORE_BUSY_TIMEOUT_MS;
    for (int pause_ms = 2;; pause_ms = pause_ms < 64 ? pause_ms * 2 : 64) {
        err = prepare(st, why, whylen);
        if (err != RLX_ERR_STORE_LOCKED || monotonic_ms() >= deadline)
            break;
        sqlite3_sleep(pause_ms);
    }
    if (err)
        goto error;
    *out = st;
    return RLX_OK;

error:
    sq_close(st);
    return err;
}

static void sq_close(rlx_store_backend *st)
{
    if (!st)
        return;
    sqlite3_close_v2(st->db);
    free(st->path);
    free(st);
}


static int sq_schema_version(rlx_store_backend *st)
{
    int v = -1;
    return user_version(st->db, &v) == SQLITE_OK ? v : -1;
}

/* ---- helpers ------------------------------------------------------------- */

static char *col_dup(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? strdup((const char *)t) : NULL;
}

/* A text that must be there came back NULL: out of memory, or a NULL in the
 * file where the schema forbids one (a damaged or crafted store). */
static rlx_err missing_text(rlx_store_backend *st, sqlite3_stmt *q, int col, const char *what,
                            char *why, size_t whylen)
{
    if (sqlite3_column_type(q, col) != SQLITE_NULL)
        return RLX_ERR_NOMEM;
    rlx_why(why, whylen, "progress store %s is damaged (%s); it was left untouched: move it aside "
            "(relax starts a fresh one) or use --store PATH", st->path, what);
    return RLX_ERR_STORE_CORRUPT;
}

static int begin_write(rlx_store_backend *st)
{
    return sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
}

static int end_write(rlx_store_backend *st, int rc)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE) {
        rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return rc;
    }
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Inside a write transaction: the id of profile `name`, created if missing. */
static int profile_id(rlx_store_backend *st, const char *name, bool create, int64_t *id)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(st->db, "SELECT id FROM profiles WHERE name = ?1", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        return SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return rc;
    if (!create)
        return SQLITE_NOTFOUND;
    rc = sqlite3_prepare_v2(st->db, "INSERT INTO profiles(name, created_ms) VALUES(?1, ?2)", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, rlx_store_now_ms());
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return rc;
    *id = sqlite3_last_insert_rowid(st->db);
    return SQLITE_OK;
}

/* ---- profiles ------------------------------------------------------------ */


static void read_profile(sqlite3_stmt *q, rlx_profile *p)
{
    p->name = col_dup(q, 0);
    p->created_ms = sqlite3_column_int64(q, 1);
    p->has_mix = sqlite3_column_int(q, 2) != 0;
    p->volume_db = sqlite3_column_double(q, 3);
    p->background_db = sqlite3_column_double(q, 4);
    p->device = col_dup(q, 5);
    p->remote_key = col_dup(q, 6);
    p->length_ms = sqlite3_column_int64(q, 7);   /* NULL reads as 0 */
    p->bed = col_dup(q, 8);
}

#define PROFILE_COLS "name, created_ms, has_mix, volume_db, background_db, device, remote_key, length_ms, bed"

static rlx_err sq_profile_get(rlx_store_backend *st, const char *name, bool create,
                          rlx_profile *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    int rc = SQLITE_OK;
    if (create) {
        int64_t id;
        rc = begin_write(st);
        if (rc == SQLITE_OK)
            rc = end_write(st, profile_id(st, name, true, &id));
        if (rc != SQLITE_OK)
            return fail(st->path, st->db, rc, "write", why, whylen);
    }
    sqlite3_stmt *q;
    rc = sqlite3_prepare_v2(st->db, "SELECT " PROFILE_COLS " FROM profiles WHERE name = ?1", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "read", why, whylen);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        read_profile(q, out);
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE) {
        rlx_why(why, whylen, "no profile '%s' in %s (see 'relax profiles')", name, st->path);
        return RLX_ERR_NOT_FOUND;
    }
    if (rc != SQLITE_ROW)
        return fail(st->path, st->db, rc, "read", why, whylen);
    return out->name ? RLX_OK : RLX_ERR_NOMEM;   /* found by its name: not NULL there */
}

static rlx_err sq_profile_set_mix(rlx_store_backend *st, const char *name, double volume_db,
                                  double background_db, const char *device,
                                  char *why, size_t whylen)
{
    int64_t id = 0;
    int rc = begin_write(st);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "write", why, whylen);
    rc = profile_id(st, name, true, &id);
    if (rc == SQLITE_OK) {
        sqlite3_stmt *q;
        rc = sqlite3_prepare_v2(st->db,
            "UPDATE profiles SET has_mix = 1, volume_db = ?1, background_db = ?2, device = ?3 WHERE id = ?4",
            -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_double(q, 1, volume_db);
            sqlite3_bind_double(q, 2, background_db);
            if (device && *device)
                sqlite3_bind_text(q, 3, device, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(q, 3);
            sqlite3_bind_int64(q, 4, id);
            rc = sqlite3_step(q);
            sqlite3_finalize(q);
        }
    }
    rc = end_write(st, rc);
    return rc == SQLITE_OK ? RLX_OK : fail(st->path, st->db, rc, "write", why, whylen);
}

static rlx_err sq_profile_set_prefs(rlx_store_backend *st, const char *name, int64_t length_ms,
                                    const char *bed, char *why, size_t whylen)
{
    int64_t id = 0;
    int rc = begin_write(st);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "write", why, whylen);
    rc = profile_id(st, name, true, &id);
    if (rc == SQLITE_OK) {
        /* ?1/?3 flag what to keep: one statement for every combination */
        sqlite3_stmt *q;
        rc = sqlite3_prepare_v2(st->db,
            "UPDATE profiles SET length_ms = CASE WHEN ?1 THEN length_ms ELSE ?2 END,"
            " bed = CASE WHEN ?3 THEN bed ELSE ?4 END WHERE id = ?5", -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int(q, 1, length_ms < 0);
            if (length_ms > 0)
                sqlite3_bind_int64(q, 2, length_ms);
            else
                sqlite3_bind_null(q, 2);
            sqlite3_bind_int(q, 3, bed == NULL);
            if (bed && *bed)
                sqlite3_bind_text(q, 4, bed, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(q, 4);
            sqlite3_bind_int64(q, 5, id);
            rc = sqlite3_step(q);
            sqlite3_finalize(q);
        }
    }
    rc = end_write(st, rc);
    return rc == SQLITE_OK ? RLX_OK : fail(st->path, st->db, rc, "write", why, whylen);
}

static rlx_err sq_profile_set_remote_key(rlx_store_backend *st, const char *name, const char *key,
                                         char *why, size_t whylen)
{
    int64_t id = 0;
    int rc = begin_write(st);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "write", why, whylen);
    rc = profile_id(st, name, true, &id);
    if (rc == SQLITE_OK) {
        sqlite3_stmt *q;
        rc = sqlite3_prepare_v2(st->db, "UPDATE profiles SET remote_key = ?1 WHERE id = ?2", -1, &q, NULL);
        if (rc == SQLITE_OK) {
            if (key)
                sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(q, 1);
            sqlite3_bind_int64(q, 2, id);
            rc = sqlite3_step(q);
            sqlite3_finalize(q);
        }
    }
    rc = end_write(st, rc);
    return rc == SQLITE_OK ? RLX_OK : fail(st->path, st->db, rc, "write", why, whylen);
}

static rlx_err sq_profiles(rlx_store_backend *st, rlx_profile **out, size_t *n, char *why, size_t whylen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(st->db, "SELECT " PROFILE_COLS " FROM profiles ORDER BY name", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "read", why, whylen);
    size_t cap = 0;
    rlx_err err = RLX_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            rlx_profile *p = realloc(*out, nc * sizeof *p);
            if (!p) {
                err = RLX_ERR_NOMEM;
                break;
            }
            *out = p;
            cap = nc;
        }
        memset(&(*out)[*n], 0, sizeof **out);
        read_profile(q, &(*out)[(*n)++]);
        if (!(*out)[*n - 1].name) {
            err = missing_text(st, q, 0, "a profile without a name", why, whylen);
            break;
        }
    }
    sqlite3_finalize(q);
    if (!err && rc != SQLITE_DONE)
        err = fail(st->path, st->db, rc, "read", why, whylen);
    if (err) {
        rlx_store_profiles_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return err;
}


/* ---- listens ------------------------------------------------------------- */



static rlx_err sq_listen_put(rlx_store_backend *st, rlx_listen_rec *rec, char *why, size_t whylen)
{
    int64_t pid = 0;
    int rc = begin_write(st);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "write", why, whylen);
    rc = profile_id(st, rec->profile, true, &pid);
    if (rc == SQLITE_OK) {
        sqlite3_stmt *q;
        /* the newer state of a listen wins; an older copy arriving late changes nothing */
        rc = sqlite3_prepare_v2(st->db,
            "INSERT INTO listens(profile_id, session_id, session_hash, week, length_ms, started_ms,"
            " ended_ms, from_ms, position_ms, furthest_ms, played_ms, credit_ms, completed, finished,"
            " uuid, room, rev, rendered)"
            " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
            " ON CONFLICT(uuid) DO UPDATE SET ended_ms = excluded.ended_ms,"
            " position_ms = excluded.position_ms, furthest_ms = excluded.furthest_ms,"
            " played_ms = excluded.played_ms, credit_ms = excluded.credit_ms,"
            " completed = excluded.completed, finished = excluded.finished, rev = excluded.rev"
            " WHERE (excluded.ended_ms, excluded.rev) >= (listens.ended_ms, listens.rev)", -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, pid);
            sqlite3_bind_text(q, 2, rec->session_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, rec->session_hash ? rec->session_hash : "", -1, SQLITE_STATIC);
            sqlite3_bind_int(q, 4, rec->week);
            sqlite3_bind_int64(q, 5, rec->length_ms);
            sqlite3_bind_int64(q, 6, rec->started_ms);
            sqlite3_bind_int64(q, 7, rec->ended_ms);
            sqlite3_bind_int64(q, 8, rec->from_ms);
            sqlite3_bind_int64(q, 9, rec->position_ms);
            sqlite3_bind_int64(q, 10, rec->furthest_ms);
            sqlite3_bind_int64(q, 11, rec->played_ms);
            sqlite3_bind_int64(q, 12, rec->credit_ms);
            sqlite3_bind_int(q, 13, rec->completed);
            sqlite3_bind_int(q, 14, rec->finished);
            sqlite3_bind_text(q, 15, rec->uuid, -1, SQLITE_STATIC);
            sqlite3_bind_int(q, 18, rec->rendered);
            if (rec->room && *rec->room)
                sqlite3_bind_text(q, 16, rec->room, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(q, 16);
            sqlite3_bind_int64(q, 17, rec->rev);
            rc = sqlite3_step(q);
            sqlite3_finalize(q);
        }
        if (rc == SQLITE_DONE) {
            rc = sqlite3_prepare_v2(st->db, "SELECT id FROM listens WHERE uuid = ?1", -1, &q, NULL);
            if (rc == SQLITE_OK) {
                sqlite3_bind_text(q, 1, rec->uuid, -1, SQLITE_STATIC);
                rc = sqlite3_step(q);
                if (rc == SQLITE_ROW) {
                    rec->id = sqlite3_column_int64(q, 0);
                    rc = SQLITE_DONE;
                }
                sqlite3_finalize(q);
            }
        }
    }
    rc = end_write(st, rc);
    return rc == SQLITE_OK ? RLX_OK : fail(st->path, st->db, rc, "write", why, whylen);
}

static rlx_err sq_profile_created(rlx_store_backend *st, const char *name, int64_t created_ms,
                                  char *why, size_t whylen)
{
    int64_t id = 0;
    int rc = begin_write(st);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "write", why, whylen);
    rc = profile_id(st, name, true, &id);
    if (rc == SQLITE_OK) {
        sqlite3_stmt *q;
        rc = sqlite3_prepare_v2(st->db, "UPDATE profiles SET created_ms = min(created_ms, ?1) WHERE id = ?2",
                                -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, created_ms);
            sqlite3_bind_int64(q, 2, id);
            rc = sqlite3_step(q);
            sqlite3_finalize(q);
        }
    }
    rc = end_write(st, rc);
    return rc == SQLITE_OK ? RLX_OK : fail(st->path, st->db, rc, "write", why, whylen);
}

static rlx_err sq_listens(rlx_store_backend *st, const char *profile, const char *session_id,
                          rlx_listen_rec **out, size_t *n, char *why, size_t whylen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(st->db,
        "SELECT l.id, p.name, l.session_id, l.session_hash, l.week, l.length_ms, l.started_ms,"
        " l.ended_ms, l.from_ms, l.position_ms, l.furthest_ms, l.played_ms, l.credit_ms,"
        " l.completed, l.finished, l.uuid, l.room, l.rev, l.rendered"
        " FROM listens l JOIN profiles p ON p.id = l.profile_id"
        " WHERE (?1 IS NULL OR p.name = ?1) AND (?2 IS NULL OR l.session_id = ?2)"
        " ORDER BY l.started_ms, l.id", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fail(st->path, st->db, rc, "read", why, whylen);
    if (profile)
        sqlite3_bind_text(q, 1, profile, -1, SQLITE_STATIC);
    if (session_id)
        sqlite3_bind_text(q, 2, session_id, -1, SQLITE_STATIC);
    size_t cap = 0;
    rlx_err err = RLX_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            rlx_listen_rec *p = realloc(*out, nc * sizeof *p);
            if (!p) {
                err = RLX_ERR_NOMEM;
                break;
            }
            *out = p;
            cap = nc;
        }
        rlx_listen_rec *r = &(*out)[(*n)++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(q, 0);
        r->profile = col_dup(q, 1);
        r->session_id = col_dup(q, 2);
        r->session_hash = col_dup(q, 3);
        r->week = sqlite3_column_int(q, 4);
        r->length_ms = sqlite3_column_int64(q, 5);
        r->started_ms = sqlite3_column_int64(q, 6);
        r->ended_ms = sqlite3_column_int64(q, 7);
        r->from_ms = sqlite3_column_int64(q, 8);
        r->position_ms = sqlite3_column_int64(q, 9);
        r->furthest_ms = sqlite3_column_int64(q, 10);
        r->played_ms = sqlite3_column_int64(q, 11);
        r->credit_ms = sqlite3_column_int64(q, 12);
        r->completed = sqlite3_column_int(q, 13) != 0;
        r->finished = sqlite3_column_int(q, 14) != 0;
        r->rendered = sqlite3_column_int(q, 18) != 0;
        const unsigned char *u = sqlite3_column_text(q, 15);
        snprintf(r->uuid, sizeof r->uuid, "%s", u ? (const char *)u : "");
        r->room = col_dup(q, 16);
        r->rev = sqlite3_column_int64(q, 17);
        if (!r->profile || !r->session_id || !r->session_hash) {
            int col = !r->profile ? 1 : !r->session_id ? 2 : 3;
            err = missing_text(st, q, col, col == 1 ? "a profile without a name" :
                               col == 2 ? "a listen without its session" : "a listen without its session's hash",
                               why, whylen);
            break;
        }
    }
    sqlite3_finalize(q);
    if (!err && rc != SQLITE_DONE)
        err = fail(st->path, st->db, rc, "read", why, whylen);
    if (err) {
        rlx_store_listens_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return err;
}

static bool sq_unreachable(rlx_store_backend *st)
{
    (void)st;
    return false;   /* a local file is there or not */
}

const rlx_store_ops rlx_store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .schema_version = sq_schema_version,
    .profile_get = sq_profile_get,
    .profile_set_mix = sq_profile_set_mix,
    .profile_set_remote_key = sq_profile_set_remote_key,
    .profile_set_prefs = sq_profile_set_prefs,
    .profile_created = sq_profile_created,
    .profiles = sq_profiles,
    .listen_put = sq_listen_put,
    .listens = sq_listens,
    .unreachable = sq_unreachable,
};
