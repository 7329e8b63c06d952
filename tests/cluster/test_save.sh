#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Collect, then draw: comparison_server --save DIR keeps a run, and
# mpreport DIR judges and draws it again.  Every file mpreport writes
# (JSON, lanes, space-time, ShiViz, the replay page, CSV) and its report
# are byte for byte what the comparison server wrote at the end of the run,
# for a traced run across regions and for a run whose peer was killed (a
# views run); the saved logs are the peers' own delivery logs, entry for
# entry; a saved run that was tampered with is refused with the file and
# line, exit 3; a missing log is judged as missing; a --save that is not a
# folder is a usage error.
. "$(dirname "$0")/lib.sh"
MP=$BIN/mpreport
outs() { # PREFIX: every format, into files named PREFIX.*
	echo "--json $1.json --svg $1.svg --spacetime $1.st.svg --shiviz" \
	    "$1.shiviz --html $1.html --csv $1.csv"
}
same_files() { # A B: every format of A and B identical (or neither
	# written, as the space-time diagram of a run a peer left untraced)
	for x in json svg st.svg shiviz html csv; do
		[ -e "$1.$x" ] || [ -e "$2.$x" ] || continue
		cmp "$1.$x" "$2.$x" || fail "$3: mpreport's .$x differs"
	done
}
# The report as printed, without the log lines and timestamps.
report_of() { grep -v '^20[0-9][0-9]-' "$1"; }

start_gm
start_peers 4
# shellcheck disable=SC2046
run_cs traced -n 4 -m 60 --delay 1:20 --regions world --trace \
    --save "$T/saved" $(outs "$T/cs")
rc=$?
[ $rc -eq 0 ] || { cat "$T/traced.err"; fail "traced: comparison_server exited $rc"; }
for f in run.txt regions report.json peer-0.log peer-3.log; do
	[ -s "$T/saved/$f" ] || fail "traced: no $f saved"
done
cmp "$T/saved/report.json" "$T/cs.json" || fail "traced: saved report.json"
# shellcheck disable=SC2046
"$MP" "$T/saved" $(outs "$T/mp") >"$T/mp.out" 2>"$T/mp.err" ||
    { cat "$T/mp.err"; fail "mpreport exited $?"; }
same_files "$T/cs" "$T/mp" traced
report_of "$T/traced.out" >"$T/cs.txt"
cmp "$T/cs.txt" "$T/mp.out" || { diff "$T/cs.txt" "$T/mp.out"; fail "traced: the report differs"; }
# The saved logs are the peers' own (entries: sender seq ts).
run=$(result traced run)
for i in 0 1 2 3; do
	grep -v '^#' "$T/logs/run$run-peer$i.log" >"$T/own$i"
	sed -n '2,$p' "$T/saved/peer-$i.log" | grep -v '^#\|^@\|^END$' >"$T/kept$i"
	cmp "$T/own$i" "$T/kept$i" || fail "peer $i: saved log is not its own"
done
"$MP" -q "$T/saved" >"$T/q.out" 2>&1 || fail "mpreport -q"
[ "$(wc -l <"$T/q.out")" -eq 1 ] && grep -q "^RESULT run=$run .*status=ok" \
    "$T/q.out" || fail "mpreport -q: not only the RESULT line"

# A peer killed mid-run: the views run saved and drawn again alike.
run_cs kill -n 4 -m 100000 --interval 0:0 --suspect 400 -t 20 --trace 50 \
    --save "$T/saved2" $(outs "$T/kcs") &
cs=$!
PIDS="$PIDS $cs"
wait_running 2 >/dev/null || fail "kill: run did not start"
victim=$(peer_with_id 2)
eval "kill -9 \$PEER_PID_$victim"
wait $cs
[ "$(result kill status)" = ok ] && [ "$(result kill views)" = 1 ] ||
    { cat "$T/kill.out"; fail "kill: not ok in view 1"; }
[ ! -e "$T/saved2/peer-2.log" ] || fail "kill: a log saved for the dead peer"
# shellcheck disable=SC2046
"$MP" "$T/saved2" $(outs "$T/kmp") >"$T/kmp.out" 2>"$T/kmp.err" ||
    { cat "$T/kmp.err"; fail "kill: mpreport exited $?"; }
same_files "$T/kcs" "$T/kmp" kill
report_of "$T/kill.out" | cmp - "$T/kmp.out" || fail "kill: the report differs"

# Tampered with: refused with the file and the line, exit 3.
tamper() { # NAME SED-EXPRESSION FILE EXPECTED-WORDS
	rm -rf "$T/bad" && cp -r "$T/saved" "$T/bad"
	sed -i "$2" "$T/bad/$3"
	"$MP" "$T/bad" >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	[ $rc -eq 3 ] || { cat "$T/bad.err"; fail "$1: exit $rc, not 3"; }
	grep -q "$T/bad/$3:[0-9]*: .*$4" "$T/bad.err" ||
	    { cat "$T/bad.err"; fail "$1: not said where and why"; }
}
tamper "a bad entry" '5s/.*/0 x 1/' peer-1.log "bad log line 4"
# An entry naming no real message parses: it is judged, as over the network.
rm -rf "$T/bad" && cp -r "$T/saved" "$T/bad" && sed -i '5s/.*/0 99999 1/' "$T/bad/peer-1.log"
"$MP" "$T/bad" >"$T/unk.out" 2>&1
[ $? -eq 1 ] && grep -q "^RESULT .*missing=1 .*status=failed" "$T/unk.out" ||
    { cat "$T/unk.out"; fail "an unknown entry is not judged"; }
tamper "a line after END" '$a 0 1 1' peer-1.log "after END"
tamper "no END" '$d' peer-1.log "no END"
tamper "another run" '1s/ run=[0-9]*/ run=7/' peer-1.log "not of run"
tamper "a member too many" '2s/id=0/id=9/' run.txt "id"
tamper "an unknown order" '1s/order=total/order=bogus/' run.txt "unknown order"
tamper "a shorter log" '3d' peer-2.log "shorter\|trace"
tamper "a count no run makes" '1s/ count=[0-9]*/ count=99999/' peer-2.log "more than a run"
# A log that never came: judged missing, as the comparison server would.
rm -rf "$T/bad" && cp -r "$T/saved" "$T/bad" && rm "$T/bad/peer-1.log"
"$MP" "$T/bad" >"$T/gone.out" 2>&1
[ $? -eq 1 ] && grep -q "^RESULT .*status=timeout" "$T/gone.out" ||
    { cat "$T/gone.out"; fail "a missing log is not judged missing"; }
"$MP" "$T/nowhere" >/dev/null 2>"$T/nw.err"
[ $? -eq 3 ] && grep -q "nowhere/run.txt" "$T/nw.err" || fail "no saved run: exit 3"
"$MP" >/dev/null 2>&1; [ $? -eq 2 ] || fail "mpreport without a folder: not a usage error"
: >"$T/afile"
run_cs badsave -n 4 -m 1 --save "$T/afile"
[ $? -eq 2 ] && grep -q "not a folder" "$T/badsave.err" ||
    fail "--save on a file: not a usage error"
exit 0
