#!/usr/bin/env bash
# A PostgreSQL store that cannot be used: wrong password, unknown host, a
# server that refuses us, no server at all, a schema of another program's
# tables. Each is one line naming the store (never the password), exit 8,
# and nothing written, neither in the database nor in this machine's
# journal. relax next with the server away says so and names the week this
# machine's journal knows. store copy moves everything, idempotently.
. "$(dirname "$0")/store_common.bash"
. "$RLX_SOURCE_DIR/tests/pg/lib.bash"
export XDG_STATE_HOME="$W/state"
pg_start || finish
trap 'pg_stop; cleanup' EXIT
JOURNAL="$XDG_STATE_HOME/relax/journal"
schemas() { pg_sql "$1" "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' AND nspname <> 'information_schema'"; }
no_journal() { [ -z "$(ls "$JOURNAL" 2>/dev/null | grep '\.journal$')" ] || fail "$1: a journal was written: $(ls "$JOURNAL")"; }
one_line() { [ "$(wc -l < "$W/err")" -eq 1 ] || fail "$1: want one line on stderr, got: $ERR"; }

# 1. wrong password: the message names the store without the password
run "$RELAX" progress --store "postgresql://clinic:wrong-secret@/relax?host=$PGDIR"
expect_rc 8 "wrong password"
expect_err "password authentication failed" "wrong password"
expect_err "postgresql://clinic@/relax?host=$PGDIR" "wrong password: the store, shown"
grep -q "wrong-secret" "$W/err" && fail "the password was printed: $ERR"
[ "$(grep -c . "$W/err")" -le 2 ] || fail "wrong password: too many lines: $ERR"
# the password from ~/.pgpass works, and is never needed in the URI
echo "*:*:*:clinic:right" > "$HOME/.pgpass" && chmod 600 "$HOME/.pgpass"
run "$RELAX" progress --store "postgresql://clinic@/relax?host=$PGDIR"
expect_rc 0 "password from ~/.pgpass"
rm -f "$HOME/.pgpass"
pg_sql relax "DROP SCHEMA relax CASCADE" >/dev/null 2>&1
no_journal "pgpass"
rm -rf "$JOURNAL"

# a libpq service file names the server: --store service=NAME
printf '[clinic]\nhost=%s\nuser=postgres\ndbname=relax\n' "$PGDIR" > "$W/pg_service.conf"
run env PGSERVICEFILE="$W/pg_service.conf" RELAX_STORE=service=clinic "$RELAX" profiles
expect_rc 0 "a service file"
expect_out "No profiles yet" "a service file"
run env PGSERVICEFILE="$W/pg_service.conf" "$RELAX" profiles --store service=nosuch
expect_rc 8 "an unknown service"; one_line "an unknown service"
pg_sql relax "DROP SCHEMA relax CASCADE" >/dev/null 2>&1
rm -rf "$JOURNAL"

# 2. unknown host
run "$RELAX" history --store "postgresql://no-such-host.invalid/relax"
expect_rc 8 "unknown host"; one_line "unknown host"
expect_err "could not translate host name" "unknown host"

# 3. a server that refuses this user (pg_hba.conf: reject)
run "$RELAX" profiles --store "postgresql:///relax?host=$PGDIR&user=refused"
expect_rc 8 "refusing server"; one_line "refusing server"
expect_err "rejects connection" "refusing server"

# 4. no server answering (a socket folder where none listens)
mkdir "$W/nothing"
run "$RELAX" progress --store "postgresql:///relax?host=$W/nothing&user=postgres"
expect_rc 8 "no server"; one_line "no server"
expect_err "check that the server is running" "no server"

# 5. another program's tables, in the schema relax would use
pg_sql other "CREATE SCHEMA relax; CREATE TABLE relax.invoices(n int); CREATE TABLE public.orders(n int)" >/dev/null
OTHER="postgresql:///other?host=$PGDIR&user=postgres"
run "$RELAX" progress --store "$OTHER"
expect_rc 8 "foreign schema"; one_line "foreign schema"
expect_err "holds tables relax did not make" "foreign schema"
run env RELAX_PG_SCHEMA=public "$RELAX" history --store "$OTHER"
expect_rc 8 "foreign public schema"; one_line "foreign public schema"
[ "$(pg_sql other "SELECT string_agg(schemaname || '.' || tablename, ',' ORDER BY schemaname, tablename) FROM pg_tables WHERE schemaname IN ('relax', 'public')")" = "public.orders,relax.invoices" ] \
    || fail "the other program's database changed"
run env RELAX_PG_SCHEMA="Robert'); DROP" "$RELAX" progress --store "$OTHER"
expect_rc 2 "a schema name that is not a plain name"
[ "$(schemas relax)" = "public" ] || fail "something was written in the relax database: $(schemas relax)"
no_journal "errors"

# 6. server away: next says so in one line and offers what the journal knows
RELAX_STORE="$PGURI"; export RELAX_STORE
RELAX_ROOM="Room 1" "$TOOL" "$PGURI" listen kim week-01 1 180 180 180 1 "$(date -d '8 days ago' +%s)" || fail "store_tool"
"$TOOL" "$PGURI" listen jo week-01 1 180 180 180 1 "$(date -d '1 hour ago' +%s)" || fail "store_tool"
pg_halt
run "$RELAX" next --profile kim --any
expect_rc 8 "next, server away"
one_line "next, server away"
expect_err "cannot connect to the progress store" "next, server away"
expect_out "From this machine's journal, week 2 (Test week 02) is next for kim: 'relax play week-02 --profile 'kim''" "next offers week 2"
run "$RELAX" next --profile jo
expect_rc 8 "next, server away, week 2 not open yet"
expect_out "From this machine's journal: Week 2 opens on" "next offline names when week 2 opens"
run "$RELAX" next --profile nobody
expect_rc 8 "next, server away, unknown profile"
expect_out "knows no week for nobody" "next, nothing known"
pg_restart

# 7. store copy: PostgreSQL -> SQLite -> a second schema; idempotent, counted
listen lee 1 180 180 180 1 "$(date -d '9 days ago' +%s)"
listen lee 2 180 90 90 0 "$(date -d '2 days ago' +%s)"
for round in 1 2; do
    run "$RELAX" store copy "$STORE" "$PGURI"
    expect_rc 0 "copy sqlite -> pg ($round)"
    expect_out "Copied 1 profile and 2 listens from $STORE to $PGURI; checked:" "copy counts ($round)"
done
[ "$(pg_sql relax "SELECT count(*) FROM relax.listens")" = 4 ] || fail "copy twice stored twice: $(pg_sql relax "SELECT count(*) FROM relax.listens")"
run env RELAX_PG_SCHEMA=second "$RELAX" store copy "$PGURI" "$W/back.db"
expect_rc 0 "copy into an empty schema's store: nothing to copy"
run "$RELAX" store copy "$PGURI" "$W/back.db"
expect_rc 0 "copy pg -> sqlite"
expect_out "Copied 3 profiles and 4 listens" "copy back counts"
run "$RELAX" history --all --csv --store "$W/back.db"
[ "$(grep -c '^kim,week-01,.*,Room 1' "$W/out")" = 1 ] || fail "room lost in the copy: $OUT"
run "$RELAX" store copy "$W/missing.db" "$PGURI"
expect_rc 8 "copy from a missing file"
run "$RELAX" store copy "$PGURI"
expect_rc 2 "copy needs two stores"
finish
