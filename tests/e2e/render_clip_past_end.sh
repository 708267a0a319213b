#!/bin/bash
# render_clip_past_end.sh - a `play` clip longer than the time before an
# absolute 'end' is refused from its header, at once, naming the file and
# the end, before anything is decoded or cached (a 1 GB silent sparse WAV
# would otherwise fill a 2 GB cache entry and only then be refused).
. "$(dirname "$0")/render_lib.bash"

S=$T/sessions
le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
# silent_wav FILE RATE SECONDS CHANNELS: a valid 16-bit WAV, sparse (no disk used)
silent_wav() {
    local ch=$4 bytes=$(($2 * $3 * 2 * $4))
    { printf 'RIFF'; printf "$(le32 $((bytes + 36)))"; printf 'WAVEfmt '; printf "$(le32 16)"
      printf '\x01\x00'; printf "\\x0$ch\\x00"; printf "$(le32 "$2")"; printf "$(le32 $(($2 * 2 * ch)))"
      printf "\\x0$((2 * ch))\\x00"; printf '\x10\x00data'; printf "$(le32 $bytes)"; } > "$1"
    truncate -s $((bytes + 44)) "$1"
}
silent_wav "$S/long.wav" 48000 5600 2     # 1.07 GB, 1:33:20
silent_wav "$S/short.wav" 8000 2 1

cat > "$S/clip.session" <<'S'
[session]
id = clip
title = "Clip"
[voice]
level = off
[timeline]
0:00 play short.wav
5:00 play long.wav
20:00 end
S
t0=$(date +%s%N)
expect 3 "long.wav lasts 1:33:20, but it starts at 5:00 or later and the session ends at 20:00 \('end' on line 9" \
    "a 1 GB clip before a 20-minute end" -- render "$S/clip.session" -o "$T/out/clip.flac"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 2000 ] || fail "a 1 GB clip: took $ms ms to refuse"
big=$(find "$XDG_CACHE_HOME" -type f -size +10M | head -1)
[ -z "$big" ] || fail "a 1 GB clip: a large cache file was written ($big)"
[ -e "$T/out/clip.flac" ] && fail "a 1 GB clip: an output was written"
grep -q "clip.session:8:" "$T/stderr" || fail "a 1 GB clip: the message does not point at the play line"

# check says the same (it prepares the clips too)
"$RELAX" check "$S/clip.session" >"$T/stdout" 2>&1
rc=$?
[ "$rc" = 3 ] || fail "check of the same session: exit $rc, expected 3"
grep -q "long.wav lasts 1:33:20" "$T/stdout" || fail "check of the same session: no word of long.wav's length"

# A relative 'end' moves with the clip: no such bound (the file is then
# refused for what a cache entry holds, or played).
cat > "$S/rel.session" <<'S'
[session]
id = rel
title = "Rel"
[voice]
level = off
[timeline]
0:00 play short.wav
+1 s end
S
expect 0 "" "a short clip before a relative end" -- render "$S/rel.session" -o "$T/out/rel.flac"
finish
