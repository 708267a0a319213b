#!/usr/bin/env bash
# relax check on invalid files: each prints its exact compiler-style line
# (file:line:col: error: message), the source line with a caret, exit 3.
set -u
: "${RELAX:?}" "${RLX_TEST_DATA:?}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
cd "$RLX_TEST_DATA/check/invalid" || exit 1
fail=0
# FILE|EXPECTED START OF THE DIAGNOSTIC LINE (whole line unless it ends in '...')
cases=(
  "bad-time.session|bad-time.session:7:1: error: expected a time like '13:20', '1:02:03.5' or '+2 s'"
  "unknown-cue.session|unknown-cue.session:6:8: error: unknown cue 'sya' (did you mean 'say'?)"
  "unknown-key.session|unknown-key.session:6:1: error: unknown key 'patern' in [breath] (did you mean 'pattern'?)"
  "backwards.session|backwards.session:7:1: error: absolute time 0:05 is before the previous cue at 0:10"
  "silence-range.session|silence-range.session:6:25: error: the longest silence (0:40) is shorter than the shortest (4:00)"
  "unterminated.session|unterminated.session:3:9: error: unterminated string"
  "missing-audio.session|missing-audio.session:6:13: error: audio file 'no-such-file.flac' not found (looked in ..."
  "bad-audio.session|bad-audio.session:6:13: error: garbage.wav: not a valid audio file..."
  "overlap.session|overlap.session:7:1: error: 'say' starts at 0:01 while the previous voice cue runs until ..."
  "missing-session.program|missing-session.program:6:1: error: session file 'no-such-week.session' not found ..."
)
for c in "${cases[@]}"; do
    file=${c%%|*} want=${c#*|}
    out=$(timeout 60 "$RELAX" check "$file" 2>&1 >/dev/null); rc=$?
    [ "$rc" = 3 ] || { echo "FAIL: $file: exit $rc, expected 3"; fail=1; }
    line=$(head -1 <<<"$out")
    if [ "${want%...}" != "$want" ]; then
        [ "${line#"${want%...}"}" != "$line" ] || { echo "FAIL: $file: got '$line', want '$want'"; fail=1; }
    else
        [ "$line" = "$want" ] || { echo "FAIL: $file: got '$line', want '$want'"; fail=1; }
    fi
    # then the offending line and a caret under the column
    col=$(cut -d: -f3 <<<"$line")
    caret=$(sed -n 3p <<<"$out")
    [ "$caret" = "$(printf '%*s^' $((col + 1)) '')" ] || { echo "FAIL: $file: caret '$caret' not under column $col"; echo "$out"; fail=1; }
done
# all of them at once: every error reported, one summary, exit 3
out=$(timeout 60 "$RELAX" check *.session *.program 2>&1); rc=$?
[ "$rc" = 3 ] || { echo "FAIL: all: exit $rc"; fail=1; }
[ "$(grep -c ': error: ' <<<"$out")" -ge 10 ] || { echo "FAIL: all: not every error reported"; echo "$out"; fail=1; }
grep -qx '10 files checked: 0 valid, 10 invalid; [0-9]* errors, 0 warnings' <<<"$out" || { echo "FAIL: all: summary"; fail=1; }
exit $fail
