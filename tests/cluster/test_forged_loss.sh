#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Without a key, under 20 % emulated loss, an attacker who cannot read
# START forges ACK states with each member's source address (a raw socket
# on loopback; needs root) and sprays them at every other member: each
# says that its member has processed the victim's stream (and every other
# stream) up to a level between what the victim has stamped and 99 past
# it, so that some are inside the bounds (at most what the victim has
# sent) and claim what the loss has not yet let through.  Taken, they stop
# the victim's resends of what was lost: on f41f82b, the commit before the
# run's secret, this run wedged every time (status=timeout, the slowest
# peer stuck between 720 and 1,068 of 9,000 deliveries, and the
# retrans counters still while the peers waited); without --loss, in the
# one run tried, the same spray broke total order there instead
# (mismatched_rounds=85).  Asserted: the run ends ok with every message
# delivered (RESULT status=ok missing=0, the logs accepted by
# checklogs.sh), the loss was real and repaired (emu_lost, retrans), and
# each victim counted at least as many drop_auth as forgeries were sent
# to it.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
FORGE=$TOP/$B/tests/forge
[ "$(id -u)" = 0 ] || skip "needs root for a raw socket"
[ "$HOST" = 127.0.0.1 ] || skip "IPv4 loopback only"

N=3 M=3000
start_gm
start_peers $N
run_cs lossy -n $N -m $M --interval 1:1 --loss 0.2 --seed 7 -t 15 -q &
cs=$!
PIDS="$PIDS $cs"
st=$(wait_running 0) || fail "run did not start"
run=$(field run "$st")
id=0
while [ $id -lt $N ]; do
	k=$(peer_with_id $id) || fail "no peer has id $id"
	eval "K_$id=$k U_$id=$(peer_udp "$k")"
	eval "B_$id=$(field drop_auth "$(peer_status "$k")")"
	: >"$T/forged$id"
	id=$((id + 1))
done

# While the run lasts, for each victim in turn: from each other member,
# 100 ACK states at once, levels S to S + 99 where S is what the victim
# has stamped (read from its STATUS a moment before): the highest one at
# or below what it has sent by then claims what was just lost.  forge
# sets every level of a state, the forger's own stamped level included,
# to that one value.
# spray V: the 100 forgeries from each other member to member V, if V is
# still stamping.
spray() {
	eval "kv=\$K_$1 uv=\$U_$1"
	s=$(field stamped "$(peer_status "$kv" 2>/dev/null)")
	if [ -z "$s" ] || [ "$s" -eq 0 ] || [ "$s" -ge $M ]; then
		return 0
	fi
	q=0 fp=
	while [ $q -lt $N ]; do
		eval "uq=\$U_$q"
		if [ $q -ne "$1" ]; then
			"$FORGE" --to "$uv" --from "$uq" --run "$run" \
			    --sender $q --n $N --kind ack --seq "$s" \
			    --seq-step 1 --count 100 >>"$T/forged$1" &
			fp="$fp $!"
		fi
		q=$((q + 1))
	done
	# shellcheck disable=SC2086
	wait $fp
}
rounds=0
while kill -0 $cs 2>/dev/null; do
	v=0
	while [ $v -lt $N ]; do
		spray $v
		v=$((v + 1))
	done
	rounds=$((rounds + 1))
done
wait $cs
rc=$?
cat "$T/lossy.out"
echo "$rounds rounds of forgeries"
[ $rc -eq 0 ] || fail "the run under forged ACK states exited $rc"
[ "$(result lossy status)" = ok ] || fail "not ok"
[ "$(result lossy missing)" = 0 ] || fail "messages missing"
check lossy $N $M total || fail "logs"
id=0
while [ $id -lt $N ]; do
	eval "k=\$K_$id b=\$B_$id"
	st=$(peer_status "$k") || fail "STATUS of peer $id"
	f=$(awk '{ n += $3 } END { print n + 0 }' "$T/forged$id")
	echo "peer $id: $f forged ACK states; $st"
	[ "$f" -ge 10 ] || fail "only $f forgeries reached peer $id"
	[ $(($(field drop_auth "$st") - b)) -ge "$f" ] ||
	    fail "peer $id: $f forgeries, not all counted as drop_auth"
	[ "$(field emu_lost "$st")" -gt 0 ] || fail "peer $id: no loss"
	[ "$(field retrans "$st")" -gt 0 ] || fail "peer $id: no resend"
	id=$((id + 1))
done
exit 0
