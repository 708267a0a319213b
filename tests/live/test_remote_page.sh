# The remote's page in headless Chromium (tests/remote/page.mjs) steering a
# session that plays into a JACK dummy server, recorded by jack_capture:
# the page loads with the key and not without; a tap on Pause makes the
# recording silent; three taps on "Volume -" while paused make it 6 dB
# quieter after Resume; "+5 min" lengthens the session by 5 minutes; Stop
# fades out and the player exits 0 with no underruns. Screenshots go to
# the build folder (remote-page.png, remote-page-paused.png).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/remote_lib.sh"

S="$LIVE_TMP/remote-test.session"
remote_session "$S"
start_jack 1024 rt
start_capture "$LIVE_TMP/cap.wav"
start_remote_play "$S"
node "$NODE_DIR/page.mjs" "$REMOTE_URL" "$RLX_BUILD_DIR" | tee "$LIVE_TMP/page.log" ||
    fail "the page test failed"
finish_remote_play
finish_capture
[ "$PLAY_RC" -eq 0 ] || fail "relax play exited $PLAY_RC after Stop on the page"
grep -q 'relax: stopped at' "$LIVE_TMP/play.err" || fail "no 'stopped at' line after Stop"
u=$(play_underruns)
note "underruns: $u"
[ "$u" = 0 ] || fail "$u underruns"
[ -s "$RLX_BUILD_DIR/remote-page.png" ] || fail "no screenshot"

"$RLX_LIVE_BIN/wav_check" stats "$LIVE_TMP/cap.wav" 500 40 | tee "$LIVE_TMP/stats.out"
gaps=$(grep -c '^gap ' "$LIVE_TMP/stats.out" || true)
[ "$gaps" -eq 1 ] || fail "want one silence (the pause), got $gaps"
read -r _ gap_start gap_ms _ < <(grep '^gap ' "$LIVE_TMP/stats.out")
awk -v g="$gap_ms" 'BEGIN { exit !(g >= 1300) }' || fail "the pause was silent for only $gap_ms ms (held 1.5 s)"

# levels over one 5 s breath cycle just before the pause and just after it
gap_end=$(awk -v s="$gap_start" -v g="$gap_ms" 'BEGIN { printf "%.4f", s + g / 1000 }')
a0=$(awk -v s="$gap_start" 'BEGIN { printf "%.4f", s - 5.2 }')
a1=$(awk -v s="$gap_start" 'BEGIN { printf "%.4f", s - 0.2 }')
b0=$(awk -v s="$gap_end" 'BEGIN { printf "%.4f", s + 0.2 }')
b1=$(awk -v s="$gap_end" 'BEGIN { printf "%.4f", s + 5.2 }')
before=$("$RLX_LIVE_BIN/wav_check" rms "$LIVE_TMP/cap.wav" "$a0" "$a1" | sed -n 's/^rms_db //p')
after=$("$RLX_LIVE_BIN/wav_check" rms "$LIVE_TMP/cap.wav" "$b0" "$b1" | sed -n 's/^rms_db //p')
diff=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')
note "level before the pause $before dBFS, after $after dBFS: $diff dB (want -6)"
awk -v d="$diff" 'BEGIN { exit !(d >= -6.5 && d <= -5.5) }' || fail "three taps on Volume - changed the level by $diff dB, want -6"
echo "1 passed, 0 failed"
