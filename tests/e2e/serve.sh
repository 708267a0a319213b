#!/usr/bin/env bash
# relax serve without a sound card: mistakes exit 2 with one line before
# anything listens; the key is kept (mode 0600) so the URL stays the same
# from run to run, --new-key replaces it, a key file others can read or
# that holds garbage is refused; without the key every answer is 401; the
# room is escaped in JSON; bad starts (unknown profile, a length out of the
# week's range, broken JSON) are 400 and change nothing; a start with no
# audio device comes back to idle saying why; SIGTERM stops it with 0.
. "$(dirname "$0")/store_common.bash"
export RELAX_NOW=$T0 JACK_DEFAULT_SERVER="relax-none-$$" JACK_NO_START_SERVER=1
: > "$W/empty-alsa.conf"
export ALSA_CONFIG_PATH="$W/empty-alsa.conf"
unset RELAX_REMOTE_KEY RELAX_ROOM
KEYFILE="$XDG_DATA_HOME/relax/remote-key"

one_line() {   # one_line CODE PATTERN ARGS...: exit CODE, one line matching PATTERN
    local code=$1 pat=$2
    shift 2
    run timeout 20 "$RELAX" "$@"
    expect_rc "$code" "relax $*"
    grep -qE -- "$pat" "$W/err" || fail "relax $*: stderr lacks '$pat': $ERR"
    [ "$(wc -l <"$W/err")" -eq 1 ] || fail "relax $*: more than one line: $ERR"
}
one_line 2 "serve: unknown option '--bogus'" serve --bogus
one_line 2 "serve: unknown argument 'anna'" serve anna
one_line 2 'serve: --room needs a value' serve --room
one_line 2 'serve: --remote-listen needs a value' serve --remote-listen
one_line 2 '--new-key and --remote-key cannot go together' serve --new-key --remote-key 0123456789abcdef0123456789abcdef
one_line 2 "invalid room name" serve --room "$(printf 'a\tb')" --remote-listen 127.0.0.1:0
one_line 2 'remote key must be 22 to 128 characters' serve --remote-key short --remote-listen 127.0.0.1:0
one_line 2 '--remote-listen wants ADDRESS' serve --remote-listen 'not an address:x'
[ ! -e "$KEYFILE" ] || fail "a refused command wrote a key"
run "$RELAX" serve --help
expect_rc 0 "serve --help"
expect_out "relax serve [--remote-listen ADDRESS[:PORT]]" "serve --help"

# start_serve ARGS...: SERVE_PID, PORT, KEY from the "remote:" line
start_serve() {
    : >"$W/serve.err"
    "$RELAX" serve --remote-listen 127.0.0.1:0 "$@" >"$W/serve.out" 2>"$W/serve.err" &
    SERVE_PID=$!
    local i url=""
    for ((i = 0; i < 2000; i++)); do   # bounded: about 20 s
        grep -q '^relax: serve: [0-9]* profile' "$W/serve.err" && url=$(sed -n 's/^remote: //p' "$W/serve.err")
        [ -n "$url" ] && break
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.01
    done
    [ -n "$url" ] || { fail "serve did not come up: $(cat "$W/serve.err")"; return 1; }
    PORT=${url#http://127.0.0.1:}
    PORT=${PORT%%/*}
    KEY=${url##*key=}
}
# stop_serve: SIGTERM, exit 0 and the "stopped" line
stop_serve() {
    kill -TERM "$SERVE_PID"
    local rc=0
    wait "$SERVE_PID" || rc=$?
    [ "$rc" -eq 0 ] || fail "serve exited $rc on SIGTERM"
    grep -q '^relax: serve: stopped' "$W/serve.err" || fail "no 'stopped' line: $(cat "$W/serve.err")"
}
# http METHOD PATH [BODY] [KEY]: the answer's status in $STATUS, body in $BODY
http() {
    local method=$1 path=$2 body=${3:-} key=${4-$KEY} hdr="" resp
    [ -n "$key" ] && hdr="Authorization: Bearer $key"$'\r\n'
    [ -n "$body" ] && hdr+="Content-Type: application/json"$'\r\n'
    exec 3<>"/dev/tcp/127.0.0.1/$PORT"
    printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%sContent-Length: %d\r\n\r\n%s' \
        "$method" "$path" "$hdr" "${#body}" "$body" >&3
    resp=$(timeout 10 cat <&3)
    exec 3<&-
    STATUS=$(sed -n '1s/^HTTP\/1\.[01] \([0-9]*\).*/\1/p' <<<"$resp")
    BODY=$(tr -d '\r' <<<"$resp" | sed '1,/^$/d')
}
expect_http() {   # expect_http STATUS PATTERN WHAT
    [ "$STATUS" = "$1" ] || fail "$3: status $STATUS, want $1 ($BODY)"
    grep -qF -- "$2" <<<"$BODY" || fail "$3: body lacks '$2': $BODY"
}

# two clients: anna finished week 1 a week ago, bob stopped week 1 half-way
listen anna 1 3 3 3 1 $((T0 - 7 * DAY))
listen bob 1 3 1 1 0 $((T0 - 3600))

# the key: made once, kept, the same the next time
start_serve --room 'Room <b>"1"</b>' || finish
[ "$(stat -c %a "$KEYFILE")" = 600 ] || fail "key file mode $(stat -c %a "$KEYFILE"), want 600"
[ "$KEY" = "$(cat "$KEYFILE")" ] || fail "the URL's key is not the kept one"
[ ${#KEY} -eq 32 ] || fail "key of ${#KEY} characters"
grep -q "the key is kept in $KEYFILE" "$W/serve.err" || fail "serve does not say where the key is kept"
FIRST_KEY=$KEY

http GET /api/status "" ""
expect_http 401 "401 unauthorized" "status without the key"
http GET /api/profiles "" "0123456789abcdef0123456789abcdeX"
expect_http 401 "401 unauthorized" "profiles with a wrong key"
http GET / "" ""
expect_http 401 "401 unauthorized" "page without the key"
http GET /api/status
expect_http 200 '"room":"Room <b>\"1\"<\/b>"' "the room, escaped"
expect_http 200 '"state":"idle"' "idle at the start"
expect_http 200 '"serve":true' "serve in the status"
http GET /api/profiles
expect_http 200 '"name":"anna"' "anna listed"
expect_http 200 '"name":"bob"' "bob listed"
grep -qF '"name":"anna","weeks":10,"done":1,"week":2' <<<"$BODY" || fail "anna is not at week 2: $BODY"
grep -qF '"length_min_ms":3000,"length_max_ms":3000' <<<"$BODY" || fail "the week's range: $BODY"

# bad starts: 400, nothing starts
http POST /api/start '{"profile":"zed"}'
expect_http 400 '"error":"no such profile' "unknown profile"
http POST /api/start '{"profile":"anna","length_ms":2999}'
expect_http 400 'length_ms must be from 3000 to 3000' "too short"
http POST /api/start '{"profile":"anna","length_ms":3001}'
expect_http 400 'length_ms must be from 3000 to 3000' "too long"
http POST /api/start '{"profile":'
expect_http 400 'not valid JSON' "broken JSON"
http POST /api/start '{"profile":"anna","when":"now"}'
expect_http 400 'unknown field' "unknown field"
http GET /api/start
expect_http 405 'use POST' "GET start"
http POST /api/pause
expect_http 409 'nothing is playing' "pause while idle"
http GET /api/status
expect_http 200 '"state":"idle"' "still idle after bad starts"

# a start with no sound card: back to idle, saying why; the server stays up
http POST /api/start '{"profile":"anna"}'
expect_http 200 '{"ok":true}' "start anna"
for ((i = 0; i < 2000; i++)); do   # bounded: about 20 s
    http GET /api/status
    grep -q '"state":"idle".*no audio output device' <<<"$BODY" && break
    sleep 0.01
done
expect_http 200 'no audio output device was found' "the failed start is said"
expect_http 200 '"profile":""' "no profile after the failed start"
kill -0 "$SERVE_PID" 2>/dev/null || fail "serve exited after a failed start"
stop_serve

start_serve || finish
[ "$KEY" = "$FIRST_KEY" ] || fail "the key changed from one run to the next"
stop_serve
RELAX_REMOTE_KEY=abcdefghijklmnopqrstuvwxyz start_serve || finish
[ "$KEY" = abcdefghijklmnopqrstuvwxyz ] || fail "RELAX_REMOTE_KEY was not used"
stop_serve
start_serve --new-key || finish
[ "$KEY" != "$FIRST_KEY" ] || fail "--new-key kept the old key"
[ "$KEY" = "$(cat "$KEYFILE")" ] || fail "--new-key did not keep the new key"
stop_serve

# a key kept per profile (for play/next --remote): made, shown, kept, forgotten
run "$RELAX" profiles --profile anna --keep-remote-key
expect_rc 0 "--keep-remote-key"
expect_out "anna keeps the remote key" "--keep-remote-key"
PK=$(grep -o '[0-9a-f]\{32\}' "$W/out" | head -n 1)
[ -n "$PK" ] || fail "no key printed: $OUT"
run "$RELAX" profiles --profile anna --forget-remote-key
expect_rc 0 "--forget-remote-key"
expect_out "anna keeps no remote key" "--forget-remote-key"
one_line 2 "no profile 'nobody'" profiles --profile nobody --forget-remote-key
one_line 2 'cannot go together' profiles --keep-remote-key --forget-remote-key
run "$RELAX" profiles
expect_out "anna" "profiles still lists"
grep -q nobody "$W/out" && fail "--forget-remote-key made a profile"

chmod 644 "$KEYFILE"
one_line 2 "can be read by other users; 'chmod 600" serve --remote-listen 127.0.0.1:0
chmod 600 "$KEYFILE"
echo "not a key!" >"$KEYFILE"
one_line 2 "does not hold a valid key; 'relax serve --new-key' replaces it" serve --remote-listen 127.0.0.1:0
finish
