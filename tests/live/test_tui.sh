# The full-screen player on a pseudo-terminal (TERM=xterm-256color): it
# enters the alternate screen with the title, the week and the caption; '?'
# shows every key; a resize redraws at the new width (the caption re-wrapped,
# the key line shortened); q while paused leaves the alternate screen,
# shows the cursor again and prints where it stopped and how to go on; so
# does SIGTERM. Every step waits for the screen's text (bounded), not time.
source "$(dirname "$0")/lib.sh"

S="$LIVE_TMP/live-tui.session"
cat >"$S" <<'SESSION'
[session]
id = live-tui
title = "Screen test"
week = 2

[breath]
pattern = 2 0 3 0
level = -12 dB

[timeline]
0:00    fade-in 500 ms
0:00.3  say "Settle in, and let the shoulders soften, as much as feels right today."
+1 s    silence 40 s
+0 s    say "Gently come back."
+2 s    fade-out 1 s
+3 s    end
SESSION
"$RELAX" render "$S" --rate 48000 -o "$LIVE_TMP/warm.wav" >/dev/null 2>&1 || fail "relax render failed"

export TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR
smcup=$(tput smcup) rmcup=$(tput rmcup) cnorm=$(tput cnorm) civis=$(tput civis)
[ -n "$smcup" ] && [ -n "$rmcup" ] || fail "no terminfo entry for $TERM (ncurses-base)"

start_jack 1024

note "full screen: title, caption, ? help, resize to 60x20, pause, q"
rc=0
"$RLX_LIVE_BIN/pty_drive" -t 60 -l "$LIVE_TMP/tty1.log" \
    'wait:Screen test · week 2' 'wait:Settle in, and let the shoulders soften, as much as feels right today.' \
    'key:?' 'wait:fade out and stop (Ctrl-C too)' 'key:?' \
    'size:60x20' 'wait:+/- volume · ? keys · q stop' 'wait:as much as\e(B\e[m' \
    'key: ' 'wait:‖ paused' 'key:q' \
    -- "$RELAX" play "$S" --profile tui-test >"$LIVE_TMP/tty1.out" 2>"$LIVE_TMP/tty1.err" || rc=$?
[ "$rc" -eq 0 ] || fail "q: exit $rc, want 0"
log1=$(cat -v "$LIVE_TMP/tty1.log")
grep -qaF "$smcup" "$LIVE_TMP/tty1.log" || fail "the alternate screen was not entered"
grep -qaF "$civis" "$LIVE_TMP/tty1.log" || fail "the cursor was not hidden"
# after the last frame: the main screen back, the cursor shown, then the stop line
tail1=$(awk -v RS='\x01' -v m="$rmcup" '{ i = index($0, m); if (i) print substr($0, i) }' "$LIVE_TMP/tty1.log")
[ -n "$tail1" ] || fail "the alternate screen was not left: $(tail -c 300 "$LIVE_TMP/tty1.log" | cat -v)"
case "$tail1" in *"$cnorm"*) ;; *) fail "the cursor was not shown again" ;; esac
stop=$(printf '%s' "$tail1" | tr -d '\r' | grep -ao 'relax: stopped at.*' || true)
note "stop line: $stop"
# not a week of the program: `relax next` would not resume it, `play --from` does
want="relax: stopped at 0:0[0-9] of 0:[45][0-9]\\. 'relax play $S --from 0:0[0-9] --profile tui-test' goes on from there\\."
[[ "$stop" =~ ^$want$ ]] || fail "stop line: '$stop'"
printf '%s' "$tail1" | grep -qa 'Settle in' && fail "the screen's text was printed after leaving it"
[ -z "$log1" ] && fail "empty log"

note "SIGTERM restores the terminal"
rc=0
"$RLX_LIVE_BIN/pty_drive" -t 60 -l "$LIVE_TMP/tty2.log" \
    'wait:Settle in' 'sig:TERM' \
    -- "$RELAX" play "$S" >"$LIVE_TMP/tty2.out" 2>"$LIVE_TMP/tty2.err" || rc=$?
[ "$rc" -eq 130 ] || fail "SIGTERM: exit $rc, want 130"
tail2=$(awk -v RS='\x01' -v m="$rmcup" '{ i = index($0, m); if (i) print substr($0, i) }' "$LIVE_TMP/tty2.log")
[ -n "$tail2" ] || fail "SIGTERM: the alternate screen was not left"
case "$tail2" in *"$cnorm"*) ;; *) fail "SIGTERM: the cursor was not shown again" ;; esac
printf '%s' "$tail2" | tr -d '\r' | grep -qa 'relax: stopped at 0:[0-9][0-9] of 0:[45][0-9]\. ' || fail "SIGTERM: no stop line"
echo "1 passed, 0 failed"
