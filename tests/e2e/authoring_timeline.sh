#!/usr/bin/env bash
# relax timeline: a well-formed SVG (xmllint) with every caption, escaped;
# stretched with --length; clear exit codes for bad sessions and outputs.
set -u
: "${RELAX:?}" "${RLX_TEST_DATA:?}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
D=$RLX_TEST_DATA/check
fail=0
command -v xmllint >/dev/null || { echo "xmllint missing: install libxml2-utils (.ci/install-deps)"; exit 1; }
timeout 120 "$RELAX" timeline "$D/valid/short.session" -o "$T/short.svg"; rc=$?
[ "$rc" = 0 ] || { echo "FAIL: exit $rc"; fail=1; }
xmllint --noout "$T/short.svg" || { echo "FAIL: not well-formed XML"; fail=1; }
for s in 'Short &amp; &lt;sweet&gt;' 'Hello there.' 'Breathe in, and let it go.' '>voice</text>' '>breath</text>' \
         '>ambient</text>' '>master</text>' '>sync</text>' '5 s ↔ 30 s' '>0:20</text>'; do
    grep -qF -- "$s" "$T/short.svg" || { echo "FAIL: '$s' not in the SVG"; fail=1; }
done
# the root element is svg, in the SVG namespace
[ "$(xmllint --xpath 'local-name(/*)' "$T/short.svg")" = svg ] || { echo "FAIL: root"; fail=1; }
# stretched to its longest: the axis reaches 0:50 and the end moves there
timeout 120 "$RELAX" timeline "$D/valid/short.session" -o "$T/long.svg" --length 50s || { echo "FAIL: --length"; fail=1; }
xmllint --noout "$T/long.svg" && grep -q 'length 0:50' "$T/long.svg" || { echo "FAIL: stretched drawing"; fail=1; }
# to stdout
timeout 120 "$RELAX" timeline "$D/valid/tone.session" -o - | xmllint --noout - || { echo "FAIL: -o -"; fail=1; }
# a length outside natural..longest is a usage error
timeout 120 "$RELAX" timeline "$D/valid/short.session" -o "$T/x.svg" --length 10min 2>/dev/null; rc=$?
[ "$rc" = 2 ] || { echo "FAIL: --length out of range exit $rc, expected 2"; fail=1; }
# an invalid session: 3, nothing written
timeout 120 "$RELAX" timeline "$D/invalid/unknown-cue.session" -o "$T/bad.svg" 2>"$T/err"; rc=$?
[ "$rc" = 3 ] || { echo "FAIL: invalid session exit $rc, expected 3"; fail=1; }
grep -q 'unknown-cue.session:6:8: error: ' "$T/err" || { echo "FAIL: diagnostic"; cat "$T/err"; fail=1; }
[ -e "$T/bad.svg" ] && { echo "FAIL: wrote an SVG for an invalid session"; fail=1; }
# an output folder that does not exist: 5
timeout 120 "$RELAX" timeline "$D/valid/short.session" -o "$T/no/such/dir/x.svg" 2>"$T/err"; rc=$?
[ "$rc" = 5 ] || { echo "FAIL: unwritable output exit $rc, expected 5"; cat "$T/err"; fail=1; }
# another format's name: 2, one line, nothing written
timeout 60 "$RELAX" timeline "$D/valid/short.session" -o "$T/x.png" 2>"$T/err"; rc=$?
[ "$rc" = 2 ] || { echo "FAIL: .png name exit $rc, expected 2"; fail=1; }
grep -qxF "relax: timeline writes .svg files, not '$T/x.png': name the output with -o FILE.svg (or - for standard output)" "$T/err" \
    || { echo "FAIL: .png name message"; cat "$T/err"; fail=1; }
[ -e "$T/x.png" ] && { echo "FAIL: wrote x.png"; fail=1; }
exit $fail
