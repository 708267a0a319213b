/* rlx_pg.h - a private PostgreSQL server for the unit tests (the same
 * tests/pg/pg_server.sh the e2e tests use), and the store location the
 * store tests open: SQLite by default, that server while one is in use. */
#ifndef RLX_PG_H
#define RLX_PG_H

/* Starts a server in a fresh temporary folder; returns its connection URI
 * (malloc'd) and the folder in *dir. Fails the test when it cannot start. */
char *rlx_test_pg_start(char **dir);
/* Stops it (pg_ctl, by its pid file) and removes the folder; frees dir. */
void rlx_test_pg_stop(char *dir);
/* halt: stop but keep the folder; restart: start it again. */
void rlx_test_pg_halt(const char *dir);
void rlx_test_pg_restart(const char *dir);

/* The backend the generic store tests use: NULL = SQLite, else this URI. */
void rlx_test_pg_use(const char *uri);
const char *rlx_test_pg_uri(void);
/* A fresh store for one test, in dir: dir/progress.db, or the server in
 * use with a schema of its own ($RELAX_PG_SCHEMA) and the journal under
 * dir ($XDG_STATE_HOME). malloc'd. */
char *rlx_test_store_where(const char *dir);

#endif
