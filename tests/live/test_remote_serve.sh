# `relax serve` in headless Chromium (tests/remote/serve.mjs), playing into
# a JACK dummy server recorded by jack_capture: the page needs the key; it
# lists two clients made here (anna finished week 1, bob stopped week 1 at
# 0:30); bad starts are 400 and a second start 409; tapping bob, "+5 min"
# and Start plays bob's week (status: profile, length, room) and the
# captured audio is not silent; Stop returns to the list (idle) and the
# store records the listen, resumed and carried on. The room name has
# markup characters: shown as text. SIGTERM while anna's week plays ends
# the server with 0, her progress saved.
# Then a profile that keeps its remote key (relax profiles --keep-remote-key)
# gets that key from `relax play --remote` (whose status carries --room and
# the profile), and a new one once forgotten.
# Screenshots: build/serve-page.png, serve-chooser.png, serve-playing.png.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/remote_lib.sh"

# a private program of two weeks, each the remote's test session
export RELAX_SESSIONS="$LIVE_TMP/sessions" RELAX_PROGRAM="$LIVE_TMP/sessions/two.program" HOME="$LIVE_TMP/home"
unset RELAX_PROFILE RELAX_ROOM RELAX_REMOTE_KEY
mkdir -p "$RELAX_SESSIONS" "$HOME"
printf '[program]\nid = two\ntitle = "Two test weeks"\nwait = 6 days\n\n[sessions]\nweek-01.session\nweek-02.session\n' \
    >"$RELAX_PROGRAM"
for n in 1 2; do
    remote_session "$RELAX_SESSIONS/week-0$n.session"
    sed -i "s/^id = remote-test/id = week-0$n\nweek = $n/" "$RELAX_SESSIONS/week-0$n.session"
done
now=$(date +%s)
"$RLX_LIVE_BIN/rlx_store_tool" "$RELAX_STORE" listen anna week-01 1 60 60 60 1 $((now - 8 * 86400)) >/dev/null ||
    fail "store_tool listen"
"$RLX_LIVE_BIN/rlx_store_tool" "$RELAX_STORE" crash bob week-01 1 120 30 $((now - 3600)) >/dev/null ||
    fail "store_tool crash"

ROOM='Room <b>7</b> & "calm"'
start_jack 1024 rt
: >"$LIVE_TMP/serve.err"
"$RELAX" serve --remote-listen 127.0.0.1:0 --room "$ROOM" >"$LIVE_TMP/serve.out" 2>"$LIVE_TMP/serve.err" &
SERVE_PID=$!
LIVE_PIDS+=("$SERVE_PID")
URL=""
for ((i = 0; i < 3000; i++)); do   # bounded: about 30 s (measuring the weeks may speak their lines)
    grep -q '^relax: serve: [0-9]* profiles' "$LIVE_TMP/serve.err" && URL=$(sed -n 's/^remote: //p' "$LIVE_TMP/serve.err")
    [ -n "$URL" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || fail "relax serve exited: $(cat "$LIVE_TMP/serve.err")"
    sleep 0.01
done
[ -n "$URL" ] || fail "no 'remote:' line from relax serve"
grep -q '^relax: serve: 2 profiles' "$LIVE_TMP/serve.err" || fail "serve did not list 2 profiles"
[ "$(stat -c %a "$XDG_DATA_HOME/relax/remote-key")" = 600 ] || fail "the kept key is not mode 600"
[ "${URL##*key=}" = "$(cat "$XDG_DATA_HOME/relax/remote-key")" ] || fail "the URL does not carry the kept key"

start_capture "$LIVE_TMP/cap.wav" "$LIVE_TMP/first.txt"
node "$NODE_DIR/serve.mjs" "$URL" "$RLX_BUILD_DIR" "$ROOM" | tee "$LIVE_TMP/serve-page.log" ||
    fail "the serve page test failed"
# the session is over: its ports are gone, so the capture has stopped
finish_capture
kill -0 "$SERVE_PID" 2>/dev/null || fail "relax serve exited after the session"

# the captured session is not silent: bob's week, resumed, faded in over 3 s
"$RLX_LIVE_BIN/wav_check" stats "$LIVE_TMP/cap.wav" 500 40 | tee "$LIVE_TMP/stats.out"
first=$(sed -n 's/^first //p' "$LIVE_TMP/stats.out" | cut -d' ' -f1)
[ -n "$first" ] && [ "$first" != -1 ] || fail "the capture is silent"
a=$(awk -v f="$first" 'BEGIN { printf "%.3f", f + 3.5 }')
b=$(awk -v f="$first" 'BEGIN { printf "%.3f", f + 8.5 }')
level=$("$RLX_LIVE_BIN/wav_check" rms "$LIVE_TMP/cap.wav" "$a" "$b" | sed -n 's/^rms_db //p')
note "captured level over 5 s: $level dBFS"
awk -v l="$level" 'BEGIN { exit !(l > -30) }' || fail "the session played at $level dBFS (silent?)"

# the store: bob's listen, resumed from 0:25 and carried on at least 8 s, in the room
"$RELAX" history --profile bob --csv >"$LIVE_TMP/history.csv" || fail "relax history failed"
cat "$LIVE_TMP/history.csv"
python3 - "$LIVE_TMP/history.csv" "$ROOM" <<'PY' || fail "the store does not show the listen carried on"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
r = rows[-1]
pos = int(r["position_ms"]); length = int(r["length_ms"])
print("-- stored: position", pos, "length", length, "room", repr(r["room"]))
assert pos >= 33000, "position %d, want >= 33000 (resumed at 25 s + 8 s)" % pos
assert length == 420000, "length %d, want 420000 (2:00 + 5 min)" % length
assert r["room"] == sys.argv[2], "room %r" % r["room"]
PY

# SIGTERM while a session plays: it fades out, the progress is saved, exit 0
node --input-type=module -e '
import { api, parseRemote, waitStatus } from "'"$NODE_DIR"'/lib.mjs";
const r = parseRemote(process.argv[1]);
const res = await api(r, "POST", "/api/start", { profile: "anna" });
if (res.status !== 200) { console.error("FAIL: start anna: " + res.status + " " + res.body); process.exit(1); }
const s = await waitStatus(r, "anna 3 s in", (s) => s.state === "playing" && s.position_ms >= 3000, 60000);
console.log("-- anna playing at " + s.position_ms + " ms");
' "$URL" || fail "could not start anna's week"
kill -TERM "$SERVE_PID"
wait_gone "$SERVE_PID" 10 || fail "relax serve did not stop on SIGTERM"
rc=0
wait "$SERVE_PID" || rc=$?
[ "$rc" -eq 0 ] || fail "relax serve exited $rc on SIGTERM, want 0"
grep -q '^relax: serve: stopped' "$LIVE_TMP/serve.err" || fail "no 'stopped' line"
"$RELAX" history --profile anna --csv >"$LIVE_TMP/anna.csv" || fail "relax history failed"
python3 - "$LIVE_TMP/anna.csv" <<'PY' || fail "anna's interrupted listen was not saved"
import csv, sys
r = list(csv.DictReader(open(sys.argv[1], newline="")))[-1]
print("-- anna stored:", r["session"], "position", r["position_ms"])
assert r["session"] == "week-02" and int(r["position_ms"]) >= 3000
PY
[ -s "$RLX_BUILD_DIR/serve-page.png" ] || fail "no screenshot"

# a profile that keeps its key: `relax play --remote` for it shows that key
"$RELAX" profiles --profile anna --keep-remote-key >"$LIVE_TMP/keep.out" || fail "--keep-remote-key failed"
KEPT=$(grep -o '[0-9a-f]\{32\}' "$LIVE_TMP/keep.out" | head -n 1)
[ -n "$KEPT" ] || fail "--keep-remote-key printed no key: $(cat "$LIVE_TMP/keep.out")"
start_remote_play "$RELAX_SESSIONS/week-02.session" --profile anna --room "$ROOM"
[ "${REMOTE_URL##*key=}" = "$KEPT" ] || fail "play --remote for anna used ${REMOTE_URL##*key=}, not the kept $KEPT"
# --room on play's page too: in the status (the page shows it as serve's does)
node --input-type=module -e '
import { parseRemote, waitStatus } from "'"$NODE_DIR"'/lib.mjs";
const s = await waitStatus(parseRemote(process.argv[1]), "playing", (s) => s.state === "playing", 60000);
if (s.room !== process.argv[2] || s.profile !== "anna" || s.serve)
  { console.error("FAIL: play status " + JSON.stringify(s)); process.exit(1); }
' "$REMOTE_URL" "$ROOM" || fail "relax play --room: the status does not carry the room"
kill -TERM "$PLAY_PID"
finish_remote_play
[ "$PLAY_RC" -eq 130 ] || fail "relax play exited $PLAY_RC on SIGTERM"
"$RELAX" profiles --profile anna --forget-remote-key >/dev/null || fail "--forget-remote-key failed"
start_remote_play "$RELAX_SESSIONS/week-02.session" --profile anna
[ "${REMOTE_URL##*key=}" != "$KEPT" ] || fail "the forgotten key was used again"
kill -TERM "$PLAY_PID"
finish_remote_play
echo "1 passed, 0 failed"
