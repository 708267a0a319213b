#!/usr/bin/env bash
# e2e: every shipped session and the program pass `relax check` with no
# errors and no warnings, and each session's natural length (as printed by
# check) is between 12 and 20 minutes.
set -u
: "${RELAX:?RELAX must point at the relax binary}"
: "${RLX_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache" XDG_DATA_HOME="$tmp/data" RELAX_STORE="$tmp/data/progress.db"
sessions="$RLX_SOURCE_DIR/sessions"
fail=0

"$RELAX" check "$sessions" >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/out" "$tmp/err"
if [ "$rc" != 0 ]; then
    echo "FAIL: relax check sessions/ exited $rc"; fail=1
fi
if grep -Eiq '(^|[^a-z])(error|warning):' "$tmp/out" "$tmp/err"; then
    echo "FAIL: relax check reported errors or warnings"; fail=1
fi

"$RELAX" check "$sessions/ten-weeks.program" >"$tmp/pout" 2>&1
rc=$?
if [ "$rc" != 0 ] || grep -Eiq '(^|[^a-z])(error|warning):' "$tmp/pout"; then
    echo "FAIL: the program file does not check cleanly (exit $rc)"; cat "$tmp/pout"; fail=1
fi

# Natural length per session: the first time (h:mm:ss or m:ss) after the word
# "natural" in the output of `relax check FILE`.
to_s() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%d\n", s }'; }
for n in 01 02 03 04 05 06 07 08 09 10; do
    f="$sessions/week-$n.session"
    "$RELAX" check "$f" >"$tmp/one" 2>&1 || { echo "FAIL: week-$n does not check"; cat "$tmp/one"; fail=1; continue; }
    t=$(grep -io 'natural[^0-9]*[0-9:]*[0-9]' "$tmp/one" | head -1 | grep -o '[0-9][0-9:]*$')
    if [ -z "$t" ]; then
        echo "FAIL: no natural length for week-$n in:"; cat "$tmp/one"; fail=1; continue
    fi
    s=$(echo "$t" | to_s)
    if [ "$s" -lt 720 ] || [ "$s" -gt 1200 ]; then
        echo "FAIL: week-$n natural length $t is not between 12:00 and 20:00"; fail=1
    else
        echo "ok: week-$n natural length $t"
    fi
done
exit $fail
