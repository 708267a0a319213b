#!/usr/bin/env bash
# Duration options take the unit as a separate word too: --length 1 min is
# the same as --length '1 min' and --length 1min; a bad one is a usage error.
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME="$T/cache" RELAX_STORE="$T/store.db"
fail=0
cat >"$T/s.session" <<'SESSION'
[session]
id    = durations
title = "Durations"
[breath]
level = off
[timeline]
0:00  say "Hello."
+0 s  silence 5 s .. 2 min
+1 s  end
SESSION
for form in "1 min" "1min" "60 s"; do
    # shellcheck disable=SC2086  # the split into separate words is the point
    if ! "$RELAX" render "$T/s.session" --length $form --from 0 s --to 2 s -o "$T/$form.wav" 2>"$T/err"; then
        echo "FAIL: --length $form: $(cat "$T/err")"; fail=1
    fi
done
cmp -s "$T/1 min.wav" "$T/1min.wav" && cmp -s "$T/1 min.wav" "$T/60 s.wav" \
    || { echo "FAIL: the three spellings rendered differently"; fail=1; }
"$RELAX" render "$T/s.session" --length 1 parsec -o "$T/x.wav" 2>"$T/err"
rc=$?
[ "$rc" -eq 2 ] || { echo "FAIL: --length 1 parsec: exit $rc, want 2"; fail=1; }
[ -e "$T/x.wav" ] && { echo "FAIL: x.wav written after a usage error"; fail=1; }
[ $fail -eq 0 ] && echo "ok: durations with separate units"
exit $fail
