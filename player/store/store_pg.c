/* store_pg.c - the progress store in a PostgreSQL database shared by several
 * machines (a clinic's rooms), through libpq.
 *
 * Everything lives in one schema of its own ("relax", or $RELAX_PG_SCHEMA),
 * created and migrated by relax under an advisory lock, its version in
 * <schema>.meta. A schema that exists but was not made by relax is never
 * touched. Every write is one statement (an upsert keyed by the listen's
 * uuid, or by the profile's name), atomic on its own under READ COMMITTED:
 * two rooms writing at once each land their own rows and lose nothing, and
 * a state sent twice changes nothing. Messages never show the password. */
#include "store_backend.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RLX_PG_CONNECT_TIMEOUT "3"   /* seconds, unless the connection string says otherwise */

struct rlx_store_backend {
    PGconn *conn;
    char *shown;
    char schema[64];
};

/* ---- messages ------------------------------------------------------------ */

/* libpq's message, first line, without the "connection to server ... failed: " preamble. */
static void first_line(const char *msg, char *buf, size_t len)
{
    const char *m = msg ? msg : "";
    const char *f = strstr(m, "failed: ");
    if (f && (size_t)(f - m) < 200)
        m = f + 8;
    if (!strncmp(m, "FATAL:  ", 8))
        m += 8;
    if (!strncmp(m, "ERROR:  ", 8))
        m += 8;
    size_t n = strcspn(m, "\n");
    if (n >= len)
        n = len - 1;
    memcpy(buf, m, n);
    buf[n] = 0;
}

static bool has(const char *msg, const char *what)
{
    return msg && strstr(msg, what);
}

/* A failed connection: one line naming the store and what to do. */
static rlx_err connect_failed(const char *shown, PGconn *c, bool *unreachable, char *why, size_t whylen)
{
    const char *msg = c ? PQerrorMessage(c) : "out of memory";
    char line[256];
    first_line(msg, line, sizeof line);
    const char *todo;
    *unreachable = false;
    if (has(msg, "password authentication failed") || has(msg, "no password supplied") ||
        has(msg, "authentication failed"))
        todo = "check the user and put its password in ~/.pgpass, PGPASSFILE or a service file "
               "(never in --store)";
    else if (has(msg, "could not translate host name") || has(msg, "Name or service not known"))
        todo = "check the host name in the connection string";
    else if (has(msg, "pg_hba.conf") || has(msg, "not permitted") || has(msg, "does not exist"))
        todo = "ask the database administrator to let this user in, or check the database and user names";
    else if (has(msg, "Connection refused") || has(msg, "No such file or directory") ||
             has(msg, "timeout expired") || has(msg, "timed out") || has(msg, "No route to host") ||
             has(msg, "Network is unreachable") || has(msg, "server closed the connection") ||
             has(msg, "starting up") || has(msg, "shutting down") || has(msg, "in recovery")) {
        *unreachable = true;   /* refused, no socket, timed out, restarting: the server is away */
        todo = "check that the server is running and reachable, then try again";
    } else
        todo = "check the connection string and the service file (see README, \"A clinic\")";
    rlx_why(why, whylen, "cannot connect to the progress store %s: %s; %s", shown, line, todo);
    return RLX_ERR_STORE;
}

/* A failed statement. */
static rlx_err failed(rlx_store_backend *b, PGresult *r, const char *doing, char *why, size_t whylen)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    char line[256];
    first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(b->conn), line, sizeof line);
    if (!line[0])
        first_line(PQerrorMessage(b->conn), line, sizeof line);
    rlx_err err = RLX_ERR_STORE;
    const char *todo = "check the server's log";
    if (PQstatus(b->conn) == CONNECTION_BAD || (state && !strncmp(state, "08", 2)))
        todo = "the server stopped answering; check that it is running, then try again";
    else if (state && !strcmp(state, "42501"))
        todo = "ask the database administrator to grant this user the rights on the database";
    else if (state && (!strcmp(state, "53100") || !strcmp(state, "53200")))
        todo = "the server is out of space; ask its administrator";
    else if (state && (!strcmp(state, "55P03") || !strcmp(state, "40P01") || !strcmp(state, "57014"))) {
        todo = "another program holds a lock too long; try again";
        err = RLX_ERR_STORE_LOCKED;
    }
    rlx_why(why, whylen, "cannot %s the progress store %s: %s; %s", doing, b->shown, line, todo);
    if (r)
        PQclear(r);
    return err;
}

/* ---- statements ------------------------------------------------------------ */

static PGresult *run(rlx_store_backend *b, const char *sql, int n, const char *const *params)
{
    return PQexecParams(b->conn, sql, n, NULL, params, NULL, NULL, 0);
}

static bool ok(PGresult *r)
{
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static rlx_err exec(rlx_store_backend *b, const char *sql, const char *doing, char *why, size_t whylen)
{
    PGresult *r = PQexec(b->conn, sql);
    if (!ok(r))
        return failed(b, r, doing, why, whylen);
    PQclear(r);
    return RLX_OK;
}

static char *dup_or_null(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

static int64_t i64(PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static bool boolean(PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col)[0] == 't';
}

/* ---- schema -------------------------------------------------------------- */

/* Migration n brings the schema from n-1 to n, as the SQLite ones do. Append, never edit. */
static const char *const migrations[] = {
    /* 1 */
    "CREATE TABLE profiles ("
    "  id bigserial PRIMARY KEY,"
    "  name text NOT NULL UNIQUE,"
    "  created_ms bigint NOT NULL,"
    "  has_mix boolean NOT NULL DEFAULT false,"
    "  volume_db double precision NOT NULL DEFAULT 0,"
    "  background_db double precision NOT NULL DEFAULT 0,"
    "  device text);"
    "CREATE TABLE listens ("
    "  id bigserial PRIMARY KEY,"
    "  profile_id bigint NOT NULL REFERENCES profiles(id),"
    "  session_id text NOT NULL,"
    "  session_hash text NOT NULL,"
    "  week integer NOT NULL DEFAULT 0,"
    "  length_ms bigint NOT NULL,"
    "  started_ms bigint NOT NULL,"
    "  ended_ms bigint NOT NULL,"
    "  from_ms bigint NOT NULL,"
    "  position_ms bigint NOT NULL,"
    "  furthest_ms bigint NOT NULL,"
    "  played_ms bigint NOT NULL,"
    "  credit_ms bigint NOT NULL,"
    "  completed boolean NOT NULL DEFAULT false,"
    "  finished boolean NOT NULL DEFAULT false);"
    "CREATE INDEX listens_by_profile ON listens(profile_id, session_id, started_ms);",
    /* 2: rooms and a key per listen */
    "ALTER TABLE listens ADD COLUMN uuid text, ADD COLUMN room text, ADD COLUMN rev bigint NOT NULL DEFAULT 0;"
    "UPDATE listens SET uuid = md5(random()::text || id::text) WHERE uuid IS NULL;"
    "ALTER TABLE listens ALTER COLUMN uuid SET NOT NULL;"
    "CREATE UNIQUE INDEX listens_by_uuid ON listens(uuid);",
    /* 3: a listen that is an offline render, not heard yet */
    "ALTER TABLE listens ADD COLUMN rendered boolean NOT NULL DEFAULT false;",
    /* 4: the phone remote's key a profile keeps */
    "ALTER TABLE profiles ADD COLUMN remote_key text;",
    /* 5: the length and bed a profile last chose (NULL: the session's own) */
    "ALTER TABLE profiles ADD COLUMN length_ms bigint, ADD COLUMN bed text;",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(NMIGRATIONS == RLX_STORE_SCHEMA_VERSION, "one migration per schema version");

static bool schema_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return !!strncmp(s, "pg_", 3);
}

/* Inside the migration transaction: the schema's version, 0 when it does
 * not exist or is empty, -1 when it holds things relax did not make. */
static rlx_err read_version(rlx_store_backend *b, int *v, char *why, size_t whylen)
{
    const char *p[] = {b->schema};
    PGresult *r = run(b, "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                         "         WHERE n.nspname = $1),"
                         "       to_regclass(quote_ident($1) || '.meta') IS NOT NULL", 1, p);
    if (!ok(r))
        return failed(b, r, "read", why, whylen);
    long objects = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    bool has_meta = boolean(r, 0, 1);
    PQclear(r);
    *v = 0;
    if (!has_meta) {
        *v = objects ? -1 : 0;
        return RLX_OK;
    }
    r = run(b, "SELECT (SELECT value FROM meta WHERE key = 'application'),"
               "       (SELECT value FROM meta WHERE key = 'schema_version')", 0, NULL);
    if (!ok(r)) {
        PQclear(r);
        *v = -1;   /* a "meta" table of some other shape */
        return RLX_OK;
    }
    const char *app = PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0);
    char *end = NULL;
    const char *vs = PQgetisnull(r, 0, 1) ? "" : PQgetvalue(r, 0, 1);
    long ver = strtol(vs, &end, 10);
    *v = strcmp(app, "relax") || !*vs || *end || ver < 0 || ver > 1000000 ? -1 : (int)ver;
    PQclear(r);
    return RLX_OK;
}

static rlx_err migrate(rlx_store_backend *b, char *why, size_t whylen)
{
    /* the lock serialises two machines creating the same fresh store */
    rlx_err err = exec(b, "BEGIN", "open", why, whylen);
    if (err)
        return err;
    const char *p[] = {b->schema};
    PGresult *r = run(b, "SELECT pg_advisory_xact_lock(hashtext('relax schema ' || $1))", 1, p);
    if (!ok(r)) {
        err = failed(b, r, "open", why, whylen);
        goto rollback;
    }
    PQclear(r);
    int v = 0;
    if ((err = read_version(b, &v, why, whylen)))
        goto rollback;
    if (v < 0) {
        rlx_why(why, whylen, "the schema \"%s\" in the progress store %s holds tables relax did not make "
                      "(another program's?); relax left them untouched: give relax a schema of its own with "
                      "RELAX_PG_SCHEMA=NAME, or another database", b->schema, b->shown);
        err = RLX_ERR_STORE_CORRUPT;
        goto rollback;
    }
    if (v > RLX_STORE_SCHEMA_VERSION) {
        rlx_why(why, whylen, "progress store %s was written by a newer version of relax (schema %d, this "
                      "one knows %d); update relax on this machine", b->shown, v, RLX_STORE_SCHEMA_VERSION);
        err = RLX_ERR_STORE_CORRUPT;
        goto rollback;
    }
    if (v == 0) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "CREATE SCHEMA IF NOT EXISTS \"%s\";"
                 "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);"
                 "INSERT INTO meta VALUES ('application', 'relax'), ('schema_version', '0')", b->schema);
        if ((err = exec(b, sql, "create", why, whylen)))
            goto rollback;
    }
    for (; v < RLX_STORE_SCHEMA_VERSION; v++) {
        if ((err = exec(b, migrations[v], "migrate", why, whylen)))
            goto rollback;
        char sql[96];
        snprintf(sql, sizeof sql, "UPDATE meta SET value = '%d' WHERE key = 'schema_version'", v + 1);
        if ((err = exec(b, sql, "migrate", why, whylen)))
            goto rollback;
    }
    return exec(b, "COMMIT", "migrate", why, whylen);

rollback:;
    PGresult *rb = PQexec(b->conn, "ROLLBACK");
    PQclear(rb);
    return err;
}

/* ---- open / close -------------------------------------------------------- */

static void pg_close(rlx_store_backend *b)
{
    if (!b)
        return;
    PQfinish(b->conn);
    free(b->shown);
    free(b);
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;   /* NOTICEs (e.g. "schema already exists") are not for the listener */
}

static rlx_err pg_open(const char *where, const char *shown, rlx_store_backend **out, bool *unreachable,
                       char *why, size_t whylen)
{
    *out = NULL;
    *unreachable = false;
    const char *schema = getenv("RELAX_PG_SCHEMA");
    schema = schema && *schema ? schema : "relax";
    if (!schema_name_ok(schema)) {
        rlx_why(why, whylen, "RELAX_PG_SCHEMA '%s' is not a plain schema name: use up to 63 lower-case "
                      "letters, digits and _ (not starting with pg_)", schema);
        return RLX_ERR_USAGE;
    }
    rlx_store_backend *b = calloc(1, sizeof *b);
    if (!b || !(b->shown = strdup(shown))) {
        free(b);
        return RLX_ERR_NOMEM;
    }
    snprintf(b->schema, sizeof b->schema, "%s", schema);
    /* the connection string comes last: what it says wins over these defaults */
    /* tcp_user_timeout: a server that vanished mid-statement is given up
     * after a few seconds, not after the kernel's retransmissions (minutes) */
    const char *const keys[] = {"connect_timeout", "tcp_user_timeout", "keepalives_idle", "application_name",
                                "dbname", NULL};
    const char *const vals[] = {RLX_PG_CONNECT_TIMEOUT, "5000", "10", "relax", where, NULL};
    b->conn = PQconnectdbParams(keys, vals, 1);
    if (!b->conn || PQstatus(b->conn) != CONNECTION_OK) {
        rlx_err err = connect_failed(shown, b->conn, unreachable, why, whylen);
        pg_close(b);
        return err;
    }
    PQsetNoticeProcessor(b->conn, quiet, NULL);
    char sql[160];
    snprintf(sql, sizeof sql, "SET search_path TO \"%s\"; SET client_min_messages TO warning", b->schema);
    rlx_err err = exec(b, sql, "open", why, whylen);
    if (!err)
        err = migrate(b, why, whylen);
    if (err) {
        *unreachable = PQstatus(b->conn) == CONNECTION_BAD;
        pg_close(b);
        return err;
    }
    *out = b;
    return RLX_OK;
}

static int pg_schema_version(rlx_store_backend *b)
{
    PGresult *r = run(b, "SELECT value FROM meta WHERE key = 'schema_version'", 0, NULL);
    int v = ok(r) && PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    return v;
}

static bool pg_unreachable(rlx_store_backend *b)
{
    return !b || PQstatus(b->conn) == CONNECTION_BAD;
}

/* ---- profiles ------------------------------------------------------------ */

#define PROFILE_COLS "name, created_ms, has_mix, volume_db, background_db, device, remote_key, length_ms, bed"

static void read_profile(PGresult *r, int row, rlx_profile *p)
{
    p->name = dup_or_null(r, row, 0);
    p->created_ms = i64(r, row, 1);
    p->has_mix = boolean(r, row, 2);
    p->volume_db = strtod(PQgetvalue(r, row, 3), NULL);
    p->background_db = strtod(PQgetvalue(r, row, 4), NULL);
    p->device = dup_or_null(r, row, 5);
    p->remote_key = dup_or_null(r, row, 6);
    p->length_ms = PQgetisnull(r, row, 7) ? 0 : i64(r, row, 7);
    p->bed = dup_or_null(r, row, 8);
}

static rlx_err ensure_profile(rlx_store_backend *b, const char *name, char *why, size_t whylen)
{
    char now[32];
    snprintf(now, sizeof now, "%" PRId64, rlx_store_now_ms());
    const char *p[] = {name, now};
    PGresult *r = run(b, "INSERT INTO profiles(name, created_ms) VALUES($1, $2) ON CONFLICT (name) DO NOTHING",
                      2, p);
    if (!ok(r))
        return failed(b, r, "write", why, whylen);
    PQclear(r);
    return RLX_OK;
}

static rlx_err pg_profile_get(rlx_store_backend *b, const char *name, bool create, rlx_profile *out,
                              char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    rlx_err err;
    if (create && (err = ensure_profile(b, name, why, whylen)))
        return err;
    const char *p[] = {name};
    PGresult *r = run(b, "SELECT " PROFILE_COLS " FROM profiles WHERE name = $1", 1, p);
    if (!ok(r))
        return failed(b, r, "read", why, whylen);
    if (PQntuples(r) == 0) {
        PQclear(r);
        rlx_why(why, whylen, "no profile '%s' in %s (see 'relax profiles')", name, b->shown);
        return RLX_ERR_NOT_FOUND;
    }
    read_profile(r, 0, out);
    PQclear(r);
    return out->name ? RLX_OK : RLX_ERR_NOMEM;
}

static rlx_err pg_profile_set_mix(rlx_store_backend *b, const char *name, double volume_db,
                                  double background_db, const char *device, char *why, size_t whylen)
{
    rlx_err err = ensure_profile(b, name, why, whylen);
    if (err)
        return err;
    char vol[40], bg[40];
    snprintf(vol, sizeof vol, "%.17g", volume_db);
    snprintf(bg, sizeof bg, "%.17g", background_db);
    const char *p[] = {name, vol, bg, device && *device ? device : NULL};
    PGresult *r = run(b, "UPDATE profiles SET has_mix = true, volume_db = $2, background_db = $3, device = $4"
                         " WHERE name = $1", 4, p);
    if (!ok(r))
        return failed(b, r, "write", why, whylen);
    PQclear(r);
    return RLX_OK;
}

static rlx_err pg_profile_set_prefs(rlx_store_backend *b, const char *name, int64_t length_ms,
                                    const char *bed, char *why, size_t whylen)
{
    rlx_err err = ensure_profile(b, name, why, whylen);
    if (err)
        return err;
    char len[32];
    snprintf(len, sizeof len, "%" PRId64, length_ms);
    const char *p[] = {name, length_ms < 0 ? "t" : "f", length_ms > 0 ? len : NULL, bed ? "f" : "t",
                       bed && *bed ? bed : NULL};
    PGresult *r = run(b, "UPDATE profiles SET length_ms = CASE WHEN $2::boolean THEN length_ms ELSE $3::bigint END,"
                         " bed = CASE WHEN $4::boolean THEN bed ELSE $5::text END WHERE name = $1", 5, p);
    if (!ok(r))
        return failed(b, r, "write", why, whylen);
    PQclear(r);
    return RLX_OK;
}

static rlx_err pg_profile_set_remote_key(rlx_store_backend *b, const char *name, const char *key,
                                         char *why, size_t whylen)
{
    rlx_err err = ensure_profile(b, name, why, whylen);
    if (err)
        return err;
    const char *p[] = {name, key};
    PGresult *r = run(b, "UPDATE profiles SET remote_key = $2 WHERE name = $1", 2, p);
    if (!ok(r))
        return failed(b, r, "write", why, whylen);
    PQclear(r);
    return RLX_OK;
}

static rlx_err pg_profile_created(rlx_store_backend *b, const char *name, int64_t created_ms,
                                  char *why, size_t whylen)
{
    char c[32];
    snprintf(c, sizeof c, "%" PRId64, created_ms);
    const char *p[] = {name, c};
    PGresult *r = run(b, "INSERT INTO profiles(name, created_ms) VALUES($1, $2) ON CONFLICT (name)"
                         " DO UPDATE SET created_ms = least(profiles.created_ms, excluded.created_ms)", 2, p);
    if (!ok(r))
        return failed(b, r, "write", why, whylen);
    PQclear(r);
    return RLX_OK;
}

static rlx_err pg_profiles(rlx_store_backend *b, rlx_profile **out, size_t *n, char *why, size_t whylen)
{
    *out = NULL;
    *n = 0;
    PGresult *r = run(b, "SELECT " PROFILE_COLS " FROM profiles ORDER BY name COLLATE \"C\"", 0, NULL);
    if (!ok(r))
        return failed(b, r, "read", why, whylen);
    int rows = PQntuples(r);
    if (rows == 0) {   /* as SQLite: no rows, no array */
        PQclear(r);
        return RLX_OK;
    }
    rlx_profile *p = calloc((size_t)rows, sizeof *p);
    if (!p) {
        PQclear(r);
        return RLX_ERR_NOMEM;
    }
    for (int i = 0; i < rows; i++)
        read_profile(r, i, &p[i]);
    PQclear(r);
    *out = p;
    *n = (size_t)rows;
    return RLX_OK;
}

/* ---- listens ------------------------------------------------------------- */

static rlx_err pg_listen_put(rlx_store_backend *b, rlx_listen_rec *rec, char *why, size_t whylen)
{
    rlx_err err = ensure_profile(b, rec->profile, why, whylen);
    if (err)
        return err;
    char num[12][32];
    int64_t v[] = {rec->week, rec->length_ms, rec->started_ms, rec->ended_ms, rec->from_ms, rec->position_ms,
                   rec->furthest_ms, rec->played_ms, rec->credit_ms, rec->completed, rec->finished, rec->rev};
    for (int i = 0; i < 12; i++)
        snprintf(num[i], sizeof num[i], "%" PRId64, v[i]);
    const char *p[] = {rec->profile, rec->session_id, rec->session_hash ? rec->session_hash : "",
                       num[0], num[1], num[2], num[3], num[4], num[5], num[6], num[7], num[8],
                       num[9][0] == '1' ? "t" : "f", num[10][0] == '1' ? "t" : "f", rec->uuid,
                       rec->room && *rec->room ? rec->room : NULL, num[11], rec->rendered ? "t" : "f"};
    /* one statement: the newer state of a listen wins, an older or repeated one changes nothing */
    PGresult *r = run(b,
        "WITH up AS ("
        " INSERT INTO listens(profile_id, session_id, session_hash, week, length_ms, started_ms, ended_ms,"
        "  from_ms, position_ms, furthest_ms, played_ms, credit_ms, completed, finished, uuid, room, rev,"
        "  rendered)"
        " SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18"
        "  FROM profiles WHERE name = $1"
        " ON CONFLICT (uuid) DO UPDATE SET ended_ms = excluded.ended_ms, position_ms = excluded.position_ms,"
        "  furthest_ms = excluded.furthest_ms, played_ms = excluded.played_ms, credit_ms = excluded.credit_ms,"
        "  completed = excluded.completed, finished = excluded.finished, rev = excluded.rev"
        "  WHERE (excluded.ended_ms, excluded.rev) >= (listens.ended_ms, listens.rev)"
        " RETURNING id)"
        " SELECT id FROM up UNION ALL SELECT id FROM listens WHERE uuid = $15 LIMIT 1", 18, p);
    if (!ok(r))
        return failed(b, r, "write", why, whylen);
    if (PQntuples(r) == 1)
        rec->id = i64(r, 0, 0);
    PQclear(r);
    return RLX_OK;
}

static rlx_err pg_listens(rlx_store_backend *b, const char *profile, const char *session_id,
                          rlx_listen_rec **out, size_t *n, char *why, size_t whylen)
{
    *out = NULL;
    *n = 0;
    const char *p[] = {profile, session_id};
    PGresult *r = run(b,
        "SELECT l.id, p.name, l.session_id, l.session_hash, l.week, l.length_ms, l.started_ms,"
        " l.ended_ms, l.from_ms, l.position_ms, l.furthest_ms, l.played_ms, l.credit_ms,"
        " l.completed, l.finished, l.uuid, l.room, l.rev, l.rendered"
        " FROM listens l JOIN profiles p ON p.id = l.profile_id"
        " WHERE ($1::text IS NULL OR p.name = $1) AND ($2::text IS NULL OR l.session_id = $2)"
        " ORDER BY l.started_ms, l.id", 2, p);
    if (!ok(r))
        return failed(b, r, "read", why, whylen);
    int rows = PQntuples(r);
    if (rows == 0) {
        PQclear(r);
        return RLX_OK;
    }
    rlx_listen_rec *recs = calloc((size_t)rows, sizeof *recs);
    if (!recs) {
        PQclear(r);
        return RLX_ERR_NOMEM;
    }
    rlx_err err = RLX_OK;
    for (int i = 0; i < rows; i++) {
        rlx_listen_rec *x = &recs[i];
        x->id = i64(r, i, 0);
        x->profile = dup_or_null(r, i, 1);
        x->session_id = dup_or_null(r, i, 2);
        x->session_hash = dup_or_null(r, i, 3);
        x->week = (int)i64(r, i, 4);
        x->length_ms = i64(r, i, 5);
        x->started_ms = i64(r, i, 6);
        x->ended_ms = i64(r, i, 7);
        x->from_ms = i64(r, i, 8);
        x->position_ms = i64(r, i, 9);
        x->furthest_ms = i64(r, i, 10);
        x->played_ms = i64(r, i, 11);
        x->credit_ms = i64(r, i, 12);
        x->completed = boolean(r, i, 13);
        x->finished = boolean(r, i, 14);
        snprintf(x->uuid, sizeof x->uuid, "%s", PQgetvalue(r, i, 15));
        x->room = dup_or_null(r, i, 16);
        x->rev = i64(r, i, 17);
        x->rendered = boolean(r, i, 18);
        if (!x->profile || !x->session_id || !x->session_hash)
            err = RLX_ERR_NOMEM;
    }
    PQclear(r);
    if (err) {
        rlx_store_listens_free(recs, (size_t)rows);
        return err;
    }
    *out = recs;
    *n = (size_t)rows;
    return RLX_OK;
}

const rlx_store_ops rlx_store_pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .schema_version = pg_schema_version,
    .profile_get = pg_profile_get,
    .profile_set_mix = pg_profile_set_mix,
    .profile_set_remote_key = pg_profile_set_remote_key,
    .profile_set_prefs = pg_profile_set_prefs,
    .profile_created = pg_profile_created,
    .profiles = pg_profiles,
    .listen_put = pg_listen_put,
    .listens = pg_listens,
    .unreachable = pg_unreachable,
};
