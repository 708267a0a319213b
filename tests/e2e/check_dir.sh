#!/usr/bin/env bash
# relax check DIR with valid and invalid files mixed: every problem of every
# file is reported in one run, the valid ones still print, exit 3.
set -u
: "${RELAX:?}" "${RLX_TEST_DATA:?}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
D=$RLX_TEST_DATA/check/mixed
fail=0
timeout 120 "$RELAX" check "$D" >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 3 ] || { echo "FAIL: exit $rc, expected 3"; fail=1; }
cat "$T/out" "$T/err"
for f in a-short.session b-tone.session order.program; do
    grep -q "^$D/$f: ok " "$T/out" || { echo "FAIL: $f not ok"; fail=1; }
done
grep -q "^$D/c-unknown-cue.session:6:8: error: " "$T/err" || { echo "FAIL: c-unknown-cue error"; fail=1; }
grep -q "^$D/d-backwards.session:7:1: error: " "$T/err" || { echo "FAIL: d-backwards error"; fail=1; }
grep -qF "$D/order.program:6:1: warning: session 'b-tone.session' says week = 2 but it is week 1 of this program" "$T/err" \
    || { echo "FAIL: week warning 1"; fail=1; }
grep -qF "$D/order.program:7:1: warning: session 'a-short.session' says week = 1 but it is week 2 of this program" "$T/err" \
    || { echo "FAIL: week warning 2"; fail=1; }
grep -q README "$T/out" "$T/err" && { echo "FAIL: README.txt was checked"; fail=1; }
grep -qx "5 files checked: 3 valid, 2 invalid; 2 errors, 2 warnings" "$T/out" || { echo "FAIL: summary"; fail=1; }
exit $fail
