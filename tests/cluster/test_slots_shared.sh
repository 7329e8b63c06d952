#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A client without the key that shares the comparison server's address (the
# same host, or a NAT) cannot take its START connection away: it churns
# connections to every peer's control port from 127.0.0.1 as fast as it
# can (it holds four times a source's share of a peer's 64 slots, and
# reopens each one closed on it), each newcomer reclaiming a slot, and
# every one of several keyed runs still ends ok.  The comparison server
# claims its slot with the key in its first line (CLAIM), before it has the
# server's nonce, and a claimed slot is never taken for an unproven one.
. "$(dirname "$0")/lib.sh"
HOLD=$TOP/$B/tests/hold
RUNS=${RUNS:-8}
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/key"
start_gm --key-file "$T/key"
start_peers 3 --key-file "$T/key"
HOLDERS=${HOLDERS:-2}
holds=
h=0
while [ $h -lt "$HOLDERS" ]; do
	"$HOLD" --seconds 300 --conns 64 \
	    "$(peer_ctl 0)" "$(peer_ctl 1)" "$(peer_ctl 2)" >"$T/hold$h.out" 2>&1 &
	holds="$holds $!"
	PIDS="$PIDS $!"
	wait_line "$T/hold$h.out" "holding" 20 >/dev/null ||
	    fail "the churn did not start"
	h=$((h + 1))
done
i=1
while [ $i -le "$RUNS" ]; do
	run_cs "run$i" -n 3 -m 5 --interval 1:2 --key-file "$T/key" -t 10 ||
	    { cat "$T/run$i.out" "$T/run$i.err"; fail "run $i of $RUNS failed"; }
	[ "$(result "run$i" status)" = ok ] || fail "run $i: not ok"
	i=$((i + 1))
done
kill -TERM $holds; wait $holds
cat "$T"/hold*.out
o=$(sed -n 's/^opened .*closed on us \([0-9]*\)$/\1/p' "$T"/hold*.out |
    awk '{s += $1} END {print s + 0}')
# The churn was real: the peers reclaimed many more slots than they have.
[ "$o" -gt 1000 ] || fail "the peers reclaimed only $o slots"
echo "ok: $RUNS keyed runs ended ok against a churn from the server's address"
