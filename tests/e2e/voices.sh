#!/usr/bin/env bash
# relax voices: lists both engines' voices with the default marked; renders a
# sample with --say; a missing Festival is named with what to install and
# flite speaks instead with one note; usage mistakes exit 2, an unwritable
# output 5, a failing engine 4.
set -u
: "${RELAX:?}"
T=$(mktemp -d); trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
fail=0
expect() {   # expect CODE PATTERN -- ARGS...
    local code=$1 pat=$2; shift 3
    local rc
    timeout 120 "$RELAX" "$@" >"$T/out" 2>"$T/err"; rc=$?
    if [ "$rc" != "$code" ]; then echo "FAIL: relax $* exited $rc, expected $code"; cat "$T/out" "$T/err"; fail=1; return; fi
    if ! grep -qE -- "$pat" "$T/out" "$T/err"; then echo "FAIL: relax $*: no '$pat' in:"; cat "$T/out" "$T/err"; fail=1; fi
}
expect 0 '^flite:slt +\* +installed'          -- voices
expect 0 '^festival:slt-hts +installed'       -- voices
expect 0 '^flite:kal16 +installed'            -- voices
expect 0 'Usage: relax voices'                -- voices --help

# samples at each engine's rate
expect 0 'wrote .*fest.wav \(.* at 32000 Hz\)' -- voices --say "Breathing in, as the tone rises." --voice festival:slt-hts --pace 1.25 -o "$T/fest.wav"
[ "$(soxi -r "$T/fest.wav" 2>/dev/null)" = 32000 ] || { echo "FAIL: fest.wav is not 32 kHz"; fail=1; }
expect 0 'at 16000 Hz'                        -- voices --say "Hello." -o "$T/flite.flac"
[ "$(soxi -t "$T/flite.flac" 2>/dev/null)" = flac ] || { echo "FAIL: flite.flac is not FLAC"; fail=1; }
[ -s "$T/err" ] && { echo "FAIL: the engine printed on stderr:"; cat "$T/err"; fail=1; }

# Festival missing: named, with what to install; flite speaks, with one note
export RELAX_TEXT2WAVE=/nonexistent/text2wave
expect 0 "^festival:slt-hts +Festival is not installed \(install the Debian packages 'festival' and 'festvox-us-slt-hts'\); flite:slt speaks instead" -- voices
expect 0 'at 16000 Hz' -- voices --say "Hello." --voice festival:slt-hts -o "$T/fb.wav"
grep -q "^relax: note: Festival is not installed .*speaking with flite:slt instead of festival:slt-hts$" "$T/err" \
    || { echo "FAIL: no fallback note:"; cat "$T/err"; fail=1; }
[ "$(wc -l <"$T/err")" = 1 ] || { echo "FAIL: the note is not one line"; cat "$T/err"; fail=1; }
# a failing text2wave: exit 4, its reason, no file
printf '#!/bin/sh\necho "SIOD ERROR: no voice" >&2\nexit 1\n' >"$T/bad"; chmod +x "$T/bad"
export RELAX_TEXT2WAVE=$T/bad
expect 4 'cannot speak "Hello.": Festival \(text2wave\) failed with exit status 1: SIOD ERROR: no voice' -- voices --say "Hello." --voice festival:slt-hts -o "$T/bad.wav"
[ -e "$T/bad.wav" ] && { echo "FAIL: a file was written for a failed voice"; fail=1; }
unset RELAX_TEXT2WAVE

expect 2 "unknown voice 'robot'"        -- voices --say "Hi." --voice robot -o "$T/x.wav"
# without -o the sample plays; with no device in sight (no JACK server of
# that name, ALSA given an empty configuration): one line, exit 6
: > "$T/empty-alsa.conf"
JACK_DEFAULT_SERVER="relax-none-$$" ALSA_CONFIG_PATH="$T/empty-alsa.conf" \
    expect 6 'no audio output device to play the sample on; add -o FILE.wav' -- voices --say "Hi."
expect 2 'go with --say'                -- voices -o "$T/x.wav"
expect 2 'pace must be a number'        -- voices --say "Hi." --pace fast -o "$T/x.wav"
expect 2 "written as .wav, .flac or .ogg, not '$T/x.mp3'" -- voices --say "Hi." -o "$T/x.mp3"
expect 2 'say needs some text to speak' -- voices --say "" -o "$T/x.wav"
expect 0 'at 16000 Hz'                  -- voices --say "Hello." -o "$T/flite.ogg"
[ "$(soxi -t "$T/flite.ogg" 2>/dev/null)" = vorbis ] || { echo "FAIL: flite.ogg is not Ogg Vorbis"; fail=1; }
expect 2 "unexpected 'extra'"           -- voices extra
# a folder that cannot hold the file (a regular file stands in its place, so
# this holds for root too)
: >"$T/notadir"
expect 5 'cannot write'                 -- voices --say "Hi." -o "$T/notadir/x.wav"
[ -e "$T/x.wav" ] && { echo "FAIL: an output file was written on a usage error"; fail=1; }
exit $fail
