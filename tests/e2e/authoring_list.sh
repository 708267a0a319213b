#!/usr/bin/env bash
# relax list: the program as a table (plain when not a terminal); a session
# whose length cannot be computed shows "?" and the list goes on.
set -u
: "${RELAX:?}" "${RLX_TEST_DATA:?}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
D=$RLX_TEST_DATA/check
fail=0
RELAX_PROGRAM=$D/valid/check.program timeout 120 "$RELAX" list >"$T/out" 2>"$T/err"; rc=$?
cat "$T/out" "$T/err"
[ "$rc" = 0 ] || { echo "FAIL: exit $rc"; fail=1; }
grep -qx 'Two short weeks (2 weeks)' "$T/out" || { echo "FAIL: program title"; fail=1; }
grep -qE '^week  id +title +length  range +summary$' "$T/out" || { echo "FAIL: header"; fail=1; }
grep -qE '^   1  check-short  Short & <sweet>  +0:25  0:25-0:50 +A tiny session used by the tests\.$' "$T/out" || { echo "FAIL: row 1"; fail=1; }
grep -qE '^   2  check-tone   Tone only  +0:10  0:10-0:10 +$' "$T/out" || { echo "FAIL: row 2"; fail=1; }
# a session whose recording cannot be decoded: length "?"; a missing program: 3
mkdir "$T/p"
cp "$D/invalid/bad-audio.session" "$D/invalid/garbage.wav" "$D/valid/tone.session" "$T/p/"
printf '[program]\nid = p\ntitle = "P"\n[sessions]\nbad-audio.session\ntone.session\n' > "$T/p/p.program"
RELAX_PROGRAM=$T/p/p.program timeout 120 "$RELAX" list >"$T/out" 2>"$T/err"; rc=$?
cat "$T/out" "$T/err"
[ "$rc" = 0 ] || { echo "FAIL: exit $rc with an undecodable recording"; fail=1; }
grep -qE '^   1  bad-audio +Undecodable recording +\?  \? +$' "$T/out" || { echo "FAIL: ? length"; fail=1; }
grep -qE '^   2  check-tone +Tone only +0:10  0:10-0:10 +$' "$T/out" || { echo "FAIL: row after ?"; fail=1; }
RELAX_PROGRAM=$T/none.program timeout 20 "$RELAX" list >/dev/null 2>&1; rc=$?
[ "$rc" = 3 ] || { echo "FAIL: missing program exit $rc, expected 3"; fail=1; }
exit $fail
