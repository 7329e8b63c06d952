#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Floods under heavy emulated loss finish, in total order: 10 % and 30 %
# loss with delay jitter (before the window was keyed on delivery and loss
# was repaired selectively, such runs ended status=timeout), judged from
# the logs.  A peer's STATUS afterwards shows that the loss was real
# (emu_lost), that it was repaired (retrans), and that no forged-looking
# value was dropped (drop_bound=0).
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
start_peers 3
for spec in "10 0.1 20000" "30 0.3 6000"; do
	set -- $spec
	run_cs "loss$1" -n 3 -m "$3" --interval 0:0 --loss "$2" --delay 0:1 \
	    --seed "$1" -t 30 -q
	rc=$?
	cat "$T/loss$1.out"
	[ $rc -eq 0 ] || fail "flood at $1 % loss exited $rc"
	[ "$(result "loss$1" status)" = ok ] || fail "flood at $1 % loss: not ok"
	check "loss$1" 3 "$3" total || fail "logs of the flood at $1 % loss"
done
"$CTLRAW" "$(peer_ctl 0)" STATUS >"$T/status" || fail "STATUS"
grep -q " drop_bound=0 " "$T/status" || fail "STATUS has no drop_bound=0"
# field K: the value of key K in that STATUS line.
field() { sed -n 's/.* '"$1"'=\([0-9]*\).*/\1/p' "$T/status"; }
[ "$(field emu_lost)" -gt 0 ] || fail "no datagram was lost: $(cat "$T/status")"
[ "$(field retrans)" -gt 0 ] || fail "nothing was resent: $(cat "$T/status")"
