# The length keys through a pseudo-terminal: '<' and '>' change the length
# while playing; what the device buffer holds is heard, each change is a
# crossfade without a click, nothing is replayed or skipped (the audio heard
# is the final layout's length), and the status line shows each new length
# once it is heard. Then the profile remembers the --length given on the
# command line: a second `relax play` without it plays that length.
source "$(dirname "$0")/lib.sh"

# A loud breath tone (peak 0.5): its natural step stays below 0.014 per
# sample; a cut between two layouts (the tone at another phase) jumps by up
# to 1.
STEP_MAX=0.025
S="$LIVE_TMP/live-len.session"
cat >"$S" <<'SESSION'
[session]
id = live-len
title = "Length keys"

[breath]
pattern = 2 0 3 0
level = -6 dB
rest = 0 dB

[timeline]
0:00 fade-in 500 ms
0:01 silence 4 s .. 3 min
+0 s silence 4 s .. 3 min
+0 s fade-out 1 s
+1 s end
SESSION
"$RELAX" render "$S" --rate 48000 -o "$LIVE_TMP/warm.wav" >/dev/null 2>&1 || fail "relax render failed"

start_jack 1024 rt

# --length 20 s (A 1-10 s, B 10-19 s); '<' goes to the shortest, 0:10 (A
# 1-5, B 5-9); '>' in B to 5:10 (B from 2:31: the tone is elsewhere in its
# breath there) and '<' back to 0:10; the session then ends at 0:10.
note "play --length 20 s, then < > <"
start_capture "$LIVE_TMP/cap1.wav"
rc=0
"$RLX_LIVE_BIN/pty_drive" -t 90 -l "$LIVE_TMP/tty1.log" \
    'wait:Length keys' after:1500 'key:<' 'wait:/ 0:10' 'wait:0:06 / 0:10' 'key:>' 'wait:/ 5:10' \
    after:500 'key:<' \
    -- "$RELAX" play "$S" --length 20 s --profile anna >"$LIVE_TMP/len1.out" 2>"$LIVE_TMP/len1.err" || rc=$?
finish_capture
[ "$rc" -eq 0 ] || fail "relax play under a terminal exited $rc ($(cat "$LIVE_TMP/len1.err")); the terminal's last lines: $(tr '\r' '\n' <"$LIVE_TMP/tty1.log" | tail -c 600)"
grep -qa 'length 0 min\|as short as it can be' "$LIVE_TMP/tty1.log" || fail "no note for '<'"
# (the note for '>' differs from the one for '<' in one character: the
# full-screen view redraws only that, so it is not looked for as text; the
# status line's "/ 5:10" above shows that '>' was taken)
"$RLX_LIVE_BIN/wav_check" stats "$LIVE_TMP/cap1.wav" 500 40 | tee "$LIVE_TMP/stats1.out"
maxstep=$(sed -n 's/^maxstep //p' "$LIVE_TMP/stats1.out")
awk -v s="$maxstep" -v m="$STEP_MAX" 'BEGIN { exit !(s <= m) }' || fail "largest step $maxstep (a click)"
grep -q '^gap ' "$LIVE_TMP/stats1.out" && fail "a silence in the middle: $(grep '^gap ' "$LIVE_TMP/stats1.out")"
first=$(sed -n 's/^first //p' "$LIVE_TMP/stats1.out")
last=$(sed -n 's/^last //p' "$LIVE_TMP/stats1.out")
heard=$(awk -v a="$first" -v b="$last" 'BEGIN { printf "%.2f", b - a }')
note "audio heard $heard s (the final layout is 10 s)"
# nothing replayed, nothing skipped: 10 s (a dropped buffer would be short
# of a second per change, a replay longer)
awk -v s="$heard" 'BEGIN { exit !(s >= 9.5 && s <= 10.5) }' || fail "$heard s heard, want 10"

note "the profile remembers --length 20 s: play without it, then q"
rc=0
"$RLX_LIVE_BIN/pty_drive" -t 60 -l "$LIVE_TMP/tty2.log" \
    'wait:/ 0:20' after:300 'key:q' \
    -- "$RELAX" play "$S" --profile anna >"$LIVE_TMP/len2.out" 2>"$LIVE_TMP/len2.err" || rc=$?
[ "$rc" -eq 0 ] || fail "the second play exited $rc ($(cat "$LIVE_TMP/len2.err"))"
"$RELAX" profiles >"$LIVE_TMP/profiles.out" || fail "relax profiles failed"
grep -q '^anna .* 0:20 ' "$LIVE_TMP/profiles.out" || fail "profiles: $(cat "$LIVE_TMP/profiles.out")"
echo "1 passed, 0 failed"
