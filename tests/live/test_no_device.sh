# (e) no device at all (no JACK server under our name, no sound card):
# one line of message, exit 6, no PortAudio/ALSA/JACK chatter.
# ALSA gets an empty configuration, so any sound card of the machine is out
# of sight; PortAudio 19.6 aborts its ALSA scan on such a configuration,
# which relax must survive (it counts as no audio system).
source "$(dirname "$0")/lib.sh"

export JACK_DEFAULT_SERVER="relax-none-$$"
: > "$LIVE_TMP/empty-alsa.conf"
export ALSA_CONFIG_PATH="$LIVE_TMP/empty-alsa.conf"
"$RELAX" devices >"$LIVE_TMP/devices.out" 2>"$LIVE_TMP/devices.err" || fail "relax devices: exit $?"
grep -q '^no audio output devices found' "$LIVE_TMP/devices.out" \
    || fail "relax devices found a device: $(cat "$LIVE_TMP/devices.out")"
[ ! -s "$LIVE_TMP/devices.err" ] || fail "relax devices printed on stderr: $(cat "$LIVE_TMP/devices.err")"

S="$LIVE_TMP/live-none.session"
write_session "$S" live-none "Live none" "-18 dB" '0:00 say "Hello."' '0:05 end'
rc=0
"$RELAX" play "$S" >"$LIVE_TMP/play.out" 2>"$LIVE_TMP/play.err" || rc=$?
[ "$rc" -eq 6 ] || fail "exit $rc, want 6"
[ "$(wc -l <"$LIVE_TMP/play.err")" -eq 1 ] || fail "want one line on stderr, got: $(cat "$LIVE_TMP/play.err")"
grep -qxF "relax: no audio output device found; to listen later, render it: relax render $S -o live-none.ogg" "$LIVE_TMP/play.err" \
    || fail "message: $(cat "$LIVE_TMP/play.err")"
# the render it suggests is the listen asked for: length, tail, bed
S2="$LIVE_TMP/live-long.session"
write_session "$S2" live-long "Live long" "-18 dB" '0:00 say "Hello."' '+0 s silence 1 s .. 3 min' '+0 s end'
"$RELAX" play "$S2" --length "1 min" --tail "20 s" --bed rain >/dev/null 2>"$LIVE_TMP/play3.err" || true
grep -qxF "relax: no audio output device found; to listen later, render it: relax render $S2 -o live-long.ogg --length 1:00 --tail 0:20 --bed rain" \
    "$LIVE_TMP/play3.err" || fail "message with options: $(cat "$LIVE_TMP/play3.err")"
[ ! -s "$LIVE_TMP/play.out" ] || fail "stdout not empty"

rc=0
"$RELAX" play "$S" --device nosuchcard >/dev/null 2>"$LIVE_TMP/play2.err" || rc=$?
[ "$rc" -eq 6 ] || fail "--device nosuchcard: exit $rc, want 6"
echo "1 passed, 0 failed"
