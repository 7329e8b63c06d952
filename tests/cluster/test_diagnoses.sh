#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Each mistake gets a message that names it: a comparison server without
# the key of its group manager is told so (not "malformed LIST answer",
# then "only 0 of 3 peers registered"); a bind address that does not
# resolve says so, exit 3, in the group manager (not "Resource temporarily
# unavailable"), the peer and the comparison server (not "No such file or
# directory"); a typo in peer -a is exit 2 at startup; `mpctl status` at a
# group manager answers; a SHUTDOWN that was taken is never reported as not
# taken, whether from the prompt's 0 or from --shutdown-peers.
. "$(dirname "$0")/lib.sh"
MPCTL=$BIN/mpctl
"$MPCTL" keygen "$T/key" >/dev/null || fail "keygen"

# The key: a keyed group manager, keyed peers, a server without it.
start_gm -k "$T/key"
start_peers 3 -k "$T/key"
run_cs nokey -n 3 -m 5 --wait 2
rc=$?
[ $rc -eq 3 ] || { cat "$T/nokey.err"; fail "without the key: exit $rc"; }
grep -q "FATAL: cannot list the group at $GM after 2 s: the group manager authenticates its clients: give -k KEY-FILE" \
    "$T/nokey.err" || { cat "$T/nokey.err"; fail "without the key: no clear FATAL"; }
grep -q "malformed\|only 0 of" "$T/nokey.err" &&
    { cat "$T/nokey.err"; fail "without the key: a misleading message"; }

# mpctl status at the group manager.
"$MPCTL" -k "$T/key" status "$GM" >"$T/gmstatus.out" 2>&1 ||
    { cat "$T/gmstatus.out"; fail "mpctl status at the group manager"; }
grep -qx "role=group_manager" "$T/gmstatus.out" &&
    grep -qx "members=3" "$T/gmstatus.out" ||
    { cat "$T/gmstatus.out"; fail "mpctl status: not the group manager's state"; }

# A bind address that does not resolve.
"$BIN/group_manager" -b grup-manager -p 0 2>"$T/badbind.err"
rc=$?
[ $rc -eq 3 ] || { cat "$T/badbind.err"; fail "-b grup-manager: exit $rc"; }
grep -qE "FATAL: cannot listen on grup-manager port 0: (no such host|temporary failure in name resolution)" \
    "$T/badbind.err" || { cat "$T/badbind.err"; fail "-b grup-manager: no clear message"; }
# The same for a peer and a comparison server (they used to say "No such
# file or directory").
"$BIN/peer" -g "$GM" -k "$T/key" -b grup-manager -u 0 -p 0 -l "$T/logs" \
    2>"$T/badbindp.err"
rc=$?
[ $rc -eq 3 ] || { cat "$T/badbindp.err"; fail "peer -b grup-manager: exit $rc"; }
grep -qE "FATAL: cannot bind UDP port 0 on grup-manager: (no such host|temporary failure in name resolution)" \
    "$T/badbindp.err" || { cat "$T/badbindp.err"; fail "peer -b grup-manager: no clear message"; }
"$BIN/comparison_server" -g "$GM" -k "$T/key" -b grup-manager -p 0 -n 3 \
    -m 5 >"$T/badbindc.out" 2>"$T/badbindc.err"
rc=$?
[ $rc -eq 3 ] || { cat "$T/badbindc.err"; fail "comparison_server -b grup-manager: exit $rc"; }
grep -qE "FATAL: cannot listen on grup-manager port 0: (no such host|temporary failure in name resolution)" \
    "$T/badbindc.err" || { cat "$T/badbindc.err"; fail "comparison_server -b grup-manager: no clear message"; }

# A typo in peer -a.
"$BIN/peer" -g "$GM" -k "$T/key" -b "$HOST" -u 0 -p 0 -l "$T/logs" \
    -a 127.0.0.l 2>"$T/badadv.err"
rc=$?
[ $rc -eq 2 ] || { cat "$T/badadv.err"; fail "-a 127.0.0.l: exit $rc, not 2"; }
grep -q "advertise: cannot resolve 127.0.0.l" "$T/badadv.err" ||
    { cat "$T/badadv.err"; fail "-a typo: no clear message"; }

# SHUTDOWN, twice over: 0 at the prompt, then --shutdown-peers.
# stopped_all FROM: every peer started since index FROM said it stopped.
stopped_all() {
	k=$1
	while [ $k -lt "$NPEERS" ]; do
		wait_line "$T/peer$k.err" "INFO: stopped" 10 >/dev/null || return 1
		k=$((k + 1))
	done
}
# Without a key, where the answer used to be lost in 3 SHUTDOWNs of 6.
echo 0 | run_cs prompt0 -k "$T/key" -n 3
stopped_all 0 || fail "a keyed peer did not stop on 0 at the prompt"
grep "SHUTDOWN" "$T/prompt0.err" && fail "0 at the prompt: a SHUTDOWN taken was reported as not"
start_gm
first=$NPEERS
start_peers 8
echo 0 | run_cs prompt0u -n 8
stopped_all "$first" || fail "a peer did not stop on 0 at the prompt"
grep "SHUTDOWN" "$T/prompt0u.err" && fail "0 at the prompt: a SHUTDOWN taken was reported as not"
first=$NPEERS
start_peers 8
run_cs sp -n 8 -m 5 -q --shutdown-peers ||
    { cat "$T/sp.err"; fail "the run with --shutdown-peers"; }
stopped_all "$first" || fail "a peer did not stop on --shutdown-peers"
grep "SHUTDOWN" "$T/sp.err" && fail "--shutdown-peers: a SHUTDOWN taken was reported as not"
exit 0
