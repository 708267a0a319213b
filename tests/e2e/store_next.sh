#!/usr/bin/env bash
# relax next where there is no audio device: renders the week as Ogg Vorbis
# to the music folder (here, with no ~/Music, the current folder), says so
# and remembers it as rendered, not yet heard; the next `next` points to that
# file instead of rendering again; --any skips the wait; resuming names the
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
expect_out "No audio device found: rendered week 1 to relax-week-01.ogg instead." "render fallback"
[ "$(head -c 4 relax-week-01.ogg)" = OggS ] || fail "relax-week-01.ogg is not an Ogg file"
# a rendering is not a listen: week 1 is still to be heard, and says so
run "$RELAX" progress
grep -E "Week  1 .* rendered, not yet heard$" "$W/out" >/dev/null || fail "render not shown: $OUT"
# the next `next` knows: it points to the file instead of rendering again
run "$RELAX" next
expect_rc 0 "next after a render"
expect_out "No audio device found. Week 1 is waiting for you in relax-week-01.ogg (rendered on Monday 30 November, not heard yet)" "next knows the render"
[ -e relax-week-01-2.ogg ] && fail "week 1 rendered again"

# --any plays week 2 although it opens only in six days
listen default 1 3 3 3 1 $T0
run "$RELAX" next
expect_out "Week 2 opens on" "waiting without --any"
run "$RELAX" next --any
expect_rc 0 "next --any"
expect_out "No audio device found: rendered week 2 to relax-week-02.ogg instead." "--any renders week 2"
[ -f relax-week-02.ogg ] || fail "relax-week-02.ogg missing"

# another profile's week 1 is a file of its own, never taken for the
# default profile's (rendered, not heard yet, above)
run "$RELAX" next --profile 'eve b/2'
expect_out "rendered week 1 to relax-eve-b-2-week-01.ogg instead." "a profile's name in its file's"
run "$RELAX" next --profile 'eve b/2'
expect_out "Week 1 is waiting for you in relax-eve-b-2-week-01.ogg" "the profile's own file is waiting"
# a file the listener already has is never replaced
printf 'precious' > relax-ann-week-01.ogg
run "$RELAX" next --profile ann
expect_out "rendered week 1 to relax-ann-week-01-2.ogg instead." "a free name is chosen"
[ "$(cat relax-ann-week-01.ogg)" = precious ] || fail "next overwrote relax-ann-week-01.ogg"

# an unfinished week comes first; with no device it is rendered whole, and
# says so (resumed, on a device, 5 s before where it stopped: store_live)
crash default 3 600 125 $((T0 + 60))
run "$RELAX" next
expect_out "Week 3: Test week 03 (last time you stopped at 2:00; the file holds the whole week)" "resume message"
grep -q "Resuming" "$W/out" && fail "a render said it resumes: $(cat "$W/out")"

# the week's file broke since: an error, not an announcement
sed -i 's/^0:02  fade-out 1 s$/0:02  fade-ot 1 s/' "$RELAX_SESSIONS/week-03.session"
run "$RELAX" next
expect_rc 3 "broken week"
[ ! -s "$W/out" ] || fail "broken week announced: $OUT"
expect_err "week-03.session:" "broken week: the parser's error"
expect_err "relax: week 3 cannot be played until $RELAX_SESSIONS/week-03.session is fixed (relax check shows why)" "broken week"
finish
