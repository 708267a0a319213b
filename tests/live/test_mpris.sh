# MPRIS through a private D-Bus session bus: `playerctl` sees a playing
# `relax play` (status, title, length, position), pauses and resumes it,
# skips to the next spoken line, sets the volume and stops it (fade, exit 0);
# the remote's /api/status confirms each step from the player's side.
# Without a session bus, relax plays as ever and says nothing about it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/remote_lib.sh"
command -v dbus-daemon >/dev/null || fail "dbus-daemon is missing: run .ci/install-deps"
command -v playerctl >/dev/null || fail "playerctl is missing: run .ci/install-deps"

BUS="$LIVE_TMP/bus"
mkdir -p "$BUS"
dbus-daemon --session --nofork --nopidfile --address="unix:path=$BUS/socket" >"$LIVE_TMP/dbus.out" 2>&1 &
LIVE_PIDS+=("$!")
for ((i = 0; i < 500; i++)); do [ -S "$BUS/socket" ] && break; sleep 0.01; done
[ -S "$BUS/socket" ] || fail "the private dbus-daemon did not start"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$BUS/socket"

api_status() {   # FIELD -> its value in /api/status
    node --input-type=module -e "
import { parseRemote, status } from '$NODE_DIR/lib.mjs';
const s = await status(parseRemote(process.argv[1]));
console.log(typeof s[process.argv[2]] === 'object' ? JSON.stringify(s[process.argv[2]]) : s[process.argv[2]]);
" "$REMOTE_URL" "$1"
}
pc() { timeout 10 playerctl -p relax "$@" 2>/dev/null; }
# conditions for wait_for, evaluated afresh each time
status_is() { [ "$(pc status)" = "$1" ]; }
position_over() { awk -v p="$(api_status position_ms)" -v m="$1" 'BEGIN { exit !(p > m) }'; }
volume_near() { awk -v v="$(api_status volume_db)" -v w="$1" 'BEGIN { exit !(v > w - 0.1 && v < w + 0.1) }'; }
# wait_for DESCRIPTION COMMAND...: until the command succeeds (bounded, ~20 s)
wait_for() {
    local what=$1 i
    shift
    for ((i = 0; i < 400; i++)); do
        "$@" && return 0
        sleep 0.05
    done
    fail "timed out waiting for $what"
}

S="$LIVE_TMP/remote-test.session"
remote_session "$S"
start_jack 1024 rt
start_capture "$LIVE_TMP/cap.wav"
start_remote_play "$S" --length 2 min

wait_for "MPRIS status Playing" status_is Playing
title=$(pc metadata xesam:title)
[ "$title" = 'Remote <b>test</b> & "quotes"' ] || fail "MPRIS title '$title'"
len=$(pc metadata mpris:length)
[ "$len" = 120000000 ] || fail "MPRIS length $len, want 120000000 (2 min)"
intro=$(timeout 10 busctl --user introspect org.mpris.MediaPlayer2.relax /org/mpris/MediaPlayer2 2>&1 || true)
grep -q '^org.mpris.MediaPlayer2.Player ' <<<"$intro" || fail "busctl does not see the Player interface: $intro"

note "pause and play"
pc pause || fail "playerctl pause failed"
wait_for "Paused" status_is Paused
[ "$(api_status state)" = paused ] || fail "the player is not paused after playerctl pause"
p1=$(pc position)
pc play || fail "playerctl play failed"
wait_for "Playing again" status_is Playing
[ "$(api_status state)" = playing ] || fail "the player is not playing after playerctl play"

note "next line, volume"
# past the first line ("Welcome." at 0.5 s), so the next one is the last
wait_for "2 s played" position_over 2000
pc next || fail "playerctl next failed"
wait_for "the next line" position_over 60000
pc volume 0.5 || fail "playerctl volume failed"
wait_for "-6 dB" volume_near -6.02
note "position after pause $p1 s, after next $(pc position) s, volume $(api_status volume_db) dB"

note "stop"
pc stop || fail "playerctl stop failed"
finish_remote_play
finish_capture
[ "$PLAY_RC" -eq 0 ] || fail "relax play exited $PLAY_RC after playerctl stop"
grep -q 'relax: stopped at' "$LIVE_TMP/play.err" || fail "no 'stopped at' line after playerctl stop"
[ "$(play_underruns)" = 0 ] || fail "underruns: $(play_underruns)"

note "no session bus: plays as ever, nothing said"
unset DBUS_SESSION_BUS_ADDRESS
export XDG_RUNTIME_DIR="$LIVE_TMP/no-runtime"
start_remote_play "$S"
node --input-type=module -e "
import { api, fail, parseRemote, waitStatus } from '$NODE_DIR/lib.mjs';
const r = parseRemote(process.argv[1]);
await waitStatus(r, 'playing', (s) => s.state === 'playing', 60000);
const res = await api(r, 'POST', '/api/stop');
if (res.status !== 200) fail('stop: ' + res.status);
" "$REMOTE_URL" || fail "no bus: the remote could not stop the session"
finish_remote_play
[ "$PLAY_RC" -eq 0 ] || fail "without a session bus relax play exited $PLAY_RC"
if grep -iq 'bus\|mpris' "$LIVE_TMP/play.err"; then fail "without a session bus relax said: $(cat "$LIVE_TMP/play.err")"; fi
echo "1 passed, 0 failed"
