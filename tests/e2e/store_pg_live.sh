#!/usr/bin/env bash
# Rooms sharing one PostgreSQL store, played live on a private JACK dummy
# server and a private PostgreSQL server (both started here):
#  A. one client in two rooms one after another: week 1 in Room 1, week 2
#     in Room 2; progress, completion and the next unlock agree in both.
#  B. two clients in two rooms at the same time: both listens complete.
#  C. the server is stopped in the middle of a live session: playback
#     continues (exit 0, zero underruns), and once the server is back the
#     listen and its final position are in the shared store, once.
#  D. a session started with the server away plays and arrives once it is back.
. "$(dirname "$0")/store_common.bash"
. "$RLX_SOURCE_DIR/tests/pg/lib.bash"
command -v jackd >/dev/null && command -v jack_lsp >/dev/null || { echo "FAIL: jackd or jack_lsp not found; run .ci/install-deps" >&2; exit 1; }
export JACK_NO_START_SERVER=1 JACK_DEFAULT_SERVER="relax-pg-$$-$RANDOM" RELAX_JACK_CLIENT="relax-pg-$$"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
export XDG_STATE_HOME="$W/state"
pg_start || finish
jackd --sync --no-realtime -d dummy -r 48000 -p 1024 >"$W/jackd.log" 2>&1 &
JACK=$!
stop_all() { kill "$JACK" 2>/dev/null; wait "$JACK" 2>/dev/null; pg_stop; cleanup; }
trap stop_all EXIT
# (one answer is enough: jack_lsp's client is always named "lsp", and
# libjack names a client's socket after the client, so two tests' jack_lsp
# at the same moment can fail once)
up=0
for ((i = 0; i < 200; i++)); do jack_lsp >/dev/null 2>&1 && { up=1; break; }; sleep 0.05; done
[ "$up" = 1 ] || { fail "jackd did not start: $(tail -n 2 "$W/jackd.log")"; finish; }
export RELAX_STORE="$PGURI"
mkdir "$W/here" && cd "$W/here" || exit 1
rows() { pg_sql relax "SELECT count(*) FROM relax.listens l JOIN relax.profiles p ON p.id = l.profile_id WHERE p.name = '$1'"; }
field() {  # field N of the CSV history rows of profile $1 (one line per listen)
    "$RELAX" history --csv --profile "$1" | tail -n +2 | tr -d '\r' | cut -d, -f"$2" | paste -sd' '
}

# A. one client, two rooms, one after another
run "$RELAX" next --profile ana --room "Room 1" </dev/null
expect_rc 0 "A: week 1 in Room 1"
expect_out "Week 1 is complete. Week 2 opens on" "A: Room 1 completes week 1"
run "$RELAX" next --profile ana </dev/null   # Room 2 sees week 1 done: week 2 is not open yet
expect_rc 0 "A: Room 2 before the week opens"
expect_out "Week 2 opens on" "A: Room 2 knows week 1 is done"
run env RELAX_ROOM="Room 2" "$RELAX" next --profile ana --any </dev/null
expect_rc 0 "A: week 2 in Room 2"
expect_out "Week 2: Test week 02" "A: Room 2 plays week 2"
[ "$(field ana 14)" = "Room 1 Room 2" ] || fail "A: rooms in history: $(field ana 14)"
[ "$(field ana 12)" = "1 1" ] || fail "A: both completed: $(field ana 12)"
run "$RELAX" progress --profile ana --json
expect_out '"weeks_done": 2,' "A: progress"
expect_out '"last_room": "Room 2"' "A: progress names the last room"
run "$RELAX" profiles
expect_out "LAST ROOM" "A: profiles shows rooms"
grep -qE "^ana +2 of 10 .* Room 2$" "$W/out" || fail "A: profiles row: $OUT"

# B. two clients, two rooms, at the same time
"$RELAX" play week-01 --profile kim --room "Room 1" </dev/null >"$W/b1.out" 2>"$W/b1.err" &
B1=$!
"$RELAX" play week-01 --profile lee --room "Room 2" </dev/null >"$W/b2.out" 2>"$W/b2.err" &
B2=$!
wait $B1; R1=$?
wait $B2; R2=$?
[ $R1 -eq 0 ] && [ $R2 -eq 0 ] || fail "B: exits $R1 $R2: $(cat "$W/b1.err" "$W/b2.err")"
[ "$(field kim 12) $(field kim 14)" = "1 Room 1" ] || fail "B: kim: $(field kim 12) $(field kim 14)"
[ "$(field lee 12) $(field lee 14)" = "1 Room 2" ] || fail "B: lee: $(field lee 12) $(field lee 14)"
run "$RELAX" progress --profile lee
expect_out "Week  1  Test week 01" "B: progress"
grep -qE "Week  1 .* done on " "$W/out" || fail "B: lee's week 1 not done: $OUT"

# C. the server stops in the middle of a live session
cat > "$RELAX_SESSIONS/week-04.session" <<'SESSION'
[session]
id    = week-04
title = "Test week 04"
week  = 4

[timeline]
0:00  fade-in 1 s
0:01  silence 8 s
+0 s  fade-out 1 s
+1 s  end
SESSION
"$RELAX" play week-04 --profile ola --room "Room 3" --stats </dev/null >"$W/c.out" 2>"$W/c.err" &
C=$!
for ((i = 0; i < 200; i++)); do [ "$(rows ola)" -ge 1 ] && break; sleep 0.05; done
[ "$(rows ola)" = 1 ] || fail "C: the listen never reached the server"
pg_halt   # the server goes away with the session playing
wait $C
RC=$?
[ $RC -eq 0 ] || fail "C: playback exit $RC: $(cat "$W/c.err")"
[ "$(sed -n 's/^underruns: //p' "$W/c.out")" = 0 ] || fail "C: underruns: $(grep underruns "$W/c.out")"
grep -qF "did not answer; 1 listen is kept on this machine" "$W/c.err" || fail "C: no note about the journal: $(cat "$W/c.err")"
run "$RELAX" history --profile ola
expect_rc 8 "C: history while the server is away"
pg_restart
for round in 1 2; do   # the first command sends it; the second finds nothing more to send
    run "$RELAX" history --csv --profile ola
    expect_rc 0 "C: history after the restart ($round)"
    [ "$(rows ola)" = 1 ] || fail "C: listens of ola in the store: $(rows ola), want 1 ($round)"
    [ "$(field ola 9) $(field ola 5) $(field ola 12) $(field ola 13) $(field ola 14)" = "10000 10000 1 1 Room 3" ] \
        || fail "C: final row: $(cat "$W/out")"
done

# D. a session started while the server is away still plays, and arrives later
pg_halt
run "$RELAX" play week-05 --profile ola --room "Room 3" </dev/null
expect_rc 0 "D: play with the server away"
expect_err "this listen is kept on this machine" "D: the note at the start"
expect_err "1 listen is kept on this machine" "D: the note at the end"
pg_restart
run "$RELAX" history --csv --profile ola
expect_rc 0 "D: history after the restart"
[ "$(field ola 2)" = "week-04 week-05" ] || fail "D: listens of ola: $(field ola 2)"
[ "$(rows ola)" = 2 ] || fail "D: rows of ola: $(rows ola)"
finish
