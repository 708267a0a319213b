#!/usr/bin/env bash
# timeline -o and captions -o write like render: through a temporary and a
# rename, so a symlink named as output is replaced (its target untouched), a
# failed write keeps the old output, and temporaries left by killed runs of
# our own naming are swept (only ours, only dead or old ones).
. "$(dirname "$0")/render_lib.bash"
: "${RLX_TEST_DATA:?}"
D=$RLX_TEST_DATA/check

# a session whose SVG and captions are several KB
{ printf '[session]\nid = many\ntitle = "Many"\n[timeline]\n'
  for i in $(seq 1 24); do
      printf '+1 s say "Line %d. You might let your shoulders soften a little, only if that feels right to you."\n' "$i"
  done
  printf '+1 s end\n'; } > "$T/many.session"

for cmd in timeline:svg captions:vtt; do
    name=${cmd%%:*} ext=${cmd##*:}
    # a symlink as output: replaced by the new file, its target untouched
    mkdir -p "$T/$name" && printf 'precious\n' > "$T/$name/target.txt"
    ln -s "$T/$name/target.txt" "$T/$name/link.$ext"
    "$RELAX" "$name" "$D/valid/short.session" -o "$T/$name/link.$ext" 2>"$T/stderr"; rc=$?
    [ "$rc" = 0 ] || { fail "$name: symlink output: exit $rc"; cat "$T/stderr"; }
    [ "$(cat "$T/$name/target.txt")" = precious ] || fail "$name: wrote through the symlink"
    [ -L "$T/$name/link.$ext" ] && fail "$name: the symlink is still there"
    [ -s "$T/$name/link.$ext" ] || fail "$name: no output in place of the symlink"
    pass "$name: a symlink named as output is replaced, its target untouched"

    # a write failure (the file size limit: EFBIG) keeps the old output, leaves
    # no temporary and says what happened. The cache is warmed first; stderr
    # (a file here) stays below the 1 KB limit, the outputs do not.
    mkdir -p "$T/full-$name" && printf 'keep me\n' > "$T/full-$name/out.$ext"
    SUM=$(md5sum < "$T/full-$name/out.$ext")
    "$RELAX" "$name" "$T/many.session" -o "$T/warm.$ext" || fail "$name: warm-up failed"
    [ "$(stat -c %s "$T/warm.$ext")" -gt 2048 ] || fail "$name: the test output is too small to hit the limit"
    REAL=$RELAX
    RELAX="$T/relax-fsize"
    printf '#!/bin/bash\ntrap "" XFSZ\nulimit -f 1\nexec "%s" "$@"\n' "$REAL" > "$RELAX"; chmod +x "$RELAX"
    expect 5 "cannot write '.*out\.$ext': File too large" "$name: write failure" -- \
        "$name" "$T/many.session" -o "$T/full-$name/out.$ext"
    RELAX=$REAL
    untouched "$T/full-$name/out.$ext" "$SUM" "$name: write failure"
done

# render says EFBIG as it is, not "no space left"
printf '[session]\nid = f\ntitle = "F"\n[timeline]\n0:05 end\n' > "$T/f.session"
mkdir -p "$T/big"
printf '#!/bin/bash\ntrap "" XFSZ\nulimit -f 16\nexec "%s" "$@"\n' "$RELAX" > "$T/relax-fsize"
RELAX_SAVED=$RELAX; RELAX="$T/relax-fsize"
expect 5 "cannot write .*big/f\.wav: file too large" "render: file size limit" -- render "$T/f.session" -o "$T/big/f.wav"
RELAX=$RELAX_SAVED
[ -z "$(ls -A "$T/big")" ] || fail "render: file size limit: left $(ls -A "$T/big")"

# Stale temporaries: one of a process that has ended, one of the old naming a
# day old are swept; a fresh one of the old naming, one of a live process,
# someone else's name and a symlink are left alone.
O=$T/sweep && mkdir -p "$O"
sh -c 'exit 0' & dead=$!; wait $dead
touch "$O/.out.svg.$dead.AbC123" "$O/.out.svg.XyZ789" "$O/.out.svg.QwE456" "$O/.out.svg.$$.LiVe12" \
      "$O/.out.svg.notours" "$O/.other.svg.$dead.AbC123"
touch -d '2 days ago' "$O/.out.svg.XyZ789"
ln -s /dev/null "$O/.out.svg.$dead.SyMl1k"
"$RELAX" timeline "$D/valid/short.session" -o "$O/out.svg" 2>"$T/stderr" || { fail "sweep: timeline failed"; cat "$T/stderr"; }
left=$(cd "$O" && ls -A | sort | tr '\n' ' ')
want=$(printf '%s\n' .other.svg.$dead.AbC123 .out.svg.$$.LiVe12 .out.svg.$dead.SyMl1k .out.svg.QwE456 \
       .out.svg.notours out.svg | sort | tr '\n' ' ')
[ "$left" = "$want" ] || fail "sweep: left [$left], expected [$want]"
pass "sweep: only dead or day-old temporaries of our naming for this output were removed"
finish
