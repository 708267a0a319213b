#!/usr/bin/env bash
# relax check / timeline / captions / list: command-line mistakes exit 2 with a message.
set -u
: "${RELAX:?}" "${RLX_TEST_DATA:?}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
fail=0
expect() {   # expect CODE PATTERN -- ARGS...
    local code=$1 pat=$2; shift 3
    local out rc
    out=$(timeout 20 "$RELAX" "$@" 2>&1); rc=$?
    if [ "$rc" != "$code" ]; then echo "FAIL: relax $* exited $rc, expected $code"; echo "$out"; fail=1; return; fi
    if ! grep -qE -- "$pat" <<<"$out"; then echo "FAIL: relax $*: no '$pat' in:"; echo "$out"; fail=1; fi
}
expect 2 'name at least one'        -- check
expect 2 "unknown option '--bogus'" -- check --bogus "$RLX_TEST_DATA/check/valid/short.session"
expect 0 'Usage: relax check'       -- check --help
expect 2 'name a session'           -- timeline -o "$T/x.svg"
expect 2 'name the output'          -- timeline "$RLX_TEST_DATA/check/valid/short.session"
expect 2 'needs a value'            -- timeline "$RLX_TEST_DATA/check/valid/short.session" -o
expect 2 "bad --length 'soon'"      -- timeline "$RLX_TEST_DATA/check/valid/short.session" -o "$T/x.svg" --length soon
expect 2 "bad --scale"              -- timeline "$RLX_TEST_DATA/check/valid/short.session" -o "$T/x.svg" --scale 0
expect 2 'name the output'          -- captions "$RLX_TEST_DATA/check/valid/short.session"
expect 2 "unknown option '-x'"      -- captions -x
expect 2 "unexpected argument"      -- list extra
expect 0 'Usage: relax list'        -- list --help
[ -e "$T/x.svg" ] && { echo "FAIL: an output file was written on a usage error"; fail=1; }
exit $fail
