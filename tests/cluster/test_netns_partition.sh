#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# In network namespaces, one peer of a flood is cut off from the others in
# both directions (iptables DROP of UDP at every receiving end) for 3 s,
# well under the peer timeout and the suspicion timeout (5 s here), then
# healed: the run ends ok, without a view change, in total
# order.  Then a one-way outage of 2.4 s (the case that used to wedge every
# peer for ever).  The longest own-message latency shows that the cut fell
# inside the run.  Needs root, ip and iptables; skipped otherwise.
. "$(dirname "$0")/lib.sh"
need_netns
for cut in "1@100+3000" "0>1@100+2400"; do
	MPCOMM_BIN=$BIN "$TOP/scripts/netns-cluster.sh" -n 3 -m 150000 \
	    --interval 0:0 --cut "$cut" --suspect 5000 --log-dir "$T/logs" -q --json "$T/cut.json" \
	    >"$T/cut.out" 2>"$T/cut.err"
	rc=$?
	cat "$T/cut.out"
	grep "^cut:" "$T/cut.err"
	[ $rc -eq 0 ] || { tail "$T/cut.err"; fail "run with cut $cut exited $rc"; }
	grep -q "healed" "$T/cut.err" || fail "the cut $cut was not made"
	run=$(result cut run)
	"$TOP/tests/cluster/checklogs.sh" "$T/logs" "$run" 3 150000 total ||
	    fail "logs of the run with cut $cut"
	max=$(grep -o '"max": [0-9]*' "$T/cut.json" | awk '$2 > m { m = $2 } END { print m + 0 }')
	[ "$max" -ge 1000000 ] || fail "the cut $cut missed the run (latency max ${max}us)"
done
