#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A peer whose delivery log cannot be written (a full disk: a 64 KiB tmpfs
# as root, else a file size limit) says so: STATUS gives reason=, its LOG
# says status=failed with the error, and the report names the peer and the
# error instead of ending in a timeout.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
mkdir -p "$T/full"
MOUNTED=
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k tmpfs "$T/full" 2>/dev/null; then
	MOUNTED=1
fi
full_cleanup() {
	rc=$?
	stop_pids $PIDS
	PIDS=
	[ -z "$MOUNTED" ] || umount "$T/full"
	(exit $rc)
	cleanup
}
trap full_cleanup EXIT
start_gm
start_peers 1
if [ -n "$MOUNTED" ]; then
	start_peers 1 -l "$T/full"
else
	# Past the limit, write() fails with EFBIG once SIGXFSZ is ignored.
	(trap '' XFSZ; ulimit -f 128; exec "$BIN/peer" -g "$GM" -b "$HOST" \
	    -u 0 -p 0 -l "$T/full" --refresh 1 2>"$T/peer1.err") &
	PIDS="$PIDS $!"
	NPEERS=2
	wait_line "$T/peer1.err" "registered at" >/dev/null || fail "peer 1"
fi
run_cs full -n 2 -m 12000 --interval 0:0 -t 10
rc=$?
[ $rc -eq 1 ] || { cat "$T/full.out" "$T/full.err"; fail "exit status $rc, not 1"; }
[ "$(result full status)" = failed ] ||
    { cat "$T/full.out"; fail "status $(result full status), not failed"; }
ctl1=$(peer_ctl 1)
grep -q "^problem: peer [0-9]* (.*:${ctl1##*:}) failed: cannot_write_the_delivery_log" \
    "$T/full.out" || { cat "$T/full.out"; fail "the report does not name the peer and the error"; }
"$CTLRAW" "$ctl1" STATUS | grep -q "reason=cannot_write_the_delivery_log" ||
    fail "STATUS has no reason="
grep -q "cannot write the delivery log" "$T/peer1.err" || fail "peer did not warn"
