#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Peers in separate network namespaces with the default ports, 10% loss
# dropped by the kernel (iptables statistic), then sendto() failing with
# EPERM at a 10% rate; total order judged from the logs.  Needs root, ip and
# iptables; skipped otherwise.
. "$(dirname "$0")/lib.sh"
need_netns
# Our namespaces carry our tag, so that we can tell they are all gone.
MPCOMM_NETNS_TAG=mt$$
export MPCOMM_NETNS_TAG
MPCOMM_BIN=$BIN "$TOP/scripts/netns-cluster.sh" -n 4 -m 200 --kernel-loss 0.1 \
    --log-dir "$T/logs" -q >"$T/in.out" 2>"$T/in.err"
rc=$?
cat "$T/in.out"
[ $rc -eq 0 ] || { tail "$T/in.err"; fail "netns run with kernel loss exited $rc"; }
run=$(result in run)
"$TOP/tests/cluster/checklogs.sh" "$T/logs" "$run" 4 200 total || fail "logs"
MPCOMM_BIN=$BIN "$TOP/scripts/netns-cluster.sh" -n 3 -m 200 --output-loss 0.1 \
    --log-dir "$T/logs" -q >"$T/out.out" 2>"$T/out.err"
rc=$?
cat "$T/out.out"
[ $rc -eq 0 ] || { tail "$T/out.err"; fail "netns run with EPERM exited $rc"; }
run=$(result out run)
"$TOP/tests/cluster/checklogs.sh" "$T/logs" "$run" 3 200 total || fail "logs"
grep -q "send errors: [1-9]" "$T/out.out" || fail "no sendto error was seen"
left=$(ip netns list | awk '{ print $1 }' | grep "^$MPCOMM_NETNS_TAG")
[ -z "$left" ] || fail "namespaces left behind: $left"
exit 0
