#!/usr/bin/env bash
# An offline render recorded in the store: progress shows the week as
# "rendered, not yet heard" (text and --json), history lists it as a render
# (CSV column `rendered`), it counts as nothing heard, and a listen after it
# clears the mark.
. "$(dirname "$0")/store_common.bash"
export RELAX_NOW=$T0

render_rec() { "$TOOL" "$STORE" render "$1" "week-$(printf %02d "$2")" "$2" "$3" "$4" || fail "store_tool render"; }

render_rec default 1 600 $T0
run "$RELAX" progress
expect_rc 0 "progress after a render"
grep -qE "Week  1  Test week 01 +rendered, not yet heard$" "$W/out" || fail "week 1 not shown as rendered: $OUT"
grep -qE "Week  2 .* locked$" "$W/out" || fail "week 2: $OUT"
expect_out "Time listened: 0:00 in 0 listens" "a render is not a listen"
run "$RELAX" progress --json
expect_out "\"status\": \"open\", \"completed\": null, \"on_schedule\": null, \"position_ms\": null, \"length_ms\": null, \"opens\": null, \"rendered\": \"$(date -u -d @$T0 +%Y-%m-%dT%H:%M:%SZ)\"}" "json rendered"
expect_out '"next": {"week": 1, "session": "week-01", "resume": false}' "json next after a render"
run "$RELAX" history
expect_out "rendered to a file, not heard" "history text"
run "$RELAX" history --csv
[ "$(sed -n 2p "$W/out" | tr -d '\r' | awk -F, '{ print $NF }')" = 1 ] || fail "csv rendered column: $OUT"

# heard afterwards: the mark goes, the listen counts
listen default 1 600 300 300 1 $((T0 + 3600))
export RELAX_NOW=$((T0 + 7200))
run "$RELAX" progress
grep -qE "Week  1  Test week 01 +open$" "$W/out" || fail "after hearing: $OUT"
expect_out "Time listened: 5:00 in 1 listen" "heard after the render"
run "$RELAX" progress --json
expect_out '"rendered": null' "json after hearing"
finish
