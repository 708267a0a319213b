# The full-screen player on a pseudo-terminal (TERM=xterm-256color): it
# enters the alternate screen with the title, the week and the caption; '?'
# shows every key; a resize redraws at the new width (the caption re-wrapped,
# the key line shortened); q while paused leaves the alternate screen,
# shows the cursor again and prints where it stopped and how to go on; so
# does SIGTERM. Every step waits for the screen's text (bounded), not time.
source "$(dirname "$0")/lib.sh"

# week 1 of a program of two (the user's own sessions folder), so that the
# stop line can name `relax next`
export RELAX_SESSIONS="$LIVE_TMP/sessions" RELAX_PROGRAM="$LIVE_TMP/sessions/test.program"
mkdir -p "$RELAX_SESSIONS"
printf '[program]\nid = tui-test\ntitle = "TUI test"\nwait = 0 days\n\n[sessions]\nweek-01.session\nweek-02.session\n' \
    >"$RELAX_PROGRAM"
write_session "$RELAX_SESSIONS/week-02.session" week-02 "Week two" "-12 dB" '0:00 fade-in 1 s' '0:02 fade-out 1 s' '0:03 end'
printf 'week = 2\n' >>"$RELAX_SESSIONS/week-02.session"
S="$RELAX_SESSIONS/week-01.session"
cat >"$S" <<'SESSION'
[session]
id = week-01
title = "Screen test"
week = 1

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
sed 's/^id = week-01$/id = outside/; /^week = /d' "$S" >"$LIVE_TMP/outside.session"

export TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR
smcup=$(tput smcup) rmcup=$(tput rmcup) cnorm=$(tput cnorm) civis=$(tput civis) sgr0=$(tput sgr0)
[ -n "$smcup" ] && [ -n "$rmcup" ] || fail "no terminfo entry for $TERM (ncurses-base)"

start_jack 1024

note "full screen: title, caption, the remote's URL and QR, ? help, resize to 60x20, seek, pause, q"
rc=0
"$RLX_LIVE_BIN/pty_drive" -t 60 -l "$LIVE_TMP/tty1.log" \
    'wait:Screen test · week 1' 'wait:Settle in, and let the shoulders soften, as much as feels right today.' \
    'wait:remote http://127.0.0.1:' 'mark' 'size:130x45' 'wait:Settle in' 'key:?' 'wait:fade out and stop (Ctrl-C too)' 'key:?' \
    'size:60x20' 'wait:+/- volume · ? keys · q stop' "wait:as much as$sgr0" \
    'key:\e[C' 'wait:  0:1' 'key: ' 'wait:‖ paused' 'key:q' \
    -- "$RELAX" play week-01 --profile tui-test --remote-listen 127.0.0.1:0 \
    >"$LIVE_TMP/tty1.out" 2>"$LIVE_TMP/tty1.err" || rc=$?
[ "$rc" -eq 0 ] || fail "q: exit $rc, want 0"
log1=$(cat -v "$LIVE_TMP/tty1.log")
grep -qaF "$smcup" "$LIVE_TMP/tty1.log" || fail "the alternate screen was not entered"
grep -qaF "$civis" "$LIVE_TMP/tty1.log" || fail "the cursor was not hidden"
# at 130x45 the remote's QR code is drawn beside the guide: its quiet zone is
# a run of full blocks (the one printed before the screen is left out)
awk -v RS='\x01' -v m="$smcup" '{ i = index($0, m); if (i) print substr($0, i) }' "$LIVE_TMP/tty1.log" |
    grep -qa '██████████████████████████████' || fail "no QR code on the large screen"
# after the last frame: the main screen back, the cursor shown, then the stop line
tail1=$(awk -v RS='\x01' -v m="$rmcup" '{ i = index($0, m); if (i) print substr($0, i) }' "$LIVE_TMP/tty1.log")
[ -n "$tail1" ] || fail "the alternate screen was not left: $(tail -c 300 "$LIVE_TMP/tty1.log" | cat -v)"
case "$tail1" in *"$cnorm"*) ;; *) fail "the cursor was not shown again" ;; esac
stop=$(printf '%s' "$tail1" | tr -d '\r' | grep -ao 'relax: stopped at.*' || true)
note "stop line: $stop"
# the week of the program this profile is in: `relax next` resumes it, 5 s back
[[ "$stop" =~ ^relax:\ stopped\ at\ 0:(1[5-9]|2[0-9])\ of\ 0:[45][0-9]\.\ \'relax\ next\ --profile\ tui-test\'\ resumes\ at\ (0:1[0-9]|0:2[0-4])\.$ ]] ||
    fail "stop line: '$stop'"
resume_at=${BASH_REMATCH[2]}
back=$((10#${BASH_REMATCH[1]#0:} - 10#${resume_at#0:}))
[ "$back" -ge 4 ] && [ "$back" -le 6 ] || fail "resumes $back s before the stop, want 5"

note "relax next says the same: resuming at $resume_at"
rc=0
"$RLX_LIVE_BIN/pty_drive" -t 60 -l "$LIVE_TMP/tty3.log" \
    'wait:Screen test · week 1' 'key:q' \
    -- "$RELAX" next --profile tui-test >"$LIVE_TMP/tty3.out" 2>"$LIVE_TMP/tty3.err" || rc=$?
[ "$rc" -eq 0 ] || fail "relax next: exit $rc"
grep -qa "Resuming week 1, Screen test, at $resume_at of " "$LIVE_TMP/tty3.log" ||
    fail "relax next did not resume at $resume_at: $(grep -a Resuming "$LIVE_TMP/tty3.log")"
printf '%s' "$tail1" | grep -qa 'Settle in' && fail "the screen's text was printed after leaving it"
[ -z "$log1" ] && fail "empty log"

note "a stop (SIGTSTP) gives the terminal back, SIGCONT takes it again; SIGTERM restores it; outside the program: play --from"
rc=0
"$RLX_LIVE_BIN/pty_drive" -t 60 -l "$LIVE_TMP/tty2.log" \
    'wait:Settle in' 'mark' 'sig:TSTP' "wait:$rmcup" 'stopped' 'mark' 'sig:CONT' "wait:$smcup" 'wait:Settle in' \
    'sig:TERM' \
    -- "$RELAX" play "$LIVE_TMP/outside.session" >"$LIVE_TMP/tty2.out" 2>"$LIVE_TMP/tty2.err" || rc=$?
[ "$rc" -eq 130 ] || fail "SIGTERM: exit $rc, want 130"
tail2=$(awk -v RS='\x01' -v m="$rmcup" '{ i = index($0, m); if (i) print substr($0, i) }' "$LIVE_TMP/tty2.log")
[ -n "$tail2" ] || fail "SIGTERM: the alternate screen was not left"
case "$tail2" in *"$cnorm"*) ;; *) fail "SIGTERM: the cursor was not shown again" ;; esac
stop=$(printf '%s' "$tail2" | tr -d '\r' | grep -ao 'relax: stopped at.*' || true)
want="relax: stopped at 0:0[0-9] of 0:[45][0-9]\\. 'relax play $LIVE_TMP/outside\\.session --from 0:0[0-9]' goes on from there\\."
[[ "$stop" =~ ^$want$ ]] || fail "SIGTERM: stop line '$stop'"
note "the device lost (the JACK server killed): the terminal back, then the message"
"$RLX_LIVE_BIN/pty_drive" -t 60 -l "$LIVE_TMP/tty4.log" 'wait:Settle in' \
    -- "$RELAX" play "$LIVE_TMP/outside.session" >"$LIVE_TMP/tty4.out" 2>"$LIVE_TMP/tty4.err" &
DRIVE_PID=$!
LIVE_PIDS+=("$DRIVE_PID")
for ((i = 0; i < 3000; i++)); do   # bounded: about 30 s
    grep -qa 'Settle in' "$LIVE_TMP/tty4.log" 2>/dev/null && break
    kill -0 "$DRIVE_PID" 2>/dev/null || break
    sleep 0.01
done
grep -qa 'Settle in' "$LIVE_TMP/tty4.log" || fail "device lost: the player never showed the caption"
kill_jack_hard
rc=0
wait "$DRIVE_PID" || rc=$?
[ "$rc" -eq 7 ] || fail "device lost: exit $rc, want 7"
tail4=$(awk -v RS='\x01' -v m="$rmcup" '{ i = index($0, m); if (i) print substr($0, i) }' "$LIVE_TMP/tty4.log")
[ -n "$tail4" ] || fail "device lost: the alternate screen was not left"
case "$tail4" in *"$cnorm"*"relax: audio device lost"*) ;; *) fail "device lost: cursor or message missing: $(printf '%s' "$tail4" | cat -v)" ;; esac

echo "1 passed, 0 failed"
