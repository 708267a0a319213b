#!/bin/bash
# render_lengths.sh - lengths from the command line: a short version leaves
# optional lines out, a tail, and every bad input around lengths (out of
# range, --tail, --start-in, an optional block that swallows the end): one
# line, exit code 2 or 3, nothing written.
. "$(dirname "$0")/render_lib.bash"

S=$T/sessions
OUT=$T/out/out.wav
# natural 70 s, shortest 20 s, longest 2:15 (a `from 2 min` pause)
write_session "$S/len.session" '[timeline]' \
    '0:00   fade-in 1 s' \
    '+0 s   silence 10 s .. 20 s' \
    '+0 s   silence 30 s optional' \
    'optional 2 {' \
    '+0 s   silence 20 s' \
    '}' \
    '+0 s   silence 5 s from 2 min' \
    '+0 s   silence 10 s .. 60 s' \
    '+0 s   fade-out 2 s' \
    '+2 s   end'

"$RELAX" check "$S/len.session" > "$T/check" 2>&1 || fail "check: exit $?"
grep -q "length natural 1:12, plays at 0:22 to 2:17" "$T/check" && pass "check shows the range" \
    || { fail "check range"; cat "$T/check"; }
"$RELAX" check --length 40 s "$S/len.session" > "$T/check" 2>&1 || fail "check --length: exit $?"
grep -q "version at 0:40: 3 cues left out" "$T/check" && pass "check --length lists that version" \
    || { fail "check --length"; cat "$T/check"; }
[ "$(grep -c 'silence' "$T/check")" = 2 ] && pass "the short version's cue list has its two pauses" \
    || { fail "cue list of the short version"; cat "$T/check"; }

# a short version and a tail render exactly as long as asked
render_len() {  # render_len SECONDS DESC -- args... (of $RL, else len.session)
    local want=$1 desc=$2; shift 3
    rm -f "$OUT"
    if ! "$RELAX" render "${RL:-$S/len.session}" -o "$OUT" "$@" > /dev/null 2>"$T/stderr"; then
        fail "$desc: exit $?"; cat "$T/stderr"; return
    fi
    local frames
    frames=$(soxi -s "$OUT" 2>/dev/null)
    [ "$frames" = $((want * 48000)) ] && pass "$desc: $want s exactly" || fail "$desc: $frames frames, not $want s"
}
render_len 40 "a short version" -- --length "40 s"
render_len 90 "a tail inside the length" -- --length 1:30 --tail "30 s"
render_len 92 "a tail after the natural length" -- --tail "20 s"
# a unit may be a word of its own, spelled out or not, after every duration option
render_len 90 "units as words of their own" -- --length 1.5 minutes --tail 30 seconds
"$RELAX" check --tail 20 s "$S/len.session" > "$T/check" 2>&1 && pass "check --tail 20 s" \
    || { fail "check --tail 20 s: exit $?"; cat "$T/check"; }

rm -f "$OUT"
expect 2 "length 0:10 is outside what this session allows: 0:22 to 2:17 \(nearest that works: 0:22\)" \
    "too short" -- render "$S/len.session" -o "$OUT" --length 10 s
one_line "too short"
[ -e "$OUT" ] && fail "too short: a file was written"
expect 2 "length 0:02 is outside what this session allows: 0:22 to 2:17 \(nearest that works: 0:22; for 2 minutes write '2 min'\)" \
    "a bare number meant as minutes" -- render "$S/len.session" -o "$OUT" --length 2
one_line "a bare number meant as minutes"
expect 2 "outside what this session allows: 0:22 to 2:17 \(nearest that works: 2:17\)" \
    "too long" -- render "$S/len.session" -o "$OUT" --length 5 min
[ -e "$OUT" ] && fail "too long: a file was written"
expect 2 "--tail: '2 h' is not a duration up to 60 min" "tail too long" \
    -- render "$S/len.session" -o "$OUT" --tail "2 h"
expect 2 "--start-in is at most 10 min \(got '11 min'\)" "start-in too long" \
    -- play "$S/len.session" --start-in "11 min"
expect 2 "--start-in is at most 10 min \(got '11 min'\)" "start-in too long, the unit a word" \
    -- play "$S/len.session" --start-in 11 min
expect 2 "--stop-after wants a time after the start" "stop-after zero" \
    -- play "$S/len.session" --stop-after 0
[ -e "$OUT" ] && fail "a file was written"

# a range in fractions of a second is shown in whole seconds that play:
# natural and shortest 11.4 s, longest 21.3 s
write_session "$S/frac.session" '[timeline]' '0:00   fade-in 1 s' '+0 s   silence 10.4 s .. 20.3 s' \
    '+0 s   fade-out 1 s' '+1 s   end'
"$RELAX" check "$S/frac.session" > "$T/check" 2>&1 || fail "check frac: exit $?"
grep -q "length natural 0:12, plays at 0:12 to 0:21" "$T/check" && pass "a range shown rounded inwards" \
    || { fail "frac range"; cat "$T/check"; }
expect 2 "length 0:05 is outside what this session allows: 0:12 to 0:21 \(nearest that works: 0:12\)" \
    "a range rounded inwards in the error" -- render "$S/frac.session" -o "$OUT" --length 5 s
RL=$S/frac.session render_len 12 "the shortest as shown" -- --length 0:12
RL=$S/frac.session render_len 21 "the longest as shown" -- --length 0:21
rm -f "$OUT"

# an optional block that takes the end with it
write_session "$S/noend.session" '[timeline]' '0:00 silence 10 s' 'optional {' '+0 s silence 5 s' '+0 s end' '}'
"$RELAX" check "$S/noend.session" > "$T/stdout" 2>"$T/stderr"
rc=$?
[ $rc = 3 ] && grep -q "'end' inside the block opened on line 10: only say, play, silence and chime lines can be left out" "$T/stderr" \
    && pass "an optional block around the end (exit 3)" || { fail "optional end: exit $rc"; cat "$T/stderr"; }
expect 3 "'end' inside the block" "render of a session whose end is optional" \
    -- render "$S/noend.session" -o "$OUT"
[ -e "$OUT" ] && fail "optional end: a file was written"

[ "$FAILS" = 0 ] || { echo "$FAILS failure(s)"; exit 1; }
