#!/usr/bin/env bash
# e2e: the first 20 seconds of every shipped session render to a WAV file
# (an excerpt keeps this fast; the whole session is prepared, so every
# spoken line and asset must be usable).
set -u
: "${RELAX:?RELAX must point at the relax binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The spoken lines are shared by the content tests through a cache in the
# build folder (never the user's own cache): a cold cache costs minutes.
export XDG_CACHE_HOME="${RLX_BUILD_DIR:-$tmp}/content-test-cache"
export XDG_DATA_HOME="$tmp/data" RELAX_STORE="$tmp/data/progress.db"
export RELAX_SESSIONS="${RLX_SOURCE_DIR:?}/sessions"
fail=0
for n in 01 02 03 04 05 06 07 08 09 10; do
    out="$tmp/week-$n.wav"
    if ! "$RELAX" render "week-$n" --from 0:00 --to 0:20 -o "$out" >"$tmp/log" 2>&1; then
        echo "FAIL: render week-$n"; cat "$tmp/log"; fail=1; continue
    fi
    # The excerpt is 20 s long (soxi, from sox in .ci/install-deps, reads the header).
    secs=$(soxi -D "$out" 2>/dev/null)
    if [ -z "$secs" ] || ! awk -v s="$secs" 'BEGIN { exit !(s > 19.9 && s < 20.1) }'; then
        echo "FAIL: week-$n excerpt is not 20 s long ('$secs')"; fail=1
        continue
    fi
    # ...and not silent: the welcome starts within the first seconds.
    level=$(sox "$out" -n stats 2>&1 | awk '/^RMS lev dB/ { print $4 }')
    if [ -z "$level" ] || ! awk -v l="$level" 'BEGIN { exit !(l > -40 && l < -6) }'; then
        echo "FAIL: week-$n excerpt level is $level dBFS RMS"; fail=1
    else
        echo "ok: week-$n ($secs s, $level dBFS RMS)"
    fi
done
exit $fail
