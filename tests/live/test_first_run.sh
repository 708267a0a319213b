# A first run on a cold cache (issue 15): `relax play` starts sounding
# before every line has been spoken (the rest are spoken while it plays),
# never leaves the device waiting for a line, and once every line is there
# plays the rest exactly as `relax render` lays it out.
# (a) the first sound arrives within 10 s of the command, counted on the
#     audio clock (frames the JACK server cycled; 3 s is the aim on an idle
#     2-core machine, a loaded one is slower);
# (b) at least one line was written to the cache after that first sound
#     (before issue 15, every line was spoken before anything played);
# (c) no underruns and no stretch of exact silence inside the sound (the
#     breath tone never stops), so the pump never starved the device;
# (d) from a little after the last line was spoken, what the device received
#     equals the render of the same session sample for sample.
source "$(dirname "$0")/lib.sh"

S="$LIVE_TMP/first-run.session"
{
    printf '[session]\nid = first-run\ntitle = "First run"\n\n'
    printf '[voice]\ntts-voice = festival:slt-hts\npace = 1\n\n'
    printf '[breath]\npattern = 2 0 3 0\nlevel = -18 dB\n\n[timeline]\n'
    printf '%s\n' \
        '0:00 fade-in 1 s' \
        '0:01 say "Welcome. Find a way of sitting that feels right for you."' \
        '+1 s say "You can move or stop whenever you like."' \
        '+1 s say "Notice the sounds around you, near and far."' \
        '+1 s say "There is nothing you need to do right now."' \
        '+1 s say "You might notice the support beneath you."' \
        '+1 s say "Let your breath move at its own pace."' \
        '+1 s say "When you are ready, let your attention widen."' \
        '+1 s say "Thank you for taking this time."' \
        '+2 s fade-out 1 s' \
        '+4 s end'
} >"$S"
lines=8

start_jack 1024
start_capture "$LIVE_TMP/cap.wav" "$LIVE_TMP/cap.info"
for ((i = 0; i < 1000; i++)); do   # bounded: the capture's clock runs before the player starts
    grep -q '^listening' "$LIVE_TMP/capture.out" 2>/dev/null && break
    sleep 0.01
done
grep -q '^listening' "$LIVE_TMP/capture.out" || fail "the capture client did not start"
rc=0
"$RELAX" play "$S" --stats >"$LIVE_TMP/play.out" 2>"$LIVE_TMP/play.err" || rc=$?
finish_capture
cat "$LIVE_TMP/play.out" "$LIVE_TMP/play.err"
[ "$rc" -eq 0 ] || fail "relax play exited $rc: $(cat "$LIVE_TMP/play.err")"

clips="$XDG_CACHE_HOME/relax/clips"
spoken=$(find "$clips" -name '*.meta' | wc -l)
[ "$spoken" -eq "$lines" ] || fail "$spoken lines in the cache after playing, expected $lines"

first_ms=$(sed -n 's/^since_open_ms //p' "$LIVE_TMP/cap.info")
first_real=$(sed -n 's/^first_real //p' "$LIVE_TMP/cap.info")
[ -n "$first_ms" ] && [ -n "$first_real" ] || fail "no first sound in the capture"
# (b) the cache entries' modification times against the first sound (both CLOCK_REALTIME)
after=0 last_ns=0
for m in "$clips"/*.wav; do   # written once, when spoken (a sidecar is rewritten at checks)
    t=$(stat -c '%.9Y' "$m" | tr -d .)
    [ "$t" -gt "$first_real" ] && after=$((after + 1))
    [ "$t" -gt "$last_ns" ] && last_ns=$t
done
note "first sound $first_ms ms after the command (audio clock); $after of $lines lines spoken after it"
awk -v f="$first_ms" 'BEGIN { exit !(f <= 10000) }' || fail "the first sound came $first_ms ms after the command"
[ "$after" -ge 1 ] || fail "every line was spoken before the first sound: playback did not start early"

# (c)
note "$(grep '^waiting for lines' "$LIVE_TMP/play.out")"
underruns=$(sed -n 's/^underruns: //p' "$LIVE_TMP/play.out")
[ "$underruns" = 0 ] || fail "underruns: '$underruns'"
"$RLX_LIVE_BIN/wav_check" stats "$LIVE_TMP/cap.wav" 100 >"$LIVE_TMP/stats.out"
if grep '^gap ' "$LIVE_TMP/stats.out"; then
    fail "silence inside the sound: the device waited"
fi

# (d) the render of the session (the cache is warm now); the capture from
# 1.5 s after the last line was spoken (the exact layout takes over within
# a poll of the control loop; the JACK clock's drift taken out)
"$RELAX" render "$S" --rate 48000 -o "$LIVE_TMP/ref.wav" >"$LIVE_TMP/render.out" 2>"$LIVE_TMP/render.err" \
    || fail "relax render failed: $(cat "$LIVE_TMP/render.err")"
drift_ms=$(sed -n 's/^drift_ms //p' "$LIVE_TMP/cap.info")
start_mono=$(sed -n 's/^start_mono //p' "$LIVE_TMP/cap.info")
first_mono=$(sed -n 's/^first_mono //p' "$LIVE_TMP/cap.info")
cut_s=$(awk -v l="$last_ns" -v fr="$first_real" -v fm="$first_mono" -v sm="$start_mono" -v d="${drift_ms:-0}" \
    'BEGIN { d = d < 0 ? 0 : d; printf "%.3f", (l - fr + fm - sm) / 1e9 + 1.5 + d / 1000 }')
cap_s=$("$RLX_LIVE_BIN/wav_check" stats "$LIVE_TMP/cap.wav" | awk '/^last / { print $2 }')
note "every line spoken $cut_s s into the capture (sound until $cap_s s); comparing from there"
awk -v c="$cut_s" -v e="$cap_s" 'BEGIN { exit !(c + 3 < e) }' \
    || fail "the lines were spoken too late to compare the exact part ($cut_s s of $cap_s s)"
sox "$LIVE_TMP/cap.wav" "$LIVE_TMP/tail.wav" trim "$cut_s"
"$RLX_LIVE_BIN/wav_check" compare "$LIVE_TMP/ref.wav" "$LIVE_TMP/tail.wav" 1e-6 100000 | tee "$LIVE_TMP/cmp.out" \
    || fail "after every line was spoken, the playback differs from the render"
echo "1 passed, 0 failed"
