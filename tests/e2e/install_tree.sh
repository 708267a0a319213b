#!/usr/bin/env bash
# cmake --install into a temporary prefix, move the prefix, and run the
# installed relax from another folder with the source tree (and the build
# tree inside it) out of reach (a private mount namespace hides it behind an
# empty tmpfs): list, check, a 10-second render, and both man pages.
set -u
: "${RELAX:?}" "${RLX_SOURCE_DIR:?}" "${RLX_BUILD_DIR:?}"
W=$(mktemp -d "${TMPDIR:-/tmp}/relax-e2e-install.XXXXXX")
trap 'rm -rf "$W"' EXIT
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

cmake --install "$RLX_BUILD_DIR" --prefix "$W/first" >"$W/install.log" 2>&1 || { cat "$W/install.log"; fail "cmake --install"; }
for f in bin/relax share/relax/sessions/ten-weeks.program share/relax/sessions/week-01.session \
         share/relax/assets/chime.flac share/relax/assets/ambient/shore.ogg \
         share/man/man1/relax.1.gz share/man/man5/relax-session.5.gz \
         share/bash-completion/completions/relax share/zsh/vendor-completions/_relax \
         share/doc/relax/README.md share/doc/relax/copyright; do
    [ -f "$W/first/$f" ] || fail "not installed: $f"
done
[ -e "$W/first/share/relax/assets/gen" ] && fail "the asset generator's source was installed"
[ -e "$W/first/bin/relax-source-dir" ] && fail "the build-tree marker was installed"
mv "$W/first" "$W/moved"   # relocatable: nothing points at the old prefix
mkdir -p "$W/elsewhere" "$W/home"

# runs the rest inside a mount namespace where the source tree is empty;
# root can make one directly, anyone else through a user namespace
if [ "$(id -u)" -eq 0 ]; then NS=(unshare --mount --propagation private); else NS=(unshare --map-root-user --mount); fi
"${NS[@]}" true 2>"$W/ns.err" || { fail "cannot make a mount namespace to hide the source tree: $(cat "$W/ns.err")"; echo "$FAILS failure(s)"; exit 1; }

# The spoken lines come from the cache the content tests share in the build
# folder (a cold cache costs minutes); it is bind-mounted out of the tree
# before the tree is hidden.
CACHE="$RLX_BUILD_DIR/content-test-cache"
mkdir -p "$CACHE" "$W/cache"
"${NS[@]}" env -i PATH=/usr/bin:/bin HOME="$W/home" TZ=UTC LANG=C.UTF-8 XDG_CACHE_HOME="$W/cache" \
    SRC="$RLX_SOURCE_DIR" CACHE="$CACHE" R="$W/moved/bin/relax" P="$W/moved" D="$W/elsewhere" bash -c '
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
mount --bind "$CACHE" "$XDG_CACHE_HOME" || fail "cannot bind the shared cache"
mount -t tmpfs none "$SRC" || fail "cannot hide the source tree"
[ -z "$(ls -A "$SRC")" ] || fail "the source tree is still visible"
cd "$D"
"$R" --version | grep -qx "relax [0-9]*\.[0-9]*\.[0-9]*" || fail "--version"
"$R" list >list.out 2>&1 || { cat list.out; fail "relax list exited $?"; }
grep -q "^   1  week-01  Arriving" list.out || { cat list.out; fail "relax list does not show week 1"; }
[ "$(grep -c "^ *[0-9]*  week-" list.out)" = 10 ] || fail "relax list does not show ten weeks"
"$R" check week-01 >check.out 2>&1 || { cat check.out; fail "relax check week-01"; }
grep -qF "$P/share/relax/sessions/week-01.session: ok" check.out || { cat check.out; fail "check did not use the moved prefix"; }
"$R" render week-01 --to 0:10 -o w1.wav >render.out 2>&1 || { cat render.out; fail "relax render"; }
grep -q "^wrote w1.wav (0:10, 48000 Hz)" render.out || { cat render.out; fail "render message"; }
[ "$(stat -c %s w1.wav)" -gt 2000000 ] || fail "w1.wav is too small for 10 s of 24-bit stereo"
for page in "$P/share/man/man1/relax.1.gz" "$P/share/man/man5/relax-session.5.gz"; do
    MANWIDTH=100 MANPAGER=cat man -l "$page" >man.out 2>man.err || { cat man.err; fail "man -l $page"; }
    grep -q "^NAME" man.out || fail "$page has no NAME section"
done
MANWIDTH=100 MANPAGER=cat man -l "$P/share/man/man1/relax.1.gz" 2>/dev/null | grep -q "^EXIT CODES" || fail "relax(1) lacks EXIT CODES"
MANWIDTH=100 MANPAGER=cat man -l "$P/share/man/man5/relax-session.5.gz" 2>/dev/null | grep -q "^THE SESSION LANGUAGE" || fail "relax-session(5) lacks THE SESSION LANGUAGE"
' || fail "the installed relax (see above)"

# the binary copied alone (no prefix around it): one note saying what is missing
mkdir -p "$W/lone/bin" && cp "$W/moved/bin/relax" "$W/lone/bin/"
(cd "$W/elsewhere" && env -u RELAX_SESSIONS -u RELAX_PROGRAM HOME="$W/home" "$W/lone/bin/relax" list) >"$W/out" 2>"$W/err"; rc=$?
[ "$rc" -eq 3 ] || fail "lone binary: list exited $rc"
grep -qF "relax: note: the built-in sessions belong in $W/lone/bin/../share/relax, which is missing: install relax" "$W/err" \
    || fail "lone binary: $(cat "$W/err")"

[ "$FAILS" -eq 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "all passed"
