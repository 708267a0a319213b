#!/usr/bin/env bash
# e2e: `relax new NAME [-o FILE]` writes a template that passes `relax check`,
# never overwrites, and rejects bad names and options with exit code 2.
set -u
: "${RELAX:?RELAX must point at the relax binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache" XDG_DATA_HOME="$tmp/data" RELAX_STORE="$tmp/data/progress.db"
fail=0
expect() {  # expect CODE DESCRIPTION -- command...
    local want=$1 what=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: $what: exit $got, expected $want"; cat "$tmp/out" "$tmp/err"; fail=1
    else
        echo "ok: $what"
    fi
}

cd "$tmp" || exit 1
expect 0 "new writes NAME.session" -- "$RELAX" new my-evening
[ -s my-evening.session ] || { echo "FAIL: my-evening.session missing or empty"; fail=1; }
grep -q '^id *= *my-evening' my-evening.session || { echo "FAIL: id not set in template"; fail=1; }
grep -q '^title *= *"My evening"$' my-evening.session || { echo "FAIL: title not made from the name"; fail=1; }
expect 0 "the template passes check" -- "$RELAX" check my-evening.session
if grep -Eiq '(^|[^a-z])(error|warning):' "$tmp/out" "$tmp/err"; then
    echo "FAIL: check reported problems:"; cat "$tmp/out" "$tmp/err"; fail=1
fi

cp my-evening.session before.session
expect 2 "new refuses to overwrite" -- "$RELAX" new my-evening
grep -q "already exists" "$tmp/err" || { echo "FAIL: no 'already exists' message"; cat "$tmp/err"; fail=1; }
cmp -s my-evening.session before.session || { echo "FAIL: existing file was changed"; fail=1; }

mkdir sub
expect 0 "new -o FILE" -- "$RELAX" new second -o sub/other.session
[ -s sub/other.session ] || { echo "FAIL: -o file not written"; fail=1; }
[ ! -e second.session ] || { echo "FAIL: wrote the default file despite -o"; fail=1; }
grep -q '^id *= *second' sub/other.session || { echo "FAIL: id not set with -o"; fail=1; }
expect 0 "the -o template passes check" -- "$RELAX" check sub/other.session
expect 2 "-o onto an existing file" -- "$RELAX" new third -o sub/other.session

expect 2 "invalid name (upper case)" -- "$RELAX" new Bad
expect 2 "invalid name (slash)" -- "$RELAX" new ../escape
[ ! -e ../escape.session ] || { echo "FAIL: wrote outside"; fail=1; }
expect 2 "invalid name (leading dash handled as option)" -- "$RELAX" new -x
expect 2 "missing NAME" -- "$RELAX" new
expect 2 "two names" -- "$RELAX" new one two
expect 2 "-o without a file" -- "$RELAX" new one -o
expect 5 "unwritable folder" -- "$RELAX" new four -o "$tmp/no/such/dir/four.session"
expect 0 "--help" -- "$RELAX" new --help

exit $fail
