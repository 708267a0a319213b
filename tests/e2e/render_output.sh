#!/bin/bash
# render_output.sh - `relax render` writes what it says: formats, rates,
# excerpts, the summary line, a clean stdout, and the same bytes from a cold
# and a warm cache.
. "$(dirname "$0")/render_lib.bash"

S=$T/sessions
sox -n -r 44100 -c 1 "$S/voice.flac" synth 2 sine 330 fade 0.05 2 0.05 vol 0.3
sox -n -r 44100 -c 2 "$S/bed.ogg" synth 3 pinknoise vol 0.2
sox -n -r 44100 -c 1 "$S/bell.flac" synth 1 sine 880 fade 0 1 0.9 vol 0.3
write_session "$S/mix.session" '[ambient]' 'file = bed.ogg' '[chime]' 'file = bell.flac' \
    '[timeline]' '0:00 fade-in 1 s' '0:00.5 chime' '0:01 play voice.flac' \
    '+0 s silence 2 s .. 10 s' '0:09 fade-out 2 s' '0:12 end'

for ext in wav flac ogg; do
    OUT=$T/out/mix.$ext
    expect 0 "^wrote $OUT \(0:12, 48000 Hz\)$" "render .$ext" -- render "$S/mix.session" -o "$OUT"
    one_line "render .$ext"
    [ "$(soxi -s "$OUT")" = 576000 ] || fail ".$ext: $(soxi -s "$OUT") frames, expected 576000"
    [ "$(soxi -c "$OUT")" = 2 ] || fail ".$ext: not stereo"
    [ "$(soxi -r "$OUT")" = 48000 ] || fail ".$ext: rate $(soxi -r "$OUT")"
done
[ "$(soxi -b "$T/out/mix.wav")" = 24 ] || fail "wav is not 24-bit"
[ "$(soxi -b "$T/out/mix.flac")" = 24 ] || fail "flac is not 24-bit"
soxi -t "$T/out/mix.ogg" | grep -q vorbis || fail "ogg is not Vorbis"

# the peak stays under -1 dBFS, and there is sound
peak=$(sox "$T/out/mix.wav" -n stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
awk -v p="$peak" 'BEGIN { exit !(p > 0.01 && p <= 0.8913) }' || fail "peak $peak outside (0.01, -1 dBFS]"

# warm cache gives the same bytes as the cold one
md5_cold=$(md5sum < "$T/out/mix.wav")
expect 0 "^wrote" "warm render" -- render "$S/mix.session" -o "$T/out/mix.wav"
[ "$(md5sum < "$T/out/mix.wav")" = "$md5_cold" ] || fail "warm cache render differs from cold"
rm -rf "$XDG_CACHE_HOME"
expect 0 "^wrote" "cold render again" -- render "$S/mix.session" -o "$T/out/again.wav"
cmp -s "$T/out/again.wav" "$T/out/mix.wav" || fail "two cold renders differ"

# other rate, stretched length, excerpt
expect 0 "^wrote $T/out/r.wav \(0:12, 22050 Hz\)$" "rate 22050" -- render "$S/mix.session" -o "$T/out/r.wav" --rate 22050
[ "$(soxi -s "$T/out/r.wav")" = 264600 ] || fail "22050 Hz: $(soxi -s "$T/out/r.wav") frames"
expect 0 "^wrote $T/out/long.wav \(0:20, 48000 Hz\)$" "--length 20 s" -- render "$S/mix.session" -o "$T/out/long.wav" --length "20 s"
[ "$(soxi -s "$T/out/long.wav")" = 960000 ] || fail "--length: $(soxi -s "$T/out/long.wav") frames"
expect 0 "^wrote $T/out/part.wav \(0:03, 48000 Hz\)$" "excerpt" -- render "$S/mix.session" -o "$T/out/part.wav" --from 0:02 --to 0:05
[ "$(soxi -s "$T/out/part.wav")" = 144000 ] || fail "excerpt: $(soxi -s "$T/out/part.wav") frames"
# the excerpt is the same audio as the full render (apart from its 5 ms edge ramps)
sox "$T/out/mix.wav" "$T/out/cut.wav" trim 2 3
sox -m -v 1 "$T/out/part.wav" -v -1 "$T/out/cut.wav" "$T/out/diff.wav" trim 0.01 2.98
dpeak=$(sox "$T/out/diff.wav" -n stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
awk -v p="$dpeak" 'BEGIN { exit !(p < 0.001) }' || fail "excerpt differs from the full render by $dpeak"
finish
