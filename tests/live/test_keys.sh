# (c) keys through a pseudo-terminal: pause/resume and seek, then Ctrl-C.
# The capture must be silent while paused, every transition must be a ramp
# (bounded sample-to-sample step), the seek must skip audio, and Ctrl-C must
# fade out, restore the terminal and exit 130.
source "$(dirname "$0")/lib.sh"

# A loud, pure breath tone (peak 0.5, ~174-207 Hz): its natural step is
# below 0.014 per sample, while a hard cut would jump by up to 0.5.
STEP_MAX=0.025
S="$LIVE_TMP/live-keys.session"
write_session "$S" live-keys "Key test" "-6 dB" \
    '0:00 fade-in 500 ms' \
    '0:29 fade-out 1 s' \
    '0:30 end'
"$RELAX" render "$S" --rate 48000 -o "$LIVE_TMP/warm.wav" >/dev/null 2>&1 || fail "relax render failed"

start_jack 1024 rt

note "pause 1.2 s, resume, seek +15 s, play to the end"
start_capture "$LIVE_TMP/cap1.wav"
rc=0
"$RLX_LIVE_BIN/pty_drive" -t 90 -l "$LIVE_TMP/tty1.log" \
    'wait:Key test' after:2000 'key: ' after:1200 'key: ' after:2000 'key:\e[C' \
    -- "$RELAX" play "$S" >"$LIVE_TMP/keys1.out" 2>"$LIVE_TMP/keys1.err" || rc=$?
finish_capture
[ "$rc" -eq 0 ] || fail "relax play under a terminal exited $rc"
"$RLX_LIVE_BIN/wav_check" stats "$LIVE_TMP/cap1.wav" 500 40 | tee "$LIVE_TMP/stats1.out"
gaps=$(grep -c '^gap ' "$LIVE_TMP/stats1.out" || true)
[ "$gaps" -eq 1 ] || fail "want exactly one long silence (the pause), got $gaps"
read -r _ gap_start gap_ms gap_step < <(grep '^gap ' "$LIVE_TMP/stats1.out")
# The keys are 1.2 s apart on the wall clock; on a loaded machine the dummy
# server's clock can lag, so the bounds are loose: silent while paused, and
# sound again after the resume.
awk -v g="$gap_ms" 'BEGIN { exit !(g >= 500 && g <= 1500) }' || fail "pause silence lasted $gap_ms ms, want about 1180"
awk -v s="$gap_step" -v m="$STEP_MAX" 'BEGIN { exit !(s <= m) }' || fail "step $gap_step at pause/resume"
maxstep=$(sed -n 's/^maxstep //p' "$LIVE_TMP/stats1.out")
awk -v s="$maxstep" -v m="$STEP_MAX" 'BEGIN { exit !(s <= m) }' || fail "largest step $maxstep (a click)"
first=$(sed -n 's/^first //p' "$LIVE_TMP/stats1.out")
last=$(sed -n 's/^last //p' "$LIVE_TMP/stats1.out")
# audio heard = 30 s - 15 s skipped (+ the pause); without the seek it would be 30 s
heard=$(awk -v a="$first" -v b="$last" -v g="$gap_ms" 'BEGIN { printf "%.2f", b - a - g / 1000 }')
note "audio heard $heard s (30 s session, 15 s skipped)"
awk -v s="$heard" 'BEGIN { exit !(s >= 13.5 && s <= 16) }' || fail "$heard s heard: the seek did not skip 15 s"
grep -q $'\e\\[?25h' "$LIVE_TMP/tty1.log" || fail "the cursor was not shown again"

note "Ctrl-C: fade, restore the terminal, exit 130"
start_capture "$LIVE_TMP/cap2.wav"
rc=0
"$RLX_LIVE_BIN/pty_drive" -t 60 -l "$LIVE_TMP/tty2.log" \
    'wait:Key test' after:1500 "key:"$'\x03' \
    -- "$RELAX" play "$S" >"$LIVE_TMP/keys2.out" 2>"$LIVE_TMP/keys2.err" || rc=$?
finish_capture
[ "$rc" -eq 130 ] || fail "Ctrl-C: exit $rc, want 130"
"$RLX_LIVE_BIN/wav_check" stats "$LIVE_TMP/cap2.wav" 500 40 | tee "$LIVE_TMP/stats2.out"
maxstep=$(sed -n 's/^maxstep //p' "$LIVE_TMP/stats2.out")
awk -v s="$maxstep" -v m="$STEP_MAX" 'BEGIN { exit !(s <= m) }' || fail "largest step $maxstep (the stop clicked)"
grep -q $'\e\\[?25h' "$LIVE_TMP/tty2.log" || fail "the cursor was not shown again after Ctrl-C"
grep -qa 'relax: stopped at 0:0[0-9] of ' "$LIVE_TMP/tty2.log" || fail "Ctrl-C on a terminal: no 'stopped at' line"
echo "1 passed, 0 failed"
