#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# No run starts without one of its members.  A peer killed while still
# registered (its registration outlives it) is in the group manager's list:
# with a spare registered, the comparison server draws the run again
# without it and the run is ok among live peers, its log says which peer
# refused; without a spare it fails at once (exit 3, FATAL naming the
# peer) instead of running short.  The same for a live peer that answers
# START with ERR (its log folder removed after it started): the server
# gives the peer's ERR and draws again, an ok run of the others with no
# "problem:" line, or fails at once (exit 3, FATAL naming it, no RESULT).
# Durations are printed, never asserted.  A peer that cannot write its log folder says so at
# startup (exit 2) instead of registering and refusing START.
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 4
# The first in the group manager's list is the one a snapshot takes first.
first=$("$TOP/$B/tests/ctlraw" "$GM" LIST | sed -n 's/^MEMBER.* ctl=\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$first" ] || fail "no LIST from the group manager"
victim=
k=0
while [ $k -lt 4 ]; do
	[ "$(peer_ctl $k)" = "$(hostport "$HOST" "$first")" ] && victim=$k
	k=$((k + 1))
done
[ -n "$victim" ] || fail "the first listed peer is none of ours"
eval "kill -9 \$PEER_PID_$victim"
eval "wait \$PEER_PID_$victim" 2>/dev/null
run_cs spare -n 3 -m 40 -q
rc=$?
[ $rc -eq 0 ] || { cat "$T/spare.out" "$T/spare.err"; \
    fail "with a spare peer: exit $rc"; }
grep -q "refused START\|cannot connect" "$T/spare.err" ||
    fail "the comparison server did not say which peer failed to start"
grep -q "drawing the run again without peer $HOST:$first" "$T/spare.err" ||
    { cat "$T/spare.err"; fail "the run was not drawn again without it"; }
grep "^RESULT" "$T/spare.out" | grep -q "peers=3 .*delivered_min=120 .*status=ok$" ||
    { cat "$T/spare.out"; fail "not an ok run of 3 live peers"; }
check spare 3 40 total || fail "the logs of the run with a spare"
# No spare: all four wanted, one of them dead.
run_cs nospare -n 4 -m 40 -q
rc=$?
[ $rc -eq 3 ] || { cat "$T/nospare.out" "$T/nospare.err"; \
    fail "without a spare: exit $rc, not 3"; }
grep -q "FATAL: peer $HOST:$first refused START and only 3 other peers" \
    "$T/nospare.err" || { cat "$T/nospare.err"; \
    fail "without a spare: no FATAL naming the peer"; }
grep -q "^RESULT" "$T/nospare.out" && fail "without a spare: a RESULT line"
# A live peer that answers START with ERR: its log folder went away after
# it started, so it cannot make the run's delivery log.  Four more peers at
# a group manager of their own, each with its own folder (start_peers' -l
# is overridden by the later one).
start_gm
live=$NPEERS
j=0
while [ $j -lt 4 ]; do
	start_peers 1 -l "$T/live$j"
	j=$((j + 1))
done
first=$("$TOP/$B/tests/ctlraw" "$GM" LIST | sed -n 's/^MEMBER.* ctl=\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$first" ] || fail "no LIST from the second group manager"
refuser=
k=0
while [ $k -lt 4 ]; do
	[ "$(peer_ctl $((live + k)))" = "$(hostport "$HOST" "$first")" ] &&
	    refuser=$k
	k=$((k + 1))
done
[ -n "$refuser" ] || fail "the first listed peer is none of the four"
rm -rf "$T/live$refuser"
# elapsed NAME ARGS...: run_cs NAME ARGS; its exit status in RC and how
# long it took in SECS.
elapsed() {
	t0=$(date +%s)
	run_cs "$@"
	RC=$?
	SECS=$(( $(date +%s) - t0 ))
}
elapsed livespare -n 3 -m 40 -q
[ $RC -eq 0 ] || { cat "$T/livespare.out" "$T/livespare.err"; \
    fail "a live peer refusing START, with a spare: exit $RC"; }
grep -q "refused START: ERR [0-9]* cannot create the delivery log" \
    "$T/livespare.err" || { cat "$T/livespare.err"; \
    fail "the comparison server did not give the peer's ERR"; }
grep -q "drawing the run again without peer $HOST:$first" \
    "$T/livespare.err" || { cat "$T/livespare.err"; \
    fail "the run was not drawn again without the refusing peer"; }
grep "^RESULT" "$T/livespare.out" | grep -q "peers=3 .*delivered_min=120 .*status=ok$" ||
    { cat "$T/livespare.out"; fail "not an ok run of the 3 other peers"; }
grep -q "^problem:" "$T/livespare.out" &&
    { cat "$T/livespare.out"; fail "a problem: line in an ok report"; }
# A run drawn with the refuser used to wait for it: 13 s for 20 messages.
echo "the run with a spare took $SECS s"
r=$(result livespare run)
mkdir "$T/livelogs" && cp "$T"/live[0-3]/run"$r"-* "$T/livelogs/" ||
    fail "the logs of the run with a spare"
"$TOP/tests/cluster/checklogs.sh" "$T/livelogs" "$r" 3 40 total ||
    fail "the logs of the run with a spare"
elapsed livenospare -n 4 -m 40 -q
[ $RC -eq 3 ] || { cat "$T/livenospare.out" "$T/livenospare.err"; \
    fail "a live peer refusing START, no spare: exit $RC, not 3"; }
grep -q "FATAL: peer $HOST:$first refused START and only 3 other peers" \
    "$T/livenospare.err" || { cat "$T/livenospare.err"; \
    fail "a live peer refusing START, no spare: no FATAL naming it"; }
grep -q "^RESULT" "$T/livenospare.out" &&
    fail "a live peer refusing START, no spare: a RESULT line"
echo "failing the run without a spare took $SECS s"

# A log folder the peer cannot write in: refused at startup.
mkdir "$T/ro" && chmod 555 "$T/ro"
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || skip "root without setpriv: cannot drop to an unprivileged user"
	AS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	chmod 755 "$T"
else
	AS=
fi
$AS "$BIN/peer" -g "$GM" -b "$HOST" -u 0 -p 0 -l "$T/ro" 2>"$T/ro.err" &
pid=$!
PIDS="$PIDS $pid"
wait $pid
rc=$?
[ $rc -eq 2 ] || { cat "$T/ro.err"; fail "unwritable log folder: exit $rc, not 2"; }
grep -q "FATAL: --log-dir: cannot write in $T/ro" "$T/ro.err" ||
    { cat "$T/ro.err"; fail "unwritable log folder: no clear message"; }
