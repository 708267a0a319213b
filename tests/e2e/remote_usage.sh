#!/usr/bin/env bash
# relax play / next with the remote's options: mistakes exit 2 with one line
# naming the option, before anything plays or listens.
set -u
: "${RELAX:?}" "${RLX_TEST_DATA:?}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
S="$RLX_TEST_DATA/check/valid/short.session"
fail=0
expect() {   # expect CODE PATTERN -- ARGS...
    local code=$1 pat=$2; shift 3
    local out rc
    out=$(timeout 20 "$RELAX" "$@" 2>&1); rc=$?
    if [ "$rc" != "$code" ]; then echo "FAIL: relax $* exited $rc, expected $code"; echo "$out"; fail=1; return; fi
    if ! grep -qE -- "$pat" <<<"$out"; then echo "FAIL: relax $*: no '$pat' in:"; echo "$out"; fail=1; fi
    if [ "$code" = 2 ] && [ "$(wc -l <<<"$out")" != 1 ]; then echo "FAIL: relax $*: more than one line:"; echo "$out"; fail=1; fi
}
expect 2 '--remote-listen needs a value \(an address' -- play "$S" --remote-listen
expect 2 '--remote-key needs a value'                 -- play "$S" --remote --remote-key
expect 2 '--remote-key goes with --remote'            -- play "$S" --remote-key 0123456789abcdef0123456789abcdef
expect 2 '--remote-key goes with --remote'            -- next --remote-key 0123456789abcdef0123456789abcdef
expect 2 '--remote-listen needs a value'              -- next --remote-listen
expect 0 'remote-listen ADDRESS\[:PORT\]'             -- play --help
expect 0 'remote-listen ADDRESS\[:PORT\]'             -- next --help
exit $fail
