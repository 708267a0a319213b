#!/bin/bash
# render_stress.sh - a hostile but valid session renders within generous
# bounds: 100,000 cues, an hour-long source, a 64 KB line; SIGTERM while the
# hour-long source is decoded stops the render at once.
. "$(dirname "$0")/render_lib.bash"

S=$T/sessions
le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
# silent_wav FILE RATE SECONDS [CHANNELS]
silent_wav() {
    local ch=${4:-1}
    local bytes=$(($2 * $3 * 2 * ch))
    { printf 'RIFF'; printf "$(le32 $((bytes + 36)))"; printf 'WAVEfmt '; printf "$(le32 16)"
      printf '\x01\x00'; printf "\\x0$ch\\x00"; printf "$(le32 "$2")"; printf "$(le32 $(($2 * 2 * ch)))"
      printf "\\x0$((2 * ch))\\x00"; printf '\x10\x00data'; printf "$(le32 $bytes)"; } > "$1"
    truncate -s $((bytes + 44)) "$1"
}
silent_wav "$S/hour.wav" 8000 3600
cp "$(dirname "$0")/../../assets/chime.flac" "$S/chime.flac"

# 99,999 cues and `end`: a chime every 360 ms, a spoken line every 3.6 s,
# level changes in between, and a comment line of 64 KB.
awk 'BEGIN {
    printf "# stress\n#"; for (i = 0; i < 65536; i++) printf "x"; printf "\n";
    printf "[session]\nid = stress\ntitle = \"Stress\"\n[chime]\nfile = chime.flac\n";
    printf "[ambient]\nfile = hour.wav\nlevel = -30 dB\n[timeline]\n";
    for (i = 0; i < 99999; i++) {
        t = i * 36; ts = sprintf("%d:%02d:%02d.%03d", int(t / 3600000), int(t / 60000) % 60, int(t / 1000) % 60, t % 1000);
        if (i % 10 == 0) printf "%s chime\n", ts;
        else if (i % 100 == 5) printf "%s say \"Line number %d.\"\n", ts, i % 7;
        else if (i % 2) printf "%s level ambient -%d dB over 20 ms\n", ts, 20 + i % 10;
        else printf "%s level breath -%d dB\n", ts, 25 + i % 10;
    }
    printf "1:00:00 end\n" }' > "$S/stress.session"

# SIGTERM while the hour-long source is decoded (cold cache, 48 kHz): the
# decoding checks the flag, so the render ends well before the decoding would.
export XDG_CACHE_HOME="$T/cache-term"
"$RELAX" render "$S/stress.session" -o "$T/out/term.wav" >"$T/stdout" 2>"$T/stderr" &
pid=$!
# the temporary cache entry of the ambient bed appears when its decoding starts
for _ in $(seq 1 1200); do
    big=$(find "$XDG_CACHE_HOME" -name '*.tmp.*' -size +20M 2>/dev/null | head -1)
    [ -n "$big" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
done
[ -n "$big" ] || fail "SIGTERM while decoding: the hour-long source was never being decoded"
t0=$(date +%s%N)
kill -TERM $pid
wait $pid
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" = 130 ] || { fail "SIGTERM while decoding: exit $rc, expected 130"; cat "$T/stderr"; }
[ "$ms" -lt 3000 ] || fail "SIGTERM while decoding: took $ms ms to stop"
[ -e "$T/out/term.wav" ] && fail "SIGTERM while decoding: an output was written"
[ -z "$(find "$XDG_CACHE_HOME" -name '*.tmp.*')" ] || fail "SIGTERM while decoding: a cache temporary is left"
pass "SIGTERM while decoding: exit $rc after $ms ms"

# The whole render, at 8 kHz to keep the cache small: bounded time and memory.
export XDG_CACHE_HOME="$T/cache"
t0=$(date +%s%N)
# Peak resident memory from the kernel's accounting (/usr/bin/time), not an
# address-space limit: a sanitizer build reserves terabytes of shadow address
# space that it never touches, so ulimit -v cannot tell a bounded render.
/usr/bin/time -f '%M' -o "$T/rss" "$RELAX" render "$S/stress.session" -o "$T/out/stress.wav" --rate 8000 \
    >"$T/stdout" 2>"$T/stderr"
rc=$?
rss_kb=$(tail -n 1 "$T/rss")
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" = 0 ] || { fail "stress render: exit $rc"; cat "$T/stderr"; }
[ "$ms" -lt 180000 ] || fail "stress render: took $ms ms (bound 180 s)"
size=$(stat -c %s "$T/out/stress.wav" 2>/dev/null || echo 0)
[ "$size" -gt $((3600 * 8000 * 2 * 3)) ] || fail "stress render: output of $size bytes is shorter than an hour"
[ "$rss_kb" -gt 0 ] && [ "$rss_kb" -lt 2000000 ] 2>/dev/null || fail "stress render: peak memory ${rss_kb} kB (bound 2 GB)"
pass "stress render: 100,000 cues, an hour-long source, a 64 KB line in $ms ms, peak memory $((rss_kb / 1024)) MB (bound 2 GB)"

# A source longer than any session is refused from its header, before decoding.
silent_wav "$S/day.wav" 8000 $((25 * 3600))
printf '[session]\nid = day\ntitle = "Day"\n[ambient]\nfile = day.wav\n[timeline]\n0:01 end\n' > "$S/day.session"
t0=$(date +%s%N)
expect 4 "day.wav: too long \(25 hours; an audio file may be at most 24 hours\)" "a 25-hour source" -- \
    render "$S/day.session" -o "$T/out/day.wav"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 1000 ] || fail "a 25-hour source: took $ms ms to refuse"
[ -z "$(find "$XDG_CACHE_HOME" -name '*.tmp.*')" ] || fail "a 25-hour source: a cache temporary is left"

# A 2 GB sparse WAV (3.1 hours of 16-bit stereo): its cache entry would pass
# WAV's 4 GiB, so it is refused from its header at once, nothing cached.
silent_wav "$S/big.wav" 48000 11185 2
printf '[session]\nid = big\ntitle = "Big"\n[ambient]\nfile = big.wav\n[timeline]\n0:01 end\n' > "$S/big.session"
t0=$(date +%s%N)
expect 4 "big.wav: too long to cache at 48000 Hz \(a cache entry holds at most 4 GiB, 3.1 hours of stereo audio" \
    "a 2 GB WAV" -- render "$S/big.session" -o "$T/out/big.wav"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 1000 ] || fail "a 2 GB WAV: took $ms ms to refuse"
[ -z "$(find "$XDG_CACHE_HOME" -name '*.tmp.*')" ] || fail "a 2 GB WAV: a cache temporary is left"

# A rendering longer than a WAV file holds: refused with the limit, no output.
printf '[session]\nid = long\ntitle = "Long"\n[timeline]\n0:00 silence 1 s .. 1380 min\n+0 s end\n' > "$S/long.session"
expect 2 "long.wav: 9:00:00 of 24-bit stereo at 48000 Hz is more than a WAV file holds \(4 GiB, 4:08:33\); use .flac" \
    "a 9-hour WAV" -- render "$S/long.session" -o "$T/out/long.wav" --length 9h
[ -e "$T/out/long.wav" ] && fail "a 9-hour WAV: written anyway"
finish
