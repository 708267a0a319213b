# relax voices --say TEXT without -o plays the sample on the audio device:
# exit 0, speech reaches the device (a sound about as long as the spoken
# line, at a speech level), and no temporary session is left behind.
source "$(dirname "$0")/lib.sh"

export TMPDIR="$LIVE_TMP/tmp"
mkdir -p "$TMPDIR"
"$RELAX" voices --say "Breathing in, and slowly out." -o "$LIVE_TMP/ref.wav" >"$LIVE_TMP/ref.out" 2>&1 \
    || fail "voices -o failed: $(cat "$LIVE_TMP/ref.out")"
ref_s=$(sed -n 's/^wrote .* (\([0-9.]*\) s at .*/\1/p' "$LIVE_TMP/ref.out")

start_jack 1024
start_capture "$LIVE_TMP/cap.wav"
rc=0
"$RELAX" voices --say "Breathing in, and slowly out." </dev/null >"$LIVE_TMP/say.out" 2>"$LIVE_TMP/say.err" || rc=$?
finish_capture
[ "$rc" -eq 0 ] || fail "voices --say exited $rc: $(cat "$LIVE_TMP/say.err")"
"$RLX_LIVE_BIN/wav_check" stats "$LIVE_TMP/cap.wav" 2000 40 >"$LIVE_TMP/stats.out"
first=$(sed -n 's/^first \([0-9.]*\).*/\1/p' "$LIVE_TMP/stats.out")
last=$(sed -n 's/^last \([0-9.]*\).*/\1/p' "$LIVE_TMP/stats.out")
note "sample $ref_s s; heard from $first to $last s"
[ -n "$first" ] && [ -n "$last" ] || fail "nothing reached the device: $(cat "$LIVE_TMP/stats.out")"
awk -v f="$first" -v l="$last" -v r="$ref_s" 'BEGIN { d = l - f; exit !(d >= r - 0.3 && d <= r + 1.5) }' \
    || fail "the sound lasted $first..$last s, the sample is $ref_s s"
lvl=$("$RLX_LIVE_BIN/wav_check" rms "$LIVE_TMP/cap.wav" "$first" "$last" | sed -n 's/^rms_db //p')
note "level $lvl dB"
awk -v x="$lvl" 'BEGIN { exit !(x > -40 && x < -6) }' || fail "speech level $lvl dB"
[ -z "$(ls -A "$TMPDIR")" ] || fail "left behind in TMPDIR: $(ls -A "$TMPDIR")"
echo "1 passed, 0 failed"
