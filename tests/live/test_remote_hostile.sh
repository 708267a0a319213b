# Hostile clients against a session playing with the remote on
# (tests/remote/hostile.mjs): wrong keys, slow headers, bursts of requests,
# oversized bodies and headers, malformed JSON, path traversal. Every answer
# is a clean 4xx, the good client is still served, memory stays flat, and
# the audio goes on: no underruns, no gap in the recording. Then a stop
# through the API: fade out, exit 0.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/remote_lib.sh"

# Under AddressSanitizer freed memory is held back (quarantined) to catch
# use-after-free, which would look like growth: reuse it at once here.
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0:thread_local_quarantine_size_kb=0"

S="$LIVE_TMP/remote-test.session"
remote_session "$S"
start_jack 1024 rt
start_capture "$LIVE_TMP/cap.wav"
start_remote_play "$S" --length 3 min

note "the remote's address or key cannot be used: one line, exit 2, nothing plays"
port=${REMOTE_URL#http://127.0.0.1:}
port=${port%%/*}
expect_refused() {   # PATTERN ARGS...
    local pat=$1 rc=0
    shift
    "$RELAX" play "$S" "$@" >"$LIVE_TMP/bad.out" 2>"$LIVE_TMP/bad.err" || rc=$?
    [ "$rc" -eq 2 ] || fail "relax play $* exited $rc, want 2: $(cat "$LIVE_TMP/bad.err")"
    [ "$(wc -l <"$LIVE_TMP/bad.err")" -eq 1 ] || fail "relax play $*: not one line: $(cat "$LIVE_TMP/bad.err")"
    grep -qE -- "$pat" "$LIVE_TMP/bad.err" || fail "relax play $*: no '$pat' in $(cat "$LIVE_TMP/bad.err")"
}
expect_refused "127.0.0.1 port $port: Address already in use; choose another with --remote-listen" --remote-listen "127.0.0.1:$port"
expect_refused "--remote-listen wants ADDRESS\[:PORT\]" --remote-listen "127.0.0.1:http"
expect_refused "cannot listen for the remote on 192.0.2.1" --remote-listen 192.0.2.1:0
expect_refused "remote key must be 22 to 128 characters" --remote-listen 127.0.0.1:0 --remote-key 'short'
node "$NODE_DIR/hostile.mjs" "$REMOTE_URL" "$PLAY_PID" 2000 | tee "$LIVE_TMP/hostile.log" ||
    fail "the hostile clients test failed"
node --input-type=module -e "
import { api, fail } from '$NODE_DIR/lib.mjs';
import { parseRemote } from '$NODE_DIR/lib.mjs';
const res = await api(parseRemote(process.argv[1]), 'POST', '/api/stop');
if (res.status !== 200) fail('POST /api/stop answered ' + res.status + ' ' + res.body);
" "$REMOTE_URL" || fail "stop through the API failed"
finish_remote_play
finish_capture
[ "$PLAY_RC" -eq 0 ] || fail "relax play exited $PLAY_RC after /api/stop"
u=$(play_underruns)
note "underruns: $u"
[ "$u" = 0 ] || fail "$u underruns under hostile traffic"
"$RLX_LIVE_BIN/wav_check" stats "$LIVE_TMP/cap.wav" 100 40 | tee "$LIVE_TMP/stats.out"
gaps=$(grep -c '^gap ' "$LIVE_TMP/stats.out" || true)
[ "$gaps" -eq 0 ] || fail "the audio had $gaps gaps under hostile traffic"
echo "1 passed, 0 failed"
