# play_bench.sh - figures for live playback (run: cmake --build build --target bench-play).
# Prints, for a JACK dummy server at 48 kHz with 256-frame periods:
#  - CPU time of the player per minute of audio;
#  - underruns over a long session, idle and with `stress-ng --cpu 2`;
#  - time to first audio: exec to the first non-silent frame the capture
#    client receives (warm cache), 5 runs;
#  - pause-to-silence latency: key press to the first silent frame, 3 runs.
# Floors: zero underruns under load, first audio < 150 ms, pause silent < 30 ms.
# BENCH_MINUTES (default 10) sets the long session's length.
source "$(dirname "$0")/../tests/live/lib.sh"
MIN=${BENCH_MINUTES:-10}
B="$LIVE_TMP"

# a long session: a spoken line every minute over the breath tone
{
    printf '[session]\nid = bench-long\ntitle = "Bench long"\n\n[breath]\npattern = 4 0 6 0\nlevel = -20 dB\n\n[timeline]\n'
    printf '0:00 fade-in 5 s\n'
    for ((m = 0; m < MIN; m++)); do
        printf '%d:10 say "Minute %d. Let the breath move on its own."\n' "$m" "$((m + 1))"
    done
    printf '%d:00 end\n' "$MIN"
} >"$B/long.session"
write_session "$B/short.session" bench-short "Bench short" "-12 dB" \
    '0:00 say "Hello."' '0:04 end'

echo "== preparing (render warms the cache)"
"$RELAX" render "$B/long.session" --rate 48000 -o "$B/long.wav" >/dev/null 2>&1 || fail "render failed"
"$RELAX" render "$B/short.session" --rate 48000 -o "$B/short.wav" >/dev/null 2>&1 || fail "render failed"
start_jack 256 rt
echo "== JACK dummy server, 48 kHz, 256-frame periods, $JACK_MODE scheduling"

long_run() {  # long_run LABEL: plays the long session, prints CPU and underruns
    local label=$1 t0 t1 cpu
    t0=$(date +%s.%N)
    /usr/bin/env bash -c 'TIMEFORMAT="%U %S"; time "$0" play "$1" --stats >"$2" 2>/dev/null' \
        "$RELAX" "$B/long.session" "$B/$label.stats" 2>"$B/$label.time" || fail "play failed ($label)"
    t1=$(date +%s.%N)
    cpu=$(awk '{ print $1 + $2 }' "$B/$label.time")
    printf '%-8s wall %6.1f s  cpu %6.2f s  = %5.2f s CPU per minute of audio  underruns %s  (JACK xruns seen: %s, callback load %s)\n' \
        "$label" "$(echo "$t1 - $t0" | bc)" "$cpu" "$(echo "scale=3; $cpu / $MIN" | bc)" \
        "$(sed -n 's/^underruns: //p' "$B/$label.stats")" \
        "$(sed -n 's/^device underflows: //p' "$B/$label.stats")" \
        "$(sed -n 's/^callback load: \([0-9.]* %\).*/\1/p' "$B/$label.stats")"
}

echo "== $MIN-minute session, idle machine"
long_run idle
echo "== $MIN-minute session, stress-ng --cpu 2"
stress-ng --cpu 2 --timeout "$((MIN * 60 + 30))s" >/dev/null 2>&1 &
STRESS_PID=$!
LIVE_PIDS+=("$STRESS_PID")
long_run stress
kill -TERM "$STRESS_PID" 2>/dev/null || true
wait "$STRESS_PID" 2>/dev/null || true

echo "== time to first audio (exec to the first non-silent frame at the capture client)"
for i in 1 2 3 4 5; do
    start_capture "$B/first$i.wav" "$B/first$i.info"
    # the capture client must be waiting before the player starts
    for ((k = 0; k < 500; k++)); do jack_lsp 2>/dev/null | grep -q '^rlx_capture-' && break; sleep 0.01; done
    t0=$(date +%s%N)
    "$RELAX" play "$B/short.session" --stats >"$B/first$i.stats" 2>/dev/null || fail "play failed"
    finish_capture
    fr=$(sed -n 's/^first_real //p' "$B/first$i.info")
    printf 'run %d: %6.1f ms (player: start to first audible callback %s)\n' "$i" \
        "$(echo "scale=1; ($fr - $t0) / 1000000" | bc)" "$(sed -n 's/^first audio: //p' "$B/first$i.stats")"
done

echo "== pause-to-silence latency (key press to the first silent frame)"
for i in 1 2 3; do
    start_capture "$B/pause$i.wav" "$B/pause$i.info"
    "$RLX_LIVE_BIN/pty_drive" -t 60 'wait:Bench short' after:1500 'key: ' after:500 'key: ' after:300 'key:q' \
        -- "$RELAX" play "$B/short.session" >"$B/pause$i.keys" 2>/dev/null || fail "play failed"
    finish_capture
    key_ns=$(awk '$1 == "key" { print $2; exit }' "$B/pause$i.keys")
    start_ns=$(sed -n 's/^start_mono //p' "$B/pause$i.info")
    gap=$("$RLX_LIVE_BIN/wav_check" stats "$B/pause$i.wav" 300 | awk '$1 == "gap" { print $2; exit }')
    [ -n "$gap" ] || { echo "run $i: no silence found"; continue; }
    printf 'run %d: %5.1f ms\n' "$i" "$(echo "scale=1; ($start_ns + $gap * 1000000000 - $key_ns) / 1000000" | bc)"
done
