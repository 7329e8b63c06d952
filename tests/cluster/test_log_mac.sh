#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --key-file covers LOG bodies: after an authenticated LOG header, a bare
# END, an END with a wrong MAC or with extra fields gets ERR 401 and the
# connection is closed, so nothing forged is committed and no LOG that
# follows on that connection is read; the real logs then complete the run.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/key"
start_gm --key-file "$T/key"
start_peers 2 --key-file "$T/key"
run_cs mac -n 2 -m 1500 --interval 1:2 --key-file "$T/key" -t 30 &
cs=$!
PIDS="$PIDS $cs"
CS=$(cs_logs_addr mac) || fail "no server"
run=$(peer_run --key-file "$T/key") || fail "run did not start"
hdr="order=total status=ok count=2"
zero=0000000000000000000000000000000000000000000000000000000000000000
for end in "END" "END mac=$zero" "END x=1"; do
	"$CTLRAW" --key-file "$T/key" "$CS" "LOG run=$run peer=1 $hdr" \
	    "raw:0 1 1" "raw:0 2 2" "raw:$end" \
	    "LOG run=$run peer=0 $hdr" "raw:1 1 1" "raw:1 2 2" "raw:END" \
	    >"$T/forged.out"
	grep -q "^ERR 401" "$T/forged.out" ||
	    { cat "$T/forged.out"; fail "'$end' after a forged body not refused"; }
	grep -q "^OK" "$T/forged.out" &&
	    { cat "$T/forged.out"; fail "a forged LOG body was committed"; }
done
wait $cs || { cat "$T/mac.out" "$T/mac.err"; fail "the run failed"; }
check mac 2 1500 total || fail "logs"
