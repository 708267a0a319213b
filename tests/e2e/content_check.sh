#!/usr/bin/env bash
# e2e: every shipped session and the program pass `relax check` with no
# errors and no warnings, and each session's natural length (as printed by
# check) is between 12 and 20 minutes.
set -u
: "${RELAX:?RELAX must point at the relax binary}"
: "${RLX_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The spoken lines are shared by the content tests through a cache in the
# build folder (never the user's own cache): a cold cache costs minutes.
export XDG_CACHE_HOME="${RLX_BUILD_DIR:-$tmp}/content-test-cache"
export XDG_DATA_HOME="$tmp/data" RELAX_STORE="$tmp/data/progress.db"
sessions="$RLX_SOURCE_DIR/sessions"
fail=0

"$RELAX" check "$sessions" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" != 0 ]; then
    echo "FAIL: relax check sessions/ exited $rc"; cat "$tmp/out" "$tmp/err"; fail=1
elif grep -Eiq '(^|[^a-z])(error|warning):' "$tmp/out" "$tmp/err"; then
    echo "FAIL: relax check reported errors or warnings"; cat "$tmp/out" "$tmp/err"; fail=1
elif ! grep -q "11 files checked: 11 valid, 0 invalid; 0 errors, 0 warnings" "$tmp/out" "$tmp/err"; then
    echo "FAIL: unexpected summary"; tail -3 "$tmp/out" "$tmp/err"; fail=1
else
    echo "ok: relax check sessions/ (ten sessions and the program, no errors, no warnings)"
fi

"$RELAX" check "$sessions/ten-weeks.program" >"$tmp/pout" 2>&1
rc=$?
if [ "$rc" != 0 ] || grep -Eiq '(^|[^a-z])(error|warning):' "$tmp/pout"; then
    echo "FAIL: the program file does not check cleanly (exit $rc)"; cat "$tmp/pout"; fail=1
fi

# Natural length and range per session, from the "length" line that
# `relax check FILE` prints ("length natural 13:59, plays at 9:40 to 1:35:00").
to_s() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%d\n", s }'; }
field() {  # field N FILE: the Nth time on the length line
    grep -m1 -E "length natural .* plays at .* to " "$2" | grep -oE '[0-9]+(:[0-9]+)+' | sed -n "$1p"
}
for n in 01 02 03 04 05 06 07 08 09 10; do
    f="$sessions/week-$n.session"
    "$RELAX" check "$f" >"$tmp/one" 2>&1 || { echo "FAIL: week-$n does not check"; cat "$tmp/one"; fail=1; continue; }
    t=$(field 1 "$tmp/one")
    if [ -z "$t" ]; then
        echo "FAIL: no natural length for week-$n in:"; cat "$tmp/one"; fail=1; continue
    fi
    s=$(echo "$t" | to_s)
    lo=$(field 2 "$tmp/one"); hi=$(field 3 "$tmp/one")
    los=$(echo "${lo:-99:00:00}" | to_s); his=$(echo "${hi:-0}" | to_s)
    if [ "$s" -lt 720 ] || [ "$s" -gt 1200 ]; then
        echo "FAIL: week-$n natural length $t is not between 12:00 and 20:00"; fail=1
    elif [ "$los" -gt 600 ] || [ "$his" -lt 5400 ]; then
        echo "FAIL: week-$n plays at '$lo' to '$hi', not all of 10:00 to 1:30:00"; fail=1
    else
        echo "ok: week-$n natural length $t, plays at $lo to $hi"
    fi
done
exit $fail
