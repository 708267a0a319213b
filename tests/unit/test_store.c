/* test_store.c - the progress store: schema, modes, WAL, concurrency, and
 * every failure path leaving the existing file byte-for-byte unchanged. */
#include "rlx_test.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rlx_pg.h"
#include "store/store.h"
#include "store/store_journal.h"

static char *path_in(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    assert_non_null(p);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void assert_same_bytes(const char *path, const unsigned char *before, size_t len)
{
    size_t n;
    unsigned char *now = slurp(path, &n);
    assert_int_equal(n, len);
    assert_memory_equal(now, before, len);
    free(now);
}

static rlx_listen_rec make_rec(const char *profile, const char *session, int64_t pos)
{
    rlx_listen_rec r = {
        .profile = (char *)profile, .session_id = (char *)session, .session_hash = "0123456789abcdef",
        .week = 3, .length_ms = 600000, .started_ms = 1000, .ended_ms = 2000, .from_ms = 0,
        .position_ms = pos, .furthest_ms = pos, .played_ms = pos, .credit_ms = pos,
    };
    return r;
}

/* Runs one SQL statement on a separate plain connection; returns its first column as text. */
static char *sql_text(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    char *out = NULL;
    if (sqlite3_step(q) == SQLITE_ROW)
        out = strdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    assert_non_null(out);
    return out;
}

static void creates_schema_mode_and_wal(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = path_in(dir, "data/relax/progress.db");
    mode_t old = umask(022);   /* the mode must not depend on the umask */
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    umask(old);
    assert_int_equal(rlx_store_schema_version(st), RLX_STORE_SCHEMA_VERSION);
    assert_string_equal(rlx_store_path(st), path);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    char *folder = path_in(dir, "data/relax");
    assert_int_equal(stat(folder, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    /* the WAL files SQLite makes beside it copy the store's mode */
    char *wal = path_in(dir, "data/relax/progress.db-wal");
    assert_int_equal(stat(wal, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    free(wal);
    rlx_store_close(st);

    char *mode = sql_text(path, "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    char *ver = sql_text(path, "PRAGMA user_version");
    assert_string_equal(ver, "5");   /* 4: remote_key, 5: length and bed */
    char *tables = sql_text(path, "SELECT group_concat(name, ',') FROM "
                                  "(SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)");
    assert_string_equal(tables, "listens,profiles");
    free(mode), free(ver), free(tables), free(folder), free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

static void migrates_empty_file_and_keeps_data(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    free(rlx_test_write(dir, "progress.db", "", 0));   /* SQLite: an empty file is an empty database */
    char *path = rlx_test_store_where(dir);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    rlx_listen_rec r = make_rec("anna", "week-01", 42000);
    assert_int_equal(rlx_store_listen_add(st, &r, why, sizeof why), RLX_OK);
    assert_int_equal(strlen(r.uuid), RLX_LISTEN_UUID_LEN);   /* the id is store-local; PostgreSQL sets it when sent */
    rlx_store_close(st);

    /* reopening does not re-run migration 1 and keeps the rows */
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    rlx_listen_rec *recs;
    size_t n;
    assert_int_equal(rlx_store_listens(st, "anna", NULL, &recs, &n, why, sizeof why), RLX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(recs[0].session_id, "week-01");
    assert_string_equal(recs[0].session_hash, "0123456789abcdef");
    assert_int_equal(recs[0].position_ms, 42000);
    assert_int_equal(recs[0].week, 3);
    assert_false(recs[0].completed);
    rlx_store_listens_free(recs, n);
    rlx_store_close(st);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

/* A store written by the first schema (before `rendered`) opens, migrates to
 * 2 and keeps its listens, which read as heard listens; a render round-trips. */
static void migrates_schema_1_for_renders(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = path_in(dir, "progress.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
        "CREATE TABLE profiles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL,"
        " has_mix INTEGER NOT NULL DEFAULT 0, volume_db REAL NOT NULL DEFAULT 0,"
        " background_db REAL NOT NULL DEFAULT 0, device TEXT);"
        "CREATE TABLE listens (id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL REFERENCES profiles(id),"
        " session_id TEXT NOT NULL, session_hash TEXT NOT NULL, week INTEGER NOT NULL DEFAULT 0,"
        " length_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL, ended_ms INTEGER NOT NULL,"
        " from_ms INTEGER NOT NULL, position_ms INTEGER NOT NULL, furthest_ms INTEGER NOT NULL,"
        " played_ms INTEGER NOT NULL, credit_ms INTEGER NOT NULL, completed INTEGER NOT NULL DEFAULT 0,"
        " finished INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX listens_by_profile ON listens(profile_id, session_id, started_ms);"
        "INSERT INTO profiles(name, created_ms) VALUES('anna', 5);"
        "INSERT INTO listens(profile_id, session_id, session_hash, week, length_ms, started_ms, ended_ms,"
        " from_ms, position_ms, furthest_ms, played_ms, credit_ms, completed, finished)"
        " VALUES(1, 'week-01', 'h', 1, 600000, 1000, 2000, 0, 600000, 600000, 600000, 600000, 1, 1);"
        "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_schema_version(st), RLX_STORE_SCHEMA_VERSION);
    rlx_listen_rec r = make_rec("anna", "week-02", 0);
    r.rendered = true;
    r.played_ms = r.credit_ms = 0;
    assert_int_equal(rlx_store_listen_add(st, &r, why, sizeof why), RLX_OK);
    rlx_listen_rec *recs;
    size_t n;
    assert_int_equal(rlx_store_listens(st, "anna", NULL, &recs, &n, why, sizeof why), RLX_OK);
    assert_int_equal(n, 2);
    assert_string_equal(recs[0].session_id, "week-01");
    assert_true(recs[0].completed);
    assert_false(recs[0].rendered);
    assert_string_equal(recs[1].session_id, "week-02");
    assert_true(recs[1].rendered);
    rlx_store_listens_free(recs, n);
    rlx_store_close(st);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

/* A store of schema 3 (before a profile's length and bed) opens, migrates
 * and keeps its profiles, mixes and listens; the new fields start empty. */
static void migrates_schema_3_for_prefs(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = path_in(dir, "progress.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
        "CREATE TABLE profiles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL,"
        " has_mix INTEGER NOT NULL DEFAULT 0, volume_db REAL NOT NULL DEFAULT 0,"
        " background_db REAL NOT NULL DEFAULT 0, device TEXT);"
        "CREATE TABLE listens (id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL REFERENCES profiles(id),"
        " session_id TEXT NOT NULL, session_hash TEXT NOT NULL, week INTEGER NOT NULL DEFAULT 0,"
        " length_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL, ended_ms INTEGER NOT NULL,"
        " from_ms INTEGER NOT NULL, position_ms INTEGER NOT NULL, furthest_ms INTEGER NOT NULL,"
        " played_ms INTEGER NOT NULL, credit_ms INTEGER NOT NULL, completed INTEGER NOT NULL DEFAULT 0,"
        " finished INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX listens_by_profile ON listens(profile_id, session_id, started_ms);"
        "ALTER TABLE listens ADD COLUMN uuid TEXT;"
        "ALTER TABLE listens ADD COLUMN room TEXT;"
        "ALTER TABLE listens ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;"
        "CREATE UNIQUE INDEX listens_by_uuid ON listens(uuid);"
        "ALTER TABLE listens ADD COLUMN rendered INTEGER NOT NULL DEFAULT 0;"
        "INSERT INTO profiles(name, created_ms, has_mix, volume_db, background_db, device)"
        " VALUES('anna', 5, 1, -7.5, 2, 'pulse');"
        "INSERT INTO listens(profile_id, session_id, session_hash, week, length_ms, started_ms, ended_ms,"
        " from_ms, position_ms, furthest_ms, played_ms, credit_ms, completed, finished, uuid, room)"
        " VALUES(1, 'week-01', 'h', 1, 600000, 1000, 2000, 0, 600000, 600000, 600000, 600000, 1, 1,"
        " 'u1', 'room 2');"
        "PRAGMA user_version = 3;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_schema_version(st), RLX_STORE_SCHEMA_VERSION);
    rlx_profile p;
    assert_int_equal(rlx_store_profile_get(st, "anna", false, &p, why, sizeof why), RLX_OK);
    assert_int_equal(p.created_ms, 5);
    assert_true(p.has_mix && p.volume_db == -7.5 && p.background_db == 2);
    assert_string_equal(p.device, "pulse");
    assert_int_equal(p.length_ms, 0);
    assert_null(p.bed);
    rlx_profile_clear(&p);
    assert_int_equal(rlx_store_profile_set_prefs(st, "anna", 3600000, "rain", why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_get(st, "anna", false, &p, why, sizeof why), RLX_OK);
    assert_int_equal(p.length_ms, 3600000);
    assert_string_equal(p.bed, "rain");
    rlx_profile_clear(&p);
    rlx_listen_rec *recs;
    size_t n;
    assert_int_equal(rlx_store_listens(st, "anna", NULL, &recs, &n, why, sizeof why), RLX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(recs[0].uuid, "u1");
    assert_string_equal(recs[0].room, "room 2");
    assert_true(recs[0].completed);
    rlx_store_listens_free(recs, n);
    rlx_store_close(st);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

static void refuses_newer_schema(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = path_in(dir, "progress.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    size_t len;
    unsigned char *before = slurp(path, &len);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_ERR_STORE_CORRUPT);
    assert_null(st);
    assert_non_null(strstr(why, path));
    assert_non_null(strstr(why, "newer version of relax"));
    assert_same_bytes(path, before, len);
    free(before), free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

/* issue 16.1: a negative user_version used to index the migrations with -1
 * (UBSan: index out of bounds; a normal build handed SQLite a stray pointer). */
static void refuses_negative_schema(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = path_in(dir, "progress.db");
    static const int versions[] = {-1, -2147483647 - 1};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        sqlite3 *db;
        unlink(path);
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        char sql[96];
        snprintf(sql, sizeof sql, "CREATE TABLE t(x); PRAGMA user_version = %d", versions[i]);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        size_t len;
        unsigned char *before = slurp(path, &len);
        rlx_store *st = NULL;
        char why[512] = "";
        assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_ERR_STORE_CORRUPT);
        assert_null(st);
        assert_non_null(strstr(why, path));
        assert_non_null(strstr(why, "unknown schema version"));
        assert_same_bytes(path, before, len);
        free(before);
    }
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

/* A migration that fails (here: schema 1 plus a column that migration 2
 * adds) rolls back, and the file, in rollback-journal mode, is not switched
 * to WAL either: byte for byte as it was (found by fuzz_store). */
static void failed_migration_leaves_file(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = path_in(dir, "progress.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
        "CREATE TABLE profiles(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL);"
        "CREATE TABLE listens(id INTEGER PRIMARY KEY, profile_id INTEGER, uuid TEXT);"
        "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    size_t len;
    unsigned char *before = slurp(path, &len);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_ERR_STORE);
    assert_null(st);
    assert_non_null(strstr(why, path));
    assert_same_bytes(path, before, len);
    free(before);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

/* An index that disagrees with its table passes quick_check; writing
 * through it filed a new listen under another profile. Refused at open,
 * untouched. The file is fuzz_store's finding, kept in its seed corpus. */
static void damaged_index_is_refused(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = path_in(dir, "progress.db");
    char src[1024];
    snprintf(src, sizeof src, "%s/tests/fuzz/corpus/store/regress-damaged-index", getenv("RLX_SOURCE_DIR"));
    size_t len;
    unsigned char *before = slurp(src, &len);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(before, 1, len, f), len);
    fclose(f);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_ERR_STORE_CORRUPT);
    assert_null(st);
    assert_non_null(strstr(why, "damaged"));
    assert_same_bytes(path, before, len);
    free(before);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

/* NULLs where the schema says NOT NULL (a crafted store, kept in the fuzz
 * seed corpus): the reads say the store is damaged, naming it, instead of
 * handing out a profile without a name ("relax: " and exit 1 before). */
static void null_names_are_damage(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = path_in(dir, "progress.db");
    char src[1024];
    snprintf(src, sizeof src, "%s/tests/fuzz/corpus/store/regress-null-names", getenv("RLX_SOURCE_DIR"));
    size_t len;
    unsigned char *bytes = slurp(src, &len);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    fclose(f);
    free(bytes);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    rlx_profile *ps = NULL;
    size_t np = 0;
    assert_int_equal(rlx_store_profiles(st, &ps, &np, why, sizeof why), RLX_ERR_STORE_CORRUPT);
    assert_null(ps);
    assert_non_null(strstr(why, path));
    assert_non_null(strstr(why, "a profile without a name"));
    rlx_listen_rec *ls = NULL;
    size_t nl = 0;
    why[0] = 0;
    assert_int_equal(rlx_store_listens(st, NULL, NULL, &ls, &nl, why, sizeof why), RLX_ERR_STORE_CORRUPT);
    assert_null(ls);
    assert_non_null(strstr(why, "damaged"));
    rlx_store_close(st);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

/* A crafted store whose `profiles` is a view with an endless recursive
 * query hung `relax profiles` (and `store copy FROM`): views and triggers,
 * which relax never writes, are refused at open, the file untouched. */
static void views_and_triggers_are_refused(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = path_in(dir, "progress.db");
    char src[1024];
    snprintf(src, sizeof src, "%s/tests/fuzz/corpus/store/regress-view-endless-query", getenv("RLX_SOURCE_DIR"));
    size_t len;
    unsigned char *before = slurp(src, &len);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(before, 1, len, f), len);
    fclose(f);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_ERR_STORE_CORRUPT);
    assert_null(st);
    assert_non_null(strstr(why, "holds a view ('profiles')"));
    assert_same_bytes(path, before, len);
    free(before);

    /* a trigger that would empty the listens at the next write */
    unlink(path);
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    rlx_store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TRIGGER wipe AFTER INSERT ON listens BEGIN DELETE FROM listens; END",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    before = slurp(path, &len);
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_ERR_STORE_CORRUPT);
    assert_non_null(strstr(why, "holds a trigger ('wipe')"));
    assert_same_bytes(path, before, len);
    free(before);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

/* A record whose header claims gigabytes makes SQLite run out of memory:
 * that is a damaged store (exit 8, naming it), not "out of memory" (exit 1).
 * The file is fuzz_store's finding. */
static void huge_record_is_damage(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = path_in(dir, "progress.db");
    char src[1024];
    snprintf(src, sizeof src, "%s/tests/fuzz/corpus/store/regress-huge-record-nomem", getenv("RLX_SOURCE_DIR"));
    size_t len;
    unsigned char *before = slurp(src, &len);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(before, 1, len, f), len);
    fclose(f);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_ERR_STORE_CORRUPT);
    assert_null(st);
    assert_non_null(strstr(why, path));
    assert_non_null(strstr(why, "probably damaged"));
    assert_same_bytes(path, before, len);
    free(before);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

/* A store written by the first schema gains rooms and listen keys, keeping its rows. */
static void migrates_schema_1_to_2(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = path_in(dir, "progress.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
        "CREATE TABLE profiles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL,"
        " has_mix INTEGER NOT NULL DEFAULT 0, volume_db REAL NOT NULL DEFAULT 0,"
        " background_db REAL NOT NULL DEFAULT 0, device TEXT);"
        "CREATE TABLE listens (id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL REFERENCES profiles(id),"
        " session_id TEXT NOT NULL, session_hash TEXT NOT NULL, week INTEGER NOT NULL DEFAULT 0,"
        " length_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL, ended_ms INTEGER NOT NULL,"
        " from_ms INTEGER NOT NULL, position_ms INTEGER NOT NULL, furthest_ms INTEGER NOT NULL,"
        " played_ms INTEGER NOT NULL, credit_ms INTEGER NOT NULL, completed INTEGER NOT NULL DEFAULT 0,"
        " finished INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO profiles(name, created_ms) VALUES('old', 5);"
        "INSERT INTO listens(profile_id, session_id, session_hash, week, length_ms, started_ms, ended_ms,"
        " from_ms, position_ms, furthest_ms, played_ms, credit_ms, completed, finished)"
        " VALUES(1, 'week-01', 'h', 1, 1000, 1, 2, 0, 700, 700, 700, 700, 0, 1),"
        "       (1, 'week-02', 'h', 2, 1000, 3, 4, 0, 100, 100, 100, 100, 0, 1);"
        "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_schema_version(st), RLX_STORE_SCHEMA_VERSION);
    rlx_listen_rec *recs;
    size_t n;
    assert_int_equal(rlx_store_listens(st, "old", NULL, &recs, &n, why, sizeof why), RLX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(recs[0].position_ms, 700);
    assert_int_equal(strlen(recs[0].uuid), RLX_LISTEN_UUID_LEN);
    assert_int_equal(strlen(recs[1].uuid), RLX_LISTEN_UUID_LEN);
    assert_string_not_equal(recs[0].uuid, recs[1].uuid);
    assert_null(recs[0].room);
    rlx_store_listens_free(recs, n);
    rlx_store_close(st);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

static void profiles_and_mix(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = rlx_test_store_where(dir);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    rlx_profile p;
    assert_int_equal(rlx_store_profile_get(st, "zoe", false, &p, why, sizeof why), RLX_ERR_NOT_FOUND);
    assert_non_null(strstr(why, "zoe"));
    assert_int_equal(rlx_store_profile_get(st, "zoe", true, &p, why, sizeof why), RLX_OK);
    assert_string_equal(p.name, "zoe");
    assert_false(p.has_mix);
    assert_null(p.device);
    assert_true(p.created_ms > 1600000000000LL);
    rlx_profile_clear(&p);
    assert_int_equal(rlx_store_profile_set_mix(st, "anna", -6.5, 3, "pulse", why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_get(st, "anna", false, &p, why, sizeof why), RLX_OK);
    assert_true(p.has_mix);
    assert_true(p.volume_db == -6.5);
    assert_true(p.background_db == 3);
    assert_string_equal(p.device, "pulse");
    assert_int_equal(p.length_ms, 0);   /* nothing chosen yet: the session's own */
    assert_null(p.bed);
    rlx_profile_clear(&p);
    /* the length and bed last chosen; each kept while the other changes */
    assert_int_equal(rlx_store_profile_set_prefs(st, "anna", 3600000, "rain", why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_set_prefs(st, "anna", -1, NULL, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_get(st, "anna", false, &p, why, sizeof why), RLX_OK);
    assert_int_equal(p.length_ms, 3600000);
    assert_string_equal(p.bed, "rain");
    assert_true(p.volume_db == -6.5);   /* the mix is untouched */
    rlx_profile_clear(&p);
    assert_int_equal(rlx_store_profile_set_prefs(st, "anna", 5400000, NULL, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_get(st, "anna", false, &p, why, sizeof why), RLX_OK);
    assert_int_equal(p.length_ms, 5400000);
    assert_string_equal(p.bed, "rain");
    rlx_profile_clear(&p);
    assert_int_equal(rlx_store_profile_set_prefs(st, "anna", -1, "shore", why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_set_prefs(st, "anna", 0, NULL, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_get(st, "anna", false, &p, why, sizeof why), RLX_OK);
    assert_int_equal(p.length_ms, 0);
    assert_string_equal(p.bed, "shore");
    rlx_profile_clear(&p);
    assert_int_equal(rlx_store_profile_set_prefs(st, "anna", 3600000, "", why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_get(st, "anna", false, &p, why, sizeof why), RLX_OK);
    assert_null(p.bed);
    assert_int_equal(p.length_ms, 3600000);
    assert_null(p.remote_key);
    rlx_profile_clear(&p);
    /* the remote's key a profile keeps: set (creating the profile), replaced, forgotten */
    assert_int_equal(rlx_store_profile_set_remote_key(st, "anna", "0123456789abcdef0123456789abcdef", why, sizeof why),
                     RLX_OK);
    assert_int_equal(rlx_store_profile_set_remote_key(st, "anna", "fedcba9876543210fedcba9876543210", why, sizeof why),
                     RLX_OK);
    assert_int_equal(rlx_store_profile_get(st, "anna", false, &p, why, sizeof why), RLX_OK);
    assert_string_equal(p.remote_key, "fedcba9876543210fedcba9876543210");
    assert_true(p.has_mix && p.volume_db == -6.5);   /* the mix untouched */
    rlx_profile_clear(&p);
    assert_int_equal(rlx_store_profile_set_remote_key(st, "zoe", NULL, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_get(st, "zoe", false, &p, why, sizeof why), RLX_OK);
    assert_null(p.remote_key);
    rlx_profile_clear(&p);
    rlx_profile *all;
    size_t n;
    assert_int_equal(rlx_store_profiles(st, &all, &n, why, sizeof why), RLX_OK);
    assert_int_equal(n, 2);
    assert_string_equal(all[0].name, "anna");
    assert_string_equal(all[1].name, "zoe");
    assert_string_equal(all[0].remote_key, "fedcba9876543210fedcba9876543210");
    assert_null(all[1].remote_key);
    rlx_store_profiles_free(all, n);
    assert_int_equal(rlx_store_profile_set_remote_key(st, "anna", NULL, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_get(st, "anna", false, &p, why, sizeof why), RLX_OK);
    assert_null(p.remote_key);
    rlx_profile_clear(&p);
    rlx_store_close(st);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

static void path_resolution(void **state)
{
    (void)state;
    char buf[256];
    unsetenv("RELAX_STORE");
    setenv("XDG_DATA_HOME", "/x/data", 1);
    setenv("HOME", "/home/u", 1);
    assert_int_equal(rlx_store_resolve_path("/a/b.db", buf, sizeof buf), RLX_OK);
    assert_string_equal(buf, "/a/b.db");
    assert_int_equal(rlx_store_resolve_path(NULL, buf, sizeof buf), RLX_OK);
    assert_string_equal(buf, "/x/data/relax/progress.db");
    setenv("XDG_DATA_HOME", "relative", 1);   /* invalid per the XDG spec: ignored */
    assert_int_equal(rlx_store_resolve_path(NULL, buf, sizeof buf), RLX_OK);
    assert_string_equal(buf, "/home/u/.local/share/relax/progress.db");
    setenv("RELAX_STORE", "/env/s.db", 1);
    assert_int_equal(rlx_store_resolve_path("", buf, sizeof buf), RLX_OK);
    assert_string_equal(buf, "/env/s.db");
    assert_int_equal(rlx_store_resolve_path(NULL, buf, 4), RLX_ERR_USAGE);
    unsetenv("RELAX_STORE");

    unsetenv("RELAX_PROFILE");
    assert_string_equal(rlx_store_resolve_profile(NULL), "default");
    setenv("RELAX_PROFILE", "kim", 1);
    assert_string_equal(rlx_store_resolve_profile(""), "kim");
    assert_string_equal(rlx_store_resolve_profile("lee"), "lee");
    unsetenv("RELAX_PROFILE");
    assert_true(rlx_profile_name_valid("Anna Maria"));
    assert_false(rlx_profile_name_valid(""));
    assert_false(rlx_profile_name_valid("a\nb"));
}

/* Two processes open a fresh store at the same moment and add 200 listens
 * each, one transaction per listen: none fails, none is lost. */
static void two_processes_write_concurrently(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = rlx_test_store_where(dir);
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            close(go[1]);
            char c;
            if (read(go[0], &c, 1) != 0)   /* wait for the parent to close: both start together */
                _exit(10);
            rlx_store *st = NULL;
            char why[512];
            if (rlx_store_open(path, &st, why, sizeof why) != RLX_OK) {
                fprintf(stderr, "child %d: %s\n", k, why);
                _exit(11);
            }
            const char *profile = k ? "two" : "one";
            for (int i = 0; i < 200; i++) {
                rlx_listen_rec r = make_rec(profile, "week-02", i);
                rlx_err err = rlx_store_listen_add(st, &r, why, sizeof why);
                if (!err) {
                    r.position_ms = i + 1;
                    err = rlx_store_listen_save(st, &r, why, sizeof why);
                }
                if (err) {
                    fprintf(stderr, "child %d write %d: %s\n", k, i, why);
                    _exit(12);
                }
            }
            rlx_store_close(st);
            _exit(0);
        }
    }
    close(go[0]);
    close(go[1]);
    for (int k = 0; k < 2; k++) {
        int status;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    rlx_store *st = NULL;
    char why[512];
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    const char *profiles[] = {"one", "two"};
    for (int k = 0; k < 2; k++) {
        rlx_listen_rec *recs;
        size_t n;
        assert_int_equal(rlx_store_listens(st, profiles[k], NULL, &recs, &n, why, sizeof why), RLX_OK);
        assert_int_equal(n, 200);
        long long sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += recs[i].position_ms;
        assert_int_equal(sum, 200 * 201 / 2);   /* every update landed */
        rlx_store_listens_free(recs, n);
    }
    rlx_store_close(st);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

static void corrupt_file_is_left_alone(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    unsigned char garbage[8192];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (unsigned char)((x = x * 1103515245 + 12345) >> 16);
    char *path = rlx_test_write(dir, "progress.db", garbage, sizeof garbage);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_ERR_STORE_CORRUPT);
    assert_null(st);
    assert_non_null(strstr(why, path));
    assert_non_null(strstr(why, "not a database"));
    assert_non_null(strstr(why, "move it aside"));
    assert_same_bytes(path, garbage, sizeof garbage);
    /* a short text file too */
    char *txt = rlx_test_write(dir, "notes.db", "shopping list\n", 14);
    assert_int_equal(rlx_store_open(txt, &st, why, sizeof why), RLX_ERR_STORE_CORRUPT);
    assert_same_bytes(txt, (const unsigned char *)"shopping list\n", 14);
    free(txt), free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

/* A store with one listen; returns its path (closed, WAL checkpointed). */
static char *make_store(const char *dir, const char *name)
{
    char *path = path_in(dir, name);
    rlx_store *st = NULL;
    char why[512];
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    rlx_listen_rec r = make_rec("anna", "week-01", 1000);
    assert_int_equal(rlx_store_listen_add(st, &r, why, sizeof why), RLX_OK);
    rlx_store_close(st);
    return path;
}

/* Tests run as root, where permission bits do not stop writes: the
 * immutable attribute (chattr +i) does. Without root, chmod is enough. */
static bool make_readonly(const char *path, bool on)
{
    if (geteuid() != 0)
        return chmod(path, on ? 0500 : 0700) == 0 || chmod(path, on ? 0400 : 0600) == 0;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "chattr %ci '%s' 2>/dev/null", on ? '+' : '-', path);
    return system(cmd) == 0;
}

static void readonly_file(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = make_store(dir, "progress.db");
    size_t len;
    unsigned char *before = slurp(path, &len);
    if (geteuid() != 0)
        chmod(path, 0400);
    else if (!make_readonly(path, true)) {
        free(before), free(path), rlx_test_rmtree(dir), free(dir);
        skip();   /* the filesystem has no immutable attribute */
    }
    rlx_store *st = NULL;
    char why[512] = "";
    rlx_err err = rlx_store_open(path, &st, why, sizeof why);
    if (geteuid() != 0)
        chmod(path, 0600);
    else
        make_readonly(path, false);
    assert_int_equal(err, RLX_ERR_STORE);
    assert_null(st);
    assert_non_null(strstr(why, path));
    assert_non_null(strstr(why, "read-only"));
    assert_same_bytes(path, before, len);
    free(before), free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

static void readonly_folder(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *sub = path_in(dir, "relax");
    assert_int_equal(mkdir(sub, 0700), 0);
    char *path = make_store(sub, "progress.db");
    size_t len;
    unsigned char *before = slurp(path, &len);
    if (!make_readonly(sub, true)) {
        free(before), free(path), free(sub), rlx_test_rmtree(dir), free(dir);
        skip();
    }
    rlx_store *st = NULL;
    char why[512] = "";
    rlx_err err = rlx_store_open(path, &st, why, sizeof why);
    make_readonly(sub, false);
    assert_int_equal(err, RLX_ERR_STORE);
    assert_null(st);
    assert_non_null(strstr(why, path));
    assert_non_null(strstr(why, "read-only"));
    assert_same_bytes(path, before, len);
    free(before), free(path), free(sub);
    rlx_test_rmtree(dir);
    free(dir);
}

static void folder_is_a_file(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *file = rlx_test_write(dir, "relax", "I am a file", 11);
    char *path = path_in(dir, "relax/progress.db");
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_ERR_STORE);
    assert_null(st);
    assert_non_null(strstr(why, path));
    assert_non_null(strstr(why, "is a file"));
    assert_same_bytes(file, (const unsigned char *)"I am a file", 11);
    /* deeper: a file two levels up */
    char *deep = path_in(dir, "relax/more/progress.db");
    assert_int_equal(rlx_store_open(deep, &st, why, sizeof why), RLX_ERR_STORE);
    assert_non_null(strstr(why, "is a file"));
    assert_same_bytes(file, (const unsigned char *)"I am a file", 11);
    /* the store path itself is a folder */
    char *folder = path_in(dir, "adir");
    assert_int_equal(mkdir(folder, 0700), 0);
    assert_int_equal(rlx_store_open(folder, &st, why, sizeof why), RLX_ERR_STORE);
    assert_non_null(strstr(why, "not a regular file"));
    free(folder), free(deep), free(path), free(file);
    rlx_test_rmtree(dir);
    free(dir);
}

static void locked_beyond_timeout(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *path = make_store(dir, "progress.db");
    sqlite3 *holder;
    assert_int_equal(sqlite3_open_v2(path, &holder, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(holder, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    rlx_store *st = NULL;
    char why[512] = "";
    rlx_err err = rlx_store_open(path, &st, why, sizeof why);
    if (!err) {   /* WAL lets it read; the write must wait out the 5 s and fail cleanly */
        rlx_listen_rec r = make_rec("anna", "week-02", 5);
        err = rlx_store_listen_add(st, &r, why, sizeof why);
        rlx_store_close(st);
    }
    assert_int_equal(err, RLX_ERR_STORE_LOCKED);
    assert_non_null(strstr(why, path));
    assert_non_null(strstr(why, "locked"));
    sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(holder);
    /* and nothing was lost */
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    rlx_listen_rec *recs;
    size_t n;
    assert_int_equal(rlx_store_listens(st, NULL, NULL, &recs, &n, why, sizeof why), RLX_OK);
    assert_int_equal(n, 1);
    rlx_store_listens_free(recs, n);
    rlx_store_close(st);
    free(path);
    rlx_test_rmtree(dir);
    free(dir);
}

/* A 200 kB tmpfs filled to the brim. Needs root (mount); skipped otherwise. */
static void full_disk(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    if (geteuid() != 0 || mount("tmpfs", dir, "tmpfs", 0, "size=200k") != 0) {
        rlx_test_rmtree(dir);
        free(dir);
        skip();
    }
    char *path = make_store(dir, "progress.db");
    size_t len;
    unsigned char *before = slurp(path, &len);
    char *filler = path_in(dir, "filler");
    int fd = open(filler, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    char block[4096] = {0};
    while (write(fd, block, sizeof block) > 0) {
    }
    assert_int_equal(errno, ENOSPC);
    close(fd);

    rlx_store *st = NULL;
    char why[512] = "";
    rlx_err err = rlx_store_open(path, &st, why, sizeof why);
    for (int i = 0; !err && i < 50; i++) {
        rlx_listen_rec r = make_rec("anna", "week-03", i);
        err = rlx_store_listen_add(st, &r, why, sizeof why);
    }
    rlx_store_close(st);
    assert_int_equal(err, RLX_ERR_STORE);
    assert_non_null(strstr(why, path));
    assert_non_null(strstr(why, "no space"));
    assert_same_bytes(path, before, len);

    /* creating a store on a full disk fails cleanly too */
    char *fresh = path_in(dir, "sub/fresh.db");
    err = rlx_store_open(fresh, &st, why, sizeof why);
    assert_int_equal(err, RLX_ERR_STORE);
    assert_non_null(strstr(why, "space"));

    /* room again: the old store opens and still has its listen */
    unlink(filler);
    assert_int_equal(rlx_store_open(path, &st, why, sizeof why), RLX_OK);
    rlx_listen_rec *recs;
    size_t n;
    assert_int_equal(rlx_store_listens(st, NULL, NULL, &recs, &n, why, sizeof why), RLX_OK);
    assert_int_equal(n, 1);
    rlx_store_listens_free(recs, n);
    rlx_store_close(st);
    free(fresh), free(filler), free(before), free(path);
    assert_int_equal(umount(dir), 0);
    rlx_test_rmtree(dir);
    free(dir);
}

/* The same listen written twice (journal replay, store copy) is one row;
 * an older state arriving late changes nothing; the room is kept. */
static void listen_key_is_idempotent_and_keeps_room(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *where = rlx_test_store_where(dir);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(where, &st, why, sizeof why), RLX_OK);
    rlx_listen_rec r = make_rec("anna", "week-01", 1000);
    r.room = "Room 2";
    assert_int_equal(rlx_store_listen_add(st, &r, why, sizeof why), RLX_OK);
    assert_int_equal(strlen(r.uuid), RLX_LISTEN_UUID_LEN);
    rlx_listen_rec newer = r;
    newer.ended_ms = 9000;
    newer.position_ms = newer.furthest_ms = 8000;
    newer.completed = true;
    assert_int_equal(rlx_store_listen_add(st, &newer, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_listen_add(st, &newer, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_listen_save(st, &r, why, sizeof why), RLX_OK);   /* older: ignored */
    rlx_listen_rec other = make_rec("anna", "week-02", 5);   /* no room */
    assert_int_equal(rlx_store_listen_add(st, &other, why, sizeof why), RLX_OK);
    assert_string_not_equal(other.uuid, r.uuid);
    rlx_listen_rec *recs;
    size_t n;
    assert_int_equal(rlx_store_listens(st, "anna", NULL, &recs, &n, why, sizeof why), RLX_OK);
    assert_int_equal(n, 2);
    assert_string_equal(recs[0].uuid, r.uuid);
    assert_int_equal(recs[0].position_ms, 8000);
    assert_true(recs[0].completed);
    assert_string_equal(recs[0].room, "Room 2");
    assert_null(recs[1].room);
    rlx_store_listens_free(recs, n);
    rlx_store_close(st);
    free(where);
    rlx_test_rmtree(dir);
    free(dir);
}

/* store copy: everything arrives, a second copy adds nothing, and back. */
static void copy_between_stores(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *src = path_in(dir, "from.db");   /* always SQLite */
    char *dst = rlx_test_store_where(dir); /* SQLite or PostgreSQL */
    char *back = path_in(dir, "back.db");
    rlx_store *a = NULL, *b = NULL, *c = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(src, &a, why, sizeof why), RLX_OK);
    for (int i = 0; i < 5; i++) {
        rlx_listen_rec r = make_rec(i % 2 ? "kim" : "lee", "week-03", i * 1000);
        r.room = i == 3 ? "east" : NULL;
        r.started_ms = 1000 + i;
        assert_int_equal(rlx_store_listen_add(a, &r, why, sizeof why), RLX_OK);
    }
    assert_int_equal(rlx_store_profile_set_mix(a, "kim", -3, 2, NULL, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_set_prefs(a, "kim", 5400000, "shore", why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_set_remote_key(a, "lee", "0123456789abcdef0123456789abcdef", why, sizeof why),
                     RLX_OK);
    assert_int_equal(rlx_store_open(dst, &b, why, sizeof why), RLX_OK);
    rlx_store_copy_counts k;
    for (int round = 0; round < 2; round++) {
        assert_int_equal(rlx_store_copy(a, b, &k, why, sizeof why), RLX_OK);
        assert_int_equal(k.profiles, 2);
        assert_int_equal(k.listens, 5);
        assert_int_equal(k.profiles_to, 2);
        assert_int_equal(k.listens_to, 5);
    }
    rlx_listen_rec *recs;
    size_t n;
    assert_int_equal(rlx_store_listens(b, NULL, NULL, &recs, &n, why, sizeof why), RLX_OK);
    assert_int_equal(n, 5);   /* copied twice, stored once */
    assert_string_equal(recs[3].room, "east");
    assert_int_equal(recs[4].position_ms, 4000);
    rlx_store_listens_free(recs, n);
    rlx_profile p;
    assert_int_equal(rlx_store_profile_get(b, "kim", false, &p, why, sizeof why), RLX_OK);
    assert_true(p.has_mix && p.volume_db == -3 && p.background_db == 2);
    assert_int_equal(p.length_ms, 5400000);
    assert_string_equal(p.bed, "shore");
    assert_null(p.remote_key);
    rlx_profile_clear(&p);
    assert_int_equal(rlx_store_profile_get(b, "lee", false, &p, why, sizeof why), RLX_OK);
    assert_string_equal(p.remote_key, "0123456789abcdef0123456789abcdef");
    rlx_profile_clear(&p);
    assert_int_equal(rlx_store_open(back, &c, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_copy(b, c, &k, why, sizeof why), RLX_OK);
    assert_int_equal(k.listens_to, 5);
    rlx_store_close(a);
    rlx_store_close(b);
    rlx_store_close(c);
    free(src), free(dst), free(back);
    rlx_test_rmtree(dir);
    free(dir);
}

static void connection_strings(void **state)
{
    (void)state;
    char buf[256];
    assert_true(rlx_store_is_pg("postgresql://h/db"));
    assert_true(rlx_store_is_pg("postgres://h/db"));
    assert_true(rlx_store_is_pg("service=clinic"));
    assert_true(rlx_store_is_pg("host=/tmp dbname=x"));
    assert_false(rlx_store_is_pg("/home/u/progress.db"));
    assert_false(rlx_store_is_pg("progress.db"));
    rlx_store_redact("postgresql://anna:s3cret@db.clinic:5432/relax?sslmode=require", buf, sizeof buf);
    assert_string_equal(buf, "postgresql://anna@db.clinic:5432/relax?sslmode=require");
    rlx_store_redact("postgres://a:b:c@h/d?password=x&user=y", buf, sizeof buf);
    assert_string_equal(buf, "postgres://a@h/d?user=y");
    rlx_store_redact("postgresql:///relax?host=/tmp/s&password=zz", buf, sizeof buf);
    assert_string_equal(buf, "postgresql:///relax?host=/tmp/s");
    rlx_store_redact("host=h password='it\\'s secret' dbname=x", buf, sizeof buf);
    assert_null(strstr(buf, "secret"));
    assert_non_null(strstr(buf, "dbname=x"));
    rlx_store_redact("host=h password = pw2 dbname=x", buf, sizeof buf);
    assert_null(strstr(buf, "pw2"));
    assert_non_null(strstr(buf, "dbname=x"));
    rlx_store_redact("host=h dbname=x password=pw", buf, sizeof buf);
    assert_string_equal(buf, "host=h dbname=x");
    assert_true(rlx_store_has_password("postgresql://u:p@h/d"));
    assert_false(rlx_store_has_password("postgresql://u@h/d"));
    assert_false(rlx_store_has_password("/a:b@c"));
}

/* PostgreSQL only: the server goes away in the middle of a listen. Saves go
 * to the journal, nothing blocks, and once the server is back the listen
 * and its last position arrive, once. */
static void journal_survives_a_server_outage(void **state)
{
    (void)state;
    const char *pgdir = getenv("RLX_TEST_PG_DIR");
    assert_non_null(pgdir);
    char *dir = rlx_test_tmpdir();
    char *where = rlx_test_store_where(dir);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(where, &st, why, sizeof why), RLX_OK);
    rlx_listen_rec r = make_rec("ola", "week-05", 1000);
    assert_int_equal(rlx_store_listen_add(st, &r, why, sizeof why), RLX_OK);
    rlx_test_pg_halt(pgdir);
    for (int i = 2; i <= 40; i++) {   /* every save returns at once: the journal takes it */
        r.ended_ms = 2000 + i;
        r.position_ms = r.furthest_ms = r.played_ms = i * 1000;
        assert_int_equal(rlx_store_listen_save(st, &r, why, sizeof why), RLX_OK);
    }
    rlx_listen_rec r2 = make_rec("ola", "week-06", 500);   /* a listen begun while it is down */
    r2.started_ms = 5000;
    assert_int_equal(rlx_store_listen_add(st, &r2, why, sizeof why), RLX_OK);
    rlx_store_close(st);   /* gives up after RLX_STORE_CLOSE_WAIT_MS, keeps the journal */

    /* while down: an open fails with one line, and the offline open reads the journal */
    assert_int_equal(rlx_store_open(where, &st, why, sizeof why), RLX_ERR_STORE);
    assert_non_null(strstr(why, "cannot connect"));
    assert_int_equal(rlx_store_open_ex(where, RLX_STORE_OFFLINE_OK, &st, why, sizeof why), RLX_OK);
    assert_true(rlx_store_offline(st));
    rlx_listen_rec *recs;
    size_t n;
    assert_int_equal(rlx_store_listens(st, "ola", NULL, &recs, &n, why, sizeof why), RLX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(recs[0].position_ms, 40000);
    rlx_store_listens_free(recs, n);
    rlx_store_close(st);

    rlx_test_pg_restart(pgdir);
    for (int round = 0; round < 2; round++) {   /* the second open sends nothing again */
        assert_int_equal(rlx_store_open(where, &st, why, sizeof why), RLX_OK);
        assert_false(rlx_store_offline(st));
        assert_int_equal(rlx_store_unsent(st), 0);
        assert_int_equal(rlx_store_listens(st, "ola", NULL, &recs, &n, why, sizeof why), RLX_OK);
        assert_int_equal(n, 2);
        assert_string_equal(recs[0].uuid, r.uuid);
        assert_int_equal(recs[0].position_ms, 40000);
        assert_string_equal(recs[1].uuid, r2.uuid);
        rlx_store_listens_free(recs, n);
        rlx_store_close(st);
    }
    free(where);
    rlx_test_rmtree(dir);
    free(dir);
}

/* PostgreSQL only: a schema holding another program's tables is refused
 * and left exactly as it was. */
static void foreign_schema_is_left_alone(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *where = rlx_test_store_where(dir);
    rlx_store *st = NULL;
    char why[512] = "";
    setenv("RELAX_PG_SCHEMA", "public", 1);   /* where the harness's "other" tables would be */
    char uri[4096];
    snprintf(uri, sizeof uri, "%s", where);
    char *db = strstr(uri, "/relax?");
    assert_non_null(db);
    memcpy(db, "/other", 6);
    /* "other" gets a table of someone else first */
    char cmd[8192];
    const char *pgdir = getenv("RLX_TEST_PG_DIR");
    /* as root the server's superuser is reached as the postgres user (as the harness runs it) */
    const char *as = getuid() == 0 ? "cd / && runuser -u postgres -- psql" : "psql -U postgres";
    snprintf(cmd, sizeof cmd, "%s -X -q -h '%s' -d other -c "
             "'CREATE TABLE IF NOT EXISTS public.invoices(n int)' >/dev/null", as, pgdir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(rlx_store_open(uri, &st, why, sizeof why), RLX_ERR_STORE_CORRUPT);
    assert_null(st);
    assert_non_null(strstr(why, "tables relax did not make"));
    snprintf(cmd, sizeof cmd, "test \"$(%s -X -At -h '%s' -d other -c "
             "\"SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'\")\" = invoices",
             as, pgdir);
    assert_int_equal(system(cmd), 0);   /* nothing written */
    free(where);
    rlx_test_rmtree(dir);
    free(dir);
}

/* A PostgreSQL schema at version 3 (before a profile's length and bed),
 * made as relax 3 made it: migrated in place, its rows kept. */
static void pg_migrates_schema_3_for_prefs(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *where = rlx_test_store_where(dir);
    setenv("RELAX_PG_SCHEMA", "old3", 1);
    char *cmd = malloc(16384);
    assert_non_null(cmd);
    const char *pgdir = getenv("RLX_TEST_PG_DIR");
    const char *as = getuid() == 0 ? "cd / && runuser -u postgres -- psql" : "psql -U postgres";
    snprintf(cmd, 16384, "%s -X -q -v ON_ERROR_STOP=1 -h '%s' -d relax >/dev/null <<'SQL'\n"
             "CREATE SCHEMA old3; SET search_path TO old3;\n"
             "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);\n"
             "INSERT INTO meta VALUES ('application', 'relax'), ('schema_version', '3');\n"
             "CREATE TABLE profiles (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE,"
             " created_ms bigint NOT NULL, has_mix boolean NOT NULL DEFAULT false,"
             " volume_db double precision NOT NULL DEFAULT 0, background_db double precision NOT NULL DEFAULT 0,"
             " device text);\n"
             "CREATE TABLE listens (id bigserial PRIMARY KEY, profile_id bigint NOT NULL REFERENCES profiles(id),"
             " session_id text NOT NULL, session_hash text NOT NULL, week integer NOT NULL DEFAULT 0,"
             " length_ms bigint NOT NULL, started_ms bigint NOT NULL, ended_ms bigint NOT NULL,"
             " from_ms bigint NOT NULL, position_ms bigint NOT NULL, furthest_ms bigint NOT NULL,"
             " played_ms bigint NOT NULL, credit_ms bigint NOT NULL, completed boolean NOT NULL DEFAULT false,"
             " finished boolean NOT NULL DEFAULT false, uuid text NOT NULL, room text,"
             " rev bigint NOT NULL DEFAULT 0, rendered boolean NOT NULL DEFAULT false);\n"
             "CREATE INDEX listens_by_profile ON listens(profile_id, session_id, started_ms);\n"
             "CREATE UNIQUE INDEX listens_by_uuid ON listens(uuid);\n"
             "INSERT INTO profiles(name, created_ms, has_mix, volume_db, background_db, device)"
             " VALUES('anna', 5, true, -7.5, 2, 'pulse');\n"
             "INSERT INTO listens(profile_id, session_id, session_hash, week, length_ms, started_ms, ended_ms,"
             " from_ms, position_ms, furthest_ms, played_ms, credit_ms, completed, finished, uuid, room)"
             " VALUES(1, 'week-01', 'h', 1, 600000, 1000, 2000, 0, 600000, 600000, 600000, 600000, true, true,"
             " 'u1', 'room 2');\n"
             "SQL", as, pgdir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    rlx_store *st = NULL;
    char why[512] = "";
    assert_int_equal(rlx_store_open(where, &st, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_schema_version(st), RLX_STORE_SCHEMA_VERSION);
    rlx_profile p;
    assert_int_equal(rlx_store_profile_get(st, "anna", false, &p, why, sizeof why), RLX_OK);
    assert_int_equal(p.created_ms, 5);
    assert_true(p.has_mix && p.volume_db == -7.5 && p.background_db == 2);
    assert_string_equal(p.device, "pulse");
    assert_int_equal(p.length_ms, 0);
    assert_null(p.bed);
    rlx_profile_clear(&p);
    assert_int_equal(rlx_store_profile_set_prefs(st, "anna", 3600000, "rain", why, sizeof why), RLX_OK);
    assert_int_equal(rlx_store_profile_get(st, "anna", false, &p, why, sizeof why), RLX_OK);
    assert_int_equal(p.length_ms, 3600000);
    assert_string_equal(p.bed, "rain");
    rlx_profile_clear(&p);
    rlx_listen_rec *recs;
    size_t n;
    assert_int_equal(rlx_store_listens(st, "anna", NULL, &recs, &n, why, sizeof why), RLX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(recs[0].uuid, "u1");
    assert_string_equal(recs[0].room, "room 2");
    rlx_store_listens_free(recs, n);
    rlx_store_close(st);
    free(where);
    rlx_test_rmtree(dir);
    free(dir);
}

/* The journal on its own: the latest state per listen wins, an ack covers
 * only the state it names, a torn last line (crash mid-write) is skipped,
 * and compaction keeps what is pending. */
static void journal_states_acks_and_torn_lines(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    setenv("XDG_STATE_HOME", dir, 1);
    rlx_journal *j = NULL;
    char why[512] = "";
    assert_int_equal(rlx_journal_open("postgresql://h/db\nrelax", &j, why, sizeof why), RLX_OK);
    rlx_listen_rec *recs;
    size_t n;
    long *seqs;
    assert_int_equal(rlx_journal_read(j, false, NULL, &recs, &n, NULL), RLX_OK);   /* no file: nothing */
    assert_int_equal(n, 0);
    rlx_store_listens_free(recs, n);
    rlx_listen_rec a = make_rec("tab\there", "week-01", 1000);
    snprintf(a.uuid, sizeof a.uuid, "%032d", 1);
    a.room = "Room\n2";
    a.rev = 10;
    assert_int_equal(rlx_journal_append(j, &a, why, sizeof why), RLX_OK);
    rlx_listen_rec b = make_rec("kim", "week-02", 5);
    snprintf(b.uuid, sizeof b.uuid, "%032d", 2);
    b.rev = 11;
    b.rendered = true;                 /* an offline render travels as one */
    b.ended_ms = rlx_store_now_ms();   /* recent: kept by compaction although sent */
    assert_int_equal(rlx_journal_append(j, &b, why, sizeof why), RLX_OK);
    a.position_ms = 2000;
    a.ended_ms = 3000;
    a.rev = 12;
    assert_int_equal(rlx_journal_append(j, &a, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_journal_ack(j, a.uuid, 10), RLX_OK);   /* the older state only */
    assert_int_equal(rlx_journal_ack(j, b.uuid, 11), RLX_OK);
    FILE *f = fopen(rlx_journal_path(j), "a");
    assert_non_null(f);
    fputs("L\t13\t00000000000000000000000000000003\tcut", f);   /* torn: no newline */
    fclose(f);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(rlx_journal_read(j, true, NULL, &recs, &n, &seqs), RLX_OK);
        assert_int_equal(n, 1);
        assert_string_equal(recs[0].uuid, a.uuid);
        assert_string_equal(recs[0].profile, "tab\there");
        assert_string_equal(recs[0].room, "Room\n2");
        assert_int_equal(recs[0].position_ms, 2000);
        assert_false(recs[0].rendered);
        assert_int_equal(seqs[0], 12);
        rlx_store_listens_free(recs, n);
        free(seqs);
        rlx_journal_compact(j);   /* the second round reads the compacted file */
    }
    assert_int_equal(rlx_journal_read(j, false, "kim", &recs, &n, NULL), RLX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(recs[0].position_ms, 5);
    assert_true(recs[0].rendered);   /* survived compaction too */
    rlx_store_listens_free(recs, n);
    assert_int_equal(rlx_journal_ack(j, a.uuid, 12), RLX_OK);
    assert_int_equal(rlx_journal_read(j, true, NULL, &recs, &n, NULL), RLX_OK);
    assert_int_equal(n, 0);
    rlx_store_listens_free(recs, n);
    rlx_journal_compact(j);   /* a: sent, and ended in 1970: forgotten */
    assert_int_equal(rlx_journal_read(j, false, NULL, &recs, &n, NULL), RLX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(recs[0].uuid, b.uuid);
    rlx_store_listens_free(recs, n);
    struct stat sb;
    assert_int_equal(stat(rlx_journal_path(j), &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    rlx_journal_close(j);
    unsetenv("XDG_STATE_HOME");
    rlx_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest sqlite_only[] = {
        cmocka_unit_test(creates_schema_mode_and_wal),
        cmocka_unit_test(migrates_schema_1_for_renders),
        cmocka_unit_test(refuses_newer_schema),
        cmocka_unit_test(refuses_negative_schema),
        cmocka_unit_test(failed_migration_leaves_file),
        cmocka_unit_test(damaged_index_is_refused),
        cmocka_unit_test(null_names_are_damage),
        cmocka_unit_test(views_and_triggers_are_refused),
        cmocka_unit_test(huge_record_is_damage),
        cmocka_unit_test(migrates_schema_1_to_2),
        cmocka_unit_test(migrates_schema_3_for_prefs),
        cmocka_unit_test(path_resolution),
        cmocka_unit_test(connection_strings),
        cmocka_unit_test(journal_states_acks_and_torn_lines),
        cmocka_unit_test(corrupt_file_is_left_alone),
        cmocka_unit_test(readonly_file),
        cmocka_unit_test(readonly_folder),
        cmocka_unit_test(folder_is_a_file),
        cmocka_unit_test(locked_beyond_timeout),
        cmocka_unit_test(full_disk),
    };
    /* one list, run on both backends */
    const struct CMUnitTest both[] = {
        cmocka_unit_test(migrates_empty_file_and_keeps_data),
        cmocka_unit_test(profiles_and_mix),
        cmocka_unit_test(two_processes_write_concurrently),
        cmocka_unit_test(listen_key_is_idempotent_and_keeps_room),
        cmocka_unit_test(copy_between_stores),
    };
    const struct CMUnitTest pg_only[] = {
        cmocka_unit_test(foreign_schema_is_left_alone),
        cmocka_unit_test(pg_migrates_schema_3_for_prefs),
        cmocka_unit_test(journal_survives_a_server_outage),
    };
    int failed = cmocka_run_group_tests_name("sqlite", sqlite_only, NULL, NULL);
    failed += cmocka_run_group_tests_name("both backends: sqlite", both, NULL, NULL);
    char *pgdir;
    char *uri = rlx_test_pg_start(&pgdir);
    setenv("RLX_TEST_PG_DIR", pgdir, 1);
    rlx_test_pg_use(uri);
    failed += cmocka_run_group_tests_name("both backends: postgresql", both, NULL, NULL);
    failed += cmocka_run_group_tests_name("postgresql", pg_only, NULL, NULL);
    rlx_test_pg_use(NULL);
    rlx_test_pg_stop(pgdir);
    free(uri);
    return failed;
}
