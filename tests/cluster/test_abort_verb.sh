#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# ABORT run=R at a peer's control port, by hand: a request without a valid
# run is refused with ERR 400, a run that is not the current one with
# ERR 404; the current run is aborted (STATUS state=aborted, the reason
# naming who sent the ABORT), its log is shipped with status=aborted, a
# second ABORT is a harmless "OK already finished", and the same peers take the next run.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
start_peers 2 --peer-timeout 60000
run_cs long -n 2 -m 1000000 --interval 1:2 -t 60 &
cs=$!
PIDS="$PIDS $cs"
c0=$(peer_ctl 0)
c1=$(peer_ctl 1)
w=0
until run=$("$CTLRAW" "$c0" STATUS |
    sed -n 's/^OK state=running run=\([0-9]*\) .* delivered=[1-9].*/\1/p') &&
    [ -n "$run" ]; do
	w=$((w + 1)); [ $w -lt 200 ] || fail "run did not start"; sleep 0.05
done
echo "run $run"
ask() { "$CTLRAW" "$1" "$2" | tee -a "$T/answers"; }
ask "$c0" "ABORT" | grep -q "^ERR 400 " || fail "ABORT without run= not refused"
ask "$c0" "ABORT run=$run x=1" | grep -q "^ERR 400 " ||
    fail "ABORT with an unknown key not refused"
ask "$c0" "ABORT run=abc" | grep -q "^ERR 400 " || fail "ABORT run=abc"
ask "$c0" "ABORT run=$((run + 1))" | grep -q "^ERR 404 " ||
    fail "ABORT of another run not refused with ERR 404"
"$CTLRAW" "$c0" STATUS | grep -q "^OK state=running " ||
    fail "a refused ABORT changed the run"
ask "$c0" "ABORT run=$run" | grep -q "^OK aborted run=$run\$" ||
    fail "ABORT of the current run"
st=$("$CTLRAW" "$c0" STATUS)
echo "$st"
echo "$st" | grep -q "^OK state=aborted run=$run " || fail "STATUS state"
# The reason names who sent the ABORT (here ctlraw, from 127.0.0.1).
echo "$st" | grep -q " reason=aborted_by_ABORT_from_127.0.0.1:[0-9]" ||
    fail "STATUS reason does not name who aborted"
ask "$c0" "ABORT run=$run" |
    grep -q "^OK already finished run=$run state=aborted\$" ||
    fail "a second ABORT is not a plain OK"
ask "$c1" "ABORT run=$run" | grep -q "^OK aborted run=$run\$" ||
    fail "ABORT of the second peer"
wait $cs
rc=$?
cat "$T/long.out"
[ $rc -eq 1 ] || fail "comparison_server should exit 1, not $rc"
[ "$(result long status)" = aborted ] || fail "RESULT status"
for id in 0 1; do
	head -n 1 "$T/logs/run$run-peer$id.log" | grep -q "status=aborted" ||
	    fail "peer $id log status"
done
grep -q "aborted by ABORT from 127.0.0.1:" "$T/long.out" ||
    fail "the report does not give the peers' reason"
run_cs next -n 2 -m 50 -q || { cat "$T/next.out" "$T/next.err"; \
    fail "the aborted peers did not take the next run"; }
check next 2 50 total || fail "next run logs"
