#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# No run starts without one of its members.  A peer killed while still
# registered (its registration outlives it) is in the group manager's list:
# with a spare registered, the comparison server draws the run again
# without it and the run is ok among live peers, its log says which peer
# refused; without a spare it fails at once (exit 3, FATAL naming the
# peer) instead of running short.  A peer that cannot write its log folder
# says so at startup (exit 2) instead of registering and refusing START.
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
