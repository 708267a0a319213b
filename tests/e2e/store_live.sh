#!/usr/bin/env bash
# relax play and next live on a private JACK dummy server: play --length,
# stopped by SIGTERM, saves where it was; next resumes 5 s earlier at the
# same length; killed with -9 the
# saved position is within 6 s; the third run completes the week (the time
# heard in all three listens counts). Needs jackd (.ci/install-deps installs
# it): without it, or without live playback in this build, the test fails.
. "$(dirname "$0")/store_common.bash"
command -v jackd >/dev/null && command -v jack_lsp >/dev/null || { echo "FAIL: jackd or jack_lsp not found; run .ci/install-deps" >&2; exit 1; }
export JACK_NO_START_SERVER=1 JACK_DEFAULT_SERVER="relax-store-$$-$RANDOM" RELAX_JACK_CLIENT="relax-store-$$"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
cat > "$RELAX_SESSIONS/week-01.session" <<'SESSION'
[session]
id    = week-01
title = "Test week 01"
week  = 1

[timeline]
0:00  fade-in 1 s
0:01  silence 18 s .. 23 s
+0 s  fade-out 1 s
+1 s  end
SESSION
jackd --sync --no-realtime -d dummy -r 48000 -p 1024 >"$W/jackd.log" 2>&1 &
JACK=$!
stop_all() { kill "$JACK" 2>/dev/null; wait "$JACK" 2>/dev/null; cleanup; }
trap stop_all EXIT
# (one answer is enough: jack_lsp's client is always named "lsp", and
# libjack names a client's socket after the client, so two tests' jack_lsp
# at the same moment can fail once)
up=0
for ((i = 0; i < 200; i++)); do jack_lsp >/dev/null 2>&1 && { up=1; break; }; sleep 0.05; done
[ "$up" = 1 ] || { fail "jackd did not start: $(tail -n 2 "$W/jackd.log")"; finish; }
mkdir "$W/here" && cd "$W/here" || exit 1

rows() { "$RELAX" history --csv | tail -n +2 | wc -l; }
# field N (1-based) of the newest history row
last_field() { "$RELAX" history --csv | tail -n 1 | tr -d '\r' | cut -d, -f"$1"; }
# waits (bounded, ~10 s) until the history has $1 rows: the listen has begun
wait_rows() {
    for ((i = 0; i < 200; i++)); do [ "$(rows)" -ge "$1" ] && return 0; sleep 0.05; done
    return 1
}

# waits (bounded, ~60 s of wall time) until the newest listen has saved a
# position of at least $1 ms: the audio clock, not the wall clock, says
# how far playback is on a loaded machine
wait_saved() {
    for ((i = 0; i < 1200; i++)); do
        [ "$(last_field 9)" -ge "$1" ] 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# 1. play, stretched to 24 s; SIGTERM once the first periodic save (5 s of
#    audio) is in: exit 130, the position where it stopped is saved
"$RELAX" play week-01 --length 0:24 </dev/null >"$W/n1.out" 2>"$W/n1.err" &
P=$!
if ! wait_rows 1; then
    kill -KILL $P 2>/dev/null; wait $P 2>/dev/null
    fail "no listen recorded: $(cat "$W/n1.out" "$W/n1.err")"
    finish
fi
wait_saved 5000 || fail "no periodic save within 60 s: $(cat "$W/n1.err")"
kill -TERM $P
wait $P
RC=$?
[ "$RC" -eq 130 ] || fail "SIGTERM: exit $RC, want 130 ($(cat "$W/n1.err"))"
pos=$(last_field 9)
# at least the periodic save; at most a few seconds later on a loaded machine
[ "$pos" -ge 5000 ] && [ "$pos" -le 12900 ] || fail "SIGTERM: saved position $pos, want 5000 to 12900"
[ "$(last_field 13)" = 1 ] || fail "SIGTERM: listen not marked finished"
run "$RELAX" progress
grep -E "Week  1 .* in progress at 0:(0[5-9]|1[0-2]) of 0:24$" "$W/out" >/dev/null \
    || fail "progress after SIGTERM: $OUT"

# 2. next resumes 5 s earlier, at the length that listen had; kill -9 once a
#    periodic save is in: nothing after the last save is claimed
"$RELAX" next </dev/null >"$W/n2.out" 2>"$W/n2.err" &
P=$!
wait_rows 2 || fail "second listen not recorded"
expect_from=$(( (pos - 5000) / 1000 ))
grep -qF "Resuming week 1, Test week 01, at 0:0$expect_from of 0:24." "$W/n2.out" || fail "resume message: $(cat "$W/n2.out")"
from=$(last_field 8)
[ "$from" -ge $((pos - 5100)) ] && [ "$from" -le $((pos - 3900)) ] || fail "resumed from $from, saved was $pos"
wait_saved $((from + 5000)) || fail "no periodic save of the resumed listen within 60 s"
kill -KILL $P
wait $P 2>/dev/null
saved=$(last_field 9)
[ "$saved" -ge $((from + 5000)) ] && [ "$saved" -le $((from + 12000)) ] \
    || fail "kill -9: saved $saved, resumed from $from"
[ "$(last_field 13)" = 0 ] || fail "kill -9: listen marked finished"
[ "$(last_field 5)" = 24000 ] || fail "the resumed listen did not keep its length: $(last_field 5) ms"

# 3. resume and play to the end: the week completes
run "$RELAX" next </dev/null
expect_rc 0 "third run"
expect_out "Week 1 is complete. Week 2 opens on" "completion message"
expect_out "If you keep the weeks in a calendar, 'relax calendar -o FILE.ics' brings its dates up to date." "calendar reminder after completing"
[ "$(last_field 12)" = 1 ] || fail "third listen not completed: $("$RELAX" history --csv | tail -n 1)"
finish
