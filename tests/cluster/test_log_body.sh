#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Delivery-log bodies from a stranger, with every renderer on (--spacetime
# --shiviz --json --svg --csv --html), in a run in total order and one in
# none.
# The runs' 2 members are listeners registered by hand, so the test uploads
# both logs of a run of 3 messages: a sender id above 63 is refused (ERR
# 400), so is a count above 2 x n x m + 16 = 28 (ERR 413) and a body longer
# than its count (ERR 400), each logged as "LOG refused".  Then each
# member's log of 28 lines, 4 the run could make and 24 it could not
# (sender 63 and 62, seq 0, 4 and 2^32-1, ts 2^64-1), with a short trace,
# is taken; the server exits 1 having written every file (the SVGs parse
# as XML), its report says status=failed with missing=4, and the JSON
# counts the 24 lines of each peer as unexpected (48 in all).
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
[ "$HOST" = 127.0.0.1 ] || skip "IPv4 loopback only (the listener, tests/tools/sink)"
start_gm
fake_members 9 10
bad="63 4294967295 18446744073709551615|0 0 0|1 4294967295 1|62 4 18446744073709551615"
bad="$bad|$bad|$bad|$bad|$bad|$bad"
trace0="@S 1 1 1|@R 2 1 1 2 3|@S 3 2 4"
trace1="@S 1 1 2|@R 2 0 1 1 3|@S 3 2 4"
# upload NAME PEER COUNT LINES...: a LOG of PEER; the answers in NAME.ans.
upload() {
	name=$1 p=$2 c=$3; shift 3
	"$CTLRAW" "$CS" "LOG run=$run order=$mode status=ok count=$c peer=$p$tr" \
	    "$@" END >"$T/$name.ans"
}
r=0
for mode in total none; do
	r=$((r + 1))
	rm -f "$T"/*.svg "$T/sv.log" "$T"/r.*
	run_cs "lb$r" -n 2 -m 3 -o $mode -t 30 --spacetime "$T/st.svg" \
	    --shiviz "$T/sv.log" --json "$T/r.json" --svg "$T/r.svg" \
	    --csv "$T/r.csv" --html "$T/r.html" &
	cs=$!
	PIDS="$PIDS $cs"
	CS=$(cs_logs_addr "lb$r") || fail "$mode: no server"
	run=$(fake_run $r) || fail "$mode: no START"
	tr=
	upload sender 0 1 "64 1 1"
	grep -q "^ERR 400 bad log line 1" "$T/sender.ans" ||
	    { cat "$T/sender.ans"; fail "$mode: sender 64 was taken"; }
	# shellcheck disable=SC2086
	(IFS='|'; upload count 0 29 "0 1 1" $bad "0 3 5" "1 3 6" "1 2 4" "0 2 3")
	grep -q "^ERR 413 count 29 is more than" "$T/count.ans" ||
	    { cat "$T/count.ans"; fail "$mode: a count of 29 was taken"; }
	# shellcheck disable=SC2086
	(IFS='|'; upload longer 0 27 "0 1 1" "1 1 2" "0 2 3" "1 2 4" $bad)
	grep -q "^ERR 400 LOG longer than announced" "$T/longer.ans" ||
	    { cat "$T/longer.ans"; fail "$mode: a body longer than its count"; }
	tr=" trace=3 trace_cut=0"
	# shellcheck disable=SC2086
	(IFS='|'; upload up0 0 28 "0 1 1" "1 1 2" "0 2 3" "1 2 4" $bad $trace0)
	# In none, peer 1 delivers in another order: the runs disagree.
	[ $mode = none ] && good1="1 1 2|0 1 1|1 2 4|0 2 3" ||
	    good1="0 1 1|1 1 2|0 2 3|1 2 4"
	# shellcheck disable=SC2086
	(IFS='|'; upload up1 1 28 $good1 $bad $trace1)
	for p in 0 1; do
		grep -q "^OK received=28" "$T/up$p.ans" ||
		    { cat "$T/up$p.ans"; fail "$mode: log $p was not taken"; }
	done
	wait $cs
	rc=$?
	cat "$T/lb$r.out"
	[ $rc -eq 1 ] || { tail "$T/lb$r.err"; fail "$mode: exit $rc, not 1"; }
	[ "$(grep -c "LOG refused" "$T/lb$r.err")" -eq 3 ] ||
	    { cat "$T/lb$r.err"; fail "$mode: not 3 refusals logged"; }
	[ "$(result "lb$r" status)" = failed ] &&
	    [ "$(result "lb$r" missing)" = 4 ] ||
	    fail "$mode: the report does not say failed, missing=4"
	for f in st.svg sv.log r.json r.svg r.csv r.html; do
		[ -s "$T/$f" ] || { cat "$T/lb$r.err"; fail "$mode: no $f"; }
	done
	command -v python3 >/dev/null ||
	    { echo "python3 is not installed: the JSON and SVGs go unread"
	    continue; }
	python3 - "$T" <<'PY' || fail "$mode: the files above"
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
r = json.load(open(d + "/r.json"))
assert r["unexpected"] == 48, r["unexpected"]
assert [p["unexpected"] for p in r["peers"]] == [24, 24], r["peers"]
for f in ("st.svg", "r.svg"):
    ET.parse(d + "/" + f)
PY
done
exit 0
