# lib.bash - sourced by e2e tests that need a PostgreSQL server: starts a
# private one (tests/pg/pg_server.sh, the same harness the unit tests use)
# in its own temporary folder, Unix socket only, stopped and removed on exit.
#   pg_start        sets PGDIR (its folder) and PGURI (postgresql:// URI, user postgres)
#   pg_halt / pg_restart   stop it keeping the data / start it again
#   pg_sql DB SQL   runs SQL as the superuser, prints the result unaligned
PG_SH="$(dirname "${BASH_SOURCE[0]}")/pg_server.sh"
PGDIR=""
pg_start() {
    local base
    base=$(mktemp -d "${TMPDIR:-/tmp}/relax-pg.XXXXXX") && chmod 0711 "$base" || return 1
    PGDIR="$base/pg"
    PGURI=$(bash "$PG_SH" start "$PGDIR") || { echo "FAIL: could not start PostgreSQL (see $PGDIR/log)" >&2; return 1; }
    export PGURI PGDIR
}
pg_stop() {
    [ -n "$PGDIR" ] || return 0
    bash "$PG_SH" stop "$PGDIR"
    rm -rf "$(dirname "$PGDIR")"
    PGDIR=""
}
pg_halt() { bash "$PG_SH" halt "$PGDIR"; }
pg_restart() { bash "$PG_SH" restart "$PGDIR"; }
pg_sql() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- psql -X -q -At -h "$PGDIR" -d "$1" -c "$2")
    else
        psql -X -q -At -h "$PGDIR" -U postgres -d "$1" -c "$2"
    fi
}
