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
    # 20 s of 48 kHz stereo 24-bit PCM is 5.76 MB; allow for the header.
    size=$(stat -c %s "$out" 2>/dev/null || echo 0)
    if [ "$size" -lt 5000000 ] || [ "$size" -gt 6500000 ]; then
        echo "FAIL: week-$n excerpt has an unexpected size ($size bytes)"; fail=1
    else
        echo "ok: week-$n ($size bytes)"
    fi
done
exit $fail
