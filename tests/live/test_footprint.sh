# test_footprint.sh - `relax play` stays small while it plays through JACK:
# resident memory under 60 MB (it held 128 MB when JACK's client locked its
# whole 100 MB graph into the player; it holds about 24 MB now), zero
# underruns, and a control thread that sleeps instead of polling (it woke
# about 270 times a second; now about 10). Measured by the kernel's own
# counters, not by timing: the bounds hold on a loaded machine. A sanitizer
# build (RLX_SANITIZE=ON) holds shadow memory of its own, so there the
# resident share of JACK's port table (the pages that were locked) is what
# is checked: under 8 MB in both builds.
source "$(dirname "$0")/lib.sh"

S="$LIVE_TMP/footprint.session"
write_session "$S" footprint "Footprint" "-12 dB" \
    '0:00 say "Settle in."' '0:06 say "Let the breath move on its own."' '0:12 end'
"$RELAX" render "$S" --rate 48000 -o "$LIVE_TMP/warm.wav" >/dev/null 2>&1 || fail "relax render failed"

start_jack 1024
"$RELAX" play "$S" --stats >"$LIVE_TMP/play.stats" 2>"$LIVE_TMP/play.err" </dev/null &
PLAY=$!
LIVE_PIDS+=("$PLAY")
# "playing" is printed once the stream runs: what started it is over
for ((i = 0; i < 2000; i++)); do
    grep -q '^relax: playing' "$LIVE_TMP/play.err" && break
    kill -0 "$PLAY" 2>/dev/null || break
    sleep 0.01
done
grep -q '^relax: playing' "$LIVE_TMP/play.err" || fail "the player never started: $(cat "$LIVE_TMP/play.err")"

max_rss=0 max_jack=0 samples=0 sw0="" sw1="" t0="" t1=""
while kill -0 "$PLAY" 2>/dev/null; do
    st=$(cat "/proc/$PLAY/status" 2>/dev/null) || break
    rss=$(awk '/^VmRSS/ { print $2 }' <<<"$st")
    sw=$(awk '/^voluntary_ctxt_switches/ { print $2 }' <<<"$st")
    [ -n "$rss" ] || break
    [ "$rss" -gt "$max_rss" ] && max_rss=$rss
    jack=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { j = ($6 ~ /^\/dev\/shm\/jack-/) } j && /^Rss:/ { s += $2 }
                END { print s + 0 }' "/proc/$PLAY/smaps" 2>/dev/null) || break
    [ "$jack" -gt "$max_jack" ] && max_jack=$jack
    samples=$((samples + 1))
    if [ -z "$sw0" ]; then sw0=$sw; t0=$(now_s); else sw1=$sw; t1=$(now_s); fi
    sleep 0.2
done
rc=0
wait "$PLAY" || rc=$?
[ "$rc" -eq 0 ] || fail "relax play exited $rc: $(cat "$LIVE_TMP/play.err")"
[ "$samples" -ge 10 ] || fail "only $samples samples while playing"
underruns=$(sed -n 's/^underruns: //p' "$LIVE_TMP/play.stats")
rate=$(awk -v a="$sw0" -v b="$sw1" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f", (b - a) / (t1 - t0) }')
note "peak RSS while playing: $max_rss kB (JACK's shared table: $max_jack kB) over $samples samples;" \
     "underruns: $underruns; control thread wakeups: $rate a second"
[ "$max_jack" -lt 8192 ] || fail "JACK's shared table held $max_jack kB of the player's memory (want < 8 MB)"
if [ "${RLX_SANITIZE:-OFF}" != ON ]; then
    [ "$max_rss" -lt 61440 ] || fail "resident memory reached $max_rss kB while playing (want < 60 MB)"
fi
[ "$underruns" = 0 ] || fail "$underruns underruns"
awk -v r="$rate" 'BEGIN { exit !(r < 50) }' || fail "the control thread woke $rate times a second (want < 50)"
echo "1 passed, 0 failed"
