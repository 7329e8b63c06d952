#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Traces beyond what the run could make are refused where they come in:
# a LOG whose trace names a seq (4294967295, once a 32-bit table size of 0
# in the ShiViz writer and writes past it), a Lamport clock or a position
# no run of 2 peers and 2 messages reaches is answered ERR 400 with what
# was out of bound; the server then takes good traces at the edges of the
# bounds (times 0 and 2^64-1, clocks at the bound) and draws every picture
# (--spacetime --shiviz --json) and exits with its report.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
start_peers 2
run_cs tb -n 2 -m 2 --interval 5000:5000 -t 30 --spacetime "$T/st.svg" \
    --shiviz "$T/sv.log" --json "$T/r.json" &
cs=$!
PIDS="$PIDS $cs"
CS=$(cs_logs_addr tb) || fail "no server"
run=$(peer_run) || fail "run did not start"
hdr="LOG run=$run order=total status=ok count=4"
body="0 1 1|1 1 2|0 2 3|1 2 4"
# upload PEER NAME TRACE-LINES...: a faked LOG of PEER, answers in NAME.out.
upload() {
	p=$1; name=$2; shift 2
	# shellcheck disable=SC2086
	(IFS='|'; "$CTLRAW" "$CS" "$hdr peer=$p trace=$# trace_cut=0" $body \
	    "$@" END) >"$T/$name.out"
}
# Judged once the server has exited (on a server that takes them, the
# crash is what shows first).
taken=
refused() {	# refused PEER WHAT TRACE-LINES...
	p=$1; what=$2; shift 2
	upload "$p" bad "$@"
	grep -q "^ERR 400 .*beyond" "$T/bad.out" || taken="$taken; $what"
}
refused 1 "seq 2^32-1 in a send" "@S 1 4294967295 1"
refused 0 "seq 2^32-1 in a delivery" "@S 1 1 1" "@D 2 0 0 4294967295 1 0"
refused 0 "seq beyond the run's messages" "@R 1 1 3 1 2"
refused 0 "a Lamport clock beyond the bound" "@S 1 1 11"
refused 0 "a receipt clock beyond the bound" "@R 1 1 1 1 18446744073709551615"
refused 0 "an ACK state beyond the bound" "@A 1 1 11"
refused 0 "a position beyond the run" "@D 1 99999 1 1 1 -1"
upload 0 up0 "@S 0 1 1" "@S 18446744073709551615 2 3" "@R 5 1 1 2 10" \
    "@D 1 0 0 1 1 2" "@D 2 1 1 1 2 2" "@R 7 1 2 4 10" "@A 3 1 10" \
    "@D 9 2 0 2 3 6" "@D 18446744073709551615 3 1 2 4 5" "@V 0 1 3"
upload 1 up1 "@S 18446744073709551615 1 2" "@S 0 2 4" "@R 0 0 1 1 10" \
    "@R 18446744073709551615 0 2 3 10" "@D 1 0 0 1 1 -1" "@D 2 1 1 1 2 -1"
wait $cs
rc=$?
[ $rc -eq 0 ] || { tail -3 "$T/tb.err"; fail "comparison_server exited $rc"; }
[ -z "$taken" ] || fail "taken, not refused as out of bound: ${taken#; }"
grep -q "LOG refused: trace line 1: seq 4294967295 beyond" "$T/tb.err" ||
    fail "the refusal is not in the server's log"
grep -q "^OK received=4" "$T/up0.out" || { cat "$T/up0.out"; fail "good edge trace of peer 0 refused"; }
grep -q "^OK received=4" "$T/up1.out" || { cat "$T/up1.out"; fail "good edge trace of peer 1 refused"; }
grep -q "^RESULT.* status=ok" "$T/tb.out" || { cat "$T/tb.out"; fail "no report"; }
for f in st.svg sv.log r.json; do
	[ -s "$T/$f" ] || fail "no $f"
done
grep -q "</svg>" "$T/st.svg" || fail "space-time diagram cut short"
grep -q "^peer1 .*send 1:1" "$T/sv.log" || fail "ShiViz log without peer 1's send"
echo ok
