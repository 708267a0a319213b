#!/usr/bin/env bash
# relax progress / profiles / history / next (without playing): the program
# flow as the store records it, at fixed moments (RELAX_NOW).
. "$(dirname "$0")/store_common.bash"

# --- a fresh profile: week 1 open, the rest locked; the store is created 0600
export RELAX_NOW=$T0
run "$RELAX" progress
expect_rc 0 "fresh progress"
expect_out "Week  1  Test week 01" "fresh progress"
grep -E "Week  1 .* open$" "$W/out" >/dev/null || fail "week 1 not open: $OUT"
grep -E "Week  2 .* locked$" "$W/out" >/dev/null || fail "week 2 not locked: $OUT"
expect_out "Current run: 0 weeks on schedule" "fresh run"
[ "$(stat -c %a "$STORE")" = 600 ] || fail "store mode $(stat -c %a "$STORE")"
[ "$(stat -c %a "$(dirname "$STORE")")" = 700 ] || fail "store folder mode"

run "$RELAX" progress --json
expect_rc 0 "fresh json"
expect_out '"format": 1' "json format"
expect_out '"profile": "default"' "json profile"
expect_out '{"week": 1, "session": "week-01", "title": "Test week 01", "status": "open", "completed": null, "on_schedule": null, "position_ms": null, "length_ms": null, "opens": null}' "json week 1"
expect_out '"status": "locked"' "json locked"
expect_out '"next": {"week": 1, "session": "week-01", "resume": false}' "json next"

# --- week 1 completed at T0; three days later week 2 is still closed
listen default 1 600 600 600 1 $T0
export RELAX_NOW=$((T0 + 3 * DAY))
opens=$(date -u -d @$((T0 + 600 + 6 * DAY)) "+%A %-d %B")
run "$RELAX" next
expect_rc 0 "next while waiting"
expect_out "Week 2 opens on $opens (in 3 days). You can replay any completed week with 'relax play week-01'." "waiting message"
run "$RELAX" progress
grep -E "Week  1 .* done on Mon 30 Nov 2026$" "$W/out" >/dev/null || fail "week 1 done: $OUT"
grep -E "Week  2 .* opens on $(date -u -d @$((T0 + 600 + 6 * DAY)) '+%a %-d %b %Y')$" "$W/out" >/dev/null || fail "week 2 opens: $OUT"
expect_out "Current run: 1 week on schedule" "run after week 1"
expect_out "Time listened: 10:00 in 1 listen" "time listened"
export RELAX_NOW=$((T0 + 6 * DAY))
run "$RELAX" next
expect_out "Week 2 opens today at 08:10." "opens today"
export RELAX_NOW=$((T0 + 5 * DAY))
run "$RELAX" next
expect_out "(tomorrow)" "opens tomorrow"

# --- a skipped-through listen does not complete (< 90% heard)
listen default 2 600 600 300 1 $((T0 + 7 * DAY))
# --- week 2 cut off at 2:05 by a crash: in progress, next resumes it
crash default 2 600 125 $((T0 + 8 * DAY))
export RELAX_NOW=$((T0 + 8 * DAY + 3600))
run "$RELAX" progress
grep -E "Week  2 .* in progress at 2:05 of 10:00$" "$W/out" >/dev/null || fail "in progress: $OUT"
run "$RELAX" progress --json
expect_out '"status": "in-progress", "completed": null, "on_schedule": null, "position_ms": 125000, "length_ms": 600000' "json in progress"
expect_out '"next": {"week": 2, "session": "week-02", "resume": true}' "json resume"
expect_out '"listens": 3' "json listens"

# --- another profile is separate; profiles lists both
run "$RELAX" progress --profile "Smith, Jo"
grep -E "Week  1 .* open$" "$W/out" >/dev/null || fail "other profile fresh: $OUT"
expect_rc 0 "progress of a new profile"
expect_err "relax: note: no profile 'Smith, Jo' yet (it starts with its first listen); profiles here: 'default'" \
    "a new profile (or a typo) names the known ones"
listen "Smith, Jo" 1 600 600 590 1 $T0
RELAX_PROFILE="Smith, Jo" run "$RELAX" progress --json
expect_out '"profile": "Smith, Jo"' "RELAX_PROFILE"
expect_out '"weeks_done": 1' "other profile done"
run "$RELAX" profiles
expect_rc 0 "profiles"
grep -E "^default +1 of 10 +Tue 8 Dec 2026 08:00$" "$W/out" >/dev/null || fail "profiles default: $OUT"
grep -E "^Smith, Jo +1 of 10 +Mon 30 Nov 2026 08:00$" "$W/out" >/dev/null || fail "profiles smith: $OUT"
# columns line up by characters: "Zoë" is 3 wide, padded to 24
"$TOOL" "$W/zoe.db" listen "Zoë" week-01 1 600 600 590 1 $T0 || fail "store_tool listen"
run "$RELAX" profiles --store "$W/zoe.db"
expect_out "Zoë                       1 of 10       Mon 30 Nov 2026 08:00" "profiles: a name with an accent lines up"

# --- history: RFC 4180 CSV with a header, CRLF, quoted fields
run "$RELAX" history --csv --all
expect_rc 0 "history csv"
[ "$(head -1 "$W/out")" = $'profile,session,week,session_hash,length_ms,started,ended,from_ms,position_ms,furthest_ms,played_ms,completed,finished,room\r' ] \
    || fail "csv header: $(head -1 "$W/out" | od -c | head -3)"
[ "$(wc -l < "$W/out")" -eq 5 ] || fail "csv rows: $OUT"
expect_out $'default,week-01,1,0000000000001234,600000,2026-11-30T08:00:00Z,2026-11-30T08:10:00Z,0,600000,600000,600000,1,1,\r' "csv row 1 (no room: an empty last field)"
expect_out $'default,week-02,2,0000000000001234,600000,2026-12-08T08:00:00Z,2026-12-08T08:02:05Z,0,125000,125000,125000,0,0,\r' "csv crash row"
expect_out '"Smith, Jo",week-01,1,' "csv quoting"
run "$RELAX" history --csv --profile "Smith, Jo"
[ "$(wc -l < "$W/out")" -eq 2 ] || fail "csv one profile: $OUT"
[ -s "$W/err" ] && fail "history of a known profile wrote to stderr: $ERR"
run "$RELAX" history --profile "Smith Jo"
expect_rc 0 "history of a typo"
expect_err "profiles here: 'Smith, Jo', 'default'" "history of a typo names the known profiles"
run "$RELAX" history
expect_rc 0 "history table"
expect_out "interrupted" "history table crash row"

# --- all ten done
for n in 2 3 4 5 6 7 8 9 10; do listen default $n 600 600 600 1 $((T0 + n * 7 * DAY)); done
export RELAX_NOW=$((T0 + 80 * DAY))
run "$RELAX" next
expect_rc 0 "all done"
expect_out "You have completed all 10 weeks." "all done message"
run "$RELAX" progress --json
expect_out '"all_done": true' "json all done"
expect_out '"weeks_done": 10' "json ten done"

# --- bad command lines
run "$RELAX" progress --bogus
expect_rc 2 "unknown option"
run "$RELAX" progress --profile
expect_rc 2 "missing value"
run "$RELAX" history --profile x --all
expect_rc 2 "profile and all"
run "$RELAX" play week-01 --profile ""
expect_rc 2 "play with an empty profile name"
expect_err "relax: invalid profile name '': use 1 to 64 printable characters" "play with an empty profile name"
RELAX_PROFILE=$'a\tb' run "$RELAX" next
expect_rc 2 "next with a tab in RELAX_PROFILE"
finish
