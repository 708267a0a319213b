#!/bin/bash
# render_signal.sh - SIGINT / SIGTERM during a render: exit 130, OUT untouched,
# the temporary removed.
. "$(dirname "$0")/render_lib.bash"

S=$T/sessions
sox -n -r 44100 -c 1 "$S/voice.flac" synth 2 sine 330 fade 0.05 2 0.05 vol 0.3
# long enough that the render is still running when the signal comes
write_session "$S/long.session" '[timeline]' '0:01 play voice.flac' '3:00:00 end'
OUT=$T/out/long.flac
printf 'keep me\n' > "$OUT"
SUM=$(md5sum < "$OUT")

for sig in INT TERM; do
    "$RELAX" render "$S/long.session" -o "$OUT" >"$T/stdout" 2>"$T/stderr" &
    pid=$!
    # wait (bounded) for the temporary file: then the render is under way
    for _ in $(seq 1 600); do
        [ -n "$(ls -A "$T/out" | grep -v '^long.flac$')" ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
    done
    [ -n "$(ls -A "$T/out" | grep -v '^long.flac$')" ] || fail "SIG$sig: no temporary file appeared"
    kill -$sig $pid
    wait $pid
    rc=$?
    [ "$rc" = 130 ] || fail "SIG$sig: exit $rc, expected 130"
    grep -q "interrupted; $OUT was not written" "$T/stderr" || { fail "SIG$sig: message"; cat "$T/stderr"; }
    [ -s "$T/stdout" ] && fail "SIG$sig: stdout not empty"
    untouched "$OUT" "$SUM" "SIG$sig"
    pass "SIG$sig: exit $rc, $(tail -1 "$T/stderr")"
done
# a signal while the audio is being prepared (text-to-speech, cold cache):
# stops before the next line instead of preparing all of them
lines=('[timeline]')
for ((i = 0; i < 40; i++)); do
    lines+=("$((i / 3)):$(printf %02d $((i % 3 * 20))) say \"Line $i. Let your shoulders soften a little more with every breath you take.\"")
done
lines+=('15:00 end')
write_session "$S/tts.session" "${lines[@]}"
export XDG_CACHE_HOME="$T/cache-tts"   # cold: nothing prepared yet
"$RELAX" render "$S/tts.session" -o "$OUT" >"$T/stdout" 2>"$T/stderr" &
pid=$!
for _ in $(seq 1 600); do
    [ -n "$(ls "$XDG_CACHE_HOME"/relax/clips/*.wav 2>/dev/null)" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
done
kill -INT $pid
wait $pid
rc=$?
n=$(ls "$XDG_CACHE_HOME"/relax/clips/*.wav 2>/dev/null | wc -l)
[ "$rc" = 130 ] || fail "SIGINT while preparing: exit $rc, expected 130"
grep -q "interrupted while preparing the audio; $OUT was not written" "$T/stderr" ||
    { fail "SIGINT while preparing: message"; cat "$T/stderr"; }
[ "$n" -lt 40 ] || fail "SIGINT while preparing: all $n lines were prepared anyway"
untouched "$OUT" "$SUM" "SIGINT while preparing"
pass "SIGINT while preparing: exit $rc after $n of 40 lines"
finish
