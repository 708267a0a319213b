#!/bin/bash
# render_diskfull.sh - the output folder fills up: one line naming OUT, exit 5,
# the temporary removed, an existing OUT untouched. The full disk is the
# ENOSPC shim (full_disk in render_lib.bash): 1 MB, then no space left.
. "$(dirname "$0")/render_lib.bash"

S=$T/sessions
sox -n -r 44100 -c 1 "$S/voice.flac" synth 2 sine 330 fade 0.05 2 0.05 vol 0.3
write_session "$S/s.session" '[timeline]' '0:01 play voice.flac' '0:30 end'
write_session "$S/five.session" '[timeline]' '0:01 play voice.flac' '5:00 end'
mkdir -p "$T/small"
full_disk "$T/small" 1000000
OUT=$T/small/out.wav
printf 'old\n' > "$OUT"
SUM=$(md5sum < "$OUT")
# 30 s of 24-bit stereo at 48 kHz is 8.6 MB
expect 5 "^relax: cannot write $OUT: no space left on the device$" "disk full" -- render "$T/sessions/s.session" -o "$OUT"
one_line "disk full"
untouched "$OUT" "$SUM" "disk full"
# the same with FLAC (the encoder buffers: the failure may surface at close)
OUT2=$T/small/out.flac
expect 5 "^relax: cannot write $OUT2: no space left on the device$" "disk full (flac)" -- render "$T/sessions/five.session" -o "$OUT2"
[ "$(ls -A "$T/small")" = out.wav ] || fail "disk full (flac): left $(ls -A "$T/small")"
# with room, the same command works (so it was the full disk that stopped it)
full_disk "$T/small" 100000000
expect 0 "^wrote $OUT2 " "room again" -- render "$T/sessions/five.session" -o "$OUT2"
full_disk off
finish
