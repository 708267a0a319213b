# render_lib.bash - shared setup for the tests/e2e/render_*.sh scripts (sourced; not a test itself).
set -u
: "${RELAX:?RELAX must name the relax binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/relax-e2e-render.XXXXXX")
export XDG_CACHE_HOME="$T/cache" XDG_DATA_HOME="$T/data" RELAX_STORE="$T/data/progress.db"
export RELAX_SESSIONS="$T/sessions"
mkdir -p "$T/sessions" "$T/out"
FAILS=0
MOUNTS=()
cleanup() {
    for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# full_disk DIR BYTES: from now on "$RELAX" runs under tests/preload/full_disk.sh:
# its writes under DIR fail with "no space left" after BYTES (no root or tmpfs
# needed). full_disk off: back to normal.
RELAX_REAL=$RELAX
full_disk() {
    if [ "$1" = off ]; then RELAX=$RELAX_REAL; return; fi
    RELAX="$T/relax-full-disk"
    printf '#!/bin/sh\nexec "%s" "%s" "%s" "%s" "$@"\n' \
        "$(cd "$(dirname "${BASH_SOURCE[0]}")/../preload" && pwd)/full_disk.sh" "$1" "$2" "$RELAX_REAL" > "$RELAX"
    chmod +x "$RELAX"
}
pass() { echo "ok: $*"; }

# A session with one voice clip, the tone and an ambient bed; $1 = file, $2 = timeline lines
write_session() {
    local file=$1; shift
    {
        printf '[session]\nid = e2e\ntitle = "e2e"\n[voice]\nlevel = off\n'
        printf '[breath]\nlevel = -24 dB\n'
        printf '%s\n' "$@"
    } > "$file"
}

# expect CODE PATTERN DESC -- relax args... : runs relax, checks the exit code,
# that stderr has exactly one line matching PATTERN among its error lines,
# and that stdout is empty.
expect() {
    local code=$1 pattern=$2 desc=$3; shift 4
    "$RELAX" "$@" >"$T/stdout" 2>"$T/stderr"
    local rc=$?
    if [ "$rc" != "$code" ]; then
        fail "$desc: exit $rc, expected $code"; sed 's/^/    /' "$T/stderr"; return 1
    fi
    if ! grep -qE -- "$pattern" "$T/stderr"; then
        fail "$desc: stderr lacks /$pattern/"; sed 's/^/    /' "$T/stderr"; return 1
    fi
    if [ -s "$T/stdout" ]; then
        fail "$desc: stdout not empty"; return 1
    fi
    pass "$desc (exit $rc: $(grep -E -- "$pattern" "$T/stderr" | head -1))"
}

# one_line DESC: stderr is exactly one line
one_line() {
    local n; n=$(wc -l < "$T/stderr")
    [ "$n" = 1 ] || { fail "$1: $n lines on stderr, expected one"; sed 's/^/    /' "$T/stderr"; }
}

# untouched FILE SUM DESC: FILE still has checksum SUM and is alone in its folder (no temporaries)
untouched() {
    local f=$1 sum=$2 desc=$3
    [ "$(md5sum < "$f" 2>/dev/null)" = "$sum" ] || fail "$desc: $f was changed"
    local left; left=$(ls -A "$(dirname "$f")")
    [ "$left" = "$(basename "$f")" ] || fail "$desc: $(dirname "$f") holds: $left"
}

finish() {
    if [ "$FAILS" -gt 0 ]; then echo "$FAILS check(s) failed"; exit 1; fi
    echo "all checks passed"; exit 0
}
