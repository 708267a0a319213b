# store_common.bash - sourced by tests/e2e/store_*.sh: a private world with a
# ten-week program of tiny sessions, its own store, HOME, cache and clock.
set -u
: "${RELAX:?set RELAX to the relax binary}"
: "${RLX_BUILD_DIR:?set RLX_BUILD_DIR}"
TOOL="$RLX_BUILD_DIR/rlx_store_tool"
W=$(mktemp -d "${TMPDIR:-/tmp}/relax-e2e-store.XXXXXX")
cleanup() {
    chattr -R -i "$W" 2>/dev/null
    mountpoint -q "$W/full" 2>/dev/null && umount "$W/full"
    rm -rf "$W"
}
trap cleanup EXIT
export HOME="$W/home" XDG_DATA_HOME="$W/data" XDG_CACHE_HOME="$W/cache" TZ=UTC
export RELAX_SESSIONS="$W/sessions" RELAX_PROGRAM="$W/sessions/ten-weeks.program"
unset RELAX_STORE RELAX_PROFILE RELAX_NOW
mkdir -p "$HOME" "$RELAX_SESSIONS"
STORE="$XDG_DATA_HOME/relax/progress.db"
{
    echo '[program]'
    echo 'id    = ten-weeks'
    echo 'title = "Ten test weeks"'
    echo 'wait  = 6 days'
    echo
    echo '[sessions]'
} > "$RELAX_PROGRAM"
for n in 01 02 03 04 05 06 07 08 09 10; do
    cat > "$RELAX_SESSIONS/week-$n.session" <<SESSION
[session]
id    = week-$n
title = "Test week $n"
week  = $((10#$n))

[timeline]
0:00  fade-in 1 s
0:02  fade-out 1 s
0:03  end
SESSION
    echo "week-$n.session" >> "$RELAX_PROGRAM"
done

FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
# run CMD...: captures stdout in $OUT, stderr in $ERR, exit code in $RC
run() {
    "$@" >"$W/out" 2>"$W/err"
    RC=$?
    OUT=$(cat "$W/out")
    ERR=$(cat "$W/err")
}
expect_rc() { [ "$RC" -eq "$1" ] || fail "$2: exit $RC, expected $1 (stderr: $ERR)"; }
expect_out() { grep -qF -- "$1" "$W/out" || fail "$2: stdout lacks '$1'; got: $OUT"; }
expect_err() { grep -qF -- "$1" "$W/err" || fail "$2: stderr lacks '$1'; got: $ERR"; }
# listen PROFILE WEEK(1-10) LENGTH_S POS_S PLAYED_S END STARTED
listen() { "$TOOL" "$STORE" listen "$1" "week-$(printf %02d "$2")" "$2" "$3" "$4" "$5" "$6" "$7" || fail "store_tool listen"; }
crash() { "$TOOL" "$STORE" crash "$1" "week-$(printf %02d "$2")" "$2" "$3" "$4" "$5" || fail "store_tool crash"; }
finish() {
    if [ "$FAILS" -gt 0 ]; then echo "$FAILS failure(s)"; exit 1; fi
    echo "all passed"
    exit 0
}
DAY=86400
T0=1796025600   # Monday 30 November 2026, 08:00 UTC
