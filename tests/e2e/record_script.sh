#!/usr/bin/env bash
# relax script and the recordings report of relax check: the script lists the
# lines with their pauses and the file each take belongs in; a take saved
# there is picked up (check lists it, render plays it); check counts recorded
# and missing lines and warns at line:col when a line's words changed since
# its take was recorded; a full disk leaves no script behind.
set -u
: "${RELAX:?}" "${RLX_TEST_DATA:?}" "${RLX_SOURCE_DIR:?}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
fail=0
cp "$RLX_TEST_DATA/check/valid/short.session" "$T/s.session"
S=$T/s.session

timeout 120 "$RELAX" script "$S" -o "$T/script.txt"; rc=$?
[ "$rc" = 0 ] || { echo "FAIL: script exit $rc"; fail=1; }
cat "$T/script.txt"
grep -q '^  1\. \[at 0:01\]$' "$T/script.txt" || { echo "FAIL: line 1 place"; fail=1; }
grep -qx '     Hello there\.' "$T/script.txt" || { echo "FAIL: line 1 text"; fail=1; }
grep -qx '     (the breathing guide changes, then a pause of 5 s (up to 30 s))' "$T/script.txt" \
    || { echo "FAIL: pause note"; fail=1; }
grep -q '^  2\. \[right after the previous line\]$' "$T/script.txt" || { echo "FAIL: line 2"; fail=1; }
f1=$(sed -n 's/^     file: //p' "$T/script.txt" | sed -n 1p)
f2=$(sed -n 's/^     file: //p' "$T/script.txt" | sed -n 2p)
[[ "$f1" =~ ^recordings/check-short/say-[0-9a-f]{12}\.flac$ ]] || { echo "FAIL: file name '$f1'"; fail=1; }
[ "$f1" != "$f2" ] || { echo "FAIL: two lines share a name"; fail=1; }

timeout 120 "$RELAX" script "$S" -o "$T/script.html" || { echo "FAIL: html"; fail=1; }
[ "$(grep -c '<li value=' "$T/script.html")" = 2 ] || { echo "FAIL: html lines"; fail=1; }
grep -qF 'Short &amp; &lt;sweet&gt;' "$T/script.html" || { echo "FAIL: html escaping"; fail=1; }
if command -v xmllint >/dev/null; then
    xmllint --html --noout "$T/script.html" 2>"$T/lint" || { echo "FAIL: html does not parse"; cat "$T/lint"; fail=1; }
fi

# the name follows the words: moving the line does not change it
sed 's/^0:01   say "Hello there."/0:02   say "Hello there."/' "$S" >"$T/moved.session"
g1=$(timeout 120 "$RELAX" script "$T/moved.session" -o - | sed -n 's/^     file: //p' | sed -n 1p)
[ "$g1" = "$f1" ] || { echo "FAIL: moving the line renamed its take ($g1 vs $f1)"; fail=1; }

# nobody has recorded yet: check says nothing about recordings
timeout 120 "$RELAX" check "$S" >"$T/out" 2>&1 || { echo "FAIL: check"; fail=1; }
grep -q recordings "$T/out" && { echo "FAIL: recordings reported before any"; fail=1; }

# a take for line 1, one for an older wording of line 2
mkdir -p "$T/recordings/check-short"
sox -n --comment "Hello there." -r 48000 -c 1 "$T/$f1" synth 1.5 sine 220 fade 0.05 1.5 0.05 vol 0.2
sox -n --comment "Breathe in, and let it all go." -r 48000 -c 1 "$T/recordings/check-short/say-000000000000.flac" \
    synth 1 sine 220 vol 0.2
timeout 120 "$RELAX" check "$S" >"$T/out" 2>"$T/err"; rc=$?
cat "$T/out" "$T/err"
[ "$rc" = 0 ] || { echo "FAIL: check exit $rc with recordings"; fail=1; }
grep -qx '  recordings 1 of 2 lines, missing #2 (relax record check-short --missing)' "$T/out" \
    || { echo "FAIL: recordings count"; fail=1; }
grep -q "^$S:18:8: warning: this line's words changed since it was recorded (recordings/check-short/say-000000000000.flac says \"Breathe in, and let it all go.\")" "$T/err" \
    || { echo "FAIL: changed-line warning"; fail=1; }
grep -qF "[$f1]" "$T/out" || { echo "FAIL: check does not list the recording on line 1"; fail=1; }

# render plays the take: 1.5 s of 220 Hz instead of the synthetic voice
timeout 300 "$RELAX" render "$S" -o "$T/out.wav" >/dev/null 2>&1 || { echo "FAIL: render"; fail=1; }
freq=$(sox "$T/out.wav" -n trim 1.3 0.5 remix 1 stat -freq 2>&1 | awk 'NF==2 && $1+0>100 && $1+0<1000 { if ($2 > m) { m = $2; f = $1 } } END { printf "%d", f }')
[ "${freq:-0}" -ge 210 ] && [ "${freq:-0}" -le 230 ] || { echo "FAIL: render did not play the take (peak at ${freq:-?} Hz)"; fail=1; }

# bad names and a full disk: exit 2 / 5, one line, nothing written
timeout 60 "$RELAX" script "$S" -o "$T/x.doc" 2>"$T/err"; rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] || { echo "FAIL: .doc exit $rc"; cat "$T/err"; fail=1; }
timeout 60 "$RELAX" script "$S" 2>"$T/err"; rc=$?
[ "$rc" = 2 ] && [ "$(cat "$T/err")" = "relax: script: name the output with -o FILE.txt or FILE.html (or - for standard output)" ] ||
    { echo "FAIL: no -o: exit $rc"; cat "$T/err"; fail=1; }
mkdir "$T/small"
sh "$RLX_SOURCE_DIR/tests/preload/full_disk.sh" "$T/small" 100 "$RELAX" script "$S" -o "$T/small/s.txt" 2>"$T/err"; rc=$?
[ "$rc" = 5 ] || { echo "FAIL: full disk exit $rc"; fail=1; }
grep -qx "relax: cannot write '$T/small/s.txt': the disk is full" "$T/err" || { echo "FAIL: full disk message"; cat "$T/err"; fail=1; }
[ -z "$(ls -A "$T/small")" ] || { echo "FAIL: full disk left $(ls -A "$T/small")"; fail=1; }
exit $fail
