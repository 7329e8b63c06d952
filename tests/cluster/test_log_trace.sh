#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The trace section of a LOG upload, by hand: while two slow peers run,
# uploads with bad trace sections are refused (malformed, unannounced, one
# line short, pointing forward, before the end of the log, a sender the run
# does not have); a LOG without a trace is still taken as it always was,
# and so is a good trace, which the comparison server then draws.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
start_peers 2
run_cs lt -n 2 -m 2 --interval 5000:5000 -t 30 --spacetime "$T/st.svg" &
cs=$!
PIDS="$PIDS $cs"
CS=$(cs_logs_addr lt) || fail "no server"
run=$(peer_run) || fail "run did not start"
hdr="LOG run=$run order=total status=ok count=4"
body="0 1 1|1 1 2|0 2 3|1 2 4"
refused() {	# refused WHAT HEADER-EXTRA TRACE-LINES...
	what=$1; extra=$2; shift 2
	# shellcheck disable=SC2086
	(IFS='|'; "$CTLRAW" "$CS" "$hdr peer=0$extra" $body "$@" END) \
	    >"$T/bad.out"
	grep -q "^ERR 4" "$T/bad.out" || { cat "$T/bad.out"; fail "$what accepted"; }
}
refused "a malformed trace line" " trace=1 trace_cut=0" "@S 10 1"
refused "an unannounced trace line" "" "@S 10 1 1"
refused "a trace line short" " trace=2 trace_cut=0" "@S 10 1 1"
refused "a cause after the delivery" " trace=2 trace_cut=0" "@S 10 1 1" \
    "@D 11 0 0 1 1 5"
refused "a sender beyond the run" " trace=1 trace_cut=0" "@R 10 2 1 1 2"
refused "trace_cut not 0 or 1" " trace=1 trace_cut=2" "@S 10 1 1"
refused "too long a trace" " trace=99999999 trace_cut=0" "@S 10 1 1"
"$CTLRAW" "$CS" "$hdr peer=0 trace=8 trace_cut=0" 0\ 1\ 1 1\ 1\ 2 0\ 2\ 3 \
    1\ 2\ 4 "@S 100 1 1" "@S 110 2 3" "@R 120 1 1 2 4" "@D 121 0 0 1 1 2" \
    "@D 122 1 1 1 2 2" "@R 130 1 2 4 5" "@D 131 2 0 2 3 5" \
    "@D 132 3 1 2 4 5" END >"$T/up0.out"
grep -q "^OK received=4" "$T/up0.out" || { cat "$T/up0.out"; fail "a good trace refused"; }
"$CTLRAW" "$CS" "$hdr peer=1" 0\ 1\ 1 1\ 1\ 2 0\ 2\ 3 1\ 2\ 4 END >"$T/up1.out"
grep -q "^OK received=4" "$T/up1.out" || { cat "$T/up1.out"; fail "a LOG without a trace refused"; }
wait $cs
rc=$?
[ $rc -eq 0 ] || { cat "$T/lt.out" "$T/lt.err"; fail "comparison_server exited $rc"; }
# Peer 1 sent no trace: no picture, and the server says why.
grep -q "peer 1 sent no trace" "$T/lt.err" || fail "no word about the missing trace"
[ ! -e "$T/st.svg" ] || fail "a picture from half the traces"
echo ok
