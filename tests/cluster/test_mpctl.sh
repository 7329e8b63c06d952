#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# mpctl, the admin tool: ping, list, status, start (a whole run driven by
# hand, judged from the peers' logs), abort, shutdown, unregister, with and
# without --key-file; usage errors exit 2, an unreachable server 3, an ERR
# answer 1.
. "$(dirname "$0")/lib.sh"
M=$BIN/mpctl
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/key"
start_gm -k "$T/key"
start_peers 2 -k "$T/key" --ship-timeout 1
K="-k $T/key"

# Usage errors, network errors.
"$M" 2>/dev/null; [ $? -eq 2 ] || fail "no command"
"$M" bogus 2>"$T/e"; [ $? -eq 2 ] || fail "unknown command"
grep -q "^mpctl: unknown command 'bogus'" "$T/e" || fail "unknown command: message"
"$M" status 2>/dev/null; [ $? -eq 2 ] || fail "status without PEER"
"$M" abort "$GM" x 2>/dev/null; [ $? -eq 2 ] || fail "abort with a bad run"
"$M" ping 127.0.0.1:1 2>/dev/null; [ $? -eq 3 ] || fail "unreachable"
"$M" ping nonexistent.invalid 2>"$T/e"; [ $? -eq 3 ] || fail "bad name"
grep -q "no such host" "$T/e" || fail "bad name: message"
"$M" --help | grep -q "^usage: mpctl" || fail "--help"

# Authentication: refused without the key (ERR: exit 1), fine with it.
"$M" list "$GM" >/dev/null 2>"$T/e"; [ $? -eq 1 ] || fail "list without key"
grep -q "authenticates its clients: give -k" "$T/e" ||
    { cat "$T/e"; fail "list without key: message"; }
"$M" -k "$T/key" list "$GM" >/dev/null || fail "list with the key"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/other"
"$M" -k "$T/other" ping "$GM" 2>"$T/e"; [ $? -eq 1 ] || fail "wrong key: exit"
grep -q "ERR 401" "$T/e" || fail "wrong key: message"
# shellcheck disable=SC2086
"$M" $K ping "$GM" | grep -q "pong" || fail "ping"
# shellcheck disable=SC2086
"$M" $K list "$GM" >"$T/list" || fail "list"
[ "$(grep -c " $HOST " "$T/list")" -eq 2 ] || { cat "$T/list"; fail "list: 2 rows"; }
# shellcheck disable=SC2086
MPCOMM_GROUP_MANAGER=$GM "$M" $K list | grep -q "index" || fail "list: default GM"
# shellcheck disable=SC2086
"$M" $K status "$(peer_ctl 0)" >"$T/st" || fail "status"
grep -qx "state=idle" "$T/st" || { cat "$T/st"; fail "status: state"; }

# A run started by hand on both peers, same run id and members.
members="$HOST:$(peer_udp 0) $HOST:$(peer_udp 1)"
for k in 0 1; do
	# shellcheck disable=SC2086
	"$M" $K start "$(peer_ctl $k)" run=77 id=$k messages=20 \
	    server="$HOST:1" $members >"$T/start$k" || fail "start peer $k"
	grep -q "run=77" "$T/start$k" || fail "start: answer"
done
for k in 0 1; do
	wait_line "$T/peer$k.err" "run 77 ok" 30 >/dev/null ||
	    fail "peer $k did not finish run 77"
	# shellcheck disable=SC2086
	"$M" $K status "$(peer_ctl $k)" | grep -qx "delivered=40" ||
	    fail "status of peer $k: not 40 delivered"
done
# The final files are written when the peers ship (here, try to).
w=0
until [ -f "$T/logs/run77-peer0.log" ] && [ -f "$T/logs/run77-peer1.log" ]; do
	w=$((w + 1)); [ $w -lt 200 ] || fail "no final logs of run 77"; sleep 0.05
done
"$TOP/tests/cluster/checklogs.sh" "$T/logs" 77 2 20 total ||
    fail "logs of the run started by mpctl"
# START again with the same run: ERR, exit 1.
# shellcheck disable=SC2086
"$M" $K start "$(peer_ctl 0)" run=77 id=0 messages=20 $members 2>/dev/null
[ $? -eq 1 ] || fail "a refused START is exit 1"
# ABORT of a run that has finished: said so, not an error.
# shellcheck disable=SC2086
"$M" $K abort "$(peer_ctl 0)" 77 >"$T/ab" 2>&1 || fail "abort: exit $?"
grep -q "already finished run=77" "$T/ab" || { cat "$T/ab"; fail "abort: answer"; }

# unregister, then shutdown: the peers exit.
# shellcheck disable=SC2086
"$M" $K unregister "$GM" "$HOST" 1 1 2>"$T/e"; [ $? -eq 1 ] ||
    fail "unregistering a stranger: not exit 1"
grep -q "ERR 404" "$T/e" || fail "unregistering a stranger: no ERR 404"
c1=$(peer_ctl 1); c1=${c1##*:}
# shellcheck disable=SC2086
"$M" $K unregister "$GM" "$HOST" "$(peer_udp 1)" "$c1" | grep -q "members=1" ||
    fail "unregister"
# shellcheck disable=SC2086
"$M" $K shutdown "$(peer_ctl 0)" "$(peer_ctl 1)" >"$T/sd" || fail "shutdown"
[ "$(grep -c bye "$T/sd")" -eq 2 ] || fail "shutdown: answers"
for k in 0 1; do
	eval "pid=\$PEER_PID_$k"
	w=0
	while kill -0 "$pid" 2>/dev/null && [ $w -lt 200 ]; do sleep 0.05; w=$((w + 1)); done
	kill -0 "$pid" 2>/dev/null && fail "peer $k still runs"
done
exit 0
