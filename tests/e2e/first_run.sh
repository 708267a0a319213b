#!/usr/bin/env bash
# The first run without a sound card: relax next renders the week as Ogg
# Vorbis into the music folder (XDG_MUSIC_DIR from user-dirs.dirs, else
# ~/Music), says where, and records an offline listen; -o FILE chooses the
# file (and renders even with a device). In the store: progress shows the
# week as "rendered, not yet heard" (text and --json), history lists it as a
# render (CSV column `rendered`), it counts as nothing heard, and a listen
# after it clears the mark.
. "$(dirname "$0")/store_common.bash"
export RELAX_NOW=$T0

render_rec() { "$TOOL" "$STORE" render "$1" "week-$(printf %02d "$2")" "$2" "$3" "$4" || fail "store_tool render"; }

render_rec default 1 600 $T0
run "$RELAX" progress
expect_rc 0 "progress after a render"
grep -qE "Week  1  Test week 01 +rendered, not yet heard$" "$W/out" || fail "week 1 not shown as rendered: $OUT"
grep -qE "Week  2 .* locked$" "$W/out" || fail "week 2: $OUT"
expect_out "Time listened: 0:00 in 0 listens" "a render is not a listen"
run "$RELAX" progress --json
expect_out "\"status\": \"open\", \"completed\": null, \"on_schedule\": null, \"position_ms\": null, \"length_ms\": null, \"opens\": null, \"rendered\": \"$(date -u -d @$T0 +%Y-%m-%dT%H:%M:%SZ)\"}" "json rendered"
expect_out '"next": {"week": 1, "session": "week-01", "resume": false}' "json next after a render"
run "$RELAX" history
expect_out "rendered to a file, not heard" "history text"
run "$RELAX" history --csv
[ "$(sed -n 2p "$W/out" | tr -d '\r' | awk -F, '{ print $NF }')" = 1 ] || fail "csv rendered column: $OUT"

# heard afterwards: the mark goes, the listen counts
listen default 1 600 300 300 1 $((T0 + 3600))
export RELAX_NOW=$((T0 + 7200))
run "$RELAX" progress
grep -qE "Week  1  Test week 01 +open$" "$W/out" || fail "after hearing: $OUT"
expect_out "Time listened: 5:00 in 1 listen" "heard after the render"
run "$RELAX" progress --json
expect_out '"rendered": null' "json after hearing"

# --- relax next itself, without a sound card (no JACK server under this
# name, ALSA given an empty configuration)
export JACK_DEFAULT_SERVER="relax-none-$$" JACK_NO_START_SERVER=1 ALSA_CONFIG_PATH="$W/empty-alsa.conf"
: > "$W/empty-alsa.conf"
mkdir -p "$W/cwd" "$HOME/Music" "$HOME/Tunes" "$W/config" && cd "$W/cwd" || exit 1
export XDG_CONFIG_HOME="$W/config"
# ~/Music when user-dirs.dirs names none
run "$RELAX" next --profile mo
expect_rc 0 "next to ~/Music"
expect_out "No audio device found: rendered week 1 to $HOME/Music/relax-mo-week-01.ogg instead." "~/Music"
expect_out "Play it whenever you are ready; 'relax progress' shows week 1 as rendered, not yet heard." "says what next"
[ "$(head -c 4 "$HOME/Music/relax-mo-week-01.ogg")" = OggS ] || fail "not an Ogg file in ~/Music"
[ -z "$(ls -A "$W/cwd")" ] || fail "next wrote into the current folder: $(ls -A "$W/cwd")"
run "$RELAX" progress --profile mo
grep -qE "Week  1  Test week 01 +rendered, not yet heard$" "$W/out" || fail "next's render not recorded: $OUT"
run "$RELAX" history --profile mo --csv
# from, position, furthest, played 0; not completed; finished; no room; rendered
grep -qE '^mo,week-01,1,[0-9a-f]{16},3000,[^,]+,[^,]+,0,0,0,0,0,1,,1'$'\r''$' "$W/out" || fail "render row: $OUT"
# XDG_MUSIC_DIR from user-dirs.dirs wins
echo 'XDG_MUSIC_DIR="$HOME/Tunes"' > "$XDG_CONFIG_HOME/user-dirs.dirs"
run "$RELAX" next --profile tu
expect_out "rendered week 1 to $HOME/Tunes/relax-tu-week-01.ogg instead." "XDG_MUSIC_DIR"
[ -f "$HOME/Tunes/relax-tu-week-01.ogg" ] || fail "nothing in XDG_MUSIC_DIR"
# -o chooses the file and the format
run "$RELAX" next --profile oh -o "$W/mine.flac"
expect_rc 0 "next -o"
expect_out "Rendered week 1 to $W/mine.flac." "next -o message"
[ "$(head -c 4 "$W/mine.flac")" = fLaC ] || fail "-o mine.flac is not FLAC"
run "$RELAX" progress --profile oh
grep -qE "Week  1  Test week 01 +rendered, not yet heard$" "$W/out" || fail "-o render not recorded: $OUT"
run "$RELAX" next --profile bad -o "$W/x.mp3"
expect_rc 2 "next -o x.mp3"
expect_err "x.mp3: unknown output format" "next -o x.mp3"
run "$RELAX" progress --profile bad
grep -qE "Week  1  Test week 01 +open$" "$W/out" || fail "a failed render was recorded: $OUT"
run "$RELAX" next -o
expect_rc 2 "next -o without a file"
expect_err "relax: next: -o needs a file name" "next -o without a file"
finish
