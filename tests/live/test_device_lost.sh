# (d) the JACK server dies mid-session: the player says so and exits 7
# within 2 s, without hanging.
source "$(dirname "$0")/lib.sh"

S="$LIVE_TMP/live-lost.session"
write_session "$S" live-lost "Live lost" "-18 dB" '0:00 say "This session will be cut short."' '1:00 end'
"$RELAX" render "$S" --rate 48000 -o "$LIVE_TMP/warm.wav" >/dev/null 2>&1 || fail "relax render failed"

start_jack 1024 rt
"$RELAX" play "$S" >"$LIVE_TMP/play.out" 2>"$LIVE_TMP/play.err" &
PLAY_PID=$!
LIVE_PIDS+=("$PLAY_PID")
wait_relax_ports || fail "the player's ports never appeared"
# let it play a moment (stimulus timing, not synchronisation)
sleep 0.5
kill_jack_hard
t0=$(now_s)
wait_gone "$PLAY_PID" 5 || { kill -KILL "$PLAY_PID"; fail "the player hung after the server died"; }
t1=$(now_s)
rc=0
wait "$PLAY_PID" || rc=$?
wait "$JACK_PID" 2>/dev/null || true
JACK_PID=""
ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
note "exit $rc after $ms ms"
cat "$LIVE_TMP/play.err"
[ "$rc" -eq 7 ] || fail "exit $rc, want 7"
[ "$ms" -le 2000 ] || fail "took $ms ms to notice, want <= 2000"
grep -q '^relax: audio device lost (' "$LIVE_TMP/play.err" || fail "no 'audio device lost' message"
echo "1 passed, 0 failed"
