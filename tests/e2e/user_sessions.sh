#!/usr/bin/env bash
# Sessions of the user's own, found by id beside the built-in ones:
# $XDG_DATA_HOME/relax/sessions, then each $XDG_DATA_DIRS entry's
# relax/sessions, then the built-in folder. The user's session with a
# built-in id wins (check says so, progress shows it); RELAX_SESSIONS alone
# replaces the search.
set -u
: "${RELAX:?}" "${RLX_SOURCE_DIR:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home XDG_DATA_HOME=$T/data RELAX_STORE=$T/store.db
# relax list measures every week's voice: the spoken lines come from the cache
# the content tests share in the build folder (a cold cache costs minutes)
export XDG_CACHE_HOME="${RLX_BUILD_DIR:?}/content-test-cache"
export XDG_DATA_DIRS=$T/site/share:/nonexistent
unset RELAX_SESSIONS RELAX_PROGRAM RELAX_PROFILE
U=$XDG_DATA_HOME/relax/sessions S=$T/site/share/relax/sessions
mkdir -p "$HOME" "$U" "$S" "$T/cwd"
cd "$T/cwd"
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
session() {   # session FILE ID TITLE
    printf '[session]\nid    = %s\ntitle = "%s"\n\n[timeline]\n0:00  fade-in 1 s\n0:02  end\n' "$2" "$3" >"$1"
}
session "$U/evening.session" my-evening "My evening"
session "$U/week-01.session" week-01 "My own first week"
session "$S/site.session" site-wide "Site wide"
session "$S/my-evening.session" my-evening "Site evening"

out=$("$RELAX" check --quiet my-evening 2>&1) || fail "check my-evening: $out"
echo "$out" | grep -qF "$U/evening.session: ok" || fail "the user's session (found by its id) does not win over the site's: $out"
out=$("$RELAX" check --quiet site-wide 2>&1) || fail "check site-wide: $out"
echo "$out" | grep -qF "$S/site.session: ok" || fail "XDG_DATA_DIRS session not found: $out"
out=$("$RELAX" check --quiet week-01 2>&1) || fail "check week-01: $out"
echo "$out" | grep -qF "$U/week-01.session: ok" || fail "the user's week-01 does not win: $out"
echo "$out" | grep -qF "$U/week-01.session: note: used for the id 'week-01' instead of " || fail "check does not say the built-in week-01 is hidden: $out"
echo "$out" | grep -qF "/sessions/week-01.session (a session of yours with the same id wins)" || fail "note wording: $out"
out=$("$RELAX" check --quiet site-wide 2>&1)
echo "$out" | grep -q "note:" && fail "a note for a session that hides nothing: $out"
ids=$("$RELAX" list --ids)
for id in evening site week-01 week-10 my-evening; do echo "$ids" | grep -qx "$id" || fail "list --ids lacks $id: $ids"; done
out=$("$RELAX" progress 2>&1) || fail "progress: $out"
echo "$out" | grep -qE "Week  1  My own first week +open" || fail "progress does not show the user's week 1: $out"
out=$("$RELAX" list 2>&1) || fail "list: $out"
echo "$out" | grep -qE "^   1  week-01  My own first week " || fail "list does not show the user's week 1: $out"

# RELAX_SESSIONS replaces the whole search
mkdir -p "$T/only"
session "$T/only/one.session" one "Only one"
RELAX_SESSIONS=$T/only "$RELAX" check --quiet my-evening >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" -eq 3 ] || fail "RELAX_SESSIONS: my-evening still found (exit $rc)"
grep -qF "no session in $T/only has this id" "$T/err" || fail "RELAX_SESSIONS message: $(cat "$T/err")"
[ "$(RELAX_SESSIONS=$T/only "$RELAX" list --ids)" = one ] || fail "RELAX_SESSIONS list --ids"

[ "$FAILS" -eq 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "all passed"
