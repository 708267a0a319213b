#!/usr/bin/env bash
# pg_server.sh - a private PostgreSQL server for one test, shared by the unit
# tests (tests/util/rlx_pg.c) and the e2e tests (tests/pg/lib.bash).
#
#   pg_server.sh start DIR    initdb into DIR/data, start it listening on a Unix
#                             socket in DIR only (no TCP), create the databases
#                             "relax" and "other"; prints the connection URI
#                             (user postgres, no password) on stdout.
#   pg_server.sh stop DIR     stop it (by its pid file, through pg_ctl) and
#                             remove DIR.
#   pg_server.sh restart DIR  start it again after a stop --keep.
#   pg_server.sh halt DIR     stop it but keep DIR (for restart).
#
# initdb and postgres refuse to run as root, so as root they run as the
# `postgres` user (runuser). A role "clinic" with password "right" may log in
# by password only (scram), and a role "refused" is rejected by pg_hba.conf:
# for the wrong-password and refusing-server tests.
set -euo pipefail
PGBIN=${RLX_PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PGBIN/initdb" ] || { echo "pg_server.sh: PostgreSQL server binaries not found (install the Debian package 'postgresql')" >&2; exit 1; }
cmd=$1 dir=$2
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
ctl() { as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" "$@"; }
case $cmd in
start)
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 0700 "$dir"
  as_pg "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  {
    echo "local all refused reject"
    echo "local all clinic scram-sha-256"
    echo "local all all trust"
  } >"$dir/data/pg_hba.conf"
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = off
max_connections = 40
CONF
  ctl -w -t 60 start >/dev/null
  psql() { as_pg "$PGBIN/psql" -X -q -h "$dir" -U postgres -v ON_ERROR_STOP=1 "$@"; }
  psql -d postgres -c "CREATE DATABASE relax" -c "CREATE DATABASE other" \
       -c "CREATE ROLE clinic LOGIN PASSWORD 'right'" -c "CREATE ROLE refused LOGIN" \
       -c "GRANT ALL ON DATABASE relax TO clinic" >/dev/null
  psql -d relax -c "GRANT ALL ON SCHEMA public TO clinic" >/dev/null
  echo "postgresql:///relax?host=$dir&user=postgres"
  ;;
halt)
  ctl -w -m fast stop >/dev/null
  ;;
restart)
  ctl -w -t 60 start >/dev/null
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then ctl -w -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: pg_server.sh start|stop|halt|restart DIR" >&2; exit 2 ;;
esac
