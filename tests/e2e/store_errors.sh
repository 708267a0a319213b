#!/usr/bin/env bash
# A progress store that cannot be used: a clear one-line message naming the
# file, exit 8, and the existing file byte-for-byte unchanged.
. "$(dirname "$0")/store_common.bash"
export RELAX_NOW=$T0

# --- not a database
mkdir -p "$(dirname "$STORE")"
head -c 5000 /dev/urandom > "$STORE"
cp "$STORE" "$W/orig"
for cmd in progress next profiles history; do
    run "$RELAX" $cmd
    expect_rc 8 "corrupt: $cmd"
    expect_err "relax: progress store $STORE is damaged or not a database" "corrupt: $cmd"
    [ "$(wc -l < "$W/err")" -eq 1 ] || fail "corrupt: $cmd: more than one line: $ERR"
    cmp -s "$STORE" "$W/orig" || fail "corrupt: $cmd changed the file"
done
[ ! -e "$STORE-wal" ] || fail "corrupt: a -wal file was created"

# --- --store and RELAX_STORE take precedence over XDG_DATA_HOME; a
#     --store that does not exist (a typo?) is not made by a command that
#     only reads, RELAX_STORE (a setting) is
run "$RELAX" progress --store "$W/other.db"
expect_rc 8 "a --store that does not exist"
expect_err "relax: no progress store at $W/other.db: nothing has been played with it yet; check the name, or play with it first ('relax next --store $W/other.db')" \
    "a --store that does not exist"
[ -e "$W/other.db" ] && fail "progress made the --store $W/other.db"
run "$RELAX" history --store "$W/nodir/sub/other.db"
expect_rc 8 "history, a --store in folders that do not exist"
[ -e "$W/nodir" ] && fail "history made the folders of a --store"
RELAX_STORE="$W/env.db" run "$RELAX" progress
expect_rc 0 "RELAX_STORE"
[ -f "$W/env.db" ] || fail "RELAX_STORE did not create $W/env.db"
"$TOOL" "$W/other2.db" listen default week-01 1 600 600 600 1 $T0 || fail "tool: other2.db"
RELAX_STORE="$W/env2.db" run "$RELAX" progress --store "$W/other2.db"
expect_rc 0 "--store over RELAX_STORE"
grep -E "Week  1 .* done on" "$W/out" >/dev/null || fail "--store does not win over RELAX_STORE: $OUT"
[ -e "$W/env2.db" ] && fail "RELAX_STORE was opened despite --store"
cmp -s "$STORE" "$W/orig" || fail "corrupt store touched"

# --- the store's folder is a file
echo "just a file" > "$W/afile"
run "$RELAX" progress --store "$W/afile/progress.db"
expect_rc 8 "folder is a file"
expect_err "$W/afile is a file, not a folder" "folder is a file"
[ "$(cat "$W/afile")" = "just a file" ] || fail "folder-is-a-file: file changed"

# --- read-only file and folder (root ignores permission bits: use chattr +i)
good="$W/good/progress.db"
RELAX_STORE=$good run "$RELAX" progress
expect_rc 0 "make good store"
cp "$good" "$W/good.orig"
ro_on() { if [ "$(id -u)" -eq 0 ]; then chattr +i "$1"; else chmod a-w "$1"; fi; }
ro_off() { if [ "$(id -u)" -eq 0 ]; then chattr -i "$1"; else chmod u+w "$1"; fi; }
if ro_on "$good" 2>/dev/null; then
    run "$RELAX" progress --store "$good"
    ro_off "$good"
    expect_rc 8 "read-only file"
    expect_err "cannot write the progress store $good: it or its folder is read-only" "read-only file"
    cmp -s "$good" "$W/good.orig" || fail "read-only file changed"
else
    fail "cannot make $good read-only here (chattr +i as root, chmod otherwise)"
fi
if ro_on "$W/good" 2>/dev/null; then
    run "$RELAX" progress --store "$good"
    ro_off "$W/good"
    expect_rc 8 "read-only folder"
    expect_err "it or its folder is read-only" "read-only folder"
    cmp -s "$good" "$W/good.orig" || fail "read-only folder: file changed"
else
    fail "cannot make $W/good read-only here (chattr +i as root, chmod otherwise)"
fi

# --- full disk: tests/preload/full_disk.sh makes every write under $W/full
#     fail with "no space left", as a full disk does
mkdir "$W/full"
nospace() { "$(dirname "$0")/../preload/full_disk.sh" "$W/full" 0 "$@"; }
RELAX_STORE=$W/full/progress.db run "$RELAX" progress
expect_rc 0 "store in the folder"
"$TOOL" "$W/full/progress.db" listen default week-01 1 600 600 600 1 $T0 || fail "tool before the disk fills"
cp "$W/full/progress.db" "$W/full.orig"
run nospace "$TOOL" "$W/full/progress.db" listen default week-02 2 600 600 600 1 $((T0 + 7 * DAY))
[ "$RC" -ne 0 ] || fail "full disk: write succeeded"
expect_err "no space left to" "full disk"; expect_err "the progress store $W/full/progress.db; free some disk space" "full disk"
cmp -s "$W/full/progress.db" "$W/full.orig" || fail "full disk: store changed"
# even reading needs a little room (SQLite's shared-memory index): one clear line
run nospace "$RELAX" progress --store "$W/full/progress.db"
expect_rc 8 "reading a store on a full disk"
expect_err "relax: no space left to open the progress store $W/full/progress.db; free some disk space and try again" "reading on a full disk"
[ "$(wc -l < "$W/err")" -eq 1 ] || fail "reading on a full disk: more than one line: $ERR"
cmp -s "$W/full/progress.db" "$W/full.orig" || fail "reading on a full disk: store changed"
run "$RELAX" progress --store "$W/full/progress.db"
expect_rc 0 "after freeing space"
grep -E "Week  1 .* done on" "$W/out" >/dev/null || fail "full disk lost week 1: $OUT"
grep -E "Week  2 .* done on" "$W/out" >/dev/null && fail "full disk: the failed write shows as done"
finish
