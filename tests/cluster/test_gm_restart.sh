#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The group manager restarted: the peers' periodic registrations teach the
# new one the membership again; a member that stops refreshing expires.
. "$(dirname "$0")/lib.sh"
MPCTL=$BIN/mpctl
start_gm --ttl 3
start_peers 2
port=${GM##*:}
stop_pids "$GM_PID"
"$BIN/group_manager" -b "$HOST" -p "$port" --ttl 3 2>"$T/gm2.err" &
PIDS="$PIDS $!"
wait_line "$T/gm2.err" "listening on" >/dev/null || fail "restart"
w=0
until "$MPCTL" send "$GM" LIST | grep -q "members=2"; do
	w=$((w + 1)); [ $w -lt 100 ] || fail "peers did not re-register"; sleep 0.1
done
kill -9 "$PEER_PID_1"
w=0
until "$MPCTL" send "$GM" LIST | grep -q "members=1"; do
	w=$((w + 1)); [ $w -lt 100 ] || fail "dead member did not expire"; sleep 0.1
done
grep -q "expired" "$T/gm2.err" || fail "expiry not logged"
