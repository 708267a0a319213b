# remote_lib.sh - shared part of the remote's live tests (sourced after lib.sh).
# Checks that the browser driver is installed, writes the test session and
# starts `relax play` with the remote on loopback, waiting for its URL.
NODE_DIR="$RLX_SOURCE_DIR/tests/remote"
[ -d "$NODE_DIR/node_modules/playwright-core" ] ||
    fail "playwright-core is missing: run .ci/install-deps (it runs 'npm ci' in tests/remote)"
command -v node >/dev/null || fail "node is missing: run .ci/install-deps"

# A loud, steady breath tone (5 s cycles) so levels can be compared over
# whole cycles, two spoken lines, and a silence that can stretch from 40 s
# to 10 min (so the length can change while it plays). The title has
# markup characters: the page must show them as text.
remote_session() {
    cat >"$1" <<'SESSION'
[session]
id = remote-test
title = "Remote <b>test</b> & \"quotes\""

[breath]
pattern = 2 0 3 0
level = -6 dB

[timeline]
0:00    fade-in 500 ms
0:00.5  say "Welcome."
+1 s    silence 40 s .. 10 min
+0 s    say "Gently come back."
+2 s    fade-out 1 s
+3 s    end
SESSION
}

# start_remote_play SESSION [ARGS...]: sets PLAY_PID and REMOTE_URL.
start_remote_play() {
    : >"$LIVE_TMP/play.err"   # the background shell may open it after the first look
    "$RELAX" play "$@" --remote-listen 127.0.0.1:0 --stats >"$LIVE_TMP/play.out" 2>"$LIVE_TMP/play.err" &
    PLAY_PID=$!
    LIVE_PIDS+=("$PLAY_PID")
    local i
    REMOTE_URL=""
    for ((i = 0; i < 3000; i++)); do   # bounded: about 30 s (a cold voice cache)
        REMOTE_URL=$(sed -n 's/^remote: //p' "$LIVE_TMP/play.err" 2>/dev/null || true)
        [ -n "$REMOTE_URL" ] && break
        kill -0 "$PLAY_PID" 2>/dev/null || fail "relax play exited before the remote was up: $(cat "$LIVE_TMP/play.err")"
        sleep 0.01
    done
    [ -n "$REMOTE_URL" ] || fail "no 'remote:' line from relax play"
    case "$REMOTE_URL" in
        http://127.0.0.1:[0-9]*/\?key=[0-9a-f]*) ;;
        *) fail "unexpected remote URL: $REMOTE_URL" ;;
    esac
    note "remote at ${REMOTE_URL%%\?*}"
}

# Waits (bounded) for relax play to exit; sets PLAY_RC.
finish_remote_play() {
    wait_gone "$PLAY_PID" 60 || fail "relax play did not stop"
    PLAY_RC=0
    wait "$PLAY_PID" || PLAY_RC=$?
}

# The player's underrun count from --stats.
play_underruns() {
    sed -n 's/^underruns: //p' "$LIVE_TMP/play.out"
}
