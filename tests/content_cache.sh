#!/usr/bin/env bash
# ctest fixture (content_cache_warm): speaks every line of the ten weeks into
# the content tests' cache in the build folder, two weeks at a time (each
# `relax check` is a process of its own, and Festival's text2wave runs one
# process per line, so two of them keep two cores busy). The content tests
# that need the spoken lines run after it and find them warm. Asserts that
# every week checks and that the cache then holds its lines.
set -u
: "${RELAX:?RELAX must point at the relax binary}"
: "${RLX_SOURCE_DIR:?}" "${RLX_BUILD_DIR:?}"
export XDG_CACHE_HOME="$RLX_BUILD_DIR/content-test-cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" RELAX_STORE="$tmp/data/progress.db"
jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -gt 2 ] && jobs=2
start=$(date +%s)
printf '%s\n' 01 02 03 04 05 06 07 08 09 10 |
    xargs -P "$jobs" -I{} sh -c '"$RELAX" check --quiet "$RLX_SOURCE_DIR/sessions/week-{}.session" \
        >"'"$tmp"'/week-{}.log" 2>&1 || echo {} >>"'"$tmp"'/failed"'
fail=0
if [ -s "$tmp/failed" ]; then
    for w in $(sort "$tmp/failed"); do
        echo "FAIL: week-$w does not check"; cat "$tmp/week-$w.log"
    done
    fail=1
fi
n=$(ls "$XDG_CACHE_HOME"/relax/clips/*.wav 2>/dev/null | wc -l)
if [ "$n" -lt 320 ]; then
    echo "FAIL: only $n spoken lines in $XDG_CACHE_HOME/relax/clips"; fail=1
fi
echo "content cache: $n clips, warmed in $(( $(date +%s) - start )) s with $jobs processes"
exit $fail
