#!/bin/sh
# Builds the asset generator and (re)writes assets/ambient/*.ogg and assets/chime.flac.
# Usage: assets/gen/make-assets.sh   (from anywhere; needs cc and libsndfile1-dev)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
assets=$(dirname "$here")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -std=c11 -O2 -Wall -Wextra -o "$tmp/make_assets" "$here/make_assets.c" \
    $(pkg-config --cflags --libs sndfile) -lm
mkdir -p "$assets/ambient"
"$tmp/make_assets" "$assets"
