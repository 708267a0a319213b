#!/usr/bin/env bash
# The Debian package: cpack -G DEB builds it, dpkg-deb -I shows the runtime
# Depends dpkg-shlibdeps found, dpkg-deb -c the files in their Debian places;
# unpacked into a scratch root (dpkg -x) and moved, its relax runs.
set -u
: "${RLX_SOURCE_DIR:?}" "${RLX_BUILD_DIR:?}"
W=$(mktemp -d "${TMPDIR:-/tmp}/relax-e2e-deb.XXXXXX")
trap 'rm -rf "$W"' EXIT
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# a private output folder: several builds of the package never meet
(cd "$W" && cpack -G DEB -B "$W/pkg" --config "$RLX_BUILD_DIR/CPackConfig.cmake") >"$W/cpack.log" 2>&1 \
    || { cat "$W/cpack.log"; fail "cpack -G DEB"; }
deb=$(ls "$W"/pkg/relax_*_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { fail "no relax_VERSION_ARCH.deb made"; echo "$FAILS failure(s)"; exit 1; }
version=$(sed -n 's/^project(relax VERSION \([0-9.]*\).*/\1/p' "$RLX_SOURCE_DIR/CMakeLists.txt")
[ "$(basename "$deb")" = "relax_${version}_$(dpkg --print-architecture).deb" ] || fail "package name $(basename "$deb")"

dpkg-deb -I "$deb" >"$W/info" || fail "dpkg-deb -I"
field() { sed -n "s/^ $1: //p" "$W/info"; }
[ "$(field Package)" = relax ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version)"
[ "$(field Section)" = sound ] || fail "Section: $(field Section)"
deps=$(field Depends)
for lib in libc6 libportaudio2 libsndfile1 libsamplerate0 libsqlite3-0 libebur128-1 libflite1; do
    echo "$deps" | grep -qE "(^|, )$lib( \(|,|$)" || fail "Depends lacks $lib: $deps"
done
echo "$deps" | grep -qE -- "-dev( |,|$)" && fail "Depends names a -dev package: $deps"

dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$W/files"
for f in /usr/bin/relax /usr/share/relax/sessions/ten-weeks.program /usr/share/relax/sessions/week-10.session \
         /usr/share/relax/assets/chime.flac /usr/share/relax/assets/ambient/rain.ogg \
         /usr/share/man/man1/relax.1.gz /usr/share/man/man5/relax-session.5.gz \
         /usr/share/bash-completion/completions/relax /usr/share/zsh/vendor-completions/_relax \
         /usr/share/doc/relax/copyright /usr/share/doc/relax/README.md; do
    grep -qxF "$f" "$W/files" || fail "the package lacks $f"
done
grep -v '^/usr/' "$W/files" | grep -vx '/' && fail "files outside /usr"
grep -qE 'relax-source-dir|/gen/' "$W/files" && fail "build-only files in the package"

dpkg -x "$deb" "$W/root" || fail "dpkg -x"
# no data folder of the build machine compiled in (a sanitizer build keeps
# source file names for its reports, so look for the data folders themselves)
for d in sessions assets; do
    grep -qF "$RLX_SOURCE_DIR/$d" "$W/root/usr/bin/relax" && fail "the binary holds $RLX_SOURCE_DIR/$d"
done
mv "$W/root" "$W/moved"
mkdir "$W/cwd"
out=$(cd "$W/cwd" && env -i PATH=/usr/bin:/bin HOME="$W/home" "$W/moved/usr/bin/relax" list --ids 2>&1)
[ "$out" = "$(printf 'week-%02d\n' 1 2 3 4 5 6 7 8 9 10)" ] || fail "unpacked relax list --ids: $out"

[ "$FAILS" -eq 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "all passed"
