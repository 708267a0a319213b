#!/usr/bin/env bash
# relax calendar: an RFC 5545 file a real parser (python3-icalendar) reads,
# with the weeks not done yet at the times they open, planned weeks marked
# tentative, a reminder each, stable UIDs, no links; bad command lines and an
# unwritable output leave nothing behind.
. "$(dirname "$0")/store_common.bash"
PY=/usr/bin/python3   # Debian's python, where python3-icalendar lives
mkdir -p "$W/cal"
ICS="$W/cal/relax.ics"

# check_ics FILE NOW_S EVENTS "WEEK:STATUS:START_S ..." : parses FILE and asserts
check_ics() {
    "$PY" - "$@" <<'PYEOF' || fail "calendar $1 does not hold what it should (see above)"
import sys, datetime, icalendar
path, now, nevents, expect = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split()
raw = open(path, 'rb').read()
bad = []
lines = raw.split(b'\r\n')
if lines[-1] != b'' or b'\n' in raw.replace(b'\r\n', b''):
    bad.append('lines do not all end in CRLF')
for l in lines:
    if len(l) > 75:
        bad.append('line over 75 octets: %r' % l)
    l.decode('utf-8')   # a fold never splits a character
cal = icalendar.Calendar.from_ical(raw)
if str(cal['VERSION']) != '2.0' or 'PRODID' not in cal:
    bad.append('VERSION/PRODID')
events = cal.walk('VEVENT')
if len(events) != nevents:
    bad.append('%d events, expected %d' % (len(events), nevents))
uids = [str(e['UID']) for e in events]
if len(set(uids)) != len(uids):
    bad.append('UIDs not unique')
byweek = {}
for e in events:
    for key in ('UID', 'DTSTAMP', 'DTSTART', 'DURATION', 'SUMMARY', 'DESCRIPTION', 'STATUS'):
        if key not in e:
            bad.append('event lacks ' + key)
    desc = str(e['DESCRIPTION'])
    if 'http' in desc or 'www.' in desc:
        bad.append('a link in the description')
    if 'relax next' not in desc:
        bad.append('description does not say how to listen')
    alarms = e.walk('VALARM')
    if len(alarms) != 1 or str(alarms[0]['ACTION']) != 'DISPLAY' or 'DESCRIPTION' not in alarms[0]:
        bad.append('no gentle DISPLAY alarm')
    if e.decoded('DTSTAMP') != datetime.datetime.fromtimestamp(now, datetime.timezone.utc):
        bad.append('DTSTAMP is not now')
    week = int(str(e['SUMMARY']).split()[2].rstrip(':'))
    byweek[week] = e
for item in expect:
    week, status, start = item.split(':')
    e = byweek.get(int(week))
    if e is None:
        bad.append('no event for week ' + week)
        continue
    if str(e['STATUS']) != status:
        bad.append('week %s: STATUS %s, expected %s' % (week, e['STATUS'], status))
    if (status == 'TENTATIVE') != ('(planned)' in str(e['SUMMARY'])):
        bad.append('week %s: planned mark' % week)
    got = int(e.decoded('DTSTART').timestamp())
    if got != int(start):
        bad.append('week %s: starts %s, expected %s' % (week, got, start))
for b in bad:
    print('  ' + b)
sys.exit(1 if bad else 0)
PYEOF
}
minute() { echo $(( ($1 + 59) / 60 * 60 )); }

# --- a fresh profile: week 1 open now, weeks 2-10 planned six days apart
export RELAX_NOW=$((T0 + 30))   # 08:00:30: week 1 is open from 08:00
run "$RELAX" calendar -o "$ICS"
expect_rc 0 "fresh calendar"
expect_err "wrote $ICS: 10 weeks (9 planned)" "fresh calendar message"
[ -z "$OUT" ] || fail "calendar printed on stdout: $OUT"
exp="1:CONFIRMED:$T0"
for w in 2 3 4 5 6 7 8 9 10; do exp="$exp $w:TENTATIVE:$(minute $((T0 + 30 + (w - 1) * 6 * DAY)))"; done
check_ics "$ICS" $((T0 + 30)) 10 "$exp"
[ "$(stat -c %a "$ICS")" = 644 ] || fail "calendar mode $(stat -c %a "$ICS")"
uids1=$(grep ^UID: "$ICS")

# --- week 1 done at T0 + 10 min; three days on week 2 opens at a known time
listen default 1 600 600 600 1 $T0
export RELAX_NOW=$((T0 + 3 * DAY))
run "$RELAX" calendar -o "$ICS"
expect_rc 0 "calendar after week 1"
w2=$(minute $((T0 + 600 + 6 * DAY)))
exp="2:CONFIRMED:$w2"
for w in 3 4 5 6 7 8 9 10; do exp="$exp $w:TENTATIVE:$((w2 + (w - 2) * 6 * DAY))"; done
check_ics "$ICS" $((T0 + 3 * DAY)) 9 "$exp"
[ "$(grep ^UID: "$ICS")" = "$(echo "$uids1" | tail -n 9)" ] || fail "UIDs changed between runs"
# another profile has its own UIDs (importing both keeps both)
run "$RELAX" calendar --profile ana -o "$W/ana.ics"
expect_rc 0 "calendar --profile"
[ "$(grep -c ^UID: "$W/ana.ics")" = 10 ] || fail "profile ana: not 10 weeks"
grep -qxF "$(echo "$uids1" | head -n 1 | tr -d '\r')" <(tr -d '\r' < "$W/ana.ics") && fail "profile ana shares UIDs with default"
grep -q "X-WR-CALNAME:Relax (ana)" "$W/ana.ics" || fail "calendar name lacks the profile"
# standard output
run "$RELAX" calendar -o -
expect_rc 0 "calendar -o -"
expect_out "BEGIN:VCALENDAR" "calendar on stdout"

# --- bad command lines and outputs: a clear line, the documented code, nothing written
cp "$ICS" "$W/before.ics"
run "$RELAX" calendar
expect_rc 2 "no -o"; expect_err "relax: calendar: name the output with -o FILE.ics" "no -o"
run "$RELAX" calendar -o "$W/x.txt"
expect_rc 2 "not .ics"; expect_err "calendar writes .ics files, not '$W/x.txt'" "not .ics"
[ -e "$W/x.txt" ] && fail "x.txt written"
run "$RELAX" calendar --bogus -o "$ICS"
expect_rc 2 "unknown option"; expect_err "unknown option or argument '--bogus'" "unknown option"
run "$RELAX" calendar -o "$W/no/such/dir/r.ics"
expect_rc 5 "missing folder"; expect_err "relax: cannot write $W/no/such/dir/r.ics: No such file or directory" "missing folder"
# the disk fills up under the calendar's folder only (the store stays writable)
run sh "${RLX_SOURCE_DIR:?}/tests/preload/full_disk.sh" "$W/cal" 100 "$RELAX" calendar -o "$ICS"
expect_rc 5 "disk full"; expect_err "relax: cannot write $ICS: no space left on the device" "disk full"
cmp -s "$ICS" "$W/before.ics" || fail "disk full changed the existing calendar"
ls -a "$W/cal" | grep -q '^\.relax\.ics\.' && fail "a temporary was left behind"
run "$RELAX" calendar --help
expect_rc 0 "calendar --help"; expect_out "Usage: relax calendar" "calendar --help"

# --- all done: nothing to remind of, no file
for w in 2 3 4 5 6 7 8 9 10; do listen default $w 600 600 600 1 $((T0 + w * 7 * DAY)); done
rm -f "$W/done.ics"
run "$RELAX" calendar -o "$W/done.ics"
expect_rc 0 "all done"; expect_out "All 10 weeks are done" "all done"
[ -e "$W/done.ics" ] && fail "a calendar was written with nothing in it"
finish
