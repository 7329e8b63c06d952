#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Views (needs the view-change core), in network namespaces: five peers
# partitioned 3|2 mid-flood for good (netns-cluster.sh --cut without an
# end).  The three, a majority, install a view without the two and finish
# ok; the two abort with the reason "minority".  Needs root, ip and
# iptables; skipped otherwise.
. "$(dirname "$0")/lib.sh"
need_netns
MPCOMM_BIN=$BIN "$TOP/scripts/netns-cluster.sh" -n 5 -m 100000 \
    --interval 0:0 --cut "3,4@100" --suspect 500 -t 20 --log-dir "$T/logs" \
    >"$T/part.out" 2>"$T/part.err"
rc=$?
cat "$T/part.out"
grep "^cut:" "$T/part.err"
[ $rc -eq 0 ] || { tail "$T/part.err"; fail "exited $rc"; }
grep -q "from now" "$T/part.err" || fail "the cut was not made"
[ "$(result part status)" = ok ] || fail "status"
[ "$(result part views)" = 1 ] || fail "views"
dep=$(result part departed)
# Namespaces p3 and p4 have 10.77.0.5 and .6; run ids follow registration.
for a in 10.77.0.5 10.77.0.6; do
	grep -qE "^ +[0-9]+ +$a udp=[0-9]+ ctl=[0-9]+ +aborted@1 " "$T/part.out" ||
	    fail "the peer at $a is not shown as aborted@1"
done
[ "$(grep -o "(aborted: minority)" "$T/part.out" | wc -l)" -eq 2 ] ||
    fail "the minority's reason"
"$TOP/tests/cluster/checkviews.sh" "$T/logs" "$(result part run)" 5 100000 \
    "$dep" total || fail "the survivors' logs"
