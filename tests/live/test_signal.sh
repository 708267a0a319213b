# SIGTERM without a terminal: the player fades out (no click), says where it
# stopped in one plain line, and exits 130 promptly; nothing else is printed.
source "$(dirname "$0")/lib.sh"

S="$LIVE_TMP/live-term.session"
write_session "$S" live-term "Live term" "-6 dB" '0:00 fade-in 200 ms' '1:00 end'
"$RELAX" render "$S" --rate 48000 -o "$LIVE_TMP/warm.wav" >/dev/null 2>&1 || fail "relax render failed"

start_jack 1024 rt
start_capture "$LIVE_TMP/cap.wav"
"$RELAX" play "$S" >"$LIVE_TMP/play.out" 2>"$LIVE_TMP/play.err" </dev/null &
PLAY_PID=$!
LIVE_PIDS+=("$PLAY_PID")
wait_relax_ports || fail "the player's ports never appeared"
sleep 1   # stimulus timing: let it play a moment
kill -TERM "$PLAY_PID"
t0=$(now_s)
wait_gone "$PLAY_PID" 5 || { kill -KILL "$PLAY_PID"; fail "the player did not stop after SIGTERM"; }
t1=$(now_s)
rc=0
wait "$PLAY_PID" || rc=$?
finish_capture
ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
note "exit $rc after $ms ms"
cat "$LIVE_TMP/play.err"
[ "$rc" -eq 130 ] || fail "exit $rc, want 130"
[ "$ms" -le 2500 ] || fail "took $ms ms to stop"
[ "$(wc -l <"$LIVE_TMP/play.err")" -eq 2 ] || fail "want a start and a stop line on stderr"
grep -q '^relax: stopped at 0:0[0-9] of 1:00$' "$LIVE_TMP/play.err" || fail "no stop line"
! grep -q $'\e' "$LIVE_TMP/play.err" "$LIVE_TMP/play.out" || fail "control characters without a terminal"
"$RLX_LIVE_BIN/wav_check" stats "$LIVE_TMP/cap.wav" 500 40 | tee "$LIVE_TMP/stats.out"
maxstep=$(sed -n 's/^maxstep //p' "$LIVE_TMP/stats.out")
awk -v s="$maxstep" 'BEGIN { exit !(s <= 0.025) }' || fail "largest step $maxstep: the stop clicked"
echo "1 passed, 0 failed"
