#!/usr/bin/env bash
# relax check on hostile inputs: a clear error and a non-zero exit, quickly,
# never a hang (each run is bounded by `timeout 10`: 124 would mean a hang).
set -u
: "${RELAX:?}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T/cache XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
fail=0
truncate -s 100M "$T/huge.session"                                  # 100 MB sparse (all NUL)
head -c 1048576 /dev/zero | tr '\0' 'x' > "$T/longline.session"     # one 1 MB line
printf '[session]\nid = nul\ntitle = "a\0b"\n[timeline]\n0:00 end\n' > "$T/nul.session"
head -c 4096 /dev/urandom > "$T/garbage.session"                    # binary garbage
mkfifo "$T/fifo.session"
mkdir "$T/dir.session"
: > "$T/empty.session"
ln -s loop.session "$T/loop.session"                                 # a symlink to itself
run() {   # run NAME FILE...: must exit 3 within 10 s, naming the file in an error
    local name=$1; shift
    local start end rc out
    start=$(date +%s%N)
    out=$(timeout 10 "$RELAX" check "$@" 2>&1 </dev/null); rc=$?
    end=$(date +%s%N)
    echo "$name: exit $rc in $(( (end - start) / 1000000 )) ms"
    if [ "$rc" = 124 ]; then echo "FAIL: $name: relax check hung"; fail=1; return; fi
    if [ "$rc" != 3 ]; then echo "FAIL: $name: exit $rc, expected 3"; echo "$out" | head -20; fail=1; return; fi
    if ! grep -q "$1.*error: " <<<"$out"; then echo "FAIL: $name: no 'error:' line for $1:"; echo "$out" | head -20; fail=1; fi
}
run huge      "$T/huge.session"
run longline  "$T/longline.session"
run nul       "$T/nul.session"
run garbage   "$T/garbage.session"
run fifo      "$T/fifo.session"
run directory "$T/dir.session"
run empty     "$T/empty.session"
run missing   "$T/does-not-exist.session"
run symlink   "$T/loop.session"
# a folder holding all of them: every bad file reported, no hang on the FIFO
out=$(timeout 10 "$RELAX" check "$T" 2>&1 </dev/null); rc=$?
echo "folder: exit $rc"
if [ "$rc" != 3 ]; then echo "FAIL: folder: exit $rc, expected 3"; echo "$out" | head -30; fail=1; fi
for f in huge longline nul garbage fifo dir empty loop; do
    grep -q "$T/$f.session.*error: " <<<"$out" || { echo "FAIL: folder: $f.session not reported"; fail=1; }
done
grep -q "^8 files checked: 0 valid, 8 invalid" <<<"$out" || { echo "FAIL: folder: summary line"; echo "$out" | tail -3; fail=1; }
exit $fail
