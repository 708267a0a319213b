#!/usr/bin/env bash
# relax captions: WebVTT with the spoken lines in order, timed like the
# rendering; --length times them for the stretched session.
set -u
: "${RELAX:?}" "${RLX_TEST_DATA:?}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
D=$RLX_TEST_DATA/check
fail=0
timeout 120 "$RELAX" captions "$D/valid/short.session" -o "$T/short.vtt"; rc=$?
[ "$rc" = 0 ] || { echo "FAIL: exit $rc"; fail=1; }
cat "$T/short.vtt"
[ "$(head -1 "$T/short.vtt")" = WEBVTT ] || { echo "FAIL: header"; fail=1; }
grep -qE '^00:00:01\.000 --> 00:00:0[1-9]\.[0-9]{3}$' "$T/short.vtt" || { echo "FAIL: first cue timing"; fail=1; }
[ "$(grep -c -- ' --> ' "$T/short.vtt")" = 2 ] || { echo "FAIL: expected 2 cues"; fail=1; }
grep -qx 'Hello there.' "$T/short.vtt" && grep -qx 'Breathe in, and let it go.' "$T/short.vtt" || { echo "FAIL: texts"; fail=1; }
# every timestamp line is well-formed, cues in order
awk '/-->/ { if ($1 !~ /^[0-9][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9][0-9][0-9]$/ || $3 !~ /^[0-9][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9][0-9][0-9]$/ || $2 != "-->" || $1 >= $3 || $1 < last) bad = 1; last = $3 }
     END { exit bad }' "$T/short.vtt" || { echo "FAIL: timestamps"; fail=1; }
# stretched by 25 s (the silence 5 s .. 30 s at its longest): the second line comes 25 s later
timeout 120 "$RELAX" captions "$D/valid/short.session" -o "$T/long.vtt" --length 50s || { echo "FAIL: --length"; fail=1; }
ms() { awk -F'[:.]' '{ print (($1 * 60 + $2) * 60 + $3) * 1000 + $4 }' <<<"$1"; }
a=$(grep -- '-->' "$T/short.vtt" | sed -n 2p | cut -c1-12)
b=$(grep -- '-->' "$T/long.vtt" | sed -n 2p | cut -c1-12)
[ $(( $(ms "$b") - $(ms "$a") )) = 25000 ] || { echo "FAIL: stretched cue at $b, unstretched at $a"; fail=1; }
# no voice: just the header
timeout 120 "$RELAX" captions "$D/valid/tone.session" -o - >"$T/tone.vtt" || { echo "FAIL: tone"; fail=1; }
[ "$(cat "$T/tone.vtt")" = WEBVTT ] || { echo "FAIL: voiceless session"; cat "$T/tone.vtt"; fail=1; }
timeout 120 "$RELAX" captions "$D/valid/short.session" -o "$T/x.vtt" --length 2min 2>/dev/null; rc=$?
[ "$rc" = 2 ] || { echo "FAIL: --length out of range exit $rc"; fail=1; }
# an .srt name: 2, nothing written (the output is WebVTT)
timeout 60 "$RELAX" captions "$D/valid/short.session" -o "$T/x.srt" 2>"$T/err"; rc=$?
[ "$rc" = 2 ] || { echo "FAIL: .srt name exit $rc, expected 2"; fail=1; }
grep -qF "captions writes .vtt files, not '$T/x.srt'" "$T/err" || { echo "FAIL: .srt message"; cat "$T/err"; fail=1; }
[ -e "$T/x.srt" ] && { echo "FAIL: wrote x.srt"; fail=1; }
exit $fail
