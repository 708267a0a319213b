#!/bin/bash
# render_errors.sh - every bad input to `relax render`: the one-line message,
# the exit code, an existing OUT left byte-for-byte untouched, no temporaries.
. "$(dirname "$0")/render_lib.bash"

S=$T/sessions
sox -n -r 44100 -c 1 "$S/voice.flac" synth 2 sine 330 fade 0.05 2 0.05 vol 0.3
sox -n -r 44100 -c 1 "$S/chime.flac" synth 1 sine 880 fade 0 1 0.9 vol 0.3
head -c 6000 "$S/voice.flac" > "$S/truncated.flac"
head -c 20000 /dev/urandom > "$S/corrupt.wav"
printf 'RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00' > "$S/header-only.wav"
printf 'This is not audio at all, just text.\n' > "$S/notes.txt"

OUT=$T/out/out.wav
printf 'previous render\n' > "$OUT"
SUM=$(md5sum < "$OUT")

write_session "$S/good.session" '[timeline]' '0:01 play voice.flac' '0:05 end'
for f in truncated.flac corrupt.wav header-only.wav notes.txt; do
    write_session "$S/bad-$f.session" '[timeline]' '0:00 fade-in 1 s' "0:01 play $f" '0:05 end'
done
write_session "$S/missing.session" '[timeline]' '0:01 play nowhere.flac' '0:05 end'
write_session "$S/invalid.session" '[timeline]' '0:01 play voice.flac' '0:00 chime' '0:05 end'

# audio files: message names the file and its cue's line; exit 4; nothing written
expect 4 "bad-truncated.flac.session:10:[0-9]+: error: .*truncated.flac" "truncated audio file" \
    -- render "$S/bad-truncated.flac.session" -o "$OUT"
one_line "truncated audio file"; untouched "$OUT" "$SUM" "truncated audio file"
expect 4 "bad-corrupt.wav.session:10:[0-9]+: error: .*corrupt.wav" "corrupt audio file" \
    -- render "$S/bad-corrupt.wav.session" -o "$OUT"
one_line "corrupt audio file"; untouched "$OUT" "$SUM" "corrupt audio file"
# check and render point at the same place: the file's name
"$RELAX" check "$S/bad-corrupt.wav.session" 2>&1 | grep -q "bad-corrupt.wav.session:10:11: error: corrupt.wav" &&
    grep -q "bad-corrupt.wav.session:10:11: error: corrupt.wav" "$T/stderr" && pass "check and render agree on the column" ||
    { fail "check and render point at different columns"; "$RELAX" check "$S/bad-corrupt.wav.session"; cat "$T/stderr"; }
expect 4 "error: .*header-only.wav" "audio file with a header and no data" \
    -- render "$S/bad-header-only.wav.session" -o "$OUT"
one_line "header-only audio file"; untouched "$OUT" "$SUM" "header-only audio file"
expect 4 "error: .*notes.txt" "unsupported audio format" \
    -- render "$S/bad-notes.txt.session" -o "$OUT"
one_line "unsupported format"; untouched "$OUT" "$SUM" "unsupported format"

write_session "$S/bad-bed.session" '[ambient]' 'file = corrupt.wav' '[timeline]' '0:01 play voice.flac' '0:05 end'
expect 4 "bad-bed.session: error: corrupt.wav: " "corrupt ambient bed" -- render "$S/bad-bed.session" -o "$OUT"
one_line "corrupt ambient bed"; untouched "$OUT" "$SUM" "corrupt ambient bed"

# a missing audio file is found by the parser (session check)
expect 3 "missing.session:9:[0-9]+: error: .*nowhere.flac.*not found" "missing audio file" \
    -- render "$S/missing.session" -o "$OUT"
untouched "$OUT" "$SUM" "missing audio file"

# invalid session
expect 3 "invalid.session:10:[0-9]+: error: " "invalid session" -- render "$S/invalid.session" -o "$OUT"
untouched "$OUT" "$SUM" "invalid session"
expect 3 "no session 'no-such-id'" "unknown session id" -- render no-such-id -o "$OUT"
one_line "unknown session id"; untouched "$OUT" "$SUM" "unknown session id"

# command line
expect 2 "unknown output format" "unknown extension" -- render "$S/good.session" -o "$T/out/out.mp3"
one_line "unknown extension"; untouched "$OUT" "$SUM" "unknown extension"
expect 2 "length|longest|natural" "length out of range" \
    -- render "$S/good.session" -o "$OUT" --length "2 min"
untouched "$OUT" "$SUM" "length out of range"
expect 2 "'abc' is not a duration" "bad length" -- render "$S/good.session" -o "$OUT" --length abc
one_line "bad length"
expect 2 "rate from 8000 to 192000" "rate out of range" -- render "$S/good.session" -o "$OUT" --rate 4000
one_line "rate out of range"
expect 2 "past the end" "--from past the end" -- render "$S/good.session" -o "$OUT" --from 0:09
one_line "--from past the end"; untouched "$OUT" "$SUM" "--from past the end"
expect 2 "--to 0:09 is past the end of the session \(0:05\); leave out --to" "--to past the end" \
    -- render "$S/good.session" -o "$OUT" --from 0:01 --to 0:09
one_line "--to past the end"; untouched "$OUT" "$SUM" "--to past the end"
expect 2 "give the file a name before its extension, like week-03.wav" "a name that is only an extension" \
    -- render "$S/good.session" -o "$T/out/.wav"
one_line "a name that is only an extension"
expect 2 "\. is a folder: name a file, like \./week-03\.wav" "a folder as the output" -- render "$S/good.session" -o .
one_line "a folder as the output"
expect 2 "name the output with -o FILE.wav" "no output" -- render "$S/good.session"
one_line "no output"
expect 2 "unknown option.*try 'relax render --help'" "unknown option" -- render "$S/good.session" -o "$OUT" --loud
one_line "unknown option"

# output folder problems: exit 5, message names OUT, nothing created
expect 5 "cannot write $T/out/nope/out.wav: folder .*No such file or directory" "missing folder" \
    -- render "$S/good.session" -o "$T/out/nope/out.wav"
one_line "missing folder"; untouched "$OUT" "$SUM" "missing folder"
mkdir -p "$T/ro"
if mount -t tmpfs -o ro,size=64k tmpfs "$T/ro" 2>/dev/null; then
    MOUNTS+=("$T/ro")
    expect 5 "cannot write $T/ro/out.wav: .*Read-only file system" "read-only folder" \
        -- render "$S/good.session" -o "$T/ro/out.wav"
    one_line "read-only folder"
    [ -z "$(ls -A "$T/ro")" ] || fail "read-only folder: something was created"
elif [ "$(id -u)" != 0 ]; then
    mkdir -p "$T/locked" && chmod 500 "$T/locked"
    expect 5 "cannot write $T/locked/out.wav: .*Permission denied" "unwritable folder" \
        -- render "$S/good.session" -o "$T/locked/out.wav"
    one_line "unwritable folder"
elif mkdir -p "$T/immutable" && chattr +i "$T/immutable" 2>/dev/null; then
    # root without mount rights (a container): an immutable folder refuses new files
    expect 5 "cannot write $T/immutable/out.wav: .*Operation not permitted" "immutable folder" \
        -- render "$S/good.session" -o "$T/immutable/out.wav"
    one_line "immutable folder"
    chattr -i "$T/immutable"
    [ -z "$(ls -A "$T/immutable")" ] || fail "immutable folder: something was created"
else
    fail "cannot make an unwritable folder here (tmpfs mount or chattr +i as root, chmod otherwise)"
fi
touch "$T/out/afile"
expect 5 "cannot write $T/out/afile/x.wav" "folder is a file" -- render "$S/good.session" -o "$T/out/afile/x.wav"
rm -f "$T/out/afile"

# and the good session does render over OUT
expect 0 "^wrote $OUT \(0:05, 48000 Hz\)$" "good session" -- render "$S/good.session" -o "$OUT"
one_line "good session"
[ "$(md5sum < "$OUT")" != "$SUM" ] || fail "good session: OUT not replaced"
[ "$(ls -A "$T/out")" = out.wav ] || fail "good session: stray files: $(ls -A "$T/out")"
finish
