# lib.sh - shared part of the live playback tests (sourced).
# Starts a private JACK dummy server (48 kHz, 1024-frame periods unless a
# test asks otherwise) under a
# unique server name, waits until it answers, and always stops it (and
# anything else a test started) on exit, also when the test fails.
# Env from CTest: RELAX (binary), RLX_LIVE_BIN (helpers), RLX_SOURCE_DIR.
set -euo pipefail
: "${RELAX:?RELAX must point at the relax binary}"
: "${RLX_LIVE_BIN:?RLX_LIVE_BIN must point at the build folder}"

LIVE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/relax-live.XXXXXX")
export XDG_CACHE_HOME="$LIVE_TMP/cache" XDG_DATA_HOME="$LIVE_TMP/data" RELAX_STORE="$LIVE_TMP/store"
export JACK_NO_START_SERVER=1
# PortAudio and libjack keep allocations until exit; leak checking of the
# player belongs to the unit tests, not to a live device run.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
JACK_PID=""
JACK_KILLED=""   # a server name whose jackd was killed with SIGKILL
LIVE_PIDS=()

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "-- $*"; }

live_cleanup() {
    local rc=$?
    for pid in "${LIVE_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    stop_jack
    reclaim_jack
    if [ $rc -ne 0 ] && [ -d "$LIVE_TMP" ]; then
        for f in "$LIVE_TMP"/*.out "$LIVE_TMP"/*.err "$LIVE_TMP"/jackd.log; do
            [ -s "$f" ] && { echo "== $f"; tail -n 20 "$f"; }
        done
    fi
    rm -rf "$LIVE_TMP"
    exit $rc
}
trap live_cleanup EXIT

# Waits up to $2 seconds for pid $1 to exit; returns 0 if it did.
wait_gone() {
    local pid=$1 limit=$2 i
    for ((i = 0; i < limit * 100; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.01
    done
    return 1
}

# start_jack [PERIOD] [rt]: the tests use 1024-frame periods: on the shared
# 2-core machine a dummy server at 256 frames (5.3 ms a cycle) showed xruns
# whenever the suite ran beside other work, and a client that misses a cycle
# loses that cycle's frames, which the sample-exact tests then see. "rt" asks for a realtime server (as a desktop
# sound server runs), falling back to a normal one where that is not allowed.
start_jack() {
    local period=${1:-1024} mode=${2:-}
    export JACK_DEFAULT_SERVER="relax-test-$$-$RANDOM"
    # the player's JACK client gets a name of this test's own: libjack names
    # a client's socket after the client, not its server, so players named
    # alike in tests running at once took each other's socket
    export RELAX_JACK_CLIENT="relax-$$"
    local rtflags=(--no-realtime)
    [ "$mode" = rt ] && rtflags=(-R -P 70)
    jackd "${rtflags[@]}" --sync -d dummy -r 48000 -p "$period" >"$LIVE_TMP/jackd.log" 2>&1 &
    JACK_PID=$!
    local i
    for ((i = 0; i < 200; i++)); do   # bounded: 200 polls, about 10 s
        if jack_lsp >/dev/null 2>&1; then
            JACK_MODE=${mode:-normal}
            return 0
        fi
        if ! kill -0 "$JACK_PID" 2>/dev/null; then
            wait "$JACK_PID" 2>/dev/null || true
            JACK_PID=""
            [ "$mode" = rt ] && { start_jack "$period"; return; }
            fail "jackd exited at start: $(tail -n 3 "$LIVE_TMP/jackd.log")"
        fi
        sleep 0.05
    done
    fail "jackd did not answer within 10 s"
}

stop_jack() {
    if [ -n "$JACK_PID" ]; then
        kill -TERM "$JACK_PID" 2>/dev/null || true
        if ! wait_gone "$JACK_PID" 3; then
            kill -KILL "$JACK_PID" 2>/dev/null || true
            JACK_KILLED=$JACK_DEFAULT_SERVER
        fi
        wait "$JACK_PID" 2>/dev/null || true
        JACK_PID=""
    fi
}

# Kills the server the hard way (a crash). Its entry in JACK's shared server
# registry (at most 8 servers per machine) stays behind; reclaim_jack frees it.
kill_jack_hard() {
    kill -KILL "$JACK_PID"
    JACK_KILLED=$JACK_DEFAULT_SERVER
}

# A killed server's registry entry is freed only when a server of the same
# name starts again: start one and stop it cleanly (bounded).
reclaim_jack() {
    [ -n "$JACK_KILLED" ] || return 0
    local name=$JACK_KILLED pid i
    JACK_KILLED=""
    [ -n "$JACK_PID" ] && { wait_gone "$JACK_PID" 3 || true; }
    JACK_DEFAULT_SERVER=$name jackd --no-realtime -d dummy -r 48000 -p 256 >/dev/null 2>&1 &
    pid=$!
    for ((i = 0; i < 100; i++)); do
        JACK_DEFAULT_SERVER=$name jack_lsp >/dev/null 2>&1 && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 3 || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f /dev/shm/jack_sem.*_"$name"_* 2>/dev/null || true
}

# Waits until the player's JACK ports exist (bounded).
wait_relax_ports() {
    local i
    for ((i = 0; i < 1000; i++)); do
        jack_lsp 2>/dev/null | grep -q "^${RELAX_JACK_CLIENT:-relax}:" && return 0
        sleep 0.01
    done
    return 1
}

# Starts the capture client in the background: capture OUT.wav [INFO_FILE]
start_capture() {
    "$RLX_LIVE_BIN/jack_capture" -o "$1" -w 60 -t 300 ${2:+-f "$2"} >"$LIVE_TMP/capture.out" 2>"$LIVE_TMP/capture.err" &
    CAPTURE_PID=$!
    LIVE_PIDS+=("$CAPTURE_PID")
}

# Waits (bounded) for the capture client to finish after the player exited.
finish_capture() {
    wait_gone "$CAPTURE_PID" 10 || fail "the capture client did not stop"
    wait "$CAPTURE_PID" || fail "the capture client failed: $(cat "$LIVE_TMP/capture.err")"
}

now_s() { date +%s.%N; }

# write_session FILE ID TITLE BREATH_LEVEL TIMELINE...
write_session() {
    local f=$1 id=$2 title=$3 level=$4
    shift 4
    {
        printf '[session]\nid = %s\ntitle = "%s"\n\n' "$id" "$title"
        printf '[breath]\npattern = 2 0 3 0\nlevel = %s\n\n[timeline]\n' "$level"
        printf '%s\n' "$@"
    } >"$f"
}
