#!/usr/bin/env bash
# relax next where there is no audio device: renders the week to week-NN.wav
# in the current folder and says so; --any skips the wait; resuming names the
# point it resumes from; a week whose file has broken since is refused
# before it is announced. No device: no JACK server under this name, and
# ALSA given an empty configuration so a sound card stays out of sight.
. "$(dirname "$0")/store_common.bash"
export RELAX_NOW=$T0 JACK_DEFAULT_SERVER="relax-none-$$" JACK_NO_START_SERVER=1
: > "$W/empty-alsa.conf"
export ALSA_CONFIG_PATH="$W/empty-alsa.conf"
mkdir "$W/here" && cd "$W/here" || exit 1

run "$RELAX" next
expect_rc 0 "next, fresh"
expect_out "Week 1: Test week 01" "next announces week 1"
expect_out "No audio device found: rendered week 1 to week-01.wav instead." "render fallback"
[ "$(head -c 4 week-01.wav)" = RIFF ] || fail "week-01.wav is not a WAV file"
# a rendering is not a listen: week 1 is still open
run "$RELAX" progress
grep -E "Week  1 .* open$" "$W/out" >/dev/null || fail "render counted as a listen: $OUT"

# --any plays week 2 although it opens only in six days
listen default 1 3 3 3 1 $T0
run "$RELAX" next
expect_out "Week 2 opens on" "waiting without --any"
run "$RELAX" next --any
expect_rc 0 "next --any"
expect_out "No audio device found: rendered week 2 to week-02.wav instead." "--any renders week 2"
[ -f week-02.wav ] || fail "week-02.wav missing"

# a file the listener already has is never replaced
printf 'precious' > week-02.wav
run "$RELAX" next --any
expect_out "rendered week 2 to week-02-2.wav instead." "a free name is chosen"
[ "$(cat week-02.wav)" = precious ] || fail "next overwrote week-02.wav"

# an unfinished week is resumed first, 5 s before where it stopped
crash default 3 600 125 $((T0 + 60))
run "$RELAX" next
expect_out "Resuming week 3, Test week 03, at 2:00 of 10:00." "resume message"

# the week's file broke since: an error, not an announcement
sed -i 's/^0:02  fade-out 1 s$/0:02  fade-ot 1 s/' "$RELAX_SESSIONS/week-03.session"
run "$RELAX" next
expect_rc 3 "broken week"
[ ! -s "$W/out" ] || fail "broken week announced: $OUT"
expect_err "week-03.session:" "broken week: the parser's error"
expect_err "relax: week 3 cannot be played until $RELAX_SESSIONS/week-03.session is fixed (relax check shows why)" "broken week"
finish
