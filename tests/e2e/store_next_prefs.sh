#!/usr/bin/env bash
# A profile remembers the --length and --bed it last chose on next (and
# play): `relax next --profile anna` then renders (no audio device here) or
# plays Anna's length with her bed; an explicit --length wins; a remembered
# length a week cannot have is brought into its range with a one-line note;
# `relax profiles` shows them; --bed names the shipped beds when it does not
# know the one asked for. The weeks stretch from 3 s to 22 s.
. "$(dirname "$0")/store_common.bash"
export RELAX_NOW=$T0 JACK_DEFAULT_SERVER="relax-none-$$" JACK_NO_START_SERVER=1
: > "$W/empty-alsa.conf"
export ALSA_CONFIG_PATH="$W/empty-alsa.conf"
mkdir "$W/here" && cd "$W/here" || exit 1
stretchy() {   # stretchy N MAX_S: week N, 3 s natural, up to MAX_S
    cat > "$RELAX_SESSIONS/week-$1.session" <<SESSION
[session]
id    = week-$1
title = "Test week $1"
week  = $((10#$1))

[timeline]
0:00  fade-in 1 s
0:01  silence 1 s .. $(($2 - 2)) s
+0 s  fade-out 1 s
+1 s  end
SESSION
}
for n in 01 02 03 04 05 06 07 08 09 10; do stretchy $n 22; done

run "$RELAX" next --profile anna --bed waves
expect_rc 2 "an unknown bed"
expect_err "relax: --bed: no bed named 'waves'; choose one of: rain, shore, off, session" "the choices"
run "$RELAX" render week-01 --bed ../chime -o x.wav
expect_rc 2 "a bed is a name, not a path"
expect_err "relax: --bed: no bed named '../chime' (a bed is named without its folder and extension); choose one of: rain, shore, off, session" \
    "a path as a bed: what a bed's name is, and the choices"
[ ! -e x.wav ] || fail "a file was written for an unknown bed"

# chosen once: rendered at that length with that bed, and remembered
run "$RELAX" next --profile anna --length 10 s --bed rain -o one.wav
expect_rc 0 "next --length 10 s --bed rain"
expect_err "wrote one.wav (0:10, 48000 Hz)" "the length asked for"
run "$RELAX" render week-01 --length 10 s --bed rain -o ref-rain.wav
expect_rc 0 "render --bed rain"
cmp -s one.wav ref-rain.wav || fail "next --bed rain is not the render with --bed rain"
run "$RELAX" render week-01 --length 10 s -o ref-own.wav
cmp -s ref-own.wav ref-rain.wav && fail "--bed rain made no difference"
run "$RELAX" profiles
expect_out "LENGTH    BED" "profiles has the columns"
expect_out "0:10      rain" "profiles shows anna's length and bed"

# not given: the remembered ones
run "$RELAX" next --profile anna -o two.wav
expect_rc 0 "next with the remembered length and bed"
expect_err "wrote two.wav (0:10, 48000 Hz)" "the remembered length"
cmp -s two.wav ref-rain.wav || fail "the remembered bed was not used"
# another profile has its own (none)
run "$RELAX" next --profile zoe -o zoe.wav
expect_err "wrote zoe.wav (0:03, 48000 Hz)" "zoe: the natural length"

# an explicit --length wins, and is remembered; the bed stays
run "$RELAX" next --profile anna --length 20 s -o three.wav
expect_err "wrote three.wav (0:20, 48000 Hz)" "an explicit --length wins"
run "$RELAX" profiles
expect_out "0:20      rain" "the new length remembered, the bed kept"

# the week has become shorter: brought into its range, with a note
stretchy 01 7
run "$RELAX" next --profile anna -o four.wav
expect_rc 0 "a remembered length out of range"
expect_err "note: the remembered length 0:20 is outside what week-01 allows (0:03 to 0:07): rendering 0:07" \
    "the one-line note"
expect_err "wrote four.wav (0:07, 48000 Hz)" "the nearest length that works"
[ "$(grep -c . "$W/err")" -eq 2 ] || fail "more than the note and the result on stderr: $ERR"
# the listen records the length rendered, not the one remembered
run "$RELAX" history --profile anna --csv
expect_rc 0 "history"
[ "$(awk -F, 'NR > 1 { last = $5 } END { print last }' "$W/out")" = 7000 ] ||
    fail "the rendered listen does not record 7000 ms: $OUT"

# --length natural and --bed session forget them
run "$RELAX" next --profile anna --length natural --bed session -o five.wav
expect_rc 0 "--length natural --bed session"
expect_err "wrote five.wav (0:03, 48000 Hz)" "natural"
run "$RELAX" profiles
grep -q LENGTH "$W/out" && fail "forgotten, yet profiles shows a LENGTH column: $OUT"
# zoe's bed only: anna's length shows as natural
run "$RELAX" next --profile zoe --bed shore -o zoe2.wav
run "$RELAX" profiles
expect_out "natural   the week's" "anna, forgotten"
expect_out "natural   shore" "zoe's bed"

# a calendar counts the remembered length (brought into each week's range),
# and its command names the profile, quoted for a shell
for n in 01 02 03 04 05 06 07 08 09 10; do stretchy $n 300; done
run "$RELAX" next --profile "O'Neil b" --length 3 min -o cal.wav
expect_rc 0 "next --length 3 min"
run "$RELAX" calendar --profile "O'Neil b" -o cal.ics
expect_rc 0 "calendar of a profile with a remembered length"
/usr/bin/python3 - cal.ics > "$W/cal.txt" <<'PYEOF' || fail "calendar unreadable"
import sys, icalendar
for e in icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read()).walk('VEVENT'):
    print(e['DURATION'].to_ical().decode(), '|', str(e['DESCRIPTION']).replace('\n', ' '))
PYEOF
want="About 3 minutes. To listen, run: relax next --profile 'O'\''Neil b'"
[ "$(grep -F -- "$want" "$W/cal.txt" | grep -c '^PT3M |')" = 10 ] ||
    fail "calendar: not 3 minutes and the profile's command in every week: $(head -2 "$W/cal.txt")"
finish
