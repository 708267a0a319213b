#!/usr/bin/env bash
# relax next takes --device, --length and --volume from play's option
# table: bad values are refused with play's messages before anything is
# announced, and --length reaches the rendered file where there is no
# audio device (no JACK server under this name, ALSA given an empty
# configuration); what only playing uses is noted there, and refused with
# -o.
. "$(dirname "$0")/store_common.bash"
export RELAX_NOW=$T0 JACK_DEFAULT_SERVER="relax-none-$$" JACK_NO_START_SERVER=1
: > "$W/empty-alsa.conf"
export ALSA_CONFIG_PATH="$W/empty-alsa.conf"
mkdir "$W/here" && cd "$W/here" || exit 1

run "$RELAX" next --volume loud
expect_rc 2 "--volume loud"
expect_err "relax: --volume wants decibels from -40 to 12, like -6 (got 'loud')" "--volume message"
[ ! -s "$W/out" ] || fail "--volume loud: something was announced: $OUT"

run "$RELAX" next --length
expect_rc 2 "--length without a value"
expect_err "relax: --length needs a value" "--length message"

run "$RELAX" next --length forever
expect_rc 2 "--length forever"
expect_err "--length wants a time like 1:30 or 90 s (got 'forever')" "--length message"

run "$RELAX" next --loud
expect_rc 2 "unknown option"
expect_err "unknown option or argument '--loud'" "unknown option message"

run "$RELAX" next --help
expect_rc 0 "--help"
expect_out "[--device NAME|INDEX] [--length DURATION] [--tail D] [--volume DB]" "--help names the play options"

# the test weeks last 3 s exactly: that length renders, another is refused
run "$RELAX" next --length 3 s --volume -6
expect_rc 0 "next --length 3 s --volume -6"
expect_out "No audio device found: rendered week 1 to relax-week-01.ogg instead." "render fallback"
expect_err "wrote relax-week-01.ogg (0:03, 48000 Hz)" "the rendered length"
expect_err "relax: note: no audio device, so the week goes to a file: --volume applies to playing, not to it" \
    "what the file leaves out"

# a file asked for: what only playing uses is refused, nothing written
run "$RELAX" next -o mine.ogg --volume -10 --stop-after 2 min
expect_rc 2 "next -o with playing's options"
expect_err "relax: next -o writes a file: --volume, --stop-after apply to playing; leave them out" "next -o --volume"
[ ! -e mine.ogg ] || fail "next -o --volume wrote a file"

run "$RELAX" next --length 5 min
expect_rc 2 "a length the week cannot have"
[ ! -f relax-week-01-2.ogg ] || fail "a file was written for an impossible length"
finish
