#!/usr/bin/env bash
# relax check on valid files: exit 0, the lengths and the cue list on stdout.
set -u
: "${RELAX:?}" "${RLX_TEST_DATA:?}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
D=$RLX_TEST_DATA/check/valid
fail=0
has() {   # has TEXT FILE: a line of FILE equals TEXT exactly
    grep -qxF -- "$1" "$2" || { echo "FAIL: no line '$1' in:"; cat "$2"; fail=1; }
}
timeout 120 "$RELAX" check "$D/short.session" >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 0 ] || { echo "FAIL: exit $rc"; cat "$T/err"; fail=1; }
has "$D/short.session: ok — \"Short & <sweet>\" (week 1)" "$T/out"
has "  length natural 0:25, plays at 0:25 to 0:50" "$T/out"
has "     0:00.000  fade-in   2 s" "$T/out"
has "     0:01.000  say       Hello there." "$T/out"
grep -qE '^ +0:[0-9]{2}\.[0-9]{3}  silence   5 s \.\. 30 s \(stretchable\)$' "$T/out" || { echo "FAIL: silence line"; fail=1; }
grep -qE '^ +0:[0-9]{2}\.[0-9]{3}  breath    sync$' "$T/out" || { echo "FAIL: breath sync line"; fail=1; }
grep -qE '^ +0:[0-9]{2}\.[0-9]{3}  level     breath -30 dB over 2 s$' "$T/out" || { echo "FAIL: level line"; fail=1; }
has "     0:20.000  fade-out  5 s" "$T/out"
has "     0:25.000  end" "$T/out"
has "1 file checked: 1 valid, 0 invalid; 0 errors, 0 warnings" "$T/out"
[ -s "$T/err" ] && { echo "FAIL: unexpected stderr:"; cat "$T/err"; fail=1; }

# a session, a voiceless one and the program naming both; --quiet leaves out the cues
timeout 120 "$RELAX" check --quiet "$D/short.session" "$D/tone.session" "$D/check.program" >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 0 ] || { echo "FAIL: --quiet exit $rc"; cat "$T/err"; fail=1; }
has "$D/tone.session: ok — \"Tone only\" (week 2)" "$T/out"
has "  length natural 0:10, plays at 0:10 to 0:10 (nothing stretches)" "$T/out"
has "$D/check.program: ok — \"Two short weeks\" (2 sessions)" "$T/out"
has "3 files checked: 3 valid, 0 invalid; 0 errors, 0 warnings" "$T/out"
grep -q 'Hello there' "$T/out" && { echo "FAIL: --quiet printed cues"; fail=1; }

# the folder: the same three files, sorted
timeout 120 "$RELAX" check "$D" >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 0 ] || { echo "FAIL: folder exit $rc"; cat "$T/err"; fail=1; }
grep -n ': ok ' "$T/out" | cut -d: -f2 > "$T/order"
printf '%s\n' "$D/check.program" "$D/short.session" "$D/tone.session" | diff - "$T/order" \
    || { echo "FAIL: folder order"; fail=1; }
has "  week 1   short.session          \"Short & <sweet>\"" "$T/out"

# a session id, as play and render take it: the file in the sessions folder
(cd "$T" && RELAX_SESSIONS=$D timeout 120 "$RELAX" check --quiet short) >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 0 ] || { echo "FAIL: check by id: exit $rc"; cat "$T/err"; fail=1; }
has "$D/short.session: ok — \"Short & <sweet>\" (week 1)" "$T/out"
(cd "$T" && RELAX_SESSIONS=$D timeout 60 "$RELAX" check no-such-id) >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 3 ] || { echo "FAIL: unknown id: exit $rc"; fail=1; }
has "no-such-id: error: no such file, and no session in $D has this id; 'relax list' shows the program's ids" "$T/err"

# no usable cache (its folder is a file): still valid, with a warning and "length ?"
: > "$T/notadir"
XDG_CACHE_HOME=$T/notadir timeout 60 "$RELAX" check "$D/short.session" >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 0 ] || { echo "FAIL: no cache: exit $rc"; cat "$T/err"; fail=1; }
has "  length ?" "$T/out"
has "$D/short.session: warning: cannot measure the voice: cannot use the cache folder $T/notadir/relax: $T/notadir is a file, not a folder; make it a writable folder or set XDG_CACHE_HOME to one" "$T/err"
# the commands that need the cache all stop with exit 5 and the same reason
for cmd in "timeline $D/short.session -o $T/x.svg" "captions $D/short.session -o $T/x.vtt" \
           "render $D/short.session -o $T/x.wav"; do
    XDG_CACHE_HOME=$T/notadir timeout 60 "$RELAX" $cmd >/dev/null 2>"$T/err"; rc=$?
    [ "$rc" = 5 ] || { echo "FAIL: $cmd without a cache: exit $rc, expected 5"; fail=1; }
    grep -qF "cannot use the cache folder $T/notadir/relax: $T/notadir is a file, not a folder" "$T/err" \
        || { echo "FAIL: $cmd without a cache:"; cat "$T/err"; fail=1; }
    [ -e "$T/x.${cmd##*.}" ] && { echo "FAIL: $cmd without a cache left an output"; fail=1; }
done
exit $fail
