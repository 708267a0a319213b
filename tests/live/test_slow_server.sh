# (e) a slow server is not a dead one: the JACK server stopped (SIGSTOP) for
# 2 s mid-session, as a loaded machine may do, then resumed: the player keeps
# playing to the end (exit 0, no "device lost"). A killed server is
# test_device_lost.sh: noticed within 2 s.
source "$(dirname "$0")/lib.sh"

S="$LIVE_TMP/live-slow.session"
write_session "$S" live-slow "Live slow" "-18 dB" '0:00 say "Take your time."' '0:06 end'
"$RELAX" render "$S" --rate 48000 -o "$LIVE_TMP/warm.wav" >/dev/null 2>&1 || fail "relax render failed"

start_jack 1024 rt
"$RELAX" play "$S" >"$LIVE_TMP/play.out" 2>"$LIVE_TMP/play.err" &
PLAY_PID=$!
LIVE_PIDS+=("$PLAY_PID")
wait_relax_ports || fail "the player's ports never appeared"
# the stall is the stimulus; its length is what the test is about
kill -STOP "$JACK_PID"
sleep 2
kill -CONT "$JACK_PID"
wait_gone "$PLAY_PID" 30 || { kill -KILL "$PLAY_PID"; fail "the player hung after the server resumed"; }
rc=0
wait "$PLAY_PID" || rc=$?
cat "$LIVE_TMP/play.err"
[ "$rc" -eq 0 ] || fail "exit $rc after a 2 s stall of the server, want 0"
grep -q 'device lost' "$LIVE_TMP/play.err" && fail "a slow server was taken for a dead one"
echo "1 passed, 0 failed"
