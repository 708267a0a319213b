#!/usr/bin/env bash
# Precise messages for hostile or careless input: a FIFO, folder, device or
# symlink loop named as an audio file; a dangling --store symlink; a length
# past 24 hours; store and cache folders others may write.
. "$(dirname "$0")/render_lib.bash"
S=$T/sessions
mkfifo "$S/fifo.wav"; mkdir "$S/dir.wav"; ln -s /dev/zero "$S/dev.wav"; ln -s loop.wav "$S/loop.wav"
for f in fifo:"is a FIFO \(named pipe\), not an audio file" dir:"is a folder, not an audio file" \
         dev:"is a device, not an audio file" loop:"a loop of symbolic links"; do
    name=${f%%:*} msg=${f#*:}
    write_session "$S/$name.session" '[timeline]' "0:00 play $name.wav" '+1 s end'
    expect 3 "$name.session:9:11: error: audio file '$name.wav' cannot be used: .*$msg" "$name as audio file" -- \
        render "$S/$name.session" -o "$T/out/x.wav"
done

# a --store symlink whose target cannot be
ln -s "$T/nowhere/progress.db" "$T/dangling.db"
expect 8 "progress store .*dangling.db is a symbolic link to .*nowhere/progress.db, which does not exist" \
    "dangling --store symlink" -- progress --store "$T/dangling.db"
one_line "dangling --store symlink"

# lengths past a day: "too long" and the limit, not "not a duration"
write_session "$S/ok.session" '[timeline]' '0:01 end'
expect 2 "^relax: --length: '25:00:00' is too long \(at most 24 hours\)$" "render --length 25:00:00" -- \
    render "$S/ok.session" -o "$T/out/x.wav" --length 25:00:00
expect 2 "^relax: --from: '1500 min' is too long \(at most 24 hours\)$" "render --from 1500 min" -- \
    render "$S/ok.session" -o "$T/out/x.wav" --from '1500 min'
expect 2 "^relax: timeline: --length '25h' is too long \(at most 24 hours\)$" "timeline --length 25h" -- \
    timeline "$S/ok.session" -o "$T/out/x.svg" --length 25h
expect 2 "^relax: --length: '25:00:00' is too long \(at most 24 hours\)$" "play --length 25:00:00" -- \
    play "$S/ok.session" --length 25:00:00
expect 2 "is not a duration" "render --length 2x" -- render "$S/ok.session" -o "$T/out/x.wav" --length 2x

# folders others may write: a warning naming them (and the work still done)
mkdir -p "$T/loose-store" "$T/loose-cache/relax"; chmod 777 "$T/loose-store" "$T/loose-cache/relax"
RELAX_STORE="$T/loose-store/p.db" "$RELAX" profiles >/dev/null 2>"$T/stderr" || { fail "loose store: failed"; cat "$T/stderr"; }
grep -q "warning: the progress store's folder $T/loose-store can be written by other users" "$T/stderr" ||
    { fail "loose store: no warning"; cat "$T/stderr"; }
XDG_CACHE_HOME="$T/loose-cache" "$RELAX" render "$S/ok.session" -o "$T/out/ok.wav" 2>"$T/stderr" ||
    fail "loose cache: render failed"
grep -q "warning: the cache folder $T/loose-cache/relax can be written by other users" "$T/stderr" ||
    { fail "loose cache: no warning"; cat "$T/stderr"; }
chmod 755 "$T/loose-cache/relax"
XDG_CACHE_HOME="$T/loose-cache" "$RELAX" render "$S/ok.session" -o "$T/out/ok.wav" 2>"$T/stderr"
grep -q warning "$T/stderr" && fail "tight cache: warned anyway"
pass "loose store and cache folders get a warning naming them"
finish
