#!/usr/bin/env bash
# Every command named by `relax --help` answers --help (exit 0, its usage on
# stdout); --version says the project's version; help TOPIC points to the
# man page; an unknown command or topic is one line and exit 2.
set -u
: "${RELAX:?}" "${RLX_SOURCE_DIR:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

"$RELAX" --help >"$T/help" || fail "relax --help exited $?"
cmds=$(sed -n 's/^  \([a-z]*\) .*/\1/p' "$T/help")
[ "$(echo "$cmds" | wc -l)" -ge 14 ] || fail "relax --help lists only: $cmds"
for c in $cmds; do
    "$RELAX" "$c" --help >"$T/out" 2>"$T/err"; rc=$?
    [ "$rc" -eq 0 ] || fail "relax $c --help exited $rc: $(cat "$T/err")"
    head -n 1 "$T/out" | grep -q "^Usage: relax $c" || fail "relax $c --help: $(head -n 1 "$T/out")"
    [ -s "$T/err" ] && fail "relax $c --help wrote to stderr: $(cat "$T/err")"
    # relax help COMMAND is the same text
    "$RELAX" help "$c" >"$T/out2" 2>&1 || fail "relax help $c"
    cmp -s "$T/out" "$T/out2" || fail "relax help $c differs from relax $c --help"
done
version=$(sed -n 's/^project(relax VERSION \([0-9.]*\).*/\1/p' "$RLX_SOURCE_DIR/CMakeLists.txt")
[ "$("$RELAX" --version)" = "relax $version" ] || fail "--version: $("$RELAX" --version)"
out=$("$RELAX" help session) || fail "help session exited $?"
echo "$out" | grep -qF "relax-session(5)" || fail "help session: $out"
out=$("$RELAX" help exit-codes) || fail "help exit-codes"
echo "$out" | grep -qF '"Exit codes" of relax(1)' || fail "help exit-codes: $out"
"$RELAX" help >"$T/out" || fail "relax help"
grep -q "^Usage: relax COMMAND" "$T/out" || fail "relax help shows no usage"
"$RELAX" help nosuch >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" -eq 2 ] || fail "help nosuch exited $rc"
[ "$(cat "$T/err")" = "relax: help: no command or topic 'nosuch' (try 'relax help')" ] || fail "help nosuch: $(cat "$T/err")"
"$RELAX" nosuch >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" -eq 2 ] || fail "unknown command exited $rc"

[ "$FAILS" -eq 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "all passed"
